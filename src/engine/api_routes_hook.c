/*
 * api_routes_hook.c — POST /hooks/zoom, where Zoom sends its event
 * notifications.  Zoom cannot send a zpub token, so the route needs none:
 * Zoom's signature (zoom_hook.h) is the authentication.  The URL
 * validation is answered as Zoom specifies; every other event needs a valid
 * signature with a fresh timestamp, and a signature seen before (a replay)
 * is refused; recording.completed queues the recording and wakes the
 * daemon; other events are answered and logged, nothing done.
 */
#include "api_int.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "store.h"
#include "store_admin.h"
#include "util.h"
#include "vault.h"
#include "zoom_hook.h"

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The vault and the app's secret token (the operator's tenant's
 * zoom.webhook_secret); an answer in out when there is none. */
static int
hook_secret(struct api *a, struct vault **v, char **secret, size_t *len,
    struct api_response *out)
{
	struct zpub_err err = {0};

	*v = NULL;
	*secret = NULL;
	*len = 0;
	if (api_operator_secret(a, ZOOM_HOOK_SECRET, secret, len, &err) != 0 ||
	    vault_open(a->st, a->key_path, v, &err) != 0) {
		vault_free_secret(*secret, *len);
		*secret = NULL;
		log_warn("api: a Zoom notification was refused: Zoom webhooks are not set up%s%s",
		    err.msg[0] ? ": " : "", err.msg);
		reply_error(out, 503, "Zoom webhooks are not set up on this server: store the app's"
		    " secret token with 'zpub secret set %s'", ZOOM_HOOK_SECRET);
		vault_close(*v);
		*v = NULL;
		return -1;
	}
	return 0;
}

/* endpoint.url_validation: {"plainToken", "encryptedToken": hex
 * HMAC-SHA256(secret, plainToken)}. */
static void
hook_validate(const cJSON *ev, const char *secret, struct api_response *out)
{
	const char *plain = jstr(cJSON_GetObjectItemCaseSensitive(ev, "payload"), "plainToken");
	if (plain == NULL || plain[0] == '\0' || strlen(plain) > 256) {
		reply_error(out, 400, "this endpoint.url_validation has no payload.plainToken");
		return;
	}
	char hex[65];
	hmac_sha256_hex(secret, plain, strlen(plain), hex);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "plainToken", plain);
	cJSON_AddStringToObject(j, "encryptedToken", hex);
	reply_json(out, 200, j);
}

static void
hook_recording(struct api *a, struct vault *v, const cJSON *ev, const char *signature,
    struct api_response *out)
{
	cJSON *rep = NULL;
	int n = 0;
	struct zpub_err err = {0};
	int rc = zoom_hook_recording(a->st, v, a->config, ev, &rep, &n, &err);

	if (rc == ZPUB_ENOTFOUND) {
		/* Zoom must not retry what zpub will never take: 200, nothing done. */
		log_warn("api: %s", err.msg);
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "event", "recording.completed");
		cJSON_AddBoolToObject(j, "taken", 0);
		cJSON_AddStringToObject(j, "reason", err.msg);
		reply_json(out, 200, j);
	} else if (rc != 0) {
		log_warn("api: Zoom's recording.completed: %s", err.msg);
		reply_err(out, &err);
		if (out->status >= 500)   /* Zoom retries it: not a replay then */
			store_webhook_seen_drop(a->st, signature, NULL);
	} else {
		log_info("api: Zoom's recording.completed made %d recording%s", n, n == 1 ? "" : "s");
		if (n > 0 && a->wake)
			a->wake(a->wake_ud);
		cJSON_AddStringToObject(rep, "event", "recording.completed");
		cJSON_AddBoolToObject(rep, "taken", 1);
		reply_json(out, 200, rep);
		rep = NULL;
	}
	cJSON_Delete(rep);
}

void
h_zoom_hook(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	struct vault *v = NULL;
	char *secret = NULL;
	size_t slen = 0;
	cJSON *ev = NULL;
	struct zpub_err err = {0};
	(void)c; (void)id;

	if (r->body_len > ZOOM_HOOK_MAX_BODY) {
		reply_error(out, 413, "a Zoom notification may have at most %d bytes; this one has"
		    " %zu", ZOOM_HOOK_MAX_BODY, r->body_len);
		return;
	}
	if ((ev = body_object(r, out)) == NULL)
		return;
	const char *event = jstr(ev, "event");
	if (event == NULL || event[0] == '\0') {
		reply_error(out, 400, "this is not a Zoom notification: it has no \"event\"");
		goto out;
	}
	if (hook_secret(a, &v, &secret, &slen, out) != 0)
		goto out;
	if (strcmp(event, "endpoint.url_validation") == 0) {
		hook_validate(ev, secret, out);
		goto out;
	}
	int64_t now_ms = r->now_ms ? r->now_ms : time_now_ms();
	if (zoom_hook_verify(secret, r->zm_signature, r->zm_timestamp, r->body, r->body_len,
	    now_ms / 1000, &err) != 0 ||
	    store_webhook_seen_add(a->st, r->zm_signature, now_ms,
	    2000LL * ZOOM_HOOK_WINDOW_S, &err) != 0) {
		log_warn("api: a Zoom notification was refused: %s", err.msg);
		if (err.code == ZPUB_EAUTH || err.code == ZPUB_EBUSY)
			reply_error(out, 401, "%s", err.msg);
		else
			reply_err(out, &err);
		goto out;
	}
	if (strcmp(event, "recording.completed") == 0) {
		hook_recording(a, v, ev, r->zm_signature, out);
		goto out;
	}
	log_info("api: Zoom's %.64s notification: zpub does not act on it", event);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "event", event);
	cJSON_AddBoolToObject(j, "taken", 0);
	cJSON_AddStringToObject(j, "reason", "zpub does not act on this event");
	reply_json(out, 200, j);
out:
	if (secret)
		vault_free_secret(secret, slen);
	vault_close(v);
	cJSON_Delete(ev);
}
