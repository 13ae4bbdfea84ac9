/*
 * areader.c — decoded audio with its place on the source timeline.
 *
 * Opens one audio stream (all other streams discarded at the demuxer, so
 * video is never decoded), decodes, converts with libswresample and tells
 * the caller where each block sits (late starts and gaps kept).  Also the
 * segment feed (walks a time map, zero-fills holes) and a FIFO-fed audio
 * encoder that silence.c, audio.c and cut.c share.
 */
#include "media_priv.h"

#include <stdlib.h>
#include <string.h>

#include <libavutil/opt.h>

/* A jump in timestamps larger than this is a gap in the audio, filled with
 * silence, rather than jitter. */
#define AREADER_GAP_MS 40

struct media_areader {
	AVFormatContext *fmt;
	AVCodecContext *dec;
	SwrContext *swr;
	AVPacket *pkt;
	AVFrame *frame;
	int stream;
	int in_rate, out_rate, channels;
	AVChannelLayout out_layout;
	enum AVSampleFormat out_fmt;
	uint8_t **buf;
	int buf_cap;
	int64_t origin_ms, duration_ms, last_ms;
	int64_t in_cursor;     /* input samples, source timeline; -1 before start */
	int64_t out_cursor;    /* output samples, source timeline */
	int eof_demux, eof_dec, flushed;
	const char *path;
	void (*tap)(void *, const AVFrame *);
	void *tap_ud;
};

int
media_areader_open(const char *path, int rate, const AVChannelLayout *layout,
    enum AVSampleFormat fmt, struct media_areader **out, struct zpub_err *err)
{
	struct media_areader *r;
	const AVCodec *codec = NULL;
	AVStream *st;
	unsigned i;
	int rc;

	*out = NULL;
	r = xcalloc(1, sizeof *r);
	r->path = path;
	r->in_cursor = -1;
	if ((rc = media_open_input(path, &r->fmt, err)) < 0)
		goto fail;
	rc = av_find_best_stream(r->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
	if (rc < 0 || codec == NULL) {
		rc = zpub_err_set(err, ZPUB_EMEDIA, rc == AVERROR_DECODER_NOT_FOUND ?
		    "'%s' has audio in a codec this FFmpeg cannot decode; convert it first" :
		    "'%s' has no audio stream: cannot find silences or transcribe it; "
		    "check the recording settings (was the microphone recorded?)",
		    media_base(path));
		goto fail;
	}
	r->stream = rc;
	for (i = 0; i < r->fmt->nb_streams; i++)
		r->fmt->streams[i]->discard = (int)i == r->stream ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
	st = r->fmt->streams[r->stream];
	if ((r->dec = avcodec_alloc_context3(codec)) == NULL)
		goto nomem;
	rc = avcodec_parameters_to_context(r->dec, st->codecpar);
	/* With the packet time base the decoder moves timestamps past the
	 * encoder's priming samples it drops (AAC: 1024), so late audio
	 * lands where it is heard. */
	r->dec->pkt_timebase = st->time_base;
	if (rc < 0 || (rc = avcodec_open2(r->dec, codec, NULL)) < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "cannot open the %s audio decoder for '%s'",
		    codec->name, media_base(path));
		goto fail;
	}
	if (r->dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
		av_channel_layout_default(&r->dec->ch_layout, r->dec->ch_layout.nb_channels);
	r->in_rate = r->dec->sample_rate;
	if (r->in_rate <= 0) {
		rc = zpub_err_set(err, ZPUB_EMEDIA, "'%s': audio stream has no sample rate",
		    media_base(path));
		goto fail;
	}
	r->out_rate = rate > 0 ? rate : r->in_rate;
	if (layout != NULL)
		rc = av_channel_layout_copy(&r->out_layout, layout);
	else
		av_channel_layout_default(&r->out_layout, 1), rc = 0;
	if (rc < 0)
		goto nomem;
	r->channels = r->out_layout.nb_channels;
	r->out_fmt = fmt;
	rc = swr_alloc_set_opts2(&r->swr, &r->out_layout, fmt, r->out_rate,
	    &r->dec->ch_layout, r->dec->sample_fmt, r->in_rate, 0, NULL);
	if (rc < 0 || (rc = swr_init(r->swr)) < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "cannot set up resampling for '%s'",
		    media_base(path));
		goto fail;
	}
	if ((r->pkt = av_packet_alloc()) == NULL || (r->frame = av_frame_alloc()) == NULL)
		goto nomem;
	r->origin_ms = media_origin_ms(r->fmt);
	r->duration_ms = media_duration_ms(r->fmt);
	*out = r;
	return 0;
nomem:
	rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory opening '%s'", path);
fail:
	media_areader_free(r);
	return rc;
}

static int
areader_grow(struct media_areader *r, int n, struct zpub_err *err)
{
	if (n <= r->buf_cap)
		return 0;
	if (r->buf != NULL)
		av_freep(&r->buf[0]);
	av_freep(&r->buf);
	if (av_samples_alloc_array_and_samples(&r->buf, NULL, r->channels, n,
	    r->out_fmt, 0) < 0)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory decoding audio");
	r->buf_cap = n;
	return 0;
}

/* Converts the decoded frame (or flushes swr when frame is NULL). */
static int
areader_convert(struct media_areader *r, AVFrame *f, uint8_t ***planes, int *n,
    int64_t *pos, struct zpub_err *err)
{
	int in_n = f ? f->nb_samples : 0, cap, got;

	cap = (int)swr_get_out_samples(r->swr, in_n) + 32;
	if (areader_grow(r, cap, err) < 0)
		return ZPUB_ENOMEM;
	got = swr_convert(r->swr, r->buf, cap,
	    f ? (const uint8_t **)f->extended_data : NULL, in_n);
	if (got < 0)
		return media_averr(err, ZPUB_EMEDIA, got, "resampling audio of '%s' failed",
		    media_base(r->path));
	*planes = r->buf;
	*n = got;
	*pos = r->out_cursor;
	r->out_cursor += got;
	return 0;
}

int
media_areader_next(struct media_areader *r, uint8_t ***planes, int *n,
    int64_t *pos, struct zpub_err *err)
{
	int rc;

	for (;;) {
		rc = avcodec_receive_frame(r->dec, r->frame);
		if (rc == 0) {
			AVFrame *f = r->frame;
			int64_t ts = f->best_effort_timestamp;

			if (ts != AV_NOPTS_VALUE) {
				AVStream *st = r->fmt->streams[r->stream];
				int64_t ms = av_rescale_q(ts, st->time_base, media_ms_tb);
				int64_t fpos = av_rescale_q(ts, st->time_base,
				    (AVRational){1, r->in_rate}) -
				    av_rescale(r->origin_ms, r->in_rate, 1000);

				r->last_ms = ms - r->origin_ms;
				if (r->in_cursor < 0 ||
				    fpos > r->in_cursor + (int64_t)r->in_rate * AREADER_GAP_MS / 1000) {
					/* Late start or a hole: jump (the consumer
					 * fills the jump with silence). */
					int64_t from = r->in_cursor < 0 ? 0 : r->in_cursor;

					if (fpos > from)
						r->out_cursor += av_rescale(fpos - from, r->out_rate, r->in_rate);
					r->in_cursor = fpos > from ? fpos : from;
				}
			} else if (r->in_cursor < 0)
				r->in_cursor = 0;
			r->in_cursor += f->nb_samples;
			if (r->tap != NULL)
				r->tap(r->tap_ud, f);
			rc = areader_convert(r, f, planes, n, pos, err);
			av_frame_unref(f);
			if (rc < 0)
				return rc;
			if (*n > 0)
				return 1;
			continue;
		}
		if (rc == AVERROR_EOF) {
			if (r->flushed)
				return 0;
			r->flushed = 1;
			if ((rc = areader_convert(r, NULL, planes, n, pos, err)) < 0)
				return rc;
			return *n > 0 ? 1 : 0;
		}
		if (rc != AVERROR(EAGAIN))
			return media_averr(err, ZPUB_EMEDIA, rc, "decoding the audio of '%s' failed",
			    media_base(r->path));
		if (r->eof_demux) {
			/* Flushed the decoder already, yet it wants input. */
			return 0;
		}
		rc = av_read_frame(r->fmt, r->pkt);
		if (rc == AVERROR_EOF || rc == AVERROR(EIO) || rc == AVERROR_INVALIDDATA) {
			/* A truncated file ends early: we keep what decoded. */
			r->eof_demux = 1;
			if ((rc = avcodec_send_packet(r->dec, NULL)) < 0 && rc != AVERROR_EOF)
				return media_averr(err, ZPUB_EMEDIA, rc, "flushing the audio decoder");
			continue;
		}
		if (rc < 0)
			return media_averr(err, ZPUB_EMEDIA, rc, "reading '%s' failed",
			    media_base(r->path));
		if (r->pkt->stream_index == r->stream) {
			rc = avcodec_send_packet(r->dec, r->pkt);
			/* A damaged packet is skipped, not fatal: Zoom files
			 * sometimes carry a few. */
			if (rc < 0 && rc != AVERROR_INVALIDDATA && rc != AVERROR(EAGAIN)) {
				av_packet_unref(r->pkt);
				return media_averr(err, ZPUB_EMEDIA, rc, "decoding the audio of '%s' failed",
				    media_base(r->path));
			}
		}
		av_packet_unref(r->pkt);
	}
}

int media_areader_rate(const struct media_areader *r) { return r->out_rate; }
int media_areader_channels(const struct media_areader *r) { return r->channels; }
int64_t media_areader_duration_ms(const struct media_areader *r) { return r->duration_ms; }

int64_t
media_areader_end_ms(const struct media_areader *r)
{
	return r->in_cursor < 0 ? 0 : av_rescale(r->in_cursor, 1000, r->in_rate);
}

int64_t
media_areader_expected_end_ms(const struct media_areader *r)
{
	const AVStream *st = r->fmt->streams[r->stream];

	if (st->duration == AV_NOPTS_VALUE || st->duration <= 0)
		return -1;
	return av_rescale_q((st->start_time == AV_NOPTS_VALUE ? 0 : st->start_time) +
	    st->duration, st->time_base, media_ms_tb) - r->origin_ms;
}

const AVCodecParameters *
media_areader_par(const struct media_areader *r)
{
	return r->fmt->streams[r->stream]->codecpar;
}

void
media_areader_tap(struct media_areader *r, void (*fn)(void *ud, const AVFrame *f), void *ud)
{
	r->tap = fn;
	r->tap_ud = ud;
}

double
media_areader_fraction(const struct media_areader *r)
{
	if (r->duration_ms <= 0)
		return -1;
	return r->last_ms < 0 ? 0 : (double)r->last_ms / (double)r->duration_ms;
}

void
media_areader_free(struct media_areader *r)
{
	if (r == NULL)
		return;
	if (r->buf != NULL)
		av_freep(&r->buf[0]);
	av_freep(&r->buf);
	av_frame_free(&r->frame);
	av_packet_free(&r->pkt);
	swr_free(&r->swr);
	av_channel_layout_uninit(&r->out_layout);
	avcodec_free_context(&r->dec);
	avformat_close_input(&r->fmt);
	free(r);
}

/* ---- segment feed ----------------------------------------------------- */

static int64_t
ms_to_samples(int64_t ms, int rate)
{
	return av_rescale(ms, rate, 1000);
}

void
media_seg_feed_init(struct media_seg_feed *f, const struct media_timemap *tm,
    int rate, int channels, enum AVSampleFormat fmt, media_emit_fn emit, void *ud)
{
	memset(f, 0, sizeof *f);
	f->tm = tm;
	f->rate = rate;
	f->channels = channels;
	f->fmt = fmt;
	f->emit = emit;
	f->ud = ud;
}

static int
feed_emit(struct media_seg_feed *f, uint8_t **planes, int64_t off, int64_t n,
    struct zpub_err *err)
{
	const uint8_t *p[AV_NUM_DATA_POINTERS];
	int bps = av_get_bytes_per_sample(f->fmt), i, rc;
	int planar = av_sample_fmt_is_planar(f->fmt);
	int np = planar ? f->channels : 1;

	while (n > 0) {
		int take = n > (1 << 20) ? (1 << 20) : (int)n;

		if (planes != NULL) {
			for (i = 0; i < np && i < AV_NUM_DATA_POINTERS; i++)
				p[i] = planes[i] + off * bps * (planar ? 1 : f->channels);
			rc = f->emit(f->ud, p, take, err);
		} else
			rc = f->emit(f->ud, NULL, take, err);
		if (rc < 0)
			return rc;
		f->out += take;
		off += take;
		n -= take;
	}
	return 0;
}

int
media_seg_feed_push(struct media_seg_feed *f, uint8_t **planes, int n,
    int64_t pos, struct zpub_err *err)
{
	int rc;

	while (f->seg < f->tm->n) {
		const struct media_seg *g = &f->tm->seg[f->seg];
		int64_t s0 = ms_to_samples(g->src_start_ms, f->rate);
		int64_t s1 = ms_to_samples(g->src_end_ms, f->rate);
		int64_t take;

		if (f->next < s0)
			f->next = s0;
		if (f->next >= s1) {
			f->seg++;
			continue;
		}
		if (pos + n <= f->next)
			return 0;          /* all of it lies before what we want */
		if (pos > f->next) {
			/* A hole in the audio (or a late start): silence. */
			take = (pos < s1 ? pos : s1) - f->next;
			if ((rc = feed_emit(f, NULL, 0, take, err)) < 0)
				return rc;
			f->next += take;
			continue;
		}
		take = (pos + n < s1 ? pos + n : s1) - f->next;
		if ((rc = feed_emit(f, planes, f->next - pos, take, err)) < 0)
			return rc;
		f->next += take;
	}
	return 0;
}

int
media_seg_feed_finish(struct media_seg_feed *f, struct zpub_err *err)
{
	int rc;

	for (; f->seg < f->tm->n; f->seg++) {
		const struct media_seg *g = &f->tm->seg[f->seg];
		int64_t s0 = ms_to_samples(g->src_start_ms, f->rate);
		int64_t s1 = ms_to_samples(g->src_end_ms, f->rate);

		if (f->next < s0)
			f->next = s0;
		if (f->next < s1 && (rc = feed_emit(f, NULL, 0, s1 - f->next, err)) < 0)
			return rc;
		f->next = s1;
	}
	return 0;
}

/* ---- FIFO-fed audio encoder ------------------------------------------- */

int
media_aenc_open(struct media_aenc *a, const AVCodec *codec, int rate,
    const AVChannelLayout *layout, int64_t bit_rate, int global_header,
    media_packet_fn on_packet, void *ud, struct zpub_err *err)
{
	int rc;

	memset(a, 0, sizeof *a);
	a->on_packet = on_packet;
	a->ud = ud;
	if (codec == NULL)
		return zpub_err_set(err, ZPUB_EMEDIA, "this FFmpeg lacks the audio encoder zpub needs");
	if ((a->enc = avcodec_alloc_context3(codec)) == NULL)
		goto nomem;
	a->enc->sample_rate = rate;
	a->enc->sample_fmt = codec->sample_fmts ? codec->sample_fmts[0] : AV_SAMPLE_FMT_S16;
	if ((rc = av_channel_layout_copy(&a->enc->ch_layout, layout)) < 0)
		goto nomem;
	a->enc->time_base = (AVRational){1, rate};
	if (bit_rate > 0)
		a->enc->bit_rate = bit_rate;
	if (global_header)
		a->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	/* FFmpeg's AAC encoder: the "fast" coder is three times quicker than
	 * the default two-loop search and transparent enough for speech. */
	if (codec->id == AV_CODEC_ID_AAC)
		av_opt_set(a->enc, "aac_coder", "fast", AV_OPT_SEARCH_CHILDREN);
	if ((rc = avcodec_open2(a->enc, codec, NULL)) < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "cannot open the %s encoder", codec->name);
		media_aenc_close(a);
		return rc;
	}
	a->fifo = av_audio_fifo_alloc(a->enc->sample_fmt, layout->nb_channels,
	    a->enc->frame_size > 0 ? a->enc->frame_size * 4 : 4096);
	a->frame = av_frame_alloc();
	if (a->fifo == NULL || a->frame == NULL)
		goto nomem;
	return 0;
nomem:
	media_aenc_close(a);
	return zpub_err_set(err, ZPUB_ENOMEM, "out of memory opening an audio encoder");
}

static int
aenc_drain(struct media_aenc *a, struct zpub_err *err)
{
	AVPacket *pkt = av_packet_alloc();
	int rc;

	if (pkt == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory encoding audio");
	for (;;) {
		rc = avcodec_receive_packet(a->enc, pkt);
		if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) {
			rc = 0;
			break;
		}
		if (rc < 0) {
			rc = media_averr(err, ZPUB_EMEDIA, rc, "encoding audio failed");
			break;
		}
		rc = a->on_packet(a->ud, pkt, err);
		av_packet_unref(pkt);
		if (rc < 0)
			break;
	}
	av_packet_free(&pkt);
	return rc;
}

static int
aenc_send(struct media_aenc *a, int n, struct zpub_err *err)
{
	int rc;

	a->frame->nb_samples = n;
	a->frame->format = a->enc->sample_fmt;
	a->frame->sample_rate = a->enc->sample_rate;
	if ((rc = av_channel_layout_copy(&a->frame->ch_layout, &a->enc->ch_layout)) < 0 ||
	    (rc = av_frame_get_buffer(a->frame, 0)) < 0)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory encoding audio");
	if (av_audio_fifo_read(a->fifo, (void **)a->frame->data, n) < n) {
		av_frame_unref(a->frame);
		return zpub_err_set(err, ZPUB_EMEDIA, "audio FIFO underrun");
	}
	a->frame->pts = a->pts;
	a->pts += n;
	rc = avcodec_send_frame(a->enc, a->frame);
	av_frame_unref(a->frame);
	if (rc < 0)
		return media_averr(err, ZPUB_EMEDIA, rc, "encoding audio failed");
	return aenc_drain(a, err);
}

int
media_aenc_write(void *ud, const uint8_t *const *planes, int n, struct zpub_err *err)
{
	struct media_aenc *a = ud;
	int fs = a->enc->frame_size > 0 ? a->enc->frame_size : 4096, rc;

	if (planes != NULL) {
		if (av_audio_fifo_write(a->fifo, (void **)planes, n) < n)
			return zpub_err_set(err, ZPUB_ENOMEM, "out of memory buffering audio");
	} else {
		int sz = av_audio_fifo_size(a->fifo);

		if (av_audio_fifo_realloc(a->fifo, sz + n) < 0)
			return zpub_err_set(err, ZPUB_ENOMEM, "out of memory buffering audio");
		/* Silence straight into the FIFO, in pieces of one frame. */
		while (n > 0) {
			uint8_t *z[AV_NUM_DATA_POINTERS] = {0};
			int take = n > fs ? fs : n;

			if (av_samples_alloc(z, NULL, a->enc->ch_layout.nb_channels, take,
			    a->enc->sample_fmt, 0) < 0)
				return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
			av_samples_set_silence(z, 0, take, a->enc->ch_layout.nb_channels,
			    a->enc->sample_fmt);
			rc = av_audio_fifo_write(a->fifo, (void **)z, take);
			av_freep(&z[0]);
			if (rc < take)
				return zpub_err_set(err, ZPUB_ENOMEM, "out of memory buffering audio");
			n -= take;
			if (av_audio_fifo_size(a->fifo) >= fs * 4) {
				while (av_audio_fifo_size(a->fifo) >= fs)
					if ((rc = aenc_send(a, fs, err)) < 0)
						return rc;
			}
		}
	}
	while (av_audio_fifo_size(a->fifo) >= fs)
		if ((rc = aenc_send(a, fs, err)) < 0)
			return rc;
	return 0;
}

int
media_aenc_flush(struct media_aenc *a, struct zpub_err *err)
{
	int left = av_audio_fifo_size(a->fifo), rc;

	if (left > 0) {
		/* Encoders with a fixed frame size accept a short last frame
		 * (AV_CODEC_CAP_SMALL_LAST_FRAME) or need it padded. */
		if (a->enc->frame_size > 0 && left < a->enc->frame_size &&
		    !(a->enc->codec->capabilities & AV_CODEC_CAP_SMALL_LAST_FRAME) &&
		    !(a->enc->codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE)) {
			if ((rc = media_aenc_write(a, NULL, a->enc->frame_size - left, err)) < 0)
				return rc;
			left = av_audio_fifo_size(a->fifo);
		}
		if (left > 0 && (rc = aenc_send(a, left, err)) < 0)
			return rc;
	}
	if ((rc = avcodec_send_frame(a->enc, NULL)) < 0 && rc != AVERROR_EOF)
		return media_averr(err, ZPUB_EMEDIA, rc, "flushing the audio encoder");
	return aenc_drain(a, err);
}

void
media_aenc_close(struct media_aenc *a)
{
	if (a == NULL)
		return;
	av_frame_free(&a->frame);
	if (a->fifo != NULL)
		av_audio_fifo_free(a->fifo);
	a->fifo = NULL;
	avcodec_free_context(&a->enc);
}
