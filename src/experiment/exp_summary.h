/* exp_summary.h -- the summary of an experiment: JSON and terminal table
 * (exp_summary.c; the format is docs/experiment-json.md). */
#ifndef FABTWIN_EXP_SUMMARY_H
#define FABTWIN_EXP_SUMMARY_H

#include <stdio.h>

#include "experiment/exp_run.h"

/* The `fabtwin-experiment/1` document; the caller frees it. NULL when out
 * of memory. */
char *exp_summary_json(const exp_plan *p, const exp_results *r);
void exp_summary_print(const exp_plan *p, const exp_results *r, FILE *out);

/* How many replications of a scenario ended with warnings (the KPI
 * plant.warnings > 0); *first is the first of them, or NULL. */
size_t exp_summary_warned(const exp_plan *p, const exp_results *r, int scenario,
                          const exp_rep **first);
/* The scenario with the best mean of the goal KPI (-1 when none). */
int exp_summary_best(const exp_plan *p, const exp_results *r);
/* Scenario i minus the baseline (scenario 0) in KPI k: paired with CRN,
 * Welch's interval without. */
exp_stat exp_summary_compare(const exp_plan *p, const exp_results *r, int i, int k);

#endif
