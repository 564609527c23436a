/* test_random_plants.c -- thousands of random plants (tests/gen/plantgen.c)
 * run with the engine's invariants checked at the end of every instant
 * (src/flow/flow_check.c): no violation, and at the end of each run every
 * item accounted for, per product (entered = in the plant + produced +
 * scrapped + consumed), and every station's and vehicle's state shares
 * summing to 1.
 *
 * A count of seeds bounds the test, not a time, so it is the same test on
 * every machine: FT_RANDOM_PLANTS plants (default below, ~2 min under
 * ASan + UBSan on the CI machine) from seed FT_RANDOM_SEED (default 1).
 * The seeds also have to cover every feature the generator knows, or the
 * test fails (then raise the count). A failing plant is left in
 * build/random-plants/seed-N/ with its seed printed; `build/tests/plantgen
 * N DIR` writes it again. bench/soak.sh runs the same for a set time. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fabtwin/fabtwin.h"
#include "plantgen.h"

#define DEFAULT_PLANTS 320

static unsigned long long env_number(const char *name, unsigned long long dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : dflt;
}

static void remove_plant(const char *dir)
{
    static const char *const files[] = {"model.yaml", "orders.csv", "grid.map"};
    char path[1200];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* Shares of a KPI's states: they must sum to 1 (an empty period: to 0). */
static bool sums_to_one(const double *frac, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += frac[i];
    return fabs(sum - 1) < 1e-9;
}

/* One plant: 0 when all is well, else prints why (with the seed and the
 * model's path) and returns -1. */
static int run_plant(unsigned long long seed, const char *dir, unsigned *features,
                     uint64_t *events)
{
    char path[1200];
    ft_error err = {0};
    if (plantgen_write(seed, dir, path, sizeof path, features)) {
        fprintf(stderr, "seed %llu: cannot write %s\n", seed, dir);
        return -1;
    }
    ft_model *m = ft_model_load(path, &err);
    if (!m) {
        fprintf(stderr, "seed %llu: the generator wrote a model the loader refuses: %s\n  ",
                seed, path);
        ft_error_print(&err, stderr);
        return -1;
    }
    ft_run_options opt = {.check = true};
    ft_sim *s = ft_sim_new(m, &opt, &err);
    int rc = -1;
    if (!s) {
        fprintf(stderr, "seed %llu: the factory cannot be built: %s\n  ", seed, path);
        ft_error_print(&err, stderr);
    } else if (ft_sim_run(s, &err) || ft_sim_check(s, &err)) {
        fprintf(stderr, "seed %llu: %s\n  ", seed, path);
        ft_error_print(&err, stderr);
    } else {
        const ft_report *r = ft_sim_report(s);
        rc = 0;
        for (size_t i = 0; i < r->n_stations; i++)
            if (!sums_to_one(r->stations[i].state_frac, FT_N_STATES)) {
                fprintf(stderr, "seed %llu: %s: station '%s' state shares do not sum to 1\n",
                        seed, path, r->stations[i].name);
                rc = -1;
            }
        for (size_t i = 0; i < r->n_vehicles; i++)
            if (!sums_to_one(r->vehicles[i].state_frac, FT_VEH_N_STATES)) {
                fprintf(stderr, "seed %llu: %s: vehicle '%s' state shares do not sum to 1\n",
                        seed, path, r->vehicles[i].name);
                rc = -1;
            }
        *events = ft_sim_events(s);
    }
    ft_sim_free(s);
    ft_model_free(m);
    return rc;
}

static void test_random_plants_keep_the_invariants(void **state)
{
    (void)state;
    unsigned long long first = env_number("FT_RANDOM_SEED", 1);
    unsigned long long n = env_number("FT_RANDOM_PLANTS", DEFAULT_PLANTS);
    char root[1024], dir[1100];
    snprintf(root, sizeof root, "%s/random-plants", FT_BINARY_DIR);
    if (mkdir(root, 0777) && errno != EEXIST)
        fail_msg("cannot make %s", root);
    printf("random plants: seeds %llu .. %llu\n", first, first + n - 1);
    unsigned covered = 0;
    unsigned long long failed = 0;
    uint64_t events = 0;
    for (unsigned long long seed = first; seed < first + n; seed++) {
        snprintf(dir, sizeof dir, "%s/seed-%llu", root, seed);
        if (mkdir(dir, 0777) && errno != EEXIST)
            fail_msg("cannot make %s", dir);
        unsigned features = 0;
        uint64_t ev = 0;
        if (run_plant(seed, dir, &features, &ev)) {
            failed++;
            continue; /* the plant stays in dir */
        }
        covered |= features;
        events += ev;
        remove_plant(dir);
    }
    printf("random plants: %llu run, %llu failed, %llu events\n", n, failed,
           (unsigned long long)events);
    for (int i = 0; i < PG_N_FEATURES; i++)
        if (!(covered & (1u << i))) {
            printf("random plants: no plant that passed used '%s'\n", plantgen_feature_name(i));
            failed += n >= DEFAULT_PLANTS; /* a short run may miss one */
        }
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_plants_keep_the_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
