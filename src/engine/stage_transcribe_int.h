/*
 * stage_transcribe_int.h — what the transcribe stage (stage_transcribe.c)
 * and its re-cut carry-over (stage_recut.c) share and nothing else sees:
 * the run over one recording and the helpers both use.
 */
#ifndef ZPUB_STAGE_TRANSCRIBE_INT_H
#define ZPUB_STAGE_TRANSCRIBE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "ai.h"
#include "err.h"
#include "media.h"
#include "pipeline.h"
#include "stages.h"
#include "store.h"

struct ai_run {
	struct stage_ctx *ctx;
	char label[200];
	char *tr_key, *chat_key;
	size_t tr_key_len, chat_key_len;
	struct transcript *tr;
	struct topics *topics;
	int topics_version;
	int recut;                      /* the transcript was carried over a re-cut */
	struct media_timemap old_map, new_map;
	char notes[512];
};

/* The audio to transcribe: the process stage's chunks in order, else one
 * whole file. */
struct tr_input {
	struct store_artifact *arts;
	int n;
	struct tr_chunk *chunks;
	size_t nc;
	int64_t newest_audio;   /* mtime of the newest chunk */
};

/* A sentence for the stage's summary ("; " between them). */
void ai_run_note(struct ai_run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Transcribes the input with engine (conf: as configured) into r->tr and
 * tpath, and records what the service charged. */
int tr_fresh(struct ai_run *r, const struct tr_input *in, const char *engine, const char *conf,
    const char *tpath, struct zpub_err *err);
/* r->topics as the newest topic version (source: engine) and its file. */
int topics_keep(struct ai_run *r, const char *engine, struct zpub_err *err);

/* ---- stage_recut.c ---- */

/* After a re-cut: the kept transcript carried onto the new cut into r->tr
 * (saved at tpath), only the restored stretches transcribed.  1 when it
 * was, 0 when there is nothing to carry, < 0 on an error. */
int tr_carry(struct ai_run *r, const char *engine, const char *conf, const char *tpath,
    struct zpub_err *err);
/* After a re-cut, the newest topic version re-timed onto the new cut as
 * the next one.  1 when it was, 0 when it was not, < 0 on an error. */
int topics_recut_newest(struct ai_run *r, struct zpub_err *err);

#endif
