/*
 * vault.c — libsodium secretbox over the store's credentials table, the
 * key file (made only while no secret exists) and the explicit reset.
 */
#include "vault.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
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

/* Reads the key; *exposed says the file was refused for its mode (a
 * problem to fix, not a lost key). */
static int
read_key(const char *path, unsigned char *key, int *exposed, struct zpub_err *err)
{
	*exposed = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? zpub_err_set(err, ZPUB_ENOTFOUND, "the vault key %s is"
		    " missing", path) :
		    zpub_err_set(err, ZPUB_EIO, "cannot read the vault key %s: %s", path,
		    strerror(errno));
	struct stat sb;
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0) {
		close(fd);
		*exposed = 1;
		return zpub_err_set(err, ZPUB_ECRYPTO, "vault key %s is readable by others (mode %03o);"
		    " run 'chmod 600 %s'", path, (unsigned)(sb.st_mode & 0777), path);
	}
	unsigned char extra;
	ssize_t n = read(fd, key, crypto_secretbox_KEYBYTES);
	ssize_t more = n == crypto_secretbox_KEYBYTES ? read(fd, &extra, 1) : 0;
	close(fd);
	if (n != crypto_secretbox_KEYBYTES || more != 0)
		return zpub_err_set(err, ZPUB_ECRYPTO, "the vault key %s is damaged (it must be"
		    " exactly %d bytes)", path, crypto_secretbox_KEYBYTES);
	return 0;
}

/* Writes a fresh key through a temporary file of an unguessable name.  With
 * replace 0 it is linked in only if no key exists (two first starts at once
 * keep one key: the loser reads the winner's); with replace 1 it is renamed
 * over a damaged one. */
static int
write_new_key(const char *path, unsigned char *key, int replace, struct zpub_err *err)
{
	char *tmp = xasprintf("%s.tmp-XXXXXX", path);
	int rc = 0, fd = mkstemp(tmp);
	if (fd < 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot create the vault key %s: %s", path,
		    strerror(errno));
		free(tmp);
		return rc;
	}
	randombytes_buf(key, crypto_secretbox_KEYBYTES);
	if (fchmod(fd, 0600) != 0 ||
	    write(fd, key, crypto_secretbox_KEYBYTES) != crypto_secretbox_KEYBYTES ||
	    fsync(fd) != 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot write the vault key %s: %s", path,
		    strerror(errno));
		close(fd);
		goto out;
	}
	close(fd);
	if (replace ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
		int exposed;
		if (!replace && errno == EEXIST)
			rc = read_key(path, key, &exposed, err);   /* another made it first */
		else
			rc = zpub_err_set(err, ZPUB_EIO, "cannot write the vault key %s: %s", path,
			    strerror(errno));
	}
	char *dir = xstrdup(path);
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(dir);
out:
	unlink(tmp);
	free(tmp);
	return rc;
}

/* The sentence for a key that is gone while secrets need it. */
static int
key_lost(const char *path, const struct zpub_err *why, int n_secrets, struct zpub_err *err)
{
	char cause[sizeof why->msg];
	snprintf(cause, sizeof cause, "%s", why->msg);
	return zpub_err_set(err, ZPUB_ECRYPTO, "%s, and the database holds %d encrypted"
	    " secret%s (API keys, sign-ins) that only that key can open: put the key file back at"
	    " %s from a backup, or run 'zpub secret reset --yes' to delete those secrets and make a"
	    " new key (then set them again and sign in again)", cause, n_secrets,
	    n_secrets == 1 ? "" : "s", path);
}

/* A vault on guarded memory with no key read yet; NULL with err. */
static struct vault *
vault_alloc(struct store *st, struct zpub_err *err)
{
	if (sodium_init() < 0) {
		zpub_err_set(err, ZPUB_ECRYPTO, "libsodium could not start");
		return NULL;
	}
	struct vault *v = sodium_malloc(sizeof *v);
	if (v == NULL) {
		zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
		return NULL;
	}
	v->st = st;
	return v;
}

int
vault_open(struct store *st, const char *key_path, struct vault **out, struct zpub_err *err)
{
	struct zpub_err why = { 0 };
	struct vault *v = vault_alloc(st, err);
	if (v == NULL)
		return err->code;
	int exposed;
	int rc = read_key(key_path, v->key, &exposed, &why);
	if (rc != 0 && !exposed) {
		struct store_credential *creds = NULL;
		int n = 0;
		if (store_credentials(st, STORE_ALL_TENANTS, &creds, &n, err) != 0)
			rc = err->code;
		else if (n > 0)
			rc = key_lost(key_path, &why, n, err);
		else if (rc == ZPUB_ENOTFOUND)
			rc = write_new_key(key_path, v->key, 0, err);   /* first use */
		else
			rc = zpub_err_set(err, why.code, "%s; no secret uses it yet: remove it (or run"
			    " 'zpub secret reset --yes') and zpub makes a new one", why.msg);
		store_credentials_free(creds, n);
	} else if (rc != 0)
		*err = why;
	if (rc) {
		sodium_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

int
vault_reset(struct store *st, const char *key_path, int apply, struct store_credential **gone,
    int *n_gone, int *new_key, struct zpub_err *err)
{
	struct store_credential *all = NULL;
	struct zpub_err why = { 0 };
	int n = 0, keep = 0, rc;
	*gone = NULL;
	*n_gone = 0;
	*new_key = 0;
	struct vault *v = vault_alloc(st, err);
	if (v == NULL)
		return err->code;
	int exposed;
	rc = read_key(key_path, v->key, &exposed, &why);
	if (exposed) {
		*err = why;
		goto out;
	}
	*new_key = rc != 0;
	if ((rc = store_credentials(st, STORE_ALL_TENANTS, &all, &n, err)) != 0)
		goto out;
	/* What goes: all of them without a key, else those it cannot open. */
	for (int i = 0; i < n; i++) {
		if (!*new_key && vault_has(v, all[i].tenant_id, all[i].name)) {
			free(all[i].tenant);
			free(all[i].name);
			free(all[i].state);
			continue;
		}
		all[keep++] = all[i];
	}
	*gone = all;
	*n_gone = keep;
	all = NULL;
	if (!apply)
		goto out;
	if ((rc = store_begin(st, err)) != 0)
		goto out;
	for (int i = 0; i < keep && rc == 0; i++)
		rc = store_credential_delete(st, (*gone)[i].tenant_id, (*gone)[i].name, err);
	if (rc == 0)
		rc = store_commit(st, err);
	else
		store_rollback(st);
	if (rc == 0 && *new_key)
		rc = write_new_key(key_path, v->key, 1, err);
out:
	sodium_free(v);
	return rc;
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
	unsigned char *ct = xmalloc(ct_len);
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
