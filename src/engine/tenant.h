/*
 * tenant.h — a tenant's layer of the configuration and its quotas.
 *
 * Quotas (columns of tenants; NULL or 0 = unlimited): storage bytes of the
 * tenant's artefacts, processing minutes per calendar month (UTC; usage rows
 * of kind "processing_minutes"), and stages running at once (in every
 * process: the store's live leases).  The stage runner (pipeline.c) asks
 * tenant_quota_check() before each stage, whichever face runs it: the
 * daemon waits, with the reason in the recording's detail, and no other
 * tenant is held up; a foreground face refuses with the sentence.
 */
#ifndef ZPUB_TENANT_H
#define ZPUB_TENANT_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct actor;
struct store;
struct store_tenant;

/* base merged with the tenant's own config (new object; base copied when
 * the tenant has none).  Keys a tenant may not set (config_schema.h) are
 * left out of the merge, with a warning in the log naming key and tenant. */
cJSON *tenant_config(struct store *st, const cJSON *base, int64_t tenant_id);

/* The tenant as `zpub tenant show --json` prints it and GET /tenant
 * answers: {"id", "name", "quota": {...}, "config": its layer, "used":
 * {"storage_bytes", "minutes_this_month"}, "recordings": counts by status}.
 * New object. */
cJSON *tenant_to_json(struct store *st, const struct store_tenant *t);

/* Changes keys of the tenant's config layer: patch is {"KEY": value, ...}
 * with null to unset a key.  Each key is checked as `zpub tenant config`
 * checks it (a tenant may set only tenant keys; an operator key or a bad
 * value is refused with the schema's sentence, ZPUB_EINVAL); all keys
 * change or none, in one transaction, audited as who. */
int tenant_config_patch(struct store *st, const struct actor *who, int64_t tenant_id,
    const cJSON *patch, struct zpub_err *err);

/* [from, to) of the UTC calendar month holding t, or of "YYYY-MM". */
void tenant_month_range(int64_t t, int64_t *from_ms, int64_t *to_ms);
int tenant_month_parse(const char *yyyy_mm, int64_t *from_ms, int64_t *to_ms);

/* The quotas, as the sentences and quota_reached notifications name them. */
#define TENANT_QUOTA_CONCURRENT "concurrent-stages quota"
#define TENANT_QUOTA_STORAGE "storage quota"
#define TENANT_QUOTA_MINUTES "monthly processing-minutes quota"

/* 0 when the tenant may start one more run of stage (running = its stages
 * running now); ZPUB_EQUOTA with a sentence naming the quota and the
 * command that raises it otherwise, and *quota (may be NULL) one of the
 * TENANT_QUOTA_* names.  The concurrency quota holds for every stage, the
 * storage quota for the stages that bring new data (download, process), the
 * monthly minutes for process, which is what they meter. */
int tenant_quota_check(struct store *st, int64_t tenant_id, const char *stage, int running,
    const char **quota, struct zpub_err *err);
/* Only the monthly minutes: what the API checks when asked to publish or
 * retry, before anything is queued. */
int tenant_minutes_check(struct store *st, int64_t tenant_id, struct zpub_err *err);

/* Parses "500M", "10G", "1T", "123456" (bytes); -1 if bad. */
int64_t tenant_parse_bytes(const char *s);

#endif
