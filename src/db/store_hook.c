/*
 * store_hook.c — SQL for the webhook notifications already taken (the
 * replay guard of POST /hooks/zoom).  See store_admin.h.
 */
#include "store_admin.h"


#include "store_int.h"

int
store_webhook_seen_add(struct store *st, const char *signature, int64_t now_ms,
    int64_t keep_ms, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "DELETE FROM webhook_seen WHERE seen_at < ?1", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, now_ms - keep_ms);
	int rc = sdb_step(s) == SDB_DONE ? 0 :
	    store_sqlerr(st, err, "forgetting old webhook notifications");
	sdb_finalize(s);
	if (rc != 0)
		return rc;
	s = store_prep(st, "INSERT INTO webhook_seen (signature, seen_at)"
	    " VALUES (?1, ?2) ON CONFLICT DO NOTHING", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, signature, -1);
	sdb_bind_int64(s, 2, now_ms);
	if (sdb_step(s) != SDB_DONE)
		rc = store_sqlerr(st, err, "remembering a webhook notification");
	else if (sdb_changes(st->db) == 0)
		rc = zpub_err_set(err, ZPUB_EBUSY, "this notification was already received"
		    " (the same signature within 5 minutes): a replay");
	sdb_finalize(s);
	return rc;
}

int
store_webhook_seen_drop(struct store *st, const char *signature, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "DELETE FROM webhook_seen WHERE signature = ?1", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, signature, -1);
	int rc = sdb_step(s) == SDB_DONE ? 0 :
	    store_sqlerr(st, err, "forgetting a webhook notification");
	sdb_finalize(s);
	return rc;
}
