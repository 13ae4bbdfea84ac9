/*
 * recut.h — what cut editing needs beyond the edit itself (edit_cut_save):
 * the overrides as an input of the plan, the plan as `zpub cut --show`
 * lists it, and the copy of the transcript and time map a re-cut keeps so
 * the transcribe stage carries the words over instead of paying for them
 * again.
 */
#ifndef ZPUB_RECUT_H
#define ZPUB_RECUT_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "err.h"
#include "media.h"

struct store;
struct store_recording;

/* In the recording's folder, between a re-cut and the next transcription:
 * the transcript and the time map it is on. */
#define RECUT_TRANSCRIPT "recut_transcript.json"
#define RECUT_TIME_MAP "recut_time_map.json"

/* A source time as the editor writes it: "HH:MM:SS", with ".mmm" when it
 * is not a whole second. */
void recut_clock(int64_t ms, char out[24]);

/* The recording's overrides as the plan takes them (sorted, disjoint);
 * *v malloc'd, NULL when there are none. */
int recut_overrides(struct store *st, int64_t rec_id, struct media_override **v, size_t *n,
    struct zpub_err *err);

/* The length of the recording's source: the time map's, else the
 * recording's; 0 when unknown (not downloaded). */
int64_t recut_source_ms(struct store *st, const struct store_recording *r);

/* Copies the recording's transcript and the time map it is on aside
 * (RECUT_*), unless a copy is there already (it still pairs the older
 * transcript with its map) or there is no transcript. */
int recut_stash(struct store *st, int64_t rec_id, struct zpub_err *err);

/* Removes that copy from the recording's folder dir: the transcript is on
 * the current cut again. */
void recut_forget(const char *dir);

/* The plan of recording r as the next run would cut it (its overrides
 * applied), with every stretch of the source and its reason. */
struct recut_plan {
	struct media_timemap tm;
	struct media_override *ov;
	size_t n_ov;
	struct media_stretch *v;
	size_t n;
};
int recut_plan(struct store *st, const struct store_recording *r, const cJSON *cfg,
    const struct zpub_progress *prog, struct recut_plan *out, struct zpub_err *err);
void recut_plan_clear(struct recut_plan *p);

#endif
