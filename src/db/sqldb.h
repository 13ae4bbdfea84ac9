/*
 * sqldb.h — one small SQL interface with two back ends: SQLite (the embedded
 * default, sqldb_lite.c) and PostgreSQL through libpq (the store many hosts
 * share, sqldb_pg.c).  The store's files speak only this; the calls mirror
 * SQLite's so a query reads the same whichever database runs it.
 *
 * Queries use SQLite's placeholders (`?` and `?N`); the PostgreSQL back end
 * rewrites them to `$N`.  Text and blobs bound are always copied.
 */
#ifndef ZPUB_SQLDB_H
#define ZPUB_SQLDB_H

#include <stddef.h>
#include <stdint.h>

struct sdb;
struct sdb_stmt;

enum sdb_kind { SDB_SQLITE, SDB_PG };

/* What sdb_step() returns. */
#define SDB_ROW		100
#define SDB_DONE	101
#define SDB_ERROR	1

/* sdb_column_type() */
#define SDB_INTEGER	1
#define SDB_FLOAT	2
#define SDB_TEXT	3
#define SDB_BLOB	4
#define SDB_NULL	5

/* What went wrong last, in the classes the store acts on. */
enum sdb_errclass {
	SDB_E_NONE,
	SDB_E_OTHER,
	SDB_E_BUSY,		/* locked by another writer, or a serialization failure */
	SDB_E_FULL,		/* the disk holding the database is full */
	SDB_E_CONSTRAINT,	/* a CHECK, NOT NULL or foreign key refused the row */
	SDB_E_UNIQUE,		/* a UNIQUE or primary key refused the row */
	SDB_E_CONN,		/* the connection to the server is lost */
	SDB_E_AUTH,		/* the server refused the login */
};

/* 1 when target names a PostgreSQL database (postgres:// or postgresql://). */
int	sdb_is_url(const char *target);
/* 1 when a PostgreSQL URL carries a password. */
int	sdb_url_has_password(const char *url);
/* Opens target (a file path, or a PostgreSQL URL).  On failure *out is NULL
 * and *why (malloc'd) says what happened in one sentence; a URL's password
 * never appears in it. */
int	sdb_open(const char *target, struct sdb **out, char **why);
void	sdb_close(struct sdb *db);
enum sdb_kind sdb_kind(const struct sdb *db);
/* "database zpub on 10.0.0.5:5432" or the file's path: for messages. */
const char *sdb_name(const struct sdb *db);
/* The SQLite handle for registering functions; NULL on PostgreSQL. */
void	*sdb_sqlite_handle(struct sdb *db);

int	sdb_prepare(struct sdb *db, const char *sql, struct sdb_stmt **out);
int	sdb_step(struct sdb_stmt *s);
void	sdb_reset(struct sdb_stmt *s);
void	sdb_finalize(struct sdb_stmt *s);

void	sdb_bind_int64(struct sdb_stmt *s, int i, int64_t v);
void	sdb_bind_int(struct sdb_stmt *s, int i, int v);
void	sdb_bind_double(struct sdb_stmt *s, int i, double v);
void	sdb_bind_null(struct sdb_stmt *s, int i);
/* len < 0: up to the NUL.  A NULL text binds NULL. */
void	sdb_bind_text(struct sdb_stmt *s, int i, const char *t, int len);
void	sdb_bind_blob(struct sdb_stmt *s, int i, const void *p, int n);

int64_t	sdb_column_int64(struct sdb_stmt *s, int i);
int	sdb_column_int(struct sdb_stmt *s, int i);
double	sdb_column_double(struct sdb_stmt *s, int i);
const unsigned char *sdb_column_text(struct sdb_stmt *s, int i);
const void *sdb_column_blob(struct sdb_stmt *s, int i);
int	sdb_column_bytes(struct sdb_stmt *s, int i);
int	sdb_column_type(struct sdb_stmt *s, int i);
/* The result's columns (after the first step on PostgreSQL). */
int	sdb_column_count(struct sdb_stmt *s);
const char *sdb_column_name(struct sdb_stmt *s, int i);

/* Runs one or more statements without parameters; 0 or SDB_ERROR. */
int	sdb_exec(struct sdb *db, const char *sql);
/* Rows the last INSERT, UPDATE or DELETE changed. */
int	sdb_changes(struct sdb *db);
/* 1 inside an explicit transaction. */
int	sdb_in_tx(struct sdb *db);
enum sdb_errclass sdb_errclass(struct sdb *db);
const char *sdb_errmsg(struct sdb *db);

/* Live views: a number that changes when another connection has committed
 * (SQLite's data_version; LISTEN/NOTIFY on PostgreSQL).  -1 on error. */
int64_t	sdb_data_version(struct sdb *db);

#endif
