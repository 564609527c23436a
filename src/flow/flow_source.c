/* flow_source.c -- order release: where items enter the plant.
 *
 * Three kinds: a renewal process (one item every `interarrival`), a release
 * schedule (rows of an order list, each due at its time) and raw material
 * that is always available (an item is released whenever the first station
 * has room). Items that are due but cannot enter wait in the source's
 * backlog, in order; an interarrival source is blocked meanwhile: its next
 * inter-arrival time starts when the waiting item has entered. An item's
 * release time is the moment it enters, not the moment it fell due.
 *
 * Order rows are released lazily: a row of 10^9 items that falls due is a
 * count, and its items are made one at a time as the plant takes them, so
 * the backlog never holds more than the one item the plant last refused. */
#include <stdlib.h>

#include "flow_internal.h"
#include "model/model.h"

static void arrival_event(sim *s, void *obj, intptr_t arg);

bool flow_source_limit_reached(const flow_source *src)
{
    return src->def->limit > 0 && src->released + src->backlog.count >= src->def->limit;
}

static void add_to_backlog(flow_source *src, int product, double quantity)
{
    flow_item *it = flow_item_new(src->obj.f, &src->obj, src->def->pos, product, quantity,
                                  flow_now(src->obj.f));
    if (it)
        flow_list_push(&src->backlog, it);
}

/* The next item of the due order rows into the backlog; false when none
 * is due. Rows [due_row, next_order) are due; due_left items of due_row
 * are still to be made. */
static bool next_due(flow_source *src)
{
    const model_source *d = src->def;
    while (src->due_left == 0 && src->due_row < src->next_order)
        if (++src->due_row < src->next_order)
            src->due_left = d->orders[src->due_row].count;
    if (src->due_left == 0)
        return false;
    const model_order *o = &d->orders[src->due_row];
    add_to_backlog(src, o->product, o->quantity);
    src->due_left--;
    return true;
}

/* Offer the backlog, oldest first, until the plant refuses. */
static void release(flow_source *src)
{
    flow_factory *f = src->obj.f;
    for (;;) {
        if (flow_failed(f))
            break;
        if (!src->backlog.head) {
            if (src->def->kind == MODEL_SOURCE_ORDERS) {
                if (!next_due(src))
                    break;
            } else if (src->def->kind != MODEL_SOURCE_ALWAYS ||
                       flow_source_limit_reached(src)) {
                break;
            } else {
                add_to_backlog(src, src->def->product, src->def->quantity);
            }
        }
        flow_item *it = flow_list_pop(&src->backlog);
        if (!it)
            break; /* out of memory: the run stops */
        it->step = 0;
        it->released_s = flow_now(f);
        flow_item_created(f, it);
        flow_obj *to = src->pickup ? &src->pickup->obj : flow_route(f, it, MODEL_NONE);
        if (flow_offer(to, it, &src->obj) != FLOW_ACCEPT) {
            flow_item_uncreated(f, it); /* it never entered */
            flow_list_insert_after(&src->backlog, NULL, it); /* back in front */
            break;
        }
        src->released++;
        flow_trace(f, FT_EVENT_RELEASE, src->obj.name, it, "");
    }
    if (src->def->kind == MODEL_SOURCE_INTERARRIVAL && !src->backlog.head &&
        src->next == SIM_NO_EVENT && !flow_source_limit_reached(src))
        src->next = sim_schedule(f->s, sim_dist_sample(&src->def->interarrival_s, &src->rng),
                                 arrival_event, src, 0);
}

static void arrival_event(sim *s, void *obj, intptr_t arg)
{
    flow_source *src = obj;
    src->next = SIM_NO_EVENT;
    add_to_backlog(src, src->def->product, src->def->quantity);
    release(src);
}

static void order_event(sim *s, void *obj, intptr_t arg)
{
    flow_source *src = obj;
    const model_source *d = src->def;
    src->next = SIM_NO_EVENT;
    if (src->due_left == 0 && src->due_row == src->next_order &&
        src->next_order < d->n_orders && d->orders[src->next_order].time_s <= sim_now(s))
        src->due_left = d->orders[src->next_order].count; /* the first row falling due */
    while (src->next_order < d->n_orders && d->orders[src->next_order].time_s <= sim_now(s))
        src->next_order++;
    if (src->next_order < d->n_orders)
        src->next = sim_schedule_at(s, d->orders[src->next_order].time_s, order_event, src, 0);
    release(src);
}

bool flow_source_may_release(const flow_source *src, int product)
{
    const model_source *d = src->def;
    for (const flow_item *it = src->backlog.head; it; it = it->next)
        if (it->product == product)
            return true;
    if (flow_source_limit_reached(src))
        return false;
    switch (d->kind) {
    case MODEL_SOURCE_INTERARRIVAL:
    case MODEL_SOURCE_ALWAYS:
        return d->product == product;
    case MODEL_SOURCE_ORDERS:
        /* rows from due_row on: the one being made (if items are left), the
         * due ones behind it, and those not yet due */
        for (size_t k = src->due_row; k < d->n_orders; k++)
            if (d->orders[k].product == product &&
                !(k == src->due_row && k < src->next_order && src->due_left == 0))
                return true;
        return false;
    }
    return true;
}

static flow_answer source_offer(flow_obj *self, flow_item *it, flow_obj *from)
{
    return FLOW_FULL; /* nothing flows into a source */
}

static void source_resume(flow_obj *self)
{
    release((flow_source *)self);
}

static const flow_ops source_ops = {source_offer, source_resume};

flow_source *flow_source_new(struct flow_factory *f, const model_source *def)
{
    flow_source *src = calloc(1, sizeof *src);
    if (!src)
        return NULL;
    flow_obj_init(&src->obj, &source_ops, def->name, f);
    src->def = def;
    char name[FLOW_STREAM_NAME_BYTES];
    snprintf(name, sizeof name, "source/%s/arrival", def->name);
    sim_rng_init(&src->rng, f->seed, name);
    return src;
}

void flow_source_free(flow_source *src)
{
    if (!src)
        return;
    flow_item *it;
    while ((it = flow_list_pop(&src->backlog)))
        free(it);
    flow_obj_fini(&src->obj);
    free(src);
}

int flow_source_start(flow_source *src, ft_error *err)
{
    flow_factory *f = src->obj.f;
    const model_source *d = src->def;
    double now = flow_now(f), start = d->start_s > now ? d->start_s : now;
    switch (d->kind) {
    case MODEL_SOURCE_INTERARRIVAL:
        src->next = sim_schedule_at(f->s, start + sim_dist_sample(&d->interarrival_s, &src->rng),
                                    arrival_event, src, 0);
        break;
    case MODEL_SOURCE_ORDERS:
        if (d->n_orders) {
            double t = d->orders[0].time_s;
            src->next = sim_schedule_at(f->s, t > now ? t : now, order_event, src, 0);
        }
        break;
    case MODEL_SOURCE_ALWAYS:
        if (start > now)
            src->next = sim_schedule_at(f->s, start, arrival_event, src, 0);
        else
            release(src);
        break;
    }
    (void)err;
    return 0;
}
