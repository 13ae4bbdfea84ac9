/*
 * plan.c — the cut plan and the time map.
 *
 * Turns the silences found by silence.c into the list of kept segments
 * (dead head and tail trimmed, long pauses shortened, speech never touched)
 * and answers "where does source time t land in the output?" and back.
 * Pure functions over plain arrays: no FFmpeg here, so it is unit-tested.
 */
#include "media.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "jnum.h"
#include "xmalloc.h"

void
media_spans_push(struct media_spans *s, int64_t start_ms, int64_t end_ms)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;

		s->v = xreallocarray(s->v, cap, sizeof *s->v);
		s->cap = cap;
	}
	s->v[s->n].start_ms = start_ms;
	s->v[s->n].end_ms = end_ms;
	s->n++;
}

void
media_spans_clear(struct media_spans *s)
{
	if (s == NULL)
		return;
	free(s->v);
	memset(s, 0, sizeof *s);
}

cJSON *
media_spans_to_json(const struct media_spans *s)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < s->n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "start_ms", (double)s->v[i].start_ms);
		cJSON_AddNumberToObject(o, "end_ms", (double)s->v[i].end_ms);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

void
media_spans_subtract(const struct media_spans *a, const struct media_spans *b,
    struct media_spans *out)
{
	size_t i, j = 0;

	for (i = 0; i < a->n; i++) {
		int64_t s = a->v[i].start_ms, e = a->v[i].end_ms;

		while (j < b->n && b->v[j].end_ms <= s)
			j++;
		for (size_t k = j; k < b->n && b->v[k].start_ms < e && s < e; k++) {
			if (b->v[k].start_ms > s)
				media_spans_push(out, s, b->v[k].start_ms);
			if (b->v[k].end_ms > s)
				s = b->v[k].end_ms;
		}
		if (e > s)
			media_spans_push(out, s, e);
	}
}

void
media_plan_opts_from_config(struct media_plan_opts *o, const cJSON *cfg)
{
	o->remove_silence = config_bool(cfg, "processing.video.remove_silence", 1);
	o->trim_head = config_bool(cfg, "processing.video.trim_head", 1);
	o->trim_tail = config_bool(cfg, "processing.video.trim_tail", 1);
	o->margin_before_ms = config_int(cfg, "processing.video.margin_before_ms", 150);
	o->margin_after_ms = config_int(cfg, "processing.video.margin_after_ms", 250);
	o->max_pause_ms = config_int(cfg, "processing.video.max_pause_ms", 2000);
	o->keep_pause_ms = config_int(cfg, "processing.video.keep_pause_ms", 700);
	o->keyframe_slack_ms = 0;
	if (strcmp(config_str(cfg, "processing.video.strategy", "smart"), "smart") == 0 &&
	    o->max_pause_ms > o->keep_pause_ms)
		o->keyframe_slack_ms = o->max_pause_ms - o->keep_pause_ms;
}

static void timemap_renumber(struct media_timemap *tm);

/* Cuts shorter than this are not worth a splice. */
#define PLAN_MIN_CUT_MS 100

static int
span_cmp(const void *a, const void *b)
{
	const struct media_span *x = a, *y = b;

	return (x->start_ms > y->start_ms) - (x->start_ms < y->start_ms);
}

static int
ms_cmp(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

void
media_overrides_resolve(const struct media_override *in, size_t n,
    struct media_override **out, size_t *n_out)
{
	int64_t *edge = xcalloc(2 * n + 1, sizeof *edge);
	struct media_override *v = xcalloc(2 * n + 1, sizeof *v);
	size_t ne = 0, k = 0, i, j;

	for (i = 0; i < n; i++) {
		edge[ne++] = in[i].start_ms;
		edge[ne++] = in[i].end_ms;
	}
	qsort(edge, ne, sizeof *edge, ms_cmp);
	/* Each elementary piece between two edges goes to the newest range
	 * that covers it. */
	for (i = 0; i + 1 < ne; i++) {
		const struct media_override *win = NULL;

		if (edge[i + 1] <= edge[i])
			continue;
		for (j = n; j-- > 0;)
			if (in[j].start_ms <= edge[i] && edge[i + 1] <= in[j].end_ms) {
				win = &in[j];
				break;
			}
		if (win == NULL)
			continue;
		if (k > 0 && v[k - 1].end_ms == edge[i] && v[k - 1].keep == win->keep) {
			v[k - 1].end_ms = edge[i + 1];
			if (win->origin > v[k - 1].origin)
				v[k - 1].origin = win->origin;
			continue;
		}
		v[k] = *win;
		v[k].start_ms = edge[i];
		v[k].end_ms = edge[i + 1];
		k++;
	}
	free(edge);
	if (k == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n_out = k;
}

/* The cuts the silences asked for, less the editor's keep ranges, plus
 * the remove ranges: sorted and disjoint again. */
static void
plan_apply_overrides(struct media_spans *cuts, const struct media_override *ov, size_t n_ov,
    int64_t duration_ms)
{
	struct media_spans v = {0};
	size_t i, j;

	for (i = 0; i < cuts->n; i++) {
		int64_t s = cuts->v[i].start_ms, e = cuts->v[i].end_ms;

		for (j = 0; j < n_ov && s < e; j++) {
			const struct media_override *k = &ov[j];

			if (!k->keep || k->end_ms <= s || k->start_ms >= e)
				continue;
			if (k->start_ms - s >= PLAN_MIN_CUT_MS)
				media_spans_push(&v, s, k->start_ms);
			s = k->end_ms;
		}
		if (e - s >= PLAN_MIN_CUT_MS)
			media_spans_push(&v, s, e);
	}
	for (j = 0; j < n_ov; j++) {
		const struct media_override *k = &ov[j];
		int64_t s = k->start_ms < 0 ? 0 : k->start_ms;
		int64_t e = k->end_ms > duration_ms ? duration_ms : k->end_ms;

		if (!k->keep && e > s)
			media_spans_push(&v, s, e);
	}
	if (v.n > 1)
		qsort(v.v, v.n, sizeof *v.v, span_cmp);
	media_spans_clear(cuts);
	for (i = 0; i < v.n; i++) {
		if (cuts->n > 0 && v.v[i].start_ms <= cuts->v[cuts->n - 1].end_ms) {
			if (v.v[i].end_ms > cuts->v[cuts->n - 1].end_ms)
				cuts->v[cuts->n - 1].end_ms = v.v[i].end_ms;
			continue;
		}
		media_spans_push(cuts, v.v[i].start_ms, v.v[i].end_ms);
	}
	media_spans_clear(&v);
}

int
media_plan_build(int64_t duration_ms, const struct media_spans *silences,
    const struct media_plan_opts *o, struct media_timemap *out,
    struct zpub_err *err)
{
	return media_plan_build_with(duration_ms, silences, o, NULL, 0, out, err);
}

int
media_plan_build_with(int64_t duration_ms, const struct media_spans *silences,
    const struct media_plan_opts *o, const struct media_override *ov, size_t n_ov,
    struct media_timemap *out, struct zpub_err *err)
{
	struct media_spans cuts = {0};
	int64_t mb, ma, pos, out_pos;
	size_t i;

	memset(out, 0, sizeof *out);
	if (duration_ms <= 0)
		return zpub_err_set(err, ZPUB_EINVAL, "cannot plan cuts of an empty recording");
	mb = o->margin_before_ms > 0 ? o->margin_before_ms : 0;
	ma = o->margin_after_ms > 0 ? o->margin_after_ms : 0;

	for (i = 0; o->remove_silence && i < silences->n; i++) {
		int64_t s = silences->v[i].start_ms, e = silences->v[i].end_ms;
		int64_t cs, ce;

		if (s < 0)
			s = 0;
		if (e > duration_ms)
			e = duration_ms;
		if (e <= s)
			continue;
		if (s == 0 && e == duration_ms) {
			/* Silent throughout: nothing is kept; callers say so. */
			cs = 0;
			ce = duration_ms;
			if (!o->trim_head && !o->trim_tail)
				continue;
		} else if (s == 0) {
			if (!o->trim_head)
				continue;
			cs = 0;
			ce = e - mb;
		} else if (e == duration_ms) {
			if (!o->trim_tail)
				continue;
			cs = s + ma;
			ce = duration_ms;
		} else {
			int64_t keep_after = ma, keep_before = mb, extra;

			if (e - s <= o->max_pause_ms)
				continue;
			/* The kept pause is at least the two margins, so a short
			 * keep_pause never eats into speech; extra is shared. */
			extra = o->keep_pause_ms - (ma + mb);
			if (extra > 0) {
				keep_after += extra / 2;
				keep_before += extra - extra / 2;
			}
			cs = s + keep_after;
			ce = e - keep_before;
		}
		if (ce - cs < PLAN_MIN_CUT_MS)
			continue;
		media_spans_push(&cuts, cs, ce);
	}

	if (n_ov > 0)
		plan_apply_overrides(&cuts, ov, n_ov, duration_ms);
	/* Kept segments are the complement of the cuts (which are sorted and
	 * disjoint because the silences are). */
	pos = 0;
	out_pos = 0;
	out->seg = xcalloc(cuts.n + 1, sizeof *out->seg);
	for (i = 0; i <= cuts.n; i++) {
		int64_t end = i < cuts.n ? cuts.v[i].start_ms : duration_ms;

		if (end > pos) {
			struct media_seg *g = &out->seg[out->n++];

			g->src_start_ms = pos;
			g->src_end_ms = end;
			g->out_start_ms = out_pos;
			out_pos += end - pos;
		}
		if (i < cuts.n && cuts.v[i].end_ms > pos)
			pos = cuts.v[i].end_ms;
	}
	out->src_duration_ms = duration_ms;
	out->out_duration_ms = out_pos;
	media_spans_clear(&cuts);
	return 0;
}

void
media_timemap_clear(struct media_timemap *tm)
{
	if (tm == NULL)
		return;
	free(tm->seg);
	memset(tm, 0, sizeof *tm);
}

/* Largest frame time <= t (or t when none). */
static int64_t
snap_floor(const int64_t *f, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? f[lo - 1] : t;
}

/* Smallest frame time >= t (or t when none: the end of the file). */
static int64_t
snap_ceil(const int64_t *f, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? f[lo] : t;
}

void
media_timemap_snap(struct media_timemap *tm, const int64_t *frames_ms, size_t n)
{
	size_t i, k = 0;

	if (n == 0 || tm->n == 0)
		return;
	for (i = 0; i < tm->n; i++) {
		struct media_seg g = tm->seg[i];

		if (g.src_start_ms > 0)
			g.src_start_ms = snap_floor(frames_ms, n, g.src_start_ms);
		if (g.src_end_ms < tm->src_duration_ms)
			g.src_end_ms = snap_ceil(frames_ms, n, g.src_end_ms);
		if (g.src_end_ms > tm->src_duration_ms)
			g.src_end_ms = tm->src_duration_ms;
		if (k > 0 && g.src_start_ms <= tm->seg[k - 1].src_end_ms) {
			if (g.src_end_ms > tm->seg[k - 1].src_end_ms)
				tm->seg[k - 1].src_end_ms = g.src_end_ms;
			continue;
		}
		tm->seg[k++] = g;
	}
	tm->n = k;
	timemap_renumber(tm);
}

static void
timemap_renumber(struct media_timemap *tm)
{
	int64_t out = 0;
	size_t i;

	for (i = 0; i < tm->n; i++) {
		tm->seg[i].out_start_ms = out;
		out += tm->seg[i].src_end_ms - tm->seg[i].src_start_ms;
	}
	tm->out_duration_ms = out;
}

void
media_timemap_prefer_keyframes(struct media_timemap *tm,
    const int64_t *keyframes_ms, size_t n, int64_t slack_ms)
{
	size_t i;

	if (n == 0 || slack_ms <= 0)
		return;
	for (i = 0; i < tm->n; i++) {
		struct media_seg *g = &tm->seg[i];
		int64_t k = snap_floor(keyframes_ms, n, g->src_start_ms);
		int64_t floor_ms = i > 0 ? tm->seg[i - 1].src_end_ms + PLAN_MIN_CUT_MS : 0;

		if (k <= g->src_start_ms && g->src_start_ms - k <= slack_ms && k >= floor_ms)
			g->src_start_ms = k;
	}
	timemap_renumber(tm);
}

/* A B-frame GOP can end every few frames; further than this is not worth
 * a longer pause. */
#define PLAN_END_SLACK_MS 400

void
media_timemap_prefer_ends(struct media_timemap *tm, const int64_t *ends_ms, size_t n,
    int64_t slack_ms)
{
	size_t i;

	if (n == 0 || slack_ms <= 0)
		return;
	for (i = 0; i < tm->n; i++) {
		struct media_seg *g = &tm->seg[i];
		size_t lo = 0, hi = n;
		int64_t ceil_ms = i + 1 < tm->n ? tm->seg[i + 1].src_start_ms - PLAN_MIN_CUT_MS :
		    tm->src_duration_ms;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (ends_ms[mid] < g->src_end_ms)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && ends_ms[lo] - g->src_end_ms <= slack_ms && ends_ms[lo] <= ceil_ms)
			g->src_end_ms = ends_ms[lo];
	}
	timemap_renumber(tm);
}

/* How much of [s, e) the editor's remove ranges cover. */
static int64_t
removed_in(const struct media_override *ov, size_t n_ov, int64_t s, int64_t e)
{
	int64_t sum = 0;
	size_t j;

	for (j = 0; j < n_ov; j++) {
		const struct media_override *k = &ov[j];
		int64_t a = k->start_ms > s ? k->start_ms : s;
		int64_t b = k->end_ms < e ? k->end_ms : e;

		if (!k->keep && b > a)
			sum += b - a;
	}
	return sum;
}

/* A preference (keyframe start, copy end) never moves a kept part into a
 * stretch the editor removed: such a part goes back to where it was. */
static void
plan_guard_removes(struct media_timemap *tm, const struct media_seg *before,
    const struct media_override *ov, size_t n_ov)
{
	size_t i;

	for (i = 0; i < tm->n; i++)
		if (removed_in(ov, n_ov, tm->seg[i].src_start_ms, tm->seg[i].src_end_ms) >
		    removed_in(ov, n_ov, before[i].src_start_ms, before[i].src_end_ms))
			tm->seg[i] = before[i];
	timemap_renumber(tm);
}

void
media_plan_fit(struct media_timemap *tm, const struct media_info *mi,
    const struct media_plan_opts *o)
{
	media_plan_fit_with(tm, mi, o, NULL, 0);
}

void
media_plan_fit_with(struct media_timemap *tm, const struct media_info *mi,
    const struct media_plan_opts *o, const struct media_override *ov, size_t n_ov)
{
	struct media_seg *before;

	if (tm->n == 0 || media_timemap_is_identity(tm))
		return;
	before = xcalloc(tm->n, sizeof *before);
	memcpy(before, tm->seg, tm->n * sizeof *before);
	media_timemap_prefer_keyframes(tm, mi->keyframes_ms, mi->n_keyframes,
	    o->keyframe_slack_ms);
	plan_guard_removes(tm, before, ov, n_ov);
	media_timemap_snap(tm, mi->frames_ms, mi->n_frames);
	before = xreallocarray(before, tm->n, sizeof *before);
	memcpy(before, tm->seg, tm->n * sizeof *before);
	media_timemap_prefer_ends(tm, mi->ends_ms, mi->n_ends,
	    o->keyframe_slack_ms < PLAN_END_SLACK_MS ? o->keyframe_slack_ms : PLAN_END_SLACK_MS);
	plan_guard_removes(tm, before, ov, n_ov);
	free(before);
}

const char *
media_why_name(enum media_why w)
{
	static const char *const names[] = { "speech", "your keep", "silence", "head", "tail",
	    "your remove" };

	return (size_t)w < sizeof names / sizeof names[0] ? names[w] : "?";
}

/* The editor's range of kind keep that covers [s, e), or NULL. */
static const struct media_override *
override_over(const struct media_override *ov, size_t n_ov, int keep, int64_t s, int64_t e)
{
	size_t j;

	for (j = 0; j < n_ov; j++)
		if (ov[j].keep == keep && ov[j].start_ms <= s && e <= ov[j].end_ms)
			return &ov[j];
	return NULL;
}

void
media_plan_stretches(const struct media_timemap *tm, const struct media_override *ov,
    size_t n_ov, struct media_stretch **out, size_t *n)
{
	size_t ne = 0, k = 0, i;
	int64_t *edge = xcalloc(2 * tm->n + 2 * n_ov + 2, sizeof *edge);
	struct media_stretch *v;
	int64_t first = tm->n ? tm->seg[0].src_start_ms : tm->src_duration_ms;
	int64_t last = tm->n ? tm->seg[tm->n - 1].src_end_ms : tm->src_duration_ms;

	edge[ne++] = 0;
	edge[ne++] = tm->src_duration_ms;
	for (i = 0; i < tm->n; i++) {
		edge[ne++] = tm->seg[i].src_start_ms;
		edge[ne++] = tm->seg[i].src_end_ms;
	}
	for (i = 0; i < n_ov; i++) {
		edge[ne++] = ov[i].start_ms;
		edge[ne++] = ov[i].end_ms;
	}
	qsort(edge, ne, sizeof *edge, ms_cmp);
	v = xcalloc(ne, sizeof *v);
	for (i = 0; i + 1 < ne; i++) {
		int64_t s = edge[i], e = edge[i + 1];
		struct media_stretch x = { s, e, 0, MEDIA_WHY_SILENCE };

		if (e <= s || s < 0 || e > tm->src_duration_ms)
			continue;
		x.kept = media_timemap_to_source(tm, media_timemap_to_output(tm, s)) == s &&
		    media_timemap_to_output(tm, e) - media_timemap_to_output(tm, s) == e - s;
		if (x.kept)
			x.why = override_over(ov, n_ov, 1, s, e) ? MEDIA_WHY_KEEP : MEDIA_WHY_SPEECH;
		else if (override_over(ov, n_ov, 0, s, e))
			x.why = MEDIA_WHY_REMOVE;
		else if (e <= first)
			x.why = MEDIA_WHY_HEAD;
		else if (s >= last)
			x.why = MEDIA_WHY_TAIL;
		if (k > 0 && v[k - 1].kept == x.kept && v[k - 1].why == x.why &&
		    v[k - 1].end_ms == s) {
			v[k - 1].end_ms = e;
			continue;
		}
		v[k++] = x;
	}
	free(edge);
	*out = v;
	*n = k;
}

void
media_timemap_new_spans(const struct media_timemap *old_map,
    const struct media_timemap *new_map, int64_t min_ms, struct media_spans *out)
{
	size_t i, j = 0;

	for (i = 0; i < new_map->n; i++) {
		int64_t s = new_map->seg[i].src_start_ms, e = new_map->seg[i].src_end_ms;

		/* The old map's kept parts, in order, are taken out of [s, e). */
		while (j < old_map->n && old_map->seg[j].src_end_ms <= s)
			j++;
		for (size_t k = j; k < old_map->n && s < e; k++) {
			const struct media_seg *g = &old_map->seg[k];

			if (g->src_start_ms >= e)
				break;
			if (g->src_start_ms - s >= min_ms && g->src_start_ms > s)
				media_spans_push(out, s, g->src_start_ms);
			if (g->src_end_ms > s)
				s = g->src_end_ms;
		}
		if (e - s >= min_ms && e > s)
			media_spans_push(out, s, e);
	}
}

int
media_timemap_is_identity(const struct media_timemap *tm)
{
	return tm->n == 1 && tm->seg[0].src_start_ms == 0 &&
	    tm->seg[0].src_end_ms == tm->src_duration_ms;
}

/* Index of the last segment whose key (src or out start) is <= t, or -1. */
static long
timemap_find(const struct media_timemap *tm, int64_t t, int by_out)
{
	long lo = 0, hi = (long)tm->n - 1, ans = -1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		int64_t k = by_out ? tm->seg[mid].out_start_ms : tm->seg[mid].src_start_ms;

		if (k <= t) {
			ans = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	return ans;
}

int64_t
media_timemap_to_output(const struct media_timemap *tm, int64_t src_ms)
{
	const struct media_seg *g;
	long i;

	if (tm->n == 0)
		return 0;
	i = timemap_find(tm, src_ms, 0);
	if (i < 0)
		return 0;
	g = &tm->seg[i];
	if (src_ms < g->src_end_ms)
		return g->out_start_ms + (src_ms - g->src_start_ms);
	/* In the cut after g (or past the end): the splice point. */
	return g->out_start_ms + (g->src_end_ms - g->src_start_ms);
}

int64_t
media_timemap_to_source(const struct media_timemap *tm, int64_t out_ms)
{
	const struct media_seg *g;
	long i;

	if (tm->n == 0)
		return 0;
	i = timemap_find(tm, out_ms, 1);
	if (i < 0)
		return tm->seg[0].src_start_ms;
	g = &tm->seg[i];
	if (out_ms - g->out_start_ms < g->src_end_ms - g->src_start_ms)
		return g->src_start_ms + (out_ms - g->out_start_ms);
	return g->src_end_ms;
}

cJSON *
media_timemap_to_json(const struct media_timemap *tm)
{
	cJSON *j = cJSON_CreateObject(), *a;
	size_t i;

	cJSON_AddNumberToObject(j, "version", 1);
	cJSON_AddNumberToObject(j, "source_duration_ms", (double)tm->src_duration_ms);
	cJSON_AddNumberToObject(j, "output_duration_ms", (double)tm->out_duration_ms);
	a = cJSON_AddArrayToObject(j, "segments");
	for (i = 0; i < tm->n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "src_start_ms", (double)tm->seg[i].src_start_ms);
		cJSON_AddNumberToObject(o, "src_end_ms", (double)tm->seg[i].src_end_ms);
		cJSON_AddNumberToObject(o, "out_start_ms", (double)tm->seg[i].out_start_ms);
		cJSON_AddItemToArray(a, o);
	}
	return j;
}

static int
json_ms(const cJSON *o, const char *key, int64_t *v)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	return jnum_get(x, -JNUM_MS_MAX, JNUM_MS_MAX, v) ? 0 : -1;
}

int
media_timemap_from_json(const cJSON *j, struct media_timemap *tm,
    struct zpub_err *err)
{
	const cJSON *a, *o;
	int64_t out_pos = 0;
	size_t n;

	memset(tm, 0, sizeof *tm);
	a = cJSON_GetObjectItemCaseSensitive(j, "segments");
	if (!cJSON_IsArray(a) || json_ms(j, "source_duration_ms", &tm->src_duration_ms) < 0)
		return zpub_err_set(err, ZPUB_EINVAL,
		    "time map JSON lacks \"segments\" or \"source_duration_ms\"; re-run the process stage");
	n = (size_t)cJSON_GetArraySize(a);
	tm->seg = xcalloc(n ? n : 1, sizeof *tm->seg);
	cJSON_ArrayForEach(o, a) {
		struct media_seg *g = &tm->seg[tm->n];

		if (json_ms(o, "src_start_ms", &g->src_start_ms) < 0 ||
		    json_ms(o, "src_end_ms", &g->src_end_ms) < 0 ||
		    g->src_end_ms < g->src_start_ms ||
		    (tm->n > 0 && g->src_start_ms < tm->seg[tm->n - 1].src_end_ms)) {
			media_timemap_clear(tm);
			return zpub_err_set(err, ZPUB_EINVAL,
			    "time map segment %zu is malformed or out of order; re-run the process stage",
			    (size_t)(g - tm->seg));
		}
		/* out_start is derived, so a hand-edited file cannot disagree. */
		g->out_start_ms = out_pos;
		out_pos += g->src_end_ms - g->src_start_ms;
		tm->n++;
	}
	tm->out_duration_ms = out_pos;
	return 0;
}
