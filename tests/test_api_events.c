/* test_api_events.c -- what a client sees of a running simulation: the
 * event observer of ft_run_options gets every event in time order,
 * consistent with the KPIs (each finished item one "exit", each item a
 * source lets in one "release"); and ft_sim_snapshot gives the state at the
 * clock exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "fabtwin/fabtwin.h"

typedef struct seen {
    double last_t;
    bool ordered;
    uint64_t exits, releases, starts, finishes, with_item;
} seen;

static void count(void *ctx, const ft_event *e)
{
    seen *s = ctx;
    s->ordered &= e->time_s >= s->last_t;
    s->last_t = e->time_s;
    s->exits += e->kind == FT_EVENT_EXIT;
    s->releases += e->kind == FT_EVENT_RELEASE;
    s->starts += e->kind == FT_EVENT_START;
    s->finishes += e->kind == FT_EVENT_FINISH;
    s->with_item += e->item != 0 && e->product[0] != '\0';
}

static void test_observer_sees_every_exit_in_time_order(void **state)
{
    ft_error err = {0};
    ft_model *m = ft_model_load(FT_SOURCE_DIR "/models/elevator-line.yaml", &err);
    assert_non_null(m);
    seen s = {.ordered = true};
    ft_run_options o = {.has_warmup = true, .warmup_s = 0, .has_length = true,
                        .length_s = 8 * 3600, .on_event = count, .event_ctx = &s};
    ft_sim *sim = ft_sim_new(m, &o, &err);
    assert_non_null(sim);
    assert_int_equal(ft_sim_run(sim, &err), 0);
    const ft_report *r = ft_sim_report(sim);
    uint64_t produced = 0;
    for (size_t i = 0; i < r->n_products; i++)
        produced += r->products[i].produced + r->products[i].scrapped;
    assert_true(s.ordered);
    assert_true(produced > 0);
    assert_int_equal(s.exits, produced);
    /* 30 cars and 60 doors an hour are released while the plant has room */
    assert_true(s.releases > 0 && s.releases <= 8 * 90);
    /* every start is finished, but for the jobs still in process at the end */
    assert_true(s.finishes <= s.starts && s.starts - s.finishes <= 6);
    assert_true(s.with_item >= s.exits + s.releases);
    ft_sim_free(sim);
    ft_model_free(m);
}

/* D/D/1 with arrivals every 10 s and 25 s of service. A source releases its
 * first item one interarrival after its start (docs/model-language.md), so
 * at 95 s nine items have arrived (10, 20, ..., 90), three are done (35,
 * 60, 85), one is in process since 85 s and five wait. */
static void test_snapshot_is_the_state_at_the_clock(void **state)
{
    static const char yaml[] = "model: dd1\n"
                               "run: { warmup: 0s, length: 1h }\n"
                               "products:\n"
                               "  - { name: p, routing: [{ station: S, time: 25s }] }\n"
                               "sources:\n"
                               "  - { name: in, product: p, interarrival: 10s }\n"
                               "buffers:\n"
                               "  - { name: B, capacity: 100, feeds: S }\n"
                               "stations:\n"
                               "  - { name: S }\n";
    ft_error err = {0};
    ft_model *m = ft_model_load_string(yaml, sizeof yaml - 1, "dd1.yaml", &err);
    if (!m)
        fail_msg("%s", err.msg);
    ft_sim *sim = ft_sim_new(m, NULL, &err);
    assert_non_null(sim);
    assert_int_equal(ft_sim_advance(sim, 95, &err), 0);
    const ft_snapshot *snap = ft_sim_snapshot(sim);
    assert_true(snap->now_s == 95);
    assert_int_equal(snap->produced, 3);
    assert_int_equal(snap->wip, 6);
    assert_int_equal(snap->n_stations, 1);
    assert_string_equal(snap->stations[0].name, "S");
    assert_string_equal(snap->stations[0].buffer, "B");
    assert_int_equal(snap->stations[0].queue, 5);
    assert_int_equal(snap->stations[0].capacity, 100);
    assert_int_equal(snap->stations[0].in_state[FT_WORKING], 1);
    assert_int_equal(snap->stations[0].processed, 3);
    ft_sim_free(sim);
    ft_model_free(m);
}

/* The trace names of the event kinds, as README.md documents them (and as
 * the trace has always spelled them): each kind has its name, in order,
 * and no two kinds share one. */
static void test_event_kinds_have_their_documented_trace_names(void **state)
{
    (void)state;
    static const char *const documented[] = {
        "release", "enqueue", "setup",  "start",       "finish",          "kit",
        "blocked", "rework",  "convey", "pickup",      "load",            "unload",
        "exit",    "scrap",   "fail",   "repair",      "maintenance",     "maintenance_end",
        "shift_off", "shift_on"};
    assert_int_equal(FT_EVENT_N_KINDS, sizeof documented / sizeof documented[0]);
    for (int k = 0; k < FT_EVENT_N_KINDS; k++) {
        assert_string_equal(ft_event_kind_name((ft_event_kind)k), documented[k]);
        for (int j = 0; j < k; j++)
            assert_string_not_equal(documented[j], ft_event_kind_name((ft_event_kind)k));
    }
    assert_string_equal(ft_event_kind_name(FT_EVENT_N_KINDS), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_kinds_have_their_documented_trace_names),
        cmocka_unit_test(test_observer_sees_every_exit_in_time_order),
        cmocka_unit_test(test_snapshot_is_the_state_at_the_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
