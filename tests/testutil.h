/* testutil.h -- helpers shared by the tests: replication summaries and
 * confidence-interval checks against closed-form values. */
#ifndef FT_TESTUTIL_H
#define FT_TESTUTIL_H

#include <stddef.h>
#include <stdbool.h>

/* Sample mean and the half-width of its `level` Student-t confidence
 * interval over n replication results. */
typedef struct ft_ci {
    double mean, halfwidth;
    size_t n;
} ft_ci;

ft_ci ft_ci_of(const double *x, size_t n, double level);

/* True when `expected` lies within the interval widened by rel_slack *
 * |expected| (for known, documented biases such as finite warm-up). Prints
 * the comparison either way so a failing test says what it saw. */
bool ft_ci_contains(const char *what, ft_ci ci, double expected, double rel_slack);

/* Telemetry collected as JSON Lines: a sink for the emulator (the
 * signature of twin_emulate_options.sink). */
typedef struct ft_lines {
    char *buf;
    size_t len, cap, n;
} ft_lines;

void ft_lines_append(void *ctx, const char *gw, const char *type, double ts_s, const char *p,
                     size_t len);

/* A test that cannot run here (data, device or tool missing) is skipped,
 * never passed: ft_skip prints why and marks the running cmocka test
 * skipped (it does not return); a main that ends with
 *   return ft_tests_status(cmocka_run_group_tests(tests, NULL, NULL));
 * then exits 77 -- ctest's SKIP_RETURN_CODE, reported "Skipped" -- when a
 * test was skipped and none failed. */
void ft_skip(const char *fmt, ...);
int ft_tests_status(int failed);

/* Skips the running test unless `path` exists; `where` tells a reader where
 * to get it. */
void ft_need_path(const char *path, const char *where);

/* The whole file, NUL-terminated (free it); fails the test if unreadable. */
char *ft_read_text(const char *path);

#endif
