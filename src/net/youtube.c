/*
 * youtube.c — publishing one video to YouTube: resumable videos.insert,
 * then captions.insert for each subtitle file, playlistItems.insert and
 * thumbnails.set.
 *
 * The upload is a state machine on the shared HTTP loop.  The session URL
 * is saved before the first byte; chunks are multiples of 256 KiB streamed
 * from disk; every 308 moves the acknowledged offset (Range is inclusive and
 * absent at 0 bytes); after any interruption the session is asked
 * ("bytes *\/total") where it stands; 404/410 start a new session.  Quota
 * and channel limits stop the target with a retry time and burn no retries.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "jnum.h"
#include "http.h"
#include "publish.h"
#include "youtube_parse.h"
#include "util.h"

#define YT_UNIT 262144

enum yt_step { YT_CREATE, YT_PUT, YT_QUERY, YT_CAPTION, YT_PLAYLIST, YT_THUMB,
	YT_CAPTION_LIST, YT_PLAYLIST_LIST };

struct yt_job {
	struct http_client *http;
	const struct pub_item *item;
	struct pub_state *st;
	struct pub_hooks hooks;
	struct pub_tuning tun;
	const char *upload_base, *api_base;
	char *token;
	enum yt_step step;
	int need_query;      /* ask the session before sending more */
	int refreshed;       /* token refreshed for this step already */
	int failures;        /* consecutive retryable failures */
	int caption_i;       /* caption being sent */
	int resynced;        /* asked the session after a refused chunk */
	int verify;          /* a caption / playlist POST failed: look before resending */
	int finished;
	int64_t chunk_len;   /* bytes of the PUT in flight */
	/* the request in flight and what it points to */
	struct http_request req;
	struct http_response resp;
	char *url;
	char *body;
	size_t body_len;
	char *hdr[4];
	const char *hdrs[5];
};

static void yt_next(struct yt_job *j);

/* ---- metadata -------------------------------------------------------------- */

char *
yt_video_json(const struct pub_item *item)
{
	const cJSON *t = item->target;
	cJSON *root = cJSON_CreateObject(), *sn, *status;
	char *title = yt_clean(item->title && *item->title ? item->title : "Untitled", 100, 400);
	char *desc = yt_clean(item->description ? item->description : "", 5000, 5000);
	const char *privacy = config_str(t, "privacy", "private");
	const char *publish_at = config_str(t, "publish_at", NULL);
	char *out;

	sn = cJSON_AddObjectToObject(root, "snippet");
	cJSON_AddStringToObject(sn, "title", title ? title : "Untitled");
	cJSON_AddStringToObject(sn, "description", desc ? desc : "");
	if (item->tags != NULL) {
		cJSON *tags = cJSON_AddArrayToObject(sn, "tags");
		size_t total = 0;
		for (const char *const *tg = item->tags; *tg; tg++) {
			size_t l = utf8_len(*tg) + (strchr(*tg, ' ') ? 2 : 0);
			if (total + l + (total ? 1 : 0) > 500)
				break;
			total += l + (total ? 1 : 0);
			cJSON_AddItemToArray(tags, cJSON_CreateString(*tg));
		}
	}
	const cJSON *cat = config_find(t, "category");
	if (cJSON_IsNumber(cat)) {
		/* YouTube's category ids are small; anything else is Education (27) */
		char buf[32];
		snprintf(buf, sizeof buf, "%lld", (long long)jnum_or(cat, 1, 9999, 27));
		cJSON_AddStringToObject(sn, "categoryId", buf);
	} else {
		cJSON_AddStringToObject(sn, "categoryId", config_str(t, "category", "27"));
	}
	const char *lang = config_str(t, "language", NULL);
	if (lang && *lang)
		cJSON_AddStringToObject(sn, "defaultLanguage", lang);
	status = cJSON_AddObjectToObject(root, "status");
	if (publish_at && *publish_at) {
		/* publishAt is only accepted on a private, never-published video */
		cJSON_AddStringToObject(status, "privacyStatus", "private");
		cJSON_AddStringToObject(status, "publishAt", publish_at);
	} else {
		cJSON_AddStringToObject(status, "privacyStatus", privacy);
	}
	cJSON_AddBoolToObject(status, "selfDeclaredMadeForKids",
	    config_bool(t, "made_for_kids", 0));
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	free(title);
	free(desc);
	return out;
}

/* ---- request plumbing --------------------------------------------------------- */

static void on_response(void *ud, const struct http_request *req,
    struct http_response *resp, int rc, const struct zpub_err *err);

static void
req_reset(struct yt_job *j)
{
	http_response_free(&j->resp);
	free(j->url);
	free(j->body);
	for (int i = 0; i < 4; i++)
		free(j->hdr[i]);
	j->url = j->body = NULL;
	memset(j->hdr, 0, sizeof j->hdr);
	memset(j->hdrs, 0, sizeof j->hdrs);
	j->body_len = 0;
	memset(&j->req, 0, sizeof j->req);
	j->req.what = "YouTube";
	j->req.bearer = j->token;
	j->req.connect_timeout_ms = 15000;
	j->req.low_speed_time_s = 120;
}

static void
finish(struct yt_job *j, int rc, const struct zpub_err *err, int64_t retry_at)
{
	if (j->finished)
		return;
	j->finished = 1;
	if (rc == 0 && j->hooks.save) {
		struct zpub_err e = {0};
		j->hooks.save(j->hooks.ud, j->st, "done", &e);
	}
	j->hooks.done(j->hooks.ud, rc, err, retry_at);
}

static const char *
yt_label(const struct yt_job *j)
{
	return j->item->label ? j->item->label : "the video";
}

/* Finishes the job with code and the message fmt makes. */
static void __attribute__((format(printf, 4, 5)))
fail(struct yt_job *j, int code, int64_t retry_at, const char *fmt, ...)
{
	struct zpub_err e = {0};
	va_list ap;

	va_start(ap, fmt);
	e.code = code;
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	finish(j, code, &e, retry_at);
}

static void
save(struct yt_job *j, const char *phase)
{
	struct zpub_err e = {0};
	if (j->hooks.save && j->hooks.save(j->hooks.ud, j->st, phase, &e) != 0)
		finish(j, e.code, &e, 0);
}

static void
start(struct yt_job *j)
{
	struct zpub_err e = {0};
	int rc = http_start(j->http, &j->req, &j->resp, on_response, j, &e);
	if (rc != 0)
		finish(j, rc, &e, 0);
}

static int
upload_progress(void *ud, int64_t up_now, int64_t up_total, int64_t dn, int64_t dt)
{
	struct yt_job *j = ud;
	(void)up_total; (void)dn; (void)dt;
	if (j->hooks.progress)
		return j->hooks.progress(j->hooks.ud, j->st->bytes_acked + up_now,
		    j->st->bytes_total);
	return 0;
}

static void
issue_create(struct yt_job *j)
{
	req_reset(j);
	j->step = YT_CREATE;
	j->url = xasprintf("%s/videos?uploadType=resumable&part=snippet,status", j->upload_base);
	j->body = yt_video_json(j->item);
	j->body_len = j->body ? strlen(j->body) : 0;
	j->hdr[0] = xasprintf("X-Upload-Content-Length: %lld", (long long)j->st->bytes_total);
	j->hdr[1] = xstrdup("X-Upload-Content-Type: video/*");
	j->hdrs[0] = j->hdr[0];
	j->hdrs[1] = j->hdr[1];
	j->req.method = "POST";
	j->req.url = j->url;
	j->req.headers = j->hdrs;
	j->req.body = j->body;
	j->req.body_len = j->body_len;
	j->req.content_type = "application/json; charset=UTF-8";
	j->req.timeout_ms = 60000;
	start(j);
}

static void
issue_put(struct yt_job *j)
{
	int64_t total = j->st->bytes_total, off = j->st->bytes_acked;
	int64_t len = total - off;

	if (len > j->tun.chunk_bytes)
		len = j->tun.chunk_bytes; /* a multiple of 256 KiB; the last chunk may be any size */
	req_reset(j);
	j->step = YT_PUT;
	j->chunk_len = len;
	j->hdr[0] = xasprintf("Content-Range: bytes %lld-%lld/%lld", (long long)off,
	    (long long)(off + len - 1), (long long)total);
	j->hdrs[0] = j->hdr[0];
	j->req.method = "PUT";
	j->req.url = j->st->upload_url;
	j->req.headers = j->hdrs;
	j->req.upload_path = j->item->video_path;
	j->req.upload_offset = off;
	j->req.upload_len = len;
	j->req.content_type = "video/*";
	j->req.follow_redirects = 0; /* 308 is "resume incomplete", not a redirect */
	j->req.progress = upload_progress;
	j->req.progress_ud = j;
	start(j);
}

static void
issue_query(struct yt_job *j)
{
	req_reset(j);
	j->step = YT_QUERY;
	j->hdr[0] = xasprintf("Content-Range: bytes */%lld", (long long)j->st->bytes_total);
	j->hdrs[0] = j->hdr[0];
	j->req.method = "PUT";
	j->req.url = j->st->upload_url;
	j->req.headers = j->hdrs;
	j->req.body = "";
	j->req.body_len = 0;
	j->req.timeout_ms = 60000;
	start(j);
}

char *
yt_caption_body(const char *meta_json, const char *path, size_t *len, char **content_type,
    struct zpub_err *err)
{
	char *file = NULL, bnd[40], *body;
	size_t flen = 0;
	unsigned char rnd[12];

	if (fs_read_all(path, &file, &flen, err) != 0)
		return NULL;
	randombytes_buf(rnd, sizeof rnd);
	strcpy(bnd, "zpub-");
	sodium_bin2hex(bnd + 5, sizeof bnd - 5, rnd, sizeof rnd);
	char *head = xasprintf("--%s\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n%s\r\n"
	    "--%s\r\nContent-Type: application/octet-stream\r\n\r\n", bnd, meta_json, bnd);
	char *tail = xasprintf("\r\n--%s--\r\n", bnd);
	size_t hl = strlen(head), tl = strlen(tail);
	body = xmalloc(hl + flen + tl + 1);
	memcpy(body, head, hl);
	memcpy(body + hl, file, flen);
	memcpy(body + hl + flen, tail, tl);
	*len = hl + flen + tl;
	*content_type = xasprintf("multipart/related; boundary=%s", bnd);
	free(head);
	free(tail);
	free(file);
	return body;
}

static void
issue_caption(struct yt_job *j)
{
	const struct pub_caption *c = &j->item->captions[j->caption_i];
	struct zpub_err e = {0};
	char *meta;

	req_reset(j);
	j->step = YT_CAPTION;
	if (fs_size(c->path) > 100LL * 1024 * 1024) {
		fail(j, ZPUB_EINVAL, 0, "YouTube: the subtitles of %s are over 100 MB (%s); "
		    "they cannot be uploaded", yt_label(j), c->path);
		return;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON *sn = cJSON_AddObjectToObject(root, "snippet");
	cJSON_AddStringToObject(sn, "videoId", j->st->remote_id);
	cJSON_AddStringToObject(sn, "language", c->language ? c->language : "und");
	cJSON_AddStringToObject(sn, "name", c->name ? c->name : "");
	cJSON_AddBoolToObject(sn, "isDraft", 0);
	meta = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	j->body = yt_caption_body(meta, c->path, &j->body_len, &j->hdr[0], &e);
	free(meta);
	if (j->body == NULL) {
		finish(j, e.code, &e, 0);
		return;
	}
	j->url = xasprintf("%s/captions?part=snippet&uploadType=multipart", j->upload_base);
	j->req.method = "POST";
	j->req.url = j->url;
	j->req.body = j->body;
	j->req.body_len = j->body_len;
	j->req.content_type = j->hdr[0];
	j->req.timeout_ms = 300000;
	start(j);
}

static void
issue_playlist(struct yt_job *j)
{
	const char *pl = config_str(j->item->target, "playlist", NULL);
	req_reset(j);
	j->step = YT_PLAYLIST;
	cJSON *root = cJSON_CreateObject();
	cJSON *sn = cJSON_AddObjectToObject(root, "snippet");
	cJSON_AddStringToObject(sn, "playlistId", pl);
	cJSON *rid = cJSON_AddObjectToObject(sn, "resourceId");
	cJSON_AddStringToObject(rid, "kind", "youtube#video");
	cJSON_AddStringToObject(rid, "videoId", j->st->remote_id);
	j->body = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	j->body_len = strlen(j->body);
	j->url = xasprintf("%s/playlistItems?part=snippet", j->api_base);
	j->req.method = "POST";
	j->req.url = j->url;
	j->req.body = j->body;
	j->req.body_len = j->body_len;
	j->req.content_type = "application/json; charset=UTF-8";
	j->req.timeout_ms = 60000;
	start(j);
}

static void
issue_thumb(struct yt_job *j)
{
	const char *p = j->item->thumbnail_path;
	size_t n = strlen(p);
	req_reset(j);
	j->step = YT_THUMB;
	j->url = xasprintf("%s/thumbnails/set?videoId=%s", j->upload_base, j->st->remote_id);
	j->req.method = "POST";
	j->req.url = j->url;
	j->req.upload_path = p;
	j->req.upload_len = -1;
	j->req.content_type = (n > 4 && strcasecmp(p + n - 4, ".png") == 0) ? "image/png" : "image/jpeg";
	j->req.timeout_ms = 120000;
	start(j);
}

/* After a caption or playlist POST whose answer was lost (or was an error
 * the server may have given after doing the work), list what is there
 * before sending it again: a resent POST would add a second caption track
 * or a second playlist entry. */
static void
issue_list(struct yt_job *j, enum yt_step step)
{
	req_reset(j);
	j->step = step;
	if (step == YT_CAPTION_LIST) {
		j->url = xasprintf("%s/captions?part=snippet&videoId=%s", j->api_base,
		    j->st->remote_id);
	} else {
		char *pl = http_urlencode(config_str(j->item->target, "playlist", ""));
		j->url = xasprintf("%s/playlistItems?part=snippet&playlistId=%s&videoId=%s",
		    j->api_base, pl ? pl : "", j->st->remote_id);
		free(pl);
	}
	j->req.url = j->url;
	j->req.timeout_ms = 60000;
	start(j);
}

/* Whether a captions.list / playlistItems.list answer holds what the lost
 * POST would have made (this caption's language and name; this video),
 * with its id.  An unreadable answer holds nothing. */
static int
listed(const struct yt_job *j, const char *body, char id[YT_ID_MAX + 1])
{
	if (j->step == YT_CAPTION_LIST) {
		const struct pub_caption *c = &j->item->captions[j->caption_i];
		return yt_list_has(body, c->language ? c->language : "und",
		    c->name ? c->name : "", NULL, id);
	}
	return yt_list_has(body, NULL, NULL, j->st->remote_id, id);
}

/* ---- deciding what comes next --------------------------------------------------- */

static const char *
caption_step(const struct pub_caption *c, char buf[64])
{
	snprintf(buf, 64, "caption.%s", c->language ? c->language : "und");
	return buf;
}

static void
yt_next(struct yt_job *j)
{
	char step[64];

	if (j->finished)
		return;
	if (j->st->remote_id == NULL) {
		if (j->st->upload_url == NULL)
			issue_create(j);
		else if (j->need_query)
			issue_query(j);
		else
			issue_put(j);
		return;
	}
	for (; j->caption_i < j->item->n_captions; j->caption_i++) {
		if (!pub_step_is_done(j->st, caption_step(&j->item->captions[j->caption_i], step))) {
			if (j->verify)
				issue_list(j, YT_CAPTION_LIST);
			else
				issue_caption(j);
			return;
		}
	}
	const char *pl = config_str(j->item->target, "playlist", NULL);
	if (pl && *pl && !pub_step_is_done(j->st, "playlist")) {
		if (j->verify)
			issue_list(j, YT_PLAYLIST_LIST);
		else
			issue_playlist(j);
		return;
	}
	if (j->item->thumbnail_path && fs_exists(j->item->thumbnail_path) &&
	    !pub_step_is_done(j->st, "thumbnail")) {
		issue_thumb(j);
		return;
	}
	finish(j, 0, NULL, 0);
}

static void
resume_cb(void *ud)
{
	yt_next(ud);
}

/* A retryable failure: wait (Retry-After or backoff), then ask the session
 * where it stands before sending more. */
static void
retry_later(struct yt_job *j, int64_t retry_after_ms, const char *why)
{
	struct zpub_err e = {0};
	j->failures++;
	if (j->step == YT_PUT || j->step == YT_QUERY)
		j->need_query = 1;
	if (j->step == YT_CAPTION || j->step == YT_PLAYLIST)
		j->verify = 1;
	if (j->failures > j->tun.max_attempts) {
		zpub_err_set(&e, ZPUB_ENET,
		    "YouTube: uploading %s failed %d times in a row (last: %s); "
		    "zpub will retry later and continue from byte %lld",
		    j->item->label ? j->item->label : "the video", j->failures, why,
		    (long long)j->st->bytes_acked);
		finish(j, ZPUB_ENET, &e, time_now_ms() + j->tun.backoff_cap_ms);
		return;
	}
	int64_t wait = retry_after_ms >= 0 ? retry_after_ms
	    : backoff_ms(j->failures, j->tun.backoff_base_ms, j->tun.backoff_cap_ms);
	if (wait > j->tun.max_inline_wait_ms) {
		zpub_err_set(&e, ZPUB_EQUOTA,
		    "YouTube asked zpub to wait %lld s before going on with %s (%s); "
		    "zpub will retry then", (long long)(wait / 1000),
		    j->item->label ? j->item->label : "the video", why);
		finish(j, ZPUB_EQUOTA, &e, time_now_ms() + wait);
		return;
	}
	if (http_client_after(j->http, wait, resume_cb, j, &e) != 0)
		finish(j, e.code, &e, 0);
}

/* The finished upload's video: its id and watch URL are kept.  A video
 * YouTube failed or rejected drops the session too, so that `zpub retry`
 * uploads anew rather than asking the dead session again. */
static int
take_video(struct yt_job *j, const struct http_response *r, struct zpub_err *err)
{
	struct yt_video v;
	int rc = yt_parse_video(r->body, &v, err);
	if (rc != 0) {
		if (v.id[0] != '\0') {
			pub_state_set(&j->st->upload_url, NULL);
			j->st->bytes_acked = 0;
		}
		return rc;
	}
	pub_state_set(&j->st->remote_id, v.id);
	char *url = xasprintf("https://www.youtube.com/watch?v=%s", v.id);
	pub_state_set(&j->st->url, url);
	free(url);
	j->st->bytes_acked = j->st->bytes_total;
	return 0;
}

/* How a request ended, in the order the checks are made. */
enum yt_outcome {
	YO_LOST,          /* the connection broke: retry */
	YO_LOCAL,         /* a local error or cancellation: stop with it */
	YO_TOKEN,         /* 401: refresh the token, once */
	YO_UPLOADED,      /* 200/201 to a chunk or a query: the video exists */
	YO_PARTIAL,       /* 308: the session says how much it has */
	YO_SESSION_GONE,  /* 404/410 to a chunk or a query: start a new session */
	YO_STEP_DONE,     /* any other 2xx: the step is done */
	YO_RESYNC,        /* the first 400 to a chunk: ask the session */
	YO_UNLISTED,      /* a caption or playlist list cannot be read */
	YO_REFUSED,       /* anything else: YouTube's error says what to do */
};

static enum yt_outcome
yt_classify(const struct yt_job *j, const struct http_response *r, int rc)
{
	int upload = j->step == YT_PUT || j->step == YT_QUERY;
	long s = r->status;

	if (rc == ZPUB_ENET)
		return YO_LOST;
	if (rc != 0)
		return YO_LOCAL;
	if (s == 401)
		return YO_TOKEN;
	if ((s == 200 || s == 201) && upload)
		return YO_UPLOADED;
	if (s == 308 && upload)
		return YO_PARTIAL;
	if ((s == 404 || s == 410) && upload)
		return YO_SESSION_GONE;
	if (s >= 200 && s < 300)
		return YO_STEP_DONE;
	if (j->step == YT_PUT && s == 400 && !j->resynced)
		return YO_RESYNC;
	if ((j->step == YT_CAPTION_LIST || j->step == YT_PLAYLIST_LIST) &&
	    s != 408 && s != 429 && s < 500)
		return YO_UNLISTED;
	return YO_REFUSED;
}

/* 401: a fresh token and the same step again, once. */
static void
on_token_refused(struct yt_job *j)
{
	struct zpub_err e = {0};
	char *tok = NULL;

	if (j->refreshed) {
		fail(j, ZPUB_EAUTH, 0, "YouTube refused the account's token twice while "
		    "publishing %s; reconnect the account with `zpub auth youtube`", yt_label(j));
		return;
	}
	j->refreshed = 1;
	if (j->hooks.token(j->hooks.ud, 1, &tok, &e) != 0) {
		finish(j, e.code, &e, 0);
		return;
	}
	free(j->token);
	j->token = tok;
	if (j->step == YT_PUT)
		j->need_query = 1;
	yt_next(j);
}

/* 200/201 to a chunk or a query: the upload is complete. */
static void
on_uploaded(struct yt_job *j, const struct http_response *r)
{
	struct zpub_err pe = {0};

	if (take_video(j, r, &pe) != 0) {
		save(j, "uploading");
		fail(j, ZPUB_EREMOTE, 0, "Publishing %s: %s; check the channel before retrying",
		    yt_label(j), pe.msg);
		return;
	}
	j->failures = j->refreshed = 0;
	save(j, "processing");
	yt_next(j);
}

/* 308: the session has the bytes up to its Range. */
static void
on_partial(struct yt_job *j, const struct http_response *r)
{
	struct zpub_err pe = {0};
	int64_t acked;

	if (yt_parse_range(r->range, j->st->bytes_total, &acked, &pe) != 0) {
		fail(j, ZPUB_EREMOTE, 0, "Uploading %s stopped: %s; run `zpub retry`",
		    yt_label(j), pe.msg);
		return;
	}
	/* progress resets the failure count; a query alone does not, and a
	 * chunk the server kept none of counts as a failure */
	if (j->step == YT_PUT && acked > j->st->bytes_acked) {
		j->failures = 0;
		j->resynced = 0;
	} else if (j->step == YT_PUT) {
		j->st->bytes_acked = acked;
		retry_later(j, -1, "the server kept none of the chunk");
		return;
	}
	j->st->bytes_acked = acked;
	j->need_query = 0;
	j->refreshed = 0;
	save(j, "uploading");
	if (j->hooks.progress)
		j->hooks.progress(j->hooks.ud, acked, j->st->bytes_total);
	yt_next(j);
}

/* 404/410 to a chunk or a query: the session expired; a new one from
 * byte 0. */
static void
on_session_gone(struct yt_job *j)
{
	j->failures++;
	if (j->failures > j->tun.max_attempts) {
		fail(j, ZPUB_ENET, 0, "YouTube kept losing the upload session of %s; "
		    "zpub will retry later", yt_label(j));
		return;
	}
	pub_state_set(&j->st->upload_url, NULL);
	j->st->bytes_acked = 0;
	j->need_query = 0;
	save(j, "uploading");
	yt_next(j);
}

/* A 2xx to any other step: record what it made.  Returns -1 when the
 * answer could not be read (the job is finished then). */
static int
take_step(struct yt_job *j, const struct http_response *r)
{
	char step[64], id[YT_ID_MAX + 1];
	struct zpub_err pe = {0};
	char *url = NULL;

	switch (j->step) {
	case YT_CREATE:
		if (yt_parse_session(r->status, r->location, &url, &pe) != 0) {
			fail(j, ZPUB_EREMOTE, 0, "Uploading %s did not start: %s; run "
			    "`zpub retry`", yt_label(j), pe.msg);
			return -1;
		}
		pub_state_set(&j->st->upload_url, url);
		free(url);
		j->st->bytes_acked = 0;
		j->need_query = 0;
		save(j, "uploading"); /* the session URL is kept before the first byte */
		break;
	case YT_CAPTION:
		if (yt_parse_item(r->body, "youtube#caption", id, &pe) != 0) {
			fail(j, ZPUB_EREMOTE, 0, "Sending the subtitles of %s: %s; run "
			    "`zpub retry`", yt_label(j), pe.msg);
			return -1;
		}
		pub_step_done(j->st, caption_step(&j->item->captions[j->caption_i], step), id);
		j->caption_i++;
		save(j, "processing");
		break;
	case YT_PLAYLIST:
		if (yt_parse_item(r->body, "youtube#playlistItem", id, &pe) != 0) {
			fail(j, ZPUB_EREMOTE, 0, "Adding %s to the playlist: %s; run "
			    "`zpub retry`", yt_label(j), pe.msg);
			return -1;
		}
		pub_step_done(j->st, "playlist", config_str(j->item->target, "playlist", ""));
		save(j, "processing");
		break;
	case YT_THUMB:
		if (yt_parse_item(r->body, "youtube#thumbnailSetResponse", id, &pe) != 0) {
			fail(j, ZPUB_EREMOTE, 0, "Setting the thumbnail of %s: %s; run "
			    "`zpub retry`", yt_label(j), pe.msg);
			return -1;
		}
		pub_step_done(j->st, "thumbnail", "set");
		save(j, "processing");
		break;
	case YT_CAPTION_LIST:
	case YT_PLAYLIST_LIST:
		j->verify = 0;
		if (!listed(j, r->body, id))
			break; /* not there: yt_next sends it again */
		if (j->step == YT_CAPTION_LIST) {
			pub_step_done(j->st, caption_step(&j->item->captions[j->caption_i],
			    step), id);
			j->caption_i++;
		} else {
			pub_step_done(j->st, "playlist",
			    config_str(j->item->target, "playlist", ""));
		}
		save(j, "processing");
		break;
	default:
		break;
	}
	return 0;
}

/* An error answer: quota and channel limits stop with a retry time,
 * transient ones retry, the rest stop the target. */
static void
on_refused(struct yt_job *j, const struct http_response *r)
{
	const char *label = yt_label(j);
	struct yt_error ye;
	char why[400], iso[32];
	int64_t at;

	yt_parse_error(r->status, r->body, &ye);
	yt_error_text(&ye, why, sizeof why);
	if (ye.verdict == YT_QUOTA) {
		at = yt_quota_reset_ms(time_now_ms());
		time_iso(at, iso);
		fail(j, ZPUB_EQUOTA, at, "YouTube refused %s: the project's daily API quota "
		    "is used up (quotaExceeded); zpub will retry after the reset at %s", label, iso);
		return;
	}
	if (ye.verdict == YT_UPLOAD_LIMIT) {
		at = time_now_ms() + 24LL * 3600000;
		time_iso(at, iso);
		fail(j, ZPUB_EQUOTA, at, "YouTube refused the upload of %s: the channel "
		    "reached its daily upload limit (uploadLimitExceeded); zpub will retry "
		    "after %s", label, iso);
		return;
	}
	if (ye.verdict == YT_RETRY) {
		retry_later(j, r->retry_after_ms, why);
		return;
	}
	if (j->step == YT_THUMB && r->status == 403) {
		/* channels without custom thumbnails: not worth failing the video */
		pub_step_done(j->st, "thumbnail", "refused");
		save(j, "processing");
		yt_next(j);
		return;
	}
	if (ye.verdict == YT_FORBIDDEN) {
		fail(j, ZPUB_EAUTH, 0, "YouTube refused %s (%s); the connected account "
		    "lacks permission: reconnect it with `zpub auth youtube`", label, why);
		return;
	}
	fail(j, ZPUB_EREMOTE, 0, "YouTube refused %s for %s (%s); fix the metadata or "
	    "the file and run `zpub retry`",
	    j->step == YT_CREATE ? "the upload" : j->step == YT_CAPTION ? "the subtitles" :
	    j->step == YT_PLAYLIST ? "adding to the playlist" :
	    j->step == YT_THUMB ? "the thumbnail" : "the upload", label, why);
}

static void
on_response(void *ud, const struct http_request *req, struct http_response *r, int rc,
    const struct zpub_err *err)
{
	struct yt_job *j = ud;
	(void)req;

	switch (yt_classify(j, r, rc)) {
	case YO_LOST:
		retry_later(j, -1, r->curl_error[0] ? r->curl_error : "connection lost");
		break;
	case YO_LOCAL:
		finish(j, rc, err, 0);
		break;
	case YO_TOKEN:
		on_token_refused(j);
		break;
	case YO_UPLOADED:
		on_uploaded(j, r);
		break;
	case YO_PARTIAL:
		on_partial(j, r);
		break;
	case YO_SESSION_GONE:
		on_session_gone(j);
		break;
	case YO_STEP_DONE:
		j->failures = j->refreshed = 0;
		if (take_step(j, r) == 0)
			yt_next(j);
		break;
	case YO_RESYNC:
		/* out of step with the session (a chunk from a killed run may have
		 * landed meanwhile): ask where it stands, once, before giving up */
		j->resynced = 1;
		j->need_query = 1;
		yt_next(j);
		break;
	case YO_UNLISTED:
		/* the list cannot be read (no permission for it, say): send the
		 * item again; a duplicate beats a missing caption or entry */
		j->verify = 0;
		yt_next(j);
		break;
	case YO_REFUSED:
		on_refused(j, r);
		break;
	}
}

/* ---- public ------------------------------------------------------------------------ */

int
yt_job_start(struct http_client *http, const struct pub_item *item,
    struct pub_state *state, const struct pub_hooks *hooks, struct yt_job **out,
    struct zpub_err *err)
{
	struct yt_job *j;
	int64_t size = fs_size(item->video_path);
	int rc;

	*out = NULL;
	if (size <= 0)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "cannot publish %s to YouTube: the "
		    "video %s is missing or empty", item->label ? item->label : "the video",
		    item->video_path);
	j = xcalloc(1, sizeof *j);
	j->http = http;
	j->item = item;
	j->st = state;
	j->hooks = *hooks;
	pub_tuning_from_config(item->config, &j->tun);
	j->upload_base = config_str(item->config, "providers.youtube.upload_base",
	    "https://www.googleapis.com/upload/youtube/v3");
	j->api_base = config_str(item->config, "providers.youtube.api_base",
	    "https://www.googleapis.com/youtube/v3");
	if (state->bytes_total != size) {
		/* a different file than the session was opened for: start over */
		if (state->upload_url != NULL && state->remote_id == NULL) {
			pub_state_set(&state->upload_url, NULL);
			state->bytes_acked = 0;
		}
		if (state->remote_id == NULL)
			state->bytes_total = size;
	}
	j->need_query = state->upload_url != NULL; /* resuming: ask first */
	/* The video is up, so an earlier run may have died between sending a
	 * caption or playlist entry and saving that it did: look first. */
	j->verify = state->remote_id != NULL;
	if ((rc = hooks->token(hooks->ud, 0, &j->token, err)) != 0) {
		free(j);
		return rc;
	}
	*out = j;
	yt_next(j);
	return 0;
}

void
yt_job_free(struct yt_job *j)
{
	if (j == NULL)
		return;
	req_reset(j);
	if (j->token) {
		sodium_memzero(j->token, strlen(j->token));
		free(j->token);
	}
	free(j);
}
