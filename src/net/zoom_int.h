/*
 * zoom_int.h — what the Zoom files (zoom.c, zoom_download.c, zoom_auth.c)
 * share and nobody else needs: the client itself and small helpers.
 */
#ifndef ZPUB_NET_ZOOM_INT_H
#define ZPUB_NET_ZOOM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "zoom.h"

struct zoom_client {
	struct zoom_creds creds;    /* creds.secret NULL: none (a client that gets no token) */
	struct http_client *http;
	char *api_base, *oauth_base, *client_id, *account_id;
	char *token;                /* access token; wiped on free */
	char *refresh_token;
	int64_t token_exp_ms;
	int user_kind;              /* authorization-code sign-in rather than S2S */
	struct http_retry retry;
	int64_t max_wait_ms;        /* longest Retry-After waited inline */
	int download_retries;       /* failed attempts in a row before a download gives up */
	int download_max_requests;  /* requests one download may make, progress or not */
};

/* Zoom's error body {"code":N,"message":".."}: the code, or -1; msg (may be
 * NULL) gets the message. */
int zoom_error_code(const struct http_response *resp, char *msg, size_t msgsz);

/* POST to the token endpoint; takes access_token/expires_in (and a rotated
 * refresh_token) and saves them through the client's creds.  how names the grant in
 * sentences ("the account credentials"). */
int zoom_token_request(struct zoom_client *zc, const char *body, const char *basic,
    const char *how, struct zpub_err *err);
/* GET an API path ("/users?...") with the token, one forced refresh after
 * a 401, the client's retry policy (429 with Retry-After) around each try.
 * *url_out (malloc'd) and *req_out describe the request for http_check. */
int zoom_api_get(struct zoom_client *zc, const char *path_query, struct http_response *resp,
    struct http_request *req_out, char **url_out, struct zpub_err *err);
/* 1 when Zoom says the next_page_token used has expired (15 minutes). */
int zoom_page_token_expired(const struct http_response *resp);

/* "Authorization: Basic base64(id:secret)", malloc'd; wipe after use. */
char *zoom_basic_header(const char *id, const char *secret);

#endif
