/* mapf_search.h -- the planner's internal parts, shared by its files only:
 * the problem as the search sees it, the PIBT configuration generator and
 * the table of explored configurations. Not for other layers: they use
 * mapf.h. */
#ifndef FABTWIN_AGV_MAPF_SEARCH_H
#define FABTWIN_AGV_MAPF_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agv/mapf.h"
#include "sim/sim_rng.h"

/* A configuration is one vertex per agent: uint32_t q[n_agents]. */

typedef struct mapf_problem {
    const mapf_graph *graph;
    uint32_t n_agents;
    const uint32_t *starts, *goals;
    /* dist_to_goal[i * n_vertices + v]: edges from v to agent i's goal,
     * MAPF_NONE if unreachable. 4 bytes x agents x vertices: 23 MB for
     * 1,000 agents on a 5,700-cell warehouse. */
    uint32_t *dist_to_goal;
    bool strict;
    /* Share of the time left after the first solution that LaCAM*'s own
     * refinement may use; the rest goes to mapf_refine_lns. 1: all. */
    double lacam_star_share;
} mapf_problem;

static inline uint32_t mapf_dist(const mapf_problem *pb, uint32_t agent, uint32_t v)
{
    return pb->dist_to_goal[(size_t)agent * pb->graph->n_vertices + v];
}

/* ---- PIBT: one step for all agents (mapf_pibt.c) ------------------------- */

typedef struct mapf_pibt {
    const mapf_problem *pb;
    sim_rng rng;
    uint32_t *occ_now;   /* vertex -> agent there in `from`, MAPF_NONE */
    uint32_t *occ_next;  /* vertex -> agent that reserved it for `to` */
    uint32_t *touched;   /* vertices whose occ_next was set, to clear them */
    size_t n_touched;
    uint32_t *cand;      /* candidate scratch: (max_degree + 1) per recursion level */
    uint64_t *cand_key;
    const uint32_t *from;
    uint32_t *to;
} mapf_pibt;

int mapf_pibt_init(mapf_pibt *p, const mapf_problem *pb, uint64_t seed);
void mapf_pibt_free(mapf_pibt *p);

/* Fill to[] with a next configuration from `from`: first the constraints
 * (agent c_who[k] goes to c_where[k], k < n_constraints), then every other
 * agent by PIBT, highest priority first (`order`). False when the
 * constraints collide or PIBT cannot move an agent without a collision; to[]
 * is then meaningless. In strict mode no agent may enter a vertex occupied
 * in `from` by another agent. */
bool mapf_pibt_step(mapf_pibt *p, const uint32_t *from, const uint32_t *order,
                    const uint32_t *c_who, const uint32_t *c_where, uint32_t n_constraints,
                    uint32_t *to);

/* ---- the search (mapf_lacam.c) ---------------------------------------- */

/* LaCAM / LaCAM* on a validated problem. Fills every field of stats and,
 * when stats->status is MAPF_SOLVED, plan (vertex ids). Returns -1 only when
 * out of memory outside the search's own budget. */
int mapf_lacam_run(const mapf_problem *pb, const mapf_options *opt, mapf_plan *plan,
                   mapf_stats *stats);

/* ---- refinement (mapf_refine.c) ----------------------------------------- */

/* Improve a valid plan (vertex ids) in place by large neighbourhood search
 * for budget_s seconds of wall time; the plan stays valid throughout and
 * its sum-of-costs never rises. Counts iterations and accepted changes.
 * Returns -1 (plan unchanged) when out of memory. */
int mapf_refine_lns(const mapf_problem *pb, mapf_plan *plan, double budget_s, uint64_t seed,
                    uint64_t *iterations, uint64_t *improvements);

/* ---- explored configurations (mapf_hash.c) -------------------------------- */

/* Open addressing with linear probing, keyed by whole configurations. The
 * table keeps pointers to the callers' configurations (which must outlive
 * it) and an opaque value for each. Grows at half load so probes stay
 * short. */
typedef struct mapf_table_slot {
    uint64_t hash;
    const uint32_t *config; /* NULL: empty slot */
    void *value;
} mapf_table_slot;

typedef struct mapf_table {
    mapf_table_slot *slots;
    size_t capacity, count; /* capacity is a power of two */
    uint32_t n_agents;
} mapf_table;

int mapf_table_init(mapf_table *t, uint32_t n_agents);
void mapf_table_free(mapf_table *t);
uint64_t mapf_config_hash(const uint32_t *config, uint32_t n_agents);
void *mapf_table_get(const mapf_table *t, const uint32_t *config, uint64_t hash);
/* Insert a configuration known to be absent; -1 when out of memory. */
int mapf_table_put(mapf_table *t, const uint32_t *config, uint64_t hash, void *value);
size_t mapf_table_bytes(const mapf_table *t);

#endif
