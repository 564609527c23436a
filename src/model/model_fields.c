/* model_fields.c -- reading typed fields out of YAML mappings, with errors
 * that point at the value and say where it sits.
 *
 * Every mapping the loader reads goes through mc_fields first: unknown keys
 * (with the closest valid key as a suggestion) and repeated keys are errors,
 * so a typo never silently turns into a default. Names of entities are kept
 * in sorted tables for lookups, duplicate detection and "did you mean". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

/* ---- failing ------------------------------------------------------------ */

const char *mc_label(char *buf, size_t size, const char *kind, const char *name)
{
    char q[96];
    snprintf(buf, size, "%s %s", kind, mu_quote(name, q, sizeof q));
    return buf;
}

int mc_fail(mctx *c, const ynode *n, const char *fmt, ...)
{
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *file = n && n->file ? n->file : c->path;
    return ft_fail(c->err, file, n ? n->line : 0, n ? n->col : 0, "%s", msg);
}

int mc_fail_in(mctx *c, const ynode *n, size_t at, const char *fmt, ...)
{
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int col = n->col;
    if (n->kind == YNODE_SCALAR && n->text_col && at <= n->len)
        col = n->text_col + (int)base_utf8_chars(n->text, at);
    return ft_fail(c->err, n->file ? n->file : c->path, n->line, col, "%s", msg);
}

int mc_oom(mctx *c)
{
    return ft_fail(c->err, c->path, 0, 0, "out of memory while loading the model");
}

/* ---- keys --------------------------------------------------------------- */

static int cmp_key(const void *a, const void *b)
{
    const ynode *x = *(const ynode *const *)a, *y = *(const ynode *const *)b;
    int r = strcmp(x->text, y->text);
    return r ? r : (x->off > y->off) - (x->off < y->off);
}

/* Keys are scalars (checked by the caller); report the second of a pair. */
static int dup_keys(mctx *c, const ynode *map, const char *what)
{
    size_t n = map->n;
    if (n < 2)
        return 0;
    const ynode *local[16], **k = n <= 16 ? local : malloc(n * sizeof *k);
    if (!k)
        return mc_oom(c);
    for (size_t i = 0; i < n; i++)
        k[i] = map->kids[2 * i];
    qsort(k, n, sizeof *k, cmp_key);
    const ynode *first = NULL, *dup = NULL;
    for (size_t i = 1; i < n; i++)
        if (strcmp(k[i - 1]->text, k[i]->text) == 0 && (!dup || k[i]->off < dup->off)) {
            dup = k[i];
            first = k[i - 1];
            while (i + 1 < n && strcmp(k[i + 1]->text, dup->text) == 0)
                i++;
        }
    if (k != local)
        free((void *)k);
    if (!dup)
        return 0;
    char q[96];
    return mc_fail(c, dup, "duplicate key %s in %s (first given at line %d, column %d)",
                   mu_quote(dup->text, q, sizeof q), what, first->line, first->col);
}

static int scalar_keys(mctx *c, const ynode *map, const char *what)
{
    char d[96];
    for (size_t i = 0; i < map->n; i++) {
        const ynode *k = map->kids[2 * i];
        if (k->kind != YNODE_SCALAR || ynode_is_null(k))
            return mc_fail(c, k, "expected a key in %s, got %s", what,
                           ynode_describe(k, d, sizeof d));
    }
    return 0;
}

static int need_map(mctx *c, const ynode *n, const char *what)
{
    char d[96];
    if (!n || n->kind != YNODE_MAP)
        return mc_fail(c, n, "expected a mapping (key: value, ...) for %s, got %s", what,
                       ynode_describe(n, d, sizeof d));
    return 0;
}

/* An unknown key right after a plain value with an unclosed '(' is almost
 * always a distribution cut in two: in a flow mapping, `time: uniform(1s,
 * 2s }` ends the value at the comma and reads "2s" as the next key. Say so
 * at the '(' rather than "unknown key '2s'". Returns -1 after failing, 0
 * when that is not the case. */
static int unclosed_paren(mctx *c, const ynode *value, const ynode *key)
{
    if (value->kind != YNODE_SCALAR || !value->plain)
        return 0;
    size_t open = 0;
    int depth = 0;
    for (size_t j = 0; j < value->len; j++) {
        if (value->text[j] == '(' && depth++ == 0)
            open = j;
        else if (value->text[j] == ')' && depth > 0)
            depth--;
    }
    if (depth == 0)
        return 0;
    char q[96], q2[96];
    return mc_fail_in(c, value, open,
                      "the '(' of %s is not closed: a ')' is missing (inside { ... } a ',' ends "
                      "the value there, so %s was read as the next key)",
                      mu_quote(value->text, q, sizeof q), mu_quote(key->text, q2, sizeof q2));
}

int mc_fields(mctx *c, const ynode *n, const char *what, const char *const *keys)
{
    if (need_map(c, n, what) || scalar_keys(c, n, what))
        return -1;
    for (size_t i = 0; i < n->n; i++) {
        const ynode *k = n->kids[2 * i];
        const char *best = NULL;
        size_t best_d = 3;
        bool known = false;
        for (size_t j = 0; keys[j] && !known; j++) {
            known = strcmp(keys[j], k->text) == 0;
            size_t d = mu_distance(k->text, keys[j], 2);
            if (d < best_d && d < base_utf8_chars(k->text, k->len)) {
                best_d = d;
                best = keys[j];
            }
        }
        if (known)
            continue;
        char q[96];
        if (i > 0 && unclosed_paren(c, n->kids[2 * i - 1], k))
            return -1;
        if (best)
            return mc_fail(c, k, "unknown key %s in %s; did you mean '%s'?",
                           mu_quote(k->text, q, sizeof q), what, best);
        char list[400];
        size_t o = 0;
        list[0] = '\0';
        for (size_t j = 0; keys[j] && o < sizeof list; j++)
            o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", j ? ", " : "", keys[j]);
        return mc_fail(c, k, "unknown key %s in %s; expected one of: %s",
                       mu_quote(k->text, q, sizeof q), what, list);
    }
    return dup_keys(c, n, what);
}

int mc_free_keys(mctx *c, const ynode *n, const char *what)
{
    if (need_map(c, n, what) || scalar_keys(c, n, what))
        return -1;
    return dup_keys(c, n, what);
}

const ynode *mc_get(const ynode *map, const char *key)
{
    if (!map || map->kind != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (map->kids[2 * i]->kind == YNODE_SCALAR && strcmp(map->kids[2 * i]->text, key) == 0)
            return map->kids[2 * i + 1];
    return NULL;
}

const ynode *mc_key(const ynode *map, const char *key)
{
    if (!map || map->kind != YNODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (map->kids[2 * i]->kind == YNODE_SCALAR && strcmp(map->kids[2 * i]->text, key) == 0)
            return map->kids[2 * i];
    return NULL;
}

int mc_need(mctx *c, const ynode *map, const char *what, const char *key, const ynode **out)
{
    const ynode *v = mc_get(map, key);
    if (!v)
        return mc_fail(c, map, "missing required field '%s' in %s", key, what);
    if (ynode_is_null(v))
        return mc_fail(c, v, "expected a value for '%s' in %s, got nothing", key, what);
    *out = v;
    return 0;
}

int mc_list(mctx *c, const ynode *n, const char *what, const char *key, bool allow_null)
{
    char d[96];
    if (n && n->kind == YNODE_SEQ)
        return 0;
    if (allow_null && ynode_is_null(n))
        return 0;
    return mc_fail(c, n, "expected a list for '%s' in %s, got %s", key, what,
                   ynode_describe(n, d, sizeof d));
}

int mc_scalar(mctx *c, const ynode *n, const char *what, const char *key)
{
    char d[96];
    if (n && n->kind == YNODE_SCALAR && !ynode_is_null(n))
        return 0;
    return mc_fail(c, n, "expected a single value for '%s' in %s, got %s", key, what,
                   ynode_describe(n, d, sizeof d));
}

/* ---- typed values ------------------------------------------------------- */

static int unit_fail(mctx *c, const ynode *n, const mu_err *e, const char *what, const char *key)
{
    return mc_fail_in(c, n, e->at, "%s ('%s' of %s)", e->msg, key, what);
}

int mc_name(mctx *c, const ynode *n, const char *what, const char *key, char **out)
{
    if (mc_scalar(c, n, what, key))
        return -1;
    const char *s = n->text;
    if (n->len == 0)
        return mc_fail(c, n, "a name may not be empty ('%s' of %s)", key, what);
    if (n->len > MODEL_MAX_NAME_BYTES)
        return mc_fail(c, n, "a name may be at most %d bytes long ('%s' of %s)",
                       MODEL_MAX_NAME_BYTES, key, what);
    for (size_t i = 0; i < n->len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return mc_fail_in(c, n, i, "a name may not contain control characters ('%s' of %s)",
                              key, what);
    if (s[0] == ' ' || s[n->len - 1] == ' ')
        return mc_fail(c, n, "a name may not begin or end with a space ('%s' of %s)", key, what);
    if (!(*out = strdup(s)))
        return mc_oom(c);
    return 0;
}

int mc_dist(mctx *c, const ynode *n, const char *what, const char *key, mu_sign sign,
            sim_dist *out)
{
    mu_err e;
    if (mc_scalar(c, n, what, key))
        return -1;
    if (!mu_dist(n->text, sign, out, &e))
        return unit_fail(c, n, &e, what, key);
    mc_note_step(c, n, sim_dist_mean(out), what, key);
    return 0;
}

int mc_duration(mctx *c, const ynode *n, const char *what, const char *key, mu_sign sign,
                double *out)
{
    mu_err e;
    if (mc_scalar(c, n, what, key))
        return -1;
    if (!mu_duration(n->text, sign, out, &e))
        return unit_fail(c, n, &e, what, key);
    return 0;
}

int mc_whole(mctx *c, const ynode *n, const char *what, const char *key, long min, long max,
             long *out)
{
    mu_err e;
    if (mc_scalar(c, n, what, key))
        return -1;
    if (!mu_whole(n->text, min, max, out, &e))
        return unit_fail(c, n, &e, what, key);
    return 0;
}

int mc_bool(mctx *c, const ynode *n, const char *what, const char *key, bool *out)
{
    mu_err e;
    if (mc_scalar(c, n, what, key))
        return -1;
    if (!mu_bool(n->text, out, &e))
        return unit_fail(c, n, &e, what, key);
    return 0;
}

int mc_probability(mctx *c, const ynode *n, const char *what, const char *key, double *out)
{
    mu_err e;
    if (mc_scalar(c, n, what, key))
        return -1;
    if (!mu_probability(n->text, out, &e))
        return unit_fail(c, n, &e, what, key);
    return 0;
}

int mc_quantity(mctx *c, const ynode *n, const char *what, const char *key, const char *unit,
                double *out)
{
    mu_err e;
    if (mc_scalar(c, n, what, key))
        return -1;
    if (!mu_quantity(n->text, unit, out, &e))
        return unit_fail(c, n, &e, what, key);
    return 0;
}

int mc_point(mctx *c, const ynode *n, const char *what, const char *key, double xy_m[2])
{
    mu_err e;
    if (n->kind != YNODE_SEQ || n->n != 2)
        return mc_fail(c, n, "'%s' of %s is a position [x, y] with units, like [12m, 4.5m]", key,
                       what);
    for (size_t i = 0; i < 2; i++) {
        const ynode *v = n->kids[i];
        if (mc_scalar(c, v, what, key))
            return -1;
        if (!mu_coordinate(v->text, &xy_m[i], &e))
            return unit_fail(c, v, &e, what, key);
    }
    return 0;
}

/* ---- names -------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
    const mname_ent *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    return r ? r : (x->index > y->index) - (x->index < y->index);
}

int mc_names(mctx *c, mnames *t, const char *kind, const char **names, const model_pos *pos,
             size_t n)
{
    t->kind = kind;
    t->n = n;
    if (!n)
        return 0;
    if (!(t->sorted = malloc(n * sizeof *t->sorted)))
        return mc_oom(c);
    for (size_t i = 0; i < n; i++)
        t->sorted[i] = (mname_ent){names[i], i};
    qsort(t->sorted, n, sizeof *t->sorted, cmp_name);
    size_t dup = n, first = n;
    for (size_t i = 1; i < n; i++)
        if (strcmp(t->sorted[i - 1].name, t->sorted[i].name) == 0 &&
            (dup == n || t->sorted[i].index < dup)) {
            dup = t->sorted[i].index;
            first = t->sorted[i - 1].index;
        }
    if (dup == n)
        return 0;
    char q[96];
    return ft_fail(c->err, c->path, pos[dup].line, pos[dup].col,
                   "duplicate %s name %s (first defined at line %d, column %d)", kind,
                   mu_quote(names[dup], q, sizeof q), pos[first].line, pos[first].col);
}

void mnames_free(mnames *t)
{
    free(t->sorted);
    t->sorted = NULL;
    t->n = 0;
}

int mnames_find(const mnames *t, const char *name)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(t->sorted[mid].name, name);
        if (r == 0) {
            /* the first entity of that name (names are unique once loaded) */
            while (mid > 0 && strcmp(t->sorted[mid - 1].name, name) == 0)
                mid--;
            return (int)t->sorted[mid].index;
        }
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return MODEL_NONE;
}

const char *mnames_suggest(const mnames *t, const char *name)
{
    const char *best = NULL;
    size_t best_d = 3, chars = base_utf8_chars(name, strlen(name));
    for (size_t i = 0; i < t->n; i++) {
        size_t d = mu_distance(name, t->sorted[i].name, 2);
        if (d < best_d && d < chars) {
            best_d = d;
            best = t->sorted[i].name;
        }
    }
    return best;
}

int mc_ref(mctx *c, const ynode *n, const char *what, const char *key, const mnames *t, int *out)
{
    if (mc_scalar(c, n, what, key))
        return -1;
    int i = mnames_find(t, n->text);
    if (i != MODEL_NONE) {
        *out = i;
        return 0;
    }
    char q[96];
    const char *near = mnames_suggest(t, n->text);
    if (near)
        return mc_fail(c, n, "%s %s is not defined; did you mean '%s'?", t->kind,
                       mu_quote(n->text, q, sizeof q), near);
    return mc_fail(c, n, "%s %s is not defined ('%s' of %s)", t->kind,
                   mu_quote(n->text, q, sizeof q), key, what);
}

char *mc_resolve(const mctx *c, const char *rel)
{
    const char *slash = c->path ? strrchr(c->path, '/') : NULL;
    size_t dir = rel[0] == '/' || !slash ? 0 : (size_t)(slash - c->path) + 1;
    size_t n = strlen(rel);
    char *out = malloc(dir + n + 1);
    if (!out)
        return NULL;
    memcpy(out, c->path, dir);
    memcpy(out + dir, rel, n + 1);
    return out;
}
