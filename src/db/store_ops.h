/*
 * store_ops.h — what the operator's endpoints read from the store:
 * recordings counted by tenant and status, finished stage runs for the
 * duration histograms (/metrics), and whether the database takes a write
 * (/ready).  Across all tenants: only operator paths call these.
 */
#ifndef ZPUB_STORE_OPS_H
#define ZPUB_STORE_OPS_H

#include <stdint.h>

#include "err.h"

struct store;

struct store_status_count {
	char *tenant, *status;
	int64_t count;
};
int store_ops_status_counts(struct store *st, struct store_status_count **out, int *n,
    struct zpub_err *err);
void store_ops_status_counts_free(struct store_status_count *v, int n);

/* Finished stage runs (done or failed) with their wall time. */
struct store_run_time {
	char *stage, *state;
	int64_t duration_ms;
};
int store_ops_run_times(struct store *st, struct store_run_time **out, int *n,
    struct zpub_err *err);
void store_ops_run_times_free(struct store_run_time *v, int n);

/* Takes the write lock and lets it go (BEGIN IMMEDIATE; ROLLBACK), waiting
 * at most wait_ms for another writer: 0 when the database takes writes. */
int store_ops_write_check(struct store *st, int wait_ms, struct zpub_err *err);

#endif
