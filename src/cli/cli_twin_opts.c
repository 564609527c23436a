/* cli_twin_opts.c -- parsing the options of the live twin, for `fabtwin
 * twin` and `fabtwin serve --twin` alike, so that the two cannot drift
 * apart. The table of what they mean is in docs/twin.md. */
#include <math.h>
#include <string.h>

#include "cli.h"
#include "cli_twin_opts.h"

void cli_twin_defaults(cli_twin_opts *t)
{
    *t = (cli_twin_opts){.topic = "plant/line1", .json = "-"};
    t->so = (twin_session_options){.shift_end_tod_s = 16 * 3600, .forecast_every_s = 1800,
                                   .replications = 100, .seed = 1, .stale_after_s = 900,
                                   .max_ahead_s = 3600, .seq_jump = 65536, .confirm = 3};
}

static int duration(const char *opt, const char *v, double *d_s)
{
    ft_error err;
    if (ft_parse_duration(v, d_s, &err) || *d_s < 0)
        return cli_usage_error(strcmp(opt, "--stale-after") == 0
                                   ? "bad --stale-after '%s' (a duration like 15min; 0s: off)"
                                   : "bad --forecast-every '%s' (a duration like 30min; 0s: none)",
                               v);
    return 1;
}

int cli_twin_option(cli_twin_opts *t, const char *o, const char *v)
{
    double x;
    if (strcmp(o, "--replay") == 0) t->replay = v;
    else if (strcmp(o, "--mqtt") == 0) t->mqtt = v;
    else if (strcmp(o, "--topic") == 0) t->topic = v;
    else if (strcmp(o, "--record") == 0) t->record = v;
    else if (strcmp(o, "--json") == 0) t->json = v;
    else if (strcmp(o, "--summary") == 0) t->summary = v;
    else if (strcmp(o, "--speed") == 0) {
        if (strcmp(v, "max") == 0)
            t->speed = 0;
        else if (cli_parse_number(v, 1e-3, 1e9, &t->speed))
            return cli_usage_error("bad --speed '%s' (x real time, or max)", v);
    } else if (strcmp(o, "--target") == 0) {
        if (cli_parse_number(v, 0, 1e12, &t->so.target))
            return cli_usage_error("bad --target '%s'", v);
    } else if (strcmp(o, "--shift-end") == 0) {
        if (cli_parse_tod(v, &t->so.shift_end_tod_s))
            return cli_usage_error("bad --shift-end '%s' (HH:MM)", v);
    } else if (strcmp(o, "--forecast-every") == 0) {
        return duration(o, v, &t->so.forecast_every_s);
    } else if (strcmp(o, "--stale-after") == 0) {
        return duration(o, v, &t->so.stale_after_s);
    } else if (strcmp(o, "--max-ahead") == 0) {
        ft_error err;
        if (ft_parse_duration(v, &t->so.max_ahead_s, &err) || t->so.max_ahead_s < 1 ||
            t->so.max_ahead_s > 7 * 86400)
            return cli_usage_error("bad --max-ahead '%s' (a duration from 1s to 7d, like 1h)", v);
    } else if (strcmp(o, "--seq-jump") == 0) {
        if (cli_parse_number(v, 1, 9e15, &x) || x != floor(x))
            return cli_usage_error("bad --seq-jump '%s' (a whole number >= 1)", v);
        t->so.seq_jump = (uint64_t)x;
    } else if (strcmp(o, "--confirm") == 0) {
        if (cli_parse_number(v, 1, TWIN_CONFIRM_MAX, &x) || x != floor(x))
            return cli_usage_error("bad --confirm '%s' (a whole number from 1 to 7)", v);
        t->so.confirm = (unsigned)x;
    } else if (strcmp(o, "--replications") == 0) {
        if (cli_parse_number(v, 1, 100000, &x))
            return cli_usage_error("bad --replications '%s'", v);
        t->so.replications = (int)x;
    } else if (strcmp(o, "--seed") == 0) {
        if (cli_parse_number(v, 0, 9e15, &x))
            return cli_usage_error("bad --seed '%s'", v);
        t->so.seed = (uint64_t)x;
    } else {
        return 0;
    }
    return 1;
}

int cli_twin_check(const cli_twin_opts *t, const char *command)
{
    if (!t->replay == !t->mqtt)
        return cli_usage_error("%s needs exactly one of --replay FILE and --mqtt URL", command);
    /* --record onto the --replay file would read its own appends forever */
    const char *const names[] = {"--replay", "--record", "--json", "--summary"};
    const char *const paths[] = {t->replay, t->record, t->json, t->summary};
    return cli_distinct_outputs(names, paths, 4);
}
