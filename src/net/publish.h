/*
 * publish.h — what the platform publishers (youtube.c, vk.c) share: the
 * item to publish, the per-target state the store keeps, and the hooks the
 * publish stage gives them.
 *
 * A publisher is a state machine on an http_client's loop: *_job_start()
 * issues its first request and returns; each response moves it on; it ends
 * by calling hooks->done exactly once.  Several jobs share one client, so
 * all targets of a recording upload at once on one loop.  Hooks are called
 * on the loop's thread (the stage's thread): no locking needed.
 */
#ifndef ZPUB_NET_PUBLISH_H
#define ZPUB_NET_PUBLISH_H

#include <stdint.h>
#include <stdio.h>
#include <cJSON.h>

#include "err.h"

struct http_client;

struct pub_caption {
	const char *path;       /* .vtt or .srt */
	const char *language;   /* "ru", "en" */
	const char *name;       /* track name shown to viewers */
};

/* Platform-neutral description of one publication. */
struct pub_item {
	const char *video_path;
	const char *title;
	const char *description;
	const char *const *tags;    /* NULL-terminated; may be NULL */
	const struct pub_caption *captions;
	int n_captions;
	const char *thumbnail_path; /* may be NULL */
	const cJSON *target;        /* output_targets.<platform>: privacy, playlist, ... */
	const cJSON *config;        /* merged config: providers.* base URLs, tuning */
	const char *label;          /* "'Лекция 3' (recording 12)" for sentences */
};

/* What survives a crash, mirrored in the publications row.  Publishers
 * update it and call hooks->save at every point worth resuming from (the
 * session URL before the first byte, each acknowledged chunk, the remote id,
 * each finished follow-up step in `steps`). */
struct pub_state {
	char *remote_id;        /* video id once the upload is complete */
	char *upload_url;       /* resumable session (YouTube) / upload URL (VK) */
	char *url;              /* public address when done */
	int64_t bytes_acked;
	int64_t bytes_total;
	cJSON *steps;           /* object: finished follow-ups {"captions":{"ru":"id"},...} */
	cJSON *sent;            /* what the platform has: pub_fingerprints() as last sent;
	                         * NULL when not known (published before zpub kept it) */
};
void pub_state_clear(struct pub_state *s);
/* Replaces a string field (NULL clears it). */
void pub_state_set(char **field, const char *value);
/* Marks / tests a follow-up step ("playlist", "thumbnail", "captions.ru"). */
void pub_step_done(struct pub_state *s, const char *step, const char *value);
int pub_step_is_done(const struct pub_state *s, const char *step);

/* Done outcome.  rc 0 = published; ZPUB_EQUOTA with retry_at_ms = stopped
 * until then without burning retries; ZPUB_EAUTH = reconnect the account;
 * ZPUB_ENET = retryable; ZPUB_EREMOTE/EINVAL = refused, needs a person. */
struct pub_hooks {
	/* A valid access token (malloc'd); force_refresh after a 401. May block
	 * briefly (it uses its own client), never calls back into the job. */
	int (*token)(void *ud, int force_refresh, char **token, struct zpub_err *err);
	/* Persist state; `phase` is "uploading", "processing" or "done". */
	int (*save)(void *ud, const struct pub_state *st, const char *phase,
	    struct zpub_err *err);
	/* Bytes sent so far; non-zero stops the upload (the job then finishes
	 * with ZPUB_ECANCEL, its resumable state kept for the next run). */
	int (*progress)(void *ud, int64_t sent, int64_t total);
	void (*done)(void *ud, int rc, const struct zpub_err *err, int64_t retry_at_ms);
	void *ud;
	/* Optional (may be NULL): a line for the recording's journal, for what a
	 * person should know but that does not fail the publication ("info",
	 * "warn"). */
	void (*journal)(void *ud, const char *level, const char *text);
};

/* Tuning shared by the publishers (from config "publish.*", defaults here). */
struct pub_tuning {
	int64_t chunk_bytes;       /* YouTube chunk; rounded down to 262144 multiple */
	int max_attempts;          /* consecutive failures before giving up */
	int64_t backoff_base_ms;
	int64_t backoff_cap_ms;
	int64_t max_inline_wait_ms;/* longer Retry-After -> stop with EQUOTA */
};
void pub_tuning_from_config(const cJSON *cfg, struct pub_tuning *t);

struct yt_job;
int yt_job_start(struct http_client *http, const struct pub_item *item,
    struct pub_state *state, const struct pub_hooks *hooks, struct yt_job **out,
    struct zpub_err *err);
void yt_job_free(struct yt_job *j);
/* The videos.insert body (snippet + status) as JSON text; malloc'd.  Also
 * used by --dry-run.  Validates title/description against YouTube's limits
 * (titles cut to 100 characters, '<' '>' replaced, description to 5000 bytes). */
char *yt_video_json(const struct pub_item *item);
/* The multipart/related body of captions.insert / captions.update: the
 * metadata JSON, then the track at path.  malloc'd, with its length and the
 * Content-Type naming the boundary (malloc'd); NULL when path cannot be
 * read. */
char *yt_caption_body(const char *meta_json, const char *path, size_t *len,
    char **content_type, struct zpub_err *err);
/* Epoch ms of the next midnight in America/Los_Angeles after now_ms. */
int64_t yt_quota_reset_ms(int64_t now_ms);

struct vk_job;
int vk_job_start(struct http_client *http, const struct pub_item *item,
    struct pub_state *state, const struct pub_hooks *hooks, struct vk_job **out,
    struct zpub_err *err);
void vk_job_free(struct vk_job *j);
/* The video.save parameters as a NULL-terminated key/value list printed by
 * --dry-run: "name=...\n..." (malloc'd). */
char *vk_save_params_text(const struct pub_item *item);

/* ---- updates of what is published (publish.c, pub_update.c, folder.c) ------
 * What a platform has of a publication is kept as fingerprints (sha256 of
 * the title, the description, the tags, the thumbnail's bytes and each
 * subtitle track's bytes); an update sends what differs from them and
 * moves each fingerprint forward as its step succeeds, saving through
 * hooks->save, so a failed update leaves only what really changed. */

/* {"title","description","tags","thumbnail","captions":{"ru":..}} of item
 * (thumbnail and a caption left out when their file cannot be read). */
cJSON *pub_fingerprints(const struct pub_item *item);

enum {
	PUB_CH_TITLE = 1, PUB_CH_DESCRIPTION = 2, PUB_CH_TAGS = 4, PUB_CH_THUMBNAIL = 8,
	PUB_CH_CAPTIONS = 16,
	PUB_CH_META = PUB_CH_TITLE | PUB_CH_DESCRIPTION | PUB_CH_TAGS,
};
#define PUB_DIFF_MAX 16
struct pub_diff {
	unsigned what;                        /* PUB_CH_* */
	char changed[PUB_DIFF_MAX][16];       /* languages new or changed */
	char removed[PUB_DIFF_MAX][16];       /* languages sent before, gone now */
	int n_changed, n_removed;
};
/* What differs between sent (NULL: nothing known, everything differs) and
 * now; pure.  0 when nothing does. */
unsigned pub_diff_make(const cJSON *sent, const cJSON *now, struct pub_diff *d);
/* Keeps of d what platform ("youtube", "vk", "folder") takes: VK gets no
 * tags, subtitles or thumbnail from zpub.  Returns d->what. */
unsigned pub_diff_for(const char *platform, struct pub_diff *d);
/* "title, description, subtitles en, subtitles de (removed)"; "" when
 * nothing. */
void pub_diff_text(const struct pub_diff *d, char *out, size_t n);
/* Moves sent's fingerprint of key ("title", "captions.ru"...) to now's
 * (removed when now has none). */
void pub_sent_take(struct pub_state *st, const cJSON *now, const char *key);

/* Blocking updates of a done publication: each sends what d names, taking
 * each fingerprint from now into st->sent and calling hooks->save (phase
 * "done") as its step succeeds.  hooks->done and progress are not used.
 * YouTube: videos.update of the snippet (read with videos.list, changed,
 * written back whole), captions.update / insert / delete, thumbnails.set.
 * VK: video.edit (name, desc; privacy as the target has it).  Errors as the
 * publishers' (ZPUB_EQUOTA with *retry_at_ms, ZPUB_EAUTH, ZPUB_ENET...). */
int yt_update(struct http_client *http, const struct pub_item *item, struct pub_state *st,
    const cJSON *now, const struct pub_diff *d, const struct pub_hooks *hooks,
    int64_t *retry_at_ms, struct zpub_err *err);
int vk_update(struct http_client *http, const struct pub_item *item, struct pub_state *st,
    const cJSON *now, const struct pub_diff *d, const struct pub_hooks *hooks,
    int64_t *retry_at_ms, struct zpub_err *err);

/* ---- the folder target (folder.c) -------------------------------------------
 * Writes the item into <root>/<rec_id>/ (video.*, subtitles.<lang>.vtt|srt,
 * thumbnail.*, description.txt, metadata.json) atomically; sets st's
 * remote_id to the folder and url to file://... */
int folder_publish(const struct pub_item *item, const char *root, int64_t rec_id,
    struct pub_state *st, struct zpub_err *err);
/* Rewrites the files of <root>/<rec_id>/ that d names (description.txt and
 * metadata.json for the title, description and tags; subtitles; the
 * thumbnail), each atomically (a temporary file renamed over it), never
 * copying the video again; takes st->sent forward from now. */
int folder_update(const struct pub_item *item, const char *root, int64_t rec_id,
    struct pub_state *st, const cJSON *now, const struct pub_diff *d, struct zpub_err *err);

#endif
