/* Subtitle layout, writers and strict parsers (src/ai/subtitles.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ai.h"
#include "util.h"

static const char *en_text =
    "Good morning, everyone. Today we are going to talk about sorting algorithms, "
    "and why they matter in practice. First, let us recall what a comparison sort is: "
    "it is an algorithm that only looks at pairs of elements and decides which one "
    "comes first. Merge sort splits the array in two halves, sorts each half recursively "
    "and then merges them back together. Quick sort picks a pivot, partitions the array "
    "around it, but its worst case is quadratic unless we choose the pivot carefully. "
    "Extraordinarily-long-hyphenated-identifier-that-cannot-be-broken-anywhere appears here. "
    "Finally, heap sort builds a binary heap and extracts the maximum repeatedly.";

static const char *ru_text =
    "Добрый день, коллеги. Сегодня мы поговорим о структурах данных и о том, "
    "почему они так важны на практике. Сначала вспомним, что такое массив: это "
    "непрерывный участок памяти, в котором элементы лежат подряд. Затем обсудим "
    "связные списки, которые позволяют вставлять элементы быстро, но доступ по "
    "индексу у них медленный. Наконец, рассмотрим хеш-таблицы и деревья поиска.";

/* Words at a natural pace (~2.6 words/s) with a long pause every 40 words. */
static struct transcript *
make_transcript(const char *text, const char *lang, int64_t word_ms)
{
	struct transcript *t = tr_new("test", lang);
	char *copy = strdup(text), *save = NULL;
	int64_t at = 500;
	int i = 0;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save), i++) {
		int64_t len = word_ms + (int64_t)strlen(w) * 10;
		tr_add_word(t, w, at, at + len);
		at += len + 60;
		if (i % 40 == 39)
			at += 1500;
	}
	free(copy);
	return t;
}

static void
assert_words_kept(const struct transcript *t, const struct subs_track *s)
{
	/* Every word appears whole, once, in order. */
	char *all = calloc(1, 100000);
	for (size_t i = 0; i < s->n; i++) {
		strcat(all, s->cues[i].text);
		strcat(all, " ");
	}
	for (char *p = all; *p; p++)
		if (*p == '\n')
			*p = ' ';
	char *pos = all;
	for (size_t i = 0; i < t->n_words; i++) {
		char *hit = strstr(pos, t->words[i].w);
		assert_non_null(hit);
		assert_true(hit == all || hit[-1] == ' ');
		pos = hit + strlen(t->words[i].w);
		assert_true(*pos == ' ');
	}
	free(all);
}

static int
ffmpeg_reads(const char *path)
{
	char cmd[1024], out[512];
	snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -i '%s' -f webvtt /dev/null 2>&1", path);
	FILE *p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	size_t n = fread(out, 1, sizeof out - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	if (n > 0 || st != 0)
		fprintf(stderr, "ffmpeg on %s: status %d: %s\n", path, st, out);
	return n == 0 && st == 0 ? 0 : -1;
}

static void
check_language(const char *text, const char *lang)
{
	struct subs_rules r;
	struct subs_track *s = NULL, *back = NULL;
	struct subs_report rep;
	struct zpub_err err = {0};
	struct transcript *t = make_transcript(text, lang, 250);

	subs_rules_default(&r, lang);
	assert_int_equal(subs_build(t, &r, &s, &err), 0);
	assert_true(s->n > 3);
	if (subs_check(s, &r, &rep, &err) != 0)
		fail_msg("%s", err.msg);
	assert_words_kept(t, s);
	/* Short cues only where speech left no room (none at this pace). */
	assert_int_equal(rep.too_short, 0);

	char *srt = subs_write_srt(s), *vtt = subs_write_vtt(s);
	assert_int_equal(subs_parse_srt(srt, &back, &err), 0);
	assert_int_equal(back->n, s->n);
	for (size_t i = 0; i < s->n; i++) {
		assert_int_equal(back->cues[i].start_ms, s->cues[i].start_ms);
		assert_int_equal(back->cues[i].end_ms, s->cues[i].end_ms);
		assert_string_equal(back->cues[i].text, s->cues[i].text);
	}
	subs_track_free(back);
	assert_int_equal(subs_parse_vtt(vtt, &back, &err), 0);
	assert_int_equal(back->n, s->n);
	assert_int_equal(subs_check(back, &r, NULL, &err), 0);
	subs_track_free(back);

	/* FFmpeg's own demuxers read both files without a word. */
	const char *tmp = getenv("ZPUB_TESTTMP") ? getenv("ZPUB_TESTTMP") : "/tmp";
	fs_mkdir_p(tmp, 0700, NULL);
	char *ps = xasprintf("%s/ai_subs_%s.srt", tmp, lang), *pv = xasprintf("%s/ai_subs_%s.vtt", tmp, lang);
	assert_int_equal(fs_write_atomic(ps, srt, strlen(srt), 0600, &err), 0);
	assert_int_equal(fs_write_atomic(pv, vtt, strlen(vtt), 0600, &err), 0);
	assert_int_equal(ffmpeg_reads(ps), 0);
	assert_int_equal(ffmpeg_reads(pv), 0);
	free(ps);
	free(pv);
	free(srt);
	free(vtt);
	subs_track_free(s);
	tr_free(t);
}

static void
test_english_lecture_obeys_rules_and_round_trips(void **state)
{
	(void)state;
	check_language(en_text, "en");
}

static void
test_russian_counts_characters_not_bytes(void **state)
{
	(void)state;
	struct subs_rules r;
	subs_rules_default(&r, "ru");
	assert_int_equal(r.max_line_chars, 39);
	/* 36 characters, 66 bytes: one line. */
	char *w = subs_wrap("Сегодня мы поговорим о структурах", &r);
	assert_non_null(w);
	assert_null(strchr(w, '\n'));
	free(w);
	check_language(ru_text, "ru");
}

static void
test_wrap_breaks_after_punctuation_and_before_conjunctions(void **state)
{
	(void)state;
	struct subs_rules r;
	subs_rules_default(&r, "en");
	char *w = subs_wrap("Merge sort splits the array in two, sorts each half recursively", &r);
	assert_non_null(w);
	assert_non_null(strstr(w, "two,\nsorts"));
	free(w);
	w = subs_wrap("We choose the pivot very carefully and then we partition it", &r);
	assert_non_null(w);
	assert_non_null(strstr(w, "carefully\nand then"));
	free(w);
	/* Too long for two lines. */
	w = subs_wrap("one two three four five six seven eight nine ten eleven twelve "
	    "thirteen fourteen fifteen sixteen seventeen", &r);
	assert_null(w);
}

static void
test_long_pause_ends_a_cue_and_gap_is_kept(void **state)
{
	(void)state;
	struct subs_rules r;
	struct subs_track *s = NULL;
	struct zpub_err err = {0};
	struct transcript *t = tr_new("test", "en");
	tr_add_word(t, "Hello", 0, 400);
	tr_add_word(t, "there", 420, 800);
	tr_add_word(t, "after", 3000, 3300);
	tr_add_word(t, "pause", 3310, 3700);
	tr_add_word(t, "a", 3700, 3750);        /* touching words */
	tr_add_word(t, "b", 3750, 3800);
	subs_rules_default(&r, "en");
	assert_int_equal(subs_build(t, &r, &s, &err), 0);
	assert_int_equal(s->n, 2);
	assert_string_equal(s->cues[0].text, "Hello there");
	/* stretched to the minimum duration into the pause */
	assert_true(s->cues[0].end_ms - s->cues[0].start_ms >= r.min_cue_ms);
	assert_int_equal(subs_check(s, &r, NULL, &err), 0);
	subs_track_free(s);
	tr_free(t);
}

static void
test_fast_speech_is_split_and_never_overlaps(void **state)
{
	(void)state;
	struct subs_rules r;
	struct subs_track *s = NULL;
	struct zpub_err err = {0};
	struct subs_report rep;
	/* 6 words a second without pauses: cues must still follow the rules. */
	struct transcript *t = tr_new("test", "en");
	for (int i = 0; i < 600; i++) {
		char w[32];
		snprintf(w, sizeof w, "%s%s", i % 3 ? "word" : "another", i % 17 == 16 ? "." : "");
		tr_add_word(t, w, i * 166, i * 166 + 160);
	}
	subs_rules_default(&r, "en");
	assert_int_equal(subs_build(t, &r, &s, &err), 0);
	if (subs_check(s, &r, &rep, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(rep.too_short <= 1);
	subs_track_free(s);
	tr_free(t);
}

static void
test_vtt_escapes_markup_and_arrows(void **state)
{
	(void)state;
	struct subs_rules r;
	struct subs_track *s = NULL, *back = NULL;
	struct zpub_err err = {0};
	struct transcript *t = tr_new("test", "en");
	tr_add_word(t, "a<b", 0, 500);
	tr_add_word(t, "&", 500, 900);
	tr_add_word(t, "x-->y", 900, 1500);
	subs_rules_default(&r, "en");
	assert_int_equal(subs_build(t, &r, &s, &err), 0);
	char *vtt = subs_write_vtt(s);
	assert_non_null(strstr(vtt, "a&lt;b &amp;"));
	assert_null(strstr(vtt + 8, "-->y"));
	assert_int_equal(subs_parse_vtt(vtt, &back, &err), 0);
	assert_non_null(strstr(back->cues[0].text, "a<b &"));
	free(vtt);
	subs_track_free(back);
	subs_track_free(s);
	tr_free(t);
}

static void
test_strict_parsers_reject_broken_files(void **state)
{
	(void)state;
	struct subs_track *s = NULL;
	struct zpub_err err = {0};
	assert_int_equal(subs_parse_srt("1\n00:00:01,000 --> 00:00:02,000\nhi\n\n", &s, &err), 0);
	subs_track_free(s);
	assert_int_not_equal(subs_parse_srt("2\n00:00:01,000 --> 00:00:02,000\nhi\n", &s, &err), 0);
	assert_int_not_equal(subs_parse_srt("1\n00:00:01.000 --> 00:00:02,000\nhi\n", &s, &err), 0);
	assert_int_not_equal(subs_parse_srt("1\n00:00:03,000 --> 00:00:02,000\nhi\n", &s, &err), 0);
	assert_int_not_equal(subs_parse_srt("1\n00:00:01,000 --> 00:00:02,000\n\n", &s, &err), 0);
	assert_int_not_equal(subs_parse_srt("1\n00:00:01,000 --> 00:00:02,000\nhi\n"
	    "2\n00:00:03,000 --> 00:00:04,000\nyo\n", &s, &err), 0);
	assert_int_not_equal(subs_parse_srt("1\n00:61:01,000 --> 00:00:02,000\nhi\n", &s, &err), 0);
	assert_int_equal(subs_parse_vtt("WEBVTT\n\nNOTE hi\n\nid1\n01:00.000 --> 01:02.000 align:start\nx\n",
	    &s, &err), 0);
	assert_int_equal(s->n, 1);
	assert_int_equal(s->cues[0].start_ms, 60000);
	subs_track_free(s);
	assert_int_not_equal(subs_parse_vtt("WEBVTT\n00:00:01.000 --> 00:00:02.000\nx\n", &s, &err), 0);
	assert_int_not_equal(subs_parse_vtt("WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\nx\n", &s, &err), 0);
	assert_int_not_equal(subs_parse_vtt("WEBVTT\n\n00:00:01,000 --> 00:00:02.000\nx\n", &s, &err), 0);
}

static void
test_check_flags_overlap_and_long_lines(void **state)
{
	(void)state;
	struct subs_rules r;
	struct subs_track *s = NULL;
	struct zpub_err err = {0};
	subs_rules_default(&r, "en");
	assert_int_equal(subs_parse_srt("1\n00:00:01,000 --> 00:00:03,000\nhi\n\n"
	    "2\n00:00:02,500 --> 00:00:04,000\nyo\n\n", &s, &err), 0);
	assert_int_not_equal(subs_check(s, &r, NULL, &err), 0);
	assert_non_null(strstr(err.msg, "overlaps"));
	subs_track_free(s);
	assert_int_equal(subs_parse_srt("1\n00:00:01,000 --> 00:00:03,000\n"
	    "this line is much longer than forty two characters for sure\n\n", &s, &err), 0);
	assert_int_not_equal(subs_check(s, &r, NULL, &err), 0);
	subs_track_free(s);
	assert_int_equal(subs_parse_srt("1\n00:00:01,000 --> 00:00:03,000\na\nb\nc\n\n", &s, &err), 0);
	assert_int_not_equal(subs_check(s, &r, NULL, &err), 0);
	subs_track_free(s);
}

static void
test_time_map_moves_source_words_to_output(void **state)
{
	(void)state;
	struct tr_time_map m;
	struct zpub_err err = {0};
	assert_int_equal(tr_time_map_parse("{\"segments\":[{\"src_start_ms\":1000,\"src_end_ms\":5000,"
	    "\"out_start_ms\":0},{\"src_start_ms\":9000,\"src_end_ms\":12000}]}", &m, &err), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(tr_time_map_apply(&m, 1500), 500);
	assert_int_equal(tr_time_map_apply(&m, 7000), -1);
	assert_int_equal(tr_time_map_apply(&m, 9500), 4500);
	struct transcript *t = tr_new("test", "en");
	snprintf(t->timeline, sizeof t->timeline, "source");
	tr_add_word(t, "kept", 2000, 2400);
	tr_add_word(t, "cut", 6000, 6500);
	tr_add_word(t, "later", 10000, 10400);
	assert_int_equal(tr_to_output_timeline(t, &m), 0);
	assert_int_equal(t->n_words, 2);
	assert_int_equal(t->words[0].start_ms, 1000);
	assert_int_equal(t->words[1].start_ms, 5000);
	assert_int_equal(t->duration_ms, 7000);
	assert_string_equal(t->timeline, "output");
	tr_free(t);
	tr_time_map_clear(&m);
	assert_int_equal(tr_time_map_parse("[[0,1000],[2000,3000]]", &m, &err), 0);
	assert_int_equal(tr_time_map_apply(&m, 2500), 1500);
	tr_time_map_clear(&m);
}

static void
test_transcript_json_round_trip_and_wer(void **state)
{
	(void)state;
	struct zpub_err err = {0};
	struct transcript *t = tr_new("pocketsphinx", "en"), *b = NULL;
	tr_add_word(t, "hello", 0, 400);
	tr_add_word(t, "wörld", 450, 900);
	tr_segments_from_words(t);
	char *j = tr_to_json(t);
	assert_int_equal(tr_from_json(j, &b, &err), 0);
	assert_int_equal(b->n_words, 2);
	assert_string_equal(b->words[1].w, "wörld");
	assert_int_equal(b->n_segs, 1);
	assert_string_equal(b->segs[0].text, "hello wörld");
	free(j);
	tr_free(b);
	tr_free(t);
	assert_true(tr_wer("Hello, world!", "hello world") == 0.0);
	assert_true(tr_wer("a b c d", "a x c") == 0.5);
	assert_true(tr_wer("Привет, Мир", "привет мир") == 0.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_english_lecture_obeys_rules_and_round_trips),
		cmocka_unit_test(test_russian_counts_characters_not_bytes),
		cmocka_unit_test(test_wrap_breaks_after_punctuation_and_before_conjunctions),
		cmocka_unit_test(test_long_pause_ends_a_cue_and_gap_is_kept),
		cmocka_unit_test(test_fast_speech_is_split_and_never_overlaps),
		cmocka_unit_test(test_vtt_escapes_markup_and_arrows),
		cmocka_unit_test(test_strict_parsers_reject_broken_files),
		cmocka_unit_test(test_check_flags_overlap_and_long_lines),
		cmocka_unit_test(test_time_map_moves_source_words_to_output),
		cmocka_unit_test(test_transcript_json_round_trip_and_wer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
