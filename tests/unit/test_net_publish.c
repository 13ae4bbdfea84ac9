/*
 * test_net_publish.c — the YouTube and VK publishers against the fakes:
 * byte-identical resumable uploads through dropped connections, 5xx, 429,
 * expired sessions and a resumed session after a "crash"; quota stops with
 * a retry time; a 401 refreshes the token once; VK errors in HTTP 200
 * bodies; both platforms in parallel on one loop; what an update finds
 * changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "http.h"
#include "oauth.h"
#include "publish.h"
#include "util.h"
#include "net_fake.h"

static struct net_fake google, vk;
static char dir[256], video[300], vtt[300], thumb[300], want_sha[65];
static int64_t video_size = 3 * 1024 * 1024 + 12345;

/* ---- fixtures -------------------------------------------------------------------- */

struct memstore {
	char *json;
	char state[32];
};

static int
ms_load(void *ud, const char *provider, char **json, struct zpub_err *err)
{
	struct memstore *m = ud;
	(void)provider;
	if (m->json == NULL)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "none");
	*json = xstrdup(m->json);
	return 0;
}

static int
ms_save(void *ud, const char *provider, const char *json, int64_t exp, struct zpub_err *err)
{
	struct memstore *m = ud;
	(void)provider; (void)exp; (void)err;
	free(m->json);
	m->json = xstrdup(json);
	return 0;
}

static int
ms_mark(void *ud, const char *provider, const char *state, struct zpub_err *err)
{
	struct memstore *m = ud;
	(void)provider; (void)err;
	snprintf(m->state, sizeof m->state, "%s", state);
	return 0;
}

static struct http_client *aux;
static struct memstore yt_tokens, vk_tokens;
static struct oauth_provider yt_prov, vk_prov;
static cJSON *cfg;

static void __attribute__((format(printf, 3, 4)))
set(cJSON *c, const char *key, const char *fmt, ...)
{
	char s[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof s, fmt, ap);
	va_end(ap);
	config_set(c, key, s, NULL);
}

static void
post_json(const char *base, const char *path, const char *json)
{
	struct http_response r = {0};
	struct zpub_err err;
	char *u = xasprintf("%s%s", base, path);
	struct http_request req = {.method = "POST", .url = u, .body = json,
	    .body_len = strlen(json), .content_type = "application/json"};
	assert_int_equal(http_do(aux, &req, &r, &err), 0);
	assert_int_equal(r.status, 200);
	http_response_free(&r);
	free(u);
}

static cJSON *
get_state(const struct net_fake *f)
{
	struct http_response r = {0};
	struct zpub_err err;
	char *u = xasprintf("%s/_state", f->base);
	struct http_request req = {.url = u};
	assert_int_equal(http_do(aux, &req, &r, &err), 0);
	cJSON *j = cJSON_Parse(r.body);
	assert_non_null(j);
	http_response_free(&r);
	free(u);
	return j;
}

/* Signs in the way a browser would, without the listener: authorize on the
 * fake, take the code from the redirect, exchange it. */
static void
sign_in(const struct oauth_provider *p, struct memstore *ms)
{
	char verifier[64], challenge[64], state[64];
	struct http_response r = {0};
	struct zpub_err err = {0};
	const char *redirect = "http://127.0.0.1:9/callback";
	oauth_pkce_new(verifier, challenge);
	oauth_state_new(state);
	char *url = oauth_authorize_url(p, redirect, state, challenge);
	struct http_request req = {.url = url};
	assert_int_equal(http_do(aux, &req, &r, &err), 0);
	assert_int_equal(r.status, 302);
	char *q = strchr(r.location, '?');
	char *code = NULL, *dev = NULL;
	assert_int_equal(oauth_callback_check(p, q + 1, state, &code, &dev, &err), 0);
	struct oauth_tokens t;
	assert_int_equal(oauth_exchange(aux, p, code, verifier, redirect, dev, state, &t, &err), 0);
	char *json = oauth_tokens_to_json(&t);
	free(ms->json);
	ms->json = json;
	oauth_tokens_clear(&t);
	free(code);
	free(dev);
	free(url);
	http_response_free(&r);
}

static int
setup(void **st)
{
	(void)st;
	struct zpub_err err = {0};
	snprintf(dir, sizeof dir, "/tmp/zpub-test-net-publish-%d", (int)getpid());
	fs_mkdir_p(dir, 0700, NULL);
	snprintf(video, sizeof video, "%s/cut.mp4", dir);
	snprintf(vtt, sizeof vtt, "%s/ru.vtt", dir);
	snprintf(thumb, sizeof thumb, "%s/thumb.jpg", dir);
	unsigned char *buf = malloc((size_t)video_size);
	uint32_t x = 12345;
	for (int64_t i = 0; i < video_size; i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (unsigned char)(x >> 16);
	}
	fs_write_atomic(video, buf, (size_t)video_size, 0600, &err);
	free(buf);
	fs_sha256(video, want_sha, &err);
	const char *v = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nПривет\n";
	fs_write_atomic(vtt, v, strlen(v), 0600, &err);
	fs_write_atomic(thumb, "\xff\xd8\xff\xe0jpegdata", 12, 0600, &err);

	if (net_fake_start(&google, "fake_google.py", NULL) != 0 ||
	    net_fake_start(&vk, "fake_vk.py", NULL) != 0)
		return -1;
	aux = http_client_new();
	cfg = config_defaults();
	set(cfg, "providers.google.auth_url", "\"%s/o/oauth2/v2/auth\"", google.base);
	set(cfg, "providers.google.token_url", "\"%s/token\"", google.base);
	set(cfg, "providers.google.client_id", "\"%s\"", "cid");
	set(cfg, "providers.youtube.api_base", "\"%s/youtube/v3\"", google.base);
	set(cfg, "providers.youtube.upload_base", "\"%s/upload/youtube/v3\"", google.base);
	set(cfg, "providers.vk.oauth_base", "\"%s\"", vk.base);
	set(cfg, "providers.vk.api_base", "\"%s/method\"", vk.base);
	set(cfg, "providers.vk.client_id", "\"%s\"", "51234567");
	config_set(cfg, "publish.chunk_bytes", "1048576", NULL);
	config_set(cfg, "publish.backoff_base_ms", "50", NULL);
	config_set(cfg, "publish.backoff_cap_ms", "200", NULL);
	if (oauth_provider_init(&yt_prov, cfg, "youtube", "secret", &err) != 0 ||
	    oauth_provider_init(&vk_prov, cfg, "vk", NULL, &err) != 0)
		return -1;
	sign_in(&yt_prov, &yt_tokens);
	sign_in(&vk_prov, &vk_tokens);
	return 0;
}

static int
teardown(void **st)
{
	(void)st;
	oauth_provider_clear(&yt_prov);
	oauth_provider_clear(&vk_prov);
	free(yt_tokens.json);
	free(vk_tokens.json);
	http_client_free(aux);
	cJSON_Delete(cfg);
	net_fake_stop(&google);
	net_fake_stop(&vk);
	fs_remove_tree(dir);
	return 0;
}

/* ---- one target's run -------------------------------------------------------------- */

struct run {
	struct pub_state st;
	int done, rc, saves, saves_before_bytes;
	int64_t retry_at;
	struct zpub_err err;
	int first_save_had_url;
	struct oauth_provider *prov;
	struct memstore *tokens;
	int refreshes;
};

static int
h_token(void *ud, int force, char **token, struct zpub_err *err)
{
	struct run *r = ud;
	struct oauth_store os = {ms_load, ms_save, ms_mark, r->tokens};
	r->refreshes += force;
	return oauth_access_token(aux, r->prov, &os, force, token, err);
}

static int
h_save(void *ud, const struct pub_state *st, const char *phase, struct zpub_err *err)
{
	struct run *r = ud;
	(void)phase; (void)err;
	if (r->saves++ == 0)
		r->first_save_had_url = st->upload_url != NULL && st->bytes_acked == 0;
	return 0;
}

static void
h_done(void *ud, int rc, const struct zpub_err *err, int64_t retry_at)
{
	struct run *r = ud;
	r->done++;
	r->rc = rc;
	r->retry_at = retry_at;
	if (err)
		r->err = *err;
}

static struct pub_caption caps[] = {{NULL, "ru", "Русский"}};

static void
item_for(struct pub_item *it, cJSON *target, cJSON *c)
{
	caps[0].path = vtt;
	memset(it, 0, sizeof *it);
	it->video_path = video;
	it->title = "Лекция 3: <введение>";
	it->description = "Описание\n00:00 Начало";
	it->captions = caps;
	it->n_captions = 1;
	it->thumbnail_path = thumb;
	it->target = target;
	it->config = c ? c : cfg;
	it->label = "'Лекция 3' (recording 1)";
}

static void
run_yt(struct run *r, cJSON *target, cJSON *c)
{
	struct http_client *h = http_client_new();
	struct pub_item it;
	struct yt_job *j = NULL;
	struct pub_hooks hooks = {h_token, h_save, NULL, h_done, r, NULL};
	struct zpub_err err = {0};
	item_for(&it, target, c);
	r->prov = &yt_prov;
	r->tokens = &yt_tokens;
	r->done = 0;
	assert_int_equal(yt_job_start(h, &it, &r->st, &hooks, &j, &err), 0);
	http_client_run(h);
	assert_int_equal(r->done, 1);
	if (r->rc != 0)
		fprintf(stderr, "yt: %s\n", r->err.msg);
	yt_job_free(j);
	http_client_free(h);
}

static int
count_videos_with_sha(const cJSON *st, const char *sha)
{
	int n = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, cJSON_GetObjectItem(st, "videos"))
		if (strcmp(cJSON_GetObjectItem(v, "sha256")->valuestring, sha) == 0)
			n++;
	return n;
}

/* ---- tests ------------------------------------------------------------------------- */

static void
test_quota_clock(void **s)
{
	(void)s;
	/* November: PST (UTC-8) */
	assert_int_equal(yt_quota_reset_ms(time_parse_iso("2026-11-25T13:00:00Z")),
	    time_parse_iso("2026-11-26T08:00:00Z"));
	/* July: PDT (UTC-7) */
	assert_int_equal(yt_quota_reset_ms(time_parse_iso("2026-07-01T12:00:00Z")),
	    time_parse_iso("2026-07-02T07:00:00Z"));
	/* just before local midnight */
	assert_int_equal(yt_quota_reset_ms(time_parse_iso("2026-11-26T07:59:00Z")),
	    time_parse_iso("2026-11-26T08:00:00Z"));
}

static void
test_video_json(void **s)
{
	(void)s;
	struct pub_item it;
	cJSON *t = cJSON_Parse("{\"privacy\":\"unlisted\",\"category\":27,"
	    "\"publish_at\":\"2026-12-01T10:00:00Z\"}");
	item_for(&it, t, NULL);
	char *json = yt_video_json(&it);
	cJSON *j = cJSON_Parse(json);
	const cJSON *sn = cJSON_GetObjectItem(j, "snippet");
	const cJSON *stt = cJSON_GetObjectItem(j, "status");
	assert_string_equal(cJSON_GetObjectItem(sn, "title")->valuestring, "Лекция 3: введение");
	assert_string_equal(cJSON_GetObjectItem(sn, "categoryId")->valuestring, "27");
	/* publishAt forces private */
	assert_string_equal(cJSON_GetObjectItem(stt, "privacyStatus")->valuestring, "private");
	assert_string_equal(cJSON_GetObjectItem(stt, "publishAt")->valuestring, "2026-12-01T10:00:00Z");
	cJSON_Delete(j);
	free(json);
	/* long titles are cut to 100 characters (not bytes) */
	char longt[400] = "";
	for (int i = 0; i < 120; i++)
		strcat(longt, "я");
	it.title = longt;
	json = yt_video_json(&it);
	j = cJSON_Parse(json);
	assert_int_equal(utf8_len(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "snippet"),
	    "title")->valuestring), 100);
	cJSON_Delete(j);
	free(json);
	cJSON_Delete(t);
}

static void
test_yt_full_with_faults(void **s)
{
	(void)s;
	/* drops inside chunks, a 503, a 429 with Retry-After */
	post_json(google.base, "/_faults", "{\"drop_at\":[300000, 1500000, 2800001],"
	    "\"fail_put\":[3], \"ratelimit_put\":[6]}");
	cJSON *before = get_state(&google);
	int inserts0 = cJSON_GetObjectItem(before, "insert_count")->valueint;
	cJSON_Delete(before);
	cJSON *target = cJSON_Parse("{\"privacy\":\"unlisted\",\"playlist\":\"PL123\"}");
	struct run r = {0};
	run_yt(&r, target, NULL);
	assert_int_equal(r.rc, 0);
	assert_true(r.first_save_had_url); /* the session URL was kept before any byte */
	assert_non_null(r.st.remote_id);
	assert_non_null(strstr(r.st.url, r.st.remote_id));
	assert_int_equal(r.st.bytes_acked, video_size);
	cJSON *st = get_state(&google);
	assert_int_equal(count_videos_with_sha(st, want_sha), 1);
	assert_int_equal(cJSON_GetObjectItem(st, "insert_count")->valueint, inserts0 + 1);
	int drops = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st, "log")) {
		if (cJSON_GetObjectItem(e, "dropped_at"))
			drops++;
		assert_null(cJSON_GetObjectItem(e, "bad_range"));
	}
	assert_int_equal(drops, 3);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "captions")), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "playlist_items")), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "thumbnails")), 1);
	const cJSON *cap = cJSON_GetArrayItem(cJSON_GetObjectItem(st, "captions"), 0);
	assert_string_equal(cJSON_GetObjectItem(cap, "language")->valuestring, "ru");
	cJSON_Delete(st);

	/* running again with the saved state publishes nothing new */
	struct run again = {0};
	again.st = r.st;
	memset(&r.st, 0, sizeof r.st);
	run_yt(&again, target, NULL);
	assert_int_equal(again.rc, 0);
	st = get_state(&google);
	assert_int_equal(count_videos_with_sha(st, want_sha), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "captions")), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "playlist_items")), 1);
	assert_int_equal(cJSON_GetObjectItem(st, "insert_count")->valueint, inserts0 + 1);
	cJSON_Delete(st);
	pub_state_clear(&again.st);
	cJSON_Delete(target);
	/* clear the videos for later tests by comparing counts */
}

static void
test_yt_resume_after_crash(void **s)
{
	(void)s;
	cJSON *st0 = get_state(&google);
	int videos0 = count_videos_with_sha(st0, want_sha);
	int puts0 = cJSON_GetObjectItem(st0, "put_count")->valueint;
	cJSON_Delete(st0);
	/* first run gives up after one failure: 2nd and 3rd PUTs fail */
	char faults[128];
	snprintf(faults, sizeof faults, "{\"fail_put\":[%d,%d]}", puts0 + 2, puts0 + 3);
	post_json(google.base, "/_faults", faults);
	cJSON *c1 = cJSON_Duplicate(cfg, 1);
	config_set(c1, "publish.max_attempts", "1", NULL);
	cJSON *target = cJSON_Parse("{}");
	struct run r = {0};
	run_yt(&r, target, c1);
	assert_int_equal(r.rc, ZPUB_ENET);
	assert_non_null(r.st.upload_url);
	assert_null(r.st.remote_id);
	assert_int_equal(r.st.bytes_acked, 1048576); /* one chunk went through */
	assert_non_null(strstr(r.err.msg, "1048576"));

	/* the "restarted process": same saved state, new job: asks, then continues */
	struct run r2 = {0};
	r2.st = r.st;
	memset(&r.st, 0, sizeof r.st);
	pub_step_done(&r2.st, "thumbnail", "set"); /* follow-ups are not the point here */
	pub_step_done(&r2.st, "caption.ru", "x");
	run_yt(&r2, target, NULL);
	assert_int_equal(r2.rc, 0);
	cJSON *st = get_state(&google);
	assert_int_equal(count_videos_with_sha(st, want_sha), videos0 + 1);
	/* the resumed run began with a status query */
	int saw_query = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(st, "log"))
		if (cJSON_GetObjectItem(e, "status_query"))
			saw_query = 1;
	assert_true(saw_query);
	cJSON_Delete(st);
	pub_state_clear(&r2.st);
	cJSON_Delete(target);
	cJSON_Delete(c1);
}

static void
test_yt_expired_session_and_401(void **s)
{
	(void)s;
	cJSON *st0 = get_state(&google);
	int videos0 = count_videos_with_sha(st0, want_sha);
	cJSON_Delete(st0);
	/* a session from "yesterday" that the server no longer knows */
	struct run r = {0};
	char *stale = xasprintf("%s/upload/youtube/v3/videos?uploadType=resumable&upload_id=gone",
	    google.base);
	r.st.upload_url = stale;
	r.st.bytes_acked = 262144;
	r.st.bytes_total = video_size;
	/* and an access token that stops working after 3 calls */
	post_json(google.base, "/_faults", "{\"expire_token_after\": 3}");
	cJSON *target = cJSON_Parse("{}");
	run_yt(&r, target, NULL);
	post_json(google.base, "/_faults", "{\"expire_token_after\": null}");
	assert_int_equal(r.rc, 0);
	assert_true(r.refreshes >= 1);
	cJSON *st = get_state(&google);
	assert_int_equal(count_videos_with_sha(st, want_sha), videos0 + 1);
	cJSON_Delete(st);
	pub_state_clear(&r.st);
	cJSON_Delete(target);
}

static void
test_yt_quota(void **s)
{
	(void)s;
	post_json(google.base, "/_faults", "{\"quota\": \"insert\"}");
	cJSON *target = cJSON_Parse("{}");
	struct run r = {0};
	int64_t t0 = time_mono_ms();
	run_yt(&r, target, NULL);
	assert_int_equal(r.rc, ZPUB_EQUOTA);
	assert_true(time_mono_ms() - t0 < 2000); /* no retry loop */
	assert_true(r.retry_at > time_now_ms());
	assert_true(r.retry_at <= time_now_ms() + 25LL * 3600000);
	assert_non_null(strstr(r.err.msg, "quotaExceeded"));
	pub_state_clear(&r.st);

	post_json(google.base, "/_faults", "{\"quota\": null, \"upload_limit\": true}");
	struct run r2 = {0};
	run_yt(&r2, target, NULL);
	assert_int_equal(r2.rc, ZPUB_EQUOTA);
	assert_non_null(strstr(r2.err.msg, "uploadLimitExceeded"));
	pub_state_clear(&r2.st);
	post_json(google.base, "/_faults", "{\"upload_limit\": false}");

	/* a revoked account: the 401 refresh fails with invalid_grant */
	post_json(google.base, "/_faults", "{\"expire_token_after\": 0, \"invalid_grant\": true}");
	struct run r3 = {0};
	run_yt(&r3, target, NULL);
	assert_int_equal(r3.rc, ZPUB_EAUTH);
	assert_non_null(strstr(r3.err.msg, "reconnect"));
	assert_string_equal(yt_tokens.state, "reconnect");
	pub_state_clear(&r3.st);
	post_json(google.base, "/_faults", "{\"expire_token_after\": null, \"invalid_grant\": false}");
	sign_in(&yt_prov, &yt_tokens);
	cJSON_Delete(target);
}

static void
run_vk(struct run *r, cJSON *target)
{
	struct http_client *h = http_client_new();
	struct pub_item it;
	struct vk_job *j = NULL;
	struct pub_hooks hooks = {h_token, h_save, NULL, h_done, r, NULL};
	struct zpub_err err = {0};
	item_for(&it, target, NULL);
	r->prov = &vk_prov;
	r->tokens = &vk_tokens;
	r->done = 0;
	assert_int_equal(vk_job_start(h, &it, &r->st, &hooks, &j, &err), 0);
	http_client_run(h);
	assert_int_equal(r->done, 1);
	vk_job_free(j);
	http_client_free(h);
}

static void
test_vk(void **s)
{
	(void)s;
	/* 6 = too many requests (backoff), then a dropped upload, then 5 on the album call */
	post_json(vk.base, "/_faults", "{\"errors\":{\"video.save\":[6],"
	    "\"video.addToAlbum\":[5]}, \"drop_upload\": 1}");
	cJSON *target = cJSON_Parse("{\"group\":\"club777\",\"album\":12,\"privacy\":\"all\"}");
	struct run r = {0};
	run_vk(&r, target);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.st.remote_id, "-777_456001");
	assert_string_equal(r.st.url, "https://vk.com/video-777_456001");
	assert_true(r.refreshes >= 1);
	cJSON *st = get_state(&vk);
	const cJSON *v0 = cJSON_GetArrayItem(cJSON_GetObjectItem(st, "videos"), 0);
	assert_string_equal(cJSON_GetObjectItem(v0, "sha256")->valuestring, want_sha);
	assert_string_equal(cJSON_GetObjectItem(v0, "group_id")->valuestring, "777");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(st, "videos")), 1);
	const cJSON *add = cJSON_GetArrayItem(cJSON_GetObjectItem(st, "album_adds"), 0);
	assert_string_equal(cJSON_GetObjectItem(add, "target_id")->valuestring, "-777");
	assert_string_equal(cJSON_GetObjectItem(add, "album_id")->valuestring, "12");
	cJSON_Delete(st);
	pub_state_clear(&r.st);

	/* captcha: stop and ask a person */
	post_json(vk.base, "/_faults", "{\"errors\":{\"video.save\":[14]}}");
	struct run r2 = {0};
	run_vk(&r2, target);
	assert_int_equal(r2.rc, ZPUB_EREMOTE);
	assert_non_null(strstr(r2.err.msg, "captcha"));
	pub_state_clear(&r2.st);

	/* flood control: stop with a retry time, burn no retries */
	post_json(vk.base, "/_faults", "{\"errors\":{\"video.save\":[9]}}");
	struct run r3 = {0};
	run_vk(&r3, target);
	assert_int_equal(r3.rc, ZPUB_EQUOTA);
	assert_true(r3.retry_at > time_now_ms() + 3000000);
	pub_state_clear(&r3.st);

	/* a community token cannot upload */
	post_json(vk.base, "/_faults", "{\"group_token\": true}");
	struct run r4 = {0};
	run_vk(&r4, target);
	assert_int_equal(r4.rc, ZPUB_EAUTH);
	pub_state_clear(&r4.st);
	post_json(vk.base, "/_faults", "{\"group_token\": false}");
	cJSON_Delete(target);
}

static void
test_parallel_one_loop(void **s)
{
	(void)s;
	struct http_client *h = http_client_new();
	struct pub_item yi, vi;
	struct run ry = {0}, rv = {0};
	struct yt_job *yj = NULL;
	struct vk_job *vj = NULL;
	struct pub_hooks hy = {h_token, h_save, NULL, h_done, &ry, NULL};
	struct pub_hooks hv = {h_token, h_save, NULL, h_done, &rv, NULL};
	struct zpub_err err = {0};
	cJSON *yt = cJSON_Parse("{}"), *vt = cJSON_Parse("{}");
	cJSON *st0 = get_state(&google);
	int videos0 = count_videos_with_sha(st0, want_sha);
	cJSON_Delete(st0);
	/* YouTube's PUT answers wait on a drop and a retry; VK must not wait for it */
	post_json(google.base, "/_faults", "{\"ratelimit_put\": [1000000]}");
	item_for(&yi, yt, NULL);
	item_for(&vi, vt, NULL);
	ry.prov = &yt_prov;
	ry.tokens = &yt_tokens;
	rv.prov = &vk_prov;
	rv.tokens = &vk_tokens;
	assert_int_equal(yt_job_start(h, &yi, &ry.st, &hy, &yj, &err), 0);
	assert_int_equal(vk_job_start(h, &vi, &rv.st, &hv, &vj, &err), 0);
	http_client_run(h);
	assert_int_equal(ry.done, 1);
	assert_int_equal(rv.done, 1);
	assert_int_equal(ry.rc, 0);
	assert_int_equal(rv.rc, 0);
	cJSON *st = get_state(&google);
	assert_int_equal(count_videos_with_sha(st, want_sha), videos0 + 1);
	cJSON_Delete(st);
	yt_job_free(yj);
	vk_job_free(vj);
	pub_state_clear(&ry.st);
	pub_state_clear(&rv.st);
	cJSON_Delete(yt);
	cJSON_Delete(vt);
	http_client_free(h);
}

/* What an update sends: only what differs from the fingerprints of what
 * was sent; nothing known sends everything; VK takes only the name and
 * description. */
static void
test_update_diff(void **s)
{
	(void)s;
	struct pub_item it;
	struct pub_diff d;
	struct pub_state st;
	char text[256];
	cJSON *t = cJSON_Parse("{}");
	item_for(&it, t, NULL);
	cJSON *sent = pub_fingerprints(&it);
	assert_non_null(cJSON_GetObjectItem(sent, "thumbnail"));
	assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(sent, "captions"), "ru"));
	assert_int_equal(pub_diff_make(sent, sent, &d), 0);
	pub_diff_text(&d, text, sizeof text);
	assert_string_equal(text, "");

	/* a new chapter list: the description alone */
	it.description = "Описание\n00:00 Начало\n00:30 Итоги";
	cJSON *now = pub_fingerprints(&it);
	assert_int_equal(pub_diff_make(sent, now, &d), PUB_CH_DESCRIPTION);
	pub_diff_text(&d, text, sizeof text);
	assert_string_equal(text, "description");

	/* nothing known: everything, each track too */
	assert_int_equal(pub_diff_make(NULL, now, &d), PUB_CH_META | PUB_CH_THUMBNAIL |
	    PUB_CH_CAPTIONS);
	assert_int_equal(d.n_changed, 1);
	assert_string_equal(d.changed[0], "ru");

	/* a track gone, one new; VK takes none of them */
	static const char *tags[] = {"a", NULL};
	struct pub_caption en = {vtt, "en", "English"};
	it.captions = &en;
	it.tags = tags;
	cJSON_Delete(now);
	now = pub_fingerprints(&it);
	pub_diff_make(sent, now, &d);
	assert_int_equal(d.what, PUB_CH_DESCRIPTION | PUB_CH_TAGS | PUB_CH_CAPTIONS);
	pub_diff_text(&d, text, sizeof text);
	assert_string_equal(text, "description, tags, subtitles en, subtitles ru (removed)");
	assert_int_equal(pub_diff_for("vk", &d), PUB_CH_DESCRIPTION);
	assert_int_equal(d.n_changed + d.n_removed, 0);

	/* each step taken moves one fingerprint: then the rest is all that differs */
	memset(&st, 0, sizeof st);
	st.sent = cJSON_Duplicate(sent, 1);
	pub_sent_take(&st, now, "description");
	pub_sent_take(&st, now, "captions.ru");
	pub_diff_make(st.sent, now, &d);
	assert_int_equal(d.what, PUB_CH_TAGS | PUB_CH_CAPTIONS);
	assert_int_equal(d.n_removed, 0);
	assert_int_equal(d.n_changed, 1);
	pub_state_clear(&st);
	cJSON_Delete(now);
	cJSON_Delete(sent);
	cJSON_Delete(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quota_clock),
		cmocka_unit_test(test_video_json),
		cmocka_unit_test(test_update_diff),
		cmocka_unit_test(test_yt_full_with_faults),
		cmocka_unit_test(test_yt_resume_after_crash),
		cmocka_unit_test(test_yt_expired_session_and_401),
		cmocka_unit_test(test_yt_quota),
		cmocka_unit_test(test_vk),
		cmocka_unit_test(test_parallel_one_loop),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
