/* stats_mser.c -- MSER-5, the warm-up truncation rule of White (1997) in
 * the batched form of White, Cobb and Spratt (2000).
 *
 * The output series is cut into batches of 5 and their means Z_1..Z_m;
 * deleting the first d batches leaves the statistic
 *     MSER(d) = sum_{j>d} (Z_j - mean_{j>d} Z)^2 / (m - d)^2,
 * an estimate of the squared standard error of the truncated mean that
 * grows when initial bias is kept (the deviations) or when too much data is
 * thrown away (the divisor). The truncation is the d that minimises it,
 * searched over the first half of the series only: a minimum beyond that is
 * the known sign of a run too short to show steady state, which the caller
 * should report. Suffix sums make the whole search O(m). */
#include "stats.h"

size_t stats_mser5(const double *y, size_t n, bool *at_limit)
{
    size_t m = n / 5;
    *at_limit = false;
    if (m < 2)
        return 0;
    /* suffix sums of Z and Z^2, from the end */
    double sum = 0, sum2 = 0, best = 0;
    size_t best_d = 0, limit = m / 2;
    bool first = true;
    for (size_t d = m; d-- > 0;) {
        double z = (y[5 * d] + y[5 * d + 1] + y[5 * d + 2] + y[5 * d + 3] + y[5 * d + 4]) / 5;
        sum += z;
        sum2 += z * z;
        if (d > limit)
            continue;
        double k = (double)(m - d);
        double ss = sum2 - sum * sum / k; /* sum of squared deviations */
        if (ss < 0)
            ss = 0;
        double v = ss / (k * k);
        if (first || v <= best) { /* ties go to the smaller d: keep more data */
            best = v;
            best_d = d;
            first = false;
        }
    }
    *at_limit = best_d == limit;
    return best_d * 5;
}
