/*
 * test_ui_keys.c — the action table as key bindings: key names both
 * ways, the defaults (vim keys and arrows both), config "ui.keys"
 * overriding an action's keys, and errors that name the bad entry.
 */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>

#include "config.h"
#include "fmt.h"
#include "ui.h"

static void
test_key_names_parse_and_print(void **state)
{
	(void)state;
	char b[32];
	assert_int_equal(ui_key_parse("k"), 'k');
	assert_int_equal(ui_key_parse("^b"), 2);
	assert_int_equal(ui_key_parse("^L"), 12);
	assert_int_equal(ui_key_parse("enter"), '\n');
	assert_int_equal(ui_key_parse("up"), UI_KEYCODE | KEY_UP);
	assert_int_equal(ui_key_parse("f1"), UI_KEYCODE | KEY_F(1));
	assert_int_equal(ui_key_parse("ж"), 0x436);
	assert_int_equal(ui_key_parse("nonsense"), 0);
	assert_int_equal(ui_key_parse(""), 0);
	ui_key_name(UI_KEYCODE | KEY_NPAGE, b, sizeof b);
	assert_string_equal(b, "npage");
	ui_key_name(6, b, sizeof b);
	assert_string_equal(b, "^F");
	ui_key_name(UI_KEYCODE | KEY_F(3), b, sizeof b);
	assert_string_equal(b, "F3");
}

static void
test_defaults_bind_vim_keys_and_arrows(void **state)
{
	(void)state;
	struct ui_keymap km;
	struct zpub_err err;
	assert_int_equal(ui_keymap_load(&km, NULL, NULL, NULL, &err), 0);
	assert_int_equal(ui_keymap_lookup(&km, 'j'), UI_A_DOWN);
	assert_int_equal(ui_keymap_lookup(&km, UI_KEYCODE | KEY_DOWN), UI_A_DOWN);
	assert_int_equal(ui_keymap_lookup(&km, 'q'), UI_A_BACK);
	assert_int_equal(ui_keymap_lookup(&km, 27), UI_A_BACK);
	assert_int_equal(ui_keymap_lookup(&km, 'Q'), UI_A_QUIT);
	assert_int_equal(ui_keymap_lookup(&km, '?'), UI_A_HELP);
	assert_int_equal(ui_keymap_lookup(&km, '/'), UI_A_SEARCH);
	assert_int_equal(ui_keymap_lookup(&km, 'Z'), UI_A_NONE);
	/* Every action has a name, a help text and at least one key. */
	for (int a = 1; a < UI_A__COUNT; a++) {
		char keys[64];
		assert_true(strlen(ui_action_name((enum ui_action)a)) > 0);
		assert_true(strlen(ui_action_help((enum ui_action)a)) > 0);
		ui_keymap_keys(&km, (enum ui_action)a, keys, sizeof keys);
		assert_true(keys[0] != '\0');
	}
}

static void
collect(void *ud, const char *msg)
{
	char *buf = ud;
	size_t o = strlen(buf);
	snprintf(buf + o, 512 - o, "%s|", msg);
}

static void
test_config_adds_replaces_and_reports_mistakes(void **state)
{
	(void)state;
	struct ui_keymap km;
	struct zpub_err err;
	char keys[64], warn[512] = "";
	/* the README's example: j and n move down, the arrow still does; run
	 * the next stage lost n and is named */
	cJSON *cfg = cJSON_Parse("{\"ui\":{\"keys\":{\"down\":\"j n\"}}}");
	assert_int_equal(ui_keymap_load(&km, cfg, collect, warn, &err), 0);
	assert_int_equal(ui_keymap_lookup(&km, 'n'), UI_A_DOWN);
	assert_int_equal(ui_keymap_lookup(&km, 'j'), UI_A_DOWN);
	assert_int_equal(ui_keymap_lookup(&km, UI_KEYCODE | KEY_DOWN), UI_A_DOWN);
	assert_string_equal(warn, "'run the next stage' (run_next) has no key left (n was given"
	    " to 'down'); bind it with ui.keys|");
	cJSON_Delete(cfg);

	/* "=" replaces the action's defaults; a taken key of an action that
	 * keeps another says nothing */
	warn[0] = '\0';
	cfg = cJSON_Parse("{\"ui\":{\"keys\":{\"down\":\"=n ^n\",\"search\":\"s\","
	    "\"skip\":\"=\"}}}");
	assert_int_equal(ui_keymap_load(&km, cfg, collect, warn, &err), 0);
	assert_int_equal(ui_keymap_lookup(&km, 'n'), UI_A_DOWN);
	assert_int_equal(ui_keymap_lookup(&km, 14), UI_A_DOWN);
	assert_int_equal(ui_keymap_lookup(&km, 'j'), UI_A_NONE);    /* replaced */
	assert_int_equal(ui_keymap_lookup(&km, UI_KEYCODE | KEY_DOWN), UI_A_NONE);
	assert_int_equal(ui_keymap_lookup(&km, 's'), UI_A_SEARCH);  /* taken from skip */
	assert_int_equal(ui_keymap_lookup(&km, '/'), UI_A_SEARCH);  /* added to */
	ui_keymap_keys(&km, UI_A_DOWN, keys, sizeof keys);
	assert_string_equal(keys, "n/^N");
	/* skip was emptied on purpose ("="): no word; run_next lost n */
	assert_null(strstr(warn, "(skip)"));
	assert_non_null(strstr(warn, "(run_next) has no key left (n was given to 'down')"));
	cJSON_Delete(cfg);

	cfg = cJSON_Parse("{\"ui\":{\"keys\":{\"fly\":\"x\"}}}");
	assert_int_equal(ui_keymap_load(&km, cfg, NULL, NULL, &err), ZPUB_EINVAL);
	assert_non_null(strstr(err.msg, "no action 'fly'; the actions are: up, down,"));
	assert_int_equal(ui_keymap_lookup(&km, 'j'), UI_A_DOWN);    /* defaults stay */
	cJSON_Delete(cfg);
	cfg = cJSON_Parse("{\"ui\":{\"keys\":{\"up\":\"k bogus\"}}}");
	assert_int_equal(ui_keymap_load(&km, cfg, NULL, NULL, &err), ZPUB_EINVAL);
	assert_non_null(strstr(err.msg, "ui.keys.up: unknown key 'bogus' (key names:"));
	cJSON_Delete(cfg);
	cfg = cJSON_Parse("{\"ui\":{\"keys\":{\"up\":\"x\",\"down\":\"x\"}}}");
	assert_int_equal(ui_keymap_load(&km, cfg, NULL, NULL, &err), ZPUB_EINVAL);
	assert_non_null(strstr(err.msg, "key x is given to both 'up' and 'down'"));
	cJSON_Delete(cfg);
}

int
main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_names_parse_and_print),
		cmocka_unit_test(test_defaults_bind_vim_keys_and_arrows),
		cmocka_unit_test(test_config_adds_replaces_and_reports_mistakes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
