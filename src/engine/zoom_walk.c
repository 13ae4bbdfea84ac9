/*
 * zoom_walk.c — the walk of a whole Zoom account (providers.zoom.scope
 * "account"): the account's users (active, and inactive when
 * providers.zoom.include_inactive says so), each host routed to a tenant by
 * providers.zoom.hosts, and each routed user's recordings month window by
 * month window through the same code as a one-user sync (zoom_sync.c).
 * The walk's progress (its users, and per user the windows done) is kept
 * in the store, so a walk cut short (kill -9, Zoom's daily limit) goes on
 * where it stopped; a finished walk is forgotten.  Zoom's rate limits are
 * the client's one retry policy, shared by every call of the walk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zoom_sync.h"
#include "zoom_sync_int.h"

#include "config.h"
#include "log.h"
#include "store.h"
#include "store_admin.h"
#include "store_zoom.h"
#include "template.h"
#include "util.h"
#include "zoom.h"

/* ---- routing hosts to tenants ------------------------------------------------ */

/* The ']' closing the class that opens at p ("[!]a]": a ']' first is a
 * member), or NULL when there is none (then '[' is a literal). */
static const char *
class_end(const char *p)
{
	const char *q = p + 1;
	if (*q == '!' || *q == '^')
		q++;
	if (*q == ']')
		q++;
	return strchr(q, ']');
}

/* How specific a glob is: its literal characters (outside * ? and [...])
 * and its wildcards (each * ?, and each [...] class). */
static void
glob_weight(const char *g, int *literal, int *wild)
{
	*literal = *wild = 0;
	for (const char *p = g; *p; p++) {
		if (*p == '*' || *p == '?') {
			(*wild)++;
		} else if (*p == '[' && class_end(p)) {
			(*wild)++;
			p = class_end(p);
		} else {
			if (*p == '\\' && p[1])
				p++;
			if (((unsigned char)*p & 0xC0) != 0x80)
				(*literal)++;   /* code points, not bytes */
		}
	}
}

int
zoom_host_route(const cJSON *hosts, const char *email, const char **tenant,
    const char **glob)
{
	const cJSON *best = NULL;
	int best_lit = -1, best_wild = 0;

	*tenant = NULL;
	if (glob)
		*glob = NULL;
	if (email == NULL || *email == '\0')
		return 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, hosts) {
		if (e->string == NULL || !cJSON_IsString(e) || e->valuestring[0] == '\0')
			continue;
		if (!tpl_glob_match(e->string, email, 0))
			continue;
		int lit, wild;
		glob_weight(e->string, &lit, &wild);
		/* most literal characters, then fewest wildcards, then the first */
		if (best == NULL || lit > best_lit || (lit == best_lit && wild < best_wild)) {
			best = e;
			best_lit = lit;
			best_wild = wild;
		}
	}
	if (best == NULL)
		return 0;
	*tenant = best->valuestring;
	if (glob)
		*glob = best->string;
	return 1;
}

/* ---- the walk ----------------------------------------------------------------- */

struct walk_tenant {
	char *name;
	int64_t id;                 /* 0: no such tenant */
};

static void
unrouted_add(cJSON *list, const char *host, const char *why)
{
	cJSON *row = cJSON_CreateObject();
	cJSON_AddStringToObject(row, "host", host);
	cJSON_AddStringToObject(row, "reason", why);
	cJSON_AddItemToArray(list, row);
}

/* Points s at tenant name (its id and, for dry runs' report, its templates). */
static int
switch_tenant(struct sync_run *s, const char *name, struct zpub_err *err)
{
	int64_t id = 0;
	int rc = store_tenant_id(s->st, name, &id, err);
	if (rc != 0)
		return rc;
	if (id != s->tenant_id) {
		store_templates_free(s->tpl, s->ntpl);
		s->tpl = NULL;
		s->ntpl = 0;
		if (store_templates(s->st, id, &s->tpl, &s->ntpl, NULL) != 0) {
			s->tpl = NULL;
			s->ntpl = 0;
		}
		s->tenant_id = id;
	}
	s->tenant_name = name;
	return 0;
}

/* The users to visit: the saved ones of a walk cut short, else a new
 * listing (saved before any recording is listed). */
static int
walk_users(struct sync_run *s, struct zoom_client *zc, const char *key, int inactive,
    int64_t *walk_id, int *resumed, struct store_walk_user **users, int *n, struct zpub_err *err)
{
	int listed = 0, rc;

	*resumed = 0;
	if (!s->o->dry_run) {
		rc = store_walk_open(s->st, key, walk_id, &listed, users, n, err);
		if (rc != 0)
			return rc;
		if (listed) {
			*resumed = 1;
			return 0;
		}
	}
	struct zoom_user *zu = NULL;
	int nz = 0;
	if ((rc = zoom_list_users(zc, inactive, &zu, &nz, err)) != 0)
		return rc;
	*users = xcalloc((size_t)nz + 1, sizeof **users);
	for (int i = 0; i < nz; i++) {
		(*users)[i].user_id = zu[i].id;
		(*users)[i].email = zu[i].email;
		zu[i].id = zu[i].email = NULL;
	}
	*n = nz;
	zoom_users_free(zu, nz);
	if (!s->o->dry_run)
		return store_walk_set_users(s->st, *walk_id, *users, *n, err);
	return 0;
}

int
zoom_walk_account(struct sync_run *s, struct zoom_client *zc, const cJSON *cfg,
    const struct zoom_window *w, int nw, cJSON *report, int *windows_done,
    struct zpub_err *err)
{
	const cJSON *hosts = config_find(cfg, "providers.zoom.hosts");
	int inactive = config_bool(cfg, "providers.zoom.include_inactive", 0);
	struct store_walk_user *u = NULL;
	int nu = 0, resumed = 0, rc, unrouted = 0, routed = 0, gone = 0;
	int64_t walk_id = 0;
	int64_t home_tenant = s->tenant_id;
	cJSON *unrouted_list = cJSON_CreateArray();

	*windows_done = 0;
	char *key = xasprintf("%s..%s%s", nw ? w[0].from : "", nw ? w[nw - 1].to : "",
	    inactive ? "+inactive" : "");
	rc = walk_users(s, zc, key, inactive, &walk_id, &resumed, &u, &nu, err);
	if (rc != 0)
		zpub_err_prefix(err, "the walk of the Zoom account could not list its users");
	for (int i = 0; rc == 0 && i < nu; i++) {
		const char *tenant = NULL, *glob = NULL;
		if (!zoom_host_route(hosts, u[i].email, &tenant, &glob)) {
			unrouted++;
			unrouted_add(unrouted_list, u[i].email, "no glob of providers.zoom.hosts"
			    " matches this host");
			continue;
		}
		struct zpub_err terr = {0};
		if (switch_tenant(s, tenant, &terr) != 0) {
			unrouted++;
			char *why = xasprintf("providers.zoom.hosts sends it (by \"%s\") to tenant"
			    " '%s', which does not exist; create it with 'zpub tenant add %s'", glob,
			    tenant, tenant);
			unrouted_add(unrouted_list, u[i].email, why);
			log_warn("Zoom host %s: %s", u[i].email, why);
			free(why);
			continue;
		}
		routed++;
		s->host = u[i].email;
		for (int k = u[i].windows_done; rc == 0 && k < nw; k++) {
			char what[160];
			snprintf(what, sizeof what, "listing Zoom %s..%s of %s", w[k].from, w[k].to,
			    u[i].email);
			double frac = nu ? (i + (double)k / nw) / nu : 1;
			if (zpub_progress_report(&s->o->progress, frac, what)) {
				rc = zpub_err_set(err, ZPUB_ECANCEL, "Zoom sync cancelled");
				break;
			}
			rc = zoom_list_user_window(zc, u[i].user_id, &w[k], zoom_sync_on_meeting, s, err);
			if (rc == ZPUB_ENOTFOUND) {
				/* deleted in Zoom since the users were listed: nothing to walk */
				log_warn("Zoom sync: %s", err->msg);
				zpub_err_clear(err);
				gone++;
				rc = 0;
				if (!s->o->dry_run)
					rc = store_walk_user_done(s->st, walk_id, u[i].user_id, nw, err);
				break;
			}
			if (rc != 0) {
				zpub_err_prefix(err, "the walk of the Zoom account stopped at %s, %s..%s"
				    " (run 'zpub sync zoom' again: it goes on from there)", u[i].email,
				    w[k].from, w[k].to);
				break;
			}
			(*windows_done)++;
			if (!s->o->dry_run)
				rc = store_walk_user_done(s->st, walk_id, u[i].user_id, k + 1, err);
		}
		s->host = NULL;
	}
	if (rc == 0 && walk_id && !s->o->dry_run)
		rc = store_walk_finish(s->st, walk_id, err);
	/* the run's own tenant again, for what zoom_sync does after the walk */
	if (s->tenant_id != home_tenant) {
		store_templates_free(s->tpl, s->ntpl);
		s->tpl = NULL;
		s->ntpl = 0;
		s->tenant_id = home_tenant;
	}
	s->tenant_name = NULL;
	cJSON_AddNumberToObject(report, "users", nu);
	cJSON_AddNumberToObject(report, "users_routed", routed);
	cJSON_AddBoolToObject(report, "resumed", resumed);
	cJSON_AddNumberToObject(report, "users_gone", gone);
	cJSON_AddNumberToObject(report, "hosts_unrouted", unrouted);
	cJSON_AddItemToObject(report, "unrouted", unrouted_list);
	store_walk_users_free(u, nu);
	free(key);
	return rc;
}
