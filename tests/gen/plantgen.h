/* plantgen.h -- random plants: from a seed, a valid model that uses every
 * feature of the model language, for running the engine with its
 * invariants checked (tests/test_random_plants.c, bench/soak.sh).
 *
 * The same seed always gives the same files. A model the loader refuses is
 * a bug in the generator. Every new feature of the model language gets a
 * gen_* function in plantgen.c (docs/model-language.md lists them). */
#ifndef FT_PLANTGEN_H
#define FT_PLANTGEN_H

#include <stddef.h>
#include <stdint.h>

/* Features a plant may use: plantgen_write reports those it used. */
enum {
    PG_ASSEMBLY = 1 << 0, PG_SPLIT = 1 << 1, PG_INSPECTION = 1 << 2, PG_REWORK = 1 << 3,
    PG_CONVEYOR_ACC = 1 << 4, PG_CONVEYOR_NONACC = 1 << 5, PG_FAIL_OPERATING = 1 << 6,
    PG_FAIL_CALENDAR = 1 << 7, PG_MAINTENANCE = 1 << 8, PG_SETUP = 1 << 9,
    PG_CALENDAR = 1 << 10, PG_ORDERS_INLINE = 1 << 11, PG_ORDERS_CSV = 1 << 12,
    PG_ALWAYS = 1 << 13, PG_INTERARRIVAL = 1 << 14, PG_AGV_GRAPH = 1 << 15,
    PG_AGV_GRID = 1 << 16, PG_BATTERY = 1 << 17, PG_BUFFER_ZERO = 1 << 18,
    PG_N_FEATURES = 19
};

/* Write the plant of `seed` into the folder dir (which must exist):
 * dir/model.yaml, and dir/orders.csv and dir/grid.map when it uses them.
 * The model's path goes to path (n bytes); *features gets the PG_* bits
 * used. Returns 0, or -1 when a file cannot be written. */
int plantgen_write(uint64_t seed, const char *dir, char *path, size_t n, unsigned *features);

/* The name of feature bit i (0 .. PG_N_FEATURES-1). */
const char *plantgen_feature_name(int i);

#endif
