/* flow_factory.c -- building a running factory from a model description.
 *
 * Owns every flow object, the item pool, routing (where an item goes next),
 * the sink (items leaving the plant), the event observer and the plant-wide
 * statistics (WIP, Little's law, per-product output, bottleneck periods). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agv/agv.h"
#include "flow_internal.h"

double flow_now(const flow_factory *f)
{
    return sim_now(f->s);
}

/* ---- items -------------------------------------------------------------- */

/* Every item in the plant counts, wherever it is (queues, servers, belts,
 * vehicles, a source's backlog): the cap bounds the memory a run can take
 * (about sizeof(flow_item) = 56 bytes an item, plus its events). */
static void too_many_items(flow_factory *f, const flow_obj *by, model_pos pos)
{
    f->failed = true;
    ft_fail(&f->error, f->m->path, by ? pos.line : 0, by ? pos.col : 0,
            "more than %ld items in the plant at %.3f s: %s%s%s made one more; the run stops "
            "(raise run.max_items or --max-items if the plant really holds that many)",
            f->max_items, flow_now(f), by ? "'" : "", by ? by->name : "the initial state",
            by ? "'" : "");
    sim_stop(f->s);
}

bool flow_failed(const flow_factory *f)
{
    return f->failed;
}

int flow_error(const flow_factory *f, ft_error *err)
{
    if (!f->failed)
        return 0;
    if (err)
        *err = f->error;
    return -1;
}

long flow_live_items(const flow_factory *f)
{
    return f->live_items;
}

void flow_set_max_items(flow_factory *f, long max_items)
{
    f->max_items = max_items > 0 ? max_items : f->m->run.max_items;
}

flow_item *flow_item_new(flow_factory *f, const flow_obj *by, model_pos pos, int product,
                         double quantity, double released_s)
{
    if (++f->live_items > f->max_items && !f->failed)
        too_many_items(f, by, pos);
    flow_item *it = f->free_items;
    if (it)
        f->free_items = it->next;
    else if (!(it = malloc(sizeof *it))) {
        f->live_items--;
        sim_fail(f->s, "out of memory for items (%llu made so far)",
                 (unsigned long long)f->next_item_id);
        return NULL;
    }
    memset(it, 0, sizeof *it);
    it->id = ++f->next_item_id;
    it->product = product;
    it->quantity = quantity;
    it->released_s = released_s;
    it->entered_s = flow_now(f);
    return it;
}

void flow_item_free(flow_factory *f, flow_item *it)
{
    f->live_items--;
    it->next = f->free_items;
    f->free_items = it;
}

void flow_item_created(flow_factory *f, flow_item *it)
{
    it->entered_s = flow_now(f);
    stats_level_add(&f->wip, flow_now(f), 1);
    f->products[it->product].ledger_in++;
}

long flow_product_in_plant(const flow_factory *f, int product)
{
    const flow_product_stats *ps = &f->products[product];
    return (long)(ps->ledger_in - ps->ledger_produced - ps->ledger_scrapped - ps->ledger_consumed);
}

void flow_item_uncreated(flow_factory *f, flow_item *it)
{
    stats_level_add(&f->wip, flow_now(f), -1);
    f->products[it->product].ledger_in--;
}

static void item_departs(flow_factory *f, flow_item *it)
{
    stats_level_add(&f->wip, flow_now(f), -1);
    f->exits++;
    f->sojourn_sum_s += flow_now(f) - it->entered_s;
}

void flow_item_consumed(flow_factory *f, flow_item *it)
{
    f->products[it->product].consumed++;
    f->products[it->product].ledger_consumed++;
    item_departs(f, it);
    flow_item_free(f, it);
}

void flow_item_exit(flow_factory *f, flow_item *it, bool scrapped)
{
    flow_product_stats *ps = &f->products[it->product];
    item_departs(f, it);
    if (scrapped) {
        ps->scrapped++;
        ps->ledger_scrapped++;
        flow_trace(f, FT_EVENT_SCRAP, "", it, "");
    } else {
        ps->produced++;
        ps->ledger_produced++;
        ps->quantity += it->quantity;
        stats_tally_add(ps->cycle, flow_now(f) - it->released_s);
        flow_trace(f, FT_EVENT_EXIT, "", it, "");
    }
    flow_item_free(f, it);
}

/* The sink takes everything. */
static flow_answer sink_offer(flow_obj *self, flow_item *it, flow_obj *from)
{
    flow_item_exit(self->f, it, false);
    return FLOW_ACCEPT;
}

static void sink_resume(flow_obj *self) {}

static const flow_ops sink_ops = {sink_offer, sink_resume};

/* ---- routing ------------------------------------------------------------ */

struct agv_fleet *flow_fleet(flow_factory *f)
{
    return f->fleet;
}

int flow_destination(const flow_factory *f, const flow_item *it)
{
    const model_product *p = &f->m->products[it->product];
    if ((size_t)it->step >= p->n_steps)
        return (int)f->m->n_stations;
    return p->steps[it->step].station;
}

flow_obj *flow_route(flow_factory *f, const flow_item *it, int from)
{
    if (from != MODEL_NONE && f->pickups && f->pickups[from])
        return &f->pickups[from]->obj;
    int to = flow_destination(f, it);
    if ((size_t)to == f->m->n_stations)
        return &f->sink;
    if (from != MODEL_NONE) {
        int c = model_find_conveyor(f->m, from, to);
        if (c != MODEL_NONE)
            return &f->conveyors[c]->obj;
    }
    return &f->queues[to]->obj;
}

/* ---- events ------------------------------------------------------------- */

void flow_trace(flow_factory *f, ft_event_kind event, const char *object, const flow_item *it,
                const char *detail)
{
    if (!f->on_event)
        return;
    ft_event e = {.time_s = flow_now(f), .kind = event, .object = object, .product = "",
                  .detail = detail};
    if (it) {
        e.item = it->id;
        e.product = f->m->products[it->product].name;
        e.quantity = it->quantity;
    }
    f->on_event(f->event_ctx, &e);
}

/* ---- bottleneck --------------------------------------------------------- */

/* Most state changes (a server going from working to blocked while another
 * works on, say) leave the station's activity as it was; the detector would
 * ignore those calls, but only after the call, so the station remembers what
 * it last reported and skips them here. Both start inactive. */
void flow_bn_update(flow_factory *f, flow_station *st)
{
    bool active = flow_station_active(st);
    if (active == st->bn_active)
        return;
    st->bn_active = active;
    stats_bn_set_active(f->bn, (size_t)st->index, active, flow_now(f));
}

/* The fleet and its chargers are bottleneck candidates after the stations. */
static void fleet_active(void *factory, int resource, bool active)
{
    flow_factory *f = factory;
    stats_bn_set_active(f->bn, f->m->n_stations + (size_t)resource, active, flow_now(f));
}

/* ---- building ----------------------------------------------------------- */

void flow_free(flow_factory *f)
{
    if (!f)
        return;
    const model_desc *m = f->m;
    for (size_t i = 0; f->sources && i < m->n_sources; i++)
        flow_source_free(f->sources[i]);
    for (size_t i = 0; f->conveyors && i < m->n_conveyors; i++)
        flow_conveyor_free(f->conveyors[i]);
    for (size_t i = 0; f->stations && i < m->n_stations; i++)
        flow_station_free(f->stations[i]);
    for (size_t i = 0; f->queues && i < m->n_stations; i++)
        flow_queue_free(f->queues[i]);
    for (size_t i = 0; f->pickups && i < m->n_stations + m->n_sources; i++)
        flow_pickup_free(f->pickups[i]);
    for (int i = 0; f->cargo && i < m->fleet.vehicles; i++) {
        flow_item *it;
        while ((it = flow_list_pop(&f->cargo[i])))
            free(it);
    }
    agv_fleet_free(f->fleet);
    free(f->pickups);
    free(f->cargo);
    free(f->rep_vehicles);
    free(f->now_vehicles);
    for (size_t i = 0; f->products && i < m->n_products; i++)
        stats_tally_free(f->products[i].cycle);
    while (f->free_items) {
        flow_item *it = f->free_items;
        f->free_items = it->next;
        free(it);
    }
    flow_obj_fini(&f->sink);
    flow_check_free(f->checker);
    stats_bn_free(f->bn);
    free(f->sources);
    free(f->conveyors);
    free(f->stations);
    free(f->queues);
    free(f->products);
    free(f->rep_stations);
    free(f->rep_buffers);
    free(f->now_stations);
    free(f->now_conveyors);
    free(f->rep_products);
    free(f->rep_warnings);
    free(f->bn_sole);
    free(f->bn_shift);
    free(f);
}

static char *queue_name(const model_desc *m, int station)
{
    int b = model_station_input(m, station);
    const char *base = b != MODEL_NONE ? m->buffers[b].name : m->stations[station].name;
    size_t n = strlen(base) + 8;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, b != MODEL_NONE ? "%s" : "%s.queue", base);
    return s;
}

/* The fleet, the pick-up points of stations and sources, the cargo lists. */
static int build_fleet(flow_factory *f, ft_error *err)
{
    const model_desc *m = f->m;
    size_t n_points = m->n_stations + m->n_sources, nv = (size_t)m->fleet.vehicles;
    f->pickups = calloc(n_points, sizeof *f->pickups);
    f->cargo = calloc(nv, sizeof *f->cargo);
    f->rep_vehicles = calloc(nv, sizeof *f->rep_vehicles);
    f->now_vehicles = calloc(nv, sizeof *f->now_vehicles);
    if (!f->pickups || !f->cargo || !f->rep_vehicles || !f->now_vehicles)
        return ft_fail(err, NULL, 0, 0, "out of memory while building the fleet");
    for (size_t i = 0; i < n_points; i++) {
        bool station = i < m->n_stations;
        const char *owner = station ? m->stations[i].name : m->sources[i - m->n_stations].name;
        int node = station ? m->stations[i].pick : m->sources[i - m->n_stations].pick;
        long cap = station ? m->stations[i].out_capacity
                           : m->sources[i - m->n_stations].out_capacity;
        if (node == MODEL_NONE)
            continue;
        if (!(f->pickups[i] = flow_pickup_new(f, owner, (int)i, node, cap)))
            return ft_fail(err, NULL, 0, 0, "out of memory while building the fleet");
        if (!station)
            f->sources[i - m->n_stations]->pickup = f->pickups[i];
    }
    agv_hooks hooks = {f, flow_pickup_loaded, flow_pickup_unloaded, fleet_active};
    f->fleet = agv_fleet_new(m, f->s, f->seed, &hooks, err);
    return f->fleet ? 0 : -1;
}

flow_factory *flow_build(const model_desc *m, sim *s, uint64_t seed, ft_event_fn on_event,
                         void *ctx, ft_error *err)
{
    flow_factory *f = calloc(1, sizeof *f);
    if (!f)
        goto oom;
    f->m = m;
    f->s = s;
    f->seed = seed;
    f->on_event = on_event;
    f->event_ctx = ctx;
#ifndef NDEBUG
    f->check = true; /* Debug and sanitizer builds check as they go */
#endif
    f->t_reset = sim_now(s);
    f->max_items = m->run.max_items > 0 ? m->run.max_items : LONG_MAX;
    flow_obj_init(&f->sink, &sink_ops, "sink", f);
    stats_level_init(&f->wip, sim_now(s), 0);

    size_t ns = m->n_stations;
    f->queues = calloc(ns, sizeof *f->queues);
    f->stations = calloc(ns, sizeof *f->stations);
    f->conveyors = calloc(m->n_conveyors ? m->n_conveyors : 1, sizeof *f->conveyors);
    f->sources = calloc(m->n_sources ? m->n_sources : 1, sizeof *f->sources);
    f->products = calloc(m->n_products, sizeof *f->products);
    f->rep_stations = calloc(ns, sizeof *f->rep_stations);
    f->rep_buffers = calloc(ns, sizeof *f->rep_buffers);
    f->rep_products = calloc(m->n_products, sizeof *f->rep_products);
    f->now_stations = calloc(ns, sizeof *f->now_stations);
    f->now_conveyors = calloc(m->n_conveyors ? m->n_conveyors : 1, sizeof *f->now_conveyors);
    size_t n_bn = ns + (m->fleet.present ? AGV_BN_N : 0);
    f->bn_sole = calloc(n_bn, sizeof *f->bn_sole);
    f->bn_shift = calloc(n_bn, sizeof *f->bn_shift);
    f->bn = stats_bn_new(n_bn, sim_now(s));
    if (!f->queues || !f->stations || !f->conveyors || !f->sources || !f->products ||
        !f->rep_stations || !f->rep_buffers || !f->rep_products || !f->now_stations ||
        !f->now_conveyors || !f->bn_sole ||
        !f->bn_shift || !f->bn)
        goto oom;

    for (size_t i = 0; i < m->n_products; i++)
        if (!(f->products[i].cycle = stats_tally_new()))
            goto oom;
    for (size_t i = 0; i < ns; i++) {
        int b = model_station_input(m, (int)i);
        char *name = queue_name(m, (int)i);
        if (!name)
            goto oom;
        const model_station *st = &m->stations[i];
        f->queues[i] = flow_queue_new(f, name,
                                      b != MODEL_NONE ? m->buffers[b].capacity
                                                      : MODEL_INFINITE_CAPACITY,
                                      st->kind == MODEL_STATION_ASSEMBLY ? st->n_bom : 0);
        if (!f->queues[i]) {
            free(name);
            goto oom;
        }
        if (!(f->stations[i] = flow_station_new(f, &m->stations[i], (int)i)))
            goto oom;
        f->queues[i]->consumer = f->stations[i];
        f->stations[i]->input = f->queues[i];
    }
    for (size_t i = 0; i < m->n_conveyors; i++)
        if (!(f->conveyors[i] = flow_conveyor_new(f, &m->conveyors[i],
                                                  &f->queues[m->conveyors[i].to]->obj)))
            goto oom;
    for (size_t i = 0; i < m->n_sources; i++)
        if (!(f->sources[i] = flow_source_new(f, &m->sources[i])))
            goto oom;
    if (m->fleet.present && build_fleet(f, err)) {
        flow_free(f);
        return NULL;
    }
    return f;
oom:
    flow_free(f);
    ft_fail(err, NULL, 0, 0, "out of memory while building the factory");
    return NULL;
}

int flow_start(flow_factory *f, ft_error *err)
{
    for (size_t i = 0; i < f->m->n_stations; i++)
        if (flow_station_start(f->stations[i], err))
            return -1;
    for (size_t i = 0; i < f->m->n_sources; i++)
        if (flow_source_start(f->sources[i], err))
            return -1;
    return 0;
}

void flow_reset_stats(flow_factory *f)
{
    double now = flow_now(f);
    f->t_reset = now;
    stats_level_reset(&f->wip, now);
    f->exits = 0;
    f->sojourn_sum_s = 0;
    for (size_t i = 0; i < f->m->n_products; i++) {
        f->products[i].produced = f->products[i].scrapped = f->products[i].consumed = 0;
        f->products[i].quantity = 0;
        stats_tally_reset(f->products[i].cycle);
    }
    for (size_t i = 0; i < f->m->n_stations; i++) {
        flow_station_reset_stats(f->stations[i]);
        stats_level_reset(&f->queues[i]->level, now);
    }
    stats_bn_reset(f->bn, now);
    if (f->fleet)
        agv_fleet_reset_stats(f->fleet);
}

/* ---- initial state ------------------------------------------------------ */

static int find_product(flow_factory *f, const char *product, ft_error *err)
{
    int p = model_find_product(f->m, product);
    if (p == MODEL_NONE)
        ft_fail(err, NULL, 0, 0, "unknown product '%s'", product);
    return p;
}

static int check_release(flow_factory *f, double quantity, double released_s, ft_error *err)
{
    if (!(quantity > 0) || !isfinite(quantity))
        return ft_fail(err, NULL, 0, 0, "quantity must be a positive number");
    if (!(released_s <= flow_now(f)))
        return ft_fail(err, NULL, 0, 0, "release time %.3f s is after the current time %.3f s",
                       released_s, flow_now(f));
    return 0;
}

/* The routing step of product p at station st (its first visit), or -1. */
static int step_at(const model_desc *m, int p, int st)
{
    for (size_t k = 0; k < m->products[p].n_steps; k++)
        if (m->products[p].steps[k].station == st)
            return (int)k;
    return -1;
}

static int place_target(flow_factory *f, const char *at, int p, int *station, ft_error *err)
{
    int st = model_find_station(f->m, at);
    if (st == MODEL_NONE) {
        int b = model_find_buffer(f->m, at);
        if (b == MODEL_NONE)
            return ft_fail(err, NULL, 0, 0, "no station or buffer named '%s'", at);
        st = f->m->buffers[b].feeds;
    }
    if (step_at(f->m, p, st) < 0)
        return ft_fail(err, NULL, 0, 0, "product '%s' does not visit station '%s'",
                       f->m->products[p].name, f->m->stations[st].name);
    *station = st;
    return 0;
}

int flow_place_item(flow_factory *f, const char *at, const char *product, double quantity,
                    double released_s, ft_error *err)
{
    int p = find_product(f, product, err), st;
    if (p < 0 || check_release(f, quantity, released_s, err) ||
        place_target(f, at, p, &st, err))
        return -1;
    flow_item *it = flow_item_new(f, NULL, (model_pos){0, 0}, p, quantity, released_s);
    if (!it)
        return ft_fail(err, NULL, 0, 0, "out of memory");
    it->step = step_at(f->m, p, st);
    flow_item_created(f, it);
    flow_queue_place(f->queues[st], it);
    return 0;
}

int flow_place_job(flow_factory *f, const char *station, const char *product, double quantity,
                   double released_s, double remaining_s, ft_error *err)
{
    int p = find_product(f, product, err), st;
    if (p < 0 || check_release(f, quantity, released_s, err))
        return -1;
    if ((st = model_find_station(f->m, station)) == MODEL_NONE)
        return ft_fail(err, NULL, 0, 0, "no station named '%s'", station);
    if (place_target(f, station, p, &st, err))
        return -1;
    if (!(remaining_s >= 0) || !isfinite(remaining_s))
        return ft_fail(err, NULL, 0, 0, "remaining process time must be >= 0");
    flow_item *it = flow_item_new(f, NULL, (model_pos){0, 0}, p, quantity, released_s);
    if (!it)
        return ft_fail(err, NULL, 0, 0, "out of memory");
    it->step = step_at(f->m, p, st);
    flow_item_created(f, it);
    if (flow_station_place_job(f->stations[st], it, remaining_s, err)) {
        flow_item_consumed(f, it);
        return -1;
    }
    return 0;
}

int flow_place_failure(flow_factory *f, const char *station, double repair_s, ft_error *err)
{
    int st = model_find_station(f->m, station);
    if (st == MODEL_NONE)
        return ft_fail(err, NULL, 0, 0, "no station named '%s'", station);
    if (!(repair_s > 0) || !isfinite(repair_s))
        return ft_fail(err, NULL, 0, 0, "remaining repair time must be > 0");
    flow_station_place_failure(f->stations[st], repair_s);
    return 0;
}
