/* flow_conveyor.c -- a belt carrying items from one station to the next.
 *
 * An item may enter when the belt holds fewer than floor(length/spacing)
 * items and the previous item is at least `spacing` downstream. It arrives
 * at the end after length/speed of belt movement.
 *
 * Accumulating belts keep moving under a blocked item: items queue at the
 * end, one spacing apart, so an item's arrival is the later of its own
 * travel time and its predecessor's departure plus one headway
 * (spacing/speed). Non-accumulating belts stop whole while their head item
 * cannot leave; positions are then tracked with a belt odometer (metres run
 * so far), which freezes while the belt stands. Only the head's arrival is
 * ever scheduled, so a belt costs one pending event however full it is. */
#include <math.h>
#include <stdlib.h>

#include "flow_internal.h"
#include "model/model.h"

static void head_arrives(sim *s, void *obj, intptr_t arg);
static void gap_opens(sim *s, void *obj, intptr_t arg);

/* Per-item tag ring: accumulating -> arrival time; non-accumulating -> odometer at entry. */
static double *tag(flow_conveyor *c, long i)
{
    return &c->arrive_s[(c->ring_head + i) % c->capacity];
}

static double odometer(const flow_conveyor *c, double now)
{
    return c->odometer_m + (c->stopped ? 0 : (now - c->odo_t) * c->def->speed_m_per_s);
}

static void schedule_head(flow_conveyor *c)
{
    flow_factory *f = c->obj.f;
    if (!c->items.head)
        return;
    double now = flow_now(f), t;
    if (c->def->accumulating) {
        t = *tag(c, 0);
    } else {
        double left_m = *tag(c, 0) + c->def->length_m - odometer(c, now);
        t = now + (left_m > 0 ? left_m / c->def->speed_m_per_s : 0);
    }
    c->arrival = sim_schedule_at(f->s, t < now ? now : t, head_arrives, c, 0);
}

/* Earliest time the entry spacing is respected again. */
static double entry_free_at(const flow_conveyor *c, double now)
{
    if (c->def->accumulating)
        return c->last_entry_s + c->headway_s;
    if (c->stopped)
        return INFINITY;
    double need_m = c->last_entry_m + c->def->spacing_m - odometer(c, now);
    return now + (need_m > 0 ? need_m / c->def->speed_m_per_s : 0);
}

static flow_answer conveyor_offer(flow_obj *self, flow_item *it, flow_obj *from)
{
    flow_conveyor *c = (flow_conveyor *)self;
    flow_factory *f = self->f;
    double now = flow_now(f);
    if (c->items.count >= c->capacity)
        return FLOW_FULL;
    double free_at = entry_free_at(c, now);
    if (free_at > now) {
        if (c->gap == SIM_NO_EVENT && isfinite(free_at))
            c->gap = sim_schedule_at(f->s, free_at, gap_opens, c, 0);
        return FLOW_FULL;
    }
    long n = c->items.count;
    if (c->def->accumulating) {
        double arrive = now + c->travel_s;
        if (n > 0 && *tag(c, n - 1) + c->headway_s > arrive)
            arrive = *tag(c, n - 1) + c->headway_s;
        c->last_entry_s = now;
        *tag(c, n) = arrive;
    } else {
        c->last_entry_m = odometer(c, now); /* last entry's odometer */
        *tag(c, n) = c->last_entry_m;
    }
    flow_list_push(&c->items, it);
    flow_trace(f, FT_EVENT_CONVEY, self->name, it, "");
    if (n == 0)
        schedule_head(c);
    return FLOW_ACCEPT;
}

/* Deliver the head item; on refusal an accumulating belt just waits, a
 * non-accumulating one stops. */
static void deliver(flow_conveyor *c)
{
    flow_factory *f = c->obj.f;
    double now = flow_now(f);
    flow_item *it = flow_list_pop(&c->items);
    if (flow_offer(c->dest, it, &c->obj) != FLOW_ACCEPT) {
        flow_list_insert_after(&c->items, NULL, it); /* back in front */
        c->head_waiting = true;
        if (!c->def->accumulating && !c->stopped) {
            c->odometer_m = odometer(c, now);
            c->odo_t = now;
            c->stopped = true;
        }
        return;
    }
    c->head_waiting = false;
    c->ring_head = (c->ring_head + 1) % c->capacity;
    if (c->def->accumulating) {
        if (c->items.count && *tag(c, 0) < now + c->headway_s)
            *tag(c, 0) = now + c->headway_s; /* queued items leave one headway apart */
    } else if (c->stopped) {
        c->odo_t = now;
        c->stopped = false;
    }
    schedule_head(c);
    flow_wake(&c->obj);
}

static void head_arrives(sim *s, void *obj, intptr_t arg)
{
    flow_conveyor *c = obj;
    c->arrival = SIM_NO_EVENT;
    deliver(c);
}

static void gap_opens(sim *s, void *obj, intptr_t arg)
{
    flow_conveyor *c = obj;
    c->gap = SIM_NO_EVENT;
    flow_wake(&c->obj);
}

static void conveyor_resume(flow_obj *self)
{
    flow_conveyor *c = (flow_conveyor *)self;
    if (c->head_waiting)
        deliver(c);
}

static const flow_ops conveyor_ops = {conveyor_offer, conveyor_resume};

flow_conveyor *flow_conveyor_new(struct flow_factory *f, const model_conveyor *def, flow_obj *dest)
{
    flow_conveyor *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    flow_obj_init(&c->obj, &conveyor_ops, def->name, f);
    c->def = def;
    c->dest = dest;
    c->capacity = (long)floor(def->length_m / def->spacing_m + 1e-9);
    if (c->capacity < 1)
        c->capacity = 1;
    c->travel_s = def->length_m / def->speed_m_per_s;
    c->headway_s = def->spacing_m / def->speed_m_per_s;
    c->last_entry_s = -INFINITY;
    c->odo_t = flow_now(f);
    c->arrive_s = calloc((size_t)c->capacity, sizeof *c->arrive_s);
    if (!c->arrive_s) {
        flow_conveyor_free(c);
        return NULL;
    }
    c->last_entry_m = -INFINITY;
    return c;
}

void flow_conveyor_free(flow_conveyor *c)
{
    if (!c)
        return;
    flow_item *it;
    while ((it = flow_list_pop(&c->items)))
        free(it);
    flow_obj_fini(&c->obj);
    free(c->arrive_s);
    free(c);
}
