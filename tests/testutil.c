/* testutil.c -- see testutil.h. */
#include <math.h>
#include <stdio.h>

#include "stats/stats.h"
#include "testutil.h"

ft_ci ft_ci_of(const double *x, size_t n, double level)
{
    ft_ci ci = {0, INFINITY, n};
    double sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    ci.mean = n ? sum / (double)n : 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - ci.mean) * (x[i] - ci.mean);
    if (n >= 2)
        ci.halfwidth = stats_ci_halfwidth(sqrt(ss / (double)(n - 1)), n, level);
    return ci;
}

bool ft_ci_contains(const char *what, ft_ci ci, double expected, double rel_slack)
{
    double slack = rel_slack * fabs(expected);
    bool ok = fabs(ci.mean - expected) <= ci.halfwidth + slack;
    printf("%-40s expected %.6g, got %.6g +- %.3g (n=%zu)%s\n", what, expected, ci.mean,
           ci.halfwidth, ci.n, ok ? "" : "  <-- OUTSIDE");
    return ok;
}
