/*
 * jobs.c — automation jobs and usage: each scheduled job with its next
 * run, last run and last result; `x` runs a job as a dry run (`zpub job
 * run NAME --dry-run` in a child) and shows what it would do; below, the
 * tenant's usage and cost for each of the last six months.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"
#include "store_admin.h"
#include "fmt.h"
#include "ui.h"
#include "util.h"

#define MONTHS 6

struct month {
	char label[16];
	struct store_usage_row *rows;
	int n;
	double cost;
};

struct jobs {
	struct store_job *v;
	int n, cur, top;
	struct month months[MONTHS];
	int child;
	char preview_for[128];
	char *preview;              /* the dry run's output */
	char error[1100];
};

/* Local midnight of the first of the month `back` months ago, in epoch ms. */
static int64_t
month_start(int back, char label[16])
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mon -= back;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (label)
		strftime(label, 16, "%Y-%m", &tm);
	return (int64_t)t * 1000;
}

static void
load(struct ui *ui, struct jobs *j)
{
	struct zpub_err err;
	store_jobs_free(j->v, j->n);
	j->v = NULL;
	j->n = 0;
	j->error[0] = '\0';
	if (store_jobs(ui->store, ui->tenant_id, &j->v, &j->n, &err) != 0)
		ui_strlcpy(j->error, err.msg, sizeof j->error);
	for (int m = 0; m < MONTHS; m++) {
		struct month *mo = &j->months[m];
		store_usage_rows_free(mo->rows, mo->n);
		mo->rows = NULL;
		mo->n = 0;
		mo->cost = 0;
		int64_t from = month_start(m, mo->label), to = month_start(m - 1, NULL);
		if (store_usage_report(ui->store, ui->tenant_id, from, to, &mo->rows, &mo->n, &err) != 0) {
			ui_strlcpy(j->error, err.msg, sizeof j->error);
			continue;
		}
		for (int i = 0; i < mo->n; i++)
			mo->cost += mo->rows[i].cost;
	}
	if (j->cur >= j->n)
		j->cur = j->n - 1;
	if (j->cur < 0)
		j->cur = 0;
}

void *
ui_jobs_new(struct ui *ui)
{
	struct jobs *j = xcalloc(1, sizeof *j);
	j->child = -1;
	load(ui, j);
	return j;
}

static void
jobs_free(struct ui_screen *s)
{
	struct jobs *j = s->st;
	if (j == NULL)
		return;
	store_jobs_free(j->v, j->n);
	for (int m = 0; m < MONTHS; m++)
		store_usage_rows_free(j->months[m].rows, j->months[m].n);
	free(j->preview);
	free(j);
}

static void jobs_reload(struct ui *ui, struct ui_screen *s) { load(ui, s->st); }

static void
jobs_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct jobs *j = s->st;
	char line[1400], next[32], last[32];
	int y = top, cols = ui->cols, end = top + height;

	ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER),
	    "  JOB                  SCHEDULE          NEXT RUN          LAST RUN          LAST RESULT");
	if (j->error[0])
		ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_FAIL), j->error);
	if (j->n == 0)
		ui_put(ui, y++, 2, cols - 2, ui_attr(ui, UI_R_DIM),
		    "No jobs: 'zpub job add NAME --schedule S --source watch --path DIR' makes one.");
	int lh = height / 3 < 3 ? 3 : height / 3;
	int64_t now = time_now_ms();
	for (int i = 0; i < lh && j->top + i < j->n; i++) {
		const struct store_job *jb = &j->v[j->top + i];
		/* The daemon looks every minute: later than that is overdue. */
		int overdue = jb->enabled && jb->next_run_at > 0 && jb->next_run_at < now - 60000;
		ui_fmt_local(jb->next_run_at, next);
		if (overdue) {
			/* "overdue 17:28" today, "overdue 12-02" before. */
			time_t t = (time_t)(jb->next_run_at / 1000), tn = (time_t)(now / 1000);
			struct tm tm, tmn;
			localtime_r(&t, &tm);
			localtime_r(&tn, &tmn);
			strftime(next, sizeof next, tm.tm_yday == tmn.tm_yday &&
			    tm.tm_year == tmn.tm_year ? "overdue %H:%M" : "overdue %m-%d", &tm);
		}
		ui_fmt_local(jb->last_run_at, last);
		char name[48], sched[48];
		ui_text_fit(jb->name, 20, 1, name, sizeof name);
		ui_text_fit(jb->schedule, 16, 1, sched, sizeof sched);
		int pn = 21 - utf8_width(name), ps = 17 - utf8_width(sched);
		snprintf(line, sizeof line, "  %s%*s%s%*s%-17s %-17s %s%s%s", name, pn > 0 ? pn : 0, "",
		    sched, ps > 0 ? ps : 0, "", jb->enabled ? next : "disabled", last,
		    jb->dry_run ? "[dry run] " : "", jb->last_result ? jb->last_result : "", "");
		ui_put(ui, y + i, 0, cols, j->top + i == j->cur ? ui_attr(ui, UI_R_CURSOR) :
		    ui_attr(ui, overdue ? UI_R_WARN : jb->enabled ? UI_R_NORMAL : UI_R_DIM), line);
	}
	y += j->n ? lh : 0;
	if (j->preview && y < end - 2) {
		snprintf(line, sizeof line, "Dry run of '%s'%s:", j->preview_for,
		    j->child >= 0 ? " (running…)" : "");
		ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER), line);
		const char *p = j->preview;
		int shown = 0;
		while (*p && y < end - 2 && shown < height / 3) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			snprintf(line, sizeof line, "  %.*s", (int)(n < 1300 ? n : 1300), p);
			ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_NORMAL), line);
			p += n + (nl ? 1 : 0);
			shown++;
		}
	}
	if (y >= end - 1)
		return;
	y++;
	ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER), "Usage and cost per month");
	for (int m = 0; m < MONTHS && y < end; m++) {
		const struct month *mo = &j->months[m];
		char items[1024] = "";
		size_t o = 0;
		for (int i = 0; i < mo->n && o < sizeof items - 100; i++)
			o += (size_t)snprintf(items + o, sizeof items - o, "%s%s/%s %.1f", i ? ", " : "",
			    mo->rows[i].kind, mo->rows[i].provider && *mo->rows[i].provider ?
			    mo->rows[i].provider : "-", mo->rows[i].amount);
		snprintf(line, sizeof line, "  %s  $%9.4f  %s", mo->label, mo->cost,
		    mo->n ? items : "no usage");
		ui_put(ui, y++, 0, cols, ui_attr(ui, mo->n ? UI_R_NORMAL : UI_R_DIM), line);
	}
}

static void
jobs_tick(struct ui *ui, struct ui_screen *s)
{
	struct jobs *j = s->st;
	if (j->child < 0)
		return;
	char *out = ui_child_output(ui, j->child);
	if (out && (j->preview == NULL || strcmp(out, j->preview) != 0)) {
		free(j->preview);
		j->preview = out;
		out = NULL;
		ui_redraw(ui);
	}
	free(out);
	if (!ui->children[j->child].proc_open) {
		j->child = -1;
		ui_redraw(ui);
	}
}

static int
jobs_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct jobs *j = s->st;
	int lh = (ui->rows - 4) / 3 < 3 ? 3 : (ui->rows - 4) / 3;
	switch (a) {
	case UI_A_UP: case UI_A_DOWN: case UI_A_PAGE_UP: case UI_A_PAGE_DOWN: case UI_A_TOP:
	case UI_A_BOTTOM:
		ui_list_move(a, j->n, lh, &j->cur, &j->top);
		return 1;
	case UI_A_VIEW:
		if (j->n)
			ui_pager_open(ui, j->v[j->cur].name, j->v[j->cur].last_result ?
			    j->v[j->cur].last_result : "(no result yet)");
		return 1;
	case UI_A_TEST: case UI_A_OPEN:
		if (j->n == 0)
			return 1;
		if (j->child >= 0) {
			ui_message(ui, 1, "a dry run is going already");
			return 1;
		}
		{
			const char *args[] = { "job", "run", j->v[j->cur].name, "--dry-run", NULL };
			free(j->preview);
			j->preview = xstrdup("");
			ui_strlcpy(j->preview_for, j->v[j->cur].name, sizeof j->preview_for);
			j->child = ui_spawn_cmd(ui, args, 0, "job dry run");
		}
		return 1;
	default:
		return 0;
	}
}

/* `/` finds jobs by name, schedule and last result (find.c). */
static int jobs_find_count(struct ui_screen *s) { return ((struct jobs *)s->st)->n; }
static int jobs_find_cur(struct ui_screen *s) { return ((struct jobs *)s->st)->cur; }

static const char *
jobs_find_text(struct ui_screen *s, int i, char *buf, size_t bufsz)
{
	const struct store_job *jb = &((struct jobs *)s->st)->v[i];
	snprintf(buf, bufsz, "%s %s %s", jb->name, jb->schedule,
	    jb->last_result ? jb->last_result : "");
	return buf;
}

static void
jobs_find_goto(struct ui *ui, struct ui_screen *s, int i)
{
	struct jobs *j = s->st;
	int lh = (ui->rows - 4) / 3 < 3 ? 3 : (ui->rows - 4) / 3;
	j->cur = i;
	ui_list_move(UI_A_NONE, j->n, lh, &j->cur, &j->top);
}

static const enum ui_action jobs_hints[] = { UI_A_TEST, UI_A_SEARCH, UI_A_VIEW, UI_A_NONE };

const struct ui_screen_ops ui_jobs_ops = {
	.name = "jobs and usage",
	.find_count = jobs_find_count,
	.find_text = jobs_find_text,
	.find_cur = jobs_find_cur,
	.find_goto = jobs_find_goto,
	.draw = jobs_draw,
	.action = jobs_action,
	.reload = jobs_reload,
	.tick = jobs_tick,
	.free = jobs_free,
	.hints = jobs_hints,
};
