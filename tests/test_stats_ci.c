/* test_stats_ci.c -- Student-t quantiles against published tables and exact
 * closed forms, and the confidence-interval half-width. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "stats/stats.h"

#define PI 3.14159265358979323846

static void near(const char *what, double got, double want, double tol)
{
    printf("  %-26s got %.15g, want %.15g\n", what, got, want);
    assert_true(fabs(got - want) <= tol);
}

/* Table values, to the digits published. NIST/SEMATECH e-Handbook of
 * Statistical Methods, 1.3.6.7.2 "Critical values of the Student's t
 * distribution" (3 decimals: 12.706, 2.262, 2.045, 4.604, and 1.960 for
 * df = infinity), and to 6 significant digits as quoted in the usual
 * extended tables: t(0.975,1) = 12.7062, t(0.975,9) = 2.26216,
 * t(0.975,29) = 2.04523, t(0.995,4) = 4.60409, z(0.975) = 1.95996.
 * Each is checked to half a unit in its last published digit. */
static void test_ci_t_quantiles_match_published_table(void **state)
{
    (void)state;
    near("t(0.975, 1)", stats_t_quantile(0.975, 1), 12.7062, 0.5e-4);
    near("t(0.975, 9)", stats_t_quantile(0.975, 9), 2.26216, 0.5e-5);
    near("t(0.975, 29)", stats_t_quantile(0.975, 29), 2.04523, 0.5e-5);
    near("t(0.995, 4)", stats_t_quantile(0.995, 4), 4.60409, 0.5e-5);
    near("t(0.975, 1e9)", stats_t_quantile(0.975, 1e9), 1.95996, 0.5e-5);
    near("t(0.975, inf)", stats_t_quantile(0.975, INFINITY), 1.95996, 0.5e-5);
    near("t(0.95, 10) (NIST 1.812)", stats_t_quantile(0.95, 10), 1.812, 0.5e-3);
    near("t(0.999, 100) (NIST 3.174)", stats_t_quantile(0.999, 100), 3.174, 0.5e-3);
}

/* Exact inverses exist for df = 1, 2 and 4 (Shaw, "Sampling Student's T
 * distribution", J. Comp. Finance 9(4), 2006):
 *   df 1: t = tan(pi (p - 1/2))                 (Cauchy)
 *   df 2: t = (2p - 1) / sqrt(2 p (1 - p))
 *   df 4: a = 4p(1-p), q = cos(acos(sqrt a)/3)/sqrt a, t = sign(p-1/2) 2 sqrt(q-1)
 * so the 1e-10 accuracy claim can be tested at any p, tails included. */
static double t4_exact(double p)
{
    double a = 4 * p * (1 - p), q = cos(acos(sqrt(a)) / 3) / sqrt(a);
    return (p < 0.5 ? -2 : 2) * sqrt(q - 1);
}

static void test_ci_t_quantiles_match_closed_forms_to_1e_10(void **state)
{
    (void)state;
    const double ps[] = {1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.49, 0.51, 0.75, 0.9, 0.975,
                         0.995, 0.999999};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double p = ps[i];
        /* tan(pi (p - 1/2)) written as -1/tan(pi p): the same function,
         * but p - 1/2 would round away the tail at p = 1e-12 */
        double t1 = -1 / tan(PI * p), t2 = (2 * p - 1) / sqrt(2 * p * (1 - p));
        double t4 = t4_exact(p);
        printf("  p=%-8g df1 %.12g df2 %.12g df4 %.12g\n", p, t1, t2, t4);
        assert_true(fabs(stats_t_quantile(p, 1) - t1) <= 1e-10 * fmax(1, fabs(t1)));
        assert_true(fabs(stats_t_quantile(p, 2) - t2) <= 1e-10 * fmax(1, fabs(t2)));
        assert_true(fabs(stats_t_quantile(p, 4) - t4) <= 1e-10 * fmax(1, fabs(t4)));
    }
}

/* For large df, t(p, df) = z + g1/df + g2/df^2 + g3/df^3 + g4/df^4 + ...
 * (Cornish-Fisher; Abramowitz & Stegun 26.7.5), z the normal quantile:
 *   g1 = (z^3 + z)/4,  g2 = (5z^5 + 16z^3 + 3z)/96,
 *   g3 = (3z^7 + 19z^5 + 17z^3 - 15z)/384,
 *   g4 = (79z^9 + 776z^7 + 1482z^5 - 1920z^3 - 945z)/92160.
 * With z(0.975) = 1.959963984540054 and z(0.995) = 2.575829303548901
 * (A&S table 26.1) the next term is below 1e-16 from df = 1e4 on, so this
 * checks the continued-fraction path (df <= 1e5) and the large-df path
 * alike to 1e-11 (the contract is 1e-10). E.g. df = 1e9:
 * 1.959963984540 + 9.48907/4e9 =
 * 1.959963986912. */
static double cornish_fisher(double z, double df)
{
    double z2 = z * z;
    double g1 = (z2 * z + z) / 4;
    double g2 = (5 * z2 * z2 * z + 16 * z2 * z + 3 * z) / 96;
    double g3 = (3 * pow(z, 7) + 19 * pow(z, 5) + 17 * pow(z, 3) - 15 * z) / 384;
    double g4 = (79 * pow(z, 9) + 776 * pow(z, 7) + 1482 * pow(z, 5) - 1920 * pow(z, 3) -
                 945 * z) / 92160;
    return z + g1 / df + g2 / (df * df) + g3 / pow(df, 3) + g4 / pow(df, 4);
}

static void test_ci_large_df_agrees_with_cornish_fisher_expansion(void **state)
{
    (void)state;
    const double dfs[] = {1e4, 3e4, 1e5, 1e6, 1e9, 1e12};
    for (size_t i = 0; i < sizeof dfs / sizeof dfs[0]; i++) {
        double t975 = cornish_fisher(1.959963984540054, dfs[i]);
        double t995 = cornish_fisher(2.575829303548901, dfs[i]);
        printf("  df %-6g t(0.975) %.15f t(0.995) %.15f\n", dfs[i], t975, t995);
        assert_true(fabs(stats_t_quantile(0.975, dfs[i]) - t975) <= 1e-11 * t975);
        assert_true(fabs(stats_t_quantile(0.995, dfs[i]) - t995) <= 1e-11 * t995);
    }
}

/* The t distribution is symmetric: t(p) = -t(1-p), t(1/2) = 0; and it is
 * increasing in p and decreasing in df towards the normal quantile. */
static void test_ci_t_quantile_is_symmetric_and_monotone(void **state)
{
    (void)state;
    const double dfs[] = {1, 2.5, 7, 30, 1000, 1e6};
    for (size_t i = 0; i < sizeof dfs / sizeof dfs[0]; i++) {
        assert_true(stats_t_quantile(0.5, dfs[i]) == 0);
        for (double p = 0.55; p < 1; p += 0.05) {
            double up = stats_t_quantile(p, dfs[i]), down = stats_t_quantile(1 - p, dfs[i]);
            assert_true(fabs(up + down) <= 1e-10 * up);
            assert_true(up > 0 && stats_t_quantile(p + 0.01, dfs[i]) > up);
            if (i > 0)
                assert_true(up < stats_t_quantile(p, dfs[i - 1]));
        }
    }
}

/* Half-width = t((1+level)/2, n-1) sd / sqrt(n), with the table t values
 * above (each known to half a unit in its last digit, which bounds the
 * tolerance): n = 10, sd 3: 2.26216 * 3 / sqrt 10 = 2.14607;
 * n = 2, sd 1: 12.7062 / sqrt 2 = 8.98464; n = 5, sd 2, 99%:
 * 4.60409 * 2 / sqrt 5 = 4.11802. */
static void test_ci_halfwidth_is_t_times_standard_error(void **state)
{
    (void)state;
    near("halfwidth(sd 3, n 10, 95%)", stats_ci_halfwidth(3, 10, 0.95), 2.26216 * 3 / sqrt(10),
         0.5e-5 * 3 / sqrt(10));
    near("halfwidth(sd 1, n 2, 95%)", stats_ci_halfwidth(1, 2, 0.95), 12.7062 / sqrt(2),
         0.5e-4 / sqrt(2));
    near("halfwidth(sd 2, n 5, 99%)", stats_ci_halfwidth(2, 5, 0.99), 4.60409 * 2 / sqrt(5),
         0.5e-5 * 2 / sqrt(5));
    assert_true(isinf(stats_ci_halfwidth(1, 1, 0.95)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ci_t_quantiles_match_published_table),
        cmocka_unit_test(test_ci_t_quantiles_match_closed_forms_to_1e_10),
        cmocka_unit_test(test_ci_large_df_agrees_with_cornish_fisher_expansion),
        cmocka_unit_test(test_ci_t_quantile_is_symmetric_and_monotone),
        cmocka_unit_test(test_ci_halfwidth_is_t_times_standard_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
