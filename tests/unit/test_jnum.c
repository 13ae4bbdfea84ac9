/* JSON numbers to integers (src/base/jnum.c): the range checks that keep a
 * hostile or broken number (1e300, -1e300, fractions near the bounds) from
 * reaching an integer cast, and the readers that rely on them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "ai.h"
#include "config.h"
#include "jnum.h"

static void
test_in_range_numbers_truncate_and_others_give_the_default(void **state)
{
	(void)state;
	cJSON *j = cJSON_Parse("[12.9, -12.9, 1e300, -1e300, 9007199254740993, \"7\", null, 0.5]");
	int64_t x = 42;

	assert_int_equal(jnum_or(cJSON_GetArrayItem(j, 0), 0, 100, -1), 12);
	assert_int_equal(jnum_or(cJSON_GetArrayItem(j, 1), -100, 100, 0), -12);
	assert_int_equal(jnum_or(cJSON_GetArrayItem(j, 1), 0, 100, 7), 7);
	assert_int_equal(jnum_or(cJSON_GetArrayItem(j, 2), INT64_MIN, INT64_MAX, -1), -1);
	assert_int_equal(jnum_or(cJSON_GetArrayItem(j, 3), INT64_MIN, INT64_MAX, -1), -1);
	/* Above 2^53 a double no longer holds every integer: refused even
	 * when the caller allows everything. */
	assert_int_equal(jnum_get(cJSON_GetArrayItem(j, 4), INT64_MIN, INT64_MAX, &x), 0);
	assert_int_equal(x, 42);
	assert_int_equal(jnum_get(cJSON_GetArrayItem(j, 5), 0, 10, &x), 0); /* a string */
	assert_int_equal(jnum_get(cJSON_GetArrayItem(j, 6), 0, 10, &x), 0);
	assert_int_equal(jnum_get(NULL, 0, 10, &x), 0);
	assert_int_equal(jnum_get(cJSON_GetArrayItem(j, 7), 0, 0, &x), 1);
	assert_int_equal(x, 0);
	assert_int_equal(jnum_get(cJSON_GetArrayItem(j, 0), 13, 100, &x), 0);
	assert_false(jnum_fits(NAN, INT64_MIN, INT64_MAX));
	assert_false(jnum_fits(INFINITY, INT64_MIN, INT64_MAX));
	assert_false(jnum_fits(-INFINITY, INT64_MIN, INT64_MAX));
	cJSON_Delete(j);
}

static void
test_scaled_rounds_half_away_from_zero_and_checks_the_product(void **state)
{
	(void)state;
	cJSON *j = cJSON_Parse("[1.2345, -1.2345, 0.0005, 1e14, 3]");

	assert_int_equal(jnum_scaled(cJSON_GetArrayItem(j, 0), 1000.0, -JNUM_MS_MAX, JNUM_MS_MAX, 0), 1235);
	assert_int_equal(jnum_scaled(cJSON_GetArrayItem(j, 1), 1000.0, -JNUM_MS_MAX, JNUM_MS_MAX, 0), -1235);
	assert_int_equal(jnum_scaled(cJSON_GetArrayItem(j, 2), 1000.0, 0, JNUM_MS_MAX, -1), 1);
	/* 1e14 s fits a double and an int64 as seconds, not as a time. */
	assert_int_equal(jnum_scaled(cJSON_GetArrayItem(j, 3), 1000.0, 0, JNUM_MS_MAX, -1), -1);
	assert_int_equal(jnum_scaled(cJSON_GetArrayItem(j, 4), 1e300, 0, INT64_MAX, -1), -1);
	cJSON_Delete(j);
}

static void
test_readers_refuse_huge_numbers_with_a_sentence(void **state)
{
	(void)state;
	struct zpub_err err = {0};
	cJSON *c = cJSON_Parse("{\"a\":{\"n\":1e300,\"m\":-5}}");

	assert_int_equal(config_int(c, "a.n", 9), 9);
	assert_int_equal(config_int(c, "a.m", 9), -5);
	cJSON_Delete(c);

	/* A time map read back from disk with a number past any time. */
	struct tr_time_map m = {0};
	const char *bad[] = {
		"{\"segments\":[[0,1e300,0]]}",
		"{\"segments\":[{\"src_start_ms\":1e60,\"src_end_ms\":16000}]}",
		"{\"segments\":[{\"src_start\":0,\"src_end\":-1e300}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err.msg[0] = '\0';
		assert_int_not_equal(tr_time_map_parse(bad[i], &m, &err), 0);
		assert_true(err.msg[0] != '\0');
		tr_time_map_clear(&m);
	}
	assert_int_equal(tr_time_map_parse("{\"segments\":[[1000,7000,0],[9000,16000]]}", &m, &err), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(m.pieces[1].out_start_ms, 6000);
	tr_time_map_clear(&m);

	/* A Whisper answer whose word starts 1e40 s in. */
	struct transcript *t = NULL;
	int rc = tr_parse_verbose_json("{\"text\":\"a b\",\"words\":[{\"word\":\"a\",\"start\":1e40,\"end\":1}]}",
	    &t, &err);
	if (rc == 0)
		for (size_t i = 0; i < t->n_words; i++)
			assert_true(t->words[i].start_ms >= 0 && t->words[i].start_ms <= JNUM_MS_MAX);
	tr_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_range_numbers_truncate_and_others_give_the_default),
		cmocka_unit_test(test_scaled_rounds_half_away_from_zero_and_checks_the_product),
		cmocka_unit_test(test_readers_refuse_huge_numbers_with_a_sentence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
