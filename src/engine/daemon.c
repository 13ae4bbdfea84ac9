/*
 * daemon.c — the scheduler loop of `zpub --daemon` (see daemon.h).
 *
 * The loop thread only makes short store queries and decisions; everything
 * that takes time (a stage, a job's sync, an update of what is published)
 * runs in a worker with its own store handle and comes back through the
 * after-work callback.  All state is in struct daemon, passed by pointer.
 */
#include "daemon.h"

#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "api.h"
#include "config.h"
#include "ingest.h"
#include "job.h"
#include "log.h"
#include "notify.h"
#include "metrics.h"
#include "pipeline.h"
#include "schedule.h"
#include "session.h"
#include "stages.h"
#include "store.h"
#include "store_quota.h"
#include "store_admin.h"
#include "store_notify.h"
#include "template.h"
#include "tenant.h"
#include "stop.h"
#include "usage.h"
#include "util.h"

#define DAEMON_MAX_SLOTS 64

enum slot_kind { SLOT_FREE, SLOT_STAGE, SLOT_JOB };

struct daemon;

/* One unit of work in flight. */
struct slot {
	uv_work_t req;
	struct daemon *d;
	enum slot_kind kind;
	int64_t tenant_id;
	/* stage */
	int64_t rec_id;
	enum rec_status until;
	const char *stage;         /* name, from the static stage table */
	int apply_template;
	int update;                /* publish_update of a READY recording, not a stage */
	int64_t retry_at;          /* update: when a quota lets it go on */
	/* job */
	struct store_job job;
	int dry_run;
	int64_t started_ms;        /* wall clock when the job started */
	/* both */
	cJSON *config;             /* owned: tenant layer merged on the base */
	int rc;
	struct zpub_err err;
	char summary[256];
};

/* A recording the loop should leave alone for a while (busy elsewhere). */
struct backoff {
	int64_t rec_id, until_ms;
	int tries;                 /* updates failed in a row (kept past until_ms) */
};

struct daemon {
	uv_loop_t *loop;
	uv_signal_t sig_term, sig_int, sig_hup;
	uv_timer_t tick, stop_timer;
	uv_async_t wake;           /* the API queued work: tick now */
	int wake_on;
	struct session *ses;
	cJSON *config;             /* defaults <- user file; replaced on SIGHUP */
	struct store *st;          /* the loop's own handle */
	struct slot slots[DAEMON_MAX_SLOTS];
	int workers, per_tenant;
	int64_t tick_ms, stop_timeout_ms, lease_ms;
	atomic_int cancel;         /* read by workers' progress callbacks */
	int stopping;
	int lock_fd;
	char owner[160];
	int64_t *applied;          /* recordings whose template was settled this run */
	int n_applied, cap_applied;
	struct backoff *backoffs;
	int n_backoffs;
	int64_t last_expiry_ms;
	struct api_server *api;
	uv_work_t notify_req;      /* webhook deliveries, one batch at a time */
	int notify_busy;
	cJSON *notify_cfg;         /* owned by the batch in flight */
	struct zpub_err notify_err;
};

/* ---- settings ---- */

static void
daemon_settings(struct daemon *d)
{
	d->workers = (int)config_int(d->config, "daemon.workers", 2);
	if (d->workers < 1)
		d->workers = 1;
	if (d->workers > DAEMON_MAX_SLOTS)
		d->workers = DAEMON_MAX_SLOTS;
	d->per_tenant = (int)config_int(d->config, "daemon.per_tenant", d->workers);
	if (d->per_tenant < 1)
		d->per_tenant = 1;
	d->tick_ms = config_int(d->config, "daemon.tick_ms", 1000);
	if (d->tick_ms < 50)
		d->tick_ms = 50;
	d->stop_timeout_ms = config_int(d->config, "daemon.stop_timeout_ms", 10000);
	d->lease_ms = config_int(d->config, "pipeline.lease_ms", 600000);
	const char *lvl = config_str(d->config, "log.level", "info");
	log_set_level(strcmp(lvl, "debug") == 0 ? LOG_DEBUG : strcmp(lvl, "warn") == 0 ?
	    LOG_WARN : strcmp(lvl, "error") == 0 ? LOG_ERROR : LOG_INFO);
}

/* ---- the lock file ---- */

static int
daemon_lock(struct daemon *d, struct zpub_err *err)
{
	char *path = path_join(d->ses->state_dir, "zpub-daemon.pid");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		int rc = zpub_err_set(err, ZPUB_EIO, "cannot open the daemon's lock file %s: %s",
		    path, strerror(errno));
		free(path);
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		char buf[32] = "";
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
		int rc = zpub_err_set(err, ZPUB_EBUSY, "another zpub daemon (pid %s) already runs on"
		    " %s; stop it first (kill -TERM %s)", *buf ? buf : "?", d->ses->data_dir,
		    *buf ? buf : "PID");
		free(path);
		return rc;
	}
	char pid[32];
	int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len)
		log_warn("could not write the pid to %s", path);
	free(path);
	d->lock_fd = fd;
	return 0;
}

/* ---- bookkeeping ---- */

static int
running_for_tenant(const struct daemon *d, int64_t tenant_id)
{
	int n = 0;
	for (int i = 0; i < DAEMON_MAX_SLOTS; i++)
		n += d->slots[i].kind == SLOT_STAGE && d->slots[i].tenant_id == tenant_id;
	return n;
}

static int
busy_slots(const struct daemon *d)
{
	int n = 0;
	for (int i = 0; i < DAEMON_MAX_SLOTS; i++)
		n += d->slots[i].kind != SLOT_FREE;
	return n;
}

static struct slot *
free_slot(struct daemon *d)
{
	if (busy_slots(d) >= d->workers)
		return NULL;
	for (int i = 0; i < DAEMON_MAX_SLOTS; i++)
		if (d->slots[i].kind == SLOT_FREE)
			return &d->slots[i];
	return NULL;
}

static int
rec_in_flight(const struct daemon *d, int64_t rec_id)
{
	for (int i = 0; i < DAEMON_MAX_SLOTS; i++)
		if (d->slots[i].kind == SLOT_STAGE && d->slots[i].rec_id == rec_id)
			return 1;
	return 0;
}

static int
job_in_flight(const struct daemon *d, int64_t job_id)
{
	for (int i = 0; i < DAEMON_MAX_SLOTS; i++)
		if (d->slots[i].kind == SLOT_JOB && d->slots[i].job.id == job_id)
			return 1;
	return 0;
}

/* A recording created while a job of its tenant runs may still be set up
 * by that job (its goal, its template): leave it until the job is done. */
static int
job_setting_up(const struct daemon *d, const struct store_recording *r)
{
	for (int i = 0; i < DAEMON_MAX_SLOTS; i++)
		if (d->slots[i].kind == SLOT_JOB && d->slots[i].tenant_id == r->tenant_id &&
		    r->created_at >= d->slots[i].started_ms - 1000)
			return 1;
	return 0;
}

static int
was_applied(const struct daemon *d, int64_t rec_id)
{
	for (int i = 0; i < d->n_applied; i++)
		if (d->applied[i] == rec_id)
			return 1;
	return 0;
}

static void
mark_applied(struct daemon *d, int64_t rec_id)
{
	if (was_applied(d, rec_id))
		return;
	if (d->n_applied == d->cap_applied) {
		d->cap_applied = d->cap_applied ? d->cap_applied * 2 : 64;
		d->applied = xreallocarray(d->applied, (size_t)d->cap_applied, sizeof *d->applied);
	}
	d->applied[d->n_applied++] = rec_id;
}

static int
backed_off(struct daemon *d, int64_t rec_id, int64_t now)
{
	for (int i = 0; i < d->n_backoffs; i++)
		if (d->backoffs[i].rec_id == rec_id) {
			if (d->backoffs[i].until_ms > now)
				return 1;
			if (d->backoffs[i].tries > 0)
				return 0;
			d->backoffs[i] = d->backoffs[--d->n_backoffs];
			return 0;
		}
	return 0;
}

static void
back_off(struct daemon *d, int64_t rec_id, int64_t ms)
{
	for (int i = 0; i < d->n_backoffs; i++)
		if (d->backoffs[i].rec_id == rec_id) {
			d->backoffs[i].until_ms = time_now_ms() + ms;
			return;
		}
	d->backoffs = xreallocarray(d->backoffs, (size_t)(d->n_backoffs + 1), sizeof *d->backoffs);
	d->backoffs[d->n_backoffs].rec_id = rec_id;
	d->backoffs[d->n_backoffs].tries = 0;
	d->backoffs[d->n_backoffs++].until_ms = time_now_ms() + ms;
}

/* An update that failed waits longer each time in a row (until retry_at
 * when a quota said when); one that succeeded starts the count again. */
static void
update_backoff(struct daemon *d, int64_t rec_id, int failed, int64_t retry_at)
{
	int tries = 0, i;
	for (i = 0; i < d->n_backoffs && d->backoffs[i].rec_id != rec_id; i++)
		;
	if (i < d->n_backoffs) {
		tries = d->backoffs[i].tries;
		d->backoffs[i] = d->backoffs[--d->n_backoffs];
	}
	if (!failed)
		return;
	int64_t now = time_now_ms(), wait = backoff_ms(tries + 1,
	    config_int(d->config, "publish.backoff_base_ms", 1000) * 5,
	    config_int(d->config, "publish.backoff_cap_ms", 60000) * 60);
	back_off(d, rec_id, retry_at > now ? retry_at - now : wait);
	d->backoffs[d->n_backoffs - 1].tries = tries + 1;
}

/* ---- workers ---- */

static int
worker_progress(void *ud, double fraction, const char *what)
{
	struct slot *s = ud;
	(void)fraction;
	(void)what;
	return atomic_load(&s->d->cancel);
}

static void
stage_work(uv_work_t *req)
{
	struct slot *s = req->data;
	struct daemon *d = s->d;
	struct store *st = NULL;
	s->rc = store_open(d->ses->db_path, d->ses->data_dir, &st, &s->err);
	if (s->rc)
		return;
	if (s->update) {
		struct publish_update_opts uo = { d->ses->data_dir, d->ses->key_path, 0, NULL,
			&s->retry_at };
		s->rc = publish_update(st, s->config, s->rec_id, &uo, &s->err);
		snprintf(s->summary, sizeof s->summary, "the approved chapters are where it is "
		    "published");
		store_close(st);
		return;
	}
	if (s->apply_template) {
		int64_t applied = 0;
		s->rc = tpl_apply(st, s->rec_id, &applied, &s->err);
		if (s->rc || applied < 0) {
			snprintf(s->summary, sizeof s->summary, "%s", applied < 0 ? "skipped" : "");
			store_close(st);
			return;
		}
	}
	struct pipeline_opts po = { .until = s->until, .owner = d->owner, .lease_ms = d->lease_ms,
		.progress = { worker_progress, s }, .key_path = d->ses->key_path };
	/* The runner meters the processing minutes (pipeline.c), for every face:
	 * here for the face that asked for this recording's work (an API publish
	 * or retry, a job's import), else for the daemon's own scheduling. */
	char face[16];
	if (store_recording_work_face(st, s->rec_id, face, sizeof face, NULL) != 0 || !*face)
		snprintf(face, sizeof face, "daemon");
	store_set_face(st, face);
	s->rc = pipeline_run(st, s->config, d->ses->data_dir, s->rec_id, &po, &s->err);
	store_close(st);
}

static void
job_work(uv_work_t *req)
{
	struct slot *s = req->data;
	struct daemon *d = s->d;
	struct store *st = NULL;
	cJSON *report = NULL;
	int64_t *ids = NULL;
	int n = 0;
	s->rc = store_open(d->ses->db_path, d->ses->data_dir, &st, &s->err);
	if (s->rc)
		return;
	store_set_face(st, "job");
	s->rc = job_run(st, d->config, d->ses->key_path, &s->job, s->dry_run, &report, &ids, &n, &s->err);
	for (int i = 0; i < n; i++)   /* their stages are the job's work */
		store_recording_set_work_face(st, ids[i], "job", NULL);
	char *sum = s->rc ? xasprintf("failed: %s", s->err.msg) : job_report_summary(report);
	snprintf(s->summary, sizeof s->summary, "%s", sum);
	struct sched sc;
	int64_t now = time_now_ms(), next = 0;
	if (sched_parse(s->job.schedule, &sc, NULL) == 0)
		next = sched_next(&sc, now);
	struct zpub_err e2;
	if (store_job_finish(st, s->job.id, now, sum, next, &e2) != 0)
		log_warn("job %s: %s", s->job.name, e2.msg);
	free(sum);
	free(ids);
	cJSON_Delete(report);
	store_close(st);
}

static void daemon_tick(uv_timer_t *t);
static void daemon_finish(struct daemon *d);

static void
slot_done(uv_work_t *req, int status)
{
	struct slot *s = req->data;
	struct daemon *d = s->d;
	(void)status;
	if (s->kind == SLOT_STAGE && s->update) {
		if (s->rc == 0)
			log_info("recording %lld: updated: %s", (long long)s->rec_id, s->summary);
		else
			log_warn("recording %lld: the update of what is published failed (zpub tries "
			    "again later): %s", (long long)s->rec_id, s->err.msg);
		update_backoff(d, s->rec_id, s->rc != 0, s->retry_at);
	} else if (s->kind == SLOT_STAGE) {
		if (s->rc == 0)
			log_info("recording %lld: %s done (now %s)", (long long)s->rec_id,
			    s->stage, *s->summary ? s->summary : status_name(s->until));
		else if (s->rc == ZPUB_EBUSY) {
			log_debug("recording %lld: busy (%s)", (long long)s->rec_id, s->err.msg);
			back_off(d, s->rec_id, 5000);
		} else if (s->rc == ZPUB_ECANCEL && d->stopping)
			log_info("recording %lld: %s stopped for shutdown; it resumes on the next start",
			    (long long)s->rec_id, s->stage);
		else if (s->rc == ZPUB_ECANCEL)
			log_info("%s", s->err.msg);    /* stopped by a person: held */
		else if (s->rc == ZPUB_EREVIEW)
			log_info("%s", s->err.msg);    /* held: approving it lets it go */
		else if ((s->rc == ZPUB_ESTATE || s->rc == ZPUB_EBUSY) && store_is_shared(d->st))
			/* another host claimed it or moved it on between our look and our claim */
			log_debug("recording %lld: %s", (long long)s->rec_id, s->err.msg);
		else if (s->rc == ZPUB_EQUOTA) {
			/* another process took the room between the check and the start */
			log_info("recording %lld: %s", (long long)s->rec_id, s->err.msg);
			back_off(d, s->rec_id, 5000);
		} else {
			/* The title too: a log line of a busy daemon is read on its own. */
			struct store_recording *r = NULL;
			struct zpub_err gerr;
			int have = store_recording_get(d->st, s->rec_id, &r, &gerr) == 0;
			log_warn("recording %lld '%s': %s: %s", (long long)s->rec_id,
			    have ? r->title : "?", s->stage, s->err.msg);
			store_recording_free(r);
			back_off(d, s->rec_id, 2000);
		}
		if (s->rc == 0 || s->apply_template)
			mark_applied(d, s->rec_id);
	} else {
		if (s->rc)
			log_warn("job %s: %s", s->job.name, s->err.msg);
		else if (strncmp(s->summary, "imported 0,", 11) == 0)
			log_debug("job %s: %s", s->job.name, s->summary);
		else
			log_info("job %s: %s", s->job.name, s->summary);
		store_job_clear(&s->job);
	}
	cJSON_Delete(s->config);
	memset(s, 0, sizeof *s);
	if (d->stopping) {
		if (busy_slots(d) == 0)
			daemon_finish(d);
		return;
	}
	/* Something finished: look for the next step at once. */
	uv_timer_start(&d->tick, daemon_tick, 0, d->tick_ms);
}

/* ---- what to do next ---- */

static void
start_jobs(struct daemon *d, int64_t now)
{
	struct store_job *v = NULL;
	int n = 0;
	struct zpub_err err;
	if (store_jobs(d->st, STORE_ALL_TENANTS, &v, &n, &err) != 0) {
		log_warn("daemon: %s", err.msg);
		return;
	}
	for (int i = 0; i < n; i++) {
		struct store_job *j = &v[i];
		if (!j->enabled || job_in_flight(d, j->id))
			continue;
		if (j->next_run_at <= 0) {
			/* Never scheduled: intervals start now, calendars at their next time. */
			struct sched sc;
			if (sched_parse(j->schedule, &sc, &err) != 0) {
				log_warn("job %s: %s", j->name, err.msg);
				continue;
			}
			int64_t next = sc.kind == SCHED_INTERVAL ? now : sched_next(&sc, now);
			if (store_job_set_next(d->st, j->id, next, NULL) != 0 || next > now)
				continue;
			j->next_run_at = next;
		} else if (j->next_run_at > now)
			continue;
		struct slot *s = free_slot(d);
		if (s == NULL)
			break;
		/* Daemons on other hosts see the same due run: one takes it.  Held
		 * for a lease's length, so a daemon that dies with it lets it go. */
		if (store_job_claim(d->st, j->id, j->next_run_at, now + d->lease_ms, &err) != 1)
			continue;
		s->d = d;
		s->kind = SLOT_JOB;
		s->tenant_id = j->tenant_id;
		s->job = *j;
		memset(j, 0, sizeof *j);  /* ownership moved into the slot */
		s->dry_run = s->job.dry_run;
		s->started_ms = time_now_ms();
		s->req.data = s;
		log_debug("job %s: starting%s", s->job.name, s->dry_run ? " (dry run)" : "");
		uv_queue_work(d->loop, &s->req, job_work, slot_done);
	}
	store_jobs_free(v, n);
}

/* Decides the next stage of one recording and starts it if allowed. */
static void
consider(struct daemon *d, int64_t id, int64_t now)
{
	struct store_recording *r = NULL;
	struct zpub_err err;
	cJSON *cfg = NULL;
	if (rec_in_flight(d, id) || backed_off(d, id, now))
		return;
	if (store_recording_get(d->st, id, &r, &err) != 0)
		return;
	if (r->stop_by) {
		/* Stopped by a person: it stays where it is until a person runs,
		 * retries or publishes it (store_stop_clear), whatever daemon.until
		 * says.  A stop whose process is gone is finished here. */
		stop_settle(d->st, r);
		goto out;
	}
	if (r->status == ST_FAILED) {
		/* Due for a retry: back to the failed stage's input. */
		if (store_recording_retry(d->st, id, &err) == 0)
			log_info("recording %lld: retrying %s (attempt %d)", (long long)id,
			    r->failed_stage ? r->failed_stage : "?", r->attempts + 1);
		goto out;
	}
	const struct stage_def *sd = pipeline_stage_for_input(NULL, r->status);
	if (sd == NULL || sd->run == NULL || job_setting_up(d, r))
		goto out;
	/* The worker gets the tenant layer; the runner merges the recording's
	 * own config (template layer + override) on top, as it is by then. */
	cfg = tenant_config(d->st, d->config, r->tenant_id);
	cJSON *rcfg = pipeline_config_for(cfg, r);
	int goal = status_parse(config_str(rcfg, "daemon.until", "READY"));
	cJSON_Delete(rcfg);
	if (goal < 0 || goal > ST_READY)
		goal = ST_READY;
	if (sd->output > (enum rec_status)goal)
		goto out;
	int apply = r->template_id <= 0 && !was_applied(d, id) &&
	    (r->status == ST_INITIALIZED || r->status == ST_DOWNLOADED);
	int running = running_for_tenant(d, r->tenant_id);
	if (running >= d->per_tenant)
		goto out;
	/* The runner's own check, counting this daemon's workers and the
	 * stages other processes hold leases for. */
	if (pipeline_quota_check(d->st, r->tenant_id, id, sd->name, d->owner, running, NULL,
	    &err) != 0) {
		if (err.code == ZPUB_EQUOTA && (r->detail == NULL || strcmp(r->detail, err.msg))) {
			/* the note and its quota_reached event in one transaction */
			struct zpub_err nerr;
			int nrc = store_begin(d->st, &nerr);
			if (nrc == 0 && (nrc = store_recording_set_detail(d->st, id, err.msg,
			    &nerr)) == 0) {
				store_journal(d->st, id, "warn", "quota", "%s", err.msg);
				if ((nrc = store_notify_enqueue(d->st, id, "quota_reached", err.msg,
				    &nerr)) == 0)
					nrc = store_commit(d->st, &nerr);
			}
			if (nrc != 0) {
				store_rollback(d->st);
				log_warn("daemon: recording %lld: %s", (long long)id, nerr.msg);
			}
			log_info("recording %lld: %s", (long long)id, err.msg);
		}
		goto out;
	}
	struct slot *s = free_slot(d);
	if (s == NULL)
		goto out;
	s->d = d;
	s->kind = SLOT_STAGE;
	s->tenant_id = r->tenant_id;
	s->rec_id = id;
	s->stage = sd->name;
	s->until = sd->output;
	s->apply_template = apply;
	s->config = cfg;
	cfg = NULL;
	s->req.data = s;
	log_debug("recording %lld: starting %s", (long long)id, sd->name);
	uv_queue_work(d->loop, &s->req, stage_work, slot_done);
out:
	cJSON_Delete(cfg);
	store_recording_free(r);
}

/* READY recordings with a newly approved topic version: their published
 * videos get it (publish.update_after_edit), one worker each. */
static void
start_updates(struct daemon *d)
{
	int64_t *ids = NULL, now = time_now_ms();
	int n = 0;
	struct zpub_err err;
	if (store_recording_ids_update_pending(d->st, &ids, &n, &err) != 0) {
		log_warn("daemon: %s", err.msg);
		return;
	}
	for (int i = 0; i < n && free_slot(d); i++) {
		struct store_recording *r = NULL;
		if (rec_in_flight(d, ids[i]) || backed_off(d, ids[i], now) ||
		    store_recording_get(d->st, ids[i], &r, &err) != 0)
			continue;
		cJSON *cfg = tenant_config(d->st, d->config, r->tenant_id);
		cJSON *rcfg = pipeline_config_for(cfg, r);
		int on = config_bool(rcfg, "publish.update_after_edit", 1);
		cJSON_Delete(rcfg);
		if (!on) {
			store_recording_set_update_pending(d->st, ids[i], 0, NULL);
			log_info("recording %lld: publish.update_after_edit is off; `zpub publish %lld"
			    " --update` sends the approved chapters", (long long)ids[i],
			    (long long)ids[i]);
		} else if (running_for_tenant(d, r->tenant_id) < d->per_tenant) {
			struct slot *s = free_slot(d);
			s->d = d;
			s->kind = SLOT_STAGE;
			s->update = 1;
			s->tenant_id = r->tenant_id;
			s->rec_id = ids[i];
			s->stage = "update";
			s->until = ST_READY;
			s->config = cfg;
			cfg = NULL;
			s->req.data = s;
			log_debug("recording %lld: starting the update", (long long)ids[i]);
			uv_queue_work(d->loop, &s->req, stage_work, slot_done);
		}
		cJSON_Delete(cfg);
		store_recording_free(r);
	}
	free(ids);
}

/* Source files of READY recordings past their tenant's retention go; the
 * record stays, EXPIRED. */
static void
expire_sources(struct daemon *d, int64_t now)
{
	struct store_tenant *tv = NULL;
	int nt = 0;
	if (store_tenants(d->st, &tv, &nt, NULL) != 0)
		return;
	for (int i = 0; i < nt; i++) {
		if (tv[i].retention_days <= 0)
			continue;
		int64_t *ids = NULL;
		int n = 0;
		if (store_recording_ids_expirable(d->st, tv[i].id,
		    now - tv[i].retention_days * 86400000, &ids, &n, NULL) != 0)
			continue;
		for (int k = 0; k < n; k++) {
			struct store_artifact *a = NULL;
			int na = 0;
			struct zpub_err err;
			if (store_artifacts(d->st, ids[k], "source", &a, &na, NULL) == 0) {
				for (int m = 0; m < na; m++)
					unlink(a[m].path);
				store_artifacts_drop_kind(d->st, ids[k], "source", NULL);
			}
			store_artifacts_free(a, na);
			if (store_recording_move(d->st, ids[k], ST_READY, ST_EXPIRED,
			    "source deleted after the retention period", &err) == 0)
				log_info("recording %lld: source deleted after %lld days; EXPIRED",
				    (long long)ids[k], (long long)tv[i].retention_days);
		}
		free(ids);
	}
	store_tenants_free(tv, nt);
}

/* ---- notifications ---- */

static void
notify_work(uv_work_t *req)
{
	struct daemon *d = req->data;
	struct store *st = NULL;
	if (store_open(d->ses->db_path, d->ses->data_dir, &st, &d->notify_err) == 0 &&
	    notify_deliver_due(st, d->notify_cfg, d->ses->key_path, &d->cancel,
	    &d->notify_err) != 0)
		log_warn("daemon: notifications: %s", d->notify_err.msg);
	store_close(st);
}

static void
notify_done(uv_work_t *req, int status)
{
	struct daemon *d = req->data;
	(void)status;
	cJSON_Delete(d->notify_cfg);
	d->notify_cfg = NULL;
	d->notify_busy = 0;
}

/* New events get their deliveries; due deliveries go to a worker. */
static void
start_notify(struct daemon *d)
{
	struct zpub_err err;
	if (notify_fan_out(d->st, d->config, &err) != 0)
		log_warn("daemon: notifications: %s", err.msg);
	if (d->notify_busy || !notify_configured(d->config))
		return;
	struct store_notify_delivery *due = NULL;
	int n = 0;
	int rc = store_notify_due(d->st, time_now_ms(), 1, &due, &n, &err);
	store_notify_deliveries_free(due, n);
	if (rc != 0 || n == 0)    /* nothing due: no worker, no store to open */
		return;
	d->notify_busy = 1;
	d->notify_cfg = cJSON_Duplicate(d->config, 1);
	d->notify_req.data = d;
	uv_queue_work(d->loop, &d->notify_req, notify_work, notify_done);
}

static void
daemon_tick(uv_timer_t *t)
{
	struct daemon *d = t->data;
	if (d->stopping)
		return;
	int64_t now = time_now_ms();
	start_jobs(d, now);
	int64_t *ids = NULL;
	int n = 0;
	struct zpub_err err;
	if (store_recording_ids_pending(d->st, now, &ids, &n, &err) != 0)
		log_warn("daemon: %s", err.msg);
	for (int i = 0; i < n && free_slot(d); i++)
		consider(d, ids[i], now);
	free(ids);
	start_updates(d);
	start_notify(d);
	if (now - d->last_expiry_ms > 60000) {
		d->last_expiry_ms = now;
		expire_sources(d, now);
		api_uploads_expire(d->st, d->config);
		/* notifications settled a month ago are forgotten */
		if (store_notify_prune(d->st, now - 30 * 86400000LL, &err) != 0)
			log_warn("daemon: notifications: %s", err.msg);
	}
}

/* ---- signals and shutdown ---- */

static void
close_cb(uv_handle_t *h)
{
	(void)h;
}

static void
daemon_finish(struct daemon *d)
{
	/* The API first: it may wake the loop until it is stopped. */
	api_stop(d->api);
	d->api = NULL;
	uv_timer_stop(&d->tick);
	uv_timer_stop(&d->stop_timer);
	uv_signal_stop(&d->sig_term);
	uv_signal_stop(&d->sig_int);
	uv_signal_stop(&d->sig_hup);
	uv_close((uv_handle_t *)&d->tick, close_cb);
	uv_close((uv_handle_t *)&d->stop_timer, close_cb);
	uv_close((uv_handle_t *)&d->sig_term, close_cb);
	uv_close((uv_handle_t *)&d->sig_int, close_cb);
	uv_close((uv_handle_t *)&d->sig_hup, close_cb);
	if (d->wake_on)
		uv_close((uv_handle_t *)&d->wake, close_cb);
}

static void
stop_timeout(uv_timer_t *t)
{
	struct daemon *d = t->data;
	/* Stages that do not listen for cancellation: their leases name this
	 * process, which is about to be gone, so the next start takes them over. */
	log_warn("daemon: %d stage%s did not stop within %lld ms; exiting anyway (they resume on"
	    " the next start)", busy_slots(d), busy_slots(d) == 1 ? "" : "s",
	    (long long)d->stop_timeout_ms);
	log_close();
	_exit(0);
}

static void
on_stop_signal(uv_signal_t *h, int signum)
{
	struct daemon *d = h->data;
	if (d->stopping) {
		log_warn("daemon: second signal; exiting now");
		log_close();
		_exit(1);
	}
	d->stopping = 1;
	atomic_store(&d->cancel, 1);
	log_info("daemon: %s received; stopping %d running stage%s", strsignal(signum),
	    busy_slots(d), busy_slots(d) == 1 ? "" : "s");
	uv_timer_stop(&d->tick);
	if (busy_slots(d) == 0) {
		daemon_finish(d);
		return;
	}
	uv_timer_start(&d->stop_timer, stop_timeout, (uint64_t)d->stop_timeout_ms, 0);
}

static void
on_hup(uv_signal_t *h, int signum)
{
	struct daemon *d = h->data;
	struct zpub_err err;
	cJSON *cfg = NULL;
	(void)signum;
	if (config_load(d->ses->config_path, &cfg, &err) != 0) {
		log_warn("daemon: SIGHUP: keeping the old config: %s", err.msg);
		return;
	}
	cJSON_Delete(d->config);
	d->config = cfg;
	daemon_settings(d);
	log_info("daemon: config reloaded (%d workers, %d per tenant, tick %lld ms)", d->workers,
	    d->per_tenant, (long long)d->tick_ms);
	uv_timer_start(&d->tick, daemon_tick, 0, (uint64_t)d->tick_ms);
}

/* ---- start ---- */

static int
detach(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	setsid();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

/* "127.0.0.1:PORT", "localhost:PORT", another loopback "127.x.y.z:PORT"
 * or "PORT"; host gets the address to bind. */
static int
parse_listen(const char *s, char host[INET_ADDRSTRLEN], int *port)
{
	const char *colon = strrchr(s, ':');
	const char *num = colon ? colon + 1 : s;
	snprintf(host, INET_ADDRSTRLEN, "127.0.0.1");
	if (colon && strncmp(s, "localhost", (size_t)(colon - s)) != 0) {
		struct in_addr a;
		size_t n = (size_t)(colon - s);
		if (n >= INET_ADDRSTRLEN)
			return -1;
		memcpy(host, s, n);
		host[n] = '\0';
		if (inet_pton(AF_INET, host, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127)
			return -1;
	}
	char *end;
	long p = strtol(num, &end, 10);
	if (*end || p < 0 || p > 65535)
		return -1;
	*port = (int)p;
	return 0;
}

/* Goes to the background unless told not to, and writes the pid into the
 * lock file; -1 when the fork failed. */
static int
daemon_detach(struct daemon *d, const struct daemon_opts *o)
{
	if (!o->foreground) {
		if (detach() != 0)
			return -1;
		char pid[32];
		int len = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
		if (ftruncate(d->lock_fd, 0) != 0 || pwrite(d->lock_fd, pid, (size_t)len, 0) != len)
			log_warn("could not write the daemon's pid");
	}
	if (o->foreground)
		log_set_stderr(1);
	return 0;
}

/* Reads the settings, sizes the thread pool and names this process as a lease owner. */
static void
daemon_configure(struct daemon *d)
{
	d->config = cJSON_Duplicate(d->ses->config, 1);
	daemon_settings(d);
	/* libuv sizes its pool on first use: enough threads for every worker. */
	char nthreads[16];
	snprintf(nthreads, sizeof nthreads, "%d", d->workers + 2 > 4 ? d->workers + 2 : 4);
	setenv("UV_THREADPOOL_SIZE", nthreads, 1);
	char host[128];
	host_id(host, sizeof host);
	snprintf(d->owner, sizeof d->owner, "daemon@%s:%d", host, (int)getpid());
}

/* What crashed imports of any tenant left behind goes before work starts. */
static void
sweep_imports(struct daemon *d)
{
	struct zpub_err err;
	struct store_tenant *tv = NULL;
	int nt = 0;
	if (store_tenants(d->st, &tv, &nt, NULL) == 0)
		for (int i = 0; i < nt; i++)
			if (ingest_sweep(d->st, tv[i].name, &err) != 0)
				log_warn("daemon: %s", err.msg);
	store_tenants_free(tv, nt);
}

/* On the loop: the API queued work (a Zoom webhook's recording). */
static void
on_wake(uv_async_t *h)
{
	struct daemon *d = h->data;
	if (!d->stopping)
		uv_timer_start(&d->tick, daemon_tick, 0, (uint64_t)d->tick_ms);
}

/* From the API's thread. */
static void
api_wake(void *ud)
{
	struct daemon *d = ud;
	uv_async_send(&d->wake);
}

/* Starts the control API when --listen asked for it. */
static int
daemon_api(struct daemon *d, const struct daemon_opts *o, const char *listen_host, int port)
{
	struct session *ses = d->ses;
	struct zpub_err err;
	if (port > 0 || (o->listen && port == 0)) {
		d->loop = uv_default_loop();
		uv_async_init(d->loop, &d->wake, on_wake);
		d->wake.data = d;
		d->wake_on = 1;
		struct api_opts ao = { .port = port, .host = listen_host, .db_path = ses->db_path,
			.data_dir = ses->data_dir, .key_path = ses->key_path, .config = d->config,
			.wake = api_wake, .wake_ud = d };
		int bound = 0;
		metrics_watch_http();
		if (api_start(&ao, &d->api, &bound, &err) != 0) {
			log_error("daemon: %s", err.msg);
			fprintf(stderr, "zpub: %s\n", term_safe(err.msg));
			return -1;
		}
		log_info("daemon: control API on http://%s:%d/", listen_host, bound);
	}
	return 0;
}

/* The tick and the signals on the loop, run until a stop. */
static void
daemon_loop(struct daemon *d)
{
	d->loop = uv_default_loop();
	uv_timer_init(d->loop, &d->tick);
	uv_timer_init(d->loop, &d->stop_timer);
	uv_signal_init(d->loop, &d->sig_term);
	uv_signal_init(d->loop, &d->sig_int);
	uv_signal_init(d->loop, &d->sig_hup);
	d->tick.data = d->stop_timer.data = d;
	d->sig_term.data = d->sig_int.data = d->sig_hup.data = d;
	uv_signal_start(&d->sig_term, on_stop_signal, SIGTERM);
	uv_signal_start(&d->sig_int, on_stop_signal, SIGINT);
	uv_signal_start(&d->sig_hup, on_hup, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	uv_timer_start(&d->tick, daemon_tick, 0, (uint64_t)d->tick_ms);
	log_info("daemon: started (pid %d, %d workers, %d per tenant, tick %lld ms, data %s)",
	    (int)getpid(), d->workers, d->per_tenant, (long long)d->tick_ms, d->ses->data_dir);
	uv_run(d->loop, UV_RUN_DEFAULT);
	uv_loop_close(d->loop);
	log_info("daemon: stopped cleanly");
}

static void
daemon_free(struct daemon *d)
{
	api_stop(d->api);
	if (d->lock_fd >= 0) {
		/* A stop leaves no pid file behind; it goes while the lock is
		 * still held, so it is never another daemon's file. */
		char *path = path_join(d->ses->state_dir, "zpub-daemon.pid");
		unlink(path);
		free(path);
		close(d->lock_fd);
	}
	cJSON_Delete(d->config);
	cJSON_Delete(d->notify_cfg);
	free(d->applied);
	free(d->backoffs);
	free(d);
}

int
daemon_main(struct session *ses, const struct daemon_opts *o)
{
	struct daemon *d = xcalloc(1, sizeof *d);
	struct zpub_err err;
	int rc = 1, port = 0;
	char listen_host[INET_ADDRSTRLEN] = "127.0.0.1";
	d->ses = ses;
	d->lock_fd = -1;
	if (o->listen && parse_listen(o->listen, listen_host, &port) != 0) {
		fprintf(stderr, "zpub: --listen takes 127.0.0.1:PORT or another loopback address"
		    " 127.x.y.z:PORT (the API only listens on loopback)\n");
		free(d);
		return 2;
	}
	/* The lock first, so a second daemon fails where it was started; the
	 * lock (an open file description) survives the forks of detach(). */
	if (daemon_lock(d, &err) != 0) {
		log_error("daemon: %s", err.msg);
		fprintf(stderr, "zpub: %s\n", term_safe(err.msg));
		free(d);
		return 1;
	}
	if (daemon_detach(d, o) != 0) {
		fprintf(stderr, "zpub: cannot detach: %s\n", strerror(errno));
		close(d->lock_fd);
		free(d);
		return 1;
	}
	daemon_configure(d);
	if (session_store(ses, &err) != 0) {
		log_error("daemon: %s", err.msg);
		if (!o->foreground)	/* in the foreground the log line was it */
			fprintf(stderr, "zpub: %s\n", term_safe(err.msg));
		goto out;
	}
	d->st = ses->store;
	store_set_face(d->st, "daemon");
	sweep_imports(d);
	if (daemon_api(d, o, listen_host, port) != 0)
		goto out;
	daemon_loop(d);
	rc = 0;
out:
	daemon_free(d);
	return rc;
}
