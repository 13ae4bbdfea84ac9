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
#include "recact.h"
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
	int json = 0, rc;

	if ((rc = parse_common(cli, argc, argv, &json, NULL, NULL)) != 0)
		return rc;
	cJSON *o = NULL;
	if (session_store(cli, &err) != 0 ||
	    recjson_status(cli->store, cli->tenant_id, cli->tenant, &o, &err) != 0)
		return cli_fail(cli, &err);
	cJSON *running = cJSON_GetObjectItemCaseSensitive(o, "running");
	int64_t total = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "total"));
	int64_t pending = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o,
	    "review_pending"));
	if (json) {
		if (cli->operator)	/* where the data is: the operator's business */
			cJSON_AddStringToObject(o, "store", store_name(cli->store));
		cli_print_json(o);
		return 0;
	}
	printf("tenant %s: %lld recordings\n", term_safe(cli->tenant), (long long)total);
	if (pending)
		printf("  waiting for review: %lld ('zpub list --review pending')\n",
		    (long long)pending);
	cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "counts"))
		if (it->valuedouble > 0)
			printf("  %-11s %lld\n", it->string, (long long)it->valuedouble);
	cJSON_ArrayForEach(it, running) {
		const cJSON *p = cJSON_GetObjectItem(it, "progress");
		const char *owner = cJSON_GetStringValue(cJSON_GetObjectItem(p, "owner"));
		printf("  running: #%d %s %s %d%%%s%s\n", cJSON_GetObjectItem(it, "id")->valueint,
		    cJSON_GetObjectItem(it, "status")->valuestring,
		    term_safe(cJSON_GetObjectItem(it, "title")->valuestring),
		    (int)jnum_scaled(cJSON_GetObjectItem(p, "fraction"), 100.0, 0, 100, 0),
		    owner ? " by " : "", owner ? term_safe(owner) : "");
	}
	if (cli->operator)
		printf("  store: %s\n", term_safe(store_name(cli->store)));
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
		if (a)
			cJSON_AddItemToArray(a, recjson_journal_entry(&v[i]));
		else
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
	struct actor who;
	int already = 0, rc;

	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	if ((rc = recact_skip(cli->store, &who, id, &already, err)) == 0 && already)
		printf("recording %lld is already skipped; 'zpub unskip %lld' brings it back\n",
		    (long long)id, (long long)id);
	return rc;
}

static int
unskip_one(struct session *cli, int64_t id, struct zpub_err *err)
{
	struct actor who;

	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	return recact_unskip(cli->store, &who, id, err);
}

static int
delete_one(struct session *cli, int64_t id, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	struct actor who;
	int rc;

	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	if ((rc = recact_delete(cli->store, &who, id, &r, err)) != 0)
		return rc;
	printf("deleted %lld\n", (long long)id);
	if (strcmp(r->source, "zoom") == 0)
		printf("  '%s' came from Zoom: 'zpub sync zoom' will not bring it back"
		    " ('zpub sync zoom --include-deleted' does)\n", term_safe(r->title));
	store_recording_free(r);
	return 0;
}

int cmd_skip(struct session *cli, int argc, char **argv) { return for_each_id(cli, argc, argv, skip_one); }
int cmd_unskip(struct session *cli, int argc, char **argv) { return for_each_id(cli, argc, argv, unskip_one); }
int cmd_delete(struct session *cli, int argc, char **argv) { return for_each_id(cli, argc, argv, delete_one); }
