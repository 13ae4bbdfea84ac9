/*
 * api.h — the control API: a small JSON HTTP API on the loopback listener
 * (src/net/listener.h), with bearer tokens of users that belong to tenants.
 * api.c is the transport-free core; api_server.c serves it.
 *
 * Roles: owner (everything), editor (recordings, topics, templates,
 * publish), viewer (read); the operator (the bearer of api.metrics_token,
 * no tenant's user) may read GET /metrics only.  Tokens are random, shown once by
 * `zpub user token NAME`, and stored only as a BLAKE2b hash.  Each token is
 * rate-limited (api.rate_per_minute, api.rate_per_hour; 60 and 1000).
 * Every query is scoped to the caller's tenant, whatever ids the URL holds.
 */
#ifndef ZPUB_API_H
#define ZPUB_API_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct store;
struct api_streamed;

/* A new token "zpub_<43 chars>" (NUL-terminated, 64 bytes is enough). */
void api_token_new(char out[64]);
/* Hex BLAKE2b-256 of a token. */
void api_token_hash(const char *token, char out[65]);

/* ---- the transport-free core (unit-tested) ---- */

struct api_request {
	const char *method, *path, *query;   /* query raw, "" if none */
	const char *body;
	size_t body_len;
	const char *authorization;            /* the Authorization header or NULL */
	const char *peer;                     /* for the audit log */
	int64_t now_ms;                       /* 0 = the clock (tests pass their own) */
	const char *zm_signature, *zm_timestamp; /* Zoom's webhook headers or NULL */
	const char *range;                    /* Range or NULL (downloads) */
	const char *content_range;            /* Content-Range or NULL (uploads) */
	const char *checksum;                 /* X-Zpub-Sha256 or NULL */
	int64_t content_length;               /* -1 when not given */
	const struct api_streamed *stream;    /* a streamed body's result, else NULL */
};

struct api_response {
	int status;
	char *body;                           /* JSON (or content_type), malloc'd */
	const char *content_type;             /* NULL = application/json */
	int retry_after_s;                    /* > 0 with 429: send Retry-After */
	/* A file reply instead of body (artefact downloads): file_length bytes
	 * of file_path from file_offset; headers are extra whole header lines
	 * (Content-Range, Accept-Ranges).  malloc'd or NULL. */
	char *file_path;
	int64_t file_offset, file_length;
	char *headers;
};

struct api;
/* st stays the caller's; config is copied (api.rate_per_minute, ...). */
int api_new(struct store *st, const cJSON *config, struct api **out);
void api_free(struct api *a);
void api_handle(struct api *a, const struct api_request *r, struct api_response *out);

/* api_handle in two steps, so a server can run slow routes elsewhere:
 * api_prepare routes the request and checks the token, the rate limit and
 * the role (returns 0 with *call filled, or -1 with the error answer in
 * *out); api_call_run runs it, with this or another struct api (one per
 * thread: each has its own store handle). */
struct api_call {
	int route;                /* -1 when no route matched */
	int64_t id;
	char arg[2][48];          /* the path's text segments ({provider}, {name}) */
	int slow;                 /* scans folders, probes media or calls out (dry runs) */
	int stream;               /* its body streams to disk (api_stream_open) */
	int64_t tenant_id;
	int role;
	char name[128];
};
int api_prepare(struct api *a, const struct api_request *r, struct api_call *call,
    struct api_response *out);
void api_call_run(struct api *a, const struct api_request *r, const struct api_call *call,
    struct api_response *out);
/* Streamed bodies (uploads).  Once api_prepare accepted a call whose
 * route streams (call->stream), api_stream_open checks the upload itself
 * (its Content-Range against the stored offset, the size limits and the
 * tenant's storage quota) before one body byte is taken, and opens its
 * file; 0, or -1 with the error answer in *out.  Each piece goes to
 * api_stream_write; api_stream_end (always, exactly once) closes the file,
 * with complete = 0 when the client went away (the bytes stay for a
 * resume), and frees s; -1 with an answer when the body is not what was
 * announced.  The route then runs with r->stream = the result, which
 * api_stream_open fills and the caller keeps. */
struct api_streamed {
	struct api_call call;     /* as api_prepare made it: not checked twice */
	int64_t upload_id;
	int64_t max_bytes;        /* the body may not be longer */
};
struct api_stream;
/* 1 when method and path name a route whose body streams (from the route
 * table alone: nothing is checked or counted). */
int api_route_streams(const char *method, const char *path);
int api_stream_open(struct api *a, const struct api_request *r, const struct api_call *call,
    struct api_stream **s, struct api_streamed *result, struct api_response *out);
int api_stream_write(struct api_stream *s, const char *at, size_t n, struct api_response *out);
int api_stream_end(struct api_stream *s, int complete, struct api_response *out);
/* Removes the partial uploads of every tenant untouched for longer than
 * api.upload_expiry_h; the daemon calls it now and then. */
void api_uploads_expire(struct store *st, const cJSON *config);

/* The vault key for zoom jobs' dry runs (copied). */
void api_set_key_path(struct api *a, const char *key_path);
/* What the API calls when it queued work for the daemon (api_opts.wake). */
void api_set_wake(struct api *a, void (*wake)(void *ud), void *ud);
void api_response_clear(struct api_response *r);
/* The data folder whose disk GET /ready watches (copied). */
void api_set_data_dir(struct api *a, const char *data_dir);
/* Counts an answered request for /metrics, labelled with the route's
 * pattern ("/recordings/{id}"), never the raw path. */
void api_count(const struct api_call *call, const char *method, int status);
/* The address the server listens on ("http://127.0.0.1:8080"), copied;
 * /openapi.json names it in servers. */
void api_set_origin(struct api *a, const char *origin);
/* The OpenAPI 3.1 document, generated from the route table (new object);
 * origin is servers[0].url (NULL = "http://127.0.0.1/"). */
cJSON *api_openapi(const char *origin);

/* Splits api.public_url ("https://zpub.example.org[:port][/prefix]") into
 * the host name a reverse proxy forwards and its port (the scheme's when
 * not given).  ZPUB_EINVAL naming api.public_url for anything that is not
 * a plain http(s) address (user info, a query, a fragment, no host). */
int api_public_url_parse(const char *url, char host[256], int *port, struct zpub_err *err);

/* ---- the server ---- */

struct api_server;

struct api_opts {
	int port;                 /* host:port; 0 = a free one */
	const char *host;         /* a loopback address; NULL = 127.0.0.1 */
	const char *db_path;      /* the API opens its own store handle */
	const char *data_dir;
	const char *key_path;     /* the vault key */
	const cJSON *config;      /* defaults <- user config (copied) */
	/* Called (from the API's thread) when a route queued work the daemon
	 * should start now (a Zoom webhook's recording); NULL = none. */
	void (*wake)(void *ud);
	void *wake_ud;
};

/* Starts the API on its own thread (the listener owns a loop of its own)
 * and its workers for slow routes; returns once it listens.  *port_out gets
 * the bound port.  Checks api.header_timeout_ms, api.idle_timeout_ms,
 * api.max_connections, api.max_per_peer and api.max_request_bytes first
 * (ZPUB_EINVAL with a sentence naming the key). */
int api_start(const struct api_opts *o, struct api_server **out, int *port_out,
    struct zpub_err *err);
/* Stops within a few seconds whatever clients do: connections are closed,
 * slow work still running after 3 s is abandoned (its answer dropped).
 * NULL is fine. */
void api_stop(struct api_server *s);

#endif
