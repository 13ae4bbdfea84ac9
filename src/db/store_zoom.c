/*
 * store_zoom.c — the progress of an account-wide Zoom walk: one row per
 * walk (by what it walks), one per user it visits with the number of that
 * user's month windows already listed.  Each write is one transaction.
 */
#include "store_int.h"
#include "store_zoom.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
walk_user_row(struct store *st, struct sdb_stmt *s, void *item)
{
	struct store_walk_user *u = item;
	(void)st;
	u->user_id = store_col_str(s, 0);
	u->email = store_col_str(s, 1);
	u->windows_done = sdb_column_int(s, 2);
}

void
store_walk_users_free(struct store_walk_user *v, int n)
{
	for (int i = 0; v && i < n; i++) {
		free(v[i].user_id);
		free(v[i].email);
	}
	free(v);
}

int
store_walk_open(struct store *st, const char *key, int64_t *walk_id, int *users_listed,
    struct store_walk_user **users, int *n, struct zpub_err *err)
{
	struct sdb_stmt *s;
	int rc;

	*walk_id = 0;
	*users_listed = 0;
	*users = NULL;
	*n = 0;
	s = store_prep(st, "INSERT INTO zoom_walks (walk_key, started_at) VALUES (?, ?)"
	    " ON CONFLICT(walk_key) DO NOTHING", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, key, -1);
	sdb_bind_int64(s, 2, time_now_ms());
	rc = sdb_step(s);
	sdb_finalize(s);
	if (rc != SDB_DONE)
		return store_sqlerr(st, err, "starting a walk of the Zoom account");
	s = store_prep(st, "SELECT id, users_listed FROM zoom_walks WHERE walk_key = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, key, -1);
	rc = sdb_step(s);
	if (rc == SDB_ROW) {
		*walk_id = sdb_column_int64(s, 0);
		*users_listed = sdb_column_int(s, 1);
	}
	sdb_finalize(s);
	if (rc != SDB_ROW)
		return store_sqlerr(st, err, "reading the walk of the Zoom account");
	if (!*users_listed)
		return 0;
	s = store_prep(st, "SELECT user_id, email, windows_done FROM zoom_walk_users"
	    " WHERE walk_id = ? ORDER BY pos", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, *walk_id);
	return store_collect(st, s, sizeof **users, walk_user_row, (void **)users, n,
	    "reading the users of the Zoom walk", err);
}

int
store_walk_set_users(struct store *st, int64_t walk_id, const struct store_walk_user *v, int n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = NULL;
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	s = store_prep(st, "INSERT INTO zoom_walk_users (walk_id, pos, user_id, email,"
	    " windows_done) VALUES (?, ?, ?, ?, 0) ON CONFLICT (walk_id, user_id) DO UPDATE"
	    " SET pos = excluded.pos, email = excluded.email, windows_done = 0", err);
	if (s == NULL)
		goto fail;
	for (int i = 0; i < n; i++) {
		sdb_reset(s);
		sdb_bind_int64(s, 1, walk_id);
		sdb_bind_int(s, 2, i);
		sdb_bind_text(s, 3, v[i].user_id, -1);
		sdb_bind_text(s, 4, v[i].email ? v[i].email : "", -1);
		if (sdb_step(s) != SDB_DONE) {
			store_sqlerr(st, err, "saving the users of the Zoom walk");
			goto fail;
		}
	}
	sdb_finalize(s);
	s = store_prep(st, "UPDATE zoom_walks SET users_listed = 1 WHERE id = ?", err);
	if (s == NULL)
		goto fail;
	sdb_bind_int64(s, 1, walk_id);
	if (sdb_step(s) != SDB_DONE) {
		store_sqlerr(st, err, "saving the users of the Zoom walk");
		goto fail;
	}
	sdb_finalize(s);
	return store_commit(st, err);
fail:
	sdb_finalize(s);
	store_rollback(st);
	return err->code ? err->code : ZPUB_EDB;
}

int
store_walk_user_done(struct store *st, int64_t walk_id, const char *user_id, int windows_done,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE zoom_walk_users SET windows_done = ?"
	    " WHERE walk_id = ? AND user_id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int(s, 1, windows_done);
	sdb_bind_int64(s, 2, walk_id);
	sdb_bind_text(s, 3, user_id, -1);
	int rc = sdb_step(s);
	sdb_finalize(s);
	if (rc != SDB_DONE)
		return store_sqlerr(st, err, "saving the progress of the Zoom walk");
	return 0;
}

int
store_walk_finish(struct store *st, int64_t walk_id, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "DELETE FROM zoom_walks WHERE id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, walk_id);
	int rc = sdb_step(s);
	sdb_finalize(s);
	if (rc != SDB_DONE)
		return store_sqlerr(st, err, "finishing the walk of the Zoom account");
	return 0;
}
