/* ft_sim.c -- the public API: models, simulations, KPIs.
 *
 * A thin layer: an ft_model is a validated model_desc, an ft_sim is a kernel
 * plus the factory built on it plus the run's window (warm-up, length). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "flow/flow.h"
#include "model/model.h"

struct ft_sim {
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

void ft_sim_free(ft_sim *s)
{
    if (!s)
        return;
    flow_free(s->factory);
    sim_free(s->kernel);
    free(s);
}

/* CSV with RFC 4180 quoting for names (they may hold commas or quotes). */
static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Every event: a trace line and the caller's observer. */
static void observe(void *ctx, const ft_event *e)
{
    ft_sim *s = ctx;
    if (s->trace) {
        fprintf(s->trace, "%.6f,%s,", e->time_s, e->kind);
        csv_field(s->trace, e->object);
        if (e->item) {
            fprintf(s->trace, ",%llu,", (unsigned long long)e->item);
            csv_field(s->trace, e->product);
        } else {
            fputs(",,", s->trace);
        }
        fputc(',', s->trace);
        csv_field(s->trace, e->detail);
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
    if (!(length > 0) || !isfinite(length)) {
        ft_fail(err, m->desc.path, 0, 0,
                "no run length: give run.length in the model or --length on the command line");
        return NULL;
    }
    if (!(opt->start_s >= 0) || !isfinite(opt->start_s)) {
        ft_fail(err, NULL, 0, 0, "the start time must be >= 0");
        return NULL;
    }
    ft_sim *s = calloc(1, sizeof *s);
    if (!s || !(s->kernel = sim_new())) {
        ft_sim_free(s);
        ft_fail(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
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
    if (opt->check)
        flow_set_check(s->factory, true);
    if (opt->trace)
        fputs("time_s,event,object,item,product,detail\n", opt->trace);
    s->start_s = opt->start_s;
    s->warmup_end_s = opt->start_s + warmup;
    s->end_s = s->warmup_end_s + length;
    return s;
}

static int start(ft_sim *s, ft_error *err)
{
    if (s->started)
        return 0;
    s->started = true;
    return flow_start(s->factory, err);
}

int ft_sim_advance(ft_sim *s, double t_s, ft_error *err)
{
    if (start(s, err))
        return -1;
    if (t_s < sim_now(s->kernel))
        return ft_fail(err, NULL, 0, 0, "cannot go back in time (now %.3f s, asked %.3f s)",
                       sim_now(s->kernel), t_s);
    /* Warm-up deletion happens exactly at the end of the warm-up, after all
     * events at earlier times. */
    if (!s->warmup_done && t_s >= s->warmup_end_s) {
        if (flow_run_until(s->factory, s->warmup_end_s, err))
            return -1;
        flow_reset_stats(s->factory);
        s->warmup_done = true;
    }
    return flow_run_until(s->factory, t_s, err);
}

int ft_sim_run(ft_sim *s, ft_error *err)
{
    return ft_sim_advance(s, s->end_s, err);
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
    return before_start(s, err)
               ? -1
               : flow_place_item(s->factory, at, product, quantity, released_at_s, err);
}

int ft_sim_place_job(ft_sim *s, const char *station, const char *product, double quantity,
                     double released_at_s, double remaining_s, ft_error *err)
{
    return before_start(s, err) ? -1
                                : flow_place_job(s->factory, station, product, quantity,
                                                 released_at_s, remaining_s, err);
}

int ft_sim_place_failure(ft_sim *s, const char *station, double repair_s, ft_error *err)
{
    return before_start(s, err) ? -1 : flow_place_failure(s->factory, station, repair_s, err);
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
