/* agv_fleet.c -- the vehicles: building the fleet, what each is doing,
 * when it moves, where it parks and when it charges.
 *
 * Time moves in routing steps of `following / speed` seconds while any
 * vehicle has somewhere to go; a step event moves every vehicle one cell
 * at once (agv_route.c decides where) and stops when all are at rest, so
 * an idle fleet costs no events. Loading, unloading and charging are
 * events of their own at exact times; the vehicle is frozen meanwhile.
 *
 * A vehicle's life: idle (parked, or standing where it was if all parking
 * is taken) -> to the pick-up -> loading -> to the drop-off -> unloading ->
 * idle, or to a charger first when its battery is below the threshold.
 * Who takes which transport is agv_dispatch.c's; the KPIs agv_report.c's.
 *
 * Half steps: a step from cell a to b is carried out as a -> midpoint of
 * the arc -> b. At whole steps every vehicle is on a cell, at half steps
 * every moving vehicle is on an arc midpoint, so nobody ever enters a
 * place another occupied the moment before: no following, no rotation,
 * and never closer than `following` (docs/agv.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agv/agv_fleet_internal.h"

static void tick_event(sim *s, void *obj, intptr_t arg);
static void action_event(sim *s, void *obj, intptr_t arg);

/* ---- small things ------------------------------------------------------------ */

double agv_now(const agv_fleet *fl)
{
    return sim_now(fl->s);
}

void agv_set_state(agv_fleet *fl, agv_vehicle *v, ft_vehicle_state st)
{
    double t = agv_now(fl);
    v->state_s[v->state] += t - v->state_t;
    v->state = st;
    v->state_t = t;
}

void agv_set_busy(agv_fleet *fl, agv_vehicle *v, bool busy)
{
    double t = agv_now(fl);
    if (v->busy)
        v->busy_s += t - v->busy_t;
    v->busy = busy;
    v->busy_t = t;
}

void agv_battery_update(agv_fleet *fl, agv_vehicle *v, double metres)
{
    const model_battery *b = &fl->def->battery;
    double t = agv_now(fl);
    if (b->present) {
        double dt = t - v->battery_t;
        v->battery += v->mode == MODE_CHARGING ? b->charge_per_s * dt : -b->drain_per_s * dt;
        v->battery -= b->drain_per_m * metres;
        if (v->battery > 1)
            v->battery = 1;
        if (v->battery <= 0) {
            v->battery = 0;
            if (!v->depleted)
                fl->depleted++;
            v->depleted = true;
        } else if (v->battery >= b->charge_below) {
            v->depleted = false;
        }
        if (v->battery < v->battery_min)
            v->battery_min = v->battery;
    }
    v->battery_t = t;
}

static bool is_frozen(const agv_vehicle *v)
{
    return v->mode == MODE_LOADING || v->mode == MODE_UNLOADING || v->mode == MODE_CHARGING;
}

static bool at_goal(const agv_fleet *fl, int i)
{
    return fl->v[i].goal < 0 || fl->at[i] == (uint32_t)fl->v[i].goal;
}

/* Steps from vehicle i (where it will be after the current step) to node. */
uint32_t agv_steps_to(const agv_fleet *fl, int i, int node)
{
    return agv_dist_to(&fl->g, node)[fl->next[i]];
}

static void ensure_ticking(agv_fleet *fl)
{
    if (fl->ticking)
        return;
    fl->ticking = true;
    sim_schedule(fl->s, 0, tick_event, fl, 0);
}

static void set_goal(agv_fleet *fl, int i, int node)
{
    fl->v[i].goal = node;
    fl->goal_dist[i] = node < 0 ? NULL : agv_dist_to(&fl->g, node);
    fl->v[i].prio = 0;
    if (node >= 0 && !at_goal(fl, i))
        ensure_ticking(fl);
}

/* Nearest unclaimed node of `nodes` (owner[k] < 0) from vehicle i, or -1. */
int agv_nearest_free(const agv_fleet *fl, int i, const int *nodes, const int *owner,
                        size_t n)
{
    int best = -1;
    uint32_t best_d = AGV_NONE;
    for (size_t k = 0; k < n; k++) {
        uint32_t d = agv_steps_to(fl, i, nodes[k]);
        if (owner[k] < 0 && d < best_d) {
            best_d = d;
            best = (int)k;
        }
    }
    return best;
}

/* The fleet is a candidate bottleneck: active while no vehicle is idle
 * (every one has a task, charges or waits for a charger), so that more
 * work would have to wait; the chargers while all are taken. */
static void bn_activity(agv_fleet *fl)
{
    bool fleet = fl->n_idle == 0;
    bool chargers = fl->lay->n_chargers > 0 && fl->n_chargers_taken == (int)fl->lay->n_chargers;
    if (fleet != fl->bn_fleet_active && fl->hooks.active)
        fl->hooks.active(fl->hooks.ctx, AGV_BN_FLEET, fleet);
    if (chargers != fl->bn_chargers_active && fl->hooks.active)
        fl->hooks.active(fl->hooks.ctx, AGV_BN_CHARGERS, chargers);
    fl->bn_fleet_active = fleet;
    fl->bn_chargers_active = chargers;
}

void agv_release_claims(agv_fleet *fl, agv_vehicle *v)
{
    if (v->park >= 0)
        fl->park_owner[v->park] = -1;
    if (v->charger >= 0) {
        fl->charger_owner[v->charger] = -1;
        fl->n_chargers_taken--;
        bn_activity(fl);
    }
    v->park = v->charger = -1;
}

void agv_claim_charger(agv_fleet *fl, int charger, int i)
{
    fl->charger_owner[charger] = i;
    fl->v[i].charger = charger;
    fl->n_chargers_taken++;
    bn_activity(fl);
}

void agv_set_mode(agv_fleet *fl, agv_vehicle *v, agv_mode mode)
{
    fl->n_idle += (mode == MODE_IDLE) - (v->mode == MODE_IDLE);
    v->mode = mode;
    bn_activity(fl);
}

/* ---- a vehicle's life ---------------------------------------------------------- */

static void start_action(agv_fleet *fl, int i, agv_mode mode, double duration_s)
{
    agv_vehicle *v = &fl->v[i];
    agv_battery_update(fl, v, 0);
    agv_set_mode(fl, v, mode);
    agv_set_state(fl, v, mode == MODE_CHARGING ? FT_VEH_CHARGING : FT_VEH_HANDLING);
    sim_schedule(fl->s, duration_s > 0 ? duration_s : 0, action_event, fl, i);
}

/* Vehicle i has reached its goal. */
static void arrive(agv_fleet *fl, int i)
{
    agv_vehicle *v = &fl->v[i];
    switch (v->mode) {
    case MODE_TO_PICK:
        v->load_start_s = agv_now(fl);
        start_action(fl, i, MODE_LOADING, sim_dist_sample(&fl->def->load_s, &v->rng));
        break;
    case MODE_TO_DROP:
        start_action(fl, i, MODE_UNLOADING, sim_dist_sample(&fl->def->unload_s, &v->rng));
        break;
    case MODE_TO_CHARGER: {
        const model_battery *b = &fl->def->battery;
        agv_battery_update(fl, v, 0);
        start_action(fl, i, MODE_CHARGING, (b->charge_to - v->battery) / b->charge_per_s);
        break;
    }
    case MODE_IDLE: case MODE_LOADING: case MODE_UNLOADING: case MODE_CHARGING:
    case MODE_WAIT_CHARGER:
        break;
    }
}

/* Head for node in mode; arrive at once if already there and at rest. */
void agv_head_for(agv_fleet *fl, int i, agv_mode mode, int node)
{
    agv_set_mode(fl, &fl->v[i], mode);
    set_goal(fl, i, node);
    if (fl->at[i] == (uint32_t)node && fl->next[i] == fl->at[i])
        arrive(fl, i);
}

/* After a task or a charge: charge if low, else park. */
static void go_idle(agv_fleet *fl, int i)
{
    agv_vehicle *v = &fl->v[i];
    const model_battery *b = &fl->def->battery;
    agv_release_claims(fl, v);
    if (b->present && v->battery < b->charge_below) {
        int c = agv_nearest_free(fl, i, fl->lay->chargers, fl->charger_owner, fl->lay->n_chargers);
        if (c >= 0) {
            agv_claim_charger(fl, c, i);
            agv_head_for(fl, i, MODE_TO_CHARGER, fl->lay->chargers[c]);
            return;
        }
    }
    int p = agv_nearest_free(fl, i, fl->lay->parking, fl->park_owner, fl->lay->n_parking);
    if (p >= 0)
        fl->park_owner[p] = i;
    v->park = p;
    agv_set_mode(fl, v, b->present && v->battery < b->charge_below ? MODE_WAIT_CHARGER : MODE_IDLE);
    v->idle_since_s = agv_now(fl);
    set_goal(fl, i, p >= 0 ? fl->lay->parking[p] : -1);
    if (fl->next[i] == fl->at[i])
        agv_set_state(fl, v, v->mode == MODE_WAIT_CHARGER ? FT_VEH_CHARGING : FT_VEH_IDLE);
    agv_request_dispatch(fl);
}

static void action_event(sim *s, void *obj, intptr_t arg)
{
    (void)s;
    agv_fleet *fl = obj;
    int i = (int)arg;
    agv_vehicle *v = &fl->v[i];
    agv_battery_update(fl, v, 0);
    switch (v->mode) {
    case MODE_LOADING:
        fl->hooks.loaded(fl->hooks.ctx, i, v->pickup, v->dest, v->n);
        agv_set_state(fl, v, FT_VEH_LOADED);
        agv_head_for(fl, i, MODE_TO_DROP, v->drop_node);
        break;
    case MODE_UNLOADING:
        fl->hooks.unloaded(fl->hooks.ctx, i, v->pickup, v->dest, v->n);
        for (int k = 0; k < v->n; k++) {
            stats_tally_add(fl->wait, v->load_start_s - v->req_t[k]);
            stats_tally_add(fl->delivery, agv_now(fl) - v->req_t[k]);
        }
        fl->items += (uint64_t)v->n;
        v->trips++;
        v->n = 0;
        agv_set_busy(fl, v, false);
        go_idle(fl, i);
        break;
    case MODE_CHARGING:
        v->charges++;
        agv_set_mode(fl, v, MODE_IDLE);
        go_idle(fl, i);
        break;
    case MODE_IDLE: case MODE_TO_PICK: case MODE_TO_DROP: case MODE_TO_CHARGER:
    case MODE_WAIT_CHARGER:
        break;
    }
}

/* ---- routing steps ----------------------------------------------------------------- */

static int by_priority(const void *a, const void *b, void *ctx)
{
    const agv_fleet *fl = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    double px = fl->v[x].prio, py = fl->v[y].prio;
    if (px != py)
        return px > py ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* insertion sort: a stable, allocation-free order for tens of vehicles */
static void sort_order(agv_fleet *fl)
{
    for (int k = 1; k < fl->n; k++) {
        uint32_t x = fl->order[k];
        int j = k;
        while (j > 0 && by_priority(&fl->order[j - 1], &x, fl) > 0) {
            fl->order[j] = fl->order[j - 1];
            j--;
        }
        fl->order[j] = x;
    }
}

static void tick_event(sim *s, void *obj, intptr_t arg)
{
    (void)arg;
    agv_fleet *fl = obj;
    /* 1. the step that just ended */
    for (int i = 0; i < fl->n; i++) {
        agv_vehicle *v = &fl->v[i];
        double m = 0;
        if (fl->next[i] != fl->at[i]) {
            m = agv_cells_arc_m(&fl->g, fl->at[i], fl->next[i]);
            if (v->mode == MODE_TO_DROP)
                v->loaded_m += m;
            else
                v->empty_m += m;
            fl->at[i] = fl->next[i];
        }
        agv_battery_update(fl, v, m);
    }
    /* 2. arrivals */
    for (int i = 0; i < fl->n; i++)
        if (!is_frozen(&fl->v[i]) && fl->v[i].goal >= 0 && at_goal(fl, i))
            arrive(fl, i);
    /* 3. priorities: up by one each step away from the goal, reset on arrival */
    for (int i = 0; i < fl->n; i++) {
        fl->frozen[i] = is_frozen(&fl->v[i]);
        if (fl->frozen[i] || at_goal(fl, i))
            fl->v[i].prio = 0;
        else
            fl->v[i].prio += 1;
        fl->order[i] = (uint32_t)i;
    }
    sort_order(fl);
    /* 4. the next step */
    agv_route_step(&fl->router, fl->at, fl->goal_dist, fl->frozen, fl->order, fl->next);
    bool active = false;
    for (int i = 0; i < fl->n; i++) {
        agv_vehicle *v = &fl->v[i];
        if (fl->frozen[i])
            continue;
        ft_vehicle_state st;
        if (fl->next[i] != fl->at[i])
            st = v->mode == MODE_TO_DROP ? FT_VEH_LOADED : FT_VEH_EMPTY;
        else if (!at_goal(fl, i))
            st = FT_VEH_BLOCKED;
        else
            st = v->mode == MODE_WAIT_CHARGER ? FT_VEH_CHARGING : FT_VEH_IDLE;
        if (st != FT_VEH_IDLE && st != FT_VEH_CHARGING)
            active = true;
        if (st != v->state)
            agv_set_state(fl, v, st);
    }
    fl->tick_t = sim_now(s);
    if (fl->observe)
        fl->observe(fl->observe_ctx, fl->tick_t, fl->at, fl->next, fl->n);
    fl->ticking = active;
    if (active)
        sim_schedule(s, fl->step_s, tick_event, fl, 0);
}

/* ---- building -------------------------------------------------------------------------- */

/* Nodes where vehicles stand: pick-ups, drop-offs, shipping, chargers, parking. */
static void mark_stops(const model_desc *m, bool *stop)
{
    const model_layout *l = &m->layout;
    for (size_t i = 0; i < m->n_stations; i++) {
        if (m->stations[i].pick != MODEL_NONE)
            stop[m->stations[i].pick] = true;
        if (m->stations[i].drop != MODEL_NONE)
            stop[m->stations[i].drop] = true;
    }
    for (size_t i = 0; i < m->n_sources; i++)
        if (m->sources[i].pick != MODEL_NONE)
            stop[m->sources[i].pick] = true;
    if (l->shipping != MODEL_NONE)
        stop[l->shipping] = true;
    for (size_t k = 0; k < l->n_chargers; k++)
        stop[l->chargers[k]] = true;
    for (size_t k = 0; k < l->n_parking; k++)
        stop[l->parking[k]] = true;
}

static bool is_parking(const model_layout *l, uint32_t cell)
{
    for (size_t k = 0; k < l->n_parking; k++)
        if ((uint32_t)l->parking[k] == cell)
            return true;
    return false;
}

agv_fleet *agv_fleet_new(const model_desc *m, sim *s, uint64_t seed, const agv_hooks *hooks,
                         ft_error *err)
{
    agv_fleet *fl = calloc(1, sizeof *fl);
    if (!fl) {
        ft_fail(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    fl->def = &m->fleet;
    fl->lay = &m->layout;
    fl->path = m->path;
    fl->s = s;
    fl->hooks = *hooks;
    fl->n = m->fleet.vehicles;
    fl->step_s = m->layout.following_m / m->fleet.speed_m_per_s;
    bool *stop = calloc(m->layout.n_nodes, sizeof *stop);
    if (!stop) {
        free(fl);
        ft_fail(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    mark_stops(m, stop);
    int built = agv_cells_build(&fl->g, &m->layout, stop, err);
    free(stop);
    if (built) {
        free(fl);
        return NULL;
    }
    if ((uint32_t)fl->n >= fl->g.n) {
        ft_fail(err, m->path, m->fleet.pos.line, m->fleet.pos.col,
                "%d vehicles do not fit on the layout: cut into cells of `following` (%g m) "
                "it has %u places, and the routing needs at least one free; at most %u vehicles",
                fl->n, m->layout.following_m, fl->g.n, fl->g.n - 1);
        agv_fleet_free(fl);
        return NULL;
    }
    size_t n = (size_t)fl->n;
    fl->v = calloc(n, sizeof *fl->v);
    fl->at = malloc(n * sizeof *fl->at);
    fl->next = malloc(n * sizeof *fl->next);
    fl->order = malloc(n * sizeof *fl->order);
    fl->frozen = calloc(n, sizeof *fl->frozen);
    fl->goal_dist = calloc(n, sizeof *fl->goal_dist);
    fl->park_owner = malloc((m->layout.n_parking + 1) * sizeof *fl->park_owner);
    fl->charger_owner = malloc((m->layout.n_chargers + 1) * sizeof *fl->charger_owner);
    fl->wait = stats_tally_new();
    fl->delivery = stats_tally_new();
    if (!fl->v || !fl->at || !fl->next || !fl->order || !fl->frozen || !fl->goal_dist ||
        !fl->park_owner || !fl->charger_owner || !fl->wait || !fl->delivery ||
        agv_router_init(&fl->router, &fl->g, (uint32_t)n, seed)) {
        agv_fleet_free(fl);
        ft_fail(err, NULL, 0, 0, "out of memory");
        return NULL;
    }
    for (size_t k = 0; k < m->layout.n_parking; k++)
        fl->park_owner[k] = -1;
    for (size_t k = 0; k < m->layout.n_chargers; k++)
        fl->charger_owner[k] = -1;
    fl->n_idle = (int)n; /* every vehicle starts MODE_IDLE */
    /* starting places: the parking nodes, then the other cells in order */
    uint32_t cell = 0;
    for (size_t i = 0; i < n; i++) {
        agv_vehicle *v = &fl->v[i];
        snprintf(v->name, sizeof v->name, "AGV%zu", i + 1);
        v->park = v->charger = v->goal = -1;
        if (i < m->layout.n_parking) {
            fl->at[i] = (uint32_t)m->layout.parking[i];
            fl->park_owner[i] = (int)i;
            v->park = (int)i;
        } else {
            while (is_parking(&m->layout, cell))
                cell++;
            fl->at[i] = cell++;
        }
        fl->next[i] = fl->at[i];
        if (v->park >= 0)
            set_goal(fl, (int)i, m->layout.parking[i]);
        char stream[32];
        snprintf(stream, sizeof stream, "agv/%zu", i);
        sim_rng_init(&v->rng, seed, stream);
        v->req_t = malloc((size_t)m->fleet.capacity * sizeof *v->req_t);
        if (!v->req_t) {
            agv_fleet_free(fl);
            ft_fail(err, NULL, 0, 0, "out of memory");
            return NULL;
        }
        v->battery = v->battery_min = 1;
        v->battery_t = v->state_t = v->busy_t = v->idle_since_s = sim_now(s);
    }
    fl->t_reset = fl->tick_t = sim_now(s);
    return fl;
}

void agv_fleet_free(agv_fleet *fl)
{
    if (!fl)
        return;
    if (fl->v)
        for (int i = 0; i < fl->n; i++)
            free(fl->v[i].req_t);
    free(fl->v);
    free(fl->at);
    free(fl->next);
    free(fl->order);
    free(fl->frozen);
    free(fl->goal_dist);
    free(fl->park_owner);
    free(fl->charger_owner);
    free(fl->req);
    stats_tally_free(fl->wait);
    stats_tally_free(fl->delivery);
    agv_router_free(&fl->router);
    agv_cells_free(&fl->g);
    free(fl);
}
