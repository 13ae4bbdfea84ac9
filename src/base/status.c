/*
 * status.c — status names and the transition table: every legal move is
 * one bitmask row, and status_can_move is a lookup.
 */
#include "status.h"

#include <string.h>
#include <strings.h>

static const char *const status_names[] = {
#define X(s) #s,
	ZPUB_STATUSES(X)
#undef X
};

const char *
status_name(enum rec_status s)
{
	if ((int)s < 0 || s >= ST__COUNT)
		return "UNKNOWN";
	return status_names[s];
}

int
status_parse(const char *name)
{
	for (int i = 0; i < ST__COUNT; i++)
		if (strcasecmp(name, status_names[i]) == 0)
			return i;
	return -1;
}

/* The one table of legal moves.  A running status may go back to its input
 * (a cancelled or released run) and forward to its output or FAILED.  A
 * recording whose cut an editor changed goes back to DOWNLOADED (a re-cut)
 * from wherever the cut exists; a READY one keeps its publications. */
#define B(s) (1u << ST_##s)
static const unsigned transitions[ST__COUNT] = {
	[ST_INITIALIZED] = B(DOWNLOADING) | B(SKIPPED) | B(EXPIRED) | B(FAILED),
	[ST_DOWNLOADING] = B(DOWNLOADED) | B(INITIALIZED) | B(FAILED) | B(EXPIRED),
	[ST_DOWNLOADED]  = B(PROCESSING) | B(SKIPPED) | B(EXPIRED) | B(FAILED),
	[ST_PROCESSING]  = B(PROCESSED) | B(DOWNLOADED) | B(FAILED),
	[ST_PROCESSED]   = B(PREPARING) | B(DOWNLOADED) | B(SKIPPED) | B(EXPIRED) | B(FAILED),
	[ST_PREPARING]   = B(TRANSCRIBED) | B(PROCESSED) | B(FAILED),
	[ST_TRANSCRIBED] = B(UPLOADING) | B(PROCESSED) | B(DOWNLOADED) | B(SKIPPED) |
	                   B(EXPIRED) | B(FAILED),
	[ST_UPLOADING]   = B(READY) | B(TRANSCRIBED) | B(FAILED),
	[ST_READY]       = B(TRANSCRIBED) | B(DOWNLOADED) | B(EXPIRED),
	[ST_SKIPPED]     = B(INITIALIZED) | B(DOWNLOADED) | B(PROCESSED) | B(TRANSCRIBED) |
	                   B(EXPIRED),
	[ST_EXPIRED]     = 0,
	[ST_FAILED]      = B(INITIALIZED) | B(DOWNLOADED) | B(PROCESSED) | B(TRANSCRIBED) |
	                   B(SKIPPED) | B(EXPIRED),
};
#undef B

int
status_can_move(enum rec_status from, enum rec_status to)
{
	if ((int)from < 0 || from >= ST__COUNT || (int)to < 0 || to >= ST__COUNT)
		return 0;
	return (transitions[from] >> to) & 1u;
}

int
status_stage_input(const char *stage)
{
#define X(name, in, run, out) if (strcmp(stage, #name) == 0) return ST_##in;
	ZPUB_STAGES(X)
#undef X
	return -1;
}
