/*
 * usage.c — costing usage rows with the configured price table.
 */
#include "usage.h"

#include "config.h"
#include "store.h"

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
