/*
 * store_notify.h — the notification outbox: events written with the change
 * they report, deliveries to webhooks with their retry state.
 */
#ifndef ZPUB_STORE_NOTIFY_H
#define ZPUB_STORE_NOTIFY_H

#include <stdint.h>

#include "err.h"

struct store;

/* Writes event (ready, failed, review_pending, reauth_needed, quota_reached)
 * about recording rec_id with an optional reason into the outbox, inside
 * the caller's transaction.  The body is fixed now: a new event id, the
 * event, the time, the tenant and the recording's id, title and status. */
int store_notify_enqueue(struct store *st, int64_t rec_id, const char *event,
    const char *reason, struct zpub_err *err);
/* The same for an event about a tenant with no recording (an account). */
int store_notify_enqueue_tenant(struct store *st, int64_t tenant_id, const char *event,
    const char *reason, struct zpub_err *err);

struct store_notify_event {
	int64_t row;
	char *event;
};
/* Events whose deliveries were not created yet, oldest first. */
int store_notify_unfanned(struct store *st, int limit, struct store_notify_event **out,
    int *n, struct zpub_err *err);
void store_notify_events_free(struct store_notify_event *v, int n);
/* Creates one delivery per hook (names[i], urls[i]) due now and marks the
 * event fanned, in one transaction. */
int store_notify_fan(struct store *st, int64_t event_row, const char *const *names,
    const char *const *urls, int n, struct zpub_err *err);

struct store_notify_delivery {
	int64_t id, recording_id;
	char *hook, *url, *event, *event_id, *body;
	int attempts;
};
/* Pending deliveries due at now_ms, oldest first. */
int store_notify_due(struct store *st, int64_t now_ms, int limit,
    struct store_notify_delivery **out, int *n, struct zpub_err *err);
void store_notify_deliveries_free(struct store_notify_delivery *v, int n);
/* Takes delivery id, still pending and due at now_ms, for this daemon until
 * hold_until (daemons of several hosts see the same due deliveries): 1 when
 * taken, 0 when another daemon took it first, or an error. */
int store_notify_claim(struct store *st, int64_t id, int64_t now_ms, int64_t hold_until,
    struct zpub_err *err);
/* The end of one attempt: state "delivered", "dropped" or "pending" again
 * at next_at, with the HTTP status (0: none) and error, and the sentence
 * for the recording's journal, in one transaction. */
int store_notify_attempted(struct store *st, const struct store_notify_delivery *d,
    const char *state, long status, const char *error, int64_t next_at,
    const char *journal_level, const char *journal_msg, struct zpub_err *err);
/* Forgets events older than before_ms that have no pending delivery. */
int store_notify_prune(struct store *st, int64_t before_ms, struct zpub_err *err);
/* Deliveries not yet made (the backlog). */
int store_notify_backlog(struct store *st, int64_t *n, struct zpub_err *err);

/* An event as the terminal app tells it, whether or not anything is
 * configured to deliver it: the title and reason as the body fixed them
 * (text from outside: escape before printing). */
struct store_notify_seen {
	int64_t row, recording_id;  /* recording_id 0: about the tenant */
	char *event, *title, *reason;
};
/* The newest event's row (0: none yet): where a reader starts. */
int store_notify_last_row(struct store *st, int64_t *row, struct zpub_err *err);
/* Tenant tenant_id's events after row after, oldest first, at most limit. */
int store_notify_since(struct store *st, int64_t tenant_id, int64_t after, int limit,
    struct store_notify_seen **out, int *n, struct zpub_err *err);
void store_notify_seen_free(struct store_notify_seen *v, int n);

#endif
