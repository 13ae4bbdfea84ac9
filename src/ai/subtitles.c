/*
 * subtitles.c — words with timings become subtitle cues that are pleasant to
 * read, written as SRT and WebVTT, and read back by strict parsers.
 *
 * Layout: words are grouped greedily into the longest cue that still fits
 * (lines x characters, maximum duration, no long pause inside), then the cue
 * end is moved back to the best natural break (sentence end, comma, before a
 * conjunction).  Lines are split at the word boundary that balances them,
 * preferring punctuation and conjunctions.  Timing then stretches short or
 * fast cues into the following silence, keeping a gap between cues.  Nothing
 * here touches files or the network.
 */
#include "ai.h"
#include "text.h"
#include "config.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void
subs_rules_default(struct subs_rules *r, const char *lang)
{
	int ru = lang && (strncmp(lang, "ru", 2) == 0);
	r->max_line_chars = ru ? 39 : 42;
	r->max_lines = 2;
	r->min_cue_ms = 830;
	r->max_cue_ms = 7000;
	r->max_cps = 17.0;
	r->min_gap_ms = 80;
	r->pause_split_ms = 700;
}

void
subs_rules_from_config(struct subs_rules *r, const cJSON *cfg, const char *lang)
{
	int ru = lang && (strncmp(lang, "ru", 2) == 0);
	subs_rules_default(r, lang);
	if (cfg == NULL)
		return;
	r->max_line_chars = (int)config_int(cfg, ru ? "processing.subtitles.max_line_chars_ru" :
	    "processing.subtitles.max_line_chars", r->max_line_chars);
	r->max_lines = (int)config_int(cfg, "processing.subtitles.max_lines", r->max_lines);
	r->min_cue_ms = config_int(cfg, "processing.subtitles.min_cue_ms", r->min_cue_ms);
	r->max_cue_ms = config_int(cfg, "processing.subtitles.max_cue_ms", r->max_cue_ms);
	r->max_cps = config_double(cfg, "processing.subtitles.max_cps", r->max_cps);
	r->min_gap_ms = config_int(cfg, "processing.subtitles.min_gap_ms", r->min_gap_ms);
	r->pause_split_ms = config_int(cfg, "processing.subtitles.pause_split_ms", r->pause_split_ms);
	if (r->max_line_chars < 10)
		r->max_line_chars = 10;
	if (r->max_lines < 1)
		r->max_lines = 1;
	if (r->max_cue_ms < r->min_cue_ms + 500)
		r->max_cue_ms = r->min_cue_ms + 500;
	if (r->max_cps <= 0)
		r->max_cps = 17.0;
}

void
subs_track_free(struct subs_track *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->cues[i].text);
	free(t->cues);
	free(t);
}

void
subs_track_add(struct subs_track *t, int64_t s, int64_t e, char *text)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		t->cues = xreallocarray(t->cues, cap, sizeof *t->cues);
		t->cap = cap;
	}
	t->cues[t->n++] = (struct subs_cue){ s, e, text };
}

/* ---- words and break points ----------------------------------------------- */

static const char *const conjunctions[] = {
	"and", "but", "or", "nor", "so", "because", "that", "which", "who", "when",
	"while", "if", "although", "though", "where", "whereas", "unless", "since",
	"until", "then", "as", "than", "whether",
	"и", "а", "но", "или", "либо", "что", "чтобы", "потому", "поэтому", "когда",
	"если", "хотя", "который", "которая", "которое", "которые", "которого",
	"где", "как", "так", "пока", "чем", "зато", "однако", "то", "ли", "будто",
	NULL
};

static int
is_conjunction(const char *w)
{
	char *n = text_norm_word(w);
	int hit = 0;
	for (size_t i = 0; conjunctions[i] && !hit; i++)
		hit = strcmp(n, conjunctions[i]) == 0;
	free(n);
	return hit;
}

/* 3 after . ? ! …, 2 after , ; : — –, else 0. */
static int
punct_strength(const char *w)
{
	size_t n = strlen(w);
	while (n > 0 && (w[n - 1] == '"' || w[n - 1] == ')' || w[n - 1] == '\'' ||
	    w[n - 1] == ']'))
		n--;
	if (n == 0)
		return 0;
	char c = w[n - 1];
	if (c == '.' || c == '?' || c == '!')
		return 3;
	if (n >= 3 && memcmp(w + n - 3, "\xE2\x80\xA6", 3) == 0) /* … */
		return 3;
	if (c == ',' || c == ';' || c == ':')
		return 2;
	if (n >= 3 && (memcmp(w + n - 3, "\xE2\x80\x94", 3) == 0 ||
	    memcmp(w + n - 3, "\xE2\x80\x93", 3) == 0))
		return 2;
	if (n >= 2 && memcmp(w + n - 2, "\xC2\xBB", 2) == 0) /* » */
		return 1;
	return 0;
}

/* Trimmed, control-free copy of a word; "" when nothing is left. */
static char *
clean_word(const char *w)
{
	while (*w == ' ' || *w == '\t' || *w == '\n' || *w == '\r')
		w++;
	size_t n = strlen(w);
	while (n > 0 && (w[n - 1] == ' ' || w[n - 1] == '\t' || w[n - 1] == '\n' || w[n - 1] == '\r'))
		n--;
	char *out = xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];
		if (c < 0x20 || c == 0x7F)
			c = ' ';
		if (c == ' ')
			continue; /* a word is one token */
		out[o++] = (char)c;
	}
	out[o] = '\0';
	/* "-->" ends a timing line in both formats. */
	char *arrow;
	while ((arrow = strstr(out, "-->")) != NULL)
		arrow[2] = ' ', memmove(arrow + 2, arrow + 3, strlen(arrow + 3) + 1);
	if (!utf8_valid(out, strlen(out))) {
		for (size_t i = 0; out[i]; i++)
			if ((unsigned char)out[i] >= 0x80)
				out[i] = '?';
	}
	return out;
}

struct tok {
	char *w;
	size_t chars;
	int punct;       /* after this word */
	int conj;        /* this word is a conjunction */
};

/* ---- line wrapping -------------------------------------------------------- */

static char *
join_toks(const struct tok *t, size_t a, size_t b, const size_t *breaks, size_t nbreaks)
{
	struct sbuf s = {0};
	size_t bi = 0;
	for (size_t i = a; i < b; i++) {
		if (i > a) {
			if (bi < nbreaks && breaks[bi] == i) {
				sb_addc(&s, '\n');
				bi++;
			} else {
				sb_addc(&s, ' ');
			}
		}
		sb_add(&s, t[i].w);
	}
	return sb_take(&s);
}

static size_t
span_chars(const struct tok *t, size_t a, size_t b)
{
	size_t c = 0;
	for (size_t i = a; i < b; i++)
		c += t[i].chars + (i > a);
	return c;
}

/* A line fits when it is short enough or is a single (unbreakable) word. */
static int
line_fits(const struct tok *t, size_t a, size_t b, int max)
{
	return b - a == 1 || span_chars(t, a, b) <= (size_t)max;
}

/* Wraps tokens [a,b) into at most r->max_lines lines; NULL if impossible. */
static char *
wrap_toks(const struct tok *t, size_t a, size_t b, const struct subs_rules *r)
{
	size_t total = span_chars(t, a, b);
	int max = r->max_line_chars;

	if (b <= a)
		return NULL;
	if (line_fits(t, a, b, max))
		return join_toks(t, a, b, NULL, 0);
	if (r->max_lines < 2)
		return NULL;
	if (r->max_lines == 2) {
		long best_score = -1000000;
		size_t best = 0;
		for (size_t s = a + 1; s < b; s++) {
			if (!line_fits(t, a, s, max) || !line_fits(t, s, b, max))
				continue;
			long l1 = (long)span_chars(t, a, s), l2 = (long)span_chars(t, s, b);
			long score = -labs(l1 - l2);
			if (t[s - 1].punct >= 2)
				score += 12 + t[s - 1].punct;
			else if (t[s].conj)
				score += 8;
			if (l1 <= l2)
				score += 2; /* a bottom-heavy pyramid reads better */
			if (score > best_score) {
				best_score = score;
				best = s;
			}
		}
		if (best == 0)
			return NULL;
		return join_toks(t, a, b, &best, 1);
	}
	/* More lines: greedy fill, which is fine for this rare setting. */
	size_t *br = xcalloc((size_t)r->max_lines, sizeof *br), nb = 0, ls = a;
	for (size_t i = a + 1; i <= b; i++) {
		if (i < b && line_fits(t, ls, i + 1, max))
			continue;
		if (i == b)
			break;
		if ((int)nb + 1 >= r->max_lines) {
			free(br);
			return NULL;
		}
		br[nb++] = i;
		ls = i;
	}
	if (!line_fits(t, ls, b, max)) {
		free(br);
		return NULL;
	}
	(void)total;
	char *s = join_toks(t, a, b, br, nb);
	free(br);
	return s;
}

static void
toks_free(struct tok *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].w);
	free(t);
}

static struct tok *
toks_from_text(const char *text, size_t *n)
{
	char *copy = xstrdup(text), *save = NULL;
	struct tok *t = NULL;
	size_t cap = 0;
	*n = 0;
	for (char *w = strtok_r(copy, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			t = xreallocarray(t, cap, sizeof *t);
		}
		t[*n] = (struct tok){ xstrdup(w), utf8_len(w), punct_strength(w), is_conjunction(w) };
		(*n)++;
	}
	free(copy);
	return t;
}

char *
subs_wrap(const char *text, const struct subs_rules *r)
{
	size_t n;
	struct tok *t = toks_from_text(text, &n);
	char *s = n ? wrap_toks(t, 0, n, r) : NULL;
	toks_free(t, n);
	return s;
}

/* ---- cue building ---------------------------------------------------------- */

struct span {
	size_t a, b;     /* tokens [a, b) */
};

/* The transcript's words as the layout sees them: token k is said from
 * ts[k] to te[k]; the cues so far are the spans sp[0..ns). */
struct layout {
	const struct subs_rules *r;
	struct tok *t;
	int64_t *ts, *te;
	size_t n;
	struct span *sp;
	size_t ns;
};

/* Tokens from the words, with times made monotonic and non-empty. */
static void
layout_words(struct layout *l, const struct transcript *tr)
{
	struct tok *t = l->t;
	int64_t *ts = l->ts, *te = l->te;
	size_t n = 0;

	for (size_t i = 0; i < tr->n_words; i++) {
		char *w = clean_word(tr->words[i].w);
		if (w[0] == '\0') {
			free(w);
			continue;
		}
		t[n] = (struct tok){ w, utf8_len(w), punct_strength(w), is_conjunction(w) };
		ts[n] = tr->words[i].start_ms;
		te[n] = tr->words[i].end_ms > ts[n] ? tr->words[i].end_ms : ts[n] + 1;
		if (n > 0 && ts[n] < ts[n - 1]) /* engines are not always monotonic */
			ts[n] = ts[n - 1];
		if (te[n] < ts[n])
			te[n] = ts[n] + 1;
		n++;
		l->n = n;
	}
}

/* The furthest end (exclusive) of a cue starting at token i; *hard_stop
 * when it is followed by a pause or the end. */
static size_t
layout_reach(const struct layout *l, size_t i, int *hard_stop)
{
	const struct subs_rules *r = l->r;
	size_t cap_chars = (size_t)r->max_lines * (size_t)r->max_line_chars + (size_t)r->max_lines;
	size_t j = i + 1;

	*hard_stop = 0;
	for (;;) {
		if (j >= l->n || l->ts[j] - l->te[j - 1] >= r->pause_split_ms) {
			*hard_stop = 1;
			break;
		}
		if (l->te[j] - l->ts[i] > r->max_cue_ms)
			break;
		if (span_chars(l->t, i, j + 1) > cap_chars)
			break;
		char *w = wrap_toks(l->t, i, j + 1, r);
		if (w == NULL)
			break;
		free(w);
		j++;
	}
	return j;
}

/* Where a cue from i that could reach j ends: a natural break late
 * enough to fill the cue. */
static size_t
layout_end(const struct layout *l, size_t i, size_t j)
{
	const struct tok *t = l->t;
	size_t full = span_chars(l->t, i, j), best = j;
	long best_score = -1;

	for (size_t b = i + 1; b <= j; b++) {
		size_t c = span_chars(l->t, i, b);
		int nat = t[b - 1].punct >= 3 ? 40 : t[b - 1].punct >= 2 ? 22 :
		    (b < l->n && t[b].conj) ? 12 : 0;
		if (nat == 0 && b != j)
			continue;
		if (b != j && c * 100 < full * 35)
			continue; /* too short: would waste a cue */
		if (b != j && l->te[b - 1] - l->ts[i] < l->r->min_cue_ms)
			continue;
		long score = nat + (long)(c * 20 / (full ? full : 1));
		if (score > best_score) {
			best_score = score;
			best = b;
		}
	}
	return best;
}

static void
layout_split(struct layout *l)
{
	for (size_t i = 0; i < l->n;) {
		int hard_stop;
		size_t j = layout_reach(l, i, &hard_stop);
		size_t best = hard_stop || l->t[j - 1].punct >= 3 ? j : layout_end(l, i, j);
		l->sp[l->ns++] = (struct span){ i, best };
		i = best;
	}
}

/* Merge cues that would flash by with a neighbour they fit with (the
 * next one first, else the previous one). */
static void
layout_merge_short(struct layout *l)
{
	const struct subs_rules *r = l->r;
	const int64_t *ts = l->ts, *te = l->te;
	struct span *sp = l->sp;

	for (size_t k = 0; k < l->ns;) {
		struct span *c = &sp[k];
		int64_t dur = te[c->b - 1] - ts[c->a];
		if (dur >= r->min_cue_ms) {
			k++;
			continue;
		}
		int merged = 0;
		for (int side = 0; side < 2 && !merged; side++) {
			struct span *x = side == 0 ? (k + 1 < l->ns ? &sp[k + 1] : NULL) :
			    (k > 0 ? &sp[k - 1] : NULL);
			if (x == NULL)
				continue;
			size_t a = side == 0 ? c->a : x->a, b = side == 0 ? x->b : c->b;
			int64_t gap = side == 0 ? ts[x->a] - te[c->b - 1] : ts[c->a] - te[x->b - 1];
			if (gap >= r->pause_split_ms || te[b - 1] - ts[a] > r->max_cue_ms)
				continue;
			char *w = wrap_toks(l->t, a, b, r);
			if (w == NULL)
				continue;
			free(w);
			size_t keep = side == 0 ? k : k - 1;
			sp[keep] = (struct span){ a, b };
			memmove(&sp[keep + 1], &sp[keep + 2], (l->ns - keep - 2) * sizeof *sp);
			l->ns--;
			merged = 1;
			k = keep;
		}
		if (!merged)
			k++;
	}
}

static void
layout_cues(const struct layout *l, struct subs_track *track)
{
	const struct subs_rules *r = l->r;

	for (size_t k = 0; k < l->ns; k++) {
		const struct span *sp = &l->sp[k];
		char *text = wrap_toks(l->t, sp->a, sp->b, r);
		if (text == NULL) /* a single over-long word: keep it whole */
			text = join_toks(l->t, sp->a, sp->b, NULL, 0);
		int64_t s = l->ts[sp->a], e = l->te[sp->b - 1];
		if (e - s > r->max_cue_ms)
			e = s + r->max_cue_ms;
		subs_track_add(track, s, e, text);
	}
}

/* Timing: keep the gap, then stretch short or fast cues into silence. */
static void
subs_retime(struct subs_track *track, const struct subs_rules *r)
{
	for (size_t k = 0; k < track->n; k++) {
		struct subs_cue *c = &track->cues[k];
		int64_t next = k + 1 < track->n ? track->cues[k + 1].start_ms : INT64_MAX;
		int64_t prev_end = k > 0 ? track->cues[k - 1].end_ms : -r->min_gap_ms;
		if (c->start_ms < prev_end + r->min_gap_ms)
			c->start_ms = prev_end + r->min_gap_ms;
		size_t chars = utf8_len(c->text);
		int64_t want = (int64_t)((double)chars * 1000.0 / r->max_cps + 0.5);
		if (want < r->min_cue_ms)
			want = r->min_cue_ms;
		if (want > r->max_cue_ms)
			want = r->max_cue_ms;
		int64_t limit = next == INT64_MAX ? INT64_MAX : next - r->min_gap_ms;
		if (c->end_ms - c->start_ms < want) {
			int64_t e = c->start_ms + want;
			c->end_ms = e < limit ? e : (limit > c->end_ms ? limit : c->end_ms);
		}
		if (c->end_ms > limit)
			c->end_ms = limit;
		if (c->end_ms - c->start_ms < r->min_cue_ms) {
			/* start a little early if the previous cue leaves room */
			int64_t s = c->end_ms - r->min_cue_ms;
			int64_t floor_s = prev_end + r->min_gap_ms;
			if (s < floor_s)
				s = floor_s;
			if (s < c->start_ms && c->start_ms - s <= 500)
				c->start_ms = s;
		}
		if (c->end_ms <= c->start_ms)
			c->end_ms = c->start_ms + 1;
		if (c->start_ms < 0)
			c->start_ms = 0;
	}
}

int
subs_build(const struct transcript *tr, const struct subs_rules *r,
    struct subs_track **out, struct zpub_err *err)
{
	struct layout l = { .r = r };
	struct subs_track *track = xcalloc(1, sizeof *track);

	l.t = xcalloc(tr->n_words + 1, sizeof *l.t);
	l.ts = xcalloc(tr->n_words + 1, sizeof *l.ts);
	l.te = xcalloc(tr->n_words + 1, sizeof *l.te);
	l.sp = xcalloc(tr->n_words + 1, sizeof *l.sp);
	layout_words(&l, tr);
	layout_split(&l);
	layout_merge_short(&l);
	layout_cues(&l, track);
	subs_retime(track, r);
	*out = track;
	toks_free(l.t, l.n);
	free(l.ts);
	free(l.te);
	free(l.sp);
	return 0;
}

