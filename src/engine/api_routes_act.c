/*
 * api_routes_act.c — the control API's routes for what `zpub` does to a
 * recording beyond list/show/retry/skip/publish: delete, unskip, its
 * journal, the tenant's status, the review queue, the editor's desk (cut
 * overrides, thumbnails, the rendered description, topics found again, an
 * update of what is published) and batch actions over a list of ids.  Each calls the engine
 * function the command line calls (recact.h, edit.h, recjson.h, stages.h), which
 * checks the tenant and writes the audit row with the caller.
 */
#include "api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "listener.h"
#include "recact.h"
#include "recjson.h"
#include "recut.h"
#include "pipeline.h"
#include "store.h"
#include "stages.h"
#include "store_admin.h"
#include "tenant.h"
#include "util.h"

#define BATCH_MAX_IDS 500
#define JOURNAL_PAGE_MAX 500
#define CUT_MAX_RANGES 1000
#define DESCRIPTION_MAX_BYTES (1024 * 1024)

/* 1 when the body's members are all among the names (NULL-terminated);
 * else replies 400 naming the first stranger. */
static int
only_fields(const cJSON *body, const char *const *names, const char *shape,
    struct api_response *out)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, body) {
		size_t i;
		for (i = 0; names[i] && strcmp(names[i], it->string) != 0; i++)
			;
		if (names[i] == NULL) {
			reply_error(out, 400, "unknown field '%s'; the body is %s", it->string, shape);
			return 0;
		}
	}
	return 1;
}

/* A query parameter as a whole number in [lo, hi]; *v keeps its default
 * when the parameter is absent.  Replies 400 and returns -1 when it is
 * not such a number. */
static int
query_int(const struct api_request *r, const char *key, int64_t lo, int64_t hi, int64_t *v,
    struct api_response *out)
{
	char *s = lsn_query_get(r->query, key), *end = NULL;
	int rc = 0;
	if (s == NULL)
		return 0;
	long long x = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || x < lo || x > hi) {
		reply_error(out, 400, "?%s= takes a whole number from %lld to %lld, not '%.40s'",
		    key, (long long)lo, (long long)hi, s);
		rc = -1;
	} else
		*v = x;
	free(s);
	return rc;
}

static void
wake(struct api *a)
{
	if (a->wake)
		a->wake(a->wake_ud);
}

/* The recording of the caller's tenant as the list shows it. */
static void
reply_recording(struct api *a, const struct api_caller *c, int64_t id, int status,
    struct api_response *out)
{
	struct store_recording *rec = NULL;
	struct zpub_err err;
	if (store_recording_get_in(a->st, c->tenant_id, id, &rec, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	reply_json(out, status, recjson_recording(rec));
	store_recording_free(rec);
}

/* ---- delete, unskip, journal, status, review ---- */

void
h_rec_delete(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct zpub_err err;
	(void)r;
	if (recact_delete(a->st, &c->who, id, NULL, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)id);
	cJSON_AddBoolToObject(j, "deleted", 1);
	reply_json(out, 200, j);
}

void
h_rec_unskip(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct zpub_err err;
	(void)r;
	if (recact_unskip(a->st, &c->who, id, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	wake(a);
	reply_recording(a, c, id, 200, out);
}

void
h_rec_journal(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct store_journal_entry *v = NULL;
	struct store_recording *rec = NULL;
	struct zpub_err err;
	int64_t limit = 50, before = 0;
	int n = 0;

	if (query_int(r, "limit", 1, JOURNAL_PAGE_MAX, &limit, out) != 0 ||
	    query_int(r, "before", 1, INT64_MAX / 2, &before, out) != 0)
		return;
	/* An empty journal would read as "nothing happened": say it is no recording. */
	if (store_recording_get_in(a->st, c->tenant_id, id, &rec, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	store_recording_free(rec);
	if (store_journal_page(a->st, id, before, (int)limit, &v, &n, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(j, "journal");
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, recjson_journal_entry(&v[i]));
	/* newest first; a full page may have more before its last line */
	if (n == limit)
		cJSON_AddNumberToObject(j, "next_before", (double)v[n - 1].id);
	else
		cJSON_AddNullToObject(j, "next_before");
	store_journal_free(v, n);
	reply_json(out, 200, j);
}

void
h_status(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	struct store_tenant t;
	struct zpub_err err;
	cJSON *j = NULL;
	int rc;
	(void)r; (void)id;

	memset(&t, 0, sizeof t);
	if ((rc = store_tenant_get(a->st, c->tenant_id, &t, &err)) == 0)
		rc = recjson_status(a->st, c->tenant_id, t.name, &j, &err);
	if (rc != 0)
		reply_err(out, &err);
	else
		reply_json(out, 200, j);
	store_tenant_clear(&t);
}

void
h_review(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	struct store_filter f = { c->tenant_id, -1, NULL, 100, 0, 0, 1 };
	struct store_recording **v = NULL;
	struct zpub_err err;
	int64_t limit = 100, offset = 0;
	int n = 0;
	(void)id;

	if (query_int(r, "limit", 1, 1000, &limit, out) != 0 ||
	    query_int(r, "offset", 0, 1000000000, &offset, out) != 0)
		return;
	f.limit = (int)limit;
	f.offset = (int)offset;
	if (store_recording_list(a->st, &f, &v, &n, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(j, "recordings");
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, recjson_recording(v[i]));
	store_recording_list_free(v, n);
	reply_json(out, 200, j);
}

/* ---- the editor's desk ---- */

void
h_rec_cut(struct api *a, const struct api_request *r, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	static const char *const fields[] = { "ranges", "clear", NULL };
	static const char shape[] = "{\"ranges\": [{\"keep\": \"HH:MM:SS-HH:MM:SS\"} or"
	    " {\"remove\": \"...\"}, ...], \"clear\": false} (times on the source; a later"
	    " range wins where they overlap)";
	struct edit_cut_range *v = NULL;
	struct zpub_err err;
	char *notes = NULL;
	size_t n = 0;
	cJSON *body = body_object(r, out);

	if (body == NULL || !only_fields(body, fields, shape, out))
		goto out;
	const cJSON *ranges = cJSON_GetObjectItemCaseSensitive(body, "ranges");
	const cJSON *clear = cJSON_GetObjectItemCaseSensitive(body, "clear");
	if ((ranges && !cJSON_IsArray(ranges)) || (clear && !cJSON_IsBool(clear))) {
		reply_error(out, 400, "the body is %s", shape);
		goto out;
	}
	int nr = cJSON_GetArraySize(ranges);
	if (nr > CUT_MAX_RANGES) {
		reply_error(out, 400, "at most %d ranges in one request, not %d", CUT_MAX_RANGES, nr);
		goto out;
	}
	if (nr == 0 && !cJSON_IsTrue(clear)) {
		reply_error(out, 400, "say what to change: ranges to keep or remove, or"
		    " \"clear\": true; the body is %s", shape);
		goto out;
	}
	v = xcalloc((size_t)nr + 1, sizeof *v);
	const cJSON *it;
	cJSON_ArrayForEach(it, ranges) {
		const cJSON *k = cJSON_IsObject(it) && cJSON_GetArraySize(it) == 1 ? it->child : NULL;
		if (k == NULL || !cJSON_IsString(k) || (strcmp(k->string, "keep") != 0 &&
		    strcmp(k->string, "remove") != 0)) {
			reply_error(out, 400, "range %zu is not {\"keep\": \"A-B\"} or {\"remove\":"
			    " \"A-B\"}; the body is %s", n + 1, shape);
			goto out;
		}
		v[n++] = (struct edit_cut_range){ k->valuestring, strcmp(k->string, "keep") == 0 };
	}
	if (edit_cut_save(a->st, &c->who, id, v, n, cJSON_IsTrue(clear), &notes, &err) != 0) {
		reply_err(out, &err);
		goto out;
	}
	struct store_recording *rec = NULL;
	if (store_recording_get_in(a->st, c->tenant_id, id, &rec, &err) != 0) {
		reply_err(out, &err);
		goto out;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)id);
	if (notes)
		cJSON_AddStringToObject(j, "notes", notes);
	else
		cJSON_AddNullToObject(j, "notes");
	cJSON_AddItemToObject(j, "recording", recjson_recording(rec));
	store_recording_free(rec);
	reply_json(out, 200, j);
out:
	free(notes);
	free(v);
	cJSON_Delete(body);
}

/* The plan as the next run would cut it (`zpub cut ID --show`): every
 * stretch of the source with its reason, and the editor's overrides. */
void
h_rec_cut_plan(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct store_recording *rec = NULL;
	struct recut_plan p;
	struct zpub_err err;
	cJSON *tcfg = NULL, *cfg = NULL;
	(void)r;

	memset(&p, 0, sizeof p);
	if (store_recording_get_in(a->st, c->tenant_id, id, &rec, &err) != 0) {
		reply_err(out, &err);
		goto out;
	}
	tcfg = tenant_config(a->st, a->config, c->tenant_id);
	cfg = pipeline_config_for(tcfg ? tcfg : a->config, rec);
	if (recut_plan(a->st, rec, cfg, NULL, &p, &err) != 0) {
		reply_err(out, &err);
		goto out;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)id);
	cJSON_AddNumberToObject(j, "source_ms", (double)p.tm.src_duration_ms);
	cJSON_AddNumberToObject(j, "cut_ms", (double)p.tm.out_duration_ms);
	cJSON *arr = cJSON_AddArrayToObject(j, "stretches");
	for (size_t i = 0; i < p.n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "start_ms", (double)p.v[i].start_ms);
		cJSON_AddNumberToObject(o, "end_ms", (double)p.v[i].end_ms);
		cJSON_AddBoolToObject(o, "kept", p.v[i].kept);
		cJSON_AddStringToObject(o, "why", media_why_name(p.v[i].why));
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(j, "overrides");
	for (size_t i = 0; i < p.n_ov; i++) {
		/* as PUT takes them */
		cJSON *o = cJSON_CreateObject();
		char x[24], y[24], range[56];
		recut_clock(p.ov[i].start_ms, x);
		recut_clock(p.ov[i].end_ms, y);
		snprintf(range, sizeof range, "%s-%s", x, y);
		cJSON_AddStringToObject(o, p.ov[i].keep ? "keep" : "remove", range);
		cJSON_AddItemToArray(arr, o);
	}
	reply_json(out, 200, j);
out:
	recut_plan_clear(&p);
	cJSON_Delete(cfg);
	cJSON_Delete(tcfg);
	store_recording_free(rec);
}

void
h_rec_thumbnails(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct store_recording *rec = NULL;
	struct store_artifact *v = NULL;
	struct zpub_err err;
	int n = 0, rc;
	(void)r;

	if ((rc = store_recording_get_in(a->st, c->tenant_id, id, &rec, &err)) == 0)
		rc = store_artifacts(a->st, id, "thumbnail", &v, &n, &err);
	if (rc != 0) {
		reply_err(out, &err);
		goto out;
	}
	/* numbered as `zpub thumbnail ID` lists them; where they lie is the server's */
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)id);
	cJSON *arr = cJSON_AddArrayToObject(j, "thumbnails");
	for (int i = 0; i < n; i++) {
		cJSON *x = v[i].extra ? cJSON_Parse(v[i].extra) : NULL;
		const cJSON *at = cJSON_GetObjectItemCaseSensitive(x, "at_ms");
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "n", i + 1);
		if (cJSON_IsNumber(at))
			cJSON_AddNumberToObject(o, "at_ms", at->valuedouble);
		else
			cJSON_AddNullToObject(o, "at_ms");
		cJSON_AddBoolToObject(o, "supplied", !cJSON_IsNumber(at));
		cJSON_AddBoolToObject(o, "chosen",
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "chosen")));
		cJSON_AddItemToArray(arr, o);
		cJSON_Delete(x);
	}
	reply_json(out, 200, j);
out:
	store_artifacts_free(v, n);
	store_recording_free(rec);
}

void
h_rec_thumbnail_pick(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	static const char *const fields[] = { "pick", NULL };
	static const char shape[] = "{\"pick\": N}, N the thumbnail's number in GET"
	    " /recordings/{id}/thumbnails";
	struct zpub_err err;
	int chosen = 0;
	cJSON *body = body_object(r, out);

	if (body == NULL || !only_fields(body, fields, shape, out))
		goto out;
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(body, "pick");
	if (!cJSON_IsNumber(p) || p->valuedouble < 1 || p->valuedouble > 1000 ||
	    p->valuedouble != (double)(int)p->valuedouble) {
		reply_error(out, 400, "the body is %s (a whole number from 1 to 1000)", shape);
		goto out;
	}
	if (edit_thumbnail_pick(a->st, &c->who, a->config, id, p->valueint, NULL, &chosen,
	    &err) != 0) {
		reply_err(out, &err);
		goto out;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)id);
	cJSON_AddNumberToObject(j, "chosen", chosen);
	reply_json(out, 200, j);
out:
	cJSON_Delete(body);
}

void
h_rec_description(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct store_recording *rec = NULL;
	struct store_artifact *v = NULL;
	struct zpub_err err;
	char *text = NULL;
	size_t len = 0;
	int n = 0, rc;
	(void)r;

	if ((rc = store_recording_get_in(a->st, c->tenant_id, id, &rec, &err)) == 0 &&
	    (rc = store_artifacts(a->st, id, "description", &v, &n, &err)) == 0 && n == 0)
		rc = zpub_err_set(&err, ZPUB_ENOTFOUND, "recording %lld has no description yet: it"
		    " is written when the recording reaches TRANSCRIBED", (long long)id);
	if (rc == 0 && (rc = fs_read_all(v[n - 1].path, &text, &len, &err)) == 0 &&
	    (len > DESCRIPTION_MAX_BYTES || !utf8_valid(text, len)))
		rc = zpub_err_set(&err, ZPUB_EINVAL, "recording %lld's description is not text"
		    " zpub wrote; run 'zpub describe %lld' to write it again", (long long)id,
		    (long long)id);
	if (rc != 0) {
		reply_err(out, &err);
		goto out;
	}
	cJSON *x = v[n - 1].extra ? cJSON_Parse(v[n - 1].extra) : NULL;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)id);
	const char *title = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "title"));
	const char *warn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "warning"));
	cJSON_AddStringToObject(j, "title", title ? title : rec->title ? rec->title : "");
	cJSON_AddStringToObject(j, "description", text);
	if (warn)
		cJSON_AddStringToObject(j, "warning", warn);
	cJSON_Delete(x);
	reply_json(out, 200, j);
out:
	free(text);
	store_artifacts_free(v, n);
	store_recording_free(rec);
}

/* Topics found again from the transcript (as `zpub topics ID`), and the
 * description rendered from them: a new topic version, status unchanged. */
void
h_topics_regenerate(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	static const char *const fields[] = { "engine", NULL };
	static const char shape[] = "empty, or {\"engine\": \"extractive\"|"
	    "\"openai-compatible\"|\"auto\"}";
	struct store_recording *rec = NULL;
	struct zpub_err err;
	cJSON *body = NULL, *cfg = NULL;
	const char *engine = NULL;
	char summary[512] = "", *text = NULL;
	int version = 0, rc;

	if (r->body_len > 0 && ((body = body_object(r, out)) == NULL ||
	    !only_fields(body, fields, shape, out)))
		goto out;
	if (body && (engine = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body,
	    "engine"))) != NULL && strcmp(engine, "extractive") != 0 &&
	    strcmp(engine, "openai-compatible") != 0 && strcmp(engine, "auto") != 0) {
		reply_error(out, 400, "\"engine\" is extractive, openai-compatible or auto, not"
		    " '%.40s'", engine);
		goto out;
	}
	if (body && cJSON_GetArraySize(body) == 1 && engine == NULL) {
		reply_error(out, 400, "the body is %s", shape);
		goto out;
	}
	if ((rc = store_recording_get_in(a->st, c->tenant_id, id, &rec, &err)) == 0 &&
	    rec->status != ST_TRANSCRIBED && rec->status != ST_READY)
		rc = zpub_err_set(&err, ZPUB_ESTATE, "recording %lld is %s: topics are found again"
		    " from its transcript once it is TRANSCRIBED or READY", (long long)id,
		    status_name(rec->status));
	if (rc == 0 && rec->lease_owner && rec->lease_until > time_now_ms())
		rc = zpub_err_set(&err, ZPUB_EBUSY, "recording %lld is being worked on by %s; try"
		    " again when that ends", (long long)id, rec->lease_owner);
	if (rc != 0) {
		reply_err(out, &err);
		goto out;
	}
	struct ai_steps steps = { 0, 1, 0, 1, NULL, engine, 1 };
	cfg = tenant_config(a->st, a->config, c->tenant_id);
	if (ai_redo(a->st, cfg ? cfg : a->config, a->data_dir ? a->data_dir :
	    store_data_dir(a->st), a->key_path, rec, &steps, (struct zpub_progress){ NULL, NULL },
	    "topics", summary, sizeof summary, &err) != 0 ||
	    edit_chapters_get(a->st, &c->who, id, &text, &version, &err) != 0) {
		reply_err(out, &err);
		goto out;
	}
	audit_note(a->st, &c->who, "topics.regenerate", "recording %lld topic version %d",
	    (long long)id, version);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)id);
	cJSON_AddNumberToObject(j, "version", version);
	cJSON_AddStringToObject(j, "chapters", text);
	cJSON_AddStringToObject(j, "summary", summary);
	reply_json(out, 200, j);
out:
	free(text);
	cJSON_Delete(cfg);
	store_recording_free(rec);
	cJSON_Delete(body);
}

void
api_publish_update(struct api *a, const struct api_caller *c, int64_t id,
    struct api_response *out)
{
	struct store_recording *rec = NULL;
	struct zpub_err err;
	int rc = store_recording_get_in(a->st, c->tenant_id, id, &rec, &err);

	if (rc == 0 && rec->status != ST_READY)
		rc = zpub_err_set(&err, ZPUB_ESTATE, "recording %lld is %s: an update sends the"
		    " edits of a READY recording to where it is published; publish it first"
		    " (POST /recordings/%lld/publish without \"update\")", (long long)id,
		    status_name(rec->status), (long long)id);
	if (rc == 0)
		rc = store_recording_set_update_pending(a->st, id, 1, &err);
	store_recording_free(rec);
	if (rc != 0) {
		reply_err(out, &err);
		return;
	}
	audit_note(a->st, &c->who, "publish.update", "recording %lld", (long long)id);
	wake(a);
	/* the daemon sends it (publish.update_after_edit; off: `zpub publish --update`) */
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)id);
	cJSON_AddBoolToObject(j, "update_pending", 1);
	reply_json(out, 202, j);
}

/* ---- batch ---- */

static const struct {
	const char *name;
	api_fn fn;
} batch_actions[] = {
	{ "retry", h_rec_retry }, { "skip", h_rec_skip }, { "unskip", h_rec_unskip },
	{ "delete", h_rec_delete }, { "publish", h_rec_publish }, { "approve", h_rec_approve },
};

/* Each id through the single action's own handler: the same checks, the
 * same tenant wall (another tenant's id is "not found") and the same
 * audit row; one id failing does not stop the others. */
void
h_rec_batch(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	static const char *const fields[] = { "action", "ids", NULL };
	static const char shape[] = "{\"action\": \"retry|skip|unskip|delete|publish|approve\","
	    " \"ids\": [1, 2, ...]}";
	cJSON *body = body_object(r, out);
	api_fn fn = NULL;
	(void)id;

	if (body == NULL || !only_fields(body, fields, shape, out))
		goto out;
	const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body,
	    "action"));
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(body, "ids");
	for (size_t i = 0; action && i < sizeof batch_actions / sizeof batch_actions[0]; i++)
		if (strcmp(action, batch_actions[i].name) == 0)
			fn = batch_actions[i].fn;
	if (fn == NULL) {
		reply_error(out, 400, "\"action\" is one of retry, skip, unskip, delete, publish,"
		    " approve; the body is %s", shape);
		goto out;
	}
	int n = cJSON_GetArraySize(ids);
	if (!cJSON_IsArray(ids) || n == 0 || n > BATCH_MAX_IDS) {
		reply_error(out, 400, "\"ids\" is a list of 1 to %d recording ids%s; the body is %s",
		    BATCH_MAX_IDS, cJSON_IsArray(ids) && n > 0 ? " (split a longer one)" : "", shape);
		goto out;
	}
	const cJSON *it;
	int k = 0;
	cJSON_ArrayForEach(it, ids) {
		k++;
		if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 1e15 ||
		    it->valuedouble != (double)(int64_t)it->valuedouble) {
			reply_error(out, 400, "ids[%d] is not a recording id (a whole number from 1);"
			    " nothing was done", k - 1);
			goto out;
		}
	}
	/* a batch's recordings as the single route would see them, without a body */
	struct api_request one = *r;
	one.body = NULL;
	one.body_len = 0;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "action", action);
	cJSON *res = cJSON_AddArrayToObject(j, "results");
	int ok = 0;
	cJSON_ArrayForEach(it, ids) {
		struct api_response sub;
		int64_t rid = (int64_t)it->valuedouble;
		memset(&sub, 0, sizeof sub);
		fn(a, &one, c, rid, &sub);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)rid);
		cJSON_AddNumberToObject(o, "status", sub.status);
		int good = sub.status >= 200 && sub.status < 300;
		cJSON_AddBoolToObject(o, "ok", good);
		if (!good) {
			cJSON *e = sub.body ? cJSON_Parse(sub.body) : NULL;
			const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e,
			    "error"));
			cJSON_AddStringToObject(o, "error", msg ? msg : "failed");
			cJSON_Delete(e);
		} else
			ok++;
		cJSON_AddItemToArray(res, o);
		api_response_clear(&sub);
	}
	cJSON_AddNumberToObject(j, "ok", ok);
	cJSON_AddNumberToObject(j, "failed", n - ok);
	reply_json(out, 200, j);
out:
	cJSON_Delete(body);
}
