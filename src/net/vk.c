/*
 * vk.c — publishing one video to VK: video.save (name, description, group,
 * privacy) -> multipart upload of the file (field video_file) to the
 * returned URL on VK's upload host -> video.addToAlbum when an album is set.
 *
 * VK reports API errors inside HTTP 200 bodies ({"error":{"error_code"}}):
 * 5 = the token is bad (refresh once, then "reconnect"), 6 = too many
 * requests per second (back off a second), 9 = flood control (stop, retry
 * in an hour), 14 = captcha (stop: a person must act), 10 = internal
 * (retry), others refuse the target.  Same state machine shape as youtube.c.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "net/http.h"
#include "net/publish.h"
#include "net/vk_parse.h"
#include "util.h"

enum vk_step { VK_SAVE, VK_UPLOAD, VK_ALBUM };

struct vk_job {
	struct http_client *http;
	const struct pub_item *item;
	struct pub_state *st;
	struct pub_hooks hooks;
	struct pub_tuning tun;
	const char *api_base, *version;
	char *token;
	enum vk_step step;
	int refreshed, failures, finished;
	struct http_request req;
	struct http_response resp;
	struct http_form *form;
	char *url, *body;
};

static void vk_next(struct vk_job *j);
static void on_response(void *ud, const struct http_request *req,
    struct http_response *resp, int rc, const struct zpub_err *err);

static const char *
label(const struct vk_job *j)
{
	return j->item->label ? j->item->label : "the video";
}

static void
finish(struct vk_job *j, int rc, const struct zpub_err *err, int64_t retry_at)
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

static void
save(struct vk_job *j, const char *phase)
{
	struct zpub_err e = {0};
	if (j->hooks.save && j->hooks.save(j->hooks.ud, j->st, phase, &e) != 0)
		finish(j, e.code, &e, 0);
}

static void
req_reset(struct vk_job *j)
{
	http_response_free(&j->resp);
	http_form_free(j->form);
	j->form = NULL;
	free(j->url);
	if (j->body) {
		sodium_memzero(j->body, strlen(j->body)); /* it carries the token */
		free(j->body);
	}
	j->url = j->body = NULL;
	memset(&j->req, 0, sizeof j->req);
	j->req.what = "VK";
	j->req.connect_timeout_ms = 15000;
	j->req.low_speed_time_s = 120;
}

static void
start(struct vk_job *j)
{
	struct zpub_err e = {0};
	int rc = http_start(j->http, &j->req, &j->resp, on_response, j, &e);
	if (rc != 0)
		finish(j, rc, &e, 0);
}

/* Group id from the target ("club123", "-123", "123" -> "123"); NULL if
 * none.  vk_job_start refuses a group that is not an id, so the marker for
 * one only ever shows in the dry-run text. */
static char *
group_id(const cJSON *t)
{
	int64_t id;
	if (vk_group_id(config_find(t, "group"), &id, NULL) != 0)
		return xstrdup("(not a community id)");
	return id > 0 ? xasprintf("%lld", (long long)id) : NULL;
}

/* Album id from the target; NULL if none (see group_id). */
static char *
album_id(const cJSON *t)
{
	int64_t id;
	if (vk_album_id(config_find(t, "album"), &id, NULL) != 0)
		return xstrdup("(not an album id)");
	return id > 0 ? xasprintf("%lld", (long long)id) : NULL;
}

/* name <= 128 characters, description <= 5000 */
static char *
cut_cp(const char *s, size_t max_cp)
{
	size_t cp = 0, i = 0;
	if (s == NULL)
		return xstrdup("");
	while (s[i] && cp < max_cp) {
		unsigned char c = (unsigned char)s[i];
		i += c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
		cp++;
	}
	char *out = malloc(i + 1);
	if (out) {
		memcpy(out, s, i);
		out[i] = '\0';
	}
	return out;
}

/* The video.save parameters except the token, as key/value pairs (owned). */
static void
save_params(const struct pub_item *item, char *kv[24])
{
	const cJSON *t = item->target;
	int n = 0;
	memset(kv, 0, 24 * sizeof *kv);
	kv[n++] = xstrdup("name");
	kv[n++] = cut_cp(item->title && *item->title ? item->title : "Untitled", 128);
	kv[n++] = xstrdup("description");
	kv[n++] = cut_cp(item->description, 5000);
	kv[n++] = xstrdup("wallpost");
	kv[n++] = xstrdup(config_bool(t, "wallpost", 0) ? "1" : "0");
	char *g = group_id(t);
	if (g) {
		kv[n++] = xstrdup("group_id");
		kv[n++] = g;
	}
	const char *privacy = config_str(t, "privacy", NULL);
	if (privacy && *privacy) {
		kv[n++] = xstrdup("privacy_view");
		kv[n++] = xstrdup(privacy);
	}
	const char *pc = config_str(t, "privacy_comment", NULL);
	if (pc && *pc) {
		kv[n++] = xstrdup("privacy_comment");
		kv[n++] = xstrdup(pc);
	}
	if (config_bool(t, "is_private", 0)) {
		kv[n++] = xstrdup("is_private");
		kv[n++] = xstrdup("1");
	}
}

static void
free_kv(char **kv)
{
	for (int i = 0; i < 24; i++)
		free(kv[i]);
}

char *
vk_save_params_text(const struct pub_item *item)
{
	char *kv[24], *out = xstrdup("");
	save_params(item, kv);
	for (int i = 0; kv[i]; i += 2) {
		char *n = xasprintf("%s%s=%s\n", out, kv[i], kv[i + 1]);
		free(out);
		out = n;
	}
	free_kv(kv);
	return out;
}

/* POST <api_base>/<method> with form fields + v + access_token. */
static void
issue_method(struct vk_job *j, enum vk_step step, const char *method, char **kv)
{
	const char *all[40];
	int n = 0;

	req_reset(j);
	j->step = step;
	for (int i = 0; kv[i] && n < 34; i += 2) {
		all[n++] = kv[i];
		all[n++] = kv[i + 1];
	}
	all[n++] = "v";
	all[n++] = j->version;
	all[n++] = "access_token";
	all[n++] = j->token;
	all[n] = NULL;
	j->body = http_form_urlencoded(all);
	j->url = xasprintf("%s/%s", j->api_base, method);
	j->req.method = "POST";
	j->req.url = j->url;
	j->req.body = j->body;
	j->req.body_len = j->body ? strlen(j->body) : 0;
	j->req.content_type = "application/x-www-form-urlencoded";
	j->req.timeout_ms = 60000;
	start(j);
}

static void
issue_save(struct vk_job *j)
{
	char *kv[24];
	save_params(j->item, kv);
	issue_method(j, VK_SAVE, "video.save", kv);
	free_kv(kv);
}

static int
upload_progress(void *ud, int64_t up_now, int64_t up_total, int64_t dn, int64_t dt)
{
	struct vk_job *j = ud;
	(void)dn; (void)dt;
	if (j->hooks.progress && up_total > 0) {
		/* the multipart envelope is a few hundred bytes: scale to the file */
		int64_t sent = up_now * j->st->bytes_total / up_total;
		j->hooks.progress(j->hooks.ud, sent, j->st->bytes_total);
	}
	return 0;
}

static void
issue_upload(struct vk_job *j)
{
	struct zpub_err e = {0};
	const char *p = j->item->video_path, *slash = strrchr(p, '/');

	req_reset(j);
	j->step = VK_UPLOAD;
	j->form = http_form_new();
	if (j->form == NULL ||
	    http_form_add_file(j->form, "video_file", p, slash ? slash + 1 : p, "video/mp4", &e) != 0) {
		if (e.code == 0)
			zpub_err_set(&e, ZPUB_ENOMEM, "out of memory");
		finish(j, e.code, &e, 0);
		return;
	}
	j->req.method = "POST";
	j->req.url = j->st->upload_url;
	j->req.form = j->form;
	j->req.progress = upload_progress;
	j->req.progress_ud = j;
	j->req.follow_redirects = 1;
	start(j);
}

static void
issue_album(struct vk_job *j)
{
	char *kv[24] = {0};
	char *owner = xstrdup(j->st->remote_id), *us = strchr(owner, '_');
	char *g = group_id(j->item->target);
	if (us)
		*us = '\0';
	kv[0] = xstrdup("target_id");
	kv[1] = g ? xasprintf("-%s", g) : xstrdup(owner);
	kv[2] = xstrdup("album_id");
	kv[3] = album_id(j->item->target);
	kv[4] = xstrdup("owner_id");
	kv[5] = xstrdup(owner);
	kv[6] = xstrdup("video_id");
	kv[7] = xstrdup(us ? us + 1 : "");
	issue_method(j, VK_ALBUM, "video.addToAlbum", kv);
	free_kv(kv);
	free(g);
	free(owner);
}

static void
vk_next(struct vk_job *j)
{
	if (j->finished)
		return;
	if (!pub_step_is_done(j->st, "uploaded")) {
		if (j->st->remote_id == NULL || j->st->upload_url == NULL)
			issue_save(j);
		else
			issue_upload(j);
		return;
	}
	char *album = album_id(j->item->target);
	if (album != NULL && !pub_step_is_done(j->st, "album")) {
		free(album);
		issue_album(j);
		return;
	}
	free(album);
	finish(j, 0, NULL, 0);
}

static void
resume_cb(void *ud)
{
	vk_next(ud);
}

static void
retry_later(struct vk_job *j, int64_t wait_ms, const char *why)
{
	struct zpub_err e = {0};
	j->failures++;
	if (j->failures > j->tun.max_attempts) {
		zpub_err_set(&e, ZPUB_ENET, "VK: publishing %s failed %d times in a row "
		    "(last: %s); zpub will retry later", label(j), j->failures, why);
		finish(j, ZPUB_ENET, &e, time_now_ms() + j->tun.backoff_cap_ms);
		return;
	}
	if (wait_ms < 0)
		wait_ms = http_backoff_ms(j->failures, j->tun.backoff_base_ms, j->tun.backoff_cap_ms);
	if (wait_ms > j->tun.max_inline_wait_ms) {
		zpub_err_set(&e, ZPUB_EQUOTA, "VK asked zpub to wait %lld s before going on with "
		    "%s (%s); zpub will retry then", (long long)(wait_ms / 1000), label(j), why);
		finish(j, ZPUB_EQUOTA, &e, time_now_ms() + wait_ms);
		return;
	}
	if (http_client_after(j->http, wait_ms, resume_cb, j, &e) != 0)
		finish(j, e.code, &e, 0);
}

static void
api_error(struct vk_job *j, const struct vk_error *ve)
{
	const char *what = j->step == VK_SAVE ? "video.save" : j->step == VK_ALBUM ?
	    "video.addToAlbum" : "the upload";
	struct zpub_err e = {0};
	char why[300];

	snprintf(why, sizeof why, "error %d: %s", ve->code, ve->msg);
	if (j->step == VK_ALBUM && ve->code == 800) {
		/* "This video is already added": a try whose answer was lost did it */
		pub_step_done(j->st, "album", "1");
		save(j, "processing");
		vk_next(j);
		return;
	}
	switch (ve->verdict) {
	case VK_AUTH: {
		if (!j->refreshed) {
			char *tok = NULL;
			j->refreshed = 1;
			if (j->hooks.token(j->hooks.ud, 1, &tok, &e) != 0) {
				finish(j, e.code, &e, 0);
				return;
			}
			free(j->token);
			j->token = tok;
			vk_next(j);
			return;
		}
		zpub_err_set(&e, ZPUB_EAUTH, "VK refused the account's token for %s (%s); "
		    "reconnect the account with `zpub auth vk`", label(j), why);
		finish(j, ZPUB_EAUTH, &e, 0);
		return;
	}
	case VK_RATE:
		retry_later(j, 1000 + (int64_t)randombytes_uniform(500), why);
		return;
	case VK_INTERNAL:
		retry_later(j, -1, why);
		return;
	case VK_FLOOD: {
		int64_t at = time_now_ms() + 3600000;
		char iso[32];
		time_iso(at, iso);
		zpub_err_set(&e, ZPUB_EQUOTA, "VK flood control stopped %s for %s (%s); "
		    "zpub will retry after %s", what, label(j), why, iso);
		finish(j, ZPUB_EQUOTA, &e, at);
		return;
	}
	case VK_CAPTCHA: {
		zpub_err_set(&e, ZPUB_EREMOTE, "VK asks for a captcha before %s for %s "
		    "(captcha_sid %s); sign in at vk.com with the same account, solve it, "
		    "then run `zpub retry`", what, label(j),
		    ve->captcha_sid[0] ? ve->captcha_sid : "?");
		finish(j, ZPUB_EREMOTE, &e, 0);
		return;
	}
	case VK_GROUP_TOKEN:
		zpub_err_set(&e, ZPUB_EAUTH, "VK refused %s for %s: a community token cannot "
		    "upload videos (%s); connect a user account with `zpub auth vk`",
		    what, label(j), why);
		finish(j, ZPUB_EAUTH, &e, 0);
		return;
	case VK_REFUSED:
		zpub_err_set(&e, ZPUB_EREMOTE, "VK refused %s for %s (%s); fix the target "
		    "settings (group, album, privacy) and run `zpub retry`", what, label(j), why);
		finish(j, ZPUB_EREMOTE, &e, 0);
		return;
	}
}

/* An answer the step's parser refused (pe): the target stops. */
static void
refuse(struct vk_job *j, const struct zpub_err *pe)
{
	struct zpub_err e = {0};
	zpub_err_set(&e, pe->code, "publishing %s: %s; run `zpub retry` later", label(j), pe->msg);
	finish(j, pe->code, &e, 0);
}

static void
on_response(void *ud, const struct http_request *req, struct http_response *r, int rc,
    const struct zpub_err *err)
{
	struct vk_job *j = ud;
	struct vk_error ve;
	struct zpub_err pe = {0};
	char why[300];
	(void)req;

	if (rc == ZPUB_ENET) {
		retry_later(j, -1, r->curl_error[0] ? r->curl_error : "connection lost");
		return;
	}
	if (rc != 0) {
		finish(j, rc, err, 0);
		return;
	}
	if (r->status == 429 || r->status >= 500 || r->status == 408) {
		snprintf(why, sizeof why, "HTTP %ld", r->status);
		retry_later(j, r->retry_after_ms, why);
		return;
	}
	if (r->status != 200) {
		zpub_err_set(&pe, ZPUB_EREMOTE, "VK answered HTTP %ld to %s", r->status,
		    j->step == VK_UPLOAD ? "the upload" : "an API call");
		refuse(j, &pe);
		return;
	}
	if (vk_parse_error(r->body, &ve)) {
		if (j->step == VK_UPLOAD && ve.upload_host) {
			/* the upload host reports {"error":"..."}: a new upload URL is needed */
			snprintf(why, sizeof why, "upload host: %s", ve.msg);
			pub_state_set(&j->st->upload_url, NULL);
			save(j, "uploading");
			retry_later(j, -1, why);
			return;
		}
		api_error(j, &ve);
		return;
	}
	j->failures = 0;
	j->refreshed = 0;
	switch (j->step) {
	case VK_SAVE: {
		struct vk_saved sv;
		if (vk_parse_save(r->body, &sv, &pe) != 0) {
			refuse(j, &pe);
			return;
		}
		char *rid = xasprintf("%lld_%lld", (long long)sv.owner_id, (long long)sv.video_id);
		char *url = xasprintf("https://vk.com/video%s", rid);
		pub_state_set(&j->st->remote_id, rid);
		pub_state_set(&j->st->upload_url, sv.upload_url);
		pub_state_set(&j->st->url, url);
		j->st->bytes_acked = 0;
		free(rid);
		free(url);
		vk_saved_clear(&sv);
		save(j, "uploading");
		break;
	}
	case VK_UPLOAD:
		if (vk_parse_upload(r->body, &pe) != 0) {
			refuse(j, &pe);
			return;
		}
		j->st->bytes_acked = j->st->bytes_total;
		pub_step_done(j->st, "uploaded", "1");
		save(j, "processing");
		break;
	case VK_ALBUM:
		if (vk_parse_album(r->body, &pe) != 0) {
			refuse(j, &pe);
			return;
		}
		pub_step_done(j->st, "album", "1");
		save(j, "processing");
		break;
	}
	vk_next(j);
}

int
vk_job_start(struct http_client *http, const struct pub_item *item,
    struct pub_state *state, const struct pub_hooks *hooks, struct vk_job **out,
    struct zpub_err *err)
{
	struct vk_job *j;
	int64_t size = fs_size(item->video_path);
	int rc;

	*out = NULL;
	if (size <= 0)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "cannot publish %s to VK: the video "
		    "%s is missing or empty", item->label ? item->label : "the video",
		    item->video_path);
	/* settings that are not ids are refused before VK sees anything */
	int64_t id;
	if (vk_group_id(config_find(item->target, "group"), &id, err) != 0 ||
	    vk_album_id(config_find(item->target, "album"), &id, err) != 0)
		return zpub_err_prefix(err, "cannot publish %s to VK",
		    item->label ? item->label : "the video");
	j = calloc(1, sizeof *j);
	if (j == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	j->http = http;
	j->item = item;
	j->st = state;
	j->hooks = *hooks;
	pub_tuning_from_config(item->config, &j->tun);
	j->api_base = config_str(item->config, "providers.vk.api_base", "https://api.vk.com/method");
	j->version = config_str(item->config, "providers.vk.version", "5.199");
	state->bytes_total = size;
	if ((rc = hooks->token(hooks->ud, 0, &j->token, err)) != 0) {
		free(j);
		return rc;
	}
	*out = j;
	vk_next(j);
	return 0;
}

void
vk_job_free(struct vk_job *j)
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
