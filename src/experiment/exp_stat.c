/* exp_stat.c -- interval estimates over replications: one scenario's mean
 * with its Student-t interval, and the difference of two scenarios, paired
 * (common random numbers) or by Welch's method (independent samples).
 *
 * Replications are independent and identically distributed by construction
 * (independent seeds), so the t interval on their means is the textbook one;
 * with common random numbers, replication r of two scenarios is a matched
 * pair and the interval is on the r-wise differences, whose variance is
 * smaller by twice the covariance the shared random numbers induce. */
#include <math.h>

#include "experiment/exp_stat.h"
#include "stats/stats.h"

/* The statistics of x(0..n) where x(i) = b[i].values[k] - (a ? a[i].values[k] : 0),
 * by Welford's update (no cancellation for KPIs with a large mean). */
static exp_stat of_reps(const exp_rep *a, const exp_rep *b, int n, int k, double level)
{
    exp_stat s = {.mean = NAN, .sd = NAN, .half_width = NAN, .n = n};
    if (n <= 0 || k < 0)
        return s;
    double mean = 0, m2 = 0;
    for (int i = 0; i < n; i++) {
        double x = b[i].values[k] - (a ? a[i].values[k] : 0), d = x - mean;
        mean += d / (i + 1);
        m2 += d * (x - mean);
    }
    s.mean = mean;
    if (n >= 2) {
        s.sd = sqrt(m2 / (n - 1));
        s.half_width = stats_ci_halfwidth(s.sd, (size_t)n, level);
    }
    return s;
}

exp_stat exp_stat_of(const exp_rep *reps, int n, int k, double level)
{
    return of_reps(NULL, reps, n, k, level);
}

exp_stat exp_stat_paired(const exp_rep *a, int na, const exp_rep *b, int nb, int k, double level)
{
    return of_reps(a, b, na < nb ? na : nb, k, level);
}

exp_stat exp_stat_welch(exp_stat a, exp_stat b, double level)
{
    exp_stat s = {.mean = b.mean - a.mean, .sd = NAN, .half_width = NAN, .n = a.n + b.n};
    if (a.n < 2 || b.n < 2)
        return s;
    double va = a.sd * a.sd / a.n, vb = b.sd * b.sd / b.n, se2 = va + vb;
    s.sd = sqrt(se2);
    if (se2 == 0) {
        s.half_width = 0;
        return s;
    }
    double df = se2 * se2 / (va * va / (a.n - 1) + vb * vb / (b.n - 1));
    s.half_width = stats_t_quantile(0.5 + level / 2, df) * s.sd;
    return s;
}
