/*
 * pipeline.h — the stage table and the stage runner.
 *
 * The statuses, their transition table and which stage moves a recording
 * from which status to which are in status.h.  Each stage is one row of the
 * stage table: it takes a recording in its input status, holds it in its
 * running status under a lease, and on success moves it to its output status
 * in one transaction together with the artefacts it produced.
 */
#ifndef ZPUB_PIPELINE_H
#define ZPUB_PIPELINE_H

#include <stdint.h>
#include <cJSON.h>

#include "err.h"
#include "status.h"

struct actor;
struct store;
struct store_recording;
struct stage_ctx;

typedef int (*stage_fn)(struct stage_ctx *ctx, struct zpub_err *err);

struct stage_def {
	const char *name;          /* "download", "process", "transcribe", "publish" */
	enum rec_status input;     /* status it takes */
	enum rec_status running;   /* status while it runs */
	enum rec_status output;    /* status on success */
	stage_fn run;
};

/* The stage table, terminated by a NULL name. */
extern const struct stage_def pipeline_stages[];

/* The stage that takes or holds status s, in a table (NULL = pipeline_stages). */
const struct stage_def *pipeline_stage_for_input(const struct stage_def *table, enum rec_status s);

/* What a stage sees.  The stage writes files under media_dir (tmp + rename),
 * registers them with stage_add_artifact(), and returns 0; the runner then
 * replaces the recording's artefacts of the same kinds and moves the status
 * in one transaction.  A stage never changes the recording's status itself. */
struct stage_ctx {
	struct store *store;
	const struct store_recording *rec;
	const cJSON *config;        /* merged config for this recording; read-only */
	const char *data_dir;       /* root of zpub's data */
	const char *media_dir;      /* this recording's folder (exists, 0700) */
	struct zpub_progress progress;
	int dry_run;
	/* artefacts collected by stage_add_artifact() */
	struct stage_artifact *artifacts;
	int n_artifacts, cap_artifacts;
	/* A short human summary of what the stage did, kept in the journal. */
	char summary[512];
	const char *key_path;       /* vault key file; see stage_vault() */
	/* A stage stopped by a quota or rate limit sets when to try again; the
	 * runner then plans the retry for that time and counts no attempt. */
	int64_t retry_at_ms;
	struct vault *vault;        /* opened on first stage_vault() call */
};

struct vault;
/* The vault for secrets and tokens, opened on first use.  NULL with
 * ZPUB_ENOTFOUND when no key file exists yet: then no secret was ever set,
 * and none is created just to look. */
struct vault *stage_vault(struct stage_ctx *ctx, struct zpub_err *err);

/* Registers a finished file (already renamed into place).  extra may be NULL;
 * ownership passes to the context.  Computes size and checksum. */
int stage_add_artifact(struct stage_ctx *ctx, const char *kind, const char *path,
    cJSON *extra, struct zpub_err *err);
/* Closes the context's vault and frees its artefacts (a context made
 * outside the runner: publish, updates, the AI steps again). */
void stage_ctx_clear(struct stage_ctx *ctx);

/* Runs stages for one recording until it reaches `until` (or cannot go on).
 * Takes a lease for each stage; returns 0 when `until` was reached. */
struct pipeline_opts {
	enum rec_status until;
	const char *owner;        /* lease owner, e.g. "cli:1234" */
	int64_t lease_ms;
	struct zpub_progress progress;
	int verbose;
	const struct stage_def *stages; /* NULL = pipeline_stages (tests inject their own) */
	const char *key_path;     /* the vault key file (struct session's key_path) */
	/* Who asked, for the audit ("run" or `action` once the first stage
	 * starts); NULL for the daemon's own work, which is not audited. */
	const struct actor *who;
	const char *action;       /* NULL = "run" */
	/* The operator's --ignore-quota: a quota that would refuse a stage is
	 * passed, with an audit row "quota.ignore" naming it. */
	int ignore_quota;
	int resume_stopped;       /* a person's run: lift a stop mark (store_stop_clear) */
};

/* Before each stage the runner checks the recording's tenant's quotas
 * (tenant.h): stages running in every process (the store's leases, except
 * this recording's own), storage, monthly minutes.  Over one it returns
 * ZPUB_EQUOTA with the sentence naming the quota and the command that raises
 * it, starts nothing, and queues one quota_reached notification per tenant,
 * quota and period (the month for minutes, the UTC day for the others). */
int pipeline_run(struct store *st, const cJSON *config, const char *data_dir,
    int64_t rec_id, const struct pipeline_opts *opts, struct zpub_err *err);



/* The quota check of pipeline_run, for the daemon to ask before it gives a
 * recording a worker: in_process stages of the tenant start or run in this
 * process and are not counted from leases held by owner (NULL: count every
 * lease).  *quota (may be NULL) names the quota that refused. */
int pipeline_quota_check(struct store *st, int64_t tenant_id, int64_t rec_id, const char *stage,
    const char *owner, int in_process, const char **quota, struct zpub_err *err);

/* A face refused by quota (a TENANT_QUOTA_* name) with reason: one
 * quota_reached notification per tenant, quota and period (the month for
 * the minutes, the UTC day for the others); rec_id 0 = about the tenant. */
void pipeline_quota_notify(struct store *st, int64_t tenant_id, int64_t rec_id,
    const char *quota, const char *reason);

/* FAILED -> the failed stage's input, audited as "retry" by who: what every
 * face's retry calls. */
int pipeline_retry(struct store *st, const struct actor *who, int64_t rec_id,
    struct zpub_err *err);

struct store_recording;
/* The recording's config: base merged with its own override (new object);
 * keys a recording's layer may not hold (config_schema.h) are left out,
 * with a warning in the log. */
cJSON *pipeline_config_for(const cJSON *base, const struct store_recording *rec);
/* Removes the *.tmp files (half-written artefacts) in a recording's
 * folder; only while holding its lease or its stop mark. */
void pipeline_sweep_tmp(const char *dir, int64_t rec_id);
/* <data_dir>/media/<tenant>/<id> (malloc'd). */
char *pipeline_media_dir(const char *data_dir, const char *tenant, int64_t rec_id);
#endif
