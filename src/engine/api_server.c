/*
 * api_server.c — serves the control API (api.c) on the loopback listener,
 * on a thread of its own, and keeps serving under abuse.
 *
 * The listener's timeouts and caps are the operator's api.* keys, checked
 * here before anything listens.  Slow routes (dry runs: folder scans, media
 * probes, remote calls) run on a small pool of worker threads, each with
 * its own store handle, and are answered when done, so /health and the
 * rest never wait behind them.  api_stop ends within a few seconds
 * whatever clients or workers do: the listener closes every connection,
 * queued slow requests are dropped and a worker still busy after
 * API_STOP_WAIT_MS is left to finish alone (it frees what it holds).
 */
#include "api.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "config.h"
#include "config_schema.h"
#include "log.h"
#include "listener.h"
#include "store.h"
#include "util.h"

#define API_WORKERS 2
#define API_SLOW_MAX 8          /* slow requests queued or running */
#define API_STOP_WAIT_MS 2500

/* X(field, key) — the operator's limits of the server; their defaults and
 * ranges are the settings table's (config_schema.c). */
#define API_LIMITS(X) \
	X(header_timeout_ms, "api.header_timeout_ms") \
	X(idle_timeout_ms, "api.idle_timeout_ms") \
	X(max_connections, "api.max_connections") \
	X(max_per_peer, "api.max_per_peer") \
	X(max_request_bytes, "api.max_request_bytes")

struct api_limits {
#define X(f, k) int64_t f;
	API_LIMITS(X)
#undef X
};

/* A slow request waiting for, or on, a worker. */
struct api_job {
	struct api_job *next;
	struct lsn_deferred *d;
	struct api_call call;
	char *method, *path, *query, *body, *peer, *range;
	size_t body_len;
	struct api_streamed stream;
	int streamed;
};

/* Shared by the server and its workers; the last one to leave frees it. */
struct api_pool {
	pthread_mutex_t mu;
	pthread_cond_t work;        /* a job queued, or stopping */
	pthread_cond_t idle;        /* a worker finished a job or exited */
	struct api_job *head, *tail;
	int pending;                /* queued + running */
	int alive;                  /* worker threads not yet exited */
	int stopping;
	int refs;
	int n_threads;
	pthread_t threads[API_WORKERS];
	char *db_path, *data_dir, *key_path;
	void (*wake)(void *ud);     /* api_opts.wake: thread-safe */
	void *wake_ud;
	cJSON *config;
};

struct api_server {
	struct api *api;
	struct store *st;
	struct listener *lsn;
	struct api_pool *pool;
	uv_thread_t thread;
	int thread_started;
	int port;
};

static int
limits_read(const cJSON *cfg, struct api_limits *lim, struct zpub_err *err)
{
#define X(f, k) \
	if (zs_int(cfg, k, &lim->f, err) != 0) \
		return ZPUB_EINVAL;
	API_LIMITS(X)
#undef X
	if (lim->max_per_peer > lim->max_connections)
		return zpub_err_set(err, ZPUB_EINVAL, "api.max_per_peer (%lld) is more than"
		    " api.max_connections (%lld); lower api.max_per_peer",
		    (long long)lim->max_per_peer, (long long)lim->max_connections);
	return 0;
}

static char *
error_json(const char *msg)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "error", msg);
	char *s = cJSON_PrintUnformatted(j);
	char *out = xstrdup(s ? s : "{}");
	cJSON_free(s);
	cJSON_Delete(j);
	return out;
}

/* The listener's reply from the API's answer, whose strings it takes. */
static void
reply_of(struct api_response *out, struct lsn_reply *reply)
{
	memset(reply, 0, sizeof *reply);
	reply->status = out->status;
	reply->content_type = out->content_type ? out->content_type : "application/json";
	reply->body = out->body;
	reply->retry_after_s = out->retry_after_s;
	reply->file_path = out->file_path;
	reply->file_offset = out->file_offset;
	reply->file_length = out->file_length;
	reply->headers = out->headers;
	out->body = out->file_path = out->headers = NULL;
}

/* The API's view of a request the listener parsed. */
static void
request_of(const struct lsn_request *req, struct api_request *r)
{
	memset(r, 0, sizeof *r);
	r->method = req->method;
	r->path = req->path;
	r->query = req->query;
	r->body = req->body;
	r->body_len = req->body_len;
	r->authorization = req->authorization;
	r->peer = req->peer;
	r->zm_signature = req->zm_signature;
	r->zm_timestamp = req->zm_timestamp;
	r->range = req->range;
	r->content_range = req->content_range;
	r->checksum = req->checksum;
	r->content_length = req->content_length;
	r->stream = req->stream;
}

/* ---- the workers ---- */

static void
job_free(struct api_job *j)
{
	if (j == NULL)
		return;
	free(j->method);
	free(j->path);
	free(j->query);
	free(j->body);
	free(j->peer);
	free(j->range);
	free(j);
}

static void
pool_free(struct api_pool *p)
{
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->idle);
	free(p->db_path);
	free(p->data_dir);
	free(p->key_path);
	cJSON_Delete(p->config);
	free(p);
}

/* Runs one job with the worker's own store handle (opened on first use). */
static void
worker_run(struct api_pool *p, struct api_job *j, struct store **st, struct api **a)
{
	struct api_response out = {0};
	struct zpub_err err = {0};
	if (*a == NULL && store_open(p->db_path, p->data_dir, st, &err) == 0) {
		api_new(*st, p->config, a);
		api_set_key_path(*a, p->key_path);
		api_set_wake(*a, p->wake, p->wake_ud);
		api_set_data_dir(*a, p->data_dir);
	}
	if (*a == NULL) {
		out.status = 500;
		out.body = error_json(err.msg[0] ? err.msg : "the API cannot open its database");
	} else {
		struct api_request r = { .method = j->method, .path = j->path, .query = j->query,
			.body = j->body, .body_len = j->body_len, .peer = j->peer, .range = j->range,
			.content_length = -1, .stream = j->streamed ? &j->stream : NULL };
		api_call_run(*a, &r, &j->call, &out);
	}
	pthread_mutex_lock(&p->mu);
	int stopping = p->stopping;
	pthread_mutex_unlock(&p->mu);
	if (!stopping)   /* after a stop the log may be closed under it */
		log_info("api: %s %s -> %d (%s, on a worker)", j->method, j->path, out.status,
		    j->peer);
	api_count(&j->call, j->method, out.status);
	struct lsn_reply reply;
	reply_of(&out, &reply);
	lsn_deferred_reply(j->d, &reply);
}

static void *
worker_main(void *arg)
{
	struct api_pool *p = arg;
	struct store *st = NULL;
	struct api *a = NULL;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stopping && p->head == NULL)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stopping)
			break;
		struct api_job *j = p->head;
		p->head = j->next;
		if (p->head == NULL)
			p->tail = NULL;
		pthread_mutex_unlock(&p->mu);
		worker_run(p, j, &st, &a);
		job_free(j);
		pthread_mutex_lock(&p->mu);
		p->pending--;
		pthread_cond_broadcast(&p->idle);
	}
	p->alive--;
	pthread_cond_broadcast(&p->idle);
	int last = --p->refs == 0;
	pthread_mutex_unlock(&p->mu);
	api_free(a);
	store_close(st);
	if (last)
		pool_free(p);
	return NULL;
}

static int
pool_new(const struct api_opts *o, struct api_pool **out, struct zpub_err *err)
{
	struct api_pool *p = xcalloc(1, sizeof *p);
	*out = NULL;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->db_path = xstrdup(o->db_path);
	p->data_dir = o->data_dir ? xstrdup(o->data_dir) : NULL;
	p->key_path = o->key_path ? xstrdup(o->key_path) : NULL;
	p->wake = o->wake;
	p->wake_ud = o->wake_ud;
	p->config = o->config ? cJSON_Duplicate(o->config, 1) : cJSON_CreateObject();
	p->refs = 1;
	for (int i = 0; i < API_WORKERS; i++) {
		pthread_mutex_lock(&p->mu);
		if (pthread_create(&p->threads[i], NULL, worker_main, p) == 0) {
			p->n_threads++;
			p->alive++;
			p->refs++;
		}
		pthread_mutex_unlock(&p->mu);
	}
	*out = p;
	if (p->n_threads == 0)
		return zpub_err_set(err, ZPUB_EIO, "cannot start the control API's workers");
	return 0;
}

/* Queues a slow request and takes its connection over; -1 when the pool
 * is full or stopping (the caller answers 503). */
static int
pool_submit(struct api_pool *p, const struct lsn_request *req, const struct api_call *call)
{
	int rc = -1;
	pthread_mutex_lock(&p->mu);
	if (p->stopping || p->pending >= API_SLOW_MAX)
		goto out;
	struct api_job *j = xcalloc(1, sizeof *j);
	if ((j->d = lsn_defer(req)) == NULL) {
		free(j);
		goto out;
	}
	j->call = *call;
	j->method = xstrdup(req->method);
	j->path = xstrdup(req->path);
	j->query = xstrdup(req->query);
	j->body = xmalloc(req->body_len + 1);
	memcpy(j->body, req->body, req->body_len);
	j->body[req->body_len] = '\0';
	j->body_len = req->body_len;
	j->peer = xstrdup(req->peer);
	j->range = req->range ? xstrdup(req->range) : NULL;
	if (req->stream != NULL) {
		j->stream = *(const struct api_streamed *)req->stream;
		j->streamed = 1;
	}
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->pending++;
	pthread_cond_signal(&p->work);
	rc = 0;
out:
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* Tells the workers to stop after their current job. */
static void
pool_stopping(struct api_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
}

/* Stops the workers, waiting until `until` at most for one busy with a
 * job; one still busy then is detached and frees the pool when it ends. */
static void
pool_stop(struct api_pool *p, const struct timespec *until)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_broadcast(&p->work);
	struct api_job *queued = p->head;
	p->head = p->tail = NULL;
	while (p->alive > 0)
		if (pthread_cond_timedwait(&p->idle, &p->mu, until) == ETIMEDOUT)
			break;
	int all_done = p->alive == 0;
	pthread_mutex_unlock(&p->mu);
	while (queued != NULL) {
		struct api_job *j = queued;
		queued = j->next;
		struct lsn_reply r = { .status = 503, .content_type = "application/json",
			.body = error_json("the control API is shutting down"), .retry_after_s = 5 };
		lsn_deferred_reply(j->d, &r);
		job_free(j);
	}
	for (int i = 0; i < p->n_threads; i++) {
		if (all_done)
			pthread_join(p->threads[i], NULL);
		else
			pthread_detach(p->threads[i]);
	}
	if (!all_done)
		log_warn("api: a slow request was still running at shutdown; its answer is"
		    " dropped");
	pthread_mutex_lock(&p->mu);
	int last = --p->refs == 0;
	pthread_mutex_unlock(&p->mu);
	if (last)
		pool_free(p);
}

/* ---- the serving thread ---- */

/* The listener's sink over api_stream_* (the loop thread writes the file). */
static int
sink_write(void *ud, const char *at, size_t n, struct lsn_reply *reply)
{
	struct api_response out;
	if (api_stream_write(ud, at, n, &out) == 0)
		return 0;
	reply_of(&out, reply);
	return -1;
}

static int
sink_end(void *ud, int complete, struct lsn_reply *reply)
{
	struct api_response out;
	if (api_stream_end(ud, complete, &out) == 0) {
		api_response_clear(&out);
		return 0;
	}
	reply_of(&out, reply);
	return -1;
}

/* At a request's head: a route whose body streams is checked in full (token,
 * role, rate limit, the upload itself) before its body is taken. */
static int
api_stream(void *ud, const struct lsn_request *req, struct lsn_sink *sink,
    struct lsn_reply *reply)
{
	struct api_server *s = ud;
	struct api_request r;
	struct api_response out;
	struct api_call call;
	struct api_stream *st = NULL;
	struct api_streamed *res;

	if (!api_route_streams(req->method, req->path))
		return 0;   /* buffered as usual, routed after its body */
	request_of(req, &r);
	if (api_prepare(s->api, &r, &call, &out) == 0) {
		res = xcalloc(1, sizeof *res);
		if (api_stream_open(s->api, &r, &call, &st, res, &out) == 0) {
			sink->write = sink_write;
			sink->end = sink_end;
			sink->ud = st;
			sink->max_bytes = (uint64_t)res->max_bytes;
			sink->result = res;
			log_info("api: %s %s: taking %lld bytes (%s)", req->method, req->path,
			    (long long)res->max_bytes, req->peer);
			return 1;
		}
		free(res);
	}
	api_count(&call, req->method, out.status);
	log_info("api: %s %s -> %d before its body (%s)", req->method, req->path, out.status,
	    req->peer);
	reply_of(&out, reply);
	return -1;
}

static int
api_route(void *ud, const struct lsn_request *req, struct lsn_reply *reply)
{
	struct api_server *s = ud;
	struct api_request r;
	struct api_response out;
	struct api_call call;
	int ready;

	request_of(req, &r);
	if (r.stream != NULL) {
		/* checked at its head (api_stream): not counted twice */
		memset(&out, 0, sizeof out);
		call = r.stream->call;
		ready = 0;
	} else {
		ready = api_prepare(s->api, &r, &call, &out);
	}
	if (ready == 0) {
		if (!call.slow) {
			api_call_run(s->api, &r, &call, &out);
		} else if (pool_submit(s->pool, req, &call) == 0) {
			return 0;   /* a worker answers */
		} else {
			out.status = 503;
			out.retry_after_s = 5;
			out.body = error_json("the control API is busy with other slow requests"
			    " (dry runs); try again in a few seconds");
		}
	}
	api_count(&call, req->method, out.status);
	log_info("api: %s %s -> %d (%s)", req->method, req->path, out.status, req->peer);
	reply_of(&out, reply);
	return 0;
}

static void
api_thread(void *arg)
{
	struct api_server *s = arg;
	struct zpub_err err;
	if (lsn_run(s->lsn, &err) != 0)
		log_warn("api: %s", err.msg);
}

int
api_start(const struct api_opts *o, struct api_server **out, int *port_out,
    struct zpub_err *err)
{
	struct api_limits lim = {0};
	struct api_server *s;
	int rc;

	*out = NULL;
	if ((rc = limits_read(o->config, &lim, err)) != 0)
		return rc;
	const char *pub = config_str(o->config, "api.public_url", NULL);
	char pub_host[256] = "";
	int pub_port = 0;
	if (pub && *pub && (rc = api_public_url_parse(pub, pub_host, &pub_port, err)) != 0)
		return rc;
	s = xcalloc(1, sizeof *s);
	if ((rc = store_open(o->db_path, o->data_dir, &s->st, err)) != 0)
		goto fail;
	api_new(s->st, o->config, &s->api);
	api_set_key_path(s->api, o->key_path);
	api_set_wake(s->api, o->wake, o->wake_ud);
	api_set_data_dir(s->api, o->data_dir);
	if ((rc = pool_new(o, &s->pool, err)) != 0)
		goto fail;
	struct lsn_opts lo = { .host = o->host, .port = o->port,
		.max_request_bytes = (size_t)lim.max_request_bytes,
		.header_timeout_ms = lim.header_timeout_ms, .idle_timeout_ms = lim.idle_timeout_ms,
		.max_connections = (int)lim.max_connections, .max_per_peer = (int)lim.max_per_peer,
		.json_errors = 1, .route = api_route, .stream = api_stream, .ud = s,
		.public_host = pub_host[0] ? pub_host : NULL, .public_port = pub_port };
	if ((rc = lsn_open(&lo, &s->lsn, err)) != 0) {
		zpub_err_prefix(err, "starting the control API on %s:%d",
		    o->host ? o->host : "127.0.0.1", o->port);
		goto fail;
	}
	s->port = lsn_port(s->lsn);
	char origin[300];
	snprintf(origin, sizeof origin, "http://%s:%d", o->host ? o->host : "127.0.0.1", s->port);
	api_set_origin(s->api, origin);
	if (uv_thread_create(&s->thread, api_thread, s) != 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot start the control API's thread");
		goto fail;
	}
	s->thread_started = 1;
	*port_out = s->port;
	*out = s;
	return 0;
fail:
	api_stop(s);
	return rc;
}

void
api_stop(struct api_server *s)
{
	if (s == NULL)
		return;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += API_STOP_WAIT_MS / 1000;
	until.tv_nsec += (long)(API_STOP_WAIT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pool_stopping(s->pool);
	if (s->thread_started) {
		/* the listener closes every connection at once (answers being
		 * written get a second), so this join is short */
		lsn_stop(s->lsn);
		uv_thread_join(&s->thread);
	}
	pool_stop(s->pool, &until);
	lsn_free(s->lsn);
	api_free(s->api);
	store_close(s->st);
	free(s);
}
