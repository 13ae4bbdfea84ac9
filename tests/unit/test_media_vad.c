/*
 * test_media_vad.c — the voice-activity decision on synthetic window levels:
 * a clean recording keeps its threshold (digital silence in the pauses
 * too), room noise raises it, a quiet
 * speaker lowers it, soft onsets stay with their phrase, noise that flickers
 * does not split a pause, and a recording without speech is left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <cmocka.h>

#include "vad.h"

static uint32_t seed = 1;

/* Deterministic jitter in [-1, 1). */
static double
jitter(void)
{
	seed = seed * 1103515245u + 12345u;
	return (double)((seed >> 8) & 0xffff) / 32768.0 - 1.0;
}

/* n windows at db, each off by up to spread dB. */
static void
push(struct vad_levels *l, size_t n, double db, double spread)
{
	size_t i;

	for (i = 0; i < n; i++)
		vad_levels_push(l, (float)pow(10.0, (db + spread * jitter()) / 10.0));
}

struct runs {
	size_t first[16], end[16], n;
};

static void
collect(void *ud, size_t first, size_t end)
{
	struct runs *r = ud;

	assert_true(r->n < 16);
	r->first[r->n] = first;
	r->end[r->n] = end;
	r->n++;
}

/* noise / phrase with a soft 8-window onset and tail / noise / phrase /
 * noise: the pauses are [0, 300), [516, 816), [982, 1232). */
static void
lecture(struct vad_levels *l, double noise_db, double speech_db, double soft_db)
{
	int k;

	seed = 1;
	push(l, 300, noise_db, 2);
	for (k = 0; k < 2; k++) {
		push(l, 8, soft_db, 1);
		push(l, k == 0 ? 200 : 150, speech_db, 4);
		push(l, 8, soft_db, 1);
		push(l, k == 0 ? 300 : 250, noise_db, 2);
	}
}

static void
vad_keeps_the_threshold_on_a_clean_recording(void **state)
{
	struct vad_levels l = {0};
	struct vad_decision d;

	(void)state;
	lecture(&l, -65, -18, -35);
	vad_decide(&l, -40, &d);
	assert_false(d.moved);
	assert_true(d.on_db == -40 && d.off_db == -40);
	assert_true(d.floor_db < -60 && d.speech_db > -20);
	vad_levels_clear(&l);
}

static void
vad_keeps_the_threshold_when_the_pauses_are_digital_silence(void **state)
{
	struct vad_levels l = {0};
	struct vad_decision d;

	(void)state;
	/* A screen recorder's noise gate: zeros between the words. */
	lecture(&l, -300, -18, -35);
	vad_decide(&l, -40, &d);
	assert_false(d.moved);
	assert_true(d.floor_db < -99);
	vad_levels_clear(&l);
}

static void
vad_raises_the_threshold_above_room_noise(void **state)
{
	struct vad_levels l = {0};
	struct vad_decision d;
	struct runs r = {0};
	size_t open;

	(void)state;
	lecture(&l, -30, -15, -24);
	vad_decide(&l, -40, &d);
	assert_true(d.moved);
	assert_true(d.on_db > -28 && d.on_db < -18);
	assert_true(d.off_db < d.on_db);
	open = vad_quiet_runs(&l, &d, 100, collect, &r);
	assert_int_equal(r.n, 2);
	/* The soft onsets and tails (windows 300-307, 508-515, ...) are
	 * speech: the pauses end at or before them and start at or after. */
	assert_int_equal(r.first[0], 0);
	assert_in_range(r.end[0], 294, 300);
	assert_in_range(r.first[1], 516, 522);
	assert_in_range(r.end[1], 810, 816);
	assert_in_range(open, 982, 988);
	vad_levels_clear(&l);
}

static void
vad_lowers_the_threshold_for_a_quiet_speaker(void **state)
{
	struct vad_levels l = {0};
	struct vad_decision d;
	struct runs r = {0};
	size_t open;

	(void)state;
	lecture(&l, -70, -47, -58);
	vad_decide(&l, -40, &d);
	assert_true(d.moved);
	assert_true(d.on_db < -50 && d.on_db > -62);
	open = vad_quiet_runs(&l, &d, 100, collect, &r);
	assert_int_equal(r.n, 2);
	assert_in_range(r.end[0], 294, 300);
	assert_in_range(r.first[1], 516, 522);
	assert_in_range(open, 982, 988);
	vad_levels_clear(&l);
}

static void
vad_ignores_noise_that_flickers_inside_a_pause(void **state)
{
	struct vad_levels l = {0};
	struct vad_decision d;
	struct runs r = {0};
	int k;

	(void)state;
	push(&l, 200, -15, 3);
	/* A pause of 400 windows with a flicker 6 dB over the noise every
	 * 37 windows, and a run of 20 windows just above it. */
	for (k = 0; k < 10; k++) {
		push(&l, 36, -30, 1.5);
		push(&l, 1, -24, 0);
	}
	push(&l, 20, -27, 0.5);
	push(&l, 10, -30, 1.5);
	push(&l, 200, -15, 3);
	push(&l, 300, -30, 1.5);
	vad_decide(&l, -40, &d);
	assert_true(d.moved);
	vad_quiet_runs(&l, &d, 100, collect, &r);
	assert_int_equal(r.n, 1);
	assert_in_range(r.first[0], 200, 205);
	assert_in_range(r.end[0], 595, 600);
	vad_levels_clear(&l);
}

static void
vad_reports_only_pauses_of_the_minimum_length(void **state)
{
	struct vad_levels l = {0};
	struct vad_decision d;
	struct runs r = {0};

	(void)state;
	push(&l, 150, -30, 1.5);
	push(&l, 200, -15, 3);
	push(&l, 60, -30, 1.5);     /* a breath: too short */
	push(&l, 200, -15, 3);
	vad_decide(&l, -40, &d);
	assert_true(d.moved);
	assert_int_equal(vad_quiet_runs(&l, &d, 100, collect, &r), l.n);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.first[0], 0);
	vad_levels_clear(&l);
}

static void
vad_leaves_a_recording_without_speech_alone(void **state)
{
	struct vad_levels l = {0};
	struct vad_decision d;
	struct runs r = {0};

	(void)state;
	/* Steady noise only: nothing stands out of it. */
	push(&l, 1000, -30, 2);
	vad_decide(&l, -40, &d);
	assert_false(d.moved);
	vad_levels_clear(&l);
	/* Digital silence. */
	push(&l, 1000, -300, 0);
	vad_decide(&l, -40, &d);
	assert_false(d.moved);
	assert_int_equal(vad_quiet_runs(&l, &d, 100, collect, &r), 0);
	assert_int_equal(r.n, 0);
	vad_levels_clear(&l);
	/* Nothing at all. */
	vad_decide(&l, -40, &d);
	assert_false(d.moved);
	assert_int_equal(vad_quiet_runs(&l, &d, 100, collect, &r), 0);
}

static void
vad_survives_the_levels_of_a_hostile_file(void **state)
{
	struct vad_levels l = {0};
	struct vad_decision d;
	struct runs r = {0};

	(void)state;
	lecture(&l, -30, -15, -24);
	l.v[10] = INFINITY;
	l.v[400] = NAN;
	l.v[401] = -1;
	vad_decide(&l, -40, &d);
	assert_true(d.moved);
	vad_quiet_runs(&l, &d, 100, collect, &r);
	assert_true(r.n <= 2);
	vad_levels_clear(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vad_keeps_the_threshold_on_a_clean_recording),
		cmocka_unit_test(vad_keeps_the_threshold_when_the_pauses_are_digital_silence),
		cmocka_unit_test(vad_raises_the_threshold_above_room_noise),
		cmocka_unit_test(vad_lowers_the_threshold_for_a_quiet_speaker),
		cmocka_unit_test(vad_ignores_noise_that_flickers_inside_a_pause),
		cmocka_unit_test(vad_reports_only_pauses_of_the_minimum_length),
		cmocka_unit_test(vad_leaves_a_recording_without_speech_alone),
		cmocka_unit_test(vad_survives_the_levels_of_a_hostile_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
