/* test_flow_wakeups.c -- no waiter misses its wake-up.
 *
 * tests/models/agv-one-vehicle-orders.yaml is the plant of issue 12: 40
 * orders released at 0, one AGV carrying every item three times (source ->
 * A -> B -> shipping), buffers of 2 in front of A and B. The source's
 * pick-up reserves a place in A's buffer before it calls the vehicle; a
 * delivery that went straight on to an idle A used to free that place
 * without telling the pick-up, which then waited for good: 2 items in 4 h
 * and an idle vehicle.
 *
 * The bound the tests use, from the layout alone: the longest shortest path
 * between two nodes is at most the sum of all edge lengths, L = 72 m of
 * loop + 4 detours (3 x 2 x 7.21 m, 2 x 12.65 m) = 140.6 m. A trip is at
 * most an empty leg and a loaded leg of L at 1.5 m/s plus 20 s of handling:
 * 207.5 s; three trips per item, and A and B add 105 s, so 40 items need at
 * most 40 x (3 x 207.5 + 105) = 29,100 s < 1 d, even done one at a time.
 * In a day every order is finished and the plant is empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "fabtwin/fabtwin.h"

#define MODEL FT_SOURCE_DIR "/tests/models/agv-one-vehicle-orders.yaml"
#define ORDERS 40

typedef struct outcome {
    uint64_t produced;
    long wip;
} outcome;

static outcome run(const ft_override *ov, size_t n_ov, double length_s)
{
    ft_error err = {0};
    ft_model *m = ft_model_load_with(MODEL, ov, n_ov, &err);
    if (!m)
        ft_error_print(&err, stderr);
    assert_non_null(m);
    ft_run_options opt = {.has_length = length_s > 0, .length_s = length_s};
    ft_sim *s = ft_sim_new(m, &opt, &err);
    assert_non_null(s);
    assert_int_equal(ft_sim_run(s, &err), 0);
    outcome o = {ft_sim_report(s)->products[0].produced, ft_sim_snapshot(s)->wip};
    ft_sim_free(s);
    ft_model_free(m);
    return o;
}

/* Within a day (the bound above) every order is through and nothing is left. */
static void test_agv_fed_buffer_every_order_finishes(void **state)
{
    outcome o = run(NULL, 0, 86400);
    assert_int_equal(o.produced, ORDERS);
    assert_int_equal(o.wip, 0);
}

/* The same with a source pick-up of 2 places (the source then waits on the
 * pick-up, the pick-up on A's buffer: two waits in a row). */
static void test_agv_fed_buffer_bounded_pickup_finishes(void **state)
{
    ft_override ov = {"sources.src.out", "2", "test", 0, 0};
    outcome o = run(&ov, 1, 86400);
    assert_int_equal(o.produced, ORDERS);
    assert_int_equal(o.wip, 0);
}

/* The issue's own run: 4 h. Realistic trips (about 150 s of vehicle time
 * per item on this layout) finish 38-40 items; the lost wake-up gave 2. */
static void test_agv_fed_buffer_four_hours(void **state)
{
    outcome o = run(NULL, 0, 0);
    assert_true(o.produced >= 38 && o.produced <= ORDERS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agv_fed_buffer_every_order_finishes),
        cmocka_unit_test(test_agv_fed_buffer_bounded_pickup_finishes),
        cmocka_unit_test(test_agv_fed_buffer_four_hours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
