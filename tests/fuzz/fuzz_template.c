/* needs: src/engine/template.c */
/*
 * fuzz_template.c — template matching: UTF-8 globs (* ? [...] [!...] \x,
 * case folding for Latin, Cyrillic and Greek) on arbitrary patterns and
 * titles, and whole matching_rules objects from arbitrary JSON.  Checks: no
 * crash or overread on broken UTF-8 or unterminated classes; "*" matches
 * every title; a title with its specials escaped matches itself; rules that
 * tpl_rules_check accepts never make tpl_rules_match report broken rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "template.h"
#include "fdp.h"

static char *
escape_glob(const char *s)
{
	char *o = malloc(2 * strlen(s) + 1), *p = o;
	if (o == NULL)
		abort();
	for (; *s; s++) {
		if (strchr("*?[]\\", *s))
			*p++ = '\\';
		*p++ = *s;
	}
	*p = '\0';
	return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp f = { data, size };
	uint8_t mode = fdp_u8(&f);

	if (mode & 1) {
		int cs = (mode >> 1) & 1;
		char *pat = fdp_str(&f, 256);
		char *text = fdp_str(&f, 512);
		tpl_glob_match(pat, text, cs);
		if (!tpl_glob_match("*", text, cs)) {
			fprintf(stderr, "'*' does not match '%s'\n", text);
			__builtin_trap();
		}
		char *esc = escape_glob(text);
		if (!tpl_glob_match(esc, text, 1)) {
			fprintf(stderr, "escaped '%s' does not match itself\n", text);
			__builtin_trap();
		}
		free(esc);
		free(pat);
		free(text);
		return 0;
	}
	struct tpl_subject s = {0};
	char *title = fdp_str(&f, 256);
	s.title = title;
	static const char *const sources[] = { "local", "watch", "zoom", "", "x" };
	s.source = sources[fdp_u8(&f) % 5];
	s.duration_ms = fdp_range(&f, -1, 400000000);
	s.started_at = fdp_range(&f, -86400000, 4102444800000LL);
	char *json = fdp_rest(&f);
	cJSON *rules = cJSON_Parse(json);
	struct zpub_err err = {0};
	char why[256];
	int ok = tpl_rules_check(rules, &err) == 0;
	int m = tpl_rules_match(rules, &s, why, sizeof why, &err);
	if (ok && m < 0) {
		fprintf(stderr, "rules passed the check but broke matching: %s\n", err.msg);
		__builtin_trap();
	}
	cJSON_Delete(rules);
	free(json);
	free(title);
	return 0;
}
