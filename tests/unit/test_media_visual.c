/*
 * test_media_visual.c — the pure decision of content-aware pauses: which
 * tiny grey pictures of a pause show new content (writing that
 * accumulates, a slide change) and which only motion (a small box moving
 * about, a talking head filling the frame), and the pauses the plan may
 * still shorten once the visual stretches are taken out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "media.h"

#define W 64
#define H 36
#define N 60                   /* 12 s at 5 pictures a second */
#define STEP 200

static const struct media_visual_opts opts = {
	.enabled = 1, .min_area = 0.03, .hold_ms = 3000, .min_pause_ms = 2000,
};

struct pause {
	uint8_t pics[N][W * H];
	int64_t at[N];
};

static struct pause *
pause_new(uint8_t grey)
{
	struct pause *p = calloc(1, sizeof *p);
	size_t k;

	for (k = 0; k < N; k++) {
		memset(p->pics[k], grey, W * H);
		p->at[k] = 10000 + (int64_t)k * STEP;
	}
	return p;
}

static void
fill(uint8_t *pic, int x, int y, int w, int h, uint8_t grey)
{
	int i, j;

	for (j = y; j < y + h; j++)
		for (i = x; i < x + w; i++)
			pic[j * W + i] = grey;
}

/* A 4x4 box (0.7 % of the frame) moving about, in every picture. */
static void
moving_box(struct pause *p)
{
	size_t k;

	for (k = 0; k < N; k++)
		fill(p->pics[k], 30 + (int)(k * 7 % 25), 10 + (int)(k * 3 % 20), 4, 4, 20);
}

static size_t
decide(struct pause *p, struct media_spans *out)
{
	return media_visual_decide(&p->pics[0][0], p->at, N, W, H, &opts, out);
}

static void
still_pause_is_not_visual(void **state)
{
	struct pause *p = pause_new(240);
	struct media_spans out = {0};

	(void)state;
	assert_int_equal(decide(p, &out), 0);
	assert_int_equal(out.n, 0);
	free(p);
}

static void
small_box_moving_about_is_not_content(void **state)
{
	struct pause *p = pause_new(240);
	struct media_spans out = {0};

	(void)state;
	moving_box(p);
	assert_int_equal(decide(p, &out), 0);
	free(p);
}

static void
lines_written_one_by_one_keep_the_pause(void **state)
{
	struct pause *p = pause_new(240);
	struct media_spans out = {0};
	size_t k, line;

	(void)state;
	/* Six lines, each 30x2 pixels (2.6 % of the frame: less than the
	 * least area alone), one every 1.6 s from 1 s in, while the box
	 * moves about. */
	for (k = 0; k < N; k++)
		for (line = 0; line < 6; line++)
			if (k >= 5 + line * 8)
				fill(p->pics[k], 2, 4 + (int)line * 5, 30, 2, 30);
	moving_box(p);
	assert_int_equal(decide(p, &out), 1);
	/* From half a second before the first line to hold_ms after the
	 * last: the whole 12 s pause but its first half second. */
	assert_int_equal(out.v[0].start_ms, p->at[4] - 500);
	assert_int_equal(out.v[0].end_ms, p->at[45] + 3000);
	assert_true(out.v[0].end_ms >= p->at[N - 1]);
	media_spans_clear(&out);
	free(p);
}

static void
slide_change_keeps_hold_after_it(void **state)
{
	struct pause *p = pause_new(240);
	struct media_spans out = {0};
	size_t k;

	(void)state;
	for (k = 15; k < N; k++) {
		memset(p->pics[k], 60, W * H);
		fill(p->pics[k], 4, 4, 40, 4, 250);
	}
	moving_box(p);
	assert_int_equal(decide(p, &out), 1);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].start_ms, p->at[14] - 500);
	assert_int_equal(out.v[0].end_ms, p->at[15] + 3000);
	media_spans_clear(&out);
	free(p);
}

static void
talking_head_filling_the_frame_is_not_content(void **state)
{
	struct pause *p = pause_new(0);
	size_t k, x;
	struct media_spans out = {0};

	(void)state;
	/* Every pixel sways back and forth all the time, and the head ends
	 * elsewhere than it started. */
	srand(7);
	for (k = 0; k < N; k++)
		for (x = 0; x < W * H; x++)
			p->pics[k][x] = (uint8_t)(100 + (int)(x % W) + ((k + x / W) % 3) * 40 +
			    (int)(k / 20) * 30);
	assert_int_equal(decide(p, &out), 0);
	free(p);
}

static void
spans_subtract_leaves_the_pauses_around_content(void **state)
{
	struct media_spans a = {0}, b = {0}, out = {0};

	(void)state;
	media_spans_push(&a, 0, 1000);
	media_spans_push(&a, 5000, 17000);
	media_spans_push(&a, 20000, 32000);
	media_spans_push(&b, 5000, 17000);     /* all of a pause */
	media_spans_push(&b, 23000, 26000);    /* inside one */
	media_spans_push(&b, 31000, 40000);    /* over its end */
	media_spans_subtract(&a, &b, &out);
	assert_int_equal(out.n, 3);
	assert_int_equal(out.v[0].start_ms, 0);
	assert_int_equal(out.v[0].end_ms, 1000);
	assert_int_equal(out.v[1].start_ms, 20000);
	assert_int_equal(out.v[1].end_ms, 23000);
	assert_int_equal(out.v[2].start_ms, 26000);
	assert_int_equal(out.v[2].end_ms, 31000);
	media_spans_clear(&out);
	media_spans_clear(&b);
	media_spans_clear(&a);
}

static void
plan_shortens_only_what_the_content_leaves(void **state)
{
	static const struct media_plan_opts lecture = {
		.remove_silence = 1, .trim_head = 1, .trim_tail = 1,
		.margin_before_ms = 150, .margin_after_ms = 250,
		.max_pause_ms = 2000, .keep_pause_ms = 700,
	};
	struct media_spans sil = {0}, vis = {0}, pauses = {0};
	struct media_timemap tm;
	struct zpub_err err;

	(void)state;
	/* 60 s: a 12 s pause with a slide change at 23 s (visual 22.5-26 s),
	 * and a still 12 s pause. */
	media_spans_push(&sil, 20000, 32000);
	media_spans_push(&sil, 40000, 52000);
	media_spans_push(&vis, 22500, 26000);
	media_spans_subtract(&sil, &vis, &pauses);
	assert_int_equal(media_plan_build(60000, &pauses, &lecture, &tm, &err), 0);
	/* The change and 3 s after it are kept; each rest is shortened. */
	assert_int_equal(media_timemap_to_output(&tm, 26000) -
	    media_timemap_to_output(&tm, 23000), 3000);
	assert_int_equal(media_timemap_to_output(&tm, 32000) -
	    media_timemap_to_output(&tm, 26000), 700);
	assert_int_equal(media_timemap_to_output(&tm, 52000) -
	    media_timemap_to_output(&tm, 40000), 700);
	media_timemap_clear(&tm);
	media_spans_clear(&pauses);
	media_spans_clear(&vis);
	media_spans_clear(&sil);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(still_pause_is_not_visual),
		cmocka_unit_test(small_box_moving_about_is_not_content),
		cmocka_unit_test(lines_written_one_by_one_keep_the_pause),
		cmocka_unit_test(slide_change_keeps_hold_after_it),
		cmocka_unit_test(talking_head_filling_the_frame_is_not_content),
		cmocka_unit_test(spans_subtract_leaves_the_pauses_around_content),
		cmocka_unit_test(plan_shortens_only_what_the_content_leaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
