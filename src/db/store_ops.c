/*
 * store_ops.c — SQL for the operator's endpoints (store_ops.h): counts
 * for /metrics and the write check of /ready.
 */
#include "store_ops.h"

#include <stdlib.h>

#include <sqlite3.h>

#include "store_int.h"
#include "util.h"

static void
status_count_row(struct store *st, struct sdb_stmt *s, void *item)
{
	struct store_status_count *c = item;
	(void)st;
	c->tenant = store_col_str(s, 0);
	c->status = store_col_str(s, 1);
	c->count = sdb_column_int64(s, 2);
}

int
store_ops_status_counts(struct store *st, struct store_status_count **out, int *n,
    struct zpub_err *err)
{
	*out = NULL;
	*n = 0;
	struct sdb_stmt *s = store_prep(st, "SELECT t.name, r.status, count(*) FROM recordings r"
	    " JOIN tenants t ON t.id = r.tenant_id GROUP BY t.name, r.status"
	    " ORDER BY t.name, r.status", err);
	if (s == NULL)
		return ZPUB_EDB;
	return store_collect(st, s, sizeof **out, status_count_row, (void **)out, n,
	    "counting recordings", err);
}

void
store_ops_status_counts_free(struct store_status_count *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].tenant);
		free(v[i].status);
	}
	free(v);
}

static void
run_time_row(struct store *st, struct sdb_stmt *s, void *item)
{
	struct store_run_time *r = item;
	(void)st;
	r->stage = store_col_str(s, 0);
	r->state = store_col_str(s, 1);
	r->duration_ms = sdb_column_int64(s, 2);
}

int
store_ops_run_times(struct store *st, struct store_run_time **out, int *n,
    struct zpub_err *err)
{
	*out = NULL;
	*n = 0;
	struct sdb_stmt *s = store_prep(st, "SELECT stage, state, CASE WHEN finished_at > started_at THEN"
	    " finished_at - started_at ELSE 0 END"
	    " FROM stage_runs WHERE state IN ('done', 'failed') AND finished_at IS NOT NULL"
	    " ORDER BY stage", err);
	if (s == NULL)
		return ZPUB_EDB;
	return store_collect(st, s, sizeof **out, run_time_row, (void **)out, n,
	    "reading stage runs", err);
}

void
store_ops_run_times_free(struct store_run_time *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].stage);
		free(v[i].state);
	}
	free(v);
}

int
store_ops_write_check(struct store *st, int wait_ms, struct zpub_err *err)
{
	void *h = sdb_sqlite_handle(st->db);
	if (h)
		sqlite3_busy_timeout(h, wait_ms);
	int rc = sdb_exec(st->db, store_is_pg(st) ? "BEGIN; SELECT 1 FROM tenants LIMIT 1 FOR"
	    " UPDATE" : "BEGIN IMMEDIATE");
	if (rc != 0)
		rc = store_sqlerr(st, err, "taking the database's write lock");
	else if (sdb_exec(st->db, "ROLLBACK") != 0)
		rc = store_sqlerr(st, err, "ending the write check");
	if (h)
		sqlite3_busy_timeout(h, 10000);
	return rc;
}
