/*
 * test_ui_undo.c — the editors' undo stack (ui/undo.c): undo and redo walk
 * the snapshots back and forth, a new edit forgets the redo side, a
 * dropped step (an insert given up with Esc) leaves no trace, the counts
 * the editors show, the saved step ("unsaved changes" or not) is followed
 * through undo, redo and a new branch, and the oldest steps go past
 * UI_UNDO_MAX.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "undo.h"
#include "xmalloc.h"

/* The editor's state is one string; an edit replaces it. */
static void *
edit(struct ui_undo *u, void *state, const char *next)
{
	ui_undo_record(u, state);
	return xstrdup(next);
}

static void
test_three_edits_undo_three_redo_one(void **state)
{
	(void)state;
	struct ui_undo u = {0};
	char steps[64];
	char *s = xstrdup("A");
	s = edit(&u, s, "B");
	s = edit(&u, s, "C");
	s = edit(&u, s, "D");
	ui_undo_status(&u, steps, sizeof steps);
	assert_string_equal(steps, "undo 3 · redo 0");
	s = ui_undo_undo(&u, s);
	assert_string_equal(s, "C");
	s = ui_undo_undo(&u, s);
	assert_string_equal(s, "B");
	s = ui_undo_undo(&u, s);
	assert_string_equal(s, "A");
	char *none = ui_undo_undo(&u, xstrdup("A"));
	assert_null(none);
	s = ui_undo_redo(&u, s);
	assert_string_equal(s, "B");
	ui_undo_status(&u, steps, sizeof steps);
	assert_string_equal(steps, "undo 1 · redo 2");
	/* A new edit forgets what could be redone. */
	s = edit(&u, s, "X");
	ui_undo_status(&u, steps, sizeof steps);
	assert_string_equal(steps, "undo 2 · redo 0");
	assert_null(ui_undo_redo(&u, xstrdup("X")));
	s = ui_undo_undo(&u, s);
	assert_string_equal(s, "B");
	free(s);
	ui_undo_clear(&u);
	ui_undo_status(&u, steps, sizeof steps);
	assert_string_equal(steps, "");
}

static void
test_dropped_step_leaves_no_trace(void **state)
{
	(void)state;
	struct ui_undo u = {0};
	char *s = xstrdup("A");
	s = edit(&u, s, "B");
	s = edit(&u, s, "B+new");       /* an insert ... */
	free(s);
	s = xstrdup("B");               /* ... given up: the editor put B back */
	ui_undo_drop(&u);
	assert_int_equal(u.n_undo, 1);
	s = ui_undo_undo(&u, s);
	assert_string_equal(s, "A");
	free(s);
	ui_undo_clear(&u);
}

static void
test_oldest_steps_are_forgotten(void **state)
{
	(void)state;
	struct ui_undo u = {0};
	char buf[16];
	char *s = xstrdup("0");
	for (int i = 1; i <= UI_UNDO_MAX + 20; i++) {
		snprintf(buf, sizeof buf, "%d", i);
		s = edit(&u, s, buf);
	}
	assert_int_equal(u.n_undo, UI_UNDO_MAX);
	int n = 0;
	char *prev;
	while ((prev = ui_undo_undo(&u, s)) != NULL) {
		s = prev;
		n++;
	}
	assert_int_equal(n, UI_UNDO_MAX);
	/* s was freed by the last (refused) undo; the oldest kept is 20. */
	assert_int_equal(u.n_redo, UI_UNDO_MAX);
	s = ui_undo_redo(&u, xstrdup("20"));
	assert_string_equal(s, "21");
	free(s);
	ui_undo_clear(&u);
}

static void
test_saved_step_is_followed(void **state)
{
	(void)state;
	struct ui_undo u = {0};
	char *s = xstrdup("A");
	assert_true(ui_undo_is_clean(&u));
	s = edit(&u, s, "B");
	assert_false(ui_undo_is_clean(&u));
	ui_undo_mark_clean(&u);                 /* saved at B */
	s = edit(&u, s, "C");
	assert_false(ui_undo_is_clean(&u));
	s = ui_undo_undo(&u, s);
	assert_true(ui_undo_is_clean(&u));      /* back at B */
	s = ui_undo_undo(&u, s);
	assert_false(ui_undo_is_clean(&u));     /* A */
	s = ui_undo_redo(&u, s);
	assert_true(ui_undo_is_clean(&u));
	s = ui_undo_undo(&u, s);
	s = edit(&u, s, "D");                   /* from A: B is out of reach now */
	assert_false(ui_undo_is_clean(&u));
	s = ui_undo_undo(&u, s);
	assert_false(ui_undo_is_clean(&u));
	free(s);
	ui_undo_clear(&u);
	assert_true(ui_undo_is_clean(&u));
}

/* Snapshots of any kind: free_fn frees them. */
static int freed;
static void
count_free(void *p)
{
	freed++;
	free(p);
}

static void
test_free_fn_frees_every_snapshot(void **state)
{
	(void)state;
	struct ui_undo u = { .free_fn = count_free };
	void *s = xstrdup("A");
	for (int i = 0; i < 5; i++)
		s = edit(&u, s, "x");
	s = ui_undo_undo(&u, s);
	s = ui_undo_undo(&u, s);
	ui_undo_drop(&u);                       /* 1 */
	ui_undo_clear(&u);                      /* 2 undo + 2 redo */
	assert_int_equal(freed, 5);
	assert_ptr_equal(u.free_fn, count_free);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_edits_undo_three_redo_one),
		cmocka_unit_test(test_dropped_step_leaves_no_trace),
		cmocka_unit_test(test_oldest_steps_are_forgotten),
		cmocka_unit_test(test_saved_step_is_followed),
		cmocka_unit_test(test_free_fn_frees_every_snapshot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
