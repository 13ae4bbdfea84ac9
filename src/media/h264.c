/*
 * h264.c — the H.264 bitstream plumbing smart cut needs: Annex B packets
 * (start codes, as a piece encoder writes them) to length-prefixed NALs (as
 * an MP4 with an avcC carries them), IDR detection, and an avcC that lists
 * the re-encoded pieces' SPS/PPS beside the source's.  Pure byte work.
 */
#include "media/media_priv.h"

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
	const uint8_t *p = pkt->data, *end = pkt->data + pkt->size;

	while (p + nal_len < end) {
		size_t len = 0;
		int k;

		for (k = 0; k < nal_len; k++)
			len = (len << 8) | p[k];
		p += nal_len;
		if (len == 0 || p + len > end)
			return 0;
		if ((p[0] & 0x1f) == 5)
			return 1;
		p += len;
	}
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

