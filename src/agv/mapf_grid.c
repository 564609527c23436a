/* mapf_grid.c -- MovingAI grid maps (`.map`) for the planner: read by the
 * model layer's reader (model_gridmap.c, shared with grid layouts), the
 * connected components used to reject impossible agents up front, and the
 * grid as a planner graph (one vertex per passable cell, 4-neighbour
 * edges). MAPF moves are 4-connected plus waiting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"
#include "model/model.h"
#include "base/base_file.h"
#include "base/base_text.h"

static int label_components(mapf_grid *grid, ft_error *err)
{
    size_t cells = (size_t)grid->width * grid->height;
    uint32_t *queue = malloc(cells * sizeof *queue);
    if (!queue)
        return ft_fail(err, grid->name, 0, 0, "out of memory labelling the map");
    for (size_t c = 0; c < cells; c++)
        grid->component[c] = MAPF_NONE;
    uint32_t next_label = 0;
    for (size_t seed = 0; seed < cells; seed++) {
        if (!grid->passable[seed] || grid->component[seed] != MAPF_NONE)
            continue;
        size_t head = 0, tail = 0;
        queue[tail++] = (uint32_t)seed;
        grid->component[seed] = next_label;
        while (head < tail) {
            uint32_t c = queue[head++];
            uint32_t x = c % grid->width, y = c / grid->width;
            uint32_t around[4], n = 0;
            if (x > 0) around[n++] = c - 1;
            if (x + 1 < grid->width) around[n++] = c + 1;
            if (y > 0) around[n++] = c - grid->width;
            if (y + 1 < grid->height) around[n++] = c + grid->width;
            for (uint32_t k = 0; k < n; k++)
                if (grid->passable[around[k]] && grid->component[around[k]] == MAPF_NONE) {
                    grid->component[around[k]] = next_label;
                    queue[tail++] = around[k];
                }
        }
        next_label++;
    }
    free(queue);
    return 0;
}

int mapf_grid_parse(const char *text, size_t len, const char *name, mapf_grid *grid,
                    ft_error *err)
{
    memset(grid, 0, sizeof *grid);
    snprintf(grid->name, sizeof grid->name, "%s", name);
    model_gridmap g;
    if (model_gridmap_parse(text, len, name, &g, err))
        return -1;
    grid->width = g.width;
    grid->height = g.height;
    grid->passable = g.passable;
    grid->component = malloc((size_t)g.width * g.height * sizeof *grid->component);
    if (!grid->component) {
        mapf_grid_free(grid);
        return ft_fail(err, name, 0, 0, "out of memory for a %ux%u map", g.width, g.height);
    }
    if (label_components(grid, err)) {
        mapf_grid_free(grid);
        return -1;
    }
    return 0;
}

int mapf_grid_load(const char *path, mapf_grid *grid, ft_error *err)
{
    char *text;
    size_t len;
    memset(grid, 0, sizeof *grid);
    if (base_read_file(path, BASE_TEXT_MAX_BYTES, "the map", &text, &len, err))
        return -1;
    int rc = mapf_grid_parse(text, len, path, grid, err);
    free(text);
    return rc;
}

void mapf_grid_free(mapf_grid *grid)
{
    free(grid->passable);
    free(grid->component);
    grid->passable = NULL;
    grid->component = NULL;
}

int mapf_grid_graph_build(const mapf_grid *grid, mapf_grid_graph *gg, ft_error *err)
{
    memset(gg, 0, sizeof *gg);
    size_t cells = (size_t)grid->width * grid->height;
    uint32_t n_vertices = 0;
    gg->cell_vertex = malloc(cells * sizeof *gg->cell_vertex);
    gg->vertex_cell = malloc(cells * sizeof *gg->vertex_cell);
    /* Each cell contributes at most its east and south edge. */
    uint32_t *edges = malloc(cells * 4 * sizeof *edges);
    if (!gg->cell_vertex || !gg->vertex_cell || !edges) {
        free(edges);
        mapf_grid_graph_free(gg);
        return ft_fail(err, grid->name, 0, 0, "out of memory building the grid graph");
    }
    for (size_t c = 0; c < cells; c++) {
        gg->cell_vertex[c] = grid->passable[c] ? n_vertices : MAPF_NONE;
        if (grid->passable[c])
            gg->vertex_cell[n_vertices++] = (uint32_t)c;
    }
    if (n_vertices == 0) {
        free(edges);
        mapf_grid_graph_free(gg);
        return ft_fail(err, grid->name, 0, 0, "the map has no passable cell");
    }
    size_t n_edges = 0;
    for (uint32_t v = 0; v < n_vertices; v++) {
        uint32_t c = gg->vertex_cell[v], x = c % grid->width, y = c / grid->width;
        if (x + 1 < grid->width && grid->passable[c + 1]) {
            edges[2 * n_edges] = v;
            edges[2 * n_edges++ + 1] = gg->cell_vertex[c + 1];
        }
        if (y + 1 < grid->height && grid->passable[c + grid->width]) {
            edges[2 * n_edges] = v;
            edges[2 * n_edges++ + 1] = gg->cell_vertex[c + grid->width];
        }
    }
    int rc = mapf_graph_build(&gg->graph, n_vertices, edges, n_edges, err);
    free(edges);
    if (rc)
        mapf_grid_graph_free(gg);
    return rc;
}

void mapf_grid_graph_free(mapf_grid_graph *gg)
{
    mapf_graph_free(&gg->graph);
    free(gg->vertex_cell);
    free(gg->cell_vertex);
    gg->vertex_cell = gg->cell_vertex = NULL;
}
