/* serve_twin.c -- the live twin behind the dashboard: one thread feeds a
 * twin session (a replayed log at a chosen pace, or an MQTT subscription),
 * another turns the session's state into the dashboard's JSON, at most
 * twenty times a second and only when something changed.
 *
 * The session is read only through twin_view.h, as copies taken under its
 * lock: a forecast's replications never hold up the page, and the page
 * holds up the plant's messages no longer than a copy takes. Readers of the
 * published documents wait on a condition variable, as with serve_sim, so
 * any number of clients costs one document per change.
 *
 * The state document has the simulation's shape (docs/dashboard.md) filled
 * from telemetry. Telemetry reports one state per station, not per server,
 * so all of a station's servers are counted in it; its `idle` is shown as
 * starved and `off` as off_shift; utilisation is the share of the observed
 * time spent working; OEE is null (no telemetry for it); the bottleneck is
 * the latest forecast's; conveyors and AGVs are empty lists (telemetry does
 * not report them). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "serve/serve.h"
#include "twin/twin_mqtt.h"
#include "twin/twin_view.h"

#define STEP_NS 50000000L   /* wall time between looks at the session */
#define LULL_MAX_S 5.0      /* a replay does not wait out longer silences of its log */

struct serve_twin {
    const ft_model *model;
    serve_twin_options o;
    twin_session *session;
    twin_replay *replay;     /* NULL: MQTT */
    pthread_t feeder, publisher;
    bool feeder_started, publisher_started;
    pthread_mutex_t mu;
    pthread_cond_t changed;
    /* shared, under mu */
    bool stop, feeding, failed;
    ft_error error;
    char *state_json;
    uint64_t version;
    /* the publishing thread's own */
    twin_view view;
    uint64_t seen;           /* the session version in view */
    bool published_feeding;
};

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CLOCK_REALTIME (what pthread_cond_timedwait measures) `wait_s` from now. */
static struct timespec deadline(double wait_s)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    long ns = t.tv_nsec + (long)((wait_s - (double)(long)wait_s) * 1e9);
    t.tv_sec += (time_t)wait_s + ns / 1000000000L;
    t.tv_nsec = ns % 1000000000L;
    return t;
}

/* Sleep wait_s unless the twin is shut down first. */
static void nap(serve_twin *st, double wait_s)
{
    struct timespec until = deadline(wait_s);
    pthread_mutex_lock(&st->mu);
    while (!st->stop && pthread_cond_timedwait(&st->changed, &st->mu, &until) != ETIMEDOUT)
        ;
    pthread_mutex_unlock(&st->mu);
}

/* ---- the documents ---------------------------------------------------------- */

/* The dashboard's words for the telemetry's states. */
static const ft_state as_ft[TWIN_ST_N] = {
    [TWIN_ST_WORKING] = FT_WORKING, [TWIN_ST_IDLE] = FT_STARVED, [TWIN_ST_BLOCKED] = FT_BLOCKED,
    [TWIN_ST_FAILED] = FT_FAILED,   [TWIN_ST_SETUP] = FT_SETUP,  [TWIN_ST_OFF] = FT_OFF_SHIFT,
};

/* A count as JSON. The mirror's counts are sums of at most 2^53 - 1 per
 * counter (twin_msg.h), far below INT64_MAX; the bound is checked here all
 * the same, so that no count can ever come out negative. */
static json_t *count(uint64_t n)
{
    return json_integer(n > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)n);
}

static json_t *station_doc(const twin_station_view *v)
{
    json_t *servers = json_object(), *shares = json_object();
    double observed_s = 0, share[FT_N_STATES] = {0};
    for (int k = 0; k < TWIN_ST_N; k++)
        observed_s += v->state_s[k];
    for (int k = 0; k < TWIN_ST_N; k++)
        share[as_ft[k]] += observed_s > 0 ? v->state_s[k] / observed_s : 0;
    for (int k = 0; k < FT_N_STATES; k++) {
        bool in = v->known && as_ft[v->state] == (ft_state)k;
        json_object_set_new(servers, ft_state_name((ft_state)k), json_integer(in ? v->servers : 0));
        json_object_set_new(shares, ft_state_name((ft_state)k), json_real(share[k]));
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:I, s:o, s:f, s:b, s:s?, s:f, s:o, s:o, s:o}", "name",
                     v->name, "state", v->known ? ft_state_name(as_ft[v->state]) : "unknown",
                     "servers", servers, "queue", count(v->queued), "capacity",
                     (json_int_t)v->capacity, "processed", count(v->jobs), "utilization",
                     share[FT_WORKING], "stale", v->stale, "gateway", v->gateway, "since_s",
                     v->since_s, "processing", count(v->processing), "held", count(v->held),
                     "states", shares);
}

static json_t *state_doc(const serve_twin *st, const twin_view *v, bool feeding)
{
    json_t *stations = json_array(), *gateways = json_array();
    for (size_t i = 0; i < v->n_stations; i++)
        json_array_append_new(stations, station_doc(&v->stations[i]));
    for (size_t i = 0; i < v->n_gateways; i++) {
        const twin_gateway_view *g = &v->gateways[i];
        json_array_append_new(gateways, json_pack("{s:s, s:b, s:b, s:f}", "name", g->name, "alive",
                                                  g->alive, "final", g->final, "last_s",
                                                  g->last_s));
    }
    double hours = v->first_s > 0 ? (v->now_s - v->first_s) / 3600 : 0;
    double per_hour = hours > 0 ? (double)v->output / hours : 0;
    json_t *twin = json_pack(
        "{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:o}", "source",
        st->replay ? "replay" : "mqtt", "received", count(v->received), "accepted",
        count(v->accepted), "rejected", count(v->rejected), "gaps", count(v->gaps), "released",
        count(v->released), "shift_end_s",
        v->shift_end_s > 0 ? json_real(v->shift_end_s) : json_null(), "forecasts",
        count(v->n_forecasts), "stale_after_s", st->o.session.stale_after_s, "gateways",
        gateways);
    const char *bottleneck = v->n_forecasts ? v->forecast.bottleneck : NULL;
    return json_pack("{s:s, s:f, s:b, s:f, s:o, s:o, s:o, s:f, s:f, s:n, s:s?, s:o, s:[], s:[], "
                     "s:o}",
                     "mode", "twin", "time_s", v->now_s, "running", feeding, "speed",
                     st->replay ? st->o.speed : 1.0, "wip", count(v->wip), "produced",
                     count(v->output), "scrapped", count(v->scrapped),
                     "throughput_per_hour", per_hour, "takt_s", per_hour > 0 ? 3600 / per_hour : 0,
                     "oee_mean", "bottleneck", bottleneck, "stations", stations, "conveyors",
                     "vehicles", "twin", twin);
}

static json_t *forecast_doc(const twin_forecast *f)
{
    json_t *d = json_pack("{s:f, s:f, s:o, s:f, s:f, s:f, s:f, s:s?, s:i, s:i, s:f}", "time_s",
                          f->now_s, "shift_end_s", f->end_s, "so_far", count(f->so_far),
                          "p10", f->p10, "p50", f->p50, "p90", f->p90, "mean", f->mean,
                          "bottleneck", f->bottleneck, "replications", f->replications,
                          "stale_stations", f->stale_stations, "elapsed_ms", f->elapsed_ms);
    json_object_set_new(d, "target", f->target > 0 ? json_real(f->target) : json_null());
    json_object_set_new(d, "p_target", f->target > 0 ? json_real(f->p_target) : json_null());
    return d;
}

static char *dump(json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    json_decref(doc);
    return text;
}

/* Publish the view as the latest state: called by the publishing thread
 * (and once by serve_twin_new, before it starts). */
static void publish(serve_twin *st, bool feeding)
{
    char *state = dump(state_doc(st, &st->view, feeding));
    pthread_mutex_lock(&st->mu);
    if (state) {
        free(st->state_json);
        st->state_json = state;
        st->version++;
        st->published_feeding = feeding;
        pthread_cond_broadcast(&st->changed);
    }
    pthread_mutex_unlock(&st->mu);
}

static void *publish_loop(void *arg)
{
    serve_twin *st = arg;
    for (;;) {
        pthread_mutex_lock(&st->mu);
        bool stop = st->stop, feeding = st->feeding;
        pthread_mutex_unlock(&st->mu);
        if (stop)
            break;
        bool fresh = twin_session_view(st->session, st->seen, &st->view);
        if (fresh)
            st->seen = st->view.version;
        if (fresh || feeding != st->published_feeding)
            publish(st, feeding);
        struct timespec step = {0, STEP_NS};
        nanosleep(&step, NULL);
    }
    return NULL;
}

/* ---- feeding the session ---------------------------------------------------- */

/* Replay the log at speed x real time: plant time since the first message
 * maps to wall time since then, so the pace does not drift with the cost
 * of the messages; a lull longer than LULL_MAX_S is cut short. */
static int replay_feed(serve_twin *st, ft_error *err)
{
    twin_session *s = st->session;
    twin_replay_line line;
    double t0_plant = -1, t0_wall = 0;
    int got;
    while (!twin_session_stop_requested(s) && (got = twin_replay_next(st->replay, &line)) == 1) {
        if (line.is_gap)
            twin_session_gap(s, line.gap_from_s, line.gap_to_s);
        else
            twin_session_message(s, line.topic, line.payload, line.len);
        double now_s = twin_session_now(s);
        if (st->o.speed <= 0 || now_s <= 0)
            continue;
        if (t0_plant < 0) {
            t0_plant = now_s;
            t0_wall = wall_s();
            continue;
        }
        double wall = wall_s(), due = t0_wall + (now_s - t0_plant) / st->o.speed;
        if (due - wall > LULL_MAX_S) {
            t0_wall -= due - wall - LULL_MAX_S;
            due = wall + LULL_MAX_S;
        }
        if (due > wall + 1e-3)
            nap(st, due - wall);
    }
    if (!twin_session_stop_requested(s) && got < 0)
        return ft_fail(err, st->o.replay, 0, 0, "cannot read: %s", twin_replay_error(st->replay));
    return 0;
}

static void *feed(void *arg)
{
    serve_twin *st = arg;
    ft_error err = {0};
    int rc = st->replay ? replay_feed(st, &err)
                        : twin_mqtt_run_twin(st->session, st->o.mqtt, st->o.topic, &err);
    twin_session_finish(st->session); /* what is still quarantined is decided now */
    if (rc == 0 && twin_session_failed(st->session, &err))
        rc = -1; /* a forecast the engine could not run */
    pthread_mutex_lock(&st->mu);
    st->feeding = false;
    if (rc) {
        st->failed = true;
        st->error = err;
    }
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

/* ---- life cycle ----------------------------------------------------------------- */

serve_twin *serve_twin_new(const ft_model *m, const serve_twin_options *o, ft_error *err)
{
    serve_twin *st = calloc(1, sizeof *st);
    if (!st || !(st->session = calloc(1, sizeof *st->session))) {
        free(st);
        ft_fail(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    st->model = m;
    st->o = *o;
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->changed, NULL);
    if (twin_session_init(st->session, m, &o->session, err) != 0) {
        free(st->session);
        st->session = NULL;
        serve_twin_free(st);
        return NULL;
    }
    if (o->replay && !(st->replay = twin_replay_open(o->replay, err))) {
        serve_twin_free(st);
        return NULL;
    }
    twin_session_view(st->session, 0, &st->view);
    st->seen = st->view.version;
    st->feeding = true;
    publish(st, true);
    if (pthread_create(&st->feeder, NULL, feed, st) != 0) {
        ft_fail(err, NULL, 0, 0, "cannot start the twin's thread");
        serve_twin_free(st);
        return NULL;
    }
    st->feeder_started = true;
    if (pthread_create(&st->publisher, NULL, publish_loop, st) != 0) {
        ft_fail(err, NULL, 0, 0, "cannot start the twin's publishing thread");
        serve_twin_free(st);
        return NULL;
    }
    st->publisher_started = true;
    return st;
}

void serve_twin_shutdown(serve_twin *st)
{
    if (!st)
        return;
    pthread_mutex_lock(&st->mu);
    st->stop = true;
    pthread_cond_broadcast(&st->changed);
    pthread_mutex_unlock(&st->mu);
    if (st->session)
        twin_session_request_stop(st->session);
    if (st->feeder_started)
        pthread_join(st->feeder, NULL);
    if (st->publisher_started)
        pthread_join(st->publisher, NULL);
    st->feeder_started = st->publisher_started = false;
}

void serve_twin_free(serve_twin *st)
{
    if (!st)
        return;
    serve_twin_shutdown(st);
    twin_replay_close(st->replay);
    if (st->session) {
        twin_session_free(st->session);
        free(st->session);
    }
    free(st->state_json);
    pthread_cond_destroy(&st->changed);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

bool serve_twin_failed(serve_twin *st, ft_error *err)
{
    pthread_mutex_lock(&st->mu);
    bool failed = st->failed;
    if (failed)
        *err = st->error;
    pthread_mutex_unlock(&st->mu);
    return failed;
}

twin_session *serve_twin_session(serve_twin *st)
{
    return st->session;
}

/* ---- as a serve_source ------------------------------------------------------------ */

static char *source_state(void *impl, uint64_t since, int timeout_ms, uint64_t *version)
{
    serve_twin *st = impl;
    struct timespec until = deadline(timeout_ms / 1000.0);
    pthread_mutex_lock(&st->mu);
    while (timeout_ms > 0 && st->version <= since && !st->stop)
        if (pthread_cond_timedwait(&st->changed, &st->mu, &until) == ETIMEDOUT)
            break;
    char *copy = st->version > since && st->state_json ? strdup(st->state_json) : NULL;
    *version = st->version;
    pthread_mutex_unlock(&st->mu);
    return copy;
}

/* The twin's summary (`fabtwin twin --summary`): counts, rejections,
 * stations with drift, gateways. */
static char *source_kpis(void *impl)
{
    serve_twin *st = impl;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    twin_session_write_summary(st->session, f);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static char *source_history(void *impl, size_t station)
{
    serve_twin *st = impl;
    twin_change changes[TWIN_CHANGE_KEEP];
    size_t n = twin_session_changes(st->session, station, changes, TWIN_CHANGE_KEEP);
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:f, s:s}", "time_s", changes[i].time_s, "state",
                                           ft_state_name(as_ft[changes[i].state])));
    return dump(a);
}

/* Forecasts number `from` on, as docs; NULL when there are none. */
static json_t *forecast_list(serve_twin *st, size_t *from)
{
    twin_forecast *kept = malloc(TWIN_FORECAST_KEEP * sizeof *kept);
    if (!kept)
        return NULL;
    size_t first, n = twin_session_forecasts(st->session, *from, kept, TWIN_FORECAST_KEEP, &first);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, forecast_doc(&kept[i]));
    free(kept);
    *from = first + n;
    return list;
}

/* {latest forecast's fields (null before the first), history: [...]} */
static char *source_forecast(void *impl)
{
    serve_twin *st = impl;
    size_t from = 0;
    json_t *history = forecast_list(st, &from);
    if (!history)
        return NULL;
    size_t n = json_array_size(history);
    json_t *doc = n ? json_deep_copy(json_array_get(history, n - 1))
                    : json_pack("{s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n, s:n}",
                                "time_s", "shift_end_s", "so_far", "p10", "p50", "p90", "mean",
                                "bottleneck", "replications", "p_target", "stale_stations");
    if (!n)
        json_object_set_new(doc, "target", st->o.session.target > 0
                                               ? json_real(st->o.session.target)
                                               : json_null());
    json_object_set_new(doc, "history", history);
    return dump(doc);
}

static char *source_forecasts_after(void *impl, size_t *seen)
{
    serve_twin *st = impl;
    json_t *list = forecast_list(st, seen);
    char *text = NULL;
    size_t len = 0;
    FILE *f = json_array_size(list) ? open_memstream(&text, &len) : NULL;
    if (f) {
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *one = json_incref(json_array_get(list, i));
            char *line = dump(one);
            if (line)
                fprintf(f, "%s\n", line);
            free(line);
        }
        if (fclose(f) != 0) {
            free(text);
            text = NULL;
        }
    }
    json_decref(list);
    return text;
}

static int source_control(void *impl, int running, double speed, bool restart, const char **why)
{
    (void)impl;
    *why = "the twin follows the plant: run, pause, speed and restart apply only to a "
           "simulation (fabtwin serve without --twin)";
    return 409;
}

static bool source_stopping(void *impl)
{
    serve_twin *st = impl;
    pthread_mutex_lock(&st->mu);
    bool stop = st->stop;
    pthread_mutex_unlock(&st->mu);
    return stop;
}

static const serve_source_ops twin_ops = {
    .mode = "twin", .state = source_state, .kpis = source_kpis, .history = source_history,
    .forecast = source_forecast, .forecasts_after = source_forecasts_after,
    .control = source_control, .stopping = source_stopping,
};

serve_source serve_twin_source(serve_twin *st)
{
    return (serve_source){&twin_ops, st};
}
