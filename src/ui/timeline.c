/*
 * timeline.c — a recording's cut as the next run would make it: the source
 * across the screen as a bar of kept and removed stretches (the editor's
 * overrides marked), the newest topic version's chapters as marks on the
 * source's time, and below it the list of stretches with their reasons.
 * On a stretch, one key keeps (restores) it and one removes it, after a
 * y/N question; the change goes through edit_cut_save like `zpub cut`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>

#include "ai.h"
#include "edit.h"
#include "media.h"
#include "pipeline.h"
#include "recut.h"
#include "store.h"
#include "store_ui.h"
#include "tenant.h"
#include "fmt.h"
#include "ui.h"
#include "util.h"

struct timeline {
	int64_t id;
	char *title;
	int status;
	int stale;                  /* the plan must be read again */
	int loaded;
	char error[512];
	struct recut_plan p;
	int64_t *marks;             /* chapter starts on the source, ms */
	size_t n_marks;
	int version;                /* the topic version the marks are from */
	int cur, top;
};

struct cut_ask {
	int64_t id;
	int keep;
	char range[64];
};

/* The map the newest topic version is on: the copy a re-cut keeps aside
 * while the transcript waits to be carried over, else the current cut's.
 * 0 when there is one. */
static int
topics_map(struct ui *ui, int64_t id, struct media_timemap *tm)
{
	struct zpub_err err;
	char *path = NULL, *dir, *slash, *buf = NULL, *aside;
	size_t len;
	cJSON *j = NULL;
	int rc = -1;

	if (store_ui_artifact_path(ui->store, id, "time_map", &path, &err) != 0)
		return -1;
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	aside = path_join(dir, RECUT_TIME_MAP);
	if (fs_read_all(fs_exists(aside) ? aside : path, &buf, &len, &err) == 0 &&
	    (j = cJSON_Parse(buf)) != NULL && media_timemap_from_json(j, tm, &err) == 0)
		rc = 0;
	cJSON_Delete(j);
	free(buf);
	free(aside);
	free(dir);
	free(path);
	return rc;
}

/* The newest topic version's chapter starts, mapped onto the source. */
static void
load_marks(struct ui *ui, struct timeline *t)
{
	struct zpub_err err;
	struct store_topic_version tv;
	struct media_timemap tm;
	struct topics *tp = NULL;
	int have_map;

	free(t->marks);
	t->marks = NULL;
	t->n_marks = 0;
	t->version = 0;
	memset(&tv, 0, sizeof tv);
	memset(&tm, 0, sizeof tm);
	if (store_topic_version_latest(ui->store, t->id, 0, &tv, &err) != 0)
		return;
	if (topics_from_json(tv.json, &tp, &err) == 0 && tp->n > 0) {
		have_map = topics_map(ui, t->id, &tm) == 0;
		t->marks = xreallocarray(NULL, tp->n, sizeof *t->marks);
		for (size_t i = 0; i < tp->n; i++)
			t->marks[i] = have_map ? media_timemap_to_source(&tm, tp->v[i].start_ms) :
			    tp->v[i].start_ms;
		t->n_marks = tp->n;
		t->version = tv.version;
	}
	media_timemap_clear(&tm);
	topics_free(tp);
	store_topic_version_clear(&tv);
}

/* Reads the plan (the silence analysis and the overrides). */
static void
load_plan(struct ui *ui, struct timeline *t)
{
	struct zpub_err err;
	struct store_recording *r = NULL;
	cJSON *tcfg = NULL, *cfg = NULL;
	int64_t at = -1;

	if (t->loaded && t->cur >= 0 && (size_t)t->cur < t->p.n)
		at = t->p.v[t->cur].start_ms;
	recut_plan_clear(&t->p);
	t->error[0] = '\0';
	t->stale = 0;
	t->loaded = 1;
	if (store_recording_get(ui->store, t->id, &r, &err) != 0) {
		ui_strlcpy(t->error, err.msg, sizeof t->error);
		return;
	}
	t->status = (int)r->status;
	tcfg = tenant_config(ui->store, ui_config(ui), r->tenant_id);
	cfg = pipeline_config_for(tcfg ? tcfg : ui_config(ui), r);
	if (recut_plan(ui->store, r, cfg, NULL, &t->p, &err) != 0)
		ui_strlcpy(t->error, err.msg, sizeof t->error);
	cJSON_Delete(cfg);
	cJSON_Delete(tcfg);
	store_recording_free(r);
	load_marks(ui, t);
	/* The cursor stays on the stretch at the same time. */
	for (size_t i = 0; at >= 0 && i < t->p.n; i++)
		if (t->p.v[i].start_ms <= at && at < t->p.v[i].end_ms)
			t->cur = (int)i;
	if (t->cur >= (int)t->p.n)
		t->cur = (int)t->p.n - 1;
	if (t->cur < 0)
		t->cur = 0;
}

void *
ui_timeline_new(struct ui *ui, int64_t rec_id)
{
	struct zpub_err err;
	struct store_recording *r = NULL;

	if (store_recording_get(ui->store, rec_id, &r, &err) != 0) {
		ui_message(ui, 1, "%s", err.msg);
		return NULL;
	}
	struct timeline *t = xcalloc(1, sizeof *t);
	t->id = rec_id;
	t->title = xstrdup(r->title ? r->title : "");
	t->status = (int)r->status;
	t->stale = 1;               /* read on the first tick, once drawn */
	store_recording_free(r);
	return t;
}

static void
timeline_free(struct ui_screen *s)
{
	struct timeline *t = s->st;

	if (t == NULL)
		return;
	recut_plan_clear(&t->p);
	free(t->marks);
	free(t->title);
	free(t);
}

/* Another process or we changed the store: read the plan again when the
 * overrides or the status changed (a run's progress changes neither). */
static void
timeline_reload(struct ui *ui, struct ui_screen *s)
{
	struct timeline *t = s->st;
	struct zpub_err err;
	struct store_recording *r = NULL;
	struct media_override *ov = NULL;
	size_t n = 0;
	int same;

	if (!t->loaded)
		return;
	if (store_recording_get(ui->store, t->id, &r, &err) != 0)
		return;
	same = (int)r->status == t->status;
	store_recording_free(r);
	if (recut_overrides(ui->store, t->id, &ov, &n, &err) == 0) {
		same = same && n == t->p.n_ov;
		for (size_t i = 0; same && i < n; i++)
			same = ov[i].start_ms == t->p.ov[i].start_ms &&
			    ov[i].end_ms == t->p.ov[i].end_ms && ov[i].keep == t->p.ov[i].keep;
	}
	free(ov);
	if (!same) {
		t->stale = 1;
		ui_redraw(ui);
	}
}

static void
timeline_tick(struct ui *ui, struct ui_screen *s)
{
	struct timeline *t = s->st;

	if (!t->stale)
		return;
	load_plan(ui, t);
	ui_redraw(ui);
}

/* The bar's cell for source time [a, b): what most of it is. */
static const char *
cell(const struct timeline *t, int64_t a, int64_t b)
{
	int64_t kept = 0, cut = 0, mine = 0;

	for (size_t i = 0; i < t->p.n; i++) {
		const struct media_stretch *s = &t->p.v[i];
		int64_t lo = s->start_ms > a ? s->start_ms : a;
		int64_t hi = s->end_ms < b ? s->end_ms : b;

		if (hi <= lo)
			continue;
		if (s->kept)
			kept += hi - lo;
		else
			cut += hi - lo;
		if (s->why == MEDIA_WHY_KEEP || s->why == MEDIA_WHY_REMOVE)
			mine += hi - lo;
	}
	if (kept >= cut)
		return mine * 2 > kept ? "▓" : "█";
	return mine * 2 > cut ? "·" : "░";
}

static int
list_rows(struct ui *ui)
{
	return ui->rows - 3 - 7;
}

static void
timeline_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	struct timeline *t = s->st;
	char a[24], b[24], line[512], bar[4096];
	int w = ui->cols - 2, y = top;

	snprintf(line, sizeof line, "#%lld  %s — cut timeline", (long long)t->id, t->title);
	ui_put(ui, y++, 1, ui->cols - 1, ui_attr(ui, UI_R_HEADER), line);
	if (!t->loaded || t->stale) {
		ui_put(ui, y, 1, ui->cols - 1, ui_attr(ui, UI_R_DIM), "reading the plan…");
		return;
	}
	if (t->error[0]) {
		ui_put(ui, y, 1, ui->cols - 1, ui_attr(ui, UI_R_FAIL), t->error);
		return;
	}
	int64_t src = t->p.tm.src_duration_ms;
	recut_clock(src, a);
	recut_clock(t->p.tm.out_duration_ms, b);
	snprintf(line, sizeof line, "source %s, cut %s (the next run's); %zu override%s", a, b,
	    t->p.n_ov, t->p.n_ov == 1 ? "" : "s");
	ui_put(ui, y++, 1, ui->cols - 1, ui_attr(ui, UI_R_NORMAL), line);
	ui_put(ui, y++, 1, ui->cols - 1, ui_attr(ui, UI_R_WARN), t->status == ST_DOWNLOADED ?
	    "It will be cut again on the next run (r runs it)." : "");

	/* The bar, the selected stretch under it, the topic marks. */
	size_t o = 0;
	const struct media_stretch *sel = t->p.n ? &t->p.v[t->cur] : NULL;
	char under[4096], marks[4096];
	size_t uo = 0, mo = 0;
	for (int i = 0; i < w && src > 0; i++) {
		int64_t c0 = src * i / w, c1 = src * (i + 1) / w;
		const char *c = cell(t, c0, c1 > c0 ? c1 : c0 + 1);
		int hit = 0;

		if (o + 4 < sizeof bar)
			o += (size_t)snprintf(bar + o, sizeof bar - o, "%s", c);
		if (uo + 2 < sizeof under)
			under[uo++] = sel && sel->start_ms < c1 && sel->end_ms > c0 ? '^' : ' ';
		for (size_t k = 0; k < t->n_marks; k++)
			hit |= t->marks[k] >= c0 && t->marks[k] < c1;
		if (mo + 4 < sizeof marks)
			mo += (size_t)snprintf(marks + mo, sizeof marks - mo, "%s", hit ? "▲" : " ");
	}
	bar[o] = under[uo] = marks[mo] = '\0';
	ui_put(ui, y++, 1, w, ui_attr(ui, UI_R_OK), bar);
	ui_put(ui, y++, 1, w, ui_attr(ui, UI_R_NORMAL), under);
	ui_put(ui, y++, 1, w, ui_attr(ui, UI_R_WARN), marks);
	if (t->version)
		snprintf(line, sizeof line, "█ kept  ░ cut  ▓ your keep  · your remove"
		    "  ▲ topic (v%d)", t->version);
	else
		snprintf(line, sizeof line, "█ kept  ░ cut  ▓ your keep  · your remove"
		    "  (no topics yet)");
	ui_put(ui, y++, 1, ui->cols - 1, ui_attr(ui, UI_R_DIM), line);

	int h = top + height - y;
	ui_list_move(UI_A_NONE, (int)t->p.n, h, &t->cur, &t->top);
	for (int i = 0; i < h && t->top + i < (int)t->p.n; i++) {
		const struct media_stretch *st = &t->p.v[t->top + i];
		char len[24];
		enum ui_role role = st->kept ? UI_R_NORMAL : UI_R_DIM;

		recut_clock(st->start_ms, a);
		recut_clock(st->end_ms, b);
		snprintf(len, sizeof len, "%.1f s", (st->end_ms - st->start_ms) / 1000.0);
		snprintf(line, sizeof line, "%s %-12s - %-12s %9s  %-4s  %s%s",
		    t->top + i == t->cur ? ">" : " ", a, b, len,
		    st->kept ? "kept" : "cut", media_why_name(st->why),
		    st->why == MEDIA_WHY_KEEP || st->why == MEDIA_WHY_REMOVE ? " (override)" : "");
		if (t->top + i == t->cur)
			role = UI_R_CURSOR;
		ui_put(ui, y + i, 1, ui->cols - 1, ui_attr(ui, role), line);
	}
}

static void
cut_yes(struct ui *ui, void *ctx)
{
	struct cut_ask *c = ctx;
	struct edit_cut_range v = { c->range, c->keep };
	struct zpub_err err;
	struct actor who;
	char *notes = NULL;

	if (edit_cut_save(ui->store, ui_who(ui, &who), c->id, &v, 1, 0, &notes, &err) != 0)
		ui_message(ui, 1, "%s", err.msg);
	else {
		ui_message(ui, 0, "#%lld: %s %s saved; it is cut again on the next run"
		    " (r runs it)%s%s", (long long)c->id, c->keep ? "keep" : "remove", c->range,
		    notes ? "; " : "", notes ? notes : "");
		ui_changed(ui);
	}
	free(notes);
	free(c);
}

static void
ask(struct ui *ui, struct timeline *t, int keep)
{
	const struct media_stretch *s;
	struct cut_ask *c;
	char a[24], b[24], q[256];

	if (!t->loaded || t->stale || t->p.n == 0)
		return;
	s = &t->p.v[t->cur];
	if (s->kept == keep) {
		ui_keymap_keys(&ui->keys, keep ? UI_A_CUT_REMOVE : UI_A_CUT_KEEP, q, sizeof q);
		ui_message(ui, 1, "this stretch is %s already; %s %s it", keep ? "kept" : "cut", q,
		    keep ? "removes" : "keeps");
		return;
	}
	recut_clock(s->start_ms, a);
	recut_clock(s->end_ms, b);
	c = xcalloc(1, sizeof *c);
	c->id = t->id;
	c->keep = keep;
	snprintf(c->range, sizeof c->range, "%s-%s", a, b);
	snprintf(q, sizeof q, "%s %s-%s (%s) of #%lld in the next cut? (y/N)",
	    keep ? "Keep" : "Remove", a, b, media_why_name(s->why), (long long)t->id);
	ui_confirm(ui, q, cut_yes, c);
}

static int
timeline_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct timeline *t = s->st;

	switch (a) {
	case UI_A_UP: case UI_A_DOWN: case UI_A_PAGE_UP: case UI_A_PAGE_DOWN:
	case UI_A_TOP: case UI_A_BOTTOM:
		ui_list_move(a, (int)t->p.n, list_rows(ui), &t->cur, &t->top);
		return 1;
	case UI_A_CUT_KEEP:
		ask(ui, t, 1);
		return 1;
	case UI_A_CUT_REMOVE:
		ask(ui, t, 0);
		return 1;
	case UI_A_RUN: case UI_A_RUN_NEXT:
		ui_rec_action(ui, a, &t->id, 1);
		return 1;
	default:
		return 0;
	}
}

static const enum ui_action timeline_hints[] = {
	UI_A_CUT_KEEP, UI_A_CUT_REMOVE, UI_A_RUN, UI_A_NONE
};

const struct ui_screen_ops ui_timeline_ops = {
	.name = "timeline",
	.draw = timeline_draw,
	.action = timeline_action,
	.reload = timeline_reload,
	.free = timeline_free,
	.tick = timeline_tick,
	.hints = timeline_hints,
};
