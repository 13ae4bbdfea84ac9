/*
 * http.c — libcurl multi socket interface on a private libuv loop.
 *
 * Each client owns a uv loop, a curl multi handle, one uv_timer for curl's
 * timeouts and one uv_poll per socket curl asks us to watch.  http_start()
 * adds a transfer and reports its end through a callback (the publishers'
 * state machines share one client this way); the blocking calls are built
 * on it and turn the loop until their transfers are done.  The multi keeps
 * its connection cache between calls.  The retry policy (http_do_retry) is
 * shared by every service client (YouTube, VK, OAuth, transcription, chat).
 */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>
#include <uv.h>

#include "util.h"

#define HTTP_DEFAULT_MAX_BODY (16u * 1024 * 1024)

/* ---- forms ---------------------------------------------------------------- */

struct http_form_part {
	char *name;
	char *value;      /* text or data bytes */
	size_t len;
	char *path;       /* file part */
	char *filename;
	char *content_type;
};

struct http_form {
	struct http_form_part *parts;
	size_t n, cap;
};

struct http_form *
http_form_new(void)
{
	return xcalloc(1, sizeof(struct http_form));
}

void
http_form_free(struct http_form *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->parts[i].name);
		free(f->parts[i].value);
		free(f->parts[i].path);
		free(f->parts[i].filename);
		free(f->parts[i].content_type);
	}
	free(f->parts);
	free(f);
}

static struct http_form_part *
form_push(struct http_form *f, const char *name, struct zpub_err *err)
{
	if (f == NULL || name == NULL) {
		zpub_err_set(err, ZPUB_EINVAL, "multipart form: missing form or field name");
		return NULL;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		f->parts = xreallocarray(f->parts, cap, sizeof *f->parts);
		f->cap = cap;
	}
	struct http_form_part *p = &f->parts[f->n++];
	memset(p, 0, sizeof *p);
	p->name = xstrdup(name);
	return p;
}

int
http_form_add(struct http_form *f, const char *name, const char *value,
    struct zpub_err *err)
{
	struct http_form_part *p = form_push(f, name, err);
	if (p == NULL)
		return err ? err->code : ZPUB_EINVAL;
	p->value = xstrdup(value ? value : "");
	p->len = strlen(p->value);
	return 0;
}

int
http_form_add_file(struct http_form *f, const char *name, const char *path,
    const char *filename, const char *content_type, struct zpub_err *err)
{
	if (path == NULL || !fs_exists(path))
		return zpub_err_set(err, ZPUB_ENOTFOUND,
		    "cannot attach %s to the upload: the file does not exist",
		    path ? path : "(null)");
	struct http_form_part *p = form_push(f, name, err);
	if (p == NULL)
		return err ? err->code : ZPUB_EINVAL;
	p->path = xstrdup(path);
	if (filename == NULL) {
		const char *slash = strrchr(path, '/');
		filename = slash ? slash + 1 : path;
	}
	p->filename = xstrdup(filename);
	p->content_type = xstrdup(content_type ? content_type : "application/octet-stream");
	return 0;
}

/* ---- client and loop plumbing -------------------------------------------- */

struct http_client {
	uv_loop_t loop;
	uv_timer_t timer;
	CURLM *multi;
	int inflight;   /* transfers started and not yet reported */
	int timers;     /* pending http_client_after timers */
};

struct sock_ctx {
	uv_poll_t poll;
	curl_socket_t fd;
	struct http_client *c;
	int events;     /* what curl wants watched (UV_READABLE | UV_WRITABLE) */
	int removed;    /* curl let go of the socket; the handle is closing */
};

struct xfer {
	CURL *easy;
	const struct http_request *req;
	struct http_response *resp;
	struct curl_slist *hdrs;
	curl_mime *mime;
	FILE *up_fp;
	int64_t up_left, up_total;
	FILE *down_fp;
	size_t cap, max_body;
	http_done_fn done_fn;
	void *done_ud;
	int local_rc;             /* set by callbacks on local failure */
	char local_msg[256];
	int in_headers;           /* a status line came, its blank line not yet */
	char errbuf[CURL_ERROR_SIZE];
};

static void
check_done(struct http_client *c);

static void
on_poll(uv_poll_t *h, int status, int events)
{
	struct sock_ctx *sc = h->data;
	int flags = 0, running = 0;

	/* On a socket error (a reset, a refused connect) libuv stops the
	 * handle and reports EBADF.  Told CURL_CSELECT_ERR, curl would end the
	 * transfer with "select/poll returned error"; told the socket is ready,
	 * it reads or writes, meets the real error and says which. */
	if (status < 0)
		flags = CURL_CSELECT_IN | CURL_CSELECT_OUT;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(sc->c->multi, sc->fd, flags, &running);
	/* sc stays valid here even if curl let go (freed on close, later) */
	if (status < 0 && !sc->removed && sc->events)
		uv_poll_start(&sc->poll, sc->events, on_poll);
	check_done(sc->c);
}

static void
on_poll_closed(uv_handle_t *h)
{
	free(h->data);
}

static int
on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct http_client *c = userp;
	struct sock_ctx *sc = socketp;
	(void)e;

	if (what == CURL_POLL_REMOVE) {
		if (sc != NULL) {
			sc->removed = 1;
			uv_poll_stop(&sc->poll);
			curl_multi_assign(c->multi, s, NULL);
			uv_close((uv_handle_t *)&sc->poll, on_poll_closed);
		}
		return 0;
	}
	if (sc == NULL) {
		sc = xcalloc(1, sizeof *sc);
		sc->fd = s;
		sc->c = c;
		if (uv_poll_init_socket(&c->loop, &sc->poll, s) != 0) {
			free(sc);
			return -1;
		}
		sc->poll.data = sc;
		curl_multi_assign(c->multi, s, sc);
	}
	int ev = 0;
	if (what & CURL_POLL_IN)
		ev |= UV_READABLE;
	if (what & CURL_POLL_OUT)
		ev |= UV_WRITABLE;
	sc->events = ev;
	uv_poll_start(&sc->poll, ev, on_poll);
	return 0;
}

static void
on_timer(uv_timer_t *t)
{
	struct http_client *c = t->data;
	int running = 0;

	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(c);
}

static int
on_curl_timer(CURLM *m, long timeout_ms, void *userp)
{
	struct http_client *c = userp;
	(void)m;

	if (timeout_ms < 0)
		uv_timer_stop(&c->timer);
	else
		uv_timer_start(&c->timer, on_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

struct http_client *
http_client_new(void)
{
	struct http_client *c;

	/* reference-counted and thread-safe in curl >= 7.84; paired in _free */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	if (sodium_init() < 0) {
		curl_global_cleanup();
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	if (uv_loop_init(&c->loop) != 0) {
		free(c);
		curl_global_cleanup();
		return NULL;
	}
	uv_timer_init(&c->loop, &c->timer);
	c->timer.data = c;
	c->multi = curl_multi_init();
	if (c->multi == NULL) {
		uv_close((uv_handle_t *)&c->timer, NULL);
		uv_run(&c->loop, UV_RUN_DEFAULT);
		uv_loop_close(&c->loop);
		free(c);
		curl_global_cleanup();
		return NULL;
	}
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	return c;
}

void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	curl_multi_cleanup(c->multi); /* removes its sockets through on_socket */
	uv_close((uv_handle_t *)&c->timer, NULL);
	uv_run(&c->loop, UV_RUN_DEFAULT);
	uv_loop_close(&c->loop);
	free(c);
	curl_global_cleanup();
}

void
http_response_free(struct http_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	free(resp->location);
	free(resp->range);
	free(resp->content_type);
	memset(resp, 0, sizeof *resp);
	resp->retry_after_ms = -1;
}

/* ---- easy-handle callbacks ------------------------------------------------ */

static int
status_2xx(CURL *easy)
{
	long code = 0;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
	return code >= 200 && code < 300;
}

static size_t
on_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	struct http_response *r = x->resp;

	if (x->req->download_path != NULL && status_2xx(x->easy)) {
		if (x->down_fp == NULL) {
			x->down_fp = fopen(x->req->download_path, x->req->download_append ? "ab" : "wb");
			if (x->down_fp == NULL) {
				x->local_rc = ZPUB_EIO;
				r->local_errno = errno;
				snprintf(x->local_msg, sizeof x->local_msg,
				    "cannot write the download to %s: %s",
				    x->req->download_path, strerror(errno));
				return 0;
			}
		}
		if (fwrite(ptr, 1, n, x->down_fp) != n) {
			x->local_rc = ZPUB_EIO;
			r->local_errno = errno;
			snprintf(x->local_msg, sizeof x->local_msg,
			    "cannot write the download to %s: %s",
			    x->req->download_path, strerror(errno));
			return 0;
		}
		r->bytes_received += (int64_t)n;
		return n;
	}
	if (r->body_len + n > x->max_body) {
		x->local_rc = ZPUB_EREMOTE;
		snprintf(x->local_msg, sizeof x->local_msg,
		    "the response is larger than %zu bytes", x->max_body);
		return 0;
	}
	if (r->body_len + n + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		while (cap < r->body_len + n + 1)
			cap *= 2;
		r->body = xrealloc(r->body, cap);
		x->cap = cap;
	}
	memcpy(r->body + r->body_len, ptr, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	r->bytes_received += (int64_t)n;
	return n;
}

static char *
header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	const char *v = line + nl + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	return xstrndup(v, (size_t)(end - v));
}

static size_t
on_header(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	struct http_response *r = x->resp;
	char *v;

	if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		/* a new response (after 100-continue or a redirect): forget the last */
		x->in_headers = 1;
		free(r->location);
		free(r->range);
		free(r->content_type);
		r->location = r->range = r->content_type = NULL;
		r->retry_after_ms = -1;
		return n;
	}
	if ((n == 2 && buf[0] == '\r' && buf[1] == '\n') || (n == 1 && buf[0] == '\n')) {
		x->in_headers = 0;
		return n;
	}
	if ((v = header_value(buf, n, "Location")) != NULL) {
		free(r->location);
		r->location = v;
	} else if ((v = header_value(buf, n, "Range")) != NULL) {
		free(r->range);
		r->range = v;
	} else if ((v = header_value(buf, n, "Content-Type")) != NULL) {
		free(r->content_type);
		r->content_type = v;
	} else if ((v = header_value(buf, n, "Retry-After")) != NULL) {
		r->retry_after_ms = http_parse_retry_after(v, time_now_ms());
		free(v);
	}
	return n;
}

static size_t
on_read(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t want = size * nmemb;

	if (x->up_left <= 0)
		return 0;
	if ((int64_t)want > x->up_left)
		want = (size_t)x->up_left;
	size_t got = fread(buf, 1, want, x->up_fp);
	if (got == 0) {
		x->local_rc = ZPUB_EIO;
		snprintf(x->local_msg, sizeof x->local_msg,
		    "cannot read %s: the file is shorter than expected or unreadable",
		    x->req->upload_path);
		return CURL_READFUNC_ABORT;
	}
	x->up_left -= (int64_t)got;
	return got;
}

static int
on_xferinfo(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct xfer *x = ud;
	if (x->req->progress == NULL)
		return 0;
	if (x->req->progress(x->req->progress_ud, ulnow, ultotal, dlnow, dltotal) != 0) {
		x->local_rc = ZPUB_ECANCEL;
		snprintf(x->local_msg, sizeof x->local_msg, "cancelled");
		return 1;
	}
	return 0;
}

/* ---- setting up and finishing one transfer -------------------------------- */

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

static int
build_mime(struct xfer *x, struct zpub_err *err)
{
	const struct http_form *f = x->req->form;
	x->mime = curl_mime_init(x->easy);
	if (x->mime == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory building a form");
	for (size_t i = 0; i < f->n; i++) {
		const struct http_form_part *p = &f->parts[i];
		curl_mimepart *mp = curl_mime_addpart(x->mime);
		if (mp == NULL)
			return zpub_err_set(err, ZPUB_ENOMEM, "out of memory building a form");
		curl_mime_name(mp, p->name);
		if (p->path != NULL) {
			/* curl_mime_filedata streams the file while sending */
			if (curl_mime_filedata(mp, p->path) != CURLE_OK)
				return zpub_err_set(err, ZPUB_EIO, "cannot read %s for the upload", p->path);
		} else {
			curl_mime_data(mp, p->value, p->len);
		}
		if (p->filename)
			curl_mime_filename(mp, p->filename);
		if (p->content_type)
			curl_mime_type(mp, p->content_type);
	}
	curl_easy_setopt(x->easy, CURLOPT_MIMEPOST, x->mime);
	return 0;
}

/* The transfer's curl options: callbacks, protocols, timeouts. */
static void
xfer_options(struct xfer *x, const char *method)
{
	const struct http_request *req = x->req;
	CURL *e = x->easy;

	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	/* An answer without a status line is garbage (a broken proxy, the
	 * wrong port), never HTTP/0.9; curl >= 7.66 refuses it by default, and
	 * transport_failure() counts the refusal as a transport error. */
	curl_easy_setopt(e, CURLOPT_HTTP09_ALLOWED, 0L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "zpub/" ZPUB_VERSION);
	/* curl sends a request again by itself when a reused connection closes
	 * before the first byte of the answer (meant for idle connections the
	 * server dropped), but the server may have done the work: a second
	 * caption track, a second VK video.  A request that must not run twice
	 * goes on a connection of its own, where curl never does that. */
	if (!http_method_idempotent(method) && !req->retry_unsafe)
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, req->follow_redirects ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 0L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 15000L);
	if (req->low_speed_time_s >= 0) {
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
		    req->low_speed_time_s > 0 ? req->low_speed_time_s : 120L);
	}
}

static int
xfer_headers(struct xfer *x, struct zpub_err *err)
{
	const struct http_request *req = x->req;

	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
	for (const char *const *h = req->headers; h != NULL && *h != NULL; h++)
		x->hdrs = curl_slist_append(x->hdrs, *h);
	if (req->bearer != NULL) {
		char *h = xasprintf("Authorization: Bearer %s", req->bearer);
		x->hdrs = curl_slist_append(x->hdrs, h);
		sodium_memzero(h, strlen(h));
		free(h);
	}
	if (req->content_type != NULL && req->form == NULL) {
		char *h = xasprintf("Content-Type: %s", req->content_type);
		x->hdrs = curl_slist_append(x->hdrs, h);
		free(h);
	}
	if (x->hdrs == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory for request headers");
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->hdrs);
	return 0;
}

/* The body streamed from bytes [upload_offset, +upload_len) of a file. */
static int
xfer_upload(struct xfer *x, const char *method, struct zpub_err *err)
{
	const struct http_request *req = x->req;
	CURL *e = x->easy;

	int64_t size = fs_size(req->upload_path);
	if (size < 0)
		return zpub_err_set(err, ZPUB_ENOTFOUND,
		    "cannot upload %s to %s: the file does not exist",
		    req->upload_path, req_what(req));
	int64_t len = req->upload_len >= 0 ? req->upload_len : size - req->upload_offset;
	if (req->upload_offset < 0 || len < 0 || req->upload_offset + len > size)
		return zpub_err_set(err, ZPUB_EINVAL,
		    "cannot upload bytes %lld..%lld of %s: the file has %lld bytes",
		    (long long)req->upload_offset, (long long)(req->upload_offset + len),
		    req->upload_path, (long long)size);
	x->up_fp = fopen(req->upload_path, "rb");
	if (x->up_fp == NULL || fseeko(x->up_fp, (off_t)req->upload_offset, SEEK_SET) != 0)
		return zpub_err_set(err, ZPUB_EIO, "cannot read %s: %s",
		    req->upload_path, strerror(errno));
	x->up_left = x->up_total = len;
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_READDATA, x);
	/* No rewinding: curl would silently resend a body on a fresh
	 * connection when a reused one died, which for resumable uploads
	 * means sending a range the server no longer expects.  Without a
	 * seek callback that becomes an error the caller handles. */
	/* curl's default 64 KiB upload buffer measured as fast as larger ones */
	if (strcmp(method, "PUT") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	return 0;
}

static int
xfer_setup(struct xfer *x, const struct http_request *req,
    struct http_response *resp, struct zpub_err *err)
{
	const char *method = req_method(req);
	CURL *e;
	int rc = 0;

	memset(x, 0, sizeof *x);
	x->req = req;
	x->resp = resp;
	memset(resp, 0, sizeof *resp);
	resp->retry_after_ms = -1;
	x->max_body = req->max_body_bytes ? req->max_body_bytes : HTTP_DEFAULT_MAX_BODY;
	if (req->url == NULL)
		return zpub_err_set(err, ZPUB_EINVAL, "HTTP request to %s without a URL", req_what(req));
	/* Checked here so that curl's "unsupported protocol" can only mean a
	 * server that did not speak HTTP (see transport_failure). */
	if (strncasecmp(req->url, "http://", 7) != 0 && strncasecmp(req->url, "https://", 8) != 0) {
		char url[512];
		http_url_redact(req->url, url, sizeof url);
		return zpub_err_set(err, ZPUB_EINVAL, "the address of %s is not an http:// or "
		    "https:// URL (%s); fix it in the configuration", req_what(req), url);
	}

	e = x->easy = curl_easy_init();
	if (e == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "cannot create a curl handle");
	xfer_options(x, method);
	if ((rc = xfer_headers(x, err)) != 0)
		return rc;

	/* body */
	if (req->form != NULL) {
		if ((rc = build_mime(x, err)) != 0)
			return rc;
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	} else if (req->upload_path != NULL) {
		return xfer_upload(x, method, err);
	} else if (req->body != NULL || strcmp(method, "POST") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	}
	return 0;
}

/* What a failed transfer means, decided in this one place: the zpub code
 * (ZPUB_ENET is what the retry policy retries) and the cause in words.
 * Called for every finished transfer; returns 0 when it did not fail.
 * Besides curl's own errors, two answers curl takes count as failures:
 *  - a server that does not speak HTTP (garbage, HTTP/0.9): curl refuses
 *    it as CURLE_UNSUPPORTED_PROTOCOL, which would otherwise read as a bad
 *    URL and never be retried (the scheme was checked in xfer_setup);
 *  - a connection closed inside the response headers: curl 7.x ends the
 *    transfer with CURLE_OK and the status line it saw, an empty 200 that
 *    callers would take for success. */
static int
transport_failure(const struct xfer *x, CURLcode cc, long code, const char **cause)
{
	*cause = NULL;
	switch (cc) {
	case CURLE_OK:
		if (x->in_headers) {
			*cause = "the connection closed inside the response headers";
			return ZPUB_ENET;
		}
		return 0;
	case CURLE_URL_MALFORMAT:
		return ZPUB_EINVAL;
	case CURLE_OUT_OF_MEMORY:
		return ZPUB_ENOMEM;
	case CURLE_UNSUPPORTED_PROTOCOL:
		if (code >= 300 && code < 400) {
			*cause = "it redirected to an address that is not http:// or https://";
			return ZPUB_EREMOTE;
		}
		*cause = "the answer is not HTTP";
		return ZPUB_ENET;
	case CURLE_WEIRD_SERVER_REPLY:
		*cause = "the answer is not valid HTTP";
		return ZPUB_ENET;
	case CURLE_GOT_NOTHING:
		*cause = "the connection closed before any answer";
		return ZPUB_ENET;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
		*cause = "the connection broke during the answer";
		return ZPUB_ENET;
	case CURLE_SEND_ERROR:
		*cause = "the connection broke while sending the request";
		return ZPUB_ENET;
	default:
		return ZPUB_ENET;
	}
}

/* Fills resp from the finished easy handle and releases the transfer. */
static void
xfer_finish(struct xfer *x, CURLcode cc, struct zpub_err *err)
{
	struct http_response *r = x->resp;
	const struct http_request *req = x->req;
	char url[512];
	const char *cause;
	long code = 0;
	curl_off_t up = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(x->easy, CURLINFO_SIZE_UPLOAD_T, &up);
	r->bytes_sent = (int64_t)up;
	int trc = transport_failure(x, cc, code, &cause);
	if (cc == CURLE_OK && trc != 0)
		cc = CURLE_RECV_ERROR; /* what it is, for callers reading curl_code */
	r->curl_code = (int)cc;
	if (cc != CURLE_OK && cause != NULL && !x->errbuf[0])
		snprintf(r->curl_error, sizeof r->curl_error, "%s", cause);
	else if (cc != CURLE_OK && cause != NULL)
		snprintf(r->curl_error, sizeof r->curl_error, "%s (%.180s)", cause, x->errbuf);
	else if (cc != CURLE_OK)
		snprintf(r->curl_error, sizeof r->curl_error, "%s",
		    x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
	r->status = cc == CURLE_OK ? code : 0;
	/* an empty 2xx download still creates its file */
	if (cc == CURLE_OK && req->download_path != NULL && code >= 200 && code < 300 &&
	    x->down_fp == NULL) {
		x->down_fp = fopen(req->download_path, req->download_append ? "ab" : "wb");
		if (x->down_fp == NULL) {
			x->local_rc = ZPUB_EIO;
			r->local_errno = errno;
			snprintf(x->local_msg, sizeof x->local_msg, "cannot create %s: %s",
			    req->download_path, strerror(errno));
		}
	}
	if (x->down_fp != NULL) {
		if (fclose(x->down_fp) != 0 && x->local_rc == 0) {
			x->local_rc = ZPUB_EIO;
			r->local_errno = errno;
			snprintf(x->local_msg, sizeof x->local_msg, "cannot write %s: %s",
			    req->download_path, strerror(errno));
		}
		x->down_fp = NULL;
	}
	http_url_redact(req->url, url, sizeof url);
	if (x->local_rc != 0) {
		r->rc = x->local_rc;
		r->status = 0;
		zpub_err_set(err, x->local_rc, "%s %s to %s: %s", req_method(req), url,
		    req_what(req), x->local_msg);
	} else if (trc != 0) {
		r->rc = trc;
		zpub_err_set(err, r->rc,
		    "%s did not answer %s %s: %s; check the network and the service address",
		    req_what(req), req_method(req), url, r->curl_error);
	} else {
		r->rc = 0;
	}
}

static void
xfer_release(struct xfer *x)
{
	if (x->easy)
		curl_easy_cleanup(x->easy);
	if (x->mime)
		curl_mime_free(x->mime);
	curl_slist_free_all(x->hdrs);
	if (x->up_fp)
		fclose(x->up_fp);
	if (x->down_fp)
		fclose(x->down_fp);
	x->easy = NULL;
	x->mime = NULL;
	x->hdrs = NULL;
	x->up_fp = x->down_fp = NULL;
}

/* ---- the asynchronous core ------------------------------------------------ */

int
http_start(struct http_client *c, const struct http_request *req,
    struct http_response *resp, http_done_fn done, void *ud, struct zpub_err *err)
{
	struct xfer *x;
	int rc;

	if (c == NULL || req == NULL || resp == NULL)
		return zpub_err_set(err, ZPUB_EINVAL, "HTTP request without client, request or response");
	x = xcalloc(1, sizeof *x);
	if ((rc = xfer_setup(x, req, resp, err)) != 0) {
		resp->rc = rc;
		xfer_release(x);
		free(x);
		return rc;
	}
	x->done_fn = done;
	x->done_ud = ud;
	CURLMcode mc = curl_multi_add_handle(c->multi, x->easy);
	if (mc != CURLM_OK) {
		xfer_release(x);
		free(x);
		resp->rc = ZPUB_ENET;
		return zpub_err_set(err, ZPUB_ENET, "cannot start a transfer to %s: %s",
		    req_what(req), curl_multi_strerror(mc));
	}
	c->inflight++;
	return 0;
}

static void
check_done(struct http_client *c)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct xfer *x = NULL;
		CURL *e = m->easy_handle;
		CURLcode cc = m->data.result;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(c->multi, e);
		if (x == NULL)
			continue;
		struct zpub_err xe = {0};
		xfer_finish(x, cc, &xe);
		xfer_release(x);
		c->inflight--;
		/* the callback may start new transfers; x is ours alone now */
		if (x->done_fn)
			x->done_fn(x->done_ud, x->req, x->resp, x->resp->rc, &xe);
		free(x);
	}
}

struct after {
	uv_timer_t t;
	struct http_client *c;
	void (*fn)(void *ud);
	void *ud;
};

static void
after_closed(uv_handle_t *h)
{
	free(h->data);
}

static void
on_after(uv_timer_t *t)
{
	struct after *a = t->data;
	a->c->timers--;
	uv_close((uv_handle_t *)&a->t, after_closed);
	a->fn(a->ud);
}

int
http_client_after(struct http_client *c, int64_t delay_ms, void (*fn)(void *ud),
    void *ud, struct zpub_err *err)
{
	struct after *a = xcalloc(1, sizeof *a);
	a->c = c;
	a->fn = fn;
	a->ud = ud;
	uv_timer_init(&c->loop, &a->t);
	a->t.data = a;
	uv_timer_start(&a->t, on_after, delay_ms > 0 ? (uint64_t)delay_ms : 0, 0);
	c->timers++;
	return 0;
}

void
http_client_run(struct http_client *c)
{
	while (c->inflight > 0 || c->timers > 0) {
		if (uv_run(&c->loop, UV_RUN_ONCE) == 0 && c->inflight > 0) {
			/* nothing to wait on: let curl make progress on its own */
			int running = 0;
			curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
			check_done(c);
		}
	}
}

/* ---- blocking calls on top ------------------------------------------------ */

struct batch {
	struct http_client *c;
	const struct http_request *reqs;
	struct http_response *resps;
	size_t n, next, pending;
	int concurrency, active;
	int first_rc;
	struct zpub_err *err;
};

static void batch_more(struct batch *b);

static void
batch_done(void *ud, const struct http_request *req, struct http_response *resp,
    int rc, const struct zpub_err *xe)
{
	struct batch *b = ud;
	(void)req;
	(void)resp;
	b->active--;
	b->pending--;
	if (rc != 0 && b->first_rc == 0) {
		b->first_rc = rc;
		if (b->err)
			*b->err = *xe;
	}
	batch_more(b);
}

static void
batch_more(struct batch *b)
{
	while (b->next < b->n && (b->concurrency <= 0 || b->active < b->concurrency)) {
		size_t i = b->next++;
		struct zpub_err se = {0};
		if (http_start(b->c, &b->reqs[i], &b->resps[i], batch_done, b, &se) != 0) {
			b->pending--;
			if (b->first_rc == 0) {
				b->first_rc = se.code;
				if (b->err)
					*b->err = se;
			}
			continue;
		}
		b->active++;
	}
}

int
http_do_many(struct http_client *c, const struct http_request *reqs,
    struct http_response *resps, size_t n, int concurrency, struct zpub_err *err)
{
	struct batch b = {.c = c, .reqs = reqs, .resps = resps, .n = n, .pending = n,
	    .concurrency = concurrency, .err = err};

	if (c == NULL)
		return zpub_err_set(err, ZPUB_EINVAL, "HTTP client missing");
	batch_more(&b);
	while (b.pending > 0) {
		if (uv_run(&c->loop, UV_RUN_ONCE) == 0 && c->inflight > 0) {
			int running = 0;
			curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
			check_done(c);
		}
	}
	return b.first_rc;
}

int
http_do(struct http_client *c, const struct http_request *req,
    struct http_response *resp, struct zpub_err *err)
{
	return http_do_many(c, req, resp, 1, 1, err);
}
