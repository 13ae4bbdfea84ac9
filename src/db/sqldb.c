/*
 * sqldb.c — the SQL interface's front: picks the back end a target names and
 * hands each call to it (sqldb_lite.c, sqldb_pg.c).
 */
#include "sqldb_int.h"

#include <string.h>
#include <strings.h>

int
sdb_is_url(const char *target)
{
	return target && (strncasecmp(target, "postgresql://", 13) == 0 ||
	    strncasecmp(target, "postgres://", 11) == 0);
}

int
sdb_open(const char *target, struct sdb **out, char **why)
{
	*out = NULL;
	*why = NULL;
	return sdb_is_url(target) ? sdb_pg_open(target, out, why) :
	    sdb_lite_open(target, out, why);
}

void
sdb_close(struct sdb *db)
{
	if (db)
		db->ops->close(db);
}

enum sdb_kind
sdb_kind(const struct sdb *db)
{
	return db->kind;
}

const char *
sdb_name(const struct sdb *db)
{
	return db->name;
}

void *
sdb_sqlite_handle(struct sdb *db)
{
	return db->kind == SDB_SQLITE ? sdb_lite_handle(db) : NULL;
}

int
sdb_prepare(struct sdb *db, const char *sql, struct sdb_stmt **out)
{
	*out = NULL;
	return db->ops->prepare(db, sql, out);
}

int
sdb_step(struct sdb_stmt *s)
{
	return s->db->ops->step(s);
}

void
sdb_reset(struct sdb_stmt *s)
{
	s->db->ops->reset(s);
}

void
sdb_finalize(struct sdb_stmt *s)
{
	if (s)
		s->db->ops->finalize(s);
}

static void
bind(struct sdb_stmt *s, int i, struct sdb_val v)
{
	s->db->ops->bind(s, i, &v);
}

void
sdb_bind_int64(struct sdb_stmt *s, int i, int64_t v)
{
	bind(s, i, (struct sdb_val){ .type = SDB_INTEGER, .i = v });
}

void
sdb_bind_int(struct sdb_stmt *s, int i, int v)
{
	bind(s, i, (struct sdb_val){ .type = SDB_INTEGER, .i = v });
}

void
sdb_bind_double(struct sdb_stmt *s, int i, double v)
{
	bind(s, i, (struct sdb_val){ .type = SDB_FLOAT, .d = v });
}

void
sdb_bind_null(struct sdb_stmt *s, int i)
{
	bind(s, i, (struct sdb_val){ .type = SDB_NULL });
}

void
sdb_bind_text(struct sdb_stmt *s, int i, const char *t, int len)
{
	if (t == NULL)
		bind(s, i, (struct sdb_val){ .type = SDB_NULL });
	else
		bind(s, i, (struct sdb_val){ .type = SDB_TEXT, .p = t,
		    .n = len < 0 ? strlen(t) : (size_t)len });
}

void
sdb_bind_blob(struct sdb_stmt *s, int i, const void *p, int n)
{
	bind(s, i, (struct sdb_val){ .type = SDB_BLOB, .p = p, .n = n > 0 ? (size_t)n : 0 });
}

int64_t
sdb_column_int64(struct sdb_stmt *s, int i)
{
	return s->db->ops->col_int64(s, i);
}

int
sdb_column_int(struct sdb_stmt *s, int i)
{
	return (int)s->db->ops->col_int64(s, i);
}

double
sdb_column_double(struct sdb_stmt *s, int i)
{
	return s->db->ops->col_double(s, i);
}

const unsigned char *
sdb_column_text(struct sdb_stmt *s, int i)
{
	return s->db->ops->col_text(s, i);
}

const void *
sdb_column_blob(struct sdb_stmt *s, int i)
{
	return s->db->ops->col_blob(s, i);
}

int
sdb_column_bytes(struct sdb_stmt *s, int i)
{
	return s->db->ops->col_bytes(s, i);
}

int
sdb_column_type(struct sdb_stmt *s, int i)
{
	return s->db->ops->col_type(s, i);
}

int
sdb_column_count(struct sdb_stmt *s)
{
	return s->db->ops->col_count(s);
}

const char *
sdb_column_name(struct sdb_stmt *s, int i)
{
	return s->db->ops->col_name(s, i);
}

int
sdb_exec(struct sdb *db, const char *sql)
{
	return db->ops->exec(db, sql);
}

int
sdb_changes(struct sdb *db)
{
	return db->ops->changes(db);
}

int
sdb_in_tx(struct sdb *db)
{
	return db->ops->in_tx(db);
}

enum sdb_errclass
sdb_errclass(struct sdb *db)
{
	return db->ops->errclass(db);
}

const char *
sdb_errmsg(struct sdb *db)
{
	return db->ops->errmsg(db);
}

int64_t
sdb_data_version(struct sdb *db)
{
	return db->ops->data_version(db);
}
