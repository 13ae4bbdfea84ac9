/*
 * test_term.c — util.h's one rule for printing outside text on a terminal:
 * controls, DEL, C1 controls and broken UTF-8 become visible escapes, valid
 * UTF-8 stays as it is, and a short buffer cuts between characters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
test_escape_sequences_become_visible_text(void **state)
{
	(void)state;
	char out[256];
	assert_string_equal(term_escape("\x1b[2J\x1b]0;pwn\x07", out, sizeof out),
	    "\\x1b[2J\\x1b]0;pwn\\x07");
	assert_string_equal(term_escape("a\nb\tc\r\x7f", out, sizeof out),
	    "a\\x0ab\\x09c\\x0d\\x7f");
	/* C1 controls as UTF-8 (CSI U+009B, NEL U+0085). */
	assert_string_equal(term_escape("x\xC2\x9B" "31m\xC2\x85", out, sizeof out),
	    "x\\u009b31m\\u0085");
	assert_string_equal(term_escape(NULL, out, sizeof out), "");
}

static void
test_valid_utf8_is_kept_and_broken_bytes_are_escaped(void **state)
{
	(void)state;
	char out[256];
	const char *ru = "Лекция 3: «Производные» — 漢字 🎓 ©";
	assert_string_equal(term_escape(ru, out, sizeof out), ru);
	/* A lone byte, an overlong '/', a surrogate, a cut sequence. */
	assert_string_equal(term_escape("a\xFF" "b\xC0\xAF" "c\xED\xA0\x80" "d\xD0", out, sizeof out),
	    "a\\xffb\\xc0\\xafc\\xed\\xa0\\x80d\\xd0");
	assert_true(utf8_valid(out, strlen(out)));
}

static void
test_a_short_buffer_cuts_between_characters(void **state)
{
	(void)state;
	char out[12];
	term_escape("ЛЛЛЛЛЛЛЛ", out, sizeof out);
	assert_string_equal(out, "ЛЛЛЛ…");
	term_escape("ab\x1b\x1b\x1b\x1b", out, sizeof out);
	assert_string_equal(out, "ab\\x1b…");      /* never half an escape */
	assert_string_equal(term_escape("ok", out, 3), "ok");
	assert_string_equal(term_escape("okay", out, 3), "");
	/* term_safe's buffer holds a whole long title. */
	char *big = malloc(3000);
	memset(big, 'x', 2999);
	big[2999] = '\0';
	assert_int_equal(strlen(term_safe(big)), 2999);
	free(big);
}

static void
test_fputs_escapes_without_a_limit(void **state)
{
	(void)state;
	size_t n = 20000, len = 0;
	char *s = malloc(n + 1), *buf = NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = i % 100 == 0 ? '\x1b' : 'a';
	s[n] = '\0';
	FILE *f = open_memstream(&buf, &len);
	term_fputs(s, f);
	fclose(f);
	assert_int_equal(len, n + 200 * 3);
	assert_null(strchr(buf, 0x1b));
	assert_memory_equal(buf, "\\x1baaa", 7);
	free(buf);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_sequences_become_visible_text),
		cmocka_unit_test(test_valid_utf8_is_kept_and_broken_bytes_are_escaped),
		cmocka_unit_test(test_a_short_buffer_cuts_between_characters),
		cmocka_unit_test(test_fputs_escapes_without_a_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
