/* agv_check.c -- the fleet's invariants, for the flow's checker
 * (src/flow/flow_check.c), which calls these at the end of every instant
 * when checking is on.
 *
 * What must hold when everything of an instant has happened: every vehicle
 * on its own cell, now and after the step under way; batteries within
 * [0, 1]; each vehicle's state times adding up to the period; a vehicle
 * with a task carrying between 1 and `capacity` items; and nothing waiting
 * without a cause -- an idle vehicle while transports wait means a lost
 * dispatch, a vehicle that is not at its goal while no routing step is
 * coming stands still for ever. (A vehicle held by traffic has a cause: the
 * steps go on.) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "agv/agv_fleet_internal.h"

static bool frozen(const agv_vehicle *v)
{
    return v->mode == MODE_LOADING || v->mode == MODE_UNLOADING || v->mode == MODE_CHARGING;
}

static bool has_task(const agv_vehicle *v)
{
    return v->mode == MODE_TO_PICK || v->mode == MODE_LOADING || v->mode == MODE_TO_DROP ||
           v->mode == MODE_UNLOADING;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Two vehicles on one cell in `cells`: the first such vehicle pair, or -1. */
static int shared_cell(const agv_fleet *fl, const uint32_t *cells, uint32_t *scratch)
{
    for (int i = 0; i < fl->n; i++)
        scratch[i] = cells[i];
    qsort(scratch, (size_t)fl->n, sizeof *scratch, cmp_u32);
    for (int i = 1; i < fl->n; i++)
        if (scratch[i] == scratch[i - 1])
            return (int)scratch[i];
    return -1;
}

int agv_fleet_check(const agv_fleet *fl, char *why, size_t n)
{
    uint32_t *scratch = malloc((size_t)fl->n * sizeof *scratch);
    if (!scratch) {
        snprintf(why, n, "out of memory while checking the fleet");
        return -1;
    }
    int cell = shared_cell(fl, fl->at, scratch);
    if (cell < 0)
        cell = shared_cell(fl, fl->next, scratch);
    free(scratch);
    if (cell >= 0) {
        snprintf(why, n, "two vehicles on cell %d", cell);
        return -1;
    }
    bool idle = false;
    for (int i = 0; i < fl->n; i++) {
        const agv_vehicle *v = &fl->v[i];
        if (!(v->battery >= 0 && v->battery <= 1)) {
            snprintf(why, n, "vehicle %s has a battery charge of %g", v->name, v->battery);
            return -1;
        }
        double sum = 0, period = v->state_t - fl->t_reset;
        for (int s = 0; s < FT_VEH_N_STATES; s++)
            sum += v->state_s[s];
        if (fabs(sum - period) > 1e-6 * (1 + fabs(period))) {
            snprintf(why, n, "vehicle %s: its state times add up to %.9g s, not %.9g s", v->name,
                     sum, period);
            return -1;
        }
        if (has_task(v) != (v->n > 0) || v->n > fl->def->capacity) {
            snprintf(why, n, "vehicle %s has %d items to carry in mode %d", v->name, v->n,
                     (int)v->mode);
            return -1;
        }
        if (has_task(v) && !v->busy) {
            snprintf(why, n, "vehicle %s has a task but is not counted busy", v->name);
            return -1;
        }
        idle |= v->mode == MODE_IDLE;
        if (!frozen(v) && v->goal >= 0 && fl->at[i] != (uint32_t)v->goal && !fl->ticking) {
            snprintf(why, n,
                     "vehicle %s (mode %d) is at cell %u, its goal is node %d, and no routing "
                     "step is coming: it stands still for ever",
                     v->name, (int)v->mode, fl->at[i], v->goal);
            return -1;
        }
        if (!frozen(v) && has_task(v) && fl->at[i] == (uint32_t)v->goal &&
            fl->next[i] == fl->at[i]) {
            snprintf(why, n, "vehicle %s stands at its goal (node %d) in mode %d without "
                     "loading or unloading", v->name, v->goal, (int)v->mode);
            return -1;
        }
    }
    if (idle && fl->n_req > 0 && !fl->dispatch_pending) {
        snprintf(why, n, "a vehicle is idle while %zu transport request(s) wait (the oldest "
                 "since %.3f s) and no dispatch is coming", fl->n_req, fl->req[0].t_s);
        return -1;
    }
    return 0;
}

void agv_fleet_promised(const agv_fleet *fl, long *per_pickup)
{
    for (size_t k = 0; k < fl->n_req; k++)
        per_pickup[fl->req[k].pickup]++;
    for (int i = 0; i < fl->n; i++) {
        const agv_vehicle *v = &fl->v[i];
        if (v->mode == MODE_TO_PICK || v->mode == MODE_LOADING)
            per_pickup[v->pickup] += v->n;
    }
}

int agv_fleet_aboard(const agv_fleet *fl, int vehicle, int *dest)
{
    const agv_vehicle *v = &fl->v[vehicle];
    *dest = v->dest;
    return v->mode == MODE_TO_DROP || v->mode == MODE_UNLOADING ? v->n : 0;
}
