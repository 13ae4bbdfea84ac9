/*
 * fmt.c — cutting UTF-8 to a number of columns for the terminal app, and
 * the small time formats it shows.  Widths are text.c's utf8_cp_width().
 */
#include "fmt.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util.h"

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
	int total = utf8_width(s);
	int budget = total > cols && ellipsis ? cols - 1 : cols;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);
		/* Controls (tabs, newlines, ESC, C1's CSI) become spaces: one row
		 * per item, and nothing the terminal would act on (util.h's rule). */
		int ctl = text_cp_is_control(cp);
		int cw = ctl ? 1 : utf8_cp_width(cp);
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
	if (len >= n)
		len = utf8_floor(src, n - 1);
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
