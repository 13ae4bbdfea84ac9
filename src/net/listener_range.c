/*
 * listener_range.c — the byte ranges of HTTP: a download's Range header
 * (one range; what to send, or that nothing fits) and an upload's
 * Content-Range (which bytes of how many a request body holds).  Pure
 * parsing, no I/O.
 */
#include "listener.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Digits at *p as a non-negative number (at most 18 digits); -1 if none. */
static int64_t
digits(const char **p)
{
	int64_t v = 0;
	int n = 0;
	while (isdigit((unsigned char)**p)) {
		if (++n > 18)
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return n > 0 ? v : -1;
}

static void
skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

int
lsn_range_parse(const char *h, int64_t size, int64_t *first, int64_t *last)
{
	const char *p = h;
	int64_t a = -1, b = -1;

	if (h == NULL)
		return 0;
	skip_ws(&p);
	if (strncasecmp(p, "bytes", 5) != 0)
		return 0;
	p += 5;
	skip_ws(&p);
	if (*p++ != '=')
		return 0;
	skip_ws(&p);
	if (*p == '-') {
		/* the last N bytes */
		p++;
		if ((b = digits(&p)) < 0)
			return 0;
		skip_ws(&p);
		if (*p != '\0')
			return 0;   /* a list of ranges: sent whole */
		if (b == 0 || size == 0)
			return -1;
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return 1;
	}
	if ((a = digits(&p)) < 0 || *p++ != '-')
		return 0;
	if (isdigit((unsigned char)*p) && (b = digits(&p)) < 0)
		return 0;
	skip_ws(&p);
	if (*p != '\0' || (b >= 0 && b < a))
		return 0;
	if (a >= size)
		return -1;
	*first = a;
	*last = b < 0 || b >= size ? size - 1 : b;
	return 1;
}

int
lsn_content_range_parse(const char *h, int64_t *first, int64_t *last, int64_t *size)
{
	const char *p = h;
	int question = 0;

	*first = *last = *size = -1;
	if (h == NULL)
		return -1;
	skip_ws(&p);
	if (strncasecmp(p, "bytes", 5) != 0 || (p[5] != ' ' && p[5] != '\t'))
		return -1;
	p += 5;
	skip_ws(&p);
	if (*p == '*') {
		question = 1;
		p++;
	} else {
		if ((*first = digits(&p)) < 0 || *p++ != '-' || (*last = digits(&p)) < 0 ||
		    *first > *last)
			return -1;
	}
	if (*p++ != '/')
		return -1;
	if (*p == '*')
		p++;
	else if ((*size = digits(&p)) < 0)
		return -1;
	skip_ws(&p);
	if (*p != '\0' || (*size >= 0 && *last >= *size))
		return -1;
	if (question) {
		*first = *last = -1;
		return 0;
	}
	return 1;
}
