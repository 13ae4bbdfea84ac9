/*
 * test_media_lecture.c — the media engine end to end on generated lectures
 * (tests/lib/gen_media.sh: espeak-ng speech with known pauses, a slide
 * video, beep + white-frame sync marks), checked by tests/lib/check_media.py
 * with the ffmpeg programs as an independent decoder:
 *   silences within 50 ms of the true boundaries; the cut decodes cleanly,
 *   lasts the plan's duration, keeps A/V in sync at every cut — smart cut and
 *   re-encode, on CFR, VFR, audio-starting-0.85-s-late and B-frame input;
 *   audio chunks split in pauses; thumbnails; the whole process stage; and
 *   the bad inputs (0-byte, truncated, not media, no audio, audio only,
 *   never silent, ten hours of silence).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "config.h"
#include "media.h"
#include "pipeline.h"
#include "stages.h"
#include "store.h"
#include "util.h"

static char *src_root, *dir;

static const struct media_silence_opts sil_opts = { -40.0, 10, 1000, MEDIA_SILENCE_ADAPTIVE };
static const struct media_plan_opts plan_opts = { 1, 1, 1, 150, 250, 2000, 700, 0 };

static char *
in_dir(const char *name)
{
	return path_join(dir, name);
}

static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int
write_json(const char *path, const cJSON *j)
{
	char *s = cJSON_Print(j);
	FILE *f = fopen(path, "w");

	if (s == NULL || f == NULL)
		return -1;
	fputs(s, f);
	fclose(f);
	free(s);
	return 0;
}

static int
setup(void **state)
{
	const char *tmp = getenv("ZPUB_TESTTMP");
	const char *variants[] = { "base", "offset", "vfr", "bframes", "bad", "neverstop",
		"silent10h" };
	size_t i;

	(void)state;
	src_root = xstrdup(getenv("ZPUB_SRC") ? getenv("ZPUB_SRC") : ".");
	dir = xasprintf("%s/media_lecture", tmp ? tmp : "/tmp/zpub-test");
	media_log_init(0);
	if (sh("mkdir -p '%s'", dir) != 0)
		return -1;
	for (i = 0; i < sizeof variants / sizeof *variants; i++)
		if (sh("bash '%s/tests/lib/gen_media.sh' '%s' %s", src_root, dir, variants[i]) != 0)
			return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(dir);
	free(src_root);
	return 0;
}

/* Analyse, check silences, plan, snap, cut with strategy, check the cut. */
/* slack: let kept parts start on a keyframe up to max_pause - keep_pause
 * early (the default for smart cut); without it every cut re-encodes a
 * head, which is what some cases want to exercise. */
static void
lecture_case(const char *variant, enum media_cut_strategy strategy, int expect_fallback,
    int slack)
{
	char name[64], *src, *ana, *truth, *out, *tmj;
	struct media_info *mi = NULL;
	struct media_spans sil = {0};
	struct media_timemap tm;
	struct media_cut_opts co = { .strategy = strategy, .crf = 23, .preset = "veryfast",
	    .piece_preset = "superfast" };
	struct media_cut_report rep;
	struct media_plan_opts po = plan_opts;
	struct zpub_err err = {0};
	int64_t dur;
	cJSON *j = NULL;

	if (slack)
		po.keyframe_slack_ms = po.max_pause_ms - po.keep_pause_ms;

	snprintf(name, sizeof name, "%s.mp4", variant);
	src = in_dir(name);
	snprintf(name, sizeof name, "%s.analysis.json", variant);
	ana = in_dir(name);
	snprintf(name, sizeof name, "%s.truth.json", variant);
	truth = in_dir(name);
	snprintf(name, sizeof name, "%s.%s.mp4", variant, strategy == MEDIA_CUT_SMART ? "smart" : "re");
	out = in_dir(name);
	snprintf(name, sizeof name, "%s.%s.map.json", variant, strategy == MEDIA_CUT_SMART ? "smart" : "re");
	tmj = in_dir(name);

	assert_int_equal(media_analyse_json(src, &sil_opts, &plan_opts, NULL, &j, &err), 0);
	assert_int_equal(write_json(ana, j), 0);
	cJSON_Delete(j);
	assert_int_equal(sh("python3 '%s/tests/lib/check_media.py' silences '%s' '%s' 1000",
	    src_root, truth, ana), 0);

	assert_int_equal(media_probe(src, &mi, &err), 0);
	assert_int_equal(media_silence_analyse(src, &sil_opts, NULL, &sil, &dur, &err), 0);
	assert_int_equal(media_plan_build(dur, &sil, &po, &tm, &err), 0);
	media_plan_fit(&tm, mi, &po);
	j = media_timemap_to_json(&tm);
	assert_int_equal(write_json(tmj, j), 0);
	cJSON_Delete(j);

	if (media_cut(src, out, &tm, &co, NULL, &rep, &err) != 0)
		fail_msg("cut of %s failed: %s", variant, err.msg);
	print_message("%s %s: %lld ms, %.2f s copied, %.2f s re-encoded %s\n", variant,
	    strategy == MEDIA_CUT_SMART ? "smart" : "re-encode", (long long)rep.duration_ms,
	    rep.copied_s, rep.reencoded_s, rep.note);
	assert_int_equal(rep.duration_ms, tm.out_duration_ms);
	if (strategy == MEDIA_CUT_SMART && !expect_fallback) {
		assert_int_equal(rep.used, MEDIA_CUT_SMART);
		assert_true(rep.copied_s > rep.reencoded_s);
		if (!slack)
			assert_true(rep.reencoded_s > 0.5);   /* heads were re-encoded */
	}
	if (expect_fallback) {
		assert_int_equal(rep.used, MEDIA_CUT_REENCODE);
		assert_true(rep.note[0] != '\0');
	}
	assert_int_equal(sh("python3 '%s/tests/lib/check_media.py' cut '%s' '%s' '%s' '%s'",
	    src_root, src, truth, out, tmj), 0);

	media_timemap_clear(&tm);
	media_spans_clear(&sil);
	media_info_free(mi);
	free(tmj);
	free(out);
	free(truth);
	free(ana);
	free(src);
}

static void
smart_cut_keeps_sync_on_a_lecture(void **state)
{
	(void)state;
	lecture_case("base", MEDIA_CUT_SMART, 0, 0);
}

static void
reencode_keeps_sync_on_a_lecture(void **state)
{
	(void)state;
	lecture_case("base", MEDIA_CUT_REENCODE, 0, 0);
}

static void
smart_cut_on_keyframes_keeps_sync_when_audio_starts_late(void **state)
{
	(void)state;
	lecture_case("offset", MEDIA_CUT_SMART, 0, 1);
}

static void
reencode_keeps_sync_when_audio_starts_late(void **state)
{
	(void)state;
	lecture_case("offset", MEDIA_CUT_REENCODE, 0, 0);
}

static void
smart_cut_keeps_sync_on_variable_frame_rate(void **state)
{
	(void)state;
	lecture_case("vfr", MEDIA_CUT_SMART, 0, 0);
}

static void
reencode_keeps_sync_on_variable_frame_rate(void **state)
{
	(void)state;
	lecture_case("vfr", MEDIA_CUT_REENCODE, 0, 0);
}

static void
smart_cut_keeps_sync_on_b_frames(void **state)
{
	(void)state;
	/* B-frames no longer make smart cut fall back (more kinds of input
	 * in test_media_smartcut.c). */
	lecture_case("bframes", MEDIA_CUT_SMART, 0, 1);
}

static void
audio_chunks_split_in_pauses(void **state)
{
	char *src = in_dir("base.mp4"), *out = in_dir("chunks");
	struct media_spans sil = {0};
	struct media_timemap tm;
	struct media_audio_opts ao = { 16000, 8000, 24000000 };
	struct media_audio_chunk *ch = NULL;
	struct zpub_err err = {0};
	size_t n = 0, i;
	int64_t dur, end = 0;

	(void)state;
	assert_int_equal(fs_mkdir_p(out, 0700, &err), 0);
	assert_int_equal(media_silence_analyse(src, &sil_opts, NULL, &sil, &dur, &err), 0);
	assert_int_equal(media_plan_build(dur, &sil, &plan_opts, &tm, &err), 0);
	if (media_audio_export(src, out, &tm, &sil, &ao, NULL, &ch, &n, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(n >= 2);
	for (i = 0; i < n; i++) {
		char cmd[1024];
		double secs = 0;
		FILE *p;

		assert_int_equal(ch[i].offset_ms, end);
		assert_true(ch[i].duration_ms <= 8000);
		end += ch[i].duration_ms;
		/* Every boundary but the last lies in a pause of the source. */
		if (i + 1 < n) {
			int64_t s = media_timemap_to_source(&tm, end);
			size_t k;
			int in_pause = 0;

			for (k = 0; k < sil.n; k++)
				if (sil.v[k].start_ms <= s && s <= sil.v[k].end_ms)
					in_pause = 1;
			assert_true(in_pause);
		}
		snprintf(cmd, sizeof cmd, "ffprobe -v error -show_entries format=duration "
		    "-of csv=p=0 '%s'", ch[i].path);
		p = popen(cmd, "r");
		assert_non_null(p);
		assert_int_equal(fscanf(p, "%lf", &secs), 1);
		pclose(p);
		assert_true(secs * 1000 > (double)ch[i].duration_ms - 30 &&
		    secs * 1000 < (double)ch[i].duration_ms + 30);
	}
	assert_int_equal(end, tm.out_duration_ms);
	media_audio_chunks_free(ch, n);
	media_timemap_clear(&tm);
	media_spans_clear(&sil);
	free(out);
	free(src);
}

static void
thumbnails_choose_one(void **state)
{
	char *src = in_dir("base.mp4"), *out = in_dir("thumbs");
	struct media_thumb *t = NULL;
	struct zpub_err err = {0};
	size_t n = 0, i;
	int chosen = 0;

	(void)state;
	assert_int_equal(fs_mkdir_p(out, 0700, &err), 0);
	if (media_thumbnails(src, out, 4, 160, NULL, 0, NULL, &t, &n, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_true(fs_size(t[i].path) > 100);
		chosen += t[i].chosen;
		assert_true(t[i].score > 0);
	}
	assert_int_equal(chosen, 1);
	media_thumbs_free(t, n);
	free(out);
	free(src);
}

/* The stage as the pipeline runs it (no store needed to collect artefacts). */
static int
run_stage(const char *file, const char *sub, int loudness_off, struct stage_ctx *ctx,
    cJSON **cfg, struct zpub_err *err)
{
	static struct store_recording rec;
	char *media = in_dir(sub);

	memset(ctx, 0, sizeof *ctx);
	memset(&rec, 0, sizeof rec);
	rec.id = 7;
	rec.source_path = in_dir(file);
	*cfg = config_defaults();
	if (loudness_off)
		cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItem(cJSON_GetObjectItem(*cfg,
		    "processing"), "audio"), "loudness_lufs", cJSON_CreateNull());
	assert_int_equal(fs_mkdir_p(media, 0700, err), 0);
	ctx->rec = &rec;
	ctx->config = *cfg;
	ctx->media_dir = media;
	return stage_process(ctx, err);
}

static void
stage_done(struct stage_ctx *ctx, cJSON *cfg)
{
	int i;

	for (i = 0; i < ctx->n_artifacts; i++) {
		free(ctx->artifacts[i].kind);
		free(ctx->artifacts[i].path);
		cJSON_Delete(ctx->artifacts[i].extra);
	}
	free(ctx->artifacts);
	free((char *)ctx->media_dir);
	free(((struct store_recording *)ctx->rec)->source_path);
	cJSON_Delete(cfg);
}

static int
count_kind(const struct stage_ctx *ctx, const char *kind)
{
	int i, n = 0;

	for (i = 0; i < ctx->n_artifacts; i++)
		n += strcmp(ctx->artifacts[i].kind, kind) == 0;
	return n;
}

static void
stage_process_registers_every_artefact(void **state)
{
	struct stage_ctx ctx;
	struct zpub_err err = {0};
	cJSON *cfg;

	(void)state;
	if (run_stage("offset.mp4", "stage_offset", 0, &ctx, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	print_message("summary: %s\n", ctx.summary);
	assert_int_equal(count_kind(&ctx, "cut_video"), 1);
	assert_int_equal(count_kind(&ctx, "time_map"), 1);
	assert_true(count_kind(&ctx, "audio_chunk") >= 1);
	assert_int_equal(count_kind(&ctx, "thumbnail"), 5);
	assert_true(strstr(ctx.summary, "smart cut") != NULL);
	assert_true(fs_exists(ctx.artifacts[0].path));
	stage_done(&ctx, cfg);
}

static void
stage_keeps_a_never_silent_file_as_is(void **state)
{
	struct stage_ctx ctx;
	struct zpub_err err = {0};
	char a[65], b[65];
	cJSON *cfg;
	int i;

	(void)state;
	/* With loudness off: evened out, its audio would be re-encoded
	 * (e2e/media_loudness checks that the video is still copied whole). */
	if (run_stage("neverstop.mp4", "stage_neverstop", 1, &ctx, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	for (i = 0; i < ctx.n_artifacts; i++)
		if (strcmp(ctx.artifacts[i].kind, "cut_video") == 0) {
			const cJSON *re = cJSON_GetObjectItem(ctx.artifacts[i].extra, "reencoded_s");

			assert_int_equal(fs_sha256(ctx.artifacts[i].path, a, &err), 0);
			assert_int_equal(fs_sha256(ctx.rec->source_path, b, &err), 0);
			assert_string_equal(a, b);
			assert_true(re != NULL && re->valuedouble == 0);
		}
	stage_done(&ctx, cfg);
}

static void
expect_stage_failure(const char *file, const char *sub, const char *words)
{
	struct stage_ctx ctx;
	struct zpub_err err = {0};
	cJSON *cfg;

	assert_int_equal(run_stage(file, sub, 0, &ctx, &cfg, &err), ZPUB_EMEDIA);
	print_message("%s: %s\n", file, err.msg);
	assert_non_null(strstr(err.msg, words));
	assert_int_equal(ctx.n_artifacts, 0);
	stage_done(&ctx, cfg);
}

static void
bad_inputs_fail_with_a_reason(void **state)
{
	(void)state;
	expect_stage_failure("empty.mp4", "bad_empty", "empty (0 bytes)");
	expect_stage_failure("truncated.mp4", "bad_trunc", "truncated or corrupt");
	expect_stage_failure("truncated_tail.mp4", "bad_trunc_tail", "is truncated");
	expect_stage_failure("notmedia.mp4", "bad_notmedia", "not a media file");
	expect_stage_failure("noaudio.mp4", "bad_noaudio", "no audio stream");
	expect_stage_failure("audioonly.m4a", "bad_audioonly", "no video stream");
}

static void
ten_hours_of_silence_is_fast_and_keeps_nothing(void **state)
{
	char *src = in_dir("silent10h.m4a");
	struct media_spans sil = {0};
	struct media_timemap tm;
	struct zpub_err err = {0};
	int64_t dur, t0 = time_mono_ms();

	(void)state;
	assert_int_equal(media_silence_analyse(src, &sil_opts, NULL, &sil, &dur, &err), 0);
	print_message("10 h of silence analysed in %lld ms\n", (long long)(time_mono_ms() - t0));
	assert_int_equal(sil.n, 1);
	assert_int_equal(sil.v[0].start_ms, 0);
	assert_true(dur >= 36000000 - 100);
	assert_int_equal(media_plan_build(dur, &sil, &plan_opts, &tm, &err), 0);
	assert_int_equal(tm.n, 0);
	media_spans_clear(&sil);
	media_timemap_clear(&tm);
	free(src);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(smart_cut_keeps_sync_on_a_lecture),
		cmocka_unit_test(reencode_keeps_sync_on_a_lecture),
		cmocka_unit_test(smart_cut_on_keyframes_keeps_sync_when_audio_starts_late),
		cmocka_unit_test(reencode_keeps_sync_when_audio_starts_late),
		cmocka_unit_test(smart_cut_keeps_sync_on_variable_frame_rate),
		cmocka_unit_test(reencode_keeps_sync_on_variable_frame_rate),
		cmocka_unit_test(smart_cut_keeps_sync_on_b_frames),
		cmocka_unit_test(audio_chunks_split_in_pauses),
		cmocka_unit_test(thumbnails_choose_one),
		cmocka_unit_test(stage_process_registers_every_artefact),
		cmocka_unit_test(stage_keeps_a_never_silent_file_as_is),
		cmocka_unit_test(bad_inputs_fail_with_a_reason),
		cmocka_unit_test(ten_hours_of_silence_is_fast_and_keeps_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
