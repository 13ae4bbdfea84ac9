/*
 * cmd_sync.c — `zpub sync zoom [--from DATE] [--to DATE] [--dry-run]
 * [--include-deleted] [--json]`: brings the tenant's Zoom cloud recordings
 * in as recordings, or with providers.zoom.scope "account" every user's of
 * the account into the tenants their hosts route to (the work is
 * zoom_sync(); this file parses and prints).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "cmd.h"
#include "jnum.h"
#include "tenant.h"
#include "util.h"
#include "zoom_sync.h"

static int64_t
parse_day(const char *s)
{
	if (s == NULL || strlen(s) != 10)
		return -1;
	return time_parse_iso(s);
}

static void
print_rows(const cJSON *rows, const char *status)
{
	const cJSON *row;
	cJSON_ArrayForEach(row, rows) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(row, "id");
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(row, "reason");
		const cJSON *ft = cJSON_GetObjectItemCaseSensitive(row, "file_type");
		const cJSON *title = cJSON_GetObjectItemCaseSensitive(row, "title");
		const char *why = cJSON_IsString(reason) ? reason->valuestring :
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "deleted_here")) ?
		    "deleted here before, back by --include-deleted" : NULL;
		char idb[24] = "-";
		int64_t idn;
		if (jnum_get(id, 0, JNUM_MAX, &idn))
			snprintf(idb, sizeof idb, "%lld", (long long)idn);
		printf("%6s  %-11s %-3s  %s%s%s\n", idb, status,
		    term_safe(cJSON_IsString(ft) ? ft->valuestring : ""),
		    term_safe(cJSON_IsString(title) ? title->valuestring : ""),
		    why ? "  — " : "", term_safe(why));
	}
}

int
cmd_sync(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "include-deleted", no_argument, NULL, 'D' },
		{ "as", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *from_s = NULL, *to_s = NULL;
	int json = 0, c, rc;
	struct zoom_sync_opts o = { 0 };
	struct zpub_err err = {0};

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f')
			from_s = optarg;
		else if (c == 't')
			to_s = optarg;
		else if (c == 'n')
			o.dry_run = 1;
		else if (c == 'j')
			json = 1;
		else if (c == 'D')
			o.include_deleted = 1;
		else if (c == 'a') {
			if (!accounts_name_ok(optarg))
				return cli_usage(cli, "--as takes an account name: 1-%d letters, digits,"
				    " - or _", ACCOUNT_NAME_MAX);
			o.account = optarg;
		} else
			return cli_usage(cli, NULL);
	}
	if (optind != argc - 1 || strcmp(argv[optind], "zoom") != 0)
		return cli_usage(cli, "name the source: zoom");
	int64_t today = time_now_ms() / 86400000 * 86400000;
	o.to_ms = to_s ? parse_day(to_s) : today;
	o.from_ms = from_s ? parse_day(from_s) : o.to_ms - 30LL * 86400000;
	if (o.to_ms < 0 || o.from_ms < 0)
		return cli_usage(cli, "dates are YYYY-MM-DD (UTC)");
	if (o.from_ms > o.to_ms)
		return cli_usage(cli, "--from %s is after --to %s", from_s ? from_s : "(30 days ago)",
		    to_s ? to_s : "(today)");
	if (session_store(cli, &err) != 0 || session_vault(cli, &err) != 0)
		return cli_fail(cli, &err);
	o.progress.fn = cli_progress;
	o.progress.ud = cli;

	cJSON *cfg = tenant_config(cli->store, cli->config, cli->tenant_id);
	cJSON *report = NULL;
	rc = zoom_sync(cli->store, cli->vault, cli->tenant_id, cfg, &o, &report, NULL, NULL, &err);
	cli_progress_done(cli);
	cJSON_Delete(cfg);
	if (json && report) {
		cli_print_json(report);
		report = NULL;
	} else if (report) {
		const cJSON *cr = cJSON_GetObjectItemCaseSensitive(report, "created");
		const cJSON *sk = cJSON_GetObjectItemCaseSensitive(report, "skipped");
		const cJSON *ex = cJSON_GetObjectItemCaseSensitive(report, "expired");
		print_rows(cr, o.dry_run ? "new (dry)" : "INITIALIZED");
		print_rows(sk, "SKIPPED");
		print_rows(ex, "EXPIRED");
		const cJSON *row;
		cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(report, "trashed")) {
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(row, "title");
			const cJSON *e = cJSON_GetObjectItemCaseSensitive(row, "error");
			printf("%6s  %-11s      %s%s%s\n", "-", o.dry_run ? "trash (dry)" :
			    e ? "trash failed" : "to trash",
			    term_safe(cJSON_IsString(t) ? t->valuestring : ""),
			    cJSON_IsString(e) ? "  — " : "",
			    term_safe(cJSON_IsString(e) ? e->valuestring : ""));
		}
		int refreshed = cJSON_GetObjectItemCaseSensitive(report, "refreshed") ?
		    cJSON_GetObjectItemCaseSensitive(report, "refreshed")->valueint : 0;
		int forgotten = cJSON_GetObjectItemCaseSensitive(report, "forgotten")->valueint;
		char fresh[48] = "", gone[96] = "";
		if (refreshed > 0)
			snprintf(fresh, sizeof fresh, " (%d with new download links)", refreshed);
		if (forgotten > 0)
			snprintf(gone, sizeof gone, ", %d deleted here (kept out; --include-deleted"
			    " brings them back)", forgotten);
		printf("zoom %s..%s: %d new, %d skipped, %d already known%s, %d still processing in"
		    " Zoom, %d expired%s%s\n",
		    cJSON_GetObjectItemCaseSensitive(report, "from")->valuestring,
		    cJSON_GetObjectItemCaseSensitive(report, "to")->valuestring,
		    cJSON_GetArraySize(cr), cJSON_GetArraySize(sk),
		    cJSON_GetObjectItemCaseSensitive(report, "existing")->valueint, fresh,
		    cJSON_GetObjectItemCaseSensitive(report, "processing")->valueint,
		    cJSON_GetArraySize(ex), gone, o.dry_run ? " (dry run: nothing was written)" : "");
		const cJSON *ur = cJSON_GetObjectItemCaseSensitive(report, "unrouted");
		cJSON_ArrayForEach(row, ur) {
			const cJSON *h = cJSON_GetObjectItemCaseSensitive(row, "host");
			const cJSON *why = cJSON_GetObjectItemCaseSensitive(row, "reason");
			printf("%6s  %-11s      %s  — %s\n", "-", "host skipped",
			    term_safe(cJSON_IsString(h) ? h->valuestring : ""),
			    term_safe(cJSON_IsString(why) ? why->valuestring : ""));
		}
		const cJSON *users = cJSON_GetObjectItemCaseSensitive(report, "users");
		if (cJSON_IsNumber(users)) {
			int nur = cJSON_GetArraySize(ur);
			printf("zoom account: %d users, %d walked%s; %d host%s skipped (no glob of"
			    " providers.zoom.hosts matches, or its tenant does not exist)\n",
			    users->valueint,
			    cJSON_GetObjectItemCaseSensitive(report, "users_routed")->valueint,
			    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(report, "resumed")) ?
			    " (a walk cut short, resumed)" : "", nur, nur == 1 ? "" : "s");
		}
	}
	cJSON_Delete(report);
	return rc != 0 ? cli_fail(cli, &err) : 0;
}
