/* flow_report.c -- the KPIs of the measured period, from the collectors,
 * and the state of the plant now (flow_snapshot).
 *
 * Definitions (also in docs/kpis.md):
 *   state shares      server-seconds in each state / (servers * period)
 *   planned time      server time - off shift - maintenance
 *   run time          planned - failed - setup
 *   availability      run / planned
 *   performance       sum of ideal (mean) process times of finished items / run
 *   quality           items passed / items finished (inspection stations; else 1)
 *   OEE               availability * performance * quality
 *   takt              period / items produced
 *   Little's law      time-average WIP vs. exit rate * mean time in system */
#include <math.h>
#include <string.h>

#include "agv/agv.h"
#include "flow_internal.h"
#include "model/model.h"

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

static void station_kpis(flow_station *st, double period_s, ft_station_kpis *k)
{
    flow_station_account(st);
    const double *t = st->state_s;
    double total = period_s * st->n_servers;
    k->name = st->def->name;
    k->servers = st->n_servers;
    for (int s = 0; s < FT_N_STATES; s++)
        k->state_frac[s] = ratio(t[s], total);
    k->utilization = k->state_frac[FT_WORKING];
    double planned = total - t[FT_OFF_SHIFT] - t[FT_MAINTENANCE];
    double run = planned - t[FT_FAILED] - t[FT_SETUP];
    k->availability = ratio(run, planned);
    k->performance = ratio(st->ideal_s, run);
    k->processed = st->processed;
    k->scrapped = st->scrapped;
    k->reworked = st->reworked;
    k->quality = st->processed ? ratio((double)(st->processed - st->scrapped - st->reworked),
                                       (double)st->processed)
                               : 1;
    k->oee = k->availability * k->performance * k->quality;
}

/* A product whose routing ends at an assembly that takes it as a part, or
 * at a split that turns it into another product, is never produced. */
static bool is_part(const model_desc *m, int product)
{
    const model_product *p = &m->products[product];
    if (p->n_steps == 0)
        return false;
    const model_station *last = &m->stations[p->steps[p->n_steps - 1].station];
    switch (last->kind) {
    case MODEL_STATION_ASSEMBLY:
    case MODEL_STATION_SPLIT:
        return last->produces != MODEL_NONE && last->produces != product;
    case MODEL_STATION_PROCESS:
    case MODEL_STATION_INSPECTION:
        return false;
    }
    return false;
}

/* Little's law, L = lambda W, holds exactly over a period that starts and
 * ends empty; otherwise the items still inside at the end (and those that
 * entered before the warm-up ended) make a gap of about W / T relative: a
 * few per cent when the period is long against the time in system. A gap
 * above LITTLE_GAP (relative, with at least one item on average) means work
 * piled up and did not leave: an overloaded or stalled plant, or a period
 * too short to say. */
#define LITTLE_GAP 0.10

static void little_gap(flow_factory *f, const ft_report *r, double now)
{
    double l = r->wip_mean, lw = r->little_lambda_w, big = l > lw ? l : lw;
    if (big < 1 || fabs(l - lw) <= LITTLE_GAP * big)
        return;
    flow_warn(f, FT_WARN_LITTLE_GAP, "plant", f->t_reset, 0,
              "time-average WIP %.3f but lambda*W %.3f (%.0f %% apart): work piled up and did "
              "not leave, or the period is too short",
              l, lw, 100 * fabs(l - lw) / big);
}

void flow_report(flow_factory *f, ft_report *r)
{
    const model_desc *m = f->m;
    double now = flow_now(f), period = now - f->t_reset;
    memset(r, 0, sizeof *r);
    r->model = m->name;
    r->seed = f->seed;
    r->length_s = period;
    r->events = sim_events_run(f->s);

    stats_bn_result(f->bn, now, f->bn_sole, f->bn_shift);
    double best = 0;
    for (size_t i = 0; i < m->n_stations; i++) {
        ft_station_kpis *k = &f->rep_stations[i];
        station_kpis(f->stations[i], period, k);
        k->bottleneck_sole_frac = ratio(f->bn_sole[i], period);
        k->bottleneck_shifting_frac = ratio(f->bn_shift[i], period);
        if (f->bn_sole[i] > best) {
            best = f->bn_sole[i];
            r->bottleneck = k->name;
        }
    }
    r->stations = f->rep_stations;
    r->n_stations = m->n_stations;

    for (size_t i = 0; i < m->n_stations; i++) {
        flow_queue *q = f->queues[i];
        ft_buffer_kpis *b = &f->rep_buffers[i];
        b->name = q->obj.name;
        b->capacity = q->capacity;
        b->mean_level = stats_level_mean(&q->level, now);
        b->max_level = q->level.max;
    }
    r->buffers = f->rep_buffers;
    r->n_buffers = m->n_stations;

    for (size_t i = 0; i < m->n_products; i++) {
        flow_product_stats *ps = &f->products[i];
        ft_product_kpis *p = &f->rep_products[i];
        p->name = m->products[i].name;
        p->unit = m->products[i].unit;
        p->part = is_part(m, (int)i);
        p->consumed = ps->consumed;
        p->produced = ps->produced;
        p->scrapped = ps->scrapped;
        p->quantity = ps->quantity;
        p->per_hour = ratio((double)ps->produced * 3600, period);
        p->per_day = p->per_hour * 24;
        p->quantity_per_hour = ratio(ps->quantity * 3600, period);
        p->quantity_per_day = p->quantity_per_hour * 24;
        p->takt_s = ps->produced ? period / (double)ps->produced : 0;
        p->cycle_mean_s = stats_tally_mean(ps->cycle);
        p->cycle_p50_s = stats_tally_quantile(ps->cycle, 0.5);
        p->cycle_p95_s = stats_tally_quantile(ps->cycle, 0.95);
        p->cycle_max_s = stats_tally_count(ps->cycle) ? stats_tally_max(ps->cycle) : 0;
    }
    r->products = f->rep_products;
    r->n_products = m->n_products;

    r->wip_mean = stats_level_mean(&f->wip, now);
    r->exit_rate_per_s = ratio((double)f->exits, period);
    r->sojourn_mean_s = f->exits ? f->sojourn_sum_s / (double)f->exits : 0;
    r->little_lambda_w = r->exit_rate_per_s * r->sojourn_mean_s;
    flow_find_stalls(f);
    little_gap(f, r, now);
    r->warnings = f->rep_warnings;
    r->n_warnings = f->n_warnings;
    if (f->fleet) {
        agv_fleet_report(f->fleet, &f->rep_fleet, f->rep_vehicles);
        size_t ns = m->n_stations;
        ft_fleet_kpis *k = &f->rep_fleet;
        k->bottleneck_sole_frac = ratio(f->bn_sole[ns + AGV_BN_FLEET], period);
        k->bottleneck_shifting_frac = ratio(f->bn_shift[ns + AGV_BN_FLEET], period);
        k->chargers_bottleneck_sole_frac = ratio(f->bn_sole[ns + AGV_BN_CHARGERS], period);
        k->chargers_bottleneck_shifting_frac = ratio(f->bn_shift[ns + AGV_BN_CHARGERS], period);
        if (f->bn_sole[ns + AGV_BN_FLEET] > best) {
            best = f->bn_sole[ns + AGV_BN_FLEET];
            r->bottleneck = FT_BOTTLENECK_FLEET;
        }
        if (f->bn_sole[ns + AGV_BN_CHARGERS] > best)
            r->bottleneck = FT_BOTTLENECK_CHARGERS;
        r->fleet = &f->rep_fleet;
        r->vehicles = f->rep_vehicles;
        r->n_vehicles = (size_t)m->fleet.vehicles;
    }
}

void flow_snapshot(flow_factory *f, ft_snapshot *snap)
{
    const model_desc *m = f->m;
    memset(snap, 0, sizeof *snap);
    snap->now_s = flow_now(f);
    snap->wip = (long)f->wip.level;
    for (size_t i = 0; i < m->n_products; i++) {
        snap->produced += f->products[i].produced;
        snap->scrapped += f->products[i].scrapped;
    }
    for (size_t i = 0; i < m->n_stations; i++) {
        const flow_station *st = f->stations[i];
        const flow_queue *q = f->queues[i];
        ft_station_now *x = &f->now_stations[i];
        x->name = st->def->name;
        x->servers = st->n_servers;
        flow_station_now(st, x->in_state);
        x->queue = q->items.count;
        x->capacity = q->capacity;
        x->buffer = q->obj.name;
        x->processed = st->processed;
    }
    snap->stations = f->now_stations;
    snap->n_stations = m->n_stations;
    for (size_t i = 0; i < m->n_conveyors; i++) {
        const flow_conveyor *c = f->conveyors[i];
        f->now_conveyors[i] = (ft_conveyor_now){c->def->name, c->items.count, c->capacity,
                                                c->stopped};
    }
    snap->conveyors = f->now_conveyors;
    snap->n_conveyors = m->n_conveyors;
    if (f->fleet) {
        agv_fleet_snapshot(f->fleet, f->now_vehicles);
        snap->vehicles = f->now_vehicles;
        snap->n_vehicles = (size_t)m->fleet.vehicles;
    }
}
