/*
 * notify_mail.c — e-mail notifications (see notify_mail.h).
 *
 * The message is composed from the body the outbox fixed when the event
 * was written, so every attempt sends the same bytes with the same
 * Message-ID (the event id): a receiver can drop repeats of an attempt the
 * server took but never confirmed.  Titles come from outside: their
 * controls become spaces and every header that holds one is RFC 2047
 * encoded, so no CR or LF reaches the header block.
 */
#include "notify_mail.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "notify.h"
#include "smtp.h"
#include "store.h"
#include "store_notify.h"
#include "util.h"
#include "vault.h"
#include "xmalloc.h"

/* s with controls (CR, LF, TAB, ESC, ...) as spaces and bad UTF-8 as
 * U+FFFD; malloc'd. */
static char *
clean(const char *s)
{
	struct sbuf b = { 0 };
	size_t len = s ? strlen(s) : 0;
		for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);
		if (text_cp_is_control(cp))
			sb_addn(&b, " ", 1);
		else if (cp == 0xFFFD && n == 1)
			sb_addn(&b, "\xEF\xBF\xBD", 3);
		else
			sb_addn(&b, s + i, n);
		i += n;
	}
	return sb_take(&b);
}

/* An unstructured header value: as it is when plain printable ASCII, else
 * encoded words of whole characters, folded. */
static void
header_text(struct sbuf *b, const char *s)
{
	int plain = strstr(s, "=?") == NULL && strlen(s) < 900;
	for (const unsigned char *p = (const unsigned char *)s; plain && *p; p++)
		plain = *p >= 0x20 && *p < 0x7f;
	if (plain) {
		sb_addn(b, s, strlen(s));
		return;
	}
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		/* at most 45 bytes (60 of base64) of whole characters a word */
		size_t w = 0;
		while (i + w < len) {
			uint32_t cp;
			size_t n = utf8_next(s + i + w, len - i - w, &cp);
			if (w + n > 45)
				break;
			w += n;
		}
		char enc[64];
		sodium_bin2base64(enc, sizeof enc, (const unsigned char *)s + i, w,
		    sodium_base64_VARIANT_ORIGINAL);
		sb_addf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", enc);
		i += w;
	}
}

/* "Thu, 03 Dec 2026 18:10:29 +0000" of an ISO time (now when unreadable). */
static void
rfc5322_date(const char *iso, char out[40])
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	    "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t ms = iso ? time_parse_iso(iso) : -1;
	time_t t = (time_t)((ms > 0 ? ms : time_now_ms()) / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
	    tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
}

/* What an event means, as the first line of the message. */
static const char *
event_sentence(const char *event)
{
	static const struct { const char *event, *says; } says[] = {
		{ "ready", "is ready: it went through every stage and is published" },
		{ "failed", "failed; zpub will not try it again on its own" },
		{ "review_pending", "waits for a person's review before it is published" },
		{ "reauth_needed", "needs an account signed in again before zpub can go on" },
		{ "quota_reached", "waits: its tenant reached a quota" },
	};
	for (size_t i = 0; i < sizeof says / sizeof says[0]; i++)
		if (strcmp(says[i].event, event) == 0)
			return says[i].says;
	return "has news";
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *
notify_mail_message(const char *body, const char *from, const cJSON *to)
{
	cJSON *j = cJSON_Parse(body);
	const char *id = jstr(j, "id"), *event = jstr(j, "event");
	if (id == NULL || event == NULL) {
		cJSON_Delete(j);
		return NULL;
	}
	const cJSON *rec = cJSON_GetObjectItemCaseSensitive(j, "recording");
	const cJSON *rid = cJSON_GetObjectItemCaseSensitive(rec, "id");
	const char *reason = rec ? jstr(rec, "reason") : jstr(j, "reason");
	const char *tenant = jstr(j, "tenant");
	char *title = clean(rec ? jstr(rec, "title") : NULL);
	char *why = clean(reason);
	char *ten = clean(tenant);
	char date[40], subject[1200];
	struct sbuf b = { 0 }, text = { 0 };

	rfc5322_date(jstr(j, "time"), date);
	if (rec)
		snprintf(subject, sizeof subject, "zpub: %s: %.1000s", event,
		    *title ? title : "(untitled)");
	else
		snprintf(subject, sizeof subject, "zpub: %s (tenant %.200s)", event, ten);

	sb_addf(&b, "Date: %s\r\nFrom: <%s>\r\nTo: ", date, from);
	const cJSON *t;
	int k = 0;
	cJSON_ArrayForEach(t, to)
		if (cJSON_IsString(t))
			sb_addf(&b, "%s<%s>", k++ ? ",\r\n " : "", t->valuestring);
	sb_addf(&b, "\r\nMessage-ID: <%s@zpub>\r\nSubject: ", id);
	header_text(&b, subject);
	sb_addf(&b, "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\nX-Zpub-Event: %s\r\n\r\n", event);

	if (rec && cJSON_IsNumber(rid))
		sb_addf(&text, "The recording \"%s\" (id %.0f) %s.\n\n", *title ? title :
		    "(untitled)", rid->valuedouble, event_sentence(event));
	else
		sb_addf(&text, "Tenant %s %s.\n\n", ten, event_sentence(event));
	sb_addf(&text, "Event:    %s\n", event);
	if (rec && jstr(rec, "status"))
		sb_addf(&text, "Status:   %s\n", jstr(rec, "status"));
	if (*why)
		sb_addf(&text, "Reason:   %s\n", why);
	sb_addf(&text, "Tenant:   %s\nTime:     %s\nEvent id: %s\n", ten,
	    jstr(j, "time") ? jstr(j, "time") : date, id);
	/* base64 in lines of 76 */
	for (size_t i = 0; i < text.len; i += 57) {
		size_t n = text.len - i < 57 ? text.len - i : 57;
		char line[80];
		sodium_bin2base64(line, sizeof line, (const unsigned char *)text.s + i, n,
		    sodium_base64_VARIANT_ORIGINAL);
		sb_addf(&b, "%s\r\n", line);
	}
	sb_free(&text);
	free(title);
	free(why);
	free(ten);
	cJSON_Delete(j);
	return sb_take(&b);
}

const cJSON *
notify_mail_all(const cJSON *cfg)
{
	const cJSON *m = config_find(cfg, "notify.email");
	return cJSON_IsObject(m) ? m : NULL;
}

static int
stopping(void *ud)
{
	atomic_int *cancel = ud;
	return cancel && atomic_load(cancel);
}

/* The recipients as one line for the journal ("a@x, b@y"). */
static void
rcpt_line(const cJSON *to, char *out, size_t n)
{
	const cJSON *t;
	size_t o = 0;
	out[0] = '\0';
	cJSON_ArrayForEach(t, to)
		if (cJSON_IsString(t) && o < n)
			o += (size_t)snprintf(out + o, n - o, "%s%s", o ? ", " : "", t->valuestring);
}

int
notify_mail_deliver(struct store *st, const cJSON *cfg, const cJSON *dest, struct vault *v,
    int64_t tid, const struct store_notify_delivery *d, atomic_int *cancel,
    struct zpub_err *err)
{
	const char *name = d->hook + strlen(NOTIFY_MAIL_PREFIX);
	const char *url = dest ? config_str(dest, "smtp_url", NULL) : NULL;
	const char *from = dest ? config_str(dest, "from", NULL) : NULL;
	const cJSON *to = dest ? cJSON_GetObjectItemCaseSensitive(dest, "to") : NULL;
	char shown[512], rcpts[1024], msg[2048], sname[96];
	struct zpub_err serr = { 0 };
	char *password = NULL, *message = NULL;
	size_t plen = 0;
	long reply = 0;
	int64_t wait = notify_retry_delay_ms(cfg, d->attempts + 1);

	http_url_redact(url ? url : d->url, shown, sizeof shown);
	if (url == NULL || *url == '\0' || from == NULL || !cJSON_IsArray(to) ||
	    cJSON_GetArraySize(to) == 0) {
		snprintf(msg, sizeof msg, "not e-mailing %s through %s: the e-mail '%s' is no"
		    " longer configured (smtp_url, from and to)", d->event, shown, name);
		return store_notify_attempted(st, d, "dropped", 0, "e-mail removed", 0, "warn",
		    msg, err);
	}
	rcpt_line(to, rcpts, sizeof rcpts);
	/* The password is a secret: in the vault, never in the config. */
	snprintf(sname, sizeof sname, "notify.email.%s", name);
	if (v != NULL && vault_get(v, tid, sname, &password, &plen, NULL) != 0)
		password = NULL;
	const char *user = config_str(dest, "user", NULL);
	if (user != NULL && password == NULL) {
		snprintf(msg, sizeof msg, "not e-mailing %s to %s: the e-mail '%s' has a user but"
		    " no password; store one with 'zpub secret set %s' (trying again in %lld s)",
		    d->event, rcpts, name, sname, (long long)((wait + 999) / 1000));
		if (d->recording_id <= 0)
			log_warn("%s", msg);
		return store_notify_attempted(st, d, "pending", 0, "no password",
		    time_now_ms() + wait, "warn", msg, err);
	}
	message = notify_mail_message(d->body, from, to);
	if (message == NULL) {
		snprintf(msg, sizeof msg, "not e-mailing %s: its stored body is not an event",
		    d->event);
		return store_notify_attempted(st, d, "dropped", 0, "bad event", 0, "warn", msg,
		    err);
	}
	int n_to = cJSON_GetArraySize(to), k = 0;
	const char **addrs = xcalloc((size_t)n_to + 1, sizeof *addrs);
	const cJSON *t;
	cJSON_ArrayForEach(t, to)
		if (cJSON_IsString(t))
			addrs[k++] = t->valuestring;
	struct smtp_mail m = {
		.url = url, .user = password ? (user ? user : from) : NULL, .password = password,
		.from = from, .to = addrs, .n_to = k, .message = message,
		.message_len = strlen(message),
		.timeout_ms = (long)config_int(cfg, "notify.timeout_ms", 10000),
		.cancel = stopping, .cancel_ud = cancel,
	};
	int src = smtp_send(&m, &reply, &serr);
	vault_free_secret(password, plen);
	free(addrs);
	free(message);
	if (src == ZPUB_ECANCEL)
		return 0;    /* the daemon stops: still due at the next start */
	const char *state = "delivered", *level = "info";
	int64_t next = 0;
	if (src == 0)
		snprintf(msg, sizeof msg, "e-mailed %s to %s through %s (%ld)", d->event, rcpts,
		    shown, reply);
	else {
		state = "pending";
		level = "warn";
		next = time_now_ms() + wait;
		snprintf(msg, sizeof msg, "e-mailing %s to %s failed (attempt %d): %s; trying"
		    " again in %lld s", d->event, rcpts, d->attempts + 1, serr.msg,
		    (long long)((wait + 999) / 1000));
	}
	if (d->recording_id <= 0)    /* else the journal logs it */
		log_info("%s", msg);
	return store_notify_attempted(st, d, state, reply, src == 0 ? NULL : serr.msg, next,
	    level, msg, err);
}
