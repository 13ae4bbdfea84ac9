/*
 * config.c — deep merge, dotted-key access and the user config file.  What
 * a key may hold, and who may set it, is config_schema.c's table.
 */
#include "config.h"
#include "config_schema.h"
#include "jnum.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
config_merge(cJSON *dst, const cJSON *src)
{
	if (!cJSON_IsObject(dst) || !cJSON_IsObject(src))
		return;
	for (const cJSON *s = src->child; s; s = s->next) {
		cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, s->string);
		if (d && cJSON_IsObject(d) && cJSON_IsObject(s)) {
			config_merge(d, s);
			continue;
		}
		cJSON *copy = cJSON_Duplicate(s, 1);
		if (d)
			cJSON_ReplaceItemInObjectCaseSensitive(dst, s->string, copy);
		else
			cJSON_AddItemToObject(dst, s->string, copy);
	}
}

cJSON *
config_defaults(void)
{
	return zs_defaults();
}

int
config_load(const char *path, cJSON **out, struct zpub_err *err)
{
	cJSON *cfg = config_defaults();
	char *text = NULL;
	size_t len;
	struct zpub_err e;

	if (path && fs_read_all(path, &text, &len, &e) == 0) {
		cJSON *user = cJSON_ParseWithLength(text, len);
		if (user == NULL || !cJSON_IsObject(user)) {
			const char *at = cJSON_GetErrorPtr();
			int line = 1;
			for (const char *p = text; at && p < at && *p; p++)
				line += *p == '\n';
			free(text);
			cJSON_Delete(user);
			cJSON_Delete(cfg);
			return zpub_err_set(err, ZPUB_EINVAL,
			    "config file %s is not a valid JSON object (near line %d); fix it or"
			    " remove it to use the defaults", path, line);
		}
		config_merge(cfg, user);
		cJSON_Delete(user);
		free(text);
	} else if (path && e.code != ZPUB_ENOTFOUND) {
		cJSON_Delete(cfg);
		return zpub_err_set(err, e.code, "%s", e.msg);
	}
	*out = cfg;
	return 0;
}

const cJSON *
config_find(const cJSON *cfg, const char *key)
{
	const cJSON *cur = cfg;
	const char *p = key;

	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		const cJSON *next = NULL;
		if (!cJSON_IsObject(cur))
			return NULL;
		for (const cJSON *c = cur->child; c; c = c->next)
			if (c->string && strlen(c->string) == n && strncmp(c->string, p, n) == 0) {
				next = c;
				break;
			}
		cur = next;
		p = dot ? dot + 1 : p + n;
	}
	return cur;
}

int64_t
config_int(const cJSON *cfg, const char *key, int64_t def)
{
	const cJSON *v = config_find(cfg, key);
	return jnum_or(v, -JNUM_MAX, JNUM_MAX, def);
}

double
config_double(const cJSON *cfg, const char *key, double def)
{
	const cJSON *v = config_find(cfg, key);
	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

int
config_bool(const cJSON *cfg, const char *key, int def)
{
	const cJSON *v = config_find(cfg, key);
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	return def;
}

const char *
config_str(const cJSON *cfg, const char *key, const char *def)
{
	const cJSON *v = config_find(cfg, key);
	return cJSON_IsString(v) ? v->valuestring : def;
}

static int
valid_key(const char *key)
{
	if (*key == '\0' || *key == '.')
		return 0;
	for (const char *p = key; *p; p++)
		if (*p == '.' && (p[1] == '.' || p[1] == '\0'))
			return 0;
	return 1;
}

/* Puts val (owned) at key, creating objects on the way; with merge, an
 * object val is merged into an object already there. */
static int
set_item(cJSON *cfg, const char *key, cJSON *val, int merge, struct zpub_err *err)
{
	if (!valid_key(key)) {
		cJSON_Delete(val);
		return zpub_err_set(err, ZPUB_EINVAL, "'%s' is not a config key (use dotted names"
		    " such as processing.video.threshold_db)", key);
	}
	cJSON *cur = cfg;
	const char *p = key;
	for (;;) {
		const char *dot = strchr(p, '.');
		char *name = dot ? strndup(p, (size_t)(dot - p)) : xstrdup(p);
		if (dot == NULL) {
			cJSON *old = cJSON_GetObjectItemCaseSensitive(cur, name);
			if (merge && cJSON_IsObject(old) && cJSON_IsObject(val)) {
				config_merge(old, val);
				cJSON_Delete(val);
			} else if (old)
				cJSON_ReplaceItemInObjectCaseSensitive(cur, name, val);
			else
				cJSON_AddItemToObject(cur, name, val);
			free(name);
			return 0;
		}
		cJSON *next = cJSON_GetObjectItemCaseSensitive(cur, name);
		if (next == NULL) {
			next = cJSON_AddObjectToObject(cur, name);
		} else if (!cJSON_IsObject(next)) {
			zpub_err_set(err, ZPUB_EINVAL, "cannot set %s: '%s' holds a value, not an object",
			    key, name);
			free(name);
			cJSON_Delete(val);
			return ZPUB_EINVAL;
		}
		free(name);
		cur = next;
		p = dot + 1;
	}
}

int
config_set(cJSON *cfg, const char *key, const char *value_text, struct zpub_err *err)
{
	cJSON *val = cJSON_Parse(value_text);
	if (val == NULL)
		val = cJSON_CreateString(value_text);
	return set_item(cfg, key, val, 0, err);
}

int
config_layer_set(cJSON *layer, const char *key, const char *value_text, enum zs_scope scope,
    struct zpub_err *err)
{
	if (!valid_key(key))
		return zpub_err_set(err, ZPUB_EINVAL, "'%s' is not a config key (use dotted names"
		    " such as processing.video.threshold_db)", key);
	cJSON *val = zs_parse_value(key, value_text, err);
	if (val == NULL)
		return ZPUB_EINVAL;
	if (zs_check(key, val, scope, err) != 0) {
		cJSON_Delete(val);
		return ZPUB_EINVAL;
	}
	/* a map (providers.zoom.hosts) is set whole: what it held before goes */
	const struct zs_key *k = zs_lookup(key);
	return set_item(layer, key, val, !(k && k->type == ZS_MAP), err);
}

int
config_file_set(const char *path, const char *key, const char *value_text,
    struct zpub_err *err)
{
	return config_file_set_warn(path, key, value_text, NULL, NULL, err);
}

int
config_file_set_warn(const char *path, const char *key, const char *value_text,
    zs_warn_fn warn, void *ud, struct zpub_err *err)
{
	char *text = NULL;
	size_t len;
	cJSON *user = NULL;
	struct zpub_err e;
	int rc;

	if (fs_read_all(path, &text, &len, &e) == 0) {
		user = cJSON_ParseWithLength(text, len);
		free(text);
		if (!cJSON_IsObject(user)) {
			cJSON_Delete(user);
			return zpub_err_set(err, ZPUB_EINVAL, "config file %s is not a JSON object;"
			    " fix it before setting keys", path);
		}
	} else if (e.code == ZPUB_ENOTFOUND) {
		user = cJSON_CreateObject();
	} else {
		return zpub_err_set(err, e.code, "%s", e.msg);
	}
	if ((rc = config_layer_set(user, key, value_text, ZS_SCOPE_OPERATOR, err)) == 0 &&
	    (rc = zs_check_sections(user, err, warn, ud)) == 0) {
		char *out = cJSON_Print(user);
		rc = fs_write_atomic(path, out, strlen(out), 0600, err);
		cJSON_free(out);
	}
	cJSON_Delete(user);
	return rc;
}
