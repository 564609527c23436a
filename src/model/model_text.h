/* model_text.h -- the model layer's readers of text: a YAML node tree with
 * the position of every node, and parsers of values with units (durations,
 * distributions, quantities, ...). UTF-8 checks and positions are the base
 * layer's (base/base_text.h).
 *
 * The model loader is built on these; the experiment layer reads its own
 * files with them too, so that both speak the same units and report errors
 * the same way. They know nothing of factories. */
#ifndef FABTWIN_MODEL_TEXT_H
#define FABTWIN_MODEL_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base_text.h"
#include "fabtwin/fabtwin.h"
#include "sim/sim_dist.h"

#define MODEL_MAX_DEPTH 64                         /* YAML nesting */
#define MODEL_MAX_NODES 1000000                    /* YAML nodes in one file */

/* ---- the YAML node tree (model_yaml.c) ---------------------------------- */

typedef enum ynode_kind { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP } ynode_kind;

typedef struct ynode {
    ynode_kind kind;
    int line, col;        /* 1-based, of the node's first character */
    size_t off;           /* byte offset of the node's first character */
    /* SCALAR */
    const char *text;     /* NUL-terminated, no NUL inside */
    size_t len;
    bool plain;           /* plain (unquoted) style: may be null */
    int text_col;         /* column of text[0] when every character of text sits
                             verbatim on `line` (so an offset into text maps to a
                             column); 0 when not */
    const char *file;     /* NULL: from the parsed text; else where the node was
                             written (a parameter override), for messages */
    /* SEQ: kids[0..n); MAP: n pairs, kids[2i] the key, kids[2i+1] the value */
    struct ynode **kids;
    size_t n;
} ynode;

typedef struct yarena yarena;

typedef struct ydoc {
    yarena *arena;        /* owns every node and string */
    const ynode *root;    /* NULL for an empty file */
} ydoc;

/* Parse one YAML document. Rejects anchors, aliases, tags, more than one
 * document, nesting deeper than MODEL_MAX_DEPTH and more than
 * MODEL_MAX_NODES nodes. A plain value in a flow mapping that opens more
 * parentheses than it closes (`{ time: tri(1s, 2s, 3s) }`) is rejoined with
 * the text up to its closing parenthesis. */
int ydoc_parse(ydoc *d, const char *text, size_t len, const char *path, ft_error *err);
void ydoc_free(ydoc *d);
/* Memory from the document's arena (zeroed), freed with it; for nodes added
 * after parsing. NULL when out of memory. */
void *ydoc_alloc(ydoc *d, size_t size);

/* A plain scalar that YAML reads as null: empty, ~, null, Null, NULL. */
bool ynode_is_null(const ynode *n);

/* "a mapping", "a list", "nothing", or the scalar quoted ('...', shortened). */
const char *ynode_describe(const ynode *n, char *buf, size_t size);

/* ---- unit parsers (model_units.c): plain strings in, values out ---------- */

typedef struct mu_err {
    char msg[480];
    size_t at;            /* byte offset in the parsed text the message is about */
} mu_err;

/* What a duration may be: > 0, or >= 0. */
typedef enum mu_sign { MU_POSITIVE, MU_NONNEG } mu_sign;

/* '<text>' for a message, shortened to at most ~60 characters on a UTF-8
 * boundary, control characters shown as '?'. */
const char *mu_quote(const char *s, char *buf, size_t size);

bool mu_number(const char *s, size_t n, double *v);
bool mu_whole(const char *s, long min, long max, long *out, mu_err *e);
bool mu_seed(const char *s, uint64_t *out, mu_err *e);
bool mu_duration(const char *s, mu_sign sign, double *sec, mu_err *e);
/* A constant duration, a rate (30/h = constant 120 s) or a distribution;
 * MU_POSITIVE asks for a mean > 0. On success *d owns its memory. */
bool mu_dist(const char *s, mu_sign sign, sim_dist *d, mu_err *e);
bool mu_quantity(const char *s, const char *unit, double *q, mu_err *e);
bool mu_probability(const char *s, double *p, mu_err *e);
bool mu_length(const char *s, double *m, mu_err *e);
/* A position along an axis: a length of any sign. */
bool mu_coordinate(const char *s, double *m, mu_err *e);
bool mu_speed(const char *s, double *m_per_s, mu_err *e);
/* "H:MM" or "HH:MM" in [00:00, 24:00]; 24:00 only when allow_24. */
bool mu_time_of_day(const char *s, bool allow_24, double *sec, mu_err *e);
bool mu_bool(const char *s, bool *out, mu_err *e);

/* Optimal-string-alignment (Damerau) distance between two UTF-8 strings,
 * counted in characters; returns limit + 1 as soon as it must exceed limit. */
size_t mu_distance(const char *a, const char *b, size_t limit);

#endif
