/* flow.h -- a running factory built from a model description.
 *
 * This is the flow layer's face to the layers above (the public API, the
 * experiment runner, the twin): build a factory on a simulation kernel from a
 * validated model_desc, start it from empty or from a given state, delete
 * the warm-up, and collect the KPIs. How the objects inside move material is
 * private to src/flow (flow_internal.h). */
#ifndef FABTWIN_FLOW_H
#define FABTWIN_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fabtwin/fabtwin.h"
#include "model/model.h"
#include "sim/sim.h"

typedef struct flow_factory flow_factory;

/* Build the objects of model m on kernel s, with every random stream
 * derived from seed. on_event (may be NULL) is called with ctx for every
 * event (ft_event in fabtwin.h). Nothing is scheduled until flow_start. */
flow_factory *flow_build(const model_desc *m, sim *s, uint64_t seed, ft_event_fn on_event,
                         void *ctx, ft_error *err);
void flow_free(flow_factory *f);

/* Schedule sources, failures, maintenance and shift changes from now on,
 * and start whatever the placed initial state allows. */
int flow_start(flow_factory *f, ft_error *err);

/* Initial state (before flow_start). `at` is a buffer or station name. */
int flow_place_item(flow_factory *f, const char *at, const char *product, double quantity,
                    double released_s, ft_error *err);
int flow_place_job(flow_factory *f, const char *station, const char *product, double quantity,
                   double released_s, double remaining_s, ft_error *err);
int flow_place_failure(flow_factory *f, const char *station, double repair_s, ft_error *err);

/* The cap on items in the plant at once (0: the model's run.max_items).
 * Making one more fails the factory and stops the kernel. */
void flow_set_max_items(flow_factory *f, long max_items);
/* Items made and not yet gone (in the plant or a source's backlog). */
long flow_live_items(const flow_factory *f);
/* 0 while the run can go on; else -1 with the reason (file:line:col of
 * the object at fault) in err. */
int flow_error(const flow_factory *f, ft_error *err);

/* Warm-up deletion: forget all statistics before now. */
void flow_reset_stats(flow_factory *f);

/* Fill r with the KPIs of the period since the last reset up to now. The
 * strings and arrays in r point into f and stay valid until the next call
 * or flow_free. */
void flow_report(flow_factory *f, ft_report *r);
/* The state now; the arrays live in the factory. */
void flow_snapshot(flow_factory *f, ft_snapshot *snap);

/* ---- invariants (flow_check.c) ---------------------------------------------
 * With checking on, the engine's invariants -- item conservation per
 * product, buffer levels within capacity, state times that add up, time
 * that never goes back, and no lost wake-up (an idle station with an item
 * it would take, a finished item its next place would take, an item at a
 * pick-up whose destination has room, an idle vehicle with a transport
 * waiting, a vehicle with somewhere to go and no step coming) -- are
 * checked at the end of every instant, when everything that happens at
 * that time has happened. On by default in builds without NDEBUG. */
void flow_set_check(flow_factory *f, bool on);
/* Run the kernel to t_end_s (sim_run_until); with checking on, stop at the
 * first violation: -1 with err saying what, where, when and which items. */
int flow_run_until(flow_factory *f, double t_end_s, ft_error *err);
/* Check the invariants now (the state at the end of an instant). */
int flow_check_now(flow_factory *f, ft_error *err);
/* Test only: put back the faults FLOW_FAULT_* (flow_internal.h). */
void flow_test_set_faults(flow_factory *f, unsigned faults);

/* The factory's AGV fleet (src/agv/agv.h), or NULL without one. */
struct agv_fleet *flow_fleet(flow_factory *f);

#endif
