/* stats_tally.c -- observations (cycle times, waiting times): count, mean,
 * variance, min, max, and quantiles from a log-bucketed histogram whose
 * memory depends on the range of the values, not on how many there are.
 *
 * Moments use Welford's update, which stays accurate when the mean is large
 * next to the spread (sums of squares would cancel catastrophically).
 *
 * Quantiles follow DDSketch (Masson, Rim & Lee, VLDB 2019): with
 * a = STATS_QUANTILE_REL_ERR and g = (1+a)/(1-a), bucket i holds the values
 * in [g^i, g^(i+1)) and answers with (1+a)*g^i = (1-a)*g^(i+1), the point
 * whose relative distance to both ends of the bucket is a; so every answer
 * is within a relative error a of some value in the bucket. Exact zeros have
 * a bucket of their own (log 0 has no bucket). Buckets are allocated lazily
 * over the range actually seen: 1e-9 .. 1e12 s needs ln(1e21)/ln(g), about
 * 24 200 buckets, whatever the number of observations.
 *
 * Roads not taken: a fixed linear histogram needs the range up front; a
 * t-digest or KLL sketch has no hard relative-error guarantee; keeping all
 * values is exact but grows with the run. */
#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

#define TALLY_INITIAL_BUCKETS 64

struct stats_tally {
    uint64_t n;          /* observations */
    double mean, m2;     /* Welford: running mean and sum of squared deviations */
    double min, max;
    uint64_t zeros;      /* observations that were exactly 0 */
    uint64_t positives;  /* observations in the log buckets */
    uint64_t *counts;    /* counts[k] is bucket base + k; never NULL */
    size_t cap;          /* buckets allocated, <= STATS_TALLY_MAX_BUCKETS */
    long base;           /* bucket index of counts[0] */
    long lo, hi;         /* lowest and highest non-empty bucket (positives > 0) */
    double log_g;        /* ln g */
};

stats_tally *stats_tally_new(void)
{
    stats_tally *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cap = TALLY_INITIAL_BUCKETS;
    t->counts = calloc(t->cap, sizeof *t->counts);
    if (!t->counts) {
        free(t);
        return NULL;
    }
    /* ln((1+a)/(1-a)) without the rounding of forming g first. */
    t->log_g = log1p(STATS_QUANTILE_REL_ERR) - log1p(-STATS_QUANTILE_REL_ERR);
    return t;
}

void stats_tally_free(stats_tally *t)
{
    if (!t)
        return;
    free(t->counts);
    free(t);
}

/* Keeps the bucket array (its size is bounded anyway) but empties it; the
 * next value re-centres it. */
void stats_tally_reset(stats_tally *t)
{
    memset(t->counts, 0, t->cap * sizeof *t->counts);
    t->n = t->zeros = t->positives = 0;
    t->mean = t->m2 = t->min = t->max = 0;
}

/* Move the histogram into a new array covering [new_base, new_base+new_cap).
 * Occupied buckets below new_base are folded into new_base (the collapse that
 * keeps memory bounded). False, with nothing changed, when out of memory. */
static bool tally_rebuild(stats_tally *t, long new_base, size_t new_cap)
{
    uint64_t *c = calloc(new_cap, sizeof *c);
    if (!c)
        return false;
    long new_lo = t->lo < new_base ? new_base : t->lo;
    for (long i = t->lo; i <= t->hi; i++) {
        long to = i < new_base ? new_base : i;
        c[to - new_base] += t->counts[i - t->base];
    }
    free(t->counts);
    t->counts = c;
    t->cap = new_cap;
    t->base = new_base;
    t->lo = new_lo;
    return true;
}

/* The slot in counts[] for bucket i, growing or collapsing the array first.
 *
 * Invariants (asserted at the end): lo..hi lies inside the array, and
 * hi - lo < STATS_TALLY_MAX_BUCKETS. Growth adds 1/8 slack on the side that
 * grew, so a range that creeps outwards costs O(log) reallocations while
 * the allocation stays within about 12% of the range seen. */
static size_t tally_slot(stats_tally *t, long i)
{
    const long max_b = STATS_TALLY_MAX_BUCKETS;
    if (t->positives == 0) { /* empty: put the array around i */
        t->base = i - (long)t->cap / 2;
        t->lo = t->hi = i;
        return (size_t)(i - t->base);
    }
    long lo = t->lo < i ? t->lo : i;
    long hi = t->hi > i ? t->hi : i;
    if (hi - lo + 1 > max_b) {
        if (i > t->hi) {
            lo = hi - max_b + 1; /* fold the lowest buckets into lo */
        } else {
            i = hi - max_b + 1;  /* the new low value joins the lowest bucket */
            lo = i;
        }
    }
    bool fits = lo >= t->base && hi < t->base + (long)t->cap;
    if (fits && lo > t->lo) { /* fold in place */
        for (long k = t->lo; k < lo; k++) {
            t->counts[lo - t->base] += t->counts[k - t->base];
            t->counts[k - t->base] = 0;
        }
        t->lo = lo;
    }
    if (!fits) {
        long width = hi - lo + 1;
        long slack = 64 + width / 8;
        long cap = width + slack > max_b ? max_b : width + slack;
        long new_base = i > t->hi ? lo : hi - cap + 1; /* slack where it grew */
        if (!tally_rebuild(t, new_base, (size_t)cap)) {
            /* Out of memory: count it in the nearest allocated bucket. The
             * quantile loses accuracy, the counts stay consistent. */
            long last = t->base + (long)t->cap - 1;
            i = i < t->base ? t->base : i > last ? last : i;
            lo = t->lo < i ? t->lo : i;
            hi = t->hi > i ? t->hi : i;
        }
    }
    t->lo = lo;
    t->hi = hi;
    assert(t->lo >= t->base && t->hi < t->base + (long)t->cap);
    assert(t->hi - t->lo < max_b && i >= t->lo && i <= t->hi);
    return (size_t)(i - t->base);
}

void stats_tally_add(stats_tally *t, double x)
{
    assert(x >= 0 && x <= DBL_MAX);
    if (!(x >= 0)) /* contract violation (negative or NaN) when asserts are off */
        x = 0;
    if (x > DBL_MAX)
        x = DBL_MAX;

    t->n++;
    double d = x - t->mean;
    t->mean += d / (double)t->n;
    t->m2 += d * (x - t->mean);
    if (t->n == 1 || x < t->min)
        t->min = x;
    if (t->n == 1 || x > t->max)
        t->max = x;

    if (x == 0) {
        t->zeros++;
        return;
    }
    /* Bucket i = floor(log_g x). Rounding can put a value within an ulp of
     * a bucket edge into the neighbour, which costs a few ulps of error on
     * top of a, never more. Subnormals down to 4.9e-324 give i > -400000. */
    long i = (long)floor(log(x) / t->log_g);
    /* Almost every value lands inside the range already seen, where
     * tally_slot would change nothing; only the rest pay for its checks. */
    size_t slot;
    if (t->positives && i >= t->lo && i <= t->hi)
        slot = (size_t)(i - t->base);
    else
        slot = tally_slot(t, i); /* may move counts: not in one expression */
    t->counts[slot]++;
    t->positives++;
}

uint64_t stats_tally_count(const stats_tally *t) { return t->n; }
double stats_tally_mean(const stats_tally *t) { return t->n ? t->mean : 0; }
double stats_tally_var(const stats_tally *t)
{
    return t->n < 2 ? 0 : t->m2 / (double)(t->n - 1);
}
double stats_tally_min(const stats_tally *t) { return t->n ? t->min : 0; }
double stats_tally_max(const stats_tally *t) { return t->n ? t->max : 0; }
size_t stats_tally_buckets(const stats_tally *t) { return t->cap; }

/* The nearest-rank q-quantile: the k-th smallest observation with
 * k = ceil(q*n), and k = 1 for q = 0 (so q = 0 is the minimum, q = 1 the
 * maximum; both are exact). A q*n within a few ulps above an integer counts
 * as that integer, so q = 0.07 with n = 100 is rank 7, not 8 (0.07*100 is
 * 7.000000000000001 in binary). Other ranks are answered by their bucket's
 * estimate, clamped into [min, max], hence within STATS_QUANTILE_REL_ERR
 * of the true order statistic unless the range ever exceeded
 * STATS_TALLY_MAX_BUCKETS buckets (then the folded low end is coarser).
 * Cost: a walk over the occupied buckets, O(range), not O(n). */
double stats_tally_quantile(const stats_tally *t, double q)
{
    if (t->n == 0)
        return 0;
    if (!(q > 0)) /* also NaN */
        q = 0;
    if (q > 1)
        q = 1;
    double r = q * (double)t->n;
    double kd = ceil(r - r * 4 * DBL_EPSILON);
    uint64_t k = kd < 1 ? 1 : (uint64_t)kd;
    if (k >= t->n)
        return t->max;
    if (k == 1)
        return t->min;
    if (k <= t->zeros)
        return 0;
    uint64_t seen = t->zeros;
    for (long i = t->lo; i <= t->hi; i++) {
        seen += t->counts[i - t->base];
        if (seen >= k) {
            double est = (1 + STATS_QUANTILE_REL_ERR) * exp((double)i * t->log_g);
            return est < t->min ? t->min : est > t->max ? t->max : est;
        }
    }
    return t->max; /* not reached: the buckets hold every positive value */
}
