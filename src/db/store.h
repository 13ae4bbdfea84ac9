/*
 * store.h — the repository API over zpub's SQLite database.
 *
 * The store is the single source of truth and the bus between the TUI, the
 * daemon and the CLI: all of them may open one file at once (WAL, busy
 * timeout).  No SQL lives outside db/.  Paths of artefacts are kept relative
 * to the data dir and handed out absolute.
 */
#ifndef ZPUB_STORE_H
#define ZPUB_STORE_H

#include <stdint.h>
#include <cJSON.h>

#include "err.h"
#include "status.h"

struct store;
struct stage_artifact;

/* Opens (creating if needed) the database at db_path, applies missing
 * migrations in one transaction each, and remembers data_dir for paths. */
int store_open(const char *db_path, const char *data_dir, struct store **out,
    struct zpub_err *err);
void store_close(struct store *st);
int store_schema_version(struct store *st);
/* 1 when target is a PostgreSQL URL with a password in it. */
int store_target_has_password(const char *target);
/* "database zpub on db1:5432", or the SQLite file: for messages (no password). */
const char *store_name(struct store *st);
/* Inside a transaction: no other connection commits a new recording until
 * it ends (SQLite's BEGIN IMMEDIATE does so already; PostgreSQL locks the
 * table in SHARE mode, waiting for imports committing now). */
int store_lock_new_recordings(struct store *st, struct zpub_err *err);
/* 1 when other hosts may share this store (PostgreSQL). */
int store_is_shared(struct store *st);
/* Changes when another connection commits (PRAGMA data_version). */
int64_t store_data_version(struct store *st);
const char *store_data_dir(struct store *st);

int store_begin(struct store *st, struct zpub_err *err);   /* BEGIN IMMEDIATE */
int store_commit(struct store *st, struct zpub_err *err);
void store_rollback(struct store *st);

/* ---- tenants ---- */
/* The tenant argument of the listings that can span tenants
 * (store_recording_list/count, store_recording_status_counts, store_ui_*,
 * store_jobs, store_usage_report, store_audit_list).  Only operator-level
 * code passes it: the daemon's scheduler, `zpub usage` without --tenant and
 * `zpub audit --all-tenants`.  Any other value names one tenant, so 0 (an
 * unset or unknown tenant) matches nothing: the filter fails closed. */
#define STORE_ALL_TENANTS (-1)
#define STORE_ALL_TENANTS_SQL "-1"
int store_tenant_id(struct store *st, const char *name, int64_t *id, struct zpub_err *err);
int store_tenant_add(struct store *st, const char *name, int64_t *id, struct zpub_err *err);

/* ---- recordings ---- */
struct store_recording {
	int64_t id;
	int64_t tenant_id;
	char *tenant;          /* tenant name */
	char *source;          /* "local", "zoom", "watch" */
	char *source_ref;
	char *title;
	int64_t started_at;    /* epoch ms, 0 if unknown */
	int64_t duration_ms;
	enum rec_status status;
	char *detail;          /* NULL or a sentence (why it failed, what runs) */
	char *failed_stage;
	int attempts;
	int64_t next_retry_at;
	int64_t expires_at;
	char *lease_owner;
	int64_t lease_until;
	double progress;       /* -1 if none */
	char *progress_what;
	int64_t progress_eta_ms;
	char *config;          /* per-recording override JSON */
	char *source_meta;     /* JSON */
	int64_t template_id;
	int64_t created_at, updated_at;
	int review_hold;       /* held at TRANSCRIBED for a person's approval */
	char *source_path;     /* absolute path of the newest 'source' artefact, or NULL */
	char *host;            /* Zoom: the host's e-mail (account-wide sync), or NULL */
	char *stop_by;         /* who stopped it ("cli:alice"), or NULL; see store_stop_request */
};

void store_recording_free(struct store_recording *r);

/* Inserts a recording (id, timestamps filled by the store).  *id gets the new id. */
int store_recording_add(struct store *st, const struct store_recording *in, int64_t *id,
    struct zpub_err *err);
int store_recording_get(struct store *st, int64_t id, struct store_recording **out,
    struct zpub_err *err);
/* The same, only if it belongs to tenant_id (STORE_ALL_TENANTS: any);
 * ZPUB_ENOTFOUND alike for a missing id and another tenant's. */
int store_recording_get_in(struct store *st, int64_t tenant_id, int64_t id,
    struct store_recording **out, struct zpub_err *err);
/* 0 and *id when found, ZPUB_ENOTFOUND otherwise. */
int store_recording_find_ref(struct store *st, int64_t tenant_id, const char *source,
    const char *source_ref, int64_t *id, struct zpub_err *err);
/* The tenant's recording imported from the same bytes ("sha256:<hex>"),
 * whichever way it came in (zpub import or a watch folder); the oldest if
 * several.  0 and *id when found, ZPUB_ENOTFOUND otherwise. */
int store_recording_find_content(struct store *st, int64_t tenant_id,
    const char *source_ref, int64_t *id, struct zpub_err *err);
int store_recording_set_title(struct store *st, int64_t id, const char *title,
    struct zpub_err *err);
int store_recording_set_config(struct store *st, int64_t id, const char *json,
    struct zpub_err *err);
/* Replaces source_meta (the source's download address, size, ...) only while
 * the source is not downloaded yet: INITIALIZED, DOWNLOADING, FAILED or
 * SKIPPED with no `source` artefact.  *changed (may be NULL): 1 if the row
 * changed. */
int store_recording_refresh_source_meta(struct store *st, int64_t id, const char *json,
    int *changed, struct zpub_err *err);
/* Deletes the recording (the rows that hang off it go with it;
 * the files are the caller's).  One that came from anywhere but a local
 * import is remembered by (tenant, source, source_ref) in the same
 * transaction, so no sync brings it back.  Every front deletes through here. */
int store_recording_delete(struct store *st, int64_t id, struct zpub_err *err);
/* 0 when (tenant, source, source_ref) was deleted here and is remembered,
 * ZPUB_ENOTFOUND when not. */
int store_forgotten_find(struct store *st, int64_t tenant_id, const char *source,
    const char *source_ref, struct zpub_err *err);
/* Lets a deleted recording come back (`sync zoom --include-deleted`). */
int store_forgotten_drop(struct store *st, int64_t tenant_id, const char *source,
    const char *source_ref, struct zpub_err *err);

struct store_filter {
	int64_t tenant_id;     /* one tenant, or STORE_ALL_TENANTS */
	int status;            /* -1 = any */
	const char *search;    /* substring of the title, or NULL */
	int limit, offset;     /* limit 0 = no limit */
	int newest_first;
	int review_held;       /* only recordings held at TRANSCRIBED for review */
};
int store_recording_list(struct store *st, const struct store_filter *f,
    struct store_recording ***out, int *n, struct zpub_err *err);
int store_recording_count(struct store *st, const struct store_filter *f, int64_t *n,
    struct zpub_err *err);
void store_recording_list_free(struct store_recording **v, int n);
/* Holds a recording at TRANSCRIBED for review (1) or lets it go (0). */
int store_recording_set_review_hold(struct store *st, int64_t id, int hold,
    struct zpub_err *err);
/* Marks (on) or clears the recording's update_pending: an approved topic
 * version the published videos do not show yet (the daemon sends it). */
int store_recording_set_update_pending(struct store *st, int64_t id, int on,
    struct zpub_err *err);
int store_recording_status_counts(struct store *st, int64_t tenant_id,
    int64_t counts[ST__COUNT], struct zpub_err *err);

/* Moves from -> to if the recording is in `from` and the table allows it
 * (ZPUB_ESTATE otherwise).  detail may be NULL. */
int store_recording_move(struct store *st, int64_t id, enum rec_status from,
    enum rec_status to, const char *detail, struct zpub_err *err);

/* ---- leases ----
 * Takes the recording for `owner` if it is in `status` (or in `running` with
 * a lease that has expired or whose owner process on this host is gone) and
 * nobody else holds a live lease.  On success the recording is in `running`.
 * *resumed is set when an interrupted run was taken over.  ZPUB_EBUSY if held. */
int store_lease_take(struct store *st, int64_t id, enum rec_status status,
    enum rec_status running, const char *owner, int64_t lease_ms, int *resumed,
    struct zpub_err *err);
/* Gives the recording back in `status` (used on cancellation). */
int store_lease_release(struct store *st, int64_t id, const char *owner,
    enum rec_status status, struct zpub_err *err);
/* Records progress and renews the lease.  ZPUB_EBUSY when the lease is
 * lost, ZPUB_ECANCEL ("stopped by ...") when someone asked to stop. */
int store_recording_progress(struct store *st, int64_t id, const char *owner,
    double fraction, const char *what, int64_t eta_ms, int64_t lease_ms,
    struct zpub_err *err);

/* ---- stopping a running stage (store_stop.c) ----
 * A face asks with store_stop_request; the process holding the lease gets
 * ZPUB_ECANCEL from its next store_recording_progress and ends the stage
 * with store_stop_finish: the recording is back at the stage's input
 * status, the lease dropped, the run 'interrupted', a journal line names
 * who stopped it.  The mark stays: store_lease_take refuses the recording
 * (ZPUB_ECANCEL) and the daemon leaves it alone until store_stop_clear
 * (a person runs, retries or publishes it). */

/* Marks recording id of tenant_id (STORE_ALL_TENANTS: any) stopped by by.
 * ZPUB_ESTATE with a sentence when no stage of it is running.  *live
 * (may be NULL) gets whether a process still holds its lease; when none
 * does, nobody will answer and the caller finishes the stop itself
 * (store_stop_finish with owner NULL). */
int store_stop_request(struct store *st, int64_t tenant_id, int64_t id, const char *by,
    int *live, struct zpub_err *err);
struct store_stopped {
	int stopped;              /* 0: it was not running any more */
	enum rec_status from, back;
	char by[128];
};
/* Ends a stage that was asked to stop: owner is the lease holder, or NULL
 * for a holder that is gone (ZPUB_EBUSY while one is alive). */
int store_stop_finish(struct store *st, int64_t id, const char *owner,
    struct store_stopped *out, struct zpub_err *err);
/* Lifts the mark (a journal line says so); *lifted (may be NULL) gets
 * whether there was one.  ZPUB_EBUSY while a stop is on its way to a
 * live holder. */
int store_stop_clear(struct store *st, int64_t id, int *lifted, struct zpub_err *err);
/* 1 when r is in a stage's running status and a live process holds its
 * lease (not expired, not a dead process on this host). */
int store_lease_live(const struct store_recording *r);

/* ---- stage runs ---- */
struct store_stage_run {
	int64_t id;
	char *stage;
	char *state;           /* running, done, failed, interrupted */
	int attempt;
	int64_t started_at, finished_at;
	char *error, *summary;
};
int store_stage_run_start(struct store *st, int64_t rec_id, const char *stage,
    int attempt, const char *owner, int64_t *run_id, struct zpub_err *err);
int store_stage_runs(struct store *st, int64_t rec_id, struct store_stage_run **out,
    int *n, struct zpub_err *err);
void store_stage_runs_free(struct store_stage_run *v, int n);

/* A stage that finished its work. */
struct store_stage_done {
	int64_t rec_id, run_id;
	const char *owner;                  /* who holds the lease */
	enum rec_status running, output;    /* the move it makes */
	const struct stage_artifact *arts;  /* they replace the artefacts of their kinds */
	int n_arts;
	const char *summary;
};
/* The end of a stage, in one transaction: finish the run, replace the
 * recording's artefacts of the kinds in arts, move running -> output, drop
 * the lease, reset attempts, journal it. */
int store_stage_complete(struct store *st, const struct store_stage_done *d,
    struct zpub_err *err);
/* A stage that failed. */
struct store_stage_failure {
	int64_t rec_id, run_id;
	const char *owner;                  /* who holds the lease */
	const char *stage;
	enum rec_status retry_to;           /* where a retry starts again */
	const char *reason;
	int64_t next_retry_at;              /* 0: no automatic retry */
	int count_attempt;                  /* 0: a wait (a quota), not an attempt */
};
/* The failure of a stage, in one transaction: run failed, recording FAILED
 * with stage, reason, attempts+count_attempt and next_retry_at, lease dropped. */
int store_stage_fail(struct store *st, const struct store_stage_failure *f,
    struct zpub_err *err);
/* A stage found its source gone: run failed, recording EXPIRED with the
 * reason, lease dropped, in one transaction. */
int store_stage_expire(struct store *st, int64_t rec_id, int64_t run_id, const char *owner,
    const char *reason, struct zpub_err *err);
/* FAILED -> the failed stage's input status (retry_to), due now.  ZPUB_ESTATE if not FAILED. */
int store_recording_retry(struct store *st, int64_t id, struct zpub_err *err);

/* ---- artefacts ---- */
struct store_artifact {
	int64_t id;
	char *kind;
	char *path;            /* absolute */
	int64_t bytes;
	char *sha256;
	char *extra;           /* JSON object */
	int64_t created_at;
};
/* kind NULL = all kinds. */
int store_artifacts(struct store *st, int64_t rec_id, const char *kind,
    struct store_artifact **out, int *n, struct zpub_err *err);
void store_artifacts_free(struct store_artifact *v, int n);
/* A file a stage produced (or an import brought), to be added. */
struct stage_artifact {
	char *kind;     /* "cut_video", "time_map", "audio_chunk", ... */
	char *path;     /* absolute */
	int64_t bytes;
	char sha256[65];
	cJSON *extra;   /* kind-specific fields (duration_ms, offset_ms, ...), owned */
};
/* Adds artefacts in the current transaction or its own (the import path). */
int store_artifact_add(struct store *st, int64_t rec_id, const struct stage_artifact *a,
    struct zpub_err *err);
/* Replaces the recording's artefacts of the kinds in arts with arts, in one
 * transaction (what a stage run outside the runner made). */
int store_artifacts_replace(struct store *st, int64_t rec_id, const struct stage_artifact *arts,
    int n, struct zpub_err *err);

/* ---- topic versions ---- */
struct store_topic_version {
	int64_t id;
	int version;
	char *json;
	char *source;
	char *approved_by;
	int64_t approved_at, created_at;
};
int store_topic_version_add(struct store *st, int64_t rec_id, const char *json,
    const char *source, int *version, struct zpub_err *err);
/* Newest approved if approved_only, else newest.  ZPUB_ENOTFOUND if none. */
int store_topic_version_latest(struct store *st, int64_t rec_id, int approved_only,
    struct store_topic_version *out, struct zpub_err *err);
int store_topic_versions(struct store *st, int64_t rec_id, struct store_topic_version **out,
    int *n, struct zpub_err *err);
int store_topic_version_approve(struct store *st, int64_t rec_id, int version,
    const char *by, struct zpub_err *err);
void store_topic_version_clear(struct store_topic_version *v);
void store_topic_versions_free(struct store_topic_version *v, int n);

/* ---- cut overrides (an editor's keep and remove ranges) ---- */
struct store_cut_override {
	int64_t start_ms, end_ms;  /* on the source recording */
	int keep;                  /* 1 keep, 0 remove */
	char *by;                  /* who made it */
	int64_t created_at;
};
/* A recording's overrides in source order (disjoint). */
int store_cut_overrides(struct store *st, int64_t rec_id, struct store_cut_override **out,
    int *n, struct zpub_err *err);
/* Replaces all of them (in the caller's transaction, if any). */
int store_cut_overrides_replace(struct store *st, int64_t rec_id,
    const struct store_cut_override *v, int n, struct zpub_err *err);
void store_cut_overrides_free(struct store_cut_override *v, int n);

/* ---- slide changes and the chosen thumbnail ---- */
struct store_slide {
	int64_t at_ms;             /* on the source recording */
	int64_t out_ms;            /* on the cut video, -1 when cut away */
	double change;             /* share of the picture that changed */
};
/* A recording's slide changes in time order (*out malloc'd, free()). */
int store_slides(struct store *st, int64_t rec_id, struct store_slide **out, int *n,
    struct zpub_err *err);
/* Replaces them all, in one transaction. */
int store_slides_replace(struct store *st, int64_t rec_id, const struct store_slide *v, int n,
    struct zpub_err *err);
/* Marks the thumbnail artefact artifact_id chosen (its extra "chosen" true,
 * "titled" the file name of the picture with the title drawn on, or null)
 * and every other thumbnail of the recording not chosen. */
int store_thumbnail_choose(struct store *st, int64_t rec_id, int64_t artifact_id,
    const char *titled, struct zpub_err *err);

/* ---- publications ---- */
struct store_publication {
	int64_t id;
	int64_t recording_id;
	char *platform, *target, *state;   /* state: pending, uploading, done, failed */
	char *remote_id, *upload_url, *url, *error;
	int64_t bytes_acked, bytes_total;
	int attempts;
	int64_t next_retry_at;
	char *extra;
};
/* Creates the row if missing (state pending); returns its id. */
int store_publication_ensure(struct store *st, int64_t rec_id, const char *platform,
    const char *target, int64_t *id, struct zpub_err *err);
int store_publication_get(struct store *st, int64_t id, struct store_publication *out,
    struct zpub_err *err);
int store_publications(struct store *st, int64_t rec_id, struct store_publication **out,
    int *n, struct zpub_err *err);
/* A change to one publication, written with designated initializers: what
 * it does not name stays as it is. */
struct store_publication_change {
	const char *state;       /* NULL: unchanged; "failed" also counts an attempt */
	const char *remote_id;   /* NULL: unchanged */
	const char *upload_url;  /* NULL: unchanged; "" records that no session is open */
	const char *url;         /* NULL: unchanged */
	const char *error;       /* NULL: unchanged, unless clear_error */
	int clear_error;         /* the publication has no error any more */
	int set_bytes;           /* write bytes_acked and bytes_total */
	int64_t bytes_acked, bytes_total;
};
int store_publication_update(struct store *st, int64_t id,
    const struct store_publication_change *c, struct zpub_err *err);
int store_publication_set_extra(struct store *st, int64_t id, const char *json,
    struct zpub_err *err);
void store_publication_clear(struct store_publication *p);
void store_publications_free(struct store_publication *v, int n);

/* ---- credentials (ciphertext only; see vault.h) ---- */
struct store_credential {
	int64_t tenant_id;
	char *tenant;          /* tenant name */
	char *name;
	int64_t expires_at, created_at, updated_at;
	char *state;
};
int store_credential_put(struct store *st, int64_t tenant_id, const char *name,
    const unsigned char *ct, size_t ct_len, const unsigned char *nonce, size_t nonce_len,
    int64_t expires_at, struct zpub_err *err);
/* Returns malloc'd ciphertext; ZPUB_ENOTFOUND if none. */
int store_credential_get(struct store *st, int64_t tenant_id, const char *name,
    unsigned char **ct, size_t *ct_len, unsigned char *nonce, size_t nonce_len,
    int64_t *expires_at, struct zpub_err *err);
int store_credential_set_state(struct store *st, int64_t tenant_id, const char *name,
    const char *state, struct zpub_err *err);
int store_credential_delete(struct store *st, int64_t tenant_id, const char *name,
    struct zpub_err *err);
/* One tenant's secrets by name, or every tenant's (STORE_ALL_TENANTS: the
 * vault's own checks, since one key serves all tenants). */
int store_credentials(struct store *st, int64_t tenant_id, struct store_credential **out,
    int *n, struct zpub_err *err);
void store_credentials_free(struct store_credential *v, int n);

/* ---- usage, audit, journal ---- */
int store_usage_add(struct store *st, int64_t tenant_id, int64_t rec_id, const char *kind,
    const char *provider, double amount, double cost, struct zpub_err *err);
int store_audit(struct store *st, int64_t tenant_id, const char *actor, const char *action,
    const char *object, const char *origin);

struct store_journal_entry {
	int64_t id, recording_id, at;
	char *level, *event, *message;
};
/* Never fails loudly: the journal must not stop the work it records. */
void store_journal(struct store *st, int64_t rec_id, const char *level, const char *event,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int store_journal_list(struct store *st, int64_t rec_id, int limit,
    struct store_journal_entry **out, int *n, struct zpub_err *err);
/* store_journal_list's page before journal line before_id (0 = from the
 * newest), newest first: the next page is before the last line's id. */
int store_journal_page(struct store *st, int64_t rec_id, int64_t before_id, int limit,
    struct store_journal_entry **out, int *n, struct zpub_err *err);
void store_journal_free(struct store_journal_entry *v, int n);

#endif
