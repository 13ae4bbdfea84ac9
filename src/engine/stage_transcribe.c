/*
 * stage_transcribe.c — the PREPARING -> TRANSCRIBED stage.
 *
 * Reads the recording's audio chunks, transcribes them (PocketSphinx offline
 * or an OpenAI-compatible service when a `transcription` secret exists),
 * finds topics (extractive offline or a chat service with the `chat`
 * secret; a failing chat falls back to extractive), lays out subtitles and
 * renders the title and description.  After a re-cut the old transcript
 * is carried onto the new cut and the newest topics re-timed, not found
 * again (stage_recut.c).  Every file is written under the
 * recording's folder through tmp + rename and registered as an artefact;
 * each topic result is a new topic version in the store; usage is recorded
 * per tenant.  Stage rules: no status changes here (the runner does that).
 */
#include "ai.h"
#include "text.h"
#include "config.h"
#include "jnum.h"
#include "media.h"
#include "pipeline.h"
#include "recut.h"
#include "stages.h"
#include "stage_transcribe_int.h"
#include "store.h"
#include "util.h"
#include "vault.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void
ai_run_note(struct ai_run *r, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	size_t len = strlen(r->notes);
	snprintf(r->notes + len, sizeof r->notes - len, "%s%s", len ? "; " : "", buf);
}

static int
progress(struct ai_run *r, double f, const char *what)
{
	if (zpub_progress_report(&r->ctx->progress, f, what) != 0)
		return ZPUB_ECANCEL;
	return 0;
}

/* Maps an engine's 0..1 onto a part of the stage's progress. */
struct progress_part {
	const struct zpub_progress *outer;
	double base, span;
};

static int
progress_part_fn(void *ud, double f, const char *what)
{
	const struct progress_part *p = ud;
	return zpub_progress_report(p->outer, f < 0 ? f : p->base + p->span * f, what);
}

/* A secret's value, or NULL when there is none (or no vault at all: the
 * key file is never created just to look). */
static char *
secret(struct ai_run *r, const char *name, size_t *len)
{
	struct zpub_err err = {0};
	char *v = NULL;
	struct vault *vault = stage_vault(r->ctx, &err);
	if (vault == NULL)
		return NULL;
	if (vault_get(vault, r->ctx->rec->tenant_id, name, &v, len, &err) != 0)
		return NULL;
	return v;
}

static void
service_from_config(struct ai_service *s, const cJSON *cfg, const char *prov,
    const char *name_def, const char *path_def, const char *key)
{
	char k[96];
	memset(s, 0, sizeof *s);
	snprintf(k, sizeof k, "providers.%s.name", prov);
	s->name = config_str(cfg, k, name_def);
	snprintf(k, sizeof k, "providers.%s.base_url", prov);
	s->base_url = config_str(cfg, k, "");
	snprintf(k, sizeof k, "providers.%s.path", prov);
	s->path = config_str(cfg, k, path_def);
	snprintf(k, sizeof k, "providers.%s.model", prov);
	s->model = config_str(cfg, k, "");
	snprintf(k, sizeof k, "providers.%s.timeout_ms", prov);
	s->timeout_ms = config_int(cfg, k, 0);
	snprintf(k, sizeof k, "providers.%s.max_attempts", prov);
	s->max_attempts = (int)config_int(cfg, k, 5);
	snprintf(k, sizeof k, "providers.%s.retry_base_ms", prov);
	s->backoff_base_ms = config_int(cfg, k, 1000);
	s->key = key;
}

/* The model a tenant or template chose (processing.transcription.model),
 * if the operator offers it: providers.transcription.model or one of
 * providers.transcription.models. */
static int
tr_model(struct ai_service *svc, const cJSON *cfg, struct zpub_err *err)
{
	const char *want = config_str(cfg, "processing.transcription.model", NULL);
	const cJSON *e;
	char list[256] = "", shown[160];
	size_t l;

	if (want == NULL || strcmp(want, svc->model) == 0)
		return 0;
	cJSON_ArrayForEach(e, config_find(cfg, "providers.transcription.models")) {
		if (!cJSON_IsString(e))
			continue;
		if (strcmp(e->valuestring, want) == 0) {
			svc->model = e->valuestring;
			return 0;
		}
		l = strlen(list);
		snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "", e->valuestring);
	}
	return zpub_err_set(err, ZPUB_EINVAL, "the settings ask for the transcription model \"%s\", "
	    "which the operator does not offer (providers.transcription.model \"%s\"%s%s); choose "
	    "one of those in processing.transcription.model, or ask the operator to add it to "
	    "providers.transcription.models", term_escape(want, shown, sizeof shown), svc->model,
	    list[0] ? ", providers.transcription.models: " : "", list);
}

/* Service name for sentences: the configured name, else the host. */
static void
service_label(const char *base_url, const char *kind, char *out, size_t n)
{
	const char *h = strstr(base_url ? base_url : "", "://");
	h = h ? h + 3 : base_url ? base_url : "";
	size_t hl = strcspn(h, "/:");
	snprintf(out, n, "%s service at %.*s", kind, (int)hl, h);
}

static int
chunk_cmp(const void *a, const void *b)
{
	const struct tr_chunk *x = a, *y = b;
	return (x->offset_ms > y->offset_ms) - (x->offset_ms < y->offset_ms);
}

static int64_t
extra_int(const char *json, const char *key, int64_t def)
{
	cJSON *o = json ? cJSON_Parse(json) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	int64_t r = jnum_or(v, -JNUM_MAX, JNUM_MAX, def);
	cJSON_Delete(o);
	return r;
}

static int
add_artifact(struct ai_run *r, const char *kind, const char *path, cJSON *extra,
    struct zpub_err *err)
{
	return stage_add_artifact(r->ctx, kind, path, extra, err);
}

static int
write_file(const char *dir, const char *name, const char *text, char **path_out,
    struct zpub_err *err)
{
	char *p = path_join(dir, name);
	int rc = fs_write_atomic(p, text, strlen(text), 0600, err);
	if (rc == 0 && path_out)
		*path_out = p;
	else
		free(p);
	return rc;
}

/* ---- transcription ------------------------------------------------------ */

static int
tr_input_load(struct ai_run *r, struct tr_input *in, struct zpub_err *err)
{
	struct stage_ctx *ctx = r->ctx;
	int rc;

	if ((rc = store_artifacts(ctx->store, ctx->rec->id, "audio_chunk", &in->arts, &in->n,
	    err)) != 0)
		return rc;
	in->chunks = xcalloc((size_t)in->n + 1, sizeof *in->chunks);
	for (int i = 0; i < in->n; i++) {
		struct tr_chunk *c = &in->chunks[in->nc++];
		struct stat st;
		c->path = in->arts[i].path;
		c->offset_ms = extra_int(in->arts[i].extra, "offset_ms", 0);
		c->duration_ms = extra_int(in->arts[i].extra, "duration_ms", 0);
		if (stat(in->arts[i].path, &st) == 0 && st.st_mtime > in->newest_audio)
			in->newest_audio = st.st_mtime;
	}
	qsort(in->chunks, in->nc, sizeof *in->chunks, chunk_cmp);
	if (in->nc > 0)
		return 0;
	/* no chunks (older media stage, or audio-only import): the cut
	 * video, else the source, whole */
	const char *whole = NULL;
	store_artifacts_free(in->arts, in->n);
	in->arts = NULL;
	in->n = 0;
	if (store_artifacts(ctx->store, ctx->rec->id, "cut_video", &in->arts, &in->n, NULL) == 0 &&
	    in->n > 0)
		whole = in->arts[in->n - 1].path;
	else if (ctx->rec->source_path)
		whole = ctx->rec->source_path;
	if (whole == NULL)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "%s has no audio to transcribe (no "
		    "audio_chunk artefacts); run the process stage first", r->label);
	in->chunks[0] = (struct tr_chunk){ whole, 0, 0 };
	in->nc = 1;
	return 0;
}

/* Transcribes the input with engine (conf: as configured) into r->tr and
 * tpath, and records what the service charged. */
int
tr_fresh(struct ai_run *r, const struct tr_input *in, const char *engine, const char *conf,
    const char *tpath, struct zpub_err *err)
{
	struct stage_ctx *ctx = r->ctx;
	struct ai_usage usage = {0};
	struct ai_service svc;
	char label[160];
	int rc;

	service_from_config(&svc, ctx->config, "transcription", NULL, "/audio/transcriptions",
	    r->tr_key);
	if (svc.name == NULL) {
		service_label(svc.base_url, "transcription", label, sizeof label);
		svc.name = label;
	}
	if (strcmp(engine, "pocketsphinx") != 0 && (rc = tr_model(&svc, ctx->config, err)) != 0)
		return rc;
	struct tr_opts o = {
		.engine = engine,
		.language = config_str(ctx->config, "processing.transcription.language", ""),
		.concurrency = (int)config_int(ctx->config, "processing.transcription.concurrency", 3),
		.svc = &svc,
		.price_per_minute = config_double(ctx->config, "providers.transcription.price_per_minute", 0),
		.ps_modeldir = config_str(ctx->config, "processing.transcription.pocketsphinx_modeldir", NULL),
		.what = r->label,
	};
	struct progress_part part = { &ctx->progress, 0.0, 0.85 };
	o.progress.fn = progress_part_fn;
	o.progress.ud = &part;
	if (o.language[0] && !lang_code_ok(o.language)) {
		char shown[40];
		return zpub_err_set(err, ZPUB_EINVAL, "processing.transcription.language is \"%s\", "
		    "which is not a language code like en, ru or pt-BR; fix it with `zpub config set "
		    "processing.transcription.language en` (or \"\" to detect)",
		    term_escape(o.language, shown, sizeof shown));
	}
	if (strcmp(engine, "pocketsphinx") == 0 && o.language[0] && strncmp(o.language, "en", 2) != 0 &&
	    strcmp(conf, "auto") == 0)
		return zpub_err_set(err, ZPUB_EINVAL, "%s is in \"%s\" but no transcription key is set "
		    "and the offline engine only knows English; add one with `zpub secret set "
		    "transcription`", r->label, o.language);
	if ((rc = tr_transcribe(in->chunks, in->nc, &o, &r->tr, &usage, err)) != 0)
		return rc;
	if (r->tr->language[0] == '\0')
		snprintf(r->tr->language, sizeof r->tr->language, "%s",
		    o.language[0] ? o.language : text_guess_lang(r->tr->n_segs ? r->tr->segs[0].text : ""));
	if (r->tr->language_refused[0]) {
		/* Never a file name: the language counts as unknown, like no answer. */
		store_journal(ctx->store, ctx->rec->id, "warn", "transcribe", "the %s named the "
		    "language \"%s\", which is not a language code; zpub treats it as unknown and "
		    "uses %s (%s)", svc.name, r->tr->language_refused, r->tr->language,
		    o.language[0] ? "processing.transcription.language" : "guessed from the text");
		ai_run_note(r, "refused the language \"%s\" from the service, used %s",
		    r->tr->language_refused, r->tr->language);
	}
	if (ctx->rec->duration_ms > r->tr->duration_ms && in->nc == 1 &&
	    in->chunks[0].duration_ms == 0)
		r->tr->duration_ms = ctx->rec->duration_ms;
	if ((rc = tr_save(r->tr, tpath, err)) != 0)
		return rc;
	if (usage.requests > 0) {
		struct zpub_err uerr;
		store_usage_add(ctx->store, ctx->rec->tenant_id, ctx->rec->id, "transcription_minutes",
		    svc.name, usage.audio_minutes, usage.cost, &uerr);
		ai_run_note(r, "%.1f audio minutes, cost %.4f", usage.audio_minutes, usage.cost);
	}
	return 0;
}

/* A transcript newer than every chunk, from the same engine, is reused:
 * a resumed stage does not pay for the same minutes twice.  1 when r->tr
 * is that transcript. */
static int
tr_reuse(struct ai_run *r, const struct tr_input *in, const char *engine, const char *tpath)
{
	struct stat tst;

	if (stat(tpath, &tst) != 0 || tst.st_mtime < in->newest_audio ||
	    tr_load(tpath, &r->tr, NULL) != 0)
		return 0;
	if (strcmp(r->tr->engine, engine) == 0 && r->tr->n_words > 0) {
		ai_run_note(r, "reused transcript.json (%zu words)", r->tr->n_words);
		return 1;
	}
	tr_free(r->tr);
	r->tr = NULL;
	return 0;
}

static int
step_transcribe(struct ai_run *r, const struct ai_steps *steps, struct zpub_err *err)
{
	struct stage_ctx *ctx = r->ctx;
	struct tr_input in = {0};
	char *tpath = path_join(ctx->media_dir, "transcript.json");
	int rc;

	if ((rc = tr_input_load(r, &in, err)) != 0)
		goto out;
	/* engine: explicit, configured, or auto on the secret */
	const char *conf = steps->transcription_engine ? steps->transcription_engine :
	    config_str(ctx->config, "processing.transcription.engine", "auto");
	size_t klen = 0;
	r->tr_key = secret(r, "transcription", &klen);
	r->tr_key_len = klen;
	const char *engine = ai_engine_choose(conf, r->tr_key != NULL, "pocketsphinx");

	rc = 0;
	if (steps->reuse_transcript && !ctx->dry_run &&
	    (rc = tr_carry(r, engine, conf, tpath, err)) < 0)
		goto out;
	if (rc == 0 && (!steps->reuse_transcript || !tr_reuse(r, &in, engine, tpath))) {
		if (strcmp(engine, "openai-compatible") == 0 && r->tr_key == NULL) {
			/* Never a request without the key: it would go to the provider anyway. */
			rc = zpub_err_set(err, ZPUB_EAUTH, "%s: the transcription engine is"
			    " openai-compatible but no transcription key is set; set one with 'zpub"
			    " secret set transcription', or set processing.transcription.engine to"
			    " auto", r->label);
			goto out;
		}
		if (ctx->dry_run) {
			ai_run_note(r, "would transcribe %zu chunk%s with %s", in.nc,
			    in.nc == 1 ? "" : "s", engine);
			rc = 0;
			goto out;
		}
		if ((rc = tr_fresh(r, &in, engine, conf, tpath, err)) != 0)
			goto out;
		recut_forget(ctx->media_dir);
	}
	cJSON *x = cJSON_CreateObject();
	cJSON_AddStringToObject(x, "engine", r->tr->engine);
	cJSON_AddStringToObject(x, "language", r->tr->language);
	cJSON_AddNumberToObject(x, "words", (double)r->tr->n_words);
	cJSON_AddNumberToObject(x, "duration_ms", (double)r->tr->duration_ms);
	rc = add_artifact(r, "transcript", tpath, x, err);
	if (rc == 0)
		ai_run_note(r, "%zu words by %s (%s)", r->tr->n_words, r->tr->engine,
		    r->tr->language[0] ? r->tr->language : "?");
out:
	free(in.chunks);
	store_artifacts_free(in.arts, in.n);
	free(tpath);
	return rc;
}

/* A transcript made on the source timeline (an imported one) is moved onto
 * the published video's with the recording's time map. */
static void
to_output_timeline(struct ai_run *r)
{
	struct stage_ctx *ctx = r->ctx;
	struct store_artifact *tm = NULL;
	int n = 0;
	if (r->tr == NULL || strcmp(r->tr->timeline, "source") != 0)
		return;
	if (store_artifacts(ctx->store, ctx->rec->id, "time_map", &tm, &n, NULL) == 0 && n > 0) {
		char *text = NULL;
		struct tr_time_map m = {0};
		struct zpub_err e;
		if (fs_read_all(tm[n - 1].path, &text, NULL, &e) == 0 &&
		    tr_time_map_parse(text, &m, &e) == 0)
			tr_to_output_timeline(r->tr, &m);
		tr_time_map_clear(&m);
		free(text);
	}
	store_artifacts_free(tm, n);
}

static int
load_transcript(struct ai_run *r, struct zpub_err *err)
{
	if (r->tr)
		return 0;
	char *p = path_join(r->ctx->media_dir, "transcript.json");
	int rc = tr_load(p, &r->tr, err);
	free(p);
	if (rc == ZPUB_ENOTFOUND)
		return zpub_err_set(err, rc, "%s has no transcript yet; run `zpub transcribe %lld` "
		    "first", r->label, (long long)r->ctx->rec->id);
	if (rc == 0)
		to_output_timeline(r);
	return rc;
}

/* ---- topics --------------------------------------------------------------- */

/* The topics any engine found, each moved onto a slide change of the cut
 * video a few seconds away (processing.topics.snap_to_slides_ms), where
 * the lecturer turned to the next slide. */
static void
topics_to_slides(struct ai_run *r)
{
	struct stage_ctx *ctx = r->ctx;
	int64_t within = config_int(ctx->config, "processing.topics.snap_to_slides_ms", 5000);
	struct store_slide *v = NULL;
	int64_t *at;
	size_t k = 0, moved;
	int n = 0;

	if (within <= 0 || ctx->store == NULL ||
	    store_slides(ctx->store, ctx->rec->id, &v, &n, NULL) != 0 || n == 0) {
		free(v);
		return;
	}
	at = xcalloc((size_t)n, sizeof *at);
	for (int i = 0; i < n; i++)
		if (v[i].out_ms >= 0 && (k == 0 || v[i].out_ms > at[k - 1]))
			at[k++] = v[i].out_ms;
	moved = topics_snap(r->topics, at, k, within);
	if (moved > 0)
		ai_run_note(r, "%zu topic%s moved onto a slide change", moved, moved == 1 ? "" : "s");
	free(at);
	free(v);
}

/* Topics found anew from the transcript, by the configured engine. */
static int
topics_find(struct ai_run *r, const struct ai_steps *steps, struct zpub_err *err)
{
	struct stage_ctx *ctx = r->ctx;
	struct ai_usage usage = {0};
	int rc;

	const char *conf = steps->topics_engine ? steps->topics_engine :
	    config_str(ctx->config, "processing.topics.engine", "auto");
	size_t klen = 0;
	r->chat_key = secret(r, "chat", &klen);
	r->chat_key_len = klen;
	const char *engine = ai_engine_choose(conf, r->chat_key != NULL, "extractive");
	if (strcmp(engine, "openai-compatible") == 0 && r->chat_key == NULL)
		return zpub_err_set(err, ZPUB_EAUTH, "%s: the topics engine is openai-compatible but"
		    " no chat key is set; set one with 'zpub secret set chat', or set"
		    " processing.topics.engine to auto", r->label);
	if (strcmp(engine, "extractive") != 0 && strcmp(engine, "openai-compatible") != 0)
		return zpub_err_set(err, ZPUB_EINVAL, "unknown topics engine \"%s\"; use extractive "
		    "or openai-compatible", engine);
	if (ctx->dry_run) {
		ai_run_note(r, "would find topics with %s", engine);
		return 0;
	}
	struct topics_opts to = {
		.min_topic_ms = config_int(ctx->config, "processing.topics.min_topic_ms", 60000),
		.min_detail_ms = config_int(ctx->config, "processing.topics.min_detail_ms", 20000),
		.language = r->tr->language,
	};
	struct ai_service svc;
	char label[160];
	if (strcmp(engine, "openai-compatible") == 0) {
		service_from_config(&svc, ctx->config, "chat", NULL, "/chat/completions", r->chat_key);
		if (svc.name == NULL) {
			service_label(svc.base_url, "chat", label, sizeof label);
			svc.name = label;
		}
		struct topics_chat_opts co = {
			.svc = &svc,
			.context_tokens = config_int(ctx->config, "providers.chat.context_tokens", 64000),
			.price_in_per_mtok = config_double(ctx->config, "providers.chat.price_input_per_mtok", 0),
			.price_out_per_mtok = config_double(ctx->config, "providers.chat.price_output_per_mtok", 0),
			.language = r->tr->language,
			.what = r->label,
		};
		rc = topics_chat(r->tr, &co, &r->topics, &usage, err);
		if (usage.requests > 0) {
			struct zpub_err uerr;
			store_usage_add(ctx->store, ctx->rec->tenant_id, ctx->rec->id, "chat_tokens",
			    svc.name, (double)(usage.prompt_tokens + usage.completion_tokens), usage.cost,
			    &uerr);
		}
		if (rc != 0 && rc != ZPUB_ECANCEL &&
		    config_bool(ctx->config, "processing.topics.fallback_extractive", 1)) {
			store_journal(ctx->store, ctx->rec->id, "warn", "topics",
			    "chat topics failed, used extractive: %s", err->msg);
			ai_run_note(r, "chat topics failed (%s), used extractive", err->msg);
			zpub_err_clear(err);
			engine = "extractive";
			rc = 0;
		}
		if (rc != 0)
			return rc;
	}
	if (strcmp(engine, "extractive") == 0 &&
	    (rc = topics_extractive(r->tr, &to, &r->topics, err)) != 0)
		return rc;
	topics_to_slides(r);
	rc = topics_keep(r, engine, err);
	if (rc == 0 && usage.requests > 0)
		ai_run_note(r, "%lld chat tokens, cost %.4f",
		    (long long)(usage.prompt_tokens + usage.completion_tokens), usage.cost);
	return rc;
}

/* r->topics as the newest topic version (source: engine) and its file. */
int
topics_keep(struct ai_run *r, const char *engine, struct zpub_err *err)
{
	struct stage_ctx *ctx = r->ctx;
	int rc;
	char *json = topics_to_json(r->topics);
	if ((rc = store_topic_version_add(ctx->store, ctx->rec->id, json, engine,
	    &r->topics_version, err)) != 0) {
		free(json);
		return rc;
	}
	char name[64], *path = NULL;
	snprintf(name, sizeof name, "topics.v%d.json", r->topics_version);
	rc = write_file(ctx->media_dir, name, json, &path, err);
	free(json);
	if (rc != 0)
		return rc;
	cJSON *x = cJSON_CreateObject();
	cJSON_AddNumberToObject(x, "version", r->topics_version);
	cJSON_AddStringToObject(x, "engine", engine);
	cJSON_AddBoolToObject(x, "repaired", r->topics->repaired);
	cJSON_AddNumberToObject(x, "count", (double)r->topics->n);
	rc = add_artifact(r, "topics", path, x, err);
	free(path);
	int mains = 0;
	for (size_t i = 0; i < r->topics->n; i++)
		mains += r->topics->v[i].level == TOPIC_MAIN;
	ai_run_note(r, "topics v%d by %s: %d main, %zu detail%s", r->topics_version, engine, mains,
	    r->topics->n - (size_t)mains, r->topics->repaired ? " (repaired)" : "");
	return rc;
}

static int
step_topics(struct ai_run *r, const struct ai_steps *steps, struct zpub_err *err)
{
	int rc;

	if ((rc = load_transcript(r, err)) != 0)
		return rc;
	if (r->recut && steps->topics_engine == NULL && !r->ctx->dry_run &&
	    (rc = topics_recut_newest(r, err)) != 0)
		return rc < 0 ? rc : 0;
	return topics_find(r, steps, err);
}

/* The topics a description uses: the newest version a person approved,
 * else the one just made, else the newest stored. */
static int
load_topics(struct ai_run *r, struct zpub_err *err)
{
	struct store_topic_version v = {0};
	int rc = store_topic_version_latest(r->ctx->store, r->ctx->rec->id, 1, &v, NULL);
	if (rc != 0 && r->topics)
		return 0;
	if (rc != 0)
		rc = store_topic_version_latest(r->ctx->store, r->ctx->rec->id, 0, &v, err);
	if (rc == ZPUB_ENOTFOUND)
		return zpub_err_set(err, rc, "%s has no topics yet; run `zpub topics %lld` first",
		    r->label, (long long)r->ctx->rec->id);
	if (rc != 0)
		return rc;
	topics_free(r->topics);
	r->topics = NULL;
	r->topics_version = v.version;
	rc = topics_from_json(v.json ? v.json : "{}", &r->topics, err);
	store_topic_version_clear(&v);
	return rc;
}

/* ---- subtitles ------------------------------------------------------------- */

static int
write_track(struct ai_run *r, const struct subs_track *track, const char *lang,
    const char *from, int want_srt, int want_vtt, struct zpub_err *err)
{
	int rc = 0;
	if (!lang_code_ok(lang)) {
		/* the file is named after it: <lang>.srt */
		char shown[40];
		return zpub_err_set(err, ZPUB_EINVAL, "cannot name subtitles of %s after \"%s\": "
		    "it is not a language code like en, ru or pt-BR", r->label,
		    term_escape(lang, shown, sizeof shown));
	}
	for (int k = 0; k < 2 && rc == 0; k++) {
		if ((k == 0 && !want_srt) || (k == 1 && !want_vtt))
			continue;
		const char *ext = k == 0 ? "srt" : "vtt";
		char name[48], *path = NULL;
		char *text = k == 0 ? subs_write_srt(track) : subs_write_vtt(track);
		snprintf(name, sizeof name, "%s.%s", lang, ext);
		rc = write_file(r->ctx->media_dir, name, text, &path, err);
		free(text);
		if (rc != 0)
			break;
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "language", lang);
		cJSON_AddStringToObject(x, "format", ext);
		cJSON_AddNumberToObject(x, "cues", (double)track->n);
		if (from)
			cJSON_AddStringToObject(x, "translated_from", from);
		rc = add_artifact(r, ext, path, x, err);
		free(path);
	}
	return rc;
}

/* Subtitles in another language through the chat service (when there is
 * one: without a chat key this is skipped with a note, not failed). */
static int
translate_track(struct ai_run *r, const struct subs_track *src, const char *from,
    const char *to, int want_srt, int want_vtt, struct zpub_err *err)
{
	struct stage_ctx *ctx = r->ctx;
	size_t klen = 0;
	if (r->chat_key == NULL) {
		r->chat_key = secret(r, "chat", &klen);
		r->chat_key_len = klen;
	}
	const char *base = config_str(ctx->config, "providers.chat.base_url", "");
	if (r->chat_key == NULL && strncmp(base, "http://127.0.0.1", 16) != 0 &&
	    strncmp(base, "http://localhost", 16) != 0) {
		ai_run_note(r, "no %s subtitles: translations need a chat key (`zpub secret set chat`)", to);
		return 0;
	}
	struct ai_service svc;
	char label[160];
	struct ai_usage usage = {0};
	service_from_config(&svc, ctx->config, "chat", NULL, "/chat/completions", r->chat_key);
	if (svc.name == NULL) {
		service_label(svc.base_url, "chat", label, sizeof label);
		svc.name = label;
	}
	struct topics_chat_opts co = {
		.svc = &svc,
		.price_in_per_mtok = config_double(ctx->config, "providers.chat.price_input_per_mtok", 0),
		.price_out_per_mtok = config_double(ctx->config, "providers.chat.price_output_per_mtok", 0),
		.what = r->label,
	};
	struct subs_rules rules;
	struct subs_track *t = NULL;
	subs_rules_from_config(&rules, ctx->config, to);
	int rc = subs_translate(src, from, to, &co, &rules, &t, &usage, err);
	if (usage.requests > 0) {
		struct zpub_err uerr;
		store_usage_add(ctx->store, ctx->rec->tenant_id, ctx->rec->id, "chat_tokens",
		    svc.name, (double)(usage.prompt_tokens + usage.completion_tokens), usage.cost, &uerr);
	}
	if (rc == 0 && (rc = subs_check(t, &rules, NULL, err)) != 0)
		zpub_err_prefix(err, "translated %s subtitles of %s", to, r->label);
	if (rc == 0)
		rc = write_track(r, t, to, from, want_srt, want_vtt, err);
	if (rc == 0)
		ai_run_note(r, "%zu subtitle cues translated to %s", t->n, to);
	subs_track_free(t);
	return rc;
}


static int
step_subtitles(struct ai_run *r, struct zpub_err *err)
{
	struct stage_ctx *ctx = r->ctx;
	int rc;
	if ((rc = load_transcript(r, err)) != 0)
		return rc;
	if (ctx->dry_run) {
		ai_run_note(r, "would write subtitles");
		return 0;
	}
	const char *lang = r->tr->language[0] ? r->tr->language : "und";
	struct subs_rules rules;
	struct subs_track *track = NULL;
	struct subs_report rep;
	subs_rules_from_config(&rules, ctx->config, lang);
	if ((rc = subs_build(r->tr, &rules, &track, err)) != 0)
		return rc;
	if ((rc = subs_check(track, &rules, &rep, err)) != 0) {
		zpub_err_prefix(err, "subtitles of %s break the layout rules (a bug)", r->label);
		subs_track_free(track);
		return rc;
	}
	const cJSON *formats = config_find(ctx->config, "processing.subtitles.formats");
	int want_srt = 1, want_vtt = 1;
	if (cJSON_IsArray(formats)) {
		want_srt = want_vtt = 0;
		const cJSON *f;
		cJSON_ArrayForEach(f, formats) {
			if (cJSON_IsString(f) && strcmp(f->valuestring, "srt") == 0)
				want_srt = 1;
			if (cJSON_IsString(f) && strcmp(f->valuestring, "vtt") == 0)
				want_vtt = 1;
		}
	}
	rc = write_track(r, track, lang, NULL, want_srt, want_vtt, err);
	if (rc == 0)
		ai_run_note(r, "%zu subtitle cues (%s)", track->n, lang);
	const cJSON *langs = config_find(ctx->config, "processing.subtitles.languages");
	const cJSON *l;
	cJSON_ArrayForEach(l, langs) {
		if (rc != 0)
			break;
		if (!cJSON_IsString(l) || !l->valuestring[0] || strcmp(l->valuestring, lang) == 0)
			continue;
		if (!lang_code_ok(l->valuestring)) {
			/* a typo in the config costs that language, not the video */
			char shown[40];
			term_escape(l->valuestring, shown, sizeof shown);
			store_journal(ctx->store, ctx->rec->id, "warn", "subtitles", "processing."
			    "subtitles.languages has \"%s\", which is not a language code like en, ru "
			    "or pt-BR; no subtitles in it", shown);
			ai_run_note(r, "no \"%s\" subtitles: not a language code", shown);
			continue;
		}
		rc = translate_track(r, track, lang, l->valuestring, want_srt, want_vtt, err);
		if (rc != 0 && rc != ZPUB_ECANCEL && rc != ZPUB_ENOMEM) {
			/* the video is fine without this language: say so, go on */
			store_journal(ctx->store, ctx->rec->id, "warn", "subtitles", "%s", err->msg);
			ai_run_note(r, "no %s subtitles: %s", l->valuestring, err->msg);
			zpub_err_clear(err);
			rc = 0;
		}
	}
	subs_track_free(track);
	return rc;
}

/* ---- description ----------------------------------------------------------- */

static int
step_describe(struct ai_run *r, struct zpub_err *err)
{
	struct stage_ctx *ctx = r->ctx;
	char warning[512] = "", date[32] = "", *title = NULL, *desc = NULL;
	int rc;

	if ((rc = load_topics(r, err)) != 0)
		return rc;
	if (ctx->dry_run) {
		ai_run_note(r, "would render the description");
		return 0;
	}
	load_transcript(r, NULL); /* for duration and language; optional */
	int64_t at = ctx->rec->started_at > 0 ? ctx->rec->started_at : ctx->rec->created_at;
	time_iso(at, date);
	date[10] = '\0';
	int64_t duration = r->tr ? r->tr->duration_ms : ctx->rec->duration_ms;
	const char *lang = r->tr && r->tr->language[0] ? r->tr->language : "en";
	struct desc_vars v = {
		.title = ctx->rec->title, .date = date,
		.n = (int)config_int(ctx->config, "metadata.n", 0),
		.topics = r->topics, .duration_ms = duration, .language = lang,
		.extra = config_find(ctx->config, "metadata.vars"),
	};
	rc = desc_build(config_str(ctx->config, "metadata.title", "{{title}}"),
	    config_str(ctx->config, "metadata.description", "{{title}}\n{{date}}\n\n{{topics}}"),
	    &v, &title, &desc, warning, sizeof warning, err);
	if (rc != 0) {
		zpub_err_prefix(err, "%s", r->label);
		return rc;
	}
	char *dpath = NULL, *tpath = NULL, *mpath = NULL;
	rc = write_file(ctx->media_dir, "description.txt", desc, &dpath, err);
	if (rc == 0)
		rc = write_file(ctx->media_dir, "title.txt", title, &tpath, err);
	if (rc == 0) {
		cJSON *m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "title", title);
		cJSON_AddStringToObject(m, "description", desc);
		const cJSON *tags = config_find(ctx->config, "metadata.tags");
		cJSON_AddItemToObject(m, "tags", cJSON_IsArray(tags) ? cJSON_Duplicate(tags, 1) :
		    cJSON_CreateArray());
		cJSON_AddStringToObject(m, "language", lang);
		cJSON_AddNumberToObject(m, "topics_version", r->topics_version);
		if (warning[0])
			cJSON_AddStringToObject(m, "warning", warning);
		char *mj = cJSON_Print(m);
		cJSON_Delete(m);
		rc = write_file(ctx->media_dir, "metadata.json", mj, &mpath, err);
		free(mj);
	}
	if (rc == 0) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "title", title);
		if (warning[0])
			cJSON_AddStringToObject(x, "warning", warning);
		rc = add_artifact(r, "description", dpath, x, err);
	}
	if (rc == 0)
		rc = add_artifact(r, "title", tpath, NULL, err);
	if (rc == 0)
		rc = add_artifact(r, "metadata", mpath, NULL, err);
	if (rc == 0 && warning[0]) {
		store_journal(ctx->store, ctx->rec->id, "warn", "describe", "%s", warning);
		ai_run_note(r, "%s", warning);
	}
	free(dpath);
	free(tpath);
	free(mpath);
	free(title);
	free(desc);
	return rc;
}

int
ai_run_steps(struct stage_ctx *ctx, const struct ai_steps *steps, struct zpub_err *err)
{
	struct ai_run r;
	int rc = 0;

	memset(&r, 0, sizeof r);
	r.ctx = ctx;
	snprintf(r.label, sizeof r.label, "'%s' (recording %lld)",
	    ctx->rec->title && ctx->rec->title[0] ? ctx->rec->title : "untitled",
	    (long long)ctx->rec->id);
	if (steps->transcribe && (rc = step_transcribe(&r, steps, err)) != 0)
		goto out;
	if ((rc = progress(&r, 0.9, "finding topics")) != 0) {
		zpub_err_set(err, rc, "%s: cancelled", r.label);
		goto out;
	}
	if (ctx->dry_run) {
		ai_run_note(&r, "would then find topics, lay out subtitles and render the description");
		snprintf(ctx->summary, sizeof ctx->summary, "%s", r.notes);
		goto out;
	}
	if (steps->topics && (rc = step_topics(&r, steps, err)) != 0)
		goto out;
	if (steps->subtitles && (rc = step_subtitles(&r, err)) != 0)
		goto out;
	if (steps->describe && (rc = step_describe(&r, err)) != 0)
		goto out;
	progress(&r, 1.0, "transcribed");
	snprintf(ctx->summary, sizeof ctx->summary, "%s", r.notes);
out:
	tr_free(r.tr);
	topics_free(r.topics);
	media_timemap_clear(&r.old_map);
	media_timemap_clear(&r.new_map);
	if (r.tr_key)
		vault_free_secret(r.tr_key, r.tr_key_len);
	if (r.chat_key)
		vault_free_secret(r.chat_key, r.chat_key_len);
	return rc;
}

int
stage_transcribe(struct stage_ctx *ctx, struct zpub_err *err)
{
	struct ai_steps all = { 1, 1, 1, 1, NULL, NULL, 1 };
	return ai_run_steps(ctx, &all, err);
}

const char *
ai_engine_choose(const char *configured, int has_secret, const char *offline)
{
	if (configured == NULL || configured[0] == '\0' || strcmp(configured, "auto") == 0)
		return has_secret ? "openai-compatible" : offline;
	return configured;
}
