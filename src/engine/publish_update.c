/*
 * publish_update.c — `zpub publish --update` (and the daemon after an
 * approval): sends a READY recording's done targets only what differs from
 * the fingerprints kept when they were last sent (videos.update, caption
 * and thumbnail updates, VK's video.edit, the folder's files rewritten) —
 * never a second upload.  The run, its targets and hooks are the publish
 * stage's (stage_publish_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http.h"
#include "publish.h"
#include "pipeline.h"
#include "stages.h"
#include "stage_publish_int.h"
#include "store_admin.h"
#include "store.h"
#include "util.h"

/* The publications done, as targets (the run's inputs loaded first). */
static int
update_prepare(struct stage_ctx *ctx, struct publish_run *r, struct zpub_err *err)
{
	struct store_publication *v = NULL;
	int n = 0, rc;

	memset(r, 0, sizeof *r);
	r->ctx = ctx;
	if ((rc = pubrun_inputs_load(ctx, &r->in, err)) != 0)
		return rc;
	if ((rc = store_publications(ctx->store, ctx->rec->id, &v, &n, err)) != 0)
		return rc;
	for (int i = 0; i < n && r->n < PUB_MAX_TARGETS; i++) {
		struct target_run *t = &r->t[r->n];
		if (strcmp(v[i].state, "done") != 0 || !pubrun_known_platform(v[i].platform) ||
		    (v[i].target && *v[i].target))
			continue;
		memset(t, 0, sizeof *t);
		snprintf(t->platform, sizeof t->platform, "%s", v[i].platform);
		t->run = r;
		t->pub_id = v[i].id;
		pubrun_state_from_row(&t->st, &v[i]);
		pubrun_item_init(r, t);
		r->n++;
	}
	store_publications_free(v, n);
	return 0;
}

static void
update_plan_print(struct publish_run *r, struct target_run *t, const struct pub_diff *d,
    FILE *out)
{
	const cJSON *cfg = r->ctx->config;
	const char *api = config_str(cfg, "providers.youtube.api_base", "");
	const char *ub = config_str(cfg, "providers.youtube.upload_base", "");

	if (strcmp(t->platform, "youtube") == 0) {
		if (d->what & PUB_CH_META)
			fprintf(out, "  GET %s/videos?part=snippet&id=%s, then PUT %s/videos?part=snippet"
			    " with that snippet's title, description and tags changed\n", api,
			    term_safe(t->st.remote_id ? t->st.remote_id : "?"), api);
		for (int k = 0; k < d->n_changed; k++) {
			char step[64];
			snprintf(step, sizeof step, "caption.%s", d->changed[k]);
			fprintf(out, "  %s %s/captions?part=snippet&uploadType=multipart language=%s\n",
			    pub_step_is_done(&t->st, step) ? "PUT" : "POST", ub, d->changed[k]);
		}
		for (int k = 0; k < d->n_removed; k++)
			fprintf(out, "  DELETE %s/captions language=%s\n", api, d->removed[k]);
		if (d->what & PUB_CH_THUMBNAIL)
			fprintf(out, "  POST %s/thumbnails/set\n", ub);
	} else if (strcmp(t->platform, "vk") == 0) {
		fprintf(out, "  POST %s/video.edit video %s name=", config_str(cfg,
		    "providers.vk.api_base", ""), term_safe(t->st.remote_id ? t->st.remote_id : "?"));
		term_fputs(r->in.title, out);
		fprintf(out, " desc=(%zu bytes)\n", strlen(r->in.description));
	} else {
		fprintf(out, "  rewrite the changed files in %s\n",
		    term_safe(t->st.remote_id ? t->st.remote_id : "?"));
	}
}

/* Sends t what changed since it was last sent; a line for out. */
static int
update_target(struct publish_run *r, struct target_run *t, int force_desc, FILE *out,
    struct zpub_err *err)
{
	struct pub_hooks hooks = {
		.token = pubrun_hook_token, .save = pubrun_hook_save, .done = pubrun_hook_done,
		.ud = t, .journal = pubrun_hook_journal,
	};
	cJSON *now = pub_fingerprints(&t->item);
	struct pub_diff d;
	char what[512];
	int rc = 0;

	pub_diff_make(t->st.sent, now, &d);
	if (force_desc)
		d.what |= PUB_CH_DESCRIPTION;   /* the dry run's re-render, not made */
	pub_diff_for(t->platform, &d);
	pub_diff_text(&d, what, sizeof what);
	const char *where = term_safe(t->st.url ? t->st.url : "done");
	if (d.what == 0) {
		if (out)
			fprintf(out, "%s: nothing changed since the last publish (%s)\n", t->platform,
			    where);
	} else if (r->ctx->dry_run) {
		if (out) {
			fprintf(out, "%s: would update %s (%s)\n", t->platform, what, where);
			update_plan_print(r, t, &d, out);
		}
	} else if (strcmp(t->platform, "folder") == 0) {
		char *root = pubrun_folder_root(r->ctx);
		rc = folder_update(&t->item, root, r->ctx->rec->id, &t->st, now, &d, err);
		if (rc == 0)
			rc = pubrun_state_save(r, t, "done", "", err);
		free(root);
	} else if ((rc = pubrun_target_connect(r, t, err)) == 0) {
		int64_t retry_at = 0;
		rc = strcmp(t->platform, "youtube") == 0 ?
		    yt_update(r->http, &t->item, &t->st, now, &d, &hooks, &retry_at, err) :
		    vk_update(r->http, &t->item, &t->st, now, &d, &hooks, &retry_at, err);
		if (retry_at > r->ctx->retry_at_ms)
			r->ctx->retry_at_ms = retry_at;
	}
	if (rc == 0 && d.what != 0 && !r->ctx->dry_run) {
		store_journal(r->ctx->store, r->ctx->rec->id, "info", "publish", "%s: updated %s",
		    t->platform, what);
		if (out)
			fprintf(out, "%s: updated %s (%s)\n", t->platform, what, where);
	} else if (rc != 0) {
		store_journal(r->ctx->store, r->ctx->rec->id, "error", "publish",
		    "%s: the update failed: %s", t->platform, err->msg);
	}
	cJSON_Delete(now);
	return rc;
}

/* The update of one recording through a stage context. */
static int
update_run(struct stage_ctx *ctx, FILE *out, struct zpub_err *err)
{
	struct publish_run r;
	char fails[900] = "";
	int rc, worst = 0, force_desc = 0;

	if (ctx->dry_run && pubrun_approved_after_description(ctx)) {
		force_desc = 1;
		if (out)
			fprintf(out, "the description is rendered again from the newest approved "
			    "topic version first\n");
	} else if ((rc = pubrun_render_approved(ctx, err)) != 0) {
		return rc;
	} else if (ctx->n_artifacts > 0 && (rc = store_artifacts_replace(ctx->store, ctx->rec->id,
	    ctx->artifacts, ctx->n_artifacts, err)) != 0) {
		return rc;
	}
	if ((rc = update_prepare(ctx, &r, err)) != 0)
		goto out;
	if (r.n == 0) {
		rc = zpub_err_set(err, ZPUB_ESTATE, "%s is published nowhere yet; publish it "
		    "first (`zpub publish %lld`)", r.in.label, (long long)ctx->rec->id);
		goto out;
	}
	r.http = http_client_new();
	r.aux = http_client_new();
	if (r.http == NULL || r.aux == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "cannot start the HTTP client");
		goto out;
	}
	for (int i = 0; i < r.n; i++) {
		struct zpub_err e = {0};
		size_t fl = strlen(fails);
		int trc = update_target(&r, &r.t[i], force_desc, out, &e);
		if (trc == 0)
			continue;
		snprintf(fails + fl, sizeof fails - fl, "%s%s: %.300s", fl ? "; " : "", r.t[i].platform,
		    e.msg);
		if (worst == 0 || trc == ZPUB_ENET || (trc == ZPUB_EQUOTA && worst != ZPUB_ENET))
			worst = trc;
	}
	rc = worst ? zpub_err_set(err, worst, "updating %.200s: %.700s", r.in.label, fails) : 0;
out:
	pubrun_clear(&r);
	return rc;
}

int
publish_update(struct store *st, const cJSON *cfg, int64_t rec_id,
    const struct publish_update_opts *o, struct zpub_err *err)
{
	struct store_recording *rec = NULL;
	struct stage_ctx ctx;
	int rc;

	if ((rc = store_recording_get(st, rec_id, &rec, err)) != 0)
		return rc;
	if (rec->status != ST_READY) {
		rc = zpub_err_set(err, ZPUB_ESTATE, "recording %lld is %s, not READY: --update "
		    "changes what is published; publish it first (`zpub publish %lld`)",
		    (long long)rec_id, status_name(rec->status), (long long)rec_id);
		store_recording_free(rec);
		return rc;
	}
	cJSON *merged = pipeline_config_for(cfg, rec);
	char *media_dir = pipeline_media_dir(o->data_dir, rec->tenant, rec->id);
	memset(&ctx, 0, sizeof ctx);
	ctx.store = st;
	ctx.rec = rec;
	ctx.config = merged;
	ctx.data_dir = o->data_dir;
	ctx.media_dir = media_dir;
	ctx.dry_run = o->dry_run;
	ctx.key_path = o->key_path;
	rc = update_run(&ctx, o->out, err);
	if (rc == 0 && !o->dry_run)
		rc = store_recording_set_update_pending(st, rec_id, 0, err);
	if (o->retry_at_ms)
		*o->retry_at_ms = ctx.retry_at_ms;
	stage_ctx_clear(&ctx);
	free(media_dir);
	cJSON_Delete(merged);
	store_recording_free(rec);
	return rc;
}
