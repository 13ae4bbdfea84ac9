/*
 * notify_mail.h — e-mail notifications: the events of the outbox sent to
 * the operator's notify.email.<name> through SMTP, one message per event,
 * through the same deliveries and retries as the webhooks.
 */
#ifndef ZPUB_NOTIFY_MAIL_H
#define ZPUB_NOTIFY_MAIL_H

#include <stdatomic.h>
#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct store;
struct store_notify_delivery;
struct vault;

/* A delivery's destination ("hook" column) for e-mail <name> is
 * "email.<name>"; a webhook's name has no dot, so the two never meet. */
#define NOTIFY_MAIL_PREFIX "email."

/* notify.email of cfg when it is an object, else NULL. */
const cJSON *notify_mail_all(const cJSON *cfg);

/* The RFC 5322 message (CRLF line ends) for an outbox body (the event's
 * JSON): Date (the event's time), Message-ID (its event id), From, To,
 * a Subject naming the event and the recording's title as RFC 2047
 * encoded words, and a text/plain UTF-8 body, base64.  Controls in the
 * title (CR, LF, ...) become spaces.  NULL when body is not an event. */
char *notify_mail_message(const char *body, const char *from, const cJSON *to);

/* One attempt of delivery d to e-mail dest (NULL: no longer configured);
 * records the outcome and its journal line like a webhook's.  The
 * password is the vault's "notify.email.<name>" of tenant tid in v. */
int notify_mail_deliver(struct store *st, const cJSON *cfg, const cJSON *dest,
    struct vault *v, int64_t tid, const struct store_notify_delivery *d,
    atomic_int *cancel, struct zpub_err *err);

#endif
