/*
 * sqldb_lite.c — the SQL interface on SQLite: the embedded default, one file
 * in the data folder (WAL, a 10 s busy wait, foreign keys on).
 */
#include "sqldb_int.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

struct lite {
	struct sdb head;
	sqlite3 *h;
	char *msg;		/* sqlite3_exec's message, else NULL */
};

struct lite_stmt {
	struct sdb_stmt head;
	sqlite3_stmt *s;
};

#define L(db)	((struct lite *)(db))
#define S(st)	(((struct lite_stmt *)(st))->s)

static void
lite_close(struct sdb *db)
{
	sqlite3_close(L(db)->h);
	free(L(db)->msg);
	free(db->name);
	free(db);
}

static int
lite_prepare(struct sdb *db, const char *sql, struct sdb_stmt **out)
{
	sqlite3_stmt *s = NULL;
	free(L(db)->msg);
	L(db)->msg = NULL;
	if (sqlite3_prepare_v2(L(db)->h, sql, -1, &s, NULL) != SQLITE_OK)
		return SDB_ERROR;
	struct lite_stmt *ls = xcalloc(1, sizeof *ls);
	ls->head.db = db;
	ls->s = s;
	*out = &ls->head;
	return 0;
}

static int
lite_step(struct sdb_stmt *st)
{
	free(L(st->db)->msg);
	L(st->db)->msg = NULL;
	int rc = sqlite3_step(S(st));
	return rc == SQLITE_ROW ? SDB_ROW : rc == SQLITE_DONE ? SDB_DONE : SDB_ERROR;
}

static void
lite_reset(struct sdb_stmt *st)
{
	sqlite3_reset(S(st));
}

static void
lite_finalize(struct sdb_stmt *st)
{
	sqlite3_finalize(S(st));
	free(st);
}

static void
lite_bind(struct sdb_stmt *st, int i, const struct sdb_val *v)
{
	switch (v->type) {
	case SDB_INTEGER:
		sqlite3_bind_int64(S(st), i, v->i);
		break;
	case SDB_FLOAT:
		sqlite3_bind_double(S(st), i, v->d);
		break;
	case SDB_TEXT:
		sqlite3_bind_text(S(st), i, v->p, (int)v->n, SQLITE_TRANSIENT);
		break;
	case SDB_BLOB:
		sqlite3_bind_blob(S(st), i, v->p, (int)v->n, SQLITE_TRANSIENT);
		break;
	default:
		sqlite3_bind_null(S(st), i);
	}
}

static int
lite_col_type(struct sdb_stmt *st, int i)
{
	return sqlite3_column_type(S(st), i);	/* the same numbers as SDB_* */
}

static int64_t
lite_col_int64(struct sdb_stmt *st, int i)
{
	return sqlite3_column_int64(S(st), i);
}

static double
lite_col_double(struct sdb_stmt *st, int i)
{
	return sqlite3_column_double(S(st), i);
}

static const unsigned char *
lite_col_text(struct sdb_stmt *st, int i)
{
	return sqlite3_column_text(S(st), i);
}

static const void *
lite_col_blob(struct sdb_stmt *st, int i)
{
	return sqlite3_column_blob(S(st), i);
}

static int
lite_col_bytes(struct sdb_stmt *st, int i)
{
	return sqlite3_column_bytes(S(st), i);
}

static int
lite_col_count(struct sdb_stmt *st)
{
	return sqlite3_column_count(S(st));
}

static const char *
lite_col_name(struct sdb_stmt *st, int i)
{
	return sqlite3_column_name(S(st), i);
}

static int
lite_exec(struct sdb *db, const char *sql)
{
	char *msg = NULL;
	free(L(db)->msg);
	L(db)->msg = NULL;
	if (sqlite3_exec(L(db)->h, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	if (msg) {
		L(db)->msg = xstrdup(msg);
		sqlite3_free(msg);
	}
	return SDB_ERROR;
}

static int
lite_changes(struct sdb *db)
{
	return sqlite3_changes(L(db)->h);
}

static int
lite_in_tx(struct sdb *db)
{
	return !sqlite3_get_autocommit(L(db)->h);
}

static enum sdb_errclass
lite_errclass(struct sdb *db)
{
	int x = sqlite3_extended_errcode(L(db)->h);
	switch (x & 0xff) {
	case SQLITE_OK: case SQLITE_ROW: case SQLITE_DONE:
		return SDB_E_NONE;
	case SQLITE_BUSY: case SQLITE_LOCKED:
		return SDB_E_BUSY;
	case SQLITE_FULL:
		return SDB_E_FULL;
	case SQLITE_CONSTRAINT:
		return x == SQLITE_CONSTRAINT_UNIQUE || x == SQLITE_CONSTRAINT_PRIMARYKEY ?
		    SDB_E_UNIQUE : SDB_E_CONSTRAINT;
	default:
		return SDB_E_OTHER;
	}
}

static const char *
lite_errmsg(struct sdb *db)
{
	return L(db)->msg ? L(db)->msg : sqlite3_errmsg(L(db)->h);
}

static int64_t
lite_data_version(struct sdb *db)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;
	if (sqlite3_prepare_v2(L(db)->h, "PRAGMA data_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static const struct sdb_ops lite_ops = {
	lite_close, lite_prepare, lite_step, lite_reset, lite_finalize, lite_bind,
	lite_col_type, lite_col_int64, lite_col_double, lite_col_text, lite_col_blob,
	lite_col_bytes, lite_col_count, lite_col_name, lite_exec, lite_changes, lite_in_tx, lite_errclass, lite_errmsg,
	lite_data_version,
};

void *
sdb_lite_handle(struct sdb *db)
{
	return L(db)->h;
}

int
sdb_lite_open(const char *path, struct sdb **out, char **why)
{
	struct lite *l = xcalloc(1, sizeof *l);
	l->head.kind = SDB_SQLITE;
	l->head.ops = &lite_ops;
	l->head.name = xstrdup(path);
	/* The database holds ciphertext and personal data: 0600 from birth. */
	mode_t old = umask(077);
	int rc = sqlite3_open_v2(path, &l->h,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
	umask(old);
	if (rc != SQLITE_OK) {
		*why = xasprintf("cannot open database %s: %s", path,
		    l->h ? sqlite3_errmsg(l->h) : "out of memory");
		lite_close(&l->head);
		return SDB_ERROR;
	}
	sqlite3_busy_timeout(l->h, 10000);
	if (lite_exec(&l->head, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;") != 0) {
		*why = xasprintf("setting up database %s: %s", path, lite_errmsg(&l->head));
		lite_close(&l->head);
		return SDB_ERROR;
	}
	*out = &l->head;
	return 0;
}
