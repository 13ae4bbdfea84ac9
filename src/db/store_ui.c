/*
 * store_ui.c — paged, sorted and searched recording lists for the terminal
 * app, plus re-reading the rows on screen when another process commits.
 * Search folds case in SQL through zpub_fold() (text.h's text_fold), because
 * SQLite's lower() only knows ASCII and lecturers search for "лекция"; every
 * connection gets the functions (store_open), so `zpub list --search`, the
 * API and the terminal app find the same recordings.
 */
#include <sqlite3.h>

#include "store_int.h"
#include "store_ui.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

char *
store_ui_fold(const char *s)
{
	size_t len = s ? strlen(s) : 0;
	char *out = xmalloc(len * 2 + 1);
	text_fold(s ? s : "", len, out, TEXT_FOLD_SEARCH);
	return out;
}

static void
sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *s = (const char *)sqlite3_value_text(argv[0]);
	if (s == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, store_ui_fold(s), -1, free);
}

/* zpub_match(title, folded_needle): 1 when the folded title contains the
 * needle.  Folds on the stack: this runs once per row of a search. */
static void
sql_match(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *hay = (const char *)sqlite3_value_text(argv[0]);
	const char *needle = (const char *)sqlite3_value_text(argv[1]);
	if (hay == NULL || needle == NULL) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	size_t len = (size_t)sqlite3_value_bytes(argv[0]);
	char buf[1024], *f = len * 2 + 1 <= sizeof buf ? buf : xmalloc(len * 2 + 1);
	text_fold(hay, len, f, TEXT_FOLD_SEARCH);
	sqlite3_result_int(ctx, strstr(f, needle) != NULL);
	if (f != buf)
		free(f);
}

int
store_fold_init(struct store *st, struct zpub_err *err)
{
	sqlite3 *h = sdb_sqlite_handle(st->db);
	if (sqlite3_create_function_v2(h, "zpub_fold", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_fold, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(h, "zpub_match", 2,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_match, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "registering the search functions");
	return 0;
}

const char *
store_ui_sort_name(enum store_ui_sort s)
{
	static const char *const names[] = {
#define X(e, name) name,
		STORE_UI_SORTS(X)
#undef X
	};
	return (unsigned)s < STORE_UI_SORT__COUNT ? names[s] : "?";
}

#define ROW_COLS "r.id, r.status, r.started_at, r.duration_ms, r.updated_at, r.title, " \
	"r.detail, r.progress, r.progress_what, r.progress_eta_ms, r.lease_owner, r.lease_until, " \
	"r.source, r.review_hold"
/* Only the conditions in use, so SQLite picks the index for the order
 * (an "?1 = -1 OR tenant_id = ?1" would make it scan and sort). */
static void
where_clause(const struct store_ui_query *q, char *out, size_t outsz)
{
	snprintf(out, outsz, " FROM recordings r WHERE 1 = 1%s%s%s%s%s ",
	    q->status == STORE_UI_ACTIVE ? " AND r.status IN ('INITIALIZED', 'DOWNLOADING',"
	    " 'DOWNLOADED', 'PROCESSING', 'PROCESSED', 'PREPARING', 'TRANSCRIBED', 'UPLOADING')" :
	    q->status == STORE_UI_SET_ASIDE ? " AND r.status IN ('SKIPPED', 'EXPIRED')" : "",
	    q->tenant_id != STORE_ALL_TENANTS ? " AND r.tenant_id = ?1" : "",
	    q->status >= 0 ? " AND r.status = ?2" : "",
	    q->search && *q->search ? " AND zpub_match(r.title, ?3)" : "",
	    q->status == STORE_UI_HELD ? " AND r.review_hold = 1 AND r.status = 'TRANSCRIBED'" :
	    "");
}

static void
fill_row(struct store *st, struct sdb_stmt *s, void *item)
{
	struct store_ui_row *r = item;
	memset(r, 0, sizeof *r);
	r->id = sdb_column_int64(s, 0);
	const char *status = (const char *)sdb_column_text(s, 1);
	int sv = status_parse(status ? status : "");
	r->status = sv < 0 ? ST_FAILED : (enum rec_status)sv;
	r->started_at = sdb_column_int64(s, 2);
	r->duration_ms = sdb_column_int64(s, 3);
	r->updated_at = sdb_column_int64(s, 4);
	r->title = store_col_str(s, 5);
	if (r->title == NULL)
		r->title = xstrdup("");
	r->detail = store_col_str(s, 6);
	r->progress = sdb_column_type(s, 7) == SDB_NULL ? -1 : sdb_column_double(s, 7);
	r->progress_what = store_col_str(s, 8);
	r->progress_eta_ms = sdb_column_int64(s, 9);
	r->lease_owner = store_col_str(s, 10);
	r->lease_until = sdb_column_int64(s, 11);
	r->source = store_col_str(s, 12);
	r->review_hold = sdb_column_int(s, 13);
}

static void
clear_row(struct store_ui_row *r)
{
	free(r->title);
	free(r->source);
	free(r->detail);
	free(r->progress_what);
	free(r->lease_owner);
	memset(r, 0, sizeof *r);
}

static int
bind_query(struct sdb_stmt *s, const struct store_ui_query *q)
{
	if (q->tenant_id != STORE_ALL_TENANTS)
		sdb_bind_int64(s, 1, q->tenant_id);
	if (q->status >= 0)
		sdb_bind_text(s, 2, status_name((enum rec_status)q->status), -1);
	if (q->search && *q->search) {
		char *f = store_ui_fold(q->search);
		sdb_bind_text(s, 3, f, -1);
		free(f);
	}
	return 0;
}

static const char *
order_by(const struct store_ui_query *q)
{
	/* Each order ends in the id so pages never overlap or skip a row, and
	 * each has an index behind it (migration 005_ui). */
	static const char *const asc[] = {
		"r.started_at, r.id", "r.title, r.id", "r.duration_ms, r.id", "r.status, r.id",
		"r.id",
	};
	static const char *const desc[] = {
		"r.started_at DESC, r.id DESC", "r.title DESC, r.id DESC",
		"r.duration_ms DESC, r.id DESC", "r.status DESC, r.id DESC", "r.id DESC",
	};
	unsigned i = (unsigned)q->sort < STORE_UI_SORT__COUNT ? (unsigned)q->sort : 0;
	return q->descending ? desc[i] : asc[i];
}

int
store_ui_rows(struct store *st, const struct store_ui_query *q,
    struct store_ui_row **out, int *n, struct zpub_err *err)
{
	char where[512];
	where_clause(q, where, sizeof where);
	char *sql = xasprintf("SELECT " ROW_COLS "%sORDER BY %s LIMIT ?4 OFFSET ?5", where,
	    order_by(q));
	struct sdb_stmt *s = store_prep(st, sql, err);
	free(sql);
	*out = NULL;
	*n = 0;
	if (s == NULL)
		return ZPUB_EDB;
	bind_query(s, q);
	sdb_bind_int64(s, 4, q->limit > 0 ? q->limit : INT64_MAX);	/* no limit */
	sdb_bind_int(s, 5, q->offset > 0 ? q->offset : 0);
	int rc = store_collect(st, s, sizeof **out, fill_row, (void **)out, n,
	    "listing recordings", err);
	if (rc != 0) {
		store_ui_rows_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int
store_ui_count(struct store *st, const struct store_ui_query *q, int64_t *n,
    struct zpub_err *err)
{
	char where[512];
	where_clause(q, where, sizeof where);
	char *sql = xasprintf("SELECT count(*)%s", where);
	struct sdb_stmt *s = store_prep(st, sql, err);
	free(sql);
	if (s == NULL)
		return ZPUB_EDB;
	bind_query(s, q);
	int rc = sdb_step(s);
	if (rc == SDB_ROW)
		*n = sdb_column_int64(s, 0);
	sdb_finalize(s);
	return rc == SDB_ROW ? 0 : store_sqlerr(st, err, "counting recordings");
}

int
store_ui_rows_refresh(struct store *st, struct store_ui_row *rows, int n, int *gone,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT " ROW_COLS " FROM recordings r WHERE r.id = ?",
	    err);
	if (s == NULL)
		return ZPUB_EDB;
	int rc = 0;
	*gone = 0;
	for (int i = 0; i < n; i++) {
		sdb_reset(s);
		sdb_bind_int64(s, 1, rows[i].id);
		int step = sdb_step(s);
		if (step == SDB_ROW) {
			clear_row(&rows[i]);
			fill_row(st, s, &rows[i]);
		} else if (step == SDB_DONE) {
			(*gone)++;
		} else {
			rc = store_sqlerr(st, err, "re-reading recordings");
			break;
		}
	}
	sdb_finalize(s);
	return rc;
}

void
store_ui_rows_free(struct store_ui_row *v, int n)
{
	for (int i = 0; i < n; i++)
		clear_row(&v[i]);
	free(v);
}

int
store_ui_artifact_path(struct store *st, int64_t rec_id, const char *kind, char **path,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT path FROM artifacts WHERE recording_id = ?"
	    " AND kind = ? ORDER BY id DESC LIMIT 1", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	sdb_bind_text(s, 2, kind, -1);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		*path = store_abs_path(st, (const char *)sdb_column_text(s, 0));
		rc = 0;
	} else if (rc == SDB_DONE)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "recording %lld has no %s yet",
		    (long long)rec_id, kind);
	else
		rc = store_sqlerr(st, err, "reading artefacts");
	sdb_finalize(s);
	return rc;
}

int
store_ui_artifact_rewritten(struct store *st, int64_t rec_id, const char *path, int64_t bytes,
    const char *sha256, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE artifacts SET bytes = ?, sha256 = ? WHERE"
	    " recording_id = ? AND (path = ? OR path = ?)", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, bytes);
	sdb_bind_text(s, 2, sha256, -1);
	sdb_bind_int64(s, 3, rec_id);
	sdb_bind_text(s, 4, store_rel_path(st, path), -1);
	sdb_bind_text(s, 5, path, -1);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "updating an artefact");
	sdb_finalize(s);
	return rc;
}
