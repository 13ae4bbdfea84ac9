/*
 * thumbs.c — a recording's thumbnails: one per slide the process stage
 * found (the title slide first), the chosen one marked.  Enter chooses the
 * selected one; another key asks for a picture file to use instead.  Both
 * go through edit_thumbnail_pick, as `zpub thumbnail --pick/--file` does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>

#include "edit.h"
#include "store.h"
#include "ui.h"
#include "util.h"

struct thumb_row {
	char *path;
	int64_t at_ms;              /* -1: a picture someone supplied */
	int chosen, titled;
};

struct thumbs {
	int64_t id;
	char *title;
	struct thumb_row *v;
	int n;
	int n_slides;
	char error[sizeof ((struct zpub_err *)0)->msg];
	int cur, top;
};

static void
thumbs_clear(struct thumbs *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static void
thumbs_load(struct ui *ui, struct thumbs *t)
{
	struct store_recording *r = NULL;
	struct store_artifact *a = NULL;
	struct store_slide *sl = NULL;
	struct zpub_err err;
	int n = 0;

	thumbs_clear(t);
	t->error[0] = '\0';
	if (store_recording_get(ui->store, t->id, &r, &err) == 0) {
		free(t->title);
		t->title = xstrdup(r->title ? r->title : "");
		store_recording_free(r);
	}
	if (store_slides(ui->store, t->id, &sl, &t->n_slides, &err) != 0)
		t->n_slides = 0;
	free(sl);
	if (store_artifacts(ui->store, t->id, "thumbnail", &a, &n, &err) != 0) {
		snprintf(t->error, sizeof t->error, "%s", err.msg);
		return;
	}
	t->v = xcalloc((size_t)n + 1, sizeof *t->v);
	for (int i = 0; i < n; i++) {
		cJSON *x = a[i].extra ? cJSON_Parse(a[i].extra) : NULL;
		const cJSON *at = cJSON_GetObjectItemCaseSensitive(x, "at_ms");

		t->v[i].path = xstrdup(a[i].path);
		t->v[i].at_ms = cJSON_IsNumber(at) ? (int64_t)at->valuedouble : -1;
		t->v[i].chosen = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "chosen"));
		t->v[i].titled = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(x, "titled"));
		cJSON_Delete(x);
	}
	t->n = n;
	if (t->cur >= n)
		t->cur = n > 0 ? n - 1 : 0;
	store_artifacts_free(a, n);
}

void *
ui_thumbs_new(struct ui *ui, int64_t rec_id)
{
	struct thumbs *t = xcalloc(1, sizeof *t);

	t->id = rec_id;
	t->title = xstrdup("");
	thumbs_load(ui, t);
	for (int i = 0; i < t->n; i++)
		if (t->v[i].chosen)
			t->cur = i;
	return t;
}

static void
thumbs_free(struct ui_screen *s)
{
	struct thumbs *t = s->st;

	thumbs_clear(t);
	free(t->title);
	free(t);
}

static void
thumbs_reload(struct ui *ui, struct ui_screen *s)
{
	thumbs_load(ui, s->st);
}

static int
list_rows(struct ui *ui)
{
	return ui->rows - 3 - 3;
}

static void
thumbs_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	struct thumbs *t = s->st;
	char line[1024], at[16], keys[64];
	int y = top, h;

	snprintf(line, sizeof line, "#%lld  %s — thumbnails", (long long)t->id, t->title);
	ui_put(ui, y++, 1, ui->cols - 1, ui_attr(ui, UI_R_HEADER), line);
	if (t->error[0]) {
		ui_put(ui, y, 1, ui->cols - 1, ui_attr(ui, UI_R_FAIL), t->error);
		return;
	}
	if (t->n == 0) {
		ui_put(ui, y, 1, ui->cols - 1, ui_attr(ui, UI_R_DIM),
		    "no thumbnails yet: run the recording to PROCESSED (r runs it)");
		return;
	}
	ui_keymap_keys(&ui->keys, UI_A_NEW, keys, sizeof keys);
	snprintf(line, sizeof line, "%d slide change%s found; Enter chooses the published "
	    "thumbnail, %s supplies a picture", t->n_slides, t->n_slides == 1 ? "" : "s", keys);
	ui_put(ui, y++, 1, ui->cols - 1, ui_attr(ui, UI_R_DIM), line);
	y++;
	h = top + height - y;
	ui_list_move(UI_A_NONE, t->n, h, &t->cur, &t->top);
	for (int i = 0; i < h && t->top + i < t->n; i++) {
		const struct thumb_row *r = &t->v[t->top + i];
		const char *base = strrchr(r->path, '/');

		if (r->at_ms >= 0)
			time_hms(r->at_ms, at);
		else
			snprintf(at, sizeof at, "supplied");
		snprintf(line, sizeof line, "%s %2d  %-9s %-8s %s%s", t->top + i == t->cur ? ">" : " ",
		    t->top + i + 1, at, r->chosen ? "chosen" : "", base ? base + 1 : r->path,
		    r->titled ? "  (title drawn on it)" : "");
		ui_put(ui, y + i, 1, ui->cols - 1, ui_attr(ui, t->top + i == t->cur ? UI_R_CURSOR :
		    r->chosen ? UI_R_OK : UI_R_NORMAL), line);
	}
}

/* The pick through the engine, and what came of it. */
static void
pick(struct ui *ui, struct thumbs *t, int n, const char *file)
{
	struct zpub_err err;
	struct actor who;
	int chosen = 0;

	if (edit_thumbnail_pick(ui->store, ui_who(ui, &who), ui_config(ui), t->id, n, file,
	    &chosen, &err) != 0) {
		ui_message(ui, 1, "%s", err.msg);
		return;
	}
	ui_message(ui, 0, "#%lld: thumbnail %d chosen%s", (long long)t->id, chosen,
	    file ? " (the picture you supplied)" : "");
	ui_changed(ui);
}

static void
file_typed(struct ui *ui, void *ctx, const char *text, int done)
{
	struct thumbs *t = ctx;

	if (done == 1 && text[0] != '\0')
		pick(ui, t, 0, text);
}

static int
thumbs_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct thumbs *t = s->st;

	switch (a) {
	case UI_A_UP: case UI_A_DOWN: case UI_A_PAGE_UP: case UI_A_PAGE_DOWN:
	case UI_A_TOP: case UI_A_BOTTOM:
		ui_list_move(a, t->n, list_rows(ui), &t->cur, &t->top);
		return 1;
	case UI_A_OPEN:
		if (t->n > 0)
			pick(ui, t, t->cur + 1, NULL);
		return 1;
	case UI_A_NEW:
		ui_prompt(ui, "Picture file (JPEG, PNG, WebP, BMP): ", "", 0, file_typed, t);
		return 1;
	default:
		return 0;
	}
}

static const enum ui_action thumbs_hints[] = {
	UI_A_OPEN, UI_A_NEW, UI_A_NONE
};

const struct ui_screen_ops ui_thumbs_ops = {
	.name = "thumbnails",
	.draw = thumbs_draw,
	.action = thumbs_action,
	.reload = thumbs_reload,
	.free = thumbs_free,
	.hints = thumbs_hints,
};
