/*
 * translate.c — subtitles in more languages through the chat service.
 *
 * The cue texts go to the chat model in batches as {"lines":[...]} and must
 * come back as the same number of lines in the same order (checked; asked
 * again once with the error).  Timing stays; each translated line is wrapped
 * by the target language's rules, and a cue whose translation no longer
 * fits two lines is split in two, its time shared by length.
 */
#include "ai.h"
#include "chat.h"
#include "text.h"
#include "http.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define BATCH 40

/* Adds text over [s, e), split in halves (by characters, at a space) while
 * it does not fit the rules. */
static void
fit(struct subs_track *t, int64_t s, int64_t e, const char *text, const struct subs_rules *r,
    int depth)
{
	char *w = subs_wrap(text, r);
	if (w != NULL || depth >= 4 || e - s < 2 * r->min_gap_ms + 200 || strchr(text, ' ') == NULL) {
		subs_track_add(t, s, e, w ? w : xstrdup(text));
		return;
	}
	size_t len = strlen(text), mid = len / 2, cut = 0;
	for (size_t d = 0; d < len / 2 && cut == 0; d++) {
		if (mid + d < len && text[mid + d] == ' ')
			cut = mid + d;
		else if (mid >= d && text[mid - d] == ' ')
			cut = mid - d;
	}
	char *a = xasprintf("%.*s", (int)cut, text), *b = xstrdup(text + cut + 1);
	int64_t at = s + (e - s) * (int64_t)utf8_nlen(text, cut) / (int64_t)(utf8_len(text) ? utf8_len(text) : 1);
	fit(t, s, at - r->min_gap_ms / 2, a, r, depth + 1);
	fit(t, at + r->min_gap_ms / 2, e, b, r, depth + 1);
	free(a);
	free(b);
}

static const char *
lang_name(const char *code)
{
	static const struct { const char *c, *n; } names[] = {
		{ "en", "English" }, { "ru", "Russian" }, { "de", "German" }, { "fr", "French" },
		{ "es", "Spanish" }, { "uk", "Ukrainian" }, { "it", "Italian" }, { "zh", "Chinese" },
		{ NULL, NULL }
	};
	for (size_t i = 0; names[i].c; i++)
		if (strncmp(code, names[i].c, 2) == 0)
			return names[i].n;
	return code;
}

/* Asks for one batch; *lines gets n strings. */
static int
translate_batch(struct http_client *c, const struct topics_chat_opts *o, const char *from,
    const char *to, char **src, size_t n, char **lines, struct ai_usage *usage,
    struct zpub_err *err)
{
	cJSON *messages = cJSON_CreateArray(), *req = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(req, "lines");
	int rc = 0, tries = 0;
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(src[i]));
	char *sys = xasprintf("You translate lecture subtitles from %s to %s. You receive a json "
	    "object {\"lines\": [...]}. Answer with a json object {\"lines\": [...]} holding "
	    "exactly %zu strings in the same order, each the translation of the line with the "
	    "same index. Keep each translation about as short as the original; no notes.",
	    lang_name(from), lang_name(to), n);
	char *user = cJSON_PrintUnformatted(req);
	cJSON_AddItemToArray(messages, chat_msg("system", sys));
	cJSON_AddItemToArray(messages, chat_msg("user", user));
	free(sys);
	free(user);
	for (;;) {
		struct chat_answer ans = {0};
		if ((rc = chat_call(c, o, messages, &ans, usage, err)) != 0)
			break;
		const char *p = ans.content;
		cJSON *j = chat_blank(p) ? NULL : cJSON_Parse(p);
		const cJSON *out = cJSON_GetObjectItemCaseSensitive(j, "lines");
		char why[160] = "";
		if (j == NULL)
			snprintf(why, sizeof why, "the answer is not a json object");
		else if (!cJSON_IsArray(out) || (size_t)cJSON_GetArraySize(out) != n)
			snprintf(why, sizeof why, "\"lines\" must hold exactly %zu strings, it holds %d", n,
			    cJSON_IsArray(out) ? cJSON_GetArraySize(out) : 0);
		if (why[0] == '\0') {
			size_t k = 0;
			const cJSON *x;
			cJSON_ArrayForEach(x, out) {
				const char *s = cJSON_IsString(x) && !chat_blank(x->valuestring) ?
				    x->valuestring : src[k];
				lines[k++] = xstrdup(s);
			}
			cJSON_Delete(j);
			free(ans.content);
			break;
		}
		cJSON_Delete(j);
		if (++tries >= 2) {
			rc = zpub_err_set(err, ZPUB_EREMOTE, "%s did not translate the subtitles to %s: %s",
			    o->svc->name ? o->svc->name : "the chat service", lang_name(to), why);
			free(ans.content);
			break;
		}
		cJSON_AddItemToArray(messages, chat_msg("assistant", ans.content));
		char *fix = xasprintf("That is wrong: %s. Answer again with the json object only.", why);
		cJSON_AddItemToArray(messages, chat_msg("user", fix));
		free(fix);
		free(ans.content);
	}
	cJSON_Delete(req);
	cJSON_Delete(messages);
	return rc;
}

int
subs_translate(const struct subs_track *src, const char *from, const char *to,
    const struct topics_chat_opts *o, const struct subs_rules *r, struct subs_track **out,
    struct ai_usage *usage, struct zpub_err *err)
{
	struct http_client *c = http_client_new();
	struct subs_track *t = xcalloc(1, sizeof *t);
	char **in = xcalloc(src->n + 1, sizeof *in), **tr = xcalloc(src->n + 1, sizeof *tr);
	int rc = 0;

	if (c == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "cannot start an HTTP client to translate subtitles");
		goto out;
	}
	for (size_t i = 0; i < src->n; i++) {
		in[i] = xstrdup(src->cues[i].text);
		for (char *p = in[i]; *p; p++)
			if (*p == '\n')
				*p = ' ';
	}
	for (size_t b = 0; b < src->n && rc == 0; b += BATCH) {
		size_t n = src->n - b < BATCH ? src->n - b : BATCH;
		rc = translate_batch(c, o, from, to, in + b, n, tr + b, usage, err);
	}
	for (size_t i = 0; i < src->n && rc == 0; i++)
		fit(t, src->cues[i].start_ms, src->cues[i].end_ms, tr[i], r, 0);
	if (rc == 0) {
		*out = t;
		t = NULL;
	} else if (o->what) {
		zpub_err_prefix(err, "translating the subtitles of %s", o->what);
	}
out:
	for (size_t i = 0; i < src->n; i++) {
		if (in)
			free(in[i]);
		if (tr)
			free(tr[i]);
	}
	free(in);
	free(tr);
	subs_track_free(t);
	http_client_free(c);
	return rc;
}
