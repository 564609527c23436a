/* exp_plan.c -- from an experiment's description to its scenarios, each a
 * loaded and validated model, plus the seeds, the run window and the
 * experiment's key; and one replication run.
 *
 * Everything that can be wrong with an experiment (a parameter path, a
 * value, a unit, a KPI name) is found here, before the first replication
 * runs: every scenario's model is loaded with its overrides and built once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/base_file.h"
#include "experiment/experiment.h"
#include "model/model.h"

#define MAX_SCENARIOS 100000

/* ---- scenarios ---------------------------------------------------------- */

static int set_add(exp_scenario *sc, const char *path, const char *value, const exp_origin *o)
{
    ft_override *v = realloc(sc->set, (sc->n_set + 1) * sizeof *v);
    if (!v)
        return -1;
    sc->set = v;
    v = &sc->set[sc->n_set++];
    memset(v, 0, sizeof *v);
    v->path = strdup(path);
    v->value = strdup(value);
    v->file = strdup(o->file ? o->file : "");
    v->line = o->line;
    v->col = o->col;
    return v->path && v->value && v->file ? 0 : -1;
}

/* Scenario `index` of the factorial within named scenario `base`: the
 * last factor varies fastest. */
static int make_scenario(exp_scenario *sc, const exp_spec *s, size_t base, size_t index)
{
    char name[2048] = "";
    size_t used = 0;
    if (s->n_named) {
        const exp_named *nm = &s->named[base];
        used = (size_t)snprintf(name, sizeof name, "%s", nm->name);
        for (size_t k = 0; k < nm->n_set; k++)
            if (set_add(sc, nm->paths[k], nm->values[k], &nm->origins[k]))
                return -1;
    }
    size_t rest = index;
    size_t *pick = calloc(s->n_factors + 1, sizeof *pick);
    if (!pick)
        return -1;
    for (size_t f = s->n_factors; f-- > 0;) {
        pick[f] = rest % s->factors[f].n_values;
        rest /= s->factors[f].n_values;
    }
    int rc = 0;
    for (size_t f = 0; f < s->n_factors && !rc; f++) {
        const exp_factor *fa = &s->factors[f];
        rc = set_add(sc, fa->path, fa->values[pick[f]], &fa->origin);
        if (used < sizeof name)
            used += (size_t)snprintf(name + used, sizeof name - used, "%s%s=%s",
                                     used ? ", " : "", fa->path, fa->values[pick[f]]);
    }
    free(pick);
    if (!name[0])
        strcpy(name, "base");
    return rc || !(sc->name = strdup(name)) ? -1 : 0;
}

static void scenario_free(exp_scenario *sc)
{
    for (size_t k = 0; k < sc->n_set; k++) {
        free((char *)sc->set[k].path);
        free((char *)sc->set[k].value);
        free((char *)sc->set[k].file);
    }
    free(sc->set);
    free(sc->name);
    ft_model_free(sc->model);
}

void exp_plan_free(exp_plan *p)
{
    for (size_t i = 0; p->scenarios && i < p->n_scenarios; i++)
        scenario_free(&p->scenarios[i]);
    free(p->scenarios);
    exp_kpi_defs_free(&p->kpis);
    free(p->responses);
    memset(p, 0, sizeof *p);
}

static ft_run_options run_options(const exp_plan *p, uint64_t seed)
{
    const exp_spec *s = p->spec;
    ft_run_options o = {.has_seed = true, .seed = seed};
    o.has_warmup = s->warmup != EXP_WARMUP_MODEL;
    o.warmup_s = p->warmup_s;
    o.has_length = s->has_length;
    o.length_s = s->length_s;
    return o;
}

/* Load and build a scenario once; its first build also names the KPIs. */
static int check_scenario(exp_plan *p, exp_scenario *sc, ft_error *err)
{
    if (!(sc->model = ft_model_load_with(p->spec->model_path, sc->set, sc->n_set, err)))
        return -1;
    ft_run_options o = run_options(p, 1);
    ft_sim *sim = ft_sim_new(sc->model, &o, err);
    if (!sim)
        return -1;
    const ft_report *r = ft_sim_report(sim);
    int rc = 0;
    if (!p->kpis.defs) {
        rc = exp_kpi_defs_from_report(&p->kpis, r, err);
    } else {
        exp_kpi_defs again = {0};
        rc = exp_kpi_defs_from_report(&again, r, err);
        for (size_t i = 0; !rc && i < p->kpis.n; i++)
            if (again.n != p->kpis.n || strcmp(again.defs[i].name, p->kpis.defs[i].name) != 0)
                rc = ft_fail(err, NULL, 0, 0, "scenario '%s' has other entities than the first",
                             sc->name);
        exp_kpi_defs_free(&again);
    }
    ft_sim_free(sim);
    return rc;
}

static int find_kpi(const exp_plan *p, const char *name, const char *what, int *out,
                    ft_error *err)
{
    if (!name) {
        *out = -1;
        return 0;
    }
    if ((*out = exp_kpi_find(&p->kpis, name)) >= 0)
        return 0;
    /* the closest name sharing the measure, as a hint */
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < p->kpis.n; i++)
        if (strcmp(p->kpis.defs[i].measure, dot + 1) == 0)
            return ft_fail(err, NULL, 0, 0, "%s: no KPI named '%s' (like '%s'; see "
                                            "docs/experiment-json.md)", what, name,
                           p->kpis.defs[i].name);
    return ft_fail(err, NULL, 0, 0, "%s: no KPI named '%s' (KPIs are named like "
                                    "plant.throughput_per_hour or station.<name>.utilization)",
                   what, name);
}

static int key_of(exp_plan *p, ft_error *err);

/* The spec's responses, or throughput, WIP and the goal; no KPI twice. */
static int choose_responses(exp_plan *p, ft_error *err)
{
    const exp_spec *s = p->spec;
    size_t n = s->n_responses ? s->n_responses : 3;
    if (!(p->responses = calloc(n, sizeof *p->responses)))
        return ft_fail(err, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        int k;
        if (s->n_responses) {
            if (find_kpi(p, s->responses[i], "a response", &k, err))
                return -1;
        } else {
            k = i == 0   ? exp_kpi_find(&p->kpis, "plant.throughput_per_hour")
                : i == 1 ? exp_kpi_find(&p->kpis, "plant.wip_mean")
                         : p->goal_kpi;
        }
        bool seen = false;
        for (size_t j = 0; j < p->n_responses; j++)
            seen |= p->responses[j] == k;
        if (!seen)
            p->responses[p->n_responses++] = k;
    }
    return 0;
}

int exp_plan_build(exp_plan *p, const exp_spec *s, ft_error *err)
{
    memset(p, 0, sizeof *p);
    p->spec = s;
    double n = s->n_named ? (double)s->n_named : 1;
    for (size_t f = 0; f < s->n_factors; f++)
        n *= (double)s->factors[f].n_values;
    if (n > MAX_SCENARIOS)
        return ft_fail(err, NULL, 0, 0, "the experiment has %.0f scenarios; the limit is %d", n,
                       MAX_SCENARIOS);
    if (s->reps_min != s->reps_max && !(s->target_rel_hw > 0))
        return ft_fail(err, NULL, 0, 0, "a range of replications (%d..%d) is for the sequential "
                                        "mode: give the target half-width too (--half-width 2%%)",
                       s->reps_min, s->reps_max);
    size_t per_base = (size_t)n / (s->n_named ? s->n_named : 1);
    if (!(p->scenarios = calloc((size_t)n, sizeof *p->scenarios)))
        return ft_fail(err, NULL, 0, 0, "out of memory");
    p->n_scenarios = (size_t)n;
    p->warmup_s = s->warmup == EXP_WARMUP_FIXED ? s->warmup_s : 0;
    p->length_s = s->length_s;
    for (size_t i = 0; i < p->n_scenarios; i++) {
        if (make_scenario(&p->scenarios[i], s, i / per_base, i % per_base))
            return ft_fail(err, NULL, 0, 0, "out of memory");
        if (check_scenario(p, &p->scenarios[i], err)) {
            if (p->n_scenarios > 1) {
                char msg[sizeof err->msg];
                snprintf(msg, sizeof msg, "scenario '%.200s': %.800s", p->scenarios[i].name,
                         err->msg);
                memcpy(err->msg, msg, sizeof msg);
            }
            return -1;
        }
    }
    const ft_model *m0 = p->scenarios[0].model;
    p->seed = s->has_seed ? s->seed : ft_model_seed(m0);
    const char *goal = s->goal_kpi ? s->goal_kpi : "plant.throughput_per_hour";
    const char *target = s->target_kpi ? s->target_kpi : goal;
    if (find_kpi(p, goal, "the goal", &p->goal_kpi, err) ||
        find_kpi(p, s->target_rel_hw > 0 ? target : NULL, "the sequential target",
                 &p->target_kpi, err))
        return -1;
    if (choose_responses(p, err))
        return -1;
    return key_of(p, err);
}

/* ---- seeds -------------------------------------------------------------- */

static uint64_t mix64(uint64_t z) /* splitmix64's finaliser */
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t exp_plan_seed(const exp_plan *p, int scenario, int rep)
{
    uint64_t s = mix64(p->seed + 0x9E3779B97F4A7C15ULL * ((uint64_t)rep + 1));
    if (!p->spec->crn)
        s = mix64(s ^ 0xD1B54A32D192ED03ULL * ((uint64_t)scenario + 1));
    return s;
}

/* ---- one replication ---------------------------------------------------- */

int exp_plan_run_rep(const exp_plan *p, int scenario, int rep, exp_rep *out, ft_error *err)
{
    const exp_scenario *sc = &p->scenarios[scenario];
    out->scenario = scenario;
    out->rep = rep;
    out->seed = exp_plan_seed(p, scenario, rep);
    ft_run_options o = run_options(p, out->seed);
    ft_sim *sim = ft_sim_new(sc->model, &o, err);
    if (!sim || ft_sim_run(sim, err)) {
        ft_sim_free(sim);
        return -1;
    }
    const ft_report *r = ft_sim_report(sim);
    out->warmup_s = r->warmup_s;
    out->length_s = r->length_s;
    out->events = r->events;
    snprintf(out->bottleneck, sizeof out->bottleneck, "%s", r->bottleneck ? r->bottleneck : "");
    out->n_values = p->kpis.n;
    exp_kpi_values(&p->kpis, r, out->values);
    ft_sim_free(sim);
    return 0;
}

/* ---- identity ----------------------------------------------------------- */

char *exp_plan_spec_json(const exp_plan *p)
{
    const exp_spec *s = p->spec;
    static const char *const methods[] = {"model", "fixed", "mser5"};
    json_t *scen = json_array();
    for (size_t i = 0; i < p->n_scenarios; i++) {
        json_t *set = json_object();
        for (size_t k = 0; k < p->scenarios[i].n_set; k++)
            json_object_set_new(set, p->scenarios[i].set[k].path,
                                json_string(p->scenarios[i].set[k].value));
        json_array_append_new(scen, json_pack("{s:s, s:o}", "name", p->scenarios[i].name, "set",
                                              set));
    }
    json_t *warm = json_pack("{s:s}", "method", methods[s->warmup]);
    if (s->warmup == EXP_WARMUP_FIXED)
        json_object_set_new(warm, "seconds", json_real(s->warmup_s));
    if (s->warmup == EXP_WARMUP_MSER5)
        json_object_set_new(warm, "pilots", json_integer(s->mser_pilots));
    char seed[24]; /* as a string: JSON integers stop at 2^63 */
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)p->seed);
    json_t *doc = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "format",
                            "fabtwin-experiment-spec/1", "model", s->model_path, "seed", seed,
                            "crn", s->crn, "warmup", warm, "length_s",
                            s->has_length ? json_real(s->length_s) : json_null(), "scenarios",
                            scen);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(doc);
    return text;
}

/* FNV-1a over the bytes, in two lanes with different offsets, finalised:
 * not cryptographic, but a changed model or plan gives another key. */
static void digest(const unsigned char *b, size_t n, uint64_t h[2])
{
    for (size_t i = 0; i < n; i++) {
        h[0] = (h[0] ^ b[i]) * 0x100000001B3ULL;
        h[1] = (h[1] ^ b[i]) * 0x100000001B3ULL;
    }
}

static int key_of(exp_plan *p, ft_error *err)
{
    uint64_t h[2] = {0xCBF29CE484222325ULL, 0x84222325CBF29CE4ULL};
    char *text;
    size_t len;
    if (base_read_file(p->spec->model_path, MODEL_MAX_FILE_BYTES, "the model file", &text, &len,
                       err))
        return -1;
    digest((const unsigned char *)text, len, h);
    free(text);
    char *spec = exp_plan_spec_json(p);
    if (!spec)
        return ft_fail(err, NULL, 0, 0, "out of memory");
    digest((const unsigned char *)spec, strlen(spec), h);
    free(spec);
    snprintf(p->key, sizeof p->key, "%016llx%016llx", (unsigned long long)mix64(h[0]),
             (unsigned long long)mix64(h[1] ^ h[0]));
    return 0;
}
