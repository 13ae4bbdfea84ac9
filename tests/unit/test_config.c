/*
 * test_config.c — deep merge (objects merge, scalars and arrays replace),
 * dotted access, setting keys and the user file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "config.h"
#include "config_schema.h"
#include <string.h>
#include "testutil.h"

static void
test_deep_merge_objects_merge_scalars_and_arrays_replace(void **state)
{
	(void)state;
	cJSON *dst = cJSON_Parse("{\"a\":{\"x\":1,\"y\":{\"z\":2,\"keep\":true}},\"list\":[1,2,3],"
	    "\"s\":\"old\",\"only_dst\":5}");
	cJSON *src = cJSON_Parse("{\"a\":{\"y\":{\"z\":20},\"new\":\"n\"},\"list\":[9],\"s\":{\"now\":"
	    "\"object\"},\"only_src\":null}");
	config_merge(dst, src);
	assert_int_equal(config_int(dst, "a.x", 0), 1);
	assert_int_equal(config_int(dst, "a.y.z", 0), 20);
	assert_true(config_bool(dst, "a.y.keep", 0));
	assert_string_equal(config_str(dst, "a.new", ""), "n");
	const cJSON *list = config_find(dst, "list");
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_int_equal(cJSON_GetArrayItem(list, 0)->valueint, 9);
	assert_string_equal(config_str(dst, "s.now", ""), "object");
	assert_int_equal(config_int(dst, "only_dst", 0), 5);
	assert_non_null(config_find(dst, "only_src"));
	/* src is left alone. */
	assert_int_equal(config_int(src, "a.y.z", 0), 20);
	assert_null(config_find(src, "a.x"));
	cJSON_Delete(dst);
	cJSON_Delete(src);
}

static void
test_defaults_carry_every_provider_endpoint(void **state)
{
	(void)state;
	static const char *const keys[] = {
		"providers.zoom.api_base", "providers.zoom.oauth_base", "providers.google.auth_url",
		"providers.google.token_url", "providers.youtube.api_base",
		"providers.youtube.upload_base", "providers.vk.api_base", "providers.vk.oauth_base",
		"providers.transcription.base_url", "providers.transcription.model",
		"providers.chat.base_url", "providers.chat.model", NULL
	};
	cJSON *d = config_defaults();
	for (int i = 0; keys[i]; i++) {
		const char *v = config_str(d, keys[i], NULL);
		assert_non_null(v);
		assert_true(strlen(v) > 0);
	}
	assert_string_equal(config_str(d, "providers.chat.model", ""), "deepseek-chat");
	assert_string_equal(config_str(d, "providers.transcription.model", ""), "whisper-v3-turbo");
	cJSON_Delete(d);
}

static void
test_set_parses_json_values_and_creates_objects(void **state)
{
	(void)state;
	cJSON *c = cJSON_CreateObject();
	assert_int_equal(config_set(c, "processing.video.threshold_db", "-35.5", NULL), 0);
	assert_int_equal(config_set(c, "providers.chat.model", "deepseek-reasoner", NULL), 0);
	assert_int_equal(config_set(c, "flags", "[1,2]", NULL), 0);
	assert_int_equal(config_set(c, "on", "true", NULL), 0);
	assert_true(config_double(c, "processing.video.threshold_db", 0) == -35.5);
	assert_string_equal(config_str(c, "providers.chat.model", ""), "deepseek-reasoner");
	assert_int_equal(cJSON_GetArraySize(config_find(c, "flags")), 2);
	assert_true(config_bool(c, "on", 0));
	struct zpub_err err;
	assert_int_equal(config_set(c, "on.deeper", "1", &err), ZPUB_EINVAL);
	assert_int_equal(config_set(c, "bad..key", "1", &err), ZPUB_EINVAL);
	assert_int_equal(config_set(c, "", "1", &err), ZPUB_EINVAL);
	cJSON_Delete(c);
}

static void
test_user_file_layers_over_defaults_and_bad_json_is_reported(void **state)
{
	(void)state;
	char *dir = test_tmpdir("config");
	char *path = path_join(dir, "config.json");
	struct zpub_err err;
	cJSON *c = NULL;
	/* Missing file: defaults. */
	assert_int_equal(config_load(path, &c, &err), 0);
	assert_true(config_double(c, "processing.video.threshold_db", 0) < 0);
	cJSON_Delete(c);
	assert_int_equal(config_file_set(path, "processing.video.threshold_db", "-30", &err), 0);
	assert_int_equal(config_load(path, &c, &err), 0);
	assert_int_equal(config_int(c, "processing.video.threshold_db", 0), -30);
	/* Siblings from the defaults are still there. */
	assert_true(config_int(c, "processing.video.min_silence_ms", 0) > 0);
	cJSON_Delete(c);
	assert_int_equal(fs_size(path) > 0, 1);
	assert_int_equal(fs_write_atomic(path, "{\n\"a\": 1,\n oops }", 17, 0600, NULL), 0);
	assert_int_equal(config_load(path, &c, &err), ZPUB_EINVAL);
	assert_non_null(strstr(err.msg, "line 3"));
	free(path);
	fs_remove_tree(dir);
	free(dir);
}

/* The schema is the one source of the defaults: every default it declares
 * is a value its own checks accept, the built defaults pass the operator's
 * check whole, and a tenant's check refuses every operator key of them. */
static void
test_schema_defaults_satisfy_the_schema(void **state)
{
	(void)state;
	struct zpub_err err;
	for (size_t i = 0; i < zs_n_keys; i++) {
		const struct zs_key *k = &zs_keys[i];
		assert_non_null(k->help);
		assert_true(strlen(k->help) > 5);
		if (k->def == NULL || strchr(k->key, '<'))
			continue;
		cJSON *v = cJSON_Parse(k->def);
		assert_non_null(v);
		if (zs_check(k->key, v, ZS_SCOPE_OPERATOR, &err) != 0)
			fail_msg("default of %s: %s", k->key, err.msg);
		cJSON_Delete(v);
		assert_ptr_equal(zs_lookup(k->key), k);
	}
	cJSON *d = config_defaults();
	assert_int_equal(zs_check("", d, ZS_SCOPE_OPERATOR, &err), 0);
	assert_int_not_equal(zs_check("", d, ZS_SCOPE_TENANT, &err), 0);
	int n = zs_strip(d, ZS_SCOPE_TENANT, NULL, NULL);
	assert_true(n > 10);
	assert_null(config_find(d, "providers.transcription.base_url"));
	assert_null(config_find(d, "providers.google.token_url"));
	assert_null(config_find(d, "publish.folder.path"));
	assert_non_null(config_find(d, "processing.video.threshold_db"));
	assert_int_equal(zs_check("", d, ZS_SCOPE_TENANT, &err), 0);
	cJSON_Delete(d);
}

static void
test_schema_refuses_with_a_sentence(void **state)
{
	(void)state;
	struct zpub_err err;
	cJSON *c = cJSON_CreateObject();
	assert_int_not_equal(config_layer_set(c, "processing.thumbnails.count", "100000",
	    ZS_SCOPE_OPERATOR, &err), 0);
	assert_non_null(strstr(err.msg, "from 0 to 20"));
	assert_int_not_equal(config_layer_set(c, "processing.video.threshold_db", "1e400",
	    ZS_SCOPE_OPERATOR, &err), 0);
	assert_int_not_equal(config_layer_set(c, "processing.vidoe.crf", "20",
	    ZS_SCOPE_OPERATOR, &err), 0);
	assert_non_null(strstr(err.msg, "did you mean 'processing.video.crf'"));
	assert_int_not_equal(config_layer_set(c, "providers.chat.base_url", "http://127.0.0.1:1",
	    ZS_SCOPE_TENANT, &err), 0);
	assert_non_null(strstr(err.msg, "providers.chat.base_url is the operator's setting"));
	assert_int_equal(config_layer_set(c, "prices.transcription_minutes.fireworks", "0.01",
	    ZS_SCOPE_OPERATOR, &err), 0);
	assert_int_equal(config_layer_set(c, "providers.vk.version", "5.199", ZS_SCOPE_OPERATOR,
	    &err), 0);
	assert_string_equal(config_str(c, "providers.vk.version", ""), "5.199");
	assert_int_equal(zs_secret_check("transcription", &err), 0);
	assert_int_not_equal(zs_secret_check("bogus_name", &err), 0);
	assert_non_null(strstr(err.msg, "zoom.client_secret"));
	cJSON_Delete(c);
}

/* zs_int: the one reader of an integer setting the code depends on. */
static void
test_zs_int_reads_by_the_table(void **state)
{
	(void)state;
	struct zpub_err err;
	int64_t v = -1;
	cJSON *cfg = cJSON_Parse("{\"api\": {\"max_connections\": 100, \"max_per_peer\": 0,"
	    " \"idle_timeout_ms\": 150.5, \"header_timeout_ms\": \"soon\"}}");
	assert_int_equal(zs_int(cfg, "api.max_connections", &v, &err), 0);
	assert_int_equal(v, 100);
	assert_int_equal(zs_int(cfg, "api.max_request_bytes", &v, &err), 0);
	assert_int_equal(v, 65536);     /* the table's default */
	assert_int_equal(zs_int(cfg, "api.max_per_peer", &v, &err), ZPUB_EINVAL);
	assert_non_null(strstr(err.msg, "api.max_per_peer is 0 but must be from 1 to 4096"));
	assert_int_equal(zs_int(cfg, "api.idle_timeout_ms", &v, &err), ZPUB_EINVAL);
	assert_non_null(strstr(err.msg, "whole number"));
	assert_int_equal(zs_int(cfg, "api.header_timeout_ms", &v, &err), ZPUB_EINVAL);
	assert_non_null(strstr(err.msg, "must be a number"));
	assert_non_null(strstr(err.msg, "zpub config set api.header_timeout_ms 10000"));
	cJSON_Delete(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deep_merge_objects_merge_scalars_and_arrays_replace),
		cmocka_unit_test(test_defaults_carry_every_provider_endpoint),
		cmocka_unit_test(test_schema_defaults_satisfy_the_schema),
		cmocka_unit_test(test_schema_refuses_with_a_sentence),
		cmocka_unit_test(test_set_parses_json_values_and_creates_objects),
		cmocka_unit_test(test_user_file_layers_over_defaults_and_bad_json_is_reported),
		cmocka_unit_test(test_zs_int_reads_by_the_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
