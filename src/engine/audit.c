/*
 * audit.c — writing audit rows with a readable actor and object.
 */
#include "audit.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

const char *
audit_cli_actor(char *buf, size_t len)
{
	const char *u = getenv("USER");
	if (u == NULL || *u == '\0') {
		struct passwd *pw = getpwuid(getuid());
		u = pw ? pw->pw_name : NULL;
	}
	if (u)
		snprintf(buf, len, "cli:%s", u);
	else
		snprintf(buf, len, "cli:uid%d", (int)getuid());
	return buf;
}

void
audit_note(struct store *st, int64_t tenant_id, const char *actor, const char *origin,
    const char *action, const char *object_fmt, ...)
{
	char obj[512];
	va_list ap;
	va_start(ap, object_fmt);
	vsnprintf(obj, sizeof obj, object_fmt, ap);
	va_end(ap);
	if (store_audit(st, tenant_id, actor, action, obj, origin) != 0)
		log_warn("could not write the audit row '%s %s' by %s", action, obj, actor);
}
