/*
 * store_oauth.c — sign-ins waiting for their OAuth callback (see
 * store_oauth.h and migrations/017_oauth_pending.sql).
 */
#include "store_oauth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "xmalloc.h"

int
store_oauth_pending_put(struct store *st, const struct store_oauth_pending *p,
    int64_t now_ms, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "DELETE FROM oauth_pending WHERE expires_at < ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, now_ms);
	int rc = sdb_step(s) == SDB_DONE ? 0 :
	    store_sqlerr(st, err, "dropping expired sign-ins");
	sdb_finalize(s);
	if (rc != 0)
		return rc;
	s = store_prep(st, "INSERT INTO oauth_pending (state_id, tenant_id, provider, account,"
	    " redirect_uri, verifier, actor, created_at, expires_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, p->state_id, -1);
	sdb_bind_int64(s, 2, p->tenant_id);
	sdb_bind_text(s, 3, p->provider, -1);
	if (p->account)
		sdb_bind_text(s, 4, p->account, -1);
	sdb_bind_text(s, 5, p->redirect_uri, -1);
	sdb_bind_text(s, 6, p->verifier, -1);
	sdb_bind_text(s, 7, p->actor ? p->actor : "", -1);
	sdb_bind_int64(s, 8, p->created_at);
	sdb_bind_int64(s, 9, p->expires_at);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "saving a sign-in");
	sdb_finalize(s);
	return rc;
}

int
store_oauth_pending_take(struct store *st, const char *state_id,
    struct store_oauth_pending *out, struct zpub_err *err)
{
	memset(out, 0, sizeof *out);
	struct sdb_stmt *s = store_prep(st, "SELECT tenant_id, provider, account, redirect_uri,"
	    " verifier, actor, created_at, expires_at FROM oauth_pending WHERE state_id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, state_id, -1);
	int step = sdb_step(s), rc = 0;
	if (step == SDB_ROW) {
		snprintf(out->state_id, sizeof out->state_id, "%s", state_id);
		out->tenant_id = sdb_column_int64(s, 0);
		const unsigned char *prov = sdb_column_text(s, 1);
		snprintf(out->provider, sizeof out->provider, "%s", prov ? (const char *)prov : "");
		out->account = store_col_str(s, 2);
		out->redirect_uri = store_col_str(s, 3);
		out->verifier = store_col_str(s, 4);
		out->actor = store_col_str(s, 5);
		out->created_at = sdb_column_int64(s, 6);
		out->expires_at = sdb_column_int64(s, 7);
	} else if (step == SDB_DONE)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no sign-in is waiting for this state");
	else
		rc = store_sqlerr(st, err, "reading a sign-in");
	sdb_finalize(s);
	if (rc != 0)
		return rc;
	/* Whoever deletes the row owns it: a second callback finds nothing. */
	s = store_prep(st, "DELETE FROM oauth_pending WHERE state_id = ?", err);
	if (s == NULL) {
		store_oauth_pending_clear(out);
		return ZPUB_EDB;
	}
	sdb_bind_text(s, 1, state_id, -1);
	if (sdb_step(s) != SDB_DONE)
		rc = store_sqlerr(st, err, "taking a sign-in");
	else if (sdb_changes(st->db) != 1)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "this sign-in was already used");
	sdb_finalize(s);
	if (rc != 0)
		store_oauth_pending_clear(out);
	return rc;
}

void
store_oauth_pending_clear(struct store_oauth_pending *p)
{
	if (p == NULL)
		return;
	free(p->account);
	free(p->redirect_uri);
	free(p->verifier);
	free(p->actor);
	memset(p, 0, sizeof *p);
}
