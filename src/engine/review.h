/*
 * review.h — the review gate: with publish.review = "required" nothing
 * publishes a recording until a person has approved its newest topic
 * version.  The runner asks review_gate() before the publish stage; a
 * recording it stops is held at TRANSCRIBED (the store's review_hold) so
 * the daemon leaves it and `zpub list --review pending` shows it.
 * Approving (edit_topics_approve) lifts the hold.
 */
#ifndef ZPUB_REVIEW_H
#define ZPUB_REVIEW_H

#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct store;
struct store_recording;

enum review_state {
	REVIEW_NOT_REQUIRED,   /* publish.review is "none" */
	REVIEW_PENDING,        /* required; the newest topic version is not approved */
	REVIEW_APPROVED,       /* required; a person approved the newest version */
};

struct review {
	enum review_state state;
	int version;              /* the newest topic version, 0 = none yet */
	char approved_by[160];    /* "cli:alice"; "" when not approved */
	int64_t approved_at;      /* epoch ms; 0 when not approved */
};

/* "not_required", "pending", "approved". */
const char *review_name(enum review_state s);
/* The review of rec under cfg, its merged config (tenant, template and
 * recording layers). */
int review_get(struct store *st, const cJSON *cfg, const struct store_recording *rec,
    struct review *out, struct zpub_err *err);
/* The gate in front of the publish stage: 0 to go on (and the hold is
 * lifted), ZPUB_EREVIEW when a person must approve first (the recording is
 * held and err says how to approve it). */
int review_gate(struct store *st, const cJSON *cfg, const struct store_recording *rec,
    struct zpub_err *err);
/* Adds "review", "review_version", "approved_by", "approved_at" to o. */
void review_json(cJSON *o, const struct review *r);

#endif
