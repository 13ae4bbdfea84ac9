/*
 * recact.c — skip, unskip and delete of a recording, the one
 * implementation behind `zpub skip|unskip|delete`, the terminal app and
 * the API's routes and batch (recact.h).
 */
#include "recact.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "store.h"
#include "util.h"

int
recact_skip(struct store *st, const struct actor *who, int64_t id, int *already,
    struct zpub_err *err)
{
	struct store_recording *r = NULL;
	int rc = store_recording_get_in(st, who->tenant_id, id, &r, err);

	if (already)
		*already = rc == 0 && r->status == ST_SKIPPED;
	if (rc == 0 && r->status != ST_SKIPPED &&
	    (rc = store_recording_move(st, id, r->status, ST_SKIPPED, "skipped by hand",
	    err)) == 0)
		audit_note(st, who, "skip", "recording %lld %s", (long long)id, r->title);
	store_recording_free(r);
	return rc;
}

int
recact_unskip(struct store *st, const struct actor *who, int64_t id, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	struct store_artifact *a = NULL;
	int n = 0, rc = store_recording_get_in(st, who->tenant_id, id, &r, err);

	if (rc)
		return rc;
	if (r->status != ST_SKIPPED) {
		rc = zpub_err_set(err, ZPUB_ESTATE, "recording %lld is %s, not SKIPPED",
		    (long long)id, status_name(r->status));
		goto out;
	}
	enum rec_status to = ST_INITIALIZED;
	if ((rc = store_artifacts(st, id, NULL, &a, &n, err)) != 0)
		goto out;
	for (int i = 0; i < n; i++) {
		if (strcmp(a[i].kind, "source") == 0 && to < ST_DOWNLOADED)
			to = ST_DOWNLOADED;
		else if (strcmp(a[i].kind, "cut_video") == 0 && to < ST_PROCESSED)
			to = ST_PROCESSED;
		else if (strcmp(a[i].kind, "description") == 0)
			to = ST_TRANSCRIBED;
	}
	if ((rc = store_recording_move(st, id, ST_SKIPPED, to, "un-skipped", err)) == 0)
		audit_note(st, who, "unskip", "recording %lld %s -> %s", (long long)id, r->title,
		    status_name(to));
out:
	store_artifacts_free(a, n);
	store_recording_free(r);
	return rc;
}

int
recact_delete(struct store *st, const struct actor *who, int64_t id,
    struct store_recording **gone, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	char *dir = NULL;
	int rc = store_recording_get_in(st, who->tenant_id, id, &r, err);

	if (gone)
		*gone = NULL;
	if (rc)
		return rc;
	if (r->lease_owner && r->lease_until > time_now_ms()) {
		rc = zpub_err_set(err, ZPUB_EBUSY, "recording %lld is %s and being worked on by %s;"
		    " stop it first ('zpub stop %lld --wait', or POST /recordings/%lld/cancel) or wait"
		    " until the stage ends, then delete it", (long long)id, status_name(r->status),
		    r->lease_owner, (long long)id, (long long)id);
		goto out;
	}
	dir = pipeline_media_dir(store_data_dir(st), r->tenant, id);
	/* The row goes first: a crash between the two leaves a folder that the
	 * next import's sweep removes, never a recording without its files. */
	if ((rc = store_recording_delete(st, id, err)) != 0)
		goto out;
	fs_remove_tree(dir);
	audit_note(st, who, "delete", "recording %lld %s", (long long)id, r->title);
	if (gone) {
		*gone = r;
		r = NULL;
	}
out:
	free(dir);
	store_recording_free(r);
	return rc;
}
