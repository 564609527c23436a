/* exp_mpi.c -- an executor of replications on MPI ranks, for experiments
 * larger than one machine.
 *
 * Every rank reads the same command line and builds the same plan (plans
 * are deterministic); rank 0 coordinates and writes the database, the other
 * ranks run one replication at a time as rank 0 hands them out and send back
 * the result. Dynamic hand-out rather than a fixed split keeps every rank
 * busy when replications differ in length (scenarios with more servers run
 * more events). Results travel as raw bytes: the ranks must share one binary
 * and one architecture, which is what a cluster running one build has. */
#include <stdlib.h>
#include <string.h>

#include "experiment/exp_mpi.h"

bool exp_mpi_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

#ifdef FT_MPI
#include <mpi.h>

enum { TAG_TASK = 1, TAG_STOP = 2, TAG_RESULT = 3 };

typedef struct wire {      /* a result's fixed part; the KPI values follow */
    int32_t scenario, rep, rc, pad;
    uint64_t seed, events;
    double warmup_s, length_s;
    char bottleneck[EXP_NAME_MAX];
    char error[512];
} wire;

typedef struct mpi_exec {
    exp_exec exec;
    const exp_plan *plan;
    int size;
    int *idle;            /* stack of idle worker ranks */
    int n_idle;
    unsigned char *buf;   /* one result message */
    size_t buf_size;
} mpi_exec;

bool exp_mpi_available(void)
{
    return true;
}

int exp_mpi_init(int *argc, char ***argv, int *rank, int *size, ft_error *err)
{
    if (MPI_Init(argc, argv) != MPI_SUCCESS)
        return ft_fail(err, NULL, 0, 0, "MPI_Init failed");
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

void exp_mpi_finalize(void)
{
    MPI_Finalize();
}

static size_t message_size(const exp_plan *p)
{
    return sizeof(wire) + p->kpis.n * sizeof(double);
}

static int mpi_submit(exp_exec *x, int scenario, int rep, ft_error *err)
{
    mpi_exec *m = (mpi_exec *)x;
    if (m->n_idle == 0)
        return ft_fail(err, NULL, 0, 0, "internal error: no idle MPI rank");
    int task[2] = {scenario, rep};
    int to = m->idle[--m->n_idle];
    if (MPI_Send(task, 2, MPI_INT, to, TAG_TASK, MPI_COMM_WORLD) != MPI_SUCCESS)
        return ft_fail(err, NULL, 0, 0, "MPI: cannot send a task to rank %d", to);
    return 0;
}

static int mpi_wait(exp_exec *x, exp_rep *out, ft_error *err)
{
    mpi_exec *m = (mpi_exec *)x;
    MPI_Status st;
    if (MPI_Recv(m->buf, (int)m->buf_size, MPI_BYTE, MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD,
                 &st) != MPI_SUCCESS)
        return ft_fail(err, NULL, 0, 0, "MPI: cannot receive a result");
    m->idle[m->n_idle++] = st.MPI_SOURCE;
    wire w;
    memcpy(&w, m->buf, sizeof w);
    *out = (exp_rep){.scenario = w.scenario, .rep = w.rep, .seed = w.seed,
                     .warmup_s = w.warmup_s, .length_s = w.length_s, .events = w.events,
                     .n_values = m->plan->kpis.n};
    memcpy(out->bottleneck, w.bottleneck, sizeof out->bottleneck);
    out->bottleneck[sizeof out->bottleneck - 1] = '\0';
    if (w.rc) {
        w.error[sizeof w.error - 1] = '\0';
        return ft_fail(err, NULL, 0, 0, "rank %d: %s", st.MPI_SOURCE, w.error);
    }
    if (!(out->values = malloc(m->plan->kpis.n * sizeof *out->values + 1)))
        return ft_fail(err, NULL, 0, 0, "out of memory");
    memcpy(out->values, m->buf + sizeof w, m->plan->kpis.n * sizeof *out->values);
    return 0;
}

void exp_mpi_stop_workers(void)
{
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    for (int r = 1; r < size; r++)
        MPI_Send(NULL, 0, MPI_INT, r, TAG_STOP, MPI_COMM_WORLD);
}

static void mpi_close(exp_exec *x)
{
    mpi_exec *m = (mpi_exec *)x;
    exp_mpi_stop_workers();
    free(m->idle);
    free(m->buf);
    free(m);
}

exp_exec *exp_mpi_exec_new(const exp_plan *p, ft_error *err)
{
    mpi_exec *m = calloc(1, sizeof *m);
    if (!m)
        goto oom;
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    m->plan = p;
    m->buf_size = message_size(p);
    m->idle = calloc((size_t)m->size, sizeof *m->idle);
    m->buf = malloc(m->buf_size);
    if (!m->idle || !m->buf)
        goto oom;
    for (int r = m->size - 1; r >= 1; r--)
        m->idle[m->n_idle++] = r;
    m->exec = (exp_exec){.capacity = m->size - 1,
                         .submit = mpi_submit,
                         .wait = mpi_wait,
                         .close = mpi_close};
    return &m->exec;
oom:
    if (m) {
        free(m->idle);
        free(m->buf);
        free(m);
    }
    ft_fail(err, NULL, 0, 0, "out of memory");
    return NULL;
}

int exp_mpi_serve(const exp_plan *p, ft_error *err)
{
    size_t size = message_size(p);
    unsigned char *buf = malloc(size);
    if (!buf)
        return ft_fail(err, NULL, 0, 0, "out of memory");
    for (;;) {
        int task[2];
        MPI_Status st;
        if (MPI_Recv(task, 2, MPI_INT, 0, MPI_ANY_TAG, MPI_COMM_WORLD, &st) != MPI_SUCCESS) {
            free(buf);
            return ft_fail(err, NULL, 0, 0, "MPI: cannot receive a task");
        }
        if (st.MPI_TAG == TAG_STOP)
            break;
        wire w;
        memset(&w, 0, sizeof w);
        exp_rep r = {.values = (double *)(buf + sizeof w)};
        ft_error e = {0};
        w.rc = exp_plan_run_rep(p, task[0], task[1], &r, &e);
        w.scenario = task[0];
        w.rep = task[1];
        w.seed = r.seed;
        w.events = r.events;
        w.warmup_s = r.warmup_s;
        w.length_s = r.length_s;
        memcpy(w.bottleneck, r.bottleneck, sizeof w.bottleneck);
        snprintf(w.error, sizeof w.error, "%.500s", e.msg);
        memcpy(buf, &w, sizeof w);
        MPI_Send(buf, (int)size, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    }
    free(buf);
    return 0;
}

#else /* built without MPI */

bool exp_mpi_available(void)
{
    return false;
}

int exp_mpi_init(int *argc, char ***argv, int *rank, int *size, ft_error *err)
{
    return ft_fail(err, NULL, 0, 0, "started by an MPI launcher, but this fabtwin was built "
                                    "without MPI (install libopenmpi-dev and rebuild)");
}

void exp_mpi_finalize(void) {}
void exp_mpi_stop_workers(void) {}

exp_exec *exp_mpi_exec_new(const exp_plan *p, ft_error *err)
{
    ft_fail(err, NULL, 0, 0, "built without MPI");
    return NULL;
}

int exp_mpi_serve(const exp_plan *p, ft_error *err)
{
    return ft_fail(err, NULL, 0, 0, "built without MPI");
}

#endif
