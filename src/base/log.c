/*
 * log.c — the log file, with redaction of secrets at the call.
 *
 * The log is process-wide state, like tmux's log.c: one file, opened once at
 * start.  A mutex keeps lines whole when worker threads log.
 */
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct {
	FILE *file;
	int to_stderr;
	enum log_level level;
	pthread_mutex_t lock;
} log_state = { NULL, 0, LOG_INFO, PTHREAD_MUTEX_INITIALIZER };

int
log_open(const char *path)
{
	if (path == NULL)
		return 0;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	fchmod(fd, 0600);
	FILE *f = fdopen(fd, "a");
	if (f == NULL) {
		close(fd);
		return -1;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	pthread_mutex_lock(&log_state.lock);
	if (log_state.file)
		fclose(log_state.file);
	log_state.file = f;
	pthread_mutex_unlock(&log_state.lock);
	return 0;
}

void
log_close(void)
{
	pthread_mutex_lock(&log_state.lock);
	if (log_state.file)
		fclose(log_state.file);
	log_state.file = NULL;
	pthread_mutex_unlock(&log_state.lock);
}

void log_set_stderr(int on) { log_state.to_stderr = on; }
void log_set_level(enum log_level lvl) { log_state.level = lvl; }

/* Masks the value following each marker up to a delimiter.  The mask may
 * be longer than the value it hides: the line never grows past cap (the end
 * of the line is cut instead), and a value that cannot be masked whole is
 * cut away. */
static void
mask_after(char *s, size_t cap, const char *marker, const char *stop)
{
	static const char red[] = "[redacted]";
	const size_t rl = sizeof red - 1, ml = strlen(marker);
	for (char *p = strcasestr(s, marker); p != NULL; p = strcasestr(p, marker)) {
		char *v = p + ml;
		while (*v == ' ' || *v == '"' || *v == ':' || *v == '=')
			v++;
		char *e = v;
		while (*e && strchr(stop, *e) == NULL)
			e++;
		/* too short to be a secret, or PostgreSQL's "password
		 * authentication failed" */
		if (e - v < 4 || (e - v == 14 && strncasecmp(v, "authentication", 14) == 0)) {
			p = e;
			continue;
		}
		size_t head = (size_t)(v - s), tail = strlen(e);
		if (head + rl + 1 > cap) {
			*v = '\0';
			return;
		}
		if (head + rl + tail + 1 > cap)
			tail = cap - 1 - head - rl;
		memmove(v + rl, e, tail);
		v[rl + tail] = '\0';
		memcpy(v, red, rl);
		p = v + rl;
	}
}

char *
log_redact(char *s, size_t cap)
{
	static const char *const keys[] = {
		"bearer ", "access_token", "refresh_token", "client_secret",
		"api_key", "apikey", "password", "code_verifier", "x-api-key", "token=",
		"\"code\"", "code=", NULL
	};
	if (s == NULL || cap == 0)
		return s;
	for (int i = 0; keys[i]; i++)
		mask_after(s, cap, keys[i], " \t\r\n\"&,;}'");
	return s;
}

void
zlog(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	char line[4096], ts[32];
	va_list ap;

	if (lvl < log_state.level)
		return;
	if (log_state.file == NULL && !log_state.to_stderr)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	log_redact(line, sizeof line);
	/* One line each, and nothing a terminal running `tail -f` or -v would
	 * act on: newlines, escape sequences and broken UTF-8 become escapes. */
	char safe[sizeof line];
	term_escape(line, safe, sizeof safe);

	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);

	pthread_mutex_lock(&log_state.lock);
	if (log_state.file)
		fprintf(log_state.file, "%s.%03ldZ %d %s %s\n", ts, now.tv_nsec / 1000000L,
		    (int)getpid(), names[lvl], safe);
	if (log_state.to_stderr)
		fprintf(stderr, "zpub: %s: %s\n", names[lvl], safe);
	pthread_mutex_unlock(&log_state.lock);
}
