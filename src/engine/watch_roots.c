/*
 * watch_roots.c — the folders a tenant's watch jobs may read, and opening
 * what is found there without following a link out of them.  The rules are
 * in watch_roots.h; job.c asks them when a job is saved and at every scan.
 */
#include "watch_roots.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "util.h"

struct watch_roots {
	char *tenant;
	char *data;        /* the data folder, resolved */
	char *inbox_tree;  /* <data>/inbox */
	char *inbox;       /* <data>/inbox/<tenant> (on the resolved data path) */
	char *keydir;      /* the vault key's folder, resolved; NULL if unknown */
	char **roots;      /* the operator's roots for this tenant, resolved */
	int n_roots;
};

/* 1 when p is root or inside it (both resolved). */
static int
path_under(const char *p, const char *root)
{
	if (root == NULL)
		return 0;
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return p[0] == '/';
	return strncmp(p, root, n) == 0 && (p[n] == '\0' || p[n] == '/');
}

static int
add_roots(struct watch_roots *w, const cJSON *list, const char *who, struct zpub_err *err)
{
	const cJSON *e;
	if (list == NULL)
		return 0;
	if (!cJSON_IsArray(list))
		return zpub_err_set(err, ZPUB_EINVAL, "config key jobs.watch_roots: the roots of"
		    " %s must be a list of absolute folders, such as [\"/srv/lectures\"]", who);
	cJSON_ArrayForEach(e, list) {
		if (!cJSON_IsString(e) || e->valuestring[0] != '/')
			return zpub_err_set(err, ZPUB_EINVAL, "config key jobs.watch_roots: the roots"
			    " of %s must be absolute folders, such as \"/srv/lectures\"", who);
		char *real = realpath(e->valuestring, NULL);
		if (real == NULL) {
			log_debug("jobs.watch_roots: %s (%s) left out: %s", e->valuestring, who,
			    strerror(errno));
			continue;
		}
		if ((path_under(real, w->data) && !path_under(real, w->inbox_tree)) ||
		    path_under(real, w->keydir)) {
			log_warn("jobs.watch_roots: %s (%s) left out: it is inside zpub's own data;"
			    " only tenants' inboxes there are ever watched", e->valuestring, who);
			free(real);
			continue;
		}
		w->roots = xreallocarray(w->roots, (size_t)(w->n_roots + 1), sizeof *w->roots);
		w->roots[w->n_roots++] = real;
	}
	return 0;
}

int
watch_roots_load(const cJSON *base_cfg, const char *data_dir, const char *key_path,
    const char *tenant, struct watch_roots **out, struct zpub_err *err)
{
	struct watch_roots *w;
	int rc;
	*out = NULL;
	if (tenant == NULL || !*tenant || strchr(tenant, '/') || tenant[0] == '.')
		return zpub_err_set(err, ZPUB_EINVAL, "tenant '%s' has no usable inbox name",
		    tenant ? tenant : "");
	w = xcalloc(1, sizeof *w);
	w->tenant = xstrdup(tenant);
	w->data = realpath(data_dir, NULL);
	if (w->data == NULL) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot resolve the data folder %s: %s", data_dir,
		    strerror(errno));
		goto fail;
	}
	w->inbox_tree = path_join(w->data, "inbox");
	w->inbox = path_join(w->inbox_tree, tenant);
	if (key_path) {
		char *k = xstrdup(key_path);
		w->keydir = realpath(dirname(k), NULL);
		free(k);
	}
	const cJSON *map = config_find(base_cfg, "jobs.watch_roots");
	if (map && !cJSON_IsNull(map)) {
		if (!cJSON_IsObject(map)) {
			rc = zpub_err_set(err, ZPUB_EINVAL, "config key jobs.watch_roots must be an"
			    " object of tenant names (or \"*\") to lists of folders, such as"
			    " {\"physics\": [\"/srv/lectures/physics\"]}");
			goto fail;
		}
		char who[96];
		snprintf(who, sizeof who, "tenant '%s'", tenant);
		if ((rc = add_roots(w, cJSON_GetObjectItemCaseSensitive(map, tenant), who, err)) ||
		    (rc = add_roots(w, cJSON_GetObjectItemCaseSensitive(map, "*"), "\"*\"", err)))
			goto fail;
	}
	*out = w;
	return 0;
fail:
	watch_roots_free(w);
	return rc;
}

void
watch_roots_free(struct watch_roots *w)
{
	if (w == NULL)
		return;
	for (int i = 0; i < w->n_roots; i++)
		free(w->roots[i]);
	free(w->roots);
	free(w->keydir);
	free(w->inbox);
	free(w->inbox_tree);
	free(w->data);
	free(w->tenant);
	free(w);
}

int
watch_roots_in_inbox(const char *path)
{
	return path == NULL || path[0] != '/';
}

int
watch_roots_make_inbox(const struct watch_roots *w, struct zpub_err *err)
{
	if (fs_mkdir_p(w->inbox, 0700, err) != 0)
		return zpub_err_prefix(err, "tenant '%s' inbox", w->tenant);
	return 0;
}

int
watch_roots_allow(const struct watch_roots *w, const char *real)
{
	if (path_under(real, w->inbox))
		return 1;
	int private = path_under(real, w->data) || path_under(real, w->keydir);
	for (int i = 0; i < w->n_roots; i++)
		/* Inside the data folder only a root listed in the inbox tree counts. */
		if (path_under(real, w->roots[i]) &&
		    (!private || (path_under(w->roots[i], w->inbox_tree) &&
		    !path_under(real, w->keydir))))
			return 1;
	return 0;
}

/* "its inbox /d/inbox/t (relative paths start there) and /srv/a, /srv/b
 * (jobs.watch_roots)" */
static void
describe_roots(const struct watch_roots *w, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "its inbox %s (relative paths start there)",
	    w->inbox);
	if (w->n_roots == 0) {
		if (n < len)
			snprintf(buf + n, len - n, "; the operator lists more in the config key"
			    " jobs.watch_roots");
		return;
	}
	for (int i = 0; i < w->n_roots && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : " and ", w->roots[i]);
	if (n < len)
		snprintf(buf + n, len - n, " (config key jobs.watch_roots)");
}

int
watch_roots_resolve(const struct watch_roots *w, const char *path, char **real,
    struct zpub_err *err)
{
	char roots[600];
	char *full = path == NULL || !*path ? xstrdup(w->inbox) :
	    path[0] == '/' ? xstrdup(path) : path_join(w->inbox, path);
	struct stat sb;
	int rc = 0;
	*real = NULL;
	describe_roots(w, roots, sizeof roots);
	char *r = realpath(full, NULL);
	if (r == NULL) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "the watch folder %s cannot be used: %s; tenant"
		    " '%s' may watch %s", full, strerror(errno), w->tenant, roots);
		goto out;
	}
	if (!watch_roots_allow(w, r)) {
		char via[PATH_MAX + 32] = "";
		if (strcmp(r, full) != 0)
			snprintf(via, sizeof via, " (it leads to %s)", r);
		rc = zpub_err_set(err, ZPUB_EINVAL, "the watch folder %s%s is outside the folders"
		    " tenant '%s' may watch: %s%s", full, via, w->tenant, roots,
		    path_under(r, w->data) ? "; zpub's data folder is never watched, only the"
		    " tenant's inbox inside it" : "");
		goto out;
	}
	if (stat(r, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "the watch folder %s is not a folder", full);
		goto out;
	}
	*real = r;
	r = NULL;
out:
	free(r);
	free(full);
	return rc;
}

int
watch_roots_open(const struct watch_roots *w, const char *path, int want_dir,
    struct stat *sb, char *why, size_t why_len)
{
	char link[64], *real = NULL;
	char where[PATH_MAX];
	int fd = -1;
	real = realpath(path, NULL);
	if (real == NULL) {
		snprintf(why, why_len, "it cannot be resolved: %s", strerror(errno));
		return -1;
	}
	if (!watch_roots_allow(w, real)) {
		snprintf(why, why_len, "it leads outside the folders tenant '%s' may watch",
		    w->tenant);
		goto fail;
	}
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    (want_dir ? O_DIRECTORY : 0));
	if (fd < 0) {
		if (errno == ELOOP)
			snprintf(why, why_len, "it became a symbolic link while it was checked");
		else
			snprintf(why, why_len, "it cannot be opened: %s", strerror(errno));
		goto fail;
	}
	/* What was opened, whatever happened to the path meanwhile. */
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, where, sizeof where - 1);
	if (n < 0) {
		snprintf(why, why_len, "cannot check where it leads (%s): %s", link,
		    strerror(errno));
		goto fail;
	}
	where[n] = '\0';
	if (!watch_roots_allow(w, where)) {
		snprintf(why, why_len, "it leads outside the folders tenant '%s' may watch",
		    w->tenant);
		goto fail;
	}
	if (fstat(fd, sb) != 0 || (want_dir ? !S_ISDIR(sb->st_mode) : !S_ISREG(sb->st_mode))) {
		snprintf(why, why_len, want_dir ? "it is not a folder" : "it is not a regular file");
		goto fail;
	}
	free(real);
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	free(real);
	return -1;
}
