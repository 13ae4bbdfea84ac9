/* needs: src/media/h264_open.c */
/*
 * fuzz_h264.c — the H.264 rewriting that lets smart cut copy from an
 * open-GOP recovery point (src/media/h264_open.c), on arbitrary avcC
 * headers and packets.  Input: a 2-byte size and an avcC, then packets (a
 * 2-byte size each) of NALs with 4-byte sizes.  The first packet that
 * media_h264_can_open accepts is made an IDR, the later ones shifted.
 * Checks: a packet of whole NALs with 4-byte sizes and no start code
 * emulated inside a NAL comes out as one; an avcC that reads
 * still reads after media_h264_avcc_gaps, with the same frame_num sizes; an
 * accepted recovery point comes out as IDR slices only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_priv.h"
#include "fdp.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); \
	__builtin_trap(); } } while (0)

/* Whole NALs with 4-byte sizes, none emulating a start code: the OR of
 * (1 << nal type), or 0 when the packet is not that. */
static unsigned
packet_types(const AVPacket *p)
{
	size_t i = 0, k;
	unsigned types = 0;

	while (i < (size_t)p->size) {
		size_t len;

		if (i + 4 > (size_t)p->size)
			return 0;
		len = (size_t)p->data[i] << 24 | (size_t)p->data[i + 1] << 16 |
		    (size_t)p->data[i + 2] << 8 | p->data[i + 3];
		i += 4;
		if (len == 0 || len > (size_t)p->size - i)
			return 0;
		types |= 1u << (p->data[i] & 0x1f);
		for (k = 0; k + 2 < len; k++)
			if (p->data[i + k] == 0 && p->data[i + k + 1] == 0 && p->data[i + k + 2] <= 2)
				return 0;
		i += len;
	}
	return types | 1u << 31;
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct fdp f = { d, n };
	struct h264_ps *ps = calloc(1, sizeof *ps), *ps2 = calloc(1, sizeof *ps2);
	struct h264_shift sh = { 0, 0, 2, 0, 0 };
	size_t xs = (size_t)fdp_range(&f, 0, 512);
	uint8_t *x = NULL, *gx = NULL;
	int gxs = 0, opened = 0, i;
	AVPacket *pkt = av_packet_alloc();

	if (ps == NULL || ps2 == NULL || pkt == NULL)
		abort();
	if (xs > f.n)
		xs = f.n;
	x = malloc(xs + 1);
	memcpy(x, f.d, xs);
	f.d += xs;
	f.n -= xs;
	if (media_h264_ps_read(ps, x, (int)xs) == NULL) {
		CHECK(media_h264_avcc_gaps(x, (int)xs, &gx, &gxs) == 0);
		CHECK(gx != NULL);
		CHECK(media_h264_ps_read(ps2, gx, gxs) == NULL);
		for (i = 0; i < H264_MAX_SPS; i++) {
			CHECK(ps->sps[i].ok == ps2->sps[i].ok);
			CHECK(ps->sps[i].log2_mfn == ps2->sps[i].log2_mfn);
			CHECK(ps->sps[i].log2_mpl == ps2->sps[i].log2_mpl);
		}
		av_free(gx);
		while (f.n > 0) {
			size_t ps_size = (size_t)fdp_range(&f, 1, 4096);
			unsigned types, in;
			int can, rc;

			if (ps_size > f.n)
				ps_size = f.n;
			if (av_new_packet(pkt, (int)ps_size) < 0)
				abort();
			memcpy(pkt->data, f.d, ps_size);
			f.d += ps_size;
			f.n -= ps_size;
			in = packet_types(pkt);
			can = media_h264_can_open(pkt, 4, ps);
			if (can && !opened) {
				rc = media_h264_open_idr(pkt, 4, ps, &sh);
				if (rc == 0) {
					types = packet_types(pkt);
					CHECK(types != 0 || in == 0);
					CHECK(!(types & (1u << 1)));    /* no non-IDR slice left */
					opened = 1;
				}
			} else if (opened && media_h264_shift(pkt, 4, ps, &sh) == 0)
				CHECK(packet_types(pkt) != 0 || in == 0);
			av_packet_unref(pkt);
		}
	}
	av_packet_free(&pkt);
	free(x);
	free(ps);
	free(ps2);
	return 0;
}
