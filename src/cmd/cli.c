/*
 * cli.c — what every command shares: errors, usage lines, JSON output,
 * numbers on the command line and the progress bar.
 */
#include "cmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

int
cli_fail(struct session *cli, const struct zpub_err *err)
{
	(void)cli;
	char msg[sizeof err->msg];
	snprintf(msg, sizeof msg, "%s", err->msg[0] ? err->msg : zpub_err_name(err->code));
	/* The sentence may quote a service's answer or a title: escaped. */
	fputs("zpub: ", stderr);
	term_fputs(log_redact(msg, sizeof msg), stderr);
	fputc('\n', stderr);
	return 1;
}

const char *
cli_usage_of(const char *name)
{
#define X(n, fn, usage, summary) if (strcmp(name, n) == 0) return usage;
	ZPUB_COMMANDS(X)
#undef X
	return NULL;
}

int
cli_usage(struct session *cli, const char *fmt, ...)
{
	va_list ap;
	if (fmt) {
		char msg[1024];
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		fprintf(stderr, "zpub %s: ", cli->cmd_name);
		term_fputs(msg, stderr);
		fputc('\n', stderr);
	}
	const char *u = cli_usage_of(cli->cmd_name);
	fprintf(stderr, "usage: zpub %s\n", u ? u : cli->cmd_name);
	return 2;
}

void
cli_print_json(cJSON *j)
{
	char *s = cJSON_Print(j);
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		cJSON_free(s);
	}
	cJSON_Delete(j);
}

/* The one reading of a whole number on the command line: decimal digits
 * with an optional sign, nothing around them, inside [min, max].  0, or
 * -1 with a sentence naming the option and the range in msg. */
static int
parse_int(const char *what, const char *s, int64_t min, int64_t max, int64_t *out,
    char *msg, size_t msgsz)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*s == '\0' || isspace((unsigned char)*s) || *end != '\0') {
		snprintf(msg, msgsz, "%s takes a whole number from %lld to %lld; '%s' is not one",
		    what, (long long)min, (long long)max, s);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(msg, msgsz, "%s takes a whole number from %lld to %lld; %s is out of range",
		    what, (long long)min, (long long)max, s);
		return -1;
	}
	*out = v;
	return 0;
}

int
cli_int_arg(struct session *cli, const char *what, const char *s, int64_t min, int64_t max,
    int64_t *out)
{
	char msg[512];
	if (parse_int(what, s, min, max, out, msg, sizeof msg) != 0)
		return cli_usage(cli, "%s", msg);
	return 0;
}

int64_t
cli_parse_id(const char *s)
{
	char msg[256];
	int64_t v;
	if (parse_int("an id", s, 1, INT64_MAX, &v, msg, sizeof msg) != 0)
		return 0;
	return v;
}

int
cli_progress(void *ud, double fraction, const char *what)
{
	struct session *cli = ud;
	static const int width = 30;
	if (!cli->progress_tty)
		return 0;
	if (fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	int fill = (int)(fraction * width + 0.5);
	char bar[64];
	for (int i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : '-';
	bar[width] = '\0';
	char label[64];
	term_escape(what, label, sizeof label);
	fprintf(stderr, "\r\033[K[%s] %3d%% %s", bar, (int)(fraction * 100), label);
	fflush(stderr);
	return 0;
}

void
cli_progress_done(struct session *cli)
{
	if (cli->progress_tty) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
	}
}

/* The two faces that are not commands, for `zpub help` and `zpub help NAME`. */
static const struct {
	const char *name, *alias, *usage, *text;
} help_faces[] = {
	{ "app", "tui", "zpub   (no command, on a terminal)",
	  "the terminal app: recordings with live progress, the topic and subtitle\n"
	  "  editors, templates, accounts and jobs; press ? inside it for the keys" },
	{ "daemon", "--daemon", "zpub [--data-dir DIR] --daemon [--foreground] [--listen 127.0.0.1:PORT]",
	  "the server: runs jobs on their schedules and takes every waiting recording\n"
	  "  through the stages; --listen also serves the control API on loopback.\n"
	  "  One per data folder (its pid is in DATA_DIR/zpub-daemon.pid while it runs);\n"
	  "  kill -TERM PID stops it cleanly, kill -HUP PID reloads the config" },
};

int
cmd_help(struct session *cli, int argc, char **argv)
{
	if (argc >= 2) {
		for (size_t i = 0; i < sizeof help_faces / sizeof help_faces[0]; i++)
			if (strcmp(argv[1], help_faces[i].name) == 0 ||
			    strcmp(argv[1], help_faces[i].alias) == 0) {
				printf("usage: %s\n\n  %s\n", help_faces[i].usage, help_faces[i].text);
				return 0;
			}
		const char *u = cli_usage_of(argv[1]);
		if (u == NULL) {
			fprintf(stderr, "zpub: no command '%s'; run 'zpub help'\n", term_safe(argv[1]));
			return 2;
		}
#define X(n, fn, usage, summary) \
		if (strcmp(argv[1], n) == 0) printf("usage: zpub %s\n\n  %s\n", usage, summary);
		ZPUB_COMMANDS(X)
#undef X
		return 0;
	}
	(void)cli;
	printf("zpub %s — lecture recordings to published, structured videos\n\n"
	    "  zpub              the terminal app (on a terminal; 'zpub help app')\n"
	    "  zpub --daemon     the server: schedules, stages, control API ('zpub help daemon')\n"
	    "  zpub COMMAND ...  one of the commands below\n\n"
	    "Global options: --data-dir DIR (or ZPUB_HOME), --tenant NAME, -v\n\nCommands:\n",
	    ZPUB_VERSION);
#define X(n, fn, usage, summary) printf("  %-10s %s\n", n, summary);
	ZPUB_COMMANDS(X)
#undef X
	printf("\nRun 'zpub help COMMAND' for a command's usage.\n");
	return 0;
}
