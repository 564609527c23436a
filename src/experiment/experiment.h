/* experiment.h -- experiments: many replications of many scenarios of one
 * model, summarised with confidence intervals.
 *
 * An experiment is described by an exp_spec (read from an experiment file,
 * or built from command-line flags), planned into scenarios (each a loaded
 * model with its parameter overrides, all validated before anything runs),
 * run by a pool of threads or MPI ranks, stored replication by replication
 * in the results database, and summarised: per scenario and KPI the mean,
 * standard deviation and Student-t interval, the bottleneck, paired
 * comparisons with the baseline and the best scenario.
 *
 * Determinism: replication r of scenario s always runs with the same seed
 * and its results are committed in replication order, so the stored rows and
 * every summary are byte-identical whatever ran them. */
#ifndef FABTWIN_EXPERIMENT_H
#define FABTWIN_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "experiment/exp_result.h"
#include "fabtwin/fabtwin.h"

/* ---- the description ---------------------------------------------------- */

typedef enum exp_warmup_method {
    EXP_WARMUP_MODEL, /* the model's run.warmup */
    EXP_WARMUP_FIXED, /* given */
    EXP_WARMUP_MSER5  /* chosen by MSER-5 on pilot runs */
} exp_warmup_method;

/* Where something was written, for messages: a file position, or a flag. */
typedef struct exp_origin {
    char *file;
    int line, col;
} exp_origin;

/* A factor: a parameter path and the values it takes. */
typedef struct exp_factor {
    char *path;
    char **values;
    size_t n_values;
    exp_origin origin;
} exp_factor;

/* A named scenario: a set of parameter values. */
typedef struct exp_named {
    char *name;
    char **paths, **values;
    exp_origin *origins;
    size_t n_set;
} exp_named;

typedef struct exp_spec {
    char *name;                 /* experiment name; default: the model's */
    char *model_path;
    exp_factor *factors;        size_t n_factors;
    exp_named *named;           size_t n_named;
    int reps_min, reps_max;     /* fixed: equal */
    double target_rel_hw;       /* sequential mode when > 0 */
    char *target_kpi;           /* for the sequential mode */
    double confidence;          /* e.g. 0.95 */
    exp_warmup_method warmup;   double warmup_s;
    int mser_pilots;            /* pilot replications for MSER-5 */
    bool has_length;            double length_s;
    bool has_seed;              uint64_t seed;
    bool crn;                   /* common random numbers across scenarios */
    char *goal_kpi;             /* best scenario by this KPI */
    char **responses;           /* the KPIs shown first (table, report); all are stored */
    size_t n_responses;
    bool goal_max;
} exp_spec;

/* Defaults: 10 replications, 95 %, model warm-up and length, CRN on, goal
 * plant.throughput_per_hour (max); responses: throughput, WIP and the goal. */
void exp_spec_init(exp_spec *s);
void exp_spec_free(exp_spec *s);

/* An experiment file (docs/experiment.md). The model path in it is taken
 * relative to the file. */
int exp_spec_read_file(exp_spec *s, const char *path, ft_error *err);
/* Is this YAML file an experiment (a top-level `experiment:` key) rather
 * than a model? */
bool exp_file_is_experiment(const char *path);

/* A factor from "path=values": "1,2,3", "2..10:2", "90s..120s:10s",
 * "exp(1h),exp(2h)" (commas inside parentheses do not split). `origin`
 * names the flag for messages. */
int exp_spec_add_vary(exp_spec *s, const char *text, const char *origin, ft_error *err);
/* Add a response KPI by name (checked when the plan is built). */
int exp_spec_add_response(exp_spec *s, const char *kpi, ft_error *err);

/* ---- the plan: scenarios, loaded and checked ---------------------------- */

typedef struct exp_scenario {
    char *name;
    ft_override *set;           /* owned strings */
    size_t n_set;
    ft_model *model;
} exp_scenario;

typedef struct exp_plan {
    const exp_spec *spec;
    exp_scenario *scenarios;    size_t n_scenarios;
    exp_kpi_defs kpis;
    uint64_t seed;              /* base seed (spec or model) */
    double warmup_s, length_s;  /* the window of every replication */
    struct { int pilots; double batch_s; size_t batches; bool at_limit; } mser; /* MSER-5 */
    char key[33];               /* digest of everything that decides the results */
    int target_kpi, goal_kpi;   /* indices into kpis; -1 when none */
    int *responses;             /* indices into kpis */
    size_t n_responses;
} exp_plan;

/* Build every scenario (full factorial of the factors within each named
 * scenario, or within the model as it is), load and validate each, name the
 * KPIs; no simulation runs. The warm-up of an MSER-5 spec is chosen later,
 * by exp_plan_choose_warmup. */
int exp_plan_build(exp_plan *p, const exp_spec *s, ft_error *err);
void exp_plan_free(exp_plan *p);

/* MSER-5 on pilot runs of the first scenario (a no-op for other methods). */
int exp_plan_choose_warmup(exp_plan *p, ft_error *err);

/* The seed of replication rep of scenario sc: with CRN the same for every
 * scenario, so that replication r of each sees the same random numbers. */
uint64_t exp_plan_seed(const exp_plan *p, int scenario, int rep);

/* Run one replication: out->values must hold p->kpis.n doubles. Thread-safe
 * (the plan is only read). */
int exp_plan_run_rep(const exp_plan *p, int scenario, int rep, exp_rep *out, ft_error *err);

/* The canonical description of the plan as JSON text (stored with the
 * experiment; the key is its digest together with the model text). Caller
 * frees. */
char *exp_plan_spec_json(const exp_plan *p);

#endif
