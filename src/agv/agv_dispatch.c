/* agv_dispatch.c -- who carries what: transport requests wait in arrival
 * order; once per instant in which something changed (after all requests
 * of that instant are in) low vehicles take free chargers, then idle
 * vehicles take jobs -- requests with the same pick-up and destination, up
 * to a vehicle's capacity -- by `nearest` (each job, oldest first, to the
 * nearest idle vehicle) or `optimal` (the oldest jobs, as many as there are
 * idle vehicles, matched to them for the least total empty travel by the
 * Hungarian method; taking the oldest keeps any job from starving). */
#include <stdlib.h>

#include "agv/agv_fleet_internal.h"

typedef struct agv_job {
    size_t first;   /* its oldest request */
    int n;          /* requests in it (<= capacity) */
} agv_job;

/* Give vehicle i the job: its requests leave the open list (marked taken). */
static void assign_job(agv_fleet *fl, int i, const agv_job *job, bool *taken)
{
    agv_vehicle *v = &fl->v[i];
    const agv_request *r0 = &fl->req[job->first];
    v->pickup = r0->pickup;
    v->dest = r0->dest;
    v->pick_node = r0->pick_node;
    v->drop_node = r0->drop_node;
    v->n = 0;
    for (size_t k = job->first; k < fl->n_req && v->n < job->n; k++) {
        const agv_request *r = &fl->req[k];
        if (!taken[k] && r->pickup == r0->pickup && r->dest == r0->dest) {
            taken[k] = true;
            v->req_t[v->n++] = r->t_s;
        }
    }
    agv_release_claims(fl, v);
    agv_set_busy(fl, v, true);
    agv_head_for(fl, i, MODE_TO_PICK, v->pick_node);
}

/* Charging before work: idle vehicles below the threshold, and those
 * waiting for a charger (lowest charge first), take free chargers. */
static void dispatch_chargers(agv_fleet *fl)
{
    const model_battery *b = &fl->def->battery;
    if (!b->present)
        return;
    for (int i = 0; i < fl->n; i++)
        if (fl->v[i].mode == MODE_IDLE && fl->next[i] == fl->at[i]) {
            agv_battery_update(fl, &fl->v[i], 0);
            if (fl->v[i].battery < b->charge_below)
                agv_set_mode(fl, &fl->v[i], MODE_WAIT_CHARGER);
        }
    for (;;) {
        int low = -1;
        for (int i = 0; i < fl->n; i++)
            if (fl->v[i].mode == MODE_WAIT_CHARGER &&
                (low < 0 || fl->v[i].battery < fl->v[low].battery))
                low = i;
        if (low < 0)
            return;
        int c = agv_nearest_free(fl, low, fl->lay->chargers, fl->charger_owner, fl->lay->n_chargers);
        if (c < 0)
            return;
        agv_release_claims(fl, &fl->v[low]);
        agv_claim_charger(fl, c, low);
        agv_head_for(fl, low, MODE_TO_CHARGER, fl->lay->chargers[c]);
    }
}

static void dispatch_event(sim *s, void *obj, intptr_t arg)
{
    (void)s, (void)arg;
    agv_fleet *fl = obj;
    fl->dispatch_pending = false;
    dispatch_chargers(fl);
    if (fl->n_req == 0)
        return;
    int n_idle = 0;
    int *idle = malloc((size_t)fl->n * sizeof *idle);
    agv_job *jobs = malloc(fl->n_req * sizeof *jobs);
    bool *taken = calloc(fl->n_req, sizeof *taken);
    if (!idle || !jobs || !taken) {
        sim_fail(fl->s, "out of memory dispatching the AGVs");
        goto out;
    }
    for (int i = 0; i < fl->n; i++)
        if (fl->v[i].mode == MODE_IDLE)
            idle[n_idle++] = i;
    /* jobs: requests with the same pick-up and destination, oldest first,
     * up to the capacity of a vehicle */
    size_t n_jobs = 0;
    int cap = fl->def->capacity;
    for (size_t k = 0; k < fl->n_req; k++) {
        size_t j = 0;
        while (j < n_jobs && !(fl->req[jobs[j].first].pickup == fl->req[k].pickup &&
                               fl->req[jobs[j].first].dest == fl->req[k].dest &&
                               jobs[j].n < cap))
            j++;
        if (j == n_jobs) {
            if ((int)n_jobs == n_idle)
                continue; /* no vehicle left for another job */
            jobs[n_jobs++] = (agv_job){k, 0};
        }
        jobs[j].n++;
    }
    if (fl->def->dispatch == MODEL_DISPATCH_OPTIMAL && n_jobs > 1) {
        double *cost = malloc(n_jobs * (size_t)n_idle * sizeof *cost);
        int *pick = malloc(n_jobs * sizeof *pick);
        if (cost && pick) {
            for (size_t j = 0; j < n_jobs; j++)
                for (int c = 0; c < n_idle; c++) {
                    uint32_t d = agv_steps_to(fl, idle[c], fl->req[jobs[j].first].pick_node);
                    cost[j * (size_t)n_idle + (size_t)c] = d == AGV_NONE ? 1e12 : d;
                }
        }
        bool assigned = cost && pick && agv_assign(cost, (int)n_jobs, n_idle, pick) == 0;
        if (assigned)
            for (size_t j = 0; j < n_jobs; j++)
                assign_job(fl, idle[pick[j]], &jobs[j], taken);
        free(cost);
        free(pick);
        if (!assigned) {
            sim_fail(fl->s, "out of memory assigning %zu AGV jobs", n_jobs);
            goto out;
        }
    } else {
        for (size_t j = 0; j < n_jobs; j++) {
            int best = -1;
            uint32_t best_d = AGV_NONE;
            for (int c = 0; c < n_idle; c++) {
                if (idle[c] < 0)
                    continue;
                uint32_t d = agv_steps_to(fl, idle[c], fl->req[jobs[j].first].pick_node);
                if (best < 0 || d < best_d) {
                    best = c;
                    best_d = d;
                }
            }
            assign_job(fl, idle[best], &jobs[j], taken);
            idle[best] = -1;
        }
    }
    size_t w = 0;
    for (size_t k = 0; k < fl->n_req; k++)
        if (!taken[k])
            fl->req[w++] = fl->req[k];
    fl->n_req = w;
out:
    free(idle);
    free(jobs);
    free(taken);
}

void agv_request_dispatch(agv_fleet *fl)
{
    if (fl->dispatch_pending)
        return;
    fl->dispatch_pending = true;
    sim_schedule(fl->s, 0, dispatch_event, fl, 0);
}

void agv_fleet_request(agv_fleet *fl, int pickup, int pick_node, int dest, int drop_node)
{
    if (fl->n_req == fl->cap_req) {
        size_t cap = fl->cap_req ? 2 * fl->cap_req : 16;
        agv_request *r = realloc(fl->req, cap * sizeof *r);
        if (!r) {
            sim_fail(fl->s, "out of memory for AGV transport requests (%zu waiting)", fl->n_req);
            return;
        }
        fl->req = r;
        fl->cap_req = cap;
    }
    fl->req[fl->n_req++] = (agv_request){pickup, dest, pick_node, drop_node, agv_now(fl)};
    agv_request_dispatch(fl);
}
