/*
 * audit.h — who changed what, when, from where.  The engine's writes
 * (edit.h) and every other change a face makes (job, tenant, user,
 * credential changes, publish, delete) call audit_note() after it
 * succeeds; `zpub audit` and GET /audit read it.
 *
 * Who is a struct actor that the face fills in and the engine formats:
 * the row's actor is "KIND:USER" ("cli:alice", "tui:alice", "api:egor"),
 * its origin the API client's address or else the kind ("cli", "tui").
 */
#ifndef ZPUB_AUDIT_H
#define ZPUB_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct store;

enum actor_kind { ACTOR_CLI, ACTOR_TUI, ACTOR_API, ACTOR_DAEMON };

struct actor {
	enum actor_kind kind;
	char user[128];          /* the login name, or the API token's user */
	int64_t tenant_id;       /* the tenant the change is made in */
	char from[96];           /* the API client's address; "" = the kind's name */
};

/* The person running this process ($USER, else the uid's name) through
 * a face of this process (never fails).  A command the terminal app runs
 * as its child (ZPUB_FACE=tui in its environment, see ui/children.c) acts
 * for the terminal app: ACTOR_CLI becomes ACTOR_TUI there. */
void actor_local(struct actor *a, enum actor_kind kind, int64_t tenant_id);

/* "cli", "tui", "api", "daemon": the actor's face, as usage rows keep it. */
const char *actor_kind_name(enum actor_kind kind);

/* "cli:alice": the audit row's actor, and a journal line's "by". */
const char *actor_name(const struct actor *a, char *buf, size_t len);

/* Writes one audit row in a->tenant_id; never fails the caller (a
 * failure is logged). */
void audit_note(struct store *st, const struct actor *a, const char *action,
    const char *object_fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
