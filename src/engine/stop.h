/*
 * stop.h — stopping a running stage from any face: `zpub stop`, the
 * terminal app's stop key and POST /recordings/{id}/cancel call this, and
 * the daemon finishes the stops nobody else can.
 *
 * The request is a mark in the store (store_stop_request), so it reaches
 * the process running the stage wherever it was started on this machine:
 * the daemon, `zpub run`, the terminal app's child.  That process stops at
 * its next progress report (pipeline.c), removes its half-written files and
 * puts the recording back at the stage's input status — its last finished
 * one, never FAILED — with a journal line naming who stopped it.  When
 * nobody holds the lease any more (a crashed run), the stop is finished
 * here.  A stopped recording stays where it is: the daemon does not take it
 * again until a person runs, retries or publishes it.
 */
#ifndef ZPUB_STOP_H
#define ZPUB_STOP_H

#include <stdint.h>

#include "audit.h"
#include "err.h"
#include "status.h"

struct store;
struct store_recording;

struct stop_result {
	int done;                 /* 1: stopped; 0: asked, its holder still runs */
	enum rec_status status;   /* where it is now */
	char holder[160];         /* the lease owner asked, when not done */
};

/* Asks the stage of recording rec_id (of who's tenant) to stop, as who,
 * and audits "stop".  With wait_ms > 0, waits up to that long for it.
 * ZPUB_ESTATE with a sentence when nothing runs, ZPUB_ENOTFOUND when the
 * tenant has no such recording. */
int stop_recording(struct store *st, const struct actor *who, int64_t rec_id, int64_t wait_ms,
    struct stop_result *res, struct zpub_err *err);

/* For the daemon: r has a stop mark; when it is still in a running status
 * and its holder is gone, finishes the stop.  1 when it did. */
int stop_settle(struct store *st, const struct store_recording *r);

#endif
