/* model_override.c -- parameter overrides: set a value in a model file's
 * tree by its path ("stations.weld.servers") before the model is read.
 *
 * Overriding the parsed tree rather than the finished model_desc means one
 * code path reads and checks every value: an override is validated with
 * exactly the rules, units and messages of the file itself, any value the
 * file can hold can be varied (a count, a duration, a distribution), and a
 * key the file left out (a station's `servers`, defaulting to 1) can be
 * added. The nodes an override adds carry its origin, so the loader's
 * messages about them point at the override, not at the model.
 *
 * A path is a walk: in a mapping a component is a key; in a list it picks
 * the entry whose `name` (or, for routing steps, `station`) is the
 * component, or a 0-based index. Keys missing on the way are created. A path
 * must end at a single value; renaming an entity (a final `name`) is not a
 * parameter, since every scenario of an experiment must have the same
 * entities. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

#define MAX_COMPONENTS 16

typedef struct opath {
    char buf[1024];            /* the path, split in place */
    const char *comp[MAX_COMPONENTS];
    size_t n;
} opath;

static int path_fail(const ft_override *ov, ft_error *err, const char *fmt, const char *a,
                     const char *b)
{
    char msg[700];
    snprintf(msg, sizeof msg, fmt, a, b);
    char q[96];
    return ft_fail(err, ov->file, ov->line, ov->col, "parameter %s: %s",
                   mu_quote(ov->path, q, sizeof q), msg);
}

/* Split "a.b.[c.d].e" into components; brackets hold a name with dots. */
static int split_path(const ft_override *ov, opath *p, ft_error *err)
{
    size_t len = strlen(ov->path);
    if (len == 0 || len >= sizeof p->buf)
        return path_fail(ov, err, "%s%s", len ? "the path is too long" : "the path is empty", "");
    memcpy(p->buf, ov->path, len + 1);
    p->n = 0;
    char *s = p->buf;
    for (;;) {
        if (p->n == MAX_COMPONENTS)
            return path_fail(ov, err, "more than %s components%s", "16", "");
        char *start = s;
        if (*s == '[') {
            char *close = strchr(++start, ']');
            if (!close)
                return path_fail(ov, err, "%s%s", "a '[' needs a closing ']'", "");
            *close = '\0';
            s = close + 1;
        } else {
            s += strcspn(s, ".");
        }
        if (*s != '\0' && *s != '.')
            return path_fail(ov, err, "%s%s", "a ']' must end the path or come before a '.'", "");
        if (*start == '\0' || start == s)
            return path_fail(ov, err, "%s%s", "a component is empty (two dots in a row?)", "");
        p->comp[p->n++] = start;
        if (*s == '\0')
            return 0;
        *s++ = '\0';
        if (*s == '\0')
            return path_fail(ov, err, "%s%s", "the path ends with a dot", "");
    }
}

static ynode *new_scalar(ydoc *d, const ft_override *ov, const char *text)
{
    ynode *n = ydoc_alloc(d, sizeof *n);
    size_t len = strlen(text);
    char *t = n ? ydoc_alloc(d, len + 1) : NULL;
    if (!t)
        return NULL;
    memcpy(t, text, len + 1);
    n->kind = YNODE_SCALAR;
    n->text = t;
    n->len = len;
    n->plain = true;
    n->file = ov->file;
    n->line = ov->line;
    n->col = ov->col;
    return n;
}

static ynode *new_map(ydoc *d, const ft_override *ov)
{
    ynode *n = ydoc_alloc(d, sizeof *n);
    if (n) {
        n->kind = YNODE_MAP;
        n->file = ov->file;
        n->line = ov->line;
        n->col = ov->col;
    }
    return n;
}

/* Add key: val to a mapping (its pair array is copied into the arena). */
static int map_add(ydoc *d, ynode *map, ynode *key, ynode *val)
{
    ynode **kids = ydoc_alloc(d, (2 * map->n + 2) * sizeof *kids);
    if (!kids)
        return -1;
    if (map->n)
        memcpy(kids, map->kids, 2 * map->n * sizeof *kids);
    kids[2 * map->n] = key;
    kids[2 * map->n + 1] = val;
    map->kids = kids;
    map->n++;
    return 0;
}

static ynode *map_value(const ynode *map, const char *key)
{
    for (size_t i = 0; i < map->n; i++) {
        const ynode *k = map->kids[2 * i];
        if (k->kind == YNODE_SCALAR && strcmp(k->text, key) == 0)
            return map->kids[2 * i + 1];
    }
    return NULL;
}

/* The name an entry of a list goes by: its `name`, else its `station`. */
static const char *entry_name(const ynode *e)
{
    if (e->kind != YNODE_MAP)
        return NULL;
    const ynode *v = map_value(e, "name");
    if (!v)
        v = map_value(e, "station");
    return v && v->kind == YNODE_SCALAR ? v->text : NULL;
}

static int pick_entry(const ft_override *ov, const ynode *list, const char *comp,
                      const char *list_key, ynode **out, ft_error *err)
{
    size_t hits = 0;
    for (size_t i = 0; i < list->n; i++) {
        const char *nm = entry_name(list->kids[i]);
        if (nm && strcmp(nm, comp) == 0) {
            if (!hits++)
                *out = list->kids[i];
        }
    }
    if (hits == 1)
        return 0;
    if (hits > 1)
        return path_fail(ov, err, "more than one entry of '%s' is named '%s'; use its index",
                         list_key, comp);
    char *end;
    unsigned long idx = strtoul(comp, &end, 10);
    if (*end == '\0' && comp[0] >= '0' && comp[0] <= '9') {
        if (idx < list->n) {
            *out = list->kids[idx];
            return 0;
        }
        return path_fail(ov, err, "'%s' has fewer entries than index %s", list_key, comp);
    }
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < list->n; i++) {
        const char *nm = entry_name(list->kids[i]);
        size_t dist = nm ? mu_distance(nm, comp, 2) : 3;
        if (dist < best_d) {
            best_d = dist;
            best = nm;
        }
    }
    char msg[400];
    snprintf(msg, sizeof msg, "no entry named '%s' in '%s'", comp, list_key);
    if (best)
        snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (did you mean '%s'?)", best);
    return path_fail(ov, err, "%s%s", msg, "");
}

static int apply_one(ydoc *d, const ft_override *ov, ft_error *err)
{
    opath p;
    if (split_path(ov, &p, err))
        return -1;
    if (!ov->value)
        return path_fail(ov, err, "%s%s", "no value given", "");
    if (strcmp(p.comp[p.n - 1], "name") == 0)
        return path_fail(ov, err, "%s%s",
                         "renaming is not a parameter: every scenario has the same entities", "");
    ynode *node = (ynode *)d->root;
    const char *where = "the model";
    for (size_t i = 0; i < p.n; i++) {
        const char *comp = p.comp[i];
        bool last = i + 1 == p.n;
        if (node->kind == YNODE_SEQ) {
            if (pick_entry(ov, node, comp, where, &node, err))
                return -1;
            if (last)
                return path_fail(ov, err, "'%s' is a whole entry of '%s'; name a value inside it",
                                 comp, where);
            if (node->kind != YNODE_MAP)
                return path_fail(ov, err, "the entry '%s' of '%s' is not a mapping", comp, where);
            where = comp;
            continue;
        }
        if (node->kind != YNODE_MAP)
            return path_fail(ov, err, "'%s' is a single value; it has no '%s'", where, comp);
        ynode *v = NULL;
        size_t k;
        for (k = 0; k < node->n; k++) {
            const ynode *key = node->kids[2 * k];
            if (key->kind == YNODE_SCALAR && strcmp(key->text, comp) == 0) {
                v = node->kids[2 * k + 1];
                break;
            }
        }
        if (last) {
            if (v && (v->kind != YNODE_SCALAR))
                return path_fail(ov, err, "'%s' is a section, not a single value%s", comp, "");
            ynode *val = new_scalar(d, ov, ov->value);
            if (!val)
                return ft_fail(err, ov->file, ov->line, ov->col, "out of memory");
            if (v) {
                node->kids[2 * k + 1] = val;
                return 0;
            }
            ynode *key = new_scalar(d, ov, comp);
            if (!key || map_add(d, node, key, val))
                return ft_fail(err, ov->file, ov->line, ov->col, "out of memory");
            return 0;
        }
        if (!v || ynode_is_null(v)) {
            ynode *key = v ? node->kids[2 * k] : new_scalar(d, ov, comp);
            ynode *map = new_map(d, ov);
            if (!key || !map)
                return ft_fail(err, ov->file, ov->line, ov->col, "out of memory");
            if (v)
                node->kids[2 * k + 1] = map;
            else if (map_add(d, node, key, map))
                return ft_fail(err, ov->file, ov->line, ov->col, "out of memory");
            v = map;
        }
        node = v;
        where = comp;
    }
    return 0;
}

int model_apply_overrides(ydoc *d, const ft_override *ov, size_t n, ft_error *err)
{
    if (!d->root || d->root->kind != YNODE_MAP)
        return 0; /* the loader reports what the file is */
    for (size_t i = 0; i < n; i++)
        if (apply_one(d, &ov[i], err))
            return -1;
    return 0;
}
