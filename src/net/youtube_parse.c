/*
 * youtube_parse.c — what YouTube's answers mean (see youtube_parse.h).
 * Every value read here ends up in a URL, a saved state or a sentence, so
 * each is checked for what it may hold, not only for being there: a video
 * id is a few URL-safe characters, a Range is "bytes=0-N" within the file,
 * a session URL is an absolute http(s) URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "text.h"
#include "wire_parse.h"
#include "youtube_parse.h"
#include "xmalloc.h"

char *
yt_clean(const char *s, size_t max_cp, size_t max_bytes)
{
	size_t n = s ? strlen(s) : 0, cp = 0, o = 0;
	char *out = xmalloc(n + 1);

	for (size_t i = 0; i < n;) {
		/* decide on whole sequences: a lead byte's claimed length is not
		 * trusted, or a '<' inside a broken sequence would be copied */
		uint32_t c;
		size_t len = utf8_decode(s + i, n - i, &c);
		if (len == 0 || s[i] == '<' || s[i] == '>') {
			i++;
			continue;
		}
		if (cp + 1 > max_cp || o + len > max_bytes)
			break;
		memcpy(out + o, s + i, len);
		o += len;
		i += len;
		cp++;
	}
	out[o] = '\0';
	return out;
}

int
yt_parse_session(long status, const char *location, char **url, struct zpub_err *err)
{
	char shown[120];

	*url = NULL;
	if (status != 200 && status != 201)
		return zpub_err_set(err, ZPUB_EREMOTE, "YouTube answered HTTP %ld where an "
		    "upload session was expected", status);
	if (location == NULL || location[0] == '\0')
		return zpub_err_set(err, ZPUB_EREMOTE, "YouTube opened no upload session "
		    "(no Location header)");
	if (!wire_url_ok(location)) {
		wire_text(shown, sizeof shown, location);
		return zpub_err_set(err, ZPUB_EREMOTE, "YouTube sent an upload session address "
		    "that is not an http(s) URL (\"%s\")", shown);
	}
	*url = xstrdup(location);
	return 0;
}

int
yt_parse_range(const char *range, int64_t total, int64_t *acked, struct zpub_err *err)
{
	char shown[80];
	int64_t last;

	if (range == NULL) {
		*acked = 0; /* absent: no byte arrived yet */
		return 0;
	}
	/* only what the contract allows: the server keeps a prefix of the file */
	if (strncmp(range, "bytes=0-", 8) == 0 && range[8] >= '0' && range[8] <= '9' &&
	    wire_int(range + 8, 0, total - 1, &last)) {
		*acked = last + 1;
		return 0;
	}
	wire_text(shown, sizeof shown, range);
	return zpub_err_set(err, ZPUB_EREMOTE, "YouTube sent an unreadable Range header "
	    "(\"%s\"; expected bytes=0-N with N below the file's %lld bytes)", shown,
	    (long long)total);
}

/* o[key] cleaned for a sentence when it is a string, else "". */
static void
text_of(const cJSON *o, const char *key, char *out, size_t n)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, key);
	wire_text(out, n, cJSON_IsString(s) ? s->valuestring : "");
}

int
yt_parse_video(const char *body, struct yt_video *v, struct zpub_err *err)
{
	char shown[80], why[128];
	cJSON *o;
	int rc;

	memset(v, 0, sizeof *v);
	if ((rc = wire_json_object(body, "YouTube", "the finished upload", &o, err)) != 0)
		return rc;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(o, "status");
	if (!cJSON_IsString(id) || !wire_id_ok(id->valuestring, YT_ID_MAX, "_-")) {
		wire_text(shown, sizeof shown, cJSON_IsString(id) ? id->valuestring : "");
		cJSON_Delete(o);
		return zpub_err_set(err, ZPUB_EREMOTE, "YouTube finished the upload but sent "
		    "%s video id%s%s%s", shown[0] ? "an unusable" : "no", shown[0] ? " (\"" : "",
		    shown, shown[0] ? "\")" : "");
	}
	snprintf(v->id, sizeof v->id, "%s", id->valuestring);
	text_of(st, "uploadStatus", v->upload_status, sizeof v->upload_status);
	if (strcmp(v->upload_status, "failed") == 0 || strcmp(v->upload_status, "rejected") == 0 ||
	    strcmp(v->upload_status, "deleted") == 0) {
		text_of(st, v->upload_status[0] == 'f' ? "failureReason" : "rejectionReason",
		    why, sizeof why);
		rc = zpub_err_set(err, ZPUB_EREMOTE, "YouTube %s the uploaded video %s "
		    "(uploadStatus %s%s%s)", v->upload_status[0] == 'd' ? "deleted" :
		    v->upload_status[0] == 'f' ? "failed" : "rejected", v->id,
		    v->upload_status, why[0] ? ", " : "", why);
		cJSON_Delete(o);
		return rc;
	}
	cJSON_Delete(o);
	return 0;
}

int
yt_parse_item(const char *body, const char *kind, char id[YT_ID_MAX + 1], struct zpub_err *err)
{
	char shown[80];
	cJSON *o;
	int rc;

	id[0] = '\0';
	if ((rc = wire_json_object(body, "YouTube", kind, &o, err)) != 0)
		return rc;
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "kind");
	const cJSON *i = cJSON_GetObjectItemCaseSensitive(o, "id");
	if (k != NULL && (!cJSON_IsString(k) || strcmp(k->valuestring, kind) != 0)) {
		wire_text(shown, sizeof shown, cJSON_IsString(k) ? k->valuestring : "?");
		cJSON_Delete(o);
		return zpub_err_set(err, ZPUB_EREMOTE, "YouTube answered with a %s where a %s "
		    "was expected", shown, kind);
	}
	/* caption and playlist item ids are base64-like; they are only recorded */
	if (i != NULL && (!cJSON_IsString(i) || !wire_id_ok(i->valuestring, YT_ID_MAX, "_-.=+"))) {
		wire_text(shown, sizeof shown, cJSON_IsString(i) ? i->valuestring : "?");
		cJSON_Delete(o);
		return zpub_err_set(err, ZPUB_EREMOTE, "YouTube's %s has an unusable id (\"%s\")",
		    kind, shown);
	}
	if (i != NULL)
		snprintf(id, YT_ID_MAX + 1, "%s", i->valuestring);
	cJSON_Delete(o);
	return 0;
}

static int
str_is(const cJSON *o, const char *key, const char *want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) && strcmp(v->valuestring, want) == 0;
}

int
yt_list_has(const char *body, const char *language, const char *name, const char *video_id,
    char id[YT_ID_MAX + 1])
{
	cJSON *o = body ? cJSON_Parse(body) : NULL;
	const cJSON *it;
	int found = 0;

	id[0] = '\0';
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "items")) {
		const cJSON *sn = cJSON_GetObjectItemCaseSensitive(it, "snippet");
		if (video_id != NULL)
			found = str_is(cJSON_GetObjectItemCaseSensitive(sn, "resourceId"), "videoId",
			    video_id);
		else
			found = language && name && str_is(sn, "language", language) &&
			    str_is(sn, "name", name);
		if (found) {
			const cJSON *iid = cJSON_GetObjectItemCaseSensitive(it, "id");
			if (cJSON_IsString(iid) && wire_id_ok(iid->valuestring, YT_ID_MAX, "_-.=+"))
				snprintf(id, YT_ID_MAX + 1, "%s", iid->valuestring);
			break;
		}
	}
	cJSON_Delete(o);
	return found;
}

static int
reason_ok(const char *s)
{
	return wire_id_ok(s, 63, "_.");
}

void
yt_parse_error(long status, const char *body, struct yt_error *e)
{
	memset(e, 0, sizeof *e);
	e->status = status;
	cJSON *j = body ? cJSON_Parse(body) : NULL;
	const cJSON *er = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(er, "message");
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(er, "errors");
	const cJSON *r0 = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(errs, 0), "reason");
	if (cJSON_IsString(r0) && reason_ok(r0->valuestring))
		snprintf(e->reason, sizeof e->reason, "%s", r0->valuestring);
	if (cJSON_IsString(m))
		wire_text(e->message, sizeof e->message, m->valuestring);
	else if (cJSON_IsString(er))
		wire_text(e->message, sizeof e->message, er->valuestring);
	cJSON_Delete(j);

	const char *r = e->reason;
	if (status == 401)
		e->verdict = YT_AUTH;
	else if (strcmp(r, "quotaExceeded") == 0)
		e->verdict = YT_QUOTA;
	else if (strcmp(r, "uploadLimitExceeded") == 0)
		e->verdict = YT_UPLOAD_LIMIT;
	else if (status == 429 || status >= 500 || status == 408 ||
	    strcmp(r, "rateLimitExceeded") == 0 || strcmp(r, "userRateLimitExceeded") == 0)
		e->verdict = YT_RETRY;
	else if (status == 403 && (strcmp(r, "insufficientPermissions") == 0 ||
	    strcmp(r, "forbidden") == 0))
		e->verdict = YT_FORBIDDEN;
	else
		e->verdict = YT_REFUSED;
}

void
yt_error_text(const struct yt_error *e, char *out, size_t n)
{
	char all[400];
	snprintf(all, sizeof all, "HTTP %ld%s%s%s%s", e->status, e->reason[0] ? " " : "",
	    e->reason, e->message[0] ? ": " : "", e->message);
	wire_text(out, n, all); /* cut on a code point, not inside one */
}
