/* model_resolution.c -- the clock's resolution: which simulated times a
 * model can reach without losing its own time steps to rounding.
 *
 * Simulated time is a double in seconds. Near time T a double resolves
 * steps of ulp(T), between T * 2^-53 and T * 2^-52, so adding a delay d to
 * the clock rounds it by up to half of that: at T = 2^53 s a 1 s step is
 * lost entirely (now + 1 == now) and a model re-arming every second fires
 * at one instant forever. The rule (docs/model-language.md, "Time
 * resolution"): with `step` the smallest positive time step the model
 * states (the mean of a process time, interarrival, setup, MTBF or MTTR, a
 * maintenance period, a conveyor's travel or headway, an AGV's time to
 * cross one following distance, a full charge), every simulated time T must
 * satisfy
 *
 *     T * 2^-52 <= step * 2^-20   (about a millionth of the step),
 *     that is T <= step * 2^32    (1 s: 136 years; 1 ms: 49.7 days),
 *
 * so each step is rounded by at most a millionth of itself. And a step must
 * be at least 1 us: a factory has nothing faster, and a smaller step
 * (interarrival: 1e-300s) is a typing error that would otherwise only show
 * as a run that never ends.
 *
 * The loader notes the smallest step and the latest point in time the
 * model states (run warm-up + length, a source's start, an order's time, a
 * first maintenance) as it reads them, with their positions, and checks the
 * rule once at the end; a run's own end (options) is checked again when a
 * simulation is made (ft_sim_new). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

static void note(mtime_note *t, const ynode *n, double s, const char *what, const char *key)
{
    t->s = s;
    t->n = n;
    t->line = t->col = 0;
    snprintf(t->what, sizeof t->what, "'%s' of %s", key, what);
}

void mc_note_step(mctx *c, const ynode *n, double s, const char *what, const char *key)
{
    if (s > 0 && (c->step.s == 0 || s < c->step.s))
        note(&c->step, n, s, what, key);
}

void mc_note_time(mctx *c, const ynode *n, double s, const char *what, const char *key)
{
    if (s > c->latest.s) {
        note(&c->latest, n, s, what, key);
        c->latest.file[0] = '\0';
    }
}

void mc_note_time_at(mctx *c, const char *file, int line, int col, double s, const char *what)
{
    if (!(s > c->latest.s))
        return;
    c->latest.s = s;
    c->latest.n = NULL;
    c->latest.line = line;
    c->latest.col = col;
    snprintf(c->latest.file, sizeof c->latest.file, "%s", file);
    snprintf(c->latest.what, sizeof c->latest.what, "%s", what);
}

/* "1.5 s (the 'time' of step 1 of product 'p', line 5, column 32)" */
static void describe_step(const mctx *c, char *buf, size_t size)
{
    const mtime_note *t = &c->step;
    if (t->n)
        snprintf(buf, size, "%g s (the %s, line %d, column %d)", t->s, t->what, t->n->line,
                 t->n->col);
    else
        snprintf(buf, size, "%g s (the %s)", t->s, t->what);
}

int model_check_resolution(mctx *c)
{
    model_desc *m = c->m;
    char step[400];
    describe_step(c, step, sizeof step);
    if (c->step.s > 0 && c->step.s < MODEL_MIN_STEP_S) {
        /* the smallest step always comes from a value in the model file */
        return mc_fail(c, c->step.n, "a time step of %g s (the %s) is below the 1 us that "
                                     "fabtwin resolves; nothing in a factory is that fast",
                       c->step.s, c->step.what);
    }
    m->time_step_s = c->step.s;
    m->time_limit_s = c->step.s > 0 ? ldexp(c->step.s, MODEL_STEP_BITS) : INFINITY;
    snprintf(m->time_step_what, sizeof m->time_step_what, "%s", step);
    if (!(c->latest.s > m->time_limit_s))
        return 0;
    const mtime_note *t = &c->latest;
    const char *fmt = "the %s is %g s, past %g s, the latest time this model can simulate: the "
                      "clock must still resolve its smallest time step, %s, to a millionth "
                      "(docs/model-language.md, \"Time resolution\")";
    if (t->n)
        return mc_fail(c, t->n, fmt, t->what, t->s, m->time_limit_s, step);
    return ft_fail(c->err, t->file, t->line, t->col, fmt, t->what, t->s, m->time_limit_s, step);
}
