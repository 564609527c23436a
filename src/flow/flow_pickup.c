/* flow_pickup.c -- where the material flow meets the AGV fleet.
 *
 * A station (or source) with a pick-up point hands its finished items to a
 * pick-up object instead of to the next step. The pick-up has
 * `out_capacity` places; when they are full the station blocks, as it
 * would at a full buffer. For each item it first reserves a place at the
 * destination (the next step's input queue; the sink always has room) --
 * waiting on that queue when there is none -- and then asks the fleet for
 * a transport. The fleet calls back when a vehicle has loaded items (they
 * leave the pick-up, which wakes a blocked station) and when it has
 * unloaded them (they take their reserved places). Items aboard a vehicle
 * are kept in the factory's cargo list of that vehicle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agv/agv.h"
#include "flow_internal.h"

static int drop_node(const flow_factory *f, int dest)
{
    return (size_t)dest == f->m->n_stations ? f->m->layout.shipping : f->m->stations[dest].drop;
}

/* Reserve places for waiting items, oldest first; an item whose
 * destination is full does not hold up items going elsewhere. */
static void request_transports(flow_pickup *p)
{
    flow_factory *f = p->obj.f;
    flow_item *prev = NULL, *it = p->waiting.head;
    while (it) {
        flow_item *next = it->next;
        int dest = flow_destination(f, it);
        bool room = (size_t)dest == f->m->n_stations || flow_queue_reserve(f->queues[dest], it);
        if (!room) {
            flow_wait_on(&f->queues[dest]->obj, &p->obj);
            prev = it;
        } else {
            flow_list_unlink(&p->waiting, prev, it);
            flow_list_push(&p->ready, it);
            agv_fleet_request(f->fleet, p->index, p->node, dest, drop_node(f, dest));
        }
        it = next;
    }
}

static flow_answer pickup_offer(flow_obj *self, flow_item *it, flow_obj *from)
{
    (void)from;
    flow_pickup *p = (flow_pickup *)self;
    if (p->capacity != MODEL_INFINITE_CAPACITY &&
        p->waiting.count + p->ready.count >= p->capacity)
        return FLOW_FULL;
    it->waiting_s = flow_now(self->f);
    flow_list_push(&p->waiting, it);
    flow_trace(self->f, FT_EVENT_PICKUP, self->name, it, "");
    request_transports(p);
    return FLOW_ACCEPT;
}

static void pickup_resume(flow_obj *self)
{
    request_transports((flow_pickup *)self);
}

static const flow_ops pickup_ops = {pickup_offer, pickup_resume};

flow_pickup *flow_pickup_new(struct flow_factory *f, const char *owner, int index, int node,
                             long capacity)
{
    flow_pickup *p = calloc(1, sizeof *p);
    size_t n = strlen(owner) + 6;
    char *name = malloc(n);
    if (!p || !name) {
        free(p);
        free(name);
        return NULL;
    }
    snprintf(name, n, "%s.pick", owner);
    flow_obj_init(&p->obj, &pickup_ops, name, f);
    p->own_name = name;
    p->index = index;
    p->node = node;
    p->capacity = capacity;
    return p;
}

void flow_pickup_free(flow_pickup *p)
{
    if (!p)
        return;
    flow_item *it;
    while ((it = flow_list_pop(&p->waiting)))
        free(it);
    while ((it = flow_list_pop(&p->ready)))
        free(it);
    flow_obj_fini(&p->obj);
    free(p->own_name);
    free(p);
}

void flow_pickup_loaded(void *factory, int vehicle, int pickup, int dest, int n)
{
    flow_factory *f = factory;
    flow_pickup *p = f->pickups[pickup];
    const char *who = agv_fleet_vehicle_name(f->fleet, vehicle);
    flow_item *prev = NULL, *it = p->ready.head;
    while (it && n > 0) {
        flow_item *next = it->next;
        if (flow_destination(f, it) == dest) {
            flow_list_unlink(&p->ready, prev, it);
            flow_list_push(&f->cargo[vehicle], it);
            flow_trace(f, FT_EVENT_LOAD, who, it, p->obj.name);
            n--;
        } else {
            prev = it;
        }
        it = next;
    }
    flow_wake(&p->obj);
}

void flow_pickup_unloaded(void *factory, int vehicle, int pickup, int dest, int n)
{
    (void)pickup, (void)n;
    flow_factory *f = factory;
    const char *who = agv_fleet_vehicle_name(f->fleet, vehicle);
    flow_item *it;
    while ((it = flow_list_pop(&f->cargo[vehicle]))) {
        bool to_sink = (size_t)dest == f->m->n_stations;
        flow_trace(f, FT_EVENT_UNLOAD, who, it, to_sink ? "sink" : f->queues[dest]->obj.name);
        if (to_sink)
            f->sink.ops->offer(&f->sink, it, NULL);
        else
            flow_queue_deliver(f->queues[dest], it);
    }
}
