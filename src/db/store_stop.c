/*
 * store_stop.c — stopping a running stage: the request a face records, the
 * answer the lease holder gives at its next progress report, and the mark
 * that keeps a stopped recording out of the daemon's hands until a person
 * runs, retries or publishes it.  Stages and processes meet only here, so
 * a stop works whichever process on whichever face runs the stage.
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

/* The input status of the stage whose running status is s; -1 when s is
 * no stage's running status. */
static int
running_input(enum rec_status s)
{
#define X(name, in, run, out) if (s == ST_##run) return ST_##in;
	ZPUB_STAGES(X)
#undef X
	return -1;
}

int
store_lease_live(const struct store_recording *r)
{
	return running_input(r->status) >= 0 && r->lease_owner != NULL &&
	    r->lease_until > time_now_ms() && !store_owner_is_dead(r->lease_owner);
}

int
store_stop_request(struct store *st, int64_t tenant_id, int64_t id, const char *by, int *live,
    struct zpub_err *err)
{
	struct store_recording *r = NULL;
	int rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = store_recording_get_in(st, tenant_id, id, &r, err)) != 0)
		goto out;
	if (running_input(r->status) < 0) {
		if (r->stop_by)
			rc = zpub_err_set(err, ZPUB_ESTATE, "recording %lld is %s: nothing runs (%s"
			    " stopped it; 'zpub run %lld' goes on)", (long long)id,
			    status_name(r->status), r->stop_by, (long long)id);
		else
			rc = zpub_err_set(err, ZPUB_ESTATE, "recording %lld is %s: no stage of it is"
			    " running, so there is nothing to stop", (long long)id,
			    status_name(r->status));
		goto out;
	}
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET stop_by = ?, stop_at = ?"
	    " WHERE id = ?", err);
	if (s == NULL) {
		rc = ZPUB_EDB;
		goto out;
	}
	sdb_bind_text(s, 1, by, -1);
	sdb_bind_int64(s, 2, time_now_ms());
	sdb_bind_int64(s, 3, id);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "asking for a stop");
	sdb_finalize(s);
	if (rc == 0) {
		store_journal(st, id, "info", "stop", "%s asked to stop %s%s", by,
		    status_name(r->status), r->lease_owner ? "" : " (nobody holds it)");
		rc = store_commit(st, err);
	}
	if (rc == 0 && live)
		*live = store_lease_live(r);
out:
	if (rc)
		store_rollback(st);
	store_recording_free(r);
	return rc;
}

int
store_stop_asked(struct store *st, int64_t id, const char *owner, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT stop_by FROM recordings WHERE id = ?"
	    " AND lease_owner = ? AND stop_by IS NOT NULL", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, id);
	sdb_bind_text(s, 2, owner, -1);
	int rc;
	if (sdb_step(s) == SDB_ROW)
		rc = zpub_err_set(err, ZPUB_ECANCEL, "stopped by %s",
		    (const char *)sdb_column_text(s, 0));
	else
		rc = zpub_err_set(err, ZPUB_EBUSY, "lost the lease on recording %lld",
		    (long long)id);
	sdb_finalize(s);
	return rc;
}

int
store_stop_finish(struct store *st, int64_t id, const char *owner, struct store_stopped *out,
    struct zpub_err *err)
{
	struct store_recording *r = NULL;
	struct sdb_stmt *s = NULL;
	int rc, back;
	memset(out, 0, sizeof *out);
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = store_recording_get(st, id, &r, err)) != 0)
		goto out;
	snprintf(out->by, sizeof out->by, "%s", r->stop_by ? r->stop_by : "someone");
	out->from = out->back = r->status;
	if ((back = running_input(r->status)) < 0)
		goto out;    /* it ended by itself meanwhile */
	if (owner ? r->lease_owner == NULL || strcmp(owner, r->lease_owner) != 0 :
	    store_lease_live(r)) {
		rc = zpub_err_set(err, ZPUB_EBUSY, "recording %lld is held by %s, which has not"
		    " stopped yet", (long long)id, r->lease_owner ? r->lease_owner : "nobody");
		goto out;
	}
	char detail[192];
	snprintf(detail, sizeof detail, "stopped by %s", out->by);
	if ((rc = store_recording_move(st, id, r->status, (enum rec_status)back, detail, err)) != 0)
		goto out;
	s = store_prep(st, "UPDATE recordings SET lease_owner = NULL, lease_until = 0"
	    " WHERE id = ?", err);
	if (s == NULL) {
		rc = ZPUB_EDB;
		goto out;
	}
	sdb_bind_int64(s, 1, id);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "dropping a lease");
	sdb_finalize(s);
	if (rc)
		goto out;
	s = store_prep(st, "UPDATE stage_runs SET state = 'interrupted', finished_at = ?,"
	    " error = ? WHERE recording_id = ? AND state = 'running'", err);
	if (s == NULL) {
		rc = ZPUB_EDB;
		goto out;
	}
	sdb_bind_int64(s, 1, time_now_ms());
	sdb_bind_text(s, 2, detail, -1);
	sdb_bind_int64(s, 3, id);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "ending a stopped run");
	sdb_finalize(s);
	if (rc)
		goto out;
	out->stopped = 1;
	out->back = (enum rec_status)back;
out:
	if (rc == 0)
		rc = store_commit(st, err);
	if (rc) {
		store_rollback(st);
		out->stopped = 0;
	}
	store_recording_free(r);
	return rc;
}

int
store_stop_clear(struct store *st, int64_t id, int *lifted, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	int rc;
	if (lifted)
		*lifted = 0;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = store_recording_get(st, id, &r, err)) != 0 || r->stop_by == NULL)
		goto out;
	if (store_lease_live(r)) {
		rc = zpub_err_set(err, ZPUB_EBUSY, "recording %lld is being stopped (%s asked);"
		    " wait for it ('zpub stop %lld --wait'), then run it again", (long long)id,
		    r->stop_by, (long long)id);
		goto out;
	}
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET stop_by = NULL, stop_at = NULL"
	    " WHERE id = ?", err);
	if (s == NULL) {
		rc = ZPUB_EDB;
		goto out;
	}
	sdb_bind_int64(s, 1, id);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "lifting a stop");
	sdb_finalize(s);
	if (rc == 0) {
		store_journal(st, id, "info", "stop", "the stop by %s is lifted: it goes on from %s",
		    r->stop_by, status_name(r->status));
		if (lifted)
			*lifted = 1;
	}
out:
	if (rc == 0)
		rc = store_commit(st, err);
	if (rc)
		store_rollback(st);
	store_recording_free(r);
	return rc;
}
