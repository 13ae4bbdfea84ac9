/*
 * watch_roots.h — which folders a tenant's watch jobs may read.
 *
 * A tenant may watch its inbox, <data>/inbox/<tenant> (made 0700 when a
 * job that uses it is saved or run), and the folders the operator lists in
 * the operator's own config (defaults <- the config file; never the
 * tenant's layer, never a template's):
 *   "jobs": {"watch_roots": {"physics": ["/srv/lectures/physics"],
 *                            "*": ["/srv/shared"]}}
 * "*" lists roots of every tenant.  Everything is compared after
 * realpath(), so ".." and symbolic links are resolved before a path is
 * judged: a folder or a file that leads out of the roots is refused.
 * Inside the data folder (and the vault key's folder) only the tenant's own
 * inbox is ever allowed, whatever the operator lists.
 */
#ifndef ZPUB_WATCH_ROOTS_H
#define ZPUB_WATCH_ROOTS_H

#include <stddef.h>
#include <sys/stat.h>
#include <cJSON.h>

#include "err.h"

struct watch_roots;

/* The roots of tenant.  base_cfg: the operator's config (defaults <- the
 * config file), read for jobs.watch_roots; key_path may be NULL.  Listed
 * roots that do not exist or lie in the data folder are left out. */
int watch_roots_load(const cJSON *base_cfg, const char *data_dir, const char *key_path,
    const char *tenant, struct watch_roots **out, struct zpub_err *err);
void watch_roots_free(struct watch_roots *w);

/* 1 when a job's path ("" or NULL = the inbox, relative = inside it) is
 * the inbox or inside it. */
int watch_roots_in_inbox(const char *path);

/* Creates the tenant's inbox (0700) when it is missing. */
int watch_roots_make_inbox(const struct watch_roots *w, struct zpub_err *err);

/* Resolves a job's folder (absolute; relative to the inbox; "" or NULL for
 * the inbox itself) to its real path (*real, malloc'd).  ZPUB_EINVAL with
 * a sentence naming the folder and the allowed roots when it is missing,
 * not a folder, or outside the roots. */
int watch_roots_resolve(const struct watch_roots *w, const char *path, char **real,
    struct zpub_err *err);

/* 1 when real (an already resolved path) lies under an allowed root. */
int watch_roots_allow(const struct watch_roots *w, const char *real);

/* Opens a directory (want_dir) or a regular file for reading without
 * trusting its path: realpath, checked against the roots, opened with
 * O_NOFOLLOW|O_NONBLOCK, and checked again where the descriptor really
 * points (/proc/self/fd), so a swap between the check and the open is
 * caught.  Returns the descriptor with *sb filled, or -1 with the reason in
 * why ("it leads outside the folders this tenant may watch"). */
int watch_roots_open(const struct watch_roots *w, const char *path, int want_dir,
    struct stat *sb, char *why, size_t why_len);

#endif
