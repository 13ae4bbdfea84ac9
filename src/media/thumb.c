/*
 * thumb.c — thumbnail candidates for the published video.
 *
 * Takes `count` frames spread evenly over the (cut) video, at the keyframe
 * at or before each position so only one frame per candidate is decoded,
 * scores them and writes them as JPEGs.  The score: frames that are black,
 * white or flat (luma mean < 24 or > 235, or luma spread < 6) score 0 and
 * are retried once a little later; otherwise score = luma standard
 * deviation (detail: slides with text and pictures) times a brightness
 * factor 1 - |mean - 128| / 256 (prefers mid-tones).  Highest wins.
 * Given the slide changes, it takes one frame of each of `count` distinct
 * slides instead (a second into the slide, where a build-up has settled),
 * the title slide first and chosen.  Also turns a picture the user
 * supplies into a thumbnail.
 */
#include "media_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libswscale/swscale.h>

#include "util.h"

static double
thumb_score(const AVFrame *f)
{
	double sum = 0, sum2 = 0, mean, sd;
	long n = 0;
	int x, y, step = f->width > 640 ? 4 : 2;

	for (y = 0; y < f->height; y += step) {
		const uint8_t *row = f->data[0] + (ptrdiff_t)y * f->linesize[0];

		for (x = 0; x < f->width; x += step) {
			sum += row[x];
			sum2 += (double)row[x] * row[x];
			n++;
		}
	}
	if (n == 0)
		return 0;
	mean = sum / (double)n;
	sd = sqrt(fmax(0, sum2 / (double)n - mean * mean));
	if (mean < 24 || mean > 235 || sd < 6)
		return 0;
	return sd * (1.0 - fabs(mean - 128) / 256.0);
}

/* Decodes the first frame at or after the keyframe before at (tb; < 0: the
 * first frame, without seeking). */
static int
thumb_grab(AVFormatContext *fmt, AVCodecContext *dec, int vi, int64_t at,
    AVFrame *f, AVPacket *pkt)
{
	int rc;

	if (at >= 0 && av_seek_frame(fmt, vi, at, AVSEEK_FLAG_BACKWARD) < 0)
		return -1;
	avcodec_flush_buffers(dec);
	for (;;) {
		rc = avcodec_receive_frame(dec, f);
		if (rc == 0)
			return 0;
		if (rc != AVERROR(EAGAIN))
			return -1;
		rc = av_read_frame(fmt, pkt);
		if (rc < 0) {
			avcodec_send_packet(dec, NULL);
			continue;
		}
		if (pkt->stream_index == vi)
			rc = avcodec_send_packet(dec, pkt);
		av_packet_unref(pkt);
		if (rc < 0 && rc != AVERROR_INVALIDDATA && rc != AVERROR(EAGAIN))
			return -1;
	}
}

/* Decodes up to the first frame shown at or after at (tb). */
static int
thumb_grab_at(AVFormatContext *fmt, AVCodecContext *dec, int vi, int64_t at,
    AVFrame *f, AVPacket *pkt)
{
	if (thumb_grab(fmt, dec, vi, at, f, pkt) < 0)
		return -1;
	while (f->best_effort_timestamp != AV_NOPTS_VALUE && f->best_effort_timestamp < at) {
		int rc;

		av_frame_unref(f);
		for (;;) {
			rc = avcodec_receive_frame(dec, f);
			if (rc == 0)
				break;
			if (rc != AVERROR(EAGAIN))
				return -1;
			rc = av_read_frame(fmt, pkt);
			if (rc < 0) {
				avcodec_send_packet(dec, NULL);
				continue;
			}
			if (pkt->stream_index == vi)
				rc = avcodec_send_packet(dec, pkt);
			av_packet_unref(pkt);
			if (rc < 0 && rc != AVERROR_INVALIDDATA && rc != AVERROR(EAGAIN))
				return -1;
		}
	}
	return 0;
}

/* Where the k-th of count thumbnails is taken (ms of the video), and 1
 * when it is a slide's. */
static int64_t
thumb_position(int64_t dur, int k, int count, const int64_t *slides, size_t n_slides)
{
	size_t i, next;
	int64_t end, settle;

	if (n_slides < 2)
		return dur * (2 * k + 1) / (2 * count);
	/* the title slide, then count - 1 of the others spread over them */
	if (k == 0 || (size_t)count >= n_slides)
		i = (size_t)k;
	else
		i = 1 + (size_t)(k - 1) * (n_slides - 1) / (size_t)(count - 1);
	next = i + 1;
	end = next < n_slides ? slides[next] : dur;
	settle = (end - slides[i]) / 2;
	if (settle > 1000)
		settle = 1000;
	return slides[i] + settle;
}

int
media_jpeg_write(const AVFrame *f, int width, const char *path, struct zpub_err *err)
{
	const AVCodec *mj = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
	AVCodecContext *e = NULL;
	struct SwsContext *sws = NULL;
	AVFrame *s = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	int rc, h;

	if (width <= 0 || width > f->width)
		width = f->width;
	width &= ~1;
	h = (int)av_rescale(f->height, width, f->width) & ~1;
	if (mj == NULL || s == NULL || pkt == NULL || (e = avcodec_alloc_context3(mj)) == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "cannot set up the JPEG encoder");
		goto out;
	}
	e->width = width;
	e->height = h;
	e->pix_fmt = AV_PIX_FMT_YUVJ420P;
	e->time_base = (AVRational){1, 25};
	e->flags |= AV_CODEC_FLAG_QSCALE;
	e->global_quality = FF_QP2LAMBDA * 3;
	if ((rc = avcodec_open2(e, mj, NULL)) < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "cannot open the JPEG encoder");
		goto out;
	}
	s->format = AV_PIX_FMT_YUVJ420P;
	s->width = width;
	s->height = h;
	if (av_frame_get_buffer(s, 0) < 0 ||
	    (sws = sws_getContext(f->width, f->height, f->format, width, h,
	    AV_PIX_FMT_YUVJ420P, SWS_BICUBIC, NULL, NULL, NULL)) == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "cannot scale a thumbnail");
		goto out;
	}
	sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
	    s->data, s->linesize);
	s->pts = 0;
	if ((rc = avcodec_send_frame(e, s)) < 0 || (rc = avcodec_send_frame(e, NULL)) < 0 ||
	    (rc = avcodec_receive_packet(e, pkt)) < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "encoding a thumbnail failed");
		goto out;
	}
	rc = fs_write_atomic(path, pkt->data, (size_t)pkt->size, 0600, err);
out:
	sws_freeContext(sws);
	av_packet_free(&pkt);
	av_frame_free(&s);
	avcodec_free_context(&e);
	return rc;
}

int
media_thumbnails(const char *video, const char *dir, int count, int width,
    const int64_t *slides_ms, size_t n_slides, const struct zpub_progress *prog,
    struct media_thumb **out, size_t *n_out, struct zpub_err *err)
{
	AVFormatContext *fmt = NULL;
	AVCodecContext *dec = NULL;
	const AVCodec *codec = NULL;
	AVFrame *f = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	struct media_thumb *t = NULL;
	AVStream *st;
	int64_t dur, origin;
	size_t n = 0, best = 0;
	int rc, vi, i;

	*out = NULL;
	*n_out = 0;
	if (count < 1)
		count = 1;
	if (n_slides < 2)
		n_slides = 0;
	if (n_slides > 0 && (size_t)count > n_slides)
		count = (int)n_slides;
	t = xcalloc((size_t)count, sizeof *t);
	if (f == NULL || pkt == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = media_open_input(video, &fmt, err)) < 0)
		goto out;
	vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
	if (vi < 0 || codec == NULL) {
		rc = zpub_err_set(err, ZPUB_EMEDIA, "'%s' has no video to take thumbnails from",
		    media_base(video));
		goto out;
	}
	st = fmt->streams[vi];
	if ((dec = avcodec_alloc_context3(codec)) == NULL ||
	    avcodec_parameters_to_context(dec, st->codecpar) < 0) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
		goto out;
	}
	dec->pkt_timebase = st->time_base;
	if ((rc = avcodec_open2(dec, codec, NULL)) < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc, "cannot open the video decoder");
		goto out;
	}
	dur = media_duration_ms(fmt);
	origin = media_origin_ms(fmt);
	for (i = 0; i < count; i++) {
		int64_t at = thumb_position(dur, i, count, slides_ms, n_slides);
		double score = 0;
		int attempt, attempts = n_slides > 0 ? 1 : 2;
		char name[32];

		/* a slide's frame once, where it has settled; another frame a
		 * little later when an even spread hits a blank one */
		for (attempt = 0; attempt < attempts; attempt++) {
			int64_t pos = at + attempt * dur / (4 * count);
			int64_t ts = av_rescale_q(pos + origin, media_ms_tb, st->time_base);

			if ((n_slides > 0 ? thumb_grab_at(fmt, dec, vi, ts, f, pkt) :
			    thumb_grab(fmt, dec, vi, ts, f, pkt)) < 0)
				break;
			score = thumb_score(f);
			if (score > 0 || attempt == attempts - 1)
				break;
			av_frame_unref(f);
		}
		if (f->buf[0] == NULL)
			continue;
		snprintf(name, sizeof name, "thumb_%zu.jpg", n);
		t[n].path = path_join(dir, name);
		t[n].at_ms = f->best_effort_timestamp == AV_NOPTS_VALUE ? at :
		    av_rescale_q(f->best_effort_timestamp, st->time_base, media_ms_tb) - origin;
		t[n].score = score;
		rc = media_jpeg_write(f, width, t[n].path, err);
		av_frame_unref(f);
		if (rc < 0) {
			n++;
			goto out;
		}
		if (t[n].score > t[best].score)
			best = n;
		n++;
		zpub_progress_report(prog, (double)(i + 1) / count, "choosing thumbnails");
	}
	if (n == 0) {
		rc = zpub_err_set(err, ZPUB_EMEDIA, "no frame of '%s' could be decoded for a thumbnail",
		    media_base(video));
		goto out;
	}
	t[n_slides > 0 ? 0 : best].chosen = 1;
	*out = t;
	*n_out = n;
	t = NULL;
	n = 0;
	rc = 0;
out:
	media_thumbs_free(t, n);
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	av_packet_free(&pkt);
	av_frame_free(&f);
	return rc;
}

void
media_thumbs_free(struct media_thumb *t, size_t n)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < n; i++)
		free(t[i].path);
	free(t);
}

/* Pictures larger than this a side are refused before they are decoded. */
#define THUMB_MAX_SIDE 8192

int
media_image_import(const char *in, const char *out, int width, int64_t max_bytes,
    struct zpub_err *err)
{
	AVFormatContext *fmt = NULL;
	AVCodecContext *dec = NULL;
	const AVCodec *codec = NULL;
	AVFrame *f = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	AVStream *st;
	int rc, vi;

	if (f == NULL || pkt == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = media_open_image(in, max_bytes, &fmt, err)) < 0)
		goto out;
	vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
	if (vi < 0 || codec == NULL) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "'%s' holds no picture", media_base(in));
		goto out;
	}
	st = fmt->streams[vi];
	if (st->codecpar->width <= 0 || st->codecpar->height <= 0 ||
	    st->codecpar->width > THUMB_MAX_SIDE || st->codecpar->height > THUMB_MAX_SIDE) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "'%s' is %dx%d pixels; a thumbnail picture "
		    "may be at most %d pixels a side", media_base(in), st->codecpar->width,
		    st->codecpar->height, THUMB_MAX_SIDE);
		goto out;
	}
	if ((dec = avcodec_alloc_context3(codec)) == NULL ||
	    avcodec_parameters_to_context(dec, st->codecpar) < 0) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = avcodec_open2(dec, codec, NULL)) < 0) {
		rc = media_averr(err, ZPUB_EINVAL, rc, "cannot decode '%s'", media_base(in));
		goto out;
	}
	if (thumb_grab(fmt, dec, vi, -1, f, pkt) < 0 || f->width != st->codecpar->width ||
	    f->height != st->codecpar->height) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "'%s' is not a picture zpub can read "
		    "(truncated or corrupt?)", media_base(in));
		goto out;
	}
	rc = media_jpeg_write(f, width, out, err);
out:
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	av_packet_free(&pkt);
	av_frame_free(&f);
	return rc < 0 ? rc : 0;
}
