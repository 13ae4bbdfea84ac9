/*
 * usage.h — metering: usage rows with their cost from the price table.
 *
 * Prices live in config under "prices": {"KIND": {"PROVIDER": price per
 * unit, "*": default}}, e.g. {"transcription_minutes": {"fireworks": 0.0009},
 * "processing_minutes": {"*": 0}, "upload_bytes": {"youtube": 0}}.  Known
 * kinds: processing_minutes, transcription_minutes, llm_tokens, upload_bytes,
 * storage_bytes.
 */
#ifndef ZPUB_USAGE_H
#define ZPUB_USAGE_H

#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct store;

/* Price per unit of kind from provider (0 when the table has none). */
double usage_price(const cJSON *cfg, const char *kind, const char *provider);

/* Adds a usage row costed with the price table. */
int usage_record(struct store *st, const cJSON *cfg, int64_t tenant_id, int64_t rec_id,
    const char *kind, const char *provider, double amount, struct zpub_err *err);

/* What each face started over [from_ms, to_ms), one tenant or
 * STORE_ALL_TENANTS: {"processing_minutes": {"cli": 1.5, "daemon": 3},
 * "transcription_minutes": {...}, "upload_bytes": {...}}; faces are cli,
 * tui, daemon, api, job ("unknown" for rows metered before faces were
 * kept).  `zpub usage` and GET /usage show it as "by_face". */
cJSON *usage_by_face(struct store *st, int64_t tenant_id, int64_t from_ms, int64_t to_ms,
    struct zpub_err *err);

/* One tenant's metered rows over [from_ms, to_ms) as the API shows them:
 * [{"kind", "provider", "amount", "cost"}, ...]; *total (may be NULL) gets
 * the sum of the costs.  NULL on error. */
cJSON *usage_rows(struct store *st, int64_t tenant_id, int64_t from_ms, int64_t to_ms,
    double *total, struct zpub_err *err);

#endif
