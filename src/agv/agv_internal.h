/* agv_internal.h -- the fleet's parts, shared by its files only: the cell
 * graph cut from the layout, the lifelong PIBT router and the optimal
 * assignment. Other layers use agv.h. */
#ifndef FABTWIN_AGV_INTERNAL_H
#define FABTWIN_AGV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agv/agv.h"
#include "sim/sim_rng.h"

#define AGV_NONE UINT32_MAX

/* ---- cells (agv_cells.c) --------------------------------------------------- */

/* A directed graph of cells. Each layout edge of length L is cut into
 * k = max(1, floor(L / following)) arcs, so two vehicles on neighbouring
 * cells are never closer than `following`; a vehicle crosses one arc per
 * routing step. Arcs out of c: out[out_start[c] .. out_start[c+1]-1], with
 * their lengths in arc_m; arcs into c likewise in in/in_start. */
typedef struct agv_cells {
    uint32_t n, n_nodes;
    uint32_t *out_start, *out;
    double *arc_m;
    uint32_t *in_start, *in;
    uint32_t max_out;
    double *x, *y;           /* position of each cell, metres */
    /* dist[row[node] * n + c]: cost from cell c to stop `node`: steps,
     * plus n for each other stop passed on the way (AGV_NONE if
     * unreachable); row[] is defined for stops only */
    uint32_t *dist;
    uint32_t *row;
} agv_cells;

/* stop[node]: vehicles stand there (pick-up, drop-off, charger, parking). */
int agv_cells_build(agv_cells *g, const model_layout *l, const bool *stop, ft_error *err);
void agv_cells_free(agv_cells *g);

static inline const uint32_t *agv_dist_to(const agv_cells *g, int node)
{
    return g->dist + (size_t)g->row[node] * g->n;
}

/* Length of the arc a -> b, or a negative number if there is none. */
double agv_cells_arc_m(const agv_cells *g, uint32_t a, uint32_t b);

/* ---- routing (agv_route.c) ---------------------------------------------------- */

/* Lifelong PIBT on the cell graph. Each step every vehicle moves along an
 * arc or stays; frozen vehicles (loading, charging) stay. */
typedef struct agv_router {
    const agv_cells *g;
    uint32_t n_agents;
    sim_rng rng;
    uint32_t *occ_now, *occ_next; /* cell -> agent, AGV_NONE */
    uint32_t *cand;               /* (max_out + 1) per recursion level */
    uint64_t *key;
    const uint32_t *at;
    const uint32_t *const *goal_dist; /* per agent: distance row to its goal, NULL: none */
    uint32_t *next;
} agv_router;

int agv_router_init(agv_router *r, const agv_cells *g, uint32_t n_agents, uint64_t seed);
void agv_router_free(agv_router *r);

/* next[i] for every agent from at[i]: frozen agents stay, the others are
 * planned highest priority first (`order`). Always succeeds: staying is
 * always possible for an agent nobody pushes. */
void agv_route_step(agv_router *r, const uint32_t *at, const uint32_t *const *goal_dist,
                    const bool *frozen, const uint32_t *order, uint32_t *next);

/* ---- assignment (agv_assign.c) --------------------------------------------------- */

/* Minimum-cost assignment of rows to columns (rows <= cols): assign[r] is
 * the column of row r. cost is rows x cols, row-major. Hungarian method,
 * O(rows^2 cols). Returns -1 when out of memory. */
int agv_assign(const double *cost, int rows, int cols, int *assign);

#endif
