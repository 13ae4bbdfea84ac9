/*
 * notify.c — webhook deliveries (see notify.h).
 *
 * Events are written to the outbox by the store in the transaction of the
 * change they report.  Here they are fanned out to the operator's hooks
 * (notify.webhooks.<name>: url, events, secret) and posted with the body
 * the store fixed, so every attempt of one event carries the same event id
 * and the same bytes.  A 2xx answer ends a delivery; anything else is tried
 * again after backoff_ms, for as long as the hook exists.  Webhooks are an
 * operator setting: a tenant cannot point one anywhere, and a body holds the
 * data of the one tenant the event is about.  E-mail destinations
 * (notify.email.<name>, notify_mail.c) are deliveries of the same outbox.
 */
#include "notify.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "notify_mail.h"
#include "store.h"
#include "store_notify.h"
#include "util.h"
#include "vault.h"
#include "xmalloc.h"

#define NOTIFY_BATCH 32

int64_t
notify_retry_delay_ms(const cJSON *cfg, int attempts)
{
	return backoff_ms(attempts, config_int(cfg, "notify.retry_base_ms", 10000),
	    config_int(cfg, "notify.retry_cap_ms", 3600000));
}

int
notify_hook_wants(const cJSON *hook, const char *event)
{
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(hook, "events");
	if (!cJSON_IsArray(ev) || cJSON_GetArraySize(ev) == 0)
		return 1;
	const cJSON *e;
	cJSON_ArrayForEach(e, ev)
		if (cJSON_IsString(e) && strcmp(e->valuestring, event) == 0)
			return 1;
	return 0;
}

static const cJSON *
hooks_of(const cJSON *cfg)
{
	const cJSON *h = config_find(cfg, "notify.webhooks");
	return cJSON_IsObject(h) ? h : NULL;
}

int
notify_configured(const cJSON *cfg)
{
	const cJSON *h = hooks_of(cfg), *m = notify_mail_all(cfg);
	return (h && h->child) || (m && m->child);
}

int
notify_fan_out(struct store *st, const cJSON *cfg, struct zpub_err *err)
{
	const cJSON *hooks = hooks_of(cfg), *mails = notify_mail_all(cfg);
	int n_hooks = (hooks ? cJSON_GetArraySize(hooks) : 0) +
	    (mails ? cJSON_GetArraySize(mails) : 0);
	const char **names = xcalloc((size_t)n_hooks + 1, sizeof *names);
	const char **urls = xcalloc((size_t)n_hooks + 1, sizeof *urls);
	char **mail_names = xcalloc((size_t)n_hooks + 1, sizeof *mail_names);
	struct store_notify_event *ev = NULL;
	int n = 0, rc;

	if ((rc = store_notify_unfanned(st, 64, &ev, &n, err)) != 0)
		goto out;
	for (int i = 0; i < n && rc == 0; i++) {
		int k = 0;
		const cJSON *h;
		cJSON_ArrayForEach(h, hooks) {
			const char *url = config_str(h, "url", NULL);
			if (url && *url && notify_hook_wants(h, ev[i].event)) {
				names[k] = h->string;
				urls[k++] = url;
			}
		}
		int m = 0;
		cJSON_ArrayForEach(h, mails) {
			const char *url = config_str(h, "smtp_url", NULL);
			if (url && *url && notify_hook_wants(h, ev[i].event)) {
				mail_names[m] = xasprintf(NOTIFY_MAIL_PREFIX "%s", h->string);
				names[k] = mail_names[m++];
				urls[k++] = url;
			}
		}
		rc = store_notify_fan(st, ev[i].row, names, urls, k, err);
		while (m > 0)
			free(mail_names[--m]);
	}
out:
	store_notify_events_free(ev, n);
	free(mail_names);
	free(names);
	free(urls);
	return rc;
}

/* A stop of the daemon ends a transfer at once. */
static int
cancelled(void *ud, int64_t up_now, int64_t up_total, int64_t down_now, int64_t down_total)
{
	atomic_int *cancel = ud;
	(void)up_now; (void)up_total; (void)down_now; (void)down_total;
	return cancel && atomic_load(cancel);
}

/* One attempt of delivery d to its hook h; records the outcome (not when
 * the daemon stops meanwhile: the delivery stays due for the next start). */
static int
deliver_one(struct store *st, struct http_client *hc, const cJSON *cfg, const cJSON *h,
    struct vault *v, int64_t tid, const struct store_notify_delivery *d, atomic_int *cancel,
    struct zpub_err *err)
{
	char url[512], sig[65], msg[2048];
	char *hdr[6] = { NULL };
	struct http_response resp = { 0 };
	struct zpub_err herr;
	const char *state = "pending";
	const char *level = "warn";
	int64_t next = 0;

	/* to where the hook points now (the operator may have moved it) */
	const char *to = h ? config_str(h, "url", NULL) : NULL;
	http_url_redact(to ? to : d->url, url, sizeof url);
	if (to == NULL || *to == '\0') {
		snprintf(msg, sizeof msg, "not notifying %s to %s: the webhook '%s' is no longer"
		    " configured", d->event, url, d->hook);
		return store_notify_attempted(st, d, "dropped", 0, "webhook removed", 0, "warn",
		    msg, err);
	}
	/* The signing key is a secret: in the vault, never in the config. */
	char sname[96], *key = NULL;
	size_t klen = 0;
	snprintf(sname, sizeof sname, "notify.%s", d->hook);
	if (v == NULL || vault_get(v, tid, sname, &key, &klen, NULL) != 0) {
		int64_t wait = notify_retry_delay_ms(cfg, d->attempts + 1);
		snprintf(msg, sizeof msg, "not notifying %s to %s: the webhook '%s' has no signing"
		    " key; store one with 'zpub secret set %s' (trying again in %lld s)", d->event,
		    url, d->hook, sname, (long long)((wait + 999) / 1000));
		if (d->recording_id <= 0)
			log_warn("%s", msg);
		return store_notify_attempted(st, d, "pending", 0, "no signing key",
		    time_now_ms() + wait, "warn", msg, err);
	}
	hmac_sha256_hex(key, d->body, strlen(d->body), sig);
	vault_free_secret(key, klen);
	hdr[0] = xasprintf("X-Zpub-Signature: sha256=%s", sig);
	hdr[1] = xasprintf("X-Zpub-Event: %s", d->event);
	hdr[2] = xasprintf("X-Zpub-Delivery: %s", d->event_id);
	hdr[3] = xstrdup("User-Agent: zpub-webhook");
	struct http_request req = {
		.method = "POST", .url = to, .headers = (const char *const *)hdr,
		.body = d->body, .body_len = strlen(d->body), .content_type = "application/json",
		.timeout_ms = (long)config_int(cfg, "notify.timeout_ms", 10000),
		.connect_timeout_ms = 5000, .max_body_bytes = 65536, .what = "the webhook",
		.progress = cancelled, .progress_ud = cancel,
	};
	int hrc = http_do(hc, &req, &resp, &herr);
	int rc = 0;
	if (hrc == ZPUB_ECANCEL)
		goto out;
	if (hrc == 0 && resp.status >= 200 && resp.status < 300) {
		state = "delivered";
		level = "info";
		snprintf(msg, sizeof msg, "notified %s to %s (%ld)", d->event, url, resp.status);
	} else {
		int64_t wait = notify_retry_delay_ms(cfg, d->attempts + 1);
		next = time_now_ms() + wait;
		if (hrc == 0)
			snprintf(herr.msg, sizeof herr.msg, "the receiver answered %ld", resp.status);
		snprintf(msg, sizeof msg, "notifying %s to %s failed (attempt %d): %s; trying again"
		    " in %lld s", d->event, url, d->attempts + 1, herr.msg,
		    (long long)((wait + 999) / 1000));
	}
	if (d->recording_id <= 0)    /* else the journal logs it */
		log_info("%s", msg);
	rc = store_notify_attempted(st, d, state, resp.status, hrc == 0 &&
	    *state == 'd' ? NULL : herr.msg, next, level, msg, err);
out:
	http_response_free(&resp);
	for (int i = 0; hdr[i]; i++)
		free(hdr[i]);
	return rc;
}

int
notify_deliver_due(struct store *st, const cJSON *cfg, const char *key_path, atomic_int *cancel,
    struct zpub_err *err)
{
	struct store_notify_delivery *dv = NULL;
	struct http_client *hc = NULL;
	struct vault *v = NULL;
	const cJSON *hooks = hooks_of(cfg), *mails = notify_mail_all(cfg);
	int64_t tid = 0;
	int n = 0, rc;

	if ((rc = store_notify_due(st, time_now_ms(), NOTIFY_BATCH, &dv, &n, err)) != 0 || n == 0)
		goto out;
	/* The signing keys are the operator's (the `tenant` key's vault). */
	if (key_path == NULL || vault_open(st, key_path, &v, NULL) != 0 ||
	    store_tenant_id(st, config_str(cfg, "tenant", "default"), &tid, NULL) != 0) {
		vault_close(v);
		v = NULL;
	}
	hc = http_client_new();
	int64_t hold = config_int(cfg, "notify.timeout_ms", 10000) + 5000;
	for (int i = 0; i < n && rc == 0 && !(cancel && atomic_load(cancel)); i++) {
		/* Daemons of several hosts share the outbox: one sends each.  A
		 * daemon gone with it lets it go after the longest attempt. */
		int64_t now = time_now_ms();
		if (store_is_shared(st) && store_notify_claim(st, dv[i].id, now, now + hold,
		    NULL) != 1)
			continue;
		const char *mail = strncmp(dv[i].hook, NOTIFY_MAIL_PREFIX,
		    strlen(NOTIFY_MAIL_PREFIX)) == 0 ? dv[i].hook + strlen(NOTIFY_MAIL_PREFIX) : NULL;
		if (mail) {
			const cJSON *m = mails ? cJSON_GetObjectItemCaseSensitive(mails, mail) : NULL;
			rc = notify_mail_deliver(st, cfg, m, v, tid, &dv[i], cancel, err);
			continue;
		}
		const cJSON *h = hooks ? cJSON_GetObjectItemCaseSensitive(hooks, dv[i].hook) : NULL;
		rc = deliver_one(st, hc, cfg, h, v, tid, &dv[i], cancel, err);
	}
out:
	vault_close(v);
	http_client_free(hc);
	store_notify_deliveries_free(dv, n);
	return rc;
}
