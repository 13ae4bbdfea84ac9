/*
 * transcribe_openai.c — the `openai-compatible` transcription engine.
 *
 * Each audio chunk is POSTed as multipart/form-data to
 * {base_url}/audio/transcriptions (Fireworks, OpenAI, Groq, a whisper.cpp
 * server) with response_format=verbose_json and word and segment timestamp
 * granularities.  Several chunks are in flight at once (one thread and one
 * HTTP client each); 429 (Retry-After in seconds or as a date), 408 and 5xx
 * are retried with backoff by the shared policy in net/http.h, other 4xx
 * are final.  Answers are stitched at their chunk offsets, words Whisper
 * placed in silence are dropped, and usage (audio minutes, cost) counts only
 * the answers that succeeded.
 */
#include "ai.h"
#include "text.h"
#include "jnum.h"
#include "http.h"
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static int64_t
sec_ms(const cJSON *o, const char *k, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return jnum_scaled(v, 1000.0, -JNUM_MS_MAX, JNUM_MS_MAX, def);
}

/* Whisper answers with language names; zpub keeps codes.  Anything else
 * passes through and tr_new refuses what is not a language code. */
static const char *
lang_code(const char *l)
{
	static const struct { const char *name, *code; } names[] = {
		{ "english", "en" }, { "russian", "ru" }, { "german", "de" }, { "french", "fr" },
		{ "spanish", "es" }, { "ukrainian", "uk" }, { "italian", "it" },
		{ "portuguese", "pt" }, { "polish", "pl" }, { "dutch", "nl" }, { "czech", "cs" },
		{ "turkish", "tr" }, { "chinese", "zh" }, { "japanese", "ja" }, { "korean", "ko" },
		{ "arabic", "ar" }, { "hindi", "hi" }, { "swedish", "sv" }, { "finnish", "fi" },
		{ "kazakh", "kk" }, { "belarusian", "be" }, { "georgian", "ka" },
		{ "armenian", "hy" }, { "hebrew", "he" }, { "greek", "el" }, { NULL, NULL }
	};
	for (size_t i = 0; names[i].name; i++)
		if (strcasecmp(l, names[i].name) == 0)
			return names[i].code;
	return l;
}

/* Spreads the words of text evenly over [s, e) (no word times given). */
static void
spread_words(struct transcript *t, const char *text, int64_t s, int64_t e)
{
	char *copy = xstrdup(text), *save = NULL;
	size_t n = 0;
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save))
		n++;
	free(copy);
	if (n == 0)
		return;
	copy = xstrdup(text);
	size_t i = 0;
	int64_t span = e > s ? e - s : (int64_t)n * 300;
	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save), i++)
		tr_add_word(t, w, s + span * (int64_t)i / (int64_t)n,
		    s + span * (int64_t)(i + 1) / (int64_t)n);
	free(copy);
}

int
tr_parse_verbose_json(const char *body, struct transcript **out, struct zpub_err *err)
{
	while (body && (*body == ' ' || *body == '\n' || *body == '\r' || *body == '\t'))
		body++;
	cJSON *o = body ? cJSON_Parse(body) : NULL;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return zpub_err_set(err, ZPUB_EREMOTE, "the transcription answer is not JSON "
		    "(is response_format=verbose_json supported by this server?)");
	}
	const cJSON *lang = cJSON_GetObjectItemCaseSensitive(o, "language");
	struct transcript *t = tr_new("openai-compatible",
	    cJSON_IsString(lang) ? lang_code(lang->valuestring) : "");
	const cJSON *x;
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "words")) {
		const cJSON *w = cJSON_GetObjectItemCaseSensitive(x, "word");
		if (!cJSON_IsString(w))
			w = cJSON_GetObjectItemCaseSensitive(x, "text");
		if (!cJSON_IsString(w))
			continue;
		char *trimmed = xstrdup(w->valuestring + strspn(w->valuestring, " \t"));
		size_t n = strlen(trimmed);
		while (n > 0 && (trimmed[n - 1] == ' ' || trimmed[n - 1] == '\t'))
			trimmed[--n] = '\0';
		if (n > 0)
			tr_add_word(t, trimmed, sec_ms(x, "start", 0), sec_ms(x, "end", 0));
		free(trimmed);
	}
	int have_words = t->n_words > 0;
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "segments")) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(x, "text");
		if (!cJSON_IsString(s))
			continue;
		const char *txt = s->valuestring + strspn(s->valuestring, " ");
		int64_t a = sec_ms(x, "start", 0), b = sec_ms(x, "end", 0);
		if (*txt == '\0')
			continue;
		tr_add_segment(t, txt, a, b);
		if (!have_words)
			spread_words(t, txt, a, b);
	}
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(o, "text");
	if (t->n_words == 0 && cJSON_IsString(text) && text->valuestring[0]) {
		int64_t d = sec_ms(o, "duration", 0);
		spread_words(t, text->valuestring, 0, d);
		tr_add_segment(t, text->valuestring + strspn(text->valuestring, " "), 0,
		    d > 0 ? d : t->duration_ms);
	}
	int64_t d = sec_ms(o, "duration", 0);
	if (d > t->duration_ms)
		t->duration_ms = d;
	tr_sort(t);
	cJSON_Delete(o);
	*out = t;
	return 0;
}

struct oa_job {
	const struct tr_chunk *chunks;
	size_t n;
	const struct tr_opts *o;
	atomic_size_t next, done;
	atomic_int stop;
	struct transcript **res;
	int *rcs;
	struct zpub_err *errs;
	double *minutes;
	pthread_mutex_t lock;     /* progress reports one at a time */
};

static int
oa_one(struct http_client *c, const struct tr_opts *o, const struct tr_chunk *ch, size_t idx,
    size_t total, struct transcript **out, struct zpub_err *err)
{
	const struct ai_service *svc = o->svc;
	struct http_form *form = http_form_new();
	struct http_response resp = {0};
	char *url = xasprintf("%s%s", svc->base_url, svc->path ? svc->path : "/audio/transcriptions");
	int rc;

	if ((rc = http_form_add_file(form, "file", ch->path, NULL, "audio/flac", err)) != 0 ||
	    (svc->model && svc->model[0] && (rc = http_form_add(form, "model", svc->model, err)) != 0) ||
	    (rc = http_form_add(form, "response_format", "verbose_json", err)) != 0 ||
	    (rc = http_form_add(form, "timestamp_granularities[]", "word", err)) != 0 ||
	    (rc = http_form_add(form, "timestamp_granularities[]", "segment", err)) != 0 ||
	    (rc = http_form_add(form, "temperature", "0", err)) != 0 ||
	    (o->language && o->language[0] &&
	    (rc = http_form_add(form, "language", o->language, err)) != 0))
		goto out;
	struct http_request req = {
		.method = "POST", .url = url, .bearer = svc->key && svc->key[0] ? svc->key : NULL,
		.form = form, .timeout_ms = svc->timeout_ms > 0 ? svc->timeout_ms : 900000,
		.retry_unsafe = 1, .what = svc->name ? svc->name : "the transcription service",
	};
	struct http_retry pol = { .max_attempts = svc->max_attempts, .base_ms = svc->backoff_base_ms };
	rc = http_do_retry(c, &req, &resp, &pol, err);
	if (rc == 0 || rc == ZPUB_EQUOTA) {
		int crc = rc == 0 ? http_check(rc, &req, &resp, err) : rc;
		if (crc != 0) {
			rc = crc;
			size_t len = strlen(err->msg);
			const char *hint = resp.status == 401 || resp.status == 403 ?
			    "; check the key with `zpub secret set transcription`" :
			    resp.status == 413 ? "; lower processing.audio.chunk_max_bytes" :
			    resp.status == 404 ? "; check providers.transcription.base_url and path" :
			    http_should_retry(0, &resp) ? "; it failed every retry, zpub will run the "
			    "stage again later" : "";
			snprintf(err->msg + len, sizeof err->msg - len, "%s", hint);
			goto out;
		}
	}
	if (rc != 0)
		goto out;
	if ((rc = tr_parse_verbose_json(resp.body, out, err)) != 0) {
		zpub_err_prefix(err, "%s", svc->name ? svc->name : "transcription service");
		goto out;
	}
out:
	if (rc != 0)
		zpub_err_prefix(err, "transcribing chunk %zu of %zu of %s", idx + 1, total,
		    o->what ? o->what : "the recording");
	http_response_free(&resp);
	http_form_free(form);
	free(url);
	return rc;
}

static void *
oa_worker(void *arg)
{
	struct oa_job *j = arg;
	struct http_client *c = http_client_new();
	for (;;) {
		if (atomic_load(&j->stop))
			break;
		size_t i = atomic_fetch_add(&j->next, 1);
		if (i >= j->n)
			break;
		const struct tr_chunk *ch = &j->chunks[i];
		if (c == NULL) {
			j->rcs[i] = zpub_err_set(&j->errs[i], ZPUB_ENOMEM, "cannot create an HTTP client");
			atomic_store(&j->stop, 1);
			break;
		}
		struct transcript *t = NULL;
		j->rcs[i] = oa_one(c, j->o, ch, i, j->n, &t, &j->errs[i]);
		if (j->rcs[i] != 0) {
			atomic_store(&j->stop, 1); /* the stage fails anyway: stop spending */
			break;
		}
		/* Whisper invents text in silence: keep only words over speech. */
		int16_t *pcm = NULL;
		size_t np = 0;
		struct zpub_err derr = {0};
		if (tr_decode_pcm16k(ch->path, &pcm, &np, &derr) == 0) {
			tr_drop_in_silence(t, pcm, np);
			free(pcm);
			if (ch->duration_ms <= 0)
				t->duration_ms = (int64_t)np * 1000 / 16000;
		}
		j->minutes[i] = (double)(ch->duration_ms > 0 ? ch->duration_ms : t->duration_ms) / 60000.0;
		j->res[i] = t;
		size_t done = atomic_fetch_add(&j->done, 1) + 1;
		pthread_mutex_lock(&j->lock);
		int stop = zpub_progress_report(&j->o->progress, (double)done / (double)j->n,
		    "transcribing (online)");
		pthread_mutex_unlock(&j->lock);
		if (stop != 0) {
			atomic_store(&j->stop, 2);
			break;
		}
	}
	http_client_free(c);
	return NULL;
}

int tr_openai_transcribe(const struct tr_chunk *chunks, size_t n, const struct tr_opts *o,
    struct transcript *dst, struct ai_usage *usage, struct zpub_err *err);

int
tr_openai_transcribe(const struct tr_chunk *chunks, size_t n, const struct tr_opts *o,
    struct transcript *dst, struct ai_usage *usage, struct zpub_err *err)
{
	if (o->svc == NULL || o->svc->base_url == NULL || o->svc->base_url[0] == '\0')
		return zpub_err_set(err, ZPUB_EINVAL, "no transcription service configured; set "
		    "providers.transcription.base_url or use the pocketsphinx engine");
	struct oa_job j = { .chunks = chunks, .n = n, .o = o };
	atomic_init(&j.next, 0);
	atomic_init(&j.done, 0);
	atomic_init(&j.stop, 0);
	pthread_mutex_init(&j.lock, NULL);
	j.res = xcalloc(n + 1, sizeof *j.res);
	j.rcs = xcalloc(n + 1, sizeof *j.rcs);
	j.errs = xcalloc(n + 1, sizeof *j.errs);
	j.minutes = xcalloc(n + 1, sizeof *j.minutes);
	int rc = 0;
	int nt = o->concurrency > 0 ? o->concurrency : 3;
	if (nt > 16)
		nt = 16;
	if ((size_t)nt > n)
		nt = (int)(n ? n : 1);
	pthread_t th[16];
	int started = 0;
	for (int i = 0; i < nt; i++)
		if (pthread_create(&th[i], NULL, oa_worker, &j) == 0)
			started++;
	if (started == 0)
		oa_worker(&j);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < n; i++)
		if (j.rcs[i] != 0) {
			rc = j.rcs[i];
			*err = j.errs[i];
			goto out;
		}
	if (atomic_load(&j.stop) == 2) {
		rc = zpub_err_set(err, ZPUB_ECANCEL, "transcription of %s was cancelled",
		    o->what ? o->what : "the recording");
		goto out;
	}
	double minutes = 0;
	for (size_t i = 0; i < n; i++) {
		if (j.res[i] == NULL)
			continue;
		tr_append(dst, j.res[i], chunks[i].offset_ms);
		if (chunks[i].duration_ms > 0 && chunks[i].offset_ms + chunks[i].duration_ms > dst->duration_ms)
			dst->duration_ms = chunks[i].offset_ms + chunks[i].duration_ms;
		if (dst->language[0] == '\0' && j.res[i]->language[0])
			snprintf(dst->language, sizeof dst->language, "%s", j.res[i]->language);
		if (dst->language_refused[0] == '\0' && j.res[i]->language_refused[0])
			snprintf(dst->language_refused, sizeof dst->language_refused, "%s",
			    j.res[i]->language_refused);
		minutes += j.minutes[i];
	}
	if (usage) {
		usage->audio_minutes += minutes;
		usage->cost += minutes * o->price_per_minute;
		usage->requests += (int)n;
	}
out:
	for (size_t i = 0; i < n && j.res; i++)
		tr_free(j.res[i]);
	free(j.res);
	free(j.rcs);
	free(j.errs);
	free(j.minutes);
	pthread_mutex_destroy(&j.lock);
	return rc;
}
