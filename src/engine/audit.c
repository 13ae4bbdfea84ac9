/*
 * audit.c — writing audit rows with a readable actor and object.
 */
#include "audit.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

static const char *const kind_names[] = { "cli", "tui", "api", "daemon" };

void
actor_local(struct actor *a, enum actor_kind kind, int64_t tenant_id)
{
	memset(a, 0, sizeof *a);
	const char *face = getenv("ZPUB_FACE");
	if (kind == ACTOR_CLI && face && strcmp(face, "tui") == 0)
		kind = ACTOR_TUI;
	a->kind = kind;
	a->tenant_id = tenant_id;
	const char *u = getenv("USER");
	if (u == NULL || *u == '\0') {
		struct passwd *pw = getpwuid(getuid());
		u = pw ? pw->pw_name : NULL;
	}
	if (u)
		snprintf(a->user, sizeof a->user, "%s", u);
	else
		snprintf(a->user, sizeof a->user, "uid%d", (int)getuid());
}

const char *
actor_kind_name(enum actor_kind kind)
{
	return kind_names[kind];
}

const char *
actor_name(const struct actor *a, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s", kind_names[a->kind], a->user);
	return buf;
}

void
audit_note(struct store *st, const struct actor *a, const char *action,
    const char *object_fmt, ...)
{
	char obj[512], who[160];
	va_list ap;
	va_start(ap, object_fmt);
	vsnprintf(obj, sizeof obj, object_fmt, ap);
	va_end(ap);
	actor_name(a, who, sizeof who);
	const char *origin = a->from[0] ? a->from : kind_names[a->kind];
	if (store_audit(st, a->tenant_id, who, action, obj, origin) != 0)
		log_warn("could not write the audit row '%s %s' by %s", action, obj, who);
}
