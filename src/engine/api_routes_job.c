/*
 * api_routes_job.c — the control API's job routes: list, create, show,
 * change, delete, run now (the daemon runs it) and the dry run.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "schedule.h"
#include "store_admin.h"
#include "util.h"

/* ---- jobs ---- */

void
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

void
h_job_create(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)id;
	job_save(a, r, c, 0, out);
}

void
h_job_update(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	job_save(a, r, c, id, out);
}

void
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

void
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

void
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

void
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
