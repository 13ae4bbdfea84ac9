/*
 * job.c — one run of an automation job: scan the source, import what is new
 * and passes the filters, apply templates, and report; or, dry, only report.
 * Scheduling lives in the daemon, the schedule grammar in schedule.c.
 */
#include "job.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "ingest.h"
#include "log.h"
#include "media.h"
#include "store.h"
#include "store_admin.h"
#include "template.h"
#include "tenant.h"
#include "util.h"
#include "vault.h"
#include "watch_roots.h"
#include "zoom_sync.h"

static const char *const job_keys[] = { "source", "path", "pattern", "settle_ms", "action",
	"filters", "days", "comment", NULL };

int
job_config_check(const cJSON *cfg, struct zpub_err *err)
{
	if (!cJSON_IsObject(cfg))
		return zpub_err_set(err, ZPUB_EINVAL, "a job's config must be a JSON object such as"
		    " {\"source\": \"watch\", \"path\": \"lectures\", \"action\": \"publish\"}");
	const cJSON *k;
	cJSON_ArrayForEach(k, cfg) {
		int known = 0;
		for (int i = 0; job_keys[i]; i++)
			known |= strcmp(k->string, job_keys[i]) == 0;
		if (!known)
			return zpub_err_set(err, ZPUB_EINVAL, "unknown job setting '%s' (known: source,"
			    " path, pattern, settle_ms, action, filters)", k->string);
	}
	const char *src = config_str(cfg, "source", "");
	if (strcmp(src, "watch") == 0) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(cfg, "path");
		if (p && !cJSON_IsString(p))
			return zpub_err_set(err, ZPUB_EINVAL, "a watch job's \"path\" is a folder:"
			    " absolute, or relative to the tenant's inbox (none: the inbox itself)");
	} else if (strcmp(src, "zoom") != 0)
		return zpub_err_set(err, ZPUB_EINVAL, "a job's \"source\" is \"watch\" or \"zoom\"");
	const char *act = config_str(cfg, "action", "publish");
	if (strcmp(act, "sync") && strcmp(act, "process") && strcmp(act, "publish"))
		return zpub_err_set(err, ZPUB_EINVAL, "a job's \"action\" is sync, process or publish");
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(cfg, "filters");
	if (f && tpl_rules_check(f, err))
		return zpub_err_prefix(err, "job filters");
	return 0;
}

enum rec_status
job_goal(const cJSON *job_cfg)
{
	const char *act = config_str(job_cfg, "action", "publish");
	if (strcmp(act, "sync") == 0)
		return ST_DOWNLOADED;
	if (strcmp(act, "process") == 0)
		return ST_PROCESSED;
	return ST_READY;
}

/* The roots of the job's tenant and its folder, resolved and checked
 * (watch_roots.h); make_inbox creates the inbox a relative path needs. */
static int
watch_folder(const cJSON *base_cfg, const char *data_dir, const char *key_path,
    const char *tenant, const cJSON *jcfg, int make_inbox, struct watch_roots **roots,
    char **real, struct zpub_err *err)
{
	const char *path = config_str(jcfg, "path", NULL);
	int rc;
	*real = NULL;
	if ((rc = watch_roots_load(base_cfg, data_dir, key_path, tenant, roots, err)) != 0)
		return rc;
	if (make_inbox && watch_roots_in_inbox(path) &&
	    (rc = watch_roots_make_inbox(*roots, err)) != 0)
		goto fail;
	if ((rc = watch_roots_resolve(*roots, path, real, err)) != 0)
		goto fail;
	return 0;
fail:
	watch_roots_free(*roots);
	*roots = NULL;
	return rc;
}

int
job_watch_check(struct store *st, const cJSON *base_cfg, const char *key_path,
    int64_t tenant_id, const cJSON *job_cfg, struct zpub_err *err)
{
	struct store_tenant ten;
	struct watch_roots *w = NULL;
	char *real = NULL;
	int rc;
	if (strcmp(config_str(job_cfg, "source", ""), "watch") != 0)
		return 0;
	if ((rc = store_tenant_get(st, tenant_id, &ten, err)) != 0)
		return rc;
	rc = watch_folder(base_cfg, store_data_dir(st), key_path, ten.name, job_cfg, 1, &w, &real,
	    err);
	free(real);
	watch_roots_free(w);
	store_tenant_clear(&ten);
	return rc;
}

struct watch_file {
	char *path;        /* in the watch folder */
	char *refused;     /* NULL, or why it is not read */
};

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct watch_file *)a)->path, ((const struct watch_file *)b)->path);
}

static void
files_add(struct watch_file **v, int *n, int *cap, char *path, const char *refused)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, (size_t)*cap, sizeof **v);
	}
	(*v)[*n].path = path;
	(*v)[*n].refused = refused ? xstrdup(refused) : NULL;
	(*n)++;
}

/* Regular, visible, finished files of the (resolved) folder dir, sorted; a
 * file counts as finished when it has not changed for settle_ms.  Each is
 * opened through watch_roots_open(): one that leads out of the roots (a
 * link to another tenant's media, say) is listed with the reason it is
 * refused.  Subfolders are not scanned. */
static int
watch_scan(const struct watch_roots *w, const char *dir, const char *pattern,
    int64_t settle_ms, struct watch_file **out, int *n, int *growing, struct zpub_err *err)
{
	char why[256];
	struct stat sb;
	*out = NULL;
	*n = 0;
	*growing = 0;
	int dfd = watch_roots_open(w, dir, 1, &sb, why, sizeof why);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (d == NULL) {
		if (dfd >= 0) {
			snprintf(why, sizeof why, "%s", strerror(errno));
			close(dfd);
		}
		return zpub_err_set(err, ZPUB_EINVAL, "cannot read the watch folder %s: %s", dir,
		    why);
	}
	int cap = 0;
	int64_t now = time_now_ms();
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		size_t len = strlen(e->d_name);
		if ((len > 4 && strcmp(e->d_name + len - 4, ".tmp") == 0) ||
		    (len > 5 && strcmp(e->d_name + len - 5, ".part") == 0))
			continue;
		if (pattern && *pattern && !tpl_glob_match(pattern, e->d_name, 0))
			continue;
		char *p = path_join(dir, e->d_name);
		/* Folders, devices and links to nothing or to folders are not files. */
		if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			free(p);
			continue;
		}
		int fd = watch_roots_open(w, p, 0, &sb, why, sizeof why);
		if (fd < 0) {
			files_add(out, n, &cap, p, why);
			continue;
		}
		close(fd);
		int64_t mt = (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
		if (sb.st_size == 0 || now - mt < settle_ms) {
			(*growing)++;
			free(p);
			continue;
		}
		files_add(out, n, &cap, p, NULL);
	}
	closedir(d);
	if (*n > 1)
		qsort(*out, (size_t)*n, sizeof **out, file_cmp);
	return 0;
}

/* What the process stage would do with this config, for the dry-run report. */
static cJSON *
cut_summary(const cJSON *cfg)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddBoolToObject(c, "remove_silence",
	    config_bool(cfg, "processing.video.remove_silence", 1));
	cJSON_AddNumberToObject(c, "threshold_db",
	    config_double(cfg, "processing.video.threshold_db", -40));
	cJSON_AddNumberToObject(c, "min_silence_ms",
	    (double)config_int(cfg, "processing.video.min_silence_ms", 1000));
	cJSON_AddNumberToObject(c, "keep_pause_ms",
	    (double)config_int(cfg, "processing.video.keep_pause_ms", 700));
	cJSON_AddBoolToObject(c, "trim_head", config_bool(cfg, "processing.video.trim_head", 1));
	cJSON_AddBoolToObject(c, "trim_tail", config_bool(cfg, "processing.video.trim_tail", 1));
	return c;
}

static cJSON *
publish_summary(const cJSON *cfg, enum rec_status goal)
{
	cJSON *a = cJSON_CreateArray();
	if (goal != ST_READY)
		return a;
	const cJSON *t = config_find(cfg, "output_targets"), *e;
	cJSON_ArrayForEach(e, t)
		if (!cJSON_IsNull(e) && !cJSON_IsFalse(e))
			cJSON_AddItemToArray(a, cJSON_CreateString(e->string));
	return a;
}

static void
add_count(cJSON *report, const char *key)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(report, key);
	cJSON_SetNumberValue(c, c->valuedouble + 1);
}

/* The job's goal travels with the recording as its own override. */
static void
set_goal(struct store *st, int64_t rec_id, enum rec_status goal, int64_t job_id)
{
	struct store_recording *r = NULL;
	if (store_recording_get(st, rec_id, &r, NULL) != 0)
		return;
	cJSON *c = cJSON_Parse(r->config && *r->config ? r->config : "{}");
	if (c == NULL)
		c = cJSON_CreateObject();
	config_set(c, "daemon.until", status_name(goal), NULL);
	char num[32];
	snprintf(num, sizeof num, "%lld", (long long)job_id);
	config_set(c, "daemon.job", num, NULL);
	char *txt = cJSON_PrintUnformatted(c);
	store_recording_set_config(st, rec_id, txt, NULL);
	cJSON_free(txt);
	cJSON_Delete(c);
	store_recording_free(r);
}

static void
refuse(cJSON *report, cJSON *it, const struct store_job *job, const char *file,
    const char *why)
{
	cJSON_AddStringToObject(it, "action", "refused");
	cJSON_AddStringToObject(it, "reason", why);
	add_count(report, "refused");
	log_warn("job %s: %s not read: %s", job->name, file, why);
}

/* One run of a job: what every part of it reads, and where it reports. */
struct job_pass {
	struct store *st;
	const cJSON *base_cfg;
	const char *key_path;
	const cJSON *tcfg;              /* the tenant's config */
	const struct store_job *job;
	const cJSON *jcfg;              /* the job's own settings */
	const char *tenant;             /* the tenant's name */
	enum rec_status goal;
	int dry_run;
	cJSON *report;
	int64_t **new_ids;              /* NULL: the caller does not want them */
	int *n_new;
};

static void
new_id_add(struct job_pass *p, int64_t id)
{
	if (p->new_ids == NULL)
		return;
	*p->new_ids = xreallocarray(*p->new_ids, (size_t)*p->n_new + 1, sizeof **p->new_ids);
	(*p->new_ids)[(*p->n_new)++] = id;
}

/* The file's bytes came in before (reported as existing), or their
 * recording was deleted here (kept out): 1; else 0. */
static int
watch_seen(struct job_pass *p, const char *file, const char *via, cJSON *it)
{
	char hex[65], note[400] = "";
	struct zpub_err e2;
	int64_t old = 0;
	int forgotten = 0;

	if (fs_sha256(via, hex, &e2) == 0) {
		/* the same rule as zpub import: the same bytes, whichever way in */
		if (ingest_find_same(p->st, p->job->tenant_id, file, hex, &old, note, sizeof note,
		    NULL) != 1)
			old = 0;
		char *ref = xasprintf("sha256:%s", hex);
		/* deleted here: the file stays in the folder, the recording stays gone */
		if (old == 0)   /* a lookup error keeps it out too, as sync does */
			forgotten = store_forgotten_find(p->st, p->job->tenant_id, "watch", ref,
			    NULL) != ZPUB_ENOTFOUND;
		free(ref);
	}
	if (forgotten) {
		cJSON_AddStringToObject(it, "action", "deleted here");
		add_count(p->report, "forgotten");
		return 1;
	}
	if (old > 0) {
		cJSON_AddStringToObject(it, "action", "exists");
		cJSON_AddNumberToObject(it, "id", (double)old);
		cJSON_AddStringToObject(it, "reason", note);
		add_count(p->report, "existing");
		log_info("job %s: %s", p->job->name, note);
		return 1;
	}
	return 0;
}

/* What would happen to the file: the job's filters, the template that
 * matches, the cut and the targets.  Returns 1 when the filters keep it
 * out (reported), else 0. */
static int
watch_plan(struct job_pass *p, const char *title, const char *via, const struct stat *sb,
    const struct store_template *tv, int ntv, cJSON *it)
{
	const cJSON *filters = cJSON_GetObjectItemCaseSensitive(p->jcfg, "filters");
	int64_t mtime = (int64_t)sb->st_mtime * 1000;
	struct media_info *mi = NULL;
	struct zpub_err e2;
	int64_t dur = 0;

	if (media_probe(via, &mi, &e2) == 0)
		dur = mi->duration_ms;
	media_info_free(mi);
	cJSON_AddNumberToObject(it, "duration_ms", (double)dur);
	struct tpl_subject subj = { title, "watch", dur, mtime };
	if (filters && tpl_rules_match(filters, &subj, e2.msg, sizeof e2.msg, NULL) != 1) {
		cJSON_AddStringToObject(it, "action", "filtered");
		cJSON_AddStringToObject(it, "reason", e2.msg);
		add_count(p->report, "filtered");
		return 1;
	}
	int pick = tpl_pick(tv, ntv, &subj);
	cJSON *rcfg = cJSON_Duplicate(p->tcfg, 1);
	if (pick >= 0) {
		cJSON_AddStringToObject(it, "template", tv[pick].name);
		cJSON *layer = tpl_config_layer(&tv[pick]);
		config_merge(rcfg, layer);
		cJSON_Delete(layer);
	} else
		cJSON_AddNullToObject(it, "template");
	if (p->goal >= ST_PROCESSED)
		cJSON_AddItemToObject(it, "cut", cut_summary(rcfg));
	cJSON_AddItemToObject(it, "publish", publish_summary(rcfg, p->goal));
	cJSON_Delete(rcfg);
	return 0;
}

/* Imports the file as a new recording with the job's goal and templates. */
static void
watch_import(struct job_pass *p, const char *file, const char *via, cJSON *it)
{
	const struct store_job *job = p->job;
	struct ingest_opts o = { job->tenant_id, p->tenant, NULL, "watch", { NULL, NULL }, file };
	struct ingest_result res;
	struct zpub_err e2;
	int64_t applied = 0;

	memset(&res, 0, sizeof res);
	if (ingest_file(p->st, via, &o, &res, &e2) != 0) {
		cJSON_AddStringToObject(it, "action", "error");
		cJSON_AddStringToObject(it, "error", e2.msg);
		add_count(p->report, "errors");
		log_warn("job %s: %s", job->name, e2.msg);
		return;
	}
	cJSON_AddNumberToObject(it, "id", (double)res.id);
	if (res.existed) {
		cJSON_AddStringToObject(it, "action", "exists");
		cJSON_AddStringToObject(it, "reason", res.note);
		add_count(p->report, "existing");
		return;
	}
	set_goal(p->st, res.id, p->goal, job->id);
	if (tpl_apply(p->st, res.id, &applied, &e2) != 0)
		log_warn("job %s: recording %lld: %s", job->name, (long long)res.id, e2.msg);
	store_journal(p->st, res.id, "info", "job", "imported by job '%s' from %s", job->name,
	    file);
	cJSON_AddStringToObject(it, "action", "import");
	add_count(p->report, "imported");
	new_id_add(p, res.id);
}

/* One finished file of the watch folder, read only through fd (opened and
 * checked by watch_roots_open) as /proc/self/fd/N. */
static void
watch_one(struct job_pass *p, const char *file, int fd, const struct stat *sb,
    const struct store_template *tv, int ntv, cJSON *it)
{
	char via[64];
	snprintf(via, sizeof via, "/proc/self/fd/%d", fd);
	char *title = ingest_title_from_name(file);

	cJSON_AddStringToObject(it, "title", title);
	if (watch_seen(p, file, via, it) || watch_plan(p, title, via, sb, tv, ntv, it))
		goto out;
	if (p->dry_run) {
		cJSON_AddStringToObject(it, "action", "import");
		add_count(p->report, "would_import");
		goto out;
	}
	watch_import(p, file, via, it);
out:
	free(title);
}

static int
watch_run(struct job_pass *p, struct zpub_err *err)
{
	const struct store_job *job = p->job;
	struct watch_roots *w = NULL;
	struct watch_file *files = NULL;
	char *dir = NULL;
	int nf = 0, growing = 0, rc;
	struct store_template *tv = NULL;
	int ntv = 0;

	/* Checked again at every run: a folder saved legitimately may have
	 * become a link to elsewhere since. */
	if ((rc = watch_folder(p->base_cfg, store_data_dir(p->st), p->key_path, p->tenant,
	    p->jcfg, !p->dry_run, &w, &dir, err)) != 0)
		return zpub_err_prefix(err, p->dry_run ? "job '%s' (dry run)" :
		    "job '%s' imported nothing", job->name);
	rc = watch_scan(w, dir, config_str(p->jcfg, "pattern", NULL),
	    config_int(p->jcfg, "settle_ms", 5000), &files, &nf, &growing, err);
	if (rc)
		goto out;
	cJSON_AddNumberToObject(p->report, "still_growing", growing);
	if ((rc = store_templates(p->st, job->tenant_id, &tv, &ntv, err)) != 0)
		goto out;
	cJSON *items = cJSON_GetObjectItemCaseSensitive(p->report, "items");
	for (int i = 0; i < nf; i++) {
		cJSON *it = cJSON_CreateObject();
		cJSON_AddItemToArray(items, it);
		cJSON_AddStringToObject(it, "file", files[i].path);
		char why[256];
		struct stat sb;
		int fd = -1;
		if (files[i].refused == NULL)
			fd = watch_roots_open(w, files[i].path, 0, &sb, why, sizeof why);
		if (fd < 0) {
			char *title = ingest_title_from_name(files[i].path);
			cJSON_AddStringToObject(it, "title", title);
			free(title);
			refuse(p->report, it, job, files[i].path,
			    files[i].refused ? files[i].refused : why);
			continue;
		}
		watch_one(p, files[i].path, fd, &sb, tv, ntv, it);
		close(fd);
	}
out:
	store_templates_free(tv, ntv);
	for (int i = 0; i < nf; i++) {
		free(files[i].path);
		free(files[i].refused);
	}
	free(files);
	free(dir);
	watch_roots_free(w);
	return rc;
}

static int
zoom_run(struct job_pass *p, struct zpub_err *err)
{
	const struct store_job *job = p->job;
	cJSON *report = p->report;
	struct vault *v = NULL;
	cJSON *zr = NULL;
	int64_t *ids = NULL;
	int n = 0, rc;
	if (p->key_path == NULL)
		return zpub_err_set(err, ZPUB_EAUTH, "job '%s': no vault key to reach the Zoom"
		    " account with", job->name);
	if ((rc = vault_open(p->st, p->key_path, &v, err)) != 0)
		return rc;
	struct zoom_sync_opts o;
	memset(&o, 0, sizeof o);
	int64_t today = time_now_ms() / 86400000 * 86400000;
	o.to_ms = today;
	o.from_ms = today - config_int(p->jcfg, "days", 7) * 86400000;
	o.dry_run = p->dry_run;
	rc = zoom_sync(p->st, v, job->tenant_id, p->tcfg, &o, &zr, p->dry_run ? NULL : &ids, &n,
	    err);
	cJSON *items = cJSON_GetObjectItemCaseSensitive(report, "items");
	const cJSON *row;
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(zr, "created")) {
		cJSON *it = cJSON_Duplicate(row, 1);
		cJSON_AddStringToObject(it, "action", "import");
		if (!cJSON_GetObjectItemCaseSensitive(it, "template"))
			cJSON_AddNullToObject(it, "template");
		cJSON_AddItemToObject(it, "publish", publish_summary(p->tcfg, p->goal));
		cJSON_AddItemToArray(items, it);
		add_count(report, p->dry_run ? "would_import" : "imported");
	}
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(zr, "skipped")) {
		cJSON *it = cJSON_Duplicate(row, 1);
		cJSON_AddStringToObject(it, "action", "filtered");
		cJSON_AddItemToArray(items, it);
		add_count(report, "filtered");
	}
	cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(report, "existing"),
	    (double)config_int(zr, "existing", 0));
	cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(report, "forgotten"),
	    (double)config_int(zr, "forgotten", 0));
	for (int i = 0; i < n; i++) {
		set_goal(p->st, ids[i], p->goal, job->id);
		new_id_add(p, ids[i]);
	}
	free(ids);
	cJSON_Delete(zr);
	vault_close(v);
	return rc;
}

int
job_run(struct store *st, const cJSON *base_cfg, const char *key_path,
    const struct store_job *job, int dry_run, cJSON **report, int64_t **new_ids, int *n_new,
    struct zpub_err *err)
{
	struct store_tenant ten;
	cJSON *jcfg = NULL, *tcfg = NULL;
	int rc;
	*report = NULL;
	if (new_ids) {
		*new_ids = NULL;
		*n_new = 0;
	}
	if ((rc = store_tenant_get(st, job->tenant_id, &ten, err)) != 0)
		return rc;
	jcfg = cJSON_Parse(job->config ? job->config : "{}");
	if ((rc = job_config_check(jcfg, err)) != 0) {
		zpub_err_prefix(err, "job '%s'", job->name);
		goto out;
	}
	tcfg = tenant_config(st, base_cfg, job->tenant_id);
	cJSON *r = cJSON_CreateObject();
	*report = r;
	cJSON_AddStringToObject(r, "job", job->name);
	cJSON_AddStringToObject(r, "tenant", ten.name);
	cJSON_AddBoolToObject(r, "dry_run", dry_run);
	cJSON_AddStringToObject(r, "source", config_str(jcfg, "source", ""));
	cJSON_AddStringToObject(r, "goal", status_name(job_goal(jcfg)));
	cJSON_AddItemToObject(r, "items", cJSON_CreateArray());
	static const char *const counts[] = { "imported", "would_import", "existing", "filtered",
		"forgotten", "refused", "errors", NULL };
	for (int i = 0; counts[i]; i++)
		cJSON_AddNumberToObject(r, counts[i], 0);
	struct job_pass p = {
		.st = st, .base_cfg = base_cfg, .key_path = key_path, .tcfg = tcfg, .job = job,
		.jcfg = jcfg, .tenant = ten.name, .goal = job_goal(jcfg), .dry_run = dry_run,
		.report = r, .new_ids = new_ids, .n_new = n_new,
	};
	if (strcmp(config_str(jcfg, "source", ""), "watch") == 0)
		rc = watch_run(&p, err);
	else
		rc = zoom_run(&p, err);
out:
	if (rc) {   /* a failed run has no report: the error says it all */
		cJSON_Delete(*report);
		*report = NULL;
	}
	cJSON_Delete(tcfg);
	cJSON_Delete(jcfg);
	store_tenant_clear(&ten);
	return rc;
}

char *
job_report_summary(const cJSON *report)
{
	if (report == NULL)
		return xstrdup("no report");
	int dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(report, "dry_run"));
	int forgotten = (int)config_int(report, "forgotten", 0);
	int refused = (int)config_int(report, "refused", 0);
	char kept_out[96] = "";
	if (forgotten > 0)
		snprintf(kept_out, sizeof kept_out, ", %d deleted here (kept out)", forgotten);
	if (refused > 0)
		snprintf(kept_out + strlen(kept_out), sizeof kept_out - strlen(kept_out),
		    ", %d refused (outside the watch roots)", refused);
	return xasprintf("%s %d, %d existing%s, %d filtered, %d errors",
	    dry ? "dry run: would import" : "imported",
	    (int)config_int(report, dry ? "would_import" : "imported", 0),
	    (int)config_int(report, "existing", 0), kept_out,
	    (int)config_int(report, "filtered", 0), (int)config_int(report, "errors", 0));
}

cJSON *
job_to_json(const struct store_job *j)
{
	cJSON *o = cJSON_CreateObject();
	char iso[32];
	cJSON_AddNumberToObject(o, "id", (double)j->id);
	cJSON_AddStringToObject(o, "name", j->name);
	cJSON_AddStringToObject(o, "schedule", j->schedule);
	cJSON *c = cJSON_Parse(j->config ? j->config : "{}");
	cJSON_AddItemToObject(o, "config", c ? c : cJSON_CreateObject());
	cJSON_AddBoolToObject(o, "dry_run", j->dry_run);
	cJSON_AddBoolToObject(o, "enabled", j->enabled);
	if (j->next_run_at > 0) {
		time_iso(j->next_run_at, iso);
		cJSON_AddStringToObject(o, "next_run_at", iso);
	} else
		cJSON_AddNullToObject(o, "next_run_at");
	if (j->last_run_at > 0) {
		time_iso(j->last_run_at, iso);
		cJSON_AddStringToObject(o, "last_run_at", iso);
	} else
		cJSON_AddNullToObject(o, "last_run_at");
	if (j->last_result)
		cJSON_AddStringToObject(o, "last_result", j->last_result);
	else
		cJSON_AddNullToObject(o, "last_result");
	return o;
}

/* How far this build's stages can take a recording from `from` without
 * passing goal. */
enum rec_status
job_reachable(enum rec_status from, enum rec_status goal)
{
	enum rec_status s = from;
	for (int guard = 0; guard < ST__COUNT; guard++) {
		const struct stage_def *sd = pipeline_stage_for_input(NULL, s);
		if (sd == NULL || sd->run == NULL || sd->input != s || sd->output > goal ||
		    sd->output > ST_READY)
			break;
		s = sd->output;
	}
	return s;
}
