/*
 * visual.c — tells the pauses in which new content appears on screen from
 * still ones.
 *
 * A pause is visual when, during it, content accumulates in the picture
 * (a derivation written line by line, a demo's output) or a slide changes;
 * a small region moving about (a pointer, a speaker's thumbnail) or motion
 * all over the frame (a talking head) is not content.  Cheap by design: only
 * pauses the plan would shorten are looked at; the sizes of their video
 * packets come first (from the MP4 index, which reads nothing, or else the
 * demuxer): a pause whose packets stay level has nothing new to show and
 * is never decoded.  In the others a few tiny grey pictures a second are
 * compared.  Reports stretches on the source timeline; what the plan keeps
 * of them is plan.c's business.
 */
#include "media_priv.h"

#include <libswscale/swscale.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* The pictures compared: this small, grey, this often. */
#define VIS_W 64
#define VIS_H 36
#define VIS_STEP_MS 200
/* A pixel of the tiny picture changed when it moved this many grey levels. */
#define VIS_DIFF 16
/* Kept before a change, so the picture before it is seen too. */
#define VIS_LEAD_MS 500
/* A packet stands out from its pause when it is this many times the pause's
 * median and larger by a byte per VIS_SPIKE_PX pixels of the frame; a
 * keyframe when it is this much larger than the keyframe before the
 * pause. */
#define VIS_SPIKE 3
#define VIS_SPIKE_PX 1000
#define VIS_KEY_SPIKE 1.5

void
media_visual_opts_from_config(struct media_visual_opts *o, const cJSON *cfg)
{
	o->enabled = config_bool(cfg, "processing.video.remove_silence", 1) &&
	    config_bool(cfg, "processing.video.keep_visual_pauses", 1);
	o->min_area = config_double(cfg, "processing.video.visual_min_area", 0.03);
	o->hold_ms = config_int(cfg, "processing.video.visual_hold_ms", 3000);
	o->min_pause_ms = config_int(cfg, "processing.video.max_pause_ms", 2000);
}

static int
size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* Median of the non-zero values of v[0..n) (0 when none); sorts a copy. */
static size_t
median_nonzero(const size_t *v, size_t n)
{
	size_t *c = xcalloc(n ? n : 1, sizeof *c), k = 0, i, m;

	for (i = 0; i < n; i++)
		if (v[i] > 0)
			c[k++] = v[i];
	qsort(c, k, sizeof *c, size_cmp);
	m = k ? c[k / 2] : 0;
	free(c);
	return m;
}

static int
changed(uint8_t a, uint8_t b)
{
	return abs((int)a - (int)b) > VIS_DIFF;
}

size_t
media_visual_decide(const uint8_t *pics, const int64_t *at_ms, size_t n, int w, int h,
    const struct media_visual_opts *o, struct media_spans *content)
{
	size_t np = (size_t)w * (size_t)h, k, x, area = 0, added = 0, med, min_px, big = 0;
	const uint8_t *first = pics, *last;
	uint8_t *cnt = NULL, *is_new = NULL;
	size_t *step = NULL, *step_new = NULL;

	if (n < 2 || np == 0)
		return 0;
	last = pics + (n - 1) * np;
	cnt = xcalloc(np, 1);
	is_new = xcalloc(np, 1);
	step = xcalloc(n, sizeof *step);
	step_new = xcalloc(n, sizeof *step_new);
	/* How often each pixel changed, and how much changed at each step. */
	for (k = 1; k < n; k++) {
		const uint8_t *a = pics + (k - 1) * np, *b = pics + k * np;

		for (x = 0; x < np; x++)
			if (changed(a[x], b[x])) {
				if (cnt[x] < 255)
					cnt[x]++;
				step[k]++;
			}
	}
	/* New content: differs at the end from the start, and changed once
	 * or twice, so it stayed (motion changes a pixel again and again). */
	for (x = 0; x < np; x++)
		if (changed(first[x], last[x]) && cnt[x] <= 2) {
			is_new[x] = 1;
			area++;
		}
	min_px = (size_t)(o->min_area * (double)np);
	if (area == 0 || area < min_px)
		goto out;
	for (k = 1; k < n; k++) {
		const uint8_t *a = pics + (k - 1) * np, *b = pics + k * np;

		for (x = 0; x < np; x++)
			if (is_new[x] && changed(a[x], b[x]))
				step_new[k]++;
		if (step_new[k] >= 2 * min_px && step_new[k] > 0)
			big = 1;
	}
	/* A slide change is one big step (twice the least area: a number
	 * ticking over is not a new slide).  Otherwise what stayed must be
	 * several times what one step typically changes: a small region that
	 * moves about leaves itself behind twice at most, lines of writing
	 * add up. */
	med = median_nonzero(step + 1, n - 1);
	if (!big && area < 3 * med)
		goto out;
	for (k = 1; k < n; k++) {
		int64_t s = at_ms[k - 1] - VIS_LEAD_MS, e = at_ms[k] + o->hold_ms;

		/* A change of content: a sliver of the frame at least, and most
		 * of what changed at this step (a region moving on leaves
		 * behind no more than it covers anew). */
		if (step_new[k] < 2 || step_new[k] * 400 < np || 2 * step_new[k] <= step[k])
			continue;
		if (s < at_ms[0])
			s = at_ms[0];
		if (added > 0 && s <= content->v[content->n - 1].end_ms) {
			content->v[content->n - 1].end_ms = e;
			continue;
		}
		media_spans_push(content, s, e);
		added++;
	}
out:
	free(step_new);
	free(step);
	free(is_new);
	free(cnt);
	return added;
}

/* One open video for the whole analysis. */
struct vis {
	const char *path;
	AVFormatContext *fmt;
	AVCodecContext *dec;
	struct SwsContext *sws;
	AVPacket *pkt;
	AVFrame *frame;
	AVStream *st;
	int vi;
	int64_t origin_ms;
	size_t *sizes;          /* the pause's packet sizes */
	size_t n_sizes, cap_sizes;
	uint8_t *pics;          /* the pause's tiny pictures */
	int64_t *at;
	size_t n_pics, cap_pics;
};

static int64_t
vis_ms(const struct vis *v, int64_t ts)
{
	return av_rescale_q(ts, v->st->time_base, media_ms_tb) - v->origin_ms;
}

static int
vis_seek(struct vis *v, int64_t ms, struct zpub_err *err)
{
	int64_t ts = av_rescale_q(ms + v->origin_ms, media_ms_tb, v->st->time_base);
	int ret;

	if ((ret = av_seek_frame(v->fmt, v->vi, ts, AVSEEK_FLAG_BACKWARD)) < 0)
		return media_averr(err, ZPUB_EMEDIA, ret, "cannot seek in '%s' to look at its picture",
		    media_base(v->path));
	avcodec_flush_buffers(v->dec);
	return 0;
}

static void
vis_push_size(struct vis *v, size_t size)
{
	if (v->n_sizes == v->cap_sizes) {
		v->cap_sizes = v->cap_sizes ? 2 * v->cap_sizes : 256;
		v->sizes = xreallocarray(v->sizes, v->cap_sizes, sizeof *v->sizes);
	}
	v->sizes[v->n_sizes++] = size;
}

/* The packet sizes of [s, e) from an MP4/MOV index, which lists every
 * packet (at its decode time), so nothing is read: 0, or -1 without one. */
static int
vis_index_sizes(struct vis *v, int64_t s, int64_t e, size_t *key_before, int *key_in)
{
	int n = avformat_index_get_entries_count(v->st), lo = 0, hi, i;
	int64_t ts = av_rescale_q(s + v->origin_ms, media_ms_tb, v->st->time_base);
	int64_t te = av_rescale_q(e + v->origin_ms, media_ms_tb, v->st->time_base);

	if (n <= 0 || strstr(v->fmt->iformat->name, "mov") == NULL)
		return -1;
	hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (avformat_index_get_entry(v->st, mid)->timestamp < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo - 1; i >= 0; i--) {
		const AVIndexEntry *x = avformat_index_get_entry(v->st, i);

		if (x->flags & AVINDEX_KEYFRAME) {
			*key_before = (size_t)x->size;
			break;
		}
	}
	for (i = lo; i < n; i++) {
		const AVIndexEntry *x = avformat_index_get_entry(v->st, i);

		if (x->timestamp >= te)
			break;
		if (!(x->flags & AVINDEX_KEYFRAME))
			vis_push_size(v, (size_t)x->size);
		else if (*key_before > 0 && (double)x->size > VIS_KEY_SPIKE * (double)*key_before)
			*key_in = 1;
	}
	return 0;
}

/* Looks at the packets of [s, e): 1 when one stands out (something changed
 * on screen), 0 when they stay level (a still picture, or steady motion
 * that decoding would find to be no content either way). */
static int
vis_gate(struct vis *v, int64_t s, int64_t e, struct zpub_err *err)
{
	size_t key_before = 0, med, i, floor_b;
	int spike = 0, ret = AVERROR_EOF;

	v->n_sizes = 0;
	if (vis_index_sizes(v, s, e, &key_before, &spike) == 0)
		goto decide;
	if ((ret = vis_seek(v, s, err)) < 0)
		return ret;
	while ((ret = av_read_frame(v->fmt, v->pkt)) >= 0) {
		AVPacket *p = v->pkt;
		int64_t t = vis_ms(v, p->pts != AV_NOPTS_VALUE ? p->pts : p->dts);
		int64_t d = p->dts != AV_NOPTS_VALUE ? vis_ms(v, p->dts) : t;
		size_t size = (size_t)p->size;
		int key = (p->flags & AV_PKT_FLAG_KEY) != 0;

		if (p->stream_index != v->vi) {
			av_packet_unref(p);
			continue;
		}
		av_packet_unref(p);
		if (d >= e)
			break;
		if (t < s || t >= e) {
			if (key && t < s)
				key_before = size;
			continue;
		}
		if (key) {
			if (key_before > 0 && (double)size > VIS_KEY_SPIKE * (double)key_before)
				spike = 1;
			continue;
		}
		vis_push_size(v, size);
	}
	if (ret < 0 && ret != AVERROR_EOF)
		return media_averr(err, ZPUB_EMEDIA, ret, "cannot read the video of '%s'",
		    media_base(v->path));
decide:
	med = median_nonzero(v->sizes, v->n_sizes);
	floor_b = (size_t)v->st->codecpar->width * (size_t)v->st->codecpar->height / VIS_SPIKE_PX;
	for (i = 0; i < v->n_sizes && !spike; i++)
		if (v->sizes[i] >= VIS_SPIKE * med && v->sizes[i] - med >= floor_b)
			spike = 1;
	return spike;
}

/* Appends frame (shown at t) to the pause's pictures, tiny and grey. */
static int
vis_sample(struct vis *v, const AVFrame *f, int64_t t, struct zpub_err *err)
{
	uint8_t *dst[4] = { NULL };
	int dst_ls[4] = { VIS_W, 0, 0, 0 };

	v->sws = sws_getCachedContext(v->sws, f->width, f->height, f->format, VIS_W, VIS_H,
	    AV_PIX_FMT_GRAY8, SWS_AREA, NULL, NULL, NULL);
	if (v->sws == NULL)
		return zpub_err_set(err, ZPUB_EMEDIA, "cannot scale the picture of '%s'",
		    media_base(v->path));
	if (v->n_pics == v->cap_pics) {
		v->cap_pics = v->cap_pics ? 2 * v->cap_pics : 64;
		v->pics = xreallocarray(v->pics, v->cap_pics, VIS_W * VIS_H);
		v->at = xreallocarray(v->at, v->cap_pics, sizeof *v->at);
	}
	dst[0] = v->pics + v->n_pics * VIS_W * VIS_H;
	if (sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
	    dst, dst_ls) != VIS_H)
		return zpub_err_set(err, ZPUB_EMEDIA, "cannot scale the picture of '%s'",
		    media_base(v->path));
	v->at[v->n_pics++] = t;
	return 0;
}

/* Decodes [s, e) and keeps a tiny picture every VIS_STEP_MS. */
static int
vis_decode(struct vis *v, int64_t s, int64_t e, struct zpub_err *err)
{
	int64_t next = s;
	int ret, eof = 0, done = 0;

	v->n_pics = 0;
	if ((ret = vis_seek(v, s, err)) < 0)
		return ret;
	while (!done) {
		if (!eof) {
			ret = av_read_frame(v->fmt, v->pkt);
			if (ret == AVERROR_EOF) {
				eof = 1;
				ret = avcodec_send_packet(v->dec, NULL);
			} else if (ret < 0) {
				return media_averr(err, ZPUB_EMEDIA, ret, "cannot read the video of '%s'",
				    media_base(v->path));
			} else if (v->pkt->stream_index != v->vi) {
				av_packet_unref(v->pkt);
				continue;
			} else {
				ret = avcodec_send_packet(v->dec, v->pkt);
				av_packet_unref(v->pkt);
			}
			/* A broken packet only costs its pictures. */
			if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF &&
			    ret != AVERROR_INVALIDDATA)
				return media_averr(err, ZPUB_EMEDIA, ret,
				    "cannot decode the video of '%s'", media_base(v->path));
		}
		for (;;) {
			int64_t t;

			ret = avcodec_receive_frame(v->dec, v->frame);
			if (ret == AVERROR(EAGAIN))
				break;
			if (ret == AVERROR_EOF) {
				done = 1;
				break;
			}
			if (ret < 0)
				return media_averr(err, ZPUB_EMEDIA, ret,
				    "cannot decode the video of '%s'", media_base(v->path));
			t = v->frame->best_effort_timestamp == AV_NOPTS_VALUE ? next :
			    vis_ms(v, v->frame->best_effort_timestamp);
			if (t >= e) {
				done = 1;
			} else if (t >= next) {
				if ((ret = vis_sample(v, v->frame, t, err)) < 0) {
					av_frame_unref(v->frame);
					return ret;
				}
				next = t + VIS_STEP_MS;
			}
			av_frame_unref(v->frame);
			if (done)
				break;
		}
	}
	return 0;
}

static int
vis_open(struct vis *v, struct zpub_err *err)
{
	const AVCodec *codec = NULL;
	unsigned i;
	int ret;

	if ((ret = media_open_input(v->path, &v->fmt, err)) < 0)
		return ret;
	v->vi = av_find_best_stream(v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
	if (v->vi < 0 || codec == NULL) {
		v->vi = -1;
		return 0;
	}
	for (i = 0; i < v->fmt->nb_streams; i++)
		if ((int)i != v->vi)
			v->fmt->streams[i]->discard = AVDISCARD_ALL;
	v->st = v->fmt->streams[v->vi];
	v->origin_ms = media_origin_ms(v->fmt);
	if ((v->dec = avcodec_alloc_context3(codec)) == NULL ||
	    (v->pkt = av_packet_alloc()) == NULL || (v->frame = av_frame_alloc()) == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory looking at '%s'",
		    media_base(v->path));
	if ((ret = avcodec_parameters_to_context(v->dec, v->st->codecpar)) < 0)
		return media_averr(err, ZPUB_EMEDIA, ret, "cannot read the video of '%s'",
		    media_base(v->path));
	/* Only tiny grey pictures a few times a second are wanted: the
	 * deblocking filter can go, and so can the frames nothing refers to. */
	v->dec->skip_loop_filter = AVDISCARD_ALL;
	v->dec->skip_frame = AVDISCARD_NONREF;
	v->dec->thread_count = 1;
	if ((ret = avcodec_open2(v->dec, codec, NULL)) < 0)
		return media_averr(err, ZPUB_EMEDIA, ret, "cannot decode the video of '%s'",
		    media_base(v->path));
	return 0;
}

static void
vis_close(struct vis *v)
{
	free(v->at);
	free(v->pics);
	free(v->sizes);
	sws_freeContext(v->sws);
	av_frame_free(&v->frame);
	av_packet_free(&v->pkt);
	avcodec_free_context(&v->dec);
	avformat_close_input(&v->fmt);
}

int
media_visual_analyse(const char *path, const struct media_spans *silences,
    int64_t duration_ms, const struct media_visual_opts *o,
    const struct zpub_progress *prog, struct media_spans *content, struct zpub_err *err)
{
	struct vis v = { .path = path, .vi = -1 };
	size_t i;
	int rc = 0;

	if (o == NULL || !o->enabled)
		return 0;
	/* Nothing to look at unless some pause would be shortened. */
	for (i = 0; i < silences->n; i++) {
		const struct media_span *p = &silences->v[i];

		if (p->start_ms > 0 && p->end_ms < duration_ms &&
		    p->end_ms - p->start_ms > o->min_pause_ms)
			break;
	}
	if (i == silences->n)
		return 0;
	if ((rc = vis_open(&v, err)) < 0 || v.vi < 0)
		goto out;
	for (i = 0; i < silences->n; i++) {
		const struct media_span *p = &silences->v[i];
		size_t k, first;

		if (p->start_ms <= 0 || p->end_ms >= duration_ms ||
		    p->end_ms - p->start_ms <= o->min_pause_ms)
			continue;
		if (zpub_progress_report(prog, (double)i / (double)silences->n,
		    "looking at the picture in pauses") != 0) {
			rc = zpub_err_set(err, ZPUB_ECANCEL, "picture analysis of '%s' cancelled",
			    media_base(path));
			goto out;
		}
		if ((rc = vis_gate(&v, p->start_ms, p->end_ms, err)) < 0)
			goto out;
		if (rc == 0)
			continue;
		if ((rc = vis_decode(&v, p->start_ms, p->end_ms, err)) < 0)
			goto out;
		first = content->n;
		media_visual_decide(v.pics, v.at, v.n_pics, VIS_W, VIS_H, o, content);
		/* Within the pause, and after what the last pause reported. */
		for (k = first; k < content->n; k++) {
			struct media_span *c = &content->v[k];

			if (c->start_ms < p->start_ms)
				c->start_ms = p->start_ms;
			if (c->end_ms > p->end_ms)
				c->end_ms = p->end_ms;
		}
		rc = 0;
	}
	zpub_progress_report(prog, 1.0, "looking at the picture in pauses");
out:
	vis_close(&v);
	return rc;
}

cJSON *
media_visual_to_json(const struct media_spans *silences, const struct media_spans *content)
{
	cJSON *a = media_spans_to_json(silences), *o;
	size_t i = 0, j = 0;

	cJSON_ArrayForEach(o, a) {
		const struct media_span *p = &silences->v[i++];

		while (j < content->n && content->v[j].end_ms <= p->start_ms)
			j++;
		cJSON_AddBoolToObject(o, "visual", j < content->n &&
		    content->v[j].start_ms < p->end_ms);
	}
	return a;
}
