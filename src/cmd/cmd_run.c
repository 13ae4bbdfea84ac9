/*
 * cmd_run.c — `zpub run` drives recordings through the stage table;
 * `zpub retry` puts FAILED ones back in the queue.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "config.h"
#include "pipeline.h"
#include "store.h"
#include "tenant.h"
#include "xmalloc.h"

/* With many recordings in one run, an error names the one it is about. */
static void
fail_for(struct session *cli, int64_t id, const struct zpub_err *err)
{
	struct store_recording *r = NULL;
	struct zpub_err e2, gerr;
	if (store_recording_get(cli->store, id, &r, &gerr) == 0) {
		e2 = *err;
		zpub_err_prefix(&e2, "recording %lld '%s'", (long long)id, r->title);
		cli_fail(cli, &e2);
	} else {
		e2 = *err;
		zpub_err_prefix(&e2, "recording %lld", (long long)id);
		cli_fail(cli, &e2);
	}
	store_recording_free(r);
}

/* --ignore-quota is the operator's: the local user who runs zpub without
 * --tenant.  With --tenant the command acts as that tenant's editor. */
int
cli_ignore_quota_allowed(struct session *cli)
{
	if (cli->operator)
		return 1;
	fprintf(stderr, "zpub: --ignore-quota is the operator's: run the command without --tenant"
	    " (or raise the quota with 'zpub tenant quota %s')\n", cli->tenant);
	return 0;
}

static int
run_ids(struct session *cli, int64_t *ids, int n, enum rec_status until, int named,
    int ignore_quota)
{
	struct zpub_err err;
	int failed = 0;
	struct actor who;
	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	struct pipeline_opts po = { .until = until, .owner = cli->owner,
		.lease_ms = config_int(cli->config, "pipeline.lease_ms", 60000),
		.progress = { cli_progress, cli }, .key_path = cli->key_path, .who = &who,
		.ignore_quota = ignore_quota, .resume_stopped = !named };
	/* The tenant's layer sits between the user's config and the template's. */
	cJSON *cfg = tenant_config(cli->store, cli->config, cli->tenant_id);
	for (int i = 0; i < n; i++) {
		int rc = pipeline_run(cli->store, cfg ? cfg : cli->config, cli->data_dir, ids[i], &po,
		    &err);
		cli_progress_done(cli);
		if (rc == ZPUB_EREVIEW) {
			/* Held for review is where the flow stops, not a failure. */
			printf("%lld TRANSCRIBED review pending\n", (long long)ids[i]);
			fprintf(stderr, "zpub: %s\n", err.msg);
		} else if (rc) {
			if (named)
				fail_for(cli, ids[i], &err);
			else
				cli_fail(cli, &err);
			failed = 1;
		} else
			printf("%lld %s\n", (long long)ids[i], status_name(until));
	}
	cJSON_Delete(cfg);
	return failed;
}

int
cmd_run(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "until", required_argument, NULL, 'u' },
		{ "ignore-quota", no_argument, NULL, 'Q' },
		{ NULL, 0, NULL, 0 },
	};
	struct zpub_err err;
	int all = 0, ignore_quota = 0, c, rc;
	int until = ST_READY;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'a')
			all = 1;
		else if (c == 'Q') {
			if (!cli_ignore_quota_allowed(cli))
				return 2;
			ignore_quota = 1;
		} else if (c == 'u') {
			until = status_parse(optarg);
			if (until < 0 || until == ST_FAILED || until == ST_SKIPPED || until == ST_EXPIRED)
				return cli_usage(cli, "--until takes a status of the main flow, such as"
				    " PROCESSED or READY");
		} else
			return cli_usage(cli, NULL);
	}
	if (all && optind < argc)
		return cli_usage(cli, "name recording ids or --all, not both");
	if (!all && optind >= argc)
		return cli_usage(cli, "name the recordings to run by id (see 'zpub list'), or --all"
		    " for every recording that is waiting");
	int n = argc - optind;
	int64_t *ids = NULL;
	if (!all) {
		ids = xcalloc((size_t)n, sizeof *ids);
		for (int i = 0; i < n; i++)
			if ((ids[i] = cli_parse_id(argv[optind + i])) == 0) {
				free(ids);
				return cli_usage(cli, "'%s' is not a recording id", argv[optind + i]);
			}
	}
	if (session_store(cli, &err) != 0) {
		free(ids);
		return cli_fail(cli, &err);
	}
	if (all) {
		/* Everything of the tenant that is on the flow before `until`,
		 * including runs interrupted by a crash; FAILED ones wait for retry,
		 * stopped ones for a run by id. */
		struct store_filter f = { cli->tenant_id, -1, NULL, 0, 0, 0, 0 };
		struct store_recording **v = NULL;
		int nv = 0;
		if (store_recording_list(cli->store, &f, &v, &nv, &err) != 0)
			return cli_fail(cli, &err);
		ids = xcalloc((size_t)nv + 1, sizeof *ids);
		n = 0;
		for (int i = 0; i < nv; i++)
			if (v[i]->status != (enum rec_status)until && v[i]->status != ST_FAILED &&
			    v[i]->status != ST_SKIPPED && v[i]->status != ST_EXPIRED &&
			    v[i]->status != ST_READY && v[i]->stop_by == NULL)
				ids[n++] = v[i]->id;
		store_recording_list_free(v, nv);
	}
	rc = run_ids(cli, ids, n, (enum rec_status)until, all, ignore_quota);
	free(ids);
	return rc;
}

int
cmd_retry(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	int failed = 0;
	if (argc < 2)
		return cli_usage(cli, "name at least one recording id");
	for (int i = 1; i < argc; i++)
		if (cli_parse_id(argv[i]) == 0)
			return cli_usage(cli, "'%s' is not a recording id", argv[i]);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	for (int i = 1; i < argc; i++) {
		int64_t id = cli_parse_id(argv[i]);
		struct actor who;
		actor_local(&who, ACTOR_CLI, cli->tenant_id);
		if (pipeline_retry(cli->store, &who, id, &err) != 0) {
			cli_fail(cli, &err);
			failed = 1;
			continue;
		}
		struct store_recording *r = NULL;
		if (store_recording_get(cli->store, id, &r, &err) == 0)
			printf("%lld %s\n", (long long)id, status_name(r->status));
		store_recording_free(r);
	}
	return failed;
}
