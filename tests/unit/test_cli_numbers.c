/* Numbers on the command line (src/cmd/cli.c): one reader for every option,
 * with its range; an id too long for 64 bits is refused, never cut down to
 * the largest.  Also the sizes people read (size_human) and the quota size
 * reader (tenant_parse_bytes) at the edge of 64 bits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "tenant.h"
#include "util.h"

static void
test_ids_are_whole_numbers_from_one_and_never_saturate(void **state)
{
	(void)state;
	assert_int_equal(cli_parse_id("12"), 12);
	assert_int_equal(cli_parse_id("9223372036854775807"), INT64_MAX);
	assert_int_equal(cli_parse_id("9223372036854775808"), 0);
	assert_int_equal(cli_parse_id("99999999999999999999999"), 0);
	assert_int_equal(cli_parse_id("0"), 0);
	assert_int_equal(cli_parse_id("-3"), 0);
	assert_int_equal(cli_parse_id("3x"), 0);
	assert_int_equal(cli_parse_id(" 3"), 0);
	assert_int_equal(cli_parse_id(""), 0);
}

static void
test_option_numbers_keep_to_their_range(void **state)
{
	(void)state;
	struct session cli;
	int64_t v = 77;
	memset(&cli, 0, sizeof cli);
	cli.cmd_name = "list";
	/* usage errors go to stderr; the test needs only the codes */
	FILE *keep = stderr;
	stderr = fopen("/dev/null", "w");
	assert_int_equal(cli_int_arg(&cli, "--limit", "5", 1, 10, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(cli_int_arg(&cli, "--limit", "-1", 1, 10, &v), 2);
	assert_int_equal(cli_int_arg(&cli, "--limit", "11", 1, 10, &v), 2);
	assert_int_equal(cli_int_arg(&cli, "--limit", "abc", 1, 10, &v), 2);
	assert_int_equal(cli_int_arg(&cli, "--limit", "1e3", 1, 10000, &v), 2);
	assert_int_equal(cli_int_arg(&cli, "--minutes", "100000000000000000000", 0, 10000000, &v), 2);
	assert_int_equal(cli_int_arg(&cli, "--port", "0", 0, 65535, &v), 0);
	assert_int_equal(v, 0);
	fclose(stderr);
	stderr = keep;
}

static void
test_sizes_read_in_units_with_one_decimal(void **state)
{
	(void)state;
	char b[32];
	size_human(0, b);
	assert_string_equal(b, "0 bytes");
	size_human(1, b);
	assert_string_equal(b, "1 byte");
	size_human(1023, b);
	assert_string_equal(b, "1023 bytes");
	size_human(1536, b);
	assert_string_equal(b, "1.5 KB");
	size_human(2359560, b);
	assert_string_equal(b, "2.3 MB");
	size_human(1048575, b);   /* rounds up into the next unit, not "1024.0 KB" */
	assert_string_equal(b, "1.0 MB");
	size_human(5.0 * 1024 * 1024 * 1024, b);
	assert_string_equal(b, "5.0 GB");
}

static void
test_quota_sizes_past_64_bits_are_refused(void **state)
{
	(void)state;
	assert_int_equal(tenant_parse_bytes("10G"), (int64_t)10 << 30);
	assert_int_equal(tenant_parse_bytes("1e20"), -1);
	assert_int_equal(tenant_parse_bytes("9000000T"), -1);
	assert_int_equal(tenant_parse_bytes("nan"), -1);
	assert_int_equal(tenant_parse_bytes("inf"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_are_whole_numbers_from_one_and_never_saturate),
		cmocka_unit_test(test_option_numbers_keep_to_their_range),
		cmocka_unit_test(test_sizes_read_in_units_with_one_decimal),
		cmocka_unit_test(test_quota_sizes_past_64_bits_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
