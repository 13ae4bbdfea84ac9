/*
 * test_api.c — the control API core without sockets: the role matrix
 * (owner, editor, viewer), the tenant wall against guessed ids, tokens
 * (missing, wrong), rate limits (429 + Retry-After), bad JSON and unknown
 * fields, unknown routes and methods, and /openapi.json validated as
 * OpenAPI 3 (openapi-spec-validator when python has it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "api.h"
#include "config.h"
#include "store.h"
#include "store_admin.h"
#include "testutil.h"

struct fx {
	char *dir;
	struct store *st;
	struct api *api;
	char owner[64], editor[64], viewer[64], other[64];
	int64_t rec_a, rec_b, tpl_a, job_a, tenant_b;
};

static void
token_for(struct store *st, int64_t tenant, const char *name, const char *role, char tok[64])
{
	char hash[65];
	assert_int_equal(store_user_add(st, tenant, name, role, NULL, NULL), 0);
	api_token_new(tok);
	api_token_hash(tok, hash);
	assert_int_equal(store_user_set_token_hash(st, tenant, name, hash, NULL), 0);
}

static int64_t
rec(struct store *st, int64_t tenant, const char *ref)
{
	struct store_recording r = { 0 };
	r.tenant_id = tenant;
	r.source = (char *)"local";
	r.source_ref = (char *)ref;
	r.title = (char *)"Лекция";
	r.status = ST_DOWNLOADED;
	int64_t id;
	assert_int_equal(store_recording_add(st, &r, &id, NULL), 0);
	return id;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct zpub_err err;
	f->dir = test_tmpdir("api");
	char *db = test_db(f->dir);
	assert_int_equal(store_open(db, f->dir, &f->st, &err), 0);
	free(db);
	assert_int_equal(store_tenant_add(f->st, "b", &f->tenant_b, NULL), 0);
	token_for(f->st, 1, "olga", "owner", f->owner);
	token_for(f->st, 1, "egor", "editor", f->editor);
	token_for(f->st, 1, "vera", "viewer", f->viewer);
	token_for(f->st, f->tenant_b, "boris", "owner", f->other);
	f->rec_a = rec(f->st, 1, "a1");
	f->rec_b = rec(f->st, f->tenant_b, "b1");
	struct store_template t = { 0 };
	t.tenant_id = 1;
	t.name = (char *)"lectures";
	t.enabled = 1;
	assert_int_equal(store_template_put(f->st, &t, &f->tpl_a, NULL), 0);
	struct store_job j = { 0 };
	j.tenant_id = 1;
	j.name = (char *)"drop";
	j.schedule = (char *)"every 1h";
	j.config = (char *)"{\"source\":\"watch\",\"path\":\"/nonexistent\"}";
	j.enabled = 1;
	assert_int_equal(store_job_put(f->st, &j, &f->job_a, NULL), 0);
	cJSON *cfg = cJSON_Parse("{\"api\": {\"rate_per_minute\": 1000, \"rate_per_hour\": 5000}}");
	assert_int_equal(api_new(f->st, cfg, &f->api), 0);
	cJSON_Delete(cfg);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	api_free(f->api);
	store_close(f->st);
	fs_remove_tree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Calls the API; returns the status, keeps the body in *body if asked. */
static int
call(struct fx *f, const char *tok, const char *method, const char *path, const char *body,
    char **out_body)
{
	char auth[128];
	snprintf(auth, sizeof auth, "Bearer %s", tok ? tok : "");
	const char *q = strchr(path, '?');
	char p[256];
	snprintf(p, sizeof p, "%.*s", q ? (int)(q - path) : (int)strlen(path), path);
	struct api_request r = { method, p, q ? q + 1 : "", body, body ? strlen(body) : 0,
		tok ? auth : NULL, "127.0.0.1:1", 0, NULL, NULL, NULL, NULL, NULL, -1, NULL };
	struct api_response resp;
	api_handle(f->api, &r, &resp);
	assert_non_null(resp.body);
	cJSON *j = cJSON_Parse(resp.body);
	assert_non_null(j);   /* every answer is JSON */
	if (resp.status >= 400)
		assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "error")));
	cJSON_Delete(j);
	int st = resp.status;
	if (out_body)
		*out_body = resp.body;
	else
		free(resp.body);
	return st;
}

/* tmpl with its one %lld or %s replaced by v: the tables below hold
 * their formats as data, which printf cannot check. */
static void
fill(char *out, size_t n, const char *tmpl, const char *v)
{
	const char *p = strchr(tmpl, '%');

	if (p == NULL)
		snprintf(out, n, "%s", tmpl);
	else
		snprintf(out, n, "%.*s%s%s", (int)(p - tmpl), tmpl, v,
		    p + (strncmp(p, "%lld", 4) == 0 ? 4 : 2));
}

static void
test_role_matrix(void **state)
{
	struct fx *f = *state;
	char path[128];
	struct { const char *method, *path, *body; int owner, editor, viewer; } m[] = {
		{ "GET", "/recordings", NULL, 200, 200, 200 },
		{ "GET", "/recordings/%lld", NULL, 200, 200, 200 },
		{ "GET", "/templates", NULL, 200, 200, 200 },
		{ "GET", "/jobs", NULL, 200, 200, 200 },
		{ "GET", "/usage", NULL, 200, 200, 200 },
		{ "GET", "/audit", NULL, 200, 403, 403 },
		{ "POST", "/templates", "{\"name\": \"t-%s\", \"matching_rules\": {\"title\": \"Лекция*\"}}",
		  201, 201, 403 },
		{ "POST", "/jobs", "{\"name\": \"j-%s\", \"schedule\": \"every 1h\", \"config\":"
		  " {\"source\": \"watch\", \"path\": \"\"}}", 201, 403, 403 },
		{ "POST", "/recordings/%lld/publish", NULL, 200, 200, 403 },
		{ "POST", "/jobs/%lld/run", NULL, 202, 403, 403 },
	};
	const char *who[] = { "owner", "editor", "viewer" };
	const char *tok[] = { f->owner, f->editor, f->viewer };
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		int want[] = { m[i].owner, m[i].editor, m[i].viewer };
		for (int k = 0; k < 3; k++) {
			int64_t id = strstr(m[i].path, "jobs") ? f->job_a : f->rec_a;
			char ids[24], body[256];
			snprintf(ids, sizeof ids, "%lld", (long long)id);
			fill(path, sizeof path, m[i].path, ids);
			if (m[i].body)
				fill(body, sizeof body, m[i].body, who[k]);
			int got = call(f, tok[k], m[i].method, path, m[i].body ? body : NULL, NULL);
			if (got != want[k])
				fail_msg("%s %s as %s: %d, want %d", m[i].method, path, who[k], got, want[k]);
		}
	}
	/* Editors may skip; viewers may not. */
	snprintf(path, sizeof path, "/recordings/%lld/skip", (long long)f->rec_a);
	assert_int_equal(call(f, f->viewer, "POST", path, NULL, NULL), 403);
	assert_int_equal(call(f, f->editor, "POST", path, NULL, NULL), 200);
}

static void
test_tokens(void **state)
{
	struct fx *f = *state;
	assert_int_equal(call(f, NULL, "GET", "/recordings", NULL, NULL), 401);
	assert_int_equal(call(f, "zpub_not-a-real-token-at-all", "GET", "/recordings", NULL, NULL),
	    401);
	assert_int_equal(call(f, NULL, "GET", "/health", NULL, NULL), 200);
	/* A removed user's token stops working. */
	assert_int_equal(store_user_remove(f->st, 1, "vera", NULL), 0);
	assert_int_equal(call(f, f->viewer, "GET", "/recordings", NULL, NULL), 401);
}

static void
test_tenant_wall(void **state)
{
	struct fx *f = *state;
	char p[128], *body = NULL;
	const char *fmt[] = { "GET /recordings/%lld", "POST /recordings/%lld/retry",
		"POST /recordings/%lld/skip", "POST /recordings/%lld/publish" };
	for (int i = 0; i < 4; i++) {
		char m[8];
		const char *sp = strchr(fmt[i], ' ');
		snprintf(m, sizeof m, "%.*s", (int)(sp - fmt[i]), fmt[i]);
		char ids[24];
		snprintf(ids, sizeof ids, "%lld", (long long)f->rec_a);
		fill(p, sizeof p, sp + 1, ids);
		assert_int_equal(call(f, f->other, m, p, NULL, NULL), 404);
	}
	snprintf(p, sizeof p, "/templates/%lld", (long long)f->tpl_a);
	assert_int_equal(call(f, f->other, "GET", p, NULL, NULL), 404);
	assert_int_equal(call(f, f->other, "PATCH", p, "{\"priority\": 5}", NULL), 404);
	assert_int_equal(call(f, f->other, "DELETE", p, NULL, NULL), 404);
	snprintf(p, sizeof p, "/jobs/%lld", (long long)f->job_a);
	assert_int_equal(call(f, f->other, "GET", p, NULL, NULL), 404);
	assert_int_equal(call(f, f->other, "DELETE", p, NULL, NULL), 404);
	snprintf(p, sizeof p, "/jobs/%lld/dry-run", (long long)f->job_a);
	assert_int_equal(call(f, f->other, "POST", p, NULL, NULL), 404);
	/* Lists hold only the caller's tenant. */
	assert_int_equal(call(f, f->other, "GET", "/recordings", NULL, &body), 200);
	cJSON *j = cJSON_Parse(body);
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "recordings");
	assert_int_equal(cJSON_GetArraySize(arr), 1);
	assert_int_equal((int64_t)cJSON_GetArrayItem(arr, 0)->child->valuedouble, f->rec_b);
	cJSON_Delete(j);
	free(body);
	assert_int_equal(call(f, f->other, "GET", "/templates", NULL, &body), 200);
	assert_string_equal(body, "{\"templates\":[]}");
	free(body);
	/* Nothing of tenant a changed. */
	struct store_template t;
	assert_int_equal(store_template_get_id(f->st, 1, f->tpl_a, &t, NULL), 0);
	assert_int_equal(t.priority, 0);
	store_template_clear(&t);
}

static void
test_bad_bodies(void **state)
{
	struct fx *f = *state;
	char *body = NULL;
	assert_int_equal(call(f, f->owner, "POST", "/templates", "{\"name\": ", NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/templates", "[1, 2]", NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/templates", NULL, NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/templates", "\"\xff\xfe\"", NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/templates",
	    "{\"name\": \"x\", \"colour\": \"red\"}", &body), 400);
	assert_non_null(strstr(body, "colour"));
	free(body);
	assert_int_equal(call(f, f->owner, "POST", "/templates",
	    "{\"name\": \"x\", \"matching_rules\": {\"titel\": \"x\"}}", &body), 400);
	assert_non_null(strstr(body, "titel"));
	free(body);
	assert_int_equal(call(f, f->owner, "POST", "/templates", "{\"name\": \"lectures\"}", NULL),
	    409);
	assert_int_equal(call(f, f->owner, "POST", "/jobs", "{\"name\": \"j\", \"schedule\":"
	    " \"every 0s\", \"config\": {\"source\": \"watch\", \"path\": \"/x\"}}", NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/jobs", "{\"name\": \"j\", \"schedule\":"
	    " \"@daily\", \"config\": {\"source\": \"watch\", \"path\": \"/x\"}, \"x\": 1}", NULL),
	    400);
	assert_int_equal(call(f, f->owner, "GET", "/nope", NULL, NULL), 404);
	assert_int_equal(call(f, f->owner, "PUT", "/recordings", NULL, NULL), 405);
	assert_int_equal(call(f, f->owner, "GET", "/recordings/0", NULL, NULL), 404);
	assert_int_equal(call(f, f->owner, "GET", "/recordings/abc", NULL, NULL), 404);
	assert_int_equal(call(f, f->owner, "GET", "/recordings/99999", NULL, NULL), 404);
	assert_int_equal(call(f, f->owner, "GET", "/usage?month=2026-13", NULL, NULL), 400);
	/* A good edit through PATCH changes only what it names. */
	char p[64];
	snprintf(p, sizeof p, "/templates/%lld", (long long)f->tpl_a);
	assert_int_equal(call(f, f->editor, "PATCH", p, "{\"priority\": 7}", &body), 200);
	cJSON *j = cJSON_Parse(body);
	assert_int_equal(config_int(j, "priority", 0), 7);
	assert_string_equal(config_str(j, "name", ""), "lectures");
	cJSON_Delete(j);
	free(body);
}

static void
test_rate_limit(void **state)
{
	struct fx *f = *state;
	api_free(f->api);
	cJSON *cfg = cJSON_Parse("{\"api\": {\"rate_per_minute\": 3, \"rate_per_hour\": 5}}");
	assert_int_equal(api_new(f->st, cfg, &f->api), 0);
	cJSON_Delete(cfg);
	char auth[128];
	snprintf(auth, sizeof auth, "Bearer %s", f->editor);
	int64_t t0 = 1800000000000;
	int codes[8], retry[8];
	int64_t at[] = { 0, 1, 2, 3, 61000, 61001, 61002, 130000 };
	for (int i = 0; i < 8; i++) {
		struct api_request r = { "GET", "/recordings", "", NULL, 0, auth, "p", t0 + at[i],
			NULL, NULL, NULL, NULL, NULL, -1, NULL };
		struct api_response resp;
		api_handle(f->api, &r, &resp);
		codes[i] = resp.status;
		retry[i] = resp.retry_after_s;
		api_response_clear(&resp);
	}
	/* 3 a minute: the 4th waits ~60 s; the next minute allows 2 more (5 an hour). */
	int want[] = { 200, 200, 200, 429, 200, 200, 429, 429 };
	for (int i = 0; i < 8; i++)
		if (codes[i] != want[i])
			fail_msg("request %d: %d, want %d", i, codes[i], want[i]);
	assert_true(retry[3] >= 59 && retry[3] <= 60);
	assert_true(retry[6] > 3000);   /* the hour is full */
	/* Another token is not held back. */
	assert_int_equal(call(f, f->owner, "GET", "/recordings", NULL, NULL), 200);
}

static void
test_openapi_document(void **state)
{
	struct fx *f = *state;
	char *body = NULL;
	assert_int_equal(call(f, NULL, "GET", "/openapi.json", NULL, &body), 200);
	cJSON *doc = cJSON_Parse(body);
	assert_string_equal(config_str(doc, "openapi", ""), "3.1.0");
	/* a path's text parameters are declared as such */
	const cJSON *prm = config_find(doc, "paths");
	prm = cJSON_GetObjectItemCaseSensitive(prm, "/accounts/{provider}/{name}");
	prm = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(prm, "delete"),
	    "parameters");
	assert_int_equal(cJSON_GetArraySize(prm), 2);
	assert_string_equal(config_str(cJSON_GetArrayItem(prm, 0), "name", ""), "provider");
	assert_string_equal(config_str(cJSON_GetArrayItem(prm, 1), "name", ""), "name");
	assert_string_equal(config_str(cJSON_GetArrayItem(prm, 1), "schema.type", ""), "string");
	assert_non_null(config_find(doc, "paths"));
	cJSON_Delete(doc);
	char *path = path_join(f->dir, "openapi.json");
	assert_int_equal(fs_write_atomic(path, body, strlen(body), 0600, NULL), 0);
	free(body);
	char *cmd = xasprintf("python3 -c 'import json,sys\n"
	    "try:\n from openapi_spec_validator import validate\n"
	    "except ImportError:\n validate = None\n"
	    "d = json.load(open(sys.argv[1]))\n"
	    "assert d[\"openapi\"].startswith(\"3.\") and \"/recordings/{id}\" in d[\"paths\"]\n"
	    "validate and validate(d)' %s", path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

/* The accounts' routes: a viewer lists but neither starts nor revokes,
 * text path segments are letters, digits, - and _ only, an unknown
 * provider is 404, the body of a start takes only a valid "name", and a
 * callback without a state never reaches the store.  (e2e/api_oauth runs
 * the sign-in itself against the Google fake.) */
static void
test_accounts_routes(void **state)
{
	struct fx *f = *state;
	char *body = NULL;
	assert_int_equal(call(f, f->viewer, "GET", "/accounts", NULL, &body), 200);
	assert_non_null(strstr(body, "\"accounts\":[]"));
	free(body);
	assert_int_equal(call(f, f->viewer, "POST", "/accounts/youtube/start", NULL, NULL), 403);
	assert_int_equal(call(f, f->editor, "POST", "/accounts/youtube/start", NULL, NULL), 403);
	assert_int_equal(call(f, f->viewer, "DELETE", "/accounts/youtube", NULL, NULL), 403);
	assert_int_equal(call(f, f->editor, "DELETE", "/accounts/vk/physics", NULL, NULL), 403);
	assert_int_equal(call(f, NULL, "GET", "/accounts", NULL, NULL), 401);
	assert_int_equal(call(f, f->owner, "POST", "/accounts/myspace/start", NULL, NULL), 404);
	assert_int_equal(call(f, f->owner, "DELETE", "/accounts/myspace", NULL, NULL), 404);
	assert_int_equal(call(f, f->owner, "GET", "/accounts/youtube", NULL, NULL), 405);
	assert_int_equal(call(f, f->owner, "DELETE", "/accounts/you.tube", NULL, &body), 404);
	assert_non_null(strstr(body, "no such endpoint"));
	free(body);
	assert_int_equal(call(f, f->owner, "DELETE", "/accounts/youtube/a/b", NULL, NULL), 404);
	assert_int_equal(call(f, f->owner, "POST", "/accounts/youtube/start", "{\"name\": \"-x\"}",
	    NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/accounts/youtube/start", "{\"name\": 5}",
	    NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/accounts/youtube/start", "{\"as\": \"x\"}",
	    NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/accounts/youtube/start", "[1]", NULL), 400);
	/* the callback's answer is a page, not JSON */
	struct api_request r = { .method = "GET", .path = "/oauth/callback",
		.query = "code=c&state=forged", .peer = "127.0.0.1:1", .content_length = -1 };
	struct api_response resp;
	api_handle(f->api, &r, &resp);
	assert_int_equal(resp.status, 400);
	assert_string_equal(resp.content_type, "text/html; charset=utf-8");
	assert_non_null(strstr(resp.body, "unknown"));
	api_response_clear(&resp);
	r.query = "code=%3Cb%3E";
	api_handle(f->api, &r, &resp);
	assert_int_equal(resp.status, 400);
	assert_null(strstr(resp.body, "<b>"));
	api_response_clear(&resp);
}

static void
test_public_url_parse(void **state)
{
	(void)state;
	char host[256];
	int port;
	assert_int_equal(api_public_url_parse("https://zpub.example.org", host, &port, NULL), 0);
	assert_string_equal(host, "zpub.example.org");
	assert_int_equal(port, 443);
	assert_int_equal(api_public_url_parse("http://zpub.test:8080/zpub/", host, &port, NULL), 0);
	assert_string_equal(host, "zpub.test");
	assert_int_equal(port, 8080);
	assert_int_equal(api_public_url_parse("http://h/", host, &port, NULL), 0);
	assert_int_equal(port, 80);
	static const char *const bad[] = { "ftp://h", "https://", "https://:80",
		"https://user@h", "https://h:0", "https://h:99999", "https://h:8x",
		"https://h/?q=1", "https://h/#f", "https://h/a b", "h", NULL };
	for (int i = 0; bad[i]; i++) {
		struct zpub_err err = {0};
		assert_int_equal(api_public_url_parse(bad[i], host, &port, &err), ZPUB_EINVAL);
		assert_non_null(strstr(err.msg, "api.public_url"));
	}
}

/* A watch job's folder must lie under the tenant's roots (here: only its
 * inbox): /etc and the data folder are refused on save (400, naming the
 * folder), and a job saved around the API is refused at its dry run. */
static void
test_watch_roots(void **state)
{
	struct fx *f = *state;
	char *body = NULL, p[64];
	assert_int_equal(call(f, f->owner, "POST", "/jobs", "{\"name\": \"etc\", \"schedule\":"
	    " \"@daily\", \"config\": {\"source\": \"watch\", \"path\": \"/etc\"}}", &body), 400);
	assert_non_null(strstr(body, "/etc is outside the folders"));
	free(body);
	char *req = xasprintf("{\"name\": \"media\", \"schedule\": \"@daily\", \"config\":"
	    " {\"source\": \"watch\", \"path\": \"%s\"}}", f->dir);
	assert_int_equal(call(f, f->owner, "POST", "/jobs", req, &body), 400);
	assert_non_null(strstr(body, "data folder is never watched"));
	free(body);
	free(req);
	assert_int_equal(call(f, f->owner, "POST", "/jobs", "{\"name\": \"up\", \"schedule\":"
	    " \"@daily\", \"config\": {\"source\": \"watch\", \"path\": \"..\"}}", NULL), 400);
	/* The inbox is made on save (0700) and is fine. */
	assert_int_equal(call(f, f->owner, "POST", "/jobs", "{\"name\": \"inbox\", \"schedule\":"
	    " \"@daily\", \"config\": {\"source\": \"watch\"}}", NULL), 201);
	char *inbox = xasprintf("%s/inbox/default", f->dir);
	struct stat sb;
	assert_int_equal(stat(inbox, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	free(inbox);
	/* job_a was saved straight into the store with /nonexistent. */
	snprintf(p, sizeof p, "/jobs/%lld/dry-run", (long long)f->job_a);
	assert_int_equal(call(f, f->editor, "POST", p, NULL, &body), 400);
	assert_non_null(strstr(body, "/nonexistent"));
	free(body);
}


/* The routes beyond list/show/retry/skip/publish: viewers read, editors
 * act, another tenant's recording is "not found" on every one of them and
 * is never changed, and a batch reports other tenants' ids as not found. */
static void
test_actions_roles_and_wall(void **state)
{
	struct fx *f = *state;
	char p[160], *body = NULL;
	struct { const char *method, *path, *body; int editor, viewer; } m[] = {
		{ "GET", "/recordings/%lld/journal", NULL, 200, 200 },
		{ "GET", "/recordings/%lld/thumbnails", NULL, 200, 200 },
		{ "GET", "/recordings/%lld/description", NULL, 404, 404 },
		{ "PUT", "/recordings/%lld/cut", "{\"clear\": true}", 409, 403 },  /* no length */
		{ "PUT", "/recordings/%lld/thumbnail", "{\"pick\": 1}", 404, 403 },
		{ "POST", "/recordings/%lld/unskip", NULL, 409, 403 },
		{ "POST", "/recordings/%lld/publish", "{\"update\": true}", 409, 403 },
		{ "POST", "/recordings/%lld/topics/regenerate", NULL, 409, 403 },
		{ "GET", "/recordings/%lld/cut", NULL, 404, 404 },  /* no source yet */
		{ "DELETE", "/recordings/%lld", NULL, 200, 403 },
	};
	char ids[24], other[24];
	snprintf(ids, sizeof ids, "%lld", (long long)f->rec_a);
	snprintf(other, sizeof other, "%lld", (long long)f->rec_b);
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		/* tenant a's editor and viewer on a's recording */
		fill(p, sizeof p, m[i].path, ids);
		int got = call(f, f->viewer, m[i].method, p, m[i].body, NULL);
		if (got != m[i].viewer)
			fail_msg("%s %s as viewer: %d, want %d", m[i].method, p, got, m[i].viewer);
		/* tenant b's owner on a's recording, a's editor on b's */
		got = call(f, f->other, m[i].method, p, m[i].body, NULL);
		if (got != 404)
			fail_msg("%s %s as tenant b: %d, want 404", m[i].method, p, got);
		fill(p, sizeof p, m[i].path, other);
		got = call(f, f->editor, m[i].method, p, m[i].body, NULL);
		if (got != 404)
			fail_msg("%s %s of tenant b as a's editor: %d, want 404", m[i].method, p, got);
		fill(p, sizeof p, m[i].path, ids);
		got = call(f, f->editor, m[i].method, p, m[i].body, NULL);
		if (got != m[i].editor)
			fail_msg("%s %s as editor: %d, want %d", m[i].method, p, got, m[i].editor);
	}
	/* deleted, and audited with the caller */
	struct store_recording *r = NULL;
	assert_int_not_equal(store_recording_get(f->st, f->rec_a, &r, NULL), 0);
	assert_int_equal(call(f, f->owner, "GET", "/audit", NULL, &body), 200);
	assert_non_null(strstr(body, "\"delete\""));
	assert_non_null(strstr(body, "egor"));
	free(body);
	/* tenant b's recording is untouched */
	assert_int_equal(store_recording_get(f->st, f->rec_b, &r, NULL), 0);
	assert_int_equal(r->status, ST_DOWNLOADED);
	store_recording_free(r);
	/* status and review are the caller's tenant's */
	assert_int_equal(call(f, f->other, "GET", "/status", NULL, &body), 200);
	cJSON *j = cJSON_Parse(body);
	assert_string_equal(config_str(j, "tenant", ""), "b");
	assert_int_equal(config_int(j, "total", -1), 1);
	cJSON_Delete(j);
	free(body);
	assert_int_equal(call(f, f->viewer, "GET", "/status", NULL, &body), 200);
	j = cJSON_Parse(body);
	assert_int_equal(config_int(j, "total", -1), 0);
	cJSON_Delete(j);
	free(body);
	assert_int_equal(call(f, f->viewer, "GET", "/review", NULL, NULL), 200);
	assert_int_equal(call(f, NULL, "GET", "/status", NULL, NULL), 401);
}

static void
test_batch(void **state)
{
	struct fx *f = *state;
	char req[256], *body = NULL;
	int64_t a2 = rec(f->st, 1, "a2");
	snprintf(req, sizeof req, "{\"action\": \"skip\", \"ids\": [%lld, %lld, %lld, 99999]}",
	    (long long)f->rec_a, (long long)f->rec_b, (long long)a2);
	assert_int_equal(call(f, f->viewer, "POST", "/recordings/batch", req, NULL), 403);
	assert_int_equal(call(f, f->editor, "POST", "/recordings/batch", req, &body), 200);
	cJSON *j = cJSON_Parse(body);
	assert_int_equal(config_int(j, "ok", -1), 2);
	assert_int_equal(config_int(j, "failed", -1), 2);
	cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "results");
	assert_int_equal(cJSON_GetArraySize(res), 4);
	cJSON *b = cJSON_GetArrayItem(res, 1);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "ok")));
	assert_int_equal(config_int(b, "status", 0), 404);
	assert_non_null(strstr(config_str(b, "error", ""), "no recording"));
	cJSON_Delete(j);
	free(body);
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(f->st, f->rec_b, &r, NULL), 0);
	assert_int_equal(r->status, ST_DOWNLOADED);   /* never touched */
	store_recording_free(r);
	assert_int_equal(store_recording_get(f->st, a2, &r, NULL), 0);
	assert_int_equal(r->status, ST_SKIPPED);
	store_recording_free(r);
	/* and back */
	snprintf(req, sizeof req, "{\"action\": \"unskip\", \"ids\": [%lld, %lld]}",
	    (long long)f->rec_a, (long long)a2);
	assert_int_equal(call(f, f->editor, "POST", "/recordings/batch", req, &body), 200);
	if (strstr(body, "\"ok\":2,") == NULL)
		fail_msg("%s", body);
	free(body);
	/* hostile bodies: 400 with a sentence, nothing done */
	assert_int_equal(store_recording_get(f->st, f->rec_a, &r, NULL), 0);
	int before = r->status;
	store_recording_free(r);
	assert_int_not_equal(before, ST_SKIPPED);
	const char *bad[] = {
		"{\"action\": \"skip\"}",
		"{\"action\": \"explode\", \"ids\": [1]}",
		"{\"action\": \"skip\", \"ids\": []}",
		"{\"action\": \"skip\", \"ids\": [\"1\"]}",
		"{\"action\": \"skip\", \"ids\": [1.5]}",
		"{\"action\": \"skip\", \"ids\": [-3]}",
		"{\"action\": \"skip\", \"ids\": [1], \"force\": true}",
		"{\"action\": \"skip\", \"ids\": [1",
		"[1, 2]",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int got = call(f, f->editor, "POST", "/recordings/batch", bad[i], NULL);
		if (got != 400)
			fail_msg("batch %s: %d, want 400", bad[i], got);
	}
	snprintf(req, sizeof req, "{\"action\": \"skip\", \"ids\": [%lld, \"x\"]}",
	    (long long)f->rec_a);
	assert_int_equal(call(f, f->editor, "POST", "/recordings/batch", req, NULL), 400);
	assert_int_equal(store_recording_get(f->st, f->rec_a, &r, NULL), 0);
	assert_int_equal(r->status, before);
	store_recording_free(r);
	/* 501 ids is one too many */
	size_t cap = 501 * 8 + 64, n = 0;
	char *big = malloc(cap);
	n += (size_t)snprintf(big, cap, "{\"action\": \"delete\", \"ids\": [");
	for (int i = 0; i < 501; i++)
		n += (size_t)snprintf(big + n, cap - n, "%s%d", i ? "," : "", i + 1);
	snprintf(big + n, cap - n, "]}");
	assert_int_equal(call(f, f->editor, "POST", "/recordings/batch", big, &body), 400);
	assert_non_null(strstr(body, "500"));
	free(body);
	free(big);
	assert_int_equal(store_recording_get(f->st, f->rec_a, &r, NULL), 0);
	store_recording_free(r);
}

/* Bad input to the editor's desk and the journal's paging. */
static void
test_actions_bad_input(void **state)
{
	struct fx *f = *state;
	char p[128], *body = NULL;
	snprintf(p, sizeof p, "/recordings/%lld/cut", (long long)f->rec_a);
	const char *cut[] = { "{}", "{\"ranges\": 3}", "{\"ranges\": [{\"keep\": 1}]}",
		"{\"ranges\": [{\"trim\": \"00:00:01-00:00:02\"}]}", "{\"clear\": \"yes\"}",
		"{\"ranges\": [], \"colour\": 1}", "not json" };
	for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		int got = call(f, f->editor, "PUT", p, cut[i], NULL);
		if (got != 400)
			fail_msg("PUT cut %s: %d, want 400", cut[i], got);
	}
	snprintf(p, sizeof p, "/recordings/%lld/thumbnail", (long long)f->rec_a);
	const char *th[] = { "{}", "{\"pick\": 0}", "{\"pick\": 1.5}", "{\"pick\": \"1\"}",
		"{\"file\": \"/etc/passwd\"}" };
	for (size_t i = 0; i < sizeof th / sizeof th[0]; i++) {
		int got = call(f, f->editor, "PUT", p, th[i], NULL);
		if (got != 400)
			fail_msg("PUT thumbnail %s: %d, want 400", th[i], got);
	}
	snprintf(p, sizeof p, "/recordings/%lld/publish", (long long)f->rec_a);
	assert_int_equal(call(f, f->editor, "POST", p, "{\"update\": 1}", NULL), 400);
	assert_int_equal(call(f, f->editor, "POST", p, "{\"update\": true, \"x\": 1}", NULL), 400);
	assert_int_equal(call(f, f->editor, "POST", p, "{\"update\": true}", &body), 409);
	assert_non_null(strstr(body, "READY"));
	free(body);
	/* the journal pages newest first */
	for (int i = 0; i < 5; i++)
		store_journal(f->st, f->rec_a, "info", "test", "line %d", i);
	snprintf(p, sizeof p, "/recordings/%lld/journal?limit=2", (long long)f->rec_a);
	assert_int_equal(call(f, f->viewer, "GET", p, NULL, &body), 200);
	cJSON *j = cJSON_Parse(body);
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "journal");
	assert_int_equal(cJSON_GetArraySize(arr), 2);
	assert_string_equal(config_str(cJSON_GetArrayItem(arr, 0), "message", ""), "line 4");
	int64_t next = config_int(j, "next_before", 0);
	assert_true(next > 0);
	cJSON_Delete(j);
	free(body);
	snprintf(p, sizeof p, "/recordings/%lld/journal?limit=2&before=%lld", (long long)f->rec_a,
	    (long long)next);
	assert_int_equal(call(f, f->viewer, "GET", p, NULL, &body), 200);
	j = cJSON_Parse(body);
	arr = cJSON_GetObjectItemCaseSensitive(j, "journal");
	assert_string_equal(config_str(cJSON_GetArrayItem(arr, 0), "message", ""), "line 2");
	cJSON_Delete(j);
	free(body);
	const char *q[] = { "limit=0", "limit=501", "limit=abc", "before=-1", "limit=2x" };
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		snprintf(p, sizeof p, "/recordings/%lld/journal?%s", (long long)f->rec_a, q[i]);
		int got = call(f, f->viewer, "GET", p, NULL, NULL);
		if (got != 400)
			fail_msg("GET %s: %d, want 400", p, got);
	}
	assert_int_equal(call(f, f->editor, "DELETE", "/recordings/abc", NULL, NULL), 404);
	assert_int_equal(call(f, f->editor, "DELETE", "/recordings/99999", NULL, NULL), 404);
	/* a recording a stage holds is not deleted: 409 with a sentence */
	int resumed = 0;
	assert_int_equal(store_lease_take(f->st, f->rec_a, ST_DOWNLOADED, ST_PROCESSING, "w1",
	    60000, &resumed, NULL), 0);
	snprintf(p, sizeof p, "/recordings/%lld", (long long)f->rec_a);
	assert_int_equal(call(f, f->editor, "DELETE", p, NULL, &body), 409);
	assert_non_null(strstr(body, "stop it first"));
	free(body);
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(f->st, f->rec_a, &r, NULL), 0);
	store_recording_free(r);
}

/* Status of one call, the body parsed into *j (NULL when not asked). */
static int
call_json(struct fx *f, const char *tok, const char *method, const char *path,
    const char *body, cJSON **j)
{
	char *out = NULL;
	int st = call(f, tok, method, path, body, &out);
	*j = cJSON_Parse(out);
	free(out);
	return st;
}

/* The owner's routes: template test, the tenant and its config, users;
 * roles, the tenant wall and bad bodies. */
static void
test_admin_routes(void **state)
{
	struct fx *f = *state;
	char p[128];
	cJSON *j = NULL;

	/* template test: viewer may; tenant b cannot see a's template */
	snprintf(p, sizeof p, "/templates/%lld/test", (long long)f->tpl_a);
	assert_int_equal(call_json(f, f->viewer, "GET", p, NULL, &j), 200);
	assert_string_equal(config_str(j, "template", ""), "lectures");
	cJSON *recs = cJSON_GetObjectItemCaseSensitive(j, "recordings");
	assert_int_equal(cJSON_GetArraySize(recs), 1);   /* a's one recording, not b's */
	assert_int_equal(config_int(cJSON_GetArrayItem(recs, 0), "id", 0), f->rec_a);
	assert_true(config_bool(cJSON_GetArrayItem(recs, 0), "matches", 0));
	assert_int_equal(config_int(j, "matched", -1), 1);
	cJSON_Delete(j);
	assert_int_equal(call(f, f->other, "GET", p, NULL, NULL), 404);
	assert_int_equal(call(f, f->viewer, "GET", "/templates/999999/test", NULL, NULL), 404);

	/* the tenant: every role reads its own */
	assert_int_equal(call_json(f, f->viewer, "GET", "/tenant", NULL, &j), 200);
	assert_string_equal(config_str(j, "name", ""), "default");
	assert_non_null(config_find(j, "quota.minutes_month"));
	assert_non_null(config_find(j, "usage.rows"));
	assert_true(cJSON_IsObject(config_find(j, "config")));
	cJSON_Delete(j);
	assert_int_equal(call_json(f, f->other, "GET", "/tenant", NULL, &j), 200);
	assert_string_equal(config_str(j, "name", ""), "b");
	cJSON_Delete(j);

	/* config: owner only; a tenant key sets; all or none */
	const char *ok = "{\"processing.video.window_ms\": 20}";
	assert_int_equal(call(f, f->viewer, "PATCH", "/tenant/config", ok, NULL), 403);
	assert_int_equal(call(f, f->editor, "PATCH", "/tenant/config", ok, NULL), 403);
	assert_int_equal(call_json(f, f->owner, "PATCH", "/tenant/config", ok, &j), 200);
	assert_int_equal(config_int(j, "config.processing.video.window_ms", 0), 20);
	cJSON_Delete(j);
	char *body = NULL;
	assert_int_equal(call(f, f->owner, "PATCH", "/tenant/config",
	    "{\"processing.video.min_silence_ms\": 500, \"api.rate_per_minute\": 1}", &body), 400);
	assert_non_null(strstr(body, "api.rate_per_minute"));
	free(body);
	assert_int_equal(call(f, f->owner, "PATCH", "/tenant/config",
	    "{\"processing.video.window_ms\": 5000}", &body), 400);
	assert_non_null(strstr(body, "processing.video.window_ms"));
	free(body);
	assert_int_equal(call(f, f->owner, "PATCH", "/tenant/config", "{}", NULL), 400);
	assert_int_equal(call(f, f->owner, "PATCH", "/tenant/config", "[1]", NULL), 400);
	assert_int_equal(call(f, f->owner, "PATCH", "/tenant/config", "{\"a..b\": 1}", NULL),
	    400);
	assert_int_equal(call(f, f->owner, "PATCH", "/tenant/config",
	    "{\"api.rate_per_minute\": null}", NULL), 400);
	/* nothing of the refused patches landed; b's layer never moved */
	struct store_tenant t;
	assert_int_equal(store_tenant_get(f->st, 1, &t, NULL), 0);
	assert_string_equal(t.config, "{\"processing\":{\"video\":{\"window_ms\":20}}}");
	store_tenant_clear(&t);
	assert_int_equal(call_json(f, f->other, "PATCH", "/tenant/config",
	    "{\"processing.video.window_ms\": 30}", &j), 200);
	cJSON_Delete(j);
	assert_int_equal(store_tenant_get(f->st, 1, &t, NULL), 0);
	assert_string_equal(t.config, "{\"processing\":{\"video\":{\"window_ms\":20}}}");
	store_tenant_clear(&t);
	/* null unsets, and the emptied sections go */
	assert_int_equal(call_json(f, f->owner, "PATCH", "/tenant/config",
	    "{\"processing.video.window_ms\": null}", &j), 200);
	cJSON_Delete(j);
	assert_int_equal(store_tenant_get(f->st, 1, &t, NULL), 0);
	assert_string_equal(t.config, "{}");
	store_tenant_clear(&t);
	/* there is no route to change quotas */
	assert_int_equal(call(f, f->owner, "PATCH", "/tenant", "{\"quota\": {}}", NULL), 405);

	/* users: owner only, never token hashes, only the caller's tenant */
	assert_int_equal(call(f, f->editor, "GET", "/users", NULL, NULL), 403);
	assert_int_equal(call(f, f->viewer, "POST", "/users", "{\"name\": \"x\"}", NULL), 403);
	assert_int_equal(call(f, f->editor, "POST", "/users/vera/token", NULL, NULL), 403);
	assert_int_equal(call(f, f->editor, "DELETE", "/users/vera", NULL, NULL), 403);
	assert_int_equal(call(f, f->owner, "GET", "/users", NULL, &body), 200);
	assert_non_null(strstr(body, "\"olga\""));
	assert_null(strstr(body, "boris"));
	assert_null(strstr(body, "hash"));
	assert_null(strstr(body, f->owner));
	free(body);
	assert_int_equal(call_json(f, f->owner, "POST", "/users",
	    "{\"name\": \"ivan\", \"role\": \"editor\"}", &j), 201);
	char tok[64];
	snprintf(tok, sizeof tok, "%s", config_str(j, "token", ""));
	cJSON_Delete(j);
	assert_true(strlen(tok) > 16);
	assert_int_equal(call(f, tok, "GET", "/recordings", NULL, NULL), 200);
	assert_int_equal(call(f, tok, "GET", "/users", NULL, NULL), 403);
	assert_int_equal(call(f, f->owner, "POST", "/users", "{\"name\": \"ivan\"}", NULL), 409);
	assert_int_equal(call(f, f->owner, "POST", "/users", "{\"name\": \"../x\"}", NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/users", "{\"name\": \"\"}", NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/users", "{\"name\": 5}", NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/users",
	    "{\"name\": \"y\", \"role\": \"root\"}", NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/users",
	    "{\"name\": \"y\", \"token_hash\": \"00\"}", NULL), 400);
	assert_int_equal(call(f, f->owner, "POST", "/users", "not json", NULL), 400);
	/* tenant b cannot rotate or remove a's users; the same name in b is b's */
	assert_int_equal(call(f, f->other, "POST", "/users/ivan/token", NULL, NULL), 404);
	assert_int_equal(call(f, f->other, "DELETE", "/users/ivan", NULL, NULL), 404);
	assert_int_equal(call(f, tok, "GET", "/recordings", NULL, NULL), 200);
	/* rotate: the old token stops working, the new one works */
	assert_int_equal(call_json(f, f->owner, "POST", "/users/ivan/token", NULL, &j), 200);
	char tok2[64];
	snprintf(tok2, sizeof tok2, "%s", config_str(j, "token", ""));
	cJSON_Delete(j);
	assert_int_equal(call(f, tok, "GET", "/recordings", NULL, NULL), 401);
	assert_int_equal(call(f, tok2, "GET", "/recordings", NULL, NULL), 200);
	assert_int_equal(call(f, f->owner, "POST", "/users/nobody/token", NULL, NULL), 404);
	/* delete; the last owner stays */
	assert_int_equal(call(f, f->owner, "DELETE", "/users/ivan", NULL, NULL), 200);
	assert_int_equal(call(f, tok2, "GET", "/recordings", NULL, NULL), 401);
	assert_int_equal(call(f, f->owner, "DELETE", "/users/ivan", NULL, NULL), 404);
	assert_int_equal(call(f, f->owner, "DELETE", "/users/olga", NULL, &body), 409);
	assert_non_null(strstr(body, "last owner"));
	free(body);
	assert_int_equal(call(f, f->owner, "GET", "/recordings", NULL, NULL), 200);
	/* audited with the API caller */
	assert_int_equal(call(f, f->owner, "GET", "/audit", NULL, &body), 200);
	assert_non_null(strstr(body, "user.remove"));
	assert_non_null(strstr(body, "tenant.config"));
	assert_non_null(strstr(body, "api:olga"));
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_role_matrix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_wall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_bodies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_openapi_document, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_roots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_actions_roles_and_wall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_actions_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accounts_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_routes, setup, teardown),
		cmocka_unit_test(test_public_url_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
