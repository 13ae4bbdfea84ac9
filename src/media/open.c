/*
 * open.c — the one door through which zpub opens a file with FFmpeg.
 *
 * A file is opened as media only: the `file` protocol alone (no network,
 * no pipes, no nested "concat:"/"subfile:" addresses), and the container
 * FFmpeg detects must be on the allow-list below.  Playlists and scripts
 * (HLS, concat, DASH, image sequences, ...) are refused before they are
 * opened, with a sentence naming the detected format: one of them could
 * otherwise pull in any file on the disk — another tenant's recording —
 * under the name of this one.  Every avformat_open_input goes through here,
 * and so does a picture a user supplies as a thumbnail, which must be one
 * still image of a format on a second, separate list.
 */
#include "media.h"
#include "media_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/dict.h>

#include "util.h"

/* Plain media containers: they hold their streams and refer to no other
 * file (mov's external data references stay off, its default).  FFmpeg
 * names a demuxer by a comma list ("mov,mp4,m4a,3gp,3g2,mj2"); one match
 * of a name here admits it.  The same list is the format_whitelist. */
static const char media_formats[] =
    "mov,mp4,matroska,webm,avi,mpegts,flv,asf,wav,w64,aiff,caf,mp3,aac,flac,ogg";

/* What a refused format is, in words, for the sentence. */
static const struct {
	const char *name, *what;
} refused_kinds[] = {
	{ "hls",                "an HLS playlist" },
	{ "applehttp",          "an HLS playlist" },
	{ "concat",             "an FFmpeg concat script" },
	{ "ffconcat",           "an FFmpeg concat script" },
	{ "dash",               "a DASH manifest" },
	{ "webm_dash_manifest", "a DASH manifest" },
	{ "image2",             "an image or image sequence" },
	{ "tty",                "a text file" },
	{ "lavfi",              "an FFmpeg filter graph" },
	{ "data",               "a raw data file" },
	{ NULL, NULL }
};

static int
format_allowed(const char *names)
{
	return names && av_match_list(names, media_formats, ',') > 0;
}

static const char *
format_kind(const char *names)
{
	for (int i = 0; refused_kinds[i].name; i++)
		if (av_match_list(names, refused_kinds[i].name, ',') > 0)
			return refused_kinds[i].what;
	if (strstr(names, "_pipe") != NULL || strncmp(names, "image", 5) == 0)
		return "an image";
	return "not a media container zpub reads";
}

static int
refuse(struct zpub_err *err, const char *path, const char *names)
{
	return zpub_err_set(err, ZPUB_EMEDIA, "'%s' is %s (format '%s'), not a media file; zpub "
	    "opens only media files (MP4, MOV, MKV, WebM, AVI, MPEG-TS, WAV, MP3, AAC, FLAC, "
	    "Ogg)", media_base(path), format_kind(names), names);
}

/* The format FFmpeg would pick for url, found by reading its first bytes
 * through the file protocol only; nothing the file names is opened.  With
 * by_content the file's name (its extension) plays no part. */
static int
detect(const char *url, const char *path, int by_content, const AVInputFormat **out,
    struct zpub_err *err)
{
	AVDictionary *opts = NULL;
	AVIOContext *pb = NULL;
	int rc;

	*out = NULL;
	av_dict_set(&opts, "protocol_whitelist", "file", 0);
	rc = avio_open2(&pb, url, AVIO_FLAG_READ, NULL, &opts);
	av_dict_free(&opts);
	if (rc < 0)
		return media_averr(err, ZPUB_EIO, rc, "cannot open '%s'", media_base(path));
	rc = av_probe_input_buffer2(pb, out, by_content ? "" : url, NULL, 0, 0);
	avio_closep(&pb);
	if (rc < 0 || *out == NULL)
		return media_averr(err, ZPUB_EMEDIA, rc < 0 ? rc : AVERROR_INVALIDDATA,
		    "'%s' is not a media file zpub can read (truncated or corrupt?); fetch it again",
		    media_base(path));
	return 0;
}

int
media_open_input(const char *path, AVFormatContext **out, struct zpub_err *err)
{
	AVFormatContext *fmt = NULL;
	AVDictionary *opts = NULL;
	const AVInputFormat *ifmt = NULL;
	struct stat stt;
	char *url = NULL;
	int rc;

	*out = NULL;
	if (stat(path, &stt) < 0)
		return zpub_err_set(err, errno == ENOENT ? ZPUB_ENOTFOUND : ZPUB_EIO,
		    "cannot open '%s': %s", path, strerror(errno));
	if (stt.st_size == 0)
		return zpub_err_set(err, ZPUB_EMEDIA,
		    "'%s' is empty (0 bytes): the download or copy failed; fetch the recording again",
		    media_base(path));
	/* "file:" makes the whole path a file name, whatever it holds. */
	url = xasprintf("file:%s", path);
	if ((rc = detect(url, path, 0, &ifmt, err)) != 0)
		goto out;
	if (!format_allowed(ifmt->name)) {
		rc = refuse(err, path, ifmt->name);
		goto out;
	}
	av_dict_set(&opts, "protocol_whitelist", "file", 0);
	av_dict_set(&opts, "format_whitelist", media_formats, 0);
	if ((rc = avformat_open_input(&fmt, url, ifmt, &opts)) < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc,
		    "'%s' is not a media file zpub can read (truncated or corrupt?); fetch it again",
		    media_base(path));
		goto out;
	}
	if (!format_allowed(fmt->iformat->name)) {
		rc = refuse(err, path, fmt->iformat->name);
		goto out;
	}
	if ((rc = avformat_find_stream_info(fmt, NULL)) < 0) {
		rc = media_averr(err, ZPUB_EMEDIA, rc,
		    "cannot read the streams of '%s' (truncated or corrupt?)", media_base(path));
		goto out;
	}
	*out = fmt;
	fmt = NULL;
	rc = 0;
out:
	avformat_close_input(&fmt);
	av_dict_free(&opts);
	free(url);
	return rc;
}

/* Single still pictures (FFmpeg's image pipe demuxers): never a sequence. */
static const char image_formats[] = "jpeg_pipe,png_pipe,webp_pipe,bmp_pipe";

int
media_open_image(const char *path, int64_t max_bytes, AVFormatContext **out,
    struct zpub_err *err)
{
	AVFormatContext *fmt = NULL;
	AVDictionary *opts = NULL;
	const AVInputFormat *ifmt = NULL;
	struct stat stt;
	char *url = NULL;
	int rc;

	*out = NULL;
	if (stat(path, &stt) < 0)
		return zpub_err_set(err, errno == ENOENT ? ZPUB_ENOTFOUND : ZPUB_EIO,
		    "cannot open '%s': %s", path, strerror(errno));
	if (!S_ISREG(stt.st_mode))
		return zpub_err_set(err, ZPUB_EINVAL, "'%s' is not a file; give a JPEG, PNG, "
		    "WebP or BMP picture", path);
	if (stt.st_size == 0 || stt.st_size > max_bytes)
		return zpub_err_set(err, ZPUB_EINVAL, "'%s' is %lld bytes; a thumbnail picture "
		    "must be between 1 byte and %lld bytes", media_base(path),
		    (long long)stt.st_size, (long long)max_bytes);
	url = xasprintf("file:%s", path);
	if ((rc = detect(url, path, 1, &ifmt, err)) != 0) {
		if (rc == ZPUB_EMEDIA)
			rc = zpub_err_set(err, ZPUB_EINVAL, "'%s' is not a picture zpub can read; "
			    "give a JPEG, PNG, WebP or BMP file", media_base(path));
		goto out;
	}
	if (av_match_list(ifmt->name, image_formats, ',') <= 0) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "'%s' is not a picture zpub takes as a "
		    "thumbnail (format '%s'); give a JPEG, PNG, WebP or BMP file",
		    media_base(path), ifmt->name);
		goto out;
	}
	av_dict_set(&opts, "protocol_whitelist", "file", 0);
	av_dict_set(&opts, "format_whitelist", image_formats, 0);
	if ((rc = avformat_open_input(&fmt, url, ifmt, &opts)) < 0 ||
	    (rc = avformat_find_stream_info(fmt, NULL)) < 0) {
		rc = media_averr(err, ZPUB_EINVAL, rc, "'%s' is not a picture zpub can read "
		    "(truncated or corrupt?)", media_base(path));
		goto out;
	}
	*out = fmt;
	fmt = NULL;
	rc = 0;
out:
	avformat_close_input(&fmt);
	av_dict_free(&opts);
	free(url);
	return rc;
}
