/*
 * chapters.c — a topic version as the chapter lines an editor reads and
 * writes: "HH:MM:SS Title" a line, a detail topic indented by two spaces.
 *
 * The reader takes what people paste from YouTube too ("MM:SS Title",
 * "H:MM:SS Title", a tab for the indent) and checks the list against the
 * rules YouTube applies to chapters, so a list it accepts is published as
 * written: the first at 00:00:00, at least three, each inside the video and
 * at least 10 s long, titles on one line, non-empty, within the title limit
 * and without '<' or '>'.  Every problem is reported with its line number;
 * when any line is wrong nothing is returned.  Pure: no files, no network.
 */
#include "ai.h"
#include "text.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHAPTER_MIN_MS   10000
#define CHAPTERS_MIN     3

static void
fmt_hms(char out[16], int64_t ms)
{
	long long s = ms < 0 ? 0 : ms / 1000;
	snprintf(out, 16, "%02lld:%02lld:%02lld", s / 3600 % 100, s / 60 % 60, s % 60);
}

char *
chapters_format(const struct topics *t)
{
	struct sbuf b = {0};

	for (size_t i = 0; t != NULL && i < t->n; i++) {
		char ts[16];
		fmt_hms(ts, t->v[i].start_ms);
		sb_addf(&b, "%s%s %s\n", t->v[i].level == TOPIC_DETAIL ? "  " : "", ts,
		    t->v[i].title ? t->v[i].title : "");
	}
	if (b.s == NULL)
		sb_add(&b, "");
	return sb_take(&b);
}

/* Problems, one sentence a line, kept in the error's message as long as
 * they fit; the rest are counted. */
struct problems {
	struct zpub_err *err;
	int n, shown;
	size_t len;
};

static void
problem(struct problems *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct problems *p, int line, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	p->n++;
	if (p->err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char one[360];
	int k = line > 0 ? snprintf(one, sizeof one, "line %d: %s", line, msg) :
	    snprintf(one, sizeof one, "%s", msg);
	if (k < 0)
		return;
	/* Room for this line and a closing "and N more". */
	if (p->len + (size_t)k + 2 + 40 >= sizeof p->err->msg)
		return;
	p->len += (size_t)snprintf(p->err->msg + p->len, sizeof p->err->msg - p->len, "%s%s",
	    p->len ? "\n" : "", one);
	p->shown++;
}

/* A chapter's time is a timecode with at least minutes ("MM:SS",
 * "HH:MM:SS"): a bare number is more likely the start of a title. */
static int64_t
parse_time(const char *s, size_t len)
{
	char word[24];

	if (len == 0 || len >= sizeof word || memchr(s, ':', len) == NULL)
		return -1;
	memcpy(word, s, len);
	word[len] = '\0';
	return time_parse_clock(word);
}

static int
title_problem(const char *title, size_t len, char *why, size_t whysz)
{
	if (len == 0) {
		snprintf(why, whysz, "the title is empty");
		return 1;
	}
	if (!utf8_valid(title, len)) {
		snprintf(why, whysz, "the title is not valid UTF-8");
		return 1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)title[i];
		if (c == '<' || c == '>') {
			snprintf(why, whysz, "the title has '%c', which YouTube refuses", c);
			return 1;
		}
		if (c < 0x20 || c == 0x7f) {
			snprintf(why, whysz, "the title has a control character");
			return 1;
		}
	}
	char *t = xstrndup(title, len);
	size_t chars = utf8_len(t);
	free(t);
	if (chars > TOPICS_MAX_TITLE_CHARS) {
		snprintf(why, whysz, "the title has %zu characters (at most %d)", chars,
		    TOPICS_MAX_TITLE_CHARS);
		return 1;
	}
	return 0;
}

/* One chapter line as written: its time, level and title (not copied). */
struct chapter_line {
	int64_t ms;
	enum topic_level level;
	const char *title;
	size_t title_len;
};

/* The previous accepted time, for the order and the 10 s rule. */
struct chapter_prev {
	int64_t ms;
	int line;
};

/* Reads one line (without its newline) into c.  Returns 1 for a chapter,
 * 0 for a blank line or a comment, -1 when the time is not a time (the
 * problem is reported). */
static int
chapter_line_read(const char *l, size_t len, int line, struct chapter_line *c,
    struct problems *p)
{
	if (len > 0 && l[len - 1] == '\r')
		len--;
	size_t ind = 0;
	while (ind < len && (l[ind] == ' ' || l[ind] == '\t'))
		ind++;
	if (ind == len || l[ind] == '#')
		return 0;               /* blank lines and comments */
	size_t te = ind;
	while (te < len && l[te] != ' ' && l[te] != '\t')
		te++;
	int64_t ms = parse_time(l + ind, te - ind);
	if (ms < 0) {
		problem(p, line, "\"%.*s\" is not a time; write HH:MM:SS, then the title",
		    (int)(te - ind > 20 ? 20 : te - ind), l + ind);
		return -1;
	}
	size_t ts = te;
	while (ts < len && (l[ts] == ' ' || l[ts] == '\t'))
		ts++;
	size_t tl = len - ts;
	while (tl > 0 && (l[ts + tl - 1] == ' ' || l[ts + tl - 1] == '\t'))
		tl--;
	c->ms = ms;
	c->level = ind > 0 ? TOPIC_DETAIL : TOPIC_MAIN;
	c->title = l + ts;
	c->title_len = tl;
	return 1;
}

/* Checks a chapter against the one before it and the video's length;
 * reports every problem and returns how many there were. */
static int
chapter_line_check(const struct chapter_line *c, int line, const struct chapter_prev *prev,
    int64_t duration_ms, struct problems *p)
{
	char hms[16], hms2[16], why[200];
	int64_t ms = c->ms;
	int bad = 0;

	fmt_hms(hms, ms);
	if (title_problem(c->title, c->title_len, why, sizeof why)) {
		problem(p, line, "%s", why);
		bad = 1;
	}
	if (prev->ms < 0) {
		if (ms != 0) {
			problem(p, line, "the first chapter starts at %s; it must start at "
			    "00:00:00", hms);
			bad = 1;
		}
		if (c->level != TOPIC_MAIN) {
			problem(p, line, "the first chapter is indented; it must be a main "
			    "chapter");
			bad = 1;
		}
	} else if (ms <= prev->ms) {
		fmt_hms(hms2, prev->ms);
		problem(p, line, "%s is not after the chapter before it (%s, line %d)", hms,
		    hms2, prev->line);
		bad = 1;
	} else if (ms - prev->ms < CHAPTER_MIN_MS) {
		fmt_hms(hms2, prev->ms);
		problem(p, line, "%s is %lld s after the chapter before it (%s, line %d); "
		    "YouTube needs chapters of 10 s or more", hms,
		    (long long)((ms - prev->ms) / 1000), hms2, prev->line);
		bad = 1;
	}
	if (duration_ms > 0 && ms >= duration_ms) {
		fmt_hms(hms2, duration_ms);
		problem(p, line, "%s is after the end of the video (%s)", hms, hms2);
		bad = 1;
	} else if (duration_ms > 0 && duration_ms - ms < CHAPTER_MIN_MS) {
		fmt_hms(hms2, duration_ms);
		problem(p, line, "%s is less than 10 s before the end of the video (%s); "
		    "YouTube needs chapters of 10 s or more", hms, hms2);
		bad = 1;
	}
	return bad;
}

/* Ends the problem list with "and N more" when some did not fit. */
static void
problems_finish(struct problems *p, struct zpub_err *err)
{
	if (err == NULL)
		return;
	if (p->shown < p->n) {
		size_t room = sizeof err->msg - p->len;
		snprintf(err->msg + p->len, room, "\nand %d more problem%s", p->n - p->shown,
		    p->n - p->shown == 1 ? "" : "s");
	}
	err->code = ZPUB_EINVAL;
}

int
chapters_parse(const char *text, int64_t duration_ms, struct topics **out,
    struct zpub_err *err)
{
	struct problems p = { err, 0, 0, 0 };
	struct topics *t = topics_new();
	const char *s = text ? text : "";
	struct chapter_prev prev = { -1, 0 };
	int line = 0;

	if (err != NULL) {
		err->code = 0;
		err->msg[0] = '\0';
	}
	if (text != NULL && !utf8_valid(text, strlen(text))) {
		problem(&p, 0, "the chapter list is not valid UTF-8");
		s = "";
	}
	while (*s) {
		const char *eol = strchr(s, '\n');
		size_t len = eol ? (size_t)(eol - s) : strlen(s);
		const char *l = s;
		struct chapter_line c;
		s = eol ? eol + 1 : s + len;
		line++;
		if (chapter_line_read(l, len, line, &c, &p) <= 0)
			continue;
		int bad = chapter_line_check(&c, line, &prev, duration_ms, &p);
		if (c.ms > prev.ms) {
			prev.ms = c.ms;
			prev.line = line;
		}
		if (!bad) {
			char *title = xstrndup(c.title, c.title_len);
			topics_add(t, c.ms, c.level, title);
			free(title);
		}
	}
	if (p.n == 0 && t->n < CHAPTERS_MIN)
		problem(&p, 0, "the list has %zu chapter%s; YouTube shows chapters only when there "
		    "are at least %d", t->n, t->n == 1 ? "" : "s", CHAPTERS_MIN);
	if (p.n > 0) {
		topics_free(t);
		*out = NULL;
		problems_finish(&p, err);
		return ZPUB_EINVAL;
	}
	snprintf(t->engine, sizeof t->engine, "editor");
	*out = t;
	return 0;
}
