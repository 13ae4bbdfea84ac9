/*
 * cut.c — writes the kept segments of a recording as a new MP4.
 *
 * Two video strategies behind media_cut(): full re-encode (decode every
 * frame, libx264), and smart cut of H.264 and HEVC (copy the packets of the
 * GOPs that lie inside a kept segment untouched, B-frames, open GOPs and
 * all; re-encode only the pieces between a cut and the nearest point where
 * copying can start or must stop, on a pool of worker threads; see "smart
 * cut" below).  Audio is always decoded and re-encoded whole to AAC along
 * the time map, sample-accurately, with holes (late start, gaps) filled
 * with silence so A/V sync holds at every cut.  Smart cut falls back to
 * re-encoding, saying why, when the input cannot be spliced soundly (another
 * codec, interlaced, not 8-bit 4:2:0, keyframes too far apart, timestamps
 * that do not add up).
 */
#include "media_priv.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "config.h"

void
media_cut_opts_from_config(struct media_cut_opts *o, const cJSON *cfg)
{
	const char *s = config_str(cfg, "processing.video.strategy", "smart");

	o->strategy = strcmp(s, "reencode") == 0 ? MEDIA_CUT_REENCODE : MEDIA_CUT_SMART;
	o->crf = (int)config_int(cfg, "processing.video.crf", 23);
	o->preset = config_str(cfg, "processing.video.preset", "veryfast");
	o->piece_preset = config_str(cfg, "processing.video.smart_preset", o->preset);
}

struct cut {
	const char *in_path;
	const struct media_timemap *tm;
	const struct media_cut_opts *opts;
	const struct zpub_progress *prog;
	struct media_cut_report *rep;

	AVFormatContext *in, *out;
	AVStream *vst, *ovst, *oast;
	AVRational tb;              /* video time base, in and out */
	int64_t origin_ms;
	int vi;

	/* segment bounds in tb, source (s, e) and output start (o) */
	int64_t *s, *e, *o;
	int64_t out_end;            /* output video end in tb */
	int64_t min_frag;           /* a quarter frame: shorter shows are slivers */

	AVCodecContext *dec, *enc;
	struct SwsContext *sws;
	AVFrame *held, *conv;
	int64_t held_ts;
	int piece_started;          /* a frame was emitted in this piece */
	int hevc;                   /* smart cut of HEVC (else H.264) */
	int skip_disposable;        /* pieces may skip unreferenced frames */
	int nal_len;                /* avcC/hvcC NAL length size */

	AVPacket *pending;          /* last video packet, written when the next comes */
	int64_t last_dts;
	int64_t first_off;          /* first packet's DTS - PTS (<= 0) */
	int have_last_dts;

	/* audio */
	struct media_areader *ar;
	struct media_seg_feed feed;
	struct media_aenc aenc;
	int aenc_open, audio_done;
	int arate;

	int64_t encoded_ticks, copied_frames;
	int64_t packets;
};

/* ---- output helpers -------------------------------------------------- */

static int
write_audio_packet(void *ud, AVPacket *pkt, struct zpub_err *err)
{
	struct cut *c = ud;
	int rc;

	pkt->stream_index = c->oast->index;
	av_packet_rescale_ts(pkt, (AVRational){1, c->arate}, c->oast->time_base);
	if ((rc = av_interleaved_write_frame(c->out, pkt)) < 0)
		return media_averr(err, ZPUB_EIO, rc, "writing audio to the cut video failed");
	return 0;
}

/* Audio runs up to a little past the video written so far, so the muxer's
 * interleaving queue stays short. */
static int
audio_pump(struct cut *c, int64_t until_tb, struct zpub_err *err)
{
	int64_t until;
	int rc;

	if (c->ar == NULL || c->audio_done)
		return 0;
	until = until_tb == INT64_MAX ? INT64_MAX :
	    av_rescale_q(until_tb, c->tb, (AVRational){1, c->arate}) + c->arate / 2;
	while (c->aenc.pts + av_audio_fifo_size(c->aenc.fifo) < until) {
		uint8_t **planes;
		int64_t pos;
		int n;

		rc = media_areader_next(c->ar, &planes, &n, &pos, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if ((rc = media_seg_feed_finish(&c->feed, err)) < 0 ||
			    (rc = media_aenc_flush(&c->aenc, err)) < 0)
				return rc;
			c->audio_done = 1;
			return 0;
		}
		if ((rc = media_seg_feed_push(&c->feed, planes, n, pos, err)) < 0)
			return rc;
		if (c->feed.seg >= c->tm->n) {
			/* Past the last kept segment: nothing more to read. */
			if ((rc = media_seg_feed_finish(&c->feed, err)) < 0 ||
			    (rc = media_aenc_flush(&c->aenc, err)) < 0)
				return rc;
			c->audio_done = 1;
			return 0;
		}
	}
	return 0;
}

/* Every video packet passes here in output DTS order.  Held back by one so
 * its duration is exactly the gap to the next one (MP4 sample durations are
 * DTS deltas); the last one is stretched to the end of the plan. */
static int
write_video(struct cut *c, AVPacket *pkt, struct zpub_err *err)
{
	AVPacket *p = c->pending;
	int rc;

	if (pkt != NULL && c->have_last_dts && pkt->dts <= c->last_dts) {
		/* Never go backwards: a rounding tie at a splice. */
		pkt->dts = c->last_dts + 1;
		if (pkt->pts < pkt->dts)
			pkt->pts = pkt->dts;
	}
	if (p != NULL && p->size > 0) {
		/* The last one ends the plan: sample durations add up to it
		 * plus the first packet's reordering offset, which the MP4
		 * edit list takes off again. */
		p->duration = pkt != NULL ? pkt->dts - p->dts : c->out_end + c->first_off - p->dts;
		if (p->duration <= 0)
			p->duration = 1;
		if ((rc = audio_pump(c, p->dts + p->duration, err)) < 0)
			return rc;
		p->stream_index = c->ovst->index;
		av_packet_rescale_ts(p, c->tb, c->ovst->time_base);
		rc = av_interleaved_write_frame(c->out, p);
		av_packet_unref(p);
		if (rc < 0)
			return media_averr(err, ZPUB_EIO, rc, "writing video to the cut file failed");
	}
	if (pkt != NULL) {
		if (!c->have_last_dts)
			c->first_off = pkt->dts - pkt->pts;
		c->last_dts = pkt->dts;
		c->have_last_dts = 1;
		av_packet_move_ref(c->pending, pkt);
	}
	return 0;
}

/* ---- encoding -------------------------------------------------------- */

static int
enc_open(struct cut *c, struct zpub_err *err)
{
	const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
	AVCodecContext *e;
	AVDictionary *d = NULL;
	char crf[16];
	int rc;

	if (codec == NULL)
		return zpub_err_set(err, ZPUB_EMEDIA,
		    "this FFmpeg has no libx264 encoder; install libavcodec with x264 support");
	if ((e = avcodec_alloc_context3(codec)) == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory opening the video encoder");
	e->width = c->dec->width;
	e->height = c->dec->height;
	e->pix_fmt = AV_PIX_FMT_YUV420P;
	e->sample_aspect_ratio = c->dec->sample_aspect_ratio;
	e->time_base = c->tb;
	e->framerate = c->vst->avg_frame_rate;
	e->color_range = AVCOL_RANGE_MPEG;
	/* No B-frames: DTS equals PTS, which keeps splices and durations
	 * simple, and slides gain little from them. */
	e->max_b_frames = 0;
	/* Screen shares: long GOPs (10 s) cost nothing on still slides
	 * and keep seeking cheap enough. */
	e->gop_size = c->vst->avg_frame_rate.num > 0 ?
	    (int)(10 * av_q2d(c->vst->avg_frame_rate) + 0.5) : 250;
	e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	snprintf(crf, sizeof crf, "%d", c->opts->crf);
	av_dict_set(&d, "crf", crf, 0);
	av_dict_set(&d, "preset", c->opts->preset ? c->opts->preset : "veryfast", 0);
	rc = avcodec_open2(e, codec, &d);
	av_dict_free(&d);
	if (rc < 0) {
		avcodec_free_context(&e);
		return media_averr(err, ZPUB_EMEDIA, rc, "cannot open libx264 (preset '%s')",
		    c->opts->preset);
	}
	c->enc = e;
	return 0;
}

static int
enc_drain(struct cut *c, struct zpub_err *err)
{
	AVPacket *pkt = av_packet_alloc();
	int rc;

	if (pkt == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory encoding video");
		goto out;
	}
	for (;;) {
		rc = avcodec_receive_packet(c->enc, pkt);
		if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) {
			rc = 0;
			break;
		}
		if (rc < 0) {
			rc = media_averr(err, ZPUB_EMEDIA, rc, "encoding video failed");
			break;
		}
		pkt->dts = pkt->pts;   /* no B-frames */
		if ((rc = write_video(c, pkt, err)) < 0)
			break;
	}
out:
	av_packet_free(&pkt);
	return rc;
}

static int
enc_close_piece(struct cut *c, struct zpub_err *err)
{
	int rc;

	if (c->enc == NULL)
		return 0;
	if ((rc = avcodec_send_frame(c->enc, NULL)) < 0 && rc != AVERROR_EOF)
		return media_averr(err, ZPUB_EMEDIA, rc, "flushing the video encoder");
	rc = enc_drain(c, err);
	avcodec_free_context(&c->enc);
	return rc;
}

/* Sends frame f shown on the source interval [a, b) of segment g. */
static int
emit_interval(struct cut *c, AVFrame *f, int64_t a, int64_t b, size_t g,
    struct zpub_err *err)
{
	AVFrame *x;
	int rc;

	if (!c->piece_started || a < c->s[g])
		a = c->s[g];
	if (b > c->e[g])
		b = c->e[g];
	/* A sliver (rounding at a splice) would put two frames in one tick
	 * for players that assume the nominal rate: the neighbour covers it. */
	if (b - a < c->min_frag)
		return 0;
	if (c->enc == NULL && (rc = enc_open(c, err)) < 0)
		return rc;
	if (f->format != AV_PIX_FMT_YUV420P || f->width != c->enc->width ||
	    f->height != c->enc->height) {
		c->sws = sws_getCachedContext(c->sws, f->width, f->height, f->format,
		    c->enc->width, c->enc->height, AV_PIX_FMT_YUV420P, SWS_BILINEAR,
		    NULL, NULL, NULL);
		if (c->sws == NULL)
			return zpub_err_set(err, ZPUB_EMEDIA, "cannot convert video frames of '%s'",
			    media_base(c->in_path));
		av_frame_unref(c->conv);
		c->conv->format = AV_PIX_FMT_YUV420P;
		c->conv->width = c->enc->width;
		c->conv->height = c->enc->height;
		if (av_frame_get_buffer(c->conv, 0) < 0)
			return zpub_err_set(err, ZPUB_ENOMEM, "out of memory converting video");
		sws_scale(c->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
		    c->conv->data, c->conv->linesize);
		f = c->conv;
	}
	if ((x = av_frame_clone(f)) == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory encoding video");
	x->pts = a - c->s[g] + c->o[g];
	x->pict_type = AV_PICTURE_TYPE_NONE;
	c->piece_started = 1;
	c->encoded_ticks += b - a;
	rc = avcodec_send_frame(c->enc, x);
	av_frame_free(&x);
	if (rc < 0)
		return media_averr(err, ZPUB_EMEDIA, rc, "encoding video failed");
	return enc_drain(c, err);
}

/* ---- decoding -------------------------------------------------------- */

static int
dec_open(struct cut *c, struct zpub_err *err)
{
	const AVCodec *codec = avcodec_find_decoder(c->vst->codecpar->codec_id);
	int rc;

	if (codec == NULL)
		return zpub_err_set(err, ZPUB_EMEDIA, "'%s': no decoder for its %s video",
		    media_base(c->in_path), avcodec_get_name(c->vst->codecpar->codec_id));
	if ((c->dec = avcodec_alloc_context3(codec)) == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	if ((rc = avcodec_parameters_to_context(c->dec, c->vst->codecpar)) < 0)
		return media_averr(err, ZPUB_EMEDIA, rc, "video decoder parameters");
	c->dec->pkt_timebase = c->tb;
	c->dec->thread_count = 0;
	if ((rc = avcodec_open2(c->dec, codec, NULL)) < 0)
		return media_averr(err, ZPUB_EMEDIA, rc, "cannot open the %s decoder", codec->name);
	return 0;
}

/* Takes decoded frames and turns held frames into intervals of segment g
 * (smart: one segment; re-encode: walks *gcur across segments). */
static int
dec_receive(struct cut *c, size_t *gcur, int smart_g, struct zpub_err *err)
{
	AVFrame *f = av_frame_alloc();
	int rc;

	if (f == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory decoding video");
	for (;;) {
		int64_t ts;

		rc = avcodec_receive_frame(c->dec, f);
		if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) {
			rc = 0;
			break;
		}
		if (rc < 0) {
			rc = media_averr(err, ZPUB_EMEDIA, rc, "decoding the video of '%s' failed",
			    media_base(c->in_path));
			break;
		}
		ts = f->best_effort_timestamp;
		if (ts == AV_NOPTS_VALUE || (c->held->buf[0] != NULL && ts <= c->held_ts)) {
			av_frame_unref(f);
			continue;
		}
		if (c->held->buf[0] != NULL) {
			if (smart_g >= 0)
				rc = emit_interval(c, c->held, c->held_ts, ts, (size_t)smart_g, err);
			else {
				/* The held frame may span several kept segments. */
				rc = 0;
				while (*gcur < c->tm->n && c->e[*gcur] <= c->held_ts)
					(*gcur)++, c->piece_started = 1;
				for (size_t g = *gcur; rc == 0 && g < c->tm->n && c->s[g] < ts; g++)
					rc = emit_interval(c, c->held, c->held_ts, ts, g, err);
			}
			if (rc < 0)
				break;
		}
		av_frame_unref(c->held);
		av_frame_move_ref(c->held, f);
		c->held_ts = ts;
	}
	av_frame_free(&f);
	return rc;
}

/* ---- strategies ------------------------------------------------------ */

static int
progress(struct cut *c, int64_t ts, struct zpub_err *err)
{
	int64_t end = c->e[c->tm->n - 1];

	if (++c->packets % 256 != 0)
		return 0;
	if (zpub_progress_report(c->prog, end > 0 ? (double)ts / (double)end : -1,
	    "cutting video") != 0)
		return zpub_err_set(err, ZPUB_ECANCEL, "cutting '%s' cancelled", media_base(c->in_path));
	return 0;
}

static int64_t
pkt_ts(const AVPacket *p)
{
	return p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
}

static int
cut_reencode(struct cut *c, struct zpub_err *err)
{
	AVPacket *pkt = av_packet_alloc();
	size_t g = 0;
	int rc = 0, eof = 0;

	if (pkt == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	if ((rc = dec_open(c, err)) < 0)
		goto out;
	/* The first frame of the output covers from the first segment's
	 * start even if the video starts later. */
	c->piece_started = 0;
	while (!eof) {
		rc = av_read_frame(c->in, pkt);
		if (rc == AVERROR_EOF || rc == AVERROR_INVALIDDATA || rc == AVERROR(EIO)) {
			eof = 1;
			rc = avcodec_send_packet(c->dec, NULL);
		} else if (rc < 0) {
			rc = media_averr(err, ZPUB_EMEDIA, rc, "reading '%s'", media_base(c->in_path));
			goto out;
		} else if (pkt->stream_index != c->vi) {
			av_packet_unref(pkt);
			continue;
		} else {
			int64_t ts = pkt_ts(pkt);

			if (ts != AV_NOPTS_VALUE && ts >= c->e[c->tm->n - 1] + c->tb.den) {
				/* A second past the plan's end: done. */
				av_packet_unref(pkt);
				eof = 1;
				rc = avcodec_send_packet(c->dec, NULL);
			} else {
				if ((rc = progress(c, ts, err)) < 0)
					goto out;
				rc = avcodec_send_packet(c->dec, pkt);
				av_packet_unref(pkt);
				if (rc == AVERROR_INVALIDDATA)
					rc = 0;   /* a damaged packet: skip it */
			}
		}
		if (rc < 0 && rc != AVERROR_EOF) {
			rc = media_averr(err, ZPUB_EMEDIA, rc, "decoding the video of '%s'",
			    media_base(c->in_path));
			goto out;
		}
		if ((rc = dec_receive(c, &g, -1, err)) < 0)
			goto out;
	}
	/* The last frame lasts to the end of the plan. */
	if (c->held->buf[0] != NULL) {
		while (g < c->tm->n && c->e[g] <= c->held_ts)
			g++;
		for (; g < c->tm->n; g++)
			if ((rc = emit_interval(c, c->held, c->held_ts, c->e[g], g, err)) < 0)
				goto out;
	}
	rc = enc_close_piece(c, err);
out:
	av_packet_free(&pkt);
	return rc;
}

/* ---- smart cut ------------------------------------------------------- */

/*
 * Smart cut works on a table of the source's video packets in decode order
 * (one pass over the file reads only timestamps and the NAL types of
 * keyframes).  Each kept segment [s, e) becomes up to three jobs:
 *
 *   head piece   [s, K)   re-encoded, decoded from the last start <= s
 *   copy         packets K .. J in decode order, untouched
 *   tail piece   [X, e)   re-encoded
 *
 * K is the first decoding start (IDR/BLA, or an open-GOP recovery point /
 * CRA) at or after s.  The copy is a prefix of the decode order from K:
 * any such prefix decodes (references only point back), and J is chosen so
 * that the prefix shows exactly the frames [K, X): every frame shown before
 * X is in it, none after.  A B-frame is never copied without the frames it
 * references.  Leading pictures of an open K (decoded after it, shown before
 * it, referencing the GOP before it) are dropped; the head piece shows their
 * times instead.
 *
 * Pieces are independent: a small pool of workers, each with its own
 * demuxer, decodes and encodes them while the main thread copies packets,
 * encodes the audio and writes the file in order.  Workers run at most
 * SMART_AHEAD jobs ahead of the writer, which bounds the memory held.
 *
 * Timestamps: copied packets keep their PTS and DTS shifted by the
 * segment's offset, so the copied GOPs keep their reordering delay D (the
 * first packet's PTS - DTS in the source).  Pieces have no B-frames; their
 * DTS is PTS - D, squeezed where needed so the DTS increase strictly into
 * and out of every copy.  HEVC pieces overwrite the parameter sets with id 0, so the copy
 * after one gets an end-of-sequence NAL before it and the source's
 * VPS/SPS/PPS in-band (the track is tagged hev1).  H.264 pieces use SPS/PPS
 * id 1, listed in the avcC beside the source's.
 */

#define SMART_AHEAD 8         /* jobs the workers may run ahead of the writer */
#define SMART_MAX_WORKERS 4

struct vpkt {
	int64_t pts, dts;
	int start;                 /* media_nal_start_kind of a keyframe */
};

enum job_kind { JOB_COPY, JOB_PIECE };

struct job {
	enum job_kind kind;
	size_t g;
	size_t from, to;           /* copy: decode-order packets, inclusive */
	int64_t a, b;              /* piece: source [a, b) */
	size_t k0;                 /* piece: decoding starts at this packet */
	int taken, done, rc;
	struct zpub_err err;
	AVPacket **out;            /* piece: encoded packets, output PTS */
	int n_out, cap_out;
	int64_t ticks;             /* piece: time encoded */
};

struct smart {
	struct vpkt *pk;
	size_t npk;
	int64_t *sufmin;           /* smallest PTS from each packet on */
	size_t *starts;            /* indices of decoding starts */
	size_t nstarts;
	int64_t delay;
	int open_skipped;          /* H.264 recovery points not spliced at */
	struct job *jobs;
	size_t njobs, capjobs;
	uint8_t *psets;            /* HEVC: the source's VPS/SPS/PPS */
	int psets_size;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next_take, writing;
	int stop;
};

static int64_t
pkt_pts_or_dts(const AVPacket *p)
{
	return p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
}

/* Reads the packet table.  Returns 0, or a reason (static) in *why when
 * the timestamps do not allow smart cut. */
static int
smart_scan(struct cut *c, struct smart *sm, const char **why, struct zpub_err *err)
{
	AVPacket *pkt = av_packet_alloc();
	size_t cap = 0, i;
	int rc;

	if (pkt == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	for (;;) {
		rc = av_read_frame(c->in, pkt);
		if (rc == AVERROR_EOF || rc == AVERROR_INVALIDDATA || rc == AVERROR(EIO))
			break;
		if (rc < 0) {
			av_packet_free(&pkt);
			return media_averr(err, ZPUB_EMEDIA, rc, "reading '%s'", media_base(c->in_path));
		}
		if (pkt->stream_index != c->vi) {
			av_packet_unref(pkt);
			continue;
		}
		if (sm->npk == cap) {
			cap = cap ? cap * 2 : 4096;
			sm->pk = xreallocarray(sm->pk, cap, sizeof *sm->pk);
		}
		sm->pk[sm->npk].pts = pkt_pts_or_dts(pkt);
		sm->pk[sm->npk].dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
		sm->pk[sm->npk].start = (pkt->flags & AV_PKT_FLAG_KEY) ?
		    media_nal_start_kind(pkt, c->nal_len, c->hevc) : 0;
		sm->npk++;
		av_packet_unref(pkt);
	}
	av_packet_free(&pkt);
	if (sm->npk == 0) {
		*why = "the video has no packets";
		return 0;
	}
	sm->sufmin = xreallocarray(NULL, sm->npk + 1, sizeof *sm->sufmin);
	sm->starts = xreallocarray(NULL, sm->npk, sizeof *sm->starts);
	sm->sufmin[sm->npk] = INT64_MAX;
	for (i = sm->npk; i-- > 0;) {
		const struct vpkt *p = &sm->pk[i];

		if (p->pts == AV_NOPTS_VALUE || p->dts == AV_NOPTS_VALUE) {
			*why = "video packets without timestamps";
			return 0;
		}
		if (i > 0 && p->dts <= sm->pk[i - 1].dts) {
			*why = "the video's decode timestamps do not increase";
			return 0;
		}
		if (p->pts < p->dts) {
			*why = "the video shows frames before it decodes them";
			return 0;
		}
		sm->sufmin[i] = p->pts < sm->sufmin[i + 1] ? p->pts : sm->sufmin[i + 1];
	}
	/* The decode delay: x264, x265 and FFmpeg give the packet decoded
	 * i-th the DTS of the frame shown i-th less this. */
	sm->delay = sm->pk[0].pts > sm->pk[0].dts ? sm->pk[0].pts - sm->pk[0].dts : 0;
	for (i = 0; i < sm->npk; i++)
		if (sm->pk[i].start && (sm->nstarts == 0 ||
		    sm->pk[i].pts > sm->pk[sm->starts[sm->nstarts - 1]].pts))
			sm->starts[sm->nstarts++] = i;
	if (sm->nstarts == 0 || sm->starts[0] != 0) {
		*why = "the video does not start on a keyframe";
		return 0;
	}
	return 0;
}

/* The last decoding start shown at or before t (the first one if none). */
static size_t
start_before(const struct smart *sm, int64_t t)
{
	size_t lo = 0, hi = sm->nstarts;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (sm->pk[sm->starts[mid]].pts <= t)
			lo = mid;
		else
			hi = mid;
	}
	return sm->starts[lo];
}

/* The first decoding start shown at or after t, or SIZE_MAX. */
static size_t
start_after(const struct smart *sm, int64_t t)
{
	size_t lo = 0, hi = sm->nstarts;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sm->pk[sm->starts[mid]].pts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sm->nstarts ? sm->starts[lo] : SIZE_MAX;
}

static struct job *
job_add(struct smart *sm, enum job_kind kind, size_t g)
{
	struct job *j;

	if (sm->njobs == sm->capjobs) {
		size_t cap = sm->capjobs ? sm->capjobs * 2 : 64;

		sm->jobs = xreallocarray(sm->jobs, cap, sizeof *sm->jobs);
		sm->capjobs = cap;
	}
	j = &sm->jobs[sm->njobs++];
	memset(j, 0, sizeof *j);
	j->kind = kind;
	j->g = g;
	return j;
}

static void
piece_add(struct cut *c, struct smart *sm, size_t g, int64_t a, int64_t b)
{
	struct job *j;

	if (b - a < c->min_frag)
		return;
	j = job_add(sm, JOB_PIECE, g);
	j->a = a;
	j->b = b;
	j->k0 = start_before(sm, a);
}

/* Head piece, copy, tail piece of each segment (see above). */
static void
smart_plan(struct cut *c, struct smart *sm)
{
	size_t g;

	for (g = 0; g < c->tm->n; g++) {
		int64_t s = c->s[g], e = c->e[g], x = s;
		size_t k = start_after(sm, s - c->min_frag), j, best = SIZE_MAX;
		int64_t maxp;

		/* H.264 has no broken-link picture: after other frames, an open
		 * recovery point would decode against the wrong references
		 * (frame numbers, reference marking), so copies start at IDRs
		 * only and the piece before runs up to the next one. */
		if (!c->hevc && k != SIZE_MAX && sm->pk[k].start != 1 && sm->pk[k].pts < e)
			sm->open_skipped++;
		while (!c->hevc && k != SIZE_MAX && sm->pk[k].start != 1 && sm->pk[k].pts < e)
			k = start_after(sm, sm->pk[k].pts + 1);

		if (k != SIZE_MAX && sm->pk[k].pts < e - c->min_frag) {
			maxp = sm->pk[k].pts;
			for (j = k; j < sm->npk && sm->pk[j].pts < e - c->min_frag; j++) {
				if (sm->pk[j].pts > maxp)
					maxp = sm->pk[j].pts;
				if (maxp < sm->sufmin[j + 1])
					best = j;
			}
		}
		if (best == SIZE_MAX) {
			piece_add(c, sm, g, s, e);
			continue;
		}
		if (sm->pk[k].pts - s >= c->min_frag)
			piece_add(c, sm, g, s, sm->pk[k].pts);
		{
			struct job *cj = job_add(sm, JOB_COPY, g);

			cj->from = k;
			cj->to = best;
		}
		x = sm->sufmin[best + 1];
		if (x < e)
			piece_add(c, sm, g, x, e);
	}
}

/* ---- pieces: one worker --------------------------------------------- */

struct worker {
	struct cut *c;
	struct smart *sm;
	AVFormatContext *in;
	AVCodecContext *dec, *enc;
	AVFrame *held;
	int64_t held_ts;
	int started;
	pthread_t th;
	int running;
};

/* The encoder of a piece: the source's codec, profile, level, size and
 * colour properties, no B-frames, one IDR at the start.  global: parameter
 * sets in extradata (only to learn them); else in-band. */
static int
piece_enc_open(const struct cut *c, const AVStream *st, int global, AVCodecContext **out,
    struct zpub_err *err)
{
	const AVCodecParameters *par = st->codecpar;
	const char *name = c->hevc ? "libx265" : "libx264";
	const AVCodec *codec = avcodec_find_encoder_by_name(name);
	const char *preset = c->opts->piece_preset ? c->opts->piece_preset :
	    c->opts->preset ? c->opts->preset : "veryfast";
	AVCodecContext *e;
	AVDictionary *d = NULL;
	char buf[96];
	int rc;

	*out = NULL;
	if (codec == NULL)
		return zpub_err_set(err, ZPUB_EMEDIA,
		    "this FFmpeg has no %s encoder; install libavcodec with %s support", name,
		    c->hevc ? "x265" : "x264");
	if ((e = avcodec_alloc_context3(codec)) == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory opening the video encoder");
	e->width = par->width;
	e->height = par->height;
	e->pix_fmt = par->format;
	e->sample_aspect_ratio = par->sample_aspect_ratio;
	e->time_base = c->tb;
	e->framerate = st->avg_frame_rate;
	e->color_range = par->color_range;
	e->color_primaries = par->color_primaries;
	e->color_trc = par->color_trc;
	e->colorspace = par->color_space;
	e->chroma_sample_location = par->chroma_location;
	e->max_b_frames = 0;
	e->gop_size = 1 << 30;
	/* Parallelism is across pieces (one worker per core). */
	e->thread_count = 1;
	if (global)
		e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	if (c->hevc) {
		snprintf(buf, sizeof buf, "bframes=0:scenecut=0:open-gop=0:pools=1:frame-threads=1:"
		    "info=0:log-level=error");
		if (par->level > 0) {
			size_t l = strlen(buf);

			snprintf(buf + l, sizeof buf - l, ":level-idc=%d.%d", par->level / 30,
			    par->level % 30 / 3);
		}
		av_dict_set(&d, "x265-params", buf, 0);
		if (par->profile == FF_PROFILE_HEVC_MAIN)
			av_dict_set(&d, "profile", "main", 0);
	} else {
		/* SPS/PPS id 1: the source's id-0 sets stay valid beside them. */
		av_dict_set(&d, "x264-params", "sps-id=1:scenecut=0", 0);
		switch (par->profile) {
		case FF_PROFILE_H264_BASELINE:
		case FF_PROFILE_H264_CONSTRAINED_BASELINE:
			av_dict_set(&d, "profile", "baseline", 0);
			break;
		case FF_PROFILE_H264_MAIN:
			av_dict_set(&d, "profile", "main", 0);
			break;
		case FF_PROFILE_H264_HIGH:
			av_dict_set(&d, "profile", "high", 0);
			break;
		}
		if (par->level > 0) {
			snprintf(buf, sizeof buf, "%d.%d", par->level / 10, par->level % 10);
			av_dict_set(&d, "level", buf, 0);
		}
	}
	snprintf(buf, sizeof buf, "%d", c->opts->crf);
	av_dict_set(&d, "crf", buf, 0);
	av_dict_set(&d, "preset", preset, 0);
	rc = avcodec_open2(e, codec, &d);
	av_dict_free(&d);
	if (rc < 0) {
		avcodec_free_context(&e);
		return media_averr(err, ZPUB_EMEDIA, rc, "cannot open %s (preset '%s')", name, preset);
	}
	*out = e;
	return 0;
}

static int
piece_drain(struct worker *w, struct job *j, struct zpub_err *err)
{
	AVPacket *pkt = av_packet_alloc();
	int rc;

	if (pkt == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory encoding video");
	for (;;) {
		AVPacket *conv;

		rc = avcodec_receive_packet(w->enc, pkt);
		if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) {
			rc = 0;
			break;
		}
		if (rc < 0) {
			rc = media_averr(err, ZPUB_EMEDIA, rc, "encoding video failed");
			break;
		}
		if (j->n_out == j->cap_out) {
			int cap = j->cap_out ? j->cap_out * 2 : 64;

			j->out = xreallocarray(j->out, (size_t)cap, sizeof *j->out);
			j->cap_out = cap;
		}
		if ((conv = av_packet_alloc()) == NULL) {
			rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory encoding video");
			break;
		}
		rc = media_h264_annexb_to_avcc(pkt, conv, w->c->nal_len);
		av_packet_unref(pkt);
		if (rc < 0) {
			av_packet_free(&conv);
			rc = zpub_err_set(err, ZPUB_EMEDIA, "cannot repackage a re-encoded piece");
			break;
		}
		conv->dts = conv->pts;
		j->out[j->n_out++] = conv;
	}
	av_packet_free(&pkt);
	return rc;
}

/* Encodes the held frame over the source interval [ia, ib) clipped to the
 * piece; the piece's first frame starts at its start. */
static int
piece_emit(struct worker *w, struct job *j, int64_t ia, int64_t ib, struct zpub_err *err)
{
	struct cut *c = w->c;
	AVFrame *x;
	int rc;

	if (ia < j->a || !w->started)
		ia = j->a;
	if (ib > j->b)
		ib = j->b;
	if (ib - ia < c->min_frag)
		return 0;
	if (w->held->format != w->enc->pix_fmt || w->held->width != w->enc->width ||
	    w->held->height != w->enc->height)
		return zpub_err_set(err, ZPUB_EMEDIA,
		    "the video of '%s' changes its picture format midway; use "
		    "processing.video.strategy = reencode", media_base(c->in_path));
	if ((x = av_frame_clone(w->held)) == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory encoding video");
	x->pts = ia - c->s[j->g] + c->o[j->g];
	x->pict_type = AV_PICTURE_TYPE_NONE;
	w->started = 1;
	j->ticks += ib - ia;
	rc = avcodec_send_frame(w->enc, x);
	av_frame_free(&x);
	if (rc < 0)
		return media_averr(err, ZPUB_EMEDIA, rc, "encoding video failed");
	return piece_drain(w, j, err);
}

/* Takes decoded frames; *done once a frame at or after the piece's end
 * came out. */
static int
piece_receive(struct worker *w, struct job *j, AVFrame *f, int *done, struct zpub_err *err)
{
	int rc;

	for (;;) {
		int64_t ts;

		rc = avcodec_receive_frame(w->dec, f);
		if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
			return 0;
		if (rc < 0)
			return media_averr(err, ZPUB_EMEDIA, rc, "decoding the video of '%s' failed",
			    media_base(w->c->in_path));
		ts = f->best_effort_timestamp;
		if (ts == AV_NOPTS_VALUE || (w->held->buf[0] != NULL && ts <= w->held_ts) ||
		    *done) {
			av_frame_unref(f);
			continue;
		}
		if (w->held->buf[0] != NULL && (rc = piece_emit(w, j, w->held_ts, ts, err)) < 0) {
			av_frame_unref(f);
			return rc;
		}
		av_frame_unref(w->held);
		av_frame_move_ref(w->held, f);
		w->held_ts = ts;
		if (ts >= j->b)
			*done = 1;
	}
}

static int
piece_run(struct worker *w, struct job *j, struct zpub_err *err)
{
	struct cut *c = w->c;
	const struct vpkt *k0 = &w->sm->pk[j->k0];
	AVPacket *pkt = av_packet_alloc();
	AVFrame *f = av_frame_alloc();
	int64_t first = AV_NOPTS_VALUE;
	int rc, done = 0;

	if (pkt == NULL || f == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
		goto out;
	}
	av_frame_unref(w->held);
	w->started = 0;
	avcodec_flush_buffers(w->dec);
	if ((rc = piece_enc_open(c, w->in->streams[c->vi], 0, &w->enc, err)) < 0)
		goto out;
	rc = av_seek_frame(w->in, c->vi, k0->dts, AVSEEK_FLAG_BACKWARD);
	if (rc < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "seeking in '%s'", media_base(c->in_path));
		goto out;
	}
	while (!done) {
		int64_t p;

		rc = av_read_frame(w->in, pkt);
		if (rc == AVERROR_EOF || rc == AVERROR_INVALIDDATA || rc == AVERROR(EIO))
			break;
		if (rc < 0) {
			rc = media_averr(err, ZPUB_EMEDIA, rc, "reading '%s'", media_base(c->in_path));
			goto out;
		}
		if (pkt->stream_index != c->vi) {
			av_packet_unref(pkt);
			continue;
		}
		p = pkt_pts_or_dts(pkt);
		if (first == AV_NOPTS_VALUE) {
			/* The seek lands on a keyframe at or before k0 (the
			 * index may know more keyframes than are starts). */
			if (p > k0->pts || !(pkt->flags & AV_PKT_FLAG_KEY)) {
				av_packet_unref(pkt);
				rc = zpub_err_set(err, ZPUB_EMEDIA,
				    "seeking in '%s' did not land on a keyframe", media_base(c->in_path));
				goto out;
			}
			first = p;
		} else if (p < first) {
			/* A leading picture of the start: it needs frames
			 * from before, and is shown before the piece. */
			av_packet_unref(pkt);
			continue;
		}
		if (p < j->a - 4 * c->min_frag && c->skip_disposable &&
		    media_nal_disposable(pkt, c->nal_len, c->hevc)) {
			/* A frame more than one before the piece that no
			 * other references: not needed (a head piece decodes
			 * a GOP to use its end). */
			av_packet_unref(pkt);
			continue;
		}
		rc = avcodec_send_packet(w->dec, pkt);
		av_packet_unref(pkt);
		if (rc < 0 && rc != AVERROR_INVALIDDATA) {
			rc = media_averr(err, ZPUB_EMEDIA, rc, "decoding the video of '%s'",
			    media_base(c->in_path));
			goto out;
		}
		if ((rc = piece_receive(w, j, f, &done, err)) < 0)
			goto out;
	}
	if (!done) {
		if ((rc = avcodec_send_packet(w->dec, NULL)) < 0 && rc != AVERROR_EOF) {
			rc = media_averr(err, ZPUB_EMEDIA, rc, "flushing the video decoder");
			goto out;
		}
		if ((rc = piece_receive(w, j, f, &done, err)) < 0)
			goto out;
		/* The last frame lasts to the end of the piece. */
		if (!done && w->held->buf[0] != NULL &&
		    (rc = piece_emit(w, j, w->held_ts, j->b, err)) < 0)
			goto out;
	}
	if ((rc = avcodec_send_frame(w->enc, NULL)) < 0 && rc != AVERROR_EOF) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "flushing the video encoder");
		goto out;
	}
	rc = piece_drain(w, j, err);
out:
	avcodec_free_context(&w->enc);
	av_frame_free(&f);
	av_packet_free(&pkt);
	return rc;
}

static int
worker_open(struct worker *w, struct zpub_err *err)
{
	struct cut *c = w->c;
	const AVCodec *codec;
	unsigned i;
	int rc;

	if ((rc = media_open_input(c->in_path, &w->in, err)) < 0)
		return rc;
	for (i = 0; i < w->in->nb_streams; i++)
		w->in->streams[i]->discard = (int)i == c->vi ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
	if ((unsigned)c->vi >= w->in->nb_streams)
		return zpub_err_set(err, ZPUB_EMEDIA, "'%s' changed while it was cut",
		    media_base(c->in_path));
	codec = avcodec_find_decoder(w->in->streams[c->vi]->codecpar->codec_id);
	if (codec == NULL || (w->dec = avcodec_alloc_context3(codec)) == NULL ||
	    (w->held = av_frame_alloc()) == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	if ((rc = avcodec_parameters_to_context(w->dec, w->in->streams[c->vi]->codecpar)) < 0)
		return media_averr(err, ZPUB_EMEDIA, rc, "video decoder parameters");
	w->dec->pkt_timebase = c->tb;
	w->dec->thread_count = 1;
	if ((rc = avcodec_open2(w->dec, codec, NULL)) < 0)
		return media_averr(err, ZPUB_EMEDIA, rc, "cannot open the %s decoder", codec->name);
	return 0;
}

static void
worker_close(struct worker *w)
{
	avcodec_free_context(&w->enc);
	avcodec_free_context(&w->dec);
	av_frame_free(&w->held);
	avformat_close_input(&w->in);
}

/* Takes the next piece the writer will need, at most SMART_AHEAD jobs
 * ahead of it; runs it; marks it done. */
static void *
worker_main(void *ud)
{
	struct worker *w = ud;
	struct smart *sm = w->sm;
	struct zpub_err err = {0};
	int open_rc = worker_open(w, &err);

	pthread_mutex_lock(&sm->mu);
	for (;;) {
		struct job *j;
		size_t i;

		while (sm->next_take < sm->njobs && sm->jobs[sm->next_take].kind != JOB_PIECE)
			sm->next_take++;
		if (sm->stop || sm->next_take >= sm->njobs)
			break;
		if (sm->next_take >= sm->writing + SMART_AHEAD) {
			pthread_cond_wait(&sm->cv, &sm->mu);
			continue;
		}
		i = sm->next_take++;
		j = &sm->jobs[i];
		j->taken = 1;
		pthread_mutex_unlock(&sm->mu);
		if (open_rc < 0) {
			j->rc = open_rc;
			j->err = err;
		} else {
			j->rc = piece_run(w, j, &j->err);
		}
		pthread_mutex_lock(&sm->mu);
		j->done = 1;
		pthread_cond_broadcast(&sm->cv);
	}
	pthread_mutex_unlock(&sm->mu);
	worker_close(w);
	return NULL;
}

/* ---- the writer ------------------------------------------------------ */

static const uint8_t hevc_eos[] = { 0, 0, 0, 2, 36 << 1, 1 };

/* The output PTS and DTS of the first packet of copy j. */
static void
copy_first_ts(const struct cut *c, const struct smart *sm, const struct job *j,
    int64_t *pts, int64_t *dts)
{
	const struct vpkt *k = &sm->pk[j->from];
	int64_t off = c->o[j->g] - c->s[j->g];

	*pts = k->pts + off;
	*dts = k->dts + off;
	/* A keyframe shown within a quarter frame of the cut is shown from
	 * the cut. */
	if (*pts != c->o[j->g] && k->pts - c->s[j->g] < c->min_frag)
		*pts = c->o[j->g];
	if (*dts > *pts)
		*dts = *pts;
}

/* Writes the packets of finished piece i.  Their DTS is PTS - delay (the
 * source's own decode delay, so a copy's decode timeline continues), kept
 * strictly between the DTS written before and the next copy's first DTS
 * (an open GOP's keyframe decodes earlier than that, its leading pictures
 * being gone). */
static int
write_piece(struct cut *c, struct smart *sm, size_t i, struct zpub_err *err)
{
	struct job *j = &sm->jobs[i];
	int64_t lo = c->have_last_dts ? c->last_dts : INT64_MIN / 2, hi = INT64_MAX / 2, pts;
	int n, rc = 0;

	if (i + 1 < sm->njobs && sm->jobs[i + 1].kind == JOB_COPY)
		copy_first_ts(c, sm, &sm->jobs[i + 1], &pts, &hi);
	for (n = 0; n < j->n_out; n++) {
		AVPacket *p = j->out[n];

		p->dts = p->pts - sm->delay;
		if (p->dts <= lo)
			p->dts = lo + 1;
		lo = p->dts;
	}
	for (n = j->n_out - 1; n >= 0; n--) {
		AVPacket *p = j->out[n];

		if (p->dts >= hi)
			p->dts = hi - 1;
		hi = p->dts;
	}
	for (n = 0; n < j->n_out && rc == 0; n++)
		rc = write_video(c, j->out[n], err);
	c->encoded_ticks += j->ticks;
	return rc;
}

/* Copies decode-order packets from .. to of the source, read in order from
 * c->in (whose video packet *idx is next). */
static int
write_copy(struct cut *c, struct smart *sm, struct job *j, AVPacket *pkt, size_t *idx,
    struct zpub_err *err)
{
	const struct vpkt *k = &sm->pk[j->from];
	int64_t off = c->o[j->g] - c->s[j->g];
	int first = 1, rc;

	while (*idx <= j->to) {
		size_t i;

		rc = av_read_frame(c->in, pkt);
		if (rc < 0)
			return media_averr(err, ZPUB_EMEDIA, rc == AVERROR_EOF ? AVERROR_INVALIDDATA : rc,
			    "reading '%s' a second time", media_base(c->in_path));
		if (pkt->stream_index != c->vi) {
			av_packet_unref(pkt);
			continue;
		}
		i = (*idx)++;
		if (i < j->from || (i > j->from && sm->pk[i].pts < k->pts)) {
			/* Before the copy, or a leading picture of its start. */
			av_packet_unref(pkt);
			continue;
		}
		if ((rc = progress(c, sm->pk[i].pts, err)) < 0)
			return rc;
		pkt->pts = sm->pk[i].pts + off;
		pkt->dts = sm->pk[i].dts + off;
		if (first) {
			copy_first_ts(c, sm, j, &pkt->pts, &pkt->dts);
			if (c->hevc && c->pending->size > 0) {
				/* After other frames: end their sequence, restate
				 * the source's parameter sets (a piece may have
				 * replaced them), and make a CRA a broken link
				 * (BLA): its leading pictures are gone, and unlike
				 * a CRA after an end of sequence a BLA lets the
				 * decoder output the frames before it. */
				if (media_packet_wrap(c->pending, NULL, 0, hevc_eos, sizeof hevc_eos) < 0 ||
				    media_packet_wrap(pkt, sm->psets, sm->psets_size, NULL, 0) < 0 ||
				    media_hevc_cra_to_bla(pkt, c->nal_len) < 0) {
					av_packet_unref(pkt);
					return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
				}
			}
			first = 0;
		}
		pkt->flags &= ~AV_PKT_FLAG_DISCARD;
		c->copied_frames++;
		if ((rc = write_video(c, pkt, err)) < 0)
			return rc;
	}
	return 0;
}

static int
cut_smart(struct cut *c, struct smart *sm, struct zpub_err *err)
{
	struct worker w[SMART_MAX_WORKERS];
	AVPacket *pkt = av_packet_alloc();
	size_t idx = 0, i;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nw = ncpu < 1 ? 1 : ncpu > SMART_MAX_WORKERS ? SMART_MAX_WORKERS : (int)ncpu;
	int k, started = 0, rc = 0, npieces = 0;

	if (pkt == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	for (i = 0; i < sm->njobs; i++)
		npieces += sm->jobs[i].kind == JOB_PIECE;
	if (nw > npieces)
		nw = npieces;
	memset(w, 0, sizeof w);
	pthread_mutex_init(&sm->mu, NULL);
	pthread_cond_init(&sm->cv, NULL);
	for (k = 0; k < nw; k++) {
		w[k].c = c;
		w[k].sm = sm;
		if (pthread_create(&w[k].th, NULL, worker_main, &w[k]) != 0)
			break;
		w[k].running = 1;
		started++;
	}
	if (npieces > 0 && started == 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot start a thread to encode video");
		goto out;
	}
	for (i = 0; i < sm->njobs; i++) {
		struct job *j = &sm->jobs[i];

		pthread_mutex_lock(&sm->mu);
		sm->writing = i;
		pthread_cond_broadcast(&sm->cv);
		if (j->kind == JOB_PIECE) {
			while (!j->done)
				pthread_cond_wait(&sm->cv, &sm->mu);
		}
		pthread_mutex_unlock(&sm->mu);
		if (j->kind == JOB_PIECE) {
			if (j->rc < 0) {
				*err = j->err;
				rc = j->rc;
				goto out;
			}
			rc = write_piece(c, sm, i, err);
		} else
			rc = write_copy(c, sm, j, pkt, &idx, err);
		if (rc < 0)
			goto out;
		if (j->kind == JOB_PIECE) {
			int n;

			for (n = 0; n < j->n_out; n++)
				av_packet_free(&j->out[n]);
			free(j->out);
			j->out = NULL;
			j->n_out = 0;
		}
	}
out:
	pthread_mutex_lock(&sm->mu);
	sm->stop = 1;
	pthread_cond_broadcast(&sm->cv);
	pthread_mutex_unlock(&sm->mu);
	for (k = 0; k < SMART_MAX_WORKERS; k++)
		if (w[k].running)
			pthread_join(w[k].th, NULL);
	pthread_cond_destroy(&sm->cv);
	pthread_mutex_destroy(&sm->mu);
	av_packet_free(&pkt);
	return rc;
}

static void
smart_free(struct smart *sm)
{
	size_t i;

	for (i = 0; i < sm->njobs; i++) {
		int n;

		for (n = 0; n < sm->jobs[i].n_out; n++)
			av_packet_free(&sm->jobs[i].out[n]);
		free(sm->jobs[i].out);
	}
	free(sm->jobs);
	free(sm->starts);
	free(sm->sufmin);
	free(sm->pk);
	av_free(sm->psets);
}

/* Lists the SPS and PPS (id 1) that the piece encoder will use in the
 * output's avcC next to the source's, the tidy way for strict players (the
 * pieces also carry them in-band).  *out stays NULL if that cannot be done. */
static int
avcc_add_piece_sets(struct cut *c, uint8_t **out, int *out_size, struct zpub_err *err)
{
	AVCodecContext *e;
	int rc;

	*out = NULL;
	if ((rc = piece_enc_open(c, c->vst, 1, &e, err)) < 0)
		return rc;
	rc = media_h264_avcc_append(c->vst->codecpar->extradata, c->vst->codecpar->extradata_size,
	    e->extradata, e->extradata_size, out, out_size);
	avcodec_free_context(&e);
	if (rc < 0)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	return 0;
}

/* Keyframes further apart than this make smart cut pointless (the pieces
 * would be most of the video) and costly (each piece decodes its GOP from
 * the start, and the GOP is held in memory). */
#define SMART_MAX_GOP_S 30

/* Why smart cut cannot be sound for this input, or NULL. */
static const char *
smart_refusal(struct cut *c, char *buf, size_t len)
{
	const AVCodecParameters *par = c->vst->codecpar;
	int64_t prev = AV_NOPTS_VALUE, gap = 0, last = 0;
	int i, n = avformat_index_get_entries_count(c->vst);

	if (par->codec_id != AV_CODEC_ID_H264 && par->codec_id != AV_CODEC_ID_HEVC) {
		snprintf(buf, len, "the video is %s (smart cut splices H.264 and HEVC)",
		    avcodec_get_name(par->codec_id));
		return buf;
	}
	if (par->codec_id == AV_CODEC_ID_H264 && (par->extradata_size < 7 || par->extradata[0] != 1))
		return "the H.264 stream has no avcC header";
	if (par->codec_id == AV_CODEC_ID_HEVC && (par->extradata_size < 23 || par->extradata[0] != 1))
		return "the HEVC stream has no hvcC header";
	if (par->codec_id == AV_CODEC_ID_HEVC && avcodec_find_encoder_by_name("libx265") == NULL)
		return "this FFmpeg has no libx265 encoder for the HEVC pieces";
	if (par->format != AV_PIX_FMT_YUV420P)
		return "the video is not 8-bit 4:2:0";
	if (par->field_order != AV_FIELD_UNKNOWN && par->field_order != AV_FIELD_PROGRESSIVE)
		return "the video is interlaced";
	if (n == 0)
		return "the file has no index of its keyframes";
	for (i = 0; i < n; i++) {
		const AVIndexEntry *e = avformat_index_get_entry(c->vst, i);

		if (e == NULL)
			break;
		last = e->timestamp;
		if (!(e->flags & AVINDEX_KEYFRAME))
			continue;
		if (prev != AV_NOPTS_VALUE && e->timestamp - prev > gap)
			gap = e->timestamp - prev;
		prev = e->timestamp;
	}
	if (prev != AV_NOPTS_VALUE && last - prev > gap)
		gap = last - prev;
	if (av_q2d(c->tb) * (double)gap > SMART_MAX_GOP_S) {
		snprintf(buf, len, "keyframes are up to %.0f s apart (more than %d s)",
		    av_q2d(c->tb) * (double)gap, SMART_MAX_GOP_S);
		return buf;
	}
	return NULL;
}

/* ---- media_cut ------------------------------------------------------- */

static int
open_output(struct cut *c, const char *out, int copy_video, struct zpub_err *err)
{
	const AVCodecParameters *apar;
	AVChannelLayout lay;
	AVDictionary *d = NULL;
	int rc;

	if ((rc = avformat_alloc_output_context2(&c->out, NULL, "mp4", out)) < 0)
		return media_averr(err, ZPUB_EIO, rc, "cannot create '%s'", out);
	if ((c->ovst = avformat_new_stream(c->out, NULL)) == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	if (copy_video) {
		uint8_t *avcc = NULL;
		int avcc_size = 0;

		if ((rc = avcodec_parameters_copy(c->ovst->codecpar, c->vst->codecpar)) < 0)
			return media_averr(err, ZPUB_ENOMEM, rc, "copying stream parameters");
		if (!c->hevc && (rc = avcc_add_piece_sets(c, &avcc, &avcc_size, err)) < 0)
			return rc;
		if (avcc != NULL) {
			av_freep(&c->ovst->codecpar->extradata);
			c->ovst->codecpar->extradata = avcc;
			c->ovst->codecpar->extradata_size = avcc_size;
		}
	} else if ((rc = avcodec_parameters_from_context(c->ovst->codecpar, c->enc)) < 0)
		return media_averr(err, ZPUB_ENOMEM, rc, "copying encoder parameters");
	/* HEVC: parameter sets change in-band at the splices (hev1). */
	c->ovst->codecpar->codec_tag = copy_video && c->hevc ? MKTAG('h', 'e', 'v', '1') : 0;
	c->ovst->time_base = c->tb;
	c->ovst->avg_frame_rate = c->vst->avg_frame_rate;

	if (c->ar != NULL) {
		const AVCodec *aac = avcodec_find_encoder(AV_CODEC_ID_AAC);

		apar = media_areader_par(c->ar);
		av_channel_layout_default(&lay, media_areader_channels(c->ar));
		if ((rc = media_aenc_open(&c->aenc, aac, c->arate, &lay,
		    apar->ch_layout.nb_channels > 1 ? 128000 : 96000, 1,
		    write_audio_packet, c, err)) < 0)
			return rc;
		c->aenc_open = 1;
		if ((c->oast = avformat_new_stream(c->out, NULL)) == NULL)
			return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
		if ((rc = avcodec_parameters_from_context(c->oast->codecpar, c->aenc.enc)) < 0)
			return media_averr(err, ZPUB_ENOMEM, rc, "copying encoder parameters");
		c->oast->time_base = (AVRational){1, c->arate};
		media_seg_feed_init(&c->feed, c->tm, c->arate, media_areader_channels(c->ar),
		    c->aenc.enc->sample_fmt, media_aenc_write, &c->aenc);
	}
	if ((rc = avio_open(&c->out->pb, out, AVIO_FLAG_WRITE)) < 0)
		return media_averr(err, ZPUB_EIO, rc, "cannot write '%s'", out);
	/* faststart: the index first, so players and uploads start at once. */
	av_dict_set(&d, "movflags", "+faststart", 0);
	rc = avformat_write_header(c->out, &d);
	av_dict_free(&d);
	if (rc < 0)
		return media_averr(err, ZPUB_EMEDIA, rc, "cannot start writing '%s'", out);
	return 0;
}

/* Streams other than the video are not read from c->in. */
static void
cut_video_only(struct cut *c)
{
	for (unsigned i = 0; i < c->in->nb_streams; i++)
		c->in->streams[i]->discard = (int)i == c->vi ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
}

/* Opens the input's video stream and puts the plan in its time base. */
static int
cut_open_input(struct cut *c, struct zpub_err *err)
{
	const struct media_timemap *tm = c->tm;
	const char *in = c->in_path;
	int rc;

	if ((rc = media_open_input(in, &c->in, err)) < 0)
		return rc;
	c->vi = av_find_best_stream(c->in, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	if (c->vi < 0)
		return zpub_err_set(err, ZPUB_EMEDIA,
		    "'%s' has no video stream: there is nothing to cut into a video", media_base(in));
	c->vst = c->in->streams[c->vi];
	c->tb = c->vst->time_base;
	cut_video_only(c);
	c->origin_ms = media_origin_ms(c->in);
	c->s = xcalloc(tm->n, sizeof *c->s);
	c->e = xcalloc(tm->n, sizeof *c->e);
	c->o = xcalloc(tm->n, sizeof *c->o);
	c->held = av_frame_alloc();
	c->conv = av_frame_alloc();
	c->pending = av_packet_alloc();
	if (c->held == NULL || c->conv == NULL || c->pending == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory cutting '%s'", media_base(in));
	for (size_t k = 0; k < tm->n; k++) {
		c->s[k] = av_rescale_q(tm->seg[k].src_start_ms + c->origin_ms, media_ms_tb, c->tb);
		c->e[k] = av_rescale_q(tm->seg[k].src_end_ms + c->origin_ms, media_ms_tb, c->tb);
		c->o[k] = av_rescale_q(tm->seg[k].out_start_ms, media_ms_tb, c->tb);
	}
	c->out_end = c->o[tm->n - 1] + c->e[tm->n - 1] - c->s[tm->n - 1];
	AVRational fr = c->vst->r_frame_rate.num > 0 ? c->vst->r_frame_rate :
	    c->vst->avg_frame_rate;
	c->min_frag = fr.num > 0 ? av_rescale_q(1, av_inv_q(fr), c->tb) / 4 : 1;
	if (c->min_frag < 1)
		c->min_frag = 1;
	return 0;
}

/* Audio (if any) from a second reader of the same file. */
static int
cut_open_audio(struct cut *c, struct zpub_err *err)
{
	AVChannelLayout lay;
	int rc;

	if (av_find_best_stream(c->in, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0) < 0)
		return 0;
	rc = media_areader_open(c->in_path, 0, NULL, AV_SAMPLE_FMT_FLTP, &c->ar, err);
	if (rc < 0)
		return rc;
	if (media_areader_par(c->ar)->ch_layout.nb_channels > 1) {
		/* Reopen as stereo (the reader defaults to mono). */
		media_areader_free(c->ar);
		c->ar = NULL;
		av_channel_layout_default(&lay, 2);
		if ((rc = media_areader_open(c->in_path, 0, &lay, AV_SAMPLE_FMT_FLTP, &c->ar,
		    err)) < 0)
			return rc;
	}
	c->arate = media_areader_rate(c->ar);
	return 0;
}

/* Can the kept parts be copied?  Scans and plans the smart cut; *copy is
 * 1 when it can, else the report's note says why not. */
static int
cut_try_smart(struct cut *c, struct smart *sm, int *copy, struct zpub_err *err)
{
	const AVCodecParameters *par = c->vst->codecpar;
	const char *why;
	char whybuf[128];
	int rc;

	*copy = 0;
	why = smart_refusal(c, whybuf, sizeof whybuf);
	if (why == NULL) {
		c->hevc = par->codec_id == AV_CODEC_ID_HEVC;
		c->nal_len = (par->extradata[c->hevc ? 21 : 4] & 3) + 1;
		/* HEVC: only with one temporal layer (hvcC). */
		c->skip_disposable = !c->hevc || ((par->extradata[21] >> 3) & 7) == 1;
		if ((rc = smart_scan(c, sm, &why, err)) < 0)
			return rc;
		if (why == NULL && c->hevc) {
			if (media_hevc_param_sets(par->extradata, par->extradata_size, &sm->psets,
			    &sm->psets_size) < 0)
				goto nomem;
			if (sm->psets == NULL)
				why = "its hvcC header lists no parameter sets";
		}
		if (why == NULL)
			smart_plan(c, sm);
		/* The copies (or the re-encode) read from the start again. */
		avformat_close_input(&c->in);
		if ((rc = media_open_input(c->in_path, &c->in, err)) < 0)
			return rc;
		c->vst = c->in->streams[c->vi];
		cut_video_only(c);
	}
	*copy = why == NULL;
	if (why != NULL)
		snprintf(c->rep->note, sizeof c->rep->note, "smart cut not possible: %s; re-encoded"
		    " instead", why);
	return 0;
nomem:
	return zpub_err_set(err, ZPUB_ENOMEM, "out of memory cutting '%s'",
	    media_base(c->in_path));
}

/* Copied time is what was not re-encoded. */
static void
cut_report(const struct cut *c, const struct smart *sm, int copy)
{
	struct media_cut_report *rep = c->rep;

	rep->duration_ms = av_rescale_q(c->out_end, c->tb, media_ms_tb);
	rep->reencoded_s = av_q2d(c->tb) * (double)c->encoded_ticks;
	rep->copied_s = copy ? (double)rep->duration_ms / 1000.0 - rep->reencoded_s : 0;
	if (rep->copied_s < 0)
		rep->copied_s = 0;
	rep->copied_frames = c->copied_frames;
	if (copy && sm->open_skipped > 0)
		snprintf(rep->note, sizeof rep->note, "open GOPs: %d kept part%s re-encoded up to the "
		    "next IDR frame (H.264 cannot be spliced at a recovery point)", sm->open_skipped,
		    sm->open_skipped == 1 ? "" : "s");
}

static void
cut_free(struct cut *c, struct smart *sm)
{
	if (c->out != NULL) {
		if (c->out->pb != NULL)
			avio_closep(&c->out->pb);
		avformat_free_context(c->out);
	}
	if (c->aenc_open)
		media_aenc_close(&c->aenc);
	media_areader_free(c->ar);
	smart_free(sm);
	av_packet_free(&c->pending);
	av_frame_free(&c->conv);
	av_frame_free(&c->held);
	sws_freeContext(c->sws);
	avcodec_free_context(&c->enc);
	avcodec_free_context(&c->dec);
	free(c->o);
	free(c->e);
	free(c->s);
	avformat_close_input(&c->in);
}

int
media_cut(const char *in, const char *out, const struct media_timemap *tm,
    const struct media_cut_opts *o, const struct zpub_progress *prog,
    struct media_cut_report *rep, struct zpub_err *err)
{
	struct cut c;
	struct smart sm;
	int rc, copy = 0;

	memset(&c, 0, sizeof c);
	memset(&sm, 0, sizeof sm);
	memset(rep, 0, sizeof *rep);
	c.in_path = in;
	c.tm = tm;
	c.opts = o;
	c.prog = prog;
	c.rep = rep;
	if (tm->n == 0)
		return zpub_err_set(err, ZPUB_EINVAL, "nothing to keep in '%s': the plan is empty",
		    media_base(in));
	if ((rc = cut_open_input(&c, err)) < 0 || (rc = cut_open_audio(&c, err)) < 0)
		goto out;
	if (o->strategy == MEDIA_CUT_SMART && (rc = cut_try_smart(&c, &sm, &copy, err)) < 0)
		goto out;
	/* Encoders take their size from the decoder; the re-encode encoder
	 * and the piece parameter sets must exist before the muxer. */
	if ((rc = dec_open(&c, err)) < 0 || (!copy && (rc = enc_open(&c, err)) < 0))
		goto out;
	if ((rc = open_output(&c, out, copy, err)) < 0)
		goto out;
	avcodec_free_context(&c.dec);
	rep->used = copy ? MEDIA_CUT_SMART : MEDIA_CUT_REENCODE;
	rc = copy ? cut_smart(&c, &sm, err) : cut_reencode(&c, err);
	if (rc < 0)
		goto out;
	if ((rc = write_video(&c, NULL, err)) < 0 ||
	    (rc = audio_pump(&c, INT64_MAX, err)) < 0)
		goto out;
	if ((rc = av_write_trailer(c.out)) < 0) {
		rc = media_averr(err, ZPUB_EIO, rc, "finishing '%s'", out);
		goto out;
	}
	cut_report(&c, &sm, copy);
	zpub_progress_report(prog, 1.0, "cutting video");
	rc = 0;
out:
	cut_free(&c, &sm);
	return rc;
}
