/*
 * transcript.c — the transcript type: words and segments with times, its
 * transcript.json form, the time map that moves source-timeline transcripts
 * onto the published (cut) video, and a word error rate for tests.
 */
#include "ai.h"
#include "text.h"
#include "jnum.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct transcript *
tr_new(const char *engine, const char *language)
{
	struct transcript *t = xcalloc(1, sizeof *t);
	snprintf(t->engine, sizeof t->engine, "%s", engine ? engine : "");
	if (language && *language && !lang_code_ok(language))
		term_escape(language, t->language_refused, sizeof t->language_refused);
	else
		snprintf(t->language, sizeof t->language, "%s", language ? language : "");
	snprintf(t->timeline, sizeof t->timeline, "output");
	return t;
}

void
tr_free(struct transcript *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n_words; i++)
		free(t->words[i].w);
	for (size_t i = 0; i < t->n_segs; i++)
		free(t->segs[i].text);
	free(t->words);
	free(t->segs);
	free(t);
}

void
tr_add_word(struct transcript *t, const char *w, int64_t start_ms, int64_t end_ms)
{
	if (t->n_words == t->cap_words) {
		size_t cap = t->cap_words ? t->cap_words * 2 : 256;
		t->words = xreallocarray(t->words, cap, sizeof *t->words);
		t->cap_words = cap;
	}
	if (end_ms < start_ms)
		end_ms = start_ms;
	t->words[t->n_words++] = (struct tr_word){ xstrdup(w), start_ms, end_ms };
	if (end_ms > t->duration_ms)
		t->duration_ms = end_ms;
}

void
tr_add_segment(struct transcript *t, const char *text, int64_t start_ms, int64_t end_ms)
{
	if (t->n_segs == t->cap_segs) {
		size_t cap = t->cap_segs ? t->cap_segs * 2 : 64;
		t->segs = xreallocarray(t->segs, cap, sizeof *t->segs);
		t->cap_segs = cap;
	}
	if (end_ms < start_ms)
		end_ms = start_ms;
	t->segs[t->n_segs++] = (struct tr_segment){ xstrdup(text), start_ms, end_ms };
	if (end_ms > t->duration_ms)
		t->duration_ms = end_ms;
}

static int
cmp_word(const void *a, const void *b)
{
	const struct tr_word *x = a, *y = b;
	if (x->start_ms != y->start_ms)
		return x->start_ms < y->start_ms ? -1 : 1;
	return (x > y) - (x < y);
}

static int
cmp_seg(const void *a, const void *b)
{
	const struct tr_segment *x = a, *y = b;
	if (x->start_ms != y->start_ms)
		return x->start_ms < y->start_ms ? -1 : 1;
	return (x > y) - (x < y);
}

void
tr_sort(struct transcript *t)
{
	if (t->n_words > 1)
		qsort(t->words, t->n_words, sizeof *t->words, cmp_word);
	if (t->n_segs > 1)
		qsort(t->segs, t->n_segs, sizeof *t->segs, cmp_seg);
}

static int
ends_sentence(const char *w)
{
	size_t n = strlen(w);
	while (n > 0 && (w[n - 1] == '"' || w[n - 1] == ')' || w[n - 1] == '\''))
		n--;
	return n > 0 && (w[n - 1] == '.' || w[n - 1] == '?' || w[n - 1] == '!');
}

void
tr_segments_from_words(struct transcript *t)
{
	struct sbuf b = {0};
	int64_t seg_start = 0;

	for (size_t i = 0; i < t->n_segs; i++)
		free(t->segs[i].text);
	t->n_segs = 0;
	for (size_t i = 0; i < t->n_words; i++) {
		const struct tr_word *w = &t->words[i];
		if (b.len == 0)
			seg_start = w->start_ms;
		else
			sb_addc(&b, ' ');
		sb_add(&b, w->w);
		int last = i + 1 == t->n_words;
		int64_t gap = last ? 0 : t->words[i + 1].start_ms - w->end_ms;
		int64_t len = w->end_ms - seg_start;
		if (last || gap >= 1000 || len >= 20000 || (gap >= 400 && len >= 8000) ||
		    (ends_sentence(w->w) && len >= 3000)) {
			tr_add_segment(t, b.s, seg_start, w->end_ms);
			b.len = 0;
			b.s[0] = '\0';
		}
	}
	sb_free(&b);
}

void
tr_append(struct transcript *dst, const struct transcript *src, int64_t offset_ms)
{
	for (size_t i = 0; i < src->n_words; i++)
		tr_add_word(dst, src->words[i].w, src->words[i].start_ms + offset_ms,
		    src->words[i].end_ms + offset_ms);
	for (size_t i = 0; i < src->n_segs; i++)
		tr_add_segment(dst, src->segs[i].text, src->segs[i].start_ms + offset_ms,
		    src->segs[i].end_ms + offset_ms);
	if (src->duration_ms + offset_ms > dst->duration_ms)
		dst->duration_ms = src->duration_ms + offset_ms;
}

char *
tr_text(const struct transcript *t)
{
	struct sbuf b = {0};
	for (size_t i = 0; i < t->n_words; i++) {
		if (i)
			sb_addc(&b, ' ');
		sb_add(&b, t->words[i].w);
	}
	return sb_take(&b);
}

char *
tr_to_json(const struct transcript *t)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "engine", t->engine);
	cJSON_AddStringToObject(o, "language", t->language);
	cJSON_AddStringToObject(o, "timeline", t->timeline[0] ? t->timeline : "output");
	cJSON_AddNumberToObject(o, "duration_ms", (double)t->duration_ms);
	cJSON *words = cJSON_AddArrayToObject(o, "words");
	for (size_t i = 0; i < t->n_words; i++) {
		cJSON *w = cJSON_CreateObject();
		cJSON_AddStringToObject(w, "w", t->words[i].w);
		cJSON_AddNumberToObject(w, "start_ms", (double)t->words[i].start_ms);
		cJSON_AddNumberToObject(w, "end_ms", (double)t->words[i].end_ms);
		cJSON_AddItemToArray(words, w);
	}
	cJSON *segs = cJSON_AddArrayToObject(o, "segments");
	for (size_t i = 0; i < t->n_segs; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddNumberToObject(s, "start_ms", (double)t->segs[i].start_ms);
		cJSON_AddNumberToObject(s, "end_ms", (double)t->segs[i].end_ms);
		cJSON_AddStringToObject(s, "text", t->segs[i].text);
		cJSON_AddItemToArray(segs, s);
	}
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static int64_t
jint(const cJSON *o, const char *k, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return jnum_scaled(v, 1.0, -JNUM_MS_MAX, JNUM_MS_MAX, def);
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
tr_from_json(const char *json, struct transcript **out, struct zpub_err *err)
{
	cJSON *o = cJSON_Parse(json);
	struct transcript *t = NULL;
	int rc = 0;

	if (!cJSON_IsObject(o)) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "transcript is not a JSON object");
		goto out;
	}
	t = tr_new(jstr(o, "engine"), jstr(o, "language"));
	if (jstr(o, "timeline"))
		snprintf(t->timeline, sizeof t->timeline, "%s", jstr(o, "timeline"));
	const cJSON *it;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "words")) {
		const char *w = jstr(it, "w");
		if (w == NULL) {
			rc = zpub_err_set(err, ZPUB_EINVAL, "transcript word without \"w\"");
			goto out;
		}
		tr_add_word(t, w, jint(it, "start_ms", 0), jint(it, "end_ms", 0));
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "segments")) {
		const char *s = jstr(it, "text");
		tr_add_segment(t, s ? s : "", jint(it, "start_ms", 0), jint(it, "end_ms", 0));
	}
	int64_t d = jint(o, "duration_ms", 0);
	if (d > t->duration_ms)
		t->duration_ms = d;
	*out = t;
	t = NULL;
out:
	tr_free(t);
	cJSON_Delete(o);
	return rc;
}

int
tr_load(const char *path, struct transcript **out, struct zpub_err *err)
{
	char *buf = NULL;
	int rc = fs_read_all(path, &buf, NULL, err);
	if (rc == 0 && (rc = tr_from_json(buf, out, err)) != 0)
		zpub_err_prefix(err, "reading %s", path);
	free(buf);
	return rc;
}

int
tr_save(const struct transcript *t, const char *path, struct zpub_err *err)
{
	char *s = tr_to_json(t);
	int rc = fs_write_atomic(path, s, strlen(s), 0600, err);
	free(s);
	return rc;
}

/* ---- time map ------------------------------------------------------------- */

void
tr_time_map_clear(struct tr_time_map *m)
{
	free(m->pieces);
	m->pieces = NULL;
	m->n = 0;
}

/* Reads a number from the first of several spellings; seconds fields are
 * recognised by a "_s"/"" suffix and converted. */
static int
map_field(const cJSON *o, const char *const *ms_names, const char *const *s_names, int64_t *v)
{
	for (size_t i = 0; ms_names[i]; i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, ms_names[i]);
		if (cJSON_IsNumber(x))
			return jnum_get(x, -JNUM_MS_MAX, JNUM_MS_MAX, v);
	}
	for (size_t i = 0; s_names[i]; i++) {
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, s_names[i]);
		if (cJSON_IsNumber(x)) {
			if (!jnum_fits(x->valuedouble * 1000.0, -JNUM_MS_MAX, JNUM_MS_MAX))
				return 0;
			*v = jnum_scaled(x, 1000.0, -JNUM_MS_MAX, JNUM_MS_MAX, 0);
			return 1;
		}
	}
	return 0;
}

int
tr_time_map_parse(const char *json, struct tr_time_map *out, struct zpub_err *err)
{
	static const char *const ss_ms[] = { "src_start_ms", "source_start_ms", "in_start_ms", "start_ms", NULL };
	static const char *const ss_s[] = { "src_start", "source_start", "in_start", "start", NULL };
	static const char *const se_ms[] = { "src_end_ms", "source_end_ms", "in_end_ms", "end_ms", NULL };
	static const char *const se_s[] = { "src_end", "source_end", "in_end", "end", NULL };
	static const char *const os_ms[] = { "out_start_ms", "output_start_ms", "dst_start_ms", NULL };
	static const char *const os_s[] = { "out_start", "output_start", "dst_start", NULL };
	cJSON *o = cJSON_Parse(json);
	const cJSON *arr = o;
	int rc = 0;

	out->pieces = NULL;
	out->n = 0;
	if (cJSON_IsObject(o)) {
		static const char *const keys[] = { "segments", "kept", "pieces", "map", "keep", NULL };
		arr = NULL;
		for (size_t i = 0; keys[i] && arr == NULL; i++) {
			const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
			if (cJSON_IsArray(a))
				arr = a;
		}
	}
	if (!cJSON_IsArray(arr)) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "time map has no list of kept segments");
		goto out;
	}
	int n = cJSON_GetArraySize(arr);
	out->pieces = xcalloc((size_t)(n > 0 ? n : 1), sizeof *out->pieces);
	int64_t out_pos = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr) {
		struct tr_map_piece p = {0};
		if (cJSON_IsArray(it) && cJSON_GetArraySize(it) >= 2) {
			p.out_start_ms = out_pos;
			if (!jnum_get(cJSON_GetArrayItem(it, 0), 0, JNUM_MS_MAX, &p.src_start_ms) ||
			    !jnum_get(cJSON_GetArrayItem(it, 1), 0, JNUM_MS_MAX, &p.src_end_ms) ||
			    (cJSON_GetArraySize(it) >= 3 &&
			    !jnum_get(cJSON_GetArrayItem(it, 2), 0, JNUM_MS_MAX, &p.out_start_ms))) {
				rc = zpub_err_set(err, ZPUB_EINVAL,
				    "time map segment has a time that is not a number of milliseconds");
				goto out;
			}
		} else if (!map_field(it, ss_ms, ss_s, &p.src_start_ms) ||
		    !map_field(it, se_ms, se_s, &p.src_end_ms)) {
			rc = zpub_err_set(err, ZPUB_EINVAL, "time map segment lacks source start/end");
			goto out;
		} else if (!map_field(it, os_ms, os_s, &p.out_start_ms)) {
			p.out_start_ms = out_pos;
		}
		if (p.src_end_ms < p.src_start_ms) {
			rc = zpub_err_set(err, ZPUB_EINVAL, "time map segment ends before it starts");
			goto out;
		}
		out_pos = p.out_start_ms + (p.src_end_ms - p.src_start_ms);
		out->pieces[out->n++] = p;
	}
out:
	if (rc != 0)
		tr_time_map_clear(out);
	cJSON_Delete(o);
	return rc;
}

int64_t
tr_time_map_apply(const struct tr_time_map *m, int64_t src_ms)
{
	if (m == NULL || m->n == 0)
		return src_ms;
	for (size_t i = 0; i < m->n; i++) {
		const struct tr_map_piece *p = &m->pieces[i];
		if (src_ms >= p->src_start_ms && src_ms <= p->src_end_ms)
			return p->out_start_ms + (src_ms - p->src_start_ms);
	}
	return -1;
}

/* Maps an instant that may be in a cut: snaps to the nearest kept edge. */
static int64_t
map_snap(const struct tr_time_map *m, int64_t src_ms, int forward)
{
	int64_t v = tr_time_map_apply(m, src_ms);
	if (v >= 0)
		return v;
	for (size_t i = 0; i < m->n; i++) {
		const struct tr_map_piece *p = &m->pieces[i];
		if (src_ms < p->src_start_ms) {
			if (forward)
				return p->out_start_ms;
			if (i == 0)
				return -1;
			const struct tr_map_piece *q = &m->pieces[i - 1];
			return q->out_start_ms + (q->src_end_ms - q->src_start_ms);
		}
	}
	return -1;
}

int
tr_to_output_timeline(struct transcript *t, const struct tr_time_map *m)
{
	size_t k = 0;
	if (strcmp(t->timeline, "source") != 0 || m == NULL || m->n == 0) {
		snprintf(t->timeline, sizeof t->timeline, "output");
		return 0;
	}
	for (size_t i = 0; i < t->n_words; i++) {
		struct tr_word w = t->words[i];
		int64_t mid = (w.start_ms + w.end_ms) / 2;
		if (tr_time_map_apply(m, mid) < 0) {
			free(w.w);
			continue;
		}
		int64_t s = map_snap(m, w.start_ms, 1), e = map_snap(m, w.end_ms, 0);
		if (s < 0)
			s = tr_time_map_apply(m, mid);
		if (e < s)
			e = s;
		w.start_ms = s;
		w.end_ms = e;
		t->words[k++] = w;
	}
	t->n_words = k;
	k = 0;
	for (size_t i = 0; i < t->n_segs; i++) {
		struct tr_segment sg = t->segs[i];
		int64_t s = map_snap(m, sg.start_ms, 1), e = map_snap(m, sg.end_ms, 0);
		if (s < 0 || e < 0 || e <= s) {
			free(sg.text);
			continue;
		}
		sg.start_ms = s;
		sg.end_ms = e;
		t->segs[k++] = sg;
	}
	t->n_segs = k;
	const struct tr_map_piece *last = &m->pieces[m->n - 1];
	t->duration_ms = last->out_start_ms + (last->src_end_ms - last->src_start_ms);
	snprintf(t->timeline, sizeof t->timeline, "output");
	tr_sort(t);
	return 0;
}

/* ---- word error rate ------------------------------------------------------ */

static char **
split_norm(const char *s, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	char *copy = xstrdup(s);
	char *save = NULL;

	*n = 0;
	for (char *tok = strtok_r(copy, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		char *w = text_norm_word(tok);
		if (w[0] == '\0') {
			free(w);
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[(*n)++] = w;
	}
	free(copy);
	return v;
}

double
tr_wer(const char *ref, const char *hyp)
{
	size_t nr, nh;
	char **r = split_norm(ref, &nr), **h = split_norm(hyp, &nh);
	size_t *prev = xcalloc(nh + 1, sizeof *prev), *cur = xcalloc(nh + 1, sizeof *cur);
	double wer;

	for (size_t j = 0; j <= nh; j++)
		prev[j] = j;
	for (size_t i = 1; i <= nr; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= nh; j++) {
			size_t sub = prev[j - 1] + (strcmp(r[i - 1], h[j - 1]) != 0);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			size_t m = sub < del ? sub : del;
			cur[j] = m < ins ? m : ins;
		}
		size_t *tmp = prev;
		prev = cur;
		cur = tmp;
	}
	wer = nr ? (double)prev[nh] / (double)nr : (nh ? 1.0 : 0.0);
	for (size_t i = 0; i < nr; i++)
		free(r[i]);
	for (size_t i = 0; i < nh; i++)
		free(h[i]);
	free(r);
	free(h);
	free(prev);
	free(cur);
	return wer;
}
