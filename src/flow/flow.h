/* flow.h -- a running factory built from a model description.
 *
 * This is the flow layer's face to the layers above (the public API, the
 * experiment runner, the twin): build a factory on a simulation kernel from a
 * validated model_desc, start it from empty or from a given state, delete
 * the warm-up, and collect the KPIs. How the objects inside move material is
 * private to src/flow (flow_internal.h). */
#ifndef FABTWIN_FLOW_H
#define FABTWIN_FLOW_H

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

/* The factory's AGV fleet (src/agv/agv.h), or NULL without one. */
struct agv_fleet *flow_fleet(flow_factory *f);

#endif
