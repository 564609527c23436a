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
 * Returns -1 when out of memory; the plan is then unchanged or the best
 * (valid) one reached before. */
int mapf_refine_lns(const mapf_problem *pb, mapf_plan *plan, double budget_s, uint64_t seed,
                    uint64_t *iterations, uint64_t *improvements);

/* ---- reservations: who is where when (mapf_resv.c) ------------------------ */

#define MAPF_FOREVER UINT32_MAX /* the end of an agent's rest on its goal */

/* Agent `agent` occupies the vertex at every time step lo..hi (inclusive). */
typedef struct mapf_span {
    uint32_t lo, hi, agent;
} mapf_span;

/* Per vertex, the spans of the paths put in, sorted by time; they never
 * overlap (the paths must be conflict-free with one another). */
typedef struct mapf_resv {
    uint32_t n_vertices;
    mapf_span **spans;
    uint32_t *count, *cap;
} mapf_resv;

int mapf_resv_init(mapf_resv *r, uint32_t n_vertices);
void mapf_resv_free(mapf_resv *r);
void mapf_resv_clear(mapf_resv *r);
/* An agent on path[0..len], resting on path[len] afterwards, for ever. -1
 * when out of memory (the table is then as before). */
int mapf_resv_add_path(mapf_resv *r, uint32_t agent, const uint32_t *path, uint32_t len);
/* Take out exactly what mapf_resv_add_path put in for that path. */
void mapf_resv_remove_path(mapf_resv *r, uint32_t agent, const uint32_t *path, uint32_t len);
/* The agent at v at time t, or MAPF_NONE. */
uint32_t mapf_resv_at(const mapf_resv *r, uint32_t v, uint32_t t);
/* The safe interval [lo, hi] of v (a maximal run of steps another agent
 * may spend on v) that contains t or, if t is not safe, the first after
 * t; hi is MAPF_FOREVER for the last. In strict mode every span is widened
 * by a step on each side (no following into or out of it). False if v is
 * never safe again from t on (someone rests there). */
bool mapf_resv_safe_from(const mapf_resv *r, uint32_t v, uint32_t t, bool strict, uint32_t *lo,
                         uint32_t *hi);

/* The same one after the other: the safe intervals of v that end at or
 * after t, in time order (one binary search for all). */
typedef struct mapf_resv_walk {
    const mapf_span *spans;
    uint32_t n, k, lo, t;
    bool strict, done;
} mapf_resv_walk;

void mapf_resv_walk_init(mapf_resv_walk *w, const mapf_resv *r, uint32_t v, uint32_t t,
                         bool strict);
bool mapf_resv_walk_next(mapf_resv_walk *w, uint32_t *lo, uint32_t *hi);

/* The distinct agents (at most max, into out[]; returns how many) whose
 * paths in r break a rule against path[0..len] followed by a rest on
 * path[len]: the same vertex at the same time, a swap, and in strict mode
 * a following either way. None: the path may go into r as it is. */
uint32_t mapf_resv_conflicts(const mapf_resv *r, bool strict, const uint32_t *path, uint32_t len,
                             uint32_t *out, uint32_t max);

/* ---- one agent around the others: SIPP (mapf_sipp.c) ----------------------- */

typedef struct mapf_sipp_node {
    uint32_t v, lo, hi, t, parent; /* vertex, its safe interval, arrival, parent node */
    uint32_t stale;                /* 1: reached earlier by another node since */
    uint32_t g;                    /* cost so far (soft search only) */
} mapf_sipp_node;

/* A state's record: the interval start (with the vertex, the state's
 * identity), its earliest arrival's node, the vertex's next record. */
typedef struct mapf_sipp_state {
    uint32_t lo, node, next;
} mapf_sipp_state;

typedef struct mapf_sipp_head {
    uint32_t stamp, first; /* the search it belongs to; its first state */
} mapf_sipp_head;

typedef struct mapf_sipp_entry {
    uint64_t key;        /* f << 32 | distance to the goal */
    uint32_t t, node;
} mapf_sipp_entry;

typedef struct mapf_sipp {
    const mapf_problem *pb;
    mapf_sipp_node *nodes;
    uint32_t n_nodes, cap_nodes;
    mapf_sipp_entry *heap;
    uint32_t n_heap, cap_heap;
    mapf_sipp_head *head; /* per vertex: the states of the current search */
    mapf_sipp_state *states;
    uint32_t n_states, cap_states, stamp;
    uint64_t expansions; /* over all searches, for the curious */
} mapf_sipp;

int mapf_sipp_init(mapf_sipp *s, const mapf_problem *pb);
void mapf_sipp_free(mapf_sipp *s);
/* The earliest way for `agent` from its start at time 0 to its goal, to
 * rest there for good, around the reservations in r (the agent's own
 * must not be in r). Only paths of length <= max_len count, and the search
 * gives up after max_expansions states. Returns 1 with the path in
 * (*path)[0..*len] (*path grown with realloc, *cap its size), 0 when there
 * is none within those limits, -1 when out of memory. */
int mapf_sipp_plan(mapf_sipp *s, const mapf_resv *r, uint32_t agent, uint32_t max_len,
                   uint32_t max_expansions, uint32_t **path, uint32_t *cap, uint32_t *len);

/* For the default rules only: the path for `agent` that runs into the
 * fewest others' stays in r, roughly -- cost is time plus `penalty` per
 * stay entered, per swap and per stay on the goal after arrival -- and
 * into none of the agents i with fixed[i] (fixed may be NULL). Returns 1
 * with the path as mapf_sipp_plan does, 0 if none within max_expansions,
 * -1 when out of memory. The agents in its way: mapf_resv_conflicts. */
int mapf_sipp_soft(mapf_sipp *s, const mapf_resv *r, uint32_t agent, const uint8_t *fixed,
                   uint32_t penalty, uint32_t max_expansions, uint32_t **path, uint32_t *cap,
                   uint32_t *len);

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
