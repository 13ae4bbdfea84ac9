/*
 * api.c — the control API: routes, roles, tenant scoping, rate limits and
 * the OpenAPI document, all from one route table (API_ROUTES).  The
 * server around it (thread, listener, workers for slow routes) is
 * api_server.c.
 *
 * api_handle() is transport-free (a request in, a status and a JSON body
 * out) so the role matrix, the tenant wall and the limits are unit-tested
 * without sockets.  Every query is made with the caller's tenant id: a
 * recording, template or job of another tenant is "not found", whatever
 * id the URL guesses.
 */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "config.h"
#include "edit.h"
#include "job.h"
#include "log.h"
#include "listener.h"
#include "pipeline.h"
#include "recjson.h"
#include "schedule.h"
#include "store.h"
#include "store_admin.h"
#include "template.h"
#include "tenant.h"
#include "util.h"

enum api_role { ROLE_NONE, ROLE_VIEWER, ROLE_EDITOR, ROLE_OWNER };

struct api_caller {
	int64_t tenant_id;
	enum api_role role;
	char name[128];
	struct actor who;          /* for the audit log: api:NAME from the peer */
};

struct rate {
	char hash[65];
	int64_t minute_start, hour_start;
	int minute_count, hour_count;
};

struct api {
	struct store *st;
	cJSON *config;
	char *key_path;            /* the vault key, for zoom jobs' dry runs */
	char *origin;              /* http://HOST:PORT the server listens on */
	struct rate *rates;
	int n_rates;
	int per_minute, per_hour;
};

typedef void (*api_fn)(struct api *a, const struct api_request *r,
    const struct api_caller *c, int64_t id, struct api_response *out);

#define ROUTE_FNS(X) \
	X(h_health) X(h_openapi) X(h_rec_list) X(h_rec_show) X(h_rec_retry) X(h_rec_skip) \
	X(h_rec_publish) X(h_tpl_list) X(h_tpl_create) X(h_tpl_show) X(h_tpl_update) \
	X(h_tpl_delete) X(h_job_list) X(h_job_create) X(h_job_show) X(h_job_update) \
	X(h_job_delete) X(h_job_run) X(h_job_dry_run) X(h_usage) X(h_audit) X(h_topics_get) \
	X(h_topics_put) X(h_rec_approve)
#define X(f) static void f(struct api *, const struct api_request *, \
	const struct api_caller *, int64_t, struct api_response *);
ROUTE_FNS(X)
#undef X

/* X(method, path, least role, handler, pace, summary) — dispatch, the role
 * matrix, which routes run off the serving thread (API_SLOW: they scan
 * folders, probe media or call out) and /openapi.json all come from here. */
#define API_ROUTES(X) \
	X("GET", "/health", ROLE_NONE, h_health, API_FAST, "Liveness and version") \
	X("GET", "/openapi.json", ROLE_NONE, h_openapi, API_FAST, "This document") \
	X("GET", "/recordings", ROLE_VIEWER, h_rec_list, API_FAST, "Recordings of the tenant") \
	X("GET", "/recordings/{id}", ROLE_VIEWER, h_rec_show, API_FAST, "One recording") \
	X("POST", "/recordings/{id}/retry", ROLE_EDITOR, h_rec_retry, API_FAST, "Retry a FAILED recording") \
	X("POST", "/recordings/{id}/skip", ROLE_EDITOR, h_rec_skip, API_FAST, "Skip a recording") \
	X("POST", "/recordings/{id}/publish", ROLE_EDITOR, h_rec_publish, API_FAST, \
	  "Let the daemon take the recording all the way to READY") \
	X("GET", "/recordings/{id}/topics", ROLE_VIEWER, h_topics_get, API_FAST, \
	  "The newest topic version as chapter lines") \
	X("PUT", "/recordings/{id}/topics", ROLE_EDITOR, h_topics_put, API_FAST, \
	  "Chapter lines as a new topic version ({\"chapters\": \"00:00:00 Title\\n...\"})") \
	X("POST", "/recordings/{id}/approve", ROLE_EDITOR, h_rec_approve, API_FAST, \
	  "Approve the newest topic version (lets a recording held for review publish)") \
	X("GET", "/templates", ROLE_VIEWER, h_tpl_list, API_FAST, "Templates of the tenant") \
	X("POST", "/templates", ROLE_EDITOR, h_tpl_create, API_FAST, "Create a template") \
	X("GET", "/templates/{id}", ROLE_VIEWER, h_tpl_show, API_FAST, "One template") \
	X("PATCH", "/templates/{id}", ROLE_EDITOR, h_tpl_update, API_FAST, "Change fields of a template") \
	X("DELETE", "/templates/{id}", ROLE_EDITOR, h_tpl_delete, API_FAST, "Delete a template") \
	X("GET", "/jobs", ROLE_VIEWER, h_job_list, API_FAST, "Automation jobs of the tenant") \
	X("POST", "/jobs", ROLE_OWNER, h_job_create, API_FAST, "Create a job") \
	X("GET", "/jobs/{id}", ROLE_VIEWER, h_job_show, API_FAST, "One job") \
	X("PATCH", "/jobs/{id}", ROLE_OWNER, h_job_update, API_FAST, "Change a job") \
	X("DELETE", "/jobs/{id}", ROLE_OWNER, h_job_delete, API_FAST, "Delete a job") \
	X("POST", "/jobs/{id}/run", ROLE_OWNER, h_job_run, API_FAST, "Run a job now (the daemon runs it)") \
	X("POST", "/jobs/{id}/dry-run", ROLE_EDITOR, h_job_dry_run, API_SLOW, \
	  "What a job would do, changing nothing") \
	X("GET", "/usage", ROLE_VIEWER, h_usage, API_FAST, "Usage and cost of a month (?month=YYYY-MM)") \
	X("GET", "/audit", ROLE_OWNER, h_audit, API_FAST, "The audit log of the tenant")

enum api_pace { API_FAST, API_SLOW };

struct route {
	const char *method, *path;
	enum api_role role;
	api_fn fn;
	enum api_pace pace;
	const char *summary;
};

static const struct route routes[] = {
#define X(m, p, r, f, pace, s) { m, p, r, f, pace, s },
	API_ROUTES(X)
#undef X
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

/* ---- replies ---- */

static void
reply_json(struct api_response *out, int status, cJSON *j)
{
	out->status = status;
	char *s = cJSON_PrintUnformatted(j);
	out->body = xstrdup(s ? s : "{}");
	cJSON_free(s);
	cJSON_Delete(j);
}

static void reply_error(struct api_response *out, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
reply_error(struct api_response *out, int status, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "error", msg);
	if (out->retry_after_s > 0)
		cJSON_AddNumberToObject(j, "retry_after_s", out->retry_after_s);
	reply_json(out, status, j);
}

static int
status_of(int code)
{
	switch (code) {
	case ZPUB_ENOTFOUND: return 404;
	case ZPUB_EINVAL: return 400;
	case ZPUB_ESTATE: return 409;
	case ZPUB_EBUSY: return 409;
	case ZPUB_EQUOTA: return 429;
	default: return 500;
	}
}

static void
reply_err(struct api_response *out, const struct zpub_err *e)
{
	reply_error(out, status_of(e->code), "%s", e->msg[0] ? e->msg : zpub_err_name(e->code));
}

/* Parses the body as one JSON object; replies 400 and returns NULL if not. */
static cJSON *
body_object(const struct api_request *r, struct api_response *out)
{
	if (r->body == NULL || r->body_len == 0) {
		reply_error(out, 400, "this request needs a JSON object as its body");
		return NULL;
	}
	if (!utf8_valid(r->body, r->body_len)) {
		reply_error(out, 400, "the body is not valid UTF-8");
		return NULL;
	}
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(r->body, r->body_len, &end, 0);
	if (j == NULL) {
		reply_error(out, 400, "the body is not valid JSON (near byte %ld)",
		    end ? (long)(end - r->body) : 0L);
		return NULL;
	}
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		reply_error(out, 400, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

/* ---- auth and limits ---- */

static int
authenticate(struct api *a, const struct api_request *r, struct api_caller *c, char hash[65],
    struct api_response *out)
{
	const char *h = r->authorization;
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || strlen(h + 7) < 8 ||
	    strlen(h + 7) > 256) {
		reply_error(out, 401, "send 'Authorization: Bearer TOKEN' (make a token with"
		    " 'zpub user token NAME')");
		return -1;
	}
	api_token_hash(h + 7, hash);
	struct store_user u;
	struct zpub_err err;
	if (store_user_by_token_hash(a->st, hash, &u, &err) != 0) {
		if (err.code == ZPUB_ENOTFOUND)
			reply_error(out, 401, "this token is not valid (revoked or mistyped)");
		else
			reply_err(out, &err);
		return -1;
	}
	if (u.tenant_id <= 0) {
		/* Fail closed: a caller is always in exactly one tenant. */
		store_user_clear(&u);
		reply_error(out, 403, "this token's user belongs to no tenant; make the user again"
		    " with 'zpub --tenant NAME user add USER'");
		return -1;
	}
	c->tenant_id = u.tenant_id;
	c->role = strcmp(u.role, "owner") == 0 ? ROLE_OWNER : strcmp(u.role, "editor") == 0 ?
	    ROLE_EDITOR : ROLE_VIEWER;
	snprintf(c->name, sizeof c->name, "%s", u.name);
	store_user_clear(&u);
	return 0;
}

/* Fixed windows per token: a minute and an hour. */
static int
rate_limited(struct api *a, const char *hash, int64_t now, struct api_response *out)
{
	struct rate *rt = NULL;
	for (int i = 0; i < a->n_rates; i++)
		if (strcmp(a->rates[i].hash, hash) == 0)
			rt = &a->rates[i];
	if (rt == NULL) {
		a->rates = xreallocarray(a->rates, (size_t)(a->n_rates + 1), sizeof *a->rates);
		rt = &a->rates[a->n_rates++];
		memset(rt, 0, sizeof *rt);
		snprintf(rt->hash, sizeof rt->hash, "%s", hash);
	}
	if (now - rt->minute_start >= 60000) {
		rt->minute_start = now;
		rt->minute_count = 0;
	}
	if (now - rt->hour_start >= 3600000) {
		rt->hour_start = now;
		rt->hour_count = 0;
	}
	int64_t wait_ms = 0;
	if (rt->minute_count >= a->per_minute)
		wait_ms = rt->minute_start + 60000 - now;
	if (rt->hour_count >= a->per_hour) {
		int64_t w = rt->hour_start + 3600000 - now;
		wait_ms = w > wait_ms ? w : wait_ms;
	}
	if (wait_ms > 0) {
		out->retry_after_s = (int)((wait_ms + 999) / 1000);
		reply_error(out, 429, "rate limit of this token reached (%d a minute, %d an hour);"
		    " retry after %d s", a->per_minute, a->per_hour, out->retry_after_s);
		return 1;
	}
	rt->minute_count++;
	rt->hour_count++;
	return 0;
}

/* ---- routing ---- */

/* Matches path against a pattern with "{id}" segments; *id gets the number. */
static int
path_match(const char *pattern, const char *path, int64_t *id)
{
	while (*pattern && *path) {
		if (strncmp(pattern, "{id}", 4) == 0) {
			char *end;
			if (*path < '1' || *path > '9')
				return 0;
			long long v = strtoll(path, &end, 10);
			if (v <= 0 || (end - path) > 15)
				return 0;
			*id = v;
			pattern += 4;
			path = end;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	if (*path == '/' && path[1] == '\0')
		path++;
	return *pattern == '\0' && *path == '\0';
}

int
api_prepare(struct api *a, const struct api_request *r, struct api_call *call,
    struct api_response *out)
{
	memset(out, 0, sizeof *out);
	memset(call, 0, sizeof *call);
	const struct route *hit = NULL;
	int path_known = 0;
	for (size_t i = 0; i < N_ROUTES; i++) {
		int64_t rid = 0;
		if (!path_match(routes[i].path, r->path, &rid))
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, r->method) == 0) {
			hit = &routes[i];
			call->route = (int)i;
			call->id = rid;
			break;
		}
	}
	if (hit == NULL) {
		if (path_known)
			reply_error(out, 405, "%s is not allowed on %s", r->method, r->path);
		else
			reply_error(out, 404, "no such endpoint %s (see /openapi.json)", r->path);
		return -1;
	}
	call->slow = hit->pace == API_SLOW;
	if (hit->role != ROLE_NONE) {
		struct api_caller c;
		char hash[65];
		memset(&c, 0, sizeof c);
		if (authenticate(a, r, &c, hash, out) != 0)
			return -1;
		if (rate_limited(a, hash, r->now_ms ? r->now_ms : time_now_ms(), out))
			return -1;
		if (c.role < hit->role) {
			static const char *const names[] = { "", "viewer", "editor", "owner" };
			reply_error(out, 403, "%s %s needs the %s role; %s is %s", r->method, r->path,
			    names[hit->role], c.name, names[c.role]);
			return -1;
		}
		call->tenant_id = c.tenant_id;
		call->role = (int)c.role;
		snprintf(call->name, sizeof call->name, "%s", c.name);
	}
	return 0;
}

void
api_call_run(struct api *a, const struct api_request *r, const struct api_call *call,
    struct api_response *out)
{
	struct api_caller c;
	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	c.tenant_id = call->tenant_id;
	c.role = (enum api_role)call->role;
	snprintf(c.name, sizeof c.name, "%s", call->name);
	c.who.kind = ACTOR_API;
	c.who.tenant_id = call->tenant_id;
	snprintf(c.who.user, sizeof c.who.user, "%s", call->name);
	snprintf(c.who.from, sizeof c.who.from, "%s", r->peer ? r->peer : "");
	routes[call->route].fn(a, r, &c, call->id, out);
	/* every 429 says when to come back (a quota's may not know: a minute) */
	if (out->status == 429 && out->retry_after_s <= 0)
		out->retry_after_s = 60;
}

void
api_handle(struct api *a, const struct api_request *r, struct api_response *out)
{
	struct api_call call;
	if (api_prepare(a, r, &call, out) == 0)
		api_call_run(a, r, &call, out);
}

/* ---- handlers: health and the document ---- */

static void
h_health(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)a; (void)r; (void)c; (void)id;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "status", "ok");
	cJSON_AddStringToObject(j, "version", ZPUB_VERSION);
	reply_json(out, 200, j);
}

cJSON *
api_openapi(const char *origin)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "openapi", "3.0.3");
	cJSON *info = cJSON_AddObjectToObject(doc, "info");
	cJSON_AddStringToObject(info, "title", "zpub control API");
	cJSON_AddStringToObject(info, "version", ZPUB_VERSION);
	cJSON_AddStringToObject(info, "description", "Roles: owner (everything), editor"
	    " (recordings, templates, publish), viewer (read).  Bearer tokens from"
	    " 'zpub user token NAME'.  Rate limits per token answer 429 with Retry-After.");
	cJSON *servers = cJSON_AddArrayToObject(doc, "servers");
	cJSON *srv = cJSON_CreateObject();
	cJSON_AddStringToObject(srv, "url", origin ? origin : "http://127.0.0.1/");
	cJSON_AddItemToArray(servers, srv);
	cJSON *comp = cJSON_AddObjectToObject(doc, "components");
	cJSON *schemes = cJSON_AddObjectToObject(comp, "securitySchemes");
	cJSON *bearer = cJSON_AddObjectToObject(schemes, "bearer");
	cJSON_AddStringToObject(bearer, "type", "http");
	cJSON_AddStringToObject(bearer, "scheme", "bearer");
	cJSON *schemas = cJSON_AddObjectToObject(comp, "schemas");
	cJSON *errs = cJSON_AddObjectToObject(schemas, "Error");
	cJSON_AddStringToObject(errs, "type", "object");
	cJSON *props = cJSON_AddObjectToObject(errs, "properties");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(props, "error"), "type", "string");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(props, "retry_after_s"), "type", "integer");
	cJSON *req = cJSON_AddArrayToObject(errs, "required");
	cJSON_AddItemToArray(req, cJSON_CreateString("error"));
	cJSON *paths = cJSON_AddObjectToObject(doc, "paths");
	for (size_t i = 0; i < N_ROUTES; i++) {
		cJSON *p = cJSON_GetObjectItemCaseSensitive(paths, routes[i].path);
		if (p == NULL)
			p = cJSON_AddObjectToObject(paths, routes[i].path);
		char m[8];
		size_t k;
		for (k = 0; routes[i].method[k] && k < sizeof m - 1; k++)
			m[k] = (char)(routes[i].method[k] | 0x20);
		m[k] = '\0';
		cJSON *op = cJSON_AddObjectToObject(p, m);
		cJSON_AddStringToObject(op, "summary", routes[i].summary);
		char opid[96];
		/* operationId from the handler's place in the table: stable and unique. */
		snprintf(opid, sizeof opid, "op%02zu_%s", i, m);
		cJSON_AddStringToObject(op, "operationId", opid);
		if (routes[i].role == ROLE_NONE)
			cJSON_AddItemToObject(op, "security", cJSON_CreateArray());
		else {
			cJSON *sec = cJSON_AddArrayToObject(op, "security");
			cJSON *s = cJSON_CreateObject();
			cJSON_AddItemToObject(s, "bearer", cJSON_CreateArray());
			cJSON_AddItemToArray(sec, s);
			static const char *const rn[] = { "", "viewer", "editor", "owner" };
			char d[128];
			snprintf(d, sizeof d, "Needs the %s role or higher.", rn[routes[i].role]);
			cJSON_AddStringToObject(op, "description", d);
		}
		if (strstr(routes[i].path, "{id}")) {
			cJSON *params = cJSON_AddArrayToObject(op, "parameters");
			cJSON *prm = cJSON_CreateObject();
			cJSON_AddStringToObject(prm, "name", "id");
			cJSON_AddStringToObject(prm, "in", "path");
			cJSON_AddBoolToObject(prm, "required", 1);
			cJSON_AddStringToObject(cJSON_AddObjectToObject(prm, "schema"), "type", "integer");
			cJSON_AddItemToArray(params, prm);
		}
		if (strcmp(m, "post") == 0 || strcmp(m, "patch") == 0) {
			if (!strstr(routes[i].path, "/retry") && !strstr(routes[i].path, "/skip") &&
			    !strstr(routes[i].path, "/publish") && !strstr(routes[i].path, "run")) {
				cJSON *rb = cJSON_AddObjectToObject(op, "requestBody");
				cJSON_AddBoolToObject(rb, "required", 1);
				cJSON *ct = cJSON_AddObjectToObject(cJSON_AddObjectToObject(rb, "content"),
				    "application/json");
				cJSON_AddStringToObject(cJSON_AddObjectToObject(ct, "schema"), "type",
				    "object");
			}
		}
		cJSON *resp = cJSON_AddObjectToObject(op, "responses");
		cJSON *ok = cJSON_AddObjectToObject(resp, strcmp(m, "post") == 0 &&
		    strcmp(routes[i].path + strlen(routes[i].path) - 4, "/run") == 0 ? "202" :
		    strcmp(m, "post") == 0 && (strcmp(routes[i].path, "/templates") == 0 ||
		    strcmp(routes[i].path, "/jobs") == 0) ? "201" : "200");
		cJSON_AddStringToObject(ok, "description", "Success");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(
		    cJSON_AddObjectToObject(ok, "content"), "application/json"), "schema"), "type",
		    "object");
		static const struct { const char *code, *desc; } errors[] = {
			{ "400", "Bad request: invalid JSON, unknown field, bad value" },
			{ "401", "No or invalid bearer token" },
			{ "403", "The caller's role is not enough" },
			{ "404", "Not found in the caller's tenant" },
			{ "429", "Rate limit; see Retry-After" },
		};
		for (size_t e = 0; e < sizeof errors / sizeof errors[0]; e++) {
			if (routes[i].role == ROLE_NONE && e > 0)
				break;
			cJSON *er = cJSON_AddObjectToObject(resp, errors[e].code);
			cJSON_AddStringToObject(er, "description", errors[e].desc);
			cJSON *sch = cJSON_AddObjectToObject(cJSON_AddObjectToObject(
			    cJSON_AddObjectToObject(er, "content"), "application/json"), "schema");
			cJSON_AddStringToObject(sch, "$ref", "#/components/schemas/Error");
		}
	}
	return doc;
}

static void
h_openapi(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r; (void)c; (void)id;
	reply_json(out, 200, api_openapi(a->origin));
}

/* ---- recordings ---- */

/* The recording if it belongs to the caller's tenant; replies 404 otherwise. */
static struct store_recording *
own_recording(struct api *a, const struct api_caller *c, int64_t id, struct api_response *out)
{
	struct store_recording *r = NULL;
	struct zpub_err err;
	if (store_recording_get(a->st, id, &r, &err) != 0 || r->tenant_id != c->tenant_id) {
		store_recording_free(r);
		reply_error(out, 404, "no recording %lld in your tenant", (long long)id);
		return NULL;
	}
	return r;
}

static void
h_rec_list(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)id;
	struct store_filter f = { c->tenant_id, -1, NULL, 100, 0, 1, 0 };
	char *st = lsn_query_get(r->query, "status");
	char *lim = lsn_query_get(r->query, "limit");
	char *off = lsn_query_get(r->query, "offset");
	if (st && (f.status = status_parse(st)) < 0) {
		reply_error(out, 400, "unknown status '%s'", st);
		goto out;
	}
	if (lim)
		f.limit = atoi(lim) > 0 && atoi(lim) <= 1000 ? atoi(lim) : 100;
	if (off)
		f.offset = atoi(off) > 0 ? atoi(off) : 0;
	struct store_recording **v = NULL;
	int n = 0;
	struct zpub_err err;
	if (store_recording_list(a->st, &f, &v, &n, &err) != 0) {
		reply_err(out, &err);
		goto out;
	}
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, recjson_recording(v[i]));
	store_recording_list_free(v, n);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "recordings", arr);
	reply_json(out, 200, j);
out:
	free(st);
	free(lim);
	free(off);
}

static void
h_rec_show(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r;
	struct store_recording *rec = own_recording(a, c, id, out);
	if (rec == NULL)
		return;
	struct zpub_err err;
	cJSON *j = NULL;
	if (recjson_show(a->st, a->config, rec, 0, &j, &err) != 0)
		reply_err(out, &err);
	else
		reply_json(out, 200, j);
	store_recording_free(rec);
}

static void
rec_action(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    const char *what, struct api_response *out)
{
	struct zpub_err err;
	struct store_recording *rec = own_recording(a, c, id, out);
	int rc = 0;
	if (rec == NULL)
		return;
	if (strcmp(what, "retry") == 0)
		rc = store_recording_retry(a->st, id, &err);
	else if (strcmp(what, "skip") == 0)
		rc = store_recording_move(a->st, id, rec->status, ST_SKIPPED, "skipped through the"
		    " API", &err);
	else {
		cJSON *cfg = cJSON_Parse(rec->config && *rec->config ? rec->config : "{}");
		if (cfg == NULL)
			cfg = cJSON_CreateObject();
		config_set(cfg, "daemon.until", "READY", NULL);
		char *txt = cJSON_PrintUnformatted(cfg);
		rc = store_recording_set_config(a->st, id, txt, &err);
		cJSON_free(txt);
		cJSON_Delete(cfg);
	}
	store_recording_free(rec);
	if (rc) {
		reply_err(out, &err);
		return;
	}
	audit_note(a->st, &c->who, what, "recording %lld",
	    (long long)id);
	if (store_recording_get(a->st, id, &rec, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	reply_json(out, 200, recjson_recording(rec));
	store_recording_free(rec);
}

static void
h_rec_retry(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	rec_action(a, r, c, id, "retry", out);
}

static void
h_rec_skip(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	rec_action(a, r, c, id, "skip", out);
}

static void
h_rec_publish(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	rec_action(a, r, c, id, "publish", out);
}

/* ---- the editor's desk: chapters and approval ---- */

static void
topics_reply(struct api *a, const struct api_caller *c, int64_t id, int status,
    struct api_response *out)
{
	struct zpub_err err;
	char *text = NULL;
	int version = 0;
	if (edit_chapters_get(a->st, &c->who, id, &text, &version, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	struct store_recording *rec = own_recording(a, c, id, out);
	if (rec == NULL) {
		free(text);
		return;
	}
	cJSON *j = NULL;
	if (recjson_show(a->st, a->config, rec, 0, &j, &err) != 0) {
		reply_err(out, &err);
	} else {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)id);
		cJSON_AddNumberToObject(o, "version", version);
		cJSON_AddStringToObject(o, "chapters", text);
		static const char *const keep[] = { "review", "approved_by", "approved_at" };
		for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
			cJSON_AddItemToObject(o, keep[i], cJSON_DetachItemFromObjectCaseSensitive(j,
			    keep[i]));
		reply_json(out, status, o);
	}
	cJSON_Delete(j);
	store_recording_free(rec);
	free(text);
}

static void
h_topics_get(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)r;
	topics_reply(a, c, id, 200, out);
}

static void
h_topics_put(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct zpub_err err;
	cJSON *body = body_object(r, out);
	if (body == NULL)
		return;
	const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body,
	    "chapters"));
	if (text == NULL || cJSON_GetArraySize(body) != 1) {
		cJSON_Delete(body);
		reply_error(out, 400, "the body is {\"chapters\": \"00:00:00 Title\\n...\"}: chapter"
		    " lines, a detail chapter indented by two spaces");
		return;
	}
	if (edit_chapters_save(a->st, &c->who, id, text, NULL, NULL, &err) != 0)
		reply_err(out, &err);
	else
		topics_reply(a, c, id, 200, out);
	cJSON_Delete(body);
}

static void
h_rec_approve(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)r;
	struct zpub_err err;
	if (edit_topics_approve_newest(a->st, &c->who, id, NULL, &err) != 0)
		reply_err(out, &err);
	else
		topics_reply(a, c, id, 200, out);
}

/* ---- templates ---- */

static void
h_tpl_list(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r; (void)id;
	struct store_template *v = NULL;
	int n = 0;
	struct zpub_err err;
	if (store_templates(a->st, c->tenant_id, &v, &n, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, tpl_to_json(&v[i]));
	store_templates_free(v, n);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "templates", arr);
	reply_json(out, 200, j);
}

static void
tpl_save(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	struct store_template t;
	struct zpub_err err;
	memset(&t, 0, sizeof t);
	cJSON *body = body_object(r, out);
	if (body == NULL)
		return;
	/* Ids and timestamps are the store's: refuse them in a body. */
	if (cJSON_GetObjectItemCaseSensitive(body, "id") ||
	    cJSON_GetObjectItemCaseSensitive(body, "created_at") ||
	    cJSON_GetObjectItemCaseSensitive(body, "updated_at"))
		reply_error(out, 400, "id, created_at and updated_at are set by zpub, not by a"
		    " request");
	else if (edit_template_save(a->st, &c->who, id, NULL, body, &t, &err) != 0) {
		if (err.code == ZPUB_ENOTFOUND)
			reply_error(out, 404, "no template %lld in your tenant", (long long)id);
		else
			reply_err(out, &err);
	} else
		reply_json(out, id > 0 ? 200 : 201, tpl_to_json(&t));
	store_template_clear(&t);
	cJSON_Delete(body);
}

static void
h_tpl_create(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)id;
	tpl_save(a, r, c, 0, out);
}

static void
h_tpl_update(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	tpl_save(a, r, c, id, out);
}

static void
h_tpl_show(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r;
	struct store_template t;
	struct zpub_err err;
	if (store_template_get_id(a->st, c->tenant_id, id, &t, &err) != 0) {
		reply_error(out, 404, "no template %lld in your tenant", (long long)id);
		return;
	}
	reply_json(out, 200, tpl_to_json(&t));
	store_template_clear(&t);
}

static void
h_tpl_delete(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)r;
	struct zpub_err err;
	if (edit_template_delete(a->st, &c->who, id, NULL, &err) != 0) {
		reply_error(out, err.code == ZPUB_ENOTFOUND ? 404 : 500, "%s", err.code ==
		    ZPUB_ENOTFOUND ? "no such template in your tenant" : err.msg);
		return;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddBoolToObject(j, "deleted", 1);
	reply_json(out, 200, j);
}

/* ---- jobs ---- */

static void
h_job_list(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r; (void)id;
	struct store_job *v = NULL;
	int n = 0;
	struct zpub_err err;
	if (store_jobs(a->st, c->tenant_id, &v, &n, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, job_to_json(&v[i]));
	store_jobs_free(v, n);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "jobs", arr);
	reply_json(out, 200, j);
}

static void
job_save(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	static const char *const keys[] = { "name", "schedule", "config", "dry_run", "enabled",
		NULL };
	struct store_job j;
	struct zpub_err err;
	memset(&j, 0, sizeof j);
	cJSON *body = body_object(r, out);
	if (body == NULL)
		return;
	const cJSON *k;
	cJSON_ArrayForEach(k, body) {
		int known = 0;
		for (int i = 0; keys[i]; i++)
			known |= strcmp(k->string, keys[i]) == 0;
		if (!known) {
			reply_error(out, 400, "unknown job field '%s' (known: name, schedule, config,"
			    " dry_run, enabled)", k->string);
			goto out;
		}
	}
	if (id > 0) {
		if (store_job_get_id(a->st, c->tenant_id, id, &j, &err) != 0) {
			reply_error(out, 404, "no job %lld in your tenant", (long long)id);
			goto out;
		}
	} else {
		j.tenant_id = c->tenant_id;
		j.enabled = 1;
	}
	const cJSON *v;
	if ((v = cJSON_GetObjectItemCaseSensitive(body, "name"))) {
		if (!cJSON_IsString(v) || !*v->valuestring) {
			reply_error(out, 400, "\"name\" is a non-empty string");
			goto out;
		}
		free(j.name);
		j.name = xstrdup(v->valuestring);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(body, "schedule"))) {
		struct sched s;
		if (!cJSON_IsString(v) || sched_parse(v->valuestring, &s, &err) != 0) {
			reply_error(out, 400, "%s", cJSON_IsString(v) ? err.msg :
			    "\"schedule\" is a string");
			goto out;
		}
		free(j.schedule);
		j.schedule = xstrdup(v->valuestring);
		j.next_run_at = sched_next(&s, time_now_ms());
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(body, "config"))) {
		/* Its folder against the operator's roots (a->config is the operator's
		 * config, never the tenant-merged one). */
		if (job_config_check(v, &err) != 0 ||
		    job_watch_check(a->st, a->config, a->key_path, c->tenant_id, v, &err) != 0) {
			reply_err(out, &err);
			goto out;
		}
		char *txt = cJSON_PrintUnformatted(v);
		free(j.config);
		j.config = xstrdup(txt);
		cJSON_free(txt);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(body, "dry_run")))
		j.dry_run = cJSON_IsTrue(v);
	if ((v = cJSON_GetObjectItemCaseSensitive(body, "enabled")))
		j.enabled = cJSON_IsTrue(v);
	if (j.name == NULL || j.schedule == NULL || j.config == NULL) {
		reply_error(out, 400, "a job needs \"name\", \"schedule\" and \"config\"");
		goto out;
	}
	int64_t nid;
	if (store_job_put(a->st, &j, &nid, &err) != 0) {
		reply_error(out, err.code == ZPUB_EINVAL ? 409 : 500, "%s", err.msg);
		goto out;
	}
	audit_note(a->st, &c->who, id > 0 ? "job.edit" : "job.add",
	    "job %lld '%s'", (long long)nid, j.name);
	store_job_clear(&j);
	store_job_get_id(a->st, c->tenant_id, nid, &j, NULL);
	reply_json(out, id > 0 ? 200 : 201, job_to_json(&j));
out:
	store_job_clear(&j);
	cJSON_Delete(body);
}

static void
h_job_create(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)id;
	job_save(a, r, c, 0, out);
}

static void
h_job_update(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	job_save(a, r, c, id, out);
}

static void
h_job_show(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r;
	struct store_job j;
	if (store_job_get_id(a->st, c->tenant_id, id, &j, NULL) != 0) {
		reply_error(out, 404, "no job %lld in your tenant", (long long)id);
		return;
	}
	reply_json(out, 200, job_to_json(&j));
	store_job_clear(&j);
}

static void
h_job_delete(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct zpub_err err;
	if (store_job_delete(a->st, c->tenant_id, id, &err) != 0) {
		reply_error(out, err.code == ZPUB_ENOTFOUND ? 404 : 500, "%s", err.code ==
		    ZPUB_ENOTFOUND ? "no such job in your tenant" : err.msg);
		return;
	}
	audit_note(a->st, &c->who, "job.delete", "job %lld",
	    (long long)id);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddBoolToObject(j, "deleted", 1);
	reply_json(out, 200, j);
}

static void
h_job_run(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	struct store_job j;
	if (store_job_get_id(a->st, c->tenant_id, id, &j, NULL) != 0) {
		reply_error(out, 404, "no job %lld in your tenant", (long long)id);
		return;
	}
	/* Due now: the daemon's next tick starts it. */
	struct zpub_err err;
	if (store_job_set_next(a->st, id, time_now_ms(), &err) != 0) {
		store_job_clear(&j);
		reply_err(out, &err);
		return;
	}
	audit_note(a->st, &c->who, "job.run", "job %lld '%s'",
	    (long long)id, j.name);
	store_job_clear(&j);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "queued", 1);
	reply_json(out, 202, o);
}

static void
h_job_dry_run(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)r;
	struct store_job j;
	struct zpub_err err;
	if (store_job_get_id(a->st, c->tenant_id, id, &j, NULL) != 0) {
		reply_error(out, 404, "no job %lld in your tenant", (long long)id);
		return;
	}
	cJSON *report = NULL;
	if (job_run(a->st, a->config, a->key_path, &j, 1, &report, NULL, NULL, &err) != 0)
		reply_err(out, &err);
	else
		reply_json(out, 200, report);
	store_job_clear(&j);
}

/* ---- usage and audit ---- */

static void
h_usage(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)id;
	int64_t from, to;
	char *month = lsn_query_get(r->query, "month");
	if (month ? tenant_month_parse(month, &from, &to) != 0 : 0) {
		reply_error(out, 400, "month is YYYY-MM");
		free(month);
		return;
	}
	if (month == NULL)
		tenant_month_range(time_now_ms(), &from, &to);
	free(month);
	struct store_usage_row *v = NULL;
	int n = 0;
	struct zpub_err err;
	if (store_usage_report(a->st, c->tenant_id, from, to, &v, &n, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON *rows = cJSON_AddArrayToObject(j, "rows");
	for (int i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", v[i].kind);
		cJSON_AddStringToObject(o, "provider", v[i].provider);
		cJSON_AddNumberToObject(o, "amount", v[i].amount);
		cJSON_AddNumberToObject(o, "cost", v[i].cost);
		cJSON_AddItemToArray(rows, o);
	}
	store_usage_rows_free(v, n);
	reply_json(out, 200, j);
}

static void
h_audit(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r; (void)id;
	struct store_audit_row *v = NULL;
	int n = 0;
	struct zpub_err err;
	if (store_audit_list(a->st, c->tenant_id, 200, &v, &n, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		char iso[32];
		time_iso(v[i].at, iso);
		cJSON_AddStringToObject(o, "at", iso);
		cJSON_AddStringToObject(o, "actor", v[i].actor ? v[i].actor : "");
		cJSON_AddStringToObject(o, "action", v[i].action ? v[i].action : "");
		cJSON_AddStringToObject(o, "object", v[i].object ? v[i].object : "");
		cJSON_AddStringToObject(o, "origin", v[i].origin ? v[i].origin : "");
		cJSON_AddItemToArray(arr, o);
	}
	store_audit_rows_free(v, n);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "audit", arr);
	reply_json(out, 200, j);
}

/* ---- life cycle ---- */

int
api_new(struct store *st, const cJSON *config, struct api **out)
{
	struct api *a = xcalloc(1, sizeof *a);
	a->st = st;
	a->config = config ? cJSON_Duplicate(config, 1) : cJSON_CreateObject();
	a->per_minute = (int)config_int(a->config, "api.rate_per_minute", 60);
	a->per_hour = (int)config_int(a->config, "api.rate_per_hour", 1000);
	*out = a;
	return 0;
}

void
api_set_key_path(struct api *a, const char *key_path)
{
	free(a->key_path);
	a->key_path = key_path ? xstrdup(key_path) : NULL;
}

void
api_set_origin(struct api *a, const char *origin)
{
	free(a->origin);
	a->origin = origin ? xstrdup(origin) : NULL;
}

void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	cJSON_Delete(a->config);
	free(a->key_path);
	free(a->origin);
	free(a->rates);
	free(a);
}

void
api_response_clear(struct api_response *r)
{
	free(r->body);
	memset(r, 0, sizeof *r);
}
