/* needs: src/net/vk_parse.c src/net/wire_parse.c src/base/jnum.c */
/*
 * fuzz_vk.c — VK's answers as src/net/vk_parse.c reads them, fed arbitrary
 * bytes: the {"error":{error_code, error_msg, captcha_sid}} envelope and the
 * upload host's {"error":"..."}, video.save's answer, the upload host's
 * success, video.addToAlbum's 1, a target's group and album settings, and
 * the cleanup's video.get list and video.delete's 1.  The first byte picks
 * the parser (0xe0 and up: the cleanup's).  Checks beyond "no crash": a
 * refusal always has a sentence; error text is clean UTF-8 and the verdict
 * is the one the code calls for; an accepted video.save gives an http(s)
 * upload URL, a non-zero owner id and a positive video id, both within 2^53
 * and equal to what the JSON says (never a rounded or wrapped number), so
 * the remote id "owner_video" holds only digits, '-' and '_'; group and
 * album ids are positive and within 2^53.  video.get: every entry kept has a
 * non-zero owner and a positive id within 2^53, equal to the JSON's, and a
 * creation time in range; an orphan never has a duration or a file, is
 * never the video just uploaded nor another owner's, and carries one of the
 * names sent (or a known id); the fingerprint is 16 hex digits and blind to
 * surrounding white space.  video.delete's answer is accepted only as 1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>

#include "jnum.h"
#include "vk_parse.h"
#include "util.h"
#include "check.h"
#include "fdp.h"

static void
error_env(const char *body)
{
	struct vk_error e;
	int is = vk_parse_error(body, &e);
	if (!is)
		return;
	clean_text(e.msg, "error_msg");
	CHECK(e.code >= 0 && e.code <= 1000000, "error code %d", e.code);
	CHECK(strspn(e.captcha_sid, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") ==
	    strlen(e.captcha_sid), "captcha_sid %s", e.captcha_sid);
	static const struct { int code; enum vk_verdict v; } table[] = {
		{ 5, VK_AUTH }, { 6, VK_RATE }, { 9, VK_FLOOD }, { 10, VK_INTERNAL },
		{ 14, VK_CAPTCHA }, { 27, VK_GROUP_TOKEN },
	};
	enum vk_verdict want = VK_REFUSED;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].code == e.code)
			want = table[i].v;
	CHECK(e.verdict == want, "code %d got verdict %d", e.code, (int)e.verdict);
	if (e.upload_host)
		CHECK(e.code == 0, "the upload host's error has a code");
}

/* What the JSON itself says an id is, when it is a plain number. */
static int
json_number(const char *body, const char *key, double *d)
{
	cJSON *o = cJSON_Parse(body);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(o, "response"), key);
	int ok = cJSON_IsNumber(v);
	if (ok)
		*d = v->valuedouble;
	cJSON_Delete(o);
	return ok;
}

static void
save(const char *body)
{
	struct vk_saved s;
	struct zpub_err err = {0};
	int rc = vk_parse_save(body, &s, &err);
	need_msg(rc, &err, "vk_parse_save");
	if (rc != 0) {
		clean_text(err.msg, "save refusal");
		CHECK(s.upload_url == NULL && s.owner_id == 0 && s.video_id == 0,
		    "a refused answer left values");
		return;
	}
	CHECK(s.upload_url && (strncasecmp(s.upload_url, "http://", 7) == 0 ||
	    strncasecmp(s.upload_url, "https://", 8) == 0), "upload URL %s", s.upload_url);
	CHECK(strpbrk(s.upload_url, " \t\r\n") == NULL, "upload URL holds white space");
	CHECK(s.owner_id != 0 && s.owner_id >= -JNUM_MAX && s.owner_id <= JNUM_MAX,
	    "owner id %lld", (long long)s.owner_id);
	CHECK(s.video_id > 0 && s.video_id <= JNUM_MAX, "video id %lld", (long long)s.video_id);
	double d;
	if (json_number(body, "owner_id", &d))
		CHECK(d == (double)s.owner_id, "owner_id %.17g read as %lld", d, (long long)s.owner_id);
	if (json_number(body, "video_id", &d))
		CHECK(d == (double)s.video_id, "video_id %.17g read as %lld", d, (long long)s.video_id);
	char rid[64];
	snprintf(rid, sizeof rid, "%lld_%lld", (long long)s.owner_id, (long long)s.video_id);
	CHECK(strspn(rid, "-_0123456789") == strlen(rid), "remote id %s", rid);
	vk_saved_clear(&s);
}

static void
upload(const char *body)
{
	struct zpub_err err = {0};
	need_msg(vk_parse_upload(body, &err), &err, "vk_parse_upload");
	clean_text(err.msg, "upload refusal");
}

static void
album(const char *body)
{
	struct zpub_err err = {0};
	int rc = vk_parse_album(body, &err);
	need_msg(rc, &err, "vk_parse_album");
	if (rc == 0) {
		cJSON *o = cJSON_Parse(body);
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "response");
		CHECK(cJSON_IsNumber(r) && trunc(r->valuedouble) == 1, "album answer not 1");
		cJSON_Delete(o);
	}
}

static void
delete_answer(const char *body)
{
	struct zpub_err err = {0};
	int rc = vk_parse_delete(body, &err);
	need_msg(rc, &err, "vk_parse_delete");
	clean_text(err.msg, "delete refusal");
	if (rc == 0) {
		cJSON *o = cJSON_Parse(body);
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "response");
		CHECK(cJSON_IsNumber(r) && trunc(r->valuedouble) == 1, "delete answer not 1");
		cJSON_Delete(o);
	}
}

/* k's value as VK sends ids (a number or a string of digits) equals x. */
static int
id_is(const cJSON *it, const char *k, int64_t x)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, k);
	if (cJSON_IsNumber(v))
		return v->valuedouble == (double)x;
	return cJSON_IsString(v) && strtoll(v->valuestring, NULL, 10) == x;
}

/* The JSON item that gave entry v, found by its exact ids. */
static const cJSON *
item_for(const cJSON *items, const struct vk_video *v)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, items)
		if (id_is(it, "id", v->id) && id_is(it, "owner_id", v->owner_id))
			return it;
	return NULL;
}

static void
video_list(const char *body, uint8_t knobs)
{
	struct vk_video_list l;
	struct zpub_err err = {0};
	int rc = vk_parse_video_list(body, &l, &err);
	need_msg(rc, &err, "vk_parse_video_list");
	if (rc != 0) {
		clean_text(err.msg, "video.get refusal");
		CHECK(l.items == NULL && l.n == 0, "a refused list left entries");
		return;
	}
	cJSON *o = cJSON_Parse(body);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(o, "response"), "items");
	CHECK(l.n <= cJSON_GetArraySize(items), "%d entries from %d items", l.n,
	    cJSON_GetArraySize(items));
	/* a query built from the answer itself, so that matches happen */
	const char *names[3] = { "lecture", NULL, NULL };
	const char *fps[3] = { NULL, NULL, NULL };
	char fp[17];
	int64_t known[1] = { 0 };
	if (l.n > 0 && l.items[0].title)
		names[1] = l.items[0].title;
	if (l.n > 0 && (knobs & 1)) {
		vk_text_fingerprint(l.items[0].description, fp);
		fps[1] = fp;
	}
	if (l.n > 1)
		known[0] = l.items[1].id;
	struct vk_orphan_query q = {
		.owner_id = l.n > 0 ? l.items[0].owner_id : -1,
		.keep_id = (knobs & 2) && l.n > 0 ? l.items[0].id : -1,
		.since = (knobs & 4) ? JNUM_MAX : (knobs & 8) ? 1700000000 : 0,
		.names = names, .fingerprints = fps, .known = known, .n_known = l.n > 1,
	};
	for (int i = 0; i < l.n; i++) {
		const struct vk_video *v = &l.items[i];
		CHECK(v->owner_id != 0 && v->owner_id >= -JNUM_MAX && v->owner_id <= JNUM_MAX,
		    "owner id %lld", (long long)v->owner_id);
		CHECK(v->id > 0 && v->id <= JNUM_MAX, "video id %lld", (long long)v->id);
		CHECK(v->created >= 0 && v->created <= JNUM_MAX, "created %lld", (long long)v->created);
		const cJSON *it = item_for(items, v);
		CHECK(it != NULL, "entry %lld_%lld is in no item (ids rounded or wrapped)",
		    (long long)v->owner_id, (long long)v->id);
		int orphan = vk_video_is_orphan(v, &q);
		if (orphan) {
			CHECK(!v->has_content, "an entry with content is an orphan");
			CHECK(v->id != q.keep_id, "the video just uploaded is an orphan");
			CHECK(v->owner_id == q.owner_id, "another owner's video is an orphan");
			int named = 0;
			for (int k = 0; names[k]; k++)
				named |= v->title && strcmp(v->title, names[k]) == 0;
			CHECK(named || (q.n_known && v->id == known[0]), "an orphan with another name");
			if (!(q.n_known && v->id == known[0]))
				CHECK(v->created >= q.since, "an orphan older than the marker");
		}
	}
	cJSON_Delete(o);
	vk_video_list_clear(&l);
	/* the fingerprint: fixed shape, blind to surrounding white space */
	char a[17], b[17];
	vk_text_fingerprint(body, a);
	char *padded = xasprintf(" \n%s\t\r\n", body);
	vk_text_fingerprint(padded, b);
	free(padded);
	CHECK(strlen(a) == 16 && strspn(a, "0123456789abcdef") == 16, "fingerprint %s", a);
	CHECK(strcmp(a, b) == 0, "white space changed the fingerprint");
}

static void
target(const char *json, int which)
{
	cJSON *v = cJSON_Parse(json);
	struct zpub_err err = {0};
	int64_t id = -5;
	int rc = which ? vk_album_id(v, &id, &err) : vk_group_id(v, &id, &err);
	need_msg(rc, &err, which ? "vk_album_id" : "vk_group_id");
	if (rc == 0)
		CHECK(id >= 0 && id <= JNUM_MAX, "target id %lld", (long long)id);
	else
		CHECK(id == 0, "refused target left id %lld", (long long)id);
	if (rc == 0 && id == 0)
		CHECK(v == NULL || cJSON_IsNull(v) || (cJSON_IsString(v) && !v->valuestring[0]),
		    "a set target read as no target");
	clean_text(err.msg, "target refusal");
	cJSON_Delete(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp f = { data, size };
	uint8_t mode = fdp_u8(&f);
	char *body = fdp_rest(&f);

	/* 0xe0 and up: the cleanup's answers (below keeps the older seeds' meaning) */
	if (mode >= 0xe0 && (mode & 1))
		delete_answer(body);
	else if (mode >= 0xe0)
		video_list(body, (uint8_t)((mode >> 1) & 0x0f));
	else switch (mode % 5) {
	case 0: error_env(body); break;
	case 1: save(body); break;
	case 2: upload(body); break;
	case 3: album(body); break;
	case 4: target(body, mode & 0x80); break;
	}
	free(body);
	return 0;
}
