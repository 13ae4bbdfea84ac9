/*
 * subtitles.c — correcting subtitle text: the recording's subtitle tracks
 * (one per language, from the "srt" and "vtt" artefacts) as a list of cues;
 * a cue's text is edited on one line and re-wrapped by the subtitle
 * layout rules (ai/subtitles.c); a cue's start and end are nudged or typed,
 * a cue split at a place in its text or merged with the next
 * (ai/subtitles_edit.c).  An edit that breaks a hard rule is refused with
 * the reason (a refused typed line stays in the prompt for correction);
 * soft ones are marked on the cue.  Every edit can be undone and redone
 * while the editor is open.  Saving rewrites the SRT and VTT files of that
 * language atomically.  The play key shows the selected cue in the user's
 * player.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>

#include "ai.h"
#include "config.h"
#include "pipeline.h"
#include "store.h"
#include "store_ui.h"
#include "fmt.h"
#include "ui.h"
#include "undo.h"
#include "util.h"

#define MAX_LANGS 8

struct track_files {
	char lang[16];
	char *srt, *vtt;            /* artefact paths (either may be NULL) */
};

struct subs_ed {
	int64_t id;
	cJSON *cfg;
	struct track_files langs[MAX_LANGS];
	int nlangs, lang;
	struct subs_track *track;
	struct subs_rules rules;
	int cur, top, dirty;
	int edge_end;               /* timing keys move the end (else the start) */
	struct ui_undo undo;        /* copies of the track */
	int check;                  /* 0 ok, 1 soft warnings, -1 broken */
	char check_msg[1100];
	char error[1100];
};

static void
undo_free(void *track)
{
	subs_track_free(track);
}

static void
recheck(struct subs_ed *e)
{
	struct zpub_err err;
	struct subs_report rep = {0};
	e->check_msg[0] = '\0';
	if (e->track == NULL) {
		e->check = 0;
		return;
	}
	if (subs_check(e->track, &e->rules, &rep, &err) != 0) {
		e->check = -1;
		ui_strlcpy(e->check_msg, err.msg, sizeof e->check_msg);
	} else if (rep.too_fast || rep.too_short || rep.too_long) {
		e->check = 1;
		snprintf(e->check_msg, sizeof e->check_msg, "%d cue%s read too fast, %d too short,"
		    " %d too long (allowed, but harder to read)", rep.too_fast,
		    rep.too_fast == 1 ? "" : "s", rep.too_short, rep.too_long);
	} else
		e->check = 0;
}

static void
load_track(struct subs_ed *e)
{
	struct zpub_err err;
	char *text = NULL;
	subs_track_free(e->track);
	e->track = NULL;
	e->error[0] = '\0';
	e->cur = e->top = 0;
	e->dirty = 0;
	ui_undo_clear(&e->undo);
	if (e->nlangs == 0)
		return;
	struct track_files *tf = &e->langs[e->lang];
	const char *path = tf->srt ? tf->srt : tf->vtt;
	int rc = fs_read_all(path, &text, NULL, &err);
	if (rc == 0)
		rc = tf->srt ? subs_parse_srt(text, &e->track, &err) : subs_parse_vtt(text, &e->track, &err);
	if (rc != 0)
		ui_strlcpy(e->error, err.msg, sizeof e->error);
	free(text);
	subs_rules_from_config(&e->rules, e->cfg, tf->lang);
	recheck(e);
}

void *
ui_subtitles_new(struct ui *ui, int64_t rec_id)
{
	struct zpub_err err;
	struct store_recording *r = NULL;
	struct store_artifact *a = NULL;
	int n = 0;
	if (store_recording_get(ui->store, rec_id, &r, &err) != 0 ||
	    store_artifacts(ui->store, rec_id, NULL, &a, &n, &err) != 0) {
		store_recording_free(r);
		ui_message(ui, 1, "%s", err.msg);
		return NULL;
	}
	struct subs_ed *e = xcalloc(1, sizeof *e);
	e->id = rec_id;
	e->undo.free_fn = undo_free;
	e->cfg = pipeline_config_for(ui_config(ui), r);
	for (int i = 0; i < n; i++) {
		if (strcmp(a[i].kind, "srt") != 0 && strcmp(a[i].kind, "vtt") != 0)
			continue;
		cJSON *x = cJSON_Parse(a[i].extra ? a[i].extra : "{}");
		const char *lang = config_str(x, "language", "und");
		const char *fmt = config_str(x, "format", "");
		const char *dot = strrchr(a[i].path, '.');
		if (!*fmt && dot)
			fmt = dot + 1;
		int k = 0;
		while (k < e->nlangs && strcmp(e->langs[k].lang, lang) != 0)
			k++;
		if (k == e->nlangs && e->nlangs < MAX_LANGS)
			ui_strlcpy(e->langs[e->nlangs++].lang, lang, sizeof e->langs[0].lang);
		if (k < e->nlangs) {
			char **slot = strcmp(fmt, "vtt") == 0 ? &e->langs[k].vtt : &e->langs[k].srt;
			free(*slot);            /* the newest row wins */
			*slot = xstrdup(a[i].path);
		}
		cJSON_Delete(x);
	}
	store_artifacts_free(a, n);
	store_recording_free(r);
	load_track(e);
	return e;
}

static void
subtitles_free(struct ui_screen *s)
{
	struct subs_ed *e = s->st;
	if (e == NULL)
		return;
	for (int i = 0; i < e->nlangs; i++) {
		free(e->langs[i].srt);
		free(e->langs[i].vtt);
	}
	subs_track_free(e->track);
	ui_undo_clear(&e->undo);
	cJSON_Delete(e->cfg);
	free(e);
}

/* "0:01:02.345" */
static void
fmt_cue_time(int64_t ms, char out[24])
{
	char hms[16];
	ui_fmt_clock(ms, 0, hms);
	snprintf(out, 24, "%s.%03d", hms, (int)(ms % 1000));
}

/* "⚠ 21 cps · " for a cue that breaks soft rules (returns 1), "✗ " for a
 * hard one (-1). */
static int
cue_marks(const struct subs_ed *e, size_t i, char *out, size_t outsz)
{
	struct zpub_err err;
	unsigned soft = 0;
	const struct subs_cue *c = &e->track->cues[i];
	double s = (double)(c->end_ms - c->start_ms) / 1000.0;
	size_t o = 0;
	out[0] = '\0';
	if (subs_cue_check(e->track, i, &e->rules, &soft, &err) != 0) {
		snprintf(out, outsz, "✗ ");
		return -1;
	}
	if (soft & SUBS_FAST) {
		size_t chars = 0;
		for (const char *p = c->text; *p; p++)
			chars += (*p & 0xC0) != 0x80 && *p != '\n';
		o += (size_t)snprintf(out + o, outsz - o, "⚠ %.0f cps · ", (double)chars / s);
	}
	if ((soft & SUBS_SHORT) && o < outsz)
		o += (size_t)snprintf(out + o, outsz - o, "⚠ %.1f s, short · ", s);
	if ((soft & SUBS_LONG) && o < outsz)
		snprintf(out + o, outsz - o, "⚠ %.1f s, long · ", s);
	return soft != 0;
}

static void
subtitles_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct subs_ed *e = s->st;
	char line[2048], a[24], b[24], steps[64];
	int y = top, cols = ui->cols;
	if (e->nlangs == 0) {
		ui_put(ui, y, 1, cols - 1, ui_attr(ui, UI_R_DIM),
		    "No subtitles yet: they come with the transcript (stage transcribe).");
		return;
	}
	ui_undo_status(&e->undo, steps, sizeof steps);
	snprintf(line, sizeof line, "Subtitles #%lld · %s (%s%s%s) · %zu cues%s%s · timing the %s%s%s",
	    (long long)e->id, e->langs[e->lang].lang, e->langs[e->lang].srt ? "srt" : "",
	    e->langs[e->lang].srt && e->langs[e->lang].vtt ? "+" : "",
	    e->langs[e->lang].vtt ? "vtt" : "", e->track ? e->track->n : 0,
	    e->dirty ? " · unsaved changes" : "", e->nlangs > 1 ? " · f: next language" : "",
	    e->edge_end ? "end" : "start", steps[0] ? " · " : "", steps);
	ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER), line);
	if (e->error[0]) {
		ui_put(ui, y, 0, cols, ui_attr(ui, UI_R_FAIL), e->error);
		return;
	}
	ui_put(ui, y++, 0, cols, ui_attr(ui, e->check == 0 ? UI_R_OK : e->check < 0 ? UI_R_FAIL :
	    UI_R_WARN), e->check == 0 ? "✓ subtitle layout rules hold" : e->check_msg);
	int lh = height - 2;
	for (int i = 0; i < lh && e->track && (size_t)(e->top + i) < e->track->n; i++) {
		const struct subs_cue *c = &e->track->cues[e->top + i];
		char text[1024], marks[96];
		fmt_cue_time(c->start_ms, a);
		fmt_cue_time(c->end_ms, b);
		ui_strlcpy(text, c->text, sizeof text);
		for (char *p = text; *p; p++)
			if (*p == '\n')
				*p = '|';
		int mark = cue_marks(e, (size_t)(e->top + i), marks, sizeof marks);
		snprintf(line, sizeof line, " %s → %s  %s%s", a, b, marks, text);
		ui_put(ui, y + i, 0, cols, e->top + i == e->cur ? ui_attr(ui, UI_R_CURSOR) :
		    ui_attr(ui, mark < 0 ? UI_R_FAIL : mark > 0 ? UI_R_WARN : UI_R_NORMAL), line);
	}
}

/* ---- editing: every edit is a step that undo takes back ---- */

/* After an edit (or an undo): unsaved unless back at the saved step. */
static void
edited(struct ui *ui, struct subs_ed *e)
{
	e->dirty = !ui_undo_is_clean(&e->undo);
	if (e->cur >= (int)e->track->n)
		e->cur = (int)e->track->n - 1;
	if (e->cur < 0)
		e->cur = 0;
	ui_list_move(UI_A_NONE, (int)e->track->n, ui->rows - 6, &e->cur, &e->top);
	recheck(e);
	ui_redraw(ui);
}

/* A prompt given back with what was typed and why it was refused. */
static void
reprompt(struct ui *ui, const char *what, const char *reason, const char *text,
    ui_prompt_fn fn, void *ctx)
{
	char label[2048];
	snprintf(label, sizeof label, "%s (%s): ", what, reason);
	ui_prompt(ui, label, text, 0, fn, ctx);
	ui_message(ui, 1, "%s", reason);
}

static void
text_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct subs_ed *e = ctx;
	char reason[160];
	if (done != 1 || e->track == NULL || (size_t)e->cur >= e->track->n)
		return;
	/* One line in, laid out again by the same rules the stage used. */
	char *flat = xstrdup(text);
	for (char *p = flat; *p; p++)
		if (*p == '|' || *p == '\n')
			*p = ' ';
	char *wrapped = subs_wrap(flat, &e->rules);
	free(flat);
	if (wrapped == NULL) {
		snprintf(reason, sizeof reason, "too long for %d line%s of %d characters: shorten it",
		    e->rules.max_lines, e->rules.max_lines == 1 ? "" : "s", e->rules.max_line_chars);
		reprompt(ui, "Cue text", reason, text, text_done, e);
		return;
	}
	if (strcmp(wrapped, e->track->cues[e->cur].text) == 0) {
		free(wrapped);          /* no change, no undo step */
		return;
	}
	ui_undo_record(&e->undo, subs_track_copy(e->track));
	free(e->track->cues[e->cur].text);
	e->track->cues[e->cur].text = wrapped;
	edited(ui, e);
}

/* The selected cue with the timing edge at ms; refused with the reason. */
static int
set_edge(struct ui *ui, struct subs_ed *e, int64_t ms, struct zpub_err *err)
{
	const struct subs_cue *c = &e->track->cues[e->cur];
	int64_t start = e->edge_end ? c->start_ms : ms, end = e->edge_end ? ms : c->end_ms;
	struct subs_cue was = *c;
	int rc = subs_cue_set_times(e->track, (size_t)e->cur, start, end, &e->rules, err);
	if (rc != 0)
		return rc;
	/* The step keeps the track as it was. */
	struct subs_track *before = subs_track_copy(e->track);
	before->cues[e->cur].start_ms = was.start_ms;
	before->cues[e->cur].end_ms = was.end_ms;
	ui_undo_record(&e->undo, before);
	edited(ui, e);
	return 0;
}

static void
time_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct subs_ed *e = ctx;
	struct zpub_err err;
	char reason[300];
	if (done != 1 || e->track == NULL || (size_t)e->cur >= e->track->n)
		return;
	const char *what = e->edge_end ? "End (H:MM:SS.mmm)" : "Start (H:MM:SS.mmm)";
	int64_t ms = time_parse_clock(text);
	if (ms < 0) {
		snprintf(reason, sizeof reason, "'%s' is not a time: write H:MM:SS.mmm", text);
		reprompt(ui, what, reason, text, time_done, e);
	} else if (set_edge(ui, e, ms, &err) != 0)
		reprompt(ui, what, err.msg, text, time_done, e);
}

/* Splits the selected cue where the prompt's cursor was (its text may have
 * been corrected on the way). */
static void
split_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct subs_ed *e = ctx;
	struct zpub_err err;
	if (done != 1 || e->track == NULL || (size_t)e->cur >= e->track->n)
		return;
	struct subs_cue *c = &e->track->cues[e->cur];
	struct subs_track *before = subs_track_copy(e->track);
	free(c->text);
	c->text = xstrdup(text);
	if (subs_cue_split(e->track, (size_t)e->cur, (size_t)ui->prompt.pos, &e->rules, &err) != 0) {
		subs_track_free(e->track);
		e->track = before;
		reprompt(ui, "Split at the cursor", err.msg, text, split_done, e);
		return;
	}
	ui_undo_record(&e->undo, before);
	edited(ui, e);
}

static void
merge(struct ui *ui, struct subs_ed *e)
{
	struct zpub_err err;
	struct subs_track *before = subs_track_copy(e->track);
	if (subs_cue_merge(e->track, (size_t)e->cur, &e->rules, &err) != 0) {
		subs_track_free(before);
		ui_message(ui, 1, "not merged: %s", err.msg);
		return;
	}
	ui_undo_record(&e->undo, before);
	edited(ui, e);
}

/* Undo (dir -1) or redo (+1): the track swapped with the step's copy. */
static void
undo_step(struct ui *ui, struct subs_ed *e, int dir)
{
	if ((dir < 0 ? e->undo.n_undo : e->undo.n_redo) == 0) {
		ui_message(ui, 0, dir < 0 ? "nothing to undo" : "nothing to redo");
		return;
	}
	e->track = dir < 0 ? ui_undo_undo(&e->undo, e->track) : ui_undo_redo(&e->undo, e->track);
	edited(ui, e);
}

static int
write_one(struct ui *ui, struct subs_ed *e, const char *path, char *text, struct zpub_err *err)
{
	char sha[65];
	int rc = fs_write_atomic(path, text, strlen(text), 0600, err);
	if (rc == 0)
		rc = fs_sha256(path, sha, err);
	if (rc == 0)
		rc = store_ui_artifact_rewritten(ui->store, e->id, path, (int64_t)strlen(text), sha, err);
	free(text);
	return rc;
}

static void
save(struct ui *ui, struct subs_ed *e)
{
	struct zpub_err err;
	struct track_files *tf = &e->langs[e->lang];
	if (e->check < 0) {
		ui_message(ui, 1, "not saved: %s", e->check_msg);
		return;
	}
	if ((tf->srt && write_one(ui, e, tf->srt, subs_write_srt(e->track), &err) != 0) ||
	    (tf->vtt && write_one(ui, e, tf->vtt, subs_write_vtt(e->track), &err) != 0)) {
		ui_message(ui, 1, "%s", err.msg);
		return;
	}
	store_journal(ui->store, e->id, "info", "subtitles", "%s subtitles corrected in the editor"
	    " by %s", tf->lang, ui_actor(ui));
	e->dirty = 0;
	ui_undo_mark_clean(&e->undo);
	ui_message(ui, 0, "%s subtitles saved", tf->lang);
	ui_changed(ui);
}

static void
discard(struct ui *ui, void *ctx)
{
	(void)ctx;
	ui_pop(ui);
}

static int
subtitles_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct subs_ed *e = s->st;
	int n = e->track ? (int)e->track->n : 0;
	switch (a) {
	case UI_A_UP: case UI_A_DOWN: case UI_A_PAGE_UP: case UI_A_PAGE_DOWN: case UI_A_TOP:
	case UI_A_BOTTOM:
		ui_list_move(a, n, ui->rows - 6, &e->cur, &e->top);
		return 1;
	case UI_A_OPEN: case UI_A_EDIT: {
		if (n == 0)
			return 1;
		char text[1024];
		ui_strlcpy(text, e->track->cues[e->cur].text, sizeof text);
		for (char *p = text; *p; p++)
			if (*p == '\n')
				*p = ' ';
		ui_prompt(ui, "Cue text: ", text, 0, text_done, e);
		return 1;
	}
	case UI_A_LEVEL:
		e->edge_end = !e->edge_end;
		return 1;
	case UI_A_NUDGE_BACK: case UI_A_NUDGE_FWD: case UI_A_NUDGE_BACK10: case UI_A_NUDGE_FWD10: {
		if (n == 0)
			return 1;
		struct zpub_err err;
		int64_t d = a == UI_A_NUDGE_BACK ? -100 : a == UI_A_NUDGE_FWD ? 100 :
		    a == UI_A_NUDGE_BACK10 ? -1000 : 1000;
		const struct subs_cue *c = &e->track->cues[e->cur];
		if (set_edge(ui, e, (e->edge_end ? c->end_ms : c->start_ms) + d, &err) != 0)
			ui_message(ui, 1, "refused: %s", err.msg);
		return 1;
	}
	case UI_A_SET_TIME: {
		if (n == 0)
			return 1;
		char t[24];
		const struct subs_cue *c = &e->track->cues[e->cur];
		fmt_cue_time(e->edge_end ? c->end_ms : c->start_ms, t);
		ui_prompt(ui, e->edge_end ? "End (H:MM:SS.mmm): " : "Start (H:MM:SS.mmm): ", t, 0,
		    time_done, e);
		return 1;
	}
	case UI_A_SPLIT: {
		if (n == 0)
			return 1;
		char text[1024];
		ui_strlcpy(text, e->track->cues[e->cur].text, sizeof text);
		for (char *p = text; *p; p++)
			if (*p == '\n')
				*p = ' ';
		ui_prompt(ui, "Split at the cursor (←/→, Enter): ", text, 0, split_done, e);
		/* The cursor starts at the space nearest the middle. */
		struct ui_prompt *p = &ui->prompt;
		for (int d = 0; d <= p->len / 2; d++) {
			if (p->buf[p->len / 2 - d] == ' ') {
				p->pos = p->len / 2 - d + 1;
				break;
			}
			if (p->len / 2 + d < p->len && p->buf[p->len / 2 + d] == ' ') {
				p->pos = p->len / 2 + d + 1;
				break;
			}
		}
		return 1;
	}
	case UI_A_MERGE:
		if (n > 0)
			merge(ui, e);
		return 1;
	case UI_A_UNDO: case UI_A_REDO:
		if (e->track)
			undo_step(ui, e, a == UI_A_UNDO ? -1 : 1);
		return 1;
	case UI_A_FILTER:
		if (e->dirty) {
			ui_message(ui, 1, "save (w) first: these %s subtitles have changes",
			    e->langs[e->lang].lang);
			return 1;
		}
		if (e->nlangs > 1) {
			e->lang = (e->lang + 1) % e->nlangs;
			load_track(e);
		}
		return 1;
	case UI_A_PLAY:
		ui_play(ui, e->id, n ? e->track->cues[e->cur].start_ms : 0);
		return 1;
	case UI_A_VIEW:
		if (n) {
			char title[96], a0[24], b0[24];
			const struct subs_cue *c = &e->track->cues[e->cur];
			fmt_cue_time(c->start_ms, a0);
			fmt_cue_time(c->end_ms, b0);
			snprintf(title, sizeof title, "#%lld, cue %d (%s → %s) in full", (long long)e->id,
			    e->cur + 1, a0, b0);
			ui_pager_open(ui, title, c->text);
		}
		return 1;
	case UI_A_SAVE:
		if (e->dirty)
			save(ui, e);
		else
			ui_message(ui, 0, "no changes");
		return 1;
	case UI_A_BACK:
		if (e->dirty) {
			ui_confirm(ui, "Discard unsaved subtitle changes? (y/N)", discard, NULL);
			return 1;
		}
		return 0;
	case UI_A_QUIT:
		if (e->dirty) {
			ui_confirm(ui, "Quit and discard unsaved subtitle changes? (y/N)", ui_quit_yes,
			    NULL);
			return 1;
		}
		return 0;
	default:
		return 0;
	}
}

/* `/` finds cues by their times and text (find.c). */
static int
subs_find_count(struct ui_screen *s)
{
	const struct subs_ed *e = s->st;
	return e->track ? (int)e->track->n : 0;
}

static const char *
subs_find_text(struct ui_screen *s, int i, char *buf, size_t bufsz)
{
	const struct subs_ed *e = s->st;
	const struct subs_cue *c = &e->track->cues[i];
	char a[24], b[24];
	fmt_cue_time(c->start_ms, a);
	fmt_cue_time(c->end_ms, b);
	snprintf(buf, bufsz, "%s → %s  %s", a, b, c->text);
	return buf;
}

static int subs_find_cur(struct ui_screen *s) { return ((struct subs_ed *)s->st)->cur; }

static void
subs_find_goto(struct ui *ui, struct ui_screen *s, int i)
{
	struct subs_ed *e = s->st;
	e->cur = i;
	ui_list_move(UI_A_NONE, subs_find_count(s), ui->rows - 6, &e->cur, &e->top);
}

static const enum ui_action subtitles_hints[] = {
	UI_A_EDIT, UI_A_SAVE, UI_A_UNDO, UI_A_REDO, UI_A_SEARCH, UI_A_SPLIT, UI_A_MERGE,
	UI_A_LEVEL, UI_A_NUDGE_FWD, UI_A_NUDGE_FWD10, UI_A_SET_TIME, UI_A_FILTER, UI_A_PLAY,
	UI_A_NONE
};

const struct ui_screen_ops ui_subtitles_ops = {
	.name = "subtitles",
	.find_count = subs_find_count,
	.find_text = subs_find_text,
	.find_cur = subs_find_cur,
	.find_goto = subs_find_goto,
	.draw = subtitles_draw,
	.action = subtitles_action,
	.free = subtitles_free,
	.hints = subtitles_hints,
};
