/*
 * pager.c — the whole text of a line the screen had to cut with "…" (an
 * error, a journal line, a stage summary, a detail line, a cue, the last
 * message): wrapped at spaces to the terminal's width, scrolled with the
 * moving keys, `/` finds its lines (find.c), q goes back.  It keeps its
 * own copy of the text.  The wrapping is shared (ui_wrap).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "ui.h"
#include "util.h"

struct pager {
	struct ui *ui;              /* for the width find wraps to */
	char *title;
	char *text;
	int top;
	int hit;                    /* the line find selected */
};

int
ui_wrap(const char *text, int width, int (*fn)(void *ctx, int k, const char *s, size_t n),
    void *ctx)
{
	int k = 0;
	size_t len = strlen(text), i = 0;
	if (width < 10)
		width = 10;
	while (1) {
		/* One screen line from i: up to the width, back to its last space. */
		size_t j = i, cut = 0;
		int w = 0;
		while (j < len && text[j] != '\n') {
			uint32_t cp;
			size_t n = utf8_next(text + j, len - j, &cp);
			int cw = text_cp_is_control(cp) ? 1 : utf8_cp_width(cp);
			if (w + cw > width)
				break;
			w += cw;
			j += n;
			if (cp == ' ')
				cut = j;
		}
		int more = j < len && text[j] != '\n';
		if (more && cut > i + (j - i) / 3)
			j = cut;
		if (more && j == i)
			j += utf8_next(text + i, len - i, &(uint32_t){0});
		if (fn && fn(ctx, k, text + i, j - i))
			return k + 1;
		k++;
		if (j < len && text[j] == '\n')
			j++;
		else if (j >= len)
			break;
		i = j;
	}
	return k;
}

/* What pager_draw's walk needs. */
struct put_ctx {
	struct ui *ui;
	struct ui_screen *s;
	int y, top, h;
};

static int
put_line(void *ctx, int k, const char *s, size_t n)
{
	struct put_ctx *c = ctx;
	const struct pager *pg = c->s->st;
	char piece[4096];
	if (k < c->top)
		return 0;
	if (k >= c->top + c->h)
		return 1;
	if (n >= sizeof piece)
		n = sizeof piece - 1;
	memcpy(piece, s, n);
	piece[n] = '\0';
	ui_put(c->ui, c->y + k - c->top, 1, c->ui->cols - 2, ui_attr(c->ui, c->s->find.text[0] &&
	    k == pg->hit ? UI_R_CURSOR : UI_R_NORMAL), piece);
	return 0;
}

static void
pager_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct pager *pg = s->st;
	struct put_ctx c = { ui, s, top + 1, pg->top, height - 1 };
	ui_put(ui, top, 0, ui->cols, ui_attr(ui, UI_R_HEADER), pg->title);
	ui_wrap(pg->text, ui->cols - 2, put_line, &c);
}

static int
pager_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct pager *pg = s->st;
	int h = ui->rows - 4, n = ui_wrap(pg->text, ui->cols - 2, NULL, NULL);
	switch (a) {
	case UI_A_UP: pg->top--; break;
	case UI_A_DOWN: pg->top++; break;
	case UI_A_PAGE_UP: pg->top -= h; break;
	case UI_A_PAGE_DOWN: pg->top += h; break;
	case UI_A_TOP: pg->top = 0; break;
	case UI_A_BOTTOM: pg->top = n - h; break;
	case UI_A_OPEN: case UI_A_VIEW:
		ui_pop(ui);
		return 1;
	default:
		return 0;
	}
	if (pg->top > n - h)
		pg->top = n - h;
	if (pg->top < 0)
		pg->top = 0;
	return 1;
}

/* `/` finds the wrapped lines as they are shown (find.c). */
static int
pager_find_count(struct ui_screen *s)
{
	const struct pager *pg = s->st;
	return ui_wrap(pg->text, pg->ui->cols - 2, NULL, NULL);
}

struct line_ctx {
	int want;
	char *buf;
	size_t bufsz;
};

static int
copy_line(void *ctx, int k, const char *s, size_t n)
{
	struct line_ctx *c = ctx;
	if (k < c->want)
		return 0;
	if (n >= c->bufsz)
		n = c->bufsz - 1;
	memcpy(c->buf, s, n);
	c->buf[n] = '\0';
	return 1;
}

static const char *
pager_find_text(struct ui_screen *s, int i, char *buf, size_t bufsz)
{
	const struct pager *pg = s->st;
	struct line_ctx c = { i, buf, bufsz };
	buf[0] = '\0';
	ui_wrap(pg->text, pg->ui->cols - 2, copy_line, &c);
	return buf;
}

static int pager_find_cur(struct ui_screen *s) { return ((struct pager *)s->st)->hit; }

/* The hit a third down the page, where the eye goes. */
static void
pager_find_goto(struct ui *ui, struct ui_screen *s, int i)
{
	struct pager *pg = s->st;
	int h = ui->rows - 4, n = ui_wrap(pg->text, ui->cols - 2, NULL, NULL);
	pg->hit = i;
	if (i < pg->top || i >= pg->top + h)
		pg->top = i - h / 3;
	if (pg->top > n - h)
		pg->top = n - h;
	if (pg->top < 0)
		pg->top = 0;
}

static void
pager_free(struct ui_screen *s)
{
	struct pager *pg = s->st;
	if (pg == NULL)
		return;
	free(pg->title);
	free(pg->text);
	free(pg);
}

static const enum ui_action pager_hints[] = {
	UI_A_DOWN, UI_A_UP, UI_A_PAGE_DOWN, UI_A_SEARCH, UI_A_NONE
};

static const struct ui_screen_ops ui_pager_ops = {
	.name = "full text",
	.find_count = pager_find_count,
	.find_text = pager_find_text,
	.find_cur = pager_find_cur,
	.find_goto = pager_find_goto,
	.draw = pager_draw,
	.action = pager_action,
	.free = pager_free,
	.hints = pager_hints,
};

void
ui_pager_open(struct ui *ui, const char *title, const char *text)
{
	struct pager *pg = xcalloc(1, sizeof *pg);
	pg->ui = ui;
	pg->title = xstrdup(title ? title : "");
	pg->text = xstrdup(text ? text : "");
	ui_push(ui, &ui_pager_ops, pg);
}
