/*
 * http.h — HTTP client on libcurl's multi socket interface driven by libuv.
 *
 * A client owns one private uv loop and one curl multi handle; transfers are
 * watched with uv_poll and curl's timer with one uv_timer, so many transfers
 * run at once without threads.  Callers (stage code on a worker thread) use
 * the blocking calls below: http_do() runs one request, http_do_many() runs
 * several concurrently, http_do_retry() adds the shared retry policy.  A
 * client is used by one thread at a time; make one per thread.
 *
 * Secrets: the bearer token goes in http_request.bearer and is never logged
 * or copied into error text; URLs in error text are cut at the '?' so query
 * tokens do not leak either.
 */
#ifndef ZPUB_NET_HTTP_H
#define ZPUB_NET_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct http_client;

/* ---- multipart/form-data ------------------------------------------------ */

/* A multipart form described once and reusable across retries (the curl_mime
 * is built for each attempt).  File parts are streamed from disk. */
struct http_form;

struct http_form *http_form_new(void);
void http_form_free(struct http_form *f);
/* Text field. */
int http_form_add(struct http_form *f, const char *name, const char *value,
    struct zpub_err *err);
/* File part streamed from disk with constant memory.  filename defaults to
 * the path's base name; content_type may be NULL (application/octet-stream). */
int http_form_add_file(struct http_form *f, const char *name, const char *path,
    const char *filename, const char *content_type, struct zpub_err *err);

/* ---- requests and responses --------------------------------------------- */

/* Progress during a transfer (bytes so far / expected; total 0 if unknown).
 * Returning non-zero aborts the transfer (http_do then returns ZPUB_ECANCEL).
 * Called on the calling thread, from inside http_do*. */
typedef int (*http_progress_fn)(void *ud, int64_t up_now, int64_t up_total,
    int64_t down_now, int64_t down_total);

struct http_request {
	const char *method;         /* "GET" when NULL; "POST", "PUT", "DELETE", ... */
	const char *url;
	const char *const *headers; /* "Name: value" strings, NULL-terminated; may be NULL */
	const char *bearer;         /* adds "Authorization: Bearer ..."; redacted everywhere */

	/* At most one body source: */
	const void *body;           /* in-memory body (not copied; keep alive) */
	size_t body_len;
	const char *content_type;   /* Content-Type for body / upload file */
	const struct http_form *form; /* multipart/form-data */
	const char *upload_path;    /* body streamed from a file range */
	int64_t upload_offset;      /* first byte of the range */
	int64_t upload_len;         /* bytes; -1 = to end of file */

	/* Response body goes to memory (default, capped by max_body_bytes) or to
	 * a file.  With download_append the file is opened for append (Range
	 * resume: the caller sets "Range: bytes=N-" itself). Non-2xx bodies go to
	 * memory even when download_path is set, so errors can be read. */
	const char *download_path;
	int download_append;
	size_t max_body_bytes;      /* 0 = 16 MiB */

	long timeout_ms;            /* whole transfer; 0 = none */
	long connect_timeout_ms;    /* 0 = 15 s */
	long low_speed_time_s;      /* abort if < 1 byte/s for this long; 0 = 120 s, -1 = off */
	int follow_redirects;       /* off by default: YouTube's 308 is not a redirect */
	int retry_unsafe;           /* http_do_retry may repeat this non-idempotent request;
	                             * without it such a request gets a fresh connection,
	                             * so curl never resends it on its own */

	http_progress_fn progress;
	void *progress_ud;
	const char *what;           /* service name for error sentences ("YouTube"); may be NULL */
};

struct http_response {
	long status;                /* 0 when no response arrived */
	char *body;                 /* NUL-terminated, malloc'd; NULL if none */
	size_t body_len;
	char *location;             /* selected headers, malloc'd or NULL */
	char *range;
	char *content_type;
	int64_t retry_after_ms;     /* -1 when absent or unparseable */
	int64_t bytes_sent;         /* request body bytes curl sent */
	int64_t bytes_received;     /* response body bytes */
	int rc;                     /* result of this transfer: 0 or ZPUB_E* */
	int curl_code;              /* CURLcode, 0 if ok */
	char curl_error[256];       /* curl's message for curl_code */
	int local_errno;            /* errno of a failed local write (ENOSPC...), else 0 */
};

/* Frees the members and resets the response to empty; accepts NULL. */
void http_response_free(struct http_response *resp);

/* ---- running requests ----------------------------------------------------- */

struct http_client *http_client_new(void);
void http_client_free(struct http_client *c);

/* Runs one request to completion.  Returns 0 when an HTTP response arrived
 * (whatever its status: read resp->status), ZPUB_ENET on transport failure
 * (connect, reset, timeout; resp->curl_error says which), ZPUB_EIO on local
 * file errors, ZPUB_ECANCEL when the progress callback aborted.  resp is
 * filled (free it with http_response_free). */
int http_do(struct http_client *c, const struct http_request *req,
    struct http_response *resp, struct zpub_err *err);

/* Runs n requests with at most `concurrency` in flight (0 = all).  Each
 * resps[i].rc holds that transfer's result.  Returns 0 if every transfer
 * got a response, else the first failing rc (err describes it). */
int http_do_many(struct http_client *c, const struct http_request *reqs,
    struct http_response *resps, size_t n, int concurrency, struct zpub_err *err);

/* ---- asynchronous use (several state machines on one loop) ----------------
 * http_start() adds a transfer to the client's loop and returns at once;
 * done() is called from inside http_client_run() (or a blocking call) when
 * it ends, with rc as http_do() would return it and err describing a
 * failure.  req and resp must stay alive until then.  done() may start new
 * transfers and timers, but must not call the blocking functions.
 * http_client_run() turns the loop until no transfer or timer is left. */
typedef void (*http_done_fn)(void *ud, const struct http_request *req,
    struct http_response *resp, int rc, const struct zpub_err *err);

int http_start(struct http_client *c, const struct http_request *req,
    struct http_response *resp, http_done_fn done, void *ud, struct zpub_err *err);
/* Calls fn(ud) on the loop after delay_ms (backoff between attempts). */
int http_client_after(struct http_client *c, int64_t delay_ms, void (*fn)(void *ud),
    void *ud, struct zpub_err *err);
void http_client_run(struct http_client *c);

/* ---- retry policy (shared by all clients) --------------------------------- */

struct http_retry {
	int max_attempts;          /* total tries; 0 = 5 */
	int64_t base_ms;           /* first backoff; 0 = 1000 */
	int64_t cap_ms;            /* backoff cap; 0 = 60000 */
	int64_t max_wait_ms;       /* longest Retry-After honoured inline; 0 = 120000.
	                            * A longer one ends with ZPUB_EQUOTA and
	                            * resp->retry_after_ms set so the caller can
	                            * schedule the retry. */
};

/* Told of every retry http_do_retry makes (retried 1) and of every request
 * that failed for good after them (retried 0), with req->what ("YouTube",
 * "the server" when unset).  The engine counts them for /metrics; net
 * knows nothing of it.  Set once at start; NULL = nobody listens. */
typedef void (*http_retry_observer_fn)(const char *what, int retried);
void http_set_retry_observer(http_retry_observer_fn fn);

/* 1 if the method is idempotent (GET, HEAD, PUT, DELETE, OPTIONS). */
int http_method_idempotent(const char *method);

/* 1 if this outcome deserves another try: transport errors other than local
 * ones, 408, 429, 500, 502, 503, 504. */
int http_should_retry(int rc, const struct http_response *resp);

/* http_do with retries: 429 (honouring Retry-After), 5xx, connection resets
 * and timeouts, with exponential backoff and jitter.  A non-idempotent
 * request (POST) is retried only when req->retry_unsafe is set, except that
 * a 429 or 503 carrying Retry-After means it was not processed and is
 * always retried.  Returns like http_do with the last attempt's response;
 * ZPUB_EQUOTA when the server asked to wait longer than max_wait_ms.
 * policy may be NULL for defaults. */
int http_do_retry(struct http_client *c, const struct http_request *req,
    struct http_response *resp, const struct http_retry *policy,
    struct zpub_err *err);

/* ---- helpers -------------------------------------------------------------- */

/* Parses a Retry-After value: delta-seconds ("120") or an HTTP-date
 * ("Wed, 21 Oct 2015 07:28:00 GMT"), also an ISO 8601 timestamp (Zoom).
 * now_ms is the current epoch time in ms.  Returns milliseconds to wait
 * (0 for dates in the past) or -1 if unparseable.  Pure. */
int64_t http_parse_retry_after(const char *value, int64_t now_ms);

/* Maps a finished response to an error: 2xx -> 0; 401 -> ZPUB_EAUTH;
 * 429 -> ZPUB_EQUOTA; 5xx, 408 -> ZPUB_ENET; other -> ZPUB_EREMOTE; with a
 * sentence "<what> answered HTTP <status> to <method> <url-without-query>:
 * <first 200 bytes of body>".  rc != 0 (transport failure) is passed on. */
int http_check(int rc, const struct http_request *req,
    const struct http_response *resp, struct zpub_err *err);

/* URL for messages and logs: scheme://host/path with the query replaced by
 * "?…" (tokens often sit there).  Writes into out. */
void http_url_redact(const char *url, char *out, size_t outsz);

/* application/x-www-form-urlencoded escaping; malloc'd. */
char *http_urlencode(const char *s);
/* Builds "k1=v1&k2=v2" from NULL-terminated pairs {k1, v1, k2, v2, NULL};
 * a NULL value skips the pair.  malloc'd. */
char *http_form_urlencoded(const char *const *kv);

#endif
