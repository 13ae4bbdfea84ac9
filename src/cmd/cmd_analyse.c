/*
 * cmd_analyse.c — `zpub analyse FILE [--json]`: the silences and speech of
 * a media file, its loudness, and what the cut plan would do, without
 * changing anything.
 * Thin front over media_analyse_json(); options override the config.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "jnum.h"
#include "media.h"
#include "util.h"

static int
opt_num(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return end != s && *end == '\0' ? 0 : -1;
}

static void
print_spans(const char *title, const cJSON *a)
{
	const cJSON *o;

	printf("%s (%d):\n", title, cJSON_GetArraySize(a));
	cJSON_ArrayForEach(o, a) {
		int64_t s = jnum_or(cJSON_GetObjectItem(o, "start_ms"), 0, JNUM_MS_MAX, 0);
		int64_t e = jnum_or(cJSON_GetObjectItem(o, "end_ms"), 0, JNUM_MS_MAX, 0);
		char hs[16], he[16];

		time_hms(s, hs);
		time_hms(e, he);
		printf("  %s.%03lld - %s.%03lld  %6.1f s\n", hs, (long long)(s % 1000), he,
		    (long long)(e % 1000), (double)(e - s) / 1000.0);
	}
}

/* The target (processing.audio.loudness_lufs) and the gain to it beside
 * what was measured: null when loudness is off or nothing was heard. */
static void
analyse_loudness(struct session *cli, cJSON *l)
{
	const cJSON *i = cJSON_GetObjectItem(l, "integrated_lufs");
	double target;

	if (l == NULL)
		return;
	if (!media_loudness_target_from_config(cli->config, &target)) {
		cJSON_AddNullToObject(l, "target_lufs");
		cJSON_AddNullToObject(l, "gain_db");
		return;
	}
	cJSON_AddNumberToObject(l, "target_lufs", target);
	if (cJSON_IsNumber(i))
		cJSON_AddNumberToObject(l, "gain_db", round((target - i->valuedouble) * 10) / 10);
	else
		cJSON_AddNullToObject(l, "gain_db");
}

static void
print_loudness(const cJSON *l)
{
	const cJSON *i = cJSON_GetObjectItem(l, "integrated_lufs");
	const cJSON *p = cJSON_GetObjectItem(l, "true_peak_dbtp");
	const cJSON *t = cJSON_GetObjectItem(l, "target_lufs");
	const cJSON *g = cJSON_GetObjectItem(l, "gain_db");

	if (!cJSON_IsNumber(i) || !cJSON_IsNumber(p)) {
		printf("loudness: no sound above -70 LUFS\n");
		return;
	}
	printf("loudness: %.1f LUFS integrated, true peak %.1f dBTP", i->valuedouble,
	    p->valuedouble);
	if (cJSON_IsNumber(t) && cJSON_IsNumber(g))
		printf("; %+.1f dB to %.0f LUFS (peaks held at %.0f dBTP)\n", g->valuedouble,
		    t->valuedouble, MEDIA_TRUE_PEAK_DBTP);
	else
		printf("; left as recorded (processing.audio.loudness_lufs is null)\n");
}

int
cmd_analyse(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threshold-db", required_argument, NULL, 't' },
		{ "min-silence-ms", required_argument, NULL, 'm' },
		{ "max-pause-ms", required_argument, NULL, 'x' },
		{ "keep-pause-ms", required_argument, NULL, 'k' },
		{ "window-ms", required_argument, NULL, 'w' },
		{ "margin-before-ms", required_argument, NULL, 'b' },
		{ "margin-after-ms", required_argument, NULL, 'a' },
		{ "silence-mode", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct media_silence_opts so;
	struct media_plan_opts po;
	struct media_visual_opts vo;
	struct zpub_progress prog = { cli_progress, cli };
	struct zpub_err err;
	cJSON *j = NULL;
	int c, json = 0, rc, mode = -1;
	double v;

	media_silence_opts_from_config(&so, cli->config);
	media_plan_opts_from_config(&po, cli->config);
	media_visual_opts_from_config(&vo, cli->config);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j') {
			json = 1;
			continue;
		}
		if (c == '?' || c == ':')
			return cli_usage(cli, NULL);
		if (c == 't') {
			if (opt_num(optarg, &v) < 0 || v < -100 || v > 0)
				return cli_usage(cli, "--threshold-db takes a level in dBFS from -100 to 0,"
				    " such as -35; '%s' is not one", optarg);
			so.threshold_db = v;
			/* A level asked for is the level used, unless
			 * --silence-mode says otherwise. */
			if (mode < 0)
				mode = MEDIA_SILENCE_THRESHOLD;
			continue;
		}
		if (c == 's') {
			if (strcmp(optarg, "adaptive") == 0)
				mode = MEDIA_SILENCE_ADAPTIVE;
			else if (strcmp(optarg, "threshold") == 0)
				mode = MEDIA_SILENCE_THRESHOLD;
			else
				return cli_usage(cli, "--silence-mode is adaptive or threshold;"
				    " '%s' is neither", optarg);
			continue;
		}
		/* The rest are milliseconds: each with its own range and name. */
		int64_t ms, *dst;
		int64_t max = 3600000;
		const char *name;
		switch (c) {
		case 'm': dst = &so.min_silence_ms; name = "--min-silence-ms"; max = 600000; break;
		case 'w': dst = &so.window_ms; name = "--window-ms"; max = 1000; break;
		case 'x': dst = &po.max_pause_ms; name = "--max-pause-ms"; break;
		case 'k': dst = &po.keep_pause_ms; name = "--keep-pause-ms"; break;
		case 'b': dst = &po.margin_before_ms; name = "--margin-before-ms"; max = 60000; break;
		case 'a': dst = &po.margin_after_ms; name = "--margin-after-ms"; max = 60000; break;
		default: return cli_usage(cli, NULL);
		}
		if ((rc = cli_int_arg(cli, name, optarg, c == 'w' ? 1 : 0, max, &ms)) != 0)
			return rc;
		*dst = ms;
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "name one media file");
	if (mode >= 0)
		so.mode = (enum media_silence_mode)mode;
	if (so.window_ms < 1 || so.window_ms > 1000)
		return cli_usage(cli, "the analysis window is %lld ms; --window-ms takes 1 to 1000",
		    (long long)so.window_ms);
	if (so.min_silence_ms < 0 || po.keep_pause_ms < 0)
		return cli_usage(cli, "--min-silence-ms and --keep-pause-ms cannot be negative");
	if (po.max_pause_ms < po.keep_pause_ms)
		return cli_usage(cli, "--max-pause-ms (%lld) must be at least --keep-pause-ms (%lld):"
		    " a pause is cut down to the kept length only when it is longer than the maximum",
		    (long long)po.max_pause_ms, (long long)po.keep_pause_ms);
	vo.min_pause_ms = po.max_pause_ms;
	rc = media_analyse_json_visual(argv[optind], &so, &po, &vo, &prog, &j, &err);
	cli_progress_done(cli);
	if (rc < 0)
		return cli_fail(cli, &err);
	analyse_loudness(cli, cJSON_GetObjectItem(j, "loudness"));
	if (json) {
		cli_print_json(j);
		return 0;
	}
	{
		int64_t d = jnum_or(cJSON_GetObjectItem(j, "duration_ms"), 0, JNUM_MS_MAX, 0);
		int64_t o = jnum_or(cJSON_GetObjectItem(j, "output_duration_ms"), 0, JNUM_MS_MAX, 0);
		char hd[16], ho[16];

		time_hms(d, hd);
		time_hms(o, ho);
		printf("%s: %s, silences below %.0f dBFS%s of at least %lld ms\n", argv[optind], hd,
		    so.threshold_db, so.mode == MEDIA_SILENCE_ADAPTIVE ?
		    " (or this recording's own level where that fails)" : "",
		    (long long)so.min_silence_ms);
		print_spans("silences", cJSON_GetObjectItem(j, "silences"));
		print_spans("kept for what appears on screen", cJSON_GetObjectItem(j, "visual"));
		print_spans("would cut", cJSON_GetObjectItem(j, "cut"));
		printf("result: %s (%.0f%% of the original)\n", ho,
		    d > 0 ? 100.0 * (double)o / (double)d : 0.0);
		print_loudness(cJSON_GetObjectItem(j, "loudness"));
	}
	cJSON_Delete(j);
	return 0;
}
