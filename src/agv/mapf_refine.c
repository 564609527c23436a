/* mapf_refine.c -- anytime refinement of a valid plan by large
 * neighbourhood search (MAPF-LNS, Li et al., IJCAI 2021): take a handful
 * of agents out, replan them one by one around everyone else (prioritised
 * planning, SIPP over interval reservations: mapf_sipp.c, mapf_resv.c),
 * keep the result if the sum-of-costs fell.
 *
 * Why on top of LaCAM: LaCAM*'s own refinement rewires its search graph,
 * which converges on small instances (and then proves optimality) but does
 * not move with hundreds of agents, where PIBT's first plan is two or three
 * times the lower bound. Replanning a few agents at a time in space-time is
 * what brings such plans down.
 *
 * Two phases:
 *  1. A fresh prioritised plan of all agents: agents in a seeded random
 *     order (aisle goals last), each by SIPP around those before it; those
 *     that find no path are put in afterwards by MAPF-LNS2's repair (a path
 *     through the fewest others, who are then planned again around it).
 *     Kept if complete and cheaper. PIBT's dense plans are congested
 *     throughout, in a way no small neighbourhood can undo; a prioritised
 *     plan has almost no congestion to begin with (1,000 agents on
 *     warehouse-10-20-10-2-1: 3.0 -> ~1.5 x the lower bound). It may take
 *     up to FRESH_SHARE of the time, and is given up earlier when it can
 *     no longer beat the current plan or its repair stalls.
 *  2. Neighbourhood search for the rest of the time. The neighbourhood
 *     heuristic is drawn by adaptive weights (ALNS: a heuristic's weight
 *     follows the cost it recently removed per unit of search work) from
 *     MAPF-LNS's three: a random walk in space-time from the most delayed
 *     agent (the agents in its way), the agents crossing a few neighbouring
 *     intersections around one moment, and random agents. Its size is 2
 *     after a success and doubles (to 16, then back to 2) after each
 *     failure: small neighbourhoods are cheap and, far from convergence
 *     (1,000 agents in 10 s), remove the most per second; bigger ones get
 *     out of what small ones cannot improve (measured: bench/RESULTS.md).
 *
 * The plan stays valid throughout: a replan is accepted only when every
 * agent of the neighbourhood found a path around all others (the checker's
 * rules, including strict mode) and the sum fell; otherwise the old paths go
 * back. Everything is seeded; only the number of iterations depends on the
 * clock. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agv/mapf_search.h"

#define MAX_NEIGHBOURHOOD 32     /* agents replanned at once, at most */
#define REACTION 0.01            /* ALNS: weight of the latest outcome */
#define FRESH_SHARE 0.75         /* of the budget, for the fresh plan at most */
#define FRESH_STALL 0.15        /* of the budget, without fewer agents left: given up */
/* Search limits (SIPP states expanded): one agent in a neighbourhood, in
 * the fresh plan, in a repair; a repair in all; the soft search. */
#define LNS_EXPANSIONS 20000u
#define PP_EXPANSIONS 20000u
#define REPAIR_EXPANSIONS 20000u
#define REPAIR_BUDGET 100000u
#define SOFT_EXPANSIONS 50000u
#define SOFT_PENALTY 16u         /* cost of running into another's stay */

enum { BY_WALK, BY_INTERSECTION, BY_RANDOM, N_HEURISTICS };
/* Neighbourhood sizes, smallest first (variable neighbourhood search: the
 * next size after a failure, back to the first after a success). */
#define N_SIZES 4
static const uint32_t SIZES[N_SIZES] = {2, 4, 8, 16};

/* Paths of all agents, conflict-free with one another, and their
 * reservations. planned[i] == 0: agent i has no path (only while a fresh
 * plan is being completed); it then counts in neither soc nor resv. */
typedef struct paths {
    uint32_t **path, *len, *cap; /* path[i][0..len[i]], then resting on its goal */
    uint8_t *planned;
    uint32_t n_unplanned;
    uint64_t soc;                /* sum of len over planned agents */
    mapf_resv resv;
} paths;

typedef struct refine {
    const mapf_problem *pb;
    uint32_t n;
    paths cur;                   /* the plan being improved */
    mapf_sipp sipp;
    sim_rng rng;
    /* the neighbourhood: agents, what they had, spare path buffers */
    uint32_t set[MAX_NEIGHBOURHOOD], old_len[MAX_NEIGHBOURHOOD], old_cap[MAX_NEIGHBOURHOOD];
    uint32_t *old_path[MAX_NEIGHBOURHOOD], *spare[MAX_NEIGHBOURHOOD], spare_cap[MAX_NEIGHBOURHOOD];
    uint8_t old_planned[MAX_NEIGHBOURHOOD];
    uint8_t *in, *tabu;
    uint32_t *soft_path, soft_cap, soft_len; /* repair: a path through others */
    uint32_t *crossings, n_crossings; /* vertices of degree >= 3 */
    uint32_t *bfs_queue, *bfs_seen, bfs_epoch;
    double weight[N_HEURISTICS];
} refine;

static double since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + 1e-9 * (double)(now.tv_nsec - t0->tv_nsec);
}

static uint32_t below(refine *r, uint32_t n)
{
    return (uint32_t)(sim_rng_u64(&r->rng) % n);
}

static uint32_t where(const paths *p, uint32_t i, uint32_t t)
{
    return p->path[i][t < p->len[i] ? t : p->len[i]];
}

static uint32_t delay(const refine *r, uint32_t i)
{
    return r->cur.len[i] - mapf_dist(r->pb, i, r->pb->starts[i]);
}

static int paths_init(paths *p, uint32_t n, uint32_t n_vertices)
{
    memset(p, 0, sizeof *p);
    p->path = calloc(n, sizeof *p->path);
    p->len = calloc(n, sizeof *p->len);
    p->cap = calloc(n, sizeof *p->cap);
    p->planned = calloc(n, 1);
    p->n_unplanned = n;
    if (!p->path || !p->len || !p->cap || !p->planned || mapf_resv_init(&p->resv, n_vertices))
        return -1;
    return 0;
}

static void paths_free(paths *p, uint32_t n)
{
    for (uint32_t i = 0; p->path && i < n; i++)
        free(p->path[i]);
    free(p->path);
    free(p->len);
    free(p->cap);
    free(p->planned);
    mapf_resv_free(&p->resv);
}

/* ---- neighbourhoods -------------------------------------------------------- */

static uint32_t add(refine *r, uint32_t k, uint32_t want, uint32_t a)
{
    if (a != MAPF_NONE && k < want && !r->in[a]) {
        r->in[a] = 1;
        r->set[k++] = a;
    }
    return k;
}

/* The most delayed agent not recently chosen (MAPF-LNS's tabu list: once
 * every delayed agent had its turn, all are eligible again). */
static uint32_t most_delayed(refine *r)
{
    for (int round = 0; round < 2; round++) {
        uint32_t best = MAPF_NONE, worst = 0;
        for (uint32_t i = 0; i < r->n; i++)
            if (!r->tabu[i] && delay(r, i) > worst) {
                best = i;
                worst = delay(r, i);
            }
        if (best != MAPF_NONE) {
            r->tabu[best] = 1;
            return best;
        }
        memset(r->tabu, 0, r->n);
    }
    return MAPF_NONE; /* nobody is delayed */
}

/* Walk from a random point of a's path towards its goal, at random among
 * moves that could still make it earlier than now, and take the agents
 * standing where the walk goes: those are in a's way. */
static uint32_t walk_from(refine *r, uint32_t a, uint32_t k, uint32_t want)
{
    const mapf_problem *pb = r->pb;
    const mapf_graph *g = pb->graph;
    const paths *p = &r->cur;
    if (p->len[a] == 0)
        return k;
    uint32_t t = below(r, p->len[a]), v = where(p, a, t);
    uint32_t cand[64];
    for (uint32_t steps = 0; k < want && steps < p->len[a]; steps++, t++) {
        uint32_t m = 0;
        for (uint32_t e = g->adj_start[v]; e <= g->adj_start[v + 1] && m < 64; e++) {
            uint32_t u = e < g->adj_start[v + 1] ? g->adj[e] : v;
            if (t + 1 + mapf_dist(pb, a, u) < p->len[a])
                cand[m++] = u;
        }
        if (m == 0)
            break;
        v = cand[below(r, m)];
        uint32_t who = mapf_resv_at(&p->resv, v, t + 1);
        if (who != a)
            k = add(r, k, want, who);
    }
    return k;
}

static uint32_t by_walk(refine *r, uint32_t want)
{
    uint32_t a = most_delayed(r), k = 0;
    if (a == MAPF_NONE)
        return 0;
    k = add(r, k, want, a);
    /* the last other agent on a's goal: a cannot settle before it leaves */
    const mapf_resv *rv = &r->cur.resv;
    uint32_t goal = r->pb->goals[a];
    for (uint32_t j = rv->count[goal]; j-- > 0;)
        if (rv->spans[goal][j].agent != a) {
            k = add(r, k, want, rv->spans[goal][j].agent);
            break;
        }
    for (int tries = 0; k < want && tries < 16; tries++)
        k = walk_from(r, tries == 0 ? a : r->set[below(r, k)], k, want);
    return k;
}

/* Agents passing an intersection near one moment, then the intersections
 * nearest to it (breadth first), until the neighbourhood is full. */
static uint32_t by_intersection(refine *r, uint32_t want)
{
    const mapf_graph *g = r->pb->graph;
    const mapf_resv *rv = &r->cur.resv;
    if (r->n_crossings == 0)
        return 0;
    uint32_t makespan = 0;
    for (uint32_t i = 0; i < r->n; i++)
        makespan = r->cur.len[i] > makespan ? r->cur.len[i] : makespan;
    uint32_t v0 = r->crossings[below(r, r->n_crossings)], t = below(r, makespan + 1);
    if (++r->bfs_epoch == 0) {
        memset(r->bfs_seen, 0, (size_t)g->n_vertices * sizeof *r->bfs_seen);
        r->bfs_epoch = 1;
    }
    uint32_t head = 0, tail = 0, k = 0;
    r->bfs_queue[tail++] = v0;
    r->bfs_seen[v0] = r->bfs_epoch;
    while (head < tail && k < want && head < 64) {
        uint32_t v = r->bfs_queue[head++];
        const mapf_span *s = rv->spans[v];
        uint32_t n = rv->count[v];
        if (n > 0 && g->adj_start[v + 1] - g->adj_start[v] >= 3) {
            /* from the visit nearest to t outwards, a few per vertex */
            uint32_t j = 0;
            while (j + 1 < n && s[j].hi < t)
                j++;
            for (uint32_t d = 0, taken = 0; k < want && taken < 4 && d < 2 * n; d++) {
                uint32_t at = d % 2 == 0 ? j + d / 2 : j - (d + 1) / 2; /* wraps if < 0 */
                if (at < n && !r->in[s[at].agent]) {
                    k = add(r, k, want, s[at].agent);
                    taken++;
                }
            }
        }
        for (uint32_t e = g->adj_start[v]; e < g->adj_start[v + 1]; e++) {
            uint32_t u = g->adj[e];
            if (r->bfs_seen[u] != r->bfs_epoch) {
                r->bfs_seen[u] = r->bfs_epoch;
                r->bfs_queue[tail++] = u;
            }
        }
    }
    return k;
}

static uint32_t by_random(refine *r, uint32_t k, uint32_t want)
{
    for (int tries = 0; k < want && tries < 4 * MAX_NEIGHBOURHOOD; tries++)
        k = add(r, k, want, below(r, r->n));
    return k;
}

/* ALNS: one of n options, each with probability proportional to its
 * weight. */
static int choose(refine *r, const double *weight, int n)
{
    double total = 0;
    for (int h = 0; h < n; h++)
        total += weight[h];
    double x = sim_rng_uniform(&r->rng) * total;
    for (int h = 0; h < n - 1; h++) {
        if (x < weight[h])
            return h;
        x -= weight[h];
    }
    return n - 1;
}

/* ... and its weight follows the cost removed per unit of search work
 * (thousands of SIPP states: deterministic, unlike the clock), so that a
 * cheap option that removes little can win over a dear one. */
static void reward(double *weight, double gain, uint64_t work)
{
    *weight = (1 - REACTION) * *weight + REACTION * gain / (1 + (double)work / 1000);
    if (*weight < 1e-3)
        *weight = 1e-3;
}

/* ---- taking agents out and putting them back ----------------------------- */

/* Agent a's path goes into p's reservations and sums (-1 when out of
 * memory: p is then as before), or comes out of them. */
static int path_in(paths *p, uint32_t a)
{
    if (mapf_resv_add_path(&p->resv, a, p->path[a], p->len[a]))
        return -1;
    p->planned[a] = 1;
    p->n_unplanned--;
    p->soc += p->len[a];
    return 0;
}

static void path_out(paths *p, uint32_t a)
{
    mapf_resv_remove_path(&p->resv, a, p->path[a], p->len[a]);
    p->planned[a] = 0;
    p->n_unplanned++;
    p->soc -= p->len[a];
}

/* Take the agents r->set[from..to) out of p; each gets a spare buffer to
 * be planned into. */
static void take_out(refine *r, paths *p, uint32_t from, uint32_t to)
{
    for (uint32_t j = from; j < to; j++) {
        uint32_t a = r->set[j];
        r->old_planned[j] = p->planned[a];
        if (p->planned[a])
            path_out(p, a);
        r->old_path[j] = p->path[a];
        r->old_len[j] = p->len[a];
        r->old_cap[j] = p->cap[a];
        p->path[a] = r->spare[j];
        p->cap[a] = r->spare_cap[j];
    }
}

/* Plan agent a into p by SIPP around p's reservations. 1 planned, 0 not
 * (within max_len and max_expansions), -1 out of memory. */
static int plan_into(refine *r, paths *p, uint32_t a, uint32_t max_len, uint32_t max_expansions)
{
    int found = mapf_sipp_plan(&r->sipp, &p->resv, a, max_len, max_expansions, &p->path[a],
                               &p->cap[a], &p->len[a]);
    if (found == 1 && path_in(p, a))
        found = -1;
    return found;
}

/* After take_out and planning: keep the new paths (keep) or bring the old
 * ones back. Either way the set is cleared from r->in. Bringing back
 * cannot fail: the spans were there before and lists never shrink. */
static void put_back(refine *r, paths *p, uint32_t k, bool keep)
{
    for (uint32_t j = 0; j < k && !keep; j++) {
        uint32_t a = r->set[j];
        if (p->planned[a]) /* all new spans out before any old goes in */
            path_out(p, a);
    }
    for (uint32_t j = 0; j < k; j++) {
        uint32_t a = r->set[j];
        r->in[a] = 0;
        if (keep) {
            r->spare[j] = r->old_path[j];
            r->spare_cap[j] = r->old_cap[j];
            continue;
        }
        r->spare[j] = p->path[a];
        r->spare_cap[j] = p->cap[a];
        p->path[a] = r->old_path[j];
        p->len[a] = r->old_len[j];
        p->cap[a] = r->old_cap[j];
        if (r->old_planned[j])
            (void)path_in(p, a);
    }
}

static void shuffle(refine *r, uint32_t *a, uint32_t n)
{
    for (uint32_t j = n; j > 1; j--) {
        uint32_t s = below(r, j), tmp = a[j - 1];
        a[j - 1] = a[s];
        a[s] = tmp;
    }
}

/* ---- improving: MAPF-LNS ----------------------------------------------------- */

/* Replan the k agents of r->set in a random order around everyone else;
 * keep the new paths if all were found and their sum is lower. Returns the
 * cost removed (0: old paths kept), -1 when out of memory (old paths
 * kept). */
static int64_t improve(refine *r, uint32_t k)
{
    const mapf_problem *pb = r->pb;
    paths *p = &r->cur;
    shuffle(r, r->set, k); /* a fresh priority order each time */
    uint64_t before = p->soc, rest_lb = 0;
    for (uint32_t j = 0; j < k; j++)
        rest_lb += mapf_dist(pb, r->set[j], pb->starts[r->set[j]]);
    take_out(r, p, 0, k);
    int found = 1;
    for (uint32_t j = 0; j < k && found == 1; j++) {
        uint32_t a = r->set[j];
        rest_lb -= mapf_dist(pb, a, pb->starts[a]);
        /* only what can still make the sum fall: soc + len + rest < before */
        if (before < 1 + p->soc + rest_lb) {
            found = 0;
            break;
        }
        uint64_t room = before - 1 - p->soc - rest_lb;
        found = plan_into(r, p, a, room < MAPF_FOREVER - 1 ? (uint32_t)room : MAPF_FOREVER - 1,
                          LNS_EXPANSIONS);
    }
    bool better = found == 1 && p->soc < before;
    put_back(r, p, k, better);
    if (found < 0)
        return -1;
    return better ? (int64_t)(before - p->soc) : 0;
}

/* ---- a fresh plan: prioritised planning, completed by repair -------------- */

/* The repair's work list: indices into r->set of agents to plan (again). */
typedef struct todo {
    uint32_t at[4 * MAX_NEIGHBOURHOOD];
    uint32_t head, tail;
} todo;

/* Agent r->set[j], out of p, gets the path through the fewest others'
 * stays (mapf_sipp_soft; never through members of the set) and goes in;
 * those others come out, join the set and are queued to be planned again.
 * 1: done, 0: no such path, or the set or the queue is full; -1: out of
 * memory. */
static int put_through(refine *r, paths *p, uint32_t j, uint32_t *k, todo *q, uint32_t penalty)
{
    uint32_t a = r->set[j], in_way[MAX_NEIGHBOURHOOD + 1];
    int found = mapf_sipp_soft(&r->sipp, &p->resv, a, r->in, penalty, SOFT_EXPANSIONS,
                               &r->soft_path, &r->soft_cap, &r->soft_len);
    if (found <= 0)
        return found;
    uint32_t m = mapf_resv_conflicts(&p->resv, false, r->soft_path, r->soft_len, in_way,
                                     MAX_NEIGHBOURHOOD + 1);
    for (uint32_t c = 0; c < m; c++)
        if (r->in[in_way[c]])
            return 0; /* (the soft search keeps off the set: not expected) */
    if (*k + m > MAX_NEIGHBOURHOOD || q->tail + m > 4 * MAX_NEIGHBOURHOOD)
        return 0;
    for (uint32_t c = 0; c < m; c++) { /* the agents in the way join the set */
        uint32_t b = in_way[c];
        r->in[b] = 1;
        r->set[*k] = b;
        take_out(r, p, *k, *k + 1);
        q->at[q->tail++] = (*k)++;
    }
    uint32_t *tmp = p->path[a], tcap = p->cap[a]; /* a's spare buffer <-> the soft path */
    p->path[a] = r->soft_path;
    p->cap[a] = r->soft_cap;
    p->len[a] = r->soft_len;
    r->soft_path = tmp;
    r->soft_cap = tcap;
    return path_in(p, a) ? -1 : 1;
}

/* Put unplanned agent x in through the fewest others, then plan those
 * again around it (random order); one that finds no way around is put
 * through in turn, taking others out again, while the set and the work
 * list have room. Kept if at most one agent of the set is left without a
 * path: the number of unplanned agents does not grow (MAPF-LNS2 accepts
 * such sideways moves too; they let the repair wander out of a corner).
 * 1: kept, 0: not, -1: out of memory. */
static int repair(refine *r, paths *p, uint32_t x, uint32_t penalty)
{
    todo q = {.head = 0, .tail = 0};
    uint32_t k = 1;
    r->set[0] = x;
    r->in[x] = 1;
    take_out(r, p, 0, 1);
    int found = put_through(r, p, 0, &k, &q, penalty);
    if (found == 1)
        shuffle(r, q.at, q.tail);
    uint64_t budget = r->sipp.expansions + REPAIR_BUDGET;
    while (found >= 0 && q.head < q.tail && r->sipp.expansions < budget) {
        uint32_t j = q.at[q.head++], a = r->set[j];
        if (p->planned[a])
            continue;
        found = plan_into(r, p, a, MAPF_FOREVER - 1, REPAIR_EXPANSIONS);
        if (found == 0) {
            uint32_t tail = q.tail;
            found = put_through(r, p, j, &k, &q, penalty);
            shuffle(r, q.at + tail, q.tail - tail);
        }
    }
    uint32_t failed = 0;
    for (uint32_t j = 0; j < k; j++)
        failed += !p->planned[r->set[j]];
    bool keep = found >= 0 && failed <= 1;
    put_back(r, p, k, keep);
    return found < 0 ? -1 : keep;
}

static int by_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Reorder (stably) so that agents whose goals lie in aisles -- away from
 * every vertex of degree 3 or more -- come last, those deepest in first.
 * An agent resting in a 1-wide aisle closes it for everyone planned after
 * it, and prioritised planning lets it arrive as early as it can: put
 * first, such agents cut the map into pieces that later agents cannot
 * cross. Last, they arrive once the others have gone by (their search
 * waits for the goal to stay free), and deepest first, none has to pass
 * another one resting. -1 when out of memory. */
static int aisle_goals_last(refine *r, uint32_t *order)
{
    const mapf_graph *g = r->pb->graph;
    uint32_t n = r->n, nv = g->n_vertices, head = 0, tail = 0;
    uint32_t *depth = malloc(nv * sizeof *depth), *was = malloc(n * sizeof *was);
    uint32_t *queue = r->bfs_queue;
    uint64_t *key = malloc(n * sizeof *key);
    if (!depth || !was || !key) {
        free(depth);
        free(was);
        free(key);
        return -1;
    }
    /* depth: steps to the nearest junction (breadth first from all) */
    for (uint32_t v = 0; v < nv; v++) {
        depth[v] = MAPF_NONE;
        if (g->adj_start[v + 1] - g->adj_start[v] >= 3) {
            depth[v] = 0;
            queue[tail++] = v;
        }
    }
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t e = g->adj_start[v]; e < g->adj_start[v + 1]; e++)
            if (depth[g->adj[e]] == MAPF_NONE) {
                depth[g->adj[e]] = depth[v] + 1;
                queue[tail++] = g->adj[e];
            }
    }
    for (uint32_t j = 0; j < n; j++) {
        uint32_t d = depth[r->pb->goals[order[j]]]; /* MAPF_NONE: no junction at all */
        uint32_t rank = d == 0 || d == MAPF_NONE ? 0 : MAPF_NONE - d;
        key[j] = (uint64_t)rank << 32 | j;
    }
    qsort(key, n, sizeof *key, by_key);
    memcpy(was, order, n * sizeof *was);
    for (uint32_t j = 0; j < n; j++)
        order[j] = was[(uint32_t)key[j]];
    free(depth);
    free(was);
    free(key);
    return 0;
}

/* Has the fresh plan stopped being worth the time? It has if even with
 * shortest paths for the agents still without one it could not beat the
 * current plan, or if the number without a path has not reached a new
 * low for `stall_s` seconds (a repair that goes round in circles). */
static bool fresh_hopeless(const refine *r, const paths *fresh, uint32_t *fewest,
                           double *fewest_at, double now, double stall_s)
{
    uint64_t bound = fresh->soc;
    for (uint32_t i = 0; i < r->n && bound < r->cur.soc; i++)
        if (!fresh->planned[i])
            bound += mapf_dist(r->pb, i, r->pb->starts[i]);
    if (bound >= r->cur.soc)
        return true;
    if (fresh->n_unplanned < *fewest) {
        *fewest = fresh->n_unplanned;
        *fewest_at = now;
    }
    return now - *fewest_at > stall_s;
}

/* A prioritised plan of all agents from scratch, kept if complete and
 * cheaper than the current plan (see the top of the file), worked on
 * until `deadline` (seconds since t0) at most. Agents in a seeded random
 * order, aisle goals last, each by SIPP around those before; those that
 * find no path are then put in by repair, one at a time, until none is
 * left or the attempt is hopeless (fresh_hopeless). Strict mode has no
 * repair (the soft search knows only the default rules): an agent that
 * finds no path goes first and the attempt starts over. Returns 1 if
 * taken, 0 if not, -1 when out of memory (the old plan is then kept). */
static int fresh_start(refine *r, double deadline, double stall_s, const struct timespec *t0)
{
    uint32_t n = r->n;
    uint32_t *order = malloc(n * sizeof *order);
    paths fresh;
    int rc = -1;
    if (!order || paths_init(&fresh, n, r->pb->graph->n_vertices))
        goto out;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t s = below(r, i + 1);
        order[i] = order[s];
        order[s] = i;
    }
    if (aisle_goals_last(r, order))
        goto out;
    for (bool again = true; again && since(t0) < deadline;) {
        memset(fresh.planned, 0, n);
        mapf_resv_clear(&fresh.resv);
        fresh.soc = 0;
        fresh.n_unplanned = n;
        again = false;
        for (uint32_t done = 0; done < n && since(t0) < deadline; done++) {
            int found = plan_into(r, &fresh, order[done], MAPF_FOREVER - 1, PP_EXPANSIONS);
            if (found < 0)
                goto out;
            if (found == 0 && r->pb->strict) { /* it goes first next time */
                uint32_t a = order[done];
                memmove(order + 1, order, done * sizeof *order);
                order[0] = a;
                again = true;
                break;
            }
        }
    }
    uint32_t fewest = MAPF_NONE, penalty = SOFT_PENALTY;
    double fewest_at = since(t0);
    while (!r->pb->strict && fresh.n_unplanned > 0 && since(t0) < deadline &&
           !fresh_hopeless(r, &fresh, &fewest, &fewest_at, since(t0), stall_s)) {
        uint32_t pick = below(r, fresh.n_unplanned), x = 0;
        for (;; x++) /* the pick-th agent without a path */
            if (!fresh.planned[x] && pick-- == 0)
                break;
        uint32_t before = fresh.n_unplanned;
        if (repair(r, &fresh, x, penalty) < 0)
            goto out;
        /* no progress: other soft paths next time, so other agents in the way */
        penalty = fresh.n_unplanned < before ? SOFT_PENALTY : SOFT_PENALTY << below(r, 4) >> 1;
    }
    rc = 0;
    if (fresh.n_unplanned == 0 && fresh.soc < r->cur.soc) {
        paths tmp = r->cur;
        r->cur = fresh;
        fresh = tmp;
        rc = 1;
    }
out:
    if (order)
        paths_free(&fresh, n);
    free(order);
    return rc;
}

static void refine_free(refine *r)
{
    paths_free(&r->cur, r->n);
    for (uint32_t j = 0; j < MAX_NEIGHBOURHOOD; j++)
        free(r->spare[j]);
    free(r->in);
    free(r->tabu);
    free(r->soft_path);
    free(r->crossings);
    free(r->bfs_queue);
    free(r->bfs_seen);
    mapf_sipp_free(&r->sipp);
}

int mapf_refine_lns(const mapf_problem *pb, mapf_plan *plan, double budget_s, uint64_t seed,
                    uint64_t *iterations, uint64_t *improvements)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const mapf_graph *g = pb->graph;
    uint32_t n = pb->n_agents, nv = g->n_vertices;
    refine r = {.pb = pb, .n = n};
    sim_rng_init(&r.rng, seed, "mapf/lns");
    int rc = -1;
    bool ready = false; /* r.cur is a valid plan: write it back */
    r.in = calloc(n, 1);
    r.tabu = calloc(n, 1);
    r.crossings = malloc(nv * sizeof *r.crossings);
    r.bfs_queue = malloc(nv * sizeof *r.bfs_queue);
    r.bfs_seen = calloc(nv, sizeof *r.bfs_seen);
    if (paths_init(&r.cur, n, nv) || !r.in || !r.tabu || !r.crossings || !r.bfs_queue ||
        !r.bfs_seen || mapf_sipp_init(&r.sipp, pb))
        goto out;
    for (uint32_t v = 0; v < nv; v++)
        if (g->adj_start[v + 1] - g->adj_start[v] >= 3)
            r.crossings[r.n_crossings++] = v;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len = 0;
        for (uint32_t t = plan->n_steps; t-- > 0;)
            if (plan->at[(size_t)t * n + i] != pb->goals[i]) {
                len = t + 1;
                break;
            }
        r.cur.len[i] = len;
        r.cur.cap[i] = len + 1;
        r.cur.path[i] = malloc((size_t)r.cur.cap[i] * sizeof **r.cur.path);
        if (!r.cur.path[i])
            goto out;
        for (uint32_t t = 0; t <= len; t++)
            r.cur.path[i][t] = plan->at[(size_t)t * n + i];
        if (path_in(&r.cur, i))
            goto out;
    }
    ready = true;
    /* phase 1: a fresh prioritised plan */
    int fresh = fresh_start(&r, FRESH_SHARE * budget_s, FRESH_STALL * budget_s, &t0);
    if (fresh < 0)
        goto out;
    *improvements += (uint64_t)fresh;

    /* phase 2: neighbourhood search */
    for (int h = 0; h < N_HEURISTICS; h++)
        r.weight[h] = 1;
    int z = 0;
    while (since(&t0) < budget_s && r.cur.soc > 0) {
        ++*iterations;
        int h = choose(&r, r.weight, N_HEURISTICS);
        uint32_t want = SIZES[z] < n ? SIZES[z] : n;
        uint32_t k = h == BY_WALK ? by_walk(&r, want)
                   : h == BY_INTERSECTION ? by_intersection(&r, want) : 0;
        k = by_random(&r, k, want);
        uint64_t work = r.sipp.expansions;
        int64_t gain = improve(&r, k);
        if (gain < 0)
            goto out;
        if (gain > 0)
            ++*improvements;
        work = r.sipp.expansions - work;
        reward(&r.weight[h], (double)gain, work);
        z = gain > 0 ? 0 : (z + 1) % N_SIZES;
    }
    rc = 0;
out:
    if (ready) { /* write back */
        uint32_t makespan = 0;
        for (uint32_t i = 0; i < n; i++)
            makespan = r.cur.len[i] > makespan ? r.cur.len[i] : makespan;
        uint32_t *at = malloc((size_t)(makespan + 1) * n * sizeof *at);
        if (!at) {
            rc = -1;
        } else {
            for (uint32_t t = 0; t <= makespan; t++)
                for (uint32_t i = 0; i < n; i++)
                    at[(size_t)t * n + i] = where(&r.cur, i, t);
            free(plan->at);
            plan->at = at;
            plan->n_steps = makespan + 1;
        }
    }
    refine_free(&r);
    return rc;
}
