/* cmd_experiment.c -- `fabtwin experiment`: replications and scenario
 * sweeps with confidence intervals, on all cores or MPI ranks, stored in
 * SQLite; and `fabtwin export`: a stored experiment as CSV or JSON.
 *
 * Order matters for the promise that bad input fails before anything is
 * simulated: the description is read, every scenario is loaded and checked,
 * the database and output files are opened, and only then do the MSER-5
 * pilots and the replications run. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "experiment/exp_db.h"
#include "experiment/exp_html.h"
#include "experiment/exp_mpi.h"
#include "experiment/exp_summary.h"

typedef struct xopts {
    const char *input;          /* model or experiment file */
    const char *db_path, *json_path, *csv_path, *report_path;
    bool no_db, quiet;
    int threads;
} xopts;

static int parse_whole(const char *flag, const char *v, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || *end || end == v || x < min || x > max) {
        fprintf(stderr, "fabtwin: %s needs a whole number from %ld to %ld, got '%s'\n", flag, min,
                max, v);
        return -1;
    }
    *out = x;
    return 0;
}

/* 0.95 or 95% -> 0.95, in (0, 1). */
static int parse_share(const char *flag, const char *v, double *out)
{
    char *end;
    double x = strtod(v, &end);
    if (end != v && *end == '%' && end[1] == '\0') {
        x /= 100;
        end++;
    }
    if (end == v || *end || !(x > 0 && x < 1)) {
        fprintf(stderr, "fabtwin: %s needs a share between 0 and 1 (like 0.95 or 95%%), got '%s'\n",
                flag, v);
        return -1;
    }
    *out = x;
    return 0;
}

static int parse_replications(exp_spec *s, const char *v)
{
    long a, b;
    const char *dots = strstr(v, "..");
    if (!dots) {
        if (parse_whole("--replications", v, 1, 1000000, &a))
            return -1;
        s->reps_min = s->reps_max = (int)a;
        return 0;
    }
    char lo[32];
    size_t n = (size_t)(dots - v);
    if (n >= sizeof lo)
        n = sizeof lo - 1;
    memcpy(lo, v, n);
    lo[n] = '\0';
    if (parse_whole("--replications", lo, 2, 1000000, &a) ||
        parse_whole("--replications", dots + 2, a, 1000000, &b))
        return -1;
    s->reps_min = (int)a;
    s->reps_max = (int)b;
    return 0;
}

static int parse_args(int argc, char **argv, exp_spec *s, xopts *o, ft_error *err)
{
    /* The experiment file first, so that flags override it. */
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            i += strcmp(argv[i], "--quiet") && strcmp(argv[i], "--no-crn") &&
                 strcmp(argv[i], "--crn") && strcmp(argv[i], "--no-db");
            continue;
        }
        if (o->input)
            return cli_usage_error("one model or experiment file at a time (extra '%s')", argv[i]);
        o->input = argv[i];
    }
    if (!o->input)
        return cli_usage_error("%s", "experiment needs a model or an experiment file");
    if (exp_file_is_experiment(o->input)) {
        if (exp_spec_read_file(s, o->input, err))
            return cli_fail(err);
    } else if (!(s->model_path = strdup(o->input))) {
        return cli_fail(err);
    }
    bool reps_given = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long x;
        if (a[0] != '-' || a[1] != '-')
            continue;
        if (!strcmp(a, "--quiet") || !strcmp(a, "--no-crn") || !strcmp(a, "--crn") ||
            !strcmp(a, "--no-db")) {
            o->quiet |= a[2] == 'q';
            if (!strcmp(a, "--no-crn") || !strcmp(a, "--crn"))
                s->crn = a[2] == 'c';
            o->no_db |= !strcmp(a, "--no-db");
            continue;
        }
        if (!v)
            return cli_usage_error("option %s needs a value", a);
        i++;
        if (!strcmp(a, "--replications")) {
            if (parse_replications(s, v))
                return 2;
            reps_given = true;
        } else if (!strcmp(a, "--half-width")) {
            if (parse_share(a, v, &s->target_rel_hw))
                return 2;
            if (!reps_given && s->reps_min == s->reps_max) {
                s->reps_min = 5;
                s->reps_max = 1000;
            }
        } else if (!strcmp(a, "--target-kpi")) {
            free(s->target_kpi);
            s->target_kpi = strdup(v);
        } else if (!strcmp(a, "--confidence")) {
            if (parse_share(a, v, &s->confidence))
                return 2;
        } else if (!strcmp(a, "--warmup")) {
            if (!strcmp(v, "mser5")) {
                s->warmup = EXP_WARMUP_MSER5;
            } else if (ft_parse_duration(v, &s->warmup_s, err) == 0 && s->warmup_s >= 0) {
                s->warmup = EXP_WARMUP_FIXED;
            } else {
                fprintf(stderr, "fabtwin: --warmup needs a duration (like 2h) or mser5: %s\n",
                        err->msg);
                return 2;
            }
        } else if (!strcmp(a, "--length")) {
            if (ft_parse_duration(v, &s->length_s, err) || !(s->length_s > 0)) {
                fprintf(stderr, "fabtwin: --length needs a duration > 0 (like 1d)\n");
                return 2;
            }
            s->has_length = true;
        } else if (!strcmp(a, "--seed")) {
            char *end;
            errno = 0;
            s->seed = strtoull(v, &end, 10);
            if (errno || *end || v[0] == '-' || !v[0])
                return cli_usage_error("--seed needs a whole number >= 0, got '%s'", v);
            s->has_seed = true;
        } else if (!strcmp(a, "--vary")) {
            char origin[600];
            snprintf(origin, sizeof origin, "--vary %s", v);
            if (exp_spec_add_vary(s, v, origin, err))
                return cli_fail(err);
        } else if (!strcmp(a, "--goal")) {
            const char *colon = strrchr(v, ':');
            bool dir = colon && (!strcmp(colon, ":max") || !strcmp(colon, ":min"));
            free(s->goal_kpi);
            s->goal_kpi = dir ? strndup(v, (size_t)(colon - v)) : strdup(v);
            if (dir)
                s->goal_max = !strcmp(colon, ":max");
        } else if (!strcmp(a, "--response")) {
            if (exp_spec_add_response(s, v, err))
                return cli_fail(err);
        } else if (!strcmp(a, "--threads")) {
            if (parse_whole(a, v, 1, 4096, &x))
                return 2;
            o->threads = (int)x;
        } else if (!strcmp(a, "--db")) {
            o->db_path = v;
        } else if (!strcmp(a, "--json")) {
            o->json_path = v;
        } else if (!strcmp(a, "--csv")) {
            o->csv_path = v;
        } else if (!strcmp(a, "--report")) {
            o->report_path = v;
        } else if (!strcmp(a, "--mser-pilots")) {
            if (parse_whole(a, v, 1, 1000, &x))
                return 2;
            s->mser_pilots = (int)x;
        } else {
            return cli_usage_error("unknown option '%s'", a);
        }
    }
    return 0;
}

/* <model without .yaml>.results.sqlite, next to the model. */
static char *default_db(const char *model)
{
    size_t n = strlen(model);
    const char *dot = strrchr(model, '.'), *slash = strrchr(model, '/');
    if (dot && (!slash || dot > slash))
        n = (size_t)(dot - model);
    char *p = malloc(n + sizeof ".results.sqlite");
    if (p) {
        memcpy(p, model, n);
        strcpy(p + n, ".results.sqlite");
    }
    return p;
}

typedef struct outputs {
    FILE *json, *csv, *report;
} outputs;

/* Open every output before anything runs, so a bad path fails first. */
static int open_outputs(const xopts *o, outputs *out, ft_error *err)
{
    if (o->json_path && !(out->json = cli_open_out(o->json_path, err)))
        return -1;
    if (o->csv_path && !(out->csv = cli_open_out(o->csv_path, err)))
        return -1;
    if (o->report_path && !(out->report = cli_open_out(o->report_path, err)))
        return -1;
    return 0;
}

/* After a failure the files opened are removed: a failed experiment
 * leaves no summary that could be taken for its results. */
static void close_outputs(outputs *out, const xopts *o, bool failed)
{
    FILE *files[] = {out->json, out->csv, out->report};
    const char *paths[] = {o->json_path, o->csv_path, o->report_path};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        cli_close_out(files[i]);
        if (failed && files[i] && files[i] != stdout)
            remove(paths[i]);
    }
}

static int write_outputs(const exp_plan *p, const exp_results *r, const xopts *o, exp_db *db,
                         int64_t id, outputs *out, ft_error *err)
{
    char *json = exp_summary_json(p, r);
    if (!json)
        return ft_fail(err, NULL, 0, 0, "out of memory writing the summary");
    int rc = 0;
    if (!o->quiet)
        exp_summary_print(p, r, stdout);
    if (out->json && fputs(json, out->json) < 0)
        rc = ft_fail(err, o->json_path, 0, 0, "could not write");
    if (!rc && out->report)
        rc = exp_html_write(out->report, json, err);
    if (!rc && out->csv)
        rc = exp_db_export_csv(db, id, out->csv, err);
    free(json);
    return rc;
}

/* Find or create the experiment in the database. */
static int store_experiment(exp_db *db, const exp_plan *p, const char *spec, int64_t *id,
                            bool *resumed, ft_error *err)
{
    size_t n = p->n_scenarios;
    exp_db_scenario *sc = calloc(n, sizeof *sc);
    int rc = sc ? 0 : -1;
    for (size_t i = 0; i < n && !rc; i++) {
        const exp_scenario *s = &p->scenarios[i];
        const char **paths = calloc(s->n_set + 1, sizeof *paths);
        const char **values = calloc(s->n_set + 1, sizeof *values);
        sc[i] = (exp_db_scenario){s->name, s->n_set, paths, values};
        rc = paths && values ? 0 : -1;
        for (size_t k = 0; !rc && k < s->n_set; k++) {
            paths[k] = s->set[k].path;
            values[k] = s->set[k].value;
        }
    }
    const char *name = p->spec->name ? p->spec->name : ft_model_name(p->scenarios[0].model);
    if (rc)
        ft_fail(err, NULL, 0, 0, "out of memory");
    else
        rc = exp_db_experiment(db, p->key, name, p->spec->model_path, spec, sc, n, &p->kpis, id,
                               resumed, err);
    for (size_t i = 0; sc && i < n; i++) {
        free((void *)sc[i].paths);
        free((void *)sc[i].values);
    }
    free(sc);
    return rc;
}

/* Rank 0 or the only process: store, run, summarise. */
static int lead(exp_plan *p, const xopts *o, bool mpi, ft_error *err)
{
    int rc = -1;
    exp_db *db = NULL;
    exp_exec *exec = NULL;
    exp_results res = {0};
    outputs out = {0};
    int64_t id = 0;
    bool resumed = false;
    char *db_path = o->db_path ? strdup(o->db_path) : default_db(p->spec->model_path);
    char *spec = exp_plan_spec_json(p);
    if (!db_path || !spec) {
        ft_fail(err, NULL, 0, 0, "out of memory");
        goto out;
    }
    if (o->csv_path && o->no_db) {
        ft_fail(err, NULL, 0, 0, "--csv exports the database; it cannot go with --no-db");
        goto out;
    }
    if ((!o->no_db && !(db = exp_db_open(db_path, err))) || open_outputs(o, &out, err))
        goto out;
    if (exp_plan_choose_warmup(p, err))
        goto out;
    if (db && store_experiment(db, p, spec, &id, &resumed, err))
        goto out;
    if (resumed)
        fprintf(stderr, "resuming experiment %lld in %s\n", (long long)id, db_path);
    exec = mpi ? exp_mpi_exec_new(p, err) : exp_pool_new(p, o->threads, err);
    if (!exec)
        goto out;
    exp_run_options ro = {.exec = exec, .db = db, .db_experiment = id,
                          .progress = !o->quiet && isatty(2)};
    if (exp_run(p, &ro, &res, err))
        goto out;
    rc = write_outputs(p, &res, o, db, id, &out, err);
    if (!rc && db && !o->quiet)
        fprintf(stderr, "results: %s (experiment %lld; fabtwin export %s --csv)\n", db_path,
                (long long)id, db_path);
out:
    if (exec)
        exec->close(exec);
    else if (mpi)
        exp_mpi_stop_workers();
    close_outputs(&out, o, rc != 0);
    exp_results_free(&res);
    exp_db_close(db);
    free(db_path);
    free(spec);
    return rc;
}

int cmd_experiment(int argc, char **argv)
{
    exp_spec spec;
    exp_plan plan = {0};
    xopts o = {0};
    ft_error err = {0};
    int rank = 0, size = 1, rc;
    bool mpi = exp_mpi_launched();
    if (mpi && exp_mpi_init(&argc, &argv, &rank, &size, &err))
        return cli_fail(&err);
    exp_spec_init(&spec);
    rc = parse_args(argc, argv, &spec, &o, &err);
    if (rc == 0 && exp_plan_build(&plan, &spec, &err))
        rc = rank == 0 ? cli_fail(&err) : 1;
    if (rc == 0) {
        if (size > 1 && rank > 0) {
            /* the warm-up is part of the plan each rank runs with */
            rc = exp_plan_choose_warmup(&plan, &err) || exp_mpi_serve(&plan, &err) ? 1 : 0;
        } else {
            rc = lead(&plan, &o, size > 1, &err) ? cli_fail(&err) : 0;
        }
    }
    exp_plan_free(&plan);
    exp_spec_free(&spec);
    if (mpi)
        exp_mpi_finalize();
    return rc;
}

int cmd_export(int argc, char **argv)
{
    const char *db_path = NULL, *out_path = "-", *format = "csv";
    long id = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--csv") || !strcmp(a, "--json")) {
            format = a + 2;
            if (i + 1 < argc && argv[i + 1][0] != '-')
                out_path = argv[++i];
        } else if (!strcmp(a, "--experiment") && i + 1 < argc) {
            if (parse_whole(a, argv[++i], 1, 1L << 40, &id))
                return 2;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("unknown option '%s'", a);
        } else if (!db_path) {
            db_path = a;
        } else {
            return cli_usage_error("one database at a time (extra '%s')", a);
        }
    }
    if (!db_path)
        return cli_usage_error("%s", "export needs a results database");
    ft_error err = {0};
    int64_t eid = id;
    exp_db *db = exp_db_open(db_path, &err);
    FILE *out = NULL;
    int rc = -1;
    if (db && (eid || exp_db_latest(db, &eid, &err) == 0)) {
        if (!eid)
            ft_fail(&err, db_path, 0, 0, "the database holds no experiment");
        else if ((out = cli_open_out(out_path, &err)))
            rc = !strcmp(format, "csv") ? exp_db_export_csv(db, eid, out, &err)
                                        : exp_db_export_json(db, eid, out, &err);
    }
    cli_close_out(out);
    exp_db_close(db);
    return rc ? cli_fail(&err) : 0;
}
