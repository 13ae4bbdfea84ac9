/*
 * listener.h — a small loopback HTTP server on libuv + http-parser.
 *
 * Used for the OAuth redirect (one valid callback ends it) and meant to be
 * reused by the local control API: every parsed request goes to a route
 * callback that fills the reply and says whether the listener is done.
 * Requests that are too large or malformed are answered 4xx by the listener
 * itself and never reach the route.  Binds 127.0.0.1 only.
 */
#ifndef ZPUB_NET_LISTENER_H
#define ZPUB_NET_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct lsn_request {
	const char *method;     /* "GET", "POST", ... */
	const char *path;       /* URL path, not decoded: "/callback" */
	const char *query;      /* raw query after '?', "" if none */
	const char *body;       /* NUL-terminated, "" if none */
	size_t body_len;
	const char *peer;       /* "127.0.0.1:54321" */
	const char *authorization; /* the Authorization header or NULL; never log it */
	const char *content_type;  /* the Content-Type header or NULL */
};

struct lsn_reply {
	int status;             /* 200 when left 0 */
	const char *content_type; /* "text/html; charset=utf-8" when NULL */
	char *body;             /* malloc'd; the listener frees it */
};

/* Fills reply; returns 1 when the listener's job is done (it answers this
 * request, then stops), 0 to keep listening. */
typedef int (*lsn_route_fn)(void *ud, const struct lsn_request *req,
    struct lsn_reply *reply);

struct lsn_opts {
	int port;                  /* 0 = a free port */
	size_t max_request_bytes;  /* head + body; 0 = 16 KiB; larger -> 413/431 */
	int64_t timeout_ms;        /* lsn_run gives up after this; 0 = none */
	int max_connections;       /* 0 = 16; more are closed at once */
	lsn_route_fn route;
	void *ud;
};

struct listener;

/* Binds 127.0.0.1 (port 0 = free) and listens; serves in lsn_run. */
int lsn_open(const struct lsn_opts *opts, struct listener **out, struct zpub_err *err);
int lsn_port(const struct listener *l);
/* Serves until the route says done (0) or the timeout passes (ZPUB_ECANCEL
 * with a sentence saying nothing came back in time). */
int lsn_run(struct listener *l, struct zpub_err *err);
void lsn_free(struct listener *l);

/* Finds key in a raw query string and URL-decodes its value into a new
 * string; NULL if absent. */
char *lsn_query_get(const char *query, const char *key);

/* Escapes &<>"' for HTML; malloc'd. */
char *lsn_html_escape(const char *s);

#endif
