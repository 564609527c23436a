/* model_calendar.c -- shift calendars: from days, shifts and breaks to the
 * sorted on-shift intervals of one week, and the question "is it on shift
 * at time t, and until when?".
 *
 * A week is [0, 7 d) with 0 = Monday 00:00 and repeats forever. Shifts are
 * placed on each listed day; a shift whose end is not after its start runs
 * past midnight into the next day (Sunday's into Monday's, across the week
 * boundary). Overlapping shifts are joined. Breaks are times of day cut out
 * of the shifts on every day of the week, so a break in a night shift needs
 * no day of its own. All times are whole minutes, so the arithmetic on
 * doubles is exact. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

#define DAY_S 86400.0

typedef struct ivec {
    model_interval *v;
    size_t n, cap;
} ivec;

static bool ivec_add(ivec *a, double s, double e)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        model_interval *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return false;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = (model_interval){s, e};
    return true;
}

/* [s, e) with 0 <= s < W and s < e <= s + 1 d, wrapped into the week. */
static bool ivec_add_wrapped(ivec *a, double s, double e)
{
    if (e <= MODEL_WEEK_S)
        return ivec_add(a, s, e);
    return ivec_add(a, s, MODEL_WEEK_S) && ivec_add(a, 0, e - MODEL_WEEK_S);
}

static int cmp_interval(const void *a, const void *b)
{
    const model_interval *x = a, *y = b;
    if (x->start_s != y->start_s)
        return x->start_s < y->start_s ? -1 : 1;
    return (x->end_s > y->end_s) - (x->end_s < y->end_s);
}

/* Sort and join overlapping or touching intervals. */
static void ivec_union(ivec *a)
{
    if (!a->n)
        return;
    qsort(a->v, a->n, sizeof *a->v, cmp_interval);
    size_t o = 0;
    for (size_t i = 1; i < a->n; i++) {
        if (a->v[i].start_s <= a->v[o].end_s) {
            if (a->v[i].end_s > a->v[o].end_s)
                a->v[o].end_s = a->v[i].end_s;
        } else {
            a->v[++o] = a->v[i];
        }
    }
    a->n = o + 1;
}

/* on \ off, both sorted and disjoint; the result goes to out. */
static bool ivec_subtract(const ivec *on, const ivec *off, ivec *out)
{
    size_t j = 0;
    for (size_t i = 0; i < on->n; i++) {
        double s = on->v[i].start_s, e = on->v[i].end_s;
        while (j < off->n && off->v[j].end_s <= s)
            j++;
        for (size_t k = j; k < off->n && off->v[k].start_s < e; k++) {
            if (off->v[k].start_s > s && !ivec_add(out, s, off->v[k].start_s))
                return false;
            if (off->v[k].end_s > s)
                s = off->v[k].end_s;
        }
        if (s < e && !ivec_add(out, s, e))
            return false;
    }
    return true;
}

/* Does [s, e) meet any interval of the sorted, disjoint a? */
static bool ivec_meets(const ivec *a, double s, double e)
{
    size_t lo = 0, hi = a->n;
    while (lo < hi) { /* first interval ending after s */
        size_t mid = lo + (hi - lo) / 2;
        if (a->v[mid].end_s <= s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < a->n && a->v[lo].start_s < e;
}

/* ---- reading ------------------------------------------------------------ */

static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static int read_days(mctx *c, const ynode *list, const char *what, bool day[7])
{
    if (mc_list(c, list, what, "days", false))
        return -1;
    if (list->n == 0)
        return mc_fail(c, list, "no days in %s: list the days its shifts start on, like "
                                "[mon, tue, wed, thu, fri]",
                       what);
    for (size_t i = 0; i < list->n; i++) {
        const ynode *d = list->kids[i];
        char q[96];
        if (mc_scalar(c, d, what, "days"))
            return -1;
        int k = -1;
        const char *near = NULL;
        for (int j = 0; j < 7; j++) {
            if (strcmp(d->text, day_names[j]) == 0)
                k = j;
            else if (mu_distance(d->text, day_names[j], 1) <= 1 && !near)
                near = day_names[j];
        }
        if (k < 0 && near)
            return mc_fail(c, d, "unknown day %s in %s; did you mean '%s'?",
                           mu_quote(d->text, q, sizeof q), what, near);
        if (k < 0)
            return mc_fail(c, d, "unknown day %s in %s; expected mon, tue, wed, thu, fri, sat "
                                 "or sun",
                           mu_quote(d->text, q, sizeof q), what);
        if (day[k])
            return mc_fail(c, d, "day '%s' is listed twice in %s", day_names[k], what);
        day[k] = true;
    }
    return 0;
}

/* One {from, to} of shifts or breaks: seconds after midnight, to > from
 * (to has 1 d added when the period runs past midnight). */
static int read_period(mctx *c, const ynode *n, const char *what, double *from, double *to)
{
    static const char *const keys[] = {"from", "to", NULL};
    const ynode *f, *t;
    mu_err e;
    if (mc_fields(c, n, what, keys) || mc_need(c, n, what, "from", &f) ||
        mc_scalar(c, f, what, "from") || mc_need(c, n, what, "to", &t) ||
        mc_scalar(c, t, what, "to"))
        return -1;
    if (!mu_time_of_day(f->text, false, from, &e))
        return mc_fail_in(c, f, e.at, "%s ('from' of %s)", e.msg, what);
    if (!mu_time_of_day(t->text, true, to, &e))
        return mc_fail_in(c, t, e.at, "%s ('to' of %s)", e.msg, what);
    if (*to == *from)
        return mc_fail(c, t, "%s starts and ends at %s: it is empty (for a whole day write "
                             "from: \"00:00\", to: \"24:00\")",
                       what, f->text);
    if (*to < *from)
        *to += DAY_S; /* past midnight */
    return 0;
}

static int read_calendar(mctx *c, const ynode *key, const ynode *n, model_calendar *cal)
{
    static const char *const keys[] = {"days", "shifts", "breaks", NULL};
    char what[400];
    mc_label(what, sizeof what, "calendar", cal->name);
    bool day[7] = {false};
    const ynode *days, *shifts, *breaks = NULL;
    ivec on = {0}, off = {0}, cut = {0};
    int rc = -1;
    if (mc_fields(c, n, what, keys) || mc_need(c, n, what, "days", &days) ||
        read_days(c, days, what, day) || mc_need(c, n, what, "shifts", &shifts) ||
        mc_list(c, shifts, what, "shifts", false))
        goto out;
    if (shifts->n == 0) {
        mc_fail(c, shifts, "no shifts in %s", what);
        goto out;
    }
    for (size_t i = 0; i < shifts->n; i++) {
        char sw[460];
        double from, to;
        snprintf(sw, sizeof sw, "shift #%zu of %s", i + 1, what);
        if (read_period(c, shifts->kids[i], sw, &from, &to))
            goto out;
        for (int d = 0; d < 7; d++)
            if (day[d] && !ivec_add_wrapped(&on, d * DAY_S + from, d * DAY_S + to))
                goto oom;
    }
    ivec_union(&on);
    if ((breaks = mc_get(n, "breaks")) && mc_list(c, breaks, what, "breaks", true))
        goto out;
    size_t n_breaks = breaks && breaks->kind == YNODE_SEQ ? breaks->n : 0;
    for (size_t i = 0; i < n_breaks; i++) {
        char bw[460];
        double from, to;
        snprintf(bw, sizeof bw, "break #%zu of %s", i + 1, what);
        if (read_period(c, breaks->kids[i], bw, &from, &to))
            goto out;
        bool meets = false;
        for (int d = 0; d < 7; d++) {
            double s = d * DAY_S + from, e = d * DAY_S + to;
            meets = meets || ivec_meets(&on, s, e < MODEL_WEEK_S ? e : MODEL_WEEK_S) ||
                    (e > MODEL_WEEK_S && ivec_meets(&on, 0, e - MODEL_WEEK_S));
            if (!ivec_add_wrapped(&off, s, e))
                goto oom;
        }
        if (!meets) {
            mc_fail(c, breaks->kids[i], "%s falls in no shift: it takes no time off", bw);
            goto out;
        }
    }
    ivec_union(&off);
    if (!ivec_subtract(&on, &off, &cut))
        goto oom;
    if (cut.n == 0) {
        mc_fail(c, key, "%s is never on shift: its breaks cover all its shifts", what);
        goto out;
    }
    cal->on = cut.v;
    cal->n_on = cut.n;
    cut.v = NULL;
    rc = 0;
    goto out;
oom:
    mc_oom(c);
out:
    free(on.v);
    free(off.v);
    free(cut.v);
    return rc;
}

int model_read_calendars(mctx *c, const ynode *map)
{
    model_desc *m = c->m;
    if (ynode_is_null(map))
        return 0;
    if (mc_free_keys(c, map, "'calendars'"))
        return -1;
    size_t n = map->n;
    if (!n)
        return 0;
    if (!(m->calendars = calloc(n, sizeof *m->calendars)))
        return mc_oom(c);
    m->n_calendars = n;
    const char **names = malloc(n * sizeof *names);
    model_pos *pos = malloc(n * sizeof *pos);
    int rc = names && pos ? 0 : mc_oom(c);
    for (size_t i = 0; !rc && i < n; i++) {
        const ynode *k = map->kids[2 * i];
        model_calendar *cal = &m->calendars[i];
        cal->pos = (model_pos){k->line, k->col};
        if ((rc = mc_name(c, k, "'calendars'", "calendar name", &cal->name)))
            break;
        names[i] = cal->name;
        pos[i] = cal->pos;
        rc = read_calendar(c, k, map->kids[2 * i + 1], cal);
    }
    if (!rc)
        rc = mc_names(c, &c->calendars, "calendar", names, pos, n);
    free(names);
    free(pos);
    return rc;
}

/* ---- the question ------------------------------------------------------- */

bool model_calendar_on(const model_calendar *c, double t_s, double *next_change_s)
{
    double next = INFINITY;
    bool on = false;
    const double W = MODEL_WEEK_S;
    if (!c || c->n_on == 0 || !isfinite(t_s))
        goto out;
    const model_interval *v = c->on;
    size_t n = c->n_on;
    if (n == 1 && v[0].start_s <= 0 && v[0].end_s >= W) {
        on = true; /* always on */
        goto out;
    }
    double base = floor(t_s / W) * W, r = t_s - base;
    if (r < 0) { /* rounding at huge t */
        base -= W;
        r += W;
    } else if (r >= W) {
        base += W;
        r -= W;
    }
    if (!(r >= 0 && r < W)) { /* t beyond 2^53 s: no week phase is left to tell */
        base = t_s;
        r = 0;
    }
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first interval ending after r */
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].end_s <= r)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && v[lo].start_s <= r) {
        on = true;
        double end = v[lo].end_s;
        if (end >= W && v[0].start_s <= 0) /* the shift goes on into next week */
            end = W + v[0].end_s;
        next = base + end;
    } else {
        next = base + (lo < n ? v[lo].start_s : W + v[0].start_s);
    }
out:
    if (next_change_s)
        *next_change_s = next;
    return on;
}
