/* test_agv_fleet.c -- the AGV fleet in the running factory.
 *
 * 1. A single vehicle on a loop is an M/D/1 queue: its service is the
 *    whole round trip (load, loaded leg, unload, empty leg back), exact in
 *    routing steps. Mean wait and the share of time in each state come
 *    from the closed form, checked inside a 99 % confidence interval over
 *    independent replications.
 * 2. Layouts made to deadlock naive planners -- a dense two-way ring
 *    (head-on meetings in corridors), a one-way ring with one free place
 *    (only rotation moves anyone), a figure eight (two loops through one
 *    crossing), capacity 2 trips -- run for days: deliveries go on in every
 *    period, and every routing step is checked by the independent checker
 *    below, in the strict form (each step split in two half steps: nobody
 *    ever enters a place another occupied the instant before).
 * 3. Energy balance: what the batteries spend equals what the chargers
 *    put back (within one battery over the whole run).
 * 4. The shipped lights-out plant: throughput rises with the fleet and
 *    flattens below the paint shop's capacity (closed form).
 * 5. The Hungarian assignment against brute force; a fleet too big for
 *    its layout is an error with the fleet's line. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agv/agv.h"
#include "fabtwin/fabtwin.h"
#include "agv/agv_internal.h"
#include "flow/flow.h"
#include "model/model.h"
#include "sim/sim.h"
#include "testutil.h"

#define LEVEL 0.99

/* ---- a running factory, built below the public API to watch the fleet ---- */

typedef struct plant {
    model_desc *m;
    sim *s;
    flow_factory *f;
    ft_report rep;
} plant;

static void plant_open(plant *p, const char *yaml, uint64_t seed)
{
    ft_error err = {0};
    memset(p, 0, sizeof *p);
    p->m = model_load_string(yaml, strlen(yaml), "fleet.yaml", &err);
    if (!p->m)
        ft_error_print(&err, stderr);
    assert_non_null(p->m);
    p->s = sim_new();
    p->f = flow_build(p->m, p->s, seed, NULL, NULL, &err);
    if (!p->f)
        ft_error_print(&err, stderr);
    assert_non_null(p->f);
}

static void plant_run(plant *p, double warmup_s, double length_s)
{
    ft_error err = {0};
    assert_int_equal(flow_start(p->f, &err), 0);
    sim_run_until(p->s, warmup_s);
    flow_reset_stats(p->f);
    sim_run_until(p->s, warmup_s + length_s);
    flow_report(p->f, &p->rep);
}

static void plant_close(plant *p)
{
    flow_free(p->f);
    sim_free(p->s);
    model_free(p->m);
}

/* ---- 1. one vehicle: M/D/1 ------------------------------------------------ */

/* A one-way loop of 20 one-metre steps at 1 m/s: A to B is 10 s, B back to
 * A is 10 s; loading and unloading 5 s each. The vehicle parks at A, the
 * pick-up. Round trip S = 30 s, arrivals Poisson with mean 60 s. */
static const char *md1_model =
    "model: agv-md1\n"
    "run: { seed: 1, warmup: 2h, length: 10d }\n"
    "products:\n"
    "  - { name: P, routing: [ { station: S, time: 1s } ] }\n"
    "sources:\n"
    "  - { name: in, product: P, interarrival: exp(60s), pick: A }\n"
    "stations:\n"
    "  - { name: S, drop: B }\n"
    "layout:\n"
    "  following: 1m\n"
    "  nodes:\n"
    "    - { name: A, at: [0m, 0m] }\n"
    "    - { name: X, at: [5m, 0m] }\n"
    "    - { name: B, at: [5m, 5m] }\n"
    "    - { name: Y, at: [0m, 5m] }\n"
    "  edges:\n"
    "    - { path: [A, X, B, Y, A], one_way: true }\n"
    "  parking: [A]\n"
    "fleet: { vehicles: 1, speed: 1 m/s, load: 5s, unload: 5s }\n";

#define MD1_REPS 20

static void test_one_vehicle_is_md1(void **state)
{
    (void)state;
    const double lambda = 1.0 / 60, S = 30, L = 5, U = 5, leg = 10;
    double wait[MD1_REPS], deliv[MD1_REPS], handling[MD1_REPS], loaded[MD1_REPS],
        empty[MD1_REPS], idle[MD1_REPS];
    for (int r = 0; r < MD1_REPS; r++) {
        plant p;
        plant_open(&p, md1_model, 5001 + (uint64_t)r);
        plant_run(&p, 7200, 10 * 86400);
        const ft_fleet_kpis *k = p.rep.fleet;
        assert_non_null(k);
        wait[r] = k->wait_mean_s;
        deliv[r] = k->delivery_mean_s;
        const double *st = p.rep.vehicles[0].state_frac;
        handling[r] = st[FT_VEH_HANDLING];
        loaded[r] = st[FT_VEH_LOADED];
        empty[r] = st[FT_VEH_EMPTY];
        idle[r] = st[FT_VEH_IDLE];
        assert_true(st[FT_VEH_BLOCKED] == 0); /* alone on the loop */
        plant_close(&p);
    }
    double rho = lambda * S, wq = lambda * S * S / (2 * (1 - rho));
    assert_true(ft_ci_contains("wait (Pollaczek-Khinchine)", ft_ci_of(wait, MD1_REPS, LEVEL), wq, 0));
    assert_true(ft_ci_contains("delivery", ft_ci_of(deliv, MD1_REPS, LEVEL), wq + L + leg + U, 0));
    assert_true(ft_ci_contains("handling share", ft_ci_of(handling, MD1_REPS, LEVEL),
                               lambda * (L + U), 0));
    assert_true(ft_ci_contains("loaded share", ft_ci_of(loaded, MD1_REPS, LEVEL), lambda * leg, 0));
    assert_true(ft_ci_contains("empty share", ft_ci_of(empty, MD1_REPS, LEVEL), lambda * leg, 0));
    assert_true(ft_ci_contains("idle share", ft_ci_of(idle, MD1_REPS, LEVEL), 1 - rho, 0));
}

/* ---- 2. the checker and the adversarial layouts ------------------------------ */

/* Independent of the router: it sees only where every vehicle is at each
 * step and where it is one step later, and the arcs of the cell graph. */
typedef struct checker {
    const agv_fleet *fl;
    int n;
    uint32_t *prev_next;   /* last step's `next`, to check continuity */
    double prev_t, step_s;
    uint64_t steps, moves;
    bool prev_moved;
    char failure[256];
} checker;

/* A place in the half-step plan: a cell, or the midpoint of the arc {a, b}. */
typedef struct place {
    uint32_t a, b; /* a == b: the cell a */
} place;

static place place_of(uint32_t at, uint32_t next)
{
    return at < next ? (place){at, next} : (place){next, at};
}

static bool same(place x, place y)
{
    return x.a == y.a && x.b == y.b;
}

static void fail_check(checker *c, const char *fmt, ...)
{
    if (c->failure[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->failure, sizeof c->failure, fmt, ap);
    va_end(ap);
}

static void check_step(void *ctx, double t, const uint32_t *at, const uint32_t *next, int n)
{
    checker *c = ctx;
    c->steps++;
    if (c->prev_next) {
        for (int i = 0; i < n; i++)
            if (at[i] != c->prev_next[i])
                fail_check(c, "t=%g: vehicle %d jumped from %u to %u", t, i, c->prev_next[i],
                           at[i]);
        if (c->prev_moved && t - c->prev_t < c->step_s - 1e-9)
            fail_check(c, "t=%g: a move took %g s, less than a step", t, t - c->prev_t);
    } else {
        c->prev_next = malloc((size_t)n * sizeof *c->prev_next);
    }
    for (int i = 0; i < n; i++) {
        if (next[i] != at[i]) {
            c->moves++;
            if (!agv_fleet_arc(c->fl, at[i], next[i]))
                fail_check(c, "t=%g: vehicle %d moves %u -> %u: no such arc", t, i, at[i], next[i]);
        }
        for (int j = 0; j < i; j++) {
            /* whole steps: one vehicle per cell, now and next */
            if (at[i] == at[j] || next[i] == next[j])
                fail_check(c, "t=%g: vehicles %d and %d in one cell", t, j, i);
            /* half step: one vehicle per place */
            if (same(place_of(at[i], next[i]), place_of(at[j], next[j])))
                fail_check(c, "t=%g: vehicles %d and %d meet on an arc", t, j, i);
            /* strict: nobody enters a place another held the instant before.
             * At t+1/2 i enters its arc's midpoint (or stays in its cell); at
             * t+1 it enters next[i]. */
            for (int pass = 0; pass < 2; pass++) {
                int x = pass ? j : i, y = pass ? i : j;
                place y_half = place_of(at[y], next[y]);
                if (next[x] != at[x] && same(place_of(at[x], next[x]), (place){at[y], at[y]}))
                    fail_check(c, "t=%g: %d follows %d onto an arc", t, x, y);
                if (next[x] != at[x] && same((place){next[x], next[x]}, y_half))
                    fail_check(c, "t=%g: %d enters cell %u that %d holds at the half step", t, x,
                               next[x], y);
            }
        }
    }
    memcpy(c->prev_next, next, (size_t)n * sizeof *next);
    c->prev_t = t;
    c->prev_moved = memcmp(at, next, (size_t)n * sizeof *at) != 0;
}

/* Run `yaml` for `days` in `periods` parts: items must be delivered in
 * every part (no deadlock, no livelock) and every step must pass. */
static void run_checked(const char *yaml, int days, int periods)
{
    plant p;
    plant_open(&p, yaml, 77);
    checker c = {0};
    c.fl = flow_fleet(p.f);
    c.n = agv_fleet_size(c.fl);
    c.step_s = agv_fleet_step_s(c.fl);
    agv_fleet_observe(flow_fleet(p.f), check_step, &c);
    ft_error err = {0};
    assert_int_equal(flow_start(p.f, &err), 0);
    double part = days * 86400.0 / periods;
    uint64_t last = 0;
    for (int k = 1; k <= periods; k++) {
        sim_run_until(p.s, k * part);
        flow_report(p.f, &p.rep);
        uint64_t items = p.rep.fleet->items;
        if (items <= last)
            fail_msg("no delivery between %.0f s and %.0f s: deadlock", (k - 1) * part, k * part);
        last = items;
    }
    if (c.failure[0])
        fail_msg("%s", c.failure);
    printf("  %llu routing steps, %llu moves, %llu items, blocked %.1f %%\n",
           (unsigned long long)c.steps, (unsigned long long)c.moves, (unsigned long long)last,
           100 * p.rep.fleet->blocked_frac);
    assert_true(c.moves > 1000);
    free(c.prev_next);
    plant_close(&p);
}

/* Four stations on a two-way ring of 16 cells; the route zigzags across
 * the ring so vehicles meet head-on; 11 vehicles on 16 places. */
static void test_dense_two_way_ring(void **state)
{
    (void)state;
    run_checked("model: ring2\n"
                "run: { length: 1d }\n"
                "products:\n"
                "  - name: P\n"
                "    routing:\n"
                "      - { station: S1, time: 20s }\n"
                "      - { station: S3, time: 20s }\n"
                "      - { station: S2, time: 20s }\n"
                "      - { station: S4, time: 20s }\n"
                "sources: [ { name: in, product: P, always: true, pick: A, out: 3 } ]\n"
                "stations:\n"
                "  - { name: S1, pick: B, drop: B }\n"
                "  - { name: S2, pick: C, drop: C }\n"
                "  - { name: S3, pick: D, drop: D }\n"
                "  - { name: S4, pick: A, drop: A }\n"
                "layout:\n"
                "  following: 1m\n"
                "  nodes:\n"
                "    - { name: A, at: [0m, 0m] }\n"
                "    - { name: B, at: [4m, 0m] }\n"
                "    - { name: C, at: [4m, 4m] }\n"
                "    - { name: D, at: [0m, 4m] }\n"
                "  edges:\n"
                "    - { path: [A, B, C, D, A] }\n"
                "  shipping: C\n"
                "fleet: { vehicles: 11, speed: 1 m/s, load: 3s, unload: 3s }\n",
                3, 12);
}

/* A one-way ring of 8 cells carrying 7 vehicles: a vehicle can only move
 * when the whole ring rotates. */
static void test_full_one_way_ring(void **state)
{
    (void)state;
    run_checked("model: ring1\n"
                "run: { length: 1d }\n"
                "products:\n"
                "  - { name: P, routing: [ { station: S1, time: 10s }, { station: S2, time: 10s } ] }\n"
                "sources: [ { name: in, product: P, always: true, pick: A, out: 2 } ]\n"
                "stations:\n"
                "  - { name: S1, pick: C, drop: C }\n"
                "  - { name: S2, pick: E, drop: E }\n"
                "layout:\n"
                "  following: 1m\n"
                "  nodes:\n"
                "    - { name: A, at: [0m, 0m] }\n"
                "    - { name: B, at: [1m, 0m] }\n"
                "    - { name: C, at: [2m, 0m] }\n"
                "    - { name: D, at: [2m, 1m] }\n"
                "    - { name: E, at: [2m, 2m] }\n"
                "    - { name: F, at: [1m, 2m] }\n"
                "    - { name: G, at: [0m, 2m] }\n"
                "    - { name: H, at: [0m, 1m] }\n"
                "  edges:\n"
                "    - { path: [A, B, C, D, E, F, G, H, A], one_way: true }\n"
                "  shipping: G\n"
                "fleet: { vehicles: 7, speed: 1 m/s, load: 2s, unload: 2s }\n",
                2, 8);
}

/* Two one-way loops through one crossing X, trips from one loop to the
 * other, two items a trip and the optimal dispatcher. */
static void test_figure_eight(void **state)
{
    (void)state;
    run_checked("model: eight\n"
                "run: { length: 1d }\n"
                "products:\n"
                "  - { name: P, routing: [ { station: L, time: 15s }, { station: R, time: 15s } ] }\n"
                "sources: [ { name: in, product: P, always: true, pick: R2, out: 4 } ]\n"
                "stations:\n"
                "  - { name: L, pick: L2, drop: L1 }\n"
                "  - { name: R, pick: R1, drop: R1 }\n"
                "layout:\n"
                "  following: 1m\n"
                "  nodes:\n"
                "    - { name: X, at: [0m, 0m] }\n"
                "    - { name: L1, at: [-3m, 3m] }\n"
                "    - { name: L2, at: [-6m, 0m] }\n"
                "    - { name: L3, at: [-3m, -3m] }\n"
                "    - { name: R1, at: [3m, -3m] }\n"
                "    - { name: R2, at: [6m, 0m] }\n"
                "    - { name: R3, at: [3m, 3m] }\n"
                "  edges:\n"
                "    - { path: [X, L1, L2, L3, X], one_way: true }\n"
                "    - { path: [X, R1, R2, R3, X], one_way: true }\n"
                "  shipping: L3\n"
                "fleet: { vehicles: 9, speed: 1 m/s, load: 2s, unload: 2s, capacity: 2,\n"
                "         dispatch: optimal }\n",
                2, 8);
}

/* A grid layout: the MovingAI warehouse map (read in place from
 * ../shared), 30 vehicles between a store, two stations in the aisles and
 * a dock across the warehouse. */
static void test_warehouse_grid_layout(void **state)
{
    (void)state;
    const char *map = FT_SOURCE_DIR "/../shared/data/mapf/warehouse-10-20-10-2-1/"
                                    "warehouse-10-20-10-2-1.map";
    ft_need_path(map, "the MovingAI maps live in shared/data/mapf");
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "model: warehouse\n"
             "run: { length: 1d }\n"
             "products:\n"
             "  - { name: P, routing: [ { station: A, time: 40s }, { station: B, time: 40s } ] }\n"
             "sources: [ { name: in, product: P, interarrival: exp(60s), pick: [1, 1] } ]\n"
             "stations:\n"
             "  - { name: A, pick: [20, 30], drop: [21, 30] }\n"
             "  - { name: B, pick: [100, 4], drop: [101, 4] }\n"
             "layout:\n"
             "  following: 1m\n"
             "  map: %s\n"
             "  parking: [[3, 40], [4, 40], [5, 40], [6, 40], [7, 40], [8, 40]]\n"
             "  chargers: [\"10,50\"]\n"
             "  shipping: [150, 61]\n"
             "fleet: { vehicles: 30, speed: 1 m/s, load: 5s, unload: 5s }\n",
             map);
    run_checked(yaml, 1, 6);
}

/* ---- 3. batteries ---------------------------------------------------------- */

static void test_energy_balance(void **state)
{
    (void)state;
    /* the M/D/1 loop, busier, with batteries and a charger on a siding */
    const char *yaml =
        "model: agv-battery\n"
        "run: { length: 20d }\n"
        "products:\n"
        "  - { name: P, routing: [ { station: S, time: 1s } ] }\n"
        "sources:\n"
        "  - { name: in, product: P, interarrival: exp(40s), pick: A }\n"
        "stations:\n"
        "  - { name: S, drop: B }\n"
        "layout:\n"
        "  following: 1m\n"
        "  nodes:\n"
        "    - { name: A, at: [0m, 0m] }\n"
        "    - { name: X, at: [10m, 0m] }\n"
        "    - { name: B, at: [10m, 10m] }\n"
        "    - { name: Y, at: [0m, 10m] }\n"
        "    - { name: C, at: [-2m, 5m] }\n"
        "  edges:\n"
        "    - { path: [A, X, B, Y, A], one_way: true }\n"
        "    - { path: [Y, C, A], one_way: true }\n"
        "  parking: [A]\n"
        "  chargers: [C]\n"
        "fleet:\n"
        "  vehicles: 2\n"
        "  speed: 1 m/s\n"
        "  load: 5s\n"
        "  unload: 5s\n"
        "  battery: { per_km: 5%, per_hour: 1%, full_charge: 1h, charge_below: 30%, charge_to: 90% }\n";
    plant p;
    plant_open(&p, yaml, 9);
    plant_run(&p, 0, 20 * 86400);
    const ft_fleet_kpis *k = p.rep.fleet;
    const model_battery *b = &p.m->fleet.battery;
    double T = 20 * 86400.0;
    assert_int_equal(k->depleted, 0);
    for (size_t i = 0; i < p.rep.n_vehicles; i++) {
        const ft_vehicle_kpis *v = &p.rep.vehicles[i];
        double used = b->drain_per_s * T + b->drain_per_m * (v->loaded_m + v->empty_m);
        double charged = b->charge_per_s * v->state_frac[FT_VEH_CHARGING] * T;
        printf("  %s: used %.2f batteries, charged %.2f (%llu stops), lowest %.0f %%\n", v->name,
               used, charged, (unsigned long long)v->charges, 100 * v->battery_min);
        assert_true(v->charges > 10);
        assert_true(v->battery_min >= b->charge_below - 0.1);
        /* what was charged = what was used, up to the start and end charge
         * and the time spent queueing for the charger (counted as charging) */
        assert_true(charged >= used - 1.0);
    }
    plant_close(&p);
}

/* ---- 4. the fleet-size curve -------------------------------------------------- */

static ft_ci lights_out_throughput(int vehicles)
{
    enum { REPS = 4 };
    char n[16];
    snprintf(n, sizeof n, "%d", vehicles);
    ft_override ov = {"fleet.vehicles", n, "test", 0, 0};
    ft_error err = {0};
    ft_model *m = ft_model_load_with(FT_SOURCE_DIR "/models/lights-out-plant.yaml", &ov, 1, &err);
    if (!m)
        ft_error_print(&err, stderr);
    assert_non_null(m);
    double x[REPS];
    printf("  %d vehicles: seeds 300..%d\n", vehicles, 300 + REPS - 1);
    for (int r = 0; r < REPS; r++) {
        ft_run_options opt = {.has_seed = true, .seed = 300 + (uint64_t)r};
        ft_sim *s = ft_sim_new(m, &opt, &err);
        assert_non_null(s);
        assert_int_equal(ft_sim_run(s, &err), 0);
        const ft_report *rep = ft_sim_report(s);
        x[r] = -1;
        for (size_t k = 0; k < rep->n_products; k++)
            if (strcmp(rep->products[k].name, "油烟机") == 0)
                x[r] = rep->products[k].per_hour;
        assert_true(x[r] >= 0);
        ft_sim_free(s);
    }
    ft_model_free(m);
    ft_ci ci = ft_ci_of(x, REPS, LEVEL);
    printf("  %2d vehicles: %.2f +- %.2f hoods per hour\n", vehicles, ci.mean, ci.halfwidth);
    return ci;
}

static void test_fleet_size_curve_flattens_below_the_paint_shop(void **state)
{
    (void)state;
    /* the paint shop, tri(70 s, 75 s, 82 s), one server: the line's ceiling */
    double ceiling = 3600 / ((70.0 + 75 + 82) / 3);
    ft_ci c2 = lights_out_throughput(2), c8 = lights_out_throughput(8),
          c14 = lights_out_throughput(14), c16 = lights_out_throughput(16);
    /* rising while transport is short ... */
    assert_true(c2.mean + c2.halfwidth < c8.mean - c8.halfwidth);
    assert_true(c8.mean + c8.halfwidth < c14.mean - c14.halfwidth);
    /* ... then flat: two more vehicles change nothing that the intervals can tell */
    assert_true(fabs(c16.mean - c14.mean) <= c14.halfwidth + c16.halfwidth);
    /* and never above what the paint shop can do */
    assert_true(c14.mean + c14.halfwidth <= ceiling && c16.mean + c16.halfwidth <= ceiling);
}

/* ---- 5. pieces ------------------------------------------------------------- */

static double brute_force(const double *cost, int rows, int cols, int row, bool *used)
{
    if (row == rows)
        return 0;
    double best = INFINITY;
    for (int c = 0; c < cols; c++) {
        if (used[c])
            continue;
        used[c] = true;
        double x = cost[row * cols + c] + brute_force(cost, rows, cols, row + 1, used);
        used[c] = false;
        if (x < best)
            best = x;
    }
    return best;
}

static void test_hungarian_is_optimal(void **state)
{
    (void)state;
    uint64_t x = 12345;
    for (int trial = 0; trial < 300; trial++) {
        int rows = 1 + trial % 6, cols = rows + (trial / 6) % 3;
        double cost[6 * 8];
        for (int k = 0; k < rows * cols; k++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            cost[k] = (double)(x >> 58); /* 0..63: many ties */
        }
        int assign[6];
        assert_int_equal(agv_assign(cost, rows, cols, assign), 0);
        bool used[8] = {0};
        double total = 0;
        for (int r = 0; r < rows; r++) {
            assert_true(assign[r] >= 0 && assign[r] < cols);
            assert_false(used[assign[r]]);
            used[assign[r]] = true;
            total += cost[r * cols + assign[r]];
        }
        bool scratch[8] = {0};
        assert_true(fabs(total - brute_force(cost, rows, cols, 0, scratch)) < 1e-9);
    }
}

static void test_fleet_too_big_for_layout(void **state)
{
    (void)state;
    char yaml[2048];
    const char *v = strstr(md1_model, "vehicles: 1,");
    assert_non_null(v);
    /* the loop has 20 cells */
    snprintf(yaml, sizeof yaml, "%.*svehicles: 20%s", (int)(v - md1_model), md1_model,
             v + strlen("vehicles: 1"));
    ft_error err = {0};
    model_desc *m = model_load_string(yaml, strlen(yaml), "fleet.yaml", &err);
    if (!m)
        ft_error_print(&err, stderr);
    assert_non_null(m);
    sim *s = sim_new();
    assert_null(flow_build(m, s, 1, NULL, NULL, &err));
    ft_error_print(&err, stdout);
    assert_string_equal(err.file, "fleet.yaml");
    assert_int_equal(err.line, 19);
    assert_non_null(strstr(err.msg, "at most 19 vehicles"));
    sim_free(s);
    model_free(m);
}

static void test_cells_cut_edges_by_following_distance(void **state)
{
    (void)state;
    /* 10 m at 3 m: floor(10/3) = 3 arcs of 10/3 m; one way */
    model_node nodes[2] = {{"a", {0, 0}, {0, 0}}, {"b", {10, 0}, {0, 0}}};
    model_edge edges[1] = {{0, 1, 10, true, {0, 0}}};
    model_layout l = {.present = true, .following_m = 3, .nodes = nodes, .n_nodes = 2,
                      .edges = edges, .n_edges = 1, .shipping = MODEL_NONE};
    agv_cells g;
    ft_error err = {0};
    bool stop[2] = {true, true};
    assert_int_equal(agv_cells_build(&g, &l, stop, &err), 0);
    assert_int_equal(g.n, 4);
    assert_true(fabs(agv_cells_arc_m(&g, 0, 2) - 10.0 / 3) < 1e-12);
    assert_true(agv_cells_arc_m(&g, 2, 0) < 0); /* one way */
    assert_true(fabs(g.x[2] - 10.0 / 3) < 1e-12 && fabs(g.x[3] - 20.0 / 3) < 1e-12);
    assert_int_equal(agv_dist_to(&g, 1)[0], 3);
    assert_int_equal(agv_dist_to(&g, 0)[1], AGV_NONE);
    agv_cells_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cells_cut_edges_by_following_distance),
        cmocka_unit_test(test_hungarian_is_optimal),
        cmocka_unit_test(test_fleet_too_big_for_layout),
        cmocka_unit_test(test_one_vehicle_is_md1),
        cmocka_unit_test(test_dense_two_way_ring),
        cmocka_unit_test(test_full_one_way_ring),
        cmocka_unit_test(test_figure_eight),
        cmocka_unit_test(test_warehouse_grid_layout),
        cmocka_unit_test(test_energy_balance),
        cmocka_unit_test(test_fleet_size_curve_flattens_below_the_paint_shop),
    };
    return ft_tests_status(cmocka_run_group_tests(tests, NULL, NULL));
}
