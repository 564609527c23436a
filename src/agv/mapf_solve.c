/* mapf_solve.c -- the planner's entry point (mapf_solve): check the
 * problem, build the per-agent distance tables, run LaCAM and say how it
 * went. Bad input is rejected here so the search never starts on a problem
 * it would wander through forever (an unreachable goal makes a finite but
 * astronomically large space). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agv/mapf_search.h"

#define LACAM_STAR_MAX_AGENTS 32

const char *mapf_status_name(mapf_status s)
{
    switch (s) {
    case MAPF_SOLVED: return "solved";
    case MAPF_NO_SOLUTION: return "no solution";
    case MAPF_TIME_LIMIT: return "time limit before any solution";
    case MAPF_MEMORY_LIMIT: return "memory limit before any solution";
    case MAPF_BAD_INPUT: return "bad input";
    }
    return "?";
}

/* Starts and goals in range and pairwise distinct. `owner` is scratch of
 * n_vertices entries. */
static int check_endpoints(const mapf_graph *g, const uint32_t *v, uint32_t n, const char *what,
                           uint32_t *owner, ft_error *err)
{
    for (uint32_t x = 0; x < g->n_vertices; x++)
        owner[x] = MAPF_NONE;
    for (uint32_t i = 0; i < n; i++) {
        if (v[i] >= g->n_vertices)
            return ft_fail(err, NULL, 0, 0, "agent %u's %s is vertex %u; the graph has %u", i,
                           what, v[i], g->n_vertices);
        if (owner[v[i]] != MAPF_NONE)
            return ft_fail(err, NULL, 0, 0, "agents %u and %u have the same %s, vertex %u",
                           owner[v[i]], i, what, v[i]);
        owner[v[i]] = i;
    }
    return 0;
}

int mapf_solve(const mapf_graph *g, const uint32_t *starts, const uint32_t *goals,
               uint32_t n_agents, const mapf_options *opt, mapf_plan *plan,
               mapf_stats *stats, ft_error *err)
{
    mapf_stats own_stats;
    mapf_stats *st = stats ? stats : &own_stats;
    memset(st, 0, sizeof *st);
    memset(plan, 0, sizeof *plan);
    st->status = MAPF_BAD_INPUT;
    st->stopped_by = "bad input";
    if (n_agents == 0)
        return ft_fail(err, NULL, 0, 0, "no agents to plan for");
    size_t nv = g->n_vertices;
    mapf_problem pb = {.graph = g, .n_agents = n_agents, .starts = starts, .goals = goals,
                       .strict = opt->strict};
    uint32_t *queue = malloc(nv * sizeof *queue);
    pb.dist_to_goal = malloc(nv * n_agents * sizeof *pb.dist_to_goal);
    int rc = -1;
    if (!queue || !pb.dist_to_goal) {
        st->status = MAPF_MEMORY_LIMIT;
        ft_fail(err, NULL, 0, 0, "out of memory for the distance tables (%u agents x %zu "
                "vertices)", n_agents, nv);
        goto out;
    }
    if (check_endpoints(g, starts, n_agents, "start", queue, err) ||
        check_endpoints(g, goals, n_agents, "goal", queue, err))
        goto out;
    for (uint32_t i = 0; i < n_agents; i++) {
        uint32_t *d = pb.dist_to_goal + (size_t)i * nv;
        mapf_graph_bfs(g, goals[i], d, queue); /* the graph is undirected: to = from */
        if (d[starts[i]] == MAPF_NONE) {
            ft_fail(err, NULL, 0, 0, "agent %u cannot reach its goal (vertex %u) from its "
                    "start (vertex %u)", i, goals[i], starts[i]);
            goto out;
        }
        st->lower_bound += d[starts[i]];
    }
    /* With a time limit, LaCAM*'s refinement gets a quarter of what is left
     * after the first plan on small instances (up to LACAM_STAR_MAX_AGENTS:
     * there it converges, and ends early, proven optimal) and nothing on
     * bigger ones, where it hardly improves anything: neighbourhood search
     * gets the rest. */
    pb.lacam_star_share = opt->time_limit_s <= 0 ? 1 : n_agents <= LACAM_STAR_MAX_AGENTS ? 0.25 : 0;
    if (mapf_lacam_run(&pb, opt, plan, st)) {
        ft_fail(err, NULL, 0, 0, "out of memory in the search");
        st->status = MAPF_MEMORY_LIMIT;
        goto out;
    }
    if (st->status == MAPF_SOLVED && opt->anytime && !st->optimal && opt->time_limit_s > 0 &&
        st->total_s < opt->time_limit_s) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        /* out of memory here leaves the LaCAM plan as it was: still a plan */
        mapf_refine_lns(&pb, plan, opt->time_limit_s - st->total_s, opt->seed,
                        &st->refine_iterations, &st->refine_accepted);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        st->stopped_by = "time limit";
        st->total_s += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    }
    switch (st->status) {
    case MAPF_SOLVED:
        rc = 0;
        break;
    case MAPF_NO_SOLUTION:
        ft_fail(err, NULL, 0, 0, "no solution: all %llu reachable configurations were "
                "searched and none has every agent at its goal",
                (unsigned long long)st->nodes);
        break;
    case MAPF_TIME_LIMIT:
        ft_fail(err, NULL, 0, 0, "no solution found within the time limit of %g s "
                "(%llu configurations searched)", opt->time_limit_s,
                (unsigned long long)st->nodes);
        break;
    case MAPF_MEMORY_LIMIT:
        ft_fail(err, NULL, 0, 0, "no solution found within the memory limit "
                "(%llu configurations searched)", (unsigned long long)st->nodes);
        break;
    case MAPF_BAD_INPUT: /* the search always settles on one of the above */
        ft_fail(err, NULL, 0, 0, "the search ended without a result (bad input)");
        break;
    }
out:
    free(queue);
    free(pb.dist_to_goal);
    return rc;
}
