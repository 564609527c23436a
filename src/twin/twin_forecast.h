/* twin_forecast.h -- the end-of-shift forecast: N replications of the model
 * started from the mirrored state (the plant's clock, its WIP, its jobs in
 * process and its failures) to the shift end, summarised as quantiles of the
 * shift's output, the probability of meeting a target and the bottleneck. */
#ifndef TWIN_FORECAST_H
#define TWIN_FORECAST_H

#include <stdio.h>

#include "twin_mirror.h"

typedef struct twin_forecast_options {
    int replications;          /* default 100 */
    uint64_t seed;             /* forecasts at different times use different streams */
    double shift_end_s;        /* plant time */
    double target;             /* shift output target; <= 0: none */
} twin_forecast_options;

typedef struct twin_forecast {
    double now_s, end_s;
    uint64_t so_far;           /* output counted by the mirror so far */
    double p10, p50, p90, mean;/* shift output: so_far + the replication's output */
    double target, p_target;   /* share of replications reaching the target */
    const char *bottleneck;    /* most frequent sole bottleneck, or NULL */
    int replications;
    size_t placed_items, placed_jobs, placed_failures, unplaced;
    size_t pruned;             /* mirrored items judged ghosts (see twin_forecast.c) */
    int stale_stations;
    double elapsed_ms;
} twin_forecast;

int twin_forecast_run(const twin_mirror *m, const twin_forecast_options *o, twin_forecast *f,
                      ft_error *err);
void twin_forecast_write_json(const twin_forecast *f, FILE *out);

#endif
