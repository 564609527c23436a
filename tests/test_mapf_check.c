/* test_mapf_check.c -- the independent plan checker on hand-written plans:
 * a valid one with hand-counted figures, and one plan per rule broken,
 * each caught at the right time step, agents and cell, on the right line.
 *
 * The map for all of them (x = column, y = row):
 *     y=0  . . .
 *     y=1  . @ .
 *     y=2  . . .
 * Two agents: 0 from (0,0) to (2,0), 1 from (2,0) to (0,0)... around the
 * ring, unless a test says otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"

static const char map_text[] = "type octile\nheight 3\nwidth 3\nmap\n...\n.@.\n...\n";

typedef struct fixture {
    mapf_grid grid;
    mapf_scen scen;
} fixture;

static void fixture_make(fixture *f, const char *scen_rows, uint32_t n_agents)
{
    ft_error err = {0};
    assert_int_equal(mapf_grid_parse(map_text, strlen(map_text), "ring.map", &f->grid, &err), 0);
    char scen[1024];
    snprintf(scen, sizeof scen, "version 1\n%s", scen_rows);
    if (mapf_scen_parse(scen, strlen(scen), "ring.scen", &f->grid, n_agents, &f->scen, &err))
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
}

static void fixture_free(fixture *f)
{
    mapf_scen_free(&f->scen);
    mapf_grid_free(&f->grid);
}

/* Agent 0: (0,0) -> (0,2); agent 1: (2,2) -> (2,0). */
#define TWO_AGENTS "0\tring.map\t3\t3\t0\t0\t0\t2\t2\n0\tring.map\t3\t3\t2\t2\t2\t0\t2\n"

static int check_text(fixture *f, const char *plan_text, bool strict, mapf_check_figures *fig,
                      ft_error *err)
{
    mapf_plan plan;
    if (mapf_plan_parse(plan_text, strlen(plan_text), "p.txt", &f->grid, 0, &plan, err))
        fail_msg("the plan should parse: %s:%d:%d: %s", err->file, err->line, err->col,
                 err->msg);
    int rc = mapf_check(&f->grid, &f->scen, &plan, strict, "p.txt", fig, err);
    mapf_plan_free(&plan);
    if (rc)
        printf("  -> %s:%d: %s\n", err->file, err->line, err->msg);
    return rc;
}

static void expect_violation(const char *scen_rows, uint32_t n, const char *plan_text,
                             bool strict, int line, const char *needle1, const char *needle2)
{
    fixture f;
    fixture_make(&f, scen_rows, n);
    mapf_check_figures fig;
    ft_error err = {0};
    assert_int_equal(check_text(&f, plan_text, strict, &fig, &err), -1);
    assert_string_equal(err.file, "p.txt");
    assert_int_equal(err.line, line);
    if (!strstr(err.msg, needle1))
        fail_msg("'%s' does not contain '%s'", err.msg, needle1);
    if (needle2 && !strstr(err.msg, needle2))
        fail_msg("'%s' does not contain '%s'", err.msg, needle2);
    fixture_free(&f);
}

/* Agent 0 walks down the west side (2 moves), agent 1 waits once then
 * walks up the east side (arrives t=3). Costs 2 and 3: SoC 5, makespan 3;
 * lower bound 2 + 2 = 4. A trailing step with everyone home adds nothing. */
static void test_valid_plan_figures(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, TWO_AGENTS, 2);
    const char *plan = "# a comment line\n"
                       "0:(0,0),(2,2),\n"
                       "1:(0,1),(2,2),\n"
                       "2:(0,2),(2,1),\n"
                       "3:(0,2),(2,0),\n"
                       "4:(0,2),(2,0)\n";
    mapf_check_figures fig;
    ft_error err = {0};
    assert_int_equal(check_text(&f, plan, true, &fig, &err), 0);
    assert_int_equal(fig.sum_of_costs, 5);
    assert_int_equal(fig.makespan, 3);
    assert_int_equal(fig.lower_bound, 4);
    fixture_free(&f);
}

/* An agent that leaves its goal and comes back pays for the whole time:
 * agent 0 is home at t=2, away at t=3, home at t=4: cost 4. */
static void test_leaving_the_goal_counts_until_the_last_return(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, TWO_AGENTS, 2);
    const char *plan = "0:(0,0),(2,2)\n1:(0,1),(2,1)\n2:(0,2),(2,0)\n3:(1,2),(2,0)\n"
                       "4:(0,2),(2,0)\n";
    mapf_check_figures fig;
    ft_error err = {0};
    assert_int_equal(check_text(&f, plan, false, &fig, &err), 0);
    assert_int_equal(fig.sum_of_costs, 4 + 2);
    fixture_free(&f);
}

static void test_wrong_start_is_caught(void **state)
{
    (void)state;
    expect_violation(TWO_AGENTS, 2, "0:(0,1),(2,2)\n1:(0,2),(2,1)\n2:(0,2),(2,0)\n", false, 1,
                     "time step 0: agent 0 should start at (0,0) but is at (0,1)", "wrong start");
}

static void test_wrong_goal_is_caught(void **state)
{
    (void)state;
    expect_violation(TWO_AGENTS, 2, "0:(0,0),(2,2)\n1:(0,1),(2,1)\n", false, 2,
                     "time step 1: agent 0's goal is (0,2), but it ends at (0,1)", "wrong goal");
}

static void test_jump_is_caught(void **state)
{
    (void)state;
    /* agent 1 jumps from (2,2) to (2,0) at t=1 */
    expect_violation(TWO_AGENTS, 2, "0:(0,0),(2,2)\n1:(0,1),(2,0)\n2:(0,2),(2,0)\n", false, 2,
                     "time step 1: agent 1 moves from (2,2) to (2,0)", "jump");
}

static void test_obstacle_is_caught(void **state)
{
    (void)state;
    /* agent 0 steps into the blocked centre (1,1) at t=2 (from (0,1), a neighbour) */
    expect_violation(TWO_AGENTS, 2,
                     "0:(0,0),(2,2)\n1:(0,1),(2,1)\n2:(1,1),(2,0)\n3:(0,1),(2,0)\n"
                     "4:(0,2),(2,0)\n",
                     false, 3, "time step 2: agent 0 is on the blocked cell (1,1)", "obstacle");
}

/* Agent 0: (0,0) -> (2,0); agent 1: (2,0) -> (0,0): along the top row they
 * meet. */
#define FACING "0\tring.map\t3\t3\t0\t0\t2\t0\t2\n0\tring.map\t3\t3\t2\t0\t0\t0\t2\n"

static void test_vertex_conflict_is_caught(void **state)
{
    (void)state;
    /* both at (1,0) at t=1; comment and blank lines shift the line to 4 */
    expect_violation(FACING, 2, "# plan\n\n0:(0,0),(2,0)\n1:(1,0),(1,0)\n2:(2,0),(0,0)\n", false,
                     4, "time step 1: agents 0 and 1 are both at (1,0)", "vertex conflict");
}

static void test_swap_conflict_is_caught(void **state)
{
    (void)state;
    /* t=1: 0 at (1,0), 1 waits at (2,0); t=2: they exchange (1,0) and (2,0) */
    expect_violation(FACING, 2, "0:(0,0),(2,0)\n1:(1,0),(2,0)\n2:(2,0),(1,0)\n3:(2,0),(0,0)\n",
                     false, 3, "time step 2: agents 0 and 1 swap cells", "swap conflict");
}

/* Following: agent 1 moves (1,0) -> (2,0) while agent 0 moves (0,0) ->
 * (1,0), the cell 1 is leaving. Fine by default, a violation in strict
 * mode. Agent 0: (0,0) -> (1,0); agent 1: (1,0) -> (2,0). */
#define TRAIN "0\tring.map\t3\t3\t0\t0\t1\t0\t1\n0\tring.map\t3\t3\t1\t0\t2\t0\t1\n"

static void test_following_is_allowed_by_default(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, TRAIN, 2);
    mapf_check_figures fig;
    ft_error err = {0};
    assert_int_equal(check_text(&f, "0:(0,0),(1,0)\n1:(1,0),(2,0)\n", false, &fig, &err), 0);
    assert_int_equal(fig.sum_of_costs, 2);
    fixture_free(&f);
}

static void test_following_is_caught_in_strict_mode(void **state)
{
    (void)state;
    expect_violation(TRAIN, 2, "0:(0,0),(1,0)\n1:(1,0),(2,0)\n", true, 2,
                     "time step 1: agent 0 enters, as agent 1 leaves it, the cell (1,0)", "following");
}

/* A full rotation of the 8-cell ring: legal by default, a ring of
 * followings in strict mode. */
static void test_rotation_cycle_is_a_following_in_strict_mode(void **state)
{
    (void)state;
    const uint32_t ring[8][2] = {{0, 0}, {1, 0}, {2, 0}, {2, 1}, {2, 2}, {1, 2}, {0, 2}, {0, 1}};
    char scen[1024] = "", plan[256];
    int len = 0, plen = snprintf(plan, sizeof plan, "0:");
    for (int i = 0; i < 8; i++) {
        len += snprintf(scen + len, sizeof scen - (size_t)len, "0\tring.map\t3\t3\t%u\t%u\t%u\t%u\t1\n",
                        ring[i][0], ring[i][1], ring[(i + 1) % 8][0], ring[(i + 1) % 8][1]);
        plen += snprintf(plan + plen, sizeof plan - (size_t)plen, "(%u,%u),", ring[i][0], ring[i][1]);
    }
    plen += snprintf(plan + plen, sizeof plan - (size_t)plen, "\n1:");
    for (int i = 0; i < 8; i++)
        plen += snprintf(plan + plen, sizeof plan - (size_t)plen, "(%u,%u),", ring[(i + 1) % 8][0],
                         ring[(i + 1) % 8][1]);
    fixture f;
    fixture_make(&f, scen, 8);
    mapf_check_figures fig;
    ft_error err = {0};
    assert_int_equal(check_text(&f, plan, false, &fig, &err), 0);
    assert_int_equal(fig.sum_of_costs, 8);
    fixture_free(&f);
    /* agent 0 enters (1,0), which agent 1 leaves */
    expect_violation(scen, 8, plan, true, 2, "agent 0 enters, as agent 1 leaves it, the cell (1,0)", NULL);
}

static void test_plan_with_other_agent_count_is_rejected(void **state)
{
    (void)state;
    fixture f;
    fixture_make(&f, TWO_AGENTS, 2);
    mapf_plan plan;
    ft_error err = {0};
    const char *text = "0:(0,0)\n1:(0,1)\n";
    assert_int_equal(mapf_plan_parse(text, strlen(text), "p.txt", &f.grid, 0, &plan, &err), 0);
    assert_int_equal(plan.n_agents, 1);
    mapf_check_figures fig;
    assert_int_equal(mapf_check(&f.grid, &f.scen, &plan, false, "p.txt", &fig, &err), -1);
    assert_non_null(strstr(err.msg, "the plan has 1 agents, the scenario 2"));
    mapf_plan_free(&plan);
    fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_plan_figures),
        cmocka_unit_test(test_leaving_the_goal_counts_until_the_last_return),
        cmocka_unit_test(test_wrong_start_is_caught),
        cmocka_unit_test(test_wrong_goal_is_caught),
        cmocka_unit_test(test_jump_is_caught),
        cmocka_unit_test(test_obstacle_is_caught),
        cmocka_unit_test(test_vertex_conflict_is_caught),
        cmocka_unit_test(test_swap_conflict_is_caught),
        cmocka_unit_test(test_following_is_allowed_by_default),
        cmocka_unit_test(test_following_is_caught_in_strict_mode),
        cmocka_unit_test(test_rotation_cycle_is_a_following_in_strict_mode),
        cmocka_unit_test(test_plan_with_other_agent_count_is_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
