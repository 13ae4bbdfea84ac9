/*
 * store_quota.c — the SQL behind quotas that hold in every face and usage
 * metered per face (see store_quota.h and migrations/016_usage_face.sql).
 */
#include "store_quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "store_notify.h"
#include "util.h"

void
store_set_face(struct store *st, const char *face)
{
	snprintf(st->face, sizeof st->face, "%s", face ? face : "");
}

const char *
store_face(struct store *st)
{
	return st->face;
}

int
store_leases_running(struct store *st, int64_t tenant_id, const char *except_owner,
    int64_t except_rec, int *n, struct zpub_err *err)
{
	*n = 0;
	struct sdb_stmt *s = store_prep(st, "SELECT lease_owner FROM recordings WHERE tenant_id = ?1"
	    " AND lease_owner IS NOT NULL AND lease_until > ?2 AND id <> ?3"
	    " AND (CAST(?4 AS TEXT) IS NULL OR lease_owner <> ?4)", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_int64(s, 2, time_now_ms());
	sdb_bind_int64(s, 3, except_rec);
	if (except_owner)
		sdb_bind_text(s, 4, except_owner, -1);
	int rc;
	while ((rc = sdb_step(s)) == SDB_ROW)
		if (!store_owner_is_dead((const char *)sdb_column_text(s, 0)))
			(*n)++;
	rc = rc == SDB_DONE ? 0 : store_sqlerr(st, err, "counting running stages");
	sdb_finalize(s);
	return rc;
}

int
store_recording_set_work_face(struct store *st, int64_t id, const char *face,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET work_face = ? WHERE id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	if (face)
		sdb_bind_text(s, 1, face, -1);
	sdb_bind_int64(s, 2, id);
	int rc = sdb_step(s) == SDB_DONE ? 0 :
	    store_sqlerr(st, err, "noting who asked for a recording's work");
	sdb_finalize(s);
	return rc;
}

int
store_recording_work_face(struct store *st, int64_t id, char *face, size_t len,
    struct zpub_err *err)
{
	face[0] = '\0';
	struct sdb_stmt *s = store_prep(st, "SELECT work_face FROM recordings WHERE id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, id);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		if (sdb_column_text(s, 0))
			snprintf(face, len, "%s", (const char *)sdb_column_text(s, 0));
		rc = 0;
	} else if (rc == SDB_DONE)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no recording with id %lld", (long long)id);
	else
		rc = store_sqlerr(st, err, "reading who asked for a recording's work");
	sdb_finalize(s);
	return rc;
}

static void
face_row(struct store *st, struct sdb_stmt *s, void *dst)
{
	struct store_face_row *r = dst;
	(void)st;
	r->face = store_col_str(s, 0);
	r->amount = sdb_column_double(s, 1);
}

int
store_usage_by_face(struct store *st, int64_t tenant_id, const char *kind, int64_t from_ms,
    int64_t to_ms, struct store_face_row **out, int *n, struct zpub_err *err)
{
	*out = NULL;
	*n = 0;
	struct sdb_stmt *s = store_prep(st, "SELECT face, SUM(amount) FROM usage"
	    " WHERE (?1 = " STORE_ALL_TENANTS_SQL " OR tenant_id = ?1) AND kind = ?2"
	    " AND at >= ?3 AND at < ?4 GROUP BY face ORDER BY face", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_text(s, 2, kind, -1);
	sdb_bind_int64(s, 3, from_ms);
	sdb_bind_int64(s, 4, to_ms);
	return store_collect(st, s, sizeof **out, face_row, (void **)out, n,
	    "reporting usage per face", err);
}

void
store_face_rows_free(struct store_face_row *v, int n)
{
	for (int i = 0; v && i < n; i++)
		free(v[i].face);
	free(v);
}

int
store_notify_quota_once(struct store *st, int64_t tenant_id, int64_t rec_id,
    const char *quota, int64_t since_ms, const char *reason, int *sent, struct zpub_err *err)
{
	*sent = 0;
	int rc = store_begin(st, err);
	if (rc)
		return rc;
	struct sdb_stmt *s = store_prep(st, store_is_pg(st) ?
	    "SELECT 1 FROM notify_events WHERE tenant_id = ?"
	    " AND event = 'quota_reached' AND created_at >= ? AND strpos(body, ?) > 0" :
	    "SELECT 1 FROM notify_events WHERE tenant_id = ?"
	    " AND event = 'quota_reached' AND created_at >= ? AND instr(body, ?) > 0", err);
	if (s == NULL) {
		store_rollback(st);
		return ZPUB_EDB;
	}
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_int64(s, 2, since_ms);
	sdb_bind_text(s, 3, quota, -1);
	rc = sdb_step(s);
	sdb_finalize(s);
	if (rc == SDB_ROW) {
		store_rollback(st);
		return 0;
	}
	if (rc != SDB_DONE) {
		rc = store_sqlerr(st, err, "looking for an earlier quota notification");
		store_rollback(st);
		return rc;
	}
	rc = rec_id > 0 ? store_notify_enqueue(st, rec_id, "quota_reached", reason, err) :
	    store_notify_enqueue_tenant(st, tenant_id, "quota_reached", reason, err);
	if (rc == 0 && (rc = store_commit(st, err)) == 0)
		*sent = 1;
	if (rc)
		store_rollback(st);
	return rc;
}
