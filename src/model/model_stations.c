/* model_stations.c -- reading stations (process, assembly, split,
 * inspection; servers, calendars, setups, failures, maintenance), buffers
 * and conveyors.
 *
 * Station names are read first (model_read_station_names) so that products,
 * buffers, conveyors and rework targets can refer to stations defined
 * anywhere in the file; everything here checks what one entity can check on
 * its own plus its references, and model_check.c does the rest. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

/* ---- names -------------------------------------------------------------- */

int model_read_station_names(mctx *c, const ynode *list)
{
    model_desc *m = c->m;
    char d[96];
    if (!(m->stations = calloc(list->n ? list->n : 1, sizeof *m->stations)))
        return mc_oom(c);
    m->n_stations = list->n;
    for (size_t i = 0; i < list->n; i++) {
        model_station *st = &m->stations[i];
        st->calendar = st->produces = st->rework_to = MODEL_NONE;
        st->servers = 1;
        st->pick = st->drop = MODEL_NONE;
        st->out_capacity = 1;
    }
    const char **names = calloc(list->n ? list->n : 1, sizeof *names);
    model_pos *pos = calloc(list->n ? list->n : 1, sizeof *pos);
    int rc = -1;
    if (!names || !pos) {
        mc_oom(c);
        goto out;
    }
    for (size_t i = 0; i < list->n; i++) {
        const ynode *n = list->kids[i], *v;
        char what[64];
        snprintf(what, sizeof what, "station #%zu", i + 1);
        if (!n || n->kind != YNODE_MAP) {
            mc_fail(c, n, "expected a mapping (name: ..., ...) for %s, got %s", what,
                    ynode_describe(n, d, sizeof d));
            goto out;
        }
        if (mc_need(c, n, what, "name", &v) || mc_name(c, v, what, "name", &m->stations[i].name))
            goto out;
        m->stations[i].pos = (model_pos){n->line, n->col};
        names[i] = m->stations[i].name;
        pos[i] = m->stations[i].pos;
    }
    rc = mc_names(c, &c->stations, "station", names, pos, list->n);
out:
    free(names);
    free(pos);
    return rc;
}

/* ---- the parts of a station -------------------------------------------- */

/* Station st makes product p: one station per product, so that an item of p
 * always starts its routing at the station that made it. */
static int makes(mctx *c, const ynode *v, int st, int p)
{
    char q[96];
    int other = c->made_by[p];
    if (other != MODEL_NONE)
        return mc_fail(c, v, "product %s is already made by station '%s'; a product is made by "
                             "one station",
                       mu_quote(c->m->products[p].name, q, sizeof q), c->m->stations[other].name);
    c->made_by[p] = st;
    return 0;
}

static int read_failures(mctx *c, const ynode *list, const char *what, model_station *st)
{
    static const char *const keys[] = {"name", "mtbf", "mttr", "clock", NULL};
    if (mc_list(c, list, what, "failures", true))
        return -1;
    size_t n = list->kind == YNODE_SEQ ? list->n : 0;
    if (!n)
        return 0;
    if (!(st->failures = calloc(n, sizeof *st->failures)))
        return mc_oom(c);
    st->n_failures = n;
    for (size_t i = 0; i < n; i++) {
        const ynode *f = list->kids[i], *v;
        model_failure *fm = &st->failures[i];
        char fw[520];
        snprintf(fw, sizeof fw, "failure #%zu of %s", i + 1, what);
        if (mc_fields(c, f, fw, keys) || mc_need(c, f, fw, "name", &v) ||
            mc_name(c, v, fw, "name", &fm->name))
            return -1;
        char q[96];
        snprintf(fw, sizeof fw, "failure %s of %s", mu_quote(fm->name, q, sizeof q), what);
        fm->pos = (model_pos){f->line, f->col};
        if (mc_need(c, f, fw, "mtbf", &v) || mc_dist(c, v, fw, "mtbf", MU_POSITIVE, &fm->ttf_s) ||
            mc_need(c, f, fw, "mttr", &v) || mc_dist(c, v, fw, "mttr", MU_POSITIVE, &fm->ttr_s))
            return -1;
        fm->by_operating_time = true;
        if ((v = mc_get(f, "clock"))) {
            if (mc_scalar(c, v, fw, "clock"))
                return -1;
            if (strcmp(v->text, "calendar") == 0)
                fm->by_operating_time = false;
            else if (strcmp(v->text, "operating") != 0)
                return mc_fail(c, v, "unknown clock %s in %s; expected operating or calendar",
                               mu_quote(v->text, q, sizeof q), fw);
        }
    }
    /* Each failure mode draws from a random stream named after it: names
     * must differ within a station. */
    const char **names = malloc(n * sizeof *names);
    model_pos *pos = malloc(n * sizeof *pos);
    mnames t = {0};
    int rc = names && pos ? 0 : mc_oom(c);
    for (size_t i = 0; !rc && i < n; i++) {
        names[i] = st->failures[i].name;
        pos[i] = st->failures[i].pos;
    }
    if (!rc)
        rc = mc_names(c, &t, "failure", names, pos, n);
    mnames_free(&t);
    free(names);
    free(pos);
    return rc;
}

static int read_maintenance(mctx *c, const ynode *n, const char *what, model_station *st)
{
    static const char *const keys[] = {"every", "duration", "first", NULL};
    char mw[460];
    snprintf(mw, sizeof mw, "the maintenance of %s", what);
    model_maintenance *mt = &st->maintenance;
    const ynode *v, *dur;
    if (mc_fields(c, n, mw, keys) || mc_need(c, n, mw, "every", &v) ||
        mc_duration(c, v, mw, "every", MU_POSITIVE, &mt->every_s) ||
        mc_need(c, n, mw, "duration", &dur) ||
        mc_duration(c, dur, mw, "duration", MU_POSITIVE, &mt->duration_s))
        return -1;
    mc_note_step(c, v, mt->every_s, mw, "every");
    mc_note_step(c, dur, mt->duration_s, mw, "duration");
    if (!(mt->duration_s < mt->every_s))
        return mc_fail(c, dur, "the maintenance of %s lasts %s but comes every %s: it would never "
                               "end",
                       what, dur->text, v->text);
    mt->first_s = mt->every_s;
    if ((v = mc_get(n, "first")) && mc_duration(c, v, mw, "first", MU_NONNEG, &mt->first_s))
        return -1;
    if (v)
        mc_note_time(c, v, mt->first_s, mw, "first");
    return 0;
}

static int cmp_bom(const void *a, const void *b)
{
    const model_bom_line *x = a, *y = b;
    return (x->product > y->product) - (x->product < y->product);
}

bool model_bom_has(const model_station *st, int product)
{
    model_bom_line key = {product, 0};
    return st->n_bom && bsearch(&key, st->bom, st->n_bom, sizeof *st->bom, cmp_bom);
}

static int read_assembly(mctx *c, const ynode *n, const char *what, model_station *st)
{
    static const char *const keys[] = {"produces", "parts", NULL};
    char aw[460];
    snprintf(aw, sizeof aw, "the assembly of %s", what);
    const ynode *v, *parts;
    if (mc_fields(c, n, aw, keys) || mc_need(c, n, aw, "produces", &v) ||
        mc_ref(c, v, aw, "produces", &c->products, &st->produces) ||
        makes(c, v, (int)(st - c->m->stations), st->produces) ||
        mc_need(c, n, aw, "parts", &parts) || mc_free_keys(c, parts, aw))
        return -1;
    if (parts->n == 0)
        return mc_fail(c, parts, "the parts of %s are empty: list each part with its count, "
                                 "like { car: 1, door: 2 }",
                       what);
    if (!(st->bom = calloc(parts->n, sizeof *st->bom)))
        return mc_oom(c);
    st->n_bom = parts->n;
    for (size_t i = 0; i < parts->n; i++) {
        const ynode *k = parts->kids[2 * i], *cnt = parts->kids[2 * i + 1];
        model_bom_line *b = &st->bom[i];
        char q[96];
        if (mc_ref(c, k, aw, "parts", &c->products, &b->product))
            return -1;
        if (b->product == st->produces)
            return mc_fail(c, k, "%s makes product %s and cannot use it as a part", what,
                           mu_quote(k->text, q, sizeof q));
        char pw[600];
        snprintf(pw, sizeof pw, "part %s of %s", mu_quote(k->text, q, sizeof q), what);
        if (mc_whole(c, cnt, pw, "count", 1, MODEL_MAX_PARTS, &b->count))
            return -1;
    }
    /* By product, so "is p a part?" is a binary search (model_bom_has). */
    qsort(st->bom, st->n_bom, sizeof *st->bom, cmp_bom);
    return 0;
}

static int read_split(mctx *c, const ynode *n, const char *what, model_station *st)
{
    static const char *const keys[] = {"count", "produces", NULL};
    char sw[460];
    snprintf(sw, sizeof sw, "the split of %s", what);
    const ynode *v;
    if (mc_fields(c, n, sw, keys) || mc_need(c, n, sw, "count", &v) ||
        mc_whole(c, v, sw, "count", 1, MODEL_MAX_SPLIT, &st->split_count))
        return -1;
    if ((v = mc_get(n, "produces")) &&
        (mc_ref(c, v, sw, "produces", &c->products, &st->produces) ||
         makes(c, v, (int)(st - c->m->stations), st->produces)))
        return -1;
    return 0;
}

static int read_inspection(mctx *c, const ynode *n, const char *what, model_station *st)
{
    static const char *const keys[] = {"scrap", "rework", "rework_to", NULL};
    char iw[460];
    snprintf(iw, sizeof iw, "the inspection of %s", what);
    const ynode *v, *rework = NULL;
    if (mc_fields(c, n, iw, keys))
        return -1;
    if ((v = mc_get(n, "scrap")) && mc_probability(c, v, iw, "scrap", &st->p_scrap))
        return -1;
    if ((rework = mc_get(n, "rework")) && mc_probability(c, rework, iw, "rework", &st->p_rework))
        return -1;
    const ynode *at = rework ? rework : v ? v : n;
    char q[96];
    const char *name = mu_quote(st->name, q, sizeof q);
    if (st->p_rework == 1)
        return mc_fail(c, at, "inspection %s: rework probability 1 makes a cycle without exit",
                       name);
    double sum = st->p_scrap + st->p_rework;
    if (sum > 1 + 1e-12)
        return mc_fail(c, at, "inspection %s: scrap and rework probabilities add up to %g, more "
                              "than 1",
                       name, sum);
    if (sum >= 1 - 1e-12)
        return mc_fail(c, at, "inspection %s: scrap and rework probabilities add up to 1, so no "
                              "item ever passes",
                       name);
    if ((v = mc_get(n, "rework_to"))) {
        if (mc_ref(c, v, iw, "rework_to", &c->stations, &st->rework_to))
            return -1;
        if (st->p_rework > 0 && &c->m->stations[st->rework_to] == st)
            return mc_fail(c, v, "inspection %s cannot send items back to itself; rework_to "
                                 "names an earlier station where the rework is done",
                           name);
    } else if (st->p_rework > 0) {
        return mc_fail(c, n, "missing required field 'rework_to' in %s (items are reworked with "
                             "probability %g)",
                       iw, st->p_rework);
    }
    return 0;
}

static int read_station(mctx *c, const ynode *n, model_station *st)
{
    static const char *const keys[] = {"name",        "servers",  "calendar", "setup",
                                       "failures",    "maintenance", "assembly", "split",
                                       "inspection",  "at",       "pick",     "drop",
                                       "out",         NULL};
    char what[400];
    mc_label(what, sizeof what, "station", st->name);
    if (mc_fields(c, n, what, keys))
        return -1;
    const ynode *v;
    long servers = 1;
    if ((v = mc_get(n, "servers")) &&
        mc_whole(c, v, what, "servers", 1, MODEL_MAX_SERVERS, &servers))
        return -1;
    st->servers = (int)servers;
    if ((v = mc_get(n, "calendar")) && mc_ref(c, v, what, "calendar", &c->calendars, &st->calendar))
        return -1;
    if ((v = mc_get(n, "setup"))) {
        if (mc_dist(c, v, what, "setup", MU_POSITIVE, &st->setup_s))
            return -1;
        st->has_setup = true;
    }
    if ((v = mc_get(n, "failures")) && read_failures(c, v, what, st))
        return -1;
    if ((v = mc_get(n, "at"))) {
        if (mc_point(c, v, what, "at", st->at_m))
            return -1;
        st->has_at = true;
    }
    if ((v = mc_get(n, "maintenance")) && read_maintenance(c, v, what, st))
        return -1;

    static const char *const kinds[] = {"assembly", "split", "inspection"};
    const ynode *kind = NULL;
    for (int i = 0; i < 3; i++) {
        if (!(v = mc_get(n, kinds[i])))
            continue;
        if (kind)
            return mc_fail(c, v, "%s is already a%s %s; a station is at most one of assembly, "
                                 "split or inspection",
                           what, st->kind == MODEL_STATION_INSPECTION ? "n" : "",
                           st->kind == MODEL_STATION_ASSEMBLY ? "assembly"
                           : st->kind == MODEL_STATION_SPLIT  ? "split"
                                                              : "inspection");
        kind = v;
        st->kind = i == 0 ? MODEL_STATION_ASSEMBLY
                   : i == 1 ? MODEL_STATION_SPLIT
                            : MODEL_STATION_INSPECTION;
        int rc = i == 0 ? read_assembly(c, v, what, st)
                 : i == 1 ? read_split(c, v, what, st)
                          : read_inspection(c, v, what, st);
        if (rc)
            return -1;
    }
    return 0;
}

int model_read_stations(mctx *c, const ynode *list)
{
    for (size_t i = 0; i < list->n; i++)
        if (read_station(c, list->kids[i], &c->m->stations[i]))
            return -1;
    return 0;
}

/* ---- buffers ------------------------------------------------------------ */

static int read_buffer(mctx *c, const ynode *n, size_t i, int *fed_by)
{
    static const char *const keys[] = {"name", "capacity", "feeds", "discipline", NULL};
    model_desc *m = c->m;
    model_buffer *b = &m->buffers[i];
    char what[400], q[96];
    snprintf(what, sizeof what, "buffer #%zu", i + 1);
    const ynode *v;
    if (mc_fields(c, n, what, keys) || mc_need(c, n, what, "name", &v) ||
        mc_name(c, v, what, "name", &b->name))
        return -1;
    b->pos = (model_pos){n->line, n->col};
    mc_label(what, sizeof what, "buffer", b->name);
    if (mnames_find(&c->stations, b->name) != MODEL_NONE)
        return mc_fail(c, v, "buffer %s has the name of a station; a buffer and a station may "
                             "not share a name (both are places an item can be put)",
                       mu_quote(b->name, q, sizeof q));
    if (mc_need(c, n, what, "capacity", &v) || mc_scalar(c, v, what, "capacity"))
        return -1;
    if (strcmp(v->text, "inf") == 0)
        b->capacity = MODEL_INFINITE_CAPACITY;
    else if (mc_whole(c, v, what, "capacity", 0, MODEL_MAX_COUNT, &b->capacity))
        return -1;
    if (mc_need(c, n, what, "feeds", &v) || mc_ref(c, v, what, "feeds", &c->stations, &b->feeds))
        return -1;
    if (fed_by[b->feeds] != MODEL_NONE)
        return mc_fail(c, v, "station %s is already fed by buffer %s; a station has one input "
                             "buffer",
                       mu_quote(m->stations[b->feeds].name, q, sizeof q),
                       m->buffers[fed_by[b->feeds]].name);
    fed_by[b->feeds] = (int)i;
    b->discipline = MODEL_FIFO;
    if ((v = mc_get(n, "discipline"))) {
        if (mc_scalar(c, v, what, "discipline"))
            return -1;
        if (strcmp(v->text, "fifo") != 0)
            return mc_fail(c, v, "unknown discipline %s in %s; the only discipline is fifo",
                           mu_quote(v->text, q, sizeof q), what);
    }
    return 0;
}

int model_read_buffers(mctx *c, const ynode *list)
{
    model_desc *m = c->m;
    if (!list->n)
        return 0;
    if (!(m->buffers = calloc(list->n, sizeof *m->buffers)))
        return mc_oom(c);
    m->n_buffers = list->n;
    for (size_t i = 0; i < list->n; i++)
        m->buffers[i].feeds = MODEL_NONE;
    int *fed_by = malloc((m->n_stations ? m->n_stations : 1) * sizeof *fed_by);
    if (!fed_by)
        return mc_oom(c);
    for (size_t i = 0; i < m->n_stations; i++)
        fed_by[i] = MODEL_NONE;
    int rc = 0;
    for (size_t i = 0; !rc && i < list->n; i++)
        rc = read_buffer(c, list->kids[i], i, fed_by);
    free(fed_by);
    if (rc)
        return -1;
    const char **names = malloc(list->n * sizeof *names);
    model_pos *pos = malloc(list->n * sizeof *pos);
    rc = names && pos ? 0 : mc_oom(c);
    for (size_t i = 0; !rc && i < list->n; i++) {
        names[i] = m->buffers[i].name;
        pos[i] = m->buffers[i].pos;
    }
    if (!rc)
        rc = mc_names(c, &c->buffers, "buffer", names, pos, list->n);
    free(names);
    free(pos);
    return rc;
}

/* ---- conveyors ---------------------------------------------------------- */

static int read_conveyor(mctx *c, const ynode *n, size_t i)
{
    static const char *const keys[] = {"name", "from", "to", "length", "speed", "spacing",
                                       "accumulating", NULL};
    model_desc *m = c->m;
    model_conveyor *cv = &m->conveyors[i];
    char what[400], q[96];
    snprintf(what, sizeof what, "conveyor #%zu", i + 1);
    const ynode *v, *to;
    mu_err e;
    if (mc_fields(c, n, what, keys) || mc_need(c, n, what, "name", &v) ||
        mc_name(c, v, what, "name", &cv->name))
        return -1;
    cv->pos = (model_pos){n->line, n->col};
    mc_label(what, sizeof what, "conveyor", cv->name);
    if (mc_need(c, n, what, "from", &v) || mc_ref(c, v, what, "from", &c->stations, &cv->from) ||
        mc_need(c, n, what, "to", &to) || mc_ref(c, to, what, "to", &c->stations, &cv->to))
        return -1;
    if (cv->from == cv->to)
        return mc_fail(c, to, "%s goes from station %s to itself", what,
                       mu_quote(m->stations[cv->to].name, q, sizeof q));
    static const char *const dims[] = {"length", "speed", "spacing"};
    double *out[] = {&cv->length_m, &cv->speed_m_per_s, &cv->spacing_m};
    for (int k = 0; k < 3; k++) {
        if (mc_need(c, n, what, dims[k], &v) || mc_scalar(c, v, what, dims[k]))
            return -1;
        bool ok = k == 1 ? mu_speed(v->text, out[k], &e) : mu_length(v->text, out[k], &e);
        if (!ok)
            return mc_fail_in(c, v, e.at, "%s ('%s' of %s)", e.msg, dims[k], what);
    }
    /* its steps: an item's travel and the headway between two items */
    const ynode *speed = mc_get(n, "speed");
    mc_note_step(c, speed, cv->length_m / cv->speed_m_per_s, what, "speed (its travel time)");
    mc_note_step(c, speed, cv->spacing_m / cv->speed_m_per_s, what, "speed (its headway)");
    double items = floor(cv->length_m / cv->spacing_m + 1e-9);
    if (items < 1)
        return mc_fail(c, v, "%s is %g m long with items %g m apart: it cannot hold one item",
                       what, cv->length_m, cv->spacing_m);
    if (items > MODEL_MAX_BELT_ITEMS)
        return mc_fail(c, v, "%s would hold %.0f items (length / spacing); at most %d are "
                             "supported",
                       what, items, MODEL_MAX_BELT_ITEMS);
    cv->accumulating = true;
    if ((v = mc_get(n, "accumulating")) && mc_bool(c, v, what, "accumulating", &cv->accumulating))
        return -1;
    return 0;
}

typedef struct belt_key {
    int from, to;
    size_t index;
} belt_key;

static int cmp_belt(const void *a, const void *b)
{
    const belt_key *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Two belts between the same pair of stations: which one would carry? */
static int same_path(mctx *c)
{
    model_desc *m = c->m;
    belt_key *k = malloc(m->n_conveyors * sizeof *k);
    if (!k)
        return mc_oom(c);
    for (size_t i = 0; i < m->n_conveyors; i++)
        k[i] = (belt_key){m->conveyors[i].from, m->conveyors[i].to, i};
    qsort(k, m->n_conveyors, sizeof *k, cmp_belt);
    size_t dup = m->n_conveyors, first = 0;
    for (size_t i = 1; i < m->n_conveyors; i++)
        if (k[i].from == k[i - 1].from && k[i].to == k[i - 1].to &&
            (dup == m->n_conveyors || k[i].index < dup)) {
            dup = k[i].index;
            first = k[i - 1].index;
        }
    free(k);
    if (dup == m->n_conveyors)
        return 0;
    const model_conveyor *a = &m->conveyors[first], *b = &m->conveyors[dup];
    char q[96];
    return ft_fail(c->err, c->path, b->pos.line, b->pos.col,
                   "conveyors %s and '%s' both go from '%s' to '%s'; one pair of stations has "
                   "at most one conveyor",
                   mu_quote(a->name, q, sizeof q), b->name, m->stations[b->from].name,
                   m->stations[b->to].name);
}

int model_read_conveyors(mctx *c, const ynode *list)
{
    model_desc *m = c->m;
    if (!list->n)
        return 0;
    if (!(m->conveyors = calloc(list->n, sizeof *m->conveyors)))
        return mc_oom(c);
    m->n_conveyors = list->n;
    for (size_t i = 0; i < list->n; i++)
        m->conveyors[i].from = m->conveyors[i].to = MODEL_NONE;
    for (size_t i = 0; i < list->n; i++)
        if (read_conveyor(c, list->kids[i], i))
            return -1;
    const char **names = malloc(list->n * sizeof *names);
    model_pos *pos = malloc(list->n * sizeof *pos);
    int rc = names && pos ? 0 : mc_oom(c);
    for (size_t i = 0; !rc && i < list->n; i++) {
        names[i] = m->conveyors[i].name;
        pos[i] = m->conveyors[i].pos;
    }
    if (!rc)
        rc = mc_names(c, &c->conveyors, "conveyor", names, pos, list->n);
    free(names);
    free(pos);
    return rc ? rc : same_path(c);
}
