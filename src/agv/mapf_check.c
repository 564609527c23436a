/* mapf_check.c -- the independent plan checker: is a plan of grid cells a
 * valid MAPF solution of a scenario, and what does it cost.
 *
 * It shares nothing with the planner but the readers: it works on grid
 * cells, computes 4-neighbourhood by coordinates and runs its own
 * breadth-first search for the lower bound, so a bug in the planner's graph
 * or search cannot make a bad plan look good here.
 *
 * Rules, checked time step by time step so the first violation reported is
 * the earliest (then the lowest agent):
 *   - at time 0 every agent is at its start; at the last step at its goal;
 *   - every cell is passable; every move goes to a 4-neighbour or waits;
 *   - no two agents in one cell (vertex conflict);
 *   - no two agents exchanging cells (swap / edge conflict);
 *   - strict only: no agent enters a cell that another agent leaves in the
 *     same step (following); a rotating cycle is a ring of followings, so
 *     it is ruled out too. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"

typedef struct checker {
    const mapf_grid *grid;
    const mapf_plan *plan;
    const char *plan_name;
    ft_error *err;
} checker;

/* "time step t: <message> at (x,y) (<rule>)" with the step's plan line. */
static int fail_at(const checker *ck, uint32_t t, uint32_t cell, const char *rule,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail_at(const checker *ck, uint32_t t, uint32_t cell, const char *rule,
                   const char *fmt, ...)
{
    int line = ck->plan->step_line && t < ck->plan->n_steps ? ck->plan->step_line[t] : 0;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ft_fail(ck->err, ck->plan_name, line, 0, "time step %u: %s (%u,%u) (%s)", t, msg,
                   cell % ck->grid->width, cell / ck->grid->width, rule);
}

static bool adjacent_or_same(const mapf_grid *grid, uint32_t a, uint32_t b)
{
    uint32_t ax = a % grid->width, ay = a / grid->width;
    uint32_t bx = b % grid->width, by = b / grid->width;
    uint32_t dx = ax > bx ? ax - bx : bx - ax, dy = ay > by ? ay - by : by - ay;
    return dx + dy <= 1;
}

/* Shortest 4-neighbour distance from a to b over passable cells; UINT32_MAX
 * if none. dist and queue are scratch of width*height entries. */
static uint32_t grid_distance(const mapf_grid *grid, uint32_t a, uint32_t b, uint32_t *dist,
                              uint32_t *queue)
{
    size_t cells = (size_t)grid->width * grid->height;
    for (size_t c = 0; c < cells; c++)
        dist[c] = UINT32_MAX;
    size_t head = 0, tail = 0;
    dist[a] = 0;
    queue[tail++] = a;
    while (head < tail) {
        uint32_t c = queue[head++];
        if (c == b)
            return dist[c];
        uint32_t x = c % grid->width, y = c / grid->width;
        uint32_t next[4], n = 0;
        if (x > 0) next[n++] = c - 1;
        if (x + 1 < grid->width) next[n++] = c + 1;
        if (y > 0) next[n++] = c - grid->width;
        if (y + 1 < grid->height) next[n++] = c + grid->width;
        for (uint32_t k = 0; k < n; k++)
            if (grid->passable[next[k]] && dist[next[k]] == UINT32_MAX) {
                dist[next[k]] = dist[c] + 1;
                queue[tail++] = next[k];
            }
    }
    return UINT32_MAX;
}

/* Everything about time step t: cells, moves from t-1, conflicts. who_prev
 * and who_now map cells to agents at t-1 and t (MAPF_NONE elsewhere). */
static int check_step(const checker *ck, const mapf_scen *scen, uint32_t t, bool strict,
                      uint32_t *who_prev, uint32_t *who_now)
{
    const mapf_plan *p = ck->plan;
    uint32_t n = p->n_agents;
    const uint32_t *now = p->at + (size_t)t * n;
    const uint32_t *prev = t ? now - n : NULL;
    for (uint32_t i = 0; i < n; i++) {
        if (t == 0 && now[i] != scen->start_cell[i])
            return fail_at(ck, 0, now[i], "wrong start",
                           "agent %u should start at (%u,%u) but is at", i,
                           scen->start_cell[i] % ck->grid->width,
                           scen->start_cell[i] / ck->grid->width);
        if (!ck->grid->passable[now[i]])
            return fail_at(ck, t, now[i], "obstacle", "agent %u is on the blocked cell", i);
        if (prev && !adjacent_or_same(ck->grid, prev[i], now[i]))
            return fail_at(ck, t, now[i], "jump: not a 4-neighbour move",
                           "agent %u moves from (%u,%u) to", i, prev[i] % ck->grid->width,
                           prev[i] / ck->grid->width);
    }
    for (uint32_t i = 0; i < n; i++) {
        if (who_now[now[i]] != MAPF_NONE)
            return fail_at(ck, t, now[i], "vertex conflict", "agents %u and %u are both at",
                           who_now[now[i]], i);
        who_now[now[i]] = i;
    }
    for (uint32_t i = 0; prev && i < n; i++) {
        if (prev[i] == now[i])
            continue;
        uint32_t j = who_prev[now[i]]; /* who was where i is going */
        if (j == MAPF_NONE || j == i)
            continue;
        if (now[j] == prev[i])
            return fail_at(ck, t, now[i], "swap conflict",
                           "agents %u and %u swap cells (%u,%u) and", i < j ? i : j,
                           i < j ? j : i, prev[i] % ck->grid->width,
                           prev[i] / ck->grid->width);
        if (strict)
            return fail_at(ck, t, now[i], "following conflict, not allowed in strict mode",
                           "agent %u enters, as agent %u leaves it, the cell", i, j);
    }
    return 0;
}

int mapf_check(const mapf_grid *grid, const mapf_scen *scen, const mapf_plan *plan,
               bool strict, const char *plan_name, mapf_check_figures *fig, ft_error *err)
{
    checker ck = {grid, plan, plan_name ? plan_name : "", err};
    memset(fig, 0, sizeof *fig);
    if (plan->n_agents != scen->n_agents)
        return ft_fail(err, ck.plan_name, 0, 0, "the plan has %u agents, the scenario %u",
                       plan->n_agents, scen->n_agents);
    if (plan->n_steps == 0)
        return ft_fail(err, ck.plan_name, 0, 0, "the plan has no time steps");
    size_t cells = (size_t)grid->width * grid->height;
    uint32_t *who_prev = malloc(cells * sizeof *who_prev);
    uint32_t *who_now = malloc(cells * sizeof *who_now);
    if (!who_prev || !who_now) {
        free(who_prev);
        free(who_now);
        return ft_fail(err, ck.plan_name, 0, 0, "out of memory checking the plan");
    }
    for (size_t c = 0; c < cells; c++)
        who_prev[c] = who_now[c] = MAPF_NONE;
    uint32_t n = plan->n_agents;
    int rc = 0;
    for (uint32_t t = 0; t < plan->n_steps && !rc; t++) {
        rc = check_step(&ck, scen, t, strict, who_prev, who_now);
        /* who_now becomes who_prev; clear the old who_prev by its agents. */
        if (t > 0)
            for (uint32_t i = 0; i < n; i++)
                who_prev[plan->at[(size_t)(t - 1) * n + i]] = MAPF_NONE;
        uint32_t *swap = who_prev;
        who_prev = who_now;
        who_now = swap;
    }
    const uint32_t *last = plan->at + (size_t)(plan->n_steps - 1) * n;
    for (uint32_t i = 0; i < n && !rc; i++)
        if (last[i] != scen->goal_cell[i])
            rc = fail_at(&ck, plan->n_steps - 1, last[i], "wrong goal",
                         "agent %u's goal is (%u,%u), but it ends at", i,
                         scen->goal_cell[i] % grid->width, scen->goal_cell[i] / grid->width);
    if (rc) {
        free(who_prev);
        free(who_now);
        return rc;
    }
    /* Costs: agent i's cost is one more than the last time it is off its goal. */
    for (uint32_t i = 0; i < n; i++) {
        uint64_t cost = 0;
        for (uint32_t t = plan->n_steps; t-- > 0;)
            if (plan->at[(size_t)t * n + i] != scen->goal_cell[i]) {
                cost = (uint64_t)t + 1;
                break;
            }
        fig->sum_of_costs += cost;
        for (uint32_t t = 1; t < plan->n_steps; t++)
            fig->sum_of_loss += !(plan->at[(size_t)t * n + i] == scen->goal_cell[i] &&
                                  plan->at[(size_t)(t - 1) * n + i] == scen->goal_cell[i]);
        if (cost > fig->makespan)
            fig->makespan = cost;
    }
    /* who_prev/who_now are free scratch now: reuse them for the searches. */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t d = grid_distance(grid, scen->start_cell[i], scen->goal_cell[i], who_prev,
                                   who_now);
        if (d == UINT32_MAX) {
            rc = ft_fail(err, ck.plan_name, 0, 0, "agent %u's goal is unreachable", i);
            break;
        }
        fig->lower_bound += d;
    }
    free(who_prev);
    free(who_now);
    return rc;
}
