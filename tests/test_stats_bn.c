/* test_stats_bn.c -- the active-period bottleneck method: hand-derived
 * cases, streaming against a from-the-definition batch computation, and
 * the memory bound.
 *
 * Rules the expected values follow (see stats_bn.c): b(t) = machine whose
 * active period covering t is longest over its whole length (ties: lowest
 * index); at a gap-free handover A -> B the overlap of A's and B's periods,
 * clipped to their two bottleneck intervals, is shifting time for both;
 * where an interval's machine overlaps both its predecessor and its
 * successor, the earlier handover keeps the contested instants; the rest
 * of a bottleneck interval is sole time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "stats/stats.h"

#define EPS 1e-9

typedef struct per {
    size_t m;
    double s, e;
} per;

typedef struct ev {
    double t;
    size_t m;
    bool on;
    size_t seq;
} ev;

static int ev_cmp(const void *pa, const void *pb)
{
    const ev *a = pa, *b = pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (a->m != b->m)
        return a->m < b->m ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Report the periods to b in time order (a machine's own periods must not
 * touch, or they would be one period). */
static void feed(stats_bn *b, const per *p, size_t n)
{
    ev *e = malloc(2 * n * sizeof *e);
    assert_non_null(e);
    for (size_t i = 0; i < n; i++) {
        e[2 * i] = (ev){p[i].s, p[i].m, true, 2 * i};
        e[2 * i + 1] = (ev){p[i].e, p[i].m, false, 2 * i + 1};
    }
    qsort(e, 2 * n, sizeof *e, ev_cmp);
    for (size_t i = 0; i < 2 * n; i++)
        stats_bn_set_active(b, e[i].m, e[i].on, e[i].t);
    free(e);
}

static void expect(stats_bn *b, double t_end, size_t n, const double *sole, const double *shift)
{
    double got_sole[8], got_shift[8];
    stats_bn_result(b, t_end, got_sole, got_shift);
    for (size_t i = 0; i < n; i++) {
        printf("  machine %zu: sole %g (want %g), shifting %g (want %g)\n", i, got_sole[i],
               sole[i], got_shift[i], shift[i]);
        assert_float_equal(got_sole[i], sole[i], EPS);
        assert_float_equal(got_shift[i], shift[i], EPS);
    }
}

/* (1) One machine active throughout: it is the bottleneck at every instant
 * and nobody overlaps it, so all of [0, t_end] is sole. Asking at 50 must
 * not disturb the answer at 100. */
static void test_bn_single_machine_always_active_is_sole(void **state)
{
    (void)state;
    stats_bn *b = stats_bn_new(1, 0);
    stats_bn_set_active(b, 0, true, 0);
    expect(b, 50, 1, (double[]){50}, (double[]){0});
    expect(b, 100, 1, (double[]){100}, (double[]){0});
    stats_bn_free(b);
}

/* (2) A = machine 0 active [0,10) (length 10), B = machine 1 active [5,20)
 * (length 15).
 *   [0,5):   only A active              -> b = A
 *   [5,10):  A (10) and B (15), B longer -> b = B
 *   [10,20): only B                     -> b = B
 * Intervals A [0,5), B [5,20); handover at 5; overlap [0,10) & [5,20) =
 * [5,10) is shifting for both. A: sole [0,5) = 5, shifting 5.
 * B: shifting 5, sole [10,20) = 10. */
static void test_bn_two_overlapping_periods_shift_during_overlap(void **state)
{
    (void)state;
    stats_bn *b = stats_bn_new(2, 0);
    feed(b, (per[]){{0, 0, 10}, {1, 5, 20}}, 2);
    expect(b, 20, 2, (double[]){5, 10}, (double[]){5, 5});
    stats_bn_free(b);
}

/* (3) A line of three, sole and shifting phases and an idle gap:
 *   M0: [0,8) len 8, [22,24) len 2;  M1: [6,20) len 14, [27,30) len 3;
 *   M2: [18,25) len 7.
 *   [0,6) M0 alone; [6,20) M1 (14 beats 8, then alone, then 14 beats 7);
 *   [20,25) M2 (alone, then 7 beats M0's 2); [25,27) nobody; [27,30) M1.
 * Handover M0->M1 at 6: overlap [6,8) shifting M0+M1.
 * Handover M1->M2 at 20: overlap [18,20) shifting M1+M2.
 * M2 -> gap: no handover; the gap credits nobody.
 *   M0: sole [0,6) = 6, shifting 2.
 *   M1: sole [8,18) + [27,30) = 13, shifting 2 + 2 = 4.
 *   M2: sole [20,25) = 5, shifting 2.
 * Check: 6 + 13 + 5 sole + 4 shifting instants = 28 = 30 - gap of 2. */
static void test_bn_three_machines_sole_shift_and_gap(void **state)
{
    (void)state;
    stats_bn *b = stats_bn_new(3, 0);
    feed(b, (per[]){{0, 0, 8}, {0, 22, 24}, {1, 6, 20}, {1, 27, 30}, {2, 18, 25}}, 5);
    expect(b, 30, 3, (double[]){6, 13, 5}, (double[]){2, 4, 2});
    stats_bn_free(b);
}

/* The middle bottleneck overlaps both neighbours at once:
 *   A = M0 [0,10) len 10, B = M1 [1,12) len 11, C = M2 [5,15) len 10.
 *   b: [0,1) A; [1,12) B (11 beats both 10s); [12,15) C.
 * A->B overlap [1,10); B->C overlap [5,12). Both claim [5,10): the
 * earlier handover keeps it, so A+B shift on [1,10), B+C on [10,12).
 * C's own interval [12,15) is sole (B's period ended at 12).
 *   A: sole 1, shifting 9;  B: sole 0, shifting 11;  C: sole 3, shifting 2. */
static void test_bn_contested_overlap_goes_to_earlier_handover(void **state)
{
    (void)state;
    stats_bn *b = stats_bn_new(3, 0);
    feed(b, (per[]){{0, 0, 10}, {1, 1, 12}, {2, 5, 15}}, 3);
    expect(b, 15, 3, (double[]){1, 0, 3}, (double[]){9, 11, 2});
    stats_bn_free(b);
}

/* Overlaps are clipped to the two bottleneck intervals:
 *   X = M0 [0,100) len 100, B = M1 [50,120) len 70, C = M2 [60,125) len 65.
 *   b: [0,100) X; [100,120) B; [120,125) C.
 * X->B: overlap [50,100), all inside X's interval: X+B shift 50.
 * B->C: overlap [60,120), but [60,100) is X's interval, where X is the
 * undisputed bottleneck; clipped it is [100,120): B+C shift 20.
 *   X: sole [0,50) = 50, shifting 50;  B: sole 0, shifting 70;
 *   C: sole [120,125) = 5, shifting 20. */
static void test_bn_overlap_is_clipped_to_the_two_intervals(void **state)
{
    (void)state;
    stats_bn *b = stats_bn_new(3, 0);
    feed(b, (per[]){{0, 0, 100}, {1, 50, 120}, {2, 60, 125}}, 3);
    expect(b, 125, 3, (double[]){50, 0, 5}, (double[]){50, 70, 20});
    stats_bn_free(b);
}

/* Identical periods tie; the lower index wins and nobody shifts (the two
 * never hand over): M0 sole 4, M1 nothing. */
static void test_bn_tie_goes_to_lowest_index(void **state)
{
    (void)state;
    stats_bn *b = stats_bn_new(2, 0);
    feed(b, (per[]){{1, 2, 6}, {0, 2, 6}}, 2);
    expect(b, 10, 2, (double[]){4, 0}, (double[]){0, 0});
    stats_bn_free(b);
}

/* Inactive and active again at the same instant is one period: M0 [0,12)
 * (interrupted at 5 for no time) beats M1 [3,10) throughout, no handover:
 * M0 sole 12. (Split into [0,5) and [5,12), M1 would take over at 3 and
 * hand back at 5 on a tie: M0 sole 5, shifting 7; M1 shifting 7.) */
static void test_bn_zero_length_interruption_does_not_split_a_period(void **state)
{
    (void)state;
    stats_bn *b = stats_bn_new(2, 0);
    stats_bn_set_active(b, 0, true, 0);
    stats_bn_set_active(b, 1, true, 3);
    stats_bn_set_active(b, 0, false, 5);
    stats_bn_set_active(b, 0, true, 5);
    stats_bn_set_active(b, 1, false, 10);
    stats_bn_set_active(b, 0, false, 12);
    expect(b, 12, 2, (double[]){12, 0}, (double[]){0, 0});
    stats_bn_free(b);
}

/* (4) Case (2) reset at 7: instants are classified exactly as before, only
 * [7,20] is credited. A: shifting [7,10) = 3; B: shifting 3, sole 10. */
static void test_bn_reset_mid_period_credits_only_later_time(void **state)
{
    (void)state;
    stats_bn *b = stats_bn_new(2, 0);
    stats_bn_set_active(b, 0, true, 0);
    stats_bn_set_active(b, 1, true, 5);
    stats_bn_reset(b, 7);
    stats_bn_set_active(b, 0, false, 10);
    stats_bn_set_active(b, 1, false, 20);
    expect(b, 20, 2, (double[]){0, 10}, (double[]){3, 3});
    stats_bn_free(b);
}

/* A period in progress at the reset keeps its full length. M0 [0,10) len
 * 10, M1 [8,14) len 6, reset at 9. M0 beats M1 on [8,10) (10 > 6; cut at
 * the reset M0 would be 1 long and lose). Handover at 10, overlap [8,10).
 * Credited from 9: M0 shifting 1; M1 shifting 1, sole [10,14) = 4.
 * Asked at 12 instead (M1 closed there, length 4 < 10, same ranking):
 * M0 shifting 1; M1 shifting 1, sole 2. */
static void test_bn_reset_keeps_full_length_of_period_in_progress(void **state)
{
    (void)state;
    stats_bn *b = stats_bn_new(2, 0);
    stats_bn_set_active(b, 0, true, 0);
    stats_bn_set_active(b, 1, true, 8);
    stats_bn_reset(b, 9);
    stats_bn_set_active(b, 0, false, 10);
    expect(b, 12, 2, (double[]){0, 2}, (double[]){1, 1});
    stats_bn_set_active(b, 1, false, 14);
    expect(b, 14, 2, (double[]){0, 4}, (double[]){1, 1});
    stats_bn_free(b);
}

/* A machine that stops and resumes at the same instant keeps one period
 * even if the collector analysed everything up to that instant in between
 * (it runs such steps every few dozen period ends; trying every number of
 * filler periods before the scenario makes one of them land there).
 *   M3 [100,107) len 7, M1 [101,109) len 8, M0 [105,130) len 25 (stops and
 *   resumes at 110), M4: k short fillers long before.
 *   b: [100,101) M3; [101,105) M1 (8 > 7); [105,130) M0 (25 beats both).
 *   M3->M1: overlap [101,107) clipped to M1's interval [101,105): 4.
 *   M1->M0: overlap [105,109), inside M0's interval: 4.
 *   M3: sole 1, shifting 4;  M1: sole 0, shifting 8;
 *   M0: sole [109,130) = 21, shifting 4;  M4: sole k/2.
 * Treating [105,110) as a finished period of length 5 would make M1 the
 * bottleneck up to 109 and give M3 shifting 6 and M0 shifting 2. */
static void test_bn_resume_at_same_instant_extends_period_already_analysed(void **state)
{
    (void)state;
    for (size_t k = 0; k < 64; k++) {
        stats_bn *b = stats_bn_new(5, 0);
        for (size_t i = 0; i < k; i++) {
            stats_bn_set_active(b, 4, true, (double)i);
            stats_bn_set_active(b, 4, false, (double)i + 0.5);
        }
        stats_bn_set_active(b, 3, true, 100);
        stats_bn_set_active(b, 1, true, 101);
        stats_bn_set_active(b, 0, true, 105);
        stats_bn_set_active(b, 3, false, 107);
        stats_bn_set_active(b, 1, false, 109);
        stats_bn_set_active(b, 0, false, 110);
        stats_bn_set_active(b, 0, true, 110);
        stats_bn_set_active(b, 0, false, 130);
        double sole[5], shift[5];
        stats_bn_result(b, 130, sole, shift);
        const double want_sole[5] = {21, 0, 0, 1, 0.5 * (double)k};
        const double want_shift[5] = {4, 8, 0, 4, 0};
        for (size_t i = 0; i < 5; i++) {
            assert_float_equal(sole[i], want_sole[i], EPS);
            assert_float_equal(shift[i], want_shift[i], EPS);
        }
        stats_bn_free(b);
    }
}

/* ---- streaming against a batch computation ----------------------------- */

static uint64_t rng_next(uint64_t *s) /* xorshift64* */
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static double rng_pick(uint64_t *s, const double *v, size_t n)
{
    return v[rng_next(s) % n];
}

/* The batch reference, O(segments * periods), from the per-instant rule:
 * for an instant t in a bottleneck interval j of machine m (period P_j),
 *   t in P_{j-1} (predecessor, no gap)  -> shifting, m and the predecessor;
 *   else t in P_{j+1} (successor)       -> shifting, m and the successor;
 *   else                                -> sole for m.
 * Periods are truncated at t_end; credit only within [t_from, t_end]. */
static void batch(const per *p, size_t np, double t_from, double t_end, double *sole,
                  double *shift, size_t nm)
{
    size_t nx = 0;
    double *x = malloc((2 * np + 1) * sizeof *x);
    long *win = malloc((2 * np + 1) * sizeof *win);
    long *ival = malloc((2 * np + 1) * sizeof *ival);
    assert_true(x && win && ival);
    for (size_t i = 0; i < np; i++)
        if (p[i].s < t_end) {
            x[nx++] = p[i].s;
            x[nx++] = fmin(p[i].e, t_end);
        }
    x[nx++] = t_end;
    for (size_t i = 1; i < nx; i++) /* insertion sort: fine at this size */
        for (size_t k = i; k > 0 && x[k - 1] > x[k]; k--) {
            double tmp = x[k];
            x[k] = x[k - 1];
            x[k - 1] = tmp;
        }
    size_t w = 0;
    for (size_t i = 0; i < nx; i++)
        if (w == 0 || x[i] != x[w - 1])
            x[w++] = x[i];
    nx = w;
    /* segment k = [x[k], x[k+1]); its winning period, -1 for nobody */
    for (size_t k = 0; k + 1 < nx; k++) {
        win[k] = -1;
        for (size_t i = 0; i < np; i++) {
            double e = fmin(p[i].e, t_end);
            if (p[i].s >= t_end || !(p[i].s <= x[k] && x[k] < e))
                continue;
            if (win[k] < 0) {
                win[k] = (long)i;
                continue;
            }
            const per *c = &p[win[k]];
            double lc = fmin(c->e, t_end) - c->s, li = e - p[i].s;
            if (li > lc || (li == lc && p[i].m < c->m))
                win[k] = (long)i;
        }
    }
    /* bottleneck intervals: runs of segments with the same winning period */
    for (size_t k = 0; k + 1 < nx; k++)
        ival[k] = k == 0 ? 0 : ival[k - 1] + (win[k] != win[k - 1]);
    for (size_t i = 0; i < nm; i++)
        sole[i] = shift[i] = 0;
    for (size_t k = 0; k + 1 < nx; k++) {
        if (win[k] < 0)
            continue;
        long prev = -1, next = -1;
        for (size_t j = k; j-- > 0;)
            if (ival[j] != ival[k]) {
                prev = win[j];
                break;
            }
        for (size_t j = k + 1; j + 1 < nx; j++)
            if (ival[j] != ival[k]) {
                next = win[j];
                break;
            }
        double mid = 0.5 * (x[k] + x[k + 1]);
        double len = x[k + 1] - fmax(x[k], t_from);
        if (len <= 0)
            continue;
        size_t m = p[win[k]].m;
        if (prev >= 0 && p[prev].s <= mid && mid < fmin(p[prev].e, t_end)) {
            shift[m] += len;
            shift[p[prev].m] += len;
        } else if (next >= 0 && p[next].s <= mid && mid < fmin(p[next].e, t_end)) {
            shift[m] += len;
            shift[p[next].m] += len;
        } else {
            sole[m] += len;
        }
    }
    free(x);
    free(win);
    free(ival);
}

#define RM 7

/* (5) Seven machines, random periods on a half-unit grid (so lengths tie
 * and breakpoints coincide), zero-length interruptions (which must merge),
 * and now and then a very long period (which exercises deciding an open
 * period early). Three streaming collectors: one asked at many checkpoints
 * (after all events at that time, or before the ones at that very
 * instant), one reset at 500.25, one never asked until the end. Two dozen
 * seeds: a wrong move inside the streaming machinery often only moves a
 * handover within a two-machine overlap, which the figures mostly do not
 * see, so it takes volume to expose one (dropping periods still needed
 * showed up in 2 of 24 seeds). */
static void streaming_vs_batch(uint64_t seed)
{
    const double act[] = {0.5, 1, 1, 2, 2, 3, 5, 8, 13, 40};
    const double idle[] = {0, 0, 0.5, 1, 2, 3};
    size_t cap = 20000, ne = 0, np = 0;
    ev *e = malloc(cap * sizeof *e);
    per *p = malloc(cap * sizeof *p);
    assert_true(e && p);
    for (size_t m = 0; m < RM; m++) {
        double t = rng_pick(&seed, idle, 6);
        while (t < 1000 && ne + 2 < cap) {
            double d = rng_next(&seed) % 50 == 0 ? 200 + (double)(rng_next(&seed) % 200)
                                                  : rng_pick(&seed, act, 10);
            double s = t;
            e[ne] = (ev){t, m, true, ne};
            ne++;
            t += d;
            e[ne] = (ev){t, m, false, ne};
            ne++;
            /* reference periods merge zero-length interruptions */
            if (np && p[np - 1].m == m && p[np - 1].e == s)
                p[np - 1].e = t;
            else
                p[np++] = (per){m, s, t};
            t += rng_pick(&seed, idle, 6);
        }
    }
    qsort(e, ne, sizeof *e, ev_cmp);

    stats_bn *asked = stats_bn_new(RM, 0), *reset = stats_bn_new(RM, 0);
    stats_bn *quiet = stats_bn_new(RM, 0);
    const double t_reset = 500.25;
    bool was_reset = false;
    double got_sole[RM], got_shift[RM], want_sole[RM], want_shift[RM];
    size_t k = 0, checks = 0;
    for (double t_end = 37.5; t_end < 1200; t_end += 37.25) {
        bool strict = (checks % 2) == 1; /* feed only events before t_end */
        while (k < ne && (e[k].t < t_end || (!strict && e[k].t == t_end))) {
            if (!was_reset && e[k].t > t_reset) {
                stats_bn_reset(reset, t_reset);
                was_reset = true;
            }
            stats_bn_set_active(asked, e[k].m, e[k].on, e[k].t);
            stats_bn_set_active(reset, e[k].m, e[k].on, e[k].t);
            stats_bn_set_active(quiet, e[k].m, e[k].on, e[k].t);
            k++;
        }
        stats_bn_result(asked, t_end, got_sole, got_shift);
        batch(p, np, 0, t_end, want_sole, want_shift, RM);
        for (size_t i = 0; i < RM; i++) {
            assert_float_equal(got_sole[i], want_sole[i], EPS);
            assert_float_equal(got_shift[i], want_shift[i], EPS);
        }
        if (was_reset) {
            stats_bn_result(reset, t_end, got_sole, got_shift);
            batch(p, np, t_reset, t_end, want_sole, want_shift, RM);
            for (size_t i = 0; i < RM; i++) {
                assert_float_equal(got_sole[i], want_sole[i], EPS);
                assert_float_equal(got_shift[i], want_shift[i], EPS);
            }
        }
        checks++;
    }
    assert_true(was_reset);
    for (; k < ne; k++)
        stats_bn_set_active(quiet, e[k].m, e[k].on, e[k].t);
    double t_last = e[ne - 1].t;
    stats_bn_result(quiet, t_last, got_sole, got_shift);
    batch(p, np, 0, t_last, want_sole, want_shift, RM);
    double credited = 0;
    for (size_t i = 0; i < RM; i++) {
        assert_float_equal(got_sole[i], want_sole[i], EPS);
        assert_float_equal(got_shift[i], want_shift[i], EPS);
        credited += got_sole[i] + got_shift[i] / 2;
    }
    assert_true(credited <= t_last + EPS);
    assert_true(checks > 30);
    stats_bn_free(asked);
    stats_bn_free(reset);
    stats_bn_free(quiet);
    free(e);
    free(p);
}

static void test_bn_streaming_equals_batch_on_random_periods(void **state)
{
    (void)state;
    for (uint64_t k = 1; k <= 24; k++) { /* a multiplicative sequence of seeds */
        printf("  seed %#llx\n", (unsigned long long)(0x9E3779B97F4A7C15ULL * k));
        streaming_vs_batch(0x9E3779B97F4A7C15ULL * k);
    }
}

/* (6) A million alternating periods on three machines: the queues hold only
 * what is not decided yet plus one batch between sweeps. */
static void test_bn_memory_stays_bounded_over_a_million_periods(void **state)
{
    (void)state;
    stats_bn *b = stats_bn_new(3, 0);
    uint64_t seed = 42;
    double t[3] = {0, 0.3, 0.7};
    bool on[3] = {false, false, false};
    size_t max_pending = 0, periods = 0;
    while (periods < 1000000) {
        size_t m = t[0] <= t[1] && t[0] <= t[2] ? 0 : t[1] <= t[2] ? 1 : 2;
        on[m] = !on[m];
        stats_bn_set_active(b, m, on[m], t[m]);
        periods += !on[m];
        t[m] += 0.1 + (double)(rng_next(&seed) % 1000) / 250.0;
        size_t pending = stats_bn_pending_periods(b);
        if (pending > max_pending)
            max_pending = pending;
    }
    printf("  max pending periods: %zu\n", max_pending);
    assert_true(max_pending < 64);
    double sole[3], shift[3], t_end = fmax(t[0], fmax(t[1], t[2]));
    stats_bn_result(b, t_end, sole, shift);
    assert_true(sole[0] + sole[1] + sole[2] + (shift[0] + shift[1] + shift[2]) / 2 <=
                t_end + EPS);
    stats_bn_free(b);
}

/* A machine that never idles is the bottleneck at every instant (its one
 * period is longer than any other), and it must not pin the queues: its
 * open period is decided as soon as it outgrows its competitors. */
static void test_bn_machine_that_never_idles_does_not_pin_memory(void **state)
{
    (void)state;
    stats_bn *b = stats_bn_new(3, 0);
    uint64_t seed = 7;
    stats_bn_set_active(b, 0, true, 0);
    double t[3] = {INFINITY, 0, 0.5};
    bool on[3] = {true, false, false};
    size_t max_pending = 0;
    for (size_t i = 0; i < 200000; i++) {
        size_t m = t[1] <= t[2] ? 1 : 2;
        on[m] = !on[m];
        stats_bn_set_active(b, m, on[m], t[m]);
        t[m] += 0.1 + (double)(rng_next(&seed) % 1000) / 250.0;
        size_t pending = stats_bn_pending_periods(b);
        if (pending > max_pending)
            max_pending = pending;
    }
    printf("  max pending periods: %zu\n", max_pending);
    assert_true(max_pending < 64);
    double sole[3], shift[3], t_end = fmax(t[1], t[2]);
    stats_bn_result(b, t_end, sole, shift);
    assert_float_equal(sole[0], t_end, EPS);
    assert_float_equal(sole[1] + sole[2] + shift[0] + shift[1] + shift[2], 0, EPS);
    stats_bn_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bn_single_machine_always_active_is_sole),
        cmocka_unit_test(test_bn_two_overlapping_periods_shift_during_overlap),
        cmocka_unit_test(test_bn_three_machines_sole_shift_and_gap),
        cmocka_unit_test(test_bn_contested_overlap_goes_to_earlier_handover),
        cmocka_unit_test(test_bn_overlap_is_clipped_to_the_two_intervals),
        cmocka_unit_test(test_bn_tie_goes_to_lowest_index),
        cmocka_unit_test(test_bn_zero_length_interruption_does_not_split_a_period),
        cmocka_unit_test(test_bn_reset_mid_period_credits_only_later_time),
        cmocka_unit_test(test_bn_reset_keeps_full_length_of_period_in_progress),
        cmocka_unit_test(test_bn_resume_at_same_instant_extends_period_already_analysed),
        cmocka_unit_test(test_bn_streaming_equals_batch_on_random_periods),
        cmocka_unit_test(test_bn_memory_stays_bounded_over_a_million_periods),
        cmocka_unit_test(test_bn_machine_that_never_idles_does_not_pin_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
