/*
 * cut_smart.h — what the smart cut's two files share: the packet table,
 * the jobs (copies and re-encoded pieces) and their queue (cut_smart.c
 * plans and writes them), and the workers that encode the pieces
 * (cut_piece.c).  Inside src/media only.
 */
#ifndef ZPUB_CUT_SMART_H
#define ZPUB_CUT_SMART_H

#include <pthread.h>

#include "media_priv.h"

#define SMART_AHEAD 8         /* jobs the workers may run ahead of the writer */
#define SMART_MAX_WORKERS 4

struct vpkt {
	int64_t pts, dts;
	int start;                 /* media_nal_start_kind of a keyframe; H.264:
	                              3 for a recovery point that cannot be
	                              made an IDR */
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

struct cut_smart {
	struct vpkt *pk;
	size_t npk;
	int64_t *sufmin;           /* smallest PTS from each packet on */
	size_t *starts;            /* indices of decoding starts */
	size_t nstarts;
	int64_t delay;
	int open_skipped;          /* H.264 recovery points not spliced at */
	struct h264_ps *ps;        /* H.264: to make recovery points IDRs, or NULL */
	const char *open_why;      /* why not (when ps is NULL) */
	int gaps;                  /* H.264: a copy starts at a recovery point */
	struct job *jobs;
	size_t njobs, capjobs;
	uint8_t *psets;            /* HEVC: the source's VPS/SPS/PPS */
	int psets_size;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next_take, writing;
	int stop;
};

static inline int64_t
pkt_pts_or_dts(const AVPacket *p)
{
	return p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
}

/* One piece worker: its own demuxer, decoder and encoder. */
struct worker {
	struct cut *c;
	struct cut_smart *sm;
	AVFormatContext *in;
	AVCodecContext *dec, *enc;
	AVFrame *held;
	int64_t held_ts;
	int started;
	pthread_t th;
	int running;
};

/* The encoder of a piece (cut_piece.c).  global: parameter sets in
 * extradata (only to learn them); else in-band. */
int cut_piece_enc_open(const struct cut *c, const AVStream *st, int global,
    AVCodecContext **out, struct zpub_err *err);
/* A worker thread (ud: struct worker *): takes pieces in order until the
 * writer stops it. */
void *cut_piece_worker(void *ud);

#endif
