/*
 * test_net_stage.c — the publish stage end to end on a real store and vault
 * against the fakes: YouTube, VK and folder in parallel with VK failing
 * permanently (the others stay published, the recording says which target
 * failed and why, a retry republishes only VK); tokens in the database are
 * ciphertext only; a process killed mid-upload resumes from the
 * acknowledged byte after restart with a byte-identical result and one video;
 * a stop asked mid-upload aborts it and the next run resumes the session.
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
#include "pipeline.h"
#include "stages.h"
#include "store.h"
#include "util.h"
#include "vault.h"
#include "net_fake.h"

static const struct stage_def publish_only[] = {
	{ "publish", ST_TRANSCRIBED, ST_UPLOADING, ST_READY, stage_publish },
	{ NULL, 0, 0, 0, NULL },
};

static struct net_fake google, vk;
static char dir[256], db[300], keyp[300];
static struct http_client *aux;
static cJSON *cfg;
static struct store *st;
static struct vault *vault;
static int64_t tenant;

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
	http_response_free(&r);
	free(u);
	return j;
}

/* Sign in as a browser would and keep the tokens in the vault. */
static void
connect_account(const char *name)
{
	struct oauth_provider p;
	struct zpub_err err = {0};
	char verifier[64], challenge[64], state[64];
	struct http_response r = {0};
	const char *redirect = "http://127.0.0.1:9/callback";
	assert_int_equal(oauth_provider_init(&p, cfg, name,
	    strcmp(name, "youtube") == 0 ? "gsecret" : NULL, &err), 0);
	oauth_pkce_new(verifier, challenge);
	oauth_state_new(state);
	char *url = oauth_authorize_url(&p, redirect, state, challenge);
	struct http_request req = {.url = url};
	assert_int_equal(http_do(aux, &req, &r, &err), 0);
	char *code = NULL, *dev = NULL;
	assert_int_equal(oauth_callback_check(&p, strchr(r.location, '?') + 1, state, &code,
	    &dev, &err), 0);
	struct oauth_tokens t;
	assert_int_equal(oauth_exchange(aux, &p, code, verifier, redirect, dev, state, &t, &err), 0);
	char *json = oauth_tokens_to_json(&t);
	char vname[64];
	snprintf(vname, sizeof vname, "oauth.%s", name);
	assert_int_equal(vault_put(vault, tenant, vname, json, strlen(json), t.expires_at_ms, &err), 0);
	free(json);
	oauth_tokens_clear(&t);
	free(code);
	free(dev);
	free(url);
	http_response_free(&r);
	oauth_provider_clear(&p);
}

static int
setup(void **s)
{
	(void)s;
	struct zpub_err err = {0};
	snprintf(dir, sizeof dir, "/tmp/zpub-test-net-stage-%d", (int)getpid());
	fs_remove_tree(dir);
	fs_mkdir_p(dir, 0700, NULL);
	snprintf(db, sizeof db, "%s/zpub.db", dir);
	snprintf(keyp, sizeof keyp, "%s/vault.key", dir);
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
	set(cfg, "publish.folder.path", "\"%s/published\"", dir);
	config_set(cfg, "publish.chunk_bytes", "1048576", NULL);
	config_set(cfg, "publish.backoff_base_ms", "50", NULL);
	config_set(cfg, "output_targets", "{\"youtube\":{\"privacy\":\"unlisted\","
	    "\"playlist\":\"PL1\"},\"vk\":{\"group\":\"club777\"},\"folder\":{}}", NULL);
	if (store_open(db, dir, &st, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	if (store_tenant_id(st, "default", &tenant, &err) != 0 &&
	    store_tenant_add(st, "default", &tenant, &err) != 0)
		return -1;
	if (vault_open(st, keyp, &vault, &err) != 0)
		return -1;
	vault_put(vault, tenant, "google.client_secret", "gsecret", 7, 0, &err);
	connect_account("youtube");
	connect_account("vk");
	return 0;
}

static int
teardown(void **s)
{
	(void)s;
	vault_close(vault);
	store_close(st);
	cJSON_Delete(cfg);
	http_client_free(aux);
	net_fake_stop(&google);
	net_fake_stop(&vk);
	fs_remove_tree(dir);
	return 0;
}

static void
add_artifact(int64_t rec, const char *kind, const char *path, const char *extra)
{
	struct stage_artifact a = {0};
	struct zpub_err err = {0};
	a.kind = (char *)kind;
	a.path = (char *)path;
	a.bytes = fs_size(path);
	assert_int_equal(fs_sha256(path, a.sha256, &err), 0);
	a.extra = extra ? cJSON_Parse(extra) : NULL;
	assert_int_equal(store_artifact_add(st, rec, &a, &err), 0);
	cJSON_Delete(a.extra);
}

/* A TRANSCRIBED recording with a cut video of `size` bytes, subtitles,
 * a description and a thumbnail. */
static int64_t
make_recording(const char *ref, int64_t size, char sha[65])
{
	struct store_recording in = {0};
	struct zpub_err err = {0};
	int64_t id;
	in.tenant_id = tenant;
	in.source = "local";
	in.source_ref = (char *)ref;
	in.title = "Лекция 3";
	in.status = ST_TRANSCRIBED;
	assert_int_equal(store_recording_add(st, &in, &id, &err), 0);
	char *md = pipeline_media_dir(dir, "default", id);
	fs_mkdir_p(md, 0700, NULL);
	char *video = xasprintf("%s/cut.mp4", md), *vtt = xasprintf("%s/ru.vtt", md);
	char *desc = xasprintf("%s/description.txt", md), *th = xasprintf("%s/thumb_0.jpg", md);
	unsigned char *buf = malloc((size_t)size);
	uint32_t x = (uint32_t)id * 7919u;
	for (int64_t i = 0; i < size; i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (unsigned char)(x >> 16);
	}
	assert_int_equal(fs_write_atomic(video, buf, (size_t)size, 0600, &err), 0);
	free(buf);
	fs_sha256(video, sha, &err);
	const char *v = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nПривет\n";
	fs_write_atomic(vtt, v, strlen(v), 0600, &err);
	const char *d = "Лекция о главном\n\n00:00 Введение\n";
	fs_write_atomic(desc, d, strlen(d), 0600, &err);
	fs_write_atomic(th, "\xff\xd8\xff\xe0jpeg", 8, 0600, &err);
	add_artifact(id, "cut_video", video, NULL);
	add_artifact(id, "vtt", vtt, "{\"language\":\"ru\",\"format\":\"vtt\"}");
	add_artifact(id, "description", desc, NULL);
	add_artifact(id, "thumbnail", th, NULL);
	free(video); free(vtt); free(desc); free(th); free(md);
	return id;
}

static int
run_publish(int64_t id, const char *owner, struct zpub_err *err)
{
	struct pipeline_opts po = { .until = ST_READY, .owner = owner, .lease_ms = 60000,
	    .stages = publish_only, .key_path = keyp };
	return pipeline_run(st, cfg, dir, id, &po, err);
}

static struct store_publication *
pub_of(struct store_publication *v, int n, const char *platform)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].platform, platform) == 0)
			return &v[i];
	return NULL;
}

static int
file_contains(const char *path, const char *needle)
{
	char *buf = NULL;
	size_t len = 0;
	struct zpub_err err;
	if (fs_read_all(path, &buf, &len, &err) != 0)
		return 0;
	int found = memmem(buf, len, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

static void
test_parallel_with_failing_target(void **s)
{
	(void)s;
	struct zpub_err err = {0};
	char sha[65], owner[128], host[64] = "";
	gethostname(host, sizeof host - 1);
	snprintf(owner, sizeof owner, "test@%s:%d", host, (int)getpid());
	int64_t id = make_recording("lec3", 2 * 1024 * 1024 + 777, sha);

	/* VK refuses every video.save: 15 access denied (permanent) */
	post_json(vk.base, "/_faults", "{\"errors\":{\"video.save\":[15]}}");
	assert_int_not_equal(run_publish(id, owner, &err), 0);
	assert_non_null(strstr(err.msg, "vk"));
	struct store_recording *rec = NULL;
	assert_int_equal(store_recording_get(st, id, &rec, &err), 0);
	assert_int_equal(rec->status, ST_FAILED);
	assert_non_null(strstr(rec->detail, "VK refused"));
	store_recording_free(rec);

	struct store_publication *v = NULL;
	int n = 0;
	assert_int_equal(store_publications(st, id, &v, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(pub_of(v, n, "youtube")->state, "done");
	assert_string_equal(pub_of(v, n, "folder")->state, "done");
	assert_string_equal(pub_of(v, n, "vk")->state, "failed");
	assert_non_null(strstr(pub_of(v, n, "vk")->error, "error 15"));
	assert_non_null(strstr(pub_of(v, n, "youtube")->url, "youtube.com/watch?v="));
	char *folder = xstrdup(pub_of(v, n, "folder")->remote_id);
	store_publications_free(v, n);

	/* the folder target holds everything, atomically placed */
	char *p = xasprintf("%s/video.mp4", folder);
	char fsha[65];
	assert_int_equal(fs_sha256(p, fsha, &err), 0);
	assert_string_equal(fsha, sha);
	free(p);
	p = xasprintf("%s/metadata.json", folder);
	assert_true(file_contains(p, "Лекция 3"));
	free(p);
	p = xasprintf("%s/subtitles.ru.vtt", folder);
	assert_true(fs_exists(p));
	free(p);
	p = xasprintf("%s/description.txt", folder);
	assert_true(file_contains(p, "00:00 Введение"));
	free(p);
	free(folder);

	cJSON *g = get_state(&google);
	int inserts = cJSON_GetObjectItem(g, "insert_count")->valueint;
	int videos = cJSON_GetArraySize(cJSON_GetObjectItem(g, "videos"));
	/* tokens in the database are ciphertext only */
	const cJSON *tok;
	cJSON_ArrayForEach(tok, cJSON_GetObjectItem(g, "issued_tokens"))
		assert_false(file_contains(db, tok->valuestring));
	assert_false(file_contains(db, "gsecret"));
	cJSON_Delete(g);

	/* retry: only VK is published now; YouTube is not touched again */
	assert_int_equal(store_recording_retry(st, id, &err), 0);
	assert_int_equal(run_publish(id, owner, &err), 0);
	assert_int_equal(store_recording_get(st, id, &rec, &err), 0);
	assert_int_equal(rec->status, ST_READY);
	store_recording_free(rec);
	assert_int_equal(store_publications(st, id, &v, &n, &err), 0);
	assert_string_equal(pub_of(v, n, "vk")->state, "done");
	assert_string_equal(pub_of(v, n, "vk")->url, "https://vk.com/video-777_456001");
	store_publications_free(v, n);
	g = get_state(&google);
	assert_int_equal(cJSON_GetObjectItem(g, "insert_count")->valueint, inserts);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(g, "videos")), videos);
	cJSON_Delete(g);
	cJSON *k = get_state(&vk);
	const cJSON *kv = cJSON_GetArrayItem(cJSON_GetObjectItem(k, "videos"), 0);
	assert_string_equal(cJSON_GetObjectItem(kv, "sha256")->valuestring, sha);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(k, "videos")), 1);
	cJSON_Delete(k);
}

static int64_t
session_received(void)
{
	cJSON *g = get_state(&google);
	int64_t best = 0;
	const cJSON *sess;
	cJSON_ArrayForEach(sess, cJSON_GetObjectItem(g, "sessions")) {
		const cJSON *done = cJSON_GetObjectItem(sess, "done");
		int64_t r = (int64_t)cJSON_GetObjectItem(sess, "received")->valuedouble;
		if (!cJSON_IsTrue(done) && r > best)
			best = r;
	}
	cJSON_Delete(g);
	return best;
}

static void
test_kill_mid_upload_then_resume(void **s)
{
	(void)s;
	struct zpub_err err = {0};
	char sha[65], host[64] = "", owner[128];
	gethostname(host, sizeof host - 1);
	int64_t size = 8 * 1024 * 1024 + 4321;
	int64_t id = make_recording("lec4", size, sha);
	cJSON *only_yt = cJSON_Duplicate(cfg, 1);
	config_set(only_yt, "publish.to", "youtube", NULL);
	cJSON *saved = cfg;
	cfg = only_yt;
	post_json(google.base, "/_faults", "{\"put_delay\": 0.15, \"drop_at\": [5500000]}");

	pid_t child = fork();
	if (child == 0) {
		/* the "first process": its own store connection */
		struct store *cst = NULL;
		struct zpub_err e = {0};
		char o[128];
		snprintf(o, sizeof o, "test@%s:%d", host, (int)getpid());
		if (store_open(db, dir, &cst, &e) != 0)
			_exit(3);
		st = cst;
		run_publish(id, o, &e);
		_exit(0);
	}
	/* kill it once a few chunks are in */
	int64_t t0 = time_mono_ms();
	while (session_received() < 3 * 1024 * 1024 && time_mono_ms() - t0 < 20000)
		usleep(50000);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	int64_t at_kill = session_received();
	assert_true(at_kill >= 3 * 1024 * 1024);
	assert_true(at_kill < size);

	/* what the dead process saved: the session and an acknowledged offset */
	struct store_publication *v = NULL;
	int n = 0;
	assert_int_equal(store_publications(st, id, &v, &n, &err), 0);
	struct store_publication *yp = pub_of(v, n, "youtube");
	assert_non_null(yp->upload_url);
	assert_true(yp->bytes_acked > 0);
	assert_true(yp->bytes_acked <= at_kill);
	store_publications_free(v, n);

	/* restart: the lease of the dead owner is taken over, the upload resumes */
	post_json(google.base, "/_faults", "{\"put_delay\": 0}");
	snprintf(owner, sizeof owner, "test@%s:%d", host, (int)getpid());
	cJSON *g0 = get_state(&google);
	int inserts = cJSON_GetObjectItem(g0, "insert_count")->valueint;
	cJSON_Delete(g0);
	int rc = run_publish(id, owner, &err);
	if (rc != 0) {
		cJSON *dbg = get_state(&google);
		char *txt = cJSON_PrintUnformatted(cJSON_GetObjectItem(dbg, "log"));
		fprintf(stderr, "resume failed: %s\nfake log: %s\n", err.msg, txt);
		free(txt);
		cJSON_Delete(dbg);
	}
	assert_int_equal(rc, 0);
	cJSON *g = get_state(&google);
	assert_int_equal(cJSON_GetObjectItem(g, "insert_count")->valueint, inserts); /* same session */
	int same = 0;
	const cJSON *vid;
	cJSON_ArrayForEach(vid, cJSON_GetObjectItem(g, "videos"))
		same += strcmp(cJSON_GetObjectItem(vid, "sha256")->valuestring, sha) == 0;
	assert_int_equal(same, 1);
	/* the resumed run started with a status query; at most one chunk was
	 * out of step (the dead process's last chunk may land after that query)
	 * and a second query put it right */
	int queries = 0, bad = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(g, "log")) {
		queries += cJSON_GetObjectItem(e, "status_query") != NULL;
		bad += cJSON_GetObjectItem(e, "bad_range") != NULL;
	}
	assert_true(queries >= 1 + bad);
	assert_true(bad <= 1);
	cJSON_Delete(g);
	cfg = saved;
	cJSON_Delete(only_yt);
}

/* A person's stop mid-upload (from another process, through the store):
 * the uploading process aborts the transfer at once, the recording is back
 * at TRANSCRIBED with the session kept, and the next run resumes the same
 * session to one video. */
static void
test_stop_mid_upload_then_resume(void **s)
{
	(void)s;
	struct zpub_err err = {0};
	char sha[65], host[64] = "", owner[128];
	gethostname(host, sizeof host - 1);
	int64_t size = 8 * 1024 * 1024 + 99;
	int64_t id = make_recording("lec5", size, sha);
	cJSON *only_yt = cJSON_Duplicate(cfg, 1);
	config_set(only_yt, "publish.to", "youtube", NULL);
	cJSON *saved = cfg;
	cfg = only_yt;
	post_json(google.base, "/_faults", "{\"put_delay\": 0.3}");
	cJSON *g0 = get_state(&google);
	int inserts = cJSON_GetObjectItem(g0, "insert_count")->valueint;
	cJSON_Delete(g0);

	pid_t child = fork();
	if (child == 0) {
		struct store *cst = NULL;
		struct zpub_err e = {0};
		char o[128];
		snprintf(o, sizeof o, "test@%s:%d", host, (int)getpid());
		if (store_open(db, dir, &cst, &e) != 0)
			_exit(3);
		st = cst;
		int rc = run_publish(id, o, &e);
		_exit(rc == ZPUB_ECANCEL && strstr(e.msg, "publish stopped by cli:alice") ? 0 : 4);
	}
	int64_t t0 = time_mono_ms();
	while (session_received() < 2 * 1024 * 1024 && time_mono_ms() - t0 < 20000)
		usleep(50000);
	int live = 0, status = 0;
	assert_int_equal(store_stop_request(st, tenant, id, "cli:alice", &live, &err), 0);
	assert_int_equal(live, 1);
	int64_t asked = time_mono_ms();
	waitpid(child, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(time_mono_ms() - asked < 5000);
	assert_true(session_received() < size);
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(st, id, &r, &err), 0);
	assert_int_equal(r->status, ST_TRANSCRIBED);
	assert_null(r->lease_owner);
	assert_string_equal(r->stop_by, "cli:alice");
	store_recording_free(r);

	post_json(google.base, "/_faults", "{\"put_delay\": 0}");
	snprintf(owner, sizeof owner, "test@%s:%d", host, (int)getpid());
	struct pipeline_opts po = { .until = ST_READY, .owner = owner, .lease_ms = 60000,
	    .stages = publish_only, .key_path = keyp, .resume_stopped = 1 };
	int rc = pipeline_run(st, cfg, dir, id, &po, &err);
	if (rc != 0)
		fprintf(stderr, "resume after the stop failed: %s\n", err.msg);
	assert_int_equal(rc, 0);
	cJSON *g = get_state(&google);
	assert_int_equal(cJSON_GetObjectItem(g, "insert_count")->valueint, inserts + 1);
	int same = 0;
	const cJSON *vid;
	cJSON_ArrayForEach(vid, cJSON_GetObjectItem(g, "videos"))
		same += strcmp(cJSON_GetObjectItem(vid, "sha256")->valuestring, sha) == 0;
	assert_int_equal(same, 1);
	cJSON_Delete(g);
	cfg = saved;
	cJSON_Delete(only_yt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parallel_with_failing_target),
		cmocka_unit_test(test_kill_mid_upload_then_resume),
		cmocka_unit_test(test_stop_mid_upload_then_resume),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
