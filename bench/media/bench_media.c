/*
 * bench_media.c — drives the media engine for bench/media/run.sh without
 * the CLI: `bench_media analyse FILE` (silences + plan, like `zpub analyse`)
 * and `bench_media stage FILE DIR` (the whole process stage into DIR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "media.h"
#include "pipeline.h"
#include "stages.h"
#include "store.h"

int
main(int argc, char **argv)
{
	struct zpub_err err = {0};
	cJSON *cfg;
	int rc;

	if (argc < 3)
		return fprintf(stderr, "usage: bench_media analyse FILE | stage FILE DIR\n"), 2;
	media_log_init(0);
	cfg = config_defaults();
	if (getenv("ZPUB_STRATEGY") != NULL)
		config_set(cfg, "processing.video.strategy", getenv("ZPUB_STRATEGY"), &err);
	if (getenv("ZPUB_SMART_PRESET") != NULL)
		config_set(cfg, "processing.video.smart_preset", getenv("ZPUB_SMART_PRESET"), &err);
	if (strcmp(argv[1], "analyse") == 0) {
		struct media_silence_opts so;
		struct media_plan_opts po;
		struct media_visual_opts vo;
		cJSON *j = NULL;

		media_silence_opts_from_config(&so, cfg);
		media_plan_opts_from_config(&po, cfg);
		media_visual_opts_from_config(&vo, cfg);
		rc = media_analyse_json_visual(argv[2], &so, &po, &vo, NULL, &j, &err);
		if (rc == 0)
			printf("silences %d, %.0f s -> %.0f s\n",
			    cJSON_GetArraySize(cJSON_GetObjectItem(j, "silences")),
			    cJSON_GetObjectItem(j, "duration_ms")->valuedouble / 1000,
			    cJSON_GetObjectItem(j, "output_duration_ms")->valuedouble / 1000);
		cJSON_Delete(j);
	} else if (strcmp(argv[1], "stage") == 0 && argc == 4) {
		struct store_recording rec;
		struct stage_ctx ctx;
		int i;

		memset(&rec, 0, sizeof rec);
		memset(&ctx, 0, sizeof ctx);
		rec.id = 1;
		rec.source_path = argv[2];
		ctx.rec = &rec;
		ctx.config = cfg;
		ctx.media_dir = argv[3];
		rc = stage_process(&ctx, &err);
		if (rc == 0)
			printf("%s\n", ctx.summary);
		for (i = 0; i < ctx.n_artifacts; i++) {
			char *x = cJSON_PrintUnformatted(ctx.artifacts[i].extra);

			fprintf(stderr, "  %s %s %s\n", ctx.artifacts[i].kind, ctx.artifacts[i].path, x);
			free(x);
		}
	} else
		return fprintf(stderr, "usage: bench_media analyse FILE | stage FILE DIR\n"), 2;
	cJSON_Delete(cfg);
	if (rc != 0)
		fprintf(stderr, "bench_media: %s\n", err.msg);
	return rc != 0;
}
