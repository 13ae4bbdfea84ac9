/*
 * transcript.c — the recording's transcript (the "transcript" artefact the
 * transcribe stage writes) read as a list of timed segments, each wrapped
 * to the width under its time ("0:12:34  text"); `/` finds segments
 * (find.c), the play key plays the cut video from the selected one, E
 * shows it whole.  It only reads.  The text is the speech recognised from
 * outside: ui_put shows its control characters as spaces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "store.h"
#include "store_ui.h"
#include "fmt.h"
#include "ui.h"
#include "util.h"

#define TIME_COLS 10                /* " 0:12:34  " */

struct trv {
	struct ui *ui;
	int64_t id;
	char *title;
	struct transcript *tr;
	int cur, top;
};

void *
ui_transcript_new(struct ui *ui, int64_t rec_id)
{
	struct zpub_err err;
	struct store_recording *r = NULL;
	struct transcript *tr = NULL;
	char *path = NULL;
	if (store_recording_get(ui->store, rec_id, &r, &err) != 0) {
		ui_message(ui, 1, "%s", err.msg);
		return NULL;
	}
	int rc = store_ui_artifact_path(ui->store, rec_id, "transcript", &path, &err);
	if (rc == ZPUB_ENOTFOUND)
		ui_message(ui, 1, "#%lld has no transcript yet: it comes with the transcribe stage"
		    " (n runs the next stage)", (long long)rec_id);
	else if (rc == 0 && tr_load(path, &tr, &err) != 0)
		ui_message(ui, 1, "the transcript of #%lld cannot be read: %s", (long long)rec_id,
		    err.msg);
	else if (rc != 0)
		ui_message(ui, 1, "%s", err.msg);
	free(path);
	if (tr == NULL) {
		store_recording_free(r);
		return NULL;
	}
	if (tr->n_segs == 0)
		tr_segments_from_words(tr);
	struct trv *v = xcalloc(1, sizeof *v);
	v->ui = ui;
	v->id = rec_id;
	v->title = xstrdup(r->title ? r->title : "");
	v->tr = tr;
	store_recording_free(r);
	return v;
}

static void
transcript_free(struct ui_screen *s)
{
	struct trv *v = s->st;
	if (v == NULL)
		return;
	tr_free(v->tr);
	free(v->title);
	free(v);
}

static int
text_cols(const struct ui *ui)
{
	return ui->cols - TIME_COLS - 1;
}

/* Screen lines segment i takes. */
static int
seg_lines(const struct trv *v, int i)
{
	const char *t = v->tr->segs[i].text;
	return ui_wrap(t ? t : "", text_cols(v->ui), NULL, NULL);
}

/* The list's rows: the screen less title, header, message and hints. */
static int
list_rows(const struct ui *ui)
{
	return ui->rows - 4 > 1 ? ui->rows - 4 : 1;
}

/* Scrolls so that the whole selected segment shows. */
static void
keep_visible(struct trv *v)
{
	int h = list_rows(v->ui), used = 0;
	if (v->cur < v->top)
		v->top = v->cur;
	for (int i = v->top; i <= v->cur; i++)
		used += seg_lines(v, i);
	while (used > h && v->top < v->cur)
		used -= seg_lines(v, v->top++);
}

struct put_ctx {
	struct ui *ui;
	int y, end, attr;
};

static int
put_line(void *ctx, int k, const char *s, size_t n)
{
	struct put_ctx *c = ctx;
	char piece[4096];
	(void)k;
	if (c->y >= c->end)
		return 1;
	if (n >= sizeof piece)
		n = sizeof piece - 1;
	memcpy(piece, s, n);
	piece[n] = '\0';
	ui_put(c->ui, c->y, 0, TIME_COLS, c->attr, "");
	ui_put(c->ui, c->y++, TIME_COLS, c->ui->cols - TIME_COLS, c->attr, piece);
	return 0;
}

static void
transcript_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct trv *v = s->st;
	char line[1024], dur[16];
	ui_fmt_clock(v->tr->duration_ms, 0, dur);
	snprintf(line, sizeof line, "Transcript #%lld %s · %s%s%zu segments · %s", (long long)v->id,
	    v->title, v->tr->language, v->tr->language[0] ? " · " : "", v->tr->n_segs, dur);
	ui_put(ui, top, 0, ui->cols, ui_attr(ui, UI_R_HEADER), line);
	if (v->tr->n_segs == 0) {
		ui_put(ui, top + 1, 1, ui->cols - 1, ui_attr(ui, UI_R_DIM),
		    "The transcript has no speech in it.");
		return;
	}
	struct put_ctx c = { ui, top + 1, top + height, 0 };
	for (int i = v->top; i < (int)v->tr->n_segs && c.y < c.end; i++) {
		const struct tr_segment *g = &v->tr->segs[i];
		char at[16];
		c.attr = ui_attr(ui, i == v->cur ? UI_R_CURSOR : UI_R_NORMAL);
		int y = c.y;
		ui_wrap(g->text ? g->text : "", text_cols(ui), put_line, &c);
		ui_fmt_clock(g->start_ms, 0, at);
		snprintf(line, sizeof line, " %s", at);
		ui_put(ui, y, 0, TIME_COLS, ui_attr(ui, i == v->cur ? UI_R_CURSOR : UI_R_DIM), line);
	}
}

/* How many segments from the selected one fill a page (at least 1). */
static int
page_segs(const struct trv *v, int dir)
{
	int h = list_rows(v->ui), used = 0, k = 0;
	for (int i = v->cur; i >= 0 && i < (int)v->tr->n_segs; i += dir, k++) {
		used += seg_lines(v, i);
		if (used > h)
			break;
	}
	return k > 1 ? k - 1 : 1;
}

static int
transcript_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct trv *v = s->st;
	int n = (int)v->tr->n_segs;
	switch (a) {
	case UI_A_UP: v->cur--; break;
	case UI_A_DOWN: v->cur++; break;
	case UI_A_PAGE_UP: v->cur -= page_segs(v, -1); break;
	case UI_A_PAGE_DOWN: v->cur += page_segs(v, 1); break;
	case UI_A_TOP: v->cur = 0; break;
	case UI_A_BOTTOM: v->cur = n - 1; break;
	case UI_A_PLAY:
		ui_play(ui, v->id, n ? v->tr->segs[v->cur].start_ms : 0);
		return 1;
	case UI_A_VIEW: case UI_A_OPEN:
		if (n) {
			char title[64], at[16];
			ui_fmt_clock(v->tr->segs[v->cur].start_ms, 0, at);
			snprintf(title, sizeof title, "#%lld, transcript at %s", (long long)v->id, at);
			ui_pager_open(ui, title, v->tr->segs[v->cur].text);
		}
		return 1;
	default:
		return 0;
	}
	if (v->cur >= n)
		v->cur = n - 1;
	if (v->cur < 0)
		v->cur = 0;
	if (n)
		keep_visible(v);
	return 1;
}

/* `/` finds segments by their time and text (find.c). */
static int
tr_find_count(struct ui_screen *s)
{
	return (int)((struct trv *)s->st)->tr->n_segs;
}

static const char *
tr_find_text(struct ui_screen *s, int i, char *buf, size_t bufsz)
{
	const struct tr_segment *g = &((struct trv *)s->st)->tr->segs[i];
	char at[16];
	ui_fmt_clock(g->start_ms, 0, at);
	snprintf(buf, bufsz, "%s  %s", at, g->text ? g->text : "");
	return buf;
}

static int tr_find_cur(struct ui_screen *s) { return ((struct trv *)s->st)->cur; }

static void
tr_find_goto(struct ui *ui, struct ui_screen *s, int i)
{
	struct trv *v = s->st;
	(void)ui;
	v->cur = i;
	if (v->tr->n_segs)
		keep_visible(v);
}

static const enum ui_action transcript_hints[] = {
	UI_A_SEARCH, UI_A_PLAY, UI_A_VIEW, UI_A_PAGE_DOWN, UI_A_PAGE_UP, UI_A_NONE
};

const struct ui_screen_ops ui_transcript_ops = {
	.name = "transcript",
	.find_count = tr_find_count,
	.find_text = tr_find_text,
	.find_cur = tr_find_cur,
	.find_goto = tr_find_goto,
	.draw = transcript_draw,
	.action = transcript_action,
	.free = transcript_free,
	.hints = transcript_hints,
};
