/*
 * vault.h — secrets encrypted at rest with libsodium secretbox.
 *
 * The key is 32 random bytes in a 0600 key file (in the config folder,
 * apart from the database); the database only ever holds ciphertext and a
 * per-secret nonce.  The key is made silently only while the database holds
 * no secret at all.  A key file that is missing, unreadable or damaged while
 * secrets exist is an error that says how to restore it from a backup or to
 * start again with vault_reset() (`zpub secret reset --yes`): a new key is
 * never made over secrets that only the old one can open.  Secrets belong to a tenant: API keys
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

/* What vault_reset() removes: every secret when the key file is missing or
 * damaged, else those this key cannot decrypt.  With apply 0 nothing is
 * changed (a preview); with apply 1 they are deleted and, when the key was
 * unusable, a new key is written.  *gone lists them (free with
 * store_credentials_free); *new_key says whether a key was (or would be) made.
 * A key file that is readable by others is refused as vault_open does. */
struct store_credential;
int vault_reset(struct store *st, const char *key_path, int apply,
    struct store_credential **gone, int *n_gone, int *new_key, struct zpub_err *err);

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
