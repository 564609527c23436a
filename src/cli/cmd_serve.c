/* cmd_serve.c -- `fabtwin serve`: run a model at a multiple of real time
 * behind the web dashboard and its JSON API (docs/dashboard.md). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "serve/serve.h"

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

int cmd_serve(int argc, char **argv)
{
    const char *path = NULL;
    char addr[64] = "127.0.0.1";
    serve_options so = {.address = addr, .port = 8080, .token = getenv("FABTWIN_TOKEN")};
    /* A dashboard watches a plant that keeps running: a year unless --length. */
    ft_run_options opt = {.has_warmup = true, .warmup_s = 0, .has_length = true,
                          .length_s = 52 * 7 * 86400.0};
    double speed = 60, duration_s = 0;
    ft_error err = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (a[0] != '-' || a[1] != '-') {
            if (path)
                return cli_usage_error("one model at a time (extra '%s')", a);
            path = a;
            continue;
        }
        if (!v)
            return cli_usage_error("option %s needs a value", a);
        i++;
        char *end;
        if (!strcmp(a, "--port")) {
            long p = strtol(v, &end, 10);
            if (*end || p < 1 || p > 65535)
                return cli_usage_error("--port needs a port number, got '%s'", v);
            so.port = (unsigned short)p;
        } else if (!strcmp(a, "--listen")) {
            if (parse_listen(v, addr, sizeof addr, &so.port))
                return cli_usage_error("--listen needs ADDRESS[:PORT], got '%s'", v);
        } else if (!strcmp(a, "--token")) {
            so.token = v;
        } else if (!strcmp(a, "--speed")) {
            speed = strtod(v, &end);
            if (*end || !(speed > 0) || speed > 1e6)
                return cli_usage_error("--speed needs a number > 0 (x real time), got '%s'", v);
        } else if (!strcmp(a, "--seed")) {
            errno = 0;
            opt.seed = strtoull(v, &end, 10);
            if (errno || *end || v[0] == '-' || !v[0])
                return cli_usage_error("--seed needs a whole number >= 0, got '%s'", v);
            opt.has_seed = true;
        } else if (!strcmp(a, "--length") || !strcmp(a, "--for")) {
            double d;
            if (ft_parse_duration(v, &d, &err) || !(d > 0))
                return cli_usage_error("%s needs a duration like 8h", a);
            if (a[2] == 'l') {
                opt.has_length = true;
                opt.length_s = d;
            } else {
                duration_s = d;
            }
        } else {
            return cli_usage_error("unknown option '%s'", a);
        }
    }
    if (!path)
        return cli_usage_error("%s", "serve needs a model file");
    ft_model *m = ft_model_load(path, &err);
    if (!m)
        return cli_fail(&err);
    serve_sim *ss = serve_sim_new(m, &opt, speed, &err);
    serve_http *h = ss ? serve_http_start(m, ss, &so, &err) : NULL;
    int rc = 0;
    if (!h) {
        rc = cli_fail(&err);
    } else {
        printf("fabtwin: serving '%s' on http://%s:%u/ at %g x real time%s\n", ft_model_name(m),
               addr, (unsigned)so.port, speed,
               strcmp(addr, "127.0.0.1") ? " (POST needs the token)" : "");
        fflush(stdout);
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (!stop_requested) {
            struct timespec nap = {0, 100000000L}, now;
            nanosleep(&nap, NULL);
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (duration_s > 0 && (double)(now.tv_sec - t0.tv_sec) +
                                          1e-9 * (double)(now.tv_nsec - t0.tv_nsec) >=
                                      duration_s)
                break;
        }
    }
    serve_sim_shutdown(ss); /* wakes the event streams, so the server can stop */
    serve_http_stop(h);
    serve_sim_free(ss);
    ft_model_free(m);
    return rc;
}
