/*
 * text.c — display width and cutting of UTF-8 for the terminal app, and
 * the small time formats it shows.  Widths follow wcwidth() where the C
 * library knows the character, with our own answer for emoji (which older
 * tables call narrow but every current terminal draws two columns wide).
 */
#include "fmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

size_t
ui_utf8_next(const char *s, size_t len, uint32_t *cp)
{
	if (len == 0) {
		*cp = 0;
		return 0;
	}
	size_t n = utf8_decode(s, len, cp);
	if (n == 0) {
		*cp = 0xFFFD;
		return 1;
	}
	return n;
}

size_t
ui_utf8_prev(const char *s, size_t off)
{
	if (off == 0)
		return 0;
	off--;
	while (off > 0 && ((unsigned char)s[off] & 0xC0) == 0x80)
		off--;
	return off;
}

int
ui_cp_width(uint32_t cp)
{
	if (cp == 0)
		return 0;
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
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
ui_text_width(const char *s)
{
	int w = 0;
	size_t len = s ? strlen(s) : 0, i = 0;
	while (i < len) {
		uint32_t cp;
		i += ui_utf8_next(s + i, len - i, &cp);
		w += ui_cp_width(cp);
	}
	return w;
}

int
ui_text_fit(const char *s, int cols, int ellipsis, char *out, size_t outsz)
{
	size_t len = s ? strlen(s) : 0, i = 0, o = 0;
	int w = 0;
	if (outsz == 0)
		return 0;
	out[0] = '\0';
	if (cols <= 0)
		return 0;
	int total = ui_text_width(s);
	int budget = total > cols && ellipsis ? cols - 1 : cols;
	while (i < len) {
		uint32_t cp;
		size_t n = ui_utf8_next(s + i, len - i, &cp);
		/* Controls (tabs, newlines, ESC, C1's CSI) become spaces: one row
		 * per item, and nothing the terminal would act on (util.h's rule). */
		int ctl = text_cp_is_control(cp);
		int cw = ctl ? 1 : ui_cp_width(cp);
		if (w + cw > budget)
			break;
		const char *src = s + i;
		size_t srcn = n;
		if (ctl) {
			src = " ";
			srcn = 1;
		} else if (cp == 0xFFFD && n == 1) {
			src = "\xEF\xBF\xBD";
			srcn = 3;
		}
		if (o + srcn + 4 > outsz)
			break;
		memcpy(out + o, src, srcn);
		o += srcn;
		w += cw;
		i += n;
	}
	if (i < len && ellipsis && o + 4 <= outsz && w < cols) {
		memcpy(out + o, "\xE2\x80\xA6", 3);
		o += 3;
		w++;
	}
	out[o] = '\0';
	return w;
}

void
ui_strlcpy(char *dst, const char *src, size_t n)
{
	if (n == 0)
		return;
	size_t len = src ? strlen(src) : 0;
	if (len >= n) {
		len = n - 1;
		while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--;
	}
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

void
ui_fmt_clock(int64_t ms, int short_form, char out[16])
{
	if (ms < 0)
		ms = 0;
	int64_t s = ms / 1000;
	int h = (int)(s / 3600), m = (int)(s / 60 % 60), sec = (int)(s % 60);
	if (short_form && h == 0)
		snprintf(out, 16, "%02d:%02d", m, sec);
	else
		snprintf(out, 16, "%d:%02d:%02d", h % 1000, m, sec);
}

int64_t
ui_parse_clock(const char *s)
{
	int64_t parts[3] = {0, 0, 0};
	int n = 0;
	int64_t frac = 0;
	const char *p = s;
	if (s == NULL || *s == '\0')
		return -1;
	for (;;) {
		if (*p < '0' || *p > '9')
			return -1;
		int64_t v = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9' && digits < 9) {
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		if (n >= 3)
			return -1;
		parts[n++] = v;
		if (*p == ':') {
			p++;
			continue;
		}
		if (*p == '.') {
			p++;
			int64_t scale = 100;
			if (*p < '0' || *p > '9')
				return -1;
			while (*p >= '0' && *p <= '9') {
				frac += (*p++ - '0') * scale;
				scale /= 10;
			}
		}
		break;
	}
	if (*p != '\0')
		return -1;
	int64_t h = 0, m = 0, sec;
	if (n == 3) {
		h = parts[0]; m = parts[1]; sec = parts[2];
		if (m > 59 || sec > 59)
			return -1;
	} else if (n == 2) {
		m = parts[0]; sec = parts[1];
		if (sec > 59)
			return -1;
	} else
		sec = parts[0];
	return ((h * 60 + m) * 60 + sec) * 1000 + frac;
}

void
ui_fmt_eta(int64_t ms, char out[16])
{
	if (ms <= 0) {
		snprintf(out, 16, "--");
		return;
	}
	int64_t s = (ms + 999) / 1000;
	if (s < 600)
		snprintf(out, 16, "%d:%02d", (int)(s / 60), (int)(s % 60));
	else if (s < 3600)
		snprintf(out, 16, "%dm", (int)(s / 60));
	else if (s < 100 * 3600)
		snprintf(out, 16, "%dh%02dm", (int)(s / 3600), (int)(s / 60 % 60));
	else
		snprintf(out, 16, ">99h");
}

void
ui_fmt_bar(double fraction, int width, char *out, size_t outsz)
{
	if (outsz == 0)
		return;
	if (width < 0)
		width = 0;
	if ((size_t)width >= outsz)
		width = (int)outsz - 1;
	if (!(fraction >= 0))
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	int fill = (int)(fraction * width + 0.5);
	for (int i = 0; i < width; i++)
		out[i] = i < fill ? '#' : '-';
	out[width] = '\0';
}

void
ui_fmt_local(int64_t epoch_ms, char out[32])
{
	if (epoch_ms <= 0) {
		snprintf(out, 32, "-");
		return;
	}
	time_t t = (time_t)(epoch_ms / 1000);
	struct tm tm;
	if (localtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, 32, "-");
}
