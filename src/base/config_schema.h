/*
 * config_schema.h — the one declaration of every zpub setting and of every
 * vault secret name.
 *
 * Each setting has a dotted key (a segment "<name>" stands for any name, as
 * in prices.<kind>.<provider>), a type with its range or choices, its
 * default (the embedded defaults are built from this table), one line of
 * help, and an owner.  Owners decide which configuration layer may hold a
 * key: the operator's layers (defaults, the user config file, `zpub config
 * set`) may set anything; a tenant's config, a template and a recording's
 * own layer may set only tenant keys (processing, metadata, publish
 * targets' presentation, review, template choice).  Providers, daemon, api,
 * pipeline, log, prices, file paths and server-load knobs are the
 * operator's: refused when a tenant layer is saved, and stripped with a
 * warning when an older stored layer still holds them, so secrets only ever
 * go to the endpoints the operator configured.
 */
#ifndef ZPUB_CONFIG_SCHEMA_H
#define ZPUB_CONFIG_SCHEMA_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "err.h"

enum zs_type {
	ZS_INT,     /* whole number in [min, max] */
	ZS_NUM,     /* finite number in [min, max]; choices "null": or null (off) */
	ZS_BOOL,
	ZS_STR,     /* string of at most max bytes (0 = 4096); choices "@email": an address */
	ZS_URL,     /* http:// or https:// address; choices "a|b": of schemes a or b */
	ZS_ENUM,    /* one of choices ("a|b|c") */
	ZS_LIST,    /* list of strings (at most max); choices limit them, "@lang" = language codes, "@email" = addresses */
	ZS_CSV,     /* as ZS_LIST, or one string "a,b" */
	ZS_ID,      /* a whole number or a string (an id at a service) */
	ZS_LANG,    /* "" or a language code: ISO 639-1, optionally -REGION */
	ZS_SWITCH,  /* false turns it off; an object sets the keys below it */
	ZS_MAP,     /* an object of any names (at most max) to strings; choices: what the names are */
};

enum zs_owner {
	ZS_OPERATOR,   /* only the operator's layers */
	ZS_TENANT,     /* a tenant, a template, a recording may choose it */
	ZS_SYSTEM,     /* operator's; zpub itself also writes it into a recording's layer */
};

/* Which layer is being checked or merged. */
enum zs_scope {
	ZS_SCOPE_OPERATOR,    /* defaults, user file, `zpub config set` */
	ZS_SCOPE_TENANT,      /* tenant config, template */
	ZS_SCOPE_RECORDING,   /* a recording's own stored layer */
};

struct zs_key {
	const char *key;
	enum zs_type type;
	double min, max;
	const char *choices;
	const char *def;        /* default as JSON text; NULL = none (the code decides) */
	enum zs_owner owner;
	const char *help;
};

extern const struct zs_key zs_keys[];
extern const size_t zs_n_keys;

const char *zs_type_name(enum zs_type t);

/* The entry whose key matches a dotted key exactly (patterns allowed), or NULL. */
const struct zs_key *zs_lookup(const char *key);

/* An integer setting the code depends on, read from cfg with the table's
 * default, range and a sentence naming the key when it is out of range or
 * not a whole number.  key must be an integer key of the table. */
int zs_int(const cJSON *cfg, const char *key, int64_t *out, struct zpub_err *err);

/* Checks value v for key (a leaf or a section; "" = the whole config) as
 * the given layer would hold it.  0, or ZPUB_EINVAL with a sentence that
 * names the key, the value and what is allowed. */
int zs_check(const char *key, const cJSON *v, enum zs_scope scope, struct zpub_err *err);

/* Removes from layer (a whole-config object) every key the scope may not
 * hold, unknown keys and values of the wrong type or range; calls note for
 * each with the key and why.  Returns how many were removed. */
typedef void (*zs_note_fn)(void *ud, const char *key, const char *why);
int zs_strip(cJSON *layer, enum zs_scope scope, zs_note_fn note, void *ud);

/* A new object with every default of the table. */
cJSON *zs_defaults(void);

/* Parses a command-line value for key: JSON when it parses (and suits the
 * key's type), else the text as a string.  NULL with err when a number does
 * not fit (1e400).  New item. */
cJSON *zs_parse_value(const char *key, const char *text, struct zpub_err *err);

/* Names of the vault's secrets. */
struct zs_secret {
	const char *name;
	int by_auth;            /* written by `zpub auth`, not by `zpub secret set` */
	const char *help;
};
extern const struct zs_secret zs_secrets[];
extern const size_t zs_n_secrets;

/* 0 when `zpub secret set NAME` may store name; else a sentence with the list. */
int zs_secret_check(const char *name, struct zpub_err *err);

/* A check the table cannot make alone: the values of a section that only
 * another part of zpub understands (ui.keys: the terminal app's action and
 * key names, known to ui/).  The front that knows registers it at start;
 * `zpub config set` runs it on the section as it would be saved.  It
 * returns 0, or ZPUB_EINVAL with a sentence naming what is allowed; warn
 * gets a sentence for a value that is allowed but worth a word. */
typedef void (*zs_warn_fn)(void *ud, const char *msg);
typedef int (*zs_section_fn)(const cJSON *section, struct zpub_err *err, zs_warn_fn warn,
    void *ud);
void zs_register_section(const char *section, zs_section_fn fn);
/* Runs the registered checks on layer (a whole-config object). */
int zs_check_sections(const cJSON *layer, struct zpub_err *err, zs_warn_fn warn, void *ud);

#endif
