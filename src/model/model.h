/* model.h -- the validated description of a factory: plain data.
 *
 * A model_desc is what a model file means, after parsing and validation:
 * every name resolved to an index, every duration in seconds, every
 * distribution checked. It owns all its memory, can be printed and compared,
 * and never points at runtime objects: the flow layer builds a running
 * factory from it, and the same description can be built many times (one
 * replication each). Each entity keeps the file position it came from so
 * later checks can still point a user at the right line. */
#ifndef FABTWIN_MODEL_H
#define FABTWIN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fabtwin/fabtwin.h"
#include "sim/sim_dist.h"

#define MODEL_INFINITE_CAPACITY (-1L)
#define MODEL_NONE (-1)
#define MODEL_MAX_FILE_BYTES (16u * 1024u * 1024u) /* model files and order lists */

typedef struct model_pos {
    int line, col; /* 1-based; 0 when not from a file */
} model_pos;

/* ---- products and routings ---------------------------------------------- */

typedef struct model_step {
    int station;      /* index into model_desc.stations */
    sim_dist time_s;  /* process time of this product at this step (per item) */
    model_pos pos;
} model_step;

typedef struct model_product {
    char *name;       /* UTF-8 */
    char *unit;       /* quantity unit ("pcs", "m", ...); never NULL */
    double quantity;  /* quantity one item carries (e.g. 1000 m per roll) */
    model_step *steps;
    size_t n_steps;
    model_pos pos;
} model_product;

/* ---- sources (order release) -------------------------------------------- */

typedef enum model_source_kind {
    MODEL_SOURCE_INTERARRIVAL, /* one item every `interarrival` */
    MODEL_SOURCE_ORDERS,       /* a release schedule: rows of an order list */
    MODEL_SOURCE_ALWAYS        /* raw material always available: push when there is space */
} model_source_kind;

typedef struct model_order {
    double time_s;    /* release time */
    int product;
    long count;       /* items released at that time */
    double quantity;  /* per item */
} model_order;

typedef struct model_source {
    char *name;
    model_source_kind kind;
    int product;          /* INTERARRIVAL, ALWAYS */
    double quantity;      /* per item; INTERARRIVAL, ALWAYS */
    sim_dist interarrival_s;
    double start_s;       /* first release not before this time */
    long limit;           /* max items released, 0 = unlimited */
    model_order *orders;  /* ORDERS, sorted by time (stable) */
    size_t n_orders;
    char *orders_file;    /* ORDERS from CSV: the path as written (for messages) */
    /* AGV pick-up point (layout node index) or MODEL_NONE: released items
     * wait there (out_capacity items, MODEL_INFINITE_CAPACITY by default)
     * for a vehicle to take them to their first station's `drop`. */
    int pick;
    long out_capacity;
    model_pos pos;
} model_source;

/* ---- buffers ------------------------------------------------------------ */

typedef enum model_discipline { MODEL_FIFO, MODEL_PRIORITY } model_discipline;

typedef struct model_buffer {
    char *name;
    long capacity;        /* items; MODEL_INFINITE_CAPACITY for unbounded */
    int feeds;            /* station index it feeds */
    model_discipline discipline; /* PRIORITY: lower product priority first, FIFO within */
    model_pos pos;
} model_buffer;

/* ---- stations ----------------------------------------------------------- */

typedef enum model_station_kind {
    MODEL_STATION_PROCESS,
    MODEL_STATION_ASSEMBLY,   /* consumes a bill of materials, emits one item of `produces` */
    MODEL_STATION_SPLIT,      /* one item in, split_count items out, quantity divided */
    MODEL_STATION_INSPECTION  /* each item: scrap, rework or pass */
} model_station_kind;

typedef struct model_failure {
    char *name;           /* failure mode, e.g. "breakdown" */
    sim_dist ttf_s;       /* time to failure (MTBF is its mean) */
    sim_dist ttr_s;       /* time to repair (MTTR is its mean) */
    bool by_operating_time; /* clock runs only while the station works; else calendar time */
    model_pos pos;
} model_failure;

typedef struct model_maintenance {
    double every_s;       /* 0 = none */
    double duration_s;
    double first_s;       /* time of the first one */
} model_maintenance;

typedef struct model_bom_line {
    int product;          /* part product */
    long count;           /* parts of it per assembly */
} model_bom_line;

typedef struct model_station {
    char *name;
    model_station_kind kind;
    int servers;          /* parallel identical servers, >= 1 */
    int calendar;         /* index into calendars, MODEL_NONE = always on */
    bool has_setup;
    sim_dist setup_s;     /* applied when a server changes product */
    model_failure *failures;
    size_t n_failures;
    model_maintenance maintenance;
    /* ASSEMBLY */
    model_bom_line *bom;
    size_t n_bom;
    int produces;         /* ASSEMBLY: product made; SPLIT: product of the pieces or MODEL_NONE (same) */
    /* SPLIT */
    long split_count;
    /* INSPECTION: probabilities per inspected item */
    double p_scrap, p_rework;
    int rework_to;        /* station index the item goes back to (an earlier step) */
    bool has_at;          /* placed on the floor plan */
    double at_m[2];       /* x, y in metres */
    /* AGV control points (layout node indices, MODEL_NONE = none). A station
     * with `pick` sends its output by AGV: finished items wait in its
     * pick-up space (out_capacity items; the station blocks when it is
     * full) until a vehicle takes them to the next step's `drop`. */
    int pick, drop;
    long out_capacity;
    model_pos pos;
} model_station;

/* ---- conveyors ---------------------------------------------------------- */

typedef struct model_conveyor {
    char *name;
    int from, to;         /* station indices: used when an item's next step goes from -> to */
    double length_m;
    double speed_m_per_s;
    double spacing_m;     /* minimum distance between items; capacity = floor(length/spacing) */
    bool accumulating;    /* false: the whole belt stops while its head item is blocked */
    model_pos pos;
} model_conveyor;

/* ---- calendars (shifts and breaks) -------------------------------------- */

/* On-shift intervals within one week, in seconds since Monday 00:00,
 * sorted, non-overlapping, breaks already removed. Simulation time 0 is
 * Monday 00:00; the week repeats. */
typedef struct model_interval {
    double start_s, end_s;
} model_interval;

typedef struct model_calendar {
    char *name;
    model_interval *on;
    size_t n_on;
    model_pos pos;
} model_calendar;

/* ---- the AGV path network and fleet -------------------------------------- */

/* A MovingAI grid map (`.map`, model_gridmap.c): cell (x, y) is column x,
 * row y (0-based, row 0 first in the file), passable[y * width + x]. */
typedef struct model_gridmap {
    uint32_t width, height;
    uint8_t *passable;
} model_gridmap;

/* Errors carry the map file's name, line and column. */
int model_gridmap_parse(const char *text, size_t len, const char *name, model_gridmap *g,
                        ft_error *err);
int model_gridmap_load(const char *path, model_gridmap *g, ft_error *err);
void model_gridmap_free(model_gridmap *g);

typedef struct model_node {
    char *name;           /* UTF-8 */
    double at_m[2];       /* x, y in metres */
    model_pos pos;
} model_node;

typedef struct model_edge {
    int from, to;         /* node indices */
    double length_m;      /* `length:`, else the straight distance between the nodes */
    bool one_way;         /* vehicles go only from -> to */
    model_pos pos;        /* the edge's entry; for an edge of a `path:`, its first node there */
} model_edge;

/* The layout: a path network. Validated so that every needed trip has a
 * path and every edge lies on a cycle (no dead ends), the condition under
 * which the fleet's routing provably never deadlocks (docs/agv.md). */
typedef struct model_layout {
    bool present;
    double following_m;   /* least distance between two vehicles; edges are cut into cells this long */
    model_node *nodes;    size_t n_nodes;
    model_edge *edges;    size_t n_edges;
    int *parking;         size_t n_parking;   /* node indices */
    int *chargers;        size_t n_chargers;
    int shipping;         /* node where finished goods are dropped, or MODEL_NONE */
    uint32_t grid_width, grid_height; /* from a grid map (`map:`; nodes "x,y"), else 0 */
    model_pos pos;        /* of the `layout` key */
} model_layout;

typedef enum model_dispatch {
    MODEL_DISPATCH_NEAREST, /* each task, oldest first, to the nearest idle vehicle */
    MODEL_DISPATCH_OPTIMAL  /* all open tasks and idle vehicles: least total empty travel (Hungarian) */
} model_dispatch;

typedef struct model_battery {
    bool present;
    double drain_per_m;   /* fraction of a full charge used per metre travelled */
    double drain_per_s;   /* fraction used per second, moving or not */
    double charge_per_s;  /* fraction gained per second at a charger (1 / `full_charge`) */
    double charge_below;  /* after a task, go charging when below this fraction */
    double charge_to;     /* leave the charger at this fraction */
} model_battery;

typedef struct model_fleet {
    bool present;
    int vehicles;
    double speed_m_per_s;
    sim_dist load_s, unload_s;
    int capacity;         /* items per trip (same pick-up point and destination) */
    model_dispatch dispatch;
    model_battery battery;
    model_pos pos;        /* of the `fleet` key */
} model_fleet;

/* ---- the whole model ---------------------------------------------------- */

typedef struct model_run {
    uint64_t seed;
    double warmup_s;
    double length_s;      /* measured period after the warm-up */
    long max_items;       /* items in the plant at once; more end the run with an error */
} model_run;

typedef struct model_desc {
    char *path;           /* file it came from (for messages) */
    char *name;           /* model name, UTF-8 */
    model_run run;
    model_product *products;   size_t n_products;
    model_source *sources;     size_t n_sources;
    model_buffer *buffers;     size_t n_buffers;
    model_station *stations;   size_t n_stations;
    model_conveyor *conveyors; size_t n_conveyors;
    model_calendar *calendars; size_t n_calendars;
    model_layout layout;
    model_fleet fleet;
    /* The clock's resolution (docs/model-language.md, "Time resolution"):
     * the smallest positive time step the model states, and the latest
     * simulated time at which the clock still resolves it to a millionth
     * (INFINITY when the model states no step). */
    double time_step_s, time_limit_s;
    char time_step_what[400]; /* "90 s (the 'time' of ..., line 5, column 32)" */
} model_desc;

/* Parse and validate a model. On failure returns NULL and fills err with
 * the file, line, column and a message a user can act on. */
model_desc *model_load_file(const char *path, ft_error *err);
model_desc *model_load_string(const char *text, size_t len, const char *path, ft_error *err);
/* The same with parameter overrides applied to the file's tree first (see
 * ft_override in fabtwin.h). */
model_desc *model_load_file_with(const char *path, const ft_override *ov, size_t n_ov,
                                 ft_error *err);
model_desc *model_load_string_with(const char *text, size_t len, const char *path,
                                   const ft_override *ov, size_t n_ov, ft_error *err);
void model_free(model_desc *m);

/* Index of the named entity, or MODEL_NONE. */
int model_find_product(const model_desc *m, const char *name);
int model_find_station(const model_desc *m, const char *name);
int model_find_buffer(const model_desc *m, const char *name);
int model_find_node(const model_desc *m, const char *name);

/* The buffer feeding a station, or MODEL_NONE (unbounded implicit queue). */
int model_station_input(const model_desc *m, int station);

/* The conveyor carrying items from station `from` to station `to`, or MODEL_NONE. */
int model_find_conveyor(const model_desc *m, int from, int to);

/* Is calendar c on shift at time t_s? Sets *next_change_s to the next time
 * the answer changes (+INFINITY if never). */
bool model_calendar_on(const model_calendar *c, double t_s, double *next_change_s);

#endif
