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
        static const char *const valued[] = {"--seed", "--warmup", "--length", "--max-items",
                                             "--json", "--trace", NULL};
        const char *a = argv[i];
        bool known = cli_is_one_of(a, valued);
        if (strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (strcmp(a, "--check") == 0) {
            opt.check = true;
        } else if (a[0] == '-' && a[1] && !known) {
            return cli_usage_error("unknown option '%s'", a);
        } else if (known && i + 1 >= argc) {
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
                if (!(v > 0))
                    return cli_usage_error("--length: the run length must be > 0, got '%s'",
                                           argv[i]);
                opt.has_length = true;
                opt.length_s = v;
            }
        } else if (strcmp(a, "--max-items") == 0) {
            char *end;
            errno = 0;
            long n = strtol(argv[++i], &end, 10);
            if (errno || *end || !argv[i][0] || n < 1)
                return cli_usage_error("--max-items needs a whole number >= 1, got '%s'",
                                       argv[i]);
            opt.max_items = n;
        } else if (strcmp(a, "--json") == 0) {
            json_path = argv[++i];
        } else if (strcmp(a, "--trace") == 0) {
            trace_path = argv[++i];
        } else if (!path) {
            path = a;
        } else {
            return cli_usage_error("one model at a time (extra argument '%s')", a);
        }
    }
    if (!path)
        return cli_usage_error("%s", "run needs a model file");

    const char *const names[] = {"--trace", "--json"}, *const paths[] = {trace_path, json_path};
    if (cli_distinct_outputs(names, paths, 2))
        return 2;
    int rc = 1;
    base_out trace = {.fd = -1}, json = {.fd = -1};
    ft_sim *s = NULL;
    ft_model *m = ft_model_load(path, &err);
    if (!m)
        return cli_fail(&err);
    /* A run end past the model's time limit, named by the option that put it there. */
    double end_s = (opt.has_warmup ? opt.warmup_s : 0) +
                   (opt.has_length ? opt.length_s : ft_model_length(m));
    if ((opt.has_warmup || opt.has_length) && !(end_s <= ft_model_time_limit(m))) {
        fprintf(stderr,
                "fabtwin: %s: the run would end at %g s, past %g s, the latest time model %s "
                "can simulate (its smallest time step must stay resolved; "
                "docs/model-language.md, \"Time resolution\")\n",
                opt.has_length ? (opt.has_warmup ? "--warmup + --length" : "--length") : "--warmup",
                end_s, ft_model_time_limit(m), path);
        ft_model_free(m);
        return 2;
    }
    if (trace_path && base_out_open(&trace, trace_path, &err))
        goto out;
    if (json_path && base_out_open(&json, json_path, &err))
        goto out;
    opt.trace = trace.f;
    if (!(s = ft_sim_new(m, &opt, &err)) || ft_sim_run(s, &err))
        goto out;
    const ft_report *r = ft_sim_report(s);
    if (!quiet)
        ft_report_print(r, stdout);
    if (json.f && ft_report_write_json(r, json.f) && !ferror(json.f)) {
        ft_fail(&err, json_path, 0, 0, "could not write the JSON report (out of memory)");
        goto out;
    }
    /* both outputs are checked before either replaces an earlier file */
    if (base_out_finish(&trace, &err) || base_out_finish(&json, &err) ||
        base_out_commit(&trace, &err) || base_out_commit(&json, &err))
        goto out;
    rc = 0;
    if (r->n_warnings) {
        fprintf(stderr, "fabtwin: the run has %zu warning%s: %s%s\n", r->n_warnings,
                r->n_warnings == 1 ? "" : "s", r->warnings[0].message,
                r->n_warnings > 1 ? " (and more in the report)" : "");
        rc = CLI_EXIT_WARNINGS;
    }
out:
    if (rc == 1)
        cli_fail(&err);
    base_out_abort(&trace);
    base_out_abort(&json);
    ft_sim_free(s);
    ft_model_free(m);
    return rc;
}

