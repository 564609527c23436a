/* mapf_grid.c -- MovingAI grid maps (`.map`): the reader, the connected
 * components used to reject impossible agents up front, and the grid as a
 * planner graph (one vertex per passable cell, 4-neighbour edges).
 *
 * Format (https://movingai.com/benchmarks/formats.html):
 *     type octile
 *     height H
 *     width W
 *     map
 *     H rows of W characters: '.' 'G' 'S' passable, '@' 'O' 'T' 'W' blocked
 * Octile ("8-connected") is only the file's name for the format; MAPF moves
 * are 4-connected plus waiting. Height and width may come in either order. */
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"
#include "agv/mapf_text.h"

#define MAPF_GRID_MAX_SIDE 65535u

static bool word_is(const char *line, size_t len, size_t *pos, const char *word)
{
    size_t p = *pos, n = strlen(word);
    mapf_text_skip_blanks(line, len, &p);
    if (len - p < n || memcmp(line + p, word, n) != 0)
        return false;
    if (p + n < len && line[p + n] != ' ' && line[p + n] != '\t')
        return false;
    *pos = p + n;
    return true;
}

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

/* Parse "height N" or "width N" on a header line into *value. */
static int header_number(const char *name, int line_no, const char *line, size_t len,
                         size_t pos, const char *word, uint32_t *value, ft_error *err)
{
    size_t start = pos;
    mapf_text_skip_blanks(line, len, &start);
    if (!mapf_text_uint(line, len, &pos, MAPF_GRID_MAX_SIDE, value) || *value == 0)
        return ft_fail(err, name, line_no, (int)start + 1,
                       "expected the map %s, a whole number 1 .. %u", word, MAPF_GRID_MAX_SIDE);
    if (!mapf_text_blank_from(line, len, pos))
        return ft_fail(err, name, line_no, (int)pos + 1, "unexpected text after the %s", word);
    return 0;
}

int mapf_grid_parse(const char *text, size_t len, const char *name, mapf_grid *grid,
                    ft_error *err)
{
    memset(grid, 0, sizeof *grid);
    snprintf(grid->name, sizeof grid->name, "%s", name);
    mapf_lines it;
    mapf_lines_init(&it, text, len);
    const char *line;
    size_t n;
    size_t pos = 0;
    if (!mapf_lines_next(&it, &line, &n) || !word_is(line, n, &pos, "type") ||
        !word_is(line, n, &pos, "octile") || !mapf_text_blank_from(line, n, pos))
        return ft_fail(err, name, 1, 1, "expected the header line 'type octile'");

    uint32_t height = 0, width = 0;
    for (;;) {
        if (!mapf_lines_next(&it, &line, &n))
            return ft_fail(err, name, it.line_no + 1, 1,
                           "the file ends in its header; expected %s",
                           !height ? "'height H'" : !width ? "'width W'" : "'map'");
        pos = 0;
        if (word_is(line, n, &pos, "height")) {
            if (height)
                return ft_fail(err, name, it.line_no, 1, "a second 'height' line");
            if (header_number(name, it.line_no, line, n, pos, "height", &height, err))
                return -1;
        } else if (word_is(line, n, &pos, "width")) {
            if (width)
                return ft_fail(err, name, it.line_no, 1, "a second 'width' line");
            if (header_number(name, it.line_no, line, n, pos, "width", &width, err))
                return -1;
        } else if (word_is(line, n, &pos, "map") && mapf_text_blank_from(line, n, pos)) {
            if (!height || !width)
                return ft_fail(err, name, it.line_no, 1, "'map' before the %s line",
                               !height ? "'height H'" : "'width W'");
            break;
        } else {
            mapf_text_skip_blanks(line, n, &pos);
            return ft_fail(err, name, it.line_no, (int)pos + 1,
                           "expected 'height H', 'width W' or 'map' in the header");
        }
    }

    grid->width = width;
    grid->height = height;
    size_t cells = (size_t)width * height;
    grid->passable = malloc(cells);
    grid->component = malloc(cells * sizeof *grid->component);
    if (!grid->passable || !grid->component) {
        mapf_grid_free(grid);
        return ft_fail(err, name, 0, 0, "out of memory for a %ux%u map", width, height);
    }
    for (uint32_t y = 0; y < height; y++) {
        if (!mapf_lines_next(&it, &line, &n)) {
            ft_fail(err, name, it.line_no + 1, 1,
                    "the map has %u rows, expected height %u", y, height);
            goto fail;
        }
        for (size_t x = 0; x < n && x < width; x++) {
            char ch = line[x];
            if (ch == '.' || ch == 'G' || ch == 'S') {
                grid->passable[(size_t)y * width + x] = 1;
            } else if (ch == '@' || ch == 'O' || ch == 'T' || ch == 'W') {
                grid->passable[(size_t)y * width + x] = 0;
            } else {
                ft_fail(err, name, it.line_no, (int)x + 1,
                        "unknown map character '%c' (0x%02x); expected one of . G S @ O T W",
                        ch >= 32 && ch < 127 ? ch : '?', (unsigned char)ch);
                goto fail;
            }
        }
        if (n != width) {
            ft_fail(err, name, it.line_no, (int)(n < width ? n : width) + 1,
                    "map row %u has %zu characters, expected width %u", y + 1, n, width);
            goto fail;
        }
    }
    while (mapf_lines_next(&it, &line, &n))
        if (!mapf_text_blank_from(line, n, 0)) {
            ft_fail(err, name, it.line_no, 1,
                    "text after the %u map rows (height says %u)", height, height);
            goto fail;
        }
    if (label_components(grid, err))
        goto fail;
    return 0;
fail:
    mapf_grid_free(grid);
    return -1;
}

int mapf_grid_load(const char *path, mapf_grid *grid, ft_error *err)
{
    char *text;
    size_t len;
    memset(grid, 0, sizeof *grid);
    if (mapf_text_read_file(path, &text, &len, err))
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
