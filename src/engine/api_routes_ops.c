/*
 * api_routes_ops.c — the control API's operator routes: GET /metrics (the
 * Prometheus text format, every tenant's numbers, so only for the bearer
 * of api.metrics_token) and GET /ready (the database takes writes and the
 * data folder's disk keeps daemon.min_free_mb free).  /health, liveness,
 * is api.c's.
 *
 * What the store knows is read at each scrape: recordings by tenant and
 * status, the queue (recordings waiting in a stage's input status) and the
 * wall time of every finished stage run, whatever face ran it.  The rest
 * are metrics.c's counters, counted by this process since it started.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "config.h"
#include "metrics.h"
#include "pipeline.h"
#include "store_ops.h"
#include "util.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define READY_DB_WAIT_MS 1000

/* Upper bounds of the stage duration buckets, in seconds. */
static const double stage_bounds_s[] = { 1, 5, 15, 60, 300, 900, 3600, 10800 };
#define N_STAGE_BOUNDS (int)(sizeof stage_bounds_s / sizeof stage_bounds_s[0])

static int
metrics_recordings(struct api *a, struct metrics_text *t, struct zpub_err *err)
{
	struct store_status_count *v = NULL;
	int n = 0;
	if (store_ops_status_counts(a->st, &v, &n, err) != 0) {
		store_ops_status_counts_free(v, n);
		return -1;
	}
	static const char *const keys[] = { "tenant", "status", "stage" };
	metrics_text_family(t, "zpub_recordings", "gauge", "Recordings by tenant and status");
	for (int i = 0; i < n; i++) {
		const char *vals[] = { v[i].tenant, v[i].status };
		metrics_text_sample(t, "zpub_recordings", 2, keys, vals, (double)v[i].count);
	}
	/* the queue: recordings in a stage's input status, per stage */
	metrics_text_family(t, "zpub_queue_depth", "gauge",
	    "Recordings waiting for a stage (in its input status), all tenants");
	for (const struct stage_def *sd = pipeline_stages; sd->name; sd++) {
		int64_t waiting = 0;
		for (int i = 0; i < n; i++)
			if (v[i].status && status_parse(v[i].status) == (int)sd->input)
				waiting += v[i].count;
		const char *vals[] = { sd->name };
		metrics_text_sample(t, "zpub_queue_depth", 1, keys + 2, vals, (double)waiting);
	}
	store_ops_status_counts_free(v, n);
	return 0;
}

/* One histogram per (stage, outcome) from the store's finished runs,
 * which come ordered by stage. */
static int
metrics_stage_durations(struct api *a, struct metrics_text *t, struct zpub_err *err)
{
	struct store_run_time *v = NULL;
	int n = 0;
	if (store_ops_run_times(a->st, &v, &n, err) != 0) {
		store_ops_run_times_free(v, n);
		return -1;
	}
	static const char *const keys[] = { "stage", "outcome" };
	static const char *const outcomes[] = { "done", "failed" };
	metrics_text_family(t, "zpub_stage_duration_seconds", "histogram",
	    "Wall time of finished stage runs (from the store, every face)");
	for (int i = 0; i < n;) {
		int j = i;
		while (j < n && strcmp(v[j].stage ? v[j].stage : "", v[i].stage ? v[i].stage : "") == 0)
			j++;
		for (int o = 0; o < 2; o++) {
			uint64_t counts[N_STAGE_BOUNDS + 1] = { 0 };
			struct metrics_hist h = { stage_bounds_s, N_STAGE_BOUNDS, counts, 0, 0 };
			for (int k = i; k < j; k++)
				if (v[k].state && strcmp(v[k].state, outcomes[o]) == 0)
					metrics_hist_observe(&h, (double)v[k].duration_ms / 1000.0);
			if (h.count == 0)
				continue;
			const char *vals[] = { v[i].stage, outcomes[o] };
			metrics_text_hist(t, "zpub_stage_duration_seconds", 2, keys, vals, &h);
		}
		i = j;
	}
	store_ops_run_times_free(v, n);
	return 0;
}

void
h_metrics(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r; (void)c; (void)id;
	struct metrics_text t = { 0 };
	struct zpub_err err;
	if (metrics_recordings(a, &t, &err) != 0 || metrics_stage_durations(a, &t, &err) != 0) {
		free(t.buf);
		reply_err(out, &err);
		return;
	}
	metrics_text_counters(&t);
	static const char *const vk[] = { "version" };
	static const char *const vv[] = { ZPUB_VERSION };
	metrics_text_family(&t, "zpub_build_info", "gauge", "The running zpub's version");
	metrics_text_sample(&t, "zpub_build_info", 1, vk, vv, 1);
	out->status = 200;
	out->content_type = METRICS_CONTENT_TYPE;
	out->body = t.buf ? t.buf : xstrdup("");
}

void
h_ready(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	(void)r; (void)c; (void)id;
	struct zpub_err err;
	if (store_ops_write_check(a->st, READY_DB_WAIT_MS, &err) != 0) {
		reply_error(out, 503, "not ready: the database does not take writes (%s); free"
		    " the lock or the file's permissions", err.msg);
		return;
	}
	int64_t min_mb = config_int(a->config, "daemon.min_free_mb", 64);
	struct statvfs fs;
	const char *dir = a->data_dir ? a->data_dir : ".";
	if (statvfs(dir, &fs) != 0) {
		reply_error(out, 503, "not ready: cannot see the free space of the data folder %s",
		    dir);
		return;
	}
	unsigned long long free_b = (unsigned long long)fs.f_bavail * fs.f_frsize;
	if (free_b < (unsigned long long)min_mb * 1024 * 1024) {
		reply_error(out, 503, "not ready: the data folder's disk has %llu MB free, less than"
		    " its reserve daemon.min_free_mb (%lld MB); free some space",
		    free_b / (1024 * 1024), (long long)min_mb);
		return;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "status", "ready");
	cJSON_AddNumberToObject(j, "free_mb", (double)(free_b / (1024 * 1024)));
	reply_json(out, 200, j);
}
