/*
 * stop.c — stopping a running stage from any face (see stop.h): ask
 * through the store, finish it here when the holder is gone, wait for it
 * when asked to.
 */
#include "stop.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pipeline.h"
#include "store.h"
#include "util.h"

/* The holder is gone: its half-written files go (nobody else may take the
 * recording while it carries the mark), then the status moves back. */
static int
finish_here(struct store *st, const struct store_recording *r, struct store_stopped *out,
    struct zpub_err *err)
{
	char *dir = pipeline_media_dir(store_data_dir(st), r->tenant, r->id);
	pipeline_sweep_tmp(dir, r->id);
	free(dir);
	return store_stop_finish(st, r->id, NULL, out, err);
}

int
stop_settle(struct store *st, const struct store_recording *r)
{
	struct store_stopped out;
	struct zpub_err err;
	const struct stage_def *sd = pipeline_stage_for_input(NULL, r->status);
	if (r->stop_by == NULL || sd == NULL || sd->running != r->status || store_lease_live(r))
		return 0;
	if (finish_here(st, r, &out, &err) != 0) {
		log_warn("recording %lld: could not finish the stop: %s", (long long)r->id, err.msg);
		return 0;
	}
	if (out.stopped)
		log_info("recording %lld: %s stopped by %s (its process was gone); it is %s again",
		    (long long)r->id, sd->name, out.by, status_name(out.back));
	return out.stopped;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int
stop_recording(struct store *st, const struct actor *who, int64_t rec_id, int64_t wait_ms,
    struct stop_result *res, struct zpub_err *err)
{
	char by[160];
	int live = 0, rc;
	int64_t deadline = time_mono_ms() + (wait_ms > 0 ? wait_ms : 0);

	memset(res, 0, sizeof *res);
	actor_name(who, by, sizeof by);
	if ((rc = store_stop_request(st, who->tenant_id, rec_id, by, &live, err)) != 0)
		return rc;
	audit_note(st, who, "stop", "recording %lld", (long long)rec_id);
	for (;;) {
		struct store_recording *r = NULL;
		struct store_stopped out;
		if ((rc = store_recording_get(st, rec_id, &r, err)) != 0)
			return rc;
		const struct stage_def *sd = pipeline_stage_for_input(NULL, r->status);
		res->status = r->status;
		if (sd == NULL || sd->running != r->status) {
			res->done = 1;          /* its holder stopped it (or it just ended) */
		} else if (!store_lease_live(r)) {
			rc = finish_here(st, r, &out, err);
			if (rc == 0) {
				res->done = 1;
				res->status = out.back;
			}
		} else
			snprintf(res->holder, sizeof res->holder, "%s", r->lease_owner);
		store_recording_free(r);
		if (rc || res->done || time_mono_ms() >= deadline)
			return rc;
		nap_ms(100);
	}
}
