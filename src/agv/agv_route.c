/* agv_route.c -- lifelong PIBT: one routing step for the whole fleet.
 *
 * Priority Inheritance with Backtracking (Okumura et al., AI Journal 2022),
 * in its plain form on a directed graph. Agents are planned highest
 * priority first. Each tries the cells it can reach in one step -- and its
 * own -- nearest to its goal first. Moving onto an agent that has not been
 * planned yet lends that agent our priority: it must move on, anywhere but
 * into our cell (that would be a swap), and if it cannot we try our next
 * candidate. An agent asked to move is never offered its own cell.
 *
 * Why this cannot deadlock (docs/agv.md): if every arc u -> v lies on a
 * directed cycle of length >= 3 (the model layer checks it of the layout,
 * and cutting edges into cells keeps it), a chain of pushes from the
 * highest-priority agent always has a way out -- along the cycle, ending in
 * a free cell or in the cell the first agent leaves -- and backtracking
 * finds it. So the highest-priority agent always moves one step nearer its
 * goal. The fleet raises the priority of every agent not at its goal each
 * step and resets it on arrival, so every agent becomes highest in turn and
 * reaches its goal in finite time. Frozen agents (loading, charging) are
 * obstacles for a bounded time only.
 *
 * Movements are synchronous and never enter a cell someone stays in, so
 * vertex and swap conflicts are impossible by construction; following
 * moves (entering a cell as its occupant leaves) are allowed here and made
 * gap-keeping by the fleet's half-step execution (see agv_fleet.c). */
#include <stdlib.h>
#include <string.h>

#include "agv/agv_internal.h"

int agv_router_init(agv_router *r, const agv_cells *g, uint32_t n_agents, uint64_t seed)
{
    memset(r, 0, sizeof *r);
    r->g = g;
    r->n_agents = n_agents;
    sim_rng_init(&r->rng, seed, "agv/route");
    size_t slots = ((size_t)g->max_out + 1) * ((size_t)n_agents + 1);
    r->occ_now = malloc(g->n * sizeof *r->occ_now);
    r->occ_next = malloc(g->n * sizeof *r->occ_next);
    r->cand = malloc(slots * sizeof *r->cand);
    r->key = malloc(slots * sizeof *r->key);
    if (!r->occ_now || !r->occ_next || !r->cand || !r->key) {
        agv_router_free(r);
        return -1;
    }
    for (uint32_t c = 0; c < g->n; c++)
        r->occ_now[c] = r->occ_next[c] = AGV_NONE;
    return 0;
}

void agv_router_free(agv_router *r)
{
    free(r->occ_now);
    free(r->occ_next);
    free(r->cand);
    free(r->key);
    memset(r, 0, sizeof *r);
}

static void reserve(agv_router *r, uint32_t cell, uint32_t a)
{
    r->occ_next[cell] = a;
    r->next[a] = cell;
}

/* Agent a's candidate cells, best first: nearest to the goal, then one
 * nobody occupies now, then staying (no goal: staying first), then a
 * seeded coin. */
static uint32_t candidates(agv_router *r, uint32_t a, uint32_t level, uint32_t **out)
{
    const agv_cells *g = r->g;
    uint32_t width = g->max_out + 1;
    uint32_t *c = r->cand + (size_t)level * width;
    uint64_t *key = r->key + (size_t)level * width;
    const uint32_t *dist = r->goal_dist[a];
    uint32_t here = r->at[a], n = 0;
    for (uint32_t k = g->out_start[here]; k <= g->out_start[here + 1]; k++) {
        uint32_t v = k < g->out_start[here + 1] ? g->out[k] : here;
        uint64_t d = dist ? (dist[v] == AGV_NONE ? UINT32_MAX : dist[v]) : 0;
        uint64_t busy = r->occ_now[v] != AGV_NONE && v != here;
        uint64_t moving = v != here;
        uint64_t kv = d << 32 | busy << 31 | moving << 30 | (sim_rng_u64(&r->rng) >> 34);
        uint32_t j = n++;
        while (j > 0 && key[j - 1] > kv) {
            key[j] = key[j - 1];
            c[j] = c[j - 1];
            j--;
        }
        key[j] = kv;
        c[j] = v;
    }
    *out = c;
    return n;
}

static bool pibt(agv_router *r, uint32_t a, uint32_t level, bool pushed)
{
    uint32_t *c;
    uint32_t n = candidates(r, a, level, &c);
    uint32_t here = r->at[a];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t v = c[k];
        if (r->occ_next[v] != AGV_NONE)
            continue; /* someone goes there */
        if (v == here && pushed)
            continue; /* whoever pushed us takes our cell */
        uint32_t b = r->occ_now[v];
        if (b != AGV_NONE && b != a && r->next[b] == here)
            continue; /* swap */
        reserve(r, v, a);
        if (b != AGV_NONE && b != a && r->next[b] == AGV_NONE && !pibt(r, b, level + 1, true)) {
            reserve(r, v, b); /* b stays at v after all */
            continue;
        }
        return true;
    }
    if (!pushed)
        reserve(r, here, a);
    return false;
}

void agv_route_step(agv_router *r, const uint32_t *at, const uint32_t *const *goal_dist,
                    const bool *frozen, const uint32_t *order, uint32_t *next)
{
    uint32_t n = r->n_agents;
    r->at = at;
    r->goal_dist = goal_dist;
    r->next = next;
    for (uint32_t i = 0; i < n; i++) {
        r->occ_now[at[i]] = i;
        next[i] = AGV_NONE;
    }
    for (uint32_t i = 0; i < n; i++)
        if (frozen[i])
            reserve(r, at[i], i);
    for (uint32_t k = 0; k < n; k++)
        if (next[order[k]] == AGV_NONE)
            pibt(r, order[k], 0, false);
    for (uint32_t i = 0; i < n; i++) {
        r->occ_now[at[i]] = AGV_NONE;
        r->occ_next[next[i]] = AGV_NONE;
    }
}
