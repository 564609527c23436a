/* ft_sim.c -- the public API: models, simulations, KPIs.
 *
 * A thin layer: an ft_model is a validated model_desc, an ft_sim is a kernel
 * plus the factory built on it plus the run's window (warm-up, length). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "base/base_text.h"
#include "flow/flow.h"
#include "model/model.h"

struct ft_sim {
    const model_desc *desc;     /* of the ft_model, which outlives the simulation */
    sim *kernel;
    FILE *trace;                /* CSV of every event, or NULL */
    ft_event_fn on_event;       /* the caller's observer, or NULL */
    void *event_ctx;
    flow_factory *factory;
    double start_s, warmup_end_s, end_s;
    bool started, warmup_done;
    ft_report report;
    ft_snapshot snapshot;
};

/* The model_desc is the first and only member: the cast is the conversion. */
ft_model *ft_model_load(const char *path, ft_error *err)
{
    return (ft_model *)model_load_file(path, err);
}

ft_model *ft_model_load_with(const char *path, const ft_override *overrides, size_t n,
                             ft_error *err)
{
    return (ft_model *)model_load_file_with(path, overrides, n, err);
}

ft_model *ft_model_load_string(const char *text, size_t len, const char *name, ft_error *err)
{
    return (ft_model *)model_load_string(text, len, name, err);
}

void ft_model_free(ft_model *m)
{
    model_free(m ? &m->desc : NULL);
}

const char *ft_model_name(const ft_model *m)
{
    return m->desc.name;
}

uint64_t ft_model_seed(const ft_model *m)
{
    return m->desc.run.seed;
}

double ft_model_length(const ft_model *m)
{
    return m->desc.run.length_s;
}

double ft_model_time_limit(const ft_model *m)
{
    return m->desc.time_limit_s;
}

/* "past the latest time this model can simulate" (docs/model-language.md,
 * "Time resolution"), for a time t_s a run would reach. */
static int past_limit(const model_desc *d, double t_s, const char *what, ft_error *err)
{
    return ft_fail(err, d->path, 0, 0,
                   "%s is %g s, past %g s, the latest time this model can simulate: the clock "
                   "must still resolve its smallest time step, %s, to a millionth "
                   "(docs/model-language.md, \"Time resolution\")",
                   what, t_s, d->time_limit_s, d->time_step_what);
}

size_t ft_model_station_count(const ft_model *m)
{
    return m->desc.n_stations;
}

const char *ft_model_station_name(const ft_model *m, size_t i)
{
    return i < m->desc.n_stations ? m->desc.stations[i].name : NULL;
}

const char *ft_state_name(ft_state s)
{
    static const char *const names[FT_N_STATES] = {
        "working", "setup", "starved", "blocked", "failed", "maintenance", "off_shift"};
    return (unsigned)s < FT_N_STATES ? names[s] : "?";
}

const char *ft_vehicle_state_name(ft_vehicle_state s)
{
    static const char *const names[FT_VEH_N_STATES] = {"idle",     "empty",    "loaded",
                                                        "blocked",  "handling", "charging"};
    return (unsigned)s < FT_VEH_N_STATES ? names[s] : "?";
}

/* A switch, as for the event kinds: -Wswitch names a kind added without a name. */
const char *ft_warning_kind_name(ft_warning_kind k)
{
    switch (k) {
    case FT_WARN_STATION_STALLED: return "station_stalled";
    case FT_WARN_PICKUP_STALLED: return "pickup_stalled";
    case FT_WARN_FLEET_STALLED: return "fleet_stalled";
    case FT_WARN_KIT_STARVED: return "kit_starved";
    case FT_WARN_DEADLOCK: return "deadlock";
    case FT_WARN_LITTLE_GAP: return "little_gap";
    case FT_WARN_N_KINDS: break;
    }
    return "?";
}

/* A switch rather than a table: -Wswitch names a kind added without a name. */
const char *ft_event_kind_name(ft_event_kind k)
{
    switch (k) {
    case FT_EVENT_RELEASE: return "release";
    case FT_EVENT_ENQUEUE: return "enqueue";
    case FT_EVENT_SETUP: return "setup";
    case FT_EVENT_START: return "start";
    case FT_EVENT_FINISH: return "finish";
    case FT_EVENT_KIT: return "kit";
    case FT_EVENT_BLOCKED: return "blocked";
    case FT_EVENT_REWORK: return "rework";
    case FT_EVENT_CONVEY: return "convey";
    case FT_EVENT_PICKUP: return "pickup";
    case FT_EVENT_LOAD: return "load";
    case FT_EVENT_UNLOAD: return "unload";
    case FT_EVENT_EXIT: return "exit";
    case FT_EVENT_SCRAP: return "scrap";
    case FT_EVENT_FAIL: return "fail";
    case FT_EVENT_REPAIR: return "repair";
    case FT_EVENT_MAINTENANCE: return "maintenance";
    case FT_EVENT_MAINTENANCE_END: return "maintenance_end";
    case FT_EVENT_SHIFT_OFF: return "shift_off";
    case FT_EVENT_SHIFT_ON: return "shift_on";
    case FT_EVENT_N_KINDS: break;
    }
    return "?";
}

void ft_sim_free(ft_sim *s)
{
    if (!s)
        return;
    flow_free(s->factory);
    sim_free(s->kernel);
    free(s);
}

/* Every event: a trace line and the caller's observer. */
static void observe(void *ctx, const ft_event *e)
{
    ft_sim *s = ctx;
    if (s->trace) {
        fprintf(s->trace, "%.6f,%s,", e->time_s, ft_event_kind_name(e->kind));
        base_csv_put(s->trace, e->object);
        if (e->item) {
            fprintf(s->trace, ",%llu,", (unsigned long long)e->item);
            base_csv_put(s->trace, e->product);
        } else {
            fputs(",,", s->trace);
        }
        fputc(',', s->trace);
        base_csv_put(s->trace, e->detail);
        fputc('\n', s->trace);
    }
    if (s->on_event)
        s->on_event(s->event_ctx, e);
}

ft_sim *ft_sim_new(const ft_model *m, const ft_run_options *opt, ft_error *err)
{
    const model_run *run = &m->desc.run;
    ft_run_options none = {0};
    if (!opt)
        opt = &none;
    double warmup = opt->has_warmup ? opt->warmup_s : run->warmup_s;
    double length = opt->has_length ? opt->length_s : run->length_s;
    if (!(warmup >= 0) || !isfinite(warmup)) {
        ft_fail(err, NULL, 0, 0, "the warm-up must be a duration >= 0");
        return NULL;
    }
    if (opt->has_length && !(length > 0 && isfinite(length))) {
        ft_fail(err, NULL, 0, 0, "the run length must be a duration > 0");
        return NULL;
    }
    if (!(length > 0) || !isfinite(length)) {
        ft_fail(err, m->desc.path, 0, 0,
                "no run length: give run.length in the model or --length on the command line");
        return NULL;
    }
    if (!(opt->start_s >= 0) || !isfinite(opt->start_s)) {
        ft_fail(err, NULL, 0, 0, "the start time must be >= 0");
        return NULL;
    }
    if (!(opt->start_s + warmup + length <= m->desc.time_limit_s)) {
        past_limit(&m->desc, opt->start_s + warmup + length,
                   "the end of the run (start + warm-up + length)", err);
        return NULL;
    }
    if (opt->max_items < 0) {
        ft_fail(err, NULL, 0, 0, "the cap on items in the plant must be >= 1");
        return NULL;
    }
    ft_sim *s = calloc(1, sizeof *s);
    if (!s || !(s->kernel = sim_new())) {
        ft_sim_free(s);
        ft_fail(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    s->desc = &m->desc;
    sim_set_now(s->kernel, opt->start_s);
    uint64_t seed = opt->has_seed ? opt->seed : run->seed;
    s->trace = opt->trace;
    s->on_event = opt->on_event;
    s->event_ctx = opt->event_ctx;
    bool observed = opt->trace || opt->on_event;
    if (!(s->factory = flow_build(&m->desc, s->kernel, seed, observed ? observe : NULL, s, err))) {
        ft_sim_free(s);
        return NULL;
    }
    flow_set_max_items(s->factory, opt->max_items);
    if (opt->check)
        flow_set_check(s->factory, true);
    if (opt->trace)
        fputs("time_s,event,object,item,product,detail\n", opt->trace);
    s->start_s = opt->start_s;
    s->warmup_end_s = opt->start_s + warmup;
    s->end_s = s->warmup_end_s + length;
    return s;
}

/* The kernel's error (a lost event, out of memory, a failed start-up) as
 * an ft_error: -1 when there is one. It is sticky, so every call after a
 * failure reports it again instead of running on with wrong state. */
static int kernel_error(const ft_sim *s, ft_error *err)
{
    const char *e = sim_error(s->kernel);
    return e ? ft_fail(err, NULL, 0, 0, "%s", e) : 0;
}

/* `started` means the factory started completely. A start-up that failed
 * halfway (some events scheduled, some not) cannot be retried: its error
 * goes into the kernel, so later calls report it rather than start twice. */
static int start(ft_sim *s, ft_error *err)
{
    if (s->started)
        return 0;
    if (kernel_error(s, err))
        return -1;
    if (flow_start(s->factory, err)) {
        if (err)
            sim_fail(s->kernel, "%s", err->msg);
        else
            sim_fail(s->kernel, "the simulation could not start");
        return -1;
    }
    if (kernel_error(s, err))
        return -1;
    s->started = true;
    return 0;
}

/* Did the run stop on an error (too many items, a clock that no longer
 * moves)? Once failed, a simulation stays failed. */
static int stopped(ft_sim *s, ft_error *err)
{
    if (kernel_error(s, err) || flow_error(s->factory, err))
        return -1;
    if (sim_stalled(s->kernel))
        return ft_fail(err, s->desc->path, 0, 0,
                       "the clock stopped at %g s: the model's delays no longer move it (they "
                       "are below its resolution there; docs/model-language.md, \"Time "
                       "resolution\")",
                       sim_now(s->kernel));
    return 0;
}

int ft_sim_advance(ft_sim *s, double t_s, ft_error *err)
{
    if (start(s, err))
        return -1;
    if (t_s < sim_now(s->kernel))
        return ft_fail(err, NULL, 0, 0, "cannot go back in time (now %.3f s, asked %.3f s)",
                       sim_now(s->kernel), t_s);
    const model_desc *d = s->desc;
    if (!(t_s <= d->time_limit_s))
        return past_limit(d, t_s, "the time to run to", err);
    /* Warm-up deletion happens exactly at the end of the warm-up, after all
     * events at earlier times. */
    if (!s->warmup_done && t_s >= s->warmup_end_s) {
        if (flow_run_until(s->factory, s->warmup_end_s, err) || stopped(s, err))
            return -1;
        flow_reset_stats(s->factory);
        s->warmup_done = true;
    }
    if (flow_run_until(s->factory, t_s, err))
        return -1;
    return stopped(s, err);
}

int ft_sim_run(ft_sim *s, ft_error *err)
{
    return ft_sim_advance(s, s->end_s, err);
}

struct sim *ft_sim_kernel(ft_sim *s)
{
    return s->kernel;
}

double ft_sim_now(const ft_sim *s)
{
    return sim_now(s->kernel);
}

double ft_sim_end(const ft_sim *s)
{
    return s->end_s;
}

uint64_t ft_sim_events(const ft_sim *s)
{
    return sim_events_run(s->kernel);
}

int ft_sim_check(ft_sim *s, ft_error *err)
{
    return start(s, err) ? -1 : flow_check_now(s->factory, err);
}

static int before_start(const ft_sim *s, ft_error *err)
{
    return s->started ? ft_fail(err, NULL, 0, 0, "the initial state must be placed before the "
                                                 "simulation first runs")
                      : 0;
}

int ft_sim_place_item(ft_sim *s, const char *at, const char *product, double quantity,
                      double released_at_s, ft_error *err)
{
    return before_start(s, err) ||
                   flow_place_item(s->factory, at, product, quantity, released_at_s, err)
               ? -1
               : kernel_error(s, err);
}

int ft_sim_place_job(ft_sim *s, const char *station, const char *product, double quantity,
                     double released_at_s, double remaining_s, ft_error *err)
{
    return before_start(s, err) || flow_place_job(s->factory, station, product, quantity,
                                                  released_at_s, remaining_s, err)
               ? -1
               : kernel_error(s, err);
}

int ft_sim_place_failure(ft_sim *s, const char *station, double repair_s, ft_error *err)
{
    return before_start(s, err) || flow_place_failure(s->factory, station, repair_s, err)
               ? -1
               : kernel_error(s, err);
}

const ft_report *ft_sim_report(ft_sim *s)
{
    flow_report(s->factory, &s->report);
    s->report.warmup_s = s->warmup_done ? s->warmup_end_s - s->start_s : 0;
    return &s->report;
}

const ft_snapshot *ft_sim_snapshot(ft_sim *s)
{
    flow_snapshot(s->factory, &s->snapshot);
    return &s->snapshot;
}
