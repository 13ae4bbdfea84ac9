/*
 * transcribe.c — speech to a timed transcript, behind one interface.
 *
 * tr_transcribe() takes the media stage's audio chunks (16 kHz mono FLAC,
 * each with its offset on the output timeline) and returns one transcript.
 * Engines: `pocketsphinx` (here: offline English; the audio is decoded with
 * libav*, cut into utterances at pauses by an energy detector, and decoded
 * on up to two threads, each with its own decoder, word times from the
 * recogniser's frames) and `openai-compatible` (transcribe_openai.c).  This
 * file also holds the shared audio helpers: decoding to PCM and dropping
 * words that an engine placed in silence.
 */
#include "ai.h"
#include "text.h"
#include "media.h"
#include "util.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

#if ZPUB_HAVE_POCKETSPHINX
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#endif

#define SR 16000

/* ---- decoding ------------------------------------------------------------- */

static int
av_fail(struct zpub_err *err, int averr, const char *what, const char *path)
{
	char buf[AV_ERROR_MAX_STRING_SIZE];
	av_strerror(averr, buf, sizeof buf);
	return zpub_err_set(err, ZPUB_EMEDIA, "cannot %s %s: %s", what, path, buf);
}

static int
pcm_append(int16_t **pcm, size_t *n, size_t *cap, const int16_t *src, size_t count)
{
	if (*n + count > *cap) {
		size_t nc = *cap ? *cap : SR * 60;
		while (nc < *n + count)
			nc *= 2;
		int16_t *np = realloc(*pcm, nc * sizeof *np);
		if (np == NULL)
			return ZPUB_ENOMEM;
		*pcm = np;
		*cap = nc;
	}
	memcpy(*pcm + *n, src, count * sizeof *src);
	*n += count;
	return 0;
}

/* One decoding of a file to 16 kHz mono PCM. */
struct pcm_dec {
	const char *path;
	AVFormatContext *fmt;
	AVCodecContext *dec;
	SwrContext *swr;
	AVPacket *pkt;
	AVFrame *frame;
	int si;                 /* the audio stream */
	int16_t *pcm, *tmp;     /* the result; one frame resampled */
	size_t n, cap, tmp_cap;
};

/* Opens the best audio stream, its decoder and the resampler to SR mono. */
static int
pcm_open(struct pcm_dec *d, struct zpub_err *err)
{
	const char *path = d->path;
	const AVCodec *codec = NULL;
	int rc, ar;

	if ((rc = media_open_input(path, &d->fmt, err)) != 0)
		return rc;
	d->si = av_find_best_stream(d->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
	if (d->si < 0 || codec == NULL)
		return zpub_err_set(err, ZPUB_EMEDIA, "%s has no audio stream to transcribe", path);
	d->dec = avcodec_alloc_context3(codec);
	if (d->dec == NULL ||
	    avcodec_parameters_to_context(d->dec, d->fmt->streams[d->si]->codecpar) < 0)
		return zpub_err_set(err, ZPUB_EMEDIA, "cannot set up the audio decoder for %s", path);
	if ((ar = avcodec_open2(d->dec, codec, NULL)) < 0)
		return av_fail(err, ar, "open the audio decoder for", path);
	AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
	AVChannelLayout in_layout;
	if (d->dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || d->dec->ch_layout.nb_channels == 0)
		av_channel_layout_default(&in_layout, d->dec->ch_layout.nb_channels > 0 ?
		    d->dec->ch_layout.nb_channels : 1);
	else if (av_channel_layout_copy(&in_layout, &d->dec->ch_layout) < 0)
		return zpub_err_set(err, ZPUB_ENOMEM, "out of memory decoding %s", path);
	ar = swr_alloc_set_opts2(&d->swr, &mono, AV_SAMPLE_FMT_S16, SR, &in_layout,
	    d->dec->sample_fmt, d->dec->sample_rate, 0, NULL);
	av_channel_layout_uninit(&in_layout);
	if (ar < 0 || (ar = swr_init(d->swr)) < 0)
		return av_fail(err, ar, "set up resampling for", path);
	return 0;
}

/* The whole decoded audio is the one allocation the input's length decides. */
static int
too_long(const struct pcm_dec *d, struct zpub_err *err)
{
	return zpub_err_set(err, ZPUB_ENOMEM, "the audio of %s is too long to hold in memory"
	    " (%zu minutes decoded so far)", d->path, d->n / SR / 60);
}

/* Every frame the decoder has ready, resampled onto the result. */
static int
pcm_drain(struct pcm_dec *d, struct zpub_err *err)
{
	const char *path = d->path;

	for (;;) {
		int ar = avcodec_receive_frame(d->dec, d->frame);
		if (ar == AVERROR(EAGAIN) || ar == AVERROR_EOF)
			return 0;
		if (ar < 0)
			return av_fail(err, ar, "decode", path);
		int want = swr_get_out_samples(d->swr, d->frame->nb_samples);
		if ((size_t)want > d->tmp_cap) {
			free(d->tmp);
			d->tmp_cap = (size_t)want + 1024;
			d->tmp = xreallocarray(NULL, d->tmp_cap, sizeof *d->tmp);
		}
		uint8_t *dst = (uint8_t *)d->tmp;
		int got = swr_convert(d->swr, &dst, (int)d->tmp_cap,
		    (const uint8_t **)d->frame->extended_data, d->frame->nb_samples);
		av_frame_unref(d->frame);
		if (got < 0)
			return av_fail(err, got, "resample", path);
		if (pcm_append(&d->pcm, &d->n, &d->cap, d->tmp, (size_t)got) != 0)
			return too_long(d, err);
	}
}

/* What the resampler still holds. */
static int
pcm_flush(struct pcm_dec *d, struct zpub_err *err)
{
	for (;;) {
		int16_t fl[4096];
		uint8_t *dst = (uint8_t *)fl;
		int got = swr_convert(d->swr, &dst, 4096, NULL, 0);
		if (got <= 0)
			return 0;
		if (pcm_append(&d->pcm, &d->n, &d->cap, fl, (size_t)got) != 0)
			return too_long(d, err);
	}
}

int
tr_decode_pcm16k(const char *path, int16_t **out, size_t *n_out, struct zpub_err *err)
{
	struct pcm_dec d = { .path = path };
	int rc = 0, ar, eof = 0;

	d.pkt = av_packet_alloc();
	d.frame = av_frame_alloc();
	if (d.pkt == NULL || d.frame == NULL) {
		rc = zpub_err_set(err, ZPUB_ENOMEM, "out of memory decoding %s", path);
		goto out;
	}
	if ((rc = pcm_open(&d, err)) != 0)
		goto out;
	while (!eof) {
		ar = av_read_frame(d.fmt, d.pkt);
		if (ar == AVERROR_EOF) {
			eof = 1;
			ar = avcodec_send_packet(d.dec, NULL);
		} else if (ar < 0) {
			rc = av_fail(err, ar, "read", path);
			goto out;
		} else {
			if (d.pkt->stream_index != d.si) {
				av_packet_unref(d.pkt);
				continue;
			}
			ar = avcodec_send_packet(d.dec, d.pkt);
			av_packet_unref(d.pkt);
		}
		if (ar < 0 && ar != AVERROR(EAGAIN) && ar != AVERROR_EOF) {
			rc = av_fail(err, ar, "decode", path);
			goto out;
		}
		if ((rc = pcm_drain(&d, err)) != 0)
			goto out;
	}
	if ((rc = pcm_flush(&d, err)) != 0)
		goto out;
	*out = d.pcm;
	*n_out = d.n;
	d.pcm = NULL;
out:
	free(d.pcm);
	free(d.tmp);
	swr_free(&d.swr);
	avcodec_free_context(&d.dec);
	avformat_close_input(&d.fmt);
	av_packet_free(&d.pkt);
	av_frame_free(&d.frame);
	return rc;
}

/* ---- speech / silence ----------------------------------------------------- */

#define FRAME 160 /* 10 ms */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Marks 10 ms frames as speech (1) or silence (0) with a threshold set from
 * the recording's own levels, then fills short gaps (< 150 ms) and removes
 * blips (< 50 ms). */
static unsigned char *
speech_frames(const int16_t *pcm, size_t n, size_t *nf_out)
{
	size_t nf = n / FRAME;
	double *db = xcalloc(nf + 1, sizeof *db), *sorted = xcalloc(nf + 1, sizeof *sorted);
	unsigned char *sp = xcalloc(nf + 1, 1);
	for (size_t f = 0; f < nf; f++) {
		double e = 0;
		for (size_t i = 0; i < FRAME; i++) {
			double v = pcm[f * FRAME + i] / 32768.0;
			e += v * v;
		}
		db[f] = 10.0 * log10(e / FRAME + 1e-10);
		sorted[f] = db[f];
	}
	if (nf > 0) {
		qsort(sorted, nf, sizeof *sorted, cmp_double);
		double floor_db = sorted[nf / 10], loud_db = sorted[nf * 95 / 100];
		/* between the floor and the loud level, nearer the floor; never
		 * above -45 dBFS for quiet recordings, never below -60 */
		double thr = floor_db + (loud_db - floor_db) * 0.25;
		if (loud_db - floor_db < 10)
			thr = loud_db - 3; /* flat: all speech or all silence */
		if (thr < -60)
			thr = -60;
		if (loud_db < -55)
			thr = 0; /* nothing but silence */
		for (size_t f = 0; f < nf; f++)
			sp[f] = db[f] > thr;
		/* fill gaps shorter than 150 ms */
		size_t last = SIZE_MAX;
		for (size_t f = 0; f < nf; f++) {
			if (!sp[f])
				continue;
			if (last != SIZE_MAX && f - last > 1 && f - last <= 15)
				memset(sp + last + 1, 1, f - last - 1);
			last = f;
		}
		/* drop blips shorter than 50 ms */
		for (size_t f = 0; f < nf;) {
			if (!sp[f]) {
				f++;
				continue;
			}
			size_t e = f;
			while (e < nf && sp[e])
				e++;
			if (e - f < 5)
				memset(sp + f, 0, e - f);
			f = e;
		}
	}
	free(sorted);
	free(db);
	*nf_out = nf;
	return sp;
}

void
tr_drop_in_silence(struct transcript *t, const int16_t *pcm, size_t n)
{
	size_t nf;
	unsigned char *sp = speech_frames(pcm, n, &nf);
	size_t k = 0;

	/* A word is kept when any speech lies under it (with 100 ms slack). */
	for (size_t i = 0; i < t->n_words; i++) {
		struct tr_word w = t->words[i];
		int64_t a = (w.start_ms - 100) / 10, b = (w.end_ms + 100) / 10;
		int speech = 0;
		if (a < 0)
			a = 0;
		if (w.start_ms / 10 >= (int64_t)nf)
			speech = 1; /* beyond the audio we know: keep */
		for (int64_t f = a; f <= b && f < (int64_t)nf && !speech; f++)
			speech = sp[f];
		if (speech)
			t->words[k++] = w;
		else
			free(w.w);
	}
	t->n_words = k;
	/* Segments: dropped when less than a fifth of them is speech. */
	k = 0;
	for (size_t i = 0; i < t->n_segs; i++) {
		struct tr_segment s = t->segs[i];
		int64_t a = s.start_ms / 10, b = s.end_ms / 10, total = 0, on = 0;
		for (int64_t f = a; f < b && f < (int64_t)nf; f++, total++)
			on += sp[f];
		if (total == 0 || on * 5 >= total)
			t->segs[k++] = s;
		else
			free(s.text);
	}
	t->n_segs = k;
	free(sp);
}

/* ---- PocketSphinx ---------------------------------------------------------- */

struct utt {
	size_t start, end;   /* samples */
};

/* Cuts speech into utterances at pauses >= 300 ms, at most 25 s each, with
 * 200 ms of context on both sides. */
static struct utt *
utterances(const int16_t *pcm, size_t n, size_t *n_utt)
{
	size_t nf, cap = 64, nu = 0;
	unsigned char *sp = speech_frames(pcm, n, &nf);
	struct utt *u = xreallocarray(NULL, cap, sizeof *u);
	size_t f = 0;
	while (f < nf) {
		while (f < nf && !sp[f])
			f++;
		if (f >= nf)
			break;
		size_t s = f, silent = 0, e = f;
		while (f < nf) {
			if (sp[f]) {
				silent = 0;
				e = f + 1;
			} else if (++silent >= 30) {
				break;
			}
			f++;
			if (f - s >= 2500) { /* 25 s: cut at the quietest nearby point */
				break;
			}
		}
		if (nu == cap) {
			cap *= 2;
			u = xreallocarray(u, cap, sizeof *u);
		}
		size_t a = s >= 20 ? s - 20 : 0, b = e + 20 < nf ? e + 20 : nf;
		u[nu++] = (struct utt){ a * FRAME, b * FRAME };
		f = e > f ? e : f;
	}
	free(sp);
	*n_utt = nu;
	return u;
}

#if ZPUB_HAVE_POCKETSPHINX
struct ps_job {
	const int16_t *pcm;
	const struct utt *utts;
	size_t n_utts;
	atomic_size_t next;       /* next thread slot */
	atomic_size_t done;
	int n_threads;
	atomic_int cancel;
	const char *modeldir;
	const struct zpub_progress *progress;
	double base, span;      /* progress range for this chunk */
	/* results per utterance */
	struct transcript **res;
	int rc;
	char msg[512];
	pthread_mutex_t lock;
};

static cmd_ln_t *
ps_config(const char *modeldir)
{
	char *hmm = xasprintf("%s/en-us/en-us", modeldir);
	char *lm = xasprintf("%s/en-us/en-us.lm.bin", modeldir);
	char *dict = xasprintf("%s/en-us/cmudict-en-us.dict", modeldir);
	cmd_ln_t *c = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-lm", lm, "-dict", dict,
	    "-remove_silence", "no", "-samprate", "16000",
	    /* per-utterance normalisation: results do not depend on which
	     * thread decoded what before */
	    "-cmn", "batch", NULL);
	free(hmm);
	free(lm);
	free(dict);
	return c;
}

/* "word(2)" -> "word"; fillers and silences -> NULL. */
static char *
ps_clean_word(const char *w)
{
	if (w == NULL || w[0] == '<' || w[0] == '[' || w[0] == '+')
		return NULL;
	char *s = xstrdup(w);
	char *paren = strchr(s, '(');
	if (paren)
		*paren = '\0';
	if (s[0] == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/* SphinxBase keeps process-wide state (its log stream, which `-logfn`
 * reopens and a decoder's free closes, and lazily built tables): building
 * and freeing decoders on two threads at once corrupted the heap.  So the
 * log is switched off once, and decoders are made and freed one at a time;
 * only the decoding itself runs in parallel.  The lock is static because
 * the state it guards is the library's, not a job's. */
static pthread_mutex_t ps_lib_lock = PTHREAD_MUTEX_INITIALIZER;

static void *
ps_worker(void *arg)
{
	struct ps_job *j = arg;
	pthread_mutex_lock(&ps_lib_lock);
	err_set_logfp(NULL);
	cmd_ln_t *cfg = ps_config(j->modeldir);
	ps_decoder_t *ps = cfg ? ps_init(cfg) : NULL;
	pthread_mutex_unlock(&ps_lib_lock);

	if (ps == NULL) {
		pthread_mutex_lock(&j->lock);
		if (j->rc == 0) {
			j->rc = ZPUB_EIO;
			snprintf(j->msg, sizeof j->msg, "PocketSphinx could not load its English model "
			    "from %s/en-us; install the pocketsphinx-en-us package", j->modeldir);
		}
		pthread_mutex_unlock(&j->lock);
		atomic_store(&j->cancel, 1);
		goto out;
	}
	/* Each thread takes a contiguous block of utterances: a decoder carries
	 * state from one utterance to the next, so this keeps the result the
	 * same from run to run. */
	size_t k = atomic_fetch_add(&j->next, 1);
	size_t first = j->n_utts * k / (size_t)j->n_threads;
	size_t last = j->n_utts * (k + 1) / (size_t)j->n_threads;
	for (size_t i = first; i < last; i++) {
		if (atomic_load(&j->cancel))
			break;
		const struct utt *u = &j->utts[i];
		struct transcript *r = tr_new("pocketsphinx", "en");
		if (ps_start_utt(ps) < 0 ||
		    ps_process_raw(ps, j->pcm + u->start, u->end - u->start, FALSE, TRUE) < 0 ||
		    ps_end_utt(ps) < 0) {
			tr_free(r);
			continue; /* one bad utterance loses its words, not the lecture */
		}
		int32 frate = cmd_ln_int32_r(cfg, "-frate");
		if (frate <= 0)
			frate = 100;
		for (ps_seg_t *seg = ps_seg_iter(ps); seg; seg = ps_seg_next(seg)) {
			int sf, ef;
			char *w = ps_clean_word(ps_seg_word(seg));
			if (w == NULL)
				continue;
			ps_seg_frames(seg, &sf, &ef);
			int64_t base = (int64_t)u->start * 1000 / SR;
			tr_add_word(r, w, base + (int64_t)sf * 1000 / frate,
			    base + (int64_t)(ef + 1) * 1000 / frate);
			free(w);
		}
		j->res[i] = r;
		size_t done = atomic_fetch_add(&j->done, 1) + 1;
		/* one report at a time: the receiver may touch the store */
		pthread_mutex_lock(&j->lock);
		int stop = zpub_progress_report(j->progress, j->base + j->span * (double)done /
		    (double)j->n_utts, "transcribing (PocketSphinx)");
		pthread_mutex_unlock(&j->lock);
		if (stop != 0)
			atomic_store(&j->cancel, 2);
	}
out:
	pthread_mutex_lock(&ps_lib_lock);
	if (ps)
		ps_free(ps);
	if (cfg)
		cmd_ln_free_r(cfg);
	pthread_mutex_unlock(&ps_lib_lock);
	return NULL;
}
#endif

static int
ps_transcribe_chunk(const struct tr_chunk *c, const struct tr_opts *o, double base, double span,
    struct transcript *dst, struct zpub_err *err)
{
#if ZPUB_HAVE_POCKETSPHINX
	int16_t *pcm = NULL;
	size_t n = 0, nu = 0;
	int rc = tr_decode_pcm16k(c->path, &pcm, &n, err);
	if (rc != 0)
		return rc;
	struct utt *u = utterances(pcm, n, &nu);
	struct ps_job j = {
		.pcm = pcm, .utts = u, .n_utts = nu,
		.modeldir = o->ps_modeldir ? o->ps_modeldir : ZPUB_PS_MODELDIR,
		.progress = &o->progress, .base = base, .span = span,
	};
	atomic_init(&j.next, 0);
	atomic_init(&j.done, 0);
	atomic_init(&j.cancel, 0);
	pthread_mutex_init(&j.lock, NULL);
	j.res = xcalloc(nu + 1, sizeof *j.res);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int nt = o->concurrency > 0 ? o->concurrency : 2;
	if (nt > cpus)
		nt = (int)(cpus > 0 ? cpus : 1);
	if (nt > 4)
		nt = 4;
	if ((size_t)nt > nu)
		nt = nu > 0 ? (int)nu : 1;
	pthread_t th[4];
	int started = 0;
	j.n_threads = nt;
	for (int i = 0; i < nt; i++)
		if (pthread_create(&th[i], NULL, ps_worker, &j) == 0)
			started++;
	for (int i = started; i < nt; i++)
		ps_worker(&j); /* a thread that did not start: its block here */
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	if (j.rc != 0)
		rc = zpub_err_set(err, j.rc, "%s", j.msg);
	else if (atomic_load(&j.cancel) == 2)
		rc = zpub_err_set(err, ZPUB_ECANCEL, "transcription of %s was cancelled",
		    o->what ? o->what : c->path);
	for (size_t i = 0; i < nu; i++) {
		if (rc == 0 && j.res[i])
			tr_append(dst, j.res[i], c->offset_ms);
		tr_free(j.res[i]);
	}
	int64_t dur = c->duration_ms > 0 ? c->duration_ms : (int64_t)n * 1000 / SR;
	if (c->offset_ms + dur > dst->duration_ms)
		dst->duration_ms = c->offset_ms + dur;
	pthread_mutex_destroy(&j.lock);
	free(j.res);
	free(u);
	free(pcm);
	return rc;
#else
	(void)c; (void)o; (void)base; (void)span; (void)dst; (void)utterances;
	return zpub_err_set(err, ZPUB_EINVAL, "this zpub was built without PocketSphinx; "
	    "configure an OpenAI-compatible transcription service "
	    "(processing.transcription.engine = openai-compatible)");
#endif
}

/* PocketSphinx gives lower-case words without punctuation.  Readers get
 * "I" and capitals after pauses of 0.7 s or more, which end a sentence
 * often enough (the segments follow the same pauses). */
static void
ps_polish(struct transcript *t)
{
	static const char *const pron[] = { "i", "i'm", "i'll", "i've", "i'd", NULL };
	for (size_t i = 0; i < t->n_words; i++) {
		char *w = t->words[i].w;
		for (size_t k = 0; pron[k]; k++)
			if (strcmp(w, pron[k]) == 0)
				w[0] = 'I';
		int starts = i == 0 || t->words[i].start_ms - t->words[i - 1].end_ms >= 700;
		int ends = i + 1 == t->n_words || t->words[i + 1].start_ms - t->words[i].end_ms >= 700;
		if (starts && w[0] >= 'a' && w[0] <= 'z')
			w[0] = (char)(w[0] - 32);
		if (ends) {
			char *nw = xasprintf("%s.", w);
			free(w);
			t->words[i].w = nw;
		}
	}
}

/* From transcribe_openai.c. */
int tr_openai_transcribe(const struct tr_chunk *chunks, size_t n, const struct tr_opts *o,
    struct transcript *dst, struct ai_usage *usage, struct zpub_err *err);

int
tr_transcribe(const struct tr_chunk *chunks, size_t n, const struct tr_opts *o,
    struct transcript **out, struct ai_usage *usage, struct zpub_err *err)
{
	const char *engine = o->engine ? o->engine : "pocketsphinx";
	struct transcript *t = NULL;
	int rc = 0;

	if (strcmp(engine, "pocketsphinx") != 0 && strcmp(engine, "openai-compatible") != 0)
		return zpub_err_set(err, ZPUB_EINVAL, "unknown transcription engine \"%s\"; use "
		    "pocketsphinx or openai-compatible", engine);
	if (strcmp(engine, "pocketsphinx") == 0 && o->language && o->language[0] &&
	    strncmp(o->language, "en", 2) != 0)
		return zpub_err_set(err, ZPUB_EINVAL, "PocketSphinx here only knows English, but the "
		    "language is set to \"%s\"; configure an OpenAI-compatible transcription service "
		    "or set processing.transcription.language to en", o->language);
	t = tr_new(engine, strcmp(engine, "pocketsphinx") == 0 ? "en" :
	    (o->language ? o->language : ""));
	if (strcmp(engine, "pocketsphinx") == 0) {
		int64_t total = 0, done = 0;
		for (size_t i = 0; i < n; i++)
			total += chunks[i].duration_ms > 0 ? chunks[i].duration_ms : 1;
		for (size_t i = 0; i < n && rc == 0; i++) {
			int64_t d = chunks[i].duration_ms > 0 ? chunks[i].duration_ms : 1;
			rc = ps_transcribe_chunk(&chunks[i], o, (double)done / (double)total,
			    (double)d / (double)total, t, err);
			done += d;
		}
	} else {
		rc = tr_openai_transcribe(chunks, n, o, t, usage, err);
	}
	if (rc != 0) {
		tr_free(t);
		return rc;
	}
	tr_sort(t);
	if (strcmp(engine, "pocketsphinx") == 0)
		ps_polish(t);
	if (t->n_segs == 0)
		tr_segments_from_words(t);
	*out = t;
	return 0;
}
