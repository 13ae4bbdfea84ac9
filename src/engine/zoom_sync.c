/*
 * zoom_sync.c — one sync of a tenant's Zoom account into recordings: the
 * month windows are listed page by page, every file worth publishing that
 * is not known yet (by Zoom's file id) becomes an INITIALIZED recording,
 * the tenant's templates are applied (which may SKIP it), and recordings
 * that a complete listing no longer shows and that were never downloaded
 * become EXPIRED; published meetings whose template asks for it go to Zoom's
 * trash.  Recordings deleted here stay out (store_recording_delete
 * remembers them) unless the sync is asked to include them.  Shared by
 * `zpub sync zoom` and the daemon's jobs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoom_sync.h"
#include "zoom_sync_int.h"

#include "accounts.h"
#include "config.h"
#include "log.h"
#include "zoom.h"
#include "pipeline.h"
#include "store.h"
#include "store_admin.h"
#include "template.h"
#include "util.h"


static void
seen_add(struct sync_run *s, const char *id)
{
	if (s->nseen == s->capseen) {
		s->capseen = s->capseen ? s->capseen * 2 : 64;
		s->seen = xreallocarray(s->seen, (size_t)s->capseen, sizeof *s->seen);
	}
	s->seen[s->nseen++] = xstrdup(id);
}

static int
seen_has(const struct sync_run *s, const char *id)
{
	for (int i = 0; i < s->nseen; i++)
		if (strcmp(s->seen[i], id) == 0)
			return 1;
	return 0;
}

static void
new_id_add(struct sync_run *s, int64_t id)
{
	if (s->n_new == s->cap_new) {
		s->cap_new = s->cap_new ? s->cap_new * 2 : 32;
		s->new_ids = xreallocarray(s->new_ids, (size_t)s->cap_new, sizeof *s->new_ids);
	}
	s->new_ids[s->n_new++] = id;
}

/* Creates the recording and lets the templates decide about it. */
static int
create_one(struct sync_run *s, const struct zoom_item *it, int deleted_here, cJSON *row,
    int *skipped, struct zpub_err *err)
{
	cJSON *m = cJSON_Duplicate(it->meta, 1);
	char *meta;
	struct store_recording r;
	int64_t id = 0, applied = 0;
	int rc;

	/* The account it was listed through downloads it. */
	if (s->o->account != NULL && cJSON_IsObject(m))
		cJSON_AddStringToObject(m, "zoom_account", s->o->account);
	meta = cJSON_PrintUnformatted(m);
	cJSON_Delete(m);

	memset(&r, 0, sizeof r);
	r.tenant_id = s->tenant_id;
	r.source = (char *)"zoom";
	r.source_ref = it->file_id;
	r.title = it->title;
	r.started_at = it->started_at;
	r.duration_ms = it->duration_ms;
	r.status = ST_INITIALIZED;
	r.source_meta = meta;
	r.config = (char *)s->o->recording_config;
	r.host = (char *)s->host;
	rc = store_recording_add(s->st, &r, &id, err);
	free(meta);
	if (rc != 0)
		return rc;
	/* After the add: a crash between the two leaves a memory that nothing
	 * reads while the recording exists, and the next delete replaces it. */
	struct zpub_err ferr = {0};
	if (deleted_here && store_forgotten_drop(s->st, s->tenant_id, "zoom", it->file_id, &ferr))
		log_warn("recording %lld: still remembered as deleted: %s", (long long)id, ferr.msg);
	cJSON_AddNumberToObject(row, "id", (double)id);
	new_id_add(s, id);
	struct zpub_err terr = {0};
	if (tpl_apply(s->st, id, &applied, &terr) != 0) {
		log_warn("recording %lld: templates could not be applied: %s", (long long)id, terr.msg);
		cJSON_AddStringToObject(row, "template_error", terr.msg);
	} else if (applied < 0) {
		*skipped = 1;
		struct store_recording *now = NULL;
		if (store_recording_get(s->st, id, &now, NULL) == 0 && now->detail)
			cJSON_AddStringToObject(row, "reason", now->detail);
		store_recording_free(now);
	} else if (applied > 0) {
		for (int i = 0; i < s->ntpl; i++)
			if (s->tpl[i].id == applied)
				cJSON_AddStringToObject(row, "template", s->tpl[i].name);
	}
	return 0;
}

/* Zoom's download addresses expire, and a retry days after the first sync
 * would ask a dead one: a recording already known but not downloaded yet
 * takes what the newest listing says (address, size, transcript).  Never
 * fails the sync: the old data is still there to try. */
static void
refresh_known(struct sync_run *s, int64_t id, const struct zoom_item *it)
{
	char *meta = cJSON_PrintUnformatted(it->meta);
	struct zpub_err e = {0};
	int changed = 0;
	if (meta == NULL)
		return;
	if (store_recording_refresh_source_meta(s->st, id, meta, &changed, &e) != 0) {
		log_warn("recording %lld: Zoom's new download address was not saved: %s",
		    (long long)id, e.msg);
	} else if (changed) {
		s->refreshed++;
		store_journal(s->st, id, "info", "zoom", "the sync refreshed Zoom's download address"
		    " and file size (%lld bytes)", (long long)it->file_size);
	}
	free(meta);
}

int
zoom_sync_on_meeting(void *ud, const cJSON *meeting, struct zpub_err *err)
{
	struct sync_run *s = ud;
	struct zoom_item *items = NULL;
	int n = 0, rc = 0;

	if (zoom_meeting_items(meeting, &items, &n, &s->processing) != 0)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	for (int i = 0; i < n && rc == 0; i++) {
		struct zoom_item *it = &items[i];
		int64_t id = 0;
		int skipped = 0;
		if (seen_has(s, it->file_id))
			continue;   /* listed again after a page-token restart */
		seen_add(s, it->file_id);
		if (store_recording_find_ref(s->st, s->tenant_id, "zoom", it->file_id, &id, NULL) == 0) {
			s->existing++;
			if (!s->o->dry_run)
				refresh_known(s, id, it);
			continue;
		}
		rc = store_forgotten_find(s->st, s->tenant_id, "zoom", it->file_id, err);
		if (rc != 0 && rc != ZPUB_ENOTFOUND)
			break;     /* not knowing could bring a deleted recording back */
		int deleted_here = rc == 0;
		rc = 0;
		if (deleted_here && !s->o->include_deleted) {
			s->forgotten++;
			continue;
		}
		cJSON *row = cJSON_CreateObject();
		char when[32] = "";
		if (it->started_at > 0)
			time_iso(it->started_at, when);
		cJSON_AddStringToObject(row, "file_id", it->file_id);
		if (s->host) {
			cJSON_AddStringToObject(row, "host", s->host);
			cJSON_AddStringToObject(row, "tenant", s->tenant_name);
		}
		cJSON_AddStringToObject(row, "file_type", it->file_type);
		cJSON_AddStringToObject(row, "title", it->title);
		cJSON_AddStringToObject(row, "started_at", when);
		cJSON_AddNumberToObject(row, "duration_ms", (double)it->duration_ms);
		cJSON_AddNumberToObject(row, "file_size", (double)it->file_size);
		if (deleted_here)
			cJSON_AddBoolToObject(row, "deleted_here", 1);
		if (s->o->dry_run) {
			struct tpl_subject subj = { it->title, "zoom", it->duration_ms, it->started_at };
			int pick = tpl_pick(s->tpl, s->ntpl, &subj);
			if (pick >= 0)
				cJSON_AddStringToObject(row, "template", s->tpl[pick].name);
		} else if ((rc = create_one(s, it, deleted_here, row, &skipped, err)) != 0) {
			if (store_recording_find_ref(s->st, s->tenant_id, "zoom", it->file_id, &id,
			    NULL) == 0) {
				rc = 0;          /* another sync created it a moment ago */
				s->existing++;
			}
			cJSON_Delete(row);
			continue;
		}
		cJSON_AddStringToObject(row, "status", skipped ? "SKIPPED" : "INITIALIZED");
		cJSON_AddItemToArray(skipped ? s->skipped : s->created, row);
	}
	zoom_items_free(items, n);
	return rc;
}

/* Recordings from Zoom started inside [from, to] that the complete listing
 * did not show and that were never downloaded: deleted upstream. */
static int
expire_missing(struct sync_run *s, int64_t from_ms, int64_t to_ms, cJSON *expired,
    struct zpub_err *err)
{
	struct store_filter f = { s->tenant_id, -1, NULL, 0, 0, 0, 0 };
	struct store_recording **v = NULL;
	int n = 0, rc;
	char day[32];

	time_iso(time_now_ms(), day);
	if ((rc = store_recording_list(s->st, &f, &v, &n, err)) != 0)
		return rc;
	for (int i = 0; i < n; i++) {
		struct store_recording *r = v[i];
		if (strcmp(r->source, "zoom") != 0 || r->started_at < from_ms || r->started_at > to_ms ||
		    seen_has(s, r->source_ref))
			continue;
		int failed_in_download = r->status == ST_FAILED && r->failed_stage &&
		    strcmp(r->failed_stage, "download") == 0;
		if (r->status != ST_INITIALIZED && r->status != ST_SKIPPED && !failed_in_download)
			continue;
		char *why = xasprintf("deleted in Zoom: the sync of %s no longer lists file %s", day,
		    r->source_ref);
		cJSON *row = cJSON_CreateObject();
		cJSON_AddNumberToObject(row, "id", (double)r->id);
		cJSON_AddStringToObject(row, "title", r->title);
		cJSON_AddStringToObject(row, "reason", why);
		cJSON_AddItemToArray(expired, row);
		if (!s->o->dry_run) {
			struct zpub_err merr = {0};
			if (store_recording_move(s->st, r->id, r->status, ST_EXPIRED, why, &merr) != 0)
				log_warn("recording %lld: could not mark it EXPIRED: %s", (long long)r->id,
				    merr.msg);
		}
		free(why);
	}
	store_recording_list_free(v, n);
	return 0;
}

#define TRASH_EVENT "zoom_trash"

static int
trash_journaled(struct store *st, int64_t id)
{
	struct store_journal_entry *v = NULL;
	int n = 0, found = 0;
	if (store_journal_list(st, id, 1000, &v, &n, NULL) != 0)
		return 0;
	for (int i = 0; i < n && !found; i++)
		found = v[i].event && strcmp(v[i].event, TRASH_EVENT) == 0;
	store_journal_free(v, n);
	return found;
}

/* Templates may ask for the Zoom copy to go to Zoom's trash once the
 * lecture is published ("processing": {"zoom": {"trash_after_publish":
 * true}}).  Never before: a meeting is trashed only when every recording
 * made from it is READY (or EXPIRED), and only once. */
static int
trash_published(struct sync_run *s, struct zoom_client *zc, const cJSON *cfg, cJSON *trashed,
    struct zpub_err *err)
{
	struct store_filter f = { s->tenant_id, -1, NULL, 0, 0, 0, 0 };
	struct store_recording **v = NULL;
	int n = 0, rc;

	if ((rc = store_recording_list(s->st, &f, &v, &n, err)) != 0)
		return rc;
	char **uuid = xcalloc((size_t)n + 1, sizeof *uuid);
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->source, "zoom") != 0)
			continue;
		cJSON *m = cJSON_Parse(v[i]->source_meta ? v[i]->source_meta : "{}");
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(m, "meeting_uuid");
		if (cJSON_IsString(u) && u->valuestring[0])
			uuid[i] = xstrdup(u->valuestring);
		cJSON_Delete(m);
	}
	for (int i = 0; uuid && i < n; i++) {
		if (uuid[i] == NULL || v[i]->status != ST_READY)
			continue;
		cJSON *c = pipeline_config_for(cfg, v[i]);
		int want = config_bool(c, "processing.zoom.trash_after_publish", 0);
		cJSON_Delete(c);
		if (!want || trash_journaled(s->st, v[i]->id))
			continue;
		int all_done = 1, seen_before = 0;
		for (int j = 0; j < n; j++) {
			if (uuid[j] == NULL || strcmp(uuid[j], uuid[i]) != 0)
				continue;
			if (j < i && v[j]->status == ST_READY)
				seen_before = 1;   /* handled with an earlier part */
			if (v[j]->status != ST_READY && v[j]->status != ST_EXPIRED)
				all_done = 0;
		}
		if (!all_done || seen_before)
			continue;
		cJSON *row = cJSON_CreateObject();
		cJSON_AddStringToObject(row, "meeting_uuid", uuid[i]);
		cJSON_AddStringToObject(row, "title", v[i]->title);
		cJSON_AddItemToArray(trashed, row);
		if (s->o->dry_run)
			continue;
		struct zpub_err terr = {0};
		if (zoom_trash(zc, uuid[i], NULL, &terr) != 0) {
			cJSON_AddStringToObject(row, "error", terr.msg);
			log_warn("recording %lld: moving the Zoom copy to Zoom's trash failed: %s",
			    (long long)v[i]->id, terr.msg);
			store_journal(s->st, v[i]->id, "warn", "zoom", "moving the Zoom copy to Zoom's"
			    " trash failed (%s); the next sync tries again", terr.msg);
			continue;
		}
		for (int j = 0; j < n; j++)
			if (uuid[j] && strcmp(uuid[j], uuid[i]) == 0)
				store_journal(s->st, v[j]->id, "info", TRASH_EVENT, "published, so the Zoom"
				    " cloud recording was moved to Zoom's trash (restorable there for 30 days)");
	}
	for (int i = 0; uuid && i < n; i++)
		free(uuid[i]);
	free(uuid);
	store_recording_list_free(v, n);
	return 0;
}

int
zoom_sync(struct store *st, struct vault *v, int64_t tenant_id, const cJSON *cfg,
    const struct zoom_sync_opts *o, cJSON **report, int64_t **new_ids, int *n_new,
    struct zpub_err *err)
{
	struct zoom_client *zc = NULL;
	struct zoom_window *w = NULL;
	int nw = 0, rc, windows_done = 0;
	struct sync_run s = { .st = st, .tenant_id = tenant_id, .o = o };

	*report = NULL;
	if (new_ids) {
		*new_ids = NULL;
		*n_new = 0;
	}
	if (zoom_windows(o->from_ms, o->to_ms, &w, &nw) != 0)
		return zpub_err_set(err, ZPUB_EINVAL, "the sync range ends before it starts");
	struct accounts acc = { .store = st, .vault = v, .tenant_id = tenant_id,
		.name = o->account };
	if ((rc = accounts_zoom_client(&acc, cfg, &zc, err)) != 0) {
		free(w);
		return rc;
	}
	if (store_templates(st, tenant_id, &s.tpl, &s.ntpl, NULL) != 0) {
		s.tpl = NULL;
		s.ntpl = 0;
	}
	s.created = cJSON_CreateArray();
	s.skipped = cJSON_CreateArray();
	cJSON *expired = cJSON_CreateArray();
	int account = strcmp(config_str(cfg, "providers.zoom.scope", "me"), "account") == 0;
	cJSON *walk = cJSON_CreateObject();
	if (account)
		rc = zoom_walk_account(&s, zc, cfg, w, nw, walk, &windows_done, err);
	for (int i = 0; !account && i < nw; i++) {
		char what[64];
		snprintf(what, sizeof what, "listing Zoom %s..%s", w[i].from, w[i].to);
		if (zpub_progress_report(&o->progress, (double)i / nw, what)) {
			rc = zpub_err_set(err, ZPUB_ECANCEL, "Zoom sync cancelled");
			break;
		}
		if ((rc = zoom_list_window(zc, &w[i], zoom_sync_on_meeting, &s, err)) != 0)
			break;
		windows_done++;
	}
	/* Only a complete listing can say what Zoom no longer has (a walk of the
	 * account may be resumed, so it never knows: its recordings do not
	 * expire by a sync, nor go to Zoom's trash from here). */
	if (rc == 0 && !account)
		rc = expire_missing(&s, o->from_ms, o->to_ms + 86400000 - 1, expired, err);
	cJSON *trashed = cJSON_CreateArray();
	if (rc == 0 && !account)
		rc = trash_published(&s, zc, cfg, trashed, err);
	if (rc != 0 && !account && windows_done < nw)
		zpub_err_prefix(err, "Zoom sync stopped at %s..%s (%d of %d months listed; run it"
		    " again)", w[windows_done].from, w[windows_done].to, windows_done, nw);
	if (!o->dry_run && s.n_new > 0)
		store_audit(st, tenant_id, "sync", "sync.zoom", "recordings", "zoom");

	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "source", "zoom");
	cJSON_AddStringToObject(r, "from", nw ? w[0].from : "");
	cJSON_AddStringToObject(r, "to", nw ? w[nw - 1].to : "");
	cJSON_AddBoolToObject(r, "dry_run", o->dry_run);
	cJSON_AddNumberToObject(r, "windows", windows_done);
	cJSON_AddItemToObject(r, "created", s.created);
	cJSON_AddItemToObject(r, "skipped", s.skipped);
	cJSON_AddItemToObject(r, "expired", expired);
	cJSON_AddItemToObject(r, "trashed", trashed);
	cJSON_AddNumberToObject(r, "existing", s.existing);
	cJSON_AddNumberToObject(r, "refreshed", s.refreshed);
	cJSON_AddNumberToObject(r, "forgotten", s.forgotten);
	cJSON_AddNumberToObject(r, "processing", s.processing);
	cJSON_AddStringToObject(r, "scope", account ? "account" : "me");
	while (walk->child) {
		cJSON *item = cJSON_DetachItemViaPointer(walk, walk->child);
		cJSON_AddItemToObject(r, item->string, item);
	}
	cJSON_Delete(walk);
	if (rc != 0)
		cJSON_AddStringToObject(r, "error", err->msg);
	*report = r;
	if (new_ids) {
		*new_ids = s.new_ids;
		*n_new = s.n_new;
		s.new_ids = NULL;
	}
	free(s.new_ids);
	for (int i = 0; i < s.nseen; i++)
		free(s.seen[i]);
	free(s.seen);
	store_templates_free(s.tpl, s.ntpl);
	zoom_client_free(zc);
	free(w);
	return rc;
}

int
zoom_sync_meeting(struct store *st, int64_t tenant_id, const cJSON *meeting,
    const char *recording_config, cJSON **report, int64_t **new_ids, int *n_new,
    struct zpub_err *err)
{
	struct zoom_sync_opts o = { .recording_config = recording_config };
	struct sync_run s = { .st = st, .tenant_id = tenant_id, .o = &o };

	if (store_templates(st, tenant_id, &s.tpl, &s.ntpl, NULL) != 0) {
		s.tpl = NULL;
		s.ntpl = 0;
	}
	s.created = cJSON_CreateArray();
	s.skipped = cJSON_CreateArray();
	int rc = zoom_sync_on_meeting(&s, meeting, err);
	cJSON *r = cJSON_CreateObject();
	cJSON_AddItemToObject(r, "created", s.created);
	cJSON_AddItemToObject(r, "skipped", s.skipped);
	cJSON_AddNumberToObject(r, "existing", s.existing);
	cJSON_AddNumberToObject(r, "forgotten", s.forgotten);
	cJSON_AddNumberToObject(r, "processing", s.processing);
	if (rc != 0)
		cJSON_AddStringToObject(r, "error", err->msg);
	*report = r;
	*new_ids = s.new_ids;
	*n_new = s.n_new;
	for (int i = 0; i < s.nseen; i++)
		free(s.seen[i]);
	free(s.seen);
	store_templates_free(s.tpl, s.ntpl);
	return rc;
}
