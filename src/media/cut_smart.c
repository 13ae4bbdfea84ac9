/*
 * cut_smart.c — the smart-cut path of media_cut() (cut.c): checks that the
 * input can be spliced, scans its packet table (GOPs), plans the copies and
 * re-encoded pieces, starts the piece workers (cut_piece.c) and writes
 * copies and pieces in order, splicing parameter sets between them.
 */
#include "cut_smart.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Smart cut works on a table of the source's video packets in decode order
 * (one pass over the file reads only timestamps and the NAL types of
 * keyframes).  Each kept segment [s, e) becomes up to three jobs:
 *
 *   head piece   [s, K)   re-encoded, decoded from the last start <= s
 *   copy         packets K .. J in decode order, untouched
 *   tail piece   [X, e)   re-encoded
 *
 * K is the first decoding start (IDR/BLA, or an open-GOP recovery point /
 * CRA) at or after s.  The copy is a prefix of the decode order from K:
 * any such prefix decodes (references only point back), and J is chosen so
 * that the prefix shows exactly the frames [K, X): every frame shown before
 * X is in it, none after.  A B-frame is never copied without the frames it
 * references.  Leading pictures of an open K (decoded after it, shown before
 * it, referencing the GOP before it) are dropped; the head piece shows their
 * times instead.
 *
 * Pieces are independent: a small pool of workers, each with its own
 * demuxer, decodes and encodes them while the main thread copies packets,
 * encodes the audio and writes the file in order.  Workers run at most
 * SMART_AHEAD jobs ahead of the writer, which bounds the memory held.
 *
 * Timestamps: copied packets keep their PTS and DTS shifted by the
 * segment's offset, so the copied GOPs keep their reordering delay D (the
 * first packet's PTS - DTS in the source).  Pieces have no B-frames; their
 * DTS is PTS - D, squeezed where needed so the DTS increase strictly into
 * and out of every copy.  HEVC pieces overwrite the parameter sets with id 0, so the copy
 * after one gets an end-of-sequence NAL before it and the source's
 * VPS/SPS/PPS in-band (the track is tagged hev1).  H.264 pieces use SPS/PPS
 * id 1, listed in the avcC beside the source's.
 */

/* Reads the packet table.  Returns 0, or a reason (static) in *why when
 * the timestamps do not allow smart cut. */
static int
smart_scan(struct cut *c, struct cut_smart *sm, const char **why, struct zpub_err *err)
{
	AVPacket *pkt = av_packet_alloc();
	size_t cap = 0, i;
	int rc;

	if (pkt == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	for (;;) {
		rc = av_read_frame(c->in, pkt);
		if (rc == AVERROR_EOF || rc == AVERROR_INVALIDDATA || rc == AVERROR(EIO))
			break;
		if (rc < 0) {
			av_packet_free(&pkt);
			return media_averr(err, ZPUB_EMEDIA, rc, "reading '%s'", media_base(c->in_path));
		}
		if (pkt->stream_index != c->vi) {
			av_packet_unref(pkt);
			continue;
		}
		if (sm->npk == cap) {
			cap = cap ? cap * 2 : 4096;
			sm->pk = xreallocarray(sm->pk, cap, sizeof *sm->pk);
		}
		sm->pk[sm->npk].pts = pkt_pts_or_dts(pkt);
		sm->pk[sm->npk].dts = pkt->dts != AV_NOPTS_VALUE ? pkt->dts : pkt->pts;
		sm->pk[sm->npk].start = (pkt->flags & AV_PKT_FLAG_KEY) ?
		    media_nal_start_kind(pkt, c->nal_len, c->hevc) : 0;
		if (!c->hevc && sm->pk[sm->npk].start == 2 &&
		    (sm->ps == NULL || !media_h264_can_open(pkt, c->nal_len, sm->ps)))
			sm->pk[sm->npk].start = 3;
		sm->npk++;
		av_packet_unref(pkt);
	}
	av_packet_free(&pkt);
	if (sm->npk == 0) {
		*why = "the video has no packets";
		return 0;
	}
	sm->sufmin = xreallocarray(NULL, sm->npk + 1, sizeof *sm->sufmin);
	sm->starts = xreallocarray(NULL, sm->npk, sizeof *sm->starts);
	sm->sufmin[sm->npk] = INT64_MAX;
	for (i = sm->npk; i-- > 0;) {
		const struct vpkt *p = &sm->pk[i];

		if (p->pts == AV_NOPTS_VALUE || p->dts == AV_NOPTS_VALUE) {
			*why = "video packets without timestamps";
			return 0;
		}
		if (i > 0 && p->dts <= sm->pk[i - 1].dts) {
			*why = "the video's decode timestamps do not increase";
			return 0;
		}
		if (p->pts < p->dts) {
			*why = "the video shows frames before it decodes them";
			return 0;
		}
		sm->sufmin[i] = p->pts < sm->sufmin[i + 1] ? p->pts : sm->sufmin[i + 1];
	}
	/* The decode delay: x264, x265 and FFmpeg give the packet decoded
	 * i-th the DTS of the frame shown i-th less this. */
	sm->delay = sm->pk[0].pts > sm->pk[0].dts ? sm->pk[0].pts - sm->pk[0].dts : 0;
	for (i = 0; i < sm->npk; i++)
		if (sm->pk[i].start && (sm->nstarts == 0 ||
		    sm->pk[i].pts > sm->pk[sm->starts[sm->nstarts - 1]].pts))
			sm->starts[sm->nstarts++] = i;
	if (sm->nstarts == 0 || sm->starts[0] != 0) {
		*why = "the video does not start on a keyframe";
		return 0;
	}
	return 0;
}

/* The last decoding start shown at or before t (the first one if none). */
static size_t
start_before(const struct cut_smart *sm, int64_t t)
{
	size_t lo = 0, hi = sm->nstarts;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (sm->pk[sm->starts[mid]].pts <= t)
			lo = mid;
		else
			hi = mid;
	}
	return sm->starts[lo];
}

/* The first decoding start shown at or after t, or SIZE_MAX. */
static size_t
start_after(const struct cut_smart *sm, int64_t t)
{
	size_t lo = 0, hi = sm->nstarts;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sm->pk[sm->starts[mid]].pts < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sm->nstarts ? sm->starts[lo] : SIZE_MAX;
}

static struct job *
job_add(struct cut_smart *sm, enum job_kind kind, size_t g)
{
	struct job *j;

	if (sm->njobs == sm->capjobs) {
		size_t cap = sm->capjobs ? sm->capjobs * 2 : 64;

		sm->jobs = xreallocarray(sm->jobs, cap, sizeof *sm->jobs);
		sm->capjobs = cap;
	}
	j = &sm->jobs[sm->njobs++];
	memset(j, 0, sizeof *j);
	j->kind = kind;
	j->g = g;
	return j;
}

static void
piece_add(struct cut *c, struct cut_smart *sm, size_t g, int64_t a, int64_t b)
{
	struct job *j;

	if (b - a < c->min_frag)
		return;
	j = job_add(sm, JOB_PIECE, g);
	j->a = a;
	j->b = b;
	j->k0 = start_before(sm, a);
}

/* Head piece, copy, tail piece of each segment (see above). */
static void
smart_plan(struct cut *c, struct cut_smart *sm)
{
	size_t g;

	for (g = 0; g < c->tm->n; g++) {
		int64_t s = c->s[g], e = c->e[g], x = s;
		size_t k = start_after(sm, s - c->min_frag), j, best = SIZE_MAX;
		int64_t maxp;

		/* An H.264 recovery point that cannot be made an IDR picture
		 * (h264_open.c) would decode against the wrong references
		 * after other frames: the piece before runs up to the next
		 * start that can. */
		if (k != SIZE_MAX && sm->pk[k].start == 3 && sm->pk[k].pts < e)
			sm->open_skipped++;
		while (k != SIZE_MAX && sm->pk[k].start == 3 && sm->pk[k].pts < e)
			k = start_after(sm, sm->pk[k].pts + 1);

		if (k != SIZE_MAX && sm->pk[k].pts < e - c->min_frag) {
			maxp = sm->pk[k].pts;
			for (j = k; j < sm->npk && sm->pk[j].pts < e - c->min_frag; j++) {
				if (sm->pk[j].pts > maxp)
					maxp = sm->pk[j].pts;
				if (maxp < sm->sufmin[j + 1])
					best = j;
			}
		}
		if (best == SIZE_MAX) {
			piece_add(c, sm, g, s, e);
			continue;
		}
		if (sm->pk[k].pts - s >= c->min_frag)
			piece_add(c, sm, g, s, sm->pk[k].pts);
		{
			struct job *cj = job_add(sm, JOB_COPY, g);

			cj->from = k;
			cj->to = best;
			sm->gaps |= !c->hevc && sm->pk[k].start == 2;
		}
		x = sm->sufmin[best + 1];
		if (x < e)
			piece_add(c, sm, g, x, e);
	}
}

/* ---- the writer ------------------------------------------------------ */

static const uint8_t hevc_eos[] = { 0, 0, 0, 2, 36 << 1, 1 };

/* The output PTS and DTS of the first packet of copy j. */
static void
copy_first_ts(const struct cut *c, const struct cut_smart *sm, const struct job *j,
    int64_t *pts, int64_t *dts)
{
	const struct vpkt *k = &sm->pk[j->from];
	int64_t off = c->o[j->g] - c->s[j->g];

	*pts = k->pts + off;
	*dts = k->dts + off;
	/* A keyframe shown within a quarter frame of the cut is shown from
	 * the cut. */
	if (*pts != c->o[j->g] && k->pts - c->s[j->g] < c->min_frag)
		*pts = c->o[j->g];
	if (*dts > *pts)
		*dts = *pts;
}

/* Writes the packets of finished piece i.  Their DTS is PTS - delay (the
 * source's own decode delay, so a copy's decode timeline continues), kept
 * strictly between the DTS written before and the next copy's first DTS
 * (an open GOP's keyframe decodes earlier than that, its leading pictures
 * being gone). */
static int
write_piece(struct cut *c, struct cut_smart *sm, size_t i, struct zpub_err *err)
{
	struct job *j = &sm->jobs[i];
	int64_t lo = c->have_last_dts ? c->last_dts : INT64_MIN / 2, hi = INT64_MAX / 2, pts;
	int n, rc = 0;

	if (i + 1 < sm->njobs && sm->jobs[i + 1].kind == JOB_COPY)
		copy_first_ts(c, sm, &sm->jobs[i + 1], &pts, &hi);
	for (n = 0; n < j->n_out; n++) {
		AVPacket *p = j->out[n];

		p->dts = p->pts - sm->delay;
		if (p->dts <= lo)
			p->dts = lo + 1;
		lo = p->dts;
	}
	for (n = j->n_out - 1; n >= 0; n--) {
		AVPacket *p = j->out[n];

		if (p->dts >= hi)
			p->dts = hi - 1;
		hi = p->dts;
	}
	for (n = 0; n < j->n_out && rc == 0; n++)
		rc = cut_write_video(c, j->out[n], err);
	c->encoded_ticks += j->ticks;
	return rc;
}

/* Copies decode-order packets from .. to of the source, read in order from
 * c->in (whose video packet *idx is next). */
static int
write_copy(struct cut *c, struct cut_smart *sm, struct job *j, AVPacket *pkt, size_t *idx,
    struct zpub_err *err)
{
	const struct vpkt *k = &sm->pk[j->from];
	int64_t off = c->o[j->g] - c->s[j->g];
	/* x264 gives its IDR pictures idr_pic_id 0 and 1; two IDR pictures in
	 * a row need different ones. */
	struct h264_shift sh = { 0, 0, 2 + (unsigned)(j - sm->jobs) % 2, 0, 0 };
	int first = 1, rc;

	while (*idx <= j->to) {
		size_t i;

		rc = av_read_frame(c->in, pkt);
		if (rc < 0)
			return media_averr(err, ZPUB_EMEDIA, rc == AVERROR_EOF ? AVERROR_INVALIDDATA : rc,
			    "reading '%s' a second time", media_base(c->in_path));
		if (pkt->stream_index != c->vi) {
			av_packet_unref(pkt);
			continue;
		}
		i = (*idx)++;
		if (i < j->from || (i > j->from && sm->pk[i].pts < k->pts)) {
			/* Before the copy, or a leading picture of its start. */
			av_packet_unref(pkt);
			continue;
		}
		if ((rc = cut_progress(c, sm->pk[i].pts, err)) < 0)
			return rc;
		pkt->pts = sm->pk[i].pts + off;
		pkt->dts = sm->pk[i].dts + off;
		if (first) {
			copy_first_ts(c, sm, j, &pkt->pts, &pkt->dts);
			if (c->hevc && c->pending->size > 0) {
				/* After other frames: end their sequence, restate
				 * the source's parameter sets (a piece may have
				 * replaced them), and make a CRA a broken link
				 * (BLA): its leading pictures are gone, and unlike
				 * a CRA after an end of sequence a BLA lets the
				 * decoder output the frames before it. */
				if (media_packet_wrap(c->pending, NULL, 0, hevc_eos, sizeof hevc_eos) < 0 ||
				    media_packet_wrap(pkt, sm->psets, sm->psets_size, NULL, 0) < 0 ||
				    media_hevc_cra_to_bla(pkt, c->nal_len) < 0) {
					av_packet_unref(pkt);
					return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
				}
			} else if (!c->hevc && k->start == 2)
				rc = media_h264_open_idr(pkt, c->nal_len, sm->ps, &sh);
			first = 0;
		} else if (sm->gaps)
			rc = media_h264_shift(pkt, c->nal_len, sm->ps, &sh);
		if (rc < 0) {
			av_packet_unref(pkt);
			if (rc == ZPUB_ENOMEM)
				return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
			return zpub_err_set(err, ZPUB_EMEDIA, "cannot read a slice header of '%s' at "
			    "%.3f s to splice there", media_base(c->in_path),
			    av_q2d(c->tb) * (double)sm->pk[i].pts);
		}
		pkt->flags &= ~AV_PKT_FLAG_DISCARD;
		c->copied_frames++;
		if ((rc = cut_write_video(c, pkt, err)) < 0)
			return rc;
	}
	return 0;
}

int
cut_smart_run(struct cut *c, struct cut_smart *sm, struct zpub_err *err)
{
	struct worker w[SMART_MAX_WORKERS];
	AVPacket *pkt = av_packet_alloc();
	size_t idx = 0, i;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int nw = ncpu < 1 ? 1 : ncpu > SMART_MAX_WORKERS ? SMART_MAX_WORKERS : (int)ncpu;
	int k, started = 0, rc = 0, npieces = 0;

	if (pkt == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	for (i = 0; i < sm->njobs; i++)
		npieces += sm->jobs[i].kind == JOB_PIECE;
	if (nw > npieces)
		nw = npieces;
	memset(w, 0, sizeof w);
	pthread_mutex_init(&sm->mu, NULL);
	pthread_cond_init(&sm->cv, NULL);
	for (k = 0; k < nw; k++) {
		w[k].c = c;
		w[k].sm = sm;
		if (pthread_create(&w[k].th, NULL, cut_piece_worker, &w[k]) != 0)
			break;
		w[k].running = 1;
		started++;
	}
	if (npieces > 0 && started == 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot start a thread to encode video");
		goto out;
	}
	for (i = 0; i < sm->njobs; i++) {
		struct job *j = &sm->jobs[i];

		pthread_mutex_lock(&sm->mu);
		sm->writing = i;
		pthread_cond_broadcast(&sm->cv);
		if (j->kind == JOB_PIECE) {
			while (!j->done)
				pthread_cond_wait(&sm->cv, &sm->mu);
		}
		pthread_mutex_unlock(&sm->mu);
		if (j->kind == JOB_PIECE) {
			if (j->rc < 0) {
				*err = j->err;
				rc = j->rc;
				goto out;
			}
			rc = write_piece(c, sm, i, err);
		} else
			rc = write_copy(c, sm, j, pkt, &idx, err);
		if (rc < 0)
			goto out;
		if (j->kind == JOB_PIECE) {
			int n;

			for (n = 0; n < j->n_out; n++)
				av_packet_free(&j->out[n]);
			free(j->out);
			j->out = NULL;
			j->n_out = 0;
		}
	}
out:
	pthread_mutex_lock(&sm->mu);
	sm->stop = 1;
	pthread_cond_broadcast(&sm->cv);
	pthread_mutex_unlock(&sm->mu);
	for (k = 0; k < SMART_MAX_WORKERS; k++)
		if (w[k].running)
			pthread_join(w[k].th, NULL);
	pthread_cond_destroy(&sm->cv);
	pthread_mutex_destroy(&sm->mu);
	av_packet_free(&pkt);
	return rc;
}

void
cut_smart_free(struct cut_smart *sm)
{
	size_t i;

	if (sm == NULL)
		return;
	for (i = 0; i < sm->njobs; i++) {
		int n;

		for (n = 0; n < sm->jobs[i].n_out; n++)
			av_packet_free(&sm->jobs[i].out[n]);
		free(sm->jobs[i].out);
	}
	free(sm->jobs);
	free(sm->starts);
	free(sm->sufmin);
	free(sm->pk);
	av_free(sm->psets);
	free(sm->ps);
	free(sm);
}

/* Lists the SPS and PPS (id 1) that the piece encoder will use in the
 * output's avcC next to the source's, the tidy way for strict players (the
 * pieces also carry them in-band).  *out stays NULL if that cannot be done. */
int
cut_smart_avcc_sets(struct cut *c, const struct cut_smart *sm, uint8_t **out, int *out_size,
    struct zpub_err *err)
{
	AVCodecContext *e;
	uint8_t *x = c->vst->codecpar->extradata, *gx = NULL;
	int xs = c->vst->codecpar->extradata_size, rc;

	*out = NULL;
	/* Copies start at recovery points made IDRs: frame_num gaps where
	 * their leading pictures were (h264_open.c). */
	if (sm->gaps) {
		if (media_h264_avcc_gaps(x, xs, &gx, &xs) < 0)
			return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
		if (gx == NULL)
			return zpub_err_set(err, ZPUB_EMEDIA, "cannot read the avcC header of '%s'",
			    media_base(c->in_path));
		x = gx;
	}
	if ((rc = cut_piece_enc_open(c, c->vst, 1, &e, err)) < 0) {
		av_free(gx);
		return rc;
	}
	rc = media_h264_avcc_append(x, xs, e->extradata, e->extradata_size, out, out_size);
	avcodec_free_context(&e);
	av_free(gx);
	if (rc < 0)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory");
	return 0;
}

/* Keyframes further apart than this make smart cut pointless (the pieces
 * would be most of the video) and costly (each piece decodes its GOP from
 * the start, and the GOP is held in memory). */
#define SMART_MAX_GOP_S 30

/* Why smart cut cannot be sound for this input, or NULL. */
static const char *
smart_refusal(struct cut *c, char *buf, size_t len)
{
	const AVCodecParameters *par = c->vst->codecpar;
	int64_t prev = AV_NOPTS_VALUE, gap = 0, last = 0;
	int i, n = avformat_index_get_entries_count(c->vst);

	if (par->codec_id != AV_CODEC_ID_H264 && par->codec_id != AV_CODEC_ID_HEVC) {
		snprintf(buf, len, "the video is %s (smart cut splices H.264 and HEVC)",
		    avcodec_get_name(par->codec_id));
		return buf;
	}
	if (par->codec_id == AV_CODEC_ID_H264 && (par->extradata_size < 7 || par->extradata[0] != 1))
		return "the H.264 stream has no avcC header";
	if (par->codec_id == AV_CODEC_ID_HEVC && (par->extradata_size < 23 || par->extradata[0] != 1))
		return "the HEVC stream has no hvcC header";
	if (par->codec_id == AV_CODEC_ID_HEVC && avcodec_find_encoder_by_name("libx265") == NULL)
		return "this FFmpeg has no libx265 encoder for the HEVC pieces";
	if (par->format != AV_PIX_FMT_YUV420P)
		return "the video is not 8-bit 4:2:0";
	if (par->field_order != AV_FIELD_UNKNOWN && par->field_order != AV_FIELD_PROGRESSIVE)
		return "the video is interlaced";
	if (n == 0)
		return "the file has no index of its keyframes";
	for (i = 0; i < n; i++) {
		const AVIndexEntry *e = avformat_index_get_entry(c->vst, i);

		if (e == NULL)
			break;
		last = e->timestamp;
		if (!(e->flags & AVINDEX_KEYFRAME))
			continue;
		if (prev != AV_NOPTS_VALUE && e->timestamp - prev > gap)
			gap = e->timestamp - prev;
		prev = e->timestamp;
	}
	if (prev != AV_NOPTS_VALUE && last - prev > gap)
		gap = last - prev;
	if (av_q2d(c->tb) * (double)gap > SMART_MAX_GOP_S) {
		snprintf(buf, len, "keyframes are up to %.0f s apart (more than %d s)",
		    av_q2d(c->tb) * (double)gap, SMART_MAX_GOP_S);
		return buf;
	}
	return NULL;
}

/* Can the kept parts be copied?  Scans and plans the smart cut (*out, for
 * cut_smart_run and cut_smart_free); *copy is 1 when it can, else the
 * report's note says why not. */
int
cut_smart_try(struct cut *c, struct cut_smart **out, int *copy, struct zpub_err *err)
{
	const AVCodecParameters *par = c->vst->codecpar;
	struct cut_smart *sm;
	const char *why;
	char whybuf[128];
	int rc;

	*copy = 0;
	*out = sm = xcalloc(1, sizeof *sm);
	why = smart_refusal(c, whybuf, sizeof whybuf);
	if (why == NULL) {
		c->hevc = par->codec_id == AV_CODEC_ID_HEVC;
		c->nal_len = (par->extradata[c->hevc ? 21 : 4] & 3) + 1;
		/* HEVC: only with one temporal layer (hvcC). */
		c->skip_disposable = !c->hevc || ((par->extradata[21] >> 3) & 7) == 1;
		if (!c->hevc) {
			sm->ps = xmalloc(sizeof *sm->ps);
			sm->open_why = media_h264_ps_read(sm->ps, par->extradata, par->extradata_size);
			if (sm->open_why != NULL) {
				free(sm->ps);
				sm->ps = NULL;
			}
		}
		if ((rc = smart_scan(c, sm, &why, err)) < 0)
			return rc;
		if (why == NULL && c->hevc) {
			if (media_hevc_param_sets(par->extradata, par->extradata_size, &sm->psets,
			    &sm->psets_size) < 0)
				goto nomem;
			if (sm->psets == NULL)
				why = "its hvcC header lists no parameter sets";
		}
		if (why == NULL)
			smart_plan(c, sm);
		/* The copies (or the re-encode) read from the start again. */
		avformat_close_input(&c->in);
		if ((rc = media_open_input(c->in_path, &c->in, err)) < 0)
			return rc;
		c->vst = c->in->streams[c->vi];
		cut_video_only(c);
	}
	*copy = why == NULL;
	if (why != NULL)
		snprintf(c->rep->note, sizeof c->rep->note, "smart cut not possible: %s; re-encoded"
		    " instead", why);
	return 0;
nomem:
	return zpub_err_set(err, ZPUB_ENOMEM, "out of memory cutting '%s'",
	    media_base(c->in_path));
}

void
cut_smart_note(const struct cut_smart *sm, char *buf, size_t len)
{
	if (sm->open_skipped > 0)
		snprintf(buf, len, "open GOPs: %d kept part%s re-encoded up to the next IDR frame "
		    "(its recovery points cannot be made IDR frames: %s)", sm->open_skipped,
		    sm->open_skipped == 1 ? "" : "s", sm->open_why ? sm->open_why :
		    "they are not all progressive I pictures");
}
