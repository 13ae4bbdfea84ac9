/*
 * api_routes_admin.c — the control API's routes for what a tenant's owner
 * does from the CLI for its own tenant: test a template against the
 * recordings, read the tenant (quotas, usage, its config layer) and change
 * its config layer, and manage the tenant's users and their tokens.  Every
 * call is scoped to the caller's tenant; quotas stay the operator's.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_admin.h"
#include "template.h"
#include "usage.h"
#include "tenant.h"
#include "util.h"

/* ---- templates ---- */

void
h_tpl_test(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r;
	struct store_template t;
	struct zpub_err err;
	cJSON *arr = NULL;
	if (store_template_get_id(a->st, c->tenant_id, id, &t, &err) != 0) {
		reply_error(out, 404, "no template %lld in your tenant", (long long)id);
		return;
	}
	if (tpl_test_json(a->st, c->tenant_id, &t, &arr, &err) != 0)
		reply_err(out, &err);
	else {
		int matched = 0;
		const cJSON *e;
		cJSON_ArrayForEach(e, arr)
			matched += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "matches"));
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "template", t.name);
		cJSON_AddNumberToObject(j, "matched", matched);
		cJSON_AddItemToObject(j, "recordings", arr);
		reply_json(out, 200, j);
	}
	store_template_clear(&t);
}

/* ---- the tenant ---- */

/* The caller's tenant with this month's metered usage. */
static void
tenant_reply(struct api *a, const struct api_caller *c, struct api_response *out)
{
	struct store_tenant t;
	struct zpub_err err;
	int64_t from, to;
	double total = 0;
	if (store_tenant_get(a->st, c->tenant_id, &t, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	tenant_month_range(time_now_ms(), &from, &to);
	cJSON *rows = usage_rows(a->st, c->tenant_id, from, to, &total, &err);
	if (rows == NULL) {
		store_tenant_clear(&t);
		reply_err(out, &err);
		return;
	}
	cJSON *j = tenant_to_json(a->st, &t);
	cJSON *u = cJSON_AddObjectToObject(j, "usage");
	char month[32];
	time_iso(from, month);
	month[7] = '\0';
	cJSON_AddStringToObject(u, "month", month);
	cJSON_AddItemToObject(u, "rows", rows);
	cJSON_AddNumberToObject(u, "total_cost", total);
	store_tenant_clear(&t);
	reply_json(out, 200, j);
}

void
h_tenant_show(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)r; (void)id;
	tenant_reply(a, c, out);
}

void
h_tenant_config(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)id;
	struct zpub_err err;
	cJSON *body = body_object(r, out);
	if (body == NULL)
		return;
	if (tenant_config_patch(a->st, &c->who, c->tenant_id, body, &err) != 0)
		reply_err(out, &err);
	else
		tenant_reply(a, c, out);
	cJSON_Delete(body);
}

/* ---- users ---- */

/* A user name the API can address in a path: 1..47 of letters, digits,
 * - and _, not starting with - (as path_match reads {name}). */
static int
user_name_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 48 && s[0] != '-' && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

void
h_user_list(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r; (void)id;
	struct store_user *v = NULL;
	struct zpub_err err;
	int n = 0;
	if (store_users(a->st, c->tenant_id, &v, &n, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		cJSON *u = cJSON_CreateObject();
		char iso[32];
		time_iso(v[i].created_at, iso);
		cJSON_AddStringToObject(u, "name", v[i].name);
		cJSON_AddStringToObject(u, "role", v[i].role);
		cJSON_AddStringToObject(u, "created", iso);
		cJSON_AddBoolToObject(u, "has_token", v[i].has_token);
		cJSON_AddItemToArray(arr, u);
	}
	store_users_free(v, n);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "users", arr);
	reply_json(out, 200, j);
}

/* A new token for user name (the old one stops working): tok is shown
 * once, only its hash is kept. */
static int
user_token(struct api *a, const struct api_caller *c, const char *name, char tok[64],
    struct zpub_err *err)
{
	char hash[65];
	api_token_new(tok);
	api_token_hash(tok, hash);
	return store_user_set_token_hash(a->st, c->tenant_id, name, hash, err);
}

void
h_user_create(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)id;
	struct zpub_err err;
	char tok[64];
	const cJSON *e;
	cJSON *body = body_object(r, out);
	if (body == NULL)
		return;
	cJSON_ArrayForEach(e, body)
		if (strcmp(e->string, "name") != 0 && strcmp(e->string, "role") != 0) {
			reply_error(out, 400, "unknown field '%.64s': a user is {\"name\","
			    " \"role\"}", e->string);
			goto done;
		}
	const cJSON *jn = cJSON_GetObjectItemCaseSensitive(body, "name");
	const cJSON *jr = cJSON_GetObjectItemCaseSensitive(body, "role");
	if (!cJSON_IsString(jn) || !user_name_ok(jn->valuestring)) {
		reply_error(out, 400, "\"name\" is 1 to 47 letters, digits, - and _ (not starting"
		    " with -)");
		goto done;
	}
	const char *role = jr ? (cJSON_IsString(jr) ? jr->valuestring : "") : "viewer";
	if (strcmp(role, "owner") && strcmp(role, "editor") && strcmp(role, "viewer")) {
		reply_error(out, 400, "\"role\" is owner, editor or viewer");
		goto done;
	}
	/* the user and its token together, or neither */
	int rc = store_begin(a->st, &err);
	if (rc == 0) {
		if ((rc = store_user_add(a->st, c->tenant_id, jn->valuestring, role, NULL,
		    &err)) == 0 && (rc = user_token(a, c, jn->valuestring, tok, &err)) == 0)
			rc = store_commit(a->st, &err);
		if (rc != 0)
			store_rollback(a->st);
	}
	if (rc != 0) {
		/* a name taken is a conflict, not a bad body */
		if (err.code == ZPUB_EINVAL && strstr(err.msg, "already exists"))
			reply_error(out, 409, "%s", err.msg);
		else
			reply_err(out, &err);
		goto done;
	}
	audit_note(a->st, &c->who, "user.add", "user '%s' (%s) with a new token",
	    jn->valuestring, role);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "name", jn->valuestring);
	cJSON_AddStringToObject(j, "role", role);
	cJSON_AddStringToObject(j, "token", tok);
	reply_json(out, 201, j);
done:
	cJSON_Delete(body);
}

void
h_user_token(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)r; (void)id;
	struct zpub_err err;
	char tok[64];
	const char *name = c->arg[0];
	if (user_token(a, c, name, tok, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	audit_note(a->st, &c->who, "user.token",
	    "user '%s' (new token; the old one no longer works)", name);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "name", name);
	cJSON_AddStringToObject(j, "token", tok);
	reply_json(out, 200, j);
}

void
h_user_delete(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)r; (void)id;
	struct store_user *v = NULL;
	struct zpub_err err;
	const char *name = c->arg[0];
	int n = 0, owners = 0, found = -1;
	if (store_begin(a->st, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	if (store_users(a->st, c->tenant_id, &v, &n, &err) != 0) {
		store_rollback(a->st);
		reply_err(out, &err);
		return;
	}
	for (int i = 0; i < n; i++) {
		owners += strcmp(v[i].role, "owner") == 0;
		if (strcmp(v[i].name, name) == 0)
			found = i;
	}
	int rc = 0;
	if (found < 0)
		reply_error(out, 404, "no user named '%s' in your tenant (GET /users lists them)",
		    name);
	else if (strcmp(v[found].role, "owner") == 0 && owners <= 1)
		reply_error(out, 409, "'%s' is the tenant's last owner; make another owner first",
		    name);
	else if ((rc = store_user_remove(a->st, c->tenant_id, name, &err)) == 0 &&
	    (rc = store_commit(a->st, &err)) == 0) {
		audit_note(a->st, &c->who, "user.remove", "user '%s'", name);
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "name", name);
		cJSON_AddBoolToObject(j, "deleted", 1);
		reply_json(out, 200, j);
	} else
		reply_err(out, &err);
	if (out->status != 200)
		store_rollback(a->st);
	store_users_free(v, n);
}
