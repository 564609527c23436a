/* test_experiment.c -- experiments through the C API: factors and ranges
 * are read as documented, every bad input is refused before a replication
 * runs, results do not depend on the number of threads, the sequential mode
 * stops at the first replication that meets its target, and common random
 * numbers give a tighter interval for a difference than independent runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiment/exp_run.h"
#include "experiment/exp_summary.h"

#define ELEVATOR FT_SOURCE_DIR "/models/elevator-line.yaml"
#define UNBALANCED FT_SOURCE_DIR "/models/elevator-line-unbalanced.yaml"

static void spec_for(exp_spec *s, const char *model, int reps)
{
    exp_spec_init(s);
    s->model_path = strdup(model);
    s->reps_min = s->reps_max = reps;
    s->has_length = true;
    s->length_s = 8 * 3600;
}

static void vary(exp_spec *s, const char *text)
{
    ft_error err = {0};
    if (exp_spec_add_vary(s, text, "--vary", &err))
        fail_msg("%s: %s", text, err.msg);
}

static void expect_vary_error(const char *text, const char *needle)
{
    exp_spec s;
    exp_spec_init(&s);
    ft_error err = {0};
    if (exp_spec_add_vary(&s, text, "--vary", &err) == 0)
        fail_msg("'%s' was accepted", text);
    if (!strstr(err.msg, needle))
        fail_msg("'%s': message '%s' lacks '%s'", text, err.msg, needle);
    exp_spec_free(&s);
}

static void test_vary_reads_lists_and_ranges(void **state)
{
    exp_spec s;
    exp_spec_init(&s);
    vary(&s, "stations.a.servers=1, 2,3");
    vary(&s, "buffers.b.capacity=2..10:2");
    vary(&s, "products.p.routing.a.time=90s..120s:15s");
    vary(&s, "products.p.routing.b.time=tri(1s, 2s, 3s),exp(2s)");
    assert_int_equal(s.n_factors, 4);
    const char *const want[4][5] = {{"1", "2", "3"},
                                    {"2", "4", "6", "8", "10"},
                                    {"90s", "105s", "120s"},
                                    {"tri(1s, 2s, 3s)", "exp(2s)"}};
    const size_t n[4] = {3, 5, 3, 2};
    for (size_t f = 0; f < 4; f++) {
        assert_int_equal(s.factors[f].n_values, n[f]);
        for (size_t i = 0; i < n[f]; i++)
            assert_string_equal(s.factors[f].values[i], want[f][i]);
    }
    exp_spec_free(&s);
}

static void test_vary_refuses_bad_ranges(void **state)
{
    expect_vary_error("buffers.b.capacity=10..2", "empty");
    expect_vary_error("buffers.b.capacity=2..10:0", "step");
    expect_vary_error("buffers.b.capacity=2..10:-1", "step");
    expect_vary_error("time=90s..2min:10s", "same unit");
    expect_vary_error("buffers.b.capacity", "PATH=VALUES");
    expect_vary_error("buffers.b.capacity=1,,2", "empty value");
    expect_vary_error("buffers.b.capacity=1..1000000", "limit");
}

/* exp_plan_build must fail, with `needle` in the message. */
static void expect_plan_error(exp_spec *s, const char *needle)
{
    exp_plan p;
    ft_error err = {0};
    if (exp_plan_build(&p, s, &err) == 0)
        fail_msg("the plan was accepted");
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
    exp_plan_free(&p);
    exp_spec_free(s);
}

static void test_bad_parameters_fail_when_the_plan_is_built(void **state)
{
    exp_spec s;
    spec_for(&s, ELEVATOR, 2);
    vary(&s, "stations.焊接.servers=1,2");
    expect_plan_error(&s, "no entry named '焊接'");
    spec_for(&s, ELEVATOR, 2);
    vary(&s, "stations.轿厢焊接.servers=1,2.5");
    expect_plan_error(&s, "whole number");
    spec_for(&s, ELEVATOR, 2);
    vary(&s, "buffers.喷涂前缓存.capacity=2min");
    expect_plan_error(&s, "capacity");
    spec_for(&s, ELEVATOR, 2);
    s.goal_kpi = strdup("plant.throughput");
    expect_plan_error(&s, "no KPI named");
}

/* Run a plan on `threads` threads, return its summary. */
static char *summary_with(const exp_spec *s, int threads)
{
    exp_plan p;
    ft_error err = {0};
    if (exp_plan_build(&p, s, &err))
        fail_msg("%s", err.msg);
    exp_exec *x = exp_pool_new(&p, threads, &err);
    exp_run_options o = {.exec = x};
    exp_results r;
    if (!x || exp_run(&p, &o, &r, &err))
        fail_msg("%s", err.msg);
    char *json = exp_summary_json(&p, &r);
    x->close(x);
    exp_results_free(&r);
    exp_plan_free(&p);
    return json;
}

static void test_results_do_not_depend_on_threads(void **state)
{
    exp_spec s;
    spec_for(&s, ELEVATOR, 5);
    vary(&s, "buffers.喷涂前缓存.capacity=1..3");
    char *one = summary_with(&s, 1), *two = summary_with(&s, 2), *three = summary_with(&s, 3);
    assert_string_equal(one, two);
    assert_string_equal(one, three);
    free(one);
    free(two);
    free(three);
    exp_spec_free(&s);
}

/* The sequential rule: the number of replications is the first n >= min at
 * which the half-width is within the target; recompute it from a fixed run
 * of the same seeds (replication r's seed does not depend on the mode). */
static void test_sequential_mode_stops_at_the_first_replication_meeting_the_target(void **state)
{
    exp_spec s;
    spec_for(&s, UNBALANCED, 40);
    s.goal_kpi = strdup("product.电梯.cycle_mean_s");
    exp_plan p;
    ft_error err = {0};
    assert_int_equal(exp_plan_build(&p, &s, &err), 0);
    exp_exec *x = exp_pool_new(&p, 2, &err);
    exp_run_options o = {.exec = x};
    exp_results fixed;
    assert_int_equal(exp_run(&p, &o, &fixed, &err), 0);
    x->close(x);
    /* the target: the precision 25 replications reach, so that it is met
     * somewhere in 5..25 */
    exp_stat at25 = exp_stat_of(fixed.reps[0], 25, p.goal_kpi, 0.95);
    const double target = at25.half_width / fabs(at25.mean);
    int expect = -1;
    for (int n = 5; n <= 40 && expect < 0; n++) {
        exp_stat st = exp_stat_of(fixed.reps[0], n, p.goal_kpi, 0.95);
        if (st.half_width <= target * fabs(st.mean))
            expect = n;
    }
    printf("target %.2f%% first met at %d replications\n", 100 * target, expect);
    assert_in_range(expect, 5, 25);
    exp_results_free(&fixed);
    exp_plan_free(&p);

    s.reps_min = 5;
    s.reps_max = 40;
    s.target_rel_hw = target;
    for (int threads = 1; threads <= 3; threads++) {
        assert_int_equal(exp_plan_build(&p, &s, &err), 0);
        x = exp_pool_new(&p, threads, &err);
        o.exec = x;
        exp_results seq;
        assert_int_equal(exp_run(&p, &o, &seq, &err), 0);
        assert_int_equal(seq.n_reps[0], expect);
        x->close(x);
        exp_results_free(&seq);
        exp_plan_free(&p);
    }
    exp_spec_free(&s);
}

/* Half-width of the difference of the cycle time between test-station times
 * 132 s and 130 s on the unbalanced line, with or without CRN. */
static double difference_half_width(bool crn, double *scenario_hw)
{
    exp_spec s;
    spec_for(&s, UNBALANCED, 20);
    s.crn = crn;
    s.goal_kpi = strdup("product.电梯.cycle_mean_s");
    vary(&s, "products.电梯.routing.整机调试.time=lognormal(132s, 0.05),lognormal(130s, 0.05)");
    exp_plan p;
    ft_error err = {0};
    assert_int_equal(exp_plan_build(&p, &s, &err), 0);
    exp_exec *x = exp_pool_new(&p, 2, &err);
    exp_run_options o = {.exec = x};
    exp_results r;
    assert_int_equal(exp_run(&p, &o, &r, &err), 0);
    x->close(x);
    exp_stat d = exp_summary_compare(&p, &r, 1, p.goal_kpi);
    *scenario_hw = exp_stat_of(r.reps[0], r.n_reps[0], p.goal_kpi, 0.95).half_width;
    exp_results_free(&r);
    exp_plan_free(&p);
    exp_spec_free(&s);
    return d.half_width;
}

static void test_common_random_numbers_tighten_the_difference(void **state)
{
    double hw_scen_crn, hw_scen_ind;
    double with = difference_half_width(true, &hw_scen_crn);
    double without = difference_half_width(false, &hw_scen_ind);
    printf("cycle-time difference half-width: CRN %.2f s, independent %.2f s; "
           "one scenario %.2f s\n", with, without, hw_scen_crn);
    assert_true(with < without);
    assert_true(with < hw_scen_crn); /* tighter than the scenarios themselves */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vary_reads_lists_and_ranges),
        cmocka_unit_test(test_vary_refuses_bad_ranges),
        cmocka_unit_test(test_bad_parameters_fail_when_the_plan_is_built),
        cmocka_unit_test(test_results_do_not_depend_on_threads),
        cmocka_unit_test(test_sequential_mode_stops_at_the_first_replication_meeting_the_target),
        cmocka_unit_test(test_common_random_numbers_tighten_the_difference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
