/*
 * zoom_sync.h — one sync of a tenant's Zoom account into recordings
 * (zoom_sync.c), shared by `zpub sync zoom` and the daemon's jobs.
 */
#ifndef ZPUB_ZOOM_SYNC_H
#define ZPUB_ZOOM_SYNC_H

#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct store;
struct vault;

struct zoom_sync_opts {
	int64_t from_ms, to_ms;      /* UTC days, inclusive */
	int dry_run;                 /* list and report; write nothing */
	int include_deleted;         /* re-create recordings deleted here (and forget that) */
	struct zpub_progress progress;
	/* Per-recording config override (JSON object) stored with each new
	 * recording in its INSERT, e.g. a job's {"daemon":{"until":"DOWNLOADED"}},
	 * so no runner ever sees the recording without it.  NULL = none. */
	const char *recording_config;
	/* A named Zoom account (zpub auth zoom --as NAME), recorded on each
	 * new recording so its download goes through it too; NULL: the
	 * default one. */
	const char *account;
};

/* One sync of the tenant's Zoom account.  cfg: the tenant's merged config.
 * A dry run writes no recording; it may cache a new access token.
 * *report (new object, also on failure): {"source","from","to","dry_run",
 * "windows", "created": [{"id","file_id","file_type","title","started_at",
 * "duration_ms","file_size","status","template"}], "skipped": [... "reason"],
 * "expired": [{"id","title","reason"}], "trashed": [{"meeting_uuid","title",
 * "error"}], "existing", "refreshed" (known recordings not downloaded yet whose
 * download address or size changed: saved, since Zoom's addresses expire),
 * "processing", "forgotten" (files deleted here, so kept out; none with
 * include_deleted, whose re-created rows say "deleted_here"), "error"}.
 * Meetings whose recordings
 * are all READY (or EXPIRED) go to Zoom's trash once when their config says
 * processing.zoom.trash_after_publish (a template's processing_config
 * {"zoom": {"trash_after_publish": true}}).
 * With providers.zoom.scope "account" the whole account is walked
 * (zoom_walk.c): rows carry "host" and "tenant", and the report adds
 * "scope", "users", "users_routed", "users_gone", "resumed", "hosts_unrouted" and
 * "unrouted"; nothing expires and nothing goes to Zoom's trash then.
 * *new_ids (may be NULL) gets the ids of recordings created (SKIPPED too). */
int zoom_sync(struct store *st, struct vault *v, int64_t tenant_id, const cJSON *cfg,
    const struct zoom_sync_opts *o, cJSON **report, int64_t **new_ids, int *n_new,
    struct zpub_err *err);

/* One meeting as Zoom describes it (a recording.completed webhook's
 * payload.object, shaped like a meeting of the listing): its files become
 * recordings of the tenant exactly as a sync makes them (the same choice of
 * files, the same dedupe by Zoom's file id, deleted ones kept out, templates
 * applied).  *report (new object, also on failure): {"created", "skipped",
 * "existing", "forgotten", "processing", "error"} as zoom_sync's; *new_ids
 * (malloc'd) the recordings created. */
int zoom_sync_meeting(struct store *st, int64_t tenant_id, const cJSON *meeting,
    const char *recording_config, cJSON **report, int64_t **new_ids, int *n_new,
    struct zpub_err *err);

/* Routes a Zoom host (its e-mail) to a tenant by providers.zoom.hosts, an
 * object from e-mail glob (* ? [...], case-insensitive, the whole address)
 * to tenant name.  When several globs match, the most specific wins: the one
 * with the most literal characters, then the one with the fewest wildcards,
 * then the first written.  1 with *tenant (and *glob, may be NULL) pointing
 * into hosts, or 0 when no glob matches.  Pure. */
int zoom_host_route(const cJSON *hosts, const char *email, const char **tenant,
    const char **glob);

#endif
