/*
 * recjson.h — a recording as JSON, the one shape `zpub list|show --json`
 * and the API's /recordings answer with.
 */
#ifndef ZPUB_RECJSON_H
#define ZPUB_RECJSON_H

#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct store;
struct store_journal_entry;
struct store_recording;

/* {"id", "tenant", "status", "title", "source", "duration_ms",
 * "started_at", "error", "detail", "failed_stage", "attempts",
 * "template_id", "next_retry_at", "progress", "created_at", "updated_at"};
 * a value zpub does not have is null.  New object. */
cJSON *recjson_recording(const struct store_recording *r);

/* Where the files are on the server is for the operator's faces (CLI,
 * terminal app), not for API clients. */
#define RECJSON_PATHS 0x1

/* recjson_recording() with the recording's "stages", "artifacts" (their
 * "path" only with RECJSON_PATHS), "topic_versions", "slide_changes"
 * ({"at_ms", "out_ms"}: on the source and the cut), "publications", and
 * its review (review.h's review_json) under config, the operator's config
 * (the tenant's and the recording's layers are added here). */
int recjson_show(struct store *st, const cJSON *config, const struct store_recording *r,
    int flags, cJSON **out, struct zpub_err *err);

/* `zpub status --json` and GET /status: {"tenant", "counts": {STATUS: n},
 * "total", "review_pending", "running": [recording...], "hosts": [{"host",
 * "running": [{"id", "status", "owner", "lease_until"}]}]} of one tenant
 * (tenant is its name). */
int recjson_status(struct store *st, int64_t tenant_id, const char *tenant, cJSON **out,
    struct zpub_err *err);

/* A journal line: {"id", "at", "recording_id" (when it has one), "level",
 * "event", "message"}.  New object. */
cJSON *recjson_journal_entry(const struct store_journal_entry *e);

#endif
