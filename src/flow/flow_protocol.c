/* flow_protocol.c -- the offer / wait / wake exchange and item lists.
 *
 * Waiters are kept in a small FIFO array per object. flow_wake takes the
 * current list away before calling anyone, so a waiter that is refused
 * again simply re-registers at the end and the loop always terminates. */
#include <stdlib.h>
#include <string.h>

#include "flow_internal.h"

/* Waiters flow_wake copies to the stack; more go to the heap. */
#define FLOW_WAKE_LOCAL 16

void flow_list_push(flow_list *l, flow_item *it)
{
    it->next = NULL;
    if (l->tail)
        l->tail->next = it;
    else
        l->head = it;
    l->tail = it;
    l->count++;
}

flow_item *flow_list_pop(flow_list *l)
{
    flow_item *it = l->head;
    if (it)
        flow_list_unlink(l, NULL, it);
    return it;
}

void flow_list_unlink(flow_list *l, flow_item *prev, flow_item *it)
{
    if (prev)
        prev->next = it->next;
    else
        l->head = it->next;
    if (l->tail == it)
        l->tail = prev;
    it->next = NULL;
    l->count--;
}

void flow_list_insert_after(flow_list *l, flow_item *prev, flow_item *it)
{
    flow_item **link = prev ? &prev->next : &l->head;
    it->next = *link;
    *link = it;
    if (l->tail == prev)
        l->tail = it;
    l->count++;
}

void flow_obj_init(flow_obj *o, const flow_ops *ops, const char *name, struct flow_factory *f)
{
    memset(o, 0, sizeof *o);
    o->ops = ops;
    o->name = name;
    o->f = f;
}

void flow_obj_fini(flow_obj *o)
{
    free(o->waiters);
    o->waiters = NULL;
    o->n_waiters = o->cap_waiters = 0;
}

void flow_wait_on(flow_obj *o, flow_obj *waiter)
{
    if (!waiter)
        return;
    for (size_t i = 0; i < o->n_waiters; i++)
        if (o->waiters[i] == waiter)
            return;
    if (o->n_waiters == o->cap_waiters) {
        size_t cap = o->cap_waiters ? 2 * o->cap_waiters : 4;
        flow_obj **w = realloc(o->waiters, cap * sizeof *w);
        if (!w) {
            /* a waiter not registered would never be woken: the run stops */
            sim_fail(o->f->s, "out of memory for the waiters of '%s'", o->name);
            return;
        }
        o->waiters = w;
        o->cap_waiters = cap;
    }
    o->waiters[o->n_waiters++] = waiter;
}

flow_answer flow_offer(flow_obj *to, flow_item *it, flow_obj *from)
{
    flow_answer a = to->ops->offer(to, it, from);
    if (a != FLOW_ACCEPT)
        flow_wait_on(to, from);
    return a;
}

void flow_wake(flow_obj *o)
{
    if (o->n_waiters == 0)
        return;
    /* Small lists: copy them to the stack; the rare long one to the heap. */
    flow_obj *local[FLOW_WAKE_LOCAL];
    size_t n = o->n_waiters;
    flow_obj **w = n <= FLOW_WAKE_LOCAL ? local : malloc(n * sizeof *w);
    if (!w) {
        sim_fail(o->f->s, "out of memory waking the waiters of '%s'", o->name);
        return;
    }
    memcpy(w, o->waiters, n * sizeof *w);
    o->n_waiters = 0;
    for (size_t i = 0; i < n; i++)
        w[i]->ops->resume(w[i]);
    if (w != local)
        free(w);
}
