/*
 * log.h — one line per event to the log file (and stderr when asked).
 *
 * Secrets are redacted here, at the logging call: anything that looks like a
 * bearer token, an access/refresh token, a key or a password in a URL, header
 * or JSON body is replaced by "[redacted]" before it reaches a file.
 */
#ifndef ZPUB_LOG_H
#define ZPUB_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Opens (appending, 0600) the log file; NULL path = no file. */
int log_open(const char *path);
void log_close(void);
void log_set_stderr(int on);
void log_set_level(enum log_level lvl);

void zlog(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) zlog(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) zlog(LOG_INFO, __VA_ARGS__)
#define log_warn(...) zlog(LOG_WARN, __VA_ARGS__)
#define log_error(...) zlog(LOG_ERROR, __VA_ARGS__)

/* Rewrites s (a buffer of cap bytes) in place, masking secret values;
 * never writes past cap.  Returns s. */
char *log_redact(char *s, size_t cap);

#endif
