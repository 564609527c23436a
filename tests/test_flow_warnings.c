/* test_flow_warnings.c -- a run says when work waits that can never start.
 *
 * Each plant below is made so that the condition provably holds at the
 * end of the run (the reasoning is above each test), and the report must
 * name it: what, where, since when and how many items. Sound plants of the
 * same shape must have no warning at all. Parts consumed by an assembly
 * are reported as parts, not as products with 0 produced. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fabtwin/fabtwin.h"
#include "flow/flow.h"
#include "model/model.h"
#include "sim/sim.h"

typedef struct run {
    ft_model *m;
    ft_sim *s;
    const ft_report *r;
} run;

static run run_yaml(const char *yaml, uint64_t seed)
{
    ft_error err = {0};
    run x = {0};
    x.m = ft_model_load_string(yaml, strlen(yaml), "warn.yaml", &err);
    if (!x.m)
        ft_error_print(&err, stderr);
    assert_non_null(x.m);
    ft_run_options opt = {.has_seed = true, .seed = seed};
    x.s = ft_sim_new(x.m, &opt, &err);
    assert_non_null(x.s);
    assert_int_equal(ft_sim_run(x.s, &err), 0);
    x.r = ft_sim_report(x.s);
    printf("# seed %llu: %zu warning(s)\n", (unsigned long long)seed, x.r->n_warnings);
    for (size_t i = 0; i < x.r->n_warnings; i++)
        printf("#   %s\n", x.r->warnings[i].message);
    return x;
}

static void run_free(run *x)
{
    ft_sim_free(x->s);
    ft_model_free(x->m);
}

static const ft_warning *find(const ft_report *r, ft_warning_kind kind)
{
    for (size_t i = 0; i < r->n_warnings; i++)
        if (r->warnings[i].kind == kind)
            return &r->warnings[i];
    return NULL;
}

/* A rework loop with one place in each buffer and raw material always
 * there. Once qc sends an item back while A's buffer is full (the source
 * refills it at once) and A's next item finds qc's buffer full, qc waits
 * on A and A on qc for good: an absorbing state, reached with probability
 * 1 (each rework, p = 1/2, can start it). Held then: one item in each
 * buffer and one finished item on each server, 4 in all. */
static const char *const rework_loop = "model: loop\n"
                                       "run: { length: 1d }\n"
                                       "products:\n"
                                       "  - name: p\n"
                                       "    routing:\n"
                                       "      - { station: A, time: 10s }\n"
                                       "      - { station: qc, time: 10s }\n"
                                       "sources:\n"
                                       "  - { name: s, product: p, always: true }\n"
                                       "buffers:\n"
                                       "  - { name: inA, capacity: 1, feeds: A }\n"
                                       "  - { name: inQC, capacity: 1, feeds: qc }\n"
                                       "stations:\n"
                                       "  - { name: A }\n"
                                       "  - { name: qc, inspection: { rework: 50%, rework_to: A } }\n";

static void test_rework_loop_deadlock_is_reported(void **state)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        run x = run_yaml(rework_loop, seed);
        const ft_warning *w = find(x.r, FT_WARN_DEADLOCK);
        assert_non_null(w);
        assert_true(strcmp(w->where, "A") == 0 || strcmp(w->where, "qc") == 0);
        assert_int_equal(w->items, 4);
        assert_true(w->since_s > 0 && w->since_s < x.r->length_s);
        /* nothing moves after it: the output stops */
        assert_true(x.r->products[0].produced < x.r->length_s / 20);
        run_free(&x);
    }
}

/* Kits of 1 x and 2 y from orders of n_x x and n_y y, released at 1 s (after
 * the statistics start at 0 s). */
static void kits_yaml(char *buf, size_t size, int n_x, int n_y)
{
    snprintf(buf, size,
             "model: kits\n"
             "run: { length: 1d }\n"
             "products:\n"
             "  - { name: x, routing: [ { station: asm } ] }\n"
             "  - { name: y, routing: [ { station: asm } ] }\n"
             "  - { name: k, routing: [ { station: asm, time: 1min } ] }\n"
             "sources:\n"
             "  - { name: sx, orders: [ { time: 1s, product: x, count: %d } ] }\n"
             "  - { name: sy, orders: [ { time: 1s, product: y, count: %d } ] }\n"
             "stations:\n"
             "  - { name: asm, assembly: { produces: k, parts: { x: 1, y: 2 } } }\n",
             n_x, n_y);
}

/* 5 x and 7 y: three kits use 3 x and 6 y; 2 x and 1 y are left, and the
 * next kit needs another y that no source will release. */
static void test_assembly_short_of_a_part_is_reported(void **state)
{
    char yaml[1024];
    kits_yaml(yaml, sizeof yaml, 5, 7);
    run x = run_yaml(yaml, 1);
    assert_int_equal(x.r->products[2].produced, 3);
    const ft_warning *w = find(x.r, FT_WARN_KIT_STARVED);
    assert_non_null(w);
    assert_string_equal(w->where, "asm");
    assert_int_equal(w->items, 3);
    assert_non_null(strstr(w->message, "1 more y"));
    run_free(&x);
}

/* 6 x and 12 y: six kits, nothing left over, and no warning at all. */
static void test_assembly_with_every_part_has_no_warning(void **state)
{
    char yaml[1024];
    kits_yaml(yaml, sizeof yaml, 6, 12);
    run x = run_yaml(yaml, 1);
    assert_int_equal(x.r->products[2].produced, 6);
    assert_int_equal(x.r->n_warnings, 0);
    run_free(&x);
}

/* Parts are not products: 6 kits consume 6 x and 12 y, and the report
 * says so instead of listing x and y as products with 0 produced. */
static void test_parts_are_reported_as_consumed(void **state)
{
    char yaml[1024];
    kits_yaml(yaml, sizeof yaml, 6, 12);
    run x = run_yaml(yaml, 1);
    const ft_product_kpis *p = x.r->products;
    assert_true(p[0].part && p[1].part && !p[2].part);
    assert_int_equal(p[0].consumed, 6);
    assert_int_equal(p[1].consumed, 12);
    assert_int_equal(p[0].produced + p[1].produced, 0);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    ft_report_print(x.r, out);
    fclose(out);
    /* x first appears under the parts' header, not in the product table */
    const char *parts = strstr(text, "\npart "), *x_row = strstr(text, "\nx ");
    assert_non_null(parts);
    assert_true(x_row > parts);
    free(text);
    run_free(&x);
}

/* M/M/1, service exp(1 min), arrivals exp(interarrival), over 2 days. */
static void mm1_yaml(char *buf, size_t size, const char *interarrival)
{
    snprintf(buf, size,
             "model: mm1\n"
             "run: { length: 2d }\n"
             "products:\n"
             "  - { name: c, routing: [ { station: srv, time: exp(60s) } ] }\n"
             "sources:\n"
             "  - { name: a, product: c, interarrival: exp(%s) }\n"
             "stations:\n"
             "  - { name: srv }\n",
             interarrival);
}

/* lambda = 2 mu: the queue grows without bound. An item that arrives at a
 * leaves at a lambda/mu, so over a period T the mean time in system of
 * those that left is T (lambda - mu) / (2 lambda) while the time-average
 * WIP is T (lambda - mu) / 2: lambda_exit W / L = mu / lambda = 1/2, far
 * beyond the 10 % edge effect of a long run. */
static void test_overloaded_plant_breaks_littles_law(void **state)
{
    char yaml[1024];
    mm1_yaml(yaml, sizeof yaml, "30s");
    run x = run_yaml(yaml, 7);
    const ft_warning *w = find(x.r, FT_WARN_LITTLE_GAP);
    assert_non_null(w);
    double ratio = x.r->little_lambda_w / x.r->wip_mean;
    assert_true(fabs(ratio - 0.5) < 0.1);
    run_free(&x);
}

/* rho = 0.5: L = lambda W within the edge effect (W / T ~ 1e-3): no warning. */
static void test_stable_queue_has_no_warning(void **state)
{
    char yaml[1024];
    mm1_yaml(yaml, sizeof yaml, "2min");
    run x = run_yaml(yaml, 7);
    assert_int_equal(x.r->n_warnings, 0);
    run_free(&x);
}

/* Below the public API: a station left idle with an item in its queue (no
 * flow_start, so nothing ever offers it) is what a lost wake-up leaves
 * behind; the report must see it. */
static void test_idle_station_with_waiting_item_is_reported(void **state)
{
    const char *yaml = "model: idle\n"
                       "products:\n"
                       "  - { name: c, routing: [ { station: srv, time: 1s } ] }\n"
                       "sources:\n"
                       "  - { name: a, product: c, interarrival: 1h, start: 10h }\n"
                       "stations:\n"
                       "  - { name: srv }\n";
    ft_error err = {0};
    model_desc *m = model_load_string(yaml, strlen(yaml), "idle.yaml", &err);
    assert_non_null(m);
    sim *s = sim_new();
    flow_factory *f = flow_build(m, s, 1, NULL, NULL, &err);
    assert_non_null(f);
    assert_int_equal(flow_place_item(f, "srv", "c", 1, 0, &err), 0);
    sim_run_until(s, 60);
    ft_report r;
    flow_report(f, &r);
    const ft_warning *w = find(&r, FT_WARN_STATION_STALLED);
    assert_non_null(w);
    assert_string_equal(w->where, "srv");
    assert_int_equal(w->items, 1);
    assert_true(w->since_s == 0);
    flow_free(f);
    sim_free(s);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rework_loop_deadlock_is_reported),
        cmocka_unit_test(test_assembly_short_of_a_part_is_reported),
        cmocka_unit_test(test_assembly_with_every_part_has_no_warning),
        cmocka_unit_test(test_parts_are_reported_as_consumed),
        cmocka_unit_test(test_overloaded_plant_breaks_littles_law),
        cmocka_unit_test(test_stable_queue_has_no_warning),
        cmocka_unit_test(test_idle_station_with_waiting_item_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
