/* mapf_graph.c -- the planner's graph: building the compressed neighbour
 * lists from an edge list, and breadth-first distances.
 *
 * Compressed adjacency (one array of neighbours, one of offsets) rather than
 * a list per vertex: the planner walks neighbour lists millions of times and
 * this keeps them contiguous, and the graph is immutable once built. */
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"

int mapf_graph_build(mapf_graph *g, uint32_t n_vertices, const uint32_t *edge_pairs,
                     size_t n_edges, ft_error *err)
{
    memset(g, 0, sizeof *g);
    /* MAPF_NONE and the value below it are markers, never vertices. */
    if (n_vertices == 0 || n_vertices >= MAPF_NONE - 1)
        return ft_fail(err, NULL, 0, 0, "a graph needs 1 .. %u vertices, got %u",
                       MAPF_NONE - 2, n_vertices);
    if (n_edges > (UINT32_MAX - 1) / 2)
        return ft_fail(err, NULL, 0, 0, "too many edges (%zu)", n_edges);
    g->n_vertices = n_vertices;
    g->adj_start = calloc((size_t)n_vertices + 1, sizeof *g->adj_start);
    g->adj = malloc((2 * n_edges + 1) * sizeof *g->adj);
    uint32_t *fill = calloc(n_vertices, sizeof *fill);
    if (!g->adj_start || !g->adj || !fill)
        goto oom;
    for (size_t e = 0; e < n_edges; e++) {
        uint32_t a = edge_pairs[2 * e], b = edge_pairs[2 * e + 1];
        if (a >= n_vertices || b >= n_vertices) {
            ft_fail(err, NULL, 0, 0, "edge %zu joins %u and %u, but the graph has %u vertices",
                    e, a, b, n_vertices);
            goto fail;
        }
        if (a == b) {
            ft_fail(err, NULL, 0, 0, "edge %zu is a loop on vertex %u (waiting needs no edge)",
                    e, a);
            goto fail;
        }
        g->adj_start[a + 1]++;
        g->adj_start[b + 1]++;
    }
    for (uint32_t v = 0; v < n_vertices; v++) {
        uint32_t deg = g->adj_start[v + 1];
        if (deg > g->max_degree)
            g->max_degree = deg;
        g->adj_start[v + 1] += g->adj_start[v];
    }
    for (size_t e = 0; e < n_edges; e++) {
        uint32_t a = edge_pairs[2 * e], b = edge_pairs[2 * e + 1];
        for (uint32_t k = g->adj_start[a]; k < g->adj_start[a] + fill[a]; k++)
            if (g->adj[k] == b) {
                ft_fail(err, NULL, 0, 0, "edge %zu joins %u and %u a second time", e, a, b);
                goto fail;
            }
        g->adj[g->adj_start[a] + fill[a]++] = b;
        g->adj[g->adj_start[b] + fill[b]++] = a;
    }
    free(fill);
    return 0;
oom:
    ft_fail(err, NULL, 0, 0, "out of memory building a graph of %u vertices", n_vertices);
fail:
    free(fill);
    mapf_graph_free(g);
    return -1;
}

void mapf_graph_free(mapf_graph *g)
{
    free(g->adj_start);
    free(g->adj);
    memset(g, 0, sizeof *g);
}

int mapf_graph_bfs(const mapf_graph *g, uint32_t from, uint32_t *dist_out, uint32_t *queue)
{
    uint32_t *own = NULL;
    if (!queue && !(queue = own = malloc((size_t)g->n_vertices * sizeof *queue)))
        return -1;
    for (uint32_t v = 0; v < g->n_vertices; v++)
        dist_out[v] = MAPF_NONE;
    size_t head = 0, tail = 0;
    dist_out[from] = 0;
    queue[tail++] = from;
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t k = g->adj_start[v]; k < g->adj_start[v + 1]; k++) {
            uint32_t u = g->adj[k];
            if (dist_out[u] == MAPF_NONE) {
                dist_out[u] = dist_out[v] + 1;
                queue[tail++] = u;
            }
        }
    }
    free(own);
    return 0;
}
