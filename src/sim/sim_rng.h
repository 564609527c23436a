/* sim_rng.h -- independent, reproducible random-number streams.
 *
 * Every model object draws from its own named stream ("station/weld/process",
 * "source/orders/arrival", ...). A stream's state is derived from the run
 * seed and the stream's name only, so adding, removing or re-parameterising
 * one object never changes the numbers another object sees -- which is also
 * what makes common random numbers across scenarios work. The generator is
 * xoshiro256** (Blackman & Vigna), seeded through splitmix64. */
#ifndef FABTWIN_SIM_RNG_H
#define FABTWIN_SIM_RNG_H

#include <stdint.h>

typedef struct sim_rng {
    uint64_t s[4];
} sim_rng;

/* Seed a stream from the run seed and the stream's name (UTF-8, any length). */
void sim_rng_init(sim_rng *r, uint64_t seed, const char *stream_name);

uint64_t sim_rng_u64(sim_rng *r);

/* Uniform on the open interval (0, 1): never 0, never 1, so log() is safe. */
double sim_rng_uniform(sim_rng *r);

#endif
