/* flow_internal.h -- the material-flow protocol and the objects that speak it.
 *
 * Private to src/flow. Every flow object (queue, station, conveyor, sink)
 * answers one question -- "will you take this item now?" -- through
 * flow_ops.offer. A refusal registers the offerer as a waiter; when the
 * object later has room it calls flow_wake, which gives each waiter, in the
 * order they started waiting, a chance to offer again (flow_ops.resume).
 * Blocking after service, starving and accumulating all follow from this
 * one exchange; a new object type is a new file implementing the two calls. */
#ifndef FABTWIN_FLOW_INTERNAL_H
#define FABTWIN_FLOW_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "flow.h"
#include "sim/sim_rng.h"
#include "stats/stats.h"

/* Room for a random stream's name, such as "station/<name>/failure/<name>":
 * two model names (at most 256 bytes each, MODEL_MAX_NAME_BYTES) and the
 * words around them. A name cut short could make two streams one. */
#define FLOW_STREAM_NAME_BYTES 600

/* ---- items -------------------------------------------------------------- */

typedef struct flow_item {
    uint64_t id;
    int product;          /* index into model products */
    int step;             /* index of the routing step it is at or heading to */
    double quantity;
    double released_s;    /* when it (or its earliest part) entered the plant: cycle time */
    double entered_s;     /* when this very item came into existence: Little's law */
    double waiting_s;     /* when it began waiting in a queue or at a pick-up: stalls */
    struct flow_item *next; /* intrusive link: queues, kits, output lists */
} flow_item;

typedef struct flow_list {
    flow_item *head, *tail;
    long count;
} flow_list;

void flow_list_push(flow_list *l, flow_item *it);
flow_item *flow_list_pop(flow_list *l);
/* Remove `it`, whose predecessor is `prev` (NULL when it is the head). */
void flow_list_unlink(flow_list *l, flow_item *prev, flow_item *it);
/* Insert `it` after `prev` (NULL: in front). */
void flow_list_insert_after(flow_list *l, flow_item *prev, flow_item *it);

/* ---- the protocol ------------------------------------------------------- */

typedef enum flow_answer {
    FLOW_ACCEPT,   /* taken: the offerer no longer owns the item */
    FLOW_NOT_THIS, /* not this item, but another might be taken (assembly kits) */
    FLOW_FULL      /* nothing can be taken now; the offerer has been registered as a waiter */
} flow_answer;

typedef struct flow_obj flow_obj;

typedef struct flow_ops {
    /* Take `it` from `from` or refuse. On FLOW_FULL and FLOW_NOT_THIS the
     * callee registers `from` (if not NULL) as a waiter. */
    flow_answer (*offer)(flow_obj *self, flow_item *it, flow_obj *from);
    /* Something this object waited on has room: offer again. */
    void (*resume)(flow_obj *self);
} flow_ops;

struct flow_obj {
    const flow_ops *ops;
    const char *name;     /* points into the model description */
    struct flow_factory *f;
    flow_obj **waiters;   /* FIFO of objects blocked on this one, no duplicates */
    size_t n_waiters, cap_waiters;
};

void flow_obj_init(flow_obj *o, const flow_ops *ops, const char *name, struct flow_factory *f);
void flow_obj_fini(flow_obj *o);
/* Offer and, on refusal, register `from` as a waiter of `to`. */
flow_answer flow_offer(flow_obj *to, flow_item *it, flow_obj *from);
void flow_wait_on(flow_obj *o, flow_obj *waiter);
/* Give every current waiter of o one chance to offer again, oldest first. */
void flow_wake(flow_obj *o);

/* ---- objects ------------------------------------------------------------ */

typedef struct flow_queue flow_queue;
typedef struct flow_station flow_station;
typedef struct flow_conveyor flow_conveyor;
typedef struct flow_source flow_source;
typedef struct flow_pickup flow_pickup;

/* A station's input queue: a declared buffer or an implicit unbounded one. */
struct flow_queue {
    flow_obj obj;
    char *own_name;       /* implicit queues: "<station>.queue" */
    long capacity;        /* MODEL_INFINITE_CAPACITY = unbounded */
    flow_list items;
    flow_station *consumer;
    stats_level level;
    long *reserved;       /* feeding an assembly: places held per bill-of-materials line
                             (its lanes); NULL elsewhere, where only the total counts */
    long reserved_total;  /* places held for items on their way by AGV */
    double freed_s;       /* last time a place became free: stalls */
};

/* n_lanes: the consumer's bill-of-materials lines when it is an assembly, else 0. */
flow_queue *flow_queue_new(struct flow_factory *f, const char *name, long capacity,
                           size_t n_lanes);
void flow_queue_free(flow_queue *q);
/* Push the queue's items to its consumer while it takes them. */
void flow_queue_feed(flow_queue *q);
/* Put an item in regardless of capacity (initial state). */
void flow_queue_place(flow_queue *q, flow_item *it);
/* Hold a place for `it` (an AGV will bring it); false when there is none. */
bool flow_queue_reserve(flow_queue *q, const flow_item *it);
/* The reserved item arrives: it takes its place. */
void flow_queue_deliver(flow_queue *q, flow_item *it);
/* Is there room for `it` now (NULL: for anything), reservations counted? */
bool flow_queue_has_room(const flow_queue *q, const flow_item *it);

typedef enum flow_server_state {
    SRV_IDLE, SRV_SETUP, SRV_WORKING, SRV_BLOCKED, SRV_N_STATES
} flow_server_state;

typedef struct flow_server {
    flow_server_state state;
    flow_item *item;      /* in setup or process */
    flow_list out;        /* finished items waiting to leave (blocked) */
    int last_product;     /* for setups; MODEL_NONE before the first item */
    sim_event_id done;    /* end of setup or process */
    double remaining_s;   /* while the station is down: what is left of setup/process */
    double ideal_s;       /* ideal (mean) process time of the current item */
    double since_s;       /* when it entered its state */
} flow_server;

typedef struct flow_failure_rt {
    const model_failure *def;
    sim_rng rng;
    double ttf_left_s;    /* operating-clock modes: failure-free operating time left */
    sim_event_id next;    /* pending failure or repair */
    bool armed;           /* flow_downtime_start has run */
    bool down;
    double since_s;       /* operating-clock modes: when operation last started */
} flow_failure_rt;

struct flow_station {
    flow_obj obj;
    const model_station *def;
    int index;
    flow_queue *input;
    flow_server *servers;
    int n_servers;
    int n_local[SRV_N_STATES];  /* servers per local state */
    /* down reasons */
    int n_failed;
    bool in_maintenance, off_shift;
    bool operating;             /* some server WORKING while up: runs operating clocks */
    double updown_s;            /* last time it went down or came up */
    bool bn_active;             /* activity last told to the bottleneck detector */
    flow_failure_rt *failures;
    sim_event_id maint_event, shift_event;
    /* assembly kit: parts gathered for the next assembly */
    flow_list kit;
    long *kit_have;             /* per bom line */
    double kit_released_s;
    /* random streams */
    sim_rng rng_process, rng_setup, rng_inspect;
    /* blocked servers in the order they blocked */
    int *blocked_fifo;
    int n_blocked_fifo;
    /* statistics */
    double t_acc;               /* accounted up to this time */
    double state_s[FT_N_STATES];/* server-seconds per KPI state */
    double ideal_s;             /* sum of ideal process times of items finished */
    uint64_t processed, scrapped, reworked;
};

/* What makes a station stop: flow_station_change applies one of these. */
typedef enum flow_down_change {
    DOWN_FAIL, DOWN_REPAIR, DOWN_MAINT_BEGIN, DOWN_MAINT_END, DOWN_SHIFT_OFF, DOWN_SHIFT_ON
} flow_down_change;

flow_station *flow_station_new(struct flow_factory *f, const model_station *def, int index);
void flow_station_free(flow_station *st);
int flow_station_start(flow_station *st, ft_error *err);
void flow_station_reset_stats(flow_station *st);
/* Bring state-time accounting up to now. */
void flow_station_account(flow_station *st);
bool flow_station_active(const flow_station *st); /* for bottleneck detection */
/* Servers per KPI state now. */
void flow_station_now(const flow_station *st, int in_state[FT_N_STATES]);
int flow_station_place_job(flow_station *st, flow_item *it, double remaining_s, ft_error *err);
void flow_station_place_failure(flow_station *st, double repair_s);
/* Apply a change of down reasons: pauses or resumes work in progress,
 * accounts state time, informs the bottleneck detector. `why` goes into
 * the trace's detail: the failure mode of a failure or repair, else "". */
void flow_station_change(flow_station *st, flow_down_change c, const char *why);
bool flow_station_up(const flow_station *st);
/* Would station_offer take `it` now? The same answer, without its side
 * effects (for the checker and the stall report). */
bool flow_station_takes(const flow_station *st, const flow_item *it);
/* An assembly's kit has every part of its bill. */
bool flow_station_kit_complete(const flow_station *st);

/* flow_downtime.c: failures, maintenance and shifts of one station. */
int flow_downtime_start(flow_station *st, ft_error *err);
/* The station started or stopped operating (some server working while up):
 * runs or pauses the operating-time failure clocks. */
void flow_downtime_operating(flow_station *st, bool operating);

struct flow_conveyor {
    flow_obj obj;
    const model_conveyor *def;
    flow_obj *dest;
    long capacity;
    double travel_s, headway_s;
    flow_list items;            /* on the belt, head first */
    double *arrive_s;           /* ring, per item on the belt: accumulating -> arrival time
                                   at the end; non-accumulating -> odometer at entry */
    long ring_head;
    double last_entry_s;        /* accumulating: time the last item entered */
    double odometer_m, odo_t;   /* non-accumulating: belt distance run, as of odo_t */
    double last_entry_m;        /* non-accumulating: odometer when the last item entered */
    bool stopped;               /* non-accumulating: head item blocked */
    bool head_waiting;          /* head is at the end and was refused */
    sim_event_id arrival, gap;
};

flow_conveyor *flow_conveyor_new(struct flow_factory *f, const model_conveyor *def, flow_obj *dest);
void flow_conveyor_free(flow_conveyor *c);

struct flow_source {
    flow_obj obj;
    const model_source *def;
    flow_pickup *pickup;        /* its AGV pick-up point, or NULL */
    sim_rng rng;
    flow_list backlog;          /* created, not yet accepted */
    size_t next_order;          /* ORDERS: the first row not yet due */
    size_t due_row;             /* ORDERS: the row whose items are being made */
    long due_left;              /* ORDERS: items of due_row still to be made */
    long released;
    sim_event_id next;
};

flow_source *flow_source_new(struct flow_factory *f, const model_source *def);
/* Has it released (or holds ready) as many items as its `limit`? */
bool flow_source_limit_reached(const flow_source *src);
/* Can the source still release an item of `product` (now or later)? */
bool flow_source_may_release(const flow_source *src, int product);
void flow_source_free(flow_source *src);
int flow_source_start(flow_source *src, ft_error *err);

/* An AGV pick-up point (flow_pickup.c): finished items wait here for a
 * vehicle. Items first wait for a place at their destination to be
 * reserved, then for the vehicle the fleet sends. */
struct flow_pickup {
    flow_obj obj;
    char *own_name;             /* "<station or source>.pick" */
    int index;                  /* in the factory's pickups */
    int node;                   /* layout node */
    long capacity;              /* items waiting in both lists */
    flow_list waiting;          /* no place reserved at the destination yet */
    flow_list ready;            /* place reserved, transport requested */
};

flow_pickup *flow_pickup_new(struct flow_factory *f, const char *owner, int index, int node,
                             long capacity);
void flow_pickup_free(flow_pickup *p);
/* The fleet's callbacks (agv_hooks). */
void flow_pickup_loaded(void *factory, int vehicle, int pickup, int dest, int n);
void flow_pickup_unloaded(void *factory, int vehicle, int pickup, int dest, int n);

/* ---- the factory -------------------------------------------------------- */

typedef struct flow_product_stats {
    uint64_t produced, scrapped, consumed;
    double quantity;
    stats_tally *cycle;
    /* the ledger, never reset (flow_check.c): items that entered the plant
     * (released, placed, made by assembly or split) and how they left */
    uint64_t ledger_in, ledger_produced, ledger_scrapped, ledger_consumed;
} flow_product_stats;

/* Faults a test can put back (flow_test_set_faults), to prove that the
 * checker catches them. Never set outside tests. */
enum {
    FLOW_FAULT_LOST_WAKEUP = 1 /* an AGV delivery that goes straight on wakes nobody */
};

typedef struct flow_checker flow_checker;

struct flow_factory {
    const model_desc *m;
    sim *s;
    uint64_t seed;
    ft_event_fn on_event;       /* observer of every event, or NULL */
    void *event_ctx;
    bool check;                 /* check the invariants after every instant (flow_check.c) */
    flow_checker *checker;      /* its state, made at the first check */
    unsigned faults;            /* FLOW_FAULT_* put back by a test; 0 otherwise */
    uint64_t next_item_id;
    flow_item *free_items;      /* recycled items */
    long live_items;            /* made and not yet freed (recycled) */
    long max_items;             /* cap on live_items (run.max_items) */
    bool failed;                /* the run cannot go on: error says why */
    ft_error error;
    flow_queue **queues;  size_t n_queues;   /* one per station, same index */
    flow_station **stations;
    flow_conveyor **conveyors;
    flow_source **sources;
    flow_obj sink;
    /* AGVs: pickups[i] for station i, pickups[n_stations + j] for source j
     * (NULL where none); what each vehicle carries */
    struct agv_fleet *fleet;
    flow_pickup **pickups;
    flow_list *cargo;
    ft_vehicle_kpis *rep_vehicles;
    ft_fleet_kpis rep_fleet;
    ft_vehicle_now *now_vehicles;
    /* statistics */
    double t_reset;
    stats_level wip;
    uint64_t exits;
    double sojourn_sum_s;
    flow_product_stats *products;
    stats_bn *bn;
    /* report storage */
    ft_station_kpis *rep_stations;
    ft_buffer_kpis *rep_buffers;
    ft_station_now *now_stations;   /* flow_snapshot's arrays */
    ft_conveyor_now *now_conveyors;
    ft_product_kpis *rep_products;
    double *bn_sole, *bn_shift;
    ft_warning *rep_warnings;
    size_t n_warnings, cap_warnings;
};

double flow_now(const flow_factory *f);
/* A new item, made by object `by` (written at `pos` in the model; NULL:
 * the initial state). Past the run's cap on items in the plant the
 * factory fails (flow_failed) and stops the kernel after this event; the
 * item is still made, so the caller goes on as usual. NULL when out of
 * memory: the kernel's error (sim_fail) then says so and the run stops
 * after the current event, so a caller only has to leave its state safe to
 * free. */
flow_item *flow_item_new(flow_factory *f, const flow_obj *by, model_pos pos, int product,
                         double quantity, double released_s);
void flow_item_free(flow_factory *f, flow_item *it);
bool flow_failed(const flow_factory *f);

/* Where an item at routing step it->step goes: the conveyor or input queue
 * of that step's station; the sink past the last step. `from` is the
 * station it leaves (MODEL_NONE for sources). */
flow_obj *flow_route(flow_factory *f, const flow_item *it, int from);
/* Where an item at step it->step must end up, AGVs and conveyors aside:
 * the station index of that step, or n_stations for the sink. */
int flow_destination(const flow_factory *f, const flow_item *it);

/* Leaving the plant: end of routing (produced) or scrap. */
void flow_item_exit(flow_factory *f, flow_item *it, bool scrapped);
/* An item consumed by assembly or split: leaves the WIP count. */
void flow_item_consumed(flow_factory *f, flow_item *it);
/* An item created inside the plant (assembly, split): enters the WIP count. */
void flow_item_created(flow_factory *f, flow_item *it);
/* Undo flow_item_created: a released item the plant refused after all
 * leaves the WIP count as if it had never entered. */
void flow_item_uncreated(flow_factory *f, flow_item *it);
/* Items of `product` in the plant now, from the ledger (flow_check.c checks
 * it against the items themselves). */
long flow_product_in_plant(const flow_factory *f, int product);

/* flow_check.c: free the checker's state. */
void flow_check_free(flow_checker *c);

void flow_trace(flow_factory *f, ft_event_kind event, const char *object, const flow_item *it,
                const char *detail);

/* flow_stall.c: work that waits and can never start, found at the end of
 * a period; fills f->rep_warnings. */
void flow_find_stalls(flow_factory *f);
/* Add a warning (dropped when out of memory: the others still count). */
void flow_warn(flow_factory *f, ft_warning_kind kind, const char *where, double since_s,
               long items, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Bottleneck bookkeeping: call after any change to a station's activity. */
void flow_bn_update(flow_factory *f, flow_station *st);

#endif
