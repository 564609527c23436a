/* flow_stall.c -- work that waits and can never start: the run's warnings.
 *
 * A factory that speaks the offer / wait / wake protocol correctly never
 * leaves, past the instant in which it happens, a station up with a
 * server idle and an item it would take in its input, an item at a
 * pick-up waiting for a place that is free, or a transport request open
 * while a vehicle has nothing to do. A model can still lock itself up for
 * good: stations blocked on each other round a cycle (rework loops with
 * full buffers), or an assembly that holds parts for a kit whose missing
 * part no source will ever release again. None of these shows in the
 * KPIs but as numbers that are quietly wrong, so flow_report looks for
 * them at the end of every period and reports what, where, since when and
 * how many items.
 *
 * Looking once per report costs nothing per event; the price is that a
 * stall that cleared itself before the end goes unseen here (the
 * invariant checker of `fabtwin run --check` looks after every event).
 * Only conditions that have held for a positive time count: within the
 * instant of the last event, work may still be on its way. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "agv/agv.h"
#include "flow_internal.h"
#include "model/model.h"

void flow_warn(flow_factory *f, ft_warning_kind kind, const char *where, double since_s,
               long items, const char *fmt, ...)
{
    if (f->n_warnings == f->cap_warnings) {
        size_t cap = f->cap_warnings ? 2 * f->cap_warnings : 8;
        ft_warning *w = realloc(f->rep_warnings, cap * sizeof *w);
        if (!w)
            return;
        f->rep_warnings = w;
        f->cap_warnings = cap;
    }
    ft_warning *w = &f->rep_warnings[f->n_warnings++];
    *w = (ft_warning){.kind = kind, .where = where, .since_s = since_s, .items = items};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof w->message, fmt, ap);
    va_end(ap);
}

static double later(double a, double b)
{
    return a > b ? a : b;
}

/* ---- stations ------------------------------------------------------------ */

/* The idle server that has been idle longest, or -1. */
static int longest_idle(const flow_station *st)
{
    int k = -1;
    for (int i = 0; i < st->n_servers; i++)
        if (st->servers[i].state == SRV_IDLE &&
            (k < 0 || st->servers[i].since_s < st->servers[k].since_s))
            k = i;
    return k;
}

/* Would the station, up with a server idle, take `it` now? What it would
 * take (flow_station_takes), or for an assembly with a complete kit
 * anything at all: the kit itself should have started. */
static bool would_take(const flow_station *st, const flow_item *it)
{
    return flow_station_takes(st, it) ||
           (st->def->kind == MODEL_STATION_ASSEMBLY && flow_station_kit_complete(st));
}

static void station_stalled(flow_factory *f, flow_station *st, double now)
{
    int k = longest_idle(st);
    if (k < 0 || !flow_station_up(st))
        return;
    long n = 0;
    double first = now;
    for (const flow_item *it = st->input->items.head; it; it = it->next)
        if (would_take(st, it)) {
            n++;
            if (it->waiting_s < first)
                first = it->waiting_s;
        }
    double since = later(later(first, st->servers[k].since_s), st->updown_s);
    if (n && since < now)
        flow_warn(f, FT_WARN_STATION_STALLED, st->def->name, since, n,
                  "station %s is up with a server idle but leaves %ld item%s waiting in %s",
                  st->def->name, n, n == 1 ? "" : "s", st->input->obj.name);
}

/* Could `per_kit` parts of `product` still come together at an assembly?
 * Not when fewer are in the plant (its kit's among them), no source will
 * release another and no station makes one. */
static bool may_appear(const flow_factory *f, int product, long per_kit)
{
    const model_desc *m = f->m;
    if (flow_product_in_plant(f, product) >= per_kit)
        return true;
    for (size_t i = 0; i < m->n_stations; i++)
        if (m->stations[i].produces == product)
            return true;
    for (size_t j = 0; j < m->n_sources; j++)
        if (flow_source_may_release(f->sources[j], product))
            return true;
    return false;
}

static void kit_starved(flow_factory *f, flow_station *st, double now)
{
    const model_station *d = st->def;
    if (d->kind != MODEL_STATION_ASSEMBLY)
        return;
    long held = st->kit.count + st->input->items.count;
    if (held == 0)
        return;
    for (size_t i = 0; i < d->n_bom; i++) {
        int p = d->bom[i].product;
        long needed = d->bom[i].count - st->kit_have[i];
        if (needed <= 0 || may_appear(f, p, d->bom[i].count))
            continue;
        double since = now;
        for (const flow_item *it = st->kit.head; it; it = it->next)
            if (it->waiting_s < since)
                since = it->waiting_s;
        for (const flow_item *it = st->input->items.head; it; it = it->next)
            if (it->waiting_s < since)
                since = it->waiting_s;
        flow_warn(f, FT_WARN_KIT_STARVED, d->name, since, held,
                  "assembly %s holds %ld part%s but needs %ld more %s, and no source will "
                  "release one again",
                  d->name, held, held == 1 ? "" : "s", needed, f->m->products[p].name);
        return;
    }
}

/* ---- deadlock: stations blocked on each other round a cycle -------------- */

/* Where a station whose every server is blocked waits for room: the
 * station behind the full queue its oldest blocked item is refused by
 * (through a full conveyor, or a full pick-up whose oldest item waits for
 * a place), or -1 when it waits on something else (the fleet, a sink). */
static int blocked_on(const flow_factory *f, const flow_station *st)
{
    if (st->n_local[SRV_BLOCKED] != st->n_servers || st->n_blocked_fifo == 0)
        return -1;
    const flow_item *it = st->servers[st->blocked_fifo[0]].out.head;
    if (!it)
        return -1;
    const flow_pickup *p = f->pickups ? f->pickups[st->index] : NULL;
    if (p) {
        if (p->ready.count || !p->waiting.head)
            return -1; /* the fleet has work there: not a cycle of stations */
        it = p->waiting.head;
    }
    int to = flow_destination(f, it);
    if ((size_t)to == f->m->n_stations || flow_queue_has_room(f->queues[to], it))
        return -1;
    return to;
}

static void deadlocks(flow_factory *f, double now)
{
    size_t n = f->m->n_stations;
    int *next = malloc(n * sizeof *next);
    unsigned char *mark = calloc(n, 1); /* 0 new, 1 on the current walk, 2 done */
    if (!next || !mark)
        goto out;
    for (size_t i = 0; i < n; i++)
        next[i] = blocked_on(f, f->stations[i]);
    /* Each station waits on at most one other: walk until a station seen on
     * this walk (a cycle) or an earlier walk or a dead end. */
    for (size_t i = 0; i < n; i++) {
        int v = (int)i;
        while (v >= 0 && mark[v] == 0) {
            mark[v] = 1;
            v = next[v];
        }
        if (v >= 0 && mark[v] == 1) {
            long items = 0;
            double since = 0;
            int len = 0;
            int u = v;
            do {
                const flow_station *st = f->stations[u];
                items += st->input->items.count;
                for (int k = 0; k < st->n_servers; k++) {
                    items += st->servers[k].out.count;
                    since = later(since, st->servers[k].since_s);
                }
                len++;
                u = next[u];
            } while (u != v);
            if (since < now)
                flow_warn(f, FT_WARN_DEADLOCK, f->stations[v]->def->name, since, items,
                          "%d station%s starting at %s are blocked on each other in a cycle "
                          "(%ld items held)",
                          len, len == 1 ? "" : "s", f->stations[v]->def->name, items);
        }
        for (v = (int)i; v >= 0 && mark[v] == 1; v = next[v])
            mark[v] = 2;
    }
out:
    free(next);
    free(mark);
}

/* ---- AGV pick-ups and the fleet ------------------------------------------ */

static void pickup_stalled(flow_factory *f, const flow_pickup *p, double now)
{
    long n = 0;
    double since = now;
    const char *dest = NULL;
    for (const flow_item *it = p->waiting.head; it; it = it->next) {
        int to = flow_destination(f, it);
        const flow_queue *q = (size_t)to < f->m->n_stations ? f->queues[to] : NULL;
        if (q && !flow_queue_has_room(q, it))
            continue;
        double t = q ? later(it->waiting_s, q->freed_s) : it->waiting_s;
        if (t < since) {
            since = t;
            dest = q ? q->obj.name : "shipping";
        }
        n++;
    }
    if (n && since < now)
        flow_warn(f, FT_WARN_PICKUP_STALLED, p->obj.name, since, n,
                  "%ld item%s at %s wait for a place that is free (at %s)", n,
                  n == 1 ? "" : "s", p->obj.name, dest);
}

void flow_find_stalls(flow_factory *f)
{
    const model_desc *m = f->m;
    double now = flow_now(f);
    f->n_warnings = 0;
    for (size_t i = 0; i < m->n_stations; i++) {
        station_stalled(f, f->stations[i], now);
        kit_starved(f, f->stations[i], now);
    }
    deadlocks(f, now);
    for (size_t i = 0; f->pickups && i < m->n_stations + m->n_sources; i++)
        if (f->pickups[i])
            pickup_stalled(f, f->pickups[i], now);
    double since;
    size_t n;
    if (f->fleet && (n = agv_fleet_stalled(f->fleet, &since)) > 0 && since < now)
        flow_warn(f, FT_WARN_FLEET_STALLED, "fleet", since, (long)n,
                  "%zu transport%s wait while a vehicle has nothing to do", n,
                  n == 1 ? "" : "s");
}
