/* test_exp_coverage.c -- the confidence intervals of an experiment mean
 * what they say: over 1,000 independent experiments of 10 replications on
 * an M/M/1 queue, the 95 % interval for the mean time in system contains
 * the closed-form value W = 1 / (mu - lambda) in 93-97 % of them.
 *
 * Why 1,000: the count of covering intervals is binomial(1000, 0.95), with
 * a standard deviation of 0.69 points, so the 93-97 % band is +-2.9 standard
 * deviations: a correct implementation passes, while intervals that are 15 %
 * too narrow (coverage ~91.5 %) or use z instead of t (~92 %) fail. The
 * seeds are fixed, so the outcome is the same on every run.
 *
 * Each replication has a 100 s warm-up and 5,000 s (about 2,500 customers)
 * measured: at rho = 0.5 the relaxation time is about 1/(mu (1 - sqrt rho)^2)
 * = 12 s, so the initial-state bias is negligible and the replication means
 * are close to normal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "experiment/exp_run.h"

#define MODEL FT_SOURCE_DIR "/tests/models/mm1-light.yaml"
#define EXPERIMENTS 1000
#define REPS 10

static void test_ci_for_mean_time_in_system_covers_theory_95_percent(void **state)
{
    const double lambda = 0.5, mu = 1.0, w = 1 / (mu - lambda);
    int covered = 0;
    ft_error err = {0};
    for (int e = 0; e < EXPERIMENTS; e++) {
        exp_spec s;
        exp_spec_init(&s);
        s.model_path = strdup(MODEL);
        s.reps_min = s.reps_max = REPS;
        s.has_seed = true;
        s.seed = 1000003ULL * (uint64_t)(e + 1);
        exp_plan p;
        if (exp_plan_build(&p, &s, &err))
            fail_msg("%s", err.msg);
        int k = exp_kpi_find(&p.kpis, "product.customer.cycle_mean_s");
        assert_true(k >= 0);
        exp_exec *x = exp_pool_new(&p, 2, &err);
        exp_run_options o = {.exec = x};
        exp_results r;
        if (!x || exp_run(&p, &o, &r, &err))
            fail_msg("%s", err.msg);
        exp_stat st = exp_stat_of(r.reps[0], r.n_reps[0], k, 0.95);
        covered += fabs(st.mean - w) <= st.half_width;
        x->close(x);
        exp_results_free(&r);
        exp_plan_free(&p);
        exp_spec_free(&s);
    }
    double share = (double)covered / EXPERIMENTS;
    printf("  seeds 1000003 x 1..%d (each experiment's base seed)\n", EXPERIMENTS);
    printf("95%% intervals containing W = %.1f s: %d of %d (%.1f%%)\n", w, covered, EXPERIMENTS,
           100 * share);
    assert_true(share >= 0.93 && share <= 0.97);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ci_for_mean_time_in_system_covers_theory_95_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
