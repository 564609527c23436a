/* exp_run.h -- running an experiment's replications and collecting them.
 *
 * The coordinator (exp_run) decides which replications to run, hands them
 * to an executor -- a pool of threads here, or MPI ranks -- and commits the
 * results of each scenario strictly in replication order: to memory, to the
 * database, and to the stopping rule of the sequential mode. Results that
 * arrive early wait their turn; results beyond a scenario's stopping point
 * are dropped. Which replications end up committed therefore never depends
 * on timing, and neither does anything computed from them. */
#ifndef FABTWIN_EXP_RUN_H
#define FABTWIN_EXP_RUN_H

#include <stdbool.h>

#include "experiment/exp_db.h"
#include "experiment/exp_stat.h"
#include "experiment/experiment.h"

/* An executor runs replications somewhere and returns them in any order. */
typedef struct exp_exec exp_exec;
struct exp_exec {
    int capacity;  /* replications it can have in flight */
    int (*submit)(exp_exec *x, int scenario, int rep, ft_error *err);
    /* The next finished replication; out->values is malloc'd (the caller
     * frees it). A replication that failed returns -1 with its error. */
    int (*wait)(exp_exec *x, exp_rep *out, ft_error *err);
    void (*close)(exp_exec *x);
};

/* A pool of `threads` threads (0: one per core) running in this process. */
exp_exec *exp_pool_new(const exp_plan *p, int threads, ft_error *err);

/* The committed replications of each scenario, in order. */
typedef struct exp_results {
    size_t n_scenarios, n_kpis;
    int *n_reps;
    exp_rep **reps;  /* reps[s][0 .. n_reps[s]) */
} exp_results;

void exp_results_free(exp_results *r);

typedef struct exp_run_options {
    exp_exec *exec;
    exp_db *db;          /* NULL: results in memory only */
    int64_t db_experiment;
    bool progress;       /* a progress bar with ETA on stderr */
} exp_run_options;

/* Run (or resume: replications already in the database are read back, not
 * redone) until every scenario has its replications. */
int exp_run(const exp_plan *p, const exp_run_options *o, exp_results *res, ft_error *err);

#endif
