/* needs: src/net/youtube_parse.c src/net/wire_parse.c */
/*
 * fuzz_youtube.c — YouTube's answers as src/net/youtube_parse.c reads them,
 * fed arbitrary bytes: the resumable session's Location, the 308's Range,
 * the finished video, the caption / playlist item / thumbnail answers, the
 * captions.list / playlistItems.list answers read after a lost POST, error
 * bodies; and yt_clean on any title.  The first byte picks the parser.
 * Checks beyond "no crash": a refusal always has a sentence; an accepted
 * session is an http(s) URL without spaces; an accepted Range is inside the
 * file and says exactly what was acked; a video id is 1-64 of [A-Za-z0-9_-]
 * (so never '/' or ".."); error text is clean UTF-8 with the verdict the
 * status and reason call for; yt_clean leaves no '<' '>' and no broken
 * UTF-8, within both caps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "youtube_parse.h"
#include "util.h"
#include "check.h"
#include "fdp.h"

static int
only(const char *s, const char *allowed)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(allowed, *s)))
			return 0;
	return 1;
}

static void
session(long status, const char *loc)
{
	struct zpub_err err = {0};
	char *url = NULL;
	int rc = yt_parse_session(status, loc, &url, &err);
	need_msg(rc, &err, "yt_parse_session");
	if (rc != 0) {
		CHECK(url == NULL, "refused session left a URL");
		clean_text(err.msg, "session refusal");
		return;
	}
	CHECK(status == 200 || status == 201, "session accepted on HTTP %ld", status);
	CHECK(url && strcmp(url, loc) == 0, "session URL differs from Location");
	CHECK(strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0,
	    "session URL is not http(s): %s", url);
	CHECK(strpbrk(url, " \t\r\n") == NULL, "session URL holds white space");
	free(url);
}

static void
range(const char *r, int64_t total)
{
	struct zpub_err err = {0};
	int64_t acked = -7;
	int rc = yt_parse_range(r, total, &acked, &err);
	need_msg(rc, &err, "yt_parse_range");
	if (rc != 0) {
		clean_text(err.msg, "range refusal");
		return;
	}
	CHECK(acked >= 0 && acked <= total, "acked %lld outside 0..%lld", (long long)acked,
	    (long long)total);
	if (r == NULL) {
		CHECK(acked == 0, "no Range but acked %lld", (long long)acked);
		return;
	}
	/* exactly what the header says: bytes=0-(acked-1), digits only */
	CHECK(acked >= 1 && strncmp(r, "bytes=0-", 8) == 0, "accepted Range %s", r);
	const char *d = r + 8;
	CHECK(*d && strspn(d, "0123456789") == strlen(d), "accepted Range %s", r);
	CHECK(strtoll(d, NULL, 10) == acked - 1, "Range %s read as %lld", r, (long long)acked);
}

static void
video(const char *body)
{
	struct zpub_err err = {0};
	struct yt_video v;
	int rc = yt_parse_video(body, &v, &err);
	need_msg(rc, &err, "yt_parse_video");
	clean_text(v.upload_status, "uploadStatus");
	if (rc != 0)
		return;
	CHECK(v.id[0] && strlen(v.id) <= YT_ID_MAX && only(v.id, "_-"), "video id %s", v.id);
	CHECK(strstr(v.id, "..") == NULL && strchr(v.id, '/') == NULL, "video id %s", v.id);
	CHECK(strcmp(v.upload_status, "failed") && strcmp(v.upload_status, "rejected") &&
	    strcmp(v.upload_status, "deleted"), "accepted a %s video", v.upload_status);
}

static void
item(const char *body, int which)
{
	static const char *const kinds[] = { "youtube#caption", "youtube#playlistItem",
		"youtube#thumbnailSetResponse" };
	struct zpub_err err = {0};
	char id[YT_ID_MAX + 1] = "junk";
	int rc = yt_parse_item(body, kinds[which % 3], id, &err);
	need_msg(rc, &err, "yt_parse_item");
	if (rc != 0) {
		clean_text(err.msg, "item refusal");
		return;
	}
	CHECK(strlen(id) <= YT_ID_MAX && only(id, "_-.=+"), "item id %s", id);
	CHECK(strstr(id, "..") == NULL && strchr(id, '/') == NULL, "item id %s", id);
}

static void
list(const char *body, int which)
{
	char id[YT_ID_MAX + 1] = "junk";
	int found = which ? yt_list_has(body, NULL, NULL, "dQw4w9WgXcQ", id)
	    : yt_list_has(body, "en", "English", NULL, id);
	CHECK(found || id[0] == '\0', "not found, yet an id");
	CHECK(strlen(id) <= YT_ID_MAX && only(id, "_-.=+"), "listed id %s", id);
	CHECK(strstr(id, "..") == NULL && strchr(id, '/') == NULL, "listed id %s", id);
	if (found)
		CHECK(strstr(body, which ? "dQw4w9WgXcQ" : "English") != NULL, "found what is not there");
}

static void
error_body(long status, const char *body, size_t n)
{
	struct yt_error e;
	char why[400];
	yt_parse_error(status, body, &e);
	clean_text(e.message, "error message");
	CHECK(only(e.reason, "_."), "reason %s", e.reason);
	if (status == 401)
		CHECK(e.verdict == YT_AUTH, "401 not an auth verdict");
	else if (strcmp(e.reason, "quotaExceeded") == 0)
		CHECK(e.verdict == YT_QUOTA, "quotaExceeded not a quota verdict");
	else if (strcmp(e.reason, "uploadLimitExceeded") == 0)
		CHECK(e.verdict == YT_UPLOAD_LIMIT, "uploadLimitExceeded verdict");
	else if (status >= 500 || status == 429 || status == 408)
		CHECK(e.verdict == YT_RETRY, "HTTP %ld not retried", status);
	yt_error_text(&e, why, n % sizeof why + 1);
	CHECK(strlen(why) < n % sizeof why + 1, "error text overflows");
	clean_text(why, "cut error text");
	yt_error_text(&e, why, sizeof why);
	clean_text(why, "error text");
}

static void
clean(const char *s, size_t max_cp, size_t max_bytes)
{
	char *c = yt_clean(s, max_cp, max_bytes);
	CHECK(c != NULL, "yt_clean failed");
	size_t n = strlen(c);
	CHECK(strpbrk(c, "<>") == NULL, "yt_clean kept a '<' or '>'");
	CHECK(utf8_valid(c, n), "yt_clean made broken UTF-8");
	CHECK(n <= max_bytes && utf8_len(c) <= max_cp, "yt_clean over its caps");
	/* cleaning what is clean changes nothing */
	char *again = yt_clean(c, max_cp, max_bytes);
	CHECK(again && strcmp(again, c) == 0, "yt_clean is not idempotent");
	free(again);
	free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp f = { data, size };
	uint8_t mode = fdp_u8(&f);
	long status = (long)fdp_range(&f, 0, 599);
	int64_t n = fdp_range(&f, 0, (int64_t)1 << 40);
	char *body = fdp_rest(&f);

	switch (mode % 7) {
	case 0: session(mode & 0x80 ? 200 : status, body); break;
	case 1: range(mode & 0x80 ? NULL : body, n); break;
	case 2: video(body); break;
	case 3: item(body, (int)(n % 3)); break;
	case 4: error_body(status, body, (size_t)n); break;
	case 5: clean(body, (size_t)(n % 200), (size_t)(n / 200 % 600)); break;
	case 6: list(body, (int)(n & 1)); break;
	}
	free(body);
	return 0;
}
