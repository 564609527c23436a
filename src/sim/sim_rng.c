/* sim_rng.c -- named, reproducible random streams (xoshiro256**).
 *
 * A stream's state is a pure function of (run seed, stream name): the name is
 * hashed with FNV-1a-64, combined with the seed, and the combination is
 * expanded into the 256-bit state with splitmix64, as the xoshiro authors
 * recommend. Streams are therefore not guaranteed disjoint subsequences of
 * one generator (jump-ahead would give that, but needs a global order of
 * streams, which is exactly what named streams avoid); with a 2^256 period
 * and well-mixed starting points, overlap is not a practical concern. */
#include "sim_rng.h"

static uint64_t splitmix64_next(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static uint64_t fnv1a64(const char *str)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3u;
    }
    return h;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void sim_rng_init(sim_rng *r, uint64_t seed, const char *stream_name)
{
    /* Mix the seed through splitmix64 once before folding in the name hash,
     * so that (seed, name) pairs differing in both do not cancel the way a
     * plain seed ^ hash would (seed 1 "a" vs seed 1^h(a)^h(b) "b"). */
    uint64_t x = seed;
    x = splitmix64_next(&x) ^ fnv1a64(stream_name ? stream_name : "");
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64_next(&x);
    /* The all-zero state is xoshiro's one fixed point; splitmix64 output
     * cannot produce four zeros in a row, but keep the guard explicit. */
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
}

uint64_t sim_rng_u64(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* (k + 0.5) / 2^52 with k the top 52 bits: the midpoints of 2^52 equal cells,
 * so the result lies in [2^-53, 1 - 2^-53]. Every step is exact in double
 * arithmetic. The more common 53-bit variant (k + 0.5) / 2^53 is NOT safe:
 * for k = 2^53 - 1 the sum 2^53 - 0.5 is not representable and rounds (to
 * even) to 2^53, returning exactly 1.0. */
double sim_rng_uniform(sim_rng *r)
{
    return ((double)(sim_rng_u64(r) >> 12) + 0.5) * 0x1.0p-52;
}
