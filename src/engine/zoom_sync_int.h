/*
 * zoom_sync_int.h — what the sync of one user's recordings (zoom_sync.c)
 * shares with the walk of a whole account (zoom_walk.c): the state of one
 * run and the function that turns a listed meeting into recordings.
 */
#ifndef ZPUB_ZOOM_SYNC_INT_H
#define ZPUB_ZOOM_SYNC_INT_H

#include <stdint.h>
#include <cJSON.h>

#include "err.h"

struct store;
struct store_template;
struct zoom_client;
struct zoom_window;
struct zoom_sync_opts;

struct sync_run {
	struct store *st;
	int64_t tenant_id;          /* where new recordings go (the walk switches it per host) */
	const char *tenant_name;    /* the walk: for the report's rows */
	const char *host;           /* the walk: the host's e-mail, kept on new recordings */
	const struct zoom_sync_opts *o;
	cJSON *created, *skipped;
	int existing, processing;
	int forgotten;              /* deleted here, so kept out */
	int refreshed;              /* known, not downloaded, with new download data */
	char **seen;                /* file ids Zoom listed */
	int nseen, capseen;
	struct store_template *tpl; /* for dry runs: which template would match */
	int ntpl;
	int64_t *new_ids;
	int n_new, cap_new;
};

/* zoom_meeting_fn: the meeting's files not known yet become recordings of
 * s->tenant_id (ud is the struct sync_run). */
int zoom_sync_on_meeting(void *ud, const cJSON *meeting, struct zpub_err *err);

/* The walk of the whole account (providers.zoom.scope "account"): lists
 * the users, routes each host to a tenant by providers.zoom.hosts and lists
 * each routed user's windows, keeping its progress in the store (not in a
 * dry run) so that a walk cut short goes on where it stopped.  Adds "users",
 * "users_routed", "users_gone" (deleted in Zoom since they were listed),
 * "resumed", "hosts_unrouted" and "unrouted" ([{"host","reason"}]) to report.
 * *windows_done: windows listed by this call (all users). */
int zoom_walk_account(struct sync_run *s, struct zoom_client *zc, const cJSON *cfg,
    const struct zoom_window *w, int nw, cJSON *report, int *windows_done,
    struct zpub_err *err);

#endif
