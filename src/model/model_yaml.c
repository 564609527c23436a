/* model_yaml.c -- from bytes to a small YAML node tree with positions.
 *
 * libyaml's event parser (no recursion, so deep input cannot blow the
 * stack) feeds an explicit stack of open collections; nodes and their
 * strings live in one arena that is freed at once. Only what a model needs
 * is kept: scalars as text (the loader decides what they mean from where
 * they stand, so YAML 1.1's "06:00 is a number" and "no is false" never
 * bite), lists, mappings, and each node's line and column.
 *
 * Anchors and aliases are rejected rather than expanded: a model is small
 * enough to write out, and refusing them removes the "billion laughs"
 * blow-up at the root. Tags are rejected too: they could only change what a
 * scalar means, and here the place decides that. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "model_internal.h"

/* ---- the arena ---------------------------------------------------------- */

typedef struct yblock {
    struct yblock *next;
    size_t used, cap;
    max_align_t data[];
} yblock;

struct yarena {
    yblock *head;
};

#define YBLOCK_BYTES (64u * 1024u)

static void *arena_alloc(yarena *a, size_t size)
{
    size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    if (size == 0)
        size = align;
    yblock *b = a->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > YBLOCK_BYTES ? size : YBLOCK_BYTES;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->cap = cap;
        b->used = 0;
        if (size > YBLOCK_BYTES && a->head) { /* keep filling the current block */
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (unsigned char *)b->data + b->used;
    b->used += size;
    return p;
}

static void arena_free(yarena *a)
{
    if (!a)
        return;
    yblock *b = a->head;
    while (b) {
        yblock *next = b->next;
        free(b);
        b = next;
    }
    free(a);
}

/* ---- building the tree ------------------------------------------------- */

typedef struct yframe {
    ynode *node;
    size_t base;    /* first child in the pending stack */
    bool flow;
} yframe;

typedef struct ybuild {
    yarena *arena;
    const char *text;
    size_t len, bom;
    const char *path;
    ft_error *err;
    ynode **pending;
    size_t n_pending, cap_pending;
    yframe frames[MODEL_MAX_DEPTH];
    int depth;
    size_t n_nodes;
    size_t cur_char, cur_byte; /* cursor from libyaml's character index to bytes */
} ybuild;

/* Byte offset of libyaml's character index; the cursor moves both ways, and
 * marks arrive nearly in order, so the total walk is about the file size. */
static size_t byte_of(ybuild *b, size_t char_index)
{
    const unsigned char *s = (const unsigned char *)b->text;
    while (b->cur_char < char_index && b->cur_byte < b->len) {
        b->cur_byte++;
        while (b->cur_byte < b->len && (s[b->cur_byte] & 0xC0) == 0x80)
            b->cur_byte++;
        b->cur_char++;
    }
    while (b->cur_char > char_index && b->cur_byte > b->bom) {
        b->cur_byte--;
        while (b->cur_byte > b->bom && (s[b->cur_byte] & 0xC0) == 0x80)
            b->cur_byte--;
        b->cur_char--;
    }
    return b->cur_byte;
}

static int fail_mark(ybuild *b, yaml_mark_t mk, const char *fmt, const char *arg)
{
    ft_fail(b->err, b->path, (int)mk.line + 1, (int)mk.column + 1, fmt, arg);
    return -1;
}

static ynode *new_node(ybuild *b, ynode_kind kind, yaml_mark_t mk)
{
    if (++b->n_nodes > MODEL_MAX_NODES) {
        ft_fail(b->err, b->path, (int)mk.line + 1, (int)mk.column + 1,
                "the model has more than %d YAML nodes; that is more than any factory needs",
                MODEL_MAX_NODES);
        return NULL;
    }
    ynode *n = arena_alloc(b->arena, sizeof *n);
    if (!n) {
        ft_fail(b->err, b->path, 0, 0, "out of memory while reading the model");
        return NULL;
    }
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->line = (int)mk.line + 1;
    n->col = (int)mk.column + 1;
    n->off = byte_of(b, mk.index);
    return n;
}

static int push(ybuild *b, ynode *n)
{
    if (b->n_pending == b->cap_pending) {
        size_t cap = b->cap_pending ? 2 * b->cap_pending : 64;
        ynode **p = realloc(b->pending, cap * sizeof *p);
        if (!p)
            return ft_fail(b->err, b->path, 0, 0, "out of memory while reading the model");
        b->pending = p;
        b->cap_pending = cap;
    }
    b->pending[b->n_pending++] = n;
    return 0;
}

static int unbalanced(const char *s)
{
    int depth = 0;
    for (; *s; s++)
        depth += (*s == '(') - (*s == ')');
    return depth;
}

/* In a flow mapping `{ time: tri(1s, 2s, 3s) }` YAML ends the plain value
 * at the first comma and reads "2s" and "3s)" as keys without values. When
 * a plain value opens more parentheses than it closes, take the source text
 * up to the matching ')' instead and drop the pairs whose keys lie inside
 * it. Only done when the text in between holds no quotes, brackets, braces
 * or comments and the ')' is followed by ',' or '}', so nothing YAML meant
 * differently is ever swallowed. */
static int rejoin_flow_values(ybuild *b, ynode **kids, size_t *n_pairs)
{
    for (size_t i = 0; i < *n_pairs; i++) {
        ynode *v = kids[2 * i + 1];
        if (v->kind != YNODE_SCALAR || !v->plain || unbalanced(v->text) <= 0)
            continue;
        size_t p = v->off, end = 0;
        int depth = 0;
        bool newline = false;
        for (; p < b->len; p++) {
            char ch = b->text[p];
            if (strchr("{}[]#\"'", ch))
                break;
            newline |= ch == '\n' || ch == '\r';
            if (ch == '(')
                depth++;
            else if (ch == ')' && --depth == 0) {
                end = p + 1;
                break;
            }
        }
        if (!end)
            continue;
        size_t q = end;
        while (q < b->len && strchr(" \t\r\n", b->text[q]))
            q++;
        if (q >= b->len || (b->text[q] != ',' && b->text[q] != '}'))
            continue;
        size_t n = end - v->off;
        char *t = arena_alloc(b->arena, n + 1);
        if (!t)
            return ft_fail(b->err, b->path, 0, 0, "out of memory while reading the model");
        memcpy(t, b->text + v->off, n);
        t[n] = '\0';
        v->text = t;
        v->len = n;
        v->text_col = newline ? 0 : v->col;
        size_t j = i + 1;
        while (j < *n_pairs && kids[2 * j]->off < end)
            j++;
        memmove(kids + 2 * (i + 1), kids + 2 * j, (*n_pairs - j) * 2 * sizeof *kids);
        *n_pairs -= j - (i + 1);
    }
    return 0;
}

static int end_collection(ybuild *b)
{
    yframe *f = &b->frames[--b->depth];
    size_t n = b->n_pending - f->base;
    ynode **kids = b->pending ? b->pending + f->base : NULL; /* NULL before any node */
    if (f->node->kind == YNODE_MAP) {
        size_t pairs = n / 2;
        if (f->flow && rejoin_flow_values(b, kids, &pairs))
            return -1;
        n = 2 * pairs;
        f->node->n = pairs;
    } else {
        f->node->n = n;
    }
    if (n) {
        f->node->kids = arena_alloc(b->arena, n * sizeof *kids);
        if (!f->node->kids)
            return ft_fail(b->err, b->path, 0, 0, "out of memory while reading the model");
        memcpy(f->node->kids, kids, n * sizeof *kids);
    }
    b->n_pending = f->base;
    return push(b, f->node);
}

static int reject_decorations(ybuild *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                              const yaml_char_t *tag)
{
    if (anchor)
        return fail_mark(b, ev->start_mark,
                         "YAML anchors and aliases are not supported (found anchor '&%s'); "
                         "write the value out where it is used",
                         (const char *)anchor);
    if (tag) {
        /* libyaml expands the "!!" shorthand: show it as written */
        const char *t = (const char *)tag, *std = "tag:yaml.org,2002:";
        char shown[128];
        snprintf(shown, sizeof shown, "%s%s", strncmp(t, std, strlen(std)) == 0 ? "!!" : "",
                 strncmp(t, std, strlen(std)) == 0 ? t + strlen(std) : t);
        return fail_mark(b, ev->start_mark,
                         "YAML tags are not supported (found tag '%s'); the place of a value "
                         "decides what it means",
                         shown);
    }
    return 0;
}

static int on_scalar(ybuild *b, const yaml_event_t *ev)
{
    if (reject_decorations(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag))
        return -1;
    const char *value = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    if (memchr(value, '\0', len))
        return fail_mark(b, ev->start_mark, "%s", "a value contains a NUL character");
    ynode *n = new_node(b, YNODE_SCALAR, ev->start_mark);
    char *t = n ? arena_alloc(b->arena, len + 1) : NULL;
    if (n && !t)
        ft_fail(b->err, b->path, 0, 0, "out of memory while reading the model");
    if (!t)
        return -1;
    memcpy(t, value, len);
    t[len] = '\0';
    n->text = t;
    n->len = len;
    yaml_scalar_style_t style = ev->data.scalar.style;
    n->plain = style == YAML_PLAIN_SCALAR_STYLE;
    if (ev->start_mark.line == ev->end_mark.line) {
        size_t chars = base_utf8_chars(value, len);
        size_t width = ev->end_mark.column - ev->start_mark.column;
        if (n->plain && width == chars)
            n->text_col = n->col;
        else if ((style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                  style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) && width == chars + 2)
            n->text_col = n->col + 1;
    }
    return push(b, n);
}

static int on_start(ybuild *b, const yaml_event_t *ev, ynode_kind kind)
{
    bool map = kind == YNODE_MAP;
    if (reject_decorations(b, ev,
                           map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor,
                           map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag))
        return -1;
    if (b->depth >= MODEL_MAX_DEPTH) {
        ft_fail(b->err, b->path, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                "lists and mappings nested deeper than %d levels", MODEL_MAX_DEPTH);
        return -1;
    }
    ynode *n = new_node(b, kind, ev->start_mark);
    if (!n)
        return -1;
    yframe *f = &b->frames[b->depth++];
    f->node = n;
    f->base = b->n_pending;
    f->flow = map ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                  : ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    return 0;
}

static int syntax_error(ybuild *b, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return ft_fail(b->err, b->path, 0, 0, "out of memory while reading the model");
    const char *problem = p->problem ? p->problem : "unknown error";
    if (p->error == YAML_READER_ERROR) {
        int line, col;
        base_text_pos(b->text, b->len, b->bom + p->problem_offset, true, &line, &col);
        if (p->problem_value != -1)
            return ft_fail(b->err, b->path, line, col, "invalid YAML: %s (U+%04X)", problem,
                           (unsigned)p->problem_value);
        return ft_fail(b->err, b->path, line, col, "invalid YAML: %s", problem);
    }
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    /* A distribution with "v: w" pairs is the usual way to trip over YAML's
     * own colon: say how to write it. */
    const char *hint = "";
    size_t off = byte_of(b, p->problem_mark.index), start = off;
    while (start > 0 && b->text[start - 1] != '\n')
        start--;
    for (size_t i = start; i + 10 <= b->len && b->text[i] != '\n'; i++)
        if (memcmp(b->text + i, "empirical(", 10) == 0) {
            hint = "; a value with ': ' inside must be quoted, as in "
                   "time: \"empirical(10s: 1, 20s: 3)\"";
            break;
        }
    if (p->context)
        return ft_fail(b->err, b->path, line, col, "invalid YAML: %s (%s at line %d, column %d)%s",
                       problem, p->context, (int)p->context_mark.line + 1,
                       (int)p->context_mark.column + 1, hint);
    return ft_fail(b->err, b->path, line, col, "invalid YAML: %s%s", problem, hint);
}

static int build(ybuild *b, yaml_parser_t *p, const ynode **root)
{
    int documents = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(p, &ev))
            return syntax_error(b, p);
        int rc = 0;
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1)
                rc = fail_mark(b, ev.start_mark, "%s",
                               "a model file holds one YAML document; found a second one");
            break;
        case YAML_ALIAS_EVENT:
            rc = fail_mark(b, ev.start_mark,
                           "YAML anchors and aliases are not supported (found alias '*%s'); "
                           "write the value out where it is used",
                           (const char *)ev.data.alias.anchor);
            break;
        case YAML_SCALAR_EVENT:
            rc = on_scalar(b, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
            rc = on_start(b, &ev, YNODE_SEQ);
            break;
        case YAML_MAPPING_START_EVENT:
            rc = on_start(b, &ev, YNODE_MAP);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            rc = end_collection(b);
            break;
        case YAML_STREAM_END_EVENT:
            yaml_event_delete(&ev);
            *root = b->n_pending ? b->pending[0] : NULL;
            return 0;
        case YAML_NO_EVENT:
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            break;
        }
        yaml_event_delete(&ev);
        if (rc)
            return -1;
    }
}

int ydoc_parse(ydoc *d, const char *text, size_t len, const char *path, ft_error *err)
{
    memset(d, 0, sizeof *d);
    ybuild b = {.text = text, .len = len, .path = path, .err = err};
    b.bom = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    b.cur_byte = b.bom;
    yaml_parser_t p;
    int rc = -1;
    if (!(d->arena = calloc(1, sizeof *d->arena)) || !yaml_parser_initialize(&p)) {
        ft_fail(err, path, 0, 0, "out of memory while reading the model");
        arena_free(d->arena);
        d->arena = NULL;
        return -1;
    }
    b.arena = d->arena;
    /* libyaml skips a byte-order mark only when it detects the encoding
     * itself; told it is UTF-8, it reads the mark as a character of line 1,
     * which shifts that line's columns by one and breaks the indentation of
     * the top-level mapping. So the mark is kept out of its input: libyaml's
     * character indices then count from just after it, as byte_of does. */
    yaml_parser_set_input_string(&p, (const unsigned char *)text + b.bom, len - b.bom);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    rc = build(&b, &p, &d->root);
    yaml_parser_delete(&p);
    free(b.pending);
    if (rc) {
        ydoc_free(d);
        return -1;
    }
    return 0;
}

void ydoc_free(ydoc *d)
{
    arena_free(d->arena);
    d->arena = NULL;
    d->root = NULL;
}

bool ynode_is_null(const ynode *n)
{
    if (!n)
        return true;
    if (n->kind != YNODE_SCALAR || !n->plain)
        return false;
    return n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
           strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

const char *ynode_describe(const ynode *n, char *buf, size_t size)
{
    if (!n || ynode_is_null(n))
        return "nothing";
    if (n->kind == YNODE_MAP)
        return "a mapping";
    if (n->kind == YNODE_SEQ)
        return "a list";
    return mu_quote(n->text, buf, size);
}

void *ydoc_alloc(ydoc *d, size_t size)
{
    void *p = arena_alloc(d->arena, size);
    if (p)
        memset(p, 0, size);
    return p;
}
