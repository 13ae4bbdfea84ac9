/*
 * slides.c — slide changes: where the whole picture changes (a new slide,
 * a switch of the shared screen, a cut to another camera).
 *
 * Cheap by construction: encoders put a keyframe at a scene change, so only
 * keyframes are decoded (the other packets are never sent to the decoder),
 * each scaled to a small grey image and compared with the one before.  A
 * long GOP (a keyframe every 10 s or more) could hide a change between two
 * keyframes; there the packet sizes tell: a predicted frame many times
 * larger than the ones before it redraws most of the picture.  Returns the
 * changes on the source timeline; it does not decide what they are used for.
 */
#include "media_priv.h"

#include <stdlib.h>
#include <string.h>

#include <libswscale/swscale.h>

/* The grey image two keyframes are compared at. */
#define SLIDE_W 96
#define SLIDE_H 54
/* A pixel changed when its grey level moved by more than this ... */
#define SLIDE_PIXEL_DELTA 24
/* ... and the picture changed when at least this share of its pixels did
 * (a box of a fifth of the width and height, a slide's text lines) ... */
#define SLIDE_CHANGED_SHARE 0.08
/* ... or, before the keyframes have shown how much they change anyway,
 * this share (a new slide, not a head turning) ... */
#define SLIDE_FIRST_SHARE 0.2
/* ... and this many times what the keyframes change anyway (the median of
 * the last SLIDE_FLOOR_N changes that were not slides). */
#define SLIDE_OVER_FLOOR 2.5
#define SLIDE_FLOOR_N 9
/* Two changes closer than this are one (a build-up, a fade). */
#define SLIDE_MIN_GAP_MS 1000
/* A picture that gives way to the one from before it within this was a
 * flash (a sync mark, a blink of the screen share), not a slide. */
#define SLIDE_MIN_SHOWN_MS 3000
/* Between two keyframes, a predicted frame this many times the average of
 * those before it (and this large) is where a confirmed change happened. */
#define SLIDE_SPIKE 3.0
#define SLIDE_SPIKE_MIN_BYTES 400
/* ... in a GOP longer than this (a shorter one starts at the change), at
 * most this many of them. */
#define SLIDE_LONG_GOP_MS 3000
#define SLIDE_GOP_SPIKES 8

void
media_slides_push(struct media_slides *s, int64_t at_ms, double change)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;

		s->v = xreallocarray(s->v, cap, sizeof *s->v);
		s->cap = cap;
	}
	s->v[s->n].at_ms = at_ms;
	s->v[s->n].change = change;
	s->n++;
}

void
media_slides_clear(struct media_slides *s)
{
	if (s == NULL)
		return;
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int
slide_cmp(const void *a, const void *b)
{
	const struct media_slide *x = a, *y = b;

	return (x->at_ms > y->at_ms) - (x->at_ms < y->at_ms);
}

/* In time order, changes closer than SLIDE_MIN_GAP_MS to the one kept
 * before them dropped (the packet-size guesses lose to decoded ones). */
static void
slide_settle(struct media_slides *s)
{
	size_t i, k = 0;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof *s->v, slide_cmp);
	for (i = 1; i < s->n; i++) {
		if (s->v[i].at_ms - s->v[k].at_ms < SLIDE_MIN_GAP_MS) {
			if (s->v[k].change == 0 && s->v[i].change > 0)
				s->v[k] = s->v[i];
			continue;
		}
		s->v[++k] = s->v[i];
	}
	s->n = k + 1;
}

/* Share of the pixels of two grey images that changed. */
static double
slide_diff(const uint8_t *a, const uint8_t *b)
{
	int i, changed = 0;

	for (i = 0; i < SLIDE_W * SLIDE_H; i++)
		if (abs((int)a[i] - (int)b[i]) > SLIDE_PIXEL_DELTA)
			changed++;
	return (double)changed / (SLIDE_W * SLIDE_H);
}

struct slide_scan {
	AVFormatContext *fmt;
	AVCodecContext *dec;
	struct SwsContext *sws;
	AVFrame *f;
	AVPacket *pkt;
	AVStream *st;
	int vi;
	int64_t origin_ms;
	uint8_t grey[2][SLIDE_W * SLIDE_H];
	int have_prev, cur;
	/* A change waits for the next keyframe: when that comes within
	 * SLIDE_MIN_SHOWN_MS and is much nearer the picture from before it
	 * again, it was a flash, not a slide. */
	uint8_t before[SLIDE_W * SLIDE_H];
	int pending;
	int64_t pending_ms;
	double pending_change;
	double floor[SLIDE_FLOOR_N]; /* keyframe changes that were no slide */
	int n_floor;
	double avg_bytes;            /* of the predicted frames since the keyframe */
	int n_pred;
	int64_t gop_start_ms;        /* the keyframe that began this GOP */
	int64_t spikes[SLIDE_GOP_SPIKES];   /* predicted frames that stood out */
	int n_spikes;
	/* The same for the GOPs before the last few keyframes (a decoder may
	 * give a keyframe back only once the next is sent), under the time of
	 * the keyframe that ended each. */
	struct {
		int64_t key_ms;
		int64_t spikes[SLIDE_GOP_SPIKES];
		int n;
	} gop[8];
	int n_gop;
};

static int
ms_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Whether a keyframe change of d is a new slide, given how much the
 * keyframes change anyway; one that is not joins that measure. */
static int
slide_is_change(struct slide_scan *sc, double d)
{
	double v[SLIDE_FLOOR_N], floor;
	int n = sc->n_floor < SLIDE_FLOOR_N ? sc->n_floor : SLIDE_FLOOR_N;

	if (n < 2)
		floor = -1;
	else {
		memcpy(v, sc->floor, (size_t)n * sizeof *v);
		qsort(v, (size_t)n, sizeof *v, dbl_cmp);
		floor = v[n / 2];
	}
	if (d >= SLIDE_CHANGED_SHARE && (floor < 0 ? d >= SLIDE_FIRST_SHARE :
	    d >= SLIDE_OVER_FLOOR * floor))
		return 1;
	sc->floor[sc->n_floor++ % SLIDE_FLOOR_N] = d;
	return 0;
}

/* Scales the decoded keyframe to grey and compares it with the last one.
 * A change waits for the next keyframe (see struct slide_scan). */
static void
slide_frame(struct slide_scan *sc, struct media_slides *out)
{
	AVFrame *f = sc->f;
	uint8_t *dst[4] = { sc->grey[sc->cur] };
	int dst_ls[4] = { SLIDE_W };
	int64_t ts = f->best_effort_timestamp, ms;

	sc->sws = sws_getCachedContext(sc->sws, f->width, f->height, f->format, SLIDE_W,
	    SLIDE_H, AV_PIX_FMT_GRAY8, SWS_AREA, NULL, NULL, NULL);
	if (sc->sws == NULL || ts == AV_NOPTS_VALUE)
		return;
	sws_scale(sc->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
	    dst, dst_ls);
	ms = av_rescale_q(ts, sc->st->time_base, media_ms_tb) - sc->origin_ms;
	if (sc->pending) {
		int flash = ms - sc->pending_ms < SLIDE_MIN_SHOWN_MS &&
		    slide_diff(sc->grey[sc->cur], sc->before) < sc->pending_change / 2;

		if (!flash)
			media_slides_push(out, sc->pending_ms, sc->pending_change);
		sc->pending = 0;
		if (flash)
			goto next;
	}
	if (sc->have_prev) {
		double d = slide_diff(sc->grey[sc->cur], sc->grey[!sc->cur]);

		if (slide_is_change(sc, d)) {
			memcpy(sc->before, sc->grey[!sc->cur], sizeof sc->before);
			sc->pending = 1;
			sc->pending_ms = ms;
			sc->pending_change = d;
			/* in a long GOP, where the picture was redrawn: the
			 * first frame that stood out, and any others */
			for (int i = 0; i < 8 && i < sc->n_gop; i++) {
				if (sc->gop[i].key_ms != ms || sc->gop[i].n == 0)
					continue;
				qsort(sc->gop[i].spikes, (size_t)sc->gop[i].n,
				    sizeof *sc->gop[i].spikes, ms_cmp);
				sc->pending_ms = sc->gop[i].spikes[0];
				for (int k = 1; k < sc->gop[i].n; k++)
					media_slides_push(out, sc->gop[i].spikes[k], 0);
			}
		}
	}
next:
	sc->have_prev = 1;
	sc->cur = !sc->cur;
}

/* A keyframe packet ends the GOP before it: the frames that stood out in
 * it (a long one) are kept under the keyframe's time. */
static void
slide_gop_end(struct slide_scan *sc, const AVPacket *pkt)
{
	int k = sc->n_gop++ % 8;
	int64_t ms = pkt->pts == AV_NOPTS_VALUE ? INT64_MIN :
	    av_rescale_q(pkt->pts, sc->st->time_base, media_ms_tb) - sc->origin_ms;

	sc->gop[k].key_ms = ms;
	sc->gop[k].n = 0;
	if (ms != INT64_MIN && ms - sc->gop_start_ms > SLIDE_LONG_GOP_MS) {
		memcpy(sc->gop[k].spikes, sc->spikes, sizeof sc->spikes);
		sc->gop[k].n = sc->n_spikes;
	}
	sc->gop_start_ms = ms;
	sc->n_spikes = 0;
	sc->avg_bytes = 0;
	sc->n_pred = 0;
}

/* The predicted frames that stand out since the keyframe: many times the
 * size of those before them (with B-frames in decode order: sorted when
 * the GOP is confirmed). */
static void
slide_packet_size(struct slide_scan *sc, const AVPacket *pkt)
{
	if (pkt->pts == AV_NOPTS_VALUE)
		return;
	if (sc->n_pred >= 8 && sc->n_spikes < SLIDE_GOP_SPIKES &&
	    pkt->size >= SLIDE_SPIKE_MIN_BYTES && pkt->size >= SLIDE_SPIKE * sc->avg_bytes)
		sc->spikes[sc->n_spikes++] = av_rescale_q(pkt->pts, sc->st->time_base,
		    media_ms_tb) - sc->origin_ms;
	sc->avg_bytes = sc->n_pred == 0 ? pkt->size : 0.9 * sc->avg_bytes + 0.1 * pkt->size;
	sc->n_pred++;
}

static int
slide_receive(struct slide_scan *sc, struct media_slides *out, struct zpub_err *err)
{
	int rc;

	while ((rc = avcodec_receive_frame(sc->dec, sc->f)) == 0) {
		slide_frame(sc, out);
		av_frame_unref(sc->f);
	}
	if (rc != AVERROR(EAGAIN) && rc != AVERROR_EOF)
		return media_averr(err, ZPUB_EMEDIA, rc, "decoding a keyframe failed");
	return 0;
}

static int
slide_open(struct slide_scan *sc, const char *path, struct zpub_err *err)
{
	const AVCodec *codec = NULL;
	int rc;

	if ((rc = media_open_input(path, &sc->fmt, err)) < 0)
		return rc;
	sc->vi = av_find_best_stream(sc->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
	if (sc->vi < 0 || codec == NULL)
		return zpub_err_set(err, ZPUB_EMEDIA, "'%s' has no video to find slides in",
		    media_base(path));
	for (unsigned i = 0; i < sc->fmt->nb_streams; i++)
		if ((int)i != sc->vi)
			sc->fmt->streams[i]->discard = AVDISCARD_ALL;
	sc->st = sc->fmt->streams[sc->vi];
	sc->origin_ms = media_origin_ms(sc->fmt);
	if ((sc->dec = avcodec_alloc_context3(codec)) == NULL ||
	    avcodec_parameters_to_context(sc->dec, sc->st->codecpar) < 0 ||
	    (sc->f = av_frame_alloc()) == NULL || (sc->pkt = av_packet_alloc()) == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	sc->dec->pkt_timebase = sc->st->time_base;
	sc->dec->skip_frame = AVDISCARD_NONKEY;
	sc->dec->skip_loop_filter = AVDISCARD_ALL;
	sc->dec->thread_count = 1;
	if ((rc = avcodec_open2(sc->dec, codec, NULL)) < 0)
		return media_averr(err, ZPUB_EMEDIA, rc, "cannot open the video decoder");
	return 0;
}

int
media_slides_detect(const char *path, const struct zpub_progress *prog,
    struct media_slides *out, struct zpub_err *err)
{
	struct slide_scan sc;
	int64_t dur, packets = 0;
	int rc;

	memset(&sc, 0, sizeof sc);
	if ((rc = slide_open(&sc, path, err)) < 0)
		goto out;
	dur = media_duration_ms(sc.fmt);
	while ((rc = av_read_frame(sc.fmt, sc.pkt)) >= 0) {
		if (sc.pkt->stream_index != sc.vi) {
			av_packet_unref(sc.pkt);
			continue;
		}
		if (sc.pkt->flags & AV_PKT_FLAG_KEY) {
			slide_gop_end(&sc, sc.pkt);
			rc = avcodec_send_packet(sc.dec, sc.pkt);
			if (rc < 0 && rc != AVERROR_INVALIDDATA && rc != AVERROR(EAGAIN)) {
				av_packet_unref(sc.pkt);
				rc = media_averr(err, ZPUB_EMEDIA, rc, "decoding a keyframe failed");
				goto out;
			}
			if ((rc = slide_receive(&sc, out, err)) < 0) {
				av_packet_unref(sc.pkt);
				goto out;
			}
		} else
			slide_packet_size(&sc, sc.pkt);
		if ((++packets & 1023) == 0 && dur > 0 && sc.pkt->pts != AV_NOPTS_VALUE &&
		    zpub_progress_report(prog, (double)(av_rescale_q(sc.pkt->pts,
		    sc.st->time_base, media_ms_tb) - sc.origin_ms) / (double)dur,
		    "finding slide changes") != 0) {
			av_packet_unref(sc.pkt);
			rc = zpub_err_set(err, ZPUB_ECANCEL, "cancelled");
			goto out;
		}
		av_packet_unref(sc.pkt);
	}
	if (rc != AVERROR_EOF) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "reading '%s' failed", media_base(path));
		goto out;
	}
	avcodec_send_packet(sc.dec, NULL);
	rc = slide_receive(&sc, out, err);
	if (sc.pending)
		media_slides_push(out, sc.pending_ms, sc.pending_change);
	slide_settle(out);
out:
	sws_freeContext(sc.sws);
	av_packet_free(&sc.pkt);
	av_frame_free(&sc.f);
	avcodec_free_context(&sc.dec);
	avformat_close_input(&sc.fmt);
	return rc < 0 ? rc : 0;
}
