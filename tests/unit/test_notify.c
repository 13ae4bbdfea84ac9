/*
 * test_notify.c — webhooks' pure parts and the outbox: the body signature
 * (HMAC-SHA256 vectors), the retry schedule, which hook wants which event,
 * and an event's life in the store (written with its change or not at all,
 * fanned out once, retried with the same id and body, delivered, forgotten).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "notify.h"
#include "store.h"
#include "store_notify.h"
#include "testutil.h"
#include "util.h"

static void
test_sign_matches_hmac_sha256_vectors(void **state)
{
	char hex[65];
	(void)state;
	/* RFC 4231 test case 2 */
	const char *d = "what do ya want for nothing?";
	hmac_sha256_hex("Jefe", d, strlen(d), hex);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	d = "The quick brown fox jumps over the lazy dog";
	hmac_sha256_hex("key", d, strlen(d), hex);
	assert_string_equal(hex, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
	/* a key longer than a block is hashed first, as every HMAC does */
	char key[200];
	memset(key, 'k', sizeof key - 1);
	key[sizeof key - 1] = '\0';
	hmac_sha256_hex(key, "", 0, hex);
	assert_int_equal(strlen(hex), 64);
}

static void
test_retry_schedule_doubles_to_the_cap_with_jitter(void **state)
{
	(void)state;
	cJSON *cfg = cJSON_Parse("{\"notify\": {\"retry_base_ms\": 1000, \"retry_cap_ms\": 8000}}");
	int64_t want[] = { 1000, 2000, 4000, 8000, 8000, 8000 };
	for (int round = 0; round < 50; round++)
		for (int a = 1; a <= 6; a++) {
			int64_t w = notify_retry_delay_ms(cfg, a);
			int64_t x = want[a - 1];
			if (w < x - x / 5 || w > x + x / 5)
				fail_msg("attempt %d: %lld ms, wanted %lld +- 20%%", a, (long long)w,
				    (long long)x);
		}
	cJSON_Delete(cfg);
	cfg = cJSON_Parse("{}");
	int64_t w = notify_retry_delay_ms(cfg, 1);    /* the default base: 10 s */
	assert_true(w >= 8000 && w <= 12000);
	cJSON_Delete(cfg);
}

static void
test_hook_wants_listed_events_or_all(void **state)
{
	(void)state;
	cJSON *h = cJSON_Parse("{\"url\": \"http://x\", \"events\": [\"ready\", \"failed\"]}");
	assert_true(notify_hook_wants(h, "ready"));
	assert_true(notify_hook_wants(h, "failed"));
	assert_false(notify_hook_wants(h, "quota_reached"));
	cJSON_Delete(h);
	h = cJSON_Parse("{\"url\": \"http://x\"}");
	assert_true(notify_hook_wants(h, "reauth_needed"));
	cJSON_Delete(h);
}

static int64_t
add_rec(struct store *st)
{
	struct store_recording r = { 0 };
	struct zpub_err err;
	int64_t id = 0;
	r.tenant_id = 1;
	r.source = (char *)"local";
	r.source_ref = (char *)"/x/lecture.mp4";
	r.title = (char *)"Лекция 1";
	r.status = ST_TRANSCRIBED;
	assert_int_equal(store_recording_add(st, &r, &id, &err), 0);
	return id;
}

static void
test_outbox_event_lives_with_its_change_and_keeps_its_id(void **state)
{
	struct zpub_err err;
	struct store *st = NULL;
	(void)state;
	char *dir = test_tmpdir("notify");
	char *db = test_db(dir);
	assert_int_equal(store_open(db, dir, &st, &err), 0);
	int64_t id = add_rec(st);

	/* rolled back with its transaction: no event */
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_notify_enqueue(st, id, "ready", NULL, &err), 0);
	store_rollback(st);
	int64_t backlog = -1;
	assert_int_equal(store_notify_backlog(st, &backlog, &err), 0);
	assert_int_equal(backlog, 0);

	/* a review hold writes review_pending once, not on every look */
	assert_int_equal(store_recording_set_review_hold(st, id, 1, &err), 0);
	assert_int_equal(store_recording_set_review_hold(st, id, 1, &err), 0);
	struct store_notify_event *ev = NULL;
	int n = 0;
	assert_int_equal(store_notify_unfanned(st, 10, &ev, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].event, "review_pending");
	const char *names[] = { "portal" }, *urls[] = { "http://127.0.0.1:9/hook" };
	assert_int_equal(store_notify_fan(st, ev[0].row, names, urls, 1, &err), 0);
	store_notify_events_free(ev, n);
	assert_int_equal(store_notify_unfanned(st, 10, &ev, &n, &err), 0);
	assert_int_equal(n, 0);
	store_notify_events_free(ev, n);

	struct store_notify_delivery *d = NULL;
	assert_int_equal(store_notify_due(st, time_now_ms(), 10, &d, &n, &err), 0);
	assert_int_equal(n, 1);
	cJSON *b = cJSON_Parse(d[0].body);
	assert_non_null(b);
	assert_string_equal(cJSON_GetObjectItem(b, "id")->valuestring, d[0].event_id);
	assert_string_equal(cJSON_GetObjectItem(b, "event")->valuestring, "review_pending");
	assert_string_equal(cJSON_GetObjectItem(b, "tenant")->valuestring, "default");
	cJSON *r = cJSON_GetObjectItem(b, "recording");
	assert_int_equal((int64_t)cJSON_GetObjectItem(r, "id")->valuedouble, id);
	assert_string_equal(cJSON_GetObjectItem(r, "title")->valuestring, "Лекция 1");
	cJSON_Delete(b);
	char *event_id = xstrdup(d[0].event_id), *body = xstrdup(d[0].body);

	/* a failed attempt: not due before its time, then the same id and bytes */
	int64_t next = time_now_ms() + 60000;
	assert_int_equal(store_notify_attempted(st, &d[0], "pending", 500, "answered 500", next,
	    "warn", "notifying failed", &err), 0);
	store_notify_deliveries_free(d, n);
	assert_int_equal(store_notify_due(st, time_now_ms(), 10, &d, &n, &err), 0);
	assert_int_equal(n, 0);
	store_notify_deliveries_free(d, n);
	assert_int_equal(store_notify_due(st, next, 10, &d, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].attempts, 1);
	assert_string_equal(d[0].event_id, event_id);
	assert_string_equal(d[0].body, body);
	assert_int_equal(store_notify_attempted(st, &d[0], "delivered", 200, NULL, 0, "info",
	    "notified review_pending to http://127.0.0.1:9/hook (200)", &err), 0);
	store_notify_deliveries_free(d, n);
	assert_int_equal(store_notify_due(st, next + 86400000, 10, &d, &n, &err), 0);
	assert_int_equal(n, 0);
	store_notify_deliveries_free(d, n);
	assert_int_equal(store_notify_backlog(st, &backlog, &err), 0);
	assert_int_equal(backlog, 0);

	struct store_journal_entry *j = NULL;
	int nj = 0, found = 0;
	assert_int_equal(store_journal_list(st, id, 100, &j, &nj, &err), 0);
	for (int i = 0; i < nj; i++)
		found |= strstr(j[i].message, "notified review_pending") != NULL;
	store_journal_free(j, nj);
	assert_true(found);

	/* a settled event is forgotten once it is old enough, not before */
	assert_int_equal(store_notify_enqueue(st, id, "failed", "why", &err), 0);
	assert_int_equal(store_notify_prune(st, time_now_ms() + 1000, &err), 0);
	assert_int_equal(store_notify_backlog(st, &backlog, &err), 0);
	assert_int_equal(backlog, 1);    /* the new one is not fanned out yet: kept */
	assert_int_equal(store_notify_unfanned(st, 10, &ev, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].event, "failed");
	store_notify_events_free(ev, n);
	free(event_id);
	free(body);
	store_close(st);
	free(db);
	free(dir);
}

static void
test_reconnect_writes_one_reauth_needed_per_change(void **state)
{
	struct zpub_err err;
	struct store *st = NULL;
	(void)state;
	char *dir = test_tmpdir("notify_reauth");
	char *db = test_db(dir);
	assert_int_equal(store_open(db, dir, &st, &err), 0);
	unsigned char ct[4] = { 1, 2, 3, 4 }, nonce[24] = { 0 };
	assert_int_equal(store_credential_put(st, 1, "youtube.oauth", ct, sizeof ct, nonce,
	    sizeof nonce, 0, &err), 0);
	assert_int_equal(store_credential_set_state(st, 1, "youtube.oauth", "reconnect", &err), 0);
	assert_int_equal(store_credential_set_state(st, 1, "youtube.oauth", "reconnect", &err), 0);
	struct store_notify_event *ev = NULL;
	int n = 0;
	assert_int_equal(store_notify_unfanned(st, 10, &ev, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].event, "reauth_needed");
	store_notify_events_free(ev, n);
	/* connected again, then lost again: a new event */
	assert_int_equal(store_credential_set_state(st, 1, "youtube.oauth", "ok", &err), 0);
	assert_int_equal(store_credential_set_state(st, 1, "youtube.oauth", "reconnect", &err), 0);
	assert_int_equal(store_notify_unfanned(st, 10, &ev, &n, &err), 0);
	assert_int_equal(n, 2);
	store_notify_events_free(ev, n);
	store_close(st);
	free(db);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_matches_hmac_sha256_vectors),
		cmocka_unit_test(test_retry_schedule_doubles_to_the_cap_with_jitter),
		cmocka_unit_test(test_hook_wants_listed_events_or_all),
		cmocka_unit_test(test_outbox_event_lives_with_its_change_and_keeps_its_id),
		cmocka_unit_test(test_reconnect_writes_one_reauth_needed_per_change),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
