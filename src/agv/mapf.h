/* mapf.h -- multi-agent path finding for the AGV layer: a graph of
 * vertices with neighbour lists, a planner (LaCAM / LaCAM* with PIBT) that
 * moves agents from their starts to their goals in synchronous unit time
 * steps without collisions, and an independent plan checker.
 *
 * The planner knows graphs only. A MovingAI grid (`.map`) is one way to
 * build a graph; the factory's path networks will be another. The readers
 * for `.map`, `.scen` and plan files and the checker work on grids; the
 * checker deliberately shares no code with the planner (only the readers),
 * so a planner bug cannot hide itself in the check. Formats, the algorithm
 * and the checker's rules: docs/mapf.md.
 *
 * Errors are values: functions that can fail return non-zero and fill an
 * ft_error with file, line and column where there is a file. */
#ifndef FABTWIN_AGV_MAPF_H
#define FABTWIN_AGV_MAPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fabtwin/fabtwin.h"

#define MAPF_NONE UINT32_MAX /* "no vertex", "no agent", "unreachable" */

/* ---- graphs --------------------------------------------------------------- */

/* An undirected graph in compressed adjacency form: the neighbours of v are
 * adj[adj_start[v] .. adj_start[v+1]-1], in a fixed order (the order is part
 * of what makes a plan reproducible). Waiting is always allowed and is not
 * an edge. */
typedef struct mapf_graph {
    uint32_t n_vertices;
    uint32_t *adj_start; /* n_vertices + 1 entries */
    uint32_t *adj;
    uint32_t max_degree;
} mapf_graph;

/* Build from an edge list (pairs of vertex ids, each edge once; duplicates
 * and self-loops are rejected). Neighbours keep the edges' order. */
int mapf_graph_build(mapf_graph *g, uint32_t n_vertices, const uint32_t *edge_pairs,
                     size_t n_edges, ft_error *err);
void mapf_graph_free(mapf_graph *g);

/* Breadth-first distances (edges) from `from` to every vertex into
 * dist_out[n_vertices]; MAPF_NONE where unreachable. `queue` is scratch of
 * n_vertices entries (NULL: allocated here). Returns -1 only when out of
 * memory. */
int mapf_graph_bfs(const mapf_graph *g, uint32_t from, uint32_t *dist_out, uint32_t *queue);

/* ---- MovingAI grids --------------------------------------------------------- */

/* A grid map: cell (x, y) is column x, row y (0-based, row 0 first in the
 * file); cell id = y * width + x. */
typedef struct mapf_grid {
    char name[512];        /* the file it came from, for messages */
    uint32_t width, height;
    uint8_t *passable;     /* width * height */
    uint32_t *component;   /* connected component of each passable cell (4-neighbours);
                              MAPF_NONE on obstacles */
} mapf_grid;

int mapf_grid_load(const char *path, mapf_grid *grid, ft_error *err);
int mapf_grid_parse(const char *text, size_t len, const char *name, mapf_grid *grid,
                    ft_error *err);
void mapf_grid_free(mapf_grid *grid);

/* The planner's view of a grid: one vertex per passable cell (numbered in
 * row-major order), 4-neighbour edges. vertex_cell[v] and cell_vertex[c]
 * translate (cell_vertex is MAPF_NONE on obstacles); both are allocated
 * here and freed by mapf_grid_graph_free. */
typedef struct mapf_grid_graph {
    mapf_graph graph;
    uint32_t *vertex_cell;
    uint32_t *cell_vertex;
} mapf_grid_graph;

int mapf_grid_graph_build(const mapf_grid *grid, mapf_grid_graph *gg, ft_error *err);
void mapf_grid_graph_free(mapf_grid_graph *gg);

/* ---- scenarios ---------------------------------------------------------------- */

/* The first n_agents rows of a `.scen` file: start and goal cells. */
typedef struct mapf_scen {
    uint32_t n_agents;
    uint32_t *start_cell, *goal_cell;
    uint32_t rows_in_file; /* agents the file offers (>= n_agents) */
} mapf_scen;

/* Read and validate against the grid: header, fields, map size, starts and
 * goals inside the map and passable, no two agents sharing a start or a
 * goal, every goal reachable from its start (the grid's connected
 * components, so an impossible agent is an error, not a search that never
 * ends). n_agents == 0 takes every row; more than the file has is an
 * error. */
int mapf_scen_load(const char *path, const mapf_grid *grid, uint32_t n_agents,
                   mapf_scen *scen, ft_error *err);
int mapf_scen_parse(const char *text, size_t len, const char *name, const mapf_grid *grid,
                    uint32_t n_agents, mapf_scen *scen, ft_error *err);
void mapf_scen_free(mapf_scen *scen);

/* ---- plans ----------------------------------------------------------------------- */

/* A plan: n_steps configurations (time 0 .. n_steps-1, so n_steps-1 moves),
 * at[t * n_agents + i] is where agent i is at time t. The planner returns
 * graph vertices; the plan file and the checker use grid cells
 * (mapf_plan_vertices_to_cells translates). step_line[t] is the file line of
 * step t when the plan was read from a file, else NULL. */
typedef struct mapf_plan {
    uint32_t n_agents, n_steps;
    uint32_t *at;
    int *step_line;
} mapf_plan;

void mapf_plan_free(mapf_plan *plan);
int mapf_plan_vertices_to_cells(mapf_plan *plan, const mapf_grid_graph *gg, ft_error *err);

/* The plan file (docs/mapf.md): one line per time step,
 * `t:(x,y),(x,y),...` with every agent's cell in agent order. */
int mapf_plan_write(FILE *out, const mapf_grid *grid, const mapf_plan *plan_cells);
int mapf_plan_load(const char *path, const mapf_grid *grid, uint32_t n_agents,
                   mapf_plan *plan_cells, ft_error *err);
int mapf_plan_parse(const char *text, size_t len, const char *name, const mapf_grid *grid,
                    uint32_t n_agents, mapf_plan *plan_cells, ft_error *err);

/* ---- the planner ---------------------------------------------------------------------- */

typedef struct mapf_options {
    /* Wall-clock budget for the whole call; <= 0: none. It is the only
     * non-deterministic input: it can stop the anytime refinement early
     * (the best plan so far is returned), or, if no plan was found yet,
     * make the call fail with MAPF_TIME_LIMIT. */
    double time_limit_s;
    uint64_t seed;           /* tie-breaking; same input + seed => same plan */
    bool strict;             /* also forbid following moves (see the checker) */
    bool anytime;            /* keep improving after the first plan: LaCAM*, then (with a
                                time limit) neighbourhood search until the limit */
    size_t memory_limit_bytes; /* search nodes; 0: 1 GiB. Deterministic, unlike time. */
} mapf_options;

typedef enum mapf_status {
    MAPF_SOLVED,        /* a plan (maybe not optimal) */
    MAPF_NO_SOLUTION,   /* the whole configuration space was searched: none exists */
    MAPF_TIME_LIMIT,    /* stopped by the time limit before any plan */
    MAPF_MEMORY_LIMIT,  /* stopped by memory_limit_bytes before any plan */
    MAPF_BAD_INPUT      /* vertex out of range, shared start or goal, unreachable goal */
} mapf_status;

typedef struct mapf_stats {
    mapf_status status;
    bool optimal;              /* anytime search ran to exhaustion: the plan has the least
                                  sum-of-loss (see docs/mapf.md) */
    const char *stopped_by;    /* "first solution", "exhausted", "time limit", "memory limit" */
    double first_solution_s;   /* wall time to the first plan */
    double total_s;
    uint64_t loss_first, loss_best; /* sum-of-loss of the first plan and of LaCAM*'s best
                                       (before any neighbourhood search) */
    uint64_t lower_bound;      /* sum of the start-goal distances */
    uint64_t nodes;            /* configurations explored */
    uint64_t iterations;       /* configuration-generator calls */
    uint64_t refine_iterations, refine_accepted; /* neighbourhood search (anytime) */
} mapf_stats;

const char *mapf_status_name(mapf_status s);

/* Plan agents i = 0 .. n_agents-1 from starts[i] to goals[i] on g. On
 * success returns 0 and fills plan (vertex ids; free with mapf_plan_free).
 * Otherwise returns -1, stats->status says why and err has a message.
 * stats may be NULL. */
int mapf_solve(const mapf_graph *g, const uint32_t *starts, const uint32_t *goals,
               uint32_t n_agents, const mapf_options *opt, mapf_plan *plan,
               mapf_stats *stats, ft_error *err);

/* ---- the checker ---------------------------------------------------------------------- */

typedef struct mapf_check_figures {
    uint64_t sum_of_costs;  /* sum over agents of (last time not at its goal) + 1 */
    uint64_t sum_of_loss;   /* moves and waits not resting at the goal (LaCAM*'s measure) */
    uint64_t makespan;      /* largest single cost */
    uint64_t lower_bound;   /* sum of shortest start-goal distances */
} mapf_check_figures;

/* Validate a plan in cells: every agent starts at its start and ends at its
 * goal, moves to a 4-neighbour or waits, stays on passable cells, no two
 * agents in one cell (vertex conflict) or swapping cells (edge conflict)
 * at any step; with strict, no agent enters a cell another agent leaves at
 * the same step (following, which also rules out rotating cycles). The
 * first violation (earliest time step, then lowest agent) is reported,
 * with file = plan_name and the step's line when the plan has step_line. */
int mapf_check(const mapf_grid *grid, const mapf_scen *scen, const mapf_plan *plan_cells,
               bool strict, const char *plan_name, mapf_check_figures *fig, ft_error *err);

#endif
