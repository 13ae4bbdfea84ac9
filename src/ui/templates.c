/*
 * templates.c — the templates editor: the tenant's templates by priority;
 * Enter opens one as a list of fields (name, priority, enabled, matching
 * rules, processing config, metadata, output targets) edited one at a time
 * as JSON with messages that name the field; `x` tests a template against
 * the newest recordings and lists which it matches and whether it wins.
 * A template made here starts disabled (its empty rules would match every
 * import); enabling one that still has no rules says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cJSON.h>

#include "edit.h"
#include "store.h"
#include "store_admin.h"
#include "store_ui.h"
#include "template.h"
#include "fmt.h"
#include "ui.h"
#include "util.h"

#define TEST_SCAN_MAX 5000
#define TEST_PAGE 500

#define TPL_FIELDS(X) \
	X(NAME, "name") X(PRIORITY, "priority") X(ENABLED, "enabled") \
	X(RULES, "matching_rules") X(PROCESSING, "processing_config") X(METADATA, "metadata") \
	X(TARGETS, "output_targets")

enum tpl_field {
#define X(e, name) TF_##e,
	TPL_FIELDS(X)
#undef X
	TF__COUNT
};
static const char *const field_names[] = {
#define X(e, name) name,
	TPL_FIELDS(X)
#undef X
};

struct tmatch {
	int64_t id;
	char *title;
	char *winner;               /* NULL when this template wins */
};

struct templates {
	struct store_template *v;
	int n, cur, top;
	int editing;                /* fields of v[cur] have the cursor */
	int field;
	int64_t keep_id;            /* select this one after a reload */
	/* the last test */
	int64_t tested_id;
	char tested_name[128];
	struct tmatch *m;
	int nm;
	int64_t scanned, total;
	char error[1100];
};

static void
clear_test(struct templates *t)
{
	for (int i = 0; i < t->nm; i++) {
		free(t->m[i].title);
		free(t->m[i].winner);
	}
	free(t->m);
	t->m = NULL;
	t->nm = 0;
	t->tested_id = 0;
}

static void
load(struct ui *ui, struct templates *t)
{
	struct zpub_err err;
	int64_t keep = t->keep_id ? t->keep_id : (t->n && t->cur < t->n ? t->v[t->cur].id : 0);
	store_templates_free(t->v, t->n);
	t->v = NULL;
	t->n = 0;
	t->error[0] = '\0';
	if (store_templates(ui->store, ui->tenant_id, &t->v, &t->n, &err) != 0)
		ui_strlcpy(t->error, err.msg, sizeof t->error);
	for (int i = 0; i < t->n; i++)
		if (t->v[i].id == keep)
			t->cur = i;
	t->keep_id = 0;
	if (t->cur >= t->n)
		t->cur = t->n - 1;
	if (t->cur < 0)
		t->cur = 0;
	if (t->n == 0)
		t->editing = 0;
}

void *
ui_templates_new(struct ui *ui)
{
	struct templates *t = xcalloc(1, sizeof *t);
	load(ui, t);
	return t;
}

static void
templates_free(struct ui_screen *s)
{
	struct templates *t = s->st;
	if (t == NULL)
		return;
	clear_test(t);
	store_templates_free(t->v, t->n);
	free(t);
}

static void
templates_reload(struct ui *ui, struct ui_screen *s)
{
	load(ui, s->st);
}

/* A field's current value as one line of JSON (malloc'd). */
static char *
field_text(const struct store_template *tp, enum tpl_field f)
{
	const char *json = NULL;
	switch (f) {
	case TF_NAME: return xstrdup(tp->name);
	case TF_PRIORITY: return xasprintf("%d", tp->priority);
	case TF_ENABLED: return xstrdup(tp->enabled ? "true" : "false");
	case TF_RULES: json = tp->matching_rules; break;
	case TF_PROCESSING: json = tp->processing_config; break;
	case TF_METADATA: json = tp->metadata; break;
	case TF_TARGETS: json = tp->output_targets; break;
	default: return xstrdup("");
	}
	cJSON *j = cJSON_Parse(json ? json : "{}");
	char *txt = j ? cJSON_PrintUnformatted(j) : NULL;
	char *out = xstrdup(txt ? txt : json ? json : "{}");
	cJSON_free(txt);
	cJSON_Delete(j);
	return out;
}

static void
templates_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct templates *t = s->st;
	char line[1024];
	int cols = ui->cols, y = top;

	ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER),
	    "  PRIO  ON   NAME                  MATCHING RULES");
	if (t->error[0])
		ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_FAIL), t->error);
	if (t->n == 0)
		ui_put(ui, y++, 2, cols - 2, ui_attr(ui, UI_R_DIM),
		    "No templates yet: c creates one.");
	int lh = height / 3 < 3 ? 3 : height / 3;
	for (int i = 0; i < lh && t->top + i < t->n; i++) {
		const struct store_template *tp = &t->v[t->top + i];
		int is_cur = t->top + i == t->cur;
		int attr = is_cur ? ui_attr(ui, t->editing ? UI_R_MARK : UI_R_CURSOR) :
		    ui_attr(ui, tp->enabled ? UI_R_NORMAL : UI_R_DIM);
		char *rules = field_text(tp, TF_RULES);
		char name[64];
		ui_text_fit(tp->name, 20, 1, name, sizeof name);
		int pad = 21 - utf8_width(name);
		snprintf(line, sizeof line, "  %4d  %-3s  %s%*s %s", tp->priority, tp->enabled ? "yes" : "no",
		    name, pad > 0 ? pad : 0, "", rules);
		ui_put(ui, y + i, 0, cols, attr, line);
		free(rules);
	}
	y += lh;
	if (t->n == 0 || y >= top + height)
		return;
	const struct store_template *tp = &t->v[t->cur];
	snprintf(line, sizeof line, "Template '%s'%s", tp->name,
	    t->editing ? " — Enter edits a field (as JSON), q goes back to the list" :
	    " — Enter opens its fields, x tests it, D deletes it");
	ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER), line);
	for (int f = 0; f < TF__COUNT && y < top + height; f++, y++) {
		char *v = field_text(tp, (enum tpl_field)f);
		int is_cur = t->editing && f == t->field;
		snprintf(line, sizeof line, "  %-18s %s", field_names[f], v);
		ui_put(ui, y, 0, cols, is_cur ? ui_attr(ui, UI_R_CURSOR) : ui_attr(ui, UI_R_NORMAL),
		    line);
		free(v);
	}
	if (t->tested_id == 0 || y + 1 >= top + height)
		return;
	y++;
	int wins = 0;
	for (int i = 0; i < t->nm; i++)
		wins += t->m[i].winner == NULL;
	snprintf(line, sizeof line, "Test of '%s': matches %d of %lld recordings checked"
	    " (newest %lld of %lld); wins %d", t->tested_name, t->nm, (long long)t->scanned,
	    (long long)t->scanned, (long long)t->total, wins);
	ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER), line);
	for (int i = 0; i < t->nm && y < top + height; i++, y++) {
		if (t->m[i].winner)
			snprintf(line, sizeof line, "  %6lld  %s  (template '%s' wins on priority)",
			    (long long)t->m[i].id, t->m[i].title, t->m[i].winner);
		else
			snprintf(line, sizeof line, "  %6lld  %s", (long long)t->m[i].id, t->m[i].title);
		ui_put(ui, y, 0, cols, ui_attr(ui, t->m[i].winner ? UI_R_DIM : UI_R_OK), line);
	}
}

/* Saves {"field": value} through the engine's checks. */
static void
field_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct templates *t = ctx;
	struct zpub_err err;
	struct store_template tp;
	struct actor who;
	if (done != 1 || t->n == 0)
		return;
	const char *fname = field_names[t->field];
	cJSON *value = t->field == TF_NAME ? cJSON_CreateString(text) : cJSON_Parse(text);
	if (value == NULL) {
		const char *at = cJSON_GetErrorPtr();
		ui_message(ui, 1, "%s: not valid JSON near '%.20s'", fname, at && *at ? at : "the end");
		return;
	}
	cJSON *patch = cJSON_CreateObject();
	cJSON_AddItemToObject(patch, fname, value);
	int64_t id = t->v[t->cur].id;
	if (edit_template_save(ui->store, ui_who(ui, &who), id, NULL, patch, &tp, &err) != 0) {
		if (err.code == ZPUB_EINVAL)
			ui_message(ui, 1, "%s: %s", fname, err.msg);
		else
			ui_message(ui, 1, "%s", err.msg);
	} else {
		cJSON *rules = cJSON_Parse(tp.matching_rules ? tp.matching_rules : "{}");
		int catch_all = tp.enabled && (rules == NULL || cJSON_GetArraySize(rules) == 0);
		cJSON_Delete(rules);
		if (catch_all)
			ui_message(ui, 1, "template '%s' is enabled with no matching_rules: it applies"
			    " to every new recording", tp.name);
		else
			ui_message(ui, 0, "template '%s': %s saved", tp.name, fname);
		if (t->tested_id == id)
			clear_test(t);
		t->keep_id = id;
		ui_changed(ui);
	}
	store_template_clear(&tp);
	cJSON_Delete(patch);
}

static void
create_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct templates *t = ctx;
	struct zpub_err err;
	struct store_template nt;
	struct actor who;
	if (done != 1 || !*text)
		return;
	/* Empty rules match every recording: a new template starts disabled,
	 * so it catches no import before the user has said what it is for. */
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "name", text);
	cJSON_AddBoolToObject(j, "enabled", 0);
	if (edit_template_save(ui->store, ui_who(ui, &who), 0, NULL, j, &nt, &err) != 0)
		ui_message(ui, 1, "%s", err.msg);
	else {
		ui_message(ui, 0, "template '%s' created disabled: set its matching_rules, then"
		    " turn enabled on", text);
		t->keep_id = nt.id;
		t->editing = 1;
		t->field = TF_RULES;
		ui_changed(ui);
	}
	cJSON_Delete(j);
	store_template_clear(&nt);
}

struct del {
	struct templates *t;
	int64_t id;
	char name[200];
};

static void
delete_yes(struct ui *ui, void *ctx)
{
	struct del *d = ctx;
	struct zpub_err err;
	struct actor who;
	if (edit_template_delete(ui->store, ui_who(ui, &who), d->id, NULL, &err) != 0)
		ui_message(ui, 1, "%s", err.msg);
	else {
		ui_message(ui, 0, "template '%s' deleted", d->name);
		if (d->t->tested_id == d->id)
			clear_test(d->t);
		d->t->editing = 0;
		ui_changed(ui);
	}
	free(d);
}

/* Which of the newest recordings the template matches, and who wins. */
static void
run_test(struct ui *ui, struct templates *t)
{
	struct zpub_err err;
	const struct store_template *tp = &t->v[t->cur];
	clear_test(t);
	cJSON *rules = cJSON_Parse(tp->matching_rules ? tp->matching_rules : "{}");
	struct store_ui_query q = { ui->tenant_id, -1, NULL, STORE_UI_SORT_DATE, 1, TEST_PAGE, 0 };
	store_ui_count(ui->store, &q, &t->total, &err);
	t->scanned = 0;
	int cap = 0, failed = 0;
	while (t->scanned < TEST_SCAN_MAX && !failed) {
		struct store_ui_row *rows = NULL;
		int n = 0;
		q.offset = (int)t->scanned;
		if (store_ui_rows(ui->store, &q, &rows, &n, &err) != 0) {
			ui_message(ui, 1, "%s", err.msg);
			break;
		}
		for (int i = 0; i < n; i++) {
			struct tpl_subject sj = { rows[i].title, rows[i].source ? rows[i].source : "local",
				rows[i].duration_ms, rows[i].started_at };
			char why[256];
			int m = tpl_rules_match(rules, &sj, why, sizeof why, &err);
			if (m < 0) {
				ui_message(ui, 1, "matching_rules: %s", err.msg);
				failed = 1;
				break;
			}
			if (m != 1)
				continue;
			if (t->nm == cap) {
				cap = cap ? cap * 2 : 64;
				t->m = xreallocarray(t->m, (size_t)cap, sizeof *t->m);
			}
			int w = tpl_pick(t->v, t->n, &sj);
			t->m[t->nm++] = (struct tmatch){ rows[i].id, xstrdup(rows[i].title),
				w >= 0 && t->v[w].id != tp->id ? xstrdup(t->v[w].name) : NULL };
		}
		t->scanned += n;
		store_ui_rows_free(rows, n);
		if (n < TEST_PAGE)
			break;
	}
	cJSON_Delete(rules);
	t->tested_id = tp->id;
	ui_strlcpy(t->tested_name, tp->name, sizeof t->tested_name);
	ui_message(ui, 0, "'%s' matches %d of %lld recordings checked", tp->name, t->nm,
	    (long long)t->scanned);
}

static int
templates_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct templates *t = s->st;
	int lh = (ui->rows - 4) / 3 < 3 ? 3 : (ui->rows - 4) / 3;
	if (t->editing) {
		int top = 0;
		switch (a) {
		case UI_A_UP: case UI_A_DOWN: case UI_A_TOP: case UI_A_BOTTOM:
			ui_list_move(a, TF__COUNT, TF__COUNT, &t->field, &top);
			return 1;
		case UI_A_OPEN: case UI_A_EDIT: {
			if (t->field == TF_ENABLED) {
				field_done(ui, t, t->v[t->cur].enabled ? "false" : "true", 1);
				return 1;
			}
			char *v = field_text(&t->v[t->cur], (enum tpl_field)t->field);
			char label[64];
			snprintf(label, sizeof label, "%s: ", field_names[t->field]);
			ui_prompt(ui, label, v, 0, field_done, t);
			free(v);
			return 1;
		}
		case UI_A_BACK:
			t->editing = 0;
			return 1;
		case UI_A_VIEW: {
			char *v = field_text(&t->v[t->cur], (enum tpl_field)t->field);
			ui_pager_open(ui, field_names[t->field], v);
			free(v);
			return 1;
		}
		default:
			break;
		}
	}
	switch (a) {
	case UI_A_UP: case UI_A_DOWN: case UI_A_PAGE_UP: case UI_A_PAGE_DOWN: case UI_A_TOP:
	case UI_A_BOTTOM:
		ui_list_move(a, t->n, lh, &t->cur, &t->top);
		return 1;
	case UI_A_OPEN: case UI_A_EDIT:
		if (t->n) {
			t->editing = 1;
			t->field = TF_RULES;
		}
		return 1;
	case UI_A_NEW:
		ui_prompt(ui, "New template name: ", "", 0, create_done, t);
		return 1;
	case UI_A_TEST:
		if (t->n)
			run_test(ui, t);
		return 1;
	case UI_A_DELETE: case UI_A_REMOVE: {
		if (t->n == 0)
			return 1;
		struct del *d = xcalloc(1, sizeof *d);
		d->t = t;
		d->id = t->v[t->cur].id;
		ui_strlcpy(d->name, t->v[t->cur].name, sizeof d->name);
		char q[300];
		snprintf(q, sizeof q, "Delete template '%.200s'? (y/N)", d->name);
		ui_confirm(ui, q, delete_yes, d);
		return 1;
	}
	default:
		return 0;
	}
}

/* `/` finds templates by name and rules (find.c). */
static int templates_find_count(struct ui_screen *s) { return ((struct templates *)s->st)->n; }
static int templates_find_cur(struct ui_screen *s) { return ((struct templates *)s->st)->cur; }

static const char *
templates_find_text(struct ui_screen *s, int i, char *buf, size_t bufsz)
{
	const struct store_template *tp = &((struct templates *)s->st)->v[i];
	char *rules = field_text(tp, TF_RULES);
	snprintf(buf, bufsz, "%s %s", tp->name, rules ? rules : "");
	free(rules);
	return buf;
}

static void
templates_find_goto(struct ui *ui, struct ui_screen *s, int i)
{
	struct templates *t = s->st;
	int lh = (ui->rows - 4) / 3 < 3 ? 3 : (ui->rows - 4) / 3;
	t->editing = 0;
	t->cur = i;
	ui_list_move(UI_A_NONE, t->n, lh, &t->cur, &t->top);
}

static const enum ui_action templates_hints[] = {
	UI_A_OPEN, UI_A_NEW, UI_A_TEST, UI_A_SEARCH, UI_A_DELETE, UI_A_NONE
};

const struct ui_screen_ops ui_templates_ops = {
	.name = "templates",
	.find_count = templates_find_count,
	.find_text = templates_find_text,
	.find_cur = templates_find_cur,
	.find_goto = templates_find_goto,
	.draw = templates_draw,
	.action = templates_action,
	.reload = templates_reload,
	.free = templates_free,
	.hints = templates_hints,
};
