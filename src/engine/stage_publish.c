/*
 * stage_publish.c — the "publish" stage (TRANSCRIBED -> UPLOADING -> READY):
 * puts the finished lecture on every output target at once.
 *
 * Targets come from "publish.to" (set by `zpub publish --to`) or the keys of
 * "output_targets" (youtube, vk, folder).  Each has its own publications
 * row; a row already "done" is skipped, so a retry republishes only what is
 * missing and never makes a second video.  YouTube and VK run as state
 * machines on one HTTP loop; the folder target is written first (local,
 * atomic: a temporary folder renamed into place).  The recording is READY
 * only when every target is done; a failing target leaves the others alone.
 *
 * Each done publication keeps fingerprints of what it sent ("sent" in its
 * extra JSON) for publish_update() (publish_update.c).  What both share is
 * in stage_publish_int.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "accounts.h"
#include "metrics.h"
#include "http.h"
#include "oauth.h"
#include "publish.h"
#include "stage_publish_int.h"
#include "ai.h"
#include "pipeline.h"
#include "stages.h"
#include "store_admin.h"
#include "store.h"
#include "usage.h"
#include "util.h"
#include "vault.h"

/* ---- inputs ------------------------------------------------------------------ */

static char *
read_text(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	struct zpub_err e;
	if (path == NULL || fs_read_all(path, &buf, &len, &e) != 0)
		return NULL;
	/* one trailing newline is the file's, not the description's */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return buf;
}

static const char *
extra_str(const char *extra_json, const char *key, char *buf, size_t bufsz)
{
	cJSON *j = extra_json ? cJSON_Parse(extra_json) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
	const char *out = NULL;
	if (cJSON_IsString(v)) {
		snprintf(buf, bufsz, "%s", v->valuestring);
		out = buf;
	} else if (cJSON_IsBool(v) || cJSON_IsNumber(v)) {
		snprintf(buf, bufsz, "%s", cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble != 0) ? "1" : "0");
		out = buf;
	}
	cJSON_Delete(j);
	return out;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static void
inputs_clear(struct pub_inputs *in)
{
	free(in->video);
	free(in->title);
	free(in->description);
	free(in->thumbnail);
	for (char **t = in->tags; t && *t; t++)
		free(*t);
	free(in->tags);
	for (int i = 0; i < in->n_captions; i++) {
		free(in->cap_paths[i]);
		free(in->cap_langs[i]);
	}
	memset(in, 0, sizeof *in);
}

/* Language of a subtitle file: extra.language / extra.lang, else the name
 * ("ru.vtt", "subtitles.ru.vtt" -> "ru"). */
static char *
caption_lang(const struct store_artifact *a)
{
	char buf[64];
	const char *l = extra_str(a->extra, "language", buf, sizeof buf);
	if (l == NULL)
		l = extra_str(a->extra, "lang", buf, sizeof buf);
	if (l != NULL && *l)
		return xstrdup(l);
	const char *base = strrchr(a->path, '/');
	base = base ? base + 1 : a->path;
	char *name = xstrdup(base), *dot = strrchr(name, '.');
	if (dot)
		*dot = '\0';
	dot = strrchr(name, '.');
	char *out = xstrdup(dot ? dot + 1 : name);
	free(name);
	return out;
}

/* Subtitles: one track per language code, WebVTT before SRT. */
static void
inputs_add_caption(struct stage_ctx *ctx, struct pub_inputs *in, const struct store_artifact *a)
{
	if (!ends_with(a->path, ".vtt") && !ends_with(a->path, ".srt"))
		return;
	char *lang = caption_lang(a);
	if (!lang_code_ok(lang)) {
		/* it would name files and remote tracks: leave it out */
		char shown[40];
		store_journal(ctx->store, ctx->rec->id, "warn", "publish", "subtitles %s are "
		    "left out: their language \"%s\" is not a language code like en, "
		    "ru or pt-BR", a->path, term_escape(lang, shown, sizeof shown));
		free(lang);
		return;
	}
	int dup = -1;
	for (int k = 0; k < in->n_captions; k++)
		if (strcmp(in->cap_langs[k], lang) == 0)
			dup = k;
	if (dup >= 0) {
		/* one track per language; WebVTT wins over SRT */
		if (ends_with(a->path, ".vtt")) {
			free(in->cap_paths[dup]);
			in->cap_paths[dup] = xstrdup(a->path);
		}
		free(lang);
		return;
	}
	if (in->n_captions == PUB_MAX_CAPTIONS) {
		free(lang);
		return;
	}
	in->cap_paths[in->n_captions] = xstrdup(a->path);
	in->cap_langs[in->n_captions] = lang;
	in->n_captions++;
}

/* A JSON array of strings as a NULL-terminated list (empty for anything else). */
static char **
tags_from(const cJSON *tg)
{
	char **tags = xcalloc((size_t)(cJSON_IsArray(tg) ? cJSON_GetArraySize(tg) : 0) + 1,
	    sizeof *tags);
	const cJSON *x;
	int k = 0;

	if (cJSON_IsArray(tg))
		cJSON_ArrayForEach(x, tg)
			if (cJSON_IsString(x) && tags)
				tags[k++] = xstrdup(x->valuestring);
	return tags;
}

/* metadata.json {title, description, tags} beats the single files */
static void
inputs_metadata(struct pub_inputs *in, const char *meta_path)
{
	char *text = read_text(meta_path);
	cJSON *m = text ? cJSON_Parse(text) : NULL;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "title");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(m, "description");
	const cJSON *tg = cJSON_GetObjectItemCaseSensitive(m, "tags");

	if (cJSON_IsString(t))
		in->title = xstrdup(t->valuestring);
	if (cJSON_IsString(d))
		in->description = xstrdup(d->valuestring);
	if (cJSON_IsArray(tg))
		in->tags = tags_from(tg);
	cJSON_Delete(m);
	free(text);
}

/* A thumbnail's picture, or the one with the title drawn on beside it. */
static char *
thumbnail_path(const struct store_artifact *a)
{
	char buf[64];
	const char *titled = extra_str(a->extra, "titled", buf, sizeof buf);
	const char *slash = strrchr(a->path, '/');
	char *p;

	if (titled == NULL || strchr(titled, '/') != NULL || slash == NULL)
		return xstrdup(a->path);
	p = xasprintf("%.*s/%s", (int)(slash - a->path), a->path, titled);
	if (!fs_exists(p)) {
		free(p);
		return xstrdup(a->path);
	}
	return p;
}

int
pubrun_inputs_load(struct stage_ctx *ctx, struct pub_inputs *in, struct zpub_err *err)
{
	struct store_artifact *arts = NULL;
	int n = 0, rc;
	const struct store_recording *rec = ctx->rec;

	memset(in, 0, sizeof *in);
	snprintf(in->label, sizeof in->label, "'%s' (recording %lld)",
	    rec->title ? rec->title : "untitled", (long long)rec->id);
	if ((rc = store_artifacts(ctx->store, rec->id, NULL, &arts, &n, err)) != 0)
		return rc;
	const char *meta_path = NULL, *desc_path = NULL, *title_path = NULL;
	for (int i = 0; i < n; i++) {
		const struct store_artifact *a = &arts[i];
		char buf[64];
		if (strcmp(a->kind, "cut_video") == 0) {
			free(in->video);
			in->video = xstrdup(a->path);
		} else if (strcmp(a->kind, "thumbnail") == 0) {
			const char *chosen = extra_str(a->extra, "chosen", buf, sizeof buf);
			if (in->thumbnail == NULL || (chosen && strcmp(chosen, "1") == 0)) {
				free(in->thumbnail);
				in->thumbnail = thumbnail_path(a);
			}
		} else if (strcmp(a->kind, "srt") == 0 || strcmp(a->kind, "vtt") == 0) {
			inputs_add_caption(ctx, in, a);
		} else if (strcmp(a->kind, "description") == 0) {
			desc_path = a->path;
		} else if (strcmp(a->kind, "title") == 0) {
			title_path = a->path;
		} else if (strcmp(a->kind, "metadata") == 0) {
			meta_path = a->path;
		}
	}
	if (in->video == NULL && rec->source_path)
		in->video = xstrdup(rec->source_path);
	if (meta_path)
		inputs_metadata(in, meta_path);
	if (in->title == NULL && title_path)
		in->title = read_text(title_path);
	if (in->description == NULL && desc_path)
		in->description = read_text(desc_path);
	if (in->title == NULL)
		in->title = xstrdup(rec->title && *rec->title ? rec->title : "Untitled");
	if (in->description == NULL)
		in->description = xstrdup("");
	if (in->tags == NULL)
		in->tags = tags_from(config_find(ctx->config, "metadata.tags"));
	for (int i = 0; i < in->n_captions; i++) {
		in->captions[i].path = in->cap_paths[i];
		in->captions[i].language = in->cap_langs[i];
		in->captions[i].name = in->cap_langs[i];
	}
	store_artifacts_free(arts, n);
	if (in->video == NULL || fs_size(in->video) <= 0)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "cannot publish %s: it has no cut video "
		    "yet; run the earlier stages first (`zpub run %lld`)", in->label,
		    (long long)rec->id);
	return 0;
}

/* ---- targets ---------------------------------------------------------------- */

int
pubrun_known_platform(const char *p)
{
	return strcmp(p, "youtube") == 0 || strcmp(p, "vk") == 0 || strcmp(p, "folder") == 0;
}

/* Names from "publish.to" (array or "a,b") or output_targets' keys. */
static int
targets_list(const cJSON *cfg, char names[PUB_MAX_TARGETS][16], int *n, struct zpub_err *err)
{
	const cJSON *to = config_find(cfg, "publish.to");
	*n = 0;
	if (cJSON_IsString(to) && to->valuestring[0]) {
		char *s = xstrdup(to->valuestring), *save = NULL;
		for (char *tok = strtok_r(s, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			if (!pubrun_known_platform(tok)) {
				/* tok points into s: the sentence is made before s goes */
				int rc = zpub_err_set(err, ZPUB_EINVAL, "unknown publish target '%s'; "
				    "use youtube, vk or folder", tok);
				free(s);
				return rc;
			}
			if (*n < PUB_MAX_TARGETS)
				snprintf(names[(*n)++], 16, "%s", tok);
		}
		free(s);
	} else {
		const cJSON *x;
		const cJSON *ot = config_find(cfg, "output_targets");
		const cJSON *src = cJSON_IsArray(to) ? to : ot;
		cJSON_ArrayForEach(x, src) {
			const char *name = cJSON_IsString(x) ? x->valuestring : x->string;
			if (name == NULL)
				continue;
			if (!pubrun_known_platform(name)) {
				log_warn("output target '%s' is not known; skipped", name);
				continue;
			}
			if (cJSON_IsFalse(x))
				continue;
			if (*n < PUB_MAX_TARGETS)
				snprintf(names[(*n)++], 16, "%s", name);
		}
	}
	if (*n == 0)
		snprintf(names[(*n)++], 16, "folder");
	return 0;
}

void
pubrun_item_init(struct publish_run *r, struct target_run *t)
{
	struct pub_inputs *in = &r->in;
	char key[64];
	snprintf(key, sizeof key, "output_targets.%s", t->platform);
	t->item.video_path = in->video;
	t->item.title = in->title;
	t->item.description = in->description;
	t->item.tags = (const char *const *)in->tags;
	t->item.captions = in->captions;
	t->item.n_captions = in->n_captions;
	t->item.thumbnail_path = in->thumbnail;
	t->item.target = config_find(r->ctx->config, key);
	t->item.config = r->ctx->config;
	t->item.label = in->label;
}

void
pubrun_state_from_row(struct pub_state *s, const struct store_publication *p)
{
	memset(s, 0, sizeof *s);
	pub_state_set(&s->remote_id, p->remote_id);
	pub_state_set(&s->upload_url, p->upload_url);
	pub_state_set(&s->url, p->url);
	s->bytes_acked = p->bytes_acked;
	s->bytes_total = p->bytes_total;
	cJSON *x = p->extra ? cJSON_Parse(p->extra) : NULL;
	if (cJSON_IsObject(x)) {
		cJSON *steps = cJSON_DetachItemFromObjectCaseSensitive(x, "steps");
		cJSON *sent = cJSON_DetachItemFromObjectCaseSensitive(x, "sent");
		if (cJSON_IsObject(steps))
			s->steps = steps;
		else
			cJSON_Delete(steps);
		if (cJSON_IsObject(sent))
			s->sent = sent;
		else
			cJSON_Delete(sent);
	}
	cJSON_Delete(x);
}

int
pubrun_state_save(struct publish_run *r, struct target_run *t, const char *state,
    const char *error, struct zpub_err *err)
{
	struct pub_state *s = &t->st;
	/* a publication done is what the platform has: kept for --update */
	if (strcmp(state, "done") == 0 && s->sent == NULL)
		s->sent = pub_fingerprints(&t->item);
	struct store_publication_change c = {
		.state = state, .remote_id = s->remote_id,
		.upload_url = s->upload_url ? s->upload_url : "", .url = s->url,
		.error = error[0] ? error : NULL, .clear_error = error[0] == '\0',
		.set_bytes = 1, .bytes_acked = s->bytes_acked, .bytes_total = s->bytes_total,
	};
	int rc = store_publication_update(r->ctx->store, t->pub_id, &c, err);
	if (rc == 0) {
		cJSON *x = cJSON_CreateObject();
		if (s->steps)
			cJSON_AddItemToObject(x, "steps", cJSON_Duplicate(s->steps, 1));
		if (s->sent)
			cJSON_AddItemToObject(x, "sent", cJSON_Duplicate(s->sent, 1));
		char *json = cJSON_PrintUnformatted(x);
		rc = store_publication_set_extra(r->ctx->store, t->pub_id, json ? json : "{}", err);
		free(json);
		cJSON_Delete(x);
	}
	return rc;
}

/* ---- hooks ---------------------------------------------------------------------- */

int
pubrun_hook_token(void *ud, int force, char **token, struct zpub_err *err)
{
	struct target_run *t = ud;
	struct publish_run *r = t->run;
	int rc = oauth_access_token(r->aux, &t->prov, &t->ostore, force, token, err);

	/* The sentence names the default account's command; say which. */
	if (rc == ZPUB_EAUTH && t->account[0] && err != NULL) {
		char was[sizeof err->msg / 2];

		snprintf(was, sizeof was, "%.*s", (int)sizeof was - 1, err->msg);
		snprintf(err->msg, sizeof err->msg, "the %s account '%s' needs signing in: run "
		    "`zpub auth %s --as %s` (%s)", t->platform, t->account, t->platform,
		    t->account, was);
	}
	return rc;
}

int
pubrun_hook_save(void *ud, const struct pub_state *st, const char *phase,
    struct zpub_err *err)
{
	struct target_run *t = ud;
	(void)st;
	return pubrun_state_save(t->run, t, strcmp(phase, "done") == 0 ? "done" : "uploading", "",
	    err);
}

/* Reports the uploads' progress; non-zero (and from then on) when the
 * runner asks to stop (a person's stop, the daemon shutting down). */
static int
report_progress(struct publish_run *r, int force)
{
	int64_t now = time_mono_ms();
	if (r->stop || (!force && now - r->last_progress_ms < 250))
		return r->stop;
	r->last_progress_ms = now;
	char what[256] = "uploading";
	size_t o = strlen(what);
	int64_t sent = 0, total = 0;
	for (int i = 0; i < r->n; i++) {
		struct target_run *t = &r->t[i];
		if (t->total <= 0)
			continue;
		sent += t->sent;
		total += t->total;
		o += (size_t)snprintf(what + o, o < sizeof what ? sizeof what - o : 0, "%s %s %d%%",
		    o > 9 ? "," : "", t->platform, (int)(100 * t->sent / t->total));
		if (o >= sizeof what)
			break;
	}
	r->stop = zpub_progress_report(&r->ctx->progress,
	    total > 0 ? (double)sent / (double)total : -1, what) != 0;
	return r->stop;
}

static int
hook_progress(void *ud, int64_t sent, int64_t total)
{
	struct target_run *t = ud;
	if (sent > t->counted) {   /* only what this run sent, not a resume's start */
		const char *labels[] = { t->platform };
		metrics_add(M_UPLOAD_BYTES, labels, (double)(sent - t->counted));
		t->counted = sent;
	}
	t->sent = sent;
	t->total = total;
	return report_progress(t->run, 0);
}

/* A target that received the video meters its bytes once, for the face
 * that started the work (usage.h; the store handle knows the face). */
static void
meter_upload(struct target_run *t)
{
	struct stage_ctx *ctx = t->run->ctx;
	struct zpub_err e;
	int64_t bytes = fs_size(t->item.video_path);
	if (bytes > 0 && usage_record(ctx->store, ctx->config, ctx->rec->tenant_id, ctx->rec->id,
	    "upload_bytes", t->platform, (double)bytes, &e) != 0)
		log_warn("recording %lld: could not record usage: %s", (long long)ctx->rec->id,
		    e.msg);
}

void
pubrun_hook_journal(void *ud, const char *level, const char *text)
{
	struct target_run *t = ud;
	store_journal(t->run->ctx->store, t->run->ctx->rec->id, level, "publish", "%s: %s",
	    t->platform, text);
}

void
pubrun_hook_done(void *ud, int rc, const struct zpub_err *err, int64_t retry_at)
{
	struct target_run *t = ud;
	t->finished = 1;
	t->rc = rc;
	t->retry_at = retry_at;
	if (rc != 0 && err != NULL)
		t->err = *err;
	else if (rc != 0)
		zpub_err_set(&t->err, rc, "%s failed (%s)", t->platform, zpub_err_name(rc));
	if (rc == 0) {
		t->sent = t->total;
		meter_upload(t);
	}
}

/* ---- folder target ---------------------------------------------------------- */

char *
pubrun_folder_root(const struct stage_ctx *ctx)
{
	const char *p = config_str(ctx->config, "publish.folder.path", "");
	if (p && *p)
		return xstrdup(p);
	return path_join(ctx->data_dir, "published");
}

static int
publish_folder(struct publish_run *r, struct target_run *t, struct zpub_err *err)
{
	char *root = pubrun_folder_root(r->ctx);
	int rc = folder_publish(&t->item, root, r->ctx->rec->id, &t->st, err);
	free(root);
	if (rc == 0) {
		const char *labels[] = { t->platform };
		metrics_add(M_UPLOAD_BYTES, labels, (double)fs_size(t->item.video_path));
		meter_upload(t);
	}
	return rc;
}

/* ---- dry run -------------------------------------------------------------------- */

static void
print_file(FILE *out, const char *what, const char *path)
{
	fprintf(out, "  %s: %s (%lld bytes)\n", what, path, (long long)fs_size(path));
}

static void
dry_run_print(struct publish_run *r, FILE *out)
{
	const struct pub_inputs *in = &r->in;
	const cJSON *cfg = r->ctx->config;

	fprintf(out, "Dry run for %s: nothing is sent.\n", term_safe(in->label));
	for (int i = 0; i < r->n; i++) {
		struct target_run *t = &r->t[i];
		if (t->finished) {
			fprintf(out, "%s: already published (%s); nothing to do\n", t->platform,
			    term_safe(t->st.url ? t->st.url : "done"));
			continue;
		}
		if (strcmp(t->platform, "youtube") == 0) {
			char *body = yt_video_json(&t->item);
			const char *ub = config_str(cfg, "providers.youtube.upload_base", "");
			struct pub_tuning tun;
			pub_tuning_from_config(cfg, &tun);
			fprintf(out, "youtube:\n");
			if (t->st.remote_id) {
				fprintf(out, "  video %s already uploaded; only missing follow-ups\n",
				    t->st.remote_id);
			} else {
				fprintf(out, "  POST %s/videos?uploadType=resumable&part=snippet,status\n", ub);
				fprintf(out, "  X-Upload-Content-Length: %lld\n", (long long)fs_size(in->video));
				fprintf(out, "  X-Upload-Content-Type: video/*\n");
				fputs("  body: ", out);
				term_fputs(body ? body : "{}", out);
				fputc('\n', out);
				fprintf(out, "  then PUT the session URL in chunks of %lld bytes%s\n",
				    (long long)tun.chunk_bytes,
				    t->st.upload_url ? ", resuming the saved session" : "");
				print_file(out, "video", in->video);
			}
			for (int k = 0; k < in->n_captions; k++) {
				char step[64];
				snprintf(step, sizeof step, "caption.%s", in->cap_langs[k]);
				if (pub_step_is_done(&t->st, step))
					continue;
				fprintf(out, "  POST %s/captions?part=snippet&uploadType=multipart "
				    "language=%s\n", ub, in->cap_langs[k]);
				print_file(out, "subtitles", in->cap_paths[k]);
			}
			const char *pl = config_str(t->item.target, "playlist", NULL);
			if (pl && *pl && !pub_step_is_done(&t->st, "playlist"))
				fprintf(out, "  POST %s/playlistItems?part=snippet playlistId=%s\n",
				    config_str(cfg, "providers.youtube.api_base", ""), pl);
			if (in->thumbnail && !pub_step_is_done(&t->st, "thumbnail")) {
				fprintf(out, "  POST %s/thumbnails/set\n", ub);
				print_file(out, "thumbnail", in->thumbnail);
			}
			free(body);
		} else if (strcmp(t->platform, "vk") == 0) {
			char *params = vk_save_params_text(&t->item);
			fprintf(out, "vk:\n");
			fprintf(out, "  POST %s/video.save v=%s\n",
			    config_str(cfg, "providers.vk.api_base", ""),
			    config_str(cfg, "providers.vk.version", "5.199"));
			for (char *line = params, *nl; line && *line; line = nl + 1) {
				nl = strchr(line, '\n');
				if (nl == NULL)
					break;
				*nl = '\0';
				fputs("    ", out);
				term_fputs(line, out);
				fputc('\n', out);
			}
			fprintf(out, "  then POST the returned upload URL, multipart field video_file\n");
			print_file(out, "video", in->video);
			const cJSON *album = config_find(t->item.target, "album");
			if (album != NULL)
				fprintf(out, "  POST video.addToAlbum album_id=%s\n",
				    term_safe(cJSON_IsString(album) ? album->valuestring : "(number)"));
			free(params);
		} else {
			char *root = pubrun_folder_root(r->ctx);
			fprintf(out, "folder: write %s/%lld/\n", root, (long long)r->ctx->rec->id);
			print_file(out, "video", in->video);
			for (int k = 0; k < in->n_captions; k++)
				print_file(out, "subtitles", in->cap_paths[k]);
			if (in->thumbnail)
				print_file(out, "thumbnail", in->thumbnail);
			fprintf(out, "  description.txt (%zu bytes), metadata.json\n",
			    strlen(in->description));
			free(root);
		}
	}
	fputs("title: ", out);
	term_fputs(in->title, out);
	fputc('\n', out);
}

/* ---- the stage ------------------------------------------------------------------ */

void
pubrun_clear(struct publish_run *r)
{
	for (int i = 0; i < r->n; i++) {
		struct target_run *t = &r->t[i];
		yt_job_free(t->yt);
		vk_job_free(t->vk);
		pub_state_clear(&t->st);
		if (t->have_prov)
			oauth_provider_clear(&t->prov);
	}
	http_client_free(r->http);
	http_client_free(r->aux);
	inputs_clear(&r->in); /* the vault belongs to the stage context */
}

/* The existing row of a target (the one store_publication_ensure makes):
 * 0 with *out filled, 1 when there is none. */
static int
publication_find(struct store *st, int64_t rec_id, const char *platform,
    struct store_publication *out, struct zpub_err *err)
{
	struct store_publication *v = NULL;
	int n = 0, rc = store_publications(st, rec_id, &v, &n, err), found = 1;
	if (rc != 0)
		return rc;
	for (int i = 0; i < n && found; i++)
		if (strcmp(v[i].platform, platform) == 0 && (v[i].target == NULL || !*v[i].target)) {
			*out = v[i];
			memset(&v[i], 0, sizeof v[i]);   /* ownership moves to *out */
			found = 0;
		}
	store_publications_free(v, n);
	return found;
}

/* Loads inputs and rows; marks targets already done as finished.  A dry
 * run writes nothing to the store. */
static int
run_prepare(struct stage_ctx *ctx, struct publish_run *r, struct zpub_err *err)
{
	char names[PUB_MAX_TARGETS][16];
	int n = 0, rc;

	memset(r, 0, sizeof *r);
	r->ctx = ctx;
	if ((rc = pubrun_inputs_load(ctx, &r->in, err)) != 0)
		return rc;
	if ((rc = targets_list(ctx->config, names, &n, err)) != 0)
		return rc;
	for (int i = 0; i < n; i++) {
		struct target_run *t = &r->t[r->n];
		struct store_publication row;
		memset(t, 0, sizeof *t);
		snprintf(t->platform, sizeof t->platform, "%.15s", names[i]);
		t->run = r;
		if (ctx->dry_run) {
			/* A dry run only reads: a target never published has no row
			 * yet, and none is made just to show the plan. */
			if ((rc = publication_find(ctx->store, ctx->rec->id, t->platform, &row,
			    err)) < 0)
				return rc;
			if (rc == 1)
				memset(&row, 0, sizeof row);
		} else {
			if ((rc = store_publication_ensure(ctx->store, ctx->rec->id, t->platform, "",
			    &t->pub_id, err)) != 0)
				return rc;
			if ((rc = store_publication_get(ctx->store, t->pub_id, &row, err)) != 0)
				return rc;
		}
		pubrun_state_from_row(&t->st, &row);
		t->counted = t->st.bytes_acked;
		if (row.state && strcmp(row.state, "done") == 0) {
			t->finished = 1; /* never publish twice */
			t->rc = 0;
		}
		store_publication_clear(&row);
		r->n++;
		pubrun_item_init(r, t);
	}
	return 0;
}

int
publish_dry_run(struct stage_ctx *ctx, FILE *out, struct zpub_err *err)
{
	struct publish_run r;
	int rc = run_prepare(ctx, &r, err);
	if (rc == 0)
		dry_run_print(&r, out);
	pubrun_clear(&r);
	return rc;
}

/* The account of t's platform, for pubrun_hook_token. */
int
pubrun_target_connect(struct publish_run *r, struct target_run *t, struct zpub_err *err)
{
	int rc;

	if (r->vault == NULL) {
		struct zpub_err ve = {0};
		r->vault = stage_vault(r->ctx, &ve);
		if (r->vault == NULL) {
			if (ve.code != ZPUB_ENOTFOUND) {
				*err = ve;
				return ve.code;
			}
			return zpub_err_set(err, ZPUB_EAUTH, "no %s account is connected; run "
			    "`zpub auth %s`", t->platform, t->platform);
		}
	}
	/* The target's named account ("account": "physics"), else the
	 * default one. */
	const char *name = config_str(t->item.target, "account", NULL);
	if (name != NULL && !accounts_name_ok(name))
		return zpub_err_set(err, ZPUB_EINVAL, "output_targets.%s.account is not an account "
		    "name (letters, digits, - and _)", t->platform);
	snprintf(t->account, sizeof t->account, "%s", name ? name : "");
	t->acc.store = r->ctx->store;
	t->acc.vault = r->vault;
	t->acc.tenant_id = r->ctx->rec->tenant_id;
	t->acc.name = t->account[0] ? t->account : NULL;
	accounts_oauth_store(&t->acc, &t->ostore);
	if ((rc = accounts_provider(&t->acc, r->ctx->config, t->platform, &t->prov, err)) != 0)
		return rc;
	t->have_prov = 1;
	return 0;
}

static int
start_remote(struct publish_run *r, struct target_run *t, struct zpub_err *err)
{
	struct pub_hooks hooks = {
		.token = pubrun_hook_token, .save = pubrun_hook_save, .progress = hook_progress,
		.done = pubrun_hook_done, .ud = t, .journal = pubrun_hook_journal,
	};
	int rc;

	if ((rc = pubrun_target_connect(r, t, err)) != 0)
		return rc;
	t->total = fs_size(r->in.video);
	if (pubrun_state_save(r, t, "uploading", "", err) != 0)
		return err->code;
	if (strcmp(t->platform, "youtube") == 0)
		return yt_job_start(r->http, &t->item, &t->st, &hooks, &t->yt, err);
	return vk_job_start(r->http, &t->item, &t->st, &hooks, &t->vk, err);
}

/* 1 when a person approved a topic version after the description was made. */
int
pubrun_approved_after_description(struct stage_ctx *ctx)
{
	struct store_topic_version tv;
	struct store_artifact *a = NULL;
	int n = 0, newer = 0;
	if (store_topic_version_latest(ctx->store, ctx->rec->id, 1, &tv, NULL) != 0)
		return 0;
	if (store_artifacts(ctx->store, ctx->rec->id, "description", &a, &n, NULL) == 0 && n > 0)
		newer = tv.approved_at > a[n - 1].created_at;
	store_artifacts_free(a, n);
	store_topic_version_clear(&tv);
	return newer;
}

/* Topics approved in the editor after the transcribe stage must reach the
 * platforms: the title and description are rendered again from the newest
 * approved version before anything is read or sent. */
int
pubrun_render_approved(struct stage_ctx *ctx, struct zpub_err *err)
{
	const struct ai_steps describe = { .describe = 1 };
	int rc;

	if (pubrun_approved_after_description(ctx) && (rc = ai_run_steps(ctx, &describe, err)) != 0)
		return zpub_err_prefix(err, "rendering the description from the approved topics");
	return 0;
}

int
stage_publish(struct stage_ctx *ctx, struct zpub_err *err)
{
	struct publish_run r;
	int rc;

	if ((rc = pubrun_render_approved(ctx, err)) != 0)
		return rc;
	if ((rc = run_prepare(ctx, &r, err)) != 0)
		goto out;
	if (ctx->dry_run) {
		dry_run_print(&r, stdout);
		snprintf(ctx->summary, sizeof ctx->summary, "dry run: nothing was sent");
		goto out;
	}
	/* local first: quick and never fails for network reasons */
	for (int i = 0; i < r.n; i++) {
		struct target_run *t = &r.t[i];
		if (t->finished || strcmp(t->platform, "folder") != 0)
			continue;
		t->finished = 1;
		t->rc = publish_folder(&r, t, &t->err);
		pubrun_state_save(&r, t, t->rc == 0 ? "done" : "failed", t->rc == 0 ? "" : t->err.msg,
		    NULL);
	}
	r.http = http_client_new();
	r.aux = http_client_new();
	if (r.http == NULL || r.aux == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "cannot start the HTTP client");
		goto out;
	}
	for (int i = 0; i < r.n; i++) {
		struct target_run *t = &r.t[i];
		if (t->finished)
			continue;
		struct zpub_err e = {0};
		if (start_remote(&r, t, &e) != 0 && !t->finished) {
			t->finished = 1;
			t->rc = e.code ? e.code : ZPUB_EINVAL;
			t->err = e;
		}
	}
	http_client_run(r.http); /* every remote target runs here, together */
	report_progress(&r, 1);

	/* outcome: rows first, then one sentence for the recording */
	char done_list[512] = "", fail_list[900] = "";
	int worst = 0;
	int64_t retry_at = 0;
	for (int i = 0; i < r.n; i++) {
		struct target_run *t = &r.t[i];
		size_t dl = strlen(done_list), fl = strlen(fail_list);
		if (t->rc == 0) {
			snprintf(done_list + dl, sizeof done_list - dl, "%s%s %s", dl ? "; " : "",
			    t->platform, t->st.url ? t->st.url : "done");
			continue;
		}
		if (strcmp(t->platform, "folder") != 0) {
			struct zpub_err e;
			const char *state = "failed";
			if (pubrun_state_save(&r, t, state, t->err.msg, &e) != 0)
				log_error("publication %lld: %s", (long long)t->pub_id, e.msg);
		}
		store_journal(ctx->store, ctx->rec->id, "error", "publish", "%s: %s", t->platform,
		    t->err.msg);
		snprintf(fail_list + fl, sizeof fail_list - fl, "%s%s: %s", fl ? "; " : "",
		    t->platform, t->err.msg);
		/* the recording's error: retryable kinds first, so the runner retries */
		if (worst == 0 || t->rc == ZPUB_ENET || (t->rc == ZPUB_EQUOTA && worst != ZPUB_ENET))
			worst = t->rc;
		if (t->retry_at > retry_at)
			retry_at = t->retry_at;
	}
	if (worst != 0) {
		rc = zpub_err_set(err, worst, "publishing %.200s: %.600s%s%.150s", r.in.label, fail_list,
		    done_list[0] ? " (published: " : "", done_list[0] ? done_list : "");
		if (done_list[0])
			strncat(err->msg, ")", sizeof err->msg - strlen(err->msg) - 1);
		if (worst == ZPUB_EQUOTA)
			ctx->retry_at_ms = retry_at;
		goto out;
	}
	snprintf(ctx->summary, sizeof ctx->summary, "published: %.480s", done_list);
	rc = 0;
out:
	pubrun_clear(&r);
	return rc;
}
