/* model_layout_grid.c -- a layout drawn from a MovingAI grid map:
 *
 *     layout:
 *       following: 1m                 # the side of a cell
 *       map: warehouse.map            # relative to the model file
 *       parking: [[3, 4], [3, 5]]     # cells, [x, y] or "x,y"
 *
 * Every passable cell becomes a node named "x,y" at (x, y) times
 * `following` (column x, row y, row 0 first in the file); every pair of
 * passable 4-neighbours becomes a two-way edge of length `following`. From
 * there on a grid layout is a path network like any other: the same
 * checks, the same fleet. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

#define MAX_GRID_CELLS 1000000

static void add_edge(model_layout *l, int from, int to, model_pos at)
{
    l->edges[l->n_edges++] = (model_edge){.from = from, .to = to, .length_m = l->following_m,
                                          .pos = at};
}

int model_read_grid_layout(mctx *c, const ynode *v)
{
    model_layout *l = &c->m->layout;
    char *path = NULL;
    if (mc_scalar(c, v, "'layout'", "map") || !(path = mc_resolve(c, v->text)))
        return path ? -1 : mc_oom(c);
    model_gridmap g;
    ft_error map_err = {0};
    if (model_gridmap_load(path, &g, &map_err)) {
        free(path);
        char at[600] = "";
        if (map_err.line)
            snprintf(at, sizeof at, "%s:%d:%d: ", map_err.file, map_err.line, map_err.col);
        else if (map_err.file[0])
            snprintf(at, sizeof at, "%s: ", map_err.file);
        return mc_fail(c, v, "cannot use the map: %s%s", at, map_err.msg);
    }
    free(path);
    size_t cells = (size_t)g.width * g.height, passable = 0;
    for (size_t k = 0; k < cells; k++)
        passable += g.passable[k];
    int rc = 0;
    int *node_of = NULL;
    if (passable < 2 || passable > MAX_GRID_CELLS) {
        rc = mc_fail(c, v, "map %s has %zu passable cells; a layout needs 2 .. %d", v->text,
                     passable, MAX_GRID_CELLS);
        goto done;
    }
    node_of = malloc(cells * sizeof *node_of);
    l->nodes = calloc(passable, sizeof *l->nodes);
    l->edges = calloc(2 * passable, sizeof *l->edges);
    const char **names = malloc(passable * sizeof *names);
    model_pos *pos = malloc(passable * sizeof *pos);
    if (!node_of || !l->nodes || !l->edges || !names || !pos) {
        free(names), free(pos);
        rc = mc_oom(c);
        goto done;
    }
    for (size_t k = 0; k < cells; k++) {
        node_of[k] = -1;
        if (!g.passable[k])
            continue;
        model_node *nd = &l->nodes[l->n_nodes];
        char name[32];
        snprintf(name, sizeof name, "%zu,%zu", k % g.width, k / g.width);
        if (!(nd->name = strdup(name))) {
            rc = mc_oom(c);
            break;
        }
        nd->at_m[0] = (double)(k % g.width) * l->following_m;
        nd->at_m[1] = (double)(k / g.width) * l->following_m;
        nd->pos = (model_pos){v->line, v->col};
        names[l->n_nodes] = nd->name;
        pos[l->n_nodes] = nd->pos;
        node_of[k] = (int)l->n_nodes++;
    }
    model_pos here = {v->line, v->col}; /* messages about generated edges point at `map:` */
    for (size_t k = 0; !rc && k < cells; k++) {
        if (node_of[k] < 0)
            continue;
        if (k % g.width + 1 < g.width && node_of[k + 1] >= 0)
            add_edge(l, node_of[k], node_of[k + 1], here);
        if (k / g.width + 1 < g.height && node_of[k + g.width] >= 0)
            add_edge(l, node_of[k], node_of[k + g.width], here);
    }
    if (!rc)
        rc = mc_names(c, &c->nodes, "node", names, pos, l->n_nodes);
    free(names);
    free(pos);
    if (!rc) {
        l->grid_width = g.width;
        l->grid_height = g.height;
    }
done:
    free(node_of);
    model_gridmap_free(&g);
    return rc;
}

int model_layout_ref(mctx *c, const ynode *v, const char *what, const char *key, int *out)
{
    const model_layout *l = &c->m->layout;
    if (v->kind != YNODE_SEQ || !l->grid_width)
        return mc_ref(c, v, what, key, &c->nodes, out);
    long xy[2];
    if (v->n != 2)
        return mc_fail(c, v, "a cell of the map is [x, y], got %zu numbers ('%s' of %s)", v->n,
                       key, what);
    for (int i = 0; i < 2; i++)
        if (mc_whole(c, v->kids[i], what, key, 0, (long)(i ? l->grid_height : l->grid_width) - 1,
                     &xy[i]))
            return -1;
    char name[32];
    snprintf(name, sizeof name, "%ld,%ld", xy[0], xy[1]);
    if ((*out = mnames_find(&c->nodes, name)) == MODEL_NONE)
        return mc_fail(c, v, "cell [%ld, %ld] of the map is an obstacle ('%s' of %s)", xy[0],
                       xy[1], key, what);
    return 0;
}
