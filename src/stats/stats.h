/* stats.h -- statistics collectors the KPIs are built from.
 *
 * stats_tally:   observations (cycle times): count, mean, variance, min, max
 *                and quantiles from a log-bucketed histogram with bounded
 *                memory and a documented relative error.
 * stats_level:   a piecewise-constant level over time (WIP, buffer contents):
 *                its time average and maximum.
 * stats_bn:      the active-period bottleneck method (Roser et al., 2001),
 *                streaming, so memory stays flat however long the run.
 * stats_t_quantile: Student-t quantiles for confidence intervals.
 *
 * Every collector can be reset at a time t (warm-up deletion): what happened
 * before t is forgotten, the current level/state carries over. */
#ifndef FABTWIN_STATS_H
#define FABTWIN_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- tally -------------------------------------------------------------- */

/* Quantiles are exact to within this relative error (bucket width). */
#define STATS_QUANTILE_REL_ERR 0.001

typedef struct stats_tally stats_tally;

stats_tally *stats_tally_new(void);
void stats_tally_free(stats_tally *t);
void stats_tally_reset(stats_tally *t);
void stats_tally_add(stats_tally *t, double x); /* x >= 0 */
uint64_t stats_tally_count(const stats_tally *t);
double stats_tally_mean(const stats_tally *t);   /* 0 when empty */
double stats_tally_var(const stats_tally *t);    /* sample variance, 0 when n < 2 */
double stats_tally_min(const stats_tally *t);
double stats_tally_max(const stats_tally *t);
double stats_tally_quantile(const stats_tally *t, double q); /* q in [0,1]; 0 when empty */
/* Histogram buckets currently allocated (memory is about 8 bytes each). The
 * count never exceeds STATS_TALLY_MAX_BUCKETS: a range wider than that folds
 * its lowest buckets together, so only the low quantiles lose accuracy. */
#define STATS_TALLY_MAX_BUCKETS 32768
size_t stats_tally_buckets(const stats_tally *t);

/* ---- level (time-weighted) ---------------------------------------------- */

typedef struct stats_level {
    double t_start;   /* start of the observed period */
    double t_last;    /* time of the last change */
    double level;     /* current level */
    double area;      /* integral of level over [t_start, t_last] */
    double max;       /* max level seen since t_start */
} stats_level;

void stats_level_init(stats_level *l, double t, double level);
void stats_level_set(stats_level *l, double t, double level);
void stats_level_add(stats_level *l, double t, double delta);
void stats_level_reset(stats_level *l, double t);
double stats_level_mean(const stats_level *l, double t_now);

/* ---- bottleneck detection (active-period method) ------------------------ */

/* A machine is active while working, in setup, failed or in maintenance;
 * inactive while starved, blocked or off shift. At each instant the machine
 * whose current active period is longest is the bottleneck; where the
 * active periods of the outgoing and incoming bottleneck overlap, both are
 * shifting bottlenecks for that overlap, otherwise the bottleneck is sole. */
typedef struct stats_bn stats_bn;

stats_bn *stats_bn_new(size_t n_machines, double t0);
void stats_bn_free(stats_bn *b);
/* Report a machine's activity from time t on (repeated calls with the same
 * value are ignored). Times must not decrease. */
void stats_bn_set_active(stats_bn *b, size_t machine, bool active, double t);
/* Forget everything before t (warm-up deletion); periods in progress at t
 * keep their full length but only time after t is credited. */
void stats_bn_reset(stats_bn *b, double t);
/* Close the analysis at t_end (open periods end there) and fill, per
 * machine, the time it was sole and shifting bottleneck within
 * [reset time, t_end]. Can be called again later with a larger t_end
 * (the analysis continues). Arrays have n_machines entries. */
void stats_bn_result(stats_bn *b, double t_end, double *sole_s, double *shifting_s);
/* Closed active periods still held because the analysis cannot yet decide
 * the instants they cover (for tests of the memory bound). */
size_t stats_bn_pending_periods(const stats_bn *b);

/* ---- confidence intervals ----------------------------------------------- */

/* MSER-5 warm-up truncation of the series y[0..n): the number of leading
 * observations to delete (a multiple of 5, at most about n/2). *at_limit
 * is set when the minimum sits at the end of the searched half: the series
 * is too short to show steady state. */
size_t stats_mser5(const double *y, size_t n, bool *at_limit);

/* The p-quantile of Student's t distribution with df degrees of freedom
 * (df >= 1, 0 < p < 1), accurate to 1e-10. */
double stats_t_quantile(double p, double df);
/* Half-width of the level-confidence interval for the mean of n samples
 * with sample standard deviation sd (n >= 2). */
double stats_ci_halfwidth(double sd, size_t n, double level);

#endif
