/*
 * test_media_h264.c — smart cut's bitstream plumbing on hand-made bytes:
 * Annex B to length-prefixed NALs, IDR detection, and an avcC that gains
 * the pieces' SPS/PPS (id 1) while keeping the source's; decoding starts
 * (IDR, recovery point, CRA), unreferenced pictures, an hvcC's parameter
 * sets, and a CRA turned into a broken link.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "media_priv.h"

static void
annexb_becomes_length_prefixed(void **state)
{
	/* SPS (4-byte start code), PPS (3-byte), IDR slice */
	static const uint8_t in[] = { 0, 0, 0, 1, 0x67, 1, 2, 3, 0, 0, 1, 0x68, 4,
		0, 0, 0, 1, 0x65, 9, 9, 9, 9 };
	static const uint8_t want[] = { 0, 0, 0, 4, 0x67, 1, 2, 3, 0, 0, 0, 2, 0x68, 4,
		0, 0, 0, 5, 0x65, 9, 9, 9, 9 };
	AVPacket *a = av_packet_alloc(), *b = av_packet_alloc();

	(void)state;
	assert_int_equal(av_new_packet(a, sizeof in), 0);
	memcpy(a->data, in, sizeof in);
	a->pts = 42;
	assert_int_equal(media_h264_annexb_to_avcc(a, b, 4), 0);
	assert_int_equal(b->size, sizeof want);
	assert_memory_equal(b->data, want, sizeof want);
	assert_int_equal(b->pts, 42);
	assert_true(media_h264_avcc_is_idr(b, 4));
	av_packet_free(&a);
	av_packet_free(&b);
}

static void
p_slices_are_not_idr(void **state)
{
	static const uint8_t p[] = { 0, 0, 0, 2, 0x06, 1, 0, 0, 0, 3, 0x41, 7, 7 };
	static const uint8_t bad[] = { 0, 0, 0, 99, 0x65, 1 };   /* length past the end */
	AVPacket pkt;

	(void)state;
	memset(&pkt, 0, sizeof pkt);
	pkt.data = (uint8_t *)p;
	pkt.size = sizeof p;
	assert_false(media_h264_avcc_is_idr(&pkt, 4));
	pkt.data = (uint8_t *)bad;
	pkt.size = sizeof bad;
	assert_false(media_h264_avcc_is_idr(&pkt, 4));
}

static void
avcc_gains_the_piece_parameter_sets(void **state)
{
	/* avcC: version 1, profile 0x42, 1 SPS (3 bytes), 1 PPS (2 bytes) */
	static const uint8_t avcc[] = { 1, 0x42, 0xc0, 0x0c, 0xff, 0xe1, 0, 3, 0x67, 0xaa, 0xbb,
		1, 0, 2, 0x68, 0xcc };
	static const uint8_t headers[] = { 0, 0, 0, 1, 0x67, 0x11, 0x22, 0, 0, 0, 1, 0x68, 0x33,
		0, 0, 0, 1, 0x06, 0x55 };
	static const uint8_t want[] = { 1, 0x42, 0xc0, 0x0c, 0xff, 0xe2, 0, 3, 0x67, 0xaa, 0xbb,
		0, 3, 0x67, 0x11, 0x22, 2, 0, 2, 0x68, 0xcc, 0, 2, 0x68, 0x33 };
	uint8_t *out = NULL;
	int n = 0;

	(void)state;
	assert_int_equal(media_h264_avcc_append(avcc, sizeof avcc, headers, sizeof headers,
	    &out, &n), 0);
	assert_non_null(out);
	assert_int_equal(n, sizeof want);
	assert_memory_equal(out, want, sizeof want);
	av_free(out);
}

static void
odd_avcc_is_left_alone(void **state)
{
	static const uint8_t truncated[] = { 1, 0x42, 0xc0, 0x0c, 0xff, 0xe1, 0, 30, 0x67 };
	static const uint8_t headers[] = { 0, 0, 1, 0x67, 0x11, 0, 0, 1, 0x68, 0x33 };
	uint8_t *out = (uint8_t *)1;
	int n = 0;

	(void)state;
	assert_int_equal(media_h264_avcc_append(truncated, sizeof truncated, headers,
	    sizeof headers, &out, &n), 0);
	assert_null(out);
	assert_int_equal(media_h264_avcc_append(truncated, sizeof truncated, NULL, 0, &out, &n), 0);
	assert_null(out);
}

static AVPacket
wrap(const uint8_t *d, size_t n)
{
	AVPacket pkt;

	memset(&pkt, 0, sizeof pkt);
	pkt.data = (uint8_t *)d;
	pkt.size = (int)n;
	return pkt;
}

static void
decoding_starts_are_told_apart(void **state)
{
	/* H.264: IDR; recovery point SEI (type 6, size 1) + I slice; a plain
	 * SEI (type 5) + slice; HEVC: CRA (21), IDR_W_RADL (19), TRAIL_R (1). */
	static const uint8_t idr[] = { 0, 0, 0, 2, 0x65, 0x88 };
	static const uint8_t rec[] = { 0, 0, 0, 4, 0x06, 6, 1, 0x80, 0, 0, 0, 2, 0x41, 0x9a };
	static const uint8_t sei[] = { 0, 0, 0, 4, 0x06, 5, 1, 0x80, 0, 0, 0, 2, 0x41, 0x9a };
	static const uint8_t cra[] = { 0, 0, 0, 3, 21 << 1, 1, 0xaf };
	static const uint8_t hidr[] = { 0, 0, 0, 3, 19 << 1, 1, 0xaf };
	static const uint8_t trail[] = { 0, 0, 0, 3, 1 << 1, 1, 0xaf };
	AVPacket p;

	(void)state;
	p = wrap(idr, sizeof idr);
	assert_int_equal(media_nal_start_kind(&p, 4, 0), 1);
	p = wrap(rec, sizeof rec);
	assert_int_equal(media_nal_start_kind(&p, 4, 0), 2);
	p = wrap(sei, sizeof sei);
	assert_int_equal(media_nal_start_kind(&p, 4, 0), 0);
	p = wrap(cra, sizeof cra);
	assert_int_equal(media_nal_start_kind(&p, 4, 1), 2);
	p = wrap(hidr, sizeof hidr);
	assert_int_equal(media_nal_start_kind(&p, 4, 1), 1);
	p = wrap(trail, sizeof trail);
	assert_int_equal(media_nal_start_kind(&p, 4, 1), 0);
}

static void
unreferenced_pictures_are_disposable(void **state)
{
	static const uint8_t b[] = { 0, 0, 0, 2, 0x01, 0x9e };        /* nal_ref_idc 0 */
	static const uint8_t bref[] = { 0, 0, 0, 2, 0x21, 0x9e };     /* nal_ref_idc 1 */
	static const uint8_t trail_n[] = { 0, 0, 0, 3, 0 << 1, 1, 0xaf };
	static const uint8_t trail_n_t1[] = { 0, 0, 0, 3, 0 << 1, 2, 0xaf };   /* TemporalId 1 */
	static const uint8_t trail_r[] = { 0, 0, 0, 3, 1 << 1, 1, 0xaf };
	AVPacket p;

	(void)state;
	p = wrap(b, sizeof b);
	assert_true(media_nal_disposable(&p, 4, 0));
	p = wrap(bref, sizeof bref);
	assert_false(media_nal_disposable(&p, 4, 0));
	p = wrap(trail_n, sizeof trail_n);
	assert_true(media_nal_disposable(&p, 4, 1));
	p = wrap(trail_n_t1, sizeof trail_n_t1);
	assert_false(media_nal_disposable(&p, 4, 1));
	p = wrap(trail_r, sizeof trail_r);
	assert_false(media_nal_disposable(&p, 4, 1));
}

static void
hvcc_parameter_sets_and_broken_link(void **state)
{
	/* hvcC: 22 header bytes (length size 4), 3 arrays: VPS (1 NAL of 2
	 * bytes), SPS (1 of 3), SEI (1 of 2, left out). */
	uint8_t hvcc[64] = { 1 };
	static const uint8_t want[] = { 0, 0, 0, 2, 0x40, 1, 0, 0, 0, 3, 0x42, 1, 7 };
	static const uint8_t slice[] = { 0, 0, 0, 3, 21 << 1, 1, 0xaf, 0, 0, 0, 3, 21 << 1, 1, 0xb0 };
	uint8_t *ps = NULL;
	int n = 0, size;
	AVPacket *pkt = av_packet_alloc();

	(void)state;
	hvcc[21] = 0x0f;
	n = 22;
	hvcc[n++] = 3;
	hvcc[n++] = 32, hvcc[n++] = 0, hvcc[n++] = 1, hvcc[n++] = 0, hvcc[n++] = 2;
	hvcc[n++] = 0x40, hvcc[n++] = 1;
	hvcc[n++] = 33, hvcc[n++] = 0, hvcc[n++] = 1, hvcc[n++] = 0, hvcc[n++] = 3;
	hvcc[n++] = 0x42, hvcc[n++] = 1, hvcc[n++] = 7;
	hvcc[n++] = 39, hvcc[n++] = 0, hvcc[n++] = 1, hvcc[n++] = 0, hvcc[n++] = 2;
	hvcc[n++] = 0x4e, hvcc[n++] = 1;
	assert_int_equal(media_hevc_param_sets(hvcc, n, &ps, &size), 0);
	assert_non_null(ps);
	assert_int_equal(size, sizeof want);
	assert_memory_equal(ps, want, sizeof want);
	av_free(ps);
	/* Cut short: left alone. */
	assert_int_equal(media_hevc_param_sets(hvcc, n - 5, &ps, &size), 0);
	assert_null(ps);

	/* Both CRA slices become BLA_N_LP; parameter sets go in front. */
	assert_int_equal(av_new_packet(pkt, sizeof slice), 0);
	memcpy(pkt->data, slice, sizeof slice);
	assert_int_equal(media_packet_wrap(pkt, want, sizeof want, NULL, 0), 0);
	assert_int_equal(media_hevc_cra_to_bla(pkt, 4), 0);
	assert_int_equal(pkt->size, (int)(sizeof want + sizeof slice));
	assert_memory_equal(pkt->data, want, sizeof want);
	assert_int_equal((pkt->data[sizeof want + 4] >> 1) & 0x3f, 18);
	assert_int_equal((pkt->data[sizeof want + 11] >> 1) & 0x3f, 18);
	assert_int_equal(pkt->data[sizeof want + 6], 0xaf);
	av_packet_free(&pkt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(annexb_becomes_length_prefixed),
		cmocka_unit_test(p_slices_are_not_idr),
		cmocka_unit_test(avcc_gains_the_piece_parameter_sets),
		cmocka_unit_test(odd_avcc_is_left_alone),
		cmocka_unit_test(decoding_starts_are_told_apart),
		cmocka_unit_test(unreferenced_pictures_are_disposable),
		cmocka_unit_test(hvcc_parameter_sets_and_broken_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
