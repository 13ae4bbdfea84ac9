/*
 * pub_update.c — sending an edit to a video already published: YouTube's
 * videos.update, captions.update / insert / delete and thumbnails.set, and
 * VK's video.edit.  Never an upload: the video stays where it is.
 *
 * These are short requests, so they run one after another with the shared
 * retry policy (http_do_retry) rather than as state machines.  YouTube's
 * videos.update replaces the whole snippet, so the current one is read
 * first and sent back with only title, description, tags (and the default
 * language when the target names one) changed.  After each step the
 * publication's fingerprint of that part moves forward and is saved, so a
 * step that fails (403 quotaExceeded, say) is all that is sent again later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "http.h"
#include "publish.h"
#include "vk_parse.h"
#include "youtube_parse.h"
#include "util.h"

/* One update run against one platform. */
struct upd {
	struct http_client *http;
	const struct pub_item *item;
	struct pub_state *st;
	const cJSON *now;
	const struct pub_hooks *hooks;
	struct pub_tuning tun;
	char *token;
	int refreshed;
	int64_t *retry_at;
	const char *what;          /* "YouTube", "VK" */
};

static const char *
upd_label(const struct upd *u)
{
	return u->item->label ? u->item->label : "the video";
}

static void
upd_free_token(struct upd *u)
{
	if (u->token) {
		sodium_memzero(u->token, strlen(u->token));
		free(u->token);
	}
	u->token = NULL;
}

/* The fingerprint of key is what the platform has now: kept, and saved. */
static int
upd_took(struct upd *u, const char *key, struct zpub_err *err)
{
	pub_sent_take(u->st, u->now, key);
	return u->hooks->save(u->hooks->ud, u->st, "done", err);
}

/* Runs req with the shared retry policy; a 401 (YouTube) or error 5 (VK,
 * seen by the caller) gets one fresh token.  resp is the caller's to free. */
static int
upd_send(struct upd *u, struct http_request *req, struct http_response *resp,
    struct zpub_err *err)
{
	struct http_retry pol = { u->tun.max_attempts, u->tun.backoff_base_ms,
		u->tun.backoff_cap_ms, u->tun.max_inline_wait_ms };
	int rc;

	req->what = u->what;
	req->connect_timeout_ms = 15000;
	if (req->timeout_ms == 0)
		req->timeout_ms = 120000;
	for (;;) {
		if (u->token == NULL && (rc = u->hooks->token(u->hooks->ud, u->refreshed,
		    &u->token, err)) != 0)
			return rc;
		if (strcmp(u->what, "YouTube") == 0)
			req->bearer = u->token;
		memset(resp, 0, sizeof *resp);
		rc = http_do_retry(u->http, req, resp, &pol, err);
		if (rc == ZPUB_EQUOTA && u->retry_at && resp->retry_after_ms > 0)
			*u->retry_at = time_now_ms() + resp->retry_after_ms;
		if (rc != 0 || resp->status != 401 || u->refreshed)
			return rc;
		/* 401: the token expired meanwhile; a fresh one, once */
		http_response_free(resp);
		upd_free_token(u);
		u->refreshed = 1;
	}
}

/* ---- YouTube ------------------------------------------------------------------ */

/* A YouTube error answer as zpub's error. */
static int
yt_refused(struct upd *u, const char *step, const struct http_response *r,
    struct zpub_err *err)
{
	struct yt_error ye;
	char why[400], iso[32];

	yt_parse_error(r->status, r->body, &ye);
	yt_error_text(&ye, why, sizeof why);
	switch (ye.verdict) {
	case YT_QUOTA:
		*u->retry_at = yt_quota_reset_ms(time_now_ms());
		time_iso(*u->retry_at, iso);
		return zpub_err_set(err, ZPUB_EQUOTA, "YouTube refused %s of %s: the project's "
		    "daily API quota is used up (quotaExceeded); run `zpub publish --update` "
		    "again after the reset at %s", step, upd_label(u), iso);
	case YT_RETRY:
		return zpub_err_set(err, ZPUB_ENET, "YouTube kept failing %s of %s (%s); zpub "
		    "will try again later", step, upd_label(u), why);
	case YT_AUTH:
	case YT_FORBIDDEN:
		return zpub_err_set(err, ZPUB_EAUTH, "YouTube refused %s of %s (%s); reconnect "
		    "the account with `zpub auth youtube`", step, upd_label(u), why);
	default:
		return zpub_err_set(err, ZPUB_EREMOTE, "YouTube refused %s of %s (%s)", step,
		    upd_label(u), why);
	}
}

/* The snippet YouTube has now (videos.list part=snippet); owned. */
static int
yt_snippet_get(struct upd *u, const char *api, cJSON **out, struct zpub_err *err)
{
	struct http_request req = {0};
	struct http_response r;
	char *url = xasprintf("%s/videos?part=snippet&id=%s", api, u->st->remote_id);
	int rc;

	*out = NULL;
	req.url = url;
	rc = upd_send(u, &req, &r, err);
	if (rc == 0 && r.status / 100 != 2)
		rc = yt_refused(u, "reading the video's details", &r, err);
	if (rc == 0) {
		cJSON *j = cJSON_Parse(r.body ? r.body : "");
		cJSON *sn = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "items"), 0), "snippet");
		if (cJSON_IsObject(sn))
			*out = cJSON_DetachItemViaPointer(
			    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "items"), 0), sn);
		else
			rc = zpub_err_set(err, ZPUB_EREMOTE, "YouTube does not list the video %s of "
			    "%s any more (deleted on the channel?); nothing was updated",
			    u->st->remote_id, upd_label(u));
		cJSON_Delete(j);
	}
	http_response_free(&r);
	free(url);
	return rc;
}

/* Sets key of sn to a copy of what want has there (or removes it). */
static void
snippet_put(cJSON *sn, const cJSON *want, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(want, key);
	if (v == NULL)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(sn, key);
	cJSON_AddItemToObject(sn, key, cJSON_Duplicate(v, 1));
}

/* videos.update: the current snippet with title, description and tags
 * (cleaned as for the upload, by yt_video_json) put in. */
static int
yt_update_snippet(struct upd *u, const char *api, struct zpub_err *err)
{
	struct http_request req = {0};
	struct http_response r = {0};
	cJSON *sn = NULL, *mroot, *mine, *body = NULL;
	char *url = NULL, *text = NULL, *json = NULL;
	int rc;

	if ((rc = yt_snippet_get(u, api, &sn, err)) != 0)
		return rc;
	json = yt_video_json(u->item);
	mroot = cJSON_Parse(json ? json : "{}");
	mine = cJSON_GetObjectItemCaseSensitive(mroot, "snippet");
	snippet_put(sn, mine, "title");
	snippet_put(sn, mine, "description");
	if (cJSON_GetObjectItemCaseSensitive(mine, "tags"))
		snippet_put(sn, mine, "tags");
	else
		cJSON_DeleteItemFromObjectCaseSensitive(sn, "tags");
	snippet_put(sn, mine, "defaultLanguage");   /* only when the target names one */
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(sn, "categoryId")))
		snippet_put(sn, mine, "categoryId");    /* required; YouTube's own is kept */
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "id", u->st->remote_id);
	cJSON_AddItemToObject(body, "snippet", sn);
	text = cJSON_PrintUnformatted(body);
	url = xasprintf("%s/videos?part=snippet", api);
	req.method = "PUT";
	req.url = url;
	req.body = text;
	req.body_len = strlen(text);
	req.content_type = "application/json; charset=UTF-8";
	rc = upd_send(u, &req, &r, err);
	if (rc == 0 && r.status / 100 != 2)
		rc = yt_refused(u, "the update of the title and description", &r, err);
	if (rc == 0 && (rc = upd_took(u, "title", err)) == 0 &&
	    (rc = upd_took(u, "description", err)) == 0)
		rc = upd_took(u, "tags", err);
	http_response_free(&r);
	cJSON_Delete(body);
	cJSON_Delete(mroot);
	free(url);
	free(text);
	free(json);
	return rc;
}

static const struct pub_caption *
caption_of(const struct pub_item *item, const char *lang)
{
	for (int i = 0; i < item->n_captions; i++)
		if (strcmp(item->captions[i].language ? item->captions[i].language : "und",
		    lang) == 0)
			return &item->captions[i];
	return NULL;
}

/* The caption id the publication has for lang ("" when none). */
static const char *
caption_id(const struct pub_state *st, const char *lang)
{
	char key[64];
	snprintf(key, sizeof key, "caption.%s", lang);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(st->steps, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* captions.update of id with c's track, or captions.insert when id is "";
 * *gone = 1 when YouTube no longer has id. */
static int
yt_caption_send(struct upd *u, const char *base, const struct pub_caption *c, const char *id,
    int *gone, struct zpub_err *err)
{
	struct http_request req = {0};
	struct http_response r = {0};
	char *meta, *body, *ctype = NULL, *url, step[64], got[YT_ID_MAX + 1];
	size_t len = 0;
	int rc;

	*gone = 0;
	cJSON *root = cJSON_CreateObject();
	if (*id)
		cJSON_AddStringToObject(root, "id", id);
	cJSON *sn = cJSON_AddObjectToObject(root, "snippet");
	cJSON_AddStringToObject(sn, "videoId", u->st->remote_id);
	cJSON_AddStringToObject(sn, "language", c->language ? c->language : "und");
	cJSON_AddStringToObject(sn, "name", c->name ? c->name : "");
	cJSON_AddBoolToObject(sn, "isDraft", 0);
	meta = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	body = yt_caption_body(meta, c->path, &len, &ctype, err);
	free(meta);
	if (body == NULL)
		return err->code;
	url = xasprintf("%s/captions?part=snippet&uploadType=multipart", base);
	req.method = *id ? "PUT" : "POST";
	req.url = url;
	req.body = body;
	req.body_len = len;
	req.content_type = ctype;
	req.timeout_ms = 300000;
	rc = upd_send(u, &req, &r, err);
	if (rc == 0 && *id && r.status == 404) {
		*gone = 1;
	} else if (rc == 0 && r.status / 100 != 2) {
		rc = yt_refused(u, *id ? "the update of the subtitles" : "the new subtitles", &r, err);
	} else if (rc == 0) {
		if (yt_parse_item(r.body, "youtube#caption", got, err) != 0)
			rc = zpub_err_prefix(err, "sending the subtitles of %s", upd_label(u));
		snprintf(step, sizeof step, "caption.%s", c->language ? c->language : "und");
		if (rc == 0)
			pub_step_done(u->st, step, got[0] ? got : id);
	}
	http_response_free(&r);
	free(url);
	free(body);
	free(ctype);
	return rc;
}

/* captions.delete of lang's track (one already gone is fine). */
static int
yt_caption_delete(struct upd *u, const char *api, const char *lang, struct zpub_err *err)
{
	struct http_request req = {0};
	struct http_response r = {0};
	char *id = http_urlencode(caption_id(u->st, lang)), *url, step[64];
	int rc = 0;

	if (id && *id) {
		url = xasprintf("%s/captions?id=%s", api, id);
		req.method = "DELETE";
		req.url = url;
		rc = upd_send(u, &req, &r, err);
		if (rc == 0 && r.status / 100 != 2 && r.status != 404)
			rc = yt_refused(u, "removing the subtitles", &r, err);
		http_response_free(&r);
		free(url);
	}
	free(id);
	snprintf(step, sizeof step, "caption.%s", lang);
	if (rc == 0 && u->st->steps)
		cJSON_DeleteItemFromObjectCaseSensitive(u->st->steps, step);
	return rc;
}

static int
yt_thumbnail_set(struct upd *u, const char *base, struct zpub_err *err)
{
	struct http_request req = {0};
	struct http_response r = {0};
	const char *p = u->item->thumbnail_path;
	size_t n = strlen(p);
	char *url = xasprintf("%s/thumbnails/set?videoId=%s", base, u->st->remote_id);
	int rc;

	req.method = "POST";
	req.url = url;
	req.upload_path = p;
	req.upload_len = -1;
	req.content_type = (n > 4 && strcasecmp(p + n - 4, ".png") == 0) ? "image/png" :
	    "image/jpeg";
	rc = upd_send(u, &req, &r, err);
	if (rc == 0 && r.status == 403 && u->hooks->journal) {
		/* a channel without custom thumbnails: as when it was published */
		u->hooks->journal(u->hooks->ud, "warn", "YouTube: the channel cannot use custom "
		    "thumbnails; the new thumbnail was not set");
	} else if (rc == 0 && r.status / 100 != 2) {
		rc = yt_refused(u, "the new thumbnail", &r, err);
	}
	http_response_free(&r);
	free(url);
	return rc;
}

int
yt_update(struct http_client *http, const struct pub_item *item, struct pub_state *st,
    const cJSON *now, const struct pub_diff *d, const struct pub_hooks *hooks,
    int64_t *retry_at_ms, struct zpub_err *err)
{
	struct upd u = { http, item, st, now, hooks, {0}, NULL, 0, retry_at_ms, "YouTube" };
	const char *api = config_str(item->config, "providers.youtube.api_base",
	    "https://www.googleapis.com/youtube/v3");
	const char *base = config_str(item->config, "providers.youtube.upload_base",
	    "https://www.googleapis.com/upload/youtube/v3");
	char key[64];
	int rc = 0, gone;

	pub_tuning_from_config(item->config, &u.tun);
	if (st->remote_id == NULL)
		return zpub_err_set(err, ZPUB_ESTATE, "%s has no YouTube video to update yet; "
		    "publish it first", upd_label(&u));
	if (d->what & PUB_CH_META)
		rc = yt_update_snippet(&u, api, err);
	for (int i = 0; rc == 0 && i < d->n_changed; i++) {
		const struct pub_caption *c = caption_of(item, d->changed[i]);
		if (c == NULL)
			continue;
		rc = yt_caption_send(&u, base, c, caption_id(st, d->changed[i]), &gone, err);
		if (rc == 0 && gone)   /* removed on the channel: a new track */
			rc = yt_caption_send(&u, base, c, "", &gone, err);
		snprintf(key, sizeof key, "captions.%s", d->changed[i]);
		if (rc == 0)
			rc = upd_took(&u, key, err);
	}
	for (int i = 0; rc == 0 && i < d->n_removed; i++) {
		rc = yt_caption_delete(&u, api, d->removed[i], err);
		snprintf(key, sizeof key, "captions.%s", d->removed[i]);
		if (rc == 0)
			rc = upd_took(&u, key, err);
	}
	if (rc == 0 && (d->what & PUB_CH_THUMBNAIL) && item->thumbnail_path &&
	    (rc = yt_thumbnail_set(&u, base, err)) == 0)
		rc = upd_took(&u, "thumbnail", err);
	upd_free_token(&u);
	return rc;
}

/* ---- VK ------------------------------------------------------------------------- */

int
vk_update(struct http_client *http, const struct pub_item *item, struct pub_state *st,
    const cJSON *now, const struct pub_diff *d, const struct pub_hooks *hooks,
    int64_t *retry_at_ms, struct zpub_err *err)
{
	struct upd u = { http, item, st, now, hooks, {0}, NULL, 0, retry_at_ms, "VK" };
	const char *api = config_str(item->config, "providers.vk.api_base",
	    "https://api.vk.com/method");
	const char *version = config_str(item->config, "providers.vk.version", "5.199");
	const char *pv = config_str(item->target, "privacy", NULL);
	const char *pc = config_str(item->target, "privacy_comment", NULL);
	char owner[32] = "", *us, *name = NULL, *desc = NULL, *url = NULL;
	int rc = 0;

	pub_tuning_from_config(item->config, &u.tun);
	if (!(d->what & (PUB_CH_TITLE | PUB_CH_DESCRIPTION)))
		goto rest;
	if (st->remote_id == NULL || strlen(st->remote_id) >= sizeof owner ||
	    (us = strchr(strcpy(owner, st->remote_id), '_')) == NULL)
		return zpub_err_set(err, ZPUB_ESTATE, "%s has no VK video to update yet; "
		    "publish it first", upd_label(&u));
	*us++ = '\0';
	name = vk_text_cut(item->title && *item->title ? item->title : "Untitled", 128);
	desc = vk_text_cut(item->description, 5000);
	url = xasprintf("%s/video.edit", api);
	for (int tries = 0; rc == 0; tries++) {
		struct http_request req = {0};
		struct http_response r = {0};
		struct vk_error ve;
		/* privacy as published: the target's, or VK's own when it names none */
		const char *kv[] = { "owner_id", owner, "video_id", us, "name", name, "desc", desc,
			"privacy_view", pv && *pv ? pv : NULL,
			"privacy_comment", pc && *pc ? pc : NULL,
			"v", version, "access_token", NULL, NULL };
		if (u.token == NULL && (rc = hooks->token(hooks->ud, u.refreshed, &u.token,
		    err)) != 0)
			break;
		kv[15] = u.token;
		char *form = http_form_urlencoded(kv);
		req.method = "POST";
		req.url = url;
		req.body = form;
		req.body_len = strlen(form);
		req.content_type = "application/x-www-form-urlencoded";
		req.retry_unsafe = 1;   /* setting the same name twice is harmless */
		rc = upd_send(&u, &req, &r, err);
		sodium_memzero(form, strlen(form));
		free(form);
		if (rc == 0 && r.status != 200)
			rc = zpub_err_set(err, r.status == 429 || r.status >= 500 ? ZPUB_ENET :
			    ZPUB_EREMOTE, "VK answered HTTP %ld to video.edit for %s", r.status,
			    upd_label(&u));
		if (rc == 0 && vk_parse_error(r.body, &ve)) {
			char why[300];
			snprintf(why, sizeof why, "error %d: %s", ve.code, ve.msg);
			if (ve.verdict == VK_AUTH && !u.refreshed) {
				upd_free_token(&u);
				u.refreshed = 1;
			} else if ((ve.verdict == VK_RATE || ve.verdict == VK_INTERNAL) &&
			    tries < u.tun.max_attempts) {
				sleep_ms(ve.verdict == VK_RATE ? 1000 :
				    backoff_ms(tries + 1, u.tun.backoff_base_ms, u.tun.backoff_cap_ms));
			} else if (ve.verdict == VK_FLOOD) {
				*retry_at_ms = time_now_ms() + 3600000;
				rc = zpub_err_set(err, ZPUB_EQUOTA, "VK flood control stopped video.edit "
				    "for %s (%s); try `zpub publish --update` again in an hour",
				    upd_label(&u), why);
			} else if (ve.verdict == VK_AUTH || ve.verdict == VK_GROUP_TOKEN) {
				rc = zpub_err_set(err, ZPUB_EAUTH, "VK refused video.edit for %s (%s); "
				    "reconnect the account with `zpub auth vk`", upd_label(&u), why);
			} else {
				rc = zpub_err_set(err, ve.verdict == VK_RATE || ve.verdict == VK_INTERNAL ?
				    ZPUB_ENET : ZPUB_EREMOTE, "VK refused video.edit for %s (%s)%s",
				    upd_label(&u), why, ve.verdict == VK_CAPTCHA ? "; sign in at vk.com "
				    "with the same account and solve the captcha first" : "");
			}
			http_response_free(&r);
			continue;
		}
		http_response_free(&r);
		break;
	}
rest:
	/* tags, subtitles and thumbnail do not go to VK (pub_diff_for): VK has
	 * all it takes once the name and description are there */
	if (rc == 0) {
		cJSON_Delete(st->sent);
		st->sent = cJSON_Duplicate(now, 1);
		rc = hooks->save(hooks->ud, st, "done", err);
	}
	upd_free_token(&u);
	free(name);
	free(desc);
	free(url);
	return rc;
}
