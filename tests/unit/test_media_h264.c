/*
 * test_media_h264.c — smart cut's bitstream plumbing on hand-made bytes:
 * Annex B to length-prefixed NALs, IDR detection, and an avcC that gains
 * the pieces' SPS/PPS (id 1) while keeping the source's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "media/media_priv.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(annexb_becomes_length_prefixed),
		cmocka_unit_test(p_slices_are_not_idr),
		cmocka_unit_test(avcc_gains_the_piece_parameter_sets),
		cmocka_unit_test(odd_avcc_is_left_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
