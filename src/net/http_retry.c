/*
 * http_retry.c — the retry policy every service client shares (429 with
 * Retry-After, 5xx, resets and timeouts; exponential backoff with jitter;
 * non-idempotent requests only when told it is safe) and the small pure
 * helpers around requests: Retry-After parsing, status checks, URL
 * redaction for messages, form encoding.
 */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "util.h"

static const char *
req_what(const struct http_request *req)
{
	return req->what ? req->what : "the server";
}

static const char *
req_method(const struct http_request *req)
{
	return req->method ? req->method : "GET";
}

/* ---- retry policy ----------------------------------------------------------- */

static _Atomic(http_retry_observer_fn) retry_observer;

void
http_set_retry_observer(http_retry_observer_fn fn)
{
	retry_observer = fn;
}

static void
observe(const struct http_request *req, int retried)
{
	http_retry_observer_fn fn = retry_observer;
	if (fn)
		fn(req_what(req), retried);
}

int
http_method_idempotent(const char *method)
{
	if (method == NULL)
		return 1;
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "DELETE") == 0 ||
	    strcmp(method, "OPTIONS") == 0;
}

int
http_should_retry(int rc, const struct http_response *resp)
{
	if (rc == ZPUB_ENET)
		return 1;
	if (rc != 0 || resp == NULL)
		return 0;
	switch (resp->status) {
	case 408: case 429: case 500: case 502: case 503: case 504:
		return 1;
	default:
		return 0;
	}
}

/* Connect failures mean nothing reached the server; safe for any method. */
static int
nothing_sent(const struct http_response *r)
{
	return r->curl_code == CURLE_COULDNT_CONNECT || r->curl_code == CURLE_COULDNT_RESOLVE_HOST;
}

int
http_do_retry(struct http_client *c, const struct http_request *req,
    struct http_response *resp, const struct http_retry *policy,
    struct zpub_err *err)
{
	struct http_retry p = policy ? *policy : (struct http_retry){0};
	int max = p.max_attempts > 0 ? p.max_attempts : 5;
	int64_t max_wait = p.max_wait_ms > 0 ? p.max_wait_ms : 120000;
	int safe = http_method_idempotent(req_method(req)) || req->retry_unsafe;
	char url[512];
	int rc;

	for (int attempt = 1;; attempt++) {
		rc = http_do(c, req, resp, err);
		if (!http_should_retry(rc, resp)) {
			if (rc != 0 || resp->status >= 400)
				observe(req, 0);
			return rc;
		}
		int unprocessed = rc == 0 && (resp->status == 429 || resp->status == 503) &&
		    resp->retry_after_ms >= 0;
		if (!safe && !unprocessed && !(rc != 0 && nothing_sent(resp))) {
			observe(req, 0);
			return rc;
		}
		int64_t wait = resp->retry_after_ms >= 0 ? resp->retry_after_ms
		    : backoff_ms(attempt, p.base_ms > 0 ? p.base_ms : 1000,
		    p.cap_ms > 0 ? p.cap_ms : 60000);
		http_url_redact(req->url, url, sizeof url);
		if (wait > max_wait) {
			observe(req, 0);
			return zpub_err_set(err, ZPUB_EQUOTA,
			    "%s asked to wait %lld s before retrying %s %s (HTTP %ld); "
			    "zpub will try again later",
			    req_what(req), (long long)(wait / 1000), req_method(req), url,
			    resp->status);
		}
		if (attempt >= max) {
			observe(req, 0);
			if (rc == 0)
				zpub_err_set(err, ZPUB_ENET,
				    "%s kept failing %s %s (HTTP %ld after %d attempts); "
				    "zpub will retry later",
				    req_what(req), req_method(req), url, resp->status, attempt);
			return rc;
		}
		http_response_free(resp);
		observe(req, 1);
		sleep_ms(wait);
	}
}

/* ---- helpers ------------------------------------------------------------------ */

int64_t
http_parse_retry_after(const char *value, int64_t now_ms)
{
	const char *p;
	int digits = 1;

	if (value == NULL)
		return -1;
	while (*value == ' ' || *value == '\t')
		value++;
	if (*value == '\0')
		return -1;
	for (p = value; *p && *p != ' ' && *p != '\r' && *p != '\n'; p++)
		if (!isdigit((unsigned char)*p))
			digits = 0;
	if (digits) {
		char *end;
		errno = 0;
		long long s = strtoll(value, &end, 10);
		if (errno != 0 || s < 0 || s > 100LL * 365 * 86400)
			return -1;
		return (int64_t)s * 1000;
	}
	int64_t at_ms;
	if (isdigit((unsigned char)value[0])) {
		at_ms = time_parse_iso(value);
	} else {
		time_t t = curl_getdate(value, NULL);
		at_ms = t == (time_t)-1 ? -1 : (int64_t)t * 1000;
	}
	if (at_ms < 0)
		return -1;
	return at_ms > now_ms ? at_ms - now_ms : 0;
}

void
http_url_redact(const char *url, char *out, size_t outsz)
{
	if (outsz == 0)
		return;
	if (url == NULL) {
		snprintf(out, outsz, "(no url)");
		return;
	}
	size_t n = strcspn(url, "?#");
	if (n + 1 > outsz)
		n = outsz - 1;
	memcpy(out, url, n);
	out[n] = '\0';
	if (url[n] != '\0' && n + 5 <= outsz - 1)
		strcat(out, "?…");
}

int
http_check(int rc, const struct http_request *req,
    const struct http_response *resp, struct zpub_err *err)
{
	char url[512], snippet[201];
	int code;

	if (rc != 0)
		return rc;
	if (resp->status >= 200 && resp->status < 300)
		return 0;
	if (resp->status == 401)
		code = ZPUB_EAUTH;
	else if (resp->status == 429)
		code = ZPUB_EQUOTA;
	else if (resp->status >= 500 || resp->status == 408)
		code = ZPUB_ENET;
	else
		code = ZPUB_EREMOTE;
	http_url_redact(req->url, url, sizeof url);
	size_t n = resp->body_len < 200 ? resp->body_len : 200;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)resp->body[i];
		snippet[i] = (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : (char)ch;
	}
	snippet[n] = '\0';
	return zpub_err_set(err, code, "%s answered HTTP %ld to %s %s%s%s", req_what(req),
	    resp->status, req_method(req), url, n ? ": " : "", snippet);
}

char *
http_urlencode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = xmalloc(n * 3 + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

char *
http_form_urlencoded(const char *const *kv)
{
	size_t cap = 256, len = 0;
	char *out = xmalloc(cap);

	out[0] = '\0';
	for (size_t i = 0; kv[i] != NULL; i += 2) {
		if (kv[i + 1] == NULL)
			continue;
		char *k = http_urlencode(kv[i]), *v = http_urlencode(kv[i + 1]);
		size_t need = len + strlen(k) + strlen(v) + 3;
		if (need > cap) {
			while (cap < need)
				cap *= 2;
			out = xrealloc(out, cap);
		}
		len += (size_t)sprintf(out + len, "%s%s=%s", len ? "&" : "", k, v);
		sodium_memzero(v, strlen(v));
		free(k);
		free(v);
	}
	return out;
}
