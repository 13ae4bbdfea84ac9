/*
 * util.h — small helpers every module needs: durable file writes, paths,
 * time and strings.  Nothing here knows about recordings or the store.
 */
#ifndef ZPUB_UTIL_H
#define ZPUB_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "err.h"
#include "text.h"   /* utf8_valid, utf8_len, ...: the UTF-8 module */
#include "xmalloc.h"

/* Creates path and its parents with mode (0700 for our folders). */
int fs_mkdir_p(const char *path, mode_t mode, struct zpub_err *err);

/* Writes buf to path through path.tmp + fsync + rename + fsync(dir), so a
 * crash leaves either the old file or the new one, never half of it. */
int fs_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
    struct zpub_err *err);

/* fsyncs tmp, renames it to dst and fsyncs dst's folder. */
int fs_commit(const char *tmp, const char *dst, struct zpub_err *err);

/* Reads a whole file into a NUL-terminated malloc'd buffer. */
int fs_read_all(const char *path, char **out, size_t *len, struct zpub_err *err);

int fs_exists(const char *path);
int64_t fs_size(const char *path);    /* -1 if missing */
int fs_remove_tree(const char *path); /* rm -rf; 0 or -1 */

/* SHA-256 of a file as 64 hex chars + NUL (libsodium). */
int fs_sha256(const char *path, char hex[65], struct zpub_err *err);
/* HMAC-SHA256 of msg keyed with the string key, as 64 hex chars + NUL
 * (libsodium; any key length). */
void hmac_sha256_hex(const char *key, const void *msg, size_t len, char hex[65]);

/* malloc'd "a/b". */
char *path_join(const char *a, const char *b);

int64_t time_now_ms(void);      /* wall clock, UTC epoch ms */
/* This host's name in lease owners ("daemon@HOST:pid"): ZPUB_HOST_ID when
 * set (several daemons on one machine acting as separate hosts), else the
 * machine's host name.  Never empty. */
void host_id(char *out, size_t n);
/* The parts of a lease owner "kind@HOST:pid": the host into out and the
 * pid; 0 when owner is not of that shape. */
int owner_parse(const char *owner, char *out, size_t n, long *pid);
int64_t time_mono_ms(void);     /* monotonic */
/* Sleeps ms milliseconds, resuming after signals; ms <= 0 returns at once. */
void sleep_ms(int64_t ms);
/* The wait before retry number attempt (1, 2, ...): base_ms doubled each
 * attempt up to cap_ms, then +-20% jitter so many failures do not retry in
 * lockstep.  The values are taken as given (0 waits 0): callers with
 * defaults apply them first.  The one backoff of the pipeline, the HTTP
 * retry policy, the Zoom download loop and the uploads. */
int64_t backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms);
/* "2026-11-25T13:23:59Z" */
void time_iso(int64_t epoch_ms, char out[32]);
/* Parses "YYYY-MM-DDTHH:MM:SSZ" (or with offset, or date only); -1 on error. */
int64_t time_parse_iso(const char *s);
/* "HH:MM:SS" (always hours) */
void time_hms(int64_t ms, char out[16]);
/* A moment for people, local time with its distance from now_ms:
 * "18:42 (in 3 min)", "2026-12-04 09:00 (in 15 h)", "18:40 (2 min ago)". */
void time_human(int64_t epoch_ms, int64_t now_ms, char out[64]);
/* "SS", "MM:SS" or "H:MM:SS" with an optional ".mmm" fraction, as people
 * write a timecode; -1 when it is not one. */
int64_t time_parse_clock(const char *s);
/* A size for people: "512 bytes", "1.5 KB", "12.3 MB", "4.0 GB", "2.1 TB"
 * (one decimal, 1 KB = 1024 bytes). */
void size_human(double bytes, char out[32]);

/* ---- text for a terminal ----
 * Names that come from outside (titles, template, tenant, user and job
 * names, Zoom topics, services' answers quoted in errors, journal lines) may
 * carry escape sequences.  Whatever prints such text on a terminal passes
 * it through term_escape() (or term_safe()/term_fputs()), the one rule for
 * the CLI, the log and the terminal app. */

/* Copies s into out (outsz bytes, always NUL-terminated) so that printing it
 * can only draw characters: a control becomes a visible escape ("\x1b",
 * "\x07", "\x7f"; "\u009b" for a C1 control) and a byte that is not UTF-8
 * becomes "\xff"; valid UTF-8 (Cyrillic, CJK, emoji) stays as it is.  When
 * out is too small the text is cut between characters and ends in "…".
 * Returns out; NULL s gives "". */
const char *term_escape(const char *s, char *out, size_t outsz);
/* term_escape() into a buffer that lives until the end of the enclosing
 * block, for use in printf arguments:
 *     printf("%-24s %s\n", term_safe(t->name), term_safe(t->title)); */
#define TERM_SAFE_MAX 4096
#define term_safe(s) term_escape((s), (char[TERM_SAFE_MAX]){ 0 }, TERM_SAFE_MAX)
/* Writes s to f escaped as term_escape() does, however long it is. */
void term_fputs(const char *s, FILE *f);

/* ---- names from outside that become file names ------------------------
 * A language code from a service answer or the config, a tenant name typed
 * at the command line: before such a name is put into a path it passes
 * fname_ok, the one place that says what a safe name is. */
enum fname_kind {
	FNAME_LANG,   /* a language code: "en", "ru", "pt-BR", "zh-Hans", "sr-Latn-RS" */
	FNAME_WORD,   /* one folder or file name component: tenant names */
};

#define FNAME_LANG_MAX 15   /* bytes of a language code */
#define FNAME_WORD_MAX 64   /* bytes of any other name */

/* 1 if name may be used, as it is, as one component of a path.
 * FNAME_LANG: 2-3 ASCII letters, then optionally "-" and a 4-letter script,
 * then optionally "-" and a 2-letter or 3-digit region; at most 15 bytes.
 * FNAME_WORD: 1-64 bytes of valid UTF-8 without '/', '\', "..", control
 * characters (C0, DEL, C1), a leading '.' or '-', or spaces at either end. */
int fname_ok(const char *name, enum fname_kind kind);
/* fname_ok(code, FNAME_LANG). */
int lang_code_ok(const char *code);
/* A refused name is shown in a message with term_escape(). */

#endif
