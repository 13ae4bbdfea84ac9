/*
 * help.c — the `?` screen: every action of the table in UI_ACTIONS with
 * the keys bound to it now (defaults or config "ui.keys"), by group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "ui.h"
#include "xmalloc.h"

struct help {
	int top;
	int n;                      /* lines */
};

static int
help_lines(void)
{
	/* one line per action plus a heading per group change and a blank */
	int n = 0;
	const char *group = "";
	for (int a = 1; a < UI_A__COUNT; a++) {
		if (strcmp(group, ui_action_group((enum ui_action)a)) != 0) {
			group = ui_action_group((enum ui_action)a);
			n += 2;
		}
		n++;
	}
	return n + 3;
}

void *
ui_help_new(struct ui *ui)
{
	struct help *h = xcalloc(1, sizeof *h);
	h->n = help_lines();
	return h;
}

/* One line of the help at logical line *line, drawn when it is in view. */
static void
emit(struct ui *ui, const struct help *h, int top, int height, int *line, int attr, int x,
    const char *text)
{
	int y = top + *line - h->top;
	if (y >= top && y < top + height)
		ui_put(ui, y, x, ui->cols - x, attr, text);
	(*line)++;
}

#define EMIT(attr, x, text) emit(ui, h, top, height, &line, attr, x, text)

static void
help_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct help *h = s->st;
	int line = 0, y;
	const char *group = "";
	char buf[256], keys[96];
	EMIT(ui_attr(ui, UI_R_HEADER), 1, "Keys (change them with config ui.keys, e.g."
	    " zpub config set ui.keys '{\"down\":\"j n\"}' adds, \"=j n\" replaces)");
	for (int a = 1; a < UI_A__COUNT; a++) {
		enum ui_action act = (enum ui_action)a;
		if (strcmp(group, ui_action_group(act)) != 0) {
			group = ui_action_group(act);
			EMIT(ui_attr(ui, UI_R_NORMAL), 1, "");
			EMIT(ui_attr(ui, UI_R_HEADER), 1, group);
		}
		ui_keymap_keys(&ui->keys, act, keys, sizeof keys);
		y = top + line - h->top;
		if (y >= top && y < top + height) {
			ui_put(ui, y, 3, 18, ui_attr(ui, UI_R_KEY), keys[0] ? keys : "(unbound)");
			snprintf(buf, sizeof buf, "%-13s %s", ui_action_name(act), ui_action_help(act));
			ui_put(ui, y, 22, ui->cols - 22, ui_attr(ui, UI_R_NORMAL), buf);
		}
		line++;
	}
	EMIT(ui_attr(ui, UI_R_NORMAL), 1, "");
	EMIT(ui_attr(ui, UI_R_DIM), 1, "Mouse: click selects, double-click opens, the wheel"
	    " scrolls.  NO_COLOR=1 turns colours off.");
}

static int
help_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct help *h = s->st;
	int page = ui->rows - 4;
	switch (a) {
	case UI_A_UP: h->top--; break;
	case UI_A_DOWN: h->top++; break;
	case UI_A_PAGE_UP: h->top -= page; break;
	case UI_A_PAGE_DOWN: h->top += page; break;
	case UI_A_TOP: h->top = 0; break;
	case UI_A_BOTTOM: h->top = h->n; break;
	case UI_A_HELP: ui_pop(ui); return 1;
	default: return 0;
	}
	if (h->top > h->n - page)
		h->top = h->n - page;
	if (h->top < 0)
		h->top = 0;
	return 1;
}

static void help_free(struct ui_screen *s) { free(s->st); }

static const enum ui_action help_hints[] = { UI_A_DOWN, UI_A_UP, UI_A_NONE };

const struct ui_screen_ops ui_help_ops = {
	.name = "help",
	.draw = help_draw,
	.action = help_action,
	.free = help_free,
	.hints = help_hints,
};
