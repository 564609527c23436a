/* test_mapf_scenarios.c -- the planner on real MovingAI benchmark
 * instances (read in place from ../shared/data/mapf, never copied): three
 * scenarios of each map with 100 agents and two strict-mode runs, every
 * plan validated by the independent checker (strict plans by the strict
 * checker).
 *
 * What is asserted is theory, not recorded output: the checker accepts the
 * plan, sum-of-costs >= the lower bound, and the lower bound computed by
 * the checker's own grid BFS equals the planner's graph BFS. (The `.scen`
 * files' optimal lengths are octile, 8-connected, distances, so they are
 * not comparable.) Skipped, with a message, when the data folder is
 * missing (exit 77: ctest reports it skipped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"
#include "testutil.h"

#define DATA FT_SOURCE_DIR "/../shared/data/mapf"

static void need_data(void)
{
    ft_need_path(DATA, "the MovingAI instances live in shared/data/mapf");
}

static void plan_and_check(const char *map, int scen_no, uint32_t n_agents, bool strict,
                           double anytime_s)
{
    char map_path[1024], scen_path[1024];
    snprintf(map_path, sizeof map_path, DATA "/%s/%s.map", map, map);
    snprintf(scen_path, sizeof scen_path, DATA "/%s/%s-random-%d.scen", map, map, scen_no);
    mapf_grid grid;
    mapf_scen scen;
    mapf_grid_graph gg;
    ft_error err = {0};
    if (mapf_grid_load(map_path, &grid, &err) ||
        mapf_scen_load(scen_path, &grid, n_agents, &scen, &err) ||
        mapf_grid_graph_build(&grid, &gg, &err))
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    uint32_t *s = malloc(n_agents * sizeof *s), *g = malloc(n_agents * sizeof *g);
    for (uint32_t i = 0; i < n_agents; i++) {
        s[i] = gg.cell_vertex[scen.start_cell[i]];
        g[i] = gg.cell_vertex[scen.goal_cell[i]];
    }
    /* anytime_s == 0: the first solution only, with no time limit (ctest's
     * TIMEOUT bounds a hang), so a slow machine cannot fail the test. Else
     * refine: the limit bounds the whole call, so it is anytime_s on top of
     * three times what the first solution took here just before -- the
     * refinement gets its time, and the first plan is never cut short. */
    mapf_options opt = {.time_limit_s = 0, .seed = 0, .strict = strict, .anytime = false};
    mapf_plan plan;
    mapf_stats st;
    if (anytime_s > 0) {
        if (mapf_solve(&gg.graph, s, g, n_agents, &opt, &plan, &st, &err))
            fail_msg("%s %d, %u agents: %s", map, scen_no, n_agents, err.msg);
        mapf_plan_free(&plan);
        opt.anytime = true;
        opt.time_limit_s = anytime_s + 3 * st.first_solution_s;
    }
    if (mapf_solve(&gg.graph, s, g, n_agents, &opt, &plan, &st, &err))
        fail_msg("%s %d, %u agents%s: %s", map, scen_no, n_agents, strict ? " strict" : "",
                 err.msg);
    assert_int_equal(mapf_plan_vertices_to_cells(&plan, &gg, &err), 0);
    mapf_check_figures fig;
    if (mapf_check(&grid, &scen, &plan, strict, scen_path, &fig, &err))
        fail_msg("checker: %s", err.msg);
    printf("  %-24s scen %2d: %u agents%s, %.3f s, SoC %llu, lower bound %llu (x%.3f)\n", map,
           scen_no, n_agents, strict ? " strict" : "", st.first_solution_s,
           (unsigned long long)fig.sum_of_costs, (unsigned long long)fig.lower_bound,
           (double)fig.sum_of_costs / (double)fig.lower_bound);
    assert_true(fig.sum_of_costs >= fig.lower_bound);
    assert_int_equal(fig.lower_bound, st.lower_bound); /* two independent BFS agree */
    mapf_plan_free(&plan);
    free(s);
    free(g);
    mapf_grid_graph_free(&gg);
    mapf_scen_free(&scen);
    mapf_grid_free(&grid);
}

static void test_random_map_100_agents(void **state)
{
    (void)state;
    need_data();
    for (int k = 1; k <= 3; k++)
        plan_and_check("random-32-32-20", k, 100, false, 0);
}

static void test_room_map_100_agents(void **state)
{
    (void)state;
    need_data();
    for (int k = 1; k <= 3; k++)
        plan_and_check("room-32-32-4", k, 100, false, 0);
}

static void test_warehouse_map_100_agents(void **state)
{
    (void)state;
    need_data();
    for (int k = 1; k <= 3; k++)
        plan_and_check("warehouse-10-20-10-2-1", k, 100, false, 0);
}

static void test_strict_plans_pass_the_strict_checker(void **state)
{
    (void)state;
    need_data();
    plan_and_check("random-32-32-20", 1, 50, true, 0);
    plan_and_check("warehouse-10-20-10-2-1", 1, 50, true, 0);
}

/* LaCAM* and the neighbourhood search for half a second: still valid. The
 * densest random-32-32-20 scenario (all 409 rows) for two seconds: there
 * prioritised planning leaves about a hundred agents without a path, so
 * the fresh plan's repair runs too. */
static void test_refined_plans_pass_the_checker(void **state)
{
    (void)state;
    need_data();
    plan_and_check("room-32-32-4", 4, 100, false, 0.5);
    plan_and_check("random-32-32-20", 4, 50, true, 0.5);
    plan_and_check("random-32-32-20", 1, 409, false, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_map_100_agents),
        cmocka_unit_test(test_room_map_100_agents),
        cmocka_unit_test(test_warehouse_map_100_agents),
        cmocka_unit_test(test_strict_plans_pass_the_strict_checker),
        cmocka_unit_test(test_refined_plans_pass_the_checker),
    };
    return ft_tests_status(cmocka_run_group_tests(tests, NULL, NULL));
}
