/*
 * api_routes_acct.c — the control API's connected accounts: list them,
 * start a sign-in on a headless server, take the provider's answer at
 * GET /oauth/callback, and disconnect.
 *
 * A sign-in started here is the loopback flow's, split over two requests:
 * POST /accounts/{provider}/start makes the state and the PKCE verifier,
 * keeps them in the store (oauth_pending: the state's hash, the verifier
 * sealed under the state, the tenant, provider and account name, ten
 * minutes to live) and answers the provider's authorization URL, whose
 * redirect is api.public_url + "/oauth/callback" (else the API's own
 * address).  The callback carries no token: the state is its credential.
 * The first callback naming a state takes its row (a replay finds
 * nothing), exchanges the code with what the loopback flow uses
 * (oauth_finish for YouTube and VK, zoom_code_exchange for Zoom), and the
 * tokens go to the tenant's vault as `zpub auth` saves them.  An unknown, used or expired state gets a 400 page and nothing is
 * saved.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "accounts.h"
#include "config.h"
#include "http.h"
#include "listener.h"
#include "log.h"
#include "oauth.h"
#include "store.h"
#include "store_oauth.h"
#include "util.h"
#include "vault.h"
#include "zoom.h"

#define OAUTH_PENDING_TTL_MS (10 * 60 * 1000)

/* "youtube" (also "google"), "vk" or "zoom"; NULL for anything else. */
static const char *
acct_provider(const char *arg)
{
	if (strcmp(arg, "youtube") == 0 || strcmp(arg, "google") == 0)
		return "youtube";
	if (strcmp(arg, "vk") == 0)
		return "vk";
	if (strcmp(arg, "zoom") == 0)
		return "zoom";
	return NULL;
}

static int
acct_vault(struct api *a, struct vault **v, struct zpub_err *err)
{
	*v = NULL;
	if (a->key_path == NULL)
		return zpub_err_set(err, ZPUB_ESTATE, "this server has no vault for account tokens");
	return vault_open(a->st, a->key_path, v, err);
}

/* The VK user id the tokens name, the account's identity (NULL if none). */
static char *
acct_identity(struct vault *v, int64_t tenant_id, const char *secret)
{
	struct oauth_tokens t = {0};
	char *json = NULL, *id = NULL;
	size_t n = 0;
	if (v == NULL || vault_get(v, tenant_id, secret, &json, &n, NULL) != 0)
		return NULL;
	if (oauth_tokens_from_json(json, &t, NULL) == 0 && t.user_id)
		id = xstrdup(t.user_id);
	oauth_tokens_clear(&t);
	vault_free_secret(json, n);
	return id;
}

void
h_acct_list(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)r; (void)id;
	struct store_credential *v = NULL;
	struct vault *vault = NULL;
	struct zpub_err err;
	int n = 0;

	if (store_credentials(a->st, c->tenant_id, &v, &n, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	if (a->key_path)
		vault_open(a->st, a->key_path, &vault, NULL);
	int64_t now = time_now_ms();
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		if (strncmp(v[i].name, "oauth.", 6) != 0)
			continue;
		/* "oauth.youtube" or "oauth.youtube.<name>" */
		const char *dot = strchr(v[i].name + 6, '.');
		char prov[16], iso[32];
		snprintf(prov, sizeof prov, "%.*s", dot ? (int)(dot - v[i].name - 6) : 15,
		    v[i].name + 6);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "provider", prov);
		if (dot)
			cJSON_AddStringToObject(o, "name", dot + 1);
		else
			cJSON_AddNullToObject(o, "name");
		char *ident = acct_identity(vault, c->tenant_id, v[i].name);
		if (ident)
			cJSON_AddStringToObject(o, "identity", ident);
		else
			cJSON_AddNullToObject(o, "identity");
		free(ident);
		cJSON_AddStringToObject(o, "state", v[i].state && *v[i].state ? v[i].state : "ok");
		time_iso(v[i].created_at, iso);
		cJSON_AddStringToObject(o, "connected_at", iso);
		if (v[i].expires_at > 0) {
			time_iso(v[i].expires_at, iso);
			cJSON_AddStringToObject(o, "access_expires_at", iso);
		} else
			cJSON_AddNullToObject(o, "access_expires_at");
		/* an expired access token is renewed on use; "reconnect" is what needs a person */
		cJSON_AddBoolToObject(o, "access_expired", v[i].expires_at > 0 &&
		    v[i].expires_at <= now);
		cJSON_AddItemToArray(arr, o);
	}
	vault_close(vault);
	store_credentials_free(v, n);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "accounts", arr);
	reply_json(out, 200, j);
}

/* The body's optional {"name": "..."}: 0 with *name (NULL = the default
 * account, else malloc'd), or -1 with the 400 in out. */
static int
start_name(const struct api_request *r, struct api_response *out, char **name)
{
	*name = NULL;
	if (r->body == NULL || r->body_len == 0)
		return 0;
	cJSON *body = body_object(r, out);
	if (body == NULL)
		return -1;
	int rc = 0;
	for (const cJSON *f = body->child; f != NULL; f = f->next)
		if (strcmp(f->string, "name") != 0) {
			reply_error(out, 400, "unknown field '%.60s': a sign-in takes only \"name\"",
			    f->string);
			rc = -1;
			goto out;
		}
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(body, "name");
	if (n == NULL || cJSON_IsNull(n))
		goto out;
	if (!cJSON_IsString(n) || !accounts_name_ok(n->valuestring)) {
		reply_error(out, 400, "name is an account name: 1-%d letters, digits, - or _",
		    ACCOUNT_NAME_MAX);
		rc = -1;
		goto out;
	}
	*name = xstrdup(n->valuestring);
out:
	cJSON_Delete(body);
	return rc;
}

/* api.public_url + "/oauth/callback", else the API's own address's. */
static char *
callback_uri(struct api *a)
{
	const char *base = config_str(a->config, "api.public_url", NULL);
	if (base == NULL || *base == '\0')
		base = a->origin ? a->origin : "http://127.0.0.1";
	size_t n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	return xasprintf("%.*s/oauth/callback", (int)n, base);
}

/* The provider's authorization URL for this sign-in (*url malloc'd). */
static int
start_url(struct api *a, struct accounts *acc, const char *provider, const char *redirect,
    const char *state, const char *challenge, char **url, struct zpub_err *err)
{
	struct oauth_provider p;
	struct zoom_client *zc = NULL;
	int rc;

	*url = NULL;
	if (strcmp(provider, "zoom") == 0) {
		if ((rc = accounts_zoom_client(acc, a->config, &zc, err)) == 0)
			rc = zoom_authorize_url(zc, redirect, state, challenge, url, err);
		zoom_client_free(zc);
		return rc;
	}
	if ((rc = accounts_provider(acc, a->config, provider, &p, err)) != 0)
		return rc;
	*url = oauth_authorize_url(&p, redirect, state, challenge);
	oauth_provider_clear(&p);
	return 0;
}

void
h_acct_start(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)id;
	const char *provider = acct_provider(c->arg[0]);
	struct vault *vault = NULL;
	struct zpub_err err = {0};
	char *name = NULL, *redirect = NULL, *url = NULL;
	char verifier[64], challenge[64], state[64];

	if (provider == NULL) {
		reply_error(out, 404, "no account provider '%s'; use youtube, vk or zoom", c->arg[0]);
		return;
	}
	if (start_name(r, out, &name) != 0)
		return;
	oauth_pkce_new(verifier, challenge);
	oauth_state_new(state);
	redirect = callback_uri(a);
	if (acct_vault(a, &vault, &err) != 0)
		goto fail;
	struct accounts acc = { a->st, vault, c->tenant_id, name };
	if (start_url(a, &acc, provider, redirect, state, challenge, &url, &err) != 0)
		goto fail;
	int64_t now = r->now_ms ? r->now_ms : time_now_ms();
	struct store_oauth_pending row = { .tenant_id = c->tenant_id, .account = name,
		.redirect_uri = redirect, .actor = (char *)c->name, .created_at = now,
		.expires_at = now + OAUTH_PENDING_TTL_MS };
	oauth_state_id(state, row.state_id);
	snprintf(row.provider, sizeof row.provider, "%s", provider);
	row.verifier = oauth_verifier_seal(state, verifier);
	int rc = store_oauth_pending_put(a->st, &row, now, &err);
	free(row.verifier);
	if (rc != 0)
		goto fail;
	audit_note(a->st, &c->who, "auth.start", "%s%s%s", provider, name ? " as " : "",
	    name ? name : "");
	char iso[32];
	time_iso(row.expires_at, iso);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "provider", provider);
	if (name)
		cJSON_AddStringToObject(j, "name", name);
	else
		cJSON_AddNullToObject(j, "name");
	cJSON_AddStringToObject(j, "authorization_url", url);
	cJSON_AddStringToObject(j, "redirect_uri", redirect);
	cJSON_AddStringToObject(j, "expires_at", iso);
	reply_json(out, 200, j);
	goto out;
fail:
	reply_err(out, &err);
out:
	sodium_memzero(verifier, sizeof verifier);
	sodium_memzero(state, sizeof state);
	vault_close(vault);
	free(url);
	free(redirect);
	free(name);
}

static void
page(struct api_response *out, int status, char *html)
{
	out->status = status;
	out->content_type = "text/html; charset=utf-8";
	out->body = html;
}

/* Zoom's half of a callback: its error or its code, exchanged by the Zoom
 * client (zoom_login's own exchange), which saves the tokens. */
static int
callback_zoom(struct api *a, struct accounts *acc, const struct api_request *r,
    const char *verifier, const char *redirect, struct zpub_err *err)
{
	struct zoom_client *zc = NULL;
	char *error = lsn_query_get(r->query, "error"), *code = NULL;
	int rc;

	if (error != NULL) {
		rc = zpub_err_set(err, ZPUB_EAUTH, "Zoom did not allow zpub in (%.100s);"
		    " start the sign-in again and allow zpub to read recordings", error);
		goto out;
	}
	code = lsn_query_get(r->query, "code");
	if (code == NULL || *code == '\0') {
		rc = zpub_err_set(err, ZPUB_EAUTH, "the answer from Zoom carries no code;"
		    " start the sign-in again");
		goto out;
	}
	if ((rc = accounts_zoom_client(acc, a->config, &zc, err)) == 0)
		rc = zoom_code_exchange(zc, code, verifier, redirect, err);
out:
	zoom_client_free(zc);
	free(error);
	if (code) {
		sodium_memzero(code, strlen(code));
		free(code);
	}
	return rc;
}

/* The OAuth providers' half: oauth_finish, the loopback flow's exchange. */
static int
callback_oauth(struct api *a, struct accounts *acc, const struct api_request *r,
    const char *state, const char *verifier, const struct store_oauth_pending *row,
    char *display, size_t dsz, struct zpub_err *err)
{
	struct oauth_provider p;
	struct oauth_store os;
	struct http_client *http = NULL;
	char *code = NULL, *dev = NULL;
	int rc;

	accounts_oauth_store(acc, &os);
	if ((rc = accounts_provider(acc, a->config, row->provider, &p, err)) != 0)
		return rc;
	snprintf(display, dsz, "%s%s%s", p.display, row->account ? " account " : "",
	    row->account ? row->account : "");
	if ((rc = oauth_callback_check(&p, r->query, state, &code, &dev, err)) != 0)
		goto out;
	if ((http = http_client_new()) == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "cannot start the HTTP client");
		goto out;
	}
	rc = oauth_finish(http, &p, code, verifier, row->redirect_uri, dev, state, &os, err);
out:
	if (code) {
		sodium_memzero(code, strlen(code));
		free(code);
	}
	free(dev);
	http_client_free(http);
	oauth_provider_clear(&p);
	return rc;
}

/* A pending row and its state -> tokens in the row's tenant's vault.
 * 0 with the success page, else the failure page in out. */
static int
callback_finish(struct api *a, const struct api_request *r, const char *state,
    const struct store_oauth_pending *row, struct api_response *out)
{
	struct vault *vault = NULL;
	struct zpub_err err = {0};
	char verifier[64], display[160];
	int rc;

	if (strcmp(row->provider, "zoom") == 0)
		snprintf(display, sizeof display, "Zoom%s%s", row->account ? " account " : "",
		    row->account ? row->account : "");
	else
		snprintf(display, sizeof display, "%s", row->provider);
	if (oauth_verifier_open(state, row->verifier, verifier) != 0) {
		rc = zpub_err_set(&err, ZPUB_ECRYPTO, "the sign-in's saved data is damaged;"
		    " start the sign-in again");
		goto out;
	}
	if ((rc = acct_vault(a, &vault, &err)) != 0)
		goto out;
	struct accounts acc = { a->st, vault, row->tenant_id, row->account };
	if (strcmp(row->provider, "zoom") == 0)
		rc = callback_zoom(a, &acc, r, verifier, row->redirect_uri, &err);
	else
		rc = callback_oauth(a, &acc, r, state, verifier, row, display, sizeof display,
		    &err);
out:
	sodium_memzero(verifier, sizeof verifier);
	vault_close(vault);
	if (rc == 0) {
		struct actor who = { .kind = ACTOR_API, .tenant_id = row->tenant_id };
		snprintf(who.user, sizeof who.user, "%s", row->actor ? row->actor : "");
		snprintf(who.from, sizeof who.from, "%s", r->peer ? r->peer : "");
		audit_note(a->st, &who, "auth.connect", "%s%s%s", row->provider, row->account ?
		    " as " : "", row->account ? row->account : "");
		log_info("api: %s connected through /oauth/callback", display);
		page(out, 200, oauth_result_page(display, NULL));
		return 0;
	}
	log_warn("api: a %s sign-in through /oauth/callback failed: %s", display, err.msg);
	page(out, rc == ZPUB_ENET || rc == ZPUB_EREMOTE ? 502 : 400,
	    oauth_result_page(display, err.msg));
	return rc;
}

void
h_oauth_callback(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)c; (void)id;
	struct store_oauth_pending row;
	struct zpub_err err = {0};
	char sid[65];
	char *state = lsn_query_get(r->query, "state");

	memset(&row, 0, sizeof row);
	if (state == NULL || *state == '\0' || strlen(state) > 128) {
		page(out, 400, oauth_result_page("your account", "the answer carries no valid"
		    " state; start the sign-in again from zpub"));
		goto out;
	}
	oauth_state_id(state, sid);
	if (store_oauth_pending_take(a->st, sid, &row, &err) != 0) {
		if (err.code != ZPUB_ENOTFOUND) {
			page(out, 500, oauth_result_page("your account", err.msg));
			goto out;
		}
		log_warn("api: refused an OAuth callback from %s with an unknown or used state"
		    " (possible CSRF or a replay)", r->peer ? r->peer : "?");
		page(out, 400, oauth_result_page("your account", "this sign-in is unknown, was"
		    " already used or has expired (possible forgery); start the sign-in again"
		    " from zpub"));
		goto out;
	}
	if (row.expires_at < (r->now_ms ? r->now_ms : time_now_ms())) {
		page(out, 400, oauth_result_page("your account", "this sign-in has expired (it"
		    " lasts ten minutes); start the sign-in again from zpub"));
		goto out;
	}
	callback_finish(a, r, state, &row, out);
out:
	if (state) {
		sodium_memzero(state, strlen(state));
		free(state);
	}
	store_oauth_pending_clear(&row);
}

void
h_acct_revoke(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)r; (void)id;
	const char *provider = acct_provider(c->arg[0]);
	const char *name = c->arg[1][0] ? c->arg[1] : NULL;
	struct vault *vault = NULL;
	struct zpub_err err = {0}, warn = {0};
	int revoked = 0;

	if (provider == NULL) {
		reply_error(out, 404, "no account provider '%s'; use youtube, vk or zoom", c->arg[0]);
		return;
	}
	if (name && !accounts_name_ok(name)) {
		reply_error(out, 400, "'%s' is not an account name", name);
		return;
	}
	if (acct_vault(a, &vault, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	struct accounts acc = { a->st, vault, c->tenant_id, name };
	if (accounts_revoke(&acc, a->config, provider, &revoked, &warn, &err) != 0) {
		if (err.code == ZPUB_ENOTFOUND)
			reply_error(out, 404, "no %s account%s%s is connected in your tenant", provider,
			    name ? " named " : "", name ? name : "");
		else
			reply_err(out, &err);
		vault_close(vault);
		return;
	}
	vault_close(vault);
	audit_note(a->st, &c->who, "auth.revoke", "%s%s%s", provider, name ? " as " : "",
	    name ? name : "");
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "provider", provider);
	if (name)
		cJSON_AddStringToObject(j, "name", name);
	else
		cJSON_AddNullToObject(j, "name");
	cJSON_AddBoolToObject(j, "deleted", 1);
	cJSON_AddBoolToObject(j, "revoked_at_provider", revoked);
	if (warn.msg[0])
		cJSON_AddStringToObject(j, "warning", warn.msg);
	reply_json(out, 200, j);
}
