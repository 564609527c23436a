/* test_sim_kernel.c -- the event calendar's contract: time order, FIFO ties,
 * real cancellation with stale-id safety, re-entrancy from handlers, the
 * run-until and set-now rules, and a randomised comparison against a
 * trivially correct reference calendar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "sim/sim.h"

/* ---- helpers ------------------------------------------------------------ */

#define LOG_MAX 4096

/* What the handlers saw, in firing order. */
typedef struct fired_log {
    size_t n;
    intptr_t arg[LOG_MAX];
    double at[LOG_MAX];
} fired_log;

static void record(sim *s, void *obj, intptr_t arg)
{
    fired_log *log = obj;
    assert_true(log->n < LOG_MAX);
    log->arg[log->n] = arg;
    log->at[log->n] = sim_now(s);
    log->n++;
}

static void noop(sim *s, void *obj, intptr_t arg) { (void)s, (void)obj, (void)arg; }

static void run_all(sim *s)
{
    while (sim_step(s)) {
    }
}

/* Small deterministic generator for the tests themselves (splitmix64), so
 * the kernel test does not depend on sim_rng. */
static uint64_t test_rand(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static fired_log *new_log(void)
{
    fired_log *log = calloc(1, sizeof *log);
    assert_non_null(log);
    return log;
}

/* ---- ordering ------------------------------------------------------------ */

static void test_events_fire_in_time_order_and_clock_follows(void **state)
{
    (void)state;
    sim *s = sim_new();
    fired_log *log = new_log();
    const double t[] = {5, 1, 3, 2.5, 4, 0};
    for (int i = 0; i < 6; i++)
        assert_int_not_equal(sim_schedule_at(s, t[i], record, log, i), SIM_NO_EVENT);
    run_all(s);
    const intptr_t want[] = {5, 1, 3, 2, 4, 0}; /* indices of t sorted ascending */
    assert_int_equal(log->n, 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(log->arg[i], want[i]);
        assert_true(log->at[i] == t[want[i]]);
    }
    assert_true(sim_now(s) == 5.0);
    free(log);
    sim_free(s);
}

static void test_equal_times_fire_in_insertion_order(void **state)
{
    (void)state;
    sim *s = sim_new();
    fired_log *log = new_log();
    /* 300 events at t = 7, interleaved with decoys before and after, so the
     * ties pass through many different heap positions. */
    for (int i = 0; i < 300; i++) {
        sim_schedule_at(s, 7.0, record, log, i);
        sim_schedule_at(s, (i % 2) ? 3.0 : 9.0, record, log, -1);
    }
    run_all(s);
    intptr_t expect = 0;
    for (size_t i = 0; i < log->n; i++)
        if (log->at[i] == 7.0)
            assert_int_equal(log->arg[i], expect++);
    assert_int_equal(expect, 300);
    free(log);
    sim_free(s);
}

static void test_negative_and_signed_zero_times_order_correctly(void **state)
{
    (void)state;
    sim *s = sim_new();
    fired_log *log = new_log();
    assert_true(sim_set_now(s, -10.0));
    sim_schedule_at(s, 0.0, record, log, 3);
    sim_schedule_at(s, -0.0, record, log, 4); /* same time as 0.0, later: after it */
    sim_schedule_at(s, -2.5, record, log, 2);
    sim_schedule_at(s, -7.0, record, log, 1);
    sim_schedule_at(s, 1e-300, record, log, 5);
    run_all(s);
    assert_int_equal(log->n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(log->arg[i], i + 1);
    free(log);
    sim_free(s);
}

/* ---- cancellation --------------------------------------------------------- */

static void test_cancel_of_pending_event_removes_it(void **state)
{
    (void)state;
    sim *s = sim_new();
    fired_log *log = new_log();
    sim_schedule_at(s, 1, record, log, 1);
    sim_event_id mid = sim_schedule_at(s, 2, record, log, 2);
    sim_schedule_at(s, 3, record, log, 3);
    assert_true(sim_cancel(s, mid));
    assert_int_equal(sim_pending(s), 2);
    assert_true(sim_event_time(s, mid) < 0);
    run_all(s);
    assert_int_equal(log->n, 2);
    assert_int_equal(log->arg[0], 1);
    assert_int_equal(log->arg[1], 3);
    free(log);
    sim_free(s);
}

static void test_cancel_of_fired_event_is_harmless(void **state)
{
    (void)state;
    sim *s = sim_new();
    fired_log *log = new_log();
    sim_event_id first = sim_schedule_at(s, 1, record, log, 1);
    sim_schedule_at(s, 2, record, log, 2);
    assert_true(sim_step(s));
    assert_false(sim_cancel(s, first));
    assert_int_equal(sim_pending(s), 1);
    run_all(s);
    assert_int_equal(log->n, 2);
    free(log);
    sim_free(s);
}

static void test_cancel_twice_reports_pending_only_once(void **state)
{
    (void)state;
    sim *s = sim_new();
    sim_event_id id = sim_schedule(s, 1, noop, NULL, 0);
    assert_true(sim_cancel(s, id));
    assert_false(sim_cancel(s, id));
    assert_int_equal(sim_pending(s), 0);
    sim_free(s);
}

/* The freed storage of a fired/cancelled event is reused by the next one;
 * the old id must not reach the new event. */
static void test_stale_id_does_not_cancel_a_newer_event(void **state)
{
    (void)state;
    sim *s = sim_new();
    fired_log *log = new_log();
    sim_event_id old = sim_schedule(s, 1, record, log, 1);
    assert_true(sim_cancel(s, old));
    sim_event_id fresh = sim_schedule(s, 2, record, log, 2);
    assert_true(fresh != old);
    assert_false(sim_cancel(s, old));
    assert_true(sim_event_time(s, old) < 0);
    assert_true(sim_event_time(s, fresh) == 2.0);
    run_all(s);
    assert_int_equal(log->n, 1);
    assert_int_equal(log->arg[0], 2);
    free(log);
    sim_free(s);
}

static void test_cancel_of_none_or_unknown_ids_is_harmless(void **state)
{
    (void)state;
    sim *s = sim_new();
    sim_event_id id = sim_schedule(s, 1, noop, NULL, 0);
    assert_false(sim_cancel(s, SIM_NO_EVENT));
    uint64_t x = 42;
    for (int i = 0; i < 1000; i++) {
        sim_event_id junk = test_rand(&x);
        if (junk != id)
            assert_false(sim_cancel(s, junk));
    }
    assert_false(sim_cancel(s, id + ((sim_event_id)1 << 32))); /* wrong generation */
    assert_int_equal(sim_pending(s), 1);
    sim_free(s);
}

/* ---- re-entrancy ------------------------------------------------------------ */

typedef struct victim_ctx {
    sim_event_id victim;
    sim_event_id self;
    bool cancelled_victim;
    bool cancelled_self;
    fired_log *log;
} victim_ctx;

static void cancel_victim(sim *s, void *obj, intptr_t arg)
{
    victim_ctx *c = obj;
    c->cancelled_victim = sim_cancel(s, c->victim);
    c->cancelled_self = sim_cancel(s, c->self);
    record(s, c->log, arg);
}

static void test_handler_can_cancel_a_pending_event_at_the_same_time(void **state)
{
    (void)state;
    sim *s = sim_new();
    victim_ctx c = {.log = new_log()};
    c.self = sim_schedule_at(s, 5, cancel_victim, &c, 1);
    c.victim = sim_schedule_at(s, 5, record, c.log, 2);
    run_all(s);
    assert_true(c.cancelled_victim);
    assert_int_equal(c.log->n, 1);
    assert_int_equal(c.log->arg[0], 1);
    free(c.log);
    sim_free(s);
}

static void test_handler_cancelling_itself_is_harmless(void **state)
{
    (void)state;
    sim *s = sim_new();
    victim_ctx c = {.log = new_log()};
    c.self = sim_schedule_at(s, 1, cancel_victim, &c, 1);
    sim_schedule_at(s, 2, record, c.log, 2);
    run_all(s);
    assert_false(c.cancelled_self); /* it is firing: no longer pending */
    assert_int_equal(c.log->n, 2);
    free(c.log);
    sim_free(s);
}

typedef struct chain_ctx {
    int left;
    fired_log *log;
} chain_ctx;

/* Each firing schedules a zero-delay successor and one a bit later. */
static void chain(sim *s, void *obj, intptr_t arg)
{
    chain_ctx *c = obj;
    record(s, c->log, arg);
    if (c->left-- > 0) {
        assert_int_not_equal(sim_schedule(s, 0, record, c->log, arg + 1000), SIM_NO_EVENT);
        assert_int_not_equal(sim_schedule(s, 1, chain, c, arg + 1), SIM_NO_EVENT);
    }
}

static void test_handler_can_schedule_and_zero_delay_queues_behind_ties(void **state)
{
    (void)state;
    sim *s = sim_new();
    chain_ctx c = {3, new_log()};
    sim_schedule_at(s, 0, chain, &c, 0);
    sim_schedule_at(s, 0, record, c.log, 500); /* already waiting at t = 0 */
    run_all(s);
    /* t=0: chain(0), then the pre-existing tie 500, then the zero-delay 1000;
     * t=1: chain(1), 1001; t=2: chain(2), 1002; t=3: chain(3), which has no
     * budget left and schedules nothing. */
    const intptr_t want_arg[] = {0, 500, 1000, 1, 1001, 2, 1002, 3};
    const double want_at[] = {0, 0, 0, 1, 1, 2, 2, 3};
    assert_int_equal(c.log->n, 8);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(c.log->arg[i], want_arg[i]);
        assert_true(c.log->at[i] == want_at[i]);
    }
    free(c.log);
    sim_free(s);
}

/* ---- run_until, stop, set_now, rejects ------------------------------------ */

static void test_run_until_runs_events_at_exactly_t_end_and_sets_clock(void **state)
{
    (void)state;
    sim *s = sim_new();
    fired_log *log = new_log();
    sim_schedule_at(s, 1, record, log, 1);
    sim_schedule_at(s, 10, record, log, 2);
    sim_schedule_at(s, 10.000001, record, log, 3);
    assert_int_equal(sim_run_until(s, 10), 2);
    assert_true(sim_now(s) == 10.0);
    assert_int_equal(sim_pending(s), 1);
    assert_true(sim_next_time(s) == 10.000001);
    assert_int_equal(sim_run_until(s, 50), 1);
    assert_true(sim_now(s) == 50.0); /* clock advances past the last event */
    assert_int_equal(sim_events_run(s), 3);
    free(log);
    sim_free(s);
}

static void test_run_until_into_the_past_does_nothing(void **state)
{
    (void)state;
    sim *s = sim_new();
    sim_schedule_at(s, 5, noop, NULL, 0);
    assert_int_equal(sim_run_until(s, 2), 0);
    assert_true(sim_now(s) == 2.0);
    assert_int_equal(sim_run_until(s, 1), 0);
    assert_true(sim_now(s) == 2.0);
    assert_int_equal(sim_run_until(s, NAN), 0);
    assert_true(sim_now(s) == 2.0);
    sim_free(s);
}

static void stopper(sim *s, void *obj, intptr_t arg)
{
    record(s, obj, arg);
    sim_stop(s);
}

static void test_stop_returns_after_the_current_event(void **state)
{
    (void)state;
    sim *s = sim_new();
    fired_log *log = new_log();
    sim_schedule_at(s, 1, record, log, 1);
    sim_schedule_at(s, 2, stopper, log, 2);
    sim_schedule_at(s, 2, record, log, 3);
    assert_int_equal(sim_run_until(s, 100), 2);
    assert_true(sim_now(s) == 2.0); /* not 100: the rest has not happened */
    assert_int_equal(sim_pending(s), 1);
    assert_int_equal(sim_run_until(s, 100), 1); /* a stop is not sticky */
    assert_true(sim_now(s) == 100.0);
    free(log);
    sim_free(s);
}

static void test_set_now_only_when_calendar_empty(void **state)
{
    (void)state;
    sim *s = sim_new();
    assert_true(sim_set_now(s, 3600));
    assert_true(sim_now(s) == 3600.0);
    sim_event_id id = sim_schedule(s, 5, noop, NULL, 0);
    assert_true(sim_event_time(s, id) == 3605.0);
    assert_false(sim_set_now(s, 0));
    assert_true(sim_now(s) == 3600.0);
    sim_cancel(s, id);
    assert_true(sim_set_now(s, 0));
    assert_false(sim_set_now(s, NAN));
    sim_free(s);
}

static void test_schedule_rejects_past_nan_negative_and_infinite_times(void **state)
{
    (void)state;
    sim *s = sim_new();
    sim_set_now(s, 10);
    assert_null(sim_error(s));
    assert_int_equal(sim_schedule_at(s, 9.999, noop, NULL, 0), SIM_NO_EVENT);
    assert_non_null(strstr(sim_error(s), "9.999000 s: that is in the past"));
    assert_int_equal(sim_schedule_at(s, NAN, noop, NULL, 0), SIM_NO_EVENT);
    assert_int_equal(sim_schedule_at(s, INFINITY, noop, NULL, 0), SIM_NO_EVENT);
    assert_int_equal(sim_schedule(s, -1e-9, noop, NULL, 0), SIM_NO_EVENT);
    assert_int_equal(sim_schedule(s, NAN, noop, NULL, 0), SIM_NO_EVENT);
    assert_int_equal(sim_schedule(s, INFINITY, noop, NULL, 0), SIM_NO_EVENT);
    assert_int_equal(sim_pending(s), 0);
    assert_int_not_equal(sim_schedule_at(s, 10, noop, NULL, 0), SIM_NO_EVENT);
    assert_int_not_equal(sim_schedule(s, 0, noop, NULL, 0), SIM_NO_EVENT);
    /* the first error is the one kept */
    assert_non_null(strstr(sim_error(s), "in the past"));
    sim_free(s);
}

/* ---- errors ------------------------------------------------------------------ */

/* A handler that schedules at NaN and, like a careless caller, ignores the
 * SIM_NO_EVENT it gets back. */
static void schedule_nan(sim *s, void *obj, intptr_t arg)
{
    record(s, obj, arg);
    sim_schedule_at(s, NAN, noop, NULL, 0);
}

static void test_rejected_schedule_stops_the_run_with_where_it_happened(void **state)
{
    (void)state;
    sim *s = sim_new();
    fired_log *log = new_log();
    sim_schedule_at(s, 1, record, log, 1);
    sim_schedule_at(s, 2, schedule_nan, log, 2);
    sim_schedule_at(s, 2, record, log, 3); /* same time, after the failing event */
    sim_schedule_at(s, 3, record, log, 4);
    assert_int_equal(sim_run_until(s, 10), 2);
    /* the failing event finished; nothing after it ran, the clock stayed */
    assert_int_equal(log->n, 2);
    assert_true(sim_now(s) == 2.0);
    const char *e = sim_error(s);
    assert_non_null(e);
    assert_non_null(strstr(e, "not a number"));
    assert_non_null(strstr(e, "simulated time 2.000000 s, event 2)"));
    /* the error is sticky: nothing runs any more */
    assert_int_equal(sim_run_until(s, 10), 0);
    assert_false(sim_step(s));
    assert_int_equal(log->n, 2);
    assert_int_equal(sim_pending(s), 2);
    free(log);
    sim_free(s);
}

static void test_fail_keeps_the_first_error_and_names_the_next_event_outside_one(void **state)
{
    (void)state;
    sim *s = sim_new();
    sim_set_now(s, 5);
    sim_fail(s, "first %d", 1);
    sim_fail(s, "second");
    assert_string_equal(sim_error(s), "first 1 (simulated time 5.000000 s, before event 1)");
    sim_free(s);
}

/* At t = 2^34 s a double's unit in the last place is 2^34 * 2^-52 = 2^-18 s
 * (3.8 us): a 1 us delay rounds back to now, so it is lost -- an error. At
 * 2^33 s the unit is 2^-19 s (1.9 us), half of it under 1 us: the same
 * delay still moves the clock. A delay below SIM_TIME_RESOLUTION_S may
 * vanish without error. A 5 s delay at 10^17 s (unit 16 s) is lost too. */
static void test_delay_the_clock_cannot_represent_is_an_error(void **state)
{
    (void)state;
    sim *s = sim_new();
    sim_set_now(s, 0x1p33);
    sim_event_id id = sim_schedule(s, 1e-6, noop, NULL, 0);
    assert_true(sim_event_time(s, id) > 0x1p33);
    assert_null(sim_error(s));
    sim_free(s);

    s = sim_new();
    sim_set_now(s, 0x1p34);
    assert_int_not_equal(sim_schedule(s, 0.5e-6, noop, NULL, 0), SIM_NO_EVENT);
    assert_null(sim_error(s));
    assert_int_equal(sim_schedule(s, 1e-6, noop, NULL, 0), SIM_NO_EVENT);
    assert_non_null(strstr(sim_error(s), "resolution"));
    sim_free(s);

    s = sim_new();
    sim_set_now(s, 1e17);
    assert_int_equal(sim_schedule(s, 5, noop, NULL, 0), SIM_NO_EVENT);
    assert_non_null(strstr(sim_error(s), "5 s ahead"));
    sim_free(s);
}

static void test_injected_failure_hits_exactly_the_nth_schedule(void **state)
{
    (void)state;
    sim *s = sim_new();
    sim_fail_schedule_after(s, 3);
    assert_int_not_equal(sim_schedule(s, 1, noop, NULL, 0), SIM_NO_EVENT);
    assert_int_not_equal(sim_schedule(s, 2, noop, NULL, 0), SIM_NO_EVENT);
    assert_null(sim_error(s));
    assert_int_equal(sim_schedule(s, 3, noop, NULL, 0), SIM_NO_EVENT);
    assert_non_null(strstr(sim_error(s), "out of memory"));
    assert_int_not_equal(sim_schedule(s, 4, noop, NULL, 0), SIM_NO_EVENT); /* once only */
    assert_int_equal(sim_pending(s), 3);
    sim_free(s);
}

static void test_empty_calendar_reports_no_next_event(void **state)
{
    (void)state;
    sim *s = sim_new();
    assert_true(isinf(sim_next_time(s)) && sim_next_time(s) > 0);
    assert_false(sim_step(s));
    assert_int_equal(sim_pending(s), 0);
    assert_int_equal(sim_events_run(s), 0);
    sim_free(s);
}

/* ---- churn and memory ------------------------------------------------------ */

#define LIVE 128

/* One churn phase: 1e6 random schedule/cancel/step operations over at most
 * LIVE pending events, checking sim_pending against our own count. */
static void churn(sim *s, uint64_t *x, sim_event_id *live, size_t *nlive)
{
    for (int i = 0; i < 1000000; i++) {
        uint64_t r = test_rand(x);
        if (*nlive < LIVE && (r & 3) != 0) {
            sim_event_id id = sim_schedule(s, (double)(r >> 40) * 1e-6, noop, NULL, 0);
            assert_int_not_equal(id, SIM_NO_EVENT);
            live[(*nlive)++] = id;
        } else if (*nlive > 0) {
            size_t k = (size_t)(r >> 8) % *nlive;
            assert_true(sim_cancel(s, live[k]));
            live[k] = live[--*nlive];
        }
        assert_int_equal(sim_pending(s), *nlive);
    }
}

static size_t heap_bytes_in_use(void)
{
#ifdef __GLIBC__
    return mallinfo2().uordblks; /* 0 under ASan, which replaces malloc */
#else
    return 0;
#endif
}

static void test_schedule_cancel_churn_keeps_pending_exact_and_memory_flat(void **state)
{
    (void)state;
    sim *s = sim_new();
    sim_event_id live[LIVE];
    size_t nlive = 0;
    uint64_t x = 7;
    churn(s, &x, live, &nlive); /* reaches the peak of LIVE pending */
    size_t after_first = heap_bytes_in_use();
    churn(s, &x, live, &nlive);
    /* Cancelled events are removed for real and their storage reused, so a
     * second million operations at the same peak allocates nothing. A
     * tombstoning calendar would grow here. */
    assert_int_equal(heap_bytes_in_use(), after_first);

    /* Everything still pending fires, and only that. */
    for (size_t k = 0; k < nlive; k++)
        assert_true(sim_event_time(s, live[k]) >= sim_now(s));
    uint64_t before = sim_events_run(s);
    run_all(s);
    assert_int_equal(sim_events_run(s) - before, nlive);
    sim_free(s);
}

/* ---- randomised comparison with a reference calendar ---------------------- */

/* Reference: an unsorted array scanned for the (time, seq) minimum. Slow and
 * obviously right. Times are small integers so ties are frequent. */
typedef struct ref_ev {
    double t;
    intptr_t seq;
    sim_event_id id;
} ref_ev;

typedef struct fire_check {
    intptr_t last_seq;
    size_t fired;
} fire_check;

static void note_fire(sim *s, void *obj, intptr_t arg)
{
    (void)s;
    fire_check *c = obj;
    c->last_seq = arg;
    c->fired++;
}

static void test_calendar_matches_reference_under_random_operations(void **state)
{
    (void)state;
    enum { MAXREF = 5000, OPS = 300000 };
    sim *s = sim_new();
    ref_ev *ref = malloc(MAXREF * sizeof *ref);
    assert_non_null(ref);
    size_t nref = 0;
    intptr_t next_seq = 0;
    fire_check fc = {-1, 0};
    uint64_t x = 2024;
    sim_event_id stale = SIM_NO_EVENT;

    for (int op = 0; op < OPS; op++) {
        uint64_t r = test_rand(&x);
        unsigned kind = (unsigned)(r % 10);
        if (kind < 5 && nref < MAXREF) {
            double t = sim_now(s) + (double)((r >> 8) % 50);
            sim_event_id id = sim_schedule_at(s, t, note_fire, &fc, next_seq);
            assert_int_not_equal(id, SIM_NO_EVENT);
            ref[nref++] = (ref_ev){t, next_seq++, id};
        } else if (kind < 7 && nref > 0) {
            size_t k = (size_t)(r >> 16) % nref;
            assert_true(sim_event_time(s, ref[k].id) == ref[k].t);
            assert_true(sim_cancel(s, ref[k].id));
            stale = ref[k].id;
            ref[k] = ref[--nref];
        } else if (kind < 8) {
            assert_false(sim_cancel(s, stale));
        } else if (nref > 0) {
            size_t m = 0;
            for (size_t k = 1; k < nref; k++)
                if (ref[k].t < ref[m].t || (ref[k].t == ref[m].t && ref[k].seq < ref[m].seq))
                    m = k;
            assert_true(sim_next_time(s) == ref[m].t);
            assert_true(sim_step(s));
            assert_int_equal(fc.last_seq, ref[m].seq);
            assert_true(sim_now(s) == ref[m].t);
            stale = ref[m].id;
            ref[m] = ref[--nref];
        }
        assert_int_equal(sim_pending(s), nref);
    }
    free(ref);
    sim_free(s);
}


/* ---- delays below the clock's resolution -------------------------------- */

/* Re-arms itself after a fixed delay of arg nanoseconds, counting how
 * often it fired. */
static void rearm(sim *s, void *obj, intptr_t arg)
{
    uint64_t *fired = obj;
    (*fired)++;
    sim_schedule(s, (double)arg / 1e9, rearm, obj, arg);
}

/* At t = 2^60 s a double resolves steps of 2^8 = 256 s, so a 0.5 us delay
 * (below SIM_TIME_RESOLUTION_S, so not an error by itself: a lost delay of
 * 1 us or more is: test_delay_the_clock_cannot_represent_is_an_error) leaves the
 * clock where it is. A handler that re-arms itself that way would fire at
 * that one instant forever; the kernel instead refuses the delays after
 * 2^16 of them, reports itself stalled and stops the run. */
static void test_delays_that_do_not_move_the_clock_stall_instead_of_looping(void **state)
{
    sim *s = sim_new();
    double t0 = ldexp(1, 60);
    assert_true(t0 + 1.0 == t0);
    assert_true(sim_set_now(s, t0));
    uint64_t fired = 0;
    assert_int_not_equal(sim_schedule(s, 0.5e-6, rearm, &fired, 500), SIM_NO_EVENT);
    sim_run_until(s, t0 + ldexp(1, 20));
    assert_true(sim_stalled(s));
    /* 2^16 delays were taken (the first schedule among them, since the
     * clock already stands at t0), each fired once; the next was refused */
    assert_int_equal(fired, 1u << 16);
    assert_int_equal(sim_pending(s), 0);
    assert_int_equal(sim_schedule(s, 1.0, noop, NULL, 0), SIM_NO_EVENT);
    sim_free(s);
}

/* A positive delay rounded to zero now and then (an exponential sample
 * below the clock's resolution) is run at the same instant, not refused. */
static void test_an_occasional_delay_below_resolution_runs_at_now(void **state)
{
    sim *s = sim_new();
    assert_true(sim_set_now(s, 1e6));
    fired_log log = {0};
    assert_int_not_equal(sim_schedule(s, 1e-12, record, &log, 7), SIM_NO_EVENT);
    sim_run_until(s, 2e6);
    assert_false(sim_stalled(s));
    assert_int_equal(log.n, 1);
    assert_true(log.at[0] == 1e6);
    sim_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_fire_in_time_order_and_clock_follows),
        cmocka_unit_test(test_equal_times_fire_in_insertion_order),
        cmocka_unit_test(test_negative_and_signed_zero_times_order_correctly),
        cmocka_unit_test(test_cancel_of_pending_event_removes_it),
        cmocka_unit_test(test_cancel_of_fired_event_is_harmless),
        cmocka_unit_test(test_cancel_twice_reports_pending_only_once),
        cmocka_unit_test(test_stale_id_does_not_cancel_a_newer_event),
        cmocka_unit_test(test_cancel_of_none_or_unknown_ids_is_harmless),
        cmocka_unit_test(test_handler_can_cancel_a_pending_event_at_the_same_time),
        cmocka_unit_test(test_handler_cancelling_itself_is_harmless),
        cmocka_unit_test(test_handler_can_schedule_and_zero_delay_queues_behind_ties),
        cmocka_unit_test(test_run_until_runs_events_at_exactly_t_end_and_sets_clock),
        cmocka_unit_test(test_run_until_into_the_past_does_nothing),
        cmocka_unit_test(test_stop_returns_after_the_current_event),
        cmocka_unit_test(test_set_now_only_when_calendar_empty),
        cmocka_unit_test(test_schedule_rejects_past_nan_negative_and_infinite_times),
        cmocka_unit_test(test_rejected_schedule_stops_the_run_with_where_it_happened),
        cmocka_unit_test(test_fail_keeps_the_first_error_and_names_the_next_event_outside_one),
        cmocka_unit_test(test_delay_the_clock_cannot_represent_is_an_error),
        cmocka_unit_test(test_injected_failure_hits_exactly_the_nth_schedule),
        cmocka_unit_test(test_empty_calendar_reports_no_next_event),
        cmocka_unit_test(test_schedule_cancel_churn_keeps_pending_exact_and_memory_flat),
        cmocka_unit_test(test_calendar_matches_reference_under_random_operations),
        cmocka_unit_test(test_delays_that_do_not_move_the_clock_stall_instead_of_looping),
        cmocka_unit_test(test_an_occasional_delay_below_resolution_runs_at_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
