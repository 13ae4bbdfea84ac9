/*
 * config.h — layered JSON configuration.
 *
 * Layers are deep-merged, later wins: built-in defaults (the schema's
 * table, config_schema.c) <- user config file <- tenant <- matching
 * template's processing_config <- per-recording override.  Objects merge
 * key by key; scalars and arrays replace.  Keys are dotted paths
 * ("processing.video.threshold_db").
 */
#ifndef ZPUB_CONFIG_H
#define ZPUB_CONFIG_H

#include <stdint.h>
#include <cJSON.h>

#include "config_schema.h"
#include "err.h"

/* Merges src into dst in place (dst keeps ownership; src is only read). */
void config_merge(cJSON *dst, const cJSON *src);

/* The embedded defaults as a new object. */
cJSON *config_defaults(void);

/* Defaults merged with the user's config file (path may not exist). */
int config_load(const char *path, cJSON **out, struct zpub_err *err);

/* Finds a dotted key; NULL if absent. */
const cJSON *config_find(const cJSON *cfg, const char *key);

/* Typed getters that fall back to def when the key is absent or of another type. */
int64_t config_int(const cJSON *cfg, const char *key, int64_t def);
double config_double(const cJSON *cfg, const char *key, double def);
int config_bool(const cJSON *cfg, const char *key, int def);
const char *config_str(const cJSON *cfg, const char *key, const char *def);

/* Sets a dotted key, creating objects on the way.  value_text is parsed as
 * JSON when it is valid JSON (numbers, true, {"a":1}), else taken as a string. */
int config_set(cJSON *cfg, const char *key, const char *value_text, struct zpub_err *err);

/* Sets a dotted key of a layer after checking it against the schema
 * (config_schema.h) for the layer's scope: unknown keys, values of the
 * wrong type or range and keys the scope may not hold are refused with a
 * sentence.  A section's object is checked leaf by leaf and merged into
 * what the layer has. */
int config_layer_set(cJSON *layer, const char *key, const char *value_text,
    enum zs_scope scope, struct zpub_err *err);

/* Loads the user file alone (not merged), checks key and value against
 * the schema (config_layer_set, operator scope) and the checks the fronts
 * registered (zs_check_sections; their warnings go to warn, which may be
 * NULL), edits the file and writes it atomically (0600). */
int config_file_set(const char *path, const char *key, const char *value_text,
    struct zpub_err *err);
int config_file_set_warn(const char *path, const char *key, const char *value_text,
    zs_warn_fn warn, void *ud, struct zpub_err *err);

#endif
