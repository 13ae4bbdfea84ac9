/*
 * media_priv.h — helpers shared inside src/media only (FFmpeg types show):
 * opening inputs, the audio reader that decodes + resamples one audio
 * stream with its position on the source timeline, the segment feed that
 * walks a time map, a FIFO-fed audio encoder, and the cut in progress that
 * cut.c and cut_smart.c share.
 */
#ifndef ZPUB_MEDIA_PRIV_H
#define ZPUB_MEDIA_PRIV_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>

#include "media.h"
#include "xmalloc.h"

extern const AVRational media_ms_tb;

const char *media_base(const char *path);
int media_averr(struct zpub_err *err, int code, int averr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int64_t media_origin_ms(const AVFormatContext *fmt);     /* start_time in ms */
int64_t media_duration_ms(const AVFormatContext *fmt);

/* Opens path as a single picture the user supplies, through the file
 * protocol alone: a JPEG, PNG, WebP or BMP of at most max_bytes (open.c). */
int media_open_image(const char *path, int64_t max_bytes, AVFormatContext **out,
    struct zpub_err *err);
/* Writes frame f as a JPEG scaled to width (0: its own) at path, atomically
 * (thumb.c). */
int media_jpeg_write(const AVFrame *f, int width, const char *path, struct zpub_err *err);

/* ---- areader.c: decoded, resampled audio with source positions -------- */

struct media_areader;

/* Opens the best audio stream of path; every other stream is discarded at
 * the demuxer (video packets are never decoded, rarely even read).
 * rate 0 keeps the source rate; layout NULL means mono. */
int media_areader_open(const char *path, int rate, const AVChannelLayout *layout,
    enum AVSampleFormat fmt, struct media_areader **out, struct zpub_err *err);
/* Next block of samples: planes, count, and the source-timeline position of
 * its first sample (in samples at the output rate, 0 = container start).
 * Returns 1, 0 at the end, or a negative ZPUB_E*. */
int media_areader_next(struct media_areader *r, uint8_t ***planes, int *n,
    int64_t *pos, struct zpub_err *err);
int media_areader_rate(const struct media_areader *r);
int media_areader_channels(const struct media_areader *r);
int64_t media_areader_duration_ms(const struct media_areader *r);
/* Where the decoded audio ended, and where the container says it ends (-1
 * if it does not say): far apart means a truncated file. */
int64_t media_areader_end_ms(const struct media_areader *r);
int64_t media_areader_expected_end_ms(const struct media_areader *r);
const AVCodecParameters *media_areader_par(const struct media_areader *r);
/* fn sees every decoded frame as the decoder gave it (before resampling). */
void media_areader_tap(struct media_areader *r, void (*fn)(void *ud, const AVFrame *f),
    void *ud);
double media_areader_fraction(const struct media_areader *r);
void media_areader_free(struct media_areader *r);

/* ---- the segment feed: source positions -> output order --------------- */

/* planes NULL means n samples of silence. */
typedef int (*media_emit_fn)(void *ud, const uint8_t *const *planes, int n,
    struct zpub_err *err);

struct media_seg_feed {
	const struct media_timemap *tm;
	int rate, channels;
	enum AVSampleFormat fmt;
	size_t seg;           /* current segment */
	int64_t next;         /* next source sample wanted */
	int64_t out;          /* samples emitted */
	media_emit_fn emit;
	void *ud;
};

void media_seg_feed_init(struct media_seg_feed *f, const struct media_timemap *tm,
    int rate, int channels, enum AVSampleFormat fmt, media_emit_fn emit, void *ud);
/* Emits what of [pos, pos+n) lies in kept segments, zero-filling holes. */
int media_seg_feed_push(struct media_seg_feed *f, uint8_t **planes, int n,
    int64_t pos, struct zpub_err *err);
/* Zero-fills to the end of the last segment. */
int media_seg_feed_finish(struct media_seg_feed *f, struct zpub_err *err);

/* ---- loudness.c: the meter and the normaliser ------------------------ */

struct media_lmeter;

/* A BS.1770 meter of audio at rate: mono, or stereo when channels > 1. */
int media_lmeter_new(int rate, int channels, struct media_lmeter **out,
    struct zpub_err *err);
/* n samples of planar float, one plane a channel of the meter. */
void media_lmeter_push(struct media_lmeter *m, const float *const *planes, int n);
/* A decoded frame of any format (an areader tap; ud = the meter). */
void media_lmeter_frame(void *ud, const AVFrame *f);
void media_lmeter_result(const struct media_lmeter *m, struct media_loudness *out);
void media_lmeter_free(struct media_lmeter *m);

struct media_lnorm;

/* Gain and a true-peak limiter before emit (planar float).  Delays
 * internally; flush gives back as many samples as went in. */
int media_lnorm_new(int rate, int channels, double gain_db, double ceiling_dbtp,
    media_emit_fn emit, void *ud, struct media_lnorm **out, struct zpub_err *err);
/* A media_emit_fn (ud = the normaliser). */
int media_lnorm_write(void *ud, const uint8_t *const *planes, int n, struct zpub_err *err);
int media_lnorm_flush(struct media_lnorm *l, struct zpub_err *err);
/* Samples put out below full gain so far. */
int64_t media_lnorm_limited(const struct media_lnorm *l);
void media_lnorm_free(struct media_lnorm *l);

/* ---- h264.c: bitstream plumbing for smart cut (H.264 and HEVC) ------- */

/* The NALs of a length-prefixed packet (avcC/hvcC style), one at a time:
 *	struct nal_walk w;
 *	nal_walk_init(&w, pkt, nal_len);
 *	while ((rc = nal_next(&w)) > 0) ... w.nal, w.len ...
 * rc < 0: a size runs past the end (or is 0); trailing bytes shorter than a
 * size and one byte are ignored. */
struct nal_walk {
	const uint8_t *p, *end, *nal;
	size_t len;
	int nal_len;
};

static inline void
nal_walk_init(struct nal_walk *w, const AVPacket *pkt, int nal_len)
{
	w->p = pkt->data;
	w->end = pkt->data + pkt->size;
	w->nal = NULL;
	w->len = 0;
	w->nal_len = nal_len;
}

static inline int
nal_next(struct nal_walk *w)
{
	size_t len = 0;
	int k;

	if (w->p == NULL || w->p + w->nal_len >= w->end)
		return 0;
	for (k = 0; k < w->nal_len; k++)
		len = (len << 8) | w->p[k];
	w->p += w->nal_len;
	if (len == 0 || len > (size_t)(w->end - w->p))
		return -1;
	w->nal = w->p;
	w->len = len;
	w->p += len;
	return 1;
}

/* Annex B packet -> NALs prefixed with nal_len-byte sizes (avcC style). */
int media_h264_annexb_to_avcc(const AVPacket *in, AVPacket *out, int nal_len);
/* 1 if the length-prefixed packet holds an IDR slice. */
int media_h264_avcc_is_idr(const AVPacket *pkt, int nal_len);
/* A copy of the avcC x (xs bytes) with the first SPS and PPS found in the
 * Annex B headers appended to its lists (av_malloc'd, with padding).  0 with
 * *out NULL when either looks odd; ZPUB_ENOMEM. */
int media_h264_avcc_append(const uint8_t *x, int xs, const uint8_t *headers, int hs,
    uint8_t **out, int *out_size);
/* Whether a length-prefixed packet starts decoding on its own: 1 closed
 * (H.264 IDR, HEVC IDR/BLA: nothing earlier is referenced), 2 open (H.264
 * recovery point SEI + non-IDR slice, HEVC CRA: leading pictures that follow
 * it in decode order may reference earlier frames), 0 neither. */
int media_nal_start_kind(const AVPacket *pkt, int nal_len, int hevc);
/* 1 if no other picture references this one: H.264 nal_ref_idc 0; HEVC
 * sub-layer non-reference pictures (the caller checks that the stream has
 * one temporal layer).  A decoder may skip it when its frame is not
 * wanted. */
int media_nal_disposable(const AVPacket *pkt, int nal_len, int hevc);
/* The VPS, SPS and PPS of an hvcC as length-prefixed NALs (its size)
 * (av_malloc'd); *out NULL when there are none or x looks odd. */
int media_hevc_param_sets(const uint8_t *x, int xs, uint8_t **out, int *out_size);
/* Turns the CRA slices of a length-prefixed HEVC packet into BLA_N_LP
 * (same slice header): a broken link, the splicing point HEVC defines, for
 * a CRA whose leading pictures were dropped.  ZPUB_ENOMEM. */
int media_hevc_cra_to_bla(AVPacket *pkt, int nal_len);
/* Replaces pkt's data by pre + data + post (props kept).  ZPUB_ENOMEM. */
int media_packet_wrap(AVPacket *pkt, const uint8_t *pre, int npre, const uint8_t *post,
    int npost);

/* ---- h264_open.c: an open-GOP recovery point made an IDR ------------ */

#define H264_MAX_SPS 32
#define H264_MAX_PPS 256

struct h264_sps {
	int ok, chroma_format, sep_colour, log2_mfn, poc_type, log2_mpl, frame_mbs_only;
};

struct h264_pps {
	int ok, sps, cabac, bottom_poc, nref[2], wp, wbi, deblock, redundant;
};

/* The SPS and PPS fields slice headers depend on, by id. */
struct h264_ps {
	struct h264_sps sps[H264_MAX_SPS];
	struct h264_pps pps[H264_MAX_PPS];
};

/* The frame_num shift of the pictures copied after a converted recovery
 * point (on until a real IDR or a reset of frame_num). */
struct h264_shift {
	int on;
	unsigned fn;               /* the recovery point's frame_num */
	unsigned idr_id;           /* idr_pic_id to give it (set by the caller) */
	int64_t last;              /* frame_num since it, not wrapped */
	uint32_t lt;               /* long-term frame indices marked since */
};

/* Reads the avcC's parameter sets; NULL, or why its recovery points cannot
 * be made IDR pictures (a static sentence). */
const char *media_h264_ps_read(struct h264_ps *ps, const uint8_t *x, int xs);
/* 1 if every slice of the packet is a progressive I slice of a reference
 * picture with known parameter sets: a recovery point that can be made an
 * IDR picture. */
int media_h264_can_open(const AVPacket *pkt, int nal_len, const struct h264_ps *ps);
/* Makes the packet's I slices IDR slices (dropping its SEI) and starts *sh.
 * -1 if a slice cannot be read, ZPUB_ENOMEM. */
int media_h264_open_idr(AVPacket *pkt, int nal_len, const struct h264_ps *ps,
    struct h264_shift *sh);
/* Shifts the frame_num of a packet copied after an open_idr one (and sets
 * the gaps flag of an in-band SPS).  -1, ZPUB_ENOMEM. */
int media_h264_shift(AVPacket *pkt, int nal_len, const struct h264_ps *ps,
    struct h264_shift *sh);
/* A copy of the avcC x whose SPS allow gaps in frame_num (av_malloc'd);
 * *out NULL if x cannot be read.  ZPUB_ENOMEM. */
int media_h264_avcc_gaps(const uint8_t *x, int xs, uint8_t **out, int *out_size);

/* ---- aenc: FIFO in, fixed-size frames to an encoder, packets out ------ */

typedef int (*media_packet_fn)(void *ud, AVPacket *pkt, struct zpub_err *err);

struct media_aenc {
	AVCodecContext *enc;
	AVAudioFifo *fifo;
	AVFrame *frame;
	int64_t pts;          /* samples sent */
	media_packet_fn on_packet;
	void *ud;
};

int media_aenc_open(struct media_aenc *a, const AVCodec *codec, int rate,
    const AVChannelLayout *layout, int64_t bit_rate, int global_header,
    media_packet_fn on_packet, void *ud, struct zpub_err *err);
/* An emit function for media_seg_feed (ud = struct media_aenc *). */
int media_aenc_write(void *ud, const uint8_t *const *planes, int n, struct zpub_err *err);
/* Encodes what is left (padding the last frame) and drains the encoder. */
int media_aenc_flush(struct media_aenc *a, struct zpub_err *err);
void media_aenc_close(struct media_aenc *a);

/* ---- cut.c and cut_smart.c: one cut in progress ------------------------ */

struct SwsContext;

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
	int whole;                  /* the plan keeps everything: video copied as it is */
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
	struct media_lnorm *lnorm;  /* the loudness, before aenc (or NULL) */
	int aenc_open, audio_done;
	int arate;

	int64_t encoded_ticks, copied_frames;
	int64_t packets;
};

/* cut.c */
/* Writes the packet held back and holds pkt (NULL: writes the last one). */
int cut_write_video(struct cut *c, AVPacket *pkt, struct zpub_err *err);
/* Counts a packet; every 256th reports how far the video got (ts in tb).
 * ZPUB_ECANCEL when the user cancelled. */
int cut_progress(struct cut *c, int64_t ts, struct zpub_err *err);
/* Streams other than the video are not read from c->in. */
void cut_video_only(struct cut *c);

/* cut_smart.c: the smart cut's packet table, plan and workers. */
struct cut_smart;

int cut_smart_try(struct cut *c, struct cut_smart **out, int *copy, struct zpub_err *err);
int cut_smart_avcc_sets(struct cut *c, const struct cut_smart *sm, uint8_t **out,
    int *out_size, struct zpub_err *err);
int cut_smart_run(struct cut *c, struct cut_smart *sm, struct zpub_err *err);
/* Writes the report's note on kept parts re-encoded to the next IDR frame
 * (H.264 open GOPs that cannot be spliced at), if any. */
void cut_smart_note(const struct cut_smart *sm, char *buf, size_t len);
void cut_smart_free(struct cut_smart *sm);

#endif
