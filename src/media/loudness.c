/*
 * loudness.c — the loudness of a recording's audio, measured and evened out.
 *
 * The meter is ITU-R BS.1770 / EBU R128: K-weighting, 400 ms blocks every
 * 100 ms, gated at -70 LUFS and 10 LU below the ungated mean, into a
 * histogram (constant memory); the true peak by 4x oversampling, computed
 * only where a block comes near the peak found so far.  The normaliser
 * applies one gain and a look-ahead limiter on the 4x oversampled signal,
 * so the true peak stays below a ceiling without touching the rest; when
 * it will act, media_loudness_fit() tries the cut's audio at two gains and
 * takes the one the limited audio lands on the target with.  Both take
 * planar float audio; silence.c feeds the meter from the analysis's
 * decode, cut.c puts the normaliser before its AAC encoder.
 */
#include "media_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define LOUD_TARGET_DEFAULT -16.0
#define LOUD_TARGET_MIN -40.0
#define LOUD_TARGET_MAX -5.0
#define LOUD_GATE_ABS -70.0
#define LOUD_GATE_REL 10.0
#define LOUD_HIST_LO -70.0        /* histogram of block loudness, 0.05 LU bins */
#define LOUD_HIST_STEP 0.05
#define LOUD_HIST_N 1700           /* up to +15 LUFS */
#define TP_PHASES 4                /* true peak: 4x oversampling ... */
#define TP_TAPS 12                 /* ... with 12 taps a phase */
#define TP_DELAY 6                 /* the interpolator's delay in samples */
#define LIM_LOOKAHEAD_MS 5
#define LIM_RELEASE_MS 40
#define LIM_MARGIN_DB 1.5          /* below the ceiling: what AAC adds to peaks */

/* fmaxf is a call into libm unless -ffast-math: this is inlined. */
#define MAXF(a, b) ((a) > (b) ? (a) : (b))
#define TP_BLOCK 64                /* the true peak skips blocks this long */

/* ---- settings and the arithmetic -------------------------------------- */

int
media_loudness_target_from_config(const cJSON *cfg, double *lufs)
{
	const cJSON *v = config_find(cfg, "processing.audio.loudness_lufs");

	*lufs = LOUD_TARGET_DEFAULT;
	if (cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble))
		*lufs = fmin(fmax(v->valuedouble, LOUD_TARGET_MIN), LOUD_TARGET_MAX);
	return 1;
}

double
media_loudness_gain_db(const struct media_loudness *m, double target_lufs)
{
	if (m == NULL || !m->measured)
		return 0;
	return target_lufs - m->integrated_lufs;
}

int
media_loudness_needs_change(const struct media_loudness *m, double gain_db)
{
	if (m == NULL || !m->measured)
		return 0;
	return fabs(gain_db) >= MEDIA_LOUDNESS_TOLERANCE_LU ||
	    m->true_peak_dbtp + gain_db > MEDIA_TRUE_PEAK_DBTP;
}

double
media_loudness_secant(double gain_db, double lufs, double step_db, double lufs_step,
    double target_lufs)
{
	/* Loudness grows with the gain, by at most as much (less where the
	 * limiter holds the peaks), never by nothing. */
	double slope = (lufs_step - lufs) / step_db;

	if (!(slope >= 0.2))
		slope = 0.2;
	if (slope > 1.0)
		slope = 1.0;
	return gain_db + (target_lufs - lufs) / slope;
}

static double
round1(double x)
{
	return round(x * 10.0) / 10.0;
}

cJSON *
media_loudness_to_json(const struct media_loudness *m)
{
	cJSON *j = cJSON_CreateObject();

	if (!m->measured) {
		cJSON_AddNullToObject(j, "integrated_lufs");
		cJSON_AddNullToObject(j, "true_peak_dbtp");
		return j;
	}
	cJSON_AddNumberToObject(j, "integrated_lufs", round1(m->integrated_lufs));
	cJSON_AddNumberToObject(j, "true_peak_dbtp", round1(m->true_peak_dbtp));
	return j;
}

/* ---- true peak: a 4x windowed-sinc interpolator ----------------------- */

/* h[p][k]: the signal at n - TP_DELAY + p/4 is sum_k h[p][k] x[n - k]. */
static void
tp_coeffs(float h[TP_PHASES][TP_TAPS], double *gain_bound)
{
	*gain_bound = 0;
	for (int p = 0; p < TP_PHASES; p++) {
		double sum = 0, abs_sum = 0;

		for (int k = 0; k < TP_TAPS; k++) {
			double u = k - TP_DELAY + (double)p / TP_PHASES;
			double s = u == 0 ? 1.0 : sin(M_PI * u) / (M_PI * u);
			double w = 0.5 * (1.0 + cos(M_PI * u / (TP_DELAY + 0.5)));

			h[p][k] = (float)(s * w);
			sum += s * w;
		}
		for (int k = 0; k < TP_TAPS; k++) {
			h[p][k] = (float)(h[p][k] / sum);   /* DC passes unchanged */
			abs_sum += fabs(h[p][k]);
		}
		if (abs_sum > *gain_bound)
			*gain_bound = abs_sum;
	}
}

/* Largest magnitude among the four interpolated points of an interval:
 * x[0] .. x[TP_TAPS - 1] the taps, newest last. */
static float
tp_point_fwd(const float h[TP_PHASES][TP_TAPS], const float *x)
{
	float best = fabsf(x[TP_TAPS - 1 - TP_DELAY]);

	for (int p = 1; p < TP_PHASES; p++) {
		float y = 0;

		for (int k = 0; k < TP_TAPS; k++)
			y += h[p][k] * x[TP_TAPS - 1 - k];
		best = MAXF(best, fabsf(y));
	}
	return best;
}

/* The largest magnitude of n samples.  On the bits: for floats without
 * their sign the order of the bits is the order of the values, and a
 * maximum of integers vectorises where one of floats does not. */
static float
block_max(const float *x, int n)
{
	uint32_t mx = 0;
	float f;

	for (int i = 0; i < n; i++) {
		uint32_t u;

		memcpy(&u, &x[i], sizeof u);
		u &= 0x7fffffffu;
		mx = u > mx ? u : mx;
	}
	memcpy(&f, &mx, sizeof f);
	return f;
}

/* ---- the meter -------------------------------------------------------- */

#define LM_MAX_CH 2

struct biquad {
	double b0, b1, b2, a1, a2;
};

struct media_lmeter {
	int rate, channels;
	struct biquad shelf, hp;              /* K-weighting */
	double z[LM_MAX_CH][6];               /* filter states: x1 x2 y1 y2 w1 w2 */
	int64_t sub_n, sub_len;               /* 100 ms sub-blocks */
	int decim, skip;                      /* K-weighting on every decim-th sample */
	double sub_sum, subs[4];
	int64_t sub_taken;                    /* samples in sub_sum */
	int n_subs;
	double hist_sum[LOUD_HIST_N];
	int64_t hist_cnt[LOUD_HIST_N];
	double gated_sum;                     /* blocks above the absolute gate */
	int64_t gated_n;
	float tp_h[TP_PHASES][TP_TAPS];
	double tp_bound;
	float *tp_work[LM_MAX_CH];            /* TP_TAPS - 1 older samples + a push */
	int tp_cap;
	float peak;                           /* largest magnitude, linear */
	SwrContext *swr;                      /* source frames -> planar float */
	float *buf[LM_MAX_CH];
	int buf_cap;
	int failed;
};

/* The K-weighting of BS.1770 for any rate: the pre-filter (a high shelf)
 * and the RLB high-pass, as libebur128 derives them. */
static void
k_weighting(int rate, struct biquad *shelf, struct biquad *hp)
{
	double f0 = 1681.974450955533, g = 3.999843853973347, q = 0.7071752369554196;
	double k = tan(M_PI * f0 / rate), vh = pow(10.0, g / 20.0);
	double vb = pow(vh, 0.4996667741545416), a0 = 1.0 + k / q + k * k;

	shelf->b0 = (vh + vb * k / q + k * k) / a0;
	shelf->b1 = 2.0 * (k * k - vh) / a0;
	shelf->b2 = (vh - vb * k / q + k * k) / a0;
	shelf->a1 = 2.0 * (k * k - 1.0) / a0;
	shelf->a2 = (1.0 - k / q + k * k) / a0;
	f0 = 38.13547087602444;
	q = 0.5003270373238773;
	k = tan(M_PI * f0 / rate);
	a0 = 1.0 + k / q + k * k;
	hp->b0 = 1.0;
	hp->b1 = -2.0;
	hp->b2 = 1.0;
	hp->a1 = 2.0 * (k * k - 1.0) / a0;
	hp->a2 = (1.0 - k / q + k * k) / a0;
}

int
media_lmeter_new(int rate, int channels, struct media_lmeter **out, struct zpub_err *err)
{
	struct media_lmeter *m;

	*out = NULL;
	if (rate <= 0 || channels < 1)
		return zpub_err_set(err, ZPUB_EINVAL, "loudness meter: bad audio format");
	m = xcalloc(1, sizeof *m);
	m->rate = rate;
	m->channels = channels > 1 ? 2 : 1;
	/* Above 32 kHz every other sample is enough for the energy: what
	 * folds down from above half the rate lands where the K-weighting is
	 * as flat (+4 dB above 2 kHz), and halves the meter's cost. */
	m->decim = rate >= 32000 ? 2 : 1;
	k_weighting(rate / m->decim, &m->shelf, &m->hp);
	m->sub_len = (rate + 5) / 10;
	tp_coeffs(m->tp_h, &m->tp_bound);
	*out = m;
	return 0;
}

static void
lm_block(struct media_lmeter *m)
{
	double z, l;
	int bin;

	memmove(m->subs, m->subs + 1, 3 * sizeof *m->subs);
	m->subs[3] = m->sub_taken > 0 ? m->sub_sum / (double)m->sub_taken : 0;
	m->sub_sum = 0;
	m->sub_taken = 0;
	m->sub_n = 0;
	if (++m->n_subs < 4)
		return;
	z = (m->subs[0] + m->subs[1] + m->subs[2] + m->subs[3]) / 4.0;
	if (z <= 0)
		return;
	l = -0.691 + 10.0 * log10(z);
	if (l <= LOUD_GATE_ABS)
		return;
	bin = (int)((l - LOUD_HIST_LO) / LOUD_HIST_STEP);
	if (bin >= LOUD_HIST_N)
		bin = LOUD_HIST_N - 1;
	m->hist_sum[bin] += z;
	m->hist_cnt[bin]++;
	m->gated_sum += z;
	m->gated_n++;
}

/* The K-weighted energy of n samples.  Direct form I, the feedback term
 * last: one multiply and one add a sample on each filter's critical path
 * (the two filters overlap), the shelf's outputs are the high-pass's
 * inputs. */
static double
lm_kweigh(const struct media_lmeter *m, double *z, const float *x, int n)
{
	const struct biquad *f = &m->shelf, *h = &m->hp;
	double x1 = z[0], x2 = z[1], y1 = z[2], y2 = z[3], w1 = z[4], w2 = z[5];
	double acc = 0;

	for (int k = m->skip; k < n; k += m->decim) {
		double in = x[k];
		double y = (f->b0 * in + f->b1 * x1 + f->b2 * x2 - f->a2 * y2) - f->a1 * y1;
		double w = (y - 2.0 * y1 + y2 - h->a2 * w2) - h->a1 * w1;

		acc += w * w;
		x2 = x1, x1 = in;
		y2 = y1, y1 = y;
		w2 = w1, w1 = w;
	}
	z[0] = x1, z[1] = x2, z[2] = y1, z[3] = y2, z[4] = w1, z[5] = w2;
	return acc;
}

/* The true peak of one channel's n samples: the interpolator runs only on
 * blocks that (with the taps before them) could beat the peak so far. */
static void
lm_peak(struct media_lmeter *m, int ch, const float *x, int n)
{
	float *w, prev = 0;
	int i, b;

	if (n + TP_TAPS > m->tp_cap) {
		m->tp_cap = n + TP_TAPS + 1024;
		for (int c = 0; c < m->channels; c++) {
			float *old = m->tp_work[c];

			m->tp_work[c] = xcalloc((size_t)m->tp_cap, sizeof(float));
			if (old != NULL)
				memcpy(m->tp_work[c], old, (TP_TAPS - 1) * sizeof(float));
			free(old);
		}
	}
	w = m->tp_work[ch];
	memcpy(w + TP_TAPS - 1, x, (size_t)n * sizeof *x);
	prev = block_max(w, TP_TAPS - 1);
	for (b = 0; b < n; b += TP_BLOCK) {
		int len = n - b < TP_BLOCK ? n - b : TP_BLOCK;
		float mx = block_max(x + b, len);

		if ((double)MAXF(mx, prev) * m->tp_bound > (double)m->peak)
			for (i = b; i < b + len; i++)
				m->peak = MAXF(m->peak, tp_point_fwd(m->tp_h, w + i));
		prev = mx;
	}
	/* The newest taps stay for the next push. */
	memmove(w, w + n, (TP_TAPS - 1) * sizeof *w);
}

void
media_lmeter_push(struct media_lmeter *m, const float *const *planes, int n)
{
	int i = 0, c;

	for (c = 0; c < m->channels; c++)
		lm_peak(m, c, planes[c], n);
	while (i < n) {
		int take = (int)(m->sub_len - m->sub_n);
		double acc = 0;

		if (take > n - i)
			take = n - i;
		for (c = 0; c < m->channels; c++)
			acc += lm_kweigh(m, m->z[c], planes[c] + i, take);
		if (take > m->skip)
			m->sub_taken += (take - m->skip + m->decim - 1) / m->decim;
		m->skip = ((m->skip - take) % m->decim + m->decim) % m->decim;
		m->sub_sum += acc;
		m->sub_n += take;
		i += take;
		if (m->sub_n == m->sub_len)
			lm_block(m);
	}
}

/* Decoded frames (any format and layout) as the cut will encode them:
 * mono, or stereo for anything with more channels. */
void
media_lmeter_frame(void *ud, const AVFrame *f)
{
	struct media_lmeter *m = ud;
	AVChannelLayout lay, in = {0};
	int got;

	if (m->failed || f->nb_samples <= 0)
		return;
	if (f->sample_rate == m->rate && f->ch_layout.nb_channels == m->channels &&
	    (f->format == AV_SAMPLE_FMT_FLTP ||
	    (f->format == AV_SAMPLE_FMT_FLT && m->channels == 1))) {
		/* Already as the meter takes it (AAC, MP3, Opus mono). */
		media_lmeter_push(m, (const float *const *)f->extended_data, f->nb_samples);
		return;
	}
	if (m->swr == NULL) {
		av_channel_layout_default(&lay, m->channels);
		if (av_channel_layout_copy(&in, &f->ch_layout) < 0 ||
		    swr_alloc_set_opts2(&m->swr, &lay, AV_SAMPLE_FMT_FLTP, m->rate, &in,
		    f->format, f->sample_rate, 0, NULL) < 0 || swr_init(m->swr) < 0)
			m->failed = 1;
		av_channel_layout_uninit(&in);
		if (m->failed)
			return;
	}
	if (f->nb_samples + 64 > m->buf_cap) {
		m->buf_cap = f->nb_samples + 64;
		for (int c = 0; c < m->channels; c++)
			m->buf[c] = xreallocarray(m->buf[c], (size_t)m->buf_cap, sizeof(float));
	}
	got = swr_convert(m->swr, (uint8_t **)m->buf, m->buf_cap,
	    (const uint8_t **)f->extended_data, f->nb_samples);
	if (got < 0) {
		m->failed = 1;
		return;
	}
	media_lmeter_push(m, (const float *const *)m->buf, got);
}

void
media_lmeter_result(const struct media_lmeter *m, struct media_loudness *out)
{
	double gate, sum = 0;
	int64_t cnt = 0;

	memset(out, 0, sizeof *out);
	if (m == NULL || m->failed || m->gated_n == 0)
		return;
	gate = -0.691 + 10.0 * log10(m->gated_sum / (double)m->gated_n) - LOUD_GATE_REL;
	for (int b = 0; b < LOUD_HIST_N; b++) {
		/* The bin the gate falls in goes by its middle. */
		if (LOUD_HIST_LO + (b + 0.5) * LOUD_HIST_STEP <= gate)
			continue;
		sum += m->hist_sum[b];
		cnt += m->hist_cnt[b];
	}
	if (cnt == 0)
		return;
	out->measured = 1;
	out->integrated_lufs = -0.691 + 10.0 * log10(sum / (double)cnt);
	out->true_peak_dbtp = m->peak > 0 ? 20.0 * log10(m->peak) : -HUGE_VAL;
}

void
media_lmeter_free(struct media_lmeter *m)
{
	if (m == NULL)
		return;
	swr_free(&m->swr);
	for (int c = 0; c < LM_MAX_CH; c++) {
		free(m->buf[c]);
		free(m->tp_work[c]);
	}
	free(m);
}

/* ---- the normaliser: gain and a true-peak limiter --------------------- */

#define LN_MAX_CH 8
#define LN_BLOCK 256                          /* samples a step works on */

struct media_lnorm {
	int channels;
	float gain, ceiling;
	float tp_h[TP_PHASES][TP_TAPS];
	double tp_bound;
	int look;                             /* look-ahead in samples */
	int delay;                            /* look + TP_DELAY */
	float *w[LN_MAX_CH];                  /* TP_TAPS - 1 older gained samples + a block */
	float *dl[LN_MAX_CH];                 /* delay samples held back + a block */
	/* sliding minimum of the wanted gain over look + 2 points */
	float *dq_v;
	int64_t *dq_i;
	int dq_head, dq_n, dq_cap, win;
	int64_t idx;                          /* points seen */
	float env, release;                   /* held gain and its recovery */
	float *box;                           /* the last look envelopes ... */
	double box_sum;                       /* ... and their sum */
	double inv_look;
	int box_pos;
	int64_t ones;                         /* envelopes in a row at full gain */
	int64_t primed;                       /* output samples still owed to the delay */
	float *out[LN_MAX_CH];
	int64_t limited;                      /* samples put out below full gain */
	media_emit_fn emit;
	void *ud;
};

int
media_lnorm_new(int rate, int channels, double gain_db, double ceiling_dbtp,
    media_emit_fn emit, void *ud, struct media_lnorm **out, struct zpub_err *err)
{
	struct media_lnorm *l;

	*out = NULL;
	if (rate <= 0 || channels < 1 || channels > LN_MAX_CH)
		return zpub_err_set(err, ZPUB_EINVAL,
		    "cannot even out the loudness of audio with %d channels", channels);
	l = xcalloc(1, sizeof *l);
	l->channels = channels;
	l->gain = (float)pow(10.0, gain_db / 20.0);
	l->ceiling = (float)pow(10.0, (ceiling_dbtp - LIM_MARGIN_DB) / 20.0);
	tp_coeffs(l->tp_h, &l->tp_bound);
	l->look = rate * LIM_LOOKAHEAD_MS / 1000;
	if (l->look < 1)
		l->look = 1;
	l->delay = l->look + TP_DELAY;
	for (int c = 0; c < channels; c++) {
		l->w[c] = xcalloc(TP_TAPS - 1 + LN_BLOCK, sizeof(float));
		l->dl[c] = xcalloc((size_t)l->delay + LN_BLOCK, sizeof(float));
		l->out[c] = xcalloc(LN_BLOCK, sizeof(float));
	}
	l->win = l->look + 2;
	l->dq_cap = l->win + 1;
	l->dq_v = xcalloc((size_t)l->dq_cap, sizeof *l->dq_v);
	l->dq_i = xcalloc((size_t)l->dq_cap, sizeof *l->dq_i);
	l->box = xcalloc((size_t)l->look, sizeof *l->box);
	for (int i = 0; i < l->look; i++)
		l->box[i] = 1.0f;
	l->box_sum = l->look;
	l->inv_look = 1.0 / l->look;
	l->ones = l->look;
	l->env = 1.0f;
	l->dq_v[0] = 1.0f;                    /* as if a full-gain point came before */
	l->dq_i[0] = -1;
	l->dq_n = 1;
	l->release = (float)(1.0 - exp(-1.0 / (rate * LIM_RELEASE_MS / 1000.0)));
	l->primed = l->delay;
	l->emit = emit;
	l->ud = ud;
	*out = l;
	return 0;
}

/* The wanted gain of the newest point enters the window; the oldest leaves. */
static float
ln_window_min(struct media_lnorm *l, float r)
{
	int pos;

	while (l->dq_n > 0) {
		pos = l->dq_head + l->dq_n - 1;
		if (pos >= l->dq_cap)
			pos -= l->dq_cap;
		if (l->dq_v[pos] < r)
			break;
		l->dq_n--;
	}
	pos = l->dq_head + l->dq_n;
	if (pos >= l->dq_cap)
		pos -= l->dq_cap;
	l->dq_v[pos] = r;
	l->dq_i[pos] = l->idx;
	l->dq_n++;
	while (l->dq_i[l->dq_head] <= l->idx - l->win) {
		if (++l->dq_head == l->dq_cap)
			l->dq_head = 0;
		l->dq_n--;
	}
	return l->dq_v[l->dq_head];
}

/* The gain of one point: the window's minimum, held and released, then
 * averaged over the look-ahead so it is down before the peak arrives. */
static float
ln_envelope(struct media_lnorm *l, float r)
{
	float g;

	r = ln_window_min(l, r);
	l->idx++;
	if (r < l->env)
		l->env = r;
	else if (1.0f - l->env < 1e-5f)
		l->env = 1.0f;                /* float rounding would never get there */
	else
		l->env += (r - l->env) * l->release;
	l->ones = l->env == 1.0f ? l->ones + 1 : 0;
	l->box_sum += (double)l->env - (double)l->box[l->box_pos];
	l->box[l->box_pos] = l->env;
	if (++l->box_pos == l->look) {
		/* Rounding must not pile up over hours: add it up anew. */
		l->box_pos = 0;
		l->box_sum = 0;
		for (int k = 0; k < l->look; k++)
			l->box_sum += l->box[k];
	}
	if (l->ones >= l->look)
		return 1.0f;
	g = (float)(l->box_sum * l->inv_look);
	return g > 1.0f ? 1.0f : g;
}

/* n <= LN_BLOCK samples of every channel (x NULL: silence). */
static int
ln_block(struct media_lnorm *l, const float *const *x, int n, struct zpub_err *err)
{
	float g[LN_BLOCK], mx = 0;
	int c, i, near, skip;

	for (c = 0; c < l->channels; c++) {
		float *w = l->w[c] + TP_TAPS - 1;

		if (x != NULL)
			for (i = 0; i < n; i++)
				w[i] = x[c][i] * l->gain;
		else
			memset(w, 0, (size_t)n * sizeof *w);
		memcpy(l->dl[c] + l->delay, w, (size_t)n * sizeof *w);
		mx = MAXF(mx, block_max(l->w[c], TP_TAPS - 1 + n));
	}
	near = (double)mx * l->tp_bound > (double)l->ceiling;
	if (!near && l->ones >= l->look && l->dq_n == 1 && l->dq_v[l->dq_head] == 1.0f) {
		/* Far from the ceiling and nothing held: full gain throughout. */
		l->dq_i[l->dq_head] = l->idx + n - 1;
		l->idx += n;
		l->ones += n;
		for (i = 0; i < n; i++)
			g[i] = 1.0f;
	} else
		for (i = 0; i < n; i++) {
			float peak = 0;

			if (near)
				for (c = 0; c < l->channels; c++)
					peak = MAXF(peak, tp_point_fwd(l->tp_h, l->w[c] + i));
			g[i] = ln_envelope(l, peak > l->ceiling ? l->ceiling / peak : 1.0f);
		}
	/* dl[c][i] went in delay samples before the point g[i] is for. */
	skip = l->primed < n ? (int)l->primed : n;
	l->primed -= skip;
	for (i = skip; i < n; i++)
		if (g[i] < 0.9999f)
			l->limited++;
	for (c = 0; c < l->channels; c++) {
		for (i = skip; i < n; i++)
			l->out[c][i - skip] = l->dl[c][i] * g[i];
		memmove(l->dl[c], l->dl[c] + n, (size_t)l->delay * sizeof(float));
		memmove(l->w[c], l->w[c] + n, (TP_TAPS - 1) * sizeof(float));
	}
	if (n > skip) {
		const uint8_t *p[LN_MAX_CH];

		for (c = 0; c < l->channels; c++)
			p[c] = (const uint8_t *)l->out[c];
		return l->emit(l->ud, p, n - skip, err);
	}
	return 0;
}

int
media_lnorm_write(void *ud, const uint8_t *const *planes, int n, struct zpub_err *err)
{
	struct media_lnorm *l = ud;
	const float *x[LN_MAX_CH];
	int off, rc;

	for (off = 0; off < n; off += LN_BLOCK) {
		int take = n - off > LN_BLOCK ? LN_BLOCK : n - off;

		if (planes != NULL)
			for (int c = 0; c < l->channels; c++)
				x[c] = (const float *)planes[c] + off;
		if ((rc = ln_block(l, planes != NULL ? x : NULL, take, err)) < 0)
			return rc;
	}
	return 0;
}

int
media_lnorm_flush(struct media_lnorm *l, struct zpub_err *err)
{
	/* What the delay holds back comes out behind silence: as many
	 * samples out as went in. */
	return media_lnorm_write(l, NULL, l->delay, err);
}

int64_t
media_lnorm_limited(const struct media_lnorm *l)
{
	return l->limited;
}

void
media_lnorm_free(struct media_lnorm *l)
{
	if (l == NULL)
		return;
	for (int c = 0; c < l->channels; c++) {
		free(l->w[c]);
		free(l->dl[c]);
		free(l->out[c]);
	}
	free(l->dq_v);
	free(l->dq_i);
	free(l->box);
	free(l);
}

/* ---- the gain, fitted to what the limiter leaves ---------------------- */

/* The second trial gain lies this far above the first: the fitted gain
 * usually falls between the two, where the secant is good. */
#define FIT_STEP_DB 3.0

static int
fit_emit(void *ud, const uint8_t *const *planes, int n, struct zpub_err *err)
{
	(void)err;
	media_lmeter_push(ud, (const float *const *)planes, n);
	return 0;
}

/* Both trials see every sample of the map. */
static int
fit_both(void *ud, const uint8_t *const *planes, int n, struct zpub_err *err)
{
	struct media_lnorm **l = ud;
	int rc;

	if ((rc = media_lnorm_write(l[0], planes, n, err)) < 0)
		return rc;
	return media_lnorm_write(l[1], planes, n, err);
}

static int
loudness_fit(const char *path, const struct media_timemap *tm, double target_lufs,
    double *gain_db, struct zpub_err *err)
{
	struct media_areader *r = NULL;
	struct media_lmeter *m[2] = {NULL, NULL};
	struct media_lnorm *l[2] = {NULL, NULL};
	struct media_seg_feed feed;
	struct media_loudness got[2];
	AVChannelLayout lay;
	int rc, rate, ch, k;

	if (tm->n == 0)
		return 0;
	if ((rc = media_areader_open(path, 0, NULL, AV_SAMPLE_FMT_FLTP, &r, err)) < 0)
		return rc;
	if (media_areader_par(r)->ch_layout.nb_channels > 1) {
		/* As the cut reads it: stereo for anything with more channels. */
		media_areader_free(r);
		r = NULL;
		av_channel_layout_default(&lay, 2);
		if ((rc = media_areader_open(path, 0, &lay, AV_SAMPLE_FMT_FLTP, &r, err)) < 0)
			return rc;
	}
	rate = media_areader_rate(r);
	ch = media_areader_channels(r);
	for (k = 0; k < 2; k++)
		if ((rc = media_lmeter_new(rate, ch, &m[k], err)) < 0 ||
		    (rc = media_lnorm_new(rate, ch, *gain_db + k * FIT_STEP_DB, MEDIA_TRUE_PEAK_DBTP,
		    fit_emit, m[k], &l[k], err)) < 0)
			goto out;
	media_seg_feed_init(&feed, tm, rate, ch, AV_SAMPLE_FMT_FLTP, fit_both, l);
	for (;;) {
		uint8_t **planes;
		int64_t pos;
		int n;

		if ((rc = media_areader_next(r, &planes, &n, &pos, err)) < 0)
			goto out;
		if (rc == 0 || feed.seg >= tm->n)
			break;
		if ((rc = media_seg_feed_push(&feed, planes, n, pos, err)) < 0)
			goto out;
	}
	if ((rc = media_seg_feed_finish(&feed, err)) < 0)
		goto out;
	for (k = 0; k < 2; k++) {
		if ((rc = media_lnorm_flush(l[k], err)) < 0)
			goto out;
		media_lmeter_result(m[k], &got[k]);
	}
	if (got[0].measured && got[1].measured)
		*gain_db = media_loudness_secant(*gain_db, got[0].integrated_lufs, FIT_STEP_DB,
		    got[1].integrated_lufs, target_lufs);
	rc = 0;
out:
	for (k = 0; k < 2; k++) {
		media_lnorm_free(l[k]);
		media_lmeter_free(m[k]);
	}
	media_areader_free(r);
	return rc;
}

/* A long cut is fitted on a quarter of it: every fourth FIT_WINDOW_MS of
 * the output, which is plenty for a loudness and quarters the limiter's
 * work (the audio is decoded whole either way). */
#define FIT_WINDOW_MS 10000
#define FIT_SAMPLE_FROM_MS 240000

static void
fit_sample(const struct media_timemap *tm, struct media_timemap *out)
{
	int64_t k;

	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < tm->n; i++) {
		const struct media_seg *g = &tm->seg[i];
		int64_t len = g->src_end_ms - g->src_start_ms;

		for (k = g->out_start_ms / FIT_WINDOW_MS; k * FIT_WINDOW_MS < g->out_start_ms + len;
		    k++) {
			int64_t a = k * FIT_WINDOW_MS - g->out_start_ms + g->src_start_ms;
			int64_t b = a + FIT_WINDOW_MS;

			if (k % 4 != 0)
				continue;
			a = a < g->src_start_ms ? g->src_start_ms : a;
			b = b > g->src_end_ms ? g->src_end_ms : b;
			if (b <= a)
				continue;
			out->seg = xreallocarray(out->seg, out->n + 1, sizeof *out->seg);
			out->seg[out->n++] = (struct media_seg){ a, b, out->out_duration_ms };
			out->out_duration_ms += b - a;
		}
	}
	out->src_duration_ms = tm->src_duration_ms;
}

int
media_loudness_fit(const char *path, const struct media_timemap *tm, double target_lufs,
    double *gain_db, struct zpub_err *err)
{
	struct media_timemap part;
	int rc;

	if (tm->out_duration_ms < FIT_SAMPLE_FROM_MS)
		return loudness_fit(path, tm, target_lufs, gain_db, err);
	fit_sample(tm, &part);
	rc = loudness_fit(path, part.n > 0 ? &part : tm, target_lufs, gain_db, err);
	media_timemap_clear(&part);
	return rc;
}
