/*
 * vault.h — secrets encrypted at rest with libsodium secretbox.
 *
 * The key is 32 random bytes in a 0600 key file (created on first use, in
 * the config folder, apart from the database); the database only ever holds
 * ciphertext and a per-secret nonce.  Secrets belong to a tenant: API keys
 * ("transcription", "chat", "google.client_secret", ...) and OAuth tokens
 * ("oauth.youtube", "oauth.vk", "oauth.zoom").
 */
#ifndef ZPUB_VAULT_H
#define ZPUB_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct store;
struct vault;

int vault_open(struct store *st, const char *key_path, struct vault **out,
    struct zpub_err *err);
void vault_close(struct vault *v);

/* Stores value (any bytes) under name for the tenant; expires_at 0 = never. */
int vault_put(struct vault *v, int64_t tenant_id, const char *name, const void *value,
    size_t len, int64_t expires_at, struct zpub_err *err);
/* Returns a malloc'd, NUL-terminated plaintext; free with vault_free_secret(),
 * which wipes it.  ZPUB_ENOTFOUND if there is none. */
int vault_get(struct vault *v, int64_t tenant_id, const char *name, char **value,
    size_t *len, struct zpub_err *err);
int vault_has(struct vault *v, int64_t tenant_id, const char *name);
int vault_delete(struct vault *v, int64_t tenant_id, const char *name, struct zpub_err *err);
void vault_free_secret(char *value, size_t len);

#endif
