/*
 * job.h — declarative automation jobs: what one run of a job does.
 *
 * A job (table jobs) has a schedule (schedule.h), a tenant and a config:
 *   {"source": "watch", "path": "lectures", "pattern": "*.mp4",
 *    "settle_ms": 5000, "action": "process",
 *    "filters": {"title": "Лекция*", "duration": {"min": "10m"}}}
 * source: "watch" (a folder; files that stopped growing are imported; the
 * folder must lie under the tenant's watch roots, watch_roots.h, checked
 * when the job is saved and at every run; relative paths are inside the
 * tenant's inbox, no path is the inbox itself) or
 * "zoom" (the Zoom account of the tenant); action: "sync" (import only),
 * "process" (to PROCESSED) or "publish" (to READY, the default); filters are
 * template matching rules (template.h) a new recording must pass.
 *
 * A zoom job syncs the last "days" days (default 7) of the tenant's Zoom
 * account through zoom_sync() (templates are applied there).
 *
 * job_run() does the sync part and returns a JSON report; the daemon (or
 * `zpub job run`) then drives the new recordings to the job's goal.  With
 * dry_run nothing is written anywhere: the report says what would be
 * imported, which template each recording would get, what would be cut and
 * where it would be published.
 */
#ifndef ZPUB_JOB_H
#define ZPUB_JOB_H

#include <stdint.h>
#include <cJSON.h>

#include "err.h"
#include "pipeline.h"

struct store;
struct store_job;

/* Checks a job's config (source, path, action, filters). */
int job_config_check(const cJSON *cfg, struct zpub_err *err);

/* For a watch job (0 for others): its folder resolved against the
 * tenant's allowed roots (watch_roots.h; base_cfg is the operator's config,
 * never the tenant-merged one), creating the inbox a relative path needs.
 * ZPUB_EINVAL with a sentence naming the folder and the roots. */
int job_watch_check(struct store *st, const cJSON *base_cfg, const char *key_path,
    int64_t tenant_id, const cJSON *job_cfg, struct zpub_err *err);

/* The status the job's action drives recordings to. */
enum rec_status job_goal(const cJSON *job_cfg);

/* Runs the sync part of job once.  base_cfg: defaults <- user config;
 * key_path: the vault key (zoom jobs need it).
 * *report (new object): {"job", "dry_run", "items": [{"file", "title",
 * "duration_ms", "template", "action": "import"|"exists"|"filtered"|"refused"|"error",
 * "reason", "id", "cut": {...}, "publish": [...]}], "imported", "existing",
 * "refused", ...}; NULL when the run fails.
 * *new_ids (may be NULL) gets the ids of recordings imported by this run. */
int job_run(struct store *st, const cJSON *base_cfg, const char *key_path,
    const struct store_job *job, int dry_run, cJSON **report, int64_t **new_ids, int *n_new,
    struct zpub_err *err);

/* One line for jobs.last_result: "imported 2, existing 5, errors 0". */
char *job_report_summary(const cJSON *report);

/* {"id", "name", "schedule", "config", "dry_run", "enabled", "next_run_at", ...}. */
cJSON *job_to_json(const struct store_job *j);

/* How far this build's stage table can take a recording from `from`
 * without passing goal (from itself when no stage applies). */
enum rec_status job_reachable(enum rec_status from, enum rec_status goal);

#endif
