/*
 * api_routes_tpl.c — the control API's template routes: list, create,
 * show, change and delete, through the edit.c functions the CLI calls too.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "store_admin.h"
#include "template.h"

/* ---- templates ---- */

void
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

void
h_tpl_create(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)id;
	tpl_save(a, r, c, 0, out);
}

void
h_tpl_update(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	tpl_save(a, r, c, id, out);
}

void
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

void
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
