/* mapf_hash.c -- the table of explored configurations: a small
 * open-addressing hash table whose keys are whole configurations.
 *
 * Linear probing over one slot array: one cache line per probe in the usual
 * case, no per-entry allocation, and entries are never deleted (the search
 * only adds), so no tombstones are needed. The full 64-bit hash is kept in
 * the slot, so a configuration comparison (n_agents words) only happens on
 * a genuine hash match. */
#include <stdlib.h>
#include <string.h>

#include "agv/mapf_search.h"

int mapf_table_init(mapf_table *t, uint32_t n_agents)
{
    t->capacity = 1024;
    t->count = 0;
    t->n_agents = n_agents;
    t->slots = calloc(t->capacity, sizeof *t->slots);
    return t->slots ? 0 : -1;
}

void mapf_table_free(mapf_table *t)
{
    free(t->slots);
    memset(t, 0, sizeof *t);
}

/* Mix each vertex id into the state with a multiply-xorshift round
 * (splitmix64's finaliser): every input bit reaches every output bit, so
 * configurations differing in one agent spread over the whole table. */
uint64_t mapf_config_hash(const uint32_t *config, uint32_t n_agents)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n_agents;
    for (uint32_t i = 0; i < n_agents; i++) {
        h ^= config[i] + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
        h *= 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    h ^= h >> 30;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

void *mapf_table_get(const mapf_table *t, const uint32_t *config, uint64_t hash)
{
    size_t mask = t->capacity - 1;
    for (size_t k = hash & mask;; k = (k + 1) & mask) {
        const mapf_table_slot *s = &t->slots[k];
        if (!s->config)
            return NULL;
        if (s->hash == hash && memcmp(s->config, config, t->n_agents * sizeof *config) == 0)
            return s->value;
    }
}

static void place(mapf_table_slot *slots, size_t capacity, mapf_table_slot entry)
{
    size_t mask = capacity - 1;
    size_t k = entry.hash & mask;
    while (slots[k].config)
        k = (k + 1) & mask;
    slots[k] = entry;
}

int mapf_table_put(mapf_table *t, const uint32_t *config, uint64_t hash, void *value)
{
    if (2 * (t->count + 1) > t->capacity) {
        size_t bigger = 2 * t->capacity;
        mapf_table_slot *slots = calloc(bigger, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t k = 0; k < t->capacity; k++)
            if (t->slots[k].config)
                place(slots, bigger, t->slots[k]);
        free(t->slots);
        t->slots = slots;
        t->capacity = bigger;
    }
    place(t->slots, t->capacity, (mapf_table_slot){hash, config, value});
    t->count++;
    return 0;
}

size_t mapf_table_bytes(const mapf_table *t)
{
    return t->capacity * sizeof *t->slots;
}
