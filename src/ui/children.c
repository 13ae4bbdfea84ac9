/*
 * children.c — zpub's own commands run as child processes for the TUI
 * (`zpub run`, `skip`, `delete`, `auth`, `job run --dry-run`), and the
 * actions on recordings built on them.  A stage runs in its own process,
 * detached: the loop never blocks, a crash in media code cannot take the
 * screen down, the run goes on if the TUI quits, and its progress reaches
 * the screen the way a daemon's does — through the store.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "pipeline.h"
#include "stop.h"
#include "session.h"
#include "store.h"
#include "fmt.h"
#include "ui.h"
#include "util.h"

static void
child_closed(uv_handle_t *h)
{
	struct ui_child *c = h->data;
	c->in_use = 0;
}

char *
ui_child_log_path(struct ui *ui, struct ui_child *c)
{
	/* Per process and slot: two TUIs on one data dir keep apart. */
	return xasprintf("%s/tui-%d-child-%d.log", ui->ses->state_dir, (int)getpid(),
	    (int)(c - ui->children));
}

static void
child_exited(uv_process_t *p, int64_t status, int signo)
{
	struct ui_child *c = p->data;
	struct ui *ui = c->ui;
	char *path = ui_child_log_path(ui, c);
	char *text = NULL;
	size_t len = 0;
	free(c->output);
	c->output = NULL;
	if (fs_read_all(path, &c->output, NULL, NULL) != 0)
		c->output = NULL;
	if (status == 0 && signo == 0) {
		if (c->rec_id)
			ui_message(ui, 0, "#%lld: %s finished", (long long)c->rec_id, c->what);
		else
			ui_message(ui, 0, "%s finished", c->what);
	} else {
		/* The last line the command printed says why. */
		char last[400] = "";
		if (fs_read_all(path, &text, &len, NULL) == 0) {
			while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
				text[--len] = '\0';
			char *nl = strrchr(text, '\n');
			snprintf(last, sizeof last, "%s", nl ? nl + 1 : text);
			char *cr = strrchr(last, '\r');
			if (cr)
				memmove(last, cr + 1, strlen(cr + 1) + 1);
		}
		ui_message(ui, 1, "%s%s failed: %s", c->what, c->rec_id ? "" : "",
		    last[0] ? last : signo ? strsignal(signo) : "see zpub.log");
	}
	free(text);
	unlink(path);
	free(path);
	if (c->on_exit)
		c->on_exit(ui, c, status == 0 && signo == 0);
	c->on_exit = NULL;
	free(c->on_exit_ctx);
	c->on_exit_ctx = NULL;
	c->proc_open = 0;           /* ended; the handle closes next */
	c->ended_ms = time_mono_ms();
	uv_close((uv_handle_t *)p, child_closed);
	ui_changed(ui);
}

static int
spawn(struct ui *ui, char **args, int64_t rec_id, const char *what)
{
	struct ui_child *c = NULL;
	for (int i = 0; i < UI_MAX_CHILDREN; i++)
		if (!ui->children[i].in_use) {
			c = &ui->children[i];
			break;
		}
	if (c == NULL) {
		ui_message(ui, 1, "%d runs are going already; wait for one to end", UI_MAX_CHILDREN);
		return -1;
	}
	free(c->output);
	memset(c, 0, sizeof *c);
	c->ui = ui;
	c->rec_id = rec_id;
	c->ended_ms = 0;
	ui_strlcpy(c->what, what, sizeof c->what);
	char *path = ui_child_log_path(ui, c);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	free(path);
	if (fd < 0) {
		ui_message(ui, 1, "cannot start %s: %s", what, strerror(errno));
		return -1;
	}
	uv_stdio_container_t stdio[3] = {
		{ .flags = UV_IGNORE },
		{ .flags = UV_INHERIT_FD, .data.fd = fd },
		{ .flags = UV_INHERIT_FD, .data.fd = fd },
	};
	uv_process_options_t o = {
		.exit_cb = child_exited,
		.file = ui->exe,
		.args = args,
		.stdio_count = 3,
		.stdio = stdio,
		/* Its own session: the run goes on when the TUI quits, and the
		 * store shows its progress to whoever looks next. */
		.flags = UV_PROCESS_DETACHED,
	};
	c->proc.data = c;
	/* The child acts for the terminal app: its audit rows say "tui:USER"
	 * and its usage rows face "tui" (audit.h). */
	setenv("ZPUB_FACE", "tui", 1);
	int rc = uv_spawn(ui->loop, &c->proc, &o);
	close(fd);
	if (rc != 0) {
		ui_message(ui, 1, "cannot start %s: %s", what, uv_strerror(rc));
		return -1;
	}
	c->in_use = c->proc_open = 1;
	ui->last_spawned = &c->proc;
	ui->dirty = 1;
	return 0;
}

/* argv: exe [--data-dir D] --tenant T <cmd...> */
static int
base_args(struct ui *ui, char **args)
{
	int n = 0;
	args[n++] = ui->exe;
	if (strcmp(ui->ses->state_dir, ui->ses->config_dir) == 0) {
		args[n++] = (char *)"--data-dir";
		args[n++] = ui->ses->state_dir;
	}
	args[n++] = (char *)"--tenant";
	args[n++] = (char *)ui->ses->tenant;
	return n;
}

int
ui_spawn_cmd(struct ui *ui, const char *const *args, int64_t rec_id, const char *what)
{
	char *argv[32];
	int n = base_args(ui, argv);
	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	if (spawn(ui, argv, rec_id, what) != 0)
		return -1;
	for (int i = 0; i < UI_MAX_CHILDREN; i++)
		if (ui->children[i].in_use && &ui->children[i].proc == ui->last_spawned) {
			ui->children[i].kill_on_quit = 1;
			return i;
		}
	return -1;
}

char *
ui_child_output(struct ui *ui, int slot)
{
	if (slot < 0 || slot >= UI_MAX_CHILDREN)
		return NULL;
	if (!ui->children[slot].in_use || !ui->children[slot].proc_open)
		return ui->children[slot].output ? xstrdup(ui->children[slot].output) : NULL;
	char *path = ui_child_log_path(ui, &ui->children[slot]), *text = NULL;
	if (fs_read_all(path, &text, NULL, NULL) != 0)
		text = NULL;
	free(path);
	return text;
}

int
ui_spawn_run(struct ui *ui, int64_t rec_id, const char *until)
{
	char *args[16], id[32];
	int n = base_args(ui, args);
	snprintf(id, sizeof id, "%lld", (long long)rec_id);
	args[n++] = (char *)"run";
	args[n++] = id;
	if (until) {
		args[n++] = (char *)"--until";
		args[n++] = (char *)until;
	}
	args[n] = NULL;
	char what[32];
	snprintf(what, sizeof what, "run%s%s", until ? " to " : "", until ? until : "");
	return spawn(ui, args, rec_id, what);
}

/* `zpub CMD ID...` for a batch. */
static int
spawn_ids(struct ui *ui, const char *cmd, const int64_t *ids, int n)
{
	char **args = xcalloc((size_t)n + 12, sizeof *args);
	char *buf = xcalloc((size_t)n, 24);
	int a = base_args(ui, args);
	args[a++] = (char *)cmd;
	for (int i = 0; i < n; i++) {
		snprintf(buf + i * 24, 24, "%lld", (long long)ids[i]);
		args[a++] = buf + i * 24;
	}
	args[a] = NULL;
	char what[32];
	snprintf(what, sizeof what, n == 1 ? "%s" : "%s of %d", cmd, n);
	int rc = spawn(ui, args, n == 1 ? ids[0] : 0, what);
	free(args);
	free(buf);
	return rc;
}

int
ui_children_running(struct ui *ui, int64_t rec_id)
{
	int n = 0;
	for (int i = 0; i < UI_MAX_CHILDREN; i++)
		if (ui->children[i].in_use && (rec_id < 0 || ui->children[i].rec_id == rec_id))
			n++;
	return n;
}

/* ---- actions on recordings (browser and detail share them) ---- */

struct batch {
	enum ui_action a;
	int n;
	int64_t ids[];
};

static void
batch_delete(struct ui *ui, void *ctx)
{
	struct batch *b = ctx;
	for (int i = 0; i < b->n; i += 200)
		spawn_ids(ui, "delete", b->ids + i, b->n - i < 200 ? b->n - i : 200);
	free(b);
}

/* Stops in this process, through the store: the stage's process, a child
 * of this app or not, notices at its next progress report (stop.h). */
static void
batch_stop(struct ui *ui, void *ctx)
{
	struct batch *b = ctx;
	struct actor who;
	int asked = 0, done = 0;
	for (int i = 0; i < b->n; i++) {
		struct stop_result res;
		struct zpub_err err;
		if (stop_recording(ui->store, ui_who(ui, &who), b->ids[i], 0, &res, &err) != 0)
			ui_message(ui, 1, "%s", err.msg);
		else if (res.done)
			done++;
		else
			asked++;
	}
	if (b->n == 1 && done)
		ui_message(ui, 0, "#%lld stopped: back at its last finished status",
		    (long long)b->ids[0]);
	else if (b->n == 1 && asked)
		ui_message(ui, 0, "#%lld is stopping; it goes back to its last finished status",
		    (long long)b->ids[0]);
	else if (done + asked)
		ui_message(ui, 0, "%d stopped, %d stopping", done, asked);
	if (done + asked)
		ui_changed(ui);
	free(b);
}

int
ui_rec_action(struct ui *ui, enum ui_action a, const int64_t *ids, int n)
{
	struct zpub_err err;
	if (n <= 0) {
		ui_message(ui, 1, "nothing selected");
		return 1;
	}
	switch (a) {
	case UI_A_RUN:
	case UI_A_PUBLISH:
		/* `zpub run` takes them one after another, on two cores that is right. */
		if (a == UI_A_PUBLISH) {
			/* `zpub publish` takes one recording at a time. */
			for (int i = 0; i < n; i++)
				spawn_ids(ui, "publish", ids + i, 1);
			return 1;
		}
		for (int i = 0; i < n; i += 200)
			spawn_ids(ui, "run", ids + i, n - i < 200 ? n - i : 200);
		return 1;
	case UI_A_RUN_NEXT:
		for (int i = 0; i < n; i++) {
			struct store_recording *r = NULL;
			if (store_recording_get(ui->store, ids[i], &r, &err) != 0) {
				ui_message(ui, 1, "%s", err.msg);
				continue;
			}
			const struct stage_def *sd = pipeline_stage_for_input(NULL, r->status);
			if (sd == NULL)
				ui_message(ui, 1, "#%lld is %s: no stage takes it from there",
				    (long long)ids[i], status_name(r->status));
			else
				ui_spawn_run(ui, ids[i], status_name(sd->output));
			store_recording_free(r);
		}
		return 1;
	case UI_A_RETRY: {
		int ok = 0;
		struct actor who;
		ui_who(ui, &who);
		for (int i = 0; i < n; i++) {
			if (pipeline_retry(ui->store, &who, ids[i], &err) != 0)
				ui_message(ui, 1, "%s", err.msg);
			else {
				ok++;
				ui_spawn_run(ui, ids[i], NULL);
			}
		}
		if (ok)
			ui_changed(ui);
		return 1;
	}
	case UI_A_SKIP: {
		/* Skipping all SKIPPED ones un-skips them; otherwise skip. */
		int all_skipped = 1;
		for (int i = 0; i < n && all_skipped; i++) {
			struct store_recording *r = NULL;
			if (store_recording_get(ui->store, ids[i], &r, &err) == 0 &&
			    r->status != ST_SKIPPED)
				all_skipped = 0;
			store_recording_free(r);
		}
		for (int i = 0; i < n; i += 200)
			spawn_ids(ui, all_skipped ? "unskip" : "skip", ids + i, n - i < 200 ? n - i : 200);
		return 1;
	}
	case UI_A_STOP: {
		struct batch *b = xmalloc(sizeof *b + (size_t)n * sizeof(int64_t));
		b->a = a;
		b->n = n;
		memcpy(b->ids, ids, (size_t)n * sizeof(int64_t));
		char q[160];
		if (n == 1)
			snprintf(q, sizeof q, "Stop the running stage of #%lld? It goes back to its"
			    " last finished status. (y/N)", (long long)ids[0]);
		else
			snprintf(q, sizeof q, "Stop the running stages of %d recordings? (y/N)", n);
		ui_confirm(ui, q, batch_stop, b);
		return 1;
	}
	case UI_A_DELETE: {
		struct batch *b = xmalloc(sizeof *b + (size_t)n * sizeof(int64_t));
		b->a = a;
		b->n = n;
		memcpy(b->ids, ids, (size_t)n * sizeof(int64_t));
		char q[128];
		if (n == 1)
			snprintf(q, sizeof q, "Delete recording #%lld and all its files? (y/N)",
			    (long long)ids[0]);
		else
			snprintf(q, sizeof q, "Delete %d recordings and all their files? (y/N)", n);
		ui_confirm(ui, q, batch_delete, b);
		return 1;
	}
	default:
		return 0;
	}
}

