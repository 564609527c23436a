/* test_sim_dist.c -- random streams and distributions: reproducibility and
 * independence of named streams, the open interval of the uniform, a
 * chi-square uniformity test, closed-form moments against textbook formulas
 * (and numerical integration of the density where the formula is easy to get
 * wrong), sample moments against the closed forms, and validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "sim/sim_dist.h"
#include "sim/sim_rng.h"

#define PI 3.14159265358979323846
#define Z 4.5          /* standard errors allowed; two-sided p ~ 7e-6 per check */
#define DRAWS 200000

static sim_dist mk(sim_dist_kind k, double p0, double p1, double p2)
{
    sim_dist d = {.kind = k, .p = {p0, p1, p2}};
    return d;
}

static void near_rel(const char *what, double got, double want, double rel)
{
    printf("  %-34s got %.15g, want %.15g\n", what, got, want);
    assert_true(fabs(got - want) <= rel * fabs(want) + 1e-300);
}

/* ---- streams ------------------------------------------------------------- */

static void test_same_seed_and_name_give_identical_sequences(void **state)
{
    (void)state;
    sim_rng a, b;
    sim_rng_init(&a, 12345, "station/weld/process");
    sim_rng_init(&b, 12345, "station/weld/process");
    for (int i = 0; i < 10000; i++)
        assert_true(sim_rng_u64(&a) == sim_rng_u64(&b));
}

/* Count positions where two streams agree; for unrelated 64-bit streams the
 * expected number in 10000 draws is 10000 / 2^64, i.e. zero. */
static int agreements(sim_rng *a, sim_rng *b)
{
    int same = 0;
    for (int i = 0; i < 10000; i++)
        same += sim_rng_u64(a) == sim_rng_u64(b);
    return same;
}

static void test_different_name_or_seed_give_different_sequences(void **state)
{
    (void)state;
    sim_rng a, b;
    sim_rng_init(&a, 1, "source/orders/arrival");
    sim_rng_init(&b, 1, "source/orders/arrivaL");
    assert_int_equal(agreements(&a, &b), 0);
    sim_rng_init(&a, 1, "source/orders/arrival");
    sim_rng_init(&b, 2, "source/orders/arrival");
    assert_int_equal(agreements(&a, &b), 0);
    sim_rng_init(&a, 0, "");
    sim_rng_init(&b, 0, NULL); /* NULL is the empty name */
    assert_int_equal(agreements(&a, &b), 10000);
}

/* Neighbouring seeds and names must not give correlated uniforms: the sample
 * correlation of independent uniforms has standard error 1/sqrt(n). */
static void test_neighbouring_streams_are_uncorrelated(void **state)
{
    (void)state;
    const char *names[] = {"m1", "m2", "m3"};
    for (int k = 0; k < 3; k++) {
        sim_rng a, b;
        sim_rng_init(&a, 7, names[k]);
        sim_rng_init(&b, k == 2 ? 8 : 7, k == 2 ? names[2] : names[k + 1]);
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        for (int i = 0; i < DRAWS; i++) {
            double x = sim_rng_uniform(&a), y = sim_rng_uniform(&b);
            sa += x, sb += y, saa += x * x, sbb += y * y, sab += x * y;
        }
        double n = DRAWS;
        double cov = sab / n - (sa / n) * (sb / n);
        double r = cov / sqrt((saa / n - sa * sa / (n * n)) * (sbb / n - sb * sb / (n * n)));
        printf("  corr pair %d: %.5f (limit %.5f)\n", k, r, Z / sqrt(n));
        assert_true(fabs(r) <= Z / sqrt(n));
    }
}

/* Multiplicative inverse of an odd number modulo 2^64 (Newton iteration:
 * each step doubles the number of correct low bits, 3 -> 6 -> ... -> 96). */
static uint64_t inv_odd(uint64_t a)
{
    uint64_t x = a;
    for (int i = 0; i < 5; i++)
        x *= 2 - a * x;
    return x;
}

/* xoshiro256**'s output is rotl(s[1] * 5, 7) * 9 of the state before the
 * step (Blackman & Vigna, reference xoshiro256starstar.c), so a state whose
 * s[1] is chosen can make the generator emit exactly 0 or exactly 2^64 - 1:
 * the two inputs at which a careless (0,1) mapping returns 0 or 1. */
static void test_uniform_is_strictly_inside_zero_one_even_at_extreme_outputs(void **state)
{
    (void)state;
    uint64_t want = UINT64_MAX;
    uint64_t v = want * inv_odd(9);
    uint64_t w = (v >> 7) | (v << 57); /* rotr 7 */
    sim_rng hi = {{1, w * inv_odd(5), 2, 3}};
    sim_rng probe = hi;
    assert_true(sim_rng_u64(&probe) == UINT64_MAX);
    double u_hi = sim_rng_uniform(&hi);
    printf("  uniform at u64 max: 1 - %.3g\n", 1.0 - u_hi);
    assert_true(u_hi < 1.0);

    sim_rng lo = {{1, 0, 2, 3}};
    probe = lo;
    assert_true(sim_rng_u64(&probe) == 0);
    double u_lo = sim_rng_uniform(&lo);
    printf("  uniform at u64 0: %.3g\n", u_lo);
    assert_true(u_lo > 0.0);
    assert_true(isfinite(log(u_lo)));

    sim_rng r;
    sim_rng_init(&r, 99, "bounds");
    for (int i = 0; i < 1000000; i++) {
        double u = sim_rng_uniform(&r);
        assert_true(u > 0.0 && u < 1.0);
    }
}

/* Pearson's chi-square over 100 equal bins has 99 degrees of freedom. The
 * upper 0.1% point chi2(0.999; 99) = 148.230 (NIST/SEMATECH e-Handbook of
 * Statistical Methods, 1.3.6.7.4 "Critical Values of the Chi-Square
 * Distribution"; also the root of P(49.5, x/2) = 0.999 with the regularized
 * incomplete gamma function). Fixed seeds, so the test is deterministic. */
static void test_uniform_passes_chi_square_over_100_bins(void **state)
{
    (void)state;
    const double crit = 148.230;
    const uint64_t seeds[] = {1, 2, 3};
    for (int k = 0; k < 3; k++) {
        sim_rng r;
        sim_rng_init(&r, seeds[k], "chi-square");
        enum { BINS = 100, N = 1000000 };
        static long count[BINS];
        for (int b = 0; b < BINS; b++)
            count[b] = 0;
        for (int i = 0; i < N; i++)
            count[(int)(sim_rng_uniform(&r) * BINS)]++;
        double e = (double)N / BINS, chi2 = 0;
        for (int b = 0; b < BINS; b++)
            chi2 += (count[b] - e) * (count[b] - e) / e;
        printf("  seed %d: chi2 = %.2f (critical %.3f)\n", (int)seeds[k], chi2, crit);
        assert_true(chi2 < crit);
    }
}

/* ---- closed-form moments ---------------------------------------------------- */

/* Composite Simpson on [a, b] of x^p * pdf(x). */
typedef double (*pdf_fn)(double x, const double *q);

static double moment(pdf_fn f, const double *q, double a, double b, int p)
{
    const int n = 200000; /* even */
    double h = (b - a) / n, sum = 0;
    for (int i = 0; i <= n; i++) {
        double x = a + i * h;
        double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
        sum += w * pow(x, p) * f(x, q);
    }
    return sum * h / 3;
}

static void check_by_integration(const char *what, const sim_dist *d, pdf_fn f, const double *q,
                                 double a, double b)
{
    double m0 = moment(f, q, a, b, 0), m1 = moment(f, q, a, b, 1), m2 = moment(f, q, a, b, 2);
    char label[64];
    snprintf(label, sizeof label, "%s: integral of pdf", what);
    near_rel(label, m0, 1.0, 1e-7);
    snprintf(label, sizeof label, "%s: mean by integration", what);
    near_rel(label, sim_dist_mean(d), m1 / m0, 1e-7);
    snprintf(label, sizeof label, "%s: var by integration", what);
    near_rel(label, sim_dist_var(d), m2 / m0 - (m1 / m0) * (m1 / m0), 1e-6);
}

static double tri_pdf(double x, const double *q)
{
    double a = q[0], c = q[1], b = q[2];
    if (x < a || x > b)
        return 0;
    return x < c ? 2 * (x - a) / ((b - a) * (c - a)) : 2 * (b - x) / ((b - a) * (b - c));
}

/* Normal(mu, sd) density restricted to x >= 0, left unnormalised on purpose:
 * the test divides by its numerical integral, so the normalising constant
 * 1 - Phi(-mu/sd) does not come from the code under test. */
static double tnorm_pdf_unnorm(double x, const double *q)
{
    double z = (x - q[0]) / q[1];
    return x < 0 ? 0 : exp(-0.5 * z * z) / (q[1] * sqrt(2 * PI));
}

static double weibull_pdf(double x, const double *q)
{
    double k = q[0], l = q[1];
    return x <= 0 ? 0 : k / l * pow(x / l, k - 1) * exp(-pow(x / l, k));
}

static void test_closed_form_moments_match_textbook_formulas(void **state)
{
    (void)state;
    sim_dist d;
    /* Constant: a point mass. */
    d = sim_dist_const(2.5);
    near_rel("const mean", sim_dist_mean(&d), 2.5, 0);
    near_rel("const var", sim_dist_var(&d), 0, 0);
    /* Uniform(a,b): mean (a+b)/2, var (b-a)^2/12. */
    d = mk(SIM_DIST_UNIFORM, 2, 8, 0);
    near_rel("uniform mean", sim_dist_mean(&d), 5, 1e-15);
    near_rel("uniform var", sim_dist_var(&d), 36.0 / 12, 1e-15);
    /* Triangular(a,c,b): mean (a+b+c)/3, var (a^2+b^2+c^2-ab-ac-bc)/18
     * (Evans, Hastings & Peacock, Statistical Distributions, ch. Triangular). */
    d = mk(SIM_DIST_TRIANGULAR, 1, 2, 6);
    near_rel("triangular mean", sim_dist_mean(&d), 3, 1e-15);
    near_rel("triangular var", sim_dist_var(&d), (1 + 36 + 4 - 6 - 2 - 12) / 18.0, 1e-15);
    /* Exponential(mean m): var m^2. */
    d = mk(SIM_DIST_EXPONENTIAL, 3, 0, 0);
    near_rel("exponential mean", sim_dist_mean(&d), 3, 1e-15);
    near_rel("exponential var", sim_dist_var(&d), 9, 1e-15);
    /* Lognormal from (m, cv): sigma^2 = ln(1+cv^2), mu = ln m - sigma^2/2 gives
     * E = exp(mu + sigma^2/2) = m and Var = (exp(sigma^2)-1) exp(2mu+sigma^2)
     * = (cv m)^2 (Johnson, Kotz & Balakrishnan vol. 1, ch. 14). */
    d = mk(SIM_DIST_LOGNORMAL, 4, 0.5, 0);
    double s2 = log(1 + 0.25), mu = log(4) - s2 / 2;
    near_rel("lognormal mean", sim_dist_mean(&d), exp(mu + s2 / 2), 1e-14);
    near_rel("lognormal var", sim_dist_var(&d), (exp(s2) - 1) * exp(2 * mu + s2), 1e-14);
    near_rel("lognormal var = (cv m)^2", sim_dist_var(&d), 4.0, 1e-14);
    /* Gamma(k, theta): mean k theta, var k theta^2. */
    d = mk(SIM_DIST_GAMMA, 2.5, 1.5, 0);
    near_rel("gamma mean", sim_dist_mean(&d), 3.75, 1e-15);
    near_rel("gamma var", sim_dist_var(&d), 2.5 * 1.5 * 1.5, 1e-15);
    /* Weibull(k, lambda): mean lambda G(1+1/k), var lambda^2 (G(1+2/k) - G(1+1/k)^2). */
    d = mk(SIM_DIST_WEIBULL, 1.5, 2, 0);
    double g1 = tgamma(1 + 1 / 1.5), g2 = tgamma(1 + 2 / 1.5);
    near_rel("weibull mean", sim_dist_mean(&d), 2 * g1, 1e-14);
    near_rel("weibull var", sim_dist_var(&d), 4 * (g2 - g1 * g1), 1e-14);
    /* Weibull with k = 1 is the exponential with mean lambda. */
    d = mk(SIM_DIST_WEIBULL, 1, 5, 0);
    near_rel("weibull k=1 mean", sim_dist_mean(&d), 5, 1e-14);
    near_rel("weibull k=1 var", sim_dist_var(&d), 25, 1e-14);
    /* Erlang(k, mean m): sum of k exponentials of mean m/k: var k (m/k)^2 = m^2/k. */
    d = mk(SIM_DIST_ERLANG, 3, 6, 0);
    near_rel("erlang mean", sim_dist_mean(&d), 6, 1e-15);
    near_rel("erlang var", sim_dist_var(&d), 12, 1e-15);
    /* Normal(mu, sd) truncated below at 0: alpha = -mu/sd, Z = 1 - Phi(alpha),
     * E = mu + sd phi(alpha)/Z, Var = sd^2 (1 + alpha phi/Z - (phi/Z)^2)
     * (Johnson, Kotz & Balakrishnan vol. 1, ch. 13, truncated normal). */
    d = mk(SIM_DIST_NORMAL, 1, 2, 0);
    double al = -0.5, ph = exp(-al * al / 2) / sqrt(2 * PI), zz = 1 - 0.5 * (1 + erf(al / sqrt(2)));
    near_rel("truncated normal mean", sim_dist_mean(&d), 1 + 2 * ph / zz, 1e-14);
    near_rel("truncated normal var", sim_dist_var(&d),
             4 * (1 + al * ph / zz - (ph / zz) * (ph / zz)), 1e-13);
    /* Far from 0 the truncation is invisible: the plain normal moments. */
    d = mk(SIM_DIST_NORMAL, 50, 2, 0);
    near_rel("normal(50,2) mean", sim_dist_mean(&d), 50, 1e-14);
    near_rel("normal(50,2) var", sim_dist_var(&d), 4, 1e-12);
}

static void test_closed_forms_agree_with_numerical_integration_of_the_density(void **state)
{
    (void)state;
    const double tri[] = {1, 2, 6};
    sim_dist d = mk(SIM_DIST_TRIANGULAR, 1, 2, 6);
    check_by_integration("triangular", &d, tri_pdf, tri, 1, 6);
    const double tn[] = {1, 2};
    d = mk(SIM_DIST_NORMAL, 1, 2, 0);
    double m0 = moment(tnorm_pdf_unnorm, tn, 0, 40, 0);
    double m1 = moment(tnorm_pdf_unnorm, tn, 0, 40, 1) / m0;
    double m2 = moment(tnorm_pdf_unnorm, tn, 0, 40, 2) / m0;
    near_rel("truncated normal: mean by integration", sim_dist_mean(&d), m1, 1e-9);
    near_rel("truncated normal: var by integration", sim_dist_var(&d), m2 - m1 * m1, 1e-8);
    /* Shape 3: the density behaves like x^2 at 0, smooth enough for Simpson
     * (shape 1.5 has a sqrt cusp there and converges too slowly). */
    const double wb[] = {3, 2};
    d = mk(SIM_DIST_WEIBULL, 3, 2, 0);
    check_by_integration("weibull", &d, weibull_pdf, wb, 0, 20);
}

static void test_empirical_moments_are_the_weighted_sums(void **state)
{
    (void)state;
    const double v[] = {1, 2, 5}, w[] = {1, 0, 3};
    sim_dist d;
    assert_true(sim_dist_empirical(&d, v, w, 3));
    /* P = {1/4, 0, 3/4}: mean 1/4 + 15/4 = 4; var (9 + 3*1)/4 = 3. */
    near_rel("empirical mean", sim_dist_mean(&d), 4, 1e-15);
    near_rel("empirical var", sim_dist_var(&d), 3, 1e-15);
    sim_dist_free(&d);
}

/* ---- samples against closed forms ------------------------------------------ */

/* Draw DRAWS samples and compare the sample mean with sim_dist_mean (SE =
 * s/sqrt(n)) and the sample variance with sim_dist_var (large-sample SE of
 * s^2 = sqrt((m4 - s^4)/n), m4 the sample fourth central moment). */
static void check_samples(const char *what, const sim_dist *d, uint64_t seed)
{
    const char *why = NULL;
    assert_true(sim_dist_valid(d, &why));
    sim_rng r;
    sim_rng_init(&r, seed, what);
    double *x = malloc(DRAWS * sizeof *x);
    assert_non_null(x);
    double sum = 0;
    for (int i = 0; i < DRAWS; i++) {
        x[i] = sim_dist_sample(d, &r);
        assert_true(x[i] >= 0 && isfinite(x[i]));
        sum += x[i];
    }
    double n = DRAWS, mean = sum / n, m2 = 0, m4 = 0;
    for (int i = 0; i < DRAWS; i++) {
        double e = x[i] - mean;
        m2 += e * e;
        m4 += e * e * e * e;
    }
    double var = m2 / (n - 1);
    m4 /= n;
    double se_mean = sqrt(var / n), se_var = sqrt(fmax(m4 - var * var, 0) / n);
    double want_mean = sim_dist_mean(d), want_var = sim_dist_var(d);
    printf("  %-18s mean %.6g vs %.6g (+-%.3g)  var %.6g vs %.6g (+-%.3g)  seed %llu\n", what,
           mean, want_mean, Z * se_mean, var, want_var, Z * se_var, (unsigned long long)seed);
    assert_true(fabs(mean - want_mean) <= Z * se_mean + 1e-12 * fabs(want_mean));
    assert_true(fabs(var - want_var) <= Z * se_var + 1e-12 * want_var);
    free(x);
}

static void check_dist(const char *what, sim_dist d, uint64_t seed)
{
    check_samples(what, &d, seed);
}

static void test_const_samples_are_the_value(void **state)
{
    (void)state;
    check_dist("const", sim_dist_const(4.25), 1);
}

static void test_uniform_samples_match_mean_and_var(void **state)
{
    (void)state;
    check_dist("uniform", mk(SIM_DIST_UNIFORM, 2, 8, 0), 2);
}

static void test_triangular_samples_match_mean_and_var(void **state)
{
    (void)state;
    check_dist("triangular", mk(SIM_DIST_TRIANGULAR, 1, 2, 6), 3);
}

static void test_triangular_with_mode_at_an_end_samples_match(void **state)
{
    (void)state;
    check_dist("triangular mode=min", mk(SIM_DIST_TRIANGULAR, 0, 0, 3), 4);
}

static void test_exponential_samples_match_mean_and_var(void **state)
{
    (void)state;
    check_dist("exponential", mk(SIM_DIST_EXPONENTIAL, 3, 0, 0), 5);
}

static void test_truncated_normal_samples_match_mean_and_var(void **state)
{
    (void)state;
    check_dist("normal(1,2)+", mk(SIM_DIST_NORMAL, 1, 2, 0), 6);
}

static void test_untruncated_normal_samples_match_mean_and_var(void **state)
{
    (void)state;
    check_dist("normal(60,5)", mk(SIM_DIST_NORMAL, 60, 5, 0), 7);
}

static void test_lognormal_samples_match_mean_and_var(void **state)
{
    (void)state;
    check_dist("lognormal", mk(SIM_DIST_LOGNORMAL, 4, 0.5, 0), 8);
}

static void test_gamma_samples_match_mean_and_var(void **state)
{
    (void)state;
    check_dist("gamma k=2.5", mk(SIM_DIST_GAMMA, 2.5, 1.5, 0), 9);
}

static void test_gamma_with_shape_below_one_samples_match(void **state)
{
    (void)state;
    check_dist("gamma k=0.4", mk(SIM_DIST_GAMMA, 0.4, 3, 0), 10);
}

static void test_weibull_samples_match_mean_and_var(void **state)
{
    (void)state;
    check_dist("weibull k=1.5", mk(SIM_DIST_WEIBULL, 1.5, 2, 0), 11);
}

static void test_weibull_with_shape_below_one_samples_match(void **state)
{
    (void)state;
    check_dist("weibull k=0.8", mk(SIM_DIST_WEIBULL, 0.8, 2, 0), 12);
}

static void test_erlang_samples_match_mean_and_var(void **state)
{
    (void)state;
    check_dist("erlang k=3", mk(SIM_DIST_ERLANG, 3, 6, 0), 13);
}

static void test_erlang_with_many_phases_samples_match(void **state)
{
    (void)state;
    check_dist("erlang k=40", mk(SIM_DIST_ERLANG, 40, 10, 0), 14);
}

static void test_empirical_samples_match_and_never_pick_zero_weight_rows(void **state)
{
    (void)state;
    const double v[] = {1, 2, 5}, w[] = {1, 0, 3};
    sim_dist d;
    assert_true(sim_dist_empirical(&d, v, w, 3));
    check_samples("empirical", &d, 15);
    sim_rng r;
    sim_rng_init(&r, 15, "rows");
    for (int i = 0; i < DRAWS; i++)
        assert_true(sim_dist_sample(&d, &r) != 2.0);
    sim_dist_free(&d);
}

/* Box-Muller yields normals in pairs; a sampler that cached the second one
 * would hand it to the next caller, whatever stream that caller passed. Two
 * copies of one stream state must give the same draw, back to back. */
static void test_normal_sampling_keeps_no_hidden_state(void **state)
{
    (void)state;
    sim_dist d = mk(SIM_DIST_NORMAL, 10, 3, 0);
    sim_rng y1, y2;
    sim_rng_init(&y1, 1, "y");
    y2 = y1;
    double first = sim_dist_sample(&d, &y1);
    double second = sim_dist_sample(&d, &y2);
    assert_true(first == second);
    for (int i = 0; i < 4; i++)
        assert_true(y1.s[i] == y2.s[i]);
}

/* ---- scale, copy, validation ------------------------------------------------ */

static void test_scale_multiplies_time_parameters_only(void **state)
{
    (void)state;
    const double v[] = {1, 2, 5}, w[] = {1, 1, 2};
    sim_dist ds[11] = {
        sim_dist_const(2), mk(SIM_DIST_UNIFORM, 2, 8, 0), mk(SIM_DIST_TRIANGULAR, 1, 2, 6),
        mk(SIM_DIST_EXPONENTIAL, 3, 0, 0), mk(SIM_DIST_NORMAL, 1, 2, 0),
        mk(SIM_DIST_LOGNORMAL, 4, 0.5, 0), mk(SIM_DIST_GAMMA, 2.5, 1.5, 0),
        mk(SIM_DIST_WEIBULL, 1.5, 2, 0), mk(SIM_DIST_ERLANG, 3, 6, 0),
        mk(SIM_DIST_GAMMA, 0.4, 3, 0),
    };
    assert_true(sim_dist_empirical(&ds[10], v, w, 3));
    /* A duration scaled by f has mean f*E and variance f^2*Var; scaling a
     * shape, cv or phase count would change those ratios. */
    const double f = 60;
    for (int i = 0; i < 11; i++) {
        double m = sim_dist_mean(&ds[i]), var = sim_dist_var(&ds[i]);
        double k0 = ds[i].p[0];
        sim_dist_scale(&ds[i], f);
        printf("  %s\n", sim_dist_kind_name(ds[i].kind));
        assert_true(fabs(sim_dist_mean(&ds[i]) - f * m) <= 1e-12 * f * m);
        assert_true(fabs(sim_dist_var(&ds[i]) - f * f * var) <= 1e-12 * f * f * var);
        if (ds[i].kind == SIM_DIST_GAMMA || ds[i].kind == SIM_DIST_WEIBULL ||
            ds[i].kind == SIM_DIST_ERLANG)
            assert_true(ds[i].p[0] == k0);
    }
    assert_true(ds[5].p[1] == 0.5); /* lognormal cv unchanged */
    sim_dist_free(&ds[10]);
}

static void test_copy_of_empirical_is_deep(void **state)
{
    (void)state;
    const double v[] = {1, 2, 5}, w[] = {1, 0, 3};
    sim_dist src, dst;
    assert_true(sim_dist_empirical(&src, v, w, 3));
    assert_true(sim_dist_copy(&dst, &src));
    assert_ptr_not_equal(dst.values, src.values);
    assert_ptr_not_equal(dst.cum, src.cum);
    sim_dist_scale(&src, 10);
    sim_dist_free(&src);
    near_rel("copy mean after source freed", sim_dist_mean(&dst), 4, 1e-15);
    sim_dist_free(&dst);
    sim_dist_free(&dst); /* freeing twice is harmless */
}

static void expect_invalid(sim_dist d, const char *label)
{
    const char *why = NULL;
    bool ok = sim_dist_valid(&d, &why);
    printf("  %-32s -> %s\n", label, ok ? "ACCEPTED" : why);
    assert_false(ok);
    assert_non_null(why);
    assert_false(sim_dist_valid(&d, NULL));
}

static void test_valid_rejects_bad_parameters_with_a_reason(void **state)
{
    (void)state;
    expect_invalid(sim_dist_const(-1), "const -1");
    expect_invalid(mk(SIM_DIST_EXPONENTIAL, -2, 0, 0), "exponential mean -2");
    expect_invalid(mk(SIM_DIST_NORMAL, -1, 1, 0), "normal mean -1");
    expect_invalid(mk(SIM_DIST_NORMAL, 1, -1, 0), "normal sd -1");
    expect_invalid(mk(SIM_DIST_LOGNORMAL, -1, 0.5, 0), "lognormal mean -1");
    expect_invalid(mk(SIM_DIST_ERLANG, 2, -1, 0), "erlang mean -1");
    expect_invalid(mk(SIM_DIST_UNIFORM, 5, 4, 0), "uniform min > max");
    expect_invalid(mk(SIM_DIST_TRIANGULAR, 5, 6, 4), "triangular min > max");
    expect_invalid(mk(SIM_DIST_TRIANGULAR, 1, 7, 6), "triangular mode > max");
    expect_invalid(mk(SIM_DIST_LOGNORMAL, 3, -0.1, 0), "lognormal cv < 0");
    expect_invalid(mk(SIM_DIST_GAMMA, 0, 1, 0), "gamma shape 0");
    expect_invalid(mk(SIM_DIST_GAMMA, 1, -1, 0), "gamma scale -1");
    expect_invalid(mk(SIM_DIST_WEIBULL, -1, 1, 0), "weibull shape -1");
    expect_invalid(mk(SIM_DIST_ERLANG, 2.5, 1, 0), "erlang k 2.5");
    expect_invalid(mk(SIM_DIST_ERLANG, 0, 1, 0), "erlang k 0");
    expect_invalid(mk(SIM_DIST_EXPONENTIAL, NAN, 0, 0), "exponential mean NaN");
    expect_invalid(mk(SIM_DIST_UNIFORM, 0, INFINITY, 0), "uniform max inf");
    expect_invalid(mk((sim_dist_kind)99, 1, 1, 1), "unknown kind");
}

static void test_empirical_with_all_zero_weights_is_rejected(void **state)
{
    (void)state;
    const double v[] = {1, 2}, zero[] = {0, 0}, neg[] = {1, -1};
    sim_dist d = sim_dist_const(0);
    assert_false(sim_dist_empirical(&d, v, zero, 2));
    assert_false(sim_dist_empirical(&d, v, neg, 2));
    assert_false(sim_dist_empirical(&d, v, zero, 0));
    /* A table assembled by hand (e.g. by a parser) is checked by valid(). */
    double vals[] = {1, 2}, cum[] = {0, 0};
    sim_dist hand = {.kind = SIM_DIST_EMPIRICAL, .n = 2, .values = vals, .cum = cum};
    expect_invalid(hand, "empirical all-zero weights");
    double negv[] = {-1, 2}, okcum[] = {0.5, 1};
    sim_dist hand2 = {.kind = SIM_DIST_EMPIRICAL, .n = 2, .values = negv, .cum = okcum};
    expect_invalid(hand2, "empirical negative value");
}

static void test_valid_accepts_sound_parameters_and_kinds_have_names(void **state)
{
    (void)state;
    sim_dist ok[] = {
        sim_dist_const(0), mk(SIM_DIST_UNIFORM, 3, 3, 0), mk(SIM_DIST_TRIANGULAR, 0, 0, 0),
        mk(SIM_DIST_EXPONENTIAL, 0, 0, 0), mk(SIM_DIST_NORMAL, 0, 1, 0),
        mk(SIM_DIST_LOGNORMAL, 1, 0, 0), mk(SIM_DIST_GAMMA, 0.1, 1, 0),
        mk(SIM_DIST_WEIBULL, 5, 1, 0), mk(SIM_DIST_ERLANG, 1, 1, 0),
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        const char *why = "untouched";
        assert_true(sim_dist_valid(&ok[i], &why));
        assert_string_equal(why, "untouched");
    }
    const char *seen[SIM_DIST_EMPIRICAL + 1];
    for (int k = 0; k <= SIM_DIST_EMPIRICAL; k++) {
        seen[k] = sim_dist_kind_name((sim_dist_kind)k);
        assert_string_not_equal(seen[k], "unknown");
        for (int j = 0; j < k; j++)
            assert_string_not_equal(seen[j], seen[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_and_name_give_identical_sequences),
        cmocka_unit_test(test_different_name_or_seed_give_different_sequences),
        cmocka_unit_test(test_neighbouring_streams_are_uncorrelated),
        cmocka_unit_test(test_uniform_is_strictly_inside_zero_one_even_at_extreme_outputs),
        cmocka_unit_test(test_uniform_passes_chi_square_over_100_bins),
        cmocka_unit_test(test_closed_form_moments_match_textbook_formulas),
        cmocka_unit_test(test_closed_forms_agree_with_numerical_integration_of_the_density),
        cmocka_unit_test(test_empirical_moments_are_the_weighted_sums),
        cmocka_unit_test(test_const_samples_are_the_value),
        cmocka_unit_test(test_uniform_samples_match_mean_and_var),
        cmocka_unit_test(test_triangular_samples_match_mean_and_var),
        cmocka_unit_test(test_triangular_with_mode_at_an_end_samples_match),
        cmocka_unit_test(test_exponential_samples_match_mean_and_var),
        cmocka_unit_test(test_truncated_normal_samples_match_mean_and_var),
        cmocka_unit_test(test_untruncated_normal_samples_match_mean_and_var),
        cmocka_unit_test(test_lognormal_samples_match_mean_and_var),
        cmocka_unit_test(test_gamma_samples_match_mean_and_var),
        cmocka_unit_test(test_gamma_with_shape_below_one_samples_match),
        cmocka_unit_test(test_weibull_samples_match_mean_and_var),
        cmocka_unit_test(test_weibull_with_shape_below_one_samples_match),
        cmocka_unit_test(test_erlang_samples_match_mean_and_var),
        cmocka_unit_test(test_erlang_with_many_phases_samples_match),
        cmocka_unit_test(test_empirical_samples_match_and_never_pick_zero_weight_rows),
        cmocka_unit_test(test_normal_sampling_keeps_no_hidden_state),
        cmocka_unit_test(test_scale_multiplies_time_parameters_only),
        cmocka_unit_test(test_copy_of_empirical_is_deep),
        cmocka_unit_test(test_valid_rejects_bad_parameters_with_a_reason),
        cmocka_unit_test(test_empirical_with_all_zero_weights_is_rejected),
        cmocka_unit_test(test_valid_accepts_sound_parameters_and_kinds_have_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
