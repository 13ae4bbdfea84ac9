/*
 * test_store.c — migrations, the transition table, deletions remembered
 * for sync, leases across processes and the stage runner's commit/failure
 * paths, and tenant filters that fail closed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "pipeline.h"
#include "store.h"
#include "store_admin.h"
#include "store_notify.h"
#include "store_oauth.h"
#include "store_ui.h"
#include "testutil.h"

static struct store *
open_fresh(char **dir_out)
{
	struct zpub_err err;
	struct store *st = NULL;
	char *dir = test_tmpdir("store");
	char *db = test_db(dir);
	assert_int_equal(store_open(db, dir, &st, &err), 0);
	free(db);
	*dir_out = dir;
	return st;
}

static int64_t
add_rec(struct store *st, const char *ref, enum rec_status status)
{
	struct store_recording r = { 0 };
	struct zpub_err err;
	int64_t id = 0;
	r.tenant_id = 1;
	r.source = (char *)"local";
	r.source_ref = (char *)ref;
	r.title = (char *)"Лекция 1 🎓";
	r.status = status;
	assert_int_equal(store_recording_add(st, &r, &id, &err), 0);
	return id;
}

static void
test_migrations_on_empty_database(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	assert_true(store_schema_version(st) >= 2);
	int64_t tid;
	assert_int_equal(store_tenant_id(st, "default", &tid, NULL), 0);
	store_close(st);
	/* Reopening applies nothing and keeps the data. */
	char *db = test_db(dir);
	struct zpub_err err;
	assert_int_equal(store_open(db, dir, &st, &err), 0);
	assert_true(store_schema_version(st) >= 2);
	store_close(st);
	free(db);
	fs_remove_tree(dir);
	free(dir);
}

/* A database made by version 1 (only migration 001) with a recording in it
 * is upgraded in place: the row survives and the new columns exist. */
static void
test_migrations_upgrade_older_database(void **state)
{
	(void)state;
	if (test_pg())
		skip();	/* SQLite's own upgrade path; PostgreSQL's is e2e/pg_schema */
	char *dir = test_tmpdir("store-old");
	char *db = test_db(dir);
	char *sqlpath = xasprintf("%s/src/db/migrations/001_init.sql", getenv("ZPUB_SRC"));
	char *sql = NULL;
	size_t len;
	assert_int_equal(fs_read_all(sqlpath, &sql, &len, NULL), 0);
	sqlite3 *h;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 1;"
	    "INSERT INTO recordings (tenant_id, source, source_ref, title, status, created_at,"
	    " updated_at) VALUES (1, 'local', 'old', 'Старая лекция', 'DOWNLOADED', 1, 1);",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);

	struct store *st = NULL;
	struct zpub_err err;
	assert_int_equal(store_open(db, dir, &st, &err), 0);
	assert_true(store_schema_version(st) >= 2);
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(st, 1, &r, &err), 0);
	assert_string_equal(r->title, "Старая лекция");
	assert_int_equal(r->status, ST_DOWNLOADED);
	store_recording_free(r);
	store_close(st);

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "SELECT published_at FROM recordings", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	/* A database from a newer zpub is refused, not damaged. */
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 9999", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(store_open(db, dir, &st, &err), ZPUB_EDB);
	assert_non_null(strstr(err.msg, "newer zpub"));
	free(sql); free(sqlpath); free(db);
	fs_remove_tree(dir);
	free(dir);
}

static int64_t
add_zoom_rec(struct store *st, int64_t tenant_id, const char *ref)
{
	struct store_recording r = { 0 };
	struct zpub_err err;
	int64_t id = 0;
	r.tenant_id = tenant_id;
	r.source = (char *)"zoom";
	r.source_ref = (char *)ref;
	r.title = (char *)"Лекция 2";
	r.status = ST_INITIALIZED;
	assert_int_equal(store_recording_add(st, &r, &id, &err), 0);
	return id;
}

/* A trigger that makes every delete of a recording fail, or none. */
static void
refuse_deletes(const char *db, int on)
{
	if (test_pg()) {
		PGconn *c = PQconnectdb(db);
		PGresult *r = PQexec(c, on ? "CREATE FUNCTION refuse() RETURNS trigger"
		    " LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'refused'; END$$;"
		    " CREATE TRIGGER refuse BEFORE DELETE ON recordings FOR EACH ROW"
		    " EXECUTE FUNCTION refuse()" : "DROP TRIGGER refuse ON recordings");
		assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
		PQclear(r);
		PQfinish(c);
		return;
	}
	sqlite3 *h;
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, on ? "CREATE TRIGGER refuse BEFORE DELETE ON recordings"
	    " BEGIN SELECT RAISE(ABORT, 'refused'); END" : "DROP TRIGGER refuse", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(h);
}

static void
test_delete_remembers_a_synced_recording_in_its_tenant_in_one_transaction(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	struct zpub_err err;
	int64_t physics = 0;
	assert_int_equal(store_tenant_add(st, "physics", &physics, &err), 0);
	int64_t zoom = add_zoom_rec(st, 1, "file-a");
	int64_t other = add_zoom_rec(st, physics, "file-a");
	int64_t local = add_rec(st, "sha256:ab", ST_DOWNLOADED);

	assert_int_equal(store_recording_delete(st, zoom, &err), 0);
	assert_int_equal(store_forgotten_find(st, 1, "zoom", "file-a", &err), 0);
	assert_int_equal(store_forgotten_find(st, physics, "zoom", "file-a", &err), ZPUB_ENOTFOUND);
	assert_int_equal(store_recording_delete(st, local, &err), 0);
	assert_int_equal(store_forgotten_find(st, 1, "local", "sha256:ab", &err), ZPUB_ENOTFOUND);
	assert_int_equal(store_recording_delete(st, zoom, &err), ZPUB_ENOTFOUND);

	/* A delete that fails after the memory was written takes the memory back. */
	char *db = test_db(dir);
	refuse_deletes(db, 1);
	assert_int_not_equal(store_recording_delete(st, other, &err), 0);
	assert_int_equal(store_forgotten_find(st, physics, "zoom", "file-a", &err), ZPUB_ENOTFOUND);
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(st, other, &r, &err), 0);
	store_recording_free(r);
	refuse_deletes(db, 0);

	assert_int_equal(store_forgotten_drop(st, 1, "zoom", "file-a", &err), 0);
	assert_int_equal(store_forgotten_find(st, 1, "zoom", "file-a", &err), ZPUB_ENOTFOUND);
	free(db);
	store_close(st);
	fs_remove_tree(dir);
	free(dir);
}

static void
test_every_legal_transition_and_an_illegal_one(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	struct zpub_err err;
	int legal = 0;
	for (int from = 0; from < ST__COUNT; from++)
		for (int to = 0; to < ST__COUNT; to++) {
			char ref[32];
			snprintf(ref, sizeof ref, "t-%d-%d", from, to);
			int64_t id = add_rec(st, ref, (enum rec_status)from);
			int rc = store_recording_move(st, id, (enum rec_status)from, (enum rec_status)to,
			    NULL, &err);
			if (status_can_move((enum rec_status)from, (enum rec_status)to)) {
				assert_int_equal(rc, 0);
				legal++;
			} else {
				assert_int_equal(rc, ZPUB_ESTATE);
				assert_non_null(strstr(err.msg, "cannot go from"));
			}
			struct store_recording *r = NULL;
			assert_int_equal(store_recording_get(st, id, &r, &err), 0);
			assert_int_equal(r->status, rc == 0 ? to : from);
			store_recording_free(r);
		}
	assert_true(legal > 20);
	/* The main flow is legal end to end; EXPIRED is terminal. */
	assert_true(status_can_move(ST_INITIALIZED, ST_DOWNLOADING));
	assert_true(status_can_move(ST_UPLOADING, ST_READY));
	assert_false(status_can_move(ST_INITIALIZED, ST_READY));
	assert_false(status_can_move(ST_EXPIRED, ST_INITIALIZED));
	/* A stale compare-and-set loses. */
	int64_t id = add_rec(st, "cas", ST_DOWNLOADED);
	assert_int_equal(store_recording_move(st, id, ST_PROCESSED, ST_PREPARING, NULL, &err),
	    ST_PROCESSED == ST_PROCESSED ? ZPUB_ESTATE : 0);
	store_close(st);
	fs_remove_tree(dir);
	free(dir);
}

/* Two processes: a child takes the lease and holds it; the parent is
 * refused; once the child is gone (killed), the parent takes over at once,
 * and an expired lease of a live foreign owner can be taken too. */
static void
test_leases_across_processes(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	struct zpub_err err;
	int64_t id = add_rec(st, "lease", ST_DOWNLOADED);
	char *db = test_db(dir);
	int ready[2];
	assert_int_equal(pipe(ready), 0);

	pid_t pid = fork();
	if (pid == 0) {
		struct store *cs = NULL;
		char owner[128];
		char host[64] = "";
		gethostname(host, sizeof host - 1);
		snprintf(owner, sizeof owner, "test@%s:%d", host, (int)getpid());
		if (store_open(db, dir, &cs, NULL) != 0 ||
		    store_lease_take(cs, id, ST_DOWNLOADED, ST_PROCESSING, owner, 600000, NULL, NULL))
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	char host[64] = "", me[128];
	gethostname(host, sizeof host - 1);
	snprintf(me, sizeof me, "test@%s:%d", host, (int)getpid());
	int resumed = 0;
	assert_int_equal(store_lease_take(st, id, ST_DOWNLOADED, ST_PROCESSING, me, 60000, &resumed,
	    &err), ZPUB_EBUSY);
	assert_non_null(strstr(err.msg, "being worked on"));

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(store_lease_take(st, id, ST_DOWNLOADED, ST_PROCESSING, me, 60000, &resumed,
	    &err), 0);
	assert_int_equal(resumed, 1);

	/* A foreign (other host) lease blocks until it expires. */
	int64_t id2 = add_rec(st, "lease2", ST_DOWNLOADED);
	assert_int_equal(store_lease_take(st, id2, ST_DOWNLOADED, ST_PROCESSING, "daemon@elsewhere:1",
	    1, NULL, &err), 0);
	usleep(20000);
	assert_int_equal(store_lease_take(st, id2, ST_DOWNLOADED, ST_PROCESSING, me, 60000, &resumed,
	    &err), 0);
	assert_int_equal(resumed, 1);
	assert_int_equal(store_lease_take(st, id2, ST_DOWNLOADED, ST_PROCESSING,
	    "daemon@elsewhere:1", 60000, NULL, &err), ZPUB_EBUSY);
	close(ready[0]);
	close(ready[1]);
	free(db);
	store_close(st);
	fs_remove_tree(dir);
	free(dir);
}

/* ---- the runner, with a stage table of our own ---- */

static int stage_calls;

static int
stage_ok(struct stage_ctx *ctx, struct zpub_err *err)
{
	stage_calls++;
	char *p = path_join(ctx->media_dir, "out.txt");
	int rc = fs_write_atomic(p, "hello", 5, 0600, err);
	if (rc == 0)
		rc = stage_add_artifact(ctx, "cut_video", p, NULL, err);
	zpub_progress_report(&ctx->progress, 0.5, "half");
	snprintf(ctx->summary, sizeof ctx->summary, "wrote out.txt");
	free(p);
	return rc;
}

static int
stage_net_down(struct stage_ctx *ctx, struct zpub_err *err)
{
	(void)ctx;
	stage_calls++;
	return zpub_err_set(err, ZPUB_ENET, "the fake service answered 503");
}

static int
stage_bad_media(struct stage_ctx *ctx, struct zpub_err *err)
{
	(void)ctx;
	stage_calls++;
	return zpub_err_set(err, ZPUB_EMEDIA, "'x.mp4' has no audio stream");
}

static int
stage_quota(struct stage_ctx *ctx, struct zpub_err *err)
{
	stage_calls++;
	ctx->retry_at_ms = time_now_ms() + 3600000;
	return zpub_err_set(err, ZPUB_EQUOTA, "YouTube quota exceeded; retry after midnight PT");
}

/* A quota stop waits for the reset time and burns no attempt. */
static void
test_quota_waits_for_its_reset_without_counting_an_attempt(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	struct zpub_err err;
	const struct stage_def table[] = {
		{ "publish", ST_TRANSCRIBED, ST_UPLOADING, ST_READY, stage_quota },
		{ NULL, 0, 0, 0, NULL },
	};
	cJSON *cfg = cJSON_CreateObject();
	struct pipeline_opts po = { .until = ST_READY, .owner = "test@nowhere:1",
	    .lease_ms = 60000, .stages = table, .key_path = NULL };
	int64_t id = add_rec(st, "quota", ST_TRANSCRIBED);
	int64_t before = time_now_ms();
	assert_int_equal(pipeline_run(st, cfg, dir, id, &po, &err), ZPUB_EQUOTA);
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(st, id, &r, &err), 0);
	assert_int_equal(r->status, ST_FAILED);
	assert_int_equal(r->attempts, 0);
	assert_true(r->next_retry_at >= before + 3600000);
	store_recording_free(r);
	cJSON_Delete(cfg);
	store_close(st);
	fs_remove_tree(dir);
	free(dir);
}

static void
test_runner_commits_artifacts_and_status(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	struct zpub_err err;
	const struct stage_def table[] = {
		{ "process", ST_DOWNLOADED, ST_PROCESSING, ST_PROCESSED, stage_ok },
		{ "transcribe", ST_PROCESSED, ST_PREPARING, ST_TRANSCRIBED, stage_net_down },
		{ NULL, 0, 0, 0, NULL },
	};
	cJSON *cfg = cJSON_Parse("{\"pipeline\":{\"max_attempts\":3,\"retry_base_ms\":1000,"
	    "\"retry_cap_ms\":5000}}");
	struct pipeline_opts po = { .until = ST_PROCESSED, .owner = "test@nowhere:1",
	    .lease_ms = 60000, .stages = table, .key_path = NULL };
	int64_t id = add_rec(st, "run", ST_DOWNLOADED);
	/* Debris of a run killed before its rename is swept under the lease. */
	char *mdir = pipeline_media_dir(dir, "default", id);
	char *debris = path_join(mdir, "topics.v1.json.tmp");
	char *part = path_join(mdir, "source.mp4.part");
	assert_int_equal(fs_mkdir_p(mdir, 0700, &err), 0);
	assert_int_equal(fs_write_atomic(debris, "x", 1, 0600, &err), 0);
	assert_int_equal(fs_write_atomic(part, "x", 1, 0600, &err), 0);
	stage_calls = 0;
	assert_int_equal(pipeline_run(st, cfg, dir, id, &po, &err), 0);
	assert_int_equal(stage_calls, 1);
	assert_false(fs_exists(debris));
	assert_true(fs_exists(part));
	free(mdir); free(debris); free(part);
	struct store_artifact *a = NULL;
	int n = 0;
	assert_int_equal(store_artifacts(st, id, "cut_video", &a, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].bytes, 5);
	assert_non_null(a[0].sha256);
	store_artifacts_free(a, n);
	/* Already there: nothing runs. */
	assert_int_equal(pipeline_run(st, cfg, dir, id, &po, &err), 0);
	assert_int_equal(stage_calls, 1);

	/* A network failure: FAILED with stage, reason, attempts, next_retry_at. */
	po.until = ST_TRANSCRIBED;
	int64_t before = time_now_ms();
	assert_int_equal(pipeline_run(st, cfg, dir, id, &po, &err), ZPUB_ENET);
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(st, id, &r, &err), 0);
	assert_int_equal(r->status, ST_FAILED);
	assert_string_equal(r->failed_stage, "transcribe");
	assert_non_null(strstr(r->detail, "503"));
	assert_int_equal(r->attempts, 1);
	assert_true(r->next_retry_at >= before + 800 && r->next_retry_at <= before + 1200 + 1000);
	assert_null(r->lease_owner);
	store_recording_free(r);
	/* Running a FAILED recording explains itself; retry re-queues at the input. */
	assert_int_equal(pipeline_run(st, cfg, dir, id, &po, &err), ZPUB_ESTATE);
	assert_non_null(strstr(err.msg, "zpub retry"));
	assert_int_equal(store_recording_retry(st, id, &err), 0);
	assert_int_equal(store_recording_get(st, id, &r, &err), 0);
	assert_int_equal(r->status, ST_PROCESSED);
	assert_int_equal(r->attempts, 1);
	store_recording_free(r);
	/* Attempts count up; at max_attempts no automatic retry is planned. */
	assert_int_equal(pipeline_run(st, cfg, dir, id, &po, &err), ZPUB_ENET);
	store_recording_retry(st, id, &err);
	assert_int_equal(pipeline_run(st, cfg, dir, id, &po, &err), ZPUB_ENET);
	assert_int_equal(store_recording_get(st, id, &r, &err), 0);
	assert_int_equal(r->attempts, 3);
	assert_int_equal(r->next_retry_at, 0);
	store_recording_free(r);
	/* The artefacts of the finished stage are untouched by the failures. */
	assert_int_equal(store_artifacts(st, id, "cut_video", &a, &n, &err), 0);
	assert_int_equal(n, 1);
	store_artifacts_free(a, n);
	cJSON_Delete(cfg);
	store_close(st);
	fs_remove_tree(dir);
	free(dir);
}

static void
test_bad_media_is_not_retried_automatically(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	struct zpub_err err;
	const struct stage_def table[] = {
		{ "process", ST_DOWNLOADED, ST_PROCESSING, ST_PROCESSED, stage_bad_media },
		{ NULL, 0, 0, 0, NULL },
	};
	cJSON *cfg = cJSON_CreateObject();
	struct pipeline_opts po = { .until = ST_PROCESSED, .owner = "test@nowhere:1",
	    .lease_ms = 60000, .stages = table, .key_path = NULL };
	int64_t id = add_rec(st, "bad", ST_DOWNLOADED);
	int64_t other = add_rec(st, "other", ST_DOWNLOADED);
	assert_int_equal(pipeline_run(st, cfg, dir, id, &po, &err), ZPUB_EMEDIA);
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(st, id, &r, &err), 0);
	assert_int_equal(r->status, ST_FAILED);
	assert_int_equal(r->next_retry_at, 0);
	assert_non_null(strstr(r->detail, "no audio stream"));
	store_recording_free(r);
	assert_int_equal(store_recording_get(st, other, &r, &err), 0);
	assert_int_equal(r->status, ST_DOWNLOADED);
	store_recording_free(r);
	cJSON_Delete(cfg);
	store_close(st);
	fs_remove_tree(dir);
	free(dir);
}

/* Every listing that can span tenants: how many rows it gives for tenant. */
struct tenant_counts {
	int recs, ui_rows, jobs, usage, audit;
	int64_t count, ui_count, status_total;
};

static struct tenant_counts
counts_for(struct store *st, int64_t tenant)
{
	struct tenant_counts c = { 0 };
	struct zpub_err err;
	struct store_filter f = { tenant, -1, NULL, 0, 0, 0, 0 };
	struct store_recording **v = NULL;
	assert_int_equal(store_recording_list(st, &f, &v, &c.recs, &err), 0);
	store_recording_list_free(v, c.recs);
	assert_int_equal(store_recording_count(st, &f, &c.count, &err), 0);
	int64_t sc[ST__COUNT];
	assert_int_equal(store_recording_status_counts(st, tenant, sc, &err), 0);
	for (int i = 0; i < ST__COUNT; i++)
		c.status_total += sc[i];
	struct store_ui_query q = { tenant, -1, NULL, STORE_UI_SORT_ID, 0, 0, 0 };
	struct store_ui_row *rows = NULL;
	assert_int_equal(store_ui_rows(st, &q, &rows, &c.ui_rows, &err), 0);
	store_ui_rows_free(rows, c.ui_rows);
	assert_int_equal(store_ui_count(st, &q, &c.ui_count, &err), 0);
	struct store_job *jobs = NULL;
	assert_int_equal(store_jobs(st, tenant, &jobs, &c.jobs, &err), 0);
	store_jobs_free(jobs, c.jobs);
	struct store_usage_row *u = NULL;
	assert_int_equal(store_usage_report(st, tenant, 0, INT64_MAX, &u, &c.usage, &err), 0);
	store_usage_rows_free(u, c.usage);
	struct store_audit_row *a = NULL;
	assert_int_equal(store_audit_list(st, tenant, 100, &a, &c.audit, &err), 0);
	store_audit_rows_free(a, c.audit);
	return c;
}

/* Tenant 0 (unset, unknown) or a negative id other than STORE_ALL_TENANTS
 * matches nothing in any listing; only STORE_ALL_TENANTS spans tenants. */
static void
test_tenant_filters_fail_closed(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	struct zpub_err err;
	int64_t ta, tb;
	assert_int_equal(store_tenant_id(st, "default", &ta, &err), 0);
	assert_int_equal(store_tenant_add(st, "physics", &tb, &err), 0);
	int64_t tenants[2] = { ta, tb };
	for (int i = 0; i < 2; i++) {
		struct store_recording r = { 0 };
		int64_t id;
		r.tenant_id = tenants[i];
		r.source = (char *)"local";
		r.source_ref = (char *)(i ? "b.mp4" : "a.mp4");
		r.title = (char *)"Лекция";
		r.status = ST_INITIALIZED;
		assert_int_equal(store_recording_add(st, &r, &id, &err), 0);
		struct store_job j = { 0 };
		j.tenant_id = tenants[i];
		j.name = (char *)"nightly";
		j.schedule = (char *)"@daily";
		j.config = (char *)"{\"source\":\"watch\",\"path\":\"/srv\"}";
		j.enabled = 1;
		assert_int_equal(store_job_put(st, &j, &id, &err), 0);
		assert_int_equal(store_usage_add(st, tenants[i], 0, "transcription_minutes", "p", 1, 1,
		    &err), 0);
		assert_int_equal(store_audit(st, tenants[i], "cli", "test", "x", "cli"), 0);
	}
	struct tenant_counts one = counts_for(st, ta);
	assert_int_equal(one.recs, 1);
	assert_int_equal(one.count, 1);
	assert_int_equal(one.status_total, 1);
	assert_int_equal(one.ui_rows, 1);
	assert_int_equal(one.ui_count, 1);
	assert_int_equal(one.jobs, 1);
	assert_int_equal(one.usage, 1);
	assert_int_equal(one.audit, 1);
	struct tenant_counts all = counts_for(st, STORE_ALL_TENANTS);
	assert_int_equal(all.recs, 2);
	assert_int_equal(all.count, 2);
	assert_int_equal(all.status_total, 2);
	assert_int_equal(all.ui_rows, 2);
	assert_int_equal(all.ui_count, 2);
	assert_int_equal(all.jobs, 2);
	assert_int_equal(all.usage, 2);
	assert_int_equal(all.audit, 2);
	static const int64_t nobody[] = { 0, -2, 999 };
	for (size_t i = 0; i < sizeof nobody / sizeof nobody[0]; i++) {
		struct tenant_counts none = counts_for(st, nobody[i]);
		assert_int_equal(none.recs, 0);
		assert_int_equal(none.count, 0);
		assert_int_equal(none.status_total, 0);
		assert_int_equal(none.ui_rows, 0);
		assert_int_equal(none.ui_count, 0);
		assert_int_equal(none.jobs, 0);
		assert_int_equal(none.usage, 0);
		assert_int_equal(none.audit, 0);
	}
	store_close(st);
	fs_remove_tree(dir);
	free(dir);
}

static void
test_backoff_grows_is_capped_and_jittered(void **state)
{
	(void)state;
	for (int i = 0; i < 200; i++) {
		int64_t b1 = backoff_ms(1, 1000, 60000);
		int64_t b3 = backoff_ms(3, 1000, 60000);
		int64_t b20 = backoff_ms(20, 1000, 60000);
		assert_true(b1 >= 800 && b1 <= 1200);
		assert_true(b3 >= 3200 && b3 <= 4800);
		assert_true(b20 >= 48000 && b20 <= 72000);
	}
}

/* A pending sign-in is taken once (the second take finds nothing) and a
 * row that expired is dropped by the next put. */
static void
test_oauth_pending_taken_once(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	struct store_oauth_pending p = { .state_id = "aa", .tenant_id = 1, .provider = "youtube",
		.account = (char *)"physics", .redirect_uri = (char *)"https://z.example/oauth/callback",
		.verifier = (char *)"00ff", .actor = (char *)"olga", .created_at = 1000,
		.expires_at = 2000 }, got;
	struct zpub_err err;
	assert_int_equal(store_oauth_pending_put(st, &p, 1000, &err), 0);
	snprintf(p.state_id, sizeof p.state_id, "bb");
	p.account = NULL;
	p.expires_at = 5000;
	assert_int_equal(store_oauth_pending_put(st, &p, 1500, &err), 0);
	assert_int_equal(store_oauth_pending_take(st, "aa", &got, &err), 0);
	assert_int_equal(got.tenant_id, 1);
	assert_string_equal(got.provider, "youtube");
	assert_string_equal(got.account, "physics");
	assert_string_equal(got.redirect_uri, "https://z.example/oauth/callback");
	assert_string_equal(got.verifier, "00ff");
	assert_string_equal(got.actor, "olga");
	assert_int_equal(got.expires_at, 2000);
	store_oauth_pending_clear(&got);
	assert_int_equal(store_oauth_pending_take(st, "aa", &got, &err), ZPUB_ENOTFOUND);
	assert_int_equal(store_oauth_pending_take(st, "zz", &got, &err), ZPUB_ENOTFOUND);
	/* "bb" expires at 5000: a put at 6000 drops it */
	snprintf(p.state_id, sizeof p.state_id, "cc");
	p.expires_at = 9000;
	assert_int_equal(store_oauth_pending_put(st, &p, 6000, &err), 0);
	assert_int_equal(store_oauth_pending_take(st, "bb", &got, &err), ZPUB_ENOTFOUND);
	assert_int_equal(store_oauth_pending_take(st, "cc", &got, &err), 0);
	assert_null(got.account);
	store_oauth_pending_clear(&got);
	store_close(st);
	fs_remove_tree(dir);
	free(dir);
}

/* Live views: a change committed through another connection moves the
 * number the app watches (SQLite's data_version; LISTEN/NOTIFY on
 * PostgreSQL), and nothing moves it when nothing changed. */
static void
test_data_version_moves_on_another_connections_commit(void **state)
{
	(void)state;
	char *dir = NULL;
	struct store *viewer = open_fresh(&dir), *writer = NULL;
	struct zpub_err err;
	char *db = test_db(dir);
	assert_int_equal(store_open(db, dir, &writer, &err), 0);
	int64_t v0 = store_data_version(viewer);
	assert_true(v0 >= 0);
	assert_int_equal(store_data_version(viewer), v0);
	int64_t id = add_rec(writer, "live", ST_DOWNLOADED);
	int64_t v1 = v0;
	for (int i = 0; i < 50 && v1 == v0; i++) {	/* a notice travels: allow it 5 s */
		usleep(100000);
		v1 = store_data_version(viewer);
	}
	assert_true(v1 != v0);
	assert_int_equal(store_data_version(viewer), v1);
	assert_int_equal(store_recording_set_title(writer, id, "Новое название", &err), 0);
	int64_t v2 = v1;
	for (int i = 0; i < 50 && v2 == v1; i++) {
		usleep(100000);
		v2 = store_data_version(viewer);
	}
	assert_true(v2 != v1);
	store_close(writer);
	store_close(viewer);
	free(db);
	fs_remove_tree(dir);
	free(dir);
}

/* Daemons of several hosts see the same due job run and the same due
 * delivery: of two connections claiming, one gets each, and a claim moved
 * past its hold is free again. */
static void
test_a_due_job_run_and_a_delivery_are_taken_once(void **state)
{
	(void)state;
	char *dir = NULL;
	struct store *a = open_fresh(&dir), *b = NULL;
	struct zpub_err err;
	char *db = test_db(dir);
	assert_int_equal(store_open(db, dir, &b, &err), 0);
	struct store_job j = { 0 };
	int64_t jid = 0, due = 1700000000000LL;
	j.tenant_id = 1;
	j.name = (char *)"sync";
	j.schedule = (char *)"every 1m";
	j.config = (char *)"{\"source\":\"zoom\"}";
	j.enabled = 1;
	j.next_run_at = due;
	assert_int_equal(store_job_put(a, &j, &jid, &err), 0);
	assert_int_equal(store_job_claim(a, jid, due, due + 60000, &err), 1);
	assert_int_equal(store_job_claim(b, jid, due, due + 60000, &err), 0);
	/* the holder died: the run is due again at the hold's end */
	assert_int_equal(store_job_claim(b, jid, due + 60000, due + 120000, &err), 1);

	int64_t rec = add_rec(a, "notify", ST_READY);
	assert_int_equal(store_notify_enqueue(a, rec, "ready", NULL, &err), 0);
	struct store_notify_event *ev = NULL;
	int n = 0;
	assert_int_equal(store_notify_unfanned(a, 10, &ev, &n, &err), 0);
	assert_int_equal(n, 1);
	const char *hooks[] = { "lms" }, *urls[] = { "http://127.0.0.1:9/" };
	assert_int_equal(store_notify_fan(a, ev[0].row, hooks, urls, 1, &err), 0);
	store_notify_events_free(ev, n);
	struct store_notify_delivery *dv = NULL;
	int64_t now = time_now_ms() + 1000;
	assert_int_equal(store_notify_due(b, now, 10, &dv, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_notify_claim(b, dv[0].id, now, now + 15000, &err), 1);
	assert_int_equal(store_notify_claim(a, dv[0].id, now, now + 15000, &err), 0);
	assert_int_equal(store_notify_claim(a, dv[0].id, now + 15000, now + 30000, &err), 1);
	store_notify_deliveries_free(dv, n);
	store_close(b);
	store_close(a);
	free(db);
	fs_remove_tree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_on_empty_database),
		cmocka_unit_test(test_oauth_pending_taken_once),
		cmocka_unit_test(test_migrations_upgrade_older_database),
		cmocka_unit_test(test_every_legal_transition_and_an_illegal_one),
		cmocka_unit_test(test_delete_remembers_a_synced_recording_in_its_tenant_in_one_transaction),
		cmocka_unit_test(test_leases_across_processes),
		cmocka_unit_test(test_runner_commits_artifacts_and_status),
		cmocka_unit_test(test_bad_media_is_not_retried_automatically),
		cmocka_unit_test(test_backoff_grows_is_capped_and_jittered),
		cmocka_unit_test(test_quota_waits_for_its_reset_without_counting_an_attempt),
		cmocka_unit_test(test_tenant_filters_fail_closed),
		cmocka_unit_test(test_data_version_moves_on_another_connections_commit),
		cmocka_unit_test(test_a_due_job_run_and_a_delivery_are_taken_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
