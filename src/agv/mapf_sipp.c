/* mapf_sipp.c -- one agent's fastest path around everyone else's
 * reservations: safe-interval path planning (SIPP, Phillips & Likhachev,
 * ICRA 2011), the single-agent search of the refinement (mapf_refine.c).
 *
 * A state is a vertex and one of its safe intervals (a maximal run of time
 * steps when nobody else is there, mapf_resv.c), reached at the earliest
 * possible time; waiting inside an interval is free, so a search does not
 * pay one node per waited step as space-time A* does. When agents have to
 * wait for a goal that others still cross late in the plan -- the usual
 * case when refining a congested plan -- space-time A* fans out over every
 * (vertex, time) pair before the goal frees up; SIPP has a handful of
 * states per vertex.
 *
 * Rules are the planner's: no vertex conflict, no swap; in strict mode the
 * reservations are widened by a step (mapf_resv_safe_from), which forbids
 * following either way and, with it, swaps. Arrival at the goal counts only
 * in its last safe interval (the one that lasts for ever), so the agent
 * may rest there; f = max(t + distance, the time that interval opens) is
 * admissible and consistent, hence the first goal state popped is optimal.
 * Ties on f go to the state nearest the goal: while f is the opening time
 * (everything before it is "free"), the search heads for the goal and
 * waits there instead of fanning out over all it could reach by then. That
 * tie-break may expand a state before its earliest arrival is known, so a
 * state reached earlier than before is opened again (A* with reopening:
 * still optimal). Then earliest first, then first generated: deterministic. */
#include <stdlib.h>
#include <string.h>

#include "agv/mapf_search.h"

int mapf_sipp_init(mapf_sipp *s, const mapf_problem *pb)
{
    memset(s, 0, sizeof *s);
    s->pb = pb;
    s->head = calloc(pb->graph->n_vertices, sizeof *s->head);
    return s->head ? 0 : -1;
}

void mapf_sipp_free(mapf_sipp *s)
{
    free(s->nodes);
    free(s->heap);
    free(s->head);
    free(s->states);
    memset(s, 0, sizeof *s);
}

/* An array of `size`-byte items twice as big (1,024 at first): the new
 * pointer, *cap updated; NULL (the array as it was) when out of memory. */
static void *grow(void *items, uint32_t *cap, size_t size)
{
    uint32_t c = *cap ? 2 * *cap : 1024;
    void *p = realloc(items, (size_t)c * size);
    if (p)
        *cap = c;
    return p;
}

/* ---- visited states: (vertex, interval start) -> earliest arrival ---------
 * Per vertex, a list of the states this search has met there: a vertex has
 * a handful of safe intervals, and the heads (8 bytes a vertex) stay in
 * cache where a hash table over all states would not. */

static void new_search(mapf_sipp *s)
{
    if (++s->stamp == 0) {
        memset(s->head, 0, (size_t)s->pb->graph->n_vertices * sizeof *s->head);
        s->stamp = 1;
    }
    s->n_states = s->n_nodes = s->n_heap = 0;
}

/* The record of state (v, lo), created (no node yet) if new; NULL when out
 * of memory. */
static mapf_sipp_state *state_get(mapf_sipp *s, uint32_t v, uint32_t lo)
{
    mapf_sipp_head *h = &s->head[v];
    if (h->stamp != s->stamp)
        *h = (mapf_sipp_head){s->stamp, MAPF_NONE};
    for (uint32_t k = h->first; k != MAPF_NONE; k = s->states[k].next)
        if (s->states[k].lo == lo)
            return &s->states[k];
    if (s->n_states == s->cap_states) {
        mapf_sipp_state *p = grow(s->states, &s->cap_states, sizeof *p);
        if (!p)
            return NULL;
        s->states = p;
    }
    s->states[s->n_states] = (mapf_sipp_state){lo, MAPF_NONE, h->first};
    h->first = s->n_states;
    return &s->states[s->n_states++];
}

/* ---- open list: a binary heap, least f first, then nearest the goal,
 * then earliest, then first generated ------------------------------------ */

static bool entry_less(const mapf_sipp_entry *a, const mapf_sipp_entry *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    if (a->t != b->t)
        return a->t < b->t;
    return a->node < b->node;
}

static int heap_push(mapf_sipp *s, mapf_sipp_entry e)
{
    if (s->n_heap == s->cap_heap) {
        mapf_sipp_entry *p = grow(s->heap, &s->cap_heap, sizeof *p);
        if (!p)
            return -1;
        s->heap = p;
    }
    uint32_t k = s->n_heap++;
    while (k > 0) {
        uint32_t up = (k - 1) / 2;
        if (!entry_less(&e, &s->heap[up]))
            break;
        s->heap[k] = s->heap[up];
        k = up;
    }
    s->heap[k] = e;
    return 0;
}

static uint32_t heap_pop(mapf_sipp *s)
{
    uint32_t top = s->heap[0].node;
    mapf_sipp_entry e = s->heap[--s->n_heap];
    uint32_t k = 0;
    for (;;) {
        uint32_t c = 2 * k + 1;
        if (c >= s->n_heap)
            break;
        if (c + 1 < s->n_heap && entry_less(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!entry_less(&s->heap[c], &e))
            break;
        s->heap[k] = s->heap[c];
        k = c;
    }
    s->heap[k] = e;
    return top;
}

/* ---- the search ------------------------------------------------------------ */

static int grow_nodes(mapf_sipp *s)
{
    if (s->n_nodes < s->cap_nodes)
        return 0;
    mapf_sipp_node *p = grow(s->nodes, &s->cap_nodes, sizeof *p);
    if (!p)
        return -1;
    s->nodes = p;
    return 0;
}

/* A state (v, [lo, hi]) reached at t: keep it if t beats what is known. */
static int reach(mapf_sipp *s, uint32_t agent, uint32_t v, uint32_t lo, uint32_t hi, uint32_t t,
                 uint32_t parent, uint32_t settle, uint32_t max_len)
{
    uint32_t d = mapf_dist(s->pb, agent, v), f = t + d > settle ? t + d : settle;
    if (f > max_len)
        return 0;
    mapf_sipp_state *known = state_get(s, v, lo);
    if (!known)
        return -1;
    if (known->node != MAPF_NONE) { /* (expanded or not: an earlier arrival reopens it) */
        if (s->nodes[known->node].t <= t)
            return 0;
        s->nodes[known->node].stale = 1;
    }
    if (grow_nodes(s))
        return -1;
    s->nodes[s->n_nodes] = (mapf_sipp_node){v, lo, hi, t, parent, 0, 0};
    known->node = s->n_nodes;
    return heap_push(s, (mapf_sipp_entry){(uint64_t)f << 32 | d, t, s->n_nodes++});
}

/* Would moving v -> u, arriving at t, swap with someone? (not strict: in
 * strict mode the widened intervals already exclude it) */
static bool swaps(const mapf_resv *r, uint32_t v, uint32_t u, uint32_t t)
{
    uint32_t who = mapf_resv_at(r, u, t - 1);
    return who != MAPF_NONE && mapf_resv_at(r, v, t) == who;
}

static int write_path(mapf_sipp *s, uint32_t k, uint32_t **path, uint32_t *cap, uint32_t *len)
{
    uint32_t T = s->nodes[k].t;
    if (T + 1 > *cap) {
        uint32_t c = *cap ? *cap : 16;
        while (c < T + 1)
            c *= 2;
        uint32_t *p = realloc(*path, (size_t)c * sizeof *p);
        if (!p)
            return -1;
        *path = p;
        *cap = c;
    }
    uint32_t end = T + 1; /* fill [node.t, end) with node.v, walking back */
    for (uint32_t at = k; at != MAPF_NONE; at = s->nodes[at].parent) {
        for (uint32_t t = s->nodes[at].t; t < end; t++)
            (*path)[t] = s->nodes[at].v;
        end = s->nodes[at].t;
    }
    *len = T;
    return 0;
}

int mapf_sipp_plan(mapf_sipp *s, const mapf_resv *r, uint32_t agent, uint32_t max_len,
                   uint32_t max_expansions, uint32_t **path, uint32_t *cap, uint32_t *len)
{
    const mapf_problem *pb = s->pb;
    const mapf_graph *g = pb->graph;
    bool strict = pb->strict;
    uint32_t start = pb->starts[agent], goal = pb->goals[agent];
    /* when the goal's last safe interval opens: no arrival counts before */
    uint32_t settle = 0, lo, hi;
    for (uint32_t t = 0;; t = hi + 1) {
        if (!mapf_resv_safe_from(r, goal, t, strict, &lo, &hi))
            return 0; /* someone rests on our goal */
        if (hi == MAPF_FOREVER) {
            settle = lo;
            break;
        }
    }
    if (!mapf_resv_safe_from(r, start, 0, strict, &lo, &hi) || lo > 0)
        return 0; /* someone there at time 0 (or, strict, at 1) */
    new_search(s);
    int rc = reach(s, agent, start, lo, hi, 0, MAPF_NONE, settle, max_len);
    if (rc < 0)
        return -1;
    for (uint32_t expanded = 0; s->n_heap > 0 && expanded < max_expansions;) {
        uint32_t k = heap_pop(s);
        mapf_sipp_node cur = s->nodes[k];
        if (cur.stale)
            continue; /* reached earlier since */
        expanded++;
        s->expansions++;
        if (cur.v == goal && cur.hi == MAPF_FOREVER)
            return write_path(s, k, path, cap, len) ? -1 : 1;
        /* leave at some time in [cur.t, cur.hi], arrive one step later */
        uint32_t last = cur.hi == MAPF_FOREVER ? MAPF_FOREVER : cur.hi + 1;
        for (uint32_t e = g->adj_start[cur.v]; e < g->adj_start[cur.v + 1]; e++) {
            uint32_t u = g->adj[e], jlo, jhi;
            mapf_resv_walk w;
            mapf_resv_walk_init(&w, r, u, cur.t + 1, strict);
            while (mapf_resv_walk_next(&w, &jlo, &jhi) && jlo <= last) {
                uint32_t end = jhi < last ? jhi : last;
                uint32_t at = jlo > cur.t + 1 ? jlo : cur.t + 1;
                while (!strict && at <= end && swaps(r, cur.v, u, at))
                    at++;
                if (at <= end && reach(s, agent, u, jlo, jhi, at, k, settle, max_len) < 0)
                    return -1;
                if (jhi >= last)
                    break;
            }
        }
    }
    return 0;
}

/* ---- the soft search: through others if need be ----------------------------
 *
 * When no path avoids everyone -- typically an agent walled in, or walled
 * out of its goal, by others resting on their goals in 1-wide aisles --
 * the fresh plan asks for the path that runs into as few of them as
 * possible, takes those out and plans them again around it (the repair of
 * MAPF-LNS2, Li et al., AAAI 2022, whose SIPPS this imitates). States are
 * (vertex, segment): a vertex's time line cut into free gaps and the stays
 * of others on it (mapf_resv spans, which never overlap), each reached at
 * its earliest. Cost: time plus `penalty` per stay entered, per swap and
 * per stay on the goal after arrival -- a weighted sum rather than fewest
 * collisions first, so that the search does not flood everything to save
 * one collision. Approximate (one label per state) and default rules only
 * (strict mode widens stays until they overlap): the fresh plan does not
 * use it in strict mode. Nodes: lo, hi are the segment, g the cost, stale
 * 2 marks "stop here for good" on the goal. */

/* The segment of v containing t: [lo, hi] and who is there (MAPF_NONE for
 * a gap). */
static void segment_at(const mapf_resv *r, uint32_t v, uint32_t t, uint32_t *lo, uint32_t *hi,
                       uint32_t *who)
{
    const mapf_span *s = r->spans[v];
    uint32_t n = r->count[v], a = 0, b = n;
    while (a < b) { /* first span with hi >= t */
        uint32_t mid = a + (b - a) / 2;
        if (s[mid].hi < t)
            a = mid + 1;
        else
            b = mid;
    }
    if (a < n && s[a].lo <= t) {
        *lo = s[a].lo;
        *hi = s[a].hi;
        *who = s[a].agent;
    } else {
        *lo = a > 0 ? s[a - 1].hi + 1 : 0;
        *hi = a < n ? s[a].lo - 1 : MAPF_FOREVER;
        *who = MAPF_NONE;
    }
}

static int soft_push(mapf_sipp *s, uint32_t agent, uint32_t v, uint32_t lo, uint32_t hi,
                     uint32_t t, uint32_t g, uint32_t parent, bool stop)
{
    uint32_t h = stop ? 0 : mapf_dist(s->pb, agent, v);
    mapf_sipp_state *known = NULL;
    if (!stop) {
        known = state_get(s, v, lo);
        if (!known)
            return -1;
        if (known->node != MAPF_NONE) {
            if (s->nodes[known->node].g <= g)
                return 0;
            s->nodes[known->node].stale = 1;
        }
    }
    if (grow_nodes(s))
        return -1;
    s->nodes[s->n_nodes] = (mapf_sipp_node){v, lo, hi, t, parent, stop ? 2u : 0u, g};
    if (known)
        known->node = s->n_nodes;
    return heap_push(s, (mapf_sipp_entry){(uint64_t)(g + h) << 32 | h, t, s->n_nodes++});
}

int mapf_sipp_soft(mapf_sipp *s, const mapf_resv *r, uint32_t agent, const uint8_t *fixed,
                   uint32_t penalty, uint32_t max_expansions, uint32_t **path, uint32_t *cap,
                   uint32_t *len)
{
    const mapf_problem *pb = s->pb;
    const mapf_graph *g = pb->graph;
    uint32_t start = pb->starts[agent], goal = pb->goals[agent], lo, hi, who;
    new_search(s);
    segment_at(r, start, 0, &lo, &hi, &who);
    if (who != MAPF_NONE && fixed && fixed[who])
        return 0;
    if (soft_push(s, agent, start, lo, hi, 0, who == MAPF_NONE ? 0 : penalty, MAPF_NONE, false))
        return -1;
    for (uint32_t expanded = 0; s->n_heap > 0 && expanded < max_expansions;) {
        uint32_t k = heap_pop(s);
        mapf_sipp_node cur = s->nodes[k];
        if (cur.stale == 1)
            continue;
        if (cur.stale == 2) /* stopping on the goal was the cheapest way left */
            return write_path(s, k, path, cap, len) ? -1 : 1;
        uint32_t gk = cur.g;
        expanded++;
        s->expansions++;
        if (cur.v == goal) { /* stop here: every later stay on the goal is a collision */
            uint32_t later = 0;
            bool may = true;
            for (uint32_t j = r->count[goal]; j-- > 0 && r->spans[goal][j].lo > cur.t;) {
                later++;
                may &= !fixed || !fixed[r->spans[goal][j].agent];
            }
            if (may && soft_push(s, agent, goal, cur.lo, cur.hi, cur.t, gk + penalty * later, k,
                                 true))
                return -1;
        }
        /* wait on into the next segment */
        if (cur.hi != MAPF_FOREVER) {
            segment_at(r, cur.v, cur.hi + 1, &lo, &hi, &who);
            uint32_t cost = gk + (cur.hi + 1 - cur.t) + (who == MAPF_NONE ? 0 : penalty);
            if ((who == MAPF_NONE || !fixed || !fixed[who]) &&
                soft_push(s, agent, cur.v, lo, hi, cur.hi + 1, cost, k, false))
                return -1;
        }
        /* move, leaving at some time in [cur.t, cur.hi] */
        uint32_t last = cur.hi == MAPF_FOREVER ? MAPF_FOREVER : cur.hi + 1;
        for (uint32_t e = g->adj_start[cur.v]; e < g->adj_start[cur.v + 1]; e++) {
            uint32_t u = g->adj[e];
            for (uint32_t t = cur.t + 1; t <= last;) {
                segment_at(r, u, t, &lo, &hi, &who);
                uint32_t cost = gk + (t - cur.t) + (who == MAPF_NONE ? 0 : penalty);
                uint32_t there = mapf_resv_at(r, u, t - 1);
                bool swap = there != MAPF_NONE && mapf_resv_at(r, cur.v, t) == there;
                cost += swap ? penalty : 0;
                bool may = (who == MAPF_NONE || !fixed || !fixed[who]) &&
                           (!swap || !fixed || !fixed[there]);
                if (may && soft_push(s, agent, u, lo, hi, t, cost, k, false))
                    return -1;
                if (hi >= last)
                    break;
                t = hi + 1;
            }
        }
    }
    return 0;
}
