/*
 * test_zoom_client.c — the Zoom client against tests/fakes/fake_zoom.py:
 * the authorization-code sign-in with PKCE through the loopback listener (a
 * thread plays the browser, first with a forged state), refresh with a
 * rotating refresh token, the Server-to-Server grant, and moving published
 * meetings to Zoom's trash (never before every part is published).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "accounts.h"
#include "http.h"
#include "zoom.h"
#include "zoom_sync.h"
#include "net_fake.h"
#include "store.h"
#include "testutil.h"
#include "vault.h"

struct env {
	struct net_fake fake;
	char *dir;
	struct store *st;
	struct vault *v;
	int64_t tenant;
	struct accounts acc;   /* the client's tokens and secret: st and v */
	cJSON *cfg;
};

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof *e);
	struct zpub_err err;
	e->dir = test_tmpdir("zoom-auth");
	const char *args[] = { "--dir", e->dir, "--months", "1", "--per-month", "2", NULL };
	if (net_fake_start(&e->fake, "fake_zoom.py", args) != 0)
		return -1;
	char *db = test_db(e->dir), *key = path_join(e->dir, "vault.key");
	if (store_open(db, e->dir, &e->st, &err) != 0 || vault_open(e->st, key, &e->v, &err) != 0 ||
	    store_tenant_id(e->st, "default", &e->tenant, &err) != 0)
		return -1;
	free(db);
	free(key);
	e->acc = (struct accounts){ e->st, e->v, e->tenant, NULL };
	vault_put(e->v, e->tenant, "zoom.client_secret", "zoom-secret", 11, 0, &err);
	char *cfg = xasprintf("{\"providers\":{\"zoom\":{\"api_base\":\"%s/v2\",\"oauth_base\":\"%s\","
	    "\"client_id\":\"zoom-client\",\"account_id\":\"\"}}}", e->fake.base, e->fake.base);
	e->cfg = cJSON_Parse(cfg);
	free(cfg);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;
	net_fake_stop(&e->fake);
	vault_close(e->v);
	store_close(e->st);
	cJSON_Delete(e->cfg);
	fs_remove_tree(e->dir);
	free(e->dir);
	free(e);
	return 0;
}

/* The browser: reads the URL zpub prints, first forges a callback with a
 * wrong state, then follows the real URL (302 back to the listener). */
struct browser {
	FILE *in;
	long forged_status, real_status;
};

static void *
browser_main(void *ud)
{
	struct browser *b = ud;
	char line[4096];
	if (fgets(line, sizeof line, b->in) == NULL)
		return NULL;
	line[strcspn(line, "\n")] = '\0';
	struct http_client *c = http_client_new();
	/* redirect_uri=http%3A%2F%2F127.0.0.1%3A<port>%2Fcallback */
	const char *p = strstr(line, "127.0.0.1%3A");
	int port = p ? atoi(p + 12) : 0;
	char forged[128];
	snprintf(forged, sizeof forged, "http://127.0.0.1:%d/callback?code=evil&state=wrong", port);
	struct http_request r1 = { .url = forged };
	struct http_response resp = {0};
	if (http_do(c, &r1, &resp, NULL) == 0)
		b->forged_status = resp.status;
	http_response_free(&resp);
	struct http_request r2 = { .url = line, .follow_redirects = 1 };
	if (http_do(c, &r2, &resp, NULL) == 0)
		b->real_status = resp.status;
	http_response_free(&resp);
	http_client_free(c);
	return NULL;
}

static int
count_meeting(void *ud, const cJSON *m, struct zpub_err *err)
{
	(void)m;
	(void)err;
	(*(int *)ud)++;
	return 0;
}

static char *
vault_json(struct env *e)
{
	char *val = NULL, *copy;
	size_t len = 0;
	if (vault_get(e->v, e->tenant, "oauth.zoom", &val, &len, NULL) != 0)
		return NULL;
	copy = xstrdup(val);
	vault_free_secret(val, len);
	return copy;
}

static void
test_pkce_sign_in_refuses_forged_state_then_refreshes_with_rotation(void **state)
{
	struct env *e = *state;
	struct zoom_client *zc = NULL;
	struct zpub_err err = {0};
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	struct browser b = { .in = fdopen(fds[0], "r") };
	FILE *out = fdopen(fds[1], "w"), *log = fopen("/dev/null", "w");
	pthread_t th;
	pthread_create(&th, NULL, browser_main, &b);

	assert_int_equal(accounts_zoom_client(&e->acc, e->cfg, &zc, &err), 0);
	struct zoom_login_opts lo = { .timeout_ms = 20000, .out = out, .log = log };
	int rc = zoom_login(zc, &lo, &err);
	pthread_join(th, NULL);
	assert_int_equal(rc, 0);
	assert_int_equal(b.forged_status, 400);
	assert_int_equal(b.real_status, 200);

	char *j1 = vault_json(e);
	assert_non_null(j1);
	assert_non_null(strstr(j1, "\"kind\":\"user\""));
	assert_non_null(strstr(j1, "refresh_token"));

	/* The token works for the listing. */
	struct zoom_window w = { "2026-10-01", "2026-10-31" };
	int n = 0;
	assert_int_equal(zoom_list_window(zc, &w, count_meeting, &n, &err), 0);
	assert_int_equal(n, 3);   /* two lectures + one still processing */

	/* A forced refresh (as after a 401) rotates the refresh token and saves it;
	 * a new client (the next process) refreshes with the saved one. */
	const char *tok;
	assert_int_equal(zoom_token(zc, 1, &tok, &err), 0);
	char *j2 = vault_json(e);
	assert_string_not_equal(j1, j2);
	zoom_client_free(zc);
	assert_int_equal(accounts_zoom_client(&e->acc, e->cfg, &zc, &err), 0);
	assert_int_equal(zoom_token(zc, 1, &tok, &err), 0);
	n = 0;
	assert_int_equal(zoom_list_window(zc, &w, count_meeting, &n, &err), 0);
	assert_int_equal(n, 3);   /* two lectures + one still processing */
	/* Two processes with the same refresh token: the one that loses the
	 * rotation race takes the winner's tokens instead of asking to reconnect. */
	struct zoom_client *other = NULL;
	assert_int_equal(accounts_zoom_client(&e->acc, e->cfg, &other, &err), 0);
	assert_int_equal(zoom_token(other, 0, &tok, &err), 0);      /* loads the same tokens */
	assert_int_equal(zoom_token(zc, 1, &tok, &err), 0);         /* rotates */
	assert_int_equal(zoom_token(other, 1, &tok, &err), 0);      /* stale refresh token */
	n = 0;
	assert_int_equal(zoom_list_window(other, &w, count_meeting, &n, &err), 0);
	zoom_client_free(other);
	free(j1);
	free(j2);
	zoom_client_free(zc);
	fclose(out);
	fclose(log);
	fclose(b.in);
}

static void
test_s2s_token_is_cached_and_wrong_secret_says_what_to_fix(void **state)
{
	struct env *e = *state;
	struct zoom_client *zc = NULL;
	struct zpub_err err = {0};
	cJSON *cfg = cJSON_Duplicate(e->cfg, 1);
	cJSON *z = cJSON_GetObjectItem(cJSON_GetObjectItem(cfg, "providers"), "zoom");
	cJSON_ReplaceItemInObject(z, "account_id", cJSON_CreateString("zoom-account"));

	assert_int_equal(accounts_zoom_client(&e->acc, cfg, &zc, &err), 0);
	const char *tok;
	assert_int_equal(zoom_token(zc, 1, &tok, &err), 0);
	char *first = xstrdup(tok);
	zoom_client_free(zc);
	/* the next process reuses the cached token */
	assert_int_equal(accounts_zoom_client(&e->acc, cfg, &zc, &err), 0);
	assert_int_equal(zoom_token(zc, 0, &tok, &err), 0);
	assert_string_equal(tok, first);
	zoom_client_free(zc);

	vault_put(e->v, e->tenant, "zoom.client_secret", "wrong", 5, 0, &err);
	assert_int_equal(accounts_zoom_client(&e->acc, cfg, &zc, &err), 0);
	assert_int_equal(zoom_token(zc, 1, &tok, &err), ZPUB_EAUTH);
	assert_non_null(strstr(err.msg, "zoom.client_secret"));
	assert_null(strstr(err.msg, first));    /* never a token in a sentence */
	zoom_client_free(zc);
	vault_put(e->v, e->tenant, "zoom.client_secret", "zoom-secret", 11, 0, &err);
	free(first);
	cJSON_Delete(cfg);
}

static int64_t
add_rec(struct env *e, const char *ref, const char *uuid, enum rec_status status, int trash)
{
	struct store_recording r;
	int64_t id = 0;
	char *meta = xasprintf("{\"meeting_uuid\":\"%s\",\"file\":{\"id\":\"%s\"}}", uuid, ref);
	memset(&r, 0, sizeof r);
	r.tenant_id = e->tenant;
	r.source = (char *)"zoom";
	r.source_ref = (char *)ref;
	r.title = (char *)ref;
	r.status = status;
	r.source_meta = meta;
	r.config = (char *)(trash ? "{\"processing\":{\"zoom\":{\"trash_after_publish\":true}}}" : "{}");
	assert_int_equal(store_recording_add(e->st, &r, &id, NULL), 0);
	free(meta);
	return id;
}

static void
test_published_meetings_go_to_trash_once_and_never_before(void **state)
{
	struct env *e = *state;
	struct zpub_err err = {0};
	cJSON *cfg = cJSON_Duplicate(e->cfg, 1);
	cJSON *z = cJSON_GetObjectItem(cJSON_GetObjectItem(cfg, "providers"), "zoom");
	cJSON_ReplaceItemInObject(z, "account_id", cJSON_CreateString("zoom-account"));
	add_rec(e, "m1-a", "m1==", ST_READY, 1);
	int64_t m1b = add_rec(e, "m1-b", "m1==", ST_READY, 1);
	add_rec(e, "m2-a", "/m2//x==", ST_READY, 1);           /* double-encoded */
	add_rec(e, "m3-a", "m3==", ST_READY, 1);
	int64_t m3b = add_rec(e, "m3-b", "m3==", ST_DOWNLOADED, 1);  /* not yet published */
	add_rec(e, "m4-a", "m4==", ST_READY, 0);               /* template did not ask */

	struct zoom_sync_opts o = { .from_ms = time_parse_iso("2020-01-01"),
		.to_ms = time_parse_iso("2020-01-02") };
	cJSON *rep = NULL;
	assert_int_equal(zoom_sync(e->st, e->v, e->tenant, cfg, &o, &rep, NULL, NULL, &err), 0);
	const cJSON *tr = cJSON_GetObjectItem(rep, "trashed");
	assert_int_equal(cJSON_GetArraySize(tr), 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(tr, 0), "meeting_uuid")->valuestring,
	    "m1==");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(tr, 1), "meeting_uuid")->valuestring,
	    "/m2//x==");
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(tr, 1), "error"));
	cJSON_Delete(rep);

	struct store_journal_entry *j = NULL;
	int nj = 0, found = 0;
	assert_int_equal(store_journal_list(e->st, m1b, 100, &j, &nj, NULL), 0);
	for (int i = 0; i < nj; i++)
		found |= strcmp(j[i].event, "zoom_trash") == 0;
	store_journal_free(j, nj);
	assert_true(found);

	/* Once only; m3 goes when its second part is published. */
	assert_int_equal(zoom_sync(e->st, e->v, e->tenant, cfg, &o, &rep, NULL, NULL, &err), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(rep, "trashed")), 0);
	cJSON_Delete(rep);
	(void)m3b;

	/* The fake saw exactly the two meetings, decoded right, action=trash. */
	struct http_client *c = http_client_new();
	char *url = xasprintf("%s/_admin/stats", e->fake.base);
	struct http_request rq = { .url = url };
	struct http_response resp = {0};
	assert_int_equal(http_do(c, &rq, &resp, NULL), 0);
	cJSON *st = cJSON_Parse(resp.body);
	const cJSON *t = cJSON_GetObjectItem(st, "trashed");
	assert_int_equal(cJSON_GetArraySize(t), 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(t, 1), "uuid")->valuestring,
	    "/m2//x==");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(t, 0), "action")->valuestring,
	    "trash");
	cJSON_Delete(st);
	http_response_free(&resp);
	free(url);
	http_client_free(c);

	/* A job's goal travels with each new recording from its first moment. */
	struct zoom_sync_opts jo = { .from_ms = time_parse_iso("2026-10-01"),
		.to_ms = time_parse_iso("2026-10-31"),
		.recording_config = "{\"daemon\":{\"until\":\"DOWNLOADED\"}}" };
	int64_t *ids = NULL;
	int nids = 0;
	assert_int_equal(zoom_sync(e->st, e->v, e->tenant, cfg, &jo, &rep, &ids, &nids, &err), 0);
	assert_int_equal(nids, 2);
	for (int i = 0; i < nids; i++) {
		struct store_recording *r = NULL;
		assert_int_equal(store_recording_get(e->st, ids[i], &r, NULL), 0);
		assert_non_null(strstr(r->config, "DOWNLOADED"));
		store_recording_free(r);
	}
	free(ids);
	cJSON_Delete(rep);
	cJSON_Delete(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkce_sign_in_refuses_forged_state_then_refreshes_with_rotation),
		cmocka_unit_test(test_s2s_token_is_cached_and_wrong_secret_says_what_to_fix),
		cmocka_unit_test(test_published_meetings_go_to_trash_once_and_never_before),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
