/* test_mapf_plan.c -- the MAPF planner (LaCAM / LaCAM* with PIBT) on small
 * hand-made instances whose optimal sum-of-costs is derived by hand in the
 * comment above each test, on the corridor and ring situations that
 * deadlock naive prioritised planners, and on an impossible instance that
 * must be reported as such. Every plan goes through the independent
 * checker (mapf_check), strict plans through the strict checker.
 *
 * Costs: an agent's cost is one more than the last time step at which it
 * is away from its goal; sum-of-costs (SoC) adds them up. With anytime on
 * and a search that runs dry, LaCAM* returns a plan of least sum-of-loss;
 * in all the instances below no optimal plan lets an agent leave its goal
 * once there, so least loss is least SoC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"
#include "agv/mapf_search.h"

typedef struct instance {
    mapf_grid grid;
    mapf_scen scen;
    mapf_grid_graph gg;
    uint32_t *starts, *goals;
} instance;

/* rows: the map rows joined by '\n'; agents: sx, sy, gx, gy per agent. */
static void instance_make(instance *in, const char *rows, const uint32_t (*agents)[4],
                          uint32_t n)
{
    uint32_t w = (uint32_t)strcspn(rows, "\n"), h = 0;
    for (const char *p = rows; *p; p++)
        h += *p == '\n';
    h += rows[strlen(rows) - 1] != '\n';
    char text[4096], scen[4096];
    snprintf(text, sizeof text, "type octile\nheight %u\nwidth %u\nmap\n%s\n", h, w, rows);
    ft_error err = {0};
    if (mapf_grid_parse(text, strlen(text), "t.map", &in->grid, &err))
        fail_msg("map: %s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    int len = snprintf(scen, sizeof scen, "version 1\n");
    for (uint32_t i = 0; i < n; i++)
        len += snprintf(scen + len, sizeof scen - (size_t)len, "0\tt.map\t%u\t%u\t%u\t%u\t%u\t%u\t0\n",
                        w, h, agents[i][0], agents[i][1], agents[i][2], agents[i][3]);
    if (mapf_scen_parse(scen, strlen(scen), "t.scen", &in->grid, n, &in->scen, &err))
        fail_msg("scen: %s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    assert_int_equal(mapf_grid_graph_build(&in->grid, &in->gg, &err), 0);
    in->starts = malloc(n * sizeof *in->starts);
    in->goals = malloc(n * sizeof *in->goals);
    for (uint32_t i = 0; i < n; i++) {
        in->starts[i] = in->gg.cell_vertex[in->scen.start_cell[i]];
        in->goals[i] = in->gg.cell_vertex[in->scen.goal_cell[i]];
    }
}

static void instance_free(instance *in)
{
    free(in->starts);
    free(in->goals);
    mapf_grid_graph_free(&in->gg);
    mapf_scen_free(&in->scen);
    mapf_grid_free(&in->grid);
}

/* Plan, check the plan independently, return the checked figures. */
static mapf_check_figures solve_and_check(instance *in, bool strict, bool anytime,
                                          mapf_stats *st)
{
    mapf_options opt = {.time_limit_s = 20, .seed = 1, .strict = strict, .anytime = anytime};
    mapf_plan plan;
    ft_error err = {0};
    if (mapf_solve(&in->gg.graph, in->starts, in->goals, in->scen.n_agents, &opt, &plan, st,
                   &err))
        fail_msg("planner failed (%s): %s", mapf_status_name(st->status), err.msg);
    assert_int_equal(mapf_plan_vertices_to_cells(&plan, &in->gg, &err), 0);
    mapf_check_figures fig;
    if (mapf_check(&in->grid, &in->scen, &plan, strict, "plan", &fig, &err))
        fail_msg("the checker rejects the plan: %s", err.msg);
    printf("  -> SoC %llu, makespan %llu, lower bound %llu, %s, %llu nodes\n",
           (unsigned long long)fig.sum_of_costs, (unsigned long long)fig.makespan,
           (unsigned long long)fig.lower_bound, st->stopped_by,
           (unsigned long long)st->nodes);
    mapf_plan_free(&plan);
    return fig;
}

/* One agent in a 1x5 corridor from x=0 to x=4: cost = distance = 4. */
static void test_single_agent_takes_a_shortest_path(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 0, 4, 0}};
    instance_make(&in, ".....", a, 1);
    mapf_stats st;
    mapf_check_figures f = solve_and_check(&in, false, true, &st);
    assert_int_equal(f.sum_of_costs, 4);
    assert_int_equal(f.makespan, 4);
    assert_int_equal(f.lower_bound, 4);
    assert_true(st.optimal);
    instance_free(&in);
}

/* An agent already at its goal, alone: the plan is the single
 * configuration, cost 0. */
static void test_agents_at_their_goals_cost_nothing(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 0, 0, 0}, {2, 0, 2, 0}};
    instance_make(&in, "...", a, 2);
    mapf_stats st;
    mapf_check_figures f = solve_and_check(&in, false, true, &st);
    assert_int_equal(f.sum_of_costs, 0);
    assert_int_equal(f.makespan, 0);
    instance_free(&in);
}

/* Two agents crossing in an open 3x3 grid: A (0,1)->(2,1), B (1,0)->(1,2).
 * Each has exactly one shortest path, both through the centre at t=1, so
 * one of them must lose a step: optimal SoC = 2 + 3 = 5 (lower bound 4). */
static void test_crossing_agents_lose_exactly_one_step(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 1, 2, 1}, {1, 0, 1, 2}};
    instance_make(&in, "...\n...\n...", a, 2);
    mapf_stats st;
    mapf_check_figures f = solve_and_check(&in, false, true, &st);
    assert_true(st.optimal);
    assert_int_equal(f.lower_bound, 4);
    assert_int_equal(f.sum_of_costs, 5);
    instance_free(&in);
}

/* Corridor x=0..4 on row 1 with a side pocket at (2,0); A goes 0->4, B
 * 4->0. One agent (P) must wait in the pocket while the other (Q) passes.
 * P reaches the pocket at t=3 at the earliest (distance 3), so Q can be at
 * (2,1) at t=3 at the earliest (following P out of it) and home at t=5;
 * P re-enters (2,1) at t=4 behind Q and is home at t=6: SoC = 5 + 6 = 11
 * (lower bound 8). */
static void test_corridor_swap_uses_the_side_pocket(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 1, 4, 1}, {4, 1, 0, 1}};
    instance_make(&in, "@@.@@\n.....", a, 2);
    mapf_stats st;
    mapf_check_figures f = solve_and_check(&in, false, true, &st);
    assert_true(st.optimal);
    assert_int_equal(f.lower_bound, 8);
    assert_int_equal(f.sum_of_costs, 11);
    instance_free(&in);
}

/* The same in strict mode (no following): Q may enter (2,1) only when it
 * was empty the step before: P is there at t=2, in the pocket at t=3, so Q
 * enters at t=4, is home at t=6; P re-enters (2,1) once Q has left it for
 * a full step: Q leaves at t=5, P enters at t=6, home at t=8. SoC = 6 + 8
 * = 14. */
static void test_corridor_swap_in_strict_mode_waits_one_step_more(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 1, 4, 1}, {4, 1, 0, 1}};
    instance_make(&in, "@@.@@\n.....", a, 2);
    mapf_stats st;
    mapf_check_figures f = solve_and_check(&in, true, true, &st);
    assert_true(st.optimal);
    assert_int_equal(f.sum_of_costs, 14);
    instance_free(&in);
}

/* A long corridor x=0..8 whose single passing place is a pocket at x=6:
 * A goes 0->8, B 8->0. If B waits in the pocket (reached at t=3), A passes
 * x=6 at t=6 and is home at t=8 (its lower bound); B follows out at t=7 and
 * needs 6 more steps: 13. SoC 21. If A used the pocket instead it would
 * reach it at t=7 and B home at 8+... : 2*max(2,7) + 9 = 23. So 21. */
static void test_corridor_with_one_passing_place_picks_the_cheaper_agent(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 1, 8, 1}, {8, 1, 0, 1}};
    instance_make(&in, "@@@@@@.@@\n.........", a, 2);
    mapf_stats st;
    mapf_check_figures f = solve_and_check(&in, false, true, &st);
    assert_true(st.optimal);
    assert_int_equal(f.lower_bound, 16);
    assert_int_equal(f.sum_of_costs, 21);
    assert_int_equal(f.makespan, 13);
    instance_free(&in);
}

/* A T junction (a tree): row 1 is x=0..2, the stem (1,0) above the middle.
 * A and B swap ends: the pocket case with the pocket next to both: one
 * agent steps into the stem at t=2, the other passes and is home at t=3,
 * the first comes back out behind it and is home at t=4. SoC 7. */
static void test_swap_at_a_tree_junction(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 1, 2, 1}, {2, 1, 0, 1}};
    instance_make(&in, "@.@\n...", a, 2);
    mapf_stats st;
    mapf_check_figures f = solve_and_check(&in, false, true, &st);
    assert_true(st.optimal);
    assert_int_equal(f.sum_of_costs, 7);
    instance_free(&in);
}

/* A bottleneck: two 2x3 rooms joined by a one-cell door; three agents in
 * each room must all change rooms. The door carries one agent per step,
 * so the plan exists (the rooms give space to pass) but is long; it must
 * be found and valid, and cost at least the lower bound. */
static void test_bottleneck_between_two_rooms_is_solved(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 0, 6, 0}, {1, 1, 5, 1}, {0, 2, 6, 2},
                             {6, 0, 0, 0}, {5, 1, 1, 1}, {6, 2, 0, 2}};
    instance_make(&in, "..@@@..\n.......\n..@@@..", a, 6);
    mapf_stats st;
    mapf_check_figures f = solve_and_check(&in, false, false, &st);
    assert_true(f.sum_of_costs >= f.lower_bound);
    /* every agent crosses the door cell (3,1) */
    assert_true(f.makespan >= 6);
    mapf_check_figures fs = solve_and_check(&in, true, false, &st);
    assert_true(fs.sum_of_costs >= fs.lower_bound);
    instance_free(&in);
}

/* The ring: the 8 cells around a blocked centre, clockwise from (0,0). */
static const uint32_t ring[8][2] = {{0, 0}, {1, 0}, {2, 0}, {2, 1},
                                    {2, 2}, {1, 2}, {0, 2}, {0, 1}};
#define RING_MAP "...\n.@.\n..."

/* Seven agents on the eight-cell ring, each to go one cell clockwise.
 * Without strict rules all move at once (a chain of followings): SoC 7,
 * makespan 1. */
static void test_ring_rotates_in_one_step_when_following_is_allowed(void **state)
{
    (void)state;
    uint32_t a[7][4];
    for (int i = 0; i < 7; i++) {
        a[i][0] = ring[i][0];
        a[i][1] = ring[i][1];
        a[i][2] = ring[i + 1][0];
        a[i][3] = ring[i + 1][1];
    }
    instance in;
    instance_make(&in, RING_MAP, (const uint32_t(*)[4])a, 7);
    mapf_stats st;
    mapf_check_figures f = solve_and_check(&in, false, true, &st);
    assert_int_equal(f.sum_of_costs, 7);
    assert_int_equal(f.makespan, 1);
    instance_free(&in);
}

/* The same in strict mode: only an agent next to the single gap can move,
 * one per step, so the moves happen at steps 1..7 and costs are at least
 * 1, 2, ..., 7: SoC >= 28, reached by moving the agents into the gap one
 * after the other. No lockstep rotation. */
static void test_ring_in_strict_mode_moves_one_agent_per_step(void **state)
{
    (void)state;
    uint32_t a[7][4];
    for (int i = 0; i < 7; i++) {
        a[i][0] = ring[i][0];
        a[i][1] = ring[i][1];
        a[i][2] = ring[i + 1][0];
        a[i][3] = ring[i + 1][1];
    }
    instance in;
    instance_make(&in, RING_MAP, (const uint32_t(*)[4])a, 7);
    mapf_stats st;
    mapf_check_figures f = solve_and_check(&in, true, true, &st);
    assert_true(st.optimal);
    assert_int_equal(f.sum_of_costs, 28);
    assert_int_equal(f.makespan, 7);
    instance_free(&in);
}

/* A full ring of eight: rotating all at once is the only move, and it is a
 * cycle of followings. Allowed: SoC 8. Strict: no agent can ever move, so
 * the search must run dry and say there is no solution. */
static void test_full_ring_rotates_only_without_strict(void **state)
{
    (void)state;
    uint32_t a[8][4];
    for (int i = 0; i < 8; i++) {
        a[i][0] = ring[i][0];
        a[i][1] = ring[i][1];
        a[i][2] = ring[(i + 1) % 8][0];
        a[i][3] = ring[(i + 1) % 8][1];
    }
    instance in;
    instance_make(&in, RING_MAP, (const uint32_t(*)[4])a, 8);
    mapf_stats st;
    mapf_check_figures f = solve_and_check(&in, false, false, &st);
    assert_int_equal(f.sum_of_costs, 8);

    mapf_options opt = {.time_limit_s = 20, .strict = true};
    mapf_plan plan;
    ft_error err = {0};
    assert_int_equal(mapf_solve(&in.gg.graph, in.starts, in.goals, 8, &opt, &plan, &st, &err), -1);
    assert_int_equal(st.status, MAPF_NO_SOLUTION);
    assert_non_null(strstr(err.msg, "no solution"));
    instance_free(&in);
}

/* Two agents exchanging the ends of a 1-wide corridor with no pocket can
 * never pass: the planner must search the (small) space to exhaustion and
 * report no solution -- not loop, not time out. */
static void test_swap_in_dead_end_corridor_has_no_solution(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 0, 5, 0}, {5, 0, 0, 0}};
    instance_make(&in, "......", a, 2);
    for (int anytime = 0; anytime < 2; anytime++)
        for (int strict = 0; strict < 2; strict++) {
            mapf_options opt = {.time_limit_s = 20, .strict = strict, .anytime = anytime};
            mapf_plan plan;
            mapf_stats st;
            ft_error err = {0};
            assert_int_equal(
                mapf_solve(&in.gg.graph, in.starts, in.goals, 2, &opt, &plan, &st, &err), -1);
            assert_int_equal(st.status, MAPF_NO_SOLUTION);
            /* 6 cells, 2 distinct agents: at most 30 configurations */
            assert_true(st.nodes <= 30);
            assert_true(st.total_s < 5);
        }
    instance_free(&in);
}

/* Same input and seed: the same plan, cell for cell. */
static void test_same_seed_gives_the_same_plan(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 0, 6, 0}, {1, 1, 5, 1}, {0, 2, 6, 2},
                             {6, 0, 0, 0}, {5, 1, 1, 1}, {6, 2, 0, 2}};
    instance_make(&in, "..@@@..\n.......\n..@@@..", a, 6);
    mapf_plan p[2];
    for (int k = 0; k < 2; k++) {
        mapf_options opt = {.seed = 42, .anytime = false};
        mapf_stats st;
        ft_error err = {0};
        assert_int_equal(mapf_solve(&in.gg.graph, in.starts, in.goals, 6, &opt, &p[k], &st, &err),
                         0);
    }
    assert_int_equal(p[0].n_steps, p[1].n_steps);
    assert_memory_equal(p[0].at, p[1].at, (size_t)p[0].n_steps * 6 * sizeof *p[0].at);
    mapf_plan_free(&p[0]);
    mapf_plan_free(&p[1]);
    instance_free(&in);
}

/* The planner's own input checks on a plain graph (the path networks of
 * the AGV layer are not grids): shared starts, shared goals, a goal in
 * another component, a vertex out of range. */
static void test_bad_graph_input_is_rejected(void **state)
{
    (void)state;
    /* 0-1-2 and 3-4: two components */
    const uint32_t edges[] = {0, 1, 1, 2, 3, 4};
    mapf_graph g;
    ft_error err = {0};
    assert_int_equal(mapf_graph_build(&g, 5, edges, 3, &err), 0);
    mapf_options opt = {0};
    mapf_plan plan;
    mapf_stats st;
    const uint32_t s_dup[] = {0, 0}, g_ok[] = {1, 2};
    assert_int_equal(mapf_solve(&g, s_dup, g_ok, 2, &opt, &plan, &st, &err), -1);
    assert_int_equal(st.status, MAPF_BAD_INPUT);
    assert_non_null(strstr(err.msg, "agents 0 and 1 have the same start"));
    const uint32_t s_ok[] = {0, 1}, g_dup[] = {2, 2};
    assert_int_equal(mapf_solve(&g, s_ok, g_dup, 2, &opt, &plan, &st, &err), -1);
    assert_non_null(strstr(err.msg, "same goal"));
    const uint32_t g_far[] = {2, 4};
    assert_int_equal(mapf_solve(&g, s_ok, g_far, 2, &opt, &plan, &st, &err), -1);
    assert_int_equal(st.status, MAPF_BAD_INPUT);
    assert_non_null(strstr(err.msg, "agent 1 cannot reach its goal"));
    const uint32_t g_out[] = {2, 9};
    assert_int_equal(mapf_solve(&g, s_ok, g_out, 2, &opt, &plan, &st, &err), -1);
    assert_non_null(strstr(err.msg, "vertex 9"));
    /* a loop edge is no edge at all */
    const uint32_t loop[] = {0, 0};
    mapf_graph g2;
    assert_int_equal(mapf_graph_build(&g2, 2, loop, 1, &err), -1);
    mapf_graph_free(&g);
}

/* On a plain graph: a T (0-1-2 with 3 hanging off 1), agents at 0 and 2
 * swapping -- the junction case again, SoC 7 -- with the moves checked
 * against the edge list here, since the grid checker does not apply. */
static void test_planner_works_on_a_plain_graph(void **state)
{
    (void)state;
    const uint32_t edges[] = {0, 1, 1, 2, 1, 3};
    mapf_graph g;
    ft_error err = {0};
    assert_int_equal(mapf_graph_build(&g, 4, edges, 3, &err), 0);
    const uint32_t s[] = {0, 2}, goal[] = {2, 0};
    mapf_options opt = {.anytime = true, .time_limit_s = 20};
    mapf_plan plan;
    mapf_stats st;
    assert_int_equal(mapf_solve(&g, s, goal, 2, &opt, &plan, &st, &err), 0);
    assert_true(st.optimal);
    assert_int_equal(st.loss_best, 7);
    uint64_t soc = 0;
    for (uint32_t i = 0; i < 2; i++) {
        assert_int_equal(plan.at[i], s[i]);
        assert_int_equal(plan.at[(plan.n_steps - 1) * 2 + i], goal[i]);
        for (uint32_t t = 1; t < plan.n_steps; t++) {
            uint32_t a = plan.at[(t - 1) * 2 + i], b = plan.at[t * 2 + i];
            bool edge = a == b;
            for (int e = 0; e < 3; e++)
                edge |= (edges[2 * e] == a && edges[2 * e + 1] == b) ||
                        (edges[2 * e] == b && edges[2 * e + 1] == a);
            assert_true(edge);
        }
    }
    for (uint32_t t = 0; t < plan.n_steps; t++) {
        assert_int_not_equal(plan.at[t * 2], plan.at[t * 2 + 1]);
        if (t > 0)
            assert_false(plan.at[t * 2] == plan.at[(t - 1) * 2 + 1] &&
                         plan.at[t * 2 + 1] == plan.at[(t - 1) * 2]);
    }
    for (uint32_t i = 0; i < 2; i++) {
        uint32_t cost = 0;
        for (uint32_t t = 0; t < plan.n_steps; t++)
            if (plan.at[t * 2 + i] != goal[i])
                cost = t + 1;
        soc += cost;
    }
    assert_int_equal(soc, 7);
    mapf_plan_free(&plan);
    mapf_graph_free(&g);
}

/* A memory budget too small for even the first configuration fails
 * cleanly with MAPF_MEMORY_LIMIT. */
static void test_memory_limit_fails_cleanly(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 1, 4, 1}, {4, 1, 0, 1}};
    instance_make(&in, "@@.@@\n.....", a, 2);
    mapf_options opt = {.memory_limit_bytes = 16};
    mapf_plan plan;
    mapf_stats st;
    ft_error err = {0};
    assert_int_equal(mapf_solve(&in.gg.graph, in.starts, in.goals, 2, &opt, &plan, &st, &err), -1);
    assert_int_equal(st.status, MAPF_MEMORY_LIMIT);
    instance_free(&in);
}

/* The anytime refinement by neighbourhood search on a plan with needless
 * detours: on an open 4x4 grid agent 0 goes (0,0) -> (3,0) and agent 1
 * (0,3) -> (3,3), each given a 5-step detour through the middle rows. Their
 * straight rows never meet, so replanning them one after the other finds
 * both shortest paths: SoC 5 + 5 = 10 becomes 3 + 3 = 6. In strict mode
 * too. */
static void test_refinement_removes_detours(void **state)
{
    (void)state;
    for (int strict = 0; strict < 2; strict++) {
        instance in;
        const uint32_t a[][4] = {{0, 0, 3, 0}, {0, 3, 3, 3}};
        instance_make(&in, "....\n....\n....\n....", a, 2);
        /* cells (x,y) as vertices: every cell is passable, so vertex = y*4+x */
        const uint32_t detour[6][2] = {{0, 12}, {4, 8}, {5, 9}, {6, 10}, {7, 11}, {3, 15}};
        mapf_plan plan = {.n_agents = 2, .n_steps = 6};
        plan.at = malloc(sizeof detour);
        memcpy(plan.at, detour, sizeof detour);
        uint32_t nv = in.gg.graph.n_vertices;
        uint32_t *dist = malloc(2 * (size_t)nv * sizeof *dist);
        for (int i = 0; i < 2; i++)
            mapf_graph_bfs(&in.gg.graph, in.goals[i], dist + (size_t)i * nv, NULL);
        mapf_problem pb = {.graph = &in.gg.graph, .n_agents = 2, .starts = in.starts,
                           .goals = in.goals, .dist_to_goal = dist, .strict = strict};
        uint64_t iterations = 0, accepted = 0;
        assert_int_equal(mapf_refine_lns(&pb, &plan, 0.05, 7, &iterations, &accepted), 0);
        assert_true(accepted >= 1);
        ft_error err = {0};
        assert_int_equal(mapf_plan_vertices_to_cells(&plan, &in.gg, &err), 0);
        mapf_check_figures f;
        if (mapf_check(&in.grid, &in.scen, &plan, strict, "plan", &f, &err))
            fail_msg("%s", err.msg);
        assert_int_equal(f.sum_of_costs, 6);
        mapf_plan_free(&plan);
        free(dist);
        instance_free(&in);
    }
}

/* A bigger instance with anytime on and a short limit: whatever LaCAM*
 * and the neighbourhood search do in the time, the plan stays valid (strict
 * plans strictly valid) and costs at least the lower bound. */
static void test_anytime_plans_stay_valid(void **state)
{
    (void)state;
    instance in;
    const uint32_t a[][4] = {{0, 0, 6, 0}, {1, 1, 5, 1}, {0, 2, 6, 2},
                             {6, 0, 0, 0}, {5, 1, 1, 1}, {6, 2, 0, 2}};
    instance_make(&in, "..@@@..\n.......\n..@@@..", a, 6);
    for (int strict = 0; strict < 2; strict++) {
        mapf_options opt = {.time_limit_s = 0.3, .seed = 5, .strict = strict, .anytime = true};
        mapf_plan plan;
        mapf_stats st;
        ft_error err = {0};
        assert_int_equal(mapf_solve(&in.gg.graph, in.starts, in.goals, 6, &opt, &plan, &st, &err),
                         0);
        assert_int_equal(mapf_plan_vertices_to_cells(&plan, &in.gg, &err), 0);
        mapf_check_figures f;
        if (mapf_check(&in.grid, &in.scen, &plan, strict, "plan", &f, &err))
            fail_msg("%s", err.msg);
        assert_true(f.sum_of_costs >= f.lower_bound);
        printf("  -> %s: SoC %llu (lower bound %llu), %llu LNS iterations\n",
               strict ? "strict" : "default", (unsigned long long)f.sum_of_costs,
               (unsigned long long)f.lower_bound, (unsigned long long)st.refine_iterations);
        mapf_plan_free(&plan);
    }
    instance_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_agent_takes_a_shortest_path),
        cmocka_unit_test(test_agents_at_their_goals_cost_nothing),
        cmocka_unit_test(test_crossing_agents_lose_exactly_one_step),
        cmocka_unit_test(test_corridor_swap_uses_the_side_pocket),
        cmocka_unit_test(test_corridor_swap_in_strict_mode_waits_one_step_more),
        cmocka_unit_test(test_corridor_with_one_passing_place_picks_the_cheaper_agent),
        cmocka_unit_test(test_swap_at_a_tree_junction),
        cmocka_unit_test(test_bottleneck_between_two_rooms_is_solved),
        cmocka_unit_test(test_ring_rotates_in_one_step_when_following_is_allowed),
        cmocka_unit_test(test_ring_in_strict_mode_moves_one_agent_per_step),
        cmocka_unit_test(test_full_ring_rotates_only_without_strict),
        cmocka_unit_test(test_swap_in_dead_end_corridor_has_no_solution),
        cmocka_unit_test(test_same_seed_gives_the_same_plan),
        cmocka_unit_test(test_bad_graph_input_is_rejected),
        cmocka_unit_test(test_planner_works_on_a_plain_graph),
        cmocka_unit_test(test_memory_limit_fails_cleanly),
        cmocka_unit_test(test_refinement_removes_detours),
        cmocka_unit_test(test_anytime_plans_stay_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
