/*
 * zoom_hook.c — Zoom's event notifications apart from HTTP: the signature
 * and timestamp check, the tenant an event belongs to, and a
 * recording.completed event turned into recordings (through zoom_sync.c's
 * path for one meeting) with its download token kept in the vault.
 */
#include "zoom_hook.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "vault.h"
#include "zoom_sync.h"

int
zoom_hook_verify(const char *secret, const char *signature, const char *timestamp,
    const void *body, size_t len, int64_t now_s, struct zpub_err *err)
{
	if (signature == NULL || timestamp == NULL)
		return zpub_err_set(err, ZPUB_EAUTH, "this notification has no x-zm-signature or"
		    " x-zm-request-timestamp header; only Zoom's signed notifications are taken");
	size_t tl = strlen(timestamp);
	int64_t ts = 0;
	if (tl == 0 || tl > 12 || strspn(timestamp, "0123456789") != tl)
		return zpub_err_set(err, ZPUB_EAUTH, "x-zm-request-timestamp is not Unix seconds");
	for (size_t i = 0; i < tl; i++)
		ts = ts * 10 + (timestamp[i] - '0');
	if (ts < now_s - ZOOM_HOOK_WINDOW_S || ts > now_s + ZOOM_HOOK_WINDOW_S)
		return zpub_err_set(err, ZPUB_EAUTH, "this notification's timestamp is %lld s from"
		    " now, more than the %d s allowed: stale or replayed (check this server's clock)",
		    (long long)(ts - now_s), ZOOM_HOOK_WINDOW_S);
	/* "v0:{timestamp}:{body}" over the raw bytes */
	size_t mlen = 3 + tl + 1 + len;
	char *msg = xmalloc(mlen + 1);
	memcpy(msg, "v0:", 3);
	memcpy(msg + 3, timestamp, tl);
	msg[3 + tl] = ':';
	if (len)
		memcpy(msg + 4 + tl, body, len);
	char want[3 + 65];
	memcpy(want, "v0=", 3);
	hmac_sha256_hex(secret, msg, mlen, want + 3);
	free(msg);
	size_t wl = strlen(want);
	int same = strlen(signature) == wl && sodium_memcmp(signature, want, wl) == 0;
	sodium_memzero(want, sizeof want);
	if (!same)
		return zpub_err_set(err, ZPUB_EAUTH, "this notification's x-zm-signature does not"
		    " match its body: not from Zoom, or zoom.webhook_secret is not the app's secret"
		    " token");
	return 0;
}

void
zoom_hook_token_name(int64_t rec_id, char out[64])
{
	snprintf(out, 64, "zoom.download_token.%lld", (long long)rec_id);
}

int
zoom_hook_tenant(struct store *st, const cJSON *cfg, const char *account_id,
    const char *host_email, int64_t *tenant_id, struct zpub_err *err)
{
	const char *ours = config_str(cfg, "providers.zoom.account_id", "");
	const char *tenant = config_str(cfg, "tenant", "default");

	if (ours[0] == '\0')
		return zpub_err_set(err, ZPUB_ENOTFOUND, "a Zoom notification for account '%s' was"
		    " not taken: zpub knows no Zoom account (set providers.zoom.account_id to the"
		    " account whose recordings it gets)", account_id ? account_id : "?");
	if (account_id == NULL || strcmp(account_id, ours) != 0)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "a Zoom notification for account '%s' was"
		    " not taken: it is not the account zpub is connected to (providers.zoom.account_id)",
		    account_id ? account_id : "(none)");
	/* Account-wide: the host's tenant, as a sync routes it. */
	if (strcmp(config_str(cfg, "providers.zoom.scope", "me"), "account") == 0 &&
	    !zoom_host_route(config_find(cfg, "providers.zoom.hosts"), host_email ? host_email : "",
	    &tenant, NULL))
		return zpub_err_set(err, ZPUB_ENOTFOUND, "a Zoom notification for host '%s' was not"
		    " taken: no glob of providers.zoom.hosts matches it", host_email ? host_email :
		    "(none)");
	return store_tenant_id(st, tenant, tenant_id, err);
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

int
zoom_hook_recording(struct store *st, struct vault *v, const cJSON *cfg, const cJSON *event,
    cJSON **report, int *n_new, struct zpub_err *err)
{
	const cJSON *payload = cJSON_GetObjectItemCaseSensitive(event, "payload");
	const cJSON *meeting = cJSON_GetObjectItemCaseSensitive(payload, "object");
	const char *token = jstr(event, "download_token");
	int64_t tenant_id = 0, *ids = NULL;
	int rc;

	*report = NULL;
	*n_new = 0;
	if (!cJSON_IsObject(meeting) ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(meeting, "recording_files")))
		return zpub_err_set(err, ZPUB_EINVAL, "this recording.completed notification has no"
		    " payload.object with recording_files");
	if ((rc = zoom_hook_tenant(st, cfg, jstr(payload, "account_id"),
	    jstr(meeting, "host_email"), &tenant_id, err)) != 0)
		return rc;
	rc = zoom_sync_meeting(st, tenant_id, meeting, NULL, report, &ids, n_new, err);
	cJSON_AddNumberToObject(*report, "tenant", (double)tenant_id);
	for (int i = 0; token && v && i < *n_new; i++) {
		char name[64];
		struct zpub_err verr = {0};
		zoom_hook_token_name(ids[i], name);
		if (vault_put(v, tenant_id, name, token, strlen(token),
		    time_now_ms() + 24LL * 3600 * 1000, &verr) != 0)
			log_warn("recording %lld: the notification's download token was not kept (%s);"
			    " the account's token downloads it", (long long)ids[i], verr.msg);
	}
	for (int i = 0; i < *n_new; i++)
		store_journal(st, ids[i], "info", "zoom_hook", "made from Zoom's recording.completed"
		    " notification%s", token ? " (with a download token)" : "");
	free(ids);
	return rc;
}
