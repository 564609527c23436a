/* test_stats_mser.c -- MSER-5 truncates exactly the initial transient of
 * series whose answer can be worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats/stats.h"

#define N 500

/* 50 observations at 10, then 450 at 0 (alternating +-1 around it): with
 * the first 10 batches deleted the rest has the smallest spread per point
 * left, so MSER-5 deletes exactly the 50 biased observations. */
static void test_mser5_deletes_a_step_transient(void **state)
{
    double y[N];
    for (int i = 0; i < N; i++)
        y[i] = i < 50 ? 10 : (i % 2 ? 1 : -1);
    bool at_limit;
    assert_int_equal(stats_mser5(y, N, &at_limit), 50);
    assert_false(at_limit);
}

/* A series with no transient: deleting data only shrinks the divisor, so
 * nothing is deleted. The batch means of +-1 alternating over 5 points are
 * +-0.2 alternating, whose MSER grows as d grows. */
static void test_mser5_keeps_a_stationary_series(void **state)
{
    double y[N];
    for (int i = 0; i < N; i++)
        y[i] = (i / 5) % 2 ? 1 : -1;
    bool at_limit;
    assert_int_equal(stats_mser5(y, N, &at_limit), 0);
    assert_false(at_limit);
}

/* A series that climbs steadily never settles: with k batches left the
 * spread of a linear trend is about (5k)^2/12 per batch, so MSER ~ k/12
 * shrinks with every batch deleted and the minimum sits at the end of the
 * searched half, which the caller is told. */
static void test_mser5_flags_a_series_too_short_for_steady_state(void **state)
{
    double y[N];
    for (int i = 0; i < N; i++)
        y[i] = i;
    bool at_limit;
    size_t d = stats_mser5(y, N, &at_limit);
    assert_true(at_limit);
    assert_int_equal(d, 5 * (N / 5 / 2));
}

/* Six batches, worked by hand. Batch means Z = 10, 0, 2, 0, 2, 0 (each
 * batch's five points vary around its mean: MSER-5 sees only the means);
 * m = 6, so d is searched over 0..3. With k = m - d batches left,
 * MSER(d) = (sum Z^2 - (sum Z)^2 / k) / k^2:
 *   d = 0: (108 - 14^2/6) / 36 = 75.33 / 36 = 2.093
 *   d = 1: (8 - 4^2/5) / 25    = 4.8 / 25   = 0.192   <- the least
 *   d = 2: (8 - 4^2/4) / 16    = 4 / 16     = 0.25
 *   d = 3: (4 - 2^2/3) / 9     = 2.67 / 9   = 0.296
 * so one batch, 5 observations, is deleted; 3 trailing points that make no
 * whole batch are ignored, however wild. */
static void test_mser5_minimum_worked_by_hand(void **state)
{
    (void)state;
    const double z[6] = {10, 0, 2, 0, 2, 0}, wiggle[5] = {2, -2, 1, -1, 0};
    double y[33];
    for (int i = 0; i < 30; i++)
        y[i] = z[i / 5] + wiggle[i % 5];
    y[30] = y[31] = y[32] = 1e9;
    bool at_limit;
    assert_int_equal(stats_mser5(y, 33, &at_limit), 5);
    assert_false(at_limit);
}

/* The same, with the spike moved to the third batch: Z = 0, 2, 10, 0, 2, 0.
 *   d = 0: (108 - 196/6) / 36 = 2.093
 *   d = 1: (108 - 196/5) / 25 = 68.8 / 25 = 2.752
 *   d = 2: (104 - 144/4) / 16 = 68 / 16  = 4.25
 *   d = 3: (4 - 4/3) / 9      = 0.296    <- the least, at the limit m/2
 * The cut lands on the end of the searched half, which is flagged. */
static void test_mser5_minimum_at_the_limit_is_flagged(void **state)
{
    (void)state;
    const double z[6] = {0, 2, 10, 0, 2, 0};
    double y[30];
    for (int i = 0; i < 30; i++)
        y[i] = z[i / 5];
    bool at_limit;
    assert_int_equal(stats_mser5(y, 30, &at_limit), 15);
    assert_true(at_limit);
}

/* Ties go to the smaller cut (keep the data): a constant series has
 * MSER(d) = 0 for every d, so nothing is deleted; and fewer than two whole
 * batches leave nothing to compare. */
static void test_mser5_ties_and_short_series_delete_nothing(void **state)
{
    (void)state;
    double y[40];
    for (int i = 0; i < 40; i++)
        y[i] = 3.5;
    bool at_limit = true;
    assert_int_equal(stats_mser5(y, 40, &at_limit), 0);
    assert_false(at_limit);
    y[0] = 100;
    assert_int_equal(stats_mser5(y, 9, &at_limit), 0); /* one batch */
    assert_false(at_limit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mser5_deletes_a_step_transient),
        cmocka_unit_test(test_mser5_keeps_a_stationary_series),
        cmocka_unit_test(test_mser5_flags_a_series_too_short_for_steady_state),
        cmocka_unit_test(test_mser5_minimum_worked_by_hand),
        cmocka_unit_test(test_mser5_minimum_at_the_limit_is_flagged),
        cmocka_unit_test(test_mser5_ties_and_short_series_delete_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
