/*
 * vk_parse.h — what VK's answers mean, as pure functions (no I/O, no state)
 * so that tests/fuzz can feed them any bytes: the {"error":{...}} envelope
 * and its codes, video.save's upload address and ids, the upload host's
 * answer, video.addToAlbum's 1, video.get's list and video.delete's 1;
 * which listed video is an empty entry an unanswered video.save left; and
 * the group and album ids of a target.
 * vk.c drives the publishing and decides what to do; these only read.  Wire
 * contract: API_CONTRACTS.md §4.
 */
#ifndef ZPUB_NET_VK_PARSE_H
#define ZPUB_NET_VK_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "err.h"

/* What an error code asks of zpub. */
enum vk_verdict {
	VK_REFUSED,      /* anything else (15 access denied, 100 bad parameter...) */
	VK_AUTH,         /* 5: refresh the token once, then reconnect */
	VK_RATE,         /* 6: too many requests a second: back off a second */
	VK_INTERNAL,     /* 10: VK's own failure: retry with backoff */
	VK_FLOOD,        /* 9: flood control: stop, retry in an hour */
	VK_CAPTCHA,      /* 14: a person must solve a captcha */
	VK_GROUP_TOKEN,  /* 27: a community token cannot upload videos */
};

struct vk_error {
	int code;              /* error_code; 0 when absent or not a sane code */
	char msg[256];         /* error_msg (or the upload host's text), cleaned */
	char captcha_sid[64];  /* with code 14, letters and digits; "" when none */
	int upload_host;       /* the upload host's {"error":"..."}: a new URL is needed */
	enum vk_verdict verdict;
};

/* 1 when body is a JSON object with an "error" key (an API error envelope,
 * or the upload host's error string), with e filled; 0 otherwise. */
int vk_parse_error(const char *body, struct vk_error *e);

/* video.save's answer {"response":{upload_url, video_id, owner_id}}. */
struct vk_saved {
	char *upload_url;   /* absolute http(s) URL, malloc'd */
	int64_t owner_id;   /* non-zero: the user, or minus the community */
	int64_t video_id;   /* positive */
};

/* 0 with s filled (free with vk_saved_clear), or a refusal. */
int vk_parse_save(const char *body, struct vk_saved *s, struct zpub_err *err);
void vk_saved_clear(struct vk_saved *s);

/* The upload host's success {video_hash, size, owner_id, video_id}: a JSON
 * object whose ids, when given, are sane.  0 or a refusal. */
int vk_parse_upload(const char *body, struct zpub_err *err);

/* video.addToAlbum's answer {"response":1}.  0 or a refusal. */
int vk_parse_album(const char *body, struct zpub_err *err);

/* video.delete's answer {"response":1}.  0 or a refusal. */
int vk_parse_delete(const char *body, struct zpub_err *err);

/* One entry of video.get's {"response":{"count","items":[video...]}}, as
 * far as finding zpub's own empty entries needs it. */
struct vk_video {
	int64_t owner_id;      /* non-zero */
	int64_t id;            /* positive */
	int64_t created;       /* unix seconds: the later of "date" and "adding_date"; 0 if neither */
	int has_content;       /* a duration or a file: bytes were uploaded to it */
	char *title;           /* exactly as sent back; NULL when not a string */
	char *description;     /* NULL when absent */
};

struct vk_video_list {
	struct vk_video *items;
	int n;
};

/* 0 with l filled (free with vk_video_list_clear), or a refusal.  Entries
 * whose ids do not read are left out: zpub never deletes what it cannot
 * name exactly. */
int vk_parse_video_list(const char *body, struct vk_video_list *l, struct zpub_err *err);
void vk_video_list_clear(struct vk_video_list *l);

/* A short fingerprint of a description (16 hex digits, FNV-1a 64 of the
 * text without leading and trailing white space): kept in the state instead
 * of the whole text, compared with what video.get gives back. */
void vk_text_fingerprint(const char *s, char out[17]);
/* s cut to max_cp code points (VK: a name <= 128, a description <= 5000);
 * "" for NULL.  malloc'd. */
char *vk_text_cut(const char *s, size_t max_cp);

/* What zpub knows of the entries its own unanswered video.save calls may
 * have created for one publication. */
struct vk_orphan_query {
	int64_t owner_id;                 /* the target: the user, or minus the community */
	int64_t keep_id;                  /* the video just uploaded */
	int64_t since;                    /* unix seconds, slack already taken off */
	const char *const *names;         /* the names sent, NULL-terminated */
	const char *const *fingerprints;  /* their descriptions' fingerprints, same order */
	const int64_t *known;             /* ids of entries zpub saved and then gave up */
	int n_known;
};

/* 1 when v is an entry zpub itself created for this publication and never
 * filled: same owner, not keep_id, nothing uploaded, and either one of the
 * known ids, or created since q->since under exactly one of the names (with
 * that send's description, when VK gives it back). */
int vk_video_is_orphan(const struct vk_video *v, const struct vk_orphan_query *q);

/* The target's "group" ("club123", "public123", "-123", "123" or a number):
 * 0 and *id > 0; 0 and *id = 0 when no group is set; or a refusal. */
int vk_group_id(const cJSON *group, int64_t *id, struct zpub_err *err);

/* The target's "album" (a positive number or a string of digits): as
 * vk_group_id. */
int vk_album_id(const cJSON *album, int64_t *id, struct zpub_err *err);

#endif
