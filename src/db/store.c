/*
 * store.c — opening the database, migrations, transactions, tenants and the
 * journal.  Recordings and leases live in store_recording.c; artefacts, topic
 * versions, publications, credentials and usage in store_objects.c.
 */
#include "store_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "util.h"

struct zpub_embedded_migration { const char *name; const char *sql; };
extern const struct zpub_embedded_migration zpub_migrations[];
extern const struct zpub_embedded_migration zpub_migrations_pg[];

int
store_sqlerr(struct store *st, struct zpub_err *err, const char *what)
{
	enum sdb_errclass cls = sdb_errclass(st->db);
	/* a lost connection is the network's: retried, never a lost lease */
	int zc = cls == SDB_E_BUSY ? ZPUB_EBUSY : cls == SDB_E_CONN ? ZPUB_ENET : ZPUB_EDB;
	if (cls == SDB_E_FULL)   /* "database or disk is full": say which, and what to do */
		return zpub_err_set(err, zc, "database error while %s: the disk holding %s is full;"
		    " free some space there, then 'zpub retry' what failed", what,
		    store_is_pg(st) ? sdb_name(st->db) :
		    st->data_dir ? st->data_dir : "the data folder");
	return zpub_err_set(err, zc, "database error while %s: %s%s", what,
	    sdb_errmsg(st->db),
	    cls == SDB_E_BUSY ? " (another zpub holds the database; try again)" :
	    cls == SDB_E_CONN ? " (try again when the database is back)" : "");
}

int
store_collect(struct store *st, struct sdb_stmt *s, size_t size, store_row_fn fn, void **out,
    int *n, const char *what, struct zpub_err *err)
{
	char *v = NULL;
	int cnt = 0, cap = 0, rc;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, (size_t)cap, size);
		}
		memset(v + (size_t)cnt * size, 0, size);
		fn(st, s, v + (size_t)cnt * size);
		cnt++;
	}
	*out = v;
	*n = cnt;
	/* The message is read before finalize, while it is still this step's. */
	rc = rc == SDB_DONE ? 0 : store_sqlerr(st, err, what);
	sdb_finalize(s);
	return rc;
}

struct sdb_stmt *
store_prep(struct store *st, const char *sql, struct zpub_err *err)
{
	struct sdb_stmt *s = NULL;
	if (sdb_prepare(st->db, sql, &s) != 0) {
		store_sqlerr(st, err, "preparing a query");
		return NULL;
	}
	return s;
}

int
store_exec(struct store *st, const char *sql, struct zpub_err *err)
{
	if (sdb_exec(st->db, sql) != 0) {
		enum sdb_errclass cls = sdb_errclass(st->db);
		zpub_err_set(err, cls == SDB_E_BUSY ? ZPUB_EBUSY : cls == SDB_E_CONN ? ZPUB_ENET :
		    ZPUB_EDB,
		    "database error: %s", sdb_errmsg(st->db));
		return err ? err->code : ZPUB_EDB;
	}
	return 0;
}

char *
store_col_str(struct sdb_stmt *s, int i)
{
	const unsigned char *t = sdb_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

int
store_begin(struct store *st, struct zpub_err *err)
{
	/* SQLite takes the write lock now rather than at the first write; on
	 * PostgreSQL rows are locked as they are claimed (FOR UPDATE). */
	return store_exec(st, store_is_pg(st) ? "BEGIN" : "BEGIN IMMEDIATE", err);
}

int
store_commit(struct store *st, struct zpub_err *err)
{
	return store_exec(st, "COMMIT", err);
}

void
store_rollback(struct store *st)
{
	if (sdb_in_tx(st->db))
		sdb_exec(st->db, "ROLLBACK");
}

int
store_sp_begin(struct store *st, const char *name, int *own, struct zpub_err *err)
{
	*own = !sdb_in_tx(st->db);
	if (*own)
		return store_begin(st, err);
	char *q = xasprintf("SAVEPOINT %s", name);
	int rc = store_exec(st, q, err);
	free(q);
	return rc;
}

int
store_sp_end(struct store *st, const char *name, int own, int rc, struct zpub_err *err)
{
	if (own) {
		if (rc == 0 && (rc = store_commit(st, err)) == 0)
			return 0;
		store_rollback(st);
		return rc;
	}
	char *q = rc ? xasprintf("ROLLBACK TO %s; RELEASE %s", name, name) :
	    xasprintf("RELEASE %s", name);
	int erc = store_exec(st, q, rc ? NULL : err);
	free(q);
	return rc ? rc : erc;
}

/* The schema's version: SQLite's user_version; on PostgreSQL a one-row
 * table, created under the migrations' lock. */
static int
schema_version(struct store *st)
{
	struct sdb_stmt *s = store_prep(st, store_is_pg(st) ?
	    "SELECT COALESCE(MAX(version), 0) FROM zpub_schema" : "PRAGMA user_version", NULL);
	int v = -1;
	if (s && sdb_step(s) == SDB_ROW)
		v = sdb_column_int(s, 0);
	sdb_finalize(s);
	return v;
}

/* Opens a migration's transaction; on PostgreSQL also takes the lock that
 * keeps daemons starting together from migrating at once. */
static int
migrate_begin(struct store *st, struct zpub_err *err)
{
	int rc = store_begin(st, err);
	if (rc == 0 && store_is_pg(st) && (rc = store_exec(st, "SELECT"
	    " pg_advisory_xact_lock(74720017); CREATE TABLE IF NOT EXISTS zpub_schema"
	    " (version BIGINT NOT NULL)", err)) != 0)
		store_rollback(st);
	return rc;
}

/* Applies every embedded migration numbered above the schema's version, each
 * in its own transaction together with the version bump, so a crash
 * mid-upgrade leaves the database at the previous version, never between. */
static int
migrate(struct store *st, struct zpub_err *err)
{
	const struct zpub_embedded_migration *m = store_is_pg(st) ? zpub_migrations_pg :
	    zpub_migrations;
	int have, newest = 0, rc;
	for (int i = 0; m[i].name; i++)
		newest = atoi(m[i].name);
	if ((rc = migrate_begin(st, err)) != 0)
		return zpub_err_prefix(err, "reading the schema version");
	have = schema_version(st);
	store_rollback(st);
	if (have < 0)
		return store_sqlerr(st, err, "reading the schema version");
	if (have > newest)
		return zpub_err_set(err, ZPUB_EDB, "the database is at schema version %d, made by a"
		    " newer zpub than this one (which knows up to %d); upgrade zpub rather than"
		    " letting an older one write to it", have, newest);
	for (int i = 0; m[i].name; i++) {
		int num = atoi(m[i].name);
		if (num <= have)
			continue;
		if ((rc = migrate_begin(st, err)) != 0)
			return rc;
		if ((have = schema_version(st)) >= num) {	/* another host did it */
			store_rollback(st);
			continue;
		}
		char *bump = store_is_pg(st) ? xasprintf("DELETE FROM zpub_schema;"
		    " INSERT INTO zpub_schema (version) VALUES (%d)", num) :
		    xasprintf("PRAGMA user_version = %d", num);
		rc = store_exec(st, m[i].sql, err);
		if (rc == 0)
			rc = store_exec(st, bump, err);
		free(bump);
		if (rc != 0) {
			store_rollback(st);
			return zpub_err_prefix(err, "upgrading the database with migration %s",
			    m[i].name);
		}
		if ((rc = store_commit(st, err)) != 0) {
			store_rollback(st);
			return rc;
		}
		log_info("database migrated to version %d (%s)", num, m[i].name);
		have = num;
	}
	st->schema_version = have;
	return 0;
}

int
store_open(const char *db_path, const char *data_dir, struct store **out,
    struct zpub_err *err)
{
	struct store *st = xcalloc(1, sizeof *st);
	char *why = NULL;
	int rc;

	st->data_dir = xstrdup(data_dir);
	if (sdb_open(db_path, &st->db, &why) != 0) {
		zpub_err_set(err, ZPUB_EDB, "%s", why ? why : "cannot open the database");
		free(why);
		goto fail;
	}
	if ((rc = migrate(st, err)) != 0 || (!store_is_pg(st) &&
	    (rc = store_fold_init(st, err)) != 0))
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return err ? err->code : ZPUB_EDB;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	sdb_close(st->db);
	free(st->data_dir);
	free(st);
}

int
store_target_has_password(const char *target)
{
	return sdb_is_url(target) && sdb_url_has_password(target);
}

const char *
store_name(struct store *st)
{
	return sdb_name(st->db);
}

int
store_lock_new_recordings(struct store *st, struct zpub_err *err)
{
	return store_is_pg(st) ? store_exec(st, "LOCK TABLE recordings IN SHARE MODE", err) : 0;
}

int
store_is_shared(struct store *st)
{
	return store_is_pg(st);
}

int
store_schema_version(struct store *st)
{
	return st->schema_version;
}

int64_t
store_data_version(struct store *st)
{
	return sdb_data_version(st->db);
}

const char *
store_data_dir(struct store *st)
{
	return st->data_dir;
}

int
store_tenant_id(struct store *st, const char *name, int64_t *id, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT id FROM tenants WHERE name = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, name, -1);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		*id = sdb_column_int64(s, 0);
		rc = 0;
	} else if (rc == SDB_DONE)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND,
		    "no tenant named '%s' (see 'zpub tenant list')", name);
	else
		rc = store_sqlerr(st, err, "looking up a tenant");
	sdb_finalize(s);
	return rc;
}

int
store_tenant_add(struct store *st, const char *name, int64_t *id, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st,
	    "INSERT INTO tenants (name, created_at) VALUES (?, ?) RETURNING id", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, name, -1);
	sdb_bind_int64(s, 2, time_now_ms());
	int rc = sdb_step(s);
	if (rc == SDB_ROW && id)
		*id = sdb_column_int64(s, 0);
	sdb_finalize(s);
	if (rc != SDB_ROW) {
		if (sdb_errclass(st->db) == SDB_E_UNIQUE)
			return zpub_err_set(err, ZPUB_EINVAL, "a tenant named '%s' exists already", name);
		return store_sqlerr(st, err, "adding a tenant");
	}
	return 0;
}

void
store_journal(struct store *st, int64_t rec_id, const char *level, const char *event,
    const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_redact(msg, sizeof msg);
	zlog(strcmp(level, "error") == 0 ? LOG_ERROR :
	    strcmp(level, "warn") == 0 ? LOG_WARN : LOG_INFO,
	    "recording %lld: %s: %s", (long long)rec_id, event, msg);
	struct sdb_stmt *s = store_prep(st, "INSERT INTO journal (recording_id, at, level, event,"
	    " message) VALUES (?, ?, ?, ?, ?)", NULL);
	if (s == NULL)
		return;
	if (rec_id > 0)
		sdb_bind_int64(s, 1, rec_id);
	else
		sdb_bind_null(s, 1);
	sdb_bind_int64(s, 2, time_now_ms());
	sdb_bind_text(s, 3, level, -1);
	sdb_bind_text(s, 4, event, -1);
	sdb_bind_text(s, 5, msg, -1);
	if (sdb_step(s) != SDB_DONE)
		zlog(LOG_WARN, "could not write the journal: %s", sdb_errmsg(st->db));
	sdb_finalize(s);
}

int
store_journal_list(struct store *st, int64_t rec_id, int limit,
    struct store_journal_entry **out, int *n, struct zpub_err *err)
{
	return store_journal_page(st, rec_id, 0, limit, out, n, err);
}

int
store_journal_page(struct store *st, int64_t rec_id, int64_t before_id, int limit,
    struct store_journal_entry **out, int *n, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT id, recording_id, at, level, event, message"
	    " FROM journal WHERE (?1 = 0 OR recording_id = ?1) AND (?3 = 0 OR id < ?3)"
	    " ORDER BY id DESC LIMIT ?2", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	sdb_bind_int64(s, 2, limit > 0 ? limit : INT64_MAX);	/* no limit */
	sdb_bind_int64(s, 3, before_id);
	struct store_journal_entry *v = NULL;
	int cnt = 0, cap = 0, rc;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, (size_t)cap, sizeof *v);
		}
		struct store_journal_entry *e = &v[cnt++];
		e->id = sdb_column_int64(s, 0);
		e->recording_id = sdb_column_int64(s, 1);
		e->at = sdb_column_int64(s, 2);
		e->level = store_col_str(s, 3);
		e->event = store_col_str(s, 4);
		e->message = store_col_str(s, 5);
	}
	sdb_finalize(s);
	if (rc != SDB_DONE) {
		store_journal_free(v, cnt);
		return store_sqlerr(st, err, "reading the journal");
	}
	*out = v;
	*n = cnt;
	return 0;
}

void
store_journal_free(struct store_journal_entry *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].level);
		free(v[i].event);
		free(v[i].message);
	}
	free(v);
}

int
store_audit(struct store *st, int64_t tenant_id, const char *actor, const char *action,
    const char *object, const char *origin)
{
	struct sdb_stmt *s = store_prep(st, "INSERT INTO audit (tenant_id, actor, action, object,"
	    " origin, at) VALUES (?, ?, ?, ?, ?, ?)", NULL);
	if (s == NULL)
		return ZPUB_EDB;
	if (tenant_id > 0)
		sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_text(s, 2, actor, -1);
	sdb_bind_text(s, 3, action, -1);
	sdb_bind_text(s, 4, object, -1);
	sdb_bind_text(s, 5, origin, -1);
	sdb_bind_int64(s, 6, time_now_ms());
	int rc = sdb_step(s) == SDB_DONE ? 0 : ZPUB_EDB;
	sdb_finalize(s);
	return rc;
}
