/*
 * silence.c — finds the pauses in a recording's audio.
 *
 * Decodes the audio only (mono, source rate), measures the RMS level of
 * each window_ms window and reports every run of windows below threshold_db
 * lasting at least min_silence_ms, as raw acoustic boundaries on the source
 * timeline (margins are the plan's business, not ours).  Streaming: one pass;
 * the same pass feeds the loudness meter (loudness.c) when asked.  In
 * adaptive mode the level of every window is kept too, and where the
 * threshold does not separate this recording's speech from its noise, the
 * pauses are found again from those levels by vad.c.  Also
 * media_analyse_json(), the core of `zpub analyse`.
 */
#include "media_priv.h"

#include <math.h>
#include <string.h>

#include "config.h"
#include "util.h"
#include "vad.h"


void
media_silence_opts_from_config(struct media_silence_opts *o, const cJSON *cfg)
{
	o->threshold_db = config_double(cfg, "processing.video.threshold_db", -40.0);
	o->window_ms = config_int(cfg, "processing.video.window_ms", 10);
	o->min_silence_ms = config_int(cfg, "processing.video.min_silence_ms", 1000);
	o->mode = strcmp(config_str(cfg, "processing.video.silence_mode", "adaptive"),
	    "threshold") == 0 ? MEDIA_SILENCE_THRESHOLD : MEDIA_SILENCE_ADAPTIVE;
}

/* The window state machine, fed sample by sample (or by runs of zeros). */
struct silence_scan {
	int rate;
	int64_t win;            /* samples per window */
	double thresh_sumsq;    /* sum of squares of a window at the threshold */
	int64_t min_samples;
	int64_t pos;            /* samples consumed */
	int64_t in_win;         /* samples in the current window */
	double sumsq;
	int64_t run_start;      /* start of the quiet run, -1 if loud */
	struct media_spans *out;
	struct vad_levels *levels;   /* adaptive mode: every window's mean square */
};

static void
scan_close_window(struct silence_scan *s)
{
	int quiet = s->sumsq < s->thresh_sumsq * (double)s->in_win / (double)s->win;
	int64_t wstart = s->pos - s->in_win;

	if (s->levels != NULL)
		vad_levels_push(s->levels, (float)(s->sumsq / (double)s->in_win));
	if (quiet) {
		if (s->run_start < 0)
			s->run_start = wstart;
	} else if (s->run_start >= 0) {
		if (wstart - s->run_start >= s->min_samples)
			media_spans_push(s->out, av_rescale(s->run_start, 1000, s->rate),
			    av_rescale(wstart, 1000, s->rate));
		s->run_start = -1;
	}
	s->sumsq = 0;
	s->in_win = 0;
}

static void
scan_samples(struct silence_scan *s, const float *x, int64_t n)
{
	int64_t i = 0;

	while (i < n) {
		int64_t take = s->win - s->in_win;
		double acc = 0;
		int64_t k;

		if (take > n - i)
			take = n - i;
		if (x != NULL)
			for (k = 0; k < take; k++)
				acc += (double)x[i + k] * (double)x[i + k];
		s->sumsq += acc;
		s->in_win += take;
		s->pos += take;
		i += take;
		if (s->in_win == s->win)
			scan_close_window(s);
	}
}

static void
adaptive_quiet(void *ud, size_t first, size_t end)
{
	struct silence_scan *s = ud;

	media_spans_push(s->out, av_rescale((int64_t)first * s->win, 1000, s->rate),
	    av_rescale((int64_t)end * s->win, 1000, s->rate));
}

/* Where the threshold fails this recording, its pauses again from the
 * levels with vad.c's thresholds, replacing those the scan found. */
static void
scan_adapt(struct silence_scan *s, const struct media_silence_opts *o, size_t first_out)
{
	struct vad_decision d;
	size_t open;

	vad_decide(s->levels, o->threshold_db, &d);
	if (!d.moved)
		return;
	s->out->n = first_out;
	open = vad_quiet_runs(s->levels, &d, (size_t)((s->min_samples + s->win - 1) / s->win),
	    adaptive_quiet, s);
	s->run_start = open < s->levels->n ? (int64_t)open * s->win : -1;
}

int
media_silence_analyse(const char *path, const struct media_silence_opts *o,
    const struct zpub_progress *prog, struct media_spans *silences,
    int64_t *duration_ms, struct zpub_err *err)
{
	return media_audio_analyse(path, o, prog, silences, duration_ms, NULL, err);
}

int
media_audio_analyse(const char *path, const struct media_silence_opts *o,
    const struct zpub_progress *prog, struct media_spans *silences,
    int64_t *duration_ms, struct media_loudness *loud, struct zpub_err *err)
{
	struct media_areader *r = NULL;
	struct media_lmeter *lm = NULL;
	struct silence_scan s;
	struct vad_levels levels = {0};
	size_t first_out = silences->n;
	int64_t dur, last_report = -1, tail_start;
	int rc;

	memset(&s, 0, sizeof s);
	if ((rc = media_areader_open(path, 0, NULL, AV_SAMPLE_FMT_FLT, &r, err)) < 0)
		return rc;
	/* The loudness from the same decoded frames (loudness.c). */
	if (loud != NULL && (rc = media_lmeter_new(media_areader_rate(r),
	    media_areader_par(r)->ch_layout.nb_channels, &lm, err)) < 0)
		goto out;
	if (lm != NULL)
		media_areader_tap(r, media_lmeter_frame, lm);
	s.rate = media_areader_rate(r);
	s.win = av_rescale(o->window_ms > 0 ? o->window_ms : 10, s.rate, 1000);
	if (s.win < 1)
		s.win = 1;
	s.thresh_sumsq = pow(10.0, o->threshold_db / 10.0) * (double)s.win;
	s.min_samples = av_rescale(o->min_silence_ms, s.rate, 1000);
	s.run_start = -1;
	s.out = silences;
	s.levels = o->mode == MEDIA_SILENCE_ADAPTIVE ? &levels : NULL;
	dur = media_areader_duration_ms(r);

	for (;;) {
		uint8_t **planes;
		int64_t pos;
		int n;

		rc = media_areader_next(r, &planes, &n, &pos, err);
		if (rc < 0)
			goto out;
		if (rc == 0)
			break;
		/* Before the audio starts, and in holes, there is nothing to
		 * hear: zeros. */
		if (pos > s.pos)
			scan_samples(&s, NULL, pos - s.pos);
		if (pos < s.pos) {
			/* Overlap (timestamp jitter): skip what we counted. */
			int64_t skip = s.pos - pos;

			if (skip >= n)
				continue;
			planes[0] += skip * (int64_t)sizeof(float);
			n -= (int)skip;
			scan_samples(&s, (const float *)planes[0], n);
			planes[0] -= skip * (int64_t)sizeof(float);
		} else
			scan_samples(&s, (const float *)planes[0], n);
		if (s.pos - last_report > (int64_t)s.rate * 30) {
			last_report = s.pos;
			if (zpub_progress_report(prog, media_areader_fraction(r),
			    "finding silences") != 0) {
				rc = zpub_err_set(err, ZPUB_ECANCEL, "silence analysis of '%s' cancelled",
				    media_base(path));
				goto out;
			}
		}
	}
	if (s.in_win > 0)
		scan_close_window(&s);
	{
		/* The index promises more audio than the file holds: the end
		 * of the download is missing.  Better to say so than to trim
		 * the lecture's end as "silence". */
		int64_t got = media_areader_end_ms(r), want = media_areader_expected_end_ms(r);

		if (want > 0 && got + MEDIA_TRUNCATED_MS < want) {
			char a[16], b[16];

			time_hms(got, a);
			time_hms(want, b);
			rc = zpub_err_set(err, ZPUB_EMEDIA,
			    "'%s' is truncated: its audio stops at %s of %s; download or copy it again",
			    media_base(path), a, b);
			goto out;
		}
	}
	if (s.levels != NULL)
		scan_adapt(&s, o, first_out);
	/* After the audio ends (or if the container is longer): silence up
	 * to the end of the recording. */
	if (dur <= 0)
		dur = av_rescale(s.pos, 1000, s.rate);
	tail_start = s.run_start >= 0 ? av_rescale(s.run_start, 1000, s.rate) :
	    av_rescale(s.pos, 1000, s.rate);
	if (tail_start < dur && (dur - tail_start >= o->min_silence_ms || tail_start == 0))
		media_spans_push(silences, tail_start, dur);
	*duration_ms = dur;
	if (loud != NULL)
		media_lmeter_result(lm, loud);
	zpub_progress_report(prog, 1.0, "finding silences");
	rc = 0;
out:
	vad_levels_clear(&levels);
	media_lmeter_free(lm);
	media_areader_free(r);
	return rc;
}

int
media_analyse_json(const char *file, const struct media_silence_opts *so,
    const struct media_plan_opts *po, const struct zpub_progress *prog,
    cJSON **out, struct zpub_err *err)
{
	return media_analyse_json_visual(file, so, po, NULL, prog, out, err);
}

int
media_analyse_json_visual(const char *file, const struct media_silence_opts *so,
    const struct media_plan_opts *po, const struct media_visual_opts *vo,
    const struct zpub_progress *prog, cJSON **out, struct zpub_err *err)
{
	struct media_spans sil = {0}, speech = {0}, cuts = {0}, vis = {0}, pauses = {0};
	struct media_timemap tm = {0};
	struct media_info *mi = NULL;
	struct media_loudness loud;
	int64_t dur = 0, pos = 0;
	cJSON *j = NULL, *o;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = media_probe(file, &mi, err)) < 0)
		goto out;
	if ((rc = media_audio_analyse(file, so, prog, &sil, &dur, &loud, err)) < 0)
		goto out;
	/* Pauses with new content on screen are not shortened. */
	if ((rc = media_visual_analyse(file, &sil, dur, vo, prog, &vis, err)) < 0)
		goto out;
	media_spans_subtract(&sil, &vis, &pauses);
	if ((rc = media_plan_build(dur, &pauses, po, &tm, err)) < 0)
		goto out;
	/* As the process stage will cut it. */
	media_plan_fit(&tm, mi, po);
	for (i = 0; i <= sil.n; i++) {
		int64_t end = i < sil.n ? sil.v[i].start_ms : dur;

		if (end > pos)
			media_spans_push(&speech, pos, end);
		if (i < sil.n)
			pos = sil.v[i].end_ms;
	}
	pos = 0;
	for (i = 0; i <= tm.n; i++) {
		int64_t end = i < tm.n ? tm.seg[i].src_start_ms : dur;

		if (end > pos)
			media_spans_push(&cuts, pos, end);
		if (i < tm.n)
			pos = tm.seg[i].src_end_ms;
	}
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "file", file);
	cJSON_AddNumberToObject(j, "duration_ms", (double)dur);
	cJSON_AddNumberToObject(j, "output_duration_ms", (double)tm.out_duration_ms);
	cJSON_AddItemToObject(j, "media", media_info_to_json(mi));
	o = cJSON_AddObjectToObject(j, "options");
	cJSON_AddStringToObject(o, "silence_mode",
	    so->mode == MEDIA_SILENCE_THRESHOLD ? "threshold" : "adaptive");
	cJSON_AddNumberToObject(o, "threshold_db", so->threshold_db);
	cJSON_AddNumberToObject(o, "window_ms", (double)so->window_ms);
	cJSON_AddNumberToObject(o, "min_silence_ms", (double)so->min_silence_ms);
	cJSON_AddNumberToObject(o, "max_pause_ms", (double)po->max_pause_ms);
	cJSON_AddNumberToObject(o, "keep_pause_ms", (double)po->keep_pause_ms);
	cJSON_AddNumberToObject(o, "margin_before_ms", (double)po->margin_before_ms);
	cJSON_AddNumberToObject(o, "margin_after_ms", (double)po->margin_after_ms);
	cJSON_AddBoolToObject(o, "keep_visual_pauses", vo != NULL && vo->enabled);
	cJSON_AddItemToObject(j, "silences", media_visual_to_json(&sil, &vis));
	cJSON_AddItemToObject(j, "visual", media_spans_to_json(&vis));
	cJSON_AddItemToObject(j, "speech", media_spans_to_json(&speech));
	cJSON_AddItemToObject(j, "cut", media_spans_to_json(&cuts));
	cJSON_AddItemToObject(j, "loudness", media_loudness_to_json(&loud));
	{
		struct media_spans keep = {0};

		for (i = 0; i < tm.n; i++)
			media_spans_push(&keep, tm.seg[i].src_start_ms, tm.seg[i].src_end_ms);
		cJSON_AddItemToObject(j, "keep", media_spans_to_json(&keep));
		media_spans_clear(&keep);
	}
	*out = j;
	j = NULL;
	rc = 0;
out:
	cJSON_Delete(j);
	media_timemap_clear(&tm);
	media_spans_clear(&cuts);
	media_spans_clear(&speech);
	media_spans_clear(&pauses);
	media_spans_clear(&vis);
	media_spans_clear(&sil);
	media_info_free(mi);
	return rc;
}
