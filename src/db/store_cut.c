/*
 * store_cut.c — the cut overrides of a recording (migration 008): read in
 * source order, and replaced as a whole by the one engine function that
 * edits them (edit_cut_save), which has already made them disjoint.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
cut_row(struct store *st, struct sdb_stmt *s, void *item)
{
	struct store_cut_override *o = item;

	(void)st;
	o->keep = strcmp((const char *)sdb_column_text(s, 0), "keep") == 0;
	o->start_ms = sdb_column_int64(s, 1);
	o->end_ms = sdb_column_int64(s, 2);
	o->by = store_col_str(s, 3);
	o->created_at = sdb_column_int64(s, 4);
}

int
store_cut_overrides(struct store *st, int64_t rec_id, struct store_cut_override **out, int *n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT kind, start_ms, end_ms, created_by, created_at"
	    " FROM cut_overrides WHERE recording_id = ? ORDER BY start_ms, id", err);

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	int rc = store_collect(st, s, sizeof **out, cut_row, (void **)out, n,
	    "reading the cut overrides", err);
	if (rc != 0) {
		store_cut_overrides_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int
store_cut_overrides_replace(struct store *st, int64_t rec_id,
    const struct store_cut_override *v, int n, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "DELETE FROM cut_overrides WHERE recording_id = ?", err);
	int rc;

	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "clearing cut overrides");
	sdb_finalize(s);
	for (int i = 0; rc == 0 && i < n; i++) {
		s = store_prep(st, "INSERT INTO cut_overrides (recording_id, kind, start_ms, end_ms,"
		    " created_by, created_at) VALUES (?,?,?,?,?,?)", err);
		if (s == NULL)
			return ZPUB_EDB;
		sdb_bind_int64(s, 1, rec_id);
		sdb_bind_text(s, 2, v[i].keep ? "keep" : "remove", -1);
		sdb_bind_int64(s, 3, v[i].start_ms);
		sdb_bind_int64(s, 4, v[i].end_ms);
		sdb_bind_text(s, 5, v[i].by ? v[i].by : "", -1);
		sdb_bind_int64(s, 6, v[i].created_at ? v[i].created_at : time_now_ms());
		rc = sdb_step(s) == SDB_DONE ? 0 :
		    store_sqlerr(st, err, "saving a cut override");
		sdb_finalize(s);
	}
	return rc;
}

void
store_cut_overrides_free(struct store_cut_override *v, int n)
{
	for (int i = 0; v != NULL && i < n; i++)
		free(v[i].by);
	free(v);
}
