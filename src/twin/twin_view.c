/* twin_view.c -- the read side of a twin session for other threads: every
 * function takes the session's lock, copies, and lets go. Copies are small
 * (a view is ~10 kB) and the census of items walks the item table once, so
 * a reader twenty times a second costs the feeding thread well under a
 * millisecond of waiting per second. */
#include <string.h>

#include "twin_view.h"

static void station_view(const twin_session *s, const twin_census *c, size_t i,
                         twin_station_view *v)
{
    const twin_mirror *m = &s->mirror;
    const twin_station_live *st = &m->st[i];
    const twin_station_info *si = &s->tm.stations[i];
    *v = (twin_station_view){.name = si->name, .known = st->known, .state = st->state,
                             .since_s = st->since_s, .servers = si->servers,
                             .capacity = si->capacity, .queued = c->queued[i],
                             .processing = c->processing[i], .held = c->held[i],
                             .jobs = st->jobs};
    v->gateway = st->gw >= 0 ? m->gws[st->gw]->name : NULL;
    v->stale = twin_mirror_station_stale(m, i);
    memcpy(v->state_s, st->state_s, sizeof v->state_s);
    if (st->known && m->now_s > st->since_s)
        v->state_s[st->state] += m->now_s - st->since_s;
}

bool twin_session_view(twin_session *s, uint64_t since, twin_view *v)
{
    twin_census census;
    pthread_mutex_lock(&s->mu);
    if (s->version <= since) {
        pthread_mutex_unlock(&s->mu);
        return false;
    }
    const twin_mirror *m = &s->mirror;
    twin_mirror_census(m, &census);
    v->version = s->version;
    v->clock_set = m->clock_set;
    v->now_s = m->now_s;
    v->first_s = m->first_ts_s;
    v->shift_end_s = s->shift_end_s;
    v->received = m->received;
    v->accepted = m->accepted;
    v->rejected = 0;
    for (int r = 1; r < TWIN_REJ_N; r++)
        v->rejected += m->rejects[r];
    v->gaps = m->gaps;
    v->released = twin_mirror_released(m);
    v->output = twin_mirror_output(m);
    v->scrapped = 0;
    for (size_t p = 0; p < s->tm.n_products; p++)
        v->scrapped += twin_mirror_scrapped(m, (int)p);
    v->wip = census.live;
    v->n_stations = s->tm.n_stations;
    for (size_t i = 0; i < s->tm.n_stations; i++)
        station_view(s, &census, i, &v->stations[i]);
    v->n_gateways = m->n_gws;
    for (size_t i = 0; i < m->n_gws; i++) {
        const twin_gateway *g = m->gws[i];
        v->gateways[i] = (twin_gateway_view){.name = g->name, .alive = g->alive,
                                             .final = g->final_seen, .last_s = g->last_ts_s};
    }
    v->n_forecasts = s->n_forecasts;
    if (s->n_forecasts)
        v->forecast = s->last;
    pthread_mutex_unlock(&s->mu);
    return true;
}

size_t twin_session_forecasts(twin_session *s, size_t from, twin_forecast *out, size_t max,
                              size_t *first)
{
    pthread_mutex_lock(&s->mu);
    size_t n = s->n_forecasts;
    size_t oldest = n > TWIN_FORECAST_KEEP ? n - TWIN_FORECAST_KEEP : 0;
    size_t k = from > oldest ? from : oldest, copied = 0;
    *first = k;
    for (; k < n && copied < max; k++)
        out[copied++] = s->kept[k % TWIN_FORECAST_KEEP];
    pthread_mutex_unlock(&s->mu);
    return copied;
}

size_t twin_session_changes(twin_session *s, size_t station, twin_change *out, size_t max)
{
    if (station >= TWIN_MAX_STATIONS)
        return 0;
    pthread_mutex_lock(&s->mu);
    size_t n = s->n_changes[station];
    size_t k = n > TWIN_CHANGE_KEEP ? n - TWIN_CHANGE_KEEP : 0, copied = 0;
    if (n - k > max)
        k = n - max;
    for (; k < n; k++)
        out[copied++] = s->changes[station][k % TWIN_CHANGE_KEEP];
    pthread_mutex_unlock(&s->mu);
    return copied;
}

void twin_session_write_summary(twin_session *s, FILE *out)
{
    pthread_mutex_lock(&s->mu);
    twin_mirror_write_json(&s->mirror, out);
    pthread_mutex_unlock(&s->mu);
}
