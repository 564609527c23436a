/* twin_admit.c -- which telemetry the mirror believes: the plant clock, the
 * gateways' seq ranges and the quarantine of outliers (docs/telemetry.md,
 * "Hostile input").
 *
 * One message must never be able to move the twin's picture of time or of a
 * gateway's numbering so far that the real messages after it are refused.
 * So a message that jumps -- its seq beyond the gateway's newest +
 * seq_jump, or its ts beyond the reference clock + max_future_s -- is not
 * followed but held, per gateway; the gateway's next `confirm` messages
 * decide: if they confirm the new range (they jump the same way) the held
 * messages are applied in order, if they stay in the old range the held
 * ones are refused (seq_jump, ts_in_future). Until then the message is
 * neither accepted nor rejected: it is `held`.
 *
 * The reference clock for a gateway is the newest ts of the *other* live
 * gateways whose clocks are trusted, so that no gateway can drag the plant
 * clock more than max_future_s ahead of the rest of the plant; alone, a
 * gateway is measured against the plant clock (its own history). A gateway
 * whose jump ahead is confirmed while others are live is `clock_ahead`: its
 * messages are applied (an exit is an exit: counts stay exact) but its
 * stamps no longer move the plant clock, until it is back in line.
 *
 * The plant clock itself starts only when confirm + 1 messages agree
 * (within max_future_s): until then messages wait in a startup hold, so a
 * first birth stamped in the far future cannot set it.
 *
 * The road not taken: correcting a fast clock by an estimated offset. A
 * drifting clock has no single offset, and the counts do not need one. */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "twin_mirror.h"

static twin_reject refuse(twin_mirror *m, twin_reject r)
{
    m->rejects[r]++;
    return r;
}

/* The newest ts of the live, trusted gateways other than gw (-1: none). */
static bool others_clock(const twin_mirror *m, int gw, double *ref_s)
{
    bool any = false;
    for (size_t i = 0; i < m->n_gws; i++) {
        const twin_gateway *h = m->gws[i];
        if ((int)i == gw || !h->alive || !h->heard || h->clock_ahead)
            continue;
        if (!any || h->last_ts_s > *ref_s)
            *ref_s = h->last_ts_s;
        any = true;
    }
    return any;
}

/* What makes msg an outlier for gateway gw (-1: not known yet): 0 if
 * nothing. Needs the clock established. */
static unsigned outlier(const twin_mirror *m, int gw, const twin_msg *msg)
{
    unsigned why = 0;
    const twin_gateway *g = gw >= 0 ? m->gws[gw] : NULL;
    if (g && g->any_range && msg->seq > g->range_seq && msg->seq - g->range_seq > m->seq_jump)
        why |= TWIN_HOLD_SEQ;
    if (!g || !g->clock_ahead) {
        double ref_s = m->now_s;
        others_clock(m, gw, &ref_s);
        if (msg->ts_s > ref_s + m->max_future_s)
            why |= TWIN_HOLD_TS;
    }
    return why;
}

/* Is a gateway that is clock_ahead back in line with the others -- or
 * alone now (the others died), so that its clock is the plant's? */
static bool back_in_line(const twin_mirror *m, int gw, const twin_msg *msg)
{
    double ref_s = m->now_s;
    return !others_clock(m, gw, &ref_s) || msg->ts_s <= ref_s + m->max_future_s;
}

/* The gateway's numbering has reached msg's seq, whether the model takes
 * the message or not (a refused message still used its seq). */
static void seq_reached(twin_gateway *g, const twin_msg *msg)
{
    if (!g->any_range || msg->seq > g->range_seq)
        g->range_seq = msg->seq;
    g->any_range = true;
}

/* Apply a message that is in range (or confirmed). */
static twin_reject in_range(twin_mirror *m, int gw, const twin_msg *msg)
{
    twin_gateway *g = m->gws[gw];
    seq_reached(g, msg);
    if (g->clock_ahead && back_in_line(m, gw, msg))
        g->clock_ahead = false;
    return twin_mirror_apply_now(m, gw, msg, !g->clock_ahead);
}

static void unhold(twin_mirror *m, twin_gateway *g, size_t k)
{
    memmove(g->held, g->held + k, (g->n_held - k) * sizeof *g->held);
    g->n_held -= k;
    m->held -= k;
    if (!g->n_held)
        g->against = 0;
}

/* The gateway's next messages stayed in the old range: refuse the held. */
static void drop_hold(twin_mirror *m, twin_gateway *g)
{
    twin_reject r = g->hold_why & TWIN_HOLD_SEQ ? TWIN_REJ_SEQ_JUMP : TWIN_REJ_FUTURE;
    m->rejects[r] += g->n_held;
    unhold(m, g, g->n_held);
}

/* The gateway's next messages confirmed the new range: apply the held, in
 * the order they came. A confirmed jump in time moves the plant clock only
 * if no other live gateway contradicts it. */
static void confirm_hold(twin_mirror *m, int gw)
{
    twin_gateway *g = m->gws[gw];
    double ref_s;
    if (g->hold_why & TWIN_HOLD_TS)
        g->clock_ahead = others_clock(m, gw, &ref_s);
    while (g->n_held) {
        seq_reached(g, &g->held[0]);
        twin_mirror_apply_now(m, gw, &g->held[0], !g->clock_ahead);
        unhold(m, g, 1);
    }
}

/* The held messages whose reason is gone (the clock caught up with them)
 * are applied. */
static void release(twin_mirror *m, int gw)
{
    twin_gateway *g = m->gws[gw];
    while (g->n_held && outlier(m, gw, &g->held[0]) == 0) {
        in_range(m, gw, &g->held[0]);
        unhold(m, g, 1);
    }
}

/* The number of later messages that decide a hold: m->confirm, within 1..7. */
static size_t confirm_n(const twin_mirror *m)
{
    return m->confirm < 1 ? 1 : m->confirm > TWIN_CONFIRM_MAX ? TWIN_CONFIRM_MAX : m->confirm;
}

static twin_reject hold(twin_mirror *m, twin_gateway *g, const twin_msg *msg, unsigned why)
{
    assert(g->n_held < TWIN_HOLD_MAX); /* confirm_n() + 1 at most: then it is decided */
    if (!g->n_held) {
        g->hold_why = why;
        g->against = 0;
    }
    g->held[g->n_held++] = *msg;
    m->held++;
    return TWIN_QUARANTINED;
}

/* Does msg (an outlier for the same reasons) go with the held ones: the same
 * new seq range, and no earlier than the first held in time? */
static bool goes_with_hold(const twin_mirror *m, const twin_gateway *g, const twin_msg *msg)
{
    const twin_msg *last = &g->held[g->n_held - 1];
    if (g->hold_why & TWIN_HOLD_SEQ) {
        uint64_t d = msg->seq > last->seq ? msg->seq - last->seq : last->seq - msg->seq;
        if (d > m->seq_jump)
            return false;
    }
    return !(g->hold_why & TWIN_HOLD_TS) || msg->ts_s >= g->held[0].ts_s - m->max_future_s;
}

static bool held_seq(const twin_gateway *g, uint64_t seq)
{
    for (size_t i = 0; i < g->n_held; i++)
        if (g->held[i].seq == seq)
            return true;
    return false;
}

static twin_reject admit(twin_mirror *m, const twin_msg *msg)
{
    if (msg->ts_s < m->now_s - m->max_past_s)
        return refuse(m, TWIN_REJ_TOO_OLD);
    twin_reject r = TWIN_OK;
    int gw = twin_mirror_gateway(m, msg->gw, &r);
    if (gw < 0)
        return refuse(m, r);
    twin_gateway *g = m->gws[gw];
    if (msg->type == TWIN_MSG_DEATH) { /* idempotent, no seq: never held, moves no clock ahead */
        bool ahead = g->clock_ahead || (outlier(m, gw, msg) & TWIN_HOLD_TS);
        return twin_mirror_apply_now(m, gw, msg, !ahead);
    }
    release(m, gw);
    unsigned why = outlier(m, gw, msg);
    if (!g->n_held)
        return why ? hold(m, g, msg, why) : in_range(m, gw, msg);
    if (why && why == g->hold_why && goes_with_hold(m, g, msg)) {
        if (held_seq(g, msg->seq))
            return refuse(m, TWIN_REJ_DUPLICATE);
        hold(m, g, msg, why);
        if (g->n_held <= confirm_n(m))
            return TWIN_QUARANTINED;
        confirm_hold(m, gw);
        return TWIN_OK;
    }
    /* in the old range, or an outlier of another kind: evidence against */
    r = why ? refuse(m, why & TWIN_HOLD_SEQ ? TWIN_REJ_SEQ_JUMP : TWIN_REJ_FUTURE)
            : in_range(m, gw, msg);
    if (++g->against >= confirm_n(m))
        drop_hold(m, g);
    return r;
}

/* ---- the startup hold ------------------------------------------------------------ */

/* How many startup messages lie within max_future_s of message i. */
static size_t agreeing(const twin_mirror *m, size_t i)
{
    size_t n = 0;
    for (size_t j = 0; j < m->n_startup; j++)
        n += fabs(m->startup[j].ts_s - m->startup[i].ts_s) <= m->max_future_s;
    return n;
}

/* Start the clock at the earliest ts of the largest group that agrees with
 * one message (the first such message on a tie), then admit the held
 * messages in the order they came; returns the last one's outcome. */
static twin_reject establish(twin_mirror *m)
{
    size_t best = 0, best_n = 0;
    for (size_t i = 0; i < m->n_startup; i++) {
        size_t n = agreeing(m, i);
        if (n > best_n) {
            best = i;
            best_n = n;
        }
    }
    double start_s = m->startup[best].ts_s;
    for (size_t j = 0; j < m->n_startup; j++)
        if (fabs(m->startup[j].ts_s - m->startup[best].ts_s) <= m->max_future_s &&
            m->startup[j].ts_s < start_s)
            start_s = m->startup[j].ts_s;
    m->clock_set = true;
    m->now_s = start_s;
    size_t n = m->n_startup;
    m->n_startup = 0;
    m->held -= n;
    twin_reject r = TWIN_OK;
    for (size_t i = 0; i < n; i++)
        r = admit(m, &m->startup[i]);
    return r;
}

static twin_reject startup_take(twin_mirror *m, const twin_msg *msg)
{
    assert(m->n_startup < TWIN_STARTUP_MAX); /* at the bound it is established */
    m->startup[m->n_startup++] = *msg;
    m->held++;
    if (agreeing(m, m->n_startup - 1) > confirm_n(m) || m->n_startup == TWIN_STARTUP_MAX)
        return establish(m);
    return TWIN_QUARANTINED;
}

/* ---- the mirror's entry points ---------------------------------------------------- */

twin_reject twin_mirror_apply(twin_mirror *m, const twin_msg *msg)
{
    return m->clock_set ? admit(m, msg) : startup_take(m, msg);
}

void twin_mirror_finish(twin_mirror *m)
{
    if (!m->clock_set && m->n_startup)
        establish(m);
    for (size_t i = 0; i < m->n_gws; i++) {
        release(m, (int)i);
        if (m->gws[i]->n_held)
            drop_hold(m, m->gws[i]);
    }
}

bool twin_mirror_moves_clock(const twin_mirror *m, const twin_msg *msg)
{
    if (!m->clock_set || msg->ts_s <= m->now_s || msg->type == TWIN_MSG_DEATH)
        return false;
    int gw = -1;
    for (size_t i = 0; i < m->n_gws; i++)
        if (strcmp(m->gws[i]->name, msg->gw) == 0)
            gw = (int)i;
    if (gw >= 0 && (m->gws[gw]->n_held || m->gws[gw]->clock_ahead))
        return false;
    return outlier(m, gw, msg) == 0;
}
