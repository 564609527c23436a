/* sim_dist.h -- the probability distributions factory models need.
 *
 * A sim_dist is plain data (kind + parameters), so a model description can
 * hold, print and compare it; sampling takes a stream. All parameters are in
 * the engine's time unit (seconds) when the distribution is a duration, but
 * nothing here knows units. */
#ifndef FABTWIN_SIM_DIST_H
#define FABTWIN_SIM_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include "sim_rng.h"

typedef enum sim_dist_kind {
    SIM_DIST_CONST,       /* p[0] = value */
    SIM_DIST_UNIFORM,     /* p[0] = min, p[1] = max */
    SIM_DIST_TRIANGULAR,  /* p[0] = min, p[1] = mode, p[2] = max */
    SIM_DIST_EXPONENTIAL, /* p[0] = mean */
    SIM_DIST_NORMAL,      /* p[0] = mean, p[1] = sd; truncated at 0 (resampled) */
    SIM_DIST_LOGNORMAL,   /* p[0] = mean, p[1] = coefficient of variation */
    SIM_DIST_GAMMA,       /* p[0] = shape k, p[1] = scale theta */
    SIM_DIST_WEIBULL,     /* p[0] = shape k, p[1] = scale lambda */
    SIM_DIST_ERLANG,      /* p[0] = phases k (integer >= 1), p[1] = mean of the sum */
    SIM_DIST_EMPIRICAL    /* table: values[i] with weights[i] (discrete) */
} sim_dist_kind;

typedef struct sim_dist {
    sim_dist_kind kind;
    double p[3];
    size_t n;          /* EMPIRICAL: number of table rows */
    double *values;    /* EMPIRICAL: owned by the distribution */
    double *cum;       /* EMPIRICAL: cumulative weights normalised to 1 */
} sim_dist;

const char *sim_dist_kind_name(sim_dist_kind k);

sim_dist sim_dist_const(double v);

/* Build an empirical table from values and (non-negative, not all zero)
 * weights. Returns false on bad input or memory exhaustion. */
bool sim_dist_empirical(sim_dist *d, const double *values, const double *weights, size_t n);

/* Check parameters; on failure writes a short reason ("sd must be >= 0") to
 * why (if not NULL) and returns false. */
bool sim_dist_valid(const sim_dist *d, const char **why);

double sim_dist_sample(const sim_dist *d, sim_rng *r);

/* Exact mean and variance of the distribution as sampled (for NORMAL, of the
 * distribution truncated at 0). */
double sim_dist_mean(const sim_dist *d);
double sim_dist_var(const sim_dist *d);

/* Multiply a duration distribution by a factor (unit conversion, scaling). */
void sim_dist_scale(sim_dist *d, double factor);

bool sim_dist_copy(sim_dist *dst, const sim_dist *src);
void sim_dist_free(sim_dist *d);

#endif
