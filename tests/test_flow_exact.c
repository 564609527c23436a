/* test_flow_exact.c -- material flow on small deterministic plants whose
 * behaviour can be worked out by hand: blocking, starving, setups, shifts,
 * assembly, split, inspection, conveyors, warm-up deletion and starting from
 * a given state. Each expected value is derived in the comment above it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fabtwin/fabtwin.h"

static ft_model *load(const char *yaml)
{
    ft_error err = {0};
    ft_model *m = ft_model_load_string(yaml, strlen(yaml), "test.yaml", &err);
    if (!m)
        ft_error_print(&err, stderr);
    assert_non_null(m);
    return m;
}

/* Load, run with the model's own run section, keep model and sim for inspection. */
typedef struct run_result {
    ft_model *m;
    ft_sim *s;
    const ft_report *r;
} run_result;

static run_result run(const char *yaml)
{
    run_result rr = {load(yaml), NULL, NULL};
    ft_error err = {0};
    rr.s = ft_sim_new(rr.m, NULL, &err);
    if (!rr.s)
        ft_error_print(&err, stderr);
    assert_non_null(rr.s);
    assert_int_equal(ft_sim_run(rr.s, &err), 0);
    rr.r = ft_sim_report(rr.s);
    return rr;
}

static void done(run_result *rr)
{
    ft_sim_free(rr->s);
    ft_model_free(rr->m);
}

static const ft_station_kpis *station(const ft_report *r, const char *name)
{
    for (size_t i = 0; i < r->n_stations; i++)
        if (strcmp(r->stations[i].name, name) == 0)
            return &r->stations[i];
    fail_msg("no station %s", name);
    return NULL;
}

static const ft_product_kpis *product(const ft_report *r, const char *name)
{
    for (size_t i = 0; i < r->n_products; i++)
        if (strcmp(r->products[i].name, name) == 0)
            return &r->products[i];
    fail_msg("no product %s", name);
    return NULL;
}

/* A → B → C with always-available material and single-place buffers.
 * The slowest station (B, 20 s) paces the line: after the warm-up one item
 * leaves every 20 s, so 2000 s give 100 items; A (10 s) is blocked half of
 * the time, C (15 s) starved a quarter of it. */
static const char *line3 =
    "model: line3\n"
    "run: {warmup: 500s, length: 2000s}\n"
    "products:\n"
    "  - name: p\n"
    "    routing:\n"
    "      - {station: A, time: 10s}\n"
    "      - {station: B, time: 20s}\n"
    "      - {station: C, time: 15s}\n"
    "sources:\n"
    "  - {name: raw, product: p, always: true}\n"
    "buffers:\n"
    "  - {name: inA, capacity: 1, feeds: A}\n"
    "  - {name: inB, capacity: 0, feeds: B}\n"
    "  - {name: inC, capacity: 1, feeds: C}\n"
    "stations:\n"
    "  - {name: A}\n"
    "  - {name: B}\n"
    "  - {name: C}\n";

static void test_slowest_station_paces_a_deterministic_line(void **state)
{
    run_result rr = run(line3);
    const ft_product_kpis *p = product(rr.r, "p");
    assert_true(p->produced >= 99 && p->produced <= 101);
    assert_float_equal(p->takt_s, 20.0, 0.5);
    assert_string_equal(rr.r->bottleneck, "B");
    done(&rr);
}

static void test_station_blocks_when_downstream_buffer_full(void **state)
{
    run_result rr = run(line3);
    /* A needs 10 s per item but B takes one every 20 s: A works 50 %, is blocked 50 %. */
    const ft_station_kpis *a = station(rr.r, "A");
    assert_float_equal(a->state_frac[FT_WORKING], 0.5, 0.01);
    assert_float_equal(a->state_frac[FT_BLOCKED], 0.5, 0.01);
    /* C works 15 s of every 20 s and waits 5 s: 75 % working, 25 % starved. */
    const ft_station_kpis *c = station(rr.r, "C");
    assert_float_equal(c->state_frac[FT_WORKING], 0.75, 0.01);
    assert_float_equal(c->state_frac[FT_STARVED], 0.25, 0.01);
    /* B never waits: 100 % working, OEE = 1 (availability 1, performance 1, quality 1). */
    const ft_station_kpis *b = station(rr.r, "B");
    assert_float_equal(b->state_frac[FT_WORKING], 1.0, 0.01);
    assert_float_equal(b->oee, 1.0, 0.01);
    done(&rr);
}

/* Three items placed in B's queue at t = 0, one on B mid-process with 5 s
 * left, B down for 7 s first. B resumes at 7, finishes the job at 12, then
 * the queued items at 32, 52, 72; C takes 15 s each: exits at 27, 47, 67, 87. */
static void test_simulation_starts_from_a_given_state(void **state)
{
    const char *yaml =
        "model: state\n"
        "products:\n"
        "  - name: p\n"
        "    routing:\n"
        "      - {station: B, time: 20s}\n"
        "      - {station: C, time: 15s}\n"
        "sources:\n"
        "  - {name: none, product: p, interarrival: 1000h}\n"
        "stations:\n"
        "  - {name: B}\n"
        "  - {name: C}\n";
    ft_model *m = load(yaml);
    ft_error err = {0};
    ft_run_options opt = {.has_length = true, .length_s = 100};
    ft_sim *s = ft_sim_new(m, &opt, &err);
    assert_non_null(s);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ft_sim_place_item(s, "B", "p", 1, 0, &err), 0);
    assert_int_equal(ft_sim_place_job(s, "B", "p", 1, 0, 5, &err), 0);
    assert_int_equal(ft_sim_place_failure(s, "B", 7, &err), 0);
    assert_int_equal(ft_sim_advance(s, 86.9, &err), 0);
    assert_int_equal(ft_sim_report(s)->products[0].produced, 3);
    assert_int_equal(ft_sim_advance(s, 87.1, &err), 0);
    const ft_report *r = ft_sim_report(s);
    assert_int_equal(r->products[0].produced, 4);
    /* cycle times from release 0: 27, 47, 67, 87 → mean 57 */
    assert_float_equal(r->products[0].cycle_mean_s, 57.0, 1e-6);
    /* B was failed for 7 of the 87.1 s */
    assert_float_equal(station(r, "B")->state_frac[FT_FAILED], 7 / 87.1, 1e-9);
    /* placing after the start is refused */
    assert_int_not_equal(ft_sim_place_item(s, "B", "p", 1, 0, &err), 0);
    ft_sim_free(s);
    ft_model_free(m);
}

/* Orders alternate two products on one station with a 5 s setup: 10 items
 * released at 0 alternate p, q, p, q ... so every item but the first needs
 * a setup: 9 setups × 5 s + 10 × 10 s of work = 145 s of the first 145 s. */
static void test_setup_on_every_product_change(void **state)
{
    const char *yaml =
        "model: setup\n"
        "run: {length: 200s}\n"
        "products:\n"
        "  - {name: p, routing: [{station: S, time: 10s}]}\n"
        "  - {name: q, routing: [{station: S, time: 10s}]}\n"
        "sources:\n"
        "  - name: plan\n"
        "    orders:\n"
        "      - {time: 0s, product: p, count: 1}\n"
        "      - {time: 0s, product: q, count: 1}\n"
        "      - {time: 0s, product: p, count: 1}\n"
        "      - {time: 0s, product: q, count: 1}\n"
        "      - {time: 0s, product: p, count: 1}\n"
        "      - {time: 0s, product: q, count: 1}\n"
        "      - {time: 0s, product: p, count: 1}\n"
        "      - {time: 0s, product: q, count: 1}\n"
        "      - {time: 0s, product: p, count: 1}\n"
        "      - {time: 0s, product: q, count: 1}\n"
        "stations:\n"
        "  - {name: S, setup: 5s}\n";
    run_result rr = run(yaml);
    const ft_station_kpis *s = station(rr.r, "S");
    assert_float_equal(s->state_frac[FT_SETUP], 45.0 / 200, 1e-9);
    assert_float_equal(s->state_frac[FT_WORKING], 100.0 / 200, 1e-9);
    /* availability = run / planned = (200 - 45) / 200 */
    assert_float_equal(s->availability, 155.0 / 200, 1e-9);
    done(&rr);
}

/* A station on shift 06:00-14:00 Monday to Friday, with a 30 min break,
 * over one week: on shift 5 × 7.5 h = 37.5 h of 168 h. */
static void test_station_is_off_outside_its_calendar(void **state)
{
    const char *yaml =
        "model: shifts\n"
        "run: {length: 1w}\n"
        "products:\n"
        "  - {name: p, routing: [{station: S, time: 1min}]}\n"
        "sources:\n"
        "  - {name: raw, product: p, always: true}\n"
        "buffers:\n"
        "  - {name: in, capacity: 2, feeds: S}\n"
        "calendars:\n"
        "  day:\n"
        "    days: [mon, tue, wed, thu, fri]\n"
        "    shifts: [{from: \"06:00\", to: \"14:00\"}]\n"
        "    breaks: [{from: \"10:00\", to: \"10:30\"}]\n"
        "stations:\n"
        "  - {name: S, calendar: day}\n";
    run_result rr = run(yaml);
    const ft_station_kpis *s = station(rr.r, "S");
    assert_float_equal(s->state_frac[FT_OFF_SHIFT], 1 - 37.5 / 168, 1e-9);
    assert_float_equal(s->state_frac[FT_WORKING], 37.5 / 168, 1e-9);
    /* One item a minute while on shift: 450 a day. An item due exactly at a
     * shift's end pauses (the shift event was scheduled first, so it fires
     * first) and completes at the next shift start; so Monday completes 449,
     * Tuesday to Friday 450 each, and Friday's last one is left for the next
     * Monday, outside the week: 449 + 4 × 450 = 2249. */
    assert_int_equal(product(rr.r, "p")->produced, 449 + 4 * 450);
    done(&rr);
}

/* Assembly of 2 doors + 1 car: doors arrive every 30 s, cars every 60 s,
 * assembly takes 40 s. One elevator per 60 s in steady state, and each
 * elevator's cycle time starts at its earliest part's release. */
static void test_assembly_consumes_its_bill_of_materials(void **state)
{
    const char *yaml =
        "model: assembly\n"
        "run: {warmup: 600s, length: 6000s}\n"
        "products:\n"
        "  - {name: door, routing: [{station: press, time: 20s}, {station: final}]}\n"
        "  - {name: car, routing: [{station: weld, time: 50s}, {station: final}]}\n"
        "  - {name: elevator, routing: [{station: final, time: 40s}]}\n"
        "sources:\n"
        "  - {name: doors, product: door, interarrival: 30s}\n"
        "  - {name: cars, product: car, interarrival: 60s}\n"
        "stations:\n"
        "  - {name: press}\n"
        "  - {name: weld}\n"
        "  - {name: final, assembly: {produces: elevator, parts: {door: 2, car: 1}}}\n";
    run_result rr = run(yaml);
    const ft_product_kpis *e = product(rr.r, "elevator");
    assert_true(e->produced >= 99 && e->produced <= 101);
    assert_int_equal(product(rr.r, "door")->produced, 0); /* parts never leave as such */
    assert_float_equal(e->takt_s, 60.0, 1.0);
    /* Exactly periodic: car released at 60k, welded by 60k+50; doors at 30j, pressed 20 s
     * later, the second of a pair at 60k+50 at the latest: the kit is complete at 60k+50,
     * assembled at 60k+90. Earliest part = the door released at 60k-30 (pressed at 60k-10):
     * cycle = 90 + 30 = 120 s for every elevator. */
    assert_float_equal(e->cycle_mean_s, 120.0, 1e-6);
    done(&rr);
}

/* One roll of 500 m is cut into 5 pieces of 100 m: quantity is conserved. */
static void test_split_divides_quantity(void **state)
{
    const char *yaml =
        "model: split\n"
        "run: {length: 1000s}\n"
        "products:\n"
        "  - name: roll\n"
        "    unit: m\n"
        "    quantity: 500m\n"
        "    routing: [{station: cut, time: 10s}, {station: pack, time: 1s}]\n"
        "sources:\n"
        "  - {name: rolls, product: roll, interarrival: 100s, limit: 3}\n"
        "stations:\n"
        "  - {name: cut, split: {count: 5}}\n"
        "  - {name: pack}\n";
    run_result rr = run(yaml);
    const ft_product_kpis *p = product(rr.r, "roll");
    assert_int_equal(p->produced, 15);
    assert_float_equal(p->quantity, 1500.0, 1e-9);
    done(&rr);
}

/* A 30 m belt at 0.5 m/s adds 60 s between the stations: with items far
 * apart, cycle time = 10 + 60 + 5 = 75 s exactly. */
static void test_conveyor_adds_its_travel_time(void **state)
{
    const char *yaml =
        "model: belt\n"
        "run: {length: 2000s}\n"
        "products:\n"
        "  - {name: p, routing: [{station: A, time: 10s}, {station: B, time: 5s}]}\n"
        "sources:\n"
        "  - {name: s, product: p, interarrival: 100s}\n"
        "conveyors:\n"
        "  - {name: belt, from: A, to: B, length: 30m, speed: 0.5m/s, spacing: 1m,"
        " accumulating: true}\n"
        "stations:\n"
        "  - {name: A}\n"
        "  - {name: B}\n";
    run_result rr = run(yaml);
    const ft_product_kpis *p = product(rr.r, "p");
    assert_int_equal(p->produced, 19); /* released at 100..1900, all out by 1975 */
    assert_float_equal(p->cycle_mean_s, 75.0, 1e-6);
    assert_float_equal(p->cycle_p95_s, 75.0, 75.0 * 0.002);
    done(&rr);
}

/* Same belt, but B takes 30 s while items arrive every 2 s (headway 2 s):
 * an accumulating belt of 30 places queues them; the throughput is B's. */
static void test_conveyor_accumulates_behind_a_blocked_item(void **state)
{
    const char *yaml =
        "model: belt2\n"
        "run: {warmup: 3000s, length: 3000s}\n"
        "products:\n"
        "  - {name: p, routing: [{station: A, time: 2s}, {station: B, time: 30s}]}\n"
        "sources:\n"
        "  - {name: s, product: p, always: true}\n"
        "buffers:\n"
        "  - {name: inA, capacity: 1, feeds: A}\n"
        "  - {name: inB, capacity: 0, feeds: B}\n"
        "conveyors:\n"
        "  - {name: belt, from: A, to: B, length: 30m, speed: 0.5m/s, spacing: 1m,"
        " accumulating: true}\n"
        "stations:\n"
        "  - {name: A}\n"
        "  - {name: B}\n";
    run_result rr = run(yaml);
    assert_true(product(rr.r, "p")->produced >= 99 && product(rr.r, "p")->produced <= 101);
    /* In steady state the belt is full (30 items), A holds one, B one and inA one:
     * Little: WIP = 33 items. */
    assert_float_equal(rr.r->wip_mean, 33.0, 0.5);
    done(&rr);
}

/* Inspection: scrap 20 %, rework 0 — over 20000 items the scrap share is
 * binomial: sd = sqrt(0.2 × 0.8 / 20000) = 0.0028; 5 sd = 0.014. */
static void test_inspection_scraps_its_share(void **state)
{
    const char *yaml =
        "model: qc\n"
        "run: {length: 20000s}\n"
        "products:\n"
        "  - {name: p, routing: [{station: qc, time: 1s}]}\n"
        "sources:\n"
        "  - {name: s, product: p, interarrival: 1s}\n"
        "stations:\n"
        "  - {name: qc, inspection: {scrap: 20%, rework: 0, rework_to: qc}}\n";
    run_result rr = run(yaml);
    const ft_station_kpis *q = station(rr.r, "qc");
    double share = (double)q->scrapped / (double)q->processed;
    assert_true(q->processed > 19990);
    assert_float_equal(share, 0.2, 0.014);
    assert_float_equal(q->quality, 1 - share, 1e-12);
    done(&rr);
}

/* Maintenance every 10 h for 1 h, the first at 5 h: in 100 h there are
 * exactly 10 windows (5, 15, ..., 95 h), so 10 % of the time in maintenance.
 * Planned time excludes maintenance, so availability stays 1; the station is
 * never starved (raw material always there), so it works the other 90 %. */
static void test_planned_maintenance_stops_the_station(void **state)
{
    const char *yaml =
        "model: maint\n"
        "run: {length: 100h}\n"
        "products:\n"
        "  - {name: p, routing: [{station: S, time: 1min}]}\n"
        "sources:\n"
        "  - {name: raw, product: p, always: true}\n"
        "buffers:\n"
        "  - {name: in, capacity: 1, feeds: S}\n"
        "stations:\n"
        "  - {name: S, maintenance: {every: 10h, duration: 1h, first: 5h}}\n";
    run_result rr = run(yaml);
    const ft_station_kpis *s = station(rr.r, "S");
    assert_float_equal(s->state_frac[FT_MAINTENANCE], 0.1, 1e-9);
    assert_float_equal(s->state_frac[FT_WORKING], 0.9, 1e-9);
    assert_float_equal(s->availability, 1.0, 1e-9);
    /* 90 h of work at one item a minute; the item due at each window's start
     * finishes at its end, so none is lost: 5400 items. */
    assert_int_equal(product(rr.r, "p")->produced, 5400);
    done(&rr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slowest_station_paces_a_deterministic_line),
        cmocka_unit_test(test_station_blocks_when_downstream_buffer_full),
        cmocka_unit_test(test_simulation_starts_from_a_given_state),
        cmocka_unit_test(test_setup_on_every_product_change),
        cmocka_unit_test(test_station_is_off_outside_its_calendar),
        cmocka_unit_test(test_assembly_consumes_its_bill_of_materials),
        cmocka_unit_test(test_split_divides_quantity),
        cmocka_unit_test(test_conveyor_adds_its_travel_time),
        cmocka_unit_test(test_conveyor_accumulates_behind_a_blocked_item),
        cmocka_unit_test(test_inspection_scraps_its_share),
        cmocka_unit_test(test_planned_maintenance_stops_the_station),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
