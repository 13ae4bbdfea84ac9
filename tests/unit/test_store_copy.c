/*
 * test_store_copy.c — the table list of `zpub migrate` (db/store_copy.c)
 * against the schema the migrations make: it names every table of a new
 * SQLite store and no other, each after the tables it refers to; a table a
 * future migration adds without a line in the list stops the copy with a
 * sentence naming it; and only PostgreSQL is accepted as the target.  The
 * copy itself runs against a real server in e2e/pg_migrate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "store.h"
#include "store_copy.h"
#include "testutil.h"

static char *g_db, *g_dir;

static struct store *
open_store(void)
{
	struct zpub_err err;
	struct store *st = NULL;
	assert_int_equal(store_open(g_db, g_dir, &st, &err), 0);
	return st;
}

static void
raw_sql(const char *sql)
{
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open(g_db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static int
setup(void **state)
{
	(void)state;
	g_dir = test_tmpdir("store_copy");
	g_db = xasprintf("%s/zpub.db", g_dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	fs_remove_tree(g_dir);
	free(g_db);
	free(g_dir);
	return 0;
}

static void
test_copy_list_names_every_table_of_the_schema(void **state)
{
	(void)state;
	struct zpub_err err = { 0 };
	struct store *st = open_store();
	int rc = store_copy_check_tables(st, &err);
	if (rc != 0)
		fail_msg("%s", err.msg);
	store_close(st);
}

static void
test_copy_refuses_a_table_it_does_not_know(void **state)
{
	(void)state;
	struct zpub_err err = { 0 };
	raw_sql("CREATE TABLE future_things (id INTEGER PRIMARY KEY, x TEXT)");
	struct store *st = open_store();
	assert_int_not_equal(store_copy_check_tables(st, &err), 0);
	assert_non_null(strstr(err.msg, "the SQLite store has a table 'future_things' that"
	    " zpub migrate does not know"));
	assert_non_null(strstr(err.msg, "nothing was copied"));
	store_close(st);
	raw_sql("DROP TABLE future_things");
}

static void
test_copy_refuses_a_missing_table(void **state)
{
	(void)state;
	struct zpub_err err = { 0 };
	raw_sql("DROP TABLE webhook_seen");
	struct store *st = open_store();
	assert_int_not_equal(store_copy_check_tables(st, &err), 0);
	assert_non_null(strstr(err.msg, "no table 'webhook_seen'"));
	store_close(st);
	raw_sql("CREATE TABLE webhook_seen (signature TEXT PRIMARY KEY, seen_at INTEGER NOT NULL)");
}

static void
test_copy_only_into_postgresql(void **state)
{
	(void)state;
	struct zpub_err err = { 0 };
	struct store *st = open_store();
	assert_int_not_equal(store_copy(st, st, NULL, NULL, &err), 0);
	assert_non_null(strstr(err.msg, "zpub migrate copies into a PostgreSQL database"));
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_list_names_every_table_of_the_schema),
		cmocka_unit_test(test_copy_refuses_a_table_it_does_not_know),
		cmocka_unit_test(test_copy_refuses_a_missing_table),
		cmocka_unit_test(test_copy_only_into_postgresql),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
