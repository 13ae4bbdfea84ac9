/*
 * err.c — filling struct zpub_err and naming error codes.
 */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
zpub_err_set(struct zpub_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return code;
}

int
zpub_err_prefix(struct zpub_err *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof err->msg];
	va_list ap;

	if (err == NULL)
		return ZPUB_EINVAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	/* Both halves may be long; keep the start of each. */
	int n = snprintf(err->msg, sizeof err->msg, "%.500s: ", prefix);
	snprintf(err->msg + n, sizeof err->msg - (size_t)n, "%.*s", (int)(sizeof err->msg) - n - 1,
	    old);
	return err->code;
}

void
zpub_err_clear(struct zpub_err *err)
{
	if (err != NULL) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}

const char *
zpub_err_name(int code)
{
	switch (code) {
	case ZPUB_OK: return "ok";
	case ZPUB_EINVAL: return "invalid";
	case ZPUB_EIO: return "io";
	case ZPUB_ENOMEM: return "nomem";
	case ZPUB_ENOTFOUND: return "notfound";
	case ZPUB_EDB: return "db";
	case ZPUB_EBUSY: return "busy";
	case ZPUB_ESTATE: return "state";
	case ZPUB_EMEDIA: return "media";
	case ZPUB_ENET: return "network";
	case ZPUB_EAUTH: return "auth";
	case ZPUB_EQUOTA: return "quota";
	case ZPUB_EREMOTE: return "remote";
	case ZPUB_ECANCEL: return "cancelled";
	case ZPUB_ECRYPTO: return "crypto";
	case ZPUB_EGONE: return "gone";
	case ZPUB_EREVIEW: return "review";
	}
	return "error";
}

int
zpub_progress_report(const struct zpub_progress *p, double fraction, const char *what)
{
	if (p == NULL || p->fn == NULL)
		return 0;
	return p->fn(p->ud, fraction, what);
}
