/*
 * template.h — matching recordings to a tenant's templates and applying the
 * winner.
 *
 * A template's matching_rules is a JSON object; every rule present must hold:
 *   "title":    "Лекция*" or ["Лекция*", "Lecture ?"]   UTF-8 glob (* ? [...]
 *               [!...] \x), case-insensitive (Latin, Cyrillic, Greek) unless
 *               "case_sensitive": true; any pattern of a list may match
 *   "source":   "zoom" or ["zoom", "watch", "local"]
 *   "duration": {"min": "10m", "max": "3h"}  (or milliseconds)
 *   "weekdays": "mon-fri" or ["mon", "wed"]  (of the recording's start, local time)
 *   "time":     "08:00-12:00" (start time of day, local; may wrap midnight)
 * An empty object matches everything.  Among enabled templates that match,
 * the highest priority wins; equal priorities go to the oldest (lowest id).
 */
#ifndef ZPUB_TEMPLATE_H
#define ZPUB_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct store;
struct store_template;

/* What the matcher looks at. */
struct tpl_subject {
	const char *title;
	const char *source;      /* "local", "watch", "zoom" */
	int64_t duration_ms;     /* 0 = unknown */
	int64_t started_at;      /* epoch ms, 0 = unknown */
};

/* UTF-8 glob: 1 if text matches pattern as a whole. */
int tpl_glob_match(const char *pattern, const char *text, int case_sensitive);

/* Checks a rules object for unknown keys and bad values (for `template add`). */
int tpl_rules_check(const cJSON *rules, struct zpub_err *err);

/* 1 when every rule holds, 0 otherwise (why, when given, says which rule
 * failed), negative with err when the rules themselves are broken. */
int tpl_rules_match(const cJSON *rules, const struct tpl_subject *s, char *why, size_t why_len,
    struct zpub_err *err);

/* Index of the winning template in v (enabled, matching, highest priority,
 * then lowest id), or -1. */
int tpl_pick(const struct store_template *v, int n, const struct tpl_subject *s);

/* The config layer a template contributes: processing_config (under
 * "processing" unless it already names top-level sections), metadata and
 * output_targets.  New object. */
cJSON *tpl_config_layer(const struct store_template *t);

/* Matches recording rec_id against its tenant's templates and applies the
 * winner: sets the recording's template_id and its config to the template's
 * layer with the recording's own override merged on top, in one update, and
 * journals it.  With no match, the tenant's config decides
 * ("templates.no_match": "default" uses "templates.default" or a template
 * named "default"; "skip" moves the recording to SKIPPED; "none" leaves it on
 * the base config).  A recording that already has a template is left alone.
 * *applied (may be NULL) gets the template id, 0 when none, -1 when skipped. */
int tpl_apply(struct store *st, int64_t rec_id, int64_t *applied, struct zpub_err *err);

/* {"id", "name", "priority", "enabled", "matching_rules", ...} (new object). */
cJSON *tpl_to_json(const struct store_template *t);

/* Fills t from a JSON object (the shape tpl_to_json writes), refusing
 * unknown fields and bad rules.  partial: fields left out keep their value
 * (edits); otherwise "name" is required.  Strings in t are replaced (free'd). */
int tpl_from_json(const cJSON *j, struct store_template *t, int partial,
    struct zpub_err *err);

/* Every recording of the tenant against template t, as `zpub template test
 * --json` prints it: [{"id", "title", "status", "matches", "why_not" (when
 * it does not), "wins", "winner" (the template that would win, or null)}].
 * *out: a new array. */
int tpl_test_json(struct store *st, int64_t tenant_id, const struct store_template *t,
    cJSON **out, struct zpub_err *err);

#endif
