/* base_error.c -- filling and printing error values (file:line:col: message).
 *
 * The bottom of the base layer: every other layer reports through ft_fail,
 * so it lives below all of them (its names are the public API's). */
#include <stdarg.h>
#include <string.h>

#include "fabtwin/fabtwin.h"

int ft_fail(ft_error *err, const char *file, int line, int col, const char *fmt, ...)
{
    if (!err)
        return -1;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

void ft_error_print(const ft_error *err, FILE *out)
{
    if (err->file[0]) {
        fputs(err->file, out);
        if (err->line > 0) {
            fprintf(out, ":%d", err->line);
            if (err->col > 0)
                fprintf(out, ":%d", err->col);
        }
        fputs(": ", out);
    }
    fprintf(out, "%s\n", err->msg);
}
