/*
 * cmd_recordings.c — looking at and managing recordings: list, show,
 * status, journal, skip, unskip, delete.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "jnum.h"
#include "pipeline.h"
#include "recjson.h"
#include "store.h"
#include "util.h"

static int
parse_common(struct session *cli, int argc, char **argv, int *json, struct store_filter *f,
    int64_t *id)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "status", required_argument, NULL, 's' },
		{ "search", required_argument, NULL, 'q' },
		{ "limit", required_argument, NULL, 'n' },
		{ "review", required_argument, NULL, 'r' },
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
		case 'r':
			if (f == NULL || strcmp(optarg, "pending") != 0)
				return cli_usage(cli, "--review takes 'pending': the recordings held"
				    " for review");
			f->review_held = 1;
			break;
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
	struct store_filter f = { 0, -1, NULL, 0, 0, 0, 0 };
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
			cJSON_AddItemToArray(a, recjson_recording(v[i]));
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

/* A string member of o, or NULL (a JSON null). */
static const char *
str_of(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

int
cmd_show(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	struct store_recording *r = NULL;
	cJSON *o = NULL, *it;
	int json = 0, rc;
	int64_t id = 0;

	if ((rc = parse_common(cli, argc, argv, &json, NULL, &id)) != 0)
		return rc;
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	if (store_recording_get_in(cli->store, cli->tenant_id, id, &r, &err) != 0) {
		rc = cli_fail(cli, &err);
		goto out;
	}
	if (recjson_show(cli->store, cli->config, r, RECJSON_PATHS, &o, &err) != 0) {
		rc = cli_fail(cli, &err);
		goto out;
	}
	if (json) {
		cli_print_json(o);
		o = NULL;
		goto out;
	}
	char dur[16];
	time_hms(r->duration_ms, dur);
	printf("#%lld  %s\n  status:   %s%s%s\n  duration: %s\n", (long long)r->id,
	    term_safe(r->title), status_name(r->status), r->detail ? " — " : "",
	    term_safe(r->detail), dur);
	const char *review = str_of(o, "review");
	if (review && strcmp(review, "not_required") != 0)
		printf("  review:   %s%s%s\n", review, str_of(o, "approved_by") ? " by " : "",
		    term_safe(str_of(o, "approved_by")));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "stages"))
		printf("  stage %-10s %-11s attempt %d%s%s\n", term_safe(str_of(it, "stage")),
		    term_safe(str_of(it, "state")), cJSON_GetObjectItem(it, "attempt")->valueint,
		    str_of(it, "error") ? "  " : "", term_safe(str_of(it, "error")));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "artifacts"))
		printf("  %-12s %10lld  %s\n", term_safe(str_of(it, "kind")),
		    (long long)cJSON_GetObjectItem(it, "bytes")->valuedouble,
		    term_safe(str_of(it, "path")));
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "publications"))
		printf("  publish %-8s %-9s %s%s\n", term_safe(str_of(it, "platform")),
		    term_safe(str_of(it, "state")), term_safe(str_of(it, "url")),
		    term_safe(str_of(it, "error")));
	rc = 0;
out:
	cJSON_Delete(o);
	store_recording_free(r);
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
	struct store_filter held = { cli->tenant_id, -1, NULL, 0, 0, 0, 1 };
	int64_t pending = 0;
	if (store_recording_count(cli->store, &held, &pending, &err) != 0) {
		cJSON_Delete(o);
		return cli_fail(cli, &err);
	}
	cJSON_AddNumberToObject(o, "review_pending", (double)pending);
	cJSON *running = cJSON_AddArrayToObject(o, "running");
	static const enum rec_status busy[] = { ST_DOWNLOADING, ST_PROCESSING, ST_PREPARING,
		ST_UPLOADING };
	for (size_t b = 0; b < sizeof busy / sizeof busy[0]; b++) {
		struct store_filter f = { cli->tenant_id, (int)busy[b], NULL, 0, 0, 0, 0 };
		struct store_recording **v = NULL;
		int n = 0;
		if (store_recording_list(cli->store, &f, &v, &n, &err) != 0) {
			cJSON_Delete(o);
			return cli_fail(cli, &err);
		}
		for (int i = 0; i < n; i++)
			cJSON_AddItemToArray(running, recjson_recording(v[i]));
		store_recording_list_free(v, n);
	}
	if (json) {
		cli_print_json(o);
		return 0;
	}
	printf("tenant %s: %lld recordings\n", term_safe(cli->tenant), (long long)total);
	if (pending)
		printf("  waiting for review: %lld ('zpub list --review pending')\n",
		    (long long)pending);
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


int
cmd_journal(struct session *cli, int argc, char **argv)
{
	struct store_filter f = { 0, -1, NULL, 50, 0, 0, 0 };
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
		if (store_recording_get_in(cli->store, cli->tenant_id, id, &r, &err) != 0)
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
skip_one(struct session *cli, int64_t id, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	int rc = store_recording_get_in(cli->store, cli->tenant_id, id, &r, err);
	if (rc == 0 && r->status == ST_SKIPPED) {
		printf("recording %lld is already skipped; 'zpub unskip %lld' brings it back\n",
		    (long long)id, (long long)id);
		store_recording_free(r);
		return 0;
	}
	if (rc == 0)
		rc = store_recording_move(cli->store, id, r->status, ST_SKIPPED, "skipped by hand", err);
	if (rc == 0) {
		struct actor who;
		actor_local(&who, ACTOR_CLI, cli->tenant_id);
		audit_note(cli->store, &who, "skip", "%s", r->title);
	}
	store_recording_free(r);
	return rc;
}

/* Un-skipping returns a recording to where its artefacts say it was. */
static int
unskip_one(struct session *cli, int64_t id, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	struct store_artifact *a = NULL;
	int n = 0, rc = store_recording_get_in(cli->store, cli->tenant_id, id, &r, err);
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
	int rc = store_recording_get_in(cli->store, cli->tenant_id, id, &r, err);
	if (rc)
		return rc;
	if (r->lease_owner && r->lease_until > time_now_ms()) {
		rc = zpub_err_set(err, ZPUB_EBUSY, "recording %lld is being worked on by %s; stop it"
		    " first ('zpub stop %lld --wait')", (long long)id, r->lease_owner, (long long)id);
		goto out;
	}
	char *dir = pipeline_media_dir(store_data_dir(cli->store), r->tenant, id);
	/* The row goes first: a crash between the two leaves a folder that the
	 * next import's sweep removes, never a recording without its files. */
	rc = store_recording_delete(cli->store, id, err);
	if (rc == 0) {
		fs_remove_tree(dir);
		struct actor who;
		actor_local(&who, ACTOR_CLI, cli->tenant_id);
		audit_note(cli->store, &who, "delete", "%s", r->title);
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
