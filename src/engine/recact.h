/*
 * recact.h — what a person does to a whole recording from any face:
 * skip, unskip and delete.  Each checks the recording is in the actor's
 * tenant, makes the change and writes the audit row, so the command line,
 * the terminal app and the API only parse input and show the result.
 */
#ifndef ZPUB_RECACT_H
#define ZPUB_RECACT_H

#include <stdint.h>

#include "audit.h"
#include "err.h"

struct store;
struct store_recording;

/* Moves recording id of who's tenant to SKIPPED; *already (may be NULL)
 * is 1 when it was SKIPPED already (nothing changes then).  Audits skip. */
int recact_skip(struct store *st, const struct actor *who, int64_t id, int *already,
    struct zpub_err *err);

/* Brings a SKIPPED recording back to where its artefacts say it was
 * (DOWNLOADED with a source, PROCESSED with a cut video, TRANSCRIBED with
 * a description; INITIALIZED with none); ZPUB_ESTATE when it is not
 * SKIPPED.  Audits unskip. */
int recact_unskip(struct store *st, const struct actor *who, int64_t id,
    struct zpub_err *err);

/* Deletes recording id of who's tenant, its rows and then its folder under
 * data_dir; ZPUB_EBUSY (with a sentence saying how to stop it) while a
 * stage holds its lease.  *gone (may be NULL) gets the recording as it
 * was (store_recording_free).  Audits delete. */
int recact_delete(struct store *st, const struct actor *who, int64_t id,
    struct store_recording **gone, struct zpub_err *err);

#endif
