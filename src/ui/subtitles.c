/*
 * subtitles.c — correcting subtitle text: the recording's subtitle tracks
 * (one per language, from the "srt" and "vtt" artefacts) as a list of cues;
 * a cue's text is edited on one line and re-wrapped by the subtitle
 * layout rules (ai/subtitles.c), the hard rules are checked live, and
 * saving rewrites the SRT and VTT files of that language atomically.  The
 * play key shows the selected cue in the user's player.
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
	int check;                  /* 0 ok, 1 soft warnings, -1 broken */
	char check_msg[1100];
	char error[1100];
};

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
	} else if (rep.too_fast || rep.too_short) {
		e->check = 1;
		snprintf(e->check_msg, sizeof e->check_msg, "%d cue%s read too fast, %d too short"
		    " (allowed, but harder to read)", rep.too_fast, rep.too_fast == 1 ? "" : "s",
		    rep.too_short);
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

static void
subtitles_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct subs_ed *e = s->st;
	char line[2048], a[24], b[24];
	int y = top, cols = ui->cols;
	if (e->nlangs == 0) {
		ui_put(ui, y, 1, cols - 1, ui_attr(ui, UI_R_DIM),
		    "No subtitles yet: they come with the transcript (stage transcribe).");
		return;
	}
	snprintf(line, sizeof line, "Subtitles #%lld · %s (%s%s%s) · %zu cues%s%s",
	    (long long)e->id, e->langs[e->lang].lang, e->langs[e->lang].srt ? "srt" : "",
	    e->langs[e->lang].srt && e->langs[e->lang].vtt ? "+" : "",
	    e->langs[e->lang].vtt ? "vtt" : "", e->track ? e->track->n : 0,
	    e->dirty ? " · unsaved changes" : "", e->nlangs > 1 ? " · f: next language" : "");
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
		fmt_cue_time(c->start_ms, a);
		fmt_cue_time(c->end_ms, b);
		char text[1024];
		ui_strlcpy(text, c->text, sizeof text);
		for (char *p = text; *p; p++)
			if (*p == '\n')
				*p = '|';
		snprintf(line, sizeof line, " %s → %s  %s", a, b, text);
		ui_put(ui, y + i, 0, cols, e->top + i == e->cur ? ui_attr(ui, UI_R_CURSOR) :
		    ui_attr(ui, UI_R_NORMAL), line);
	}
}

static void
text_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct subs_ed *e = ctx;
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
		ui_message(ui, 1, "too long for %d line%s of %d characters: shorten it",
		    e->rules.max_lines, e->rules.max_lines == 1 ? "" : "s", e->rules.max_line_chars);
		return;
	}
	free(e->track->cues[e->cur].text);
	e->track->cues[e->cur].text = wrapped;
	e->dirty = 1;
	recheck(e);
	ui_redraw(ui);
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
	UI_A_EDIT, UI_A_SAVE, UI_A_SEARCH, UI_A_FILTER, UI_A_PLAY, UI_A_NONE
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
