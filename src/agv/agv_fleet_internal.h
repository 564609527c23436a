/* agv_fleet_internal.h -- the fleet's state, shared by its three files:
 * agv_fleet.c (building it, each vehicle's life, the routing steps),
 * agv_dispatch.c (transport requests, which vehicle takes which, turns at
 * the chargers) and agv_report.c (KPIs and snapshots). Private to src/agv. */
#ifndef FABTWIN_AGV_FLEET_INTERNAL_H
#define FABTWIN_AGV_FLEET_INTERNAL_H

#include "agv/agv_internal.h"
#include "stats/stats.h"

typedef enum agv_mode {
    MODE_IDLE, MODE_TO_PICK, MODE_LOADING, MODE_TO_DROP, MODE_UNLOADING, MODE_TO_CHARGER,
    MODE_CHARGING, MODE_WAIT_CHARGER
} agv_mode;

typedef struct agv_request {
    int pickup, dest, pick_node, drop_node;
    double t_s;
} agv_request;

typedef struct agv_vehicle {
    char name[32];
    agv_mode mode;
    double idle_since_s;   /* when it last went MODE_IDLE (or WAIT_CHARGER) */
    int goal;              /* layout node it heads for, -1: none (stay) */
    int park, charger;     /* claimed parking / charger index, -1 */
    double prio;
    /* the task */
    int pickup, dest, pick_node, drop_node, n;
    double *req_t;         /* request time of each item aboard or to fetch */
    double load_start_s;
    sim_rng rng;
    /* battery */
    double battery, battery_t;
    bool depleted;
    /* statistics */
    ft_vehicle_state state;
    double state_t, state_s[FT_VEH_N_STATES];
    bool busy;
    double busy_t, busy_s;
    double loaded_m, empty_m, battery_min;
    uint64_t trips, charges;
} agv_vehicle;

struct agv_fleet {
    const model_fleet *def;
    const model_layout *lay;
    const char *path;      /* model file, for messages */
    sim *s;
    agv_hooks hooks;
    agv_cells g;
    agv_router router;
    double step_s;
    agv_vehicle *v;
    int n;
    uint32_t *at, *next, *order;
    bool *frozen;
    const uint32_t **goal_dist;
    agv_request *req;
    size_t n_req, cap_req;
    int *park_owner, *charger_owner; /* vehicle or -1 */
    int n_idle, n_chargers_taken;    /* vehicles MODE_IDLE; chargers owned */
    bool bn_fleet_active, bn_chargers_active; /* last told to hooks.active */
    bool ticking, dispatch_pending;
    double tick_t;
    agv_step_fn observe;
    void *observe_ctx;
    /* statistics */
    double t_reset;
    stats_tally *wait, *delivery;
    uint64_t items, depleted;
};

/* ---- agv_fleet.c: a vehicle's life ---------------------------------------- */

double agv_now(const agv_fleet *fl);
/* Account the time in the state left, enter st. */
void agv_set_state(agv_fleet *fl, agv_vehicle *v, ft_vehicle_state st);
void agv_set_busy(agv_fleet *fl, agv_vehicle *v, bool busy);
/* Bring the battery up to now, with `metres` just travelled. */
void agv_battery_update(agv_fleet *fl, agv_vehicle *v, double metres);
/* Cost from vehicle i (where it will be after the current step) to a stop. */
uint32_t agv_steps_to(const agv_fleet *fl, int i, int node);
/* Nearest unclaimed node of `nodes` (owner[k] < 0) from vehicle i, or -1. */
int agv_nearest_free(const agv_fleet *fl, int i, const int *nodes, const int *owner, size_t n);
void agv_release_claims(agv_fleet *fl, agv_vehicle *v);
void agv_claim_charger(agv_fleet *fl, int charger, int i);
/* Every change of a vehicle's mode goes through here (idle count, activity). */
void agv_set_mode(agv_fleet *fl, agv_vehicle *v, agv_mode mode);
/* Head for node in mode; arrive at once if already there and at rest. */
void agv_head_for(agv_fleet *fl, int i, agv_mode mode, int node);

/* ---- agv_dispatch.c ------------------------------------------------------------ */

/* Dispatch once at this instant, after everything else of it. */
void agv_request_dispatch(agv_fleet *fl);

#endif
