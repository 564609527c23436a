/* twin_model.c -- the model as the twin sees it: names and expectations.
 *
 * The expectations are measured, not read: one simulation of the model
 * observed through ft_event gives the mean start->finish time of each
 * station, its failures per processing hour and its mean repair. That keeps
 * the twin on the public API and makes "the model's process time" mean
 * exactly what the plant's telemetry measures (start to finish, including
 * a failure that interrupts a job), so drift compares like with like. The
 * price is a few milliseconds at start-up and sampling noise, which a
 * horizon of a week makes small next to the drift worth reporting (10 %). */
#include <stdlib.h>
#include <string.h>

#include "twin_model.h"

#define CAL_MAX_JOBS 512 /* jobs in process at once; more are not timed */

typedef struct cal_job {
    int station;
    uint64_t item;
    double start_s;
} cal_job;

typedef struct calibration {
    twin_model *tm;
    cal_job jobs[CAL_MAX_JOBS];
    size_t n_jobs;
    double work_s[TWIN_MAX_STATIONS], process_sum_s[TWIN_MAX_STATIONS];
    double fail_at_s[TWIN_MAX_STATIONS], repair_sum_s[TWIN_MAX_STATIONS];
    uint64_t repairs[TWIN_MAX_STATIONS];
    bool failed[TWIN_MAX_STATIONS];
} calibration;

static bool add_name(char **names, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    if (*n == TWIN_MAX_NAMES)
        return false;
    names[*n] = strdup(name);
    if (!names[*n])
        return false;
    (*n)++;
    return true;
}

static int by_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static void observe(void *ctx, const ft_event *e)
{
    calibration *c = ctx;
    twin_model *tm = c->tm;
    if (e->product[0])
        add_name(tm->products, &tm->n_products, e->product);
    if (e->kind == FT_EVENT_RELEASE) {
        add_name(tm->sources, &tm->n_sources, e->object);
        return;
    }
    int s = twin_model_station(tm, e->object);
    if (s < 0)
        return;
    if (e->kind == FT_EVENT_START && c->n_jobs < CAL_MAX_JOBS) {
        c->jobs[c->n_jobs++] = (cal_job){s, e->item, e->time_s};
    } else if (e->kind == FT_EVENT_FINISH) {
        for (size_t i = 0; i < c->n_jobs; i++)
            if (c->jobs[i].station == s && c->jobs[i].item == e->item) {
                double d = e->time_s - c->jobs[i].start_s;
                twin_station_info *st = &tm->stations[s];
                if (st->n_durations < TWIN_DURATIONS)
                    st->durations[st->n_durations++] = (float)d;
                c->process_sum_s[s] += d;
                c->work_s[s] += d;
                tm->stations[s].jobs++;
                c->jobs[i] = c->jobs[--c->n_jobs];
                break;
            }
    } else if (e->kind == FT_EVENT_FAIL) {
        tm->stations[s].failures++;
        c->failed[s] = true;
        c->fail_at_s[s] = e->time_s;
    } else if (e->kind == FT_EVENT_REPAIR && c->failed[s]) {
        c->failed[s] = false;
        c->repair_sum_s[s] += e->time_s - c->fail_at_s[s];
        c->repairs[s]++;
    }
}

int twin_model_init(twin_model *tm, const ft_model *m, double horizon_s, ft_error *err)
{
    memset(tm, 0, sizeof *tm);
    tm->model = m;
    size_t n = ft_model_station_count(m);
    if (n > TWIN_MAX_STATIONS)
        return ft_fail(err, NULL, 0, 0, "the twin handles at most %d stations (model has %zu)",
                       TWIN_MAX_STATIONS, n);
    calibration *c = calloc(1, sizeof *c);
    if (!c)
        return ft_fail(err, NULL, 0, 0, "out of memory");
    c->tm = tm;
    ft_run_options o = {.has_warmup = true, .warmup_s = 0, .has_length = true,
                        .length_s = horizon_s, .on_event = observe, .event_ctx = c};
    ft_sim *sim = ft_sim_new(m, &o, err);
    if (!sim) {
        free(c);
        return -1;
    }
    const ft_snapshot *snap = ft_sim_snapshot(sim);
    tm->n_stations = n;
    for (size_t i = 0; i < n; i++) {
        twin_station_info *st = &tm->stations[i];
        st->name = ft_model_station_name(m, i);
        st->servers = snap->stations[i].servers;
        st->capacity = snap->stations[i].capacity;
        const char *b = snap->stations[i].buffer;
        st->buffer = b && strcmp(b, st->name) != 0 ? strdup(b) : NULL;
    }
    for (size_t i = 0; i < snap->n_conveyors; i++)
        add_name(tm->conveyors, &tm->n_conveyors, snap->conveyors[i].name);
    int rc = ft_sim_run(sim, err);
    ft_sim_free(sim);
    tm->calibration_s = horizon_s;
    for (size_t i = 0; i < n; i++) {
        twin_station_info *st = &tm->stations[i];
        st->process_mean_s = st->jobs ? c->process_sum_s[i] / (double)st->jobs : 0;
        qsort(st->durations, st->n_durations, sizeof *st->durations, by_float);
        st->failures_per_work_h = c->work_s[i] > 0 ? (double)st->failures / (c->work_s[i] / 3600) : 0;
        st->repair_mean_s = c->repairs[i] ? c->repair_sum_s[i] / (double)c->repairs[i] : 0;
    }
    free(c);
    if (rc != 0)
        twin_model_free(tm);
    return rc;
}

void twin_model_free(twin_model *tm)
{
    for (size_t i = 0; i < tm->n_stations; i++)
        free(tm->stations[i].buffer);
    for (size_t i = 0; i < tm->n_products; i++)
        free(tm->products[i]);
    for (size_t i = 0; i < tm->n_sources; i++)
        free(tm->sources[i]);
    for (size_t i = 0; i < tm->n_conveyors; i++)
        free(tm->conveyors[i]);
    memset(tm, 0, sizeof *tm);
}

int twin_model_station(const twin_model *tm, const char *name)
{
    for (size_t i = 0; i < tm->n_stations; i++)
        if (strcmp(tm->stations[i].name, name) == 0)
            return (int)i;
    return -1;
}

int twin_model_buffer_station(const twin_model *tm, const char *buffer)
{
    for (size_t i = 0; i < tm->n_stations; i++)
        if (tm->stations[i].buffer && strcmp(tm->stations[i].buffer, buffer) == 0)
            return (int)i;
    return -1;
}

int twin_model_product(const twin_model *tm, const char *name)
{
    for (size_t i = 0; i < tm->n_products; i++)
        if (strcmp(tm->products[i], name) == 0)
            return (int)i;
    return -1;
}

static bool in(char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

bool twin_model_is_source(const twin_model *tm, const char *name)
{
    return in(tm->sources, tm->n_sources, name);
}

bool twin_model_is_conveyor(const twin_model *tm, const char *name)
{
    return in(tm->conveyors, tm->n_conveyors, name);
}
