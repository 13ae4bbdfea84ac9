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
#include "audit.h"
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
	struct actor who;
	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	po.who = &who;
	po.action = cli->cmd_name;   /* "transcribe", "topics", ... */
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

/* Past TRANSCRIBED (or forced): runs the asked steps on the files there.
 * Frees rec. */
static int
ai_on_files(struct session *cli, struct store_recording *rec, const char *engine, int force,
    const struct ai_cmd *what)
{
	struct zpub_err err;
	int64_t id = rec->id;
	int rc;

	struct ai_steps steps = {
		what->transcribe, what->topics, what->subtitles, what->describe,
		what->transcribe ? engine : NULL, what->topics && !what->transcribe ? engine : NULL,
		!force,
	};
	char summary[512];
	rc = ai_redo(cli->store, cli->config, cli->data_dir, cli->key_path, rec, &steps,
	    (struct zpub_progress){ cli_progress, cli }, cli->cmd_name ? cli->cmd_name : "ai",
	    summary, sizeof summary, &err);
	cli_progress_done(cli);
	if (rc == 0) {
		struct actor who;
		actor_local(&who, ACTOR_CLI, cli->tenant_id);
		audit_note(cli->store, &who, cli->cmd_name ? cli->cmd_name : "ai", "recording %lld",
		    (long long)id);
	}
	if (rc == 0)
		printf("recording %lld: %s\n", (long long)id, summary[0] ? term_safe(summary) : "done");
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
