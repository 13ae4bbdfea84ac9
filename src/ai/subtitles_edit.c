/*
 * subtitles_edit.c — what the subtitle editor does to a cue track: new
 * times for a cue, a split at a place in its text (the time divided by
 * the text's share of characters) and a merge with the next cue.  Each is
 * refused, the track untouched, when the result would break a hard rule of
 * subs_cue_check; soft rules (reading speed, duration range) are the
 * editor's warnings.
 */
#include "ai.h"
#include "text.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "0:01:02.345" */
static void
cue_time(int64_t ms, char out[32])
{
	char hms[16];
	time_hms(ms < 0 ? 0 : ms, hms);
	snprintf(out, 32, "%s.%03d", hms, (int)((ms < 0 ? 0 : ms) % 1000));
}

struct subs_track *
subs_track_copy(const struct subs_track *t)
{
	struct subs_track *c = xcalloc(1, sizeof *c);
	c->cap = t->n ? t->n : 1;
	c->cues = xreallocarray(NULL, c->cap, sizeof *c->cues);
	for (size_t i = 0; i < t->n; i++)
		c->cues[i] = (struct subs_cue){ t->cues[i].start_ms, t->cues[i].end_ms,
		    xstrdup(t->cues[i].text) };
	c->n = t->n;
	return c;
}

int
subs_cue_set_times(struct subs_track *t, size_t i, int64_t start_ms, int64_t end_ms,
    const struct subs_rules *r, struct zpub_err *err)
{
	char a[32], b[32];
	if (i >= t->n)
		return zpub_err_set(err, ZPUB_EINVAL, "there is no cue %zu", i + 1);
	if (start_ms < 0)
		return zpub_err_set(err, ZPUB_EINVAL, "cue %zu cannot start before 0:00:00", i + 1);
	if (end_ms <= start_ms) {
		cue_time(start_ms, a);
		cue_time(end_ms, b);
		return zpub_err_set(err, ZPUB_EINVAL, "cue %zu would end (%s) before it starts (%s):"
		    " it needs a duration", i + 1, b, a);
	}
	if (i > 0 && start_ms < t->cues[i - 1].end_ms + r->min_gap_ms) {
		cue_time(t->cues[i - 1].end_ms, b);
		return zpub_err_set(err, ZPUB_EINVAL, "cue %zu would overlap cue %zu, which ends at"
		    " %s (cues need %lld ms between them)", i + 1, i, b, (long long)r->min_gap_ms);
	}
	if (i + 1 < t->n && end_ms + r->min_gap_ms > t->cues[i + 1].start_ms) {
		cue_time(t->cues[i + 1].start_ms, a);
		return zpub_err_set(err, ZPUB_EINVAL, "cue %zu would overlap cue %zu, which starts at"
		    " %s (cues need %lld ms between them)", i + 1, i + 2, a, (long long)r->min_gap_ms);
	}
	t->cues[i].start_ms = start_ms;
	t->cues[i].end_ms = end_ms;
	return 0;
}

int64_t
subs_split_at_ms(int64_t start_ms, int64_t end_ms, size_t left_chars, size_t right_chars)
{
	size_t all = left_chars + right_chars;
	if (all == 0)
		return start_ms + (end_ms - start_ms) / 2;
	return start_ms + (int64_t)((double)(end_ms - start_ms) * (double)left_chars /
	    (double)all + 0.5);
}

/* text with its lines joined by spaces, trimmed: malloc'd */
static char *
flat(const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\n')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\n'))
		len--;
	char *o = xstrndup(s, len);
	for (char *p = o; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return o;
}

int
subs_cue_split(struct subs_track *t, size_t i, size_t at_char, const struct subs_rules *r,
    struct zpub_err *err)
{
	if (i >= t->n)
		return zpub_err_set(err, ZPUB_EINVAL, "there is no cue %zu", i + 1);
	struct subs_cue *c = &t->cues[i];
	const char *s = c->text;
	size_t len = strlen(s), off = 0;
	for (size_t k = 0; k < at_char && off < len; k++) {
		uint32_t cp;
		off += utf8_next(s + off, len - off, &cp);
	}
	char *l = flat(s, off), *rt = flat(s + off, len - off);
	char *lw = NULL, *rw = NULL;
	int rc = 0;
	if (*l == '\0' || *rt == '\0') {
		rc = zpub_err_set(err, ZPUB_EINVAL, "the cursor is at an end of cue %zu's text: put it"
		    " where the cue should split", i + 1);
		goto out;
	}
	int64_t mid = subs_split_at_ms(c->start_ms, c->end_ms, utf8_len(l), utf8_len(rt));
	int64_t end1 = mid - r->min_gap_ms / 2, start2 = end1 + r->min_gap_ms;
	if (end1 <= c->start_ms || start2 >= c->end_ms) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "cue %zu is too short to split there (%lld ms)",
		    i + 1, (long long)(c->end_ms - c->start_ms));
		goto out;
	}
	lw = subs_wrap(l, r);
	rw = subs_wrap(rt, r);
	if (lw == NULL || rw == NULL) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "a part of cue %zu does not fit %d lines of %d"
		    " characters", i + 1, r->max_lines, r->max_line_chars);
		goto out;
	}
	int64_t end2 = c->end_ms;
	subs_track_add(t, 0, 0, NULL);          /* room for one more */
	c = &t->cues[i];
	memmove(c + 2, c + 1, (t->n - i - 2) * sizeof *c);
	free(c->text);
	c[0] = (struct subs_cue){ c->start_ms, end1, lw };
	c[1] = (struct subs_cue){ start2, end2, rw };
	lw = rw = NULL;
out:
	free(l);
	free(rt);
	free(lw);
	free(rw);
	return rc;
}

int
subs_cue_merge(struct subs_track *t, size_t i, const struct subs_rules *r,
    struct zpub_err *err)
{
	if (i + 1 >= t->n)
		return zpub_err_set(err, ZPUB_EINVAL, "cue %zu is the last: there is no next cue to"
		    " merge it with", i + 1);
	struct subs_cue *c = &t->cues[i];
	char *a = flat(c[0].text, strlen(c[0].text)), *b = flat(c[1].text, strlen(c[1].text));
	char *both = xasprintf("%s %s", a, b);
	char *w = subs_wrap(both, r);
	free(a);
	free(b);
	free(both);
	if (w == NULL)
		return zpub_err_set(err, ZPUB_EINVAL, "cues %zu and %zu together do not fit %d lines"
		    " of %d characters: shorten one first", i + 1, i + 2, r->max_lines,
		    r->max_line_chars);
	free(c[0].text);
	free(c[1].text);
	c[0].text = w;
	c[0].end_ms = c[1].end_ms;
	memmove(c + 1, c + 2, (t->n - i - 2) * sizeof *c);
	t->n--;
	return 0;
}
