/*
 * cmd_review.c — the editor's desk from a shell: `zpub topics ID --show`
 * and `--set FILE` (the chapter lines of the newest topic version),
 * `zpub approve ID...` (lets a recording held for review go), and
 * `zpub play ID [HH:MM:SS]` (the cut video in the user's player).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ai.h"
#include "audit.h"
#include "cmd.h"
#include "config.h"
#include "edit.h"
#include "player.h"
#include "store.h"
#include "util.h"

#define CHAPTERS_MAX_BYTES (1024 * 1024)

static int
topics_show(struct session *cli, int64_t id)
{
	struct zpub_err err;
	struct actor who;
	char *text = NULL, *save = NULL;

	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	if (edit_chapters_get(cli->store, &who, id, &text, NULL, &err) != 0)
		return cli_fail(cli, &err);
	/* Titles come from a transcript or a service: shown, never obeyed
	 * (a line at a time, so only what is inside a line is escaped). */
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		term_fputs(l, stdout);
		putchar('\n');
	}
	free(text);
	return 0;
}

static int
read_input(const char *path, char **text, struct zpub_err *err)
{
	size_t len = 0;
	if (strcmp(path, "-") != 0)
		return fs_read_all(path, text, &len, err);
	size_t cap = 4096;
	char *b = xmalloc(cap);
	ssize_t n;
	while ((n = read(STDIN_FILENO, b + len, cap - len - 1)) != 0) {
		if (n < 0) {
			free(b);
			return zpub_err_set(err, ZPUB_EIO, "cannot read the chapters from stdin");
		}
		len += (size_t)n;
		if (len + 1 == cap) {
			if (cap >= CHAPTERS_MAX_BYTES) {
				free(b);
				return zpub_err_set(err, ZPUB_EINVAL, "the chapter list on stdin is over"
				    " %d bytes", CHAPTERS_MAX_BYTES);
			}
			b = xrealloc(b, cap *= 2);
		}
	}
	b[len] = '\0';
	*text = b;
	return 0;
}

static int
topics_set(struct session *cli, int64_t id, const char *path)
{
	struct zpub_err err;
	struct actor who;
	char *text = NULL;
	size_t n = 0;
	int version = 0, rc;

	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	if ((rc = read_input(path, &text, &err)) == 0 &&
	    (rc = edit_chapters_save(cli->store, &who, id, text, &version, &n, &err)) == 0)
		printf("%lld topic version %d saved (%zu chapters)\n", (long long)id, version, n);
	free(text);
	return rc ? cli_fail(cli, &err) : 0;
}

int
cli_topics_edit(struct session *cli, int argc, char **argv)
{
	const char *set = NULL;
	int show = 0;
	int64_t id = 0;
	struct zpub_err err;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--show") == 0)
			show = 1;
		else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
			set = argv[++i];
		else if (strncmp(argv[i], "--set=", 6) == 0)
			set = argv[i] + 6;
		else if (strcmp(argv[i], "--set") == 0)
			return cli_usage(cli, "--set takes a file of chapter lines, or - for stdin");
		else if (id == 0 && (id = cli_parse_id(argv[i])) != 0)
			continue;
		else
			return cli_usage(cli, "unexpected '%s'", argv[i]);
	}
	if (id == 0)
		return cli_usage(cli, "name one recording id");
	if (show && set)
		return cli_usage(cli, "--show or --set, not both");
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	return show ? topics_show(cli, id) : topics_set(cli, id, set);
}

int
cmd_approve(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	struct actor who;
	int failed = 0;

	if (argc < 2)
		return cli_usage(cli, "name at least one recording id");
	for (int i = 1; i < argc; i++)
		if (cli_parse_id(argv[i]) == 0)
			return cli_usage(cli, "'%s' is not a recording id", argv[i]);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	actor_local(&who, ACTOR_CLI, cli->tenant_id);
	for (int i = 1; i < argc; i++) {
		int64_t id = cli_parse_id(argv[i]);
		int version = 0;
		if (edit_topics_approve_newest(cli->store, &who, id, &version, &err) == 0)
			printf("%lld topic version %d approved\n", (long long)id, version);
		else {
			cli_fail(cli, &err);
			failed = 1;
		}
	}
	return failed;
}

int
cmd_play(struct session *cli, int argc, char **argv)
{
	struct zpub_err err;
	struct store_recording *r = NULL;
	struct store_artifact *a = NULL;
	char **pv = NULL;
	int64_t id, at_ms = 0;
	int n = 0, rc;

	if (argc < 2 || argc > 3 || (id = cli_parse_id(argv[1])) == 0)
		return cli_usage(cli, "name one recording id, and a timecode if you like");
	if (argc == 3 && (at_ms = time_parse_clock(argv[2])) < 0)
		return cli_usage(cli, "'%s' is not a timecode (HH:MM:SS, MM:SS or seconds)", argv[2]);
	if (session_store(cli, &err) != 0)
		return cli_fail(cli, &err);
	/* The cut video: the timecodes of topics and subtitles are on it. */
	if ((rc = store_recording_get_in(cli->store, cli->tenant_id, id, &r, &err)) == 0 &&
	    (rc = store_artifacts(cli->store, id, "cut_video", &a, &n, &err)) == 0 && n == 0)
		rc = zpub_err_set(&err, ZPUB_ENOTFOUND, "recording %lld has no cut video yet: run it"
		    " to PROCESSED first ('zpub run %lld --until PROCESSED')", (long long)id,
		    (long long)id);
	if (rc == 0 && at_ms > 0) {
		int64_t cut_ms = edit_topics_video_ms(cli->store, r);
		if (cut_ms > 0 && at_ms >= cut_ms) {
			char end[16];
			time_hms(cut_ms, end);
			rc = zpub_err_set(&err, ZPUB_EINVAL, "%s is past the end of recording %lld's"
			    " cut video (%s)", argv[2], (long long)id, end);
		}
	}
	if (rc == 0)
		rc = player_argv(config_str(cli->config, "ui.player", NULL), a[n - 1].path,
		    (double)at_ms / 1000.0, &pv, &err);
	if (rc == 0)
		rc = player_start(pv, &err);
	player_argv_free(pv);
	store_artifacts_free(a, n);
	store_recording_free(r);
	return rc ? cli_fail(cli, &err) : 0;
}
