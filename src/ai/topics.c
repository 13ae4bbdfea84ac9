/*
 * topics.c — the lecture's structure: main topics and detail topics with
 * start times, and breaks.
 *
 * Holds the topic list type and its JSON form, the validator and repairer
 * that every engine's answer goes through, and the offline `extractive`
 * engine: a TextTiling-style segmentation (Hearst 1997) that compares the
 * vocabulary of neighbouring windows of the timestamped transcript, cuts
 * where it shifts most, and titles each part from its characteristic words
 * (tf-idf against the other parts, stopwords for English and Russian).
 * The chat engine lives in topics_chat.c.
 */
#include "ai.h"
#include "text.h"
#include "jnum.h"
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct topics *
topics_new(void)
{
	return xcalloc(1, sizeof(struct topics));
}

void
topics_free(struct topics *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].title);
	free(t->v);
	free(t->breaks);
	free(t->summary);
	free(t);
}

void
topics_add(struct topics *t, int64_t start_ms, enum topic_level level, const char *title)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		t->v = xreallocarray(t->v, cap, sizeof *t->v);
		t->cap = cap;
	}
	t->v[t->n++] = (struct topic){ start_ms, level, xstrdup(title) };
}

void
topics_add_break(struct topics *t, int64_t start_ms, int64_t end_ms)
{
	if (t->n_breaks == t->cap_breaks) {
		size_t cap = t->cap_breaks ? t->cap_breaks * 2 : 8;
		t->breaks = xreallocarray(t->breaks, cap, sizeof *t->breaks);
		t->cap_breaks = cap;
	}
	t->breaks[t->n_breaks++] = (struct topic_break){ start_ms, end_ms };
}

char *
topics_to_json(const struct topics *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "topics");
	for (size_t i = 0; i < t->n; i++) {
		cJSON *x = cJSON_CreateObject();
		char hms[16];
		time_hms(t->v[i].start_ms, hms);
		cJSON_AddNumberToObject(x, "start_ms", (double)t->v[i].start_ms);
		cJSON_AddStringToObject(x, "level", t->v[i].level == TOPIC_DETAIL ? "detail" : "main");
		cJSON_AddStringToObject(x, "title", t->v[i].title ? t->v[i].title : "");
		cJSON_AddStringToObject(x, "timecode", hms);
		cJSON_AddItemToArray(arr, x);
	}
	cJSON *br = cJSON_AddArrayToObject(o, "breaks");
	for (size_t i = 0; i < t->n_breaks; i++) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddNumberToObject(x, "start_ms", (double)t->breaks[i].start_ms);
		cJSON_AddNumberToObject(x, "end_ms", (double)t->breaks[i].end_ms);
		cJSON_AddItemToArray(br, x);
	}
	cJSON *fl = cJSON_AddArrayToObject(o, "flags");
	if (t->repaired)
		cJSON_AddItemToArray(fl, cJSON_CreateString("repaired"));
	if (t->engine[0])
		cJSON_AddStringToObject(o, "engine", t->engine);
	if (t->summary)
		cJSON_AddStringToObject(o, "summary", t->summary);
	char *s = cJSON_Print(o);
	cJSON_Delete(o);
	return s;
}

/* "HH:MM:SS(.mmm)", "MM:SS" or seconds; -1 when unreadable. */
static int64_t
parse_clock(const char *s)
{
	int a, b, c, n = 0;
	double frac = 0;
	while (s && isspace((unsigned char)*s))
		s++;
	if (s == NULL || *s == '\0')
		return -1;
	if (sscanf(s, "%d:%d:%d%n", &a, &b, &c, &n) == 3) {
		if (s[n] == '.' || s[n] == ',')
			frac = atof(s + n + 1) / pow(10, (double)strspn(s + n + 1, "0123456789"));
		return ((int64_t)a * 3600 + b * 60 + c) * 1000 + (int64_t)(frac * 1000);
	}
	if (sscanf(s, "%d:%d%n", &a, &b, &n) == 2)
		return ((int64_t)a * 60 + b) * 1000;
	char *end;
	double v = strtod(s, &end);
	if (end != s)
		return (int64_t)(v * 1000);
	return -1;
}

static int64_t
item_start(const cJSON *x)
{
	static const char *const ms_keys[] = { "start_ms", "time_ms", NULL };
	static const char *const keys[] = { "start", "time", "timecode", "timestamp", "start_time", NULL };
	for (size_t i = 0; ms_keys[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(x, ms_keys[i]);
		if (cJSON_IsNumber(v))
			return jnum_or(v, 0, JNUM_MS_MAX, -1);
		if (cJSON_IsString(v)) {
			long long ms = strtoll(v->valuestring, NULL, 10); /* saturates */
			return ms >= 0 && ms <= JNUM_MS_MAX ? (int64_t)ms : -1;
		}
	}
	for (size_t i = 0; keys[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(x, keys[i]);
		if (cJSON_IsNumber(v)) /* seconds */
			return jnum_scaled(v, 1000.0, 0, JNUM_MS_MAX, -1);
		if (cJSON_IsString(v))
			return parse_clock(v->valuestring);
	}
	return -1;
}

static const char *
item_title(const cJSON *x)
{
	static const char *const keys[] = { "title", "name", "topic", NULL };
	for (size_t i = 0; keys[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(x, keys[i]);
		if (cJSON_IsString(v))
			return v->valuestring;
	}
	return "";
}

static enum topic_level
item_level(const cJSON *x, enum topic_level def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(x, "level");
	if (cJSON_IsString(v))
		return strcmp(v->valuestring, "main") == 0 ? TOPIC_MAIN : TOPIC_DETAIL;
	if (cJSON_IsNumber(v))
		return v->valuedouble <= 1 ? TOPIC_MAIN : TOPIC_DETAIL;
	return def;
}

int
topics_from_json(const char *json, struct topics **out, struct zpub_err *err)
{
	cJSON *o = cJSON_Parse(json);
	struct topics *t = NULL;
	int rc = 0;

	if (o == NULL) {
		const char *at = cJSON_GetErrorPtr();
		return zpub_err_set(err, ZPUB_EINVAL, "the answer is not valid JSON (near \"%.30s\")",
		    at ? at : "");
	}
	const cJSON *arr = cJSON_IsArray(o) ? o : cJSON_GetObjectItemCaseSensitive(o, "topics");
	if (!cJSON_IsArray(arr)) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "the JSON has no \"topics\" array");
		goto out;
	}
	t = topics_new();
	const cJSON *x;
	cJSON_ArrayForEach(x, arr) {
		if (!cJSON_IsObject(x))
			continue;
		topics_add(t, item_start(x), item_level(x, TOPIC_MAIN), item_title(x));
		static const char *const subkeys[] = { "subtopics", "details", "children", NULL };
		for (size_t k = 0; subkeys[k]; k++) {
			const cJSON *y;
			cJSON_ArrayForEach(y, cJSON_GetObjectItemCaseSensitive(x, subkeys[k]))
				if (cJSON_IsObject(y))
					topics_add(t, item_start(y), TOPIC_DETAIL, item_title(y));
		}
	}
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "breaks")) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(x, "end_ms");
		int64_t end = jnum_or(e, 0, JNUM_MS_MAX, -1);
		if (end < 0) {
			e = cJSON_GetObjectItemCaseSensitive(x, "end");
			end = cJSON_IsString(e) ? parse_clock(e->valuestring) :
			    jnum_scaled(e, 1000.0, 0, JNUM_MS_MAX, -1);
		}
		topics_add_break(t, item_start(x), end);
	}
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(o, "flags"))
		if (cJSON_IsString(x) && strcmp(x->valuestring, "repaired") == 0)
			t->repaired = 1;
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "summary");
	if (cJSON_IsString(s) && s->valuestring[0])
		t->summary = xstrdup(s->valuestring);
	s = cJSON_GetObjectItemCaseSensitive(o, "engine");
	if (cJSON_IsString(s))
		snprintf(t->engine, sizeof t->engine, "%s", s->valuestring);
	*out = t;
	t = NULL;
out:
	topics_free(t);
	cJSON_Delete(o);
	return rc;
}

static int
title_blank(const char *s)
{
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

int
topics_validate(const struct topics *t, int64_t duration_ms, struct zpub_err *err)
{
	char hms[16];
	if (t->n == 0)
		return zpub_err_set(err, ZPUB_EINVAL, "the topic list is empty");
	if (t->v[0].level != TOPIC_MAIN)
		return zpub_err_set(err, ZPUB_EINVAL, "the first topic must be a main topic");
	for (size_t i = 0; i < t->n; i++) {
		const struct topic *x = &t->v[i];
		if (x->start_ms < 0)
			return zpub_err_set(err, ZPUB_EINVAL, "topic %zu has no valid start time", i + 1);
		if (duration_ms > 0 && x->start_ms >= duration_ms) {
			time_hms(x->start_ms, hms);
			char d[16];
			time_hms(duration_ms, d);
			return zpub_err_set(err, ZPUB_EINVAL,
			    "topic %zu starts at %s, after the end of the video (%s)", i + 1, hms, d);
		}
		if (i > 0 && x->start_ms <= t->v[i - 1].start_ms)
			return zpub_err_set(err, ZPUB_EINVAL,
			    "topic %zu does not start after topic %zu (times must ascend)", i + 1, i);
		if (title_blank(x->title))
			return zpub_err_set(err, ZPUB_EINVAL, "topic %zu has an empty title", i + 1);
		if (utf8_len(x->title) > TOPICS_MAX_TITLE_CHARS)
			return zpub_err_set(err, ZPUB_EINVAL,
			    "topic %zu's title has %zu characters (max %d)", i + 1, utf8_len(x->title),
			    TOPICS_MAX_TITLE_CHARS);
		if (strchr(x->title, '\n'))
			return zpub_err_set(err, ZPUB_EINVAL, "topic %zu's title has a line break", i + 1);
	}
	for (size_t i = 0; i < t->n_breaks; i++) {
		const struct topic_break *b = &t->breaks[i];
		if (b->start_ms < 0 || b->end_ms <= b->start_ms ||
		    (duration_ms > 0 && b->end_ms > duration_ms))
			return zpub_err_set(err, ZPUB_EINVAL,
			    "break %zu is not inside the video or ends before it starts", i + 1);
	}
	return 0;
}

/* The slide change of at_ms (ascending) nearest to ms; n > 0. */
static int64_t
nearest_change(const int64_t *at_ms, size_t n, int64_t ms)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (at_ms[mid] < ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == n)
		return at_ms[n - 1];
	if (lo > 0 && ms - at_ms[lo - 1] < at_ms[lo] - ms)
		return at_ms[lo - 1];
	return at_ms[lo];
}

size_t
topics_snap(struct topics *t, const int64_t *at_ms, size_t n, int64_t within_ms)
{
	size_t i, moved = 0;

	if (t == NULL || n == 0 || within_ms <= 0)
		return 0;
	for (i = 0; i < t->n; i++) {
		int64_t ms = t->v[i].start_ms, to;

		if (ms <= 0)
			continue;
		to = nearest_change(at_ms, n, ms);
		if (to == ms || llabs(to - ms) > within_ms || to <= 0)
			continue;
		if ((i > 0 && to <= t->v[i - 1].start_ms) ||
		    (i + 1 < t->n && to >= t->v[i + 1].start_ms))
			continue;
		t->v[i].start_ms = to;
		moved++;
	}
	return moved;
}

static int
cmp_topic(const void *a, const void *b)
{
	const struct topic *x = a, *y = b;
	if (x->start_ms != y->start_ms)
		return x->start_ms < y->start_ms ? -1 : 1;
	return (int)x->level - (int)y->level;
}

/* One line, trimmed, at most max characters cut at a word. */
static char *
short_title(const char *s, size_t max)
{
	struct sbuf b = {0};
	int space = 1;
	for (const char *p = s ? s : ""; *p; p++) {
		char c = *p;
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c == ' ') {
			if (space)
				continue;
			space = 1;
		} else {
			space = 0;
		}
		sb_addc(&b, c);
	}
	char *r = sb_take(&b);
	size_t n = strlen(r);
	while (n > 0 && r[n - 1] == ' ')
		r[--n] = '\0';
	if (utf8_len(r) <= max)
		return r;
	size_t i = 0, chars = 0;
	while (r[i] && chars < max - 1) {
		uint32_t cp;
		i += utf8_next_str(r + i, &cp);
		chars++;
	}
	size_t cut = i;
	for (size_t j = i; j > i / 2; j--)
		if (r[j] == ' ') {
			cut = j;
			break;
		}
	while (cut > 0 && (r[cut - 1] == ' ' || r[cut - 1] == ',' || r[cut - 1] == ':'))
		cut--;
	memcpy(r + cut, "\xE2\x80\xA6", 4);
	return r;
}

void
topics_repair(struct topics *t, int64_t duration_ms)
{
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct topic x = t->v[i];
		if (x.start_ms < 0 || title_blank(x.title) ||
		    (duration_ms > 0 && x.start_ms >= duration_ms + 5000)) {
			free(x.title);
			continue;
		}
		if (duration_ms > 0 && x.start_ms >= duration_ms)
			x.start_ms = duration_ms - 1;
		char *st = short_title(x.title, TOPICS_MAX_TITLE_CHARS);
		free(x.title);
		x.title = st;
		t->v[k++] = x;
	}
	t->n = k;
	if (t->n > 1)
		qsort(t->v, t->n, sizeof *t->v, cmp_topic);
	k = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (k > 0 && t->v[i].start_ms <= t->v[k - 1].start_ms) {
			free(t->v[i].title);
			continue;
		}
		t->v[k++] = t->v[i];
	}
	t->n = k;
	if (t->n == 0)
		topics_add(t, 0, TOPIC_MAIN, "Lecture");
	t->v[0].level = TOPIC_MAIN;
	k = 0;
	for (size_t i = 0; i < t->n_breaks; i++) {
		struct topic_break b = t->breaks[i];
		if (b.start_ms < 0)
			b.start_ms = 0;
		if (duration_ms > 0 && b.end_ms > duration_ms)
			b.end_ms = duration_ms;
		if (b.end_ms <= b.start_ms)
			continue;
		t->breaks[k++] = b;
	}
	t->n_breaks = k;
	t->repaired = 1;
}

/* ---- extractive engine ---------------------------------------------------- */

static const char *const stop_en[] = {
	"a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
	"any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
	"between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "done",
	"down", "during", "each", "even", "every", "few", "first", "for", "from", "further",
	"get", "gets", "getting", "go", "goes", "going", "gonna", "good", "got", "had", "has",
	"have", "having", "he", "her", "here", "hers", "him", "his", "how", "however", "i",
	"if", "in", "into", "is", "it", "its", "itself", "just", "know", "let", "lets", "like",
	"look", "lot", "make", "makes", "many", "may", "me", "might", "more", "most", "much",
	"must", "my", "need", "new", "next", "no", "nor", "not", "now", "of", "off", "ok",
	"okay", "on", "once", "one", "only", "or", "other", "our", "ours", "out", "over",
	"own", "really", "right", "said", "same", "say", "says", "see", "she", "should", "so",
	"some", "something", "such", "take", "than", "that", "the", "their", "them", "then",
	"there", "these", "they", "thing", "things", "think", "this", "those", "through",
	"to", "today", "too", "two", "under", "until", "up", "us", "use", "used", "using",
	"very", "want", "was", "way", "we", "well", "were", "what", "when", "where", "which",
	"while", "who", "whom", "why", "will", "with", "would", "yeah", "yes", "you", "your",
	"yours", "actually", "basically", "kind", "sort", "mean", "three", "another", "call",
	"called", "let's", "it's", "that's", "we're", "don't", "i'm", "you're", "there's",
	"can't", "isn't", "what's", "we'll", "i'll", "they're", "let", "come", "give",
	"point", "part", "example", "question", "time", "talk", "show", "work", "works",
	NULL
};

static const char *const stop_ru[] = {
	"а", "без", "более", "бы", "был", "была", "были", "было", "быть", "в", "вам", "вас",
	"весь", "во", "вот", "все", "всего", "всех", "вы", "где", "да", "даже", "для", "до",
	"его", "ее", "её", "если", "есть", "еще", "ещё", "же", "за", "здесь", "и", "из", "или",
	"им", "их", "к", "как", "какой", "когда", "кто", "ли", "либо", "мне", "может", "мы",
	"на", "над", "надо", "наш", "не", "него", "нее", "нет", "ни", "них", "но", "ну", "о",
	"об", "однако", "он", "она", "они", "оно", "от", "очень", "по", "под", "после", "при",
	"с", "со", "так", "также", "такой", "там", "те", "тем", "то", "того", "тоже", "той",
	"только", "том", "ты", "у", "уже", "хотя", "чего", "чей", "чем", "что", "чтобы", "эта",
	"эти", "это", "этого", "этой", "этом", "этот", "я", "вот", "значит", "сейчас", "сегодня",
	"давайте", "можно", "нужно", "будет", "будем", "просто", "который", "которая",
	"которые", "которое", "потому", "поэтому", "тогда", "теперь", "один", "два", "три",
	"свой", "своей", "себя", "мой", "ваш", "где-то", "там", "тут", "то есть", "есть",
	"вообще", "например", "вопрос", "раз", "пример", "говорить", "сказать", "смотрите",
	NULL
};

static int
in_list(const char *const *list, const char *w)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], w) == 0)
			return 1;
	return 0;
}

/* Crude stem: enough to join "sorts"/"sorting", "массив"/"массива". */
static char *
stem(const char *w, int ru)
{
	char *s = xstrdup(w);
	size_t n = strlen(s);
	if (ru) {
		/* keep the first 6 characters (12 bytes of Cyrillic) */
		size_t i = 0, c = 0;
		while (s[i] && c < 6) {
			uint32_t cp;
			i += utf8_next_str(s + i, &cp);
			c++;
		}
		s[i] = '\0';
		return s;
	}
	static const char *const suf[] = { "ations", "ation", "ings", "ing", "ies", "es", "ed",
		"ly", "s", NULL };
	for (size_t i = 0; suf[i]; i++) {
		size_t l = strlen(suf[i]);
		if (n > l + 3 && strcmp(s + n - l, suf[i]) == 0) {
			s[n - l] = '\0';
			if (strcmp(suf[i], "ies") == 0)
				strcat(s, "y");
			break;
		}
	}
	return s;
}

struct term {
	char *stem;
	char *surface;      /* most common spelling */
	int surface_count;
};

struct vocab {
	struct term *v;
	size_t n, cap;
};

static size_t
vocab_id(struct vocab *voc, const char *st, const char *surface)
{
	for (size_t i = 0; i < voc->n; i++)
		if (strcmp(voc->v[i].stem, st) == 0) {
			/* prefer the shortest surface seen (usually the base form) */
			if (utf8_len(surface) < utf8_len(voc->v[i].surface)) {
				free(voc->v[i].surface);
				voc->v[i].surface = xstrdup(surface);
			}
			voc->v[i].surface_count++;
			return i;
		}
	if (voc->n == voc->cap) {
		voc->cap = voc->cap ? voc->cap * 2 : 256;
		voc->v = xreallocarray(voc->v, voc->cap, sizeof *voc->v);
	}
	voc->v[voc->n] = (struct term){ xstrdup(st), xstrdup(surface), 1 };
	return voc->n++;
}

/* Cosine similarity of two sparse count vectors given as dense arrays. */
static double
cosine(const double *a, const double *b, size_t n)
{
	double ab = 0, aa = 0, bb = 0;
	for (size_t i = 0; i < n; i++) {
		ab += a[i] * b[i];
		aa += a[i] * a[i];
		bb += b[i] * b[i];
	}
	return aa > 0 && bb > 0 ? ab / sqrt(aa * bb) : 0;
}

static char *
capitalize(const char *s)
{
	char *r = xmalloc(strlen(s) * 2 + 8);
	uint32_t cp;
	size_t n = utf8_next_str(s, &cp), o;
	if (cp >= 'a' && cp <= 'z')
		cp -= 32;
	else if (cp >= 0x430 && cp <= 0x44F)
		cp -= 32;
	else if (cp >= 0x450 && cp <= 0x45F)
		cp -= 80;
	o = utf8_put(r, cp);
	strcpy(r + o, s + n);
	return r;
}

/* The transcript as the topic finder sees it: token i is vocabulary term
 * term[i], said as transcript word word[i]; stopwords and short words are
 * not tokens.  Pseudo-sentences are W tokens long. */
struct tiling {
	const struct transcript *tr;
	int ru;
	struct vocab voc;
	size_t *term, *word, n;
	size_t W;
	size_t *bounds, n_bounds;  /* word indexes where main topics start, in order */
	double *df;                /* in how many parts each term occurs */
	size_t n_parts;
};

/* Title from the terms most characteristic of part [a,b) of the tokens. */
static char *
part_title(const struct tiling *tg, size_t a, size_t b, const char *fallback)
{
	const size_t *tok_term = tg->term;
	const struct vocab *voc = &tg->voc;
	const double *df = tg->df;
	size_t n_parts = tg->n_parts;
	int ru = tg->ru;
	double *score = xcalloc(voc->n + 1, sizeof *score);
	size_t best[3] = { SIZE_MAX, SIZE_MAX, SIZE_MAX };
	for (size_t i = a; i < b; i++)
		score[tok_term[i]] += 1.0;
	/* Terms said at least twice; in a short or noisy part, any term, the
	 * longer (more specific) the better. */
	int repeated = 0;
	for (size_t k = 0; k < voc->n && !repeated; k++)
		repeated = score[k] >= 2.0;
	for (size_t k = 0; k < voc->n; k++) {
		if (score[k] < (repeated ? 2.0 : 1.0)) {
			score[k] = 0;
			continue;
		}
		score[k] = score[k] * log(1.0 + (double)n_parts / (df[k] > 0 ? df[k] : 1.0));
		if (!repeated)
			score[k] *= (double)utf8_len(voc->v[k].surface);
	}
	for (int r = 0; r < 3; r++) {
		double bs = 0;
		for (size_t k = 0; k < voc->n; k++)
			if (score[k] > bs) {
				bs = score[k];
				best[r] = k;
			}
		if (best[r] == SIZE_MAX)
			break;
		score[best[r]] = 0;
	}
	free(score);
	if (best[0] == SIZE_MAX)
		return xstrdup(fallback);
	struct sbuf s = {0};
	char *first = capitalize(voc->v[best[0]].surface);
	sb_add(&s, first);
	free(first);
	if (best[1] != SIZE_MAX && best[2] != SIZE_MAX)
		sb_addf(&s, ", %s %s %s", voc->v[best[1]].surface, ru ? "и" : "and",
		    voc->v[best[2]].surface);
	else if (best[1] != SIZE_MAX)
		sb_addf(&s, " %s %s", ru ? "и" : "and", voc->v[best[1]].surface);
	char *t = sb_take(&s);
	char *r = short_title(t, TOPICS_MAX_TITLE_CHARS);
	free(t);
	return r;
}

struct cand {
	size_t gap;          /* boundary before token index gap*W */
	double depth;
};

static int
cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	return x->depth < y->depth ? 1 : x->depth > y->depth ? -1 : 0;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* Breaks: long pauses and "let's take a break". */
static void
find_breaks(const struct transcript *tr, struct topics *t)
{
	for (size_t i = 0; i + 1 < tr->n_words; i++) {
		int64_t gap = tr->words[i + 1].start_ms - tr->words[i].end_ms;
		char *nw = text_norm_word(tr->words[i].w);
		int said = strcmp(nw, "break") == 0 || strncmp(nw, "перерыв", strlen("перерыв")) == 0;
		free(nw);
		if (gap >= 20000 || (said && gap >= 5000))
			topics_add_break(t, tr->words[i].end_ms, tr->words[i + 1].start_ms);
	}
}

/* Content words to stemmed terms, and the pseudo-sentence length. */
static int
tokenize(struct tiling *tg, struct zpub_err *err)
{
	const struct transcript *tr = tg->tr;
	int ru = tg->ru;

	tg->term = xcalloc(tr->n_words + 1, sizeof *tg->term);
	tg->word = xcalloc(tr->n_words + 1, sizeof *tg->word);
	for (size_t i = 0; i < tr->n_words; i++) {
		char *w = text_norm_word(tr->words[i].w);
		if (utf8_len(w) >= 3 && !in_list(ru ? stop_ru : stop_en, w) &&
		    !in_list(ru ? stop_en : stop_ru, w) && !isdigit((unsigned char)w[0])) {
			char *st = stem(w, ru);
			tg->term[tg->n] = vocab_id(&tg->voc, st, w);
			tg->word[tg->n] = i;
			tg->n++;
			free(st);
		}
		free(w);
	}
	/* Hearst's W=20 for lecture-length text; smaller for short ones so
	 * that a 10-minute talk can still be split. */
	size_t n_tok = tg->n;
	tg->W = n_tok >= 600 ? 20 : n_tok / 30 > 8 ? n_tok / 30 : 8;
	return 0;
}

/* Lexical cohesion across each gap: the cosine of the term counts of the
 * K pseudo-sentences on its left and on its right.  Gap g lies before
 * pseudo-sentence g (1..n_ps-1). */
static int
gap_scores(const struct tiling *tg, size_t n_ps, size_t K, double *gap_score,
    struct zpub_err *err)
{
	size_t V = tg->voc.n, W = tg->W;
	double *blocks = calloc(n_ps * V, sizeof *blocks);

	/* The one allocation the transcript's length decides. */
	if (blocks == NULL)
		return zpub_err_set(err, ZPUB_ENOMEM, "the transcript is too long to find topics"
		    " in memory (%zu blocks of %zu terms)", n_ps, V);
	for (size_t i = 0; i < n_ps * W; i++)
		blocks[(i / W) * V + tg->term[i]] += 1.0;
	double *l = xcalloc(V, sizeof *l), *r = xcalloc(V, sizeof *r);
	for (size_t g = 1; g < n_ps; g++) {
		memset(l, 0, V * sizeof *l);
		memset(r, 0, V * sizeof *r);
		for (size_t k = 0; k < K; k++) {
			if (g >= k + 1)
				for (size_t v = 0; v < V; v++)
					l[v] += blocks[(g - k - 1) * V + v];
			if (g + k < n_ps)
				for (size_t v = 0; v < V; v++)
					r[v] += blocks[(g + k) * V + v];
		}
		gap_score[g] = cosine(l, r, V);
	}
	free(l);
	free(r);
	free(blocks);
	return 0;
}

/* Depth of each gap: how far the score dips below the peaks on both
 * sides.  Fills cand deepest first; returns how many, and in *cutoff the
 * depth a real shift of topic reaches (mean + sd/2). */
static size_t
gap_depths(const double *gap_score, size_t n_ps, struct cand *cand, double *cutoff)
{
	size_t nc = 0;
	double sum = 0, sum2 = 0;

	for (size_t g = 1; g < n_ps; g++) {
		double lp = gap_score[g], rp = gap_score[g];
		for (size_t j = g; j >= 1 && gap_score[j] >= lp; j--)
			lp = gap_score[j];
		for (size_t j = g; j < n_ps && gap_score[j] >= rp; j++)
			rp = gap_score[j];
		double d = (lp - gap_score[g]) + (rp - gap_score[g]);
		cand[nc++] = (struct cand){ g, d };
		sum += d;
		sum2 += d * d;
	}
	double mean = nc ? sum / (double)nc : 0;
	double sd = nc ? sqrt(fmax(0, sum2 / (double)nc - mean * mean)) : 0;
	*cutoff = mean + sd / 2;
	qsort(cand, nc, sizeof *cand, cmp_cand);
	return nc;
}

/* The word where the longest pause near gap g ends. */
static size_t
snap_to_pause(const struct tiling *tg, size_t g)
{
	const struct transcript *tr = tg->tr;
	size_t W = tg->W, n_tok = tg->n;
	size_t ti = g * W;
	size_t best_w = tg->word[ti];
	int64_t best_pause = -1;
	size_t lo = ti >= W / 2 ? ti - W / 2 : 0, hi = ti + W / 2 < n_tok ? ti + W / 2 : n_tok - 1;

	for (size_t x = tg->word[lo]; x <= tg->word[hi] && x < tr->n_words; x++) {
		int64_t p = x > 0 ? tr->words[x].start_ms - tr->words[x - 1].end_ms : 0;
		if (p > best_pause) {
			best_pause = p;
			best_w = x;
		}
	}
	return best_w;
}

/* Where main topics start: the deepest shifts of vocabulary, snapped to
 * pauses, keeping parts at least min_main long.  None for a talk too
 * short to split. */
static int
find_bounds(struct tiling *tg, int64_t min_main, struct zpub_err *err)
{
	const struct transcript *tr = tg->tr;
	/* Pseudo-sentences of W tokens, blocks of K of them on each side:
	 * Hearst's K=6 for lecture-length text. */
	size_t n_ps = tg->n / tg->W;
	size_t K = n_ps / 5 > 6 ? 6 : n_ps / 5 < 2 ? 2 : n_ps / 5;
	double cutoff;
	int rc;

	if (n_ps < 2 * 2 || tr->duration_ms < 2 * min_main)
		return 0;
	double *gap_score = xcalloc(n_ps, sizeof *gap_score);
	struct cand *cand = xcalloc(n_ps, sizeof *cand);
	if ((rc = gap_scores(tg, n_ps, K, gap_score, err)) != 0)
		goto out;
	size_t nc = gap_depths(gap_score, n_ps, cand, &cutoff);
	tg->bounds = xcalloc(nc + 1, sizeof *tg->bounds);
	/* Strongest shifts first, keeping parts at least min_main long. */
	for (size_t c = 0; c < nc; c++) {
		if (cand[c].depth <= 0 || cand[c].depth < cutoff)
			break;
		size_t best_w = snap_to_pause(tg, cand[c].gap);
		int64_t at = tr->words[best_w].start_ms;
		int ok = at >= min_main && tr->duration_ms - at >= min_main;
		for (size_t b = 0; b < tg->n_bounds && ok; b++) {
			int64_t other = tr->words[tg->bounds[b]].start_ms;
			if (llabs(other - at) < min_main)
				ok = 0;
		}
		if (ok)
			tg->bounds[tg->n_bounds++] = best_w;
	}
	qsort(tg->bounds, tg->n_bounds, sizeof *tg->bounds, cmp_size);
out:
	free(gap_score);
	free(cand);
	return rc;
}

/* Details: pieces of a long part [a,b) of the tokens, from start to end,
 * titled against their own part. */
static void
add_details(const struct tiling *tg, size_t a, size_t b, int64_t start, int64_t end,
    int64_t min_detail, struct topics *t)
{
	if (end - start < 4 * min_detail || b - a < 4 * tg->W)
		return;
	size_t pieces = (size_t)((end - start) / (2 * min_detail));
	if (pieces > 4)
		pieces = 4;
	if (pieces < 2)
		pieces = 2;
	for (size_t q = 1; q < pieces; q++) {
		size_t ti = a + (b - a) * q / pieces;
		int64_t at = tg->tr->words[tg->word[ti]].start_ms;
		if (at - start < min_detail || end - at < min_detail)
			continue;
		size_t ta = ti, tb = a + (b - a) * (q + 1) / pieces;
		char *dt = part_title(tg, ta, tb, "");
		if (dt[0] && strcmp(dt, t->v[t->n - 1].title) != 0)
			topics_add(t, at, TOPIC_DETAIL, dt);
		free(dt);
	}
}

/* Titles: characteristic terms of each part against the others. */
static void
add_parts(struct tiling *tg, const char *fallback, int64_t min_detail, struct topics *t)
{
	const struct transcript *tr = tg->tr;
	size_t n_parts = tg->n_bounds + 1;
	size_t *part_tok = xcalloc(n_parts + 1, sizeof *part_tok); /* first token per part */

	tg->n_parts = n_parts;
	tg->df = xcalloc(tg->voc.n + 1, sizeof *tg->df);
	for (size_t p = 0, ti = 0; p < n_parts; p++) {
		size_t first_word = p == 0 ? 0 : tg->bounds[p - 1];
		while (ti < tg->n && tg->word[ti] < first_word)
			ti++;
		part_tok[p] = ti;
	}
	part_tok[n_parts] = tg->n;
	for (size_t p = 0; p < n_parts; p++) {
		char *seen = xcalloc(tg->voc.n + 1, 1);
		for (size_t i = part_tok[p]; i < part_tok[p + 1]; i++)
			if (!seen[tg->term[i]]) {
				seen[tg->term[i]] = 1;
				tg->df[tg->term[i]] += 1;
			}
		free(seen);
	}
	for (size_t p = 0; p < n_parts; p++) {
		int64_t start = p == 0 ? 0 : tr->words[tg->bounds[p - 1]].start_ms;
		char *title = part_title(tg, part_tok[p], part_tok[p + 1], fallback);
		topics_add(t, start, TOPIC_MAIN, title);
		free(title);
		int64_t end = p + 1 < n_parts ? tr->words[tg->bounds[p]].start_ms : tr->duration_ms;
		add_details(tg, part_tok[p], part_tok[p + 1], start, end, min_detail, t);
	}
	free(part_tok);
}

/* Summary: the main topics in order. */
static void
add_summary(struct topics *t, int ru)
{
	struct sbuf s = {0};
	int first = 1;

	sb_add(&s, ru ? "В лекции: " : "In this lecture: ");
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].level != TOPIC_MAIN)
			continue;
		sb_addf(&s, "%s%s", first ? "" : "; ", t->v[i].title);
		first = 0;
	}
	sb_addc(&s, '.');
	t->summary = sb_take(&s);
}

int
topics_extractive(const struct transcript *tr, const struct topics_opts *o,
    struct topics **out, struct zpub_err *err)
{
	struct topics_opts def = { 60000, 20000, NULL };
	struct topics *t = topics_new();
	struct tiling tg = { .tr = tr };
	int rc = 0;

	if (o == NULL)
		o = &def;
	snprintf(t->engine, sizeof t->engine, "extractive");
	const char *lang = o->language && o->language[0] ? o->language : NULL;
	char *all = NULL;
	if (lang == NULL) {
		all = tr_text(tr);
		lang = text_guess_lang(all);
		free(all);
	}
	tg.ru = strncmp(lang, "ru", 2) == 0;
	const char *fallback = tg.ru ? "Лекция" : "Lecture";
	int64_t min_main = o->min_topic_ms > 0 ? o->min_topic_ms : 60000;
	int64_t min_detail = o->min_detail_ms > 0 ? o->min_detail_ms : 20000;

	find_breaks(tr, t);
	if ((rc = tokenize(&tg, err)) != 0 || (rc = find_bounds(&tg, min_main, err)) != 0)
		goto out;
	add_parts(&tg, fallback, min_detail, t);
	if (t->n > 1)
		add_summary(t, tg.ru);
	if (topics_validate(t, tr->duration_ms, NULL) != 0)
		topics_repair(t, tr->duration_ms), t->repaired = 0;
	*out = t;
	t = NULL;
out:
	for (size_t i = 0; i < tg.voc.n; i++) {
		free(tg.voc.v[i].stem);
		free(tg.voc.v[i].surface);
	}
	free(tg.voc.v);
	free(tg.term);
	free(tg.word);
	free(tg.bounds);
	free(tg.df);
	topics_free(t);
	return rc;
}
