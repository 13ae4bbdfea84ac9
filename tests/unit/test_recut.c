/*
 * test_recut.c — the pure parts of cut editing: the plan with an editor's
 * keep and remove ranges, the newest range winning where they overlap, the
 * stretches and their reasons, which source stretches a re-cut restores,
 * and words and topics carried from the old cut onto the new one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ai.h"
#include "media.h"

static const struct media_plan_opts lecture = {
	.remove_silence = 1, .trim_head = 1, .trim_tail = 1,
	.margin_before_ms = 150, .margin_after_ms = 250,
	.max_pause_ms = 2000, .keep_pause_ms = 700,
};

/* 60 s: silent head 0-5 s, a 1.5 s pause (kept), a 10 s pause (cut down to
 * 700 ms: 30400-39700 goes), silent tail from 50 s.  Without overrides the
 * plan keeps [4850, 30400) and [39700, 50250). */
static void
plan(const struct media_override *ov, size_t n, struct media_timemap *tm)
{
	static const int64_t sil[] = { 0, 5000, 20000, 21500, 30000, 40000, 50000, 60000 };
	struct media_spans s = {0};
	struct zpub_err err;

	for (size_t i = 0; i < 8; i += 2)
		media_spans_push(&s, sil[i], sil[i + 1]);
	assert_int_equal(media_plan_build_with(60000, &s, &lecture, ov, n, tm, &err), 0);
	media_spans_clear(&s);
}

static void
seg_is(const struct media_timemap *tm, size_t i, int64_t a, int64_t b)
{
	assert_true(i < tm->n);
	assert_int_equal(tm->seg[i].src_start_ms, a);
	assert_int_equal(tm->seg[i].src_end_ms, b);
}

static void
a_keep_range_is_never_cut(void **state)
{
	struct media_override part = { 31000, 39000, 1, 0 }, whole = { 30000, 40000, 1, 0 };
	struct media_override head = { 1000, 3000, 1, 0 };
	struct media_timemap tm;

	(void)state;
	plan(&part, 1, &tm);
	assert_int_equal(tm.n, 3);
	seg_is(&tm, 0, 4850, 30400);
	seg_is(&tm, 1, 31000, 39000);
	seg_is(&tm, 2, 39700, 50250);
	assert_int_equal(tm.out_duration_ms, 25550 + 8000 + 10550);
	media_timemap_clear(&tm);
	plan(&whole, 1, &tm);
	assert_int_equal(tm.n, 1);
	seg_is(&tm, 0, 4850, 50250);
	media_timemap_clear(&tm);
	/* in the silent head too */
	plan(&head, 1, &tm);
	seg_is(&tm, 0, 1000, 3000);
	seg_is(&tm, 1, 4850, 30400);
	media_timemap_clear(&tm);
}

static void
a_remove_range_is_always_cut(void **state)
{
	struct media_override ov[] = { { 10000, 12000, 0, 0 }, { 45000, 55000, 0, 1 } };
	struct media_timemap tm;

	(void)state;
	plan(ov, 2, &tm);
	assert_int_equal(tm.n, 3);
	seg_is(&tm, 0, 4850, 10000);
	seg_is(&tm, 1, 12000, 30400);
	/* joined with the tail's cut */
	seg_is(&tm, 2, 39700, 45000);
	media_timemap_clear(&tm);
}

static void
the_newest_override_wins_where_they_overlap(void **state)
{
	struct media_override in[] = {
		{ 18000, 25000, 1, 0 },    /* keep */
		{ 20000, 22000, 0, 1 },    /* a newer remove inside it */
		{ 0, 5000, 1, 2 },         /* keep */
		{ 3000, 8000, 1, 3 },      /* a keep joining it */
		{ 40000, 41000, 0, 4 },    /* a remove ... */
		{ 39000, 42000, 1, 5 },    /* ... a newer keep covers whole */
	};
	struct media_override *out = NULL;
	size_t n = 0;

	(void)state;
	media_overrides_resolve(in, 6, &out, &n);
	assert_int_equal(n, 5);
	assert_true(out[0].keep && out[0].start_ms == 0 && out[0].end_ms == 8000);
	assert_int_equal(out[0].origin, 3);
	assert_true(out[1].keep && out[1].start_ms == 18000 && out[1].end_ms == 20000);
	assert_true(!out[2].keep && out[2].start_ms == 20000 && out[2].end_ms == 22000);
	assert_true(out[3].keep && out[3].start_ms == 22000 && out[3].end_ms == 25000);
	assert_int_equal(out[3].origin, 0);
	assert_true(out[4].keep && out[4].start_ms == 39000 && out[4].end_ms == 42000);
	free(out);
	media_overrides_resolve(NULL, 0, &out, &n);
	assert_null(out);
	assert_int_equal(n, 0);
}

static void
fitting_never_moves_a_kept_part_into_a_removed_stretch(void **state)
{
	struct media_plan_opts o = lecture;
	struct media_override rm = { 38000, 39700, 0, 0 };
	int64_t kf[] = { 0, 38500 };
	struct media_info mi;
	struct media_timemap tm;

	(void)state;
	memset(&mi, 0, sizeof mi);
	mi.keyframes_ms = kf;
	mi.n_keyframes = 2;
	o.keyframe_slack_ms = 1300;
	/* Without the remove range the kept part starts on the keyframe ... */
	plan(NULL, 0, &tm);
	media_plan_fit_with(&tm, &mi, &o, NULL, 0);
	seg_is(&tm, 1, 38500, 50250);
	media_timemap_clear(&tm);
	/* ... with it, where the editor said. */
	plan(&rm, 1, &tm);
	media_plan_fit_with(&tm, &mi, &o, &rm, 1);
	seg_is(&tm, 1, 39700, 50250);
	media_timemap_clear(&tm);
}

static void
stretches_name_their_reasons(void **state)
{
	struct media_override ov[] = { { 10000, 12000, 0, 0 }, { 31000, 39000, 1, 1 } };
	static const struct { int64_t a, b; int kept; enum media_why why; } want[] = {
		{ 0, 4850, 0, MEDIA_WHY_HEAD }, { 4850, 10000, 1, MEDIA_WHY_SPEECH },
		{ 10000, 12000, 0, MEDIA_WHY_REMOVE }, { 12000, 30400, 1, MEDIA_WHY_SPEECH },
		{ 30400, 31000, 0, MEDIA_WHY_SILENCE }, { 31000, 39000, 1, MEDIA_WHY_KEEP },
		{ 39000, 39700, 0, MEDIA_WHY_SILENCE }, { 39700, 50250, 1, MEDIA_WHY_SPEECH },
		{ 50250, 60000, 0, MEDIA_WHY_TAIL },
	};
	struct media_stretch *v = NULL;
	struct media_timemap tm;
	size_t n = 0;

	(void)state;
	plan(ov, 2, &tm);
	media_plan_stretches(&tm, ov, 2, &v, &n);
	assert_int_equal(n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(v[i].start_ms, want[i].a);
		assert_int_equal(v[i].end_ms, want[i].b);
		assert_int_equal(v[i].kept, want[i].kept);
		assert_int_equal(v[i].why, want[i].why);
	}
	assert_string_equal(media_why_name(MEDIA_WHY_KEEP), "your keep");
	assert_string_equal(media_why_name(MEDIA_WHY_REMOVE), "your remove");
	free(v);
	media_timemap_clear(&tm);
}

static void
new_spans_are_what_the_new_cut_restores(void **state)
{
	struct media_override ov[] = { { 10000, 12000, 0, 0 }, { 30000, 40000, 1, 1 } };
	struct media_timemap old_map, new_map;
	struct media_spans sp = {0};

	(void)state;
	plan(NULL, 0, &old_map);
	plan(ov, 2, &new_map);
	media_timemap_new_spans(&old_map, &new_map, 250, &sp);
	/* the pause the keep restores; the removed stretch is not new */
	assert_int_equal(sp.n, 1);
	assert_int_equal(sp.v[0].start_ms, 30400);
	assert_int_equal(sp.v[0].end_ms, 39700);
	media_spans_clear(&sp);
	/* nothing is new when the cut only shrinks, or for slivers */
	media_timemap_new_spans(&new_map, &new_map, 250, &sp);
	assert_int_equal(sp.n, 0);
	new_map.seg[0].src_start_ms -= 100;
	media_timemap_new_spans(&old_map, &new_map, 250, &sp);
	assert_int_equal(sp.n, 1);
	media_spans_clear(&sp);
	media_timemap_clear(&old_map);
	media_timemap_clear(&new_map);
}

static void
words_and_topics_follow_the_source_onto_the_new_cut(void **state)
{
	struct media_override ov[] = { { 10000, 12000, 0, 0 }, { 30000, 40000, 1, 1 } };
	struct media_timemap old_map, new_map;
	struct transcript *t = tr_new("openai-compatible", "en"), *n;
	struct topics *tp = topics_new(), *np;
	struct zpub_err err;

	(void)state;
	plan(NULL, 0, &old_map);
	plan(ov, 2, &new_map);
	/* on the old cut: source 10000 (now removed), 20000, 45000 */
	tr_add_word(t, "removed", 10000 - 4850, 10300 - 4850);
	tr_add_word(t, "kept", 20000 - 4850, 20400 - 4850);
	tr_add_word(t, "late", 25550 + 45000 - 39700, 25550 + 45300 - 39700);
	n = tr_recut(t, &old_map, &new_map);
	assert_int_equal(n->n_words, 2);
	assert_string_equal(n->words[0].w, "kept");
	assert_int_equal(n->words[0].start_ms, 5150 + 8000);
	assert_int_equal(n->words[0].end_ms, 5150 + 8400);
	assert_string_equal(n->words[1].w, "late");
	assert_int_equal(n->words[1].start_ms, 5150 + 45000 - 12000);
	assert_int_equal(n->duration_ms, new_map.out_duration_ms);
	assert_string_equal(n->timeline, "output");

	topics_add(tp, 0, TOPIC_MAIN, "Intro");
	topics_add(tp, 10050 - 4850, TOPIC_MAIN, "Removed");   /* its stretch is cut */
	topics_add(tp, 12000 - 4850, TOPIC_DETAIL, "Next");
	topics_add(tp, 25550 + 45000 - 39700, TOPIC_MAIN, "Late");
	np = topics_recut(tp, &old_map, &new_map);
	assert_int_equal(np->n, 3);
	assert_string_equal(np->v[0].title, "Intro");
	assert_int_equal(np->v[0].start_ms, 0);
	assert_string_equal(np->v[1].title, "Next");
	assert_int_equal(np->v[1].start_ms, 5150);
	assert_int_equal(np->v[2].start_ms, 5150 + 45000 - 12000);
	assert_int_equal(topics_validate(np, new_map.out_duration_ms, &err), 0);
	topics_free(np);
	topics_free(tp);
	tr_free(n);
	tr_free(t);
	media_timemap_clear(&old_map);
	media_timemap_clear(&new_map);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_keep_range_is_never_cut),
		cmocka_unit_test(a_remove_range_is_always_cut),
		cmocka_unit_test(the_newest_override_wins_where_they_overlap),
		cmocka_unit_test(fitting_never_moves_a_kept_part_into_a_removed_stretch),
		cmocka_unit_test(stretches_name_their_reasons),
		cmocka_unit_test(new_spans_are_what_the_new_cut_restores),
		cmocka_unit_test(words_and_topics_follow_the_source_onto_the_new_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
