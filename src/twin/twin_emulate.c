/* twin_emulate.c -- the simulator playing the plant: ft_event -> telemetry.
 *
 * The observer turns each event into part messages and keeps, per station,
 * the counts that decide its state (servers working, finished items held,
 * failed, in setup, off). A station's state is published when plant time
 * moves on, not at each event: a finish followed at the same instant by the
 * next start is "working" throughout, and a real PLC would not report the
 * zero-length idle either. Counters (cumulative per gateway) go out every
 * counters_every_s and once more at the end of the shift marked final.
 *
 * Noise is applied between the message and the sink with its own seeded
 * generator, so the same model, seed and noise seed give the same bytes.
 * The final counters and a death are exempt: on MQTT they are a retained
 * message and the broker's last will, which the broker delivers even when
 * the network around it loses things. */
#include <stdlib.h>
#include <string.h>

#include "base/base_text.h"
#include "twin_emulate.h"
#include "twin_msg.h"

#define EMU_MAX_GW 16
#define EMU_KIT_MAX 64     /* parts kitted at one assembly, waiting for its start */
#define EMU_HELD_MAX 256   /* finished items held by blocked stations */
#define EMU_RECENT 64      /* recent finishes, to name the station an exit left from */
#define EMU_DELAY_MAX 64   /* late or swapped messages held back by the noise */

typedef struct held_msg {
    char gw[TWIN_NAME_MAX];
    char type[16];
    double ts_s;
    char *payload;
    size_t len;
    int wait;              /* messages to let pass first */
} held_msg;

typedef struct emu_station {
    int working, held, kit_n;
    bool failed, maintenance, off, setup;
    twin_station_state published;
    bool dirty, ever;
    uint64_t kit[EMU_KIT_MAX];
    int16_t kit_product[EMU_KIT_MAX];
} emu_station;

typedef struct emulator {
    const twin_model *tm;
    const twin_emulate_options *o;
    twin_truth *truth;
    int n_gw;
    uint64_t seq[EMU_MAX_GW];
    bool dead[EMU_MAX_GW];
    uint64_t released[EMU_MAX_GW], produced[EMU_MAX_GW][TWIN_MAX_NAMES],
        scrapped[EMU_MAX_GW][TWIN_MAX_NAMES];
    emu_station st[TWIN_MAX_STATIONS];
    struct { uint64_t item; int station; } blocked[EMU_HELD_MAX], recent[EMU_RECENT];
    int n_blocked, recent_head;
    double now_s;
    uint64_t rng;
    held_msg delay[EMU_DELAY_MAX];
    int n_delay;
    twin_msg msg;
    char buf[TWIN_MSG_MAX_BYTES];
} emulator;

int twin_station_gateway(int station, int gateways)
{
    return gateways > 1 ? station % gateways : 0;
}

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *x) { return (double)(splitmix(x) >> 11) * 0x1.0p-53; }

/* ---- noise and the sink -------------------------------------------------------- */

static void deliver(emulator *e, const char *gw, const char *type, double ts_s, const char *p,
                    size_t len)
{
    e->o->sink(e->o->sink_ctx, gw, type, ts_s, p, len);
}

/* One message has gone by: held ones whose wait is over follow it. */
static void tick_delayed(emulator *e)
{
    for (int i = 0; i < e->n_delay;) {
        held_msg *h = &e->delay[i];
        if (--h->wait > 0) {
            i++;
            continue;
        }
        deliver(e, h->gw, h->type, h->ts_s, h->payload, h->len);
        free(h->payload);
        e->delay[i] = e->delay[--e->n_delay];
    }
}

static void flush_delayed(emulator *e)
{
    for (int i = 0; i < e->n_delay; i++)
        e->delay[i].wait = 1;
    tick_delayed(e);
}

static void send(emulator *e, int gw, bool exempt)
{
    twin_msg *m = &e->msg;
    snprintf(m->gw, sizeof m->gw, "gw%d", gw);
    if (e->dead[gw])
        return;
    m->seq = e->seq[gw]++;
    int len = twin_msg_encode(m, e->buf, sizeof e->buf);
    if (len < 0)
        return; /* cannot happen with model names below TWIN_NAME_MAX */
    const char *type = twin_type_word(m->type);
    e->truth->messages++;
    const twin_noise *n = &e->o->noise;
    if (!exempt && n->drop > 0 && uniform(&e->rng) < n->drop) {
        e->truth->dropped++;
        return;
    }
    int copies = !exempt && n->dup > 0 && uniform(&e->rng) < n->dup ? 2 : 1;
    e->truth->duplicated += copies == 2;
    for (int c = 0; c < copies; c++) {
        int wait = 0;
        if (!exempt && n->late > 0 && uniform(&e->rng) < n->late)
            wait = 5 + (int)(splitmix(&e->rng) % 46); /* 5..50 messages late */
        else if (!exempt && n->swap > 0 && uniform(&e->rng) < n->swap)
            wait = 1;                                 /* swapped with the next */
        if (wait > 0 && e->n_delay < EMU_DELAY_MAX) {
            held_msg *h = &e->delay[e->n_delay];
            h->payload = malloc((size_t)len);
            if (h->payload) {
                memcpy(h->payload, e->buf, (size_t)len);
                h->len = (size_t)len;
                h->ts_s = m->ts_s;
                h->wait = wait;
                snprintf(h->gw, sizeof h->gw, "%s", m->gw);
                snprintf(h->type, sizeof h->type, "%s", type);
                e->n_delay++;
                e->truth->delayed++;
                continue;
            }
        }
        deliver(e, m->gw, type, m->ts_s, e->buf, (size_t)len);
        tick_delayed(e);
    }
}

/* ---- messages ---------------------------------------------------------------------- */

static void send_counters(emulator *e, int gw, double ts_s, bool final, const ft_snapshot *snap)
{
    twin_msg *m = &e->msg;
    m->n_queues = 0;
    for (size_t s = 0; s < snap->n_stations && m->n_queues < 16; s++)
        if (twin_station_gateway((int)s, e->n_gw) == gw) {
            snprintf(m->queue_station[m->n_queues], TWIN_NAME_MAX, "%s", snap->stations[s].name);
            m->queue_level[m->n_queues++] = snap->stations[s].queue;
        }
    m->type = TWIN_MSG_COUNTERS;
    m->ts_s = ts_s;
    m->released = e->released[gw];
    m->n_counts = e->tm->n_products;
    for (size_t p = 0; p < m->n_counts && p < TWIN_MSG_MAX_PRODUCTS; p++) {
        snprintf(m->counts[p].product, TWIN_NAME_MAX, "%s", e->tm->products[p]);
        m->counts[p].produced = e->produced[gw][p];
        m->counts[p].scrapped = e->scrapped[gw][p];
    }
    m->final = final;
    send(e, gw, final);
}

static void send_part(emulator *e, int gw, twin_part_event ev, const ft_event *fe, int product,
                      const char *at, uint64_t item, uint64_t into)
{
    twin_msg *m = &e->msg;
    m->type = TWIN_MSG_PART;
    m->ts_s = fe->time_s;
    m->part = ev;
    m->item = item;
    m->into = into;
    m->quantity = fe->quantity > 0 ? fe->quantity : 1;
    m->released_s = fe->time_s;
    snprintf(m->product, TWIN_NAME_MAX, "%s", e->tm->products[product]);
    snprintf(m->at, TWIN_NAME_MAX, "%s", at);
    send(e, gw, false);
}

static twin_station_state derived(const emu_station *s)
{
    if (s->failed)
        return TWIN_ST_FAILED;
    if (s->maintenance || s->off)
        return TWIN_ST_OFF;
    if (s->setup)
        return TWIN_ST_SETUP;
    if (s->working > 0)
        return TWIN_ST_WORKING;
    return s->held > 0 ? TWIN_ST_BLOCKED : TWIN_ST_IDLE;
}

/* Publish the stations whose state changed during the instant that ended. */
static void publish_states(emulator *e, double ts_s)
{
    for (size_t i = 0; i < e->tm->n_stations; i++) {
        emu_station *s = &e->st[i];
        if (!s->dirty)
            continue;
        s->dirty = false;
        twin_station_state now = derived(s);
        if (s->ever && now == s->published)
            continue;
        s->ever = true;
        s->published = now;
        twin_msg *m = &e->msg;
        m->type = TWIN_MSG_STATION;
        m->ts_s = ts_s;
        m->state = now;
        snprintf(m->station, TWIN_NAME_MAX, "%s", e->tm->stations[i].name);
        send(e, twin_station_gateway((int)i, e->n_gw), false);
    }
}

static void unblock(emulator *e, uint64_t item)
{
    for (int i = 0; i < e->n_blocked; i++)
        if (e->blocked[i].item == item) {
            e->st[e->blocked[i].station].held--;
            e->st[e->blocked[i].station].dirty = true;
            e->blocked[i] = e->blocked[--e->n_blocked];
            return;
        }
}

static int exit_station(const emulator *e, uint64_t item)
{
    for (int i = 0; i < EMU_RECENT; i++)
        if (e->recent[i].item == item)
            return e->recent[i].station;
    return 0;
}

static void on_station_event(emulator *e, const ft_event *fe, int s, int product)
{
    emu_station *st = &e->st[s];
    int gw = twin_station_gateway(s, e->n_gw);
    const char *name = e->tm->stations[s].name;
    st->dirty = true;
    switch (fe->kind) {
    case FT_EVENT_START:
        unblock(e, fe->item);
        st->working++;
        st->setup = false;
        for (int i = 0; i < st->kit_n; i++)
            send_part(e, gw, TWIN_PART_CONSUMED, fe, st->kit_product[i], name, st->kit[i],
                      fe->item);
        st->kit_n = 0;
        send_part(e, gw, TWIN_PART_STARTED, fe, product, name, fe->item, 0);
        break;
    case FT_EVENT_FINISH:
        if (st->working > 0)
            st->working--;
        e->recent[e->recent_head].item = fe->item;
        e->recent[e->recent_head].station = s;
        e->recent_head = (e->recent_head + 1) % EMU_RECENT;
        send_part(e, gw, TWIN_PART_FINISHED, fe, product, name, fe->item, 0);
        break;
    case FT_EVENT_BLOCKED:
        if (e->n_blocked < EMU_HELD_MAX) {
            e->blocked[e->n_blocked].item = fe->item;
            e->blocked[e->n_blocked++].station = s;
            st->held++;
        }
        send_part(e, gw, TWIN_PART_BLOCKED, fe, product, name, fe->item, 0);
        break;
    case FT_EVENT_KIT:
        unblock(e, fe->item);
        if (st->kit_n < EMU_KIT_MAX) {
            st->kit[st->kit_n] = fe->item;
            st->kit_product[st->kit_n++] = (int16_t)product;
        }
        send_part(e, gw, TWIN_PART_KITTED, fe, product, name, fe->item, 0);
        break;
    case FT_EVENT_SCRAP:
        unblock(e, fe->item);
        e->scrapped[gw][product]++;
        e->truth->scrapped[product]++;
        send_part(e, gw, TWIN_PART_SCRAPPED, fe, product, name, fe->item, 0);
        break;
    case FT_EVENT_FAIL: st->failed = true; break;
    case FT_EVENT_REPAIR: st->failed = false; break;
    case FT_EVENT_MAINTENANCE: st->maintenance = true; break;
    case FT_EVENT_MAINTENANCE_END: st->maintenance = false; break;
    case FT_EVENT_SHIFT_OFF: st->off = true; break;
    case FT_EVENT_SHIFT_ON: st->off = false; break;
    case FT_EVENT_SETUP: st->setup = true; break;
    /* item movements the plant's telemetry reports elsewhere (observe) or not at all */
    case FT_EVENT_RELEASE: case FT_EVENT_ENQUEUE: case FT_EVENT_REWORK: case FT_EVENT_CONVEY:
    case FT_EVENT_PICKUP: case FT_EVENT_LOAD: case FT_EVENT_UNLOAD: case FT_EVENT_EXIT:
    case FT_EVENT_N_KINDS:
        break;
    }
}

static void observe(void *ctx, const ft_event *fe)
{
    emulator *e = ctx;
    if (fe->time_s > e->now_s) {
        publish_states(e, e->now_s);
        e->now_s = fe->time_s;
    }
    if (e->o->kill_gateway >= 0 && fe->time_s >= e->o->kill_at_s && !e->dead[e->o->kill_gateway]) {
        e->msg.type = TWIN_MSG_DEATH;
        e->msg.ts_s = e->o->kill_at_s;
        send(e, e->o->kill_gateway, true);
        e->dead[e->o->kill_gateway] = true;
    }
    int product = fe->product[0] ? twin_model_product(e->tm, fe->product) : -1;
    ft_event_kind k = fe->kind;
    int s = twin_model_station(e->tm, fe->object);
    if (k == FT_EVENT_RELEASE && product >= 0) {
        e->released[0]++;
        e->truth->released++;
        send_part(e, 0, TWIN_PART_RELEASED, fe, product, fe->object, fe->item, 0);
    } else if (k == FT_EVENT_EXIT && product >= 0) {
        unblock(e, fe->item);
        int from = exit_station(e, fe->item);
        int gw = twin_station_gateway(from, e->n_gw);
        e->produced[gw][product]++;
        e->truth->produced[product]++;
        e->truth->output++;
        send_part(e, gw, TWIN_PART_EXITED, fe, product, e->tm->stations[from].name, fe->item, 0);
    } else if ((k == FT_EVENT_ENQUEUE || k == FT_EVENT_CONVEY) && product >= 0) {
        unblock(e, fe->item);
        int owner = twin_model_buffer_station(e->tm, fe->object);
        if (owner < 0)
            owner = s;
        send_part(e, owner >= 0 ? twin_station_gateway(owner, e->n_gw) : 0, TWIN_PART_ENTERED,
                  fe, product, fe->object, fe->item, 0);
    } else if (s >= 0 && (product >= 0 || fe->item == 0)) {
        on_station_event(e, fe, s, product < 0 ? 0 : product);
    }
}

static void send_births(emulator *e)
{
    for (int g = 0; g < e->n_gw; g++) {
        twin_msg *m = &e->msg;
        m->type = TWIN_MSG_BIRTH;
        m->ts_s = e->o->start_s;
        m->n_stations = 0;
        for (size_t s = 0; s < e->tm->n_stations && m->n_stations < 16; s++)
            if (twin_station_gateway((int)s, e->n_gw) == g)
                snprintf(m->stations[m->n_stations++], TWIN_NAME_MAX, "%s", e->tm->stations[s].name);
        send(e, g, true);
    }
}

int twin_emulate_run(const ft_model *model, const twin_model *tm, const twin_emulate_options *o,
                     twin_truth *truth, ft_error *err)
{
    if (o->gateways < 1 || o->gateways > EMU_MAX_GW)
        return ft_fail(err, NULL, 0, 0, "gateways must be 1..%d", EMU_MAX_GW);
    if (o->end_s <= o->start_s)
        return ft_fail(err, NULL, 0, 0, "the shift ends before it starts");
    emulator *e = calloc(1, sizeof *e);
    if (!e)
        return ft_fail(err, NULL, 0, 0, "out of memory");
    memset(truth, 0, sizeof *truth);
    e->tm = tm;
    e->o = o;
    e->truth = truth;
    e->n_gw = o->gateways;
    e->now_s = o->start_s;
    double every = o->counters_every_s > 0 ? o->counters_every_s : 300;
    twin_emulate_options local = *o;
    local.counters_every_s = every;
    e->o = &local;
    e->rng = o->noise.seed ^ 0x5EEDull;
    send_births(e);
    ft_run_options ro = {.has_seed = o->has_seed, .seed = o->seed, .has_warmup = true,
                         .warmup_s = 0, .has_length = true, .length_s = o->end_s - o->start_s,
                         .start_s = o->start_s, .on_event = observe, .event_ctx = e};
    ft_sim *sim = ft_sim_new(model, &ro, err);
    int rc = sim ? 0 : -1;
    /* the plant runs in steps of the counters period: between steps the
     * snapshot gives the queue levels the counters carry */
    for (double t_s = o->start_s; rc == 0 && t_s < o->end_s;) {
        t_s = t_s + every < o->end_s ? t_s + every : o->end_s;
        if ((rc = ft_sim_advance(sim, t_s, err)) != 0)
            break;
        bool final = t_s >= o->end_s;
        publish_states(e, e->now_s);
        if (final)
            flush_delayed(e);
        const ft_snapshot *snap = ft_sim_snapshot(sim);
        for (int g = 0; g < e->n_gw; g++)
            send_counters(e, g, t_s, final, snap);
    }
    ft_sim_free(sim);
    flush_delayed(e);
    free(e);
    return rc;
}

void twin_truth_write_json(const twin_truth *t, const twin_model *tm, FILE *out)
{
    fprintf(out, "{\"released\":%llu,\"output\":%llu,\"products\":{",
            (unsigned long long)t->released, (unsigned long long)t->output);
    for (size_t p = 0; p < tm->n_products; p++) {
        fputs(p ? "," : "", out);
        base_json_put(out, tm->products[p], strlen(tm->products[p]));
        fprintf(out, ":{\"produced\":%llu,\"scrapped\":%llu}", (unsigned long long)t->produced[p],
                (unsigned long long)t->scrapped[p]);
    }
    fprintf(out, "},\"messages\":%llu,\"dropped\":%llu,\"duplicated\":%llu,\"delayed\":%llu}\n",
            (unsigned long long)t->messages, (unsigned long long)t->dropped,
            (unsigned long long)t->duplicated, (unsigned long long)t->delayed);
}
