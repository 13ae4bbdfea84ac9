/*
 * store_zoom.h — the progress of an account-wide Zoom walk (store_zoom.c):
 * which users the walk lists and how many of each user's month windows are
 * done, so that a walk cut short goes on where it stopped.
 */
#ifndef ZPUB_STORE_ZOOM_H
#define ZPUB_STORE_ZOOM_H

#include <stdint.h>

#include "err.h"

struct store;

struct store_walk_user {
	char *user_id;
	char *email;
	int windows_done;          /* windows listed completely, in order */
};

/* The walk named key (what is walked: range and which users), created when
 * there is none.  *users_listed: 1 when its users are saved (then *users,
 * *n hold them in listing order), 0 when the users must be listed first. */
int store_walk_open(struct store *st, const char *key, int64_t *walk_id, int *users_listed,
    struct store_walk_user **users, int *n, struct zpub_err *err);
void store_walk_users_free(struct store_walk_user *v, int n);

/* Saves the users the walk will visit, in one transaction, and marks them
 * listed. */
int store_walk_set_users(struct store *st, int64_t walk_id, const struct store_walk_user *v,
    int n, struct zpub_err *err);

/* Records that user's windows up to windows_done are listed completely. */
int store_walk_user_done(struct store *st, int64_t walk_id, const char *user_id,
    int windows_done, struct zpub_err *err);

/* Forgets a finished walk (the next sync starts a new one). */
int store_walk_finish(struct store *st, int64_t walk_id, struct zpub_err *err);

#endif
