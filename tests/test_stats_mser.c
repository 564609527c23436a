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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mser5_deletes_a_step_transient),
        cmocka_unit_test(test_mser5_keeps_a_stationary_series),
        cmocka_unit_test(test_mser5_flags_a_series_too_short_for_steady_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
