/*
 * store_quota.h — what the quota checks and the per-face metering read and
 * write: the face a store handle meters for, the stages running under live
 * leases in every process, the face that asked for a recording's work, usage
 * per face, and the once-per-period quota_reached notification.
 */
#ifndef ZPUB_STORE_QUOTA_H
#define ZPUB_STORE_QUOTA_H

#include <stdint.h>

#include "err.h"

struct store;

/* The face ("cli", "tui", "daemon", "api", "job") that usage rows written
 * through this handle carry (store_usage_add); "" until set. */
void store_set_face(struct store *st, const char *face);
const char *store_face(struct store *st);

/* Stages of tenant_id running now under a live lease, in any process on
 * any host (a lease of a dead local process does not count); leases held
 * by except_owner (may be NULL) are left out, and so is recording
 * except_rec (0: none). */
int store_leases_running(struct store *st, int64_t tenant_id, const char *except_owner,
    int64_t except_rec, int *n, struct zpub_err *err);

/* The face that last asked the daemon to work on recording id (NULL
 * clears it); *face gets "" when none did. */
int store_recording_set_work_face(struct store *st, int64_t id, const char *face,
    struct zpub_err *err);
int store_recording_work_face(struct store *st, int64_t id, char *face, size_t len,
    struct zpub_err *err);

/* Sum of kind per face over [from_ms, to_ms); one tenant or
 * STORE_ALL_TENANTS.  Rows written before faces were kept have face "". */
struct store_face_row {
	char *face;
	double amount;
};
int store_usage_by_face(struct store *st, int64_t tenant_id, const char *kind, int64_t from_ms,
    int64_t to_ms, struct store_face_row **out, int *n, struct zpub_err *err);
void store_face_rows_free(struct store_face_row *v, int n);

/* A quota_reached event for tenant_id (about recording rec_id, 0: the
 * tenant), unless one whose reason contains `quota` was written since
 * since_ms: a refused face notifies once per tenant, quota and period.
 * *sent is 1 when this call wrote it. */
int store_notify_quota_once(struct store *st, int64_t tenant_id, int64_t rec_id,
    const char *quota, int64_t since_ms, const char *reason, int *sent, struct zpub_err *err);

#endif
