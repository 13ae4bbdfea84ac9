/*
 * stages.h — the four pipeline stages, the rows of the stage table
 * (stages.c), and the step-by-step and dry-run entries the commands use.
 * Each stage is engine code over the lower layers: media for process, ai
 * for transcribe, net for download and publish.
 */
#ifndef ZPUB_STAGES_H
#define ZPUB_STAGES_H

#include <stdint.h>
#include <stdio.h>
#include <cJSON.h>

#include "err.h"

struct stage_ctx;
struct store;
struct store_recording;

/* INITIALIZED -> DOWNLOADING -> DOWNLOADED for source "zoom". */
int stage_download(struct stage_ctx *ctx, struct zpub_err *err);
/* DOWNLOADED -> PROCESSING -> PROCESSED: analysis, cut, audio, thumbnails. */
int stage_process(struct stage_ctx *ctx, struct zpub_err *err);
/* The title drawn on the thumbnail picture plain, as STAGE_TITLED_THUMB
 * beside it, when processing.thumbnails.overlay.enabled is on in cfg: its
 * path (malloc'd), or NULL when the overlay is off or failed (no font:
 * then a warning goes to the journal of rec_id, st may be NULL). */
#define STAGE_TITLED_THUMB "thumb_titled.jpg"
char *stage_thumbnail_title(struct store *st, const cJSON *cfg, int64_t rec_id,
    const char *title, const char *plain);
/* PREPARING -> TRANSCRIBED: transcript, topics, subtitles, description. */
int stage_transcribe(struct stage_ctx *ctx, struct zpub_err *err);
/* TRANSCRIBED -> UPLOADING -> READY.  Targets: config "publish.to" (a
 * "youtube,vk" string or an array; `zpub publish --to` sets it) else the
 * keys of "output_targets".  With ctx->dry_run it prints the plan to stdout
 * and sends nothing. */
int stage_publish(struct stage_ctx *ctx, struct zpub_err *err);

/* The transcribe stage's work step by step, for `zpub transcribe|topics|
 * subtitles|describe`.  Steps not asked for read their inputs from the files
 * a previous run left in media_dir (transcript.json, the newest topic
 * version). */
struct ai_steps {
	int transcribe, topics, subtitles, describe;
	const char *transcription_engine;  /* NULL = from the config */
	const char *topics_engine;         /* NULL = from the config */
	int reuse_transcript;              /* keep a transcript.json newer than the audio */
};
int ai_run_steps(struct stage_ctx *ctx, const struct ai_steps *steps, struct zpub_err *err);
/* The steps run again on recording rec's files (ai_redo.c), its status
 * unchanged: cfg is the base config (the recording's layers are added
 * here); the files not known yet become artefacts and the summary a
 * journal line under event, in one transaction.  summary (may be NULL)
 * gets what was done. */
int ai_redo(struct store *st, const cJSON *cfg, const char *data_dir, const char *key_path,
    const struct store_recording *rec, const struct ai_steps *steps,
    struct zpub_progress progress, const char *event, char *summary, size_t summary_len,
    struct zpub_err *err);
/* Prints exactly what stage_publish would send, and sends nothing. */
int publish_dry_run(struct stage_ctx *ctx, FILE *out, struct zpub_err *err);

/* `zpub publish ID --update` and the daemon after an approval: sends READY
 * recording rec_id's targets (its publications done) what changed since it
 * was last sent to each — title, description (so the chapters), tags,
 * thumbnail, subtitle tracks — after rendering the description again from
 * the newest approved topic version.  Never a second upload.  A line per
 * target goes to out (may be NULL); with dry_run only the plan.  Clears
 * the recording's update_pending mark when every target is up to date. */
struct publish_update_opts {
	const char *data_dir, *key_path;
	int dry_run;
	FILE *out;
	int64_t *retry_at_ms;   /* may be NULL: set when a quota stopped it */
};
int publish_update(struct store *st, const cJSON *cfg, int64_t rec_id,
    const struct publish_update_opts *o, struct zpub_err *err);

#endif
