/* exp_stat.h -- interval estimates over replications (exp_stat.c). */
#ifndef FABTWIN_EXP_STAT_H
#define FABTWIN_EXP_STAT_H

#include "experiment/exp_result.h"

/* Mean, sample standard deviation and the half-width of the level
 * Student-t interval; sd and half_width are NAN when n < 2, everything NAN
 * when n == 0. For a difference, sd is the standard deviation of the
 * differences (paired) or the standard error of the difference (Welch). */
typedef struct exp_stat {
    double mean, sd, half_width;
    int n;
} exp_stat;

/* KPI k over reps[0..n). */
exp_stat exp_stat_of(const exp_rep *reps, int n, int k, double level);
/* b - a of KPI k, pairing replication r of a with replication r of b. */
exp_stat exp_stat_paired(const exp_rep *a, int na, const exp_rep *b, int nb, int k,
                         double level);
/* b - a from two independent samples' statistics (Welch-Satterthwaite). */
exp_stat exp_stat_welch(exp_stat a, exp_stat b, double level);

#endif
