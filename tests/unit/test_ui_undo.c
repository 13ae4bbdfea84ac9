/*
 * test_ui_undo.c — the editors' undo stack (ui/undo.c): undo and redo walk
 * the snapshots back and forth, a new edit forgets the redo side, a
 * dropped step (an insert given up with Esc) leaves no trace, the counts
 * the editors show, and the oldest steps go past UI_UNDO_MAX.
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
static char *
edit(struct ui_undo *u, char *state, const char *next)
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_edits_undo_three_redo_one),
		cmocka_unit_test(test_dropped_step_leaves_no_trace),
		cmocka_unit_test(test_oldest_steps_are_forgotten),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
