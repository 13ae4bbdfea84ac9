/*
 * store_admin.h — the administrative side of the store: tenants and their
 * quotas, templates, automation jobs, users and tokens, usage and audit
 * queries, and the few recording updates the daemon and the template matcher
 * need.  Same rules as store.h: no SQL outside db/.
 */
#ifndef ZPUB_STORE_ADMIN_H
#define ZPUB_STORE_ADMIN_H

#include <stdint.h>

#include "err.h"
#include "store.h"

/* ---- tenants ---- */
struct store_tenant {
	int64_t id;
	char *name;
	char *config;              /* JSON object */
	int64_t quota_storage_bytes; /* 0 = unlimited */
	int64_t quota_minutes_month;
	int64_t quota_concurrent;
	int64_t retention_days;
	int64_t created_at;
};
int store_tenant_get(struct store *st, int64_t id, struct store_tenant *out,
    struct zpub_err *err);
int store_tenants(struct store *st, struct store_tenant **out, int *n, struct zpub_err *err);
/* Negative values leave a quota alone; 0 removes it. */
int store_tenant_set_quota(struct store *st, int64_t id, int64_t storage_bytes,
    int64_t minutes_month, int64_t concurrent, int64_t retention_days, struct zpub_err *err);
int store_tenant_set_config(struct store *st, int64_t id, const char *json,
    struct zpub_err *err);
void store_tenant_clear(struct store_tenant *t);
void store_tenants_free(struct store_tenant *v, int n);

/* Bytes of the tenant's artefacts on record. */
int store_tenant_storage_bytes(struct store *st, int64_t tenant_id, int64_t *bytes,
    struct zpub_err *err);
/* Sum of usage rows of kind in [from_ms, to_ms). */
int store_usage_sum(struct store *st, int64_t tenant_id, const char *kind, int64_t from_ms,
    int64_t to_ms, double *amount, struct zpub_err *err);

/* ---- templates ---- */
struct store_template {
	int64_t id, tenant_id;
	char *name;
	int priority, enabled;
	char *matching_rules, *processing_config, *metadata, *output_targets; /* JSON */
	int64_t created_at, updated_at;
};
/* Inserts (id 0) or updates by id.  *id gets the id. */
int store_template_put(struct store *st, const struct store_template *t, int64_t *id,
    struct zpub_err *err);
int store_template_get(struct store *st, int64_t tenant_id, const char *name,
    struct store_template *out, struct zpub_err *err);
int store_template_get_id(struct store *st, int64_t tenant_id, int64_t id,
    struct store_template *out, struct zpub_err *err);
/* All templates of a tenant, by priority (highest first) then id. */
int store_templates(struct store *st, int64_t tenant_id, struct store_template **out, int *n,
    struct zpub_err *err);
int store_template_delete(struct store *st, int64_t tenant_id, int64_t id,
    struct zpub_err *err);
void store_template_clear(struct store_template *t);
void store_templates_free(struct store_template *v, int n);

/* ---- jobs ---- */
struct store_job {
	int64_t id, tenant_id;
	char *name, *schedule;
	char *config;              /* JSON: source, path, action, filters, ... */
	int dry_run, enabled;
	int64_t next_run_at, last_run_at, created_at;
	char *last_result;
};
int store_job_put(struct store *st, const struct store_job *j, int64_t *id,
    struct zpub_err *err);
int store_job_get(struct store *st, int64_t tenant_id, const char *name,
    struct store_job *out, struct zpub_err *err);
int store_job_get_id(struct store *st, int64_t tenant_id, int64_t id, struct store_job *out,
    struct zpub_err *err);
/* One tenant's jobs, or every tenant's with STORE_ALL_TENANTS. */
int store_jobs(struct store *st, int64_t tenant_id, struct store_job **out, int *n,
    struct zpub_err *err);
int store_job_delete(struct store *st, int64_t tenant_id, int64_t id, struct zpub_err *err);
/* Takes a due run of job id for this daemon: moves its next run from due_at
 * to hold_until only if no other daemon (of any host) moved it first.  1
 * when taken, 0 when another took it, or an error. */
int store_job_claim(struct store *st, int64_t id, int64_t due_at, int64_t hold_until,
    struct zpub_err *err);
int store_job_set_next(struct store *st, int64_t id, int64_t next_run_at,
    struct zpub_err *err);
int store_job_finish(struct store *st, int64_t id, int64_t ran_at, const char *result,
    int64_t next_run_at, struct zpub_err *err);
void store_job_clear(struct store_job *j);
void store_jobs_free(struct store_job *v, int n);

/* ---- users ---- */
struct store_user {
	int64_t id, tenant_id;
	char *tenant, *name, *role;
	int has_token;
	int64_t created_at;
};
int store_user_add(struct store *st, int64_t tenant_id, const char *name, const char *role,
    int64_t *id, struct zpub_err *err);
int store_user_set_token_hash(struct store *st, int64_t tenant_id, const char *name,
    const char *token_hash, struct zpub_err *err);
int store_user_remove(struct store *st, int64_t tenant_id, const char *name,
    struct zpub_err *err);
int store_users(struct store *st, int64_t tenant_id, struct store_user **out, int *n,
    struct zpub_err *err);
/* ZPUB_ENOTFOUND when no user has this token hash. */
int store_user_by_token_hash(struct store *st, const char *token_hash, struct store_user *out,
    struct zpub_err *err);
void store_user_clear(struct store_user *u);
void store_users_free(struct store_user *v, int n);

/* ---- usage and audit reports ---- */
struct store_usage_row {
	char *tenant, *kind, *provider;
	double amount, cost;
	int64_t count;
};
/* Grouped by tenant, kind, provider over [from_ms, to_ms); one tenant or STORE_ALL_TENANTS. */
int store_usage_report(struct store *st, int64_t tenant_id, int64_t from_ms, int64_t to_ms,
    struct store_usage_row **out, int *n, struct zpub_err *err);
void store_usage_rows_free(struct store_usage_row *v, int n);

struct store_audit_row {
	int64_t id, at;
	char *tenant, *actor, *action, *object, *origin;
};
/* Newest first; one tenant or STORE_ALL_TENANTS. */
int store_audit_list(struct store *st, int64_t tenant_id, int limit,
    struct store_audit_row **out, int *n, struct zpub_err *err);
void store_audit_rows_free(struct store_audit_row *v, int n);

/* ---- recordings: what the matcher and the daemon change ---- */
/* Sets template_id (0 = none) and the recording's config override together. */
int store_recording_set_template(struct store *st, int64_t id, int64_t template_id,
    const char *config_json, struct zpub_err *err);
int store_recording_set_detail(struct store *st, int64_t id, const char *detail,
    struct zpub_err *err);
/* Ids of recordings the daemon may have work for: on the flow (not READY,
 * SKIPPED, EXPIRED, nor held for review), FAILED ones only when
 * next_retry_at is due; oldest first. */
int store_recording_ids_pending(struct store *st, int64_t now_ms, int64_t **ids, int *n,
    struct zpub_err *err);
/* READY recordings marked update_pending (an approval their published videos
 * do not show yet), by id. */
int store_recording_ids_update_pending(struct store *st, int64_t **ids, int *n,
    struct zpub_err *err);
/* READY recordings of the tenant published (or updated) before before_ms
 * whose source artefacts remain. */
int store_recording_ids_expirable(struct store *st, int64_t tenant_id, int64_t before_ms,
    int64_t **ids, int *n, struct zpub_err *err);
/* Drops the recording's artefact rows of kind (the files are the caller's). */
int store_artifacts_drop_kind(struct store *st, int64_t rec_id, const char *kind,
    struct zpub_err *err);

/* Remembers a webhook notification's signature (POST /hooks/zoom), first
 * forgetting those older than keep_ms; ZPUB_EBUSY when it is there already
 * (a replay). */
int store_webhook_seen_add(struct store *st, const char *signature, int64_t now_ms,
    int64_t keep_ms, struct zpub_err *err);
/* Forgets one, so that Zoom's retry of a notification that failed here is
 * taken. */
int store_webhook_seen_drop(struct store *st, const char *signature, struct zpub_err *err);

#endif
