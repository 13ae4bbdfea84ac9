/*
 * cmd_thumbnail.c — `zpub thumbnail ID`: the recording's thumbnails, the
 * chosen one marked; `--pick N` chooses the N-th, `--file IMAGE` supplies
 * a picture instead (both through edit_thumbnail_pick, as the terminal app
 * does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "edit.h"
#include "store.h"
#include "util.h"

static int
thumbnail_list(struct session *cli, int64_t id)
{
	struct store_recording *r = NULL;
	struct store_artifact *a = NULL;
	struct zpub_err err;
	char path[512];
	int n = 0, rc;

	if ((rc = store_recording_get_in(cli->store, cli->tenant_id, id, &r, &err)) == 0)
		rc = store_artifacts(cli->store, id, "thumbnail", &a, &n, &err);
	if (rc == 0 && n == 0)
		rc = zpub_err_set(&err, ZPUB_ENOTFOUND, "recording %lld has no thumbnails yet: run "
		    "it to PROCESSED first", (long long)id);
	for (int i = 0; rc == 0 && i < n; i++) {
		cJSON *x = a[i].extra ? cJSON_Parse(a[i].extra) : NULL;
		const cJSON *at = cJSON_GetObjectItemCaseSensitive(x, "at_ms");
		char t[16] = "supplied";

		if (cJSON_IsNumber(at))
			time_hms((int64_t)at->valuedouble, t);
		printf("%c %d  %-10s %s\n",
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "chosen")) ? '*' : ' ', i + 1, t,
		    term_escape(a[i].path, path, sizeof path));
		cJSON_Delete(x);
	}
	store_artifacts_free(a, n);
	store_recording_free(r);
	return rc ? cli_fail(cli, &err) : 0;
}

int
cmd_thumbnail(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	struct actor who;
	const char *file = NULL;
	int64_t id = 0, pick = 0;
	int chosen = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pick") == 0 && i + 1 < argc) {
			if (cli_int_arg(cli, "--pick", argv[++i], 1, 1000, &pick) != 0)
				return 2;
		} else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--pick") == 0 || strcmp(argv[i], "--file") == 0)
			return cli_usage(cli, "%s takes %s", argv[i],
			    argv[i][2] == 'p' ? "a thumbnail's number" : "a picture file");
		else if (id == 0 && (id = cli_parse_id(argv[i])) != 0)
			continue;
		else
			return cli_usage(cli, "unexpected '%s'", argv[i]);
	}
	if (id == 0)
		return cli_usage(cli, "name one recording id");
	if (pick != 0 && file != NULL)
		return cli_usage(cli, "choose one: --pick N or --file IMAGE");
	if (file != NULL && *file == '\0')
		return cli_usage(cli, "--file takes a picture file");
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (pick == 0 && file == NULL)
		return thumbnail_list(cli, id);
	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	if (edit_thumbnail_pick(cli->store, &who, cli->config, id, (int)pick, file, &chosen,
	    &err) != 0)
		return cli_fail(cli, &err);
	printf("recording %lld: thumbnail %d chosen%s\n", (long long)id, chosen,
	    file ? " (the picture you supplied)" : "");
	return 0;
}
