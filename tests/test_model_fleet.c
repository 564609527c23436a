/* test_model_fleet.c -- the AGV path network (`layout:`) and fleet
 * (`fleet:`): a valid model loads with every value as written, and every
 * rule of docs/model-language.md ("Layout and AGV fleet") is an error at the
 * right line and column.
 *
 * Expected values are derived by hand from the YAML (distances from the
 * node positions, fractions per metre and per second from the percentages);
 * positions are counted by hand, lines and columns 1-based, columns in
 * characters, as the comment above each test says. */
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
#include "testutil.h"

static model_desc *must_load(const char *yaml)
{
    ft_error err = {0};
    model_desc *m = model_load_string(yaml, strlen(yaml), "t.yaml", &err);
    if (!m)
        fail_msg("should load: %s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    return m;
}

static void expect_ok(const char *yaml)
{
    model_free(must_load(yaml));
}

static void expect_error(const char *yaml, int line, int col, const char *needle)
{
    ft_error err = {0};
    model_desc *m = model_load_string(yaml, strlen(yaml), "t.yaml", &err);
    if (m) {
        model_free(m);
        fail_msg("the model loaded, but it should have failed with '%s'", needle);
    }
    printf("  -> %s:%d:%d: %s\n", err.file, err.line, err.col, err.msg);
    assert_string_equal(err.file, "t.yaml");
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' does not contain '%s'", err.msg, needle);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
}

/* ---- a valid model ------------------------------------------------------ */

/* A triangle of two-way edges (原料库, A, P1) and a one-way loop
 * A -> B -> 成品库 -> 充电桩1 -> A. 订单 is picked up at 原料库 and taken to
 * 冲压 at A; 冲压 sends to 焊接 at B; 焊接 ships to 成品库. 门板 goes from 检测
 * (no AGV keys) to 焊接 without a vehicle. */
static const char valid[] =
    "model: 无人车间\n"                                                         /* 1 */
    "products:\n"                                                               /* 2 */
    "  - name: 壳体\n"                                                          /* 3 */
    "    routing:\n"                                                            /* 4 */
    "      - { station: 冲压, time: 60s }\n"                                    /* 5 */
    "      - { station: 焊接, time: 50s }\n"                                    /* 6 */
    "  - name: 门板\n"                                                          /* 7 */
    "    routing:\n"                                                            /* 8 */
    "      - { station: 检测, time: 30s }\n"                                    /* 9 */
    "      - { station: 焊接, time: 40s }\n"                                    /* 10 */
    "sources:\n"                                                                /* 11 */
    "  - { name: 订单, product: 壳体, interarrival: 2min, pick: 原料库, out: 10 }\n" /* 12 */
    "  - { name: 门板订单, product: 门板, interarrival: 4min }\n"               /* 13 */
    "stations:\n"                                                               /* 14 */
    "  - { name: 冲压, drop: A, pick: A, out: 2 }\n"                            /* 15 */
    "  - { name: 焊接, drop: B, pick: B }\n"                                    /* 16 */
    "  - { name: 检测 }\n"                                                      /* 17 */
    "layout:\n"                                                                 /* 18 */
    "  following: 2m\n"                                                         /* 19 */
    "  nodes:\n"                                                                /* 20 */
    "    - { name: 原料库, at: [0m, 0m] }\n"                                    /* 21 */
    "    - { name: A, at: [3m, 4m] }\n"                                         /* 22 */
    "    - { name: P1, at: [-3m, 4m] }\n"                                       /* 23 */
    "    - { name: B, at: [3m, 10m] }\n"                                        /* 24 */
    "    - { name: 成品库, at: [0m, 10m] }\n"                                   /* 25 */
    "    - { name: 充电桩1, at: [0m, 5m] }\n"                                   /* 26 */
    "  edges:\n"                                                                /* 27 */
    "    - { from: 原料库, to: A }\n"                                           /* 28 */
    "    - { path: [A, P1, 原料库] }\n"                                         /* 29 */
    "    - { from: A, to: B, one_way: true, length: 14m }\n"                    /* 30 */
    "    - { path: [B, 成品库, 充电桩1, A], one_way: true }\n"                  /* 31 */
    "  parking: [P1]\n"                                                         /* 32 */
    "  chargers: [充电桩1]\n"                                                   /* 33 */
    "  shipping: 成品库\n"                                                      /* 34 */
    "fleet:\n"                                                                  /* 35 */
    "  vehicles: 6\n"                                                           /* 36 */
    "  speed: 1.5 m/s\n"                                                        /* 37 */
    "  load: 15s\n"                                                             /* 38 */
    "  unload: tri(10s, 15s, 20s)\n"                                            /* 39 */
    "  capacity: 2\n"                                                           /* 40 */
    "  dispatch: optimal\n"                                                     /* 41 */
    "  battery:\n"                                                              /* 42 */
    "    per_km: 1%\n"                                                          /* 43 */
    "    per_hour: 2%\n"                                                        /* 44 */
    "    full_charge: 2h\n"                                                     /* 45 */
    "    charge_below: 30%\n"                                                   /* 46 */
    "    charge_to: 95%\n";                                                     /* 47 */

static void test_valid_layout_has_nodes_edges_and_places_as_written(void **state)
{
    (void)state;
    model_desc *m = must_load(valid);
    const model_layout *l = &m->layout;
    assert_true(l->present);
    assert_float_equal(l->following_m, 2, 0);
    assert_int_equal(l->pos.line, 18);
    assert_int_equal(l->pos.col, 1);

    assert_int_equal(l->n_nodes, 6);
    assert_string_equal(l->nodes[0].name, "原料库");
    assert_float_equal(l->nodes[2].at_m[0], -3, 0);
    assert_float_equal(l->nodes[2].at_m[1], 4, 0);
    assert_int_equal(l->nodes[4].pos.line, 25); /* "    - { name: 成品库" */
    assert_int_equal(l->nodes[4].pos.col, 7);
    assert_int_equal(model_find_node(m, "成品库"), 4);
    assert_int_equal(model_find_node(m, "充电桩1"), 5);
    assert_int_equal(model_find_node(m, "充电桩"), MODEL_NONE);
    assert_int_equal(model_find_node(m, NULL), MODEL_NONE);

    /* 7 edges: 1 + 2 (a path of 3 nodes) + 1 + 3 (a path of 4) */
    assert_int_equal(l->n_edges, 7);
    const model_edge *e = l->edges;
    /* 原料库 [0,0] – A [3,4]: the 3-4-5 triangle */
    assert_int_equal(e[0].from, 0);
    assert_int_equal(e[0].to, 1);
    assert_false(e[0].one_way);
    assert_float_equal(e[0].length_m, 5, 1e-12);
    assert_int_equal(e[0].pos.line, 28);
    assert_int_equal(e[0].pos.col, 7);
    /* A [3,4] – P1 [-3,4]: 6 m; P1 – 原料库: 5 m. A path edge sits at its
     * first node in the list: A at column 16, P1 at 19. */
    assert_int_equal(e[1].from, 1);
    assert_int_equal(e[1].to, 2);
    assert_float_equal(e[1].length_m, 6, 1e-12);
    assert_int_equal(e[1].pos.line, 29);
    assert_int_equal(e[1].pos.col, 16);
    assert_int_equal(e[2].from, 2);
    assert_int_equal(e[2].to, 0);
    assert_float_equal(e[2].length_m, 5, 1e-12);
    assert_int_equal(e[2].pos.col, 19);
    /* A -> B: the explicit length wins over the straight 6 m */
    assert_true(e[3].one_way);
    assert_float_equal(e[3].length_m, 14, 0);
    /* B [3,10] -> 成品库 [0,10]: 3 m; -> 充电桩1 [0,5]: 5 m; -> A [3,4]: sqrt(10) */
    assert_true(e[4].one_way && e[5].one_way && e[6].one_way);
    assert_float_equal(e[4].length_m, 3, 1e-12);
    assert_float_equal(e[5].length_m, 5, 1e-12);
    assert_float_equal(e[6].length_m, sqrt(10), 1e-12);
    assert_int_equal(e[6].from, 5);
    assert_int_equal(e[6].to, 1);
    assert_int_equal(e[6].pos.line, 31);
    assert_int_equal(e[6].pos.col, 24); /* "[B, 成品库, " is 8 characters after '[' at 15 */

    assert_int_equal(l->n_parking, 1);
    assert_int_equal(l->parking[0], 2);
    assert_int_equal(l->n_chargers, 1);
    assert_int_equal(l->chargers[0], 5);
    assert_int_equal(l->shipping, 4);
    model_free(m);
}

static void test_valid_fleet_has_its_values_in_si_units(void **state)
{
    (void)state;
    model_desc *m = must_load(valid);
    const model_fleet *f = &m->fleet;
    assert_true(f->present);
    assert_int_equal(f->pos.line, 35);
    assert_int_equal(f->pos.col, 1);
    assert_int_equal(f->vehicles, 6);
    assert_float_equal(f->speed_m_per_s, 1.5, 0);
    assert_int_equal(f->load_s.kind, SIM_DIST_CONST);
    assert_float_equal(f->load_s.p[0], 15, 0);
    assert_int_equal(f->unload_s.kind, SIM_DIST_TRIANGULAR);
    assert_float_equal(f->unload_s.p[0], 10, 0);
    assert_float_equal(f->unload_s.p[2], 20, 0);
    assert_int_equal(f->capacity, 2);
    assert_int_equal(f->dispatch, MODEL_DISPATCH_OPTIMAL);
    /* 1 % of a charge per km = 0.01 / 1000 per metre; 2 % per hour =
     * 0.02 / 3600 per second; a full charge in 2 h = 1 / 7200 per second */
    const model_battery *b = &f->battery;
    assert_true(b->present);
    assert_float_equal(b->drain_per_m, 1e-5, 1e-18);
    assert_float_equal(b->drain_per_s, 0.02 / 3600, 1e-18);
    assert_float_equal(b->charge_per_s, 1.0 / 7200, 1e-18);
    assert_float_equal(b->charge_below, 0.30, 1e-15);
    assert_float_equal(b->charge_to, 0.95, 1e-15);
    model_free(m);
}

static void test_valid_stations_and_sources_have_pick_drop_and_out(void **state)
{
    (void)state;
    model_desc *m = must_load(valid);
    const model_station *press = &m->stations[model_find_station(m, "冲压")];
    const model_station *weld = &m->stations[model_find_station(m, "焊接")];
    const model_station *check = &m->stations[model_find_station(m, "检测")];
    assert_int_equal(press->pick, 1);
    assert_int_equal(press->drop, 1);
    assert_int_equal(press->out_capacity, 2);
    assert_int_equal(weld->pick, 3);
    assert_int_equal(weld->drop, 3);
    assert_int_equal(weld->out_capacity, 1);           /* the default */
    assert_int_equal(check->pick, MODEL_NONE);         /* no AGV keys at all */
    assert_int_equal(check->drop, MODEL_NONE);
    assert_int_equal(check->out_capacity, 1);
    assert_int_equal(m->sources[0].pick, 0);
    assert_int_equal(m->sources[0].out_capacity, 10);
    assert_int_equal(m->sources[1].pick, MODEL_NONE);
    assert_true(m->sources[1].out_capacity == MODEL_INFINITE_CAPACITY);
    model_free(m);
}

/* ---- defaults ----------------------------------------------------------- */

#define PLAIN                                                                                     \
    "model: m\n"                                                                                  \
    "products:\n"                                                                                 \
    "  - name: p\n"                                                                               \
    "    routing:\n"                                                                              \
    "      - { station: s1, time: 1min }\n"                                                       \
    "sources:\n"                                                                                  \
    "  - { name: src, product: p, interarrival: 2min }\n"                                         \
    "stations:\n"                                                                                 \
    "  - { name: s1 }\n"

static void test_without_layout_nothing_is_on_a_layout(void **state)
{
    (void)state;
    model_desc *m = must_load(PLAIN "layout:\nfleet:\n"); /* nothing = left out */
    assert_false(m->layout.present);
    assert_false(m->fleet.present);
    assert_int_equal(m->layout.shipping, MODEL_NONE);
    assert_int_equal(m->layout.n_nodes, 0);
    assert_int_equal(m->stations[0].pick, MODEL_NONE);
    assert_int_equal(m->stations[0].drop, MODEL_NONE);
    assert_int_equal(m->stations[0].out_capacity, 1);
    assert_int_equal(m->sources[0].pick, MODEL_NONE);
    assert_true(m->sources[0].out_capacity == MODEL_INFINITE_CAPACITY);
    assert_int_equal(model_find_node(m, "A"), MODEL_NONE);
    model_free(m);
}

/* ---- errors: the models of most tests below ---------------------------- */

/* Lines 1-12: the source on line 8 and stations s1 (line 10) and s2 (line
 * 11) take extra keys. "  - { name: s1" is 14 characters, so the value of
 * ", pick: A" is at column 23; "  - { name: src, product: p, interarrival:
 * 2min" is 47, so the value of ", pick: C" is at column 56. */
#define HEAD2(src, s1, s2, fleet)                                                                 \
    "model: m\n"                                                                                  \
    "products:\n"                                                                                 \
    "  - name: p\n"                                                                               \
    "    routing:\n"                                                                              \
    "      - { station: s1, time: 1min }\n"                                                       \
    "      - { station: s2, time: 1min }\n"                                                       \
    "sources:\n"                                                                                  \
    "  - { name: src, product: p, interarrival: 2min" src " }\n"                                  \
    "stations:\n"                                                                                 \
    "  - { name: s1" s1 " }\n"                                                                    \
    "  - { name: s2" s2 " }\n"                                                                    \
    fleet
/* HEAD(s1, s2, fleet); variadic so that AGV below can stand for s1 and s2 */
#define HEAD(...) HEAD2("", __VA_ARGS__)

/* Line 12; "fleet: { vehicles: " is 19 characters. */
#define FLEET "fleet: { vehicles: 2, speed: 1m/s }\n"

/* Lines 13-19: nodes A [0,0], B [10,0], C [5,5] on lines 16-18. */
#define LAYOUT_TOP                                                                                \
    "layout:\n"                                                                                   \
    "  following: 1m\n"                                                                           \
    "  nodes:\n"                                                                                  \
    "    - { name: A, at: [0m, 0m] }\n"                                                           \
    "    - { name: B, at: [10m, 0m] }\n"                                                          \
    "    - { name: C, at: [5m, 5m] }\n"
#define NODES LAYOUT_TOP "  edges:\n"

/* Line 20: a triangle of two-way edges, A at column 16, B 19, C 22, A 25. */
#define TRIANGLE "    - { path: [A, B, C, A] }\n"

/* s1 hands p to s2 by AGV: picked up at A, dropped at B. */
#define AGV ", pick: A", ", drop: B"
#define GOOD HEAD(AGV, FLEET) NODES TRIANGLE

/* Lines 13-20: A, B, C and D [15,0] on line 19; edges from line 21. */
#define NODES4 LAYOUT_TOP "    - { name: D, at: [15m, 0m] }\n" "  edges:\n"

/* Lines 13-24: two triangles, A B C and D E F (D on line 19). */
#define TWO_TRIANGLES                                                                             \
    LAYOUT_TOP                                                                                    \
    "    - { name: D, at: [20m, 0m] }\n"                                                          \
    "    - { name: E, at: [30m, 0m] }\n"                                                          \
    "    - { name: F, at: [25m, 5m] }\n"                                                          \
    "  edges:\n"                                                                                  \
    "    - { path: [A, B, C, A] }\n"                                                              \
    "    - { path: [D, E, F, D] }\n"

static void test_the_base_model_of_the_error_tests_loads(void **state)
{
    (void)state;
    expect_ok(GOOD);
    expect_ok(GOOD "  shipping: C\n"
                   "  parking: [C]\n"
                   "  chargers: []\n");
}

/* ---- 1. a layout and a fleet come together ------------------------------ */

static void test_fleet_without_layout_is_an_error_at_fleet(void **state)
{
    (void)state;
    expect_error(HEAD("", "", FLEET), 12, 1, "has a `fleet:` but no `layout:`");
}

static void test_layout_without_fleet_is_an_error_at_layout(void **state)
{
    (void)state;
    expect_error(HEAD("", "", "# no fleet\n") NODES TRIANGLE, 13, 1,
                 "has a `layout:` but no `fleet:`");
}

static void test_pick_or_drop_without_layout_is_an_error_at_the_value(void **state)
{
    (void)state;
    expect_error(HEAD(", pick: A", "", ""), 10, 23,
                 "station 's1' has `pick:` but the model has no `layout:`");
    expect_error(HEAD("", ", drop: B", ""), 11, 23,
                 "station 's2' has `drop:` but the model has no `layout:`");
    expect_error(HEAD2(", pick: C", "", "", ""), 8, 56,
                 "source 'src' has `pick:` but the model has no `layout:`");
}

/* ---- 2. nodes, edges, parking, chargers, shipping ----------------------- */

static void test_duplicate_node_name_is_an_error_at_the_second(void **state)
{
    (void)state;
    expect_error(HEAD(AGV, FLEET) LAYOUT_TOP "    - { name: A, at: [20m, 0m] }\n"
                                             "  edges:\n" TRIANGLE,
                 19, 7, "duplicate node name 'A' (first defined at line 16, column 7)");
}

/* "    - { from: A, to: " is 21 characters; "    - { path: [A, " 18. */
static void test_unknown_node_in_an_edge_or_path_suggests_the_closest(void **state)
{
    (void)state;
    expect_error(GOOD "    - { from: A, to: BB }\n", 21, 22,
                 "node 'BB' is not defined; did you mean 'B'?");
    expect_error(GOOD "    - { from: X, to: B }\n", 21, 15,
                 "node 'X' is not defined ('from' of edge #2 of the layout)");
    expect_error(GOOD "    - { path: [A, X] }\n", 21, 19, "node 'X' is not defined");
}

/* "  parking: [" is 12 characters, "  chargers: [" 13, "  shipping: " 12. */
static void test_unknown_node_in_parking_chargers_or_shipping_is_an_error(void **state)
{
    (void)state;
    expect_error(GOOD "  parking: [X]\n", 21, 13, "node 'X' is not defined ('parking' of");
    expect_error(GOOD "  chargers: [Cc]\n", 21, 14, "node 'Cc' is not defined; did you mean 'C'?");
    expect_error(GOOD "  shipping: Z\n", 21, 13, "node 'Z' is not defined ('shipping' of");
}

static void test_unknown_node_in_pick_or_drop_is_an_error_at_the_value(void **state)
{
    (void)state;
    expect_error(HEAD(", pick: Q", ", drop: B", FLEET) NODES TRIANGLE, 10, 23,
                 "node 'Q' is not defined ('pick' of station 's1')");
    expect_error(HEAD(", pick: A", ", drop: BB", FLEET) NODES TRIANGLE, 11, 23,
                 "node 'BB' is not defined; did you mean 'B'?");
    expect_error(HEAD2(", pick: Z", ", drop: A", ", drop: B", FLEET) NODES TRIANGLE, 8, 56,
                 "node 'Z' is not defined ('pick' of source 'src')");
}

static void test_edge_from_a_node_to_itself_is_an_error(void **state)
{
    (void)state;
    expect_error(GOOD "    - { from: C, to: C }\n", 21, 22, "goes from node 'C' to itself");
    expect_error(GOOD "    - { path: [A, C, C] }\n", 21, 22, "goes from node 'C' to itself");
}

/* The second edge of a pair is the error; the first of the triangle sits
 * at its A, column 16. */
static void test_two_edges_between_the_same_nodes_are_an_error(void **state)
{
    (void)state;
    expect_error(GOOD "    - { from: B, to: A }\n", 21, 7,
                 "edge 'B' – 'A' joins the same nodes as the edge at line 20, column 16");
    expect_error(GOOD "    - { from: A, to: B, one_way: true }\n", 21, 7,
                 "edge 'A' -> 'B' joins the same nodes as the edge at line 20, column 16");
    expect_error(HEAD(AGV, FLEET) NODES "    - { path: [A, B, C, A], one_way: true }\n"
                                        "    - { from: A, to: B, one_way: true }\n",
                 21, 7, "two one-way edges in opposite directions");
}

/* A one-way triangle and its reverse: every pair of nodes joined by two
 * one-way edges in opposite directions, each on a loop of 3. */
static void test_two_one_way_edges_in_opposite_directions_are_fine(void **state)
{
    (void)state;
    model_desc *m = must_load(HEAD(AGV, FLEET) NODES
                              "    - { path: [A, B, C, A], one_way: true }\n"
                              "    - { path: [A, C, B, A], one_way: true }\n");
    assert_int_equal(m->layout.n_edges, 6);
    model_free(m);
}

/* "    - { from: A, to: B, length: " is 32 characters. */
static void test_explicit_length_must_be_positive(void **state)
{
    (void)state;
    expect_error(GOOD "    - { from: A, to: B, length: 0m }\n", 21, 33,
                 "a length must be > 0, got '0m' ('length' of edge 'A' – 'B')");
    expect_error(GOOD "    - { from: A, to: B, length: -3m }\n", 21, 33,
                 "a length must be > 0");
    expect_error(GOOD "    - { from: A, to: B, length: 3 }\n", 21, 33,
                 "expected a length with a unit");
}

/* C is at A's place: the triangle's edge C - A (C at column 22) has no length. */
static void test_nodes_at_the_same_place_need_an_explicit_length(void **state)
{
    (void)state;
    expect_error(HEAD(AGV, FLEET) "layout:\n"
                                  "  following: 1m\n"
                                  "  nodes:\n"
                                  "    - { name: A, at: [0m, 0m] }\n"
                                  "    - { name: B, at: [10m, 0m] }\n"
                                  "    - { name: C, at: [0m, 0m] }\n"
                                  "  edges:\n" TRIANGLE,
                 20, 22, "edge 'C' – 'A' has no length: both nodes are at the same place");
    expect_ok(HEAD(AGV, FLEET) "layout:\n"
                               "  following: 1m\n"
                               "  nodes:\n"
                               "    - { name: A, at: [0m, 0m] }\n"
                               "    - { name: B, at: [10m, 0m] }\n"
                               "    - { name: C, at: [0m, 0m] }\n"
                               "  edges:\n"
                               "    - { path: [A, B, C] }\n"
                               "    - { from: C, to: A, length: 1m }\n");
}

/* "    - { path: " is 14 characters; "    - { path: [A, B], " 22. */
static void test_a_path_needs_two_nodes_and_takes_no_from_to_or_length(void **state)
{
    (void)state;
    expect_error(GOOD "    - { path: [A] }\n", 21, 15, "a `path` needs at least 2 nodes, got 1");
    expect_error(GOOD "    - { path: [A, B], length: 3m }\n", 21, 31,
                 "'length' does not apply to a `path`");
    expect_error(GOOD "    - { one_way: true }\n", 21, 7, "needs `from` and `to`, or a `path`");
    expect_error(GOOD "    - { form: A, to: B }\n", 21, 9,
                 "unknown key 'form' in edge #2 of the layout; did you mean 'from'?");
}

/* "  chargers: [" is 13 characters: its C at column 14. */
static void test_a_node_cannot_be_both_parking_and_charger(void **state)
{
    (void)state;
    expect_error(GOOD "  parking: [C]\n"
                      "  chargers: [C]\n",
                 22, 14, "node 'C' is both a charger and a parking place (line 21, column 13)");
}

static void test_a_node_listed_twice_in_parking_or_chargers_is_an_error(void **state)
{
    (void)state;
    expect_error(GOOD "  parking: [C, C]\n", 21, 16,
                 "node 'C' is listed twice in `parking` (first at line 21, column 13)");
    expect_error(GOOD "  chargers: [B, C, B]\n", 21, 20,
                 "node 'B' is listed twice in `chargers` (first at line 21, column 14)");
}

static void test_layout_needs_following_two_nodes_and_an_edge(void **state)
{
    (void)state;
    expect_error(HEAD(AGV, FLEET) "layout:\n"
                                  "  nodes:\n"
                                  "    - { name: A, at: [0m, 0m] }\n",
                 14, 3, "missing required field 'following' in 'layout'");
    expect_error(HEAD(AGV, FLEET) "layout:\n"
                                  "  following: 0m\n",
                 14, 14, "a length must be > 0, got '0m' ('following' of 'layout')");
    expect_error(HEAD(AGV, FLEET) "layout:\n"
                                  "  folowing: 1m\n",
                 14, 3, "unknown key 'folowing' in 'layout'; did you mean 'following'?");
    expect_error(HEAD(AGV, FLEET) "layout:\n"
                                  "  following: 1m\n"
                                  "  nodes:\n"
                                  "    - { name: A, at: [0m, 0m] }\n"
                                  "  edges:\n"
                                  "    - { from: A, to: A }\n",
                 16, 5, "a layout needs at least 2 nodes, got 1");
    expect_error(HEAD(AGV, FLEET) LAYOUT_TOP "  edges: []\n", 19, 10,
                 "a layout needs at least 1 edge");
    expect_error(HEAD(AGV, FLEET) LAYOUT_TOP "    - { name: D }\n", 19, 7,
                 "missing required field 'at' in node 'D'");
}

/* ---- 3. the fleet ------------------------------------------------------- */

/* On line 12: "fleet: { vehicles: " is 19 characters, "fleet: { vehicles: 2,
 * speed: " 29, "fleet: { vehicles: 2, speed: 1m/s, " 35. */
static void test_fleet_values_out_of_range_are_errors_at_the_value(void **state)
{
    (void)state;
    expect_error(HEAD(AGV, "fleet: { vehicles: 0, speed: 1m/s }\n") NODES TRIANGLE, 12, 20,
                 "expected a whole number from 1 to 10000, got '0' ('vehicles' of 'fleet')");
    expect_error(HEAD(AGV, "fleet: { vehicles: 10001, speed: 1m/s }\n") NODES TRIANGLE, 12, 20,
                 "expected a whole number from 1 to 10000");
    expect_error(HEAD(AGV, "fleet: { vehicles: 2 }\n") NODES TRIANGLE, 12, 8,
                 "missing required field 'speed' in 'fleet'");
    expect_error(HEAD(AGV, "fleet: { vehicles: 2, speed: 0m/s }\n") NODES TRIANGLE, 12, 30,
                 "a speed must be > 0, got '0m/s' ('speed' of 'fleet')");
    expect_error(HEAD(AGV, "fleet: { vehicles: 2, speed: 1m/s, capacity: 0 }\n") NODES TRIANGLE,
                 12, 46, "('capacity' of 'fleet')");
    expect_error(HEAD(AGV, "fleet: { vehicles: 2, speed: 1m/s, load: -1s }\n") NODES TRIANGLE, 12,
                 42, "('load' of 'fleet')");
    expect_error(HEAD(AGV, "fleet: { vehicles: 2, speed: 1m/s, unload: 1 }\n") NODES TRIANGLE,
                 12, 44, "('unload' of 'fleet')");
    expect_error(HEAD(AGV, "fleet: { vehicles: 2, speed: 1m/s, vehicle: 3 }\n") NODES TRIANGLE,
                 12, 36, "unknown key 'vehicle' in 'fleet'; did you mean 'vehicles'?");
}

static void test_unknown_dispatch_rule_suggests_the_closest(void **state)
{
    (void)state;
    expect_error(HEAD(AGV, "fleet: { vehicles: 2, speed: 1m/s, dispatch: neares }\n") NODES
                     TRIANGLE,
                 12, 46, "unknown dispatch rule 'neares' in 'fleet'; did you mean 'nearest'?");
    expect_error(HEAD(AGV, "fleet: { vehicles: 2, speed: 1m/s, dispatch: fastest }\n") NODES
                     TRIANGLE,
                 12, 46, "expected nearest or optimal");
}

static void test_defaults_of_the_fleet(void **state)
{
    (void)state;
    model_desc *m = must_load(GOOD);
    assert_int_equal(m->fleet.vehicles, 2);
    assert_float_equal(m->fleet.speed_m_per_s, 1, 0);
    assert_int_equal(m->fleet.load_s.kind, SIM_DIST_CONST);
    assert_float_equal(m->fleet.load_s.p[0], 0, 0);
    assert_float_equal(m->fleet.unload_s.p[0], 0, 0);
    assert_int_equal(m->fleet.capacity, 1);
    assert_int_equal(m->fleet.dispatch, MODEL_DISPATCH_NEAREST);
    assert_false(m->fleet.battery.present);
    assert_int_equal(m->layout.shipping, MODEL_NONE);
    assert_int_equal(m->layout.n_parking, 0);
    assert_int_equal(m->layout.n_chargers, 0);
    model_free(m);
}

/* The battery key is on line 15, column 3. */
static void test_battery_needs_a_charger(void **state)
{
    (void)state;
    expect_error(HEAD(AGV, "fleet:\n"
                           "  vehicles: 2\n"
                           "  speed: 1m/s\n"
                           "  battery: { per_km: 1%, full_charge: 1h, charge_below: 20%, "
                           "charge_to: 90% }\n") NODES TRIANGLE,
                 15, 3, "a battery needs a place to charge");
}

/* No fleet line in the head: the layout (lines 12-20, a charger at C) comes
 * before the fleet (lines 21-24); the battery is on line 24: "  battery: { " is 13 characters,
 * "per_km: 1%, " 12 more, "full_charge: 1h, " 17, "charge_below: " 14. */
#define BATTERY(b)                                                                                \
    HEAD(AGV, "") NODES TRIANGLE "  chargers: [C]\n"                                              \
                                 "fleet:\n"                                                       \
                                 "  vehicles: 2\n"                                                \
                                 "  speed: 1m/s\n"                                                \
                                 "  battery: { " b " }\n"

static void test_battery_values_out_of_range_are_errors(void **state)
{
    (void)state;
    expect_ok(BATTERY("per_hour: 5%, full_charge: 1h, charge_below: 20%, charge_to: 100%"));
    expect_error(BATTERY("full_charge: 1h, charge_below: 20%, charge_to: 90%"), 24, 12,
                 "needs `per_km` (the charge used per km travelled, like 1%), `per_hour`");
    expect_error(BATTERY("per_km: 1%, full_charge: 1h, charge_below: 0%, charge_to: 90%"), 24, 57,
                 "`charge_below` must be > 0");
    expect_error(BATTERY("per_km: 1%, full_charge: 1h, charge_below: 90%, charge_to: 90%"), 24,
                 57, "`charge_below` (90%) must be less than `charge_to` (90%)");
    expect_error(BATTERY("per_km: 1%, full_charge: 0s, charge_below: 20%, charge_to: 90%"), 24, 39,
                 "duration must be > 0");
    expect_error(BATTERY("per_km: 150%, full_charge: 1h, charge_below: 20%, charge_to: 90%"), 24,
                 22, "a probability must be between 0 and 1");
    expect_error(BATTERY("per_km: 1%, charge_below: 20%, charge_to: 90%"), 24, 12,
                 "missing required field 'full_charge' in the battery of 'fleet'");
    expect_error(BATTERY("per_km: 1%, full_charge: 1h, charge_below: 20%, charge_to: 120%"), 24,
                 73, "a probability must be between 0 and 1");
}

/* ---- out: places at a pick-up point ------------------------------------- */

/* "  - { name: s1, out: " is 21 characters, "  - { name: s1, pick: A, out: " 30. */
static void test_out_needs_pick_and_a_whole_number(void **state)
{
    (void)state;
    expect_error(HEAD(", out: 2", ", drop: B", FLEET) NODES TRIANGLE, 10, 22,
                 "`out` is the number of places at the pick-up point of station 's1', so it "
                 "needs a `pick:` node");
    expect_error(HEAD(", pick: A, out: 0", ", drop: B", FLEET) NODES TRIANGLE, 10, 31,
                 "expected a whole number from 1 to");
    expect_error(HEAD(", pick: A, out: inf", ", drop: B", FLEET) NODES TRIANGLE, 10, 31,
                 "expected a whole number");
    /* "  - { name: src, product: p, interarrival: 2min, out: " is 54 */
    expect_error(HEAD2(", out: 3", "", "", FLEET) NODES TRIANGLE, 8, 55,
                 "pick-up point of source 'src', so it needs a `pick:` node");
}

static void test_a_source_pick_up_may_be_unbounded_or_finite(void **state)
{
    (void)state;
    model_desc *m = must_load(HEAD2(", pick: C, out: inf", ", drop: A, pick: A", ", drop: B", FLEET)
                                  NODES TRIANGLE);
    assert_int_equal(m->sources[0].pick, 2);
    assert_true(m->sources[0].out_capacity == MODEL_INFINITE_CAPACITY);
    model_free(m);
    m = must_load(HEAD2(", pick: C, out: 4", ", drop: A", "", FLEET) NODES TRIANGLE);
    assert_int_equal(m->sources[0].out_capacity, 4);
    model_free(m);
}

/* "  - { name: src, product: p, always: true, pick: " is 49 characters. */
static void test_always_available_source_with_pick_needs_a_finite_out(void **state)
{
    (void)state;
    expect_error("model: m\n"
                 "products:\n"
                 "  - name: p\n"
                 "    routing:\n"
                 "      - { station: s1, time: 1min }\n"
                 "sources:\n"
                 "  - { name: src, product: p, always: true, pick: C }\n"
                 "stations:\n"
                 "  - { name: s1, drop: A }\n"
                 "buffers:\n"
                 "  - { name: in, capacity: 2, feeds: s1 }\n"
                 FLEET NODES TRIANGLE,
                 7, 50, "source 'src' is always available, so its pick-up point needs a finite "
                        "`out:`");
    /* with a finite `out`, the first station needs no finite buffer: the
     * pick-up point holds what the source releases */
    expect_ok("model: m\n"
              "products:\n"
              "  - name: p\n"
              "    routing:\n"
              "      - { station: s1, time: 1min }\n"
              "sources:\n"
              "  - { name: src, product: p, always: true, pick: C, out: 2 }\n"
              "stations:\n"
              "  - { name: s1, drop: A }\n"
              FLEET NODES TRIANGLE);
}

/* ---- 4. the trips of the material flow ---------------------------------- */

static void test_trip_by_agv_needs_a_drop_at_the_next_station(void **state)
{
    (void)state;
    expect_error(HEAD(", pick: A", "", FLEET) NODES TRIANGLE, 10, 23,
                 "station 's1' sends 'p' to 's2' by AGV (it has a pick-up point) but 's2' has no "
                 "`drop:` node");
    expect_error(HEAD2(", pick: C", "", "", FLEET) NODES TRIANGLE, 8, 56,
                 "source 'src' sends 'p' to 's1' by AGV (it has a pick-up point) but 's1' has no "
                 "`drop:` node");
}

/* A drop that no trip reaches is allowed: s2 has one, s1 hands over by queue. */
static void test_drop_without_agv_trip_is_allowed(void **state)
{
    (void)state;
    expect_ok(HEAD("", ", drop: B", FLEET) NODES TRIANGLE);
    expect_ok(HEAD(", drop: A", ", drop: B", FLEET) NODES TRIANGLE);
}

/* "  - { name: s2, drop: B, pick: " is 31 characters. */
static void test_trip_to_the_sink_by_agv_needs_shipping(void **state)
{
    (void)state;
    expect_error(HEAD(", pick: A", ", drop: B, pick: B", FLEET) NODES TRIANGLE, 11, 32,
                 "station 's2' sends 'p' out of the plant by AGV (it has a pick-up point) but the "
                 "layout has no `shipping:` node");
    model_desc *m = must_load(HEAD(", pick: A", ", drop: B, pick: B", FLEET) NODES TRIANGLE
                              "  shipping: C\n");
    assert_int_equal(m->layout.shipping, 2);
    model_free(m);
}

/* The conveyor's entry is on line 22, column 5. */
static void test_conveyor_on_a_trip_made_by_agv_is_an_error(void **state)
{
    (void)state;
    expect_error(GOOD "conveyors:\n"
                      "  - { name: belt, from: s1, to: s2, length: 5m, speed: 1m/s,"
                      " spacing: 1m }\n",
                 22, 5,
                 "conveyor 'belt' carries items from 's1' to 's2', but station 's1' sends them by "
                 "AGV (it has a pick-up point at node 'A')");
}

/* qc sends 10 % back to s1: that trip goes by AGV too. "  - { name: qc, pick: "
 * is 22 characters. */
#define REWORK(s1)                                                                                \
    "model: m\n"                                                                                  \
    "products:\n"                                                                                 \
    "  - name: p\n"                                                                               \
    "    routing:\n"                                                                              \
    "      - { station: s1, time: 1min }\n"                                                       \
    "      - { station: qc, time: 1min }\n"                                                       \
    "sources:\n"                                                                                  \
    "  - { name: src, product: p, interarrival: 2min }\n"                                         \
    "stations:\n"                                                                                 \
    "  - { name: s1" s1 " }\n"                                                                    \
    "  - { name: qc, pick: B, drop: B, inspection: { rework: 10%, rework_to: s1 } }\n"            \
    FLEET NODES TRIANGLE "  shipping: C\n"

static void test_rework_by_agv_needs_a_drop_where_it_goes_back(void **state)
{
    (void)state;
    expect_error(REWORK(""), 11, 23,
                 "station 'qc' sends 'p' back to 's1' for rework by AGV (it has a pick-up point) "
                 "but 's1' has no `drop:` node");
    expect_ok(REWORK(", drop: A"));
}

/* car ends its routing at the assembly `final`, which makes lift; lift
 * starts there and goes on to `test`. So the trip out of `final` (pick on
 * line 15) is lift's step 1 -> step 2, and no car leaves `final` for the
 * sink. "  - { name: final, assembly: { produces: lift, parts: { car: 1 } },
 * pick: " is 74 characters. */
#define ASSEMBLY(weld, test, ship)                                                                \
    "model: m\n"                                                                                  \
    "products:\n"                                                                                 \
    "  - name: car\n"                                                                             \
    "    routing:\n"                                                                              \
    "      - { station: weld, time: 1min }\n"                                                     \
    "      - { station: final }\n"                                                                \
    "  - name: lift\n"                                                                            \
    "    routing:\n"                                                                              \
    "      - { station: final, time: 1min }\n"                                                    \
    "      - { station: test, time: 1min }\n"                                                     \
    "sources:\n"                                                                                  \
    "  - { name: cars, product: car, interarrival: 2min }\n"                                      \
    "stations:\n"                                                                                 \
    "  - { name: weld" weld " }\n"                                                                \
    "  - { name: final, assembly: { produces: lift, parts: { car: 1 } }, pick: A, drop: A }\n"    \
    "  - { name: test" test " }\n"                                                                \
    FLEET NODES TRIANGLE ship

static void test_trip_out_of_an_assembly_is_the_assembled_products(void **state)
{
    (void)state;
    expect_error(ASSEMBLY("", "", ""), 15, 75,
                 "station 'final' sends 'lift' to 'test' by AGV (it has a pick-up point) but "
                 "'test' has no `drop:` node");
    /* the parts end at final: no trip to the sink, so no shipping needed */
    expect_ok(ASSEMBLY("", ", drop: B", ""));
    /* weld sends car to final, which has a drop */
    expect_ok(ASSEMBLY(", pick: C", ", drop: B", ""));
    /* "  - { name: test, drop: B, pick: " is 33 characters */
    expect_error(ASSEMBLY(", pick: C", ", drop: B, pick: B", ""), 16, 34,
                 "station 'test' sends 'lift' out of the plant by AGV");
    expect_ok(ASSEMBLY(", pick: C", ", drop: B, pick: B", "  shipping: C\n"));
}

/* An order list releases each of its products into that product's first
 * station. "  - { name: plan, pick: " is 24 characters. */
static void test_order_source_with_pick_sends_every_product_it_releases(void **state)
{
    (void)state;
    static const char head[] =
        "model: m\n"
        "products:\n"
        "  - { name: p, routing: [ { station: s1, time: 1min } ] }\n"
        "  - { name: q, routing: [ { station: s2, time: 1min } ] }\n"
        "sources:\n"
        "  - { name: plan, pick: C, orders: [ { time: 0s, product: p, count: 1 },\n"
        "                                     { time: 1h, product: q, count: 2 } ] }\n"
        "stations:\n"
        "  - { name: s1, drop: A }\n";
    char yaml[2048];
    snprintf(yaml, sizeof yaml, "%s%s", head, "  - { name: s2 }\n" FLEET NODES TRIANGLE);
    expect_error(yaml, 6, 25, "source 'plan' sends 'q' to 's2' by AGV");
    snprintf(yaml, sizeof yaml, "%s%s", head, "  - { name: s2, drop: B }\n" FLEET NODES TRIANGLE);
    expect_ok(yaml);
}

/* ---- 5. the shape of the layout ----------------------------------------- */

/* D hangs off the triangle at B by one two-way edge (line 22): a dead end,
 * whichever way the edge is written. */
static void test_two_way_edge_to_a_dead_end_is_an_error_at_the_edge(void **state)
{
    (void)state;
    expect_error(HEAD(AGV, FLEET) NODES4 "    - { path: [A, B, C, A] }\n"
                                         "    - { from: B, to: D }\n",
                 22, 7,
                 "edge 'B' – 'D' is a dead end: from 'D' the only way back to 'B' is this edge, so "
                 "a vehicle waiting there could block the only way out and deadlock the fleet; "
                 "link 'D' into a loop (docs/agv.md)");
    expect_error(HEAD(AGV, FLEET) NODES4 "    - { path: [A, B, C, A] }\n"
                                         "    - { from: D, to: B }\n",
                 22, 7, "edge 'D' – 'B' is a dead end: from 'D' the only way back to 'B'");
}

/* A two-way edge that is the only link between two triangles (A B C and
 * D E F, joined by C - D on line 25) is a dead end too: a vehicle waiting
 * on it could block the only way from one loop to the other. */
static void test_two_way_bridge_between_loops_is_a_dead_end(void **state)
{
    (void)state;
    expect_error(HEAD(AGV, FLEET) TWO_TRIANGLES "    - { from: C, to: D }\n", 25, 7,
                 "edge 'C' – 'D' is a dead end");
}

static void test_one_way_edge_with_no_way_back_is_an_error(void **state)
{
    (void)state;
    expect_error(HEAD(AGV, FLEET) NODES4 "    - { path: [A, B, C, A] }\n"
                                         "    - { from: B, to: D, one_way: true }\n",
                 22, 7, "edge 'B' -> 'D' is a dead end: there is no way back from 'D' to 'B',");
    /* D -> B one way is the only way back: a loop of 2 is not enough */
    expect_error(HEAD(AGV, FLEET) NODES4 "    - { path: [A, B, C, A] }\n"
                                         "    - { from: B, to: D, one_way: true }\n"
                                         "    - { from: D, to: B, one_way: true }\n",
                 22, 7,
                 "no way back from 'D' to 'B' other than straight back along the opposite edge");
}

/* B -> D -> C one way, back to B over the triangle: every arc on a loop of
 * 3 or more. */
static void test_one_way_detour_on_a_loop_is_fine(void **state)
{
    (void)state;
    expect_ok(HEAD(AGV, FLEET) NODES4 "    - { path: [A, B, C, A] }\n"
                                      "    - { path: [B, D, C], one_way: true }\n");
    /* a one-way loop of 3 alone */
    expect_ok(HEAD(AGV, FLEET) NODES "    - { path: [A, B, C, A], one_way: true }\n");
}

static void test_trip_without_a_path_is_an_error_at_the_pick(void **state)
{
    (void)state;
    expect_error(HEAD(", pick: A", ", drop: D", FLEET) TWO_TRIANGLES, 10, 23,
                 "no path in the layout from node 'A' (the pick-up of station 's1') to node 'D' "
                 "(the drop-off of station 's2'), where it takes 'p'");
    /* "  - { name: s2, drop: B, pick: " is 31 characters */
    expect_error(HEAD(AGV ", pick: B", FLEET) TWO_TRIANGLES "  shipping: E\n", 11, 32,
                 "no path in the layout from node 'B' (the pick-up of station 's2') to node 'E' "
                 "(the shipping node)");
}

/* Parking at E (line 25, column 13) and a charger at F, in the other
 * triangle: no vehicle could get there from A or B. */
static void test_parking_and_chargers_must_be_reachable_from_every_stop(void **state)
{
    (void)state;
    expect_error(HEAD(AGV, FLEET) TWO_TRIANGLES "  parking: [E]\n", 25, 13,
                 "parking node 'E' cannot be reached from node 'A' (the pick-up of station 's1')");
    expect_error(HEAD(AGV, FLEET) TWO_TRIANGLES "  parking: [B, E]\n", 25, 16,
                 "parking node 'E' cannot be reached from node 'A'");
    expect_error(HEAD(AGV, FLEET) TWO_TRIANGLES "  chargers: [F]\n", 25, 14,
                 "charger 'F' cannot be reached from node 'A' (the pick-up of station 's1'): a "
                 "vehicle there could never charge");
    /* a drop that no trip uses is a stop too */
    expect_error(HEAD(", drop: D", "", FLEET) TWO_TRIANGLES "  parking: [A]\n", 25, 13,
                 "parking node 'A' cannot be reached from node 'D' (the drop-off of station 's1')");
}

static void test_layout_in_separate_pieces_is_an_error(void **state)
{
    (void)state;
    expect_error(HEAD(AGV, FLEET) TWO_TRIANGLES, 19, 7,
                 "node 'D' cannot be reached from node 'A': the layout falls apart");
    expect_error(HEAD(AGV, FLEET) NODES4 TRIANGLE, 19, 7, "node 'D' is on no edge of the layout");
}

/* ---- overrides and the documented example ------------------------------- */

static void test_override_of_fleet_vehicles_loads(void **state)
{
    (void)state;
    ft_override ov[] = {
        {.path = "fleet.vehicles", .value = "8", .file = "sweep.yaml", .line = 3, .col = 5},
        {.path = "fleet.dispatch", .value = "nearest", .file = "sweep.yaml", .line = 4, .col = 5},
    };
    ft_error err = {0};
    model_desc *m = model_load_string_with(valid, strlen(valid), "t.yaml", ov, 2, &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    assert_int_equal(m->fleet.vehicles, 8);
    assert_int_equal(m->fleet.dispatch, MODEL_DISPATCH_NEAREST);
    model_free(m);
    ft_override bad = {.path = "fleet.vehicles", .value = "0", .file = "sweep.yaml", .line = 3,
                       .col = 5};
    assert_null(model_load_string_with(valid, strlen(valid), "t.yaml", &bad, 1, &err));
    assert_string_equal(err.file, "sweep.yaml");
    assert_int_equal(err.line, 3);
    assert_true(strstr(err.msg, "'vehicles' of 'fleet'") != NULL);
}

/* The ```yaml block of the section "Layout and AGV fleet" loads. */
static void test_the_example_in_the_layout_section_of_the_doc_loads(void **state)
{
    (void)state;
    char *doc = ft_read_text(FT_SOURCE_DIR "/docs/model-language.md");
    char *sec = strstr(doc, "## Layout and AGV fleet");
    assert_non_null(sec);
    char *begin = strstr(sec, "```yaml\n");
    assert_non_null(begin);
    begin += strlen("```yaml\n");
    char *end = strstr(begin, "```");
    assert_non_null(end);
    ft_error err = {0};
    model_desc *m = model_load_string(begin, (size_t)(end - begin), "doc.yaml", &err);
    if (!m)
        fail_msg("doc.yaml:%d:%d: %s", err.line, err.col, err.msg);
    assert_true(m->layout.present && m->fleet.present);
    assert_true(m->fleet.battery.present);
    model_free(m);
    free(doc);
}

/* The shipped lights-out plant runs on its AGVs. */
static void test_the_lights_out_plant_loads(void **state)
{
    (void)state;
    ft_error err = {0};
    model_desc *m = model_load_file(FT_SOURCE_DIR "/models/lights-out-plant.yaml", &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    assert_true(m->layout.present && m->fleet.present);
    assert_int_not_equal(m->layout.shipping, MODEL_NONE);
    /* lights out: every station and source hands its output to the AGVs */
    for (size_t i = 0; i < m->n_stations; i++)
        assert_true(m->stations[i].pick != MODEL_NONE && m->stations[i].drop != MODEL_NONE);
    for (size_t i = 0; i < m->n_sources; i++)
        assert_int_not_equal(m->sources[i].pick, MODEL_NONE);
    model_free(m);
}


/* ---- grid maps ------------------------------------------------------------ */

#define MAPS FT_SOURCE_DIR "/../shared/data/mapf/"
#define WAREHOUSE MAPS "warehouse-10-20-10-2-1/warehouse-10-20-10-2-1.map"

static void need_maps(void)
{
    ft_need_path(WAREHOUSE, "the MovingAI maps live in shared/data/mapf");
}

/* products/stations/sources using cells; `layout` and `extra` vary */
#define GRID_MODEL(map_line, extra, pick)                                                       \
    "model: g\n"                                                                                \
    "products: [ { name: p, routing: [ { station: s1, time: 1s } ] } ]\n"                       \
    "sources: [ { name: src, product: p, interarrival: 60s, pick: [1, 1] } ]\n"                 \
    "stations: [ { name: s1, drop: " pick " } ]\n"                                              \
    "layout:\n"                                                                                 \
    "  following: 1m\n"                                                                         \
    "  map: " map_line "\n" extra "fleet: { vehicles: 2, speed: 1 m/s }\n"

static void test_a_grid_map_becomes_nodes_and_edges(void **state)
{
    (void)state;
    need_maps();
    model_desc *m = must_load(GRID_MODEL(WAREHOUSE, "  parking: [\"3,40\", [4, 40]]\n", "[21, 30]"));
    const model_layout *l = &m->layout;
    assert_int_equal(l->grid_width, 161);
    assert_int_equal(l->grid_height, 63);
    /* count passable cells and 4-neighbour pairs of the file itself */
    FILE *f = fopen(WAREHOUSE, "r");
    char row[256];
    char grid[63][162];
    int y = -4;
    while (fgets(row, sizeof row, f))
        if (y++ >= 0 && y - 1 < 63)
            memcpy(grid[y - 1], row, 161);
    fclose(f);
    size_t cells = 0, pairs = 0;
    for (int r = 0; r < 63; r++)
        for (int x = 0; x < 161; x++) {
            if (grid[r][x] != '.')
                continue;
            cells++;
            pairs += x + 1 < 161 && grid[r][x + 1] == '.';
            pairs += r + 1 < 63 && grid[r + 1][x] == '.';
        }
    assert_int_equal(l->n_nodes, cells);
    assert_int_equal(l->n_edges, pairs);
    int s1 = model_find_node(m, "21,30");
    assert_int_equal(m->stations[0].drop, s1);
    assert_true(l->nodes[s1].at_m[0] == 21 && l->nodes[s1].at_m[1] == 30);
    assert_int_equal(l->parking[0], model_find_node(m, "3,40"));
    assert_int_equal(l->parking[1], model_find_node(m, "4,40"));
    for (size_t e = 0; e < l->n_edges; e++)
        assert_true(!l->edges[e].one_way && l->edges[e].length_m == 1);
    model_free(m);
}

static void test_grid_map_errors(void **state)
{
    (void)state;
    need_maps();
    expect_error(GRID_MODEL(WAREHOUSE, "", "[0, 0]"), 4, 31, "cell [0, 0] of the map is an obstacle");
    expect_error(GRID_MODEL(WAREHOUSE, "", "[161, 0]"), 4, 32, "161");
    expect_error(GRID_MODEL(WAREHOUSE, "", "[1, 2, 3]"), 4, 31, "a cell of the map is [x, y]");
    expect_error(GRID_MODEL("no-such.map", "", "[21, 30]"), 7, 8, "cannot use the map: no-such.map");
    expect_error(GRID_MODEL(WAREHOUSE, "  nodes: []\n", "[21, 30]"), 8, 3,
                 "either a grid `map:` or `nodes:` and `edges:`");
    /* random-32-32-20 has dead-end cells: the first is reported, at `map:` */
    expect_error(GRID_MODEL(MAPS "random-32-32-20/random-32-32-20.map", "", "[21, 30]"), 7, 8,
                 "is a dead end");
}

/* An AGV reserves a place at its destination before it sets off; a buffer
 * of capacity 0 never has one, so nothing would ever be delivered (found by
 * the random plants: such a plant loaded and made nothing). */
static void test_capacity_0_buffer_at_an_agv_drop_is_an_error_at_the_buffer(void **state)
{
    (void)state;
    expect_error("model: zero\n"
                 "products:\n"
                 "  - { name: part, routing: [ { station: W, time: 60s } ] }\n"
                 "sources:\n"
                 "  - { name: src, product: part, interarrival: 2min, pick: S }\n"
                 "buffers:\n"
                 "  - { name: BW, capacity: 0, feeds: W }\n"
                 "stations:\n"
                 "  - { name: W, drop: A }\n"
                 "layout:\n"
                 "  following: 1m\n"
                 "  nodes: [ { name: S, at: [0m, 0m] }, { name: A, at: [10m, 0m] }, "
                 "{ name: P, at: [5m, 5m] } ]\n"
                 "  edges: [ { path: [S, A, P, S] } ]\n"
                 "fleet: { vehicles: 1, speed: 1 m/s }\n",
                 7, 5, "buffer 'BW' has capacity 0 but feeds 'W', where AGVs deliver");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity_0_buffer_at_an_agv_drop_is_an_error_at_the_buffer),
        cmocka_unit_test(test_valid_layout_has_nodes_edges_and_places_as_written),
        cmocka_unit_test(test_valid_fleet_has_its_values_in_si_units),
        cmocka_unit_test(test_valid_stations_and_sources_have_pick_drop_and_out),
        cmocka_unit_test(test_without_layout_nothing_is_on_a_layout),
        cmocka_unit_test(test_the_base_model_of_the_error_tests_loads),
        cmocka_unit_test(test_fleet_without_layout_is_an_error_at_fleet),
        cmocka_unit_test(test_layout_without_fleet_is_an_error_at_layout),
        cmocka_unit_test(test_pick_or_drop_without_layout_is_an_error_at_the_value),
        cmocka_unit_test(test_duplicate_node_name_is_an_error_at_the_second),
        cmocka_unit_test(test_unknown_node_in_an_edge_or_path_suggests_the_closest),
        cmocka_unit_test(test_unknown_node_in_parking_chargers_or_shipping_is_an_error),
        cmocka_unit_test(test_unknown_node_in_pick_or_drop_is_an_error_at_the_value),
        cmocka_unit_test(test_edge_from_a_node_to_itself_is_an_error),
        cmocka_unit_test(test_two_edges_between_the_same_nodes_are_an_error),
        cmocka_unit_test(test_two_one_way_edges_in_opposite_directions_are_fine),
        cmocka_unit_test(test_explicit_length_must_be_positive),
        cmocka_unit_test(test_nodes_at_the_same_place_need_an_explicit_length),
        cmocka_unit_test(test_a_path_needs_two_nodes_and_takes_no_from_to_or_length),
        cmocka_unit_test(test_a_node_cannot_be_both_parking_and_charger),
        cmocka_unit_test(test_a_node_listed_twice_in_parking_or_chargers_is_an_error),
        cmocka_unit_test(test_layout_needs_following_two_nodes_and_an_edge),
        cmocka_unit_test(test_fleet_values_out_of_range_are_errors_at_the_value),
        cmocka_unit_test(test_unknown_dispatch_rule_suggests_the_closest),
        cmocka_unit_test(test_defaults_of_the_fleet),
        cmocka_unit_test(test_battery_needs_a_charger),
        cmocka_unit_test(test_battery_values_out_of_range_are_errors),
        cmocka_unit_test(test_out_needs_pick_and_a_whole_number),
        cmocka_unit_test(test_a_source_pick_up_may_be_unbounded_or_finite),
        cmocka_unit_test(test_always_available_source_with_pick_needs_a_finite_out),
        cmocka_unit_test(test_trip_by_agv_needs_a_drop_at_the_next_station),
        cmocka_unit_test(test_drop_without_agv_trip_is_allowed),
        cmocka_unit_test(test_trip_to_the_sink_by_agv_needs_shipping),
        cmocka_unit_test(test_conveyor_on_a_trip_made_by_agv_is_an_error),
        cmocka_unit_test(test_rework_by_agv_needs_a_drop_where_it_goes_back),
        cmocka_unit_test(test_trip_out_of_an_assembly_is_the_assembled_products),
        cmocka_unit_test(test_order_source_with_pick_sends_every_product_it_releases),
        cmocka_unit_test(test_two_way_edge_to_a_dead_end_is_an_error_at_the_edge),
        cmocka_unit_test(test_two_way_bridge_between_loops_is_a_dead_end),
        cmocka_unit_test(test_one_way_edge_with_no_way_back_is_an_error),
        cmocka_unit_test(test_one_way_detour_on_a_loop_is_fine),
        cmocka_unit_test(test_trip_without_a_path_is_an_error_at_the_pick),
        cmocka_unit_test(test_parking_and_chargers_must_be_reachable_from_every_stop),
        cmocka_unit_test(test_layout_in_separate_pieces_is_an_error),
        cmocka_unit_test(test_override_of_fleet_vehicles_loads),
        cmocka_unit_test(test_the_example_in_the_layout_section_of_the_doc_loads),
        cmocka_unit_test(test_the_lights_out_plant_loads),
        cmocka_unit_test(test_a_grid_map_becomes_nodes_and_edges),
        cmocka_unit_test(test_grid_map_errors),
    };
    return ft_tests_status(cmocka_run_group_tests(tests, NULL, NULL));
}
