/* stats_level.c -- a piecewise-constant level over time (WIP, buffer
 * contents, AGVs busy): the time-weighted mean and the maximum.
 *
 * The level is right-continuous: a change at t applies from t on. The area
 * is accumulated at each change, so the cost is O(1) per change and the
 * struct is plain data the caller may embed. Times must not decrease. */
#include <assert.h>

#include "stats/stats.h"

void stats_level_init(stats_level *l, double t, double level)
{
    l->t_start = t;
    l->t_last = t;
    l->level = level;
    l->area = 0;
    l->max = level;
}

void stats_level_set(stats_level *l, double t, double level)
{
    assert(t >= l->t_last);
    if (t > l->t_last) { /* a time running backwards adds nothing */
        l->area += l->level * (t - l->t_last);
        l->t_last = t;
    }
    l->level = level;
    if (level > l->max)
        l->max = level;
}

void stats_level_add(stats_level *l, double t, double delta)
{
    stats_level_set(l, t, l->level + delta);
}

/* Warm-up deletion: the area before t is dropped, the current level carries
 * over and is the maximum so far. */
void stats_level_reset(stats_level *l, double t)
{
    assert(t >= l->t_last);
    stats_level_init(l, t, l->level);
}

/* Time average over [t_start, t_now]; the current level when that interval
 * is empty (the limit of the average as t_now approaches t_start). */
double stats_level_mean(const stats_level *l, double t_now)
{
    assert(t_now >= l->t_last);
    double span = t_now - l->t_start;
    if (!(span > 0))
        return l->level;
    double tail = t_now > l->t_last ? l->level * (t_now - l->t_last) : 0;
    return (l->area + tail) / span;
}
