/* agv.h -- the AGV fleet of a running factory: vehicles on the layout's
 * path network that carry items from pick-up points to drop-off points.
 *
 * The fleet knows nothing of items or stations. The material flow (src/flow)
 * asks for transports -- "one item from pick-up point P to destination D",
 * opaque numbers to the fleet -- and is called back when a vehicle has
 * loaded items and when it has unloaded them. In between the fleet
 * dispatches (nearest idle vehicle, or an optimal batch assignment), routes
 * every vehicle on the cells of the layout with lifelong PIBT so that no
 * two ever collide or deadlock, parks idle vehicles and charges low ones.
 * How and why the routing is safe: docs/agv.md. */
#ifndef FABTWIN_AGV_H
#define FABTWIN_AGV_H

#include <stdbool.h>
#include <stdint.h>

#include "fabtwin/fabtwin.h"
#include "model/model.h"
#include "sim/sim.h"

typedef struct agv_fleet agv_fleet;

typedef struct agv_hooks {
    void *ctx;
    /* Vehicle `vehicle` has finished loading the n oldest items requested
     * from `pickup` to `dest`. */
    void (*loaded)(void *ctx, int vehicle, int pickup, int dest, int n);
    /* ... and has finished unloading them at dest's drop-off. */
    void (*unloaded)(void *ctx, int vehicle, int pickup, int dest, int n);
    /* The fleet (AGV_BN_FLEET: no vehicle idle) or the chargers
     * (AGV_BN_CHARGERS: all taken) became active or inactive, for the
     * active-period bottleneck method. May be NULL. */
    void (*active)(void *ctx, int resource, bool active);
} agv_hooks;

enum { AGV_BN_FLEET, AGV_BN_CHARGERS, AGV_BN_N };

/* Build the fleet of model m (m->fleet.present) on kernel s. Vehicles
 * start on the parking nodes, then on the other nodes in layout order. */
agv_fleet *agv_fleet_new(const model_desc *m, sim *s, uint64_t seed, const agv_hooks *hooks,
                         ft_error *err);
void agv_fleet_free(agv_fleet *fl);

/* One item waits at `pickup` (layout node pick_node) for a trip to `dest`
 * (node drop_node); the destination has room for it. */
void agv_fleet_request(agv_fleet *fl, int pickup, int pick_node, int dest, int drop_node);

int agv_fleet_size(const agv_fleet *fl);
const char *agv_fleet_vehicle_name(const agv_fleet *fl, int vehicle);

/* Transport requests that no vehicle has taken while some vehicle has
 * nothing to do: a dispatcher that works never leaves them so past the
 * instant they arrive. Returns how many (0: none) and, in since_s, since
 * when both have been so. */
size_t agv_fleet_stalled(const agv_fleet *fl, double *since_s);

void agv_fleet_reset_stats(agv_fleet *fl);
/* KPIs since the last reset, up to now; v has agv_fleet_size entries. */
void agv_fleet_report(agv_fleet *fl, ft_fleet_kpis *k, ft_vehicle_kpis *v);
/* Where every vehicle is now; v has agv_fleet_size entries. */
void agv_fleet_snapshot(agv_fleet *fl, ft_vehicle_now *v);

/* ---- invariants (agv_check.c), for the flow's checker ----------------------- */

/* The fleet's own invariants at the end of an instant: vehicles on distinct
 * cells, batteries within [0, 1], state times that add up, no idle vehicle
 * while transports wait and no dispatch is coming, no vehicle with
 * somewhere to go while no routing step is coming. Returns 0, or -1 with
 * what is wrong in why. */
int agv_fleet_check(const agv_fleet *fl, char *why, size_t n);
/* Items each pick-up point has asked transport for and no vehicle has
 * loaded yet (waiting requests and tasks before loading), added to
 * per_pickup[pickup]. */
void agv_fleet_promised(const agv_fleet *fl, long *per_pickup);
/* Items the vehicle carries now (0 when it carries none); *dest: where to. */
int agv_fleet_aboard(const agv_fleet *fl, int vehicle, int *dest);

/* ---- the routing's record, for checking it -------------------------------- */

/* The cell graph the vehicles move on: cells 0 .. n_nodes-1 are the
 * layout's nodes, the others lie along its edges, one per `following`
 * distance. An observer of every routing step sees where each vehicle is
 * (cells) at time t and where it will be one step later. */
typedef void (*agv_step_fn)(void *ctx, double t_s, const uint32_t *at, const uint32_t *next,
                            int n_vehicles);
void agv_fleet_observe(agv_fleet *fl, agv_step_fn fn, void *ctx);

uint32_t agv_fleet_cells(const agv_fleet *fl);
/* Is there an arc from cell a to cell b? */
bool agv_fleet_arc(const agv_fleet *fl, uint32_t a, uint32_t b);
double agv_fleet_step_s(const agv_fleet *fl);

#endif
