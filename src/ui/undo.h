/*
 * undo.h — the editors' undo and redo: two stacks of snapshots (whatever
 * an editor rebuilds its state from: a topic list as JSON, a copy of a
 * subtitle track), kept for as long as the editor is open, and which step
 * is the saved state, so "unsaved changes" needs no comparison.  Free of
 * curses so it is unit-tested.
 */
#ifndef ZPUB_UI_UNDO_H
#define ZPUB_UI_UNDO_H

#include <stddef.h>

/* The oldest steps are forgotten past this many. */
#define UI_UNDO_MAX 500

struct ui_undo {
	void **undo, **redo;        /* snapshots, newest last */
	int n_undo, n_redo, cap_undo, cap_redo;
	void (*free_fn)(void *);    /* frees a snapshot (NULL: free) */
	int clean;                  /* n_undo at the saved state; -1 when lost */
};

/* Before an edit: keeps the state before it (takes before) and forgets
 * what could be redone. */
void ui_undo_record(struct ui_undo *u, void *before);
/* Forgets the newest recorded step (an edit given up before it was made,
 * its state already put back by the editor). */
void ui_undo_drop(struct ui_undo *u);
/* Steps back: takes current (kept for redo) and returns the state to go
 * back to (the caller's); NULL, with current freed, when there is none. */
void *ui_undo_undo(struct ui_undo *u, void *current);
/* Steps forward again, the same way. */
void *ui_undo_redo(struct ui_undo *u, void *current);
/* The state now is the saved one / whether it is. */
void ui_undo_mark_clean(struct ui_undo *u);
int ui_undo_is_clean(const struct ui_undo *u);
/* "undo 3 · redo 1" ("" when there is nothing either way). */
void ui_undo_status(const struct ui_undo *u, char *out, size_t outsz);
/* Forgets every step (the state now counts as saved); free_fn stays. */
void ui_undo_clear(struct ui_undo *u);

#endif
