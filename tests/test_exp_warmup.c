/* test_exp_warmup.c -- `fabtwin experiment --warmup mser5` through the
 * experiment layer, as the command runs it (exp_plan_build,
 * exp_plan_choose_warmup, exp_run), on a model whose initial transient
 * theory gives exactly: tests/models/mm1-backlog.yaml, an M/M/1 with
 * lambda = 0.5/min and mu = 1/min (rho = 0.5, L = rho/(1 - rho) = 1 job in
 * the system) that starts with N0 = 50 jobs at time 0.
 *
 * The expected excess WIP of a start in state n over the stationary one,
 * integrated over all time, is g(n) - pi(g) where g solves the Poisson
 * equation of the birth-death chain, G g = -(n - L). For the M/M/1 the
 * quadratic g(n) = c n^2 + d n does it, with c = 1/(2(mu - lambda)) and
 * d = (c(lambda + mu) - L)/(mu - lambda) (matching the n^1 and n^0 terms;
 * the boundary n = 0 holds too, lambda (c + d) = L). Under the geometric
 * stationary law E[N] = rho/(1-rho), E[N^2] = rho(1+rho)/(1-rho)^2. Here
 * c = 1, d = 1 min: the backlog adds g(50) - pi(g) = 2550 - 4 = 2546
 * job-minutes, so the mean WIP of a 4000-min run kept whole is
 * 1 + 2546/4000 = 1.6365, not 1. (The tail beyond 4000 min is
 * exponentially small.) The backlog drains in N0/(mu - lambda) = 100 min
 * on average, with a standard deviation of sqrt(N0 (lambda + mu) /
 * (mu - lambda)^3) = 24.5 min. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/exp_run.h"
#include "experiment/exp_stat.h"
#include "experiment/exp_summary.h"
#include "testutil.h"

#define MODEL FT_SOURCE_DIR "/tests/models/mm1-backlog.yaml"
#define REPS 20

static const double lambda = 0.5, mu = 1.0, n0 = 50, length_min = 4000;

/* The integrated excess WIP of a start with n jobs (job-minutes), above. */
static double excess_job_min(double n)
{
    double rho = lambda / mu, l = rho / (1 - rho);
    double c = 1 / (2 * (mu - lambda)), d = (c * (lambda + mu) - l) / (mu - lambda);
    double en = rho / (1 - rho), en2 = rho * (1 + rho) / ((1 - rho) * (1 - rho));
    return c * n * n + d * n - (c * en2 + d * en);
}

static void spec_for(exp_spec *s, exp_warmup_method warmup)
{
    exp_spec_init(s);
    s->model_path = strdup(MODEL);
    s->reps_min = s->reps_max = REPS;
    s->warmup = warmup;
    s->warmup_s = 0;
}

/* Build the plan of s, let it choose its warm-up, run it: the interval of
 * the mean WIP. p is left built (free it); *summary, when asked for, is
 * the experiment's JSON summary (free it). */
static ft_ci run_wip(const exp_spec *s, exp_plan *p, char **summary)
{
    ft_error err = {0};
    if (exp_plan_build(p, s, &err) || exp_plan_choose_warmup(p, &err))
        fail_msg("%s", err.msg);
    printf("  seed %llu (the model's; pilots and replications derive theirs from it)\n",
           (unsigned long long)p->seed);
    exp_exec *x = exp_pool_new(p, 2, &err);
    exp_run_options o = {.exec = x};
    exp_results r;
    if (!x || exp_run(p, &o, &r, &err))
        fail_msg("%s", err.msg);
    int k = exp_kpi_find(&p->kpis, "plant.wip_mean");
    assert_true(k >= 0);
    exp_stat st = exp_stat_of(r.reps[0], r.n_reps[0], k, 0.95);
    if (summary)
        *summary = exp_summary_json(p, &r);
    x->close(x);
    exp_results_free(&r);
    return (ft_ci){st.mean, st.half_width, (size_t)st.n};
}

/* Kept whole, the run's mean WIP carries the backlog: its interval holds
 * 1 + 2546/4000 and lies above the steady-state 1. */
static void test_without_a_cut_the_mean_carries_the_backlog(void **state)
{
    (void)state;
    exp_spec s;
    exp_plan p;
    spec_for(&s, EXP_WARMUP_FIXED);
    ft_ci ci = run_wip(&s, &p, NULL);
    assert_float_equal(p.warmup_s, 0, 0);
    double biased = 1 + excess_job_min(n0) / length_min;
    assert_float_equal(biased, 1.6365, 1e-12);
    assert_true(ft_ci_contains("mean WIP over [0, 4000 min]", ci, biased, 0));
    assert_true(ci.mean - ci.halfwidth > 1);
    exp_plan_free(&p);
    exp_spec_free(&s);
}

/* MSER-5 cuts the transient: the warm-up it chooses is past the backlog
 * (which needs 100 min on average; the mean of 5 pilots is within two of
 * its standard deviations, 2 x 24.5/sqrt(5) = 22 min, so past 78 min), well
 * inside the searched half of the run, and a whole number of its batches;
 * what remains has the steady-state mean rho/(1 - rho) = 1. */
static void test_mser5_cut_leaves_the_steady_state_mean(void **state)
{
    (void)state;
    exp_spec s;
    exp_plan p;
    spec_for(&s, EXP_WARMUP_MSER5);
    char *summary;
    ft_ci ci = run_wip(&s, &p, &summary);
    double batch_s = 5 * length_min * 60 / 500; /* 500 intervals, batches of 5 */
    printf("  MSER-5: warm-up %.0f s (%zu batches of %.0f s, %d pilots)%s\n", p.warmup_s,
           p.mser.batches, p.mser.batch_s, p.mser.pilots, p.mser.at_limit ? ", at the limit" : "");
    assert_int_equal(p.mser.pilots, 5);
    assert_float_equal(p.mser.batch_s, batch_s, 1e-9);
    assert_float_equal(p.warmup_s, (double)p.mser.batches * batch_s, 1e-9);
    assert_true(p.warmup_s >= (n0 / (mu - lambda) - 2 * sqrt(n0 * (lambda + mu) /
                                                               pow(mu - lambda, 3)) / sqrt(5)) * 60);
    assert_true(p.warmup_s < length_min * 60 / 2);
    assert_false(p.mser.at_limit);
    assert_true(ft_ci_contains("mean WIP after the MSER-5 cut", ci, 1.0, 0));

    /* the summary says what was chosen (docs/experiment-json.md) */
    json_t *doc = json_loads(summary, 0, NULL), *w = json_object_get(doc, "warmup");
    json_t *mser = json_object_get(w, "mser");
    assert_non_null(mser);
    assert_string_equal(json_string_value(json_object_get(w, "method")), "mser5");
    assert_float_equal(json_number_value(json_object_get(w, "seconds")), p.warmup_s, 1e-9);
    assert_int_equal(json_integer_value(json_object_get(mser, "batches")), p.mser.batches);
    assert_true(json_is_false(json_object_get(mser, "at_limit")));
    json_decref(doc);
    free(summary);
    exp_plan_free(&p);
    exp_spec_free(&s);
}

/* MSER-5 needs a run length to cut: a model without one, and no --length,
 * is refused with a message before any pilot runs. */
static void test_mser5_without_a_length_is_refused(void **state)
{
    (void)state;
    exp_spec s;
    exp_plan p;
    exp_spec_init(&s);
    s.model_path = strdup(FT_SOURCE_DIR "/tests/models/plan-model.yaml"); /* no run: section */
    s.warmup = EXP_WARMUP_MSER5;
    ft_error err = {0};
    int rc = exp_plan_build(&p, &s, &err);
    if (rc == 0)
        rc = exp_plan_choose_warmup(&p, &err);
    assert_int_not_equal(rc, 0);
    printf("  -> %s\n", err.msg);
    assert_non_null(strstr(err.msg, "run length"));
    exp_plan_free(&p);
    exp_spec_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_without_a_cut_the_mean_carries_the_backlog),
        cmocka_unit_test(test_mser5_cut_leaves_the_steady_state_mean),
        cmocka_unit_test(test_mser5_without_a_length_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
