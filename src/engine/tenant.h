/*
 * tenant.h — a tenant's layer of the configuration and its quotas.
 *
 * Quotas (columns of tenants; NULL or 0 = unlimited): storage bytes of the
 * tenant's artefacts, processing minutes per calendar month (UTC; usage rows
 * of kind "processing_minutes"), and stages running at once.  The daemon
 * asks tenant_quota_check() before it starts a stage; a tenant over a quota
 * waits, with the reason in the recording's detail, and no other tenant is
 * held up.
 */
#ifndef ZPUB_TENANT_H
#define ZPUB_TENANT_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct store;

/* base merged with the tenant's own config (new object; base copied when
 * the tenant has none).  Keys a tenant may not set (config_schema.h) are
 * left out of the merge, with a warning in the log naming key and tenant. */
cJSON *tenant_config(struct store *st, const cJSON *base, int64_t tenant_id);

/* [from, to) of the UTC calendar month holding t, or of "YYYY-MM". */
void tenant_month_range(int64_t t, int64_t *from_ms, int64_t *to_ms);
int tenant_month_parse(const char *yyyy_mm, int64_t *from_ms, int64_t *to_ms);

/* 0 when the tenant may start one more run of stage (running = its stages
 * running now); ZPUB_EQUOTA with a sentence naming the quota otherwise.
 * The concurrency quota holds for every stage, the storage quota for the
 * stages that bring new data (download, process), the monthly minutes for
 * process, which is what they meter. */
int tenant_quota_check(struct store *st, int64_t tenant_id, const char *stage, int running,
    struct zpub_err *err);

/* Parses "500M", "10G", "1T", "123456" (bytes); -1 if bad. */
int64_t tenant_parse_bytes(const char *s);

#endif
