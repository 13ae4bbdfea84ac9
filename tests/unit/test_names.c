/* Names from outside that become file names (src/base/util.c fname_ok,
 * lang_code_ok, term_escape) and the transcript's language (tr_new,
 * tr_parse_verbose_json, tr_from_json): a hostile language code from a
 * transcription answer or a transcript file is never kept as the language,
 * and a hostile name is shown in messages without its control characters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "util.h"

static const char *const good_langs[] = {
	"en", "ru", "uk", "und", "pt-BR", "zh-Hans", "zh-Hant-TW", "sr-Latn-RS", "es-419", "EN",
	NULL
};

static const char *const bad_langs[] = {
	"", "e", "english", "../../../../zq", "en/../../x", "..", ".", "en/", "/en", "en\\x",
	"\x1b[2J", "en\n", "en ", " en", "en-", "-en", "en--US", "en-U", "en-USA", "en-12",
	"en-1234", "en-Hans-", "en-Hans-U", "en-Latn-US-x", "zh-Hans-CN-abcdefg", "en_US",
	"e1", "\xd1\x80\xd1\x83" /* "ру" */, "en\xff", "en.srt", "en%2F", "en-Hans-CN1",
	NULL
};

static void
test_language_codes_follow_the_bcp47_shape_and_nothing_else(void **state)
{
	(void)state;
	for (int i = 0; good_langs[i]; i++) {
		if (!lang_code_ok(good_langs[i]))
			fail_msg("refused the language code \"%s\"", good_langs[i]);
	}
	for (int i = 0; bad_langs[i]; i++) {
		if (lang_code_ok(bad_langs[i]))
			fail_msg("accepted \"%s\" as a language code", bad_langs[i]);
	}
	char longest[300];
	memset(longest, 'a', sizeof longest - 1);
	longest[sizeof longest - 1] = '\0';
	assert_false(lang_code_ok(longest));
	/* a 300-byte value cut to the transcript's 16 bytes must not become valid */
	memcpy(longest, "en-Latn-US", 10);
	assert_false(lang_code_ok(longest));
	assert_false(lang_code_ok(NULL));
	assert_false(fname_ok(NULL, FNAME_WORD));
}

static void
test_names_for_folders_refuse_separators_dots_and_controls(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"physics", "chemistry-2", "a.b", "Кафедра физики", "x_y", "a b", "名前", NULL
	};
	static const char *const bad[] = {
		"", ".", "..", "../evil", "a/b", "/abs", "a\\b", "..\\x", "x..y", ".hidden",
		"-rf", " lead", "trail ", "a\nb", "a\tb", "\x1b[2J", "a\x7f", "a\xc2\x85" "b",
		"a\xff", "\xd1", "\xc0\xaf", NULL
	};
	for (int i = 0; ok[i]; i++)
		if (!fname_ok(ok[i], FNAME_WORD))
			fail_msg("refused the name \"%s\"", ok[i]);
	for (int i = 0; bad[i]; i++)
		if (fname_ok(bad[i], FNAME_WORD))
			fail_msg("accepted the name \"%s\"", bad[i]);
	char big[FNAME_WORD_MAX + 2];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_false(fname_ok(big, FNAME_WORD));
	big[FNAME_WORD_MAX] = '\0';
	assert_true(fname_ok(big, FNAME_WORD));
	/* a language code is also a good name; the reverse does not hold */
	for (int i = 0; good_langs[i]; i++)
		assert_true(fname_ok(good_langs[i], FNAME_WORD));
}

static void
test_a_refused_name_is_shown_without_controls_and_cut(void **state)
{
	(void)state;
	char out[24];
	assert_string_equal(term_escape("\x1b[2J", out, sizeof out), "\\x1b[2J");
	assert_string_equal(term_escape("a\nb\xff" "c", out, sizeof out), "a\\x0ab\\xffc");
	assert_string_equal(term_escape("../../../../zq", out, sizeof out), "../../../../zq");
	char big[301];
	memset(big, 'z', 300);
	big[300] = '\0';
	term_escape(big, out, sizeof out);
	assert_true(strlen(out) <= sizeof out - 1);
	assert_string_equal(out + strlen(out) - 3, "…");
	/* UTF-8 is kept whole: never half a character before the ellipsis */
	term_escape("ффффффффффффффффффффф", out, sizeof out);
	assert_true(utf8_valid(out, strlen(out)));
	assert_string_equal(out + strlen(out) - 3, "…");
	assert_string_equal(term_escape(NULL, out, sizeof out), "");
}

static void
test_a_transcription_answer_with_a_path_for_a_language_leaves_it_unknown(void **state)
{
	(void)state;
	static const char *const hostile[] = {
		"../../../../zq", "en/../../x", "\\u001b[2J", "english/../../zq", "..", NULL
	};
	struct zpub_err err;
	struct transcript *t = NULL;
	for (int i = 0; hostile[i]; i++) {
		char *body = xasprintf("{\"language\":\"%s\",\"text\":\"a b\",\"duration\":1,"
		    "\"words\":[{\"word\":\"a\",\"start\":0,\"end\":0.4},"
		    "{\"word\":\"b\",\"start\":0.5,\"end\":0.9}]}", hostile[i]);
		assert_int_equal(tr_parse_verbose_json(body, &t, &err), 0);
		assert_string_equal(t->language, "");
		assert_true(t->language_refused[0] != '\0');
		for (const char *p = t->language_refused; *p; p++)
			assert_true((unsigned char)*p >= 0x20);
		assert_int_equal(t->n_words, 2);
		/* what is saved keeps it unknown */
		char *json = tr_to_json(t);
		assert_null(strstr(json, "zq"));
		free(json);
		tr_free(t);
		free(body);
	}
	/* Whisper's language names still become codes */
	assert_int_equal(tr_parse_verbose_json("{\"language\":\"portuguese\",\"text\":\"a\"}",
	    &t, &err), 0);
	assert_string_equal(t->language, "pt");
	assert_string_equal(t->language_refused, "");
	tr_free(t);
}

static void
test_a_transcript_file_with_a_path_for_a_language_loads_as_unknown(void **state)
{
	(void)state;
	struct zpub_err err;
	struct transcript *t = NULL;
	assert_int_equal(tr_from_json("{\"engine\":\"x\",\"language\":\"../../zq\",\"words\":[]}",
	    &t, &err), 0);
	assert_string_equal(t->language, "");
	assert_string_equal(t->language_refused, "../../zq");
	tr_free(t);
	assert_int_equal(tr_from_json("{\"engine\":\"x\",\"language\":\"zh-Hans\",\"words\":[]}",
	    &t, &err), 0);
	assert_string_equal(t->language, "zh-Hans");
	tr_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_language_codes_follow_the_bcp47_shape_and_nothing_else),
		cmocka_unit_test(test_names_for_folders_refuse_separators_dots_and_controls),
		cmocka_unit_test(test_a_refused_name_is_shown_without_controls_and_cut),
		cmocka_unit_test(test_a_transcription_answer_with_a_path_for_a_language_leaves_it_unknown),
		cmocka_unit_test(test_a_transcript_file_with_a_path_for_a_language_loads_as_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
