/*
 * keys.c — the action table turned into key bindings: default keys from
 * UI_ACTIONS, overrides from config "ui.keys", key names both ways.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>

#include "config.h"
#include "text.h"
#include "ui.h"

static const struct {
	const char *name, *keys, *help, *group;
} actions[UI_A__COUNT] = {
	[UI_A_NONE] = { "none", "", "", "" },
#define X(e, name, keys, help, group) [UI_A_##e] = { name, keys, help, group },
	UI_ACTIONS(X)
#undef X
};

const char *ui_action_name(enum ui_action a) { return a < UI_A__COUNT ? actions[a].name : "?"; }
const char *ui_action_help(enum ui_action a) { return a < UI_A__COUNT ? actions[a].help : ""; }
const char *ui_action_group(enum ui_action a) { return a < UI_A__COUNT ? actions[a].group : ""; }

static const struct {
	const char *name;
	int key;
} named[] = {
	{ "enter", '\n' }, { "esc", 27 }, { "tab", '\t' }, { "space", ' ' },
	{ "up", UI_KEYCODE | KEY_UP }, { "down", UI_KEYCODE | KEY_DOWN },
	{ "left", UI_KEYCODE | KEY_LEFT }, { "right", UI_KEYCODE | KEY_RIGHT },
	{ "ppage", UI_KEYCODE | KEY_PPAGE }, { "npage", UI_KEYCODE | KEY_NPAGE },
	{ "home", UI_KEYCODE | KEY_HOME }, { "end", UI_KEYCODE | KEY_END },
	{ "dc", UI_KEYCODE | KEY_DC }, { "ic", UI_KEYCODE | KEY_IC },
	{ "bs", UI_KEYCODE | KEY_BACKSPACE }, { "btab", UI_KEYCODE | KEY_BTAB },
};

int
ui_key_parse(const char *name)
{
	if (name == NULL || *name == '\0')
		return 0;
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strcmp(name, named[i].name) == 0)
			return named[i].key;
	if (name[0] == '^' && name[1] && !name[2]) {
		int c = name[1];
		if (c >= 'a' && c <= 'z')
			c -= 32;
		if (c >= '@' && c <= '_')
			return c - '@';
		return 0;
	}
	if ((name[0] == 'f' || name[0] == 'F') && name[1] >= '1' && name[1] <= '9') {
		int n = atoi(name + 1);
		if (n >= 1 && n <= 12)
			return UI_KEYCODE | KEY_F(n);
	}
	uint32_t cp;
	size_t len = strlen(name);
	size_t used = ui_utf8_next(name, len, &cp);
	if (used == len && cp >= 0x20 && cp != 0xFFFD)
		return (int)cp;
	return 0;
}

void
ui_key_name(int key, char *out, size_t outsz)
{
	for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
		if (named[i].key == key) {
			snprintf(out, outsz, "%s", named[i].name);
			return;
		}
	if (key & UI_KEYCODE) {
		int k = key & ~UI_KEYCODE;
		if (k >= KEY_F(1) && k <= KEY_F(12))
			snprintf(out, outsz, "F%d", k - KEY_F0);
		else
			snprintf(out, outsz, "key%d", k);
	} else if (key < 0x20)
		snprintf(out, outsz, "^%c", key + '@');
	else {
		wchar_t w[2] = { (wchar_t)key, 0 };
		if (wcstombs(out, w, outsz) == (size_t)-1)
			snprintf(out, outsz, "U+%04X", (unsigned)key);
	}
}

static void
bind_key(struct ui_keymap *km, int key, enum ui_action a)
{
	for (int i = 0; i < km->n; i++)
		if (km->b[i].key == key) {
			km->b[i].action = a;
			return;
		}
	if (km->n < UI_MAX_BINDINGS)
		km->b[km->n++] = (struct ui_binding){ key, a };
}

static void
unbind_action(struct ui_keymap *km, enum ui_action a)
{
	int o = 0;
	for (int i = 0; i < km->n; i++)
		if (km->b[i].action != a)
			km->b[o++] = km->b[i];
	km->n = o;
}

/* Binds every key in a space-separated list; returns the first bad name. */
static const char *
bind_list(struct ui_keymap *km, const char *list, enum ui_action a, char *bad, size_t badsz)
{
	char buf[256];
	ui_strlcpy(buf, list, sizeof buf);
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		int k = ui_key_parse(t);
		if (k == 0) {
			snprintf(bad, badsz, "%s", t);
			return bad;
		}
		bind_key(km, k, a);
	}
	return NULL;
}

int
ui_keymap_load(struct ui_keymap *km, const void *config_json, struct zpub_err *err)
{
	char bad[64];
	int rc = 0;
	km->n = 0;
	for (int a = 1; a < UI_A__COUNT; a++)
		bind_list(km, actions[a].keys, (enum ui_action)a, bad, sizeof bad);
	const cJSON *keys = config_json ? config_find(config_json, "ui.keys") : NULL;
	if (keys == NULL)
		return 0;
	if (!cJSON_IsObject(keys))
		return zpub_err_set(err, ZPUB_EINVAL, "config ui.keys must be an object such as"
		    " {\"up\": \"k up\"}");
	const cJSON *it;
	cJSON_ArrayForEach(it, keys) {
		int found = 0;
		for (int a = 1; a < UI_A__COUNT && !found; a++) {
			if (strcmp(it->string, actions[a].name) != 0)
				continue;
			found = 1;
			if (!cJSON_IsString(it)) {
				rc = zpub_err_set(err, ZPUB_EINVAL, "config ui.keys.%s must be a string of"
				    " key names", it->string);
				continue;
			}
			unbind_action(km, (enum ui_action)a);
			if (bind_list(km, it->valuestring, (enum ui_action)a, bad, sizeof bad))
				rc = zpub_err_set(err, ZPUB_EINVAL, "config ui.keys.%s: unknown key '%s'"
				    " (use a character, ^X, enter, esc, up, ppage, f1, ...)", it->string, bad);
		}
		if (!found)
			rc = zpub_err_set(err, ZPUB_EINVAL, "config ui.keys: no action '%s' (see ? in"
			    " zpub for the list)", it->string);
	}
	return rc;
}

enum ui_action
ui_keymap_lookup(const struct ui_keymap *km, int key)
{
	for (int i = 0; i < km->n; i++)
		if (km->b[i].key == key)
			return km->b[i].action;
	return UI_A_NONE;
}

void
ui_keymap_keys(const struct ui_keymap *km, enum ui_action a, char *out, size_t outsz)
{
	size_t o = 0;
	out[0] = '\0';
	for (int i = 0; i < km->n; i++) {
		if (km->b[i].action != a)
			continue;
		char name[32];
		ui_key_name(km->b[i].key, name, sizeof name);
		int w = snprintf(out + o, outsz - o, "%s%s", o ? "/" : "", name);
		if (w < 0 || (size_t)w >= outsz - o)
			break;
		o += (size_t)w;
	}
}
