/*
 * audit.h — who changed what, when, from where.  Every front calls
 * audit_note() after a change succeeds (template, job, tenant, user,
 * credential changes, publish, delete); `zpub audit` and GET /audit read it.
 */
#ifndef ZPUB_AUDIT_H
#define ZPUB_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* "cli:alice" for the user running the command (never fails). */
const char *audit_cli_actor(char *buf, size_t len);

/* Writes one audit row; never fails the caller (a failure is logged). */
void audit_note(struct store *st, int64_t tenant_id, const char *actor, const char *origin,
    const char *action, const char *object_fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
