/* needs: src/media/plan.c */
/*
 * fuzz_timemap.c — the cut plan and its time map from arbitrary silences,
 * durations, options and frame grids.  Checks the map's promises: segments
 * ascend without overlap inside the source, output starts are contiguous,
 * the output duration is the sum of the kept pieces, source -> output is
 * monotonic and stays in [0, out_duration], output -> source -> output
 * returns to where it started on kept parts, snapping to a frame grid keeps
 * all of that, and the JSON form reads back to the same map.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media.h"
#include "fdp.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); \
	__builtin_trap(); } } while (0)

static void
check_map(const struct media_timemap *tm)
{
	int64_t out = 0;
	for (size_t i = 0; i < tm->n; i++) {
		const struct media_seg *s = &tm->seg[i];
		CHECK(s->src_start_ms < s->src_end_ms);
		CHECK(s->src_start_ms >= 0 && s->src_end_ms <= tm->src_duration_ms);
		if (i > 0)
			CHECK(s->src_start_ms >= tm->seg[i - 1].src_end_ms);
		CHECK(s->out_start_ms == out);
		out += s->src_end_ms - s->src_start_ms;
	}
	CHECK(out == tm->out_duration_ms);
	int64_t prev = -1, step = tm->src_duration_ms / 97 + 1;
	for (int64_t t = -5; t <= tm->src_duration_ms + 5; t += step) {
		int64_t o = media_timemap_to_output(tm, t);
		CHECK(o >= 0 && o <= tm->out_duration_ms);
		CHECK(o >= prev);
		prev = o;
	}
	for (size_t i = 0; i < tm->n; i++) {
		const struct media_seg *s = &tm->seg[i];
		int64_t mid = s->out_start_ms + (s->src_end_ms - s->src_start_ms) / 2;
		int64_t src = media_timemap_to_source(tm, mid);
		CHECK(src >= s->src_start_ms && src < s->src_end_ms);
		CHECK(media_timemap_to_output(tm, src) == mid);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp f = { data, size };
	struct zpub_err err = {0};
	struct media_plan_opts o = {0};
	struct media_spans sil = {0};
	struct media_timemap tm = {0}, back = {0};

	int64_t dur = fdp_range(&f, 0, 36000000);
	uint8_t flags = fdp_u8(&f);
	o.remove_silence = flags & 1;
	o.trim_head = (flags >> 1) & 1;
	o.trim_tail = (flags >> 2) & 1;
	o.margin_before_ms = fdp_range(&f, 0, 2000);
	o.margin_after_ms = fdp_range(&f, 0, 2000);
	o.max_pause_ms = fdp_range(&f, 0, 10000);
	o.keep_pause_ms = fdp_range(&f, 0, 5000);
	int64_t at = 0;
	int wild = (flags >> 3) & 1;
	while (f.n >= 4 && sil.n < 500) {
		int64_t a, b;
		if (wild) { /* silences as a buggy analyser might give them */
			a = fdp_range(&f, -1000, dur + 1000);
			b = fdp_range(&f, -1000, dur + 1000);
		} else {
			a = at + fdp_range(&f, 0, 20000);
			b = a + fdp_range(&f, 1, 20000);
			at = b;
		}
		media_spans_push(&sil, a, b);
	}
	if (media_plan_build(dur, &sil, &o, &tm, &err) != 0) {
		CHECK(err.msg[0] != '\0');
		goto out;
	}
	CHECK(tm.src_duration_ms == dur);
	check_map(&tm);
	cJSON *j = media_timemap_to_json(&tm);
	CHECK(j != NULL);
	CHECK(media_timemap_from_json(j, &back, &err) == 0);
	cJSON_Delete(j);
	CHECK(back.n == tm.n && back.out_duration_ms == tm.out_duration_ms);
	for (size_t i = 0; i < tm.n; i++)
		CHECK(memcmp(&back.seg[i], &tm.seg[i], sizeof tm.seg[i]) == 0);
	if (flags & 16) { /* snap to a 25 fps grid, or to a VFR one */
		size_t nf = (size_t)(dur / 40) + 1;
		if (nf > 200000)
			nf = 200000;
		int64_t *frames = malloc(nf * sizeof *frames), t = 0;
		for (size_t i = 0; i < nf; i++) {
			frames[i] = t;
			t += flags & 32 ? 10 + (int64_t)((i * 7919) % 90) : 40;
		}
		media_timemap_snap(&tm, frames, nf);
		free(frames);
		check_map(&tm);
	}
out:
	media_timemap_clear(&tm);
	media_timemap_clear(&back);
	media_spans_clear(&sil);
	return 0;
}
