/* model_transport.c -- the trips the material flow makes by AGV, checked
 * against the layout.
 *
 * An item moves from station to station along its routing: step k to step
 * k + 1, the last step to the sink (unless the station consumes it: a part
 * at its assembly, a product a split turns into pieces), and from an
 * inspection back to `rework_to`; a source releases into the first station
 * of each product it releases. The product an assembly or split makes
 * starts its routing there, so the trip out of an assembly is the
 * assembled product's step 1 -> step 2. A move goes by AGV when the station
 * (or source) it leaves has a `pick` node; then its destination needs a
 * `drop` node (the sink: the layout's `shipping`), no conveyor may claim
 * the same move, and the layout must have a path for it. Every vehicle
 * ends a trip at a pick-up or drop-off node, so from each of those it must
 * be able to reach every parking place and charger. A `drop` that no trip
 * uses is allowed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

typedef struct trip {
    int from;             /* station index, or n_stations + source index */
    int to;               /* station index, or n_stations: the sink */
    int product;
    bool rework;          /* an inspection sending an item back */
} trip;

typedef struct trips {
    trip *v;
    size_t n, cap;
} trips;

static int add_trip(mctx *c, trips *t, int from, int to, int product, bool rework)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 16;
        trip *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return mc_oom(c);
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = (trip){from, to, product, rework};
    return 0;
}

/* Does station st take product p in (at its last step) without passing it on? */
static bool consumes(const model_station *st, int p)
{
    return (st->kind == MODEL_STATION_ASSEMBLY && st->produces != p) ||
           (st->kind == MODEL_STATION_SPLIT && st->produces != MODEL_NONE && st->produces != p);
}

/* Every move out of a station or source with a `pick` node, in the order of
 * the file: products and their steps, then sources. */
static int list_trips(mctx *c, trips *t)
{
    const model_desc *m = c->m;
    int sink = (int)m->n_stations;
    for (size_t p = 0; p < m->n_products; p++) {
        const model_product *pr = &m->products[p];
        for (size_t k = 0; k < pr->n_steps; k++) {
            int s = pr->steps[k].station;
            const model_station *st = &m->stations[s];
            if (st->pick == MODEL_NONE)
                continue;
            if (k + 1 < pr->n_steps) {
                if (add_trip(c, t, s, pr->steps[k + 1].station, (int)p, false))
                    return -1;
            } else if (!consumes(st, (int)p) && add_trip(c, t, s, sink, (int)p, false)) {
                return -1;
            }
            if (st->kind == MODEL_STATION_INSPECTION && st->p_rework > 0 &&
                add_trip(c, t, s, st->rework_to, (int)p, true))
                return -1;
        }
    }
    bool *seen = calloc(m->n_products ? m->n_products : 1, sizeof *seen);
    if (!seen)
        return mc_oom(c);
    int rc = 0;
    for (size_t i = 0; !rc && i < m->n_sources; i++) {
        const model_source *src = &m->sources[i];
        if (src->pick == MODEL_NONE)
            continue;
        size_t rows = src->n_orders ? src->n_orders : 1;
        for (size_t k = 0; !rc && k < rows; k++) {
            int p = src->n_orders ? src->orders[k].product : src->product;
            if (p == MODEL_NONE || seen[p])
                continue;
            seen[p] = true;
            rc = add_trip(c, t, sink + (int)i, m->products[p].steps[0].station, p, false);
        }
        /* clear what this source set, not the whole array: sources x products */
        for (size_t k = 0; k < rows; k++) {
            int p = src->n_orders ? src->orders[k].product : src->product;
            if (p != MODEL_NONE)
                seen[p] = false;
        }
    }
    free(seen);
    return rc;
}

/* ---- naming the ends of a trip ------------------------------------------ */

typedef struct trip_ctx {
    mctx *c;
    const ynode *stations, *sources, *layout;
} trip_ctx;

/* The `pick` value of trip origin `from` (a station or a source). */
static const ynode *pick_value(const trip_ctx *x, int from)
{
    size_t ns = x->c->m->n_stations;
    if ((size_t)from < ns)
        return mc_get(x->stations->kids[from], "pick");
    return mc_get(x->sources->kids[(size_t)from - ns], "pick");
}

static int pick_node(const model_desc *m, int from)
{
    return (size_t)from < m->n_stations ? m->stations[from].pick
                                        : m->sources[(size_t)from - m->n_stations].pick;
}

/* "station 'x'" or "source 'y'" */
static const char *origin(char *buf, size_t size, const model_desc *m, int from)
{
    if ((size_t)from < m->n_stations)
        return mc_label(buf, size, "station", m->stations[from].name);
    return mc_label(buf, size, "source", m->sources[(size_t)from - m->n_stations].name);
}

/* The node a trip delivers to, or MODEL_NONE. */
static int drop_node(const model_desc *m, int to)
{
    return (size_t)to == m->n_stations ? m->layout.shipping : m->stations[to].drop;
}

/* ---- drop-off points and conveyors -------------------------------------- */

static int check_ends(const trip_ctx *x, const trips *t)
{
    mctx *c = x->c;
    const model_desc *m = c->m;
    char who[400], q[96], q2[96], q3[96];
    for (size_t i = 0; i < t->n; i++) {
        const trip *tr = &t->v[i];
        origin(who, sizeof who, m, tr->from);
        mu_quote(m->products[tr->product].name, q, sizeof q);
        if ((size_t)tr->to == m->n_stations) {
            if (m->layout.shipping == MODEL_NONE)
                return mc_fail(c, pick_value(x, tr->from),
                               "%s sends %s out of the plant by AGV (it has a pick-up point) but "
                               "the layout has no `shipping:` node to take it to",
                               who, q);
            continue;
        }
        const model_station *to = &m->stations[tr->to];
        mu_quote(to->name, q2, sizeof q2);
        if (to->drop == MODEL_NONE)
            return mc_fail(c, pick_value(x, tr->from),
                           "%s sends %s %s %s%s by AGV (it has a pick-up point) but %s has no "
                           "`drop:` node",
                           who, q, tr->rework ? "back to" : "to", q2,
                           tr->rework ? " for rework" : "", q2);
        /* A vehicle sets off only with a place reserved for its load, and a
         * buffer of capacity 0 has none: nothing would ever be delivered. */
        int b = model_station_input(m, tr->to);
        if (b != MODEL_NONE && m->buffers[b].capacity == 0)
            return ft_fail(c->err, c->path, m->buffers[b].pos.line, m->buffers[b].pos.col,
                           "buffer %s has capacity 0 but feeds %s, where AGVs deliver (%s "
                           "sends %s there): a vehicle sets off only once a place is reserved "
                           "for its load; give the buffer a capacity of 1 or more",
                           mu_quote(m->buffers[b].name, q3, sizeof q3), q2, who, q);
        int cv = (size_t)tr->from < m->n_stations ? model_find_conveyor(m, tr->from, tr->to)
                                                  : MODEL_NONE;
        if (cv != MODEL_NONE) {
            const model_conveyor *belt = &m->conveyors[cv];
            return ft_fail(c->err, c->path, belt->pos.line, belt->pos.col,
                           "conveyor %s carries items from '%s' to %s, but %s sends them by AGV "
                           "(it has a pick-up point at node %s); an item goes one way: remove "
                           "the conveyor or the `pick:`",
                           mu_quote(belt->name, q3, sizeof q3), m->stations[tr->from].name, q2,
                           who,
                           mu_quote(m->layout.nodes[pick_node(m, tr->from)].name, q, sizeof q));
        }
    }
    return 0;
}

/* ---- paths -------------------------------------------------------------- */

/* A path from each origin's pick-up to the drop-off of each of its trips. */
static int check_paths(const trip_ctx *x, const trips *t, mnet *g)
{
    mctx *c = x->c;
    const model_desc *m = c->m;
    const model_node *nodes = m->layout.nodes;
    char who[400], q[96], q2[96], q3[96];
    int searched = MODEL_NONE;
    for (size_t i = 0; i < t->n; i++) {
        const trip *tr = &t->v[i];
        int from = pick_node(m, tr->from), to = drop_node(m, tr->to);
        if (from != searched) {
            mnet_reach(g, from);
            searched = from;
        }
        if (mnet_reached(g, to))
            continue;
        origin(who, sizeof who, m, tr->from);
        if ((size_t)tr->to == m->n_stations)
            snprintf(q3, sizeof q3, "the shipping node");
        else
            snprintf(q3, sizeof q3, "the drop-off of station %s",
                     mu_quote(m->stations[tr->to].name, q, sizeof q));
        return mc_fail(c, pick_value(x, tr->from),
                       "no path in the layout from node %s (the pick-up of %s) to node %s (%s), "
                       "where it takes '%s'",
                       mu_quote(nodes[from].name, q, sizeof q), who,
                       mu_quote(nodes[to].name, q2, sizeof q2), q3, m->products[tr->product].name);
    }
    return 0;
}

/* Where a vehicle can end a trip: every pick and drop node, and shipping.
 * `role` names it for messages. */
typedef struct stop {
    int node;
    char role[300];
} stop;

static bool next_stop(const model_desc *m, size_t *k, stop *s)
{
    size_t ns = m->n_stations, nsrc = m->n_sources;
    char q[96];
    for (; *k < 2 * ns + nsrc + 1; (*k)++) {
        size_t i = *k;
        if (i < 2 * ns) {
            const model_station *st = &m->stations[i / 2];
            s->node = i % 2 ? st->drop : st->pick;
            snprintf(s->role, sizeof s->role, "the %s of station %s",
                     i % 2 ? "drop-off" : "pick-up", mu_quote(st->name, q, sizeof q));
        } else if (i < 2 * ns + nsrc) {
            s->node = m->sources[i - 2 * ns].pick;
            snprintf(s->role, sizeof s->role, "the pick-up of source %s",
                     mu_quote(m->sources[i - 2 * ns].name, q, sizeof q));
        } else {
            s->node = m->layout.shipping;
            snprintf(s->role, sizeof s->role, "the shipping node");
        }
        if (s->node != MODEL_NONE) {
            (*k)++;
            return true;
        }
    }
    return false;
}

static int check_places(const trip_ctx *x, mnet *g)
{
    mctx *c = x->c;
    const model_layout *l = &c->m->layout;
    const ynode *park = mc_get(x->layout, "parking"), *charge = mc_get(x->layout, "chargers");
    char q[96], q2[96];
    bool *done = calloc(l->n_nodes, sizeof *done);
    if (!done)
        return mc_oom(c);
    stop s;
    int rc = 0;
    for (size_t k = 0; !rc && next_stop(c->m, &k, &s);) {
        if (done[s.node])
            continue;
        done[s.node] = true;
        mnet_reach(g, s.node);
        for (int pass = 0; pass < 2 && !rc; pass++) {
            const int *nodes = pass ? l->chargers : l->parking;
            size_t n = pass ? l->n_chargers : l->n_parking;
            for (size_t i = 0; i < n && !rc; i++)
                if (!mnet_reached(g, nodes[i]))
                    rc = mc_fail(c, (pass ? charge : park)->kids[i],
                                 "%s %s cannot be reached from node %s (%s): a vehicle there "
                                 "could never %s",
                                 pass ? "charger" : "parking node",
                                 mu_quote(l->nodes[nodes[i]].name, q, sizeof q),
                                 mu_quote(l->nodes[s.node].name, q2, sizeof q2), s.role,
                                 pass ? "charge" : "park");
        }
    }
    free(done);
    return rc;
}

/* ---- all of it ---------------------------------------------------------- */

int model_check_transport(mctx *c, const ynode *root, const ynode *stations,
                          const ynode *sources)
{
    if (!c->m->layout.present)
        return 0;
    trip_ctx x = {c, stations, sources, mc_get(root, "layout")};
    trips t = {0};
    mnet *g = NULL;
    int rc = list_trips(c, &t);
    if (!rc)
        rc = check_ends(&x, &t);
    if (!rc && !(g = mnet_new(&c->m->layout)))
        rc = mc_oom(c);
    if (!rc)
        rc = model_check_dead_ends(c, g) || check_paths(&x, &t, g) || check_places(&x, g) ||
             model_check_connected(c, g);
    mnet_free(g);
    free(t.v);
    return rc ? -1 : 0;
}
