/* test_flow_check.c -- the invariant checker (src/flow/flow_check.c)
 * catches a lost wake-up, and finds nothing in a plant without one.
 *
 * The plant is the reproducer of the lost wake-up fixed in
 * flow_queue_deliver: 40 orders released at once wait at a store's pick-up
 * point for the one AGV, which takes them one at a time to a station fed
 * by a buffer of one place. Every item first reserves that place. The
 * first item's delivery goes straight on to the idle station, which frees
 * the place; if the queue does not tell the pick-up (the fault), the other
 * 39 wait for ever with the vehicle idle -- the checker must say so at that
 * very instant. Without the fault all 40 are made: the station's 60 s per
 * item is the bottleneck (the AGV's round trip is ~25 s), so the last
 * leaves after at most ~40 x 60 s + the first trip < 1 h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fabtwin/fabtwin.h"
#include "flow/flow.h"
#include "flow/flow_internal.h"
#include "model/model.h"
#include "sim/sim.h"

static const char plant_yaml[] =
    "model: lost-wakeup\n"
    "run: { length: 1h }\n"
    "products:\n"
    "  - { name: part, routing: [ { station: W, time: 60s } ] }\n"
    "sources:\n"
    "  - name: orders\n"
    "    orders: [ { time: 0s, product: part, count: 40 } ]\n"
    "    pick: S\n"
    "buffers:\n"
    "  - { name: BW, capacity: 1, feeds: W }\n"
    "stations:\n"
    "  - { name: W, drop: A }\n"
    "layout:\n"
    "  following: 1m\n"
    "  nodes:\n"
    "    - { name: S, at: [0m, 0m] }\n"
    "    - { name: A, at: [10m, 0m] }\n"
    "    - { name: P, at: [5m, 5m] }\n"
    "  edges:\n"
    "    - { path: [S, A, P, S] }\n"
    "  parking: [P]\n"
    "fleet: { vehicles: 1, speed: 1 m/s, load: 2s, unload: 2s }\n";

typedef struct plant {
    model_desc *m;
    sim *s;
    flow_factory *f;
} plant;

static void plant_open(plant *p, unsigned faults)
{
    ft_error err = {0};
    p->m = model_load_string(plant_yaml, strlen(plant_yaml), "lost-wakeup.yaml", &err);
    if (!p->m)
        ft_error_print(&err, stderr);
    assert_non_null(p->m);
    p->s = sim_new();
    p->f = flow_build(p->m, p->s, 1, NULL, NULL, &err);
    assert_non_null(p->f);
    flow_set_check(p->f, true);
    flow_test_set_faults(p->f, faults);
    assert_int_equal(flow_start(p->f, &err), 0);
}

static void plant_close(plant *p)
{
    flow_free(p->f);
    sim_free(p->s);
    model_free(p->m);
}

static void test_checker_catches_the_lost_wakeup(void **state)
{
    (void)state;
    plant p;
    plant_open(&p, FLOW_FAULT_LOST_WAKEUP);
    ft_error err = {0};
    assert_int_equal(flow_run_until(p.f, 3600, &err), -1);
    printf("caught: %s\n", err.msg);
    assert_non_null(strstr(err.msg, "invariant violated at t = "));
    assert_non_null(strstr(err.msg, "lost wake-up"));
    assert_non_null(strstr(err.msg, "orders.pick"));
    assert_non_null(strstr(err.msg, "'BW'"));
    /* At the first delivery: one trip (load + unload, a few metres), long
     * before the station has finished the first item (60 s). */
    assert_true(sim_now(p.s) > 0 && sim_now(p.s) < 60);
    plant_close(&p);
}

static void test_no_violation_without_the_fault(void **state)
{
    (void)state;
    plant p;
    plant_open(&p, 0);
    ft_error err = {0};
    if (flow_run_until(p.f, 3600, &err))
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(flow_check_now(p.f, &err), 0);
    ft_report r;
    flow_report(p.f, &r);
    assert_int_equal(r.n_products, 1);
    assert_int_equal(r.products[0].produced, 40);
    plant_close(&p);
}

/* The same through the public API and its option: the violation is the
 * run's error. */
static void test_public_api_runs_clean_with_check(void **state)
{
    (void)state;
    ft_error err = {0};
    ft_model *m = ft_model_load_string(plant_yaml, strlen(plant_yaml), "lost-wakeup.yaml", &err);
    assert_non_null(m);
    ft_run_options opt = {.check = true};
    ft_sim *s = ft_sim_new(m, &opt, &err);
    assert_non_null(s);
    assert_int_equal(ft_sim_run(s, &err), 0);
    assert_int_equal(ft_sim_report(s)->products[0].produced, 40);
    ft_sim_free(s);
    ft_model_free(m);
}

/* tests/models/assembly-refill.yaml: at 65 s the car completes the kit
 * (doors of 10 s and 20 s) behind the doors of 30 .. 60 s, which the kit
 * had refused; the assembly starts and the kit, now empty, takes the doors
 * of 30 s and 40 s at once. Before the fix they waited in the buffer until
 * the assembly ended (165 s), and the checker said so. */
static void test_assembly_refills_its_kit_at_once(void **state)
{
    (void)state;
    ft_error err = {0};
    model_desc *m = model_load_file("tests/models/assembly-refill.yaml", &err);
    if (!m)
        ft_error_print(&err, stderr);
    assert_non_null(m);
    sim *s = sim_new();
    flow_factory *f = flow_build(m, s, 1, NULL, NULL, &err);
    assert_non_null(f);
    flow_set_check(f, true);
    assert_int_equal(flow_start(f, &err), 0);
    if (flow_run_until(f, 66, &err))
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(err.msg[0], 0);
    const flow_station *st = f->stations[0];
    assert_int_equal(st->kit.count, 2);
    assert_int_equal(st->n_local[SRV_WORKING], 1);
    assert_int_equal(st->input->items.count, 2);
    assert_int_equal(flow_run_until(f, 600, &err), 0);
    flow_free(f);
    sim_free(s);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker_catches_the_lost_wakeup),
        cmocka_unit_test(test_no_violation_without_the_fault),
        cmocka_unit_test(test_public_api_runs_clean_with_check),
        cmocka_unit_test(test_assembly_refills_its_kit_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
