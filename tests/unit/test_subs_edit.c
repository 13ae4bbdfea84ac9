/*
 * test_subs_edit.c — the subtitle editor's operations (ai/subtitles_edit.c)
 * and the per-cue rule check (subs_cue_check): a split divides the time by
 * the text's share of characters (Cyrillic counted as characters), keeps
 * the gap and lays both halves out again; a merge joins text and times or
 * is refused when the text does not fit; new times that overlap a
 * neighbour, leave too small a gap or no duration are refused with the
 * track untouched; the soft rules (speed, duration range) are flags.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "xmalloc.h"

static struct subs_track *
three_cues(void)
{
	struct subs_track *t = xcalloc(1, sizeof *t);
	subs_track_add(t, 1000, 3500, xstrdup("Добрый день, коллеги."));
	subs_track_add(t, 4000, 7000, xstrdup("Сегодня говорим\nо квантовой механике."));
	subs_track_add(t, 7500, 10000, xstrdup("Начнём с опыта."));
	return t;
}

static void
test_split_time_follows_the_share_of_characters(void **state)
{
	(void)state;
	assert_int_equal(subs_split_at_ms(0, 3000, 1, 2), 1000);
	assert_int_equal(subs_split_at_ms(4000, 7000, 15, 15), 5500);
	assert_int_equal(subs_split_at_ms(1000, 2000, 0, 0), 1500);
	assert_int_equal(subs_split_at_ms(0, 1000, 2, 1), 667);
}

static void
test_split_cue_at_a_place_in_its_text(void **state)
{
	(void)state;
	struct subs_rules r;
	struct zpub_err err;
	struct subs_track *t = three_cues();
	subs_rules_default(&r, "ru");
	struct subs_track *copy = subs_track_copy(t);
	/* "Сегодня говорим о квантовой механике." split before "о": 15 + 21
	 * characters (trimmed) of 3000 ms -> 4000 + 1250 = 5250. */
	assert_int_equal(subs_cue_split(t, 1, 16, &r, &err), 0);
	assert_int_equal(t->n, 4);
	assert_string_equal(t->cues[1].text, "Сегодня говорим");
	assert_string_equal(t->cues[2].text, "о квантовой механике.");
	assert_int_equal(t->cues[1].start_ms, 4000);
	assert_int_equal(t->cues[1].end_ms, 5250 - r.min_gap_ms / 2);
	assert_int_equal(t->cues[2].start_ms, 5250 - r.min_gap_ms / 2 + r.min_gap_ms);
	assert_int_equal(t->cues[2].end_ms, 7000);
	assert_string_equal(t->cues[3].text, "Начнём с опыта.");
	assert_int_equal(subs_check(t, &r, NULL, &err), 0);
	/* The cursor at an end of the text splits nothing. */
	assert_int_not_equal(subs_cue_split(t, 0, 0, &r, &err), 0);
	assert_non_null(strstr(err.msg, "cursor"));
	assert_int_not_equal(subs_cue_split(t, 0, 100, &r, &err), 0);
	assert_int_equal(t->n, 4);
	/* Merging the halves back gives the cue again. */
	assert_int_equal(subs_cue_merge(t, 1, &r, &err), 0);
	assert_int_equal(t->n, 3);
	assert_int_equal(t->cues[1].start_ms, 4000);
	assert_int_equal(t->cues[1].end_ms, 7000);
	/* laid out again: 37 characters fit one line of 39 */
	assert_string_equal(t->cues[1].text, "Сегодня говорим о квантовой механике.");
	assert_int_not_equal(subs_cue_merge(t, 2, &r, &err), 0);
	assert_non_null(strstr(err.msg, "last"));
	subs_track_free(t);
	/* The copy taken before (what undo keeps) did not change. */
	assert_int_equal(copy->n, 3);
	assert_int_equal(copy->cues[1].end_ms, 7000);
	assert_string_equal(copy->cues[1].text, "Сегодня говорим\nо квантовой механике.");
	subs_track_free(copy);
}

static void
test_merge_refused_when_the_text_does_not_fit(void **state)
{
	(void)state;
	struct subs_rules r;
	struct zpub_err err;
	struct subs_track *t = xcalloc(1, sizeof *t);
	subs_rules_default(&r, "en");
	subs_track_add(t, 0, 3000, xstrdup("one two three four five six seven\neight nine ten"));
	subs_track_add(t, 3100, 6000, xstrdup("eleven twelve thirteen fourteen fifteen"));
	assert_int_not_equal(subs_cue_merge(t, 0, &r, &err), 0);
	assert_non_null(strstr(err.msg, "do not fit 2 lines of 42"));
	assert_int_equal(t->n, 2);
	assert_int_equal(t->cues[0].end_ms, 3000);
	subs_track_free(t);
}

static void
test_times_that_break_hard_rules_are_refused(void **state)
{
	(void)state;
	struct subs_rules r;
	struct zpub_err err;
	struct subs_track *t = three_cues();
	subs_rules_default(&r, "ru");
	/* The end of cue 2 into cue 3 (starts 7.5 s). */
	assert_int_not_equal(subs_cue_set_times(t, 1, 4000, 8000, &r, &err), 0);
	assert_non_null(strstr(err.msg, "would overlap cue 3, which starts at 00:00:07.500"));
	assert_int_equal(t->cues[1].end_ms, 7000);
	/* Closer than the minimum gap is refused too. */
	assert_int_not_equal(subs_cue_set_times(t, 1, 4000, 7450, &r, &err), 0);
	/* The start of cue 2 into cue 1 (ends 3.5 s). */
	assert_int_not_equal(subs_cue_set_times(t, 1, 3000, 7000, &r, &err), 0);
	assert_non_null(strstr(err.msg, "would overlap cue 1"));
	/* No duration. */
	assert_int_not_equal(subs_cue_set_times(t, 1, 7000, 7000, &r, &err), 0);
	assert_non_null(strstr(err.msg, "duration"));
	assert_int_not_equal(subs_cue_set_times(t, 0, -100, 3500, &r, &err), 0);
	assert_int_equal(t->cues[1].start_ms, 4000);
	/* A fair change is made. */
	assert_int_equal(subs_cue_set_times(t, 1, 3600, 7400, &r, &err), 0);
	assert_int_equal(t->cues[1].start_ms, 3600);
	assert_int_equal(t->cues[1].end_ms, 7400);
	assert_int_equal(subs_check(t, &r, NULL, &err), 0);
	subs_track_free(t);
}

static void
test_soft_rules_are_flags_not_errors(void **state)
{
	(void)state;
	struct subs_rules r;
	struct zpub_err err;
	struct subs_report rep;
	unsigned soft;
	struct subs_track *t = xcalloc(1, sizeof *t);
	subs_rules_default(&r, "en");
	subs_track_add(t, 0, 500, xstrdup("ok"));                                  /* short */
	subs_track_add(t, 1000, 9000, xstrdup("a cue that lasts eight seconds"));   /* long */
	subs_track_add(t, 9100, 10100, xstrdup("far too many words for one second")); /* fast */
	assert_int_equal(subs_cue_check(t, 0, &r, &soft, &err), 0);
	assert_int_equal(soft, SUBS_SHORT);
	assert_int_equal(subs_cue_check(t, 1, &r, &soft, &err), 0);
	assert_int_equal(soft, SUBS_LONG);
	assert_int_equal(subs_cue_check(t, 2, &r, &soft, &err), 0);
	assert_int_equal(soft, SUBS_FAST);
	assert_int_equal(subs_check(t, &r, &rep, &err), 0);
	assert_int_equal(rep.too_short, 1);
	assert_int_equal(rep.too_long, 1);
	assert_int_equal(rep.too_fast, 1);
	/* Three lines break a hard rule. */
	free(t->cues[1].text);
	t->cues[1].text = xstrdup("a\nb\nc");
	assert_int_not_equal(subs_cue_check(t, 1, &r, &soft, &err), 0);
	assert_non_null(strstr(err.msg, "3 lines (max 2)"));
	subs_track_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_time_follows_the_share_of_characters),
		cmocka_unit_test(test_split_cue_at_a_place_in_its_text),
		cmocka_unit_test(test_merge_refused_when_the_text_does_not_fit),
		cmocka_unit_test(test_times_that_break_hard_rules_are_refused),
		cmocka_unit_test(test_soft_rules_are_flags_not_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
