/*
 * status.h — a recording's statuses, the legal moves between them and which
 * stage takes a recording from which status to which: plain data that the
 * store, the engine and the faces share, depending on nothing.
 *
 * A recording moves INITIALIZED -> DOWNLOADING -> DOWNLOADED -> PROCESSING ->
 * PROCESSED -> PREPARING -> TRANSCRIBED -> UPLOADING -> READY; SKIPPED,
 * EXPIRED and FAILED sit beside the flow.
 */
#ifndef ZPUB_STATUS_H
#define ZPUB_STATUS_H

#define ZPUB_STATUSES(X) \
	X(INITIALIZED) X(DOWNLOADING) X(DOWNLOADED) X(PROCESSING) X(PROCESSED) \
	X(PREPARING) X(TRANSCRIBED) X(UPLOADING) X(READY) X(SKIPPED) X(EXPIRED) \
	X(FAILED)

enum rec_status {
#define X(s) ST_##s,
	ZPUB_STATUSES(X)
#undef X
	ST__COUNT
};

/* The stages in order, X(name, input, running, output): a stage takes a
 * recording in its input status, holds it in its running status and on
 * success leaves it in its output status.  The pipeline's stage table
 * (stages.c) is this list with each stage's function, stage_<name>. */
#define ZPUB_STAGES(X) \
	X(download, INITIALIZED, DOWNLOADING, DOWNLOADED) \
	X(process, DOWNLOADED, PROCESSING, PROCESSED) \
	X(transcribe, PROCESSED, PREPARING, TRANSCRIBED) \
	X(publish, TRANSCRIBED, UPLOADING, READY)

const char *status_name(enum rec_status s);
/* Case-insensitive; returns -1 if unknown. */
int status_parse(const char *name);
/* 1 if from -> to is in the transition table. */
int status_can_move(enum rec_status from, enum rec_status to);
/* The input status of the stage named `stage` ("download" -> INITIALIZED);
 * -1 if there is no such stage. */
int status_stage_input(const char *stage);

#endif
