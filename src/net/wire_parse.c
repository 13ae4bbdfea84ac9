/*
 * wire_parse.c — the checks every answer parser shares (see wire_parse.h).
 * Servers we do not control send these bytes: nothing here trusts a length,
 * a byte or a number it has not checked.
 */
#include <string.h>
#include <strings.h>

#include "text.h"
#include "wire_parse.h"

void
wire_text(char *dst, size_t cap, const char *src)
{
	size_t o = 0, n = src ? strlen(src) : 0;
	uint32_t cp;

	for (size_t i = 0; i < n;) {
		size_t len = utf8_decode(src + i, n - i, &cp);
		unsigned char c = (unsigned char)src[i];
		if (len == 0 || c < 0x20 || c == 0x7F) {
			if (o + 1 >= cap)
				break;
			dst[o++] = '?';
			i++;
			continue;
		}
		if (o + len >= cap)
			break;
		memcpy(dst + o, src + i, len);
		o += len;
		i += len;
	}
	dst[o] = '\0';
}

int
wire_id_ok(const char *s, size_t max, const char *extra)
{
	size_t n = 0;

	if (s == NULL || s[0] == '\0')
		return 0;
	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (extra && c != '\0' && strchr(extra, c) != NULL);
		if (!ok || n >= max)
			return 0;
	}
	return strstr(s, "..") == NULL;
}

int
wire_url_ok(const char *s)
{
	size_t n, skip;

	if (s == NULL)
		return 0;
	if (strncasecmp(s, "https://", 8) == 0)
		skip = 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		skip = 7;
	else
		return 0;
	/* a host: at least one character before the path */
	if (s[skip] == '\0' || s[skip] == '/' || s[skip] == '?' || s[skip] == '#')
		return 0;
	for (n = 0; s[n]; n++)
		if ((unsigned char)s[n] <= 0x20 || (unsigned char)s[n] >= 0x7F || n >= 8192)
			return 0;
	return 1;
}

int
wire_json_object(const char *body, const char *who, const char *what, cJSON **o,
    struct zpub_err *err)
{
	*o = body ? cJSON_Parse(body) : NULL;
	if (cJSON_IsObject(*o))
		return 0;
	cJSON_Delete(*o);
	*o = NULL;
	return zpub_err_set(err, ZPUB_EREMOTE, "%s's answer to %s is not a JSON object", who, what);
}

int
wire_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	int neg = 0;
	uint64_t v = 0;

	if (s == NULL)
		return 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		/* 19 digits always fit; stop well before uint64_t could wrap */
		if (v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > (uint64_t)INT64_MAX)
		return 0;
	int64_t x = neg ? -(int64_t)v : (int64_t)v;
	if (x < lo || x > hi)
		return 0;
	*out = x;
	return 1;
}
