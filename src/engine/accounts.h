/*
 * accounts.h — connected platform accounts: OAuth providers built from the
 * config plus the client secret in the vault, and an oauth_store that keeps
 * tokens in the vault (ciphertext only) under "oauth.<provider>" (or
 * "oauth.<provider>.<name>" for an account connected under a name) with the
 * credential's state ("ok", "reconnect") in the store.  The net/ clients
 * get these interfaces, never the store or the vault.
 */
#ifndef ZPUB_ACCOUNTS_H
#define ZPUB_ACCOUNTS_H

#include <stdint.h>
#include <cJSON.h>

#include "err.h"
#include "oauth.h"

struct store;
struct vault;
struct zoom_client;

#define ACCOUNT_NAME_MAX 40

struct accounts {
	struct store *store;
	struct vault *vault;
	int64_t tenant_id;
	const char *name;          /* a named account, or NULL for the default */
};

/* 1 if name may name an account: 1-40 of [A-Za-z0-9_-], a letter or digit
 * first. */
int accounts_name_ok(const char *name);

/* An oauth_store whose ud is a (long-lived) struct accounts. */
void accounts_oauth_store(struct accounts *a, struct oauth_store *out);

/* oauth_provider_init with the client secret from the vault
 * ("google.client_secret" / "vk.client_secret"; absent is fine for VK). */
int accounts_provider(struct accounts *a, const cJSON *cfg, const char *name,
    struct oauth_provider *p, struct zpub_err *err);

/* A Zoom client whose tokens ("oauth.zoom") and app secret
 * ("zoom.client_secret") are a's; a must outlive the client.  With no vault
 * in a, a client that never gets a token. */
int accounts_zoom_client(struct accounts *a, const cJSON *cfg, struct zoom_client **out,
    struct zpub_err *err);

/* Disconnects a's account of provider (youtube, vk, zoom): revokes the
 * token at the provider where it has a revoke address (best effort: a
 * failure there goes to *warn, may be NULL, and *revoked stays 0) and
 * deletes the tokens from the vault.  ZPUB_ENOTFOUND when none is
 * connected.  One function for `zpub auth revoke` and DELETE /accounts. */
int accounts_revoke(struct accounts *a, const cJSON *cfg, const char *provider,
    int *revoked, struct zpub_err *warn, struct zpub_err *err);

/* "oauth.youtube", or "oauth.youtube.physics" for the account name
 * "physics" (NULL or "": the default account). */
void accounts_secret_name(const char *provider, const char *name, char out[64]);

#endif
