/*
 * topics_edit.c — the topic editor's operations on a topic list (see
 * topics_edit.h).  Validation reuses ai/'s rules (topics_validate and the
 * YouTube chapter builder) and only adds which row to point at; the diff
 * says what a reviewer needs to look at in a new version.
 */
#include "topics_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "util.h"

static int64_t
clamp_time(int64_t ms, int64_t duration_ms)
{
	if (duration_ms > 1000 && ms > duration_ms - 1000)
		ms = duration_ms - 1000;
	if (ms < 0)
		ms = 0;
	return ms;
}

/* Moves v[sel] to its place by time (stable among equal times: the moved
 * one goes after those it passed); returns the new index. */
static int
resort(struct topics *t, int sel)
{
	struct topic x = t->v[sel];
	int i = sel;
	while (i > 0 && t->v[i - 1].start_ms > x.start_ms) {
		t->v[i] = t->v[i - 1];
		i--;
	}
	while (i + 1 < (int)t->n && t->v[i + 1].start_ms < x.start_ms) {
		t->v[i] = t->v[i + 1];
		i++;
	}
	t->v[i] = x;
	return i;
}

int
ui_topics_set_time(struct topics *t, int sel, int64_t ms, int64_t duration_ms)
{
	if (t == NULL || sel < 0 || (size_t)sel >= t->n)
		return sel;
	t->v[sel].start_ms = clamp_time(ms, duration_ms);
	return resort(t, sel);
}

int
ui_topics_nudge(struct topics *t, int sel, int64_t delta_ms, int64_t duration_ms)
{
	if (t == NULL || sel < 0 || (size_t)sel >= t->n)
		return sel;
	return ui_topics_set_time(t, sel, t->v[sel].start_ms + delta_ms, duration_ms);
}

int
ui_topics_insert(struct topics *t, int sel, int64_t duration_ms, const char *title)
{
	int64_t at;
	enum topic_level level = TOPIC_MAIN;
	if (t->n == 0)
		at = 0;
	else {
		if (sel < 0 || (size_t)sel >= t->n)
			sel = (int)t->n - 1;
		int64_t from = t->v[sel].start_ms;
		int64_t to = (size_t)sel + 1 < t->n ? t->v[sel + 1].start_ms :
		    duration_ms > 0 ? duration_ms : from + 120000;
		if (to - from < 2000)
			return -1;
		at = from + (to - from) / 2;
		at -= at % 1000;
		if (at <= from)
			at = from + 1000;
		level = t->v[sel].level;
	}
	topics_add(t, at, level, title ? title : "");
	return resort(t, (int)t->n - 1);
}

int
ui_topics_remove(struct topics *t, int sel)
{
	if (t == NULL || sel < 0 || (size_t)sel >= t->n)
		return t && t->n ? 0 : -1;
	free(t->v[sel].title);
	memmove(t->v + sel, t->v + sel + 1, (t->n - (size_t)sel - 1) * sizeof *t->v);
	t->n--;
	if (t->n == 0)
		return -1;
	return (size_t)sel < t->n ? sel : (int)t->n - 1;
}

int
ui_topics_set_title(struct topics *t, int sel, const char *title)
{
	if (t == NULL || sel < 0 || (size_t)sel >= t->n)
		return -1;
	char *dup = xstrdup(title ? title : "");
	free(t->v[sel].title);
	t->v[sel].title = dup;
	return 0;
}

void
ui_topics_toggle_level(struct topics *t, int sel)
{
	if (t && sel >= 0 && (size_t)sel < t->n)
		t->v[sel].level = t->v[sel].level == TOPIC_MAIN ? TOPIC_DETAIL : TOPIC_MAIN;
}

int
ui_topics_check(const struct topics *t, int64_t duration_ms, const char *language,
    char *msg, size_t msgsz, int *bad)
{
	struct zpub_err err;
	*bad = -1;
	msg[0] = '\0';
	if (topics_validate(t, duration_ms, &err) != 0) {
		snprintf(msg, msgsz, "%s", err.msg);
		/* Point at the row: topics_validate names it as "topic N". */
		const char *p = strstr(err.msg, "topic ");
		if (p && p[6] >= '1' && p[6] <= '9')
			*bad = atoi(p + 6) - 1;
		else if (strstr(err.msg, "first topic"))
			*bad = 0;
		return -1;
	}
	/* YouTube's rules come from the chapter builder itself. */
	char warning[256] = "";
	char *chap = desc_chapters(t, duration_ms, language, warning, sizeof warning);
	if (chap == NULL) {
		snprintf(msg, msgsz, "%s", warning[0] ? warning : "no YouTube chapter list can be made");
		return 1;
	}
	free(chap);
	/* Chapters closer than 10 s are dropped from the list: say which. */
	for (size_t i = 1; i < t->n; i++)
		if (t->v[i].start_ms - t->v[i - 1].start_ms < 10000) {
			char a[16];
			time_hms(t->v[i].start_ms, a);
			snprintf(msg, msgsz, "topic %zu (%s) is less than 10 s after the one before: YouTube"
			    " drops it from the chapters", i + 1, a);
			*bad = (int)i;
			return 1;
		}
	if (warning[0]) {
		snprintf(msg, msgsz, "%s", warning);
		return 1;
	}
	return 0;
}

/* ---- what changed between two versions ---- */

struct change {
	int64_t at_ms;              /* where it is now (removed: where it was) */
	size_t order;
	char *line;
};

static int
change_cmp(const void *a, const void *b)
{
	const struct change *x = a, *y = b;
	if (x->at_ms != y->at_ms)
		return x->at_ms < y->at_ms ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void
add_change(struct change *c, size_t *n, int64_t at_ms, char *line)
{
	c[*n] = (struct change){ at_ms, *n, line };
	(*n)++;
}

static const char *
level_name(enum topic_level l)
{
	return l == TOPIC_MAIN ? "main" : "detail";
}

/* Pairs to[j] with the first unpaired from[i] that the rule accepts. */
static void
pair_by(const struct topics *from, const struct topics *to, int *pf, int *pt, int rule)
{
	for (size_t j = 0; j < to->n; j++)
		for (size_t i = 0; i < from->n && pt[j] < 0; i++) {
			if (pf[i] >= 0)
				continue;
			int same_title = strcmp(from->v[i].title, to->v[j].title) == 0;
			int same_time = from->v[i].start_ms == to->v[j].start_ms;
			if ((rule == 0 && same_title && same_time) || (rule == 1 && same_title) ||
			    (rule == 2 && same_time)) {
				pf[i] = (int)j;
				pt[j] = (int)i;
			}
		}
}

char *
ui_topics_diff(const struct topics *from, const struct topics *to, int *nlines)
{
	size_t nf = from ? from->n : 0, nt = to ? to->n : 0, n = 0;
	int *pf = xreallocarray(NULL, nf + 1, sizeof *pf);
	int *pt = xreallocarray(NULL, nt + 1, sizeof *pt);
	struct change *c = xreallocarray(NULL, nf + nt + 1, sizeof *c);
	char a[16], b[16], lv[32];

	for (size_t i = 0; i < nf; i++)
		pf[i] = -1;
	for (size_t j = 0; j < nt; j++)
		pt[j] = -1;
	/* Unchanged first, then moved (same title), then retitled (same time). */
	for (int rule = 0; rule < 3 && nf && nt; rule++)
		pair_by(from, to, pf, pt, rule);
	for (size_t j = 0; j < nt; j++) {
		const struct topic *y = &to->v[j];
		ui_fmt_clock(y->start_ms, 0, b);
		if (pt[j] < 0) {
			add_change(c, &n, y->start_ms, xasprintf("+ %s  %s", b, y->title));
			continue;
		}
		const struct topic *x = &from->v[pt[j]];
		lv[0] = '\0';
		if (x->level != y->level)
			snprintf(lv, sizeof lv, " (%s → %s)", level_name(x->level), level_name(y->level));
		ui_fmt_clock(x->start_ms, 0, a);
		if (x->start_ms != y->start_ms)
			add_change(c, &n, y->start_ms, xasprintf("~ %s → %s  %s%s", a, b, y->title, lv));
		else if (strcmp(x->title, y->title) != 0)
			add_change(c, &n, y->start_ms, xasprintf("~ %s  %s → %s%s", b, x->title,
			    y->title, lv));
		else if (lv[0])
			add_change(c, &n, y->start_ms, xasprintf("~ %s  %s%s", b, y->title, lv));
	}
	for (size_t i = 0; i < nf; i++)
		if (pf[i] < 0) {
			ui_fmt_clock(from->v[i].start_ms, 0, a);
			add_change(c, &n, from->v[i].start_ms, xasprintf("- %s  %s", a, from->v[i].title));
		}
	qsort(c, n, sizeof *c, change_cmp);
	size_t len = 0;
	for (size_t k = 0; k < n; k++)
		len += strlen(c[k].line) + 1;
	char *out = xmalloc(len + 1), *p = out;
	for (size_t k = 0; k < n; k++) {
		size_t l = strlen(c[k].line);
		memcpy(p, c[k].line, l);
		p[l] = '\n';
		p += l + 1;
		free(c[k].line);
	}
	*p = '\0';
	if (nlines)
		*nlines = (int)n;
	free(c);
	free(pf);
	free(pt);
	return out;
}
