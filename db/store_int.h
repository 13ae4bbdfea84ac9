/*
 * store_int.h — what the store's files share and nobody else sees.
 */
#ifndef ZPUB_STORE_INT_H
#define ZPUB_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

struct store {
	sqlite3 *db;
	char *data_dir;
	int schema_version;
};

int store_sqlerr(struct store *st, struct zpub_err *err, const char *what);
sqlite3_stmt *store_prep(struct store *st, const char *sql, struct zpub_err *err);
int store_exec(struct store *st, const char *sql, struct zpub_err *err);
char *store_col_str(sqlite3_stmt *s, int i);
/* Path relative to the data dir when inside it; otherwise unchanged. */
const char *store_rel_path(struct store *st, const char *abs);
/* Absolute path from a stored one (malloc'd). */
char *store_abs_path(struct store *st, const char *stored);

#endif
