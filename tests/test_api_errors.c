/* test_api_errors.c -- a run that loses an event says so: ft_sim_run and
 * ft_sim_advance return the kernel's error with a message, keep returning
 * it, and a start-up that failed halfway is never run or retried. The
 * failures are injected into the kernel (sim_fail_schedule_after) or come
 * from a clock too late to represent the model's delays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "api/api_internal.h"
#include "fabtwin/fabtwin.h"
#include "sim/sim.h"

/* D/D/1: an item every 10 s, 25 s of service; two sources so that start-up
 * schedules two events (one first arrival each). */
static const char dd1[] = "model: dd1\n"
                          "run: { warmup: 0s, length: 1h }\n"
                          "products:\n"
                          "  - { name: p, routing: [{ station: S, time: 25s }] }\n"
                          "sources:\n"
                          "  - { name: in, product: p, interarrival: 10s }\n"
                          "  - { name: in2, product: p, interarrival: 10s }\n"
                          "stations:\n"
                          "  - { name: S }\n";

static ft_model *load_dd1(void)
{
    ft_error err = {0};
    ft_model *m = ft_model_load_string(dd1, sizeof dd1 - 1, "dd1.yaml", &err);
    if (!m)
        fail_msg("%s", err.msg);
    return m;
}

static void test_run_returns_a_schedule_failure_in_mid_run(void **state)
{
    (void)state;
    ft_model *m = load_dd1();
    ft_error err = {0};
    ft_sim *s = ft_sim_new(m, NULL, &err);
    assert_non_null(s);
    /* an hour needs hundreds of events (720 arrivals alone): the 50th
     * schedule is well inside the run */
    sim_fail_schedule_after(ft_sim_kernel(s), 50);
    assert_int_not_equal(ft_sim_run(s, &err), 0);
    assert_non_null(strstr(err.msg, "out of memory"));
    assert_non_null(strstr(err.msg, "simulated time"));
    assert_true(ft_sim_now(s) < ft_sim_end(s));
    /* final: asking again runs nothing and says the same */
    uint64_t events = ft_sim_events(s);
    char first[sizeof err.msg];
    strcpy(first, err.msg);
    memset(&err, 0, sizeof err);
    assert_int_not_equal(ft_sim_advance(s, ft_sim_end(s), &err), 0);
    assert_string_equal(err.msg, first);
    assert_int_equal(ft_sim_events(s), events);
    ft_sim_free(s);
    ft_model_free(m);
}

static void test_failed_start_up_is_neither_run_nor_retried(void **state)
{
    (void)state;
    ft_model *m = load_dd1();
    ft_error err = {0};
    ft_sim *s = ft_sim_new(m, NULL, &err);
    assert_non_null(s);
    sim *k = ft_sim_kernel(s);
    /* start-up schedules one first arrival per source: the second fails */
    sim_fail_schedule_after(k, 2);
    assert_int_not_equal(ft_sim_advance(s, 100, &err), 0);
    assert_non_null(strstr(err.msg, "out of memory"));
    assert_non_null(strstr(err.msg, "before event 1"));
    assert_int_equal(sim_pending(k), 1);
    assert_int_equal(ft_sim_events(s), 0);
    /* a second start neither schedules the first source again nor runs */
    memset(&err, 0, sizeof err);
    assert_int_not_equal(ft_sim_run(s, &err), 0);
    assert_non_null(strstr(err.msg, "out of memory"));
    assert_int_equal(sim_pending(k), 1);
    assert_int_equal(ft_sim_events(s), 0);
    assert_true(ft_sim_now(s) == 0);
    /* not started: placing state is not refused as "too late" but with the
     * error that broke the simulation */
    memset(&err, 0, sizeof err);
    assert_int_not_equal(ft_sim_place_item(s, "S", "p", 1, 0, &err), 0);
    assert_null(strstr(err.msg, "before the simulation first runs"));
    assert_non_null(strstr(err.msg, "out of memory"));
    ft_sim_free(s);
    ft_model_free(m);
}

/* Started at 10^18 s, where a double's unit in the last place is 128 s: the
 * 10 s interarrival and 25 s service are lost in now + delay, so the plant
 * could not move its clock. The run must fail (or the simulation not be
 * built at all), never report KPIs. */
static void test_a_clock_too_late_for_the_models_delays_is_an_error(void **state)
{
    (void)state;
    ft_model *m = load_dd1();
    ft_error err = {0};
    ft_run_options o = {.start_s = 1e18};
    ft_sim *s = ft_sim_new(m, &o, &err);
    if (s) {
        assert_int_not_equal(ft_sim_run(s, &err), 0);
        assert_non_null(strstr(err.msg, "resolution"));
        assert_true(ft_sim_events(s) < 10);
    }
    assert_true(err.msg[0] != '\0');
    ft_sim_free(s);
    ft_model_free(m);
}

/* A failure placed in the initial state schedules its repair; a kernel
 * that cannot take it makes the placing call fail at once. */
static void test_placing_state_reports_a_schedule_failure(void **state)
{
    (void)state;
    ft_model *m = load_dd1();
    ft_error err = {0};
    ft_sim *s = ft_sim_new(m, NULL, &err);
    assert_non_null(s);
    sim_fail_schedule_after(ft_sim_kernel(s), 1);
    assert_int_not_equal(ft_sim_place_failure(s, "S", 60, &err), 0);
    assert_non_null(strstr(err.msg, "out of memory"));
    ft_sim_free(s);
    ft_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_returns_a_schedule_failure_in_mid_run),
        cmocka_unit_test(test_failed_start_up_is_neither_run_nor_retried),
        cmocka_unit_test(test_a_clock_too_late_for_the_models_delays_is_an_error),
        cmocka_unit_test(test_placing_state_reports_a_schedule_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
