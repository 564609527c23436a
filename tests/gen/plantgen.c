/* plantgen.c -- a random plant from a seed, using every feature of the
 * model language (docs/model-language.md), valid by construction.
 *
 * The plant is built as plain data in passes, one function per feature --
 * lines of process stations, assembly, split, inspection and rework, order
 * release (interarrival, always, inline orders, a CSV order list), AGVs on
 * a graph layout or a grid map (pick-up and drop-off points, parking,
 * chargers, shipping, batteries), conveyors of both kinds, buffers, setups,
 * failures on both clocks, maintenance, shift calendars -- each pass
 * keeping the loader's rules (a kit fits its buffer, a rework loop is not
 * all capacity 0, an always-available source has a finite buffer, every
 * AGV trip has its drop-off, no conveyor on an AGV move, no dead end in
 * the layout), then written out as YAML. A new feature of the model
 * language is one more gen_* pass here.
 *
 * Random numbers: splitmix64, independent of the engine's streams, so a
 * seed names the same plant whatever the engine does. Sizes are small
 * (<= ~20 stations, <= 4 vehicles) so thousands of plants run in minutes. */
#include "plantgen.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_PI 3.14159265358979323846

enum { MAX_ST = 32, MAX_PR = 12, MAX_STEPS = 12, MAX_SRC = 16, MAX_NODES = 128, MAX_CONV = 16 };
enum { K_PROCESS, K_ASSEMBLY, K_SPLIT, K_INSPECTION };
enum { BUF_NONE = -2, BUF_INF = -1 };
enum { SRC_INTERARRIVAL, SRC_ALWAYS, SRC_ORDERS_INLINE, SRC_ORDERS_CSV };
#define SINK (-1)

typedef struct sb {
    char *s;
    size_t len, cap;
} sb;

typedef struct pg_step {
    int st;
    double mean_s; /* 0: no time (an assembly's part, a split's piece) */
} pg_step;

typedef struct pg_product {
    char name[32];
    pg_step steps[MAX_STEPS];
    int n_steps;
    bool released;  /* by a source; else made by an assembly or split */
    bool part;      /* ends at an assembly */
    bool split_end; /* ends at a split with `produces` */
    bool metric;    /* unit m */
} pg_product;

typedef struct pg_station {
    char name[32];
    int kind, servers;
    long buffer;       /* BUF_NONE, BUF_INF or a capacity */
    long min_cap;      /* the buffer must hold at least this (assembly kit, rework loop) */
    bool need_finite;  /* an always-available source feeds it */
    int produces;      /* assembly, split: a product or -1 */
    int bom_p[3], bom_n[3], n_bom;
    int split_count;
    double scrap, rework;
    int rework_to;
    int calendar;      /* 1 + its index, 0: none */
    int pick, drop, out; /* layout nodes or -1 */
    sb extra;          /* setup, failures, maintenance, calendar lines */
} pg_station;

typedef struct pg_source {
    int kind, product, product2; /* product2: an orders source's second product, or -1 */
    int pick;
    long out;          /* -1: inf */
} pg_source;

typedef struct pg_node {
    char name[32];
    double x, y;
} pg_node;

typedef struct pg {
    uint64_t rng;
    unsigned features;
    double length_s;
    pg_station st[MAX_ST];
    int n_st;
    pg_product pr[MAX_PR];
    int n_pr;
    pg_source src[MAX_SRC];
    int n_src;
    int conv_from[MAX_CONV], conv_to[MAX_CONV];
    int n_conv;
    /* layout */
    bool agv, grid;
    int grid_w, grid_h;
    char grid_cell[16][16];
    pg_node node[MAX_NODES];
    int n_nodes;
    bool node_used[MAX_NODES];
    int shipping;
    int parking[4], n_parking, charger[3], n_charger;
    bool battery;
    sb yaml, csv, map;
} pg;

/* ---- small things ------------------------------------------------------- */

static void sb_printf(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s)
            abort(); /* a test tool: out of memory ends it */
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static uint64_t rnd(pg *g)
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unif(pg *g)
{
    return (double)(rnd(g) >> 11) * 0x1p-53;
}

static int irange(pg *g, int lo, int hi)
{
    return lo + (int)(unif(g) * (hi - lo + 1));
}

static bool chance(pg *g, double p)
{
    return unif(g) < p;
}

/* A duration in a random unit (s, min, h; ms for short ones). */
static void dur(pg *g, double s, char *out, size_t n)
{
    int u = irange(g, 0, 3);
    if (u == 0 && s < 60)
        snprintf(out, n, "%.0fms", s * 1000);
    else if (u == 1 || s < 60)
        snprintf(out, n, "%.3fs", s);
    else if (u == 2 || s < 3600)
        snprintf(out, n, "%.5fmin", s / 60);
    else
        snprintf(out, n, "%.6fh", s / 3600);
}

/* A distribution with mean about mean_s, of a random family. */
static void dist(pg *g, double mean_s, char *out, size_t n)
{
    char a[32], b[32], c[32];
    switch (irange(g, 0, 10)) {
    case 0: dur(g, mean_s, out, n); break;
    case 1: snprintf(out, n, "%.6f/min", 60 / mean_s); break;
    case 2:
        dur(g, 0.5 * mean_s, a, sizeof a), dur(g, 1.5 * mean_s, b, sizeof b);
        snprintf(out, n, "uniform(%s, %s)", a, b);
        break;
    case 3:
        dur(g, 0.6 * mean_s, a, sizeof a), dur(g, mean_s, b, sizeof b);
        dur(g, 1.4 * mean_s, c, sizeof c);
        snprintf(out, n, "tri(%s, %s, %s)", a, b, c);
        break;
    case 4: dur(g, mean_s, a, sizeof a), snprintf(out, n, "exp(%s)", a); break;
    case 5:
        dur(g, mean_s, a, sizeof a), dur(g, 0.2 * mean_s, b, sizeof b);
        snprintf(out, n, "normal(%s, %s)", a, b);
        break;
    case 6: dur(g, mean_s, a, sizeof a), snprintf(out, n, "lognormal(%s, 0.3)", a); break;
    case 7: dur(g, mean_s / 2, a, sizeof a), snprintf(out, n, "gamma(2, %s)", a); break;
    case 8: dur(g, mean_s / 0.9027, a, sizeof a), snprintf(out, n, "weibull(1.5, %s)", a); break;
    case 9:
        dur(g, mean_s, a, sizeof a);
        snprintf(out, n, "erlang(%d, %s)", irange(g, 1, 5), a);
        break;
    default:
        dur(g, 0.5 * mean_s, a, sizeof a), dur(g, 1.5 * mean_s, b, sizeof b);
        snprintf(out, n, "\"empirical(%s: 1, %s: 1)\"", a, b);
        break;
    }
}

static int new_station(pg *g, int kind, const char *prefix)
{
    pg_station *s = &g->st[g->n_st];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s%d", prefix, g->n_st);
    s->kind = kind;
    s->servers = chance(g, 0.3) ? irange(g, 2, 3) : 1;
    s->produces = s->rework_to = -1;
    s->pick = s->drop = -1;
    s->buffer = BUF_NONE;
    return g->n_st++;
}

static int new_product(pg *g, const char *prefix, bool released)
{
    pg_product *p = &g->pr[g->n_pr];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s%d", prefix, g->n_pr);
    p->released = released;
    return g->n_pr++;
}

static void add_step(pg *g, int p, int st, double mean_s)
{
    pg_product *pr = &g->pr[p];
    pr->steps[pr->n_steps++] = (pg_step){st, mean_s};
}

static bool visits(const pg_product *p, int st)
{
    for (int k = 0; k < p->n_steps; k++)
        if (p->steps[k].st == st)
            return true;
    return false;
}

/* Ends at the sink: not a part, not turned into pieces. */
static bool to_sink(const pg_product *p)
{
    return !p->part && !p->split_end;
}

static double step_mean(pg *g)
{
    return irange(g, 10, 60);
}

/* ---- the passes: one per feature --------------------------------------- */

/* Lines: 1-3 products released by sources, each through 1-4 process
 * stations, some shared (setups then matter). */
static void gen_lines(pg *g)
{
    int n = irange(g, 1, 3);
    for (int i = 0; i < n; i++) {
        int p = new_product(g, chance(g, 0.2) ? "零件" : "P", true);
        g->pr[p].metric = chance(g, 0.2);
        int steps = irange(g, 1, 4);
        for (int k = 0; k < steps; k++) {
            int st = -1;
            if (g->n_st > 0 && chance(g, 0.25)) {
                st = irange(g, 0, g->n_st - 1);
                if (g->st[st].kind != K_PROCESS || visits(&g->pr[p], st))
                    st = -1;
            }
            if (st < 0)
                st = new_station(g, K_PROCESS, chance(g, 0.1) ? "工位" : "S");
            add_step(g, p, st, step_mean(g));
        }
    }
}

/* Assembly: some lines (and maybe a bought-in part) end at an assembly
 * station whose product goes on through 1-2 stations. */
static void gen_assembly(pg *g)
{
    if (!chance(g, 0.5))
        return;
    int a = new_station(g, K_ASSEMBLY, "A");
    pg_station *as = &g->st[a];
    int q = new_product(g, "Q", false);
    as->produces = q;
    for (int p = 0; p < g->n_pr && as->n_bom < 2; p++)
        if (g->pr[p].released && to_sink(&g->pr[p]) && !g->pr[p].metric && chance(g, 0.7)) {
            as->bom_p[as->n_bom] = p;
            as->bom_n[as->n_bom++] = irange(g, 1, 2);
        }
    if (as->n_bom == 0 || chance(g, 0.4)) {
        int b = new_product(g, "buy", true);
        add_step(g, b, a, 0);
        as->bom_p[as->n_bom] = b;
        as->bom_n[as->n_bom++] = irange(g, 1, 2);
        g->pr[b].part = true;
    }
    for (int i = 0; i < as->n_bom; i++) {
        pg_product *p = &g->pr[as->bom_p[i]];
        if (!p->part) {
            add_step(g, as->bom_p[i], a, 0);
            p->part = true;
        }
        as->min_cap += as->bom_n[i];
    }
    add_step(g, q, a, step_mean(g));
    for (int k = irange(g, 1, 2); k > 0; k--)
        add_step(g, q, new_station(g, K_PROCESS, "S"), step_mean(g));
    g->features |= PG_ASSEMBLY;
}

/* Split: a line ends at a split into pieces of another product, or is
 * split into pieces of itself in the middle of its routing. */
static void gen_split(pg *g)
{
    if (!chance(g, 0.5))
        return;
    int r = -1;
    for (int p = 0; p < g->n_pr; p++)
        if (g->pr[p].released && to_sink(&g->pr[p]) && g->pr[p].n_steps < MAX_STEPS - 4)
            r = p;
    if (r < 0)
        return;
    int x = new_station(g, K_SPLIT, "X");
    g->st[x].split_count = irange(g, 2, 4);
    pg_product *rp = &g->pr[r];
    if (chance(g, 0.5)) {
        add_step(g, r, x, step_mean(g));
        rp->split_end = true;
        int piece = new_product(g, "piece", false);
        g->pr[piece].metric = rp->metric;
        g->st[x].produces = piece;
        add_step(g, piece, x, 0);
        for (int k = irange(g, 1, 2); k > 0; k--)
            add_step(g, piece, new_station(g, K_PROCESS, "S"), step_mean(g));
    } else {
        int at = irange(g, 0, rp->n_steps);
        memmove(&rp->steps[at + 1], &rp->steps[at], (size_t)(rp->n_steps - at) * sizeof *rp->steps);
        rp->steps[at] = (pg_step){x, step_mean(g)};
        rp->n_steps++;
    }
    g->features |= PG_SPLIT;
}

/* Inspection: scrap, and rework back to an earlier process step of the
 * same product with no assembly or split in between. */
static void gen_inspection(pg *g)
{
    if (!chance(g, 0.6))
        return;
    int t = -1;
    for (int p = 0; p < g->n_pr; p++)
        if (to_sink(&g->pr[p]) && g->pr[p].n_steps < MAX_STEPS - 1 && chance(g, 0.6))
            t = p;
    if (t < 0)
        return;
    pg_product *tp = &g->pr[t];
    int at = tp->n_steps - (tp->n_steps > 1 && chance(g, 0.4)); /* insert before step `at` */
    int i = new_station(g, K_INSPECTION, "I");
    pg_station *is = &g->st[i];
    is->scrap = irange(g, 0, 10) / 100.0;
    /* the latest process step before `at` with nothing but process
     * stations from it on */
    int back = -1;
    for (int k = at - 1; k >= 0 && g->st[tp->steps[k].st].kind == K_PROCESS; k--)
        if (chance(g, 0.6) || back < 0)
            back = k;
    if (back >= 0 && chance(g, 0.7)) {
        is->rework = irange(g, 5, 25) / 100.0;
        is->rework_to = tp->steps[back].st;
        if (g->st[is->rework_to].min_cap < 1)
            g->st[is->rework_to].min_cap = 1; /* a rework loop not all capacity 0 */
        g->features |= PG_REWORK;
    }
    memmove(&tp->steps[at + 1], &tp->steps[at], (size_t)(tp->n_steps - at) * sizeof *tp->steps);
    tp->steps[at] = (pg_step){i, step_mean(g)};
    tp->n_steps++;
    g->features |= PG_INSPECTION;
}

/* Sources: each released product gets one of the four kinds. */
static void gen_sources(pg *g)
{
    for (int p = 0; p < g->n_pr; p++) {
        if (!g->pr[p].released)
            continue;
        pg_source *s = &g->src[g->n_src++];
        double u = unif(g);
        s->kind = u < 0.4 ? SRC_INTERARRIVAL : u < 0.6 ? SRC_ALWAYS
                  : u < 0.8 ? SRC_ORDERS_INLINE : SRC_ORDERS_CSV;
        if (s->kind == SRC_ORDERS_CSV && (g->features & PG_ORDERS_CSV))
            s->kind = SRC_ORDERS_INLINE; /* one order list per plant: orders.csv */
        s->product = p;
        s->product2 = -1;
        s->pick = -1;
        s->out = -1;
        if (s->kind >= SRC_ORDERS_INLINE && chance(g, 0.3)) {
            int q = irange(g, 0, g->n_pr - 1);
            if (q != p && g->pr[q].released)
                s->product2 = q;
        }
        if (s->kind == SRC_ALWAYS)
            g->st[g->pr[p].steps[0].st].need_finite = true; /* unless it gets a pick, below */
        static const unsigned bit[] = {PG_INTERARRIVAL, PG_ALWAYS, PG_ORDERS_INLINE,
                                       PG_ORDERS_CSV};
        g->features |= bit[s->kind];
    }
}

/* ---- AGVs ---------------------------------------------------------------- */

static int new_node(pg *g, double x, double y)
{
    if (g->n_nodes == MAX_NODES)
        abort(); /* a bug in the sizes above: a 10 x 10 grid or ~90 ring nodes at most */
    pg_node *n = &g->node[g->n_nodes];
    snprintf(n->name, sizeof n->name, "N%d", g->n_nodes);
    n->x = x;
    n->y = y;
    return g->n_nodes++;
}

/* A free stop node for a pick-up, drop-off, parking place, ... */
static int take_node(pg *g)
{
    for (int tries = 0; tries < 1000; tries++) {
        int k = irange(g, 0, g->n_nodes - 1);
        if (!g->node_used[k]) {
            g->node_used[k] = true;
            return k;
        }
    }
    for (int k = 0; k < g->n_nodes; k++)
        if (!g->node_used[k]) {
            g->node_used[k] = true;
            return k;
        }
    return 0; /* cannot happen: there are more nodes than stops */
}

/* A ring of nodes, one way or both, with a few chords across. */
static void gen_layout_graph(pg *g, int stops)
{
    int n = stops + irange(g, 2, 5);
    if (n < 4)
        n = 4;
    double side = irange(g, 4, 8), r = n * side / (2 * PG_PI);
    for (int k = 0; k < n; k++)
        new_node(g, r * cos(2 * PG_PI * k / n), r * sin(2 * PG_PI * k / n));
}

/* A grid map: a rectangle, maybe with a block of obstacles inside that
 * leaves a corridor two cells wide (no dead ends: every edge lies on a
 * 2 x 2 square). */
static void gen_layout_grid(pg *g, int stops)
{
    int w, h;
    do {
        w = irange(g, 4, 10);
        h = irange(g, 4, 10);
    } while (w * h < stops + 4);
    bool block = w >= 6 && h >= 6 && w * h - (w - 4) * (h - 4) >= stops + 4 && chance(g, 0.6);
    g->grid_w = w;
    g->grid_h = h;
    static const char open[] = ".GS", wall[] = "@OTW";
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            bool inner = block && x >= 2 && x < w - 2 && y >= 2 && y < h - 2;
            g->grid_cell[y][x] = inner ? wall[irange(g, 0, 3)] : open[irange(g, 0, 2)];
            if (!inner) {
                int k = new_node(g, x, y);
                snprintf(g->node[k].name, sizeof g->node[k].name, "%d,%d", x, y);
            }
        }
    g->features |= PG_AGV_GRID;
}

/* Every move out of station a: to the next step, the sink, or back for
 * rework. Calls need(g, to) for each destination (SINK for the sink). */
static void moves_from(pg *g, int a, void (*need)(pg *, int))
{
    for (int p = 0; p < g->n_pr; p++) {
        const pg_product *pr = &g->pr[p];
        for (int k = 0; k < pr->n_steps; k++) {
            if (pr->steps[k].st != a)
                continue;
            if (k + 1 < pr->n_steps)
                need(g, pr->steps[k + 1].st);
            else if (to_sink(pr))
                need(g, SINK);
        }
    }
    if (g->st[a].kind == K_INSPECTION && g->st[a].rework_to >= 0)
        need(g, g->st[a].rework_to);
}

static void need_drop(pg *g, int to)
{
    if (to == SINK)
        g->shipping = g->shipping >= 0 ? g->shipping : -2; /* a node is given below */
    else if (g->st[to].drop == -1)
        g->st[to].drop = -2;
}

/* Stations and sources with pick-up points, their destinations' drop-off
 * points, parking, chargers, shipping; then the nodes for all of them. */
static void gen_agv(pg *g)
{
    if (!chance(g, 0.45))
        return;
    g->agv = true;
    g->grid = chance(g, 0.4);
    for (int s = 0; s < g->n_st; s++)
        if (chance(g, 0.45)) {
            g->st[s].pick = -2;
            moves_from(g, s, need_drop);
        }
    for (int i = 0; i < g->n_src; i++) {
        pg_source *s = &g->src[i];
        if (!chance(g, 0.4))
            continue;
        s->pick = -2;
        need_drop(g, g->pr[s->product].steps[0].st);
        if (s->product2 >= 0)
            need_drop(g, g->pr[s->product2].steps[0].st);
        if (s->kind == SRC_ALWAYS)
            s->out = irange(g, 1, 3);
        else if (chance(g, 0.5))
            s->out = irange(g, 1, 5);
    }
    g->battery = chance(g, 0.5);
    g->n_parking = irange(g, 0, 2);
    g->n_charger = g->battery ? irange(g, 1, 2) : 0;
    int stops = g->n_parking + g->n_charger + (g->shipping == -2) + g->n_src;
    for (int s = 0; s < g->n_st; s++)
        stops += (g->st[s].pick == -2) + (g->st[s].drop == -2);
    if (g->grid)
        gen_layout_grid(g, stops);
    else
        gen_layout_graph(g, stops);
    for (int s = 0; s < g->n_st; s++) {
        pg_station *st = &g->st[s];
        if (st->pick == -2)
            st->pick = take_node(g);
        if (st->drop == -2)
            st->drop = st->pick >= 0 && chance(g, 0.5) ? st->pick : take_node(g);
        if (st->pick >= 0 && chance(g, 0.5))
            st->out = irange(g, 1, 3);
    }
    for (int i = 0; i < g->n_src; i++)
        if (g->src[i].pick == -2)
            g->src[i].pick = take_node(g);
    if (g->shipping == -2)
        g->shipping = take_node(g);
    for (int k = 0; k < g->n_parking; k++)
        g->parking[k] = take_node(g);
    for (int k = 0; k < g->n_charger; k++)
        g->charger[k] = take_node(g);
    /* an always-available source with a finite pick-up needs no finite buffer */
    for (int s = 0; s < g->n_st; s++)
        g->st[s].need_finite = false;
    for (int i = 0; i < g->n_src; i++)
        if (g->src[i].kind == SRC_ALWAYS && g->src[i].pick < 0)
            g->st[g->pr[g->src[i].product].steps[0].st].need_finite = true;
    if (g->battery)
        g->features |= PG_BATTERY;
    if (!g->grid)
        g->features |= PG_AGV_GRAPH;
}

/* ---- conveyors, buffers, and what stops a station --------------------------- */

static void gen_conveyors(pg *g)
{
    for (int p = 0; p < g->n_pr; p++) {
        const pg_product *pr = &g->pr[p];
        for (int k = 0; k + 1 < pr->n_steps && g->n_conv < MAX_CONV; k++) {
            int a = pr->steps[k].st, b = pr->steps[k + 1].st;
            if (a == b || g->st[a].pick >= 0 || !chance(g, 0.25))
                continue;
            bool dup = false;
            for (int c = 0; c < g->n_conv; c++)
                dup |= g->conv_from[c] == a && g->conv_to[c] == b;
            if (dup)
                continue;
            g->conv_from[g->n_conv] = a;
            g->conv_to[g->n_conv++] = b;
        }
    }
}

static void gen_buffers(pg *g)
{
    for (int s = 0; s < g->n_st; s++) {
        pg_station *st = &g->st[s];
        double u = unif(g);
        st->buffer = u < 0.3 ? BUF_NONE : u < 0.4 ? BUF_INF : irange(g, 0, 4);
        /* capacity 0 at an AGV drop-off is an error: no place could be reserved */
        if (st->buffer == 0 && st->drop >= 0)
            st->buffer = 1;
        if (st->buffer >= 0 && st->buffer < st->min_cap)
            st->buffer = st->min_cap + irange(g, 0, 2);
        if (st->need_finite && st->buffer < 0)
            st->buffer = (st->min_cap > 1 ? st->min_cap : 1) + irange(g, 0, 2);
        if (st->buffer == 0)
            g->features |= PG_BUFFER_ZERO;
    }
}

static void gen_setups(pg *g)
{
    for (int s = 0; s < g->n_st; s++) {
        int visitors = 0;
        for (int p = 0; p < g->n_pr; p++)
            visitors += visits(&g->pr[p], s);
        if (g->st[s].kind == K_ASSEMBLY || !chance(g, visitors > 1 ? 0.6 : 0.1))
            continue;
        char d[96];
        dist(g, irange(g, 5, 120), d, sizeof d);
        sb_printf(&g->st[s].extra, "    setup: %s\n", d);
        g->features |= PG_SETUP;
    }
}

static void gen_failures(pg *g)
{
    for (int s = 0; s < g->n_st; s++) {
        if (!chance(g, 0.3))
            continue;
        sb *e = &g->st[s].extra;
        sb_printf(e, "    failures:\n");
        for (int k = irange(g, 1, 2); k > 0; k--) {
            char up[96], down[96];
            dist(g, irange(g, 1, 10) * 3600.0, up, sizeof up);
            dist(g, irange(g, 2, 30) * 60.0, down, sizeof down);
            int clock = irange(g, 0, 2); /* operating, calendar, or the default (operating) */
            sb_printf(e, "      - name: f%d\n        mtbf: %s\n        mttr: %s\n%s", k, up, down,
                      clock == 0 ? "        clock: operating\n"
                      : clock == 1 ? "        clock: calendar\n" : "");
            g->features |= clock == 1 ? PG_FAIL_CALENDAR : PG_FAIL_OPERATING;
        }
    }
}

static void gen_maintenance(pg *g)
{
    for (int s = 0; s < g->n_st; s++) {
        if (!chance(g, 0.15))
            continue;
        char every[32], length[32], first[32];
        double every_s = irange(g, 4, 48) * 3600.0;
        dur(g, every_s, every, sizeof every);
        dur(g, irange(g, 10, 60) * 60.0, length, sizeof length);
        dur(g, unif(g) * every_s, first, sizeof first);
        bool has_first = chance(g, 0.7);
        sb_printf(&g->st[s].extra, "    maintenance: { every: %s, duration: %s%s%s }\n", every,
                  length, has_first ? ", first: " : "", has_first ? first : "");
        g->features |= PG_MAINTENANCE;
    }
}

/* Calendars: day shifts with a break, a night shift across midnight, or
 * whole days, on a few days of the week; given to a few stations. */
static void gen_calendars(pg *g)
{
    if (!chance(g, 0.35))
        return;
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    sb *y = &g->yaml;
    sb_printf(y, "calendars:\n");
    int n = irange(g, 1, 2);
    for (int c = 0; c < n; c++) {
        sb_printf(y, "  cal%d:\n    days: [mon", c);
        for (int d = 1; d < 7; d++)
            if (chance(g, 0.6))
                sb_printf(y, ", %s", days[d]);
        switch (irange(g, 0, 2)) {
        case 0:
            sb_printf(y, "]\n    shifts: [ { from: \"06:00\", to: \"14:00\" }, "
                         "{ from: \"14:00\", to: \"22:00\" } ]\n"
                         "    breaks: [ { from: \"10:00\", to: \"10:15\" } ]\n");
            break;
        case 1: sb_printf(y, "]\n    shifts: [ { from: \"22:00\", to: \"06:00\" } ]\n"); break;
        default: sb_printf(y, "]\n    shifts: [ { from: \"00:00\", to: \"24:00\" } ]\n"); break;
        }
        for (int k = irange(g, 1, 3); k > 0; k--)
            g->st[irange(g, 0, g->n_st - 1)].calendar = c + 1;
    }
    g->features |= PG_CALENDAR;
}

/* ---- writing it out ------------------------------------------------------------ */

static const char *node_name(const pg *g, int k)
{
    return g->node[k].name;
}

/* A node reference: by name, or on a grid map as [x, y] or "x,y". */
static void node_ref(pg *g, sb *b, int k)
{
    if (g->grid && chance(g, 0.5))
        sb_printf(b, "[%.0f, %.0f]", g->node[k].x, g->node[k].y);
    else
        sb_printf(b, "\"%s\"", node_name(g, k));
}

static void write_products(pg *g)
{
    sb *y = &g->yaml;
    sb_printf(y, "products:\n");
    for (int p = 0; p < g->n_pr; p++) {
        const pg_product *pr = &g->pr[p];
        sb_printf(y, "  - name: %s\n", pr->name);
        if (pr->metric)
            sb_printf(y, "    unit: m\n    quantity: %d m\n", irange(g, 10, 500));
        sb_printf(y, "    routing:\n");
        for (int k = 0; k < pr->n_steps; k++) {
            sb_printf(y, "      - station: %s\n", g->st[pr->steps[k].st].name);
            if (pr->steps[k].mean_s > 0) {
                char d[96];
                dist(g, pr->steps[k].mean_s, d, sizeof d);
                sb_printf(y, "        time: %s\n", d);
            }
        }
    }
}

static void write_order(pg *g, sb *b, int p, bool csv)
{
    char t[32];
    dur(g, unif(g) * g->length_s * 0.8, t, sizeof t);
    int count = irange(g, 1, 8);
    char q[32] = "";
    if (g->pr[p].metric && chance(g, 0.5))
        snprintf(q, sizeof q, "%d m", irange(g, 5, 100));
    if (csv)
        sb_printf(b, "%s,%s,%d%s%s\n", t, g->pr[p].name, count, *q ? "," : "", q);
    else
        sb_printf(b, "      - { time: %s, product: %s, count: %d%s%s }\n", t, g->pr[p].name,
                  count, *q ? ", quantity: " : "", q);
}

static void write_sources(pg *g)
{
    sb *y = &g->yaml;
    sb_printf(y, "sources:\n");
    for (int i = 0; i < g->n_src; i++) {
        const pg_source *s = &g->src[i];
        sb_printf(y, "  - name: src%d\n", i);
        char d[96], t[32];
        switch (s->kind) {
        case SRC_INTERARRIVAL:
        case SRC_ALWAYS:
            sb_printf(y, "    product: %s\n", g->pr[s->product].name);
            if (s->kind == SRC_ALWAYS) {
                sb_printf(y, "    always: true\n");
            } else {
                dist(g, irange(g, 60, 240), d, sizeof d);
                sb_printf(y, "    interarrival: %s\n", d);
            }
            if (chance(g, 0.3))
                sb_printf(y, "    limit: %d\n", irange(g, 3, 60));
            if (chance(g, 0.3)) {
                dur(g, irange(g, 0, 3600), t, sizeof t);
                sb_printf(y, "    start: %s\n", t);
            }
            if (g->pr[s->product].metric && chance(g, 0.5))
                sb_printf(y, "    quantity: %d m\n", irange(g, 5, 100));
            break;
        case SRC_ORDERS_INLINE:
            sb_printf(y, "    orders:\n");
            write_order(g, y, s->product, false); /* the first for its own product */
            for (int k = irange(g, 0, 5); k > 0; k--)
                write_order(g, y, s->product2 >= 0 && chance(g, 0.5) ? s->product2 : s->product,
                            false);
            break;
        case SRC_ORDERS_CSV:
            sb_printf(y, "    orders: orders.csv\n");
            if (g->csv.len == 0 && chance(g, 0.5))
                sb_printf(&g->csv, "time,product,count,quantity\n");
            write_order(g, &g->csv, s->product, true);
            for (int k = irange(g, 0, 5); k > 0; k--)
                write_order(g, &g->csv, s->product2 >= 0 && chance(g, 0.5) ? s->product2
                                                                           : s->product, true);
            break;
        }
        if (s->pick >= 0) {
            sb_printf(y, "    pick: ");
            node_ref(g, y, s->pick);
            if (s->out > 0)
                sb_printf(y, "\n    out: %ld\n", s->out);
            else
                sb_printf(y, chance(g, 0.5) ? "\n    out: inf\n" : "\n");
        }
    }
}

static void write_stations(pg *g)
{
    sb *y = &g->yaml;
    bool buffers = false;
    for (int s = 0; s < g->n_st; s++) {
        const pg_station *st = &g->st[s];
        if (st->buffer == BUF_NONE)
            continue;
        if (!buffers)
            sb_printf(y, "buffers:\n");
        buffers = true;
        if (st->buffer == BUF_INF)
            sb_printf(y, "  - { name: B-%s, capacity: inf, feeds: %s }\n", st->name, st->name);
        else
            sb_printf(y, "  - { name: B-%s, capacity: %ld, feeds: %s%s }\n", st->name,
                      st->buffer, st->name, chance(g, 0.2) ? ", discipline: fifo" : "");
    }
    sb_printf(y, "stations:\n");
    for (int s = 0; s < g->n_st; s++) {
        const pg_station *st = &g->st[s];
        sb_printf(y, "  - name: %s\n", st->name);
        if (st->servers > 1 || chance(g, 0.2))
            sb_printf(y, "    servers: %d\n", st->servers);
        if (chance(g, 0.2))
            sb_printf(y, "    at: [%dm, %.1fm]\n", irange(g, 1, 50), 1 + unif(g) * 20);
        if (st->extra.len)
            sb_printf(y, "%s", st->extra.s);
        if (st->calendar)
            sb_printf(y, "    calendar: cal%d\n", st->calendar - 1);
        switch (st->kind) {
        case K_ASSEMBLY:
            sb_printf(y, "    assembly:\n      produces: %s\n      parts: {",
                      g->pr[st->produces].name);
            for (int i = 0; i < st->n_bom; i++)
                sb_printf(y, "%s %s: %d", i ? "," : "", g->pr[st->bom_p[i]].name, st->bom_n[i]);
            sb_printf(y, " }\n");
            break;
        case K_SPLIT:
            sb_printf(y, "    split: { count: %d", st->split_count);
            if (st->produces >= 0)
                sb_printf(y, ", produces: %s", g->pr[st->produces].name);
            sb_printf(y, " }\n");
            break;
        case K_INSPECTION:
            sb_printf(y, "    inspection: { scrap: %g%%", st->scrap * 100);
            if (st->rework > 0)
                sb_printf(y, ", rework: %g, rework_to: %s", st->rework,
                          g->st[st->rework_to].name);
            sb_printf(y, " }\n");
            break;
        default: break;
        }
        if (st->pick >= 0) {
            sb_printf(y, "    pick: ");
            node_ref(g, y, st->pick);
            sb_printf(y, "\n");
            if (st->out > 0)
                sb_printf(y, "    out: %d\n", st->out);
        }
        if (st->drop >= 0) {
            sb_printf(y, "    drop: ");
            node_ref(g, y, st->drop);
            sb_printf(y, "\n");
        }
    }
}

static void write_conveyors(pg *g)
{
    if (g->n_conv == 0)
        return;
    sb_printf(&g->yaml, "conveyors:\n");
    for (int c = 0; c < g->n_conv; c++) {
        double len = irange(g, 3, 20), spacing = irange(g, 5, 30) / 10.0;
        if (spacing > len)
            spacing = len;
        bool acc = chance(g, 0.5);
        sb_printf(&g->yaml, "  - { name: C%d, from: %s, to: %s, length: %gm, speed: %g m/s, "
                  "spacing: %gm%s }\n", c, g->st[g->conv_from[c]].name, g->st[g->conv_to[c]].name,
                  len, irange(g, 2, 15) / 10.0, spacing,
                  acc ? (chance(g, 0.5) ? ", accumulating: true" : "") : ", accumulating: false");
        g->features |= acc ? PG_CONVEYOR_ACC : PG_CONVEYOR_NONACC;
    }
}

static void write_node_list(pg *g, const char *key, const int *k, int n)
{
    if (n == 0)
        return;
    sb_printf(&g->yaml, "  %s: [", key);
    for (int i = 0; i < n; i++) {
        sb_printf(&g->yaml, i ? ", " : "");
        node_ref(g, &g->yaml, k[i]);
    }
    sb_printf(&g->yaml, "]\n");
}

static void write_layout(pg *g)
{
    sb *y = &g->yaml;
    sb_printf(y, "layout:\n");
    if (g->grid) {
        sb_printf(y, "  following: 1m\n  map: grid.map\n");
        sb_printf(&g->map, "type octile\nheight %d\nwidth %d\nmap\n", g->grid_h, g->grid_w);
        for (int r = 0; r < g->grid_h; r++)
            sb_printf(&g->map, "%.*s\n", g->grid_w, g->grid_cell[r]);
    } else {
        int n = g->n_nodes;
        sb_printf(y, "  following: %gm\n  nodes:\n", irange(g, 8, 20) / 10.0);
        for (int k = 0; k < n; k++)
            sb_printf(y, "    - { name: %s, at: [%.3fm, %.3fm] }\n", node_name(g, k), g->node[k].x,
                      g->node[k].y);
        bool one_way = chance(g, 0.3);
        sb_printf(y, "  edges:\n");
        if (chance(g, 0.5)) {
            sb_printf(y, "    - { path: [");
            for (int k = 0; k <= n; k++)
                sb_printf(y, "%s%s", k ? ", " : "", node_name(g, k % n));
            sb_printf(y, "]%s }\n", one_way ? ", one_way: true" : "");
        } else {
            for (int k = 0; k < n; k++)
                sb_printf(y, "    - { from: %s, to: %s%s }\n", node_name(g, k),
                          node_name(g, (k + 1) % n), one_way ? ", one_way: true" : "");
        }
        /* chords between nodes two apart: each lies on a loop of three */
        for (int k = 0; k + 2 < n && k < 4; k += 2)
            if (chance(g, 0.3))
                sb_printf(y, "    - { from: %s, to: %s%s, length: %dm }\n", node_name(g, k),
                          node_name(g, k + 2), one_way ? ", one_way: true" : "",
                          irange(g, 5, 20));
    }
    write_node_list(g, "parking", g->parking, g->n_parking);
    write_node_list(g, "chargers", g->charger, g->n_charger);
    if (g->shipping >= 0) {
        sb_printf(y, "  shipping: ");
        node_ref(g, y, g->shipping);
        sb_printf(y, "\n");
    }
}

static void write_fleet(pg *g)
{
    sb *y = &g->yaml;
    char load[96], unload[96];
    dist(g, irange(g, 2, 20), load, sizeof load);
    dist(g, irange(g, 2, 20), unload, sizeof unload);
    sb_printf(y, "fleet:\n  vehicles: %d\n  speed: %g m/s\n  load: %s\n  unload: %s\n",
              irange(g, 1, 4), irange(g, 5, 20) / 10.0, load, unload);
    if (chance(g, 0.5))
        sb_printf(y, "  capacity: %d\n", irange(g, 1, 3));
    if (chance(g, 0.6))
        sb_printf(y, "  dispatch: %s\n", chance(g, 0.5) ? "optimal" : "nearest");
    if (g->battery)
        sb_printf(y, "  battery: { per_km: %d%%, per_hour: %d%%, full_charge: %dmin, "
                  "charge_below: %d%%, charge_to: %d%% }\n", irange(g, 1, 20), irange(g, 0, 20),
                  irange(g, 10, 120), irange(g, 10, 40), irange(g, 60, 100));
}

static int write_file(const char *dir, const char *name, const sb *b, char *path, size_t n)
{
    char buf[1024];
    if (!path) {
        path = buf;
        n = sizeof buf;
    }
    snprintf(path, n, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    bool ok = fwrite(b->s ? b->s : "", 1, b->len, f) == b->len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static void pg_free(pg *g)
{
    for (int s = 0; s < g->n_st; s++)
        free(g->st[s].extra.s);
    free(g->yaml.s);
    free(g->csv.s);
    free(g->map.s);
    free(g);
}

int plantgen_write(uint64_t seed, const char *dir, char *path, size_t n, unsigned *features)
{
    pg *g = calloc(1, sizeof *g);
    if (!g)
        return -1;
    g->rng = seed * 0x2545f4914f6cdd1dULL + 1;
    g->shipping = -1;
    g->length_s = irange(g, 6, 48) * 3600.0;

    gen_lines(g);
    gen_assembly(g);
    gen_split(g);
    gen_inspection(g);
    gen_sources(g);
    gen_agv(g);
    gen_conveyors(g);
    gen_buffers(g);
    gen_setups(g);
    gen_failures(g);
    gen_maintenance(g);

    sb *y = &g->yaml;
    char t[32];
    sb_printf(y, "# random plant %llu (tests/gen/plantgen.c)\nmodel: plant-%llu\nrun:\n"
              "  seed: %llu\n", (unsigned long long)seed, (unsigned long long)seed,
              (unsigned long long)(rnd(g) >> 1));
    if (chance(g, 0.5)) {
        dur(g, irange(g, 0, 7200), t, sizeof t);
        sb_printf(y, "  warmup: %s\n", t);
    }
    dur(g, g->length_s, t, sizeof t);
    sb_printf(y, "  length: %s\n", t);
    write_products(g);
    write_sources(g);
    gen_calendars(g); /* writes its section and adds to the stations' */
    write_stations(g);
    write_conveyors(g);
    if (g->agv) {
        write_layout(g);
        write_fleet(g);
    }
    int rc = write_file(dir, "model.yaml", &g->yaml, path, n);
    if (!rc && g->csv.len)
        rc = write_file(dir, "orders.csv", &g->csv, NULL, 0);
    if (!rc && g->map.len)
        rc = write_file(dir, "grid.map", &g->map, NULL, 0);
    if (features)
        *features = g->features;
    pg_free(g);
    return rc;
}

const char *plantgen_feature_name(int i)
{
    static const char *const names[PG_N_FEATURES] = {
        "assembly", "split", "inspection", "rework", "conveyor (accumulating)",
        "conveyor (non-accumulating)", "failure (operating clock)", "failure (calendar clock)",
        "maintenance", "setup", "calendar", "orders (inline)", "orders (CSV)", "always",
        "interarrival", "AGV graph layout", "AGV grid map", "battery", "buffer of capacity 0"};
    return i >= 0 && i < PG_N_FEATURES ? names[i] : "?";
}
