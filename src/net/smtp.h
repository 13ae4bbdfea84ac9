/*
 * smtp.h — sends one finished e-mail message through an SMTP server with
 * libcurl (smtp:// with STARTTLS when the server offers it, smtps://).
 *
 * Blocking: a worker thread calls it.  The password goes to curl alone,
 * never into error text; the URL in error text is redacted.
 */
#ifndef ZPUB_NET_SMTP_H
#define ZPUB_NET_SMTP_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct smtp_mail {
	const char *url;            /* smtp://host[:port][/helo-name] or smtps:// */
	const char *user;           /* NULL: no sign-in */
	const char *password;
	const char *from;           /* envelope sender: local@domain */
	const char *const *to;      /* envelope recipients */
	int n_to;
	const char *message;        /* RFC 5322 text, CRLF line ends */
	size_t message_len;
	long timeout_ms;            /* the whole conversation; 0 = 60 s */
	/* non-zero ends the conversation at once (smtp_send: ZPUB_ECANCEL) */
	int (*cancel)(void *ud);
	void *cancel_ud;
};

/* Sends m.  0 when the server accepted the message; ZPUB_ENET (connect,
 * refusal, a 4xx or 5xx reply: *reply is its code, else 0) with a sentence
 * naming the server; ZPUB_ECANCEL when cancel said so. */
int smtp_send(const struct smtp_mail *m, long *reply, struct zpub_err *err);

#endif
