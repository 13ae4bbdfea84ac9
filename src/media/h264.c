/*
 * h264.c — the H.264 and HEVC bitstream plumbing smart cut needs: Annex B packets
 * (start codes, as a piece encoder writes them) to length-prefixed NALs (as
 * an MP4 with an avcC carries them), IDR detection, and an avcC that lists
 * the re-encoded pieces' SPS/PPS beside the source's.  Pure byte work.
 */
#include "media_priv.h"

#include <string.h>

int
media_h264_annexb_to_avcc(const AVPacket *in, AVPacket *out, int nal_len)
{
	const uint8_t *b = in->data, *end = in->data + in->size, *p = b;
	size_t total = 0, k;
	uint8_t *w = NULL;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		p = b;
		if (pass == 1) {
			if (av_new_packet(out, (int)total) < 0)
				return ZPUB_ENOMEM;
			w = out->data;
		}
		while (p + 3 <= end) {
			const uint8_t *nal, *q;
			size_t len;

			if (!(p[0] == 0 && p[1] == 0 && p[2] == 1)) {
				p++;
				continue;
			}
			nal = p + 3;
			for (q = nal; q + 3 <= end; q++)
				if (q[0] == 0 && q[1] == 0 && (q[2] == 1 || (q[2] == 0 && q + 3 < end && q[3] == 1)))
					break;
			if (q + 3 > end)
				q = end;
			len = (size_t)(q - nal);
			if (pass == 0)
				total += (size_t)nal_len + len;
			else if (w != NULL) {
				for (k = 0; k < (size_t)nal_len; k++)
					*w++ = (uint8_t)(len >> (8 * ((size_t)nal_len - 1 - k)));
				memcpy(w, nal, len);
				w += len;
			}
			p = q;
		}
	}
	if ((size_t)out->size != total)
		return ZPUB_EMEDIA;
	av_packet_copy_props(out, in);
	return 0;
}

int
media_h264_avcc_is_idr(const AVPacket *pkt, int nal_len)
{
	struct nal_walk w;

	nal_walk_init(&w, pkt, nal_len);
	while (nal_next(&w) > 0)
		if ((w.nal[0] & 0x1f) == 5)
			return 1;
	return 0;
}

/* Appends the first SPS and PPS of headers (Annex B, e.g. x264's global
 * header) to the avcC x.  *out stays NULL when x or headers look odd. */
int
media_h264_avcc_append(const uint8_t *x, int xs, const uint8_t *headers, int hs,
    uint8_t **out, int *out_size)
{
	const uint8_t *p = headers, *end = headers ? headers + hs : NULL, *nal[2] = {0};
	int nal_size[2] = {0};
	int nsps, npps, i, pos, sps_end, pps_end;
	uint8_t *o;

	*out = NULL;
	/* x264's global header: Annex B SPS, PPS (and an SEI). */
	while (p != NULL && p + 4 < end) {
		const uint8_t *q;
		int type;

		if (!(p[0] == 0 && p[1] == 0 && p[2] == 1)) {
			p++;
			continue;
		}
		p += 3;
		for (q = p; q + 3 <= end && !(q[0] == 0 && q[1] == 0 && (q[2] == 1 ||
		    (q[2] == 0 && q + 3 < end && q[3] == 1))); q++)
			;
		if (q + 3 > end)
			q = end;
		type = p[0] & 0x1f;
		if ((type == 7 || type == 8) && nal[type - 7] == NULL) {
			nal[type - 7] = p;
			nal_size[type - 7] = (int)(q - p);
		}
		p = q;
	}
	if (nal[0] == NULL || nal[1] == NULL || xs < 7)
		return 0;
	/* Walk the source avcC to find where its SPS and PPS lists end. */
	nsps = x[5] & 0x1f;
	for (pos = 6, i = 0; i < nsps && pos + 2 <= xs; i++)
		pos += 2 + (x[pos] << 8 | x[pos + 1]);
	sps_end = pos;
	if (i < nsps || pos >= xs || nsps == 31)
		return 0;
	npps = x[pos];
	for (pos++, i = 0; i < npps && pos + 2 <= xs; i++)
		pos += 2 + (x[pos] << 8 | x[pos + 1]);
	pps_end = pos;
	if (i < npps || pps_end > xs || npps == 255 || x[0] != 1)
		return 0;
	o = av_mallocz((size_t)xs + 4 + (size_t)nal_size[0] + (size_t)nal_size[1] +
	    AV_INPUT_BUFFER_PADDING_SIZE);
	if (o == NULL)
		return ZPUB_ENOMEM;
	memcpy(o, x, (size_t)sps_end);
	o[5] = (uint8_t)(0xe0 | (nsps + 1));
	pos = sps_end;
	o[pos++] = (uint8_t)(nal_size[0] >> 8);
	o[pos++] = (uint8_t)nal_size[0];
	memcpy(o + pos, nal[0], (size_t)nal_size[0]);
	pos += nal_size[0];
	memcpy(o + pos, x + sps_end, (size_t)(pps_end - sps_end));
	o[pos] = (uint8_t)(npps + 1);
	pos += pps_end - sps_end;
	o[pos++] = (uint8_t)(nal_size[1] >> 8);
	o[pos++] = (uint8_t)nal_size[1];
	memcpy(o + pos, nal[1], (size_t)nal_size[1]);
	pos += nal_size[1];
	memcpy(o + pos, x + pps_end, (size_t)(xs - pps_end));   /* High-profile tail */
	pos += xs - pps_end;
	*out = o;
	*out_size = pos;
	return 0;
}


/* ---- decoding start points, HEVC parameter sets, splicing ------------ */

/* The first payload types of an H.264 SEI NAL (rbsp after the header):
 * 1 if one of them is a recovery point (6).  Emulation prevention bytes
 * are not removed: payload sizes that contain them are rare and only make
 * this miss a recovery point (the frame is then not a start). */
static int
h264_sei_has_recovery(const uint8_t *p, size_t len)
{
	size_t i = 1;

	while (i < len && p[i] != 0x80) {
		unsigned type = 0, size = 0;

		while (i < len && p[i] == 0xff)
			type += 255, i++;
		if (i >= len)
			return 0;
		type += p[i++];
		while (i < len && p[i] == 0xff)
			size += 255, i++;
		if (i >= len)
			return 0;
		size += p[i++];
		if (type == 6)
			return 1;
		i += size;
	}
	return 0;
}

int
media_nal_start_kind(const AVPacket *pkt, int nal_len, int hevc)
{
	struct nal_walk w;
	int recovery = 0, type;

	nal_walk_init(&w, pkt, nal_len);
	while (nal_next(&w) > 0) {
		const uint8_t *p = w.nal;

		if (hevc) {
			type = (p[0] >> 1) & 0x3f;
			if (type >= 16 && type <= 20)
				return 1;          /* BLA, IDR: nothing before matters */
			if (type == 21)
				return 2;          /* CRA: leading pictures may */
			if (type < 32)
				return 0;          /* another picture */
		} else {
			type = p[0] & 0x1f;
			if (type == 5)
				return 1;          /* IDR */
			if (type == 6 && h264_sei_has_recovery(p, w.len))
				recovery = 1;
			if (type == 1)
				return recovery ? 2 : 0;
		}
	}
	return 0;
}

int
media_hevc_param_sets(const uint8_t *x, int xs, uint8_t **out, int *out_size)
{
	int pass, pos, i, j, n, k, arrays, total = 0, nal_len;
	uint8_t *o = NULL;

	*out = NULL;
	*out_size = 0;
	if (x == NULL || xs < 23 || x[0] != 1)
		return 0;
	nal_len = (x[21] & 3) + 1;
	for (pass = 0; pass < 2; pass++) {
		int w = 0;

		if (pass == 1) {
			if (total == 0)
				return 0;
			if ((o = av_mallocz((size_t)total + AV_INPUT_BUFFER_PADDING_SIZE)) == NULL)
				return ZPUB_ENOMEM;
		}
		arrays = x[22];
		for (pos = 23, i = 0; i < arrays; i++) {
			int type;

			if (pos + 3 > xs)
				goto odd;
			type = x[pos] & 0x3f;
			n = x[pos + 1] << 8 | x[pos + 2];
			pos += 3;
			for (j = 0; j < n; j++) {
				int len;

				if (pos + 2 > xs)
					goto odd;
				len = x[pos] << 8 | x[pos + 1];
				pos += 2;
				if (pos + len > xs)
					goto odd;
				if (type >= 32 && type <= 34) {
					if (pass == 0)
						total += nal_len + len;
					else {
						for (k = nal_len - 1; k >= 0; k--)
							o[w++] = (uint8_t)(len >> (8 * k));
						memcpy(o + w, x + pos, (size_t)len);
						w += len;
					}
				}
				pos += len;
			}
		}
	}
	*out = o;
	*out_size = total;
	return 0;
odd:
	av_free(o);
	return 0;
}

int
media_packet_wrap(AVPacket *pkt, const uint8_t *pre, int npre, const uint8_t *post,
    int npost)
{
	AVPacket *n = av_packet_alloc();

	if (n == NULL || av_new_packet(n, npre + pkt->size + npost) < 0) {
		av_packet_free(&n);
		return ZPUB_ENOMEM;
	}
	if (npre > 0)
		memcpy(n->data, pre, (size_t)npre);
	memcpy(n->data + npre, pkt->data, (size_t)pkt->size);
	if (npost > 0)
		memcpy(n->data + npre + pkt->size, post, (size_t)npost);
	av_packet_copy_props(n, pkt);
	av_packet_unref(pkt);
	av_packet_move_ref(pkt, n);
	av_packet_free(&n);
	return 0;
}

int
media_hevc_cra_to_bla(AVPacket *pkt, int nal_len)
{
	struct nal_walk w;

	if (av_packet_make_writable(pkt) < 0)
		return ZPUB_ENOMEM;
	nal_walk_init(&w, pkt, nal_len);
	while (nal_next(&w) > 0) {
		uint8_t *p = pkt->data + (w.nal - pkt->data);

		if (((p[0] >> 1) & 0x3f) == 21)
			p[0] = (uint8_t)((p[0] & 0x81) | (18 << 1));   /* BLA_N_LP */
	}
	return 0;
}

int
media_nal_disposable(const AVPacket *pkt, int nal_len, int hevc)
{
	struct nal_walk w;
	int vcl = 0, rc, type;

	nal_walk_init(&w, pkt, nal_len);
	while ((rc = nal_next(&w)) > 0) {
		const uint8_t *p = w.nal;

		if (hevc && w.len < 2)
			return 0;
		if (hevc) {
			type = (p[0] >> 1) & 0x3f;
			if (type < 32) {
				/* Sub-layer non-reference (even types below 16),
				 * in the lowest sub-layer. */
				if (type >= 16 || (type & 1) || (p[1] & 7) != 1)
					return 0;
				vcl = 1;
			}
		} else {
			type = p[0] & 0x1f;
			if (type >= 1 && type <= 5) {
				if (p[0] & 0x60)
					return 0;           /* nal_ref_idc */
				vcl = 1;
			}
		}
	}
	return rc < 0 ? 0 : vcl;
}
