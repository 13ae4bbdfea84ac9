/*
 * accounts.c — connected accounts and API keys of the tenant: each
 * provider's state (connected, expiring, needs reconnect, not connected).
 * "Connect" runs `zpub auth PROVIDER [--as NAME] --no-browser` as a child
 * (the OAuth flow through the loopback listener) and shows the URL to open;
 * "new" on an account connects one more under a name it asks for (a
 * target's "account" picks it).  API keys are typed into a masked line and
 * go straight into the vault.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "edit.h"
#include "session.h"
#include "store.h"
#include "fmt.h"
#include "ui.h"
#include "util.h"

#define EXPIRING_MS (7LL * 24 * 3600 * 1000)

enum acc_kind { ACC_OAUTH, ACC_KEY };

/* What this screen offers, in order; credentials of other names follow. */
static const struct {
	const char *name, *label;
	enum acc_kind kind;
} known[] = {
	{ "oauth.youtube", "YouTube (Google account)", ACC_OAUTH },
	{ "oauth.vk", "VK (VK ID)", ACC_OAUTH },
	{ "google.client_secret", "Google OAuth client secret", ACC_KEY },
	{ "vk.client_secret", "VK client secret", ACC_KEY },
	{ "zoom.client_secret", "Zoom client secret", ACC_KEY },
	{ "transcription", "Transcription API key", ACC_KEY },
	{ "chat", "Chat (topics, descriptions) API key", ACC_KEY },
};

struct arow {
	char name[64], label[96];
	enum acc_kind kind;
	int present;
	char state[32];
	int64_t expires_at, updated_at;
};

/* "oauth.youtube.physics" -> "youtube", "physics" ("" for the default). */
static void
oauth_split(const char *secret, char prov[16], char name[48])
{
	const char *p = secret + 6, *dot = strchr(p, '.');

	snprintf(prov, 16, "%.*s", dot ? (int)(dot - p) : 15, p);
	snprintf(name, 48, "%s", dot ? dot + 1 : "");
}

struct acc_screen {
	struct arow *rows;
	int n, cur, top;
	int child;                  /* slot of a running `zpub auth`, -1 */
	char child_for[64];
	char url[1024];
	char note[512];
	char key_name[64];          /* the key the masked prompt is for */
	char error[1100];
};

static void
load(struct ui *ui, struct acc_screen *a)
{
	struct zpub_err err;
	struct store_credential *cv = NULL;
	int cn = 0;
	free(a->rows);
	a->rows = NULL;
	a->n = 0;
	a->error[0] = '\0';
	if (store_credentials(ui->store, ui->tenant_id, &cv, &cn, &err) != 0)
		ui_strlcpy(a->error, err.msg, sizeof a->error);
	size_t nk = sizeof known / sizeof known[0];
	a->rows = xcalloc(nk + (size_t)cn, sizeof *a->rows);
	for (size_t i = 0; i < nk; i++) {
		struct arow *r = &a->rows[a->n++];
		ui_strlcpy(r->name, known[i].name, sizeof r->name);
		ui_strlcpy(r->label, known[i].label, sizeof r->label);
		r->kind = known[i].kind;
	}
	for (int i = 0; i < cn; i++) {
		struct arow *r = NULL;
		for (int k = 0; k < a->n; k++)
			if (strcmp(a->rows[k].name, cv[i].name) == 0)
				r = &a->rows[k];
		if (r == NULL) {
			r = &a->rows[a->n++];
			ui_strlcpy(r->name, cv[i].name, sizeof r->name);
			ui_strlcpy(r->label, cv[i].name, sizeof r->label);
			r->kind = strncmp(cv[i].name, "oauth.", 6) == 0 ? ACC_OAUTH : ACC_KEY;
			if (r->kind == ACC_OAUTH) {
				char prov[16], name[48];

				oauth_split(cv[i].name, prov, name);
				snprintf(r->label, sizeof r->label, "%s account '%s'",
				    strcmp(prov, "youtube") == 0 ? "YouTube" :
				    strcmp(prov, "vk") == 0 ? "VK" : prov, name);
			}
		}
		r->present = 1;
		ui_strlcpy(r->state, cv[i].state ? cv[i].state : "ok", sizeof r->state);
		r->expires_at = cv[i].expires_at;
		r->updated_at = cv[i].updated_at;
	}
	store_credentials_free(cv, cn);
	if (a->cur >= a->n)
		a->cur = a->n - 1;
}

void *
ui_accounts_new(struct ui *ui)
{
	struct acc_screen *a = xcalloc(1, sizeof *a);
	a->child = -1;
	load(ui, a);
	return a;
}

static void
accounts_free(struct ui_screen *s)
{
	struct acc_screen *a = s->st;
	if (a == NULL)
		return;
	free(a->rows);
	explicit_bzero(a->key_name, sizeof a->key_name);
	free(a);
}

static void
accounts_reload(struct ui *ui, struct ui_screen *s)
{
	load(ui, s->st);
}

/* The state in words, and its colour. */
static const char *
state_text(const struct arow *r, enum ui_role *role)
{
	if (!r->present) {
		*role = UI_R_DIM;
		return r->kind == ACC_OAUTH ? "not connected" : "not set";
	}
	if (strcmp(r->state, "reconnect") == 0) {
		*role = UI_R_FAIL;
		return "needs reconnect";
	}
	/* An OAuth access token expires hourly and is refreshed; the account
	 * is only "expiring" for credentials with a real end date near. */
	if (r->kind == ACC_KEY && r->expires_at > 0 && r->expires_at - time_now_ms() < EXPIRING_MS) {
		*role = UI_R_WARN;
		return r->expires_at < time_now_ms() ? "expired" : "expiring";
	}
	*role = UI_R_OK;
	return r->kind == ACC_OAUTH ? "connected" : "set";
}

static void
accounts_draw(struct ui *ui, struct ui_screen *s, int top, int height)
{
	const struct acc_screen *a = s->st;
	char line[1400], when[32];
	int y = top, cols = ui->cols;
	snprintf(line, sizeof line, "Accounts and keys of tenant '%s'", ui->ses->tenant);
	ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER), line);
	if (a->error[0])
		ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_FAIL), a->error);
	for (int i = 0; i < a->n && y < top + height - 4; i++, y++) {
		const struct arow *r = &a->rows[i];
		enum ui_role role;
		const char *st = state_text(r, &role);
		ui_fmt_local(r->updated_at, when);
		snprintf(line, sizeof line, "  %-36s %-6s", r->label, r->kind == ACC_OAUTH ? "oauth" : "key");
		int is_cur = i == a->cur;
		int base = is_cur ? ui_attr(ui, UI_R_CURSOR) : ui_attr(ui, UI_R_NORMAL);
		ui_put(ui, y, 0, 46, base, line);
		ui_put(ui, y, 46, 18, is_cur ? base : ui_attr(ui, role), st);
		snprintf(line, sizeof line, "%s%s", r->present ? "updated " : "", r->present ? when : "");
		ui_put(ui, y, 64, cols - 64, is_cur ? base : ui_attr(ui, UI_R_DIM), line);
	}
	y++;
	if (a->url[0]) {
		ui_put(ui, y++, 0, cols, ui_attr(ui, UI_R_HEADER), "Open this address in a browser to"
		    " connect (zpub is listening on this machine for the answer):");
		/* Wrapped, never cut: every character is needed to sign in. */
		int w = cols - 2;
		for (size_t off = 0, len = strlen(a->url); off < len && y < top + height - 1;
		    off += (size_t)w) {
			char part[1024];
			snprintf(part, sizeof part, "%.*s", w, a->url + off);
			ui_put(ui, y++, 2, w, ui_attr(ui, UI_R_KEY), part);
		}
	}
	if (a->note[0])
		ui_put(ui, ++y, 2, cols - 2, ui_attr(ui, UI_R_DIM), a->note);
}

/* Watches the `zpub auth` child for its URL line and its end. */
static void
accounts_tick(struct ui *ui, struct ui_screen *s)
{
	struct acc_screen *a = s->st;
	if (a->child < 0)
		return;
	char *out = ui_child_output(ui, a->child);
	if (out) {
		for (char *save = NULL, *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if (strncmp(l, "https://", 8) == 0 || strncmp(l, "http://", 7) == 0) {
				if (strcmp(a->url, l) != 0) {
					ui_strlcpy(a->url, l, sizeof a->url);
					ui_redraw(ui);
				}
			} else if (*l)
				ui_strlcpy(a->note, l, sizeof a->note);
		free(out);
	}
	if (ui_children_running(ui, -1) == 0 || !ui->children[a->child].proc_open) {
		a->child = -1;
		a->url[0] = '\0';
		ui_changed(ui);
	}
}

static void
key_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct acc_screen *a = ctx;
	struct zpub_err err;
	struct actor who;
	if (done != 1)
		return;
	if (!*text) {
		ui_message(ui, 1, "empty: %s left as it was", a->key_name);
		return;
	}
	if (session_vault(ui->ses, &err) != 0 || edit_secret_set(ui->store, ui->ses->vault,
	    ui_who(ui, &who), a->key_name, text, strlen(text), &err) != 0) {
		ui_message(ui, 1, "%s", err.msg);
		return;
	}
	ui_message(ui, 0, "%s stored encrypted (%zu characters)", a->key_name, strlen(text));
	ui_changed(ui);
}

/* Runs `zpub auth PROV [--as NAME] --no-browser` and shows its URL. */
static void
acc_connect(struct ui *ui, struct acc_screen *ac, const char *prov, const char *name)
{
	if (ac->child >= 0) {
		ui_message(ui, 1, "a sign-in is going on already");
		return;
	}
	const char *args[] = { "auth", prov, "--no-browser", name[0] ? "--as" : NULL, name, NULL };
	ac->url[0] = ac->note[0] = '\0';
	ac->child = ui_spawn_cmd(ui, args, 0, "auth");
	accounts_secret_name(prov, name, ac->child_for);
}

static void
named_done(struct ui *ui, void *ctx, const char *text, int done)
{
	struct acc_screen *ac = ctx;

	if (done != 1 || !*text)
		return;
	if (!accounts_name_ok(text)) {
		ui_message(ui, 1, "an account name is 1-%d letters, digits, - or _", ACCOUNT_NAME_MAX);
		return;
	}
	acc_connect(ui, ac, ac->key_name, text);
}

struct forget {
	char name[64];
	enum acc_kind kind;
};

static void
forget_yes(struct ui *ui, void *ctx)
{
	struct forget *f = ctx;
	struct zpub_err err;
	struct actor who;
	if (f->kind == ACC_OAUTH) {
		char prov[16], name[48];

		oauth_split(f->name, prov, name);
		const char *args[] = { "auth", "revoke", prov, name[0] ? "--as" : NULL, name, NULL };
		ui_spawn_cmd(ui, args, 0, "auth revoke");
	} else if (edit_secret_delete(ui->store, ui_who(ui, &who), f->name, &err) != 0)
		ui_message(ui, 1, "%s", err.msg);
	else {
		ui_message(ui, 0, "%s deleted", f->name);
		ui_changed(ui);
	}
	free(f);
}

static int
accounts_action(struct ui *ui, struct ui_screen *s, enum ui_action a)
{
	struct acc_screen *ac = s->st;
	int top = 0;
	if (ac->n == 0)
		return 0;
	struct arow *r = &ac->rows[ac->cur];
	switch (a) {
	case UI_A_UP: case UI_A_DOWN: case UI_A_TOP: case UI_A_BOTTOM: case UI_A_PAGE_UP:
	case UI_A_PAGE_DOWN:
		ui_list_move(a, ac->n, ac->n, &ac->cur, &top);
		return 1;
	case UI_A_NEW:
		if (r->kind == ACC_OAUTH) {
			char prov[16], name[48], label[96];

			oauth_split(r->name, prov, name);
			ui_strlcpy(ac->key_name, prov, sizeof ac->key_name);
			snprintf(label, sizeof label, "name of the new %s account: ", prov);
			ui_prompt(ui, label, "", 0, named_done, ac);
			return 1;
		}
		/* FALLTHROUGH */
	case UI_A_OPEN: case UI_A_EDIT:
		if (r->kind == ACC_OAUTH) {
			char prov[16], name[48];

			oauth_split(r->name, prov, name);
			acc_connect(ui, ac, prov, name);
		} else {
			char label[96];
			ui_strlcpy(ac->key_name, r->name, sizeof ac->key_name);
			snprintf(label, sizeof label, "%s (hidden): ", r->name);
			ui_prompt(ui, label, "", 1, key_done, ac);
		}
		return 1;
	case UI_A_DELETE: case UI_A_REMOVE: {
		if (!r->present)
			return 1;
		struct forget *f = xcalloc(1, sizeof *f);
		ui_strlcpy(f->name, r->name, sizeof f->name);
		f->kind = r->kind;
		char q[160];
		snprintf(q, sizeof q, "%s %s? (y/N)", r->kind == ACC_OAUTH ? "Disconnect" : "Delete",
		    r->label);
		ui_confirm(ui, q, forget_yes, f);
		return 1;
	}
	default:
		return 0;
	}
}

static const enum ui_action accounts_hints[] = { UI_A_OPEN, UI_A_NEW, UI_A_DELETE, UI_A_NONE };

const struct ui_screen_ops ui_accounts_ops = {
	.name = "accounts",
	.draw = accounts_draw,
	.action = accounts_action,
	.reload = accounts_reload,
	.tick = accounts_tick,
	.free = accounts_free,
	.hints = accounts_hints,
};
