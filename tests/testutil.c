/* testutil.c -- see testutil.h. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "stats/stats.h"
#include "testutil.h"

ft_ci ft_ci_of(const double *x, size_t n, double level)
{
    ft_ci ci = {0, INFINITY, n};
    double sum = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    ci.mean = n ? sum / (double)n : 0;
    for (size_t i = 0; i < n; i++)
        ss += (x[i] - ci.mean) * (x[i] - ci.mean);
    if (n >= 2)
        ci.halfwidth = stats_ci_halfwidth(sqrt(ss / (double)(n - 1)), n, level);
    return ci;
}

bool ft_ci_contains(const char *what, ft_ci ci, double expected, double rel_slack)
{
    double slack = rel_slack * fabs(expected);
    bool ok = fabs(ci.mean - expected) <= ci.halfwidth + slack;
    printf("%-40s expected %.6g, got %.6g +- %.3g (n=%zu)%s\n", what, expected, ci.mean,
           ci.halfwidth, ci.n, ok ? "" : "  <-- OUTSIDE");
    return ok;
}

static int skipped;

void ft_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("  SKIPPED: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    skipped++;
    skip();
}

int ft_tests_status(int failed)
{
    if (failed)
        return failed;
    return skipped ? 77 : 0;
}

void ft_need_path(const char *path, const char *where)
{
    if (access(path, F_OK) != 0)
        ft_skip("%s not found (%s)", path, where);
}

char *ft_read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

void ft_lines_append(void *ctx, const char *gw, const char *type, double ts_s, const char *p,
                     size_t len)
{
    (void)gw, (void)type, (void)ts_s;
    ft_lines *l = ctx;
    if (l->len + len + 1 > l->cap) {
        l->cap = (l->cap + len + 1) * 2;
        l->buf = realloc(l->buf, l->cap);
        assert_non_null(l->buf);
    }
    memcpy(l->buf + l->len, p, len);
    l->len += len;
    l->buf[l->len++] = '\n';
    l->n++;
}
