/*
 * zoom.c — the Zoom client: tokens, the paged listing, which files become
 * recordings, and titles made safe from hostile topics.  Downloads are in
 * zoom_download.c, the sign-in in zoom_auth.c, the sync in zoom_sync.c.
 *
 * Tokens live as JSON (kind "s2s" or "user") in the caller's zoom_creds
 * (the vault's "oauth.zoom"); nothing here prints, logs or puts a token
 * into an error sentence.
 */
#include "zoom.h"
#include "zoom_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "config_schema.h"
#include "jnum.h"
#include "log.h"
#include "http.h"
#include "util.h"

#define ZOOM_PROVIDER "zoom"
#define ZOOM_SECRET_NAME "zoom.client_secret"
#define ZOOM_TOKEN_MARGIN_MS (2 * 60 * 1000)
/* Sanity bounds for Zoom's numbers: an expiry before the year 33658 and a
 * file under a petabyte; anything else is a broken answer, read as unknown. */
#define ZOOM_MAX_EPOCH_MS 999999999999999LL
#define ZOOM_MAX_FILE_BYTES 999999999999999LL


static char *
base_url(const cJSON *cfg, const char *key, const char *def)
{
	char *s = xstrdup(config_str(cfg, key, def));
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

static void
wipe_free(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

/* The tuning numbers under providers.zoom (ranges and defaults in the
 * settings table).  A value out of range stops the client with a sentence
 * naming the key, rather than a cast of a string or of 1e300 deciding how
 * often a download is retried. */
#define ZOOM_TUNING(X) \
	X(max_attempts) X(retry_base_ms) X(retry_cap_ms) X(max_wait_ms) \
	X(download_retries) X(download_max_requests)

struct zoom_tuning {
#define X(name) int64_t name;
	ZOOM_TUNING(X)
#undef X
};

static int
tuning_read(const cJSON *cfg, struct zoom_tuning *t, struct zpub_err *err)
{
#define X(name) \
	if (zs_int(cfg, "providers.zoom." #name, &t->name, err) != 0) \
		return err->code;
	ZOOM_TUNING(X)
#undef X
	return 0;
}

int
zoom_client_new(const struct zoom_creds *creds, const cJSON *cfg, struct zoom_client **out,
    struct zpub_err *err)
{
	struct zoom_tuning tun;
	int rc = tuning_read(cfg, &tun, err);
	if (rc != 0)
		return rc;
	struct zoom_client *zc = xcalloc(1, sizeof *zc);
	zc->http = http_client_new();
	if (zc->http == NULL) {
		free(zc);
		return zpub_err_set(err, ZPUB_ENOMEM, "cannot start the HTTP client for Zoom");
	}
	if (creds)
		zc->creds = *creds;
	zc->api_base = base_url(cfg, "providers.zoom.api_base", "https://api.zoom.us/v2");
	zc->oauth_base = base_url(cfg, "providers.zoom.oauth_base", "https://zoom.us");
	zc->client_id = xstrdup(config_str(cfg, "providers.zoom.client_id", ""));
	zc->account_id = xstrdup(config_str(cfg, "providers.zoom.account_id", ""));
	zc->retry.max_attempts = (int)tun.max_attempts;
	zc->retry.base_ms = tun.retry_base_ms;
	zc->retry.cap_ms = tun.retry_cap_ms;
	zc->retry.max_wait_ms = tun.max_wait_ms;
	zc->max_wait_ms = zc->retry.max_wait_ms;
	zc->download_retries = (int)tun.download_retries;
	zc->download_max_requests = (int)tun.download_max_requests;
	*out = zc;
	return 0;
}

void
zoom_client_free(struct zoom_client *zc)
{
	if (zc == NULL)
		return;
	http_client_free(zc->http);
	wipe_free(zc->token);
	wipe_free(zc->refresh_token);
	free(zc->api_base);
	free(zc->oauth_base);
	free(zc->client_id);
	free(zc->account_id);
	free(zc);
}

/* ---- tokens -------------------------------------------------------------------- */

static void
token_forget(struct zoom_client *zc)
{
	wipe_free(zc->token);
	wipe_free(zc->refresh_token);
	zc->token = zc->refresh_token = NULL;
	zc->token_exp_ms = 0;
	zc->user_kind = 0;
}

/* Loads the cached tokens from the creds (absent is fine). */
static int
token_load(struct zoom_client *zc, struct zpub_err *err)
{
	char *val = NULL;
	int rc;

	if (zc->creds.secret == NULL)
		return 0;
	rc = zc->creds.tokens.load(zc->creds.tokens.ud, ZOOM_PROVIDER, &val, err);
	if (rc == ZPUB_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	cJSON *j = cJSON_Parse(val);
	wipe_free(val);
	if (j == NULL)
		return 0;  /* unreadable cache: get a new token */
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	const cJSON *rt = cJSON_GetObjectItemCaseSensitive(j, "refresh_token");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(j, "expires_at_ms");
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
	token_forget(zc);
	if (cJSON_IsString(at))
		zc->token = xstrdup(at->valuestring);
	if (cJSON_IsString(rt))
		zc->refresh_token = xstrdup(rt->valuestring);
	zc->token_exp_ms = jnum_or(ex, 0, ZOOM_MAX_EPOCH_MS, 0);
	zc->user_kind = cJSON_IsString(kind) && strcmp(kind->valuestring, "user") == 0;
	if (cJSON_IsString(at))
		sodium_memzero(at->valuestring, strlen(at->valuestring));
	if (cJSON_IsString(rt))
		sodium_memzero(rt->valuestring, strlen(rt->valuestring));
	cJSON_Delete(j);
	return 0;
}

static int
token_save(struct zoom_client *zc, struct zpub_err *err)
{
	if (zc->creds.secret == NULL)
		return 0;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "kind", zc->user_kind ? "user" : "s2s");
	cJSON_AddStringToObject(j, "access_token", zc->token);
	if (zc->refresh_token)
		cJSON_AddStringToObject(j, "refresh_token", zc->refresh_token);
	cJSON_AddNumberToObject(j, "expires_at_ms", (double)zc->token_exp_ms);
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	const struct oauth_store *os = &zc->creds.tokens;
	int rc = os->save(os->ud, ZOOM_PROVIDER, s, zc->token_exp_ms, err);
	if (rc == 0 && os->mark)
		os->mark(os->ud, ZOOM_PROVIDER, "ok", NULL);
	wipe_free(s);
	return rc;
}

char *
zoom_basic_header(const char *id, const char *secret)
{
	char *pair = xasprintf("%s:%s", id, secret);
	size_t plen = strlen(pair);
	size_t blen = sodium_base64_ENCODED_LEN(plen, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = xmalloc(blen);
	sodium_bin2base64(b64, blen, (const unsigned char *)pair, plen,
	    sodium_base64_VARIANT_ORIGINAL);
	char *h = xasprintf("Authorization: Basic %s", b64);
	sodium_memzero(b64, blen);
	free(b64);
	sodium_memzero(pair, plen);
	free(pair);
	return h;
}

int
zoom_token_request(struct zoom_client *zc, const char *body, const char *basic, const char *how,
    struct zpub_err *err)
{
	char *url = xasprintf("%s/oauth/token", zc->oauth_base);
	const char *hdrs[] = { basic, NULL };
	struct http_request req = {
		.method = "POST", .url = url, .headers = basic ? hdrs : NULL,
		.body = body, .body_len = strlen(body),
		.content_type = "application/x-www-form-urlencoded",
		.timeout_ms = 60000, .retry_unsafe = 1, .what = "Zoom",
	};
	struct http_response resp = {0};
	int rc = http_do_retry(zc->http, &req, &resp, &zc->retry, err);
	cJSON *j = NULL;

	if (rc != 0)
		goto out;
	j = resp.body ? cJSON_ParseWithLength(resp.body, resp.body_len) : NULL;
	if (resp.status == 400 || resp.status == 401 || resp.status == 403) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "reason");
		const char *code = cJSON_IsString(e) ? e->valuestring : "";
		const char *reason = cJSON_IsString(r) ? r->valuestring : "no reason given";
		if (strcmp(code, "unsupported_grant_type") == 0)
			rc = zpub_err_set(err, ZPUB_EAUTH, "Zoom refused %s (unsupported_grant_type): the"
			    " app in providers.zoom.client_id is not a Server-to-Server OAuth app;"
			    " create one in the Zoom App Marketplace", how);
		else if (strcmp(code, "invalid_grant") == 0) {
			rc = zpub_err_set(err, ZPUB_EAUTH, "Zoom refused %s (invalid_grant: %.200s);"
			    " reconnect with 'zpub auth zoom'", how, reason);
		} else
			rc = zpub_err_set(err, ZPUB_EAUTH, "Zoom refused %s (%s%s%.200s): check"
			    " providers.zoom.client_id, providers.zoom.account_id and the secret"
			    " 'zoom.client_secret' ('zpub secret set zoom.client_secret')", how,
			    code, *code ? ": " : "", reason);
		goto out;
	}
	if ((rc = http_check(rc, &req, &resp, err)) != 0)
		goto out;
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	const cJSON *rt = cJSON_GetObjectItemCaseSensitive(j, "refresh_token");
	if (!cJSON_IsString(at) || at->valuestring[0] == '\0') {
		rc = zpub_err_set(err, ZPUB_EREMOTE, "Zoom answered %s without an access token;"
		    " check providers.zoom.oauth_base", how);
		goto out;
	}
	wipe_free(zc->token);
	zc->token = xstrdup(at->valuestring);
	/* seconds; a missing or absurd lifetime counts as Zoom's usual hour */
	zc->token_exp_ms = time_now_ms() + jnum_or(ex, 1, 99999999, 3599) * 1000;
	if (cJSON_IsString(rt) && rt->valuestring[0]) {
		wipe_free(zc->refresh_token);
		zc->refresh_token = xstrdup(rt->valuestring);
	}
	if (cJSON_IsString(at))
		sodium_memzero(at->valuestring, strlen(at->valuestring));
	if (cJSON_IsString(rt))
		sodium_memzero(rt->valuestring, strlen(rt->valuestring));
	rc = token_save(zc, err);
out:
	if (resp.body)
		sodium_memzero(resp.body, resp.body_len);
	http_response_free(&resp);
	cJSON_Delete(j);
	free(url);
	return rc;
}

int
zoom_token(struct zoom_client *zc, int force, const char **token, struct zpub_err *err)
{
	char *secret = NULL;
	int rc;

	*token = NULL;
	if (zc->token == NULL && (rc = token_load(zc, err)) != 0)
		return rc;
	if (!force && zc->token && zc->token_exp_ms - ZOOM_TOKEN_MARGIN_MS > time_now_ms()) {
		*token = zc->token;
		return 0;
	}
	if (zc->creds.secret == NULL)
		return zpub_err_set(err, ZPUB_EAUTH, "Zoom is not connected (no vault)");
	rc = zc->creds.secret(zc->creds.tokens.ud, ZOOM_SECRET_NAME, &secret, err);
	if (rc != 0 && rc != ZPUB_ENOTFOUND)
		return rc;
	if (zc->account_id[0] && zc->client_id[0] && secret) {
		/* Server-to-Server OAuth: a new token from the account credentials. */
		const char *kv[] = { "grant_type", "account_credentials", "account_id",
			zc->account_id, NULL };
		char *body = http_form_urlencoded(kv);
		char *basic = zoom_basic_header(zc->client_id, secret);
		zc->user_kind = 0;
		wipe_free(zc->refresh_token);
		zc->refresh_token = NULL;
		rc = zoom_token_request(zc, body, basic, "the account credentials", err);
		wipe_free(body);
		wipe_free(basic);
	} else if (zc->user_kind && zc->refresh_token && zc->client_id[0]) {
		/* Authorization-code sign-in: refresh (the refresh token rotates). */
		const char *kv[] = { "grant_type", "refresh_token", "refresh_token",
			zc->refresh_token, "client_id", secret ? NULL : zc->client_id, NULL };
		char *body = http_form_urlencoded(kv);
		char *basic = secret ? zoom_basic_header(zc->client_id, secret) : NULL;
		char *used = xstrdup(zc->refresh_token);
		rc = zoom_token_request(zc, body, basic, "the token refresh", err);
		if (rc == ZPUB_EAUTH) {
			/* Another process (the daemon, the TUI) may have rotated the
			 * refresh token a moment ago: take what it saved. */
			if (token_load(zc, NULL) == 0 && zc->refresh_token &&
			    strcmp(zc->refresh_token, used) != 0 && zc->token &&
			    zc->token_exp_ms - ZOOM_TOKEN_MARGIN_MS > time_now_ms())
				rc = 0;
			else if (zc->creds.tokens.mark)
				zc->creds.tokens.mark(zc->creds.tokens.ud, ZOOM_PROVIDER,
				    "reconnect", NULL);
		}
		wipe_free(used);
		wipe_free(body);
		wipe_free(basic);
	} else {
		rc = zpub_err_set(err, ZPUB_EAUTH, "Zoom is not connected: set"
		    " providers.zoom.account_id and providers.zoom.client_id ('zpub config set"
		    " providers.zoom.account_id ID') and the app's secret ('zpub secret set"
		    " zoom.client_secret') of a Server-to-Server OAuth app");
	}
	wipe_free(secret);
	if (rc == 0)
		*token = zc->token;
	return rc;
}

/* GET an API path with the token; one forced refresh after a 401. */
int
zoom_api_get(struct zoom_client *zc, const char *path_query, struct http_response *resp,
    struct http_request *req_out, char **url_out, struct zpub_err *err)
{
	char *url = xasprintf("%s%s", zc->api_base, path_query);
	int rc = 0;

	for (int attempt = 0; attempt < 2; attempt++) {
		const char *tok;
		if ((rc = zoom_token(zc, attempt > 0, &tok, err)) != 0)
			break;
		*req_out = (struct http_request){
			.url = url, .bearer = tok, .timeout_ms = 120000, .what = "Zoom",
		};
		http_response_free(resp);
		rc = http_do_retry(zc->http, req_out, resp, &zc->retry, err);
		if (rc != 0 || resp->status != 401)
			break;
		log_info("Zoom answered 401 to a listing call; getting a new token");
	}
	*url_out = url;
	return rc;
}

/* ---- listing --------------------------------------------------------------------- */

static void
date_of(int64_t ms, char out[11])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int
zoom_windows(int64_t from_ms, int64_t to_ms, struct zoom_window **out, int *n)
{
	*out = NULL;
	*n = 0;
	if (to_ms < from_ms)
		return ZPUB_EINVAL;
	time_t t = (time_t)(from_ms / 1000);
	struct tm cur;
	gmtime_r(&t, &cur);
	cur.tm_hour = cur.tm_min = cur.tm_sec = 0;
	char last[11];
	date_of(to_ms, last);
	int cap = 0;
	for (;;) {
		struct tm end = cur;
		end.tm_mon += 1;
		end.tm_mday -= 1;   /* one calendar month, inclusive */
		time_t te = timegm(&end);
		struct zoom_window w;
		strftime(w.from, sizeof w.from, "%Y-%m-%d", &cur);
		date_of((int64_t)te * 1000, w.to);
		if (strcmp(w.to, last) > 0)
			memcpy(w.to, last, sizeof w.to);
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xreallocarray(*out, (size_t)cap, sizeof **out);
		}
		(*out)[(*n)++] = w;
		if (strcmp(w.to, last) >= 0)
			break;
		time_t next = timegm(&end) + 86400;
		gmtime_r(&next, &cur);
	}
	return 0;
}

/* Zoom's error body {"code":N,"message":".."}: code, or -1. */
int
zoom_error_code(const struct http_response *resp, char *msg, size_t msgsz)
{
	int code = -1;
	if (msg && msgsz)
		msg[0] = '\0';
	cJSON *j = resp->body ? cJSON_ParseWithLength(resp->body, resp->body_len) : NULL;
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "code");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");
	if (cJSON_IsNumber(c))
		code = c->valueint;
	if (msg && cJSON_IsString(m))
		snprintf(msg, msgsz, "%s", m->valuestring);
	cJSON_Delete(j);
	return code;
}

int
zoom_page_token_expired(const struct http_response *resp)
{
	char msg[256];
	int code = zoom_error_code(resp, msg, sizeof msg);
	if (resp->status < 400 || resp->status >= 500)
		return 0;
	return code == 300 || strcasestr(msg, "page token") != NULL ||
	    strcasestr(msg, "next_page_token") != NULL;
}

int
zoom_list_window(struct zoom_client *zc, const struct zoom_window *w, zoom_meeting_fn fn,
    void *ud, struct zpub_err *err)
{
	return zoom_list_user_window(zc, "me", w, fn, ud, err);
}

int
zoom_list_user_window(struct zoom_client *zc, const char *user_id, const struct zoom_window *w,
    zoom_meeting_fn fn, void *ud, struct zpub_err *err)
{
	char *page_token = NULL;
	int restarts = 0, pages = 0, rc = 0;
	char *user = http_urlencode(user_id);

	for (;;) {
		char *q;
		if (page_token) {
			char *enc = http_urlencode(page_token);
			q = xasprintf("/users/%s/recordings?from=%s&to=%s&page_size=300"
			    "&next_page_token=%s", user ? user : "", w->from, w->to, enc ? enc : "");
			free(enc);
		} else
			q = xasprintf("/users/%s/recordings?from=%s&to=%s&page_size=300",
			    user ? user : "", w->from, w->to);
		struct http_response resp = {0};
		struct http_request req;
		char *url = NULL;
		rc = zoom_api_get(zc, q, &resp, &req, &url, err);
		free(q);
		if (rc == 0 && page_token && zoom_page_token_expired(&resp)) {
			/* Page tokens live 15 minutes: list the window again. */
			free(page_token);
			page_token = NULL;
			free(url);
			http_response_free(&resp);
			if (++restarts > 3) {
				rc = zpub_err_set(err, ZPUB_ENET, "Zoom kept expiring the page token while"
				    " listing recordings from %s to %s; run 'zpub sync zoom' again",
				    w->from, w->to);
				break;
			}
			log_info("Zoom's page token expired listing %s..%s; listing the window again",
			    w->from, w->to);
			pages = 0;
			continue;
		}
		if (rc == 0 && resp.status == 404 && strcmp(user_id, "me") != 0)
			rc = zpub_err_set(err, ZPUB_ENOTFOUND, "Zoom has no user %s any more (HTTP 404"
			    " listing recordings from %s to %s)", user_id, w->from, w->to);
		else if (rc == 0 && resp.status == 401)
			rc = zpub_err_set(err, ZPUB_EAUTH, "Zoom refused the listing of recordings from %s"
			    " to %s even with a new token; check the app's scopes (recording:read) or"
			    " reconnect with 'zpub auth zoom'", w->from, w->to);
		else
			rc = http_check(rc, &req, &resp, err);
		free(url);
		cJSON *j = NULL;
		if (rc == 0) {
			j = cJSON_ParseWithLength(resp.body ? resp.body : "", resp.body_len);
			if (!cJSON_IsObject(j))
				rc = zpub_err_set(err, ZPUB_EREMOTE, "Zoom answered the listing of %s..%s"
				    " with something that is not JSON; check providers.zoom.api_base",
				    w->from, w->to);
		}
		http_response_free(&resp);
		if (rc != 0) {
			cJSON_Delete(j);
			break;
		}
		const cJSON *ms = cJSON_GetObjectItemCaseSensitive(j, "meetings");
		const cJSON *m;
		cJSON_ArrayForEach(m, ms) {
			if (!cJSON_IsObject(m))
				continue;
			if ((rc = fn(ud, m, err)) != 0)
				break;
		}
		const cJSON *nt = cJSON_GetObjectItemCaseSensitive(j, "next_page_token");
		free(page_token);
		page_token = rc == 0 && cJSON_IsString(nt) && nt->valuestring[0] ?
		    xstrdup(nt->valuestring) : NULL;
		cJSON_Delete(j);
		if (rc != 0 || page_token == NULL)
			break;
		if (++pages > 100000) {
			rc = zpub_err_set(err, ZPUB_EREMOTE, "Zoom kept sending page tokens for %s..%s",
			    w->from, w->to);
			break;
		}
	}
	free(page_token);
	free(user);
	return rc;
}

/* ---- choosing files ----------------------------------------------------------------- */

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
is_type(const cJSON *f, const char *type)
{
	const char *t = jstr(f, "file_type");
	return t && strcasecmp(t, type) == 0;
}

static int
is_completed(const cJSON *f)
{
	const char *s = jstr(f, "status");
	return s == NULL || strcmp(s, "completed") == 0;
}

/* Lower is better: the view a lecture should be published from. */
static int
view_rank(const cJSON *f)
{
	static const char *const order[] = {
		"shared_screen_with_speaker_view(CC)", "shared_screen_with_speaker_view",
		"shared_screen_with_gallery_view", "active_speaker", "speaker_view",
		"shared_screen", "gallery_view", NULL,
	};
	const char *t = jstr(f, "recording_type");
	for (int i = 0; t && order[i]; i++)
		if (strcmp(t, order[i]) == 0)
			return i;
	return 50;
}

static int64_t
jsize(const cJSON *f)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "file_size");
	return jnum_or(v, 0, ZOOM_MAX_FILE_BYTES, 0);
}

static cJSON *
file_info(const cJSON *f)
{
	static const char *const keys[] = { "id", "file_type", "file_extension", "download_url",
		"recording_type", "recording_start", "recording_end", "status", NULL };
	cJSON *o = cJSON_CreateObject();
	for (int i = 0; keys[i]; i++) {
		const char *v = jstr(f, keys[i]);
		if (v)
			cJSON_AddStringToObject(o, keys[i], v);
	}
	cJSON_AddNumberToObject(o, "file_size", (double)jsize(f));
	return o;
}

static int
same_start(const cJSON *f, const char *start)
{
	const char *s = jstr(f, "recording_start");
	return (s == NULL && start == NULL) || (s && start && strcmp(s, start) == 0);
}

/* Segments: distinct recording_start values of the media files, in time
 * order, into starts; returns how many. */
static int
segment_starts(const cJSON *files, const char **starts)
{
	const cJSON *f;
	int nstarts = 0;

	cJSON_ArrayForEach(f, files) {
		if (!is_type(f, "MP4") && !is_type(f, "M4A"))
			continue;
		const char *s = jstr(f, "recording_start");
		int seen = 0;
		for (int i = 0; i < nstarts; i++)
			if ((s == NULL && starts[i] == NULL) || (s && starts[i] && strcmp(s, starts[i]) == 0))
				seen = 1;
		if (!seen)
			starts[nstarts++] = s;
	}
	for (int i = 1; i < nstarts; i++)
		for (int k = i; k > 0 && starts[k] && starts[k - 1] && strcmp(starts[k], starts[k - 1]) < 0; k--) {
			const char *t = starts[k];
			starts[k] = starts[k - 1];
			starts[k - 1] = t;
		}
	return nstarts;
}

/* The file to download for the segment that started at start: the best
 * finished MP4 view, else the M4A.  NULL with *busy when Zoom is still
 * making it. */
static const cJSON *
segment_source(const cJSON *files, const char *start, int *busy)
{
	const cJSON *f, *mp4 = NULL, *m4a = NULL;
	int mp4_busy = 0, m4a_busy = 0;

	cJSON_ArrayForEach(f, files) {
		if (!same_start(f, start) || jstr(f, "id") == NULL)
			continue;
		if (is_type(f, "MP4")) {
			if (!is_completed(f))
				mp4_busy = 1;
			else if (jstr(f, "download_url") && (mp4 == NULL || view_rank(f) < view_rank(mp4)))
				mp4 = f;
		} else if (is_type(f, "M4A")) {
			if (!is_completed(f))
				m4a_busy = 1;
			else if (jstr(f, "download_url") && m4a == NULL)
				m4a = f;
		}
	}
	*busy = mp4 == NULL && (mp4_busy || (m4a == NULL && m4a_busy));
	if (*busy)
		return NULL;
	return mp4 ? mp4 : m4a;
}

/* What every item of one meeting shares. */
struct meeting_view {
	const cJSON *meeting, *files;
	const char *topic, *mstart;
	const cJSON *mid;
	char *base_title;
	int transcripts;        /* finished transcripts of the meeting */
	int nsrc;               /* segments with a source */
};

/* The item's source_meta: the meeting, the file, and the transcript of
 * this segment, or the meeting's only one. */
static cJSON *
item_meta(const struct meeting_view *mv, const cJSON *src, const char *start, int part)
{
	cJSON *meta = cJSON_CreateObject();
	const char *uuid = jstr(mv->meeting, "uuid");
	const cJSON *f, *tr = NULL;

	if (uuid)
		cJSON_AddStringToObject(meta, "meeting_uuid", uuid);
	if (cJSON_IsNumber(mv->mid))
		cJSON_AddNumberToObject(meta, "meeting_id", mv->mid->valuedouble);
	cJSON_AddStringToObject(meta, "topic", mv->topic ? mv->topic : "");
	if (mv->mstart)
		cJSON_AddStringToObject(meta, "start_time", mv->mstart);
	if (mv->nsrc > 1)
		cJSON_AddNumberToObject(meta, "part", part);
	cJSON_AddItemToObject(meta, "file", file_info(src));
	cJSON_ArrayForEach(f, mv->files)
		if (is_type(f, "TRANSCRIPT") && is_completed(f) && jstr(f, "download_url") &&
		    (same_start(f, start) || (mv->transcripts == 1 && mv->nsrc == 1)))
			tr = f;
	if (tr)
		cJSON_AddItemToObject(meta, "transcript", file_info(tr));
	return meta;
}

static void
item_fill(const struct meeting_view *mv, struct zoom_item *it, const cJSON *src,
    const char *start, int part)
{
	memset(it, 0, sizeof *it);
	it->file_id = xstrdup(jstr(src, "id"));
	it->file_type = xstrdup(is_type(src, "MP4") ? "MP4" : "M4A");
	it->title = mv->nsrc > 1 ? xasprintf("%s (part %d)", mv->base_title, part) :
	    xstrdup(mv->base_title);
	const char *rs = jstr(src, "recording_start"), *re = jstr(src, "recording_end");
	int64_t t0 = time_parse_iso(rs ? rs : mv->mstart);
	int64_t t1 = re ? time_parse_iso(re) : -1;
	it->started_at = t0 > 0 ? t0 : 0;
	if (t0 > 0 && t1 > t0)
		it->duration_ms = t1 - t0;
	else {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(mv->meeting, "duration");
		/* minutes; Zoom's own numbers are checked like any input */
		it->duration_ms = jnum_scaled(d, 60000.0, 0, 999999LL * 60000, 0);
	}
	it->file_size = jsize(src);
	it->meta = item_meta(mv, src, start, part);
}

int
zoom_meeting_items(const cJSON *meeting, struct zoom_item **out, int *n, int *processing)
{
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(meeting, "recording_files");
	int nf = cJSON_GetArraySize(files), cap = 0;
	const char **starts = xcalloc((size_t)nf + 1, sizeof *starts);
	struct meeting_view mv = { .meeting = meeting, .files = files };
	const cJSON *f;

	*out = NULL;
	*n = 0;
	int nstarts = segment_starts(files, starts);

	mv.topic = jstr(meeting, "topic");
	mv.mstart = jstr(meeting, "start_time");
	mv.mid = cJSON_GetObjectItemCaseSensitive(meeting, "id");
	char fallback[96];
	snprintf(fallback, sizeof fallback, "Zoom meeting %lld%s%.10s",
	    (long long)jnum_or(mv.mid, 0, JNUM_MAX, 0), mv.mstart ? " of " : "",
	    mv.mstart ? mv.mstart : "");
	mv.base_title = zoom_title_sanitize(mv.topic ? mv.topic : "", 200, fallback);
	cJSON_ArrayForEach(f, files)
		if (is_type(f, "TRANSCRIPT") && is_completed(f) && jstr(f, "download_url"))
			mv.transcripts++;

	/* First pass: which segments have a source. */
	const cJSON **chosen = xcalloc((size_t)nstarts + 1, sizeof *chosen);
	for (int s = 0; s < nstarts; s++) {
		int busy;
		chosen[s] = segment_source(files, starts[s], &busy);
		if (busy && processing)
			(*processing)++;   /* Zoom is still making the video: next sync */
		if (chosen[s])
			mv.nsrc++;
	}

	int part = 0;
	for (int s = 0; s < nstarts; s++) {
		if (chosen[s] == NULL)
			continue;
		part++;
		if (*n == cap) {
			cap = cap ? cap * 2 : 4;
			*out = xreallocarray(*out, (size_t)cap, sizeof **out);
		}
		item_fill(&mv, &(*out)[(*n)++], chosen[s], starts[s], part);
	}
	free(chosen);
	free(starts);
	free(mv.base_title);
	return 0;
}

void
zoom_items_free(struct zoom_item *v, int n)
{
	for (int i = 0; v && i < n; i++) {
		free(v[i].file_id);
		free(v[i].file_type);
		free(v[i].title);
		cJSON_Delete(v[i].meta);
	}
	free(v);
}

/* ---- titles ------------------------------------------------------------------------ */

/* 0 keep, 1 space, 2 drop */
static int
title_class(uint32_t cp)
{
	if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || cp == 0x85 ||
	    cp == 0x2028 || cp == 0x2029)
		return 1;
	if (text_cp_is_control(cp))
		return 2;                      /* C0, DEL, C1 controls */
	if (cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
	    cp == 0x205F || cp == 0x3000)
		return 1;                      /* other spaces */
	if (cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return 2;                      /* bidi marks, embeddings, overrides, isolates */
	if (cp == 0x200B || cp == 0x2060 || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
	    (cp >= 0xE0000 && cp <= 0xE007F))
		return 2;                      /* invisible: zero width space, BOM, tags */
	return 0;
}

/* The sanitised text, or NULL when nothing printable is left. */
static char *
title_clean(const char *topic, size_t max_chars)
{
	const char *s = topic ? topic : "";
	size_t len = strlen(s);
	char *out = xmalloc(len * 3 + 8);
	size_t o = 0, chars = 0, cut = 0;
	int pending_space = 0;

	if (max_chars < 2)
		max_chars = 2;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		i += utf8_next(s + i, len - i, &cp);
		int cls = title_class(cp);
		if (cls == 2)
			continue;
		if (cls == 1 || cp == ' ') {
			pending_space = chars > 0;
			continue;
		}
		if (pending_space) {
			out[o++] = ' ';
			chars++;
			pending_space = 0;
		}
		if (chars == max_chars - 1)
			cut = o;   /* where "…" goes if the title is too long */
		o += utf8_put(out + o, cp);
		chars++;
		if (chars > max_chars)
			break;
	}
	if (chars > max_chars) {
		o = cut;
		while (o > 0 && out[o - 1] == ' ')
			o--;
		o += utf8_put(out + o, 0x2026);
	}
	out[o] = '\0';
	if (o == 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *
zoom_title_sanitize(const char *topic, size_t max_chars, const char *fallback)
{
	char *t = title_clean(topic, max_chars);
	/* The fallback is cleaned too: it may carry Zoom's start_time. */
	if (t == NULL && fallback)
		t = title_clean(fallback, max_chars);
	return t ? t : title_clean("Zoom recording", max_chars);
}

