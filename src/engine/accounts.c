/*
 * accounts.c — OAuth tokens kept in the vault, client secrets read from it:
 * the credential interfaces (oauth_store, zoom_creds) the net/ clients get
 * instead of the store and the vault.
 */
#include "accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "store.h"
#include "util.h"
#include "vault.h"
#include "zoom.h"

int
accounts_name_ok(const char *name)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n == 0 || n > ACCOUNT_NAME_MAX || name[0] == '-' || name[0] == '_')
		return 0;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '-' || name[i] == '_'))
			return 0;
	return 1;
}

void
accounts_secret_name(const char *provider, const char *name, char out[64])
{
	if (name != NULL && name[0] != '\0')
		snprintf(out, 64, "oauth.%s.%s", provider, name);
	else
		snprintf(out, 64, "oauth.%s", provider);
}

/* The secret `name` as a malloc'd string (*out NULL on error). */
static int
acc_secret(void *ud, const char *name, char **out, struct zpub_err *err)
{
	struct accounts *a = ud;
	char *val = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = vault_get(a->vault, a->tenant_id, name, &val, &len, err);
	if (rc != 0)
		return rc;
	*out = xmalloc(len + 1);
	memcpy(*out, val, len);
	(*out)[len] = '\0';
	vault_free_secret(val, len);
	return 0;
}

static int
acc_load(void *ud, const char *provider, char **json, struct zpub_err *err)
{
	struct accounts *a = ud;
	char name[64];

	accounts_secret_name(provider, a->name, name);
	return acc_secret(ud, name, json, err);
}

static int
acc_save(void *ud, const char *provider, const char *json, int64_t expires_at_ms,
    struct zpub_err *err)
{
	struct accounts *a = ud;
	char name[64];

	accounts_secret_name(provider, a->name, name);
	return vault_put(a->vault, a->tenant_id, name, json, strlen(json), expires_at_ms, err);
}

static int
acc_mark(void *ud, const char *provider, const char *state, struct zpub_err *err)
{
	struct accounts *a = ud;
	char name[64];

	accounts_secret_name(provider, a->name, name);
	return store_credential_set_state(a->store, a->tenant_id, name, state, err);
}

void
accounts_oauth_store(struct accounts *a, struct oauth_store *out)
{
	out->load = acc_load;
	out->save = acc_save;
	out->mark = acc_mark;
	out->ud = a;
}

int
accounts_provider(struct accounts *a, const cJSON *cfg, const char *name,
    struct oauth_provider *p, struct zpub_err *err)
{
	const char *sname = strcmp(name, "vk") == 0 ? "vk.client_secret" : "google.client_secret";
	char *secret = NULL;
	size_t len = 0;
	int rc;

	if (a->vault != NULL) {
		rc = vault_get(a->vault, a->tenant_id, sname, &secret, &len, err);
		if (rc != 0 && rc != ZPUB_ENOTFOUND)
			return rc;
	}
	rc = oauth_provider_init(p, cfg, name, secret, err);
	if (secret)
		vault_free_secret(secret, len);
	if (rc == 0 && p->kind == OAUTH_GOOGLE && p->client_secret == NULL)
		rc = zpub_err_set(err, ZPUB_EINVAL,
		    "no client secret for Google: store it with `zpub secret set "
		    "google.client_secret` (desktop clients still send it with PKCE)");
	if (rc != 0)
		oauth_provider_clear(p);
	return rc;
}

int
accounts_zoom_client(struct accounts *a, const cJSON *cfg, struct zoom_client **out,
    struct zpub_err *err)
{
	struct zoom_creds zc = { .secret = acc_secret };

	accounts_oauth_store(a, &zc.tokens);
	return zoom_client_new(a->vault ? &zc : NULL, cfg, out, err);
}

int
accounts_revoke(struct accounts *a, const cJSON *cfg, const char *provider, int *revoked,
    struct zpub_err *warn, struct zpub_err *err)
{
	struct oauth_provider p;
	struct oauth_tokens t = {0};
	char name[64], *json = NULL;
	int rc;

	*revoked = 0;
	accounts_secret_name(provider, a->name, name);
	/* Zoom's tokens are forgotten here; Zoom has no revoke endpoint for them. */
	if (strcmp(provider, "zoom") != 0) {
		if ((rc = acc_load(a, provider, &json, err)) != 0)
			return rc;
		if (accounts_provider(a, cfg, provider, &p, warn) == 0) {
			if (oauth_tokens_from_json(json, &t, warn) == 0) {
				struct http_client *http = http_client_new();
				if (http && oauth_revoke(http, &p, &t, warn) == 0)
					*revoked = p.revoke_url != NULL;
				http_client_free(http);
			}
			oauth_provider_clear(&p);
		}
		oauth_tokens_clear(&t);
		memset(json, 0, strlen(json));
		free(json);
	}
	return vault_delete(a->vault, a->tenant_id, name, err);
}
