/*
 * test_ui_text.c — the terminal app's pure parts: display width and
 * cutting of Cyrillic, CJK and emoji, timecode parsing and formats, and
 * the topic editor's operations (nudge keeps order and follows the topic,
 * insert finds a free time, the check points at the offending row).
 * The ui/ files are compiled in here directly: they include no curses.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "topics_edit.h"
#include "util.h"

static void
test_width_counts_columns_not_bytes(void **state)
{
	(void)state;
	assert_int_equal(utf8_width("abc"), 3);
	assert_int_equal(utf8_width("Лекция"), 6);              /* 12 bytes */
	assert_int_equal(utf8_width("Ёжик"), 4);
	assert_int_equal(utf8_width("漢字"), 4);
	assert_int_equal(utf8_width("🎓"), 2);
	assert_int_equal(utf8_width("е\xCC\x81"), 1);           /* combining acute */
	assert_int_equal(utf8_width("A\xE2\x80\x8D" "B"), 2);   /* ZWJ is zero wide */
	assert_int_equal(utf8_width(""), 0);
	assert_int_equal(utf8_width(NULL), 0);
}

static void
test_fit_cuts_at_code_points_with_ellipsis(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(ui_text_fit("Лекция 1", 20, 1, out, sizeof out), 8);
	assert_string_equal(out, "Лекция 1");
	assert_int_equal(ui_text_fit("Лекция 1", 5, 1, out, sizeof out), 5);
	assert_string_equal(out, "Лекц…");
	assert_int_equal(ui_text_fit("Лекция 1", 5, 0, out, sizeof out), 5);
	assert_string_equal(out, "Лекци");
	/* A wide character never straddles the edge. */
	assert_int_equal(ui_text_fit("🎓🎓🎓", 5, 0, out, sizeof out), 4);
	assert_string_equal(out, "🎓🎓");
	assert_int_equal(ui_text_fit("🎓🎓🎓", 5, 1, out, sizeof out), 5);
	assert_string_equal(out, "🎓🎓…");
	assert_int_equal(ui_text_fit("漢字テスト", 4, 1, out, sizeof out), 3);
	assert_string_equal(out, "漢…");
	/* Tabs and newlines become spaces; broken bytes a replacement char. */
	ui_text_fit("a\tb\nc", 10, 1, out, sizeof out);
	assert_string_equal(out, "a b c");
	ui_text_fit("x\xFFy", 10, 1, out, sizeof out);
	assert_string_equal(out, "x\xEF\xBF\xBDy");
	/* ESC, BEL and the C1 CSI (U+009B) never reach curses; each takes a column. */
	assert_int_equal(ui_text_fit("\x1b[2J\x1b]0;pwn\x07\xC2\x9B" "1m", 40, 1, out, sizeof out), 15);
	assert_null(strchr(out, 0x1b));
	assert_null(strchr(out, 0x07));
	assert_null(strstr(out, "\xC2\x9B"));
	assert_string_equal(out, " [2J ]0;pwn  1m");
	assert_int_equal(ui_text_fit("\x1b\x1b\x1b\x1b", 2, 0, out, sizeof out), 2);
	assert_string_equal(out, "  ");
	/* A tiny buffer still ends on a code point boundary. */
	ui_text_fit("ЛЛЛЛ", 10, 1, out, 6);
	assert_true(utf8_valid(out, strlen(out)));
	assert_int_equal(ui_text_fit("abc", 0, 1, out, sizeof out), 0);
	assert_string_equal(out, "");
}

static void
test_strlcpy_keeps_utf8_whole(void **state)
{
	(void)state;
	char out[4];
	ui_strlcpy(out, "Ёж", sizeof out);       /* 4 bytes do not fit in 3 */
	assert_string_equal(out, "Ё");
	ui_strlcpy(out, "ab", sizeof out);
	assert_string_equal(out, "ab");
}

static void
test_clock_parse_and_format(void **state)
{
	(void)state;
	char b[16];
	assert_int_equal(time_parse_clock("0"), 0);
	assert_int_equal(time_parse_clock("75"), 75000);
	assert_int_equal(time_parse_clock("1:05"), 65000);
	assert_int_equal(time_parse_clock("1:02:03"), 3723000);
	assert_int_equal(time_parse_clock("00:00:01.5"), 1500);
	assert_int_equal(time_parse_clock("1:60"), -1);
	assert_int_equal(time_parse_clock("1:2:3:4"), -1);
	assert_int_equal(time_parse_clock("abc"), -1);
	assert_int_equal(time_parse_clock(""), -1);
	assert_int_equal(time_parse_clock("1:"), -1);
	ui_fmt_clock(3723000, 0, b);
	assert_string_equal(b, "1:02:03");
	ui_fmt_clock(65000, 1, b);
	assert_string_equal(b, "01:05");
	ui_fmt_clock(-5, 0, b);
	assert_string_equal(b, "0:00:00");
	ui_fmt_eta(83000, b);
	assert_string_equal(b, "1:23");
	ui_fmt_eta(0, b);
	assert_string_equal(b, "--");
	ui_fmt_eta(7500000, b);
	assert_string_equal(b, "2h05m");
	char bar[16];
	ui_fmt_bar(0.42, 10, bar, sizeof bar);
	assert_string_equal(bar, "####------");
	ui_fmt_bar(2, 4, bar, sizeof bar);
	assert_string_equal(bar, "####");
	ui_fmt_bar(-1, 4, bar, sizeof bar);
	assert_string_equal(bar, "----");
}

/* A lease or a next run for people: time of day and how far from now. */
static void
test_time_human_says_when_and_how_far(void **state)
{
	(void)state;
	char out[64], hm[16];
	int64_t now = time_now_ms();
	time_human(now + 185000, now, out);
	time_t t = (time_t)((now + 185000) / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(hm, sizeof hm, "%H:%M", &tm);
	char want[64];
	snprintf(want, sizeof want, "%s (in 3 min)", hm);
	/* Just before midnight the moment falls on the next day, with a date. */
	if (strlen(out) == strlen(want))
		assert_string_equal(out, want);
	time_human(now - 7200000, now, out);
	assert_non_null(strstr(out, "(2 h ago)"));
	time_human(now + 30000, now, out);
	assert_non_null(strstr(out, "(in 30 s)"));
	time_human(now + 5 * 86400000LL, now, out);
	assert_non_null(strstr(out, "-"));
	assert_non_null(strstr(out, "(in 5 days)"));
	time_human(0, now, out);
	assert_string_equal(out, "-");
}

static struct topics *
sample(void)
{
	struct topics *t = topics_new();
	topics_add(t, 0, TOPIC_MAIN, "Введение");
	topics_add(t, 600000, TOPIC_MAIN, "Основная часть");
	topics_add(t, 610000, TOPIC_DETAIL, "Пример");
	topics_add(t, 1800000, TOPIC_MAIN, "Итоги");
	return t;
}

static void
test_nudge_keeps_order_and_follows_the_topic(void **state)
{
	(void)state;
	struct topics *t = sample();
	int sel = ui_topics_nudge(t, 1, 1000, 3600000);
	assert_int_equal(sel, 1);
	assert_int_equal(t->v[1].start_ms, 601000);
	/* Past the next topic: it moves below it and stays selected. */
	sel = ui_topics_nudge(t, 1, 10000, 3600000);
	assert_int_equal(sel, 2);
	assert_string_equal(t->v[2].title, "Основная часть");
	assert_int_equal(t->v[2].start_ms, 611000);
	assert_string_equal(t->v[1].title, "Пример");
	/* Clamped to the start and to a second before the end. */
	sel = ui_topics_nudge(t, 0, -10000, 3600000);
	assert_int_equal(t->v[sel].start_ms, 0);
	sel = ui_topics_set_time(t, 3, 99999999, 3600000);
	assert_int_equal(t->v[sel].start_ms, 3599000);
	topics_free(t);
}

static void
test_insert_remove_title_level(void **state)
{
	(void)state;
	struct topics *t = sample();
	int i = ui_topics_insert(t, 0, 3600000, "Новая");
	assert_int_equal(i, 1);
	assert_int_equal(t->v[1].start_ms, 300000);
	assert_int_equal(t->n, 5);
	/* After the last one: half-way to the end. */
	i = ui_topics_insert(t, 4, 3600000, "Хвост");
	assert_int_equal(i, 5);
	assert_int_equal(t->v[5].start_ms, 2700000);
	/* No room between topics closer than 2 s. */
	ui_topics_set_time(t, 3, 601000, 3600000);
	assert_int_equal(ui_topics_insert(t, 2, 3600000, "x"), -1);
	assert_int_equal(ui_topics_set_title(t, 0, "Начало"), 0);
	assert_string_equal(t->v[0].title, "Начало");
	ui_topics_toggle_level(t, 0);
	assert_int_equal(t->v[0].level, TOPIC_DETAIL);
	assert_int_equal(ui_topics_remove(t, 5), 4);
	assert_int_equal(t->n, 5);
	while (t->n > 1)
		ui_topics_remove(t, 0);
	assert_int_equal(ui_topics_remove(t, 0), -1);
	/* Inserting into an empty list starts at zero. */
	assert_int_equal(ui_topics_insert(t, -1, 3600000, "Первая"), 0);
	assert_int_equal(t->v[0].start_ms, 0);
	topics_free(t);
}

static void
test_check_points_at_the_bad_row(void **state)
{
	(void)state;
	char msg[512];
	int bad;
	struct topics *t = sample();
	/* Valid list, but Пример is 10 s after its main topic: still valid
	 * (exactly 10 s); at 5 s YouTube would drop it. */
	assert_int_equal(ui_topics_check(t, 3600000, "ru", msg, sizeof msg, &bad), 0);
	ui_topics_set_time(t, 2, 605000, 3600000);
	assert_int_equal(ui_topics_check(t, 3600000, "ru", msg, sizeof msg, &bad), 1);
	assert_int_equal(bad, 2);
	assert_non_null(strstr(msg, "10 s"));
	/* Empty title: invalid, row named. */
	ui_topics_set_title(t, 3, "  ");
	assert_int_equal(ui_topics_check(t, 3600000, "ru", msg, sizeof msg, &bad), -1);
	assert_int_equal(bad, 3);
	/* Past the end of the video. */
	ui_topics_set_title(t, 3, "Итоги");
	assert_int_equal(ui_topics_check(t, 1000000, "ru", msg, sizeof msg, &bad), -1);
	assert_int_equal(bad, 3);
	assert_non_null(strstr(msg, "after the end"));
	topics_free(t);
}

/* A reviewer's view of a new version: moved, retitled, added, removed and
 * re-levelled topics, a line each in time order; the same list, nothing. */
static void
test_diff_names_each_change(void **state)
{
	(void)state;
	struct topics *a = sample(), *b = topics_new();
	topics_add(b, 0, TOPIC_MAIN, "Введение");
	topics_add(b, 630000, TOPIC_MAIN, "Основная часть");      /* moved */
	topics_add(b, 900000, TOPIC_MAIN, "Вопросы");             /* added */
	topics_add(b, 1800000, TOPIC_MAIN, "Выводы");             /* retitled */
	/* "Пример" at 0:10:10 removed */
	int n = -1;
	char *d = ui_topics_diff(a, b, &n);
	assert_int_equal(n, 4);
	assert_string_equal(d,
	    "- 0:10:10  Пример\n"
	    "~ 0:10:00 → 0:10:30  Основная часть\n"
	    "+ 0:15:00  Вопросы\n"
	    "~ 0:30:00  Итоги → Выводы\n");
	free(d);
	d = ui_topics_diff(a, a, &n);
	assert_int_equal(n, 0);
	assert_string_equal(d, "");
	free(d);
	ui_topics_toggle_level(b, 3);
	d = ui_topics_diff(b, b, NULL);
	assert_string_equal(d, "");
	free(d);
	struct topics *c = sample();
	ui_topics_toggle_level(c, 2);
	d = ui_topics_diff(a, c, &n);
	assert_string_equal(d, "~ 0:10:10  Пример (detail → main)\n");
	free(d);
	/* From nothing: everything is added. */
	d = ui_topics_diff(NULL, a, &n);
	assert_int_equal(n, 4);
	assert_true(strncmp(d, "+ 0:00:00  Введение\n", strlen("+ 0:00:00  Введение\n")) == 0);
	free(d);
	topics_free(a);
	topics_free(b);
	topics_free(c);
}

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width_counts_columns_not_bytes),
		cmocka_unit_test(test_fit_cuts_at_code_points_with_ellipsis),
		cmocka_unit_test(test_strlcpy_keeps_utf8_whole),
		cmocka_unit_test(test_clock_parse_and_format),
		cmocka_unit_test(test_nudge_keeps_order_and_follows_the_topic),
		cmocka_unit_test(test_insert_remove_title_level),
		cmocka_unit_test(test_diff_names_each_change),
		cmocka_unit_test(test_check_points_at_the_bad_row),
		cmocka_unit_test(test_time_human_says_when_and_how_far),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
