/* test_model_values.c -- the values of the model language land in the
 * description with the meaning docs/model-language.md gives them: units
 * converted to seconds, metres and metres per second, every distribution's
 * parameters in the sim_dist slots sim_dist.h documents, and every default
 * the documented one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

static model_desc *load(const char *yaml)
{
    ft_error err = {0};
    model_desc *m = model_load_string(yaml, strlen(yaml), "values.yaml", &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return m;
}

/* A one-station model whose step time and interarrival are the given text. */
static model_desc *load_times(const char *time, const char *interarrival)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "model: m\n"
             "products:\n"
             "  - name: p\n"
             "    routing:\n"
             "      - station: S\n"
             "        time: \"%s\"\n"
             "sources:\n"
             "  - { name: s, product: p, interarrival: \"%s\" }\n"
             "stations:\n"
             "  - name: S\n",
             time, interarrival);
    return load(yaml);
}

static void expect_const(const char *time, double seconds)
{
    model_desc *m = load_times(time, "1h");
    const sim_dist *d = &m->products[0].steps[0].time_s;
    printf("  %-10s -> %.9g s\n", time, d->p[0]);
    assert_int_equal(d->kind, SIM_DIST_CONST);
    assert_float_equal(d->p[0], seconds, 1e-12 * seconds);
    model_free(m);
}

/* ---- durations and rates ------------------------------------------------ */

static void test_durations_convert_to_seconds(void **state)
{
    (void)state;
    expect_const("90s", 90);
    expect_const("2min", 120);
    expect_const("1.5h", 5400);
    expect_const("1d", 86400);
    expect_const("1w", 604800);
    expect_const("250 ms", 0.25);
    expect_const("1.5e3s", 1500);
    expect_const(".5min", 30);
}

/* A rate is the constant duration 1/rate: 30/h is one every 120 s. */
static void test_rates_are_constant_interarrival_times(void **state)
{
    (void)state;
    const char *rates[] = {"30/h", "2/min", "720/d", "0.5/s"};
    const double expect[] = {120, 30, 120, 2};
    for (size_t i = 0; i < 4; i++) {
        model_desc *m = load_times("1s", rates[i]);
        const sim_dist *d = &m->sources[0].interarrival_s;
        assert_int_equal(d->kind, SIM_DIST_CONST);
        assert_float_equal(d->p[0], expect[i], 1e-12);
        model_free(m);
    }
}

/* ---- distributions: parameters in the slots of sim_dist.h --------------- */

static sim_dist step_dist(model_desc **m, const char *time)
{
    *m = load_times(time, "1h");
    return (*m)->products[0].steps[0].time_s;
}

static void expect_params(const char *time, sim_dist_kind kind, double p0, double p1, double p2)
{
    model_desc *m;
    sim_dist d = step_dist(&m, time);
    printf("  %-28s -> %s(%g, %g, %g)\n", time, sim_dist_kind_name(d.kind), d.p[0], d.p[1],
           d.p[2]);
    assert_int_equal(d.kind, kind);
    assert_float_equal(d.p[0], p0, 1e-12 * fabs(p0));
    assert_float_equal(d.p[1], p1, 1e-12 * fabs(p1));
    assert_float_equal(d.p[2], p2, 1e-12 * fabs(p2));
    model_free(m);
}

static void test_uniform_takes_min_and_max(void **state)
{
    (void)state;
    expect_params("uniform(1min, 2min)", SIM_DIST_UNIFORM, 60, 120, 0);
}

static void test_tri_takes_min_mode_max(void **state)
{
    (void)state;
    expect_params("tri(100s, 115s, 130s)", SIM_DIST_TRIANGULAR, 100, 115, 130);
    expect_params("tri( 1min ,2min,  3min )", SIM_DIST_TRIANGULAR, 60, 120, 180);
}

static void test_exp_takes_its_mean(void **state)
{
    (void)state;
    expect_params("exp(2min)", SIM_DIST_EXPONENTIAL, 120, 0, 0);
}

static void test_normal_takes_mean_and_sd(void **state)
{
    (void)state;
    expect_params("normal(50s, 5s)", SIM_DIST_NORMAL, 50, 5, 0);
}

/* cv is a plain number: lognormal(90s, 0.2) = mean 90 s, cv 0.2. */
static void test_lognormal_takes_mean_and_plain_cv(void **state)
{
    (void)state;
    expect_params("lognormal(90s, 0.2)", SIM_DIST_LOGNORMAL, 90, 0.2, 0);
}

static void test_gamma_and_weibull_take_plain_shape_and_duration_scale(void **state)
{
    (void)state;
    expect_params("gamma(4, 10min)", SIM_DIST_GAMMA, 4, 600, 0);
    expect_params("weibull(1.5, 45min)", SIM_DIST_WEIBULL, 1.5, 2700, 0);
}

/* erlang(k, mean): k phases, mean of the sum. */
static void test_erlang_takes_phases_and_mean_of_the_sum(void **state)
{
    (void)state;
    expect_params("erlang(3, 80s)", SIM_DIST_ERLANG, 3, 80, 0);
}

/* empirical(5min: 3, 8min: 1): values 300 s and 480 s with probabilities
 * 3/4 and 1/4, so the cumulative weights are 0.75 and 1. */
static void test_empirical_takes_values_and_weights(void **state)
{
    (void)state;
    model_desc *m;
    sim_dist d = step_dist(&m, "empirical(5min: 3, 8min: 1)");
    assert_int_equal(d.kind, SIM_DIST_EMPIRICAL);
    assert_int_equal(d.n, 2);
    assert_float_equal(d.values[0], 300, 0);
    assert_float_equal(d.values[1], 480, 0);
    assert_float_equal(d.cum[0], 0.75, 1e-15);
    assert_float_equal(d.cum[1], 1.0, 0);
    model_free(m);
}

/* In a flow mapping YAML ends a plain value at a comma; the loader takes
 * the distribution up to its ')' and keeps the keys after it. */
static void test_distribution_with_commas_in_a_flow_mapping(void **state)
{
    (void)state;
    model_desc *m = load("model: m\n"
                         "products:\n"
                         "  - { name: p, routing: [{ time: tri(1s, 2s, 3s), station: S }] }\n"
                         "sources:\n"
                         "  - { name: s, product: p, interarrival: uniform(1min,2min), limit: 5 }\n"
                         "stations:\n"
                         "  - { name: S }\n");
    const sim_dist *t = &m->products[0].steps[0].time_s;
    assert_int_equal(t->kind, SIM_DIST_TRIANGULAR);
    assert_float_equal(t->p[2], 3, 0);
    assert_int_equal(m->products[0].steps[0].station, 0);
    assert_int_equal(m->sources[0].interarrival_s.kind, SIM_DIST_UNIFORM);
    assert_float_equal(m->sources[0].interarrival_s.p[1], 120, 0);
    assert_int_equal(m->sources[0].limit, 5);
    model_free(m);
}

/* ---- quantities, probabilities, lengths, speeds ------------------------- */

static void test_quantities_take_the_products_unit(void **state)
{
    (void)state;
    model_desc *m = load("model: m\n"
                         "products:\n"
                         "  - { name: roll, unit: m, quantity: 1000 m, routing: [{ station: S, time: 1s }] }\n"
                         "  - { name: box, quantity: 12pcs, routing: [{ station: S, time: 1s }] }\n"
                         "  - { name: bag, routing: [{ station: S, time: 1s }] }\n"
                         "sources:\n"
                         "  - { name: a, product: roll, interarrival: 1h }\n"
                         "  - { name: b, product: roll, interarrival: 1h, quantity: 250m }\n"
                         "  - { name: c, product: box, interarrival: 1h }\n"
                         "  - { name: d, product: bag, interarrival: 1h }\n"
                         "stations:\n"
                         "  - { name: S }\n");
    assert_string_equal(m->products[0].unit, "m");
    assert_float_equal(m->products[0].quantity, 1000, 0);
    assert_float_equal(m->products[1].quantity, 12, 0);
    assert_string_equal(m->products[2].unit, "pcs"); /* default unit */
    assert_float_equal(m->products[2].quantity, 1, 0); /* default quantity */
    assert_float_equal(m->sources[0].quantity, 1000, 0); /* the product's */
    assert_float_equal(m->sources[1].quantity, 250, 0);
    model_free(m);
}

static void test_probabilities_as_fractions_or_percentages(void **state)
{
    (void)state;
    model_desc *m = load("model: m\n"
                         "products:\n"
                         "  - { name: p, routing: [{ station: A, time: 1s }, { station: Q, time: 1s }] }\n"
                         "sources:\n"
                         "  - { name: s, product: p, interarrival: 1h }\n"
                         "stations:\n"
                         "  - { name: A }\n"
                         "  - { name: Q, inspection: { scrap: 2%, rework: 0.05, rework_to: A } }\n");
    assert_int_equal(m->stations[1].kind, MODEL_STATION_INSPECTION);
    assert_float_equal(m->stations[1].p_scrap, 0.02, 1e-15);
    assert_float_equal(m->stations[1].p_rework, 0.05, 1e-15);
    assert_int_equal(m->stations[1].rework_to, 0);
    model_free(m);
}

/* 50 cm = 0.5 m; 2 m/min = 1/30 m/s; 5 mm = 0.005 m. */
static void test_lengths_and_speeds_convert_to_metres_and_seconds(void **state)
{
    (void)state;
    model_desc *m = load("model: m\n"
                         "products:\n"
                         "  - { name: p, routing: [{ station: A, time: 1s }, { station: B, time: 1s }] }\n"
                         "sources:\n"
                         "  - { name: s, product: p, interarrival: 1h }\n"
                         "conveyors:\n"
                         "  - { name: c, from: A, to: B, length: 0.05km, speed: 2m/min, spacing: 50cm }\n"
                         "stations:\n"
                         "  - { name: A }\n"
                         "  - { name: B }\n");
    const model_conveyor *c = &m->conveyors[0];
    assert_float_equal(c->length_m, 50, 1e-12);
    assert_float_equal(c->speed_m_per_s, 1.0 / 30, 1e-15);
    assert_float_equal(c->spacing_m, 0.5, 1e-15);
    assert_true(c->accumulating); /* the default */
    assert_int_equal(c->from, 0);
    assert_int_equal(c->to, 1);
    model_free(m);
}

/* ---- run, defaults ------------------------------------------------------ */

static void test_run_defaults_are_seed_1_no_warmup_no_length(void **state)
{
    (void)state;
    model_desc *m = load_times("1s", "1h");
    assert_true(m->run.seed == 1);
    assert_float_equal(m->run.warmup_s, 0, 0);
    assert_float_equal(m->run.length_s, 0, 0); /* 0 = not given */
    assert_int_equal(m->stations[0].servers, 1);
    assert_int_equal(m->stations[0].calendar, MODEL_NONE);
    assert_false(m->stations[0].has_setup);
    assert_int_equal(m->stations[0].kind, MODEL_STATION_PROCESS);
    assert_int_equal(m->sources[0].limit, 0);
    assert_float_equal(m->sources[0].start_s, 0, 0);
    model_free(m);
}

/* The largest seed is 2^64 - 1; one more does not fit. */
static void test_seed_is_unsigned_64_bit(void **state)
{
    (void)state;
    const char *yaml = "model: m\n"
                       "run: { seed: 18446744073709551615, warmup: 2h, length: 1d }\n"
                       "products: [{ name: p, routing: [{ station: S, time: 1s }] }]\n"
                       "sources: [{ name: s, product: p, interarrival: 1h }]\n"
                       "stations: [{ name: S }]\n";
    model_desc *m = load(yaml);
    assert_true(m->run.seed == UINT64_MAX);
    assert_float_equal(m->run.warmup_s, 7200, 0);
    assert_float_equal(m->run.length_s, 86400, 0);
    model_free(m);
    char bad[512];
    snprintf(bad, sizeof bad, "%s", yaml);
    memcpy(strstr(bad, "18446744073709551615"), "18446744073709551616", 20);
    ft_error err = {0};
    assert_null(model_load_string(bad, strlen(bad), "values.yaml", &err));
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 14);
    assert_non_null(strstr(err.msg, "expected a seed"));
}

static void test_station_parts_land_where_documented(void **state)
{
    (void)state;
    model_desc *m = load("model: m\n"
                         "products:\n"
                         "  - { name: p, routing: [{ station: S, time: 1s }] }\n"
                         "sources:\n"
                         "  - { name: s, product: p, interarrival: 1h }\n"
                         "buffers:\n"
                         "  - { name: B, capacity: inf, feeds: S }\n"
                         "stations:\n"
                         "  - name: S\n"
                         "    servers: 3\n"
                         "    setup: exp(5min)\n"
                         "    failures:\n"
                         "      - { name: jam, mtbf: exp(8h), mttr: 20min }\n"
                         "      - { name: power, mtbf: 30d, mttr: 2h, clock: calendar }\n"
                         "    maintenance: { every: 1w, duration: 4h }\n");
    const model_station *st = &m->stations[0];
    assert_int_equal(st->servers, 3);
    assert_true(st->has_setup);
    assert_int_equal(st->setup_s.kind, SIM_DIST_EXPONENTIAL);
    assert_float_equal(st->setup_s.p[0], 300, 0);
    assert_int_equal(st->n_failures, 2);
    assert_string_equal(st->failures[0].name, "jam");
    assert_true(st->failures[0].by_operating_time); /* default clock: operating */
    assert_float_equal(st->failures[0].ttf_s.p[0], 8 * 3600, 0);
    assert_float_equal(st->failures[0].ttr_s.p[0], 1200, 0);
    assert_false(st->failures[1].by_operating_time);
    assert_float_equal(st->maintenance.every_s, 604800, 0);
    assert_float_equal(st->maintenance.duration_s, 14400, 0);
    assert_float_equal(st->maintenance.first_s, 604800, 0); /* default: first = every */
    assert_int_equal(m->buffers[0].capacity, MODEL_INFINITE_CAPACITY);
    assert_int_equal(m->buffers[0].discipline, MODEL_FIFO);
    assert_int_equal(model_station_input(m, 0), 0);
    model_free(m);
}

/* `at` is a floor position in metres, any sign; it needs two lengths. */
static void test_station_position_is_two_lengths_in_metres(void **state)
{
    model_desc *m = load("model: m\n"
                         "products: [{ name: p, routing: [{ station: S, time: 1s }] }]\n"
                         "sources: [{ name: s, product: p, interarrival: 1h }]\n"
                         "stations: [{ name: S, at: [-1.5m, 250cm] }]\n");
    assert_true(m->stations[0].has_at);
    assert_true(m->stations[0].at_m[0] == -1.5);
    assert_true(m->stations[0].at_m[1] == 2.5);
    model_free(m);
    static const char *const bad[] = {"[1m]", "[1m, 2m, 3m]", "[1, 2]", "[1s, 2m]", "5m"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char yaml[256];
        snprintf(yaml, sizeof yaml,
                 "model: m\nproducts: [{ name: p, routing: [{ station: S, time: 1s }] }]\n"
                 "sources: [{ name: s, product: p, interarrival: 1h }]\n"
                 "stations: [{ name: S, at: %s }]\n",
                 bad[i]);
        ft_error err = {0};
        model_desc *x = model_load_string(yaml, strlen(yaml), "at.yaml", &err);
        if (x)
            fail_msg("at: %s was accepted", bad[i]);
        assert_int_equal(err.line, 4);
        assert_non_null(strstr(err.msg, "'at' of station 'S'"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations_convert_to_seconds),
        cmocka_unit_test(test_rates_are_constant_interarrival_times),
        cmocka_unit_test(test_uniform_takes_min_and_max),
        cmocka_unit_test(test_tri_takes_min_mode_max),
        cmocka_unit_test(test_exp_takes_its_mean),
        cmocka_unit_test(test_normal_takes_mean_and_sd),
        cmocka_unit_test(test_lognormal_takes_mean_and_plain_cv),
        cmocka_unit_test(test_gamma_and_weibull_take_plain_shape_and_duration_scale),
        cmocka_unit_test(test_erlang_takes_phases_and_mean_of_the_sum),
        cmocka_unit_test(test_empirical_takes_values_and_weights),
        cmocka_unit_test(test_distribution_with_commas_in_a_flow_mapping),
        cmocka_unit_test(test_quantities_take_the_products_unit),
        cmocka_unit_test(test_probabilities_as_fractions_or_percentages),
        cmocka_unit_test(test_lengths_and_speeds_convert_to_metres_and_seconds),
        cmocka_unit_test(test_run_defaults_are_seed_1_no_warmup_no_length),
        cmocka_unit_test(test_seed_is_unsigned_64_bit),
        cmocka_unit_test(test_station_parts_land_where_documented),
        cmocka_unit_test(test_station_position_is_two_lengths_in_metres),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
