/* model_units.c -- the values of the model language, from text: numbers,
 * durations, rates, distributions, quantities, probabilities, lengths,
 * speeds, times of day, booleans.
 *
 * These parsers see plain strings and know nothing of YAML or files, so the
 * order-list reader and the command line use the same ones. On failure they
 * say what they found and what they expected, and at which byte of the text,
 * so the caller can point at the exact column. Numbers are decimal only
 * (strtod would also take hex, "nan" and "inf": the grammar is checked
 * before it is called). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

#define TIME_UNITS "(ms, s, min, h, d, w)"

static bool fail(mu_err *e, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool fail(mu_err *e, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->at = at;
    return false;
}

const char *mu_quote(const char *s, char *buf, size_t size)
{
    size_t o = 0, chars = 0;
    if (size < 8)
        return "'...'";
    buf[o++] = '\'';
    for (size_t i = 0; s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        bool lead = (c & 0xC0) != 0x80;
        if (lead && (++chars > 60 || o + 8 >= size)) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        buf[o++] = c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    buf[o++] = '\'';
    buf[o] = '\0';
    return buf;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* [b, e) of s without surrounding white space. */
static void trim(const char *s, size_t *b, size_t *e)
{
    while (*b < *e && is_space(s[*b]))
        (*b)++;
    while (*e > *b && is_space(s[*e - 1]))
        (*e)--;
}

/* ---- numbers ------------------------------------------------------------ */

/* Length of the decimal number at s (0 if none):
 * [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)? */
static size_t scan_number(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && isdigit((unsigned char)s[i]))
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && isdigit((unsigned char)s[i]))
            i++, digits++;
    }
    if (!digits)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < n && isdigit((unsigned char)s[j])) {
            while (j < n && isdigit((unsigned char)s[j]))
                j++;
            i = j;
        }
    }
    return i;
}

/* 0 ok, 1 not a number, 2 out of range. */
static int to_double(const char *s, size_t n, double *v)
{
    char buf[128];
    if (n == 0 || scan_number(s, n) != n)
        return 1;
    if (n >= sizeof buf)
        return 2;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    double x = strtod(buf, NULL);
    if (!isfinite(x) || (errno == ERANGE && fabs(x) > 1.0))
        return 2;
    *v = x;
    return 0;
}

bool mu_number(const char *s, size_t n, double *v)
{
    size_t b = 0, e = n;
    trim(s, &b, &e);
    return to_double(s + b, e - b, v) == 0;
}

bool mu_whole(const char *s, long min, long max, long *out, mu_err *e)
{
    char q[96];
    size_t b = 0, end = strlen(s);
    trim(s, &b, &end);
    size_t i = b;
    while (i < end && isdigit((unsigned char)s[i]))
        i++;
    if (i == b || i != end) {
        if (end > b && s[b] == '-' && end > b + 1)
            return fail(e, b, "expected a whole number >= %ld, got %s", min, mu_quote(s, q, sizeof q));
        return fail(e, b, "expected a whole number, got %s", mu_quote(s, q, sizeof q));
    }
    errno = 0;
    long v = strtol(s + b, NULL, 10);
    if (errno == ERANGE || v > max || v < min) {
        if (max == LONG_MAX)
            return fail(e, b, "expected a whole number >= %ld, got %s", min, mu_quote(s, q, sizeof q));
        return fail(e, b, "expected a whole number from %ld to %ld, got %s", min, max,
                    mu_quote(s, q, sizeof q));
    }
    *out = v;
    return true;
}

bool mu_seed(const char *s, uint64_t *out, mu_err *e)
{
    char q[96];
    size_t b = 0, end = strlen(s);
    trim(s, &b, &end);
    size_t i = b;
    while (i < end && isdigit((unsigned char)s[i]))
        i++;
    errno = 0;
    unsigned long long v = i == b || i != end ? 0 : strtoull(s + b, NULL, 10);
    if (i == b || i != end || errno == ERANGE || v > UINT64_MAX)
        return fail(e, b, "expected a seed: a whole number from 0 to 18446744073709551615, got %s",
                    mu_quote(s, q, sizeof q));
    *out = (uint64_t)v;
    return true;
}

/* ---- durations and rates ------------------------------------------------ */

static double time_unit(const char *u, size_t n)
{
    static const struct { const char *name; double s; } units[] = {
        {"ms", 0.001}, {"s", 1}, {"min", 60}, {"h", 3600}, {"d", 86400}, {"w", 604800}};
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
            return units[i].s;
    return 0;
}

typedef enum { DUR_PLAIN, DUR_RATE_OK } dur_mode;

/* A duration "<number> [ws] <unit>" (or, in DUR_RATE_OK, a rate
 * "<number> [ws] / [ws] <unit>") in s[b, e). `what` names it for messages
 * ("a duration" or "the min of uniform()"). Sign is not checked here. */
static bool duration_in(const char *s, size_t b, size_t e, dur_mode mode, const char *what,
                        double *sec, bool *is_rate, mu_err *err)
{
    char q[96], text[128];
    trim(s, &b, &e);
    size_t tn = e - b < sizeof text - 1 ? e - b : sizeof text - 1;
    memcpy(text, s + b, tn);
    text[tn] = '\0';
    mu_quote(text, q, sizeof q);
    size_t nlen = scan_number(s + b, e - b);
    double v;
    int rc = nlen ? to_double(s + b, nlen, &v) : 1;
    if (rc == 2)
        return fail(err, b, "number out of range in %s", q);
    if (rc == 1)
        return fail(err, b, "expected %s with a unit " TIME_UNITS ", got %s", what, q);
    size_t u = b + nlen;
    while (u < e && is_space(s[u]))
        u++;
    if (u == e)
        return fail(err, b, "expected %s with a unit " TIME_UNITS ", got %s", what, q);
    bool rate = s[u] == '/';
    if (rate) {
        if (mode != DUR_RATE_OK)
            return fail(err, b, "expected %s with a unit " TIME_UNITS ", got the rate %s; "
                                "a rate is accepted only as a whole value (interarrival: 30/h)",
                        what, q);
        u++;
        while (u < e && is_space(s[u]))
            u++;
    }
    double f = time_unit(s + u, e - u);
    if (f == 0) {
        char ub[96], unit[64];
        size_t un = e - u < sizeof unit - 1 ? e - u : sizeof unit - 1;
        memcpy(unit, s + u, un);
        unit[un] = '\0';
        return fail(err, u, "unknown time unit %s in %s; expected ms, s, min, h, d or w",
                    mu_quote(unit, ub, sizeof ub), q);
    }
    if (rate) {
        if (!(v > 0))
            return fail(err, b, "a rate must be > 0, got %s", q);
        v = f / v;
    } else {
        v *= f;
    }
    if (!isfinite(v))
        return fail(err, b, "%s is too large", q);
    *sec = v;
    if (is_rate)
        *is_rate = rate;
    return true;
}

static bool check_sign(double v, mu_sign sign, const char *s, size_t at, mu_err *e)
{
    char q[96];
    if (sign == MU_POSITIVE && !(v > 0))
        return fail(e, at, "duration must be > 0, got %s", mu_quote(s, q, sizeof q));
    if (sign == MU_NONNEG && !(v >= 0))
        return fail(e, at, "duration must be >= 0, got %s", mu_quote(s, q, sizeof q));
    return true;
}

bool mu_duration(const char *s, mu_sign sign, double *sec, mu_err *e)
{
    double v;
    size_t b = 0, end = strlen(s);
    if (!duration_in(s, 0, end, DUR_PLAIN, "a duration", &v, NULL, e))
        return false;
    trim(s, &b, &end);
    if (!check_sign(v, sign, s, b, e))
        return false;
    *sec = v;
    return true;
}

/* ---- distributions ------------------------------------------------------ */

typedef enum { P_DUR, P_NUM, P_WHOLE } ptype;

typedef struct dist_spec {
    const char *name;
    sim_dist_kind kind;
    int n;
    const char *params;      /* for messages: "min, mode, max" */
    const char *pname[3];
    ptype type[3];
} dist_spec;

static const dist_spec dists[] = {
    {"uniform", SIM_DIST_UNIFORM, 2, "min, max", {"min", "max"}, {P_DUR, P_DUR}},
    {"tri", SIM_DIST_TRIANGULAR, 3, "min, mode, max", {"min", "mode", "max"},
     {P_DUR, P_DUR, P_DUR}},
    {"exp", SIM_DIST_EXPONENTIAL, 1, "mean", {"mean"}, {P_DUR}},
    {"normal", SIM_DIST_NORMAL, 2, "mean, sd", {"mean", "sd"}, {P_DUR, P_DUR}},
    {"lognormal", SIM_DIST_LOGNORMAL, 2, "mean, cv", {"mean", "cv"}, {P_DUR, P_NUM}},
    {"gamma", SIM_DIST_GAMMA, 2, "shape, scale", {"shape", "scale"}, {P_NUM, P_DUR}},
    {"weibull", SIM_DIST_WEIBULL, 2, "shape, scale", {"shape", "scale"}, {P_NUM, P_DUR}},
    {"erlang", SIM_DIST_ERLANG, 2, "k, mean", {"k", "mean"}, {P_WHOLE, P_DUR}},
    {"empirical", SIM_DIST_EMPIRICAL, 0, "value: weight, ...", {0}, {0}},
};

/* Split s[b, e) at top-level commas into at most max ranges; returns the
 * count (max + 1 if there are more). */
static size_t split_args(const char *s, size_t b, size_t e, size_t *ab, size_t *ae, size_t max)
{
    size_t n = 0, start = b;
    for (size_t i = b; i <= e; i++) {
        if (i == e || s[i] == ',') {
            if (n < max) {
                ab[n] = start;
                ae[n] = i;
            }
            n++;
            start = i + 1;
            if (n > max)
                return n;
        }
    }
    return n;
}

static bool plain_number(const char *s, size_t b, size_t e, const char *what, double *v,
                         mu_err *err)
{
    char q[96], text[128];
    trim(s, &b, &e);
    size_t tn = e - b < sizeof text - 1 ? e - b : sizeof text - 1;
    memcpy(text, s + b, tn);
    text[tn] = '\0';
    int rc = to_double(s + b, e - b, v);
    if (rc == 2)
        return fail(err, b, "number out of range in %s", mu_quote(text, q, sizeof q));
    if (rc == 1)
        return fail(err, b, "%s is a plain number, got %s", what, mu_quote(text, q, sizeof q));
    return true;
}

static bool empirical(const char *s, size_t b, size_t e, sim_dist *d, mu_err *err)
{
    size_t n = 1;
    for (size_t i = b; i < e; i++)
        n += s[i] == ',';
    double *values = malloc(n * sizeof *values), *weights = malloc(n * sizeof *weights);
    bool ok = false;
    if (!values || !weights) {
        fail(err, b, "out of memory");
        goto out;
    }
    size_t k = 0, start = b;
    for (size_t i = b; i <= e; i++) {
        if (i < e && s[i] != ',')
            continue;
        size_t ab = start, ae = i;
        start = i + 1;
        trim(s, &ab, &ae);
        const char *colon = memchr(s + ab, ':', ae - ab);
        if (ab == ae || !colon) {
            fail(err, ab, "empirical() takes value: weight pairs, like empirical(10s: 1, 20s: 3)");
            goto out;
        }
        size_t c = (size_t)(colon - s);
        if (!duration_in(s, ab, c, DUR_PLAIN, "a value of empirical()", &values[k], NULL, err))
            goto out;
        if (!(values[k] >= 0)) {
            fail(err, ab, "a value of empirical() must be >= 0");
            goto out;
        }
        if (!plain_number(s, c + 1, ae, "a weight of empirical()", &weights[k], err))
            goto out;
        if (!(weights[k] >= 0)) {
            fail(err, c + 1, "a weight of empirical() must be >= 0");
            goto out;
        }
        k++;
    }
    double total = 0;
    for (size_t i = 0; i < k; i++)
        total += weights[i];
    if (!(total > 0) || !isfinite(total)) {
        fail(err, b, "the weights of empirical() must add up to a finite number > 0");
        goto out;
    }
    if (!sim_dist_empirical(d, values, weights, k)) {
        fail(err, b, "out of memory");
        goto out;
    }
    ok = true;
out:
    free(values);
    free(weights);
    return ok;
}

/* name(args) in s[b, e), e just after the ')'. */
static bool distribution(const char *s, size_t b, size_t e, sim_dist *d, mu_err *err)
{
    char q[96], nb[64];
    size_t nend = b;
    while (nend < e && isalpha((unsigned char)s[nend]))
        nend++;
    size_t open = nend;
    while (open < e && is_space(s[open]))
        open++;
    const dist_spec *spec = NULL;
    for (size_t i = 0; i < sizeof dists / sizeof *dists; i++)
        if (strlen(dists[i].name) == nend - b && memcmp(dists[i].name, s + b, nend - b) == 0)
            spec = &dists[i];
    size_t nn = nend - b < sizeof nb - 1 ? nend - b : sizeof nb - 1;
    memcpy(nb, s + b, nn);
    nb[nn] = '\0';
    if (!spec)
        return fail(err, b,
                    "unknown distribution %s; expected uniform, tri, exp, normal, lognormal, "
                    "gamma, weibull, erlang or empirical",
                    mu_quote(nb, q, sizeof q));
    if (open < e && s[open] == '(' && !memchr(s + open, ')', e - open))
        return fail(err, open, "the '(' of %s(...) is not closed: a ')' is missing",
                    spec->name);
    if (open >= e || s[open] != '(' || s[e - 1] != ')')
        return fail(err, b, "expected %s(%s)", spec->name, spec->params);
    size_t ab = open + 1, ae = e - 1;
    for (size_t i = ab; i < ae; i++)
        if (s[i] == '(' || s[i] == ')')
            return fail(err, i, "unexpected '%c' inside %s(...)", s[i], spec->name);
    if (spec->kind == SIM_DIST_EMPIRICAL)
        return empirical(s, ab, ae, d, err);

    size_t pb[3], pe[3];
    size_t n = split_args(s, ab, ae, pb, pe, 3);
    size_t tb = ab, te = ae;
    trim(s, &tb, &te);
    if (tb == te)
        n = 0;
    if (n != (size_t)spec->n)
        return fail(err, b, "%s() needs %d parameter%s (%s), got %zu", spec->name, spec->n,
                    spec->n == 1 ? "" : "s", spec->params, n);
    *d = sim_dist_const(0);
    d->kind = spec->kind;
    for (int i = 0; i < spec->n; i++) {
        char what[64];
        snprintf(what, sizeof what, "the %s of %s()", spec->pname[i], spec->name);
        size_t x = pb[i], y = pe[i];
        trim(s, &x, &y);
        if (x == y)
            return fail(err, x, "missing %s", what);
        if (spec->type[i] == P_DUR) {
            if (!duration_in(s, x, y, DUR_PLAIN, what, &d->p[i], NULL, err))
                return false;
            if (!(d->p[i] >= 0))
                return fail(err, x, "%s must be >= 0", what);
        } else if (spec->type[i] == P_NUM) {
            if (!plain_number(s, x, y, what, &d->p[i], err))
                return false;
        } else {
            char text[32];
            size_t tn = y - x < sizeof text - 1 ? y - x : sizeof text - 1;
            memcpy(text, s + x, tn);
            text[tn] = '\0';
            long k;
            mu_err sub;
            if (!mu_whole(text, 1, MODEL_MAX_ERLANG_K, &k, &sub))
                return fail(err, x, "%s must be a whole number from 1 to %d, got %s", what,
                            MODEL_MAX_ERLANG_K, mu_quote(text, q, sizeof q));
            d->p[i] = (double)k;
        }
    }
    return true;
}

bool mu_dist(const char *s, mu_sign sign, sim_dist *d, mu_err *e)
{
    char q[96];
    size_t b = 0, end = strlen(s);
    trim(s, &b, &end);
    sim_dist out = sim_dist_const(0);
    if (b < end && isalpha((unsigned char)s[b])) {
        if (!distribution(s, b, end, &out, e))
            return false;
    } else {
        double v;
        if (!duration_in(s, b, end, DUR_RATE_OK, "a duration", &v, NULL, e))
            return false;
        if (!check_sign(v, sign, s, b, e))
            return false;
        out = sim_dist_const(v);
    }
    const char *why = NULL;
    if (!sim_dist_valid(&out, &why)) {
        sim_dist_free(&out);
        return fail(e, b, "invalid %s: %s", mu_quote(s, q, sizeof q), why ? why : "bad parameters");
    }
    double mean = sim_dist_mean(&out);
    if (!isfinite(mean)) {
        sim_dist_free(&out);
        return fail(e, b, "the mean of %s is too large", mu_quote(s, q, sizeof q));
    }
    if (sign == MU_POSITIVE && !(mean > 0)) {
        sim_dist_free(&out);
        return fail(e, b, "duration must be > 0, but the mean of %s is 0", mu_quote(s, q, sizeof q));
    }
    *d = out;
    return true;
}

/* ---- quantities, probabilities, lengths, speeds ------------------------- */

/* "<number> [ws] <unit word>" split in s: the number's value and the unit's
 * range (empty when there is none). */
static bool number_and_unit(const char *s, double *v, size_t *ub, size_t *ue, size_t *nb)
{
    size_t b = 0, e = strlen(s);
    trim(s, &b, &e);
    size_t n = scan_number(s + b, e - b);
    *nb = b;
    if (!n || to_double(s + b, n, v))
        return false;
    size_t u = b + n;
    while (u < e && is_space(s[u]))
        u++;
    *ub = u;
    *ue = e;
    return true;
}

bool mu_quantity(const char *s, const char *unit, double *q, mu_err *e)
{
    char qb[96], ubuf[96];
    double v;
    size_t ub, ue, nb;
    if (!number_and_unit(s, &v, &ub, &ue, &nb))
        return fail(e, nb, "expected a quantity (a number, optionally followed by '%s'), got %s",
                    unit, mu_quote(s, qb, sizeof qb));
    if (ub < ue && (strlen(unit) != ue - ub || memcmp(s + ub, unit, ue - ub) != 0)) {
        char word[64];
        size_t wn = ue - ub < sizeof word - 1 ? ue - ub : sizeof word - 1;
        memcpy(word, s + ub, wn);
        word[wn] = '\0';
        return fail(e, ub, "quantity unit %s does not match the product's unit %s",
                    mu_quote(word, ubuf, sizeof ubuf), mu_quote(unit, qb, sizeof qb));
    }
    if (!(v > 0))
        return fail(e, nb, "a quantity must be > 0, got %s", mu_quote(s, qb, sizeof qb));
    *q = v;
    return true;
}

bool mu_probability(const char *s, double *p, mu_err *e)
{
    char q[96];
    double v;
    size_t ub, ue, nb;
    bool ok = number_and_unit(s, &v, &ub, &ue, &nb);
    bool pct = ok && ue - ub == 1 && s[ub] == '%';
    if (!ok || (ub < ue && !pct))
        return fail(e, nb, "expected a probability (like 0.05 or 5%%), got %s",
                    mu_quote(s, q, sizeof q));
    if (pct)
        v /= 100;
    if (!(v >= 0 && v <= 1))
        return fail(e, nb, "a probability must be between 0 and 1 (0%% and 100%%), got %s",
                    mu_quote(s, q, sizeof q));
    *p = v;
    return true;
}

static bool unit_value(const char *s, const char *kind, const char *const *names,
                       const double *factors, const char *list, bool positive, double *out,
                       mu_err *e)
{
    char q[96];
    double v;
    size_t ub, ue, nb;
    if (!number_and_unit(s, &v, &ub, &ue, &nb) || ub == ue)
        return fail(e, nb, "expected a %s with a unit (%s), got %s", kind, list,
                    mu_quote(s, q, sizeof q));
    for (size_t i = 0; names[i]; i++)
        if (strlen(names[i]) == ue - ub && memcmp(s + ub, names[i], ue - ub) == 0) {
            v *= factors[i];
            if (!isfinite(v) || (positive && !(v > 0)))
                return fail(e, nb, "a %s must be %s, got %s", kind, positive ? "> 0" : "finite",
                            mu_quote(s, q, sizeof q));
            *out = v;
            return true;
        }
    return fail(e, ub, "unknown %s unit in %s; expected %s", kind, mu_quote(s, q, sizeof q), list);
}

static const char *const length_units[] = {"mm", "cm", "m", "km", NULL};
static const double length_factors[] = {0.001, 0.01, 1, 1000};

bool mu_length(const char *s, double *m, mu_err *e)
{
    return unit_value(s, "length", length_units, length_factors, "mm, cm, m, km", true, m, e);
}

bool mu_coordinate(const char *s, double *m, mu_err *e)
{
    return unit_value(s, "coordinate", length_units, length_factors, "mm, cm, m, km", false, m,
                      e);
}

bool mu_speed(const char *s, double *m_per_s, mu_err *e)
{
    static const char *const names[] = {"m/s", "m/min", NULL};
    static const double f[] = {1, 1.0 / 60};
    return unit_value(s, "speed", names, f, "m/s, m/min", true, m_per_s, e);
}

bool mu_time_of_day(const char *s, bool allow_24, double *sec, mu_err *e)
{
    char q[96];
    size_t b = 0, end = strlen(s);
    trim(s, &b, &end);
    const char *t = s + b;
    size_t n = end - b, hd = 0;
    while (hd < n && isdigit((unsigned char)t[hd]))
        hd++;
    bool shape = (hd == 1 || hd == 2) && n == hd + 3 && t[hd] == ':' &&
                 isdigit((unsigned char)t[hd + 1]) && isdigit((unsigned char)t[hd + 2]);
    if (!shape)
        return fail(e, b, "expected a time of day HH:MM (quote it: \"06:00\"), got %s",
                    mu_quote(s, q, sizeof q));
    int h = hd == 1 ? t[0] - '0' : (t[0] - '0') * 10 + (t[1] - '0');
    int mi = (t[hd + 1] - '0') * 10 + (t[hd + 2] - '0');
    if (mi > 59 || h > 24 || (h == 24 && (mi != 0 || !allow_24)))
        return fail(e, b, "%s is not a time of day (00:00 to %s)", mu_quote(s, q, sizeof q),
                    allow_24 ? "24:00" : "23:59");
    *sec = h * 3600.0 + mi * 60.0;
    return true;
}

bool mu_bool(const char *s, bool *out, mu_err *e)
{
    char q[96];
    if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
        *out = s[0] == 't';
        return true;
    }
    return fail(e, 0, "expected true or false, got %s", mu_quote(s, q, sizeof q));
}

/* ---- did you mean ------------------------------------------------------- */

#define DIST_MAX_CHARS 64

static size_t decode(const char *s, unsigned *cp, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (n == max)
            return max + 1;
        unsigned c = *p++;
        if (c >= 0xC0) {
            int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
            c &= 0x3Fu >> more;
            while (more-- && (*p & 0xC0) == 0x80)
                c = (c << 6) | (*p++ & 0x3Fu);
        }
        cp[n++] = c;
    }
    return n;
}

size_t mu_distance(const char *a, const char *b, size_t limit)
{
    unsigned x[DIST_MAX_CHARS], y[DIST_MAX_CHARS];
    size_t n = decode(a, x, DIST_MAX_CHARS), m = decode(b, y, DIST_MAX_CHARS);
    if (n > DIST_MAX_CHARS || m > DIST_MAX_CHARS || (n > m ? n - m : m - n) > limit)
        return limit + 1;
    size_t rows[3][DIST_MAX_CHARS + 1];
    size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = x[i - 1] != y[j - 1];
            size_t v = prev[j - 1] + cost;
            if (prev[j] + 1 < v)
                v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1; /* transposition */
            cur[j] = v;
        }
        size_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[m] > limit ? limit + 1 : prev[m];
}

/* ---- the public duration parser ----------------------------------------- */

int ft_parse_duration(const char *text, double *seconds, ft_error *err)
{
    mu_err e;
    double v;
    if (!text || !mu_duration(text, MU_NONNEG, &v, &e))
        return ft_fail(err, NULL, 0, 0, "%s", text ? e.msg : "no duration given");
    *seconds = v;
    return 0;
}
