/*
 * cut.c — writes the kept segments of a recording as a new MP4.
 *
 * Two video strategies behind media_cut(): full re-encode (decode every
 * frame, libx264), here, and smart cut of H.264 and HEVC (copy the packets
 * of the GOPs that lie inside a kept segment untouched, B-frames, open GOPs
 * and all; re-encode only the pieces between a cut and the nearest point
 * where copying can start or must stop, on a pool of worker threads), in
 * cut_smart.c.  This file opens the input and the output, writes the video
 * packets in order and the audio beside them, and reports.  Audio is always decoded and re-encoded whole to AAC along
 * the time map, sample-accurately, with holes (late start, gaps) filled
 * with silence so A/V sync holds at every cut, through the loudness
 * normaliser (loudness.c) when the opts carry a gain.  Smart cut falls back to
 * re-encoding, saying why, when the input cannot be spliced soundly (another
 * codec, interlaced, not 8-bit 4:2:0, keyframes too far apart, timestamps
 * that do not add up).
 */
#include "media_priv.h"

#include <stdlib.h>
#include <string.h>

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
	o->loudness_on = 0;   /* the analysis decides (media_loudness_gain_db) */
	o->gain_db = 0;
}

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

/* The end of the audio: the feed's last silence, what the loudness
 * limiter holds back, the encoder's last frames. */
static int
audio_finish(struct cut *c, struct zpub_err *err)
{
	int rc;

	if ((rc = media_seg_feed_finish(&c->feed, err)) < 0 ||
	    (c->lnorm != NULL && (rc = media_lnorm_flush(c->lnorm, err)) < 0) ||
	    (rc = media_aenc_flush(&c->aenc, err)) < 0)
		return rc;
	c->audio_done = 1;
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
		if (rc == 0)
			return audio_finish(c, err);
		if ((rc = media_seg_feed_push(&c->feed, planes, n, pos, err)) < 0)
			return rc;
		if (c->feed.seg >= c->tm->n)
			return audio_finish(c, err);   /* past the last kept part */
	}
	return 0;
}

/* Every video packet passes here in output DTS order.  Held back by one so
 * its duration is exactly the gap to the next one (MP4 sample durations are
 * DTS deltas); the last one is stretched to the end of the plan. */
int
cut_write_video(struct cut *c, AVPacket *pkt, struct zpub_err *err)
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
		if ((rc = cut_write_video(c, pkt, err)) < 0)
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

int
cut_progress(struct cut *c, int64_t ts, struct zpub_err *err)
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
				if ((rc = cut_progress(c, ts, err)) < 0)
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

/* ---- media_cut ------------------------------------------------------- */

/* Every video packet as it is, in order (c->whole). */
static int
cut_copy_all(struct cut *c, struct zpub_err *err)
{
	AVPacket *pkt = av_packet_alloc();
	int rc;

	if (pkt == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	while ((rc = av_read_frame(c->in, pkt)) >= 0) {
		if (pkt->stream_index != c->vi) {
			av_packet_unref(pkt);
			continue;
		}
		if (pkt->dts == AV_NOPTS_VALUE)
			pkt->dts = pkt->pts;
		if (pkt->pts == AV_NOPTS_VALUE)
			pkt->pts = pkt->dts;
		if ((rc = cut_progress(c, pkt->pts, err)) < 0 ||
		    (rc = cut_write_video(c, pkt, err)) < 0) {
			av_packet_free(&pkt);
			return rc;
		}
		c->copied_frames++;
	}
	av_packet_free(&pkt);
	if (rc != AVERROR_EOF)
		return media_averr(err, ZPUB_EMEDIA, rc, "reading '%s'", media_base(c->in_path));
	return 0;
}

static int
open_output(struct cut *c, const struct cut_smart *sm, const char *out, int copy_video,
    struct zpub_err *err)
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
		if (!c->hevc && !c->whole &&
		    (rc = cut_smart_avcc_sets(c, sm, &avcc, &avcc_size, err)) < 0)
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
		if (c->opts->loudness_on && c->aenc.enc->sample_fmt == AV_SAMPLE_FMT_FLTP &&
		    (rc = media_lnorm_new(c->arate, media_areader_channels(c->ar),
		    c->opts->gain_db, MEDIA_TRUE_PEAK_DBTP, media_aenc_write, &c->aenc,
		    &c->lnorm, err)) < 0)
			return rc;
		media_seg_feed_init(&c->feed, c->tm, c->arate, media_areader_channels(c->ar),
		    c->aenc.enc->sample_fmt, c->lnorm ? media_lnorm_write : media_aenc_write,
		    c->lnorm ? (void *)c->lnorm : (void *)&c->aenc);
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
void
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

/* Copied time is what was not re-encoded. */
static void
cut_report(const struct cut *c, const struct cut_smart *sm, int copy)
{
	struct media_cut_report *rep = c->rep;

	rep->duration_ms = av_rescale_q(c->out_end, c->tb, media_ms_tb);
	rep->reencoded_s = av_q2d(c->tb) * (double)c->encoded_ticks;
	rep->copied_s = copy ? (double)rep->duration_ms / 1000.0 - rep->reencoded_s : 0;
	if (rep->copied_s < 0)
		rep->copied_s = 0;
	rep->copied_frames = c->copied_frames;
	if (c->lnorm != NULL)
		rep->limited_s = (double)media_lnorm_limited(c->lnorm) / c->arate;
	if (copy && sm != NULL)
		cut_smart_note(sm, rep->note, sizeof rep->note);
}

static void
cut_free(struct cut *c, struct cut_smart *sm)
{
	if (c->out != NULL) {
		if (c->out->pb != NULL)
			avio_closep(&c->out->pb);
		avformat_free_context(c->out);
	}
	media_lnorm_free(c->lnorm);
	if (c->aenc_open)
		media_aenc_close(&c->aenc);
	media_areader_free(c->ar);
	cut_smart_free(sm);
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
	struct cut_smart *sm = NULL;
	int rc, copy = 0;

	memset(&c, 0, sizeof c);
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
	/* A plan that keeps everything (the audio is only encoded again, to
	 * even its loudness out): the video as it is, whatever its codec. */
	if (o->strategy == MEDIA_CUT_SMART && media_timemap_is_identity(tm)) {
		c.whole = copy = 1;
		cut_video_only(&c);
	} else if (o->strategy == MEDIA_CUT_SMART && (rc = cut_smart_try(&c, &sm, &copy, err)) < 0)
		goto out;
	/* Encoders take their size from the decoder; the re-encode encoder
	 * and the piece parameter sets must exist before the muxer. */
	if ((rc = dec_open(&c, err)) < 0 || (!copy && (rc = enc_open(&c, err)) < 0))
		goto out;
	if ((rc = open_output(&c, sm, out, copy, err)) < 0)
		goto out;
	avcodec_free_context(&c.dec);
	rep->used = copy ? MEDIA_CUT_SMART : MEDIA_CUT_REENCODE;
	rc = c.whole ? cut_copy_all(&c, err) : copy ? cut_smart_run(&c, sm, err) :
	    cut_reencode(&c, err);
	if (rc < 0)
		goto out;
	if ((rc = cut_write_video(&c, NULL, err)) < 0 ||
	    (rc = audio_pump(&c, INT64_MAX, err)) < 0)
		goto out;
	if ((rc = av_write_trailer(c.out)) < 0) {
		rc = media_averr(err, ZPUB_EIO, rc, "finishing '%s'", out);
		goto out;
	}
	cut_report(&c, sm, copy);
	zpub_progress_report(prog, 1.0, "cutting video");
	rc = 0;
out:
	cut_free(&c, sm);
	return rc;
}
