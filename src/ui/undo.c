/*
 * undo.c — the editors' undo and redo stacks of snapshots (see undo.h).
 */
#include "undo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static void
push(char ***v, int *n, int *cap, char *s)
{
	if (*n == UI_UNDO_MAX) {
		free((*v)[0]);
		memmove(*v, *v + 1, (size_t)(*n - 1) * sizeof **v);
		(*n)--;
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*v = xreallocarray(*v, (size_t)*cap, sizeof **v);
	}
	(*v)[(*n)++] = s;
}

static void
clear(char **v, int *n)
{
	while (*n > 0)
		free(v[--*n]);
}

void
ui_undo_record(struct ui_undo *u, char *before)
{
	clear(u->redo, &u->n_redo);
	push(&u->undo, &u->n_undo, &u->cap_undo, before);
}

void
ui_undo_drop(struct ui_undo *u)
{
	if (u->n_undo > 0)
		free(u->undo[--u->n_undo]);
}

char *
ui_undo_undo(struct ui_undo *u, char *current)
{
	if (u->n_undo == 0) {
		free(current);
		return NULL;
	}
	push(&u->redo, &u->n_redo, &u->cap_redo, current);
	return u->undo[--u->n_undo];
}

char *
ui_undo_redo(struct ui_undo *u, char *current)
{
	if (u->n_redo == 0) {
		free(current);
		return NULL;
	}
	push(&u->undo, &u->n_undo, &u->cap_undo, current);
	return u->redo[--u->n_redo];
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
	clear(u->undo, &u->n_undo);
	clear(u->redo, &u->n_redo);
	free(u->undo);
	free(u->redo);
	memset(u, 0, sizeof *u);
}
