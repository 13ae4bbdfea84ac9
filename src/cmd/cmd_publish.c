/*
 * cmd_publish.c — `zpub publish ID [--to youtube,vk,folder] [--dry-run]`:
 * takes a recording through the publish stage (TRANSCRIBED -> READY), or
 * shows exactly what would be sent.  A recording that FAILED while
 * publishing is queued again first; a READY one with --to gets the missing
 * targets only (rows already done are never published twice).
 * `zpub publish ID --update` sends a READY recording's targets what changed
 * since they were published (publish_update), never uploading again.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "config.h"
#include "publish.h"
#include "pipeline.h"
#include "stages.h"
#include "store.h"
#include "util.h"

/* The publish stage alone, for recordings already past TRANSCRIBED. */
static const struct stage_def publish_only[] = {
	{ "publish", ST_TRANSCRIBED, ST_UPLOADING, ST_READY, stage_publish },
	{ NULL, 0, 0, 0, NULL },
};

static void
print_publications(struct store *st, int64_t rec_id)
{
	struct store_publication *v = NULL;
	struct zpub_err err;
	int n = 0;

	if (store_publications(st, rec_id, &v, &n, &err) != 0)
		return;
	for (int i = 0; i < n; i++) {
		printf("%s\t%s\t%s", term_safe(v[i].platform), term_safe(v[i].state),
		    term_safe(v[i].url ? v[i].url : (v[i].remote_id ? v[i].remote_id : "-")));
		if (strcmp(v[i].state, "done") != 0 && v[i].error)
			printf("\t%s", term_safe(v[i].error));
		printf("\n");
	}
	store_publications_free(v, n);
}

/* Runs stage_publish directly on a READY recording (new targets only). */
static int
publish_ready(struct session *cli, const cJSON *cfg, struct store_recording *rec, int dry_run,
    struct zpub_err *err)
{
	struct stage_ctx ctx;
	cJSON *merged = pipeline_config_for(cfg, rec);
	char *media_dir = pipeline_media_dir(cli->data_dir, rec->tenant, rec->id);
	int rc;

	memset(&ctx, 0, sizeof ctx);
	ctx.store = cli->store;
	ctx.rec = rec;
	ctx.config = merged;
	ctx.data_dir = cli->data_dir;
	ctx.media_dir = media_dir;
	ctx.progress.fn = cli_progress;
	ctx.progress.ud = cli;
	ctx.dry_run = dry_run;
	ctx.key_path = cli->key_path;
	if (dry_run)
		rc = publish_dry_run(&ctx, stdout, err);
	else
		rc = stage_publish(&ctx, err);
	stage_ctx_clear(&ctx);
	free(media_dir);
	cJSON_Delete(merged);
	return rc;
}

int
cmd_publish(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "update", no_argument, NULL, 'u' },
		{ "ignore-quota", no_argument, NULL, 'Q' },
		{ NULL, 0, NULL, 0 },
	};
	struct zpub_err err = {0};
	const char *to = NULL;
	int dry_run = 0, update = 0, ignore_quota = 0, c, rc;
	struct store_recording *rec = NULL;
	cJSON *cfg = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't')
			to = optarg;
		else if (c == 'n')
			dry_run = 1;
		else if (c == 'u')
			update = 1;
		else if (c == 'Q') {
			if (!cli_ignore_quota_allowed(cli))
				return 2;
			ignore_quota = 1;
		} else
			return cli_usage(cli, NULL);
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "name one recording id");
	if (update && to != NULL)
		return cli_usage(cli, "--update goes to every target the recording is on; "
		    "leave out --to");
	int64_t id = cli_parse_id(argv[optind]);
	if (id == 0)
		return cli_usage(cli, "'%s' is not a recording id", argv[optind]);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	cfg = cJSON_Duplicate(cli->config, 1);
	if (to != NULL && config_set(cfg, "publish.to", to, &err) != 0) {
		rc = cli_fail(cli, &err);
		goto out;
	}
	if ((rc = store_recording_get(cli->store, id, &rec, &err)) != 0) {
		rc = cli_fail(cli, &err);
		goto out;
	}
	if (update) {
		struct publish_update_opts uo = { cli->data_dir, cli->key_path, dry_run, stdout,
			NULL };
		if (dry_run)
			printf("Dry run of the update of recording %lld: nothing is sent.\n",
			    (long long)id);
		if ((rc = publish_update(cli->store, cfg, id, &uo, &err)) != 0)
			rc = cli_fail(cli, &err);
		goto out;
	}
	if (dry_run || rec->status == ST_READY) {
		if (rec->status == ST_READY && to == NULL && !dry_run) {
			printf("recording %lld is already READY; its publications:\n", (long long)id);
			print_publications(cli->store, id);
			rc = 0;
			goto out;
		}
		rc = publish_ready(cli, cfg, rec, dry_run, &err);
		cli_progress_done(cli);
		if (rc != 0) {
			rc = cli_fail(cli, &err);
			goto out;
		}
		if (!dry_run)
			print_publications(cli->store, id);
		rc = 0;
		goto out;
	}
	int publish_failed = rec->status == ST_FAILED && rec->failed_stage &&
	    strcmp(rec->failed_stage, "publish") == 0;
	struct actor who;
	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	if (publish_failed) {
		if (pipeline_retry(cli->store, &who, id, &err) != 0) {
			rc = cli_fail(cli, &err);
			goto out;
		}
	}
	/* Before TRANSCRIBED the whole pipeline runs; from there, publish alone. */
	struct pipeline_opts po = { .until = ST_READY, .owner = cli->owner,
		.lease_ms = config_int(cli->config, "pipeline.lease_ms", 60000),
		.progress = { cli_progress, cli },
		.stages = (rec->status == ST_TRANSCRIBED || rec->status == ST_UPLOADING ||
		    publish_failed) ? publish_only : NULL,
		.key_path = cli->key_path, .who = &who, .action = "publish",
		.ignore_quota = ignore_quota, .resume_stopped = 1 };
	rc = pipeline_run(cli->store, cfg, cli->data_dir, id, &po, &err);
	cli_progress_done(cli);
	print_publications(cli->store, id);
	if (rc != 0) {
		rc = cli_fail(cli, &err);
		goto out;
	}
	printf("%lld READY\n", (long long)id);
out:
	store_recording_free(rec);
	cJSON_Delete(cfg);
	return rc;
}
