/*
 * stages.c — the stage table: ZPUB_STAGES (status.h) says which stage takes
 * a recording from which status to which; this adds each stage's function.
 * Adding a stage is adding a row there and its stage_<name> here; the runner
 * in pipeline.c never changes.
 */
#include "pipeline.h"
#include "stages.h"

#include "ai.h"
#include "media.h"
#include "publish.h"
#include "zoom.h"

const struct stage_def pipeline_stages[] = {
#define X(name, in, run, out) { #name, ST_##in, ST_##run, ST_##out, stage_##name },
	ZPUB_STAGES(X)
#undef X
	{ NULL, 0, 0, 0, NULL }
};
