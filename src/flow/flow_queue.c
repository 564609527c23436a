/* flow_queue.c -- a station's input queue (a buffer), FIFO, finite or not.
 *
 * The queue accepts an item while it holds fewer than `capacity` items, or
 * hands it straight to its station when the station takes it (so a buffer
 * of capacity 0 is the classic "no buffer": the upstream server stays
 * blocked until the station is free). It pushes items to its station in
 * order; an item the station does not want (an assembly that has enough of
 * that part) is skipped, so one missing part never hides another.
 *
 * An AGV reserves its place before it sets off (flow_queue_reserve), so a
 * loaded vehicle never waits at a full queue: reserved places count as
 * taken for everyone else until the vehicle delivers. */
#include <assert.h>
#include <stdlib.h>

#include "flow_internal.h"
#include "model/model.h"

/* Items of product p in the queue. */
static long count_of(const flow_queue *q, int p)
{
    long n = 0;
    for (const flow_item *it = q->items.head; it; it = it->next)
        n += it->product == p;
    return n;
}

/* The places reserved in product p's lane of a queue feeding an assembly
 * (the bill is sorted by product: a binary search), or NULL elsewhere.
 * Lanes are per bill line, not per product of the model: a counter per
 * product at every queue would cost stations x products memory. */
static long *lane(const flow_queue *q, int p)
{
    if (!q->reserved)
        return NULL;
    const model_station *st = q->consumer->def;
    size_t lo = 0, hi = st->n_bom;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->bom[mid].product < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    assert(lo < st->n_bom && st->bom[lo].product == p); /* the loader checks every part */
    return &q->reserved[lo];
}

/* Room for `it` (NULL: for anything at all). A buffer feeding an assembly
 * has one lane per part, each of `capacity` places: a mixed lane would let
 * a surplus of one part fill it and lock out the part the kit still needs. */
bool flow_queue_has_room(const flow_queue *q, const flow_item *it)
{
    if (q->capacity == MODEL_INFINITE_CAPACITY)
        return true;
    if (q->consumer->def->kind != MODEL_STATION_ASSEMBLY)
        return q->items.count + q->reserved_total < q->capacity;
    if (it)
        return count_of(q, it->product) + *lane(q, it->product) < q->capacity;
    for (size_t i = 0; i < q->consumer->def->n_bom; i++) {
        int p = q->consumer->def->bom[i].product;
        if (count_of(q, p) + q->reserved[i] < q->capacity)
            return true;
    }
    return false;
}

bool flow_queue_reserve(flow_queue *q, const flow_item *it)
{
    if (!flow_queue_has_room(q, it))
        return false;
    long *r = lane(q, it->product);
    if (r)
        (*r)++;
    q->reserved_total++;
    return true;
}

void flow_queue_deliver(flow_queue *q, flow_item *it)
{
    long *r = lane(q, it->product);
    if (r)
        (*r)--;
    q->reserved_total--;
    q->freed_s = flow_now(q->obj.f);
    if (q->obj.ops->offer(&q->obj, it, NULL) != FLOW_ACCEPT) {
        /* the reservation kept a place, so a refusal is a bug in the engine:
         * keep the item (freed with the queue) and stop the run */
        flow_queue_place(q, it);
        sim_fail(q->obj.f->s, "internal error: '%s' refused an item it had reserved a place "
                              "for", q->obj.name);
        return;
    }
    /* When the item went straight on to the station, the place it had
     * reserved is free again: whoever waits for room must hear of it. */
    if (flow_queue_has_room(q, NULL) && !(q->obj.f->faults & FLOW_FAULT_LOST_WAKEUP))
        flow_wake(&q->obj);
}

static void set_level(flow_queue *q)
{
    stats_level_set(&q->level, flow_now(q->obj.f), (double)q->items.count);
}

/* Offer queued items to the consumer, oldest first; then let upstream
 * offer again if anything moved or there is room (for a queue of capacity
 * 0, "room" is the station itself, so upstream always gets to try). */
void flow_queue_feed(flow_queue *q)
{
    flow_obj *st = &q->consumer->obj;
    bool took = false, again;
    do {
        /* An assembly that takes the last part of a kit consumes the kit:
         * the parts it refused earlier in this pass are wanted again, so
         * the pass starts over (each restart follows a take: it ends). */
        again = false;
        bool refused = false;
        flow_item *prev = NULL, *it = q->items.head;
        while (it) {
            /* Unlink before offering: a taken item may be reused at once. */
            flow_item *next = it->next;
            flow_list_unlink(&q->items, prev, it);
            flow_answer a = st->ops->offer(st, it, NULL);
            if (a == FLOW_ACCEPT) {
                took = true;
                again |= refused;
            } else {
                flow_list_insert_after(&q->items, prev, it);
                if (a == FLOW_FULL)
                    break;
                refused = true;
                prev = it;
            }
            it = next;
        }
    } while (again);
    /* Whatever the station refused, it will call us back when it frees up. */
    if (q->items.count)
        flow_wait_on(st, &q->obj);
    if (took) {
        q->freed_s = flow_now(q->obj.f);
        set_level(q);
    }
    if (took || flow_queue_has_room(q, NULL) || q->items.count == 0)
        flow_wake(&q->obj);
}

static flow_answer queue_offer(flow_obj *self, flow_item *it, flow_obj *from)
{
    flow_queue *q = (flow_queue *)self;
    if (q->items.count == 0) {
        /* Straight through when the station is ready: no need to queue. */
        flow_obj *st = &q->consumer->obj;
        flow_answer a = st->ops->offer(st, it, NULL);
        if (a == FLOW_ACCEPT)
            return FLOW_ACCEPT;
        flow_wait_on(st, &q->obj); /* to pass the news on to our own waiters */
        if (!flow_queue_has_room(q, it))
            return FLOW_FULL;
    } else if (!flow_queue_has_room(q, it)) {
        return FLOW_FULL;
    }
    it->waiting_s = flow_now(self->f);
    flow_list_push(&q->items, it);
    set_level(q);
    flow_trace(self->f, FT_EVENT_ENQUEUE, self->name, it, "");
    if (q->items.count > 1 && q->consumer->def->kind == MODEL_STATION_ASSEMBLY)
        flow_queue_feed(q); /* a new part may complete a kit behind a refused one */
    return FLOW_ACCEPT;
}

static void queue_resume(flow_obj *self)
{
    flow_queue_feed((flow_queue *)self);
}

static const flow_ops queue_ops = {queue_offer, queue_resume};

flow_queue *flow_queue_new(struct flow_factory *f, const char *name, long capacity,
                           size_t n_lanes)
{
    flow_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    flow_obj_init(&q->obj, &queue_ops, name, f);
    q->own_name = (char *)name;
    q->capacity = capacity;
    if (n_lanes && !(q->reserved = calloc(n_lanes, sizeof *q->reserved))) {
        free(q);
        return NULL;
    }
    stats_level_init(&q->level, flow_now(f), 0);
    return q;
}

void flow_queue_free(flow_queue *q)
{
    if (!q)
        return;
    flow_item *it;
    while ((it = flow_list_pop(&q->items)))
        free(it);
    flow_obj_fini(&q->obj);
    free(q->own_name);
    free(q->reserved);
    free(q);
}

void flow_queue_place(flow_queue *q, flow_item *it)
{
    it->waiting_s = flow_now(q->obj.f);
    flow_list_push(&q->items, it);
    set_level(q);
}
