/*
 * test_text.c — the one UTF-8 module (src/base/text.c): the decoder turns
 * invalid, overlong, surrogate and cut-short sequences into U+FFFD one byte
 * at a time, boundaries agree with it, widths of CJK, emoji and combining
 * marks, the one folding table, and its three users (template globs, the
 * terminal app's search, topic words) folding the same title the same way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_ui.h"
#include "template.h"
#include "testutil.h"
#include "text.h"

static void
test_decode_is_strict(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"\x80",                 /* stray continuation */
		"\xC0\x80",             /* overlong NUL */
		"\xC1\xBF",             /* overlong '\x7f' */
		"\xE0\x80\xAF",         /* overlong '/' */
		"\xF0\x80\x80\xAF",     /* overlong '/' again */
		"\xED\xA0\x80",         /* surrogate U+D800 */
		"\xED\xBF\xBF",         /* surrogate U+DFFF */
		"\xF4\x90\x80\x80",     /* past U+10FFFF */
		"\xF8\x88\x80\x80\x80", /* 5-byte form */
		"\xFF",
		"\xE2\x82",             /* cut short */
		"\xF0\x9F\x8E",         /* cut short */
		("\xD0" "A"),           /* lead without continuation */
	};
	uint32_t cp = 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t len = strlen(bad[i]);
		assert_int_equal(utf8_decode(bad[i], len, &cp), 0);
		assert_false(utf8_valid(bad[i], len));
		/* Each byte of a broken sequence is one U+FFFD. */
		assert_int_equal(utf8_next(bad[i], len, &cp), 1);
		assert_int_equal(cp, 0xFFFD);
	}
	assert_int_equal(utf8_decode("\xE2\x82\xAC", 3, &cp), 3);
	assert_int_equal(cp, 0x20AC);
	assert_int_equal(utf8_decode("\xE2\x82\xAC", 2, &cp), 0);   /* len counts */
	assert_int_equal(utf8_decode("\xF0\x9F\x8E\x93", 4, &cp), 4);
	assert_int_equal(cp, 0x1F393);
	assert_int_equal(utf8_decode("\xF4\x8F\xBF\xBF", 4, &cp), 4);
	assert_int_equal(cp, 0x10FFFF);
	assert_int_equal(utf8_decode("\xEF\xBF\xBD", 3, &cp), 3);
	assert_int_equal(utf8_next("", 0, &cp), 0);
	assert_int_equal(utf8_next_str("", &cp), 0);
	assert_int_equal(utf8_next_str("\xD0", &cp), 1);              /* NUL cuts it */
	assert_int_equal(cp, 0xFFFD);
	assert_true(utf8_valid("Ёлка σοφία 漢字 🎓", strlen("Ёлка σοφία 漢字 🎓")));
	assert_true(utf8_valid("a\0b", 3));

	/* Counting reads as utf8_next does: a stray byte is one. */
	assert_int_equal(utf8_len("Ёлка"), 4);
	assert_int_equal(utf8_len("a\xE2\x82" "b"), 4);
	assert_int_equal(utf8_len("\x80\x80"), 2);
	assert_int_equal(utf8_len(""), 0);
	assert_int_equal(utf8_nlen("Ёлка", 4), 2);
	assert_int_equal(utf8_nlen("Ёлка", 3), 2);                  /* Ё, then a cut л */

	char out[4];
	assert_int_equal(utf8_put(out, 0x451), 2);
	assert_memory_equal(out, "ё", 2);
	assert_int_equal(utf8_put(out, 0x1F393), 4);
	assert_memory_equal(out, "🎓", 4);
}

static void
test_boundaries_follow_the_decoder(void **state)
{
	(void)state;
	const char *s = "aЁ🎓b";                 /* 0, 1-2, 3-6, 7 */
	static const size_t floor_of[] = { 0, 1, 1, 3, 3, 3, 3, 7, 8 };
	for (size_t n = 0; n < sizeof floor_of / sizeof floor_of[0]; n++)
		assert_int_equal(utf8_floor(s, n), floor_of[n]);
	/* The next boundary: n + utf8_next. */
	uint32_t cp;
	assert_int_equal(3 + utf8_next(s + 3, strlen(s + 3), &cp), 7);
	/* Broken bytes stand alone, as utf8_next reads them. */
	const char *b = "a\x82\x82\xE2\x82";
	for (size_t n = 0; n <= 5; n++)
		assert_int_equal(utf8_floor(b, n), n);
	const char *sur = "\xED\xA0\x80";       /* a surrogate: three U+FFFD */
	assert_int_equal(utf8_floor(sur, 2), 2);
	assert_int_equal(utf8_floor(sur, 1), 1);
}

static void
test_width_of_cjk_emoji_and_combining(void **state)
{
	(void)state;
	assert_int_equal(utf8_cp_width('a'), 1);
	assert_int_equal(utf8_cp_width(0x416), 1);         /* Ж */
	assert_int_equal(utf8_cp_width(0x6F22), 2);        /* 漢 */
	assert_int_equal(utf8_cp_width(0xAC00), 2);        /* 가 */
	assert_int_equal(utf8_cp_width(0xFF21), 2);        /* fullwidth A */
	assert_int_equal(utf8_cp_width(0x1F393), 2);       /* 🎓 */
	assert_int_equal(utf8_cp_width(0x1F680), 2);       /* 🚀 */
	assert_int_equal(utf8_cp_width(0x301), 0);         /* combining acute */
	assert_int_equal(utf8_cp_width(0x20DD), 0);        /* combining circle */
	assert_int_equal(utf8_cp_width(0x200D), 0);        /* ZWJ */
	assert_int_equal(utf8_cp_width(0xFE0F), 0);        /* emoji presentation */
	assert_int_equal(utf8_cp_width(0x1B), 0);          /* ESC */
	assert_int_equal(utf8_cp_width(0x9B), 0);          /* CSI */
	assert_int_equal(utf8_cp_width(0), 0);
	assert_int_equal(utf8_width("漢字テスト"), 10);
	assert_int_equal(utf8_width("🎓 Финал"), 8);
	assert_int_equal(utf8_width("е\xCC\x81ж"), 2);
	assert_int_equal(utf8_width("x\xFFy"), 3);         /* U+FFFD is one column */
	assert_int_equal(utf8_width(NULL), 0);
	assert_true(text_cp_is_control(0x7F));
	assert_false(text_cp_is_control(0xA0));
}

static void
test_fold_table(void **state)
{
	(void)state;
	static const uint32_t pairs[][2] = {
		{ 'Q', 'q' }, { 0xC0, 0xE0 }, { 0xDE, 0xFE }, { 0x178, 0xFF },   /* À Þ Ÿ */
		{ 0x141, 0x142 }, { 0x17D, 0x17E }, { 0x17F, 's' },               /* Ł Ž ſ */
		{ 0x1C4, 0x1C6 }, { 0x1C5, 0x1C6 }, { 0x1F1, 0x1F3 },             /* Ǆ ǅ Ǳ */
		{ 0x18F, 0x259 }, { 0x218, 0x219 }, { 0x23A, 0x2C65 },            /* Ə Ș Ⱥ */
		{ 0x1E9E, 0xDF }, { 0xB5, 0x3BC },                                /* ẞ µ */
		{ 0x391, 0x3B1 }, { 0x3A3, 0x3C3 }, { 0x3C2, 0x3C3 },             /* Α Σ ς */
		{ 0x386, 0x3AC }, { 0x388, 0x3AD }, { 0x38C, 0x3CC },             /* Ά Έ Ό */
		{ 0x38F, 0x3CE }, { 0x3AA, 0x3CA },                               /* Ώ Ϊ */
		{ 0x401, 0x451 }, { 0x410, 0x430 }, { 0x42F, 0x44F },             /* Ё А Я */
		{ 0x402, 0x452 }, { 0x404, 0x454 }, { 0x406, 0x456 },             /* Ђ Є І */
		{ 0x407, 0x457 }, { 0x408, 0x458 }, { 0x40B, 0x45B },             /* Ї Ј Ћ */
		{ 0x40E, 0x45E }, { 0x40F, 0x45F }, { 0x490, 0x491 },             /* Ў Џ Ґ */
		{ 0x4C0, 0x4CF }, { 0x4C1, 0x4C2 }, { 0x4D8, 0x4D9 },             /* Ӏ Ӂ Ә */
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		assert_int_equal(text_fold_cp(pairs[i][0], TEXT_FOLD_CASE), pairs[i][1]);
		assert_int_equal(text_fold_cp(pairs[i][1], TEXT_FOLD_CASE), pairs[i][1]);
	}
	/* Not letters with a case, or no simple fold: as they are. */
	static const uint32_t same[] = { '1', '@', 0xD7, 0xF7, 0xDF, 0x130, 0x131, 0x149,
		0x3A2, 0x482, 0x4E00, 0x1F393, 0xFFFD };
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
		assert_int_equal(text_fold_cp(same[i], TEXT_FOLD_CASE), same[i]);
	/* Search also takes ё for е. */
	assert_int_equal(text_fold_cp(0x401, TEXT_FOLD_SEARCH), 0x435);
	assert_int_equal(text_fold_cp(0x451, TEXT_FOLD_SEARCH), 0x435);
	assert_int_equal(text_fold_cp(0x415, TEXT_FOLD_SEARCH), 0x435);
	/* Folding twice changes nothing. */
	for (uint32_t cp = 0; cp < 0x2000; cp++) {
		uint32_t f = text_fold_cp(cp, TEXT_FOLD_CASE);
		assert_int_equal(text_fold_cp(f, TEXT_FOLD_CASE), f);
	}

	char out[64];
	assert_int_equal(text_fold("ΟΔΟΣ", strlen("ΟΔΟΣ"), out, TEXT_FOLD_CASE), strlen("οδοσ"));
	assert_string_equal(out, "οδοσ");
	text_fold("\xFFȺ\xD0", 4, out, TEXT_FOLD_CASE);  /* broken bytes stay, Ⱥ grows */
	assert_string_equal(out, "\xFF\xE2\xB1\xA5\xD0");
}

/* One title, written in capitals and in small letters. */
static const char upper[] = "ЁЛКА ΣΟΦΙΑΣ STRAẞE ÀÉÎ ǄEMAL ЎЄЇЂ ΆΈΌ";
static const char lower[] = "ёлка σοφιας straße àéî ǆemal ўєїђ άέό";

static void
test_glob_search_and_topics_fold_alike(void **state)
{
	(void)state;
	struct zpub_err err;

	/* Template globs: a capital pattern matches the small title. */
	assert_true(tpl_glob_match(upper, lower, 0));
	assert_true(tpl_glob_match(lower, upper, 0));
	assert_true(tpl_glob_match("ЁЛКА*ǄEMAL*", "Ёлка σοφιας straße àéî ǅemal", 0));
	assert_true(tpl_glob_match("*ΣΟΦΙΑΣ*", lower, 0));
	assert_false(tpl_glob_match(upper, lower, 1));

	/* The same fold, whichever way the title came. */
	char a[256], b[256];
	text_fold(upper, strlen(upper), a, TEXT_FOLD_SEARCH);
	text_fold(lower, strlen(lower), b, TEXT_FOLD_SEARCH);
	assert_string_equal(a, b);
	assert_string_equal(a, "елка σοφιασ straße àéî ǆemal ўєїђ άέό");
	char *fu = store_ui_fold(upper), *fl = store_ui_fold(lower);
	assert_string_equal(fu, a);
	assert_string_equal(fl, a);
	free(fu);
	free(fl);

	/* The terminal app's search finds each title by the other. */
	char *dir = test_tmpdir("text");
	char *db = test_db(dir);
	struct store *st;
	int64_t tenant, id, n = -1;
	assert_int_equal(store_open(db, dir, &st, &err), 0);
	assert_int_equal(store_tenant_id(st, "default", &tenant, &err), 0);
	struct store_recording r;
	memset(&r, 0, sizeof r);
	r.tenant_id = tenant;
	r.source = (char *)"local";
	r.source_ref = (char *)"small";
	r.title = (char *)lower;
	assert_int_equal(store_recording_add(st, &r, &id, &err), 0);
	struct store_ui_query q = { tenant, -1, upper, STORE_UI_SORT_ID, 0, 0, 0 };
	assert_int_equal(store_ui_count(st, &q, &n, &err), 0);
	assert_int_equal(n, 1);
	q.search = "ǄEMAL ЎЄЇЂ";
	assert_int_equal(store_ui_count(st, &q, &n, &err), 0);
	assert_int_equal(n, 1);
	q.search = "ΟΔΟΣ";
	assert_int_equal(store_ui_count(st, &q, &n, &err), 0);
	assert_int_equal(n, 0);
	store_close(st);
	fs_remove_tree(dir);
	free(db);
	free(dir);

	/* Topic words: each capital word normalises to its small one, and to
	 * what search folds it to. */
	char uw[256], lw[256];
	strcpy(uw, upper);
	strcpy(lw, lower);
	char *su, *sl;
	char *wu = strtok_r(uw, " ", &su), *wl = strtok_r(lw, " ", &sl);
	for (; wu && wl; wu = strtok_r(NULL, " ", &su), wl = strtok_r(NULL, " ", &sl)) {
		char *nu = text_norm_word(wu), *nl = text_norm_word(wl), *f = store_ui_fold(wl);
		assert_string_equal(nu, nl);
		assert_string_equal(nu, f);
		free(nu);
		free(nl);
		free(f);
	}
	assert_null(wu);
	assert_null(wl);
	char *w = text_norm_word("«Ёлка»,");
	assert_string_equal(w, "елка");
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_is_strict),
		cmocka_unit_test(test_boundaries_follow_the_decoder),
		cmocka_unit_test(test_width_of_cjk_emoji_and_combining),
		cmocka_unit_test(test_fold_table),
		cmocka_unit_test(test_glob_search_and_topics_fold_alike),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
