/* agv_report.c -- reading the fleet: KPIs since the last reset, where each
 * vehicle is now (interpolated along its arc between steps), and the cell
 * graph and step observer for checking the routing. */
#include <string.h>

#include "agv/agv_fleet_internal.h"

int agv_fleet_size(const agv_fleet *fl)
{
    return fl->n;
}

const char *agv_fleet_vehicle_name(const agv_fleet *fl, int vehicle)
{
    return fl->v[vehicle].name;
}

size_t agv_fleet_stalled(const agv_fleet *fl, double *since_s)
{
    if (fl->n_req == 0)
        return 0;
    int idle = -1;
    for (int i = 0; i < fl->n; i++)
        if (fl->v[i].mode == MODE_IDLE &&
            (idle < 0 || fl->v[i].idle_since_s < fl->v[idle].idle_since_s))
            idle = i;
    if (idle < 0)
        return 0;
    double oldest = fl->req[0].t_s; /* open requests stay in arrival order */
    *since_s = oldest > fl->v[idle].idle_since_s ? oldest : fl->v[idle].idle_since_s;
    return fl->n_req;
}

void agv_fleet_reset_stats(agv_fleet *fl)
{
    double t = agv_now(fl);
    fl->t_reset = t;
    stats_tally_reset(fl->wait);
    stats_tally_reset(fl->delivery);
    fl->items = fl->depleted = 0;
    for (int i = 0; i < fl->n; i++) {
        agv_vehicle *v = &fl->v[i];
        agv_battery_update(fl, v, 0);
        memset(v->state_s, 0, sizeof v->state_s);
        v->state_t = v->busy_t = t;
        v->busy_s = v->loaded_m = v->empty_m = 0;
        v->trips = v->charges = 0;
        v->battery_min = v->battery;
    }
}

void agv_fleet_report(agv_fleet *fl, ft_fleet_kpis *k, ft_vehicle_kpis *out)
{
    double period = agv_now(fl) - fl->t_reset;
    memset(k, 0, sizeof *k);
    k->vehicles = fl->n;
    double blocked = 0;
    for (int i = 0; i < fl->n; i++) {
        agv_vehicle *v = &fl->v[i];
        ft_vehicle_kpis *o = &out[i];
        agv_set_state(fl, v, v->state);
        agv_set_busy(fl, v, v->busy);
        agv_battery_update(fl, v, 0);
        memset(o, 0, sizeof *o);
        o->name = v->name;
        for (int st = 0; st < FT_VEH_N_STATES; st++)
            o->state_frac[st] = period > 0 ? v->state_s[st] / period : 0;
        o->utilization = period > 0 ? v->busy_s / period : 0;
        o->loaded_m = v->loaded_m;
        o->empty_m = v->empty_m;
        o->trips = v->trips;
        o->charges = v->charges;
        o->battery_min = v->battery_min;
        k->utilization += o->utilization / fl->n;
        k->loaded_m += v->loaded_m;
        k->empty_m += v->empty_m;
        blocked += o->state_frac[FT_VEH_BLOCKED] / fl->n;
    }
    k->blocked_frac = blocked;
    k->items = fl->items;
    k->wait_mean_s = stats_tally_mean(fl->wait);
    k->wait_p95_s = stats_tally_quantile(fl->wait, 0.95);
    k->delivery_mean_s = stats_tally_mean(fl->delivery);
    k->delivery_p95_s = stats_tally_quantile(fl->delivery, 0.95);
    k->depleted = fl->depleted;
}

void agv_fleet_snapshot(agv_fleet *fl, ft_vehicle_now *out)
{
    double f = fl->ticking && fl->step_s > 0 ? (agv_now(fl) - fl->tick_t) / fl->step_s : 0;
    if (f > 1)
        f = 1;
    for (int i = 0; i < fl->n; i++) {
        agv_vehicle *v = &fl->v[i];
        uint32_t a = fl->at[i], b = fl->next[i];
        agv_battery_update(fl, v, 0);
        out[i] = (ft_vehicle_now){
            .name = v->name,
            .x_m = fl->g.x[a] + (fl->g.x[b] - fl->g.x[a]) * f,
            .y_m = fl->g.y[a] + (fl->g.y[b] - fl->g.y[a]) * f,
            .state = v->state,
            .load = v->mode == MODE_TO_DROP || v->mode == MODE_UNLOADING ? v->n : 0,
            .battery = v->battery,
        };
    }
}

void agv_fleet_observe(agv_fleet *fl, agv_step_fn fn, void *ctx)
{
    fl->observe = fn;
    fl->observe_ctx = ctx;
}

uint32_t agv_fleet_cells(const agv_fleet *fl)
{
    return fl->g.n;
}

bool agv_fleet_arc(const agv_fleet *fl, uint32_t a, uint32_t b)
{
    return agv_cells_arc_m(&fl->g, a, b) >= 0;
}

double agv_fleet_step_s(const agv_fleet *fl)
{
    return fl->step_s;
}
