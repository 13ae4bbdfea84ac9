/*
 * notify.h — webhooks: the events of the outbox posted to the operator's
 * notify.webhooks, signed, retried with backoff until answered (and, through
 * notify_mail.h, sent to the operator's notify.email).
 */
#ifndef ZPUB_NOTIFY_H
#define ZPUB_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <stdatomic.h>
#include <cJSON.h>

#include "err.h"

struct store;

/* How long after its attempts-th failed attempt a delivery is tried again:
 * backoff_ms with notify.retry_base_ms and notify.retry_cap_ms. */
int64_t notify_retry_delay_ms(const cJSON *cfg, int attempts);

/* Whether a hook (an object under notify.webhooks) wants event: its events
 * list names it, or it has none (every event). */
int notify_hook_wants(const cJSON *hook, const char *event);

/* Whether cfg has a webhook or an e-mail at all. */
int notify_configured(const cJSON *cfg);

/* Creates the deliveries of new events for the webhooks and e-mails of cfg (a short
 * store transaction per event; the loop thread may call it). */
int notify_fan_out(struct store *st, const cJSON *cfg, struct zpub_err *err);

/* Posts the deliveries due now, one after another, recording each attempt
 * and its journal line, each signed with the vault's "notify.<hook>" of
 * the operator's tenant (key_path: the vault key; a hook without one is
 * not sent and tried again later); stops early when *cancel is set.
 * Blocks (a worker calls it). */
int notify_deliver_due(struct store *st, const cJSON *cfg, const char *key_path,
    atomic_int *cancel, struct zpub_err *err);

#endif
