/*
 * zoom_account.c — the users of a whole Zoom account (GET /users, by status,
 * page by page), for the account-wide sync that then lists each user's
 * recordings (zoom_list_user_window).  Rate limits are the client's: every
 * call goes through its one retry policy (429 with Retry-After).
 */
#include "zoom.h"
#include "zoom_int.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "http.h"
#include "util.h"

#define ZOOM_USERS_MAX_PAGES 10000

void
zoom_users_free(struct zoom_user *v, int n)
{
	for (int i = 0; v && i < n; i++) {
		free(v[i].id);
		free(v[i].email);
		free(v[i].status);
	}
	free(v);
}

static int
user_known(const struct zoom_user *v, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return 1;
	return 0;
}

/* Appends one page's users; skips entries without an id. */
static void
take_users(const cJSON *j, struct zoom_user **v, int *n, int *cap)
{
	const cJSON *u;
	cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(j, "users")) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(u, "id");
		const cJSON *em = cJSON_GetObjectItemCaseSensitive(u, "email");
		const cJSON *stt = cJSON_GetObjectItemCaseSensitive(u, "status");
		if (!cJSON_IsString(id) || id->valuestring[0] == '\0' ||
		    user_known(*v, *n, id->valuestring))
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*v = xreallocarray(*v, (size_t)*cap, sizeof **v);
		}
		struct zoom_user *z = &(*v)[(*n)++];
		z->id = xstrdup(id->valuestring);
		z->email = xstrdup(cJSON_IsString(em) ? em->valuestring : "");
		z->status = xstrdup(cJSON_IsString(stt) ? stt->valuestring : "");
	}
}

/* All users of one status. */
static int
list_status(struct zoom_client *zc, const char *status, struct zoom_user **v, int *n, int *cap,
    struct zpub_err *err)
{
	char *page_token = NULL;
	int restarts = 0, pages = 0, rc = 0;

	for (;;) {
		char *q, *url = NULL;
		if (page_token) {
			char *enc = http_urlencode(page_token);
			q = xasprintf("/users?status=%s&page_size=300&next_page_token=%s", status,
			    enc ? enc : "");
			free(enc);
		} else
			q = xasprintf("/users?status=%s&page_size=300", status);
		struct http_response resp = {0};
		struct http_request req;
		rc = zoom_api_get(zc, q, &resp, &req, &url, err);
		free(q);
		if (rc == 0 && page_token && zoom_page_token_expired(&resp)) {
			free(page_token);
			page_token = NULL;
			free(url);
			http_response_free(&resp);
			if (++restarts > 3) {
				rc = zpub_err_set(err, ZPUB_ENET, "Zoom kept expiring the page token while"
				    " listing the account's %s users; run 'zpub sync zoom' again", status);
				break;
			}
			log_info("Zoom's page token expired listing %s users; listing them again",
			    status);
			continue;
		}
		if (rc == 0 && (resp.status == 401 || resp.status == 403))
			rc = zpub_err_set(err, ZPUB_EAUTH, "Zoom refused the listing of the account's"
			    " users (HTTP %ld): providers.zoom.scope \"account\" needs a Server-to-Server"
			    " app with the scopes user:read:admin and recording:read:admin", resp.status);
		else
			rc = http_check(rc, &req, &resp, err);
		free(url);
		cJSON *j = NULL;
		if (rc == 0) {
			j = cJSON_ParseWithLength(resp.body ? resp.body : "", resp.body_len);
			if (!cJSON_IsObject(j))
				rc = zpub_err_set(err, ZPUB_EREMOTE, "Zoom answered the listing of the"
				    " account's users with something that is not JSON; check"
				    " providers.zoom.api_base");
		}
		http_response_free(&resp);
		if (rc != 0) {
			cJSON_Delete(j);
			break;
		}
		take_users(j, v, n, cap);
		const cJSON *nt = cJSON_GetObjectItemCaseSensitive(j, "next_page_token");
		free(page_token);
		page_token = cJSON_IsString(nt) && nt->valuestring[0] ? xstrdup(nt->valuestring) : NULL;
		cJSON_Delete(j);
		if (page_token == NULL)
			break;
		if (++pages > ZOOM_USERS_MAX_PAGES) {
			rc = zpub_err_set(err, ZPUB_EREMOTE, "Zoom kept sending page tokens for the"
			    " account's %s users", status);
			break;
		}
	}
	free(page_token);
	return rc;
}

int
zoom_list_users(struct zoom_client *zc, int include_inactive, struct zoom_user **out, int *n,
    struct zpub_err *err)
{
	struct zoom_user *v = NULL;
	int cnt = 0, cap = 0;
	int rc = list_status(zc, "active", &v, &cnt, &cap, err);
	if (rc == 0 && include_inactive)
		rc = list_status(zc, "inactive", &v, &cnt, &cap, err);
	if (rc != 0) {
		zoom_users_free(v, cnt);
		v = NULL;
		cnt = 0;
	}
	*out = v;
	*n = cnt;
	return rc;
}
