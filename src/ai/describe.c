/*
 * describe.c — the video's title and description, rendered from templates.
 *
 * Templates use {{name}} variables (title, date, n, topics, summary,
 * duration, language, plus any the caller adds).  {{topics}} becomes a
 * YouTube chapter list, which YouTube only accepts when the first chapter is
 * 00:00, there are at least three, they ascend and each lasts 10 s or more;
 * when the topics cannot make such a list it is left out with a warning.
 * Platform limits are enforced last: title <= 100 characters on one line,
 * description <= 5000 bytes, neither with '<' or '>'; cuts fall between
 * words and never inside a UTF-8 sequence.  Pure: no files, no network.
 */
#include "ai.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void
warn(char *w, size_t wsz, const char *msg)
{
	if (w == NULL || wsz == 0)
		return;
	size_t len = strnlen(w, wsz);
	if (len + 3 >= wsz)
		return;
	snprintf(w + len, wsz - len, "%s%s", len ? "; " : "", msg);
}

static void
fmt_chapter_time(char out[32], int64_t ms, int with_hours)
{
	unsigned s = (unsigned)((ms < 0 ? 0 : ms) / 1000 % 36000000);
	if (with_hours)
		snprintf(out, 32, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, 32, "%02u:%02u", s / 60, s % 60);
}

struct chap {
	int64_t start_ms;
	int detail;
	const char *title;
};

static int
cmp_chap(const void *a, const void *b)
{
	const struct chap *x = a, *y = b;
	if (x->start_ms != y->start_ms)
		return x->start_ms < y->start_ms ? -1 : 1;
	return x->detail - y->detail;
}

char *
desc_chapters(const struct topics *t, int64_t duration_ms, const char *language,
    char *warning, size_t warning_sz)
{
	const int64_t min_ms = 10000;
	struct chap *c;
	size_t n = 0;
	char msg[200];

	if (t == NULL || t->n == 0) {
		warn(warning, warning_sz, "no topics, so the description has no chapter list");
		return NULL;
	}
	c = xcalloc(t->n + 1, sizeof *c);
	int ru = language && strncmp(language, "ru", 2) == 0;
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].title == NULL || t->v[i].title[0] == '\0' || t->v[i].start_ms < 0)
			continue;
		if (duration_ms > 0 && t->v[i].start_ms >= duration_ms)
			continue;
		c[n++] = (struct chap){ t->v[i].start_ms, t->v[i].level == TOPIC_DETAIL, t->v[i].title };
	}
	qsort(c, n, sizeof *c, cmp_chap);
	if (n > 0 && c[0].start_ms > 0) {
		if (c[0].start_ms < min_ms) {
			c[0].start_ms = 0;
		} else {
			memmove(c + 1, c, n * sizeof *c);
			c[0] = (struct chap){ 0, 0, ru ? "Вступление" : "Introduction" };
			n++;
		}
	}
	/* Keep chapters at least 10 s apart, preferring main topics to details. */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k == 0) {
			c[k++] = c[i];
			continue;
		}
		if (c[i].start_ms - c[k - 1].start_ms >= min_ms) {
			c[k++] = c[i];
			continue;
		}
		/* Too close: a main topic may replace a detail before it. */
		if (!c[i].detail && c[k - 1].detail && k >= 2 &&
		    c[i].start_ms - c[k - 2].start_ms >= min_ms)
			c[k - 1] = c[i];
	}
	n = k;
	while (n > 1 && duration_ms > 0 && duration_ms - c[n - 1].start_ms < min_ms)
		n--;
	if (n < 3) {
		snprintf(msg, sizeof msg, "chapter list left out: the topics give %zu chapter%s of "
		    "10 s or more, YouTube needs at least 3 starting at 00:00", n, n == 1 ? "" : "s");
		warn(warning, warning_sz, msg);
		free(c);
		return NULL;
	}
	struct sbuf b = {0};
	int hours = duration_ms >= 3600000 || c[n - 1].start_ms >= 3600000;
	for (size_t i = 0; i < n; i++) {
		char ts[32];
		char *title = desc_clean_title(c[i].title);
		fmt_chapter_time(ts, c[i].start_ms, hours);
		sb_addf(&b, "%s %s%s\n", ts, c[i].detail ? "\xE2\x80\x93 " : "", title);
		free(title);
	}
	free(c);
	if (b.len)
		b.s[--b.len] = '\0';
	return sb_take(&b);
}

/* ---- templates ----------------------------------------------------------- */

static char *
var_value(const char *name, const struct desc_vars *v, char *warning, size_t wsz)
{
	if (strcmp(name, "title") == 0)
		return xstrdup(v->title ? v->title : "");
	if (strcmp(name, "date") == 0)
		return xstrdup(v->date ? v->date : "");
	if (strcmp(name, "n") == 0)
		return v->n > 0 ? xasprintf("%d", v->n) : xstrdup("");
	if (strcmp(name, "summary") == 0) {
		if (v->summary)
			return xstrdup(v->summary);
		return xstrdup(v->topics && v->topics->summary ? v->topics->summary : "");
	}
	if (strcmp(name, "language") == 0)
		return xstrdup(v->language ? v->language : "");
	if (strcmp(name, "duration") == 0) {
		char hms[16];
		time_hms(v->duration_ms, hms);
		return xstrdup(hms);
	}
	if (strcmp(name, "topics") == 0 || strcmp(name, "chapters") == 0) {
		char *s = desc_chapters(v->topics, v->duration_ms, v->language, warning, wsz);
		return s ? s : xstrdup("");
	}
	const cJSON *x = v->extra ? cJSON_GetObjectItemCaseSensitive(v->extra, name) : NULL;
	if (cJSON_IsString(x))
		return xstrdup(x->valuestring);
	if (cJSON_IsNumber(x)) {
		double d = x->valuedouble;
		if (d == (double)(long long)d)
			return xasprintf("%lld", (long long)d);
		return xasprintf("%g", d);
	}
	char msg[120];
	snprintf(msg, sizeof msg, "unknown template variable {{%.60s}} left empty", name);
	warn(warning, wsz, msg);
	return xstrdup("");
}

char *
desc_render(const char *tpl, const struct desc_vars *v, char *warning, size_t warning_sz)
{
	struct sbuf b = {0};
	const char *p = tpl ? tpl : "";

	while (*p) {
		const char *open = strstr(p, "{{");
		if (open == NULL) {
			sb_add(&b, p);
			break;
		}
		const char *close = strstr(open + 2, "}}");
		if (close == NULL) {
			sb_add(&b, p);
			break;
		}
		sb_addn(&b, p, (size_t)(open - p));
		const char *ns = open + 2, *ne = close;
		while (ns < ne && isspace((unsigned char)*ns))
			ns++;
		while (ne > ns && isspace((unsigned char)ne[-1]))
			ne--;
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)(ne - ns), ns);
		char *val = var_value(name, v, warning, warning_sz);
		sb_add(&b, val);
		free(val);
		p = close + 2;
	}
	/* Variables that came out empty leave runs of blank lines: keep one. */
	char *s = sb_take(&b);
	size_t o = 0, nl = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '\n') {
			if (++nl > 2)
				continue;
		} else {
			nl = 0;
		}
		s[o++] = s[i];
	}
	while (o > 0 && (s[o - 1] == '\n' || s[o - 1] == ' '))
		o--;
	s[o] = '\0';
	size_t lead = 0;
	while (s[lead] == '\n')
		lead++;
	memmove(s, s + lead, o - lead + 1);
	return s;
}

/* ---- limits --------------------------------------------------------------- */

/* Copies s with '<' '>' replaced by '‹' '›', invalid UTF-8 by '?', control
 * characters by spaces (newlines kept when keep_nl). */
static char *
sanitize(const char *s, int keep_nl)
{
	struct sbuf b = {0};
	for (const char *p = s ? s : ""; *p;) {
		uint32_t cp;
		size_t n = utf8_next_str(p, &cp);
		if (cp == 0xFFFD && n == 1 && (unsigned char)*p >= 0x80)
			sb_addc(&b, '?');
		else if (cp == '<')
			sb_add(&b, "\xE2\x80\xB9");
		else if (cp == '>')
			sb_add(&b, "\xE2\x80\xBA");
		else if (cp == '\n' && keep_nl)
			sb_addc(&b, '\n');
		else if (cp == '\r' && keep_nl)
			;
		else if (cp < 0x20 || cp == 0x7F)
			sb_addc(&b, cp == '\t' && keep_nl ? '\t' : ' ');
		else
			sb_addn(&b, p, n);
		p += n;
	}
	return sb_take(&b);
}

/* Cuts s (valid UTF-8) to at most max_bytes bytes and max_chars characters,
 * at a word boundary when one is reasonably close, adding "…". */
static void
cut_words(char *s, size_t max_bytes, size_t max_chars)
{
	size_t len = strlen(s);
	if (len <= max_bytes && utf8_len(s) <= max_chars)
		return;
	/* room for the ellipsis (3 bytes, 1 character) */
	size_t lim = max_bytes - 3, chars = 0, i = 0;
	while (s[i] && i < lim) {
		uint32_t cp;
		size_t n = utf8_next_str(s + i, &cp);
		if (i + n > lim || chars + 1 > max_chars - 1)
			break;
		i += n;
		chars++;
	}
	size_t cut = i;
	for (size_t j = i; j > i * 2 / 3; j--) {
		if (s[j] == ' ' || s[j] == '\n' || s[j] == '\t') {
			cut = j;
			break;
		}
	}
	while (cut > 0 && (s[cut - 1] == ' ' || s[cut - 1] == '\n' || s[cut - 1] == ',' ||
	    s[cut - 1] == '\t'))
		cut--;
	memcpy(s + cut, "\xE2\x80\xA6", 4);
}

char *
desc_clean_title(const char *in)
{
	char *s = sanitize(in, 0);
	size_t o = 0;
	int space = 1;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == ' ') {
			if (space)
				continue;
			space = 1;
		} else {
			space = 0;
		}
		s[o++] = s[i];
	}
	while (o > 0 && s[o - 1] == ' ')
		o--;
	s[o] = '\0';
	cut_words(s, SIZE_MAX / 2, DESC_TITLE_MAX_CHARS);
	return s;
}

char *
desc_clean_description(const char *in)
{
	char *s = sanitize(in, 1);
	cut_words(s, DESC_MAX_BYTES, SIZE_MAX / 2);
	return s;
}

int
desc_build(const char *title_tpl, const char *desc_tpl, const struct desc_vars *v,
    char **title, char **description, char *warning, size_t warning_sz,
    struct zpub_err *err)
{
	char *t = desc_render(title_tpl ? title_tpl : "{{title}}", v, warning, warning_sz);
	char *d = desc_render(desc_tpl ? desc_tpl : "", v, warning, warning_sz);
	char *ct = desc_clean_title(t), *cd = desc_clean_description(d);

	free(t);
	free(d);
	if (ct[0] == '\0') {
		free(ct);
		ct = desc_clean_title(v->title && v->title[0] ? v->title : v->date ? v->date : "Lecture");
		warn(warning, warning_sz, "the title template gave an empty title; used the recording's name");
	}
	if (ct[0] == '\0') {
		free(ct);
		free(cd);
		return zpub_err_set(err, ZPUB_EINVAL,
		    "the title template gave an empty title and the recording has no name; "
		    "set metadata.title in the template");
	}
	*title = ct;
	*description = cd;
	return 0;
}

/* "MM:SS", "H:MM:SS" or "HH:MM:SS" at the start of a line; ms or -1. */
static int64_t
line_timestamp(const char *p)
{
	int a = 0, b = 0, c = 0, n = 0;
	if (sscanf(p, "%d:%2d:%2d%n", &a, &b, &c, &n) == 3 && isdigit((unsigned char)p[n - 1]) &&
	    (p[n] == ' ' || p[n] == '\t'))
		return ((int64_t)a * 3600 + b * 60 + c) * 1000;
	if (sscanf(p, "%d:%2d%n", &a, &b, &n) == 2 && (p[n] == ' ' || p[n] == '\t'))
		return ((int64_t)a * 60 + b) * 1000;
	return -1;
}

int
desc_check_chapters(const char *description, struct zpub_err *err)
{
	int64_t prev = -1;
	int count = 0;
	for (const char *p = description; p && *p;) {
		if (isdigit((unsigned char)*p)) {
			int64_t t = line_timestamp(p);
			if (t >= 0) {
				if (count == 0 && t != 0)
					return zpub_err_set(err, ZPUB_EINVAL,
					    "the first chapter must start at 00:00");
				if (count > 0 && t - prev < 10000)
					return zpub_err_set(err, ZPUB_EINVAL,
					    "chapter %d starts %lld ms after the previous one (YouTube "
					    "needs 10 s and ascending order)", count + 1, (long long)(t - prev));
				prev = t;
				count++;
			}
		}
		const char *nl = strchr(p, '\n');
		p = nl ? nl + 1 : NULL;
	}
	if (count > 0 && count < 3)
		return zpub_err_set(err, ZPUB_EINVAL, "only %d chapters (YouTube needs 3)", count);
	return 0;
}
