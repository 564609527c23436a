/* test_hostile_models.c -- models that are valid but huge, or that ask for
 * times the clock cannot resolve: each gives a clear, located error or runs
 * correctly with bounded memory -- never an abort or a hang.
 *
 * Memory is asserted through the factory's count of live items (items made
 * and not yet gone), not through wall-clock or process size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "flow/flow_internal.h"
#include "model/model.h"
#include "sim/sim.h"

static model_desc *load(const char *yaml)
{
    ft_error err = {0};
    model_desc *m = model_load_string(yaml, strlen(yaml), "t.yaml", &err);
    if (!m)
        fail_msg("should load: %s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return m;
}

static void expect_in(const char *msg, const char *needle)
{
    if (!strstr(msg, needle))
        fail_msg("message '%s' does not contain '%s'", msg, needle);
}

/* One order row of 10^9 items (the largest count a row may have) for a
 * 1 s station, behind the given buffer. Lines 6-8: the source. */
#define BILLION_ORDER(buffer)                                                                     \
    "model: m\n"                                                                                  \
    "products:\n"                                                                                 \
    "  - name: a\n"                                                                               \
    "    routing: [{ station: s, time: 1s }]\n"                                                   \
    "sources:\n"                                                                                  \
    "  - name: src\n"                                                                             \
    "    orders:\n"                                                                               \
    "      - { time: 0s, product: a, count: 1000000000 }\n" buffer                                \
    "stations:\n"                                                                                 \
    "  - { name: s }\n"

/* Lazily released: the row is a count, and an item is made only when the
 * plant takes one. The plant holds at most 10 (buffer) + 1 (station) items,
 * plus the one the source made and the full buffer refused: 12 live items
 * at any time, however large the row. A deterministic 1 s station busy from
 * t = 0 finishes items at 1, 2, ..., 3600 s: 3600 leave in the first hour. */
static void test_order_of_a_billion_items_is_released_one_at_a_time(void **state)
{
    model_desc *m = load(BILLION_ORDER("buffers:\n  - { name: in, capacity: 10, feeds: s }\n"));
    sim *s = sim_new();
    ft_error err = {0};
    flow_factory *f = flow_build(m, s, 1, NULL, NULL, &err);
    assert_non_null(f);
    assert_int_equal(flow_start(f, &err), 0);
    long most = 0;
    for (int minute = 1; minute <= 60; minute++) {
        sim_run_until(s, minute * 60.0);
        long live = flow_live_items(f);
        most = live > most ? live : most;
    }
    assert_int_equal(flow_error(f, &err), 0);
    assert_true(most <= 12);
    ft_report r;
    flow_report(f, &r);
    assert_int_equal(r.products[0].produced, 3600);
    flow_free(f);
    sim_free(s);
    model_free(m);
}

/* The same row into the station's unbounded queue: the plant takes every
 * item at once, so the run's cap on items in the plant ends it -- at the
 * source that made one too many (line 6, column 5: "  - name: src"), at
 * t = 0, before any item could leave. */
static void test_items_past_the_cap_end_the_run_at_the_source(void **state)
{
    model_desc *m = load(BILLION_ORDER(""));
    ft_error err = {0};
    ft_run_options opt = {.has_length = true, .length_s = 3600, .max_items = 1000};
    ft_sim *run = ft_sim_new((ft_model *)m, &opt, &err);
    assert_non_null(run);
    assert_int_equal(ft_sim_run(run, &err), -1);
    printf("  -> %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
    assert_string_equal(err.file, "t.yaml");
    assert_int_equal(err.line, 6);
    assert_int_equal(err.col, 5);
    expect_in(err.msg, "more than 1000 items in the plant at 0.000 s");
    expect_in(err.msg, "'src'");
    assert_true(ft_sim_now(run) == 0);
    /* once failed, it stays failed */
    assert_int_equal(ft_sim_advance(run, 10, &err), -1);
    ft_sim_free(run);
    model_free(m);
}

/* A split into 100,000 pieces every second, with run.max_items: 150000.
 * The item released at t = 1 s is split at t = 2 s (100,000 pieces; the
 * second station takes one a second), the next at t = 3 s: 99,999 + 100,000
 * pieces pass the cap there, at the split station (line 10, column 5). */
static void test_a_split_past_the_cap_is_located_at_the_split_station(void **state)
{
    model_desc *m = load("model: m\n"
                         "run: { length: 1h, max_items: 150000 }\n"
                         "products:\n"
                         "  - name: a\n"
                         "    routing: [{ station: cut, time: 1s }, { station: s, time: 1s }]\n"
                         "sources:\n"
                         "  - { name: src, product: a, interarrival: 1s }\n"
                         "stations:\n"
                         "  - { name: s }\n"
                         "  - { name: cut, split: { count: 100000 } }\n");
    assert_int_equal(m->run.max_items, 150000);
    ft_error err = {0};
    ft_sim *run = ft_sim_new((ft_model *)m, NULL, &err);
    assert_non_null(run);
    assert_int_equal(ft_sim_run(run, &err), -1);
    printf("  -> %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
    assert_int_equal(err.line, 10);
    assert_int_equal(err.col, 5);
    expect_in(err.msg, "more than 150000 items in the plant at 3.000 s");
    expect_in(err.msg, "'cut'");
    ft_sim_free(run);
    model_free(m);
}

/* A run end given by the caller past the model's time limit is refused
 * before anything runs: the smallest step is the 1 s process time, so the
 * limit is 2^32 s (docs/model-language.md, "Time resolution"). */
static void test_a_run_past_the_time_limit_is_refused(void **state)
{
    model_desc *m = load("model: m\n"
                         "products:\n"
                         "  - name: a\n"
                         "    routing: [{ station: s, time: 1s }]\n"
                         "sources:\n"
                         "  - { name: src, product: a, interarrival: 2s }\n"
                         "stations:\n"
                         "  - { name: s }\n");
    assert_true(m->time_step_s == 1);
    assert_true(m->time_limit_s == ldexp(1, 32));
    ft_error err = {0};
    ft_run_options opt = {.has_warmup = true, .warmup_s = 1e17, .has_length = true,
                          .length_s = 1};
    assert_null(ft_sim_new((ft_model *)m, &opt, &err));
    printf("  -> %s\n", err.msg);
    expect_in(err.msg, "past 4.29497e+09 s, the latest time this model can simulate");
    expect_in(err.msg, "line 4, column 35"); /* where the 1 s step is written */
    /* exactly at the limit is fine */
    opt.warmup_s = ldexp(1, 32) - 1;
    ft_sim *run = ft_sim_new((ft_model *)m, &opt, &err);
    assert_non_null(run);
    /* and so is running past the run's end, up to the limit but not beyond */
    assert_int_equal(ft_sim_advance(run, ldexp(1, 32) + 1, &err), -1);
    expect_in(err.msg, "the time to run to");
    ft_sim_free(run);
    model_free(m);
}

/* A zero or negative run length given by the caller: the message says the
 * length must be positive, not that there is none. */
static void test_a_zero_run_length_says_it_must_be_positive(void **state)
{
    model_desc *m = load("model: m\n"
                         "run: { length: 1h }\n"
                         "products:\n"
                         "  - name: a\n"
                         "    routing: [{ station: s, time: 1s }]\n"
                         "sources:\n"
                         "  - { name: src, product: a, interarrival: 2s }\n"
                         "stations:\n"
                         "  - { name: s }\n");
    ft_error err = {0};
    ft_run_options opt = {.has_length = true, .length_s = 0};
    assert_null(ft_sim_new((ft_model *)m, &opt, &err));
    expect_in(err.msg, "the run length must be a duration > 0");
    model_free(m);
}

/* Per-product counters exist only where they are needed: a queue keeps one
 * reservation counter per bill-of-materials line when it feeds an assembly
 * (its lanes) and none elsewhere, so a model of S stations and P products
 * no longer needs S x P counters. Here: three products, a plain queue (no
 * lanes) and an assembly's queue with two lanes. */
static void test_only_assembly_queues_keep_per_part_counters(void **state)
{
    model_desc *m = load("model: m\n"
                         "products:\n"
                         "  - name: car\n"
                         "    routing: [{ station: weld, time: 1min }, { station: join }]\n"
                         "  - name: door\n"
                         "    routing: [{ station: join }]\n"
                         "  - name: lift\n"
                         "    routing: [{ station: join, time: 2min }]\n"
                         "sources:\n"
                         "  - { name: a, product: car, interarrival: 2min }\n"
                         "  - { name: b, product: door, interarrival: 1min }\n"
                         "stations:\n"
                         "  - { name: weld }\n"
                         "  - name: join\n"
                         "    assembly: { produces: lift, parts: { car: 1, door: 2 } }\n");
    sim *s = sim_new();
    ft_error err = {0};
    flow_factory *f = flow_build(m, s, 1, NULL, NULL, &err);
    assert_non_null(f);
    assert_null(f->queues[model_find_station(m, "weld")]->reserved);
    flow_queue *join = f->queues[model_find_station(m, "join")];
    assert_non_null(join->reserved);
    assert_int_equal(m->stations[model_find_station(m, "join")].n_bom, 2);
    flow_free(f);
    sim_free(s);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_of_a_billion_items_is_released_one_at_a_time),
        cmocka_unit_test(test_items_past_the_cap_end_the_run_at_the_source),
        cmocka_unit_test(test_a_split_past_the_cap_is_located_at_the_split_station),
        cmocka_unit_test(test_a_run_past_the_time_limit_is_refused),
        cmocka_unit_test(test_a_zero_run_length_says_it_must_be_positive),
        cmocka_unit_test(test_only_assembly_queues_keep_per_part_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
