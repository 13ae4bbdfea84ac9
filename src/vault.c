/*
 * vault.c — libsodium secretbox over the store's credentials table.
 */
#include "vault.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

struct vault {
	struct store *st;
	unsigned char key[crypto_secretbox_KEYBYTES];
};

static int
read_key(const char *path, unsigned char *key, struct zpub_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? ZPUB_ENOTFOUND :
		    zpub_err_set(err, ZPUB_EIO, "cannot read vault key %s: %s", path, strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0) {
		close(fd);
		return zpub_err_set(err, ZPUB_ECRYPTO, "vault key %s is readable by others (mode %03o);"
		    " run 'chmod 600 %s'", path, (unsigned)(sb.st_mode & 0777), path);
	}
	ssize_t n = read(fd, key, crypto_secretbox_KEYBYTES);
	close(fd);
	if (n != crypto_secretbox_KEYBYTES)
		return zpub_err_set(err, ZPUB_ECRYPTO, "vault key %s is damaged (expected %d bytes)",
		    path, crypto_secretbox_KEYBYTES);
	return 0;
}

int
vault_open(struct store *st, const char *key_path, struct vault **out, struct zpub_err *err)
{
	if (sodium_init() < 0)
		return zpub_err_set(err, ZPUB_ECRYPTO, "libsodium could not start");
	struct vault *v = sodium_malloc(sizeof *v);
	if (v == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	v->st = st;
	int rc = read_key(key_path, v->key, err);
	if (rc == ZPUB_ENOTFOUND) {
		/* First use: make a key, written atomically with 0600. */
		randombytes_buf(v->key, sizeof v->key);
		rc = fs_write_atomic(key_path, v->key, sizeof v->key, 0600, err);
	}
	if (rc) {
		sodium_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

void
vault_close(struct vault *v)
{
	if (v)
		sodium_free(v);	/* zeroes the key */
}

int
vault_put(struct vault *v, int64_t tenant_id, const char *name, const void *value, size_t len,
    int64_t expires_at, struct zpub_err *err)
{
	unsigned char nonce[crypto_secretbox_NONCEBYTES];
	size_t ct_len = len + crypto_secretbox_MACBYTES;
	unsigned char *ct = malloc(ct_len);
	if (ct == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	randombytes_buf(nonce, sizeof nonce);
	crypto_secretbox_easy(ct, value, len, nonce, v->key);
	int rc = store_credential_put(v->st, tenant_id, name, ct, ct_len, nonce, sizeof nonce,
	    expires_at, err);
	free(ct);
	return rc;
}

int
vault_get(struct vault *v, int64_t tenant_id, const char *name, char **value, size_t *len,
    struct zpub_err *err)
{
	unsigned char nonce[crypto_secretbox_NONCEBYTES];
	unsigned char *ct = NULL;
	size_t ct_len = 0;
	int rc = store_credential_get(v->st, tenant_id, name, &ct, &ct_len, nonce, sizeof nonce,
	    NULL, err);
	if (rc)
		return rc;
	if (ct_len < crypto_secretbox_MACBYTES) {
		free(ct);
		return zpub_err_set(err, ZPUB_ECRYPTO, "secret '%s' is damaged", name);
	}
	size_t pl = ct_len - crypto_secretbox_MACBYTES;
	char *plain = sodium_malloc(pl + 1);
	if (plain == NULL) {
		free(ct);
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	}
	if (crypto_secretbox_open_easy((unsigned char *)plain, ct, ct_len, nonce, v->key) != 0) {
		free(ct);
		sodium_free(plain);
		return zpub_err_set(err, ZPUB_ECRYPTO, "secret '%s' cannot be decrypted with this"
		    " vault key (was the key file replaced?); set it again with 'zpub secret set %s'",
		    name, name);
	}
	free(ct);
	plain[pl] = '\0';
	*value = plain;
	if (len)
		*len = pl;
	return 0;
}

int
vault_has(struct vault *v, int64_t tenant_id, const char *name)
{
	char *val = NULL;
	size_t len = 0;
	if (vault_get(v, tenant_id, name, &val, &len, NULL) != 0)
		return 0;
	vault_free_secret(val, len);
	return 1;
}

int
vault_delete(struct vault *v, int64_t tenant_id, const char *name, struct zpub_err *err)
{
	return store_credential_delete(v->st, tenant_id, name, err);
}

void
vault_free_secret(char *value, size_t len)
{
	(void)len;
	if (value)
		sodium_free(value);
}
