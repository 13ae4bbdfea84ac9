/*
 * test_zoom.c — the pure parts of the Zoom client: titles made safe from
 * hostile topics, media sniffing, month windows and the choice of which
 * recording files become recordings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "zoom.h"
#include "testutil.h"

static void
test_title_drops_controls_and_bidi_and_keeps_text(void **state)
{
	(void)state;
	char *t = zoom_title_sanitize("\xe2\x80\xae" "evil\xe2\x80\xac \xe2\x80\x8fRTL\xe2\x80\x8e"
	    " \xe2\x81\xa6iso\xe2\x81\xa9", 200, "x");
	assert_string_equal(t, "evil RTL iso");
	free(t);
	t = zoom_title_sanitize("Bell\a\x1b[31mred\r\nline\ttab  \x7f", 200, "x");
	assert_string_equal(t, "Bell[31mred line tab");
	free(t);
	t = zoom_title_sanitize("../../etc/passwd", 200, "x");
	assert_string_equal(t, "../../etc/passwd");   /* a title, never a path */
	free(t);
	t = zoom_title_sanitize("Лекция 3: \xd0\xbf\xd1\x80\xd0\xbe", 200, "x");
	assert_string_equal(t, "Лекция 3: про");
	free(t);
}

static void
test_title_invalid_utf8_becomes_replacement_char(void **state)
{
	(void)state;
	char *t = zoom_title_sanitize("a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d", 200, "x");
	assert_true(utf8_valid(t, strlen(t)));
	assert_non_null(strstr(t, "\xef\xbf\xbd"));
	assert_int_equal(t[0], 'a');
	free(t);
}

static void
test_title_is_capped_with_ellipsis_and_never_empty(void **state)
{
	(void)state;
	char *big = malloc(20001);
	for (int i = 0; i < 10000; i++) {
		big[2 * i] = (char)0xD0;
		big[2 * i + 1] = (char)0x96;   /* Ж */
	}
	big[20000] = '\0';
	char *t = zoom_title_sanitize(big, 200, "x");
	assert_int_equal(utf8_len(t), 200);
	assert_string_equal(t + strlen(t) - 3, "\xe2\x80\xa6");
	free(t);
	/* exactly at the cap: no ellipsis */
	big[400] = '\0';
	t = zoom_title_sanitize(big, 200, "x");
	assert_int_equal(utf8_len(t), 200);
	assert_null(strstr(t, "\xe2\x80\xa6"));
	free(t);
	free(big);
	t = zoom_title_sanitize("\x01\x02 \xe2\x80\xae  \t", 200, "Zoom meeting 1");
	assert_string_equal(t, "Zoom meeting 1");
	free(t);
}

static void
test_sniff_tells_media_from_error_pages(void **state)
{
	(void)state;
	const unsigned char mp4[] = "\x00\x00\x00\x20" "ftypisom";
	const unsigned char id3[] = "ID3\x04\x00";
	const unsigned char adts[] = "\xff\xf1\x50\x80";
	assert_string_equal(zoom_sniff_media(mp4, 12), "mp4");
	assert_string_equal(zoom_sniff_media(id3, 5), "mp3");
	assert_string_equal(zoom_sniff_media(adts, 4), "aac");
	assert_null(zoom_sniff_media((const unsigned char *)"<html><body>Forbidden", 21));
	assert_null(zoom_sniff_media((const unsigned char *)"{\"code\":124}", 12));
	assert_null(zoom_sniff_media((const unsigned char *)"Forbidden", 9));
	assert_null(zoom_sniff_media(mp4, 4));
}

static void
test_windows_are_calendar_months_at_most(void **state)
{
	(void)state;
	struct zoom_window *w;
	int n;
	assert_int_equal(zoom_windows(time_parse_iso("2026-08-01"), time_parse_iso("2026-10-31"),
	    &w, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(w[0].from, "2026-08-01");
	assert_string_equal(w[0].to, "2026-08-31");
	assert_string_equal(w[1].from, "2026-09-01");
	assert_string_equal(w[1].to, "2026-09-30");
	assert_string_equal(w[2].to, "2026-10-31");
	free(w);
	assert_int_equal(zoom_windows(time_parse_iso("2026-01-31"), time_parse_iso("2026-03-05"),
	    &w, &n), 0);
	for (int i = 0; i < n; i++) {
		int64_t d = (time_parse_iso(w[i].to) - time_parse_iso(w[i].from)) / 86400000;
		assert_true(d >= 0 && d <= 31);
		if (i > 0)
			assert_int_equal(time_parse_iso(w[i].from) - time_parse_iso(w[i - 1].to), 86400000);
	}
	assert_string_equal(w[n - 1].to, "2026-03-05");
	free(w);
	assert_int_equal(zoom_windows(time_parse_iso("2026-05-05"), time_parse_iso("2026-05-05"),
	    &w, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(w[0].from, w[0].to);
	free(w);
}

static const char *meeting_json =
    "{\"uuid\":\"u1\",\"id\":123,\"topic\":\"Лекция\\u202e 5\",\"start_time\":\"2026-10-01T09:00:00Z\","
    "\"duration\":90,\"recording_files\":["
    "{\"id\":\"a\",\"file_type\":\"MP4\",\"recording_type\":\"speaker_view\",\"status\":\"completed\","
    " \"recording_start\":\"2026-10-01T09:00:00Z\",\"recording_end\":\"2026-10-01T09:45:00Z\","
    " \"file_size\":100,\"download_url\":\"http://x/a\"},"
    "{\"id\":\"b\",\"file_type\":\"MP4\",\"recording_type\":\"shared_screen_with_speaker_view\","
    " \"status\":\"completed\",\"recording_start\":\"2026-10-01T09:00:00Z\","
    " \"recording_end\":\"2026-10-01T09:45:00Z\",\"file_size\":200,\"download_url\":\"http://x/b\"},"
    "{\"id\":\"c\",\"file_type\":\"M4A\",\"recording_type\":\"audio_only\",\"status\":\"completed\","
    " \"recording_start\":\"2026-10-01T09:00:00Z\",\"file_size\":50,\"download_url\":\"http://x/c\"},"
    "{\"id\":\"t\",\"file_type\":\"TRANSCRIPT\",\"status\":\"completed\","
    " \"recording_start\":\"2026-10-01T09:00:00Z\",\"file_size\":5,\"download_url\":\"http://x/t\"},"
    "{\"id\":\"ch\",\"file_type\":\"CHAT\",\"status\":\"completed\","
    " \"recording_start\":\"2026-10-01T09:00:00Z\",\"download_url\":\"http://x/ch\"},"
    "{\"file_type\":\"TIMELINE\",\"recording_start\":\"2026-10-01T09:00:00Z\",\"download_url\":\"http://x/tl\"},"
    "{\"id\":\"d\",\"file_type\":\"M4A\",\"status\":\"completed\",\"recording_start\":\"2026-10-01T10:00:00Z\","
    " \"recording_end\":\"2026-10-01T10:30:00Z\",\"file_size\":70,\"download_url\":\"http://x/d\"},"
    "{\"id\":\"e\",\"file_type\":\"MP4\",\"status\":\"processing\",\"recording_start\":\"2026-10-01T11:00:00Z\","
    " \"download_url\":\"http://x/e\"},"
    "{\"id\":\"f\",\"file_type\":\"M4A\",\"status\":\"completed\",\"recording_start\":\"2026-10-01T11:00:00Z\","
    " \"file_size\":10,\"download_url\":\"http://x/f\"}"
    "]}";

static void
test_items_prefer_best_mp4_fall_back_to_m4a_and_wait_for_processing(void **state)
{
	(void)state;
	cJSON *m = cJSON_Parse(meeting_json);
	struct zoom_item *it;
	int n, processing = 0;
	assert_non_null(m);
	assert_int_equal(zoom_meeting_items(m, &it, &n, &processing), 0);
	assert_int_equal(n, 2);
	assert_int_equal(processing, 1);          /* segment 3: video still processing */
	assert_string_equal(it[0].file_id, "b");  /* shared screen beats speaker view */
	assert_string_equal(it[0].file_type, "MP4");
	assert_int_equal(it[0].file_size, 200);
	assert_int_equal(it[0].duration_ms, 45 * 60000);
	assert_string_equal(it[0].title, "Лекция 5 (part 1)");
	assert_string_equal(it[1].file_id, "d");  /* audio only segment */
	assert_string_equal(it[1].file_type, "M4A");
	assert_string_equal(it[1].title, "Лекция 5 (part 2)");
	const cJSON *tr = cJSON_GetObjectItem(it[0].meta, "transcript");
	assert_non_null(tr);
	assert_string_equal(cJSON_GetObjectItem(tr, "id")->valuestring, "t");
	assert_null(cJSON_GetObjectItem(it[1].meta, "transcript"));
	const cJSON *f = cJSON_GetObjectItem(it[0].meta, "file");
	assert_string_equal(cJSON_GetObjectItem(f, "download_url")->valuestring, "http://x/b");
	/* the raw topic is kept in source_meta, the title is clean */
	assert_string_equal(cJSON_GetObjectItem(it[0].meta, "topic")->valuestring, "Лекция\u202e 5");
	zoom_items_free(it, n);
	cJSON_Delete(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_title_drops_controls_and_bidi_and_keeps_text),
		cmocka_unit_test(test_title_invalid_utf8_becomes_replacement_char),
		cmocka_unit_test(test_title_is_capped_with_ellipsis_and_never_empty),
		cmocka_unit_test(test_sniff_tells_media_from_error_pages),
		cmocka_unit_test(test_windows_are_calendar_months_at_most),
		cmocka_unit_test(test_items_prefer_best_mp4_fall_back_to_m4a_and_wait_for_processing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
