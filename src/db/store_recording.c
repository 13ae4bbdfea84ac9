/*
 * store_recording.c — recordings, status moves, leases and stage runs.
 *
 * Every status change goes through the transition table (status.c) and is
 * a compare-and-set on the current status, so two processes racing on one
 * recording cannot both win.
 */
#include "store_int.h"
#include "store_notify.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define REC_COLS "r.id, r.tenant_id, t.name, r.source, r.source_ref, r.title, " \
	"r.started_at, r.duration_ms, r.status, r.detail, r.failed_stage, r.attempts, " \
	"r.next_retry_at, r.expires_at, r.lease_owner, r.lease_until, r.progress, " \
	"r.progress_what, r.progress_eta_ms, r.config, r.source_meta, r.template_id, " \
	"r.created_at, r.updated_at, r.review_hold, " \
	"(SELECT a.path FROM artifacts a WHERE a.recording_id = r.id AND a.kind = 'source' " \
	" ORDER BY a.id DESC LIMIT 1), r.host, r.stop_by"
#define REC_FROM " FROM recordings r JOIN tenants t ON t.id = r.tenant_id "

static struct store_recording *
row_to_recording(struct store *st, struct sdb_stmt *s)
{
	struct store_recording *r = xcalloc(1, sizeof *r);
	r->id = sdb_column_int64(s, 0);
	r->tenant_id = sdb_column_int64(s, 1);
	r->tenant = store_col_str(s, 2);
	r->source = store_col_str(s, 3);
	r->source_ref = store_col_str(s, 4);
	r->title = store_col_str(s, 5);
	r->started_at = sdb_column_int64(s, 6);
	r->duration_ms = sdb_column_int64(s, 7);
	const char *status = (const char *)sdb_column_text(s, 8);
	int sv = status_parse(status ? status : "");
	r->status = sv < 0 ? ST_FAILED : (enum rec_status)sv;
	r->detail = store_col_str(s, 9);
	r->failed_stage = store_col_str(s, 10);
	r->attempts = sdb_column_int(s, 11);
	r->next_retry_at = sdb_column_int64(s, 12);
	r->expires_at = sdb_column_int64(s, 13);
	r->lease_owner = store_col_str(s, 14);
	r->lease_until = sdb_column_int64(s, 15);
	r->progress = sdb_column_type(s, 16) == SDB_NULL ? -1 : sdb_column_double(s, 16);
	r->progress_what = store_col_str(s, 17);
	r->progress_eta_ms = sdb_column_int64(s, 18);
	r->config = store_col_str(s, 19);
	r->source_meta = store_col_str(s, 20);
	r->template_id = sdb_column_int64(s, 21);
	r->created_at = sdb_column_int64(s, 22);
	r->updated_at = sdb_column_int64(s, 23);
	r->review_hold = sdb_column_int(s, 24);
	const char *sp = (const char *)sdb_column_text(s, 25);
	r->source_path = sp ? store_abs_path(st, sp) : NULL;
	r->host = store_col_str(s, 26);
	r->stop_by = store_col_str(s, 27);
	return r;
}

/* store_collect's row callback for a list of pointers. */
static void
recording_item(struct store *st, struct sdb_stmt *s, void *item)
{
	*(struct store_recording **)item = row_to_recording(st, s);
}

void
store_recording_free(struct store_recording *r)
{
	if (r == NULL)
		return;
	free(r->tenant); free(r->source); free(r->source_ref); free(r->title);
	free(r->detail); free(r->failed_stage); free(r->lease_owner);
	free(r->progress_what); free(r->config); free(r->source_meta);
	free(r->source_path); free(r->host); free(r->stop_by);
	free(r);
}

int
store_recording_add(struct store *st, const struct store_recording *in, int64_t *id,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "INSERT INTO recordings (tenant_id, source, source_ref,"
	    " title, started_at, duration_ms, status, detail, config, source_meta, template_id,"
	    " expires_at, created_at, updated_at, host) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
	    " RETURNING id", err);
	if (s == NULL)
		return ZPUB_EDB;
	int64_t now = time_now_ms();
	sdb_bind_int64(s, 1, in->tenant_id);
	sdb_bind_text(s, 2, in->source, -1);
	sdb_bind_text(s, 3, in->source_ref, -1);
	sdb_bind_text(s, 4, in->title ? in->title : "", -1);
	if (in->started_at) sdb_bind_int64(s, 5, in->started_at);
	if (in->duration_ms) sdb_bind_int64(s, 6, in->duration_ms);
	sdb_bind_text(s, 7, status_name(in->status), -1);
	sdb_bind_text(s, 8, in->detail, -1);
	sdb_bind_text(s, 9, in->config ? in->config : "{}", -1);
	sdb_bind_text(s, 10, in->source_meta ? in->source_meta : "{}", -1);
	if (in->template_id) sdb_bind_int64(s, 11, in->template_id);
	if (in->expires_at) sdb_bind_int64(s, 12, in->expires_at);
	sdb_bind_int64(s, 13, now);
	sdb_bind_int64(s, 14, now);
	sdb_bind_text(s, 15, in->host, -1);
	int rc = sdb_step(s);
	if (rc == SDB_ROW)
		*id = sdb_column_int64(s, 0);
	sdb_finalize(s);
	if (rc != SDB_ROW) {
		if (sdb_errclass(st->db) == SDB_E_UNIQUE || sdb_errclass(st->db) == SDB_E_CONSTRAINT)
			return zpub_err_set(err, ZPUB_EINVAL, "recording %s:%s exists already",
			    in->source, in->source_ref);
		return store_sqlerr(st, err, "adding a recording");
	}
	store_journal(st, *id, "info", "created", "%s recording '%s' created in %s",
	    in->source, in->title ? in->title : "", status_name(in->status));
	return 0;
}

int
store_recording_get(struct store *st, int64_t id, struct store_recording **out,
    struct zpub_err *err)
{
	return store_recording_get_in(st, STORE_ALL_TENANTS, id, out, err);
}

int
store_recording_get_in(struct store *st, int64_t tenant_id, int64_t id,
    struct store_recording **out, struct zpub_err *err)
{
	int all = tenant_id == STORE_ALL_TENANTS;
	struct sdb_stmt *s = store_prep(st, all ? "SELECT " REC_COLS REC_FROM "WHERE r.id = ?1" :
	    "SELECT " REC_COLS REC_FROM "WHERE r.id = ?1 AND r.tenant_id = ?2", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, id);
	if (!all)
		sdb_bind_int64(s, 2, tenant_id);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		*out = row_to_recording(st, s);
		rc = 0;
	} else if (rc == SDB_DONE)
		/* Another tenant's recording is not there, as far as this
		 * caller can tell. */
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no recording with id %lld%s (see 'zpub list')",
		    (long long)id, all ? "" : " in this tenant");
	else
		rc = store_sqlerr(st, err, "reading a recording");
	sdb_finalize(s);
	return rc;
}

/* Steps s, a query for one recording id, and finalizes it: 0 with *id,
 * ZPUB_ENOTFOUND, or a database error. */
static int
one_id(struct store *st, struct sdb_stmt *s, int64_t *id, struct zpub_err *err)
{
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		*id = sdb_column_int64(s, 0);
		rc = 0;
	} else if (rc == SDB_DONE)
		rc = ZPUB_ENOTFOUND;
	else
		rc = store_sqlerr(st, err, "finding a recording");
	sdb_finalize(s);
	return rc;
}

int
store_recording_find_content(struct store *st, int64_t tenant_id, const char *source_ref,
    int64_t *id, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT id FROM recordings WHERE tenant_id = ? AND"
	    " source IN ('local', 'watch') AND source_ref = ? ORDER BY id LIMIT 1", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_text(s, 2, source_ref, -1);
	return one_id(st, s, id, err);
}

int
store_recording_find_ref(struct store *st, int64_t tenant_id, const char *source,
    const char *source_ref, int64_t *id, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT id FROM recordings WHERE tenant_id = ? AND"
	    " source = ? AND source_ref = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_text(s, 2, source, -1);
	sdb_bind_text(s, 3, source_ref, -1);
	return one_id(st, s, id, err);
}

static int
update_text(struct store *st, const char *sql, int64_t id, const char *text,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, sql, err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, text, -1);
	sdb_bind_int64(s, 2, time_now_ms());
	sdb_bind_int64(s, 3, id);
	int rc = sdb_step(s);
	sdb_finalize(s);
	if (rc != SDB_DONE)
		return store_sqlerr(st, err, "updating a recording");
	if (sdb_changes(st->db) == 0)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "no recording with id %lld", (long long)id);
	return 0;
}

int
store_recording_set_title(struct store *st, int64_t id, const char *title, struct zpub_err *err)
{
	return update_text(st, "UPDATE recordings SET title = ?, updated_at = ? WHERE id = ?",
	    id, title, err);
}

int
store_recording_set_config(struct store *st, int64_t id, const char *json, struct zpub_err *err)
{
	return update_text(st, "UPDATE recordings SET config = ?, updated_at = ? WHERE id = ?",
	    id, json, err);
}

int
store_recording_refresh_source_meta(struct store *st, int64_t id, const char *json,
    int *changed, struct zpub_err *err)
{
	/* One statement, so a download committing its source meanwhile wins. */
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET source_meta = ?, updated_at = ?"
	    " WHERE id = ? AND source_meta IS DISTINCT FROM ? AND status IN ('INITIALIZED', 'DOWNLOADING',"
	    " 'FAILED', 'SKIPPED') AND NOT EXISTS (SELECT 1 FROM artifacts WHERE recording_id = ?"
	    " AND kind = 'source')", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, json, -1);
	sdb_bind_int64(s, 2, time_now_ms());
	sdb_bind_int64(s, 3, id);
	sdb_bind_text(s, 4, json, -1);
	sdb_bind_int64(s, 5, id);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "refreshing source data");
	if (changed)
		*changed = rc == 0 && sdb_changes(st->db) > 0;
	sdb_finalize(s);
	return rc;
}

int
store_recording_delete(struct store *st, int64_t id, struct zpub_err *err)
{
	struct sdb_stmt *s = NULL;
	int rc;
	/* One transaction: a crash never leaves a Zoom recording deleted but not
	 * remembered (the next sync would bring it back and publish it again). */
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	s = store_prep(st, "INSERT INTO forgotten_refs (tenant_id, source, source_ref,"
	    " title, deleted_at) SELECT tenant_id, source, source_ref, title, ? FROM recordings"
	    " WHERE id = ? AND source <> 'local' ON CONFLICT (tenant_id, source, source_ref)"
	    " DO UPDATE SET title = excluded.title, deleted_at = excluded.deleted_at", err);
	if (s == NULL) { rc = ZPUB_EDB; goto out; }
	sdb_bind_int64(s, 1, time_now_ms());
	sdb_bind_int64(s, 2, id);
	if (sdb_step(s) != SDB_DONE) {
		rc = store_sqlerr(st, err, "remembering a deleted recording");
		goto out;
	}
	sdb_finalize(s);
	if ((s = store_prep(st, "DELETE FROM recordings WHERE id = ?", err)) == NULL) {
		rc = ZPUB_EDB;
		goto out;
	}
	sdb_bind_int64(s, 1, id);
	if (sdb_step(s) != SDB_DONE)
		rc = store_sqlerr(st, err, "deleting a recording");
	else if (sdb_changes(st->db) == 0)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no recording with id %lld", (long long)id);
	else
		rc = store_commit(st, err);
out:
	sdb_finalize(s);
	if (rc != 0)
		store_rollback(st);
	return rc;
}

/* A statement on forgotten_refs whose ?1..?3 are tenant, source and ref. */
static struct sdb_stmt *
forgotten_stmt(struct store *st, const char *sql, int64_t tenant_id, const char *source,
    const char *source_ref, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, sql, err);
	if (s != NULL) {
		sdb_bind_int64(s, 1, tenant_id);
		sdb_bind_text(s, 2, source, -1);
		sdb_bind_text(s, 3, source_ref, -1);
	}
	return s;
}

int
store_forgotten_find(struct store *st, int64_t tenant_id, const char *source,
    const char *source_ref, struct zpub_err *err)
{
	struct sdb_stmt *s = forgotten_stmt(st, "SELECT 1 FROM forgotten_refs WHERE tenant_id = ?1"
	    " AND source = ?2 AND source_ref = ?3", tenant_id, source, source_ref, err);
	if (s == NULL)
		return ZPUB_EDB;
	int rc = sdb_step(s);
	rc = rc == SDB_ROW ? 0 : rc == SDB_DONE ? ZPUB_ENOTFOUND :
	    store_sqlerr(st, err, "reading the deleted recordings");
	sdb_finalize(s);
	return rc;
}

int
store_forgotten_drop(struct store *st, int64_t tenant_id, const char *source,
    const char *source_ref, struct zpub_err *err)
{
	struct sdb_stmt *s = forgotten_stmt(st, "DELETE FROM forgotten_refs WHERE tenant_id = ?1"
	    " AND source = ?2 AND source_ref = ?3", tenant_id, source, source_ref, err);
	if (s == NULL)
		return ZPUB_EDB;
	int rc = sdb_step(s) == SDB_DONE ? 0 :
	    store_sqlerr(st, err, "forgetting a deleted recording");
	sdb_finalize(s);
	return rc;
}

static void
bind_filter(struct sdb_stmt *s, const struct store_filter *f)
{
	sdb_bind_int64(s, 1, f->tenant_id);
	if (f->status >= 0)
		sdb_bind_text(s, 2, status_name((enum rec_status)f->status), -1);
	if (f->search && *f->search)
		sdb_bind_text(s, 3, f->search, -1);
	if (f->review_held)
		sdb_bind_int(s, 6, 1);
}

#define FILTER_WHERE " WHERE (?1 = " STORE_ALL_TENANTS_SQL " OR r.tenant_id = ?1) AND (CAST(?2 AS TEXT) IS NULL" \
	" OR r.status = ?2) AND (CAST(?3 AS TEXT) IS NULL OR zpub_match(r.title, zpub_fold(?3)))" \
	" AND (CAST(?6 AS TEXT) IS NULL OR (r.review_hold = 1 AND r.status = 'TRANSCRIBED')) "

int
store_recording_list(struct store *st, const struct store_filter *f,
    struct store_recording ***out, int *n, struct zpub_err *err)
{
	char *sql = xasprintf("SELECT " REC_COLS REC_FROM FILTER_WHERE
	    "ORDER BY r.id %s LIMIT ?4 OFFSET ?5", f->newest_first ? "DESC" : "ASC");
	struct sdb_stmt *s = store_prep(st, sql, err);
	free(sql);
	if (s == NULL)
		return ZPUB_EDB;
	bind_filter(s, f);
	sdb_bind_int64(s, 4, f->limit > 0 ? f->limit : INT64_MAX);	/* no limit */
	sdb_bind_int(s, 5, f->offset);
	int rc = store_collect(st, s, sizeof **out, recording_item, (void **)out, n,
	    "listing recordings", err);
	if (rc != 0) {
		store_recording_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int
store_recording_set_review_hold(struct store *st, int64_t id, int hold, struct zpub_err *err)
{
	/* a savepoint: the hold and its notification in one transaction,
	 * whether or not the caller has one open */
	int own, rc = store_sp_begin(st, "review_hold", &own, err);
	if (rc)
		return rc;
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET review_hold = ?, updated_at = ?"
	    " WHERE id = ? AND review_hold != ?", err);
	if (s == NULL) {
		rc = ZPUB_EDB;
		goto out;
	}
	sdb_bind_int(s, 1, hold ? 1 : 0);
	sdb_bind_int64(s, 2, time_now_ms());
	sdb_bind_int64(s, 3, id);
	sdb_bind_int(s, 4, hold ? 1 : 0);
	rc = sdb_step(s) == SDB_DONE ? 0 :
	    store_sqlerr(st, err, "recording the review hold");
	sdb_finalize(s);
	if (rc == 0 && hold && sdb_changes(st->db) > 0)
		rc = store_notify_enqueue(st, id, "review_pending", NULL, err);
out:
	return store_sp_end(st, "review_hold", own, rc, err);
}

int
store_recording_set_update_pending(struct store *st, int64_t id, int on, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET update_pending = ? WHERE id = ?",
	    err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int(s, 1, on ? 1 : 0);
	sdb_bind_int64(s, 2, id);
	int rc = sdb_step(s) == SDB_DONE ? 0 :
	    store_sqlerr(st, err, "marking the recording for an update");
	sdb_finalize(s);
	return rc;
}

int
store_recording_count(struct store *st, const struct store_filter *f, int64_t *n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT count(*) FROM recordings r" FILTER_WHERE, err);
	if (s == NULL)
		return ZPUB_EDB;
	bind_filter(s, f);
	int rc = sdb_step(s);
	if (rc == SDB_ROW)
		*n = sdb_column_int64(s, 0);
	sdb_finalize(s);
	return rc == SDB_ROW ? 0 : store_sqlerr(st, err, "counting recordings");
}

void
store_recording_list_free(struct store_recording **v, int n)
{
	for (int i = 0; i < n; i++)
		store_recording_free(v[i]);
	free(v);
}

int
store_recording_status_counts(struct store *st, int64_t tenant_id, int64_t counts[ST__COUNT],
    struct zpub_err *err)
{
	/* Two texts rather than "?1 = -1 OR tenant_id = ?1", so the per-tenant
	 * count uses the (tenant_id, status) index: the terminal app asks on
	 * every refresh, over 100k recordings. */
	int all = tenant_id == STORE_ALL_TENANTS;
	struct sdb_stmt *s = store_prep(st, !all ?
	    "SELECT status, count(*) FROM recordings WHERE tenant_id = ?1 GROUP BY status" :
	    "SELECT status, count(*) FROM recordings GROUP BY status", err);
	if (s == NULL)
		return ZPUB_EDB;
	if (!all)
		sdb_bind_int64(s, 1, tenant_id);
	memset(counts, 0, sizeof(int64_t) * ST__COUNT);
	int rc;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		int sv = status_parse((const char *)sdb_column_text(s, 0));
		if (sv >= 0)
			counts[sv] = sdb_column_int64(s, 1);
	}
	sdb_finalize(s);
	return rc == SDB_DONE ? 0 : store_sqlerr(st, err, "counting recordings");
}

/* The compare-and-set at the heart of every move. */
static int
move_cas(struct store *st, int64_t id, enum rec_status from, enum rec_status to,
    const char *detail, struct zpub_err *err)
{
	if (!status_can_move(from, to))
		return zpub_err_set(err, ZPUB_ESTATE,
		    "recording %lld cannot go from %s to %s", (long long)id,
		    status_name(from), status_name(to));
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET status = ?, detail = ?,"
	    " updated_at = ?, progress = NULL, progress_what = NULL, progress_eta_ms = NULL"
	    " WHERE id = ? AND status = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, status_name(to), -1);
	sdb_bind_text(s, 2, detail, -1);
	sdb_bind_int64(s, 3, time_now_ms());
	sdb_bind_int64(s, 4, id);
	sdb_bind_text(s, 5, status_name(from), -1);
	int rc = sdb_step(s);
	sdb_finalize(s);
	if (rc != SDB_DONE)
		return store_sqlerr(st, err, "changing a recording's status");
	if (sdb_changes(st->db) == 0)
		return zpub_err_set(err, ZPUB_ESTATE,
		    "recording %lld is no longer %s (another process moved it, or it does not exist)",
		    (long long)id, status_name(from));
	return 0;
}

int
store_recording_move(struct store *st, int64_t id, enum rec_status from, enum rec_status to,
    const char *detail, struct zpub_err *err)
{
	int rc = move_cas(st, id, from, to, detail, err);
	if (rc == 0)
		store_journal(st, id, "info", "status", "%s -> %s%s%s", status_name(from),
		    status_name(to), detail ? ": " : "", detail ? detail : "");
	return rc;
}

/* An owner is "kind@host:pid".  A lease whose owner ran on this host and
 * whose process is gone is dead now, not when it expires: a crashed CLI run
 * must not block the next one for the lease's whole length. */
int
store_owner_is_dead(const char *owner)
{
	char host[256], me[256];
	long pid;
	if (owner == NULL)
		return 1;
	if (!owner_parse(owner, host, sizeof host, &pid))
		return 0;
	host_id(me, sizeof me);
	if (strcmp(host, me) != 0)
		return 0;
	if (pid <= 0)
		return 0;
	if (pid == (long)getpid())
		return 0;
	return kill((pid_t)pid, 0) != 0;
}

/* On PostgreSQL the recording's row is locked for the claim's transaction
 * (FOR UPDATE SKIP LOCKED): of daemons on several hosts claiming at once,
 * one gets it and the others hear it is taken, without waiting.  SQLite's
 * BEGIN IMMEDIATE already lets one writer in at a time. */
static int
claim_row(struct store *st, int64_t id, struct zpub_err *err)
{
	if (!store_is_pg(st))
		return 0;
	struct sdb_stmt *s = store_prep(st, "SELECT id FROM recordings WHERE id = ?"
	    " FOR UPDATE SKIP LOCKED", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, id);
	int rc = sdb_step(s);
	sdb_finalize(s);
	if (rc == SDB_ROW)
		return 0;
	if (rc != SDB_DONE)
		return store_sqlerr(st, err, "claiming a recording");
	struct store_recording *r = NULL;
	if ((rc = store_recording_get(st, id, &r, err)) != 0)
		return rc;	/* gone */
	store_recording_free(r);
	return zpub_err_set(err, ZPUB_EBUSY, "recording %lld is being claimed by another worker"
	    " right now; try again later", (long long)id);
}

int
store_lease_take(struct store *st, int64_t id, enum rec_status status,
    enum rec_status running, const char *owner, int64_t lease_ms, int *resumed,
    struct zpub_err *err)
{
	struct store_recording *r = NULL;
	int rc;

	if (resumed)
		*resumed = 0;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = claim_row(st, id, err)) != 0 ||
	    (rc = store_recording_get(st, id, &r, err)) != 0)
		goto out;
	int64_t now = time_now_ms();
	int held = r->lease_owner && r->lease_until > now && strcmp(r->lease_owner, owner) != 0;
	if (r->stop_by) {
		/* stopped by a person: only a person's run, retry or publish
		 * (store_stop_clear) lets it go on */
		rc = zpub_err_set(err, ZPUB_ECANCEL, "recording %lld was stopped by %s; 'zpub run %lld'"
		    " takes it on again", (long long)id, r->stop_by, (long long)id);
		goto out;
	}
	if (held && store_owner_is_dead(r->lease_owner))
		held = 0;
	if (held) {
		char until[64];
		time_human(r->lease_until, now, until);
		rc = zpub_err_set(err, ZPUB_EBUSY, "recording %lld is being worked on by %s "
		    "(lease until %s); try again later", (long long)id, r->lease_owner, until);
		goto out;
	}
	if (r->status == running) {
		/* Interrupted run: take it over and mark the old run row. */
		struct sdb_stmt *s = store_prep(st, "UPDATE stage_runs SET state = 'interrupted',"
		    " finished_at = ? WHERE recording_id = ? AND state = 'running'", err);
		if (s == NULL) { rc = ZPUB_EDB; goto out; }
		sdb_bind_int64(s, 1, now);
		sdb_bind_int64(s, 2, id);
		rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "marking a run");
		sdb_finalize(s);
		if (rc) goto out;
		if (resumed)
			*resumed = 1;
	} else if (r->status == status) {
		if ((rc = move_cas(st, id, status, running, NULL, err)) != 0)
			goto out;
	} else {
		rc = zpub_err_set(err, ZPUB_ESTATE, "recording %lld is %s, not %s",
		    (long long)id, status_name(r->status), status_name(status));
		goto out;
	}
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET lease_owner = ?, lease_until = ?,"
	    " updated_at = ? WHERE id = ?", err);
	if (s == NULL) { rc = ZPUB_EDB; goto out; }
	sdb_bind_text(s, 1, owner, -1);
	sdb_bind_int64(s, 2, now + lease_ms);
	sdb_bind_int64(s, 3, now);
	sdb_bind_int64(s, 4, id);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "taking a lease");
	sdb_finalize(s);
	if (rc == 0)
		rc = store_commit(st, err);
out:
	if (rc != 0)
		store_rollback(st);
	store_recording_free(r);
	return rc;
}

int
store_lease_release(struct store *st, int64_t id, const char *owner, enum rec_status status,
    struct zpub_err *err)
{
	struct store_recording *r = NULL;
	int rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = store_recording_get(st, id, &r, err)) != 0)
		goto out;
	if (r->status != status && (rc = move_cas(st, id, r->status, status, NULL, err)) != 0)
		goto out;
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET lease_owner = NULL,"
	    " lease_until = 0 WHERE id = ? AND (lease_owner = ? OR lease_owner IS NULL)", err);
	if (s == NULL) { rc = ZPUB_EDB; goto out; }
	sdb_bind_int64(s, 1, id);
	sdb_bind_text(s, 2, owner, -1);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "releasing a lease");
	sdb_finalize(s);
	struct sdb_stmt *u = store_prep(st, "UPDATE stage_runs SET state = 'interrupted', finished_at = ?"
	    " WHERE recording_id = ? AND state = 'running'", err);
	if (u) {
		sdb_bind_int64(u, 1, time_now_ms());
		sdb_bind_int64(u, 2, id);
		sdb_step(u);
		sdb_finalize(u);
	}
	if (rc == 0)
		rc = store_commit(st, err);
out:
	if (rc)
		store_rollback(st);
	store_recording_free(r);
	return rc;
}

int
store_recording_progress(struct store *st, int64_t id, const char *owner, double fraction,
    const char *what, int64_t eta_ms, int64_t lease_ms, struct zpub_err *err)
{
	int rc;
	/* The same UPDATE twice does no harm: sent again when the connection
	 * broke under it (a database restarting), so that a lost connection
	 * is not taken for a lost lease. */
	for (int tries = 1;; tries++) {
		struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET progress = ?,"
		    " progress_what = ?, progress_eta_ms = ?, lease_until = ? WHERE id = ?"
		    " AND lease_owner = ? AND stop_by IS NULL", err);
		if (s == NULL)
			return ZPUB_EDB;
		sdb_bind_double(s, 1, fraction);
		sdb_bind_text(s, 2, what, -1);
		if (eta_ms >= 0)
			sdb_bind_int64(s, 3, eta_ms);
		sdb_bind_int64(s, 4, time_now_ms() + lease_ms);
		sdb_bind_int64(s, 5, id);
		sdb_bind_text(s, 6, owner, -1);
		rc = sdb_step(s);
		sdb_finalize(s);
		if (rc == SDB_DONE || tries == 2 || sdb_errclass(st->db) != SDB_E_CONN ||
		    sdb_in_tx(st->db))
			break;
	}
	if (rc != SDB_DONE)
		return store_sqlerr(st, err, "recording progress");
	if (sdb_changes(st->db) == 0)
		return store_stop_asked(st, id, owner, err);
	return 0;
}

int
store_stage_run_start(struct store *st, int64_t rec_id, const char *stage, int attempt,
    const char *owner, int64_t *run_id, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "INSERT INTO stage_runs (recording_id, stage, state,"
	    " attempt, owner, started_at) VALUES (?, ?, 'running', ?, ?, ?) RETURNING id", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	sdb_bind_text(s, 2, stage, -1);
	sdb_bind_int(s, 3, attempt);
	sdb_bind_text(s, 4, owner, -1);
	sdb_bind_int64(s, 5, time_now_ms());
	int rc = sdb_step(s);
	if (rc == SDB_ROW)
		*run_id = sdb_column_int64(s, 0);
	sdb_finalize(s);
	if (rc != SDB_ROW)
		return store_sqlerr(st, err, "starting a stage run");
	store_journal(st, rec_id, "info", "stage", "%s started (attempt %d)", stage, attempt);
	return 0;
}

int
store_stage_runs(struct store *st, int64_t rec_id, struct store_stage_run **out, int *n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT id, stage, state, attempt, started_at,"
	    " finished_at, error, summary FROM stage_runs WHERE recording_id = ? ORDER BY id", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	struct store_stage_run *v = NULL;
	int cnt = 0, cap = 0, rc;
	while ((rc = sdb_step(s)) == SDB_ROW) {
		if (cnt == cap) {
			cap = cap ? cap * 2 : 8;
			v = xreallocarray(v, (size_t)cap, sizeof *v);
		}
		struct store_stage_run *r = &v[cnt++];
		r->id = sdb_column_int64(s, 0);
		r->stage = store_col_str(s, 1);
		r->state = store_col_str(s, 2);
		r->attempt = sdb_column_int(s, 3);
		r->started_at = sdb_column_int64(s, 4);
		r->finished_at = sdb_column_int64(s, 5);
		r->error = store_col_str(s, 6);
		r->summary = store_col_str(s, 7);
	}
	sdb_finalize(s);
	if (rc != SDB_DONE) {
		store_stage_runs_free(v, cnt);
		return store_sqlerr(st, err, "reading stage runs");
	}
	*out = v;
	*n = cnt;
	return 0;
}

void
store_stage_runs_free(struct store_stage_run *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].stage); free(v[i].state); free(v[i].error); free(v[i].summary);
	}
	free(v);
}

static int
finish_run(struct store *st, int64_t run_id, const char *state, const char *error,
    const char *summary, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE stage_runs SET state = ?, finished_at = ?,"
	    " error = ?, summary = ?, progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END"
	    " WHERE id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, state, -1);
	sdb_bind_int64(s, 2, time_now_ms());
	sdb_bind_text(s, 3, error, -1);
	sdb_bind_text(s, 4, summary, -1);
	sdb_bind_text(s, 5, state, -1);
	sdb_bind_int64(s, 6, run_id);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "finishing a run");
	sdb_finalize(s);
	return rc;
}

static int
clear_lease(struct store *st, int64_t id, const char *owner, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET lease_owner = NULL,"
	    " lease_until = 0 WHERE id = ? AND lease_owner = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, id);
	sdb_bind_text(s, 2, owner, -1);
	int rc = sdb_step(s);
	sdb_finalize(s);
	if (rc != SDB_DONE)
		return store_sqlerr(st, err, "dropping a lease");
	if (sdb_changes(st->db) == 0)
		return zpub_err_set(err, ZPUB_EBUSY, "lost the lease on recording %lld to another"
		    " process; its result was not recorded", (long long)id);
	return 0;
}

static int
delete_kind(struct store *st, int64_t rec_id, const char *kind, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "DELETE FROM artifacts WHERE recording_id = ? AND kind = ?",
	    err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	sdb_bind_text(s, 2, kind, -1);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "replacing artefacts");
	sdb_finalize(s);
	return rc;
}

int
store_artifacts_replace(struct store *st, int64_t rec_id, const struct stage_artifact *arts,
    int n, struct zpub_err *err)
{
	int rc = store_begin(st, err);
	for (int i = 0; i < n && rc == 0; i++) {
		int seen = 0;
		for (int j = 0; j < i; j++)
			seen |= strcmp(arts[j].kind, arts[i].kind) == 0;
		if (!seen)
			rc = delete_kind(st, rec_id, arts[i].kind, err);
	}
	for (int i = 0; i < n && rc == 0; i++)
		rc = store_artifact_add(st, rec_id, &arts[i], err);
	if (rc == 0)
		return store_commit(st, err);
	store_rollback(st);
	return rc;
}

/* One try of store_stage_complete; *lost says the connection to the
 * database went on the way (the transaction is rolled back). */
static int
stage_complete_once(struct store *st, const struct store_stage_done *d, int *lost,
    struct zpub_err *err)
{
	const struct stage_artifact *arts = d->arts;
	int64_t rec_id = d->rec_id;
	int n = d->n_arts, rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = clear_lease(st, rec_id, d->owner, err)) != 0)
		goto out;
	for (int i = 0; i < n && rc == 0; i++) {
		int seen = 0;
		for (int j = 0; j < i; j++)
			if (strcmp(arts[j].kind, arts[i].kind) == 0)
				seen = 1;
		if (!seen)
			rc = delete_kind(st, rec_id, arts[i].kind, err);
	}
	for (int i = 0; i < n && rc == 0; i++)
		rc = store_artifact_add(st, rec_id, &arts[i], err);
	if (rc == 0)
		rc = finish_run(st, d->run_id, "done", NULL, d->summary, err);
	if (rc == 0)
		rc = move_cas(st, rec_id, d->running, d->output, NULL, err);
	if (rc == 0) {
		struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET attempts = 0, failed_stage ="
		    " NULL, next_retry_at = NULL WHERE id = ?", err);
		if (s == NULL) { rc = ZPUB_EDB; goto out; }
		sdb_bind_int64(s, 1, rec_id);
		rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "resetting attempts");
		sdb_finalize(s);
	}
	if (rc == 0) {
		store_journal(st, rec_id, "info", "status", "%s -> %s%s%s", status_name(d->running),
		    status_name(d->output), d->summary && *d->summary ? ": " : "",
		    d->summary ? d->summary : "");
		if (d->output == ST_READY)
			rc = store_notify_enqueue(st, rec_id, "ready", NULL, err);
		if (rc == 0)
			rc = store_commit(st, err);
	}
out:
	*lost = rc != 0 && sdb_errclass(st->db) == SDB_E_CONN;
	if (rc)
		store_rollback(st);
	return rc;
}

/* 1 when the run is recorded done (a COMMIT cut off in flight may have
 * gone through). */
static int
run_done(struct store *st, int64_t run_id)
{
	struct sdb_stmt *s = store_prep(st, "SELECT 1 FROM stage_runs WHERE id = ?"
	    " AND state = 'done'", NULL);
	if (s == NULL)
		return 0;
	sdb_bind_int64(s, 1, run_id);
	int done = sdb_step(s) == SDB_ROW;
	sdb_finalize(s);
	return done;
}

/* A finished stage's result is not given up for a lost connection (the
 * database restarting, or away for a while): the transaction is tried
 * again on a new one, which waits for the server as long as the driver
 * does. */
int
store_stage_complete(struct store *st, const struct store_stage_done *d, struct zpub_err *err)
{
	int lost = 0, rc;
	for (int tries = 1;; tries++) {
		rc = stage_complete_once(st, d, &lost, err);
		if (rc == 0 || !lost || tries == 3)
			return rc;
		if (run_done(st, d->run_id))
			return 0;
		log_warn("recording %lld: %s; recording the result again", (long long)d->rec_id,
		    err ? err->msg : "the connection to the database was lost");
	}
}

/* The shared start of a stage's unhappy end: in a new transaction, drop the
 * lease, mark the run failed and move the recording to `to`.  On success the
 * transaction stays open for the caller's own rows; on error it is rolled
 * back.  *from gets the status the recording left. */
static int
end_run_begin(struct store *st, int64_t rec_id, int64_t run_id, const char *owner,
    enum rec_status to, const char *reason, enum rec_status *from, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	int rc;
	*from = to;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = store_recording_get(st, rec_id, &r, err)) == 0 &&
	    (rc = clear_lease(st, rec_id, owner, err)) == 0 &&
	    (run_id <= 0 || (rc = finish_run(st, run_id, "failed", reason, NULL, err)) == 0) &&
	    (rc = move_cas(st, rec_id, r->status, to, reason, err)) == 0)
		*from = r->status;
	if (rc)
		store_rollback(st);
	store_recording_free(r);
	return rc;
}

int
store_stage_fail(struct store *st, const struct store_stage_failure *f, struct zpub_err *err)
{
	enum rec_status from;
	int rc = end_run_begin(st, f->rec_id, f->run_id, f->owner, ST_FAILED, f->reason, &from,
	    err);
	if (rc)
		return rc;
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET failed_stage = ?, attempts ="
	    " attempts + ?, next_retry_at = ?, retry_status = ? WHERE id = ?", err);
	if (s == NULL) {
		store_rollback(st);
		return ZPUB_EDB;
	}
	sdb_bind_text(s, 1, f->stage, -1);
	sdb_bind_int(s, 2, f->count_attempt ? 1 : 0);
	if (f->next_retry_at > 0)
		sdb_bind_int64(s, 3, f->next_retry_at);
	sdb_bind_text(s, 4, status_name(f->retry_to), -1);
	sdb_bind_int64(s, 5, f->rec_id);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "recording a failure");
	sdb_finalize(s);
	if (rc == 0) {
		store_journal(st, f->rec_id, "error", "failed", "%s failed: %s", f->stage,
		    f->reason);
		/* a wait for a quota is not a failure of the recording */
		rc = store_notify_enqueue(st, f->rec_id, f->count_attempt ? "failed" :
		    "quota_reached", f->reason, err);
		if (rc == 0)
			rc = store_commit(st, err);
	}
	if (rc)
		store_rollback(st);
	return rc;
}

int
store_stage_expire(struct store *st, int64_t rec_id, int64_t run_id, const char *owner,
    const char *reason, struct zpub_err *err)
{
	enum rec_status from;
	int rc = end_run_begin(st, rec_id, run_id, owner, ST_EXPIRED, reason, &from, err);
	if (rc)
		return rc;
	store_journal(st, rec_id, "warn", "expired", "%s -> EXPIRED: %s", status_name(from),
	    reason);
	if ((rc = store_commit(st, err)) != 0)
		store_rollback(st);
	return rc;
}

int
store_recording_retry(struct store *st, int64_t id, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	int rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = store_recording_get(st, id, &r, err)) != 0)
		goto out;
	if (r->status != ST_FAILED && r->stop_by) {
		/* a stopped recording: retrying it lets the daemon take it on */
		store_rollback(st);
		store_recording_free(r);
		return store_stop_clear(st, id, NULL, err);
	}
	if (r->status != ST_FAILED) {
		rc = zpub_err_set(err, ZPUB_ESTATE, "recording %lld is %s, not FAILED: nothing to retry",
		    (long long)id, status_name(r->status));
		goto out;
	}
	enum rec_status back = ST_INITIALIZED;
	struct sdb_stmt *q = store_prep(st, "SELECT retry_status FROM recordings WHERE id = ?", err);
	if (q == NULL) { rc = ZPUB_EDB; goto out; }
	sdb_bind_int64(q, 1, id);
	if (sdb_step(q) == SDB_ROW && sdb_column_text(q, 0)) {
		int v = status_parse((const char *)sdb_column_text(q, 0));
		if (v >= 0)
			back = (enum rec_status)v;
	} else {
		int v = status_stage_input(r->failed_stage ? r->failed_stage : "");
		if (v >= 0)
			back = (enum rec_status)v;
	}
	sdb_finalize(q);
	if ((rc = move_cas(st, id, ST_FAILED, back, "queued for retry", err)) != 0)
		goto out;
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET next_retry_at = NULL, stop_by = NULL,"
	    " stop_at = NULL WHERE id = ?", err);
	if (s == NULL) { rc = ZPUB_EDB; goto out; }
	sdb_bind_int64(s, 1, id);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "queueing a retry");
	sdb_finalize(s);
	if (rc == 0) {
		store_journal(st, id, "info", "retry", "FAILED -> %s (retry of %s)", status_name(back),
		    r->failed_stage ? r->failed_stage : "?");
		rc = store_commit(st, err);
	}
out:
	if (rc)
		store_rollback(st);
	store_recording_free(r);
	return rc;
}
