/* test_mapf_sipp.c -- the refinement's building blocks: the interval
 * reservation table (mapf_resv.c) and safe-interval path planning around
 * it (mapf_sipp.c), exact and soft (through the fewest others). Hand-checked cases first, each derived in its comment;
 * then SIPP against a brute-force breadth-first search over (vertex, time)
 * on random small grids, default and strict rules: the same earliest
 * arrival every time, and a path that breaks no rule.
 *
 * Rules (docs/mapf.md): no two agents on a vertex at once, no swaps; strict
 * mode also forbids entering a vertex another agent occupied the step
 * before or leaves in that step. Agents rest on their goals after their
 * path ends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agv/mapf.h"
#include "agv/mapf_search.h"
#include "sim/sim_rng.h"

#define F MAPF_FOREVER

/* A problem on a plain graph: distance tables by BFS. */
typedef struct world {
    mapf_graph g;
    mapf_problem pb;
    uint32_t starts[64], goals[64];
} world;

static void world_make(world *w, uint32_t n_vertices, const uint32_t *edges, size_t n_edges,
                       const uint32_t *starts, const uint32_t *goals, uint32_t n_agents,
                       bool strict)
{
    ft_error err = {0};
    assert_int_equal(mapf_graph_build(&w->g, n_vertices, edges, n_edges, &err), 0);
    memcpy(w->starts, starts, n_agents * sizeof *starts);
    memcpy(w->goals, goals, n_agents * sizeof *goals);
    w->pb = (mapf_problem){.graph = &w->g, .n_agents = n_agents, .starts = w->starts,
                           .goals = w->goals, .strict = strict};
    w->pb.dist_to_goal = malloc((size_t)n_agents * n_vertices * sizeof *w->pb.dist_to_goal);
    for (uint32_t i = 0; i < n_agents; i++)
        mapf_graph_bfs(&w->g, goals[i], w->pb.dist_to_goal + (size_t)i * n_vertices, NULL);
}

static void world_free(world *w)
{
    free(w->pb.dist_to_goal);
    mapf_graph_free(&w->g);
}

static void expect_interval(const mapf_resv *r, uint32_t v, uint32_t t, bool strict,
                            uint32_t lo, uint32_t hi)
{
    uint32_t got_lo, got_hi;
    assert_true(mapf_resv_safe_from(r, v, t, strict, &got_lo, &got_hi));
    assert_int_equal(got_lo, lo);
    assert_int_equal(got_hi, hi);
}

/* Agent 7 on path 1,1,2,3 (then resting on 3): it is on vertex 1 at times
 * 0-1, on 2 at time 2, on 3 from 3 on. Safe intervals are the gaps. In
 * strict mode each stay is widened by a step either side: 1 -> 0..2,
 * 2 -> 1..3, 3 -> 2..for ever. Taking the path out frees everything. */
static void test_reservations_give_who_is_where_and_the_safe_intervals(void **state)
{
    (void)state;
    mapf_resv r;
    assert_int_equal(mapf_resv_init(&r, 5), 0);
    const uint32_t path[] = {1, 1, 2, 3};
    assert_int_equal(mapf_resv_add_path(&r, 7, path, 3), 0);
    assert_int_equal(r.count[1], 1);
    assert_int_equal(r.count[3], 1);
    assert_int_equal(mapf_resv_at(&r, 1, 0), 7);
    assert_int_equal(mapf_resv_at(&r, 1, 1), 7);
    assert_int_equal(mapf_resv_at(&r, 1, 2), MAPF_NONE);
    assert_int_equal(mapf_resv_at(&r, 2, 2), 7);
    assert_int_equal(mapf_resv_at(&r, 3, 2), MAPF_NONE);
    assert_int_equal(mapf_resv_at(&r, 3, 1000000), 7);
    assert_int_equal(mapf_resv_at(&r, 0, 0), MAPF_NONE);

    expect_interval(&r, 0, 0, false, 0, F);   /* never visited */
    expect_interval(&r, 1, 0, false, 2, F);   /* busy at 0: the next one */
    expect_interval(&r, 2, 0, false, 0, 1);
    expect_interval(&r, 2, 1, false, 0, 1);   /* the one containing 1 */
    expect_interval(&r, 2, 2, false, 3, F);
    expect_interval(&r, 3, 1, false, 0, 2);
    uint32_t lo, hi;
    assert_false(mapf_resv_safe_from(&r, 3, 3, false, &lo, &hi)); /* agent 7 rests there */

    expect_interval(&r, 1, 0, true, 3, F);
    expect_interval(&r, 2, 0, true, 0, 0);
    expect_interval(&r, 2, 1, true, 4, F);
    expect_interval(&r, 3, 0, true, 0, 1);
    assert_false(mapf_resv_safe_from(&r, 3, 2, true, &lo, &hi));

    mapf_resv_remove_path(&r, 7, path, 3);
    for (uint32_t v = 0; v < 5; v++) {
        assert_int_equal(r.count[v], 0);
        expect_interval(&r, v, 0, true, 0, F);
    }
    mapf_resv_free(&r);
}

/* Stays of several agents on one vertex, kept in time order whatever the
 * order they come in: agent 1 on vertex 0 at 2-3, agent 2 at 5, agent 3
 * from 9 on. Safe: 0-1, 4-4, 6-8. Strict widening makes 2-3 and 5 touch
 * (1..4 and 4..6 merge): safe 0-0, then 7-7 (between 6 and 8). */
static void test_reservations_keep_several_stays_in_time_order(void **state)
{
    (void)state;
    mapf_resv r;
    assert_int_equal(mapf_resv_init(&r, 6), 0);
    const uint32_t p3[] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 0};       /* on 0 from 9 */
    const uint32_t p1[] = {1, 2, 0, 0, 2};                      /* on 0 at 2-3 */
    const uint32_t p2[] = {4, 4, 4, 4, 5, 0, 5};                /* on 0 at 5 */
    assert_int_equal(mapf_resv_add_path(&r, 3, p3, 9), 0);
    assert_int_equal(mapf_resv_add_path(&r, 1, p1, 4), 0);
    assert_int_equal(mapf_resv_add_path(&r, 2, p2, 6), 0);
    assert_int_equal(r.count[0], 3);
    assert_int_equal(r.spans[0][0].agent, 1);
    assert_int_equal(r.spans[0][1].agent, 2);
    assert_int_equal(r.spans[0][2].agent, 3);
    expect_interval(&r, 0, 0, false, 0, 1);
    expect_interval(&r, 0, 2, false, 4, 4);
    expect_interval(&r, 0, 5, false, 6, 8);
    expect_interval(&r, 0, 0, true, 0, 0);
    expect_interval(&r, 0, 1, true, 7, 7);
    uint32_t lo, hi;
    assert_false(mapf_resv_safe_from(&r, 0, 9, false, &lo, &hi));
    mapf_resv_remove_path(&r, 2, p2, 6);
    expect_interval(&r, 0, 4, false, 4, 8);
    mapf_resv_free(&r);
}

/* Plan agent `agent` by SIPP around the paths in r; expect len (or no
 * path: want_len == F), and the path when given. */
static void expect_plan(world *w, mapf_resv *r, uint32_t agent, uint32_t want_len,
                        const uint32_t *want_path)
{
    mapf_sipp s;
    assert_int_equal(mapf_sipp_init(&s, &w->pb), 0);
    uint32_t *path = NULL, cap = 0, len = 0;
    int rc = mapf_sipp_plan(&s, r, agent, F - 1, 100000, &path, &cap, &len);
    if (want_len == F) {
        assert_int_equal(rc, 0);
    } else {
        assert_int_equal(rc, 1);
        assert_int_equal(len, want_len);
        if (want_path)
            assert_memory_equal(path, want_path, (len + 1) * sizeof *path);
        /* bounded below the optimum: nothing */
        assert_int_equal(mapf_sipp_plan(&s, r, agent, want_len - 1, 100000, &path, &cap, &len),
                         0);
    }
    free(path);
    mapf_sipp_free(&s);
}

/* The 3x3 grid, vertex = 3y + x. Agent 1 goes down the middle column
 * 1 -> 4 -> 7 and rests on 7. Agent 0 goes along the middle row 3 -> 5; its
 * only shortest path crosses 4 at time 1, when agent 1 is there. Default
 * rules: wait a step, enter 4 at t=2 as agent 1 leaves it (following is
 * allowed): length 3. Around the top (3,0,1,2,5) is 4 steps and the bottom
 * is closed by agent 1 resting on 7. Strict: 4 was occupied at t=1, so the
 * earliest entry is t=3, length 4 -- tied with the way round the top
 * (0 at t=1, 1 at t=2 after agent 1 left it at t=1, 2, 5 at t=4). */
static void test_sipp_waits_for_a_crossing_agent(void **state)
{
    (void)state;
    const uint32_t edges[] = {0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8,
                              0, 3, 3, 6, 1, 4, 4, 7, 2, 5, 5, 8};
    const uint32_t starts[] = {3, 1}, goals[] = {5, 7};
    for (int strict = 0; strict < 2; strict++) {
        world w;
        world_make(&w, 9, edges, 12, starts, goals, 2, strict);
        mapf_resv r;
        assert_int_equal(mapf_resv_init(&r, 9), 0);
        const uint32_t b[] = {1, 4, 7};
        assert_int_equal(mapf_resv_add_path(&r, 1, b, 2), 0);
        const uint32_t want[] = {3, 3, 4, 5};
        expect_plan(&w, &r, 0, strict ? 4 : 3, strict ? NULL : want);
        mapf_resv_free(&r);
        world_free(&w);
    }
}

/* A line 0-1-2-3 with a pocket 4 off vertex 1. Agent 0 starts on 1 and
 * goes to 3; agent 1 comes from 2 through 1 to rest on 0 (on 1 at t=1, on
 * 0 from t=2). Agent 0 cannot stay on 1 (vertex conflict at t=1) nor go
 * straight to 2 (a swap with agent 1), so it steps into the pocket at t=1
 * as agent 1 comes in behind it, steps back out at t=2 behind agent 1, and
 * reaches 3 at t=4. In strict mode agent 1 may not enter 1 as agent 0
 * leaves it, and agent 0 cannot leave earlier: no path at all. */
static void test_sipp_avoids_swaps_and_strict_following(void **state)
{
    (void)state;
    const uint32_t edges[] = {0, 1, 1, 2, 2, 3, 1, 4};
    const uint32_t starts[] = {1, 2}, goals[] = {3, 0};
    for (int strict = 0; strict < 2; strict++) {
        world w;
        world_make(&w, 5, edges, 4, starts, goals, 2, strict);
        mapf_resv r;
        assert_int_equal(mapf_resv_init(&r, 5), 0);
        const uint32_t b[] = {2, 1, 0};
        assert_int_equal(mapf_resv_add_path(&r, 1, b, 2), 0);
        const uint32_t want[] = {1, 4, 1, 2, 3};
        expect_plan(&w, &r, 0, strict ? F : 4, want);
        mapf_resv_free(&r);
        world_free(&w);
    }
}

/* A line 0-1-2-3; agent 0 goes 0 -> 1, agent 1 makes a round trip
 * 3,2,1,2,3 (on 1 at t=2). Arriving at 1 at t=1 does not count: agent 0
 * could not stay there. Default: at 1 from t=3, as agent 1 leaves (length 3);
 * strict: at t=4, one step after it left (length 4). And with agent 1
 * resting on 1 for good, agent 0's goal is taken: no path. */
static void test_sipp_arrives_only_when_the_goal_stays_free(void **state)
{
    (void)state;
    const uint32_t edges[] = {0, 1, 1, 2, 2, 3};
    const uint32_t starts[] = {0, 3}, goals[] = {1, 3};
    for (int strict = 0; strict < 2; strict++) {
        world w;
        world_make(&w, 4, edges, 3, starts, goals, 2, strict);
        mapf_resv r;
        assert_int_equal(mapf_resv_init(&r, 4), 0);
        const uint32_t b[] = {3, 2, 1, 2, 3};
        assert_int_equal(mapf_resv_add_path(&r, 1, b, 4), 0);
        /* (0,0,0,1 and 0,1,0,1 tie) */
        expect_plan(&w, &r, 0, strict ? 4 : 3, NULL);
        mapf_resv_remove_path(&r, 1, b, 4);
        const uint32_t rest[] = {3, 2, 1};
        assert_int_equal(mapf_resv_add_path(&r, 1, rest, 2), 0);
        expect_plan(&w, &r, 0, F, NULL);
        mapf_resv_free(&r);
        world_free(&w);
    }
}

/* ---- against brute force ------------------------------------------------ */

typedef struct others {
    uint32_t n, len[64], path[64][256];
} others;

static uint32_t pos(const others *o, uint32_t j, uint32_t t)
{
    return o->path[j][t < o->len[j] ? t : o->len[j]];
}

/* May an agent go from v (time t) to u (time t+1) -- u == v: wait? */
static bool move_ok(const others *o, uint32_t v, uint32_t u, uint32_t t, bool strict)
{
    for (uint32_t j = 0; j < o->n; j++) {
        if (pos(o, j, t + 1) == u)
            return false;
        if (u != v && strict && (pos(o, j, t) == u || pos(o, j, t + 1) == v))
            return false;
        if (u != v && pos(o, j, t) == u && pos(o, j, t + 1) == v)
            return false;
    }
    return true;
}

/* May an agent arrive on g at time t (from elsewhere, or be there at 0) and
 * rest there for ever? */
static bool may_rest(const others *o, uint32_t g, uint32_t t, uint32_t horizon)
{
    for (uint32_t j = 0; j < o->n; j++)
        for (uint32_t s = t; s <= horizon; s++)
            if (pos(o, j, s) == g)
                return false;
    return true;
}

/* Earliest arrival by breadth-first search over (vertex, time), F if none
 * before the horizon (after which nobody moves any more). */
static uint32_t brute_force(const mapf_graph *g, const others *o, uint32_t start, uint32_t goal,
                            bool strict, uint32_t horizon)
{
    uint8_t now[64] = {0}, next[64];
    for (uint32_t j = 0; j < o->n; j++)
        if (pos(o, j, 0) == start)
            return F;
    now[start] = 1;
    for (uint32_t t = 0; t <= horizon; t++) {
        if (now[goal] && may_rest(o, goal, t, horizon))
            return t;
        memset(next, 0, sizeof next);
        for (uint32_t v = 0; v < g->n_vertices; v++) {
            if (!now[v])
                continue;
            for (uint32_t e = g->adj_start[v]; e <= g->adj_start[v + 1]; e++) {
                uint32_t u = e < g->adj_start[v + 1] ? g->adj[e] : v;
                if (move_ok(o, v, u, t, strict))
                    next[u] = 1;
            }
        }
        memcpy(now, next, sizeof now);
    }
    return F;
}

/* Random 7x7 grids with ~15 % walls; agents added one at a time, each
 * planned by SIPP around those before and checked against brute force.
 * Some find no path (their start or goal is walled in by agents resting
 * on their goals, say): then neither may SIPP. */
static void test_sipp_matches_brute_force_on_random_grids(void **state)
{
    (void)state;
    sim_rng rng;
    sim_rng_init(&rng, 2024, "test/sipp");
    printf("  seed 2024, stream \"test/sipp\"\n");
    uint32_t searched = 0, unreachable = 0;
    for (int round = 0; round < 120; round++) {
        bool strict = round % 2;
        uint8_t wall[49];
        uint32_t vid[49], nv = 0, edges[2 * 2 * 49], ne = 0;
        for (int c = 0; c < 49; c++) {
            wall[c] = sim_rng_u64(&rng) % 100 < 15;
            vid[c] = wall[c] ? F : nv++;
        }
        for (int y = 0; y < 7; y++)
            for (int x = 0; x < 7; x++) {
                int c = 7 * y + x;
                if (wall[c])
                    continue;
                if (x + 1 < 7 && !wall[c + 1]) {
                    edges[2 * ne] = vid[c];
                    edges[2 * ne++ + 1] = vid[c + 1];
                }
                if (y + 1 < 7 && !wall[c + 7]) {
                    edges[2 * ne] = vid[c];
                    edges[2 * ne++ + 1] = vid[c + 7];
                }
            }
        if (nv < 24)
            continue;
        /* distinct random starts and goals */
        uint32_t n = 12, starts[12], goals[12], perm[64];
        for (uint32_t v = 0; v < nv; v++) {
            uint32_t s = (uint32_t)(sim_rng_u64(&rng) % (v + 1));
            perm[v] = perm[s];
            perm[s] = v;
        }
        for (uint32_t i = 0; i < n; i++)
            starts[i] = perm[i];
        for (uint32_t v = 0; v < nv; v++) {
            uint32_t s = (uint32_t)(sim_rng_u64(&rng) % (v + 1));
            perm[v] = perm[s];
            perm[s] = v;
        }
        for (uint32_t i = 0; i < n; i++)
            goals[i] = perm[i];
        world w;
        world_make(&w, nv, edges, ne, starts, goals, n, strict);
        mapf_resv r;
        assert_int_equal(mapf_resv_init(&r, nv), 0);
        mapf_sipp s;
        assert_int_equal(mapf_sipp_init(&s, &w.pb), 0);
        others o = {0};
        uint32_t *path = NULL, cap = 0, len = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (mapf_dist(&w.pb, i, starts[i]) == MAPF_NONE)
                continue; /* the planner rejects such agents up front */
            /* agents not planned yet must not sit on this one's way: only
             * the planned ones count, as in prioritised planning */
            uint32_t horizon = 0;
            for (uint32_t j = 0; j < o.n; j++)
                horizon = o.len[j] > horizon ? o.len[j] : horizon;
            horizon += 2 * nv + 4;
            uint32_t want = brute_force(&w.g, &o, starts[i], goals[i], strict, horizon);
            int rc = mapf_sipp_plan(&s, &r, i, F - 1, 1000000, &path, &cap, &len);
            searched++;
            if (want == F) {
                assert_int_equal(rc, 0);
                unreachable++;
                continue;
            }
            if (rc != 1 || len != want)
                fail_msg("round %d agent %u%s: SIPP %s length %u, brute force %u", round, i,
                         strict ? " strict" : "", rc == 1 ? "found" : "did not find",
                         rc == 1 ? len : 0, want);
            /* the path itself obeys every rule */
            assert_int_equal(path[0], starts[i]);
            assert_int_equal(path[len], goals[i]);
            for (uint32_t t = 0; t < len; t++)
                assert_true(move_ok(&o, path[t], path[t + 1], t, strict));
            assert_true(may_rest(&o, goals[i], len, horizon));
            assert_true(len < 256);
            memcpy(o.path[o.n], path, (len + 1) * sizeof *path);
            o.len[o.n++] = len;
            assert_int_equal(mapf_resv_add_path(&r, i, path, len), 0);
        }
        free(path);
        mapf_sipp_free(&s);
        mapf_resv_free(&r);
        world_free(&w);
    }
    printf("  -> %u searches, %u without a path\n", searched, unreachable);
}

/* The soft search of the repair. A corridor 0-1-2-3-4 and agent 1 resting
 * on 2 for good: agent 0 (0 -> 4) has no path around it, so SIPP finds
 * none; the soft search goes through (0,1,2,3,4: time 4 + one stay run
 * into, 16) and names agent 1 as the one in the way. A bypass
 * 1-b1-..-bm-3 beside 2 takes m + 3 steps: with m = 2 (cost 5 < 20) the
 * soft search takes it and runs into nobody; with m = 20 (cost 23 > 20) it
 * goes through agent 1 again. With agent 1 fixed it may not: the bypass
 * (23 steps) if there is one, else nothing. */
static void soft_case(uint32_t m, const uint32_t *want, uint32_t want_len, uint32_t want_in_way)
{
    uint32_t nv = 5 + m, edges[2 * 32], ne = 0;
    const uint32_t line[] = {0, 1, 1, 2, 2, 3, 3, 4};
    memcpy(edges, line, sizeof line);
    ne = 4;
    for (uint32_t j = 0; m > 0 && j <= m; j++) { /* 1 - 5 - 6 - ... - (4 + m) - 3 */
        edges[2 * ne] = j == 0 ? 1 : 4 + j;
        edges[2 * ne++ + 1] = j == m ? 3 : 5 + j;
    }
    const uint32_t starts[] = {0, 2}, goals[] = {4, 2};
    world w;
    world_make(&w, nv, edges, ne, starts, goals, 2, false);
    mapf_resv r;
    assert_int_equal(mapf_resv_init(&r, nv), 0);
    const uint32_t rest[] = {2};
    assert_int_equal(mapf_resv_add_path(&r, 1, rest, 0), 0);
    mapf_sipp s;
    assert_int_equal(mapf_sipp_init(&s, &w.pb), 0);
    uint32_t *path = NULL, cap = 0, len = 0, in_way[4];
    if (m == 0)
        assert_int_equal(mapf_sipp_plan(&s, &r, 0, F - 1, 100000, &path, &cap, &len), 0);
    assert_int_equal(mapf_sipp_soft(&s, &r, 0, NULL, 16, 100000, &path, &cap, &len), 1);
    assert_int_equal(len, want_len);
    assert_memory_equal(path, want, (len + 1) * sizeof *path);
    uint32_t n_way = mapf_resv_conflicts(&r, false, path, len, in_way, 4);
    assert_int_equal(n_way, want_in_way == F ? 0 : 1);
    if (want_in_way != F) {
        assert_int_equal(in_way[0], want_in_way);
        const uint8_t fixed[] = {0, 1};
        int rc = mapf_sipp_soft(&s, &r, 0, fixed, 16, 100000, &path, &cap, &len);
        assert_int_equal(rc, m > 0);
        if (m > 0)
            assert_int_equal(len, m + 3);
    }
    free(path);
    mapf_sipp_free(&s);
    mapf_resv_free(&r);
    world_free(&w);
}

static void test_soft_search_goes_through_the_fewest_others(void **state)
{
    (void)state;
    const uint32_t through[] = {0, 1, 2, 3, 4}, round[] = {0, 1, 5, 6, 3, 4};
    soft_case(0, through, 4, 1);
    soft_case(2, round, 5, F);
    soft_case(20, through, 4, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reservations_give_who_is_where_and_the_safe_intervals),
        cmocka_unit_test(test_reservations_keep_several_stays_in_time_order),
        cmocka_unit_test(test_sipp_waits_for_a_crossing_agent),
        cmocka_unit_test(test_sipp_avoids_swaps_and_strict_following),
        cmocka_unit_test(test_sipp_arrives_only_when_the_goal_stays_free),
        cmocka_unit_test(test_sipp_matches_brute_force_on_random_grids),
        cmocka_unit_test(test_soft_search_goes_through_the_fewest_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
