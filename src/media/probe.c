/*
 * probe.c — what is in a media file: container, duration, streams, codecs,
 * frame rate (constant or variable), keyframe positions and stream start
 * offsets.  Reads the container index only; decodes nothing.  Also holds the
 * small helpers the other media files share (media_priv.h); opening a file
 * is open.c's job.
 */
#include "media.h"
#include "media_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavformat/avformat.h>
#include <libavutil/avutil.h>

const AVRational media_ms_tb = {1, 1000};

const char *
media_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int
media_averr(struct zpub_err *err, int code, int averr, const char *fmt, ...)
{
	char what[512], why[AV_ERROR_MAX_STRING_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	av_strerror(averr, why, sizeof why);
	return zpub_err_set(err, code, "%s: %s", what, why);
}

int64_t
media_origin_ms(const AVFormatContext *fmt)
{
	if (fmt->start_time == AV_NOPTS_VALUE)
		return 0;
	return av_rescale_q(fmt->start_time, AV_TIME_BASE_Q, media_ms_tb);
}

int64_t
media_duration_ms(const AVFormatContext *fmt)
{
	int64_t d = 0;
	unsigned i;

	if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0)
		return av_rescale_q(fmt->duration, AV_TIME_BASE_Q, media_ms_tb);
	/* No container duration: the longest stream. */
	for (i = 0; i < fmt->nb_streams; i++) {
		const AVStream *st = fmt->streams[i];

		if (st->duration != AV_NOPTS_VALUE) {
			int64_t x = av_rescale_q(st->duration, st->time_base, media_ms_tb);

			if (x > d)
				d = x;
		}
	}
	return d;
}

void
media_log_init(int verbose)
{
	av_log_set_level(verbose ? AV_LOG_INFO : AV_LOG_FATAL);
}

static void
push_ms(int64_t **v, size_t *n, size_t *cap, int64_t ms)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;

		*v = xreallocarray(*v, nc, sizeof **v);
		*cap = nc;
	}
	(*v)[(*n)++] = ms;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* With frames_ms in decode order: the times where a decode-order prefix
 * shows exactly the frames before it (every frame shown earlier decoded,
 * none shown later), so a copy of the stream can end there. */
static void
probe_copy_ends(struct media_info *mi)
{
	int64_t *sufmin, maxp = INT64_MIN;
	size_t i, n = mi->n_frames;

	if (n == 0)
		return;
	sufmin = xreallocarray(NULL, n, sizeof *sufmin);
	mi->ends_ms = xreallocarray(NULL, n, sizeof *mi->ends_ms);
	sufmin[n - 1] = mi->frames_ms[n - 1];
	for (i = n - 1; i-- > 0;)
		sufmin[i] = mi->frames_ms[i] < sufmin[i + 1] ? mi->frames_ms[i] : sufmin[i + 1];
	for (i = 0; i + 1 < n; i++) {
		if (mi->frames_ms[i] > maxp)
			maxp = mi->frames_ms[i];
		if (maxp < sufmin[i + 1])
			mi->ends_ms[mi->n_ends++] = sufmin[i + 1];
	}
	free(sufmin);
}

/* Keyframes and frame-duration spread from the container index (MP4 has a
 * complete one); without an index, by reading video packets (no decode). */
static int
probe_video_index(AVFormatContext *fmt, AVStream *st, struct media_info *mi,
    struct zpub_err *err)
{
	int64_t origin = media_origin_ms(fmt), prev = AV_NOPTS_VALUE;
	int64_t dmin = INT64_MAX, dmax = 0;
	size_t cap = 0, fcap = 0;
	int i, n = avformat_index_get_entries_count(st);

	/* The index has decode times: with B-frames the presentation times
	 * (and where a copy can end) come from the packets. */
	if (st->codecpar->video_delay > 0)
		n = 0;
	for (i = 0; i < n; i++) {
		const AVIndexEntry *e = avformat_index_get_entry(st, i);
		int64_t ms;

		if (e == NULL)
			break;
		if (prev != AV_NOPTS_VALUE && e->timestamp > prev) {
			int64_t d = e->timestamp - prev;

			if (d < dmin)
				dmin = d;
			if (d > dmax)
				dmax = d;
		}
		prev = e->timestamp;
		ms = av_rescale_q(e->timestamp, st->time_base, media_ms_tb) - origin;
		if (e->flags & AVINDEX_KEYFRAME)
			push_ms(&mi->keyframes_ms, &mi->n_keyframes, &cap, ms);
		push_ms(&mi->frames_ms, &mi->n_frames, &fcap, ms);
	}
	if (n == 0) {
		AVPacket *pkt = av_packet_alloc();
		unsigned k;
		int rc;

		if (pkt == NULL)
			return zpub_err_set(err, ZPUB_ENOMEM, "out of memory probing");
		for (k = 0; k < fmt->nb_streams; k++)
			fmt->streams[k]->discard = (int)k == st->index ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
		while ((rc = av_read_frame(fmt, pkt)) >= 0) {
			if (pkt->stream_index == st->index) {
				int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;

				if (pkt->duration > 0) {
					if (pkt->duration < dmin)
						dmin = pkt->duration;
					if (pkt->duration > dmax)
						dmax = pkt->duration;
				}
				int64_t ms = av_rescale_q(ts, st->time_base, media_ms_tb) - origin;

				if (ts != AV_NOPTS_VALUE) {
					if (pkt->flags & AV_PKT_FLAG_KEY)
						push_ms(&mi->keyframes_ms, &mi->n_keyframes, &cap, ms);
					push_ms(&mi->frames_ms, &mi->n_frames, &fcap, ms);
				}
			}
			av_packet_unref(pkt);
		}
		av_packet_free(&pkt);
	}
	if (st->codecpar->video_delay > 0)
		probe_copy_ends(mi);
	/* Presentation order (B-frames reorder timestamps). */
	if (mi->n_frames > 1)
		qsort(mi->frames_ms, mi->n_frames, sizeof *mi->frames_ms, cmp_i64);
	if (mi->n_keyframes > 1)
		qsort(mi->keyframes_ms, mi->n_keyframes, sizeof *mi->keyframes_ms, cmp_i64);
	/* Frame durations that differ by more than half are variable. */
	mi->vfr = dmin != INT64_MAX && dmax > dmin + dmin / 2;
	return 0;
}

/* Where the stream's data stops if the file ends before its index does:
 * the first entry lying past the end of the file.  -1 if all is there or
 * there is no index to tell. */
static int64_t
probe_cut_ms(AVFormatContext *fmt, AVStream *st)
{
	int64_t size = fmt->pb ? avio_size(fmt->pb) : -1;
	int i, n = avformat_index_get_entries_count(st);

	if (size <= 0)
		return -1;
	for (i = 0; i < n; i++) {
		const AVIndexEntry *e = avformat_index_get_entry(st, i);

		if (e == NULL)
			break;
		if (e->pos >= 0 && e->pos + e->size > size)
			return av_rescale_q(e->timestamp, st->time_base, media_ms_tb) -
			    media_origin_ms(fmt);
	}
	return -1;
}

int
media_probe(const char *path, struct media_info **out, struct zpub_err *err)
{
	AVFormatContext *fmt = NULL;
	struct media_info *mi;
	int rc, vi, ai;

	*out = NULL;
	mi = xcalloc(1, sizeof *mi);
	if ((rc = media_open_input(path, &fmt, err)) < 0)
		goto fail;
	snprintf(mi->container, sizeof mi->container, "%s", fmt->iformat->name);
	mi->start_ms = media_origin_ms(fmt);
	mi->duration_ms = media_duration_ms(fmt);
	vi = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	ai = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
	mi->video_index = vi >= 0 ? vi : -1;
	mi->audio_index = ai >= 0 ? ai : -1;
	mi->audio_cut_ms = -1;
	if (vi >= 0 && (fmt->streams[vi]->disposition & AV_DISPOSITION_ATTACHED_PIC))
		mi->video_index = vi = -1;   /* cover art is not a video */
	if (vi >= 0) {
		AVStream *st = fmt->streams[vi];
		AVRational fr = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;

		snprintf(mi->video_codec, sizeof mi->video_codec, "%s",
		    avcodec_get_name(st->codecpar->codec_id));
		mi->width = st->codecpar->width;
		mi->height = st->codecpar->height;
		mi->fps = fr.den ? av_q2d(fr) : 0;
		mi->has_bframes = st->codecpar->video_delay > 0;
		mi->video_start_ms = st->start_time == AV_NOPTS_VALUE ? 0 :
		    av_rescale_q(st->start_time, st->time_base, media_ms_tb) - mi->start_ms;
		if ((rc = probe_video_index(fmt, st, mi, err)) < 0)
			goto fail;
	}
	if (ai >= 0) {
		AVStream *st = fmt->streams[ai];

		snprintf(mi->audio_codec, sizeof mi->audio_codec, "%s",
		    avcodec_get_name(st->codecpar->codec_id));
		mi->sample_rate = st->codecpar->sample_rate;
		mi->channels = st->codecpar->ch_layout.nb_channels;
		mi->audio_start_ms = st->start_time == AV_NOPTS_VALUE ? 0 :
		    av_rescale_q(st->start_time, st->time_base, media_ms_tb) - mi->start_ms;
		mi->audio_duration_ms = st->duration == AV_NOPTS_VALUE ? mi->duration_ms :
		    av_rescale_q(st->duration, st->time_base, media_ms_tb);
		mi->audio_cut_ms = probe_cut_ms(fmt, st);
	}
	if (vi < 0 && ai < 0) {
		rc = zpub_err_set(err, ZPUB_EMEDIA,
		    "'%s' has neither audio nor video streams: not a recording", media_base(path));
		goto fail;
	}
	avformat_close_input(&fmt);
	*out = mi;
	return 0;
fail:
	avformat_close_input(&fmt);
	media_info_free(mi);
	return rc;
}

void
media_info_free(struct media_info *mi)
{
	if (mi == NULL)
		return;
	free(mi->keyframes_ms);
	free(mi->frames_ms);
	free(mi->ends_ms);
	free(mi);
}

cJSON *
media_info_to_json(const struct media_info *mi)
{
	cJSON *j = cJSON_CreateObject(), *s;

	cJSON_AddStringToObject(j, "container", mi->container);
	cJSON_AddNumberToObject(j, "duration_ms", (double)mi->duration_ms);
	if (mi->video_index >= 0) {
		s = cJSON_AddObjectToObject(j, "video");
		cJSON_AddStringToObject(s, "codec", mi->video_codec);
		cJSON_AddNumberToObject(s, "width", mi->width);
		cJSON_AddNumberToObject(s, "height", mi->height);
		cJSON_AddNumberToObject(s, "fps", mi->fps);
		cJSON_AddBoolToObject(s, "variable_frame_rate", mi->vfr);
		cJSON_AddBoolToObject(s, "b_frames", mi->has_bframes);
		cJSON_AddNumberToObject(s, "start_ms", (double)mi->video_start_ms);
		cJSON_AddNumberToObject(s, "keyframes", (double)mi->n_keyframes);
	}
	if (mi->audio_index >= 0) {
		s = cJSON_AddObjectToObject(j, "audio");
		cJSON_AddStringToObject(s, "codec", mi->audio_codec);
		cJSON_AddNumberToObject(s, "sample_rate", mi->sample_rate);
		cJSON_AddNumberToObject(s, "channels", mi->channels);
		cJSON_AddNumberToObject(s, "start_ms", (double)mi->audio_start_ms);
	}
	return j;
}
