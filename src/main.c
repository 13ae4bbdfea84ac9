/*
 * main.c — zpub's entry: global options, then one of three fronts
 * (a command, the daemon, or the terminal app).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "config_schema.h"
#include "daemon.h"
#include "log.h"
#include "session.h"
#include "ui.h"

static void
usage_short(FILE *f)
{
	fprintf(f, "usage: zpub [--data-dir DIR] [--database URL] [--tenant T] [-v] COMMAND [ARGS]\n"
	    "       zpub [--data-dir DIR] --daemon [--foreground] [--listen 127.0.0.1:PORT]\n"
	    "       zpub --version | zpub help [COMMAND]\n");
}

/* The global options before the command. */
struct main_opts {
	const char *data_dir, *tenant;
	int verbose, daemon_mode;
	struct daemon_opts dopts;
};

/* Reads the global options into o and *next to the first argument after
 * them; -1 to go on, or the exit status (after --version or a mistake). */
static int
main_opts_read(int argc, char **argv, struct main_opts *o, int *next)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			printf("zpub %s\n", ZPUB_VERSION);
			return 0;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			a = "help";
			argv[i] = (char *)"help";
			break;
		} else if (strcmp(a, "--data-dir") == 0 || strcmp(a, "--tenant") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "zpub: %s needs a value\n", a);
				usage_short(stderr);
				return 2;
			}
			if (a[2] == 'd')
				o->data_dir = argv[++i];
			else
				o->tenant = argv[++i];
		} else if (strncmp(a, "--data-dir=", 11) == 0) {
			o->data_dir = a + 11;
		} else if (strncmp(a, "--tenant=", 9) == 0) {
			o->tenant = a + 9;
		} else if (strcmp(a, "--database") == 0 || strncmp(a, "--database=", 11) == 0) {
			const char *v = a[10] == '=' ? a + 11 : i + 1 < argc ? argv[++i] : NULL;
			if (v == NULL) {
				fprintf(stderr, "zpub: --database needs a value\n");
				usage_short(stderr);
				return 2;
			}
			/* through the environment: the app's children inherit it */
			setenv("ZPUB_DATABASE_URL", v, 1);
		} else if (strcmp(a, "--daemon") == 0) {
			o->daemon_mode = 1;
		} else if (strcmp(a, "--foreground") == 0) {
			o->dopts.foreground = 1;
		} else if (strcmp(a, "--listen") == 0 && i + 1 < argc) {
			o->dopts.listen = argv[++i];
		} else if (strncmp(a, "--listen=", 9) == 0) {
			o->dopts.listen = a + 9;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			o->verbose = 1;
		} else if (a[0] == '-') {
			fprintf(stderr, "zpub: unknown option %s\n", a);
			usage_short(stderr);
			return 2;
		} else
			break;
	}
	*next = i;
	return -1;
}

static int
main_daemon(struct main_opts *o, int has_command)
{
	struct session cli;

	if (has_command) {
		fprintf(stderr, "zpub: --daemon takes no command\n");
		usage_short(stderr);
		return 2;
	}
	if (session_setup(&cli, o->data_dir, o->tenant, o->verbose) != 0) {
		session_teardown(&cli);
		return 1;
	}
	int drc = daemon_main(&cli, &o->dopts);
	session_teardown(&cli);
	return drc;
}

/* No command: the terminal app on a terminal, the help otherwise. */
static int
main_app(struct main_opts *o)
{
	struct session cli;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		usage_short(stdout);
		return cmd_help(NULL, 0, NULL);
	}
	if (session_setup(&cli, o->data_dir, o->tenant, o->verbose) != 0)
		return 1;
	int ui_rc = ui_run(&cli);
	session_teardown(&cli);
	return ui_rc;
}

/* One command from the table, with its arguments (argv[0] is its name). */
static int
main_command(struct main_opts *o, int argc, char **argv)
{
	struct session cli;

	if (session_setup(&cli, o->data_dir, o->tenant, o->verbose) != 0) {
		session_teardown(&cli);
		return 1;
	}
	const char *name = argv[0];
	int rc = -1;
#define X(n, fn, usage, summary) \
	if (rc == -1 && strcmp(name, n) == 0) { cli.cmd_name = n; rc = fn(&cli, argc, argv); }
	ZPUB_COMMANDS(X)
#undef X
	if (rc == -1) {
		fprintf(stderr, "zpub: unknown command '%s'\n", name);
		usage_short(stderr);
		fprintf(stderr, "Run 'zpub help' for the list of commands.\n");
		rc = 2;
	}
	session_teardown(&cli);
	return rc;
}

int
main(int argc, char **argv)
{
	struct main_opts o = { NULL, NULL, 0, 0, { 0, NULL } };
	int i, rc;

	/* zpub holds tokens and keys in memory: no core dumps that could carry
	 * them, and everything it writes is private to its user. */
	struct rlimit nocore = { 0, 0 };
	setrlimit(RLIMIT_CORE, &nocore);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	umask(077);
	/* the terminal app's action and key names, for `zpub config set ui.keys` */
	zs_register_section("ui.keys", ui_keys_check);

	if ((rc = main_opts_read(argc, argv, &o, &i)) >= 0)
		return rc;
	if (o.daemon_mode)
		return main_daemon(&o, i < argc);
	if (i >= argc)
		return main_app(&o);
	return main_command(&o, argc - i, argv + i);
}
