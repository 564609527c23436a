/* test_model_load.c -- whole models: the example in docs/model-language.md
 * loads as written, names in any script round-trip, order lists come from
 * CSV files next to the model and are sorted by time, and the lookups of
 * model.h find what the file defines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "testutil.h"

static model_desc *load_as(const char *yaml, size_t len, const char *path)
{
    ft_error err = {0};
    model_desc *m = model_load_string(yaml, len, path, &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return m;
}

static int station(const model_desc *m, const char *name)
{
    int i = model_find_station(m, name);
    if (i == MODEL_NONE)
        fail_msg("no station '%s'", name);
    return i;
}

static int product(const model_desc *m, const char *name)
{
    int i = model_find_product(m, name);
    if (i == MODEL_NONE)
        fail_msg("no product '%s'", name);
    return i;
}

/* ---- the documented example --------------------------------------------- */

/* The first ```yaml block of the language page, loaded as if it were
 * tests/models/doc-example.yaml, so that its orders.csv is the fixture
 * tests/models/orders.csv. Expected values are read off the example. */
static void test_the_example_in_the_language_doc_loads(void **state)
{
    (void)state;
    char doc_path[1024], model_path[1024];
    snprintf(doc_path, sizeof doc_path, "%s/docs/model-language.md", FT_SOURCE_DIR);
    snprintf(model_path, sizeof model_path, "%s/tests/models/doc-example.yaml", FT_SOURCE_DIR);
    char *doc = ft_read_text(doc_path);
    char *begin = strstr(doc, "```yaml\n");
    assert_non_null(begin);
    begin += strlen("```yaml\n");
    char *end = strstr(begin, "```");
    assert_non_null(end);
    model_desc *m = load_as(begin, (size_t)(end - begin), model_path);

    assert_string_equal(m->name, "电梯与线缆工厂");
    assert_true(m->run.seed == 42);
    assert_float_equal(m->run.warmup_s, 7200, 0);
    assert_float_equal(m->run.length_s, 86400, 0);
    assert_int_equal(m->n_products, 5);
    assert_int_equal(m->n_sources, 5);
    assert_int_equal(m->n_buffers, 3);
    assert_int_equal(m->n_stations, 11);
    assert_int_equal(m->n_conveyors, 1);
    assert_int_equal(m->n_calendars, 2);

    /* the assembly: elevator made from 1 car and 2 doors, starting at 'final' */
    const model_station *final = &m->stations[station(m, "final")];
    assert_int_equal(final->kind, MODEL_STATION_ASSEMBLY);
    assert_int_equal(final->produces, product(m, "elevator"));
    assert_int_equal(final->n_bom, 2);
    assert_int_equal(final->bom[0].product, product(m, "car"));
    assert_int_equal(final->bom[0].count, 1);
    assert_int_equal(final->bom[1].product, product(m, "door"));
    assert_int_equal(final->bom[1].count, 2);
    const model_product *elevator = &m->products[product(m, "elevator")];
    assert_int_equal(elevator->steps[0].station, station(m, "final"));
    assert_int_equal(elevator->steps[0].time_s.kind, SIM_DIST_UNIFORM);
    assert_float_equal(elevator->steps[0].time_s.p[1], 240, 0);

    /* the split: cable into 10 pieces of 'piece' */
    const model_station *cutter = &m->stations[station(m, "cutter")];
    assert_int_equal(cutter->kind, MODEL_STATION_SPLIT);
    assert_int_equal(cutter->split_count, 10);
    assert_int_equal(cutter->produces, product(m, "piece"));
    assert_float_equal(m->products[product(m, "cable")].quantity, 1000, 0);

    /* the inspection sends 5 % back to 'adjust' */
    const model_station *inspect = &m->stations[station(m, "inspect")];
    assert_int_equal(inspect->rework_to, station(m, "adjust"));
    assert_float_equal(inspect->p_rework, 0.05, 1e-15);

    /* frame: two-shift calendar, setup, two failure modes, weekly maintenance from day 5 */
    const model_station *frame = &m->stations[station(m, "frame")];
    assert_string_equal(m->calendars[frame->calendar].name, "two-shift");
    assert_int_equal(frame->n_failures, 2);
    assert_float_equal(frame->maintenance.first_s, 5 * 86400, 0);

    /* door-orders: 30/h is one every 120 s, at most 1000 */
    const model_source *doors = &m->sources[1];
    assert_string_equal(doors->name, "door-orders");
    assert_float_equal(doors->interarrival_s.p[0], 120, 0);
    assert_int_equal(doors->limit, 1000);

    /* plan: orders.csv, sorted by time: (0s car 3), (2h cable 1), (8h door 10) */
    const model_source *plan = &m->sources[3];
    assert_int_equal(plan->kind, MODEL_SOURCE_ORDERS);
    assert_string_equal(plan->orders_file, "orders.csv");
    assert_int_equal(plan->n_orders, 3);
    assert_int_equal(plan->orders[0].product, product(m, "car"));
    assert_float_equal(plan->orders[1].time_s, 7200, 0);
    assert_float_equal(plan->orders[1].quantity, 1000, 0);
    assert_int_equal(plan->orders[2].count, 10);

    /* the belt goes from spin to weave only; final has a buffer, paint none */
    assert_int_equal(model_find_conveyor(m, station(m, "spin"), station(m, "weave")), 0);
    assert_int_equal(model_find_conveyor(m, station(m, "weave"), station(m, "spin")), MODEL_NONE);
    assert_int_equal(model_station_input(m, station(m, "final")), model_find_buffer(m, "B-final"));
    assert_int_equal(model_station_input(m, station(m, "paint")), MODEL_NONE);
    model_free(m);
    free(doc);
}

/* ---- names -------------------------------------------------------------- */

static void test_chinese_names_round_trip(void **state)
{
    (void)state;
    const char *yaml = "model: 西奥电梯总装线\n"
                       "products:\n"
                       "  - name: 电梯\n"
                       "    unit: 台\n"
                       "    quantity: 1 台\n"
                       "    routing:\n"
                       "      - { station: 整机调试, time: 108s }\n"
                       "sources:\n"
                       "  - { name: 订单, product: 电梯, interarrival: 2min }\n"
                       "buffers:\n"
                       "  - { name: 调试前缓存, capacity: 4, feeds: 整机调试 }\n"
                       "stations:\n"
                       "  - { name: 整机调试, calendar: 两班 }\n"
                       "calendars:\n"
                       "  两班: { days: [mon], shifts: [{ from: \"06:00\", to: \"22:00\" }] }\n";
    model_desc *m = load_as(yaml, strlen(yaml), "电梯.yaml");
    assert_string_equal(m->name, "西奥电梯总装线");
    assert_string_equal(m->path, "电梯.yaml");
    assert_string_equal(m->products[0].name, "电梯");
    assert_string_equal(m->products[0].unit, "台");
    assert_string_equal(m->stations[0].name, "整机调试");
    assert_string_equal(m->buffers[0].name, "调试前缓存");
    assert_string_equal(m->sources[0].name, "订单");
    assert_string_equal(m->calendars[0].name, "两班");
    assert_int_equal(model_find_station(m, "整机调试"), 0);
    assert_int_equal(model_find_product(m, "电梯"), 0);
    assert_int_equal(model_find_buffer(m, "调试前缓存"), 0);
    assert_int_equal(model_find_station(m, "整机"), MODEL_NONE);
    model_free(m);
}

/* Did-you-mean works on characters, not bytes: one CJK character off. */
static void test_did_you_mean_suggests_chinese_names(void **state)
{
    (void)state;
    const char *yaml = "model: m\n"
                       "products:\n"
                       "  - { name: 电梯, routing: [{ station: 整机调式, time: 1s }] }\n"
                       "stations:\n"
                       "  - { name: 整机调试 }\n";
    ft_error err = {0};
    assert_null(model_load_string(yaml, strlen(yaml), "t.yaml", &err));
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 38); /* columns count characters: "电梯" is 2 */
    assert_non_null(strstr(err.msg, "station '整机调式' is not defined; did you mean '整机调试'?"));
}

/* ---- order lists -------------------------------------------------------- */

/* plan.csv (CR LF, a comment, a header, a blank line, a quoted name with a
 * comma, spaces around fields) holds, in this order:
 *   2h frame 1 | 0s "door, left" 2 | 2h roll 3 (250 m) | 1h frame 4
 * Sorted by time, equal times in file order:
 *   0s door 2 | 1h frame 4 | 2h frame 1 | 2h roll 3. */
static void test_csv_orders_are_read_relative_to_the_model_and_sorted(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/models/plan-model.yaml", FT_SOURCE_DIR);
    ft_error err = {0};
    model_desc *m = model_load_file(path, &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    const model_source *s = &m->sources[0];
    int frame = product(m, "frame"), door = product(m, "door, left"), roll = product(m, "roll");
    assert_int_equal(s->kind, MODEL_SOURCE_ORDERS);
    assert_int_equal(s->n_orders, 4);
    const struct { double t; int p; long n; double q; } want[] = {
        {0, door, 2, 1}, {3600, frame, 4, 1}, {7200, frame, 1, 1}, {7200, roll, 3, 250}};
    for (size_t i = 0; i < 4; i++) {
        assert_float_equal(s->orders[i].time_s, want[i].t, 0);
        assert_int_equal(s->orders[i].product, want[i].p);
        assert_int_equal(s->orders[i].count, want[i].n);
        assert_float_equal(s->orders[i].quantity, want[i].q, 0);
    }
    model_free(m);
}

/* Inline orders are sorted the same way, and keep their order on ties. */
static void test_inline_orders_are_sorted_stably(void **state)
{
    (void)state;
    const char *yaml = "model: m\n"
                       "products:\n"
                       "  - { name: a, routing: [{ station: S, time: 1s }] }\n"
                       "  - { name: b, routing: [{ station: S, time: 1s }] }\n"
                       "sources:\n"
                       "  - name: plan\n"
                       "    orders:\n"
                       "      - { time: 1h, product: b, count: 1 }\n"
                       "      - { time: 0s, product: a, count: 2 }\n"
                       "      - { time: 1h, product: a, count: 3 }\n"
                       "      - { time: 30min, product: b, count: 4 }\n"
                       "stations:\n"
                       "  - { name: S }\n";
    model_desc *m = load_as(yaml, strlen(yaml), "t.yaml");
    const model_source *s = &m->sources[0];
    const long counts[] = {2, 4, 1, 3};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(s->orders[i].count, counts[i]);
    assert_null(s->orders_file);
    model_free(m);
}

/* ---- model_free --------------------------------------------------------- */

static void test_model_free_accepts_null(void **state)
{
    (void)state;
    model_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_example_in_the_language_doc_loads),
        cmocka_unit_test(test_chinese_names_round_trip),
        cmocka_unit_test(test_did_you_mean_suggests_chinese_names),
        cmocka_unit_test(test_csv_orders_are_read_relative_to_the_model_and_sorted),
        cmocka_unit_test(test_inline_orders_are_sorted_stably),
        cmocka_unit_test(test_model_free_accepts_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
