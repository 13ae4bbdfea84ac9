/*
 * wire_parse.c — the checks every answer parser shares (see wire_parse.h).
 * Servers we do not control send these bytes: nothing here trusts a length,
 * a byte or a number it has not checked.
 */
#include <string.h>
#include <strings.h>

#include "wire_parse.h"

size_t
wire_utf8_seq(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char c = u[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* past U+10FFFF */
	} else
		return 0;
	if (u[1] < lo || u[1] > hi)
		return 0; /* also catches the NUL that ends a cut-short sequence */
	for (size_t i = 2; i < len; i++)
		if (u[i] < 0x80 || u[i] > 0xBF)
			return 0;
	return len;
}

void
wire_text(char *dst, size_t cap, const char *src)
{
	size_t o = 0;

	for (size_t i = 0; src && src[i];) {
		size_t len = wire_utf8_seq(src + i);
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
