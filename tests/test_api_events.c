/* test_api_events.c -- the event observer of ft_run_options sees every
 * event of a run, in time order, consistent with the KPIs: each finished
 * item is one "exit" event, each item a source lets in one "release". */
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
    s->exits += strcmp(e->kind, "exit") == 0;
    s->releases += strcmp(e->kind, "release") == 0;
    s->starts += strcmp(e->kind, "start") == 0;
    s->finishes += strcmp(e->kind, "finish") == 0;
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_observer_sees_every_exit_in_time_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
