/*
 * test_quota.c — what quotas in every face stand on: stages running under
 * leases counted across processes (a dead local owner not), usage rows
 * carrying the face of their store handle, the quota sentences naming the
 * quota and the command that raises it, and quota_reached written once per
 * tenant, quota and period.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipeline.h"
#include "store.h"
#include "store_admin.h"
#include "store_notify.h"
#include "store_quota.h"
#include "tenant.h"
#include "testutil.h"

static struct store *
open_fresh(char **dir_out)
{
	struct zpub_err err;
	struct store *st = NULL;
	char *dir = test_tmpdir("quota");
	char *db = test_db(dir);
	assert_int_equal(store_open(db, dir, &st, &err), 0);
	free(db);
	*dir_out = dir;
	return st;
}

static int64_t
add_rec(struct store *st, const char *ref)
{
	struct store_recording r = { 0 };
	struct zpub_err err;
	int64_t id = 0;
	r.tenant_id = 1;
	r.source = (char *)"local";
	r.source_ref = (char *)ref;
	r.title = (char *)"Лекция";
	r.status = ST_DOWNLOADED;
	assert_int_equal(store_recording_add(st, &r, &id, &err), 0);
	return id;
}

static void
close_fresh(struct store *st, char *dir)
{
	store_close(st);
	fs_remove_tree(dir);
	free(dir);
}

static void
test_leases_of_every_live_process_count(void **state)
{
	(void)state;
	char *dir, host[256] = "", owner[320];
	struct store *st = open_fresh(&dir);
	int64_t a = add_rec(st, "a"), b = add_rec(st, "b");
	int n = -1;
	gethostname(host, sizeof host - 1);
	pid_t live = fork();
	if (live == 0) {
		pause();
		_exit(0);
	}
	snprintf(owner, sizeof owner, "cli@%s:%d", host, (int)live);
	assert_int_equal(store_lease_take(st, a, ST_DOWNLOADED, ST_PROCESSING, owner, 600000, NULL,
	    NULL), 0);
	assert_int_equal(store_lease_take(st, b, ST_DOWNLOADED, ST_PROCESSING, "daemon@far:7",
	    600000, NULL, NULL), 0);
	assert_int_equal(store_leases_running(st, 1, NULL, 0, &n, NULL), 0);
	assert_int_equal(n, 2);
	/* the caller's own leases and recording are left out */
	assert_int_equal(store_leases_running(st, 1, "daemon@far:7", 0, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_leases_running(st, 1, NULL, a, &n, NULL), 0);
	assert_int_equal(n, 1);
	/* another tenant's stages are not this one's */
	assert_int_equal(store_leases_running(st, 2, NULL, 0, &n, NULL), 0);
	assert_int_equal(n, 0);
	/* the holder dies: its lease no longer counts, long before it expires */
	kill(live, SIGKILL);
	waitpid(live, NULL, 0);
	assert_int_equal(store_leases_running(st, 1, NULL, 0, &n, NULL), 0);
	assert_int_equal(n, 1);
	close_fresh(st, dir);
}

static void
test_usage_rows_carry_the_face_of_their_handle(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	int64_t id = add_rec(st, "a");
	struct store_face_row *v = NULL;
	int n = 0;
	assert_int_equal(store_usage_add(st, 1, id, "processing_minutes", "", 2, 0, NULL), 0);
	store_set_face(st, "cli");
	assert_int_equal(store_usage_add(st, 1, id, "processing_minutes", "", 1.5, 0, NULL), 0);
	assert_int_equal(store_usage_add(st, 1, id, "processing_minutes", "", 0.5, 0, NULL), 0);
	store_set_face(st, "api");
	assert_int_equal(store_usage_add(st, 1, id, "processing_minutes", "", 3, 0, NULL), 0);
	assert_int_equal(store_usage_add(st, 1, id, "upload_bytes", "youtube", 99, 0, NULL), 0);
	assert_int_equal(store_usage_by_face(st, 1, "processing_minutes", 0, INT64_MAX, &v, &n,
	    NULL), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].face, "");
	assert_true(v[0].amount == 2);
	assert_string_equal(v[1].face, "api");
	assert_true(v[1].amount == 3);
	assert_string_equal(v[2].face, "cli");
	assert_true(v[2].amount == 2);
	store_face_rows_free(v, n);
	/* a tenant's report holds only its rows */
	assert_int_equal(store_usage_by_face(st, 2, "processing_minutes", 0, INT64_MAX, &v, &n,
	    NULL), 0);
	assert_int_equal(n, 0);
	store_face_rows_free(v, n);
	close_fresh(st, dir);
}

static void
test_quota_sentences_name_the_quota_and_the_command(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	struct zpub_err err;
	const char *quota = NULL;
	int64_t id = add_rec(st, "a");
	assert_int_equal(store_tenant_set_quota(st, 1, -1, 1, 2, -1, NULL), 0);
	assert_int_equal(tenant_quota_check(st, 1, "process", 1, &quota, &err), 0);
	assert_null(quota);
	assert_int_equal(tenant_quota_check(st, 1, "publish", 2, &quota, &err), ZPUB_EQUOTA);
	assert_string_equal(quota, TENANT_QUOTA_CONCURRENT);
	assert_non_null(strstr(err.msg, "zpub tenant quota default --concurrent N"));
	assert_int_equal(store_usage_add(st, 1, id, "processing_minutes", "", 1.2, 0, NULL), 0);
	assert_int_equal(tenant_quota_check(st, 1, "process", 0, &quota, &err), ZPUB_EQUOTA);
	assert_string_equal(quota, TENANT_QUOTA_MINUTES);
	assert_non_null(strstr(err.msg, TENANT_QUOTA_MINUTES));
	assert_non_null(strstr(err.msg, "zpub tenant quota default --minutes N"));
	/* the minutes hold for process only; publishing what is processed goes on */
	assert_int_equal(tenant_quota_check(st, 1, "publish", 0, &quota, &err), 0);
	assert_int_equal(tenant_minutes_check(st, 1, &err), ZPUB_EQUOTA);
	close_fresh(st, dir);
}

static int
events(struct store *st)
{
	struct store_notify_event *v = NULL;
	int n = 0;
	assert_int_equal(store_notify_unfanned(st, 100, &v, &n, NULL), 0);
	store_notify_events_free(v, n);
	return n;
}

static void
test_quota_reached_once_per_tenant_quota_and_period(void **state)
{
	(void)state;
	char *dir;
	struct store *st = open_fresh(&dir);
	int64_t id = add_rec(st, "a");
	int sent = -1;
	assert_int_equal(store_notify_quota_once(st, 1, id, TENANT_QUOTA_MINUTES, 0,
	    "the " TENANT_QUOTA_MINUTES " is used up", &sent, NULL), 0);
	assert_int_equal(sent, 1);
	assert_int_equal(store_notify_quota_once(st, 1, id, TENANT_QUOTA_MINUTES, 0,
	    "the " TENANT_QUOTA_MINUTES " is used up", &sent, NULL), 0);
	assert_int_equal(sent, 0);
	/* another quota is its own event */
	assert_int_equal(store_notify_quota_once(st, 1, 0, TENANT_QUOTA_STORAGE, 0,
	    "the " TENANT_QUOTA_STORAGE " is used up", &sent, NULL), 0);
	assert_int_equal(sent, 1);
	/* a new period starts after the last event */
	assert_int_equal(store_notify_quota_once(st, 1, id, TENANT_QUOTA_MINUTES,
	    time_now_ms() + 1000, "the " TENANT_QUOTA_MINUTES " is used up", &sent, NULL), 0);
	assert_int_equal(sent, 1);
	assert_int_equal(events(st), 3);
	close_fresh(st, dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leases_of_every_live_process_count),
		cmocka_unit_test(test_usage_rows_carry_the_face_of_their_handle),
		cmocka_unit_test(test_quota_sentences_name_the_quota_and_the_command),
		cmocka_unit_test(test_quota_reached_once_per_tenant_quota_and_period),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
