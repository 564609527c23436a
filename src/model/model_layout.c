/* model_layout.c -- reading the `layout:` section: the path network the
 * AGVs drive on (nodes, edges given one by one or along a path), its
 * parking places and chargers, and the node where finished goods are
 * shipped.
 *
 * What one entry can check on its own is checked here: names, positions,
 * lengths, an edge from a node to itself, an edge given twice, a node
 * listed twice. What needs the whole graph (no dead ends, a path for every
 * trip) is checked once the material flow is known, in model_transport.c
 * and model_network.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

static int read_length(mctx *c, const ynode *v, const char *what, const char *key, double *out)
{
    mu_err e;
    if (mc_scalar(c, v, what, key))
        return -1;
    if (!mu_length(v->text, out, &e))
        return mc_fail_in(c, v, e.at, "%s ('%s' of %s)", e.msg, key, what);
    return 0;
}

/* ---- nodes -------------------------------------------------------------- */

static int read_nodes(mctx *c, const ynode *list)
{
    static const char *const keys[] = {"name", "at", NULL};
    model_layout *l = &c->m->layout;
    if (mc_list(c, list, "'layout'", "nodes", false))
        return -1;
    if (list->n < 2)
        return mc_fail(c, list, "a layout needs at least 2 nodes, got %zu", list->n);
    if (list->n > MODEL_MAX_LAYOUT_NODES)
        return mc_fail(c, list, "a layout has at most %d nodes, got %zu", MODEL_MAX_LAYOUT_NODES,
                       list->n);
    size_t n = list->n;
    if (!(l->nodes = calloc(n, sizeof *l->nodes)))
        return mc_oom(c);
    l->n_nodes = n;
    const char **names = malloc(n * sizeof *names);
    model_pos *pos = malloc(n * sizeof *pos);
    int rc = names && pos ? 0 : mc_oom(c);
    for (size_t i = 0; !rc && i < n; i++) {
        const ynode *nd = list->kids[i], *v;
        model_node *node = &l->nodes[i];
        char what[400];
        snprintf(what, sizeof what, "node #%zu of the layout", i + 1);
        if (mc_fields(c, nd, what, keys) || mc_need(c, nd, what, "name", &v) ||
            mc_name(c, v, what, "name", &node->name)) {
            rc = -1;
            break;
        }
        node->pos = (model_pos){nd->line, nd->col};
        mc_label(what, sizeof what, "node", node->name);
        if (mc_need(c, nd, what, "at", &v) || mc_point(c, v, what, "at", node->at_m))
            rc = -1;
        names[i] = node->name;
        pos[i] = node->pos;
    }
    if (!rc)
        rc = mc_names(c, &c->nodes, "node", names, pos, n);
    free(names);
    free(pos);
    return rc;
}

/* ---- edges -------------------------------------------------------------- */

/* "'A' – 'B'" or "'A' -> 'B'" (one way). */
static const char *edge_label(char *buf, size_t size, const model_layout *l, const model_edge *e)
{
    char a[96], b[96];
    snprintf(buf, size, "%s %s %s", mu_quote(l->nodes[e->from].name, a, sizeof a),
             e->one_way ? "->" : "–", mu_quote(l->nodes[e->to].name, b, sizeof b));
    return buf;
}

/* Append the edge from -> to. `at` is where it was written (its pos), `to_n`
 * the value naming its end, `len_n` its explicit length or NULL. */
static int add_edge(mctx *c, int from, int to, bool one_way, const ynode *at, const ynode *to_n,
                    const ynode *len_n)
{
    model_layout *l = &c->m->layout;
    char q[96], lab[300], what[320];
    if (from == to)
        return mc_fail(c, to_n, "an edge joins two different nodes; this one goes from node %s "
                                "to itself",
                       mu_quote(l->nodes[to].name, q, sizeof q));
    model_edge *e = &l->edges[l->n_edges];
    *e = (model_edge){.from = from, .to = to, .one_way = one_way, .pos = {at->line, at->col}};
    snprintf(what, sizeof what, "edge %s", edge_label(lab, sizeof lab, l, e));
    if (len_n) {
        if (read_length(c, len_n, what, "length", &e->length_m))
            return -1;
    } else {
        const double *a = l->nodes[from].at_m, *b = l->nodes[to].at_m;
        e->length_m = hypot(b[0] - a[0], b[1] - a[1]);
        if (!(e->length_m > 0))
            return mc_fail(c, at, "%s has no length: both nodes are at the same place, so give "
                                  "it one with `length:` (like { from: A, to: B, length: 5m })",
                           what);
        if (!isfinite(e->length_m))
            return mc_fail(c, at, "%s is too long: the distance between its nodes overflows", what);
    }
    l->n_edges++;
    return 0;
}

/* Edges an entry makes: a path of n nodes makes n - 1. */
static size_t edges_of(const ynode *n)
{
    const ynode *path = mc_get(n, "path");
    return path && path->kind == YNODE_SEQ && path->n > 1 ? path->n - 1 : 1;
}

static int read_edge_entry(mctx *c, const ynode *n, size_t i)
{
    static const char *const keys[] = {"from", "to", "path", "one_way", "length", NULL};
    char what[64];
    snprintf(what, sizeof what, "edge #%zu of the layout", i + 1);
    const ynode *v, *path, *to;
    bool one_way = false;
    int a, b;
    if (mc_fields(c, n, what, keys))
        return -1;
    if ((v = mc_get(n, "one_way")) && mc_bool(c, v, what, "one_way", &one_way))
        return -1;
    if (!(path = mc_get(n, "path"))) {
        if (!mc_get(n, "from") && !mc_get(n, "to"))
            return mc_fail(c, n, "%s needs `from` and `to`, or a `path` of nodes", what);
        if (mc_need(c, n, what, "from", &v) || mc_ref(c, v, what, "from", &c->nodes, &a) ||
            mc_need(c, n, what, "to", &to) || mc_ref(c, to, what, "to", &c->nodes, &b))
            return -1;
        return add_edge(c, a, b, one_way, n, to, mc_get(n, "length"));
    }
    static const char *const not_here[] = {"from", "to", "length"};
    for (int k = 0; k < 3; k++)
        if ((v = mc_get(n, not_here[k])))
            return mc_fail(c, v, "'%s' does not apply to a `path` (%s): its edges join "
                                 "consecutive nodes, each as long as the straight distance "
                                 "between them; write an edge with its own `length` apart",
                           not_here[k], what);
    if (mc_list(c, path, what, "path", false))
        return -1;
    if (path->n < 2)
        return mc_fail(c, path, "a `path` needs at least 2 nodes, got %zu (%s)", path->n, what);
    if (mc_ref(c, path->kids[0], what, "path", &c->nodes, &a))
        return -1;
    for (size_t k = 1; k < path->n; k++, a = b)
        if (mc_ref(c, path->kids[k], what, "path", &c->nodes, &b) ||
            add_edge(c, a, b, one_way, path->kids[k - 1], path->kids[k], NULL))
            return -1;
    return 0;
}

typedef struct pair_key {
    int lo, hi;
    size_t index;
} pair_key;

static int cmp_pair(const void *x, const void *y)
{
    const pair_key *a = x, *b = y;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

/* Two edges may join the same two nodes only as one-way edges in opposite
 * directions; report the earliest edge that repeats an earlier one. */
static int repeated_edges(mctx *c)
{
    const model_layout *l = &c->m->layout;
    size_t n = l->n_edges, dup = n, first = n;
    pair_key *k = malloc(n * sizeof *k);
    if (!k)
        return mc_oom(c);
    for (size_t i = 0; i < n; i++) {
        const model_edge *e = &l->edges[i];
        k[i] = (pair_key){e->from < e->to ? e->from : e->to, e->from < e->to ? e->to : e->from, i};
    }
    qsort(k, n, sizeof *k, cmp_pair);
    for (size_t g = 0, h; g < n; g = h) {
        for (h = g + 1; h < n && k[h].lo == k[g].lo && k[h].hi == k[g].hi; h++)
            ;
        for (size_t j = g + 1; j < h; j++)
            for (size_t i = g; i < j; i++) {
                const model_edge *a = &l->edges[k[i].index], *b = &l->edges[k[j].index];
                bool opposite = a->one_way && b->one_way && a->from == b->to;
                if (!opposite && k[j].index < dup) {
                    dup = k[j].index;
                    first = k[i].index;
                }
            }
    }
    free(k);
    if (dup == n)
        return 0;
    const model_edge *a = &l->edges[first], *b = &l->edges[dup];
    char q[300];
    return ft_fail(c->err, c->path, b->pos.line, b->pos.col,
                   "edge %s joins the same nodes as the edge at line %d, column %d; two nodes are "
                   "joined by one edge, or by two one-way edges in opposite directions",
                   edge_label(q, sizeof q, l, b), a->pos.line, a->pos.col);
}

static int read_edges(mctx *c, const ynode *list)
{
    model_layout *l = &c->m->layout;
    if (mc_list(c, list, "'layout'", "edges", false))
        return -1;
    if (list->n == 0)
        return mc_fail(c, list, "a layout needs at least 1 edge");
    size_t n = 0;
    for (size_t i = 0; i < list->n && n <= MODEL_MAX_LAYOUT_EDGES; i++)
        n += edges_of(list->kids[i]);
    if (n > MODEL_MAX_LAYOUT_EDGES)
        return mc_fail(c, list, "a layout has at most %d edges (a path of n nodes counts n - 1)",
                       MODEL_MAX_LAYOUT_EDGES);
    if (!(l->edges = calloc(n, sizeof *l->edges)))
        return mc_oom(c);
    for (size_t i = 0; i < list->n; i++)
        if (read_edge_entry(c, list->kids[i], i))
            return -1;
    return repeated_edges(c);
}

/* ---- parking, chargers, shipping ---------------------------------------- */

static const char *l_name(const mctx *c, int node)
{
    return c->m->layout.nodes[node].name;
}

/* A list of distinct nodes; `seen` (per node, zeroed) remembers where each
 * was listed, so a node in both lists can be reported too. */
static int read_node_list(mctx *c, const ynode *v, const char *key, const ynode **seen,
                          int **out, size_t *n_out)
{
    char q[96];
    if (mc_list(c, v, "'layout'", key, true))
        return -1;
    size_t n = v->kind == YNODE_SEQ ? v->n : 0;
    if (!n)
        return 0;
    if (!(*out = calloc(n, sizeof **out)))
        return mc_oom(c);
    for (size_t i = 0; i < n; i++) {
        const ynode *e = v->kids[i];
        int node;
        if (model_layout_ref(c, e, "'layout'", key, &node))
            return -1;
        const ynode *was = seen[node];
        if (was)
            return mc_fail(c, e, "node %s is listed twice in `%s` (first at line %d, column %d)",
                           mu_quote(l_name(c, node), q, sizeof q), key, was->line, was->col);
        seen[node] = e;
        (*out)[(*n_out)++] = node;
    }
    return 0;
}

static int read_places(mctx *c, const ynode *map)
{
    model_layout *l = &c->m->layout;
    const ynode *v, **parked = calloc(l->n_nodes, sizeof *parked),
                    **charging = calloc(l->n_nodes, sizeof *charging);
    int rc = parked && charging ? 0 : mc_oom(c);
    if (!rc && (v = mc_get(map, "parking")))
        rc = read_node_list(c, v, "parking", parked, &l->parking, &l->n_parking);
    if (!rc && (v = mc_get(map, "chargers")))
        rc = read_node_list(c, v, "chargers", charging, &l->chargers, &l->n_chargers);
    char q[96];
    for (size_t i = 0; !rc && i < l->n_chargers; i++) {
        const ynode *e = charging[l->chargers[i]], *p = parked[l->chargers[i]];
        if (p)
            rc = mc_fail(c, e, "node %s is both a charger and a parking place (line %d, column "
                               "%d); a vehicle parked there would keep others from charging",
                         mu_quote(l_name(c, l->chargers[i]), q, sizeof q), p->line, p->col);
    }
    free(parked);
    free(charging);
    if (!rc && (v = mc_get(map, "shipping")))
        rc = model_layout_ref(c, v, "'layout'", "shipping", &l->shipping);
    return rc;
}

/* ---- the section -------------------------------------------------------- */

int model_read_layout(mctx *c, const ynode *root)
{
    static const char *const keys[] = {"following", "nodes",    "edges",    "map",
                                       "parking",   "chargers", "shipping", NULL};
    const ynode *key = mc_key(root, "layout"), *map = mc_get(root, "layout"), *v;
    model_layout *l = &c->m->layout;
    if (!map || ynode_is_null(map))
        return 0;
    if (mc_fields(c, map, "'layout'", keys))
        return -1;
    l->present = true;
    l->pos = (model_pos){key->line, key->col};
    if (mc_need(c, map, "'layout'", "following", &v) ||
        read_length(c, v, "'layout'", "following", &l->following_m))
        return -1;
    if ((v = mc_get(map, "map"))) {
        const ynode *k = mc_key(map, "nodes") ? mc_key(map, "nodes") : mc_key(map, "edges");
        if (k)
            return mc_fail(c, k, "a layout is either a grid `map:` or `nodes:` and `edges:`, "
                                 "not both");
        if (model_read_grid_layout(c, v))
            return -1;
    } else if (mc_need(c, map, "'layout'", "nodes", &v) || read_nodes(c, v) ||
               mc_need(c, map, "'layout'", "edges", &v) || read_edges(c, v)) {
        return -1;
    }
    return read_places(c, map);
}
