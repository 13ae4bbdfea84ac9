/*
 * text.c — UTF-8 iteration, Latin/Cyrillic case folding and a string buffer
 * for the ai/ module (see text.h).
 */
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

size_t
txt_next(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;
	uint32_t c;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xE0) == 0xC0) {
		n = 2;
		c = u[0] & 0x1F;
	} else if ((u[0] & 0xF0) == 0xE0) {
		n = 3;
		c = u[0] & 0x0F;
	} else if ((u[0] & 0xF8) == 0xF0) {
		n = 4;
		c = u[0] & 0x07;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		c = (c << 6) | (u[i] & 0x3F);
	}
	*cp = c;
	return n;
}

size_t
txt_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

uint32_t
txt_lower(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 32;
	if (cp >= 0x410 && cp <= 0x42F) /* А-Я */
		return cp + 32;
	if (cp >= 0x400 && cp <= 0x40F) /* Ѐ-Џ, Ё */
		return cp + 80;
	if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
		return cp + 32;
	return cp;
}

int
txt_is_cyrillic(uint32_t cp)
{
	return cp >= 0x400 && cp <= 0x4FF;
}

int
txt_is_alnum(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
		    (cp >= 'A' && cp <= 'Z');
	if (cp >= 0x2000 && cp <= 0x206F) /* general punctuation: dashes, quotes */
		return 0;
	if (cp == 0xAB || cp == 0xBB || cp == 0xA0 || cp == 0xFFFD)
		return 0;
	return 1;
}

char *
txt_norm_word(const char *w)
{
	size_t len = strlen(w);
	char *out = xmalloc(len * 2 + 1);
	size_t o = 0, last_alnum_end = 0;
	int started = 0;

	for (const char *p = w; *p;) {
		uint32_t cp;
		p += txt_next(p, &cp);
		int an = txt_is_alnum(cp) || (started && (cp == '\'' || cp == '-' || cp == 0x2019));
		if (!started && !an)
			continue;
		started = 1;
		if (cp == 0x2019)
			cp = '\'';
		if (cp == 0x451) /* ё -> е: same word either way */
			cp = 0x435;
		o += txt_put(out + o, txt_lower(cp));
		if (txt_is_alnum(cp))
			last_alnum_end = o;
	}
	out[last_alnum_end] = '\0';
	return out;
}

size_t
txt_chars(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n && s[i]; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

size_t
txt_floor(const char *s, size_t n)
{
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

const char *
txt_guess_lang(const char *s)
{
	size_t cyr = 0, lat = 0;
	for (const char *p = s; p && *p;) {
		uint32_t cp;
		p += txt_next(p, &cp);
		if (txt_is_cyrillic(cp))
			cyr++;
		else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
			lat++;
	}
	return cyr > lat ? "ru" : "en";
}

static void
sb_grow(struct sbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

void
sb_addn(struct sbuf *b, const char *s, size_t n)
{
	sb_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sb_add(struct sbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

void
sb_addc(struct sbuf *b, char c)
{
	sb_addn(b, &c, 1);
}

void
sb_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[256];

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		sb_addn(b, tmp, (size_t)n);
		return;
	}
	sb_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
sb_take(struct sbuf *b)
{
	char *s = b->s;
	if (s == NULL) {
		s = xmalloc(1);
		s[0] = '\0';
	}
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void
sb_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
