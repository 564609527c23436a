/* cmd_serve.c -- `fabtwin serve`: the web dashboard and its JSON API in
 * front of the model running at a multiple of real time, or, with --twin,
 * in front of the live twin of a plant (docs/dashboard.md). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_twin_opts.h"
#include "serve/serve.h"
#include "twin/twin_view.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* "ADDR:PORT", "ADDR" or ":PORT". */
static int parse_listen(const char *v, char *addr, size_t size, unsigned short *port)
{
    const char *colon = strrchr(v, ':');
    size_t n = colon ? (size_t)(colon - v) : strlen(v);
    if (n >= size)
        return -1;
    memcpy(addr, v, n);
    addr[n] = '\0';
    if (!n)
        strcpy(addr, "127.0.0.1");
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (*end || p < 1 || p > 65535)
            return -1;
        *port = (unsigned short)p;
    }
    return 0;
}

typedef struct serve_args {
    const char *path;
    char addr[64];
    serve_options so;
    const char *hosts[16];   /* --host */
    double duration_s;       /* --for: real time; 0 until stopped */
    bool twin;
    /* the simulation */
    ft_run_options opt;
    bool length_given;       /* --length; else a year, within the model's time limit */
    double speed;
    /* the twin */
    cli_twin_opts t;
} serve_args;

/* Options of the simulation only; 1 taken, 0 not one, 2 bad usage. */
static int sim_option(serve_args *a, const char *o, const char *v)
{
    char *end;
    ft_error err;
    if (!strcmp(o, "--speed")) {
        a->speed = strtod(v, &end);
        if (*end || !(a->speed > 0) || a->speed > 1e6)
            return cli_usage_error("--speed needs a number > 0 (x real time), got '%s'", v);
    } else if (!strcmp(o, "--seed")) {
        errno = 0;
        a->opt.seed = strtoull(v, &end, 10);
        if (errno || *end || v[0] == '-' || !v[0])
            return cli_usage_error("--seed needs a whole number >= 0, got '%s'", v);
        a->opt.has_seed = true;
    } else if (!strcmp(o, "--length")) {
        if (ft_parse_duration(v, &a->opt.length_s, &err) || !(a->opt.length_s > 0))
            return cli_usage_error("%s needs a duration like 8h", o);
        a->length_given = true;
    } else {
        return 0;
    }
    return 1;
}

/* Options that belong to one mode only (--speed and --seed mean the replay's
 * pace and the forecasts' seed with --twin), to say so when misplaced. */
static const char *const sim_only[] = {"--length", NULL};
static const char *const twin_only[] = {"--replay", "--mqtt", "--topic", "--record", "--json",
                                        "--summary", "--target", "--shift-end", "--forecast-every",
                                        "--stale-after", "--replications", "--max-ahead",
                                        "--seq-jump", "--confirm", NULL};

static bool is_one_of(const char *o, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(o, *list))
            return true;
    return false;
}

static int serve_parse(int argc, char **argv, serve_args *a)
{
    *a = (serve_args){.addr = "127.0.0.1", .speed = 60};
    a->so = (serve_options){.address = a->addr, .port = 8080, .token = getenv("FABTWIN_TOKEN"),
                            .hosts = a->hosts};
    /* A dashboard watches a plant that keeps running: a year unless --length. */
    a->opt = (ft_run_options){.has_warmup = true, .warmup_s = 0, .has_length = true,
                              .length_s = 52 * 7 * 86400.0};
    cli_twin_defaults(&a->t);
    a->t.json = NULL;  /* the forecasts are on the page; --json FILE also writes them */
    a->t.speed = 60;   /* a replay at an hour a minute, as the simulation */
    for (int i = 0; i < argc; i++)
        a->twin |= !strcmp(argv[i], "--twin");
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v;
        if (!strcmp(o, "--twin"))
            continue;
        int kind = cli_model_or_option(argc, argv, &i, &a->path, &v);
        if (kind != 1) {
            if (kind == 2)
                return 2;
            continue;
        }
        char *end;
        int taken = a->twin ? cli_twin_option(&a->t, o, v) : sim_option(a, o, v);
        if (taken == 2)
            return 2;
        if (taken == 1)
            continue;
        if (!strcmp(o, "--port")) {
            long p = strtol(v, &end, 10);
            if (*end || p < 1 || p > 65535)
                return cli_usage_error("--port needs a port number, got '%s'", v);
            a->so.port = (unsigned short)p;
        } else if (!strcmp(o, "--listen")) {
            if (parse_listen(v, a->addr, sizeof a->addr, &a->so.port))
                return cli_usage_error("--listen needs ADDRESS[:PORT], got '%s'", v);
        } else if (!strcmp(o, "--token")) {
            a->so.token = v;
        } else if (!strcmp(o, "--host")) {
            if (a->so.n_hosts == sizeof a->hosts / sizeof a->hosts[0] || !*v || strchr(v, ':'))
                return cli_usage_error("--host needs a name without a port (16 at most), "
                                       "got '%s'", v);
            a->hosts[a->so.n_hosts++] = v;
        } else if (!strcmp(o, "--timeout") || !strcmp(o, "--max-per-ip") ||
                   !strcmp(o, "--max-connections")) {
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 100000 || !*v)
                return cli_usage_error("%s needs a whole number from 1 to 100000", o);
            *(!strcmp(o, "--timeout")      ? &a->so.timeout_s
              : !strcmp(o, "--max-per-ip") ? &a->so.max_per_ip
                                           : &a->so.max_connections) = (unsigned)n;
        } else if (!strcmp(o, "--for")) {
            ft_error err;
            if (ft_parse_duration(v, &a->duration_s, &err) || !(a->duration_s > 0))
                return cli_usage_error("%s needs a duration like 8h", o);
        } else if (a->twin ? is_one_of(o, sim_only) : is_one_of(o, twin_only)) {
            return cli_usage_error(a->twin ? "%s is an option of the simulation, not of --twin"
                                           : "%s is an option of the twin: add --twin",
                                   o);
        } else {
            return cli_usage_error("unknown option '%s'", o);
        }
    }
    if (!a->path)
        return cli_usage_error("%s", "serve needs a model file");
    return a->twin ? cli_twin_check(&a->t, "serve --twin") : 0;
}

/* Until SIGINT/SIGTERM, --for, or the simulation or the twin failing. */
static void wait_for_the_end(const serve_args *a, serve_sim *ss, serve_twin *st, ft_error *err,
                             int *rc)
{
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!stop_requested) {
        struct timespec nap = {0, 100000000L}, now;
        nanosleep(&nap, NULL);
        if ((ss && serve_sim_failed(ss, err)) || (st && serve_twin_failed(st, err))) {
            *rc = cli_fail(err);
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (a->duration_s > 0 &&
            (double)(now.tv_sec - t0.tv_sec) + 1e-9 * (double)(now.tv_nsec - t0.tv_nsec) >=
                a->duration_s)
            break;
    }
}

int cmd_serve(int argc, char **argv)
{
    serve_args a;
    int rc = serve_parse(argc, argv, &a);
    if (rc)
        return rc;
    ft_error err = {0};
    ft_model *m = ft_model_load(a.path, &err);
    if (!m)
        return cli_fail(&err);
    base_out forecasts = {.fd = -1};
    serve_sim *ss = NULL;
    serve_twin *st = NULL;
    serve_source src = {0};
    /* The default year stops short of the model's time limit (a model
     * whose smallest step is under 7.3 ms cannot run a year). */
    if (!a.length_given && a.opt.length_s > ft_model_time_limit(m))
        a.opt.length_s = ft_model_time_limit(m);
    if (!a.twin) {
        if ((ss = serve_sim_new(m, &a.opt, a.speed, &err)))
            src = serve_sim_source(ss);
    } else if (!a.t.json || base_out_open_stream(&forecasts, a.t.json, &err) == 0) {
        serve_twin_options to = {.replay = a.t.replay, .mqtt = a.t.mqtt, .topic = a.t.topic,
                                 .speed = a.t.speed, .session = a.t.so};
        to.session.out = forecasts.f;
        to.session.record_path = a.t.record;
        if ((st = serve_twin_new(m, &to, &err)))
            src = serve_twin_source(st);
    }
    serve_http *h = src.ops ? serve_http_start(m, &src, &a.so, &err) : NULL;
    if (!h) {
        rc = cli_fail(&err);
    } else {
        bool exposed = strcmp(a.addr, "127.0.0.1") != 0;
        if (a.twin)
            printf("fabtwin: serving the twin of '%s' (%s %s) on http://%s:%u/%s\n",
                   ft_model_name(m), a.t.replay ? "replaying" : "subscribed to",
                   a.t.replay ? a.t.replay : a.t.mqtt, a.addr, (unsigned)a.so.port,
                   exposed ? " (POST needs the token)" : "");
        else
            printf("fabtwin: serving '%s' on http://%s:%u/ at %g x real time%s\n",
                   ft_model_name(m), a.addr, (unsigned)a.so.port, a.speed,
                   exposed ? " (POST needs the token)" : "");
        fflush(stdout);
        wait_for_the_end(&a, ss, st, &err, &rc);
    }
    serve_sim_shutdown(ss); /* wakes the event streams, so the server can stop */
    serve_twin_shutdown(st);
    serve_http_stop(h);
    /* the recording, the forecasts and the summary: each checked to the end */
    if (st && rc == 0 && twin_session_close_record(serve_twin_session(st), &err))
        rc = cli_fail(&err);
    if (st && rc == 0 && forecasts.f && base_out_commit(&forecasts, &err))
        rc = cli_fail(&err);
    if (st && rc == 0 && a.t.summary) {
        base_out f;
        if (base_out_open(&f, a.t.summary, &err) == 0) {
            twin_session_write_summary(serve_twin_session(st), f.f);
            if (base_out_commit(&f, &err))
                rc = cli_fail(&err);
        } else {
            rc = cli_fail(&err);
        }
    }
    serve_sim_free(ss);
    serve_twin_free(st);
    base_out_abort(&forecasts);
    ft_model_free(m);
    return rc;
}
