/*
 * browser.c — the recordings browser: one page of the tenant's recordings
 * (status, date, duration, title, live progress bar with ETA), sorted,
 * filtered by status, searched as you type, with marks for batch actions.
 * The review queue is a filter too: the recordings held for a person's
 * approval, counted in the header whatever the view.
 *
 * It reads only the rows on screen.  When another process commits, it
 * re-reads those rows by id and recounts at most every two seconds (or at
 * once when a row it shows changed status or went away).
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store.h"
#include "store_ui.h"
#include "fmt.h"
#include "ui.h"
#include "util.h"

#define RECOUNT_MS 2000
#define HEAD_ROWS 2

struct browser {
	struct store_ui_query q;
	char search[256];
	int64_t total;
	int64_t counts[ST__COUNT];
	int64_t held;                   /* waiting for review */
	int64_t counted_at;
	int64_t cur, top;               /* absolute positions in the ordered list */
	struct store_ui_row *rows;      /* the page at top */
	int nrows;
	int64_t *marks;
	int nmarks, capmarks;
	int full;                       /* next reload recounts and re-reads the page */
	int picking;                    /* the status filter menu is open */
	char error[256];
};

/* The status filter menu: the groups first, then every status by name. */
static const struct {
	const char *name;
	int status;
} filter_groups[] = {
	{ "active", STORE_UI_ACTIVE }, { "waiting for review", STORE_UI_HELD },
	{ "failed", ST_FAILED }, { "ready", ST_READY }, { "skipped/expired", STORE_UI_SET_ASIDE },
	{ "all", -1 },
};
#define N_GROUPS (int)(sizeof filter_groups / sizeof filter_groups[0])

/* Menu entry i: a group, then the statuses (lower case). */
static const char *
filter_name(int i, char *buf, size_t bufsz)
{
	if (i < N_GROUPS)
		return filter_groups[i].name;
	snprintf(buf, bufsz, "%s", status_name((enum rec_status)(i - N_GROUPS)));
	for (char *p = buf; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	return buf;
}

static int
filter_status(int i)
{
	return i < N_GROUPS ? filter_groups[i].status : i - N_GROUPS;
}

/* The entry text names: itself, else the first it begins (-1: none). */
static int
filter_match(const char *text)
{
	char buf[32];
	int first = -1;
	for (int i = 0; i < N_GROUPS + ST__COUNT; i++) {
		const char *n = filter_name(i, buf, sizeof buf);
		if (strcasecmp(n, text) == 0)
			return i;
		if (first < 0 && strncasecmp(n, text, strlen(text)) == 0)
			first = i;
	}
	return first;
}

static int
page_rows(struct ui *ui)
{
	int h = ui->rows - 3 - HEAD_ROWS;
	return h < 1 ? 1 : h;
}

static void
clamp(struct browser *b, int h)
{
	if (b->cur >= b->total)
		b->cur = b->total - 1;
	if (b->cur < 0)
		b->cur = 0;
	if (b->top > b->total - h)
		b->top = b->total - h;
	if (b->top < 0)
		b->top = 0;
	if (b->cur < b->top)
		b->top = b->cur;
	if (b->cur >= b->top + h)
		b->top = b->cur - h + 1;
}

static void
load_page(struct ui *ui, struct browser *b)
{
	struct zpub_err err;
	int h = page_rows(ui);
	clamp(b, h);
	store_ui_rows_free(b->rows, b->nrows);
	b->rows = NULL;
	b->nrows = 0;
	struct store_ui_query q = b->q;
	q.limit = h;
	q.offset = (int)b->top;
	/* In the far half, read from the other end: OFFSET walks the index, so
	 * the end of 100,000 rows costs what the start does. */
	int flip = b->top > b->total / 2 && b->total > 2 * h;
	if (flip) {
		int64_t end = b->top + h < b->total ? b->top + h : b->total;
		q.descending = !q.descending;
		q.offset = (int)(b->total - end);
		q.limit = (int)(end - b->top);
	}
	if (store_ui_rows(ui->store, &q, &b->rows, &b->nrows, &err) != 0)
		ui_strlcpy(b->error, err.msg, sizeof b->error);
	else if (flip)
		for (int i = 0, j = b->nrows - 1; i < j; i++, j--) {
			struct store_ui_row t = b->rows[i];
			b->rows[i] = b->rows[j];
			b->rows[j] = t;
		}
}

/* Counts what the query matches and reads the page; the per-status
 * counts in the header only when with_counts (they ignore the filter). */
static void
load_count(struct ui *ui, struct browser *b, int with_counts)
{
	struct zpub_err err;
	b->error[0] = '\0';
	struct store_ui_query held = { .tenant_id = ui->tenant_id, .status = STORE_UI_HELD };
	if (store_ui_count(ui->store, &b->q, &b->total, &err) != 0 ||
	    (with_counts && (store_recording_status_counts(ui->store, ui->tenant_id, b->counts,
	    &err) != 0 || store_ui_count(ui->store, &held, &b->held, &err) != 0)))
		ui_strlcpy(b->error, err.msg, sizeof b->error);
	if (with_counts) {
		b->counted_at = time_mono_ms();
		b->full = 0;
	}
	load_page(ui, b);
}

static void
load_full(struct ui *ui, struct browser *b)
{
	load_count(ui, b, 1);
}

static void
browser_reload(struct ui *ui, struct ui_screen *s)
{
	struct browser *b = s->st;
	struct zpub_err err;
	if (b->full || b->nrows != page_rows(ui) || time_mono_ms() - b->counted_at >= RECOUNT_MS) {
		load_full(ui, b);
		return;
	}
	/* Cheap path: the rows on screen, by id. */
	enum rec_status before[512];
	int hold[512];
	int n = b->nrows < 512 ? b->nrows : 512, gone = 0;
	for (int i = 0; i < n; i++) {
		before[i] = b->rows[i].status;
		hold[i] = b->rows[i].review_hold;
	}
	if (store_ui_rows_refresh(ui->store, b->rows, b->nrows, &gone, &err) != 0) {
		ui_strlcpy(b->error, err.msg, sizeof b->error);
		return;
	}
	int moved = gone > 0;
	for (int i = 0; i < n && !moved; i++)
		moved = before[i] != b->rows[i].status || hold[i] != b->rows[i].review_hold;
	if (moved)
		load_full(ui, b);
}

void *
ui_browser_new(struct ui *ui)
{
	struct browser *b = xcalloc(1, sizeof *b);
	b->q.tenant_id = ui->tenant_id;
	b->q.status = -1;
	b->q.sort = STORE_UI_SORT_DATE;
	b->q.descending = 1;
	b->full = 1;
	load_full(ui, b);
	return b;
}

static void
browser_free(struct ui_screen *s)
{
	struct browser *b = s->st;
	if (b == NULL)
		return;
	store_ui_rows_free(b->rows, b->nrows);
	free(b->marks);
	free(b);
}

static int
marked(const struct browser *b, int64_t id)
{
	for (int i = 0; i < b->nmarks; i++)
		if (b->marks[i] == id)
			return 1;
	return 0;
}

static void
toggle_mark(struct browser *b, int64_t id)
{
	for (int i = 0; i < b->nmarks; i++)
		if (b->marks[i] == id) {
			b->marks[i] = b->marks[--b->nmarks];
			return;
		}
	if (b->nmarks == b->capmarks) {
		b->capmarks = b->capmarks ? b->capmarks * 2 : 32;
		b->marks = xreallocarray(b->marks, (size_t)b->capmarks, sizeof *b->marks);
	}
	b->marks[b->nmarks++] = id;
}

static const struct store_ui_row *
current(const struct browser *b)
{
	int64_t i = b->cur - b->top;
	return i >= 0 && i < b->nrows ? &b->rows[i] : NULL;
}

static void
run_search(struct ui *ui, void *ctx)
{
	struct browser *b = ctx;
	b->q.search = b->search[0] ? b->search : NULL;
	b->cur = b->top = 0;
	load_count(ui, b, 0);
	ui_redraw(ui);
}

/* Every key of the search updates the line at once; the query runs when
 * typing pauses for 60 ms (or on Enter), so a fast typist over 100,000
 * titles does not wait for a scan per letter. */
static void
search_changed(struct ui *ui, void *ctx, const char *text, int done)
{
	struct browser *b = ctx;
	if (done < 0)
		text = "";            /* Esc clears the search */
	ui_strlcpy(b->search, text, sizeof b->search);
	if (done == 0)
		ui_defer(ui, 60, run_search, b);
	else {
		ui_defer(ui, 0, NULL, NULL);
		run_search(ui, b);
	}
}

static void
open_detail(struct ui *ui, int64_t id)
{
	ui_push(ui, &ui_detail_ops, ui_detail_new(ui, id));
}

static void
open_topics(struct ui *ui, int64_t id)
{
	ui_push(ui, &ui_topics_ops, ui_topics_new(ui, id));
}

static void
open_subtitles(struct ui *ui, int64_t id)
{
	ui_push(ui, &ui_subtitles_ops, ui_subtitles_new(ui, id));
}

static void
open_transcript(struct ui *ui, int64_t id)
{
	ui_push(ui, &ui_transcript_ops, ui_transcript_new(ui, id));
}

static void
play(struct ui *ui, int64_t id)
{
	ui_play(ui, id, 0);
}

/* What the keys do to the recording under the cursor (nothing on an empty page). */
static const struct {
	enum ui_action a;
	void (*fn)(struct ui *, int64_t);
} row_actions[] = {
	{ UI_A_OPEN, open_detail },
	{ UI_A_TOPICS, open_topics },
	{ UI_A_SUBTITLES, open_subtitles },
	{ UI_A_TRANSCRIPT, open_transcript },
	{ UI_A_APPROVE, ui_approve_ask },
	{ UI_A_PLAY, play },
};

/* Tab: the typed start completed as far as the entries it begins agree. */
static void
filter_complete(struct ui *ui, void *ctx, char *text, size_t textsz)
{
	char buf[32], best[32] = "";
	size_t tl = strlen(text), common = 0;
	int n = 0;
	(void)ui;
	(void)ctx;
	for (int i = 0; i < N_GROUPS + ST__COUNT; i++) {
		const char *name = filter_name(i, buf, sizeof buf);
		if (strncasecmp(name, text, tl) != 0)
			continue;
		if (n++ == 0) {
			ui_strlcpy(best, name, sizeof best);
			common = strlen(best);
		} else {
			size_t k = 0;
			while (k < common && best[k] == name[k])
				k++;
			common = k;
		}
	}
	if (n == 0 || common < tl)
		return;
	best[common] = '\0';
	ui_strlcpy(text, best, textsz);
}

static void
filter_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct browser *b = ctx;
	if (done == 0)
		return;
	b->picking = 0;
	if (done < 0)
		return;
	int i = filter_match(text);
	if (i < 0) {
		ui_message(ui, 1, "no status or group begins “%s”", text);
		return;
	}
	b->q.status = filter_status(i);
	b->cur = b->top = 0;
	load_count(ui, b, 0);
	ui_redraw(ui);
}

/* Search, filter and sort: the keys that change which rows show, in what order. */
static void
view_action(struct ui *ui, struct browser *b, enum ui_action a)
{
	switch (a) {
	case UI_A_SEARCH:
		ui_prompt(ui, "Search: ", b->search, 0, search_changed, b);
		return;
	case UI_A_FILTER:
		b->picking = 1;
		ui_prompt(ui, "Filter (first letters, Tab completes, Enter picks): ", "", 0,
		    filter_done, b);
		ui_prompt_completion(ui, filter_complete);
		return;
	case UI_A_REVIEW:
		b->q.status = b->q.status == STORE_UI_HELD ? -1 : STORE_UI_HELD;
		b->cur = b->top = 0;
		load_count(ui, b, 0);
		return;
	case UI_A_SORT:
		b->q.sort = (enum store_ui_sort)((b->q.sort + 1) % STORE_UI_SORT__COUNT);
		b->q.descending = b->q.sort == STORE_UI_SORT_DATE || b->q.sort == STORE_UI_SORT_ID;
		b->cur = b->top = 0;
		load_page(ui, b);
		return;
	case UI_A_REVERSE:
		b->q.descending = !b->q.descending;
		b->cur = b->top = 0;
		load_page(ui, b);
		return;
	default:
		return;
	}
}

/* q/Esc first clears a search, then the marks; 0 when neither was there. */
static int
back(struct ui *ui, struct browser *b)
{
	if (b->search[0]) {
		search_changed(ui, b, "", 1);
		return 1;
	}
	if (b->nmarks) {
		b->nmarks = 0;
		return 1;
	}
	return 0;
}

/* Marks every row on the page, or clears them when all were marked. */
static void
mark_page(struct browser *b)
{
	int all = 1;
	for (int i = 0; i < b->nrows && all; i++)
		all = marked(b, b->rows[i].id);
	for (int i = 0; i < b->nrows; i++)
		if (marked(b, b->rows[i].id) == all)
			toggle_mark(b, b->rows[i].id);
}

/* Run, retry, skip, publish, delete: on the marked rows, else on the current one. */
static void
batch_action(struct ui *ui, struct browser *b, enum ui_action a,
    const struct store_ui_row *r)
{
	if (b->nmarks) {
		/* The marks are spent either way (a cancelled delete included). */
		ui_rec_action(ui, a, b->marks, b->nmarks);
		b->nmarks = 0;
	} else if (r)
		ui_rec_action(ui, a, &r->id, 1);
	b->full = 1;
}

/* While the filter is being picked: the menu over the last rows, the
 * entry the typed text names marked. */
static void
draw_filter_menu(struct ui *ui, const struct browser *b, int top, int height)
{
	char typed[64], line[512], buf[32];
	size_t o = 0;
	if (!b->picking || !ui->prompt.active || height < 6)
		return;
	ui_prompt_text(&ui->prompt, typed, sizeof typed);
	int pick = typed[0] ? filter_match(typed) : -1;
	int y = top + height - 3;
	ui_put(ui, y, 0, ui->cols, ui_attr(ui, UI_R_HEADER), " Show recordings that are:");
	line[0] = '\0';
	for (int i = 0; i < N_GROUPS; i++)
		o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", i == pick ? " ▸" : "  ",
		    filter_groups[i].name);
	ui_put(ui, y + 1, 0, ui->cols, ui_attr(ui, UI_R_BAR), line);
	o = (size_t)snprintf(line, sizeof line, "  or one status:");
	for (int i = N_GROUPS; i < N_GROUPS + ST__COUNT && o < sizeof line - 40; i++)
		o += (size_t)snprintf(line + o, sizeof line - o, "%s%s", i == pick ? " ▸" : " ",
		    filter_name(i, buf, sizeof buf));
	ui_put(ui, y + 2, 0, ui->cols, ui_attr(ui, UI_R_BAR), line);
}

/* After an import: the new recording, selected at the top of all of them
 * (newest id first, whatever filter or search was on). */
static void
imported(struct ui *ui, void *ctx, int64_t id)
{
	struct browser *b = ctx;
	(void)id;
	b->search[0] = '\0';
	b->q.search = NULL;
	b->q.status = -1;
	b->q.sort = STORE_UI_SORT_ID;
	b->q.descending = 1;
	b->cur = b->top = 0;
	load_full(ui, b);
	ui_redraw(ui);
}

/* Moves the cursor; 0 when a is no movement. */
static int
cursor_move(struct browser *b, enum ui_action a, int h)
{
	switch (a) {
	case UI_A_UP: b->cur--; break;
	case UI_A_DOWN: b->cur++; break;
	case UI_A_PAGE_UP: b->cur -= h; b->top -= h; break;
	case UI_A_PAGE_DOWN: b->cur += h; b->top += h; break;
	case UI_A_TOP: b->cur = 0; break;
	case UI_A_BOTTOM: b->cur = b->total - 1; break;
	default: return 0;
	}
	return 1;
}

static int
browser_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct browser *b = s->st;
	const struct store_ui_row *r = current(b);
	int h = page_rows(ui);
	int64_t old_top = b->top;

	for (size_t i = 0; i < sizeof row_actions / sizeof row_actions[0]; i++)
		if (row_actions[i].a == a) {
			if (r)
				row_actions[i].fn(ui, r->id);
			return 1;
		}
	switch (a) {
	case UI_A_SEARCH: case UI_A_FILTER: case UI_A_REVIEW: case UI_A_SORT: case UI_A_REVERSE:
		view_action(ui, b, a);
		return 1;
	case UI_A_BACK:
		return back(ui, b);
	case UI_A_SELECT_ALL:
		mark_page(b);
		return 1;
	case UI_A_NEW:
		ui_import_ask(ui, imported, b);
		return 1;
	case UI_A_VIEW: {
		/* The row's detail (a FAILED one's error) whole, else the message. */
		if (r == NULL || r->detail == NULL || !r->detail[0])
			return 0;
		char title[300], *text = xasprintf("%s — %s", status_name(r->status), r->detail);
		snprintf(title, sizeof title, "#%lld  %.200s", (long long)r->id, r->title);
		ui_pager_open(ui, title, text);
		free(text);
		return 1;
	}
	case UI_A_RUN: case UI_A_RUN_NEXT: case UI_A_RETRY: case UI_A_SKIP: case UI_A_PUBLISH:
	case UI_A_DELETE: case UI_A_STOP:
		batch_action(ui, b, a, r);
		return 1;
	case UI_A_SELECT:
		if (r == NULL)
			return 1;
		toggle_mark(b, r->id);
		b->cur++;
		break;
	default:
		if (!cursor_move(b, a, h))
			return 0;
		break;
	}
	clamp(b, h);
	if (b->top != old_top || b->nrows == 0)
		load_page(ui, b);
	return 1;
}

static void
browser_mouse(struct ui *ui, struct ui_screen *s, const struct ui_mouse *m)
{
	struct browser *b = s->st;
	int row = m->y - s->top - HEAD_ROWS;
	if (row < 0 || row >= b->nrows)
		return;
	b->cur = b->top + row;
	if (m->double_click)
		browser_action(ui, s, UI_A_OPEN);
}

/* "[#####-----]  42% 1:23" into out (width columns). */
static void
progress_cell(const struct store_ui_row *r, int width, char *out, size_t outsz)
{
	char bar[64], eta[16];
	int bw = width - 12;
	if (bw > 20)
		bw = 20;
	if (bw < 4) {
		snprintf(out, outsz, "%3d%%", (int)(r->progress * 100));
		return;
	}
	ui_fmt_bar(r->progress, bw, bar, sizeof bar);
	ui_fmt_eta(r->progress_eta_ms, eta);
	snprintf(out, outsz, "[%s] %3d%% %s", bar, (int)(r->progress * 100 + 0.0001), eta);
}

static void
browser_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct browser *b = s->st;
	char line[512];
	int cols = ui->cols;

	/* Line 1: where we are. */
	char filt[32];
	snprintf(filt, sizeof filt, "%s", b->q.status >= 0 ?
	    status_name((enum rec_status)b->q.status) : "all");
	for (int i = 0; i < N_GROUPS; i++)
		if (b->q.status < 0 && filter_groups[i].status == b->q.status)
			snprintf(filt, sizeof filt, "%s", filter_groups[i].name);
	int64_t last = b->top + b->nrows;
	int len = snprintf(line, sizeof line, "%lld–%lld of %lld · status: %s · sort: %s %s",
	    (long long)(b->nrows ? b->top + 1 : 0), (long long)last, (long long)b->total, filt,
	    store_ui_sort_name(b->q.sort), b->q.descending ? "↓" : "↑");
	if (b->search[0] && len > 0 && (size_t)len < sizeof line)
		len += snprintf(line + len, sizeof line - (size_t)len, " · search: %s", b->search);
	if (b->nmarks && len > 0 && (size_t)len < sizeof line)
		len += snprintf(line + len, sizeof line - (size_t)len, " · marked: %d", b->nmarks);
	if (b->held && b->q.status != STORE_UI_HELD && len > 0 && (size_t)len < sizeof line)
		snprintf(line + len, sizeof line - (size_t)len, " · %lld waiting for review",
		    (long long)b->held);
	ui_put(ui, top, 0, cols, ui_attr(ui, UI_R_HEADER), line);
	/* Counts per status on the right when there is room. */
	char counts[256] = "";
	size_t cl = 0;
	static const enum rec_status shown[] = { ST_PROCESSING, ST_PREPARING, ST_UPLOADING,
		ST_FAILED, ST_READY };
	for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
		if (b->counts[shown[i]] && cl < sizeof counts - 40)
			cl += (size_t)snprintf(counts + cl, sizeof counts - cl, " %s %lld",
			    status_name(shown[i]), (long long)b->counts[shown[i]]);
	int cw = utf8_width(counts);
	if (cw && cw + utf8_width(line) + 2 < cols)
		ui_put(ui, top, cols - cw - 1, cw + 1, ui_attr(ui, UI_R_DIM), counts);

	/* Line 2: column heads.  Narrow terminals drop the date. */
	int wide = cols >= 80;
	int w_id = 7, w_st = 12, w_date = wide ? 17 : 0, w_dur = 9;
	int x_title = 2 + w_id + w_st + w_date + w_dur;
	int w_title = cols - x_title;
	snprintf(line, sizeof line, "  %*s %-11s %s%-8s %s", w_id - 1, "#", "STATUS",
	    wide ? "DATE             " : "", "LENGTH", "TITLE");
	ui_put(ui, top + 1, 0, cols, ui_attr(ui, UI_R_HEADER), line);

	if (b->error[0])
		ui_put(ui, top + 2, 0, cols, ui_attr(ui, UI_R_FAIL), b->error);
	else if (b->nrows == 0)
		ui_put(ui, top + 2, 2, cols - 2, ui_attr(ui, UI_R_DIM),
		    b->q.status == STORE_UI_HELD && !b->search[0] ? "Nothing waits for review." :
		    b->search[0] || b->q.status != -1 ? "No recordings match." :
		    "No recordings yet: c imports a file (or 'zpub import FILE').");
	for (int i = 0; i < b->nrows && i + HEAD_ROWS < height; i++) {
		const struct store_ui_row *r = &b->rows[i];
		int y = top + HEAD_ROWS + i;
		int is_cur = b->top + i == b->cur;
		int base = is_cur ? ui_attr(ui, UI_R_CURSOR) : ui_attr(ui, UI_R_NORMAL);
		int mk = marked(b, r->id);
		char date[32], dur[16], cell[64];
		ui_put(ui, y, 0, 2, mk ? ui_attr(ui, UI_R_MARK) | (is_cur ? (int)A_REVERSE : 0) : base,
		    mk ? "* " : "  ");
		snprintf(cell, sizeof cell, "%*lld ", w_id - 1, (long long)r->id);
		ui_put(ui, y, 2, w_id, base, cell);
		int held = r->review_hold && r->status == ST_TRANSCRIBED;
		ui_put(ui, y, 2 + w_id, w_st, is_cur ? base : ui_attr(ui, held ? UI_R_WARN :
		    ui_status_role((int)r->status)), status_name(r->status));
		if (wide) {
			ui_fmt_local(r->started_at, date);
			ui_put(ui, y, 2 + w_id + w_st, w_date, base, date);
		}
		ui_fmt_clock(r->duration_ms, 0, dur);
		ui_put(ui, y, 2 + w_id + w_st + w_date, w_dur, base, r->duration_ms > 0 ? dur : "-");
		int running = r->progress >= 0 && ui_status_role((int)r->status) == UI_R_RUN;
		if (running && w_title >= 30) {
			int pw = w_title >= 60 ? 32 : 24;
			char pc[96];
			progress_cell(r, pw, pc, sizeof pc);
			ui_put(ui, y, x_title, w_title - pw - 1, base, r->title);
			ui_put(ui, y, cols - pw - 1, 1, base, " ");
			ui_put(ui, y, cols - pw, pw, is_cur ? base : ui_attr(ui, UI_R_PROGRESS), pc);
		} else if (r->status == ST_FAILED && r->detail && w_title >= 50) {
			int dw = w_title / 3;
			ui_put(ui, y, x_title, w_title - dw - 1, base, r->title);
			ui_put(ui, y, cols - dw - 1, dw + 1, is_cur ? base : ui_attr(ui, UI_R_FAIL),
			    r->detail);
		} else if (held && w_title >= 40) {
			static const char note[] = " waits for review";
			int dw = (int)sizeof note - 1;
			ui_put(ui, y, x_title, w_title - dw, base, r->title);
			ui_put(ui, y, cols - dw, dw, is_cur ? base : ui_attr(ui, UI_R_WARN), note);
		} else
			ui_put(ui, y, x_title, w_title, base, r->title);
	}
	draw_filter_menu(ui, b, top, height);
}

static const enum ui_action browser_hints[] = {
	UI_A_OPEN, UI_A_SEARCH, UI_A_FILTER, UI_A_SORT, UI_A_RUN, UI_A_NEW, UI_A_SELECT,
	UI_A_TOPICS, UI_A_REVIEW, UI_A_APPROVE, UI_A_TRANSCRIPT, UI_A_DELETE, UI_A_VIEW, UI_A_NONE
};

const struct ui_screen_ops ui_browser_ops = {
	.name = "recordings",
	.draw = browser_draw,
	.action = browser_action,
	.reload = browser_reload,
	.mouse = browser_mouse,
	.free = browser_free,
	.hints = browser_hints,
};
