/*
 * detail.c — one recording: status with live progress, stage history with
 * timings and errors, artefacts, topic versions (and what the newest
 * changed), the review state, publications with links and the operations
 * journal.  Actions: run next stage, run to the end, retry, skip, publish,
 * delete, topics, approve, play, the cut timeline, the thumbnails, open the
 * output folder.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "pipeline.h"
#include "review.h"
#include "store.h"
#include "fmt.h"
#include "topics_edit.h"
#include "ui.h"
#include "util.h"

struct dline {
	char *text;
	enum ui_role role;
};

struct detail {
	int64_t id;
	int gone;
	char *media_dir;
	struct dline *lines;
	int n, cap;
	int top, cur;               /* cur: the selected line (E, find) */
};

static void
add(struct detail *d, enum ui_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
add(struct detail *d, enum ui_role role, const char *fmt, ...)
{
	va_list ap;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->lines = xreallocarray(d->lines, (size_t)d->cap, sizeof *d->lines);
	}
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	d->lines[d->n++] = (struct dline){ s, role };
}

static void
clear_lines(struct detail *d)
{
	for (int i = 0; i < d->n; i++)
		free(d->lines[i].text);
	d->n = 0;
}

static void
fmt_bytes(int64_t b, char out[32])
{
	if (b >= 1024 * 1024 * 1024)
		snprintf(out, 32, "%.1f GB", b / 1073741824.0);
	else if (b >= 1024 * 1024)
		snprintf(out, 32, "%.1f MB", b / 1048576.0);
	else if (b >= 1024)
		snprintf(out, 32, "%.1f kB", b / 1024.0);
	else
		snprintf(out, 32, "%lld B", (long long)b);
}

/* The review line: shown when publish.review asks for one or the
 * recording is held. */
static void
add_review(struct ui *ui, struct detail *d, const struct store_recording *r)
{
	struct zpub_err err;
	struct review rv;
	cJSON *cfg = pipeline_config_for(ui_config(ui), r);
	int rc = review_get(ui->store, cfg, r, &rv, &err);
	cJSON_Delete(cfg);
	if (rc != 0)
		add(d, UI_R_FAIL, "Review:    %s", err.msg);
	else if (rv.state == REVIEW_APPROVED)
		add(d, UI_R_OK, "Review:    topic version %d approved by %s", rv.version,
		    rv.approved_by);
	else if (rv.state == REVIEW_PENDING || r->review_hold)
		add(d, UI_R_WARN, "Review:    %s%s", rv.version ? "" : "no topics yet; ",
		    r->review_hold ? "waits for approval before publishing (a approves)" :
		    "a person approves before publishing (a approves)");
}

/* Under the topic versions: what the newest changed from the one before. */
static void
add_changes(struct detail *d, const struct store_topic_version *tv, int ntv)
{
	struct zpub_err err;
	struct topics *from = NULL, *to = NULL;
	if (ntv < 2)
		return;
	if (topics_from_json(tv[ntv - 2].json, &from, &err) != 0 ||
	    topics_from_json(tv[ntv - 1].json, &to, &err) != 0) {
		add(d, UI_R_FAIL, "  %s", err.msg);
		goto out;
	}
	int n = 0;
	char *diff = ui_topics_diff(from, to, &n);
	add(d, UI_R_NORMAL, "  Changes in v%d from v%d:%s", tv[ntv - 1].version,
	    tv[ntv - 2].version, n ? "" : " none");
	for (char *save = NULL, *l = strtok_r(diff, "\n", &save); l;
	    l = strtok_r(NULL, "\n", &save))
		add(d, *l == '+' ? UI_R_OK : *l == '-' ? UI_R_FAIL : UI_R_WARN, "    %s", l);
	free(diff);
out:
	topics_free(from);
	topics_free(to);
}

static void
add_summary(struct ui *ui, struct detail *d, const struct store_recording *r)
{
	char a[32], b[32];

	add(d, UI_R_HEADER, "#%lld  %s", (long long)r->id, r->title);
	add(d, ui_status_role((int)r->status), "Status:    %s%s%s", status_name(r->status),
	    r->detail ? " — " : "", r->detail ? r->detail : "");
	if (r->progress >= 0) {
		char bar[40], eta[16];
		ui_fmt_bar(r->progress, 30, bar, sizeof bar);
		ui_fmt_eta(r->progress_eta_ms, eta);
		add(d, UI_R_PROGRESS, "Progress:  [%s] %3d%%  ETA %s  %s%s%s", bar,
		    (int)(r->progress * 100), eta, r->progress_what ? r->progress_what : "",
		    r->lease_owner ? "  by " : "", r->lease_owner ? r->lease_owner : "");
	}
	if (r->lease_owner && r->lease_until > 0) {
		char until[64];
		time_human(r->lease_until, time_now_ms(), until);
		add(d, UI_R_DIM, "Worked on: by %s, lease until %s", r->lease_owner, until);
	}
	ui_fmt_local(r->started_at, a);
	ui_fmt_clock(r->duration_ms, 0, b);
	add(d, UI_R_NORMAL, "Recorded:  %s   length %s   source %s", a, r->duration_ms ? b : "-",
	    r->source);
	if (r->attempts || r->failed_stage) {
		ui_fmt_local(r->next_retry_at, a);
		add(d, UI_R_WARN, "Attempts:  %d%s%s   next retry %s", r->attempts,
		    r->failed_stage ? "   failed in " : "", r->failed_stage ? r->failed_stage : "", a);
	}
	add(d, UI_R_DIM, "Folder:    %s", d->media_dir);
	add_review(ui, d, r);
}

static void
add_stages(struct detail *d, const struct store_stage_run *runs, int nruns)
{
	char a[32], b[32];

	add(d, UI_R_NORMAL, "%s", "");
	add(d, UI_R_HEADER, "Stages");
	if (nruns == 0)
		add(d, UI_R_DIM, "  none run yet");
	for (int i = 0; i < nruns; i++) {
		ui_fmt_local(runs[i].started_at, a);
		if (runs[i].finished_at > 0)
			ui_fmt_clock(runs[i].finished_at - runs[i].started_at, 0, b);
		else
			snprintf(b, sizeof b, "…");
		const char *st = runs[i].state;
		enum ui_role role = strcmp(st, "done") == 0 ? UI_R_OK : strcmp(st, "failed") == 0 ?
		    UI_R_FAIL : strcmp(st, "running") == 0 ? UI_R_RUN : UI_R_WARN;
		add(d, role, "  %-10s %-11s #%d  %s  took %s  %s", runs[i].stage, st, runs[i].attempt,
		    a, b, runs[i].error ? runs[i].error : runs[i].summary ? runs[i].summary : "");
	}
}

static void
add_artefacts(struct detail *d, const struct store_artifact *arts, int narts)
{
	char c[32];

	add(d, UI_R_NORMAL, "%s", "");
	add(d, UI_R_HEADER, "Artefacts");
	if (narts == 0)
		add(d, UI_R_DIM, "  none yet");
	for (int i = 0; i < narts; i++) {
		fmt_bytes(arts[i].bytes, c);
		const char *p = arts[i].path;
		size_t dl = strlen(d->media_dir);
		if (strncmp(p, d->media_dir, dl) == 0 && p[dl] == '/')
			p += dl + 1;
		add(d, UI_R_NORMAL, "  %-12s %10s  %s", arts[i].kind, c, p);
	}
}

static void
add_topic_versions(struct detail *d, const struct store_topic_version *tv, int ntv)
{
	char a[32];

	add(d, UI_R_NORMAL, "%s", "");
	add(d, UI_R_HEADER, "Topic versions");
	if (ntv == 0)
		add(d, UI_R_DIM, "  none yet (t opens the editor once the transcript is there)");
	for (int i = 0; i < ntv; i++) {
		ui_fmt_local(tv[i].created_at, a);
		add(d, tv[i].approved_by ? UI_R_OK : UI_R_NORMAL, "  v%-3d %-12s %s%s%s", tv[i].version,
		    tv[i].source, a, tv[i].approved_by ? "  approved by " : "",
		    tv[i].approved_by ? tv[i].approved_by : "");
	}
	add_changes(d, tv, ntv);
}

static void
add_publications(struct detail *d, const struct store_publication *pubs, int npubs)
{
	add(d, UI_R_NORMAL, "%s", "");
	add(d, UI_R_HEADER, "Publications");
	if (npubs == 0)
		add(d, UI_R_DIM, "  not published yet");
	for (int i = 0; i < npubs; i++) {
		const struct store_publication *p = &pubs[i];
		enum ui_role role = strcmp(p->state, "done") == 0 ? UI_R_OK :
		    strcmp(p->state, "failed") == 0 ? UI_R_FAIL : UI_R_RUN;
		char sent[64] = "";
		if (p->bytes_total > 0 && strcmp(p->state, "done") != 0)
			snprintf(sent, sizeof sent, " %d%%", (int)(100.0 * p->bytes_acked / p->bytes_total));
		add(d, role, "  %-8s %-14s %-9s%s %s%s", p->platform, p->target, p->state, sent,
		    p->url ? p->url : "", p->error ? p->error : "");
	}
}

static void
add_journal(struct detail *d, const struct store_journal_entry *jr, int njr)
{
	char a[32];

	add(d, UI_R_NORMAL, "%s", "");
	add(d, UI_R_HEADER, "Journal");
	for (int i = 0; i < njr; i++) {
		ui_fmt_local(jr[i].at, a);
		add(d, strcmp(jr[i].level, "error") == 0 ? UI_R_FAIL :
		    strcmp(jr[i].level, "warn") == 0 ? UI_R_WARN : UI_R_NORMAL,
		    "  %s %-5s %-12s %s", a, jr[i].level, jr[i].event, jr[i].message);
	}
}

static void
detail_reload(struct ui *ui, struct ui_screen *s)
{
	struct detail *d = s->st;
	struct zpub_err err;
	struct store_recording *r = NULL;
	struct store_stage_run *runs = NULL;
	struct store_artifact *arts = NULL;
	struct store_publication *pubs = NULL;
	struct store_topic_version *tv = NULL;
	struct store_journal_entry *jr = NULL;
	int nruns = 0, narts = 0, npubs = 0, ntv = 0, njr = 0;

	clear_lines(d);
	int rc = store_recording_get(ui->store, d->id, &r, &err);
	if (rc == ZPUB_ENOTFOUND) {
		d->gone = 1;
		add(d, UI_R_WARN, "Recording #%lld is gone (deleted).  q goes back.", (long long)d->id);
		return;
	}
	if (rc != 0 || store_stage_runs(ui->store, d->id, &runs, &nruns, &err) != 0 ||
	    store_artifacts(ui->store, d->id, NULL, &arts, &narts, &err) != 0 ||
	    store_publications(ui->store, d->id, &pubs, &npubs, &err) != 0 ||
	    store_topic_versions(ui->store, d->id, &tv, &ntv, &err) != 0 ||
	    store_journal_list(ui->store, d->id, 200, &jr, &njr, &err) != 0) {
		add(d, UI_R_FAIL, "%s", err.msg);
		goto out;
	}
	if (d->media_dir == NULL)
		d->media_dir = pipeline_media_dir(store_data_dir(ui->store), r->tenant, r->id);
	add_summary(ui, d, r);
	add_stages(d, runs, nruns);
	add_artefacts(d, arts, narts);
	add_topic_versions(d, tv, ntv);
	add_publications(d, pubs, npubs);
	add_journal(d, jr, njr);
out:
	if (d->cur >= d->n)
		d->cur = d->n > 0 ? d->n - 1 : 0;
	store_recording_free(r);
	store_stage_runs_free(runs, nruns);
	store_artifacts_free(arts, narts);
	store_publications_free(pubs, npubs);
	store_topic_versions_free(tv, ntv);
	store_journal_free(jr, njr);
}

void *
ui_detail_new(struct ui *ui, int64_t rec_id)
{
	struct detail *d = xcalloc(1, sizeof *d);
	d->id = rec_id;
	struct ui_screen tmp = { .ops = &ui_detail_ops, .st = d };
	detail_reload(ui, &tmp);
	return d;
}

static void
detail_free(struct ui_screen *s)
{
	struct detail *d = s->st;
	if (d == NULL)
		return;
	clear_lines(d);
	free(d->lines);
	free(d->media_dir);
	free(d);
}

static void
detail_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct detail *d = s->st;
	for (int i = 0; i < height && d->top + i < d->n; i++) {
		const struct dline *l = &d->lines[d->top + i];
		ui_put(ui, top + i, 1, ui->cols - 1, ui_attr(ui, d->top + i == d->cur ? UI_R_CURSOR :
		    l->role), l->text);
	}
}

static void
open_folder(struct ui *ui, struct detail *d)
{
	const char *disp = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
	if (d->media_dir == NULL)
		return;
	if ((disp && *disp) || (wl && *wl)) {
		char *args[] = { (char *)"xdg-open", d->media_dir, NULL };
		uv_process_t *p = xcalloc(1, sizeof *p);
		uv_stdio_container_t io[3] = { { .flags = UV_IGNORE }, { .flags = UV_IGNORE },
			{ .flags = UV_IGNORE } };
		uv_process_options_t o = { .file = "xdg-open", .args = args, .stdio_count = 3,
			.stdio = io, .flags = UV_PROCESS_DETACHED };
		if (p && uv_spawn(ui->loop, p, &o) == 0) {
			uv_unref((uv_handle_t *)p);
			uv_close((uv_handle_t *)p, (uv_close_cb)free);
			ui_message(ui, 0, "opened %s", d->media_dir);
			return;
		}
		free(p);
	}
	ui_message(ui, 0, "output folder: %s", d->media_dir);
}

static int
detail_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct detail *d = s->st;
	int h = ui->rows - 3;
	switch (a) {
	case UI_A_UP: case UI_A_DOWN: case UI_A_PAGE_UP: case UI_A_PAGE_DOWN: case UI_A_TOP:
	case UI_A_BOTTOM:
		ui_list_move(a, d->n, h, &d->cur, &d->top);
		return 1;
	case UI_A_VIEW:
		if (d->cur < d->n) {
			char title[64];
			snprintf(title, sizeof title, "#%lld, line %d in full", (long long)d->id,
			    d->cur + 1);
			ui_pager_open(ui, title, d->lines[d->cur].text);
		}
		return 1;
	case UI_A_RUN: case UI_A_RUN_NEXT: case UI_A_RETRY: case UI_A_SKIP: case UI_A_PUBLISH:
	case UI_A_DELETE: case UI_A_STOP:
		if (!d->gone)
			ui_rec_action(ui, a, &d->id, 1);
		return 1;
	case UI_A_TOPICS: case UI_A_OPEN:
		if (!d->gone)
			ui_push(ui, &ui_topics_ops, ui_topics_new(ui, d->id));
		return 1;
	case UI_A_SUBTITLES:
		if (!d->gone)
			ui_push(ui, &ui_subtitles_ops, ui_subtitles_new(ui, d->id));
		return 1;
	case UI_A_TRANSCRIPT:
		if (!d->gone)
			ui_push(ui, &ui_transcript_ops, ui_transcript_new(ui, d->id));
		return 1;
	case UI_A_TIMELINE:
		if (!d->gone)
			ui_push(ui, &ui_timeline_ops, ui_timeline_new(ui, d->id));
		return 1;
	case UI_A_THUMBNAILS:
		if (!d->gone)
			ui_push(ui, &ui_thumbs_ops, ui_thumbs_new(ui, d->id));
		return 1;
	case UI_A_FOLDER:
		open_folder(ui, d);
		return 1;
	case UI_A_APPROVE:
		if (!d->gone)
			ui_approve_ask(ui, d->id);
		return 1;
	case UI_A_PLAY:
		if (!d->gone)
			ui_play(ui, d->id, 0);
		return 1;
	default:
		return 0;
	}
}

/* `/` finds among the lines: status, stages, journal (find.c). */
static int detail_find_count(struct ui_screen *s) { return ((struct detail *)s->st)->n; }
static int detail_find_cur(struct ui_screen *s) { return ((struct detail *)s->st)->cur; }

static const char *
detail_find_text(struct ui_screen *s, int i, char *buf, size_t bufsz)
{
	(void)buf;
	(void)bufsz;
	return ((struct detail *)s->st)->lines[i].text;
}

static void
detail_find_goto(struct ui *ui, struct ui_screen *s, int i)
{
	struct detail *d = s->st;
	d->cur = i;
	ui_list_move(UI_A_NONE, d->n, ui->rows - 3, &d->cur, &d->top);
}

static const enum ui_action detail_hints[] = {
	UI_A_RUN_NEXT, UI_A_RUN, UI_A_RETRY, UI_A_PUBLISH, UI_A_TOPICS, UI_A_SUBTITLES,
	UI_A_TRANSCRIPT, UI_A_SEARCH, UI_A_VIEW, UI_A_FOLDER, UI_A_SKIP, UI_A_APPROVE, UI_A_PLAY,
	UI_A_TIMELINE, UI_A_THUMBNAILS, UI_A_STOP, UI_A_DELETE, UI_A_NONE
};

const struct ui_screen_ops ui_detail_ops = {
	.name = "recording",
	.find_count = detail_find_count,
	.find_text = detail_find_text,
	.find_cur = detail_find_cur,
	.find_goto = detail_find_goto,
	.draw = detail_draw,
	.action = detail_action,
	.reload = detail_reload,
	.free = detail_free,
	.hints = detail_hints,
};
