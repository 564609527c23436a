/* model_internal.h -- private declarations shared by the model loader's files.
 *
 * The loader is a pipeline: bytes are checked (size, UTF-8) and turned into a
 * small YAML node tree with positions (model_yaml.c); the tree is read into a
 * model_desc, resolving names to indices (model_load.c, model_stations.c,
 * model_orders.c, model_calendar.c), using typed field readers
 * (model_fields.c) over unit parsers that know nothing of YAML
 * (model_units.c); finally the whole description is checked across entities
 * (model_check.c). Never included outside src/model. */
#ifndef FABTWIN_MODEL_INTERNAL_H
#define FABTWIN_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

/* ---- limits (documented in docs/model-language.md) ----------------------- */

#define MODEL_MAX_FILE_BYTES (16u * 1024u * 1024u) /* model files and order lists */
#define MODEL_MAX_DEPTH 64                         /* YAML nesting */
#define MODEL_MAX_NODES 1000000                    /* YAML nodes in one file */
#define MODEL_MAX_NAME_BYTES 256
#define MODEL_MAX_SERVERS 10000
#define MODEL_MAX_SPLIT 100000
#define MODEL_MAX_PARTS 100000   /* parts of one product in a bill of materials */
#define MODEL_MAX_ERLANG_K 1000
#define MODEL_MAX_BELT_ITEMS 1000000
#define MODEL_MAX_COUNT 1000000000L /* items in one order row */

#define MODEL_WEEK_S (7.0 * 86400.0)

/* ---- text: UTF-8 and positions ------------------------------------------ */

/* Offset of the first byte that is not part of valid UTF-8 (overlongs,
 * surrogates and code points above U+10FFFF are invalid), or len. */
size_t model_utf8_check(const char *s, size_t len);

/* Line and column (1-based; the column counts characters, not bytes) of
 * byte offset off. Lines end at LF, CR or CR LF, and with unicode_breaks
 * also at NEL, LS and PS (as libyaml counts them in YAML). A leading
 * byte-order mark takes no column. */
void model_text_pos(const char *text, size_t len, size_t off, bool unicode_breaks, int *line,
                    int *col);

/* Number of UTF-8 characters in s[0..n). */
size_t model_utf8_chars(const char *s, size_t n);

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
bool mu_speed(const char *s, double *m_per_s, mu_err *e);
/* "H:MM" or "HH:MM" in [00:00, 24:00]; 24:00 only when allow_24. */
bool mu_time_of_day(const char *s, bool allow_24, double *sec, mu_err *e);
bool mu_bool(const char *s, bool *out, mu_err *e);

/* Optimal-string-alignment (Damerau) distance between two UTF-8 strings,
 * counted in characters; returns limit + 1 as soon as it must exceed limit. */
size_t mu_distance(const char *a, const char *b, size_t limit);

/* ---- names ------------------------------------------------------------- */

/* A sorted view of the names of one kind of entity, for lookups. */
typedef struct mname_ent {
    const char *name;     /* not owned */
    size_t index;         /* of the entity */
} mname_ent;

typedef struct mnames {
    const char *kind;     /* "station", "product", ... */
    mname_ent *sorted;    /* by name, then index (owned) */
    size_t n;
} mnames;

int mnames_find(const mnames *t, const char *name);
/* The closest name at distance <= 2, or NULL. */
const char *mnames_suggest(const mnames *t, const char *name);

/* ---- the loader's context and field readers (model_fields.c) ------------ */

typedef struct mctx {
    const char *path;     /* model file, for messages */
    ft_error *err;
    model_desc *m;
    mnames stations, products, buffers, calendars, sources, conveyors;
    int *made_by;         /* per product: the station that makes it (an assembly's
                             or split's `produces`), or MODEL_NONE */
} mctx;

/* "station 'weld'" (the name quoted and shortened as in messages). */
const char *mc_label(char *buf, size_t size, const char *kind, const char *name);

/* Fail at a node; returns -1. */
int mc_fail(mctx *c, const ynode *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Fail at byte `at` of a scalar's text (its own position when the text does
 * not map to columns). */
int mc_fail_in(mctx *c, const ynode *n, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int mc_oom(mctx *c);

/* Check that n is a mapping whose keys are all in `keys` (NULL-terminated),
 * each once; `what` names the place ("station 'weld'"). */
int mc_fields(mctx *c, const ynode *n, const char *what, const char *const *keys);
/* Check a mapping with free keys (parts, calendars): scalar keys, no duplicates. */
int mc_free_keys(mctx *c, const ynode *n, const char *what);
/* The value of key in a mapping, or NULL. */
const ynode *mc_get(const ynode *map, const char *key);
/* Like mc_get, but a missing or null value is an error. */
int mc_need(mctx *c, const ynode *map, const char *what, const char *key, const ynode **out);
/* Check n is a list (null counts as an empty list when allow_null). */
int mc_list(mctx *c, const ynode *n, const char *what, const char *key, bool allow_null);
/* A scalar for `key`: not a collection, not null. */
int mc_scalar(mctx *c, const ynode *n, const char *what, const char *key);

/* Typed values of a field (n is the value node; key and what for messages). */
int mc_name(mctx *c, const ynode *n, const char *what, const char *key, char **out);
int mc_dist(mctx *c, const ynode *n, const char *what, const char *key, mu_sign sign,
            sim_dist *out);
int mc_duration(mctx *c, const ynode *n, const char *what, const char *key, mu_sign sign,
                double *out);
int mc_whole(mctx *c, const ynode *n, const char *what, const char *key, long min, long max,
             long *out);
int mc_bool(mctx *c, const ynode *n, const char *what, const char *key, bool *out);
int mc_probability(mctx *c, const ynode *n, const char *what, const char *key, double *out);
int mc_quantity(mctx *c, const ynode *n, const char *what, const char *key, const char *unit,
                double *out);
/* A reference to a named entity: its index, or an error with "did you mean". */
int mc_ref(mctx *c, const ynode *n, const char *what, const char *key, const mnames *t,
           int *out);

/* Fill a name table from entity names; a repeated name is an error at the
 * second one (pos of each entity from `pos`). */
int mc_names(mctx *c, mnames *t, const char *kind, const char **names, const model_pos *pos,
             size_t n);
void mnames_free(mnames *t);

/* ---- the parts of the loader ------------------------------------------- */

/* model_stations.c; an assembly's bill is sorted by product. */
bool model_bom_has(const model_station *st, int product);
int model_read_station_names(mctx *c, const ynode *list);
int model_read_stations(mctx *c, const ynode *list);
int model_read_buffers(mctx *c, const ynode *list);
int model_read_conveyors(mctx *c, const ynode *list);

/* model_orders.c: the `orders` of source src (a list or a CSV path). */
int model_read_orders(mctx *c, const ynode *n, const char *what, model_source *src);

/* model_calendar.c */
int model_read_calendars(mctx *c, const ynode *map);

/* model_check.c: cross-entity validation of a fully read description. */
int model_check(mctx *c);

/* model_load.c: read a whole file (regular files only, at most max bytes).
 * Returns 0, or -1 with errno set, or 1 when larger than max (*len = size). */
int model_slurp(const char *path, size_t max, char **out, size_t *len);

#endif
