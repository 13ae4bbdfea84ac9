/*
 * oauth.h — OAuth 2.0 authorization-code flow with PKCE (S256) through a
 * loopback listener, token exchange and refresh, for Google (YouTube) and
 * VK ID.
 *
 * Tokens never touch disk in the clear: they leave this module as a JSON
 * string handed to the caller's oauth_store (which the engine's accounts.c
 * wires to the vault) and come back the same way.  Nothing here prints or
 * logs a token.
 */
#ifndef ZPUB_NET_OAUTH_H
#define ZPUB_NET_OAUTH_H

#include <stdint.h>
#include <stdio.h>
#include <cJSON.h>

#include "err.h"

struct http_client;

enum oauth_kind { OAUTH_GOOGLE, OAUTH_VKID };

struct oauth_provider {
	enum oauth_kind kind;
	const char *name;          /* "youtube", "vk": the vault key and CLI name */
	const char *display;       /* "YouTube (Google)" for sentences */
	char *auth_url, *token_url, *revoke_url;
	char *client_id;
	char *client_secret;       /* Google desktop clients still send it; may be NULL */
	char *scope;               /* space-separated */
};

/* Fills p from the merged config (providers.google.* / providers.vk.*) for
 * provider name "youtube" or "vk".  client_secret comes from the vault and
 * may be NULL.  ZPUB_EINVAL names the missing setting. */
int oauth_provider_init(struct oauth_provider *p, const cJSON *cfg, const char *name,
    const char *client_secret, struct zpub_err *err);
void oauth_provider_clear(struct oauth_provider *p);

struct oauth_tokens {
	char *access_token;
	char *refresh_token;
	char *scope;
	char *user_id;             /* VK */
	char *device_id;           /* VK ID: needed again for refresh */
	int64_t expires_at_ms;     /* epoch ms; 0 if unknown */
};
void oauth_tokens_clear(struct oauth_tokens *t);
/* JSON for the vault (malloc'd) and back. */
char *oauth_tokens_to_json(const struct oauth_tokens *t);
int oauth_tokens_from_json(const char *json, struct oauth_tokens *t, struct zpub_err *err);

/* PKCE: verifier is 43 base64url chars from 32 random bytes; challenge is
 * base64url(SHA-256(verifier)) without padding.  state: 32 random bytes. */
void oauth_pkce_new(char verifier[64], char challenge[64]);
void oauth_pkce_challenge(const char *verifier, char challenge[64]);
void oauth_state_new(char state[64]);

/* A sign-in that waits in the store between its start and its callback
 * (the API's headless flow): the row's key is oauth_state_id(state) (hex
 * BLAKE2b, the state itself is not kept) and the PKCE verifier is kept
 * sealed (secretbox, hex) under a key derived from the state, so only the
 * callback that carries the state can open it.  open: 0, or -1 when the
 * state does not open it. */
void oauth_state_id(const char *state, char out[65]);
char *oauth_verifier_seal(const char *state, const char *verifier);
int oauth_verifier_open(const char *state, const char *sealed, char verifier[64]);

/* The browser URL (malloc'd). */
char *oauth_authorize_url(const struct oauth_provider *p, const char *redirect_uri,
    const char *state, const char *challenge);

/* Checks a callback query: the state must equal expected_state (compared in
 * constant time), else ZPUB_EAUTH "possible CSRF"; error=... -> ZPUB_EAUTH
 * with the provider's reason; otherwise *code (and *device_id for VK ID,
 * may be NULL) are set, malloc'd. */
int oauth_callback_check(const struct oauth_provider *p, const char *query,
    const char *expected_state, char **code, char **device_id, struct zpub_err *err);

/* Code -> tokens at the token endpoint. */
int oauth_exchange(struct http_client *http, const struct oauth_provider *p,
    const char *code, const char *verifier, const char *redirect_uri,
    const char *device_id, const char *state, struct oauth_tokens *out,
    struct zpub_err *err);

/* Refresh; keeps the old refresh token when none comes back (Google) and
 * takes the new one when it rotates (VK).  invalid_grant -> ZPUB_EAUTH
 * "reconnect your account" (never retried). */
int oauth_refresh(struct http_client *http, const struct oauth_provider *p,
    struct oauth_tokens *t, struct zpub_err *err);

/* Best effort revoke at the provider (Google); 0 when there is nothing to do. */
int oauth_revoke(struct http_client *http, const struct oauth_provider *p,
    const struct oauth_tokens *t, struct zpub_err *err);

/* Where tokens live.  load: ZPUB_ENOTFOUND when not connected.  save gets
 * the tokens' JSON and expiry.  mark: "ok" or "reconnect" (may be NULL). */
struct oauth_store {
	int (*load)(void *ud, const char *provider, char **json, struct zpub_err *err);
	int (*save)(void *ud, const char *provider, const char *json, int64_t expires_at_ms,
	    struct zpub_err *err);
	int (*mark)(void *ud, const char *provider, const char *state, struct zpub_err *err);
	void *ud;
};

/* Code -> tokens at the token endpoint -> store->save (and mark "ok"):
 * the end of every sign-in, the loopback one and the API's callback. */
int oauth_finish(struct http_client *http, const struct oauth_provider *p, const char *code,
    const char *verifier, const char *redirect_uri, const char *device_id, const char *state,
    const struct oauth_store *store, struct zpub_err *err);
/* The page a sign-in's browser ends on (malloc'd HTML, escaped): connected
 * when msg is NULL, else what failed. */
char *oauth_result_page(const char *display, const char *msg);

/* Full sign-in: listener on 127.0.0.1 (port 0 = free), prints the URL alone
 * on its own line to `out`, unless no_browser starts xdg-open on the
 * listener's one-time http://127.0.0.1:PORT/start?k=NONCE (a redirect to the
 * URL, so no state or PKCE challenge is in any command line), waits for one
 * callback with the right state (wrong ones are refused and logged as a
 * possible CSRF), exchanges the code and saves the tokens; the browser's
 * page says "connected" only then, or what failed. */
struct oauth_login_opts {
	int port;
	int no_browser;
	int64_t timeout_ms;        /* 0 = 5 minutes */
	FILE *out;                 /* the URL line; stdout when NULL */
	FILE *log;                 /* human notes, CSRF warnings; stderr when NULL */
};
int oauth_login(struct http_client *http, const struct oauth_provider *p,
    const struct oauth_login_opts *opts, const struct oauth_store *store,
    struct zpub_err *err);

/* A usable access token (malloc'd in *token): loads, refreshes when it
 * expires within 2 minutes or when force_refresh (after a 401), saves the
 * result.  ZPUB_EAUTH with "connect/reconnect your account" otherwise. */
int oauth_access_token(struct http_client *http, const struct oauth_provider *p,
    const struct oauth_store *store, int force_refresh, char **token,
    struct zpub_err *err);

#endif
