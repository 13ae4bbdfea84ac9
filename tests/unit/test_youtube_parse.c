/*
 * test_youtube_parse.c — reading YouTube's answers (src/net/youtube_parse.c)
 * and VK's (src/net/vk_parse.c) on the shapes API_CONTRACTS.md gives and on
 * the hostile ones the fuzzers found worth pinning: yt_clean never keeps a
 * '<' inside broken UTF-8, a Range is "bytes=0-N" inside the file, ids that
 * go into URLs are refused rather than rounded, wrapped or passed on with a
 * '/'.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vk_parse.h"
#include "youtube_parse.h"

static void
test_yt_clean_drops_angle_brackets_inside_broken_utf8(void **state)
{
	(void)state;
	/* 0xC3 claims a two-byte sequence; the '<' after it once rode along */
	char *c = yt_clean("a\xc3<b>\xe2\x82<c", 100, 100);
	assert_string_equal(c, "abc");
	free(c);
	c = yt_clean("Лекция <3> — сортировка", 100, 400);
	assert_string_equal(c, "Лекция 3 — сортировка");
	free(c);
	/* caps are code points and bytes, never cutting a character */
	c = yt_clean("Яблоко", 3, 100);
	assert_string_equal(c, "Ябл");
	free(c);
	c = yt_clean("Яблоко", 100, 5);
	assert_string_equal(c, "Яб");
	free(c);
}

static void
test_yt_range_is_an_inclusive_prefix_inside_the_file(void **state)
{
	struct zpub_err err = {0};
	int64_t acked = -1;
	(void)state;
	assert_int_equal(yt_parse_range(NULL, 1000, &acked, &err), 0);
	assert_int_equal(acked, 0);
	assert_int_equal(yt_parse_range("bytes=0-262143", 1000000, &acked, &err), 0);
	assert_int_equal(acked, 262144);
	assert_int_equal(yt_parse_range("bytes=0-999", 1000, &acked, &err), 0);
	assert_int_equal(acked, 1000);
	const char *bad[] = { "bytes=0-1000", "bytes=5-10", "bytes=0-", "bytes=0--1",
		"bytes=0-9223372036854775807", "bytes=0-99999999999999999999", "bytes=0- 5",
		"bytes=0-5x", "", "bytes 0-5" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		assert_int_not_equal(yt_parse_range(bad[i], 1000, &acked, &err), 0);
		assert_non_null(strstr(err.msg, "Range"));
	}
}

static void
test_yt_session_video_and_items(void **state)
{
	struct zpub_err err = {0};
	struct yt_video v;
	char *url = NULL, id[YT_ID_MAX + 1];
	(void)state;
	assert_int_equal(yt_parse_session(200, "https://www.googleapis.com/upload/youtube/v3/"
	    "videos?uploadType=resumable&upload_id=AB", &url, &err), 0);
	free(url);
	assert_int_not_equal(yt_parse_session(200, NULL, &url, &err), 0);
	assert_non_null(strstr(err.msg, "Location"));
	assert_int_not_equal(yt_parse_session(200, "file:///etc/passwd", &url, &err), 0);
	assert_int_not_equal(yt_parse_session(200, "https://x/a b", &url, &err), 0);
	assert_null(url);

	assert_int_equal(yt_parse_video("{\"kind\":\"youtube#video\",\"id\":\"dQw4w9WgXcQ\","
	    "\"status\":{\"uploadStatus\":\"uploaded\"}}", &v, &err), 0);
	assert_string_equal(v.id, "dQw4w9WgXcQ");
	assert_string_equal(v.upload_status, "uploaded");
	assert_int_not_equal(yt_parse_video("{\"id\":\"../x\"}", &v, &err), 0);
	assert_int_not_equal(yt_parse_video("{\"id\":\"a/b\"}", &v, &err), 0);
	assert_int_not_equal(yt_parse_video("{\"id\":12}", &v, &err), 0);
	assert_int_not_equal(yt_parse_video("<html>", &v, &err), 0);
	assert_int_not_equal(yt_parse_video("{\"id\":\"abc\",\"status\":{\"uploadStatus\":"
	    "\"rejected\",\"rejectionReason\":\"duplicate\"}}", &v, &err), 0);
	assert_non_null(strstr(err.msg, "duplicate"));

	assert_int_equal(yt_parse_item("{\"kind\":\"youtube#caption\",\"id\":\"AUieDa\"}",
	    "youtube#caption", id, &err), 0);
	assert_string_equal(id, "AUieDa");
	assert_int_equal(yt_parse_item("{\"kind\":\"youtube#thumbnailSetResponse\",\"items\":[]}",
	    "youtube#thumbnailSetResponse", id, &err), 0);
	assert_string_equal(id, "");
	assert_int_not_equal(yt_parse_item("{\"kind\":\"youtube#video\"}", "youtube#caption", id,
	    &err), 0);
}

static void
test_yt_error_verdicts(void **state)
{
	struct yt_error e;
	(void)state;
	yt_parse_error(403, "{\"error\":{\"code\":403,\"message\":\"over\\nquota\",\"errors\":"
	    "[{\"reason\":\"quotaExceeded\"}]}}", &e);
	assert_int_equal(e.verdict, YT_QUOTA);
	assert_string_equal(e.message, "over?quota");
	yt_parse_error(400, "{\"error\":{\"errors\":[{\"reason\":\"uploadLimitExceeded\"}]}}", &e);
	assert_int_equal(e.verdict, YT_UPLOAD_LIMIT);
	yt_parse_error(403, "{\"error\":{\"errors\":[{\"reason\":\"insufficientPermissions\"}]}}", &e);
	assert_int_equal(e.verdict, YT_FORBIDDEN);
	yt_parse_error(401, "{\"error\":{\"errors\":[{\"reason\":\"authError\"}]}}", &e);
	assert_int_equal(e.verdict, YT_AUTH);
	yt_parse_error(503, "Backend Error", &e);
	assert_int_equal(e.verdict, YT_RETRY);
	yt_parse_error(400, "{\"error\":{\"errors\":[{\"reason\":\"invalid title\\u0001\"}]}}", &e);
	assert_int_equal(e.verdict, YT_REFUSED);
	assert_string_equal(e.reason, "");
}

static void
test_vk_ids_are_refused_not_rounded(void **state)
{
	struct vk_saved s;
	struct zpub_err err = {0};
	(void)state;
	assert_int_equal(vk_parse_save("{\"response\":{\"upload_url\":\"https:\\/\\/vu.mycdn.me\\/"
	    "upload.do?id=1\",\"video_id\":456239017,\"owner_id\":-777}}", &s, &err), 0);
	assert_string_equal(s.upload_url, "https://vu.mycdn.me/upload.do?id=1");
	assert_int_equal(s.owner_id, -777);
	assert_int_equal(s.video_id, 456239017);
	vk_saved_clear(&s);
	const char *bad[] = {
		"{\"response\":{\"upload_url\":\"https://x/u\",\"video_id\":1e30,\"owner_id\":1}}",
		"{\"response\":{\"upload_url\":\"https://x/u\",\"video_id\":1.5,\"owner_id\":1}}",
		"{\"response\":{\"upload_url\":\"https://x/u\",\"video_id\":-3,\"owner_id\":1}}",
		"{\"response\":{\"upload_url\":\"https://x/u\",\"video_id\":3,\"owner_id\":0}}",
		"{\"response\":{\"upload_url\":\"https://x/u\",\"video_id\":\"3/..\",\"owner_id\":1}}",
		"{\"response\":{\"upload_url\":\"javascript:1\",\"video_id\":3,\"owner_id\":1}}",
		"{\"response\":{\"video_id\":3,\"owner_id\":1}}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		assert_int_not_equal(vk_parse_save(bad[i], &s, &err), 0);
		assert_non_null(strstr(err.msg, "video.save"));
		assert_null(s.upload_url);
	}
}

static void
test_vk_error_envelope_and_targets(void **state)
{
	struct vk_error e;
	struct zpub_err err = {0};
	int64_t id;
	(void)state;
	assert_true(vk_parse_error("{\"error\":{\"error_code\":14,\"error_msg\":\"Captcha needed\","
	    "\"captcha_sid\":\"548213581273\"}}", &e));
	assert_int_equal(e.verdict, VK_CAPTCHA);
	assert_string_equal(e.captcha_sid, "548213581273");
	assert_true(vk_parse_error("{\"error\":{\"error_code\":4294967301,\"error_msg\":\"x\"}}", &e));
	assert_int_equal(e.code, 0); /* not 5 by wrapping */
	assert_int_equal(e.verdict, VK_REFUSED);
	assert_true(vk_parse_error("{\"error\":\"invalid hash\"}", &e));
	assert_true(e.upload_host);
	assert_false(vk_parse_error("{\"response\":1}", &e));
	assert_int_equal(vk_parse_album("{\"response\":1}", &err), 0);
	assert_int_not_equal(vk_parse_album("{\"response\":0}", &err), 0);

	cJSON *v = cJSON_Parse("\"club777\"");
	assert_int_equal(vk_group_id(v, &id, &err), 0);
	assert_int_equal(id, 777);
	cJSON_Delete(v);
	v = cJSON_Parse("-123");
	assert_int_equal(vk_group_id(v, &id, &err), 0);
	assert_int_equal(id, 123);
	cJSON_Delete(v);
	v = cJSON_Parse("1e300");
	assert_int_not_equal(vk_group_id(v, &id, &err), 0);
	assert_non_null(strstr(err.msg, "group"));
	cJSON_Delete(v);
	v = cJSON_Parse("\"club../1\"");
	assert_int_not_equal(vk_group_id(v, &id, &err), 0);
	cJSON_Delete(v);
	v = cJSON_Parse("\"-4\"");
	assert_int_not_equal(vk_album_id(v, &id, &err), 0);
	cJSON_Delete(v);
	assert_int_equal(vk_album_id(NULL, &id, &err), 0);
	assert_int_equal(id, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yt_clean_drops_angle_brackets_inside_broken_utf8),
		cmocka_unit_test(test_yt_range_is_an_inclusive_prefix_inside_the_file),
		cmocka_unit_test(test_yt_session_video_and_items),
		cmocka_unit_test(test_yt_error_verdicts),
		cmocka_unit_test(test_vk_ids_are_refused_not_rounded),
		cmocka_unit_test(test_vk_error_envelope_and_targets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
