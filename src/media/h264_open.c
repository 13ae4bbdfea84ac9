/*
 * h264_open.c — lets smart cut start a copy at an H.264 open-GOP recovery
 * point.  H.264 has no broken-link picture, so the recovery point's I
 * picture becomes an IDR picture (frame_num 0, an idr_pic_id, IDR reference
 * marking), the pictures copied after it get their frame_num shifted to
 * match (picture numbers in reference list commands are differences, so
 * they still point at the same pictures), and the source's SPS allows gaps
 * in frame_num: the dropped leading pictures leave one, which the decoder
 * fills with "non-existing" frames that take the dropped reference
 * pictures' places in the sliding window.  Picture order counts need no
 * change: an IDR's count is its own pic_order_cnt_lsb, and the ones after
 * are derived from differences.
 *
 * Reads the few SPS and PPS fields slice headers depend on; pure bit work
 * on RBSP (emulation prevention bytes removed and put back).
 */
#include "media_priv.h"

#include <stdlib.h>
#include <string.h>

/* ---- bits ------------------------------------------------------------ */

struct br {
	const uint8_t *p;
	size_t n, pos;             /* bytes; bit position */
	int bad;
};

static unsigned
br_u(struct br *b, int n)
{
	unsigned v = 0;

	while (n-- > 0) {
		if (b->pos >= b->n * 8) {
			b->bad = 1;
			return 0;
		}
		v = (v << 1) | ((b->p[b->pos / 8] >> (7 - b->pos % 8)) & 1);
		b->pos++;
	}
	return v;
}

static unsigned
br_ue(struct br *b)
{
	int zeros = 0;

	while (br_u(b, 1) == 0 && !b->bad)
		if (++zeros > 31) {
			b->bad = 1;
			return 0;
		}
	if (b->bad)
		return 0;
	return (unsigned)((1ull << zeros) - 1 + br_u(b, zeros));
}

static int
br_se(struct br *b)
{
	unsigned v = br_ue(b);

	return (v & 1) ? (int)((v + 1) / 2) : -(int)(v / 2);
}

struct bw {
	uint8_t *p;
	size_t cap, pos;           /* bytes; bit position */
};

static void
bw_u(struct bw *w, unsigned v, int n)
{
	while (n-- > 0) {
		if (w->pos / 8 >= w->cap) {
			w->cap = w->cap ? w->cap * 2 : 256;
			w->p = xrealloc(w->p, w->cap);
		}
		if (w->pos % 8 == 0)
			w->p[w->pos / 8] = 0;
		if ((v >> n) & 1)
			w->p[w->pos / 8] |= (uint8_t)(0x80 >> (w->pos % 8));
		w->pos++;
	}
}

static void
bw_ue(struct bw *w, unsigned v)
{
	int len = 0;
	uint64_t x = (uint64_t)v + 1;

	while ((x >> len) > 1)
		len++;
	bw_u(w, 0, len);
	bw_u(w, (unsigned)x, len + 1);
}

/* Overwrites n bits of r at bit pos with v. */
static void
bits_set(uint8_t *r, size_t pos, unsigned v, int n)
{
	while (n-- > 0) {
		uint8_t m = (uint8_t)(0x80 >> (pos % 8));

		if ((v >> n) & 1)
			r[pos / 8] |= m;
		else
			r[pos / 8] &= (uint8_t)~m;
		pos++;
	}
}

/* Appends len raw bytes to the growing buffer *o (*on bytes, *ocap). */
static void
buf_put(uint8_t **o, size_t *on, size_t *ocap, const uint8_t *p, size_t len)
{
	if (*on + len > *ocap) {
		*ocap = (*on + len) * 2;
		*o = xrealloc(*o, *ocap);
	}
	memcpy(*o + *on, p, len);
	*on += len;
}

/* Copies bits [from, to) of b to w. */
static void
bw_copy(struct bw *w, const struct br *b, size_t from, size_t to)
{
	struct br r = *b;

	r.pos = from;
	while (r.pos < to) {
		int n = to - r.pos > 24 ? 24 : (int)(to - r.pos);

		bw_u(w, br_u(&r, n), n);
	}
}

/* The NAL payload (after its header byte) without emulation prevention
 * bytes; xmalloc'd, *n its size. */
static uint8_t *
rbsp_of(const uint8_t *nal, size_t len, size_t *n)
{
	uint8_t *o = xmalloc(len + 1);
	size_t i, k = 0, zeros = 0;

	for (i = 1; i < len; i++) {
		if (zeros >= 2 && nal[i] == 3) {
			zeros = 0;
			continue;
		}
		zeros = nal[i] == 0 ? zeros + 1 : 0;
		o[k++] = nal[i];
	}
	*n = k;
	return o;
}

/* Appends a NAL (header byte + escaped rbsp) with an nal_len-byte size to
 * the growing buffer *o (*on bytes, *ocap). */
static void
nal_put(uint8_t **o, size_t *on, size_t *ocap, int nal_len, uint8_t hdr, const uint8_t *rbsp,
    size_t n)
{
	size_t i, start, len, zeros = 0;
	int k;

	if (*on + (size_t)nal_len + 1 + n + n / 2 + 4 > *ocap) {
		*ocap = (*on + (size_t)nal_len + 1 + n + n / 2 + 4) * 2;
		*o = xrealloc(*o, *ocap);
	}
	start = *on;
	*on += (size_t)nal_len;
	(*o)[(*on)++] = hdr;
	for (i = 0; i < n; i++) {
		if (zeros >= 2 && rbsp[i] <= 3) {
			(*o)[(*on)++] = 3;
			zeros = 0;
		}
		zeros = rbsp[i] == 0 ? zeros + 1 : 0;
		(*o)[(*on)++] = rbsp[i];
	}
	if (n > 0 && rbsp[n - 1] == 0)
		(*o)[(*on)++] = 3;      /* ends in a cabac_zero_word */
	len = *on - start - (size_t)nal_len;
	for (k = 0; k < nal_len; k++)
		(*o)[start + (size_t)k] = (uint8_t)(len >> (8 * (nal_len - 1 - k)));
}

/* ---- parameter sets -------------------------------------------------- */

static void
skip_scaling_list(struct br *b, int size)
{
	int last = 8, next = 8, j;

	for (j = 0; j < size && !b->bad; j++) {
		if (next != 0)
			next = (last + br_se(b) + 256) % 256;
		last = next == 0 ? last : next;
	}
}

/* Parses an SPS rbsp; *gaps_pos is the bit of its gaps flag. */
static const char *
sps_read(struct h264_ps *ps, const uint8_t *r, size_t n, size_t *gaps_pos)
{
	struct br b = { r, n, 0, 0 };
	struct h264_sps s = {0};
	unsigned profile, id, i;

	profile = br_u(&b, 8);
	br_u(&b, 16);
	id = br_ue(&b);
	if (id >= H264_MAX_SPS)
		return "an SPS id is out of range";
	s.chroma_format = 1;
	if (profile == 100 || profile == 110 || profile == 122 || profile == 244 ||
	    profile == 44 || profile == 83 || profile == 86 || profile == 118 ||
	    profile == 128 || profile == 138 || profile == 139 || profile == 134 ||
	    profile == 135) {
		s.chroma_format = (int)br_ue(&b);
		if (s.chroma_format == 3)
			s.sep_colour = (int)br_u(&b, 1);
		br_ue(&b);
		br_ue(&b);
		br_u(&b, 1);
		if (br_u(&b, 1))
			for (i = 0; i < (s.chroma_format != 3 ? 8u : 12u); i++)
				if (br_u(&b, 1))
					skip_scaling_list(&b, i < 6 ? 16 : 64);
	}
	s.log2_mfn = (int)br_ue(&b) + 4;
	s.poc_type = (int)br_ue(&b);
	if (s.poc_type == 0)
		s.log2_mpl = (int)br_ue(&b) + 4;
	else if (s.poc_type == 1)
		return "its picture order counts are of type 1";
	br_ue(&b);                                  /* max_num_ref_frames */
	*gaps_pos = b.pos;
	br_u(&b, 1);
	br_ue(&b);
	br_ue(&b);
	s.frame_mbs_only = (int)br_u(&b, 1);
	if (b.bad || s.log2_mfn > 16 || s.log2_mpl > 16)
		return "its SPS cannot be read";
	s.ok = 1;
	ps->sps[id] = s;
	return NULL;
}

static const char *
pps_read(struct h264_ps *ps, const uint8_t *r, size_t n)
{
	struct br b = { r, n, 0, 0 };
	struct h264_pps p = {0};
	unsigned id = br_ue(&b);

	p.sps = (int)br_ue(&b);
	if (id >= H264_MAX_PPS || p.sps >= H264_MAX_SPS)
		return "a PPS id is out of range";
	p.cabac = (int)br_u(&b, 1);
	p.bottom_poc = (int)br_u(&b, 1);
	if (br_ue(&b) != 0)
		return "it uses slice groups";
	p.nref[0] = (int)br_ue(&b) + 1;
	p.nref[1] = (int)br_ue(&b) + 1;
	p.wp = (int)br_u(&b, 1);
	p.wbi = (int)br_u(&b, 2);
	br_se(&b);
	br_se(&b);
	br_se(&b);
	p.deblock = (int)br_u(&b, 1);
	br_u(&b, 1);
	p.redundant = (int)br_u(&b, 1);
	if (b.bad)
		return "its PPS cannot be read";
	p.ok = 1;
	ps->pps[id] = p;
	return NULL;
}

/* Calls fn on each SPS (type 7) and PPS (8) NAL of an avcC. */
static const char *
avcc_walk(const uint8_t *x, int xs, const char *(*fn)(void *, const uint8_t *, size_t),
    void *ud)
{
	int pos = 5, list, i, cnt;
	const char *why;

	if (x == NULL || xs < 7 || x[0] != 1)
		return "it has no avcC header";
	for (list = 0; list < 2; list++) {
		if (pos >= xs)
			return "its avcC header is cut short";
		cnt = list == 0 ? x[pos] & 0x1f : x[pos];
		pos++;
		for (i = 0; i < cnt; i++) {
			int len;

			if (pos + 2 > xs)
				return "its avcC header is cut short";
			len = x[pos] << 8 | x[pos + 1];
			pos += 2;
			if (len < 1 || pos + len > xs)
				return "its avcC header is cut short";
			if (fn != NULL && (why = fn(ud, x + pos, (size_t)len)) != NULL)
				return why;
			pos += len;
		}
	}
	return NULL;
}

static const char *
ps_one(void *ud, const uint8_t *nal, size_t len)
{
	struct h264_ps *ps = ud;
	size_t n, gaps;
	uint8_t *r = rbsp_of(nal, len, &n);
	const char *why = NULL;

	if ((nal[0] & 0x1f) == 7)
		why = sps_read(ps, r, n, &gaps);
	else if ((nal[0] & 0x1f) == 8)
		why = pps_read(ps, r, n);
	free(r);
	return why;
}

const char *
media_h264_ps_read(struct h264_ps *ps, const uint8_t *x, int xs)
{
	const char *why;
	int i;

	memset(ps, 0, sizeof *ps);
	if ((why = avcc_walk(x, xs, ps_one, ps)) != NULL)
		return why;
	for (i = 0; i < H264_MAX_PPS; i++)
		if (ps->pps[i].ok && !ps->sps[ps->pps[i].sps].ok)
			return "a PPS names an SPS it does not have";
	return NULL;
}

/* The SPS rbsp with its gaps_in_frame_num_value_allowed_flag set; 0 if it
 * cannot be read. */
static int
sps_set_gaps(uint8_t *r, size_t n)
{
	struct h264_ps tmp;
	size_t gaps;

	if (sps_read(&tmp, r, n, &gaps) != NULL)
		return 0;
	bits_set(r, gaps, 1, 1);
	return 1;
}

int
media_h264_avcc_gaps(const uint8_t *x, int xs, uint8_t **out, int *out_size)
{
	uint8_t *o = NULL;
	size_t on = 0, ocap = 0;
	int pos = 6, i, nsps;

	*out = NULL;
	if (avcc_walk(x, xs, NULL, NULL) != NULL)
		return 0;
	buf_put(&o, &on, &ocap, x, 6);
	nsps = x[5] & 0x1f;
	for (i = 0; i < nsps; i++) {
		int len = x[pos] << 8 | x[pos + 1];
		size_t n, at = on;
		uint8_t *r = rbsp_of(x + pos + 2, (size_t)len, &n);

		sps_set_gaps(r, n);
		nal_put(&o, &on, &ocap, 2, x[pos + 2], r, n);
		free(r);
		if (on - at - 2 > 0xffff) {
			free(o);
			return 0;
		}
		pos += 2 + len;
	}
	buf_put(&o, &on, &ocap, x + pos, (size_t)(xs - pos));   /* PPS, High tail */
	if ((*out = av_mallocz(on + AV_INPUT_BUFFER_PADDING_SIZE)) == NULL) {
		free(o);
		return ZPUB_ENOMEM;
	}
	memcpy(*out, o, on);
	*out_size = (int)on;
	free(o);
	return 0;
}

/* ---- slice headers --------------------------------------------------- */

#define SLICE_MAX_MMCO 66

struct slice {
	const struct h264_sps *sps;
	const struct h264_pps *pps;
	unsigned type;             /* slice_type % 5 */
	size_t fn_pos;             /* bit of frame_num */
	size_t mark_pos, mark_end; /* dec_ref_pic_marking (when nal_ref_idc) */
	size_t end;                /* end of the header (CABAC: before alignment) */
	int adaptive;              /* adaptive_ref_pic_marking_mode_flag */
	struct mmco {
		unsigned op, a, b;
	} mm[SLICE_MAX_MMCO];
	int nmm;
};

/* Reads a non-IDR slice header up to its end. */
static int
slice_read(struct br *b, const struct h264_ps *ps, int ref_idc, struct slice *s)
{
	unsigned i, nref[2], op;
	int l;

	memset(s, 0, sizeof *s);
	br_ue(b);                                   /* first_mb_in_slice */
	s->type = br_ue(b) % 5;
	i = br_ue(b);
	if (b->bad || i >= H264_MAX_PPS || !ps->pps[i].ok || s->type > 2)
		return -1;                          /* unknown PPS, SP/SI */
	s->pps = &ps->pps[i];
	s->sps = &ps->sps[s->pps->sps];
	if (s->sps->sep_colour)
		br_u(b, 2);
	s->fn_pos = b->pos;
	br_u(b, s->sps->log2_mfn);
	if (!s->sps->frame_mbs_only && br_u(b, 1))
		br_u(b, 1);
	if (s->sps->poc_type == 0) {
		br_u(b, s->sps->log2_mpl);
		if (s->pps->bottom_poc)             /* field_pic_flag is 0 here */
			br_se(b);
	}
	if (s->pps->redundant)
		br_ue(b);
	if (s->type == 1)
		br_u(b, 1);                         /* direct_spatial_mv_pred */
	nref[0] = (unsigned)s->pps->nref[0];
	nref[1] = (unsigned)s->pps->nref[1];
	if (s->type != 2 && br_u(b, 1)) {
		nref[0] = br_ue(b) + 1;
		if (s->type == 1)
			nref[1] = br_ue(b) + 1;
	}
	for (l = 0; l < (s->type == 1 ? 2 : s->type == 0 ? 1 : 0); l++)
		if (br_u(b, 1))
			while ((op = br_ue(b)) != 3 && !b->bad)
				br_ue(b);
	if ((s->pps->wp && s->type == 0) || (s->pps->wbi == 1 && s->type == 1)) {
		int chroma = s->sps->sep_colour ? 0 : s->sps->chroma_format;

		br_ue(b);
		if (chroma)
			br_ue(b);
		for (l = 0; l < (s->type == 1 ? 2 : 1); l++)
			for (i = 0; i < nref[l] && !b->bad; i++) {
				if (br_u(b, 1)) {
					br_se(b);
					br_se(b);
				}
				if (chroma && br_u(b, 1)) {
					br_se(b);
					br_se(b);
					br_se(b);
					br_se(b);
				}
			}
	}
	s->mark_pos = b->pos;
	if (ref_idc && (s->adaptive = (int)br_u(b, 1)) != 0)
		while ((op = br_ue(b)) != 0 && !b->bad) {
			struct mmco *m = &s->mm[s->nmm];

			if (op > 6 || s->nmm == SLICE_MAX_MMCO)
				return -1;
			m->op = op;
			if (op != 5)
				m->a = br_ue(b);
			if (op == 3)
				m->b = br_ue(b);
			s->nmm++;
		}
	s->mark_end = b->pos;
	if (s->pps->cabac && s->type != 2)
		br_ue(b);
	br_se(b);                                   /* slice_qp_delta */
	if (s->pps->deblock && br_ue(b) != 1) {
		br_se(b);
		br_se(b);
	}
	s->end = b->pos;
	return b->bad ? -1 : 0;
}

int
media_h264_can_open(const AVPacket *pkt, int nal_len, const struct h264_ps *ps)
{
	struct nal_walk w;
	int slices = 0, rc;

	nal_walk_init(&w, pkt, nal_len);
	while ((rc = nal_next(&w)) > 0) {
		const uint8_t *p = w.nal;
		size_t len = w.len, n;

		if ((p[0] & 0x1f) == 1) {
			uint8_t *r = rbsp_of(p, len < 64 ? len : 64, &n);
			struct br b = { r, n, 0, 0 };
			struct slice s;
			int ok = (p[0] & 0x60) && slice_read(&b, ps, 1, &s) == 0 && s.type == 2 &&
			    s.sps->frame_mbs_only, i;

			/* An IDR picture cannot mark itself long-term later. */
			for (i = 0; ok && i < s.nmm; i++)
				ok = s.mm[i].op != 6;

			free(r);
			if (!ok)
				return 0;
			slices++;
		}
	}
	return rc == 0 && slices > 0;
}

/* The last 1 bit of an rbsp (its stop bit). */
static size_t
stop_bit(const uint8_t *r, size_t n)
{
	while (n > 0 && r[n - 1] == 0)
		n--;
	if (n == 0)
		return 0;
	return (n - 1) * 8 + 7 - (size_t)__builtin_ctz(r[n - 1]);
}

/* Writes the rest of a slice after its header (bits from s->end) anew:
 * CABAC data stays byte-aligned, CAVLC data follows the header's bits. */
static void
slice_tail(struct bw *w, const struct br *b, const struct slice *s, const uint8_t *r, size_t n)
{
	if (s->pps->cabac) {
		while (w->pos % 8)
			bw_u(w, 1, 1);          /* cabac_alignment_one_bit */
		bw_copy(w, b, (s->end + 7) / 8 * 8, n * 8);
	} else {
		bw_copy(w, b, s->end, stop_bit(r, n));
		bw_u(w, 1, 1);
		while (w->pos % 8)
			bw_u(w, 0, 1);
	}
}

/* Which reference marking commands of a picture copied after the
 * converted recovery point still apply: the pictures decoded before it
 * are gone (the IDR picture emptied the buffer), so commands about them
 * are dropped (the decoder would report them as failures).  keep[i] for
 * each; returns how many are dropped.  cur: the picture's frame_num
 * counted from the recovery point without wrapping. */
static int
mmco_filter(const struct slice *s, struct h264_shift *sh, int64_t cur, int *keep)
{
	int i, dropped = 0;

	for (i = 0; i < s->nmm; i++) {
		const struct mmco *m = &s->mm[i];

		keep[i] = 1;
		if ((m->op == 1 || m->op == 3) && cur - (int64_t)m->a - 1 < 0)
			keep[i] = 0;    /* a short-term picture before it */
		else if (m->op == 2 && (m->a >= 32 || !(sh->lt >> m->a & 1)))
			keep[i] = 0;    /* a long-term picture not marked since */
		if (!keep[i]) {
			dropped++;
			continue;
		}
		if (m->op == 2)
			sh->lt &= ~(1u << m->a);
		else if (m->op == 3 && m->b < 32)
			sh->lt |= 1u << m->b;
		else if (m->op == 6 && m->a < 32)
			sh->lt |= 1u << m->a;
		else if (m->op == 4)
			sh->lt &= m->a >= 32 ? ~0u : (1u << m->a) - 1;
		else if (m->op == 5)
			sh->on = 0;     /* frame_num starts again after it */
	}
	return dropped;
}

/* Rewrites one slice: to an IDR (idr: frame_num 0, idr_pic_id, IDR
 * marking) or with frame_num less sh->fn (and marking commands about the
 * pictures before the IDR dropped). */
static int
slice_rewrite(const uint8_t *nal, size_t len, const struct h264_ps *ps, struct h264_shift *sh,
    int idr, uint8_t **o, size_t *on, size_t *ocap, int nal_len)
{
	size_t n;
	uint8_t *r = rbsp_of(nal, len, &n);
	struct br b = { r, n, 0, 0 };
	struct bw w = {0};
	struct slice s;
	unsigned fn, max;
	int keep[SLICE_MAX_MMCO], i;
	int64_t cur;

	if (slice_read(&b, ps, (nal[0] & 0x60) != 0, &s) < 0) {
		free(r);
		return -1;
	}
	b.pos = s.fn_pos;
	fn = br_u(&b, s.sps->log2_mfn);
	max = 1u << s.sps->log2_mfn;
	if (idr) {
		sh->fn = fn;
		sh->last = 0;
		sh->lt = 0;
		/* frame_num 0, then idr_pic_id (right after it: no field
		 * flags, as media_h264_can_open checked), the rest up to the
		 * marking, IDR marking (no_output_of_prior_pics and
		 * long_term_reference 0). */
		bw_copy(&w, &b, 0, s.fn_pos);
		bw_u(&w, 0, s.sps->log2_mfn);
		bw_ue(&w, sh->idr_id);
		bw_copy(&w, &b, s.fn_pos + (size_t)s.sps->log2_mfn, s.mark_pos);
		bw_u(&w, 0, 2);
		bw_copy(&w, &b, s.mark_end, s.end);
		slice_tail(&w, &b, &s, r, n);
		nal_put(o, on, ocap, nal_len, (uint8_t)((nal[0] & 0x60) | 5), w.p, w.pos / 8);
		goto done;
	}
	fn = (fn - sh->fn) & (max - 1);
	cur = sh->last - (int64_t)(sh->last % max) + fn;
	if (cur < sh->last - (int64_t)max / 2)
		cur += max;                 /* frame_num wrapped */
	sh->last = cur;
	if (mmco_filter(&s, sh, cur, keep) == 0) {
		/* Same length: in place. */
		bits_set(r, s.fn_pos, fn, s.sps->log2_mfn);
		nal_put(o, on, ocap, nal_len, nal[0], r, n);
		goto done;
	}
	bw_copy(&w, &b, 0, s.fn_pos);
	bw_u(&w, fn, s.sps->log2_mfn);
	bw_copy(&w, &b, s.fn_pos + (size_t)s.sps->log2_mfn, s.mark_pos);
	bw_u(&w, 1, 1);
	for (i = 0; i < s.nmm; i++) {
		if (!keep[i])
			continue;
		bw_ue(&w, s.mm[i].op);
		if (s.mm[i].op != 5)
			bw_ue(&w, s.mm[i].a);
		if (s.mm[i].op == 3)
			bw_ue(&w, s.mm[i].b);
	}
	bw_ue(&w, 0);
	bw_copy(&w, &b, s.mark_end, s.end);
	slice_tail(&w, &b, &s, r, n);
	nal_put(o, on, ocap, nal_len, nal[0], w.p, w.pos / 8);
done:
	free(w.p);
	free(r);
	return 0;
}

/* Rewrites a packet's NALs; idr: its slices become IDR slices. */
static int
packet_rewrite(AVPacket *pkt, int nal_len, const struct h264_ps *ps, struct h264_shift *sh, int idr)
{
	struct nal_walk w;
	uint8_t *o = NULL;
	size_t on = 0, ocap = 0;
	AVPacket *np;
	int rc = 0, more;

	nal_walk_init(&w, pkt, nal_len);
	while (rc == 0 && (more = nal_next(&w)) != 0) {
		const uint8_t *p = w.nal;
		size_t len = w.len;
		int type;

		if (more < 0) {
			rc = -1;
			break;
		}
		type = p[0] & 0x1f;
		if (type == 5 && !idr) {
			sh->on = 0;     /* a real IDR: nothing to shift from here */
			free(o);
			return 0;
		}
		if (type == 1 && sh->on)
			rc = slice_rewrite(p, len, ps, sh, idr, &o, &on, &ocap, nal_len);
		else if (type == 6 && idr)
			;               /* the recovery point's SEI: not for an IDR */
		else if (type == 7) {
			size_t n;
			uint8_t *r = rbsp_of(p, len, &n);

			sps_set_gaps(r, n);
			nal_put(&o, &on, &ocap, nal_len, p[0], r, n);
			free(r);
		} else
			buf_put(&o, &on, &ocap, p - nal_len, (size_t)nal_len + len);
	}
	if (rc < 0 || (np = av_packet_alloc()) == NULL || av_new_packet(np, (int)on) < 0) {
		if (rc == 0)
			av_packet_free(&np);
		free(o);
		return rc < 0 ? rc : ZPUB_ENOMEM;
	}
	if (on > 0)
		memcpy(np->data, o, on);
	free(o);
	av_packet_copy_props(np, pkt);
	av_packet_unref(pkt);
	av_packet_move_ref(pkt, np);
	av_packet_free(&np);
	return 0;
}

int
media_h264_open_idr(AVPacket *pkt, int nal_len, const struct h264_ps *ps, struct h264_shift *sh)
{
	sh->on = 1;
	return packet_rewrite(pkt, nal_len, ps, sh, 1);
}

int
media_h264_shift(AVPacket *pkt, int nal_len, const struct h264_ps *ps, struct h264_shift *sh)
{
	struct nal_walk w;
	int sps = 0;

	/* Not shifting: only an in-band SPS needs its gaps flag (as in the
	 * avcC: an SPS may not change between IDR pictures). */
	nal_walk_init(&w, pkt, nal_len);
	while (!sh->on && nal_next(&w) > 0)
		sps |= (w.nal[0] & 0x1f) == 7;
	if (!sh->on && !sps)
		return 0;
	return packet_rewrite(pkt, nal_len, ps, sh, 0);
}
