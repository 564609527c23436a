/* mapf_plan_io.c -- plan files: writing a plan of grid cells, reading one
 * back with line:column errors, and translating planner vertices to cells.
 *
 * One line per time step, every agent's cell in agent order (the format
 * LaCAM's tools print; docs/mapf.md):
 *     0:(5,16),(21,29),
 *     1:(5,17),(21,28),
 * x is the column, y the row. Lines starting with '#' and blank lines are
 * comments. The reader checks the syntax, the step numbers, the agent count
 * and that cells lie inside the map; everything about motion is the
 * checker's job. */
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"
#include "base/base_file.h"
#include "base/base_text.h"

void mapf_plan_free(mapf_plan *plan)
{
    free(plan->at);
    free(plan->step_line);
    memset(plan, 0, sizeof *plan);
}

int mapf_plan_vertices_to_cells(mapf_plan *plan, const mapf_grid_graph *gg, ft_error *err)
{
    size_t n = (size_t)plan->n_agents * plan->n_steps;
    for (size_t k = 0; k < n; k++) {
        if (plan->at[k] >= gg->graph.n_vertices)
            return ft_fail(err, NULL, 0, 0, "plan entry %zu is vertex %u, not in the graph", k,
                           plan->at[k]);
        plan->at[k] = gg->vertex_cell[plan->at[k]];
    }
    return 0;
}

int mapf_plan_write(FILE *out, const mapf_grid *grid, const mapf_plan *plan)
{
    for (uint32_t t = 0; t < plan->n_steps; t++) {
        fprintf(out, "%u:", t);
        const uint32_t *cells = plan->at + (size_t)t * plan->n_agents;
        for (uint32_t i = 0; i < plan->n_agents; i++)
            fprintf(out, "(%u,%u),", cells[i] % grid->width, cells[i] / grid->width);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}

/* One "(x,y)" at line[*pos] into a cell id. */
static int parse_cell(const char *name, int line_no, const char *line, size_t n, size_t *pos,
                      const mapf_grid *grid, uint32_t agent, uint32_t *cell, ft_error *err)
{
    size_t p = *pos;
    base_skip_blanks(line, n, &p);
    if (p >= n || line[p] != '(')
        return ft_fail(err, name, line_no, (int)p + 1, "expected '(' opening agent %u's cell",
                       agent);
    p++;
    uint32_t x, y;
    size_t at_x = p;
    base_skip_blanks(line, n, &at_x);
    if (!base_uint(line, n, &p, UINT32_MAX - 1, &x))
        return ft_fail(err, name, line_no, (int)at_x + 1, "expected agent %u's x (a column)",
                       agent);
    base_skip_blanks(line, n, &p);
    if (p >= n || line[p] != ',')
        return ft_fail(err, name, line_no, (int)p + 1, "expected ',' between x and y");
    p++;
    size_t at_y = p;
    base_skip_blanks(line, n, &at_y);
    if (!base_uint(line, n, &p, UINT32_MAX - 1, &y))
        return ft_fail(err, name, line_no, (int)at_y + 1, "expected agent %u's y (a row)",
                       agent);
    base_skip_blanks(line, n, &p);
    if (p >= n || line[p] != ')')
        return ft_fail(err, name, line_no, (int)p + 1, "expected ')' closing agent %u's cell",
                       agent);
    p++;
    if (x >= grid->width)
        return ft_fail(err, name, line_no, (int)at_x + 1,
                       "agent %u's x = %u is outside the map (columns 0 .. %u)", agent, x,
                       grid->width - 1);
    if (y >= grid->height)
        return ft_fail(err, name, line_no, (int)at_y + 1,
                       "agent %u's y = %u is outside the map (rows 0 .. %u)", agent, y,
                       grid->height - 1);
    *cell = y * grid->width + x;
    *pos = p;
    return 0;
}

/* Grow the plan to hold one more step of plan->n_agents cells. */
static int grow(mapf_plan *plan, size_t *cap_steps)
{
    if (plan->n_steps < *cap_steps)
        return 0;
    size_t cap = *cap_steps ? 2 * *cap_steps : 64;
    uint32_t *at = realloc(plan->at, cap * plan->n_agents * sizeof *at);
    if (!at)
        return -1;
    plan->at = at;
    int *lines = realloc(plan->step_line, cap * sizeof *lines);
    if (!lines)
        return -1;
    plan->step_line = lines;
    *cap_steps = cap;
    return 0;
}

int mapf_plan_parse(const char *text, size_t len, const char *name, const mapf_grid *grid,
                    uint32_t n_agents, mapf_plan *plan, ft_error *err)
{
    memset(plan, 0, sizeof *plan);
    size_t cap_steps = 0;
    uint32_t *row = NULL; /* one step's cells while its agent count is unknown */
    size_t row_cap = 0;
    base_lines it;
    base_lines_init(&it, text, len);
    const char *line;
    size_t n;
    while (base_lines_next(&it, &line, &n)) {
        size_t pos = 0;
        base_skip_blanks(line, n, &pos);
        if (pos == n || line[pos] == '#')
            continue;
        uint32_t t;
        size_t at_t = pos;
        if (!base_uint(line, n, &pos, UINT32_MAX - 1, &t) || t != plan->n_steps) {
            ft_fail(err, name, it.line_no, (int)at_t + 1, "expected the time step %u",
                    plan->n_steps);
            goto fail;
        }
        base_skip_blanks(line, n, &pos);
        if (pos >= n || line[pos] != ':') {
            ft_fail(err, name, it.line_no, (int)pos + 1, "expected ':' after the time step");
            goto fail;
        }
        pos++;
        uint32_t count = 0;
        for (;;) {
            base_skip_blanks(line, n, &pos);
            if (pos == n)
                break;
            if (n_agents && count == n_agents) {
                ft_fail(err, name, it.line_no, (int)pos + 1,
                        "more than %u agents at time step %u", n_agents, t);
                goto fail;
            }
            if (count == row_cap) {
                row_cap = row_cap ? 2 * row_cap : 64;
                uint32_t *bigger = realloc(row, row_cap * sizeof *row);
                if (!bigger)
                    goto oom;
                row = bigger;
            }
            if (parse_cell(name, it.line_no, line, n, &pos, grid, count, &row[count], err))
                goto fail;
            count++;
            base_skip_blanks(line, n, &pos);
            if (pos == n)
                break;
            if (line[pos] != ',') {
                ft_fail(err, name, it.line_no, (int)pos + 1, "expected ',' after agent %u's cell",
                        count - 1);
                goto fail;
            }
            pos++;
        }
        if (plan->n_steps == 0) {
            if (count == 0 || (n_agents && count != n_agents)) {
                ft_fail(err, name, it.line_no, (int)n + 1,
                        "time step 0 lists %u agents, expected %u", count,
                        n_agents ? n_agents : 1);
                goto fail;
            }
            plan->n_agents = count;
        } else if (count != plan->n_agents) {
            ft_fail(err, name, it.line_no, (int)n + 1, "time step %u lists %u agents, expected %u",
                    t, count, plan->n_agents);
            goto fail;
        }
        if (grow(plan, &cap_steps))
            goto oom;
        memcpy(plan->at + (size_t)plan->n_steps * plan->n_agents, row, count * sizeof *row);
        plan->step_line[plan->n_steps++] = it.line_no;
    }
    if (plan->n_steps == 0) {
        ft_fail(err, name, it.line_no + 1, 1, "the plan has no time steps; expected '0:(x,y),...'");
        goto fail;
    }
    free(row);
    return 0;
oom:
    ft_fail(err, name, 0, 0, "out of memory reading the plan");
fail:
    free(row);
    mapf_plan_free(plan);
    return -1;
}

int mapf_plan_load(const char *path, const mapf_grid *grid, uint32_t n_agents,
                   mapf_plan *plan, ft_error *err)
{
    char *text;
    size_t len;
    memset(plan, 0, sizeof *plan);
    if (base_read_file(path, BASE_TEXT_MAX_BYTES, "the plan", &text, &len, err))
        return -1;
    int rc = mapf_plan_parse(text, len, path, grid, n_agents, plan, err);
    free(text);
    return rc;
}
