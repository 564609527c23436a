/* test_validation_queueing.c -- the simulator against queueing theory.
 *
 * Each test runs independent replications (seeds 1001, 1002, ...) and
 * checks that the closed-form value lies inside the 99 % Student-t
 * confidence interval of the replication means. No tolerance here comes
 * from a number the program printed: the expected values are computed in
 * this file from the formulas cited above each test. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fabtwin/fabtwin.h"
#include "testutil.h"

#define REPS 30
#define LEVEL 0.99

typedef double (*metric_fn)(const ft_report *r);

/* Run `yaml` REPS times with independent seeds and collect up to 4 metrics. */
static void replicate(const char *yaml, metric_fn *metrics, size_t n_metrics, double out[][REPS])
{
    ft_error err = {0};
    ft_model *m = ft_model_load_string(yaml, strlen(yaml), "validation.yaml", &err);
    if (!m)
        ft_error_print(&err, stderr);
    assert_non_null(m);
    printf("  seeds 1001..%d\n", 1001 + REPS - 1);
    for (int r = 0; r < REPS; r++) {
        ft_run_options opt = {.has_seed = true, .seed = 1001 + (uint64_t)r};
        ft_sim *s = ft_sim_new(m, &opt, &err);
        assert_non_null(s);
        assert_int_equal(ft_sim_run(s, &err), 0);
        const ft_report *rep = ft_sim_report(s);
        for (size_t k = 0; k < n_metrics; k++)
            out[k][r] = metrics[k](rep);
        ft_sim_free(s);
    }
    ft_model_free(m);
}

static void expect(const char *what, const double *x, double expected)
{
    assert_true(ft_ci_contains(what, ft_ci_of(x, REPS, LEVEL), expected, 0));
}

static const ft_buffer_kpis *buffer(const ft_report *r, const char *name)
{
    for (size_t i = 0; i < r->n_buffers; i++)
        if (strcmp(r->buffers[i].name, name) == 0)
            return &r->buffers[i];
    fail_msg("no buffer %s", name);
    return NULL;
}

static double cycle_mean(const ft_report *r) { return r->products[0].cycle_mean_s; }
static double wip_mean(const ft_report *r) { return r->wip_mean; }
static double sojourn_mean(const ft_report *r) { return r->sojourn_mean_s; }
static double queue_S(const ft_report *r) { return buffer(r, "S.queue")->mean_level; }
static double util_S(const ft_report *r) { return r->stations[0].utilization; }
static double throughput(const ft_report *r) { return (double)r->products[0].produced / r->length_s; }
static double failed_share(const ft_report *r) { return r->stations[0].state_frac[FT_FAILED]; }
static double availability(const ft_report *r) { return r->stations[0].availability; }

/* One station S fed by a Poisson source; `service` is its time distribution. */
static void single_station(char *buf, size_t n, const char *service, int servers)
{
    snprintf(buf, n,
             "model: queue\n"
             "run: {warmup: 20000s, length: 200000s}\n"
             "products:\n"
             "  - {name: job, routing: [{station: S, time: \"%s\"}]}\n"
             "sources:\n"
             "  - {name: arrivals, product: job, interarrival: exp(10s)}\n"
             "stations:\n"
             "  - {name: S, servers: %d}\n",
             service, servers);
}

/* M/M/1, lambda = 0.1/s, mu = 0.125/s, rho = 0.8 (Kleinrock, Queueing
 * Systems I, ch. 3): W = 1/(mu - lambda) = 40 s, Lq = rho^2/(1 - rho) = 3.2,
 * L = rho/(1 - rho) = 4, utilization = rho. */
static void test_mm1_matches_closed_form(void **state)
{
    char yaml[1024];
    single_station(yaml, sizeof yaml, "exp(8s)", 1);
    metric_fn f[] = {cycle_mean, queue_S, wip_mean, util_S};
    double x[4][REPS];
    replicate(yaml, f, 4, x);
    expect("M/M/1 mean time in system W", x[0], 40.0);
    expect("M/M/1 mean queue length Lq", x[1], 3.2);
    expect("M/M/1 mean number in system L", x[2], 4.0);
    expect("M/M/1 utilization", x[3], 0.8);
}

/* Erlang C: probability of waiting in M/M/c with offered load a = lambda/mu
 * and rho = a/c: C = (a^c/c!)/(1-rho) / (sum_{k<c} a^k/k! + (a^c/c!)/(1-rho)). */
static double erlang_c(int c, double a)
{
    double term = 1, sum = 0;
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double top = term / (1 - a / c);
    return top / (sum + top);
}

/* M/M/3, lambda = 0.1/s, mean service 24 s (a = 2.4, rho = 0.8):
 * Wq = C(3, 2.4) / (c mu - lambda), W = Wq + 24, Lq = lambda Wq. */
static void test_mmc_matches_erlang_c(void **state)
{
    char yaml[1024];
    single_station(yaml, sizeof yaml, "exp(24s)", 3);
    metric_fn f[] = {cycle_mean, queue_S, util_S};
    double x[3][REPS];
    replicate(yaml, f, 3, x);
    double lambda = 0.1, mu = 1.0 / 24, wq = erlang_c(3, 2.4) / (3 * mu - lambda);
    expect("M/M/3 mean time in system W", x[0], wq + 24);
    expect("M/M/3 mean queue length Lq", x[1], lambda * wq);
    expect("M/M/3 utilization", x[2], 0.8);
}

/* M/D/1, deterministic service 8 s (Pollaczek-Khinchine):
 * Wq = rho s / (2 (1 - rho)) = 0.8 * 8 / 0.4 = 16 s, Lq = lambda Wq = 1.6. */
static void test_md1_matches_pollaczek_khinchine(void **state)
{
    char yaml[1024];
    single_station(yaml, sizeof yaml, "8s", 1);
    metric_fn f[] = {cycle_mean, queue_S};
    double x[2][REPS];
    replicate(yaml, f, 2, x);
    expect("M/D/1 mean time in system W", x[0], 16.0 + 8.0);
    expect("M/D/1 mean queue length Lq", x[1], 1.6);
}

/* Open Jackson network: A -> B -> C, where C inspects: 10 % scrapped, 20 %
 * sent back to A. External arrivals 0.1/s; traffic equations give
 * lambda_A = lambda_B = lambda_C = 0.1 / (1 - 0.2) = 0.125/s. Exponential
 * services of means 4, 5, 6 s: rho = 0.5, 0.625, 0.75, and by Jackson's
 * theorem each station is an M/M/1: L_i = rho_i / (1 - rho_i). Total
 * L = 1 + 5/3 + 3; time in system of every departing item (Little) L / 0.1. */
static void test_jackson_network_of_three_stations(void **state)
{
    const char *yaml = "model: jackson\n"
                       "run: {warmup: 20000s, length: 200000s}\n"
                       "products:\n"
                       "  - name: job\n"
                       "    routing:\n"
                       "      - {station: A, time: exp(4s)}\n"
                       "      - {station: B, time: exp(5s)}\n"
                       "      - {station: C, time: exp(6s)}\n"
                       "sources:\n"
                       "  - {name: arrivals, product: job, interarrival: exp(10s)}\n"
                       "stations:\n"
                       "  - {name: A}\n"
                       "  - {name: B}\n"
                       "  - {name: C, inspection: {scrap: 10%, rework: 20%, rework_to: A}}\n";
    metric_fn f[] = {wip_mean, sojourn_mean};
    double x[2][REPS];
    replicate(yaml, f, 2, x);
    double L = 1.0 + 0.625 / 0.375 + 3.0;
    expect("Jackson network items in system L", x[0], L);
    expect("Jackson network time in system W", x[1], L / 0.1);
}

/* Exact throughput of a two-station line with blocking after service:
 * station 1 is never starved (raw material always there), exponential
 * rates mu1, mu2, a buffer of b places between them. A continuous-time
 * Markov chain with states (n, s): n = items at station 2 incl. its buffer
 * (0..b+1), s = station 1 working or blocked (blocked only at n = b+1).
 * Throughput = mu2 * P(n >= 1). Solved here by Gaussian elimination. */
static double blocking_line_throughput(double mu1, double mu2, int b)
{
    enum { MAXS = 16 };
    int nw = b + 2, ns = nw + 1; /* states 0..b+1 working, then (b+1, blocked) */
    double q[MAXS][MAXS] = {{0}};
    for (int n = 0; n < nw; n++) {
        if (n < b + 1)
            q[n][n + 1] += mu1;
        else
            q[n][nw] += mu1; /* finished at station 1, no room: blocked */
        if (n >= 1)
            q[n][n - 1] += mu2;
    }
    q[nw][nw - 1 + 0] += mu2; /* station 2 frees a place; blocked item moves in */
    for (int i = 0; i < ns; i++) {
        double out = 0;
        for (int j = 0; j < ns; j++)
            if (j != i)
                out += q[i][j];
        q[i][i] = -out;
    }
    /* Solve pi Q = 0 with sum pi = 1: A = Q^T with the last row replaced by ones. */
    double a[MAXS][MAXS + 1];
    for (int i = 0; i < ns; i++) {
        for (int j = 0; j < ns; j++)
            a[i][j] = q[j][i];
        a[i][ns] = 0;
    }
    for (int j = 0; j < ns; j++)
        a[ns - 1][j] = 1;
    a[ns - 1][ns] = 1;
    for (int c = 0; c < ns; c++) {
        int p = c;
        for (int r = c + 1; r < ns; r++)
            if (fabs(a[r][c]) > fabs(a[p][c]))
                p = r;
        for (int k = 0; k <= ns; k++) {
            double t = a[c][k];
            a[c][k] = a[p][k];
            a[p][k] = t;
        }
        for (int r = 0; r < ns; r++) {
            if (r == c)
                continue;
            double factor = a[r][c] / a[c][c];
            for (int k = c; k <= ns; k++)
                a[r][k] -= factor * a[c][k];
        }
    }
    double p_busy2 = 0;
    for (int i = 0; i < ns; i++) {
        double pi = a[i][ns] / a[i][i];
        int n = i < nw ? i : b + 1;
        if (n >= 1)
            p_busy2 += pi;
    }
    return mu2 * p_busy2;
}

static void test_blocking_line_matches_markov_chain(void **state)
{
    const char *yaml = "model: blocking\n"
                       "run: {warmup: 20000s, length: 200000s}\n"
                       "products:\n"
                       "  - name: job\n"
                       "    routing:\n"
                       "      - {station: S1, time: exp(10s)}\n"
                       "      - {station: S2, time: exp(12s)}\n"
                       "sources:\n"
                       "  - {name: raw, product: job, always: true}\n"
                       "buffers:\n"
                       "  - {name: in1, capacity: 1, feeds: S1}\n"
                       "  - {name: B, capacity: 2, feeds: S2}\n"
                       "stations:\n"
                       "  - {name: S1}\n"
                       "  - {name: S2}\n";
    metric_fn f[] = {throughput};
    double x[1][REPS];
    replicate(yaml, f, 1, x);
    double exact = blocking_line_throughput(0.1, 1.0 / 12, 2);
    /* sanity of the chain itself: below both stations' rates */
    assert_true(exact < 1.0 / 12 && exact > 0.05);
    expect("two-station blocking line throughput", x[0], exact);
}

/* Availability of a station with exponential failures: alternating
 * renewal process with up-times of mean MTBF and repairs of mean MTTR,
 * A = MTBF / (MTBF + MTTR) = 2 h / 2.5 h = 0.8 (Barlow & Proschan). The
 * station always has work, so with either failure clock it is up exactly
 * when the failure process is. */
static void availability_case(const char *clock)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "model: availability\n"
             "run: {warmup: 10h, length: 2000h}\n"
             "products:\n"
             "  - {name: job, routing: [{station: S, time: exp(1min)}]}\n"
             "sources:\n"
             "  - {name: raw, product: job, always: true}\n"
             "buffers:\n"
             "  - {name: in, capacity: 1, feeds: S}\n"
             "stations:\n"
             "  - name: S\n"
             "    failures: [{name: breakdown, mtbf: exp(2h), mttr: exp(30min), clock: %s}]\n",
             clock);
    metric_fn f[] = {failed_share, availability};
    double x[2][REPS];
    replicate(yaml, f, 2, x);
    expect("failed share = MTTR/(MTBF+MTTR)", x[0], 0.2);
    expect("availability = MTBF/(MTBF+MTTR)", x[1], 0.8);
}

static void test_availability_with_calendar_clock_failures(void **state)
{
    availability_case("calendar");
}

static void test_availability_with_operating_clock_failures(void **state)
{
    availability_case("operating");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mm1_matches_closed_form),
        cmocka_unit_test(test_mmc_matches_erlang_c),
        cmocka_unit_test(test_md1_matches_pollaczek_khinchine),
        cmocka_unit_test(test_jackson_network_of_three_stations),
        cmocka_unit_test(test_blocking_line_matches_markov_chain),
        cmocka_unit_test(test_availability_with_calendar_clock_failures),
        cmocka_unit_test(test_availability_with_operating_clock_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
