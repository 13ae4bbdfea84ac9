/*
 * test_media_loudness.c — the loudness meter and normaliser (loudness.c) on
 * signals whose answer is known: a 997 Hz sine at full scale is -3.01 LUFS
 * (BS.1770's own reference), stereo adds 3 dB, silence is not measured and
 * the gate leaves pauses out; the normaliser gives back as many samples as
 * it takes, applies its gain exactly where nothing is near the ceiling, and
 * keeps the true peak of a sine pushed 12 dB over it under -1 dBTP.  And the
 * arithmetic: the gain, when it changes anything, the secant fit, the
 * setting (null is off, values held to -40..-5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "media_priv.h"

#define RATE 48000

/* n samples of a sine of amplitude a at f Hz into x (phase continues from *ph). */
static void
sine(float *x, int n, double f, double a, double *ph)
{
	for (int i = 0; i < n; i++) {
		x[i] = (float)(a * sin(*ph));
		*ph += 2 * M_PI * f / RATE;
	}
}

static struct media_loudness
measure(int channels, const float *x, int n, int push)
{
	struct media_lmeter *m = NULL;
	struct media_loudness l;
	struct zpub_err err;
	const float *p[2];

	assert_int_equal(media_lmeter_new(RATE, channels, &m, &err), 0);
	for (int off = 0; off < n; off += push) {
		int take = n - off < push ? n - off : push;

		p[0] = p[1] = x + off;
		media_lmeter_push(m, p, take);
	}
	media_lmeter_result(m, &l);
	media_lmeter_free(m);
	return l;
}

static void
test_meter_reference_sine(void **state)
{
	int n = RATE * 5;
	float *x = malloc((size_t)n * sizeof *x);
	double ph = 0;
	struct media_loudness l;

	(void)state;
	sine(x, n, 997, 1.0, &ph);
	/* Odd push sizes: the sub-blocks and the decimation keep their phase. */
	l = measure(1, x, n, 1021);
	assert_true(l.measured);
	assert_true(fabs(l.integrated_lufs + 3.01) < 0.1);
	assert_true(fabs(l.true_peak_dbtp) < 0.1);
	/* 20 dB down is 20 LU down; the same on two channels is 3 LU more. */
	for (int i = 0; i < n; i++)
		x[i] *= 0.1f;
	l = measure(1, x, n, 4096);
	assert_true(fabs(l.integrated_lufs + 23.01) < 0.1);
	assert_true(fabs(l.true_peak_dbtp + 20) < 0.1);
	l = measure(2, x, n, 777);
	assert_true(fabs(l.integrated_lufs + 20.0) < 0.1);
	free(x);
}

static void
test_meter_gates_pauses_and_silence(void **state)
{
	int n = RATE * 10;
	float *x = calloc((size_t)n, sizeof *x);
	double ph = 0;
	struct media_loudness l;

	(void)state;
	l = measure(1, x, n, 1024);
	assert_false(l.measured);
	/* 3 s of tone at -23 LUFS in 7 s of pause: the pause is gated out;
	 * what counts are the 27 blocks inside the tone and the 6 that
	 * overlap its edges by 1/4 to 3/4: 30/33 of the tone's energy. */
	sine(x + RATE * 2, RATE * 3, 997, 0.1, &ph);
	l = measure(1, x, n, 1024);
	assert_true(l.measured);
	assert_true(fabs(l.integrated_lufs - (-23.01 + 10 * log10(30.0 / 33.0))) < 0.1);
	free(x);
}

struct sink {
	float *x;
	int n, cap;
};

static int
sink_emit(void *ud, const uint8_t *const *planes, int n, struct zpub_err *err)
{
	struct sink *s = ud;

	(void)err;
	assert_true(s->n + n <= s->cap);
	memcpy(s->x + s->n, planes[0], (size_t)n * sizeof(float));
	s->n += n;
	return 0;
}

/* The normaliser over x (mono) at gain_db; the output into s. */
static void
normalise(const float *x, int n, double gain_db, struct sink *s, int64_t *limited)
{
	struct media_lnorm *l = NULL;
	struct zpub_err err;

	s->cap = n;
	s->n = 0;
	s->x = calloc((size_t)n, sizeof(float));
	assert_int_equal(media_lnorm_new(RATE, 1, gain_db, MEDIA_TRUE_PEAK_DBTP, sink_emit, s,
	    &l, &err), 0);
	for (int off = 0; off < n; off += 1000) {
		const uint8_t *p[1] = { (const uint8_t *)(x + off) };

		assert_int_equal(media_lnorm_write(l, p, n - off < 1000 ? n - off : 1000, &err), 0);
	}
	assert_int_equal(media_lnorm_flush(l, &err), 0);
	*limited = media_lnorm_limited(l);
	media_lnorm_free(l);
	assert_int_equal(s->n, n);
}

static void
test_normaliser_gain_and_delay(void **state)
{
	int n = RATE * 2, d, i;
	float *x = malloc((size_t)n * sizeof *x);
	double ph = 0;
	struct sink s;
	int64_t limited;

	(void)state;
	ph = 0.5;                     /* no zero first: the delay shows */
	sine(x, n, 440, 0.05, &ph);   /* -26 dBFS: +6 dB leaves it far below the ceiling */
	normalise(x, n, 6.0, &s, &limited);
	assert_int_equal(limited, 0);
	/* Delayed by its look-ahead: find it, then every sample is x * 2. */
	for (d = 0; d < 1000 && fabsf(s.x[d]) < 1e-6f; d++)
		;
	assert_true(d < 1000);
	for (i = 0; i + d < n; i++)
		assert_true(fabsf(s.x[i + d] - x[i] * (float)pow(10, 6.0 / 20)) < 1e-5f);
	free(s.x);
	free(x);
}

static void
test_normaliser_holds_true_peak(void **state)
{
	int n = RATE * 3;
	float *x = malloc((size_t)n * sizeof *x);
	double ph = 0;
	struct sink s;
	struct media_loudness l;
	int64_t limited;

	(void)state;
	/* A tone near a quarter of the rate has inter-sample peaks above
	 * its samples; at -1 dBFS and 12 dB more it is 11 dB over. */
	sine(x, n, 11025.3, pow(10, -1.0 / 20), &ph);
	normalise(x, n, 12.0, &s, &limited);
	assert_true(limited > n / 2);
	l = measure(1, s.x, n, 4096);
	assert_true(l.measured);
	assert_true(l.true_peak_dbtp <= MEDIA_TRUE_PEAK_DBTP);
	assert_true(l.true_peak_dbtp > MEDIA_TRUE_PEAK_DBTP - 2);
	free(s.x);
	free(x);
}

static void
test_gain_arithmetic(void **state)
{
	struct media_loudness quiet = { 1, -35.0, -15.7 }, near = { 1, -16.3, -3.0 };
	struct media_loudness hot = { 1, -16.2, 0.5 }, none = { 0, 0, 0 };
	cJSON *cfg;
	double t;

	(void)state;
	assert_true(fabs(media_loudness_gain_db(&quiet, -16) - 19.0) < 1e-9);
	assert_true(fabs(media_loudness_gain_db(&none, -16)) < 1e-9);
	assert_true(media_loudness_needs_change(&quiet, 19.0));
	/* Within the tolerance and under the peak limit: left alone. */
	assert_false(media_loudness_needs_change(&near, 0.3));
	/* Loud enough, but its peaks are over: the limiter has work. */
	assert_true(media_loudness_needs_change(&hot, 0.2));
	assert_false(media_loudness_needs_change(&none, 0));
	/* The secant: 3 dB more gain gave 1.5 LU more (the limiter took half):
	 * 1 LU short needs 2 dB more. */
	assert_true(fabs(media_loudness_secant(19.0, -17.0, 3.0, -15.5, -16.0) - 21.0) < 1e-9);
	/* A slope outside 0.2..1 is held there. */
	assert_true(fabs(media_loudness_secant(0, -17.0, 3.0, -17.0, -16.0) - 5.0) < 1e-9);
	assert_true(fabs(media_loudness_secant(0, -17.0, 3.0, -11.0, -16.0) - 1.0) < 1e-9);

	cfg = cJSON_Parse("{\"processing\":{\"audio\":{}}}");
	assert_int_equal(media_loudness_target_from_config(cfg, &t), 1);
	assert_true(t == -16.0);
	cJSON_Delete(cfg);
	cfg = cJSON_Parse("{\"processing\":{\"audio\":{\"loudness_lufs\":-23}}}");
	assert_int_equal(media_loudness_target_from_config(cfg, &t), 1);
	assert_true(t == -23.0);
	cJSON_Delete(cfg);
	cfg = cJSON_Parse("{\"processing\":{\"audio\":{\"loudness_lufs\":-2}}}");
	assert_int_equal(media_loudness_target_from_config(cfg, &t), 1);
	assert_true(t == -5.0);
	cJSON_Delete(cfg);
	cfg = cJSON_Parse("{\"processing\":{\"audio\":{\"loudness_lufs\":null}}}");
	assert_int_equal(media_loudness_target_from_config(cfg, &t), 0);
	cJSON_Delete(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meter_reference_sine),
		cmocka_unit_test(test_meter_gates_pauses_and_silence),
		cmocka_unit_test(test_normaliser_gain_and_delay),
		cmocka_unit_test(test_normaliser_holds_true_peak),
		cmocka_unit_test(test_gain_arithmetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
