/* stats_bn.c -- shifting-bottleneck detection by the active-period method
 * (Roser, Nakano & Tanaka, "Shifting bottleneck detection", WSC 2002),
 * computed while the simulation runs, in memory that does not grow with
 * the length of the run.
 *
 * The method, as implemented:
 *  - An active period of a machine is a maximal interval [s, e) in which it
 *    is active. Going inactive and active again at the same instant does
 *    not break the period (a zero-length interruption is no interruption).
 *  - At each instant t the momentary bottleneck b(t) is the machine whose
 *    active period covering t is longest, over the period's whole length
 *    (past and future); ties go to the lowest machine index. Nobody is
 *    active: no bottleneck, nobody is credited.
 *  - A bottleneck interval is a maximal interval of constant b(t). Within
 *    one active period a machine has at most one (a period that beats it
 *    is at least as long, so it covers the start or the end of its period).
 *  - Handover: where interval k of machine A (period P_A) is followed
 *    without a gap by interval k+1 of machine B (period P_B), the overlap
 *    P_A & P_B, clipped to the two intervals, is shifting time for both A
 *    and B. Clipping means an instant is only ever credited to its own
 *    momentary bottleneck plus at most one partner: a plain overlap can
 *    reach back into the interval of a third machine that is still the
 *    undisputed bottleneck there.
 *  - If both handovers of an interval claim the same instants (its machine
 *    overlaps the previous and the next bottleneck at once), the earlier
 *    handover keeps them: a shift is not over until the outgoing
 *    bottleneck's period has ended, and only then does the next shift
 *    start to count.
 *  - Every other instant of a bottleneck interval is sole time. So at each
 *    instant exactly one machine is sole, or exactly two are shifting, or
 *    nobody is active.
 *
 * Streaming. Each machine keeps a queue of closed periods plus its latest
 * period (the "tail", open while the machine is active). A sweep position
 * tau separates instants already classified from the rest. b(t) on an
 * elementary segment (between consecutive period starts and ends) is
 * decided once every period covering it is closed -- the plain horizon
 * H = min(start of any open period, now) -- and, beyond that, also when
 * exactly one covering period is still open and already longer than every
 * closed competitor: it can only grow, so it wins whatever happens. Without
 * that second rule a machine that never idles (a classic bottleneck) would
 * pin the horizon at its start and every other machine's periods would pile
 * up for the whole run. Two machines that both never idle do pin it: the
 * method itself cannot tell which of them is the bottleneck until one stops.
 * Decided segments feed a one-interval state machine (bn_ival) that credits
 * an interval when its successor is known; periods wholly before tau are
 * dropped. A tail that ended exactly now still counts as open, because the
 * machine may resume at this very instant and extend it.
 *
 * Cost: a sweep is O(machines) per elementary segment. Sweeps run every
 * few dozen periods begun rather than on every event, which bounds the
 * queues by that batch plus what cannot be decided yet. A heap of next
 * breakpoints would make a segment O(log machines); lines have tens of
 * machines, so the simple scan wins -- provided the per-machine step of the
 * scan is a few compares. It was a third of a tandem line's run time, so the
 * sweep keeps, per machine, the period under its cursor and two numbers
 * derived from it (bn_scan_refresh): key, where the machine's state next
 * changes, and len, the length of its covering closed period (-inf if
 * none). A segment is then one pass over two short contiguous arrays -- a
 * min over key[] and an argmax over len[] -- that refreshes on the way only
 * the machines whose key was reached (usually one or two). Min/max are
 * plain compares rather than libm's fmin/fmax calls (times are never NaN). */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

#define BN_NONE ((size_t)-1)

typedef struct bn_period {
    double s, e; /* [s, e); e = INFINITY while the machine is still active */
} bn_period;

typedef struct bn_machine {
    bn_period *q;     /* ring buffer of closed periods, oldest first */
    size_t head, len, cap;
    bool has_tail;
    bn_period tail;   /* the latest period, not yet in q */
    /* sweep scratch: cursor indexes q[0..len) then the tail; cur_p and
     * cur_open are the period there (bn_period_at). Past the last period
     * cur_p is [inf, inf), which the sweep treats as "starts later" and
     * never passes. scan_open: cur_p is open and covers the sweep position. */
    size_t cursor;
    bn_period cur_p;
    bool cur_open, scan_open;
} bn_machine;

/* The current (last decided) bottleneck interval. */
typedef struct bn_ival {
    size_t machine;  /* BN_NONE: no bottleneck (nothing yet, or a gap) */
    double ps, pe;   /* its active period; pe = INFINITY while open */
    double u, v;     /* the interval so far: [u, v), v = tau */
    size_t prev;     /* machine it took over from without a gap, or BN_NONE */
    double prev_pe;  /* end of prev's period: left shifting zone [u, prev_pe) */
} bn_ival;

struct stats_bn {
    size_t n;
    double now;          /* latest time reported */
    double tau;          /* instants before tau are decided */
    double credit_from;  /* reset time: earlier instants are not credited */
    bool failed;         /* out of memory: results are NaN */
    size_t periods_since_sweep, sweep_every;
    bn_ival cur;
    double *sole, *shift; /* credited so far, n entries each */
    double *key, *len;    /* sweep scratch, n entries each: see bn_scan_refresh */
    bn_machine *m;
};

stats_bn *stats_bn_new(size_t n_machines, double t0)
{
    stats_bn *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    size_t nn = n_machines ? n_machines : 1;
    b->m = calloc(nn, sizeof *b->m);
    b->sole = calloc(nn, sizeof *b->sole);
    b->shift = calloc(nn, sizeof *b->shift);
    b->key = calloc(nn, sizeof *b->key);
    b->len = calloc(nn, sizeof *b->len);
    if (!b->m || !b->sole || !b->shift || !b->key || !b->len)
        goto err;
    b->n = n_machines;
    b->now = b->tau = b->credit_from = t0;
    b->sweep_every = 2 * n_machines + 16;
    b->cur.machine = b->cur.prev = BN_NONE;
    b->cur.u = b->cur.v = t0;
    return b;
err:
    stats_bn_free(b);
    return NULL;
}

void stats_bn_free(stats_bn *b)
{
    if (!b)
        return;
    if (b->m)
        for (size_t i = 0; i < b->n; i++)
            free(b->m[i].q);
    free(b->m);
    free(b->sole);
    free(b->shift);
    free(b->key);
    free(b->len);
    free(b);
}

size_t stats_bn_pending_periods(const stats_bn *b)
{
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++)
        k += b->m[i].len + b->m[i].has_tail;
    return k;
}

/* Times are never NaN here, so plain compares give fmin/fmax's answers
 * without a libm call in the sweep's inner loop. */
static inline double bn_min(double a, double b) { return b < a ? b : a; }
static inline double bn_max(double a, double b) { return b > a ? b : a; }

/* Slot of the k-th queued period: a compare instead of a division. */
static inline size_t bn_slot(const bn_machine *mc, size_t k)
{
    size_t i = mc->head + k;
    return i >= mc->cap ? i - mc->cap : i;
}

static bool bn_push(bn_machine *mc, bn_period p)
{
    if (mc->len == mc->cap) {
        size_t cap = mc->cap ? 2 * mc->cap : 8;
        bn_period *q = malloc(cap * sizeof *q);
        if (!q)
            return false;
        for (size_t k = 0; k < mc->len; k++)
            q[k] = mc->q[(mc->head + k) % mc->cap];
        free(mc->q);
        mc->q = q;
        mc->cap = cap;
        mc->head = 0;
    }
    mc->q[bn_slot(mc, mc->len)] = p;
    mc->len++;
    return true;
}

/* Period k of a machine as a sweep sees it: q[0..len) then the tail. With
 * close_at finite (a result), periods still running end at close_at and
 * those starting there do not exist; otherwise (live) the tail is open
 * while active or ended exactly now. False past the last period. */
static bool bn_period_at(const stats_bn *b, const bn_machine *mc, size_t k, double close_at,
                         bn_period *p, bool *open)
{
    *open = false;
    if (k < mc->len) {
        *p = mc->q[bn_slot(mc, k)];
        return true;
    }
    if (k > mc->len || !mc->has_tail)
        return false;
    *p = mc->tail;
    if (isfinite(close_at)) {
        if (p->s >= close_at)
            return false;
        p->e = bn_min(p->e, close_at);
    } else {
        *open = p->e >= b->now;
    }
    return true;
}

/* Longer wins; equal lengths go to the lower machine index. */
static bool bn_beats(double len_a, size_t a, double len_b, size_t b)
{
    return len_a > len_b || (len_a == len_b && a < b);
}

static void bn_credit(const stats_bn *b, double *acc, size_t machine, double x, double y)
{
    if (x < b->credit_from)
        x = b->credit_from;
    if (y > x)
        acc[machine] += y - x;
}

/* Credit interval iv, now complete. `next` took over at iv->v without a gap
 * (BN_NONE: a gap or the end), its period starting at next_ps. */
static void bn_ival_close(const stats_bn *b, const bn_ival *iv, size_t next, double next_ps,
                          double *sole, double *shift)
{
    if (iv->machine == BN_NONE)
        return;
    double a = iv->u; /* [u, a): the shift from prev still running */
    if (iv->prev != BN_NONE) {
        a = bn_min(iv->prev_pe, iv->v);
        bn_credit(b, shift, iv->prev, iv->u, a);
        bn_credit(b, shift, iv->machine, iv->u, a);
    }
    double z = iv->v; /* [z, v): the shift to next, after the earlier one */
    if (next != BN_NONE) {
        z = bn_max(next_ps, a);
        bn_credit(b, shift, iv->machine, z, iv->v);
        bn_credit(b, shift, next, z, iv->v);
    }
    bn_credit(b, sole, iv->machine, a, z);
    assert(iv->u <= a && a <= z && z <= iv->v);
}

/* [from, to) has momentary bottleneck w (BN_NONE: nobody active) with
 * active period p. Extends the current interval or closes it. */
static void bn_feed(const stats_bn *b, bn_ival *iv, size_t w, bn_period p, double from,
                    double to, double *sole, double *shift)
{
    assert(iv->v == from);
    if (w != BN_NONE && w == iv->machine && p.s == iv->ps) {
        iv->v = to;
        iv->pe = p.e;
        return;
    }
    bool handover = w != BN_NONE && iv->machine != BN_NONE;
    bn_ival_close(b, iv, handover ? w : BN_NONE, p.s, sole, shift);
    bn_ival next = {w, p.s, p.e, from, to, handover ? iv->machine : BN_NONE, iv->pe};
    *iv = next;
}

/* Load the period under mc's cursor into the machine's sweep cache. */
static inline void bn_cursor_load(const stats_bn *b, bn_machine *mc, double close_at)
{
    if (!bn_period_at(b, mc, mc->cursor, close_at, &mc->cur_p, &mc->cur_open)) {
        mc->cur_p = (bn_period){INFINITY, INFINITY};
        mc->cur_open = false;
    }
}

/* Bring machine i's sweep state to position tau: move its cursor past the
 * closed periods that end by tau, then set key[i] -- the start of its next
 * period if that is later than tau, else the end of the period covering tau
 * (for an open period inf or now, never below the sweep's limit, so taking
 * it into the min changes nothing) -- and len[i], the length of the
 * covering period if it is closed, -inf otherwise. Keeps *n_open, the
 * number of machines whose covering period is open, in step. The state
 * only changes once tau reaches key[i], so the sweep refreshes just those. */
static inline void bn_scan_refresh(stats_bn *b, size_t i, double tau, double close_at,
                                   int *n_open)
{
    bn_machine *mc = &b->m[i];
    while (!mc->cur_open && mc->cur_p.e <= tau) {
        mc->cursor++;
        bn_cursor_load(b, mc, close_at);
    }
    bool covers = mc->cur_p.s <= tau;
    *n_open -= mc->scan_open;
    mc->scan_open = covers && mc->cur_open;
    *n_open += mc->scan_open;
    b->key[i] = covers ? mc->cur_p.e : mc->cur_p.s;
    b->len[i] = covers && !mc->cur_open ? mc->cur_p.e - mc->cur_p.s : -INFINITY;
}

/* Decide instants from b->tau up to `limit`, feeding iv. close_at: see
 * bn_period_at. Returns how far it got: limit, or the start of the first
 * segment that cannot be decided yet. */
static double bn_sweep(stats_bn *b, double limit, double close_at, bn_ival *iv, double *sole,
                       double *shift)
{
    double tau = b->tau;
    int n_open = 0;
    for (size_t i = 0; i < b->n; i++) {
        b->m[i].cursor = 0;
        b->m[i].scan_open = false;
        bn_cursor_load(b, &b->m[i], close_at);
        b->key[i] = -INFINITY; /* refreshed by the first pass below */
    }
    while (tau < limit) {
        /* One pass: refresh the machines whose state changed at tau, and
         * find the segment [tau, next) -- it ends at the first breakpoint --
         * and its bottleneck among the closed periods: the longest, the
         * lowest index on ties (strict > in index order, as bn_beats). */
        double next = limit, best_len = -INFINITY;
        size_t best = BN_NONE;
        for (size_t i = 0; i < b->n; i++) {
            if (b->key[i] <= tau)
                bn_scan_refresh(b, i, tau, close_at, &n_open);
            next = bn_min(next, b->key[i]);
            if (b->len[i] > best_len) {
                best_len = b->len[i];
                best = i;
            }
        }
        if (n_open > 1)
            break; /* which of them is longer is up to the future */
        bn_period best_p = best != BN_NONE ? b->m[best].cur_p : (bn_period){0, 0};
        if (n_open == 1) {
            size_t open_m = 0;
            while (!b->m[open_m].scan_open)
                open_m++;
            bn_period open_p = b->m[open_m].cur_p;
            /* It lasts at least until now; if that already beats every closed
             * competitor it is the bottleneck however long it gets. */
            if (best != BN_NONE && !bn_beats(b->now - open_p.s, open_m, best_len, best))
                break;
            best = open_m;
            best_p = open_p;
        }
        bn_feed(b, iv, best, best_p, tau, next, sole, shift);
        tau = next;
    }
    return tau;
}

/* Decide what can be decided now and drop the periods that are behind. */
static void bn_advance(stats_bn *b)
{
    b->tau = bn_sweep(b, b->now, INFINITY, &b->cur, b->sole, b->shift);
    b->periods_since_sweep = 0;
    for (size_t i = 0; i < b->n; i++) {
        bn_machine *mc = &b->m[i];
        while (mc->len && mc->q[mc->head].e <= b->tau) {
            mc->head = bn_slot(mc, 1);
            mc->len--;
        }
        if (mc->has_tail && mc->tail.e < b->now && mc->tail.e <= b->tau)
            mc->has_tail = false;
    }
}

void stats_bn_set_active(stats_bn *b, size_t machine, bool active, double t)
{
    assert(machine < b->n && t >= b->now);
    if (machine >= b->n)
        return;
    if (t > b->now)
        b->now = t;
    t = b->now;
    bn_machine *mc = &b->m[machine];
    bool is_active = mc->has_tail && mc->tail.e == INFINITY;
    if (active == is_active)
        return;
    bool is_cur = b->cur.machine == machine && mc->has_tail && b->cur.ps == mc->tail.s;
    if (active) {
        if (mc->has_tail && mc->tail.e == t) { /* resumed at once: same period */
            mc->tail.e = INFINITY;
            if (is_cur)
                b->cur.pe = INFINITY;
            return;
        }
        if (mc->has_tail && !bn_push(mc, mc->tail))
            b->failed = true;
        mc->tail = (bn_period){t, INFINITY};
        mc->has_tail = true;
        /* Sweeps are batched by periods begun, not by closes: on a line most
         * closes are undone at the same instant (a server finishes and the
         * next item starts), and counting those swept three times as often
         * as the queues need, each sweep paying O(machines) to set up. What
         * a sweep decides does not depend on when it runs. */
        if (++b->periods_since_sweep >= b->sweep_every)
            bn_advance(b);
        return;
    }
    if (mc->tail.s == t) { /* active for no time at all: no period */
        mc->has_tail = false;
        return;
    }
    mc->tail.e = t;
    if (is_cur)
        b->cur.pe = t;
}

/* Only instants at or after t are credited from now on. Credit is given only
 * for decided instants, all of which lie before b->now <= t, so clearing the
 * sums loses nothing at or after t; the periods themselves are kept, so
 * one in progress at t keeps its full length. */
void stats_bn_reset(stats_bn *b, double t)
{
    assert(t >= b->now);
    if (t > b->now)
        b->now = t;
    b->credit_from = b->now;
    memset(b->sole, 0, b->n * sizeof *b->sole);
    memset(b->shift, 0, b->n * sizeof *b->shift);
}

/* Finish the analysis on a copy of the interval state, with every open
 * period ending at t_end, writing straight into the caller's arrays; the
 * queues are only read (the sweep's cursors are scratch), so the live
 * analysis carries on as if this had not been called. No allocation. */
void stats_bn_result(stats_bn *b, double t_end, double *sole_s, double *shifting_s)
{
    if (b->failed) {
        for (size_t i = 0; i < b->n; i++)
            sole_s[i] = shifting_s[i] = NAN;
        return;
    }
    assert(t_end >= b->now);
    if (!(t_end >= b->now))
        t_end = b->now;
    memcpy(sole_s, b->sole, b->n * sizeof *sole_s);
    memcpy(shifting_s, b->shift, b->n * sizeof *shifting_s);
    bn_ival iv = b->cur;
    iv.pe = bn_min(iv.pe, t_end);
    double done = bn_sweep(b, t_end, t_end, &iv, sole_s, shifting_s);
    assert(done == t_end);
    (void)done;
    bn_ival_close(b, &iv, BN_NONE, 0, sole_s, shifting_s);
}
