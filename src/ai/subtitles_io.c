/*
 * subtitles_io.c — subtitle tracks as text: the SRT and WebVTT writers, the
 * strict parsers the tests (and anything reading files back) use, and the
 * rule check every track passes before it is written.  Layout lives in
 * subtitles.c.
 */
#include "ai.h"
#include "text.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- writers ------------------------------------------------------------- */

static void
fmt_time(struct sbuf *b, int64_t ms, char sep)
{
	if (ms < 0)
		ms = 0;
	sb_addf(b, "%02lld:%02lld:%02lld%c%03lld", (long long)(ms / 3600000),
	    (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60), sep,
	    (long long)(ms % 1000));
}

char *
subs_write_srt(const struct subs_track *t)
{
	struct sbuf b = {0};
	for (size_t i = 0; i < t->n; i++) {
		sb_addf(&b, "%zu\n", i + 1);
		fmt_time(&b, t->cues[i].start_ms, ',');
		sb_add(&b, " --> ");
		fmt_time(&b, t->cues[i].end_ms, ',');
		sb_addc(&b, '\n');
		sb_add(&b, t->cues[i].text);
		sb_add(&b, "\n\n");
	}
	return sb_take(&b);
}

char *
subs_write_vtt(const struct subs_track *t)
{
	struct sbuf b = {0};
	sb_add(&b, "WEBVTT\n\n");
	for (size_t i = 0; i < t->n; i++) {
		fmt_time(&b, t->cues[i].start_ms, '.');
		sb_add(&b, " --> ");
		fmt_time(&b, t->cues[i].end_ms, '.');
		sb_addc(&b, '\n');
		for (const char *p = t->cues[i].text; *p; p++) {
			if (*p == '&')
				sb_add(&b, "&amp;");
			else if (*p == '<')
				sb_add(&b, "&lt;");
			else if (*p == '>')
				sb_add(&b, "&gt;");
			else
				sb_addc(&b, *p);
		}
		sb_add(&b, "\n\n");
	}
	return sb_take(&b);
}

/* ---- strict parsers ------------------------------------------------------- */

struct lines {
	char **v;
	size_t n;
	char *buf;
};

static void
lines_split(const char *text, struct lines *l)
{
	if (strncmp(text, "\xEF\xBB\xBF", 3) == 0)
		text += 3;
	l->buf = xstrdup(text);
	l->n = 0;
	size_t cap = 64;
	l->v = xreallocarray(NULL, cap, sizeof *l->v);
	char *p = l->buf;
	while (*p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		size_t len = strlen(p);
		if (len && p[len - 1] == '\r')
			p[len - 1] = '\0';
		if (l->n == cap) {
			cap *= 2;
			l->v = xreallocarray(l->v, cap, sizeof *l->v);
		}
		l->v[l->n++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void
lines_free(struct lines *l)
{
	free(l->v);
	free(l->buf);
}

/* Parses "HH:MM:SS<sep>mmm" (hours optional when allow_short); returns the
 * byte count consumed or 0. */
static size_t
parse_ts(const char *s, char sep, int allow_short, int64_t *ms)
{
	int f[4] = {0}, nf = 0;
	size_t i = 0;
	for (;;) {
		size_t st = i;
		while (isdigit((unsigned char)s[i]))
			i++;
		size_t len = i - st;
		if (len == 0 || nf >= 3)
			return 0;
		if (nf > 0 && len != 2)
			return 0;
		if (nf == 0 && len < 2)
			return 0;
		long v = strtol(s + st, NULL, 10);
		f[nf++] = (int)v;
		if (s[i] == ':') {
			i++;
			continue;
		}
		if (s[i] != sep)
			return 0;
		i++;
		break;
	}
	if (nf == 2 && !allow_short)
		return 0;
	if (nf < 2)
		return 0;
	size_t st = i;
	while (isdigit((unsigned char)s[i]))
		i++;
	if (i - st != 3)
		return 0;
	int msv = atoi(s + st);
	int h = nf == 3 ? f[0] : 0, m = f[nf - 2], sec = f[nf - 1];
	if (m > 59 || sec > 59)
		return 0;
	*ms = ((int64_t)h * 3600 + m * 60 + sec) * 1000 + msv;
	return i;
}

static int
parse_timing(const char *line, char sep, int vtt, int64_t *s, int64_t *e)
{
	size_t n = parse_ts(line, sep, vtt, s);
	if (n == 0)
		return -1;
	if (strncmp(line + n, " --> ", 5) != 0)
		return -1;
	size_t m = parse_ts(line + n + 5, sep, vtt, e);
	if (m == 0)
		return -1;
	const char *rest = line + n + 5 + m;
	if (*rest != '\0' && !(vtt && (*rest == ' ' || *rest == '\t')))
		return -1;
	return *e > *s ? 0 : -2;
}

static char *
vtt_unescape(const char *s)
{
	struct sbuf b = {0};
	while (*s) {
		if (strncmp(s, "&amp;", 5) == 0)
			sb_addc(&b, '&'), s += 5;
		else if (strncmp(s, "&lt;", 4) == 0)
			sb_addc(&b, '<'), s += 4;
		else if (strncmp(s, "&gt;", 4) == 0)
			sb_addc(&b, '>'), s += 4;
		else if (strncmp(s, "&nbsp;", 6) == 0)
			sb_add(&b, "\xC2\xA0"), s += 6;
		else
			sb_addc(&b, *s++);
	}
	return sb_take(&b);
}

static int
parse_cues(struct lines *l, size_t i, int vtt, struct subs_track *t, struct zpub_err *err)
{
	const char *fmt = vtt ? "WebVTT" : "SRT";
	size_t expect = 1;
	while (i < l->n) {
		if (l->v[i][0] == '\0') {
			i++;
			continue;
		}
		size_t first = i;
		if (vtt && strncmp(l->v[i], "NOTE", 4) == 0 &&
		    (l->v[i][4] == '\0' || l->v[i][4] == ' ' || l->v[i][4] == '\t')) {
			while (i < l->n && l->v[i][0] != '\0')
				i++;
			continue;
		}
		if (!vtt) {
			char *end;
			long idx = strtol(l->v[i], &end, 10);
			if (*end != '\0' || end == l->v[i] || idx != (long)expect)
				return zpub_err_set(err, ZPUB_EINVAL,
				    "%s line %zu: expected cue number %zu, found \"%.40s\"", fmt,
				    i + 1, expect, l->v[i]);
			i++;
		} else if (strstr(l->v[i], "-->") == NULL) {
			i++; /* cue identifier */
		}
		if (i >= l->n)
			return zpub_err_set(err, ZPUB_EINVAL, "%s line %zu: cue without timing", fmt, i);
		int64_t s, e;
		int prc = parse_timing(l->v[i], vtt ? '.' : ',', vtt, &s, &e);
		if (prc == -1)
			return zpub_err_set(err, ZPUB_EINVAL, "%s line %zu: bad timing line \"%.60s\"",
			    fmt, i + 1, l->v[i]);
		if (prc == -2)
			return zpub_err_set(err, ZPUB_EINVAL, "%s line %zu: cue ends before it starts",
			    fmt, i + 1);
		i++;
		struct sbuf b = {0};
		while (i < l->n && l->v[i][0] != '\0') {
			if (strstr(l->v[i], "-->") != NULL) {
				sb_free(&b);
				return zpub_err_set(err, ZPUB_EINVAL,
				    "%s line %zu: \"-->\" inside cue text (missing blank line?)", fmt, i + 1);
			}
			if (!utf8_valid(l->v[i], strlen(l->v[i]))) {
				sb_free(&b);
				return zpub_err_set(err, ZPUB_EINVAL, "%s line %zu: invalid UTF-8", fmt, i + 1);
			}
			if (b.len)
				sb_addc(&b, '\n');
			sb_add(&b, l->v[i]);
			i++;
		}
		if (b.len == 0) {
			sb_free(&b);
			return zpub_err_set(err, ZPUB_EINVAL, "%s line %zu: cue has no text", fmt, first + 1);
		}
		char *text = sb_take(&b);
		if (vtt) {
			char *u = vtt_unescape(text);
			free(text);
			text = u;
		}
		subs_track_add(t, s, e, text);
		expect++;
	}
	return 0;
}

int
subs_parse_srt(const char *text, struct subs_track **out, struct zpub_err *err)
{
	struct lines l;
	struct subs_track *t = xcalloc(1, sizeof *t);
	lines_split(text, &l);
	int rc = parse_cues(&l, 0, 0, t, err);
	lines_free(&l);
	if (rc != 0) {
		subs_track_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

int
subs_parse_vtt(const char *text, struct subs_track **out, struct zpub_err *err)
{
	struct lines l;
	struct subs_track *t = xcalloc(1, sizeof *t);
	int rc = 0;
	lines_split(text, &l);
	if (l.n == 0 || strncmp(l.v[0], "WEBVTT", 6) != 0 ||
	    (l.v[0][6] != '\0' && l.v[0][6] != ' ' && l.v[0][6] != '\t')) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "WebVTT must start with a \"WEBVTT\" line");
		goto out;
	}
	size_t i = 1;
	while (i < l.n && l.v[i][0] != '\0') {
		if (strstr(l.v[i], "-->") != NULL) {
			rc = zpub_err_set(err, ZPUB_EINVAL,
			    "WebVTT line %zu: a blank line must follow the header", i + 1);
			goto out;
		}
		i++;
	}
	rc = parse_cues(&l, i, 1, t, err);
out:
	lines_free(&l);
	if (rc != 0) {
		subs_track_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* ---- rule check ----------------------------------------------------------- */

int
subs_cue_check(const struct subs_track *t, size_t i, const struct subs_rules *r,
    unsigned *soft, struct zpub_err *err)
{
	const struct subs_cue *c = &t->cues[i];
	int64_t dur = c->end_ms - c->start_ms;
	if (soft)
		*soft = 0;
	if (dur <= 0)
		return zpub_err_set(err, ZPUB_EINVAL, "cue %zu has no duration", i + 1);
	if (i > 0) {
		const struct subs_cue *p = &t->cues[i - 1];
		if (c->start_ms < p->start_ms)
			return zpub_err_set(err, ZPUB_EINVAL, "cue %zu starts before cue %zu", i + 1, i);
		if (c->start_ms < p->end_ms)
			return zpub_err_set(err, ZPUB_EINVAL, "cue %zu overlaps cue %zu", i + 1, i);
		if (c->start_ms - p->end_ms < r->min_gap_ms)
			return zpub_err_set(err, ZPUB_EINVAL,
			    "cue %zu follows cue %zu after %lld ms (min %lld)", i + 1, i,
			    (long long)(c->start_ms - p->end_ms), (long long)r->min_gap_ms);
	}
	int lines = 0;
	size_t chars = 0;
	const char *p = c->text;
	while (p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		size_t lc = utf8_nlen(p, len);
		lines++;
		chars += lc;
		if (len == 0)
			return zpub_err_set(err, ZPUB_EINVAL, "cue %zu has an empty line", i + 1);
		if (lc > (size_t)r->max_line_chars && memchr(p, ' ', len) != NULL)
			return zpub_err_set(err, ZPUB_EINVAL,
			    "cue %zu has a line of %zu characters (max %d): \"%.*s\"", i + 1, lc,
			    r->max_line_chars, (int)len, p);
		p = nl ? nl + 1 : NULL;
	}
	if (lines > r->max_lines)
		return zpub_err_set(err, ZPUB_EINVAL, "cue %zu has %d lines (max %d)", i + 1,
		    lines, r->max_lines);
	if (soft) {
		if (dur < r->min_cue_ms)
			*soft |= SUBS_SHORT;
		if (dur > r->max_cue_ms)
			*soft |= SUBS_LONG;
		if ((double)chars * 1000.0 / (double)dur > r->max_cps + 0.01)
			*soft |= SUBS_FAST;
	}
	return 0;
}

int
subs_check(const struct subs_track *t, const struct subs_rules *r,
    struct subs_report *rep, struct zpub_err *err)
{
	struct subs_report local = {0};
	if (rep == NULL)
		rep = &local;
	memset(rep, 0, sizeof *rep);
	for (size_t i = 0; i < t->n; i++) {
		unsigned soft;
		int rc = subs_cue_check(t, i, r, &soft, err);
		if (rc != 0)
			return rc;
		rep->too_short += (soft & SUBS_SHORT) != 0;
		rep->too_long += (soft & SUBS_LONG) != 0;
		rep->too_fast += (soft & SUBS_FAST) != 0;
	}
	return 0;
}
