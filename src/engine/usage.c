/*
 * usage.c — costing usage rows with the configured price table.
 */
#include "usage.h"

#include "config.h"
#include "store.h"
#include "store_admin.h"
#include "store_quota.h"

double
usage_price(const cJSON *cfg, const char *kind, const char *provider)
{
	const cJSON *prices = config_find(cfg, "prices");
	const cJSON *k = prices ? cJSON_GetObjectItemCaseSensitive(prices, kind) : NULL;
	if (cJSON_IsNumber(k))
		return k->valuedouble;
	if (!cJSON_IsObject(k))
		return 0;
	const cJSON *p = provider && *provider ? cJSON_GetObjectItemCaseSensitive(k, provider)
	    : NULL;
	if (!cJSON_IsNumber(p))
		p = cJSON_GetObjectItemCaseSensitive(k, "*");
	return cJSON_IsNumber(p) ? p->valuedouble : 0;
}

int
usage_record(struct store *st, const cJSON *cfg, int64_t tenant_id, int64_t rec_id,
    const char *kind, const char *provider, double amount, struct zpub_err *err)
{
	double cost = amount * usage_price(cfg, kind, provider);
	return store_usage_add(st, tenant_id, rec_id, kind, provider, amount, cost, err);
}

cJSON *
usage_by_face(struct store *st, int64_t tenant_id, int64_t from_ms, int64_t to_ms,
    struct zpub_err *err)
{
	static const char *const kinds[] = { "processing_minutes", "transcription_minutes",
		"upload_bytes" };
	cJSON *o = cJSON_CreateObject();
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		struct store_face_row *v = NULL;
		int n = 0;
		if (store_usage_by_face(st, tenant_id, kinds[k], from_ms, to_ms, &v, &n, err) != 0) {
			store_face_rows_free(v, n);
			cJSON_Delete(o);
			return NULL;
		}
		cJSON *f = cJSON_AddObjectToObject(o, kinds[k]);
		for (int i = 0; i < n; i++)
			cJSON_AddNumberToObject(f, v[i].face && *v[i].face ? v[i].face : "unknown",
			    v[i].amount);
		store_face_rows_free(v, n);
	}
	return o;
}

cJSON *
usage_rows(struct store *st, int64_t tenant_id, int64_t from_ms, int64_t to_ms, double *total,
    struct zpub_err *err)
{
	struct store_usage_row *v = NULL;
	int n = 0;
	double sum = 0;
	if (store_usage_report(st, tenant_id, from_ms, to_ms, &v, &n, err) != 0)
		return NULL;
	cJSON *rows = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", v[i].kind);
		cJSON_AddStringToObject(o, "provider", v[i].provider);
		cJSON_AddNumberToObject(o, "amount", v[i].amount);
		cJSON_AddNumberToObject(o, "cost", v[i].cost);
		cJSON_AddItemToArray(rows, o);
		sum += v[i].cost;
	}
	store_usage_rows_free(v, n);
	if (total)
		*total = sum;
	return rows;
}
