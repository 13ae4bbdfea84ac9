/*
 * store_oauth.h — sign-ins waiting for their OAuth callback (the API's
 * headless flow; migrations/017_oauth_pending.sql).  A row is written when
 * a sign-in starts and taken, once, by the callback that carries its state.
 */
#ifndef ZPUB_STORE_OAUTH_H
#define ZPUB_STORE_OAUTH_H

#include <stdint.h>

#include "err.h"

struct store;

struct store_oauth_pending {
	char state_id[65];
	int64_t tenant_id;
	char provider[16];
	char *account;             /* NULL: the default account */
	char *redirect_uri;
	char *verifier;            /* sealed */
	char *actor;
	int64_t created_at, expires_at;
};

/* Writes p, dropping rows that expired before now_ms first. */
int store_oauth_pending_put(struct store *st, const struct store_oauth_pending *p,
    int64_t now_ms, struct zpub_err *err);
/* Reads and deletes the row of state_id in one transaction, so only one
 * caller ever gets it; ZPUB_ENOTFOUND when there is none (never made,
 * already taken).  Expired rows are returned: the caller says so. */
int store_oauth_pending_take(struct store *st, const char *state_id,
    struct store_oauth_pending *out, struct zpub_err *err);
void store_oauth_pending_clear(struct store_oauth_pending *p);

#endif
