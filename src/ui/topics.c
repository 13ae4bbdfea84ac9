/*
 * topics.c — the topic and timecode editor: the newest topic version as an
 * editable list (time, level, title), the transcript lines around the
 * selected time, live validation and a live preview of the description
 * that publishing would use, or what changed since the previous version.
 * Saving adds a new version; approving (after a y/N question) marks one for
 * publishing; a topic's time can be played in the user's player.  Every
 * edit can be undone and redone while the editor is open, and a refused
 * typed time stays in the prompt for correction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>

#include "ai.h"
#include "config.h"
#include "edit.h"
#include "pipeline.h"
#include "store.h"
#include "store_ui.h"
#include "fmt.h"
#include "topics_edit.h"
#include "ui.h"
#include "undo.h"
#include "util.h"

struct topics_ed {
	int64_t id;
	char *title;
	int64_t duration_ms, started_at;
	cJSON *cfg;                 /* the recording's merged config */
	struct topics *t;
	int version;                /* the version loaded or last saved; 0 = none */
	int approved;
	int dirty;
	struct ui_undo undo;        /* topic lists as JSON */
	int cur, top;
	int newer;                  /* a newer version appeared while editing */
	struct topics *saved;       /* version as stored (NULL: none) */
	struct topics *prev;        /* the version before it (NULL: none) */
	int prev_version;
	int show_changes;           /* the lower pane: changes instead of the preview */
	char *changes;              /* ui_topics_diff lines */
	struct transcript *tr;
	char tr_msg[256];
	/* recomputed after every change */
	int check;                  /* 0 ok, 1 warning, -1 invalid */
	int bad;
	char check_msg[512];
	char *preview_title, *preview;
	char error[1200];
};

static const char *
language(const struct topics_ed *e)
{
	if (e->tr && e->tr->language[0])
		return e->tr->language;
	return config_str(e->cfg, "processing.transcription.language", "");
}

static void
recompute(struct topics_ed *e)
{
	e->check = ui_topics_check(e->t, e->duration_ms, language(e), e->check_msg,
	    sizeof e->check_msg, &e->bad);
	/* Unsaved edits against what is stored, else the version shown
	 * against the one before it. */
	free(e->changes);
	e->changes = ui_topics_diff(e->dirty ? e->saved : e->prev, e->t, NULL);
	free(e->preview_title);
	free(e->preview);
	e->preview_title = e->preview = NULL;
	char date[32] = "", warning[256] = "";
	if (e->started_at > 0) {
		ui_fmt_local(e->started_at, date);
		date[10] = '\0';
	}
	struct desc_vars v = {
		.title = e->title, .date = date, .n = 0, .summary = NULL, .topics = e->t,
		.duration_ms = e->duration_ms, .language = language(e),
		.extra = config_find(e->cfg, "metadata.vars"),
	};
	struct zpub_err err;
	if (desc_build(config_str(e->cfg, "metadata.title", "{{title}}"),
	    config_str(e->cfg, "metadata.description", "{{topics}}"), &v, &e->preview_title,
	    &e->preview, warning, sizeof warning, &err) != 0)
		e->preview = xasprintf("(no preview: %s)", err.msg);
}

/* e->saved and e->prev: versions e->version and the one before it. */
static void
load_bases(struct ui *ui, struct topics_ed *e)
{
	struct zpub_err err;
	struct store_topic_version *tv = NULL;
	int n = 0;
	topics_free(e->saved);
	topics_free(e->prev);
	e->saved = e->prev = NULL;
	e->prev_version = 0;
	if (e->version == 0 || store_topic_versions(ui->store, e->id, &tv, &n, &err) != 0)
		return;
	for (int i = 0; i < n; i++) {
		if (tv[i].version == e->version)
			topics_from_json(tv[i].json, &e->saved, &err);
		else if (tv[i].version < e->version && tv[i].version > e->prev_version) {
			topics_free(e->prev);
			e->prev = NULL;
			if (topics_from_json(tv[i].json, &e->prev, &err) == 0)
				e->prev_version = tv[i].version;
		}
	}
	store_topic_versions_free(tv, n);
}

static int
load_version(struct ui *ui, struct topics_ed *e)
{
	struct zpub_err err;
	struct store_topic_version tv;
	memset(&tv, 0, sizeof tv);
	int rc = store_topic_version_latest(ui->store, e->id, 0, &tv, &err);
	if (rc == ZPUB_ENOTFOUND) {
		if (e->t == NULL)
			e->t = topics_new();
		e->version = 0;
		return 0;
	}
	if (rc != 0) {
		ui_strlcpy(e->error, err.msg, sizeof e->error);
		return rc;
	}
	struct topics *t = NULL;
	if (topics_from_json(tv.json, &t, &err) != 0) {
		snprintf(e->error, sizeof e->error, "topic version %d: %s", tv.version, err.msg);
		store_topic_version_clear(&tv);
		return ZPUB_EINVAL;
	}
	topics_free(e->t);
	e->t = t;
	ui_undo_mark_clean(&e->undo);
	e->version = tv.version;
	e->approved = tv.approved_by != NULL;
	e->dirty = 0;
	e->newer = 0;
	store_topic_version_clear(&tv);
	load_bases(ui, e);
	if (e->cur >= (int)e->t->n)
		e->cur = (int)e->t->n - 1;
	if (e->cur < 0)
		e->cur = 0;
	return 0;
}

static void
load_transcript(struct ui *ui, struct topics_ed *e)
{
	struct zpub_err err;
	char *path = NULL;
	if (store_ui_artifact_path(ui->store, e->id, "transcript", &path, &err) != 0) {
		snprintf(e->tr_msg, sizeof e->tr_msg, "no transcript yet");
		return;
	}
	if (tr_load(path, &e->tr, &err) != 0)
		ui_strlcpy(e->tr_msg, err.msg, sizeof e->tr_msg);
	else if (e->tr->n_segs == 0)
		tr_segments_from_words(e->tr);
	free(path);
}

void *
ui_topics_new(struct ui *ui, int64_t rec_id)
{
	struct zpub_err err;
	struct store_recording *r = NULL;
	if (store_recording_get(ui->store, rec_id, &r, &err) != 0) {
		ui_message(ui, 1, "%s", err.msg);
		return NULL;
	}
	struct topics_ed *e = xcalloc(1, sizeof *e);
	e->id = rec_id;
	e->title = xstrdup(r->title);
	e->duration_ms = edit_topics_video_ms(ui->store, r);
	e->started_at = r->started_at;
	e->cfg = pipeline_config_for(ui_config(ui), r);
	store_recording_free(r);
	load_version(ui, e);
	load_transcript(ui, e);
	if (e->t == NULL)
		e->t = topics_new();
	recompute(e);
	return e;
}

static void
topics_free_screen(struct ui_screen *s)
{
	struct topics_ed *e = s->st;
	if (e == NULL)
		return;
	topics_free(e->t);
	topics_free(e->saved);
	topics_free(e->prev);
	ui_undo_clear(&e->undo);
	free(e->changes);
	tr_free(e->tr);
	cJSON_Delete(e->cfg);
	free(e->title);
	free(e->preview_title);
	free(e->preview);
	free(e);
}

static void
topics_reload(struct ui *ui, struct ui_screen *s)
{
	struct topics_ed *e = s->st;
	struct zpub_err err;
	struct store_topic_version tv;
	memset(&tv, 0, sizeof tv);
	if (store_topic_version_latest(ui->store, e->id, 0, &tv, &err) != 0)
		return;
	int approved = tv.approved_by != NULL;
	if (tv.version != e->version || approved != e->approved) {
		if (e->dirty)
			e->newer = tv.version != e->version;   /* keep the user's edits */
		else {
			load_version(ui, e);
			recompute(e);
		}
	}
	store_topic_version_clear(&tv);
}

/* Rows for the topic list: what it needs, at most two fifths of the
 * screen, so the transcript and the preview get the rest. */
static int
list_height(int height, int n)
{
	int h = height * 2 / 5;
	if (n + 1 < h)
		h = n + 1;
	return h < 3 ? 3 : h;
}

/* The lower pane's other face: what changed, a line per topic, as
 * ui_topics_diff writes them. */
static void
draw_changes(struct ui *ui, const struct topics_ed *e, int y, int height)
{
	char line[1024];
	int cols = ui->cols, end = y + height;
	if (e->dirty && e->saved)
		snprintf(line, sizeof line, "Changes since v%d (not saved)", e->version);
	else if (e->dirty || e->version == 0)
		snprintf(line, sizeof line, "Changes: no saved version to compare with");
	else if (e->prev)
		snprintf(line, sizeof line, "Changes in v%d from v%d", e->version, e->prev_version);
	else
		snprintf(line, sizeof line, "Changes: v%d is the first version", e->version);
	ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER), line);
	const char *p = e->changes ? e->changes : "";
	if (*p == '\0' && (e->dirty ? e->saved != NULL : e->prev != NULL))
		ui_put(ui, y, 2, cols - 2, ui_attr(ui, UI_R_DIM), "no changes");
	while (y < end && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		snprintf(line, sizeof line, "  %.*s", (int)(n < 1000 ? n : 1000), p);
		ui_put(ui, y++, 0, cols, ui_attr(ui, *p == '+' ? UI_R_OK : *p == '-' ? UI_R_FAIL :
		    UI_R_WARN), line);
		p += n + (nl ? 1 : 0);
	}
}

static void
topics_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct topics_ed *e = s->st;
	char line[1024], t1[16], t2[16];
	int cols = ui->cols, y = top;

	char v[64];
	ui_fmt_clock(e->duration_ms, 0, t1);
	if (e->version)
		snprintf(v, sizeof v, "v%d%s%s", e->version, e->approved ? " approved" : "",
		    e->dirty ? " + unsaved changes" : "");
	else
		snprintf(v, sizeof v, "no saved version%s", e->dirty ? " + unsaved changes" : "");
	char steps[64];
	ui_undo_status(&e->undo, steps, sizeof steps);
	snprintf(line, sizeof line, "#%lld %s · %s · %zu topics · length %s%s%s%s", (long long)e->id,
	    e->title, v, e->t->n, t1, e->newer ? " · newer version saved elsewhere" : "",
	    steps[0] ? " · " : "", steps);
	ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER), line);
	if (e->error[0]) {
		ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_FAIL), e->error);
		return;
	}
	int lh = list_height(height - 1, (int)e->t->n);
	if (e->t->n == 0)
		ui_put(ui, y, 2, cols - 2, ui_attr(ui, UI_R_DIM),
		    "No topics yet: i inserts one at 0:00:00.");
	for (int i = 0; i < lh; i++) {
		int k = e->top + i;
		if (k >= (int)e->t->n)
			break;
		const struct topic *tp = &e->t->v[k];
		int is_cur = k == e->cur;
		int attr = is_cur ? ui_attr(ui, UI_R_CURSOR) : k == e->bad && e->check != 0 ?
		    ui_attr(ui, e->check < 0 ? UI_R_FAIL : UI_R_WARN) : ui_attr(ui, UI_R_NORMAL);
		ui_fmt_clock(tp->start_ms, 0, t2);
		snprintf(line, sizeof line, "%s %9s  %-6s %s", k == e->bad && e->check ? "!" : " ", t2,
		    tp->level == TOPIC_MAIN ? "main" : "detail", "");
		int lw = utf8_width(line);
		ui_put(ui, y + i, 0, lw, attr, line);
		ui_put(ui, y + i, lw, cols - lw, attr, tp->level == TOPIC_DETAIL ?
		    "" : tp->title);
		if (tp->level == TOPIC_DETAIL) {
			snprintf(line, sizeof line, "  %s", tp->title);
			ui_put(ui, y + i, lw, cols - lw, attr, line);
		}
	}
	y += lh;
	/* Validation. */
	ui_put(ui, y++, 0, cols, ui_attr(ui, e->check == 0 ? UI_R_OK : e->check < 0 ? UI_R_FAIL :
	    UI_R_WARN), e->check == 0 ? "✓ valid: YouTube chapters OK" : e->check_msg);
	int rest = top + height - y;
	if (rest <= 1)
		return;
	/* Transcript around the selected time. */
	int th = rest / 3 < 3 ? (rest >= 6 ? 3 : 1) : 4;
	int64_t at = e->t->n ? e->t->v[e->cur].start_ms : 0;
	ui_fmt_clock(at, 0, t1);
	snprintf(line, sizeof line, "Transcript near %s", t1);
	ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER), line);
	if (e->tr == NULL || e->tr->n_segs == 0) {
		ui_put(ui, y, 2, cols - 2, ui_attr(ui, UI_R_DIM), e->tr_msg[0] ? e->tr_msg :
		    "the transcript has no text");
		y += th - 1;
	} else {
		size_t k = 0;
		while (k + 1 < e->tr->n_segs && e->tr->segs[k + 1].start_ms <= at)
			k++;
		size_t first = k > 0 ? k - 1 : 0;
		for (int i = 0; i < th - 1 && first + (size_t)i < e->tr->n_segs; i++) {
			const struct tr_segment *sg = &e->tr->segs[first + (size_t)i];
			ui_fmt_clock(sg->start_ms, 0, t2);
			snprintf(line, sizeof line, "%s %9s  %s", first + (size_t)i == k ? ">" : " ", t2,
			    sg->text);
			ui_put(ui, y + i, 0, cols, ui_attr(ui, first + (size_t)i == k ? UI_R_NORMAL :
			    UI_R_DIM), line);
		}
		y += th - 1;
	}
	if (y >= top + height)
		return;
	if (e->show_changes) {
		draw_changes(ui, e, y, top + height - y);
		return;
	}
	/* Description preview. */
	snprintf(line, sizeof line, "Description preview — title: %s",
	    e->preview_title ? e->preview_title : "");
	ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER), line);
	const char *p = e->preview ? e->preview : "";
	while (y < top + height && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		snprintf(line, sizeof line, "  %.*s", (int)(n < 1000 ? n : 1000), p);
		ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_NORMAL), line);
		p += n + (nl ? 1 : 0);
	}
}

/* After an edit that started from before (the list as JSON, taken): one
 * undo step when the list changed; unsaved unless back at the saved step. */
static void
changed(struct topics_ed *e, char *before)
{
	if (before) {
		char *now = topics_to_json(e->t);
		if (strcmp(before, now) != 0)
			ui_undo_record(&e->undo, before);
		else
			free(before);
		free(now);
	}
	e->dirty = !ui_undo_is_clean(&e->undo);
	recompute(e);
}

static void
title_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct topics_ed *e = ctx;
	if (done != 1)
		return;
	char *before = topics_to_json(e->t);
	ui_topics_set_title(e->t, e->cur, text);
	changed(e, before);
	ui_redraw(ui);
}

/* The title of a topic just inserted: Esc takes the insertion back. */
static void
insert_title_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct topics_ed *e = ctx;
	if (done == 0)
		return;
	if (done == 1) {
		ui_topics_set_title(e->t, e->cur, text);
		changed(e, NULL);
	} else {
		int at = e->cur;
		ui_topics_remove(e->t, at);
		ui_undo_drop(&e->undo);
		e->cur = at > 0 ? at - 1 : 0;
		changed(e, NULL);
	}
	ui_redraw(ui);
}

static void
time_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct topics_ed *e = ctx;
	char reason[512];
	if (done != 1)
		return;
	int64_t ms = time_parse_clock(text);
	if (ms < 0)
		snprintf(reason, sizeof reason, "'%s' is not a time: write H:MM:SS, MM:SS or seconds",
		    text);
	else if (e->duration_ms > 1000 && ms > e->duration_ms - 1000) {
		/* Refused, not moved to the end: the user meant another time. */
		char len[16], last[16];
		ui_fmt_clock(e->duration_ms, 0, len);
		ui_fmt_clock(e->duration_ms - 1000, 0, last);
		snprintf(reason, sizeof reason, "%s is past the end of the video (length %s): a topic"
		    " starts at %s at the latest; time not changed", text, len, last);
	} else {
		char *before = topics_to_json(e->t);
		e->cur = ui_topics_set_time(e->t, e->cur, ms, e->duration_ms);
		changed(e, before);
		ui_redraw(ui);
		return;
	}
	/* What was typed stays in the prompt, with the reason beside it. */
	char label[1024];
	snprintf(label, sizeof label, "Time (H:MM:SS) (%s): ", reason);
	ui_prompt(ui, label, text, 0, time_done, e);
	ui_message(ui, 1, "%s", reason);
}

static int
save(struct ui *ui, struct topics_ed *e)
{
	struct zpub_err err;
	struct actor who;
	int version = 0;
	int rc = edit_topics_save(ui->store, ui_who(ui, &who), e->id, e->t, &version, &err);
	if (rc != 0) {
		ui_message(ui, 1, "%s", err.msg);
		return rc;
	}
	e->version = version;
	e->approved = 0;
	e->dirty = 0;
	ui_undo_mark_clean(&e->undo);
	e->newer = 0;
	load_bases(ui, e);
	recompute(e);
	ui_message(ui, 0, "saved as version %d", version);
	ui_changed(ui);
	return 0;
}

static void
discard(struct ui *ui, void *ctx)
{
	(void)ctx;
	ui_pop(ui);
}

struct save_approval {
	struct topics_ed *e;
};

static void
save_and_approve(struct ui *ui, void *ctx)
{
	struct topics_ed *e = ((struct save_approval *)ctx)->e;
	free(ctx);
	if (save(ui, e) == 0)
		ui_approve(ui, e->id, e->version);
}

/*
 * The editor's keys, one handler each: 0 when the key is not theirs here,
 * ED_DONE when handled, ED_CHANGED when the list changed and the cursor
 * must be brought back into view.
 */
enum { ED_DONE = 1, ED_CHANGED };

static int
ed_move(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	int n = (int)e->t->n;
	ui_list_move(a, n, list_height(ui->rows - 4, n), &e->cur, &e->top);
	return ED_DONE;
}

static int
ed_title(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	if (e->t->n == 0)
		return ED_DONE;
	ui_prompt(ui, "Title: ", e->t->v[e->cur].title, 0, title_done, e);
	return ED_DONE;
}

static int
ed_time(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	char buf[256];
	if (e->t->n == 0)
		return ED_DONE;
	ui_fmt_clock(e->t->v[e->cur].start_ms, 0, buf);
	ui_prompt(ui, "Time (H:MM:SS): ", buf, 0, time_done, e);
	return ED_DONE;
}

static int
ed_nudge(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	if (e->t->n == 0)
		return ED_DONE;
	int64_t d = a == UI_A_NUDGE_BACK ? -1000 : a == UI_A_NUDGE_FWD ? 1000 :
	    a == UI_A_NUDGE_BACK10 ? -10000 : 10000;
	char *before = topics_to_json(e->t);
	e->cur = ui_topics_nudge(e->t, e->cur, d, e->duration_ms);
	changed(e, before);
	return ED_CHANGED;
}

static int
ed_insert(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	char *before = topics_to_json(e->t);
	int i = ui_topics_insert(e->t, e->cur, e->duration_ms, "New topic");
	if (i < 0) {
		free(before);
		ui_message(ui, 1, "no room after this topic (less than 2 s to the next)");
		return ED_DONE;
	}
	e->cur = i;
	changed(e, before);
	ui_prompt(ui, "Title: ", "", 0, insert_title_done, e);
	return ED_CHANGED;
}

static int
ed_remove(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	if (e->t->n == 0)
		return ED_DONE;
	char *before = topics_to_json(e->t);
	e->cur = ui_topics_remove(e->t, e->cur);
	if (e->cur < 0)
		e->cur = 0;
	changed(e, before);
	return ED_CHANGED;
}

static int
ed_level(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	char *before = topics_to_json(e->t);
	ui_topics_toggle_level(e->t, e->cur);
	changed(e, before);
	return ED_DONE;
}

static int
ed_save(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	if (!e->dirty && e->version) {
		ui_message(ui, 0, "no changes since version %d", e->version);
		return ED_DONE;
	}
	save(ui, e);
	return ED_DONE;
}

static int
ed_approve(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	char buf[256];
	if (e->dirty || e->version == 0) {
		struct save_approval *sa = xcalloc(1, sizeof *sa);
		sa->e = e;
		char title[160];
		ui_text_fit(e->title, 24, 1, title, sizeof title);
		snprintf(buf, sizeof buf, "Save as a new version and approve it for #%lld '%s'?"
		    " (y/N)", (long long)e->id, title);
		ui_confirm(ui, buf, save_and_approve, sa);
	} else
		ui_approve_ask(ui, e->id);
	return ED_DONE;
}

static int
ed_changes(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	e->show_changes = !e->show_changes;
	return ED_DONE;
}

static int
ed_undo(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	struct zpub_err err;
	struct topics *t = NULL;
	char *now = topics_to_json(e->t);
	char *to = a == UI_A_UNDO ? ui_undo_undo(&e->undo, now) : ui_undo_redo(&e->undo, now);
	if (to == NULL) {
		ui_message(ui, 0, a == UI_A_UNDO ? "nothing to undo" : "nothing to redo");
		return ED_DONE;
	}
	if (topics_from_json(to, &t, &err) != 0) {
		ui_message(ui, 1, "cannot go back: %s", err.msg);
		free(to);
		return ED_DONE;
	}
	free(to);
	topics_free(e->t);
	e->t = t;
	if (e->cur >= (int)e->t->n)
		e->cur = (int)e->t->n - 1;
	if (e->cur < 0)
		e->cur = 0;
	changed(e, NULL);
	return ED_CHANGED;
}

static int
ed_play(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	ui_play(ui, e->id, e->t->n ? e->t->v[e->cur].start_ms : 0);
	return ED_DONE;
}

static int
ed_back(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	if (e->dirty) {
		ui_confirm(ui, "Discard unsaved topic changes? (y/N)", discard, NULL);
		return ED_DONE;
	}
	return 0;
}

static int
ed_quit(struct ui *ui, struct topics_ed *e, enum ui_action a)
{
	/* Q asks the same question as q: quitting must not lose edits silently. */
	if (e->dirty) {
		ui_confirm(ui, "Quit and discard unsaved topic changes? (y/N)", ui_quit_yes, NULL);
		return ED_DONE;
	}
	return 0;
}

static const struct {
	enum ui_action a;
	int (*fn)(struct ui *, struct topics_ed *, enum ui_action);
} ed_keys[] = {
	{ UI_A_UP, ed_move }, { UI_A_DOWN, ed_move }, { UI_A_PAGE_UP, ed_move },
	{ UI_A_PAGE_DOWN, ed_move }, { UI_A_TOP, ed_move }, { UI_A_BOTTOM, ed_move },
	{ UI_A_OPEN, ed_title }, { UI_A_EDIT, ed_title },
	{ UI_A_SET_TIME, ed_time },
	{ UI_A_NUDGE_BACK, ed_nudge }, { UI_A_NUDGE_FWD, ed_nudge },
	{ UI_A_NUDGE_BACK10, ed_nudge }, { UI_A_NUDGE_FWD10, ed_nudge },
	{ UI_A_INSERT, ed_insert },
	{ UI_A_REMOVE, ed_remove }, { UI_A_DELETE, ed_remove },
	{ UI_A_LEVEL, ed_level },
	{ UI_A_SAVE, ed_save },
	{ UI_A_APPROVE, ed_approve },
	{ UI_A_CHANGES, ed_changes },
	{ UI_A_PLAY, ed_play },
	{ UI_A_UNDO, ed_undo }, { UI_A_REDO, ed_undo },
	{ UI_A_BACK, ed_back },
	{ UI_A_QUIT, ed_quit },
};

static int
topics_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct topics_ed *e = s->st;
	int lh = list_height(ui->rows - 4, (int)e->t->n);

	if (e->error[0] && a != UI_A_BACK)
		return 0;
	for (size_t i = 0; i < sizeof ed_keys / sizeof ed_keys[0]; i++) {
		if (ed_keys[i].a != a)
			continue;
		int rc = ed_keys[i].fn(ui, e, a);
		if (rc == ED_CHANGED)
			ui_list_move(UI_A_NONE, (int)e->t->n, lh, &e->cur, &e->top);
		return rc != 0;
	}
	return 0;
}

static void
topics_mouse(struct ui *ui, struct ui_screen *s, const struct ui_mouse *m)
{
	struct topics_ed *e = s->st;
	int row = m->y - s->top - 1;
	if (row < 0 || row >= list_height(s->height - 1, (int)e->t->n) || e->top + row >= (int)e->t->n)
		return;
	e->cur = e->top + row;
	if (m->double_click)
		topics_action(ui, s, UI_A_EDIT);
}

static const enum ui_action topics_hints[] = {
	UI_A_EDIT, UI_A_UNDO, UI_A_REDO, UI_A_NUDGE_BACK, UI_A_NUDGE_FWD, UI_A_NUDGE_BACK10, UI_A_NUDGE_FWD10,
	UI_A_INSERT, UI_A_REMOVE, UI_A_LEVEL, UI_A_SAVE, UI_A_APPROVE, UI_A_CHANGES, UI_A_PLAY,
	UI_A_NONE
};

const struct ui_screen_ops ui_topics_ops = {
	.name = "topics",
	.draw = topics_draw,
	.action = topics_action,
	.reload = topics_reload,
	.mouse = topics_mouse,
	.free = topics_free_screen,
	.hints = topics_hints,
};
