/*
 * api_routes_artifact.c — the control API's downloads: the files the
 * store holds for a recording (its artefacts: source, cut video,
 * subtitles, thumbnails, transcript, topics, ...), listed and sent with
 * Range.  The path always comes from the store, never from the URL: the
 * URL names a recording of the caller's tenant and a kind.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "listener.h"
#include "store.h"
#include "util.h"

/* X(extension, Content-Type) */
#define ARTIFACT_TYPES(X) \
	X("mp4", "video/mp4") X("mkv", "video/x-matroska") X("mov", "video/quicktime") \
	X("webm", "video/webm") X("m4a", "audio/mp4") X("wav", "audio/wav") \
	X("mp3", "audio/mpeg") X("flac", "audio/flac") X("ogg", "audio/ogg") \
	X("vtt", "text/vtt; charset=utf-8") X("srt", "application/x-subrip; charset=utf-8") \
	X("txt", "text/plain; charset=utf-8") X("json", "application/json") \
	X("jpg", "image/jpeg") X("jpeg", "image/jpeg") X("png", "image/png") \
	X("webp", "image/webp")

static const char *
content_type(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
#define X(e, t) { e, t },
		ARTIFACT_TYPES(X)
#undef X
	};
	const char *base = strrchr(path, '/');
	const char *dot = strrchr(base ? base : path, '.');
	if (dot != NULL)
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* 1 when the recording is the caller's tenant's; replies 404 if not. */
static int
own(struct api *a, const struct api_caller *c, int64_t id, struct api_response *out)
{
	struct store_recording *r = NULL;
	struct zpub_err err;
	if (store_recording_get_in(a->st, c->tenant_id, id, &r, &err) != 0) {
		reply_error(out, 404, "no recording %lld in your tenant", (long long)id);
		return 0;
	}
	store_recording_free(r);
	return 1;
}

void
h_artifact_list(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct store_artifact *v = NULL;
	struct zpub_err err;
	int n = 0;
	(void)r;
	if (!own(a, c, id, out))
		return;
	if (store_artifacts(a->st, id, NULL, &v, &n, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		int index = 0;
		for (int k = 0; k < i; k++)
			index += strcmp(v[k].kind, v[i].kind) == 0;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", v[i].kind);
		cJSON_AddNumberToObject(o, "index", index);
		cJSON_AddNumberToObject(o, "bytes", (double)v[i].bytes);
		if (v[i].sha256 && *v[i].sha256)
			cJSON_AddStringToObject(o, "sha256", v[i].sha256);
		cJSON_AddStringToObject(o, "content_type", content_type(v[i].path));
		cJSON_AddNumberToObject(o, "created_at", (double)v[i].created_at);
		char *url = xasprintf("/recordings/%lld/artifacts/%s?index=%d", (long long)id,
		    v[i].kind, index);
		cJSON_AddStringToObject(o, "url", url);
		free(url);
		cJSON_AddItemToArray(arr, o);
	}
	store_artifacts_free(v, n);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "recording", (double)id);
	cJSON_AddItemToObject(j, "artifacts", arr);
	reply_json(out, 200, j);
}

/* Which of the kind's files: ?index=N, else the chosen thumbnail, else
 * the newest. */
static int
pick(const struct api_request *r, const struct store_artifact *v, int n, struct api_response *out)
{
	char *ix = lsn_query_get(r->query, "index");
	int k = n - 1;
	if (ix != NULL) {
		char *end;
		long i = strtol(ix, &end, 10);
		free(ix);
		if (*end != '\0' || end == ix || i < 0 || i >= n) {
			reply_error(out, 404, "there are %d files of this kind; index is 0 to %d", n,
			    n - 1);
			return -1;
		}
		return (int)i;
	}
	for (int i = 0; i < n; i++) {
		cJSON *x = v[i].extra ? cJSON_Parse(v[i].extra) : NULL;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "chosen")))
			k = i;
		cJSON_Delete(x);
	}
	return k;
}

void
h_artifact_get(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct store_artifact *v = NULL;
	struct zpub_err err;
	int n = 0, k;
	const char *kbuf = c->arg[0];   /* the router let through [a-z0-9_]{1,32} only */
	if (!own(a, c, id, out))
		return;
	if (store_artifacts(a->st, id, kbuf, &v, &n, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	if (n == 0) {
		reply_error(out, 404, "recording %lld has no '%s' file (GET /recordings/%lld/artifacts"
		    " lists what it has)", (long long)id, kbuf, (long long)id);
		goto out;
	}
	if ((k = pick(r, v, n, out)) < 0)
		goto out;
	int64_t size = fs_size(v[k].path), first = 0, last = size - 1;
	if (size < 0) {
		reply_error(out, 410, "recording %lld's '%s' file is no longer on disk (expired or"
		    " removed)", (long long)id, kbuf);
		goto out;
	}
	int rr = lsn_range_parse(r->range, size, &first, &last);
	if (rr < 0) {
		out->headers = xasprintf("Content-Range: bytes */%lld\r\nAccept-Ranges: bytes\r\n",
		    (long long)size);
		reply_error(out, 416, "the range '%s' is outside the file's %lld bytes", r->range,
		    (long long)size);
		goto out;
	}
	out->status = rr > 0 ? 206 : 200;
	out->content_type = content_type(v[k].path);
	out->file_path = xstrdup(v[k].path);
	out->file_offset = first;
	out->file_length = size == 0 ? 0 : last - first + 1;
	out->headers = rr > 0 ? xasprintf("Content-Range: bytes %lld-%lld/%lld\r\n"
	    "Accept-Ranges: bytes\r\n", (long long)first, (long long)last, (long long)size) :
	    xstrdup("Accept-Ranges: bytes\r\n");
out:
	store_artifacts_free(v, n);
}
