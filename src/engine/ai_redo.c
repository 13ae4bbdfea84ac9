/*
 * ai_redo.c — the transcribe stage's steps run again on a recording's
 * files, outside the pipeline: `zpub topics|subtitles|describe ID` past
 * TRANSCRIBED and the API's POST /recordings/{id}/topics/regenerate.  The
 * status stays; new files become artefacts and the summary a journal line.
 */
#include "stages.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "store.h"
#include "util.h"

static int
artifact_known(struct store *st, int64_t rec_id, const char *kind, const char *path)
{
	struct store_artifact *a = NULL;
	int n = 0, hit = 0;
	if (store_artifacts(st, rec_id, kind, &a, &n, NULL) != 0)
		return 0;
	for (int i = 0; i < n && !hit; i++)
		hit = strcmp(a[i].path, path) == 0;
	store_artifacts_free(a, n);
	return hit;
}

/* Registers the files a step made (those not known yet) and journals its
 * summary, in one transaction. */
static int
record_artifacts(struct store *st, int64_t id, const struct stage_ctx *ctx, const char *event,
    struct zpub_err *err)
{
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	for (int i = 0; i < ctx->n_artifacts && rc == 0; i++)
		if (!artifact_known(st, id, ctx->artifacts[i].kind, ctx->artifacts[i].path))
			rc = store_artifact_add(st, id, &ctx->artifacts[i], err);
	if (rc == 0) {
		store_journal(st, id, "info", event ? event : "ai", "%s", ctx->summary);
		rc = store_commit(st, err);
	} else {
		store_rollback(st);
	}
	return rc;
}

int
ai_redo(struct store *st, const cJSON *cfg, const char *data_dir, const char *key_path,
    const struct store_recording *rec, const struct ai_steps *steps,
    struct zpub_progress progress, const char *event, char *summary, size_t summary_len,
    struct zpub_err *err)
{
	cJSON *merged = pipeline_config_for(cfg, rec);
	char *media_dir = pipeline_media_dir(data_dir, rec->tenant, rec->id);
	struct stage_ctx ctx;
	int rc;

	memset(&ctx, 0, sizeof ctx);
	ctx.store = st;
	ctx.rec = rec;
	ctx.config = merged;
	ctx.data_dir = data_dir;
	ctx.media_dir = media_dir;
	ctx.progress = progress;
	ctx.key_path = key_path;
	if ((rc = fs_mkdir_p(media_dir, 0700, err)) == 0)
		rc = ai_run_steps(&ctx, steps, err);
	if (rc == 0)
		rc = record_artifacts(st, rec->id, &ctx, event, err);
	if (rc == 0 && summary != NULL && summary_len > 0)
		snprintf(summary, summary_len, "%s", ctx.summary);
	stage_ctx_clear(&ctx);
	free(media_dir);
	cJSON_Delete(merged);
	return rc;
}
