/*
 * store_slides.c — a recording's slide changes (migration 010) and which
 * of its thumbnails is chosen: the changes are replaced as a whole by the
 * process stage and read by the thumbnails and the topics; the choice is
 * written by the one engine function that picks a thumbnail
 * (edit_thumbnail_pick).
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
slide_row(struct store *st, struct sdb_stmt *s, void *item)
{
	struct store_slide *v = item;

	(void)st;
	v->at_ms = sdb_column_int64(s, 0);
	v->out_ms = sdb_column_type(s, 1) == SDB_NULL ? -1 : sdb_column_int64(s, 1);
	v->change = sdb_column_double(s, 2);
}

int
store_slides(struct store *st, int64_t rec_id, struct store_slide **out, int *n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT at_ms, out_ms, change FROM slide_changes"
	    " WHERE recording_id = ? ORDER BY at_ms", err);
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	rc = store_collect(st, s, sizeof **out, slide_row, (void **)out, n,
	    "reading the slide changes", err);
	if (rc != 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int
store_slides_replace(struct store *st, int64_t rec_id, const struct store_slide *v, int n,
    struct zpub_err *err)
{
	struct sdb_stmt *s;
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((s = store_prep(st, "DELETE FROM slide_changes WHERE recording_id = ?", err)) == NULL) {
		rc = ZPUB_EDB;
		goto out;
	}
	sdb_bind_int64(s, 1, rec_id);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "clearing slide changes");
	sdb_finalize(s);
	for (int i = 0; rc == 0 && i < n; i++) {
		s = store_prep(st, "INSERT INTO slide_changes (recording_id, at_ms,"
		    " out_ms, change) VALUES (?,?,?,?) ON CONFLICT (recording_id, at_ms) DO UPDATE"
		    " SET out_ms = excluded.out_ms, change = excluded.change", err);
		if (s == NULL) {
			rc = ZPUB_EDB;
			break;
		}
		sdb_bind_int64(s, 1, rec_id);
		sdb_bind_int64(s, 2, v[i].at_ms);
		if (v[i].out_ms >= 0)
			sdb_bind_int64(s, 3, v[i].out_ms);
		else
			sdb_bind_null(s, 3);
		sdb_bind_double(s, 4, v[i].change);
		rc = sdb_step(s) == SDB_DONE ? 0 :
		    store_sqlerr(st, err, "saving a slide change");
		sdb_finalize(s);
	}
out:
	if (rc == 0)
		rc = store_commit(st, err);
	else
		store_rollback(st);
	return rc;
}

int
store_thumbnail_choose(struct store *st, int64_t rec_id, int64_t artifact_id,
    const char *titled, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, store_is_pg(st) ?
	    "UPDATE artifacts SET extra = CASE WHEN id = ?1 THEN ((COALESCE(extra, '{}')::jsonb"
	    " - 'titled') || jsonb_build_object('chosen', true, 'titled', ?3::text))::text"
	    " ELSE ((COALESCE(extra, '{}')::jsonb || jsonb_build_object('chosen', false))"
	    " - 'titled')::text END WHERE recording_id = ?2 AND kind = 'thumbnail'" :
	    "UPDATE artifacts SET extra = CASE WHEN id = ?1"
	    " THEN json_set(json_remove(COALESCE(extra, '{}'), '$.titled'), '$.chosen', json('true'),"
	    " '$.titled', ?3) ELSE json_remove(json_set(COALESCE(extra, '{}'), '$.chosen',"
	    " json('false')), '$.titled') END WHERE recording_id = ?2 AND kind = 'thumbnail'", err);
	int rc;

	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, artifact_id);
	sdb_bind_int64(s, 2, rec_id);
	if (titled != NULL)
		sdb_bind_text(s, 3, titled, -1);
	else
		sdb_bind_null(s, 3);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "choosing a thumbnail");
	sdb_finalize(s);
	return rc;
}
