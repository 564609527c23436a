/* sim.h -- the discrete-event kernel: a clock and a pending-event set.
 *
 * The kernel knows nothing of factories. It keeps simulated time (one unit:
 * seconds, as a double), a calendar of pending events ordered by
 * (time, insertion sequence) so that ties are broken deterministically in
 * FIFO order, and lets callers cancel events they scheduled. Everything else
 * (stations, buffers, AGVs, statistics) is built on top of these calls. */
#ifndef FABTWIN_SIM_H
#define FABTWIN_SIM_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sim sim;

/* An event handler: called with the object and argument given at scheduling
 * time. Handlers may schedule and cancel events freely. */
typedef void (*sim_handler)(sim *s, void *obj, intptr_t arg);

/* Identifies one scheduled event. Never 0 for a scheduled event, so 0 can
 * mean "none". Ids are not reused while the event is pending; an id of an
 * event that has fired or been cancelled is harmless to cancel again. */
typedef uint64_t sim_event_id;
#define SIM_NO_EVENT ((sim_event_id)0)

sim *sim_new(void);
void sim_free(sim *s);

double sim_now(const sim *s);

/* Set the clock. Only allowed while no event is pending (to start a run at a
 * given time, e.g. from a live plant's state). Returns false otherwise. */
bool sim_set_now(sim *s, double t_s);

/* Delays shorter than this may be lost to rounding when the clock is late
 * (now + delay == now once delay is under half a unit in the last place of
 * now: for 1 us, from now >= 2^34 s, ~540 years); a longer delay that is
 * lost is an error. */
#define SIM_TIME_RESOLUTION_S 1e-6

/* Schedule handler(obj, arg) at now + delay_s (delay_s >= 0) or at the
 * absolute time t_s (t_s >= now). Returns SIM_NO_EVENT when memory is
 * exhausted or the time is invalid (NaN, infinite, negative delay, in the
 * past, a delay of SIM_TIME_RESOLUTION_S or more that the clock cannot
 * represent). At most 2^30 events can be pending. Every failure is also the
 * kernel's error (sim_error): a caller that cannot react may rely on it. */
sim_event_id sim_schedule(sim *s, double delay_s, sim_handler fn, void *obj, intptr_t arg);
sim_event_id sim_schedule_at(sim *s, double t_s, sim_handler fn, void *obj, intptr_t arg);

/* A positive delay that does not move the clock (now + delay_s == now) is
 * run as a zero delay, but more than 2^16 of them at one instant mean the
 * clock no longer resolves the model's delays: from then on sim_schedule
 * refuses them (SIM_NO_EVENT), sim_stalled turns true and a running
 * sim_run_until returns after the current event. */
bool sim_stalled(const sim *s);

/* Remove a pending event. Returns true if it was pending. O(log n). */
bool sim_cancel(sim *s, sim_event_id id);

/* Time of a pending event, or a negative value if it is not pending. */
double sim_event_time(const sim *s, sim_event_id id);

/* Errors. A lost event makes every later result wrong, so the kernel never
 * lets one pass silently: the first failure -- a rejected schedule, or
 * sim_fail from a layer above that cannot go on -- is kept with the time and
 * the event it happened in, sim_step and sim_run_until then run nothing more,
 * and whoever owns the run reads it with sim_error. */

/* The first error as a message a user can act on, or NULL while all is well. */
const char *sim_error(const sim *s);

/* Record an error (printf-style message; only the first one is kept) and
 * stop the run after the current event. */
void sim_fail(sim *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* For tests: the n-th sim_schedule* call from now on (1 = the next) fails as
 * if memory were exhausted; 0 disarms. */
void sim_fail_schedule_after(sim *s, uint64_t n);

/* Run the next event. Returns false when the calendar is empty or after an
 * error. */
bool sim_step(sim *s);

/* Run every event with time <= t_end_s, then set the clock to t_end_s.
 * Returns the number of events run. A t_end_s before now (or NaN) runs
 * nothing; after sim_stop or an error the clock stays at the last event run
 * (after an error nothing more runs: check sim_error); running to INFINITY
 * empties the calendar and leaves the clock at the last event. */
uint64_t sim_run_until(sim *s, double t_end_s);

/* Ask a running sim_run_until to return after the current event. */
void sim_stop(sim *s);

size_t sim_pending(const sim *s);
uint64_t sim_events_run(const sim *s);
/* Time of the next pending event, or +INFINITY if none. */
double sim_next_time(const sim *s);

#endif
