/*
 * undo.h — the editors' undo and redo: two stacks of snapshots (whatever
 * text an editor can rebuild its state from: a topic list as JSON, a
 * subtitle track as SRT), kept for as long as the editor is open.  Free
 * of curses so it is unit-tested.
 */
#ifndef ZPUB_UI_UNDO_H
#define ZPUB_UI_UNDO_H

#include <stddef.h>

/* The oldest steps are forgotten past this many. */
#define UI_UNDO_MAX 500

struct ui_undo {
	char **undo, **redo;        /* malloc'd snapshots, newest last */
	int n_undo, n_redo, cap_undo, cap_redo;
};

/* Before an edit: keeps the state before it (takes before) and forgets
 * what could be redone. */
void ui_undo_record(struct ui_undo *u, char *before);
/* Forgets the newest recorded step (an edit given up before it was made). */
void ui_undo_drop(struct ui_undo *u);
/* Steps back: takes current (kept for redo) and returns the state to go
 * back to (the caller's); NULL, with current freed, when there is none. */
char *ui_undo_undo(struct ui_undo *u, char *current);
/* Steps forward again, the same way. */
char *ui_undo_redo(struct ui_undo *u, char *current);
/* "undo 3 · redo 1" ("" when there is nothing either way). */
void ui_undo_status(const struct ui_undo *u, char *out, size_t outsz);
void ui_undo_clear(struct ui_undo *u);

#endif
