/*
 * review.c — the review gate (see review.h): whether a recording needs a
 * person's approval, whether it has it, and holding it until it does.
 */
#include "review.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "store.h"
#include "util.h"

static const char *const review_names[] = { "not_required", "pending", "approved" };

const char *
review_name(enum review_state s)
{
	return (unsigned)s < sizeof review_names / sizeof review_names[0] ?
	    review_names[s] : "?";
}

int
review_get(struct store *st, const cJSON *cfg, const struct store_recording *rec,
    struct review *out, struct zpub_err *err)
{
	struct store_topic_version tv;
	memset(out, 0, sizeof *out);
	const char *mode = config_str(cfg, "publish.review", "none");
	int required = strcmp(mode, "required") == 0;

	memset(&tv, 0, sizeof tv);
	int rc = store_topic_version_latest(st, rec->id, 0, &tv, err);
	if (rc == ZPUB_ENOTFOUND)
		rc = 0;
	else if (rc != 0)
		return rc;
	out->version = tv.version;
	if (tv.approved_by != NULL) {
		snprintf(out->approved_by, sizeof out->approved_by, "%s", tv.approved_by);
		out->approved_at = tv.approved_at;
	}
	if (!required)
		out->state = REVIEW_NOT_REQUIRED;
	else
		out->state = tv.approved_by != NULL ? REVIEW_APPROVED : REVIEW_PENDING;
	store_topic_version_clear(&tv);
	return 0;
}

int
review_gate(struct store *st, const cJSON *cfg, const struct store_recording *rec,
    struct zpub_err *err)
{
	struct review r;
	int rc = review_get(st, cfg, rec, &r, err);
	if (rc != 0)
		return rc;
	if (r.state != REVIEW_PENDING)
		return rec->review_hold ? store_recording_set_review_hold(st, rec->id, 0, err) : 0;
	if (!rec->review_hold) {
		if ((rc = store_recording_set_review_hold(st, rec->id, 1, err)) != 0)
			return rc;
		store_journal(st, rec->id, "info", "review", "waiting for a person to approve topic"
		    " version %d before publishing (publish.review is \"required\")", r.version);
	}
	if (r.version == 0)
		return zpub_err_set(err, ZPUB_EREVIEW, "recording %lld waits for review, but has no"
		    " topics yet", (long long)rec->id);
	return zpub_err_set(err, ZPUB_EREVIEW, "recording %lld waits for review of topic version"
	    " %d: check it with 'zpub topics %lld --show', then 'zpub approve %lld'",
	    (long long)rec->id, r.version, (long long)rec->id, (long long)rec->id);
}

void
review_json(cJSON *o, const struct review *r)
{
	cJSON_AddStringToObject(o, "review", review_name(r->state));
	if (r->version > 0)
		cJSON_AddNumberToObject(o, "review_version", r->version);
	else
		cJSON_AddNullToObject(o, "review_version");
	if (r->approved_by[0]) {
		char t[32];
		time_iso(r->approved_at, t);
		cJSON_AddStringToObject(o, "approved_by", r->approved_by);
		cJSON_AddStringToObject(o, "approved_at", t);
	} else {
		cJSON_AddNullToObject(o, "approved_by");
		cJSON_AddNullToObject(o, "approved_at");
	}
}
