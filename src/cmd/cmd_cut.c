/*
 * cmd_cut.c — `zpub cut ID --keep A-B --remove A-B [--clear]`: an editor's
 * overrides of the silence analysis (times on the source; the next run
 * cuts again), and `zpub cut ID --show`: the plan as the next run would
 * cut it, every stretch of the source with its reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd.h"
#include "edit.h"
#include "pipeline.h"
#include "recut.h"
#include "store.h"
#include "tenant.h"
#include "util.h"

static int
cut_show(struct session *cli, int64_t id)
{
	struct store_recording *r = NULL;
	struct recut_plan p;
	struct zpub_progress prog = { cli_progress, cli };
	struct zpub_err err;
	cJSON *tcfg = NULL, *cfg = NULL;
	char a[24], b[24], title[160];
	int rc;

	memset(&p, 0, sizeof p);
	if ((rc = store_recording_get_in(cli->store, cli->tenant_id, id, &r, &err)) == 0) {
		tcfg = tenant_config(cli->store, cli->config, cli->tenant_id);
		cfg = pipeline_config_for(tcfg ? tcfg : cli->config, r);
		rc = recut_plan(cli->store, r, cfg, &prog, &p, &err);
		cli_progress_done(cli);
	}
	if (rc != 0)
		goto out;
	recut_clock(p.tm.src_duration_ms, a);
	recut_clock(p.tm.out_duration_ms, b);
	printf("recording %lld '%s': source %s, cut %s\n", (long long)id,
	    term_escape(r->title ? r->title : "", title, sizeof title), a, b);
	for (size_t i = 0; i < p.n; i++) {
		const struct media_stretch *s = &p.v[i];

		recut_clock(s->start_ms, a);
		recut_clock(s->end_ms, b);
		printf("  %-12s - %-12s  %-4s  %s%s\n", a, b, s->kept ? "kept" : "cut",
		    media_why_name(s->why), s->why == MEDIA_WHY_KEEP || s->why == MEDIA_WHY_REMOVE ?
		    "  (override)" : "");
	}
	if (p.n_ov == 0)
		printf("no overrides: the silence analysis decides\n");
	for (size_t i = 0; i < p.n_ov; i++) {
		recut_clock(p.ov[i].start_ms, a);
		recut_clock(p.ov[i].end_ms, b);
		printf("override: %s %s-%s\n", p.ov[i].keep ? "keep" : "remove", a, b);
	}
out:
	recut_plan_clear(&p);
	cJSON_Delete(cfg);
	cJSON_Delete(tcfg);
	store_recording_free(r);
	return rc ? cli_fail(cli, &err) : 0;
}

int
cmd_cut(struct session *cli, int argc, char **argv)
{
	struct edit_cut_range *v = xcalloc((size_t)argc + 1, sizeof *v);
	struct zpub_err err;
	struct actor who;
	char *notes = NULL;
	size_t n = 0;
	int show = 0, clear = 0, rc;
	int64_t id = 0;

	for (int i = 1; i < argc; i++) {
		int keep = strncmp(argv[i], "--keep", 6) == 0;
		const char *opt = keep ? "--keep" : "--remove";
		size_t ol = strlen(opt);

		if (strcmp(argv[i], "--show") == 0)
			show = 1;
		else if (strcmp(argv[i], "--clear") == 0)
			clear = 1;
		else if (strncmp(argv[i], opt, ol) == 0 && argv[i][ol] == '=')
			v[n++] = (struct edit_cut_range){ argv[i] + ol + 1, keep };
		else if (strcmp(argv[i], opt) == 0 && i + 1 < argc)
			v[n++] = (struct edit_cut_range){ argv[++i], keep };
		else if (strcmp(argv[i], opt) == 0) {
			free(v);
			return cli_usage(cli, "%s takes a range of the source, HH:MM:SS-HH:MM:SS", opt);
		} else if (id == 0 && (id = cli_parse_id(argv[i])) != 0)
			continue;
		else {
			free(v);
			return cli_usage(cli, "unexpected '%s'", argv[i]);
		}
	}
	rc = 0;
	if (id == 0)
		rc = cli_usage(cli, "name one recording id");
	else if (show && (n > 0 || clear))
		rc = cli_usage(cli, "--show lists the plan; change it in another call");
	else if (!show && n == 0 && !clear)
		rc = cli_usage(cli, "say what to change: --keep, --remove or --clear (or --show)");
	else if (session_store(cli, &err) != 0)
		rc = cli_fail(cli, &err);
	if (rc != 0 || show) {
		free(v);
		return rc != 0 ? rc : cut_show(cli, id);
	}
	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	rc = edit_cut_save(cli->store, &who, id, v, n, clear, &notes, &err);
	free(v);
	if (rc != 0)
		return cli_fail(cli, &err);
	if (notes != NULL)
		printf("%s\n", notes);
	printf("%lld cut overrides saved; 'zpub cut %lld --show' lists the plan, 'zpub run %lld'"
	    " cuts it again\n", (long long)id, (long long)id, (long long)id);
	free(notes);
	return 0;
}
