/*
 * stage_process.c — the "process" stage (DOWNLOADED -> PROCESSING ->
 * PROCESSED): glue between the pipeline and the media engine.
 *
 * Reads the recording's source file, the processing.* config and an
 * editor's cut overrides (recut.c), then:
 * silences and loudness (and, beside them, slide changes, kept in the
 * store) -> cut plan (snapped to the frame grid) -> time_map.json -> cut.mp4
 * (its audio evened out to processing.audio.loudness_lufs) -> audio_NNN.flac
 * chunks -> thumb_N.jpg (one per slide when there are slides; the title
 * drawn on the chosen one when the overlay is on), each written as .tmp and
 * renamed, each registered with stage_add_artifact().  Bad media fails the
 * stage with ZPUB_EMEDIA and a sentence; nothing outside media_dir is touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "media.h"
#include "pipeline.h"
#include "recut.h"
#include "stages.h"
#include "store.h"
#include "util.h"

/* A slice [base, base + span) of the stage's progress for one step. */
struct sub_progress {
	const struct zpub_progress *parent;
	double base, span;
};

static int
sub_progress_fn(void *ud, double fraction, const char *what)
{
	const struct sub_progress *s = ud;

	if (fraction < 0)
		fraction = 0;
	return zpub_progress_report(s->parent, s->base + s->span * fraction, what);
}

/* The transcription audio is written on a second thread while the video is
 * cut: both only read the source, and on two cores it hides most of the
 * audio decoding. */
struct audio_job {
	const char *src, *dir;
	const struct media_timemap *tm;
	const struct media_spans *sil;
	const struct media_audio_opts *o;
	struct media_audio_chunk *chunks;
	size_t n;
	int rc;
	struct zpub_err err;
	atomic_int stop;           /* the cut failed or was stopped: end early */
};

static int
audio_job_progress(void *ud, double fraction, const char *what)
{
	struct audio_job *j = ud;

	(void)fraction;
	(void)what;
	return atomic_load(&j->stop);
}

static void *
audio_job_run(void *ud)
{
	struct audio_job *j = ud;
	struct zpub_progress prog = { audio_job_progress, j };

	j->rc = media_audio_export(j->src, j->dir, j->tm, j->sil, j->o, &prog, &j->chunks,
	    &j->n, &j->err);
	return NULL;
}

/* Slide changes are found on a second thread while the silences are: both
 * only read the source, and the keyframes cost little next to the audio. */
struct slides_job {
	const char *src;
	struct media_slides slides;
	int rc;
	struct zpub_err err;
};

static void *
slides_job_run(void *ud)
{
	struct slides_job *j = ud;

	j->rc = media_slides_detect(j->src, NULL, &j->slides, &j->err);
	return NULL;
}

/* Hard link when possible (same file system, no copy), else a copy. */
static int
link_or_copy(const char *src, const char *dst, struct zpub_err *err)
{
	char buf[1 << 16];
	int in = -1, out = -1, rc = 0;
	ssize_t n;

	unlink(dst);
	if (link(src, dst) == 0)
		return 0;
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return zpub_err_set(err, ZPUB_EIO, "cannot read '%s': %s", src, strerror(errno));
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot write '%s': %s", dst, strerror(errno));
		goto out;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = zpub_err_set(err, ZPUB_EIO, "cannot write '%s': %s", dst, strerror(errno));
			goto out;
		}
	if (n < 0)
		rc = zpub_err_set(err, ZPUB_EIO, "cannot read '%s': %s", src, strerror(errno));
out:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	return rc;
}

/* Removes prefix_N.ext files with N >= keep left by an earlier run. */
static void
remove_stale(const char *dir, const char *prefix, const char *ext, size_t keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t plen = strlen(prefix);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *end;
		unsigned long k;

		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		k = strtoul(e->d_name + plen, &end, 10);
		if (end == e->d_name + plen || strcmp(end, ext) != 0 || k < keep)
			continue;
		{
			char *p = path_join(dir, e->d_name);

			if (p != NULL)
				unlink(p);
			free(p);
		}
	}
	closedir(d);
}

/* The recording as its owner knows it: the file name it was imported under
 * (its base name), else its title; never the internal source.<ext>.  malloc'd. */
static char *
shown_name(const struct store_recording *r)
{
	cJSON *m = r->source_meta ? cJSON_Parse(r->source_meta) : NULL;
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(m, "original_name");
	char *out;

	if (cJSON_IsString(n) && n->valuestring[0] != '\0') {
		const char *b = strrchr(n->valuestring, '/');
		out = xstrdup(b && b[1] ? b + 1 : n->valuestring);
	} else
		out = xstrdup(r->title && *r->title ? r->title : "the source file");
	cJSON_Delete(m);
	return out;
}

/* The media engine names the file it read ('source.mp4', or its whole
 * path): the sentence names the recording instead. */
static void
err_rename(struct zpub_err *err, const char *src, const char *shown)
{
	const char *b = strrchr(src, '/');
	const char *forms[2] = { src, b ? b + 1 : src };

	for (int k = 0; k < 2; k++) {
		char *from = xasprintf("'%s'", forms[k]);
		char *at = strstr(err->msg, from);
		if (at != NULL) {
			char *msg = xasprintf("%.*s'%s'%s", (int)(at - err->msg), err->msg, shown,
			    at + strlen(from));
			snprintf(err->msg, sizeof err->msg, "%s", msg);
			free(msg);
			free(from);
			return;
		}
		free(from);
	}
}

/* One run of the stage: what each step reads and leaves for the next. */
struct proc {
	struct stage_ctx *ctx;
	const char *src;
	char *shown;                    /* the recording as its owner knows it */
	struct media_silence_opts so;
	struct media_plan_opts po;
	struct media_visual_opts vo;
	struct media_override *ov;      /* the editor's overrides */
	size_t n_ov;
	struct media_cut_opts co;
	struct media_audio_opts ao;
	int loud_on;                    /* processing.audio.loudness_lufs is set */
	double target_lufs;
	struct media_loudness loud;     /* measured by the analysis */
	struct media_info *mi;
	struct media_spans sil;
	struct media_timemap tm;
	int64_t dur;                    /* the source's duration */
	int identity;                   /* nothing to cut */
	int n_cuts;
	struct sub_progress sp;
	struct zpub_progress prog;      /* reports into sp's slice */
	struct media_cut_report rep;
	char *map, *cut, *cut_tmp;      /* paths */
	struct media_audio_chunk *chunks;
	size_t n_chunks;
	struct media_thumb *thumbs;
	size_t n_thumbs;
	struct media_slides slides;     /* source timeline */
	int64_t *slides_out;            /* where they start in cut.mp4 */
	size_t n_slides_out;
};

/* The source must have a video and an audio stream. */
static int
proc_probe(struct proc *p, struct zpub_err *err)
{
	int rc;

	if ((rc = media_probe(p->src, &p->mi, err)) < 0)
		return rc;
	if (p->mi->video_index < 0)
		return zpub_err_set(err, ZPUB_EMEDIA,
		    "'%s' has no video stream (audio only): zpub publishes videos; "
		    "import the video recording instead", p->shown);
	if (p->mi->audio_index < 0)
		return zpub_err_set(err, ZPUB_EMEDIA,
		    "'%s' has no audio stream: cannot find silences or transcribe it; "
		    "check that the recording kept its sound", p->shown);
	return 0;
}

/* Silences, and the cut plan from them, snapped to the frame grid. */
static int
proc_plan(struct proc *p, struct zpub_err *err)
{
	struct media_timemap *tm = &p->tm;
	struct media_spans vis = {0}, pauses = {0};
	struct slides_job sj = { .src = p->src };
	pthread_t th;
	int rc, th_started;

	p->sp.base = 0, p->sp.span = 0.2;
	th_started = pthread_create(&th, NULL, slides_job_run, &sj) == 0;
	rc = media_audio_analyse(p->src, &p->so, &p->prog, &p->sil, &p->dur,
	    p->loud_on ? &p->loud : NULL, err);
	if (th_started)
		pthread_join(th, NULL);
	p->slides = sj.slides;
	/* Slides only help: a video they cannot be found in is still cut. */
	if (th_started && sj.rc < 0)
		log_info("recording %lld: no slide changes found: %s", (long long)p->ctx->rec->id,
		    sj.err.msg);
	if (rc < 0)
		return rc;
	/* The cut evens the loudness out while it encodes the audio. */
	p->co.gain_db = media_loudness_gain_db(&p->loud, p->target_lufs);
	p->co.loudness_on = p->loud_on && media_loudness_needs_change(&p->loud, p->co.gain_db);
	/* Pauses with new content on screen are not shortened. */
	p->sp.base = 0.2, p->sp.span = 0.05;
	if ((rc = media_visual_analyse(p->src, &p->sil, p->dur, &p->vo, &p->prog, &vis,
	    err)) == 0) {
		media_spans_subtract(&p->sil, &vis, &pauses);
		rc = media_plan_build_with(p->dur, &pauses, &p->po, p->ov, p->n_ov, tm, err);
	}
	media_spans_clear(&pauses);
	media_spans_clear(&vis);
	if (rc < 0)
		return rc;
	if (tm->n == 0 || tm->out_duration_ms <= 0)
		return zpub_err_set(err, ZPUB_EMEDIA,
		    "'%s' is silent throughout (nothing above %.0f dBFS in %lld s): nothing to "
		    "publish; check the recording or lower processing.video.threshold_db",
		    p->shown, p->so.threshold_db, (long long)(p->dur / 1000));
	p->identity = media_timemap_is_identity(tm);
	media_plan_fit_with(tm, p->mi, &p->po, p->ov, p->n_ov);
	if (p->co.loudness_on && p->loud.true_peak_dbtp + p->co.gain_db > MEDIA_TRUE_PEAK_DBTP &&
	    !p->ctx->dry_run &&
	    (rc = media_loudness_fit(p->src, tm, p->target_lufs, &p->co.gain_db, err)) < 0)
		return rc;
	p->n_cuts = (int)tm->n - 1 + (tm->seg[0].src_start_ms > 0) +
	    (tm->seg[tm->n - 1].src_end_ms < tm->src_duration_ms);
	return 0;
}

/* The time map first: later stages rely on it. */
static int
proc_write_map(struct proc *p, struct zpub_err *err)
{
	cJSON *x = media_timemap_to_json(&p->tm);
	char *json = x ? cJSON_PrintUnformatted(x) : NULL;
	int rc;

	cJSON_Delete(x);
	p->map = path_join(p->ctx->media_dir, "time_map.json");
	rc = fs_write_atomic(p->map, json, strlen(json), 0600, err);
	free(json);
	return rc < 0 ? rc : 0;
}

/* cut.mp4: the source cut by the plan, or the source itself when speech
 * never stops. */
static int
proc_cut(struct proc *p, struct zpub_err *err)
{
	struct media_cut_report *rep = &p->rep;
	int rc;

	p->sp.base = 0.25, p->sp.span = 0.65;
	if (p->identity && !p->co.loudness_on && strstr(p->mi->container, "mp4") != NULL) {
		/* Speech never stops: the source is the output, untouched. */
		memset(rep, 0, sizeof *rep);
		rep->used = MEDIA_CUT_SMART;
		rep->copied_s = (double)p->dur / 1000.0;
		rep->copied_frames = (int64_t)p->mi->n_frames;
		rep->duration_ms = p->dur;
		snprintf(rep->note, sizeof rep->note, "nothing to cut: source kept as is");
		if ((rc = link_or_copy(p->src, p->cut_tmp, err)) < 0)
			return rc;
	} else if ((rc = media_cut(p->src, p->cut_tmp, &p->tm, &p->co, &p->prog, rep,
	    err)) < 0) {
		unlink(p->cut_tmp);
		return rc;
	}
	if (rep->note[0] != '\0')
		log_info("recording %lld: %s", (long long)p->ctx->rec->id, rep->note);
	if ((rc = fs_commit(p->cut_tmp, p->cut, err)) < 0)
		return rc;
	return 0;
}

/* The slide changes onto the cut: kept in the store (when there is one),
 * and their starts on cut.mp4 for the thumbnails, the video's start first
 * (the title slide) when there are any. */
static int
proc_slides(struct proc *p, struct zpub_err *err)
{
	struct stage_ctx *ctx = p->ctx;
	struct store_slide *v = xcalloc(p->slides.n + 1, sizeof *v);
	int rc = 0;

	p->slides_out = xcalloc(p->slides.n + 1, sizeof *p->slides_out);
	for (size_t i = 0; i < p->slides.n; i++) {
		int64_t at = p->slides.v[i].at_ms, out = media_timemap_to_output(&p->tm, at);
		int kept = media_timemap_to_source(&p->tm, out) == at;

		v[i] = (struct store_slide){ at, kept ? out : -1, p->slides.v[i].change };
		if (!kept)
			continue;
		if (p->n_slides_out == 0 && out > 0)
			p->slides_out[p->n_slides_out++] = 0;
		if (p->n_slides_out == 0 || out > p->slides_out[p->n_slides_out - 1])
			p->slides_out[p->n_slides_out++] = out;
	}
	if (ctx->store != NULL)
		rc = store_slides_replace(ctx->store, ctx->rec->id, v, (int)p->slides.n, err);
	free(v);
	return rc;
}

/* thumb_N.jpg from the cut video; files of an earlier run's longer lists go. */
static int
proc_thumbs(struct proc *p, struct zpub_err *err)
{
	struct stage_ctx *ctx = p->ctx;
	int rc;

	p->sp.base = 0.90, p->sp.span = 0.10;
	if ((rc = media_thumbnails(p->cut, ctx->media_dir,
	    (int)config_int(ctx->config, "processing.thumbnails.count", 5),
	    (int)config_int(ctx->config, "processing.thumbnails.width", 1280),
	    p->slides_out, p->n_slides_out, &p->prog, &p->thumbs, &p->n_thumbs, err)) < 0)
		return rc;
	remove_stale(ctx->media_dir, "audio_", ".flac", p->n_chunks);
	remove_stale(ctx->media_dir, "thumb_", ".jpg", p->n_thumbs);
	return 0;
}

char *
stage_thumbnail_title(struct store *st, const cJSON *cfg, int64_t rec_id,
    const char *title, const char *plain)
{
	struct media_overlay o;
	struct zpub_err err = {0};
	char *dir, *out;
	const char *slash = strrchr(plain, '/');

	if (!media_overlay_from_config(&o, cfg) || title == NULL || *title == '\0')
		return NULL;
	dir = slash ? xasprintf("%.*s", (int)(slash - plain), plain) : xstrdup(".");
	out = path_join(dir, STAGE_TITLED_THUMB);
	free(dir);
	if (media_overlay_draw(plain, out, title, &o, &err) == 0)
		return out;
	if (st != NULL)
		store_journal(st, rec_id, "warn", "thumbnail", "the title was not drawn on the "
		    "thumbnail: %s", err.msg);
	log_warn("recording %lld: the title was not drawn on the thumbnail: %s",
	    (long long)rec_id, err.msg);
	free(out);
	return NULL;
}

/* Register everything (ownership of extra passes to ctx). */
static int
proc_register(struct proc *p, struct zpub_err *err)
{
	const struct media_cut_report *rep = &p->rep;
	struct stage_ctx *ctx = p->ctx;
	cJSON *x;
	int rc;

	x = cJSON_CreateObject();
	cJSON_AddNumberToObject(x, "duration_ms", (double)rep->duration_ms);
	cJSON_AddNumberToObject(x, "source_duration_ms", (double)p->dur);
	cJSON_AddNumberToObject(x, "copied_s", rep->copied_s);
	cJSON_AddNumberToObject(x, "reencoded_s", rep->reencoded_s);
	cJSON_AddNumberToObject(x, "copied_frames", (double)rep->copied_frames);
	cJSON_AddStringToObject(x, "strategy", rep->used == MEDIA_CUT_SMART ? "smart" : "reencode");
	if (rep->note[0] != '\0')
		cJSON_AddStringToObject(x, "note", rep->note);
	if (p->loud_on) {
		cJSON *l = cJSON_AddObjectToObject(x, "loudness");

		cJSON_AddNumberToObject(l, "target_lufs", p->target_lufs);
		if (p->loud.measured) {
			cJSON_AddNumberToObject(l, "integrated_lufs", round(p->loud.integrated_lufs * 10) / 10);
			cJSON_AddNumberToObject(l, "true_peak_dbtp", round(p->loud.true_peak_dbtp * 10) / 10);
		}
		cJSON_AddNumberToObject(l, "gain_db", p->co.loudness_on ? round(p->co.gain_db * 10) / 10 : 0);
		cJSON_AddNumberToObject(l, "limited_s", round(rep->limited_s * 100) / 100);
	}
	if ((rc = stage_add_artifact(ctx, "cut_video", p->cut, x, err)) < 0)
		return rc;
	x = cJSON_CreateObject();
	cJSON_AddNumberToObject(x, "segments", (double)p->tm.n);
	cJSON_AddNumberToObject(x, "duration_ms", (double)p->tm.out_duration_ms);
	cJSON_AddNumberToObject(x, "source_duration_ms", (double)p->tm.src_duration_ms);
	if ((rc = stage_add_artifact(ctx, "time_map", p->map, x, err)) < 0)
		return rc;
	for (size_t i = 0; i < p->n_chunks; i++) {
		x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "index", (double)i);
		cJSON_AddNumberToObject(x, "offset_ms", (double)p->chunks[i].offset_ms);
		cJSON_AddNumberToObject(x, "duration_ms", (double)p->chunks[i].duration_ms);
		cJSON_AddNumberToObject(x, "sample_rate", p->ao.sample_rate);
		cJSON_AddStringToObject(x, "codec", "flac");
		if ((rc = stage_add_artifact(ctx, "audio_chunk", p->chunks[i].path, x, err)) < 0)
			return rc;
	}
	for (size_t i = 0; i < p->n_thumbs; i++) {
		char *titled = NULL;

		if (p->thumbs[i].chosen && !ctx->dry_run)
			titled = stage_thumbnail_title(ctx->store, ctx->config, ctx->rec->id,
			    ctx->rec->title, p->thumbs[i].path);
		x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "at_ms", (double)p->thumbs[i].at_ms);
		cJSON_AddNumberToObject(x, "score", p->thumbs[i].score);
		cJSON_AddBoolToObject(x, "chosen", p->thumbs[i].chosen);
		if (titled != NULL)
			cJSON_AddStringToObject(x, "titled", STAGE_TITLED_THUMB);
		free(titled);
		if ((rc = stage_add_artifact(ctx, "thumbnail", p->thumbs[i].path, x, err)) < 0)
			return rc;
	}
	return 0;
}

/* "; loudness -34.9 LUFS, true peak -15.7 dBTP, +18.9 dB to -16 LUFS". */
static void
proc_loudness_words(const struct proc *p, char *out, size_t n)
{
	if (!p->loud_on)
		snprintf(out, n, "; loudness left as recorded");
	else if (!p->loud.measured)
		snprintf(out, n, "; loudness not measured (no sound above -70 LUFS)");
	else if (!p->co.loudness_on)
		snprintf(out, n, "; loudness %.1f LUFS, true peak %.1f dBTP: already at %.0f LUFS",
		    p->loud.integrated_lufs, p->loud.true_peak_dbtp, p->target_lufs);
	else
		snprintf(out, n, "; loudness %.1f LUFS, true peak %.1f dBTP: %+.1f dB to %.0f LUFS%s",
		    p->loud.integrated_lufs, p->loud.true_peak_dbtp, p->co.gain_db, p->target_lufs,
		    p->rep.limited_s > 0 ? ", peaks limited" : "");
}

static void
proc_summary(struct proc *p)
{
	const struct media_cut_report *rep = &p->rep;
	char a[16], b[16], loud[128];

	time_hms(p->dur, a);
	time_hms(rep->duration_ms, b);
	proc_loudness_words(p, loud, sizeof loud);
	snprintf(p->ctx->summary, sizeof p->ctx->summary,
	    "%s -> %s (%d cuts%s); %s: %.0f s copied, %.0f s re-encoded%s; "
	    "%zu audio chunk%s; %zu thumbnails, %zu slide changes", a, b, p->n_cuts,
	    p->n_ov ? ", with the editor's overrides" : "",
	    rep->used == MEDIA_CUT_SMART ? "smart cut" : "re-encode",
	    rep->copied_s, rep->reencoded_s, loud, p->n_chunks, p->n_chunks == 1 ? "" : "s",
	    p->n_thumbs, p->slides.n);
}

int
stage_process(struct stage_ctx *ctx, struct zpub_err *err)
{
	struct proc p = { .ctx = ctx, .src = ctx->rec->source_path };
	struct audio_job aj;
	pthread_t th;
	int th_started = 0;
	int rc;

	if (p.src == NULL || *p.src == '\0')
		return zpub_err_set(err, ZPUB_ENOTFOUND,
		    "recording %lld has no source file: import or download it again",
		    (long long)ctx->rec->id);
	p.shown = shown_name(ctx->rec);
	p.sp = (struct sub_progress){ &ctx->progress, 0, 0 };
	p.prog = (struct zpub_progress){ sub_progress_fn, &p.sp };
	media_silence_opts_from_config(&p.so, ctx->config);
	media_plan_opts_from_config(&p.po, ctx->config);
	media_visual_opts_from_config(&p.vo, ctx->config);
	media_cut_opts_from_config(&p.co, ctx->config);
	media_audio_opts_from_config(&p.ao, ctx->config);
	p.loud_on = media_loudness_target_from_config(ctx->config, &p.target_lufs);

	/* An editor's keep and remove ranges (none for a stage run without a
	 * store, as the media benchmark runs it). */
	if (ctx->store != NULL &&
	    (rc = recut_overrides(ctx->store, ctx->rec->id, &p.ov, &p.n_ov, err)) != 0)
		goto out;
	if ((rc = proc_probe(&p, err)) < 0 || (rc = proc_plan(&p, err)) < 0)
		goto out;
	if (ctx->dry_run) {
		snprintf(ctx->summary, sizeof ctx->summary,
		    "dry run: would cut %lld s to %lld s (%d cuts)", (long long)(p.dur / 1000),
		    (long long)(p.tm.out_duration_ms / 1000), p.n_cuts);
		rc = 0;
		goto out;
	}
	if ((rc = proc_write_map(&p, err)) < 0)
		goto out;

	p.cut = path_join(ctx->media_dir, "cut.mp4");
	p.cut_tmp = xasprintf("%s/cut.mp4.tmp", ctx->media_dir);
	memset(&aj, 0, sizeof aj);
	aj.src = p.src;
	aj.dir = ctx->media_dir;
	aj.tm = &p.tm;
	aj.sil = &p.sil;
	aj.o = &p.ao;
	if (pthread_create(&th, NULL, audio_job_run, &aj) == 0)
		th_started = 1;
	else
		audio_job_run(&aj);
	if ((rc = proc_cut(&p, err)) < 0)
		goto out;
	if (th_started)
		pthread_join(th, NULL);
	th_started = 0;
	p.chunks = aj.chunks;
	p.n_chunks = aj.n;
	aj.chunks = NULL;
	if (aj.rc < 0) {
		*err = aj.err;
		rc = aj.rc;
		goto out;
	}
	if ((rc = proc_slides(&p, err)) < 0 || (rc = proc_thumbs(&p, err)) < 0 ||
	    (rc = proc_register(&p, err)) < 0)
		goto out;
	proc_summary(&p);
	zpub_progress_report(&ctx->progress, 1.0, "processed");
	rc = 0;
out:
	if (th_started) {
		atomic_store(&aj.stop, 1);
		pthread_join(th, NULL);
		media_audio_chunks_free(aj.chunks, aj.n);
	}
	if (rc < 0)
		err_rename(err, p.src, p.shown);
	free(p.shown);
	if (rc < 0 && p.cut_tmp != NULL)
		unlink(p.cut_tmp);
	media_thumbs_free(p.thumbs, p.n_thumbs);
	media_audio_chunks_free(p.chunks, p.n_chunks);
	free(p.map);
	free(p.cut_tmp);
	free(p.cut);
	media_timemap_clear(&p.tm);
	free(p.ov);
	media_spans_clear(&p.sil);
	media_slides_clear(&p.slides);
	free(p.slides_out);
	media_info_free(p.mi);
	return rc;
}
