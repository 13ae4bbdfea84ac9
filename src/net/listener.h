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
	struct lsn_conn *conn;  /* for lsn_defer */
};

struct lsn_reply {
	int status;             /* 200 when left 0 */
	const char *content_type; /* "text/html; charset=utf-8" when NULL */
	char *body;             /* malloc'd; the listener frees it */
	char *location;         /* malloc'd or NULL: a Location header (302) */
	int retry_after_s;      /* > 0: a Retry-After header (429, 503) */
};

/* Fills reply; returns 1 when the listener's job is done (it answers this
 * request, then stops), 0 to keep listening. */
typedef int (*lsn_route_fn)(void *ud, const struct lsn_request *req,
    struct lsn_reply *reply);

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

/* Escapes &<>"' for HTML; malloc'd. */
char *lsn_html_escape(const char *s);

#endif
