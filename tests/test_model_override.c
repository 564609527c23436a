/* test_model_override.c -- parameter overrides (ft_override): a value set
 * by its path lands in the model exactly as if the file had said it, a key
 * the file left out can be added, and every wrong path or value is refused
 * with a message that points at the override, not at the model file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "model/model.h"

#define MODEL FT_SOURCE_DIR "/models/elevator-line.yaml"

static model_desc *load_with(const char *path, const char *value, ft_error *err)
{
    ft_override ov = {.path = path, .value = value, .file = "sweep.yaml", .line = 7, .col = 5};
    return model_load_file_with(MODEL, &ov, 1, err);
}

static model_desc *must_load(const char *path, const char *value)
{
    ft_error err = {0};
    model_desc *m = load_with(path, value, &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return m;
}

static void expect_error(const char *path, const char *value, const char *needle)
{
    ft_error err = {0};
    model_desc *m = load_with(path, value, &err);
    if (m)
        fail_msg("%s=%s was accepted", path, value);
    if (!strstr(err.msg, needle))
        fail_msg("%s=%s: message '%s' lacks '%s'", path, value, err.msg, needle);
    assert_string_equal(err.file, "sweep.yaml");
    assert_int_equal(err.line, 7);
    assert_int_equal(err.col, 5);
}

static void test_override_adds_a_key_the_file_left_out(void **state)
{
    /* 轿厢焊接 has no `servers` in the file (default 1). */
    model_desc *m = must_load("stations.轿厢焊接.servers", "3");
    assert_int_equal(m->stations[model_find_station(m, "轿厢焊接")].servers, 3);
    assert_int_equal(m->stations[model_find_station(m, "轿厢喷涂")].servers, 1);
    model_free(m);
}

static void test_override_replaces_a_value(void **state)
{
    model_desc *m = must_load("buffers.喷涂前缓存.capacity", "10");
    assert_int_equal(m->buffers[model_find_buffer(m, "喷涂前缓存")].capacity, 10);
    model_free(m);
    m = must_load("run.length", "2d");
    assert_true(m->run.length_s == 2 * 86400.0);
    model_free(m);
}

static void test_override_reaches_a_routing_step_and_a_failure_mode(void **state)
{
    model_desc *m = must_load("products.轿厢.routing.轿厢焊接.time", "exp(100s)");
    int car = model_find_product(m, "轿厢");
    assert_true(fabs(sim_dist_mean(&m->products[car].steps[0].time_s) - 100.0) < 1e-9);
    model_free(m);
    m = must_load("stations.轿厢焊接.failures.焊枪故障.mttr", "exp(12min)");
    const model_station *st = &m->stations[model_find_station(m, "轿厢焊接")];
    assert_true(fabs(sim_dist_mean(&st->failures[0].ttr_s) - 720.0) < 1e-9);
    model_free(m);
    /* an index picks the entry too */
    m = must_load("products.0.routing.1.time", "90s");
    assert_true(fabs(sim_dist_mean(&m->products[car].steps[1].time_s) - 90.0) < 1e-9);
    model_free(m);
}

static void test_override_errors_point_at_the_override(void **state)
{
    expect_error("stations.轿厢悍接.servers", "2", "did you mean '轿厢焊接'");
    expect_error("stations.轿厢焊接.server", "2", "servers");
    expect_error("stations.轿厢焊接.servers", "2.5", "servers");
    expect_error("buffers.喷涂前缓存.capacity", "5s", "capacity");
    expect_error("stations.轿厢焊接.failures", "2", "a section");
    expect_error("stations.轿厢焊接", "2", "whole entry");
    expect_error("stations.轿厢焊接.name", "x", "renaming");
    expect_error("stations..servers", "2", "empty");
    expect_error("stations.轿厢焊接.", "2", "ends with a dot");
    expect_error("stations.99.servers", "2", "fewer entries");
    expect_error("model.x", "2", "single value");
    expect_error("stations.[轿厢焊接.servers", "2", "closing ']'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_override_adds_a_key_the_file_left_out),
        cmocka_unit_test(test_override_replaces_a_value),
        cmocka_unit_test(test_override_reaches_a_routing_step_and_a_failure_mode),
        cmocka_unit_test(test_override_errors_point_at_the_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
