/* exp_warmup.c -- choosing the warm-up of an experiment with MSER-5.
 *
 * Pilot replications of the first scenario run from the empty plant over
 * the measured length with no deletion; the time-average WIP of each of
 * EXP_MSER_INTERVALS equal intervals, averaged over the pilots, is the
 * series MSER-5 truncates (stats_mser5). WIP is the signal because it is
 * what an empty start biases first and most, in every model. The pilots use
 * their own seeds, so the experiment's replications stay independent of the
 * choice that was made with them. */
#include <stdlib.h>
#include <string.h>

#include "experiment/experiment.h"
#include "stats/stats.h"

#define EXP_MSER_INTERVALS 500

/* Add the interval WIP means of one pilot to sum[]. */
static int pilot(const exp_plan *p, int k, double length_s, double *sum, ft_error *err)
{
    ft_run_options o = {.has_seed = true,
                        .seed = exp_plan_seed(p, 0, k) ^ 0x5DEECE66DULL,
                        .has_warmup = true,
                        .warmup_s = 0,
                        .has_length = true,
                        .length_s = length_s};
    ft_sim *sim = ft_sim_new(p->scenarios[0].model, &o, err);
    if (!sim)
        return -1;
    double dt = length_s / EXP_MSER_INTERVALS, area_before = 0;
    for (int i = 1; i <= EXP_MSER_INTERVALS; i++) {
        double t = i == EXP_MSER_INTERVALS ? length_s : dt * i;
        if (ft_sim_advance(sim, t, err)) {
            ft_sim_free(sim);
            return -1;
        }
        double area = ft_sim_report(sim)->wip_mean * t; /* WIP integral since 0 */
        sum[i - 1] += (area - area_before) / dt;
        area_before = area;
    }
    ft_sim_free(sim);
    return 0;
}

int exp_plan_choose_warmup(exp_plan *p, ft_error *err)
{
    const exp_spec *s = p->spec;
    if (s->warmup != EXP_WARMUP_MSER5)
        return 0;
    double length = s->has_length ? s->length_s : ft_model_length(p->scenarios[0].model);
    if (!(length > 0))
        return ft_fail(err, NULL, 0, 0, "MSER-5 needs a run length (--length or run.length)");
    double *y = calloc(EXP_MSER_INTERVALS, sizeof *y);
    if (!y)
        return ft_fail(err, NULL, 0, 0, "out of memory");
    for (int k = 0; k < s->mser_pilots; k++)
        if (pilot(p, k, length, y, err)) {
            free(y);
            return -1;
        }
    bool at_limit;
    size_t d = stats_mser5(y, EXP_MSER_INTERVALS, &at_limit);
    free(y);
    p->warmup_s = (double)d * length / EXP_MSER_INTERVALS;
    p->mser.pilots = s->mser_pilots;
    p->mser.batch_s = 5 * length / EXP_MSER_INTERVALS;
    p->mser.batches = d / 5;
    p->mser.at_limit = at_limit;
    return 0;
}
