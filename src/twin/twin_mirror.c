/* twin_mirror.c -- keeping the twin's state in step with telemetry.
 *
 * Three problems, three mechanisms:
 *  - Duplicates: every gateway numbers its messages (seq). A bitmap of the
 *    last TWIN_SEQ_WINDOW seqs per gateway tells a repeat from a first
 *    sighting in O(1); a seq below the window cannot be told apart and is
 *    refused (the window is minutes of traffic, a message that late is
 *    useless for the state anyway).
 *  - Reordering: a station's or an item's state only moves forward in plant
 *    time; an older message still counts (an exit is an exit) but does not
 *    roll the position back.
 *  - Loss: counts are the last cumulative counters message of each gateway
 *    plus the counted events with a higher seq, so a dropped event is made
 *    good by the next counters message and the end-of-shift counters make
 *    the totals exact.
 * Items live in an open-addressing table with linear probing and
 * backward-shift deletion; finished items stay a while as tombstones so
 * that their late messages do not bring them back to life. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_text.h"
#include "twin_mirror.h"

static const char *const phase_words[] = {"transit", "queued", "processing", "held", "kitted",
                                          "gone"};

int twin_mirror_init(twin_mirror *m, const twin_model *tm, ft_error *err)
{
    memset(m, 0, sizeof *m);
    m->tm = tm;
    m->max_future_s = 3600;
    m->max_past_s = 86400;
    m->seq_jump = TWIN_SEQ_WINDOW;
    m->confirm = 3;
    m->items = calloc(TWIN_ITEM_SLOTS, sizeof *m->items);
    m->startup = malloc(TWIN_STARTUP_MAX * sizeof *m->startup);
    if (!m->items || !m->startup) {
        free(m->items);
        free(m->startup);
        return ft_fail(err, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < TWIN_MAX_STATIONS; i++) {
        m->st[i].gw = -1;
        m->st[i].queue_ts_s = -1;
    }
    return 0;
}

void twin_mirror_free(twin_mirror *m)
{
    for (size_t i = 0; i < m->n_gws; i++) {
        free(m->gws[i]->held);
        free(m->gws[i]);
    }
    free(m->startup);
    free(m->items);
    memset(m, 0, sizeof *m);
}

/* ---- the item table ------------------------------------------------------- */

static size_t slot_of(uint64_t id)
{
    return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 48) & (TWIN_ITEM_SLOTS - 1);
}

static twin_item *item_find(twin_mirror *m, uint64_t id)
{
    for (size_t i = slot_of(id);; i = (i + 1) & (TWIN_ITEM_SLOTS - 1)) {
        if (m->items[i].id == id)
            return &m->items[i];
        if (m->items[i].id == 0)
            return NULL;
    }
}

/* The load stays at or below one half (TWIN_ITEM_LIVE_MAX + TWIN_GONE_KEEP),
 * so probing always meets an empty slot. */
static twin_item *item_insert(twin_mirror *m, uint64_t id)
{
    size_t i = slot_of(id);
    while (m->items[i].id != 0)
        i = (i + 1) & (TWIN_ITEM_SLOTS - 1);
    m->items[i] = (twin_item){.id = id, .product = -1, .where = -1};
    return &m->items[i];
}

static void item_delete(twin_mirror *m, uint64_t id)
{
    twin_item *it = item_find(m, id);
    if (!it)
        return;
    size_t hole = (size_t)(it - m->items);
    m->items[hole].id = 0;
    for (size_t j = (hole + 1) & (TWIN_ITEM_SLOTS - 1); m->items[j].id;
         j = (j + 1) & (TWIN_ITEM_SLOTS - 1)) {
        size_t home = slot_of(m->items[j].id);
        /* move j into the hole unless its home lies cyclically in (hole, j] */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            m->items[hole] = m->items[j];
            m->items[j].id = 0;
            hole = j;
        }
    }
}

static void item_bury(twin_mirror *m, twin_item *it)
{
    if (it->phase == TWIN_GONE)
        return;
    it->phase = TWIN_GONE;
    m->n_live--;
    uint64_t id = it->id;
    if (m->n_gone == TWIN_GONE_KEEP) {
        item_delete(m, m->gone[m->gone_head]); /* the oldest tombstone goes */
        m->n_gone--;
    }
    m->gone[m->gone_head] = id;
    m->gone_head = (m->gone_head + 1) % TWIN_GONE_KEEP;
    m->n_gone++;
}

/* ---- gateways --------------------------------------------------------------- */

int twin_mirror_gateway(twin_mirror *m, const char *name, twin_reject *why)
{
    for (size_t i = 0; i < m->n_gws; i++)
        if (strcmp(m->gws[i]->name, name) == 0)
            return (int)i;
    if (m->n_gws == TWIN_MAX_GATEWAYS) {
        *why = TWIN_REJ_TOO_MANY_GATEWAYS;
        return -1;
    }
    twin_gateway *g = calloc(1, sizeof *g);
    if (g && !(g->held = malloc(TWIN_HOLD_MAX * sizeof *g->held))) {
        free(g);
        g = NULL;
    }
    if (!g) { /* out of memory: as if the table were full */
        *why = TWIN_REJ_TOO_MANY_GATEWAYS;
        return -1;
    }
    strcpy(g->name, name);
    g->alive = true;
    m->gws[m->n_gws] = g;
    return (int)m->n_gws++;
}

static bool seq_seen(const twin_gateway *g, uint64_t seq)
{
    return (g->seen[(seq % TWIN_SEQ_WINDOW) / 64] >> (seq % 64)) & 1;
}

static twin_reject seq_check(const twin_gateway *g, uint64_t seq)
{
    if (!g->any_seq)
        return TWIN_OK;
    if (seq + TWIN_SEQ_WINDOW <= g->max_seq)
        return TWIN_REJ_SEQ_TOO_OLD;
    return seq <= g->max_seq && seq_seen(g, seq) ? TWIN_REJ_DUPLICATE : TWIN_OK;
}

static void seq_mark(twin_gateway *g, uint64_t seq)
{
    if (!g->any_seq || seq > g->max_seq) {
        /* the window slides: clear the bits of the seqs it newly covers */
        uint64_t from = g->any_seq ? g->max_seq + 1 : 0;
        if (seq - from >= TWIN_SEQ_WINDOW)
            memset(g->seen, 0, sizeof g->seen);
        else
            for (uint64_t s = from; s < seq; s++)
                g->seen[(s % TWIN_SEQ_WINDOW) / 64] &= ~(1ull << (s % 64));
        g->max_seq = seq;
        g->any_seq = true;
    }
    g->seen[(seq % TWIN_SEQ_WINDOW) / 64] |= 1ull << (seq % 64);
}

static void tally(twin_gateway *g, uint64_t seq, int kind, int product)
{
    if (g->has_counters && seq <= g->counters_seq)
        return; /* already inside the counters */
    if (g->ring_n == TWIN_TALLY_RING) {
        twin_tally *old = &g->ring[g->ring_head];
        if (old->kind == 0)
            g->base_released++;
        else if (old->kind == 1)
            g->base_produced[old->product]++;
        else
            g->base_scrapped[old->product]++;
        g->ring_head = (g->ring_head + 1) % TWIN_TALLY_RING;
        g->ring_n--;
        g->ring_folds++;
    }
    g->ring[(g->ring_head + g->ring_n) % TWIN_TALLY_RING] =
        (twin_tally){.seq = seq, .kind = (uint8_t)kind, .product = (int16_t)product};
    g->ring_n++;
}

static twin_reject apply_counters(twin_mirror *m, twin_gateway *g, const twin_msg *msg)
{
    int idx[TWIN_MSG_MAX_PRODUCTS], qs[16];
    for (size_t i = 0; i < msg->n_counts; i++)
        if ((idx[i] = twin_model_product(m->tm, msg->counts[i].product)) < 0)
            return TWIN_REJ_UNKNOWN_PRODUCT;
    for (size_t i = 0; i < msg->n_queues; i++)
        if ((qs[i] = twin_model_station(m->tm, msg->queue_station[i])) < 0)
            return TWIN_REJ_UNKNOWN_STATION;
    g->final_seen |= msg->final;
    if (g->has_counters && msg->seq < g->counters_seq) {
        m->out_of_order++;
        return TWIN_OK; /* a newer counters message is in already */
    }
    g->has_counters = true;
    g->counters_seq = msg->seq;
    for (size_t i = 0; i < msg->n_queues; i++) {
        m->st[qs[i]].queue_level = msg->queue_level[i];
        m->st[qs[i]].queue_ts_s = msg->ts_s;
    }
    g->base_released = msg->released;
    memset(g->base_produced, 0, sizeof g->base_produced);
    memset(g->base_scrapped, 0, sizeof g->base_scrapped);
    for (size_t i = 0; i < msg->n_counts; i++) {
        g->base_produced[idx[i]] = msg->counts[i].produced;
        g->base_scrapped[idx[i]] = msg->counts[i].scrapped;
    }
    /* keep only the tallies the counters do not include yet */
    twin_tally keep[TWIN_TALLY_RING];
    size_t n = 0;
    for (size_t i = 0; i < g->ring_n; i++) {
        twin_tally *t = &g->ring[(g->ring_head + i) % TWIN_TALLY_RING];
        if (t->seq > msg->seq)
            keep[n++] = *t;
    }
    memcpy(g->ring, keep, n * sizeof keep[0]);
    g->ring_head = 0;
    g->ring_n = n;
    return TWIN_OK;
}

/* ---- stations and parts ------------------------------------------------------ */

static twin_reject apply_station(twin_mirror *m, int gw, const twin_msg *msg)
{
    int s = twin_model_station(m->tm, msg->station);
    if (s < 0)
        return TWIN_REJ_UNKNOWN_STATION;
    twin_station_live *st = &m->st[s];
    if (st->gw < 0)
        st->gw = gw;
    if (st->known && msg->ts_s < st->last_ts_s) {
        m->out_of_order++;
        return TWIN_OK;
    }
    if (msg->state == TWIN_ST_FAILED && (!st->known || st->state != TWIN_ST_FAILED))
        st->failures++;
    if (st->known && st->state != msg->state)
        st->state_s[st->state] += msg->ts_s - st->since_s;
    if (!st->known || st->state != msg->state)
        st->since_s = msg->ts_s;
    st->state = msg->state;
    st->known = true;
    st->stale = !m->gws[gw]->alive;
    st->last_ts_s = msg->ts_s;
    return TWIN_OK;
}

/* Where a part event may happen: the place it names must be of its kind. */
static twin_reject part_place(const twin_model *tm, const twin_msg *msg, int *where)
{
    *where = -1;
    switch (msg->part) {
    case TWIN_PART_RELEASED:
        return twin_model_is_source(tm, msg->at) ? TWIN_OK : TWIN_REJ_UNKNOWN_OBJECT;
    case TWIN_PART_ENTERED:
        if (twin_model_is_conveyor(tm, msg->at))
            return TWIN_OK;
        *where = twin_model_buffer_station(tm, msg->at);
        if (*where < 0)
            *where = twin_model_station(tm, msg->at); /* an implicit queue */
        return *where < 0 ? TWIN_REJ_UNKNOWN_OBJECT : TWIN_OK;
    case TWIN_PART_STARTED: case TWIN_PART_FINISHED: case TWIN_PART_BLOCKED:
    case TWIN_PART_KITTED: case TWIN_PART_CONSUMED: case TWIN_PART_EXITED:
    case TWIN_PART_SCRAPPED: case TWIN_PART_N:
        break;
    }
    *where = twin_model_station(tm, msg->at);
    return *where < 0 ? TWIN_REJ_UNKNOWN_STATION : TWIN_OK;
}

/* Does msg come after the message that set the item's position? Plant time
 * decides; within one instant, a gateway's seq does (a release and the start
 * it triggers share a timestamp). */
static bool part_is_newer(const twin_item *it, int gw, const twin_msg *msg)
{
    if (msg->ts_s != it->last_ts_s)
        return msg->ts_s > it->last_ts_s;
    return it->last_gw != gw || msg->seq > it->last_seq;
}

static twin_reject apply_part(twin_mirror *m, int gw, const twin_msg *msg)
{
    twin_gateway *g = m->gws[gw];
    int product = twin_model_product(m->tm, msg->product), where;
    if (product < 0)
        return TWIN_REJ_UNKNOWN_PRODUCT;
    twin_reject r = part_place(m->tm, msg, &where);
    if (r)
        return r;
    twin_item *it = item_find(m, msg->item);
    if (!it) {
        if (m->n_live >= TWIN_ITEM_LIVE_MAX)
            return TWIN_REJ_ITEM_TABLE_FULL;
        it = item_insert(m, msg->item);
        it->product = (int16_t)product;
        it->released_s = msg->released_s;
        it->quantity = msg->quantity;
        it->last_ts_s = -1;
        m->n_live++;
    }
    if (msg->part == TWIN_PART_RELEASED)
        tally(g, msg->seq, 0, product);
    else if (msg->part == TWIN_PART_EXITED)
        tally(g, msg->seq, 1, product);
    else if (msg->part == TWIN_PART_SCRAPPED)
        tally(g, msg->seq, 2, product);
    bool fresh = it->last_ts_s < 0;
    if (it->phase == TWIN_GONE || (!fresh && !part_is_newer(it, gw, msg))) {
        m->out_of_order += it->phase != TWIN_GONE;
        return TWIN_OK;
    }
    if (msg->part == TWIN_PART_RELEASED && !fresh)
        return TWIN_OK; /* a late release never moves an item back out of the plant */
    if (msg->part == TWIN_PART_FINISHED && it->phase == TWIN_PROCESSING && it->where == where) {
        m->st[where].jobs++;
        m->st[where].process_sum_s += msg->ts_s - it->since_s;
    }
    it->last_ts_s = msg->ts_s;
    it->last_seq = msg->seq;
    it->last_gw = (int8_t)gw;
    it->since_s = msg->ts_s;
    it->where = (int16_t)where;
    switch (msg->part) {
    case TWIN_PART_RELEASED: it->phase = TWIN_IN_TRANSIT; break;
    case TWIN_PART_ENTERED: it->phase = where < 0 ? TWIN_IN_TRANSIT : TWIN_QUEUED; break;
    case TWIN_PART_STARTED:
        it->phase = TWIN_PROCESSING;
        if (msg->ts_s > m->st[where].last_start_s)
            m->st[where].last_start_s = msg->ts_s;
        break;
    case TWIN_PART_FINISHED:
    case TWIN_PART_BLOCKED: it->phase = TWIN_HELD; break;
    case TWIN_PART_KITTED: it->phase = TWIN_KITTED; break;
    case TWIN_PART_CONSUMED: case TWIN_PART_EXITED: case TWIN_PART_SCRAPPED: case TWIN_PART_N:
        item_bury(m, it);
        break;
    }
    return TWIN_OK;
}

static twin_reject apply_birth_death(twin_mirror *m, int gw, const twin_msg *msg)
{
    twin_gateway *g = m->gws[gw];
    if (msg->type == TWIN_MSG_DEATH) {
        g->alive = false;
        g->death_s = msg->ts_s;
        for (size_t s = 0; s < m->tm->n_stations; s++)
            if (m->st[s].gw == gw)
                m->st[s].stale = true;
        return TWIN_OK;
    }
    int idx[16];
    for (size_t i = 0; i < msg->n_stations; i++)
        if ((idx[i] = twin_model_station(m->tm, msg->stations[i])) < 0)
            return TWIN_REJ_UNKNOWN_STATION;
    g->alive = true;
    g->birth_s = msg->ts_s;
    if (m->first_ts_s == 0 || msg->ts_s < m->first_ts_s)
        m->first_ts_s = msg->ts_s;
    for (size_t i = 0; i < msg->n_stations; i++) {
        m->st[idx[i]].gw = gw;
        m->st[idx[i]].stale = false;
    }
    return TWIN_OK;
}

/* The message has passed admission (twin_admit.c): the clock bounds, the
 * gateway's seq range and its quarantine. What is left are the checks
 * against the model and the duplicate window. */
twin_reject twin_mirror_apply_now(twin_mirror *m, int gw, const twin_msg *msg, bool moves_clock)
{
    twin_reject r = TWIN_OK;
    /* a death is idempotent and may come from the broker (the last will,
     * written before the gateway knew its last seq): no seq check for it */
    bool death = msg->type == TWIN_MSG_DEATH;
    if (!death)
        r = seq_check(m->gws[gw], msg->seq);
    if (!r) {
        switch (msg->type) {
        case TWIN_MSG_BIRTH:
        case TWIN_MSG_DEATH: r = apply_birth_death(m, gw, msg); break;
        case TWIN_MSG_STATION: r = apply_station(m, gw, msg); break;
        case TWIN_MSG_PART: r = apply_part(m, gw, msg); break;
        case TWIN_MSG_COUNTERS: r = apply_counters(m, m->gws[gw], msg); break;
        case TWIN_MSG_N_TYPES: r = TWIN_REJ_UNKNOWN_TYPE; break;
        }
    }
    if (r) {
        m->rejects[r]++;
        return r;
    }
    if (!death) {
        twin_gateway *g = m->gws[gw];
        seq_mark(g, msg->seq);
        if (!g->heard || msg->ts_s > g->last_ts_s)
            g->last_ts_s = msg->ts_s;
        g->heard = true;
    }
    m->accepted++;
    if (m->on_applied)
        m->on_applied(m->applied_ctx, msg);
    if (moves_clock && (!m->clock_set || msg->ts_s > m->now_s))
        m->now_s = msg->ts_s;
    m->clock_set = true;
    return TWIN_OK;
}

twin_reject twin_mirror_parse(twin_mirror *m, const char *payload, size_t len, twin_msg *msg)
{
    m->received++;
    twin_reject r = twin_msg_parse(payload, len, msg, m->last_why);
    if (r)
        m->rejects[r]++;
    return r;
}

twin_reject twin_mirror_ingest(twin_mirror *m, const char *payload, size_t len)
{
    static _Thread_local twin_msg msg; /* ~10 KiB: kept off the stack, reused */
    twin_reject r = twin_mirror_parse(m, payload, len, &msg);
    return r ? r : twin_mirror_apply(m, &msg);
}

twin_reject twin_mirror_mark_gap(twin_mirror *m, double from_s, double to_s)
{
    bool span = isfinite(from_s) && isfinite(to_s) && from_s >= 0 && from_s <= to_s &&
                to_s <= TWIN_TS_MAX_S;
    if (span && m->clock_set)
        span = from_s >= m->now_s - m->max_past_s && to_s <= m->now_s + m->max_future_s;
    if (!span) {
        m->rejects[TWIN_REJ_BAD_GAP]++;
        return TWIN_REJ_BAD_GAP;
    }
    m->gaps++;
    m->gap_s += to_s - from_s;
    return TWIN_OK;
}

/* ---- counts -------------------------------------------------------------------- */

static uint64_t count_kind(const twin_mirror *m, int kind, int product)
{
    uint64_t n = 0;
    for (size_t i = 0; i < m->n_gws; i++) {
        const twin_gateway *g = m->gws[i];
        n += kind == 0 ? g->base_released
                       : kind == 1 ? g->base_produced[product] : g->base_scrapped[product];
        for (size_t k = 0; k < g->ring_n; k++) {
            const twin_tally *t = &g->ring[(g->ring_head + k) % TWIN_TALLY_RING];
            n += t->kind == kind && (kind == 0 || t->product == product);
        }
    }
    return n;
}

uint64_t twin_mirror_produced(const twin_mirror *m, int p) { return count_kind(m, 1, p); }
uint64_t twin_mirror_scrapped(const twin_mirror *m, int p) { return count_kind(m, 2, p); }
uint64_t twin_mirror_released(const twin_mirror *m) { return count_kind(m, 0, 0); }

uint64_t twin_mirror_output(const twin_mirror *m)
{
    uint64_t n = 0;
    for (size_t p = 0; p < m->tm->n_products; p++)
        n += twin_mirror_produced(m, (int)p);
    return n;
}

/* ---- staleness and where the items are ---------------------------------------------- */

bool twin_mirror_station_stale(const twin_mirror *m, size_t s)
{
    const twin_station_live *st = &m->st[s];
    if (st->stale)
        return true;
    if (m->stale_after_s <= 0 || !m->clock_set)
        return false;
    double heard_s = st->gw >= 0 ? m->gws[st->gw]->last_ts_s : m->first_ts_s;
    return heard_s > 0 && m->now_s - heard_s > m->stale_after_s;
}

void twin_mirror_census(const twin_mirror *m, twin_census *c)
{
    memset(c, 0, sizeof *c);
    size_t seen = 0, total = m->n_live + m->n_gone;
    for (size_t i = 0; i < TWIN_ITEM_SLOTS && seen < total; i++) {
        const twin_item *it = &m->items[i];
        if (!it->id)
            continue;
        seen++;
        if (it->phase == TWIN_GONE)
            continue;
        c->live++;
        if (it->phase == TWIN_IN_TRANSIT || it->where < 0) {
            c->in_transit++;
            continue;
        }
        size_t w = (size_t)it->where;
        switch (it->phase) {
        case TWIN_QUEUED: c->queued[w]++; break;
        case TWIN_PROCESSING: c->processing[w]++; break;
        case TWIN_HELD: c->held[w]++; break;
        case TWIN_KITTED: c->kitted[w]++; break;
        case TWIN_IN_TRANSIT: case TWIN_GONE: break; /* skipped above */
        }
    }
}

/* ---- the state as JSON ---------------------------------------------------------------- */

void twin_mirror_write_json(const twin_mirror *m, FILE *out)
{
    const twin_model *tm = m->tm;
    fprintf(out, "{\"now_s\":%.3f,\"received\":%llu,\"accepted\":%llu,\"out_of_order\":%llu,",
            m->now_s, (unsigned long long)m->received, (unsigned long long)m->accepted,
            (unsigned long long)m->out_of_order);
    fprintf(out, "\"gaps\":%llu,\"gap_s\":%.3f,\"held\":%llu,\"rejected\":{",
            (unsigned long long)m->gaps, m->gap_s, (unsigned long long)m->held);
    for (int r = 1; r < TWIN_REJ_N; r++)
        fprintf(out, "%s\"%s\":%llu", r > 1 ? "," : "", twin_reject_name((twin_reject)r),
                (unsigned long long)m->rejects[r]);
    fprintf(out, "},\"released\":%llu,\"output\":%llu,\"products\":{",
            (unsigned long long)twin_mirror_released(m), (unsigned long long)twin_mirror_output(m));
    for (size_t p = 0; p < tm->n_products; p++) {
        fputs(p ? "," : "", out);
        base_json_put(out, tm->products[p], strlen(tm->products[p]));
        fprintf(out, ":{\"produced\":%llu,\"scrapped\":%llu}",
                (unsigned long long)twin_mirror_produced(m, (int)p),
                (unsigned long long)twin_mirror_scrapped(m, (int)p));
    }
    size_t n_phase[6] = {0};
    for (size_t i = 0; i < TWIN_ITEM_SLOTS; i++)
        if (m->items[i].id)
            n_phase[m->items[i].phase]++;
    fputs("},\"items\":{", out);
    for (int k = 0; k < 6; k++)
        fprintf(out, "%s\"%s\":%zu", k ? "," : "", phase_words[k], n_phase[k]);
    fputs("},\"stations\":[", out);
    for (size_t s = 0; s < tm->n_stations; s++) {
        const twin_station_live *st = &m->st[s];
        const twin_station_info *mi = &tm->stations[s];
        double obs = st->jobs ? st->process_sum_s / (double)st->jobs : 0;
        double work_h = st->process_sum_s / 3600;
        double fail_rate = work_h > 0 ? (double)st->failures / work_h : 0;
        /* drift: the mean differs by more than 10 % with enough jobs to tell */
        bool drift = st->jobs >= 20 && mi->process_mean_s > 0 &&
                     (obs > 1.1 * mi->process_mean_s || obs < 0.9 * mi->process_mean_s);
        fputs(s ? "," : "", out);
        fputs("{\"name\":", out);
        base_json_put(out, mi->name, strlen(mi->name));
        fprintf(out, ",\"state\":\"%s\",\"stale\":%s,\"since_s\":%.3f,\"gateway\":",
                st->known ? twin_state_word(st->state) : "unknown",
                twin_mirror_station_stale(m, s) ? "true" : "false",
                st->since_s);
        if (st->gw >= 0)
            base_json_put(out, m->gws[st->gw]->name, strlen(m->gws[st->gw]->name));
        else
            fputs("null", out);
        fprintf(out, ",\"jobs\":%llu,\"process_mean_s\":%.3f,\"model_process_mean_s\":%.3f,"
                     "\"failures\":%llu,\"failures_per_work_h\":%.4f,"
                     "\"model_failures_per_work_h\":%.4f,\"process_time_drift\":%s}",
                (unsigned long long)st->jobs, obs, mi->process_mean_s,
                (unsigned long long)st->failures, fail_rate, mi->failures_per_work_h,
                drift ? "true" : "false");
    }
    fputs("],\"gateways\":[", out);
    for (size_t i = 0; i < m->n_gws; i++) {
        const twin_gateway *g = m->gws[i];
        fputs(i ? "," : "", out);
        fputs("{\"name\":", out);
        base_json_put(out, g->name, strlen(g->name));
        fprintf(out, ",\"alive\":%s,\"max_seq\":%llu,\"final_counters\":%s,\"tally_folds\":%llu,"
                     "\"clock_ahead\":%s,\"held\":%zu}",
                g->alive ? "true" : "false", (unsigned long long)g->max_seq,
                g->final_seen ? "true" : "false", (unsigned long long)g->ring_folds,
                g->clock_ahead ? "true" : "false", g->n_held);
    }
    fputs("]}\n", out);
}
