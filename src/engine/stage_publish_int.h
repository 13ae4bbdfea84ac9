/*
 * stage_publish_int.h — what the publish stage (stage_publish.c) and
 * `publish --update` (publish_update.c) share and nothing else sees: the
 * run over a recording's targets, its inputs, and the helpers both use.
 */
#ifndef ZPUB_STAGE_PUBLISH_INT_H
#define ZPUB_STAGE_PUBLISH_INT_H

#include <stdint.h>

#include "accounts.h"
#include "err.h"
#include "oauth.h"
#include "publish.h"
#include "stages.h"
#include "store.h"

enum { PUB_MAX_TARGETS = 8, PUB_MAX_CAPTIONS = 16 };

struct pub_inputs {
	char *video;
	char *title;
	char *description;
	char *thumbnail;
	char **tags;                 /* NULL-terminated */
	struct pub_caption captions[PUB_MAX_CAPTIONS];
	char *cap_paths[PUB_MAX_CAPTIONS], *cap_langs[PUB_MAX_CAPTIONS];
	int n_captions;
	char label[256];
};

struct publish_run;

struct target_run {
	char platform[16];
	int64_t pub_id;
	struct pub_state st;
	struct pub_item item;
	struct oauth_provider prov;
	int have_prov;
	struct accounts acc;        /* the target's account (its "account" name) */
	struct oauth_store ostore;
	char account[ACCOUNT_NAME_MAX + 1];
	struct yt_job *yt;
	struct vk_job *vk;
	int rc;
	int finished;
	int64_t retry_at;
	struct zpub_err err;
	int64_t sent, total;
	int64_t counted;            /* bytes /metrics has: from what earlier runs sent */
	struct publish_run *run;
};

struct publish_run {
	struct stage_ctx *ctx;
	struct http_client *http;   /* all uploads, one loop */
	struct http_client *aux;    /* token refreshes from inside callbacks */
	struct vault *vault;        /* ctx's, via stage_vault() */
	struct pub_inputs in;
	struct target_run t[PUB_MAX_TARGETS];
	int n;
	int64_t last_progress_ms;
	int stop;                   /* the runner asked to stop: uploads abort */
};

/* The title, description, video, captions and thumbnail to send. */
int pubrun_inputs_load(struct stage_ctx *ctx, struct pub_inputs *in, struct zpub_err *err);
/* 1 for youtube, vk and folder. */
int pubrun_known_platform(const char *p);
/* t's item from the run's inputs and its output_targets entry. */
void pubrun_item_init(struct publish_run *r, struct target_run *t);
/* A publications row's remote state (steps and "sent" from its extra). */
void pubrun_state_from_row(struct pub_state *s, const struct store_publication *p);
/* t's state into its row, as state ("done" keeps what was sent). */
int pubrun_state_save(struct publish_run *r, struct target_run *t, const char *state,
    const char *error, struct zpub_err *err);
/* The pub_hooks callbacks; ud is the target_run. */
int pubrun_hook_token(void *ud, int force, char **token, struct zpub_err *err);
int pubrun_hook_save(void *ud, const struct pub_state *st, const char *phase,
    struct zpub_err *err);
void pubrun_hook_journal(void *ud, const char *level, const char *text);
void pubrun_hook_done(void *ud, int rc, const struct zpub_err *err, int64_t retry_at);
/* The folder target's root (publish.folder.path, else DATA/published). */
char *pubrun_folder_root(const struct stage_ctx *ctx);
/* Frees what the run holds (not the stage context's vault). */
void pubrun_clear(struct publish_run *r);
/* The account of t's platform, for pubrun_hook_token. */
int pubrun_target_connect(struct publish_run *r, struct target_run *t, struct zpub_err *err);
/* 1 when a person approved a topic version after the description was made. */
int pubrun_approved_after_description(struct stage_ctx *ctx);
/* The title and description rendered again from the newest approved topics. */
int pubrun_render_approved(struct stage_ctx *ctx, struct zpub_err *err);

#endif
