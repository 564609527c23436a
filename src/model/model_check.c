/* model_check.c -- the checks that need the whole plant: routings against
 * assembly and split stations, products that can never be made, unused
 * stations and conveyors, rework loops, and buffers of capacity 0 where they
 * deadlock.
 *
 * Each check states its rule in docs/model-language.md ("Validation"); the
 * two deadlock rules are deliberately narrow: they reject the layouts that
 * lock up as soon as the plant is busy, not every layout that could lock up
 * under some load (any closed loop of finite buffers can). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

static int fail_at(mctx *c, model_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_at(mctx *c, model_pos pos, const char *fmt, ...)
{
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ft_fail(c->err, c->path, pos.line, pos.col, "%s", msg);
}

/* ---- routings and what stations make ------------------------------------ */

/* An assembly's product starts at the assembly, its parts end there; a
 * split with `produces` ends the routing of what it splits, and its pieces
 * start there. */
static int check_routings(mctx *c)
{
    const model_desc *m = c->m;
    char q[96], q2[96];
    for (size_t i = 0; i < m->n_products; i++) {
        const model_product *p = &m->products[i];
        for (size_t k = 0; k < p->n_steps; k++) {
            const model_station *st = &m->stations[p->steps[k].station];
            const char *kind = st->kind == MODEL_STATION_ASSEMBLY ? "assembly" : "split";
            if ((st->kind != MODEL_STATION_ASSEMBLY && st->kind != MODEL_STATION_SPLIT) ||
                st->produces == MODEL_NONE)
                continue;
            mu_quote(p->name, q, sizeof q);
            mu_quote(st->name, q2, sizeof q2);
            if (st->produces == (int)i && k != 0)
                return fail_at(c, p->steps[k].pos,
                               "product %s is made by %s %s, so its routing must start there "
                               "(this is step %zu)",
                               q, kind, q2, k + 1);
            if (st->produces != (int)i && k + 1 != p->n_steps) {
                if (st->kind == MODEL_STATION_ASSEMBLY)
                    return fail_at(c, p->steps[k].pos,
                                   "part %s is consumed by assembly %s, so its routing must end "
                                   "there (this is step %zu of %zu)",
                                   q, q2, k + 1, p->n_steps);
                return fail_at(c, p->steps[k].pos,
                               "split %s turns %s into '%s', so the routing of %s must end there "
                               "(the steps after step %zu are never reached)",
                               q2, q, m->products[st->produces].name, q, k + 1);
            }
        }
    }
    for (size_t s = 0; s < m->n_stations; s++) {
        const model_station *st = &m->stations[s];
        if (st->produces == MODEL_NONE)
            continue;
        const model_product *made = &m->products[st->produces];
        if (made->steps[0].station != (int)s)
            return fail_at(c, made->pos,
                           "product %s is made by %s '%s', so its routing must start at '%s'",
                           mu_quote(made->name, q, sizeof q),
                           st->kind == MODEL_STATION_ASSEMBLY ? "assembly" : "split", st->name,
                           st->name);
        for (size_t b = 0; b < st->n_bom; b++) {
            const model_product *part = &m->products[st->bom[b].product];
            if (part->steps[part->n_steps - 1].station != (int)s)
                return fail_at(c, part->pos,
                               "part %s of assembly '%s' never gets there: its routing must end "
                               "at '%s'",
                               mu_quote(part->name, q, sizeof q), st->name, st->name);
        }
    }
    return 0;
}

/* A product can be had when a source releases it, when an assembly that
 * makes it can have all its parts, or when a split that makes it can have
 * something to split. Iterate to the fixed point. */
static int check_made(mctx *c)
{
    const model_desc *m = c->m;
    size_t np = m->n_products;
    bool *ok = calloc(np, sizeof *ok);
    if (!ok)
        return mc_oom(c);
    for (size_t i = 0; i < m->n_sources; i++) {
        const model_source *src = &m->sources[i];
        if (src->product != MODEL_NONE)
            ok[src->product] = true;
        for (size_t k = 0; k < src->n_orders; k++)
            ok[src->orders[k].product] = true;
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t s = 0; s < m->n_stations; s++) {
            const model_station *st = &m->stations[s];
            if (st->produces == MODEL_NONE || ok[st->produces])
                continue;
            bool can = st->kind == MODEL_STATION_ASSEMBLY;
            if (can) {
                for (size_t b = 0; b < st->n_bom; b++)
                    can = can && ok[st->bom[b].product];
            } else { /* split: any product (other than its own) that reaches it */
                for (size_t p = 0; p < np && !can; p++)
                    for (size_t k = 0; k < m->products[p].n_steps && !can; k++)
                        can = ok[p] && (int)p != st->produces &&
                              m->products[p].steps[k].station == (int)s;
            }
            if (can)
                changed = ok[st->produces] = true;
        }
    }
    int rc = 0;
    char q[96];
    /* Report a product nothing makes before one whose maker starves. */
    for (int pass = 0; pass < 2 && !rc; pass++)
        for (size_t p = 0; p < np && !rc; p++) {
            if (ok[p] || (pass == 0) != (c->made_by[p] == MODEL_NONE))
                continue;
            const model_product *pr = &m->products[p];
            if (pass == 0)
                rc = fail_at(c, pr->pos,
                             "product %s is never released: no source releases it and no "
                             "assembly or split makes it",
                             mu_quote(pr->name, q, sizeof q));
            else
                rc = fail_at(c, pr->pos,
                             "product %s can never be made: station '%s' that makes it never "
                             "gets what it needs (its parts are made from it, in a cycle)",
                             mu_quote(pr->name, q, sizeof q), m->stations[c->made_by[p]].name);
        }
    free(ok);
    return rc;
}

static int check_unused(mctx *c)
{
    const model_desc *m = c->m;
    bool *used = calloc(m->n_stations, sizeof *used);
    if (!used)
        return mc_oom(c);
    for (size_t p = 0; p < m->n_products; p++)
        for (size_t k = 0; k < m->products[p].n_steps; k++)
            used[m->products[p].steps[k].station] = true;
    int rc = 0;
    char q[96];
    for (size_t s = 0; s < m->n_stations && !rc; s++)
        if (!used[s])
            rc = fail_at(c, m->stations[s].pos,
                         "station %s appears in no routing (unused station)",
                         mu_quote(m->stations[s].name, q, sizeof q));
    free(used);
    return rc;
}

/* ---- rework loops and capacity 0 ---------------------------------------- */

/* Capacity of the buffer feeding each station; MODEL_INFINITE_CAPACITY when none. */
static long *input_capacity(const model_desc *m)
{
    long *cap = malloc((m->n_stations ? m->n_stations : 1) * sizeof *cap);
    if (!cap)
        return NULL;
    for (size_t s = 0; s < m->n_stations; s++)
        cap[s] = MODEL_INFINITE_CAPACITY;
    for (size_t b = 0; b < m->n_buffers; b++)
        cap[m->buffers[b].feeds] = m->buffers[b].capacity;
    return cap;
}

/* The rework loop of the visit at step k of product p to an inspection is
 * steps j..k, j the latest earlier visit to its rework_to (last[] holds the
 * latest step at each station before k). room[] and splits[] are prefix
 * counts over the routing of stations with room in front and of splits, so
 * a loop is checked in constant time whatever its length. */
static int check_loop(mctx *c, const long *last, const size_t *room, const size_t *splits,
                      size_t p, size_t k)
{
    const model_desc *m = c->m;
    const model_product *pr = &m->products[p];
    const model_station *ins = &m->stations[pr->steps[k].station];
    char q[96], q2[96];
    mu_quote(ins->name, q, sizeof q);
    mu_quote(m->stations[ins->rework_to].name, q2, sizeof q2);
    if (last[ins->rework_to] < 0)
        return fail_at(c, pr->steps[k].pos,
                       "inspection %s sends items back to %s, but product '%s' does not visit %s "
                       "before it (rework_to must be an earlier step of every product the "
                       "inspection sees)",
                       q, q2, pr->name, q2);
    size_t j = (size_t)last[ins->rework_to];
    if (splits[k + 1] != splits[j]) {
        size_t s = j;
        while (m->stations[pr->steps[s].station].kind != MODEL_STATION_SPLIT)
            s++;
        return fail_at(c, pr->steps[k].pos,
                       "the rework loop of inspection %s (from %s) passes split '%s': reworked "
                       "items would be split again",
                       q, q2, m->stations[pr->steps[s].station].name);
    }
    if (room[k + 1] == room[j])
        return fail_at(c, m->stations[pr->steps[k].station].pos,
                       "inspection %s: every station on its rework loop (steps %zu to %zu of "
                       "product '%s', from %s) is fed by a buffer of capacity 0, so the loop "
                       "deadlocks once an item is sent back while %s is busy; give one of "
                       "these buffers room",
                       q, j + 1, k + 1, pr->name, q2, q2);
    return 0;
}

static int rework_loops(mctx *c, const long *cap, long *last, size_t *room, size_t *splits)
{
    const model_desc *m = c->m;
    for (size_t p = 0; p < m->n_products; p++) {
        const model_product *pr = &m->products[p];
        room[0] = splits[0] = 0;
        for (size_t k = 0; k < pr->n_steps; k++) {
            int s = pr->steps[k].station;
            room[k + 1] = room[k] + (cap[s] != 0);
            splits[k + 1] = splits[k] + (m->stations[s].kind == MODEL_STATION_SPLIT);
        }
        int rc = 0;
        for (size_t k = 0; k < pr->n_steps && !rc; k++) {
            const model_station *st = &m->stations[pr->steps[k].station];
            if (st->kind == MODEL_STATION_INSPECTION && st->p_rework > 0)
                rc = check_loop(c, last, room, splits, p, k);
            last[pr->steps[k].station] = (long)k;
        }
        for (size_t k = 0; k < pr->n_steps; k++) /* reset what this routing touched */
            last[pr->steps[k].station] = -1;
        if (rc)
            return -1;
    }
    return 0;
}

static int check_rework(mctx *c, const long *cap)
{
    const model_desc *m = c->m;
    char q[96], q2[96];
    size_t longest = 0;
    for (size_t s = 0; s < m->n_stations; s++) {
        const model_station *st = &m->stations[s];
        if (st->kind != MODEL_STATION_INSPECTION || !(st->p_rework > 0))
            continue;
        const model_station *to = &m->stations[st->rework_to];
        if (to->kind == MODEL_STATION_ASSEMBLY || to->kind == MODEL_STATION_SPLIT)
            return fail_at(c, st->pos,
                           "inspection %s sends items back to %s %s, which cannot rework them "
                           "(%s)",
                           mu_quote(st->name, q, sizeof q),
                           to->kind == MODEL_STATION_ASSEMBLY ? "assembly" : "split",
                           mu_quote(to->name, q2, sizeof q2),
                           to->kind == MODEL_STATION_ASSEMBLY ? "it takes only parts"
                                                              : "they would be split again");
    }
    for (size_t p = 0; p < m->n_products; p++)
        if (m->products[p].n_steps > longest)
            longest = m->products[p].n_steps;
    long *last = malloc((m->n_stations ? m->n_stations : 1) * sizeof *last);
    size_t *room = malloc((longest + 1) * sizeof *room);
    size_t *splits = malloc((longest + 1) * sizeof *splits);
    int rc = last && room && splits ? 0 : mc_oom(c);
    for (size_t s = 0; !rc && s < m->n_stations; s++)
        last[s] = -1;
    if (!rc)
        rc = rework_loops(c, cap, last, room, splits);
    free(last);
    free(room);
    free(splits);
    return rc;
}

/* An assembly takes its parts from its input buffer: the buffer must hold
 * a whole kit. */
static int check_assembly_buffers(mctx *c)
{
    const model_desc *m = c->m;
    char q[96];
    for (size_t b = 0; b < m->n_buffers; b++) {
        const model_buffer *buf = &m->buffers[b];
        const model_station *st = &m->stations[buf->feeds];
        if (st->kind != MODEL_STATION_ASSEMBLY || buf->capacity == MODEL_INFINITE_CAPACITY)
            continue;
        long need = 0;
        for (size_t i = 0; i < st->n_bom; i++)
            need += st->bom[i].count;
        if (buf->capacity < need)
            return fail_at(c, buf->pos,
                           "buffer %s has capacity %ld but feeds assembly '%s' which needs %ld "
                           "parts at once",
                           mu_quote(buf->name, q, sizeof q), buf->capacity, st->name, need);
    }
    return 0;
}

/* ---- conveyors and sources ---------------------------------------------- */

typedef struct belt_key {
    int from, to;
    size_t index;
} belt_key;

static int cmp_belt(const void *a, const void *b)
{
    const belt_key *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return (x->to > y->to) - (x->to < y->to);
}

/* Mark the conveyor from -> to (if any) as used. */
static void ride(const belt_key *k, size_t n, bool *used, int from, int to)
{
    belt_key key = {from, to, 0};
    const belt_key *hit = bsearch(&key, k, n, sizeof *k, cmp_belt);
    if (hit)
        used[hit->index] = true;
}

/* A belt is used when an item goes from its `from` straight to its `to`:
 * consecutive steps, or an inspection sending an item back. (from, to)
 * pairs are unique, checked when the conveyors were read. */
static int check_conveyors(mctx *c)
{
    const model_desc *m = c->m;
    size_t n = m->n_conveyors;
    if (!n)
        return 0;
    bool *used = calloc(n, sizeof *used);
    belt_key *k = malloc(n * sizeof *k);
    if (!used || !k) {
        free(used);
        free(k);
        return mc_oom(c);
    }
    for (size_t i = 0; i < n; i++)
        k[i] = (belt_key){m->conveyors[i].from, m->conveyors[i].to, i};
    qsort(k, n, sizeof *k, cmp_belt);
    for (size_t p = 0; p < m->n_products; p++) {
        const model_product *pr = &m->products[p];
        for (size_t s = 0; s < pr->n_steps; s++) {
            int from = pr->steps[s].station;
            const model_station *st = &m->stations[from];
            if (s + 1 < pr->n_steps)
                ride(k, n, used, from, pr->steps[s + 1].station);
            if (st->kind == MODEL_STATION_INSPECTION && st->p_rework > 0)
                ride(k, n, used, from, st->rework_to);
        }
    }
    int rc = 0;
    char q[96];
    for (size_t i = 0; i < n && !rc; i++) {
        const model_conveyor *cv = &m->conveyors[i];
        if (!used[i])
            rc = fail_at(c, cv->pos,
                         "conveyor %s is never used: no item goes from '%s' straight to '%s'",
                         mu_quote(cv->name, q, sizeof q), m->stations[cv->from].name,
                         m->stations[cv->to].name);
    }
    free(used);
    free(k);
    return rc;
}

/* Raw material that is always available needs a finite first queue, or the
 * source would release items without end at one instant. A source with a
 * pick-up point releases into it instead, and its `out` is finite
 * (model_fleet.c). */
static int check_always(mctx *c, const long *cap)
{
    const model_desc *m = c->m;
    char q[96];
    for (size_t i = 0; i < m->n_sources; i++) {
        const model_source *src = &m->sources[i];
        if (src->kind != MODEL_SOURCE_ALWAYS || src->pick != MODEL_NONE)
            continue;
        int st = m->products[src->product].steps[0].station;
        if (cap[st] == MODEL_INFINITE_CAPACITY)
            return fail_at(c, src->pos,
                           "source %s is always available, so station '%s' needs a buffer of "
                           "finite capacity in front of it (it would be flooded)",
                           mu_quote(src->name, q, sizeof q), m->stations[st].name);
    }
    return 0;
}

int model_check(mctx *c)
{
    if (check_routings(c) || check_made(c) || check_unused(c))
        return -1;
    long *cap = input_capacity(c->m);
    if (!cap)
        return mc_oom(c);
    int rc = check_rework(c, cap) || check_assembly_buffers(c) || check_conveyors(c) ||
             check_always(c, cap);
    free(cap);
    return rc ? -1 : 0;
}
