/*
 * test_ui_store.c — the terminal app's queries (src/db/store_ui.c): search
 * folds Cyrillic case (and Ё to е), pages in each order neither overlap
 * nor skip, counts follow the filter, and re-reading rows by id notices
 * changes and deletions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "store.h"
#include "store_ui.h"
#include "testutil.h"

static void
test_fold_lowers_latin_and_cyrillic(void **state)
{
	(void)state;
	char *f = store_ui_fold("ЛЕКЦИЯ Ёлка ABC Ärger Ωmega 🎓");
	assert_string_equal(f, "лекция елка abc ärger ωmega 🎓");
	free(f);
	f = store_ui_fold("");
	assert_string_equal(f, "");
	free(f);
	f = store_ui_fold("\xFF\xD0");      /* broken bytes pass through */
	assert_int_equal(strlen(f), 2);
	free(f);
}

struct fx {
	char *dir;
	struct store *st;
	int64_t tenant;
};

static int
setup(void **state)
{
	struct fx *x = calloc(1, sizeof *x);
	struct zpub_err err;
	x->dir = test_tmpdir("ui_store");
	char *db = test_db(x->dir);
	assert_int_equal(store_open(db, x->dir, &x->st, &err), 0);
	free(db);
	assert_int_equal(store_tenant_id(x->st, "default", &x->tenant, &err), 0);
	static const char *const titles[] = { "Лекция", "Семинар", "Ёлка", "Lecture" };
	assert_int_equal(store_begin(x->st, &err), 0);
	for (int i = 0; i < 200; i++) {
		struct store_recording r;
		memset(&r, 0, sizeof r);
		char ref[32], title[64];
		snprintf(ref, sizeof ref, "r%d", i);
		snprintf(title, sizeof title, "%s %03d", titles[i % 4], i);
		r.tenant_id = x->tenant;
		r.source = (char *)"local";
		r.source_ref = ref;
		r.title = title;
		r.started_at = 1700000000000LL + (int64_t)((i * 7919) % 200) * 60000;
		r.duration_ms = (int64_t)(i % 10) * 60000;
		r.status = i % 5 == 0 ? ST_FAILED : ST_READY;
		int64_t id;
		assert_int_equal(store_recording_add(x->st, &r, &id, &err), 0);
	}
	assert_int_equal(store_commit(x->st, &err), 0);
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *x = *state;
	store_close(x->st);
	fs_remove_tree(x->dir);
	free(x->dir);
	free(x);
	return 0;
}

static void
test_search_is_case_insensitive_in_cyrillic(void **state)
{
	struct fx *x = *state;
	struct zpub_err err;
	struct store_ui_query q = { x->tenant, -1, "ЛЕКЦ", STORE_UI_SORT_ID, 0, 0, 0 };
	int64_t n = 0;
	assert_int_equal(store_ui_count(x->st, &q, &n, &err), 0);
	assert_int_equal(n, 50);
	q.search = "елка";                   /* finds Ёлка */
	assert_int_equal(store_ui_count(x->st, &q, &n, &err), 0);
	assert_int_equal(n, 50);
	q.search = "lecture 00";
	assert_int_equal(store_ui_count(x->st, &q, &n, &err), 0);
	assert_int_equal(n, 2);                /* 003, 007 */
	q.search = NULL;
	q.status = ST_FAILED;
	assert_int_equal(store_ui_count(x->st, &q, &n, &err), 0);
	assert_int_equal(n, 40);
}

static void
test_pages_cover_every_row_once_in_each_order(void **state)
{
	struct fx *x = *state;
	struct zpub_err err;
	for (int sort = 0; sort < STORE_UI_SORT__COUNT; sort++)
		for (int desc = 0; desc < 2; desc++) {
			char seen[256] = {0};
			int total = 0;
			for (int off = 0; off < 200; off += 23) {
				struct store_ui_query q = { x->tenant, -1, NULL, (enum store_ui_sort)sort, desc,
					23, off };
				struct store_ui_row *rows = NULL;
				int n = 0;
				assert_int_equal(store_ui_rows(x->st, &q, &rows, &n, &err), 0);
				for (int i = 0; i < n; i++) {
					assert_true(rows[i].id > 0 && rows[i].id < 256);
					assert_int_equal(seen[rows[i].id], 0);
					seen[rows[i].id] = 1;
					total++;
				}
				store_ui_rows_free(rows, n);
			}
			assert_int_equal(total, 200);
		}
}

static void
test_refresh_rereads_rows_and_notices_deletions(void **state)
{
	struct fx *x = *state;
	struct zpub_err err;
	struct store_ui_query q = { x->tenant, -1, NULL, STORE_UI_SORT_ID, 0, 3, 0 };
	struct store_ui_row *rows = NULL;
	int n = 0, gone = 0;
	assert_int_equal(store_ui_rows(x->st, &q, &rows, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_recording_set_title(x->st, rows[1].id, "Новое имя", &err), 0);
	assert_int_equal(store_recording_delete(x->st, rows[2].id, &err), 0);
	assert_int_equal(store_ui_rows_refresh(x->st, rows, n, &gone, &err), 0);
	assert_int_equal(gone, 1);
	assert_string_equal(rows[1].title, "Новое имя");
	store_ui_rows_free(rows, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_lowers_latin_and_cyrillic),
		cmocka_unit_test_setup_teardown(test_search_is_case_insensitive_in_cyrillic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages_cover_every_row_once_in_each_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refresh_rereads_rows_and_notices_deletions, setup,
		    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
