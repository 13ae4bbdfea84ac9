/*
 * pipeline.c — the stage runner.
 *
 * The runner is the same for every stage: take the lease, record a run,
 * call the stage with a context, then commit its artefacts and the status
 * move in one transaction (or record the failure with a retry time).  The
 * stage table itself lives in stages.c.
 */
#include "pipeline.h"
#include "review.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audit.h"
#include "config.h"
#include "config_schema.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "store_quota.h"
#include "tenant.h"
#include "usage.h"
#include "util.h"
#include "vault.h"

const struct stage_def *
pipeline_stage_for_input(const struct stage_def *table, enum rec_status s)
{
	for (const struct stage_def *d = table ? table : pipeline_stages; d->name; d++)
		if (d->input == s || d->running == s)
			return d;
	return NULL;
}

/* Where a status lies on the main flow, to tell whether `until` is behind us. */
static int
flow_rank(enum rec_status s)
{
	switch (s) {
	case ST_INITIALIZED: return 0;
	case ST_DOWNLOADING: return 1;
	case ST_DOWNLOADED: return 2;
	case ST_PROCESSING: return 3;
	case ST_PROCESSED: return 4;
	case ST_PREPARING: return 5;
	case ST_TRANSCRIBED: return 6;
	case ST_UPLOADING: return 7;
	case ST_READY: return 8;
	default: return -1;
	}
}

int
stage_add_artifact(struct stage_ctx *ctx, const char *kind, const char *path, cJSON *extra,
    struct zpub_err *err)
{
	int64_t bytes = fs_size(path);
	if (bytes < 0) {
		cJSON_Delete(extra);
		return zpub_err_set(err, ZPUB_EIO, "artefact %s (%s) is missing", path, kind);
	}
	if (ctx->n_artifacts == ctx->cap_artifacts) {
		ctx->cap_artifacts = ctx->cap_artifacts ? ctx->cap_artifacts * 2 : 8;
		ctx->artifacts = xreallocarray(ctx->artifacts, (size_t)ctx->cap_artifacts,
		    sizeof *ctx->artifacts);
	}
	struct stage_artifact *a = &ctx->artifacts[ctx->n_artifacts];
	memset(a, 0, sizeof *a);
	int rc = fs_sha256(path, a->sha256, err);
	if (rc) {
		cJSON_Delete(extra);
		return rc;
	}
	a->kind = xstrdup(kind);
	a->path = xstrdup(path);
	a->bytes = bytes;
	a->extra = extra;
	ctx->n_artifacts++;
	return 0;
}

struct vault *
stage_vault(struct stage_ctx *ctx, struct zpub_err *err)
{
	if (ctx->vault)
		return ctx->vault;
	if (ctx->key_path == NULL || !fs_exists(ctx->key_path)) {
		zpub_err_set(err, ZPUB_ENOTFOUND, "no secrets are set yet (see 'zpub secret set')");
		return NULL;
	}
	if (vault_open(ctx->store, ctx->key_path, &ctx->vault, err) != 0)
		return NULL;
	return ctx->vault;
}

void
stage_ctx_clear(struct stage_ctx *ctx)
{
	vault_close(ctx->vault);
	ctx->vault = NULL;
	for (int i = 0; i < ctx->n_artifacts; i++) {
		free(ctx->artifacts[i].kind);
		free(ctx->artifacts[i].path);
		cJSON_Delete(ctx->artifacts[i].extra);
	}
	free(ctx->artifacts);
	ctx->artifacts = NULL;
	ctx->n_artifacts = ctx->cap_artifacts = 0;
}

/* Progress from the stage: kept in the store at most ~4 times a second
 * (which also renews the lease), and passed on to the caller's callback. */
struct progress_relay {
	struct store *st;
	int64_t rec_id;
	const char *owner;
	int64_t lease_ms;
	int64_t started_ms, last_ms;
	const struct zpub_progress *outer;
	int lost;
	int stopped;               /* someone asked to stop (store_stop_request) */
};

static int
relay_progress(void *ud, double fraction, const char *what)
{
	struct progress_relay *r = ud;
	int64_t now = time_mono_ms();
	if (now - r->last_ms >= 250 || fraction >= 1.0) {
		int64_t eta = -1;
		if (fraction > 0.01 && fraction < 1.0)
			eta = (int64_t)((double)(now - r->started_ms) * (1.0 - fraction) / fraction);
		struct zpub_err e;
		int rc = store_recording_progress(r->st, r->rec_id, r->owner, fraction, what, eta,
		    r->lease_ms, &e);
		if (rc == ZPUB_EBUSY)
			r->lost = 1;
		else if (rc == ZPUB_ECANCEL)
			r->stopped = 1;
		r->last_ms = now;
	}
	int stop = zpub_progress_report(r->outer, fraction, what);
	return stop || r->lost || r->stopped;
}

/* Errors worth retrying by themselves: the network, quotas, a busy store.
 * Bad media or bad input will fail the same way again. */
static int
retryable(int code)
{
	return code == ZPUB_ENET || code == ZPUB_EQUOTA || code == ZPUB_EBUSY || code == ZPUB_EIO;
}

struct rec_note {
	struct store *st;
	const struct store_recording *rec;
};

static void
rec_ignored(void *ud, const char *key, const char *why)
{
	struct rec_note *n = ud;
	log_warn("recording %lld: its stored config sets %s, which it may not; ignored: %s",
	    (long long)n->rec->id, key, why);
	if (n->st)
		store_journal(n->st, n->rec->id, "warn", "config", "the recording's stored config"
		    " sets %s, which it may not; ignored: %s", key, why);
}

/* base with the recording's own layer on top; what a recording's layer may
 * not hold (an operator key an older template left there) is stripped. */
static cJSON *
config_for(const cJSON *base, const struct store_recording *rec, struct store *st)
{
	cJSON *cfg = cJSON_Duplicate(base, 1);
	if (rec->config && *rec->config) {
		cJSON *over = cJSON_Parse(rec->config);
		if (cJSON_IsObject(over)) {
			struct rec_note n = { st, rec };
			zs_strip(over, ZS_SCOPE_RECORDING, rec_ignored, &n);
			config_merge(cfg, over);
		}
		cJSON_Delete(over);
	}
	return cfg;
}

cJSON *
pipeline_config_for(const cJSON *base, const struct store_recording *rec)
{
	return config_for(base, rec, NULL);
}

char *
pipeline_media_dir(const char *data_dir, const char *tenant, int64_t rec_id)
{
	return xasprintf("%s/media/%s/%lld", data_dir, tenant, (long long)rec_id);
}

/* A megabyte kept aside in the data folder (the file "space.reserve").
 * When the disk fills up mid-stage, SQLite has no room to record the
 * failure either, and the recording would sit in its running status with
 * no reason until someone looks.  Giving the reserve back makes room for
 * those few pages; it is laid out again before the next stage when the
 * disk has room. */
#define SPACE_RESERVE_BYTES (1024 * 1024)

static void
space_reserve_keep(const char *data_dir)
{
	char *p = path_join(data_dir, "space.reserve");
	if (fs_size(p) != SPACE_RESERVE_BYTES) {
		int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0) {
			int bad = posix_fallocate(fd, 0, SPACE_RESERVE_BYTES) != 0;
			close(fd);
			if (bad)
				unlink(p);   /* no room now: try again next time */
		}
	}
	free(p);
}

/* 1 when there was a reserve to give back. */
static int
space_reserve_release(const char *data_dir)
{
	char *p = path_join(data_dir, "space.reserve");
	int had = unlink(p) == 0;
	free(p);
	return had;
}

/* Files named *.tmp in a recording's folder are half-written artefacts of
 * a run that died before its rename.  Under the lease nobody else writes
 * there, so they can go before the stage starts again.  (Resumable
 * downloads keep their bytes in *.part, which stays.) */
void
pipeline_sweep_tmp(const char *dir, int64_t rec_id)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n > 4 && strcmp(e->d_name + n - 4, ".tmp") == 0) {
			char *p = path_join(dir, e->d_name);
			if (unlink(p) == 0)
				log_warn("recording %lld: removed %s left by an interrupted run",
				    (long long)rec_id, p);
			free(p);
		}
	}
	closedir(d);
}

/* Metering lives here, in the one runner every face uses (the daemon, `zpub
 * run`, the terminal app's runs, `zpub publish`): a finished process stage
 * counts the recording's minutes once, whoever ran it. */
static void
meter_stage(struct store *st, const cJSON *cfg, const struct store_recording *rec,
    const struct stage_def *sd)
{
	struct zpub_err e;
	if (strcmp(sd->name, "process") != 0 || rec->duration_ms <= 0)
		return;
	if (usage_record(st, cfg, rec->tenant_id, rec->id, "processing_minutes", "",
	    (double)rec->duration_ms / 60000.0, &e) != 0)
		log_warn("recording %lld: could not record usage: %s", (long long)rec->id, e.msg);
}

/* The stage failed with rc (serr says why): the failure is recorded with
 * the time of the next try, none past pipeline.max_attempts. */
static void
record_failure(const struct stage_ctx *ctx, const struct stage_def *sd, const char *owner,
    int64_t run_id, int rc, struct zpub_err *serr)
{
	struct store *st = ctx->store;
	const struct store_recording *rec = ctx->rec;
	const cJSON *cfg = ctx->config;
	struct zpub_err ferr;
	int64_t next = 0;
	int count = 1;

	if (serr->msg[0] == '\0')
		zpub_err_set(serr, rc, "%s failed (%s)", sd->name, zpub_err_name(rc));
	int max_attempts = (int)config_int(cfg, "pipeline.max_attempts", 5);
	if (rc == ZPUB_EQUOTA && ctx->retry_at_ms > 0) {
		/* A quota resets at a known time: waiting for it is not a failure. */
		next = ctx->retry_at_ms;
		count = 0;
	} else if (retryable(rc) && rec->attempts + 1 < max_attempts)
		next = time_now_ms() + backoff_ms(rec->attempts + 1,
		    config_int(cfg, "pipeline.retry_base_ms", 30000),
		    config_int(cfg, "pipeline.retry_cap_ms", 3600000));
	if (count) {
		const char *labels[] = { sd->name, zpub_err_name(rc) };
		metrics_add(M_STAGE_FAILURES, labels, 1);
	}
	struct store_stage_failure f = {
		.rec_id = rec->id, .run_id = run_id, .owner = owner, .stage = sd->name,
		.retry_to = sd->input, .reason = serr->msg, .next_retry_at = next,
		.count_attempt = count,
	};
	int frc = store_stage_fail(st, &f, &ferr);
	for (int i = 0; i < 3 && frc == ZPUB_ENET; i++)	/* the database went away: again */
		frc = store_stage_fail(st, &f, &ferr);
	if (frc != 0 && frc != ZPUB_EBUSY && space_reserve_release(ctx->data_dir)) {
		/* most likely the disk is full: try again in the reserve's room */
		log_warn("recording %lld: could not record the failure (%s); gave back the"
		    " space reserve to record it", (long long)rec->id, ferr.msg);
		frc = store_stage_fail(st, &f, &ferr);
	}
	if (frc != 0)
		log_error("recording %lld: could not record failure: %s", (long long)rec->id,
		    ferr.msg);
}

/* The stage ended because someone asked (store_stop_request): what it
 * half wrote goes, its finished files stay, and the recording is back at
 * the stage's input status with a journal line naming who stopped it. */
static int
stopped(struct store *st, const struct store_recording *rec, const struct stage_def *sd,
    const char *owner, const char *media_dir, struct zpub_err *err)
{
	struct store_stopped out;
	pipeline_sweep_tmp(media_dir, rec->id);
	int rc = store_stop_finish(st, rec->id, owner, &out, err);
	if (rc)
		return rc;
	return zpub_err_set(err, ZPUB_ECANCEL, "recording %lld: %s stopped by %s; it is %s"
	    " again ('zpub run %lld' goes on from there)", (long long)rec->id, sd->name, out.by,
	    status_name(out.back), (long long)rec->id);
}

static int
run_one(struct store *st, const cJSON *config, const char *data_dir,
    struct store_recording *rec, const struct stage_def *sd,
    const struct pipeline_opts *opts, struct zpub_err *err)
{
	int resumed = 0, rc;
	int64_t run_id = 0;
	int64_t lease_ms = opts->lease_ms > 0 ? opts->lease_ms : 60000;
	struct stage_ctx ctx;
	memset(&ctx, 0, sizeof ctx);

	rc = store_lease_take(st, rec->id, sd->input, sd->running, opts->owner, lease_ms,
	    &resumed, err);
	if (rc)
		return rc;
	if (resumed)
		store_journal(st, rec->id, "warn", "resume",
		    "%s was interrupted; running it again", sd->name);
	rc = store_stage_run_start(st, rec->id, sd->name, rec->attempts + 1, opts->owner,
	    &run_id, err);
	if (rc) {
		store_lease_release(st, rec->id, opts->owner, sd->input, NULL);
		return rc;
	}

	cJSON *cfg = config_for(config, rec, st);
	char *media_dir = pipeline_media_dir(data_dir, rec->tenant, rec->id);
	struct progress_relay relay = { st, rec->id, opts->owner, lease_ms, time_mono_ms(), 0,
		&opts->progress, 0, 0 };
	ctx.store = st;
	ctx.rec = rec;
	ctx.config = cfg;
	ctx.data_dir = data_dir;
	ctx.media_dir = media_dir;
	ctx.key_path = opts->key_path;
	ctx.progress.fn = relay_progress;
	ctx.progress.ud = &relay;

	struct zpub_err serr;
	zpub_err_clear(&serr);
	rc = fs_mkdir_p(media_dir, 0700, &serr);
	if (rc == 0)
		pipeline_sweep_tmp(media_dir, rec->id);
	space_reserve_keep(data_dir);
	if (rc == 0) {
		int64_t t0 = time_mono_ms();
		rc = sd->run(&ctx, &serr);
		log_info("recording %lld: stage %s finished in %lld ms (rc %d)", (long long)rec->id,
		    sd->name, (long long)(time_mono_ms() - t0), rc);
	}
	if (rc == 0) {
		struct store_stage_done d = {
			.rec_id = rec->id, .run_id = run_id, .owner = opts->owner,
			.running = sd->running, .output = sd->output,
			.arts = ctx.artifacts, .n_arts = ctx.n_artifacts, .summary = ctx.summary,
		};
		rc = store_stage_complete(st, &d, err);	/* again if the database went */
		if (rc == 0)
			meter_stage(st, cfg, rec, sd);
	} else if (relay.stopped && !relay.lost) {
		rc = stopped(st, rec, sd, opts->owner, media_dir, err);
	} else if (rc == ZPUB_ECANCEL && !relay.lost) {
		store_lease_release(st, rec->id, opts->owner, sd->input, NULL);
		zpub_err_set(err, rc, "%s", serr.msg[0] ? serr.msg : "cancelled");
	} else if (rc == ZPUB_EGONE && !relay.lost) {
		struct zpub_err ferr;
		if (store_stage_expire(st, rec->id, run_id, opts->owner, serr.msg, &ferr) != 0)
			log_error("recording %lld: could not mark it EXPIRED: %s", (long long)rec->id,
			    ferr.msg);
		zpub_err_set(err, rc, "%s", serr.msg);
	} else if (relay.lost) {
		zpub_err_set(err, ZPUB_EBUSY, "recording %lld: another process took over %s",
		    (long long)rec->id, sd->name);
		rc = ZPUB_EBUSY;
	} else {
		record_failure(&ctx, sd, opts->owner, run_id, rc, &serr);
		zpub_err_set(err, rc, "%s", serr.msg);
	}
	stage_ctx_clear(&ctx);
	free(media_dir);
	cJSON_Delete(cfg);
	return rc;
}

/* What must hold before a stage starts, by stage name, so every table
 * that runs the stage (the daemon's, `zpub publish`'s, a test's) passes
 * the same gate. */
static const struct {
	const char *stage;
	int (*gate)(struct store *, const cJSON *, const struct store_recording *,
	    struct zpub_err *);
} stage_gates[] = {
	{ "publish", review_gate },
};

static int
stage_gate(struct store *st, const cJSON *config, const struct store_recording *rec,
    const struct stage_def *sd, struct zpub_err *err)
{
	for (size_t i = 0; i < sizeof stage_gates / sizeof stage_gates[0]; i++) {
		if (strcmp(stage_gates[i].stage, sd->name) != 0)
			continue;
		cJSON *cfg = config_for(config, rec, st);
		int rc = stage_gates[i].gate(st, cfg, rec, err);
		cJSON_Delete(cfg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
pipeline_quota_check(struct store *st, int64_t tenant_id, int64_t rec_id, const char *stage,
    const char *owner, int in_process, const char **quota, struct zpub_err *err)
{
	int leased = 0;
	int rc = store_leases_running(st, tenant_id, owner, rec_id, &leased, err);
	if (rc == 0)
		rc = tenant_quota_check(st, tenant_id, stage, in_process + leased, quota, err);
	return rc;
}

void
pipeline_quota_notify(struct store *st, int64_t tenant_id, int64_t rec_id, const char *quota,
    const char *reason)
{
	int64_t from, to, now = time_now_ms();
	int sent = 0;
	struct zpub_err e;
	if (quota == NULL)
		return;
	if (strcmp(quota, TENANT_QUOTA_MINUTES) == 0)
		tenant_month_range(now, &from, &to);
	else
		from = now - now % 86400000;
	if (store_notify_quota_once(st, tenant_id, rec_id, quota, from, reason, &sent, &e) != 0)
		log_warn("recording %lld: could not queue the quota_reached notification: %s",
		    (long long)rec_id, e.msg);
	else if (sent && rec_id > 0)
		store_journal(st, rec_id, "warn", "quota", "%s", reason);
}

/* The tenant's quotas before a stage starts; passed with an audit row
 * under the operator's --ignore-quota. */
static int
quota_gate(struct store *st, const struct store_recording *rec, const struct stage_def *sd,
    const struct pipeline_opts *opts, struct zpub_err *err)
{
	const char *quota = NULL;
	int rc = pipeline_quota_check(st, rec->tenant_id, rec->id, sd->name, NULL, 0, &quota, err);
	if (rc != ZPUB_EQUOTA)
		return rc;
	if (opts->ignore_quota) {
		/* in the audit of the tenant whose quota it is */
		struct actor who = { .kind = ACTOR_DAEMON, .user = "daemon" };
		if (opts->who)
			who = *opts->who;
		who.tenant_id = rec->tenant_id;
		audit_note(st, &who, "quota.ignore", "recording %lld %s: %s", (long long)rec->id,
		    sd->name, err->msg);
		store_journal(st, rec->id, "warn", "quota", "%s started with --ignore-quota: %s",
		    sd->name, err->msg);
		zpub_err_clear(err);
		return 0;
	}
	pipeline_quota_notify(st, rec->tenant_id, rec->id, quota, err->msg);
	return rc;
}

int
pipeline_retry(struct store *st, const struct actor *who, int64_t rec_id, struct zpub_err *err)
{
	int rc = store_recording_retry(st, rec_id, err);
	if (rc == 0 && who) {
		struct zpub_err e;
		audit_note(st, who, "retry", "recording %lld", (long long)rec_id);
		/* the daemon takes it on from here, for this face */
		if (store_recording_set_work_face(st, rec_id, actor_kind_name(who->kind), &e) != 0)
			log_warn("recording %lld: %s", (long long)rec_id, e.msg);
	}
	return rc;
}

int
pipeline_run(struct store *st, const cJSON *config, const char *data_dir, int64_t rec_id,
    const struct pipeline_opts *opts, struct zpub_err *err)
{
	int audited = opts->who == NULL;
	int lifted = 0;
	if (opts->resume_stopped && store_stop_clear(st, rec_id, &lifted, err) != 0)
		return err->code;
	for (;;) {
		struct store_recording *rec = NULL;
		int rc = store_recording_get(st, rec_id, &rec, err);
		if (rc)
			return rc;
		if (rec->status == opts->until) {
			store_recording_free(rec);
			return 0;
		}
		if (rec->status == ST_FAILED) {
			rc = zpub_err_set(err, ZPUB_ESTATE, "recording %lld FAILED in %s: %s (fix the"
			    " cause, then 'zpub retry %lld')", (long long)rec_id,
			    rec->failed_stage ? rec->failed_stage : "?",
			    rec->detail ? rec->detail : "no reason recorded", (long long)rec_id);
			store_recording_free(rec);
			return rc;
		}
		int here = flow_rank(rec->status), goal = flow_rank(opts->until);
		if (here < 0 || (goal >= 0 && here > goal)) {
			rc = zpub_err_set(err, ZPUB_ESTATE, "recording %lld is %s; it cannot be run to %s",
			    (long long)rec_id, status_name(rec->status), status_name(opts->until));
			store_recording_free(rec);
			return rc;
		}
		const struct stage_def *sd = pipeline_stage_for_input(opts->stages, rec->status);
		if (sd == NULL || sd->run == NULL) {
			rc = zpub_err_set(err, ZPUB_ESTATE, "recording %lld is %s and no stage in this"
			    " build takes it further", (long long)rec_id, status_name(rec->status));
			store_recording_free(rec);
			return rc;
		}
		if ((rc = stage_gate(st, config, rec, sd, err)) != 0 ||
		    (rc = quota_gate(st, rec, sd, opts, err)) != 0) {
			store_recording_free(rec);
			return rc;
		}
		if (!audited) {
			audit_note(st, opts->who, opts->action ? opts->action : "run",
			    "recording %lld to %s", (long long)rec_id, status_name(opts->until));
			audited = 1;
		}
		rc = run_one(st, config, data_dir, rec, sd, opts, err);
		store_recording_free(rec);
		if (rc)
			return rc;
	}
}
