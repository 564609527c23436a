/* exp_result.h -- what one replication of an experiment produces, and the
 * names of the KPIs it carries: the unit of work that the runner hands out,
 * the store writes and the summaries read.
 *
 * Every scenario of an experiment is the same plant with other parameter
 * values (a parameter override never renames or adds an entity), so one
 * list of KPI definitions serves the whole experiment and a replication's
 * KPIs are a plain vector of doubles in that order. */
#ifndef FABTWIN_EXP_RESULT_H
#define FABTWIN_EXP_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "fabtwin/fabtwin.h"

/* One KPI: `name` is unique and stable ("product.电梯.per_hour"); group,
 * entity and measure are its parts, for tools that want them apart
 * (group: "plant", "product", "station", "buffer"; entity: "" for "plant"). */
typedef struct exp_kpi_def {
    char *name;
    char *group;
    char *entity;
    char *measure;
} exp_kpi_def;

typedef struct exp_kpi_defs {
    exp_kpi_def *defs;
    size_t n;
} exp_kpi_defs;

/* The KPIs of a report in a fixed order; defs_from_report names them. */
int exp_kpi_defs_from_report(exp_kpi_defs *d, const ft_report *r, ft_error *err);
void exp_kpi_defs_free(exp_kpi_defs *d);
/* Index of a KPI by name, or -1. */
int exp_kpi_find(const exp_kpi_defs *d, const char *name);
/* values[0..d->n) from a report of the same model. */
void exp_kpi_values(const exp_kpi_defs *d, const ft_report *r, double *values);

#define EXP_NAME_MAX 256

/* One finished replication. */
typedef struct exp_rep {
    int scenario;                 /* index into the experiment's scenarios */
    int rep;                      /* 0-based replication number */
    uint64_t seed;                /* the run's seed */
    double warmup_s, length_s;    /* the run's window */
    uint64_t events;              /* events the run processed */
    char bottleneck[EXP_NAME_MAX];/* sole bottleneck longest, "" when none */
    double *values;               /* n KPI values, in exp_kpi_defs order */
    size_t n_values;
} exp_rep;

#endif
