/*
 * zoom.h — Zoom cloud recordings: Server-to-Server OAuth tokens (kept in the
 * vault as "oauth.zoom", refreshed before expiry and after a 401), the paged
 * listing in windows of at most one month, the choice of which recording
 * files are worth publishing, and verified, resumable downloads.
 *
 * Names from Zoom (topics, file names) never become paths: callers store
 * files under the recording's id; topics only become sanitised titles.
 */
#ifndef ZPUB_NET_ZOOM_H
#define ZPUB_NET_ZOOM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cJSON.h>

#include "err.h"
#include "oauth.h"

struct http_client;
struct zoom_client;

/* ---- client and tokens ------------------------------------------------------ */

/* Where the client keeps its tokens and finds its app's secret, so that
 * nothing here sees the store or the vault (the engine wires them in:
 * accounts_zoom_client).  tokens: the token JSON under the provider name
 * "zoom", marked "ok" when saved and "reconnect" when Zoom refuses the
 * refresh token.  secret (called with tokens.ud): a client secret by name
 * ("zoom.client_secret"), malloc'd; ZPUB_ENOTFOUND when it is not set. */
struct zoom_creds {
	struct oauth_store tokens;
	int (*secret)(void *ud, const char *name, char **value, struct zpub_err *err);
};

/* cfg: merged config (providers.zoom.*).  creds (copied; its ud must outlive
 * the client) may be NULL only for tests that never need a token.  The
 * client owns its own http client. */
int zoom_client_new(const struct zoom_creds *creds, const cJSON *cfg,
    struct zoom_client **out, struct zpub_err *err);
void zoom_client_free(struct zoom_client *zc);

/* A usable access token (owned by the client, valid until the next call):
 * the cached one unless it expires within 2 minutes or force (after a 401),
 * else a new one from the account credentials (S2S) or the refresh token
 * (authorization-code sign-in; the rotated refresh token is saved). */
int zoom_token(struct zoom_client *zc, int force, const char **token, struct zpub_err *err);

/* Authorization-code sign-in with PKCE (S256) through a loopback listener
 * on 127.0.0.1: prints the authorize URL alone on its own line to `out`,
 * waits for the callback carrying the right state (others are refused as a
 * possible CSRF), exchanges the code (Basic auth with zoom.client_secret
 * when there is one, else client_id alone) and saves the tokens in the
 * vault.  From then on zoom_token() refreshes them, saving each rotated
 * refresh token.  (S2S settings, when complete, still take precedence.) */
struct zoom_login_opts {
	int port;                  /* 0 = a free port */
	int64_t timeout_ms;        /* 0 = 5 minutes */
	FILE *out;                 /* the URL line; stdout when NULL */
	FILE *log;                 /* notes, CSRF warnings; stderr when NULL */
};
int zoom_login(struct zoom_client *zc, const struct zoom_login_opts *o, struct zpub_err *err);
/* zoom_login's two halves, for a sign-in whose callback comes to another
 * listener (the API's GET /oauth/callback): the browser's address (*url
 * malloc'd; ZPUB_EINVAL when the app is not configured), and the code ->
 * tokens saved through the client's creds. */
int zoom_authorize_url(struct zoom_client *zc, const char *redirect, const char *state,
    const char *challenge, char **url, struct zpub_err *err);
int zoom_code_exchange(struct zoom_client *zc, const char *code, const char *verifier,
    const char *redirect, struct zpub_err *err);

/* ---- listing ------------------------------------------------------------------ */

/* One calendar window [from, to] (UTC dates, "YYYY-MM-DD"). */
struct zoom_window {
	char from[11], to[11];
};
/* Splits [from_ms, to_ms] into windows of at most one calendar month
 * (Zoom refuses longer ranges).  *out malloc'd. */
int zoom_windows(int64_t from_ms, int64_t to_ms, struct zoom_window **out, int *n);

/* Called for every meeting of a window (page by page).  Return non-zero to stop. */
typedef int (*zoom_meeting_fn)(void *ud, const cJSON *meeting, struct zpub_err *err);

/* Lists one window, following next_page_token; when Zoom says a page
 * token expired, the window is listed again from its first page (the
 * callback sees those meetings twice: deduplicate).  401 -> one token
 * refresh, then ZPUB_EAUTH; 429 honours Retry-After (ISO dates too). */
int zoom_list_window(struct zoom_client *zc, const struct zoom_window *w, zoom_meeting_fn fn,
    void *ud, struct zpub_err *err);

/* The same for one user of the account (a Zoom user id or e-mail; "me" is
 * the connected user): GET /users/{userId}/recordings.  ZPUB_ENOTFOUND when
 * Zoom no longer has that user (404). */
int zoom_list_user_window(struct zoom_client *zc, const char *user_id, const struct zoom_window *w,
    zoom_meeting_fn fn, void *ud, struct zpub_err *err);

/* ---- the whole account (zoom_account.c) ------------------------------------------ */

/* One user of the account, as GET /users lists it. */
struct zoom_user {
	char *id, *email, *status;   /* status: "active", "inactive" */
};
/* Lists the account's active users and, with include_inactive, the inactive
 * ones too (page by page, next_page_token; a page token that expired lists
 * that status again from its first page; duplicates are dropped).  Needs an
 * app with user:read:admin.  *out malloc'd; free with zoom_users_free. */
int zoom_list_users(struct zoom_client *zc, int include_inactive, struct zoom_user **out, int *n,
    struct zpub_err *err);
void zoom_users_free(struct zoom_user *v, int n);

/* A recording file worth publishing, chosen from one meeting. */
struct zoom_item {
	char *file_id;          /* dedupe key (source_ref) */
	char *file_type;        /* "MP4" or "M4A" */
	char *title;            /* sanitised topic, "(part N)" for later segments */
	int64_t started_at;     /* epoch ms */
	int64_t duration_ms;
	int64_t file_size;      /* bytes; 0 if Zoom did not say */
	cJSON *meta;            /* source_meta: meeting, file, transcript download info */
};
/* Picks the files to publish: per recording segment (same recording_start)
 * the best completed MP4 view, else the completed M4A; segments with a
 * file still `processing` are left for a later sync (*processing counts
 * them); CHAT, TIMELINE, CC are never sources; a TRANSCRIPT goes into meta.
 * Pure.  *out malloc'd; free with zoom_items_free. */
int zoom_meeting_items(const cJSON *meeting, struct zoom_item **out, int *n, int *processing);
void zoom_items_free(struct zoom_item *v, int n);

/* A topic made safe for display: invalid UTF-8 -> U+FFFD, control chars
 * and bidi overrides/isolates/marks dropped (whitespace becomes one space),
 * trimmed, capped at max_chars code points with "…".  Never empty: falls
 * back to `fallback`.  malloc'd.  Pure. */
char *zoom_title_sanitize(const char *topic, size_t max_chars, const char *fallback);

/* ---- downloads ------------------------------------------------------------------ */

/* What the first bytes of a file are: "mp4" (ISO BMFF ftyp), "mp3" (ID3 or
 * an MPEG frame), "aac", "wav", "ogg", "flac", "webm"; NULL for anything
 * else (HTML, JSON, text).  Pure. */
const char *zoom_sniff_media(const unsigned char *buf, size_t n);

/* Progress of a download: bytes on disk so far, the expected total (0 if
 * unknown) and the throughput of the current transfer.  Non-zero cancels. */
typedef int (*zoom_progress_fn)(void *ud, int64_t have, int64_t total, double bytes_per_s);

struct zoom_download {
	const char *url;           /* Zoom's download_url (Bearer; 302 to the CDN) */
	const char *part_path;     /* the temporary file; appended to on resume */
	int64_t expected_size;     /* Zoom's file_size; 0 = unknown */
	const char *label;         /* for sentences: "'Лекция 3' (file abc)" */
	const char *expect_prefix; /* a text file (the transcript: "WEBVTT") rather than media */
	/* A recording.completed webhook's download_token: the Bearer while Zoom
	 * takes it; once refused (401/403) the account's token is used.  NULL = none. */
	const char *download_token;
	zoom_progress_fn progress;
	void *progress_ud;
	/* out */
	int range_requests;        /* how many resumes asked for a Range */
	int64_t resumed_from;      /* bytes already on disk when this call began */
	int token_refreshes;
	int used_download_token;   /* the webhook's token brought the file */
};

/* Streams the file into part_path with constant memory, resuming what is
 * there with Range, following the redirect, refreshing the token on a 401 or
 * a stale-token body, throwing away anything that is not the file (HTML or
 * JSON pages, short "Forbidden" bodies, a whole file answered to a Range).
 * Returns 0 only when part_path holds exactly expected_size bytes that start
 * like media (or with expect_prefix).  ZPUB_ENOTFOUND: Zoom no longer has the recording (deleted
 * upstream).  ZPUB_ENET: retryable, with the reason.  ZPUB_EAUTH: sign in again. */
int zoom_download_file(struct zoom_client *zc, struct zoom_download *d, struct zpub_err *err);

/* Moves a meeting's cloud recording (file_id NULL: all its files) or one
 * file to Zoom's trash (DELETE ...?action=trash, restorable for 30 days);
 * the meeting UUID is double-encoded when Zoom needs it.  404 counts as done. */
int zoom_trash(struct zoom_client *zc, const char *meeting_uuid, const char *file_id,
    struct zpub_err *err);

#endif
