/*
 * cli.c — what every command shares: folders, store, vault, errors, JSON
 * output and the progress bar.
 */
#include "cmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "cli_setup.h"
#include "config.h"
#include "ingest.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "vault.h"

/* FFmpeg's own chatter goes to our log, not to the user's terminal: the
 * stage reports what matters as errors with sentences. */
static void
av_to_log(void *avcl, int level, const char *fmt, va_list vl)
{
	char line[1024];
	int prefix = 1;
	if (level > av_log_get_level())
		return;
	av_log_format_line(avcl, level, fmt, vl, line, sizeof line, &prefix);
	size_t n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n > 0)
		zlog(level <= AV_LOG_ERROR ? LOG_WARN : LOG_DEBUG, "ffmpeg: %s", line);
}

int
cli_setup(struct cli *cli, const char *data_dir, const char *tenant, int verbose)
{
	struct zpub_err err;
	const char *home = getenv("HOME");
	const char *zh = getenv("ZPUB_HOME");

	memset(cli, 0, sizeof *cli);
	if (data_dir == NULL && zh && *zh)
		data_dir = zh;
	if (data_dir) {
		/* One folder holds everything: what the tests and portable installs want. */
		cli->data_dir = xstrdup(data_dir);
		cli->config_dir = xstrdup(data_dir);
	} else {
		const char *xd = getenv("XDG_DATA_HOME"), *xc = getenv("XDG_CONFIG_HOME");
		if ((xd == NULL || !*xd || xc == NULL || !*xc) && (home == NULL || !*home)) {
			fprintf(stderr, "zpub: HOME is not set; use --data-dir DIR or ZPUB_HOME\n");
			return -1;
		}
		cli->data_dir = xd && *xd ? xasprintf("%s/zpub", xd) :
		    xasprintf("%s/.local/share/zpub", home);
		cli->config_dir = xc && *xc ? xasprintf("%s/zpub", xc) :
		    xasprintf("%s/.config/zpub", home);
	}
	if (fs_mkdir_p(cli->data_dir, 0700, &err) || fs_mkdir_p(cli->config_dir, 0700, &err)) {
		fprintf(stderr, "zpub: %s\n", term_safe(err.msg));
		return -1;
	}
	chmod(cli->data_dir, 0700);
	cli->config_path = path_join(cli->config_dir, "config.json");
	cli->db_path = path_join(cli->data_dir, "zpub.db");
	cli->key_path = path_join(cli->config_dir, "vault.key");
	if (config_load(cli->config_path, &cli->config, &err) != 0) {
		fprintf(stderr, "zpub: %s\n", term_safe(err.msg));
		return -1;
	}
	cli->tenant = tenant ? tenant : config_str(cli->config, "tenant", "default");
	char *log_path = path_join(cli->data_dir, "zpub.log");
	log_open(log_path);
	free(log_path);
	if (verbose) {
		log_set_stderr(1);
		log_set_level(LOG_DEBUG);
	}
	av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_WARNING);
	av_log_set_callback(av_to_log);
	char host[128] = "";
	gethostname(host, sizeof host - 1);
	snprintf(cli->owner, sizeof cli->owner, "cli@%s:%d", host, (int)getpid());
	cli->progress_tty = isatty(STDERR_FILENO);
	srandom((unsigned)(getpid() ^ time_now_ms()));
	return 0;
}

void
cli_teardown(struct cli *cli)
{
	vault_close(cli->vault);
	store_close(cli->store);
	cJSON_Delete(cli->config);
	free(cli->data_dir);
	free(cli->config_dir);
	free(cli->config_path);
	free(cli->db_path);
	free(cli->key_path);
	log_close();
}

int
cli_store(struct cli *cli, struct zpub_err *err)
{
	if (cli->store)
		return 0;
	int rc = store_open(cli->db_path, cli->data_dir, &cli->store, err);
	if (rc)
		return rc;
	if ((rc = store_tenant_id(cli->store, cli->tenant, &cli->tenant_id, err)) != 0)
		return rc;
	/* Every start clears what a crashed import left behind. */
	return ingest_sweep(cli->store, cli->tenant, err);
}

int
cli_vault(struct cli *cli, struct zpub_err *err)
{
	if (cli->vault)
		return 0;
	int rc = cli_store(cli, err);
	if (rc)
		return rc;
	return vault_open(cli->store, cli->key_path, &cli->vault, err);
}

int
cli_fail(struct cli *cli, const struct zpub_err *err)
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
cli_usage(struct cli *cli, const char *fmt, ...)
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
cli_int_arg(struct cli *cli, const char *what, const char *s, int64_t min, int64_t max,
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
	struct cli *cli = ud;
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
cli_progress_done(struct cli *cli)
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
cmd_help(struct cli *cli, int argc, char **argv)
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
