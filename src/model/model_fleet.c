/* model_fleet.c -- reading the `fleet:` section (vehicles, speed, loading
 * and unloading times, items per trip, the dispatch rule, the battery) and
 * the keys that put stations and sources on the layout: `pick` (where
 * their output waits for a vehicle), `drop` (where vehicles deliver to a
 * station) and `out` (places at the pick-up point).
 *
 * A layout and a fleet come together: one without the other is an error,
 * and so is a `pick` or `drop` in a model without a layout. Whether the
 * trips these keys imply make sense is checked in model_transport.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

#define FLEET "'fleet'"
#define BATTERY "the battery of 'fleet'"

/* ---- the battery -------------------------------------------------------- */

static int read_battery(mctx *c, const ynode *key, const ynode *map, model_battery *b)
{
    static const char *const keys[] = {"per_km",       "per_hour", "full_charge",
                                       "charge_below", "charge_to", NULL};
    const ynode *km, *hour, *v, *below, *to;
    double f, full_s;
    char q[96];
    if (mc_fields(c, map, BATTERY, keys))
        return -1;
    if (c->m->layout.n_chargers == 0)
        return mc_fail(c, key, "a battery needs a place to charge: list at least one node in "
                               "`chargers:` of the layout");
    km = mc_get(map, "per_km");
    hour = mc_get(map, "per_hour");
    if (!km && !hour)
        return mc_fail(c, map, "%s needs `per_km` (the charge used per km travelled, like 1%%), "
                               "`per_hour` (used per hour, moving or not), or both",
                       BATTERY);
    /* per_km and per_hour are fractions of a full charge, read as probabilities */
    if (km) {
        if (mc_probability(c, km, BATTERY, "per_km", &f))
            return -1;
        b->drain_per_m = f / 1000;
    }
    if (hour) {
        if (mc_probability(c, hour, BATTERY, "per_hour", &f))
            return -1;
        b->drain_per_s = f / 3600;
    }
    if (mc_need(c, map, BATTERY, "full_charge", &v) ||
        mc_duration(c, v, BATTERY, "full_charge", MU_POSITIVE, &full_s))
        return -1;
    mc_note_step(c, v, full_s, BATTERY, "full_charge");
    b->charge_per_s = 1 / full_s;
    if (mc_need(c, map, BATTERY, "charge_below", &below) ||
        mc_probability(c, below, BATTERY, "charge_below", &b->charge_below) ||
        mc_need(c, map, BATTERY, "charge_to", &to) ||
        mc_probability(c, to, BATTERY, "charge_to", &b->charge_to))
        return -1;
    if (!(b->charge_below > 0))
        return mc_fail(c, below, "`charge_below` must be > 0, got %s: vehicles would never go "
                                 "charging (%s)",
                       mu_quote(below->text, q, sizeof q), BATTERY);
    if (!(b->charge_below < b->charge_to))
        return mc_fail(c, below, "`charge_below` (%.40s) must be less than `charge_to` "
                                 "(%.40s): a vehicle goes charging below the one and charges up "
                                 "to the other (%s)",
                       below->text, to->text, BATTERY);
    b->present = true;
    return 0;
}

/* ---- the fleet ---------------------------------------------------------- */

static int read_dispatch(mctx *c, const ynode *v, model_dispatch *out)
{
    static const char *const names[] = {"nearest", "optimal"};
    char q[96];
    if (mc_scalar(c, v, FLEET, "dispatch"))
        return -1;
    const char *best = NULL;
    size_t best_d = 3;
    for (int i = 0; i < 2; i++) {
        if (strcmp(v->text, names[i]) == 0) {
            *out = i == 0 ? MODEL_DISPATCH_NEAREST : MODEL_DISPATCH_OPTIMAL;
            return 0;
        }
        size_t d = mu_distance(v->text, names[i], 2);
        if (d < best_d && d < base_utf8_chars(v->text, v->len)) {
            best_d = d;
            best = names[i];
        }
    }
    if (best)
        return mc_fail(c, v, "unknown dispatch rule %s in 'fleet'; did you mean '%s'?",
                       mu_quote(v->text, q, sizeof q), best);
    return mc_fail(c, v, "unknown dispatch rule %s in 'fleet'; expected nearest or optimal",
                   mu_quote(v->text, q, sizeof q));
}

static int read_fleet(mctx *c, const ynode *map, model_fleet *f)
{
    static const char *const keys[] = {"vehicles", "speed",    "load",    "unload",
                                       "capacity", "dispatch", "battery", NULL};
    const ynode *v;
    long n;
    mu_err e;
    if (mc_fields(c, map, FLEET, keys))
        return -1;
    if (mc_need(c, map, FLEET, "vehicles", &v) ||
        mc_whole(c, v, FLEET, "vehicles", 1, MODEL_MAX_VEHICLES, &n))
        return -1;
    f->vehicles = (int)n;
    if (mc_need(c, map, FLEET, "speed", &v) || mc_scalar(c, v, FLEET, "speed"))
        return -1;
    if (!mu_speed(v->text, &f->speed_m_per_s, &e))
        return mc_fail_in(c, v, e.at, "%s ('speed' of 'fleet')", e.msg);
    /* a vehicle's step: crossing one following distance (a reservation cell) */
    mc_note_step(c, v, c->m->layout.following_m / f->speed_m_per_s, FLEET,
                 "speed (the time to cross 'following' of 'layout')");
    if ((v = mc_get(map, "load")) && mc_dist(c, v, FLEET, "load", MU_NONNEG, &f->load_s))
        return -1;
    if ((v = mc_get(map, "unload")) && mc_dist(c, v, FLEET, "unload", MU_NONNEG, &f->unload_s))
        return -1;
    if ((v = mc_get(map, "capacity"))) {
        if (mc_whole(c, v, FLEET, "capacity", 1, MODEL_MAX_VEHICLE_ITEMS, &n))
            return -1;
        f->capacity = (int)n;
    }
    if ((v = mc_get(map, "dispatch")) && read_dispatch(c, v, &f->dispatch))
        return -1;
    if ((v = mc_get(map, "battery")) && !ynode_is_null(v) &&
        read_battery(c, mc_key(map, "battery"), v, &f->battery))
        return -1;
    return 0;
}

int model_read_fleet(mctx *c, const ynode *root)
{
    const ynode *key = mc_key(root, "fleet"), *map = mc_get(root, "fleet");
    model_fleet *f = &c->m->fleet;
    bool given = map && !ynode_is_null(map);
    if (!given && c->m->layout.present)
        return mc_fail(c, mc_key(root, "layout"),
                       "the model has a `layout:` but no `fleet:`: give the vehicles that drive "
                       "on it (like fleet: { vehicles: 4, speed: 1m/s })");
    if (!given)
        return 0;
    if (!c->m->layout.present)
        return mc_fail(c, key, "the model has a `fleet:` but no `layout:`: its vehicles need a "
                               "path network to drive on");
    f->present = true;
    f->pos = (model_pos){key->line, key->col};
    f->load_s = f->unload_s = sim_dist_const(0);
    f->capacity = 1;
    f->dispatch = MODEL_DISPATCH_NEAREST;
    return read_fleet(c, map, f);
}

/* ---- pick, drop and out on stations and sources ------------------------- */

static int read_node_ref(mctx *c, const ynode *n, const char *what, const char *key, int *out)
{
    const ynode *v = mc_get(n, key);
    if (!v)
        return 0;
    if (!c->m->layout.present)
        return mc_fail(c, v, "%s has `%s:` but the model has no `layout:`, the AGV path network "
                             "its node would be on",
                       what, key);
    return model_layout_ref(c, v, what, key, out);
}

/* `out` places at the pick-up point: a whole number >= 1, or (sources
 * only) `inf`. */
static int read_out(mctx *c, const ynode *n, const char *what, bool may_be_inf, int pick,
                    long *out)
{
    const ynode *v = mc_get(n, "out");
    if (!v)
        return 0;
    if (pick == MODEL_NONE)
        return mc_fail(c, v, "`out` is the number of places at the pick-up point of %s, so it "
                             "needs a `pick:` node",
                       what);
    if (mc_scalar(c, v, what, "out"))
        return -1;
    if (may_be_inf && strcmp(v->text, "inf") == 0) {
        *out = MODEL_INFINITE_CAPACITY;
        return 0;
    }
    return mc_whole(c, v, what, "out", 1, MODEL_MAX_COUNT, out);
}

int model_read_agv_points(mctx *c, const ynode *stations, const ynode *sources)
{
    model_desc *m = c->m;
    char what[400];
    for (size_t i = 0; i < m->n_stations; i++) {
        const ynode *n = stations->kids[i];
        model_station *st = &m->stations[i];
        mc_label(what, sizeof what, "station", st->name);
        if (read_node_ref(c, n, what, "pick", &st->pick) ||
            read_node_ref(c, n, what, "drop", &st->drop) ||
            read_out(c, n, what, false, st->pick, &st->out_capacity))
            return -1;
    }
    for (size_t i = 0; sources && i < m->n_sources; i++) {
        const ynode *n = sources->kids[i];
        model_source *src = &m->sources[i];
        mc_label(what, sizeof what, "source", src->name);
        if (read_node_ref(c, n, what, "pick", &src->pick) ||
            read_out(c, n, what, true, src->pick, &src->out_capacity))
            return -1;
        /* as for a first station's buffer (model_check.c): raw material
         * always available would fill an unbounded pick-up at one instant */
        if (src->kind == MODEL_SOURCE_ALWAYS && src->pick != MODEL_NONE &&
            src->out_capacity == MODEL_INFINITE_CAPACITY)
            return mc_fail(c, mc_get(n, "pick"), "%s is always available, so its pick-up point "
                                                 "needs a finite `out:` (it would be flooded)",
                           what);
    }
    return 0;
}
