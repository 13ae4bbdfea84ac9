/*
 * bench_upload.c — uploads one file to tests/fakes/fake_google.py through
 * zpub's YouTube publisher (resumable session, chunks from disk) and prints
 * the elapsed time.  run.sh measures its peak RSS and compares it with
 * `curl -T` against the same fake.
 *
 * usage: bench_upload BASE_URL FILE [CHUNK_BYTES]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "http.h"
#include "publish.h"
#include "util.h"

struct bench {
	int done, rc;
	struct zpub_err err;
};

static int
token(void *ud, int force, char **tok, struct zpub_err *err)
{
	(void)ud; (void)force; (void)err;
	*tok = xstrdup("bench-token");
	return 0;
}

static void
done(void *ud, int rc, const struct zpub_err *err, int64_t retry_at)
{
	struct bench *b = ud;
	(void)retry_at;
	b->done = 1;
	b->rc = rc;
	if (err)
		b->err = *err;
}

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_upload BASE_URL FILE [CHUNK_BYTES]\n");
		return 2;
	}
	cJSON *cfg = config_defaults();
	char *v = xasprintf("\"%s/upload/youtube/v3\"", argv[1]);
	config_set(cfg, "providers.youtube.upload_base", v, NULL);
	free(v);
	v = xasprintf("\"%s/youtube/v3\"", argv[1]);
	config_set(cfg, "providers.youtube.api_base", v, NULL);
	free(v);
	if (argc > 3)
		config_set(cfg, "publish.chunk_bytes", argv[3], NULL);
	cJSON *target = cJSON_Parse("{\"privacy\":\"private\"}");
	struct pub_item it = {.video_path = argv[2], .title = "bench", .description = "",
	    .target = target, .config = cfg, .label = "bench"};
	struct pub_state st = {0};
	struct bench b = {0};
	struct pub_hooks hooks = {token, NULL, NULL, done, &b};
	struct http_client *h = http_client_new();
	struct yt_job *j = NULL;
	struct zpub_err err = {0};
	int64_t t0 = time_mono_ms();
	if (yt_job_start(h, &it, &st, &hooks, &j, &err) != 0) {
		fprintf(stderr, "bench_upload: %s\n", err.msg);
		return 1;
	}
	http_client_run(h);
	int64_t ms = time_mono_ms() - t0;
	if (b.rc != 0) {
		fprintf(stderr, "bench_upload: %s\n", b.err.msg);
		return 1;
	}
	int64_t size = fs_size(argv[2]);
	printf("zpub upload: %lld bytes in %lld ms (%.1f MB/s), video %s\n", (long long)size,
	    (long long)ms, ms > 0 ? size / 1e3 / ms : 0.0, st.remote_id);
	yt_job_free(j);
	pub_state_clear(&st);
	http_client_free(h);
	cJSON_Delete(target);
	cJSON_Delete(cfg);
	return 0;
}
