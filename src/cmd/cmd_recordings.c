/*
 * cmd_recordings.c — looking at and managing recordings: list, show,
 * status, journal, skip, unskip, delete.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "jnum.h"
#include "pipeline.h"
#include "store.h"
#include "util.h"

static void
add_time(cJSON *o, const char *key, int64_t ms)
{
	if (ms <= 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char buf[32];
	time_iso(ms, buf);
	cJSON_AddStringToObject(o, key, buf);
}

static void
add_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *
recording_json(const struct store_recording *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)r->id);
	cJSON_AddStringToObject(o, "tenant", r->tenant);
	cJSON_AddStringToObject(o, "status", status_name(r->status));
	cJSON_AddStringToObject(o, "title", r->title);
	cJSON_AddStringToObject(o, "source", r->source);
	cJSON_AddNumberToObject(o, "duration_ms", (double)r->duration_ms);
	add_time(o, "started_at", r->started_at);
	add_str(o, "error", r->status == ST_FAILED ? r->detail : NULL);
	add_str(o, "detail", r->detail);
	add_str(o, "failed_stage", r->failed_stage);
	cJSON_AddNumberToObject(o, "attempts", r->attempts);
	if (r->template_id > 0)
		cJSON_AddNumberToObject(o, "template_id", (double)r->template_id);
	else
		cJSON_AddNullToObject(o, "template_id");
	add_time(o, "next_retry_at", r->next_retry_at);
	if (r->progress >= 0) {
		cJSON *p = cJSON_AddObjectToObject(o, "progress");
		cJSON_AddNumberToObject(p, "fraction", r->progress);
		add_str(p, "what", r->progress_what);
		cJSON_AddNumberToObject(p, "eta_ms", (double)r->progress_eta_ms);
		add_str(p, "owner", r->lease_owner);
	} else
		cJSON_AddNullToObject(o, "progress");
	add_time(o, "created_at", r->created_at);
	add_time(o, "updated_at", r->updated_at);
	return o;
}

static int
parse_common(struct session *cli, int argc, char **argv, int *json, struct store_filter *f,
    int64_t *id)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "status", required_argument, NULL, 's' },
		{ "search", required_argument, NULL, 'q' },
		{ "limit", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'j': *json = 1; break;
		case 's':
			if (f == NULL || (f->status = status_parse(optarg)) < 0)
				return cli_usage(cli, "unknown status '%s'", optarg);
			break;
		case 'q': if (f == NULL) return cli_usage(cli, NULL); f->search = optarg; break;
		case 'n': {
			int64_t v;
			int rc;
			if (f == NULL)
				return cli_usage(cli, NULL);
			if ((rc = cli_int_arg(cli, "--limit", optarg, 1, 1000000, &v)) != 0)
				return rc;
			f->limit = (int)v;
			break;
		}
		default: return cli_usage(cli, NULL);
		}
	}
	if (id) {
		if (optind != argc - 1 || (*id = cli_parse_id(argv[optind])) == 0)
			return cli_usage(cli, "name one recording id");
	} else if (optind != argc)
		return cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	return 0;
}

int
cmd_list(struct session *cli, int argc, char **argv)
{
	struct store_filter f = { 0, -1, NULL, 0, 0, 0 };
	struct zpub_err err;
	struct store_recording **v = NULL;
	int json = 0, n = 0, rc;

	if ((rc = parse_common(cli, argc, argv, &json, &f, NULL)) != 0)
		return rc;
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	f.tenant_id = cli->tenant_id;
	if (store_recording_list(cli->store, &f, &v, &n, &err) != 0)
		return cli_fail(cli, &err);
	if (json) {
		cJSON *a = cJSON_CreateArray();
		for (int i = 0; i < n; i++)
			cJSON_AddItemToArray(a, recording_json(v[i]));
		cli_print_json(a);
	} else {
		for (int i = 0; i < n; i++) {
			char dur[16], when[32] = "-";
			time_hms(v[i]->duration_ms, dur);
			if (v[i]->started_at > 0) {
				time_iso(v[i]->started_at, when);
				when[10] = '\0';
			}
			printf("%6lld  %-11s  %s  %s  %s\n", (long long)v[i]->id,
			    status_name(v[i]->status), when, dur, term_safe(v[i]->title));
		}
	}
	store_recording_list_free(v, n);
	return 0;
}

static cJSON *
extra_merged(cJSON *o, const char *extra)
{
	cJSON *x = extra ? cJSON_Parse(extra) : NULL;
	if (cJSON_IsObject(x))
		for (cJSON *c = x->child; c; c = c->next)
			if (!cJSON_HasObjectItem(o, c->string))
				cJSON_AddItemToObject(o, c->string, cJSON_Duplicate(c, 1));
	cJSON_Delete(x);
	return o;
}

int
cmd_show(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	struct store_recording *r = NULL;
	struct store_stage_run *runs = NULL;
	struct store_artifact *arts = NULL;
	struct store_publication *pubs = NULL;
	struct store_topic_version *tv = NULL;
	int json = 0, nruns = 0, narts = 0, npubs = 0, ntv = 0, rc;
	int64_t id = 0;

	if ((rc = parse_common(cli, argc, argv, &json, NULL, &id)) != 0)
		return rc;
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (store_recording_get(cli->store, id, &r, &err) != 0 ||
	    store_stage_runs(cli->store, id, &runs, &nruns, &err) != 0 ||
	    store_artifacts(cli->store, id, NULL, &arts, &narts, &err) != 0 ||
	    store_publications(cli->store, id, &pubs, &npubs, &err) != 0 ||
	    store_topic_versions(cli->store, id, &tv, &ntv, &err) != 0) {
		rc = cli_fail(cli, &err);
		goto out;
	}
	if (r->tenant_id != cli->tenant_id) {
		zpub_err_set(&err, ZPUB_ENOTFOUND, "no recording with id %lld in tenant '%s'",
		    (long long)id, cli->tenant);
		rc = cli_fail(cli, &err);
		goto out;
	}
	cJSON *o = recording_json(r);
	cJSON *a = cJSON_AddArrayToObject(o, "stages");
	for (int i = 0; i < nruns; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "stage", runs[i].stage);
		cJSON_AddStringToObject(s, "state", runs[i].state);
		cJSON_AddNumberToObject(s, "attempt", runs[i].attempt);
		add_time(s, "started_at", runs[i].started_at);
		add_time(s, "finished_at", runs[i].finished_at);
		if (runs[i].finished_at > 0)
			cJSON_AddNumberToObject(s, "elapsed_ms",
			    (double)(runs[i].finished_at - runs[i].started_at));
		add_str(s, "error", runs[i].error);
		add_str(s, "summary", runs[i].summary);
		cJSON_AddItemToArray(a, s);
	}
	a = cJSON_AddArrayToObject(o, "artifacts");
	for (int i = 0; i < narts; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "kind", arts[i].kind);
		cJSON_AddStringToObject(s, "path", arts[i].path);
		cJSON_AddNumberToObject(s, "bytes", (double)arts[i].bytes);
		add_str(s, "sha256", arts[i].sha256);
		cJSON_AddItemToArray(a, extra_merged(s, arts[i].extra));
	}
	a = cJSON_AddArrayToObject(o, "topic_versions");
	for (int i = 0; i < ntv; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddNumberToObject(s, "version", tv[i].version);
		cJSON_AddStringToObject(s, "source", tv[i].source);
		add_str(s, "approved_by", tv[i].approved_by);
		add_time(s, "created_at", tv[i].created_at);
		cJSON_AddItemToArray(a, s);
	}
	a = cJSON_AddArrayToObject(o, "publications");
	for (int i = 0; i < npubs; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "platform", pubs[i].platform);
		cJSON_AddStringToObject(s, "target", pubs[i].target);
		cJSON_AddStringToObject(s, "state", pubs[i].state);
		add_str(s, "remote_id", pubs[i].remote_id);
		add_str(s, "url", pubs[i].url);
		cJSON_AddNumberToObject(s, "bytes_sent", (double)pubs[i].bytes_acked);
		add_str(s, "error", pubs[i].error);
		cJSON_AddItemToArray(a, s);
	}
	if (json) {
		cli_print_json(o);
	} else {
		char dur[16];
		time_hms(r->duration_ms, dur);
		printf("#%lld  %s\n  status:   %s%s%s\n  duration: %s\n", (long long)r->id,
		    term_safe(r->title), status_name(r->status), r->detail ? " — " : "",
		    term_safe(r->detail), dur);
		for (int i = 0; i < nruns; i++)
			printf("  stage %-10s %-11s attempt %d%s%s\n", term_safe(runs[i].stage),
			    term_safe(runs[i].state), runs[i].attempt, runs[i].error ? "  " : "",
			    term_safe(runs[i].error));
		for (int i = 0; i < narts; i++)
			printf("  %-12s %10lld  %s\n", term_safe(arts[i].kind), (long long)arts[i].bytes,
			    term_safe(arts[i].path));
		for (int i = 0; i < npubs; i++)
			printf("  publish %-8s %-9s %s%s\n", term_safe(pubs[i].platform),
			    term_safe(pubs[i].state), term_safe(pubs[i].url), term_safe(pubs[i].error));
		cJSON_Delete(o);
	}
	rc = 0;
out:
	store_recording_free(r);
	store_stage_runs_free(runs, nruns);
	store_artifacts_free(arts, narts);
	store_publications_free(pubs, npubs);
	store_topic_versions_free(tv, ntv);
	return rc;
}

int
cmd_status(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	int64_t counts[ST__COUNT];
	int json = 0, rc;

	if ((rc = parse_common(cli, argc, argv, &json, NULL, NULL)) != 0)
		return rc;
	if (session_store(cli, &err) != 0 ||
	    store_recording_status_counts(cli->store, cli->tenant_id, counts, &err) != 0)
		return cli_fail(cli, &err);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "tenant", cli->tenant);
	cJSON *c = cJSON_AddObjectToObject(o, "counts");
	int64_t total = 0;
	for (int i = 0; i < ST__COUNT; i++) {
		cJSON_AddNumberToObject(c, status_name((enum rec_status)i), (double)counts[i]);
		total += counts[i];
	}
	cJSON_AddNumberToObject(o, "total", (double)total);
	cJSON *running = cJSON_AddArrayToObject(o, "running");
	static const enum rec_status busy[] = { ST_DOWNLOADING, ST_PROCESSING, ST_PREPARING,
		ST_UPLOADING };
	for (size_t b = 0; b < sizeof busy / sizeof busy[0]; b++) {
		struct store_filter f = { cli->tenant_id, (int)busy[b], NULL, 0, 0, 0 };
		struct store_recording **v = NULL;
		int n = 0;
		if (store_recording_list(cli->store, &f, &v, &n, &err) != 0) {
			cJSON_Delete(o);
			return cli_fail(cli, &err);
		}
		for (int i = 0; i < n; i++)
			cJSON_AddItemToArray(running, recording_json(v[i]));
		store_recording_list_free(v, n);
	}
	if (json) {
		cli_print_json(o);
		return 0;
	}
	printf("tenant %s: %lld recordings\n", term_safe(cli->tenant), (long long)total);
	for (int i = 0; i < ST__COUNT; i++)
		if (counts[i])
			printf("  %-11s %lld\n", status_name((enum rec_status)i), (long long)counts[i]);
	cJSON *it;
	cJSON_ArrayForEach(it, running) {
		const cJSON *p = cJSON_GetObjectItem(it, "progress");
		printf("  running: #%d %s %s %d%%\n", cJSON_GetObjectItem(it, "id")->valueint,
		    cJSON_GetObjectItem(it, "status")->valuestring,
		    term_safe(cJSON_GetObjectItem(it, "title")->valuestring),
		    (int)jnum_scaled(cJSON_GetObjectItem(p, "fraction"), 100.0, 0, 100, 0));
	}
	cJSON_Delete(o);
	return 0;
}

static int own(struct session *cli, int64_t id, struct store_recording **r, struct zpub_err *err);

int
cmd_journal(struct session *cli, int argc, char **argv)
{
	struct store_filter f = { 0, -1, NULL, 50, 0, 0 };
	struct zpub_err err;
	struct store_journal_entry *v = NULL;
	int json = 0, n = 0, rc;
	int64_t id = 0;

	/* An optional id, then the common flags. */
	if (argc >= 2 && argv[1][0] != '-') {
		if ((id = cli_parse_id(argv[1])) == 0)
			return cli_usage(cli, "'%s' is not a recording id", argv[1]);
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	if ((rc = parse_common(cli, argc, argv, &json, &f, NULL)) != 0)
		return rc;
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (id > 0) {
		/* An empty journal would read as "nothing happened"; say it is no recording. */
		struct store_recording *r = NULL;
		if (own(cli, id, &r, &err) != 0)
			return cli_fail(cli, &err);
		store_recording_free(r);
	}
	if (store_journal_list(cli->store, id, f.limit, &v, &n, &err) != 0)
		return cli_fail(cli, &err);
	cJSON *a = json ? cJSON_CreateArray() : NULL;
	for (int i = n - 1; i >= 0; i--) {
		char when[32];
		time_iso(v[i].at, when);
		if (a) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "at", when);
			if (v[i].recording_id > 0)
				cJSON_AddNumberToObject(o, "recording_id", (double)v[i].recording_id);
			cJSON_AddStringToObject(o, "level", v[i].level);
			cJSON_AddStringToObject(o, "event", v[i].event);
			cJSON_AddStringToObject(o, "message", v[i].message);
			cJSON_AddItemToArray(a, o);
		} else
			printf("%s  #%-5lld %-5s %-8s %s\n", when, (long long)v[i].recording_id,
			    term_safe(v[i].level), term_safe(v[i].event), term_safe(v[i].message));
	}
	if (a)
		cli_print_json(a);
	store_journal_free(v, n);
	return 0;
}

/* Applies fn to each id argument; the exit code says whether all worked. */
static int
for_each_id(struct session *cli, int argc, char **argv,
    int (*fn)(struct session *, int64_t, struct zpub_err *))
{
	struct zpub_err err;
	int failed = 0;
	if (argc < 2)
		return cli_usage(cli, "name at least one recording id");
	for (int i = 1; i < argc; i++)
		if (argv[i][0] != '-' && cli_parse_id(argv[i]) == 0)
			return cli_usage(cli, "'%s' is not a recording id", argv[i]);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if (fn(cli, cli_parse_id(argv[i]), &err) != 0) {
			cli_fail(cli, &err);
			failed = 1;
		}
	}
	return failed;
}

static int
own(struct session *cli, int64_t id, struct store_recording **r, struct zpub_err *err)
{
	int rc = store_recording_get(cli->store, id, r, err);
	if (rc == 0 && (*r)->tenant_id != cli->tenant_id) {
		store_recording_free(*r);
		*r = NULL;
		return zpub_err_set(err, ZPUB_ENOTFOUND, "no recording with id %lld in tenant '%s'",
		    (long long)id, cli->tenant);
	}
	return rc;
}

static int
skip_one(struct session *cli, int64_t id, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	int rc = own(cli, id, &r, err);
	if (rc == 0 && r->status == ST_SKIPPED) {
		printf("recording %lld is already skipped; 'zpub unskip %lld' brings it back\n",
		    (long long)id, (long long)id);
		store_recording_free(r);
		return 0;
	}
	if (rc == 0)
		rc = store_recording_move(cli->store, id, r->status, ST_SKIPPED, "skipped by hand", err);
	if (rc == 0)
		store_audit(cli->store, cli->tenant_id, cli->owner, "skip", r->title, "cli");
	store_recording_free(r);
	return rc;
}

/* Un-skipping returns a recording to where its artefacts say it was. */
static int
unskip_one(struct session *cli, int64_t id, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	struct store_artifact *a = NULL;
	int n = 0, rc = own(cli, id, &r, err);
	if (rc)
		return rc;
	if (r->status != ST_SKIPPED) {
		rc = zpub_err_set(err, ZPUB_ESTATE, "recording %lld is %s, not SKIPPED", (long long)id,
		    status_name(r->status));
		goto out;
	}
	enum rec_status to = ST_INITIALIZED;
	if ((rc = store_artifacts(cli->store, id, NULL, &a, &n, err)) != 0)
		goto out;
	for (int i = 0; i < n; i++) {
		if (strcmp(a[i].kind, "source") == 0 && to < ST_DOWNLOADED)
			to = ST_DOWNLOADED;
		else if (strcmp(a[i].kind, "cut_video") == 0 && to < ST_PROCESSED)
			to = ST_PROCESSED;
		else if (strcmp(a[i].kind, "description") == 0)
			to = ST_TRANSCRIBED;
	}
	rc = store_recording_move(cli->store, id, ST_SKIPPED, to, "un-skipped", err);
out:
	store_artifacts_free(a, n);
	store_recording_free(r);
	return rc;
}

static int
delete_one(struct session *cli, int64_t id, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	int rc = own(cli, id, &r, err);
	if (rc)
		return rc;
	if (r->lease_owner && r->lease_until > time_now_ms()) {
		rc = zpub_err_set(err, ZPUB_EBUSY, "recording %lld is being worked on by %s; stop that"
		    " first", (long long)id, r->lease_owner);
		goto out;
	}
	char *dir = pipeline_media_dir(store_data_dir(cli->store), r->tenant, id);
	/* The row goes first: a crash between the two leaves a folder that the
	 * next import's sweep removes, never a recording without its files. */
	rc = store_recording_delete(cli->store, id, err);
	if (rc == 0) {
		fs_remove_tree(dir);
		store_audit(cli->store, cli->tenant_id, cli->owner, "delete", r->title, "cli");
		printf("deleted %lld\n", (long long)id);
		if (strcmp(r->source, "zoom") == 0)
			printf("  '%s' came from Zoom: 'zpub sync zoom' will not bring it back"
			    " ('zpub sync zoom --include-deleted' does)\n", term_safe(r->title));
	}
	free(dir);
out:
	store_recording_free(r);
	return rc;
}

int cmd_skip(struct session *cli, int argc, char **argv) { return for_each_id(cli, argc, argv, skip_one); }
int cmd_unskip(struct session *cli, int argc, char **argv) { return for_each_id(cli, argc, argv, unskip_one); }
int cmd_delete(struct session *cli, int argc, char **argv) { return for_each_id(cli, argc, argv, delete_one); }
