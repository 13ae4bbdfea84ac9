/*
 * test_net_http.c — the HTTP client against tests/fakes/fake_http.py:
 * bodies, forms, file ranges, downloads, redirects off/on, concurrency on
 * one loop, the retry policy and Retry-After parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cJSON.h>

#include "http.h"
#include "util.h"
#include "net_fake.h"

static struct net_fake fake;
static char tmpdir[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/zpub-test-net-http-%d", (int)getpid());
	fs_mkdir_p(tmpdir, 0700, NULL);
	return net_fake_start(&fake, "fake_http.py", NULL);
}

static int
teardown(void **state)
{
	(void)state;
	net_fake_stop(&fake);
	fs_remove_tree(tmpdir);
	return 0;
}

static char *
url(const char *path)
{
	return xasprintf("%s%s", fake.base, path);
}

static cJSON *
body_json(const struct http_response *r)
{
	assert_non_null(r->body);
	cJSON *j = cJSON_Parse(r->body);
	assert_non_null(j);
	return j;
}

static void
test_parse_retry_after(void **state)
{
	(void)state;
	int64_t now = time_parse_iso("2015-10-21T07:28:00Z");
	assert_int_equal(http_parse_retry_after("120", now), 120000);
	assert_int_equal(http_parse_retry_after(" 0", now), 0);
	assert_int_equal(http_parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), 30000);
	assert_int_equal(http_parse_retry_after("Wed, 21 Oct 2015 07:20:00 GMT", now), 0);
	assert_int_equal(http_parse_retry_after("2015-10-21T08:28:00Z", now), 3600000);
	assert_int_equal(http_parse_retry_after("soon", now), -1);
	assert_int_equal(http_parse_retry_after("", now), -1);
	assert_int_equal(http_parse_retry_after(NULL, now), -1);
	assert_int_equal(http_parse_retry_after("-5", now), -1);
}

static void
test_helpers(void **state)
{
	(void)state;
	char out[128];
	http_url_redact("https://h/p?access_token=SECRET&x=1", out, sizeof out);
	assert_null(strstr(out, "SECRET"));
	assert_non_null(strstr(out, "https://h/p"));
	char *e = http_urlencode("a b&c=d/é");
	assert_string_equal(e, "a%20b%26c%3Dd%2F%C3%A9");
	free(e);
	const char *kv[] = {"a", "1", "skip", NULL, "b", "x y", NULL};
	char *f = http_form_urlencoded(kv);
	assert_string_equal(f, "a=1&b=x%20y");
	free(f);
	for (int i = 1; i < 12; i++) {
		int64_t d = backoff_ms(i, 1000, 60000);
		int64_t base = 1000LL << (i - 1);
		if (base > 60000)
			base = 60000;
		assert_true(d >= base - base / 4 && d <= base + base / 4 + 1);
	}
	assert_int_equal(http_method_idempotent("POST"), 0);
	assert_int_equal(http_method_idempotent("PUT"), 1);
}

static void
test_get_post_bearer(void **state)
{
	(void)state;
	struct http_client *c = http_client_new();
	struct http_response r = {0};
	struct zpub_err err = {0};
	char *u = url("/echo?q=1");
	const char *hdrs[] = {"X-Test: yes", NULL};
	struct http_request req = {.method = "POST", .url = u, .headers = hdrs,
	    .bearer = "tok123", .body = "hello", .body_len = 5,
	    .content_type = "text/plain"};

	assert_int_equal(http_do(c, &req, &r, &err), 0);
	assert_int_equal(r.status, 200);
	cJSON *j = body_json(&r);
	cJSON *h = cJSON_GetObjectItem(j, "headers");
	assert_string_equal(cJSON_GetObjectItem(j, "method")->valuestring, "POST");
	assert_string_equal(cJSON_GetObjectItem(h, "authorization")->valuestring, "Bearer tok123");
	assert_string_equal(cJSON_GetObjectItem(h, "x-test")->valuestring, "yes");
	assert_string_equal(cJSON_GetObjectItem(h, "content-type")->valuestring, "text/plain");
	assert_int_equal(cJSON_GetObjectItem(j, "length")->valueint, 5);
	assert_string_equal(r.content_type, "application/json");
	cJSON_Delete(j);
	http_response_free(&r);

	/* PUT with an empty body still sends Content-Length: 0 */
	struct http_request put = {.method = "PUT", .url = u};
	assert_int_equal(http_do(c, &put, &r, &err), 0);
	j = body_json(&r);
	h = cJSON_GetObjectItem(j, "headers");
	assert_string_equal(cJSON_GetObjectItem(h, "content-length")->valuestring, "0");
	cJSON_Delete(j);
	http_response_free(&r);
	free(u);
	http_client_free(c);
}

static void
test_file_range_and_form(void **state)
{
	(void)state;
	struct http_client *c = http_client_new();
	struct http_response r = {0};
	struct zpub_err err = {0};
	char *path = xasprintf("%s/data.bin", tmpdir);
	size_t n = 3 * 1000 * 1000;
	unsigned char *buf = malloc(n);
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	assert_int_equal(fs_write_atomic(path, buf, n, 0600, &err), 0);

	/* range 1000..1000+1500000 */
	char *part = xasprintf("%s/part.bin", tmpdir);
	assert_int_equal(fs_write_atomic(part, buf + 1000, 1500000, 0600, &err), 0);
	char want[65];
	assert_int_equal(fs_sha256(part, want, &err), 0);
	char *u = url("/echo");
	struct http_request req = {.method = "PUT", .url = u, .upload_path = path,
	    .upload_offset = 1000, .upload_len = 1500000,
	    .content_type = "application/octet-stream"};
	assert_int_equal(http_do(c, &req, &r, &err), 0);
	cJSON *j = body_json(&r);
	assert_int_equal(cJSON_GetObjectItem(j, "length")->valueint, 1500000);
	assert_string_equal(cJSON_GetObjectItem(j, "sha256")->valuestring, want);
	assert_int_equal(r.bytes_sent, 1500000);
	cJSON_Delete(j);
	http_response_free(&r);

	/* POST of a file range keeps the method */
	req.method = "POST";
	assert_int_equal(http_do(c, &req, &r, &err), 0);
	j = body_json(&r);
	assert_string_equal(cJSON_GetObjectItem(j, "method")->valuestring, "POST");
	assert_string_equal(cJSON_GetObjectItem(j, "sha256")->valuestring, want);
	cJSON_Delete(j);
	http_response_free(&r);

	/* multipart with a streamed file */
	struct http_form *f = http_form_new();
	assert_int_equal(http_form_add(f, "name", "Лекция 1", &err), 0);
	assert_int_equal(http_form_add_file(f, "video_file", path, "v.mp4", "video/mp4", &err), 0);
	struct http_request mp = {.method = "POST", .url = u, .form = f};
	assert_int_equal(http_do(c, &mp, &r, &err), 0);
	j = body_json(&r);
	assert_true(cJSON_GetObjectItem(j, "length")->valueint > (int)n);
	cJSON *h = cJSON_GetObjectItem(j, "headers");
	assert_non_null(strstr(cJSON_GetObjectItem(h, "content-type")->valuestring,
	    "multipart/form-data; boundary="));
	cJSON_Delete(j);
	http_response_free(&r);
	http_form_free(f);

	/* missing file -> local error, no request */
	struct http_request bad = {.method = "PUT", .url = u, .upload_path = "/nonexistent/x"};
	assert_int_equal(http_do(c, &bad, &r, &err), ZPUB_ENOTFOUND);
	http_response_free(&r);

	free(u);
	free(part);
	free(path);
	free(buf);
	http_client_free(c);
}

static void
test_download_and_redirect(void **state)
{
	(void)state;
	struct http_client *c = http_client_new();
	struct http_response r = {0};
	struct zpub_err err = {0};
	char *path = xasprintf("%s/dl.bin", tmpdir);
	char *u = url("/bytes/100000");
	struct http_request req = {.url = u, .download_path = path};

	assert_int_equal(http_do(c, &req, &r, &err), 0);
	assert_int_equal(r.status, 200);
	assert_null(r.body);
	assert_int_equal(fs_size(path), 100000);
	http_response_free(&r);
	req.download_append = 1;
	assert_int_equal(http_do(c, &req, &r, &err), 0);
	assert_int_equal(fs_size(path), 200000);
	http_response_free(&r);
	free(u);

	/* a 404 does not touch the file and keeps the body in memory */
	u = url("/status/404");
	req.url = u;
	assert_int_equal(http_do(c, &req, &r, &err), 0);
	assert_int_equal(r.status, 404);
	assert_non_null(r.body);
	assert_int_equal(fs_size(path), 200000);
	assert_int_equal(http_check(0, &req, &r, &err), ZPUB_EREMOTE);
	http_response_free(&r);
	free(u);

	u = url("/redirect");
	struct http_request rd = {.url = u};
	assert_int_equal(http_do(c, &rd, &r, &err), 0);
	assert_int_equal(r.status, 302);
	assert_string_equal(r.location, "/echo");
	http_response_free(&r);
	rd.follow_redirects = 1;
	assert_int_equal(http_do(c, &rd, &r, &err), 0);
	assert_int_equal(r.status, 200);
	http_response_free(&r);
	free(u);
	free(path);
	http_client_free(c);
}

static void
test_many_concurrent(void **state)
{
	(void)state;
	struct http_client *c = http_client_new();
	struct zpub_err err = {0};
	enum { N = 16 };
	struct http_request reqs[N];
	struct http_response resps[N];
	char *u = url("/slow/400");

	memset(reqs, 0, sizeof reqs);
	memset(resps, 0, sizeof resps);
	for (int i = 0; i < N; i++)
		reqs[i].url = u;
	int64_t t0 = time_mono_ms();
	assert_int_equal(http_do_many(c, reqs, resps, N, 0, &err), 0);
	int64_t dt = time_mono_ms() - t0;
	for (int i = 0; i < N; i++) {
		assert_int_equal(resps[i].status, 200);
		http_response_free(&resps[i]);
	}
	assert_true(dt < 2000); /* 16 x 400 ms run at once on one loop */

	t0 = time_mono_ms();
	assert_int_equal(http_do_many(c, reqs, resps, 4, 2, &err), 0);
	dt = time_mono_ms() - t0;
	assert_true(dt >= 790); /* two rounds of two */
	for (int i = 0; i < 4; i++)
		http_response_free(&resps[i]);
	free(u);
	http_client_free(c);
}

static void
test_retry_policy(void **state)
{
	(void)state;
	struct http_client *c = http_client_new();
	struct http_response r = {0};
	struct zpub_err err = {0};
	struct http_retry pol = {.max_attempts = 4, .base_ms = 50, .cap_ms = 200};

	/* flaky GET: two 503s then success */
	char *u = url("/flaky/g1/2");
	struct http_request get = {.url = u};
	assert_int_equal(http_do_retry(c, &get, &r, &pol, &err), 0);
	assert_int_equal(r.status, 200);
	http_response_free(&r);
	free(u);

	/* flaky POST is not repeated... */
	u = url("/flaky/p1/1");
	struct http_request post = {.method = "POST", .url = u, .body = "x", .body_len = 1};
	assert_int_equal(http_do_retry(c, &post, &r, &pol, &err), 0);
	assert_int_equal(r.status, 503);
	http_response_free(&r);
	/* ...unless the caller says it is safe */
	post.retry_unsafe = 1;
	assert_int_equal(http_do_retry(c, &post, &r, &pol, &err), 0);
	assert_int_equal(r.status, 200);
	http_response_free(&r);
	free(u);

	/* 429 with Retry-After 1 s is honoured */
	u = url("/status/429?retry_after=1");
	struct http_request q = {.url = u};
	pol.max_attempts = 2;
	int64_t t0 = time_mono_ms();
	assert_int_equal(http_do_retry(c, &q, &r, &pol, &err), 0);
	assert_true(time_mono_ms() - t0 >= 950);
	assert_int_equal(r.status, 429);
	assert_int_equal(r.retry_after_ms, 1000);
	http_response_free(&r);
	free(u);

	/* a long Retry-After ends with EQUOTA and no waiting */
	u = url("/status/429?retry_after=3600");
	q.url = u;
	t0 = time_mono_ms();
	assert_int_equal(http_do_retry(c, &q, &r, &pol, &err), ZPUB_EQUOTA);
	assert_true(time_mono_ms() - t0 < 900);
	assert_int_equal(r.retry_after_ms, 3600000);
	http_response_free(&r);
	free(u);

	/* a dropped connection is a network error, retried for GET */
	u = url("/drop");
	struct http_request d = {.url = u};
	pol.max_attempts = 2;
	assert_int_equal(http_do_retry(c, &d, &r, &pol, &err), ZPUB_ENET);
	assert_int_equal(r.status, 0);
	assert_true(r.curl_error[0] != '\0');
	http_response_free(&r);
	free(u);

	/* nobody listening: ENET with a sentence naming the service */
	struct http_request none = {.url = "http://127.0.0.1:1/x", .what = "Fake"};
	assert_int_equal(http_do(c, &none, &r, &err), ZPUB_ENET);
	assert_non_null(strstr(err.msg, "Fake"));
	http_response_free(&r);
	http_client_free(c);
}

static int
abort_at(void *ud, int64_t up_now, int64_t up_total, int64_t dn, int64_t dt)
{
	(void)up_total; (void)dn; (void)dt;
	return up_now >= *(int64_t *)ud;
}

static void
test_progress_cancel(void **state)
{
	(void)state;
	struct http_client *c = http_client_new();
	struct http_response r = {0};
	struct zpub_err err = {0};
	char *path = xasprintf("%s/big.bin", tmpdir);
	char *buf = calloc(1, 4000000);
	assert_int_equal(fs_write_atomic(path, buf, 4000000, 0600, &err), 0);
	int64_t limit = 100000;
	char *u = url("/echo");
	struct http_request req = {.method = "PUT", .url = u, .upload_path = path,
	    .upload_len = -1, .progress = abort_at, .progress_ud = &limit};
	assert_int_equal(http_do(c, &req, &r, &err), ZPUB_ECANCEL);
	http_response_free(&r);
	free(u);
	free(buf);
	free(path);
	http_client_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_retry_after),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_get_post_bearer),
		cmocka_unit_test(test_file_range_and_form),
		cmocka_unit_test(test_download_and_redirect),
		cmocka_unit_test(test_many_concurrent),
		cmocka_unit_test(test_retry_policy),
		cmocka_unit_test(test_progress_cancel),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
