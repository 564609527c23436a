/* sim_dist.c -- sampling, moments and validation of the duration
 * distributions factory models use.
 *
 * Everything here describes non-negative quantities (process, repair and
 * inter-arrival times), so sim_dist_valid rejects any parameter set whose
 * support reaches below zero. Sampling is stateless apart from the stream:
 * the same (distribution, stream state) always yields the same value and
 * leaves the stream in the same state, whatever was sampled before. That is
 * why the normal sampler throws away Box-Muller's second variate instead of
 * caching it -- a cache would make one object's numbers depend on another's
 * draw history and break common random numbers.
 *
 * sim_dist_mean and sim_dist_var are exact closed forms of the distribution
 * as sampled (the normal is the normal truncated at 0), so tests and the
 * analytic models in the layers above can rely on them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_dist.h"

#define TWO_PI 6.283185307179586476925286766559

const char *sim_dist_kind_name(sim_dist_kind k)
{
    switch (k) {
    case SIM_DIST_CONST: return "const";
    case SIM_DIST_UNIFORM: return "uniform";
    case SIM_DIST_TRIANGULAR: return "triangular";
    case SIM_DIST_EXPONENTIAL: return "exponential";
    case SIM_DIST_NORMAL: return "normal";
    case SIM_DIST_LOGNORMAL: return "lognormal";
    case SIM_DIST_GAMMA: return "gamma";
    case SIM_DIST_WEIBULL: return "weibull";
    case SIM_DIST_ERLANG: return "erlang";
    case SIM_DIST_EMPIRICAL: return "empirical";
    }
    return "unknown";
}

sim_dist sim_dist_const(double v)
{
    sim_dist d = {.kind = SIM_DIST_CONST, .p = {v, 0, 0}};
    return d;
}

bool sim_dist_empirical(sim_dist *d, const double *values, const double *weights, size_t n)
{
    if (!d || !values || !weights || n == 0 || n > SIZE_MAX / sizeof(double))
        return false;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(values[i]) || !isfinite(weights[i]) || weights[i] < 0)
            return false;
        total += weights[i];
    }
    if (!(total > 0) || !isfinite(total))
        return false;

    double *v = malloc(n * sizeof *v);
    double *cum = malloc(n * sizeof *cum);
    if (!v || !cum) {
        free(v);
        free(cum);
        return false;
    }
    double run = 0;
    for (size_t i = 0; i < n; i++) {
        v[i] = values[i];
        run += weights[i];
        cum[i] = run / total;
    }
    /* Rounding may leave the last entry a hair off 1; the sampler relies on
     * u < cum[n-1] for every u in (0,1). */
    cum[n - 1] = 1.0;

    *d = (sim_dist){.kind = SIM_DIST_EMPIRICAL, .n = n, .values = v, .cum = cum};
    return true;
}

static bool fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return false;
}

static bool all_finite(const double *p, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(p[i]))
            return false;
    return true;
}

bool sim_dist_valid(const sim_dist *d, const char **why)
{
    const double *p = d->p;
    switch (d->kind) {
    case SIM_DIST_CONST:
        if (!all_finite(p, 1)) return fail(why, "value must be finite");
        if (p[0] < 0) return fail(why, "value must be >= 0");
        return true;
    case SIM_DIST_UNIFORM:
        if (!all_finite(p, 2)) return fail(why, "min and max must be finite");
        if (p[0] < 0) return fail(why, "min must be >= 0");
        if (p[0] > p[1]) return fail(why, "min must be <= max");
        return true;
    case SIM_DIST_TRIANGULAR:
        if (!all_finite(p, 3)) return fail(why, "min, mode and max must be finite");
        if (p[0] < 0) return fail(why, "min must be >= 0");
        if (p[0] > p[2]) return fail(why, "min must be <= max");
        if (p[1] < p[0] || p[1] > p[2]) return fail(why, "mode must lie between min and max");
        return true;
    case SIM_DIST_EXPONENTIAL:
        if (!all_finite(p, 1)) return fail(why, "mean must be finite");
        if (p[0] < 0) return fail(why, "mean must be >= 0");
        return true;
    case SIM_DIST_NORMAL:
        /* mean >= 0 also bounds the truncation resampling: at least half of
         * the mass is >= 0, so the expected number of tries is <= 2. */
        if (!all_finite(p, 2)) return fail(why, "mean and sd must be finite");
        if (p[0] < 0) return fail(why, "mean must be >= 0");
        if (p[1] < 0) return fail(why, "sd must be >= 0");
        return true;
    case SIM_DIST_LOGNORMAL:
        if (!all_finite(p, 2)) return fail(why, "mean and cv must be finite");
        if (p[0] < 0) return fail(why, "mean must be >= 0");
        if (p[1] < 0) return fail(why, "cv must be >= 0");
        return true;
    case SIM_DIST_GAMMA:
    case SIM_DIST_WEIBULL:
        if (!all_finite(p, 2)) return fail(why, "shape and scale must be finite");
        if (p[0] <= 0) return fail(why, "shape must be > 0");
        if (p[1] < 0) return fail(why, "scale must be >= 0");
        return true;
    case SIM_DIST_ERLANG:
        if (!all_finite(p, 2)) return fail(why, "phases and mean must be finite");
        if (p[0] < 1 || p[0] != floor(p[0])) return fail(why, "phases k must be an integer >= 1");
        if (p[1] < 0) return fail(why, "mean must be >= 0");
        return true;
    case SIM_DIST_EMPIRICAL:
        if (d->n == 0 || !d->values || !d->cum) return fail(why, "empirical table is empty");
        for (size_t i = 0; i < d->n; i++) {
            if (!isfinite(d->values[i])) return fail(why, "empirical values must be finite");
            if (d->values[i] < 0) return fail(why, "empirical values must be >= 0");
            if (!(d->cum[i] >= (i ? d->cum[i - 1] : 0)))
                return fail(why, "empirical weights must be >= 0");
        }
        if (!(d->cum[d->n - 1] > 0)) return fail(why, "empirical weights must not all be zero");
        if (d->cum[d->n - 1] != 1.0) return fail(why, "empirical weights are not normalised");
        return true;
    }
    return fail(why, "unknown distribution kind");
}

/* One standard normal by Box-Muller; the sine partner is discarded (see the
 * file comment). u1 is in (0,1), so log(u1) is finite. */
static double std_normal(sim_rng *r)
{
    double u1 = sim_rng_uniform(r);
    double u2 = sim_rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(TWO_PI * u2);
}

/* Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables", ACM TOMS 26(3). For shape < 1 it samples shape + 1 and
 * multiplies by U^(1/shape) (their section 6). Returns a Gamma(shape, 1). */
static double gamma_unit(double shape, sim_rng *r)
{
    double boost = 1.0;
    if (shape < 1.0) {
        boost = pow(sim_rng_uniform(r), 1.0 / shape);
        shape += 1.0;
    }
    double d = shape - 1.0 / 3.0;
    double c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x, v;
        do {
            x = std_normal(r);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        double u = sim_rng_uniform(r);
        double x2 = x * x;
        if (u < 1.0 - 0.0331 * x2 * x2 || log(u) < 0.5 * x2 + d * (1.0 - v + log(v)))
            return d * v * boost;
    }
}

/* Sum of k exponentials = -log of a product of k uniforms. The product is
 * taken in chunks of 16 (each factor >= 2^-53, so a chunk is >= 2^-848 and
 * never underflows) to need one log per chunk rather than one per phase. */
static double erlang_unit_sum(uint64_t k, sim_rng *r)
{
    double sum = 0;
    while (k > 0) {
        double prod = 1.0;
        for (int i = 0; i < 16 && k > 0; i++, k--)
            prod *= sim_rng_uniform(r);
        sum -= log(prod);
    }
    return sum;
}

static double empirical_sample(const sim_dist *d, sim_rng *r)
{
    /* First row with u < cum[i]; zero-weight rows have cum[i] == cum[i-1]
     * and can never be that row. */
    double u = sim_rng_uniform(r);
    size_t lo = 0, hi = d->n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u < d->cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return d->values[lo];
}

double sim_dist_sample(const sim_dist *d, sim_rng *r)
{
    const double *p = d->p;
    switch (d->kind) {
    case SIM_DIST_CONST:
        return p[0];
    case SIM_DIST_UNIFORM:
        return p[0] + (p[1] - p[0]) * sim_rng_uniform(r);
    case SIM_DIST_TRIANGULAR: {
        double a = p[0], c = p[1], b = p[2];
        double u = sim_rng_uniform(r);
        if (b <= a)
            return a;
        if (u < (c - a) / (b - a))
            return a + sqrt(u * (b - a) * (c - a));
        return b - sqrt((1.0 - u) * (b - a) * (b - c));
    }
    case SIM_DIST_EXPONENTIAL:
        return -p[0] * log(sim_rng_uniform(r));
    case SIM_DIST_NORMAL: {
        /* Truncation at 0 by rejection: the accepted values have exactly the
         * truncated density, and with mean >= 0 at most 2 tries are expected. */
        if (p[1] == 0)
            return p[0];
        double x;
        do
            x = p[0] + p[1] * std_normal(r);
        while (x < 0);
        return x;
    }
    case SIM_DIST_LOGNORMAL: {
        if (p[0] == 0)
            return 0;
        double s2 = log1p(p[1] * p[1]);
        double mu = log(p[0]) - 0.5 * s2;
        return exp(mu + sqrt(s2) * std_normal(r));
    }
    case SIM_DIST_GAMMA:
        return p[1] * gamma_unit(p[0], r);
    case SIM_DIST_WEIBULL:
        return p[1] * pow(-log(sim_rng_uniform(r)), 1.0 / p[0]);
    case SIM_DIST_ERLANG:
        return p[1] / p[0] * erlang_unit_sum((uint64_t)p[0], r);
    case SIM_DIST_EMPIRICAL:
        return empirical_sample(d, r);
    }
    return NAN;
}

/* Standard normal tail quantities for the normal truncated below at 0:
 * alpha = -mean/sd, lambda = phi(alpha) / (1 - Phi(alpha)) (the inverse
 * Mills ratio). Johnson, Kotz & Balakrishnan, "Continuous Univariate
 * Distributions" vol. 1, 2nd ed., ch. 13 (truncated normal distributions):
 *   E[X]   = mean + sd * lambda
 *   Var[X] = sd^2 * (1 + alpha * lambda - lambda^2)
 * erfc keeps 1 - Phi accurate where 1 - Phi would cancel. */
static void trunc_normal_moments(double mean, double sd, double *m, double *v)
{
    if (sd == 0) {
        *m = mean;
        *v = 0;
        return;
    }
    double alpha = -mean / sd;
    double phi = exp(-0.5 * alpha * alpha) / sqrt(TWO_PI);
    double tail = 0.5 * erfc(alpha / sqrt(2.0));
    double lambda = phi / tail;
    *m = mean + sd * lambda;
    *v = sd * sd * (1.0 + alpha * lambda - lambda * lambda);
}

static void empirical_moments(const sim_dist *d, double *m, double *v)
{
    double mean = 0, prev = 0;
    for (size_t i = 0; i < d->n; i++) {
        mean += d->values[i] * (d->cum[i] - prev);
        prev = d->cum[i];
    }
    double var = 0;
    prev = 0;
    for (size_t i = 0; i < d->n; i++) {
        double dev = d->values[i] - mean;
        var += dev * dev * (d->cum[i] - prev);
        prev = d->cum[i];
    }
    *m = mean;
    *v = var;
}

double sim_dist_mean(const sim_dist *d)
{
    const double *p = d->p;
    double m, v;
    switch (d->kind) {
    case SIM_DIST_CONST: return p[0];
    case SIM_DIST_UNIFORM: return 0.5 * (p[0] + p[1]);
    case SIM_DIST_TRIANGULAR: return (p[0] + p[1] + p[2]) / 3.0;
    case SIM_DIST_EXPONENTIAL: return p[0];
    case SIM_DIST_NORMAL: trunc_normal_moments(p[0], p[1], &m, &v); return m;
    case SIM_DIST_LOGNORMAL: return p[0];
    case SIM_DIST_GAMMA: return p[0] * p[1];
    case SIM_DIST_WEIBULL: return p[1] * tgamma(1.0 + 1.0 / p[0]);
    case SIM_DIST_ERLANG: return p[1];
    case SIM_DIST_EMPIRICAL: empirical_moments(d, &m, &v); return m;
    }
    return NAN;
}

double sim_dist_var(const sim_dist *d)
{
    const double *p = d->p;
    double m, v;
    switch (d->kind) {
    case SIM_DIST_CONST: return 0;
    case SIM_DIST_UNIFORM: return (p[1] - p[0]) * (p[1] - p[0]) / 12.0;
    case SIM_DIST_TRIANGULAR: {
        double a = p[0], c = p[1], b = p[2];
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
    }
    case SIM_DIST_EXPONENTIAL: return p[0] * p[0];
    case SIM_DIST_NORMAL: trunc_normal_moments(p[0], p[1], &m, &v); return v;
    case SIM_DIST_LOGNORMAL: return (p[0] * p[1]) * (p[0] * p[1]);
    case SIM_DIST_GAMMA: return p[0] * p[1] * p[1];
    case SIM_DIST_WEIBULL: {
        double g1 = tgamma(1.0 + 1.0 / p[0]);
        return p[1] * p[1] * (tgamma(1.0 + 2.0 / p[0]) - g1 * g1);
    }
    case SIM_DIST_ERLANG: return p[1] * p[1] / p[0];
    case SIM_DIST_EMPIRICAL: empirical_moments(d, &m, &v); return v;
    }
    return NAN;
}

/* Only parameters measured in time scale; shapes, cv and phase counts are
 * dimensionless and stay. factor should be >= 0 (a negative factor makes the
 * distribution invalid, which sim_dist_valid will then report). */
void sim_dist_scale(sim_dist *d, double factor)
{
    double *p = d->p;
    switch (d->kind) {
    case SIM_DIST_CONST:
    case SIM_DIST_EXPONENTIAL:
    case SIM_DIST_LOGNORMAL:
        p[0] *= factor;
        break;
    case SIM_DIST_UNIFORM:
    case SIM_DIST_NORMAL:
        p[0] *= factor;
        p[1] *= factor;
        break;
    case SIM_DIST_TRIANGULAR:
        p[0] *= factor;
        p[1] *= factor;
        p[2] *= factor;
        break;
    case SIM_DIST_GAMMA:
    case SIM_DIST_WEIBULL:
    case SIM_DIST_ERLANG:
        p[1] *= factor;
        break;
    case SIM_DIST_EMPIRICAL:
        for (size_t i = 0; i < d->n; i++)
            d->values[i] *= factor;
        break;
    }
}

/* dst is overwritten without being freed: pass a fresh or freed sim_dist.
 * On failure dst is left as const 0 with no table, safe to free. */
bool sim_dist_copy(sim_dist *dst, const sim_dist *src)
{
    *dst = *src;
    if (src->kind != SIM_DIST_EMPIRICAL || src->n == 0)
        return true;
    dst->values = NULL;
    dst->cum = NULL;
    size_t bytes = src->n * sizeof(double);
    double *v = malloc(bytes);
    double *cum = malloc(bytes);
    if (!v || !cum || !src->values || !src->cum) {
        free(v);
        free(cum);
        *dst = sim_dist_const(0);
        return false;
    }
    memcpy(v, src->values, bytes);
    memcpy(cum, src->cum, bytes);
    dst->values = v;
    dst->cum = cum;
    return true;
}

void sim_dist_free(sim_dist *d)
{
    if (!d)
        return;
    free(d->values);
    free(d->cum);
    d->values = NULL;
    d->cum = NULL;
    d->n = 0;
}
