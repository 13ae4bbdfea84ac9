/*
 * store_copy.c — `zpub migrate --to URL`: copies a SQLite store, table by
 * table with its ids, into an empty PostgreSQL store of the same schema
 * version, in one PostgreSQL transaction that commits only when every table
 * has as many rows on both sides.
 *
 * The tables are named here, in foreign-key order; a table of the SQLite
 * store that the list does not name stops the copy before anything is
 * written, so a new migration cannot be left behind without a word.  Rows
 * stream from SQLite one at a time; nothing holds a whole table.
 */
#include "store_int.h"
#include "store_copy.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Every table of the schema, each after the tables it refers to. */
static const char *const copy_tables[] = {
	"tenants",
	"users",
	"templates",
	"recordings",
	"stage_runs",
	"artifacts",
	"topic_versions",
	"credentials",
	"publications",
	"jobs",
	"usage",
	"audit",
	"journal",
	"forgotten_refs",
	"cut_overrides",
	"zoom_walks",
	"zoom_walk_users",
	"webhook_seen",
	"slide_changes",
	"notify_events",
	"notify_deliveries",
	"oauth_pending",
};
#define NTABLES	((int)(sizeof copy_tables / sizeof copy_tables[0]))

static int
table_index(const char *name)
{
	for (int i = 0; i < NTABLES; i++)
		if (strcmp(copy_tables[i], name) == 0)
			return i;
	return -1;
}

/* The error of st's last statement: what was being done, to which table. */
static int
copy_sqlerr(struct store *st, struct zpub_err *err, const char *doing, const char *table)
{
	return zpub_err_set(err, ZPUB_EDB, "%s%s%s in the %s: %s", doing, table ? " " : "",
	    table ? table : "", store_is_pg(st) ? sdb_name(st->db) : "SQLite store",
	    sdb_errmsg(st->db));
}

/* What a failure inside the transaction adds: it was all rolled back. */
static void
nothing_copied(struct zpub_err *err)
{
	size_t len = strlen(err->msg);
	snprintf(err->msg + len, sizeof err->msg - len, "; nothing was copied");
}

static int
count_rows(struct store *st, const char *table, const char *where, int64_t *n,
    struct zpub_err *err)
{
	char *q = xasprintf("SELECT count(*) FROM \"%s\"%s", table, where ? where : "");
	struct sdb_stmt *s = NULL;
	int rc = sdb_prepare(st->db, q, &s);
	free(q);
	if (rc == 0 && (rc = sdb_step(s)) == SDB_ROW) {
		*n = sdb_column_int64(s, 0);
		rc = 0;
	} else
		rc = copy_sqlerr(st, err, "counting the rows of", table);
	sdb_finalize(s);
	return rc;
}

int
store_copy_check_tables(struct store *from, struct zpub_err *err)
{
	char seen[NTABLES] = { 0 };
	struct sdb_stmt *s = NULL;
	int rc = 0;

	if (store_is_pg(from))
		return zpub_err_set(err, ZPUB_EINVAL, "the store to copy from is the %s already;"
		    " zpub migrate copies a data folder's SQLite store", sdb_name(from->db));
	if ((s = store_prep(from, "SELECT name FROM sqlite_master WHERE type = 'table'"
	    " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name", err)) == NULL)
		return err ? err->code : ZPUB_EDB;
	while (rc == 0 && (rc = sdb_step(s)) == SDB_ROW) {
		const char *name = (const char *)sdb_column_text(s, 0);
		int i = table_index(name);
		if (i < 0)
			rc = zpub_err_set(err, ZPUB_EINVAL, "the SQLite store has a table '%s' that"
			    " zpub migrate does not know, so it cannot copy everything; nothing"
			    " was copied (is this zpub older than the store?)", name);
		else {
			seen[i] = 1;
			rc = 0;
		}
	}
	if (rc == SDB_DONE)
		rc = 0;
	else if (rc > 0)
		rc = store_sqlerr(from, err, "listing the tables of the SQLite store");
	sdb_finalize(s);
	for (int i = 0; rc == 0 && i < NTABLES; i++)
		if (!seen[i])
			rc = zpub_err_set(err, ZPUB_EINVAL, "the SQLite store has no table '%s',"
			    " which zpub migrate copies; nothing was copied", copy_tables[i]);
	/* Each table after the ones it refers to, so its rows find theirs. */
	for (int i = 0; rc == 0 && i < NTABLES; i++) {
		if ((s = store_prep(from, "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)",
		    err)) == NULL)
			return err ? err->code : ZPUB_EDB;
		sdb_bind_text(s, 1, copy_tables[i], -1);
		while (rc == 0 && (rc = sdb_step(s)) == SDB_ROW) {
			const char *ref = (const char *)sdb_column_text(s, 0);
			int j = table_index(ref);
			rc = j >= 0 && j <= i ? 0 : zpub_err_set(err, ZPUB_EINVAL, "zpub migrate"
			    " would copy table '%s' before '%s', which it refers to",
			    copy_tables[i], ref);
		}
		if (rc == SDB_DONE)
			rc = 0;
		else if (rc > 0)
			rc = store_sqlerr(from, err, "reading the foreign keys of the SQLite store");
		sdb_finalize(s);
	}
	return rc;
}

/* Nothing but what the migrations seed (the tenant 'default'). */
static int
target_empty(struct store *to, struct zpub_err *err)
{
	char found[1024] = "";
	size_t len = 0;
	for (int i = 0; i < NTABLES; i++) {
		int64_t n = 0;
		int tenants = strcmp(copy_tables[i], "tenants") == 0;
		int rc = count_rows(to, copy_tables[i], tenants ? " WHERE name <> 'default'" : NULL,
		    &n, err);
		if (rc != 0)
			return rc;
		if (n > 0 && len < sizeof found - 64)
			len += (size_t)snprintf(found + len, sizeof found - len, "%s%s%s: %" PRId64,
			    len ? ", " : "", copy_tables[i], tenants ? " besides 'default'" : "", n);
	}
	if (len == 0)
		return 0;
	return zpub_err_set(err, ZPUB_EINVAL, "the %s is not empty (rows in %s); zpub migrate"
	    " copies only into an empty database: create a new one and name it with --to",
	    sdb_name(to->db), found);
}

static void
bind_like(struct sdb_stmt *dst, int i, struct sdb_stmt *src, int col)
{
	switch (sdb_column_type(src, col)) {
	case SDB_INTEGER:
		sdb_bind_int64(dst, i, sdb_column_int64(src, col));
		break;
	case SDB_FLOAT:
		sdb_bind_double(dst, i, sdb_column_double(src, col));
		break;
	case SDB_TEXT: {
		const unsigned char *t = sdb_column_text(src, col);
		sdb_bind_text(dst, i, (const char *)t, sdb_column_bytes(src, col));
		break;
	}
	case SDB_BLOB: {
		const void *p = sdb_column_blob(src, col);
		sdb_bind_blob(dst, i, p, sdb_column_bytes(src, col));
		break;
	}
	default:
		sdb_bind_null(dst, i);
		break;
	}
}

/* INSERT INTO "t" ("a", "b") VALUES (?1, ?2) for the columns of src. */
static char *
insert_sql(const char *table, struct sdb_stmt *src, int *has_id)
{
	int n = sdb_column_count(src);
	size_t cap = 64 + strlen(table), len;
	for (int i = 0; i < n; i++)
		cap += strlen(sdb_column_name(src, i)) + 16;
	char *q = xmalloc(cap);
	len = (size_t)snprintf(q, cap, "INSERT INTO \"%s\" (", table);
	*has_id = 0;
	for (int i = 0; i < n; i++) {
		const char *c = sdb_column_name(src, i);
		if (strcmp(c, "id") == 0)
			*has_id = 1;
		len += (size_t)snprintf(q + len, cap - len, "%s\"%s\"", i ? ", " : "", c);
	}
	len += (size_t)snprintf(q + len, cap - len, ") VALUES (");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(q + len, cap - len, "%s?%d", i ? ", " : "", i + 1);
	snprintf(q + len, cap - len, ")");
	return q;
}

static int
copy_table(struct store *from, struct store *to, const char *table, int64_t *rows,
    struct zpub_err *err)
{
	struct sdb_stmt *src = NULL, *dst = NULL;
	char *q = xasprintf("SELECT * FROM \"%s\"", table);
	int rc, has_id = 0;

	*rows = 0;
	rc = sdb_prepare(from->db, q, &src);
	free(q);
	if (rc != 0)
		return copy_sqlerr(from, err, "reading table", table);
	q = insert_sql(table, src, &has_id);
	rc = sdb_prepare(to->db, q, &dst);
	free(q);
	if (rc != 0) {
		rc = copy_sqlerr(to, err, "preparing to write table", table);
		goto out;
	}
	int ncol = sdb_column_count(src);
	while ((rc = sdb_step(src)) == SDB_ROW) {
		for (int i = 0; i < ncol; i++)
			bind_like(dst, i + 1, src, i);
		if (sdb_step(dst) != SDB_DONE) {
			rc = copy_sqlerr(to, err, "writing table", table);
			goto out;
		}
		sdb_reset(dst);
		(*rows)++;
	}
	if (rc != SDB_DONE) {
		rc = copy_sqlerr(from, err, "reading table", table);
		goto out;
	}
	rc = 0;
	if (has_id) {
		/* The next id given out follows the copied ones. */
		sdb_finalize(dst);
		dst = NULL;
		q = xasprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'),"
		    " COALESCE(max(id), 0) + 1, false) FROM \"%s\"", table, table);
		if (sdb_prepare(to->db, q, &dst) != 0 || sdb_step(dst) != SDB_ROW)
			rc = copy_sqlerr(to, err, "moving the id sequence of", table);
		free(q);
	}
out:
	sdb_finalize(dst);
	sdb_finalize(src);
	return rc;
}

static int
counts_match(struct store *from, struct store *to, struct zpub_err *err)
{
	for (int i = 0; i < NTABLES; i++) {
		int64_t a = 0, b = 0;
		int rc;
		if ((rc = count_rows(from, copy_tables[i], NULL, &a, err)) != 0 ||
		    (rc = count_rows(to, copy_tables[i], NULL, &b, err)) != 0)
			return rc;
		if (a != b)
			return zpub_err_set(err, ZPUB_EDB, "table %s has %" PRId64 " rows in the"
			    " SQLite store but %" PRId64 " in the %s after the copy", copy_tables[i],
			    a, b, sdb_name(to->db));
	}
	return 0;
}

int
store_copy(struct store *from, struct store *to, store_copy_progress_fn progress, void *arg,
    struct zpub_err *err)
{
	int rc, copying = 0;

	if (!store_is_pg(to))
		return zpub_err_set(err, ZPUB_EINVAL, "zpub migrate copies into a PostgreSQL"
		    " database (postgresql://USER:PASSWORD@HOST:PORT/NAME), not %s",
		    sdb_name(to->db));
	if ((rc = store_copy_check_tables(from, err)) != 0)
		return rc;
	if (store_schema_version(from) != store_schema_version(to))
		return zpub_err_set(err, ZPUB_EINVAL, "the SQLite store is at schema version %d"
		    " but the %s at %d; run the same zpub on both, then migrate again",
		    store_schema_version(from), sdb_name(to->db), store_schema_version(to));
	/* A read transaction on SQLite: one snapshot for the rows and their counts. */
	if ((rc = store_exec(from, "BEGIN", err)) != 0)
		return zpub_err_prefix(err, "reading the SQLite store");
	if ((rc = store_exec(to, "BEGIN", err)) != 0) {
		zpub_err_prefix(err, "the %s", sdb_name(to->db));
		goto out;
	}
	if ((rc = target_empty(to, err)) != 0)
		goto out;
	copying = 1;
	if (sdb_exec(to->db, "DELETE FROM tenants") != 0) {
		rc = copy_sqlerr(to, err, "removing the seeded tenant", NULL);
		goto out;
	}
	for (int i = 0; i < NTABLES; i++) {
		int64_t rows = 0;
		if ((rc = copy_table(from, to, copy_tables[i], &rows, err)) != 0)
			goto out;
		if (progress)
			progress(arg, copy_tables[i], rows);
	}
	if ((rc = counts_match(from, to, err)) != 0)
		goto out;
	if (sdb_exec(to->db, "COMMIT") != 0)
		rc = copy_sqlerr(to, err, "committing the copy", NULL);
out:
	if (rc != 0 && err && copying)
		nothing_copied(err);
	store_rollback(to);
	store_rollback(from);
	return rc;
}
