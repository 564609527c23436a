/* mapf_resv.c -- who occupies which vertex when: per vertex, a sorted list
 * of the time spans other agents spend there. This is the reservation
 * table of the refinement's single-agent searches (mapf_sipp.c), and what
 * its neighbourhoods ask "who is at v at time t".
 *
 * Why spans and not a dense table occ[t][v]: a dense table must be as long
 * as the longest path (plus room for detours); with 1,000 agents and PIBT's
 * first plans that is ~1,100 steps x 5,700 vertices = 25 MB, cleared and
 * rewritten step by step for every path taken out and put back, and a
 * search over it pays a node per waited step. Spans cost one entry per
 * stay (a path of 200 steps with waits is fewer entries than steps), an
 * agent resting on its goal is one span to MAPF_FOREVER with no horizon,
 * and the free gaps between spans are exactly the safe intervals SIPP
 * searches over. Lists are short (the visits of one vertex: tens), so
 * insertion by memmove into a sorted array beats any tree.
 *
 * Invariant: the spans of one vertex never overlap (the paths put in are
 * conflict-free); hence sorted by `lo` they are sorted by `hi` too, which
 * the binary searches rely on. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "agv/mapf_search.h"

int mapf_resv_init(mapf_resv *r, uint32_t n_vertices)
{
    memset(r, 0, sizeof *r);
    r->n_vertices = n_vertices;
    r->spans = calloc(n_vertices, sizeof *r->spans);
    r->count = calloc(n_vertices, sizeof *r->count);
    r->cap = calloc(n_vertices, sizeof *r->cap);
    if (!r->spans || !r->count || !r->cap) {
        mapf_resv_free(r);
        return -1;
    }
    return 0;
}

void mapf_resv_free(mapf_resv *r)
{
    for (uint32_t v = 0; r->spans && v < r->n_vertices; v++)
        free(r->spans[v]);
    free(r->spans);
    free(r->count);
    free(r->cap);
    memset(r, 0, sizeof *r);
}

void mapf_resv_clear(mapf_resv *r)
{
    memset(r->count, 0, (size_t)r->n_vertices * sizeof *r->count);
}

/* Index of the first span of v with hi >= t (count[v] if none). */
static uint32_t first_ending_at_or_after(const mapf_resv *r, uint32_t v, uint32_t t)
{
    const mapf_span *s = r->spans[v];
    uint32_t lo = 0, hi = r->count[v];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s[mid].hi < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int span_insert(mapf_resv *r, uint32_t v, mapf_span span)
{
    if (r->count[v] == r->cap[v]) {
        uint32_t c = r->cap[v] ? 2 * r->cap[v] : 4;
        mapf_span *p = realloc(r->spans[v], (size_t)c * sizeof *p);
        if (!p)
            return -1;
        r->spans[v] = p;
        r->cap[v] = c;
    }
    uint32_t k = first_ending_at_or_after(r, v, span.lo);
    mapf_span *s = r->spans[v];
    assert(k == r->count[v] || s[k].lo > span.hi); /* no overlap */
    memmove(s + k + 1, s + k, (size_t)(r->count[v] - k) * sizeof *s);
    s[k] = span;
    r->count[v]++;
    return 0;
}

static void span_remove(mapf_resv *r, uint32_t v, uint32_t lo, uint32_t agent)
{
    uint32_t k = first_ending_at_or_after(r, v, lo);
    mapf_span *s = r->spans[v];
    assert(k < r->count[v] && s[k].lo == lo && s[k].agent == agent);
    (void)agent;
    memmove(s + k, s + k + 1, (size_t)(r->count[v] - k - 1) * sizeof *s);
    r->count[v]--;
}

/* path[0..len], then resting on path[len] for ever: one span per stay. */
int mapf_resv_add_path(mapf_resv *r, uint32_t agent, const uint32_t *path, uint32_t len)
{
    for (uint32_t t = 0; t <= len;) {
        uint32_t end = t;
        while (end < len && path[end + 1] == path[t])
            end++;
        mapf_span s = {t, end == len ? MAPF_FOREVER : end, agent};
        if (span_insert(r, path[t], s)) {
            /* undo what went in, so the table is as before */
            for (uint32_t u = 0; u < t;) {
                uint32_t e = u;
                while (e < len && path[e + 1] == path[u])
                    e++;
                span_remove(r, path[u], u, agent);
                u = e + 1;
            }
            return -1;
        }
        t = end + 1;
    }
    return 0;
}

void mapf_resv_remove_path(mapf_resv *r, uint32_t agent, const uint32_t *path, uint32_t len)
{
    for (uint32_t t = 0; t <= len;) {
        uint32_t end = t;
        while (end < len && path[end + 1] == path[t])
            end++;
        span_remove(r, path[t], t, agent);
        t = end + 1;
    }
}

uint32_t mapf_resv_at(const mapf_resv *r, uint32_t v, uint32_t t)
{
    uint32_t k = first_ending_at_or_after(r, v, t);
    if (k < r->count[v] && r->spans[v][k].lo <= t)
        return r->spans[v][k].agent;
    return MAPF_NONE;
}

/* Spans as a searching agent must avoid them: as they are, or in strict
 * mode widened by a step on each side (being on v the step before someone
 * arrives means they follow us in or we stay and collide; the step after
 * someone leaves, we follow them in). */
static uint32_t blocked_lo(const mapf_span *s, bool strict)
{
    return strict && s->lo > 0 ? s->lo - 1 : s->lo;
}

static uint32_t blocked_hi(const mapf_span *s, bool strict)
{
    return strict && s->hi != MAPF_FOREVER ? s->hi + 1 : s->hi;
}

void mapf_resv_walk_init(mapf_resv_walk *w, const mapf_resv *r, uint32_t v, uint32_t t,
                         bool strict)
{
    w->spans = r->spans[v];
    w->n = r->count[v];
    w->t = t;
    w->strict = strict;
    w->done = false;
    /* the first span whose blocked end is at or after t (widening moves
     * the end by one and keeps the ends sorted); the gap before it starts
     * after the one before */
    w->k = first_ending_at_or_after(r, v, strict && t > 0 ? t - 1 : t);
    w->lo = w->k > 0 ? blocked_hi(&w->spans[w->k - 1], strict) + 1 : 0;
}

bool mapf_resv_walk_next(mapf_resv_walk *w, uint32_t *lo, uint32_t *hi)
{
    const mapf_span *s = w->spans;
    while (!w->done) {
        /* spans that start where the gap would: nothing free between */
        while (w->k < w->n && blocked_lo(&s[w->k], w->strict) <= w->lo) {
            uint32_t bh = blocked_hi(&s[w->k], w->strict);
            if (bh == MAPF_FOREVER) {
                w->done = true;
                return false;
            }
            if (bh + 1 > w->lo)
                w->lo = bh + 1;
            w->k++;
        }
        uint32_t gap_lo = w->lo, gap_hi = MAPF_FOREVER;
        if (w->k < w->n) {
            gap_hi = blocked_lo(&s[w->k], w->strict) - 1;
            uint32_t bh = blocked_hi(&s[w->k], w->strict);
            w->done = bh == MAPF_FOREVER;
            w->lo = bh + 1;
            w->k++;
        } else {
            w->done = true;
        }
        if (gap_hi >= w->t) {
            *lo = gap_lo;
            *hi = gap_hi;
            return true;
        }
    }
    return false;
}

bool mapf_resv_safe_from(const mapf_resv *r, uint32_t v, uint32_t t, bool strict,
                         uint32_t *lo, uint32_t *hi)
{
    mapf_resv_walk w;
    mapf_resv_walk_init(&w, r, v, t, strict);
    return mapf_resv_walk_next(&w, lo, hi);
}

static uint32_t note(uint32_t *out, uint32_t k, uint32_t max, uint32_t a)
{
    if (a == MAPF_NONE || k >= max)
        return k;
    for (uint32_t j = 0; j < k; j++)
        if (out[j] == a)
            return k;
    out[k] = a;
    return k + 1;
}

uint32_t mapf_resv_conflicts(const mapf_resv *r, bool strict, const uint32_t *path, uint32_t len,
                             uint32_t *out, uint32_t max)
{
    uint32_t k = 0;
    for (uint32_t t = 0; t <= len; t++) {
        uint32_t v = path[t];
        k = note(out, k, max, mapf_resv_at(r, v, t));
        if (t == len)
            break;
        uint32_t u = path[t + 1];
        if (u == v)
            continue;
        uint32_t there = mapf_resv_at(r, u, t), next = mapf_resv_at(r, v, t + 1);
        if (strict) { /* entering as someone leaves, leaving as someone enters */
            k = note(out, k, max, there);
            k = note(out, k, max, next);
        } else if (there == next) {
            k = note(out, k, max, there);
        }
    }
    /* everyone on the goal after we arrive, for ever after */
    uint32_t goal = path[len];
    for (uint32_t j = r->count[goal]; j-- > 0 && r->spans[goal][j].hi > len;)
        k = note(out, k, max, r->spans[goal][j].agent);
    return k;
}
