/* exp_db_internal.h -- what the two files of the experiment store share:
 * the connection with its prepared statements and three helpers. Only
 * exp_db.c and exp_db_export.c include it. */
#ifndef FABTWIN_EXP_DB_INTERNAL_H
#define FABTWIN_EXP_DB_INTERNAL_H

#include <sqlite3.h>

#include "experiment/exp_db.h"

enum {
    Q_FIND_EXP, Q_COUNT_SCN, Q_COUNT_KPI, Q_KPIS, Q_INS_EXP, Q_INS_SCN, Q_INS_FAC, Q_INS_KPI,
    Q_INS_REP, Q_INS_VAL, Q_REPS, Q_VALS, Q_LATEST, Q_EXP, Q_SCNS, Q_FACS, Q_N
};

struct exp_db {
    sqlite3 *conn;
    char *path;
    sqlite3_stmt *q[Q_N];
};

/* "PATH: what: sqlite's message"; returns -1. */
int edb_fail(exp_db *db, ft_error *err, const char *what);
/* A cached statement, reset, ready to bind. */
sqlite3_stmt *edb_query(exp_db *db, int which);
/* A text column; "" for NULL. */
const char *edb_text(sqlite3_stmt *s, int i);

#endif
