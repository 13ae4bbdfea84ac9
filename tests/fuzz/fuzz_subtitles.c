/* needs: src/ai/subtitles.c */
/*
 * fuzz_subtitles.c — subtitle layout from arbitrary words and times: any
 * words (broken UTF-8, empty, huge, control characters), any start/end
 * (negative, reversed, overlapping, hours apart), any rules within their
 * documented ranges.  Checks: subs_build either refuses with a sentence or
 * gives a track that passes subs_check's hard rules, and the SRT and VTT it
 * writes are read back by the strict parsers with the same number of cues.
 * The first byte 0xFE instead feeds the rest to the strict SRT/VTT parsers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "fdp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp f = { data, size };
	struct zpub_err err = {0};
	uint8_t mode = fdp_u8(&f);

	if (mode == 0xFE) {
		char *text = fdp_rest(&f);
		struct subs_track *t = NULL;
		if (subs_parse_srt(text, &t, &err) == 0)
			subs_track_free(t);
		t = NULL;
		if (subs_parse_vtt(text, &t, &err) == 0)
			subs_track_free(t);
		free(text);
		return 0;
	}
	struct subs_rules r;
	subs_rules_default(&r, mode & 1 ? "ru" : "en");
	if (mode & 2) {
		r.max_line_chars = (int)fdp_range(&f, 10, 80);
		r.max_lines = (int)fdp_range(&f, 1, 3);
		r.min_cue_ms = fdp_range(&f, 0, 2000);
		r.max_cue_ms = fdp_range(&f, 2000, 10000);
		r.max_cps = (double)fdp_range(&f, 5, 40);
		r.min_gap_ms = fdp_range(&f, 0, 200);
		r.pause_split_ms = fdp_range(&f, 100, 3000);
	}
	struct transcript *t = tr_new("fuzz", mode & 1 ? "ru" : "en");
	int64_t at = 0;
	for (int i = 0; f.n > 0 && i < 400; i++) {
		uint8_t how = fdp_u8(&f);
		int64_t a, b;
		if (how & 1) { /* arbitrary times */
			a = fdp_range(&f, -100000, 40000000);
			b = fdp_range(&f, -100000, 40000000);
		} else {       /* plausible: a word after the last */
			a = at + fdp_range(&f, 0, 3000);
			b = a + fdp_range(&f, 0, 2000);
		}
		at = b > at ? b : at;
		char *w = fdp_str(&f, how & 2 ? 200 : 16);
		tr_add_word(t, w, a, b);
		free(w);
	}
	if (mode & 4)
		tr_sort(t);
	struct subs_track *track = NULL;
	int rc = subs_build(t, &r, &track, &err);
	if (rc != 0) {
		if (err.msg[0] == '\0')
			__builtin_trap();
		tr_free(t);
		return 0;
	}
	if (subs_check(track, &r, NULL, &err) != 0) {
		fprintf(stderr, "subs_build made a track that breaks a hard rule: %s\n", err.msg);
		__builtin_trap();
	}
	char *srt = subs_write_srt(track), *vtt = subs_write_vtt(track);
	struct subs_track *a = NULL, *b = NULL;
	if (srt == NULL || subs_parse_srt(srt, &a, &err) != 0) {
		fprintf(stderr, "our SRT does not parse: %s\n%s\n", err.msg, srt ? srt : "(null)");
		__builtin_trap();
	}
	if (vtt == NULL || subs_parse_vtt(vtt, &b, &err) != 0) {
		fprintf(stderr, "our VTT does not parse: %s\n%s\n", err.msg, vtt ? vtt : "(null)");
		__builtin_trap();
	}
	if (a->n != track->n || b->n != track->n)
		__builtin_trap();
	subs_track_free(a);
	subs_track_free(b);
	free(srt);
	free(vtt);
	subs_track_free(track);
	tr_free(t);
	return 0;
}
