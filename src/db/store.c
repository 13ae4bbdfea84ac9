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

int
store_sqlerr(struct store *st, struct zpub_err *err, const char *what)
{
	int code = sqlite3_errcode(st->db);
	int zc = (code == SQLITE_BUSY || code == SQLITE_LOCKED) ? ZPUB_EBUSY : ZPUB_EDB;
	if (code == SQLITE_FULL)   /* "database or disk is full": say which, and what to do */
		return zpub_err_set(err, zc, "database error while %s: the disk holding %s is full;"
		    " free some space there, then 'zpub retry' what failed", what,
		    st->data_dir ? st->data_dir : "the data folder");
	return zpub_err_set(err, zc, "database error while %s: %s%s", what,
	    sqlite3_errmsg(st->db),
	    zc == ZPUB_EBUSY ? " (another zpub holds the database; try again)" : "");
}

int
store_collect(struct store *st, sqlite3_stmt *s, size_t size, store_row_fn fn, void **out,
    int *n, const char *what, struct zpub_err *err)
{
	char *v = NULL;
	int cnt = 0, cap = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
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
	rc = rc == SQLITE_DONE ? 0 : store_sqlerr(st, err, what);
	sqlite3_finalize(s);
	return rc;
}

sqlite3_stmt *
store_prep(struct store *st, const char *sql, struct zpub_err *err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "preparing a query");
		return NULL;
	}
	return s;
}

int
store_exec(struct store *st, const char *sql, struct zpub_err *err)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int code = sqlite3_errcode(st->db);
		zpub_err_set(err, code == SQLITE_BUSY ? ZPUB_EBUSY : ZPUB_EDB,
		    "database error: %s", msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return err ? err->code : ZPUB_EDB;
	}
	return 0;
}

char *
store_col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

int
store_begin(struct store *st, struct zpub_err *err)
{
	return store_exec(st, "BEGIN IMMEDIATE", err);
}

int
store_commit(struct store *st, struct zpub_err *err)
{
	return store_exec(st, "COMMIT", err);
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
user_version(struct store *st)
{
	sqlite3_stmt *s = store_prep(st, "PRAGMA user_version", NULL);
	int v = -1;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Applies every embedded migration numbered above user_version, each in its
 * own transaction together with the version bump, so a crash mid-upgrade
 * leaves the database at the previous version, never between. */
static int
migrate(struct store *st, struct zpub_err *err)
{
	int have = user_version(st);
	if (have < 0)
		return store_sqlerr(st, err, "reading the schema version");
	int newest = 0;
	for (int i = 0; zpub_migrations[i].name; i++)
		newest = atoi(zpub_migrations[i].name);
	if (have > newest)
		return zpub_err_set(err, ZPUB_EDB, "the database is at schema version %d, made by a"
		    " newer zpub than this one (which knows up to %d); upgrade zpub rather than"
		    " letting an older one write to it", have, newest);
	for (int i = 0; zpub_migrations[i].name; i++) {
		int num = atoi(zpub_migrations[i].name);
		if (num <= have)
			continue;
		if (store_begin(st, err) != 0)
			return err ? err->code : ZPUB_EDB;
		char *bump = xasprintf("PRAGMA user_version = %d", num);
		int rc = store_exec(st, zpub_migrations[i].sql, err);
		if (rc == 0)
			rc = store_exec(st, bump, err);
		free(bump);
		if (rc != 0) {
			store_rollback(st);
			return zpub_err_prefix(err, "upgrading the database with migration %s",
			    zpub_migrations[i].name);
		}
		if ((rc = store_commit(st, err)) != 0) {
			store_rollback(st);
			return rc;
		}
		log_info("database migrated to version %d (%s)", num, zpub_migrations[i].name);
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
	int rc;

	st->data_dir = xstrdup(data_dir);
	/* The database holds ciphertext and personal data: 0600 from birth. */
	mode_t old = umask(077);
	rc = sqlite3_open_v2(db_path, &st->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL);
	umask(old);
	if (rc != SQLITE_OK) {
		zpub_err_set(err, ZPUB_EDB, "cannot open database %s: %s", db_path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);
	sqlite3_extended_result_codes(st->db, 0);
	if ((rc = store_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;", err)) != 0) {
		zpub_err_prefix(err, "setting up database %s", db_path);
		goto fail;
	}
	if ((rc = migrate(st, err)) != 0 || (rc = store_fold_init(st, err)) != 0)
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
	if (st->db)
		sqlite3_close(st->db);
	free(st->data_dir);
	free(st);
}

int
store_schema_version(struct store *st)
{
	return st->schema_version;
}

int64_t
store_data_version(struct store *st)
{
	sqlite3_stmt *s = store_prep(st, "PRAGMA data_version", NULL);
	int64_t v = -1;
	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

const char *
store_data_dir(struct store *st)
{
	return st->data_dir;
}

int
store_tenant_id(struct store *st, const char *name, int64_t *id, struct zpub_err *err)
{
	sqlite3_stmt *s = store_prep(st, "SELECT id FROM tenants WHERE name = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND,
		    "no tenant named '%s' (see 'zpub tenant list')", name);
	else
		rc = store_sqlerr(st, err, "looking up a tenant");
	sqlite3_finalize(s);
	return rc;
}

int
store_tenant_add(struct store *st, const char *name, int64_t *id, struct zpub_err *err)
{
	sqlite3_stmt *s = store_prep(st,
	    "INSERT INTO tenants (name, created_at) VALUES (?, ?)", err);
	if (s == NULL)
		return ZPUB_EDB;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, time_now_ms());
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		if (sqlite3_errcode(st->db) == SQLITE_CONSTRAINT)
			return zpub_err_set(err, ZPUB_EINVAL, "a tenant named '%s' exists already", name);
		return store_sqlerr(st, err, "adding a tenant");
	}
	if (id)
		*id = sqlite3_last_insert_rowid(st->db);
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
	sqlite3_stmt *s = store_prep(st, "INSERT INTO journal (recording_id, at, level, event,"
	    " message) VALUES (?, ?, ?, ?, ?)", NULL);
	if (s == NULL)
		return;
	if (rec_id > 0)
		sqlite3_bind_int64(s, 1, rec_id);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_int64(s, 2, time_now_ms());
	sqlite3_bind_text(s, 3, level, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, event, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, msg, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_DONE)
		zlog(LOG_WARN, "could not write the journal: %s", sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
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
	sqlite3_stmt *s = store_prep(st, "SELECT id, recording_id, at, level, event, message"
	    " FROM journal WHERE (?1 = 0 OR recording_id = ?1) AND (?3 = 0 OR id < ?3)"
	    " ORDER BY id DESC LIMIT ?2", err);
	if (s == NULL)
		return ZPUB_EDB;
	sqlite3_bind_int64(s, 1, rec_id);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : -1);
	sqlite3_bind_int64(s, 3, before_id);
	struct store_journal_entry *v = NULL;
	int cnt = 0, cap = 0, rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, (size_t)cap, sizeof *v);
		}
		struct store_journal_entry *e = &v[cnt++];
		e->id = sqlite3_column_int64(s, 0);
		e->recording_id = sqlite3_column_int64(s, 1);
		e->at = sqlite3_column_int64(s, 2);
		e->level = store_col_str(s, 3);
		e->event = store_col_str(s, 4);
		e->message = store_col_str(s, 5);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
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
	sqlite3_stmt *s = store_prep(st, "INSERT INTO audit (tenant_id, actor, action, object,"
	    " origin, at) VALUES (?, ?, ?, ?, ?, ?)", NULL);
	if (s == NULL)
		return ZPUB_EDB;
	if (tenant_id > 0)
		sqlite3_bind_int64(s, 1, tenant_id);
	sqlite3_bind_text(s, 2, actor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, action, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, object, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, origin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, time_now_ms());
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : ZPUB_EDB;
	sqlite3_finalize(s);
	return rc;
}
