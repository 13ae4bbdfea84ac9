/*
 * test_net_range.c — the byte ranges of the listener: a download's Range
 * (one range, suffix, open end, unsatisfiable, ignored when malformed or a
 * list) and an upload's Content-Range (A-B/SIZE, * /SIZE, malformed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "listener.h"

static void
test_range_served(void **state)
{
	int64_t a = -1, b = -1;
	(void)state;
	assert_int_equal(lsn_range_parse("bytes=0-99", 1000, &a, &b), 1);
	assert_int_equal(a, 0);
	assert_int_equal(b, 99);
	assert_int_equal(lsn_range_parse("bytes=100-", 1000, &a, &b), 1);
	assert_int_equal(a, 100);
	assert_int_equal(b, 999);
	assert_int_equal(lsn_range_parse("bytes=-10", 1000, &a, &b), 1);
	assert_int_equal(a, 990);
	assert_int_equal(b, 999);
	/* a suffix longer than the file is the whole file */
	assert_int_equal(lsn_range_parse("bytes=-5000", 1000, &a, &b), 1);
	assert_int_equal(a, 0);
	assert_int_equal(b, 999);
	/* an end past the file is cut to it */
	assert_int_equal(lsn_range_parse("Bytes = 990-5000", 1000, &a, &b), 1);
	assert_int_equal(a, 990);
	assert_int_equal(b, 999);
	assert_int_equal(lsn_range_parse("bytes=999-999", 1000, &a, &b), 1);
	assert_int_equal(a, 999);
	assert_int_equal(b, 999);
}

static void
test_range_unsatisfiable(void **state)
{
	int64_t a, b;
	(void)state;
	assert_int_equal(lsn_range_parse("bytes=1000-", 1000, &a, &b), -1);
	assert_int_equal(lsn_range_parse("bytes=5000-6000", 1000, &a, &b), -1);
	assert_int_equal(lsn_range_parse("bytes=-0", 1000, &a, &b), -1);
	assert_int_equal(lsn_range_parse("bytes=0-", 0, &a, &b), -1);
	assert_int_equal(lsn_range_parse("bytes=-1", 0, &a, &b), -1);
}

static void
test_range_ignored(void **state)
{
	int64_t a, b;
	(void)state;
	assert_int_equal(lsn_range_parse(NULL, 1000, &a, &b), 0);
	assert_int_equal(lsn_range_parse("", 1000, &a, &b), 0);
	assert_int_equal(lsn_range_parse("items=0-1", 1000, &a, &b), 0);
	assert_int_equal(lsn_range_parse("bytes=5-1", 1000, &a, &b), 0);
	assert_int_equal(lsn_range_parse("bytes=0-1,5-6", 1000, &a, &b), 0);
	assert_int_equal(lsn_range_parse("bytes=-", 1000, &a, &b), 0);
	assert_int_equal(lsn_range_parse("bytes=a-b", 1000, &a, &b), 0);
	assert_int_equal(lsn_range_parse("bytes=0-1x", 1000, &a, &b), 0);
	assert_int_equal(lsn_range_parse("bytes=99999999999999999999-", 1000, &a, &b), 0);
}

static void
test_content_range(void **state)
{
	int64_t a, b, n;
	(void)state;
	assert_int_equal(lsn_content_range_parse("bytes 0-99/1000", &a, &b, &n), 1);
	assert_int_equal(a, 0);
	assert_int_equal(b, 99);
	assert_int_equal(n, 1000);
	assert_int_equal(lsn_content_range_parse("bytes 77922304-209219473/209219474", &a, &b,
	    &n), 1);
	assert_int_equal(a, 77922304);
	assert_int_equal(b, 209219473);
	assert_int_equal(n, 209219474);
	assert_int_equal(lsn_content_range_parse("bytes 0-9/*", &a, &b, &n), 1);
	assert_int_equal(n, -1);
	assert_int_equal(lsn_content_range_parse("bytes */1000", &a, &b, &n), 0);
	assert_int_equal(a, -1);
	assert_int_equal(n, 1000);
	/* malformed, backwards, past the size */
	assert_int_equal(lsn_content_range_parse(NULL, &a, &b, &n), -1);
	assert_int_equal(lsn_content_range_parse("bytes=0-9/10", &a, &b, &n), -1);
	assert_int_equal(lsn_content_range_parse("bytes 9-0/10", &a, &b, &n), -1);
	assert_int_equal(lsn_content_range_parse("bytes 0-10/10", &a, &b, &n), -1);
	assert_int_equal(lsn_content_range_parse("bytes 0-9", &a, &b, &n), -1);
	assert_int_equal(lsn_content_range_parse("bytes -9/10", &a, &b, &n), -1);
	assert_int_equal(lsn_content_range_parse("bytes 0-9/10 x", &a, &b, &n), -1);
	assert_int_equal(lsn_content_range_parse("bytesx 0-9/10", &a, &b, &n), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_served),
		cmocka_unit_test(test_range_unsatisfiable),
		cmocka_unit_test(test_range_ignored),
		cmocka_unit_test(test_content_range),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
