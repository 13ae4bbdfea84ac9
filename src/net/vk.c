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
 *
 * VK creates the video entry when it takes video.save, before any byte is
 * uploaded.  A video.save whose answer never came (a dropped connection,
 * zpub killed meanwhile) leaves an empty entry zpub cannot name, and the
 * retry makes another.  So before every video.save the publication's steps
 * get a marker (time, name and description fingerprint sent, how many sends
 * are unanswered); once the new upload is in, video.get lists the target's
 * newest videos and video.delete removes each empty one that this marker
 * proves is ours.  A cleanup that fails never fails the publication: the
 * journal names what to delete by hand.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config.h"
#include "jnum.h"
#include "log.h"
#include "http.h"
#include "publish.h"
#include "vk_parse.h"
#include "wire_parse.h"
#include "util.h"

enum vk_step { VK_SAVE, VK_UPLOAD, VK_LIST, VK_DELETE, VK_ALBUM };

/* steps[VK_MARK] = {"at": unix s of the first unanswered send, "open": sends
 * whose answer has not come, "sent": [{"name", "fp"}], "known": ["o_v"]}.
 * "known" holds entries whose answer did come but whose upload VK refused
 * (a new video.save follows): they are empty too, and zpub knows their ids. */
#define VK_MARK "vk_save_sent"
#define VK_MARK_MAX 8
/* VK's clock against ours: an entry created this long before the marker's
 * time still counts as ours (its name and description must match too). */
#define VK_CLOCK_SLACK_S 300
/* Failed video.get / video.delete calls retried before zpub gives up on the
 * cleanup and journals what to delete by hand. */
#define VK_CLEANUP_TRIES 3

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
	struct vk_video_list found;  /* video.get's answer during a cleanup */
	int *orphans;                /* indexes into found.items to delete */
	int n_orphans, next_orphan, cleanup_tries;
};

static void vk_next(struct vk_job *j);
static void mark_before_save(struct vk_job *j, char **kv);
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

/* The video.save parameters except the token, as key/value pairs (owned). */
static void
save_params(const struct pub_item *item, char *kv[24])
{
	const cJSON *t = item->target;
	int n = 0;
	memset(kv, 0, 24 * sizeof *kv);
	kv[n++] = xstrdup("name");
	kv[n++] = vk_text_cut(item->title && *item->title ? item->title : "Untitled", 128);
	kv[n++] = xstrdup("description");
	kv[n++] = vk_text_cut(item->description, 5000);
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
	/* saved before it goes: a kill right after the send must find it */
	mark_before_save(j, kv);
	save(j, "uploading");
	if (!j->finished)
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
		return j->hooks.progress(j->hooks.ud, sent, j->st->bytes_total);
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
	if (http_form_add_file(j->form, "video_file", p, slash ? slash + 1 : p, "video/mp4", &e) != 0) {
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

/* ---- the video.save marker and the cleanup of empty entries ---------------- */

static void
journal(struct vk_job *j, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
journal(struct vk_job *j, const char *level, const char *fmt, ...)
{
	char text[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (j->hooks.journal)
		j->hooks.journal(j->hooks.ud, level, text);
	else
		log_warn("VK: %s", text);
}

static cJSON *
mark_get(const struct vk_job *j)
{
	cJSON *m = cJSON_GetObjectItemCaseSensitive(j->st->steps, VK_MARK);
	return cJSON_IsObject(m) ? m : NULL;
}

static void
mark_drop(struct vk_job *j)
{
	if (j->st->steps)
		cJSON_DeleteItemFromObjectCaseSensitive(j->st->steps, VK_MARK);
}

/* m[key] as an array, made when missing or of another type. */
static cJSON *
mark_array(cJSON *m, const char *key)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(m, key);
	if (cJSON_IsArray(a))
		return a;
	cJSON_DeleteItemFromObjectCaseSensitive(m, key);
	return cJSON_AddArrayToObject(m, key);
}

static void
mark_set_int(cJSON *m, const char *key, int64_t v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(m, key);
	cJSON_AddNumberToObject(m, key, (double)v);
}

static const char *
kv_get(char **kv, const char *key)
{
	for (int i = 0; kv[i]; i += 2)
		if (strcmp(kv[i], key) == 0)
			return kv[i + 1];
	return NULL;
}

/* Before a video.save goes out: records what it sends, so that a later run
 * can recognise the entry it creates even if its answer never arrives. */
static void
mark_before_save(struct vk_job *j, char **kv)
{
	const char *name = kv_get(kv, "name"), *desc = kv_get(kv, "description");
	char fp[17];
	cJSON *m, *sent, *known, *x;

	if (j->st->steps == NULL)
		j->st->steps = cJSON_CreateObject();
	if ((m = mark_get(j)) == NULL) {
		mark_drop(j);
		m = cJSON_AddObjectToObject(j->st->steps, VK_MARK);
	}
	if (m == NULL)
		return;
	int64_t open = jnum_or(cJSON_GetObjectItemCaseSensitive(m, "open"), 0, 1000000, 0);
	sent = mark_array(m, "sent");
	known = mark_array(m, "known");
	if (sent == NULL || known == NULL)
		return;
	if (open == 0 || !jnum_get(cJSON_GetObjectItemCaseSensitive(m, "at"), 0, JNUM_MAX, &(int64_t){0})) {
		/* no send is pending: the window starts now */
		mark_set_int(m, "at", time_now_ms() / 1000);
		while (cJSON_GetArraySize(sent) > 0)
			cJSON_DeleteItemFromArray(sent, 0);
	}
	/* a saved entry given up (its upload address refused): empty, and known */
	if (j->st->remote_id && cJSON_GetArraySize(known) < VK_MARK_MAX) {
		int have = 0;
		cJSON_ArrayForEach(x, known)
			have |= cJSON_IsString(x) && strcmp(x->valuestring, j->st->remote_id) == 0;
		if (!have)
			cJSON_AddItemToArray(known, cJSON_CreateString(j->st->remote_id));
	}
	vk_text_fingerprint(desc, fp);
	int have = 0;
	cJSON_ArrayForEach(x, sent) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(x, "name");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(x, "fp");
		have |= cJSON_IsString(n) && cJSON_IsString(f) && name &&
		    strcmp(n->valuestring, name) == 0 && strcmp(f->valuestring, fp) == 0;
	}
	if (!have && name && cJSON_GetArraySize(sent) < VK_MARK_MAX) {
		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "name", name);
		cJSON_AddStringToObject(x, "fp", fp);
		cJSON_AddItemToArray(sent, x);
	}
	mark_set_int(m, "open", open + 1);
}

/* VK answered a video.save (with the entry or an error): that send left
 * nothing unknown behind.  With no other send open and no entry given up,
 * there is nothing to clean. */
static void
mark_answered(struct vk_job *j)
{
	cJSON *m = mark_get(j);
	if (m == NULL)
		return;
	int64_t open = jnum_or(cJSON_GetObjectItemCaseSensitive(m, "open"), 0, 1000000, 0);
	open = open > 0 ? open - 1 : 0;
	if (open == 0 && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "known")) == 0)
		mark_drop(j);
	else
		mark_set_int(m, "open", open);
}

/* "owner_video" -> both ids; 0 when it is not such a pair. */
static int
split_remote_id(const char *rid, int64_t *owner, int64_t *id)
{
	char buf[64];
	char *us;
	if (rid == NULL || strlen(rid) >= sizeof buf)
		return 0;
	memcpy(buf, rid, strlen(rid) + 1);
	if ((us = strchr(buf, '_')) == NULL)
		return 0;
	*us = '\0';
	return wire_int(buf, -JNUM_MAX, JNUM_MAX, owner) && *owner != 0 &&
	    wire_int(us + 1, 1, JNUM_MAX, id);
}

static void
cleanup_reset(struct vk_job *j)
{
	vk_video_list_clear(&j->found);
	free(j->orphans);
	j->orphans = NULL;
	j->n_orphans = j->next_orphan = 0;
}

/* The cleanup is over (done, or given up with a journal line): the marker
 * goes, and publishing goes on. */
static void
cleanup_done(struct vk_job *j)
{
	cleanup_reset(j);
	j->cleanup_tries = 0;
	mark_drop(j);
	save(j, "processing");
	vk_next(j);
}

static void
issue_list(struct vk_job *j)
{
	char *kv[24] = {0};
	int64_t owner, id;

	cleanup_reset(j);
	if (!split_remote_id(j->st->remote_id, &owner, &id)) {
		cleanup_done(j); /* not reached: the upload went to this id */
		return;
	}
	kv[0] = xstrdup("owner_id");
	kv[1] = xasprintf("%lld", (long long)owner);
	kv[2] = xstrdup("count");
	kv[3] = xstrdup("200");
	issue_method(j, VK_LIST, "video.get", kv);
	free_kv(kv);
}

static void
issue_delete(struct vk_job *j)
{
	char *kv[24] = {0};
	const struct vk_video *v;

	if (j->next_orphan >= j->n_orphans) {
		cleanup_done(j);
		return;
	}
	v = &j->found.items[j->orphans[j->next_orphan]];
	kv[0] = xstrdup("owner_id");
	kv[1] = xasprintf("%lld", (long long)v->owner_id);
	kv[2] = xstrdup("video_id");
	kv[3] = xasprintf("%lld", (long long)v->id);
	issue_method(j, VK_DELETE, "video.delete", kv);
	free_kv(kv);
}

/* The marker's names and fingerprints, the known ids: what tells an entry
 * zpub left from anything else on the page. */
static void
pick_orphans(struct vk_job *j, int64_t owner, int64_t keep_id)
{
	const cJSON *m = mark_get(j), *x;
	const char *names[VK_MARK_MAX + 1] = {0}, *fps[VK_MARK_MAX + 1] = {0};
	int64_t known[VK_MARK_MAX], at, o, id;
	int nn = 0, nk = 0;

	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(m, "sent")) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(x, "name");
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(x, "fp");
		if (nn < VK_MARK_MAX && cJSON_IsString(n)) {
			names[nn] = n->valuestring;
			fps[nn++] = cJSON_IsString(f) ? f->valuestring : NULL;
		}
	}
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(m, "known"))
		if (nk < VK_MARK_MAX && cJSON_IsString(x) &&
		    split_remote_id(x->valuestring, &o, &id) && o == owner)
			known[nk++] = id;
	/* no readable time: only the known ids, nothing by name */
	if (!jnum_get(cJSON_GetObjectItemCaseSensitive(m, "at"), 0, JNUM_MAX, &at))
		at = JNUM_MAX;
	struct vk_orphan_query q = {
		.owner_id = owner, .keep_id = keep_id,
		.since = at > VK_CLOCK_SLACK_S ? at - VK_CLOCK_SLACK_S : 0,
		.names = names, .fingerprints = fps, .known = known, .n_known = nk,
	};
	j->orphans = xcalloc(j->found.n > 0 ? (size_t)j->found.n : 1, sizeof *j->orphans);
	for (int i = 0; i < j->found.n; i++)
		if (vk_video_is_orphan(&j->found.items[i], &q))
			j->orphans[j->n_orphans++] = i;
}

static void resume_cb(void *ud);

/* video.get or video.delete went wrong (why): a few more tries when it is
 * passing, then a journal line and on with the publication. */
static void
cleanup_trouble(struct vk_job *j, const char *why, int passing)
{
	struct zpub_err e = {0};
	const char *name = "";
	char since[32];
	int64_t owner = 0, id = 0;
	const cJSON *m = mark_get(j), *sent;

	if (passing && j->cleanup_tries < VK_CLEANUP_TRIES) {
		j->cleanup_tries++;
		/* vk_next lists again: entries already deleted are simply gone */
		if (http_client_after(j->http, 1000 * j->cleanup_tries, resume_cb, j, &e) == 0)
			return;
	}
	split_remote_id(j->st->remote_id, &owner, &id);
	if (j->step == VK_DELETE && j->next_orphan < j->n_orphans) {
		const struct vk_video *v = &j->found.items[j->orphans[j->next_orphan]];
		journal(j, "warn", "VK: could not delete the empty video https://vk.com/video%lld_%lld "
		    "(\"%.200s\") that an earlier video.save for %s left, whose answer was lost (%s); "
		    "delete it by hand", (long long)v->owner_id, (long long)v->id,
		    v->title ? v->title : "", label(j), why);
		j->next_orphan++;
		j->cleanup_tries = 0;
		issue_delete(j);
		return;
	}
	sent = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "sent"), 0);
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(sent, "name")))
		name = cJSON_GetObjectItemCaseSensitive(sent, "name")->valuestring;
	time_iso(jnum_or(cJSON_GetObjectItemCaseSensitive(m, "at"), 0, JNUM_MAX / 1000, 0) * 1000,
	    since);
	journal(j, "warn", "VK: could not look for the empty video an earlier video.save for %s "
	    "may have left, whose answer was lost (%s); look at https://vk.com/videos%lld for an "
	    "empty video named \"%.200s\" added after %s and delete it by hand (not %s)",
	    label(j), why, (long long)owner, name, since, j->st->url ? j->st->url : "");
	cleanup_done(j);
}

static void
on_list(struct vk_job *j, const char *body)
{
	struct zpub_err pe = {0};
	int64_t owner, keep;

	if (vk_parse_video_list(body, &j->found, &pe) != 0 ||
	    !split_remote_id(j->st->remote_id, &owner, &keep)) {
		cleanup_trouble(j, pe.msg[0] ? pe.msg : "no remote id", 0);
		return;
	}
	pick_orphans(j, owner, keep);
	issue_delete(j);
}

static void
on_delete(struct vk_job *j, const char *body)
{
	struct zpub_err pe = {0};
	const struct vk_video *v = &j->found.items[j->orphans[j->next_orphan]];

	if (vk_parse_delete(body, &pe) != 0) {
		cleanup_trouble(j, pe.msg, 0);
		return;
	}
	journal(j, "info", "VK: deleted the empty video %lld_%lld (\"%.200s\") that an earlier "
	    "video.save for %s left, whose answer was lost", (long long)v->owner_id,
	    (long long)v->id, v->title ? v->title : "", label(j));
	j->next_orphan++;
	issue_delete(j);
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
	if (mark_get(j) != NULL) {
		issue_list(j);
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
		wait_ms = backoff_ms(j->failures, j->tun.backoff_base_ms, j->tun.backoff_cap_ms);
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
	    "video.addToAlbum" : j->step == VK_LIST ? "video.get" :
	    j->step == VK_DELETE ? "video.delete" : "the upload";
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

/* How a request ended, in the order the checks are made. */
enum vk_outcome {
	VO_LOST,        /* the connection broke */
	VO_LOCAL,       /* a local error or cancellation */
	VO_BUSY,        /* 429, 408, 5xx: wait and retry */
	VO_HTTP,        /* any other status but 200 */
	VO_API_ERROR,   /* a 200 whose body is VK's error (in *ve) */
	VO_ANSWER,      /* the step's answer */
};

static enum vk_outcome
vk_classify(const struct http_response *r, int rc, struct vk_error *ve)
{
	if (rc == ZPUB_ENET)
		return VO_LOST;
	if (rc != 0)
		return VO_LOCAL;
	if (r->status == 429 || r->status >= 500 || r->status == 408)
		return VO_BUSY;
	if (r->status != 200)
		return VO_HTTP;
	if (vk_parse_error(r->body, ve))
		return VO_API_ERROR;
	return VO_ANSWER;
}

/* VK's error body: a new upload URL, trouble for the cleanup, or the
 * verdict api_error acts on. */
static void
on_api_error(struct vk_job *j, const struct vk_error *ve, int cleanup)
{
	char why[300];

	if (j->step == VK_UPLOAD && ve->upload_host) {
		/* the upload host reports {"error":"..."}: a new upload URL is needed */
		snprintf(why, sizeof why, "upload host: %s", ve->msg);
		pub_state_set(&j->st->upload_url, NULL);
		save(j, "uploading");
		retry_later(j, -1, why);
		return;
	}
	if (cleanup) {
		snprintf(why, sizeof why, "error %d: %s", ve->code, ve->msg);
		cleanup_trouble(j, why, ve->verdict == VK_RATE || ve->verdict == VK_INTERNAL);
		return;
	}
	/* a refusal created nothing; after an internal error VK may have */
	if (j->step == VK_SAVE && ve->verdict != VK_INTERNAL)
		mark_answered(j);
	api_error(j, ve);
}

/* video.save's answer: the video's id, URL and upload address. */
static int
take_saved(struct vk_job *j, const struct http_response *r, struct zpub_err *pe)
{
	struct vk_saved sv;

	if (vk_parse_save(r->body, &sv, pe) != 0)
		return -1;
	char *rid = xasprintf("%lld_%lld", (long long)sv.owner_id, (long long)sv.video_id);
	char *url = xasprintf("https://vk.com/video%s", rid);
	pub_state_set(&j->st->remote_id, rid);
	pub_state_set(&j->st->upload_url, sv.upload_url);
	pub_state_set(&j->st->url, url);
	j->st->bytes_acked = 0;
	mark_answered(j);
	free(rid);
	free(url);
	vk_saved_clear(&sv);
	save(j, "uploading");
	return 0;
}

/* The step's answer: record it and go on. */
static void
on_answer(struct vk_job *j, const struct http_response *r)
{
	struct zpub_err pe = {0};

	j->failures = 0;
	j->refreshed = 0;
	switch (j->step) {
	case VK_SAVE:
		if (take_saved(j, r, &pe) != 0) {
			refuse(j, &pe);
			return;
		}
		break;
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
	case VK_LIST:
		on_list(j, r->body);
		return;
	case VK_DELETE:
		on_delete(j, r->body);
		return;
	}
	vk_next(j);
}

static void
on_response(void *ud, const struct http_request *req, struct http_response *r, int rc,
    const struct zpub_err *err)
{
	struct vk_job *j = ud;
	struct vk_error ve;
	struct zpub_err pe = {0};
	char why[300];
	const char *lost;
	int cleanup = j->step == VK_LIST || j->step == VK_DELETE;
	(void)req;

	switch (vk_classify(r, rc, &ve)) {
	case VO_LOST:
		lost = r->curl_error[0] ? r->curl_error : "connection lost";
		if (cleanup)
			cleanup_trouble(j, lost, 1);
		else
			retry_later(j, -1, lost);
		break;
	case VO_LOCAL:
		if (cleanup)
			cleanup_trouble(j, err && err->msg[0] ? err->msg : "local failure", 0);
		else
			finish(j, rc, err, 0);
		break;
	case VO_BUSY:
		snprintf(why, sizeof why, "HTTP %ld", r->status);
		if (cleanup)
			cleanup_trouble(j, why, 1);
		else
			retry_later(j, r->retry_after_ms, why);
		break;
	case VO_HTTP:
		snprintf(why, sizeof why, "HTTP %ld", r->status);
		if (cleanup) {
			cleanup_trouble(j, why, 0);
			break;
		}
		zpub_err_set(&pe, ZPUB_EREMOTE, "VK answered HTTP %ld to %s", r->status,
		    j->step == VK_UPLOAD ? "the upload" : "an API call");
		refuse(j, &pe);
		break;
	case VO_API_ERROR:
		on_api_error(j, &ve, cleanup);
		break;
	case VO_ANSWER:
		on_answer(j, r);
		break;
	}
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
	j = xcalloc(1, sizeof *j);
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
	cleanup_reset(j);
	if (j->token) {
		sodium_memzero(j->token, strlen(j->token));
		free(j->token);
	}
	free(j);
}
