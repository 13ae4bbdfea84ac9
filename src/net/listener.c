/*
 * listener.c — loopback HTTP listener: libuv TCP + http-parser, one route
 * callback.  Each connection is parsed with a size cap under a timer (the
 * head within header_timeout_ms, then idle_timeout_ms between reads); a
 * complete request with a loopback Host goes to the route, whose reply is
 * sent with "Connection: close".  Connections beyond the caps are answered
 * 503 at once.  Bad requests (malformed, too large, late, foreign Host) are
 * answered here and change nothing.  Deferred replies and lsn_stop come
 * from other threads through one uv_async.  A body the owner takes as a
 * stream (lsn_opts.stream) goes to its sink piece by piece instead of
 * memory; a file reply is read and written a chunk at a time.
 */
#include "listener.h"

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <http_parser.h>
#include <uv.h>

#include "util.h"

/* The seconds a peer that got its answer may take to close (it reads the
 * whole answer first; closing with unread input would reset it). */
#define LSN_LINGER_MS 2000
/* Connections answered 503 at once, beyond the served ones; a flood past
 * this is closed without an answer. */
#define LSN_MAX_REFUSING 64
/* A file reply is read and written this much at a time. */
#define LSN_FILE_CHUNK (256 * 1024)

struct listener {
	uv_loop_t loop;
	uv_tcp_t server;
	uv_timer_t timeout;
	uv_async_t wake;            /* deferred replies and lsn_stop */
	struct lsn_opts opts;       /* defaults filled in */
	char host[INET_ADDRSTRLEN];
	char public_host[256];      /* lsn_opts.public_host's copy, "" = none */
	int port;
	int connections;            /* open, of any kind */
	int serving;                /* counted against max_connections */
	struct lsn_conn *conns;
	int finished;               /* route said done */
	int timed_out;
	int stopped;                /* lsn_stop */
	int closing;
	/* under defer_mu: */
	struct lsn_deferred *deferred;
	int stop_requested;
};

struct lsn_conn {
	uv_tcp_t tcp;
	uv_timer_t timer;           /* head, idle or linger deadline */
	int open_handles;
	struct listener *l;
	struct lsn_conn *prev, *next;
	http_parser parser;
	char *url;
	size_t url_len;
	char *body;
	size_t body_len;
	size_t total;       /* bytes received */
	int complete;
	int replied;
	int headers_done;
	int served;         /* counts in l->serving */
	char *hname, *hvalue;   /* header being parsed */
	size_t hname_len, hvalue_len;
	int in_value;
	char *authorization, *content_type, *host;
	char *zm_signature, *zm_timestamp;
	char *range, *content_range, *checksum, *expect;
	int split;          /* url cut at '?' into path and query */
	char *query;
	struct lsn_sink sink;
	int streaming;      /* the body goes to sink */
	int sink_open;      /* sink.end not called yet */
	uint64_t streamed;  /* body bytes given to the sink */
	struct lsn_reply early; /* an answer before the body's end (refused stream) */
	int early_set;
	int file_fd;        /* a file reply being sent; -1 when none */
	int64_t file_pos, file_left;
	int too_large;      /* Content-Length says the body will not fit */
	size_t drained;     /* bytes thrown away after the reply */
	struct lsn_deferred *deferred;  /* the route took it over */
	uv_shutdown_t shutdown;
	char ip[INET_ADDRSTRLEN];
	char peer[64];
};

/* Every field but reply, ready and next is the loop thread's; those three
 * and the listener's list are under defer_mu, which is global because a
 * deferred reply may outlive its listener. */
struct lsn_deferred {
	struct listener *l;         /* NULL once the listener is gone */
	struct lsn_conn *c;         /* NULL once the connection is gone */
	struct lsn_reply reply;
	int ready;
	struct lsn_deferred *next;
};

static pthread_mutex_t defer_mu = PTHREAD_MUTEX_INITIALIZER;

/* The one table of reason phrases (RFC 9110); a code missing here gets its
 * class's phrase, never a made-up word. */
static const struct { int status; const char *text; } status_texts[] = {
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" }, { 204, "No Content" },
	{ 301, "Moved Permanently" }, { 302, "Found" }, { 303, "See Other" },
	{ 304, "Not Modified" }, { 307, "Temporary Redirect" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" }, { 406, "Not Acceptable" },
	{ 408, "Request Timeout" }, { 409, "Conflict" }, { 410, "Gone" },
	{ 411, "Length Required" }, { 413, "Content Too Large" },
	{ 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
	{ 421, "Misdirected Request" }, { 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" }, { 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
};

static const char *
status_text(int status)
{
	static const char *classes[] = { "Informational", "Success", "Redirection",
		"Client Error", "Server Error" };
	for (size_t i = 0; i < sizeof status_texts / sizeof status_texts[0]; i++)
		if (status_texts[i].status == status)
			return status_texts[i].text;
	return status >= 100 && status < 600 ? classes[status / 100 - 1] : "Server Error";
}

static void
reply_clear(struct lsn_reply *r)
{
	free(r->body);
	free(r->location);
	free(r->file_path);
	free(r->headers);
	r->body = r->location = r->file_path = r->headers = NULL;
}

static void
conn_handle_closed(uv_handle_t *h)
{
	struct lsn_conn *c = h->data;
	struct listener *l = c->l;
	if (--c->open_handles > 0)
		return;
	if (c->sink_open) {
		/* the client went away (or stalled, or was refused) mid-body */
		struct lsn_reply ignored = {0};
		c->sink_open = 0;
		c->sink.end(c->sink.ud, 0, &ignored);
		reply_clear(&ignored);
	}
	free(c->sink.result);
	reply_clear(&c->early);
	if (c->file_fd >= 0)
		close(c->file_fd);
	l->connections--;
	if (c->served)
		l->serving--;
	if (c->prev)
		c->prev->next = c->next;
	else
		l->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->deferred)
		c->deferred->c = NULL;
	if (c->authorization) {
		memset(c->authorization, 0, strlen(c->authorization));
		free(c->authorization);
	}
	free(c->content_type);
	free(c->host);
	free(c->zm_signature);
	free(c->zm_timestamp);
	free(c->range);
	free(c->content_range);
	free(c->checksum);
	free(c->expect);
	free(c->hname);
	free(c->hvalue);
	free(c->url);
	free(c->body);
	free(c);
}

static void
conn_close(struct lsn_conn *c)
{
	if (!uv_is_closing((uv_handle_t *)&c->tcp)) {
		uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
		uv_close((uv_handle_t *)&c->tcp, conn_handle_closed);
	}
}

static void on_conn_timer(uv_timer_t *t);

static void
conn_arm(struct lsn_conn *c, int64_t ms)
{
	if (!uv_is_closing((uv_handle_t *)&c->timer))
		uv_timer_start(&c->timer, on_conn_timer, (uint64_t)ms, 0);
}

static void on_grace(uv_timer_t *t);

static void
listener_stop(struct listener *l)
{
	if (l->closing)
		return;
	l->closing = 1;
	/* the ones still waiting for a request or an answer go now; replies in
	 * flight get a second to reach their browsers */
	for (struct lsn_conn *c = l->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (!c->replied)
			conn_close(c);
	}
	uv_timer_start(&l->timeout, on_grace, 1000, 0);
	uv_close((uv_handle_t *)&l->server, NULL);
}

struct write_req {
	uv_write_t w;
	char *buf;
	struct lsn_conn *c;
};

static void
on_shutdown(uv_shutdown_t *sh, int status)
{
	(void)sh;
	(void)status;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void on_written(uv_write_t *w, int status);

/* The next chunk of a file reply; 0 when one is on its way, 1 when the
 * file is all sent, -1 when it cannot be read. */
static int
conn_file_next(struct lsn_conn *c)
{
	if (c->file_fd < 0 || c->file_left <= 0)
		return 1;
	size_t want = c->file_left < LSN_FILE_CHUNK ? (size_t)c->file_left : LSN_FILE_CHUNK;
	struct write_req *wr = xcalloc(1, sizeof *wr);
	wr->buf = xmalloc(want);
	wr->c = c;
	ssize_t n;
	do
		n = pread(c->file_fd, wr->buf, want, (off_t)c->file_pos);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		free(wr->buf);
		free(wr);
		return -1;
	}
	c->file_pos += n;
	c->file_left -= n;
	uv_buf_t b = uv_buf_init(wr->buf, (unsigned)n);
	if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
		free(wr->buf);
		free(wr);
		return -1;
	}
	/* a reader that stops reading is dropped after the idle time */
	conn_arm(c, c->l->opts.idle_timeout_ms);
	return 0;
}

static void
on_written(uv_write_t *w, int status)
{
	struct write_req *wr = (struct write_req *)w;
	struct lsn_conn *c = wr->c;
	free(wr->buf);
	free(wr);
	if (uv_is_closing((uv_handle_t *)&c->tcp))
		return;
	if (status == 0 && c->file_fd >= 0) {
		int more = conn_file_next(c);
		if (more == 0)
			return;
		close(c->file_fd);
		c->file_fd = -1;
		if (more < 0) {
			conn_close(c);   /* the length is promised: cut it short */
			return;
		}
	}
	/* half-close and read until the peer closes, so it gets the whole reply
	 * (closing with unread input would reset the connection); a peer that
	 * never closes is closed after the linger time */
	int rr = status < 0 ? status :
	    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
	if ((rr != 0 && rr != UV_EALREADY) ||
	    uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
		conn_close(c);
		return;
	}
	int64_t idle = c->l->opts.idle_timeout_ms;
	conn_arm(c, idle < LSN_LINGER_MS ? idle : LSN_LINGER_MS);
}

static int
header_safe(const char *s)
{
	return s == NULL || strpbrk(s, "\r\n") == NULL;
}

/* Sends r (nothing of it is taken) and moves the connection to lingering. */
static void
conn_reply(struct lsn_conn *c, const struct lsn_reply *r)
{
	struct write_req *wr;
	char retry[48] = "";
	char *loc = NULL;
	int n;

	if (c->replied || uv_is_closing((uv_handle_t *)&c->tcp))
		return;
	c->replied = 1;
	uv_timer_stop(&c->timer);
	/* answered: its slot goes to the next client while it lingers */
	if (c->served) {
		c->served = 0;
		c->l->serving--;
	}
	const char *body = r->body ? r->body : "";
	const char *type = r->content_type ? r->content_type : "text/html; charset=utf-8";
	int status = r->status ? r->status : 200;
	uint64_t body_len = strlen(body);
	const char *extra = r->headers ? r->headers : "";
	if (r->file_path != NULL) {
		c->file_fd = open(r->file_path, O_RDONLY | O_CLOEXEC);
		if (c->file_fd >= 0) {
			c->file_pos = r->file_offset;
			c->file_left = r->file_length;
			body = "";
			body_len = (uint64_t)r->file_length;
		} else {
			status = 500;
			extra = "";
			type = c->l->opts.json_errors ? "application/json" : "text/html; charset=utf-8";
			body = c->l->opts.json_errors ? "{\"error\":\"the file to send cannot be"
			    " opened any more; try again\"}" : "";
			body_len = strlen(body);
		}
	}
	if (!header_safe(r->location) || !header_safe(r->content_type)) {
		status = 500;
		type = c->l->opts.json_errors ? "application/json" : "text/html; charset=utf-8";
		body = c->l->opts.json_errors ? "{\"error\":\"internal error: a reply header"
		    " held a line break\"}" : "";
	} else if (r->location != NULL) {
		loc = xasprintf("Location: %s\r\n", r->location);
	}
	if (r->retry_after_s > 0)
		snprintf(retry, sizeof retry, "Retry-After: %d\r\n", r->retry_after_s);
	wr = xcalloc(1, sizeof *wr);
	wr->buf = xasprintf(
	    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %llu\r\n%s%s%s"
	    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: no-referrer\r\nConnection: close\r\n\r\n%s",
	    status, status_text(status), type, (unsigned long long)body_len, retry,
	    loc ? loc : "", status == 500 && r->file_path ? "" : extra, body);
	free(loc);
	n = (int)strlen(wr->buf);
	wr->c = c;
	uv_buf_t b = uv_buf_init(wr->buf, (unsigned)n);
	if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, &b, 1, on_written) != 0) {
		free(wr->buf);
		free(wr);
		conn_close(c);
	}
}

/* One of the listener's own answers, HTML or JSON as the opts say; msg
 * holds no markup or quotes. */
static void
conn_reply_error(struct lsn_conn *c, int status, int retry_after_s, const char *msg)
{
	struct lsn_reply r = { .status = status, .retry_after_s = retry_after_s };
	if (c->l->opts.json_errors) {
		r.content_type = "application/json";
		r.body = xasprintf("{\"error\":\"%s\"}", msg);
	} else {
		r.body = xasprintf("<p>%s</p>", msg);
	}
	conn_reply(c, &r);
	reply_clear(&r);
}

static int
append(char **dst, size_t *len, const char *at, size_t n)
{
	char *p = xrealloc(*dst, *len + n + 1);
	memcpy(p + *len, at, n);
	*len += n;
	p[*len] = '\0';
	*dst = p;
	return 0;
}

static int
on_url(http_parser *p, const char *at, size_t n)
{
	struct lsn_conn *c = p->data;
	return append(&c->url, &c->url_len, at, n);
}

/* Keeps the finished header if it is one routes (or the Host check) read. */
static void
header_done(struct lsn_conn *c)
{
	char **slot = NULL;
	if (c->hname == NULL)
		return;
	if (strcasecmp(c->hname, "Authorization") == 0)
		slot = &c->authorization;
	else if (strcasecmp(c->hname, "Content-Type") == 0)
		slot = &c->content_type;
	else if (strcasecmp(c->hname, "Host") == 0)
		slot = &c->host;
	else if (strcasecmp(c->hname, "x-zm-signature") == 0)
		slot = &c->zm_signature;
	else if (strcasecmp(c->hname, "x-zm-request-timestamp") == 0)
		slot = &c->zm_timestamp;
	else if (strcasecmp(c->hname, "Range") == 0)
		slot = &c->range;
	else if (strcasecmp(c->hname, "Content-Range") == 0)
		slot = &c->content_range;
	else if (strcasecmp(c->hname, "X-Zpub-Sha256") == 0)
		slot = &c->checksum;
	else if (strcasecmp(c->hname, "Expect") == 0)
		slot = &c->expect;
	if (slot != NULL && *slot == NULL) {
		*slot = c->hvalue ? c->hvalue : xstrdup("");
		c->hvalue = NULL;
	} else if (slot == &c->host) {
		c->too_large = -1;   /* two Host headers: refused as malformed */
	}
	free(c->hname);
	if (c->hvalue) {
		memset(c->hvalue, 0, c->hvalue_len);
		free(c->hvalue);
	}
	c->hname = c->hvalue = NULL;
	c->hname_len = c->hvalue_len = 0;
	c->in_value = 0;
}

static int
on_header_field(http_parser *p, const char *at, size_t n)
{
	struct lsn_conn *c = p->data;
	if (c->in_value)
		header_done(c);
	return append(&c->hname, &c->hname_len, at, n);
}

static int
on_header_value(http_parser *p, const char *at, size_t n)
{
	struct lsn_conn *c = p->data;
	c->in_value = 1;
	return append(&c->hvalue, &c->hvalue_len, at, n);
}

static int
on_body(http_parser *p, const char *at, size_t n)
{
	struct lsn_conn *c = p->data;
	if (!c->streaming)
		return append(&c->body, &c->body_len, at, n);
	if (c->early_set || c->too_large)
		return 0;
	c->streamed += n;
	if (c->sink.max_bytes > 0 && c->streamed > c->sink.max_bytes) {
		c->too_large = 1;
		http_parser_pause(p, 1);
		return 0;
	}
	if (c->sink.write(c->sink.ud, at, n, &c->early) != 0) {
		c->early_set = 1;
		http_parser_pause(p, 1);
	}
	return 0;
}

static int host_allowed(const struct listener *l, const char *host);
static void conn_request(struct lsn_conn *c, struct lsn_request *req);

static void
on_continue_written(uv_write_t *w, int status)
{
	(void)status;
	free(w);
}

/* Asks the owner whether this request's body streams, before any of it is
 * read; a taken stream with "Expect: 100-continue" is told to go on. */
static void
conn_stream_ask(struct lsn_conn *c)
{
	struct listener *l = c->l;
	struct lsn_request req;
	if (l->opts.stream == NULL || c->too_large != 0 || c->url == NULL || c->url[0] != '/' ||
	    !host_allowed(l, c->host) || l->finished)
		return;
	conn_request(c, &req);
	int s = l->opts.stream(l->opts.ud, &req, &c->sink, &c->early);
	if (s < 0) {
		c->early_set = 1;
		http_parser_pause(&c->parser, 1);
		return;
	}
	if (s == 0)
		return;
	c->streaming = c->sink_open = 1;
	if (c->expect != NULL && strcasecmp(c->expect, "100-continue") == 0) {
		static char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		uv_write_t *w = xcalloc(1, sizeof *w);
		uv_buf_t b = uv_buf_init(cont, sizeof cont - 1);
		if (uv_write(w, (uv_stream_t *)&c->tcp, &b, 1, on_continue_written) != 0)
			free(w);
	}
}

static int
on_headers_complete(http_parser *p)
{
	struct lsn_conn *c = p->data;
	uint64_t max = c->l->opts.max_request_bytes;
	header_done(c);
	c->headers_done = 1;
	/* the head is in: from now on only stalling counts */
	conn_arm(c, c->l->opts.idle_timeout_ms);
	conn_stream_ask(c);
	if (c->early_set)
		return 0;
	if (c->streaming)
		max = c->sink.max_bytes > 0 ? c->sink.max_bytes : UINT64_MAX;
	if (p->content_length != ULLONG_MAX && p->content_length > max) {
		c->too_large = 1;
		http_parser_pause(p, 1);
	}
	return 0;
}

static int
on_message_complete(http_parser *p)
{
	struct lsn_conn *c = p->data;
	c->complete = 1;
	http_parser_pause(p, 1); /* one request per connection */
	return 0;
}

static const http_parser_settings parser_settings = {
	.on_url = on_url,
	.on_header_field = on_header_field,
	.on_header_value = on_header_value,
	.on_body = on_body,
	.on_headers_complete = on_headers_complete,
	.on_message_complete = on_message_complete,
};

/* The Host header names this listener: 127.0.0.1, localhost, [::1] or the
 * bound address, with no port or the bound one; or the operator's public
 * name with no port, its public port or the bound one. */
static int
host_allowed(const struct listener *l, const char *host)
{
	if (host != NULL && l->public_host[0] != '\0') {
		size_t pl = strlen(l->public_host);
		if (strncasecmp(host, l->public_host, pl) == 0) {
			const char *rest = host + pl;
			char *end;
			long port = *rest == ':' ? strtol(rest + 1, &end, 10) : -1;
			if (*rest == '\0' || (*rest == ':' && rest[1] != '\0' && *end == '\0' &&
			    (port == l->port || port == l->opts.public_port)))
				return 1;
		}
	}
	static const char *const names[] = { "127.0.0.1", "localhost", "[::1]", NULL };
	if (host == NULL || *host == '\0')
		return 0;
	const char *colon = strrchr(host, ':');
	if (colon != NULL && strchr(colon, ']') != NULL)
		colon = NULL;   /* the ':' was inside [::1] */
	size_t name_len = colon ? (size_t)(colon - host) : strlen(host);
	if (colon != NULL) {
		char *end;
		long port = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || port != l->port)
			return 0;
	}
	for (int i = 0; names[i]; i++)
		if (strlen(names[i]) == name_len && strncasecmp(host, names[i], name_len) == 0)
			return 1;
	return strlen(l->host) == name_len && strncmp(host, l->host, name_len) == 0;
}

/* The request as routes see it (the url is cut at '?' once). */
static void
conn_request(struct lsn_conn *c, struct lsn_request *req)
{
	if (!c->split) {
		c->split = 1;
		c->query = strchr(c->url, '?');
		if (c->query != NULL)
			*c->query++ = '\0';
	}
	memset(req, 0, sizeof *req);
	req->method = http_method_str((enum http_method)c->parser.method);
	req->path = c->url;
	req->query = c->query ? c->query : "";
	req->body = c->body ? c->body : "";
	req->body_len = c->body_len;
	req->peer = c->peer;
	req->authorization = c->authorization;
	req->content_type = c->content_type;
	req->zm_signature = c->zm_signature;
	req->zm_timestamp = c->zm_timestamp;
	req->range = c->range;
	req->content_range = c->content_range;
	req->checksum = c->checksum;
	req->content_length = c->parser.content_length != ULLONG_MAX &&
	    c->parser.content_length <= INT64_MAX ? (int64_t)c->parser.content_length : -1;
	req->stream = c->streaming ? c->sink.result : NULL;
	req->conn = c;
}

static void
conn_dispatch(struct lsn_conn *c)
{
	struct listener *l = c->l;
	struct lsn_reply reply = {0};
	struct lsn_request req = {0};

	uv_timer_stop(&c->timer);
	if (c->too_large < 0 || c->url == NULL || c->url[0] != '/') {
		conn_reply_error(c, 400, 0, "Bad request.");
		return;
	}
	if (!host_allowed(l, c->host)) {
		conn_reply_error(c, 421, 0, "This server answers only to 127.0.0.1, localhost or"
		    " [::1] with its own port in the Host header; the request was refused.");
		return;
	}
	if (l->finished) {
		conn_reply_error(c, 404, 0, "This sign-in page has already been used.");
		return;
	}
	if (c->sink_open) {
		/* the whole body is in the sink: close it before the route runs */
		c->sink_open = 0;
		if (c->sink.end(c->sink.ud, 1, &reply) != 0) {
			conn_reply(c, &reply);
			reply_clear(&reply);
			return;
		}
		reply_clear(&reply);
	}
	conn_request(c, &req);
	int done = l->opts.route ? l->opts.route(l->opts.ud, &req, &reply) : 0;
	if (c->deferred != NULL) {
		/* the answer comes through lsn_deferred_reply; nothing more is read */
		uv_read_stop((uv_stream_t *)&c->tcp);
	} else {
		conn_reply(c, &reply);
	}
	reply_clear(&reply);
	if (done) {
		l->finished = 1;
		listener_stop(l);
	}
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	if (suggested > 16384)
		suggested = 16384;
	buf->base = xmalloc(suggested);
	buf->len = suggested;
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct lsn_conn *c = s->data;
	size_t max = c->l->opts.max_request_bytes;

	if (nread < 0) {
		free(buf->base);
		conn_close(c);
		return;
	}
	if (nread == 0 || c->replied || c->complete) {
		free(buf->base);
		c->drained += nread > 0 ? (size_t)nread : 0;
		if (c->drained > 1024 * 1024)
			conn_close(c);
		return;
	}
	c->total += (size_t)nread;
	if (c->headers_done)
		conn_arm(c, c->l->opts.idle_timeout_ms);
	if (!c->streaming && c->headers_done && c->total > max) {
		free(buf->base);
		conn_reply_error(c, 413, 0, "Request too large.");
		return;
	}
	/* the head and too much body may come in one read: it is parsed first
	 * to tell a body too large (413) from a head too large (431), and a
	 * body that streams from one that does not */
	size_t used = http_parser_execute(&c->parser, &parser_settings, buf->base, (size_t)nread);
	free(buf->base);
	enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
	if (c->early_set) {
		conn_reply(c, &c->early);
		return;
	}
	if (c->too_large > 0 || (!c->streaming && c->total > max)) {
		conn_reply_error(c, c->headers_done ? 413 : 431, 0, "Request too large.");
		return;
	}
	if (c->complete) {
		conn_dispatch(c);
		return;
	}
	if (e != HPE_OK || used != (size_t)nread) {
		conn_reply_error(c, 400, 0, "Bad request.");
		return;
	}
}

static void
on_conn_timer(uv_timer_t *t)
{
	struct lsn_conn *c = t->data;
	if (c->replied || c->deferred != NULL) {
		conn_close(c);   /* lingered long enough */
		return;
	}
	conn_reply_error(c, 408, 0, c->headers_done ? "The request body stalled; send it"
	    " without pauses." : "The request did not arrive in time.");
}

static int
peer_count(const struct listener *l, const char *ip)
{
	int n = 0;
	for (const struct lsn_conn *c = l->conns; c != NULL; c = c->next)
		n += c->served && strcmp(c->ip, ip) == 0;
	return n;
}

/* Seconds a refused client should wait: a stalled slot is free by then. */
static int
retry_after_s(const struct listener *l)
{
	int64_t s = (l->opts.header_timeout_ms + 999) / 1000;
	return s < 1 ? 1 : s > 10 ? 10 : (int)s;
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct listener *l = server->data;
	struct lsn_conn *c;

	if (status < 0)
		return;
	c = xcalloc(1, sizeof *c);
	c->l = l;
	c->file_fd = -1;
	uv_tcp_init(&l->loop, &c->tcp);
	uv_timer_init(&l->loop, &c->timer);
	c->tcp.data = c->timer.data = c;
	c->open_handles = 2;
	c->next = l->conns;
	if (l->conns)
		l->conns->prev = c;
	l->conns = c;
	l->connections++;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0 || l->closing) {
		conn_close(c);
		return;
	}
	struct sockaddr_storage ss;
	int len = sizeof ss;
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0 &&
	    ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		uv_ip4_name(sin, c->ip, sizeof c->ip);
		snprintf(c->peer, sizeof c->peer, "%s:%d", c->ip, ntohs(sin->sin_port));
	}
	http_parser_init(&c->parser, HTTP_REQUEST);
	c->parser.data = c;
	uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
	if (l->serving >= l->opts.max_connections ||
	    peer_count(l, c->ip) >= l->opts.max_per_peer) {
		if (l->connections - l->serving > LSN_MAX_REFUSING) {
			conn_close(c);   /* a flood: no answer for these */
			return;
		}
		conn_reply_error(c, 503, retry_after_s(l), "Too many connections; try again"
		    " in a moment.");
		return;
	}
	c->served = 1;
	l->serving++;
	conn_arm(c, l->opts.header_timeout_ms);
}

static void
on_grace(uv_timer_t *t)
{
	struct listener *l = t->data;
	for (struct lsn_conn *c = l->conns, *next; c != NULL; c = next) {
		next = c->next;
		conn_close(c);
	}
}

static void
on_timeout(uv_timer_t *t)
{
	struct listener *l = t->data;
	l->timed_out = 1;
	listener_stop(l);
}

/* Deferred replies that are ready, and a stop asked from another thread. */
static void
on_wake(uv_async_t *a)
{
	struct listener *l = a->data;
	struct lsn_deferred *ready = NULL, **pp;
	int stop;

	pthread_mutex_lock(&defer_mu);
	for (pp = &l->deferred; *pp != NULL;) {
		struct lsn_deferred *d = *pp;
		if (d->ready) {
			*pp = d->next;
			d->next = ready;
			ready = d;
		} else {
			pp = &d->next;
		}
	}
	stop = l->stop_requested;
	pthread_mutex_unlock(&defer_mu);
	while (ready != NULL) {
		struct lsn_deferred *d = ready;
		ready = d->next;
		if (d->c != NULL) {
			d->c->deferred = NULL;
			conn_reply(d->c, &d->reply);
		}
		reply_clear(&d->reply);
		free(d);
	}
	if (stop) {
		l->stopped = 1;
		listener_stop(l);
	}
}

struct lsn_deferred *
lsn_defer(const struct lsn_request *req)
{
	struct lsn_conn *c = req->conn;
	struct lsn_deferred *d;
	if (c == NULL || c->deferred != NULL)
		return NULL;
	d = xcalloc(1, sizeof *d);
	d->l = c->l;
	d->c = c;
	c->deferred = d;
	pthread_mutex_lock(&defer_mu);
	d->next = c->l->deferred;
	c->l->deferred = d;
	pthread_mutex_unlock(&defer_mu);
	return d;
}

void
lsn_deferred_reply(struct lsn_deferred *d, struct lsn_reply *reply)
{
	if (d == NULL) {
		reply_clear(reply);
		return;
	}
	pthread_mutex_lock(&defer_mu);
	if (d->l == NULL) {
		/* the listener is gone: nobody to answer */
		pthread_mutex_unlock(&defer_mu);
		reply_clear(reply);
		free(d);
		return;
	}
	d->reply = *reply;
	reply->body = reply->location = reply->file_path = reply->headers = NULL;
	d->ready = 1;
	uv_async_send(&d->l->wake);
	pthread_mutex_unlock(&defer_mu);
}

void
lsn_stop(struct listener *l)
{
	pthread_mutex_lock(&defer_mu);
	l->stop_requested = 1;
	uv_async_send(&l->wake);
	pthread_mutex_unlock(&defer_mu);
}

/* 127.0.0.0/8 only. */
static int
loopback_v4(const struct sockaddr_in *a)
{
	return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
}

int
lsn_open(const struct lsn_opts *opts, struct listener **out, struct zpub_err *err)
{
	struct listener *l;
	struct sockaddr_in addr;
	int r;

	*out = NULL;
	l = xcalloc(1, sizeof *l);
	l->opts = *opts;
	if (l->opts.max_request_bytes == 0)
		l->opts.max_request_bytes = 16384;
	if (l->opts.header_timeout_ms <= 0)
		l->opts.header_timeout_ms = 10000;
	if (l->opts.idle_timeout_ms <= 0)
		l->opts.idle_timeout_ms = 30000;
	if (l->opts.max_connections <= 0)
		l->opts.max_connections = 16;
	if (l->opts.max_per_peer <= 0 || l->opts.max_per_peer > l->opts.max_connections)
		l->opts.max_per_peer = l->opts.max_connections;
	snprintf(l->host, sizeof l->host, "%s", opts->host ? opts->host : "127.0.0.1");
	if (uv_ip4_addr(l->host, opts->port, &addr) != 0 || !loopback_v4(&addr)) {
		zpub_err_set(err, ZPUB_EINVAL, "cannot listen on %s: only a loopback address"
		    " (127.x.y.z) is allowed", l->host);
		free(l);
		return ZPUB_EINVAL;
	}
	l->opts.host = NULL;   /* the caller's string; l->host is the copy */
	snprintf(l->public_host, sizeof l->public_host, "%s",
	    opts->public_host ? opts->public_host : "");
	l->opts.public_host = NULL;
	if ((r = uv_loop_init(&l->loop)) != 0) {
		free(l);
		return zpub_err_set(err, ZPUB_EIO, "cannot start the loopback listener: %s",
		    uv_strerror(r));
	}
	uv_tcp_init(&l->loop, &l->server);
	l->server.data = l;
	uv_timer_init(&l->loop, &l->timeout);
	l->timeout.data = l;
	uv_async_init(&l->loop, &l->wake, on_wake);
	l->wake.data = l;
	if ((r = uv_tcp_bind(&l->server, (const struct sockaddr *)&addr, 0)) != 0 ||
	    (r = uv_listen((uv_stream_t *)&l->server, 128, on_connection)) != 0) {
		zpub_err_set(err, ZPUB_EIO,
		    "cannot listen on %s:%d: %s; choose another port or free this one",
		    l->host, opts->port, uv_strerror(r));
		lsn_free(l);
		return ZPUB_EIO;
	}
	struct sockaddr_storage ss;
	int len = sizeof ss;
	uv_tcp_getsockname(&l->server, (struct sockaddr *)&ss, &len);
	l->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	*out = l;
	return 0;
}

int
lsn_port(const struct listener *l)
{
	return l ? l->port : 0;
}

int
lsn_run(struct listener *l, struct zpub_err *err)
{
	if (l->opts.timeout_ms > 0)
		uv_timer_start(&l->timeout, on_timeout, (uint64_t)l->opts.timeout_ms, 0);
	while (!l->closing || l->connections > 0)
		if (uv_run(&l->loop, UV_RUN_ONCE) == 0)
			break;
	if (l->finished || l->stopped)
		return 0;
	return zpub_err_set(err, ZPUB_ECANCEL,
	    "no valid answer reached http://%s:%d within %lld s; "
	    "run the command again and finish signing in within that time",
	    l->host, l->port, (long long)(l->opts.timeout_ms / 1000));
}

void
lsn_free(struct listener *l)
{
	if (l == NULL)
		return;
	/* Deferred replies still being worked on are cut loose: their owners
	 * free them when they answer.  Ready ones were never picked up. */
	pthread_mutex_lock(&defer_mu);
	for (struct lsn_deferred *d = l->deferred, *next; d != NULL; d = next) {
		next = d->next;
		if (d->c != NULL)
			d->c->deferred = NULL;
		d->c = NULL;
		if (d->ready) {
			reply_clear(&d->reply);
			free(d);
		} else {
			d->l = NULL;
		}
	}
	l->deferred = NULL;
	pthread_mutex_unlock(&defer_mu);
	for (struct lsn_conn *c = l->conns, *next; c != NULL; c = next) {
		next = c->next;
		conn_close(c);
	}
	if (!uv_is_closing((uv_handle_t *)&l->server))
		uv_close((uv_handle_t *)&l->server, NULL);
	uv_close((uv_handle_t *)&l->timeout, NULL);
	uv_close((uv_handle_t *)&l->wake, NULL);
	uv_run(&l->loop, UV_RUN_DEFAULT);
	uv_loop_close(&l->loop);
	free(l);
}

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

char *
lsn_query_get(const char *query, const char *key)
{
	size_t kl = strlen(key);
	const char *p = query;

	while (p != NULL && *p) {
		const char *amp = strchr(p, '&');
		size_t seg = amp ? (size_t)(amp - p) : strlen(p);
		if (seg > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1, *end = p + seg;
			char *out = xmalloc((size_t)(end - v) + 1), *o = out;
			while (v < end) {
				if (*v == '%' && end - v >= 3 && hexval(v[1]) >= 0 && hexval(v[2]) >= 0) {
					*o++ = (char)(hexval(v[1]) * 16 + hexval(v[2]));
					v += 3;
				} else if (*v == '+') {
					*o++ = ' ';
					v++;
				} else {
					*o++ = *v++;
				}
			}
			*o = '\0';
			return out;
		}
		if (seg == kl && strncmp(p, key, kl) == 0)
			return xstrdup("");
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

char *
lsn_html_escape(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += (*p == '&' || *p == '<' || *p == '>' || *p == '"' || *p == '\'') ? 6 : 1;
	char *out = xmalloc(n + 1), *o = out;
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '&': o += sprintf(o, "&amp;"); break;
		case '<': o += sprintf(o, "&lt;"); break;
		case '>': o += sprintf(o, "&gt;"); break;
		case '"': o += sprintf(o, "&quot;"); break;
		case '\'': o += sprintf(o, "&#39;"); break;
		default: *o++ = *p;
		}
	}
	*o = '\0';
	return out;
}
