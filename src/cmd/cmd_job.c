/*
 * cmd_job.c — `zpub job add|list|show|edit|delete|run`.
 *
 * `job run NAME` runs the job now: it syncs, applies templates and drives
 * the new recordings to the job's goal (as far as the stages of this build
 * go).  `--dry-run` (or a job saved with --dry-run) only reports what would
 * happen and writes nothing: not the database, not a file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "config.h"
#include "job.h"
#include "pipeline.h"
#include "schedule.h"
#include "store.h"
#include "store_admin.h"
#include "template.h"
#include "tenant.h"
#include "util.h"

enum { O_SCHED = 1, O_SOURCE, O_PATH, O_PATTERN, O_ACTION, O_FILTERS, O_SETTLE, O_CONFIG,
	O_DRY, O_LIVE, O_ENABLE, O_DISABLE, O_JSON };

static const struct option job_opts[] = {
	{ "schedule", required_argument, NULL, O_SCHED },
	{ "source", required_argument, NULL, O_SOURCE },
	{ "path", required_argument, NULL, O_PATH },
	{ "pattern", required_argument, NULL, O_PATTERN },
	{ "action", required_argument, NULL, O_ACTION },
	{ "filters", required_argument, NULL, O_FILTERS },
	{ "settle", required_argument, NULL, O_SETTLE },
	{ "config", required_argument, NULL, O_CONFIG },
	{ "dry-run", no_argument, NULL, O_DRY },
	{ "no-dry-run", no_argument, NULL, O_LIVE },
	{ "enable", no_argument, NULL, O_ENABLE },
	{ "disable", no_argument, NULL, O_DISABLE },
	{ "json", no_argument, NULL, O_JSON },
	{ NULL, 0, NULL, 0 },
};

/* What `job add|edit` was told: the config keys given, the schedule text
 * and the switches (-1 for not given). */
struct job_flags {
	cJSON *cfg;
	const char *sched_text;
	int dry, enabled;
};

/* A --settle, --filters or --config value into f->cfg; 0, or the usage
 * exit code when the value is wrong. */
static int
job_flag_value(struct session *cli, int c, struct job_flags *f)
{
	if (c == O_SETTLE) {
		int64_t ms = sched_parse_duration_ms(optarg);
		if (ms < 0)
			return cli_usage(cli, "--settle takes a duration such as 5s");
		cJSON_DeleteItemFromObject(f->cfg, "settle_ms");
		cJSON_AddNumberToObject(f->cfg, "settle_ms", (double)ms);
		return 0;
	}
	cJSON *v = cJSON_Parse(optarg);
	if (!cJSON_IsObject(v)) {
		cJSON_Delete(v);
		return cli_usage(cli, "--%s takes a JSON object",
		    c == O_FILTERS ? "filters" : "config");
	}
	if (c == O_FILTERS) {
		cJSON_DeleteItemFromObject(f->cfg, "filters");
		cJSON_AddItemToObject(f->cfg, "filters", v);
	} else {
		config_merge(f->cfg, v);
		cJSON_Delete(v);
	}
	return 0;
}

/* Reads the options after the job's name into f; 0, or the usage exit
 * code (f->cfg is then freed). */
static int
job_flags_read(struct session *cli, int argc, char **argv, struct job_flags *f)
{
	int c, rc;

	f->cfg = cJSON_CreateObject();
	f->sched_text = NULL;
	f->dry = f->enabled = -1;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "", job_opts, NULL)) != -1) {
		const char *key = NULL;
		switch (c) {
		case O_SCHED: f->sched_text = optarg; continue;
		case O_SOURCE: key = "source"; break;
		case O_PATH: key = "path"; break;
		case O_PATTERN: key = "pattern"; break;
		case O_ACTION: key = "action"; break;
		case O_DRY: f->dry = 1; continue;
		case O_LIVE: f->dry = 0; continue;
		case O_ENABLE: f->enabled = 1; continue;
		case O_DISABLE: f->enabled = 0; continue;
		case O_SETTLE:
		case O_FILTERS:
		case O_CONFIG:
			if ((rc = job_flag_value(cli, c, f)) != 0)
				goto usage;
			continue;
		default:
			rc = cli_usage(cli, NULL);
			goto usage;
		}
		cJSON_DeleteItemFromObject(f->cfg, key);
		cJSON_AddStringToObject(f->cfg, key, optarg);
	}
	if (optind < argc - 1) {
		rc = cli_usage(cli, "unexpected '%s'", argv[optind + 1]);
		goto usage;
	}
	return 0;
usage:
	cJSON_Delete(f->cfg);
	f->cfg = NULL;
	return rc;
}

/* Fills j from the stored job (when editing) and the flags, checking the
 * merged config and the schedule; f->cfg becomes the merged config. */
static int
job_apply(struct session *cli, const char *name, int editing, struct job_flags *f,
    struct store_job *j, struct zpub_err *err)
{
	if (editing) {
		if (store_job_get(cli->store, cli->tenant_id, name, j, err) != 0)
			return -1;
		cJSON *old = cJSON_Parse(j->config ? j->config : "{}");
		if (old == NULL)
			old = cJSON_CreateObject();
		config_merge(old, f->cfg);
		cJSON_Delete(f->cfg);
		f->cfg = old;
	} else {
		j->tenant_id = cli->tenant_id;
		j->name = xstrdup(name);
		j->enabled = 1;
	}
	if (job_config_check(f->cfg, err) != 0)
		return -1;
	/* The operator's config, not the tenant's layer: a tenant cannot widen its roots. */
	if (job_watch_check(cli->store, cli->config, cli->key_path, cli->tenant_id, f->cfg,
	    err) != 0)
		return -1;
	if (f->sched_text) {
		struct sched s;
		if (sched_parse(f->sched_text, &s, err) != 0)
			return -1;
		free(j->schedule);
		j->schedule = xstrdup(f->sched_text);
		j->next_run_at = sched_next(&s, time_now_ms());
	}
	if (f->dry >= 0)
		j->dry_run = f->dry;
	if (f->enabled >= 0)
		j->enabled = f->enabled;
	free(j->config);
	char *txt = cJSON_PrintUnformatted(f->cfg);
	j->config = xstrdup(txt);
	cJSON_free(txt);
	return 0;
}

static int
job_save(struct session *cli, int argc, char **argv, int editing)
{
	struct zpub_err err;
	struct store_job j;
	struct job_flags f;
	int rc;

	memset(&j, 0, sizeof j);
	if (argc < 2)
		return cli_usage(cli, "name the job");
	const char *name = argv[1];
	if ((rc = job_flags_read(cli, argc, argv, &f)) != 0)
		return rc;
	if (session_store(cli, &err) != 0)
		goto fail;
	if (!editing && f.sched_text == NULL) {
		cJSON_Delete(f.cfg);
		return cli_usage(cli, "a new job needs --schedule");
	}
	if (job_apply(cli, name, editing, &f, &j, &err) != 0)
		goto fail;
	int64_t id;
	if (store_job_put(cli->store, &j, &id, &err) != 0)
		goto fail;
	j.id = id;
	struct actor who;
	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	audit_note(cli->store, &who, editing ? "job.edit" : "job.add", "job %lld '%s'",
	    (long long)id, j.name);
	cli_print_json(job_to_json(&j));
	store_job_clear(&j);
	cJSON_Delete(f.cfg);
	return 0;
fail:
	store_job_clear(&j);
	cJSON_Delete(f.cfg);
	return cli_fail(cli, &err);
}

static int
job_list(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	int json = argc == 2 && strcmp(argv[1], "--json") == 0;
	if (argc > 2 || (argc == 2 && !json))
		return cli_usage(cli, NULL);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	struct store_job *v = NULL;
	int n = 0;
	if (store_jobs(cli->store, cli->tenant_id, &v, &n, &err) != 0)
		return cli_fail(cli, &err);
	if (json) {
		cJSON *a = cJSON_CreateArray();
		for (int i = 0; i < n; i++)
			cJSON_AddItemToArray(a, job_to_json(&v[i]));
		cli_print_json(a);
	} else {
		if (n == 0)
			printf("no jobs in tenant '%s'\n", term_safe(cli->tenant));
		for (int i = 0; i < n; i++) {
			char next[32] = "-";
			if (v[i].next_run_at > 0)
				time_iso(v[i].next_run_at, next);
			printf("%-20s %-22s next %s%s%s  %s\n", term_safe(v[i].name),
			    term_safe(v[i].schedule), next, v[i].dry_run ? " dry-run" : "",
			    v[i].enabled ? "" : " disabled", term_safe(v[i].last_result));
		}
	}
	store_jobs_free(v, n);
	return 0;
}

static int
job_show_delete(struct session *cli, int argc, char **argv, int del)
{
	struct zpub_err err;
	struct store_job j;
	if (argc < 2 || argc > 3 || (argc == 3 && (del || strcmp(argv[2], "--json"))))
		return cli_usage(cli, NULL);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (store_job_get(cli->store, cli->tenant_id, argv[1], &j, &err) != 0)
		return cli_fail(cli, &err);
	int rc = 0;
	if (del) {
		if (store_job_delete(cli->store, cli->tenant_id, j.id, &err) != 0)
			rc = cli_fail(cli, &err);
		else {
			struct actor who;
			actor_local(&who, ACTOR_CLI, cli->tenant_id);
			audit_note(cli->store, &who, "job.delete", "job %lld '%s'", (long long)j.id,
			    j.name);
			printf("deleted job %s\n", term_safe(j.name));
		}
	} else
		cli_print_json(job_to_json(&j));
	store_job_clear(&j);
	return rc;
}

static void
print_report(const cJSON *r)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(r, "items"), *it;
	int dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "dry_run"));
	printf("job %s (%s%s, goal %s)\n", term_safe(config_str(r, "job", "?")),
	    term_safe(config_str(r, "source", "?")), dry ? ", dry run: nothing changed" : "",
	    term_safe(config_str(r, "goal", "?")));
	cJSON_ArrayForEach(it, items) {
		const char *act = config_str(it, "action", "?");
		printf("  %-8s %s", strcmp(act, "import") == 0 && dry ? "would" : term_safe(act),
		    term_safe(config_str(it, "title", "")));
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "template");
		if (cJSON_IsString(t))
			printf("  [template %s]", term_safe(t->valuestring));
		else if (t)
			printf("  [no template]");
		const cJSON *cut = cJSON_GetObjectItemCaseSensitive(it, "cut");
		if (cut && strcmp(act, "import") == 0)
			printf("  cut: %s at %g dB", config_bool(cut, "remove_silence", 1) ?
			    "remove silence" : "no silence removal", config_double(cut, "threshold_db", 0));
		const cJSON *pub = cJSON_GetObjectItemCaseSensitive(it, "publish"), *p;
		if (cJSON_GetArraySize(pub) > 0 && strcmp(act, "import") == 0) {
			printf("  publish:");
			cJSON_ArrayForEach(p, pub)
				printf(" %s", term_safe(p->valuestring));
		}
		if (cJSON_GetObjectItemCaseSensitive(it, "reason"))
			printf("  (%s)", term_safe(config_str(it, "reason", "")));
		if (cJSON_GetObjectItemCaseSensitive(it, "error"))
			printf("  (%s)", term_safe(config_str(it, "error", "")));
		printf("\n");
	}
	char *sum = job_report_summary(r);
	term_fputs(sum, stdout);
	putchar('\n');
	free(sum);
}

static int
job_run_cmd(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	struct store_job j;
	int c, dry = 0, json = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", job_opts, NULL)) != -1) {
		if (c == O_DRY)
			dry = 1;
		else if (c == O_JSON)
			json = 1;
		else
			return cli_usage(cli, NULL);
	}
	if (optind != argc - 1)
		return cli_usage(cli, "name one job");
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (store_job_get(cli->store, cli->tenant_id, argv[optind], &j, &err) != 0)
		return cli_fail(cli, &err);
	dry |= j.dry_run;
	cJSON *report = NULL;
	int64_t *ids = NULL;
	int n = 0, rc = 0;
	if (job_run(cli->store, cli->config, cli->key_path, &j, dry, &report, &ids, &n, &err) != 0) {
		rc = cli_fail(cli, &err);
		goto out;
	}
	if (!dry) {
		char *sum = job_report_summary(report);
		store_job_finish(cli->store, j.id, time_now_ms(), sum, j.next_run_at, NULL);
		free(sum);
		struct actor who;
		actor_local(&who, ACTOR_CLI, cli->tenant_id);
		audit_note(cli->store, &who, "job.run", "job %lld '%s'", (long long)j.id,
		    j.name);
		/* Drive what was imported to the job's goal, as far as the stages go. */
		cJSON *jcfg = cJSON_Parse(j.config ? j.config : "{}");
		enum rec_status goal = job_reachable(ST_DOWNLOADED, job_goal(jcfg));
		cJSON_Delete(jcfg);
		cJSON *cfg = tenant_config(cli->store, cli->config, cli->tenant_id);
		struct pipeline_opts po = { .until = goal, .owner = cli->owner,
			.lease_ms = config_int(cfg, "pipeline.lease_ms", 60000),
			.progress = { cli_progress, cli }, .key_path = cli->key_path, .who = &who };
		for (int i = 0; i < n && goal != ST_DOWNLOADED; i++) {
			struct zpub_err e2;
			if (pipeline_run(cli->store, cfg, cli->data_dir, ids[i], &po, &e2) != 0) {
				cli_progress_done(cli);
				cli_fail(cli, &e2);
				rc = 1;
			}
			cli_progress_done(cli);
		}
		cJSON_Delete(cfg);
	}
	if (json)
		cli_print_json(report);
	else {
		print_report(report);
		cJSON_Delete(report);
	}
	report = NULL;
out:
	cJSON_Delete(report);
	free(ids);
	store_job_clear(&j);
	return rc;
}

int
cmd_job(struct session *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage(cli, "name a subcommand: add, list, show, edit, delete or run");
	const char *sub = argv[1];
	argc--;
	argv++;
	if (strcmp(sub, "add") == 0)
		return job_save(cli, argc, argv, 0);
	if (strcmp(sub, "edit") == 0)
		return job_save(cli, argc, argv, 1);
	if (strcmp(sub, "list") == 0)
		return job_list(cli, argc, argv);
	if (strcmp(sub, "show") == 0)
		return job_show_delete(cli, argc, argv, 0);
	if (strcmp(sub, "delete") == 0)
		return job_show_delete(cli, argc, argv, 1);
	if (strcmp(sub, "run") == 0)
		return job_run_cmd(cli, argc, argv);
	return cli_usage(cli, "unknown subcommand '%s'", sub);
}
