/*
 * test_media_plan.c — the pure parts of the media engine: the cut plan from
 * silences, the time map both ways and through JSON, snapping to frames,
 * and where audio chunks split.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "media.h"

static const struct media_plan_opts lecture = {
	.remove_silence = 1, .trim_head = 1, .trim_tail = 1,
	.margin_before_ms = 150, .margin_after_ms = 250,
	.max_pause_ms = 2000, .keep_pause_ms = 700,
};

static void
spans(struct media_spans *s, const int64_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 2)
		media_spans_push(s, v[i], v[i + 1]);
}

static void
plan_trims_head_and_tail_and_shortens_long_pauses(void **state)
{
	/* 60 s: silent head 0-5 s, a 1.5 s pause (kept), a 10 s pause
	 * (shortened to 700 ms), silent tail from 50 s. */
	static const int64_t sil[] = { 0, 5000, 20000, 21500, 30000, 40000, 50000, 60000 };
	struct media_spans s = {0};
	struct media_timemap tm;
	struct zpub_err err;

	(void)state;
	spans(&s, sil, 8);
	assert_int_equal(media_plan_build(60000, &s, &lecture, &tm, &err), 0);
	assert_int_equal(tm.n, 2);
	/* head: keep margin_before before speech at 5000 */
	assert_int_equal(tm.seg[0].src_start_ms, 4850);
	/* the long pause keeps the margins (250 after speech, 150 before)
	 * and shares the rest of keep_pause_ms (300) between them */
	assert_int_equal(tm.seg[0].src_end_ms, 30000 + 250 + 150);
	assert_int_equal(tm.seg[1].src_start_ms, 40000 - 150 - 150);
	assert_int_equal(tm.seg[1].src_end_ms, 50250);
	assert_int_equal(tm.seg[1].out_start_ms, 30400 - 4850);
	assert_int_equal(tm.out_duration_ms, (30400 - 4850) + (50250 - 39700));
	/* the kept pause is exactly keep_pause_ms */
	assert_int_equal((tm.seg[0].src_end_ms - 30000) + (40000 - tm.seg[1].src_start_ms), 700);
	media_timemap_clear(&tm);
	media_spans_clear(&s);
}

static void
plan_never_cuts_into_speech(void **state)
{
	/* keep_pause smaller than the margins: margins win. */
	static const int64_t sil[] = { 10000, 15000 };
	struct media_plan_opts o = lecture;
	struct media_spans s = {0};
	struct media_timemap tm;
	struct zpub_err err;

	(void)state;
	o.keep_pause_ms = 100;
	spans(&s, sil, 2);
	assert_int_equal(media_plan_build(20000, &s, &o, &tm, &err), 0);
	assert_int_equal(tm.n, 2);
	assert_true(tm.seg[0].src_end_ms >= 10000 + o.margin_after_ms);
	assert_true(tm.seg[1].src_start_ms <= 15000 - o.margin_before_ms);
	media_timemap_clear(&tm);
	media_spans_clear(&s);
}

static void
plan_keeps_everything_when_speech_never_stops(void **state)
{
	struct media_spans s = {0};
	struct media_timemap tm;
	struct zpub_err err;

	(void)state;
	assert_int_equal(media_plan_build(90000, &s, &lecture, &tm, &err), 0);
	assert_true(media_timemap_is_identity(&tm));
	assert_int_equal(tm.out_duration_ms, 90000);
	assert_int_equal(media_timemap_to_output(&tm, 1234), 1234);
	assert_int_equal(media_timemap_to_source(&tm, 1234), 1234);
	media_timemap_clear(&tm);
}

static void
plan_of_a_silent_file_keeps_nothing(void **state)
{
	static const int64_t sil[] = { 0, 36000000 };
	struct media_spans s = {0};
	struct media_timemap tm;
	struct zpub_err err;

	(void)state;
	spans(&s, sil, 2);
	assert_int_equal(media_plan_build(36000000, &s, &lecture, &tm, &err), 0);
	assert_int_equal(tm.n, 0);
	assert_int_equal(tm.out_duration_ms, 0);
	assert_int_equal(media_timemap_to_output(&tm, 5000), 0);
	media_timemap_clear(&tm);
	media_spans_clear(&s);
}

static void
plan_without_remove_silence_is_identity(void **state)
{
	static const int64_t sil[] = { 0, 5000, 20000, 40000 };
	struct media_plan_opts o = lecture;
	struct media_spans s = {0};
	struct media_timemap tm;
	struct zpub_err err;

	(void)state;
	o.remove_silence = 0;
	spans(&s, sil, 4);
	assert_int_equal(media_plan_build(60000, &s, &o, &tm, &err), 0);
	assert_true(media_timemap_is_identity(&tm));
	media_timemap_clear(&tm);
	media_spans_clear(&s);
}

static struct media_timemap
two_segments(void)
{
	static struct media_seg seg[2];
	struct media_timemap tm;

	/* keep 1000-3000 and 5000-6000 of a 10 s source */
	seg[0] = (struct media_seg){ 1000, 3000, 0 };
	seg[1] = (struct media_seg){ 5000, 6000, 2000 };
	tm.seg = seg;
	tm.n = 2;
	tm.src_duration_ms = 10000;
	tm.out_duration_ms = 3000;
	return tm;
}

static void
timemap_maps_both_ways(void **state)
{
	struct media_timemap tm = two_segments();

	(void)state;
	assert_int_equal(media_timemap_to_output(&tm, 0), 0);       /* cut head */
	assert_int_equal(media_timemap_to_output(&tm, 1000), 0);
	assert_int_equal(media_timemap_to_output(&tm, 2500), 1500);
	assert_int_equal(media_timemap_to_output(&tm, 3000), 2000); /* in the cut */
	assert_int_equal(media_timemap_to_output(&tm, 4000), 2000);
	assert_int_equal(media_timemap_to_output(&tm, 5000), 2000);
	assert_int_equal(media_timemap_to_output(&tm, 5500), 2500);
	assert_int_equal(media_timemap_to_output(&tm, 9000), 3000); /* cut tail */
	assert_int_equal(media_timemap_to_source(&tm, -5), 1000);
	assert_int_equal(media_timemap_to_source(&tm, 0), 1000);
	assert_int_equal(media_timemap_to_source(&tm, 1999), 2999);
	assert_int_equal(media_timemap_to_source(&tm, 2000), 5000);
	assert_int_equal(media_timemap_to_source(&tm, 2999), 5999);
	assert_int_equal(media_timemap_to_source(&tm, 3000), 6000);
	assert_int_equal(media_timemap_to_source(&tm, 99999), 6000);
}

static void
timemap_round_trips_on_kept_parts(void **state)
{
	struct media_timemap tm = two_segments();
	int64_t t;

	(void)state;
	for (t = 0; t < 3000; t += 7)
		assert_int_equal(media_timemap_to_output(&tm, media_timemap_to_source(&tm, t)), t);
}

static void
timemap_survives_json(void **state)
{
	struct media_timemap tm = two_segments(), back;
	struct zpub_err err;
	cJSON *j;

	(void)state;
	j = media_timemap_to_json(&tm);
	assert_non_null(j);
	assert_int_equal(media_timemap_from_json(j, &back, &err), 0);
	assert_int_equal(back.n, 2);
	assert_int_equal(back.seg[1].src_start_ms, 5000);
	assert_int_equal(back.seg[1].out_start_ms, 2000);
	assert_int_equal(back.out_duration_ms, 3000);
	media_timemap_clear(&back);
	cJSON_Delete(j);
}

static void
timemap_rejects_overlapping_segments(void **state)
{
	struct media_timemap tm;
	struct zpub_err err;
	cJSON *j = cJSON_Parse("{\"source_duration_ms\":100,\"segments\":["
	    "{\"src_start_ms\":0,\"src_end_ms\":50},{\"src_start_ms\":40,\"src_end_ms\":60}]}");

	(void)state;
	assert_int_equal(media_timemap_from_json(j, &tm, &err), ZPUB_EINVAL);
	cJSON_Delete(j);
}

static void
snap_moves_cuts_outwards_onto_frames(void **state)
{
	struct media_seg seg[2] = { { 1010, 2990, 0 }, { 3010, 4000, 1980 } };
	struct media_timemap tm = { seg, 2, 4000, 2970 };
	int64_t frames[100];
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		frames[i] = i * 40;             /* 25 fps */
	media_timemap_snap(&tm, frames, 100);
	/* 2990 -> 3000 and 3010 -> 3000 touch: merged */
	assert_int_equal(tm.n, 1);
	assert_int_equal(tm.seg[0].src_start_ms, 1000);
	assert_int_equal(tm.seg[0].src_end_ms, 4000);
	assert_int_equal(tm.out_duration_ms, 3000);
}

static void
keyframes_preferred_within_the_slack(void **state)
{
	/* keyframes every 2 s; part 2 starts 0.5 s after one (moved back),
	 * part 3 starts 1.9 s after one (beyond the slack: stays). */
	struct media_seg seg[3] = { { 1000, 5000, 0 }, { 8500, 9000, 4000 },
		{ 11900, 13000, 4500 } };
	struct media_timemap tm = { seg, 3, 20000, 5600 };
	int64_t kf[10];
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		kf[i] = i * 2000;
	media_timemap_prefer_keyframes(&tm, kf, 10, 1300);
	assert_int_equal(tm.seg[0].src_start_ms, 0);        /* head: 1 s back to 0 */
	assert_int_equal(tm.seg[1].src_start_ms, 8000);
	assert_int_equal(tm.seg[2].src_start_ms, 11900);
	assert_int_equal(tm.seg[1].out_start_ms, 5000);
	assert_int_equal(tm.out_duration_ms, 5000 + 1000 + 1100);
}

static void
keyframes_never_swallow_a_cut(void **state)
{
	/* The keyframe before part 2 lies inside part 1's end: no move. */
	struct media_seg seg[2] = { { 0, 8050, 0 }, { 8200, 9000, 8050 } };
	struct media_timemap tm = { seg, 2, 10000, 8850 };
	int64_t kf[2] = { 0, 8000 };

	(void)state;
	media_timemap_prefer_keyframes(&tm, kf, 2, 1300);
	assert_int_equal(tm.seg[1].src_start_ms, 8200);
}

static void
copy_ends_preferred_within_the_slack(void **state)
{
	/* Copy ends every 120 ms (a B-frame mini-GOP): part 1 ends 40 ms
	 * before one (moved on), part 2 ends where the next one lies past the
	 * slack (stays), part 3's next end would reach part 4 (stays). */
	struct media_seg seg[4] = { { 0, 1000, 0 }, { 2000, 3000, 1000 }, { 4000, 4950, 2000 },
		{ 5000, 6000, 2950 } };
	struct media_timemap tm = { seg, 4, 10000, 3950 };
	int64_t ends[100];
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		ends[i] = 40 + i * 120;
	media_timemap_prefer_ends(&tm, ends, 100, 400);
	assert_int_equal(tm.seg[0].src_end_ms, 1000);        /* 1000 = 40 + 8 * 120 */
	assert_int_equal(tm.seg[1].src_end_ms, 3040);
	assert_int_equal(tm.seg[2].src_end_ms, 4950);        /* 5000 is part 4 */
	assert_int_equal(tm.seg[1].out_start_ms, 1000);
	assert_int_equal(tm.seg[2].out_start_ms, 2040);
	assert_int_equal(tm.seg[3].src_end_ms, 6040);         /* the last: up to the end */
	assert_int_equal(tm.out_duration_ms, 1000 + 1040 + 950 + 1040);
	/* Beyond the slack: nothing moves. */
	seg[1].src_end_ms = 3000;
	media_timemap_prefer_ends(&tm, ends, 100, 30);
	assert_int_equal(tm.seg[1].src_end_ms, 3000);
}

static void
chunks_split_in_pauses_under_the_limit(void **state)
{
	/* identity map of 25 min with pauses at 4, 9, 14, 21 min */
	static const int64_t sil[] = { 240000, 242000, 540000, 541000, 840000, 846000,
		1260000, 1262000 };
	struct media_seg seg = { 0, 1500000, 0 };
	struct media_timemap tm = { &seg, 1, 1500000, 1500000 };
	struct media_spans s = {0}, ch = {0};
	struct zpub_err err;
	size_t i;

	(void)state;
	spans(&s, sil, 8);
	assert_int_equal(media_audio_chunk_bounds(&tm, &s, 600000, &ch, &err), 0);
	/* each chunk ends in the middle of the last pause that fits */
	assert_int_equal(ch.n, 4);
	assert_int_equal(ch.v[0].end_ms, 540500);
	assert_int_equal(ch.v[1].end_ms, 843000);
	assert_int_equal(ch.v[2].end_ms, 1261000);
	assert_int_equal(ch.v[3].end_ms, 1500000);
	for (i = 0; i < ch.n; i++)
		assert_true(ch.v[i].end_ms - ch.v[i].start_ms <= 600000);
	media_spans_clear(&ch);
	media_spans_clear(&s);
}

static void
chunks_cut_at_the_limit_when_there_is_no_pause(void **state)
{
	struct media_seg seg = { 0, 1500000, 0 };
	struct media_timemap tm = { &seg, 1, 1500000, 1500000 };
	struct media_spans s = {0}, ch = {0};
	struct zpub_err err;

	(void)state;
	assert_int_equal(media_audio_chunk_bounds(&tm, &s, 600000, &ch, &err), 0);
	assert_int_equal(ch.n, 3);
	assert_int_equal(ch.v[0].end_ms, 600000);
	assert_int_equal(ch.v[2].end_ms, 1500000);
	media_spans_clear(&ch);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_trims_head_and_tail_and_shortens_long_pauses),
		cmocka_unit_test(plan_never_cuts_into_speech),
		cmocka_unit_test(plan_keeps_everything_when_speech_never_stops),
		cmocka_unit_test(plan_of_a_silent_file_keeps_nothing),
		cmocka_unit_test(plan_without_remove_silence_is_identity),
		cmocka_unit_test(timemap_maps_both_ways),
		cmocka_unit_test(timemap_round_trips_on_kept_parts),
		cmocka_unit_test(timemap_survives_json),
		cmocka_unit_test(timemap_rejects_overlapping_segments),
		cmocka_unit_test(snap_moves_cuts_outwards_onto_frames),
		cmocka_unit_test(keyframes_preferred_within_the_slack),
		cmocka_unit_test(keyframes_never_swallow_a_cut),
		cmocka_unit_test(copy_ends_preferred_within_the_slack),
		cmocka_unit_test(chunks_split_in_pauses_under_the_limit),
		cmocka_unit_test(chunks_cut_at_the_limit_when_there_is_no_pause),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
