/*
 * oauth.c — authorization code + PKCE through the loopback listener; token
 * exchange, refresh and revoke for Google and VK ID.
 *
 * The flow: make a verifier, challenge and state; listen on 127.0.0.1; print
 * the authorize URL; start the browser on the listener's one-time /start
 * address, which redirects to it (no secret in any command line); the
 * browser comes back to /callback with code and state; a state mismatch is
 * refused (possible CSRF) and the listener keeps waiting; the code is
 * exchanged and the tokens go to the caller's store before the page says
 * "connected".
 */
#include "oauth.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "config.h"
#include "jnum.h"
#include "http.h"
#include "listener.h"
#include "util.h"

extern char **environ;

static const char GOOGLE_SCOPES[] =
    "https://www.googleapis.com/auth/youtube.upload "
    "https://www.googleapis.com/auth/youtube.force-ssl";
static const char VK_SCOPES[] = "video offline";

static char *
dup_or_null(const char *s)
{
	return (s && *s) ? xstrdup(s) : NULL;
}

/* Client ids are strings, but `zpub config set ... 51234567` stores a number. */
static char *
cfg_id(const cJSON *cfg, const char *key)
{
	const cJSON *v = config_find(cfg, key);
	if (cJSON_IsNumber(v))
		return xasprintf("%.0f", v->valuedouble);
	return dup_or_null(cJSON_IsString(v) ? v->valuestring : NULL);
}

int
oauth_provider_init(struct oauth_provider *p, const cJSON *cfg, const char *name,
    const char *client_secret, struct zpub_err *err)
{
	memset(p, 0, sizeof *p);
	if (strcmp(name, "youtube") == 0 || strcmp(name, "google") == 0) {
		p->kind = OAUTH_GOOGLE;
		p->name = "youtube";
		p->display = "YouTube (Google)";
		p->auth_url = dup_or_null(config_str(cfg, "providers.google.auth_url", NULL));
		p->token_url = dup_or_null(config_str(cfg, "providers.google.token_url", NULL));
		p->revoke_url = dup_or_null(config_str(cfg, "providers.google.revoke_url", NULL));
		p->client_id = cfg_id(cfg, "providers.google.client_id");
		p->scope = xstrdup(GOOGLE_SCOPES);
	} else if (strcmp(name, "vk") == 0) {
		const char *base = config_str(cfg, "providers.vk.oauth_base", NULL);
		p->kind = OAUTH_VKID;
		p->name = "vk";
		p->display = "VK";
		if (base && *base) {
			p->auth_url = xasprintf("%s/authorize", base);
			p->token_url = xasprintf("%s/oauth2/auth", base);
			p->revoke_url = xasprintf("%s/oauth2/revoke", base);
		}
		p->client_id = cfg_id(cfg, "providers.vk.client_id");
		p->scope = xstrdup(VK_SCOPES);
	} else {
		return zpub_err_set(err, ZPUB_EINVAL,
		    "unknown account provider '%s'; use youtube or vk", name);
	}
	p->client_secret = dup_or_null(client_secret);
	if (p->auth_url == NULL || p->token_url == NULL) {
		oauth_provider_clear(p);
		return zpub_err_set(err, ZPUB_EINVAL,
		    "%s sign-in addresses are not configured (providers.%s.*)", name,
		    strcmp(name, "vk") == 0 ? "vk" : "google");
	}
	if (p->client_id == NULL) {
		const char *key = p->kind == OAUTH_GOOGLE ? "providers.google.client_id"
		                                          : "providers.vk.client_id";
		oauth_provider_clear(p);
		return zpub_err_set(err, ZPUB_EINVAL,
		    "no client id for %s: set %s with `zpub config set %s ID`", name, key, key);
	}
	return 0;
}

void
oauth_provider_clear(struct oauth_provider *p)
{
	if (p == NULL)
		return;
	free(p->auth_url);
	free(p->token_url);
	free(p->revoke_url);
	free(p->client_id);
	if (p->client_secret) {
		sodium_memzero(p->client_secret, strlen(p->client_secret));
		free(p->client_secret);
	}
	free(p->scope);
	memset(p, 0, sizeof *p);
}

static void
free_secret(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

void
oauth_tokens_clear(struct oauth_tokens *t)
{
	if (t == NULL)
		return;
	free_secret(t->access_token);
	free_secret(t->refresh_token);
	free(t->scope);
	free(t->user_id);
	free(t->device_id);
	memset(t, 0, sizeof *t);
}

char *
oauth_tokens_to_json(const struct oauth_tokens *t)
{
	cJSON *j = cJSON_CreateObject();
	char *s;
	if (t->access_token)
		cJSON_AddStringToObject(j, "access_token", t->access_token);
	if (t->refresh_token)
		cJSON_AddStringToObject(j, "refresh_token", t->refresh_token);
	if (t->scope)
		cJSON_AddStringToObject(j, "scope", t->scope);
	if (t->user_id)
		cJSON_AddStringToObject(j, "user_id", t->user_id);
	if (t->device_id)
		cJSON_AddStringToObject(j, "device_id", t->device_id);
	cJSON_AddNumberToObject(j, "expires_at_ms", (double)t->expires_at_ms);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static char *
json_str_dup(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
	if (cJSON_IsString(v) && v->valuestring[0])
		return xstrdup(v->valuestring);
	if (cJSON_IsNumber(v))
		return xasprintf("%.0f", v->valuedouble);
	return NULL;
}

int
oauth_tokens_from_json(const char *json, struct oauth_tokens *t, struct zpub_err *err)
{
	cJSON *j = cJSON_Parse(json ? json : "");
	memset(t, 0, sizeof *t);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return zpub_err_set(err, ZPUB_ECRYPTO,
		    "the stored account tokens are unreadable; reconnect the account");
	}
	t->access_token = json_str_dup(j, "access_token");
	t->refresh_token = json_str_dup(j, "refresh_token");
	t->scope = json_str_dup(j, "scope");
	t->user_id = json_str_dup(j, "user_id");
	t->device_id = json_str_dup(j, "device_id");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "expires_at_ms");
	t->expires_at_ms = jnum_or(e, 0, JNUM_MAX, 0);
	cJSON_Delete(j);
	return 0;
}

/* ---- PKCE and state --------------------------------------------------------- */

static void
b64url(const unsigned char *bin, size_t n, char out[64])
{
	sodium_bin2base64(out, 64, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
oauth_pkce_challenge(const char *verifier, char challenge[64])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)verifier, strlen(verifier));
	b64url(h, sizeof h, challenge);
}

void
oauth_pkce_new(char verifier[64], char challenge[64])
{
	unsigned char r[32];
	if (sodium_init() < 0)
		abort();
	randombytes_buf(r, sizeof r);
	b64url(r, sizeof r, verifier);
	sodium_memzero(r, sizeof r);
	oauth_pkce_challenge(verifier, challenge);
}

void
oauth_state_new(char state[64])
{
	unsigned char r[32];
	if (sodium_init() < 0)
		abort();
	randombytes_buf(r, sizeof r);
	b64url(r, sizeof r, state);
}

/* The pending sign-in's key in the store: BLAKE2b of the state under its
 * own personal string, so the store never holds the state itself. */
void
oauth_state_id(const char *state, char out[65])
{
	unsigned char h[32];
	crypto_generichash_state gs;
	crypto_generichash_init(&gs, (const unsigned char *)"zpub-oauth-state-id", 19, sizeof h);
	crypto_generichash_update(&gs, (const unsigned char *)state, strlen(state));
	crypto_generichash_final(&gs, h, sizeof h);
	sodium_bin2hex(out, 65, h, sizeof h);
}

/* The secretbox key of a pending sign-in's verifier: the state under
 * another personal string. */
static void
verifier_key(const char *state, unsigned char key[crypto_secretbox_KEYBYTES])
{
	crypto_generichash_state gs;
	crypto_generichash_init(&gs, (const unsigned char *)"zpub-oauth-verifier", 19,
	    crypto_secretbox_KEYBYTES);
	crypto_generichash_update(&gs, (const unsigned char *)state, strlen(state));
	crypto_generichash_final(&gs, key, crypto_secretbox_KEYBYTES);
}

char *
oauth_verifier_seal(const char *state, const char *verifier)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	size_t vl = strlen(verifier), n = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + vl;
	unsigned char *box = xmalloc(n);
	size_t hl = n * 2 + 1;
	char *hex = xmalloc(hl);

	if (sodium_init() < 0)
		abort();
	verifier_key(state, key);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)verifier,
	    vl, box, key);
	sodium_bin2hex(hex, hl, box, n);
	sodium_memzero(key, sizeof key);
	free(box);
	return hex;
}

int
oauth_verifier_open(const char *state, const char *sealed, char verifier[64])
{
	unsigned char key[crypto_secretbox_KEYBYTES], box[256];
	size_t n = 0;
	int rc = -1;

	verifier[0] = '\0';
	if (sealed == NULL || sodium_hex2bin(box, sizeof box, sealed, strlen(sealed), NULL, &n,
	    NULL) != 0 || n <= crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES ||
	    n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES >= 64)
		return -1;
	verifier_key(state, key);
	size_t ml = n - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	if (crypto_secretbox_open_easy((unsigned char *)verifier, box + crypto_secretbox_NONCEBYTES,
	    n - crypto_secretbox_NONCEBYTES, box, key) == 0) {
		verifier[ml] = '\0';
		rc = 0;
	}
	sodium_memzero(key, sizeof key);
	return rc;
}

char *
oauth_authorize_url(const struct oauth_provider *p, const char *redirect_uri,
    const char *state, const char *challenge)
{
	const char *kv[] = {
		"response_type", "code",
		"client_id", p->client_id,
		"redirect_uri", redirect_uri,
		"scope", p->scope,
		"state", state,
		"code_challenge", challenge,
		"code_challenge_method", "S256",
		/* Google: a refresh token every time, even on reconnect */
		"access_type", p->kind == OAUTH_GOOGLE ? "offline" : NULL,
		"prompt", p->kind == OAUTH_GOOGLE ? "consent" : NULL,
		NULL,
	};
	char *q = http_form_urlencoded(kv);
	char *url = xasprintf("%s%c%s", p->auth_url, strchr(p->auth_url, '?') ? '&' : '?', q);
	free(q);
	return url;
}

int
oauth_callback_check(const struct oauth_provider *p, const char *query,
    const char *expected_state, char **code, char **device_id, struct zpub_err *err)
{
	char *state = lsn_query_get(query, "state");
	char *error = lsn_query_get(query, "error");
	int rc = 0;

	*code = NULL;
	if (device_id)
		*device_id = NULL;
	size_t el = strlen(expected_state);
	if (state == NULL || strlen(state) != el ||
	    sodium_memcmp(state, expected_state, el) != 0) {
		rc = zpub_err_set(err, ZPUB_EAUTH,
		    "refused a %s sign-in callback whose state does not match this sign-in "
		    "(possible CSRF); only use the address zpub printed", p->display);
		goto out;
	}
	if (error != NULL) {
		char *desc = lsn_query_get(query, "error_description");
		rc = zpub_err_set(err, ZPUB_EAUTH, "%s sign-in was not completed: %s%s%s; "
		    "run `zpub auth %s` again and allow access", p->display, error,
		    desc ? " — " : "", desc ? desc : "", p->name);
		free(desc);
		goto out;
	}
	*code = lsn_query_get(query, "code");
	if (*code == NULL || **code == '\0') {
		free(*code);
		*code = NULL;
		rc = zpub_err_set(err, ZPUB_EAUTH,
		    "%s sign-in callback carried no code; run `zpub auth %s` again",
		    p->display, p->name);
		goto out;
	}
	if (device_id)
		*device_id = lsn_query_get(query, "device_id");
out:
	free(state);
	free(error);
	return rc;
}

/* ---- token endpoint ------------------------------------------------------------ */

static int
token_parse(const struct oauth_provider *p, const struct http_response *r,
    struct oauth_tokens *t, struct zpub_err *err)
{
	cJSON *j = r->body ? cJSON_Parse(r->body) : NULL;
	int rc = 0;

	if (!cJSON_IsObject(j)) {
		rc = zpub_err_set(err, r->status >= 500 ? ZPUB_ENET : ZPUB_EREMOTE,
		    "%s token endpoint answered HTTP %ld without JSON; try again later",
		    p->display, r->status);
		goto out;
	}
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (e != NULL || r->status < 200 || r->status >= 300) {
		const char *code = cJSON_IsString(e) ? e->valuestring : "unknown_error";
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(j, "error_description");
		const char *desc = cJSON_IsString(d) ? d->valuestring : "";
		if (strcmp(code, "invalid_grant") == 0)
			rc = zpub_err_set(err, ZPUB_EAUTH,
			    "%s refused the saved sign-in (invalid_grant%s%s): the access was "
			    "revoked or expired; reconnect your account with `zpub auth %s`",
			    p->display, *desc ? ": " : "", desc, p->name);
		else if (r->status >= 500)
			rc = zpub_err_set(err, ZPUB_ENET, "%s token endpoint failed (HTTP %ld, %s); "
			    "try again later", p->display, r->status, code);
		else
			rc = zpub_err_set(err, ZPUB_EAUTH, "%s refused the token request (%s%s%s); "
			    "check the client id and secret, then run `zpub auth %s`",
			    p->display, code, *desc ? ": " : "", desc, p->name);
		goto out;
	}
	char *access = json_str_dup(j, "access_token");
	if (access == NULL) {
		rc = zpub_err_set(err, ZPUB_EREMOTE,
		    "%s token endpoint answered without an access token", p->display);
		goto out;
	}
	free_secret(t->access_token);
	t->access_token = access;
	char *refresh = json_str_dup(j, "refresh_token");
	if (refresh != NULL) {       /* rotation (VK) or a fresh one (Google consent) */
		free_secret(t->refresh_token);
		t->refresh_token = refresh;
	}
	char *scope = json_str_dup(j, "scope");
	if (scope) {
		free(t->scope);
		t->scope = scope;
	}
	char *uid = json_str_dup(j, "user_id");
	if (uid) {
		free(t->user_id);
		t->user_id = uid;
	}
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	int64_t exp_ms = jnum_scaled(exp, 1000.0, 1, JNUM_MS_MAX, 0);
	t->expires_at_ms = exp_ms > 0 ? time_now_ms() + exp_ms : 0;
out:
	cJSON_Delete(j);
	return rc;
}

static int
token_post(struct http_client *http, const struct oauth_provider *p,
    const char *const *kv, struct oauth_tokens *t, struct zpub_err *err)
{
	char *body = http_form_urlencoded(kv);
	struct http_response r = {0};
	const char *hdrs[] = {"Accept: application/json", NULL};
	struct http_request req = {
		.method = "POST", .url = p->token_url, .headers = hdrs,
		.body = body, .body_len = body ? strlen(body) : 0,
		.content_type = "application/x-www-form-urlencoded",
		.timeout_ms = 30000, .what = p->display,
		.retry_unsafe = 1, /* a failed code exchange can be repeated */
	};
	int rc;

	rc = http_do_retry(http, &req, &r, &(struct http_retry){.max_attempts = 3}, err);
	if (rc == 0)
		rc = token_parse(p, &r, t, err);
	sodium_memzero(body, strlen(body));
	free(body);
	http_response_free(&r);
	return rc;
}

int
oauth_exchange(struct http_client *http, const struct oauth_provider *p,
    const char *code, const char *verifier, const char *redirect_uri,
    const char *device_id, const char *state, struct oauth_tokens *out,
    struct zpub_err *err)
{
	const char *kv[] = {
		"grant_type", "authorization_code",
		"code", code,
		"code_verifier", verifier,
		"client_id", p->client_id,
		"client_secret", p->kind == OAUTH_GOOGLE ? p->client_secret : NULL,
		"redirect_uri", redirect_uri,
		"device_id", p->kind == OAUTH_VKID ? device_id : NULL,
		"state", p->kind == OAUTH_VKID ? state : NULL,
		NULL,
	};
	memset(out, 0, sizeof *out);
	int rc = token_post(http, p, kv, out, err);
	if (rc == 0 && p->kind == OAUTH_VKID && device_id)
		out->device_id = xstrdup(device_id);
	return rc;
}

int
oauth_refresh(struct http_client *http, const struct oauth_provider *p,
    struct oauth_tokens *t, struct zpub_err *err)
{
	char state[64];

	if (t->refresh_token == NULL)
		return zpub_err_set(err, ZPUB_EAUTH,
		    "%s gave no refresh token, so the sign-in cannot be renewed; "
		    "reconnect your account with `zpub auth %s`", p->display, p->name);
	oauth_state_new(state);
	const char *kv[] = {
		"grant_type", "refresh_token",
		"refresh_token", t->refresh_token,
		"client_id", p->client_id,
		"client_secret", p->kind == OAUTH_GOOGLE ? p->client_secret : NULL,
		"device_id", p->kind == OAUTH_VKID ? t->device_id : NULL,
		"state", p->kind == OAUTH_VKID ? state : NULL,
		NULL,
	};
	return token_post(http, p, kv, t, err);
}

int
oauth_revoke(struct http_client *http, const struct oauth_provider *p,
    const struct oauth_tokens *t, struct zpub_err *err)
{
	const char *tok = t->refresh_token ? t->refresh_token : t->access_token;
	if (p->revoke_url == NULL || tok == NULL)
		return 0;
	const char *kv[] = {"token", tok, "client_id", p->client_id, NULL};
	char *body = http_form_urlencoded(kv);
	struct http_response r = {0};
	struct http_request req = {.method = "POST", .url = p->revoke_url, .body = body,
	    .body_len = body ? strlen(body) : 0, .timeout_ms = 15000, .what = p->display};
	int rc = http_do(http, &req, &r, err);
	if (rc == 0 && r.status >= 400 && r.status != 400)
		rc = http_check(rc, &req, &r, err);
	if (body) {
		sodium_memzero(body, strlen(body));
		free(body);
	}
	http_response_free(&r);
	return rc;
}

/* ---- the interactive sign-in ------------------------------------------------- */

/* The browser is started with http://127.0.0.1:PORT/start?k=NONCE, which
 * answers once with a redirect to the authorize URL: the state and the
 * PKCE challenge never appear in a command line (/proc/PID/cmdline is
 * readable by every local user).  The callback's page is sent after the
 * code exchange, so "connected" is only said when it is true. */
struct login {
	const struct oauth_provider *p;
	struct http_client *http;
	const struct oauth_store *store;
	const char *state;
	const char *verifier;
	const char *redirect;
	const char *auth_url;
	char nonce[32];
	int nonce_used;
	FILE *log;
	int rc;
	struct zpub_err err;
};

int
oauth_finish(struct http_client *http, const struct oauth_provider *p, const char *code,
    const char *verifier, const char *redirect_uri, const char *device_id, const char *state,
    const struct oauth_store *store, struct zpub_err *err)
{
	struct oauth_tokens tok = {0};
	char *json = NULL;
	int rc = oauth_exchange(http, p, code, verifier, redirect_uri, device_id, state, &tok,
	    err);
	if (rc != 0)
		goto out;
	json = oauth_tokens_to_json(&tok);
	if ((rc = store->save(store->ud, p->name, json, tok.expires_at_ms, err)) != 0)
		goto out;
	if (store->mark)
		store->mark(store->ud, p->name, "ok", NULL);
out:
	free_secret(json);
	oauth_tokens_clear(&tok);
	return rc;
}

char *
oauth_result_page(const char *display, const char *msg)
{
	char *d = lsn_html_escape(display), *m = msg ? lsn_html_escape(msg) : NULL;
	char *page;
	if (m == NULL)
		page = xasprintf("<!doctype html><meta charset=utf-8><title>zpub</title>"
		    "<p>%s is connected to zpub. You can close this tab.</p>", d ? d : "");
	else
		page = xasprintf("<!doctype html><meta charset=utf-8><title>zpub</title>"
		    "<p>Signing in to %s failed: %s</p><p>Nothing was saved; you can close"
		    " this tab.</p>", d ? d : "", m);
	free(d);
	free(m);
	return page;
}

static int
login_start(struct login *lg, const struct lsn_request *req, struct lsn_reply *reply)
{
	char *k = lsn_query_get(req->query, "k");
	size_t nl = strlen(lg->nonce);
	int ok = k != NULL && strlen(k) == nl && sodium_memcmp(k, lg->nonce, nl) == 0 &&
	    !lg->nonce_used;
	free(k);
	if (!ok) {
		reply->status = 404;
		reply->body = xstrdup("<p>This sign-in link is not valid any more. Run the"
		    " zpub auth command again.</p>");
		return 0;
	}
	lg->nonce_used = 1;   /* one browser, once */
	reply->status = 302;
	reply->location = xstrdup(lg->auth_url);
	reply->body = xstrdup("");
	return 0;
}

static int
login_route(void *ud, const struct lsn_request *req, struct lsn_reply *reply)
{
	struct login *lg = ud;
	struct zpub_err e = {0};
	char *code = NULL, *dev = NULL;

	if (strcmp(req->method, "GET") != 0 && (strcmp(req->path, "/callback") == 0 ||
	    strcmp(req->path, "/start") == 0)) {
		reply->status = 405;
		reply->body = xstrdup("<p>Method not allowed.</p>");
		return 0;
	}
	if (strcmp(req->path, "/start") == 0)
		return login_start(lg, req, reply);
	if (strcmp(req->path, "/callback") != 0) {
		reply->status = 404;
		reply->body = xstrdup("<p>Not found.</p>");
		return 0;
	}
	int rc = oauth_callback_check(lg->p, req->query, lg->state, &code, &dev, &e);
	if (rc != 0) {
		char *state = lsn_query_get(req->query, "state");
		int csrf = state == NULL || strcmp(state, lg->state) != 0;
		free(state);
		if (csrf) {
			/* refused, and the real callback may still come */
			fprintf(lg->log, "zpub: warning: %s (from %s)\n", e.msg, req->peer);
			reply->status = 400;
			reply->body = xstrdup("<p>This sign-in link does not belong to the "
			    "sign-in zpub is waiting for. Nothing was changed.</p>");
			return 0;
		}
		lg->rc = rc;
		lg->err = e;
		reply->status = 400;
		reply->body = oauth_result_page(lg->p->display, e.msg);
		return 1;
	}
	/* The page waits for the exchange: this listener has nothing else to do. */
	fprintf(lg->log, "Exchanging the sign-in code with %s ...\n", lg->p->display);
	fflush(lg->log);
	rc = oauth_finish(lg->http, lg->p, code, lg->verifier, lg->redirect, dev, lg->state,
	    lg->store, &e);
	free_secret(code);
	free(dev);
	if (rc != 0) {
		lg->rc = rc;
		lg->err = e;
		reply->status = 502;
		reply->body = oauth_result_page(lg->p->display, e.msg);
		return 1;
	}
	reply->body = oauth_result_page(lg->p->display, NULL);
	return 1;
}

static pid_t
open_browser(const char *url)
{
	pid_t pid = -1;
	posix_spawn_file_actions_t fa;
	char *argv[] = {"xdg-open", (char *)url, NULL};

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "xdg-open", &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

int
oauth_login(struct http_client *http, const struct oauth_provider *p,
    const struct oauth_login_opts *opts, const struct oauth_store *store,
    struct zpub_err *err)
{
	char verifier[64], challenge[64], state[64];
	unsigned char nonce_bin[12];
	struct login lg = {0};
	struct listener *l = NULL;
	char *redirect = NULL, *url = NULL, *start = NULL;
	FILE *out = opts && opts->out ? opts->out : stdout;
	pid_t browser = -1;
	int rc;

	oauth_pkce_new(verifier, challenge);
	oauth_state_new(state);
	randombytes_buf(nonce_bin, sizeof nonce_bin);
	sodium_bin2base64(lg.nonce, sizeof lg.nonce, nonce_bin, sizeof nonce_bin,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	lg.p = p;
	lg.http = http;
	lg.store = store;
	lg.state = state;
	lg.verifier = verifier;
	lg.log = opts && opts->log ? opts->log : stderr;
	struct lsn_opts lo = {
		.port = opts ? opts->port : 0,
		.timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : 300000,
		.max_connections = 16,
		.max_per_peer = 8,
		.route = login_route,
		.ud = &lg,
	};
	if ((rc = lsn_open(&lo, &l, err)) != 0)
		goto out;
	redirect = xasprintf("http://127.0.0.1:%d/callback", lsn_port(l));
	start = xasprintf("http://127.0.0.1:%d/start?k=%s", lsn_port(l), lg.nonce);
	url = oauth_authorize_url(p, redirect, state, challenge);
	lg.redirect = redirect;
	lg.auth_url = url;
	fprintf(lg.log, "Open this address in a browser to connect %s to zpub:\n", p->display);
	fflush(lg.log);
	/* the full address goes to the user's own terminal only */
	fprintf(out, "%s\n", url);
	fflush(out);
	if (!(opts && opts->no_browser))
		browser = open_browser(start);
	fprintf(lg.log, "Waiting for the browser at %s ...\n", redirect);
	fflush(lg.log);
	if ((rc = lsn_run(l, err)) != 0)
		goto out;
	if (lg.rc != 0) {
		rc = lg.rc;
		if (err)
			*err = lg.err;
		goto out;
	}
	fprintf(lg.log, "%s is connected.\n", p->display);
out:
	if (browser > 0)
		waitpid(browser, NULL, WNOHANG);
	sodium_memzero(verifier, sizeof verifier);
	sodium_memzero(&lg.err, sizeof lg.err);
	free(url);
	free(start);
	free(redirect);
	lsn_free(l);
	return rc;
}

int
oauth_access_token(struct http_client *http, const struct oauth_provider *p,
    const struct oauth_store *store, int force_refresh, char **token,
    struct zpub_err *err)
{
	struct oauth_tokens t = {0};
	char *json = NULL;
	int rc;

	*token = NULL;
	rc = store->load(store->ud, p->name, &json, err);
	if (rc == ZPUB_ENOTFOUND) {
		rc = zpub_err_set(err, ZPUB_EAUTH,
		    "no %s account is connected; run `zpub auth %s`", p->display, p->name);
		goto out;
	}
	if (rc != 0)
		goto out;
	if ((rc = oauth_tokens_from_json(json, &t, err)) != 0)
		goto out;
	int stale = t.access_token == NULL ||
	    (t.expires_at_ms > 0 && t.expires_at_ms - 120000 <= time_now_ms());
	if (force_refresh || stale) {
		rc = oauth_refresh(http, p, &t, err);
		if (rc == ZPUB_EAUTH) {
			if (store->mark)
				store->mark(store->ud, p->name, "reconnect", NULL);
			goto out;
		}
		if (rc != 0)
			goto out;
		free_secret(json);
		json = oauth_tokens_to_json(&t);
		if ((rc = store->save(store->ud, p->name, json, t.expires_at_ms, err)) != 0)
			goto out;
	}
	*token = t.access_token;
	t.access_token = NULL;
out:
	free_secret(json);
	oauth_tokens_clear(&t);
	return rc;
}
