/*
 * youtube_parse.h — what YouTube's answers mean, as pure functions (no I/O,
 * no state) so that tests/fuzz can feed them any bytes: the resumable
 * session's Location, the 308's Range, the finished video, the caption /
 * playlist item / thumbnail answers and the error bodies; and the metadata
 * text cleaned of what YouTube refuses.  youtube.c drives the upload and
 * decides what to do; these only read.  Wire contract: API_CONTRACTS.md §3.
 */
#ifndef ZPUB_NET_YOUTUBE_PARSE_H
#define ZPUB_NET_YOUTUBE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Ids zpub puts into URLs (watch?v=, thumbnails/set?videoId=). */
#define YT_ID_MAX 64

/* Copies s without '<' '>' (YouTube refuses them) and without bytes that are
 * not UTF-8, cut to max_cp code points and max_bytes bytes on a code point
 * boundary.  malloc'd. */
char *yt_clean(const char *s, size_t max_cp, size_t max_bytes);

/* The answer to the resumable videos.insert: 200/201 with Location, the
 * session URL (an absolute http(s) URL).  0 and *url (malloc'd), or a
 * refusal. */
int yt_parse_session(long status, const char *location, char **url,
    struct zpub_err *err);

/* The Range of a 308 ("bytes=0-N", inclusive; absent when no byte arrived):
 * 0 and *acked = N + 1 <= total, or a refusal. */
int yt_parse_range(const char *range, int64_t total, int64_t *acked,
    struct zpub_err *err);

/* The video resource of the finished upload (200/201). */
struct yt_video {
	char id[YT_ID_MAX + 1];  /* [A-Za-z0-9_-], non-empty */
	char upload_status[32];  /* status.uploadStatus, "" when absent */
};

/* 0 with the video, or a refusal: not JSON, no usable id, or an upload
 * status of failed / rejected / deleted (with YouTube's reason). */
int yt_parse_video(const char *body, struct yt_video *v, struct zpub_err *err);

/* The answer to captions.insert ("youtube#caption"), playlistItems.insert
 * ("youtube#playlistItem") or thumbnails.set ("youtube#thumbnailSetResponse"):
 * a JSON object whose kind, when given, is the expected one.  0 and id (""
 * when the answer names none), or a refusal. */
int yt_parse_item(const char *body, const char *kind, char id[YT_ID_MAX + 1],
    struct zpub_err *err);

/* A captions.list or playlistItems.list answer, read after a POST whose
 * answer was lost: 1 when one of its items is what that POST would have
 * made — the caption in `language` named `name` (video_id NULL), or the
 * playlist entry of video_id (language and name NULL) — with its id in id
 * ("" when the item's id is unusable, as for yt_parse_item); else 0. */
int yt_list_has(const char *body, const char *language, const char *name,
    const char *video_id, char id[YT_ID_MAX + 1]);

/* What an error answer asks of zpub. */
enum yt_verdict {
	YT_REFUSED,       /* the request is wrong: fix it, `zpub retry` */
	YT_RETRY,         /* 408, 429, 5xx, (user)rateLimitExceeded: back off, go on */
	YT_QUOTA,         /* quotaExceeded: wait for the daily reset */
	YT_UPLOAD_LIMIT,  /* uploadLimitExceeded: the channel's 24-hour cap */
	YT_AUTH,          /* 401 (authError...): refresh the token once */
	YT_FORBIDDEN,     /* 403 forbidden / insufficientPermissions: reconnect */
};

struct yt_error {
	long status;
	char reason[64];    /* error.errors[0].reason if an identifier, else "" */
	char message[256];  /* error.message (or a bare "error" string), cleaned */
	enum yt_verdict verdict;
};

/* Reads any answer that is not a success; never fails (what is missing
 * stays empty). */
void yt_parse_error(long status, const char *body, struct yt_error *e);

/* "HTTP 403 quotaExceeded: <message>" for a sentence, cut on a code point
 * boundary to n bytes (400 hold it all). */
void yt_error_text(const struct yt_error *e, char *out, size_t n);

#endif
