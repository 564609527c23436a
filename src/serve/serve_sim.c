/* serve_sim.c -- the simulation behind the dashboard: a thread that runs a
 * model at a chosen multiple of real time and publishes, after every step,
 * the plant's state (stations, conveyors, AGVs) as one JSON document with a
 * version number.
 *
 * Readers never touch the simulation: they copy the latest document under a
 * mutex, or wait on a condition variable for a newer version (the live
 * event stream). So any number of clients costs one document per step, not
 * one simulation read per client. A step is 50 ms of wall time; the
 * simulation clock advances by speed x the wall time that really passed, so
 * a slow step does not make the simulation fall behind for good. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "serve/serve.h"

#define STEP_NS 50000000L   /* wall time between steps */
#define HISTORY 64          /* state changes kept per station */

typedef struct change {
    double time_s;
    ft_state state;
} change;

typedef struct history {
    change ring[HISTORY];
    int head, n;
    ft_state last;
} history;

struct serve_sim {
    const ft_model *model;
    ft_run_options opt;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t changed;
    bool started, stop;
    /* shared, under mu */
    bool running;
    double speed;
    bool restart;
    bool failed;             /* the run could not go on: error says why */
    ft_error error;
    char *state_json;
    char *kpi_json;
    uint64_t version;
    history *hist;           /* per station */
    size_t n_stations;
    /* the simulation thread's own */
    ft_sim *sim;
    bool published_running;  /* `running` in the latest document */
};

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The state a dashboard colours a station by: the state of most servers,
 * ties to the more urgent (failed before blocked before working ...). */
static ft_state dominant(const ft_station_now *st)
{
    static const ft_state order[] = {FT_FAILED,   FT_MAINTENANCE, FT_OFF_SHIFT, FT_BLOCKED,
                                     FT_SETUP,    FT_WORKING,     FT_STARVED};
    ft_state best = FT_STARVED;
    int most = -1;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (st->in_state[order[i]] > most) {
            most = st->in_state[order[i]];
            best = order[i];
        }
    return best;
}

static json_t *state_doc(serve_sim *ss, const ft_snapshot *snap, const ft_report *r)
{
    json_t *stations = json_array();
    for (size_t i = 0; i < snap->n_stations; i++) {
        const ft_station_now *st = &snap->stations[i];
        json_t *in = json_object();
        for (int k = 0; k < FT_N_STATES; k++)
            json_object_set_new(in, ft_state_name((ft_state)k), json_integer(st->in_state[k]));
        ft_state d = dominant(st);
        history *h = &ss->hist[i];
        if (h->n == 0 || d != h->last) {
            h->ring[(h->head + h->n) % HISTORY] = (change){snap->now_s, d};
            if (h->n < HISTORY)
                h->n++;
            else
                h->head = (h->head + 1) % HISTORY;
            h->last = d;
        }
        json_array_append_new(
            stations, json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:f}", "name", st->name, "state",
                                ft_state_name(d), "servers", in, "queue", (json_int_t)st->queue,
                                "capacity", (json_int_t)st->capacity, "processed",
                                (json_int_t)st->processed, "utilization",
                                i < r->n_stations ? r->stations[i].utilization : 0.0));
    }
    json_t *conveyors = json_array();
    for (size_t i = 0; i < snap->n_conveyors; i++) {
        const ft_conveyor_now *c = &snap->conveyors[i];
        json_array_append_new(conveyors, json_pack("{s:s, s:I, s:I, s:b}", "name", c->name,
                                                   "items", (json_int_t)c->items, "capacity",
                                                   (json_int_t)c->capacity, "stopped",
                                                   c->stopped));
    }
    json_t *vehicles = json_array();
    for (size_t i = 0; i < snap->n_vehicles; i++) {
        const ft_vehicle_now *v = &snap->vehicles[i];
        json_array_append_new(vehicles, json_pack("{s:s, s:f, s:f, s:s, s:i, s:f}", "name",
                                                  v->name, "x", v->x_m, "y", v->y_m, "state",
                                                  ft_vehicle_state_name(v->state), "load",
                                                  v->load, "battery", v->battery));
    }
    double oee = 0;
    for (size_t i = 0; i < r->n_stations; i++)
        oee += r->stations[i].oee / (double)r->n_stations;
    double per_hour = 0, takt = 0;
    for (size_t i = 0; i < r->n_products; i++)
        per_hour += r->products[i].per_hour;
    if (per_hour > 0)
        takt = 3600 / per_hour;
    return json_pack("{s:s, s:f, s:b, s:f, s:I, s:I, s:I, s:f, s:f, s:f, s:s?, s:o, s:o, s:o}",
                     "mode", "simulation", "time_s",
                     snap->now_s, "running", ss->running, "speed", ss->speed, "wip",
                     (json_int_t)snap->wip, "produced", (json_int_t)snap->produced, "scrapped",
                     (json_int_t)snap->scrapped, "throughput_per_hour", per_hour, "takt_s", takt,
                     "oee_mean", oee, "bottleneck", r->bottleneck, "stations", stations,
                     "conveyors", conveyors, "vehicles", vehicles);
}

/* Publish the simulation's state: called by the simulation thread only. */
static void publish(serve_sim *ss)
{
    const ft_snapshot *snap = ft_sim_snapshot(ss->sim);
    const ft_report *r = ft_sim_report(ss->sim);
    char *kpis = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&kpis, &len);
    if (f) {
        ft_report_write_json(r, f);
        fclose(f);
    }
    pthread_mutex_lock(&ss->mu);
    json_t *doc = state_doc(ss, snap, r);
    char *state = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(doc);
    ss->published_running = ss->running;
    if (state && kpis) {
        free(ss->state_json);
        free(ss->kpi_json);
        ss->state_json = state;
        ss->kpi_json = kpis;
        ss->version++;
        pthread_cond_broadcast(&ss->changed);
    } else {
        free(state);
        free(kpis);
    }
    pthread_mutex_unlock(&ss->mu);
}

static int rebuild(serve_sim *ss, ft_error *err)
{
    ft_sim_free(ss->sim);
    if (!(ss->sim = ft_sim_new(ss->model, &ss->opt, err)))
        return -1;
    for (size_t i = 0; i < ss->n_stations; i++)
        ss->hist[i].n = ss->hist[i].head = 0;
    return ft_sim_advance(ss->sim, ss->opt.start_s, err);
}

/* The simulation cannot go on (a lost event): keep the error for the
 * command line, show the last good state, and let the thread end. */
static void fail(serve_sim *ss, const ft_error *err)
{
    pthread_mutex_lock(&ss->mu);
    ss->failed = true;
    ss->error = *err;
    ss->running = false;
    pthread_cond_broadcast(&ss->changed);
    pthread_mutex_unlock(&ss->mu);
}

static void *loop(void *arg)
{
    serve_sim *ss = arg;
    double last = wall_s();
    publish(ss);
    for (;;) {
        struct timespec nap = {0, STEP_NS};
        nanosleep(&nap, NULL);
        double now = wall_s(), dt = now - last;
        last = now;
        pthread_mutex_lock(&ss->mu);
        bool stop = ss->stop, running = ss->running, restart = ss->restart;
        double speed = ss->speed;
        ss->restart = false;
        pthread_mutex_unlock(&ss->mu);
        if (stop)
            break;
        ft_error err = {0};
        if (restart) {
            if (rebuild(ss, &err) != 0) {
                fail(ss, &err);
                break;
            }
            publish(ss);
            continue;
        }
        if (!running) {
            if (ss->published_running) /* say once that it stopped */
                publish(ss);
            continue;
        }
        double t = ft_sim_now(ss->sim) + speed * dt, end = ft_sim_end(ss->sim);
        if (t >= end) {
            t = end;
            pthread_mutex_lock(&ss->mu);
            ss->running = false; /* the run is over: stay on its last state */
            pthread_mutex_unlock(&ss->mu);
        }
        if (ft_sim_advance(ss->sim, t, &err) != 0) {
            fail(ss, &err);
            break;
        }
        publish(ss);
    }
    return NULL;
}

serve_sim *serve_sim_new(const ft_model *m, const ft_run_options *opt, double speed,
                         ft_error *err)
{
    serve_sim *ss = calloc(1, sizeof *ss);
    if (!ss) {
        ft_fail(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    ss->model = m;
    ss->opt = *opt;
    ss->speed = speed;
    ss->running = true;
    ss->n_stations = ft_model_station_count(m);
    pthread_mutex_init(&ss->mu, NULL);
    pthread_cond_init(&ss->changed, NULL);
    if (!(ss->hist = calloc(ss->n_stations ? ss->n_stations : 1, sizeof *ss->hist))) {
        ft_fail(err, NULL, 0, 0, "out of memory");
        serve_sim_free(ss);
        return NULL;
    }
    if (rebuild(ss, err)) {
        serve_sim_free(ss);
        return NULL;
    }
    if (pthread_create(&ss->thread, NULL, loop, ss) != 0) {
        ft_fail(err, NULL, 0, 0, "cannot start the simulation thread");
        serve_sim_free(ss);
        return NULL;
    }
    ss->started = true;
    return ss;
}

void serve_sim_shutdown(serve_sim *ss)
{
    if (!ss || !ss->started)
        return;
    pthread_mutex_lock(&ss->mu);
    ss->stop = true;
    pthread_cond_broadcast(&ss->changed);
    pthread_mutex_unlock(&ss->mu);
    pthread_join(ss->thread, NULL);
    ss->started = false;
}

void serve_sim_free(serve_sim *ss)
{
    if (!ss)
        return;
    serve_sim_shutdown(ss);
    ft_sim_free(ss->sim);
    free(ss->state_json);
    free(ss->kpi_json);
    free(ss->hist);
    pthread_cond_destroy(&ss->changed);
    pthread_mutex_destroy(&ss->mu);
    free(ss);
}

void serve_sim_control(serve_sim *ss, int running, double speed, bool restart)
{
    pthread_mutex_lock(&ss->mu);
    if (running >= 0)
        ss->running = running;
    if (speed > 0)
        ss->speed = speed;
    ss->restart |= restart;
    if (restart)
        ss->running = true;
    pthread_mutex_unlock(&ss->mu);
}

char *serve_sim_state(serve_sim *ss, uint64_t since, int timeout_ms, uint64_t *version)
{
    pthread_mutex_lock(&ss->mu);
    if (timeout_ms > 0 && ss->version <= since && !ss->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (ss->version <= since && !ss->stop)
            if (pthread_cond_timedwait(&ss->changed, &ss->mu, &until) == ETIMEDOUT)
                break;
    }
    char *copy = NULL;
    if (ss->version > since && ss->state_json)
        copy = strdup(ss->state_json);
    *version = ss->version;
    pthread_mutex_unlock(&ss->mu);
    return copy;
}

char *serve_sim_kpis(serve_sim *ss)
{
    pthread_mutex_lock(&ss->mu);
    char *copy = ss->kpi_json ? strdup(ss->kpi_json) : NULL;
    pthread_mutex_unlock(&ss->mu);
    return copy;
}

char *serve_sim_history(serve_sim *ss, size_t station)
{
    if (station >= ss->n_stations)
        return NULL;
    json_t *a = json_array();
    pthread_mutex_lock(&ss->mu);
    const history *h = &ss->hist[station];
    for (int i = 0; i < h->n; i++) {
        const change *c = &h->ring[(h->head + i) % HISTORY];
        json_array_append_new(a, json_pack("{s:f, s:s}", "time_s", c->time_s, "state",
                                           ft_state_name(c->state)));
    }
    pthread_mutex_unlock(&ss->mu);
    char *text = json_dumps(a, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(a);
    return text;
}

bool serve_sim_failed(serve_sim *ss, ft_error *err)
{
    pthread_mutex_lock(&ss->mu);
    bool failed = ss->failed;
    if (failed)
        *err = ss->error;
    pthread_mutex_unlock(&ss->mu);
    return failed;
}

bool serve_sim_stopping(serve_sim *ss)
{
    pthread_mutex_lock(&ss->mu);
    bool stop = ss->stop;
    pthread_mutex_unlock(&ss->mu);
    return stop;
}

/* ---- as a serve_source ------------------------------------------------------ */

static char *src_state(void *impl, uint64_t since, int timeout_ms, uint64_t *version)
{
    return serve_sim_state(impl, since, timeout_ms, version);
}

static char *src_kpis(void *impl) { return serve_sim_kpis(impl); }
static char *src_history(void *impl, size_t station) { return serve_sim_history(impl, station); }
static bool src_stopping(void *impl) { return serve_sim_stopping(impl); }

static int src_control(void *impl, int running, double speed, bool restart, const char **why)
{
    (void)why;
    serve_sim_control(impl, running, speed, restart);
    return 0;
}

static const serve_source_ops sim_ops = {
    .mode = "simulation", .state = src_state, .kpis = src_kpis, .history = src_history,
    .control = src_control, .stopping = src_stopping, /* no forecasts */
};

serve_source serve_sim_source(serve_sim *ss)
{
    return (serve_source){&sim_ops, ss};
}
