/*
 * cut_piece.c — the smart cut's piece workers: each thread opens its own
 * demuxer, decodes the GOP a piece starts in, re-encodes the piece's
 * frames (no B-frames, an IDR first) and hands the packets to the writer
 * in cut_smart.c, at most SMART_AHEAD jobs ahead of it.
 */
#include "cut_smart.h"

#include <stdlib.h>
#include <string.h>

/* The encoder of a piece: the source's codec, profile, level, size and
 * colour properties, no B-frames, one IDR at the start.  global: parameter
 * sets in extradata (only to learn them); else in-band. */
int
cut_piece_enc_open(const struct cut *c, const AVStream *st, int global, AVCodecContext **out,
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
	if ((rc = cut_piece_enc_open(c, w->in->streams[c->vi], 0, &w->enc, err)) < 0)
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
void *
cut_piece_worker(void *ud)
{
	struct worker *w = ud;
	struct cut_smart *sm = w->sm;
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
