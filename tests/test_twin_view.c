/* test_twin_view.c -- reading a twin from another thread (twin_view.h, what
 * `fabtwin serve --twin` shows): a gateway that falls silent for the stale
 * timeout makes its stations stale and a message makes them fresh again;
 * time in each state adds up to the observed time; views taken by a reader
 * thread while a shift is fed are consistent snapshots (counts never go
 * back, the version only grows) and the last one equals the mirror; the
 * forecast history holds every forecast in order, from any starting point. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "twin/twin_emulate.h"
#include "twin/twin_view.h"
#include "testutil.h"

typedef struct fixture {
    ft_model *model;
    twin_session *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    ft_error err = {0};
    f->model = ft_model_load(FT_SOURCE_DIR "/models/elevator-line.yaml", &err);
    f->s = calloc(1, sizeof *f->s);
    twin_session_options so = {.shift_end_tod_s = 14 * 3600, .forecast_every_s = 3600,
                               .replications = 10, .seed = 1, .target = 230,
                               .stale_after_s = 900};
    if (!f->model || !f->s || twin_session_init(f->s, f->model, &so, &err) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    twin_session_free(f->s);
    free(f->s);
    ft_model_free(f->model);
    free(f);
    return 0;
}

static void say(fixture *f, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* accepted, or held until the plant clock is established (4 agree) */
    twin_reject r = twin_session_message(f->s, "", buf, (size_t)n);
    assert_true(r == TWIN_OK || (r == TWIN_QUARANTINED && !f->s->mirror.clock_set));
}

static const twin_station_view *station(const twin_view *v, const char *name)
{
    for (size_t i = 0; i < v->n_stations; i++)
        if (strcmp(v->stations[i].name, name) == 0)
            return &v->stations[i];
    fail_msg("no station %s", name);
    return NULL;
}

static void test_a_silent_gateway_goes_stale_after_the_timeout_and_fresh_when_heard(void **state)
{
    fixture *f = *state;
    twin_view *v = malloc(sizeof *v);
    say(f, "{\"v\":1,\"type\":\"birth\",\"gw\":\"a\",\"seq\":0,\"ts\":21600,"
           "\"stations\":[\"总装\"]}");
    say(f, "{\"v\":1,\"type\":\"birth\",\"gw\":\"b\",\"seq\":0,\"ts\":21600,"
           "\"stations\":[\"包装发运\"]}");
    /* b speaks every 5 minutes, a falls silent after its birth */
    for (int k = 1; k <= 3; k++)
        say(f, "{\"v\":1,\"type\":\"station\",\"gw\":\"b\",\"seq\":%d,\"ts\":%d,"
               "\"station\":\"包装发运\",\"state\":\"working\"}", k, 21600 + 300 * k);
    assert_true(twin_session_view(f->s, 0, v));
    assert_false(station(v, "总装")->stale);          /* 900 s of silence: not more */
    say(f, "{\"v\":1,\"type\":\"station\",\"gw\":\"b\",\"seq\":4,\"ts\":22501,"
           "\"station\":\"包装发运\",\"state\":\"idle\"}");
    twin_session_view(f->s, 0, v);
    assert_true(station(v, "总装")->stale);           /* 901 s */
    assert_false(station(v, "包装发运")->stale);
    assert_string_equal(station(v, "总装")->gateway, "a");
    say(f, "{\"v\":1,\"type\":\"station\",\"gw\":\"a\",\"seq\":1,\"ts\":22502,"
           "\"station\":\"总装\",\"state\":\"idle\"}");
    twin_session_view(f->s, 0, v);
    assert_false(station(v, "总装")->stale);
    free(v);
}

static void test_time_in_each_state_adds_up_to_the_observed_time(void **state)
{
    fixture *f = *state;
    twin_view *v = malloc(sizeof *v);
    const char *st[] = {"working", "idle", "working", "failed"};
    const int at[] = {21600, 21660, 21700, 21900};
    for (int k = 0; k < 4; k++)
        say(f, "{\"v\":1,\"type\":\"station\",\"gw\":\"a\",\"seq\":%d,\"ts\":%d,"
               "\"station\":\"总装\",\"state\":\"%s\"}", k, at[k], st[k]);
    say(f, "{\"v\":1,\"type\":\"station\",\"gw\":\"a\",\"seq\":4,\"ts\":22000,"
           "\"station\":\"包装发运\",\"state\":\"idle\"}");     /* the clock reaches 22000 */
    twin_session_view(f->s, 0, v);
    const twin_station_view *s = station(v, "总装");
    assert_true(s->known && s->state == TWIN_ST_FAILED);
    assert_float_equal(s->state_s[TWIN_ST_WORKING], 60 + 200, 1e-9);
    assert_float_equal(s->state_s[TWIN_ST_IDLE], 40, 1e-9);
    assert_float_equal(s->state_s[TWIN_ST_FAILED], 100, 1e-9); /* still failed, up to now */
    twin_change ch[TWIN_CHANGE_KEEP];
    size_t n = twin_session_changes(f->s, 3, ch, TWIN_CHANGE_KEEP); /* 总装 is the 4th */
    assert_int_equal(n, 4);
    for (size_t k = 0; k < n; k++)
        assert_float_equal(ch[k].time_s, at[k], 1e-9);
    assert_int_equal(twin_session_changes(f->s, 3, ch, 2), 2); /* the latest two */
    assert_int_equal(ch[1].state, TWIN_ST_FAILED);
    free(v);
}

/* ---- a reader thread while a shift is fed ---------------------------------------- */


typedef struct reader {
    twin_session *s;
    atomic_bool done;
    size_t views, regressions;
} reader;

static void *read_views(void *arg)
{
    reader *r = arg;
    twin_view *v = malloc(sizeof *v);
    uint64_t version = 0, output = 0, received = 0;
    size_t forecasts = 0;
    /* until told to stop and at least one view seen: no bet on timing */
    while (!atomic_load(&r->done) || r->views == 0) {
        struct timespec pause = {0, 200000}; /* a dashboard looks 20 times a second; 5000 here */
        nanosleep(&pause, NULL);
        if (!twin_session_view(r->s, version, v))
            continue;
        r->views++;
        r->regressions += v->version <= version || v->output < output ||
                          v->received < received || v->n_forecasts < forecasts;
        version = v->version, output = v->output, received = v->received;
        forecasts = v->n_forecasts;
    }
    free(v);
    return NULL;
}

static void test_views_from_another_thread_are_consistent_snapshots(void **state)
{
    fixture *f = *state;
    ft_error err = {0};
    twin_model tm;
    assert_int_equal(twin_model_init(&tm, f->model, 86400, &err), 0);
    ft_lines l = {0};
    twin_truth truth;
    twin_emulate_options eo = {.start_s = 6 * 3600, .end_s = 14 * 3600, .gateways = 2,
                               .counters_every_s = 300, .kill_gateway = -1,
                               .sink = ft_lines_append, .sink_ctx = &l};
    assert_int_equal(twin_emulate_run(f->model, &tm, &eo, &truth, &err), 0);

    reader r = {.s = f->s};
    atomic_init(&r.done, false);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, read_views, &r), 0);
    for (char *p = l.buf, *nl; p < l.buf + l.len; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(l.buf + l.len - p));
        twin_reject got = twin_session_message(f->s, "", p, (size_t)(nl - p));
        assert_true(got == TWIN_OK || (got == TWIN_QUARANTINED && !f->s->mirror.clock_set));
    }
    atomic_store(&r.done, true);
    pthread_join(t, NULL);
    assert_true(r.views > 0);
    assert_int_equal(r.regressions, 0);

    twin_view *v = malloc(sizeof *v);
    assert_true(twin_session_view(f->s, 0, v));
    assert_int_equal(v->output, truth.output);
    assert_int_equal(v->released, truth.released);
    assert_int_equal(v->wip, f->s->mirror.n_live);
    assert_int_equal(v->n_forecasts, 7);             /* 07:00 ... 13:00 */
    assert_int_equal(v->n_gateways, 2);
    assert_false(twin_session_view(f->s, v->version, v)); /* nothing new */

    twin_forecast all[TWIN_FORECAST_KEEP];
    size_t first, n = twin_session_forecasts(f->s, 0, all, TWIN_FORECAST_KEEP, &first);
    assert_int_equal(n, 7);
    assert_int_equal(first, 0);
    for (size_t k = 0; k < n; k++) {
        assert_float_equal(all[k].now_s, 7 * 3600 + 3600.0 * (double)k, 1e-9);
        assert_true(all[k].p10 <= all[k].p50 && all[k].p50 <= all[k].p90);
    }
    assert_float_equal(v->forecast.now_s, all[6].now_s, 1e-9);
    twin_forecast later[TWIN_FORECAST_KEEP];
    n = twin_session_forecasts(f->s, 5, later, TWIN_FORECAST_KEEP, &first);
    assert_int_equal(n, 2);
    assert_int_equal(first, 5);
    assert_float_equal(later[0].now_s, all[5].now_s, 1e-9);
    assert_int_equal(twin_session_forecasts(f->s, 7, later, TWIN_FORECAST_KEEP, &first), 0);
    free(v);
    free(l.buf);
    twin_model_free(&tm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_silent_gateway_goes_stale_after_the_timeout_and_fresh_when_heard, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_time_in_each_state_adds_up_to_the_observed_time,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_views_from_another_thread_are_consistent_snapshots,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
