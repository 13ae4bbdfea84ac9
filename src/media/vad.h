/*
 * vad.h — the voice-activity decision on a recording's window levels (the
 * pure part of silence analysis: no FFmpeg, no files).  See vad.c.
 */
#ifndef ZPUB_VAD_H
#define ZPUB_VAD_H

#include <stddef.h>
#include <stdint.h>

/* The mean square of every analysis window of a recording, in order
 * (1.0 = a full-scale square wave). */
struct vad_levels {
	float *v;
	size_t n, cap;
};

void vad_levels_push(struct vad_levels *l, float mean_square);
void vad_levels_clear(struct vad_levels *l);   /* frees v */

struct vad_decision {
	double floor_db;    /* the noise floor: a low percentile of the levels */
	double speech_db;   /* the speech level: a high percentile */
	double on_db;       /* speech starts at or above this ... */
	double off_db;      /* ... and lasts while the level stays at or above this */
	int moved;          /* 0: threshold_db separates them, use it as it is */
};

/* Picks the thresholds for one recording: threshold_db where it lies between
 * the noise floor and the speech, else moved just far enough to. */
void vad_decide(const struct vad_levels *l, double threshold_db, struct vad_decision *d);

/* Calls quiet(ud, first, end) for every run of quiet windows [first, end)
 * of at least min_windows that speech ends, and returns where the quiet run
 * still open at the end starts (l->n if the recording ends in speech). */
size_t vad_quiet_runs(const struct vad_levels *l, const struct vad_decision *d,
    size_t min_windows, void (*quiet)(void *ud, size_t first, size_t end), void *ud);

#endif
