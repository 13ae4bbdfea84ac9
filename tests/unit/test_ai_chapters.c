/* Chapter lines (src/ai/chapters.c): a topic version printed as
 * "HH:MM:SS Title" lines and read back, with a sentence per problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"

static void
test_round_trip(void **state)
{
	const char *in =
	    "00:00:00 Введение\n"
	    "00:05:10 Сортировка слиянием\n"
	    "  00:07:00 Разбиение массива\n"
	    "01:02:03 Графы и Дейкстра\n";
	struct topics *t = NULL;
	struct zpub_err err = {0};
	assert_int_equal(chapters_parse(in, 2 * 3600000, &t, &err), 0);
	assert_int_equal(t->n, 4);
	assert_int_equal(t->v[2].level, TOPIC_DETAIL);
	assert_int_equal(t->v[3].start_ms, 3723000);
	assert_int_equal(topics_validate(t, 2 * 3600000, NULL), 0);
	char *s = chapters_format(t);
	assert_string_equal(s, in);
	free(s);
	topics_free(t);
}

static void
test_pasted_forms(void **state)
{
	/* YouTube style MM:SS and H:MM:SS, tabs, CRLF, blank lines, comments. */
	const char *in = "# chapters\r\n0:00 Intro\r\n\r\n1:30 Part one\r\n\t2:10 Detail\r\n"
	    "1:00:00 Late\r\n";
	struct topics *t = NULL;
	struct zpub_err err = {0};
	assert_int_equal(chapters_parse(in, 0, &t, &err), 0);
	assert_int_equal(t->n, 4);
	assert_int_equal(t->v[1].start_ms, 90000);
	assert_int_equal(t->v[2].level, TOPIC_DETAIL);
	assert_string_equal(t->v[2].title, "Detail");
	assert_int_equal(t->v[3].start_ms, 3600000);
	topics_free(t);
}

static void
expect_refused(const char *in, int64_t dur, const char *needle1, const char *needle2)
{
	struct topics *t = (struct topics *)1;
	struct zpub_err err = {0};
	assert_int_equal(chapters_parse(in, dur, &t, &err), ZPUB_EINVAL);
	assert_null(t);
	if (strstr(err.msg, needle1) == NULL || (needle2 && strstr(err.msg, needle2) == NULL))
		fail_msg("for %s got: %s", in, err.msg);
}

static void
test_refusals(void **state)
{
	expect_refused("00:00:10 A\n00:01:00 B\n00:02:00 C\n", 0, "line 1:", "00:00:00");
	expect_refused("  00:00:00 A\n00:01:00 B\n00:02:00 C\n", 0, "line 1:", "main");
	expect_refused("00:00:00 A\n00:02:00 B\n00:01:00 C\n", 0, "line 3:",
	    "not after the chapter before it (00:02:00, line 2)");
	expect_refused("00:00:00 A\n00:00:05 B\n00:01:00 C\n", 0, "line 2:", "10 s");
	expect_refused("00:00:00 A\n00:01:00 B\n00:20:00 C\n", 600000, "line 3:",
	    "after the end of the video (00:10:00)");
	expect_refused("00:00:00 A\n00:01:00\n00:02:00 C\n", 0, "line 2:", "empty");
	expect_refused("00:00:00 A\n00:01:00 <b>\n00:02:00 C\n", 0, "line 2:", "'<'");
	expect_refused("00:00:00 A\nfive past one B\n00:02:00 C\n", 0, "line 2:", "not a time");
	expect_refused("00:00:00 A\n00:61:00 B\n00:62:00 C\n", 0, "line 2:", "not a time");
	expect_refused("00:00:00 A\n00:01:00 B\n", 0, "at least 3", NULL);
	expect_refused("", 0, "at least 3", NULL);
	char longt[200];
	memset(longt, 'x', 81);
	longt[81] = '\0';
	char in[400];
	snprintf(in, sizeof in, "00:00:00 A\n00:01:00 %s\n00:02:00 C\n", longt);
	expect_refused(in, 0, "line 2:", "81 characters");
	/* Every problem is reported, not just the first. */
	expect_refused("00:00:05 A\n00:00:01 B\nxx C\n", 0, "line 1:", "line 3:");
	/* Invalid UTF-8 anywhere. */
	expect_refused("00:00:00 A\n00:01:00 \xff\n00:02:00 C\n", 0, "UTF-8", NULL);
}

static void
test_many_problems_fit(void **state)
{
	/* 200 bad lines: the message stays bounded and counts the rest. */
	char *in = malloc(200 * 16 + 1);
	in[0] = '\0';
	for (int i = 0; i < 200; i++)
		strcat(in, "bad line here\n");
	struct topics *t = NULL;
	struct zpub_err err = {0};
	assert_int_equal(chapters_parse(in, 0, &t, &err), ZPUB_EINVAL);
	assert_non_null(strstr(err.msg, "more problems"));
	assert_true(strlen(err.msg) < sizeof err.msg);
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_pasted_forms),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_many_problems_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
