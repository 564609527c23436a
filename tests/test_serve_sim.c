/* test_serve_sim.c -- the dashboard's simulation thread does not run on
 * after its engine failed: it keeps the error for `fabtwin serve` (which
 * then exits 1 with it) and stops advancing. The failures are real, not
 * injected: a plant that holds more items than its run.max_items allows
 * (arrivals every second, 25 s of service: more than 5 items by 6 s), and
 * a clock started at 10^18 s, where a double's unit in the last place is
 * 128 s, which cannot represent the model's 25 s process time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/serve.h"

/* Arrivals every second and 25 s of service: the queue grows by about 24
 * items in 25 s, past the cap of 5 within the first 10 s. */
static const char yaml[] = "model: flooded\n"
                           "run: { max_items: 5 }\n"
                           "products:\n"
                           "  - { name: p, routing: [{ station: S, time: 25s }] }\n"
                           "sources:\n"
                           "  - { name: in, product: p, interarrival: 1s }\n"
                           "stations:\n"
                           "  - { name: S }\n";

static ft_model *load(void)
{
    ft_error err = {0};
    ft_model *m = ft_model_load_string(yaml, sizeof yaml - 1, "flooded.yaml", &err);
    if (!m)
        fail_msg("%s", err.msg);
    return m;
}

static void test_a_failing_run_stops_the_thread_with_its_error(void **state)
{
    (void)state;
    ft_model *m = load();
    ft_error err = {0};
    ft_run_options o = {.has_warmup = true, .has_length = true, .length_s = 1e6};
    /* 10^5 simulated seconds per real second: the cap is passed within the
     * first step or two */
    serve_sim *ss = serve_sim_new(m, &o, 1e5, &err);
    if (!ss)
        fail_msg("%s", err.msg);
    bool failed = false;
    for (int i = 0; i < 200 && !(failed = serve_sim_failed(ss, &err)); i++) {
        struct timespec nap = {0, 50000000L};
        nanosleep(&nap, NULL);
    }
    assert_true(failed);
    assert_non_null(strstr(err.msg, "more than 5 items in the plant"));
    /* the last good state is still there to read */
    uint64_t version = 0;
    char *doc = serve_sim_state(ss, 0, 0, &version);
    assert_non_null(doc);
    free(doc);
    serve_sim_free(ss);
    ft_model_free(m);
}

/* When the very start fails there is nothing to serve: raw material that
 * is always there goes into process at the start, and its 25 s are lost. */
static void test_a_run_that_fails_at_its_start_is_not_served(void **state)
{
    (void)state;
    static const char always[] = "model: late-always\n"
                                 "products:\n"
                                 "  - { name: p, routing: [{ station: S, time: 25s }] }\n"
                                 "sources:\n"
                                 "  - { name: in, product: p, always: true }\n"
                                 "buffers:\n"
                                 "  - { name: B, capacity: 2, feeds: S }\n"
                                 "stations:\n"
                                 "  - { name: S }\n";
    ft_error err = {0};
    ft_model *m = ft_model_load_string(always, sizeof always - 1, "always.yaml", &err);
    if (!m)
        fail_msg("%s", err.msg);
    ft_run_options o = {.has_warmup = true, .has_length = true, .length_s = 1e6, .start_s = 1e18};
    serve_sim *ss = serve_sim_new(m, &o, 1, &err);
    assert_null(ss);
    assert_non_null(strstr(err.msg, "resolution"));
    ft_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_failing_run_stops_the_thread_with_its_error),
        cmocka_unit_test(test_a_run_that_fails_at_its_start_is_not_served),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
