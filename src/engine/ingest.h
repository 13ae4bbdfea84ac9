/*
 * ingest.h — bringing a local media file in as a recording, crash-safely.
 *
 * The file is copied (hashing as it goes) to a staging name in the tenant's
 * media folder, outside any transaction; then one write transaction creates
 * the recording, moves the file to <tenant>/<id>/source.<ext> and records
 * the `source` artefact.  A crash leaves either the whole recording or
 * nothing but debris that ingest_sweep() removes on the next start.
 */
#ifndef ZPUB_INGEST_H
#define ZPUB_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct store;

struct ingest_opts {
	int64_t tenant_id;
	const char *tenant;        /* folder name */
	const char *title;         /* NULL = from the file name */
	const char *source;        /* "local" or "watch" */
	struct zpub_progress progress;
	const char *name;          /* NULL = path.  Else the file's own name (title,
	                            * extension, messages) while its bytes are read
	                            * from path, e.g. /proc/self/fd/N of a file the
	                            * caller opened and checked (job.c) */
};

struct ingest_result {
	int64_t id;
	int existed;               /* the same content was imported before as id */
	int64_t duration_ms;
	char note[400];            /* when existed: ingest_find_same's sentence */
};

/* The one duplicate rule, for every way in (zpub import, watch jobs): is
 * the file name, whose bytes hash to hex (sha256), the same recording as one
 * the tenant has, whichever way that one came in?  1 with *id and a
 * sentence in note ("'talk.mp4' is already recording 3 ('Title'), imported
 * 2026-12-01"), 0 if not, or a negative ZPUB_E* if the store cannot say. */
int ingest_find_same(struct store *st, int64_t tenant_id, const char *name,
    const char *hex, int64_t *id, char *note, size_t notesz, struct zpub_err *err);

int ingest_file(struct store *st, const char *path, const struct ingest_opts *o,
    struct ingest_result *res, struct zpub_err *err);

/* Removes staging files of dead importers and recording folders that no
 * committed recording owns.  Safe while other processes import. */
int ingest_sweep(struct store *st, const char *tenant, struct zpub_err *err);

/* A valid UTF-8 title from a file name: base name, extension dropped,
 * control characters and invalid bytes replaced.  malloc'd. */
char *ingest_title_from_name(const char *path);

#endif
