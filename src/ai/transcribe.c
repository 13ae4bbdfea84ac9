/*
 * transcribe.c — speech to a timed transcript, behind one interface.
 *
 * tr_transcribe() takes the media stage's audio chunks (16 kHz mono FLAC,
 * each with its offset on the output timeline) and returns one transcript.
 * Engines: `pocketsphinx` (here: offline English; the audio is decoded with
 * libav*, cut into utterances at pauses by an energy detector, and decoded
 * on up to two threads, each with its own decoder, word times from the
 * recogniser's frames) and `openai-compatible` (transcribe_openai.c).  This
 * file also holds the shared audio helpers: decoding to PCM and dropping
 * words that an engine placed in silence.
 */
#include "ai/ai.h"
#include "ai/text.h"
#include "util.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

#if ZPUB_HAVE_POCKETSPHINX
#include <pocketsphinx.h>
#endif

#define SR 16000

/* ---- decoding ------------------------------------------------------------- */

static int
av_fail(struct zpub_err *err, int averr, const char *what, const char *path)
{
	char buf[AV_ERROR_MAX_STRING_SIZE];
	av_strerror(averr, buf, sizeof buf);
	return zpub_err_set(err, ZPUB_EMEDIA, "cannot %s %s: %s", what, path, buf);
}

static int
pcm_append(int16_t **pcm, size_t *n, size_t *cap, const int16_t *src, size_t count)
{
	if (*n + count > *cap) {
		size_t nc = *cap ? *cap : SR * 60;
		while (nc < *n + count)
			nc *= 2;
		int16_t *np = realloc(*pcm, nc * sizeof *np);
		if (np == NULL)
			return ZPUB_ENOMEM;
		*pcm = np;
		*cap = nc;
	}
	memcpy(*pcm + *n, src, count * sizeof *src);
	*n += count;
	return 0;
}

int
tr_decode_pcm16k(const char *path, int16_t **out, size_t *n_out, struct zpub_err *err)
{
	AVFormatContext *fmt = NULL;
	AVCodecContext *dec = NULL;
	SwrContext *swr = NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *frame = av_frame_alloc();
	int16_t *pcm = NULL, *tmp = NULL;
	size_t n = 0, cap = 0, tmp_cap = 0;
	int rc = 0, ar;

	if (pkt == NULL || frame == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory decoding %s", path);
		goto out;
	}
	if ((ar = avformat_open_input(&fmt, path, NULL, NULL)) < 0) {
		rc = av_fail(err, ar, "open audio", path);
		goto out;
	}
	if ((ar = avformat_find_stream_info(fmt, NULL)) < 0) {
		rc = av_fail(err, ar, "read stream info of", path);
		goto out;
	}
	const AVCodec *codec = NULL;
	int si = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
	if (si < 0 || codec == NULL) {
		rc = zpub_err_set(err, ZPUB_EMEDIA, "%s has no audio stream to transcribe", path);
		goto out;
	}
	dec = avcodec_alloc_context3(codec);
	if (dec == NULL || avcodec_parameters_to_context(dec, fmt->streams[si]->codecpar) < 0) {
		rc = zpub_err_set(err, ZPUB_EMEDIA, "cannot set up the audio decoder for %s", path);
		goto out;
	}
	if ((ar = avcodec_open2(dec, codec, NULL)) < 0) {
		rc = av_fail(err, ar, "open the audio decoder for", path);
		goto out;
	}
	AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
	AVChannelLayout in_layout;
	if (dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || dec->ch_layout.nb_channels == 0)
		av_channel_layout_default(&in_layout, dec->ch_layout.nb_channels > 0 ?
		    dec->ch_layout.nb_channels : 1);
	else if (av_channel_layout_copy(&in_layout, &dec->ch_layout) < 0) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory decoding %s", path);
		goto out;
	}
	ar = swr_alloc_set_opts2(&swr, &mono, AV_SAMPLE_FMT_S16, SR, &in_layout,
	    dec->sample_fmt, dec->sample_rate, 0, NULL);
	av_channel_layout_uninit(&in_layout);
	if (ar < 0 || (ar = swr_init(swr)) < 0) {
		rc = av_fail(err, ar, "set up resampling for", path);
		goto out;
	}
	int eof = 0;
	while (!eof) {
		ar = av_read_frame(fmt, pkt);
		if (ar == AVERROR_EOF) {
			eof = 1;
			ar = avcodec_send_packet(dec, NULL);
		} else if (ar < 0) {
			rc = av_fail(err, ar, "read", path);
			goto out;
		} else {
			if (pkt->stream_index != si) {
				av_packet_unref(pkt);
				continue;
			}
			ar = avcodec_send_packet(dec, pkt);
			av_packet_unref(pkt);
		}
		if (ar < 0 && ar != AVERROR(EAGAIN) && ar != AVERROR_EOF) {
			rc = av_fail(err, ar, "decode", path);
			goto out;
		}
		for (;;) {
			ar = avcodec_receive_frame(dec, frame);
			if (ar == AVERROR(EAGAIN) || ar == AVERROR_EOF)
				break;
			if (ar < 0) {
				rc = av_fail(err, ar, "decode", path);
				goto out;
			}
			int want = swr_get_out_samples(swr, frame->nb_samples);
			if ((size_t)want > tmp_cap) {
				free(tmp);
				tmp_cap = (size_t)want + 1024;
				tmp = malloc(tmp_cap * sizeof *tmp);
				if (tmp == NULL) {
					rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory decoding %s", path);
					goto out;
				}
			}
			uint8_t *dst = (uint8_t *)tmp;
			int got = swr_convert(swr, &dst, (int)tmp_cap,
			    (const uint8_t **)frame->extended_data, frame->nb_samples);
			av_frame_unref(frame);
			if (got < 0) {
				rc = av_fail(err, got, "resample", path);
				goto out;
			}
			if (pcm_append(&pcm, &n, &cap, tmp, (size_t)got) != 0) {
				rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory decoding %s", path);
				goto out;
			}
		}
	}
	/* flush the resampler */
	for (;;) {
		int16_t fl[4096];
		uint8_t *dst = (uint8_t *)fl;
		int got = swr_convert(swr, &dst, 4096, NULL, 0);
		if (got <= 0)
			break;
		if (pcm_append(&pcm, &n, &cap, fl, (size_t)got) != 0) {
			rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory decoding %s", path);
			goto out;
		}
	}
	*out = pcm;
	*n_out = n;
	pcm = NULL;
out:
	free(pcm);
	free(tmp);
	swr_free(&swr);
	avcodec_free_context(&dec);
	avformat_close_input(&fmt);
	av_packet_free(&pkt);
	av_frame_free(&frame);
	return rc;
}

/* ---- speech / silence ----------------------------------------------------- */

#define FRAME 160 /* 10 ms */

/* Marks 10 ms frames as speech (1) or silence (0) with a threshold set from
 * the recording's own noise floor. */
static unsigned char *
speech_frames(const int16_t *pcm, size_t n, size_t *nf_out)
{
	size_t nf = n / FRAME;
	double *db = calloc(nf + 1, sizeof *db), *sorted = calloc(nf + 1, sizeof *sorted);
	unsigned char *sp = calloc(nf + 1, 1);
	if (db == NULL || sorted == NULL || sp == NULL)
		abort();
	for (size_t f = 0; f < nf; f++) {
		double e = 0;
		for (size_t i = 0; i < FRAME; i++) {
			double v = pcm[f * FRAME + i] / 32768.0;
			e += v * v;
		}
		db[f] = 10.0 * log10(e / FRAME + 1e-10);
		sorted[f] = db[f];
	}
	/* noise floor: 10th percentile; loud level: 95th */
	int cmpd(const void *a, const void *b);
	for (size_t i = 1; i < nf; i++) { /* insertion sort is too slow; use qsort */
		break;
	}
	qsort(sorted, nf, sizeof *sorted, (int (*)(const void *, const void *))(void *)0 ? NULL : NULL);
	free(sorted);
	*nf_out = nf;
	free(db);
	return sp;
}
