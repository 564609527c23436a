/* test_flow_bottleneck.c -- the active-period method sees transport and
 * does not pass over a busy single server for a partly idle group.
 *
 * 1. One station feeding one AGV on a one-way loop A -> B -> SHIP -> A
 *    (30 m, 30 m, 42.4 m at 1 m/s, 10 s to load and to unload): a trip
 *    takes 60 + 20 s loaded and handling plus 42.4 s back, 122.4 s, while
 *    the station needs 10 s an item. Once the first item is ready the
 *    vehicle never idles again -- one active period for the whole run --
 *    while the station works 10 s in every 122.4 s and is blocked
 *    otherwise: the fleet is the constraint, sole bottleneck nearly all of
 *    the time. With 300 s at the station the roles swap.
 * 2. An open line with exponential arrivals every 100 s: X with 4 servers
 *    of 264 s (66 % each) then Y with one of 96 s (96 %). Y is the
 *    constraint (the highest utilization in an open line); X almost always
 *    has a server working (so counting it active then named it) but
 *    mostly also one free, and must not be named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fabtwin/fabtwin.h"

static const ft_report *run(ft_model **m, ft_sim **s, const char *yaml)
{
    ft_error err = {0};
    *m = ft_model_load_string(yaml, strlen(yaml), "bn.yaml", &err);
    if (!*m)
        ft_error_print(&err, stderr);
    assert_non_null(*m);
    ft_run_options opt = {0};
    *s = ft_sim_new(*m, &opt, &err);
    assert_non_null(*s);
    assert_int_equal(ft_sim_run(*s, &err), 0);
    const ft_report *r = ft_sim_report(*s);
    printf("# seed %llu: bottleneck %s\n", (unsigned long long)r->seed,
           r->bottleneck ? r->bottleneck : "none");
    return r;
}

static void fleet_plant(char *buf, size_t size, const char *station_time)
{
    snprintf(buf, size,
             "model: carried\n"
             "run: { length: 1d, warmup: 1h }\n"
             "products:\n"
             "  - { name: p, routing: [ { station: A, time: %s } ] }\n"
             "sources:\n"
             "  - { name: raw, product: p, always: true }\n"
             "buffers:\n"
             "  - { name: in, capacity: 1, feeds: A }\n"
             "stations:\n"
             "  - { name: A, pick: A, out: 1 }\n"
             "layout:\n"
             "  following: 1m\n"
             "  nodes:\n"
             "    - { name: A, at: [0m, 0m] }\n"
             "    - { name: B, at: [30m, 0m] }\n"
             "    - { name: SHIP, at: [30m, 30m] }\n"
             "  edges:\n"
             "    - { path: [A, B, SHIP, A], one_way: true }\n"
             "  shipping: SHIP\n"
             "fleet: { vehicles: 1, speed: 1 m/s, load: 10s, unload: 10s }\n",
             station_time);
}

static void test_fleet_that_cannot_keep_up_is_the_bottleneck(void **state)
{
    char yaml[2048];
    fleet_plant(yaml, sizeof yaml, "10s");
    ft_model *m;
    ft_sim *s;
    const ft_report *r = run(&m, &s, yaml);
    assert_non_null(r->bottleneck);
    assert_string_equal(r->bottleneck, FT_BOTTLENECK_FLEET);
    assert_true(r->fleet->bottleneck_sole_frac > 0.9);
    assert_true(r->stations[0].bottleneck_sole_frac < 0.1);
    ft_sim_free(s);
    ft_model_free(m);
}

static void test_station_slower_than_its_fleet_is_the_bottleneck(void **state)
{
    char yaml[2048];
    fleet_plant(yaml, sizeof yaml, "300s");
    ft_model *m;
    ft_sim *s;
    const ft_report *r = run(&m, &s, yaml);
    assert_non_null(r->bottleneck);
    assert_string_equal(r->bottleneck, "A");
    assert_true(r->stations[0].bottleneck_sole_frac > 0.9);
    assert_true(r->fleet->bottleneck_sole_frac < 0.1);
    ft_sim_free(s);
    ft_model_free(m);
}

static void test_busy_single_server_beats_partly_idle_group(void **state)
{
    const char *yaml = "model: pair\n"
                       "run: { length: 20d, warmup: 1d, seed: 3 }\n"
                       "products:\n"
                       "  - name: p\n"
                       "    routing:\n"
                       "      - { station: X, time: 264s }\n"
                       "      - { station: Y, time: 96s }\n"
                       "sources:\n"
                       "  - { name: s, product: p, interarrival: exp(100s) }\n"
                       "stations:\n"
                       "  - { name: X, servers: 4 }\n"
                       "  - { name: Y }\n";
    ft_model *m;
    ft_sim *s;
    const ft_report *r = run(&m, &s, yaml);
    printf("# utilization X %.3f Y %.3f; sole X %.3f Y %.3f\n", r->stations[0].utilization,
           r->stations[1].utilization, r->stations[0].bottleneck_sole_frac,
           r->stations[1].bottleneck_sole_frac);
    assert_non_null(r->bottleneck);
    assert_string_equal(r->bottleneck, "Y");
    assert_true(r->stations[1].bottleneck_sole_frac > r->stations[0].bottleneck_sole_frac);
    ft_sim_free(s);
    ft_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fleet_that_cannot_keep_up_is_the_bottleneck),
        cmocka_unit_test(test_station_slower_than_its_fleet_is_the_bottleneck),
        cmocka_unit_test(test_busy_single_server_beats_partly_idle_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
