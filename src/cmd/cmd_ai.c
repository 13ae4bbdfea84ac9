/*
 * cmd_ai.c — `zpub transcribe|topics|subtitles|describe ID`: the pieces of
 * the transcribe stage one at a time.
 *
 * A recording that has not reached TRANSCRIBED yet is simply run through the
 * pipeline up to TRANSCRIBED (so `zpub transcribe 3` on a fresh import does
 * what `zpub run 3 --until TRANSCRIBED` does).  On a recording past that
 * point the step runs again on the files it has: `zpub topics 3 --engine
 * extractive` adds a new topic version, `zpub subtitles 3` lays the
 * subtitles out again after a rules change, `zpub describe 3` renders the
 * title and description from the newest approved topics.  Status does not
 * change; new files are registered as artefacts.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ai.h"
#include "cmd.h"
#include "config.h"
#include "pipeline.h"
#include "stages.h"
#include "store.h"
#include "util.h"
#include "vault.h"

struct ai_cmd {
	int transcribe, topics, subtitles, describe;
};

static int
artifact_known(struct store *st, int64_t rec_id, const char *kind, const char *path)
{
	struct store_artifact *a = NULL;
	int n = 0, hit = 0;
	if (store_artifacts(st, rec_id, kind, &a, &n, NULL) != 0)
		return 0;
	for (int i = 0; i < n && !hit; i++)
		hit = strcmp(a[i].path, path) == 0;
	store_artifacts_free(a, n);
	return hit;
}

/* 1 (err filled) when the tenant has no secret `name` for an online
 * engine: asking for one without its key is refused before anything runs,
 * so no request ever leaves without the key the user meant to give. */
static int
engine_key_missing(struct session *cli, const char *name, struct zpub_err *err)
{
	/* No key file means no secret was ever set; none is made just to look. */
	if (access(cli->key_path, F_OK) == 0) {
		if (session_vault(cli, err) != 0)
			return 1;
		if (vault_has(cli->vault, cli->tenant_id, name))
			return 0;
	}
	zpub_err_set(err, ZPUB_EAUTH, "--engine openai-compatible needs a %s key and tenant '%s'"
	    " has none: set it with 'zpub secret set %s' (it reads the key from stdin), or use"
	    " --engine %s to work offline", name, cli->tenant, name,
	    strcmp(name, "chat") == 0 ? "extractive" : "pocketsphinx");
	return 1;
}

/* Not at TRANSCRIBED yet: the pipeline takes the recording there, with
 * leases and retries.  Frees rec. */
static int
ai_via_pipeline(struct session *cli, struct store_recording *rec, const char *engine,
    const struct ai_cmd *what)
{
	struct zpub_err err;
	int64_t id = rec->id;
	cJSON *cfg = NULL;
	int rc;

	if (engine) {
		cfg = cJSON_Duplicate(cli->config, 1);
		config_set(cfg, what->transcribe ? "processing.transcription.engine" :
		    "processing.topics.engine", engine, NULL);
	}
	struct pipeline_opts po;
	memset(&po, 0, sizeof po);
	po.until = ST_TRANSCRIBED;
	po.owner = cli->owner;
	po.lease_ms = config_int(cli->config, "pipeline.lease_ms", 60000);
	po.progress.fn = cli_progress;
	po.progress.ud = cli;
	po.key_path = cli->key_path;
	po.resume_stopped = 1;
	rc = pipeline_run(cli->store, cfg ? cfg : cli->config, cli->data_dir, id, &po, &err);
	cli_progress_done(cli);
	cJSON_Delete(cfg);
	store_recording_free(rec);
	if (rc != 0)
		return cli_fail(cli, &err);
	printf("%lld TRANSCRIBED\n", (long long)id);
	return 0;
}

/* Registers the files a step made (those not known yet) and journals its
 * summary, in one transaction. */
static int
ai_record_artifacts(struct session *cli, int64_t id, const struct stage_ctx *ctx,
    struct zpub_err *err)
{
	int rc;

	if ((rc = store_begin(cli->store, err)) != 0)
		return rc;
	for (int i = 0; i < ctx->n_artifacts && rc == 0; i++)
		if (!artifact_known(cli->store, id, ctx->artifacts[i].kind, ctx->artifacts[i].path))
			rc = store_artifact_add(cli->store, id, &ctx->artifacts[i], err);
	if (rc == 0) {
		store_journal(cli->store, id, "info", cli->cmd_name ? cli->cmd_name : "ai", "%s",
		    ctx->summary);
		rc = store_commit(cli->store, err);
	} else {
		store_rollback(cli->store);
	}
	return rc;
}

/* Past TRANSCRIBED (or forced): runs the asked steps on the files there.
 * Frees rec. */
static int
ai_on_files(struct session *cli, struct store_recording *rec, const char *engine, int force,
    const struct ai_cmd *what)
{
	struct zpub_err err;
	int64_t id = rec->id;
	int rc;

	cJSON *cfg = pipeline_config_for(cli->config, rec);
	char *media_dir = pipeline_media_dir(cli->data_dir, rec->tenant, rec->id);
	struct stage_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.store = cli->store;
	ctx.rec = rec;
	ctx.config = cfg;
	ctx.data_dir = cli->data_dir;
	ctx.media_dir = media_dir;
	ctx.progress.fn = cli_progress;
	ctx.progress.ud = cli;
	ctx.key_path = cli->key_path;
	struct ai_steps steps = {
		what->transcribe, what->topics, what->subtitles, what->describe,
		what->transcribe ? engine : NULL, what->topics && !what->transcribe ? engine : NULL,
		!force,
	};
	if ((rc = fs_mkdir_p(media_dir, 0700, &err)) == 0)
		rc = ai_run_steps(&ctx, &steps, &err);
	cli_progress_done(cli);
	if (rc == 0)
		rc = ai_record_artifacts(cli, id, &ctx, &err);
	if (rc == 0)
		printf("recording %lld: %s\n", (long long)id, ctx.summary[0] ? term_safe(ctx.summary) : "done");
	for (int i = 0; i < ctx.n_artifacts; i++) {
		free(ctx.artifacts[i].kind);
		free(ctx.artifacts[i].path);
		cJSON_Delete(ctx.artifacts[i].extra);
	}
	free(ctx.artifacts);
	vault_close(ctx.vault);
	free(media_dir);
	cJSON_Delete(cfg);
	store_recording_free(rec);
	return rc == 0 ? 0 : cli_fail(cli, &err);
}

static int
ai_command(struct session *cli, int argc, char **argv, const struct ai_cmd *what)
{
	static const struct option opts[] = {
		{ "engine", required_argument, NULL, 'e' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct zpub_err err;
	struct store_recording *rec = NULL;
	const char *engine = NULL;
	int force = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'e')
			engine = optarg;
		else if (c == 'f')
			force = 1;
		else
			return cli_usage(cli, NULL);
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "name one recording id");
	int64_t id = cli_parse_id(argv[optind]);
	if (id <= 0)
		return cli_usage(cli, "'%s' is not a recording id", argv[optind]);
	if (engine && what->transcribe && strcmp(engine, "pocketsphinx") != 0 &&
	    strcmp(engine, "openai-compatible") != 0 && strcmp(engine, "auto") != 0)
		return cli_usage(cli, "--engine takes pocketsphinx, openai-compatible or auto");
	if (engine && what->topics && !what->transcribe && strcmp(engine, "extractive") != 0 &&
	    strcmp(engine, "openai-compatible") != 0 && strcmp(engine, "auto") != 0)
		return cli_usage(cli, "--engine takes extractive, openai-compatible or auto");
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (engine && strcmp(engine, "openai-compatible") == 0 &&
	    engine_key_missing(cli, what->transcribe ? "transcription" : "chat", &err))
		return cli_fail(cli, &err);
	if (store_recording_get(cli->store, id, &rec, &err) != 0)
		return cli_fail(cli, &err);

	if ((rec->status == ST_FAILED || rec->status == ST_SKIPPED || rec->status == ST_EXPIRED) &&
	    what->transcribe && !force) {
		zpub_err_set(&err, ZPUB_ESTATE, "recording %lld is %s; `zpub retry %lld` (or `zpub "
		    "unskip`) puts it back in the flow, --force transcribes it as it is",
		    (long long)id, status_name(rec->status), (long long)id);
		store_recording_free(rec);
		return cli_fail(cli, &err);
	}
	if (rec->status < ST_TRANSCRIBED && !(what->transcribe && force))
		return ai_via_pipeline(cli, rec, engine, what);
	return ai_on_files(cli, rec, engine, force, what);
}

int cmd_transcribe(struct session *cli, int argc, char **argv);
int cmd_topics(struct session *cli, int argc, char **argv);
int cmd_subtitles(struct session *cli, int argc, char **argv);
int cmd_describe(struct session *cli, int argc, char **argv);

int
cmd_transcribe(struct session *cli, int argc, char **argv)
{
	/* a new transcript invalidates everything made from it */
	static const struct ai_cmd w = { 1, 1, 1, 1 };
	return ai_command(cli, argc, argv, &w);
}

int
cmd_topics(struct session *cli, int argc, char **argv)
{
	static const struct ai_cmd w = { 0, 1, 0, 1 };
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--show") == 0 || strncmp(argv[i], "--set", 5) == 0)
			return cli_topics_edit(cli, argc, argv);
	return ai_command(cli, argc, argv, &w);
}

int
cmd_subtitles(struct session *cli, int argc, char **argv)
{
	static const struct ai_cmd w = { 0, 0, 1, 0 };
	return ai_command(cli, argc, argv, &w);
}

int
cmd_describe(struct session *cli, int argc, char **argv)
{
	static const struct ai_cmd w = { 0, 0, 0, 1 };
	return ai_command(cli, argc, argv, &w);
}
