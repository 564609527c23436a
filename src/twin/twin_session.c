/* twin_session.c -- the twin's main loop body, independent of transport.
 *
 * Forecast times are the first birth (or first message) plus multiples of
 * forecast_every_s. A forecast for time B runs when the first message
 * stamped after B arrives, on the state made of everything up to B: that
 * makes a forecast a function of the plant's history, not of when its
 * messages happened to arrive, so a replay gives the same forecasts as the
 * live run (late messages aside). */
#include <math.h>
#include <string.h>

#include "twin_session.h"

int twin_session_init(twin_session *s, const ft_model *m, const twin_session_options *o,
                      ft_error *err)
{
    memset(s, 0, sizeof *s);
    s->o = *o;
    s->next_forecast_s = -1;
    if (twin_model_init(&s->tm, m, 7 * 86400.0, err) != 0)
        return -1;
    if (twin_mirror_init(&s->mirror, &s->tm, err) != 0) {
        twin_model_free(&s->tm);
        return -1;
    }
    if (o->record_path && !(s->rec = twin_recorder_open(o->record_path, err))) {
        twin_mirror_free(&s->mirror);
        twin_model_free(&s->tm);
        return -1;
    }
    return 0;
}

void twin_session_free(twin_session *s)
{
    twin_recorder_close(s->rec);
    twin_mirror_free(&s->mirror);
    twin_model_free(&s->tm);
}

static void forecast_at(twin_session *s, double at_s)
{
    twin_mirror *m = &s->mirror;
    double saved = m->now_s;
    m->now_s = at_s; /* the plant clock has reached at_s: a later message is here */
    twin_forecast_options fo = {.replications = s->o.replications, .seed = s->o.seed,
                                .shift_end_s = s->shift_end_s, .target = s->o.target};
    ft_error err = {0};
    if (twin_forecast_run(m, &fo, &s->last, &err) == 0) {
        s->n_forecasts++;
        if (s->o.out) {
            twin_forecast_write_json(&s->last, s->o.out);
            fflush(s->o.out);
        }
        if (s->o.on_forecast)
            s->o.on_forecast(s->o.forecast_ctx, &s->last);
    } else if (s->o.out) {
        fprintf(s->o.out, "{\"forecast_error\":\"%s\"}\n", err.msg);
    }
    m->now_s = fmax(saved, at_s);
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

twin_reject twin_session_message(twin_session *s, const char *topic, const char *payload,
                                 size_t len)
{
    if (s->rec)
        twin_recorder_write(s->rec, s->mirror.now_s, topic, payload, len);
    twin_reject r = twin_mirror_parse(&s->mirror, payload, len, &s->msg);
    if (r)
        return r;
    forecasts_before(s, s->msg.ts_s);
    r = twin_mirror_apply(&s->mirror, &s->msg);
    if (r == TWIN_OK && s->shift_end_s == 0)
        forecasts_before(s, s->msg.ts_s); /* fixes the shift end on the first message */
    return r;
}

void twin_session_gap(twin_session *s, double from_s, double to_s)
{
    if (s->rec)
        twin_recorder_gap(s->rec, from_s, to_s);
    twin_mirror_mark_gap(&s->mirror, from_s, to_s);
}
