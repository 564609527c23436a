/* flow_check.c -- the engine's invariants, checked while it runs.
 *
 * flow_run_until steps the kernel one event at a time and, at the end of
 * every instant (when the next event lies later, so the state now is the
 * state that lasts), checks what must always hold:
 *   - time never goes back;
 *   - item conservation, per product: items that entered (released, placed,
 *     made by assembly or split) = items in the plant + produced + scrapped
 *     + consumed (by assembly or split), and every item where its routing
 *     says it is;
 *   - buffers, conveyors and pick-up points within their capacity, AGV
 *     reservations equal to the items on their way;
 *   - each station's servers in exactly one state, state times adding up to
 *     the period (so the shares sum to 1), work in progress with its end
 *     scheduled while the station is up and none while it is down, failure
 *     and maintenance clocks running;
 *   - nothing waiting without a cause, the mark of a lost wake-up: an up
 *     station with an idle server (or an assembly short of a part) while its
 *     queue holds an item it would take; a finished item (a blocked server,
 *     a conveyor's head, a source's backlog) whose next place would take it;
 *     an item at a pick-up point whose destination has room; a conveyor
 *     without its next arrival; an idle vehicle while transports wait; a
 *     vehicle with somewhere to go and no routing step coming (agv_check.c).
 * Mid-instant states are left alone: an item between two objects, or a wake
 * still to come at the same time, is normal there.
 *
 * The first violation stops the run: an error saying what, where, when and
 * which items. Cost: O(objects + items in the plant) per instant, which is
 * why it is on by default only in builds without NDEBUG (Debug and the
 * sanitizer builds) and with `fabtwin run --check`. Without it,
 * flow_run_until is sim_run_until behind one branch. The item walk is
 * skipped on most instants while more than WALK_LIMIT items are in the
 * plant, so an overloaded plant with a growing queue stays linear. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agv/agv.h"
#include "flow_internal.h"
#include "model/model.h"

enum { WALK_LIMIT = 4096, WALK_EVERY = 256 };

struct flow_checker {
    double last_t;        /* the last instant checked */
    uint64_t instants;
    long *allow;          /* per queue: the most it may hold (its capacity, or more while
                             an initial state placed more) */
    long *count;          /* per product: items in the plant (scratch) */
    long *transit;        /* per queue: items on their way by AGV (scratch) */
    long *promised;       /* per pick-up: transports asked for, not loaded (scratch) */
};

void flow_check_free(flow_checker *c)
{
    if (!c)
        return;
    free(c->allow);
    free(c->count);
    free(c->transit);
    free(c->promised);
    free(c);
}

void flow_set_check(flow_factory *f, bool on)
{
    f->check = on;
}

void flow_test_set_faults(flow_factory *f, unsigned faults)
{
    f->faults = faults;
}

/* ---- reporting ---------------------------------------------------------- */

static int violation(flow_factory *f, ft_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int violation(flow_factory *f, ft_error *err, const char *fmt, ...)
{
    char what[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return ft_fail(err, f->m->path, 0, 0, "invariant violated at t = %.6f s: %s", flow_now(f),
                   what);
}

static const char *product_name(const flow_factory *f, const flow_item *it)
{
    return f->m->products[it->product].name;
}

static bool pending(const flow_factory *f, sim_event_id id)
{
    return id != SIM_NO_EVENT && sim_event_time(f->s, id) >= 0;
}

/* ---- would it be taken? (each object's offer, without its side effects) - */


static bool queue_takes(const flow_queue *q, const flow_item *it)
{
    return (q->items.count == 0 && flow_station_takes(q->consumer, it)) ||
           flow_queue_has_room(q, it);
}

/* A conveyor refuses while full, while stopped (non-accumulating, head
 * blocked), or until its entry gap opens -- then a gap event is pending. */
static bool conveyor_takes(const flow_factory *f, const flow_conveyor *c)
{
    return c->items.count < c->capacity && !(c->stopped && !c->def->accumulating) &&
           !pending(f, c->gap);
}

static bool pickup_takes(const flow_pickup *p)
{
    return p->capacity == MODEL_INFINITE_CAPACITY ||
           p->waiting.count + p->ready.count < p->capacity;
}

/* Would the place an item leaving `from` (a station, or MODEL_NONE for a
 * source without a pick-up) goes to take it now? Names it in *where. */
static bool next_takes(flow_factory *f, const flow_item *it, int from, const char **where)
{
    flow_obj *to = flow_route(f, it, from);
    *where = to->name;
    if (from != MODEL_NONE && f->pickups && f->pickups[from])
        return pickup_takes(f->pickups[from]);
    int dest = flow_destination(f, it);
    if ((size_t)dest == f->m->n_stations)
        return true;
    int c = from != MODEL_NONE ? model_find_conveyor(f->m, from, dest) : MODEL_NONE;
    if (c != MODEL_NONE)
        return conveyor_takes(f, f->conveyors[c]);
    return queue_takes(f->queues[dest], it);
}

/* ---- stations ----------------------------------------------------------- */

static int check_servers(flow_factory *f, flow_station *st, ft_error *err)
{
    int n[SRV_N_STATES] = {0};
    bool up = flow_station_up(st);
    for (int k = 0; k < st->n_servers; k++) {
        const flow_server *sv = &st->servers[k];
        n[sv->state]++;
        bool busy = sv->state == SRV_SETUP || sv->state == SRV_WORKING;
        if (busy != (sv->item != NULL) || (sv->state == SRV_BLOCKED) != (sv->out.count > 0))
            return violation(f, err, "station '%s' server %d is in state %d with %s item in "
                             "process and %ld finished", st->obj.name, k, (int)sv->state,
                             sv->item ? "an" : "no", sv->out.count);
        if (busy && up && !pending(f, sv->done))
            return violation(f, err, "station '%s' is up and server %d works on item %llu "
                             "(%s), but the end of its %s is not scheduled", st->obj.name, k,
                             (unsigned long long)sv->item->id, product_name(f, sv->item),
                             sv->state == SRV_SETUP ? "setup" : "process");
        if (!up && pending(f, sv->done))
            return violation(f, err, "station '%s' is down but server %d goes on working",
                             st->obj.name, k);
    }
    for (int s = 0; s < SRV_N_STATES; s++)
        if (n[s] != st->n_local[s])
            return violation(f, err, "station '%s' counts %d servers in state %d, but %d are",
                             st->obj.name, st->n_local[s], s, n[s]);
    if (st->n_blocked_fifo != n[SRV_BLOCKED])
        return violation(f, err, "station '%s' has %d blocked servers but %d in its queue of "
                         "blocked servers", st->obj.name, n[SRV_BLOCKED], st->n_blocked_fifo);
    if (st->operating != (up && n[SRV_WORKING] > 0))
        return violation(f, err, "station '%s' %s operating but has %d working servers and is "
                         "%s", st->obj.name, st->operating ? "counts as" : "does not count as",
                         n[SRV_WORKING], up ? "up" : "down");
    return 0;
}

/* State times add up to the period: the shares in the report sum to 1. */
static int check_times(flow_factory *f, flow_station *st, ft_error *err)
{
    double sum = 0, want = (st->t_acc - f->t_reset) * st->n_servers;
    for (int s = 0; s < FT_N_STATES; s++) {
        if (!(st->state_s[s] >= 0))
            return violation(f, err, "station '%s' has %g s in state %s", st->obj.name,
                             st->state_s[s], ft_state_name((ft_state)s));
        sum += st->state_s[s];
    }
    if (fabs(sum - want) > 1e-6 * (1 + fabs(want)))
        return violation(f, err, "station '%s': its state times add up to %.9g server-s, not "
                         "%.9g", st->obj.name, sum, want);
    return 0;
}

static int check_downtime(flow_factory *f, flow_station *st, ft_error *err)
{
    int down = 0;
    for (size_t i = 0; i < st->def->n_failures; i++) {
        const flow_failure_rt *fr = &st->failures[i];
        if (!fr->armed)
            continue;
        down += fr->down;
        bool want = fr->down || !fr->def->by_operating_time || st->operating;
        if (want != pending(f, fr->next))
            return violation(f, err, "station '%s' failure mode '%s' (%s) %s its next %s "
                             "scheduled", st->obj.name, fr->def->name,
                             fr->def->by_operating_time ? "operating clock" : "calendar clock",
                             want ? "does not have" : "has", fr->down ? "repair" : "failure");
    }
    if (st->n_failed < down)
        return violation(f, err, "station '%s' counts %d failures, but %d modes are down",
                         st->obj.name, st->n_failed, down);
    if (st->def->maintenance.every_s > 0 && !pending(f, st->maint_event))
        return violation(f, err, "station '%s' has no next maintenance scheduled",
                         st->obj.name);
    return 0;
}

/* The stalls of a station: its queue holds what it would take, or a
 * finished item waits for a place that would take it. */
static int check_station_stalls(flow_factory *f, flow_station *st, ft_error *err)
{
    const flow_queue *q = st->input;
    bool assembly = st->def->kind == MODEL_STATION_ASSEMBLY;
    if (assembly && flow_station_up(st) && flow_station_kit_complete(st) &&
        st->n_local[SRV_IDLE] > 0)
        return violation(f, err, "assembly '%s' is up with an idle server and a complete kit "
                         "but does not start", st->obj.name);
    for (const flow_item *it = q->items.head; it; it = assembly ? it->next : NULL)
        if (flow_station_takes(st, it))
            return violation(f, err, "station '%s' is up and would take item %llu (%s) "
                             "waiting in '%s', but nobody offers it: a lost wake-up",
                             st->obj.name, (unsigned long long)it->id, product_name(f, it),
                             q->obj.name);
    for (int k = 0; k < st->n_servers; k++) {
        const flow_item *it = st->servers[k].out.head;
        const char *where;
        if (it && next_takes(f, it, st->index, &where))
            return violation(f, err, "station '%s' server %d is blocked with item %llu (%s), "
                             "but '%s' would take it: a lost wake-up", st->obj.name, k,
                             (unsigned long long)it->id, product_name(f, it), where);
    }
    return 0;
}

/* ---- queues, conveyors, pick-up points, sources ------------------------- */

/* The level that counts against a queue's capacity: items and places held
 * for AGV deliveries; per part for an assembly's lanes (the fullest). */
static long queue_level(const flow_queue *q)
{
    if (q->consumer->def->kind != MODEL_STATION_ASSEMBLY)
        return q->items.count + q->reserved_total;
    long most = 0;
    for (size_t i = 0; i < q->consumer->def->n_bom; i++) {
        int p = q->consumer->def->bom[i].product;
        long n = q->reserved[i]; /* lane i: bill-of-materials line i */
        for (const flow_item *it = q->items.head; it; it = it->next)
            n += it->product == p;
        if (n > most)
            most = n;
    }
    return most;
}

static int check_queue(flow_factory *f, flow_checker *c, size_t i, ft_error *err)
{
    const flow_queue *q = f->queues[i];
    long level = queue_level(q), reserved = 0;
    if (q->reserved_total < 0)
        return violation(f, err, "'%s' holds %ld places", q->obj.name, q->reserved_total);
    /* an assembly's queue keeps its places per part (lanes); others only the total */
    for (size_t k = 0; q->reserved && k < q->consumer->def->n_bom; k++) {
        if (q->reserved[k] < 0)
            return violation(f, err, "'%s' holds %ld places for %s", q->obj.name,
                             q->reserved[k],
                             f->m->products[q->consumer->def->bom[k].product].name);
        reserved += q->reserved[k];
    }
    if (q->reserved && reserved != q->reserved_total)
        return violation(f, err, "'%s' holds %ld places in total but %ld per part",
                         q->obj.name, q->reserved_total, reserved);
    if (q->capacity == MODEL_INFINITE_CAPACITY)
        return 0;
    /* Placed over capacity, a queue only drains until it is within it. */
    if (c->allow[i] < 0 || level < c->allow[i])
        c->allow[i] = level > q->capacity ? level : q->capacity;
    if (level > c->allow[i])
        return violation(f, err, "'%s' holds %ld items and reserved places, more than its "
                         "capacity %ld", q->obj.name, level, q->capacity);
    return 0;
}

static int check_conveyor(flow_factory *f, flow_conveyor *cv, ft_error *err)
{
    if (cv->items.count > cv->capacity)
        return violation(f, err, "conveyor '%s' carries %ld items, more than its %ld places",
                         cv->obj.name, cv->items.count, cv->capacity);
    if (!cv->def->accumulating && cv->stopped != cv->head_waiting)
        return violation(f, err, "conveyor '%s' is %s while its head item %s",
                         cv->obj.name, cv->stopped ? "stopped" : "running",
                         cv->head_waiting ? "waits at the end" : "travels");
    const flow_item *head = cv->items.head;
    if (!head)
        return 0;
    if (!cv->head_waiting && !pending(f, cv->arrival))
        return violation(f, err, "conveyor '%s' carries item %llu (%s) at its head, but its "
                         "arrival is not scheduled", cv->obj.name,
                         (unsigned long long)head->id, product_name(f, head));
    if (cv->head_waiting && queue_takes(f->queues[cv->def->to], head))
        return violation(f, err, "conveyor '%s' holds item %llu (%s) at its end, but '%s' "
                         "would take it: a lost wake-up", cv->obj.name,
                         (unsigned long long)head->id, product_name(f, head),
                         f->queues[cv->def->to]->obj.name);
    return 0;
}

static int check_pickup(flow_factory *f, flow_checker *c, flow_pickup *p, ft_error *err)
{
    long held = p->waiting.count + p->ready.count;
    if (p->capacity != MODEL_INFINITE_CAPACITY && held > p->capacity)
        return violation(f, err, "pick-up '%s' holds %ld items, more than its %ld places",
                         p->obj.name, held, p->capacity);
    for (const flow_item *it = p->waiting.head; it; it = it->next) {
        int dest = flow_destination(f, it);
        if ((size_t)dest == f->m->n_stations || flow_queue_has_room(f->queues[dest], it))
            return violation(f, err, "item %llu (%s) waits at pick-up '%s' for a place at "
                             "'%s', which has room: a lost wake-up",
                             (unsigned long long)it->id, product_name(f, it), p->obj.name,
                             (size_t)dest == f->m->n_stations ? "sink"
                                                              : f->queues[dest]->obj.name);
    }
    if (p->ready.count != c->promised[p->index])
        return violation(f, err, "pick-up '%s' has %ld items with a place reserved, but the "
                         "fleet knows of %ld transports from there", p->obj.name,
                         p->ready.count, c->promised[p->index]);
    return 0;
}

static int check_source(flow_factory *f, flow_source *src, ft_error *err)
{
    const model_source *d = src->def;
    const flow_item *head = src->backlog.head;
    if (head) {
        const char *where = src->pickup ? src->pickup->obj.name : "";
        bool takes = src->pickup ? pickup_takes(src->pickup)
                                 : next_takes(f, head, MODEL_NONE, &where);
        if (takes)
            return violation(f, err, "source '%s' holds item %llu (%s), but '%s' would take "
                             "it: a lost wake-up", src->obj.name,
                             (unsigned long long)head->id, product_name(f, head), where);
        return 0;
    }
    bool want = false;
    switch (d->kind) {
    case MODEL_SOURCE_INTERARRIVAL: want = !flow_source_limit_reached(src); break;
    case MODEL_SOURCE_ORDERS: want = src->next_order < d->n_orders; break;
    case MODEL_SOURCE_ALWAYS:
        if (flow_now(f) >= d->start_s && !flow_source_limit_reached(src))
            return violation(f, err, "source '%s' always has material but releases nothing",
                             src->obj.name);
        want = flow_now(f) < d->start_s;
        break;
    }
    if (want && !pending(f, src->next))
        return violation(f, err, "source '%s' has more to release but nothing scheduled",
                         src->obj.name);
    return 0;
}

/* ---- items -------------------------------------------------------------- */

/* Count an item; `at` (a station index, or -1) is where its routing must
 * have it now. */
static int see(flow_factory *f, flow_checker *c, const flow_item *it, int at, const char *where,
               ft_error *err)
{
    if (it->product < 0 || (size_t)it->product >= f->m->n_products)
        return violation(f, err, "an item in '%s' has product %d", where, it->product);
    c->count[it->product]++;
    if (at >= 0 && flow_destination(f, it) != at)
        return violation(f, err, "item %llu (%s) is in '%s' but its routing step %d is at "
                         "'%s'", (unsigned long long)it->id, product_name(f, it), where,
                         it->step, (size_t)flow_destination(f, it) == f->m->n_stations
                                       ? "sink"
                                       : f->m->stations[flow_destination(f, it)].name);
    return 0;
}

static int see_list(flow_factory *f, flow_checker *c, const flow_list *l, int at,
                    const char *where, ft_error *err)
{
    long n = 0;
    for (const flow_item *it = l->head; it; it = it->next, n++)
        if (see(f, c, it, at, where, err))
            return -1;
    if (n != l->count)
        return violation(f, err, "'%s' counts %ld items but holds %ld", where, l->count, n);
    return 0;
}

/* Items on their way by AGV to a station's queue: they hold a place there. */
static void in_transit(flow_factory *f, flow_checker *c, const flow_list *l)
{
    for (const flow_item *it = l->head; it; it = it->next) {
        int d = flow_destination(f, it);
        if ((size_t)d < f->m->n_stations)
            c->transit[d]++;
    }
}

/* Every item where it is, counted per product; AGV reservations matched. */
static int walk_items(flow_factory *f, flow_checker *c, ft_error *err)
{
    const model_desc *m = f->m;
    memset(c->count, 0, m->n_products * sizeof *c->count);
    memset(c->transit, 0, m->n_stations * sizeof *c->transit);
    for (size_t i = 0; i < m->n_stations; i++) {
        flow_station *st = f->stations[i];
        if (see_list(f, c, &f->queues[i]->items, (int)i, f->queues[i]->obj.name, err) ||
            see_list(f, c, &st->kit, (int)i, st->obj.name, err))
            return -1;
        for (int k = 0; k < st->n_servers; k++) {
            const flow_server *sv = &st->servers[k];
            if ((sv->item && see(f, c, sv->item, (int)i, st->obj.name, err)) ||
                see_list(f, c, &sv->out, -1, st->obj.name, err))
                return -1;
        }
    }
    for (size_t i = 0; i < m->n_conveyors; i++)
        if (see_list(f, c, &f->conveyors[i]->items, m->conveyors[i].to, m->conveyors[i].name,
                     err))
            return -1;
    for (size_t i = 0; f->pickups && i < m->n_stations + m->n_sources; i++) {
        flow_pickup *p = f->pickups[i];
        if (p && (see_list(f, c, &p->waiting, -1, p->obj.name, err) ||
                  see_list(f, c, &p->ready, -1, p->obj.name, err)))
            return -1;
        if (p)
            in_transit(f, c, &p->ready);
    }
    for (int v = 0; f->fleet && v < agv_fleet_size(f->fleet); v++) {
        int dest, n = agv_fleet_aboard(f->fleet, v, &dest);
        const char *who = agv_fleet_vehicle_name(f->fleet, v);
        if (see_list(f, c, &f->cargo[v], n ? dest : -1, who, err))
            return -1;
        if (f->cargo[v].count != n)
            return violation(f, err, "vehicle %s carries %ld items but its task says %d", who,
                             f->cargo[v].count, n);
        in_transit(f, c, &f->cargo[v]);
    }
    for (size_t i = 0; i < m->n_stations; i++)
        if (c->transit[i] != f->queues[i]->reserved_total)
            return violation(f, err, "'%s' holds %ld places for AGV deliveries, but %ld items "
                             "are on their way there", f->queues[i]->obj.name,
                             f->queues[i]->reserved_total, c->transit[i]);
    for (size_t p = 0; p < m->n_products; p++) {
        const flow_product_stats *ps = &f->products[p];
        uint64_t out = ps->ledger_produced + ps->ledger_scrapped + ps->ledger_consumed;
        if (ps->ledger_in != (uint64_t)c->count[p] + out)
            return violation(f, err, "%s: %llu items entered the plant, but %ld are in it, "
                             "%llu produced, %llu scrapped and %llu consumed",
                             m->products[p].name, (unsigned long long)ps->ledger_in,
                             c->count[p], (unsigned long long)ps->ledger_produced,
                             (unsigned long long)ps->ledger_scrapped,
                             (unsigned long long)ps->ledger_consumed);
    }
    return 0;
}

/* Items in the plant, from the lists' own counts (cheap). */
static long plant_items(const flow_factory *f)
{
    const model_desc *m = f->m;
    long n = 0;
    for (size_t i = 0; i < m->n_stations; i++) {
        const flow_station *st = f->stations[i];
        n += f->queues[i]->items.count + st->kit.count;
        for (int k = 0; k < st->n_servers; k++)
            n += (st->servers[k].item != NULL) + st->servers[k].out.count;
    }
    for (size_t i = 0; i < m->n_conveyors; i++)
        n += f->conveyors[i]->items.count;
    for (size_t i = 0; f->pickups && i < m->n_stations + m->n_sources; i++)
        if (f->pickups[i])
            n += f->pickups[i]->waiting.count + f->pickups[i]->ready.count;
    for (int v = 0; f->fleet && v < agv_fleet_size(f->fleet); v++)
        n += f->cargo[v].count;
    return n;
}

/* ---- the check ---------------------------------------------------------- */

static flow_checker *checker_of(flow_factory *f)
{
    if (f->checker)
        return f->checker;
    const model_desc *m = f->m;
    flow_checker *c = calloc(1, sizeof *c);
    size_t np = m->n_stations + m->n_sources;
    if (!c || !(c->allow = malloc(m->n_stations * sizeof *c->allow)) ||
        !(c->count = calloc(m->n_products, sizeof *c->count)) ||
        !(c->transit = calloc(m->n_stations, sizeof *c->transit)) ||
        !(c->promised = calloc(np ? np : 1, sizeof *c->promised))) {
        flow_check_free(c);
        return NULL;
    }
    for (size_t i = 0; i < m->n_stations; i++)
        c->allow[i] = -1;
    c->last_t = -INFINITY;
    return f->checker = c;
}

int flow_check_now(flow_factory *f, ft_error *err)
{
    flow_checker *c = checker_of(f);
    if (!c)
        return ft_fail(err, NULL, 0, 0, "out of memory while checking the invariants");
    const model_desc *m = f->m;
    double now = flow_now(f);
    if (now < c->last_t || sim_next_time(f->s) < now)
        return violation(f, err, "time went back (last instant %.6f s, next event %.6f s)",
                         c->last_t, sim_next_time(f->s));
    c->last_t = now;
    for (size_t i = 0; i < m->n_stations; i++) {
        flow_station *st = f->stations[i];
        if (check_servers(f, st, err) || check_times(f, st, err) ||
            check_downtime(f, st, err) || check_station_stalls(f, st, err) ||
            check_queue(f, c, i, err))
            return -1;
    }
    for (size_t i = 0; i < m->n_conveyors; i++)
        if (check_conveyor(f, f->conveyors[i], err))
            return -1;
    for (size_t i = 0; i < m->n_sources; i++)
        if (check_source(f, f->sources[i], err))
            return -1;
    if (f->fleet) {
        char why[600];
        if (agv_fleet_check(f->fleet, why, sizeof why))
            return violation(f, err, "%s", why);
        memset(c->promised, 0, (m->n_stations + m->n_sources) * sizeof *c->promised);
        agv_fleet_promised(f->fleet, c->promised);
        for (size_t i = 0; i < m->n_stations + m->n_sources; i++)
            if (f->pickups[i] && check_pickup(f, c, f->pickups[i], err))
                return -1;
    }
    if (c->instants++ % WALK_EVERY == 0 || plant_items(f) <= WALK_LIMIT)
        return walk_items(f, c, err);
    return 0;
}

static bool run_stopped(const flow_factory *f)
{
    return sim_error(f->s) || sim_stalled(f->s) || flow_failed(f);
}

int flow_run_until(flow_factory *f, double t_end_s, ft_error *err)
{
    if (!f->check) {
        sim_run_until(f->s, t_end_s);
        return 0;
    }
    sim *s = f->s;
    if (!(t_end_s >= sim_now(s)))
        return 0;
    /* A kernel error, a stalled clock or the item cap stop the run (the
     * caller says why); what the failing event left half done is no
     * violation of the engine's. */
    while (!run_stopped(f) && sim_next_time(s) <= t_end_s) {
        sim_step(s);
        if (!run_stopped(f) && sim_next_time(s) > sim_now(s) && flow_check_now(f, err))
            return -1;
    }
    if (run_stopped(f))
        return 0;
    sim_run_until(s, t_end_s); /* nothing is left to run: only sets the clock */
    return 0;
}
