/* fuzz_movingai.c -- libFuzzer harness for the MovingAI readers: a grid map
 * (`.map`), a scenario (`.scen`) against it and a plan against both.
 *
 * An input is the map, optionally followed by a line "#---scen---" and the
 * scenario, optionally followed by a line "#---plan---" and the plan. Each
 * reader must answer with a value or an error that has a message and a
 * position that is not negative, never a crash, a leak or undefined
 * behaviour. What was read is checked against its contract: starts and
 * goals inside the map and passable; a plan written out and read back is
 * the same plan; the checker judges any plan without crashing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char SCEN[] = "\n#---scen---\n", PLAN[] = "\n#---plan---\n";

static const char *find(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, needle, k) == 0)
            return s + i;
    return NULL;
}

static void check_error(const ft_error *err)
{
    if (!err->msg[0] || err->line < 0 || err->col < 0)
        abort();
}

static void plan_round_trip(const mapf_grid *grid, const mapf_plan *plan)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        abort();
    mapf_plan_write(f, grid, plan);
    if (fclose(f) != 0)
        abort();
    mapf_plan again = {0};
    ft_error err = {0};
    if (mapf_plan_parse(buf, len, "again", grid, plan->n_agents, &again, &err) != 0 ||
        again.n_steps != plan->n_steps || again.n_agents != plan->n_agents ||
        memcmp(again.at, plan->at, (size_t)plan->n_steps * plan->n_agents * sizeof *plan->at))
        abort();
    mapf_plan_free(&again);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *scen_at = find(text, size, SCEN);
    const char *plan_at = scen_at ? find(scen_at, size - (size_t)(scen_at - text), PLAN) : NULL;
    size_t map_len = scen_at ? (size_t)(scen_at - text) : size;
    ft_error err = {0};

    /* the model layer's reader of the same format */
    model_gridmap mg = {0};
    if (model_gridmap_parse(text, map_len, "fuzz.map", &mg, &err) == 0)
        model_gridmap_free(&mg);
    else
        check_error(&err);

    mapf_grid grid;
    memset(&err, 0, sizeof err);
    if (mapf_grid_parse(text, map_len, "fuzz.map", &grid, &err) != 0) {
        check_error(&err);
        return 0;
    }
    if (scen_at) {
        const char *s = scen_at + strlen(SCEN);
        size_t n = plan_at ? (size_t)(plan_at - s) : size - (size_t)(s - text);
        mapf_scen scen = {0};
        memset(&err, 0, sizeof err);
        if (mapf_scen_parse(s, n, "fuzz.scen", &grid, 0, &scen, &err) != 0) {
            check_error(&err);
        } else {
            size_t cells = (size_t)grid.width * grid.height;
            for (uint32_t i = 0; i < scen.n_agents; i++)
                if (scen.start_cell[i] >= cells || scen.goal_cell[i] >= cells ||
                    !grid.passable[scen.start_cell[i]] || !grid.passable[scen.goal_cell[i]])
                    abort();
            if (plan_at) {
                const char *p = plan_at + strlen(PLAN);
                mapf_plan plan = {0};
                memset(&err, 0, sizeof err);
                if (mapf_plan_parse(p, size - (size_t)(p - text), "fuzz.plan", &grid,
                                    scen.n_agents, &plan, &err) != 0) {
                    check_error(&err);
                } else {
                    plan_round_trip(&grid, &plan);
                    mapf_check_figures fig;
                    memset(&err, 0, sizeof err);
                    if (mapf_check(&grid, &scen, &plan, size & 1, "fuzz.plan", &fig, &err) != 0)
                        check_error(&err);
                }
                mapf_plan_free(&plan);
            }
        }
        mapf_scen_free(&scen);
    }
    mapf_grid_free(&grid);
    return 0;
}
