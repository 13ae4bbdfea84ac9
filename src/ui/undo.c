/*
 * undo.c — the editors' undo and redo stacks of snapshots (see undo.h).
 */
#include "undo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void
release(struct ui_undo *u, void *s)
{
	if (u->free_fn)
		u->free_fn(s);
	else
		free(s);
}

static void
push(struct ui_undo *u, void ***v, int *n, int *cap, void *s)
{
	if (*n == UI_UNDO_MAX) {
		release(u, (*v)[0]);
		memmove(*v, *v + 1, (size_t)(*n - 1) * sizeof **v);
		(*n)--;
		if (v == &u->undo)      /* the saved state may have been the oldest */
			u->clean = u->clean > 0 ? u->clean - 1 : -1;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, (size_t)*cap, sizeof **v);
	}
	(*v)[(*n)++] = s;
}

static void
clear(struct ui_undo *u, void **v, int *n)
{
	while (*n > 0)
		release(u, v[--*n]);
}

void
ui_undo_record(struct ui_undo *u, void *before)
{
	clear(u, u->redo, &u->n_redo);
	if (u->clean > u->n_undo)
		u->clean = -1;          /* the saved state was undone and is gone now */
	push(u, &u->undo, &u->n_undo, &u->cap_undo, before);
}

void
ui_undo_drop(struct ui_undo *u)
{
	if (u->n_undo > 0)
		release(u, u->undo[--u->n_undo]);
}

void *
ui_undo_undo(struct ui_undo *u, void *current)
{
	if (u->n_undo == 0) {
		release(u, current);
		return NULL;
	}
	push(u, &u->redo, &u->n_redo, &u->cap_redo, current);
	return u->undo[--u->n_undo];
}

void *
ui_undo_redo(struct ui_undo *u, void *current)
{
	if (u->n_redo == 0) {
		release(u, current);
		return NULL;
	}
	push(u, &u->undo, &u->n_undo, &u->cap_undo, current);
	return u->redo[--u->n_redo];
}

void
ui_undo_mark_clean(struct ui_undo *u)
{
	u->clean = u->n_undo;
}

int
ui_undo_is_clean(const struct ui_undo *u)
{
	return u->clean == u->n_undo;
}

void
ui_undo_status(const struct ui_undo *u, char *out, size_t outsz)
{
	if (u->n_undo == 0 && u->n_redo == 0)
		snprintf(out, outsz, "%s", "");
	else
		snprintf(out, outsz, "undo %d · redo %d", u->n_undo, u->n_redo);
}

void
ui_undo_clear(struct ui_undo *u)
{
	void (*free_fn)(void *) = u->free_fn;
	clear(u, u->undo, &u->n_undo);
	clear(u, u->redo, &u->n_redo);
	free(u->undo);
	free(u->redo);
	memset(u, 0, sizeof *u);
	u->free_fn = free_fn;
}
