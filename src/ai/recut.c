/*
 * recut.c — carrying a transcript and its topics over a re-cut.
 *
 * When an editor changes the cut, the words already transcribed stay
 * valid: each goes back to the source through the old time map and
 * forward onto the new cut through the new one; what the new cut drops
 * goes with it.  Topics are re-timed the same way.  Pure functions (no
 * files, no services), so they are unit-tested.
 */
#include "ai.h"
#include "media.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* 1 when the source instant src_ms is inside a part tm keeps. */
static int
kept_at(const struct media_timemap *tm, int64_t src_ms)
{
	int64_t out = media_timemap_to_output(tm, src_ms);

	return out < tm->out_duration_ms && media_timemap_to_source(tm, out) == src_ms;
}

/* Old output time -> new output time, through the source. */
static int64_t
recut_ms(const struct media_timemap *old_map, const struct media_timemap *new_map,
    int64_t out_ms)
{
	return media_timemap_to_output(new_map, media_timemap_to_source(old_map, out_ms));
}

struct transcript *
tr_recut(const struct transcript *t, const struct media_timemap *old_map,
    const struct media_timemap *new_map)
{
	struct transcript *n = tr_new(t->engine, t->language);

	snprintf(n->timeline, sizeof n->timeline, "output");
	for (size_t i = 0; i < t->n_words; i++) {
		const struct tr_word *w = &t->words[i];
		int64_t mid = w->start_ms + (w->end_ms - w->start_ms) / 2;
		int64_t src = media_timemap_to_source(old_map, mid);

		if (!kept_at(old_map, src) || !kept_at(new_map, src))
			continue;
		/* The word moves as a whole with its middle. */
		int64_t d = media_timemap_to_output(new_map, src) - mid;
		int64_t s = w->start_ms + d, e = w->end_ms + d;
		if (s < 0)
			s = 0;
		if (e > new_map->out_duration_ms)
			e = new_map->out_duration_ms;
		tr_add_word(n, w->w, s, e < s ? s : e);
	}
	/* Segments are made again from the words once new ones join them. */
	n->duration_ms = new_map->out_duration_ms;
	return n;
}

struct topics *
topics_recut(const struct topics *t, const struct media_timemap *old_map,
    const struct media_timemap *new_map)
{
	struct topics *n = topics_new();

	snprintf(n->engine, sizeof n->engine, "%s", t->engine);
	if (t->summary)
		n->summary = xstrdup(t->summary);
	for (size_t i = 0; i < t->n; i++) {
		const struct topic *x = &t->v[i];
		int64_t at = x->start_ms <= 0 ? 0 : recut_ms(old_map, new_map, x->start_ms);

		/* A topic whose whole stretch was cut lands where the next one
		 * starts: the next one stays, it is what the video shows there. */
		while (n->n > 0 && n->v[n->n - 1].start_ms >= at) {
			free(n->v[n->n - 1].title);
			n->n--;
		}
		if (at >= new_map->out_duration_ms)
			continue;
		topics_add(n, at, x->level, x->title);
	}
	if (n->n > 0)
		n->v[0].level = TOPIC_MAIN;
	for (size_t i = 0; i < t->n_breaks; i++) {
		int64_t s = recut_ms(old_map, new_map, t->breaks[i].start_ms);
		int64_t e = recut_ms(old_map, new_map, t->breaks[i].end_ms);

		if (e > s)
			topics_add_break(n, s, e);
	}
	return n;
}
