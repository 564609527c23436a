/* model_orders.c -- order lists: the release schedule of an `orders`
 * source, written inline as a YAML list or kept in a CSV file next to the
 * model (time,product,count[,quantity]).
 *
 * A CSV file is read whole (at most 16 MiB, UTF-8), with RFC 4180 quoting,
 * an optional header row, blank lines and '#' comment lines; its errors
 * name the CSV file itself with its own line and column. Rows may come in
 * any order: they are sorted by time, keeping the file order among equal
 * times. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_file.h"
#include "model_internal.h"

typedef struct ovec {
    model_order *v;
    size_t n, cap;
} ovec;

static bool ovec_add(ovec *a, model_order o)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        model_order *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return false;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = o;
    return true;
}

typedef struct keyed_order {
    model_order o;
    size_t index;
} keyed_order;

static int cmp_order(const void *a, const void *b)
{
    const keyed_order *x = a, *y = b;
    if (x->o.time_s != y->o.time_s)
        return x->o.time_s < y->o.time_s ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Stable sort by time (qsort is not stable: the file index breaks ties). */
static bool sort_orders(ovec *a)
{
    keyed_order *k = malloc((a->n ? a->n : 1) * sizeof *k);
    if (!k)
        return false;
    for (size_t i = 0; i < a->n; i++)
        k[i] = (keyed_order){a->v[i], i};
    qsort(k, a->n, sizeof *k, cmp_order);
    for (size_t i = 0; i < a->n; i++)
        a->v[i] = k[i].o;
    free(k);
    return true;
}

/* The station that makes p (so no source may release it), or NULL. */
static const char *releasable(mctx *c, int p)
{
    return c->made_by[p] == MODEL_NONE ? NULL : c->m->stations[c->made_by[p]].name;
}

/* ---- inline ------------------------------------------------------------- */

static int read_inline(mctx *c, const ynode *list, const char *what, ovec *out)
{
    static const char *const keys[] = {"time", "product", "count", "quantity", NULL};
    for (size_t i = 0; i < list->n; i++) {
        const ynode *row = list->kids[i], *v;
        char ow[460], q[96];
        snprintf(ow, sizeof ow, "order #%zu of %s", i + 1, what);
        model_order o = {0};
        if (mc_fields(c, row, ow, keys) || mc_need(c, row, ow, "time", &v) ||
            mc_duration(c, v, ow, "time", MU_NONNEG, &o.time_s))
            return -1;
        mc_note_time(c, v, o.time_s, ow, "time");
        if (mc_need(c, row, ow, "product", &v) ||
            mc_ref(c, v, ow, "product", &c->products, &o.product))
            return -1;
        const model_product *p = &c->m->products[o.product];
        const char *maker = releasable(c, o.product);
        if (maker)
            return mc_fail(c, v, "product %s is made by station '%s' and starts its routing "
                                 "there; a source cannot release it",
                           mu_quote(p->name, q, sizeof q), maker);
        if (mc_need(c, row, ow, "count", &v) ||
            mc_whole(c, v, ow, "count", 1, MODEL_MAX_COUNT, &o.count))
            return -1;
        o.quantity = p->quantity;
        if ((v = mc_get(row, "quantity")) &&
            mc_quantity(c, v, ow, "quantity", p->unit, &o.quantity))
            return -1;
        if (!ovec_add(out, o))
            return mc_oom(c);
    }
    return 0;
}

/* ---- CSV ---------------------------------------------------------------- */

typedef struct csv_field {
    char *text;      /* unquoted, unescaped, NUL-terminated (owned by the reader) */
    int line, col;   /* of its first character */
    int text_col;    /* column of text[0] if the text maps to columns, else 0 */
} csv_field;

typedef struct csv {
    const char *path;   /* resolved, for messages */
    ft_error *err;
    const char *s;
    size_t len, i;
    int line;
    size_t line_start;
    size_t col_off;     /* a known column on the current line: byte col_off is */
    int col;            /* column col (fields are met left to right) */
    csv_field f[4];
    size_t nf;
    char *buf;          /* unescaped text of the current record's fields */
    size_t cap;
} csv;

static int csv_fail(csv *r, const csv_field *f, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int csv_fail(csv *r, const csv_field *f, size_t at, const char *fmt, ...)
{
    char msg[sizeof r->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int col = f->text_col ? f->text_col + (int)base_utf8_chars(f->text, at) : f->col;
    return ft_fail(r->err, r->path, f->line, col, "%s", msg);
}

/* Column of byte off on the current line, counted on from the last one
 * asked for, so a long line costs its length once, not once per field. */
static int csv_col(csv *r, size_t off)
{
    if (r->col_off < r->line_start || r->col_off > off) {
        r->col_off = r->line_start;
        r->col = 1;
    }
    r->col += (int)base_utf8_chars(r->s + r->col_off, off - r->col_off);
    r->col_off = off;
    return r->col;
}

static bool at_eol(const csv *r)
{
    return r->i >= r->len || r->s[r->i] == '\n' || r->s[r->i] == '\r';
}

static void skip_eol(csv *r)
{
    if (r->i < r->len && r->s[r->i] == '\r')
        r->i++;
    if (r->i < r->len && r->s[r->i] == '\n')
        r->i++;
    r->line++;
    r->line_start = r->i;
}

/* Read one record into r->f; returns 1 on a record, 0 at the end, -1 on error.
 * Field texts live in r->buf, one after another. */
static int csv_record(csv *r)
{
    for (;;) { /* skip blank and comment lines */
        if (r->i >= r->len)
            return 0;
        size_t j = r->i;
        while (j < r->len && (r->s[j] == ' ' || r->s[j] == '\t'))
            j++;
        if (j < r->len && r->s[j] == '#') {
            while (j < r->len && r->s[j] != '\n' && r->s[j] != '\r')
                j++;
        }
        if (j >= r->len || r->s[j] == '\n' || r->s[j] == '\r') {
            r->i = j;
            if (r->i >= r->len)
                return 0;
            skip_eol(r);
            continue;
        }
        break;
    }
    size_t need = r->len - r->i + 8; /* fields never grow when unescaped */
    if (need > r->cap) {
        char *b = realloc(r->buf, need);
        if (!b)
            return ft_fail(r->err, r->path, 0, 0, "out of memory while reading the order list");
        r->buf = b;
        r->cap = need;
    }
    size_t o = 0;
    r->nf = 0;
    for (;;) {
        while (r->i < r->len && (r->s[r->i] == ' ' || r->s[r->i] == '\t'))
            r->i++;
        csv_field f = {r->buf + o, r->line, csv_col(r, r->i), 0};
        if (r->i < r->len && r->s[r->i] == '"') {
            bool escaped = false;
            int line0 = r->line;
            r->i++;
            f.text_col = f.col + 1;
            for (;;) {
                if (r->i >= r->len)
                    return ft_fail(r->err, r->path, f.line, f.col,
                                   "a quoted field is not closed (a '\"' is missing)");
                char ch = r->s[r->i];
                if (ch == '"' && r->i + 1 < r->len && r->s[r->i + 1] == '"') {
                    r->buf[o++] = '"';
                    r->i += 2;
                    escaped = true;
                } else if (ch == '"') {
                    r->i++;
                    break;
                } else if (ch == '\n' || (ch == '\r' && !(r->i + 1 < r->len && r->s[r->i + 1] == '\n'))) {
                    r->buf[o++] = ch;
                    r->i++;
                    r->line++;
                    r->line_start = r->i;
                } else {
                    r->buf[o++] = ch;
                    r->i++;
                }
            }
            if (escaped || r->line != line0)
                f.text_col = 0;
            while (r->i < r->len && (r->s[r->i] == ' ' || r->s[r->i] == '\t'))
                r->i++;
            if (!at_eol(r) && r->s[r->i] != ',')
                return ft_fail(r->err, r->path, r->line, csv_col(r, r->i),
                               "unexpected text after a quoted field; expected ',' or the end "
                               "of the line");
        } else {
            f.text_col = f.col;
            size_t b = r->i;
            while (!at_eol(r) && r->s[r->i] != ',')
                r->i++;
            size_t e = r->i;
            while (e > b && (r->s[e - 1] == ' ' || r->s[e - 1] == '\t'))
                e--;
            memcpy(r->buf + o, r->s + b, e - b);
            o += e - b;
        }
        r->buf[o++] = '\0';
        if (r->nf == sizeof r->f / sizeof *r->f)
            return ft_fail(r->err, r->path, f.line, f.col,
                           "expected 3 or 4 fields (time,product,count[,quantity]), got more");
        r->f[r->nf++] = f;
        if (at_eol(r))
            break;
        r->i++; /* the comma */
    }
    if (r->i < r->len)
        skip_eol(r);
    return 1;
}

static int csv_row(mctx *c, csv *r, ovec *out)
{
    mu_err e;
    char q[96];
    model_order o = {0};
    csv_field *f = r->f;
    if (r->nf != 3 && r->nf != 4)
        return ft_fail(r->err, r->path, f[0].line, f[0].col,
                       "expected 3 or 4 fields (time,product,count[,quantity]), got %zu", r->nf);
    /* (more than 4 are refused while reading the record) */
    if (!mu_duration(f[0].text, MU_NONNEG, &o.time_s, &e))
        return csv_fail(r, &f[0], e.at, "%s (the time of an order)", e.msg);
    mc_note_time_at(c, r->path, f[0].line, f[0].text_col ? f[0].text_col : f[0].col, o.time_s,
                    "time of an order");
    int p = mnames_find(&c->products, f[1].text);
    if (p == MODEL_NONE) {
        const char *near = mnames_suggest(&c->products, f[1].text);
        if (near)
            return csv_fail(r, &f[1], 0, "product %s is not defined; did you mean '%s'?",
                            mu_quote(f[1].text, q, sizeof q), near);
        return csv_fail(r, &f[1], 0, "product %s is not defined in the model",
                        mu_quote(f[1].text, q, sizeof q));
    }
    const char *maker = releasable(c, p);
    if (maker)
        return csv_fail(r, &f[1], 0, "product %s is made by station '%s' and starts its routing "
                                     "there; a source cannot release it",
                        mu_quote(f[1].text, q, sizeof q), maker);
    o.product = p;
    if (!mu_whole(f[2].text, 1, MODEL_MAX_COUNT, &o.count, &e))
        return csv_fail(r, &f[2], e.at, "%s (the count of an order)", e.msg);
    const model_product *pr = &c->m->products[p];
    o.quantity = pr->quantity;
    if (r->nf == 4 && !mu_quantity(f[3].text, pr->unit, &o.quantity, &e))
        return csv_fail(r, &f[3], e.at, "%s (the quantity of an order of %s)", e.msg,
                        mu_quote(pr->name, q, sizeof q));
    if (!ovec_add(out, o))
        return mc_oom(c);
    return 0;
}

static bool is_header(const csv *r)
{
    return r->nf >= 1 && strcmp(r->f[0].text, "time") == 0;
}

static int csv_header(csv *r)
{
    static const char *const names[] = {"time", "product", "count", "quantity"};
    bool ok = r->nf == 3 || r->nf == 4;
    for (size_t i = 0; ok && i < r->nf; i++)
        ok = strcmp(r->f[i].text, names[i]) == 0;
    if (!ok)
        return ft_fail(r->err, r->path, r->f[0].line, r->f[0].col,
                       "the header of an order list must be time,product,count or "
                       "time,product,count,quantity");
    return 0;
}


static int read_csv(mctx *c, const ynode *n, const char *what, model_source *src, ovec *out)
{
    char q[96];
    csv r = {.err = c->err, .line = 1, .col = 1};
    char *path = NULL, *text = NULL;
    size_t len = 0;
    int rc = -1;
    if (mc_name(c, n, what, "orders", &src->orders_file))
        return -1;
    if (!(path = mc_resolve(c, n->text)))
        return mc_oom(c);
    r.path = path;
    char list[640];
    snprintf(list, sizeof list, "order list %s (%s)", mu_quote(n->text, q, sizeof q), path);
    ft_error e;
    if (base_read_file(path, MODEL_MAX_FILE_BYTES, list, &text, &len, &e)) {
        mc_fail(c, n, "%s", e.msg);
        goto out;
    }
    size_t bad = base_utf8_check(text, len);
    const char *nul = memchr(text, '\0', len);
    if (bad < len || nul) {
        size_t at = bad < len ? bad : (size_t)(nul - text);
        int line, col;
        base_text_pos(text, len, at, false, &line, &col);
        if (bad < len)
            ft_fail(c->err, path, line, col, "not valid UTF-8 (byte 0x%02x at offset %zu)",
                    (unsigned char)text[at], at);
        else
            ft_fail(c->err, path, line, col, "a NUL byte at offset %zu", at);
        goto out;
    }
    r.s = text;
    r.len = len;
    r.i = r.line_start = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    bool first = true;
    int k;
    while ((k = csv_record(&r)) > 0) {
        if (first && is_header(&r)) {
            if (csv_header(&r))
                goto out;
        } else if (csv_row(c, &r, out)) {
            goto out;
        }
        first = false;
    }
    if (k < 0)
        goto out;
    if (out->n == 0) {
        mc_fail(c, n, "order list %s has no orders", mu_quote(n->text, q, sizeof q));
        goto out;
    }
    rc = 0;
out:
    free(r.buf);
    free(text);
    free(path);
    return rc;
}

int model_read_orders(mctx *c, const ynode *n, const char *what, model_source *src)
{
    ovec out = {0};
    int rc = -1;
    if (n->kind == YNODE_SEQ) {
        if (n->n == 0) {
            mc_fail(c, n, "the orders of %s are an empty list", what);
            goto out;
        }
        if (read_inline(c, n, what, &out))
            goto out;
    } else if (n->kind == YNODE_SCALAR && !ynode_is_null(n)) {
        if (read_csv(c, n, what, src, &out))
            goto out;
    } else {
        char d[96];
        mc_fail(c, n, "expected a list of orders or the path of a CSV file for 'orders' in %s, "
                      "got %s",
                what, ynode_describe(n, d, sizeof d));
        goto out;
    }
    if (!sort_orders(&out)) {
        mc_oom(c);
        goto out;
    }
    src->orders = out.v;
    src->n_orders = out.n;
    out.v = NULL;
    rc = 0;
out:
    free(out.v);
    return rc;
}
