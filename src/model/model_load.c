/* model_load.c -- the entry points: a model file or string in, a validated
 * model_desc out; and the top of the file: the model's name, its run
 * settings, products with their routings, and sources.
 *
 * The file is checked before it is parsed (size, UTF-8), so a huge or binary
 * file is turned away without reading or parsing it. Sections are read in
 * the order references need, not the order of the file: names first, so an
 * entity may refer to one defined further down. The first error stops the
 * load; a partly filled description is freed by model_free like a whole
 * one. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_file.h"
#include "model_internal.h"

/* ---- run ---------------------------------------------------------------- */

static int read_run(mctx *c, const ynode *n)
{
    static const char *const keys[] = {"seed", "warmup", "length", "max_items", NULL};
    model_run *run = &c->m->run;
    const ynode *v, *end = NULL;
    mu_err e;
    if (ynode_is_null(n))
        return 0;
    if (mc_fields(c, n, "'run'", keys))
        return -1;
    if ((v = mc_get(n, "seed"))) {
        if (mc_scalar(c, v, "'run'", "seed"))
            return -1;
        if (!mu_seed(v->text, &run->seed, &e))
            return mc_fail_in(c, v, e.at, "%s ('seed' of 'run')", e.msg);
    }
    if ((v = mc_get(n, "warmup")) && mc_duration(c, v, "'run'", "warmup", MU_NONNEG, &run->warmup_s))
        return -1;
    end = v;
    if ((v = mc_get(n, "length")) && mc_duration(c, v, "'run'", "length", MU_POSITIVE, &run->length_s))
        return -1;
    if (v || end)
        mc_note_time(c, v ? v : end, run->warmup_s + run->length_s, "'run' (the end of warm-up "
                                                                    "+ length)", v ? "length" : "warmup");
    if ((v = mc_get(n, "max_items")) &&
        mc_whole(c, v, "'run'", "max_items", 1, MODEL_MAX_ITEMS, &run->max_items))
        return -1;
    return 0;
}

/* ---- products ----------------------------------------------------------- */

static int read_product_names(mctx *c, const ynode *list)
{
    model_desc *m = c->m;
    char d[96];
    size_t n = list->n;
    if (!(m->products = calloc(n, sizeof *m->products)) ||
        !(c->made_by = malloc(n * sizeof *c->made_by)))
        return mc_oom(c);
    m->n_products = n;
    for (size_t i = 0; i < n; i++)
        c->made_by[i] = MODEL_NONE;
    const char **names = malloc(n * sizeof *names);
    model_pos *pos = malloc(n * sizeof *pos);
    int rc = names && pos ? 0 : mc_oom(c);
    for (size_t i = 0; !rc && i < n; i++) {
        const ynode *p = list->kids[i], *v;
        char what[64];
        snprintf(what, sizeof what, "product #%zu", i + 1);
        if (!p || p->kind != YNODE_MAP)
            rc = mc_fail(c, p, "expected a mapping (name: ..., routing: ...) for %s, got %s", what,
                         ynode_describe(p, d, sizeof d));
        else if (!(rc = mc_need(c, p, what, "name", &v)) &&
                 !(rc = mc_name(c, v, what, "name", &m->products[i].name))) {
            m->products[i].pos = (model_pos){p->line, p->col};
            names[i] = m->products[i].name;
            pos[i] = m->products[i].pos;
        }
    }
    if (!rc)
        rc = mc_names(c, &c->products, "product", names, pos, n);
    free(names);
    free(pos);
    return rc;
}

/* A step's `time` is required, except where it would mean nothing: a part
 * handed to an assembly (the assembly time is the step of the assembled
 * product there) and the first step of the pieces of a split with
 * `produces` (the split time is the step of the product that is split). */
static int read_step(mctx *c, const ynode *n, int p, size_t k, model_step *step)
{
    static const char *const keys[] = {"station", "time", NULL};
    model_desc *m = c->m;
    char what[400], q[96], q2[96];
    snprintf(what, sizeof what, "step %zu of product %s", k + 1,
             mu_quote(m->products[p].name, q, sizeof q));
    const ynode *v, *time;
    if (mc_fields(c, n, what, keys) || mc_need(c, n, what, "station", &v) ||
        mc_ref(c, v, what, "station", &c->stations, &step->station))
        return -1;
    step->pos = (model_pos){n->line, n->col};
    step->time_s = sim_dist_const(0);
    const model_station *st = &m->stations[step->station];
    const char *pname = m->products[p].name, *sname = st->name;
    bool takes_time = true;
    if (st->kind == MODEL_STATION_ASSEMBLY && st->produces != p) {
        if (!model_bom_has(st, p))
            return mc_fail(c, v, "product %s visits assembly %s but is not one of its parts",
                           mu_quote(pname, q, sizeof q), mu_quote(sname, q2, sizeof q2));
        takes_time = false;
        if ((time = mc_get(n, "time")))
            return mc_fail(c, time, "%s hands a part to assembly %s and takes no 'time': the "
                                    "assembly time is the 'time' of '%s' at '%s'",
                           what, mu_quote(sname, q2, sizeof q2), m->products[st->produces].name,
                           sname);
    } else if (st->kind == MODEL_STATION_SPLIT && st->produces == p) {
        takes_time = false;
        if ((time = mc_get(n, "time")))
            return mc_fail(c, time, "%s: the pieces of split %s start after it, so this step "
                                    "takes no 'time' (the split time is the 'time' of the "
                                    "product that is split)",
                           what, mu_quote(sname, q2, sizeof q2));
    }
    if (takes_time &&
        (mc_need(c, n, what, "time", &time) || mc_dist(c, time, what, "time", MU_POSITIVE, &step->time_s)))
        return -1;
    return 0;
}

static int read_product(mctx *c, const ynode *n, int i)
{
    static const char *const keys[] = {"name", "unit", "quantity", "routing", NULL};
    model_product *p = &c->m->products[i];
    char what[400];
    mc_label(what, sizeof what, "product", p->name);
    const ynode *v, *routing;
    if (mc_fields(c, n, what, keys))
        return -1;
    if ((v = mc_get(n, "unit"))) {
        if (mc_name(c, v, what, "unit", &p->unit))
            return -1;
        const char *u = p->unit;
        bool word = !strchr("0123456789+-.%", u[0]);
        for (size_t k = 0; word && u[k]; k++)
            word = u[k] != ' ' && u[k] != '\t';
        if (!word || strlen(u) > 32)
            return mc_fail(c, v, "a unit is one word (no spaces, not starting with a digit, at "
                                 "most 32 bytes), like pcs, m or kg ('unit' of %s)",
                           what);
    } else if (!(p->unit = strdup("pcs"))) {
        return mc_oom(c);
    }
    p->quantity = 1;
    if ((v = mc_get(n, "quantity")) && mc_quantity(c, v, what, "quantity", p->unit, &p->quantity))
        return -1;
    if (mc_need(c, n, what, "routing", &routing) || mc_list(c, routing, what, "routing", false))
        return -1;
    if (routing->n == 0)
        return mc_fail(c, routing, "the routing of %s has no steps", what);
    if (!(p->steps = calloc(routing->n, sizeof *p->steps)))
        return mc_oom(c);
    p->n_steps = routing->n;
    for (size_t k = 0; k < routing->n; k++)
        if (read_step(c, routing->kids[k], i, k, &p->steps[k]))
            return -1;
    return 0;
}

/* ---- sources ------------------------------------------------------------ */

static int read_source(mctx *c, const ynode *n, size_t i)
{
    static const char *const keys[] = {"name",  "product", "interarrival", "always", "orders",
                                       "start", "limit",   "quantity",     "pick",   "out",
                                       NULL};
    model_desc *m = c->m;
    model_source *src = &m->sources[i];
    char what[400], q[96];
    snprintf(what, sizeof what, "source #%zu", i + 1);
    const ynode *v;
    if (mc_fields(c, n, what, keys) || mc_need(c, n, what, "name", &v) ||
        mc_name(c, v, what, "name", &src->name))
        return -1;
    src->pos = (model_pos){n->line, n->col};
    mc_label(what, sizeof what, "source", src->name);

    const ynode *ia = mc_get(n, "interarrival"), *al = mc_get(n, "always"),
                *ord = mc_get(n, "orders");
    bool always = false;
    if (al && mc_bool(c, al, what, "always", &always))
        return -1;
    const ynode *kind[3] = {ia, always ? al : NULL, ord};
    const char *kname[3] = {"interarrival", "always", "orders"};
    int first = -1;
    for (int k = 0; k < 3; k++) {
        if (!kind[k])
            continue;
        if (first >= 0)
            return mc_fail(c, kind[k], "%s has both '%s' and '%s'; a source releases items in "
                                       "one way",
                           what, kname[first], kname[k]);
        first = k;
    }
    if (first < 0)
        return mc_fail(c, al ? al : n, "%s releases nothing: give one of 'interarrival', "
                                       "'always: true' or 'orders'",
                       what);
    if (first == 2) {
        static const char *const not_here[] = {"product", "start", "limit", "quantity"};
        for (int k = 0; k < 4; k++)
            if ((v = mc_get(n, not_here[k])))
                return mc_fail(c, v, "'%s' does not apply to %s: it releases orders, and each "
                                     "order gives its own time, product, count and quantity",
                               not_here[k], what);
        src->kind = MODEL_SOURCE_ORDERS;
        src->product = MODEL_NONE;
        return model_read_orders(c, ord, what, src);
    }
    src->kind = first == 0 ? MODEL_SOURCE_INTERARRIVAL : MODEL_SOURCE_ALWAYS;
    if (mc_need(c, n, what, "product", &v) ||
        mc_ref(c, v, what, "product", &c->products, &src->product))
        return -1;
    const model_product *p = &m->products[src->product];
    if (c->made_by[src->product] != MODEL_NONE)
        return mc_fail(c, v, "product %s is made by station '%s' and starts its routing there; "
                             "a source cannot release it",
                       mu_quote(p->name, q, sizeof q), m->stations[c->made_by[src->product]].name);
    src->quantity = p->quantity;
    if ((v = mc_get(n, "quantity")) && mc_quantity(c, v, what, "quantity", p->unit, &src->quantity))
        return -1;
    if ((v = mc_get(n, "start"))) {
        if (mc_duration(c, v, what, "start", MU_NONNEG, &src->start_s))
            return -1;
        mc_note_time(c, v, src->start_s, what, "start");
    }
    if ((v = mc_get(n, "limit")) && mc_whole(c, v, what, "limit", 1, LONG_MAX, &src->limit))
        return -1;
    if (ia && mc_dist(c, ia, what, "interarrival", MU_POSITIVE, &src->interarrival_s))
        return -1;
    return 0;
}

static int read_sources(mctx *c, const ynode *list)
{
    model_desc *m = c->m;
    if (!list->n)
        return 0;
    if (!(m->sources = calloc(list->n, sizeof *m->sources)))
        return mc_oom(c);
    m->n_sources = list->n;
    for (size_t i = 0; i < list->n; i++) {
        m->sources[i].product = m->sources[i].pick = MODEL_NONE;
        m->sources[i].out_capacity = MODEL_INFINITE_CAPACITY;
    }
    for (size_t i = 0; i < list->n; i++)
        if (read_source(c, list->kids[i], i))
            return -1;
    const char **names = malloc(list->n * sizeof *names);
    model_pos *pos = malloc(list->n * sizeof *pos);
    int rc = names && pos ? 0 : mc_oom(c);
    for (size_t i = 0; !rc && i < list->n; i++) {
        names[i] = m->sources[i].name;
        pos[i] = m->sources[i].pos;
    }
    if (!rc)
        rc = mc_names(c, &c->sources, "source", names, pos, list->n);
    free(names);
    free(pos);
    return rc;
}

/* ---- the whole model ---------------------------------------------------- */

/* A required list with at least one entry, or an optional one (null = empty). */
static int section(mctx *c, const ynode *root, const char *key, bool required, const ynode **out)
{
    const ynode *v = mc_get(root, key);
    *out = NULL;
    if (!v && !required)
        return 0;
    if (required && mc_need(c, root, "the model", key, &v))
        return -1;
    if (ynode_is_null(v))
        return 0;
    if (mc_list(c, v, "the model", key, false))
        return -1;
    if (required && v->n == 0)
        return mc_fail(c, v, "'%s' is an empty list; a model needs at least one", key);
    *out = v;
    return 0;
}

static int load(mctx *c, const ynode *root)
{
    static const char *const keys[] = {"model",    "run",       "products",  "sources",
                                       "buffers",  "stations",  "conveyors", "calendars",
                                       "layout",   "fleet",     NULL};
    model_desc *m = c->m;
    const ynode *v, *products, *stations, *buffers, *conveyors, *sources;
    if (mc_fields(c, root, "the model file", keys) || mc_need(c, root, "the model", "model", &v) ||
        mc_name(c, v, "the model", "model", &m->name))
        return -1;
    if ((v = mc_get(root, "run")) && read_run(c, v))
        return -1;
    if (section(c, root, "products", true, &products) ||
        section(c, root, "stations", true, &stations) ||
        section(c, root, "buffers", false, &buffers) ||
        section(c, root, "conveyors", false, &conveyors) ||
        section(c, root, "sources", false, &sources))
        return -1;
    if ((v = mc_get(root, "calendars")) && model_read_calendars(c, v))
        return -1;
    if (model_read_layout(c, root) || model_read_fleet(c, root))
        return -1;
    if (read_product_names(c, products) || model_read_station_names(c, stations) ||
        model_read_stations(c, stations))
        return -1;
    for (size_t i = 0; i < products->n; i++)
        if (read_product(c, products->kids[i], (int)i))
            return -1;
    if ((buffers && model_read_buffers(c, buffers)) ||
        (conveyors && model_read_conveyors(c, conveyors)) ||
        (sources && read_sources(c, sources)) ||
        model_read_agv_points(c, stations, sources) || model_check(c) ||
        model_check_resolution(c))
        return -1;
    return model_check_transport(c, root, stations, sources);
}

model_desc *model_load_string(const char *text, size_t len, const char *path, ft_error *err)
{
    return model_load_string_with(text, len, path, NULL, 0, err);
}

model_desc *model_load_string_with(const char *text, size_t len, const char *path,
                                   const ft_override *ov, size_t n_ov, ft_error *err)
{
    const char *name = path ? path : "<string>";
    ydoc doc = {0};
    model_desc *m = NULL, *done = NULL;
    mctx c = {.path = name, .err = err};
    if (!text && len) {
        ft_fail(err, name, 0, 0, "no model text");
        goto out;
    }
    if (len > MODEL_MAX_FILE_BYTES) {
        ft_fail(err, name, 0, 0, "the model is %zu bytes; the limit is %u bytes (16 MiB)", len,
                MODEL_MAX_FILE_BYTES);
        goto out;
    }
    size_t bad = base_utf8_check(text, len);
    const char *nul = len ? memchr(text, '\0', len) : NULL;
    if (bad < len || nul) {
        size_t at = nul && (size_t)(nul - text) < bad ? (size_t)(nul - text) : bad;
        int line, col;
        base_text_pos(text, len, at, true, &line, &col);
        if (at == bad)
            ft_fail(err, name, line, col, "not valid UTF-8 (byte 0x%02x at offset %zu)",
                    (unsigned char)text[at], at);
        else
            ft_fail(err, name, line, col, "a NUL byte at offset %zu: a model file is text", at);
        goto out;
    }
    if (ydoc_parse(&doc, len ? text : "", len, name, err))
        goto out;
    if (ynode_is_null(doc.root)) {
        ft_fail(err, name, 1, 1, "empty model file");
        goto out;
    }
    if (n_ov && model_apply_overrides(&doc, ov, n_ov, err))
        goto out;
    if (!(m = calloc(1, sizeof *m)) || !(m->path = strdup(name))) {
        ft_fail(err, name, 0, 0, "out of memory while loading the model");
        goto out;
    }
    m->run.seed = 1;
    m->run.max_items = MODEL_DEFAULT_MAX_ITEMS;
    m->layout.shipping = MODEL_NONE;
    c.m = m;
    if (load(&c, doc.root))
        goto out;
    done = m;
    m = NULL;
out:
    model_free(m);
    mnames_free(&c.stations);
    mnames_free(&c.products);
    mnames_free(&c.buffers);
    mnames_free(&c.calendars);
    mnames_free(&c.sources);
    mnames_free(&c.conveyors);
    mnames_free(&c.nodes);
    free(c.made_by);
    ydoc_free(&doc);
    return done;
}

model_desc *model_load_file(const char *path, ft_error *err)
{
    return model_load_file_with(path, NULL, 0, err);
}

model_desc *model_load_file_with(const char *path, const ft_override *ov, size_t n_ov,
                                 ft_error *err)
{
    char *text = NULL;
    size_t len = 0;
    if (!path)
        return ft_fail(err, NULL, 0, 0, "no model file given"), NULL;
    if (base_read_file(path, MODEL_MAX_FILE_BYTES, "the model file", &text, &len, err))
        return NULL;
    model_desc *m = model_load_string_with(text, len, path, ov, n_ov, err);
    free(text);
    return m;
}
