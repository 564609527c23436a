/* cli_util.c -- messages and output files shared by the commands. */
#include <errno.h>
#include <string.h>

#include "cli.h"

int cli_usage_error(const char *fmt, const char *arg)
{
    fputs("fabtwin: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(see fabtwin --help)\n", stderr);
    return 2;
}

int cli_fail(const ft_error *err)
{
    fputs("fabtwin: ", stderr);
    ft_error_print(err, stderr);
    return 1;
}

FILE *cli_open_out(const char *path, ft_error *err)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        ft_fail(err, path, 0, 0, "cannot write: %s", strerror(errno));
    return f;
}

void cli_close_out(FILE *f)
{
    if (f && f != stdout)
        fclose(f);
}

