/* flow_downtime.c -- what stops a station: failures, planned maintenance
 * and its shift calendar.
 *
 * Failure modes are independent. A calendar-clock mode fails `ttf` after its
 * last repair whatever the station does; an operating-clock mode only ages
 * while the station operates (some server working while up), so its
 * remaining time to failure is kept across idle, blocked and down periods.
 * Each mode has its own random stream. */
#include <math.h>

#include "flow_internal.h"
#include "model/model.h"

enum { PLACED_FAILURE = -1 };
/* The trace detail of a placed failure (the initial state's: it has no mode). */
#define PLACED_MODE ""

static void failure_event(sim *s, void *obj, intptr_t i);

static void repair_event(sim *s, void *obj, intptr_t i)
{
    flow_station *st = obj;
    const char *mode = PLACED_MODE;
    if (i != PLACED_FAILURE) {
        flow_failure_rt *fr = &st->failures[i];
        mode = fr->def->name;
        fr->down = false;
        fr->next = SIM_NO_EVENT;
        double ttf = sim_dist_sample(&fr->def->ttf_s, &fr->rng);
        if (fr->def->by_operating_time)
            fr->ttf_left_s = ttf; /* scheduled when the station operates */
        else
            fr->next = sim_schedule(s, ttf, failure_event, st, i);
    }
    flow_station_change(st, DOWN_REPAIR, mode);
}

static void failure_event(sim *s, void *obj, intptr_t i)
{
    flow_station *st = obj;
    flow_failure_rt *fr = &st->failures[i];
    fr->down = true;
    fr->ttf_left_s = 0;
    fr->next = sim_schedule(s, sim_dist_sample(&fr->def->ttr_s, &fr->rng), repair_event, st, i);
    flow_station_change(st, DOWN_FAIL, fr->def->name);
}

void flow_downtime_operating(flow_station *st, bool operating)
{
    double now = flow_now(st->obj.f);
    for (size_t i = 0; i < st->def->n_failures; i++) {
        flow_failure_rt *fr = &st->failures[i];
        if (!fr->armed || !fr->def->by_operating_time || fr->down)
            continue;
        if (operating) {
            fr->since_s = now;
            fr->next = sim_schedule(st->obj.f->s, fr->ttf_left_s, failure_event, st, (intptr_t)i);
        } else if (fr->next != SIM_NO_EVENT) {
            sim_cancel(st->obj.f->s, fr->next);
            fr->next = SIM_NO_EVENT;
            fr->ttf_left_s -= now - fr->since_s;
            if (fr->ttf_left_s < 0)
                fr->ttf_left_s = 0;
        }
    }
}

void flow_station_place_failure(flow_station *st, double repair_s)
{
    sim_schedule(st->obj.f->s, repair_s, repair_event, st, PLACED_FAILURE);
    flow_station_change(st, DOWN_FAIL, PLACED_MODE);
}

/* ---- maintenance -------------------------------------------------------- */

static void maintenance_begin(sim *s, void *obj, intptr_t arg);

static void maintenance_end(sim *s, void *obj, intptr_t arg)
{
    flow_station *st = obj;
    flow_station_change(st, DOWN_MAINT_END, "");
}

static void maintenance_begin(sim *s, void *obj, intptr_t arg)
{
    flow_station *st = obj;
    const model_maintenance *m = &st->def->maintenance;
    sim_schedule(s, m->duration_s, maintenance_end, st, 0);
    st->maint_event = sim_schedule(s, m->every_s, maintenance_begin, st, 0);
    flow_station_change(st, DOWN_MAINT_BEGIN, "");
}

/* ---- shifts ------------------------------------------------------------- */

static void shift_event(sim *s, void *obj, intptr_t arg)
{
    flow_station *st = obj;
    const model_calendar *c = &st->obj.f->m->calendars[st->def->calendar];
    double next;
    bool on = model_calendar_on(c, sim_now(s), &next);
    if (on == st->off_shift)
        flow_station_change(st, on ? DOWN_SHIFT_ON : DOWN_SHIFT_OFF, "");
    st->shift_event = isfinite(next) ? sim_schedule_at(s, next, shift_event, st, 0) : SIM_NO_EVENT;
}

/* ---- start -------------------------------------------------------------- */

int flow_downtime_start(flow_station *st, ft_error *err)
{
    flow_factory *f = st->obj.f;
    double now = flow_now(f);
    char name[FLOW_STREAM_NAME_BYTES];
    for (size_t i = 0; i < st->def->n_failures; i++) {
        flow_failure_rt *fr = &st->failures[i];
        fr->def = &st->def->failures[i];
        fr->armed = true;
        snprintf(name, sizeof name, "station/%s/failure/%s", st->def->name, fr->def->name);
        sim_rng_init(&fr->rng, f->seed, name);
        double ttf = sim_dist_sample(&fr->def->ttf_s, &fr->rng);
        if (fr->def->by_operating_time) {
            fr->ttf_left_s = ttf;
            if (st->operating) {
                fr->since_s = now;
                fr->next = sim_schedule(f->s, ttf, failure_event, st, (intptr_t)i);
            }
        } else {
            fr->next = sim_schedule(f->s, ttf, failure_event, st, (intptr_t)i);
        }
    }
    const model_maintenance *m = &st->def->maintenance;
    if (m->every_s > 0) {
        /* the first maintenance at or after now in the series first + k*every */
        double t = m->first_s;
        if (t < now)
            t += ceil((now - t) / m->every_s) * m->every_s;
        st->maint_event = sim_schedule_at(f->s, t, maintenance_begin, st, 0);
    }
    if (st->def->calendar != MODEL_NONE)
        shift_event(f->s, st, 0);
    (void)err; /* nothing here can fail once the model is valid */
    return 0;
}
