/* model_internal.h -- private declarations shared by the model loader's files.
 *
 * The loader is a pipeline: bytes are checked (size, UTF-8) and turned into a
 * small YAML node tree with positions (model_yaml.c); the tree is read into a
 * model_desc, resolving names to indices (model_load.c, model_stations.c,
 * model_orders.c, model_calendar.c), using typed field readers
 * (model_fields.c) over unit parsers that know nothing of YAML
 * (model_units.c); finally the whole description is checked across entities
 * (model_check.c). The AGV path network and fleet are read by
 * model_layout.c and model_fleet.c and checked by model_network.c and
 * model_transport.c. Never included outside src/model. */
#ifndef FABTWIN_MODEL_INTERNAL_H
#define FABTWIN_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "model_text.h"

/* ---- limits (documented in docs/model-language.md) ----------------------- */

#define MODEL_MAX_NAME_BYTES 256
#define MODEL_MAX_SERVERS 10000
#define MODEL_MAX_SPLIT 100000
#define MODEL_MAX_PARTS 100000   /* parts of one product in a bill of materials */
#define MODEL_MAX_ERLANG_K 1000
#define MODEL_MAX_BELT_ITEMS 1000000
#define MODEL_MAX_COUNT 1000000000L /* items in one order row */
#define MODEL_MAX_ITEMS 1000000000000L /* the largest run.max_items */
#define MODEL_MAX_LAYOUT_NODES 10000
#define MODEL_MAX_LAYOUT_EDGES 10000 /* after `path:` entries are cut into edges */
#define MODEL_MAX_VEHICLES 10000
#define MODEL_MAX_VEHICLE_ITEMS 10000 /* a vehicle's `capacity` */

#define MODEL_WEEK_S (7.0 * 86400.0)
#define MODEL_MIN_STEP_S 1e-6       /* the smallest time step a model may state */
#define MODEL_STEP_BITS 32          /* simulated times up to step * 2^32 (model_resolution.c) */
#define MODEL_DEFAULT_MAX_ITEMS 10000000L /* items in the plant at once (run.max_items) */

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

/* A time the model states, where it was written (model_resolution.c). */
typedef struct mtime_note {
    double s;
    const ynode *n;       /* its value in the model, or NULL: */
    char file[512];       /* ... a CSV order list, at line, col */
    int line, col;
    char what[200];       /* "'time' of step 1 of product 'p'" */
} mtime_note;

typedef struct mctx {
    const char *path;     /* model file, for messages */
    ft_error *err;
    model_desc *m;
    mnames stations, products, buffers, calendars, sources, conveyors;
    mnames nodes;         /* of the layout */
    int *made_by;         /* per product: the station that makes it (an assembly's
                             or split's `produces`), or MODEL_NONE */
    mtime_note step;      /* the smallest positive time step stated */
    mtime_note latest;    /* the latest point in time stated */
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
/* The key node itself (for errors about a whole section), or NULL. */
const ynode *mc_key(const ynode *map, const char *key);
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
/* A position on the floor: [x, y] lengths, in metres. */
int mc_point(mctx *c, const ynode *n, const char *what, const char *key, double xy_m[2]);
/* A reference to a named entity: its index, or an error with "did you mean". */
int mc_ref(mctx *c, const ynode *n, const char *what, const char *key, const mnames *t,
           int *out);

/* A file named in the model, relative to the model file's folder (absolute
 * paths as they are); NULL when out of memory. Free it. */
char *mc_resolve(const mctx *c, const char *rel);

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

/* model_layout.c: the `layout:` section of root (absent or nothing: none). */
int model_read_layout(mctx *c, const ynode *root);
/* model_layout_grid.c: nodes and edges from the grid map named by v; and a
 * reference to a layout node: a name, or on a grid a cell [x, y]. */
int model_read_grid_layout(mctx *c, const ynode *v);
int model_layout_ref(mctx *c, const ynode *v, const char *what, const char *key, int *out);

/* model_fleet.c: the `fleet:` section of root (which needs a layout, and a
 * layout needs it), then the AGV keys (pick, drop, out) of the stations and
 * sources in their lists (read before). */
int model_read_fleet(mctx *c, const ynode *root);
int model_read_agv_points(mctx *c, const ynode *stations, const ynode *sources);

/* model_network.c: the layout as a directed graph, a two-way edge being
 * two arcs. mnet_reach marks what can be reached from one node. */
typedef struct mnet mnet;
mnet *mnet_new(const model_layout *l);
void mnet_free(mnet *g);
void mnet_reach(mnet *g, int from);
bool mnet_reached(const mnet *g, int node);
/* Every arc lies on a directed cycle of at least 3 nodes (no dead ends). */
int model_check_dead_ends(mctx *c, mnet *g);
/* Every node can be reached from every other. */
int model_check_connected(mctx *c, mnet *g);

/* model_transport.c: the trips the material flow makes by AGV, against the
 * layout (drop-off points, shipping, conveyors, paths, parking, chargers).
 * The lists are the model file's, for the positions of `pick`/`drop`. */
int model_check_transport(mctx *c, const ynode *root, const ynode *stations,
                          const ynode *sources);

/* model_override.c: apply parameter overrides to a parsed file's tree. */
int model_apply_overrides(ydoc *d, const ft_override *ov, size_t n, ft_error *err);

/* model_resolution.c: note a time step (a delay the engine adds to the
 * clock: a distribution's mean, a period) or a point in time (the run's
 * end, a start, an order), where it was written; then check that the clock
 * resolves the smallest step up to the latest time, and fill the model's
 * time_step_s and time_limit_s. */
void mc_note_step(mctx *c, const ynode *n, double s, const char *what, const char *key);
void mc_note_time(mctx *c, const ynode *n, double s, const char *what, const char *key);
void mc_note_time_at(mctx *c, const char *file, int line, int col, double s, const char *what);
int model_check_resolution(mctx *c);

/* model_check.c: cross-entity validation of a fully read description. */
int model_check(mctx *c);

#endif
