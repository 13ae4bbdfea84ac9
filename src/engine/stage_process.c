/*
 * stage_process.c — the "process" stage (DOWNLOADED -> PROCESSING ->
 * PROCESSED): glue between the pipeline and the media engine.
 *
 * Reads the recording's source file and the processing.* config, then:
 * silences -> cut plan (snapped to the frame grid) -> time_map.json ->
 * cut.mp4 -> audio_NNN.flac chunks -> thumb_N.jpg, each written as .tmp and
 * renamed, each registered with stage_add_artifact().  Bad media fails the
 * stage with ZPUB_EMEDIA and a sentence; nothing outside media_dir is touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "media.h"
#include "pipeline.h"
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
};

static void *
audio_job_run(void *ud)
{
	struct audio_job *j = ud;

	j->rc = media_audio_export(j->src, j->dir, j->tm, j->sil, j->o, NULL, &j->chunks,
	    &j->n, &j->err);
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

int
stage_process(struct stage_ctx *ctx, struct zpub_err *err)
{
	const char *src = ctx->rec->source_path;
	struct media_silence_opts so;
	struct media_plan_opts po;
	struct media_cut_opts co;
	struct media_audio_opts ao;
	struct media_cut_report rep;
	struct media_info *mi = NULL;
	struct media_spans sil = {0};
	struct media_timemap tm = {0};
	struct media_audio_chunk *chunks = NULL;
	struct media_thumb *thumbs = NULL;
	size_t n_chunks = 0, n_thumbs = 0, i;
	char *cut = NULL, *cut_tmp = NULL, *map = NULL, *json = NULL;
	struct sub_progress sp = { &ctx->progress, 0, 0 };
	struct audio_job aj;
	pthread_t th;
	int th_started = 0;
	struct zpub_progress prog = { sub_progress_fn, &sp };
	int64_t dur = 0;
	cJSON *x;
	int rc, identity, n_cuts;
	char *shown = NULL;

	if (src == NULL || *src == '\0')
		return zpub_err_set(err, ZPUB_ENOTFOUND,
		    "recording %lld has no source file: import or download it again",
		    (long long)ctx->rec->id);
	shown = shown_name(ctx->rec);
	media_silence_opts_from_config(&so, ctx->config);
	media_plan_opts_from_config(&po, ctx->config);
	media_cut_opts_from_config(&co, ctx->config);
	media_audio_opts_from_config(&ao, ctx->config);

	if ((rc = media_probe(src, &mi, err)) < 0)
		goto out;
	if (mi->video_index < 0) {
		rc = zpub_err_set(err, ZPUB_EMEDIA,
		    "'%s' has no video stream (audio only): zpub publishes videos; "
		    "import the video recording instead", shown);
		goto out;
	}
	if (mi->audio_index < 0) {
		rc = zpub_err_set(err, ZPUB_EMEDIA,
		    "'%s' has no audio stream: cannot find silences or transcribe it; "
		    "check that the recording kept its sound", shown);
		goto out;
	}

	sp.base = 0, sp.span = 0.25;
	if ((rc = media_silence_analyse(src, &so, &prog, &sil, &dur, err)) < 0)
		goto out;
	if ((rc = media_plan_build(dur, &sil, &po, &tm, err)) < 0)
		goto out;
	if (tm.n == 0 || tm.out_duration_ms <= 0) {
		rc = zpub_err_set(err, ZPUB_EMEDIA,
		    "'%s' is silent throughout (nothing above %.0f dBFS in %lld s): nothing to "
		    "publish; check the recording or lower processing.video.threshold_db",
		    shown, so.threshold_db, (long long)(dur / 1000));
		goto out;
	}
	identity = media_timemap_is_identity(&tm);
	media_plan_fit(&tm, mi, &po);
	n_cuts = (int)tm.n - 1 + (tm.seg[0].src_start_ms > 0) +
	    (tm.seg[tm.n - 1].src_end_ms < tm.src_duration_ms);
	if (ctx->dry_run) {
		snprintf(ctx->summary, sizeof ctx->summary,
		    "dry run: would cut %lld s to %lld s (%d cuts)", (long long)(dur / 1000),
		    (long long)(tm.out_duration_ms / 1000), n_cuts);
		rc = 0;
		goto out;
	}

	/* The time map first: later stages rely on it. */
	map = path_join(ctx->media_dir, "time_map.json");
	x = media_timemap_to_json(&tm);
	json = cJSON_PrintUnformatted(x);
	cJSON_Delete(x);
	if ((rc = fs_write_atomic(map, json, strlen(json), 0600, err)) < 0)
		goto out;

	cut = path_join(ctx->media_dir, "cut.mp4");
	cut_tmp = xasprintf("%s/cut.mp4.tmp", ctx->media_dir);
	memset(&aj, 0, sizeof aj);
	aj.src = src;
	aj.dir = ctx->media_dir;
	aj.tm = &tm;
	aj.sil = &sil;
	aj.o = &ao;
	if (pthread_create(&th, NULL, audio_job_run, &aj) == 0)
		th_started = 1;
	else
		audio_job_run(&aj);

	sp.base = 0.25, sp.span = 0.65;
	if (identity && strstr(mi->container, "mp4") != NULL) {
		/* Speech never stops: the source is the output, untouched. */
		memset(&rep, 0, sizeof rep);
		rep.used = MEDIA_CUT_SMART;
		rep.copied_s = (double)dur / 1000.0;
		rep.copied_frames = (int64_t)mi->n_frames;
		rep.duration_ms = dur;
		snprintf(rep.note, sizeof rep.note, "nothing to cut: source kept as is");
		if ((rc = link_or_copy(src, cut_tmp, err)) < 0)
			goto out;
	} else if ((rc = media_cut(src, cut_tmp, &tm, &co, &prog, &rep, err)) < 0) {
		unlink(cut_tmp);
		goto out;
	}
	if (rep.note[0] != '\0')
		log_info("recording %lld: %s", (long long)ctx->rec->id, rep.note);
	if ((rc = fs_commit(cut_tmp, cut, err)) < 0)
		goto out;

	if (th_started)
		pthread_join(th, NULL);
	th_started = 0;
	chunks = aj.chunks;
	n_chunks = aj.n;
	aj.chunks = NULL;
	if (aj.rc < 0) {
		*err = aj.err;
		rc = aj.rc;
		goto out;
	}
	sp.base = 0.90, sp.span = 0.10;
	if ((rc = media_thumbnails(cut, ctx->media_dir,
	    (int)config_int(ctx->config, "processing.thumbnails.count", 5),
	    (int)config_int(ctx->config, "processing.thumbnails.width", 1280),
	    &prog, &thumbs, &n_thumbs, err)) < 0)
		goto out;
	remove_stale(ctx->media_dir, "audio_", ".flac", n_chunks);
	remove_stale(ctx->media_dir, "thumb_", ".jpg", n_thumbs);

	/* Register everything (ownership of extra passes to ctx). */
	x = cJSON_CreateObject();
	cJSON_AddNumberToObject(x, "duration_ms", (double)rep.duration_ms);
	cJSON_AddNumberToObject(x, "source_duration_ms", (double)dur);
	cJSON_AddNumberToObject(x, "copied_s", rep.copied_s);
	cJSON_AddNumberToObject(x, "reencoded_s", rep.reencoded_s);
	cJSON_AddNumberToObject(x, "copied_frames", (double)rep.copied_frames);
	cJSON_AddStringToObject(x, "strategy", rep.used == MEDIA_CUT_SMART ? "smart" : "reencode");
	if (rep.note[0] != '\0')
		cJSON_AddStringToObject(x, "note", rep.note);
	if ((rc = stage_add_artifact(ctx, "cut_video", cut, x, err)) < 0)
		goto out;
	x = cJSON_CreateObject();
	cJSON_AddNumberToObject(x, "segments", (double)tm.n);
	cJSON_AddNumberToObject(x, "duration_ms", (double)tm.out_duration_ms);
	cJSON_AddNumberToObject(x, "source_duration_ms", (double)tm.src_duration_ms);
	if ((rc = stage_add_artifact(ctx, "time_map", map, x, err)) < 0)
		goto out;
	for (i = 0; i < n_chunks; i++) {
		x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "index", (double)i);
		cJSON_AddNumberToObject(x, "offset_ms", (double)chunks[i].offset_ms);
		cJSON_AddNumberToObject(x, "duration_ms", (double)chunks[i].duration_ms);
		cJSON_AddNumberToObject(x, "sample_rate", ao.sample_rate);
		cJSON_AddStringToObject(x, "codec", "flac");
		if ((rc = stage_add_artifact(ctx, "audio_chunk", chunks[i].path, x, err)) < 0)
			goto out;
	}
	for (i = 0; i < n_thumbs; i++) {
		x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "at_ms", (double)thumbs[i].at_ms);
		cJSON_AddNumberToObject(x, "score", thumbs[i].score);
		cJSON_AddBoolToObject(x, "chosen", thumbs[i].chosen);
		if ((rc = stage_add_artifact(ctx, "thumbnail", thumbs[i].path, x, err)) < 0)
			goto out;
	}
	{
		char a[16], b[16];

		time_hms(dur, a);
		time_hms(rep.duration_ms, b);
		snprintf(ctx->summary, sizeof ctx->summary,
		    "%s -> %s (%d cuts); %s: %.0f s copied, %.0f s re-encoded; "
		    "%zu audio chunk%s; %zu thumbnails", a, b, n_cuts,
		    rep.used == MEDIA_CUT_SMART ? "smart cut" : "re-encode",
		    rep.copied_s, rep.reencoded_s, n_chunks, n_chunks == 1 ? "" : "s", n_thumbs);
	}
	zpub_progress_report(&ctx->progress, 1.0, "processed");
	rc = 0;
out:
	if (th_started) {
		pthread_join(th, NULL);
		media_audio_chunks_free(aj.chunks, aj.n);
	}
	if (rc < 0)
		err_rename(err, src, shown);
	free(shown);
	if (rc < 0 && cut_tmp != NULL)
		unlink(cut_tmp);
	media_thumbs_free(thumbs, n_thumbs);
	media_audio_chunks_free(chunks, n_chunks);
	free(json);
	free(map);
	free(cut_tmp);
	free(cut);
	media_timemap_clear(&tm);
	media_spans_clear(&sil);
	media_info_free(mi);
	return rc;
}
