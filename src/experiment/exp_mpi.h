/* exp_mpi.h -- running an experiment's replications on MPI ranks
 * (exp_mpi.c). Without MPI at build time the functions fail with a message
 * saying so. */
#ifndef FABTWIN_EXP_MPI_H
#define FABTWIN_EXP_MPI_H

#include <stdbool.h>

#include "experiment/exp_run.h"

/* Was this fabtwin built with MPI? */
bool exp_mpi_available(void);
/* Was this process started by an MPI launcher (mpirun, srun)? */
bool exp_mpi_launched(void);
int exp_mpi_init(int *argc, char ***argv, int *rank, int *size, ft_error *err);
void exp_mpi_finalize(void);

/* Rank 0: an executor handing replications to ranks 1..size-1. Closing it
 * releases the workers. */
exp_exec *exp_mpi_exec_new(const exp_plan *p, ft_error *err);
/* Rank 0, when it fails before it had an executor: release the workers. */
void exp_mpi_stop_workers(void);
/* Ranks > 0: run replications until rank 0 says stop. */
int exp_mpi_serve(const exp_plan *p, ft_error *err);

#endif
