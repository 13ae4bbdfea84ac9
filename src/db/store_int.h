/*
 * store_int.h — what the store's files share and nobody else sees.
 */
#ifndef ZPUB_STORE_INT_H
#define ZPUB_STORE_INT_H

#include "sqldb.h"

#include "store.h"

struct store {
	struct sdb *db;
	char *data_dir;
	int schema_version;
	char face[16];          /* store_set_face(): what usage rows carry */
};

int store_sqlerr(struct store *st, struct zpub_err *err, const char *what);
struct sdb_stmt *store_prep(struct store *st, const char *sql, struct zpub_err *err);
int store_exec(struct store *st, const char *sql, struct zpub_err *err);
char *store_col_str(struct sdb_stmt *s, int i);
/* A unit of work that nests: a savepoint inside a transaction, else a
 * transaction of its own (*own = 1).  store_sp_end() commits or, when rc is
 * not 0, rolls back, and returns rc (or the commit's error). */
int store_sp_begin(struct store *st, const char *name, int *own, struct zpub_err *err);
int store_sp_end(struct store *st, const char *name, int own, int rc, struct zpub_err *err);
/* 1 on PostgreSQL, where a few queries are spelled differently. */
#define store_is_pg(st)	(sdb_kind((st)->db) == SDB_PG)
/* Path relative to the data dir when inside it; otherwise unchanged. */
const char *store_rel_path(struct store *st, const char *abs);
/* Absolute path from a stored one (malloc'd). */
char *store_abs_path(struct store *st, const char *stored);

/* Steps s to its end, filling one zeroed item of `size` bytes per row with
 * fn into a growing array; finalizes s.  *out and *n get the rows read even
 * on error (the caller frees them as usual); `what` names the query in the
 * error ("listing jobs"). */
typedef void (*store_row_fn)(struct store *st, struct sdb_stmt *s, void *item);
int store_collect(struct store *st, struct sdb_stmt *s, size_t size, store_row_fn fn,
    void **out, int *n, const char *what, struct zpub_err *err);

/* 1 when a lease owner ("kind@host:pid") ran on this host and its
 * process is gone (store_recording.c). */
int store_owner_is_dead(const char *owner);
/* Why a progress report changed nothing: ZPUB_ECANCEL when owner holds
 * the lease and a stop was asked, else ZPUB_EBUSY (store_stop.c). */
int store_stop_asked(struct store *st, int64_t id, const char *owner, struct zpub_err *err);

/* Registers zpub_fold() and zpub_match() (store_ui.c) on a new connection. */
int store_fold_init(struct store *st, struct zpub_err *err);

#endif
