/* test_examples.c -- the shipped example plants reproduce their headline
 * figures, and Little's law holds on every one of them.
 *
 * Expected figures are derived from the models' parameters in the comments
 * (the same derivations the model files carry), and compared with 99 %
 * confidence intervals over independent replications. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fabtwin/fabtwin.h"
#include "testutil.h"

#define REPS 10
#define LEVEL 0.99

static ft_model *load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/models/%s", FT_SOURCE_DIR, name);
    ft_error err = {0};
    ft_model *m = ft_model_load(path, &err);
    if (!m)
        ft_error_print(&err, stderr);
    assert_non_null(m);
    return m;
}

static const ft_product_kpis *product(const ft_report *r, const char *name)
{
    for (size_t i = 0; i < r->n_products; i++)
        if (strcmp(r->products[i].name, name) == 0)
            return &r->products[i];
    fail_msg("no product %s", name);
    return NULL;
}

typedef struct sample {
    double output_per_hour, quantity_per_day, wip, lambda_w, little_gap;
    const char *bottleneck;
} sample;

/* Replication r of model m; the product of interest is `prod`. */
static sample replicate(ft_model *m, int r, const char *prod)
{
    ft_error err = {0};
    ft_run_options opt = {.has_seed = true, .seed = 5000 + (uint64_t)r};
    ft_sim *s = ft_sim_new(m, &opt, &err);
    assert_non_null(s);
    assert_int_equal(ft_sim_run(s, &err), 0);
    const ft_report *rep = ft_sim_report(s);
    const ft_product_kpis *p = product(rep, prod);
    sample x = {p->per_hour, p->quantity_per_day, rep->wip_mean, rep->little_lambda_w,
                rep->wip_mean - rep->little_lambda_w, NULL};
    static char bottleneck[256];
    snprintf(bottleneck, sizeof bottleneck, "%s", rep->bottleneck ? rep->bottleneck : "");
    x.bottleneck = bottleneck;
    ft_sim_free(s);
    return x;
}

/* The balanced elevator line: orders released every 120 s, every station
 * faster on average, so at steady state output = input = 3600/120 = 30/h. */
static void test_elevator_line_ships_one_elevator_every_two_minutes(void **state)
{
    ft_model *m = load("elevator-line.yaml");
    double out[REPS];
    for (int r = 0; r < REPS; r++)
        out[r] = replicate(m, r, "电梯").output_per_hour;
    assert_true(ft_ci_contains("elevator line output per hour", ft_ci_of(out, REPS, LEVEL),
                               30.0, 0));
    ft_model_free(m);
}

/* The unbalanced variant: 整机调试 takes 132 s on average (> 120 s takt);
 * it never starves (orders arrive faster) and never blocks (packing takes
 * 95 s), so output = 3600/132 per hour, and it is named the bottleneck. */
static void test_unbalanced_elevator_line_names_its_bottleneck(void **state)
{
    ft_model *m = load("elevator-line-unbalanced.yaml");
    double out[REPS];
    for (int r = 0; r < REPS; r++) {
        sample x = replicate(m, r, "电梯");
        out[r] = x.output_per_hour;
        assert_string_equal(x.bottleneck, "整机调试");
    }
    assert_true(ft_ci_contains("unbalanced line output per hour", ft_ci_of(out, REPS, LEVEL),
                               3600.0 / 132, 0));
    ft_model_free(m);
}

/* The textile line: 28 looms, 22,800 s per 500 m roll, weaving hall up
 * 20 h / (20 h + 25 min) of the time (it operates without pause, so the
 * operating clock is the calendar clock), 96 % of weaves good:
 * 28 * 86400 / 22800 * A * 0.96 * 500 m per day. */
static void test_textile_line_weaves_about_50000_m_a_day(void **state)
{
    ft_model *m = load("textile-line.yaml");
    double qty[REPS];
    for (int r = 0; r < REPS; r++)
        qty[r] = replicate(m, r, "坯布卷").quantity_per_day;
    double a = 20.0 * 60 / (20.0 * 60 + 25);
    double expected = 28 * 86400.0 / 22800 * a * 0.96 * 500;
    ft_ci ci = ft_ci_of(qty, REPS, LEVEL);
    assert_true(ft_ci_contains("textile line metres per day", ci, expected, 0));
    assert_true(fabs(ci.mean - 50000) < 0.02 * 50000); /* the plant's headline figure */
    ft_model_free(m);
}

/* Little's law, L = lambda W, on every shipped model: the difference
 * between the time-average WIP and exit rate x time in system comes only
 * from items present at the start and end of the measured period, so its
 * confidence interval must contain 0 up to that boundary effect, which is
 * at most (WIP at both ends) / (lambda T) of L; we allow 2 %. */
static void test_littles_law_holds_on_every_example_model(void **state)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/models", FT_SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int models = 0;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
            continue;
        ft_model *m = load(e->d_name);
        double gap[REPS], wip = 0;
        printf("  %s: seeds 7000..%d\n", e->d_name, 7000 + REPS - 1);
        for (int r = 0; r < REPS; r++) {
            ft_error err = {0};
            ft_run_options opt = {.has_seed = true, .seed = 7000 + (uint64_t)r};
            ft_sim *s = ft_sim_new(m, &opt, &err);
            assert_non_null(s);
            assert_int_equal(ft_sim_run(s, &err), 0);
            const ft_report *rep = ft_sim_report(s);
            gap[r] = rep->wip_mean - rep->little_lambda_w;
            wip += rep->wip_mean / REPS;
            ft_sim_free(s);
        }
        char what[512];
        snprintf(what, sizeof what, "Little's law gap on %s", e->d_name);
        ft_ci ci = ft_ci_of(gap, REPS, LEVEL);
        bool ok = fabs(ci.mean) <= ci.halfwidth + 0.02 * wip;
        printf("%-50s L = %.3f, L - lambda W = %.4f +- %.4f\n", what, wip, ci.mean, ci.halfwidth);
        assert_true(ok);
        ft_model_free(m);
        models++;
    }
    closedir(d);
    assert_true(models >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elevator_line_ships_one_elevator_every_two_minutes),
        cmocka_unit_test(test_unbalanced_elevator_line_names_its_bottleneck),
        cmocka_unit_test(test_textile_line_weaves_about_50000_m_a_day),
        cmocka_unit_test(test_littles_law_holds_on_every_example_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
