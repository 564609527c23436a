/* exp_db.h -- the experiment store: experiments, their scenarios, factor
 * values, replications and every KPI, in an SQLite database.
 *
 * The store is what makes a long experiment safe to interrupt: replications
 * are written in transactions of whole replications (all their rows or
 * none), so a run
 * killed at any instant leaves only whole replications behind, and rerunning
 * the same experiment (same key) finds them and does not redo them. Only one
 * process writes (the threaded runner's main thread, or MPI rank 0). */
#ifndef FABTWIN_EXP_DB_H
#define FABTWIN_EXP_DB_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "experiment/exp_result.h"

typedef struct exp_db exp_db;

/* A scenario as stored: its name and the parameter values it sets. */
typedef struct exp_db_scenario {
    const char *name;
    size_t n_set;
    const char *const *paths;   /* "stations.weld.servers" */
    const char *const *values;  /* "2" */
} exp_db_scenario;

/* Open or create the database and its schema. Fails (with the path and the
 * reason) when the file cannot be created or written, or is not an fabtwin
 * store; checks writability at once, so that an experiment never starts
 * simulating into a database it cannot write. */
exp_db *exp_db_open(const char *path, ft_error *err);
/* Open an existing database for reading only (exports): a missing file is
 * an error, never created; nothing is written. */
exp_db *exp_db_open_read(const char *path, ft_error *err);
void exp_db_close(exp_db *db);

/* The experiment with this key (a digest of the model and the experiment's
 * definition, computed by the caller), created with its scenarios and KPI
 * definitions when it is new. *resumed tells which. spec_json must be JSON
 * (the exports embed it). Resuming fails when the stored experiment has
 * another number of scenarios or other KPI names: values would otherwise be
 * filed under the wrong KPI. Look-up and creation are one transaction. */
int exp_db_experiment(exp_db *db, const char *key, const char *name, const char *model_path,
                      const char *spec_json, const exp_db_scenario *scenarios,
                      size_t n_scenarios, const exp_kpi_defs *kpis, int64_t *id, bool *resumed,
                      ft_error *err);

/* Store one replication atomically. Storing a (scenario, rep) that is
 * already there is an error (the runner never does it), and so is a
 * replication whose n_values is not the experiment's KPI count; either way
 * nothing of it is stored. NaN values are stored as SQL NULL and read back
 * as NaN. */
int exp_db_put_rep(exp_db *db, int64_t id, const exp_rep *r, ft_error *err);
/* Store several replications in one transaction: all of them or none.
 * Cheaper per replication than one transaction each; a killed run loses at
 * most the batch being written, which a resumed run simply redoes. */
int exp_db_put_reps(exp_db *db, int64_t id, const exp_rep *const *reps, size_t n, ft_error *err);

/* Every stored replication of experiment id, in (scenario, rep) order; r is
 * valid during the call only. fn returns non-zero to stop (and that value
 * is returned). n_kpis is the number of KPI definitions of the experiment
 * (checked). A replication with a missing KPI value is reported as a damaged
 * database, never read as zero. fn must not call back into this store. */
int exp_db_each_rep(exp_db *db, int64_t id, size_t n_kpis,
                    int (*fn)(void *ctx, const exp_rep *r), void *ctx, ft_error *err);

/* The most recently created experiment, for exports that name none; 0 when empty. */
int exp_db_latest(exp_db *db, int64_t *id, ft_error *err);

/* Every replication of experiment id, one row each, in (scenario, rep)
 * order. CSV: a header row, then scenario index, scenario name, one column
 * per factor path, rep, seed, warmup_s, length_s, events, bottleneck, one
 * column per KPI. JSON: see docs/experiment-db.md. Numbers are written with
 * 17 significant digits, so exports of equal results are byte-identical. */
int exp_db_export_csv(exp_db *db, int64_t id, FILE *out, ft_error *err);
int exp_db_export_json(exp_db *db, int64_t id, FILE *out, ft_error *err);

#endif
