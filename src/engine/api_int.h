/*
 * api_int.h — what the control API's files share and nothing else sees:
 * the API's state, the caller a route runs for, the route handlers
 * (api_routes_*.c) and the replies they make.  The route table itself is
 * api.c's API_ROUTES, the one place that dispatches, checks roles and
 * writes /openapi.json.
 */
#ifndef ZPUB_API_INT_H
#define ZPUB_API_INT_H

#include "api.h"
#include "audit.h"

/* ROLE_OPERATOR is the bearer of api.metrics_token, not a tenant's user:
 * it sees every tenant's numbers and nothing else. */
enum api_role { ROLE_NONE, ROLE_VIEWER, ROLE_EDITOR, ROLE_OWNER, ROLE_OPERATOR };

struct api_caller {
	int64_t tenant_id;
	enum api_role role;
	char name[128];
	char arg[2][48];           /* the path's text segments, in order ("" when none) */
	struct actor who;          /* for the audit log: api:NAME from the peer */
};

struct rate {
	char hash[65];
	int64_t minute_start, hour_start;
	int minute_count, hour_count;
};

struct api {
	struct store *st;
	cJSON *config;
	char *key_path;            /* the vault key, for zoom jobs' dry runs */
	char *origin;              /* http://HOST:PORT the server listens on */
	char *data_dir;            /* whose disk /ready watches */
	struct rate *rates;
	int n_rates;
	int per_minute, per_hour;
	void (*wake)(void *ud);    /* tells the daemon to look for work now */
	void *wake_ud;
};

typedef void (*api_fn)(struct api *a, const struct api_request *r,
    const struct api_caller *c, int64_t id, struct api_response *out);

/* Every route's handler (api.c's API_ROUTES names each once): a new route
 * adds its handler here and its row there. */
#define ROUTE_FNS(X) \
	X(h_health) X(h_openapi) X(h_rec_list) X(h_rec_show) X(h_rec_retry) X(h_rec_skip) \
	X(h_rec_publish) X(h_tpl_list) X(h_tpl_create) X(h_tpl_show) X(h_tpl_update) \
	X(h_tpl_delete) X(h_job_list) X(h_job_create) X(h_job_show) X(h_job_update) \
	X(h_job_delete) X(h_job_run) X(h_job_dry_run) X(h_usage) X(h_audit) X(h_topics_get) \
	X(h_topics_put) X(h_rec_approve) X(h_zoom_hook) X(h_metrics) X(h_ready) \
	X(h_rec_delete) X(h_rec_unskip) X(h_rec_journal) X(h_status) X(h_review) X(h_rec_cut) \
	X(h_rec_thumbnails) X(h_rec_thumbnail_pick) X(h_rec_description) X(h_rec_batch) \
	X(h_topics_regenerate) X(h_rec_cut_plan) \
	X(h_acct_list) X(h_acct_start) X(h_acct_revoke) X(h_oauth_callback) \
	X(h_rec_cancel) \
	X(h_upload_create) X(h_upload_show) X(h_upload_put) X(h_upload_delete) X(h_rec_upload) \
	X(h_artifact_list) X(h_artifact_get) \
	X(h_tpl_test) X(h_tenant_show) X(h_tenant_config) X(h_user_list) X(h_user_create) \
	X(h_user_token) X(h_user_delete)
#define X(f) void f(struct api *, const struct api_request *, \
	const struct api_caller *, int64_t, struct api_response *);
ROUTE_FNS(X)
#undef X

/* POST /recordings/{id}/publish {"update": true} (api_routes_act.c): marks
 * a READY recording's edits for the daemon to send where it is published. */
void api_publish_update(struct api *a, const struct api_caller *c, int64_t id,
    struct api_response *out);

/* ---- replies (api.c) ---- */

/* Status and body from j (freed). */
void reply_json(struct api_response *out, int status, cJSON *j);
/* {"error": "..."} with the status (and retry_after_s when set). */
void reply_error(struct api_response *out, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The error's sentence with the status its code maps to. */
void reply_err(struct api_response *out, const struct zpub_err *e);
/* Parses the body as one JSON object; replies 400 and returns NULL if not. */
cJSON *body_object(const struct api_request *r, struct api_response *out);

/* The operator's secret name (the vault of the `tenant` key's tenant);
 * ZPUB_ENOTFOUND when there is none or no vault.  *secret: vault_free_secret. */
int api_operator_secret(struct api *a, const char *name, char **secret, size_t *len,
    struct zpub_err *err);

#endif
