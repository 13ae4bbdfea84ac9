/*
 * zoom_hook.h — Zoom's event notifications (webhooks), apart from HTTP:
 * the signature check, the answer to Zoom's URL validation, and what a
 * `recording.completed` event does (the control API's POST /hooks/zoom,
 * api_routes_hook.c, is the transport around it).
 *
 * Zoom signs every notification with the app's secret token (the vault's
 * "zoom.webhook_secret" of the operator's tenant): x-zm-signature is
 * "v0=" + hex HMAC-SHA256(secret, "v0:{x-zm-request-timestamp}:{raw body}"),
 * the timestamp in Unix seconds.  A notification is taken only when that
 * matches (compared in constant time) and the timestamp is within
 * ZOOM_HOOK_WINDOW_S of now.
 */
#ifndef ZPUB_ZOOM_HOOK_H
#define ZPUB_ZOOM_HOOK_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct store;
struct vault;

#define ZOOM_HOOK_WINDOW_S 300          /* how old (or new) a timestamp may be */
#define ZOOM_HOOK_MAX_BODY (64 * 1024)  /* larger notifications are refused (413) */
#define ZOOM_HOOK_SECRET "zoom.webhook_secret"

/* 0 when signature ("v0=<hex>") is Zoom's signature of body at timestamp
 * (decimal Unix seconds) and the timestamp is within ZOOM_HOOK_WINDOW_S of
 * now_s; else ZPUB_EAUTH with a sentence saying which.  Pure. */
int zoom_hook_verify(const char *secret, const char *signature, const char *timestamp,
    const void *body, size_t len, int64_t now_s, struct zpub_err *err);

/* The vault name under which the download_token of a recording.completed
 * event waits for recording rec_id's download ("zoom.download_token.ID"). */
void zoom_hook_token_name(int64_t rec_id, char out[64]);

/* The tenant a Zoom account's events go to: the operator's tenant (the
 * `tenant` key) when account_id is the account zpub is connected to
 * (providers.zoom.account_id); ZPUB_ENOTFOUND with a sentence for any other
 * account, or when no account is configured: a recording is never put in a
 * tenant it cannot be attributed to.  With providers.zoom.scope "account",
 * the tenant providers.zoom.hosts routes host_email to (ZPUB_ENOTFOUND when
 * no glob matches), as a sync routes it.  cfg: the operator's config. */
int zoom_hook_tenant(struct store *st, const cJSON *cfg, const char *account_id,
    const char *host_email, int64_t *tenant_id, struct zpub_err *err);

/* recording.completed (the parsed event): the meeting in payload.object
 * becomes recordings of zoom_hook_tenant's tenant as a sync would make them
 * (zoom_sync_meeting: one per file worth publishing, known files left
 * alone), and the event's download_token, when there is one, is kept in the
 * vault for 24 hours for each new recording's download.  *report (new
 * object): zoom_sync_meeting's plus "tenant"; *n_new the recordings made.
 * ZPUB_ENOTFOUND: not attributable (nothing done); ZPUB_EINVAL: no meeting. */
int zoom_hook_recording(struct store *st, struct vault *v, const cJSON *cfg,
    const cJSON *event, cJSON **report, int *n_new, struct zpub_err *err);

#endif
