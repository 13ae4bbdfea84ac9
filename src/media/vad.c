/*
 * vad.c — the voice-activity decision: which analysis windows of a
 * recording are speech, given the level of each.
 *
 * An adaptive noise floor per recording, not a trained detector.  Each
 * window's level is the mean of itself and VAD_SMOOTH neighbours either
 * side (50 ms at 10 ms windows: a room's noise flickers from one window to
 * the next, speech does not).  A histogram of the levels (0.5 dB bins)
 * gives the recording's noise floor (10th percentile) and its speech (98th).
 *
 * Where threshold_db lies between them with room to spare (VAD_NOISE_DB
 * above the floor, VAD_SPEECH_DB below the speech), it stays, and silence.c
 * keeps its own result: a clean recording is cut exactly as before.  Where
 * it does not — room noise louder than the threshold, a speaker quieter
 * than it — speech starts VAD_NOISE_DB above the floor (for a quiet speaker
 * VAD_SPEECH_DB below the speech), and with hysteresis a phrase reaches
 * back to where its level first rose over off_db (VAD_OFF_DB above the
 * floor, or VAD_HYST_DB under the start level) and lasts until it falls
 * under off_db again, plus the smoothing's VAD_SMOOTH windows each side: the
 * soft first and last sounds of a phrase stay with it.  A recording with
 * less than VAD_CONTRAST_DB between floor and speech (steady noise only,
 * digital silence, a continuous tone) keeps the threshold, and so does one
 * whose pauses are digital zeros: zero is its floor.
 *
 * Why this and not a detector with spectral cues (300-3400 Hz against the
 * whole band) or a trained model: a lecture is one microphone in one room,
 * so its noise is steady and one floor per recording describes it, rumble
 * included (the tests mix in brown noise); the percentiles cost a
 * histogram and the decision one pass over a float per window after the
 * decode, while a band filter would add work to the per-sample loop that
 * the analysis budget is spent in, and a model would add a dependency.
 */
#include "vad.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define VAD_FLOOR_PCT   10      /* percentile of the levels that is the floor */
#define VAD_SPEECH_PCT  98      /* ... and that is the speech */
#define VAD_NOISE_DB    9.0     /* speech starts this far above the floor ... */
#define VAD_SPEECH_DB   12.0    /* ... and at least this far below the speech */
#define VAD_OFF_DB      4.0     /* hysteresis: speech lasts down to floor + this */
#define VAD_HYST_DB     6.0     /* ... or on - this, whichever is higher */
#define VAD_CONTRAST_DB 15.0    /* less between floor and speech: keep the threshold */
#define VAD_MIN_DB      -100.0  /* the histogram's lowest bin: digital silence */
#define VAD_MAX_DB      10.0
#define VAD_BIN_DB      0.5
#define VAD_BINS        ((int)((VAD_MAX_DB - VAD_MIN_DB) / VAD_BIN_DB))
#define VAD_MIN_WINDOWS 50      /* fewer windows: keep the threshold */
#define VAD_SMOOTH      2       /* the level of a window is the mean of 2 + 1 + 2 */

void
vad_levels_push(struct vad_levels *l, float mean_square)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4096;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = mean_square;
}

void
vad_levels_clear(struct vad_levels *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

static double
level_db(double mean_square)
{
	return mean_square > 0 ? 10.0 * log10(mean_square) : -200.0;
}

/* The mean square of window i and its VAD_SMOOTH neighbours each side:
 * a room's noise flickers from one 10 ms window to the next far more than
 * over 50 ms, speech does not. */
static double
smoothed(const struct vad_levels *l, size_t i)
{
	size_t a = i > VAD_SMOOTH ? i - VAD_SMOOTH : 0, b = i + VAD_SMOOTH + 1, k;
	double sum = 0;

	if (b > l->n)
		b = l->n;
	for (k = a; k < b; k++)
		sum += (double)l->v[k];
	return sum / (double)(b - a);
}

/* The level below which pct percent of the counted windows lie. */
static double
percentile_db(const size_t *hist, size_t total, int pct)
{
	size_t want = total * (size_t)pct / 100, acc = 0;
	int b;

	for (b = 0; b < VAD_BINS; b++) {
		acc += hist[b];
		if (acc > want)
			break;
	}
	if (b == VAD_BINS)
		b--;
	return VAD_MIN_DB + ((double)b + 0.5) * VAD_BIN_DB;
}

void
vad_decide(const struct vad_levels *l, double threshold_db, struct vad_decision *d)
{
	size_t hist[VAD_BINS], i;
	double lo, hi;

	memset(hist, 0, sizeof hist);
	memset(d, 0, sizeof *d);
	d->on_db = d->off_db = threshold_db;
	d->floor_db = d->speech_db = VAD_MIN_DB;
	for (i = 0; i < l->n; i++) {
		/* Clamped before the cast: a hostile file's samples can
		 * square to infinity. */
		double db = fmin(fmax(level_db(smoothed(l, i)), VAD_MIN_DB), VAD_MAX_DB);
		int b = (int)((db - VAD_MIN_DB) / VAD_BIN_DB);

		hist[b < VAD_BINS ? b : VAD_BINS - 1]++;
	}
	if (l->n < VAD_MIN_WINDOWS)
		return;
	d->floor_db = percentile_db(hist, l->n, VAD_FLOOR_PCT);
	d->speech_db = percentile_db(hist, l->n, VAD_SPEECH_PCT);
	if (d->speech_db - d->floor_db < VAD_CONTRAST_DB)
		return;
	lo = d->floor_db + VAD_NOISE_DB;
	hi = d->speech_db - VAD_SPEECH_DB;
	if (threshold_db >= lo && threshold_db <= hi)
		return;
	/* Above the noise first: a threshold in the noise finds no pause. */
	d->on_db = threshold_db < lo || hi < lo ? lo : hi;
	d->off_db = fmax(d->floor_db + VAD_OFF_DB, d->on_db - VAD_HYST_DB);
	d->moved = 1;
}

size_t
vad_quiet_runs(const struct vad_levels *l, const struct vad_decision *d,
    size_t min_windows, void (*quiet)(void *ud, size_t first, size_t end), void *ud)
{
	double on = pow(10.0, d->on_db / 10.0);
	double off = pow(10.0, d->off_db / 10.0);
	size_t i, rise = 0, qstart = 0;
	int risen = 0, speech = 0;

	/* Speech is a run of windows at or above off that reaches on, and
	 * VAD_SMOOTH windows either side of it (the smoothing blurs its
	 * edges by that much); the rest is quiet. */
	for (i = 0; i < l->n; i++) {
		double v = smoothed(l, i);

		if (v < off) {
			if (speech)
				qstart = i + VAD_SMOOTH;
			risen = speech = 0;
			continue;
		}
		if (!risen) {
			risen = 1;
			rise = i > VAD_SMOOTH ? i - VAD_SMOOTH : 0;
		}
		if (!speech && v >= on) {
			speech = 1;
			if (rise > qstart && rise - qstart >= min_windows)
				quiet(ud, qstart, rise);
		}
	}
	return speech || qstart > l->n ? l->n : qstart;
}
