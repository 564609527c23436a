/* mapf_refine.c -- anytime refinement of a valid plan by large
 * neighbourhood search (MAPF-LNS, Li et al., IJCAI 2021): take a handful
 * of agents out, replan them one by one with space-time A* around everyone
 * else (prioritised planning), keep the result if the sum-of-costs fell.
 *
 * Why on top of LaCAM*: LaCAM*'s own refinement rewires its search graph,
 * which converges on small instances (and then proves optimality) but
 * barely moves with hundreds of agents, where PIBT's first plan is two or
 * three times the lower bound. Replanning a few agents at a time in
 * space-time is what brings such plans down; the two meet in the result.
 *
 * The other agents live in a dense reservation table occ[t][v] (agent or
 * MAPF_NONE) up to a horizon; agents rest on their goals after arriving.
 * Rules: no vertex and no swap conflicts; in strict mode, also no entering
 * a vertex someone occupied the step before, nor someone entering the
 * vertex we leave. First (for at most an eighth of the time) a fresh
 * prioritised plan of all agents is tried; then neighbourhoods alternate
 * between the agent with a large delay plus the agents in its way, and
 * random agents. Everything is seeded; only the number of iterations
 * depends on the clock. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agv/mapf_search.h"

#define NEIGHBOURHOOD 8
#define MAX_EXPANSIONS 100000 /* per single-agent search */

typedef struct st_node {
    uint32_t v, t, parent;
} st_node;

typedef struct refine {
    const mapf_problem *pb;
    uint32_t nv, n, horizon;
    uint32_t *occ;          /* horizon x nv */
    uint32_t **path;        /* path[i][0..len[i]] */
    uint32_t *len, *cap;
    uint32_t *stamp, epoch; /* visited (t, v) marks, horizon x nv */
    st_node *nodes;
    uint32_t n_nodes, cap_nodes;
    uint64_t *heap;         /* keys: f << 32 | ~t (lower f first, then later t) */
    uint32_t *heap_node;
    uint32_t n_heap, cap_heap;
    sim_rng rng;
} refine;

static uint32_t *occ_at(refine *r, uint32_t t, uint32_t v)
{
    return &r->occ[(size_t)t * r->nv + v];
}

static uint32_t where(const refine *r, uint32_t i, uint32_t t)
{
    return r->path[i][t < r->len[i] ? t : r->len[i]];
}

static void mark(refine *r, uint32_t i, uint32_t who)
{
    for (uint32_t t = 0; t < r->horizon; t++)
        *occ_at(r, t, where(r, i, t)) = who;
}

/* ---- space-time A* ------------------------------------------------------ */

static void heap_push(refine *r, uint64_t key, uint32_t node)
{
    uint32_t k = r->n_heap++;
    while (k > 0) {
        uint32_t up = (k - 1) / 2;
        if (r->heap[up] <= key)
            break;
        r->heap[k] = r->heap[up];
        r->heap_node[k] = r->heap_node[up];
        k = up;
    }
    r->heap[k] = key;
    r->heap_node[k] = node;
}

static uint32_t heap_pop(refine *r)
{
    uint32_t top = r->heap_node[0];
    uint64_t key = r->heap[--r->n_heap];
    uint32_t node = r->heap_node[r->n_heap], k = 0;
    for (;;) {
        uint32_t c = 2 * k + 1;
        if (c >= r->n_heap)
            break;
        if (c + 1 < r->n_heap && r->heap[c + 1] < r->heap[c])
            c++;
        if (r->heap[c] >= key)
            break;
        r->heap[k] = r->heap[c];
        r->heap_node[k] = r->heap_node[c];
        k = c;
    }
    r->heap[k] = key;
    r->heap_node[k] = node;
    return top;
}

/* May an agent move from v (time t) to u (time t+1) given the table? */
static bool move_ok(refine *r, uint32_t v, uint32_t u, uint32_t t)
{
    if (*occ_at(r, t + 1, u) != MAPF_NONE)
        return false;
    if (u == v)
        return true;
    uint32_t there = *occ_at(r, t, u);
    if (r->pb->strict)
        return there == MAPF_NONE && *occ_at(r, t + 1, v) == MAPF_NONE;
    return there == MAPF_NONE || *occ_at(r, t + 1, v) != there;
}

static int grow(void **a, uint32_t *cap, uint32_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    uint32_t c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *p = realloc(*a, (size_t)c * elem);
    if (!p)
        return -1;
    *a = p;
    *cap = c;
    return 0;
}

static int grow_heap(refine *r)
{
    if (r->n_heap < r->cap_heap)
        return 0;
    uint32_t c = r->cap_heap ? 2 * r->cap_heap : 1024;
    uint64_t *keys = realloc(r->heap, (size_t)c * sizeof *keys);
    if (keys)
        r->heap = keys;
    uint32_t *nodes = realloc(r->heap_node, (size_t)c * sizeof *nodes);
    if (nodes)
        r->heap_node = nodes;
    if (!keys || !nodes)
        return -1;
    r->cap_heap = c;
    return 0;
}

/* Admissible remaining time from v at time t: the distance, but no less
 * than the wait until the goal is free for good. Without the second term
 * the search fans out over every wait before `settle`. */
static uint32_t estimate(const mapf_problem *pb, uint32_t i, uint32_t v, uint32_t t,
                         uint32_t settle)
{
    uint32_t d = mapf_dist(pb, i, v);
    return settle > t && settle - t > d ? settle - t : d;
}

/* Plan agent i around the table; on success its path is replaced.
 * Returns 1 found, 0 not found, -1 out of memory. */
static int plan_agent(refine *r, uint32_t i)
{
    const mapf_problem *pb = r->pb;
    const mapf_graph *g = pb->graph;
    uint32_t goal = pb->goals[i], start = pb->starts[i];
    /* the earliest time we may settle on the goal for good */
    uint32_t settle = 0;
    for (uint32_t t = r->horizon; t-- > 0;)
        if (*occ_at(r, t, goal) != MAPF_NONE) {
            settle = t + (pb->strict ? 2 : 1);
            break;
        }
    if (++r->epoch == 0) {
        memset(r->stamp, 0, (size_t)r->horizon * r->nv * sizeof *r->stamp);
        r->epoch = 1;
    }
    r->n_nodes = 0;
    r->n_heap = 0;
    if (grow((void **)&r->nodes, &r->cap_nodes, 1, sizeof *r->nodes))
        return -1;
    if (grow_heap(r))
        return -1;
    r->nodes[r->n_nodes++] = (st_node){start, 0, MAPF_NONE};
    r->stamp[start] = r->epoch;
    heap_push(r, (uint64_t)estimate(pb, i, start, 0, settle) << 32 | (uint32_t)~0u, 0);
    for (uint32_t expanded = 0; r->n_heap > 0 && expanded < MAX_EXPANSIONS; expanded++) {
        uint32_t k = heap_pop(r);
        st_node cur = r->nodes[k];
        if (cur.v == goal && cur.t >= settle) {
            uint32_t T = cur.t;
            if (grow((void **)&r->path[i], &r->cap[i], T + 1, sizeof **r->path))
                return -1;
            for (uint32_t at = k; at != MAPF_NONE; at = r->nodes[at].parent)
                r->path[i][r->nodes[at].t] = r->nodes[at].v;
            r->len[i] = T;
            return 1;
        }
        if (cur.t + 2 >= r->horizon)
            continue;
        for (uint32_t e = g->adj_start[cur.v]; e <= g->adj_start[cur.v + 1]; e++) {
            uint32_t u = e < g->adj_start[cur.v + 1] ? g->adj[e] : cur.v;
            uint32_t *seen = &r->stamp[(size_t)(cur.t + 1) * r->nv + u];
            if (*seen == r->epoch || !move_ok(r, cur.v, u, cur.t))
                continue;
            *seen = r->epoch;
            if (grow((void **)&r->nodes, &r->cap_nodes, r->n_nodes + 1, sizeof *r->nodes) ||
                grow_heap(r))
                return -1;
            uint32_t t1 = cur.t + 1;
            r->nodes[r->n_nodes] = (st_node){u, t1, k};
            /* f first, then later times first (deeper), as the tie-break */
            uint64_t f = (uint64_t)t1 + estimate(pb, i, u, t1, settle);
            heap_push(r, f << 32 | (uint32_t)~t1, r->n_nodes++);
        }
    }
    return 0;
}

/* ---- neighbourhoods ------------------------------------------------------ */

/* Up to NEIGHBOURHOOD distinct agents into set[]: the most delayed of a
 * few random agents and those standing on its shortest path at the times
 * it would pass, then random agents to fill up. */
static uint32_t pick(refine *r, uint32_t *set, uint8_t *in, bool around_delay)
{
    const mapf_problem *pb = r->pb;
    uint32_t k = 0, want = NEIGHBOURHOOD < r->n ? NEIGHBOURHOOD : r->n;
    if (around_delay) {
        uint32_t a = MAPF_NONE, worst = 0;
        for (int tries = 0; tries < 16; tries++) {
            uint32_t b = (uint32_t)(sim_rng_u64(&r->rng) % r->n);
            uint32_t delay = r->len[b] - mapf_dist(pb, b, pb->starts[b]);
            if (a == MAPF_NONE || delay > worst) {
                a = b;
                worst = delay;
            }
        }
        set[k++] = a;
        in[a] = 1;
        /* the last other agent on a's goal: a cannot settle before it leaves */
        for (uint32_t t = r->horizon; t-- > 0;) {
            uint32_t b = *occ_at(r, t, pb->goals[a]);
            if (b != MAPF_NONE && b != a) {
                if (!in[b] && k < want) {
                    set[k++] = b;
                    in[b] = 1;
                }
                break;
            }
        }
        /* walk a's ideal path: always to a neighbour one step nearer */
        uint32_t v = pb->starts[a];
        for (uint32_t t = 0; t + 1 < r->horizon && k < want && v != pb->goals[a]; t++) {
            for (uint32_t e = pb->graph->adj_start[v]; e < pb->graph->adj_start[v + 1]; e++)
                if (mapf_dist(pb, a, pb->graph->adj[e]) < mapf_dist(pb, a, v)) {
                    v = pb->graph->adj[e];
                    break;
                }
            uint32_t b = *occ_at(r, t + 1, v);
            if (b != MAPF_NONE && !in[b]) {
                set[k++] = b;
                in[b] = 1;
            }
        }
    }
    for (int tries = 0; k < want && tries < 64; tries++) {
        uint32_t b = (uint32_t)(sim_rng_u64(&r->rng) % r->n);
        if (!in[b]) {
            set[k++] = b;
            in[b] = 1;
        }
    }
    return k;
}

static double since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

/* Replace the whole plan by a prioritised one if one is found within
 * budget_s and costs less. PIBT's plans of dense instances are congested
 * throughout, which replanning a few agents at a time cannot undo; a fresh
 * prioritised plan often can. Agents go longest distance first, each by
 * space-time A* around those before it; an agent that finds no path moves
 * to the front of the order and the attempt restarts (the usual remedy for
 * prioritised planning's ordering failures). Returns 1 if the new plan was
 * taken (complete and cheaper), 0 if the old one was kept, -1 when out of
 * memory. */
static int fresh_start(refine *r, double budget_s, const struct timespec *t0)
{
    const mapf_problem *pb = r->pb;
    uint32_t n = r->n;
    uint32_t **old_path = malloc(n * sizeof *old_path);
    uint32_t *old_len = malloc(n * sizeof *old_len), *order = malloc(n * sizeof *order);
    size_t cells = (size_t)r->horizon * r->nv;
    int rc = -1;
    if (!old_path || !old_len || !order)
        goto out;
    uint64_t before = 0, after = 0;
    for (uint32_t i = 0; i < n; i++) {
        before += r->len[i];
        old_path[i] = r->path[i];
        old_len[i] = r->len[i];
        r->path[i] = NULL;
        r->cap[i] = 0;
        /* insertion by distance, longest first; ties by agent number */
        uint32_t d = mapf_dist(pb, i, pb->starts[i]), k = i;
        for (; k > 0 && mapf_dist(pb, order[k - 1], pb->starts[order[k - 1]]) < d; k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    bool complete = false;
    int found = 1;
    while (!complete && found >= 0 && since(t0) < budget_s) {
        for (size_t c = 0; c < cells; c++)
            r->occ[c] = MAPF_NONE;
        for (uint32_t i = 0; i < n; i++) {
            free(r->path[i]);
            r->path[i] = NULL;
            r->cap[i] = 0;
        }
        after = 0;
        uint32_t done = 0;
        for (found = 1; done < n && found == 1 && since(t0) < budget_s; done++) {
            found = plan_agent(r, order[done]);
            if (found == 1) {
                mark(r, order[done], order[done]);
                after += r->len[order[done]];
            }
        }
        complete = found == 1 && done == n;
        if (found == 0) { /* the agent that failed goes first next time */
            uint32_t a = order[done - 1];
            memmove(order + 1, order, (done - 1) * sizeof *order);
            order[0] = a;
        }
    }
    bool better = complete && after < before;
    for (uint32_t i = 0; i < n; i++) {
        if (better) {
            free(old_path[i]);
            continue;
        }
        free(r->path[i]);
        r->path[i] = old_path[i];
        r->len[i] = old_len[i];
        r->cap[i] = old_len[i] + 1;
    }
    if (!better) {
        for (size_t c = 0; c < cells; c++)
            r->occ[c] = MAPF_NONE;
        for (uint32_t i = 0; i < n; i++)
            mark(r, i, i);
    }
    rc = found < 0 ? -1 : better;
out:
    free(old_path);
    free(old_len);
    free(order);
    return rc;
}

static void refine_free(refine *r)
{
    for (uint32_t i = 0; r->path && i < r->n; i++)
        free(r->path[i]);
    free(r->path);
    free(r->len);
    free(r->cap);
    free(r->occ);
    free(r->stamp);
    free(r->nodes);
    free(r->heap);
    free(r->heap_node);
}

int mapf_refine_lns(const mapf_problem *pb, mapf_plan *plan, double budget_s, uint64_t seed,
                    uint64_t *iterations, uint64_t *improvements)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    refine r = {.pb = pb, .nv = pb->graph->n_vertices, .n = pb->n_agents};
    sim_rng_init(&r.rng, seed, "mapf/lns");
    uint32_t n = r.n, makespan = 0;
    r.path = calloc(n, sizeof *r.path);
    r.len = calloc(n, sizeof *r.len);
    r.cap = calloc(n, sizeof *r.cap);
    uint32_t set[NEIGHBOURHOOD], old_len[NEIGHBOURHOOD], *old_path[NEIGHBOURHOOD] = {0};
    uint8_t *in = calloc(n, 1);
    int rc = -1;
    if (!r.path || !r.len || !r.cap || !in)
        goto out;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = 0;
        for (uint32_t t = plan->n_steps; t-- > 0;)
            if (plan->at[(size_t)t * n + i] != pb->goals[i]) {
                len = t + 1;
                break;
            }
        r.len[i] = len;
        if (len > makespan)
            makespan = len;
        if (grow((void **)&r.path[i], &r.cap[i], len + 1, sizeof **r.path))
            goto out;
        for (uint32_t t = 0; t <= len; t++)
            r.path[i][t] = plan->at[(size_t)t * n + i];
    }
    /* Room for detours; the table is horizon x vertices words. */
    r.horizon = makespan + makespan / 2 + 64;
    size_t cells = (size_t)r.horizon * r.nv;
    if (cells > ((size_t)64 << 20)) /* 256 MB per table: give up refining */
        goto out;
    r.occ = malloc(cells * sizeof *r.occ);
    r.stamp = calloc(cells, sizeof *r.stamp);
    if (!r.occ || !r.stamp)
        goto out;
    for (size_t c = 0; c < cells; c++)
        r.occ[c] = MAPF_NONE;
    for (uint32_t i = 0; i < n; i++)
        mark(&r, i, i);
    int fresh = fresh_start(&r, budget_s / 8, &t0); /* an eighth of the time at most */
    if (fresh < 0)
        goto out;
    *improvements += (uint64_t)fresh;

    for (uint64_t it = 0; since(&t0) < budget_s; it++) {
        ++*iterations;
        uint32_t k = pick(&r, set, in, it % 2 == 0);
        uint64_t before = 0, after = 0;
        for (uint32_t j = 0; j < k; j++) {
            uint32_t a = set[j];
            before += r.len[a];
            mark(&r, a, MAPF_NONE);
            old_len[j] = r.len[a];
            old_path[j] = r.path[a];
            r.path[a] = NULL;
            r.cap[a] = 0;
        }
        /* random order: a fresh priority order each time */
        for (uint32_t j = k; j > 1; j--) {
            uint32_t s = (uint32_t)(sim_rng_u64(&r.rng) % j);
            uint32_t tmp = set[j - 1];
            set[j - 1] = set[s];
            set[s] = tmp;
            tmp = old_len[j - 1];
            old_len[j - 1] = old_len[s];
            old_len[s] = tmp;
            uint32_t *p = old_path[j - 1];
            old_path[j - 1] = old_path[s];
            old_path[s] = p;
        }
        uint32_t done = 0;
        int found = 1;
        for (; done < k && found == 1; done++) {
            found = plan_agent(&r, set[done]);
            if (found == 1) {
                mark(&r, set[done], set[done]);
                after += r.len[set[done]];
            }
        }
        if (found == -1)
            goto restore_and_fail;
        bool better = found == 1 && after < before;
        uint32_t n_marked = found == 1 ? done : done - 1; /* the last try failed */
        /* Undo in two passes: a new path may cross an old one of another
         * agent of the set, so all new marks go before any old is back. */
        for (uint32_t j = 0; j < k && !better; j++)
            if (j < n_marked)
                mark(&r, set[j], MAPF_NONE);
        for (uint32_t j = 0; j < k; j++) {
            uint32_t a = set[j];
            in[a] = 0;
            if (better) {
                free(old_path[j]);
                continue;
            }
            free(r.path[a]);
            r.path[a] = old_path[j];
            r.len[a] = old_len[j];
            r.cap[a] = old_len[j] + 1;
            mark(&r, a, a);
        }
        if (better)
            ++*improvements;
        memset(old_path, 0, sizeof old_path);
    }
    /* write back */
    makespan = 0;
    for (uint32_t i = 0; i < n; i++)
        if (r.len[i] > makespan)
            makespan = r.len[i];
    uint32_t *at = malloc((size_t)(makespan + 1) * n * sizeof *at);
    if (!at)
        goto out;
    for (uint32_t t = 0; t <= makespan; t++)
        for (uint32_t i = 0; i < n; i++)
            at[(size_t)t * n + i] = where(&r, i, t);
    free(plan->at);
    plan->at = at;
    plan->n_steps = makespan + 1;
    rc = 0;
    goto out;
restore_and_fail:
    for (uint32_t j = 0; j < NEIGHBOURHOOD; j++)
        free(old_path[j]);
out:
    free(in);
    refine_free(&r);
    return rc;
}
