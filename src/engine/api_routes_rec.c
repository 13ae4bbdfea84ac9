/*
 * api_routes_rec.c — the control API's recording routes: list and show,
 * retry, skip and publish, and the editor's desk (the topics as chapter
 * lines, approval).  A recording of another tenant is "not found".
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "edit.h"
#include "listener.h"
#include "log.h"
#include "pipeline.h"
#include "recact.h"
#include "recjson.h"
#include "store.h"
#include "store_quota.h"
#include "tenant.h"
#include "util.h"

/* ---- recordings ---- */

/* The recording if it belongs to the caller's tenant; replies 404 otherwise. */
static struct store_recording *
own_recording(struct api *a, const struct api_caller *c, int64_t id, struct api_response *out)
{
	struct store_recording *r = NULL;
	struct zpub_err err;
	if (store_recording_get_in(a->st, c->tenant_id, id, &r, &err) != 0) {
		reply_error(out, 404, "no recording %lld in your tenant", (long long)id);
		return NULL;
	}
	return r;
}

void
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

void
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
	int starts = strcmp(what, "skip") != 0;   /* retry, publish: the daemon works */
	if (starts && (rc = tenant_minutes_check(a->st, rec->tenant_id, &err)) != 0) {
		if (rc == ZPUB_EQUOTA) {
			int64_t from, to, now = time_now_ms();
			tenant_month_range(now, &from, &to);
			out->retry_after_s = (int)((to - now) / 1000) + 1;   /* next month */
			pipeline_quota_notify(a->st, rec->tenant_id, id, TENANT_QUOTA_MINUTES,
			    err.msg);
		}
		store_recording_free(rec);
		reply_err(out, &err);   /* 429 naming the quota */
		return;
	}
	if (strcmp(what, "retry") == 0)
		rc = pipeline_retry(a->st, &c->who, id, &err);   /* audits, notes the face */
	else if (strcmp(what, "skip") == 0)
		rc = recact_skip(a->st, &c->who, id, NULL, &err);   /* audits */
	else {
		cJSON *cfg = cJSON_Parse(rec->config && *rec->config ? rec->config : "{}");
		if (cfg == NULL)
			cfg = cJSON_CreateObject();
		config_set(cfg, "daemon.until", "READY", NULL);
		char *txt = cJSON_PrintUnformatted(cfg);
		/* publishing a stopped recording lets the daemon take it on */
		rc = store_stop_clear(a->st, id, NULL, &err);
		if (rc == 0)
			rc = store_recording_set_config(a->st, id, txt, &err);
		cJSON_free(txt);
		cJSON_Delete(cfg);
	}
	store_recording_free(rec);
	if (rc) {
		reply_err(out, &err);
		return;
	}
	if (strcmp(what, "publish") == 0) {
		audit_note(a->st, &c->who, what, "recording %lld", (long long)id);
		if (store_recording_set_work_face(a->st, id, "api", &err) != 0)
			log_warn("recording %lld: %s", (long long)id, err.msg);
	}
	if (store_recording_get(a->st, id, &rec, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	reply_json(out, 200, recjson_recording(rec));
	store_recording_free(rec);
}

void
h_rec_retry(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	rec_action(a, r, c, id, "retry", out);
}

void
h_rec_skip(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	rec_action(a, r, c, id, "skip", out);
}

void
h_rec_publish(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	cJSON *body = NULL;
	const cJSON *u = NULL;
	/* {"update": true}: a READY recording's edits (api_routes_act.c) */
	if (r->body_len > 0 && (body = body_object(r, out)) == NULL)
		return;
	if (body && ((u = cJSON_GetObjectItemCaseSensitive(body, "update")) == NULL ||
	    !cJSON_IsBool(u) || cJSON_GetArraySize(body) != 1))
		reply_error(out, 400, "the body is empty, or {\"update\": true} to send a READY"
		    " recording's edits where it is published");
	else if (cJSON_IsTrue(u))
		api_publish_update(a, c, id, out);
	else
		rec_action(a, r, c, id, "publish", out);
	cJSON_Delete(body);
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

void
h_topics_get(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)r;
	topics_reply(a, c, id, 200, out);
}

void
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

void
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
