/* sim.c -- the discrete-event kernel: clock plus a pending-event set.
 *
 * The pending set is an indexed 4-ary min-heap. The heap array holds small
 * (time, sequence, slot) entries so sifting only touches contiguous memory;
 * the handler, object and argument live in a separate slot pool, and each
 * slot remembers where its entry sits in the heap. That back-pointer is what
 * makes sim_cancel a real O(log n) removal instead of the common "lazy
 * deletion" trick (mark cancelled, skip on pop), which would let a model that
 * keeps re-arming timeouts grow the heap without bound.
 *
 * Why 4-ary rather than binary: the hot path is pop-min + push, and a 4-ary
 * heap halves the depth while its four children (4 x 24 bytes) sit in one or
 * two cache lines. The sifts are written to be branch-free where the branch
 * would be a coin flip (which child is earliest): with a few thousand events
 * everything is in cache, and a mispredicted jump per level costs more than
 * the handful of instructions that replace it. A calendar or ladder
 * queue would be O(1) amortised, but its speed depends on the event-time
 * distribution and needs re-tuning; the heap's cost is predictable.
 *
 * Memory: 24 bytes of heap entry + 32 bytes of slot = 56 bytes per pending
 * event; arrays grow by 1.5x, so at most 84 bytes per pending event are
 * allocated (beyond a fixed 64-event minimum). Slots are recycled through a
 * free list and arrays never grow beyond the peak number of pending events,
 * so memory is flat in long runs.
 *
 * An event id is (generation << 32) | (slot index + 1). The low half is never
 * 0, so no id equals SIM_NO_EVENT; the generation is bumped every time a slot
 * is released, so an id of a fired or cancelled event no longer matches and
 * cancels nothing. Generations wrap after 2^32 reuses of one slot; an id held
 * that long could alias a newer event -- an accepted, documented limit.
 *
 * Scheduling contract (stricter than "t >= now"): the time must be finite
 * and not before now. NaN, infinities, negative delays and times in the past
 * are rejected with SIM_NO_EVENT, as is memory exhaustion. Letting a NaN into
 * the heap would break its ordering for every later event, and an event at
 * +INFINITY is indistinguishable from "nothing pending" in sim_next_time.
 * So is a delay of at least SIM_TIME_RESOLUTION_S that vanishes in now +
 * delay: at such times the clock no longer moves and every duration is
 * wrong. Each rejection is also the kernel's sticky error (sim_error), which
 * stops the run loop: a caller that ignores SIM_NO_EVENT cannot make the run
 * carry on with a lost event. The road not taken: returning an error code
 * from every handler up through sim_run_until would touch every handler for
 * a failure that, once it happens, ends the run anyway. */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define SIM_ARITY 4 /* sift_down's unrolled tournament assumes 4 */
#define SIM_NIL UINT32_MAX /* end of the free list */
/* 2^30 pending events (~60 GB) keeps 4 * index + 4 within uint32_t. */
#define SIM_MAX_SLOTS (UINT32_C(1) << 30)
#define SIM_MIN_CAP 64u
/* Positive delays that do not move the clock, at one instant, before the
 * kernel takes them for a runaway (see sim_schedule). */
#define SIM_MAX_ABSORBED (UINT32_C(1) << 16)
/* Room for the first error: a sentence plus where it happened. */
#define SIM_ERROR_SIZE 512

typedef struct sim_entry {
    uint64_t key; /* time_key(time) */
    uint64_t seq; /* insertion order */
    uint32_t slot;
} sim_entry;

typedef struct sim_slot {
    sim_handler fn;
    void *obj;
    intptr_t arg;
    uint32_t gen;
    uint32_t pos; /* heap index while pending; next free slot while free */
} sim_slot;

struct sim {
    double now;
    sim_entry *heap;
    sim_slot *slots;
    uint32_t n;       /* pending events (heap size) */
    uint32_t cap;     /* capacity of both heap and slots */
    uint32_t used;    /* slots ever handed out (high-water mark) */
    uint32_t free_head;
    uint64_t seq;
    uint64_t events_run;
    uint64_t fail_countdown; /* sim_fail_schedule_after; 0 = off */
    bool stop;
    /* positive delays rounded away at one instant (see sim_schedule) */
    double absorbed_at;
    uint32_t absorbed;
    bool stalled;
    bool in_event;           /* a handler is running (events_run is its number) */
    char error[SIM_ERROR_SIZE]; /* the first error; "" while all is well */
};

sim *sim_new(void)
{
    sim *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->free_head = SIM_NIL;
    return s;
}

void sim_free(sim *s)
{
    if (!s)
        return;
    free(s->heap);
    free(s->slots);
    free(s);
}

double sim_now(const sim *s) { return s->now; }

const char *sim_error(const sim *s) { return s->error[0] ? s->error : NULL; }

void sim_fail(sim *s, const char *fmt, ...)
{
    if (s->error[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    if (n < 0 || !s->error[0])
        n = snprintf(s->error, sizeof s->error, "simulation error");
    if ((size_t)n < sizeof s->error) {
        if (s->in_event)
            snprintf(s->error + n, sizeof s->error - (size_t)n,
                     " (simulated time %.6f s, event %llu)", s->now,
                     (unsigned long long)s->events_run);
        else
            snprintf(s->error + n, sizeof s->error - (size_t)n,
                     " (simulated time %.6f s, before event %llu)", s->now,
                     (unsigned long long)s->events_run + 1);
    }
    s->stop = true;
}

void sim_fail_schedule_after(sim *s, uint64_t n) { s->fail_countdown = n; }

bool sim_set_now(sim *s, double t_s)
{
    if (s->n != 0 || !isfinite(t_s))
        return false;
    s->now = t_s;
    return true;
}

/* Times are stored as order-preserving integer keys: flipping the sign bit
 * of a non-negative double, or all bits of a negative one, gives a uint64
 * that sorts exactly like the double. (-0.0 is first folded into +0.0 so the
 * two zeros are one time.) Comparing (key, seq) is then one 128-bit integer
 * compare, which compiles to cmp/sbb without branches; comparing (double,
 * seq) needs an unordered-aware float compare plus an equality test, and
 * costed ~20% more instructions per event. Every finite time and +INFINITY
 * has a key; NaN never reaches the heap. */
static inline uint64_t time_key(double t)
{
    uint64_t b;
    t += 0.0; /* -0.0 + 0.0 == +0.0 */
    memcpy(&b, &t, sizeof b);
    return b ^ ((0u - (b >> 63)) | UINT64_C(0x8000000000000000));
}

static inline double key_time(uint64_t k)
{
    uint64_t b = k ^ ((0u - (~k >> 63)) | UINT64_C(0x8000000000000000));
    double t;
    memcpy(&t, &b, sizeof t);
    return t;
}

/* (time key, seq) lexicographic order: ties at equal time fire FIFO. The
 * 128-bit form is a gcc/clang extension; the portable fallback is bitwise
 * rather than short-circuit so it can still use conditional moves. */
static inline bool key_before(uint64_t ta, uint64_t sa, uint64_t tb, uint64_t sb)
{
#ifdef __SIZEOF_INT128__
    return ((unsigned __int128)ta << 64 | sa) < ((unsigned __int128)tb << 64 | sb);
#else
    return (ta < tb) | ((ta == tb) & (sa < sb));
#endif
}

/* Is heap entry x before heap entry y? */
static inline bool at_before(const sim_entry *h, uint32_t x, uint32_t y)
{
    return key_before(h[x].key, h[x].seq, h[y].key, h[y].seq);
}

/* c ? x : y without a branch. Compilers are free to turn ?: into a jump
 * (gcc does here), and a mispredicted jump per heap level is the main cost
 * of a pop; the mask form keeps the choice a data dependency. */
static inline uint32_t pick(bool c, uint32_t x, uint32_t y)
{
    return y ^ ((x ^ y) & (0u - (uint32_t)c));
}

/* The sifts take the moving entry as scalars and write it field by field: an
 * entry struct passed by value is spilled to the stack and re-read with a
 * wider load, which defeats store-to-load forwarding and cost ~30% here. */

/* Place (key, seq, slot) at index i or above, moving later parents down. */
static inline void sift_up(sim *s, uint32_t i, uint64_t key, uint64_t seq, uint32_t slot)
{
    sim_entry *h = s->heap;
    sim_slot *sl = s->slots;
    while (i > 0) {
        uint32_t p = (i - 1) / SIM_ARITY;
        if (!key_before(key, seq, h[p].key, h[p].seq))
            break;
        h[i] = h[p];
        sl[h[i].slot].pos = i;
        i = p;
    }
    h[i].key = key;
    h[i].seq = seq;
    h[i].slot = slot;
    sl[slot].pos = i;
}

/* Place (key, seq, slot) at index i or below, moving earlier children up. */
static inline void sift_down(sim *s, uint32_t i, uint64_t key, uint64_t seq, uint32_t slot)
{
    sim_entry *h = s->heap;
    sim_slot *sl = s->slots;
    uint32_t n = s->n;
    for (;;) {
        uint32_t c = SIM_ARITY * i + 1;
        if (c >= n)
            break;
        uint32_t best;
        if (c + 3 < n) {
            /* All four children exist (the common case): a two-round
             * tournament has a shorter dependency chain than a linear scan. */
            uint32_t a = pick(at_before(h, c + 1, c), c + 1, c);
            uint32_t b = pick(at_before(h, c + 3, c + 2), c + 3, c + 2);
            best = pick(at_before(h, b, a), b, a);
        } else {
            best = c;
            for (uint32_t k = c + 1; k < n; k++)
                best = pick(at_before(h, k, best), k, best);
        }
        if (!key_before(h[best].key, h[best].seq, key, seq))
            break;
        h[i] = h[best];
        sl[h[i].slot].pos = i;
        i = best;
    }
    h[i].key = key;
    h[i].seq = seq;
    h[i].slot = slot;
    sl[slot].pos = i;
}

/* Take the entry at heap index i out of the heap (the slot is not freed). */
static void heap_remove(sim *s, uint32_t i)
{
    assert(i < s->n);
    const sim_entry *last = &s->heap[--s->n];
    if (i == s->n)
        return;
    uint64_t key = last->key;
    uint64_t seq = last->seq;
    uint32_t slot = last->slot;
    const sim_entry *parent = i > 0 ? &s->heap[(i - 1) / SIM_ARITY] : NULL;
    if (parent && key_before(key, seq, parent->key, parent->seq))
        sift_up(s, i, key, seq, slot);
    else
        sift_down(s, i, key, seq, slot);
}

static void slot_release(sim *s, uint32_t idx)
{
    sim_slot *sl = &s->slots[idx];
    sl->gen++;
    sl->pos = s->free_head;
    s->free_head = idx;
}

static bool grow(sim *s)
{
    if (s->cap >= SIM_MAX_SLOTS)
        return false;
    uint64_t want = s->cap ? (uint64_t)s->cap + s->cap / 2 : SIM_MIN_CAP;
    if (want > SIM_MAX_SLOTS)
        want = SIM_MAX_SLOTS;
    if (want > SIZE_MAX / sizeof(sim_entry))
        return false;
    /* Grow both arrays before publishing the new capacity, so a failure
     * halfway leaves a consistent (merely over-allocated) kernel. */
    sim_entry *h = realloc(s->heap, (size_t)want * sizeof *h);
    if (!h)
        return false;
    s->heap = h;
    sim_slot *sl = realloc(s->slots, (size_t)want * sizeof *sl);
    if (!sl)
        return false;
    s->slots = sl;
    s->cap = (uint32_t)want;
    return true;
}

/* Why a schedule was refused, as the kernel's error. Out of the hot path. */
static __attribute__((cold, noinline)) sim_event_id reject_time(sim *s, double t_s)
{
    if (isnan(t_s))
        sim_fail(s, "cannot schedule an event: its time is not a number");
    else if (t_s == INFINITY)
        sim_fail(s, "cannot schedule an event: its time is infinite");
    else
        sim_fail(s, "cannot schedule an event at %.6f s: that is in the past", t_s);
    return SIM_NO_EVENT;
}

static __attribute__((cold, noinline)) sim_event_id reject_memory(sim *s)
{
    if (s->cap >= SIM_MAX_SLOTS)
        sim_fail(s, "cannot schedule an event: %u events are already pending (the most "
                    "the kernel holds)", s->n);
    else
        sim_fail(s, "out of memory for the event calendar (%u events pending)", s->n);
    return SIM_NO_EVENT;
}

static __attribute__((cold, noinline)) sim_event_id reject_delay(sim *s, double delay_s)
{
    if (isnan(delay_s))
        sim_fail(s, "cannot schedule an event: its delay is not a number");
    else if (delay_s < 0)
        sim_fail(s, "cannot schedule an event %g s ahead: the delay is negative", delay_s);
    else
        sim_fail(s, "cannot schedule an event %g s ahead: the clock cannot tell that from now "
                    "(simulated times this large lose their resolution)", delay_s);
    return SIM_NO_EVENT;
}

sim_event_id sim_schedule_at(sim *s, double t_s, sim_handler fn, void *obj, intptr_t arg)
{
    /* !(t >= now) also catches NaN. */
    if (!(t_s >= s->now) || t_s == INFINITY)
        return reject_time(s, t_s);
    if (s->fail_countdown && --s->fail_countdown == 0)
        return reject_memory(s);

    uint32_t idx;
    if (s->free_head != SIM_NIL) {
        idx = s->free_head;
        s->free_head = s->slots[idx].pos;
    } else {
        if (s->used == s->cap && !grow(s))
            return reject_memory(s);
        idx = s->used++;
        s->slots[idx].gen = 0;
    }
    sim_slot *sl = &s->slots[idx];
    sl->fn = fn;
    sl->obj = obj;
    sl->arg = arg;

    s->n++;
    sift_up(s, s->n - 1, time_key(t_s), s->seq++, idx);
    return ((uint64_t)sl->gen << 32) | ((uint64_t)idx + 1);
}

/* A positive delay the clock cannot resolve (now + delay == now, since a
 * double near now only resolves steps of about now * 2^-52) is an error
 * from SIM_TIME_RESOLUTION_S up: the model's times are too large for the
 * clock. Below that it is rounded to a zero delay -- harmless now and then
 * (a gamma sample of shape < 1 may be tiny) -- but a run whose delays all
 * round to zero would fire events at one instant forever, so a run of
 * SIM_MAX_ABSORBED of them at one instant is taken for that runaway: they
 * are refused from then on, the kernel reports itself stalled and the run
 * stops. */
sim_event_id sim_schedule(sim *s, double delay_s, sim_handler fn, void *obj, intptr_t arg)
{
    double t = s->now + delay_s;
    if (!(delay_s >= 0) || (t == s->now && delay_s >= SIM_TIME_RESOLUTION_S))
        return reject_delay(s, delay_s);
    if (delay_s > 0 && t == s->now) {
        if (s->absorbed_at != s->now) {
            s->absorbed_at = s->now;
            s->absorbed = 0;
        }
        if (s->stalled || ++s->absorbed > SIM_MAX_ABSORBED) {
            s->stalled = true;
            s->stop = true;
            return SIM_NO_EVENT;
        }
    }
    return sim_schedule_at(s, t, fn, obj, arg);
}

bool sim_stalled(const sim *s) { return s->stalled; }

/* Heap index of a pending event, or SIM_NIL if id is not pending. */
static uint32_t pending_pos(const sim *s, sim_event_id id)
{
    uint64_t low = id & 0xffffffffu;
    if (low == 0 || low > s->used)
        return SIM_NIL;
    uint32_t idx = (uint32_t)(low - 1);
    const sim_slot *sl = &s->slots[idx];
    if (sl->gen != (uint32_t)(id >> 32))
        return SIM_NIL;
    /* A generation match already implies pending; the heap cross-check
     * guards against a wrapped generation on a free slot. */
    if (sl->pos >= s->n || s->heap[sl->pos].slot != idx)
        return SIM_NIL;
    return sl->pos;
}

bool sim_cancel(sim *s, sim_event_id id)
{
    uint32_t pos = pending_pos(s, id);
    if (pos == SIM_NIL)
        return false;
    uint32_t idx = s->heap[pos].slot;
    heap_remove(s, pos);
    slot_release(s, idx);
    return true;
}

double sim_event_time(const sim *s, sim_event_id id)
{
    uint32_t pos = pending_pos(s, id);
    return pos == SIM_NIL ? -1.0 : key_time(s->heap[pos].key);
}

/* Pop the earliest event and run it. The slot is released before the handler
 * runs, so the handler sees its own id as already fired (cancelling it is a
 * no-op) and may immediately reuse the slot for the next event. */
static inline void run_top(sim *s)
{
    double t = key_time(s->heap[0].key);
    uint32_t idx = s->heap[0].slot;
    sim_slot *sl = &s->slots[idx];
    sim_handler fn = sl->fn;
    void *obj = sl->obj;
    intptr_t arg = sl->arg;
    slot_release(s, idx);

    const sim_entry *last = &s->heap[--s->n];
    if (s->n > 0)
        sift_down(s, 0, last->key, last->seq, last->slot);

    assert(t >= s->now);
    s->now = t;
    s->events_run++;
    s->in_event = true;
    fn(s, obj, arg);
    s->in_event = false;
}

bool sim_step(sim *s)
{
    if (s->n == 0 || s->error[0])
        return false;
    run_top(s);
    return true;
}

/* If t_end_s is before now (or NaN) nothing runs and the clock is left alone:
 * time never goes backwards. After sim_stop the clock stays at the time of
 * the last event run, since later events up to t_end_s have not happened.
 * Running to +INFINITY drains the calendar and leaves the clock at the last
 * event, because a clock at infinity could never schedule again. */
uint64_t sim_run_until(sim *s, double t_end_s)
{
    uint64_t before = s->events_run;
    if (!(t_end_s >= s->now) || s->error[0])
        return 0;
    uint64_t end_key = time_key(t_end_s);
    s->stop = false;
    while (s->n > 0 && s->heap[0].key <= end_key) {
        run_top(s);
        if (s->stop)
            break;
    }
    if (!s->stop && !s->error[0] && t_end_s != INFINITY)
        s->now = t_end_s;
    s->stop = false;
    return s->events_run - before;
}

void sim_stop(sim *s) { s->stop = true; }

size_t sim_pending(const sim *s) { return s->n; }

uint64_t sim_events_run(const sim *s) { return s->events_run; }

double sim_next_time(const sim *s) { return s->n ? key_time(s->heap[0].key) : INFINITY; }
