/* exp_pool.c -- an executor of replications on a pool of threads.
 *
 * Two queues under one mutex: tasks in, finished replications out. Each
 * replication builds its own simulation from the plan's models, which the
 * threads only read, so the threads share nothing else; the results are
 * the same whichever thread ran them. Capacity is twice the threads, so a
 * thread never waits for the coordinator to hand out the next task. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiment/exp_run.h"

typedef struct job {
    int scenario, rep;
    int rc;
    exp_rep out;
    ft_error err;
} job;

typedef struct pool {
    exp_exec exec;        /* first: the executor is the pool */
    const exp_plan *plan;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    job *tasks;  size_t t_head, t_n;  /* ring of capacity slots */
    job *ready;  size_t r_head, r_n;
    size_t cap;
    bool stop;
    pthread_t *threads;
    int n_threads;
} pool;

static void *worker(void *arg)
{
    pool *pl = arg;
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        while (!pl->stop && pl->t_n == 0)
            pthread_cond_wait(&pl->work, &pl->mu);
        if (pl->stop)
            break;
        job j = pl->tasks[pl->t_head];
        pl->t_head = (pl->t_head + 1) % pl->cap;
        pl->t_n--;
        pthread_mutex_unlock(&pl->mu);

        memset(&j.err, 0, sizeof j.err);
        j.out = (exp_rep){0};
        j.out.values = malloc(pl->plan->kpis.n * sizeof *j.out.values + 1);
        j.rc = j.out.values ? exp_plan_run_rep(pl->plan, j.scenario, j.rep, &j.out, &j.err)
                            : ft_fail(&j.err, NULL, 0, 0, "out of memory");

        pthread_mutex_lock(&pl->mu);
        pl->ready[(pl->r_head + pl->r_n) % pl->cap] = j;
        pl->r_n++;
        pthread_cond_signal(&pl->done);
    }
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

static int pool_submit(exp_exec *x, int scenario, int rep, ft_error *err)
{
    pool *pl = (pool *)x;
    pthread_mutex_lock(&pl->mu);
    if (pl->t_n == pl->cap) { /* the coordinator keeps within capacity */
        pthread_mutex_unlock(&pl->mu);
        return ft_fail(err, NULL, 0, 0, "internal error: more tasks than the pool holds");
    }
    job *j = &pl->tasks[(pl->t_head + pl->t_n) % pl->cap];
    j->scenario = scenario;
    j->rep = rep;
    pl->t_n++;
    pthread_cond_signal(&pl->work);
    pthread_mutex_unlock(&pl->mu);
    return 0;
}

static int pool_wait(exp_exec *x, exp_rep *out, ft_error *err)
{
    pool *pl = (pool *)x;
    pthread_mutex_lock(&pl->mu);
    while (pl->r_n == 0)
        pthread_cond_wait(&pl->done, &pl->mu);
    job j = pl->ready[pl->r_head];
    pl->r_head = (pl->r_head + 1) % pl->cap;
    pl->r_n--;
    pthread_mutex_unlock(&pl->mu);
    *out = j.out;
    if (j.rc)
        *err = j.err;
    return j.rc;
}

static void pool_close(exp_exec *x)
{
    pool *pl = (pool *)x;
    if (!pl)
        return;
    pthread_mutex_lock(&pl->mu);
    pl->stop = true;
    pthread_cond_broadcast(&pl->work);
    pthread_mutex_unlock(&pl->mu);
    for (int i = 0; i < pl->n_threads; i++)
        pthread_join(pl->threads[i], NULL);
    for (size_t i = 0; i < pl->r_n; i++)
        free(pl->ready[(pl->r_head + i) % pl->cap].out.values);
    pthread_cond_destroy(&pl->work);
    pthread_cond_destroy(&pl->done);
    pthread_mutex_destroy(&pl->mu);
    free(pl->threads);
    free(pl->tasks);
    free(pl->ready);
    free(pl);
}

exp_exec *exp_pool_new(const exp_plan *p, int threads, ft_error *err)
{
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    pool *pl = calloc(1, sizeof *pl);
    if (!pl)
        goto oom;
    pl->plan = p;
    pl->cap = 2 * (size_t)threads;
    pl->exec = (exp_exec){.capacity = (int)pl->cap,
                          .submit = pool_submit,
                          .wait = pool_wait,
                          .close = pool_close};
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->work, NULL);
    pthread_cond_init(&pl->done, NULL);
    pl->tasks = calloc(pl->cap, sizeof *pl->tasks);
    pl->ready = calloc(pl->cap, sizeof *pl->ready);
    pl->threads = calloc((size_t)threads, sizeof *pl->threads);
    if (!pl->tasks || !pl->ready || !pl->threads)
        goto oom;
    for (; pl->n_threads < threads; pl->n_threads++)
        if (pthread_create(&pl->threads[pl->n_threads], NULL, worker, pl) != 0) {
            pool_close(&pl->exec);
            ft_fail(err, NULL, 0, 0, "cannot start %d threads", threads);
            return NULL;
        }
    return &pl->exec;
oom:
    if (pl) {
        pl->n_threads = 0;
        pool_close(&pl->exec);
    }
    ft_fail(err, NULL, 0, 0, "out of memory");
    return NULL;
}
