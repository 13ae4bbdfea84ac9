/*
 * player.c — the user's player at a timecode: the command split into words
 * without a shell, the placeholders filled in, the program started detached
 * (see player.h).
 */
#include "player.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The players tried when ui.player is not set, in order. */
static const struct {
	const char *prog;
	const char *cmd;
} player_defaults[] = {
	{ "mpv", "mpv --start={seconds} {file}" },
	{ "ffplay", "ffplay -autoexit -ss {seconds} {file}" },
	{ "vlc", "vlc --start-time={seconds} {file}" },
};

static int
on_path(const char *prog)
{
	const char *path = getenv("PATH");
	if (path == NULL || *path == '\0')
		return 0;
	char *copy = xstrdup(path), *save = NULL;
	int found = 0;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = path_join(*d ? d : ".", prog);
		struct stat sb;
		found = stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

struct words {
	char **v;
	size_t n, cap;
};

static void
words_add(struct words *w, char *s)
{
	if (w->n + 2 > w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		w->v = xreallocarray(w->v, w->cap, sizeof *w->v);
	}
	w->v[w->n++] = s;
	w->v[w->n] = NULL;
}

/* Appends s to the word being built, replacing {file} and {seconds}. */
static void
word_put(char **word, size_t *len, const char *s, size_t n)
{
	char *p = xrealloc(*word, *len + n + 1);
	memcpy(p + *len, s, n);
	*len += n;
	p[*len] = '\0';
	*word = p;
}

int
player_argv(const char *cmd, const char *file, double seconds, char ***argv,
    struct zpub_err *err)
{
	char secs[32];
	struct words w = {0};

	*argv = NULL;
	if (cmd == NULL || *cmd == '\0') {
		for (size_t i = 0; i < sizeof player_defaults / sizeof player_defaults[0]; i++)
			if (on_path(player_defaults[i].prog)) {
				cmd = player_defaults[i].cmd;
				break;
			}
		if (cmd == NULL || *cmd == '\0')
			return zpub_err_set(err, ZPUB_ENOTFOUND, "no player found: install mpv, "
			    "ffplay or vlc, or set ui.player (e.g. zpub config set ui.player "
			    "'\"mpv --start={seconds} {file}\"')");
	}
	if (seconds < 0)
		seconds = 0;
	if (seconds == (double)(long long)seconds)
		snprintf(secs, sizeof secs, "%lld", (long long)seconds);
	else
		snprintf(secs, sizeof secs, "%.3f", seconds);

	int has_file = 0;
	const char *p = cmd;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		char *word = NULL;
		size_t len = 0;
		char quote = 0;
		word_put(&word, &len, "", 0);
		while (*p && (quote || (*p != ' ' && *p != '\t' && *p != '\n'))) {
			if (quote == 0 && (*p == '\'' || *p == '"')) {
				quote = *p++;
				continue;
			}
			if (quote && *p == quote) {
				quote = 0;
				p++;
				continue;
			}
			if (*p == '\\' && quote != '\'' && p[1]) {
				word_put(&word, &len, p + 1, 1);
				p += 2;
				continue;
			}
			if (strncmp(p, "{file}", 6) == 0) {
				word_put(&word, &len, file, strlen(file));
				has_file = 1;
				p += 6;
				continue;
			}
			if (strncmp(p, "{seconds}", 9) == 0) {
				word_put(&word, &len, secs, strlen(secs));
				p += 9;
				continue;
			}
			word_put(&word, &len, p, 1);
			p++;
		}
		if (quote) {
			free(word);
			player_argv_free(w.v);
			return zpub_err_set(err, ZPUB_EINVAL, "ui.player has an unclosed %c quote: %s",
			    quote, cmd);
		}
		words_add(&w, word);
	}
	if (w.n == 0) {
		player_argv_free(w.v);
		return zpub_err_set(err, ZPUB_EINVAL, "ui.player is empty");
	}
	if (!has_file)
		words_add(&w, xstrdup(file));
	*argv = w.v;
	return 0;
}

void
player_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

int
player_start(char *const *argv, struct zpub_err *err)
{
	int pfd[2];

	if (pipe2(pfd, O_CLOEXEC) != 0)
		return zpub_err_set(err, ZPUB_EIO, "cannot start %s: %s", argv[0], strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return zpub_err_set(err, ZPUB_EIO, "cannot start %s: %s", argv[0], strerror(e));
	}
	if (pid == 0) {
		/* A middle process that exits at once: the player is then
		 * nobody's child to reap but init's. */
		close(pfd[0]);
		setsid();
		pid_t gp = fork();
		if (gp != 0)
			_exit(gp < 0 ? 1 : 0);
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
			if (nul > 2)
				close(nul);
		}
		execvp(argv[0], argv);
		int e = errno;
		ssize_t wr = write(pfd[1], &e, sizeof e);
		(void)wr;
		_exit(127);
	}
	close(pfd[1]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int e = 0;
	ssize_t r;
	while ((r = read(pfd[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(pfd[0]);
	if (r == (ssize_t)sizeof e)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "cannot start the player %s: %s", argv[0],
		    strerror(e));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return zpub_err_set(err, ZPUB_EIO, "cannot start the player %s", argv[0]);
	return 0;
}
