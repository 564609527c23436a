/* test_stats_level.c -- the time-weighted level: time average, reset
 * (warm-up deletion) and maximum, on step functions worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats/stats.h"

/* Level 0 on [0,2), 4 on [2,5), 1 on [5,6), 3 on [6,10):
 * area = 0*2 + 4*3 + 1*1 + 3*4 = 25, mean over [0,10] = 2.5, max 4. */
static void test_level_mean_of_step_function(void **state)
{
    (void)state;
    stats_level l;
    stats_level_init(&l, 0, 0);
    stats_level_set(&l, 2, 4);
    stats_level_set(&l, 5, 1);
    stats_level_add(&l, 6, 2);
    assert_float_equal(stats_level_mean(&l, 10), 2.5, 1e-12);
    assert_float_equal(l.max, 4, 0);
    assert_float_equal(l.level, 3, 0);
    /* Asking does not change anything: over [0,8] it is (12+1+3*2)/8. */
    assert_float_equal(stats_level_mean(&l, 8), 19.0 / 8, 1e-12);
}

/* The same function reset at 3, in the middle of the step at 4:
 * [3,5) 4, [5,6) 1, [6,10) 3 -> area 8 + 1 + 12 = 21 over 7 = 3. */
static void test_level_reset_mid_step_keeps_current_level(void **state)
{
    (void)state;
    stats_level l;
    stats_level_init(&l, 0, 0);
    stats_level_set(&l, 2, 4);
    stats_level_reset(&l, 3);
    stats_level_set(&l, 5, 1);
    stats_level_set(&l, 6, 3);
    assert_float_equal(stats_level_mean(&l, 10), 3, 1e-12);
}

/* A peak before the reset is forgotten: the maximum restarts at the level
 * current at the reset (2), then rises to 5. Mean over [3,6]:
 * [3,4) 2, [4,6) 5 -> (2 + 10)/3 = 4. */
static void test_level_max_after_reset_is_current_level(void **state)
{
    (void)state;
    stats_level l;
    stats_level_init(&l, 0, 10);
    stats_level_set(&l, 1, 2);
    stats_level_reset(&l, 3);
    assert_float_equal(l.max, 2, 0);
    stats_level_set(&l, 4, 5);
    assert_float_equal(l.max, 5, 0);
    assert_float_equal(stats_level_mean(&l, 6), 4, 1e-12);
}

/* A spike that lasts no time is part of the maximum but adds no area:
 * 3 on [0,1), 7 for an instant at 1, then 3 on [1,4] -> mean 3, max 7. */
static void test_level_instant_spike_counts_for_max_not_mean(void **state)
{
    (void)state;
    stats_level l;
    stats_level_init(&l, 0, 3);
    stats_level_add(&l, 1, 4);
    stats_level_add(&l, 1, -4);
    assert_float_equal(stats_level_mean(&l, 4), 3, 1e-12);
    assert_float_equal(l.max, 7, 0);
}

/* Over an empty interval the mean is the current level (its limit). */
static void test_level_mean_over_no_time_is_current_level(void **state)
{
    (void)state;
    stats_level l;
    stats_level_init(&l, 5, 6);
    assert_float_equal(stats_level_mean(&l, 5), 6, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_mean_of_step_function),
        cmocka_unit_test(test_level_reset_mid_step_keeps_current_level),
        cmocka_unit_test(test_level_max_after_reset_is_current_level),
        cmocka_unit_test(test_level_instant_spike_counts_for_max_not_mean),
        cmocka_unit_test(test_level_mean_over_no_time_is_current_level),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
