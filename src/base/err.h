/*
 * err.h — error values and the human sentence that goes with them.
 *
 * Every fallible function returns 0 or a negative ZPUB_E* code and fills a
 * struct zpub_err with a sentence that names the file, recording or service
 * and says what to do.  The sentence is for people; the code is for callers.
 */
#ifndef ZPUB_ERR_H
#define ZPUB_ERR_H

#include <stddef.h>

enum {
	ZPUB_OK = 0,
	ZPUB_EINVAL = -1,    /* bad argument or input the user can fix */
	ZPUB_EIO = -2,       /* file system error */
	ZPUB_ENOMEM = -3,
	ZPUB_ENOTFOUND = -4, /* no such recording, key, file, ... */
	ZPUB_EDB = -5,       /* the store refused */
	ZPUB_EBUSY = -6,     /* leased by another process, locked */
	ZPUB_ESTATE = -7,    /* illegal status transition */
	ZPUB_EMEDIA = -8,    /* not media, corrupt or unsupported media */
	ZPUB_ENET = -9,      /* network or remote service error, retryable */
	ZPUB_EAUTH = -10,    /* credentials missing, expired or revoked */
	ZPUB_EQUOTA = -11,   /* quota or rate limit; retry later */
	ZPUB_EREMOTE = -12,  /* remote refused permanently */
	ZPUB_ECANCEL = -13,  /* cancelled or interrupted */
	ZPUB_ECRYPTO = -14,  /* vault could not decrypt */
	ZPUB_EGONE = -15,    /* the source is gone for good (deleted upstream, past its TTL):
	                      * a stage returning this moves the recording to EXPIRED */
	ZPUB_EREVIEW = -16,  /* waits for a person's approval (publish.review): not a failure */
};

struct zpub_err {
	int code;
	char msg[1024];
};

/* Sets err (if not NULL) and returns code, so callers can write
 * `return zpub_err_set(err, ZPUB_EIO, "cannot open %s: %s", p, strerror(errno));` */
int zpub_err_set(struct zpub_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes an existing message with context: "importing X: <old message>". */
int zpub_err_prefix(struct zpub_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void zpub_err_clear(struct zpub_err *err);

/* Short name of a code ("io", "media", ...) for logs and JSON. */
const char *zpub_err_name(int code);

/* Progress reporting from long work.  fraction is 0..1 (negative when
 * unknown); what is a short label ("decoding audio").  Callbacks may be
 * called from a worker thread: the receiver must be thread-safe.  A callback
 * returning non-zero asks the work to stop (it then returns ZPUB_ECANCEL). */
typedef int (*zpub_progress_fn)(void *ud, double fraction, const char *what);

struct zpub_progress {
	zpub_progress_fn fn;
	void *ud;
};

/* Calls p->fn when set; returns its answer (0 = go on). */
int zpub_progress_report(const struct zpub_progress *p, double fraction, const char *what);

#endif
