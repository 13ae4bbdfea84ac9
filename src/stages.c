/*
 * stages.c — the stage table: which function takes a recording from which
 * status to which.  Adding a stage is adding a row here; the runner in
 * pipeline.c never changes.
 */
#include "pipeline.h"

#include "media/media.h"

const struct stage_def pipeline_stages[] = {
	{ "process", ST_DOWNLOADED, ST_PROCESSING, ST_PROCESSED, stage_process },
	{ NULL, 0, 0, 0, NULL }
};
