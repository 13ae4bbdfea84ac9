/*
 * text.c — the one UTF-8 module (see text.h): one strict decoder that
 * everything else is built on, display widths, the one case folding table,
 * word normalisation and a string buffer.
 */
#include "text.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "xmalloc.h"

/* ---- UTF-8 --------------------------------------------------------------- */

#define IS_CONT(c) (((unsigned char)(c) & 0xC0) == 0x80)

/* The decoder; static so text_fold's loop gets it inlined. */
static size_t
decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	if (len == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	size_t n = u[0] >= 0xF0 && u[0] < 0xF5 ? 4 : u[0] >= 0xE0 && u[0] < 0xF0 ? 3 :
	    u[0] >= 0xC2 && u[0] < 0xE0 ? 2 : 0;
	if (n == 0 || n > len)
		return 0;
	uint32_t c = u[0] & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if (!IS_CONT(u[i]))
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

size_t
utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	return decode(s, len, cp);
}

size_t
utf8_next(const char *s, size_t len, uint32_t *cp)
{
	if (len == 0) {
		*cp = 0;
		return 0;
	}
	size_t n = utf8_decode(s, len, cp);
	if (n == 0) {
		*cp = UTF8_REPLACEMENT;
		return 1;
	}
	return n;
}

size_t
utf8_next_str(const char *s, uint32_t *cp)
{
	return utf8_next(s, strnlen(s, 4), cp);
}

size_t
utf8_put(char *out, uint32_t cp)
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

int
utf8_valid(const char *s, size_t len)
{
	uint32_t cp;
	for (size_t i = 0, n; i < len; i += n)
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			return 0;
	return 1;
}

size_t
utf8_nlen(const char *s, size_t n)
{
	size_t len = strnlen(s, n), i = 0, c = 0;
	uint32_t cp;
	while (i < len) {
		i += utf8_next(s + i, len - i, &cp);
		c++;
	}
	return c;
}

size_t
utf8_len(const char *s)
{
	return utf8_nlen(s, SIZE_MAX);
}

size_t
utf8_floor(const char *s, size_t n)
{
	size_t c = n;
	uint32_t cp;
	while (c > 0 && n - c < 3 && IS_CONT(s[c]))
		c--;
	/* A lead byte whose sequence reaches byte n, else n stands alone. */
	size_t len = utf8_decode(s + c, strnlen(s + c, 4), &cp);
	return c + len > n ? c : n;
}

/* wcwidth() where the C library knows the character, with our own answer
 * for emoji (which older tables call narrow but every current terminal
 * draws two columns wide) and for East Asian wide ranges. */
int
utf8_cp_width(uint32_t cp)
{
	if (cp == 0 || text_cp_is_control(cp))
		return 0;
	/* Zero-width joiner, variation selectors, combining marks. */
	if (cp == 0x200D || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0x0300 && cp <= 0x036F) ||
	    (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
	    (cp >= 0xE0100 && cp <= 0xE01EF))
		return 0;
	/* Emoji and pictographs: two columns in every current terminal. */
	if ((cp >= 0x1F300 && cp <= 0x1F64F) || (cp >= 0x1F680 && cp <= 0x1F6FF) ||
	    (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x1FA70 && cp <= 0x1FAFF) ||
	    (cp >= 0x2600 && cp <= 0x26FF && wcwidth((wchar_t)cp) == 2) ||
	    (cp >= 0x1F1E6 && cp <= 0x1F1FF))
		return 2;
	/* East Asian wide ranges, so the answer does not depend on the locale. */
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
	    (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	    (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int
utf8_width(const char *s)
{
	int w = 0;
	size_t len = s ? strlen(s) : 0, i = 0;
	while (i < len) {
		uint32_t cp;
		i += utf8_next(s + i, len - i, &cp);
		w += utf8_cp_width(cp);
	}
	return w;
}

/* ---- characters ---------------------------------------------------------- */

int
text_cp_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

int
text_is_alnum(uint32_t cp)
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

/* The folding table: Unicode's simple case folding (CaseFolding.txt,
 * statuses C and S) for U+0000-U+024F, U+0370-U+03FF, U+0400-U+052F and
 * U+1E9E, as runs.  Code points lo, lo + step, ... hi fold to cp + delta.
 * Sorted; a code point in no run folds to itself. */
static const struct fold_run {
	uint16_t lo, hi;
	int16_t delta;
	uint8_t step;
} fold_runs[] = {
	{ 0x0041, 0x005A, 32, 1 },      /* A-Z */
	{ 0x00B5, 0x00B5, 775, 1 },     /* micro sign -> μ */
	{ 0x00C0, 0x00D6, 32, 1 },      /* Latin-1: À-Ö */
	{ 0x00D8, 0x00DE, 32, 1 },      /* Ø-Þ */
	{ 0x0100, 0x012E, 1, 2 },       /* Latin Extended-A: pairs */
	{ 0x0132, 0x0136, 1, 2 },
	{ 0x0139, 0x0147, 1, 2 },
	{ 0x014A, 0x0176, 1, 2 },
	{ 0x0178, 0x0178, -121, 1 },    /* Ÿ */
	{ 0x0179, 0x017D, 1, 2 },
	{ 0x017F, 0x017F, -268, 1 },    /* long s */
	{ 0x0181, 0x0181, 210, 1 },     /* Latin Extended-B */
	{ 0x0182, 0x0184, 1, 2 },
	{ 0x0186, 0x0186, 206, 1 },
	{ 0x0187, 0x0187, 1, 1 },
	{ 0x0189, 0x018A, 205, 1 },
	{ 0x018B, 0x018B, 1, 1 },
	{ 0x018E, 0x018E, 79, 1 },
	{ 0x018F, 0x018F, 202, 1 },
	{ 0x0190, 0x0190, 203, 1 },
	{ 0x0191, 0x0191, 1, 1 },
	{ 0x0193, 0x0193, 205, 1 },
	{ 0x0194, 0x0194, 207, 1 },
	{ 0x0196, 0x0196, 211, 1 },
	{ 0x0197, 0x0197, 209, 1 },
	{ 0x0198, 0x0198, 1, 1 },
	{ 0x019C, 0x019C, 211, 1 },
	{ 0x019D, 0x019D, 213, 1 },
	{ 0x019F, 0x019F, 214, 1 },
	{ 0x01A0, 0x01A4, 1, 2 },
	{ 0x01A6, 0x01A6, 218, 1 },
	{ 0x01A7, 0x01A7, 1, 1 },
	{ 0x01A9, 0x01A9, 218, 1 },
	{ 0x01AC, 0x01AC, 1, 1 },
	{ 0x01AE, 0x01AE, 218, 1 },
	{ 0x01AF, 0x01AF, 1, 1 },
	{ 0x01B1, 0x01B2, 217, 1 },
	{ 0x01B3, 0x01B5, 1, 2 },
	{ 0x01B7, 0x01B7, 219, 1 },
	{ 0x01B8, 0x01B8, 1, 1 },
	{ 0x01BC, 0x01BC, 1, 1 },
	{ 0x01C4, 0x01C4, 2, 1 },       /* Ǆ -> ǆ */
	{ 0x01C5, 0x01C5, 1, 1 },       /* ǅ -> ǆ */
	{ 0x01C7, 0x01C7, 2, 1 },       /* Ǉ */
	{ 0x01C8, 0x01C8, 1, 1 },
	{ 0x01CA, 0x01CA, 2, 1 },       /* Ǌ */
	{ 0x01CB, 0x01DB, 1, 2 },
	{ 0x01DE, 0x01EE, 1, 2 },
	{ 0x01F1, 0x01F1, 2, 1 },       /* Ǳ */
	{ 0x01F2, 0x01F4, 1, 2 },
	{ 0x01F6, 0x01F6, -97, 1 },
	{ 0x01F7, 0x01F7, -56, 1 },
	{ 0x01F8, 0x021E, 1, 2 },
	{ 0x0220, 0x0220, -130, 1 },
	{ 0x0222, 0x0232, 1, 2 },
	{ 0x023A, 0x023A, 10795, 1 },   /* Ⱥ -> U+2C65 */
	{ 0x023B, 0x023B, 1, 1 },
	{ 0x023D, 0x023D, -163, 1 },
	{ 0x023E, 0x023E, 10792, 1 },   /* Ⱦ -> U+2C66 */
	{ 0x0241, 0x0241, 1, 1 },
	{ 0x0243, 0x0243, -195, 1 },
	{ 0x0244, 0x0244, 69, 1 },
	{ 0x0245, 0x0245, 71, 1 },
	{ 0x0246, 0x024E, 1, 2 },
	{ 0x0370, 0x0372, 1, 2 },       /* Greek */
	{ 0x0376, 0x0376, 1, 1 },
	{ 0x037F, 0x037F, 116, 1 },
	{ 0x0386, 0x0386, 38, 1 },      /* Ά */
	{ 0x0388, 0x038A, 37, 1 },      /* Έ Ή Ί */
	{ 0x038C, 0x038C, 64, 1 },      /* Ό */
	{ 0x038E, 0x038F, 63, 1 },      /* Ύ Ώ */
	{ 0x0391, 0x03A1, 32, 1 },      /* Α-Ρ */
	{ 0x03A3, 0x03AB, 32, 1 },      /* Σ-Ϋ */
	{ 0x03C2, 0x03C2, 1, 1 },       /* final sigma ς -> σ */
	{ 0x03CF, 0x03CF, 8, 1 },
	{ 0x03D0, 0x03D0, -30, 1 },     /* symbol forms: ϐ ϑ ϕ ϖ */
	{ 0x03D1, 0x03D1, -25, 1 },
	{ 0x03D5, 0x03D5, -15, 1 },
	{ 0x03D6, 0x03D6, -22, 1 },
	{ 0x03D8, 0x03EE, 1, 2 },
	{ 0x03F0, 0x03F0, -54, 1 },
	{ 0x03F1, 0x03F1, -48, 1 },
	{ 0x03F4, 0x03F4, -60, 1 },
	{ 0x03F5, 0x03F5, -64, 1 },
	{ 0x03F7, 0x03F7, 1, 1 },
	{ 0x03F9, 0x03F9, -7, 1 },
	{ 0x03FA, 0x03FA, 1, 1 },
	{ 0x03FD, 0x03FF, -130, 1 },
	{ 0x0400, 0x040F, 80, 1 },      /* Cyrillic: Ѐ Ё Ђ Ѓ Є Ѕ І Ї Ј Љ Њ Ћ Ќ Ѝ Ў Џ */
	{ 0x0410, 0x042F, 32, 1 },      /* А-Я */
	{ 0x0460, 0x0480, 1, 2 },       /* Ѡ, Ѣ, ... */
	{ 0x048A, 0x04BE, 1, 2 },       /* Ҋ, Ґ, ... */
	{ 0x04C0, 0x04C0, 15, 1 },      /* palochka */
	{ 0x04C1, 0x04CD, 1, 2 },
	{ 0x04D0, 0x052E, 1, 2 },       /* Ӑ, Ә, ... and the Cyrillic Supplement */
	{ 0x1E9E, 0x1E9E, -7615, 1 },   /* capital sharp s -> ß */
};

#define FOLD_RUNS (sizeof fold_runs / sizeof fold_runs[0])
/* Below this, folding is one look-up in fold_delta, which fold_expand
 * fills from fold_runs once: search folds every title it reads. */
#define FOLD_DIRECT 0x530

static int16_t fold_delta[FOLD_DIRECT];
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

static void
fold_expand(void)
{
	for (size_t i = 0; i < FOLD_RUNS; i++)
		for (uint32_t c = fold_runs[i].lo; c <= fold_runs[i].hi && c < FOLD_DIRECT;
		    c += fold_runs[i].step)
			fold_delta[c] = fold_runs[i].delta;
}

/* text_fold_cp once fold_delta is filled. */
static inline uint32_t
fold_lookup(uint32_t cp, enum text_fold how)
{
	if (cp < FOLD_DIRECT) {
		cp = (uint32_t)((int32_t)cp + fold_delta[cp]);
	} else {
		for (size_t i = FOLD_RUNS; i-- > 0 && fold_runs[i].hi >= FOLD_DIRECT;) {
			const struct fold_run *r = &fold_runs[i];
			if (cp >= r->lo && cp <= r->hi && (cp - r->lo) % r->step == 0) {
				cp = (uint32_t)((int32_t)cp + r->delta);
				break;
			}
		}
	}
	if (how == TEXT_FOLD_SEARCH && cp == 0x451)
		cp = 0x435;                /* ё -> е: the same word either way */
	return cp;
}

uint32_t
text_fold_cp(uint32_t cp, enum text_fold how)
{
	pthread_once(&fold_once, fold_expand);
	return fold_lookup(cp, how);
}

size_t
text_fold(const char *s, size_t len, char *out, enum text_fold how)
{
	size_t i = 0, o = 0;
	pthread_once(&fold_once, fold_expand);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {            /* the common case, kept short */
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = decode(s + i, len - i, &cp);
		if (n == 0) {
			out[o++] = s[i++];      /* not UTF-8: as it is */
			continue;
		}
		uint32_t f = fold_lookup(cp, how);
		if (n == 2 && f >= 0x80 && f < 0x800) {   /* Cyrillic, Greek: stays 2 bytes */
			out[o++] = (char)(0xC0 | (f >> 6));
			out[o++] = (char)(0x80 | (f & 0x3F));
		} else {
			o += utf8_put(out + o, f);
		}
		i += n;
	}
	out[o] = '\0';
	return o;
}

char *
text_norm_word(const char *w)
{
	size_t len = strlen(w);
	char *out = xmalloc(len * 3 + 1);  /* a stray byte becomes U+FFFD, 3 bytes */
	size_t o = 0, last_alnum_end = 0;
	int started = 0;

	for (const char *p = w; *p;) {
		uint32_t cp;
		p += utf8_next_str(p, &cp);
		int an = text_is_alnum(cp) || (started && (cp == '\'' || cp == '-' || cp == 0x2019));
		if (!started && !an)
			continue;
		started = 1;
		if (cp == 0x2019)
			cp = '\'';
		o += utf8_put(out + o, text_fold_cp(cp, TEXT_FOLD_SEARCH));
		if (text_is_alnum(cp))
			last_alnum_end = o;
	}
	out[last_alnum_end] = '\0';
	return out;
}

const char *
text_guess_lang(const char *s)
{
	size_t cyr = 0, lat = 0;
	for (const char *p = s; p && *p;) {
		uint32_t cp;
		p += utf8_next_str(p, &cp);
		if (cp >= 0x400 && cp <= 0x4FF)
			cyr++;
		else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
			lat++;
	}
	return cyr > lat ? "ru" : "en";
}

/* ---- the string buffer --------------------------------------------------- */

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
