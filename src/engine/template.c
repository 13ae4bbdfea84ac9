/*
 * template.c — which template a recording gets, and applying it.
 *
 * The matcher is pure (a rules object and a subject in, yes/no and a reason
 * out) so it is unit-tested without a store; tpl_apply() is the one place
 * that reads templates from the store and writes the result into the
 * recording.  The glob works on code points, not bytes, so `Лекц?я*` and
 * `[А-Я]*` do what a Russian speaker expects, and case folds with text.h's
 * one table (Latin, Latin Extended, Greek, Cyrillic).
 */
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "config_schema.h"
#include "jnum.h"
#include "log.h"
#include "schedule.h"
#include "store.h"
#include "store_admin.h"
#include "text.h"
#include "util.h"

/* ---- glob ---- */

/* Decodes one code point (text.h's decoder) and advances *p. */
static uint32_t
next_cp(const char **p)
{
	uint32_t c;
	*p += utf8_next_str(*p, &c);
	return c;
}

static uint32_t
fold(uint32_t c)
{
	return text_fold_cp(c, TEXT_FOLD_CASE);
}

/* Matches one [...] class at *pp (just after '['); advances past ']'.
 * Returns 1 match, 0 no match, -1 unterminated (then '[' is literal). */
static int
class_match(const char **pp, uint32_t c, int cs)
{
	const char *p = *pp;
	int neg = 0, hit = 0, first = 1;
	uint32_t fc = fold(c);
	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	for (;;) {
		if (*p == '\0')
			return -1;
		if (*p == ']' && !first)
			break;
		first = 0;
		if (*p == '\\' && p[1])
			p++;
		uint32_t lo = next_cp(&p), hi = lo;
		if (*p == '-' && p[1] && p[1] != ']') {
			p++;
			if (*p == '\\' && p[1])
				p++;
			hi = next_cp(&p);
		}
		if (c >= lo && c <= hi)
			hit = 1;
		else if (!cs && fold(lo) <= fold(hi) && fc >= fold(lo) && fc <= fold(hi))
			hit = 1;
	}
	*pp = p + 1;
	return hit != neg;
}

/* One pattern element at *pp against code point tc: 1 match (advances
 * *pp), 0 no match.  The caller handles '*'. */
static int
elem_match(const char **pp, uint32_t tc, int cs)
{
	const char *p = *pp;
	if (*p == '?') {
		*pp = p + 1;
		return 1;
	}
	if (*p == '[') {
		const char *q = p + 1;
		int m = class_match(&q, tc, cs);
		if (m >= 0) {
			*pp = q;
			return m;
		}
		/* unterminated: a literal '[' */
	}
	if (*p == '\\' && p[1])
		p++;
	uint32_t pc = next_cp(&p);
	*pp = p;
	return pc == tc || (!cs && fold(pc) == fold(tc));
}

/* Iterative, with one remembered star: on a mismatch the last '*' takes
 * one more code point and matching starts again after it.  Every element
 * but '*' matches exactly one code point, so earlier stars never need to
 * be revisited, and the cost is O(pattern x text) however many stars a
 * hostile template holds (the recursive matcher this replaced was
 * exponential; the fuzzer found it). */
static int
glob_at(const char *p, const char *t, int cs)
{
	const char *star_p = NULL, *star_t = NULL;
	for (;;) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (*p == '\0')
				return 1;
			star_p = p;
			star_t = t;
			continue;
		}
		if (*t == '\0') {
			if (*p == '\0')
				return 1;
			return 0;   /* text used up, pattern left (stars were handled) */
		}
		if (*p != '\0') {
			const char *np = p, *nt = t;
			uint32_t tc = next_cp(&nt);
			if (elem_match(&np, tc, cs)) {
				p = np;
				t = nt;
				continue;
			}
		}
		if (star_p == NULL)
			return 0;
		/* the last star takes one more code point */
		next_cp(&star_t);
		p = star_p;
		t = star_t;
	}
}

int
tpl_glob_match(const char *pattern, const char *text, int case_sensitive)
{
	if (pattern == NULL || text == NULL)
		return 0;
	return glob_at(pattern, text, case_sensitive);
}

/* ---- rules ---- */

/* name_pattern and source_type are the original product's names (a glob
 * on the title; ZOOM or LOCAL). */
static const char *const known_rules[] = { "title", "name", "name_pattern", "case_sensitive",
	"source", "source_type", "duration", "weekdays", "time", "comment", NULL };

/* The rules that are globs on the title (all must match). */
static const char *const glob_rules[] = { "title", "name", "name_pattern", NULL };

/* The sources a source_type names (case-insensitive): LOCAL is any file
 * from this machine, imported or watched. */
static const struct {
	const char *type;
	const char *sources[3];
} source_types[] = {
	{ "zoom", { "zoom", NULL, NULL } },
	{ "local", { "local", "watch", NULL } },
};

static int64_t
json_duration_ms(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return jnum_or(v, 0, JNUM_MS_MAX, -1);
	if (cJSON_IsString(v))
		return sched_parse_duration_ms(v->valuestring);
	return -1;
}

static int
weekday_set(const cJSON *v, uint8_t *out)
{
	char buf[256] = "";
	if (cJSON_IsString(v))
		snprintf(buf, sizeof buf, "%s", v->valuestring);
	else if (cJSON_IsArray(v)) {
		const cJSON *e;
		cJSON_ArrayForEach(e, v) {
			if (!cJSON_IsString(e))
				return -1;
			size_t l = strlen(buf);
			snprintf(buf + l, sizeof buf - l, "%s%s", l ? "," : "", e->valuestring);
		}
	} else
		return -1;
	/* Reuse the scheduler's day parser through a time-of-day schedule. */
	char *txt = xasprintf("%s 00:00", buf);
	struct sched s;
	int rc = sched_parse(txt, &s, NULL);
	free(txt);
	if (rc)
		return -1;
	*out = s.wdays;
	return 0;
}

static int
time_window(const char *s, int *from_min, int *to_min)
{
	int h1, m1, h2, m2, n = 0;
	if (sscanf(s, "%d:%d-%d:%d%n", &h1, &m1, &h2, &m2, &n) != 4 || s[n] != '\0' ||
	    h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59)
		return -1;
	*from_min = h1 * 60 + m1;
	*to_min = h2 * 60 + m2;
	return 0;
}

static int
strings_ok(const cJSON *v)
{
	if (cJSON_IsString(v))
		return 1;
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
		if (!cJSON_IsString(e))
			return 0;
	return 1;
}

/* 1 if source is one of the sources the source_type rule v names, 0 if
 * not, -1 if v names an unknown type (source NULL: only checks v). */
static int
source_type_match(const cJSON *v, const char *source)
{
	const cJSON *e = cJSON_IsString(v) ? v : v->child;
	int hit = 0;

	for (; e != NULL; e = cJSON_IsString(v) ? NULL : e->next) {
		size_t i, k, found = 0;

		for (i = 0; i < sizeof source_types / sizeof source_types[0]; i++) {
			if (strcasecmp(e->valuestring, source_types[i].type) != 0)
				continue;
			found = 1;
			for (k = 0; k < 3 && source_types[i].sources[k]; k++)
				hit |= source != NULL && strcmp(source, source_types[i].sources[k]) == 0;
		}
		if (!found)
			return -1;
	}
	return hit;
}

int
tpl_rules_check(const cJSON *rules, struct zpub_err *err)
{
	if (!cJSON_IsObject(rules))
		return zpub_err_set(err, ZPUB_EINVAL, "matching rules must be a JSON object such as"
		    " {\"title\": \"Лекция*\", \"weekdays\": \"mon-fri\"}");
	const cJSON *r;
	cJSON_ArrayForEach(r, rules) {
		int known = 0;
		for (int i = 0; known_rules[i]; i++)
			known |= strcmp(r->string, known_rules[i]) == 0;
		if (!known)
			return zpub_err_set(err, ZPUB_EINVAL, "unknown matching rule '%s' (known: title"
			    " or name_pattern, case_sensitive, source or source_type, duration,"
			    " weekdays, time, comment)", r->string);
	}
	const cJSON *v;
	for (size_t i = 0; glob_rules[i]; i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(rules, glob_rules[i])) && !strings_ok(v))
			return zpub_err_set(err, ZPUB_EINVAL, "rule '%s' takes a glob or a list of"
			    " globs", glob_rules[i]);
	if ((v = cJSON_GetObjectItemCaseSensitive(rules, "source_type")) &&
	    (!strings_ok(v) || source_type_match(v, NULL) < 0))
		return zpub_err_set(err, ZPUB_EINVAL, "rule 'source_type' takes ZOOM or LOCAL (or a"
		    " list of them)");
	if ((v = cJSON_GetObjectItemCaseSensitive(rules, "source")) && !strings_ok(v))
		return zpub_err_set(err, ZPUB_EINVAL, "rule 'source' takes a source name (zoom,"
		    " watch, local) or a list of them");
	if ((v = cJSON_GetObjectItemCaseSensitive(rules, "duration"))) {
		const cJSON *mn = cJSON_GetObjectItemCaseSensitive(v, "min");
		const cJSON *mx = cJSON_GetObjectItemCaseSensitive(v, "max");
		if (!cJSON_IsObject(v) || (!mn && !mx) || (mn && json_duration_ms(mn) < 0) ||
		    (mx && json_duration_ms(mx) < 0))
			return zpub_err_set(err, ZPUB_EINVAL, "rule 'duration' takes {\"min\": \"10m\","
			    " \"max\": \"3h\"} (either may be left out)");
	}
	uint8_t days;
	if ((v = cJSON_GetObjectItemCaseSensitive(rules, "weekdays")) && weekday_set(v, &days))
		return zpub_err_set(err, ZPUB_EINVAL, "rule 'weekdays' takes \"mon-fri\","
		    " \"mon,wed\" or [\"mon\", \"wed\"]");
	int a, b;
	if ((v = cJSON_GetObjectItemCaseSensitive(rules, "time")) &&
	    (!cJSON_IsString(v) || time_window(v->valuestring, &a, &b)))
		return zpub_err_set(err, ZPUB_EINVAL, "rule 'time' takes a window of start times"
		    " such as \"08:00-12:30\"");
	return 0;
}

static int
any_glob(const cJSON *v, const char *text, int cs)
{
	if (cJSON_IsString(v))
		return tpl_glob_match(v->valuestring, text, cs);
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
		if (cJSON_IsString(e) && tpl_glob_match(e->valuestring, text, cs))
			return 1;
	return 0;
}

static int
any_string(const cJSON *v, const char *text)
{
	if (cJSON_IsString(v))
		return strcasecmp(v->valuestring, text) == 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
		if (cJSON_IsString(e) && strcasecmp(e->valuestring, text) == 0)
			return 1;
	return 0;
}

#define NO(...) do { if (why) snprintf(why, why_len, __VA_ARGS__); return 0; } while (0)

int
tpl_rules_match(const cJSON *rules, const struct tpl_subject *s, char *why, size_t why_len,
    struct zpub_err *err)
{
	int rc = tpl_rules_check(rules, err);
	if (rc)
		return rc;
	if (why && why_len)
		why[0] = '\0';
	const cJSON *v;
	int cs = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rules, "case_sensitive"));
	for (size_t i = 0; glob_rules[i]; i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(rules, glob_rules[i])) &&
		    !any_glob(v, s->title ? s->title : "", cs))
			NO("title '%s' does not match the %s rule", s->title ? s->title : "",
			    glob_rules[i]);
	if ((v = cJSON_GetObjectItemCaseSensitive(rules, "source")) &&
	    !any_string(v, s->source ? s->source : ""))
		NO("source '%s' is not one of the rule's sources", s->source ? s->source : "?");
	if ((v = cJSON_GetObjectItemCaseSensitive(rules, "source_type")) &&
	    source_type_match(v, s->source ? s->source : "") != 1)
		NO("source '%s' is not of the rule's source_type", s->source ? s->source : "?");
	if ((v = cJSON_GetObjectItemCaseSensitive(rules, "duration"))) {
		const cJSON *mn = cJSON_GetObjectItemCaseSensitive(v, "min");
		const cJSON *mx = cJSON_GetObjectItemCaseSensitive(v, "max");
		char hms[16];
		time_hms(s->duration_ms, hms);
		if (s->duration_ms <= 0)
			NO("the duration is not known yet");
		if (mn && s->duration_ms < json_duration_ms(mn))
			NO("duration %s is shorter than the rule's minimum", hms);
		if (mx && s->duration_ms > json_duration_ms(mx))
			NO("duration %s is longer than the rule's maximum", hms);
	}
	const cJSON *wd = cJSON_GetObjectItemCaseSensitive(rules, "weekdays");
	const cJSON *tw = cJSON_GetObjectItemCaseSensitive(rules, "time");
	if (wd || tw) {
		if (s->started_at <= 0)
			NO("the start time is not known");
		time_t tt = (time_t)(s->started_at / 1000);
		struct tm tm;
		localtime_r(&tt, &tm);
		uint8_t days = 0x7f;
		static const char *const dn[] = { "Sunday", "Monday", "Tuesday", "Wednesday",
			"Thursday", "Friday", "Saturday" };
		if (wd && weekday_set(wd, &days) == 0 && !((days >> tm.tm_wday) & 1))
			NO("it started on a %s, not one of the rule's weekdays", dn[tm.tm_wday]);
		int from, to, at = tm.tm_hour * 60 + tm.tm_min;
		if (tw && time_window(tw->valuestring, &from, &to) == 0) {
			int in = from <= to ? (at >= from && at < to) : (at >= from || at < to);
			if (!in)
				NO("it started at %02d:%02d, outside %s", tm.tm_hour, tm.tm_min,
				    tw->valuestring);
		}
	}
	return 1;
}
#undef NO

int
tpl_pick(const struct store_template *v, int n, const struct tpl_subject *s)
{
	int best = -1;
	for (int i = 0; i < n; i++) {
		if (!v[i].enabled)
			continue;
		cJSON *rules = cJSON_Parse(v[i].matching_rules ? v[i].matching_rules : "{}");
		int m = rules ? tpl_rules_match(rules, s, NULL, 0, NULL) : 0;
		cJSON_Delete(rules);
		if (m != 1)
			continue;
		if (best < 0 || v[i].priority > v[best].priority ||
		    (v[i].priority == v[best].priority && v[i].id < v[best].id))
			best = i;
	}
	return best;
}

/* A processing_config as a whole-config layer: {"video": ...} is the
 * processing section; an object that names a top-level section of the
 * settings ({"processing": ..., "publish": ...}) is a layer already. */
static cJSON *
processing_layer(const cJSON *pc)
{
	cJSON *layer = cJSON_CreateObject();
	if (!cJSON_IsObject(pc) || pc->child == NULL)
		return layer;
	int rooted = 0;
	for (const cJSON *c = pc->child; c && !rooted; c = c->next) {
		size_t n = strlen(c->string);
		for (size_t i = 0; i < zs_n_keys && !rooted; i++)
			rooted = strncmp(zs_keys[i].key, c->string, n) == 0 &&
			    (zs_keys[i].key[n] == '.' || zs_keys[i].key[n] == '\0');
	}
	if (rooted)
		config_merge(layer, pc);
	else
		cJSON_AddItemToObject(layer, "processing", cJSON_Duplicate(pc, 1));
	return layer;
}

/* The original product's names for two targets' settings. */
static const struct {
	const char *target, *alias, *key;
} target_aliases[] = {
	{ "youtube", "playlist_id", "playlist" },
	{ "vk", "album_id", "album" },
};

/* Gives the settings of output_targets (a copy) their zpub names.  Both
 * names with different values: -1 with err, or (err NULL, a template saved
 * before) zpub's name wins. */
static int
targets_unalias(cJSON *tg, struct zpub_err *err)
{
	for (size_t i = 0; i < sizeof target_aliases / sizeof target_aliases[0]; i++) {
		cJSON *t = cJSON_GetObjectItemCaseSensitive(tg, target_aliases[i].target);
		cJSON *a = cJSON_IsObject(t) ?
		    cJSON_GetObjectItemCaseSensitive(t, target_aliases[i].alias) : NULL;
		cJSON *k;

		if (a == NULL)
			continue;
		k = cJSON_GetObjectItemCaseSensitive(t, target_aliases[i].key);
		if (k != NULL && !cJSON_Compare(a, k, 1) && err != NULL)
			return zpub_err_set(err, ZPUB_EINVAL, "output_targets.%s sets both %s and %s"
			    " (the same setting); keep one", target_aliases[i].target,
			    target_aliases[i].alias, target_aliases[i].key);
		cJSON_DetachItemViaPointer(t, a);
		if (k == NULL)
			cJSON_AddItemToObject(t, target_aliases[i].key, a);
		else
			cJSON_Delete(a);
	}
	return 0;
}

/* The layer of a template's three JSON fields (those given, for a check);
 * NULL with err when output_targets names a setting twice. */
static cJSON *
template_layer(const cJSON *pc, const cJSON *meta, const cJSON *targets, struct zpub_err *err)
{
	cJSON *layer = processing_layer(pc);
	const cJSON *parts[] = { meta, targets };
	const char *names[] = { "metadata", "output_targets" };
	for (int i = 0; i < 2; i++) {
		if (!cJSON_IsObject(parts[i]) || parts[i]->child == NULL)
			continue;
		cJSON *wrap = cJSON_CreateObject(), *part = cJSON_Duplicate(parts[i], 1);
		cJSON_AddItemToObject(wrap, names[i], part);
		if (i == 1 && targets_unalias(part, err) < 0) {
			cJSON_Delete(wrap);
			cJSON_Delete(layer);
			return NULL;
		}
		config_merge(layer, wrap);
		cJSON_Delete(wrap);
	}
	return layer;
}

struct tpl_note {
	const struct store_template *t;
	struct store *st;
	int64_t rec_id;
};

static void
tpl_ignored(void *ud, const char *key, const char *why)
{
	struct tpl_note *n = ud;
	log_warn("template '%s' (id %lld, tenant %lld): ignored %s: %s", n->t->name ? n->t->name :
	    "?", (long long)n->t->id, (long long)n->t->tenant_id, key, why);
	if (n->st && n->rec_id > 0)
		store_journal(n->st, n->rec_id, "warn", "template", "template '%s' sets %s, which"
		    " it may not; ignored: %s", n->t->name ? n->t->name : "?", key, why);
}

/* The template's layer with what a template may not set stripped (an older
 * stored template may still hold it); each stripped key is logged and,
 * with st, journalled on rec_id. */
static cJSON *
layer_of(const struct store_template *t, struct store *st, int64_t rec_id)
{
	cJSON *pc = t->processing_config ? cJSON_Parse(t->processing_config) : NULL;
	cJSON *meta = t->metadata ? cJSON_Parse(t->metadata) : NULL;
	cJSON *tg = t->output_targets ? cJSON_Parse(t->output_targets) : NULL;
	cJSON *layer = template_layer(pc, meta, tg, NULL);
	cJSON_Delete(pc);
	cJSON_Delete(meta);
	cJSON_Delete(tg);
	struct tpl_note n = { t, st, rec_id };
	zs_strip(layer, ZS_SCOPE_TENANT, tpl_ignored, &n);
	return layer;
}

cJSON *
tpl_config_layer(const struct store_template *t)
{
	return layer_of(t, NULL, 0);
}

int
tpl_apply(struct store *st, int64_t rec_id, int64_t *applied, struct zpub_err *err)
{
	struct store_recording *rec = NULL;
	struct store_template *v = NULL;
	struct store_tenant ten;
	cJSON *tcfg = NULL, *layer = NULL, *over = NULL;
	int n = 0, rc;
	memset(&ten, 0, sizeof ten);
	if (applied)
		*applied = 0;

	if ((rc = store_recording_get(st, rec_id, &rec, err)) != 0)
		return rc;
	if (rec->template_id > 0) {
		if (applied)
			*applied = rec->template_id;
		goto out;
	}
	if ((rc = store_templates(st, rec->tenant_id, &v, &n, err)) != 0)
		goto out;
	struct tpl_subject subj = { rec->title, rec->source, rec->duration_ms, rec->started_at };
	int pick = tpl_pick(v, n, &subj);
	const char *how = "matched";
	if (pick < 0) {
		if ((rc = store_tenant_get(st, rec->tenant_id, &ten, err)) != 0)
			goto out;
		tcfg = cJSON_Parse(ten.config ? ten.config : "{}");
		const char *policy = config_str(tcfg, "templates.no_match", "default");
		if (strcmp(policy, "skip") == 0) {
			char detail[256];
			snprintf(detail, sizeof detail, "no template of tenant '%s' matches '%s'",
			    rec->tenant, rec->title);
			rc = store_recording_move(st, rec_id, rec->status, ST_SKIPPED, detail, err);
			if (rc == 0) {
				store_journal(st, rec_id, "info", "template", "%s; skipped", detail);
				if (applied)
					*applied = -1;
			}
			goto out;
		}
		if (strcmp(policy, "none") != 0) {
			const char *def = config_str(tcfg, "templates.default", "default");
			for (int i = 0; i < n; i++)
				if (strcmp(v[i].name, def) == 0 && v[i].enabled)
					pick = i;
			how = "default";
		}
		if (pick < 0) {
			store_journal(st, rec_id, "info", "template",
			    "no template matches; the base configuration applies");
			goto out;
		}
	}
	layer = layer_of(&v[pick], st, rec_id);
	over = rec->config && *rec->config ? cJSON_Parse(rec->config) : NULL;
	if (over)
		config_merge(layer, over);
	char *txt = cJSON_PrintUnformatted(layer);
	rc = store_recording_set_template(st, rec_id, v[pick].id, txt, err);
	cJSON_free(txt);
	if (rc == 0) {
		store_journal(st, rec_id, "info", "template", "template '%s' (%s, priority %d)",
		    v[pick].name, how, v[pick].priority);
		log_info("recording %lld: template '%s' (%s)", (long long)rec_id, v[pick].name, how);
		if (applied)
			*applied = v[pick].id;
	}
out:
	cJSON_Delete(over);
	cJSON_Delete(layer);
	cJSON_Delete(tcfg);
	store_tenant_clear(&ten);
	store_templates_free(v, n);
	store_recording_free(rec);
	return rc;
}

static void
add_json_field(cJSON *o, const char *key, const char *txt)
{
	cJSON *v = txt ? cJSON_Parse(txt) : NULL;
	cJSON_AddItemToObject(o, key, v ? v : cJSON_CreateObject());
}

cJSON *
tpl_to_json(const struct store_template *t)
{
	cJSON *o = cJSON_CreateObject();
	char iso[32];
	cJSON_AddNumberToObject(o, "id", (double)t->id);
	cJSON_AddStringToObject(o, "name", t->name);
	cJSON_AddNumberToObject(o, "priority", t->priority);
	cJSON_AddBoolToObject(o, "enabled", t->enabled);
	add_json_field(o, "matching_rules", t->matching_rules);
	add_json_field(o, "processing_config", t->processing_config);
	add_json_field(o, "metadata", t->metadata);
	add_json_field(o, "output_targets", t->output_targets);
	time_iso(t->created_at, iso);
	cJSON_AddStringToObject(o, "created_at", iso);
	time_iso(t->updated_at, iso);
	cJSON_AddStringToObject(o, "updated_at", iso);
	return o;
}

int
tpl_from_json(const cJSON *j, struct store_template *t, int partial, struct zpub_err *err)
{
	static const char *const keys[] = { "name", "priority", "enabled", "matching_rules",
		"processing_config", "metadata", "output_targets", "id", "created_at",
		"updated_at", NULL };
	if (!cJSON_IsObject(j))
		return zpub_err_set(err, ZPUB_EINVAL, "a template is a JSON object");
	const cJSON *k;
	cJSON_ArrayForEach(k, j) {
		int known = 0;
		for (int i = 0; keys[i]; i++)
			known |= strcmp(k->string, keys[i]) == 0;
		if (!known)
			return zpub_err_set(err, ZPUB_EINVAL, "unknown template field '%s' (known: name,"
			    " priority, enabled, matching_rules, processing_config, metadata,"
			    " output_targets)", k->string);
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "name");
	if (v) {
		if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) > 200 ||
		    !utf8_valid(v->valuestring, strlen(v->valuestring)))
			return zpub_err_set(err, ZPUB_EINVAL, "a template's name is a non-empty string");
		free(t->name);
		t->name = xstrdup(v->valuestring);
	} else if (!partial)
		return zpub_err_set(err, ZPUB_EINVAL, "a template needs a \"name\"");
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "priority"))) {
		int64_t prio;
		if (!jnum_get(v, -1000000, 1000000, &prio))
			return zpub_err_set(err, ZPUB_EINVAL,
			    "\"priority\" is a whole number from -1000000 to 1000000");
		t->priority = (int)prio;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(j, "enabled"))) {
		if (!cJSON_IsBool(v))
			return zpub_err_set(err, ZPUB_EINVAL, "\"enabled\" is true or false");
		t->enabled = cJSON_IsTrue(v);
	} else if (!partial)
		t->enabled = 1;
	static const struct { const char *key; size_t off; } objs[] = {
		{ "matching_rules", offsetof(struct store_template, matching_rules) },
		{ "processing_config", offsetof(struct store_template, processing_config) },
		{ "metadata", offsetof(struct store_template, metadata) },
		{ "output_targets", offsetof(struct store_template, output_targets) },
	};
	for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
		if (!(v = cJSON_GetObjectItemCaseSensitive(j, objs[i].key)))
			continue;
		if (!cJSON_IsObject(v))
			return zpub_err_set(err, ZPUB_EINVAL, "\"%s\" is a JSON object", objs[i].key);
		if (i == 0 && tpl_rules_check(v, err))
			return err ? err->code : ZPUB_EINVAL;
	}
	/* What the three config fields set is checked against the settings
	 * schema: a template may set only what a tenant may choose. */
	cJSON *layer = template_layer(cJSON_GetObjectItemCaseSensitive(j, "processing_config"),
	    cJSON_GetObjectItemCaseSensitive(j, "metadata"),
	    cJSON_GetObjectItemCaseSensitive(j, "output_targets"), err);
	if (layer == NULL)
		return zpub_err_prefix(err, "the template cannot be saved");
	int rc = zs_check("", layer, ZS_SCOPE_TENANT, err);
	cJSON_Delete(layer);
	if (rc)
		return zpub_err_prefix(err, "the template cannot be saved");
	for (size_t i = 0; i < sizeof objs / sizeof objs[0]; i++) {
		if (!(v = cJSON_GetObjectItemCaseSensitive(j, objs[i].key)))
			continue;
		char **dst = (char **)((char *)t + objs[i].off);
		char *txt = cJSON_PrintUnformatted(v);
		free(*dst);
		*dst = xstrdup(txt);
		cJSON_free(txt);
	}
	return 0;
}

/* ---- testing a template against the recordings ---- */

int
tpl_test_json(struct store *st, int64_t tenant_id, const struct store_template *t, cJSON **out,
    struct zpub_err *err)
{
	struct store_template *all = NULL;
	struct store_recording **v = NULL;
	int n = 0, nall = 0, rc;

	*out = NULL;
	cJSON *rules = cJSON_Parse(t->matching_rules ? t->matching_rules : "{}");
	struct store_filter f = { tenant_id, -1, NULL, 0, 0, 0, 0 };
	if ((rc = store_recording_list(st, &f, &v, &n, err)) != 0 ||
	    (rc = store_templates(st, tenant_id, &all, &nall, err)) != 0)
		goto done;
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		struct tpl_subject s = { v[i]->title, v[i]->source, v[i]->duration_ms,
			v[i]->started_at };
		char why[512];
		int m = tpl_rules_match(rules, &s, why, sizeof why, err);
		if (m < 0) {
			cJSON_Delete(arr);
			rc = err ? err->code : ZPUB_EINVAL;
			goto done;
		}
		int win = tpl_pick(all, nall, &s);
		const char *winner = win >= 0 ? all[win].name : NULL;
		cJSON *e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "id", (double)v[i]->id);
		cJSON_AddStringToObject(e, "title", v[i]->title);
		cJSON_AddStringToObject(e, "status", status_name(v[i]->status));
		cJSON_AddBoolToObject(e, "matches", m == 1);
		if (m != 1)
			cJSON_AddStringToObject(e, "why_not", why);
		cJSON_AddBoolToObject(e, "wins", winner && strcmp(winner, t->name) == 0);
		if (winner)
			cJSON_AddStringToObject(e, "winner", winner);
		else
			cJSON_AddNullToObject(e, "winner");
		cJSON_AddItemToArray(arr, e);
	}
	*out = arr;
done:
	cJSON_Delete(rules);
	store_templates_free(all, nall);
	store_recording_list_free(v, n);
	return rc;
}
