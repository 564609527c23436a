/* cmd_twin.c -- `fabtwin twin` (mirror a plant's telemetry, forecast the
 * shift) and `fabtwin emulate` (a simulated plant that publishes it).
 * Transports: a JSON Lines file (--replay / --out) or an MQTT broker
 * (--mqtt, when built with libmosquitto). docs/twin.md is the manual. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_twin_opts.h"
#include "twin/twin_emulate.h"
#include "twin/twin_mqtt.h"
#include "twin/twin_session.h"

static void pace(double *last_s, double now_s, double speed)
{
    if (speed <= 0 || *last_s < 0 || now_s <= *last_s) {
        if (*last_s < now_s)
            *last_s = now_s;
        return;
    }
    double wait_s = (now_s - *last_s) / speed;
    *last_s = now_s;
    if (wait_s > 5)
        wait_s = 5; /* a long lull in the log is not worth waiting out */
    struct timespec ts = {(time_t)wait_s, (long)((wait_s - floor(wait_s)) * 1e9)};
    nanosleep(&ts, NULL);
}

/* ---- twin --------------------------------------------------------------------- */

typedef struct twin_args {
    const char *model;
    bool quiet;
    cli_twin_opts t;
} twin_args;

static int twin_parse(int argc, char **argv, twin_args *a)
{
    *a = (twin_args){0};
    cli_twin_defaults(&a->t);
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v;
        if (strcmp(o, "--quiet") == 0) { a->quiet = true; continue; }
        int kind = cli_model_or_option(argc, argv, &i, &a->model, &v);
        if (kind != 1) {
            if (kind == 2)
                return 2;
            continue;
        }
        int taken = cli_twin_option(&a->t, o, v);
        if (taken == 0)
            return cli_usage_error("unknown option '%s'", o);
        if (taken == 2)
            return 2;
    }
    if (!a->model)
        return cli_usage_error("%s", "twin needs a MODEL");
    return cli_twin_check(&a->t, "twin");
}

static int write_summary(const twin_session *s, const char *path, ft_error *err)
{
    base_out o;
    if (base_out_open(&o, path, err))
        return -1;
    twin_mirror_write_json(&s->mirror, o.f);
    return base_out_commit(&o, err);
}

/* SIGINT/SIGTERM end an MQTT twin cleanly (summary written): the handler
 * only sets the session's atomic stop flag. */
static twin_session *stop_on_signal;

static void on_signal(int sig)
{
    (void)sig;
    if (stop_on_signal)
        twin_session_request_stop(stop_on_signal);
}

int cmd_twin(int argc, char **argv)
{
    twin_args a;
    int rc = twin_parse(argc, argv, &a);
    if (rc)
        return rc;
    cli_twin_opts *t = &a.t;
    ft_error err = {0};
    ft_model *m = ft_model_load(a.model, &err);
    if (!m)
        return cli_fail(&err);
    base_out out = {.fd = -1};
    /* forecasts are a stream: written in place, as they come */
    if (t->json && base_out_open_stream(&out, t->json, &err)) {
        ft_model_free(m);
        return cli_fail(&err);
    }
    t->so.out = out.f;
    t->so.record_path = t->record;
    twin_session *s = calloc(1, sizeof *s);
    if (!s || twin_session_init(s, m, &t->so, &err) != 0) {
        if (s)
            free(s);
        else
            ft_fail(&err, NULL, 0, 0, "out of memory");
        base_out_abort(&out);
        ft_model_free(m);
        return cli_fail(&err);
    }
    if (t->replay) {
        twin_replay *p = twin_replay_open(t->replay, &err);
        rc = p ? 0 : 1;
        twin_replay_line line;
        double last_s = -1;
        int got = 0;
        while (p && !twin_session_stop_requested(s) && (got = twin_replay_next(p, &line)) == 1) {
            if (line.is_gap)
                twin_session_gap(s, line.gap_from_s, line.gap_to_s);
            else
                twin_session_message(s, line.topic, line.payload, line.len);
            pace(&last_s, s->mirror.now_s, t->speed);
        }
        if (p && got < 0)
            rc = ft_fail(&err, t->replay, 0, 0, "cannot read: %s", twin_replay_error(p)) ? 1 : 1;
        twin_replay_close(p);
    } else {
        stop_on_signal = s;
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        rc = twin_mqtt_run_twin(s, t->mqtt, t->topic, &err) ? 1 : 0;
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        stop_on_signal = NULL;
    }
    twin_session_finish(s); /* what is still quarantined is decided now */
    if (rc == 0 && twin_session_failed(s, &err))
        rc = 1;
    if (rc == 0 && !a.quiet) {
        fprintf(stderr, "fabtwin twin: %llu messages, %llu accepted, output %llu, %zu forecasts\n",
                (unsigned long long)s->mirror.received, (unsigned long long)s->mirror.accepted,
                (unsigned long long)twin_mirror_output(&s->mirror), s->n_forecasts);
    }
    /* the recording, the forecasts and the summary: each checked to the end */
    if (rc == 0 && twin_session_close_record(s, &err))
        rc = 1;
    if (rc == 0 && out.f && base_out_commit(&out, &err))
        rc = 1;
    if (rc == 0 && t->summary && write_summary(s, t->summary, &err))
        rc = 1;
    if (rc)
        cli_fail(&err);
    twin_session_free(s);
    free(s);
    base_out_abort(&out);
    ft_model_free(m);
    return rc;
}

/* ---- emulate -------------------------------------------------------------------- */

typedef struct file_sink {
    FILE *f;
    double speed, last_s;
} file_sink;

static void to_file(void *ctx, const char *gw, const char *type, double ts_s, const char *p,
                    size_t len)
{
    file_sink *fs = ctx;
    pace(&fs->last_s, ts_s, fs->speed);
    fwrite(p, 1, len, fs->f);
    fputc('\n', fs->f);
}

#define EMULATE_MAX_SETS 16 /* --set options of one emulate: plenty for a plant that differs */
#define EMULATE_MAX_SETS_TEXT "16" /* the same, for messages */

typedef struct emulate_args {
    const char *model, *out, *mqtt, *topic, *truth;
    double speed, start_tod_s, end_tod_s, day;
    twin_emulate_options eo;
    ft_override sets[EMULATE_MAX_SETS];
    size_t n_sets;
} emulate_args;

static int emulate_parse(int argc, char **argv, emulate_args *a)
{
    *a = (emulate_args){.topic = "plant/line1", .start_tod_s = 8 * 3600, .end_tod_s = 16 * 3600};
    a->eo = (twin_emulate_options){.gateways = 1, .counters_every_s = 300, .kill_gateway = -1};
    double x;
    ft_error err;
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i], *v;
        int kind = cli_model_or_option(argc, argv, &i, &a->model, &v);
        if (kind != 1) {
            if (kind == 2)
                return 2;
            continue;
        }
        double *prob = strcmp(o, "--drop") == 0 ? &a->eo.noise.drop
                     : strcmp(o, "--dup") == 0 ? &a->eo.noise.dup
                     : strcmp(o, "--late") == 0 ? &a->eo.noise.late
                     : strcmp(o, "--swap") == 0 ? &a->eo.noise.swap : NULL;
        if (prob) {
            if (cli_parse_number(v, 0, 1, prob)) return cli_usage_error("bad probability '%s'", v);
        } else if (strcmp(o, "--out") == 0) a->out = v;
        else if (strcmp(o, "--mqtt") == 0) a->mqtt = v;
        else if (strcmp(o, "--topic") == 0) a->topic = v;
        else if (strcmp(o, "--truth") == 0) a->truth = v;
        else if (strcmp(o, "--start") == 0) {
            if (cli_parse_tod(v, &a->start_tod_s)) return cli_usage_error("bad --start '%s' (HH:MM)", v);
        } else if (strcmp(o, "--shift-end") == 0) {
            if (cli_parse_tod(v, &a->end_tod_s)) return cli_usage_error("bad --shift-end '%s' (HH:MM)", v);
        } else if (strcmp(o, "--day") == 0) {
            if (cli_parse_number(v, 0, 6, &a->day)) return cli_usage_error("bad --day '%s' (0 = Monday)", v);
        } else if (strcmp(o, "--speed") == 0) {
            if (cli_parse_number(v, 1e-3, 1e9, &a->speed)) return cli_usage_error("bad --speed '%s'", v);
        } else if (strcmp(o, "--seed") == 0) {
            if (cli_parse_number(v, 0, 9e15, &x)) return cli_usage_error("bad --seed '%s'", v);
            a->eo.has_seed = true;
            a->eo.seed = (uint64_t)x;
        } else if (strcmp(o, "--noise-seed") == 0) {
            if (cli_parse_number(v, 0, 9e15, &x)) return cli_usage_error("bad --noise-seed '%s'", v);
            a->eo.noise.seed = (uint64_t)x;
        } else if (strcmp(o, "--gateways") == 0) {
            if (cli_parse_number(v, 1, 16, &x)) return cli_usage_error("bad --gateways '%s' (1..16)", v);
            a->eo.gateways = (int)x;
        } else if (strcmp(o, "--counters-every") == 0) {
            if (ft_parse_duration(v, &a->eo.counters_every_s, &err) || a->eo.counters_every_s <= 0)
                return cli_usage_error("bad --counters-every '%s'", v);
        } else if (strcmp(o, "--kill-gateway") == 0) {
            unsigned g;
            char tod[16];
            if (sscanf(v, "gw%u@%15s", &g, tod) != 2 || g >= 16 || cli_parse_tod(tod, &a->eo.kill_at_s))
                return cli_usage_error("bad --kill-gateway '%s' (like gw1@12:00)", v);
            a->eo.kill_gateway = (int)g;
        } else if (strcmp(o, "--set") == 0) {
            char *eq = strchr(v, '=');
            if (!eq || a->n_sets == EMULATE_MAX_SETS)
                return cli_usage_error("bad --set '%s' (PATH=VALUE, at most "
                                       EMULATE_MAX_SETS_TEXT ")", v);
            *eq = '\0';
            a->sets[a->n_sets++] = (ft_override){.path = v, .value = eq + 1, .file = "--set"};
        } else {
            return cli_usage_error("unknown option '%s'", o);
        }
    }
    if (!a->model)
        return cli_usage_error("%s", "emulate needs a MODEL");
    if (!a->out == !a->mqtt)
        return cli_usage_error("%s", "emulate needs exactly one of --out FILE and --mqtt URL");
    const char *const names[] = {"--out", "--truth"}, *const paths[] = {a->out, a->truth};
    if (cli_distinct_outputs(names, paths, 2))
        return 2;
    if (a->end_tod_s <= a->start_tod_s)
        return cli_usage_error("%s", "the shift must end after it starts (--start, --shift-end)");
    if (a->eo.kill_gateway >= a->eo.gateways)
        return cli_usage_error("%s", "--kill-gateway names a gateway that does not exist");
    a->eo.start_s = a->day * 86400 + a->start_tod_s;
    a->eo.end_s = a->day * 86400 + a->end_tod_s;
    a->eo.kill_at_s += a->day * 86400;
    return 0;
}

int cmd_emulate(int argc, char **argv)
{
    emulate_args a;
    int rc = emulate_parse(argc, argv, &a);
    if (rc)
        return rc;
    ft_error err = {0};
    /* the plant may differ from the model (--set): the twin keeps the plain model */
    ft_model *plant = ft_model_load_with(a.model, a.sets, a.n_sets, &err);
    if (!plant)
        return cli_fail(&err);
    twin_model tm;
    if (twin_model_init(&tm, plant, 86400, &err) != 0) {
        ft_model_free(plant);
        return cli_fail(&err);
    }
    twin_truth truth;
    if (a.out) {
        base_out o;
        rc = 1;
        if (base_out_open(&o, a.out, &err) == 0) {
            file_sink fs = {o.f, a.speed, -1};
            a.eo.sink = to_file;
            a.eo.sink_ctx = &fs;
            if (twin_emulate_run(plant, &tm, &a.eo, &truth, &err) == 0)
                rc = base_out_commit(&o, &err) ? 1 : 0;
            base_out_abort(&o);
        }
    } else {
        rc = twin_mqtt_run_emulate(plant, &tm, &a.eo, a.mqtt, a.topic, a.speed, &truth, &err) ? 1 : 0;
    }
    if (rc == 0 && a.truth) {
        base_out t;
        rc = 1;
        if (base_out_open(&t, a.truth, &err) == 0) {
            twin_truth_write_json(&truth, &tm, t.f);
            rc = base_out_commit(&t, &err) ? 1 : 0;
        }
    }
    if (rc)
        cli_fail(&err);
    twin_model_free(&tm);
    ft_model_free(plant);
    return rc;
}
