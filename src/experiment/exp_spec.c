/* exp_spec.c -- the description of an experiment: defaults, the experiment
 * file (docs/experiment.md) and the `--vary path=values` shorthand.
 *
 * Only the form is checked here (keys, numbers, units, ranges); whether a
 * parameter path exists and a value suits it is the model loader's call,
 * made for every scenario when the plan is built, before anything runs. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_file.h"
#include "experiment/experiment.h"
#include "model/model_text.h"

#define EXP_SPEC_MAX_BYTES BASE_MIB /* an experiment file */

#define MAX_VALUES 10000 /* values of one factor */

void exp_spec_init(exp_spec *s)
{
    memset(s, 0, sizeof *s);
    s->reps_min = s->reps_max = 10;
    s->confidence = 0.95;
    s->warmup = EXP_WARMUP_MODEL;
    s->mser_pilots = 5;
    s->crn = true;
    s->goal_max = true;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

void exp_spec_free(exp_spec *s)
{
    for (size_t i = 0; i < s->n_factors; i++) {
        free(s->factors[i].path);
        free_strings(s->factors[i].values, s->factors[i].n_values);
        free(s->factors[i].origin.file);
    }
    free(s->factors);
    for (size_t i = 0; i < s->n_named; i++) {
        exp_named *n = &s->named[i];
        free(n->name);
        free_strings(n->paths, n->n_set);
        free_strings(n->values, n->n_set);
        for (size_t k = 0; k < n->n_set; k++)
            free(n->origins[k].file);
        free(n->origins);
    }
    free(s->named);
    free(s->name);
    free(s->model_path);
    free(s->target_kpi);
    free(s->goal_kpi);
    free_strings(s->responses, s->n_responses);
    memset(s, 0, sizeof *s);
}

/* ---- value lists -------------------------------------------------------- */

typedef struct vlist {
    char **v;
    size_t n, cap;
} vlist;

static int vlist_add(vlist *l, const char *s, size_t len)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strndup(s, len)))
        return -1;
    l->n++;
    return 0;
}

/* A number and the unit after it ("90s" -> 90, "s"); false when no number. */
static bool number_unit(const char *s, size_t len, double *v, char *unit, size_t unit_size)
{
    char buf[128];
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    *v = strtod(buf, &end);
    if (end == buf || !isfinite(*v))
        return false;
    while (isspace((unsigned char)*end))
        end++;
    if (strlen(end) >= unit_size)
        return false;
    strcpy(unit, end);
    return true;
}

/* "a..b:step" (step 1 when left out), each end with the same unit. */
static int parse_range(const char *text, const char *dots, vlist *out, char *why, size_t wsz)
{
    const char *colon = strchr(dots + 2, ':');
    double a, b, step = 1;
    char ua[32], ub[32], us[32] = "";
    size_t blen = colon ? (size_t)(colon - dots - 2) : strlen(dots + 2);
    if (!number_unit(text, (size_t)(dots - text), &a, ua, sizeof ua) ||
        !number_unit(dots + 2, blen, &b, ub, sizeof ub) ||
        (colon && !number_unit(colon + 1, strlen(colon + 1), &step, us, sizeof us))) {
        snprintf(why, wsz, "a range is FROM..TO or FROM..TO:STEP with numbers (like 2..10:2 or "
                           "90s..120s:10s)");
        return -1;
    }
    if (strcmp(ua, ub) != 0 || (colon && *us && strcmp(us, ua) != 0)) {
        snprintf(why, wsz, "the ends and the step of a range need the same unit");
        return -1;
    }
    if (!(step > 0)) {
        snprintf(why, wsz, "the step of a range must be > 0");
        return -1;
    }
    if (b < a) {
        snprintf(why, wsz, "the range is empty: it ends before it starts");
        return -1;
    }
    double count = floor((b - a) / step * (1 + 1e-12) + 1e-9) + 1;
    if (count > MAX_VALUES) {
        snprintf(why, wsz, "the range has %.0f values; the limit is %d", count, MAX_VALUES);
        return -1;
    }
    for (long i = 0; i < (long)count; i++) {
        char v[64];
        int len = snprintf(v, sizeof v, "%.15g%s", a + (double)i * step, ua);
        if (vlist_add(out, v, (size_t)len))
            return snprintf(why, wsz, "out of memory"), -1;
    }
    return 0;
}

/* Split a list at the commas outside parentheses, or expand a range. */
static int parse_values(const char *text, vlist *out, char *why, size_t wsz)
{
    int depth = 0;
    bool comma = false;
    for (const char *p = text; *p; p++) {
        depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
        comma |= depth == 0 && *p == ',';
    }
    const char *dots = strstr(text, "..");
    if (dots && !comma && !strchr(text, '('))
        return parse_range(text, dots, out, why, wsz);
    const char *start = text;
    depth = 0;
    for (const char *p = text;; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        if (*p == '\0' || (*p == ',' && depth == 0)) {
            const char *b = start, *e = p;
            while (b < e && isspace((unsigned char)*b))
                b++;
            while (e > b && isspace((unsigned char)e[-1]))
                e--;
            if (b == e) {
                snprintf(why, wsz, "an empty value in the list");
                return -1;
            }
            if (vlist_add(out, b, (size_t)(e - b)))
                return snprintf(why, wsz, "out of memory"), -1;
            if (*p == '\0')
                return 0;
            start = p + 1;
        }
    }
}

static int add_factor(exp_spec *s, const char *path, vlist *vals, const char *file, int line,
                      int col, ft_error *err)
{
    for (size_t i = 0; i < s->n_factors; i++)
        if (strcmp(s->factors[i].path, path) == 0)
            return ft_fail(err, file, line, col, "parameter '%s' is varied twice", path);
    exp_factor *f = realloc(s->factors, (s->n_factors + 1) * sizeof *f);
    if (!f)
        return ft_fail(err, file, line, col, "out of memory");
    s->factors = f;
    f = &s->factors[s->n_factors];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    f->origin.file = strdup(file ? file : "");
    f->origin.line = line;
    f->origin.col = col;
    f->values = vals->v;
    f->n_values = vals->n;
    s->n_factors++;
    vals->v = NULL;
    vals->n = 0;
    if (!f->path || !f->origin.file)
        return ft_fail(err, file, line, col, "out of memory");
    return 0;
}

int exp_spec_add_vary(exp_spec *s, const char *text, const char *origin, ft_error *err)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text || !eq[1])
        return ft_fail(err, origin, 0, 0, "expected PATH=VALUES (like stations.weld.servers=1,2,3 "
                                          "or buffers.B2.capacity=2..10:2), got '%s'", text);
    char path[1024], why[200];
    size_t plen = (size_t)(eq - text);
    if (plen >= sizeof path)
        return ft_fail(err, origin, 0, 0, "the parameter path is too long");
    memcpy(path, text, plen);
    path[plen] = '\0';
    vlist vals = {0};
    int rc = parse_values(eq + 1, &vals, why, sizeof why)
                 ? ft_fail(err, origin, 0, 0, "%s: %s", text, why)
                 : add_factor(s, path, &vals, origin, 0, 0, err);
    free_strings(vals.v, vals.n);
    return rc;
}

int exp_spec_add_response(exp_spec *s, const char *kpi, ft_error *err)
{
    char **r = realloc(s->responses, (s->n_responses + 1) * sizeof *r);
    if (!r || !(r[s->n_responses] = strdup(kpi))) {
        if (r)
            s->responses = r;
        return ft_fail(err, NULL, 0, 0, "out of memory");
    }
    s->responses = r;
    s->n_responses++;
    return 0;
}

/* ---- the experiment file ------------------------------------------------ */

typedef struct sctx {
    const char *path;
    ft_error *err;
    exp_spec *s;
} sctx;

static int sfail(sctx *c, const ynode *n, const char *fmt, const char *a)
{
    const char *file = n && n->file ? n->file : c->path;
    return ft_fail(c->err, file, n ? n->line : 0, n ? n->col : 0, fmt, a);
}

static const ynode *get(const ynode *map, const char *key)
{
    for (size_t i = 0; map && map->kind == YNODE_MAP && i < map->n; i++)
        if (map->kids[2 * i]->kind == YNODE_SCALAR && strcmp(map->kids[2 * i]->text, key) == 0)
            return map->kids[2 * i + 1];
    return NULL;
}

/* Every key of a mapping is one of `keys`; a near miss gets a suggestion. */
static int check_keys(sctx *c, const ynode *map, const char *what, const char *const *keys)
{
    char msg[400], q[96];
    if (map->kind != YNODE_MAP)
        return sfail(c, map, "expected a mapping (key: value, ...) for %s", what);
    for (size_t i = 0; i < map->n; i++) {
        const ynode *k = map->kids[2 * i];
        if (k->kind != YNODE_SCALAR)
            return sfail(c, k, "expected a key in %s", what);
        const char *best = NULL;
        size_t best_d = 3, j;
        for (j = 0; keys[j] && strcmp(keys[j], k->text) != 0; j++) {
            size_t d = mu_distance(keys[j], k->text, 2);
            if (d < best_d)
                best_d = d, best = keys[j];
        }
        if (keys[j])
            continue;
        int len = snprintf(msg, sizeof msg, "unknown key %s in %s",
                           mu_quote(k->text, q, sizeof q), what);
        if (best)
            snprintf(msg + len, sizeof msg - (size_t)len, "; did you mean '%s'?", best);
        return sfail(c, k, "%s", msg);
    }
    return 0;
}

static int scalar(sctx *c, const ynode *n, const char *key)
{
    return n->kind == YNODE_SCALAR && !ynode_is_null(n)
               ? 0
               : sfail(c, n, "'%s' needs a single value", key);
}

static int unit_fail(sctx *c, const ynode *n, const mu_err *e)
{
    return sfail(c, n, "%s", e->msg);
}

static int read_whole(sctx *c, const ynode *n, const char *key, long min, long max, int *out)
{
    mu_err e;
    long v;
    if (scalar(c, n, key))
        return -1;
    if (!mu_whole(n->text, min, max, &v, &e))
        return unit_fail(c, n, &e);
    *out = (int)v;
    return 0;
}

static int read_replications(sctx *c, const ynode *n)
{
    exp_spec *s = c->s;
    if (n->kind == YNODE_SCALAR) {
        if (read_whole(c, n, "replications", 1, 1000000, &s->reps_min))
            return -1;
        s->reps_max = s->reps_min;
        return 0;
    }
    static const char *const keys[] = {"min", "max", "half_width", "kpi", NULL};
    const ynode *v;
    mu_err e;
    if (check_keys(c, n, "'replications'", keys))
        return -1;
    s->reps_min = 5;
    s->reps_max = 1000;
    if ((v = get(n, "min")) && read_whole(c, v, "min", 2, 1000000, &s->reps_min))
        return -1;
    if ((v = get(n, "max")) && read_whole(c, v, "max", 2, 1000000, &s->reps_max))
        return -1;
    if (s->reps_max < s->reps_min)
        return sfail(c, n, "%s", "'max' replications is below 'min'");
    if (!(v = get(n, "half_width")))
        return sfail(c, n, "%s", "sequential replications need 'half_width' (like 2%)");
    if (scalar(c, v, "half_width") || !mu_probability(v->text, &s->target_rel_hw, &e))
        return v->kind == YNODE_SCALAR ? unit_fail(c, v, &e) : -1;
    if (!(s->target_rel_hw > 0))
        return sfail(c, v, "%s", "'half_width' must be > 0");
    if ((v = get(n, "kpi"))) {
        if (scalar(c, v, "kpi") || !(s->target_kpi = strdup(v->text)))
            return -1;
    }
    return 0;
}

static int read_goal(sctx *c, const ynode *n)
{
    static const char *const keys[] = {"kpi", "direction", NULL};
    const ynode *v;
    if (check_keys(c, n, "'goal'", keys))
        return -1;
    if ((v = get(n, "kpi"))) {
        if (scalar(c, v, "kpi"))
            return -1;
        free(c->s->goal_kpi);
        if (!(c->s->goal_kpi = strdup(v->text)))
            return -1;
    }
    if ((v = get(n, "direction"))) {
        if (scalar(c, v, "direction"))
            return -1;
        if (strcmp(v->text, "max") != 0 && strcmp(v->text, "min") != 0)
            return sfail(c, v, "%s", "'direction' is max or min");
        c->s->goal_max = strcmp(v->text, "max") == 0;
    }
    return 0;
}

static int read_factors(sctx *c, const ynode *n)
{
    char why[200];
    if (n->kind != YNODE_MAP)
        return sfail(c, n, "%s", "'factors' maps parameter paths to values (path: [1, 2, 3])");
    for (size_t i = 0; i < n->n; i++) {
        const ynode *k = n->kids[2 * i], *v = n->kids[2 * i + 1];
        vlist vals = {0};
        int rc = 0;
        if (k->kind != YNODE_SCALAR)
            return sfail(c, k, "%s", "expected a parameter path");
        if (v->kind == YNODE_SEQ) {
            for (size_t j = 0; j < v->n && !rc; j++)
                rc = scalar(c, v->kids[j], k->text) ||
                     vlist_add(&vals, v->kids[j]->text, v->kids[j]->len);
            if (!rc && vals.n == 0)
                rc = sfail(c, v, "%s", "a factor needs at least one value");
        } else if (scalar(c, v, k->text)) {
            rc = -1;
        } else if (parse_values(v->text, &vals, why, sizeof why)) {
            rc = sfail(c, v, "%s", why);
        }
        if (!rc)
            rc = add_factor(c->s, k->text, &vals, c->path, v->line, v->col, c->err);
        free_strings(vals.v, vals.n);
        if (rc)
            return -1;
    }
    return 0;
}

static int read_named(sctx *c, const ynode *n, exp_named *sc)
{
    static const char *const keys[] = {"name", "set", NULL};
    const ynode *v;
    if (check_keys(c, n, "a scenario", keys))
        return -1;
    if (!(v = get(n, "name")) || scalar(c, v, "name"))
        return v ? -1 : sfail(c, n, "%s", "a scenario needs a 'name'");
    for (size_t i = 0; i < c->s->n_named; i++)
        if (strcmp(c->s->named[i].name, v->text) == 0)
            return sfail(c, v, "two scenarios are named '%s'", v->text);
    if (!(sc->name = strdup(v->text)))
        return -1;
    if (!(v = get(n, "set")) || ynode_is_null(v))
        return 0;
    if (v->kind != YNODE_MAP)
        return sfail(c, v, "%s", "'set' maps parameter paths to values");
    sc->paths = calloc(v->n, sizeof *sc->paths);
    sc->values = calloc(v->n, sizeof *sc->values);
    sc->origins = calloc(v->n, sizeof *sc->origins);
    if (v->n && (!sc->paths || !sc->values || !sc->origins))
        return -1;
    for (size_t i = 0; i < v->n; i++, sc->n_set++) {
        const ynode *k = v->kids[2 * i], *x = v->kids[2 * i + 1];
        if (k->kind != YNODE_SCALAR || scalar(c, x, k->text))
            return -1;
        sc->paths[i] = strdup(k->text);
        sc->values[i] = strdup(x->text);
        sc->origins[i] = (exp_origin){strdup(c->path), x->line, x->col};
        if (!sc->paths[i] || !sc->values[i] || !sc->origins[i].file)
            return -1;
    }
    return 0;
}

static int read_scenarios(sctx *c, const ynode *n)
{
    if (n->kind != YNODE_SEQ)
        return sfail(c, n, "%s", "'scenarios' is a list of { name, set }");
    if (!(c->s->named = calloc(n->n ? n->n : 1, sizeof *c->s->named)))
        return -1;
    for (size_t i = 0; i < n->n; i++) {
        int rc = read_named(c, n->kids[i], &c->s->named[i]);
        c->s->n_named = i + 1;
        if (rc)
            return -1;
    }
    return 0;
}

/* The model path as written, taken relative to the experiment file. */
static int resolve_model(sctx *c, const ynode *v)
{
    if (scalar(c, v, "model"))
        return -1;
    const char *slash = strrchr(c->path, '/');
    size_t dir = v->text[0] == '/' || !slash ? 0 : (size_t)(slash - c->path) + 1;
    char *p = malloc(dir + v->len + 1);
    if (!p)
        return -1;
    memcpy(p, c->path, dir);
    memcpy(p + dir, v->text, v->len + 1);
    c->s->model_path = p;
    return 0;
}

static int read_spec(sctx *c, const ynode *root)
{
    static const char *const keys[] = {"experiment", "model",  "replications", "confidence",
                                       "warmup",     "length", "seed",         "crn",
                                       "goal",       "factors", "scenarios",   "mser_pilots",
                                       "responses",  NULL};
    exp_spec *s = c->s;
    const ynode *v;
    mu_err e;
    if (check_keys(c, root, "the experiment file", keys))
        return -1;
    if ((v = get(root, "experiment")) && !ynode_is_null(v) &&
        (scalar(c, v, "experiment") || !(s->name = strdup(v->text))))
        return -1;
    if (!(v = get(root, "model")))
        return sfail(c, root, "%s", "the experiment file needs 'model: <model file>'");
    if (resolve_model(c, v))
        return -1;
    if ((v = get(root, "replications")) && read_replications(c, v))
        return -1;
    if ((v = get(root, "confidence"))) {
        if (scalar(c, v, "confidence") || !mu_probability(v->text, &s->confidence, &e))
            return v->kind == YNODE_SCALAR ? unit_fail(c, v, &e) : -1;
        if (!(s->confidence > 0 && s->confidence < 1))
            return sfail(c, v, "%s", "'confidence' must be between 0 and 1 (like 95%)");
    }
    if ((v = get(root, "warmup"))) {
        if (scalar(c, v, "warmup"))
            return -1;
        if (strcmp(v->text, "mser5") == 0) {
            s->warmup = EXP_WARMUP_MSER5;
        } else if (!mu_duration(v->text, MU_NONNEG, &s->warmup_s, &e)) {
            return unit_fail(c, v, &e);
        } else {
            s->warmup = EXP_WARMUP_FIXED;
        }
    }
    if ((v = get(root, "mser_pilots")) && read_whole(c, v, "mser_pilots", 1, 1000, &s->mser_pilots))
        return -1;
    if ((v = get(root, "length"))) {
        if (scalar(c, v, "length") || !mu_duration(v->text, MU_POSITIVE, &s->length_s, &e))
            return v->kind == YNODE_SCALAR ? unit_fail(c, v, &e) : -1;
        s->has_length = true;
    }
    if ((v = get(root, "seed"))) {
        if (scalar(c, v, "seed") || !mu_seed(v->text, &s->seed, &e))
            return v->kind == YNODE_SCALAR ? unit_fail(c, v, &e) : -1;
        s->has_seed = true;
    }
    if ((v = get(root, "crn")) &&
        (scalar(c, v, "crn") || !mu_bool(v->text, &s->crn, &e)))
        return v->kind == YNODE_SCALAR ? unit_fail(c, v, &e) : -1;
    if ((v = get(root, "goal")) && read_goal(c, v))
        return -1;
    if ((v = get(root, "responses")) && !ynode_is_null(v)) {
        if (v->kind != YNODE_SEQ)
            return sfail(c, v, "%s", "'responses' is a list of KPI names");
        for (size_t i = 0; i < v->n; i++)
            if (scalar(c, v->kids[i], "responses") ||
                exp_spec_add_response(s, v->kids[i]->text, c->err))
                return -1;
    }
    if ((v = get(root, "factors")) && !ynode_is_null(v) && read_factors(c, v))
        return -1;
    if ((v = get(root, "scenarios")) && !ynode_is_null(v) && read_scenarios(c, v))
        return -1;
    return 0;
}

static int parse_file(const char *path, ydoc *doc, ft_error *err)
{
    char *text = NULL;
    size_t len = 0;
    if (base_read_file(path, EXP_SPEC_MAX_BYTES, "the experiment file", &text, &len, err))
        return -1;
    int rc = 0;
    if (base_utf8_check(text, len) < len || memchr(text, '\0', len))
        rc = ft_fail(err, path, 0, 0, "the experiment file is not UTF-8 text");
    else
        rc = ydoc_parse(doc, text, len, path, err);
    free(text);
    return rc;
}

bool exp_file_is_experiment(const char *path)
{
    ydoc doc = {0};
    ft_error err;
    bool yes = parse_file(path, &doc, &err) == 0 && doc.root && doc.root->kind == YNODE_MAP &&
               get(doc.root, "experiment");
    ydoc_free(&doc);
    return yes;
}

int exp_spec_read_file(exp_spec *s, const char *path, ft_error *err)
{
    ydoc doc = {0};
    sctx c = {.path = path, .err = err, .s = s};
    if (parse_file(path, &doc, err))
        return -1;
    int rc = 0;
    err->msg[0] = '\0'; /* a failure without a message was out of memory */
    if (!doc.root || doc.root->kind != YNODE_MAP)
        rc = ft_fail(err, path, 1, 1, "an experiment file is a mapping (experiment:, model:, ...)");
    else if (read_spec(&c, doc.root))
        rc = err->msg[0] ? -1 : ft_fail(err, path, 0, 0, "out of memory reading the experiment file");
    ydoc_free(&doc);
    return rc;
}
