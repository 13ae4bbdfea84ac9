/*
 * test_vault.c — secrets round-trip through libsodium and never reach the
 * database (or its WAL) in plaintext; the key file is 0600 and a wrong key
 * is an error, not garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sodium.h>
#include <sys/stat.h>

#include "store.h"
#include "testutil.h"
#include "vault.h"

static int
file_contains(const char *path, const void *needle, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	if (fs_read_all(path, &buf, &len, NULL) != 0)
		return 0;
	int found = 0;
	for (size_t i = 0; !found && n <= len && i <= len - n; i++)
		found = memcmp(buf + i, needle, n) == 0;
	free(buf);
	return found;
}

static void
test_round_trip_and_no_plaintext_in_database(void **state)
{
	(void)state;
	char *dir = test_tmpdir("vault");
	char *db = path_join(dir, "zpub.db"), *wal = path_join(dir, "zpub.db-wal");
	char *key = path_join(dir, "vault.key");
	struct store *st = NULL;
	struct vault *v = NULL;
	struct zpub_err err;
	const char *secret = "sk-PLAINTEXT-should-never-be-stored-0123456789";

	assert_int_equal(store_open(db, dir, &st, &err), 0);
	assert_int_equal(vault_open(st, key, &v, &err), 0);
	assert_int_equal(vault_put(v, 1, "transcription", secret, strlen(secret), 0, &err), 0);
	assert_int_equal(vault_put(v, 1, "chat", "другой ключ", strlen("другой ключ"), 0, &err), 0);
	char *got = NULL;
	size_t len = 0;
	assert_int_equal(vault_get(v, 1, "transcription", &got, &len, &err), 0);
	assert_int_equal(len, strlen(secret));
	assert_string_equal(got, secret);
	vault_free_secret(got, len);
	assert_int_equal(vault_get(v, 1, "chat", &got, &len, &err), 0);
	assert_string_equal(got, "другой ключ");
	vault_free_secret(got, len);
	assert_int_equal(vault_get(v, 1, "missing", &got, &len, &err), ZPUB_ENOTFOUND);
	assert_true(vault_has(v, 1, "chat"));
	assert_false(vault_has(v, 2, "chat"));   /* tenants are apart */

	struct stat sb;
	assert_int_equal(stat(key, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, 32);
	unsigned char keybytes[32];
	FILE *f = fopen(key, "rb");
	assert_int_equal(fread(keybytes, 1, 32, f), 32);
	fclose(f);

	/* Neither the secret nor the key is anywhere in the database files. */
	assert_false(file_contains(db, secret, strlen(secret)));
	assert_false(file_contains(wal, secret, strlen(secret)));
	assert_false(file_contains(db, keybytes, 16));
	assert_false(file_contains(wal, keybytes, 16));
	assert_false(file_contains(wal, "другой ключ", strlen("другой ключ")));
	assert_int_equal(stat(db, &sb), 0);
	assert_int_equal(sb.st_mode & 0077, 0);
	vault_close(v);

	/* A missing key file is not replaced while secrets exist: the error says
	 * how to restore or reset, and no key is made. */
	char *key2 = path_join(dir, "other.key");
	assert_int_equal(vault_open(st, key2, &v, &err), ZPUB_ECRYPTO);
	assert_non_null(strstr(err.msg, "is missing"));
	assert_non_null(strstr(err.msg, "zpub secret reset --yes"));
	assert_int_equal(stat(key2, &sb), -1);
	/* Another key cannot read them, and says so. */
	unsigned char other[32];
	randombytes_buf(other, sizeof other);
	assert_int_equal(fs_write_atomic(key2, other, sizeof other, 0600, &err), 0);
	assert_int_equal(vault_open(st, key2, &v, &err), 0);
	assert_int_equal(vault_get(v, 1, "transcription", &got, &len, &err), ZPUB_ECRYPTO);
	assert_non_null(strstr(err.msg, "cannot be decrypted"));
	vault_close(v);
	/* A key file others can read is refused. */
	chmod(key, 0644);
	assert_int_equal(vault_open(st, key, &v, &err), ZPUB_ECRYPTO);
	assert_non_null(strstr(err.msg, "chmod 600"));

	store_close(st);
	free(db); free(wal); free(key); free(key2);
	fs_remove_tree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_and_no_plaintext_in_database),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
