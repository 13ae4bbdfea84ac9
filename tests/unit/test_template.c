/*
 * test_template.c — the UTF-8 glob (Cyrillic, classes, case folding), every
 * matching rule, priority order, and tpl_apply() on a real store: the
 * winner's config merged under the recording's own override, the tenant's
 * default, and SKIPPED when configured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "store.h"
#include "store_admin.h"
#include "template.h"
#include "testutil.h"

static void
test_glob_utf8_cyrillic(void **state)
{
	(void)state;
	assert_true(tpl_glob_match("Лекция*", "Лекция 3. Интегралы", 0));
	assert_true(tpl_glob_match("лекция*", "ЛЕКЦИЯ 3", 0));
	assert_false(tpl_glob_match("лекция*", "ЛЕКЦИЯ 3", 1));
	assert_true(tpl_glob_match("Лекц?я*", "Лекция", 0));
	/* '?' is one code point, not one byte. */
	assert_true(tpl_glob_match("??", "Яя", 1));
	assert_false(tpl_glob_match("???", "Яя", 1));
	assert_true(tpl_glob_match("*семинар*", "Матанализ — Семинар 2", 0));
	assert_false(tpl_glob_match("Лекция*", "Семинар", 0));
	assert_true(tpl_glob_match("Ёлка", "ёлка", 0));
	assert_false(tpl_glob_match("Елка", "Ёлка", 0));
	assert_true(tpl_glob_match("ÉCOLE*", "école d'été", 0));
	assert_true(tpl_glob_match("ΛΈΞΗ", "λέξη", 0));
	assert_true(tpl_glob_match("*", "", 0));
	assert_false(tpl_glob_match("?", "", 0));
	assert_true(tpl_glob_match("a*b*c", "a🎓b🎓c", 0));
	assert_false(tpl_glob_match("a*b*c", "a🎓b🎓", 0));
}

static void
test_glob_classes_and_escapes(void **state)
{
	(void)state;
	assert_true(tpl_glob_match("[А-Я]*", "Лекция", 1));
	assert_false(tpl_glob_match("[А-Я]*", "лекция", 1));
	assert_true(tpl_glob_match("[А-Я]*", "лекция", 0));
	assert_true(tpl_glob_match("Lecture [0-9]*", "Lecture 7: Sets", 0));
	assert_false(tpl_glob_match("Lecture [!0-9]*", "Lecture 7", 0));
	assert_true(tpl_glob_match("Lecture [^0-9]*", "Lecture X", 0));
	assert_true(tpl_glob_match("[]]x", "]x", 0));
	assert_true(tpl_glob_match("[абв]", "Б", 0));
	assert_true(tpl_glob_match("50\\%\\*", "50%*", 0));
	assert_false(tpl_glob_match("\\*", "x", 0));
	assert_true(tpl_glob_match("[unterminated", "[unterminated", 0));
	/* Invalid UTF-8 in the text never matches a real letter, never crashes. */
	assert_false(tpl_glob_match("Л*", "\xd0", 0));
	assert_true(tpl_glob_match("*", "\xff\xfe", 0));
}

static cJSON *
rules(const char *json)
{
	cJSON *r = cJSON_Parse(json);
	assert_non_null(r);
	return r;
}

static int
match(const char *json, const struct tpl_subject *s)
{
	cJSON *r = rules(json);
	char why[256];
	int m = tpl_rules_match(r, s, why, sizeof why, NULL);
	cJSON_Delete(r);
	return m;
}

static void
test_rules_each_kind(void **state)
{
	(void)state;
	/* Wednesday 2026-11-25 10:30 UTC, 95 minutes. */
	struct tpl_subject s = { "Лекция 5", "zoom", 95 * 60000,
		time_parse_iso("2026-11-25T10:30:00Z") };
	assert_int_equal(match("{}", &s), 1);
	assert_int_equal(match("{\"title\": \"Лекция*\"}", &s), 1);
	assert_int_equal(match("{\"title\": [\"Семинар*\", \"лекция*\"]}", &s), 1);
	assert_int_equal(match("{\"title\": \"Семинар*\"}", &s), 0);
	assert_int_equal(match("{\"source\": \"zoom\"}", &s), 1);
	assert_int_equal(match("{\"source\": [\"watch\", \"local\"]}", &s), 0);
	assert_int_equal(match("{\"duration\": {\"min\": \"1h\", \"max\": \"2h\"}}", &s), 1);
	assert_int_equal(match("{\"duration\": {\"min\": \"2h\"}}", &s), 0);
	assert_int_equal(match("{\"duration\": {\"max\": 600000}}", &s), 0);
	assert_int_equal(match("{\"weekdays\": \"mon-fri\"}", &s), 1);
	assert_int_equal(match("{\"weekdays\": [\"sat\", \"sun\"]}", &s), 0);
	assert_int_equal(match("{\"time\": \"08:00-12:00\"}", &s), 1);
	assert_int_equal(match("{\"time\": \"12:00-18:00\"}", &s), 0);
	assert_int_equal(match("{\"time\": \"22:00-11:00\"}", &s), 1);   /* wraps midnight */
	assert_int_equal(match("{\"title\": \"Лекция*\", \"source\": \"zoom\","
	    " \"weekdays\": \"wed\", \"time\": \"10:00-11:00\"}", &s), 1);
	/* The original product's names: name_pattern, source_type. */
	assert_int_equal(match("{\"name_pattern\": \"Лекция*\", \"source_type\": \"ZOOM\"}", &s), 1);
	assert_int_equal(match("{\"name_pattern\": \"Seminar*\"}", &s), 0);
	assert_int_equal(match("{\"source_type\": \"local\"}", &s), 0);
	assert_int_equal(match("{\"source_type\": [\"Local\", \"zoom\"]}", &s), 1);
	/* Unknown duration or start never satisfies a rule that needs it. */
	struct tpl_subject u = { "Лекция", "watch", 0, 0 };
	assert_int_equal(match("{\"source_type\": \"LOCAL\"}", &u), 1);
	assert_int_equal(match("{\"duration\": {\"min\": \"1m\"}}", &u), 0);
	assert_int_equal(match("{\"weekdays\": \"mon-sun\"}", &u), 0);
}

static void
test_rules_refuse_typos_and_bad_values(void **state)
{
	(void)state;
	struct zpub_err err;
	static const char *const bad[] = { "[]", "{\"titel\": \"x\"}", "{\"title\": 5}",
		"{\"duration\": {\"min\": \"soon\"}}", "{\"duration\": {}}",
		"{\"weekdays\": \"someday\"}", "{\"time\": \"8-12\"}", "{\"source\": []}",
		"{\"source_type\": \"DROPBOX\"}", "{\"source_type\": [\"ZOOM\", 1]}",
		"{\"name_pattern\": 5}", NULL };
	for (int i = 0; bad[i]; i++) {
		cJSON *r = rules(bad[i]);
		if (tpl_rules_check(r, &err) != ZPUB_EINVAL)
			fail_msg("rules %s should be refused", bad[i]);
		cJSON_Delete(r);
	}
	cJSON *r = rules("{\"titel\": \"x\"}");
	tpl_rules_check(r, &err);
	assert_non_null(strstr(err.msg, "titel"));
	cJSON_Delete(r);
}

static void
test_pick_priority_then_oldest(void **state)
{
	(void)state;
	struct store_template v[4];
	memset(v, 0, sizeof v);
	const char *names[] = { "any", "lectures", "lectures-too", "disabled" };
	const char *rl[] = { "{}", "{\"title\": \"Лекция*\"}", "{\"title\": \"Лек*\"}",
		"{\"title\": \"*\"}" };
	int prio[] = { 0, 10, 10, 100 };
	for (int i = 0; i < 4; i++) {
		v[i].id = i + 1;
		v[i].name = (char *)names[i];
		v[i].matching_rules = (char *)rl[i];
		v[i].priority = prio[i];
		v[i].enabled = i != 3;
	}
	struct tpl_subject s = { "Лекция 1", "local", 0, 0 };
	assert_int_equal(tpl_pick(v, 4, &s), 1);
	s.title = "Семинар";
	assert_int_equal(tpl_pick(v, 4, &s), 0);
	v[0].enabled = 0;
	assert_int_equal(tpl_pick(v, 4, &s), -1);
}

static void
test_config_layer_wraps_processing(void **state)
{
	(void)state;
	struct store_template t = { 0 };
	t.processing_config = (char *)"{\"video\": {\"threshold_db\": -30}}";
	t.metadata = (char *)"{\"title\": \"{{title}} ({{date}})\"}";
	t.output_targets = (char *)"{}";
	cJSON *l = tpl_config_layer(&t);
	assert_int_equal((int)config_double(l, "processing.video.threshold_db", 0), -30);
	assert_string_equal(config_str(l, "metadata.title", ""), "{{title}} ({{date}})");
	assert_null(config_find(l, "output_targets"));
	cJSON_Delete(l);
	t.processing_config = (char *)"{\"processing\": {\"topics\": {\"engine\": \"extractive\"}},"
	    " \"publish\": {\"to\": \"folder\"}}";
	l = tpl_config_layer(&t);
	assert_string_equal(config_str(l, "processing.topics.engine", ""), "extractive");
	assert_string_equal(config_str(l, "publish.to", ""), "folder");
	cJSON_Delete(l);
}

/* A template may set only what a tenant may choose: an older stored
 * template's operator keys (providers, pipeline, file paths) and values the
 * schema refuses are left out of its layer; tpl_from_json refuses them. */
static void
test_config_layer_strips_operator_keys(void **state)
{
	(void)state;
	struct store_template t = { 0 };
	t.name = (char *)"evil";
	t.processing_config = (char *)"{\"processing\": {\"video\": {\"crf\": 30,"
	    " \"threshold_db\": \"loud\"}}, \"providers\": {\"transcription\":"
	    " {\"base_url\": \"http://127.0.0.1:9/v1\"}}, \"pipeline\": {\"max_attempts\": 2},"
	    " \"publish\": {\"folder\": {\"path\": \"/etc\"}, \"to\": \"folder\"}}";
	cJSON *l = tpl_config_layer(&t);
	assert_int_equal(config_int(l, "processing.video.crf", 0), 30);
	assert_null(config_find(l, "processing.video.threshold_db"));
	assert_null(config_find(l, "providers.transcription.base_url"));
	assert_null(config_find(l, "pipeline.max_attempts"));
	assert_null(config_find(l, "publish.folder.path"));
	assert_string_equal(config_str(l, "publish.to", ""), "folder");
	cJSON_Delete(l);

	struct store_template nt = { 0 };
	struct zpub_err err;
	cJSON *j = cJSON_Parse("{\"name\": \"evil\", \"processing_config\": {\"processing\": {},"
	    " \"providers\": {\"transcription\": {\"base_url\": \"http://127.0.0.1:9/v1\"}}}}");
	assert_int_not_equal(tpl_from_json(j, &nt, 0, &err), 0);
	assert_non_null(strstr(err.msg, "providers.transcription.base_url is the operator's setting"));
	cJSON_Delete(j);
	j = cJSON_Parse("{\"name\": \"t\", \"metadata\": {\"titel\": \"x\"}}");
	assert_int_not_equal(tpl_from_json(j, &nt, 0, &err), 0);
	assert_non_null(strstr(err.msg, "did you mean 'metadata.title'"));
	cJSON_Delete(j);
	j = cJSON_Parse("{\"name\": \"t\", \"output_targets\": {\"dropbox\": {}}}");
	assert_int_not_equal(tpl_from_json(j, &nt, 0, &err), 0);
	cJSON_Delete(j);
	j = cJSON_Parse("{\"name\": \"t\", \"processing_config\": {\"video\": {\"threshold_db\": -30}},"
	    " \"output_targets\": {\"youtube\": {\"privacy\": \"unlisted\"}, \"folder\": false}}");
	assert_int_equal(tpl_from_json(j, &nt, 0, &err), 0);
	cJSON_Delete(j);
	store_template_clear(&nt);
}

/* ---- tpl_apply on a store ---- */

static struct store *
fresh(char **dir)
{
	struct zpub_err err;
	struct store *st = NULL;
	*dir = test_tmpdir("template");
	char *db = test_db(*dir);
	if (store_open(db, *dir, &st, &err) != 0)
		fail_msg("%s", err.msg);
	free(db);
	return st;
}

static int64_t
add_rec(struct store *st, int64_t tenant, const char *title, const char *cfg)
{
	static int n;
	char ref[32];
	snprintf(ref, sizeof ref, "ref-%d", ++n);
	struct store_recording r = { 0 };
	r.tenant_id = tenant;
	r.source = (char *)"local";
	r.source_ref = ref;
	r.title = (char *)title;
	r.status = ST_DOWNLOADED;
	r.config = (char *)cfg;
	int64_t id;
	assert_int_equal(store_recording_add(st, &r, &id, NULL), 0);
	return id;
}

static int64_t
add_tpl(struct store *st, int64_t tenant, const char *name, int prio, const char *rl,
    const char *pc)
{
	struct store_template t = { 0 };
	t.tenant_id = tenant;
	t.name = (char *)name;
	t.priority = prio;
	t.enabled = 1;
	t.matching_rules = (char *)rl;
	t.processing_config = (char *)pc;
	int64_t id;
	struct zpub_err err;
	if (store_template_put(st, &t, &id, &err))
		fail_msg("%s", err.msg);
	return id;
}

static void
test_apply_merges_under_override_and_is_idempotent(void **state)
{
	(void)state;
	char *dir;
	struct store *st = fresh(&dir);
	struct zpub_err err;
	int64_t lec = add_tpl(st, 1, "lectures", 5, "{\"title\": \"Лекция*\"}",
	    "{\"video\": {\"threshold_db\": -30, \"crf\": 30}}");
	add_tpl(st, 1, "everything", 0, "{}", "{\"video\": {\"threshold_db\": -50}}");
	int64_t r1 = add_rec(st, 1, "Лекция 1", "{\"processing\": {\"video\": {\"crf\": 18}}}");
	int64_t got;
	assert_int_equal(tpl_apply(st, r1, &got, &err), 0);
	assert_int_equal(got, lec);
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(st, r1, &r, NULL), 0);
	assert_int_equal(r->template_id, lec);
	cJSON *c = cJSON_Parse(r->config);
	assert_int_equal(config_int(c, "processing.video.threshold_db", 0), -30);
	assert_int_equal(config_int(c, "processing.video.crf", 0), 18);   /* override wins */
	cJSON_Delete(c);
	char *before = xstrdup(r->config);
	store_recording_free(r);
	/* A second apply changes nothing. */
	assert_int_equal(tpl_apply(st, r1, &got, &err), 0);
	assert_int_equal(got, lec);
	assert_int_equal(store_recording_get(st, r1, &r, NULL), 0);
	assert_string_equal(r->config, before);
	free(before);
	store_recording_free(r);
	store_close(st);
	fs_remove_tree(dir);
	free(dir);
}

static void
test_apply_without_match_default_or_skip(void **state)
{
	(void)state;
	char *dir;
	struct store *st = fresh(&dir);
	struct zpub_err err;
	int64_t t2;
	assert_int_equal(store_tenant_add(st, "physics", &t2, NULL), 0);
	add_tpl(st, t2, "lectures", 5, "{\"title\": \"Лекция*\"}", "{}");
	int64_t def = add_tpl(st, t2, "fallback", 0, "{\"title\": \"never\"}", "{}");
	assert_int_equal(store_tenant_set_config(st, t2,
	    "{\"templates\": {\"default\": \"fallback\"}}", NULL), 0);
	int64_t r1 = add_rec(st, t2, "Семинар", NULL), got;
	assert_int_equal(tpl_apply(st, r1, &got, &err), 0);
	assert_int_equal(got, def);

	assert_int_equal(store_tenant_set_config(st, t2,
	    "{\"templates\": {\"no_match\": \"skip\"}}", NULL), 0);
	int64_t r2 = add_rec(st, t2, "Семинар 2", NULL);
	assert_int_equal(tpl_apply(st, r2, &got, &err), 0);
	assert_int_equal(got, -1);
	struct store_recording *r = NULL;
	assert_int_equal(store_recording_get(st, r2, &r, NULL), 0);
	assert_int_equal(r->status, ST_SKIPPED);
	store_recording_free(r);

	/* Another tenant's templates never apply. */
	int64_t r3 = add_rec(st, 1, "Лекция 9", NULL);
	assert_int_equal(tpl_apply(st, r3, &got, &err), 0);
	assert_int_equal(got, 0);
	store_close(st);
	fs_remove_tree(dir);
	free(dir);
}

static int
utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glob_utf8_cyrillic),
		cmocka_unit_test(test_glob_classes_and_escapes),
		cmocka_unit_test(test_rules_each_kind),
		cmocka_unit_test(test_rules_refuse_typos_and_bad_values),
		cmocka_unit_test(test_pick_priority_then_oldest),
		cmocka_unit_test(test_config_layer_wraps_processing),
		cmocka_unit_test(test_config_layer_strips_operator_keys),
		cmocka_unit_test(test_apply_merges_under_override_and_is_idempotent),
		cmocka_unit_test(test_apply_without_match_default_or_skip),
	};
	return cmocka_run_group_tests(tests, utc, NULL);
}
