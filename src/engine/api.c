/*
 * api.c — the control API: routes, roles, tenant scoping, rate limits and
 * the OpenAPI document, all from one route table (API_ROUTES).  The
 * handlers are api_routes_*.c (recordings, templates, jobs, usage and
 * audit), sharing api_int.h; the server around it (thread, listener,
 * workers for slow routes) is api_server.c.
 *
 * api_handle() is transport-free (a request in, a status and a JSON body
 * out) so the role matrix, the tenant wall and the limits are unit-tested
 * without sockets.  Every query is made with the caller's tenant id: a
 * recording, template or job of another tenant is "not found", whatever
 * id the URL guesses.
 */
#include "api_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "config.h"
#include "metrics.h"
#include "store.h"
#include "store_admin.h"
#include "store_quota.h"
#include "util.h"
#include "vault.h"

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
	X("GET", "/audit", ROLE_OWNER, h_audit, API_FAST, "The audit log of the tenant") \
	X("POST", "/hooks/zoom", ROLE_NONE, h_zoom_hook, API_FAST, \
	  "Zoom's event notifications: no token, Zoom's x-zm-signature instead") \
	X("GET", "/metrics", ROLE_OPERATOR, h_metrics, API_FAST, \
	  "Counters of every tenant in the Prometheus text format (api.metrics_token)") \
	X("GET", "/ready", ROLE_NONE, h_ready, API_FAST, \
	  "Readiness: 200 when the database takes writes and the disk keeps its reserve") \
	X("DELETE", "/recordings/{id}", ROLE_EDITOR, h_rec_delete, API_FAST, \
	  "Delete a recording and its files (409 while a stage runs on it)") \
	X("POST", "/recordings/{id}/unskip", ROLE_EDITOR, h_rec_unskip, API_FAST, \
	  "Bring a SKIPPED recording back where its files say it was") \
	X("GET", "/recordings/{id}/journal", ROLE_VIEWER, h_rec_journal, API_FAST, \
	  "The recording's journal, newest first (?limit=1..500, ?before=next_before)") \
	X("GET", "/status", ROLE_VIEWER, h_status, API_FAST, \
	  "Counts per status, review pending and what is running (as zpub status --json)") \
	X("GET", "/review", ROLE_VIEWER, h_review, API_FAST, \
	  "Recordings held for review (?limit, ?offset)") \
	X("PUT", "/recordings/{id}/cut", ROLE_EDITOR, h_rec_cut, API_FAST, \
	  "Keep or remove stretches of the source ({\"ranges\": [{\"keep\": \"A-B\"}], \"clear\": false})") \
	X("GET", "/recordings/{id}/thumbnails", ROLE_VIEWER, h_rec_thumbnails, API_FAST, \
	  "The thumbnails, numbered, the chosen one marked") \
	X("PUT", "/recordings/{id}/thumbnail", ROLE_EDITOR, h_rec_thumbnail_pick, API_SLOW, \
	  "Choose the N-th thumbnail ({\"pick\": N})") \
	X("GET", "/recordings/{id}/description", ROLE_VIEWER, h_rec_description, API_FAST, \
	  "The rendered title and description") \
	X("POST", "/recordings/batch", ROLE_EDITOR, h_rec_batch, API_SLOW, \
	  "One action over up to 500 ids ({\"action\": \"retry|skip|unskip|delete|publish|approve\", \"ids\": [...]}): a result per id") \
	X("POST", "/recordings/{id}/topics/regenerate", ROLE_EDITOR, h_topics_regenerate, API_SLOW, \
	  "Find topics again from the transcript ({\"engine\": ...} optional): a new topic version") \
	X("GET", "/recordings/{id}/cut", ROLE_VIEWER, h_rec_cut_plan, API_SLOW, \
	  "The cut plan: every stretch of the source with its reason, and the overrides") \
	X("GET", "/accounts", ROLE_VIEWER, h_acct_list, API_FAST, \
	  "Connected accounts of the tenant (never their tokens)") \
	X("POST", "/accounts/{provider}/start", ROLE_OWNER, h_acct_start, API_FAST, \
	  "Start a sign-in ({\"name\": \"...\"} optional): the provider's authorization URL") \
	X("DELETE", "/accounts/{provider}", ROLE_OWNER, h_acct_revoke, API_SLOW, \
	  "Disconnect the default account: revoke at the provider, forget the tokens") \
	X("DELETE", "/accounts/{provider}/{name}", ROLE_OWNER, h_acct_revoke, API_SLOW, \
	  "Disconnect a named account") \
	X("GET", "/oauth/callback", ROLE_NONE, h_oauth_callback, API_SLOW, \
	  "Where the provider sends the browser back: no token, the state is the credential") \
	X("POST", "/recordings/{id}/cancel", ROLE_EDITOR, h_rec_cancel, API_FAST, \
	  "Stop the running stage: back to the last finished status, held until run again") \
	X("POST", "/uploads", ROLE_EDITOR, h_upload_create, API_FAST, \
	  "Start a resumable upload ({\"name\", \"size\", \"sha256\"}); answers its id and offset 0") \
	X("GET", "/uploads/{id}", ROLE_EDITOR, h_upload_show, API_FAST, \
	  "An upload's offset: the bytes the server has, where to resume") \
	X("PUT", "/uploads/{id}", ROLE_EDITOR, h_upload_put, API_STREAM, \
	  "Bytes of an upload (Content-Range: bytes START-END/SIZE, START = offset); the last" \
	  " ones import it and answer the recording") \
	X("DELETE", "/uploads/{id}", ROLE_EDITOR, h_upload_delete, API_FAST, "Abandon an upload") \
	X("POST", "/recordings", ROLE_EDITOR, h_rec_upload, API_STREAM, \
	  "Upload a recording in one request (the file as the body, ?name=, X-Zpub-Sha256)") \
	X("GET", "/recordings/{id}/artifacts", ROLE_VIEWER, h_artifact_list, API_FAST, \
	  "The recording's files by kind (cut video, subtitles, thumbnail, ...)") \
	X("GET", "/recordings/{id}/artifacts/{kind}", ROLE_VIEWER, h_artifact_get, API_FAST, \
	  "Download the newest file of a kind (Range: bytes=... answers 206)") \
	X("GET", "/templates/{id}/test", ROLE_VIEWER, h_tpl_test, API_FAST, \
	  "Which recordings the template matches, why not, and which template wins (as" \
	  " zpub template test --json)") \
	X("GET", "/tenant", ROLE_VIEWER, h_tenant_show, API_FAST, \
	  "The caller's tenant: quotas, what it uses, this month's usage, its config layer") \
	X("PATCH", "/tenant/config", ROLE_OWNER, h_tenant_config, API_FAST, \
	  "Set tenant settings ({\"KEY\": value, ...}, null unsets): all or none; operator" \
	  " keys are refused") \
	X("GET", "/users", ROLE_OWNER, h_user_list, API_FAST, \
	  "Users of the tenant: name, role, created (never their tokens)") \
	X("POST", "/users", ROLE_OWNER, h_user_create, API_FAST, \
	  "Add a user ({\"name\", \"role\"}); answers its token, shown only this once") \
	X("POST", "/users/{name}/token", ROLE_OWNER, h_user_token, API_FAST, \
	  "A new token for the user, shown once; the old one stops working") \
	X("DELETE", "/users/{name}", ROLE_OWNER, h_user_delete, API_FAST, \
	  "Remove a user (409 for the tenant's last owner)")

/* API_STREAM: the body streams to disk (api_stream_open), then the route
 * runs on a worker like a slow one. */
enum api_pace { API_FAST, API_SLOW, API_STREAM };

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

void
reply_json(struct api_response *out, int status, cJSON *j)
{
	out->status = status;
	char *s = cJSON_PrintUnformatted(j);
	out->body = xstrdup(s ? s : "{}");
	cJSON_free(s);
	cJSON_Delete(j);
}

void
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

void
reply_err(struct api_response *out, const struct zpub_err *e)
{
	reply_error(out, status_of(e->code), "%s", e->msg[0] ? e->msg : zpub_err_name(e->code));
}

cJSON *
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

int
api_operator_secret(struct api *a, const char *name, char **secret, size_t *len,
    struct zpub_err *err)
{
	const char *tenant = config_str(a->config, "tenant", "default");
	struct vault *v = NULL;
	int64_t tid = 0;
	int rc;

	*secret = NULL;
	if (a->key_path == NULL)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "this server has no vault");
	if ((rc = vault_open(a->st, a->key_path, &v, err)) == 0 &&
	    (rc = store_tenant_id(a->st, tenant, &tid, err)) == 0)
		rc = vault_get(v, tid, name, secret, len, err);
	vault_close(v);
	return rc;
}

/* 1 when the bearer is the operator's secret api.metrics_token (compared
 * in constant time). */
static int
operator_token(struct api *a, const struct api_request *r, struct api_caller *c, char hash[65])
{
	const char *h = r->authorization;
	char *want = NULL;
	size_t n = 0;
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 ||
	    api_operator_secret(a, "api.metrics_token", &want, &n, NULL) != 0)
		return 0;
	const char *got = h + 7;
	int ok = n >= 16 && strlen(got) == n && sodium_memcmp(want, got, n) == 0;
	vault_free_secret(want, n);
	if (!ok)
		return 0;
	api_token_hash(got, hash);
	c->tenant_id = 0;
	c->role = ROLE_OPERATOR;
	snprintf(c->name, sizeof c->name, "operator");
	return 1;
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

/* Matches path against a pattern: "{id}" takes a number into *id, any
 * other "{word}" one segment into the next arg: for "{kind}" 1..32 of
 * [a-z0-9_], else 1..47 letters, digits, - and _. */
static int
path_match(const char *pattern, const char *path, int64_t *id, char arg[2][48])
{
	int na = 0;
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
		if (*pattern == '{') {
			const char *close = strchr(pattern, '}');
			int kind = strncmp(pattern, "{kind}", 6) == 0;
			size_t n = strspn(path, kind ? "abcdefghijklmnopqrstuvwxyz0123456789_" :
			    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");
			if (close == NULL || n == 0 || n > (kind ? 32u : 47u) || na >= 2)
				return 0;
			memcpy(arg[na], path, n);
			arg[na++][n] = '\0';
			pattern = close + 1;
			path += n;
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
	call->route = -1;
	const struct route *hit = NULL;
	int path_known = 0;
	for (size_t i = 0; i < N_ROUTES; i++) {
		int64_t rid = 0;
		char arg[2][48] = { "", "" };
		if (!path_match(routes[i].path, r->path, &rid, arg))
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, r->method) == 0) {
			hit = &routes[i];
			call->route = (int)i;
			call->id = rid;
			memcpy(call->arg, arg, sizeof call->arg);
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
	call->slow = hit->pace != API_FAST;
	call->stream = hit->pace == API_STREAM;
	if (hit->role != ROLE_NONE) {
		struct api_caller c;
		char hash[65];
		memset(&c, 0, sizeof c);
		if (!(hit->role == ROLE_OPERATOR && operator_token(a, r, &c, hash)) &&
		    authenticate(a, r, &c, hash, out) != 0)
			return -1;
		if (rate_limited(a, hash, r->now_ms ? r->now_ms : time_now_ms(), out))
			return -1;
		if (c.role < hit->role) {
			static const char *const names[] = { "", "viewer", "editor", "owner",
				"operator" };
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

int
api_route_streams(const char *method, const char *path)
{
	for (size_t i = 0; i < N_ROUTES; i++) {
		int64_t rid;
		char arg[2][48];
		if (routes[i].pace == API_STREAM && strcmp(routes[i].method, method) == 0 &&
		    path_match(routes[i].path, path, &rid, arg))
			return 1;
	}
	return 0;
}

/* The tenant wall in one place: a route under a recording's, template's or
 * job's {id} answers 404 for an id outside the caller's tenant before its
 * handler reads the body, so no answer to another tenant's id depends on
 * what the request carries.  0 = the object is the caller's (or the route
 * names none). */
static int
wall(struct api *a, const char *path, int64_t tenant_id, int64_t id, struct api_response *out)
{
	static const char *const kinds[] = { "recording", "template", "job" };
	static const char *const prefixes[] = { "/recordings/{id}", "/templates/{id}",
		"/jobs/{id}" };
	struct zpub_err err;
	int rc = 0;
	for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
		if (strncmp(path, prefixes[k], strlen(prefixes[k])) != 0)
			continue;
		if (k == 0) {
			struct store_recording *rec = NULL;
			rc = store_recording_get_in(a->st, tenant_id, id, &rec, &err);
			store_recording_free(rec);
		} else if (k == 1) {
			struct store_template t;
			memset(&t, 0, sizeof t);
			if ((rc = store_template_get_id(a->st, tenant_id, id, &t, &err)) == 0)
				store_template_clear(&t);
		} else {
			struct store_job j;
			memset(&j, 0, sizeof j);
			if ((rc = store_job_get_id(a->st, tenant_id, id, &j, &err)) == 0)
				store_job_clear(&j);
		}
		if (rc == ZPUB_ENOTFOUND) {
			reply_error(out, 404, "no %s %lld in your tenant", kinds[k], (long long)id);
			return -1;
		}
		if (rc != 0) {
			reply_err(out, &err);
			return -1;
		}
		break;
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
	memcpy(c.arg, call->arg, sizeof c.arg);
	c.who.kind = ACTOR_API;
	c.who.tenant_id = call->tenant_id;
	snprintf(c.who.user, sizeof c.who.user, "%s", call->name);
	snprintf(c.who.from, sizeof c.who.from, "%s", r->peer ? r->peer : "");
	if (call->tenant_id > 0 && wall(a, routes[call->route].path, call->tenant_id, call->id,
	    out) != 0)
		return;
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
	api_count(&call, r->method, out->status);
}

void
api_count(const struct api_call *call, const char *method, int status)
{
	int known = call->route >= 0 && (size_t)call->route < N_ROUTES;
	char code[16];
	snprintf(code, sizeof code, "%d", status);
	/* an unknown path or method is one label, whatever the client sent */
	const char *labels[3] = { known ? routes[call->route].path : "unmatched",
		known ? routes[call->route].method : "other", code };
	metrics_add(M_API_REQUESTS, labels, 1);
}

/* ---- handlers: health and the document ---- */

void
h_health(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)a; (void)r; (void)c; (void)id;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "status", "ok");
	cJSON_AddStringToObject(j, "version", ZPUB_VERSION);
	reply_json(out, 200, j);
}

/* The document around the paths: info, the server, bearer security and
 * the Error schema every failure answers with. */
static cJSON *
openapi_skeleton(const char *origin)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "openapi", "3.1.0");
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
	return doc;
}

/* A route's success answer (202 for a run, 201 for a creation) and the
 * errors it can give. */
static void
openapi_responses(cJSON *op, const struct route *rt, const char *m)
{
	static const struct { const char *code, *desc; } errors[] = {
		{ "400", "Bad request: invalid JSON, unknown field, bad value" },
		{ "401", "No or invalid bearer token" },
		{ "403", "The caller's role is not enough" },
		{ "404", "Not found in the caller's tenant" },
		{ "429", "Rate limit; see Retry-After" },
	};
	cJSON *resp = cJSON_AddObjectToObject(op, "responses");
	cJSON *ok = cJSON_AddObjectToObject(resp, strcmp(m, "post") == 0 &&
	    strcmp(rt->path + strlen(rt->path) - 4, "/run") == 0 ? "202" :
	    strcmp(m, "post") == 0 && (strcmp(rt->path, "/templates") == 0 ||
	    strcmp(rt->path, "/jobs") == 0 || strcmp(rt->path, "/uploads") == 0 ||
	    strcmp(rt->path, "/recordings") == 0) ? "201" : "200");
	cJSON_AddStringToObject(ok, "description", "Success");
	int text = rt->fn == h_metrics, html = rt->fn == h_oauth_callback,
	    bin = rt->fn == h_artifact_get;
	cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(
	    cJSON_AddObjectToObject(ok, "content"), bin ? "application/octet-stream" : html ?
	    "text/html" : text ? "text/plain" : "application/json"), "schema"), "type",
	    text || html || bin ? "string" : "object");
	if (html) {
		cJSON *bad = cJSON_AddObjectToObject(resp, "400");
		cJSON_AddStringToObject(bad, "description", "Refused: an unknown, used or expired"
		    " state, or the provider's error; the page says which and nothing is saved");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(
		    cJSON_AddObjectToObject(bad, "content"), "text/html"), "schema"), "type",
		    "string");
		return;
	}
	if (bin) {
		cJSON_AddStringToObject(cJSON_AddObjectToObject(resp, "206"), "description",
		    "The part the Range header asked for, with Content-Range");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(resp, "416"), "description",
		    "No byte of the Range exists; Content-Range says the size");
	}
	if (rt->pace == API_STREAM) {
		cJSON_AddStringToObject(cJSON_AddObjectToObject(resp, "409"), "description",
		    "Content-Range does not start at the upload's offset (the answer says it)");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(resp, "413"), "description",
		    "Larger than api.max_upload_mb or the tenant's storage quota");
	}
	if (rt->fn == h_ready) {
		cJSON *nr = cJSON_AddObjectToObject(resp, "503");
		cJSON_AddStringToObject(nr, "description", "Not ready: the error says why");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(
		    cJSON_AddObjectToObject(nr, "content"), "application/json"), "schema"),
		    "$ref", "#/components/schemas/Error");
	}
	for (size_t e = 0; e < sizeof errors / sizeof errors[0]; e++) {
		if (rt->role == ROLE_NONE && e > 0)
			break;
		cJSON *er = cJSON_AddObjectToObject(resp, errors[e].code);
		cJSON_AddStringToObject(er, "description", errors[e].desc);
		cJSON *sch = cJSON_AddObjectToObject(cJSON_AddObjectToObject(
		    cJSON_AddObjectToObject(er, "content"), "application/json"), "schema");
		cJSON_AddStringToObject(sch, "$ref", "#/components/schemas/Error");
	}
}

/* Route i as an operation of method m (lower case): summary, id, the role
 * it needs, the {id} parameter, a JSON body where it takes one, answers. */
static void
openapi_operation(cJSON *op, const struct route *rt, size_t i, const char *m)
{
	cJSON_AddStringToObject(op, "summary", rt->summary);
	char opid[96];
	/* operationId from the handler's place in the table: stable and unique. */
	snprintf(opid, sizeof opid, "op%02zu_%s", i, m);
	cJSON_AddStringToObject(op, "operationId", opid);
	if (rt->role == ROLE_NONE)
		cJSON_AddItemToObject(op, "security", cJSON_CreateArray());
	else {
		cJSON *sec = cJSON_AddArrayToObject(op, "security");
		cJSON *s = cJSON_CreateObject();
		cJSON_AddItemToObject(s, "bearer", cJSON_CreateArray());
		cJSON_AddItemToArray(sec, s);
		static const char *const rn[] = { "", "viewer", "editor", "owner", "operator" };
		char d[128];
		snprintf(d, sizeof d, rt->role == ROLE_OPERATOR ? "Needs the %s's token"
		    " (api.metrics_token); tenants' tokens get 403." :
		    "Needs the %s role or higher.", rn[rt->role]);
		cJSON_AddStringToObject(op, "description", d);
	}
	/* every "{word}" of the path, declared: {id} a number, the others a name */
	cJSON *params = NULL;
	for (const char *b = strchr(rt->path, '{'); b != NULL; b = strchr(b + 1, '{')) {
		const char *e = strchr(b, '}');
		if (e == NULL)
			break;
		char pname[32];
		snprintf(pname, sizeof pname, "%.*s", (int)(e - b - 1), b + 1);
		if (params == NULL)
			params = cJSON_AddArrayToObject(op, "parameters");
		cJSON *prm = cJSON_CreateObject();
		cJSON_AddStringToObject(prm, "name", pname);
		cJSON_AddStringToObject(prm, "in", "path");
		cJSON_AddBoolToObject(prm, "required", 1);
		cJSON *sch = cJSON_AddObjectToObject(prm, "schema");
		if (strcmp(pname, "id") == 0) {
			cJSON_AddStringToObject(sch, "type", "integer");
			cJSON_AddNumberToObject(sch, "minimum", 1);
		} else {
			cJSON_AddStringToObject(sch, "type", "string");
			cJSON_AddStringToObject(sch, "pattern", strcmp(pname, "kind") == 0 ?
			    "^[a-z0-9_]{1,32}$" : "^[A-Za-z0-9_-]{1,47}$");
		}
		cJSON_AddItemToArray(params, prm);
	}
	/* what the provider sends the browser back with */
	static const char *const cb_query[] = { "state", "code", "error", "error_description",
		"device_id", NULL };
	for (int q = 0; rt->fn == h_oauth_callback && cb_query[q]; q++) {
		if (params == NULL)
			params = cJSON_AddArrayToObject(op, "parameters");
		cJSON *prm = cJSON_CreateObject();
		cJSON_AddStringToObject(prm, "name", cb_query[q]);
		cJSON_AddStringToObject(prm, "in", "query");
		cJSON_AddBoolToObject(prm, "required", q == 0);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(prm, "schema"), "type", "string");
		cJSON_AddItemToArray(params, prm);
	}
	if (strcmp(m, "post") == 0 || strcmp(m, "patch") == 0) {
		if (rt->pace == API_STREAM) {
			cJSON *rb = cJSON_AddObjectToObject(op, "requestBody");
			cJSON_AddBoolToObject(rb, "required", 1);
			cJSON *ct = cJSON_AddObjectToObject(cJSON_AddObjectToObject(rb, "content"),
			    "application/octet-stream");
			cJSON *sch = cJSON_AddObjectToObject(ct, "schema");
			cJSON_AddStringToObject(sch, "type", "string");
			cJSON_AddStringToObject(sch, "format", "binary");
		} else if (!strstr(rt->path, "/retry") && !strstr(rt->path, "skip") &&
		    !strstr(rt->path, "/publish") && !strstr(rt->path, "run") &&
		    !strstr(rt->path, "/regenerate") && !strstr(rt->path, "/token")) {
			cJSON *rb = cJSON_AddObjectToObject(op, "requestBody");
			cJSON_AddBoolToObject(rb, "required", rt->fn != h_acct_start);
			cJSON *ct = cJSON_AddObjectToObject(cJSON_AddObjectToObject(rb, "content"),
			    "application/json");
			cJSON_AddStringToObject(cJSON_AddObjectToObject(ct, "schema"), "type",
			    "object");
		}
	}
	openapi_responses(op, rt, m);
}

cJSON *
api_openapi(const char *origin)
{
	cJSON *doc = openapi_skeleton(origin);
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
		openapi_operation(cJSON_AddObjectToObject(p, m), &routes[i], i, m);
	}
	return doc;
}

void
h_openapi(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r; (void)c; (void)id;
	const char *pub = config_str(a->config, "api.public_url", NULL);
	reply_json(out, 200, api_openapi(pub && *pub ? pub : a->origin));
}

int
api_public_url_parse(const char *url, char host[256], int *port, struct zpub_err *err)
{
	const char *h;
	host[0] = '\0';
	*port = 0;
	if (strncmp(url, "https://", 8) == 0) {
		h = url + 8;
		*port = 443;
	} else if (strncmp(url, "http://", 7) == 0) {
		h = url + 7;
		*port = 80;
	} else
		goto bad;
	size_t n = strcspn(h, ":/?#@");
	const char *rest = h + n;
	if (n == 0 || n >= 256 || *rest == '@' || strpbrk(rest, "?#@ \t\r\n") != NULL)
		goto bad;
	if (*rest == ':') {
		char *end;
		long p = strtol(rest + 1, &end, 10);
		if (end == rest + 1 || p < 1 || p > 65535 || (*end != '\0' && *end != '/'))
			goto bad;
		*port = (int)p;
	}
	memcpy(host, h, n);
	host[n] = '\0';
	return 0;
bad:
	return zpub_err_set(err, ZPUB_EINVAL, "api.public_url '%.200s' is not a plain http(s)"
	    " address (https://HOST[:PORT][/PREFIX], no user, query or fragment); set it to the"
	    " address clients reach the API at", url);
}

/* ---- life cycle ---- */

int
api_new(struct store *st, const cJSON *config, struct api **out)
{
	struct api *a = xcalloc(1, sizeof *a);
	a->st = st;
	store_set_face(st, "api");   /* what the API starts is metered as the API's */
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
api_set_wake(struct api *a, void (*wake)(void *ud), void *ud)
{
	a->wake = wake;
	a->wake_ud = ud;
}

void
api_set_origin(struct api *a, const char *origin)
{
	free(a->origin);
	a->origin = origin ? xstrdup(origin) : NULL;
}

void
api_set_data_dir(struct api *a, const char *data_dir)
{
	free(a->data_dir);
	a->data_dir = data_dir ? xstrdup(data_dir) : NULL;
}

void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	cJSON_Delete(a->config);
	free(a->data_dir);
	free(a->key_path);
	free(a->origin);
	free(a->rates);
	free(a);
}

void
api_response_clear(struct api_response *r)
{
	free(r->body);
	free(r->file_path);
	free(r->headers);
	memset(r, 0, sizeof *r);
}
