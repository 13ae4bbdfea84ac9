/*
 * vad.c — the voice-activity decision: which analysis windows of a
 * recording are speech, given the level of each.
 *
 * An adaptive noise floor per recording, not a trained detector.  The
 * levels of all windows (each the mean of itself and its two neighbours on
 * either side, 50 ms at 10 ms windows: noise flickers from one window to
 * the next, speech does not) go into a histogram (0.5 dB bins); its 10th
 * percentile is the room's noise floor and its 98th the speech.  The fixed
 * threshold stays exactly as it is when it lies between them with room to
 * spare (at least VAD_NOISE_DB above the floor and VAD_SPEECH_DB below the
 * speech): a clean recording is cut as it always was.  When it does not — a
 * room whose noise is louder than the threshold, a speaker quieter than it —
 * speech starts VAD_NOISE_DB above the floor (or VAD_SPEECH_DB below the
 * speech for a quiet speaker), and with hysteresis it reaches back to where
 * the level first rose above the floor by VAD_OFF_DB and lasts until it
 * falls under that again: the soft first and last sounds of a phrase stay
 * with it instead of being cut as noise.  A recording with less than
 * VAD_CONTRAST_DB between floor and speech has no speech to tell apart and
 * keeps the threshold.
 *
 * Why this and not a detector with spectral features or a model: a lecture
 * is one microphone in one room, so its noise is steady and one floor per
 * recording describes it; the percentiles cost a histogram, the decision a
 * pass over one float per window after the decode, with nothing added to
 * the per-sample loop the analysis budget is spent in.  A band filter
 * (300-3400 Hz) would add a filter per sample for rumble the floor already
 * absorbs.  Digital silence (below -100 dBFS) is silence under any rule
 * and is left out of the percentiles.
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
#define VAD_MIN_DB      -100.0  /* digital silence: out of the statistics */
#define VAD_MAX_DB      10.0
#define VAD_BIN_DB      0.5
#define VAD_BINS        ((int)((VAD_MAX_DB - VAD_MIN_DB) / VAD_BIN_DB))
#define VAD_MIN_WINDOWS 50      /* fewer measured windows: keep the threshold */
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
	size_t hist[VAD_BINS], total = 0, i;
	double lo, hi;

	memset(hist, 0, sizeof hist);
	memset(d, 0, sizeof *d);
	d->on_db = d->off_db = threshold_db;
	d->floor_db = d->speech_db = VAD_MIN_DB;
	for (i = 0; i < l->n; i++) {
		double db = level_db(smoothed(l, i));
		int b;

		if (db < VAD_MIN_DB)
			continue;
		b = (int)((db - VAD_MIN_DB) / VAD_BIN_DB);
		hist[b < VAD_BINS ? b : VAD_BINS - 1]++;
		total++;
	}
	if (total < VAD_MIN_WINDOWS)
		return;
	d->floor_db = percentile_db(hist, total, VAD_FLOOR_PCT);
	d->speech_db = percentile_db(hist, total, VAD_SPEECH_PCT);
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

	/* Speech is a run of windows at or above off that reaches on; the
	 * rest is quiet. */
	for (i = 0; i < l->n; i++) {
		double v = smoothed(l, i);

		if (v < off) {
			if (speech)
				qstart = i;
			risen = speech = 0;
			continue;
		}
		if (!risen) {
			risen = 1;
			rise = i;
		}
		if (!speech && v >= on) {
			speech = 1;
			if (rise > qstart && rise - qstart >= min_windows)
				quiet(ud, qstart, rise);
		}
	}
	return speech ? l->n : qstart;
}
