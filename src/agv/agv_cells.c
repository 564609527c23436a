/* agv_cells.c -- the cell graph the fleet moves on, cut from the layout.
 *
 * Cells 0 .. n_nodes-1 are the layout's nodes, in order; the cells inside
 * each edge follow, edge by edge. An edge of length L becomes a chain of
 * k = max(1, floor(L / following)) arcs of L / k metres each, in one
 * direction or both. Distances to every stop (below) are computed once
 * (Dijkstra over the reversed arcs): the router's guide and the
 * dispatcher's measure of "near". Vehicles only ever head for stops.
 *
 * A distance is in steps, except that passing through a stop -- a node
 * where vehicles load, unload, charge or park -- costs as much as any path
 * avoiding stops could: a vehicle drives through a station's siding only
 * when it has to, never because the siding happens to be as short as the
 * main path and a vehicle standing at the stop would hold it up. Distances
 * stay exact shortest paths under these costs, which is all the router's
 * guarantee needs (docs/agv.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agv/agv_internal.h"

typedef struct arc {
    uint32_t from, to;
    double m;
} arc;

typedef struct arcs {
    arc *a;
    size_t n, cap;
} arcs;

static int push_arc(arcs *v, uint32_t from, uint32_t to, double m)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 64;
        arc *a = realloc(v->a, cap * sizeof *a);
        if (!a)
            return -1;
        v->a = a;
        v->cap = cap;
    }
    v->a[v->n++] = (arc){from, to, m};
    return 0;
}

/* Compressed adjacency (by `from` when forward, else by `to`), keeping the
 * arcs' order. */
static int compress(const arcs *v, uint32_t n, bool forward, uint32_t **start_out,
                    uint32_t **list_out, double **len_out)
{
    uint32_t *start = calloc((size_t)n + 1, sizeof *start);
    uint32_t *list = malloc((v->n ? v->n : 1) * sizeof *list);
    double *len = len_out ? malloc((v->n ? v->n : 1) * sizeof *len) : NULL;
    uint32_t *fill = calloc(n ? n : 1, sizeof *fill);
    if (!start || !list || (len_out && !len) || !fill) {
        free(start), free(list), free(len), free(fill);
        return -1;
    }
    for (size_t i = 0; i < v->n; i++)
        start[(forward ? v->a[i].from : v->a[i].to) + 1]++;
    for (uint32_t c = 0; c < n; c++)
        start[c + 1] += start[c];
    for (size_t i = 0; i < v->n; i++) {
        uint32_t key = forward ? v->a[i].from : v->a[i].to;
        uint32_t k = start[key] + fill[key]++;
        list[k] = forward ? v->a[i].to : v->a[i].from;
        if (len)
            len[k] = v->a[i].m;
    }
    free(fill);
    *start_out = start;
    *list_out = list;
    if (len_out)
        *len_out = len;
    return 0;
}

/* A binary heap of (distance, cell) for Dijkstra. */
typedef struct heap_entry {
    uint32_t d, c;
} heap_entry;

static void heap_push(heap_entry *h, size_t *n, heap_entry e)
{
    size_t i = (*n)++;
    while (i > 0 && h[(i - 1) / 2].d > e.d) {
        h[i] = h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h[i] = e;
}

static heap_entry heap_pop(heap_entry *h, size_t *n)
{
    heap_entry top = h[0], last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t k = 2 * i + 1;
        if (k >= *n)
            break;
        if (k + 1 < *n && h[k + 1].d < h[k].d)
            k++;
        if (h[k].d >= last.d)
            break;
        h[i] = h[k];
        i = k;
    }
    h[i] = last;
    return top;
}

/* Distances from every cell to `target`: arc p -> c costs one step, plus
 * `toll` when c is a stop other than the target. */
static void distances_to(const agv_cells *g, uint32_t target, const bool *stop, uint32_t toll,
                         uint32_t *dist, heap_entry *heap)
{
    for (uint32_t c = 0; c < g->n; c++)
        dist[c] = AGV_NONE;
    size_t n = 0;
    dist[target] = 0;
    heap_push(heap, &n, (heap_entry){0, target});
    while (n > 0) {
        heap_entry e = heap_pop(heap, &n);
        if (e.d != dist[e.c])
            continue;
        uint32_t cost = 1 + (e.c != target && e.c < g->n_nodes && stop[e.c] ? toll : 0);
        for (uint32_t k = g->in_start[e.c]; k < g->in_start[e.c + 1]; k++) {
            uint32_t p = g->in[k];
            if (dist[p] == AGV_NONE || e.d + cost < dist[p]) {
                dist[p] = e.d + cost;
                heap_push(heap, &n, (heap_entry){dist[p], p});
            }
        }
    }
}

int agv_cells_build(agv_cells *g, const model_layout *l, const bool *stop, ft_error *err)
{
    memset(g, 0, sizeof *g);
    arcs v = {0};
    uint32_t n = (uint32_t)l->n_nodes;
    for (size_t e = 0; e < l->n_edges; e++) {
        double k = floor(l->edges[e].length_m / l->following_m);
        n += (uint32_t)(k < 1 ? 0 : k - 1);
    }
    g->n = n;
    g->n_nodes = (uint32_t)l->n_nodes;
    g->x = malloc(n * sizeof *g->x);
    g->y = malloc(n * sizeof *g->y);
    size_t n_stops = 0;
    for (size_t i = 0; i < l->n_nodes; i++)
        n_stops += stop[i];
    g->dist = malloc((n_stops ? n_stops : 1) * n * sizeof *g->dist);
    g->row = malloc(l->n_nodes * sizeof *g->row);
    heap_entry *heap = NULL;
    if (!g->x || !g->y || !g->dist || !g->row)
        goto oom;
    for (size_t i = 0; i < l->n_nodes; i++) {
        g->x[i] = l->nodes[i].at_m[0];
        g->y[i] = l->nodes[i].at_m[1];
    }
    uint32_t next = (uint32_t)l->n_nodes;
    for (size_t e = 0; e < l->n_edges; e++) {
        const model_edge *ed = &l->edges[e];
        double kf = floor(ed->length_m / l->following_m);
        uint32_t k = kf < 1 ? 1 : (uint32_t)kf;
        double step = ed->length_m / k;
        const double *a = l->nodes[ed->from].at_m, *b = l->nodes[ed->to].at_m;
        uint32_t prev = (uint32_t)ed->from;
        for (uint32_t i = 1; i <= k; i++) {
            uint32_t c = i == k ? (uint32_t)ed->to : next++;
            if (i < k) {
                g->x[c] = a[0] + (b[0] - a[0]) * i / k;
                g->y[c] = a[1] + (b[1] - a[1]) * i / k;
            }
            if (push_arc(&v, prev, c, step) || (!ed->one_way && push_arc(&v, c, prev, step)))
                goto oom;
            prev = c;
        }
    }
    if (compress(&v, n, true, &g->out_start, &g->out, &g->arc_m) ||
        compress(&v, n, false, &g->in_start, &g->in, NULL))
        goto oom;
    for (uint32_t c = 0; c < n; c++) {
        uint32_t d = g->out_start[c + 1] - g->out_start[c];
        if (d > g->max_out)
            g->max_out = d;
    }
    /* each cell enters the heap at most once per arc into it, plus the target */
    if (!(heap = malloc((v.n + 1) * sizeof *heap)))
        goto oom;
    for (size_t i = 0, row = 0; i < l->n_nodes; i++)
        if (stop[i]) {
            g->row[i] = (uint32_t)row;
            distances_to(g, (uint32_t)i, stop, n, g->dist + row++ * n, heap);
        }
    free(heap);
    free(v.a);
    return 0;
oom:
    free(heap);
    free(v.a);
    agv_cells_free(g);
    return ft_fail(err, NULL, 0, 0, "out of memory building the layout's cells");
}

void agv_cells_free(agv_cells *g)
{
    free(g->out_start);
    free(g->out);
    free(g->arc_m);
    free(g->in_start);
    free(g->in);
    free(g->x);
    free(g->y);
    free(g->dist);
    free(g->row);
    memset(g, 0, sizeof *g);
}

double agv_cells_arc_m(const agv_cells *g, uint32_t a, uint32_t b)
{
    for (uint32_t k = g->out_start[a]; k < g->out_start[a + 1]; k++)
        if (g->out[k] == b)
            return g->arc_m[k];
    return -1;
}
