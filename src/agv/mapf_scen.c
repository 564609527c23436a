/* mapf_scen.c -- MovingAI scenario files (`.scen`) read and validated
 * against their map, so that the planner only ever sees solvable-looking
 * agents (distinct starts, distinct goals, each goal reachable).
 *
 * Format: a line `version 1`, then one agent per line, nine fields
 * separated by tabs (spaces are accepted too):
 *     bucket  map-file  width  height  start-x  start-y  goal-x  goal-y  optimal-length
 * x is the column and y the row of the map. An instance with k agents uses
 * the first k rows. */
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"
#include "base/base_file.h"
#include "base/base_text.h"

enum { F_BUCKET, F_MAP, F_WIDTH, F_HEIGHT, F_SX, F_SY, F_GX, F_GY, F_OPT, N_FIELDS };

static const char *const field_name[N_FIELDS] = {
    "bucket", "map file name", "map width", "map height", "start x",
    "start y", "goal x", "goal y", "optimal length"};

typedef struct scen_row {
    uint32_t value[N_FIELDS]; /* F_MAP and F_OPT unused */
    int col[N_FIELDS];        /* 1-based column of each field */
} scen_row;

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

static int parse_row(const char *name, int line_no, const char *line, size_t n, scen_row *row,
                     ft_error *err)
{
    size_t pos = 0;
    for (int f = 0; f < N_FIELDS; f++) {
        while (pos < n && is_blank(line[pos]))
            pos++;
        row->col[f] = (int)pos + 1;
        if (pos >= n)
            return ft_fail(err, name, line_no, (int)pos + 1,
                           "the row ends early: expected the %s (field %d of 9)",
                           field_name[f], f + 1);
        size_t end = pos;
        while (end < n && !is_blank(line[end]))
            end++;
        if (f == F_MAP) {
            /* any non-blank word */
        } else if (f == F_OPT) {
            char buf[64];
            size_t k = end - pos < sizeof buf - 1 ? end - pos : sizeof buf - 1;
            memcpy(buf, line + pos, k);
            buf[k] = '\0';
            char *stop;
            double v = strtod(buf, &stop);
            if (stop == buf || *stop || k != end - pos || !(v >= 0))
                return ft_fail(err, name, line_no, (int)pos + 1,
                               "expected the optimal length, a number >= 0");
        } else {
            size_t p = pos;
            if (!base_uint(line, end, &p, UINT32_MAX - 1, &row->value[f]) || p != end)
                return ft_fail(err, name, line_no, (int)pos + 1,
                               "expected the %s, a whole number >= 0", field_name[f]);
        }
        pos = end;
    }
    if (!base_blank_from(line, n, pos))
        return ft_fail(err, name, line_no, (int)pos + 1 + (pos < n && is_blank(line[pos])),
                       "unexpected text after the 9 fields of an agent");
    return 0;
}

/* Map size, then start and goal inside the map and passable. */
static int check_row_cells(const char *name, int line_no, const mapf_grid *grid,
                           const scen_row *row, ft_error *err)
{
    const uint32_t *v = row->value;
    if (v[F_WIDTH] != grid->width || v[F_HEIGHT] != grid->height)
        return ft_fail(err, name, line_no, row->col[F_WIDTH],
                       "the scenario is for a %ux%u map, but %s is %ux%u (width x height)",
                       v[F_WIDTH], v[F_HEIGHT], grid->name, grid->width, grid->height);
    for (int which = 0; which < 2; which++) {
        int fx = which ? F_GX : F_SX, fy = which ? F_GY : F_SY;
        const char *what = which ? "goal" : "start";
        if (v[fx] >= grid->width)
            return ft_fail(err, name, line_no, row->col[fx],
                           "%s x = %u is outside the map (columns 0 .. %u)", what, v[fx],
                           grid->width - 1);
        if (v[fy] >= grid->height)
            return ft_fail(err, name, line_no, row->col[fy],
                           "%s y = %u is outside the map (rows 0 .. %u)", what, v[fy],
                           grid->height - 1);
        if (!grid->passable[(size_t)v[fy] * grid->width + v[fx]])
            return ft_fail(err, name, line_no, row->col[fx],
                           "%s (%u,%u) is on an obstacle of %s", what, v[fx], v[fy],
                           grid->name);
    }
    return 0;
}

int mapf_scen_parse(const char *text, size_t len, const char *name, const mapf_grid *grid,
                    uint32_t n_agents, mapf_scen *scen, ft_error *err)
{
    memset(scen, 0, sizeof *scen);
    size_t cells = (size_t)grid->width * grid->height;
    uint32_t *start_owner = malloc(cells * sizeof *start_owner);
    uint32_t *goal_owner = malloc(cells * sizeof *goal_owner);
    int *owner_line = NULL;
    size_t cap = 0;
    if (!start_owner || !goal_owner)
        goto oom;
    for (size_t c = 0; c < cells; c++)
        start_owner[c] = goal_owner[c] = MAPF_NONE;

    base_lines it;
    base_lines_init(&it, text, len);
    const char *line;
    size_t n, pos = 0;
    uint32_t version;
    if (!base_lines_next(&it, &line, &n) || n < 7 || memcmp(line, "version", 7) != 0 ||
        (pos = 7, !base_uint(line, n, &pos, 1000, &version)) ||
        !(base_blank_from(line, n, pos) ||
          (line[pos] == '.' && base_blank_from(line, n, pos + 2) && line[pos + 1] == '0'))) {
        ft_fail(err, name, 1, 1, "expected the header line 'version 1'");
        goto fail;
    }
    if (version != 1) {
        ft_fail(err, name, 1, 9, "scenario version %u is not supported; expected 'version 1'",
                version);
        goto fail;
    }
    while (base_lines_next(&it, &line, &n)) {
        if (base_blank_from(line, n, 0))
            continue;
        scen_row row;
        if (parse_row(name, it.line_no, line, n, &row, err) ||
            check_row_cells(name, it.line_no, grid, &row, err))
            goto fail;
        scen->rows_in_file++;
        if (n_agents && scen->n_agents >= n_agents)
            continue;
        if (scen->n_agents == cap) {
            cap = cap ? 2 * cap : 64;
            uint32_t *s = realloc(scen->start_cell, cap * sizeof *s);
            if (s)
                scen->start_cell = s;
            uint32_t *g = realloc(scen->goal_cell, cap * sizeof *g);
            if (g)
                scen->goal_cell = g;
            int *l = realloc(owner_line, cap * sizeof *l);
            if (l)
                owner_line = l;
            if (!s || !g || !l)
                goto oom;
        }
        uint32_t i = scen->n_agents;
        uint32_t s = row.value[F_SY] * grid->width + row.value[F_SX];
        uint32_t g = row.value[F_GY] * grid->width + row.value[F_GX];
        if (start_owner[s] != MAPF_NONE) {
            ft_fail(err, name, it.line_no, row.col[F_SX],
                    "agent %u starts at (%u,%u) where agent %u (line %d) starts too", i,
                    row.value[F_SX], row.value[F_SY], start_owner[s], owner_line[start_owner[s]]);
            goto fail;
        }
        if (goal_owner[g] != MAPF_NONE) {
            ft_fail(err, name, it.line_no, row.col[F_GX],
                    "agent %u has goal (%u,%u), the goal of agent %u (line %d) too", i,
                    row.value[F_GX], row.value[F_GY], goal_owner[g], owner_line[goal_owner[g]]);
            goto fail;
        }
        if (grid->component[s] != grid->component[g]) {
            ft_fail(err, name, it.line_no, row.col[F_GX],
                    "agent %u cannot reach its goal (%u,%u) from its start (%u,%u): no path "
                    "on the map",
                    i, row.value[F_GX], row.value[F_GY], row.value[F_SX], row.value[F_SY]);
            goto fail;
        }
        start_owner[s] = goal_owner[g] = i;
        owner_line[i] = it.line_no;
        scen->start_cell[i] = s;
        scen->goal_cell[i] = g;
        scen->n_agents++;
    }
    if (scen->n_agents == 0) {
        ft_fail(err, name, it.line_no + 1, 1, "the scenario has no agents");
        goto fail;
    }
    if (n_agents && scen->n_agents < n_agents) {
        ft_fail(err, name, it.line_no + 1, 1,
                "the scenario has only %u agents, %u were asked for", scen->n_agents, n_agents);
        goto fail;
    }
    free(start_owner);
    free(goal_owner);
    free(owner_line);
    return 0;
oom:
    ft_fail(err, name, 0, 0, "out of memory reading the scenario");
fail:
    free(start_owner);
    free(goal_owner);
    free(owner_line);
    mapf_scen_free(scen);
    return -1;
}

int mapf_scen_load(const char *path, const mapf_grid *grid, uint32_t n_agents,
                   mapf_scen *scen, ft_error *err)
{
    char *text;
    size_t len;
    memset(scen, 0, sizeof *scen);
    if (base_read_file(path, BASE_TEXT_MAX_BYTES, "the scenario", &text, &len, err))
        return -1;
    int rc = mapf_scen_parse(text, len, path, grid, n_agents, scen, err);
    free(text);
    return rc;
}

void mapf_scen_free(mapf_scen *scen)
{
    free(scen->start_cell);
    free(scen->goal_cell);
    scen->start_cell = scen->goal_cell = NULL;
    scen->n_agents = 0;
}
