/* test_mapf_read.c -- the MovingAI map and scenario readers and the plan
 * reader: good files load with the right contents, and every class of bad
 * input is an error at the right file, line and column that says what
 * was expected. Lines and columns are 1-based and counted by hand from the
 * texts below (a tab is one column). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"

#define HEAD "type octile\nheight 3\nwidth 4\nmap\n"
/* rows 5..7 of the file:   x: 0123 */
#define ROWS "..@.\n.TG.\nS..W\n"

static void expect_msg(const ft_error *err, const char *file, int line, int col,
                       const char *needle)
{
    printf("  -> %s:%d:%d: %s\n", err->file, err->line, err->col, err->msg);
    assert_string_equal(err->file, file);
    assert_int_equal(err->line, line);
    assert_int_equal(err->col, col);
    if (!strstr(err->msg, needle))
        fail_msg("'%s' does not contain '%s'", err->msg, needle);
}

static void expect_map_error(const char *text, int line, int col, const char *needle)
{
    mapf_grid g;
    ft_error err = {0};
    assert_int_equal(mapf_grid_parse(text, strlen(text), "m.map", &g, &err), -1);
    expect_msg(&err, "m.map", line, col, needle);
}

static void load_map(mapf_grid *g)
{
    ft_error err = {0};
    const char *text = HEAD ROWS;
    assert_int_equal(mapf_grid_parse(text, strlen(text), "m.map", g, &err), 0);
}

static void test_map_loads_cells_and_components(void **state)
{
    (void)state;
    mapf_grid g;
    load_map(&g);
    assert_int_equal(g.width, 4);
    assert_int_equal(g.height, 3);
    /* '@' (2,0), 'T' (1,1), 'W' (3,2) are blocked; '.', 'G', 'S' passable */
    assert_false(g.passable[0 * 4 + 2]);
    assert_false(g.passable[1 * 4 + 1]);
    assert_false(g.passable[2 * 4 + 3]);
    assert_true(g.passable[1 * 4 + 2]);
    assert_true(g.passable[2 * 4 + 0]);
    /* (3,0) connects down through (3,1), (2,1), (2,2) to (0,0): one component */
    assert_int_equal(g.component[0 * 4 + 3], g.component[0]);
    mapf_grid_free(&g);
    /* CRLF line ends and width before height are fine too */
    const char *crlf = "type octile\r\nwidth 2\r\nheight 1\r\nmap\r\n.@\r\n";
    ft_error err = {0};
    assert_int_equal(mapf_grid_parse(crlf, strlen(crlf), "c.map", &g, &err), 0);
    assert_int_equal(g.width, 2);
    assert_true(g.passable[0]);
    assert_false(g.passable[1]);
    mapf_grid_free(&g);
}

static void test_map_header_errors(void **state)
{
    (void)state;
    expect_map_error("type grid\nheight 3\n", 1, 1, "expected the header line 'type octile'");
    expect_map_error("type octile\nheight x\nwidth 4\nmap\n", 2, 8, "expected the map height");
    expect_map_error("type octile\nheight 3\nwidth 0\nmap\n", 3, 7, "expected the map width");
    expect_map_error("type octile\nheight 3\nmap\n", 3, 1, "'map' before the 'width W' line");
    expect_map_error("type octile\nheight 3\nwidth 4\nfoo\n", 4, 1,
                     "expected 'height H', 'width W' or 'map'");
    expect_map_error("type octile\nheight 3\n", 3, 1, "the file ends in its header");
    expect_map_error("type octile\nheight 3 4\nwidth 4\nmap\n", 2, 9, "unexpected text");
}

static void test_map_row_errors(void **state)
{
    (void)state;
    /* row 2 (file line 6) is one short: the error points just past it */
    expect_map_error(HEAD "..@.\n.T.\nS..W\n", 6, 4, "map row 2 has 3 characters, expected width 4");
    /* row 3 (line 7) is one long: the error points at the fifth character */
    expect_map_error(HEAD "..@.\n.TG.\nS..W.\n", 7, 5, "map row 3 has 5 characters");
    /* an unknown character at line 6, column 3 */
    expect_map_error(HEAD "..@.\n.Tx.\nS..W\n", 6, 3, "unknown map character 'x'");
    /* a missing row: the file ends at line 7 */
    expect_map_error(HEAD "..@.\n.TG.\n", 7, 1, "the map has 2 rows, expected height 3");
    /* an extra row after the last */
    expect_map_error(HEAD ROWS "....\n", 8, 1, "text after the 3 map rows");
}

static int scen_parse(const char *text, uint32_t n, mapf_scen *s, ft_error *err)
{
    mapf_grid g;
    load_map(&g);
    int rc = mapf_scen_parse(text, strlen(text), "s.scen", &g, n, s, err);
    mapf_grid_free(&g);
    return rc;
}

static void expect_scen_error(const char *text, uint32_t n, int line, int col, const char *needle)
{
    mapf_scen s;
    ft_error err = {0};
    assert_int_equal(scen_parse(text, n, &s, &err), -1);
    expect_msg(&err, "s.scen", line, col, needle);
}

/* Columns in "0\tm.map\t4\t3\t0\t0\t3\t0\t3": bucket 1, map 3, width 9,
 * height 11, start x 13, start y 15, goal x 17, goal y 19, optimal 21. */
#define ROW(sx, sy, gx, gy) "0\tm.map\t4\t3\t" #sx "\t" #sy "\t" #gx "\t" #gy "\t3\n"

static void test_scen_loads_the_first_n_agents(void **state)
{
    (void)state;
    mapf_scen s;
    ft_error err = {0};
    assert_int_equal(scen_parse("version 1\n" ROW(0, 0, 3, 0) ROW(0, 2, 2, 2) ROW(1, 0, 0, 1),
                                2, &s, &err),
                     0);
    assert_int_equal(s.n_agents, 2);
    assert_int_equal(s.rows_in_file, 3);
    assert_int_equal(s.start_cell[1], 2 * 4 + 0);
    assert_int_equal(s.goal_cell[1], 2 * 4 + 2);
    mapf_scen_free(&s);
    /* 0 agents asked: all of them; "version 1.0" is accepted */
    assert_int_equal(scen_parse("version 1.0\n" ROW(0, 0, 3, 0) ROW(0, 2, 2, 2), 0, &s, &err), 0);
    assert_int_equal(s.n_agents, 2);
    mapf_scen_free(&s);
}

static void test_scen_errors(void **state)
{
    (void)state;
    expect_scen_error("version 2\n" ROW(0, 0, 3, 0), 0, 1, 9, "version 2 is not supported");
    expect_scen_error("ver 1\n" ROW(0, 0, 3, 0), 0, 1, 1, "expected the header line 'version 1'");
    /* map size: width field at column 9 */
    expect_scen_error("version 1\n0\tm.map\t5\t3\t0\t0\t3\t0\t3\n", 0, 2, 9,
                      "the scenario is for a 5x3 map, but m.map is 4x3");
    /* start x = 4 outside columns 0..3, column 13 */
    expect_scen_error("version 1\n" ROW(0, 0, 3, 0) ROW(4, 0, 3, 0), 0, 3, 13,
                      "start x = 4 is outside the map");
    /* goal y = 3 outside rows 0..2, column 19 */
    expect_scen_error("version 1\n" ROW(0, 0, 3, 3), 0, 2, 19, "goal y = 3 is outside the map");
    /* start on the '@' at (2,0) */
    expect_scen_error("version 1\n" ROW(2, 0, 3, 0), 0, 2, 13, "start (2,0) is on an obstacle");
    /* goal on the 'T' at (1,1), goal x column 17 */
    expect_scen_error("version 1\n" ROW(0, 0, 1, 1), 0, 2, 17, "goal (1,1) is on an obstacle");
    /* two agents starting at (0,0) */
    expect_scen_error("version 1\n" ROW(0, 0, 3, 0) ROW(0, 0, 2, 2), 0, 3, 13,
                      "agent 1 starts at (0,0) where agent 0 (line 2) starts too");
    /* two agents with goal (3,0) */
    expect_scen_error("version 1\n" ROW(0, 0, 3, 0) ROW(0, 2, 3, 0), 0, 3, 17,
                      "agent 1 has goal (3,0), the goal of agent 0 (line 2) too");
    /* fewer rows than agents asked for: reported after the last line */
    expect_scen_error("version 1\n" ROW(0, 0, 3, 0) ROW(0, 2, 2, 2), 5, 4, 1,
                      "the scenario has only 2 agents, 5 were asked for");
    /* a missing field: the row ends at column 18 where the goal y should be */
    expect_scen_error("version 1\n0\tm.map\t4\t3\t0\t0\t3\n", 0, 2, 18,
                      "expected the goal y (field 8 of 9)");
    /* not a number: start y "a" at column 15 */
    expect_scen_error("version 1\n0\tm.map\t4\t3\t0\ta\t3\t0\t3\n", 0, 2, 15, "expected the start y");
    expect_scen_error("version 1\n0\tm.map\t4\t3\t0\t0\t3\t0\tx\n", 0, 2, 21,
                      "expected the optimal length");
}

/* A wall down the middle column splits the map in two: a goal on the
 * other side is reported by the reader (connected components), so the
 * planner never starts a search that could not end. Goal x: column 17. */
static void test_unreachable_goal_is_an_error_before_planning(void **state)
{
    (void)state;
    const char *map = "type octile\nheight 2\nwidth 3\nmap\n.@.\n.@.\n";
    mapf_grid g;
    ft_error err = {0};
    assert_int_equal(mapf_grid_parse(map, strlen(map), "m.map", &g, &err), 0);
    const char *scen = "version 1\n0\tm.map\t3\t2\t0\t0\t2\t1\t3\n";
    mapf_scen s;
    assert_int_equal(mapf_scen_parse(scen, strlen(scen), "s.scen", &g, 0, &s, &err), -1);
    expect_msg(&err, "s.scen", 2, 17, "agent 0 cannot reach its goal (2,1) from its start (0,0)");
    mapf_grid_free(&g);
}

static void expect_plan_error(const char *text, uint32_t n, int line, int col, const char *needle)
{
    mapf_grid g;
    load_map(&g);
    mapf_plan p;
    ft_error err = {0};
    assert_int_equal(mapf_plan_parse(text, strlen(text), "p.txt", &g, n, &p, &err), -1);
    expect_msg(&err, "p.txt", line, col, needle);
    mapf_grid_free(&g);
}

static void test_plan_reader_errors(void **state)
{
    (void)state;
    expect_plan_error("1:(0,0)\n", 0, 1, 1, "expected the time step 0");
    expect_plan_error("0:(0,0)\n2:(0,0)\n", 0, 2, 1, "expected the time step 1");
    expect_plan_error("0 (0,0)\n", 0, 1, 3, "expected ':' after the time step");
    expect_plan_error("0:(0;0)\n", 0, 1, 5, "expected ',' between x and y");
    expect_plan_error("0:(0,0),(1,0\n", 0, 1, 13, "expected ')' closing agent 1's cell");
    expect_plan_error("0:(0,0) (1,0)\n", 0, 1, 9, "expected ',' after agent 0's cell");
    expect_plan_error("0:(9,0)\n", 0, 1, 4, "agent 0's x = 9 is outside the map");
    expect_plan_error("0:(0,0),(1,0)\n1:(0,0)\n", 0, 2, 8, "time step 1 lists 1 agents, expected 2");
    expect_plan_error("0:(0,0),(1,0),(3,0)\n", 2, 1, 15, "more than 2 agents at time step 0");
    expect_plan_error("# nothing\n", 0, 2, 1, "the plan has no time steps");
}

static void test_plan_round_trip(void **state)
{
    (void)state;
    mapf_grid g;
    load_map(&g);
    uint32_t cells[] = {0, 4, 3, 7};
    mapf_plan p = {.n_agents = 2, .n_steps = 2, .at = cells};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(mapf_plan_write(f, &g, &p), 0);
    fclose(f);
    assert_string_equal(buf, "0:(0,0),(0,1),\n1:(3,0),(3,1),\n");
    mapf_plan q;
    ft_error err = {0};
    assert_int_equal(mapf_plan_parse(buf, len, "p.txt", &g, 2, &q, &err), 0);
    assert_int_equal(q.n_steps, 2);
    assert_memory_equal(q.at, cells, sizeof cells);
    assert_int_equal(q.step_line[1], 2);
    mapf_plan_free(&q);
    free(buf);
    mapf_grid_free(&g);
}

static void test_missing_files_name_the_file(void **state)
{
    (void)state;
    mapf_grid g;
    ft_error err = {0};
    assert_int_equal(mapf_grid_load("/nonexistent/x.map", &g, &err), -1);
    assert_string_equal(err.file, "/nonexistent/x.map");
    assert_non_null(strstr(err.msg, "cannot read the map: "));
    assert_non_null(strstr(err.msg, strerror(ENOENT)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_loads_cells_and_components),
        cmocka_unit_test(test_map_header_errors),
        cmocka_unit_test(test_map_row_errors),
        cmocka_unit_test(test_scen_loads_the_first_n_agents),
        cmocka_unit_test(test_scen_errors),
        cmocka_unit_test(test_unreachable_goal_is_an_error_before_planning),
        cmocka_unit_test(test_plan_reader_errors),
        cmocka_unit_test(test_plan_round_trip),
        cmocka_unit_test(test_missing_files_name_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
