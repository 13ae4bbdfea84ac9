/*
 * topics_chat.c — the `openai-compatible` topics engine (DeepSeek, OpenAI,
 * Ollama... through {base_url}/chat/completions in JSON mode).
 *
 * The prompt is the timestamped transcript ("[HH:MM:SS] text" per segment),
 * split into parts that fit the model's context window; each part is asked
 * for main topics, detail topics and breaks as JSON.  Every answer is
 * validated (parseable, times ascending and inside the video, titles short
 * and non-empty); an invalid one is asked again once with the error, then
 * repaired (sorted, clamped, pruned) and flagged.  Empty content (DeepSeek
 * sends it under load) is asked again; 402 (no balance) is never retried.
 * Token usage and cost are added up for every answer billed.
 */
#include "ai.h"
#include "chat.h"
#include "text.h"
#include "jnum.h"
#include "http.h"
#include "wire_parse.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *system_prompt =
    "You structure university lectures for viewers who navigate the video by chapters. "
    "You receive a transcript with timecodes [HH:MM:SS]. Answer with one json object "
    "and nothing else, in this form:\n"
    "{\"topics\":[{\"start\":\"00:00:00\",\"level\":\"main\",\"title\":\"Introduction\"},"
    "{\"start\":\"00:04:10\",\"level\":\"detail\",\"title\":\"Why sorting matters\"}],"
    "\"breaks\":[{\"start\":\"00:45:00\",\"end\":\"00:55:00\"}],"
    "\"summary\":\"Two or three sentences about the lecture.\"}\n"
    "Rules: main topics are the big parts of the lecture (usually one every 5-20 minutes), "
    "detail topics are the subtopics inside them; the first topic is a main topic at "
    "00:00:00; start times ascend and are timecodes that appear in the transcript; "
    "titles are short (at most 60 characters), specific, and in the language of the "
    "transcript; breaks are long pauses or announced breaks (\"let's take a break\"), "
    "else an empty list.";

char **
topics_chat_prompts(const struct transcript *t, int64_t max_chars, size_t *n)
{
	char **parts = NULL;
	size_t np = 0, cap = 0;
	struct sbuf b = {0};
	struct transcript *tmp = NULL;
	const struct transcript *src = t;

	if (t->n_segs == 0 && t->n_words > 0) {
		tmp = tr_new(t->engine, t->language);
		tr_append(tmp, t, 0);
		tr_segments_from_words(tmp);
		src = tmp;
	}
	if (max_chars < 500)
		max_chars = 500;
	for (size_t i = 0; i <= src->n_segs; i++) {
		char line[64];
		int flush = i == src->n_segs;
		if (!flush) {
			char hms[16];
			time_hms(src->segs[i].start_ms, hms);
			snprintf(line, sizeof line, "[%s] ", hms);
			size_t add = strlen(line) + strlen(src->segs[i].text) + 1;
			flush = b.len > 0 && (int64_t)(b.len + add) > max_chars;
		}
		if (flush && b.len > 0) {
			if (np == cap) {
				cap = cap ? cap * 2 : 4;
				parts = xreallocarray(parts, cap, sizeof *parts);
			}
			parts[np++] = sb_take(&b);
		}
		if (i == src->n_segs)
			break;
		sb_add(&b, line);
		sb_add(&b, src->segs[i].text);
		sb_addc(&b, '\n');
	}
	sb_free(&b);
	tr_free(tmp);
	*n = np;
	return parts;
}

/* A usage count: 1 and *n when absent (0) or a count, 0 when not one. */
static int
token_count(const cJSON *usage, const char *key, int64_t *n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(usage, key);
	*n = 0;
	return v == NULL || cJSON_IsNull(v) || jnum_get(v, 0, CHAT_TOKENS_MAX, n);
}

int
chat_parse_answer(const char *body, const char *who, struct chat_answer *ans,
    struct chat_tokens *tok, struct zpub_err *err)
{
	const char *p = body ? body : "";
	char msg[256];

	memset(ans, 0, sizeof *ans);
	memset(tok, 0, sizeof *tok);
	for (;;) {
		/* under load the server keeps the line open with blank lines or
		 * SSE comments before the body */
		p += strspn(p, " \t\r\n");
		if (*p != ':')
			break;
		p += strcspn(p, "\n");
	}
	cJSON *o = cJSON_Parse(p);
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return zpub_err_set(err, ZPUB_EREMOTE, "%s sent a reply that is not JSON", who);
	}
	const cJSON *choices = cJSON_GetObjectItemCaseSensitive(o, "choices");
	const cJSON *ch = cJSON_GetArrayItem(choices, 0);
	if (!cJSON_IsArray(choices) || !cJSON_IsObject(ch)) {
		chat_parse_error(p, msg, sizeof msg);
		cJSON_Delete(o);
		if (msg[0])
			return zpub_err_set(err, ZPUB_EREMOTE, "%s answered with an error: %s", who, msg);
		return zpub_err_set(err, ZPUB_EREMOTE, "%s sent a reply without choices", who);
	}
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(o, "usage");
	if (cJSON_IsObject(u)) {
		const char *hit = "prompt_cache_hit_tokens";
		const cJSON *cu = u;
		if (cJSON_GetObjectItemCaseSensitive(u, hit) == NULL) {
			/* OpenAI keeps it elsewhere */
			cu = cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens_details");
			hit = "cached_tokens";
		}
		tok->billed = 1;
		if (!token_count(u, "prompt_tokens", &tok->prompt) ||
		    !token_count(u, "completion_tokens", &tok->completion) ||
		    !token_count(cu, hit, &tok->cached) || tok->cached > tok->prompt) {
			cJSON_Delete(o);
			memset(tok, 0, sizeof *tok);
			return zpub_err_set(err, ZPUB_EREMOTE, "%s sent a usage that is not a token "
			    "count (each a whole number up to %lld, cached no more than prompt)", who,
			    (long long)CHAT_TOKENS_MAX);
		}
	}
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(ch, "message"), "content");
	const cJSON *fin = cJSON_GetObjectItemCaseSensitive(ch, "finish_reason");
	if (cJSON_IsString(fin) && wire_id_ok(fin->valuestring, sizeof ans->finish - 1, "_"))
		snprintf(ans->finish, sizeof ans->finish, "%s", fin->valuestring);
	else if (cJSON_IsString(fin))
		snprintf(ans->finish, sizeof ans->finish, "unreadable");
	ans->content = xstrdup(cJSON_IsString(content) ? content->valuestring : "");
	cJSON_Delete(o);
	return 0;
}

void
chat_parse_error(const char *body, char *out, size_t n)
{
	char msg[200] = "", type[40] = "", code[40] = "";
	cJSON *o = body ? cJSON_Parse(body + strspn(body, " \t\r\n")) : NULL;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");
	int64_t num;

	out[0] = '\0';
	if (cJSON_IsString(e))
		wire_text(msg, sizeof msg, e->valuestring);
	if (cJSON_IsString(m))
		wire_text(msg, sizeof msg, m->valuestring);
	if (cJSON_IsString(t))
		wire_text(type, sizeof type, t->valuestring);
	if (cJSON_IsString(c))
		wire_text(code, sizeof code, c->valuestring);
	else if (jnum_get(c, -JNUM_MAX, JNUM_MAX, &num))
		snprintf(code, sizeof code, "%lld", (long long)num);
	cJSON_Delete(o);
	if (msg[0] == '\0' && type[0] == '\0' && code[0] == '\0')
		return;
	char all[300];
	snprintf(all, sizeof all, "%s%s%s%s%s%s", msg[0] ? msg : "no message",
	    type[0] || code[0] ? " (" : "", type, type[0] && code[0] ? ", " : "", code,
	    type[0] || code[0] ? ")" : "");
	wire_text(out, n, all); /* cut on a code point, not inside one */
}

/* One chat call with the shared retry policy; adds the billed usage. */
int
chat_call(struct http_client *c, const struct topics_chat_opts *o, cJSON *messages,
    struct chat_answer *ans, struct ai_usage *usage, struct zpub_err *err)
{
	const struct ai_service *svc = o->svc;
	const char *name = svc->name ? svc->name : "the chat service";
	cJSON *body = cJSON_CreateObject();
	struct http_response resp = {0};
	char *url = xasprintf("%s%s", svc->base_url, svc->path ? svc->path : "/chat/completions");
	int rc = 0;

	cJSON_AddStringToObject(body, "model", svc->model ? svc->model : "deepseek-chat");
	cJSON_AddItemReferenceToObject(body, "messages", messages);
	cJSON_AddNumberToObject(body, "temperature", 0.2);
	cJSON_AddNumberToObject(body, "max_tokens", 4096);
	cJSON_AddFalseToObject(body, "stream");
	cJSON *rf = cJSON_AddObjectToObject(body, "response_format");
	cJSON_AddStringToObject(rf, "type", "json_object");
	char *text = cJSON_PrintUnformatted(body);
	static const char *const hdrs[] = { "Accept: application/json", NULL };
	struct http_request req = {
		.method = "POST", .url = url, .headers = hdrs,
		.bearer = svc->key && svc->key[0] ? svc->key : NULL,
		.body = text, .body_len = strlen(text), .content_type = "application/json",
		/* DeepSeek keeps slow connections open up to 10 min with blank lines */
		.timeout_ms = svc->timeout_ms > 0 ? svc->timeout_ms : 660000,
		.low_speed_time_s = -1, .retry_unsafe = 1,
		.what = svc->name ? svc->name : "the chat service",
	};
	struct http_retry pol = { .max_attempts = svc->max_attempts, .base_ms = svc->backoff_base_ms };
	rc = http_do_retry(c, &req, &resp, &pol, err);
	if (rc == 0)
		rc = http_check(rc, &req, &resp, err);
	if (rc != 0) {
		char why[256];
		chat_parse_error(resp.body, why, sizeof why);
		if (resp.status == 402)
			zpub_err_set(err, ZPUB_EREMOTE, "%s answered HTTP 402 (insufficient balance; "
			    "not retried%s%s): top up the account or set processing.topics.engine to "
			    "extractive", name, why[0] ? ": " : "", why);
		else if (resp.status >= 400 && why[0])
			zpub_err_set(err, rc, "%s answered HTTP %ld: %s%s", name, resp.status, why,
			    resp.status == 401 ? "; check the key in providers.chat" : "");
		goto out;
	}
	struct chat_tokens tok;
	if ((rc = chat_parse_answer(resp.body, name, ans, &tok, err)) != 0)
		goto out;
	if (tok.billed && usage) {
		usage->prompt_tokens += tok.prompt;
		usage->completion_tokens += tok.completion;
		usage->cached_tokens += tok.cached;
		usage->cost += ((double)(tok.prompt - tok.cached) * o->price_in_per_mtok +
		    (double)tok.cached * o->price_in_per_mtok / 10.0 +
		    (double)tok.completion * o->price_out_per_mtok) / 1e6;
		usage->requests++;
	}
out:
	http_response_free(&resp);
	free(text);
	cJSON_Delete(body);
	free(url);
	return rc;
}

cJSON *
chat_msg(const char *role, const char *content)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddStringToObject(m, "content", content);
	return m;
}

int
chat_blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\n' && *s != '\r' && *s != '\t')
			return 0;
	return 1;
}

/* One part of a long transcript, asked about on its own. */
struct chat_piece {
	const char *text;
	size_t idx, n_parts;
	int64_t start_ms, end_ms;   /* the part's window */
	int64_t duration_ms;        /* the whole lecture's */
};

/* Asks for one part's topics; validates, retries once with the error,
 * then repairs. */
static int
chat_part(struct http_client *c, const struct topics_chat_opts *o, const struct chat_piece *p,
    struct topics **out, struct ai_usage *usage, struct zpub_err *err)
{
	const char *part = p->text;
	size_t idx = p->idx, n_parts = p->n_parts;
	int64_t part_start = p->start_ms, part_end = p->end_ms, duration_ms = p->duration_ms;
	cJSON *messages = cJSON_CreateArray();
	struct topics *t = NULL;
	int rc = 0, empty_tries = 0, fixes = 0;
	char hs[16], he[16];

	time_hms(part_start, hs);
	time_hms(part_end, he);
	char *user = xasprintf("Transcript%s (part %zu of %zu, %s to %s)%s:\n\n%s\n"
	    "Answer with the json object.",
	    o->language && o->language[0] ? "" : "", idx + 1, n_parts, hs, he,
	    idx > 0 ? "; the lecture continues from an earlier part, so the first topic here "
	    "need not start at 00:00:00" : "", part);
	cJSON_AddItemToArray(messages, chat_msg("system", system_prompt));
	cJSON_AddItemToArray(messages, chat_msg("user", user));
	free(user);
	for (;;) {
		struct chat_answer ans = {0};
		if ((rc = chat_call(c, o, messages, &ans, usage, err)) != 0)
			break;
		if (chat_blank(ans.content)) {
			free(ans.content);
			if (++empty_tries > 2) {
				rc = zpub_err_set(err, ZPUB_EREMOTE, "%s answered with empty content "
				    "three times (finish_reason %s); try again later",
				    o->svc->name ? o->svc->name : "the chat service",
				    ans.finish[0] ? ans.finish : "none");
				break;
			}
			continue;
		}
		struct zpub_err verr = {0};
		struct topics *cand = NULL;
		int vrc = topics_from_json(ans.content, &cand, &verr);
		if (vrc == 0) {
			/* part-local validity: inside this part's window */
			vrc = topics_validate(cand, duration_ms, &verr);
			if (vrc == 0 && idx == 0 && cand->v[0].start_ms > 60000)
				vrc = zpub_err_set(&verr, ZPUB_EINVAL, "the first topic must start at 00:00:00");
			if (vrc == 0 && strcmp(ans.finish, "length") == 0)
				vrc = zpub_err_set(&verr, ZPUB_EINVAL, "the answer was cut off (finish_reason length)");
		}
		if (vrc == 0) {
			t = cand;
			free(ans.content);
			break;
		}
		if (fixes++ == 0) {
			/* once more, telling the model what was wrong */
			cJSON_AddItemToArray(messages, chat_msg("assistant", ans.content));
			char *fix = xasprintf("That json is invalid: %s. Answer again with the corrected "
			    "json object only.", verr.msg);
			cJSON_AddItemToArray(messages, chat_msg("user", fix));
			free(fix);
			free(ans.content);
			topics_free(cand);
			continue;
		}
		free(ans.content);
		if (cand == NULL) {
			rc = zpub_err_set(err, ZPUB_EREMOTE, "%s gave invalid topics twice: %s",
			    o->svc->name ? o->svc->name : "the chat service", verr.msg);
			break;
		}
		topics_repair(cand, duration_ms);
		t = cand;
		break;
	}
	cJSON_Delete(messages);
	if (rc == 0)
		*out = t;
	else
		topics_free(t);
	return rc;
}

int
topics_chat(const struct transcript *t, const struct topics_chat_opts *o,
    struct topics **out, struct ai_usage *usage, struct zpub_err *err)
{
	if (o->svc == NULL || o->svc->base_url == NULL || !o->svc->base_url[0])
		return zpub_err_set(err, ZPUB_EINVAL, "no chat service configured; set "
		    "providers.chat.base_url or use the extractive topics engine");
	/* about 3 characters a token; leave room for the answer and the rules */
	int64_t ctx_tokens = o->context_tokens > 0 ? o->context_tokens : 64000;
	int64_t max_chars = (ctx_tokens - 6000) * 3;
	size_t np = 0;
	char **parts = topics_chat_prompts(t, max_chars, &np);
	struct http_client *c = http_client_new();
	struct topics *all = topics_new();
	int rc = 0;

	if (c == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "cannot start an HTTP client to find topics");
		goto out;
	}
	snprintf(all->engine, sizeof all->engine, "openai-compatible");
	if (np == 0) {
		topics_add(all, 0, TOPIC_MAIN, strncmp(t->language, "ru", 2) == 0 ? "Лекция" : "Lecture");
		goto done;
	}
	/* time span of each part, from its first and last timecodes */
	int64_t prev_end = 0;
	for (size_t i = 0; i < np && rc == 0; i++) {
		int64_t ps = prev_end, pe = t->duration_ms;
		const char *last = strrchr(parts[i], '[');
		if (i + 1 < np && last) {
			int h, m, s;
			if (sscanf(last, "[%d:%d:%d]", &h, &m, &s) == 3)
				pe = ((int64_t)h * 3600 + m * 60 + s) * 1000;
		}
		struct topics *pt = NULL;
		struct chat_piece piece = { parts[i], i, np, ps, pe, t->duration_ms };
		rc = chat_part(c, o, &piece, &pt, usage, err);
		if (rc != 0)
			break;
		for (size_t k = 0; k < pt->n; k++)
			topics_add(all, pt->v[k].start_ms, pt->v[k].level, pt->v[k].title);
		for (size_t k = 0; k < pt->n_breaks; k++)
			topics_add_break(all, pt->breaks[k].start_ms, pt->breaks[k].end_ms);
		if (pt->repaired)
			all->repaired = 1;
		if (pt->summary && all->summary == NULL)
			all->summary = xstrdup(pt->summary);
		topics_free(pt);
		prev_end = pe;
	}
	if (rc != 0)
		goto out;
done:
	if (topics_validate(all, t->duration_ms, NULL) != 0)
		topics_repair(all, t->duration_ms);
	*out = all;
	all = NULL;
out:
	if (rc != 0 && o->what)
		zpub_err_prefix(err, "finding topics of %s", o->what);
	for (size_t i = 0; i < np; i++)
		free(parts[i]);
	free(parts);
	topics_free(all);
	http_client_free(c);
	return rc;
}
