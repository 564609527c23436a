/* cmd_mapf.c -- `fabtwin mapf`: plan collision-free paths for the agents
 * of a MovingAI scenario, or check a plan file against one.
 *
 *   fabtwin mapf --map M.map --scen S.scen --agents N [--time-limit 10s]
 *                [--seed N] [--strict] [--no-anytime] [--out plan.txt]
 *   fabtwin mapf --check --map M.map --scen S.scen [--agents N]
 *                --plan plan.txt [--strict]
 *
 * Every plan the planner returns also goes through the independent checker
 * before its figures are printed, so the summary line reports checked
 * numbers, not the planner's own claims. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"
#include "cli.h"

typedef struct mapf_args {
    const char *map, *scen, *plan, *out;
    uint32_t agents; /* 0: not given */
    bool check, strict, anytime;
    double time_limit_s;
    uint64_t seed;
} mapf_args;

static int parse_args(int argc, char **argv, mapf_args *a)
{
    *a = (mapf_args){.anytime = true, .time_limit_s = 10};
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--check") == 0) {
            a->check = true;
        } else if (strcmp(o, "--strict") == 0) {
            a->strict = true;
        } else if (strcmp(o, "--no-anytime") == 0) {
            a->anytime = false;
        } else if (o[0] == '-' && o[1] == '-' && i + 1 >= argc) {
            static const char *const valued[] = {"--map",  "--scen", "--plan",       "--out",
                                                 "--agents", "--seed", "--time-limit", NULL};
            return cli_missing_value(o, valued);
        } else if (strcmp(o, "--map") == 0) {
            a->map = argv[++i];
        } else if (strcmp(o, "--scen") == 0) {
            a->scen = argv[++i];
        } else if (strcmp(o, "--plan") == 0) {
            a->plan = argv[++i];
        } else if (strcmp(o, "--out") == 0) {
            a->out = argv[++i];
        } else if (strcmp(o, "--agents") == 0) {
            char *end;
            errno = 0;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (errno || *end || argv[i][0] == '-' || !argv[i][0] || v == 0 || v > 10000000)
                return cli_usage_error("--agents needs a whole number >= 1, got '%s'", argv[i]);
            a->agents = (uint32_t)v;
        } else if (strcmp(o, "--seed") == 0) {
            char *end;
            errno = 0;
            a->seed = strtoull(argv[++i], &end, 10);
            if (errno || *end || argv[i][0] == '-' || !argv[i][0])
                return cli_usage_error("--seed needs a whole number >= 0, got '%s'", argv[i]);
        } else if (strcmp(o, "--time-limit") == 0) {
            ft_error err = {0};
            if (ft_parse_duration(argv[++i], &a->time_limit_s, &err) || a->time_limit_s <= 0) {
                fprintf(stderr, "fabtwin: --time-limit: %s\n",
                        err.msg[0] ? err.msg : "needs a duration > 0, e.g. 10s");
                return 2;
            }
        } else {
            return cli_usage_error("mapf: unknown option or argument '%s'", o);
        }
    }
    if (!a->map || !a->scen)
        return cli_usage_error("%s", "mapf needs --map FILE and --scen FILE");
    if (a->check && !a->plan)
        return cli_usage_error("%s", "mapf --check needs --plan FILE");
    if (!a->check && a->plan)
        return cli_usage_error("%s", "--plan is for --check; to write a plan use --out FILE");
    if (!a->check && !a->agents)
        return cli_usage_error("%s", "mapf needs --agents N (how many scenario rows to plan)");
    return 0;
}

static double ratio(uint64_t cost, uint64_t bound)
{
    return bound ? (double)cost / (double)bound : 1.0;
}

static int run_check(const mapf_args *a, const mapf_grid *grid)
{
    ft_error err = {0};
    mapf_plan plan = {0};
    mapf_scen scen = {0};
    int rc = 1;
    if (mapf_plan_load(a->plan, grid, a->agents, &plan, &err) ||
        mapf_scen_load(a->scen, grid, plan.n_agents, &scen, &err))
        goto out;
    mapf_check_figures fig;
    if (mapf_check(grid, &scen, &plan, a->strict, a->plan, &fig, &err))
        goto out;
    printf("valid%s: agents=%u sum_of_costs=%llu lower_bound=%llu ratio=%.4f sum_of_loss=%llu "
           "makespan=%llu\n",
           a->strict ? " (strict)" : "", plan.n_agents, (unsigned long long)fig.sum_of_costs,
           (unsigned long long)fig.lower_bound, ratio(fig.sum_of_costs, fig.lower_bound),
           (unsigned long long)fig.sum_of_loss, (unsigned long long)fig.makespan);
    rc = 0;
out:
    if (rc)
        cli_fail(&err);
    mapf_plan_free(&plan);
    mapf_scen_free(&scen);
    return rc;
}

static int run_plan(const mapf_args *a, const mapf_grid *grid)
{
    ft_error err = {0};
    mapf_scen scen = {0};
    mapf_grid_graph gg = {0};
    mapf_plan plan = {0};
    uint32_t *starts = NULL, *goals = NULL;
    base_out out = {.fd = -1};
    int rc = 1;
    if (mapf_scen_load(a->scen, grid, a->agents, &scen, &err) ||
        mapf_grid_graph_build(grid, &gg, &err))
        goto fail;
    starts = malloc(scen.n_agents * sizeof *starts);
    goals = malloc(scen.n_agents * sizeof *goals);
    if (!starts || !goals) {
        ft_fail(&err, NULL, 0, 0, "out of memory");
        goto fail;
    }
    for (uint32_t i = 0; i < scen.n_agents; i++) {
        starts[i] = gg.cell_vertex[scen.start_cell[i]];
        goals[i] = gg.cell_vertex[scen.goal_cell[i]];
    }
    mapf_options opt = {.time_limit_s = a->time_limit_s, .seed = a->seed, .strict = a->strict,
                        .anytime = a->anytime};
    mapf_stats st;
    if (mapf_solve(&gg.graph, starts, goals, scen.n_agents, &opt, &plan, &st, &err)) {
        printf("agents=%u solved=no status=\"%s\" time_s=%.3f nodes=%llu\n", scen.n_agents,
               mapf_status_name(st.status), st.total_s, (unsigned long long)st.nodes);
        goto fail;
    }
    mapf_check_figures fig;
    if (mapf_plan_vertices_to_cells(&plan, &gg, &err))
        goto fail;
    if (mapf_check(grid, &scen, &plan, a->strict, "(planner output)", &fig, &err)) {
        fprintf(stderr, "fabtwin: internal error: the planner's plan fails the checker\n");
        goto fail;
    }
    if (a->out) {
        if (base_out_open(&out, a->out, &err))
            goto fail;
        mapf_plan_write(out.f, grid, &plan); /* a failed write shows in the commit */
        if (base_out_commit(&out, &err))
            goto fail;
    }
    printf("agents=%u solved=yes first_solution_s=%.4f sum_of_costs=%llu lower_bound=%llu "
           "ratio=%.4f sum_of_loss=%llu makespan=%llu time_s=%.3f nodes=%llu lns_iterations=%llu "
           "lns_accepted=%llu stopped_by=\"%s\" optimal_loss=%s%s\n",
           scen.n_agents, st.first_solution_s, (unsigned long long)fig.sum_of_costs,
           (unsigned long long)fig.lower_bound, ratio(fig.sum_of_costs, fig.lower_bound),
           (unsigned long long)fig.sum_of_loss, (unsigned long long)fig.makespan, st.total_s, (unsigned long long)st.nodes,
           (unsigned long long)st.refine_iterations, (unsigned long long)st.refine_accepted,
           st.stopped_by, st.optimal ? "yes" : "no", a->strict ? " strict=yes" : "");
    rc = 0;
fail:
    if (rc)
        cli_fail(&err);
    base_out_abort(&out);
    free(starts);
    free(goals);
    mapf_plan_free(&plan);
    mapf_grid_graph_free(&gg);
    mapf_scen_free(&scen);
    return rc;
}

int cmd_mapf(int argc, char **argv)
{
    mapf_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    mapf_grid grid;
    ft_error err = {0};
    if (mapf_grid_load(a.map, &grid, &err))
        return cli_fail(&err);
    rc = a.check ? run_check(&a, &grid) : run_plan(&a, &grid);
    mapf_grid_free(&grid);
    return rc;
}
