/* cmd_run.c -- `fabtwin check` and `fabtwin run`: validate a model, run it
 * once and print or write its KPIs. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_check(int argc, char **argv)
{
    if (argc != 1)
        return cli_usage_error("%s", "check needs exactly one model file");
    const char *path = argv[0];
    ft_error err = {0};
    ft_model *m = ft_model_load(path, &err);
    if (!m)
        return cli_fail(&err);
    /* Building the factory runs the checks that need the whole plant. */
    ft_run_options opt = {.has_length = true, .length_s = 1};
    ft_sim *s = ft_sim_new(m, &opt, &err);
    int rc = s ? 0 : cli_fail(&err);
    if (s)
        printf("%s: ok: model '%s', %zu stations\n", path, ft_model_name(m),
               ft_model_station_count(m));
    ft_sim_free(s);
    ft_model_free(m);
    return rc;
}

int cmd_run(int argc, char **argv)
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
        } else if (strcmp(a, "--check") == 0) {
            opt.check = true;
        } else if (a[0] == '-' && a[1] == '-' && !has_value) {
            return cli_usage_error("option %s needs a value", a);
        } else if (strcmp(a, "--seed") == 0) {
            char *end;
            errno = 0;
            opt.seed = strtoull(argv[++i], &end, 10);
            if (errno || *end || argv[i][0] == '-' || !argv[i][0])
                return cli_usage_error("--seed needs a whole number >= 0, got '%s'", argv[i]);
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
            return cli_usage_error("unknown option '%s'", a);
        } else if (!path) {
            path = a;
        } else {
            return cli_usage_error("one model at a time (extra argument '%s')", a);
        }
    }
    if (!path)
        return cli_usage_error("%s", "run needs a model file");

    int rc = 1;
    FILE *trace = NULL, *json = NULL;
    ft_sim *s = NULL;
    ft_model *m = ft_model_load(path, &err);
    if (!m)
        return cli_fail(&err);
    if (trace_path && !(trace = cli_open_out(trace_path, &err)))
        goto out;
    if (json_path && !(json = cli_open_out(json_path, &err)))
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
        cli_fail(&err);
    cli_close_out(trace);
    cli_close_out(json);
    ft_sim_free(s);
    ft_model_free(m);
    return rc;
}

