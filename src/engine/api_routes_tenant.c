/*
 * api_routes_tenant.c — the control API's tenant-wide reads: usage and
 * cost of a month, and the audit log.
 */
#include "api_int.h"

#include <stdlib.h>

#include "listener.h"
#include "store_admin.h"
#include "tenant.h"
#include "usage.h"
#include "util.h"

/* ---- usage and audit ---- */

void
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
	struct zpub_err err;
	cJSON *rows = usage_rows(a->st, c->tenant_id, from, to, NULL, &err);
	if (rows == NULL) {
		reply_err(out, &err);
		return;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "rows", rows);
	cJSON *faces = usage_by_face(a->st, c->tenant_id, from, to, &err);
	if (faces == NULL) {
		cJSON_Delete(j);
		reply_err(out, &err);
		return;
	}
	cJSON_AddItemToObject(j, "by_face", faces);
	reply_json(out, 200, j);
}

void
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
