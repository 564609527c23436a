/* twin_session.c -- the twin's main loop body, independent of transport.
 *
 * Forecast times are the first birth (or first message) plus multiples of
 * forecast_every_s. A forecast for time B runs when the first message
 * stamped after B arrives, on the state made of everything up to B: that
 * makes a forecast a function of the plant's history, not of when its
 * messages happened to arrive, so a replay gives the same forecasts as the
 * live run (late messages aside).
 *
 * Readers on other threads (twin_view.c) copy under `mu`, which the feeding
 * thread holds whenever it changes the state -- except while a forecast's
 * replications run: they only read the mirror, and only this thread writes
 * it, so readers need not wait for them. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "twin_session.h"

static void applied(void *ctx, const twin_msg *msg);

int twin_session_init(twin_session *s, const ft_model *m, const twin_session_options *o,
                      ft_error *err)
{
    memset(s, 0, sizeof *s);
    s->o = *o;
    s->next_forecast_s = -1;
    s->version = 1;
    atomic_init(&s->stop, false);
    if (twin_model_init(&s->tm, m, 7 * 86400.0, err) != 0)
        return -1;
    if (twin_mirror_init(&s->mirror, &s->tm, err) != 0) {
        twin_model_free(&s->tm);
        return -1;
    }
    s->mirror.stale_after_s = o->stale_after_s;
    s->mirror.on_applied = applied;
    s->mirror.applied_ctx = s;
    if (o->max_ahead_s > 0)
        s->mirror.max_future_s = o->max_ahead_s;
    if (o->seq_jump > 0)
        s->mirror.seq_jump = o->seq_jump;
    if (o->confirm > 0)
        s->mirror.confirm = o->confirm;
    if (o->record_path && !(s->rec = twin_recorder_open(o->record_path, err))) {
        twin_mirror_free(&s->mirror);
        twin_model_free(&s->tm);
        return -1;
    }
    pthread_mutex_init(&s->mu, NULL);
    return 0;
}

int twin_session_close_record(twin_session *s, ft_error *err)
{
    twin_recorder *r = s->rec;
    s->rec = NULL;
    if (twin_recorder_close(r) != 0)
        return ft_fail(err, s->o.record_path, 0, 0, "cannot record: %s", strerror(errno));
    return 0;
}

void twin_session_free(twin_session *s)
{
    twin_recorder_close(s->rec);
    twin_mirror_free(&s->mirror);
    twin_model_free(&s->tm);
    pthread_mutex_destroy(&s->mu);
}

/* Called and returns with s->mu held; lets go of it while the replications
 * run and while the forecast is written out. */
static void forecast_at(twin_session *s, double at_s)
{
    twin_mirror *m = &s->mirror;
    double saved = m->now_s;
    m->now_s = at_s; /* the plant clock has reached at_s: a later message is here */
    twin_forecast_options fo = {.replications = s->o.replications, .seed = s->o.seed,
                                .shift_end_s = s->shift_end_s, .target = s->o.target};
    twin_forecast f;
    ft_error err = {0};
    pthread_mutex_unlock(&s->mu);
    int rc = twin_forecast_run(m, &fo, &f, &err);
    pthread_mutex_lock(&s->mu);
    m->now_s = fmax(saved, at_s);
    if (rc == 0) {
        s->last = f;
        s->kept[s->n_forecasts % TWIN_FORECAST_KEEP] = f;
        s->n_forecasts++;
        s->version++;
    } else if (!s->failed) {
        /* the engine could not run the plant: no later forecast can be trusted */
        s->failed = true;
        s->error = err;
        twin_session_request_stop(s);
    }
    pthread_mutex_unlock(&s->mu);
    if (rc == 0 && s->o.out) {
        twin_forecast_write_json(&f, s->o.out);
        fflush(s->o.out);
    } else if (rc != 0 && s->o.out) {
        /* the message may quote a name: jansson escapes it */
        json_t *doc = json_pack("{s:s}", "forecast_error", err.msg);
        if (doc && json_dumpf(doc, s->o.out, JSON_COMPACT) == 0)
            fputc('\n', s->o.out);
        json_decref(doc);
    }
    if (rc == 0 && s->o.on_forecast)
        s->o.on_forecast(s->o.forecast_ctx, &f);
    pthread_mutex_lock(&s->mu);
}

/* Forecasts due before a message stamped ts_s: only the latest of them
 * runs (after a gap, the earlier ones would forecast from a stale state). */
static void forecasts_before(twin_session *s, double ts_s)
{
    if (!s->mirror.clock_set)
        return;
    if (s->shift_end_s == 0) {
        double day_s = floor(s->mirror.now_s / 86400) * 86400;
        s->shift_end_s = day_s + s->o.shift_end_tod_s;
        if (s->shift_end_s <= s->mirror.now_s)
            s->shift_end_s += 86400;
    }
    if (s->o.forecast_every_s <= 0)
        return;
    if (s->next_forecast_s < 0) {
        double anchor = s->mirror.first_ts_s > 0 ? s->mirror.first_ts_s : s->mirror.now_s;
        s->next_forecast_s = anchor + s->o.forecast_every_s;
    }
    double due = -1;
    while (s->next_forecast_s < ts_s && s->next_forecast_s < s->shift_end_s) {
        due = s->next_forecast_s;
        s->next_forecast_s += s->o.forecast_every_s;
    }
    if (due >= 0)
        forecast_at(s, due);
}

/* A station message was applied: remember the change it made, if any. */
static void note_change(twin_session *s, int station)
{
    if (station < 0)
        return;
    const twin_station_live *st = &s->mirror.st[station];
    size_t n = s->n_changes[station];
    if (n && s->changes[station][(n - 1) % TWIN_CHANGE_KEEP].state == st->state)
        return;
    s->changes[station][n % TWIN_CHANGE_KEEP] = (twin_change){st->since_s, st->state};
    s->n_changes[station] = n + 1;
}

/* The mirror applied a message (now, or released from quarantine). */
static void applied(void *ctx, const twin_msg *msg)
{
    twin_session *s = ctx;
    if (msg->type == TWIN_MSG_STATION)
        note_change(s, twin_model_station(&s->tm, msg->station));
}

twin_reject twin_session_message(twin_session *s, const char *topic, const char *payload,
                                 size_t len)
{
    if (s->rec)
        twin_recorder_write(s->rec, s->mirror.now_s, topic, payload, len);
    pthread_mutex_lock(&s->mu);
    s->version++;
    twin_reject r = twin_mirror_parse(&s->mirror, payload, len, &s->msg);
    if (r == TWIN_OK) {
        /* only a message that moves the plant clock is a boundary: a held,
         * refused or clock-ahead one must not run forecasts for its time */
        if (twin_mirror_moves_clock(&s->mirror, &s->msg))
            forecasts_before(s, s->msg.ts_s);
        r = twin_mirror_apply(&s->mirror, &s->msg);
        if (s->mirror.clock_set && s->shift_end_s == 0)
            forecasts_before(s, s->mirror.now_s); /* fixes the shift end once the clock runs */
    }
    pthread_mutex_unlock(&s->mu);
    return r;
}

twin_reject twin_session_gap(twin_session *s, double from_s, double to_s)
{
    if (s->rec)
        twin_recorder_gap(s->rec, from_s, to_s);
    pthread_mutex_lock(&s->mu);
    twin_reject r = twin_mirror_mark_gap(&s->mirror, from_s, to_s);
    s->version++;
    pthread_mutex_unlock(&s->mu);
    return r;
}

void twin_session_finish(twin_session *s)
{
    pthread_mutex_lock(&s->mu);
    twin_mirror_finish(&s->mirror);
    s->version++;
    pthread_mutex_unlock(&s->mu);
}

double twin_session_now(const twin_session *s)
{
    return s->mirror.now_s;
}

void twin_session_request_stop(twin_session *s)
{
    atomic_store(&s->stop, true);
}

bool twin_session_stop_requested(twin_session *s)
{
    return atomic_load(&s->stop);
}

bool twin_session_failed(twin_session *s, ft_error *err)
{
    pthread_mutex_lock(&s->mu);
    bool failed = s->failed;
    if (failed)
        *err = s->error;
    pthread_mutex_unlock(&s->mu);
    return failed;
}
