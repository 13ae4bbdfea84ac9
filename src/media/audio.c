/*
 * audio.c — the audio that transcription engines get.
 *
 * Decodes the source audio along the time map (so it matches the cut video
 * sample for sample), resamples it to 16 kHz mono and writes FLAC chunks
 * that stay under the configured length and size, split in the middle of
 * kept pauses so no chunk ends mid-word.  Each chunk knows its offset on the
 * output timeline.
 */
#include "media_priv.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

/* 16-bit mono is 2 bytes a sample; FLAC never grows it by more than its
 * frame headers, so raw size bounds the chunk size. */
#define AUDIO_BOUND_BYTES_PER_SAMPLE 2.1

void
media_audio_opts_from_config(struct media_audio_opts *o, const cJSON *cfg)
{
	o->sample_rate = (int)config_int(cfg, "processing.audio.sample_rate", 16000);
	o->chunk_max_ms = config_int(cfg, "processing.audio.chunk_max_seconds", 600) * 1000;
	o->chunk_max_bytes = config_int(cfg, "processing.audio.chunk_max_bytes", 24000000);
}

int
media_audio_chunk_bounds(const struct media_timemap *tm,
    const struct media_spans *silences, int64_t max_ms, struct media_spans *chunks,
    struct zpub_err *err)
{
	int64_t start = 0, dur = tm->out_duration_ms;
	size_t i = 0;

	if (max_ms < 1000)
		max_ms = 1000;
	while (dur - start > max_ms) {
		int64_t best = -1;

		/* The last pause that fits: its middle on the output timeline. */
		for (; i < silences->n; i++) {
			int64_t a = media_timemap_to_output(tm, silences->v[i].start_ms);
			int64_t b = media_timemap_to_output(tm, silences->v[i].end_ms);
			int64_t mid = a + (b - a) / 2;

			if (b <= a || mid <= start)
				continue;
			if (mid - start > max_ms)
				break;
			best = mid;
		}
		if (best < 0)
			best = start + max_ms;   /* no pause at all: cut at the limit */
		media_spans_push(chunks, start, best);
		start = best;
	}
	if (dur > start)
		media_spans_push(chunks, start, dur);
	return 0;
}

struct chunker {
	const char *dir;
	int rate;
	const struct media_spans *bounds;
	size_t idx;                /* chunk being written */
	int64_t pos;               /* output samples written */
	int64_t chunk_start;
	AVFormatContext *fmt;
	struct media_aenc aenc;
	int open;
	char *tmp, *path;
	struct media_audio_chunk *out;
	size_t n_out;
};

static int
chunk_packet(void *ud, AVPacket *pkt, struct zpub_err *err)
{
	struct chunker *k = ud;
	int rc;

	pkt->stream_index = 0;
	av_packet_rescale_ts(pkt, (AVRational){1, k->rate}, k->fmt->streams[0]->time_base);
	if ((rc = av_write_frame(k->fmt, pkt)) < 0)
		return media_averr(err, ZPUB_EIO, rc, "writing '%s' failed", k->tmp);
	return 0;
}

static void
chunk_abort(struct chunker *k)
{
	if (k->open)
		media_aenc_close(&k->aenc);
	if (k->fmt != NULL) {
		avio_closep(&k->fmt->pb);
		avformat_free_context(k->fmt);
		k->fmt = NULL;
	}
	if (k->tmp != NULL)
		unlink(k->tmp);
	free(k->tmp);
	free(k->path);
	k->tmp = k->path = NULL;
	k->open = 0;
}

static int
chunk_open(struct chunker *k, struct zpub_err *err)
{
	AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
	AVStream *st;
	char name[32];
	int rc;

	snprintf(name, sizeof name, "audio_%03zu.flac", k->idx);
	k->path = path_join(k->dir, name);
	k->tmp = xasprintf("%s.tmp", k->path);
	if ((rc = avformat_alloc_output_context2(&k->fmt, NULL, "flac", k->tmp)) < 0)
		return media_averr(err, ZPUB_EIO, rc, "cannot create '%s'", k->tmp);
	if ((rc = media_aenc_open(&k->aenc, avcodec_find_encoder(AV_CODEC_ID_FLAC), k->rate,
	    &mono, 0, 1, chunk_packet, k, err)) < 0)
		return rc;
	k->open = 1;
	if ((st = avformat_new_stream(k->fmt, NULL)) == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	if ((rc = avcodec_parameters_from_context(st->codecpar, k->aenc.enc)) < 0)
		return media_averr(err, ZPUB_ENOMEM, rc, "encoder parameters");
	st->time_base = (AVRational){1, k->rate};
	if ((rc = avio_open(&k->fmt->pb, k->tmp, AVIO_FLAG_WRITE)) < 0)
		return media_averr(err, ZPUB_EIO, rc, "cannot write '%s'", k->tmp);
	if ((rc = avformat_write_header(k->fmt, NULL)) < 0)
		return media_averr(err, ZPUB_EIO, rc, "cannot start '%s'", k->tmp);
	k->chunk_start = k->pos;
	return 0;
}

static int
chunk_close(struct chunker *k, struct zpub_err *err)
{
	struct media_audio_chunk *c;
	int rc;

	if ((rc = media_aenc_flush(&k->aenc, err)) < 0)
		return rc;
	if ((rc = av_write_trailer(k->fmt)) < 0)
		return media_averr(err, ZPUB_EIO, rc, "finishing '%s'", k->tmp);
	avio_closep(&k->fmt->pb);
	avformat_free_context(k->fmt);
	k->fmt = NULL;
	media_aenc_close(&k->aenc);
	k->open = 0;
	if ((rc = fs_commit(k->tmp, k->path, err)) < 0)
		return rc;
	k->out = xreallocarray(k->out, k->n_out + 1, sizeof *k->out);
	c = &k->out[k->n_out++];
	c->path = k->path;
	c->offset_ms = av_rescale(k->chunk_start, 1000, k->rate);
	c->duration_ms = av_rescale(k->pos, 1000, k->rate) - c->offset_ms;
	c->bytes = fs_size(k->path);
	k->path = NULL;
	free(k->tmp);
	k->tmp = NULL;
	k->idx++;
	return 0;
}

static int
chunk_emit(void *ud, const uint8_t *const *planes, int n, struct zpub_err *err)
{
	struct chunker *k = ud;
	const uint8_t *p = planes ? planes[0] : NULL;
	int rc;

	while (n > 0) {
		int64_t end, take;

		if (!k->open && (rc = chunk_open(k, err)) < 0)
			return rc;
		end = k->idx + 1 < k->bounds->n ?
		    av_rescale(k->bounds->v[k->idx].end_ms, k->rate, 1000) : INT64_MAX;
		take = end - k->pos < n ? end - k->pos : n;
		if (take > 0) {
			const uint8_t *pp[1] = {p};

			if ((rc = media_aenc_write(&k->aenc, p ? pp : NULL, (int)take, err)) < 0)
				return rc;
			k->pos += take;
			n -= (int)take;
			if (p != NULL)
				p += take * 2;
		}
		if (k->pos >= end && (rc = chunk_close(k, err)) < 0)
			return rc;
	}
	return 0;
}

int
media_audio_export(const char *in, const char *dir,
    const struct media_timemap *tm, const struct media_spans *silences,
    const struct media_audio_opts *o, const struct zpub_progress *prog,
    struct media_audio_chunk **chunks, size_t *n_chunks, struct zpub_err *err)
{
	struct media_areader *r = NULL;
	struct media_spans bounds = {0};
	struct media_seg_feed feed;
	struct chunker k;
	int64_t max_ms, last = -1;
	int rc;

	*chunks = NULL;
	*n_chunks = 0;
	memset(&k, 0, sizeof k);
	k.dir = dir;
	k.rate = o->sample_rate > 0 ? o->sample_rate : 16000;
	max_ms = o->chunk_max_ms;
	if (o->chunk_max_bytes > 0) {
		int64_t by_bytes = (int64_t)((double)o->chunk_max_bytes /
		    (AUDIO_BOUND_BYTES_PER_SAMPLE * k.rate) * 1000.0);

		if (max_ms <= 0 || by_bytes < max_ms)
			max_ms = by_bytes;
	}
	if ((rc = media_audio_chunk_bounds(tm, silences, max_ms, &bounds, err)) < 0)
		goto out;
	k.bounds = &bounds;
	if ((rc = media_areader_open(in, k.rate, NULL, AV_SAMPLE_FMT_S16, &r, err)) < 0)
		goto out;
	media_seg_feed_init(&feed, tm, k.rate, 1, AV_SAMPLE_FMT_S16, chunk_emit, &k);
	for (;;) {
		uint8_t **planes;
		int64_t pos;
		int n;

		if ((rc = media_areader_next(r, &planes, &n, &pos, err)) < 0)
			goto out;
		if (rc == 0 || feed.seg >= tm->n)
			break;
		if ((rc = media_seg_feed_push(&feed, planes, n, pos, err)) < 0)
			goto out;
		if (pos - last > (int64_t)k.rate * 30) {
			last = pos;
			if (zpub_progress_report(prog, media_areader_fraction(r),
			    "writing audio for transcription") != 0) {
				rc = zpub_err_set(err, ZPUB_ECANCEL, "cancelled");
				goto out;
			}
		}
	}
	if ((rc = media_seg_feed_finish(&feed, err)) < 0)
		goto out;
	if (k.open && (rc = chunk_close(&k, err)) < 0)
		goto out;
	*chunks = k.out;
	*n_chunks = k.n_out;
	k.out = NULL;
	k.n_out = 0;
	rc = 0;
out:
	chunk_abort(&k);
	media_audio_chunks_free(k.out, k.n_out);
	media_areader_free(r);
	media_spans_clear(&bounds);
	return rc;
}

void
media_audio_chunks_free(struct media_audio_chunk *c, size_t n)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < n; i++)
		free(c[i].path);
	free(c);
}
