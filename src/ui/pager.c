/*
 * pager.c — the whole text of a line the screen had to cut with "…" (an
 * error, a journal line, a stage summary, a detail line, the last
 * message): wrapped at spaces to the terminal's width, scrolled with the
 * moving keys, q goes back.  It keeps its own copy of the text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "ui.h"
#include "util.h"

struct pager {
	char *title;
	char *text;
	int top;
};

/*
 * Walks the text as wrapped to width columns; line number k (from 0) is
 * drawn at y + k - top when it falls inside [top, top + h).  Returns the
 * number of wrapped lines.
 */
static int
wrap(struct ui *ui, const char *text, int width, int y, int top, int h)
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
		if (ui && k >= top && k < top + h) {
			char piece[4096];
			size_t n = j - i < sizeof piece ? j - i : sizeof piece - 1;
			memcpy(piece, text + i, n);
			piece[n] = '\0';
			ui_put(ui, y + k - top, 1, width, ui_attr(ui, UI_R_NORMAL), piece);
		}
		k++;
		if (j < len && text[j] == '\n')
			j++;
		else if (j >= len)
			break;
		i = j;
	}
	return k;
}

static void
pager_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct pager *pg = s->st;
	ui_put(ui, top, 0, ui->cols, ui_attr(ui, UI_R_HEADER), pg->title);
	wrap(ui, pg->text, ui->cols - 2, top + 1, pg->top, height - 1);
}

static int
pager_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct pager *pg = s->st;
	int h = ui->rows - 4, n = wrap(NULL, pg->text, ui->cols - 2, 0, 0, 0);
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

static const enum ui_action pager_hints[] = { UI_A_DOWN, UI_A_UP, UI_A_PAGE_DOWN, UI_A_NONE };

static const struct ui_screen_ops ui_pager_ops = {
	.name = "full text",
	.draw = pager_draw,
	.action = pager_action,
	.free = pager_free,
	.hints = pager_hints,
};

void
ui_pager_open(struct ui *ui, const char *title, const char *text)
{
	struct pager *pg = xcalloc(1, sizeof *pg);
	pg->title = xstrdup(title ? title : "");
	pg->text = xstrdup(text ? text : "");
	ui_push(ui, &ui_pager_ops, pg);
}
