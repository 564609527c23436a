/* cli_util.c -- messages, argument steps and output checks shared by the commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_usage_error(const char *fmt, const char *arg)
{
    fputs("fabtwin: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(see fabtwin --help)\n", stderr);
    return 2;
}

bool cli_is_one_of(const char *s, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(s, *names) == 0)
            return true;
    return false;
}

int cli_missing_value(const char *o, const char *const *valued)
{
    return cli_is_one_of(o, valued) ? cli_usage_error("option %s needs a value", o)
                                    : cli_usage_error("unknown option '%s'", o);
}

int cli_model_or_option(int argc, char **argv, int *i, const char **model, const char **value)
{
    const char *o = argv[*i];
    if (o[0] != '-') {
        if (*model)
            return cli_usage_error("unexpected argument '%s' (one MODEL at a time)", o);
        *model = o;
        return 0;
    }
    if (*i + 1 >= argc)
        return cli_usage_error("option %s needs a value", o);
    *value = argv[++*i];
    return 1;
}

int cli_fail(const ft_error *err)
{
    fputs("fabtwin: ", stderr);
    ft_error_print(err, stderr);
    return 1;
}

int cli_distinct_outputs(const char *const names[], const char *const paths[], size_t n)
{
    /* stdout twice is allowed: `twin --summary -` follows the forecasts' lines */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n && paths[i] && strcmp(paths[i], "-"); j++)
            if (paths[j] && base_same_path(paths[i], paths[j])) {
                fprintf(stderr, "fabtwin: %s and %s name the same file '%s'\n", names[i], names[j],
                        paths[j]);
                fputs("(see fabtwin --help)\n", stderr);
                return 2;
            }
    return 0;
}

int cli_parse_tod(const char *text, double *tod_s)
{
    unsigned h = 0, m = 0, s = 0;
    int n = sscanf(text, "%u:%u:%u", &h, &m, &s);
    if (n < 2 || h > 24 || m > 59 || s > 59 || h * 3600 + m * 60 + s > 86400)
        return -1;
    *tod_s = h * 3600.0 + m * 60.0 + s;
    return 0;
}

int cli_parse_number(const char *text, double lo, double hi, double *x)
{
    char *end;
    errno = 0;
    *x = strtod(text, &end);
    return errno || end == text || *end || !(*x >= lo && *x <= hi) ? -1 : 0;
}
