/*
 * keys.c — the action table turned into key bindings: default keys from
 * UI_ACTIONS, the user's keys from config "ui.keys" (added to the defaults,
 * or replacing them with "=..."), key names both ways, and the check
 * `zpub config set ui.keys` runs (registered with the schema by main.c).
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>

#include "config.h"
#include "fmt.h"
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
	size_t used = utf8_next(name, len, &cp);
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

/* Takes every key of a away. */
static void
unbind_action(struct ui_keymap *km, enum ui_action a)
{
	int o = 0;
	for (int i = 0; i < km->n; i++)
		if (km->b[i].action != a)
			km->b[o++] = km->b[i];
	km->n = o;
}

static int
count_keys(const struct ui_keymap *km, enum ui_action a)
{
	int n = 0;
	for (int i = 0; i < km->n; i++)
		n += km->b[i].action == a;
	return n;
}

/* Parses a space-separated list into keys; returns the first bad name. */
static const char *
parse_list(const char *list, int *keys, int *n, int max, char *bad, size_t badsz)
{
	char buf[256];
	*n = 0;
	ui_strlcpy(buf, list, sizeof buf);
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		int k = ui_key_parse(t);
		if (k == 0) {
			snprintf(bad, badsz, "%s", t);
			return bad;
		}
		if (*n < max)
			keys[(*n)++] = k;
	}
	return NULL;
}

static enum ui_action
action_named(const char *name)
{
	for (int a = 1; a < UI_A__COUNT; a++)
		if (strcmp(name, actions[a].name) == 0)
			return (enum ui_action)a;
	return UI_A_NONE;
}

static void
action_names(char *out, size_t outsz)
{
	size_t o = 0;
	out[0] = '\0';
	for (int a = 1; a < UI_A__COUNT; a++) {
		int w = snprintf(out + o, outsz - o, "%s%s", a > 1 ? ", " : "", actions[a].name);
		if (w < 0 || (size_t)w >= outsz - o)
			break;
		o += (size_t)w;
	}
}

#define KEY_NAMES "a character, ^X, enter, esc, tab, space, up, down, left, right, ppage," \
	" npage, home, end, dc, ic, bs, btab, f1..f12"

/* The defaults, then the user's ui.keys (see ui.h).  The first bad entry
 * is reported in err (the others still apply); warn hears of every action
 * the user's keys left with none. */
static int
keymap_build(struct ui_keymap *km, const cJSON *keys, struct zpub_err *err, zs_warn_fn warn,
    void *ud)
{
	char bad[64];
	int rc = 0;
	/* per action: the user replaced its keys; which key was taken, by whom */
	int replaced[UI_A__COUNT] = { 0 }, taken_key[UI_A__COUNT] = { 0 };
	enum ui_action taker[UI_A__COUNT] = { 0 }, given[UI_MAX_BINDINGS] = { 0 };
	int given_key[UI_MAX_BINDINGS], n_given = 0;

	km->n = 0;
	for (int a = 1; a < UI_A__COUNT; a++) {
		int ks[16], n;
		parse_list(actions[a].keys, ks, &n, 16, bad, sizeof bad);
		for (int i = 0; i < n; i++)
			bind_key(km, ks[i], (enum ui_action)a);
	}
	if (keys == NULL)
		return 0;
	if (!cJSON_IsObject(keys))
		return zpub_err_set(err, ZPUB_EINVAL, "config ui.keys must be an object such as"
		    " {\"down\": \"j n\"}");
	const cJSON *it;
	cJSON_ArrayForEach(it, keys) {
		enum ui_action a = action_named(it->string);
		if (a == UI_A_NONE) {
			char names[1024];
			action_names(names, sizeof names);
			if (rc == 0)
				rc = zpub_err_set(err, ZPUB_EINVAL, "config ui.keys: no action '%s'; the"
				    " actions are: %s", it->string, names);
			continue;
		}
		if (!cJSON_IsString(it)) {
			if (rc == 0)
				rc = zpub_err_set(err, ZPUB_EINVAL, "config ui.keys.%s must be a string of"
				    " key names such as \"j n\" (\"=j n\" replaces its default keys)",
				    it->string);
			continue;
		}
		const char *list = it->valuestring;
		while (*list == ' ')
			list++;
		int replace = *list == '=';
		int ks[32], n;
		if (parse_list(list + replace, ks, &n, 32, bad, sizeof bad)) {
			if (rc == 0)
				rc = zpub_err_set(err, ZPUB_EINVAL, "config ui.keys.%s: unknown key '%s'"
				    " (key names: " KEY_NAMES ")", it->string, bad);
			continue;
		}
		if (replace) {
			unbind_action(km, a);
			replaced[a] = 1;
		}
		for (int i = 0; i < n; i++) {
			int clash = 0;
			for (int j = 0; j < n_given && !clash; j++)
				if (given_key[j] == ks[i] && given[j] != a) {
					char kn[32];
					ui_key_name(ks[i], kn, sizeof kn);
					if (rc == 0)
						rc = zpub_err_set(err, ZPUB_EINVAL, "config ui.keys: key %s is"
						    " given to both '%s' and '%s'; give it to one", kn,
						    actions[given[j]].name, actions[a].name);
					clash = 1;
				}
			if (clash)
				continue;
			enum ui_action had = ui_keymap_lookup(km, ks[i]);
			if (had != UI_A_NONE && had != a) {
				taker[had] = a;
				taken_key[had] = ks[i];
			}
			bind_key(km, ks[i], a);
			if (n_given < UI_MAX_BINDINGS) {
				given_key[n_given] = ks[i];
				given[n_given++] = a;
			}
		}
	}
	for (int a = 1; a < UI_A__COUNT && warn; a++) {
		if (replaced[a] || taker[a] == UI_A_NONE || count_keys(km, (enum ui_action)a) > 0)
			continue;
		char kn[32], msg[300];
		ui_key_name(taken_key[a], kn, sizeof kn);
		snprintf(msg, sizeof msg, "'%s' (%s) has no key left (%s was given to '%s'); bind"
		    " it with ui.keys", actions[a].help, actions[a].name, kn, actions[taker[a]].name);
		warn(ud, msg);
	}
	return rc;
}

int
ui_keymap_load(struct ui_keymap *km, const void *config_json, zs_warn_fn warn, void *ud,
    struct zpub_err *err)
{
	const cJSON *keys = config_json ? config_find(config_json, "ui.keys") : NULL;
	return keymap_build(km, keys, err, warn, ud);
}

int
ui_keys_check(const cJSON *section, struct zpub_err *err, zs_warn_fn warn, void *ud)
{
	struct ui_keymap km;
	return keymap_build(&km, section, err, warn, ud);
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
