/*
 * cmd_template.c — `zpub template add|list|show|edit|delete|test`.
 *
 * A template is given field by field (--match, --processing, --metadata,
 * --targets as JSON, --priority) or whole with --file FILE.json (the shape
 * `template show --json` prints).  `test` shows which of the tenant's
 * recordings the template matches, why not when it does not, and whether it
 * would win against the others.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "config.h"
#include "edit.h"
#include "store.h"
#include "store_admin.h"
#include "template.h"
#include "util.h"

enum { O_PRIO = 1, O_MATCH, O_PROC, O_META, O_TARGETS, O_FILE, O_ENABLE, O_DISABLE, O_JSON };

static const struct option tpl_opts[] = {
	{ "priority", required_argument, NULL, O_PRIO },
	{ "match", required_argument, NULL, O_MATCH },
	{ "processing", required_argument, NULL, O_PROC },
	{ "metadata", required_argument, NULL, O_META },
	{ "targets", required_argument, NULL, O_TARGETS },
	{ "file", required_argument, NULL, O_FILE },
	{ "enable", no_argument, NULL, O_ENABLE },
	{ "disable", no_argument, NULL, O_DISABLE },
	{ "json", no_argument, NULL, O_JSON },
	{ NULL, 0, NULL, 0 },
};

/* Builds a JSON patch from the options; *json set by --json. */
static int
parse_opts(struct session *cli, int argc, char **argv, cJSON **patch, int *json)
{
	struct zpub_err err;
	int c;
	*patch = cJSON_CreateObject();
	if (json)
		*json = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", tpl_opts, NULL)) != -1) {
		const char *key = NULL;
		switch (c) {
		case O_PRIO: {
			int64_t v;
			int rc = cli_int_arg(cli, "--priority", optarg, -1000000, 1000000, &v);
			if (rc)
				return rc;
			cJSON_DeleteItemFromObject(*patch, "priority");
			cJSON_AddNumberToObject(*patch, "priority", (double)v);
			continue;
		}
		case O_MATCH: key = "matching_rules"; break;
		case O_PROC: key = "processing_config"; break;
		case O_META: key = "metadata"; break;
		case O_TARGETS: key = "output_targets"; break;
		case O_ENABLE:
		case O_DISABLE:
			cJSON_DeleteItemFromObject(*patch, "enabled");
			cJSON_AddBoolToObject(*patch, "enabled", c == O_ENABLE);
			continue;
		case O_JSON:
			if (json == NULL)
				return cli_usage(cli, NULL);
			*json = 1;
			continue;
		case O_FILE: {
			char *txt = NULL;
			size_t len;
			if (fs_read_all(optarg, &txt, &len, &err) != 0)
				return cli_fail(cli, &err);
			cJSON *whole = cJSON_Parse(txt);
			free(txt);
			if (!cJSON_IsObject(whole)) {
				cJSON_Delete(whole);
				fprintf(stderr, "zpub: %s is not a JSON object\n", optarg);
				return 1;
			}
			for (cJSON *e = whole->child; e; e = e->next) {
				cJSON_DeleteItemFromObject(*patch, e->string);
				cJSON_AddItemToObject(*patch, e->string, cJSON_Duplicate(e, 1));
			}
			cJSON_Delete(whole);
			continue;
		}
		default:
			return cli_usage(cli, NULL);
		}
		cJSON *v = cJSON_Parse(optarg);
		if (!cJSON_IsObject(v)) {
			cJSON_Delete(v);
			return cli_usage(cli, "--%s takes a JSON object, e.g. '{\"title\": \"Лекция*\"}'",
			    tpl_opts[c - 1].name);
		}
		cJSON_DeleteItemFromObject(*patch, key);
		cJSON_AddItemToObject(*patch, key, v);
	}
	return 0;
}

static void
print_template(const struct store_template *t)
{
	cJSON *j = tpl_to_json(t);
	printf("template %s (id %lld)\n  priority  %d%s\n", term_safe(t->name), (long long)t->id,
	    t->priority,
	    t->enabled ? "" : "  (disabled)");
	static const char *const parts[] = { "matching_rules", "processing_config", "metadata",
		"output_targets", NULL };
	for (int i = 0; parts[i]; i++) {
		char *s = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(j, parts[i]));
		printf("  %-18s ", parts[i]);
		term_fputs(s, stdout);
		putchar('\n');
		cJSON_free(s);
	}
	cJSON_Delete(j);
}

static int
tpl_save(struct session *cli, int argc, char **argv, int editing)
{
	struct zpub_err err;
	struct store_template t;
	struct actor who;
	cJSON *patch = NULL;
	int rc;
	memset(&t, 0, sizeof t);
	if (argc < 2)
		return cli_usage(cli, "name the template");
	const char *name = argv[1];
	if ((rc = parse_opts(cli, argc - 1, argv + 1, &patch, NULL)) != 0) {
		cJSON_Delete(patch);
		return rc;
	}
	if (optind + 1 < argc) {
		cJSON_Delete(patch);
		return cli_usage(cli, "unexpected '%s'", argv[optind + 1]);
	}
	if (!editing) {
		cJSON_DeleteItemFromObject(patch, "name");
		cJSON_AddStringToObject(patch, "name", name);
	}
	if ((rc = session_store(cli, &err)) == 0) {
		actor_local(&who, ACTOR_CLI, cli->tenant_id);
		rc = edit_template_save(cli->store, &who, 0, editing ? name : NULL, patch, &t, &err);
	}
	if (rc != 0)
		rc = cli_fail(cli, &err);
	else
		print_template(&t);
	store_template_clear(&t);
	cJSON_Delete(patch);
	return rc;
}

static int
tpl_list(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	int json = argc >= 2 && strcmp(argv[1], "--json") == 0;
	if (argc > 2 || (argc == 2 && !json))
		return cli_usage(cli, NULL);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	struct store_template *v = NULL;
	int n = 0;
	if (store_templates(cli->store, cli->tenant_id, &v, &n, &err) != 0)
		return cli_fail(cli, &err);
	if (json) {
		cJSON *a = cJSON_CreateArray();
		for (int i = 0; i < n; i++)
			cJSON_AddItemToArray(a, tpl_to_json(&v[i]));
		cli_print_json(a);
	} else {
		if (n == 0)
			printf("no templates in tenant '%s' (add one with 'zpub template add NAME"
			    " --match JSON')\n", term_safe(cli->tenant));
		for (int i = 0; i < n; i++) {
			printf("%-24s priority %-5d %s ", term_safe(v[i].name), v[i].priority,
			    v[i].enabled ? "enabled " : "disabled");
			term_fputs(v[i].matching_rules, stdout);
			putchar('\n');
		}
	}
	store_templates_free(v, n);
	return 0;
}

static int
tpl_show_delete(struct session *cli, int argc, char **argv, int del)
{
	struct zpub_err err;
	struct store_template t;
	int json = argc == 3 && !del && strcmp(argv[2], "--json") == 0;
	if (argc < 2 || argc > 3 || (argc == 3 && !json))
		return cli_usage(cli, NULL);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (store_template_get(cli->store, cli->tenant_id, argv[1], &t, &err) != 0)
		return cli_fail(cli, &err);
	int rc = 0;
	if (del) {
		struct actor who;
		actor_local(&who, ACTOR_CLI, cli->tenant_id);
		if (edit_template_delete(cli->store, &who, t.id, NULL, &err) != 0)
			rc = cli_fail(cli, &err);
		else
			printf("deleted template %s\n", term_safe(t.name));
	} else if (json)
		cli_print_json(tpl_to_json(&t));
	else
		print_template(&t);
	store_template_clear(&t);
	return rc;
}

static int
tpl_test(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	struct store_template t;
	cJSON *out = NULL;
	const cJSON *e;
	int matched = 0, n = 0;
	int json = argc == 3 && strcmp(argv[2], "--json") == 0;
	if (argc < 2 || argc > 3 || (argc == 3 && !json))
		return cli_usage(cli, NULL);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (store_template_get(cli->store, cli->tenant_id, argv[1], &t, &err) != 0)
		return cli_fail(cli, &err);
	if (tpl_test_json(cli->store, cli->tenant_id, &t, &out, &err) != 0) {
		store_template_clear(&t);
		return cli_fail(cli, &err);
	}
	cJSON_ArrayForEach(e, out) {
		long long id = (long long)config_int(e, "id", 0);
		const char *title = config_str(e, "title", "");
		const char *winner = config_str(e, "winner", NULL);
		int m = config_bool(e, "matches", 0);
		n++;
		matched += m;
		if (json)
			continue;
		if (!m)
			printf("%6lld  no     %s — %s\n", id, term_safe(title),
			    term_safe(config_str(e, "why_not", "")));
		else if (config_bool(e, "wins", 0))
			printf("%6lld  match  %s\n", id, term_safe(title));
		else
			printf("%6lld  match  %s (but template '%s' wins on priority)\n", id,
			    term_safe(title), term_safe(winner ? winner : "?"));
	}
	if (json)
		cli_print_json(out);
	else {
		cJSON_Delete(out);
		printf("template %s matches %d of %d recording%s\n", term_safe(t.name), matched, n,
		    n == 1 ? "" : "s");
	}
	store_template_clear(&t);
	return 0;
}

int
cmd_template(struct session *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(cli, "name a subcommand: add, list, show, edit, delete or test");
	const char *sub = argv[1];
	argc--;
	argv++;
	if (strcmp(sub, "add") == 0)
		return tpl_save(cli, argc, argv, 0);
	if (strcmp(sub, "edit") == 0)
		return tpl_save(cli, argc, argv, 1);
	if (strcmp(sub, "list") == 0)
		return tpl_list(cli, argc, argv);
	if (strcmp(sub, "show") == 0)
		return tpl_show_delete(cli, argc, argv, 0);
	if (strcmp(sub, "delete") == 0)
		return tpl_show_delete(cli, argc, argv, 1);
	if (strcmp(sub, "test") == 0)
		return tpl_test(cli, argc, argv);
	return cli_usage(cli, "unknown subcommand '%s'", sub);
}
