/* exp_db_export.c -- a stored experiment's replications as CSV or JSON,
 * one row each in (scenario, rep) order, with 17 significant digits so that
 * the exports of equal results are byte-identical. Formats:
 * docs/experiment-db.md. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/base_text.h"
#include "experiment/exp_db_internal.h"

#define EXPORT_FORMAT "fabtwin-experiment-db/1"

/* What an export prints besides the replications, as the JSON it becomes:
 * experiment {name, model, spec}, kpis [{name, group, entity, measure}],
 * scenarios [{index, name, set {path: value}}], and paths, the union of the
 * scenarios' parameter paths in order of first appearance (an object used
 * as an ordered set: jansson keeps insertion order). */
typedef struct catalog {
    json_t *experiment, *kpis, *scenarios, *paths;
} catalog;

static void catalog_free(catalog *c)
{
    json_decref(c->experiment);
    json_decref(c->kpis);
    json_decref(c->scenarios);
    json_decref(c->paths);
}

static int load_experiment(exp_db *db, int64_t id, catalog *c, ft_error *err)
{
    sqlite3_stmt *s = edb_query(db, Q_EXP);
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s), ret = 0;
    if (rc == SQLITE_ROW) {
        json_error_t jerr;
        json_t *spec = json_loads(edb_text(s, 2), JSON_DECODE_ANY, &jerr);
        if (!spec)
            ret = ft_fail(err, db->path, 0, 0,
                          "experiment %" PRId64 ": its definition is not JSON: %s", id, jerr.text);
        else if (!(c->experiment = json_pack("{s:s, s:s, s:o}", "name", edb_text(s, 0),
                                             "model", edb_text(s, 1), "spec", spec)))
            ret = ft_fail(err, db->path, 0, 0,
                          "experiment %" PRId64 ": its name or model path is not UTF-8", id);
    } else if (rc == SQLITE_DONE) {
        ret = ft_fail(err, db->path, 0, 0, "the database holds no experiment %" PRId64, id);
    } else {
        ret = edb_fail(db, err, "cannot read the experiment");
    }
    sqlite3_reset(s);
    return ret;
}

/* One JSON object per row of a catalog query, appended to arr. The first
 * column is the row's index, which must count 0, 1, 2 ... */
static json_t *kpi_row(sqlite3_stmt *s)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "name", edb_text(s, 1), "group", edb_text(s, 2),
                     "entity", edb_text(s, 3), "measure", edb_text(s, 4));
}

static json_t *scenario_row(sqlite3_stmt *s)
{
    return json_pack("{s:I, s:s, s:{}}", "index", (json_int_t)sqlite3_column_int64(s, 0), "name",
                     edb_text(s, 1), "set");
}

static int load_rows(exp_db *db, int64_t id, int which, json_t *(*row)(sqlite3_stmt *s),
                     json_t *arr, ft_error *err)
{
    sqlite3_stmt *s = edb_query(db, which);
    sqlite3_bind_int64(s, 1, id);
    int rc = SQLITE_DONE, ret = 0;
    while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (sqlite3_column_int64(s, 0) != (int64_t)json_array_size(arr))
            ret = ft_fail(err, db->path, 0, 0,
                          "the results database is damaged: experiment %" PRId64
                          " has a gap in its %s",
                          id, which == Q_KPIS ? "KPIs" : "scenarios");
        else if (json_array_append_new(arr, row(s)))
            ret = ft_fail(err, db->path, 0, 0, "experiment %" PRId64 ": a name is not UTF-8", id);
    }
    if (!ret && rc != SQLITE_DONE)
        ret = edb_fail(db, err, "cannot read the experiment");
    sqlite3_reset(s);
    return ret;
}

/* Each scenario's parameter values into its "set", and c->paths. */
static int load_factors(exp_db *db, int64_t id, catalog *c, ft_error *err)
{
    sqlite3_stmt *s = edb_query(db, Q_FACS);
    sqlite3_bind_int64(s, 1, id);
    int rc = SQLITE_DONE, ret = 0;
    while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *sc = json_array_get(c->scenarios, (size_t)sqlite3_column_int64(s, 0));
        const char *path = edb_text(s, 1);
        if (!sc || json_object_set_new(json_object_get(sc, "set"), path,
                                       json_string(edb_text(s, 2))) ||
            json_object_set_new(c->paths, path, json_true()))
            ret = ft_fail(err, db->path, 0, 0,
                          "experiment %" PRId64 ": its parameter \"%s\" is damaged or not UTF-8",
                          id, path);
    }
    if (!ret && rc != SQLITE_DONE)
        ret = edb_fail(db, err, "cannot read the scenarios' parameters");
    sqlite3_reset(s);
    return ret;
}

static int catalog_load(exp_db *db, int64_t id, catalog *c, ft_error *err)
{
    *c = (catalog){NULL, json_array(), json_array(), json_object()};
    if (!c->kpis || !c->scenarios || !c->paths) {
        ft_fail(err, db->path, 0, 0, "out of memory");
        goto err;
    }
    if (load_experiment(db, id, c, err) || load_rows(db, id, Q_KPIS, kpi_row, c->kpis, err) ||
        load_rows(db, id, Q_SCNS, scenario_row, c->scenarios, err) ||
        load_factors(db, id, c, err))
        goto err;
    return 0;
err:
    catalog_free(c);
    return -1;
}

static const char *kpi_name(const catalog *c, size_t i)
{
    return json_string_value(json_object_get(json_array_get(c->kpis, i), "name"));
}

/* 17 significant digits read back to the same double. NaN (a KPI with no
 * observations) is an empty cell; infinities print as inf / -inf. */
static void csv_number(FILE *out, double x)
{
    if (!isnan(x))
        fprintf(out, "%.17g", x);
}

static void csv_header(const catalog *c, FILE *out)
{
    const char *path;
    json_t *v;
    fputs("scenario,scenario_name", out);
    json_object_foreach(c->paths, path, v) {
        fputc(',', out);
        base_csv_put(out, path);
    }
    fputs(",rep,seed,warmup_s,length_s,events,bottleneck", out);
    for (size_t i = 0; i < json_array_size(c->kpis); i++) {
        fputc(',', out);
        base_csv_put(out, kpi_name(c, i));
    }
    fputc('\n', out);
}

typedef struct export_ctx {
    const catalog *c;
    FILE *out;
    size_t n; /* replications written */
    exp_db *db;
    ft_error *err;
} export_ctx;

/* The scenario of a replication; the foreign key guarantees it, unless the
 * file was written by a connection that did not enforce foreign keys. */
static json_t *scenario_of(export_ctx *x, const exp_rep *r)
{
    json_t *sc = json_array_get(x->c->scenarios, (size_t)r->scenario);
    if (!sc)
        ft_fail(x->err, x->db->path, 0, 0,
                "the results database is damaged: replication %d has no scenario %d", r->rep,
                r->scenario);
    return sc;
}

static int csv_row(void *ctx, const exp_rep *r)
{
    export_ctx *x = ctx;
    json_t *sc = scenario_of(x, r), *set = json_object_get(sc, "set");
    const char *path;
    json_t *v;
    if (!sc)
        return -1;
    fprintf(x->out, "%d,", r->scenario);
    base_csv_put(x->out, json_string_value(json_object_get(sc, "name")));
    json_object_foreach(x->c->paths, path, v) {
        json_t *value = json_object_get(set, path);
        fputc(',', x->out);
        if (value)
            base_csv_put(x->out, json_string_value(value));
    }
    fprintf(x->out, ",%d,%" PRIu64 ",%.17g,%.17g,%" PRIu64 ",", r->rep, r->seed, r->warmup_s,
            r->length_s, r->events);
    base_csv_put(x->out, r->bottleneck);
    for (size_t i = 0; i < r->n_values; i++) {
        fputc(',', x->out);
        csv_number(x->out, r->values[i]);
    }
    fputc('\n', x->out);
    return 0;
}

static int export_done(exp_db *db, FILE *out, int rc, const char *what, ft_error *err)
{
    if (rc == 0 && (fflush(out) != 0 || ferror(out)))
        return ft_fail(err, db->path, 0, 0, "cannot write the %s export: %s", what,
                       strerror(errno));
    return rc;
}

int exp_db_export_csv(exp_db *db, int64_t id, FILE *out, ft_error *err)
{
    catalog c;
    if (catalog_load(db, id, &c, err))
        return -1;
    csv_header(&c, out);
    export_ctx x = {&c, out, 0, db, err};
    int rc = exp_db_each_rep(db, id, json_array_size(c.kpis), csv_row, &x, err);
    catalog_free(&c);
    return export_done(db, out, rc, "CSV", err);
}

/* JSON cannot hold NaN or infinities: they become null. */
static json_t *json_number(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

#define JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(17))

/* The seed is a string: JSON numbers above 2^53 lose digits in JavaScript
 * and in many parsers (jansson refuses those above 2^63), and seeds use all
 * 64 bits. */
static int json_row(void *ctx, const exp_rep *r)
{
    export_ctx *x = ctx;
    if (!scenario_of(x, r))
        return -1;
    char seed[24];
    snprintf(seed, sizeof seed, "%" PRIu64, r->seed);
    json_t *kpis = json_object();
    for (size_t i = 0; i < r->n_values; i++)
        json_object_set_new(kpis, kpi_name(x->c, i), json_number(r->values[i]));
    json_t *row = json_pack("{s:i, s:i, s:s, s:o, s:o, s:I, s:s, s:o}", "scenario", r->scenario,
                            "rep", r->rep, "seed", seed, "warmup_s", json_number(r->warmup_s),
                            "length_s", json_number(r->length_s), "events",
                            (json_int_t)r->events, "bottleneck", r->bottleneck, "kpis", kpis);
    fputs(x->n++ ? ",\n" : "\n", x->out);
    int rc = row ? json_dumpf(row, x->out, JSON_FLAGS) : -1;
    json_decref(row);
    if (rc)
        ft_fail(x->err, x->db->path, 0, 0,
                "replication %d of scenario %d: cannot write it as JSON (its bottleneck name"
                " is not UTF-8, or out of memory)",
                r->rep, r->scenario);
    return rc;
}

/* A JSON array with one element per line: {"a":1},\n{"b":2} */
static void json_lines(const char *key, json_t *arr, FILE *out)
{
    size_t i;
    json_t *v;
    fprintf(out, ",\n\"%s\":[", key);
    json_array_foreach(arr, i, v) {
        fputs(i ? ",\n" : "\n", out);
        json_dumpf(v, out, JSON_FLAGS);
    }
    fputs(i ? "\n]" : "]", out);
}

/* Layout: one line per KPI, scenario and replication, each compact -- a
 * diff of two exports shows which replications differ, and a huge export
 * stays greppable; JSON_INDENT would spread a replication with 200 KPIs
 * over 200 lines. Replications are streamed, never held all at once. */
int exp_db_export_json(exp_db *db, int64_t id, FILE *out, ft_error *err)
{
    catalog c;
    if (catalog_load(db, id, &c, err))
        return -1;
    fputs("{\"format\":\"" EXPORT_FORMAT "\",\n\"experiment\":", out);
    json_dumpf(c.experiment, out, JSON_FLAGS);
    json_lines("kpis", c.kpis, out);
    json_lines("scenarios", c.scenarios, out);
    fputs(",\n\"replications\":[", out);
    export_ctx x = {&c, out, 0, db, err};
    int rc = exp_db_each_rep(db, id, json_array_size(c.kpis), json_row, &x, err);
    fputs(x.n ? "\n]}\n" : "]}\n", out);
    catalog_free(&c);
    return export_done(db, out, rc, "JSON", err);
}
