/*
 * stages.c — the stage table: which function takes a recording from which
 * status to which.  Adding a stage is adding a row here; the runner in
 * pipeline.c never changes.
 */
#include "pipeline.h"

#include "ai.h"
#include "media.h"
#include "publish.h"
#include "zoom.h"

const struct stage_def pipeline_stages[] = {
	{ "download", ST_INITIALIZED, ST_DOWNLOADING, ST_DOWNLOADED, stage_download },
	{ "process", ST_DOWNLOADED, ST_PROCESSING, ST_PROCESSED, stage_process },
	{ "transcribe", ST_PROCESSED, ST_PREPARING, ST_TRANSCRIBED, stage_transcribe },
	{ "publish", ST_TRANSCRIBED, ST_UPLOADING, ST_READY, stage_publish },
	{ NULL, 0, 0, 0, NULL }
};
