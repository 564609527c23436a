/* test_model_calendar.c -- shift calendars: the on-shift intervals of a
 * week built from days, shifts and breaks, and model_calendar_on at and
 * around their boundaries.
 *
 * Time 0 is Monday 00:00 and the week (604 800 s) repeats; intervals are
 * half-open [start, end): at its start a shift is on, at its end off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"

#define H 3600.0
#define D 86400.0
#define W (7 * D)

static model_desc *load_calendar(const char *body)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "model: m\n"
             "products: [{ name: p, routing: [{ station: S, time: 1min }] }]\n"
             "sources: [{ name: s, product: p, interarrival: 2min }]\n"
             "stations: [{ name: S, calendar: c }]\n"
             "calendars:\n"
             "  c:\n%s",
             body);
    ft_error err = {0};
    model_desc *m = model_load_string(yaml, strlen(yaml), "cal.yaml", &err);
    if (!m)
        fail_msg("%s:%d:%d: %s", err.file, err.line, err.col, err.msg);
    assert_int_equal(m->n_calendars, 1);
    return m;
}

static void expect_intervals(const model_calendar *c, const double (*want)[2], size_t n)
{
    for (size_t i = 0; i < c->n_on; i++)
        printf("  [%g h, %g h)\n", c->on[i].start_s / H, c->on[i].end_s / H);
    assert_int_equal(c->n_on, n);
    for (size_t i = 0; i < n; i++) {
        assert_float_equal(c->on[i].start_s, want[i][0], 0);
        assert_float_equal(c->on[i].end_s, want[i][1], 0);
    }
}

static void expect_on(const model_calendar *c, double t, bool on, double next)
{
    double got_next = -1;
    bool got = model_calendar_on(c, t, &got_next);
    printf("  t = %.0f s: %s until %.0f s\n", t, got ? "on" : "off", got_next);
    assert_int_equal(got, on);
    if (isinf(next))
        assert_true(isinf(got_next) && got_next > 0);
    else
        assert_float_equal(got_next, next, 0);
}

#define TWO_SHIFT                                                                                 \
    "    days: [mon, tue, wed, thu, fri]\n"                                                       \
    "    shifts: [{ from: \"06:00\", to: \"14:00\" }, { from: \"14:00\", to: \"22:00\" }]\n"      \
    "    breaks: [{ from: \"10:00\", to: \"10:15\" }]\n"

/* Two touching shifts join into 06:00-22:00, and the break cuts 10:00-10:15
 * out of it: on each weekday [6 h, 10 h) and [10.25 h, 22 h). */
static void test_two_shifts_with_a_break_make_two_intervals_a_day(void **state)
{
    (void)state;
    model_desc *m = load_calendar(TWO_SHIFT);
    double want[10][2];
    for (int d = 0; d < 5; d++) {
        want[2 * d][0] = d * D + 6 * H;
        want[2 * d][1] = d * D + 10 * H;
        want[2 * d + 1][0] = d * D + 10.25 * H;
        want[2 * d + 1][1] = d * D + 22 * H;
    }
    expect_intervals(&m->calendars[0], (const double(*)[2])want, 10);
    model_free(m);
}

static void test_calendar_on_at_shift_and_break_boundaries(void **state)
{
    (void)state;
    model_desc *m = load_calendar(TWO_SHIFT);
    const model_calendar *c = &m->calendars[0];
    expect_on(c, 0, false, 6 * H);                    /* Monday 00:00 */
    expect_on(c, 6 * H - 1, false, 6 * H);
    expect_on(c, 6 * H, true, 10 * H);                /* the shift starts */
    expect_on(c, 10 * H, false, 10.25 * H);           /* the break starts */
    expect_on(c, 10.25 * H, true, 22 * H);            /* the break ends */
    expect_on(c, 14 * H, true, 22 * H);               /* the shift change is no change */
    expect_on(c, 22 * H, false, D + 6 * H);           /* Monday 22:00 until Tuesday 06:00 */
    expect_on(c, 4 * D + 22 * H, false, W + 6 * H);   /* Friday 22:00 until next Monday */
    expect_on(c, 6 * D, false, W + 6 * H);            /* Sunday */
    expect_on(c, W + 6 * H, true, W + 10 * H);        /* the next week repeats */
    expect_on(c, 52 * W + 2 * D + 12 * H, true, 52 * W + 2 * D + 22 * H); /* week 53, Wed noon */
    model_free(m);
}

/* A shift from 22:00 to 06:00 ends the next morning; Sunday's runs into
 * Monday, across the week boundary: [0, 6 h) and [6 d 22 h, 7 d). The
 * break at 02:00 applies on every day, so it cuts Monday 02:00-02:30. */
static void test_night_shift_wraps_past_midnight_and_the_week(void **state)
{
    (void)state;
    model_desc *m = load_calendar("    days: [sun]\n"
                                  "    shifts: [{ from: \"22:00\", to: \"06:00\" }]\n"
                                  "    breaks: [{ from: \"02:00\", to: \"02:30\" }]\n");
    const model_calendar *c = &m->calendars[0];
    const double want[][2] = {{0, 2 * H}, {2.5 * H, 6 * H}, {6 * D + 22 * H, W}};
    expect_intervals(c, want, 3);
    expect_on(c, 6 * D + 22 * H, true, W + 2 * H);    /* on until Monday 02:00 next week */
    expect_on(c, W, true, W + 2 * H);                 /* Monday 00:00: still the same shift */
    expect_on(c, W + 2 * H, false, W + 2.5 * H);
    expect_on(c, W + 6 * H, false, W + 6 * D + 22 * H);
    model_free(m);
}

/* 00:00-24:00 on every day joins into one interval: always on, and the
 * answer never changes. */
static void test_calendar_on_around_the_clock_never_changes(void **state)
{
    (void)state;
    model_desc *m = load_calendar("    days: [mon, tue, wed, thu, fri, sat, sun]\n"
                                  "    shifts: [{ from: \"00:00\", to: \"24:00\" }]\n");
    const model_calendar *c = &m->calendars[0];
    const double want[][2] = {{0, W}};
    expect_intervals(c, want, 1);
    expect_on(c, 0, true, INFINITY);
    expect_on(c, 3.5 * D, true, INFINITY);
    expect_on(c, 1000 * W, true, INFINITY);
    model_free(m);
}

/* Overlapping shifts join: 06:00-14:00 and 12:00-20:00 are one 06:00-20:00;
 * unquoted times of day (YAML's base-60 numbers) read the same. */
static void test_overlapping_shifts_join(void **state)
{
    (void)state;
    model_desc *m = load_calendar("    days: [wed]\n"
                                  "    shifts: [{ from: 06:00, to: 14:00 }, { from: 12:00, to: 20:00 }]\n");
    const double want[][2] = {{2 * D + 6 * H, 2 * D + 20 * H}};
    expect_intervals(&m->calendars[0], want, 1);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_shifts_with_a_break_make_two_intervals_a_day),
        cmocka_unit_test(test_calendar_on_at_shift_and_break_boundaries),
        cmocka_unit_test(test_night_shift_wraps_past_midnight_and_the_week),
        cmocka_unit_test(test_calendar_on_around_the_clock_never_changes),
        cmocka_unit_test(test_overlapping_shifts_join),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
