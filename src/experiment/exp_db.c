/* exp_db.c -- the experiment store: experiments, their scenarios and every
 * replication's KPIs in one SQLite file (the exports are in exp_db_export.c).
 * The schema is documented for people who query it in docs/experiment-db.md.
 *
 * Durability: WAL journal with synchronous=NORMAL. A committed transaction
 * is in the WAL file (the OS page cache at least) before COMMIT returns, so
 * it survives the process being killed at any instant; a power loss or OS
 * crash may lose the last few commits (never tear one), because WAL is only
 * fsynced at checkpoints. synchronous=FULL would fsync every commit; a
 * lost replication is simply run again on resume, so that was not worth
 * it. Replications are written whole inside BEGIN IMMEDIATE ... COMMIT
 * (one or a batch), so a reader only ever sees whole replications.
 *
 * Every query is a prepared statement from QUERIES[], prepared once at open
 * (which also proves that the file has our tables) and bound per use; values
 * never enter SQL text. */
#include "experiment/exp_db_internal.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SCHEMA_VERSION 1
/* Another process holding the write lock (a second runner, a user's
 * sqlite3 shell mid-transaction) is waited for this long, then reported. */
#define BUSY_TIMEOUT_MS 10000

static const char SCHEMA[] =
    "CREATE TABLE experiment(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
    " name TEXT NOT NULL, model_path TEXT NOT NULL, spec_json TEXT NOT NULL,"
    " created_at TEXT NOT NULL);"
    "CREATE TABLE scenario(experiment_id INTEGER NOT NULL REFERENCES experiment(id),"
    " idx INTEGER NOT NULL CHECK(idx >= 0), name TEXT NOT NULL,"
    " PRIMARY KEY(experiment_id, idx)) WITHOUT ROWID;"
    "CREATE TABLE factor_value(experiment_id INTEGER NOT NULL, scenario_idx INTEGER NOT NULL,"
    " pos INTEGER NOT NULL, path TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY(experiment_id, scenario_idx, pos), UNIQUE(experiment_id, scenario_idx, path),"
    " FOREIGN KEY(experiment_id, scenario_idx) REFERENCES scenario(experiment_id, idx))"
    " WITHOUT ROWID;"
    "CREATE TABLE kpi(experiment_id INTEGER NOT NULL REFERENCES experiment(id),"
    " idx INTEGER NOT NULL CHECK(idx >= 0), name TEXT NOT NULL, grp TEXT NOT NULL,"
    " entity TEXT NOT NULL, measure TEXT NOT NULL,"
    " PRIMARY KEY(experiment_id, idx), UNIQUE(experiment_id, name)) WITHOUT ROWID;"
    "CREATE TABLE replication(experiment_id INTEGER NOT NULL, scenario_idx INTEGER NOT NULL,"
    " rep INTEGER NOT NULL CHECK(rep >= 0), seed INTEGER NOT NULL, warmup_s REAL NOT NULL,"
    " length_s REAL NOT NULL, events INTEGER NOT NULL, bottleneck TEXT NOT NULL,"
    " PRIMARY KEY(experiment_id, scenario_idx, rep),"
    " FOREIGN KEY(experiment_id, scenario_idx) REFERENCES scenario(experiment_id, idx))"
    " WITHOUT ROWID;"
    "CREATE TABLE value(experiment_id INTEGER NOT NULL, scenario_idx INTEGER NOT NULL,"
    " rep INTEGER NOT NULL, kpi_idx INTEGER NOT NULL, value REAL,"
    " PRIMARY KEY(experiment_id, scenario_idx, rep, kpi_idx),"
    " FOREIGN KEY(experiment_id, scenario_idx, rep)"
    "  REFERENCES replication(experiment_id, scenario_idx, rep),"
    " FOREIGN KEY(experiment_id, kpi_idx) REFERENCES kpi(experiment_id, idx)) WITHOUT ROWID;"
    "PRAGMA user_version = 1;";

static const char *const QUERIES[Q_N] = {
    [Q_FIND_EXP] = "SELECT id FROM experiment WHERE key = ?1",
    [Q_COUNT_SCN] = "SELECT count(*) FROM scenario WHERE experiment_id = ?1",
    [Q_COUNT_KPI] = "SELECT count(*) FROM kpi WHERE experiment_id = ?1",
    [Q_KPIS] = "SELECT idx, name, grp, entity, measure FROM kpi WHERE experiment_id = ?1"
               " ORDER BY idx",
    [Q_INS_EXP] = "INSERT INTO experiment(key, name, model_path, spec_json, created_at)"
                  " VALUES(?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
    [Q_INS_SCN] = "INSERT INTO scenario(experiment_id, idx, name) VALUES(?1, ?2, ?3)",
    [Q_INS_FAC] = "INSERT INTO factor_value(experiment_id, scenario_idx, pos, path, value)"
                  " VALUES(?1, ?2, ?3, ?4, ?5)",
    [Q_INS_KPI] = "INSERT INTO kpi(experiment_id, idx, name, grp, entity, measure)"
                  " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_INS_REP] = "INSERT INTO replication(experiment_id, scenario_idx, rep, seed, warmup_s,"
                  " length_s, events, bottleneck) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_INS_VAL] = "INSERT INTO value(experiment_id, scenario_idx, rep, kpi_idx, value)"
                  " VALUES(?1, ?2, ?3, ?4, ?5)",
    [Q_REPS] = "SELECT scenario_idx, rep, seed, warmup_s, length_s, events, bottleneck"
               " FROM replication WHERE experiment_id = ?1 ORDER BY scenario_idx, rep",
    [Q_VALS] = "SELECT kpi_idx, value FROM value WHERE experiment_id = ?1"
               " AND scenario_idx = ?2 AND rep = ?3 ORDER BY kpi_idx",
    [Q_LATEST] = "SELECT coalesce(max(id), 0) FROM experiment",
    [Q_EXP] = "SELECT name, model_path, spec_json FROM experiment WHERE id = ?1",
    [Q_SCNS] = "SELECT idx, name FROM scenario WHERE experiment_id = ?1 ORDER BY idx",
    [Q_FACS] = "SELECT scenario_idx, path, value FROM factor_value WHERE experiment_id = ?1"
               " ORDER BY scenario_idx, pos",
};

/* ---- helpers ------------------------------------------------------------ */

int edb_fail(exp_db *db, ft_error *err, const char *what)
{
    return ft_fail(err, db->path, 0, 0, "%s: %s", what, sqlite3_errmsg(db->conn));
}

/* A cached statement, reset, ready to bind. Statements are reset again
 * after use so that no read transaction stays open between calls. */
sqlite3_stmt *edb_query(exp_db *db, int which)
{
    sqlite3_reset(db->q[which]);
    return db->q[which];
}

/* NULL is stored as "": every text column is NOT NULL. Bind errors are not
 * checked one by one: the only ones possible here (out of memory, a string
 * over SQLite's 1 GB limit) leave the parameter NULL, which the NOT NULL
 * constraints then report at sqlite3_step. */
static void bind_text(sqlite3_stmt *s, int i, const char *text)
{
    sqlite3_bind_text(s, i, text ? text : "", -1, SQLITE_STATIC);
}

const char *edb_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? (const char *)t : "";
}

/* Run a statement that returns no rows; 0 or its (extended) error code. The
 * error message stays readable through sqlite3_errmsg after the reset. */
static int run(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : rc;
}

/* The single integer a one-row query returns. */
static int query_int(exp_db *db, sqlite3_stmt *s, int64_t *out, ft_error *err)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : edb_fail(db, err, "cannot read the results database");
}

static int count_kpis(exp_db *db, int64_t id, int64_t *n, ft_error *err)
{
    sqlite3_stmt *s = edb_query(db, Q_COUNT_KPI);
    sqlite3_bind_int64(s, 1, id);
    return query_int(db, s, n, err);
}

/* Seeds are full 64-bit patterns and SQLite integers are signed: store the
 * two's-complement pattern, written portably (a plain cast of a value above
 * INT64_MAX is implementation-defined). */
static int64_t u64_to_i64(uint64_t u)
{
    return u <= INT64_MAX ? (int64_t)u : -(int64_t)(UINT64_MAX - u) - 1;
}

static int begin(exp_db *db, ft_error *err)
{
    if (sqlite3_exec(db->conn, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return edb_fail(db, err, "cannot start a transaction");
    return 0;
}

static int commit(exp_db *db, ft_error *err)
{
    if (sqlite3_exec(db->conn, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return edb_fail(db, err, "cannot commit to the results database");
    return 0;
}

/* After an error SQLite may already have rolled back (disk full, I/O error);
 * only roll back a transaction that is still open. */
static void rollback(exp_db *db)
{
    if (!sqlite3_get_autocommit(db->conn))
        sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- open --------------------------------------------------------------- */

/* Why a path cannot be written, in the user's terms: SQLite only says
 * "unable to open database file", so look at the directory ourselves. */
static void why_unwritable(const char *path, int sys_errno, char *buf, size_t size)
{
    char dir[512];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    struct stat st;
    if (stat(dir, &st) != 0 && errno == ENOENT)
        snprintf(buf, size, " (directory %s does not exist)", dir);
    else if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        snprintf(buf, size, " (%s is not a directory)", dir);
    else if (sys_errno)
        snprintf(buf, size, " (%s)", strerror(sys_errno));
    else
        buf[0] = '\0';
}

/* The connection's last error as a message about opening the store. */
static int open_fail(exp_db *db, ft_error *err)
{
    if (!db->conn)
        return ft_fail(err, db->path, 0, 0, "cannot open the results database: out of memory");
    const char *msg = sqlite3_errmsg(db->conn);
    int code = sqlite3_errcode(db->conn) & 0xff;
    if (code == SQLITE_NOTADB)
        return ft_fail(err, db->path, 0, 0,
                       "not an SQLite database, so not a fabtwin results database (%s)", msg);
    if (code == SQLITE_CORRUPT)
        return ft_fail(err, db->path, 0, 0, "the results database is damaged: %s", msg);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return ft_fail(err, db->path, 0, 0,
                       "the results database is locked by another process: %s", msg);
    if (code != SQLITE_CANTOPEN && code != SQLITE_READONLY && code != SQLITE_PERM &&
        code != SQLITE_IOERR && code != SQLITE_FULL)
        return ft_fail(err, db->path, 0, 0, "cannot open the results database: %s", msg);
    char why[600];
    why_unwritable(db->path, sqlite3_system_errno(db->conn), why, sizeof why);
    return ft_fail(err, db->path, 0, 0, "cannot write the results database: %s%s", msg, why);
}

/* Creates the schema in a new (empty) file, accepts our own version and
 * refuses anything else. The write transaction doubles as the writability
 * check: BEGIN IMMEDIATE takes the write lock and creates the WAL file, so
 * an unwritable file or directory fails here, before any simulation. */
static int ensure_schema(exp_db *db, ft_error *err)
{
    static const char probe[] = "SELECT (SELECT user_version FROM pragma_user_version),"
                                " (SELECT count(*) FROM sqlite_master)";
    sqlite3_stmt *s = NULL;
    if (sqlite3_exec(db->conn, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->conn, probe, -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW)
        goto sql_err;
    int64_t version = sqlite3_column_int64(s, 0), n_objects = sqlite3_column_int64(s, 1);
    sqlite3_finalize(s);
    s = NULL;
    if (version == 0 && n_objects == 0) {
        if (sqlite3_exec(db->conn, SCHEMA, NULL, NULL, NULL) != SQLITE_OK)
            goto sql_err;
    } else if (version == 0) {
        ft_fail(err, db->path, 0, 0,
                "holds the tables of another program, not a fabtwin results database");
        goto err;
    } else if (version != SCHEMA_VERSION) {
        ft_fail(err, db->path, 0, 0,
                "not a fabtwin results database of this version (its schema version is %" PRId64
                ", this fabtwin reads version %d)",
                version, SCHEMA_VERSION);
        goto err;
    }
    if (sqlite3_exec(db->conn, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return 0;
sql_err:
    open_fail(db, err);
err:
    sqlite3_finalize(s);
    rollback(db);
    return -1;
}

void exp_db_close(exp_db *db)
{
    if (!db)
        return;
    for (int i = 0; i < Q_N; i++)
        sqlite3_finalize(db->q[i]);
    sqlite3_close(db->conn);
    free(db->path);
    free(db);
}

/* The schema of a database opened read-only: only checked, never made. */
static int check_schema(exp_db *db, ft_error *err)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db->conn, "SELECT user_version FROM pragma_user_version", -1, &s,
                           NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        return open_fail(db, err);
    }
    int64_t version = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    if (version == 0)
        return ft_fail(err, db->path, 0, 0, "not a fabtwin results database (no fabtwin schema)");
    if (version != SCHEMA_VERSION)
        return ft_fail(err, db->path, 0, 0,
                       "not a fabtwin results database of this version (its schema version is %" PRId64
                       ", this fabtwin reads version %d)",
                       version, SCHEMA_VERSION);
    return 0;
}

static exp_db *open_db(const char *path, bool read_only, ft_error *err)
{
    assert(path);
    exp_db *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        ft_fail(err, path, 0, 0, "cannot open the results database: out of memory");
        goto err;
    }
    struct stat st;
    if (read_only && stat(path, &st) != 0) { /* SQLite would only say "unable to open" */
        ft_fail(err, path, 0, 0, "cannot open the results database: %s", strerror(errno));
        goto err;
    }
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &db->conn, flags, NULL) != SQLITE_OK) {
        open_fail(db, err);
        goto err;
    }
    sqlite3_extended_result_codes(db->conn, 1);
    sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
    /* journal_mode is the first statement to read the file, so a file that is
     * not a database fails here. WAL lets people read the store (sqlite3,
     * the exports) while a run writes it. A file system without shared
     * memory keeps the rollback journal: just as atomic, so not an error.
     * A reader only checks the schema (which reads the file too). */
    if (read_only ? check_schema(db, err) != 0
                  : sqlite3_exec(db->conn, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                                           " PRAGMA foreign_keys = ON",
                                 NULL, NULL, NULL) != SQLITE_OK) {
        if (!read_only)
            open_fail(db, err);
        goto err;
    }
    if (!read_only && ensure_schema(db, err))
        goto err;
    for (int i = 0; i < Q_N; i++) {
        if (sqlite3_prepare_v3(db->conn, QUERIES[i], -1, SQLITE_PREPARE_PERSISTENT, &db->q[i],
                               NULL) != SQLITE_OK) {
            edb_fail(db, err, "not a fabtwin results database");
            goto err;
        }
    }
    return db;
err:
    exp_db_close(db);
    return NULL;
}

exp_db *exp_db_open(const char *path, ft_error *err)
{
    return open_db(path, false, err);
}

exp_db *exp_db_open_read(const char *path, ft_error *err)
{
    return open_db(path, true, err);
}

/* ---- experiments -------------------------------------------------------- */

/* A resumed experiment must be the one this run defines: the key is a
 * digest, so a mismatch means a collision or a fabtwin whose KPI list
 * changed between versions -- either would file values under wrong names. */
static int check_same(exp_db *db, int64_t id, size_t n_scenarios, const exp_kpi_defs *kpis,
                      ft_error *err)
{
    static const char other[] = "the database holds a different experiment under the same key";
    int64_t n = 0;
    sqlite3_stmt *s = edb_query(db, Q_COUNT_SCN);
    sqlite3_bind_int64(s, 1, id);
    if (query_int(db, s, &n, err))
        return -1;
    if ((uint64_t)n != n_scenarios)
        return ft_fail(err, db->path, 0, 0, "%s (%" PRId64 " scenarios, this run has %zu)", other,
                       n, n_scenarios);
    s = edb_query(db, Q_KPIS);
    sqlite3_bind_int64(s, 1, id);
    size_t i = 0;
    int rc = SQLITE_DONE, ret = 0;
    while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = edb_text(s, 1);
        if (i >= kpis->n || strcmp(name, kpis->defs[i].name) != 0)
            ret = ft_fail(err, db->path, 0, 0, "%s (its KPI %zu is \"%s\", this run's is \"%s\")",
                          other, i, name, i < kpis->n ? kpis->defs[i].name : "(none)");
        i++;
    }
    if (!ret && rc != SQLITE_DONE)
        ret = edb_fail(db, err, "cannot read the KPI definitions");
    if (!ret && i != kpis->n)
        ret = ft_fail(err, db->path, 0, 0, "%s (%zu KPIs, this run has %zu)", other, i, kpis->n);
    sqlite3_reset(s);
    return ret;
}

static int insert_error(exp_db *db, int rc, ft_error *err, const char *what, const char *name)
{
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return ft_fail(err, db->path, 0, 0, "cannot store the experiment: %s \"%s\" appears twice",
                       what, name);
    return edb_fail(db, err, "cannot store the experiment");
}

static int insert_scenario(exp_db *db, int64_t id, size_t idx, const exp_db_scenario *sc,
                           ft_error *err)
{
    sqlite3_stmt *s = edb_query(db, Q_INS_SCN);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, (int64_t)idx);
    bind_text(s, 3, sc->name);
    int rc = run(s);
    if (rc)
        return insert_error(db, rc, err, "scenario", sc->name);
    s = edb_query(db, Q_INS_FAC);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, (int64_t)idx);
    for (size_t f = 0; f < sc->n_set; f++) {
        sqlite3_bind_int64(s, 3, (int64_t)f);
        bind_text(s, 4, sc->paths[f]);
        bind_text(s, 5, sc->values[f]);
        if ((rc = run(s)))
            return insert_error(db, rc, err, "a scenario's parameter", sc->paths[f]);
    }
    return 0;
}

static int insert_experiment(exp_db *db, const char *key, const char *name,
                             const char *model_path, const char *spec_json,
                             const exp_db_scenario *scenarios, size_t n_scenarios,
                             const exp_kpi_defs *kpis, int64_t *id, ft_error *err)
{
    sqlite3_stmt *s = edb_query(db, Q_INS_EXP);
    bind_text(s, 1, key);
    bind_text(s, 2, name);
    bind_text(s, 3, model_path);
    bind_text(s, 4, spec_json);
    if (run(s))
        return edb_fail(db, err, "cannot store the experiment");
    *id = sqlite3_last_insert_rowid(db->conn);
    for (size_t i = 0; i < n_scenarios; i++)
        if (insert_scenario(db, *id, i, &scenarios[i], err))
            return -1;
    s = edb_query(db, Q_INS_KPI);
    sqlite3_bind_int64(s, 1, *id);
    for (size_t i = 0; i < kpis->n; i++) {
        const exp_kpi_def *k = &kpis->defs[i];
        sqlite3_bind_int64(s, 2, (int64_t)i);
        bind_text(s, 3, k->name);
        bind_text(s, 4, k->group);
        bind_text(s, 5, k->entity);
        bind_text(s, 6, k->measure);
        int rc = run(s);
        if (rc)
            return insert_error(db, rc, err, "KPI", k->name);
    }
    return 0;
}

int exp_db_experiment(exp_db *db, const char *key, const char *name, const char *model_path,
                      const char *spec_json, const exp_db_scenario *scenarios,
                      size_t n_scenarios, const exp_kpi_defs *kpis, int64_t *id, bool *resumed,
                      ft_error *err)
{
    assert(key && spec_json && kpis);
    /* The exports parse the definition back; refuse it now, not then. */
    json_error_t jerr;
    json_t *spec = json_loads(spec_json, JSON_DECODE_ANY, &jerr);
    if (!spec)
        return ft_fail(err, db->path, 0, 0, "the experiment's definition is not JSON: %s",
                       jerr.text);
    json_decref(spec);
    /* Look-up and insert in one write transaction: two runners starting the
     * same experiment cannot both create it. */
    if (begin(db, err))
        return -1;
    int64_t found = 0;
    sqlite3_stmt *s = edb_query(db, Q_FIND_EXP);
    bind_text(s, 1, key);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        found = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW) {
        if (check_same(db, found, n_scenarios, kpis, err))
            goto fail;
    } else if (rc != SQLITE_DONE) {
        edb_fail(db, err, "cannot look up the experiment");
        goto fail;
    } else if (insert_experiment(db, key, name, model_path, spec_json, scenarios, n_scenarios,
                                 kpis, &found, err)) {
        goto fail;
    }
    if (commit(db, err))
        goto fail;
    *id = found;
    *resumed = rc == SQLITE_ROW;
    return 0;
fail:
    rollback(db);
    return -1;
}

int exp_db_latest(exp_db *db, int64_t *id, ft_error *err)
{
    return query_int(db, edb_query(db, Q_LATEST), id, err);
}

/* ---- replications ------------------------------------------------------- */

static int insert_rep_row(exp_db *db, int64_t id, const exp_rep *r, ft_error *err)
{
    sqlite3_stmt *s = edb_query(db, Q_INS_REP);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, r->scenario);
    sqlite3_bind_int(s, 3, r->rep);
    sqlite3_bind_int64(s, 4, u64_to_i64(r->seed));
    sqlite3_bind_double(s, 5, r->warmup_s);
    sqlite3_bind_double(s, 6, r->length_s);
    sqlite3_bind_int64(s, 7, (int64_t)r->events);
    sqlite3_bind_text(s, 8, r->bottleneck, (int)strnlen(r->bottleneck, EXP_NAME_MAX),
                      SQLITE_STATIC);
    int rc = run(s);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return ft_fail(err, db->path, 0, 0,
                       "replication %d of scenario %d (experiment %" PRId64 ") is already stored",
                       r->rep, r->scenario, id);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return ft_fail(err, db->path, 0, 0, "experiment %" PRId64 " has no scenario %d", id,
                       r->scenario);
    return rc ? edb_fail(db, err, "cannot store a replication") : 0;
}

/* One replication's rows inside the caller's transaction: the replication
 * row first, then the KPI count check, then the values; any failure makes
 * the caller roll the row back with the values. */
static int put_one(exp_db *db, int64_t id, const exp_rep *r, ft_error *err)
{
    assert(r && (r->values || r->n_values == 0));
    if (r->events > INT64_MAX)
        return ft_fail(err, db->path, 0, 0, "event count %" PRIu64 " is too large to store",
                       r->events);
    int64_t n_kpis = 0;
    if (insert_rep_row(db, id, r, err) || count_kpis(db, id, &n_kpis, err))
        return -1;
    if ((uint64_t)n_kpis != r->n_values)
        return ft_fail(err, db->path, 0, 0,
                       "replication %d of scenario %d has %zu KPI values, experiment %" PRId64
                       " defines %" PRId64,
                       r->rep, r->scenario, r->n_values, id, n_kpis);
    sqlite3_stmt *s = edb_query(db, Q_INS_VAL);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, r->scenario);
    sqlite3_bind_int(s, 3, r->rep);
    for (size_t i = 0; i < r->n_values; i++) {
        sqlite3_bind_int64(s, 4, (int64_t)i);
        sqlite3_bind_double(s, 5, r->values[i]); /* NaN is stored as NULL */
        if (run(s))
            return edb_fail(db, err, "cannot store a KPI value");
    }
    return 0;
}

int exp_db_put_reps(exp_db *db, int64_t id, const exp_rep *const *reps, size_t n, ft_error *err)
{
    if (begin(db, err))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (put_one(db, id, reps[i], err)) {
            rollback(db);
            return -1;
        }
    if (commit(db, err)) {
        rollback(db);
        return -1;
    }
    return 0;
}

int exp_db_put_rep(exp_db *db, int64_t id, const exp_rep *r, ft_error *err)
{
    return exp_db_put_reps(db, id, &r, 1, err);
}

/* values[0..n) of one replication; a missing or extra row means the file was
 * changed behind our back (put_rep never leaves one), so it is an error. */
static int read_values(exp_db *db, int64_t id, const exp_rep *r, size_t n, ft_error *err)
{
    sqlite3_stmt *s = edb_query(db, Q_VALS);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, r->scenario);
    sqlite3_bind_int(s, 3, r->rep);
    size_t i = 0;
    int rc, type = SQLITE_NULL;
    /* a value stored as text or a blob would read as 0: refused, not exported */
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && i < n &&
           sqlite3_column_int64(s, 0) == (int64_t)i &&
           ((type = sqlite3_column_type(s, 1)) == SQLITE_NULL || type == SQLITE_FLOAT ||
            type == SQLITE_INTEGER)) {
        r->values[i++] = type == SQLITE_NULL ? NAN : sqlite3_column_double(s, 1);
    }
    int ret = 0;
    if (rc == SQLITE_ROW && i < n && sqlite3_column_int64(s, 0) == (int64_t)i)
        ret = ft_fail(err, db->path, 0, 0,
                      "the results database is damaged: replication %d of scenario %d has a"
                      " value for KPI %zu that is not a number (%s '%.40s')",
                      r->rep, r->scenario, i, type == SQLITE_BLOB ? "a blob" : "text",
                      type == SQLITE_BLOB ? "" : (const char *)sqlite3_column_text(s, 1));
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        ret = edb_fail(db, err, "cannot read the KPI values");
    else if (i < n)
        ret = ft_fail(err, db->path, 0, 0,
                      "the results database is damaged: replication %d of scenario %d has no"
                      " value for KPI %zu",
                      r->rep, r->scenario, i);
    else if (rc == SQLITE_ROW)
        ret = ft_fail(err, db->path, 0, 0,
                      "the results database is damaged: replication %d of scenario %d has a"
                      " value for KPI %" PRId64 ", which does not exist",
                      r->rep, r->scenario, (int64_t)sqlite3_column_int64(s, 0));
    sqlite3_reset(s);
    return ret;
}

static void read_rep(sqlite3_stmt *s, exp_rep *r)
{
    r->scenario = sqlite3_column_int(s, 0);
    r->rep = sqlite3_column_int(s, 1);
    r->seed = (uint64_t)sqlite3_column_int64(s, 2); /* modulo 2^64: the stored pattern */
    r->warmup_s = sqlite3_column_double(s, 3);
    r->length_s = sqlite3_column_double(s, 4);
    r->events = (uint64_t)sqlite3_column_int64(s, 5);
    snprintf(r->bottleneck, sizeof r->bottleneck, "%s", edb_text(s, 6));
}

/* One snapshot throughout: while the cursor over the replications is open,
 * the connection's read transaction is, and the per-replication value
 * look-ups (a primary-key seek each) read inside it. For the same reason fn
 * must not call back into this store: the statements are shared. */
int exp_db_each_rep(exp_db *db, int64_t id, size_t n_kpis,
                    int (*fn)(void *ctx, const exp_rep *r), void *ctx, ft_error *err)
{
    int64_t stored = 0;
    if (count_kpis(db, id, &stored, err))
        return -1;
    if ((uint64_t)stored != n_kpis)
        return ft_fail(err, db->path, 0, 0,
                       "experiment %" PRId64 " has %" PRId64 " KPIs, not %zu as expected", id,
                       stored, n_kpis);
    exp_rep r = {.n_values = n_kpis};
    if (!(r.values = malloc((n_kpis ? n_kpis : 1) * sizeof *r.values)))
        return ft_fail(err, db->path, 0, 0, "out of memory");
    sqlite3_stmt *s = edb_query(db, Q_REPS);
    sqlite3_bind_int64(s, 1, id);
    int rc = SQLITE_DONE, ret = 0;
    while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_rep(s, &r);
        ret = read_values(db, id, &r, n_kpis, err);
        if (!ret)
            ret = fn(ctx, &r);
    }
    if (!ret && rc != SQLITE_DONE)
        ret = edb_fail(db, err, "cannot read the replications");
    sqlite3_reset(s);
    free(r.values);
    return ret;
}
