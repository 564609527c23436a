/* test_stats_tally.c -- observation statistics: moments, nearest-rank
 * quantiles within the sketch's relative error, zeros, reset, and the
 * memory bound of the histogram. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "stats/stats.h"

#define A STATS_QUANTILE_REL_ERR
/* The bucket estimate is within A of the true value; rounding in log()
 * near a bucket edge may add a few ulps on top. */
#define REL_TOL (A * (1 + 1e-9))

static uint64_t rng_next(uint64_t *s) /* xorshift64* (Vigna 2016) */
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static double rng_uniform(uint64_t *s) /* in (0, 1) */
{
    return ((double)(rng_next(s) >> 11) + 0.5) * 0x1p-53;
}

/* {2,4,4,4,5,5,7,9}: mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 =
 * 32; sample variance 32/7. Shifted by 1e9 the variance must not change
 * (a sum-of-squares formula would lose it to cancellation). */
static void test_tally_mean_and_variance_of_small_set(void **state)
{
    (void)state;
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    for (int shifted = 0; shifted < 2; shifted++) {
        double off = shifted ? 1e9 : 0;
        stats_tally *t = stats_tally_new();
        for (size_t i = 0; i < 8; i++)
            stats_tally_add(t, x[i] + off);
        assert_int_equal(stats_tally_count(t), 8);
        assert_float_equal(stats_tally_mean(t), 5 + off, 1e-12 * (1 + off));
        assert_float_equal(stats_tally_var(t), 32.0 / 7, 1e-6);
        assert_float_equal(stats_tally_min(t), 2 + off, 0);
        assert_float_equal(stats_tally_max(t), 9 + off, 0);
        stats_tally_free(t);
    }
}

static void assert_rel(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol * fabs(want)))
        printf("  got %.10g, want %.10g (rel err %.3g > %.3g)\n", got, want,
               fabs(got - want) / fabs(want), tol);
    assert_true(fabs(got - want) <= tol * fabs(want));
}

/* 1..1000 (added in a scrambled order): the nearest-rank q-quantile is the
 * ceil(1000 q)-th smallest, i.e. the value ceil(1000 q). For every rank k,
 * q = k/1000 and q = (k - 1/2)/1000 must both give k within the relative
 * error; a floor-based rank would be off by one (relative error 1/k,
 * more than A for all k < 1000). q = 0 and 1 are min and max, exactly. */
static void test_tally_quantiles_of_1_to_1000_use_nearest_rank(void **state)
{
    (void)state;
    stats_tally *t = stats_tally_new();
    for (unsigned i = 0; i < 1000; i++)
        stats_tally_add(t, (double)((i * 337u) % 1000u + 1u)); /* 337 is coprime to 1000 */
    for (unsigned k = 1; k <= 1000; k++) {
        assert_rel(stats_tally_quantile(t, k / 1000.0), k, REL_TOL);
        assert_rel(stats_tally_quantile(t, (k - 0.5) / 1000.0), k, REL_TOL);
    }
    assert_float_equal(stats_tally_quantile(t, 0), 1, 0);
    assert_float_equal(stats_tally_quantile(t, 1), 1000, 0);
    stats_tally_free(t);

    /* 0.07 * 100 is 7.000000000000001 in binary; it is still rank 7. */
    t = stats_tally_new();
    for (int i = 1; i <= 100; i++)
        stats_tally_add(t, i);
    assert_rel(stats_tally_quantile(t, 0.07), 7, REL_TOL);
    stats_tally_free(t);
}

/* 1e6 exponential draws with mean 2.5: the q-quantile is -2.5 ln(1 - q).
 * The sample quantile has standard deviation sqrt(q(1-q)/n) / f(x_q) with
 * f(x_q) = (1-q)/2.5, i.e. 2.5 sqrt(q / ((1-q) n)); allow the sketch's
 * error A x_q plus 5 such deviations. Mean and variance likewise: sd of
 * the mean 2.5/sqrt(n), of the variance 2.5^2 sqrt(8/n) (mu4 = 9 mu^4). */
static void test_tally_exponential_quantiles_match_closed_form(void **state)
{
    (void)state;
    const double mu = 2.5, n = 1e6;
    stats_tally *t = stats_tally_new();
    uint64_t seed = 0x2545F4914F6CDD1DULL;
    printf("  seed %#llx\n", (unsigned long long)seed);
    for (long i = 0; i < (long)n; i++)
        stats_tally_add(t, -mu * log(rng_uniform(&seed)));
    const double qs[] = {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double q = qs[i], want = -mu * log1p(-q);
        double tol = A * want + 5 * mu * sqrt(q / ((1 - q) * n));
        double got = stats_tally_quantile(t, q);
        printf("  q=%-6g got %.6f want %.6f (tol %.2g)\n", q, got, want, tol);
        assert_true(fabs(got - want) <= tol);
    }
    assert_true(fabs(stats_tally_mean(t) - mu) <= 5 * mu / sqrt(n));
    assert_true(fabs(stats_tally_var(t) - mu * mu) <= 5 * mu * mu * sqrt(8 / n));
    stats_tally_free(t);
}

/* Exact zeros have their own bucket: all-zero data answers 0 everywhere;
 * mixed with 1..70, ranks 1..30 are zeros and rank 31 is 1. */
static void test_tally_zeros_are_exact(void **state)
{
    (void)state;
    stats_tally *t = stats_tally_new();
    for (int i = 0; i < 100; i++)
        stats_tally_add(t, 0);
    assert_float_equal(stats_tally_mean(t), 0, 0);
    assert_float_equal(stats_tally_var(t), 0, 0);
    assert_float_equal(stats_tally_max(t), 0, 0);
    assert_float_equal(stats_tally_quantile(t, 0.5), 0, 0);
    assert_float_equal(stats_tally_quantile(t, 1), 0, 0);

    stats_tally_reset(t);
    for (int i = 0; i < 30; i++)
        stats_tally_add(t, 0);
    for (int i = 1; i <= 70; i++)
        stats_tally_add(t, i);
    assert_float_equal(stats_tally_quantile(t, 0.30), 0, 0);
    assert_rel(stats_tally_quantile(t, 0.31), 1, REL_TOL);
    assert_rel(stats_tally_quantile(t, 0.65), 35, REL_TOL);
    stats_tally_free(t);
}

/* Identical values: every quantile is that value exactly (the estimate is
 * clamped into [min, max]). */
static void test_tally_constant_values_give_exact_quantiles(void **state)
{
    (void)state;
    stats_tally *t = stats_tally_new();
    for (int i = 0; i < 10; i++)
        stats_tally_add(t, 5.3);
    assert_float_equal(stats_tally_quantile(t, 0.5), 5.3, 0);
    stats_tally_free(t);
}

/* After a reset only what follows counts: {1, 2, 3} -> n 3, mean 2,
 * variance ((1-2)^2 + 0 + (3-2)^2)/2 = 1, median 2, min 1, max 3; and an
 * empty tally answers 0. */
static void test_tally_reset_forgets_everything(void **state)
{
    (void)state;
    stats_tally *t = stats_tally_new();
    for (int i = 0; i < 1000; i++)
        stats_tally_add(t, 1e6 + i);
    stats_tally_add(t, 0);
    stats_tally_reset(t);
    assert_int_equal(stats_tally_count(t), 0);
    assert_float_equal(stats_tally_mean(t), 0, 0);
    assert_float_equal(stats_tally_quantile(t, 0.5), 0, 0);
    stats_tally_add(t, 3);
    stats_tally_add(t, 1);
    stats_tally_add(t, 2);
    assert_int_equal(stats_tally_count(t), 3);
    assert_float_equal(stats_tally_mean(t), 2, 1e-15);
    assert_float_equal(stats_tally_var(t), 1, 1e-15);
    assert_float_equal(stats_tally_min(t), 1, 0);
    assert_float_equal(stats_tally_max(t), 3, 0);
    assert_rel(stats_tally_quantile(t, 0.5), 2, REL_TOL);
    stats_tally_free(t);
}

/* 1e7 values spread log-uniformly over 1e-6 .. 1e9: the range needs
 * ln(1e15)/ln((1+A)/(1-A)) = 34.54/0.002 = 17 270 buckets, so with the
 * growth slack the count must stay under 30 000 -- independent of n. The
 * median is 10^1.5; its sampling sd is sqrt(0.25/n)/f with the density
 * f = 1/(x ln 1e15) at x = 31.6, i.e. 0.17; allow A x + 5 sd. */
static void test_tally_memory_is_bounded_by_range_not_count(void **state)
{
    (void)state;
    stats_tally *t = stats_tally_new();
    uint64_t seed = 12345;
    printf("  seed %llu\n", (unsigned long long)seed);
    const double lo = log(1e-6), hi = log(1e9);
    for (long i = 0; i < 10000000; i++)
        stats_tally_add(t, exp(lo + (hi - lo) * rng_uniform(&seed)));
    size_t buckets = stats_tally_buckets(t);
    double med = stats_tally_quantile(t, 0.5), want = pow(10, 1.5);
    printf("  buckets %zu, median %.4f (want %.4f)\n", buckets, med, want);
    assert_true(buckets < 30000);
    assert_true(fabs(med - want) <= A * want + 5 * 0.5 / sqrt(1e7) * want * (hi - lo));
    stats_tally_free(t);
}

/* A range wider than STATS_TALLY_MAX_BUCKETS buckets (1e-300 .. 1e3 spans
 * about 345 000) folds the lowest buckets together: memory stays capped,
 * no count is lost (ranks stay right), and quantiles above the folded
 * region keep their accuracy. Data: 1e-300, then 1..1000 (forces a fold
 * upwards), then 1e-200 (lands below the kept range, joins the lowest
 * bucket). Sorted: 1e-300, 1e-200, 1, 2, ..., so rank k >= 3 is k - 2. */
static void test_tally_range_wider_than_cap_folds_low_end(void **state)
{
    (void)state;
    stats_tally *t = stats_tally_new();
    stats_tally_add(t, 1e-300);
    for (int i = 1; i <= 1000; i++)
        stats_tally_add(t, i);
    stats_tally_add(t, 1e-200);
    assert_true(stats_tally_buckets(t) <= STATS_TALLY_MAX_BUCKETS);
    assert_int_equal(stats_tally_count(t), 1002);
    assert_float_equal(stats_tally_quantile(t, 0), 1e-300, 0);
    for (unsigned k = 3; k <= 1002; k++)
        assert_rel(stats_tally_quantile(t, k / 1002.0), k - 2, REL_TOL);
    stats_tally_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tally_mean_and_variance_of_small_set),
        cmocka_unit_test(test_tally_quantiles_of_1_to_1000_use_nearest_rank),
        cmocka_unit_test(test_tally_exponential_quantiles_match_closed_form),
        cmocka_unit_test(test_tally_zeros_are_exact),
        cmocka_unit_test(test_tally_constant_values_give_exact_quantiles),
        cmocka_unit_test(test_tally_reset_forgets_everything),
        cmocka_unit_test(test_tally_memory_is_bounded_by_range_not_count),
        cmocka_unit_test(test_tally_range_wider_than_cap_folds_low_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
