/*
 * recjson.c — a recording and what the store holds about it, as JSON.
 */
#include "recjson.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "review.h"
#include "store.h"
#include "tenant.h"
#include "util.h"

static void
add_time(cJSON *o, const char *key, int64_t ms)
{
	if (ms <= 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char buf[32];
	time_iso(ms, buf);
	cJSON_AddStringToObject(o, key, buf);
}

static void
add_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

cJSON *
recjson_recording(const struct store_recording *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "tenant", r->tenant);
	cJSON_AddStringToObject(o, "status", status_name(r->status));
	cJSON_AddStringToObject(o, "title", r->title);
	cJSON_AddStringToObject(o, "source", r->source);
	if (r->host)
		cJSON_AddStringToObject(o, "host", r->host);
	if (r->stop_by)
		cJSON_AddStringToObject(o, "stopped_by", r->stop_by);
	cJSON_AddNumberToObject(o, "duration_ms", (double)r->duration_ms);
	add_time(o, "started_at", r->started_at);
	add_str(o, "error", r->status == ST_FAILED ? r->detail : NULL);
	add_str(o, "detail", r->detail);
	add_str(o, "failed_stage", r->failed_stage);
	cJSON_AddNumberToObject(o, "attempts", r->attempts);
	if (r->template_id > 0)
		cJSON_AddNumberToObject(o, "template_id", (double)r->template_id);
	else
		cJSON_AddNullToObject(o, "template_id");
	add_time(o, "next_retry_at", r->next_retry_at);
	if (r->progress >= 0) {
		cJSON *p = cJSON_AddObjectToObject(o, "progress");
		cJSON_AddNumberToObject(p, "fraction", r->progress);
		add_str(p, "what", r->progress_what);
		cJSON_AddNumberToObject(p, "eta_ms", (double)r->progress_eta_ms);
		add_str(p, "owner", r->lease_owner);
	} else
		cJSON_AddNullToObject(o, "progress");
	add_time(o, "created_at", r->created_at);
	add_time(o, "updated_at", r->updated_at);
	return o;
}

static cJSON *
extra_merged(cJSON *o, const char *extra)
{
	cJSON *x = extra ? cJSON_Parse(extra) : NULL;
	if (cJSON_IsObject(x))
		for (cJSON *c = x->child; c; c = c->next)
			if (!cJSON_HasObjectItem(o, c->string))
				cJSON_AddItemToObject(o, c->string, cJSON_Duplicate(c, 1));
	cJSON_Delete(x);
	return o;
}

static void
add_stages(cJSON *o, const struct store_stage_run *runs, int n)
{
	cJSON *a = cJSON_AddArrayToObject(o, "stages");
	for (int i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "stage", runs[i].stage);
		cJSON_AddStringToObject(s, "state", runs[i].state);
		cJSON_AddNumberToObject(s, "attempt", runs[i].attempt);
		add_time(s, "started_at", runs[i].started_at);
		add_time(s, "finished_at", runs[i].finished_at);
		if (runs[i].finished_at > 0)
			cJSON_AddNumberToObject(s, "elapsed_ms",
			    (double)(runs[i].finished_at - runs[i].started_at));
		add_str(s, "error", runs[i].error);
		add_str(s, "summary", runs[i].summary);
		cJSON_AddItemToArray(a, s);
	}
}

static void
add_artifacts(cJSON *o, const struct store_artifact *arts, int n, int paths)
{
	cJSON *a = cJSON_AddArrayToObject(o, "artifacts");
	for (int i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "kind", arts[i].kind);
		if (paths)
			cJSON_AddStringToObject(s, "path", arts[i].path);
		cJSON_AddNumberToObject(s, "bytes", (double)arts[i].bytes);
		add_str(s, "sha256", arts[i].sha256);
		cJSON_AddItemToArray(a, extra_merged(s, arts[i].extra));
	}
}

static void
add_topic_versions(cJSON *o, const struct store_topic_version *tv, int n)
{
	cJSON *a = cJSON_AddArrayToObject(o, "topic_versions");
	for (int i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddNumberToObject(s, "version", tv[i].version);
		cJSON_AddStringToObject(s, "source", tv[i].source);
		add_str(s, "approved_by", tv[i].approved_by);
		add_time(s, "created_at", tv[i].created_at);
		cJSON_AddItemToArray(a, s);
	}
}

/* Where the picture changes (slides), on the source and on the cut. */
static void
add_slides(cJSON *o, const struct store_slide *v, int n)
{
	cJSON *a = cJSON_AddArrayToObject(o, "slide_changes");
	for (int i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddNumberToObject(s, "at_ms", (double)v[i].at_ms);
		if (v[i].out_ms >= 0)
			cJSON_AddNumberToObject(s, "out_ms", (double)v[i].out_ms);
		else
			cJSON_AddNullToObject(s, "out_ms");
		cJSON_AddItemToArray(a, s);
	}
}

static void
add_publications(cJSON *o, const struct store_publication *pubs, int n)
{
	cJSON *a = cJSON_AddArrayToObject(o, "publications");
	for (int i = 0; i < n; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "platform", pubs[i].platform);
		cJSON_AddStringToObject(s, "target", pubs[i].target);
		cJSON_AddStringToObject(s, "state", pubs[i].state);
		add_str(s, "remote_id", pubs[i].remote_id);
		add_str(s, "url", pubs[i].url);
		cJSON_AddNumberToObject(s, "bytes_sent", (double)pubs[i].bytes_acked);
		add_str(s, "error", pubs[i].error);
		cJSON_AddItemToArray(a, s);
	}
}

/* The review as the runner would see it: the operator's config with the
 * tenant's and the recording's layers. */
static int
review_of(struct store *st, const cJSON *config, const struct store_recording *r,
    struct review *rv, struct zpub_err *err)
{
	cJSON *tc = tenant_config(st, config, r->tenant_id);
	cJSON *cfg = pipeline_config_for(tc ? tc : config, r);
	int rc = review_get(st, cfg, r, rv, err);
	cJSON_Delete(cfg);
	cJSON_Delete(tc);
	return rc;
}

int
recjson_show(struct store *st, const cJSON *config, const struct store_recording *r, int flags,
    cJSON **out, struct zpub_err *err)
{
	struct review rv;
	struct store_stage_run *runs = NULL;
	struct store_artifact *arts = NULL;
	struct store_publication *pubs = NULL;
	struct store_topic_version *tv = NULL;
	struct store_slide *sl = NULL;
	int nruns = 0, narts = 0, npubs = 0, ntv = 0, nsl = 0, rc;

	*out = NULL;
	if ((rc = store_stage_runs(st, r->id, &runs, &nruns, err)) == 0 &&
	    (rc = store_artifacts(st, r->id, NULL, &arts, &narts, err)) == 0 &&
	    (rc = store_publications(st, r->id, &pubs, &npubs, err)) == 0 &&
	    (rc = store_topic_versions(st, r->id, &tv, &ntv, err)) == 0 &&
	    (rc = store_slides(st, r->id, &sl, &nsl, err)) == 0 &&
	    (rc = review_of(st, config, r, &rv, err)) == 0) {
		*out = recjson_recording(r);
		review_json(*out, &rv);
		add_stages(*out, runs, nruns);
		add_artifacts(*out, arts, narts, flags & RECJSON_PATHS);
		add_topic_versions(*out, tv, ntv);
		add_slides(*out, sl, nsl);
		add_publications(*out, pubs, npubs);
	}
	free(sl);
	store_stage_runs_free(runs, nruns);
	store_artifacts_free(arts, narts);
	store_publications_free(pubs, npubs);
	store_topic_versions_free(tv, ntv);
	return rc;
}

/* "hosts": [{"host", "running": [{"id", "status", "owner", "lease_until"}]}]:
 * which host holds which running recording, by live lease. */
static void
add_host_run(cJSON *hosts, const struct store_recording *r, int64_t now)
{
	char host[256], until[32];
	if (r->lease_owner == NULL || r->lease_until <= now)
		return;
	long pid;
	if (!owner_parse(r->lease_owner, host, sizeof host, &pid))
		snprintf(host, sizeof host, "%s", r->lease_owner);
	cJSON *h = NULL, *it;
	cJSON_ArrayForEach(it, hosts)
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(it, "host")), host) == 0)
			h = it;
	if (h == NULL) {
		h = cJSON_CreateObject();
		cJSON_AddStringToObject(h, "host", host);
		cJSON_AddArrayToObject(h, "running");
		cJSON_AddItemToArray(hosts, h);
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "status", status_name(r->status));
	cJSON_AddStringToObject(o, "owner", r->lease_owner);
	time_iso(r->lease_until, until);
	cJSON_AddStringToObject(o, "lease_until", until);
	cJSON_AddItemToArray(cJSON_GetObjectItem(h, "running"), o);
}

int
recjson_status(struct store *st, int64_t tenant_id, const char *tenant, cJSON **out,
    struct zpub_err *err)
{
	static const enum rec_status busy[] = { ST_DOWNLOADING, ST_PROCESSING, ST_PREPARING,
		ST_UPLOADING };
	struct store_filter held = { tenant_id, -1, NULL, 0, 0, 0, 1 };
	int64_t counts[ST__COUNT], total = 0, pending = 0;
	int rc;

	*out = NULL;
	if ((rc = store_recording_status_counts(st, tenant_id, counts, err)) != 0 ||
	    (rc = store_recording_count(st, &held, &pending, err)) != 0)
		return rc;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "tenant", tenant ? tenant : "");
	cJSON *c = cJSON_AddObjectToObject(o, "counts");
	for (int i = 0; i < ST__COUNT; i++) {
		cJSON_AddNumberToObject(c, status_name((enum rec_status)i), (double)counts[i]);
		total += counts[i];
	}
	cJSON_AddNumberToObject(o, "total", (double)total);
	cJSON_AddNumberToObject(o, "review_pending", (double)pending);
	cJSON *running = cJSON_AddArrayToObject(o, "running");
	cJSON *hosts = cJSON_AddArrayToObject(o, "hosts");
	int64_t now = time_now_ms();
	for (size_t b = 0; b < sizeof busy / sizeof busy[0]; b++) {
		struct store_filter f = { tenant_id, (int)busy[b], NULL, 0, 0, 0, 0 };
		struct store_recording **v = NULL;
		int n = 0;
		if ((rc = store_recording_list(st, &f, &v, &n, err)) != 0) {
			cJSON_Delete(o);
			return rc;
		}
		for (int i = 0; i < n; i++) {
			cJSON_AddItemToArray(running, recjson_recording(v[i]));
			add_host_run(hosts, v[i], now);
		}
		store_recording_list_free(v, n);
	}
	*out = o;
	return 0;
}

cJSON *
recjson_journal_entry(const struct store_journal_entry *e)
{
	char when[32];
	cJSON *o = cJSON_CreateObject();

	time_iso(e->at, when);
	cJSON_AddNumberToObject(o, "id", (double)e->id);
	cJSON_AddStringToObject(o, "at", when);
	if (e->recording_id > 0)
		cJSON_AddNumberToObject(o, "recording_id", (double)e->recording_id);
	add_str(o, "level", e->level);
	add_str(o, "event", e->event);
	add_str(o, "message", e->message);
	return o;
}
