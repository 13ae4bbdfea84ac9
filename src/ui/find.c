/*
 * find.c — `/` on every screen that shows lines (subtitles, the recording
 * with its stages and journal, jobs, templates): the typed text is folded
 * as the browser's search folds titles (text_fold TEXT_FOLD_SEARCH: case,
 * Cyrillic, Ё as Е), the selection jumps to the first line that has it
 * while typing, n and N step through the hits (wrapping), and the message
 * line says which hit of how many ("3/17").  Esc or q clears the find.
 * A screen takes part by filling the find_* members of its ops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "ui.h"
#include "util.h"

/* 1 when line i of s contains the folded needle. */
static int
line_has(struct ui_screen *s, int i, const char *needle)
{
	char buf[2048], small[4200];
	const char *t = s->ops->find_text(s, i, buf, sizeof buf);
	size_t len = t ? strlen(t) : 0;
	char *f = 2 * len + 1 <= sizeof small ? small : xmalloc(2 * len + 1);
	text_fold(t ? t : "", len, f, TEXT_FOLD_SEARCH);
	int hit = strstr(f, needle) != NULL;
	if (f != small)
		free(f);
	return hit;
}

/*
 * Selects a hit: the first at or after line from (dir 0), the first after
 * it (dir 1) or the last before it (dir -1), wrapping around; then says
 * "3/17".  Returns the number of hits.
 */
static int
find_go(struct ui *ui, struct ui_screen *s, int from, int dir, int *rankp)
{
	size_t tl = strlen(s->find.text);
	char *needle = xmalloc(2 * tl + 1);
	text_fold(s->find.text, tl, needle, TEXT_FOLD_SEARCH);
	int n = s->ops->find_count(s), total = 0, target = -1, first = -1, last = -1;
	for (int i = 0; i < n; i++) {
		if (!line_has(s, i, needle))
			continue;
		total++;
		if (first < 0)
			first = i;
		last = i;
		if ((dir == 0 && i >= from && target < 0) || (dir > 0 && i > from && target < 0) ||
		    (dir < 0 && i < from))
			target = i;
	}
	if (total == 0) {
		free(needle);
		ui_message(ui, 0, "find “%s”: no line has it", s->find.text);
		return 0;
	}
	if (target < 0)
		target = dir < 0 ? last : first;
	int rank = 0;
	for (int i = first; i <= target; i++)
		rank += line_has(s, i, needle);
	free(needle);
	s->ops->find_goto(ui, s, target);
	*rankp = rank;
	ui_message(ui, 0, "find “%s”: %d/%d  (n next, N previous, Esc clears)", s->find.text,
	    rank, total);
	return total;
}

static struct ui_screen *
screen_of(struct ui *ui, void *st)
{
	for (int i = ui->depth - 1; i >= 0; i--)
		if (ui->stack[i].st == st)
			return &ui->stack[i];
	return NULL;
}

/* Each key of the find moves to the first hit from where it started. */
static void
find_typed(struct ui *ui, void *ctx, const char *text, int done)
{
	struct ui_screen *s = screen_of(ui, ctx);
	if (s == NULL)
		return;
	if (done < 0 || text[0] == '\0') {
		if (done == 0)
			snprintf(ui->prompt.label, sizeof ui->prompt.label, "Find: ");
		s->find.text[0] = '\0';
		s->ops->find_goto(ui, s, s->find.from);
		ui_message(ui, 0, "%s", done < 0 ? "find cleared" : "");
		return;
	}
	ui_strlcpy(s->find.text, text, sizeof s->find.text);
	int rank = 0, total = find_go(ui, s, s->find.from, 0, &rank);
	/* The message line is the prompt now: the count goes in its label. */
	if (done == 0 && total)
		snprintf(ui->prompt.label, sizeof ui->prompt.label, "Find (%d/%d): ", rank, total);
	else if (done == 0)
		snprintf(ui->prompt.label, sizeof ui->prompt.label, "Find (no hit): ");
}

int
ui_find_key(struct ui *ui, struct ui_screen *s, int key, enum ui_action a)
{
	if (s->ops->find_count == NULL)
		return 0;
	if (a == UI_A_SEARCH) {
		s->find.from = s->ops->find_cur(s);
		ui_prompt(ui, "Find: ", s->find.text, 0, find_typed, s->st);
		return 1;
	}
	if (s->find.text[0] == '\0')
		return 0;
	/* While a find is on, n and N are its keys (n runs a stage otherwise). */
	if (key == 'n' || key == 'N') {
		int rank;
		find_go(ui, s, s->ops->find_cur(s), key == 'n' ? 1 : -1, &rank);
		return 1;
	}
	if (a == UI_A_BACK) {
		s->find.text[0] = '\0';
		ui_message(ui, 0, "find cleared");
		return 1;
	}
	return 0;
}
