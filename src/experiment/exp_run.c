/* exp_run.c -- the coordinator of an experiment: which replication runs
 * next, commit in replication order, the sequential stopping rule, resume
 * from the database, and the progress bar.
 *
 * Replications are issued rep-major (replication 0 of every scenario, then
 * 1, ...) so an interrupted experiment has balanced results. A scenario in
 * sequential mode may run ahead of its committed prefix by at most the
 * executor's capacity: enough to keep every core busy, little enough that
 * few results are thrown away when the rule is met. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "experiment/exp_run.h"

typedef struct slotrow {
    exp_rep *rep;        /* by replication number, grown on demand */
    bool *have;          /* rep[i] holds a result */
    bool *in_db;         /* ... read back from the database */
    int cap;
    int committed;       /* replications 0..committed-1 are committed */
    int next;            /* next replication to issue */
    bool done;
} slotrow;

typedef struct unstored {
    int scenario, rep;
} unstored;

#define STORE_BATCH 64        /* replications per database transaction, at most */
#define STORE_EVERY_S 0.5     /* and no result waits longer than this to be stored */

typedef struct coord {
    const exp_plan *p;
    const exp_run_options *o;
    slotrow *rows;
    unstored pending[STORE_BATCH]; /* committed, not yet in the database */
    int n_pending;
    double pending_since;
    int inflight;
    long total_committed, resumed;
    double started;
    double last_draw;
} coord;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int grow(slotrow *r, int rep)
{
    if (rep < r->cap)
        return 0;
    int cap = r->cap ? r->cap : 16;
    while (cap <= rep)
        cap *= 2;
    exp_rep *x = realloc(r->rep, (size_t)cap * sizeof *x);
    if (!x)
        return -1;
    r->rep = x;
    bool *h = realloc(r->have, (size_t)cap * sizeof *h);
    if (!h)
        return -1;
    r->have = h;
    if (!(h = realloc(r->in_db, (size_t)cap * sizeof *h)))
        return -1;
    r->in_db = h;
    memset(r->rep + r->cap, 0, (size_t)(cap - r->cap) * sizeof *x);
    memset(r->have + r->cap, 0, (size_t)(cap - r->cap) * sizeof *h);
    memset(r->in_db + r->cap, 0, (size_t)(cap - r->cap) * sizeof *h);
    r->cap = cap;
    return 0;
}

/* ---- the stopping rule -------------------------------------------------- */

static bool enough(const coord *c, const slotrow *r)
{
    const exp_spec *s = c->p->spec;
    if (r->committed >= s->reps_max)
        return true;
    if (r->committed < s->reps_min || !(s->target_rel_hw > 0))
        return false;
    exp_stat st = exp_stat_of(r->rep, r->committed, c->p->target_kpi, s->confidence);
    return st.half_width <= s->target_rel_hw * fabs(st.mean);
}

/* ---- progress ----------------------------------------------------------- */

static void draw(coord *c, bool final)
{
    if (!c->o->progress)
        return;
    double t = now_s();
    if (!final && t - c->last_draw < 0.1)
        return;
    c->last_draw = t;
    const exp_spec *s = c->p->spec;
    long want = 0, done_sc = 0;
    for (size_t i = 0; i < c->p->n_scenarios; i++) {
        const slotrow *r = &c->rows[i];
        want += r->done ? r->committed : (r->committed > s->reps_min ? r->committed + 1
                                                                      : s->reps_min);
        done_sc += r->done;
    }
    double frac = want ? (double)c->total_committed / (double)want : 1;
    long fresh = c->total_committed - c->resumed;
    double eta = fresh > 0 ? (t - c->started) / (double)fresh * (double)(want - c->total_committed)
                           : 0;
    char bar[31];
    int fill = (int)(frac * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '=' : ' ';
    bar[30] = '\0';
    fprintf(stderr, "\r[%s] %ld/%ld replications, %ld/%zu scenarios done, ETA %d:%02d ", bar,
            c->total_committed, want, done_sc, c->p->n_scenarios, (int)(eta / 60),
            (int)fmod(eta, 60));
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* ---- commit ------------------------------------------------------------- */

/* Write the committed replications that are not in the database yet, in
 * one transaction: batching them costs far less than a transaction each. */
static int flush(coord *c, ft_error *err)
{
    if (c->n_pending == 0)
        return 0;
    const exp_rep *batch[STORE_BATCH];
    for (int i = 0; i < c->n_pending; i++)
        batch[i] = &c->rows[c->pending[i].scenario].rep[c->pending[i].rep];
    int rc = exp_db_put_reps(c->o->db, c->o->db_experiment, batch, (size_t)c->n_pending, err);
    c->n_pending = 0;
    return rc;
}

static int commit(coord *c, int sc, ft_error *err)
{
    slotrow *r = &c->rows[sc];
    while (!r->done && r->committed < r->cap && r->have[r->committed]) {
        if (!r->in_db[r->committed] && c->o->db) {
            if (c->n_pending == 0)
                c->pending_since = now_s();
            c->pending[c->n_pending++] = (unstored){sc, r->committed};
            if (c->n_pending == STORE_BATCH && flush(c, err))
                return -1;
        }
        r->committed++;
        c->total_committed++;
        if (enough(c, r))
            r->done = true;
    }
    return 0;
}

static int store(coord *c, exp_rep *x, bool from_db, ft_error *err)
{
    slotrow *r = &c->rows[x->scenario];
    if (r->done || x->rep < r->committed || (x->rep < r->cap && r->have[x->rep])) {
        free(x->values); /* beyond the stopping point, or a duplicate */
        return 0;
    }
    if (grow(r, x->rep)) {
        free(x->values);
        return ft_fail(err, NULL, 0, 0, "out of memory");
    }
    r->rep[x->rep] = *x;
    r->have[x->rep] = true;
    r->in_db[x->rep] = from_db;
    return commit(c, x->scenario, err);
}

typedef struct loadctx {
    coord *c;
    ft_error *err;
} loadctx;

static int load_one(void *ctx, const exp_rep *stored)
{
    loadctx *l = ctx;
    if (stored->scenario < 0 || (size_t)stored->scenario >= l->c->p->n_scenarios)
        return 0;
    exp_rep x = *stored;
    if (!(x.values = malloc(l->c->p->kpis.n * sizeof *x.values)))
        return ft_fail(l->err, NULL, 0, 0, "out of memory");
    memcpy(x.values, stored->values, l->c->p->kpis.n * sizeof *x.values);
    long before = l->c->total_committed;
    int rc = store(l->c, &x, true, l->err);
    l->c->resumed += l->c->total_committed - before;
    return rc;
}

/* ---- issuing ------------------------------------------------------------ */

/* The next replication to run, rep-major; false when none may be issued now. */
static bool next_task(coord *c, int *sc, int *rep)
{
    const exp_spec *s = c->p->spec;
    int cap = c->o->exec->capacity;
    int best_rep = -1, best_sc = -1;
    for (size_t i = 0; i < c->p->n_scenarios; i++) {
        slotrow *r = &c->rows[i];
        while (r->next < r->cap && r->have[r->next])
            r->next++;
        if (r->next < r->committed)
            r->next = r->committed;
        bool may = !r->done && r->next < s->reps_max &&
                   (r->next < s->reps_min || r->next < r->committed + cap);
        if (may && (best_rep < 0 || r->next < best_rep)) {
            best_rep = r->next;
            best_sc = (int)i;
        }
    }
    if (best_rep < 0)
        return false;
    *sc = best_sc;
    *rep = best_rep;
    c->rows[best_sc].next++;
    return true;
}

void exp_results_free(exp_results *r)
{
    for (size_t i = 0; r->reps && i < r->n_scenarios; i++) {
        for (int k = 0; k < r->n_reps[i]; k++)
            free(r->reps[i][k].values);
        free(r->reps[i]);
    }
    free(r->reps);
    free(r->n_reps);
    memset(r, 0, sizeof *r);
}

/* Hand the committed prefixes over to res; free everything else. */
static void finish(coord *c, exp_results *res, bool ok)
{
    for (size_t i = 0; i < c->p->n_scenarios; i++) {
        slotrow *r = &c->rows[i];
        int keep = ok ? r->committed : 0;
        for (int k = keep; k < r->cap; k++)
            if (r->have[k])
                free(r->rep[k].values);
        if (ok) {
            res->reps[i] = r->rep;
            res->n_reps[i] = keep;
        } else {
            for (int k = 0; k < keep; k++)
                free(r->rep[k].values);
            free(r->rep);
        }
        free(r->have);
        free(r->in_db);
    }
    free(c->rows);
}

int exp_run(const exp_plan *p, const exp_run_options *o, exp_results *res, ft_error *err)
{
    coord c = {.p = p, .o = o, .started = now_s()};
    memset(res, 0, sizeof *res);
    res->n_scenarios = p->n_scenarios;
    res->n_kpis = p->kpis.n;
    c.rows = calloc(p->n_scenarios, sizeof *c.rows);
    res->n_reps = calloc(p->n_scenarios, sizeof *res->n_reps);
    res->reps = calloc(p->n_scenarios, sizeof *res->reps);
    if (!c.rows || !res->n_reps || !res->reps) {
        free(c.rows);
        exp_results_free(res);
        return ft_fail(err, NULL, 0, 0, "out of memory");
    }
    int rc = 0;
    if (o->db) {
        loadctx l = {&c, err};
        rc = exp_db_each_rep(o->db, o->db_experiment, p->kpis.n, load_one, &l, err);
    }
    for (size_t i = 0; !rc && i < p->n_scenarios; i++)
        if (enough(&c, &c.rows[i]))
            c.rows[i].done = true;
    draw(&c, false);
    while (!rc) {
        int sc, rep;
        while (!rc && c.inflight < o->exec->capacity && next_task(&c, &sc, &rep)) {
            rc = o->exec->submit(o->exec, sc, rep, err);
            c.inflight += !rc;
        }
        if (rc || c.inflight == 0)
            break;
        exp_rep x = {0};
        rc = o->exec->wait(o->exec, &x, err);
        c.inflight--;
        if (!rc)
            rc = store(&c, &x, false, err);
        else
            free(x.values);
        if (!rc && c.n_pending && now_s() - c.pending_since >= STORE_EVERY_S)
            rc = flush(&c, err);
        draw(&c, false);
    }
    /* on failure, collect what is still running so no result is left behind */
    while (rc && c.inflight > 0) {
        exp_rep x = {0};
        ft_error ignored;
        o->exec->wait(o->exec, &x, &ignored);
        free(x.values);
        c.inflight--;
    }
    /* what was committed is valid even when something else failed: keep it */
    ft_error ignored;
    if (flush(&c, rc ? &ignored : err))
        rc = -1;
    draw(&c, true);
    finish(&c, res, rc == 0);
    if (rc)
        exp_results_free(res);
    return rc;
}
