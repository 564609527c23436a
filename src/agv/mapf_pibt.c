/* mapf_pibt.c -- PIBT, Priority Inheritance with Backtracking (Okumura et
 * al., AI Journal 2022), as LaCAM's configuration generator: given where
 * every agent is now, choose where each goes next so that no two collide.
 *
 * Agents are taken highest priority first. Each tries its neighbours and
 * its own vertex, nearest to its goal first. Moving onto an agent that has
 * not yet decided lends that agent our priority (inheritance): it must then
 * move out of the way, and may not come back to our vertex (a swap). If it
 * cannot, we backtrack and try our next candidate. PIBT's reachability
 * property -- the highest-priority agent always gets its preferred vertex
 * if a path of vacating agents exists -- is what moves agents forward in
 * practice; LaCAM supplies completeness on top (mapf_lacam.c).
 *
 * Strict mode forbids following: no agent may enter a vertex that another
 * agent occupies now, even if it is leaving. Inheritance cannot then let
 * us follow; instead it asks the occupant to step aside (its own vertex is
 * tried last), so that we can enter one step later.
 *
 * Swaps in corridors get the pull technique of LaCAM* (see pibt()).
 *
 * Ties between equally near candidates prefer a vertex nobody occupies now
 * (fewer pushes, better plans), then a seeded random number, so runs are
 * reproducible. */
#include <stdlib.h>
#include <string.h>

#include "agv/mapf_search.h"

int mapf_pibt_init(mapf_pibt *p, const mapf_problem *pb, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    p->pb = pb;
    sim_rng_init(&p->rng, seed, "mapf/pibt");
    uint32_t nv = pb->graph->n_vertices;
    size_t slots = ((size_t)pb->graph->max_degree + 1) * ((size_t)pb->n_agents + 1);
    p->occ_now = malloc((size_t)nv * sizeof *p->occ_now);
    p->occ_next = malloc((size_t)nv * sizeof *p->occ_next);
    p->touched = malloc((size_t)nv * sizeof *p->touched);
    p->cand = malloc(slots * sizeof *p->cand);
    p->cand_key = malloc(slots * sizeof *p->cand_key);
    if (!p->occ_now || !p->occ_next || !p->touched || !p->cand || !p->cand_key) {
        mapf_pibt_free(p);
        return -1;
    }
    for (uint32_t v = 0; v < nv; v++)
        p->occ_now[v] = p->occ_next[v] = MAPF_NONE;
    return 0;
}

void mapf_pibt_free(mapf_pibt *p)
{
    free(p->occ_now);
    free(p->occ_next);
    free(p->touched);
    free(p->cand);
    free(p->cand_key);
    memset(p, 0, sizeof *p);
}

static void reserve(mapf_pibt *p, uint32_t v, uint32_t agent)
{
    if (p->occ_next[v] == MAPF_NONE)
        p->touched[p->n_touched++] = v;
    p->occ_next[v] = agent;
    p->to[agent] = v;
}

/* Agent a's candidates into p->cand[level slot], best first; their count.
 * stay_last puts a's own vertex at the end (it is being asked to leave). */
static uint32_t candidates(mapf_pibt *p, uint32_t a, uint32_t level, bool stay_last,
                           uint32_t **out)
{
    const mapf_graph *g = p->pb->graph;
    uint32_t width = g->max_degree + 1;
    uint32_t *c = p->cand + (size_t)level * width;
    uint64_t *key = p->cand_key + (size_t)level * width;
    uint32_t here = p->from[a], n = 0;
    for (uint32_t k = g->adj_start[here]; k <= g->adj_start[here + 1]; k++) {
        uint32_t v = k < g->adj_start[here + 1] ? g->adj[k] : here;
        uint64_t d = mapf_dist(p->pb, a, v);
        if (v == here && stay_last)
            d = (1u << 30) + 1; /* beyond any distance; the key has 31 bits for it */
        uint64_t busy = p->occ_now[v] != MAPF_NONE && v != here;
        uint64_t kv = d << 33 | busy << 32 | (sim_rng_u64(&p->rng) >> 32);
        /* insertion sort: at most max_degree + 1 entries */
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

static uint32_t degree(const mapf_graph *g, uint32_t v)
{
    return g->adj_start[v + 1] - g->adj_start[v];
}

/* The ways out of v for an agent pulled or pushed into it from `back`:
 * every neighbour but `back` and dead ends where an agent rests at its
 * goal. Returns how many (capped at 2) and one of them in *one. */
static uint32_t exits(const mapf_pibt *p, uint32_t v, uint32_t back, uint32_t *one)
{
    const mapf_graph *g = p->pb->graph;
    uint32_t n = 0;
    for (uint32_t k = g->adj_start[v]; k < g->adj_start[v + 1] && n < 2; k++) {
        uint32_t u = g->adj[k], b = p->occ_now[u];
        if (u == back || (degree(g, u) == 1 && b != MAPF_NONE && p->pb->goals[b] == u))
            continue;
        *one = u;
        n++;
    }
    return n;
}

/* Would pushing `puller` (at v_puller) ahead of `pusher` (at v_pusher) go
 * on without a side step until the pusher is done, with the puller
 * wanting to get past the pusher all along? Then pushing only shuffles
 * both back and forth in the corridor, and they must swap. */
static bool swap_required(const mapf_pibt *p, uint32_t pusher, uint32_t puller,
                          uint32_t v_pusher, uint32_t v_puller)
{
    const mapf_problem *pb = p->pb;
    uint32_t steps = 0;
    while (mapf_dist(pb, pusher, v_puller) < mapf_dist(pb, pusher, v_pusher) &&
           steps++ < pb->graph->n_vertices) {
        uint32_t next = MAPF_NONE, n = exits(p, v_puller, v_pusher, &next);
        if (n >= 2)
            return false; /* the puller can step aside here */
        if (n == 0)
            break;
        v_pusher = v_puller;
        v_puller = next;
    }
    return mapf_dist(pb, puller, v_pusher) < mapf_dist(pb, puller, v_puller) &&
           (mapf_dist(pb, pusher, v_pusher) == 0 ||
            mapf_dist(pb, pusher, v_puller) < mapf_dist(pb, pusher, v_pusher));
}

/* Is there a branch behind `here` (walking away from `ahead`) where two
 * agents can pass each other? */
static bool swap_possible(const mapf_pibt *p, uint32_t ahead, uint32_t here)
{
    uint32_t back = ahead, v = here, steps = 0;
    while (v != ahead && steps++ < p->pb->graph->n_vertices) {
        uint32_t next = MAPF_NONE, n = exits(p, v, back, &next);
        if (n >= 2)
            return true;
        if (n == 0)
            return false;
        back = v;
        v = next;
    }
    return false;
}

/* The agent a should swap with, or MAPF_NONE, when a's best move is to
 * `best`: (1) the agent on `best`, if pushing it could never let it by;
 * (2) a neighbour that would have to push a back through the corridor a
 * is about to enter. Either way only if a can retreat to a branch. */
static uint32_t swap_partner(const mapf_pibt *p, uint32_t a, uint32_t best)
{
    const mapf_graph *g = p->pb->graph;
    uint32_t here = p->from[a];
    if (best == here)
        return MAPF_NONE;
    uint32_t b = p->occ_now[best];
    if (b != MAPF_NONE && p->to[b] == MAPF_NONE && swap_required(p, a, b, here, best) &&
        swap_possible(p, best, here))
        return b;
    for (uint32_t k = g->adj_start[here]; k < g->adj_start[here + 1]; k++) {
        uint32_t u = g->adj[k], d = p->occ_now[u];
        if (d == MAPF_NONE || u == best)
            continue;
        if (swap_required(p, d, a, here, best) && swap_possible(p, best, here))
            return d;
    }
    return MAPF_NONE;
}

/* PIBT for agent a (level: recursion depth, for the candidate scratch).
 *
 * The swap technique of LaCAM* (Okumura, IJCAI 2023): plain PIBT makes two
 * agents that must pass each other in a corridor push one another back and
 * forth forever. When swap_partner finds such a partner b, a instead
 * retreats -- its candidates reversed -- and pulls b into the vertex it
 * leaves, until they reach a branch where they can pass. */
static bool pibt(mapf_pibt *p, uint32_t a, uint32_t level)
{
    uint32_t *c;
    uint32_t n = candidates(p, a, level, false, &c);
    uint32_t here = p->from[a];
    uint32_t pulled = swap_partner(p, a, c[0]);
    if (pulled != MAPF_NONE)
        for (uint32_t i = 0, j = n - 1; i < j; i++, j--) {
            uint32_t t = c[i];
            c[i] = c[j];
            c[j] = t;
        }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t v = c[k];
        if (p->occ_next[v] != MAPF_NONE)
            continue; /* vertex conflict */
        uint32_t b = p->occ_now[v];
        if (b != MAPF_NONE && b != a && p->to[b] == p->from[a])
            continue; /* swap conflict */
        reserve(p, v, a);
        if (b != MAPF_NONE && b != a && p->to[b] == MAPF_NONE && !pibt(p, b, level + 1))
            continue; /* b stays at v, overwriting our reservation: try the next */
        if (k == 0 && pulled != MAPF_NONE && p->to[pulled] == MAPF_NONE &&
            p->occ_next[here] == MAPF_NONE)
            reserve(p, here, pulled);
        return true;
    }
    /* Stuck: stay. Whoever reserved our vertex (only the agent that lent
     * us its priority can have) now sees it taken and backtracks. */
    reserve(p, here, a);
    return false;
}

/* Marks an agent whose strict PIBT call is under way, so that an agent it
 * asks to make room does not ask it back (which would recurse forever). */
#define DECIDING (MAPF_NONE - 1)

static bool pibt_strict(mapf_pibt *p, uint32_t a, uint32_t level, bool asked_to_leave)
{
    uint32_t *c;
    uint32_t n = candidates(p, a, level, asked_to_leave, &c);
    p->to[a] = DECIDING;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t v = c[k];
        if (p->occ_next[v] != MAPF_NONE)
            continue;
        uint32_t b = p->occ_now[v];
        if (b != MAPF_NONE && b != a) {
            /* Occupied: we may not follow, but we can ask b to make room. */
            if (p->to[b] == MAPF_NONE)
                pibt_strict(p, b, level + 1, true);
            continue;
        }
        reserve(p, v, a);
        return true;
    }
    /* Only reachable when a constraint took our own vertex. */
    p->to[a] = MAPF_NONE;
    return false;
}

bool mapf_pibt_step(mapf_pibt *p, const uint32_t *from, const uint32_t *order,
                    const uint32_t *c_who, const uint32_t *c_where, uint32_t n_constraints,
                    uint32_t *to)
{
    const mapf_problem *pb = p->pb;
    uint32_t n = pb->n_agents;
    p->from = from;
    p->to = to;
    p->n_touched = 0;
    for (uint32_t i = 0; i < n; i++) {
        p->occ_now[from[i]] = i;
        to[i] = MAPF_NONE;
    }
    bool ok = true;
    for (uint32_t k = 0; k < n_constraints && ok; k++) {
        uint32_t a = c_who[k], v = c_where[k];
        uint32_t b = p->occ_now[v];
        if (p->occ_next[v] != MAPF_NONE)
            ok = false; /* two agents told to go to v */
        else if (b != MAPF_NONE && b != a && (pb->strict || p->to[b] == from[a]))
            ok = false; /* following (strict) or swapping */
        else
            reserve(p, v, a);
    }
    for (uint32_t k = 0; k < n && ok; k++) {
        uint32_t a = order[k];
        if (to[a] != MAPF_NONE)
            continue;
        ok = pb->strict ? pibt_strict(p, a, 0, false) : pibt(p, a, 0);
    }
    for (uint32_t i = 0; i < n; i++)
        p->occ_now[from[i]] = MAPF_NONE;
    for (size_t k = 0; k < p->n_touched; k++)
        p->occ_next[p->touched[k]] = MAPF_NONE;
    return ok;
}
