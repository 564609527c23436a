/* twin_forecast.c -- from the mirrored state to P10/P50/P90 of the shift.
 *
 * Each replication is a fresh ft_sim started at the plant's clock
 * (start_s = now) with the mirror's WIP placed into it: waiting items in
 * their buffers in arrival order, jobs in process with their remaining time,
 * held (finished or blocked) items as jobs with nothing left to do, failed
 * stations with their remaining repair. What cannot be known is estimated,
 * and the estimates are the road taken for speed:
 *  - a job's remaining time is drawn from the process times the calibration
 *    run saw at that station that are longer than what the job has had so
 *    far (the conditional distribution), minus that; quantiles are spread
 *    evenly over the replications (see remaining_time);
 *  - a repair's remaining time is the model's mean repair (right for the
 *    exponential repairs of the shipped models, memoryless);
 *  - a source restarts its interarrival clock at `now`. With periodic
 *    release (30/h) that is in phase only when forecasts are taken at
 *    multiples of the period after the plant's start, which is why the
 *    session aligns forecast times to the first birth.
 * Stale stations (their gateway is dead or silent) keep their last known state; the
 * forecast reports how many there were so that nobody mistakes it for a
 * forecast of a fully observed plant. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twin_forecast.h"

static int by_since(const void *a, const void *b)
{
    const twin_item *x = *(const twin_item *const *)a, *y = *(const twin_item *const *)b;
    return (x->since_s > y->since_s) - (x->since_s < y->since_s);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p of the sample at or below it. */
static double quantile(const double *sorted, int n, double p)
{
    int k = (int)ceil(p * n) - 1;
    return sorted[k < 0 ? 0 : k >= n ? n - 1 : k];
}

/* Items whose last message was lost stay where it left them: an exit that
 * never arrived leaves a "held" item at the last station for ever, a lost
 * "consumed" a kitted part. The counts are made good by the counters; the
 * positions are pruned here against what the model allows, newest first:
 * no more jobs at a station than it has servers, no more waiting items than
 * its buffer holds -- nor, of those that were already waiting when the
 * latest counters reported the queue, more than that report (FIFO: the
 * oldest have left) -- no kitted part older than the assembly's latest start
 * (that start consumed it), no finished item held by a station that does not
 * report itself blocked and no job at one that reports itself idle or
 * blocked. Returns how many were pruned (set to NULL). */
static size_t prune_ghosts(const twin_mirror *m, twin_item **items, size_t n)
{
    const twin_model *tm = m->tm;
    int jobs[TWIN_MAX_STATIONS] = {0};
    long queued[TWIN_MAX_STATIONS] = {0}, reported[TWIN_MAX_STATIONS] = {0};
    size_t pruned = 0;
    for (size_t k = n; k-- > 0;) {
        const twin_item *it = items[k];
        const twin_station_info *si = &tm->stations[it->where];
        const twin_station_live *st = &m->st[it->where];
        bool keep = true;
        if (it->phase == TWIN_HELD && st->known && st->state != TWIN_ST_BLOCKED)
            keep = false;
        else if (it->phase == TWIN_PROCESSING && st->known &&
                 (st->state == TWIN_ST_IDLE || st->state == TWIN_ST_BLOCKED))
            keep = false;
        else if (it->phase == TWIN_PROCESSING || it->phase == TWIN_HELD)
            keep = jobs[it->where]++ < si->servers;
        else if (it->phase == TWIN_QUEUED) {
            keep = si->capacity < 0 || queued[it->where]++ < si->capacity;
            if (keep && st->queue_ts_s >= 0 && it->since_s <= st->queue_ts_s)
                keep = reported[it->where]++ < st->queue_level;
        }
        else if (it->phase == TWIN_KITTED)
            keep = it->since_s >= m->st[it->where].last_start_s;
        if (!keep) {
            items[k] = NULL;
            pruned++;
        }
    }
    return pruned;
}

/* What a job that has been in process for elapsed_s still needs, in
 * replication r of reps: the station's calibration durations longer than
 * elapsed_s, at quantile (r + 1/2) / reps, minus elapsed_s -- stratified, so
 * the replications cover the conditional distribution evenly, and rotated
 * by the golden ratio for each job so that jobs are not all slow or all fast
 * together. Past every duration seen: 0. Without any: the mean's rest. */
static double remaining_time(const twin_station_info *st, double elapsed_s, int r, int reps,
                             size_t job)
{
    if (st->n_durations == 0)
        return fmax(st->process_mean_s - elapsed_s, 0);
    size_t lo = 0, hi = st->n_durations; /* first duration > elapsed_s */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (st->durations[mid] <= elapsed_s)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t longer = st->n_durations - lo;
    if (longer == 0)
        return 0;
    double u = fmod((r + 0.5) / reps + 0.6180339887498949 * (double)job, 1.0);
    size_t k = lo + (size_t)(u * (double)longer);
    return st->durations[k < st->n_durations ? k : st->n_durations - 1] - elapsed_s;
}

/* Place the mirrored state into replication r of reps; counts what fit. */
static void place_state(ft_sim *sim, const twin_mirror *m, twin_item **items, size_t n,
                        twin_forecast *f, int r, int reps)
{
    bool count = r == 0;
    const twin_model *tm = m->tm;
    ft_error err;
    for (size_t s = 0; s < tm->n_stations; s++) {
        const twin_station_live *st = &m->st[s];
        if (!st->known || st->state != TWIN_ST_FAILED)
            continue;
        double repair_s = tm->stations[s].repair_mean_s > 0 ? tm->stations[s].repair_mean_s
                                                            : fmax(m->now_s - st->since_s, 60);
        int rc = ft_sim_place_failure(sim, tm->stations[s].name, repair_s, &err);
        if (count)
            rc == 0 ? f->placed_failures++ : f->unplaced++;
    }
    for (size_t i = 0; i < n; i++) {
        const twin_item *it = items[i];
        if (!it || (it->phase != TWIN_PROCESSING && it->phase != TWIN_HELD))
            continue;
        double remaining_s = 0;
        if (it->phase == TWIN_PROCESSING)
            remaining_s = remaining_time(&tm->stations[it->where], m->now_s - it->since_s, r, reps,
                                         i);
        int rc = ft_sim_place_job(sim, tm->stations[it->where].name, tm->products[it->product],
                                  it->quantity, fmin(it->released_s, m->now_s), remaining_s, &err);
        if (count)
            rc == 0 ? f->placed_jobs++ : f->unplaced++;
    }
    for (size_t i = 0; i < n; i++) {
        const twin_item *it = items[i];
        if (!it || (it->phase != TWIN_QUEUED && it->phase != TWIN_KITTED))
            continue;
        int rc = ft_sim_place_item(sim, tm->stations[it->where].name, tm->products[it->product],
                                   it->quantity, fmin(it->released_s, m->now_s), &err);
        if (count)
            rc == 0 ? f->placed_items++ : f->unplaced++;
    }
}

int twin_forecast_run(const twin_mirror *m, const twin_forecast_options *o, twin_forecast *f,
                      ft_error *err)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const twin_model *tm = m->tm;
    int reps = o->replications > 0 ? o->replications : 100;
    memset(f, 0, sizeof *f);
    f->now_s = m->now_s;
    f->end_s = o->shift_end_s;
    f->so_far = twin_mirror_output(m);
    f->target = o->target;
    f->replications = reps;
    for (size_t s = 0; s < tm->n_stations; s++)
        f->stale_stations += twin_mirror_station_stale(m, s);
    double left_s = o->shift_end_s - m->now_s;
    if (left_s <= 0) { /* the shift is over: the output is what it is */
        f->p10 = f->p50 = f->p90 = f->mean = (double)f->so_far;
        f->p_target = o->target > 0 && (double)f->so_far >= o->target;
        return 0;
    }
    /* the items to place, queues in arrival order */
    twin_item **items = malloc((m->n_live + 1) * sizeof *items);
    double *out = malloc((size_t)reps * sizeof *out);
    uint32_t *bn = calloc(tm->n_stations + 1, sizeof *bn);
    if (!items || !out || !bn) {
        free(items), free(out), free(bn);
        return ft_fail(err, NULL, 0, 0, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < TWIN_ITEM_SLOTS && n < m->n_live; i++) {
        const twin_item *it = &m->items[i];
        if (it->id && it->phase != TWIN_GONE && it->phase != TWIN_IN_TRANSIT && it->where >= 0 &&
            it->product >= 0)
            items[n++] = (twin_item *)it;
    }
    qsort(items, n, sizeof *items, by_since);
    f->pruned = prune_ghosts(m, items, n);
    int rc = 0;
    for (int r = 0; r < reps; r++) {
        ft_run_options ro = {.has_seed = true,
                             .seed = o->seed * 1000003ull + (uint64_t)m->now_s * 7919ull + (uint64_t)r,
                             .has_warmup = true, .warmup_s = 0, .has_length = true,
                             .length_s = left_s, .start_s = m->now_s};
        ft_sim *sim = ft_sim_new(tm->model, &ro, err);
        if (!sim) {
            rc = -1;
            break;
        }
        place_state(sim, m, items, n, f, r, reps);
        if (ft_sim_run(sim, err) != 0) {
            ft_sim_free(sim);
            rc = -1;
            break;
        }
        const ft_report *rep = ft_sim_report(sim);
        uint64_t produced = 0;
        for (size_t p = 0; p < rep->n_products; p++)
            produced += rep->products[p].produced;
        out[r] = (double)(f->so_far + produced);
        f->mean += out[r] / reps;
        int b = rep->bottleneck ? twin_model_station(tm, rep->bottleneck) : -1;
        bn[b < 0 ? tm->n_stations : (size_t)b]++;
        f->p_target += o->target > 0 && out[r] >= o->target ? 1.0 / reps : 0;
        ft_sim_free(sim);
    }
    if (rc == 0) {
        qsort(out, (size_t)reps, sizeof *out, by_value);
        f->p10 = quantile(out, reps, 0.10);
        f->p50 = quantile(out, reps, 0.50);
        f->p90 = quantile(out, reps, 0.90);
        size_t best = tm->n_stations;
        for (size_t s = 0; s < tm->n_stations; s++)
            if (bn[s] > 0 && (best == tm->n_stations || bn[s] > bn[best]))
                best = s;
        f->bottleneck = best < tm->n_stations ? tm->stations[best].name : NULL;
    }
    free(items), free(out), free(bn);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    f->elapsed_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    return rc;
}

void twin_forecast_write_json(const twin_forecast *f, FILE *out)
{
    fprintf(out, "{\"forecast\":{\"now_s\":%.3f,\"shift_end_s\":%.3f,\"so_far\":%llu,"
                 "\"p10\":%.0f,\"p50\":%.0f,\"p90\":%.0f,\"mean\":%.2f,",
            f->now_s, f->end_s, (unsigned long long)f->so_far, f->p10, f->p50, f->p90, f->mean);
    if (f->target > 0)
        fprintf(out, "\"target\":%.0f,\"p_target\":%.3f,", f->target, f->p_target);
    fputs("\"bottleneck\":", out);
    if (f->bottleneck)
        fprintf(out, "\"%s\"", f->bottleneck);
    else
        fputs("null", out);
    fprintf(out, ",\"replications\":%d,\"placed\":{\"items\":%zu,\"jobs\":%zu,\"failures\":%zu,"
                 "\"refused\":%zu,\"pruned\":%zu},\"stale_stations\":%d,\"elapsed_ms\":%.2f}}\n",
            f->replications, f->placed_items, f->placed_jobs, f->placed_failures, f->unplaced,
            f->pruned,
            f->stale_stations, f->elapsed_ms);
}
