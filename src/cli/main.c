/* main.c -- the `fabtwin` command line: check and run models.
 *
 * A thin client of the public API (fabtwin.h). Exit status: 0 success,
 * 1 the model or the run failed (message on stderr as file:line:col:),
 * 2 bad command-line usage. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fabtwin/fabtwin.h"

static const char usage[] =
    "usage: fabtwin <command> [options]\n"
    "\n"
    "commands:\n"
    "  check MODEL            validate a model; errors as file:line:col: message\n"
    "  run MODEL [options]    simulate and print the KPI table\n"
    "  version                print the version\n"
    "\n"
    "run options:\n"
    "  --seed N               random seed (default: the model's run.seed)\n"
    "  --warmup DURATION      warm-up deleted from the statistics, e.g. 2h\n"
    "  --length DURATION      measured period after the warm-up, e.g. 7d\n"
    "  --json FILE            write the KPIs as JSON (- for stdout)\n"
    "  --trace FILE           write every event as CSV\n"
    "  --quiet                no table on stdout\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("fabtwin: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(see fabtwin --help)\n", stderr);
    return 2;
}

static int fail(const ft_error *err)
{
    fputs("fabtwin: ", stderr);
    ft_error_print(err, stderr);
    return 1;
}

static int cmd_check(const char *path)
{
    ft_error err = {0};
    ft_model *m = ft_model_load(path, &err);
    if (!m)
        return fail(&err);
    /* Building the factory runs the checks that need the whole plant. */
    ft_run_options opt = {.has_length = true, .length_s = 1};
    ft_sim *s = ft_sim_new(m, &opt, &err);
    int rc = s ? 0 : fail(&err);
    if (s)
        printf("%s: ok: model '%s', %zu stations\n", path, ft_model_name(m),
               ft_model_station_count(m));
    ft_sim_free(s);
    ft_model_free(m);
    return rc;
}

static FILE *open_out(const char *path, ft_error *err)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        ft_fail(err, path, 0, 0, "cannot write: %s", strerror(errno));
    return f;
}

static void close_out(FILE *f)
{
    if (f && f != stdout)
        fclose(f);
}

static int cmd_run(int argc, char **argv)
{
    const char *path = NULL, *json_path = NULL, *trace_path = NULL;
    bool quiet = false;
    ft_run_options opt = {0};
    ft_error err = {0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (a[0] == '-' && a[1] == '-' && !has_value) {
            return usage_error("option %s needs a value", a);
        } else if (strcmp(a, "--seed") == 0) {
            char *end;
            errno = 0;
            opt.seed = strtoull(argv[++i], &end, 10);
            if (errno || *end || argv[i][0] == '-' || !argv[i][0])
                return usage_error("--seed needs a whole number >= 0, got '%s'", argv[i]);
            opt.has_seed = true;
        } else if (strcmp(a, "--warmup") == 0 || strcmp(a, "--length") == 0) {
            double v;
            if (ft_parse_duration(argv[++i], &v, &err)) {
                fprintf(stderr, "fabtwin: %s: %s\n", a, err.msg);
                return 2;
            }
            if (a[2] == 'w') {
                opt.has_warmup = true;
                opt.warmup_s = v;
            } else {
                opt.has_length = true;
                opt.length_s = v;
            }
        } else if (strcmp(a, "--json") == 0) {
            json_path = argv[++i];
        } else if (strcmp(a, "--trace") == 0) {
            trace_path = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (!path) {
            path = a;
        } else {
            return usage_error("one model at a time (extra argument '%s')", a);
        }
    }
    if (!path)
        return usage_error("%s", "run needs a model file");

    int rc = 1;
    FILE *trace = NULL, *json = NULL;
    ft_sim *s = NULL;
    ft_model *m = ft_model_load(path, &err);
    if (!m)
        return fail(&err);
    if (trace_path && !(trace = open_out(trace_path, &err)))
        goto out;
    if (json_path && !(json = open_out(json_path, &err)))
        goto out;
    opt.trace = trace;
    if (!(s = ft_sim_new(m, &opt, &err)) || ft_sim_run(s, &err))
        goto out;
    const ft_report *r = ft_sim_report(s);
    if (!quiet)
        ft_report_print(r, stdout);
    if (json && ft_report_write_json(r, json)) {
        ft_fail(&err, json_path, 0, 0, "could not write the JSON report");
        goto out;
    }
    rc = 0;
out:
    if (rc)
        fail(&err);
    close_out(trace);
    close_out(json);
    ft_sim_free(s);
    ft_model_free(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("fabtwin %s\n", FT_VERSION);
        return 0;
    }
    if (strcmp(cmd, "check") == 0) {
        if (argc != 3)
            return usage_error("%s", "check needs exactly one model file");
        return cmd_check(argv[2]);
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    return usage_error("unknown command '%s'", cmd);
}
