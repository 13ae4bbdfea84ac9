/*
 * stage_recut.c — the transcribe stage after a re-cut: the transcript kept
 * aside (recut.h) carried onto the new cut through the old and new time
 * maps, with only the source stretches the new cut restored sent to the
 * engine, and the newest topic version re-timed onto the new cut instead
 * of topics found again.
 */
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "media.h"
#include "recut.h"
#include "stages.h"
#include "stage_transcribe_int.h"
#include "store.h"
#include "util.h"

/* Restored stretches shorter than this hold no word: a frame's worth of a
 * cut moved by the frame grid is not worth a request. */
#define RECUT_MIN_NEW_MS 250

static int
map_load(const char *path, struct media_timemap *tm, struct zpub_err *err)
{
	char *text = NULL;
	cJSON *j = NULL;
	int rc = fs_read_all(path, &text, NULL, err);

	if (rc == 0 && (j = cJSON_Parse(text)) == NULL)
		rc = zpub_err_set(err, ZPUB_EINVAL, "%s is not JSON", path);
	if (rc == 0)
		rc = media_timemap_from_json(j, tm, err);
	cJSON_Delete(j);
	free(text);
	return rc;
}

/* The source stretches of the new cut the old one did not keep,
 * transcribed (their audio alone) and moved onto the new cut. */
static int
tr_restored(struct ai_run *r, const struct media_spans *sp, const char *engine,
    const char *conf, struct transcript *into, double *secs, struct zpub_err *err)
{
	struct stage_ctx *ctx = r->ctx;
	struct media_timemap mini = {0};
	struct media_spans none = {0};
	struct media_audio_opts ao;
	struct media_audio_chunk *ch = NULL;
	struct tr_input in = {0};
	size_t nch = 0;
	char *dir = path_join(ctx->media_dir, "recut_audio"), *tp = NULL;
	int rc;

	/* The restored stretches back to back, as one short recording. */
	mini.seg = xcalloc(sp->n, sizeof *mini.seg);
	for (size_t i = 0; i < sp->n; i++) {
		mini.seg[i] = (struct media_seg){ sp->v[i].start_ms, sp->v[i].end_ms,
		    mini.out_duration_ms };
		mini.out_duration_ms += sp->v[i].end_ms - sp->v[i].start_ms;
	}
	mini.n = sp->n;
	mini.src_duration_ms = sp->v[sp->n - 1].end_ms;
	*secs = (double)mini.out_duration_ms / 1000.0;
	media_audio_opts_from_config(&ao, ctx->config);
	if ((rc = fs_mkdir_p(dir, 0700, err)) != 0 ||
	    (rc = media_audio_export(ctx->rec->source_path, dir, &mini, &none, &ao, NULL, &ch, &nch,
	    err)) != 0)
		goto out;
	in.chunks = xcalloc(nch + 1, sizeof *in.chunks);
	for (size_t i = 0; i < nch; i++)
		in.chunks[in.nc++] = (struct tr_chunk){ ch[i].path, ch[i].offset_ms, ch[i].duration_ms };
	tp = path_join(dir, "transcript.json");
	if ((rc = tr_fresh(r, &in, engine, conf, tp, err)) != 0)
		goto out;
	for (size_t i = 0; i < r->tr->n_words; i++) {
		const struct tr_word *w = &r->tr->words[i];
		int64_t mid = w->start_ms + (w->end_ms - w->start_ms) / 2;
		int64_t d = media_timemap_to_output(&r->new_map, media_timemap_to_source(&mini, mid)) -
		    mid;
		tr_add_word(into, w->w, w->start_ms + d, w->end_ms + d);
	}
	if (into->language[0] == '\0')
		snprintf(into->language, sizeof into->language, "%s", r->tr->language);
out:
	tr_free(r->tr);
	r->tr = NULL;
	free(in.chunks);
	media_audio_chunks_free(ch, nch);
	media_timemap_clear(&mini);
	fs_remove_tree(dir);
	free(dir);
	free(tp);
	return rc;
}

/* After a re-cut: the transcript kept aside (recut_stash) carried onto the
 * new cut, with only the restored stretches sent to the engine.  1 when
 * r->tr is that transcript (saved at tpath), 0 when there is nothing to
 * carry (or it cannot be: then everything is transcribed again). */
int
tr_carry(struct ai_run *r, const char *engine, const char *conf, const char *tpath,
    struct zpub_err *err)
{
	struct stage_ctx *ctx = r->ctx;
	struct transcript *old = NULL, *tr = NULL;
	struct media_spans sp = {0};
	struct zpub_err e;
	char *otp = path_join(ctx->media_dir, RECUT_TRANSCRIPT);
	char *omp = path_join(ctx->media_dir, RECUT_TIME_MAP);
	char *nmp = path_join(ctx->media_dir, "time_map.json");
	double secs = 0;
	size_t kept = 0;
	int rc = 0;

	if (!fs_exists(otp) || !fs_exists(omp))
		goto out;
	if (tr_load(otp, &old, &e) != 0 || map_load(omp, &r->old_map, &e) != 0 ||
	    map_load(nmp, &r->new_map, &e) != 0) {
		store_journal(ctx->store, ctx->rec->id, "warn", "transcribe", "the transcript kept"
		    " over the re-cut cannot be read (%s); transcribing everything again", e.msg);
		goto out;
	}
	if (strcmp(old->engine, engine) != 0) {
		ai_run_note(r, "the transcription engine is now %s, not %s: transcribed everything again",
		    engine, old->engine);
		goto out;
	}
	tr = tr_recut(old, &r->old_map, &r->new_map);
	kept = tr->n_words;
	media_timemap_new_spans(&r->old_map, &r->new_map, RECUT_MIN_NEW_MS, &sp);
	if (sp.n > 0 && strcmp(engine, "openai-compatible") == 0 && r->tr_key == NULL)
		goto out;       /* step_transcribe says what is missing */
	if (sp.n > 0 && (rc = tr_restored(r, &sp, engine, conf, tr, &secs, err)) != 0)
		goto out;
	tr_sort(tr);
	tr_segments_from_words(tr);
	tr->duration_ms = r->new_map.out_duration_ms;
	if ((rc = tr_save(tr, tpath, err)) != 0)
		goto out;
	ai_run_note(r, "carried %zu words over the re-cut; %zu restored stretch%s (%.1f s) transcribed",
	    kept, sp.n, sp.n == 1 ? "" : "es", secs);
	recut_forget(ctx->media_dir);
	r->tr = tr;
	tr = NULL;
	r->recut = 1;
	rc = 1;
out:
	if (rc != 1) {
		media_timemap_clear(&r->old_map);
		media_timemap_clear(&r->new_map);
	}
	media_spans_clear(&sp);
	tr_free(tr);
	tr_free(old);
	free(nmp);
	free(omp);
	free(otp);
	return rc;
}

/* After a re-cut, the newest topic version re-timed onto the new cut
 * becomes the next one (source "recut").  1 when it did; 0 when there is
 * none or it does not fit the new cut (then topics are found again). */
int
topics_recut_newest(struct ai_run *r, struct zpub_err *err)
{
	struct stage_ctx *ctx = r->ctx;
	struct store_topic_version v = {0};
	struct topics *old = NULL;
	struct zpub_err e;
	int rc = 0;

	if (store_topic_version_latest(ctx->store, ctx->rec->id, 0, &v, NULL) != 0)
		return 0;
	if (topics_from_json(v.json ? v.json : "{}", &old, &e) == 0) {
		r->topics = topics_recut(old, &r->old_map, &r->new_map);
		if (topics_validate(r->topics, r->new_map.out_duration_ms, &e) != 0) {
			store_journal(ctx->store, ctx->rec->id, "warn", "topics", "topic version %d"
			    " does not fit the new cut (%s); finding topics again", v.version, e.msg);
			topics_free(r->topics);
			r->topics = NULL;
		} else if ((rc = topics_keep(r, "recut", err)) == 0) {
			rc = 1;
			/* Re-timing changes no chapter a person approved: the approval
			 * goes with it, or an older approved version (on the old cut's
			 * times) would be the one published. */
			if (v.approved_by != NULL && store_topic_version_approve(ctx->store,
			    ctx->rec->id, r->topics_version, v.approved_by, &e) == 0)
				store_journal(ctx->store, ctx->rec->id, "info", "topics", "version %d"
				    " re-timed onto the new cut as version %d, still approved by %s",
				    v.version, r->topics_version, v.approved_by);
		}
	}
	topics_free(old);
	store_topic_version_clear(&v);
	return rc;
}
