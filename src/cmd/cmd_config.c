/*
 * cmd_config.c — `zpub config` (the user's JSON file, checked against the
 * settings table of config_schema.c; `config keys` lists that table) and
 * `zpub secret` (the encrypted vault; names from the same table).  Secret
 * values are read from standard input, never from the command line, where
 * other users could see them in ps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "cmd.h"
#include "config.h"
#include "config_doc.h"
#include "config_schema.h"
#include "edit.h"
#include "store.h"
#include "util.h"
#include "vault.h"

static int
key_under(const char *key, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n == 0 || strcmp(key, prefix) == 0)
		return 1;
	return strncmp(key, prefix, n) == 0 && (prefix[n - 1] == '.' || key[n] == '.');
}

/* A registered check's word on a value that is allowed (config set). */
static void
config_warn(void *ud, const char *msg)
{
	(void)ud;
	fputs("zpub: warning: ", stderr);
	term_fputs(msg, stderr);
	fputc('\n', stderr);
}

/* `config keys [PREFIX] [--json]`: every setting with its type, range or
 * choices, default, current value, owner and help.  `config keys --format
 * md|man`: the whole table and the secret names as the README's and the
 * man page's reference (config_doc.c). */
static int
config_keys(struct session *cli, int argc, char **argv)
{
	const char *prefix = "";
	const char *format = NULL;
	int json = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			format = argv[++i];
		else if (*prefix == '\0' && argv[i][0] != '-')
			prefix = argv[i];
		else
			return cli_usage(cli, "config keys [PREFIX] [--json] | config keys --format md|man");
	}
	if (format) {
		enum config_doc_format fmt;
		if (json || *prefix || config_doc_format_parse(format, &fmt) != 0)
			return cli_usage(cli, "config keys --format md|man (the whole reference, no PREFIX)");
		config_doc_write(stdout, fmt);
		return 0;
	}
	cJSON *arr = cJSON_CreateArray();
	int shown = 0;
	for (size_t i = 0; i < zs_n_keys; i++) {
		const struct zs_key *k = &zs_keys[i];
		if (!key_under(k->key, prefix))
			continue;
		shown++;
		const cJSON *cur = strchr(k->key, '<') ? NULL : config_find(cli->config, k->key);
		const char *owner = k->owner == ZS_TENANT ? "tenant" : "operator";
		if (json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "key", k->key);
			cJSON_AddStringToObject(o, "type", zs_type_name(k->type));
			if (k->type == ZS_INT || k->type == ZS_NUM) {
				cJSON_AddNumberToObject(o, "min", k->min);
				cJSON_AddNumberToObject(o, "max", k->max);
			} else if (k->max > 0)
				cJSON_AddNumberToObject(o, "max", k->max);
			if (k->choices) {
				cJSON *ch = cJSON_AddArrayToObject(o, "choices");
				char *c = xstrdup(k->choices), *save = NULL;
				for (char *t = strtok_r(c, "|", &save); t; t = strtok_r(NULL, "|", &save))
					cJSON_AddItemToArray(ch, cJSON_CreateString(t));
				free(c);
			}
			cJSON *d = k->def ? cJSON_Parse(k->def) : NULL;
			cJSON_AddItemToObject(o, "default", d ? d : cJSON_CreateNull());
			cJSON_AddItemToObject(o, "value", cur ? cJSON_Duplicate(cur, 1) : cJSON_CreateNull());
			cJSON_AddStringToObject(o, "owner", owner);
			cJSON_AddBoolToObject(o, "written_by_zpub", k->owner == ZS_SYSTEM);
			cJSON_AddStringToObject(o, "help", k->help);
			cJSON_AddItemToArray(arr, o);
			continue;
		}
		char *val = cur ? cJSON_PrintUnformatted(cur) : NULL;
		char range[96] = "";
		if (k->type == ZS_INT || k->type == ZS_NUM)
			snprintf(range, sizeof range, " %g..%g", k->min, k->max);
		else if (k->choices)
			snprintf(range, sizeof range, " %s", k->choices);
		printf("%s\n    %s%s, %s; default %s; now %s\n    %s\n", k->key,
		    zs_type_name(k->type), range, owner, k->def ? k->def : "(none)",
		    val ? val : "(not set)", k->help);
		cJSON_free(val);
	}
	if (json)
		cli_print_json(arr);
	else
		cJSON_Delete(arr);
	if (shown == 0) {
		struct zpub_err err;
		zpub_err_set(&err, ZPUB_ENOTFOUND, "no setting starts with '%s'", prefix);
		return cli_fail(cli, &err);
	}
	return 0;
}

int
cmd_config(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	if (argc >= 2 && strcmp(argv[1], "keys") == 0)
		return config_keys(cli, argc, argv);
	if (argc == 2 && strcmp(argv[1], "show") == 0) {
		cli_print_json(cJSON_Duplicate(cli->config, 1));
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "path") == 0) {
		printf("%s\n", cli->config_path);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "get") == 0) {
		const cJSON *v = config_find(cli->config, argv[2]);
		const struct zs_key *k = zs_lookup(argv[2]);
		if (v == NULL && k) {
			fprintf(stderr, "zpub: %s is not set and has no default (%s)\n", argv[2], k->help);
			return 0;
		}
		if (v == NULL) {
			zpub_err_set(&err, ZPUB_ENOTFOUND, "no config key '%s'", argv[2]);
			return cli_fail(cli, &err);
		}
		if (cJSON_IsString(v)) {
			term_fputs(v->valuestring, stdout);
			putchar('\n');
		}
		else
			cli_print_json(cJSON_Duplicate(v, 1));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "set") == 0) {
		if (config_file_set_warn(cli->config_path, argv[2], argv[3], config_warn, NULL,
		    &err) != 0)
			return cli_fail(cli, &err);
		if (session_store(cli, &err) == 0) {
			struct actor who;
			actor_local(&who, ACTOR_CLI, cli->tenant_id);
			audit_note(cli->store, &who, "config.set", "%s", argv[2]);
		}
		return 0;
	}
	return cli_usage(cli, NULL);
}

/* Reads one secret from stdin without echo on a terminal; strips the
 * trailing newline.  Returns a sodium_malloc'd buffer. */
static char *
read_secret(size_t *len)
{
	size_t cap = 65536;
	char *buf = sodium_malloc(cap);
	struct termios old, quiet;
	int tty = isatty(STDIN_FILENO);
	if (buf == NULL)
		return NULL;
	if (tty) {
		fprintf(stderr, "secret (input hidden): ");
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	size_t n = 0;
	ssize_t got;
	while (n < cap - 1 && (got = read(STDIN_FILENO, buf + n, cap - 1 - n)) > 0) {
		n += (size_t)got;
		if (tty && memchr(buf, '\n', n))
			break;
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int
valid_secret_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-'))
			return 0;
	return 1;
}

/* secret reset [--yes]: the way out when the vault key is lost.  Deletes
 * the secrets no key here can open (all of them when the key file is
 * missing or damaged; then a new key is made); without --yes it only shows
 * what would go. */
static int
secret_reset(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	int yes = argc == 3 && strcmp(argv[2], "--yes") == 0;
	if (argc > 3 || (argc == 3 && !yes))
		return cli_usage(cli, "secret reset [--yes]");
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	struct store_credential *gone = NULL;
	int n = 0, new_key = 0;
	if (vault_reset(cli->store, cli->key_path, yes, &gone, &n, &new_key, &err) != 0) {
		store_credentials_free(gone, n);
		return cli_fail(cli, &err);
	}
	if (n == 0 && !new_key) {
		printf("the vault key %s opens every secret; nothing to reset\n", cli->key_path);
		store_credentials_free(gone, n);
		return 0;
	}
	for (int i = 0; i < n; i++)
		printf("%s secret '%s' of tenant %s\n", yes ? "deleted" : "would delete",
		    term_safe(gone[i].name), term_safe(gone[i].tenant));
	if (new_key)
		printf("%s a new vault key at %s\n", yes ? "made" : "would make", cli->key_path);
	if (!yes) {
		fprintf(stderr, "zpub: nothing changed; run 'zpub secret reset --yes' to do it\n");
		store_credentials_free(gone, n);
		return 2;
	}
	char what[96];
	snprintf(what, sizeof what, "%d undecryptable secret%s deleted%s", n, n == 1 ? "" : "s",
	    new_key ? ", new key" : "");
	struct actor who;
	actor_local(&who, ACTOR_CLI, STORE_ALL_TENANTS);
	audit_note(cli->store, &who, "secret.reset", "%s", what);
	if (n > 0)
		printf("set the API keys again with 'zpub secret set NAME' and sign in again with"
		    " 'zpub auth PROVIDER'\n");
	store_credentials_free(gone, n);
	return 0;
}

int
cmd_secret(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	if (argc == 3 && strcmp(argv[1], "set") == 0) {
		if (!valid_secret_name(argv[2]))
			return cli_usage(cli, "secret names use a-z, 0-9, '.', '_' and '-'");
		if (zs_secret_check(argv[2], &err) != 0)
			return cli_fail(cli, &err);
		if (session_vault(cli, &err) != 0)
			return cli_fail(cli, &err);
		size_t len = 0;
		char *val = read_secret(&len);
		if (val == NULL || len == 0) {
			if (val)
				sodium_free(val);
			zpub_err_set(&err, ZPUB_EINVAL, "no secret given on standard input; try"
			    " 'printf %%s \"$KEY\" | zpub secret set %s'", argv[2]);
			return cli_fail(cli, &err);
		}
		struct actor who;
		actor_local(&who, ACTOR_CLI, cli->tenant_id);
		int rc = edit_secret_set(cli->store, cli->vault, &who, argv[2], val, len, &err);
		sodium_free(val);
		if (rc)
			return cli_fail(cli, &err);
		fprintf(stderr, "stored secret '%s' for tenant %s\n", argv[2], term_safe(cli->tenant));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "delete") == 0) {
		struct actor who;
		if (session_store(cli, &err) != 0)
			return cli_fail(cli, &err);
		actor_local(&who, ACTOR_CLI, cli->tenant_id);
		if (edit_secret_delete(cli->store, &who, argv[2], &err) != 0)
			return cli_fail(cli, &err);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		int json = argc == 3 && strcmp(argv[2], "--json") == 0;
		if (argc > 3 || (argc == 3 && !json))
			return cli_usage(cli, NULL);
		struct store_credential *v = NULL;
		struct zpub_err verr = { 0 };
		int n = 0, locked = 0;
		if (session_store(cli, &err) != 0 ||
		    store_credentials(cli->store, cli->tenant_id, &v, &n, &err) != 0)
			return cli_fail(cli, &err);
		/* The truth: a secret the vault key cannot decrypt says so. */
		int have_vault = session_vault(cli, &verr) == 0;
		cJSON *a = cJSON_CreateArray();
		for (int i = 0; i < n; i++) {
			char upd[32];
			time_iso(v[i].updated_at, upd);
			if (!have_vault || !vault_has(cli->vault, cli->tenant_id, v[i].name)) {
				free(v[i].state);
				v[i].state = xstrdup("undecryptable");
				locked++;
			}
			if (json) {
				cJSON *o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "name", v[i].name);
				cJSON_AddStringToObject(o, "state", v[i].state);
				cJSON_AddStringToObject(o, "updated_at", upd);
				cJSON_AddItemToArray(a, o);
			} else
				printf("%-28s %-13s %s\n", term_safe(v[i].name), term_safe(v[i].state), upd);
		}
		if (json)
			cli_print_json(a);
		else
			cJSON_Delete(a);
		store_credentials_free(v, n);
		if (!have_vault)
			return cli_fail(cli, &verr);
		if (locked) {
			zpub_err_set(&err, ZPUB_ECRYPTO, "%d secret%s cannot be decrypted with the vault"
			    " key %s (was it replaced?): put the right key file back from a backup, or"
			    " run 'zpub secret reset --yes' to delete %s and set %s again", locked,
			    locked == 1 ? "" : "s", cli->key_path, locked == 1 ? "it" : "them",
			    locked == 1 ? "it" : "them");
			return cli_fail(cli, &err);
		}
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "reset") == 0)
		return secret_reset(cli, argc, argv);
	return cli_usage(cli, NULL);
}
