/*
 * cmd_admin.c — tenants and quotas, usage, audit and API users:
 * `zpub tenant add|list|show|quota|config`, `zpub usage`, `zpub audit`,
 * `zpub user add|list|token|remove`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "cmd.h"
#include "config.h"
#include "store.h"
#include "store_admin.h"
#include "tenant.h"
#include "usage.h"
#include "util.h"

/* The person running the command, making a change in tenant_id. */
static const struct actor *
actor(struct actor *a, int64_t tenant_id)
{
	actor_local(a, ACTOR_CLI, tenant_id);
	return a;
}

/* ---- tenant ---- */

static void
print_quota(const char *label, int64_t v, const char *unit)
{
	char size[32];
	if (v > 0 && unit == NULL) {
		size_human((double)v, size);
		printf("  %-22s %s\n", label, size);
	} else if (v > 0)
		printf("  %-22s %lld%s\n", label, (long long)v, unit);
	else
		printf("  %-22s unlimited\n", label);
}

/* An amount of a usage kind as people read it; --json keeps the number. */
static void
usage_amount(const char *kind, double amount, char out[48])
{
	size_t n = strlen(kind);
	if (n > 6 && strcmp(kind + n - 6, "_bytes") == 0)
		size_human(amount, out);
	else if (n > 8 && strcmp(kind + n - 8, "_minutes") == 0)
		snprintf(out, 48, "%.1f min", amount);
	else if (n > 7 && strcmp(kind + n - 7, "_tokens") == 0)
		snprintf(out, 48, "%.0f tokens", amount);
	else
		snprintf(out, 48, "%.3f", amount);
}

static int
tenant_quota(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "storage", required_argument, NULL, 's' },
		{ "minutes", required_argument, NULL, 'm' },
		{ "concurrent", required_argument, NULL, 'c' },
		{ "retention-days", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	/* Each limit: its option, its range (0 = unlimited) and its unit in the
	 * audit row; only the limits named on the command line change. */
	static const struct {
		const char *opt, *audit;
		int64_t max;
	} lim[4] = {
		{ "--storage", "storage_bytes", (int64_t)1 << 50 },
		{ "--minutes", "minutes_month", 10000000 },
		{ "--concurrent", "concurrent", 1000 },
		{ "--retention-days", "retention_days", 36500 },
	};
	struct zpub_err err;
	int64_t v[4] = { -1, -1, -1, -1 };
	int c, rc;
	if (argc < 2)
		return cli_usage(cli, "name the tenant");
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		int i = c == 's' ? 0 : c == 'm' ? 1 : c == 'c' ? 2 : c == 'r' ? 3 : -1;
		if (i < 0)
			return cli_usage(cli, NULL);
		if (strcmp(optarg, "unlimited") == 0 || strcmp(optarg, "none") == 0)
			v[i] = 0;
		else if (i == 0) {
			v[i] = tenant_parse_bytes(optarg);
			if (v[i] < 0 || v[i] > lim[i].max)
				return cli_usage(cli, "--storage takes a size from 0 to 1024T (1 PiB), such"
				    " as 500M or 10G, or 'unlimited'; '%s' is not one", optarg);
		} else if ((rc = cli_int_arg(cli, lim[i].opt, optarg, 0, lim[i].max, &v[i])) != 0)
			return rc;
	}
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	int64_t id;
	if (store_tenant_id(cli->store, argv[1], &id, &err) != 0)
		return cli_fail(cli, &err);
	if (v[0] >= 0 || v[1] >= 0 || v[2] >= 0 || v[3] >= 0) {
		if (store_tenant_set_quota(cli->store, id, v[0], v[1], v[2], v[3], &err) != 0)
			return cli_fail(cli, &err);
		struct actor a;
		char what[256] = "";
		size_t o = 0;
		for (int i = 0; i < 4; i++) {
			if (v[i] < 0)
				continue;
			char num[32];
			snprintf(num, sizeof num, "%lld", (long long)v[i]);
			o += (size_t)snprintf(what + o, sizeof what - o, " %s=%s", lim[i].audit,
			    v[i] == 0 ? "unlimited" : num);
		}
		audit_note(cli->store, actor(&a, id), "tenant.quota", "tenant '%s'%s",
		    argv[1], what);
	}
	struct store_tenant t;
	if (store_tenant_get(cli->store, id, &t, &err) != 0)
		return cli_fail(cli, &err);
	printf("tenant %s\n", term_safe(t.name));
	print_quota("storage", t.quota_storage_bytes, NULL);
	print_quota("processing per month", t.quota_minutes_month, " minutes");
	print_quota("concurrent stages", t.quota_concurrent, "");
	print_quota("retention", t.retention_days, " days after publishing");
	store_tenant_clear(&t);
	return 0;
}

static int
tenant_add(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	struct actor a;

	if (argc != 2)
		return cli_usage(cli, "name the new tenant");
	const char *name = argv[1];
	if (!fname_ok(name, FNAME_WORD))
		return cli_usage(cli, "a tenant name names its media folder: up to 64 bytes "
		    "of UTF-8 without '/', '\\', '..', control characters or a leading '.' "
		    "or '-'");
	int64_t id;
	if (store_tenant_add(cli->store, name, &id, &err) != 0)
		return cli_fail(cli, &err);
	audit_note(cli->store, actor(&a, id), "tenant.add", "tenant '%s'", name);
	printf("%lld\n", (long long)id);
	return 0;
}

static int
tenant_list(struct session *cli, int argc, int json)
{
	struct zpub_err err;
	struct store_tenant *v = NULL;
	int n = 0;

	if (argc != 1)
		return cli_usage(cli, NULL);
	if (store_tenants(cli->store, &v, &n, &err) != 0)
		return cli_fail(cli, &err);
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, tenant_to_json(cli->store, &v[i]));
	if (json)
		cli_print_json(arr);
	else {
		const cJSON *e;
		cJSON_ArrayForEach(e, arr) {
			char size[32];
			size_human((double)config_int(e, "used.storage_bytes", 0), size);
			printf("%-20s storage %s, %.1f min processed this month\n",
			    term_safe(config_str(e, "name", "")), size,
			    config_double(e, "used.minutes_this_month", 0));
		}
		cJSON_Delete(arr);
	}
	store_tenants_free(v, n);
	return 0;
}

/* tenant config NAME KEY VALUE: one key of the tenant's layer, then t is
 * read again. */
static int
tenant_config_set(struct session *cli, struct store_tenant *t, const char *key,
    const char *value, struct zpub_err *err)
{
	struct actor a;
	int rc = 0;

	cJSON *c = cJSON_Parse(t->config ? t->config : "{}");
	if (c == NULL)
		c = cJSON_CreateObject();
	if (config_layer_set(c, key, value, ZS_SCOPE_TENANT, err) == 0) {
		char *txt = cJSON_PrintUnformatted(c);
		rc = store_tenant_set_config(cli->store, t->id, txt, err);
		cJSON_free(txt);
	} else
		rc = -1;
	cJSON_Delete(c);
	if (rc)
		return rc;
	int64_t id = t->id;
	audit_note(cli->store, actor(&a, id), "tenant.config", "tenant '%s' %s", t->name, key);
	store_tenant_clear(t);
	store_tenant_get(cli->store, id, t, NULL);
	return 0;
}

/* The tenant as `tenant show` prints it for people.  Frees o. */
static void
tenant_print(const struct store_tenant *t, cJSON *o)
{
	printf("tenant %s (id %lld)\n", term_safe(t->name), (long long)t->id);
	print_quota("storage", t->quota_storage_bytes, NULL);
	print_quota("processing per month", t->quota_minutes_month, " minutes");
	print_quota("concurrent stages", t->quota_concurrent, "");
	print_quota("retention", t->retention_days, " days after publishing");
	char size[32];
	size_human((double)config_int(o, "used.storage_bytes", 0), size);
	printf("  %-22s %s\n", "storage used", size);
	printf("  %-22s %.1f minutes\n", "processed this month",
	    config_double(o, "used.minutes_this_month", 0));
	char *cs = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(o, "config"));
	printf("  %-22s ", "config");
	term_fputs(cs, stdout);
	putchar('\n');
	cJSON_free(cs);
	cJSON_Delete(o);
}

/* tenant show NAME | tenant config NAME KEY VALUE */
static int
tenant_show(struct session *cli, const char *sub, int argc, char **argv, int json)
{
	struct zpub_err err;
	struct store_tenant t;
	int64_t id;
	int setting = strcmp(sub, "config") == 0;

	if (argc < 2)
		return cli_usage(cli, "name the tenant");
	if (store_tenant_id(cli->store, argv[1], &id, &err) != 0)
		return cli_fail(cli, &err);
	if (store_tenant_get(cli->store, id, &t, &err) != 0)
		return cli_fail(cli, &err);
	if (setting) {
		if (argc != 4) {
			store_tenant_clear(&t);
			return cli_usage(cli, "tenant config NAME KEY VALUE");
		}
		if (tenant_config_set(cli, &t, argv[2], argv[3], &err) != 0) {
			store_tenant_clear(&t);
			return cli_fail(cli, &err);
		}
	} else if (argc != 2) {
		store_tenant_clear(&t);
		return cli_usage(cli, NULL);
	}
	cJSON *o = tenant_to_json(cli->store, &t);
	if (json || setting)
		cli_print_json(o);
	else
		tenant_print(&t, o);
	store_tenant_clear(&t);
	return 0;
}

static int
cmd_tenant_sub(struct session *cli, const char *sub, int argc, char **argv)
{
	struct zpub_err err;
	int json = argc >= 2 && strcmp(argv[argc - 1], "--json") == 0;
	if (json)
		argc--;
	if (strcmp(sub, "quota") == 0)
		return tenant_quota(cli, argc, argv);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (strcmp(sub, "add") == 0)
		return tenant_add(cli, argc, argv);
	if (strcmp(sub, "list") == 0)
		return tenant_list(cli, argc, json);
	if (strcmp(sub, "show") == 0 || strcmp(sub, "config") == 0)
		return tenant_show(cli, sub, argc, argv, json);
	return cli_usage(cli, "unknown subcommand '%s'", sub);
}

int
cmd_tenant(struct session *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(cli, "name a subcommand: add, list, show, quota or config");
	return cmd_tenant_sub(cli, argv[1], argc - 1, argv + 1);
}

/* ---- usage ---- */

/* What the tenants' media takes now, beside the month's metered rows. */
static void
usage_storage_lines(struct session *cli, int64_t tid)
{
	struct store_tenant *tv = NULL;
	int nt = 0;
	if (store_tenants(cli->store, &tv, &nt, NULL) != 0)
		return;
	for (int i = 0; i < nt; i++) {
		int64_t bytes = 0;
		char size[32];
		if (tid > 0 && tv[i].id != tid)
			continue;
		if (store_tenant_storage_bytes(cli->store, tv[i].id, &bytes, NULL) != 0)
			continue;
		size_human((double)bytes, size);
		printf("  %-14s storage used now %s\n", term_safe(tv[i].name), size);
	}
	store_tenants_free(tv, nt);
}

/* The month's work per face that started it: "processing minutes by
 * face: cli 1.2, daemon 3.0". */
static void
usage_face_lines(struct session *cli, int64_t tid, int64_t from, int64_t to)
{
	cJSON *faces = usage_by_face(cli->store, tid, from, to, NULL), *k, *f;
	cJSON_ArrayForEach(k, faces) {
		if (cJSON_GetArraySize(k) == 0)
			continue;
		printf("  %s by face:", k->string);
		cJSON_ArrayForEach(f, k) {
			char amount[48];
			usage_amount(k->string, f->valuedouble, amount);
			printf("%s %s %s", f == k->child ? "" : ",", f->string, amount);
		}
		printf("\n");
	}
	cJSON_Delete(faces);
}

static void
usage_storage_json(struct session *cli, int64_t tid, cJSON *o)
{
	struct store_tenant *tv = NULL;
	int nt = 0;
	if (store_tenants(cli->store, &tv, &nt, NULL) != 0)
		return;
	cJSON *s = cJSON_AddObjectToObject(o, "storage_bytes");
	for (int i = 0; i < nt; i++) {
		int64_t bytes = 0;
		if ((tid > 0 && tv[i].id != tid) ||
		    store_tenant_storage_bytes(cli->store, tv[i].id, &bytes, NULL) != 0)
			continue;
		cJSON_AddNumberToObject(s, tv[i].name, (double)bytes);
	}
	store_tenants_free(tv, nt);
}

int
cmd_usage(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tenant", required_argument, NULL, 't' },
		{ "month", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct zpub_err err;
	const char *tenant = NULL, *month = NULL;
	int json = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't')
			tenant = optarg;
		else if (c == 'm')
			month = optarg;
		else if (c == 'j')
			json = 1;
		else
			return cli_usage(cli, NULL);
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected '%s'", argv[optind]);
	int64_t from, to;
	if (month) {
		if (tenant_month_parse(month, &from, &to) != 0)
			return cli_usage(cli, "--month takes YYYY-MM");
	} else
		tenant_month_range(time_now_ms(), &from, &to);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	int64_t tid = STORE_ALL_TENANTS;   /* the operator's report: every tenant */
	if (tenant && store_tenant_id(cli->store, tenant, &tid, &err) != 0)
		return cli_fail(cli, &err);
	struct store_usage_row *v = NULL;
	int n = 0;
	if (store_usage_report(cli->store, tid, from, to, &v, &n, &err) != 0)
		return cli_fail(cli, &err);
	char m[32];
	time_iso(from, m);
	m[7] = '\0';
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "month", m);
		if (tenant)
			cJSON_AddStringToObject(o, "tenant", tenant);
		cJSON *rows = cJSON_AddArrayToObject(o, "rows");
		double total = 0;
		for (int i = 0; i < n; i++) {
			cJSON *r = cJSON_CreateObject();
			cJSON_AddStringToObject(r, "tenant", v[i].tenant);
			cJSON_AddStringToObject(r, "kind", v[i].kind);
			cJSON_AddStringToObject(r, "provider", v[i].provider);
			cJSON_AddNumberToObject(r, "amount", v[i].amount);
			cJSON_AddNumberToObject(r, "cost", v[i].cost);
			cJSON_AddNumberToObject(r, "entries", (double)v[i].count);
			cJSON_AddItemToArray(rows, r);
			total += v[i].cost;
		}
		cJSON_AddNumberToObject(o, "total_cost", total);
		cJSON *faces = usage_by_face(cli->store, tid, from, to, &err);
		if (faces == NULL) {
			cJSON_Delete(o);
			store_usage_rows_free(v, n);
			return cli_fail(cli, &err);
		}
		cJSON_AddItemToObject(o, "by_face", faces);
		usage_storage_json(cli, tid, o);
		cli_print_json(o);
	} else {
		printf("usage in %s%s%s\n", m, tenant ? " for tenant " : " (all tenants)",
		    term_safe(tenant));
		double total = 0;
		for (int i = 0; i < n; i++) {
			char amount[48];
			usage_amount(v[i].kind, v[i].amount, amount);
			printf("  %-14s %-24s %-12s %14s  cost %.4f\n", term_safe(v[i].tenant),
			    term_safe(v[i].kind), term_safe(*v[i].provider ? v[i].provider : "-"), amount, v[i].cost);
			total += v[i].cost;
		}
		if (n == 0)
			printf("  nothing recorded\n");
		printf("  total cost %.4f\n", total);
		usage_face_lines(cli, tid, from, to);
		usage_storage_lines(cli, tid);
	}
	store_usage_rows_free(v, n);
	return 0;
}

/* ---- audit ---- */

int
cmd_audit(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "all-tenants", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct zpub_err err;
	int json = 0, c, limit = 100, all = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'l') {
			int64_t v;
			int rc = cli_int_arg(cli, "--limit", optarg, 1, 1000000, &v);
			if (rc)
				return rc;
			limit = (int)v;
		}
		else if (c == 'j')
			json = 1;
		else if (c == 'a')
			all = 1;
		else
			return cli_usage(cli, NULL);
	}
	if (optind < argc)
		return cli_usage(cli, "unexpected '%s'", argv[optind]);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	struct store_audit_row *v = NULL;
	int n = 0;
	if (store_audit_list(cli->store, all ? STORE_ALL_TENANTS : cli->tenant_id, limit, &v, &n, &err) != 0)
		return cli_fail(cli, &err);
	cJSON *arr = json ? cJSON_CreateArray() : NULL;
	for (int i = 0; i < n; i++) {
		char iso[32];
		time_iso(v[i].at, iso);
		if (json) {
			cJSON *r = cJSON_CreateObject();
			cJSON_AddNumberToObject(r, "id", (double)v[i].id);
			cJSON_AddStringToObject(r, "at", iso);
			cJSON_AddStringToObject(r, "tenant", v[i].tenant ? v[i].tenant : "");
			cJSON_AddStringToObject(r, "actor", v[i].actor ? v[i].actor : "");
			cJSON_AddStringToObject(r, "action", v[i].action ? v[i].action : "");
			cJSON_AddStringToObject(r, "object", v[i].object ? v[i].object : "");
			cJSON_AddStringToObject(r, "origin", v[i].origin ? v[i].origin : "");
			cJSON_AddItemToArray(arr, r);
		} else
			printf("%s  %-16s %-18s %s  (%s, %s)\n", iso, term_safe(v[i].actor),
			    term_safe(v[i].action), term_safe(v[i].object),
			    term_safe(v[i].tenant ? v[i].tenant : "-"),
			    term_safe(v[i].origin ? v[i].origin : "-"));
	}
	if (json)
		cli_print_json(arr);
	store_audit_rows_free(v, n);
	return 0;
}

/* ---- user ---- */

int
cmd_user(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	struct actor a;
	if (argc < 2)
		return cli_usage(cli, "name a subcommand: add, list, token or remove");
	const char *sub = argv[1];
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (strcmp(sub, "add") == 0) {
		const char *role = "viewer";
		if (argc == 5 && strcmp(argv[3], "--role") == 0)
			role = argv[4];
		else if (argc != 3)
			return cli_usage(cli, "user add NAME [--role owner|editor|viewer]");
		if (strcmp(role, "owner") && strcmp(role, "editor") && strcmp(role, "viewer"))
			return cli_usage(cli, "a role is owner, editor or viewer");
		int64_t id;
		if (store_user_add(cli->store, cli->tenant_id, argv[2], role, &id, &err) != 0)
			return cli_fail(cli, &err);
		audit_note(cli->store, actor(&a, cli->tenant_id), "user.add",
		    "user '%s' (%s)", argv[2], role);
		printf("user %s (%s) added to tenant %s; make a token with 'zpub user token %s'\n",
		    term_safe(argv[2]), role, term_safe(cli->tenant), term_safe(argv[2]));
		return 0;
	}
	if (strcmp(sub, "list") == 0) {
		struct store_user *v = NULL;
		int n = 0, json = argc == 3 && strcmp(argv[2], "--json") == 0;
		if (store_users(cli->store, cli->tenant_id, &v, &n, &err) != 0)
			return cli_fail(cli, &err);
		cJSON *arr = cJSON_CreateArray();
		for (int i = 0; i < n; i++) {
			cJSON *u = cJSON_CreateObject();
			cJSON_AddStringToObject(u, "name", v[i].name);
			cJSON_AddStringToObject(u, "role", v[i].role);
			cJSON_AddStringToObject(u, "tenant", v[i].tenant);
			cJSON_AddBoolToObject(u, "has_token", v[i].has_token);
			cJSON_AddItemToArray(arr, u);
			if (!json)
				printf("%-20s %-7s %s\n", term_safe(v[i].name), term_safe(v[i].role),
				    v[i].has_token ? "token set" : "no token");
		}
		if (json)
			cli_print_json(arr);
		else
			cJSON_Delete(arr);
		store_users_free(v, n);
		return 0;
	}
	if (strcmp(sub, "token") == 0 || strcmp(sub, "remove") == 0) {
		if (argc != 3)
			return cli_usage(cli, "user %s NAME", sub);
		if (strcmp(sub, "remove") == 0) {
			if (store_user_remove(cli->store, cli->tenant_id, argv[2], &err) != 0)
				return cli_fail(cli, &err);
			audit_note(cli->store, actor(&a, cli->tenant_id), "user.remove",
			    "user '%s'", argv[2]);
			printf("removed user %s\n", term_safe(argv[2]));
			return 0;
		}
		char tok[64], hash[65];
		api_token_new(tok);
		api_token_hash(tok, hash);
		if (store_user_set_token_hash(cli->store, cli->tenant_id, argv[2], hash, &err) != 0)
			return cli_fail(cli, &err);
		audit_note(cli->store, actor(&a, cli->tenant_id), "user.token",
		    "user '%s' (new token; the old one no longer works)", argv[2]);
		/* Shown once; only its hash is kept. */
		printf("%s\n", tok);
		return 0;
	}
	return cli_usage(cli, "unknown subcommand '%s'", sub);
}
