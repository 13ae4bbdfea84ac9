/*
 * metrics.h — the daemon's in-process counters and the Prometheus text
 * writer that GET /metrics answers with.
 *
 * The counted families are one table (METRICS below): each row is a
 * counter with its label names, counted since the process started.  What
 * the store knows (recordings by status, stage durations) is read at each
 * scrape by api_routes_ops.c and written with the same writer.  Counting
 * is thread-safe (one mutex; the API thread, the stage workers and the
 * HTTP clients count at once).
 */
#ifndef ZPUB_METRICS_H
#define ZPUB_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* X(id, name, help, number of labels, label names...) */
#define METRICS(X) \
	X(M_API_REQUESTS, "zpub_api_requests_total", \
	  "Control API requests by route pattern, method and HTTP status", 3, \
	  "route", "method", "code") \
	X(M_STAGE_FAILURES, "zpub_stage_failures_total", \
	  "Failed stage runs by stage and reason class (the error code's name)", 2, \
	  "stage", "reason") \
	X(M_UPLOAD_BYTES, "zpub_uploaded_bytes_total", \
	  "Bytes of video published, by target", 1, "target") \
	X(M_PROVIDER_RETRIES, "zpub_provider_retries_total", \
	  "Requests to a service repeated after a transient failure", 1, "provider") \
	X(M_PROVIDER_ERRORS, "zpub_provider_errors_total", \
	  "Requests to a service that failed for good (after their retries)", 1, "provider")

enum metric_id {
#define X(id, name, help, n, ...) id,
	METRICS(X)
#undef X
	M_COUNT
};

#define METRICS_MAX_LABELS 3

/* Adds v (>= 0) to the counter of id with these label values (as many as
 * the row names; NULL counts as ""). */
void metrics_add(enum metric_id id, const char *const *labels, double v);
/* The value now (0 when never counted); for tests. */
double metrics_get(enum metric_id id, const char *const *labels);

/* Counts the HTTP clients' retries and final errors (net's http.h
 * observer) from now on. */
void metrics_watch_http(void);

/* ---- the text exposition format (version 0.0.4) ---- */

struct metrics_text {
	char *buf;
	size_t len, cap;
};

/* "# HELP" and "# TYPE" lines of a family; type is counter, gauge or
 * histogram. */
void metrics_text_family(struct metrics_text *t, const char *name, const char *type,
    const char *help);
/* One sample: name{k="v",...} value, label values escaped (\\, \", \n). */
void metrics_text_sample(struct metrics_text *t, const char *name, int n_labels,
    const char *const *keys, const char *const *values, double value);

/* A histogram with fixed upper bounds (ascending, +Inf added). */
struct metrics_hist {
	const double *bounds;
	int n_bounds;
	uint64_t *counts;           /* n_bounds + 1: per bucket, not cumulative */
	double sum;
	uint64_t count;
};
void metrics_hist_observe(struct metrics_hist *h, double v);
/* name_bucket{...,le="B"} (cumulative, ending in +Inf), name_sum, name_count. */
void metrics_text_hist(struct metrics_text *t, const char *name, int n_labels,
    const char *const *keys, const char *const *values, const struct metrics_hist *h);

/* Every family of METRICS, declared even when nothing was counted yet. */
void metrics_text_counters(struct metrics_text *t);

#endif
