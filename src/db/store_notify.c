/*
 * store_notify.c — the notification outbox (see store_notify.h and
 * migrations/013_notify_outbox.sql).  The JSON body is composed here, in
 * SQL, when the event is written: what a delivery sends is what the store
 * held at the moment of the change, and a retry sends the same bytes.
 */
#include "store_notify.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "util.h"
#include "xmalloc.h"

/* The columns of a body; ?1 event id, ?2 event, ?3 reason, ?4 time (ms), in
 * SQLite's JSON functions and in PostgreSQL's. */
#define BODY_HEAD "json_object('id', ?1, 'event', ?2, 'time'," \
	" strftime('%Y-%m-%dT%H:%M:%fZ', ?4 / 1000.0, 'unixepoch'), 'tenant', t.name"
#define BODY_HEAD_PG "json_build_object('id', ?1::text, 'event', ?2::text, 'time'," \
	" to_char(to_timestamp(?4::bigint / 1000.0) AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), 'tenant', t.name"

static void
new_event_id(char hex[33])
{
	unsigned char raw[16];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(hex, 33, raw, sizeof raw);
}

static int
enqueue(struct store *st, const char *sql, int64_t id, const char *event, const char *reason,
    struct zpub_err *err)
{
	char eid[33];
	new_event_id(eid);
	struct sdb_stmt *s = store_prep(st, sql, err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, eid, -1);
	sdb_bind_text(s, 2, event, -1);
	if (reason)
		sdb_bind_text(s, 3, reason, -1);
	sdb_bind_int64(s, 4, time_now_ms());
	sdb_bind_int64(s, 5, id);
	int rc = sdb_step(s) == SDB_DONE ? 0 :
	    store_sqlerr(st, err, "writing a notification");
	sdb_finalize(s);
	return rc;
}

int
store_notify_enqueue(struct store *st, int64_t rec_id, const char *event, const char *reason,
    struct zpub_err *err)
{
	return enqueue(st, store_is_pg(st) ?
	    "INSERT INTO notify_events (event_id, event, tenant_id, recording_id,"
	    " body, created_at) SELECT ?1, ?2, r.tenant_id, r.id, " BODY_HEAD_PG ", 'recording',"
	    " json_build_object('id', r.id, 'title', r.title, 'status', r.status, 'reason',"
	    " ?3::text))::text, ?4 FROM recordings r JOIN tenants t ON t.id = r.tenant_id"
	    " WHERE r.id = ?5" :
	    "INSERT INTO notify_events (event_id, event, tenant_id, recording_id,"
	    " body, created_at) SELECT ?1, ?2, r.tenant_id, r.id, " BODY_HEAD ", 'recording',"
	    " json_object('id', r.id, 'title', r.title, 'status', r.status, 'reason', ?3)), ?4"
	    " FROM recordings r JOIN tenants t ON t.id = r.tenant_id WHERE r.id = ?5",
	    rec_id, event, reason, err);
}

int
store_notify_enqueue_tenant(struct store *st, int64_t tenant_id, const char *event,
    const char *reason, struct zpub_err *err)
{
	return enqueue(st, store_is_pg(st) ?
	    "INSERT INTO notify_events (event_id, event, tenant_id, recording_id,"
	    " body, created_at) SELECT ?1, ?2, t.id, NULL, " BODY_HEAD_PG ", 'reason',"
	    " ?3::text)::text, ?4 FROM tenants t WHERE t.id = ?5" :
	    "INSERT INTO notify_events (event_id, event, tenant_id, recording_id,"
	    " body, created_at) SELECT ?1, ?2, t.id, NULL, " BODY_HEAD ", 'reason', ?3), ?4"
	    " FROM tenants t WHERE t.id = ?5", tenant_id, event, reason, err);
}

static void
event_row(struct store *st, struct sdb_stmt *s, void *item)
{
	struct store_notify_event *e = item;
	(void)st;
	e->row = sdb_column_int64(s, 0);
	e->event = store_col_str(s, 1);
}

int
store_notify_unfanned(struct store *st, int limit, struct store_notify_event **out, int *n,
    struct zpub_err *err)
{
	*out = NULL;
	*n = 0;
	struct sdb_stmt *s = store_prep(st, "SELECT id, event FROM notify_events WHERE fanned = 0"
	    " ORDER BY id LIMIT ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int(s, 1, limit);
	return store_collect(st, s, sizeof **out, event_row, (void **)out, n,
	    "listing notifications", err);
}

void
store_notify_events_free(struct store_notify_event *v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i].event);
	free(v);
}

int
store_notify_fan(struct store *st, int64_t event_row, const char *const *names,
    const char *const *urls, int n, struct zpub_err *err)
{
	int rc = store_begin(st, err);
	if (rc)
		return rc;
	for (int i = 0; i < n && rc == 0; i++) {
		struct sdb_stmt *s = store_prep(st, "INSERT INTO notify_deliveries"
		    " (event_row, hook, url, next_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", err);
		if (s == NULL) {
			rc = ZPUB_EDB;
			break;
		}
		sdb_bind_int64(s, 1, event_row);
		sdb_bind_text(s, 2, names[i], -1);
		sdb_bind_text(s, 3, urls[i], -1);
		sdb_bind_int64(s, 4, time_now_ms());
		rc = sdb_step(s) == SDB_DONE ? 0 :
		    store_sqlerr(st, err, "queueing a notification");
		sdb_finalize(s);
	}
	if (rc == 0) {
		struct sdb_stmt *s = store_prep(st, "UPDATE notify_events SET fanned = 1 WHERE id = ?",
		    err);
		if (s == NULL)
			rc = ZPUB_EDB;
		else {
			sdb_bind_int64(s, 1, event_row);
			rc = sdb_step(s) == SDB_DONE ? 0 :
			    store_sqlerr(st, err, "queueing a notification");
			sdb_finalize(s);
		}
	}
	if (rc == 0 && (rc = store_commit(st, err)) == 0)
		return 0;
	store_rollback(st);
	return rc;
}

static void
delivery_row(struct store *st, struct sdb_stmt *s, void *item)
{
	struct store_notify_delivery *d = item;
	(void)st;
	d->id = sdb_column_int64(s, 0);
	d->recording_id = sdb_column_int64(s, 1);
	d->hook = store_col_str(s, 2);
	d->url = store_col_str(s, 3);
	d->event = store_col_str(s, 4);
	d->event_id = store_col_str(s, 5);
	d->body = store_col_str(s, 6);
	d->attempts = sdb_column_int(s, 7);
}

int
store_notify_due(struct store *st, int64_t now_ms, int limit,
    struct store_notify_delivery **out, int *n, struct zpub_err *err)
{
	*out = NULL;
	*n = 0;
	struct sdb_stmt *s = store_prep(st, "SELECT d.id, coalesce(e.recording_id, 0), d.hook, d.url,"
	    " e.event, e.event_id, e.body, d.attempts FROM notify_deliveries d"
	    " JOIN notify_events e ON e.id = d.event_row"
	    " WHERE d.state = 'pending' AND d.next_at <= ? ORDER BY d.next_at, d.id LIMIT ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, now_ms);
	sdb_bind_int(s, 2, limit);
	return store_collect(st, s, sizeof **out, delivery_row, (void **)out, n,
	    "listing due notifications", err);
}

int
store_notify_claim(struct store *st, int64_t id, int64_t now_ms, int64_t hold_until,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE notify_deliveries SET next_at = ?"
	    " WHERE id = ? AND state = 'pending' AND next_at <= ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, hold_until);
	sdb_bind_int64(s, 2, id);
	sdb_bind_int64(s, 3, now_ms);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "claiming a notification");
	sdb_finalize(s);
	return rc ? rc : sdb_changes(st->db) == 1;
}

void
store_notify_deliveries_free(struct store_notify_delivery *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].hook); free(v[i].url); free(v[i].event);
		free(v[i].event_id); free(v[i].body);
	}
	free(v);
}

int
store_notify_attempted(struct store *st, const struct store_notify_delivery *d,
    const char *state, long status, const char *error, int64_t next_at,
    const char *journal_level, const char *journal_msg, struct zpub_err *err)
{
	int rc = store_begin(st, err);
	if (rc)
		return rc;
	struct sdb_stmt *s = store_prep(st, "UPDATE notify_deliveries SET state = ?, attempts ="
	    " attempts + 1, next_at = ?, last_status = ?, last_error = ? WHERE id = ?", err);
	if (s == NULL) {
		store_rollback(st);
		return ZPUB_EDB;
	}
	sdb_bind_text(s, 1, state, -1);
	sdb_bind_int64(s, 2, next_at);
	if (status > 0)
		sdb_bind_int64(s, 3, status);
	if (error)
		sdb_bind_text(s, 4, error, -1);
	sdb_bind_int64(s, 5, d->id);
	rc = sdb_step(s) == SDB_DONE ? 0 :
	    store_sqlerr(st, err, "recording a notification attempt");
	sdb_finalize(s);
	if (rc == 0 && d->recording_id > 0 && journal_msg) {
		struct store_recording *r = NULL;
		struct zpub_err e;
		if (store_recording_get(st, d->recording_id, &r, &e) == 0)
			store_journal(st, d->recording_id, journal_level, "notify", "%s",
			    journal_msg);
		store_recording_free(r);
	}
	if (rc == 0 && (rc = store_commit(st, err)) == 0)
		return 0;
	store_rollback(st);
	return rc;
}

int
store_notify_backlog(struct store *st, int64_t *n, struct zpub_err *err)
{
	*n = 0;
	struct sdb_stmt *s = store_prep(st, "SELECT (SELECT count(*) FROM notify_deliveries WHERE"
	    " state = 'pending') + (SELECT count(*) FROM notify_events WHERE fanned = 0)", err);
	if (s == NULL)
		return ZPUB_EDB;
	int rc = 0;
	if (sdb_step(s) == SDB_ROW)
		*n = sdb_column_int64(s, 0);
	else
		rc = store_sqlerr(st, err, "counting notifications");
	sdb_finalize(s);
	return rc;
}

int
store_notify_prune(struct store *st, int64_t before_ms, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "DELETE FROM notify_events WHERE fanned = 1 AND"
	    " created_at < ? AND NOT EXISTS (SELECT 1 FROM notify_deliveries d WHERE"
	    " d.event_row = notify_events.id AND d.state = 'pending')", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, before_ms);
	int rc = sdb_step(s) == SDB_DONE ? 0 :
	    store_sqlerr(st, err, "forgetting old notifications");
	sdb_finalize(s);
	return rc;
}

int
store_notify_last_row(struct store *st, int64_t *row, struct zpub_err *err)
{
	*row = 0;
	struct sdb_stmt *s = store_prep(st, "SELECT coalesce(max(id), 0) FROM notify_events", err);
	if (s == NULL)
		return ZPUB_EDB;
	int rc = 0;
	if (sdb_step(s) == SDB_ROW)
		*row = sdb_column_int64(s, 0);
	else
		rc = store_sqlerr(st, err, "reading the newest notification");
	sdb_finalize(s);
	return rc;
}

static void
seen_row(struct store *st, struct sdb_stmt *s, void *item)
{
	struct store_notify_seen *e = item;
	(void)st;
	e->row = sdb_column_int64(s, 0);
	e->recording_id = sdb_column_int64(s, 1);
	e->event = store_col_str(s, 2);
	e->title = store_col_str(s, 3);
	e->reason = store_col_str(s, 4);
}

int
store_notify_since(struct store *st, int64_t tenant_id, int64_t after, int limit,
    struct store_notify_seen **out, int *n, struct zpub_err *err)
{
	*out = NULL;
	*n = 0;
	struct sdb_stmt *s = store_prep(st, store_is_pg(st) ?
	    "SELECT id, coalesce(recording_id, 0), event, body::jsonb #>> '{recording,title}',"
	    " coalesce(body::jsonb #>> '{recording,reason}', body::jsonb ->> 'reason')"
	    " FROM notify_events WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?" :
	    "SELECT id, coalesce(recording_id, 0), event,"
	    " json_extract(body, '$.recording.title'), coalesce(json_extract(body,"
	    " '$.recording.reason'), json_extract(body, '$.reason')) FROM notify_events"
	    " WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_int64(s, 2, after);
	sdb_bind_int(s, 3, limit);
	return store_collect(st, s, sizeof **out, seen_row, (void **)out, n,
	    "listing new notifications", err);
}

void
store_notify_seen_free(struct store_notify_seen *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].event); free(v[i].title); free(v[i].reason);
	}
	free(v);
}
