/*
 * stage_download.c — the download stage (INITIALIZED -> DOWNLOADING ->
 * DOWNLOADED) for Zoom recordings.
 *
 * Streams the chosen recording file into source.<ext>.part in the
 * recording's own folder (the folder is the recording id; nothing from Zoom
 * becomes a path), resumes it with Range after an interruption or a kill,
 * and only renames it to source.<ext> and registers the `source` artefact
 * once its size equals Zoom's file_size and it starts like media.  A
 * recording deleted upstream moves to EXPIRED with the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accounts.h"
#include "config.h"
#include "jnum.h"
#include "log.h"
#include "zoom.h"
#include "pipeline.h"
#include "stages.h"
#include "store.h"
#include "tenant.h"
#include "util.h"
#include "vault.h"
#include "zoom_hook.h"

static void
human_bytes(int64_t b, char *out, size_t outsz)
{
	if (b >= 1000LL * 1000 * 1000)
		snprintf(out, outsz, "%.2f GB", (double)b / 1e9);
	else if (b >= 1000LL * 1000)
		snprintf(out, outsz, "%.1f MB", (double)b / 1e6);
	else
		snprintf(out, outsz, "%.0f kB", (double)b / 1e3);
}

static int
dl_progress(void *ud, int64_t have, int64_t total, double bytes_per_s)
{
	struct stage_ctx *ctx = ud;
	char h[32], t[32], r[32], what[160], eta[16] = "--:--:--";
	human_bytes(have, h, sizeof h);
	human_bytes(total, t, sizeof t);
	human_bytes((int64_t)bytes_per_s, r, sizeof r);
	if (bytes_per_s > 1 && total > have)
		time_hms((int64_t)((double)(total - have) / bytes_per_s * 1000.0), eta);
	if (total > 0)
		snprintf(what, sizeof what, "downloading %s of %s, %s/s, ETA %s", h, t, r, eta);
	else
		snprintf(what, sizeof what, "downloading %s, %s/s", h, r);
	return zpub_progress_report(&ctx->progress,
	    total > 0 ? (double)have / (double)total : -1.0, what);
}

static const char *
meta_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The tenant's Zoom client, made on first use, with the config and the
 * accounts (the vault) it lives on. */
struct dl_zoom {
	struct accounts acc;
	struct zoom_client *zc;
	cJSON *tcfg;
	char account[ACCOUNT_NAME_MAX + 1];   /* the named account it was listed through */
};

static int
dl_client(struct stage_ctx *ctx, struct dl_zoom *z, struct zpub_err *err)
{
	struct vault *vault;
	if (z->zc)
		return 0;
	if ((vault = stage_vault(ctx, err)) == NULL)
		return err->code == ZPUB_ENOTFOUND ? zpub_err_set(err, ZPUB_EAUTH, "Zoom is not"
		    " connected: no secrets are set yet; store the app's secret with 'zpub secret"
		    " set zoom.client_secret'") : err->code;
	/* The Zoom account is the tenant's: its layer of the config counts. */
	z->tcfg = tenant_config(ctx->store, ctx->config, ctx->rec->tenant_id);
	cJSON *meta = ctx->rec->source_meta ? cJSON_Parse(ctx->rec->source_meta) : NULL;
	const char *name = meta_str(meta, "zoom_account");
	if (name != NULL && accounts_name_ok(name))
		snprintf(z->account, sizeof z->account, "%s", name);
	cJSON_Delete(meta);
	z->acc = (struct accounts){ ctx->store, vault, ctx->rec->tenant_id,
		z->account[0] ? z->account : NULL };
	return accounts_zoom_client(&z->acc, z->tcfg, &z->zc, err);
}

/* The download_token a recording.completed notification brought for this
 * recording (zoom_hook.c keeps it in the vault for 24 hours), or NULL. */
static char *
dl_hook_token(struct stage_ctx *ctx, size_t *len)
{
	struct vault *vault = stage_vault(ctx, NULL);
	char name[64], *tok = NULL;
	zoom_hook_token_name(ctx->rec->id, name);
	if (vault == NULL || vault_get(vault, ctx->rec->tenant_id, name, &tok, len, NULL) != 0)
		return NULL;
	return tok;
}

/* Zoom's own transcript (VTT), when it made one: best effort, registered as
 * the `zoom_transcript` artefact; a failure here never fails the stage. */
static void
dl_transcript(struct stage_ctx *ctx, struct dl_zoom *z, const cJSON *meta, const char *label)
{
	const cJSON *tr = cJSON_GetObjectItemCaseSensitive(meta, "transcript");
	const char *url = meta_str(tr, "download_url");
	const cJSON *sz = cJSON_GetObjectItemCaseSensitive(tr, "file_size");
	int64_t expected = jnum_or(sz, 0, JNUM_MAX, 0);
	struct zpub_err e = {0};
	int rc = 0;

	if (url == NULL)
		return;
	char *final = xasprintf("%s/zoom_transcript.vtt", ctx->media_dir);
	char *part = xasprintf("%s.part", final);
	char *tlabel = xasprintf("the transcript of %s", label);
	if (!(expected > 0 && fs_size(final) == expected)) {
		struct zoom_download d = {
			.url = url, .part_path = part, .expected_size = expected, .label = tlabel,
			.expect_prefix = "WEBVTT",
		};
		if ((rc = dl_client(ctx, z, &e)) == 0 &&
		    (rc = zoom_download_file(z->zc, &d, &e)) == 0)
			rc = fs_commit(part, final, &e);
	}
	if (rc == 0) {
		cJSON *extra = cJSON_CreateObject();
		const char *id = meta_str(tr, "id");
		if (id)
			cJSON_AddStringToObject(extra, "zoom_file_id", id);
		cJSON_AddStringToObject(extra, "format", "vtt");
		rc = stage_add_artifact(ctx, "zoom_transcript", final, extra, &e);
	}
	if (rc != 0) {
		unlink(part);
		log_warn("recording %lld: Zoom's transcript was not downloaded: %s",
		    (long long)ctx->rec->id, e.msg);
		store_journal(ctx->store, ctx->rec->id, "warn", "zoom",
		    "Zoom's transcript was not downloaded (%s); transcription will make its own", e.msg);
	}
	free(final);
	free(part);
	free(tlabel);
}

int
stage_download(struct stage_ctx *ctx, struct zpub_err *err)
{
	const struct store_recording *rec = ctx->rec;
	cJSON *meta = NULL;
	char *final = NULL, *part = NULL, *label = NULL, *short_title = NULL;
	struct dl_zoom z = {0};
	int rc = 0;

	if (rec->source == NULL || strcmp(rec->source, "zoom") != 0)
		return zpub_err_set(err, ZPUB_EINVAL, "recording %lld comes from '%s', which zpub"
		    " cannot download; import the file with 'zpub import'", (long long)rec->id,
		    rec->source ? rec->source : "?");
	short_title = zoom_title_sanitize(rec->title, 60, "untitled");
	label = xasprintf("'%s' (recording %lld)", short_title, (long long)rec->id);
	meta = rec->source_meta ? cJSON_Parse(rec->source_meta) : NULL;
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(meta, "file");
	const char *url = meta_str(file, "download_url");
	const char *ftype = meta_str(file, "file_type");
	const cJSON *fsz = cJSON_GetObjectItemCaseSensitive(file, "file_size");
	int64_t expected = jnum_or(fsz, 0, JNUM_MAX, 0);   /* 0: Zoom did not say */
	if (url == NULL) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "recording %lld has no Zoom download address in"
		    " its source data; run 'zpub sync zoom' again", (long long)rec->id);
		goto out;
	}
	/* The extension comes from the file type we chose, never from Zoom's names. */
	const char *ext = ftype && strcmp(ftype, "M4A") == 0 ? "m4a" : "mp4";
	final = xasprintf("%s/source.%s", ctx->media_dir, ext);
	part = xasprintf("%s.part", final);

	if (expected > 0 && fs_size(final) == expected) {
		/* Renamed before a crash, never committed: just register it. */
		log_info("recording %lld: %s is already complete", (long long)rec->id, final);
	} else {
		if (ctx->dry_run) {
			snprintf(ctx->summary, sizeof ctx->summary, "would download %lld bytes from Zoom",
			    (long long)expected);
			goto out;
		}
		if ((rc = dl_client(ctx, &z, err)) != 0)
			goto out;
		size_t toklen = 0;
		char *hook_tok = dl_hook_token(ctx, &toklen);
		struct zoom_download d = {
			.url = url, .part_path = part, .expected_size = expected, .label = label,
			.progress = dl_progress, .progress_ud = ctx, .download_token = hook_tok,
		};
		rc = zoom_download_file(z.zc, &d, err);
		if (hook_tok) {
			vault_free_secret(hook_tok, toklen);
			if (rc == 0 || rc == ZPUB_ENOTFOUND) {   /* done with it either way */
				char name[64];
				zoom_hook_token_name(rec->id, name);
				vault_delete(stage_vault(ctx, NULL), rec->tenant_id, name, NULL);
			}
			if (rc == 0)
				store_journal(ctx->store, rec->id, "info", "zoom", "downloaded with %s",
				    d.used_download_token ? "the download token of Zoom's notification" :
				    "the account's token (Zoom refused the notification's download token)");
		}
		if (rc == ZPUB_ENOTFOUND) {
			/* Deleted upstream: nothing to retry; the runner makes it EXPIRED. */
			unlink(part);
			rc = err->code = ZPUB_EGONE;
			goto out;
		}
		if (rc != 0)
			goto out;
		if ((rc = fs_commit(part, final, err)) != 0)
			goto out;
		char h[32];
		human_bytes(expected > 0 ? expected : fs_size(final), h, sizeof h);
		if (d.resumed_from > 0)
			snprintf(ctx->summary, sizeof ctx->summary, "downloaded %s from Zoom, resuming"
			    " an interrupted download at byte %lld (%d Range request%s)", h,
			    (long long)d.resumed_from, d.range_requests, d.range_requests == 1 ? "" : "s");
		else if (d.range_requests > 0)
			snprintf(ctx->summary, sizeof ctx->summary, "downloaded %s from Zoom (resumed %d"
			    " time%s with Range)", h, d.range_requests, d.range_requests == 1 ? "" : "s");
		else
			snprintf(ctx->summary, sizeof ctx->summary, "downloaded %s from Zoom", h);
		if (d.token_refreshes > 0)
			store_journal(ctx->store, rec->id, "info", "zoom",
			    "the Zoom token was refreshed %d time%s during the download",
			    d.token_refreshes, d.token_refreshes == 1 ? "" : "s");
	}
	cJSON *extra = cJSON_CreateObject();
	const char *fid = meta_str(file, "id");
	if (fid)
		cJSON_AddStringToObject(extra, "zoom_file_id", fid);
	cJSON_AddStringToObject(extra, "file_type", ftype ? ftype : "MP4");
	cJSON_AddNumberToObject(extra, "zoom_file_size", (double)expected);
	if ((rc = stage_add_artifact(ctx, "source", final, extra, err)) != 0)
		goto out;
	dl_transcript(ctx, &z, meta, label);
	if (ctx->summary[0] == '\0')
		snprintf(ctx->summary, sizeof ctx->summary, "source file was already complete");
out:
	zoom_client_free(z.zc);
	cJSON_Delete(z.tcfg);
	cJSON_Delete(meta);
	free(final);
	free(part);
	free(label);
	free(short_title);
	return rc;
}
