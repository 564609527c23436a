/* model_gridmap.c -- MovingAI grid maps (`.map`): the one reader, used by
 * AGV layouts (`layout: { map: FILE }`) and by the standalone planner.
 *
 * Format (https://movingai.com/benchmarks/formats.html):
 *     type octile
 *     height H
 *     width W
 *     map
 *     H rows of W characters: '.' 'G' 'S' passable, '@' 'O' 'T' 'W' blocked
 * Octile ("8-connected") is only the file's name for the format; vehicles
 * move 4-connected. Height and width may come in either order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "base/base_file.h"
#include "base/base_text.h"

#define GRID_MAX_SIDE 65535u

static bool word_is(const char *line, size_t len, size_t *pos, const char *word)
{
    size_t p = *pos, n = strlen(word);
    base_skip_blanks(line, len, &p);
    if (len - p < n || memcmp(line + p, word, n) != 0)
        return false;
    if (p + n < len && line[p + n] != ' ' && line[p + n] != '\t')
        return false;
    *pos = p + n;
    return true;
}

/* Parse "height N" or "width N" on a header line into *value. */
static int header_number(const char *name, int line_no, const char *line, size_t len,
                         size_t pos, const char *word, uint32_t *value, ft_error *err)
{
    size_t start = pos;
    base_skip_blanks(line, len, &start);
    if (!base_uint(line, len, &pos, GRID_MAX_SIDE, value) || *value == 0)
        return ft_fail(err, name, line_no, (int)start + 1,
                       "expected the map %s, a whole number 1 .. %u", word, GRID_MAX_SIDE);
    if (!base_blank_from(line, len, pos))
        return ft_fail(err, name, line_no, (int)pos + 1, "unexpected text after the %s", word);
    return 0;
}

static int read_header(base_lines *it, const char *name, uint32_t *height, uint32_t *width,
                       ft_error *err)
{
    const char *line;
    size_t n, pos = 0;
    if (!base_lines_next(it, &line, &n) || !word_is(line, n, &pos, "type") ||
        !word_is(line, n, &pos, "octile") || !base_blank_from(line, n, pos))
        return ft_fail(err, name, 1, 1, "expected the header line 'type octile'");
    *height = *width = 0;
    for (;;) {
        if (!base_lines_next(it, &line, &n))
            return ft_fail(err, name, it->line_no + 1, 1,
                           "the file ends in its header; expected %s",
                           !*height ? "'height H'" : !*width ? "'width W'" : "'map'");
        pos = 0;
        if (word_is(line, n, &pos, "height")) {
            if (*height)
                return ft_fail(err, name, it->line_no, 1, "a second 'height' line");
            if (header_number(name, it->line_no, line, n, pos, "height", height, err))
                return -1;
        } else if (word_is(line, n, &pos, "width")) {
            if (*width)
                return ft_fail(err, name, it->line_no, 1, "a second 'width' line");
            if (header_number(name, it->line_no, line, n, pos, "width", width, err))
                return -1;
        } else if (word_is(line, n, &pos, "map") && base_blank_from(line, n, pos)) {
            if (!*height || !*width)
                return ft_fail(err, name, it->line_no, 1, "'map' before the %s line",
                               !*height ? "'height H'" : "'width W'");
            return 0;
        } else {
            base_skip_blanks(line, n, &pos);
            return ft_fail(err, name, it->line_no, (int)pos + 1,
                           "expected 'height H', 'width W' or 'map' in the header");
        }
    }
}

static int read_rows(base_lines *it, const char *name, model_gridmap *g, ft_error *err)
{
    const char *line;
    size_t n;
    for (uint32_t y = 0; y < g->height; y++) {
        if (!base_lines_next(it, &line, &n))
            return ft_fail(err, name, it->line_no + 1, 1, "the map has %u rows, expected height %u",
                           y, g->height);
        for (size_t x = 0; x < n && x < g->width; x++) {
            char ch = line[x];
            if (ch == '.' || ch == 'G' || ch == 'S')
                g->passable[(size_t)y * g->width + x] = 1;
            else if (ch == '@' || ch == 'O' || ch == 'T' || ch == 'W')
                g->passable[(size_t)y * g->width + x] = 0;
            else
                return ft_fail(err, name, it->line_no, (int)x + 1,
                               "unknown map character '%c' (0x%02x); expected one of . G S @ O T W",
                               ch >= 32 && ch < 127 ? ch : '?', (unsigned char)ch);
        }
        if (n != g->width)
            return ft_fail(err, name, it->line_no, (int)(n < g->width ? n : g->width) + 1,
                           "map row %u has %zu characters, expected width %u", y + 1, n, g->width);
    }
    while (base_lines_next(it, &line, &n))
        if (!base_blank_from(line, n, 0))
            return ft_fail(err, name, it->line_no, 1,
                           "text after the %u map rows (height says %u)", g->height, g->height);
    return 0;
}

int model_gridmap_parse(const char *text, size_t len, const char *name, model_gridmap *g,
                        ft_error *err)
{
    memset(g, 0, sizeof *g);
    base_lines it;
    base_lines_init(&it, text, len);
    if (read_header(&it, name, &g->height, &g->width, err))
        return -1;
    if (!(g->passable = malloc((size_t)g->width * g->height)))
        return ft_fail(err, name, 0, 0, "out of memory for a %ux%u map", g->width, g->height);
    if (read_rows(&it, name, g, err)) {
        model_gridmap_free(g);
        return -1;
    }
    return 0;
}

int model_gridmap_load(const char *path, model_gridmap *g, ft_error *err)
{
    char *text;
    size_t len;
    memset(g, 0, sizeof *g);
    if (base_read_file(path, BASE_TEXT_MAX_BYTES, "the grid map", &text, &len, err))
        return -1;
    int rc = model_gridmap_parse(text, len, path, g, err);
    free(text);
    return rc;
}

void model_gridmap_free(model_gridmap *g)
{
    free(g->passable);
    g->passable = NULL;
}
