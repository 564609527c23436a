/* flow_station.c -- a station: N parallel servers that set up, process,
 * inspect, split or assemble items, and block when the next step is full.
 *
 * Each server is IDLE, in SETUP, WORKING or BLOCKED (holding finished
 * items nobody takes yet). The station as a whole can be down -- failed,
 * in maintenance or off shift -- which pauses setups and processes
 * (preempt-resume: the remaining time is kept) and overrides the servers'
 * states in the statistics. Time in each state is accounted lazily: every
 * function that changes a state first calls flow_station_account(). */
#include <stdlib.h>
#include <string.h>

#include "flow_internal.h"
#include "model/model.h"

static const flow_ops station_ops;

bool flow_station_up(const flow_station *st)
{
    return st->n_failed == 0 && !st->in_maintenance && !st->off_shift;
}

/* The KPI state that overrides the servers' own while the station is down. */
static ft_state down_state(const flow_station *st)
{
    if (st->off_shift)
        return FT_OFF_SHIFT;
    if (st->n_failed)
        return FT_FAILED;
    if (st->in_maintenance)
        return FT_MAINTENANCE;
    return FT_N_STATES;
}

void flow_station_account(flow_station *st)
{
    double now = flow_now(st->obj.f), dt = now - st->t_acc;
    st->t_acc = now;
    if (dt <= 0)
        return;
    ft_state d = down_state(st);
    if (d != FT_N_STATES) {
        st->state_s[d] += dt * st->n_servers;
        return;
    }
    st->state_s[FT_STARVED] += dt * st->n_local[SRV_IDLE];
    st->state_s[FT_SETUP] += dt * st->n_local[SRV_SETUP];
    st->state_s[FT_WORKING] += dt * st->n_local[SRV_WORKING];
    st->state_s[FT_BLOCKED] += dt * st->n_local[SRV_BLOCKED];
}

void flow_station_now(const flow_station *st, int in_state[FT_N_STATES])
{
    memset(in_state, 0, FT_N_STATES * sizeof *in_state);
    ft_state d = down_state(st);
    if (d != FT_N_STATES) {
        in_state[d] = st->n_servers;
        return;
    }
    in_state[FT_STARVED] = st->n_local[SRV_IDLE];
    in_state[FT_SETUP] = st->n_local[SRV_SETUP];
    in_state[FT_WORKING] = st->n_local[SRV_WORKING];
    in_state[FT_BLOCKED] = st->n_local[SRV_BLOCKED];
}

/* Active (Roser et al.) while down or while none of its servers is
 * starved or blocked: only then could the station not have taken more
 * work. With one server that is "working or in setup"; with several, a
 * station with a server idle has spare capacity and is not the constraint
 * however busy the others are (counting it active while any server works
 * named a 2-server station 66 % busy over a single one 96 % busy). */
bool flow_station_active(const flow_station *st)
{
    if (st->off_shift)
        return false;
    return st->n_failed || st->in_maintenance ||
           st->n_local[SRV_WORKING] + st->n_local[SRV_SETUP] == st->n_servers;
}

static void update_operating(flow_station *st)
{
    bool op = flow_station_up(st) && st->n_local[SRV_WORKING] > 0;
    if (op != st->operating) {
        st->operating = op;
        flow_downtime_operating(st, op);
    }
}

static void set_state(flow_station *st, flow_server *sv, flow_server_state s)
{
    if (sv->state == s)
        return;
    flow_station_account(st);
    st->n_local[sv->state]--;
    st->n_local[s]++;
    sv->state = s;
    sv->since_s = flow_now(st->obj.f);
    update_operating(st);
    flow_bn_update(st->obj.f, st);
}

/* ---- setup and process -------------------------------------------------- */

static void server_done(sim *s, void *obj, intptr_t k);

static const model_step *step_of(const flow_station *st, const flow_item *it)
{
    return &st->obj.f->m->products[it->product].steps[it->step];
}

/* Schedule the end of the current phase, unless the station is down (then
 * the remaining time waits for flow_station_change to resume it). */
static void run_phase(flow_station *st, int k, double duration_s)
{
    flow_server *sv = &st->servers[k];
    if (flow_station_up(st))
        sv->done = sim_schedule(st->obj.f->s, duration_s, server_done, st, k);
    else
        sv->remaining_s = duration_s;
}

static void begin_process(flow_station *st, int k)
{
    flow_server *sv = &st->servers[k];
    const model_step *step = step_of(st, sv->item);
    sv->ideal_s = sim_dist_mean(&step->time_s);
    set_state(st, sv, SRV_WORKING);
    flow_trace(st->obj.f, FT_EVENT_START, st->obj.name, sv->item, "");
    run_phase(st, k, sim_dist_sample(&step->time_s, &st->rng_process));
}

static void start_item(flow_station *st, int k, flow_item *it)
{
    flow_server *sv = &st->servers[k];
    sv->item = it;
    int last = sv->last_product;
    sv->last_product = it->product;
    if (st->def->has_setup && last != MODEL_NONE && last != it->product) {
        set_state(st, sv, SRV_SETUP);
        flow_trace(st->obj.f, FT_EVENT_SETUP, st->obj.name, it, "");
        run_phase(st, k, sim_dist_sample(&st->def->setup_s, &st->rng_setup));
    } else {
        begin_process(st, k);
    }
}

static int idle_server(const flow_station *st)
{
    if (st->n_local[SRV_IDLE] == 0)
        return -1;
    for (int k = 0; k < st->n_servers; k++)
        if (st->servers[k].state == SRV_IDLE)
            return k;
    return -1;
}

/* ---- assembly kits ------------------------------------------------------ */

bool flow_station_kit_complete(const flow_station *st)
{
    for (size_t i = 0; i < st->def->n_bom; i++)
        if (st->kit_have[i] < st->def->bom[i].count)
            return false;
    return true;
}

static int step_index(const model_desc *m, int product, int station)
{
    const model_product *p = &m->products[product];
    for (size_t k = 0; k < p->n_steps; k++)
        if (p->steps[k].station == station)
            return (int)k;
    return 0; /* the loader guarantees the step exists */
}

/* Turn a complete kit into one item of the assembled product on a free server. */
static void try_assemble(flow_station *st)
{
    int k;
    if (!flow_station_up(st) || !flow_station_kit_complete(st) || (k = idle_server(st)) < 0)
        return;
    flow_factory *f = st->obj.f;
    int p = st->def->produces;
    flow_item *out = flow_item_new(f, &st->obj, st->def->pos, p, f->m->products[p].quantity,
                                   st->kit_released_s);
    if (!out)
        return;
    out->step = step_index(f->m, p, st->index);
    flow_item *part;
    while ((part = flow_list_pop(&st->kit)))
        flow_item_consumed(f, part);
    memset(st->kit_have, 0, st->def->n_bom * sizeof *st->kit_have);
    flow_item_created(f, out);
    start_item(st, k, out);
}

static flow_answer kit_offer(flow_station *st, flow_item *it)
{
    if (flow_station_kit_complete(st))
        return FLOW_FULL;
    for (size_t i = 0; i < st->def->n_bom; i++) {
        if (st->def->bom[i].product != it->product)
            continue;
        if (st->kit_have[i] >= st->def->bom[i].count)
            return FLOW_NOT_THIS;
        if (st->kit.count == 0 || it->released_s < st->kit_released_s)
            st->kit_released_s = it->released_s;
        st->kit_have[i]++;
        flow_list_push(&st->kit, it);
        flow_trace(st->obj.f, FT_EVENT_KIT, st->obj.name, it, "");
        try_assemble(st);
        return FLOW_ACCEPT;
    }
    return FLOW_NOT_THIS;
}

/* ---- the protocol ------------------------------------------------------- */

bool flow_station_takes(const flow_station *st, const flow_item *it)
{
    if (!flow_station_up(st))
        return false;
    if (st->def->kind != MODEL_STATION_ASSEMBLY)
        return st->n_local[SRV_IDLE] > 0;
    if (flow_station_kit_complete(st))
        return false;
    for (size_t i = 0; i < st->def->n_bom; i++)
        if (st->def->bom[i].product == it->product)
            return st->kit_have[i] < st->def->bom[i].count;
    return false;
}

static flow_answer station_offer(flow_obj *self, flow_item *it, flow_obj *from)
{
    flow_station *st = (flow_station *)self;
    if (!flow_station_up(st))
        return FLOW_FULL;
    if (st->def->kind == MODEL_STATION_ASSEMBLY)
        return kit_offer(st, it);
    int k = idle_server(st);
    if (k < 0)
        return FLOW_FULL;
    start_item(st, k, it);
    return FLOW_ACCEPT;
}

/* A server has nothing left: look for new work. */
static void server_freed(flow_station *st)
{
    if (st->def->kind == MODEL_STATION_ASSEMBLY)
        try_assemble(st);
    flow_wake(&st->obj);
}

static void blocked_remove(flow_station *st, int k)
{
    for (int i = 0; i < st->n_blocked_fifo; i++)
        if (st->blocked_fifo[i] == k) {
            memmove(st->blocked_fifo + i, st->blocked_fifo + i + 1,
                    (size_t)(st->n_blocked_fifo - i - 1) * sizeof *st->blocked_fifo);
            st->n_blocked_fifo--;
            return;
        }
}

/* Hand the server's finished items downstream, in order. Returns true when
 * the server is empty afterwards. */
static bool try_send(flow_station *st, int k)
{
    flow_server *sv = &st->servers[k];
    flow_factory *f = st->obj.f;
    while (sv->out.head) {
        flow_item *it = flow_list_pop(&sv->out);
        flow_obj *dest = flow_route(f, it, st->index);
        if (flow_offer(dest, it, &st->obj) != FLOW_ACCEPT) {
            flow_list_insert_after(&sv->out, NULL, it); /* back in front */
            if (sv->state != SRV_BLOCKED) {
                set_state(st, sv, SRV_BLOCKED);
                st->blocked_fifo[st->n_blocked_fifo++] = k;
                flow_trace(f, FT_EVENT_BLOCKED, st->obj.name, it, dest->name);
            }
            return false;
        }
    }
    if (sv->state == SRV_BLOCKED)
        blocked_remove(st, k);
    set_state(st, sv, SRV_IDLE);
    return true;
}

static void station_resume(flow_obj *self)
{
    flow_station *st = (flow_station *)self;
    bool freed = false;
    /* Servers that blocked first get the first chance. */
    int order[st->n_blocked_fifo > 0 ? st->n_blocked_fifo : 1];
    int n = st->n_blocked_fifo;
    memcpy(order, st->blocked_fifo, (size_t)n * sizeof *order);
    for (int i = 0; i < n; i++)
        freed |= try_send(st, order[i]);
    if (freed)
        server_freed(st);
}

static const flow_ops station_ops = {station_offer, station_resume};

/* Route a finished item according to the station's kind. */
static void finish_item(flow_station *st, flow_server *sv, flow_item *it)
{
    flow_factory *f = st->obj.f;
    const model_station *d = st->def;
    switch (d->kind) {
    case MODEL_STATION_INSPECTION: {
        double u = sim_rng_uniform(&st->rng_inspect);
        if (u < d->p_scrap) {
            st->scrapped++;
            flow_item_exit(f, it, true);
            return;
        }
        if (u < d->p_scrap + d->p_rework) {
            st->reworked++;
            /* back to the latest visit of rework_to before this step */
            const model_product *p = &f->m->products[it->product];
            for (int s = it->step; s >= 0; s--)
                if (p->steps[s].station == d->rework_to) {
                    it->step = s;
                    break;
                }
            flow_trace(f, FT_EVENT_REWORK, st->obj.name, it, "");
            flow_list_push(&sv->out, it);
            return;
        }
        break;
    }
    case MODEL_STATION_SPLIT: {
        int p = d->produces != MODEL_NONE ? d->produces : it->product;
        int step = d->produces != MODEL_NONE ? step_index(f->m, p, st->index) : it->step;
        for (long i = 0; i < d->split_count; i++) {
            flow_item *piece =
                flow_item_new(f, &st->obj, d->pos, p, it->quantity / (double)d->split_count,
                              it->released_s);
            if (!piece)
                break;
            piece->step = step + 1;
            flow_item_created(f, piece);
            flow_list_push(&sv->out, piece);
        }
        flow_item_consumed(f, it);
        return;
    }
    case MODEL_STATION_PROCESS:
    case MODEL_STATION_ASSEMBLY:
        break;
    }
    it->step++;
    flow_list_push(&sv->out, it);
}

static void server_done(sim *s, void *obj, intptr_t k)
{
    flow_station *st = obj;
    flow_server *sv = &st->servers[k];
    sv->done = SIM_NO_EVENT;
    if (sv->state == SRV_SETUP) {
        begin_process(st, (int)k);
        return;
    }
    flow_item *it = sv->item;
    sv->item = NULL;
    st->processed++;
    st->ideal_s += sv->ideal_s;
    flow_trace(st->obj.f, FT_EVENT_FINISH, st->obj.name, it, "");
    finish_item(st, sv, it);
    if (try_send(st, (int)k))
        server_freed(st);
}

/* ---- down and up -------------------------------------------------------- */

static void pause_work(flow_station *st)
{
    for (int k = 0; k < st->n_servers; k++) {
        flow_server *sv = &st->servers[k];
        if (sv->done != SIM_NO_EVENT) {
            sv->remaining_s = sim_event_time(st->obj.f->s, sv->done) - flow_now(st->obj.f);
            sim_cancel(st->obj.f->s, sv->done);
            sv->done = SIM_NO_EVENT;
        }
    }
}

static void resume_work(flow_station *st)
{
    for (int k = 0; k < st->n_servers; k++) {
        flow_server *sv = &st->servers[k];
        if (sv->state == SRV_SETUP || sv->state == SRV_WORKING)
            sv->done = sim_schedule(st->obj.f->s, sv->remaining_s, server_done, st, k);
    }
}

void flow_station_change(flow_station *st, flow_down_change c, const char *why)
{
    bool was_up = flow_station_up(st);
    flow_station_account(st);
    ft_event_kind kind = FT_EVENT_N_KINDS;
    switch (c) {
    case DOWN_FAIL: st->n_failed++; kind = FT_EVENT_FAIL; break;
    case DOWN_REPAIR: st->n_failed--; kind = FT_EVENT_REPAIR; break;
    case DOWN_MAINT_BEGIN: st->in_maintenance = true; kind = FT_EVENT_MAINTENANCE; break;
    case DOWN_MAINT_END: st->in_maintenance = false; kind = FT_EVENT_MAINTENANCE_END; break;
    case DOWN_SHIFT_OFF: st->off_shift = true; kind = FT_EVENT_SHIFT_OFF; break;
    case DOWN_SHIFT_ON: st->off_shift = false; kind = FT_EVENT_SHIFT_ON; break;
    }
    flow_trace(st->obj.f, kind, st->obj.name, NULL, why);
    bool up = flow_station_up(st);
    if (was_up != up)
        st->updown_s = flow_now(st->obj.f);
    if (was_up && !up)
        pause_work(st);
    update_operating(st);
    flow_bn_update(st->obj.f, st);
    if (!was_up && up) {
        resume_work(st);
        server_freed(st);
    }
}

/* ---- life cycle --------------------------------------------------------- */

flow_station *flow_station_new(struct flow_factory *f, const model_station *def, int index)
{
    flow_station *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    flow_obj_init(&st->obj, &station_ops, def->name, f);
    st->def = def;
    st->index = index;
    st->n_servers = def->servers;
    st->servers = calloc((size_t)def->servers, sizeof *st->servers);
    st->blocked_fifo = calloc((size_t)def->servers, sizeof *st->blocked_fifo);
    st->failures = calloc(def->n_failures ? def->n_failures : 1, sizeof *st->failures);
    st->kit_have = calloc(def->n_bom ? def->n_bom : 1, sizeof *st->kit_have);
    if (!st->servers || !st->blocked_fifo || !st->failures || !st->kit_have) {
        flow_station_free(st);
        return NULL;
    }
    for (int k = 0; k < st->n_servers; k++)
        st->servers[k].last_product = MODEL_NONE;
    st->n_local[SRV_IDLE] = st->n_servers;
    st->t_acc = flow_now(f);

    char name[FLOW_STREAM_NAME_BYTES];
    snprintf(name, sizeof name, "station/%s/process", def->name);
    sim_rng_init(&st->rng_process, f->seed, name);
    snprintf(name, sizeof name, "station/%s/setup", def->name);
    sim_rng_init(&st->rng_setup, f->seed, name);
    snprintf(name, sizeof name, "station/%s/inspection", def->name);
    sim_rng_init(&st->rng_inspect, f->seed, name);
    return st;
}

void flow_station_free(flow_station *st)
{
    if (!st)
        return;
    flow_item *it;
    for (int k = 0; st->servers && k < st->n_servers; k++) {
        free(st->servers[k].item);
        while ((it = flow_list_pop(&st->servers[k].out)))
            free(it);
    }
    while ((it = flow_list_pop(&st->kit)))
        free(it);
    flow_obj_fini(&st->obj);
    free(st->servers);
    free(st->blocked_fifo);
    free(st->failures);
    free(st->kit_have);
    free(st);
}

int flow_station_start(flow_station *st, ft_error *err)
{
    if (flow_downtime_start(st, err))
        return -1;
    flow_bn_update(st->obj.f, st);
    flow_queue_feed(st->input);
    return 0;
}

void flow_station_reset_stats(flow_station *st)
{
    flow_station_account(st);
    memset(st->state_s, 0, sizeof st->state_s);
    st->ideal_s = 0;
    st->processed = st->scrapped = st->reworked = 0;
}

int flow_station_place_job(flow_station *st, flow_item *it, double remaining_s, ft_error *err)
{
    int k = idle_server(st);
    if (k < 0)
        return ft_fail(err, NULL, 0, 0, "station '%s' has no idle server for another job",
                       st->obj.name);
    flow_server *sv = &st->servers[k];
    sv->item = it;
    sv->last_product = it->product;
    sv->ideal_s = sim_dist_mean(&step_of(st, it)->time_s);
    set_state(st, sv, SRV_WORKING);
    run_phase(st, k, remaining_s);
    return 0;
}
