/*
 * test_zoom_route.c — routing Zoom hosts to tenants by providers.zoom.hosts
 * (zoom_host_route): the most specific glob wins — most literal
 * characters, then fewest wildcards, then the first written — matching is
 * case-insensitive over the whole address, and a host no glob matches
 * goes nowhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "zoom_sync.h"

static const char *
route(const char *hosts_json, const char *email)
{
	static char out[64];
	cJSON *h = cJSON_Parse(hosts_json);
	const char *tenant = NULL, *glob = NULL;
	assert_non_null(h);
	int found = zoom_host_route(h, email, &tenant, &glob);
	snprintf(out, sizeof out, "%s", found ? tenant : "(none)");
	if (found)
		assert_non_null(glob);
	else
		assert_null(tenant);
	cJSON_Delete(h);
	return out;
}

static void
test_domain_beats_catch_all(void **state)
{
	(void)state;
	const char *h = "{\"*@math.uni.example\": \"math\", \"*\": \"default\"}";
	assert_string_equal(route(h, "ann@math.uni.example"), "math");
	assert_string_equal(route(h, "eve@phys.uni.example"), "default");
	/* the order written does not matter */
	h = "{\"*\": \"default\", \"*@math.uni.example\": \"math\"}";
	assert_string_equal(route(h, "ann@math.uni.example"), "math");
}

static void
test_exact_address_beats_its_domain(void **state)
{
	(void)state;
	const char *h = "{\"*@math.uni.example\": \"math\", \"dean@math.uni.example\": \"office\"}";
	assert_string_equal(route(h, "dean@math.uni.example"), "office");
	assert_string_equal(route(h, "ann@math.uni.example"), "math");
}

static void
test_more_literal_characters_win_before_fewer_wildcards(void **state)
{
	(void)state;
	/* "*@*.uni.example" has two wildcards but pins down 13 characters;
	 * the catch-all "*" pins down none: the university's glob wins. */
	const char *h = "{\"*\": \"default\", \"*@*.uni.example\": \"uni\"}";
	assert_string_equal(route(h, "eve@phys.uni.example"), "uni");
	assert_string_equal(route(h, "x@elsewhere.example"), "default");
	/* the department (17 literal) over the university (13 literal) */
	h = "{\"*@*.uni.example\": \"uni\", \"*@math.uni.example\": \"math\"}";
	assert_string_equal(route(h, "ann@math.uni.example"), "math");
}

static void
test_equal_literals_fewer_wildcards_then_first(void **state)
{
	(void)state;
	/* both pin down "@math.uni.example" (17): one '*' beats '*' and '?' */
	const char *h = "{\"?*@math.uni.example\": \"two\", \"*@math.uni.example\": \"one\"}";
	assert_string_equal(route(h, "ann@math.uni.example"), "one");
	/* a full tie: the first written */
	h = "{\"a*@math.uni.example\": \"first\", \"*n@math.uni.example\": \"second\"}";
	assert_string_equal(route(h, "ann@math.uni.example"), "first");
	/* characters are code points: "я" counts one, as "b" does */
	h = "{\"ab*@x.example\": \"first\", \"*я@x.example\": \"second\"}";
	assert_string_equal(route(h, "abя@x.example"), "first");
}

static void
test_case_insensitive_whole_address(void **state)
{
	(void)state;
	const char *h = "{\"*@Math.Uni.Example\": \"math\"}";
	assert_string_equal(route(h, "ANN@math.uni.example"), "math");
	/* the glob covers the whole address: no match on a suffix domain */
	assert_string_equal(route(h, "ann@math.uni.example.evil.test"), "(none)");
	/* character classes count as one wildcard */
	h = "{\"[ab]*@math.uni.example\": \"ab\", \"*\": \"rest\"}";
	assert_string_equal(route(h, "bob@math.uni.example"), "ab");
	assert_string_equal(route(h, "cat@math.uni.example"), "rest");
}

static void
test_unmatched_and_empty_go_nowhere(void **state)
{
	(void)state;
	const char *h = "{\"*@math.uni.example\": \"math\"}";
	assert_string_equal(route(h, "zed@other.example"), "(none)");
	assert_string_equal(route(h, ""), "(none)");
	assert_string_equal(route("{}", "ann@math.uni.example"), "(none)");
	/* an empty tenant name routes nowhere rather than to "" */
	assert_string_equal(route("{\"*\": \"\"}", "ann@math.uni.example"), "(none)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_beats_catch_all),
		cmocka_unit_test(test_exact_address_beats_its_domain),
		cmocka_unit_test(test_more_literal_characters_win_before_fewer_wildcards),
		cmocka_unit_test(test_equal_literals_fewer_wildcards_then_first),
		cmocka_unit_test(test_case_insensitive_whole_address),
		cmocka_unit_test(test_unmatched_and_empty_go_nowhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
