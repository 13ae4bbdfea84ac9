/*
 * test_stop.c — stopping a running stage through the store: a stop asked
 * from another connection reaches the stage at its next progress report,
 * the runner puts the recording back at the stage's input status (not
 * FAILED, no attempt counted) with the lease dropped and the half-written
 * file gone; the mark then holds it against runs that do not lift it; a
 * person's run lifts it; a holder that is gone is stopped by the asker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sys/wait.h>

#include "pipeline.h"
#include "stop.h"
#include "store.h"
#include "testutil.h"

static char *g_db, *g_dir;
static int stage_calls;

static struct store *
open_store(void)
{
	struct zpub_err err;
	struct store *st = NULL;
	assert_int_equal(store_open(g_db, g_dir, &st, &err), 0);
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
	r.title = (char *)"Лекция";
	r.status = status;
	assert_int_equal(store_recording_add(st, &r, &id, &err), 0);
	return id;
}

static void
alice(struct actor *who)
{
	memset(who, 0, sizeof *who);
	who->kind = ACTOR_CLI;
	who->tenant_id = 1;
	snprintf(who->user, sizeof who->user, "alice");
}

/* A stage that finishes one file, half writes another, and is stopped by
 * "another process" (a second connection) before its next report. */
static int
stage_stopped(struct stage_ctx *ctx, struct zpub_err *err)
{
	struct zpub_err e;
	struct actor who;
	int live = 0;
	stage_calls++;
	char *done = path_join(ctx->media_dir, "map.json");
	char *half = path_join(ctx->media_dir, "cut.mp4.tmp");
	assert_int_equal(fs_write_atomic(done, "{}", 2, 0600, &e), 0);
	FILE *f = fopen(half, "w");
	assert_non_null(f);
	fputs("half", f);
	fclose(f);
	free(done);
	free(half);
	struct store *other = open_store();
	alice(&who);
	assert_int_equal(store_stop_request(other, 1, ctx->rec->id, "cli:alice", &live, &e), 0);
	assert_int_equal(live, 1);
	store_close(other);
	if (zpub_progress_report(&ctx->progress, 0.5, "cutting") != 0)
		return zpub_err_set(err, ZPUB_ECANCEL, "cut cancelled");
	return 0;
}

static int
stage_ok(struct stage_ctx *ctx, struct zpub_err *err)
{
	(void)ctx;
	(void)err;
	stage_calls++;
	return 0;
}

static const struct stage_def stopping_table[] = {
	{ "process", ST_DOWNLOADED, ST_PROCESSING, ST_PROCESSED, stage_stopped },
	{ NULL, 0, 0, 0, NULL },
};
static const struct stage_def ok_table[] = {
	{ "process", ST_DOWNLOADED, ST_PROCESSING, ST_PROCESSED, stage_ok },
	{ NULL, 0, 0, 0, NULL },
};

static void
test_a_stop_from_another_connection_ends_the_stage_at_its_last_finished_status(void **state)
{
	(void)state;
	struct store *st = open_store();
	struct zpub_err err;
	cJSON *cfg = cJSON_CreateObject();
	struct pipeline_opts po = { .until = ST_PROCESSED, .owner = "cli@nowhere:1",
	    .lease_ms = 60000, .stages = stopping_table };
	int64_t id = add_rec(st, "stop", ST_DOWNLOADED);
	char *mdir = pipeline_media_dir(g_dir, "default", id);

	stage_calls = 0;
	assert_int_equal(pipeline_run(st, cfg, g_dir, id, &po, &err), ZPUB_ECANCEL);
	assert_int_equal(stage_calls, 1);
	assert_non_null(strstr(err.msg, "process stopped by cli:alice; it is DOWNLOADED again"));
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(st, id, &r, &err), 0);
	assert_int_equal(r->status, ST_DOWNLOADED);
	assert_int_equal(r->attempts, 0);
	assert_null(r->lease_owner);
	assert_string_equal(r->stop_by, "cli:alice");
	assert_string_equal(r->detail, "stopped by cli:alice");
	store_recording_free(r);
	char *half = path_join(mdir, "cut.mp4.tmp"), *done = path_join(mdir, "map.json");
	assert_false(fs_exists(half));
	assert_true(fs_exists(done));
	free(half);
	free(done);
	struct store_stage_run *runs = NULL;
	int n = 0;
	assert_int_equal(store_stage_runs(st, id, &runs, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(runs[0].state, "interrupted");
	assert_string_equal(runs[0].error, "stopped by cli:alice");
	store_stage_runs_free(runs, n);

	/* Nothing runs now: a second stop says so. */
	assert_int_equal(store_stop_request(st, 1, id, "cli:bob", NULL, &err), ZPUB_ESTATE);
	assert_non_null(strstr(err.msg, "cli:alice stopped it"));
	/* The mark holds against a run that does not lift it (the daemon's, a job's). */
	po.stages = ok_table;
	stage_calls = 0;
	assert_int_equal(pipeline_run(st, cfg, g_dir, id, &po, &err), ZPUB_ECANCEL);
	assert_non_null(strstr(err.msg, "was stopped by cli:alice"));
	assert_int_equal(stage_calls, 0);
	/* A person's run lifts it. */
	po.resume_stopped = 1;
	assert_int_equal(pipeline_run(st, cfg, g_dir, id, &po, &err), 0);
	assert_int_equal(stage_calls, 1);
	assert_int_equal(store_recording_get(st, id, &r, &err), 0);
	assert_int_equal(r->status, ST_PROCESSED);
	assert_null(r->stop_by);
	store_recording_free(r);
	/* Another tenant cannot stop it, nor see it. */
	assert_int_equal(store_stop_request(st, 2, id, "api:eve", NULL, &err), ZPUB_ENOTFOUND);

	free(mdir);
	cJSON_Delete(cfg);
	store_close(st);
}

static void
test_a_live_holder_keeps_the_mark_and_a_gone_one_is_stopped_by_the_asker(void **state)
{
	(void)state;
	struct store *st = open_store();
	struct zpub_err err;
	struct store_stopped out;
	int live = 0, resumed = 0;
	int64_t id = add_rec(st, "holders", ST_DOWNLOADED);

	/* A live holder (another host's lease, not expired). */
	assert_int_equal(store_lease_take(st, id, ST_DOWNLOADED, ST_PROCESSING, "daemon@far:7",
	    60000, &resumed, &err), 0);
	assert_int_equal(store_stop_request(st, 1, id, "api:egor", &live, &err), 0);
	assert_int_equal(live, 1);
	assert_int_equal(store_recording_progress(st, id, "daemon@far:7", 0.3, "x", -1, 60000,
	    &err), ZPUB_ECANCEL);
	assert_string_equal(err.msg, "stopped by api:egor");
	assert_int_equal(store_recording_progress(st, id, "daemon@other:8", 0.3, "x", -1, 60000,
	    &err), ZPUB_EBUSY);
	assert_int_equal(store_stop_clear(st, id, NULL, &err), ZPUB_EBUSY);
	assert_int_equal(store_stop_finish(st, id, NULL, &out, &err), ZPUB_EBUSY);
	assert_int_equal(store_stop_finish(st, id, "daemon@other:8", &out, &err), ZPUB_EBUSY);
	assert_int_equal(store_stop_finish(st, id, "daemon@far:7", &out, &err), 0);
	assert_int_equal(out.stopped, 1);
	assert_int_equal(out.back, ST_DOWNLOADED);
	assert_string_equal(out.by, "api:egor");
	int lifted = 0;
	assert_int_equal(store_stop_clear(st, id, &lifted, &err), 0);
	assert_int_equal(lifted, 1);

	/* A holder on this host whose process is gone: the asker stops it. */
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	char *owner = xasprintf("cli@%s:%d", host, (int)pid);
	assert_int_equal(store_lease_take(st, id, ST_DOWNLOADED, ST_PROCESSING, owner, 60000,
	    &resumed, &err), 0);
	char *mdir = pipeline_media_dir(g_dir, "default", id);
	char *half = path_join(mdir, "audio_000.flac.tmp");
	assert_int_equal(fs_mkdir_p(mdir, 0700, &err), 0);
	assert_int_equal(fs_write_atomic(half, "x", 1, 0600, &err), 0);
	struct actor who;
	alice(&who);
	struct stop_result res;
	assert_int_equal(stop_recording(st, &who, id, 0, &res, &err), 0);
	assert_int_equal(res.done, 1);
	assert_int_equal(res.status, ST_DOWNLOADED);
	assert_false(fs_exists(half));
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(st, id, &r, &err), 0);
	assert_int_equal(r->status, ST_DOWNLOADED);
	assert_null(r->lease_owner);
	assert_string_equal(r->stop_by, "cli:alice");
	store_recording_free(r);
	free(half);
	free(mdir);
	free(owner);
	store_close(st);
}

int
main(void)
{
	g_dir = test_tmpdir("stop");
	g_db = test_db(g_dir);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_stop_from_another_connection_ends_the_stage_at_its_last_finished_status),
		cmocka_unit_test(test_a_live_holder_keeps_the_mark_and_a_gone_one_is_stopped_by_the_asker),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fs_remove_tree(g_dir);
	free(g_db);
	free(g_dir);
	return rc;
}
