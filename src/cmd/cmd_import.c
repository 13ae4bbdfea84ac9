/*
 * cmd_import.c — `zpub import FILE...`: local files in as recordings.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "ingest.h"
#include "store.h"
#include "template.h"
#include "util.h"

int
cmd_import(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *title = NULL;
	int json = 0, c, failed = 0;
	struct zpub_err err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:", opts, NULL)) != -1) {
		if (c == 't')
			title = optarg;
		else if (c == 'j')
			json = 1;
		else
			return cli_usage(cli, NULL);
	}
	if (optind >= argc)
		return cli_usage(cli, "name at least one file");
	if (title && argc - optind > 1)
		return cli_usage(cli, "--title applies to one file at a time");
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);

	cJSON *out = json ? cJSON_CreateArray() : NULL;
	for (int i = optind; i < argc; i++) {
		struct ingest_opts o = { cli->tenant_id, cli->tenant, title, "local",
			{ cli_progress, cli }, NULL };
		struct ingest_result res;
		int rc = ingest_file(cli->store, argv[i], &o, &res, &err);
		cli_progress_done(cli);
		if (rc) {
			cli_fail(cli, &err);
			failed++;
			if (out) {
				cJSON *e = cJSON_CreateObject();
				cJSON_AddStringToObject(e, "file", argv[i]);
				cJSON_AddStringToObject(e, "error", err.msg);
				cJSON_AddItemToArray(out, e);
			}
			continue;
		}
		if (res.existed)
			fprintf(stderr, "zpub: %s\n", term_safe(res.note));
		else if (tpl_apply(cli->store, res.id, NULL, &err) != 0)
			/* The recording is in; only the template choice failed. */
			fprintf(stderr, "zpub: recording %lld: no template applied: %s\n",
			    (long long)res.id, term_safe(err.msg));
		if (out) {
			cJSON *e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "file", argv[i]);
			cJSON_AddNumberToObject(e, "id", (double)res.id);
			cJSON_AddBoolToObject(e, "existed", res.existed);
			if (res.existed)
				cJSON_AddStringToObject(e, "note", res.note);
			cJSON_AddNumberToObject(e, "duration_ms", (double)res.duration_ms);
			cJSON_AddItemToArray(out, e);
		} else
			printf("%lld\n", (long long)res.id);
	}
	if (out)
		cli_print_json(out);
	return failed ? 1 : 0;
}
