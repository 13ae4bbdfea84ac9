/*
 * cmd_auth.c — connected accounts: `zpub auth youtube|vk|zoom [--as NAME]
 * [--no-browser] [--port N] [--timeout SECONDS]` signs in through the
 * loopback listener (the authorization URL is printed alone on its own
 * line), one more account under NAME with --as (a target's "account" picks
 * it); `zpub auth list [--json]` shows what is connected and whether it
 * needs reconnecting, `zpub auth revoke PROVIDER [--as NAME]` revokes at
 * the provider and forgets the tokens.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "accounts.h"
#include "http.h"
#include "zoom.h"
#include "oauth.h"
#include "store.h"
#include "util.h"
#include "vault.h"

/* An audit row for a sign-in change by the person running the command. */
static void
audit_auth(struct session *cli, const char *action, const char *provider, const char *name)
{
	struct actor who;
	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	audit_note(cli->store, &who, action, "%s%s%s", provider, name ? " as " : "",
	    name ? name : "");
}

/* --as NAME: a named account (NULL: the default one). */
static int
auth_opt_as(struct session *cli, const char *arg, const char **name)
{
	if (!accounts_name_ok(arg))
		return cli_usage(cli, "--as takes an account name: 1-%d letters, digits, - or _",
		    ACCOUNT_NAME_MAX);
	*name = arg;
	return 0;
}

/* --port and --timeout, the same for every provider: the loopback port
 * (0 = any free one) and how long to wait for the browser's answer. */
static int
auth_opt_num(struct session *cli, int c, const char *arg, int *port, int64_t *timeout_ms)
{
	int64_t v;
	int rc;
	if (c == 'p') {
		if ((rc = cli_int_arg(cli, "--port", arg, 0, 65535, &v)) != 0)
			return rc;
		*port = (int)v;
	} else {
		if ((rc = cli_int_arg(cli, "--timeout (seconds)", arg, 1, 3600, &v)) != 0)
			return rc;
		*timeout_ms = v * 1000;
	}
	return 0;
}

static int
auth_login(struct session *cli, const char *provider, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-browser", no_argument, NULL, 'n' },
		{ "port", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "as", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct oauth_login_opts lo = { .out = stdout, .log = stderr };
	const char *name = NULL;
	struct zpub_err err = {0};
	struct accounts acc;
	struct oauth_store os;
	struct oauth_provider p;
	struct http_client *http = NULL;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n')
			lo.no_browser = 1;
		else if (c == 'a') {
			if ((rc = auth_opt_as(cli, optarg, &name)) != 0)
				return rc;
		} else if (c == 'p' || c == 't') {
			if ((rc = auth_opt_num(cli, c, optarg, &lo.port, &lo.timeout_ms)) != 0)
				return rc;
		} else
			return cli_usage(cli, NULL);
	}
	if (session_vault(cli, &err) != 0)
		return cli_fail(cli, &err);
	acc.store = cli->store;
	acc.vault = cli->vault;
	acc.tenant_id = cli->tenant_id;
	acc.name = name;
	accounts_oauth_store(&acc, &os);
	if (accounts_provider(&acc, cli->config, provider, &p, &err) != 0)
		return cli_fail(cli, &err);
	http = http_client_new();
	if (http == NULL) {
		oauth_provider_clear(&p);
		zpub_err_set(&err, ZPUB_ENOMEM, "cannot start the HTTP client");
		return cli_fail(cli, &err);
	}
	rc = oauth_login(http, &p, &lo, &os, &err);
	if (rc == 0)
		audit_auth(cli, "auth.connect", provider, name);
	http_client_free(http);
	oauth_provider_clear(&p);
	return rc == 0 ? 0 : cli_fail(cli, &err);
}

static int
auth_list(struct session *cli, int json)
{
	struct store_credential *v = NULL;
	struct zpub_err err = {0};
	int n = 0;

	if (session_store(cli, &err) != 0 ||
	    store_credentials(cli->store, cli->tenant_id, &v, &n, &err) != 0)
		return cli_fail(cli, &err);
	cJSON *arr = json ? cJSON_CreateArray() : NULL;
	int shown = 0;
	for (int i = 0; i < n; i++) {
		if (strncmp(v[i].name, "oauth.", 6) != 0)
			continue;
		/* "oauth.youtube" or "oauth.youtube.<name>" */
		char prov[16];
		const char *dot = strchr(v[i].name + 6, '.');
		const char *name = dot ? dot + 1 : NULL;
		snprintf(prov, sizeof prov, "%.*s", dot ? (int)(dot - v[i].name - 6) : 15,
		    v[i].name + 6);
		const char *state = v[i].state && *v[i].state ? v[i].state : "ok";
		char exp[32] = "-", nm[64];
		if (v[i].expires_at > 0)
			time_iso(v[i].expires_at, exp);
		if (json) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "provider", prov);
			if (name)
				cJSON_AddStringToObject(o, "name", name);
			else
				cJSON_AddNullToObject(o, "name");
			cJSON_AddStringToObject(o, "state", state);
			if (v[i].expires_at > 0)
				cJSON_AddStringToObject(o, "access_expires_at", exp);
			cJSON_AddItemToArray(arr, o);
		} else {
			term_escape(name ? name : "", nm, sizeof nm);
			printf("%-8s %-10s access token until %s", prov, state, exp);
			if (name)
				printf("  as %s", nm);
			if (strcmp(state, "reconnect") == 0)
				printf("  (sign-in revoked or expired: run `zpub auth %s%s%s`)", prov,
				    name ? " --as " : "", name ? nm : "");
			printf("\n");
		}
		shown++;
	}
	store_credentials_free(v, n);
	if (json)
		cli_print_json(arr);
	else if (shown == 0)
		printf("no accounts connected; run `zpub auth youtube` or `zpub auth vk`\n");
	return 0;
}

static int
auth_revoke(struct session *cli, const char *provider, const char *aname)
{
	struct zpub_err err = {0}, warn = {0};
	int revoked = 0;

	if (strcmp(provider, "youtube") != 0 && strcmp(provider, "vk") != 0 &&
	    strcmp(provider, "zoom") != 0)
		return cli_usage(cli, "revoke youtube, vk or zoom");
	if (session_vault(cli, &err) != 0)
		return cli_fail(cli, &err);
	struct accounts acc = { cli->store, cli->vault, cli->tenant_id, aname };
	if (accounts_revoke(&acc, cli->config, provider, &revoked, &warn, &err) != 0) {
		if (err.code == ZPUB_ENOTFOUND) {
			printf("%s%s%s is not connected\n", term_safe(provider), aname ? " " : "",
			    aname ? aname : "");
			return 0;
		}
		return cli_fail(cli, &err);
	}
	if (warn.msg[0])
		fprintf(stderr, "zpub: warning: could not revoke the token at the provider (%s);"
		    " it is forgotten here anyway\n", term_safe(warn.msg));
	audit_auth(cli, "auth.revoke", provider, aname);
	printf("%s%s%s disconnected\n", term_safe(provider), aname ? " " : "", aname ? aname : "");
	return 0;
}

/* Zoom's sign-in (authorization code + PKCE) lives in zoom_auth.c; this
 * takes the same options as the other providers. */
static int
auth_zoom(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-browser", no_argument, NULL, 'n' },
		{ "port", required_argument, NULL, 'p' },
		{ "timeout", required_argument, NULL, 't' },
		{ "as", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct zoom_login_opts lo = { .out = stdout, .log = stderr };
	struct zoom_client *zc = NULL;
	struct zpub_err err = {0};
	const char *name = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'p' || c == 't' || c == 'a') {
			int rc = c == 'a' ? auth_opt_as(cli, optarg, &name) :
			    auth_opt_num(cli, c, optarg, &lo.port, &lo.timeout_ms);
			if (rc)
				return rc;
		} else if (c != 'n')	/* zoom_login never opens a browser itself */
			return cli_usage(cli, NULL);
	}
	if (session_vault(cli, &err) != 0)
		return cli_fail(cli, &err);
	struct accounts acc = { cli->store, cli->vault, cli->tenant_id, name };
	if (accounts_zoom_client(&acc, cli->config, &zc, &err) != 0)
		return cli_fail(cli, &err);
	int rc = zoom_login(zc, &lo, &err);
	zoom_client_free(zc);
	if (rc)
		return cli_fail(cli, &err);
	audit_auth(cli, "auth.login", "zoom", name);
	printf("zoom%s%s connected\n", name ? " " : "", name ? name : "");
	return 0;
}

int
cmd_auth(struct session *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(cli, "name a provider (youtube, vk), list or revoke");
	if (strcmp(argv[1], "list") == 0)
		return auth_list(cli, argc > 2 && strcmp(argv[2], "--json") == 0);
	if (strcmp(argv[1], "revoke") == 0) {
		const char *name = NULL;
		if (argc == 5 && strcmp(argv[3], "--as") == 0) {
			int rc = auth_opt_as(cli, argv[4], &name);
			if (rc)
				return rc;
		} else if (argc != 3)
			return cli_usage(cli, "revoke takes one provider (and --as NAME)");
		return auth_revoke(cli, argv[2], name);
	}
	if (strcmp(argv[1], "zoom") == 0)
		return auth_zoom(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "youtube") == 0 || strcmp(argv[1], "vk") == 0 ||
	    strcmp(argv[1], "google") == 0)
		return auth_login(cli, strcmp(argv[1], "google") == 0 ? "youtube" : argv[1],
		    argc - 1, argv + 1);
	return cli_usage(cli, "unknown provider '%s'; use youtube, vk or zoom", argv[1]);
}
