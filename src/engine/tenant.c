/*
 * tenant.c — a tenant's configuration layer and quota checks.  The SQL is in
 * src/db/store_admin.c; this file decides what the numbers mean.
 */
#include "tenant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "config.h"
#include "config_schema.h"
#include "log.h"
#include "status.h"
#include "store.h"
#include "store_admin.h"
#include "util.h"

static void
tenant_ignored(void *ud, const char *key, const char *why)
{
	const struct store_tenant *t = ud;
	log_warn("tenant '%s': its config sets %s, which a tenant may not; ignored: %s", t->name,
	    key, why);
}

cJSON *
tenant_config(struct store *st, const cJSON *base, int64_t tenant_id)
{
	cJSON *cfg = base ? cJSON_Duplicate(base, 1) : cJSON_CreateObject();
	struct store_tenant t;
	if (store_tenant_get(st, tenant_id, &t, NULL) != 0)
		return cfg;
	cJSON *over = t.config ? cJSON_Parse(t.config) : NULL;
	/* An older stored tenant config may still hold operator keys.  The
	 * daemon merges a tenant's layer on every tick: each thread warns once
	 * per tenant config text, not once a second. */
	if (cJSON_IsObject(over)) {
		static _Thread_local uint64_t warned;
		uint64_t h = 1469598103934665603ULL ^ (uint64_t)tenant_id;
		for (const char *p = t.config; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		zs_strip(over, ZS_SCOPE_TENANT, h == warned ? NULL : tenant_ignored, &t);
		warned = h;
		config_merge(cfg, over);
	}
	cJSON_Delete(over);
	store_tenant_clear(&t);
	return cfg;
}

cJSON *
tenant_to_json(struct store *st, const struct store_tenant *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)t->id);
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON *q = cJSON_AddObjectToObject(o, "quota");
	cJSON_AddNumberToObject(q, "storage_bytes", (double)t->quota_storage_bytes);
	cJSON_AddNumberToObject(q, "minutes_month", (double)t->quota_minutes_month);
	cJSON_AddNumberToObject(q, "concurrent", (double)t->quota_concurrent);
	cJSON_AddNumberToObject(q, "retention_days", (double)t->retention_days);
	cJSON *c = cJSON_Parse(t->config ? t->config : "{}");
	cJSON_AddItemToObject(o, "config", c ? c : cJSON_CreateObject());
	int64_t bytes = 0, from, to;
	double minutes = 0;
	store_tenant_storage_bytes(st, t->id, &bytes, NULL);
	tenant_month_range(time_now_ms(), &from, &to);
	store_usage_sum(st, t->id, "processing_minutes", from, to, &minutes, NULL);
	cJSON *u = cJSON_AddObjectToObject(o, "used");
	cJSON_AddNumberToObject(u, "storage_bytes", (double)bytes);
	cJSON_AddNumberToObject(u, "minutes_this_month", minutes);
	int64_t counts[ST__COUNT];
	if (store_recording_status_counts(st, t->id, counts, NULL) == 0) {
		cJSON *r = cJSON_AddObjectToObject(o, "recordings");
		for (int i = 0; i < ST__COUNT; i++)
			if (counts[i])
				cJSON_AddNumberToObject(r, status_name((enum rec_status)i),
				    (double)counts[i]);
	}
	return o;
}

/* Removes a dotted key from layer and the sections it leaves empty. */
static void
layer_unset(cJSON *layer, const char *key)
{
	const char *dot = strchr(key, '.');
	if (dot == NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(layer, key);
		return;
	}
	char head[256];
	snprintf(head, sizeof head, "%.*s", (int)(dot - key), key);
	cJSON *sub = cJSON_GetObjectItemCaseSensitive(layer, head);
	if (!cJSON_IsObject(sub))
		return;
	layer_unset(sub, dot + 1);
	if (sub->child == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(layer, head);
}

/* One key of the patch into layer: null unsets it, anything else is
 * checked as `zpub tenant config` checks it. */
static int
patch_one(cJSON *layer, const cJSON *item, struct zpub_err *err)
{
	const char *key = item->string;
	if (key == NULL || *key == '\0' || strlen(key) > 200)
		return zpub_err_set(err, ZPUB_EINVAL, "a key of the body is empty or too long");
	if (cJSON_IsNull(item)) {
		/* unset: the key must be one a tenant may hold at all */
		const struct zs_key *k = zs_lookup(key);
		cJSON *nul = cJSON_CreateNull();
		int rc = zs_check(key, nul, ZS_SCOPE_TENANT, err);
		cJSON_Delete(nul);
		if (rc != 0 && !(k && k->owner == ZS_TENANT))
			return rc;
		layer_unset(layer, key);
		return 0;
	}
	char *text = cJSON_PrintUnformatted(item);
	int rc = config_layer_set(layer, key, text ? text : "", ZS_SCOPE_TENANT, err);
	cJSON_free(text);
	return rc;
}

int
tenant_config_patch(struct store *st, const struct actor *who, int64_t tenant_id,
    const cJSON *patch, struct zpub_err *err)
{
	struct store_tenant t;
	const cJSON *item;
	int rc;

	if (!cJSON_IsObject(patch) || patch->child == NULL)
		return zpub_err_set(err, ZPUB_EINVAL, "name at least one setting: {\"KEY\": value,"
		    " ...} (null unsets a key)");
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = store_tenant_get(st, tenant_id, &t, err)) != 0) {
		store_rollback(st);
		return rc;
	}
	cJSON *layer = cJSON_Parse(t.config ? t.config : "{}");
	if (!cJSON_IsObject(layer)) {
		cJSON_Delete(layer);
		layer = cJSON_CreateObject();
	}
	char keys[512] = "";
	size_t o = 0;
	cJSON_ArrayForEach(item, patch) {
		if ((rc = patch_one(layer, item, err)) != 0)
			break;
		if (o < sizeof keys)
			o += (size_t)snprintf(keys + o, sizeof keys - o, "%s%s%s", o ? " " : "",
			    item->string, cJSON_IsNull(item) ? "=unset" : "");
	}
	if (rc == 0) {
		char *txt = cJSON_PrintUnformatted(layer);
		rc = store_tenant_set_config(st, tenant_id, txt, err);
		cJSON_free(txt);
	}
	if (rc == 0)
		rc = store_commit(st, err);
	else
		store_rollback(st);
	if (rc == 0)
		audit_note(st, who, "tenant.config", "tenant '%s' %s", t.name, keys);
	cJSON_Delete(layer);
	store_tenant_clear(&t);
	return rc;
}

static int64_t
utc_ms(int year, int mon0)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900 + mon0 / 12;
	tm.tm_mon = mon0 % 12;
	tm.tm_mday = 1;
	return (int64_t)timegm(&tm) * 1000;
}

void
tenant_month_range(int64_t t, int64_t *from_ms, int64_t *to_ms)
{
	time_t tt = (time_t)(t / 1000);
	struct tm tm;
	gmtime_r(&tt, &tm);
	*from_ms = utc_ms(tm.tm_year + 1900, tm.tm_mon);
	*to_ms = utc_ms(tm.tm_year + 1900, tm.tm_mon + 1);
}

int
tenant_month_parse(const char *s, int64_t *from_ms, int64_t *to_ms)
{
	int y, m, n = 0;
	if (sscanf(s, "%4d-%2d%n", &y, &m, &n) != 2 || s[n] != '\0' || y < 1970 || m < 1 ||
	    m > 12)
		return -1;
	*from_ms = utc_ms(y, m - 1);
	*to_ms = utc_ms(y, m);
	return 0;
}

int64_t
tenant_parse_bytes(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	int64_t mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1024; end++; break;
	case 'm': case 'M': mul = 1024 * 1024; end++; break;
	case 'g': case 'G': mul = (int64_t)1 << 30; end++; break;
	case 't': case 'T': mul = (int64_t)1 << 40; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b' || (*end == 'i' && end[1] == 'B'))
		end += *end == 'i' ? 2 : 1;
	if (*end != '\0' || !(v * (double)mul < 9.0e18))
		return -1;   /* past what a signed 64-bit count holds (or not a number) */
	return (int64_t)(v * (double)mul);
}

/* The monthly minutes of tenant t, from the usage rows of this month. */
static int
minutes_check(struct store *st, const struct store_tenant *t, const char **quota,
    struct zpub_err *err)
{
	int64_t from, to;
	double used = 0;
	if (t->quota_minutes_month <= 0)
		return 0;
	tenant_month_range(time_now_ms(), &from, &to);
	int rc = store_usage_sum(st, t->id, "processing_minutes", from, to, &used, err);
	if (rc)
		return rc;
	if (used < (double)t->quota_minutes_month)
		return 0;
	*quota = TENANT_QUOTA_MINUTES;
	return zpub_err_set(err, ZPUB_EQUOTA, "the " TENANT_QUOTA_MINUTES " is used up: tenant"
	    " '%s' has processed %.1f minutes this month, its quota is %lld; wait for next month"
	    " or raise it with 'zpub tenant quota %s --minutes N'", t->name, used,
	    (long long)t->quota_minutes_month, t->name);
}

int
tenant_quota_check(struct store *st, int64_t tenant_id, const char *stage, int running,
    const char **quota, struct zpub_err *err)
{
	struct store_tenant t;
	const char *dummy;
	if (quota == NULL)
		quota = &dummy;
	*quota = NULL;
	int rc = store_tenant_get(st, tenant_id, &t, err);
	if (rc)
		return rc;
	if (t.quota_concurrent > 0 && running >= t.quota_concurrent) {
		*quota = TENANT_QUOTA_CONCURRENT;
		rc = zpub_err_set(err, ZPUB_EQUOTA, "the " TENANT_QUOTA_CONCURRENT " is used up:"
		    " tenant '%s' already runs %d stage%s, its quota is %lld at once; start again"
		    " when one ends, or raise it with 'zpub tenant quota %s --concurrent N'", t.name,
		    running, running == 1 ? "" : "s", (long long)t.quota_concurrent, t.name);
		goto out;
	}
	int grows = stage == NULL || strcmp(stage, "download") == 0 || strcmp(stage, "process") == 0;
	if (t.quota_storage_bytes > 0 && grows) {
		int64_t used = 0;
		if ((rc = store_tenant_storage_bytes(st, tenant_id, &used, err)) != 0)
			goto out;
		if (used >= t.quota_storage_bytes) {
			*quota = TENANT_QUOTA_STORAGE;
			rc = zpub_err_set(err, ZPUB_EQUOTA, "the " TENANT_QUOTA_STORAGE " is used up:"
			    " tenant '%s' uses %lld of its %lld bytes; free space or raise it with"
			    " 'zpub tenant quota %s --storage SIZE'", t.name, (long long)used,
			    (long long)t.quota_storage_bytes, t.name);
			goto out;
		}
	}
	if (stage == NULL || strcmp(stage, "process") == 0)
		rc = minutes_check(st, &t, quota, err);
out:
	store_tenant_clear(&t);
	return rc;
}

int
tenant_minutes_check(struct store *st, int64_t tenant_id, struct zpub_err *err)
{
	struct store_tenant t;
	const char *quota;
	int rc = store_tenant_get(st, tenant_id, &t, err);
	if (rc == 0)
		rc = minutes_check(st, &t, &quota, err);
	store_tenant_clear(&t);
	return rc;
}
