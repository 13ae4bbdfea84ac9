/*
 * listener.h — a small loopback HTTP server on libuv + http-parser.
 *
 * Used for the OAuth redirect (one valid callback ends it) and by the
 * control API: every parsed request goes to a route callback that fills the
 * reply (or defers it to another thread) and says whether the listener is
 * done.  The listener itself keeps abusive clients from taking it over:
 *   - the request head must arrive within header_timeout_ms and the body
 *     may not stall longer than idle_timeout_ms (408, then closed);
 *   - at most max_connections are served, at most max_per_peer of them
 *     from one address; the next ones get 503 with Retry-After at once;
 *   - a Host header other than 127.0.0.1, localhost, [::1] (or the bound
 *     address), with or without the bound port, is refused with 421, so a
 *     web page on another name cannot reach it through DNS rebinding; the
 *     one exception is the public_host the operator names (the API behind
 *     a reverse proxy that forwards its own Host);
 *   - requests that are too large or malformed are answered 4xx.
 * None of those reach the route.  Binds a loopback address only.
 */
#ifndef ZPUB_NET_LISTENER_H
#define ZPUB_NET_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct lsn_conn;

struct lsn_request {
	const char *method;     /* "GET", "POST", ... */
	const char *path;       /* URL path, not decoded: "/callback" */
	const char *query;      /* raw query after '?', "" if none */
	const char *body;       /* NUL-terminated, "" if none */
	size_t body_len;
	const char *peer;       /* "127.0.0.1:54321" */
	const char *authorization; /* the Authorization header or NULL; never log it */
	const char *content_type;  /* the Content-Type header or NULL */
	const char *zm_signature;  /* x-zm-signature (Zoom's webhooks) or NULL */
	const char *zm_timestamp;  /* x-zm-request-timestamp or NULL */
	const char *range;         /* Range or NULL */
	const char *content_range; /* Content-Range or NULL */
	const char *checksum;      /* X-Zpub-Sha256 or NULL */
	int64_t content_length;    /* -1 when not given (chunked) */
	void *stream;              /* a streamed body's result (lsn_sink.result), else NULL */
	struct lsn_conn *conn;  /* for lsn_defer */
};

struct lsn_reply {
	int status;             /* 200 when left 0 */
	const char *content_type; /* "text/html; charset=utf-8" when NULL */
	char *body;             /* malloc'd; the listener frees it */
	char *location;         /* malloc'd or NULL: a Location header (302) */
	int retry_after_s;      /* > 0: a Retry-After header (429, 503) */
	/* A file as the body instead: file_length bytes of file_path from
	 * file_offset, sent in chunks as the client reads them.  Both malloc'd
	 * or NULL; headers holds whole "Name: value\r\n" lines (Content-Range,
	 * Accept-Ranges, Content-Disposition). */
	char *file_path;
	int64_t file_offset, file_length;
	char *headers;
};

/* Fills reply; returns 1 when the listener's job is done (it answers this
 * request, then stops), 0 to keep listening. */
typedef int (*lsn_route_fn)(void *ud, const struct lsn_request *req,
    struct lsn_reply *reply);

/* A request body taken as a stream instead of being buffered: the listener
 * hands each piece to write as it arrives (the idle timeout still holds),
 * never more than max_bytes in all (413), then calls end exactly once —
 * with complete = 1 when the whole body is in, before the route; with 0
 * when the client went away, stalled or was refused (what was written
 * stays where the sink put it).  write and end return 0, or -1 with an
 * answer in *reply that is sent at once (the route is not called).  end
 * frees ud.  result (malloc'd, plain data) reaches the route as
 * req->stream and is freed by the listener. */
struct lsn_sink {
	int (*write)(void *ud, const char *at, size_t n, struct lsn_reply *reply);
	int (*end)(void *ud, int complete, struct lsn_reply *reply);
	void *ud;
	uint64_t max_bytes;        /* 0 = no cap of the listener's */
	void *result;
};

/* Asked once the head of a request is in (its Host already checked; body,
 * stream NULL): 0 = buffer the body as usual (max_request_bytes), 1 = the
 * body streams into *sink, -1 = refused with *reply before one body byte
 * is read.  "Expect: 100-continue" is answered only for streams taken. */
typedef int (*lsn_stream_fn)(void *ud, const struct lsn_request *head,
    struct lsn_sink *sink, struct lsn_reply *reply);

struct lsn_opts {
	const char *host;          /* bind address, a 127.x.y.z one; NULL = 127.0.0.1 */
	int port;                  /* 0 = a free port */
	size_t max_request_bytes;  /* head + body; 0 = 16 KiB; larger -> 413/431 */
	int64_t timeout_ms;        /* lsn_run gives up after this; 0 = none */
	int64_t header_timeout_ms; /* the whole request head; 0 = 10 s */
	int64_t idle_timeout_ms;   /* a stalled body, a peer that never closes; 0 = 30 s */
	int max_connections;       /* served at once; 0 = 16; more get 503 */
	int max_per_peer;          /* of those from one address; 0 = max_connections */
	int json_errors;           /* the listener's own answers as {"error": ...} */
	const char *public_host;   /* a name the Host header may also carry, with no
	                            * port, public_port or the bound one; NULL = none */
	int public_port;
	lsn_route_fn route;
	lsn_stream_fn stream;      /* NULL = every body is buffered */
	void *ud;
};

struct listener;

/* Binds opts->host (port 0 = free) and listens; serves in lsn_run. */
int lsn_open(const struct lsn_opts *opts, struct listener **out, struct zpub_err *err);
int lsn_port(const struct listener *l);
/* Serves until the route says done, lsn_stop is called (0) or the timeout
 * passes (ZPUB_ECANCEL with a sentence saying nothing came back in time). */
int lsn_run(struct listener *l, struct zpub_err *err);
/* From any thread: lsn_run closes every connection (answers being written
 * get a second) and returns 0.  Not after lsn_free. */
void lsn_stop(struct listener *l);
void lsn_free(struct listener *l);

/* Slow answers.  Inside the route, lsn_defer(req) takes the connection
 * over (the route's reply is then ignored); later, from any thread,
 * lsn_deferred_reply sends the answer (taking reply->body and location)
 * and frees d.  When the client or the listener is gone by then, the
 * answer is dropped quietly. */
struct lsn_deferred;
struct lsn_deferred *lsn_defer(const struct lsn_request *req);
void lsn_deferred_reply(struct lsn_deferred *d, struct lsn_reply *reply);

/* Finds key in a raw query string and URL-decodes its value into a new
 * string; NULL if absent. */
char *lsn_query_get(const char *query, const char *key);

/* Range: "bytes=A-B", "bytes=A-" or "bytes=-N" against a body of size
 * bytes.  1 with the inclusive [*first, *last] to send (206); 0 when h is
 * NULL, not one bytes range or malformed (send it all: 200, as RFC 9110
 * allows); -1 when no byte of it exists (416). */
int lsn_range_parse(const char *h, int64_t size, int64_t *first, int64_t *last);
/* A request's Content-Range: "bytes A-B/SIZE" (1 with all three) or
 * "bytes * /SIZE" without the space (0: a question for the offset, *first
 * and *last -1); SIZE may be "*" (-1).  -1 when malformed or A > B or
 * B >= SIZE. */
int lsn_content_range_parse(const char *h, int64_t *first, int64_t *last, int64_t *size);

/* Escapes &<>"' for HTML; malloc'd. */
char *lsn_html_escape(const char *s);

#endif
