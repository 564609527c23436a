/* model_network.c -- the layout as a directed graph, and the two rules on
 * its shape: no dead ends, and no separate pieces.
 *
 * A two-way edge is two arcs, a one-way edge one. The fleet's routing
 * (PIBT over the cells of the layout, src/agv) is proven never to deadlock
 * when every arc u -> v lies on a directed cycle of at least 3 nodes: from
 * v there is a way back to u that does not go straight back along v -> u.
 * Then a vehicle blocking a node can always be pushed on round a loop
 * (docs/agv.md). The rule is checked exactly. When every edge is two-way
 * (grid maps, most path networks) it says: no edge is a bridge, found in
 * linear time (Tarjan's low-link). Otherwise one breadth-first search per
 * arc that forbids its reverse arc: O(arcs * (nodes + arcs)), nothing for
 * layouts of hundreds of nodes and a second or so at 10 000 edges. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

struct mnet {
    const model_layout *l;
    size_t n;             /* nodes */
    size_t *first;        /* n + 1: the arcs out of u are head[first[u] .. first[u + 1]) */
    int *head;
    int *edge;            /* the layout edge of each arc */
    int *queue;
    unsigned *mark;       /* mark[v] == stamp: reached by the latest search */
    unsigned stamp;
    size_t reached;       /* nodes the latest search reached */
};

mnet *mnet_new(const model_layout *l)
{
    mnet *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    size_t n = l->n_nodes, arcs = 0;
    for (size_t e = 0; e < l->n_edges; e++)
        arcs += l->edges[e].one_way ? 1 : 2;
    g->l = l;
    g->n = n;
    g->first = calloc(n + 1, sizeof *g->first);
    g->head = malloc((arcs ? arcs : 1) * sizeof *g->head);
    g->edge = malloc((arcs ? arcs : 1) * sizeof *g->edge);
    g->queue = malloc((n ? n : 1) * sizeof *g->queue);
    g->mark = calloc(n ? n : 1, sizeof *g->mark);
    if (!g->first || !g->head || !g->edge || !g->queue || !g->mark) {
        mnet_free(g);
        return NULL;
    }
    /* counting sort of the arcs by tail */
    for (size_t e = 0; e < l->n_edges; e++) {
        g->first[l->edges[e].from + 1]++;
        if (!l->edges[e].one_way)
            g->first[l->edges[e].to + 1]++;
    }
    for (size_t u = 0; u < n; u++)
        g->first[u + 1] += g->first[u];
    size_t *fill = malloc((n ? n : 1) * sizeof *fill);
    if (!fill) {
        mnet_free(g);
        return NULL;
    }
    memcpy(fill, g->first, n * sizeof *fill);
    for (size_t e = 0; e < l->n_edges; e++) {
        const model_edge *ed = &l->edges[e];
        g->edge[fill[ed->from]] = (int)e;
        g->head[fill[ed->from]++] = ed->to;
        if (!ed->one_way) {
            g->edge[fill[ed->to]] = (int)e;
            g->head[fill[ed->to]++] = ed->from;
        }
    }
    free(fill);
    return g;
}

void mnet_free(mnet *g)
{
    if (!g)
        return;
    free(g->first);
    free(g->head);
    free(g->edge);
    free(g->queue);
    free(g->mark);
    free(g);
}

/* Breadth-first from `from`, never using the arc skip_u -> skip_v; stops
 * early when `target` is reached (target -1: search everything). */
static bool search(mnet *g, int from, int skip_u, int skip_v, int target)
{
    if (++g->stamp == 0) {
        memset(g->mark, 0, g->n * sizeof *g->mark);
        g->stamp = 1;
    }
    size_t qh = 0, qt = 0;
    g->queue[qt++] = from;
    g->mark[from] = g->stamp;
    while (qh < qt) {
        int u = g->queue[qh++];
        if (u == target)
            break;
        for (size_t a = g->first[u]; a < g->first[u + 1]; a++) {
            int v = g->head[a];
            if (g->mark[v] == g->stamp || (u == skip_u && v == skip_v))
                continue;
            g->mark[v] = g->stamp;
            g->queue[qt++] = v;
        }
    }
    g->reached = qt;
    return target >= 0 && g->mark[target] == g->stamp;
}

void mnet_reach(mnet *g, int from)
{
    search(g, from, -1, -1, -1);
}

bool mnet_reached(const mnet *g, int node)
{
    return g->mark[node] == g->stamp;
}

/* Is there a way from v back to u other than the arc v -> u? */
static bool way_back(mnet *g, int u, int v)
{
    return search(g, v, v, u, u);
}

/* How many nodes can be reached from v without the arc v -> u (the size of
 * the side of a two-way edge that v is on). */
static size_t side(mnet *g, int u, int v)
{
    search(g, v, v, u, -1);
    return g->reached;
}

/* With two-way edges only: the first bridge (in edge order), -1 if none,
 * -2 when out of memory. Iterative low-link depth-first search. */
static int first_bridge(const mnet *g)
{
    size_t n = g->n;
    size_t *disc = calloc(n, sizeof *disc), *low = malloc(n * sizeof *low),
           *next = malloc(n * sizeof *next);
    int *up_edge = malloc(n * sizeof *up_edge), *stack = malloc(n * sizeof *stack);
    int best = -1;
    if (!disc || !low || !next || !up_edge || !stack) {
        best = -2;
        goto done;
    }
    size_t clock = 0;
    for (size_t root = 0; root < n; root++) {
        if (disc[root])
            continue;
        size_t top = 0;
        stack[top++] = (int)root;
        disc[root] = low[root] = ++clock;
        next[root] = g->first[root];
        up_edge[root] = -1;
        while (top) {
            int u = stack[top - 1];
            if (next[u] < g->first[u + 1]) {
                size_t a = next[u]++;
                int v = g->head[a];
                if (g->edge[a] == up_edge[u])
                    continue; /* the edge we came by */
                if (disc[v]) {
                    if (disc[v] < low[u])
                        low[u] = disc[v];
                    continue;
                }
                disc[v] = low[v] = ++clock;
                next[v] = g->first[v];
                up_edge[v] = g->edge[a];
                stack[top++] = v;
                continue;
            }
            top--;
            if (top) {
                int p = stack[top - 1];
                if (low[u] < low[p])
                    low[p] = low[u];
                if (low[u] > disc[p] && (best < 0 || up_edge[u] < best))
                    best = up_edge[u];
            }
        }
    }
done:
    free(disc), free(low), free(next), free(up_edge), free(stack);
    return best;
}

int model_check_dead_ends(mctx *c, mnet *g)
{
    const model_layout *l = g->l;
    char a[96], b[96];
    bool two_way = true;
    for (size_t i = 0; i < l->n_edges && two_way; i++)
        two_way = !l->edges[i].one_way;
    size_t from = 0, to = l->n_edges;
    if (two_way) {
        int bridge = first_bridge(g);
        if (bridge == -2)
            return mc_oom(c);
        if (bridge == -1)
            return 0;
        from = (size_t)bridge, to = from + 1; /* report it as below */
    }
    for (size_t i = from; i < to; i++) {
        const model_edge *e = &l->edges[i];
        bool there = way_back(g, e->from, e->to);
        if (e->one_way) {
            if (there)
                continue;
            bool straight = false;
            for (size_t k = g->first[e->to]; k < g->first[e->to + 1]; k++)
                straight = straight || g->head[k] == e->from;
            return ft_fail(c->err, c->path, e->pos.line, e->pos.col,
                           "edge %s -> %s is a dead end: there is no way back from %s to %s%s, so "
                           "a vehicle there could be stuck and deadlock the fleet; every edge "
                           "must lie on a loop of at least 3 nodes (docs/agv.md)",
                           mu_quote(l->nodes[e->from].name, a, sizeof a),
                           mu_quote(l->nodes[e->to].name, b, sizeof b), b, a,
                           straight ? " other than straight back along the opposite edge" : "");
        }
        bool back = way_back(g, e->to, e->from);
        if (there && back)
            continue;
        /* The dead end is the side with no way back; when neither side has
         * one (a single edge joining two parts), the smaller part. */
        int u = e->from, v = e->to;
        if (there || (!back && side(g, e->to, e->from) < side(g, e->from, e->to)))
            u = e->to, v = e->from;
        char qu[96], qv[96];
        mu_quote(l->nodes[e->from].name, a, sizeof a);
        mu_quote(l->nodes[e->to].name, b, sizeof b);
        mu_quote(l->nodes[u].name, qu, sizeof qu);
        mu_quote(l->nodes[v].name, qv, sizeof qv);
        return ft_fail(c->err, c->path, e->pos.line, e->pos.col,
                       "edge %s – %s is a dead end: from %s the only way back to %s is this edge, "
                       "so a vehicle waiting there could block the only way out and deadlock the "
                       "fleet; link %s into a loop (docs/agv.md)",
                       a, b, qv, qu, qv);
    }
    return 0;
}

int model_check_connected(mctx *c, mnet *g)
{
    const model_layout *l = g->l;
    char a[96], b[96];
    for (size_t u = 0; u < g->n; u++)
        if (g->first[u] == g->first[u + 1])
            return ft_fail(c->err, c->path, l->nodes[u].pos.line, l->nodes[u].pos.col,
                           "node %s is on no edge of the layout: a vehicle could never get there "
                           "or away; join it to the network or remove it",
                           mu_quote(l->nodes[u].name, a, sizeof a));
    mnet_reach(g, 0);
    for (size_t u = 1; u < g->n; u++)
        if (!mnet_reached(g, (int)u))
            return ft_fail(c->err, c->path, l->nodes[u].pos.line, l->nodes[u].pos.col,
                           "node %s cannot be reached from node %s: the layout falls apart into "
                           "separate networks, and a vehicle in one could never get to the other; "
                           "join them",
                           mu_quote(l->nodes[u].name, a, sizeof a),
                           mu_quote(l->nodes[0].name, b, sizeof b));
    return 0;
}
