/* exp_summary.c -- what an experiment found: the summary document
 * (docs/experiment-json.md) and its table on the terminal.
 *
 * Both are computed from the committed replications only, so they are as
 * deterministic as the replications themselves. The JSON is the one source
 * of the HTML report. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "experiment/exp_summary.h"

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *stat_json(exp_stat s)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "mean", num(s.mean), "sd", num(s.sd),
                     "half_width", num(s.half_width), "lo", num(s.mean - s.half_width), "hi",
                     num(s.mean + s.half_width));
}

typedef struct bcount {
    const char *name;
    int n;
} bcount;

static int by_count(const void *a, const void *b)
{
    const bcount *x = a, *y = b;
    if (x->n != y->n)
        return y->n - x->n;
    return strcmp(x->name, y->name);
}

/* How many replications named each station the bottleneck, most first. */
static json_t *bottlenecks(const exp_rep *reps, int n)
{
    bcount *c = calloc((size_t)n + 1, sizeof *c);
    size_t k = 0;
    for (int i = 0; c && i < n; i++) {
        size_t j = 0;
        while (j < k && strcmp(c[j].name, reps[i].bottleneck) != 0)
            j++;
        if (j == k)
            c[k++] = (bcount){reps[i].bottleneck, 0};
        c[j].n++;
    }
    json_t *a = json_array();
    if (c)
        qsort(c, k, sizeof *c, by_count);
    for (size_t j = 0; c && j < k; j++)
        json_array_append_new(a, json_pack("{s:s, s:i}", "station", c[j].name, "replications",
                                           c[j].n));
    free(c);
    return a;
}

/* The scenario with the best mean of the goal KPI; -1 when none has one. */
int exp_summary_best(const exp_plan *p, const exp_results *r)
{
    int best = -1;
    double best_mean = 0;
    for (size_t i = 0; i < r->n_scenarios; i++) {
        exp_stat s = exp_stat_of(r->reps[i], r->n_reps[i], p->goal_kpi, p->spec->confidence);
        if (!isfinite(s.mean))
            continue;
        bool better = p->spec->goal_max ? s.mean > best_mean : s.mean < best_mean;
        if (best < 0 || better) {
            best = (int)i;
            best_mean = s.mean;
        }
    }
    return best;
}

exp_stat exp_summary_compare(const exp_plan *p, const exp_results *r, int i, int k)
{
    double lv = p->spec->confidence;
    if (p->spec->crn)
        return exp_stat_paired(r->reps[0], r->n_reps[0], r->reps[i], r->n_reps[i], k, lv);
    return exp_stat_welch(exp_stat_of(r->reps[0], r->n_reps[0], k, lv),
                          exp_stat_of(r->reps[i], r->n_reps[i], k, lv), lv);
}

static json_t *header(const exp_plan *p, const exp_results *r)
{
    const exp_spec *s = p->spec;
    static const char *const methods[] = {"model", "fixed", "mser5"};
    double warm = p->warmup_s, length = p->length_s;
    if (r->n_scenarios && r->n_reps[0]) { /* the window the replications really had */
        warm = r->reps[0][0].warmup_s;
        length = r->reps[0][0].length_s;
    }
    json_t *w = json_pack("{s:s, s:o}", "method", methods[s->warmup], "seconds", num(warm));
    if (s->warmup == EXP_WARMUP_MSER5)
        json_object_set_new(w, "mser",
                            json_pack("{s:i, s:o, s:I, s:b}", "replications", p->mser.pilots,
                                      "batch_s", num(p->mser.batch_s), "batches",
                                      (json_int_t)p->mser.batches, "at_limit", p->mser.at_limit));
    json_t *reps = json_pack("{s:i, s:i, s:o, s:o}", "min", s->reps_min, "max", s->reps_max,
                             "target_rel_half_width",
                             s->target_rel_hw > 0 ? json_real(s->target_rel_hw) : json_null(),
                             "target_kpi",
                             p->target_kpi >= 0 ? json_string(p->kpis.defs[p->target_kpi].name)
                                                : json_null());
    json_t *factors = json_array();
    for (size_t f = 0; f < s->n_factors; f++) {
        json_t *v = json_array();
        for (size_t j = 0; j < s->factors[f].n_values; j++)
            json_array_append_new(v, json_string(s->factors[f].values[j]));
        json_array_append_new(factors, json_pack("{s:s, s:o}", "path", s->factors[f].path,
                                                 "values", v));
    }
    json_t *responses = json_array();
    for (size_t k = 0; k < p->n_responses; k++)
        json_array_append_new(responses, json_string(p->kpis.defs[p->responses[k]].name));
    json_t *kpis = json_array();
    for (size_t k = 0; k < p->kpis.n; k++) {
        const exp_kpi_def *d = &p->kpis.defs[k];
        json_array_append_new(kpis, json_pack("{s:s, s:s, s:s, s:s}", "name", d->name, "group",
                                              d->group, "entity", d->entity, "measure",
                                              d->measure));
    }
    char seed[24]; /* a string: JSON numbers lose digits above 2^53 */
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)p->seed);
    return json_pack("{s:s, s:s, s:{s:s, s:s}, s:f, s:b, s:s, s:o, s:o, s:o, s:o, s:o, s:o}",
                     "format",
                     "fabtwin-experiment/1", "experiment",
                     s->name ? s->name : ft_model_name(p->scenarios[0].model), "model", "path",
                     s->model_path, "name", ft_model_name(p->scenarios[0].model), "confidence",
                     s->confidence, "crn", s->crn, "seed", seed, "warmup", w,
                     "length_s", num(length), "replications", reps, "factors", factors, "responses",
                     responses, "kpis", kpis);
}

static json_t *scenario_json(const exp_plan *p, const exp_results *r, size_t i)
{
    const exp_scenario *sc = &p->scenarios[i];
    json_t *set = json_object();
    for (size_t k = 0; k < sc->n_set; k++)
        json_object_set_new(set, sc->set[k].path, json_string(sc->set[k].value));
    json_t *kp = json_object();
    for (size_t k = 0; k < p->kpis.n; k++)
        json_object_set_new(kp, p->kpis.defs[k].name,
                            stat_json(exp_stat_of(r->reps[i], r->n_reps[i], (int)k,
                                                  p->spec->confidence)));
    return json_pack("{s:I, s:s, s:o, s:i, s:o, s:o}", "index", (json_int_t)i, "name", sc->name,
                     "set", set, "replications", r->n_reps[i], "kpis", kp, "bottleneck",
                     bottlenecks(r->reps[i], r->n_reps[i]));
}

char *exp_summary_json(const exp_plan *p, const exp_results *r)
{
    json_t *doc = header(p, r);
    json_t *scen = json_array();
    for (size_t i = 0; i < r->n_scenarios; i++)
        json_array_append_new(scen, scenario_json(p, r, i));
    json_object_set_new(doc, "scenarios", scen);
    const char *goal = p->kpis.defs[p->goal_kpi].name;
    json_object_set_new(doc, "goal", json_pack("{s:s, s:s}", "kpi", goal, "direction",
                                               p->spec->goal_max ? "max" : "min"));
    int best = exp_summary_best(p, r);
    json_t *b = json_null();
    if (best >= 0) {
        b = stat_json(exp_stat_of(r->reps[best], r->n_reps[best], p->goal_kpi,
                                  p->spec->confidence));
        json_object_set_new(b, "scenario", json_integer(best));
        json_object_del(b, "sd");
    }
    json_object_set_new(doc, "best", b);
    json_t *cmp = json_array();
    for (size_t i = 1; i < r->n_scenarios; i++) {
        exp_stat d = exp_summary_compare(p, r, (int)i, p->goal_kpi);
        bool sig = isfinite(d.half_width) && fabs(d.mean) > d.half_width;
        json_array_append_new(
            cmp, json_pack("{s:I, s:i, s:s, s:b, s:o, s:o, s:o, s:o, s:b}", "scenario",
                           (json_int_t)i, "baseline", 0, "kpi", goal, "paired", p->spec->crn,
                           "mean_diff", num(d.mean), "half_width", num(d.half_width), "lo",
                           num(d.mean - d.half_width), "hi", num(d.mean + d.half_width),
                           "significant", sig));
    }
    json_object_set_new(doc, "comparisons", cmp);
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
    json_decref(doc);
    return text;
}

/* "27.230 ± 0.069": the half-width to two significant digits and the mean
 * to the same decimal place. */
static void pm(char *buf, size_t size, exp_stat s)
{
    if (!isfinite(s.mean)) {
        snprintf(buf, size, "-");
    } else if (!isfinite(s.half_width) || s.half_width <= 0) {
        snprintf(buf, size, isfinite(s.half_width) ? "%.6g ± 0" : "%.6g", s.mean);
    } else {
        int decimals = 1 - (int)floor(log10(s.half_width));
        if (decimals < 0)
            decimals = 0;
        if (decimals > 9)
            decimals = 9;
        snprintf(buf, size, "%.*f ± %.*f", decimals, s.mean, decimals, s.half_width);
    }
}

/* Columns a string takes on a terminal: East Asian wide characters (from
 * U+1100 on, a close enough rule for the names of plants) take two. */
static int columns(const char *t)
{
    int n = 0;
    for (const unsigned char *u = (const unsigned char *)t; *u; u++) {
        if ((*u & 0xC0) == 0x80)
            continue;
        n += *u >= 0xE1 ? 2 : 1; /* lead bytes of U+1000 and above */
    }
    return n;
}

/* t, then spaces up to `width` columns (at least one). */
static void cell(FILE *out, const char *t, int width)
{
    int pad = width - columns(t);
    fprintf(out, "%s%*s", t, pad > 1 ? pad : 1, "");
}

size_t exp_summary_warned(const exp_plan *p, const exp_results *r, int scenario,
                          const exp_rep **first)
{
    int k = exp_kpi_find(&p->kpis, "plant.warnings");
    size_t n = 0;
    *first = NULL;
    for (int j = 0; k >= 0 && j < r->n_reps[scenario]; j++)
        if (r->reps[scenario][j].values[k] > 0) {
            if (!n)
                *first = &r->reps[scenario][j];
            n++;
        }
    return n;
}

/* Replications that ended with warnings (work that can never start, a
 * broken Little's law): named with a seed to look at them with run. */
static void print_warnings(const exp_plan *p, const exp_results *r, FILE *out)
{
    for (size_t i = 0; i < r->n_scenarios; i++) {
        const exp_rep *first;
        size_t n = exp_summary_warned(p, r, (int)i, &first);
        if (n)
            fprintf(out, "WARNING scenario #%zu: %zu of %d replications ended with warnings "
                         "(the first: seed %llu; `fabtwin run` with that seed lists them)\n",
                    i, n, r->n_reps[i], (unsigned long long)first->seed);
    }
}

void exp_summary_print(const exp_plan *p, const exp_results *r, FILE *out)
{
    const exp_spec *s = p->spec;
    const char *goal = p->kpis.defs[p->goal_kpi].name;
    fprintf(out, "experiment: %s, %zu scenario%s, %.0f%% confidence, CRN %s\n",
            s->name ? s->name : ft_model_name(p->scenarios[0].model), r->n_scenarios,
            r->n_scenarios == 1 ? "" : "s", 100 * s->confidence, s->crn ? "on" : "off");
    if (s->warmup == EXP_WARMUP_MSER5)
        fprintf(out, "warm-up: %.0f s chosen by MSER-5 over %d pilot runs%s\n", p->warmup_s,
                p->mser.pilots,
                p->mser.at_limit ? " (at the search limit: the runs may be too short)" : "");
    int width[64];
    size_t n_cols = p->n_responses < 64 ? p->n_responses : 64;
    fprintf(out, "\n%4s %5s  ", "#", "reps");
    for (size_t c = 0; c < n_cols; c++) {
        const char *name = p->kpis.defs[p->responses[c]].name;
        width[c] = columns(name) + 2 > 22 ? columns(name) + 2 : 22;
        cell(out, name, width[c]);
    }
    fprintf(out, "%-12s  %s\n", "bottleneck", "scenario");
    for (size_t i = 0; i < r->n_scenarios; i++) {
        fprintf(out, "%4zu %5d  ", i, r->n_reps[i]);
        for (size_t c = 0; c < n_cols; c++) {
            char v[64];
            pm(v, sizeof v, exp_stat_of(r->reps[i], r->n_reps[i], p->responses[c], s->confidence));
            cell(out, v, width[c]);
        }
        json_t *bn = bottlenecks(r->reps[i], r->n_reps[i]);
        const char *top = json_string_value(json_object_get(json_array_get(bn, 0), "station"));
        cell(out, top && *top ? top : "-", 12);
        fprintf(out, " %s\n", p->scenarios[i].name);
        json_decref(bn);
    }
    print_warnings(p, r, out);
    int best = exp_summary_best(p, r);
    if (best >= 0 && r->n_scenarios > 1) {
        char a[64];
        pm(a, sizeof a, exp_stat_of(r->reps[best], r->n_reps[best], p->goal_kpi, s->confidence));
        fprintf(out, "\nbest by %s (%s): #%d %s: %s\n", goal, s->goal_max ? "max" : "min", best,
                p->scenarios[best].name, a);
        fprintf(out, "difference from #0 (%s):\n", s->crn ? "paired, common random numbers"
                                                          : "Welch, independent runs");
        for (size_t i = 1; i < r->n_scenarios; i++) {
            exp_stat d = exp_summary_compare(p, r, (int)i, p->goal_kpi);
            pm(a, sizeof a, d);
            bool sig = isfinite(d.half_width) && fabs(d.mean) > d.half_width;
            fprintf(out, "%4zu  %-24s %s\n", i, a, sig ? "significant" : "not significant");
        }
    }
}
