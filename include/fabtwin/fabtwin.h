/* fabtwin.h -- the public C API of fabtwin, a factory digital twin.
 *
 * Load a model file, build a simulation from it, run or step it, start it
 * from a given state, and read its KPIs. The command line, the experiment
 * runner, the live twin and the web server are all thin clients of these
 * calls. Time is in seconds throughout; simulation time 0 is Monday 00:00.
 *
 * Errors are values: a function that can fail returns NULL or a non-zero
 * status and fills an ft_error with the file, line, column and a message. */
#ifndef FABTWIN_H
#define FABTWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FT_VERSION "0.1.0"

typedef struct ft_error {
    char file[512]; /* "" when not about a file */
    int line, col;  /* 1-based; 0 when unknown */
    char msg[1024];
} ft_error;

/* Fill an error; file may be NULL. Returns -1 so callers can `return ft_fail(...)`. */
int ft_fail(ft_error *err, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* "file:line:col: message" (parts that are unknown are left out). */
void ft_error_print(const ft_error *err, FILE *out);

/* Parse a duration with its unit ("90s", "2min", "1.5h", "7d", "1w") into
 * seconds, as the model language does. */
int ft_parse_duration(const char *text, double *seconds, ft_error *err);

/* ---- models ------------------------------------------------------------- */

typedef struct ft_model ft_model;

ft_model *ft_model_load(const char *path, ft_error *err);
ft_model *ft_model_load_string(const char *text, size_t len, const char *name, ft_error *err);
void ft_model_free(ft_model *m);

/* A parameter override: the value at `path` in the model file replaced (or
 * added) before the model is validated, as if the file said so. The path
 * walks the file's structure: mapping keys, and list entries by their name
 * (or a routing step by its station, or a 0-based index); a name with dots
 * goes in brackets. Examples: "stations.weld.servers", "run.length",
 * "buffers.B2.capacity", "products.car.routing.weld.time",
 * "stations.weld.failures.jam.mttr". `value` is the text of a YAML value
 * with its unit ("2", "90s", "exp(5min)"). `file`, `line` and `col` say where
 * the override was written (an experiment file, or a command-line flag with
 * line 0) so that an error in it points there, not into the model. */
typedef struct ft_override {
    const char *path;
    const char *value;
    const char *file;
    int line, col;
} ft_override;

ft_model *ft_model_load_with(const char *path, const ft_override *overrides, size_t n,
                             ft_error *err);

const char *ft_model_name(const ft_model *m);
uint64_t ft_model_seed(const ft_model *m);      /* run.seed */
double ft_model_length(const ft_model *m);      /* run.length in seconds, 0 when not given */
/* The latest simulated time at which the clock still resolves the model's
 * smallest time step (docs/model-language.md, "Time resolution"). */
double ft_model_time_limit(const ft_model *m);
size_t ft_model_station_count(const ft_model *m);
const char *ft_model_station_name(const ft_model *m, size_t i);

/* The structure of a model, for drawing it: its stations, and each
 * product's route as station indices. */
typedef struct ft_station_info {
    const char *name;
    const char *kind;     /* "process", "assembly", "split", "inspection" */
    int servers;
    const char *buffer;   /* its input buffer, NULL for an implicit unbounded queue */
    long capacity;        /* of that buffer; -1 unbounded */
    bool has_position;    /* placed on the floor plan (`at:`) */
    double x_m, y_m;
} ft_station_info;

void ft_model_station_info(const ft_model *m, size_t station, ft_station_info *out);
size_t ft_model_product_count(const ft_model *m);
const char *ft_model_product_name(const ft_model *m, size_t product);
size_t ft_model_route_length(const ft_model *m, size_t product);
size_t ft_model_route_station(const ft_model *m, size_t product, size_t step);

/* The AGV layout (models with `layout:`): its nodes and edges, and each
 * station's pick-up and drop-off nodes. */
typedef struct ft_node_info {
    const char *name;
    double x_m, y_m;
    const char *role;     /* "parking", "charger", "shipping", "store" (a source's pick-up) or "" */
} ft_node_info;

typedef struct ft_edge_info {
    size_t from, to;      /* node indices */
    double length_m;
    bool one_way;
} ft_edge_info;

size_t ft_model_node_count(const ft_model *m);  /* 0 without a layout */
void ft_model_node_info(const ft_model *m, size_t node, ft_node_info *out);
size_t ft_model_edge_count(const ft_model *m);
void ft_model_edge_info(const ft_model *m, size_t edge, ft_edge_info *out);
int ft_model_vehicle_count(const ft_model *m);  /* 0 without a fleet */
/* A station's pick-up / drop-off node index, or -1. */
int ft_model_station_pick(const ft_model *m, size_t station);
int ft_model_station_drop(const ft_model *m, size_t station);

/* ---- running ------------------------------------------------------------ */

/* What happened in an event. The trace CSV (ft_run_options.trace) names a
 * kind by ft_event_kind_name: the word after each constant here. */
typedef enum ft_event_kind {
    FT_EVENT_RELEASE,         /* "release": a source released an item */
    FT_EVENT_ENQUEUE,         /* "enqueue": an item entered a buffer or queue */
    FT_EVENT_SETUP,           /* "setup" */
    FT_EVENT_START,           /* "start" */
    FT_EVENT_FINISH,          /* "finish" */
    FT_EVENT_KIT,             /* "kit": an assembly consumed its parts */
    FT_EVENT_BLOCKED,         /* "blocked": a finished item cannot move on; detail names
                                 where it waits to go */
    FT_EVENT_REWORK,          /* "rework" */
    FT_EVENT_CONVEY,          /* "convey": an item got on a conveyor */
    FT_EVENT_PICKUP,          /* "pickup": an item waits at an AGV pick-up point */
    FT_EVENT_LOAD,            /* "load": object the vehicle, detail the pick-up */
    FT_EVENT_UNLOAD,          /* "unload": object the vehicle, detail the destination */
    FT_EVENT_EXIT,            /* "exit" */
    FT_EVENT_SCRAP,           /* "scrap" */
    FT_EVENT_FAIL,            /* "fail": a station, from here on */
    FT_EVENT_REPAIR,          /* "repair" */
    FT_EVENT_MAINTENANCE,     /* "maintenance" */
    FT_EVENT_MAINTENANCE_END, /* "maintenance_end" */
    FT_EVENT_SHIFT_OFF,       /* "shift_off" */
    FT_EVENT_SHIFT_ON,        /* "shift_on" */
    FT_EVENT_N_KINDS
} ft_event_kind;

/* The kind's name in the trace ("release", ...); "?" for no kind. */
const char *ft_event_kind_name(ft_event_kind k);

/* One event of a running simulation, for observers (a trace, the emulator
 * of a live plant). Strings are valid during the call only. */
typedef struct ft_event {
    double time_s;
    ft_event_kind kind;
    const char *object;     /* station, buffer, conveyor or source; "" for the plant */
    uint64_t item;          /* 0 when the event is about no item */
    const char *product;    /* "" when no item */
    double quantity;        /* the item's quantity; 0 when no item */
    const char *detail;     /* "" or more about it */
} ft_event;

typedef void (*ft_event_fn)(void *ctx, const ft_event *e);

typedef struct ft_run_options {
    bool has_seed;      uint64_t seed;     /* else the model's run.seed */
    bool has_warmup;    double warmup_s;   /* else the model's run.warmup */
    bool has_length;    double length_s;   /* else the model's run.length */
    double start_s;     /* simulation clock at the start (e.g. now in the live plant's week);
                           warm-up and length count from here */
    long max_items;     /* cap on items in the plant at once; 0: the model's run.max_items */
    FILE *trace;        /* if not NULL, every event as CSV */
    ft_event_fn on_event; void *event_ctx; /* if not NULL, called for every event */
    bool check;         /* check the engine's invariants at the end of every instant; a
                           violation stops the run with an error (always on in builds
                           without NDEBUG) */
} ft_run_options;

typedef struct ft_sim ft_sim;

ft_sim *ft_sim_new(const ft_model *m, const ft_run_options *opt, ft_error *err);
void ft_sim_free(ft_sim *s);

/* Run to the end of the run (warm-up + length). */
int ft_sim_run(ft_sim *s, ft_error *err);
/* Advance the clock to t_s (absolute), processing every event up to it.
 * Both return non-zero with err filled when the run cannot go on correctly
 * (an event could not be scheduled: out of memory, an invalid time, or a
 * time too large for the clock's resolution). The error is final: every
 * later call returns it again, and the KPIs so far must not be reported as
 * the run's. The first call also starts the factory; if that fails, it is
 * not retried. */
int ft_sim_advance(ft_sim *s, double t_s, ft_error *err);
double ft_sim_now(const ft_sim *s);
double ft_sim_end(const ft_sim *s);
uint64_t ft_sim_events(const ft_sim *s);
/* Check the engine's invariants now (as `check` does at the end of every
 * instant, with every item counted): 0, or -1 with the violation in err. */
int ft_sim_check(ft_sim *s, ft_error *err);

/* Starting from a given state: call these after ft_sim_new and before the
 * first ft_sim_run/ft_sim_advance. `at` names a buffer or a station (its
 * input queue). released_at_s is the item's release time (<= now) so that
 * its cycle time counts from when it really entered the plant. */
int ft_sim_place_item(ft_sim *s, const char *at, const char *product, double quantity,
                      double released_at_s, ft_error *err);
/* A station mid-process: one server is working on an item with remaining_s to go. */
int ft_sim_place_job(ft_sim *s, const char *station, const char *product, double quantity,
                     double released_at_s, double remaining_s, ft_error *err);
/* A station down for another repair_s seconds. */
int ft_sim_place_failure(ft_sim *s, const char *station, double repair_s, ft_error *err);

/* ---- KPIs --------------------------------------------------------------- */

typedef enum ft_state {
    FT_WORKING, FT_SETUP, FT_STARVED, FT_BLOCKED, FT_FAILED, FT_MAINTENANCE, FT_OFF_SHIFT,
    FT_N_STATES
} ft_state;

const char *ft_state_name(ft_state s);

typedef struct ft_station_kpis {
    const char *name;
    int servers;
    double state_frac[FT_N_STATES]; /* share of server-time in each state; sums to 1 */
    double utilization;             /* state_frac[FT_WORKING] */
    double availability, performance, quality, oee;
    uint64_t processed;             /* items finished here in the measured period */
    uint64_t scrapped, reworked;    /* INSPECTION */
    double bottleneck_sole_frac;    /* share of the period it was the sole bottleneck */
    double bottleneck_shifting_frac;/* share it was a shifting bottleneck */
} ft_station_kpis;

typedef struct ft_buffer_kpis {
    const char *name;
    long capacity;                  /* -1 = unbounded */
    double mean_level, max_level;
} ft_buffer_kpis;

typedef struct ft_product_kpis {
    const char *name;
    const char *unit;
    bool part;                      /* ends its routing consumed by an assembly or split: never
                                       produced; the report lists it under parts */
    uint64_t consumed;              /* items consumed by an assembly or split */
    uint64_t produced;              /* items that left through the end of the routing */
    double quantity;                /* their quantity, in `unit` */
    uint64_t scrapped;
    double per_hour, per_day;       /* items */
    double quantity_per_hour, quantity_per_day;
    double takt_s;                  /* mean time between outputs */
    double cycle_mean_s, cycle_p50_s, cycle_p95_s, cycle_max_s;
} ft_product_kpis;

/* AGV fleet (models with `fleet:`). A vehicle is in one state at a time. */
typedef enum ft_vehicle_state {
    FT_VEH_IDLE,      /* no task, parked or standing */
    FT_VEH_EMPTY,     /* moving without load: to a pick-up, a charger or parking */
    FT_VEH_LOADED,    /* moving with load */
    FT_VEH_BLOCKED,   /* wants to move but traffic holds it (congestion) */
    FT_VEH_HANDLING,  /* loading or unloading */
    FT_VEH_CHARGING,
    FT_VEH_N_STATES
} ft_vehicle_state;

const char *ft_vehicle_state_name(ft_vehicle_state s);

typedef struct ft_vehicle_kpis {
    const char *name;                   /* "AGV1", ... */
    double state_frac[FT_VEH_N_STATES]; /* share of the period in each state; sums to 1 */
    double utilization;                 /* share of the period with a transport task */
    double loaded_m, empty_m;           /* distance travelled with and without load */
    uint64_t trips;                     /* deliveries */
    uint64_t charges;                   /* charging stops finished */
    double battery_min;                 /* lowest charge seen (fraction; 1 without battery) */
} ft_vehicle_kpis;

typedef struct ft_fleet_kpis {
    int vehicles;
    uint64_t items;                     /* items delivered */
    double wait_mean_s, wait_p95_s;     /* an item's request until its loading starts */
    double delivery_mean_s, delivery_p95_s; /* its request until it is unloaded */
    double utilization;                 /* mean over vehicles */
    double blocked_frac;                /* share of vehicle time held by traffic */
    double loaded_m, empty_m;
    uint64_t depleted;                  /* times a battery ran empty (thresholds too low) */
    /* active-period bottleneck shares: the fleet is active while no vehicle
     * is idle, the chargers while all are taken (docs/kpis.md) */
    double bottleneck_sole_frac, bottleneck_shifting_frac;
    double chargers_bottleneck_sole_frac, chargers_bottleneck_shifting_frac;
} ft_fleet_kpis;

/* What a run found wrong with itself: work waiting that can never start, or
 * figures that do not add up. A correct engine on a sound model has none;
 * `fabtwin run` prints them and exits with status 3. docs/kpis.md says how
 * each is found. */
typedef enum ft_warning_kind {
    FT_WARN_STATION_STALLED, /* an up station with a server idle leaves an item it would take */
    FT_WARN_PICKUP_STALLED,  /* items at a pick-up wait for a free place at their destination */
    FT_WARN_FLEET_STALLED,   /* transports wait while vehicles have nothing to do */
    FT_WARN_KIT_STARVED,     /* an assembly waits for a part that no source will release again */
    FT_WARN_DEADLOCK,        /* stations blocked on each other in a cycle */
    FT_WARN_LITTLE_GAP,      /* time-average WIP and lambda*W disagree by more than 10 % */
    FT_WARN_N_KINDS
} ft_warning_kind;

/* "station_stalled", "pickup_stalled", ... (the JSON's `what`). */
const char *ft_warning_kind_name(ft_warning_kind k);

#define FT_WARNING_TEXT 256 /* bytes of a warning's message, with its NUL */

typedef struct ft_warning {
    ft_warning_kind kind;
    const char *where;             /* the station, pick-up, "fleet" or "plant" */
    double since_s;                /* simulated time it has held since */
    long items;                    /* items held up (0 when not about items) */
    char message[FT_WARNING_TEXT]; /* one line for people */
} ft_warning;

#define FT_BOTTLENECK_FLEET "AGV fleet"
#define FT_BOTTLENECK_CHARGERS "chargers"

typedef struct ft_report {
    const char *model;
    uint64_t seed;
    double warmup_s, length_s;
    uint64_t events;
    ft_station_kpis *stations; size_t n_stations;
    ft_buffer_kpis *buffers;   size_t n_buffers;
    ft_product_kpis *products; size_t n_products;
    double wip_mean;                /* time-average items in the system */
    double exit_rate_per_s;         /* items leaving (produced + scrapped) */
    double sojourn_mean_s;          /* their mean time in the system */
    double little_lambda_w;         /* exit_rate_per_s * sojourn_mean_s, to compare with wip_mean */
    const char *bottleneck;         /* station (or FT_BOTTLENECK_FLEET, FT_BOTTLENECK_CHARGERS)
                                       that was sole bottleneck longest, or NULL */
    const ft_fleet_kpis *fleet;     /* NULL without a fleet */
    ft_vehicle_kpis *vehicles;      size_t n_vehicles;
    ft_warning *warnings;           size_t n_warnings; /* at the end of the period */
} ft_report;

/* The KPIs of the measured period so far. Owned by the simulation; valid
 * until the next call that advances or frees it. */
const ft_report *ft_sim_report(ft_sim *s);

/* ---- the state now -------------------------------------------------------- */

typedef struct ft_station_now {
    const char *name;
    int servers;
    int in_state[FT_N_STATES];   /* servers in each state now (a down station: all in it) */
    long queue;                  /* items in its input buffer (or implicit queue) */
    long capacity;               /* of that buffer; -1 unbounded */
    const char *buffer;          /* the buffer's name */
    uint64_t processed;          /* items finished here since the statistics were reset */
} ft_station_now;

typedef struct ft_conveyor_now {
    const char *name;
    long items;                  /* on the belt */
    long capacity;
    bool stopped;                /* a non-accumulating belt stopped by its blocked head */
} ft_conveyor_now;

typedef struct ft_vehicle_now {
    const char *name;
    double x_m, y_m;             /* position on the layout (interpolated while moving) */
    ft_vehicle_state state;
    int load;                    /* items aboard */
    double battery;              /* fraction; 1 without battery */
} ft_vehicle_now;

typedef struct ft_snapshot {
    double now_s;
    long wip;                    /* items in the plant */
    uint64_t produced, scrapped; /* items out, all products, since the statistics were reset */
    ft_station_now *stations;    size_t n_stations;
    ft_conveyor_now *conveyors;  size_t n_conveyors;
    ft_vehicle_now *vehicles;    size_t n_vehicles;
} ft_snapshot;

/* The state of the plant at the simulation's clock. Owned by the
 * simulation; valid until the next call that advances or frees it. */
const ft_snapshot *ft_sim_snapshot(ft_sim *s);

int ft_report_write_json(const ft_report *r, FILE *out);
void ft_report_print(const ft_report *r, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
