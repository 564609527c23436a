/* test_twin_forecast.c -- the end-of-shift forecast against what then
 * happened. Over a test set of emulated shifts (different plant seeds), the
 * twin forecasts every hour from the mirrored state; the true final output
 * must lie in the forecast's P10-P90 band in at least 80 % of them. Nominal
 * coverage of an 80 % band is 80 %; with integer outputs and an inclusive
 * band it is at least that when the forecast is unbiased, so a forecast
 * that starts from a wrong state (lost WIP, sources out of phase) fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "twin/twin_emulate.h"
#include "twin/twin_session.h"

#define N_SHIFTS 6
#define MAX_FORECASTS 16

typedef struct collected {
    twin_forecast f[MAX_FORECASTS];
    int n;
} collected;

static void collect(void *ctx, const twin_forecast *f)
{
    collected *c = ctx;
    if (c->n < MAX_FORECASTS)
        c->f[c->n++] = *f;
}

static void to_session(void *ctx, const char *gw, const char *type, double ts_s, const char *p,
                       size_t len)
{
    twin_session_message(ctx, type, p, len);
}

static void test_forecast_band_covers_the_true_output(void **state)
{
    ft_error err = {0};
    ft_model *m = ft_model_load(FT_SOURCE_DIR "/models/elevator-line.yaml", &err);
    assert_non_null(m);
    twin_model tm;
    assert_int_equal(twin_model_init(&tm, m, 86400, &err), 0);
    int inside = 0, total = 0;
    double worst_ms = 0;
    for (int shift = 0; shift < N_SHIFTS; shift++) {
        collected c = {0};
        twin_session *s = calloc(1, sizeof *s);
        twin_session_options so = {.shift_end_tod_s = 14 * 3600, .forecast_every_s = 3600,
                                   .replications = 40, .seed = 99 + (uint64_t)shift,
                                   .on_forecast = collect, .forecast_ctx = &c};
        assert_int_equal(twin_session_init(s, m, &so, &err), 0);
        twin_emulate_options o = {.start_s = 6 * 3600, .end_s = 14 * 3600, .has_seed = true,
                                  .seed = 1000 + (uint64_t)shift, .gateways = 1,
                                  .counters_every_s = 300, .kill_gateway = -1,
                                  .sink = to_session, .sink_ctx = s};
        twin_truth truth;
        assert_int_equal(twin_emulate_run(m, &tm, &o, &truth, &err), 0);
        assert_int_equal(twin_mirror_output(&s->mirror), truth.output);
        assert_int_equal(c.n, 7); /* 07:00 ... 13:00 */
        for (int i = 0; i < c.n; i++) {
            const twin_forecast *f = &c.f[i];
            bool in = f->p10 <= (double)truth.output && (double)truth.output <= f->p90;
            inside += in;
            total++;
            if (f->elapsed_ms > worst_ms)
                worst_ms = f->elapsed_ms;
            assert_non_null(f->bottleneck);
            assert_true(f->p10 <= f->p50 && f->p50 <= f->p90);
            assert_true((double)f->so_far <= f->p10); /* output only grows */
        }
        twin_session_free(s);
        free(s);
    }
    printf("  seeds: plant 1000..%d, forecasts 99..%d\n", 1000 + N_SHIFTS - 1, 99 + N_SHIFTS - 1);
    printf("forecast coverage: %d of %d P10-P90 bands contain the true output (%.0f %%); "
           "slowest forecast %.1f ms (40 replications)\n",
           inside, total, 100.0 * inside / total, worst_ms);
    assert_true(inside >= 0.8 * total);
    twin_model_free(&tm);
    ft_model_free(m);
}

/* The forecast is the plant's future, so a plant that is done is certain:
 * at the shift end P10 = P50 = P90 = the output so far. */
static void test_forecast_after_shift_end_is_the_count(void **state)
{
    ft_error err = {0};
    ft_model *m = ft_model_load(FT_SOURCE_DIR "/models/elevator-line.yaml", &err);
    assert_non_null(m);
    twin_model tm;
    assert_int_equal(twin_model_init(&tm, m, 86400, &err), 0);
    twin_mirror *mi = calloc(1, sizeof *mi);
    assert_int_equal(twin_mirror_init(mi, &tm, &err), 0);
    const char *counters = "{\"v\":1,\"type\":\"counters\",\"gw\":\"g\",\"seq\":1,\"ts\":50400,"
                           "\"released\":9,\"produced\":{\"电梯\":7}}";
    assert_int_equal(twin_mirror_ingest(mi, counters, strlen(counters)), TWIN_QUARANTINED);
    twin_mirror_finish(mi); /* the end of the input: the clock starts on what there is */
    assert_int_equal(mi->accepted, 1);
    twin_forecast f;
    twin_forecast_options fo = {.replications = 10, .shift_end_s = 50400, .target = 7};
    assert_int_equal(twin_forecast_run(mi, &fo, &f, &err), 0);
    assert_true(f.p10 == 7 && f.p50 == 7 && f.p90 == 7);
    assert_true(f.p_target == 1.0);
    twin_mirror_free(mi);
    free(mi);
    twin_model_free(&tm);
    ft_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forecast_band_covers_the_true_output),
        cmocka_unit_test(test_forecast_after_shift_end_is_the_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
