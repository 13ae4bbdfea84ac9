/*
 * smtp.c — one e-mail message through libcurl's SMTP (see smtp.h): the
 * envelope (MAIL FROM, RCPT TO) and the message uploaded as DATA, which
 * curl dot-stuffs.  Over smtp:// curl upgrades with STARTTLS when the
 * server offers it, and a password is only ever sent encrypted unless the
 * server is on this machine.
 */
#include "smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "http.h"

struct upload {
	const char *p;
	size_t left;
};

static size_t
read_cb(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t n = size * nmemb;
	if (n > u->left)
		n = u->left;
	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

static int
progress_cb(void *ud, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
	const struct smtp_mail *m = ud;
	(void)dlt; (void)dln; (void)ult; (void)uln;
	return m->cancel && m->cancel(m->cancel_ud);
}

/* Whether url's host is this machine (127.0.0.0/8, ::1, localhost). */
static int
url_loopback(const char *url)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	return strncmp(h, "127.", 4) == 0 || strncmp(h, "[::1]", 5) == 0 ||
	    (strncmp(h, "localhost", 9) == 0 && strchr(":/", h[9]) != NULL);
}

int
smtp_send(const struct smtp_mail *m, long *reply, struct zpub_err *err)
{
	char url[512], ebuf[CURL_ERROR_SIZE] = "", from[340];
	struct curl_slist *rcpt = NULL;
	struct upload up = { m->message, m->message_len };
	CURLcode cc;
	int rc = 0;

	*reply = 0;
	http_url_redact(m->url, url, sizeof url);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return zpub_err_set(err, ZPUB_ENET, "cannot start libcurl to send mail");
	CURL *e = curl_easy_init();
	if (e == NULL) {
		curl_global_cleanup();
		return zpub_err_set(err, ZPUB_ENOMEM, "cannot start libcurl to send mail");
	}
	snprintf(from, sizeof from, "<%s>", m->from);
	for (int i = 0; i < m->n_to; i++) {
		char to[340];
		snprintf(to, sizeof to, "<%s>", m->to[i]);
		struct curl_slist *n = curl_slist_append(rcpt, to);
		if (n == NULL) {
			rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory sending mail");
			goto out;
		}
		rcpt = n;
	}
	curl_easy_setopt(e, CURLOPT_URL, m->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(e, CURLOPT_READDATA, &up);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)m->message_len);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, m->timeout_ms > 0 ? m->timeout_ms : 60000L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, (void *)m);
	if (m->user && m->password) {
		curl_easy_setopt(e, CURLOPT_USERNAME, m->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, m->password);
	}
	/* a password crosses the network encrypted or not at all */
	curl_easy_setopt(e, CURLOPT_USE_SSL, m->password && !url_loopback(m->url) ?
	    (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);

	cc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, reply);
	if (cc == CURLE_ABORTED_BY_CALLBACK)
		rc = zpub_err_set(err, ZPUB_ECANCEL, "sending mail through %s was stopped", url);
	else if (cc == CURLE_LOGIN_DENIED)
		rc = zpub_err_set(err, ZPUB_ENET, "the mail server %s refused the sign-in (%ld);"
		    " check the user name and the password in the vault", url, *reply);
	else if (cc == CURLE_USE_SSL_FAILED)
		rc = zpub_err_set(err, ZPUB_ENET, "the mail server %s offers no STARTTLS, and zpub"
		    " sends a password only encrypted; use smtps://", url);
	else if (cc != CURLE_OK)
		rc = zpub_err_set(err, ZPUB_ENET, "the mail server %s did not take the message: %s",
		    url, ebuf[0] ? ebuf : curl_easy_strerror(cc));
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(e);
	curl_global_cleanup();
	return rc;
}
