/*
 * app.c — the terminal app's frame: curses setup and colours (monochrome
 * fallback, NO_COLOR), the libuv loop (stdin poll, a timer that notices
 * other processes' commits through PRAGMA data_version, SIGWINCH), resize
 * in this one place with a minimum-size message, the screen stack, the
 * frame (title, status line, key hints) and key -> action dispatch.  The
 * prompt line lives in prompt.c, child processes in children.c.
 */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include "audit.h"
#include "log.h"
#include "session.h"
#include "store.h"
#include "store_ui.h"
#include "fmt.h"
#include "ui.h"
#include "util.h"

#define UI_MIN_ROWS 12
#define UI_MIN_COLS 50
#define UI_TICK_MS 250
#define UI_MESSAGE_MS 6000
#define UI_ERROR_MS 15000

static int64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- colours ---- */

static void
colours_init(struct ui *ui)
{
	const char *nc = getenv("NO_COLOR");
	ui->color = has_colors() && !(nc && *nc);
	static const int mono[UI_R__COUNT] = {
		[UI_R_NORMAL] = A_NORMAL, [UI_R_BAR] = A_REVERSE, [UI_R_HEADER] = A_BOLD | A_UNDERLINE,
		[UI_R_CURSOR] = A_REVERSE, [UI_R_MARK] = A_BOLD, [UI_R_OK] = A_NORMAL,
		[UI_R_RUN] = A_BOLD, [UI_R_FAIL] = A_BOLD, [UI_R_DIM] = A_DIM, [UI_R_WARN] = A_BOLD,
		[UI_R_PROGRESS] = A_BOLD, [UI_R_KEY] = A_BOLD,
	};
	memcpy(ui->attrs, mono, sizeof mono);
	if (!ui->color)
		return;
	start_color();
	use_default_colors();
	static const struct { enum ui_role r; short fg, bg; int extra; } pairs[] = {
		{ UI_R_BAR, COLOR_BLACK, COLOR_CYAN, 0 },
		{ UI_R_HEADER, COLOR_YELLOW, -1, A_BOLD },
		{ UI_R_CURSOR, COLOR_BLACK, COLOR_WHITE, 0 },
		{ UI_R_MARK, COLOR_MAGENTA, -1, A_BOLD },
		{ UI_R_OK, COLOR_GREEN, -1, 0 },
		{ UI_R_RUN, COLOR_CYAN, -1, A_BOLD },
		{ UI_R_FAIL, COLOR_RED, -1, A_BOLD },
		{ UI_R_WARN, COLOR_YELLOW, -1, 0 },
		{ UI_R_PROGRESS, COLOR_BLUE, -1, A_BOLD },
		{ UI_R_KEY, COLOR_CYAN, -1, A_BOLD },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		if (init_pair((short)(i + 1), pairs[i].fg, pairs[i].bg) == ERR)
			continue;
		ui->attrs[pairs[i].r] = (int)COLOR_PAIR(i + 1) | pairs[i].extra;
	}
}

int
ui_attr(struct ui *ui, enum ui_role r)
{
	return r < UI_R__COUNT ? ui->attrs[r] : (int)A_NORMAL;
}

enum ui_role
ui_status_role(int status)
{
	switch (status) {
	case ST_READY: return UI_R_OK;
	case ST_FAILED: return UI_R_FAIL;
	case ST_SKIPPED: case ST_EXPIRED: return UI_R_DIM;
	case ST_DOWNLOADING: case ST_PROCESSING: case ST_PREPARING: case ST_UPLOADING:
		return UI_R_RUN;
	default: return UI_R_NORMAL;
	}
}

void
ui_put(struct ui *ui, int y, int x, int width, int attr, const char *s)
{
	char buf[2048];
	if (width <= 0 || y < 0 || y >= ui->rows || x >= ui->cols)
		return;
	if (x + width > ui->cols)
		width = ui->cols - x;
	int w = ui_text_fit(s ? s : "", width, 1, buf, sizeof buf);
	attrset(attr);
	mvaddstr(y, x, buf);
	/* A wide character the terminal could not place may leave the cursor
	 * short: pad from where curses really is. */
	int cy, cx;
	getyx(stdscr, cy, cx);
	if (cy != y)
		cx = x + w;
	for (int i = cx; i < x + width; i++)
		mvaddch(y, i, ' ');
	attrset(A_NORMAL);
}

const void *ui_config(struct ui *ui) { return ui->ses->config; }

const struct actor *
ui_who(struct ui *ui, struct actor *who)
{
	actor_local(who, ACTOR_TUI, ui->tenant_id);
	return who;
}

const char *
ui_actor(struct ui *ui)
{
	static char name[160];      /* the loop thread's alone */
	struct actor who;
	return actor_name(ui_who(ui, &who), name, sizeof name);
}

/* ---- screen stack ---- */

void
ui_push(struct ui *ui, const struct ui_screen_ops *ops, void *st)
{
	if (st == NULL)
		return;
	if (ui->depth == UI_MAX_SCREENS) {
		ops->free(&(struct ui_screen){ .ops = ops, .st = st });
		ui_message(ui, 1, "too many screens open; go back first");
		return;
	}
	ui->stack[ui->depth++] = (struct ui_screen){ .ops = ops, .st = st };
	ui->dirty = 1;
}

void
ui_quit_yes(struct ui *ui, void *ctx)
{
	(void)ctx;
	ui->quit = 1;
}

void
ui_pop(struct ui *ui)
{
	if (ui->depth == 0)
		return;
	struct ui_screen *s = &ui->stack[--ui->depth];
	if (ui->defer_fn && ui->defer_ctx == s->st) {
		uv_timer_stop(&ui->defer);
		ui->defer_fn = NULL;
	}
	s->ops->free(s);
	if (ui->depth == 0)
		ui->quit = 1;
	else
		ui_changed(ui);   /* what is under may be stale */
}

static void draw(struct ui *ui);

static void
on_defer(uv_timer_t *t)
{
	struct ui *ui = t->data;
	void (*fn)(struct ui *, void *) = ui->defer_fn;
	int64_t t0 = ui->timing ? now_us() : 0;
	ui->defer_fn = NULL;
	if (fn == NULL)
		return;
	fn(ui, ui->defer_ctx);
	if (ui->dirty)
		draw(ui);
	if (ui->timing) {
		fprintf(ui->timing, "deferred_us %lld\n", (long long)(now_us() - t0));
		fflush(ui->timing);
	}
}

void
ui_defer(struct ui *ui, int ms, void (*fn)(struct ui *ui, void *ctx), void *ctx)
{
	ui->defer_fn = fn;
	ui->defer_ctx = ctx;
	uv_timer_start(&ui->defer, on_defer, (uint64_t)(ms > 0 ? ms : 0), 0);
}

void ui_redraw(struct ui *ui) { ui->dirty = 1; }
void ui_changed(struct ui *ui) { ui->changed = 1; ui->dirty = 1; }

void
ui_message(struct ui *ui, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ui->status, sizeof ui->status, fmt, ap);
	va_end(ap);
	ui->status_error = error;
	ui->status_at = time_mono_ms();
	ui->dirty = 1;
	if (error)
		zlog(LOG_INFO, "tui: %s", ui->status);
}

void
ui_list_move(enum ui_action a, int n, int h, int *cur, int *top)
{
	if (h < 1)
		h = 1;
	switch (a) {
	case UI_A_UP: (*cur)--; break;
	case UI_A_DOWN: (*cur)++; break;
	case UI_A_PAGE_UP: *cur -= h; *top -= h; break;
	case UI_A_PAGE_DOWN: *cur += h; *top += h; break;
	case UI_A_TOP: *cur = 0; break;
	case UI_A_BOTTOM: *cur = n - 1; break;
	default: break;
	}
	if (*cur >= n)
		*cur = n - 1;
	if (*cur < 0)
		*cur = 0;
	if (*top > n - h)
		*top = n - h;
	if (*top < 0)
		*top = 0;
	if (*cur < *top)
		*top = *cur;
	if (*cur >= *top + h)
		*top = *cur - h + 1;
}

/* ---- drawing ---- */

/* "k name" of action a (its first key) into out; 0 when it has no key. */
static int
hint_label(struct ui *ui, enum ui_action a, char *keys, size_t keysz, char *label,
    size_t labelsz)
{
	ui_keymap_keys(&ui->keys, a, keys, keysz);
	char *slash = keys[0] ? strchr(keys + 1, '/') : NULL;   /* "/" is a key */
	if (slash)
		*slash = '\0';
	if (!keys[0])
		return 0;
	snprintf(label, labelsz, "%s %s", keys, ui_action_name(a));
	return utf8_width(label) + 2;
}

/*
 * The key hints: the screen's, most used first, as many as fit; help, back
 * and quit always, at the right end, whatever the width.
 */
static void
draw_hints(struct ui *ui, const struct ui_screen *s)
{
	static const enum ui_action always[] = { UI_A_HELP, UI_A_BACK, UI_A_QUIT, UI_A_NONE };
	char keys[64], label[96];
	int x = 0, y = ui->rows - 1, reserved = 0;
	attrset(ui_attr(ui, UI_R_BAR));
	mvhline(y, 0, ' ', ui->cols);
	for (const enum ui_action *h = always; *h != UI_A_NONE; h++)
		reserved += hint_label(ui, *h, keys, sizeof keys, label, sizeof label);
	if (s->find.text[0] && ui->cols - reserved > 14) {
		/* A find is on: its keys first (find.c takes n and N then). */
		ui_put(ui, y, 1, 3, ui_attr(ui, UI_R_BAR) | A_BOLD, "n/N");
		ui_put(ui, y, 4, 9, ui_attr(ui, UI_R_BAR), " next hit");
		x = 14;
	}
	for (int pass = 0; pass < 2; pass++) {
		const enum ui_action *h = pass == 0 ? (s->ops->hints ? s->ops->hints : always + 3) :
		    always;
		if (pass == 1 && ui->cols - reserved > x)
			x = ui->cols - reserved;
		for (; *h != UI_A_NONE; h++) {
			int w = hint_label(ui, *h, keys, sizeof keys, label, sizeof label);
			if (w == 0)
				continue;
			if (x + w > ui->cols - (pass == 0 ? reserved : 0))
				break;
			ui_put(ui, y, x, 1, ui_attr(ui, UI_R_BAR), " ");
			ui_put(ui, y, x + 1, utf8_width(keys), ui_attr(ui, UI_R_BAR) | A_BOLD, keys);
			ui_put(ui, y, x + 1 + utf8_width(keys), w - 1 - utf8_width(keys),
			    ui_attr(ui, UI_R_BAR), label + strlen(keys));
			x += w;
		}
	}
	attrset(A_NORMAL);
}

static void
draw_status_line(struct ui *ui)
{
	int y = ui->rows - 2;
	if (ui->confirm.active) {
		ui_put(ui, y, 0, ui->cols, ui_attr(ui, UI_R_WARN) | A_BOLD, ui->confirm.question);
		return;
	}
	if (ui->prompt.active) {
		struct ui_prompt *p = &ui->prompt;
		char text[2048], shown[2304];
		if (p->masked) {
			int n = p->len < 64 ? p->len : 64;
			memset(text, '*', (size_t)n);
			text[n] = '\0';
		} else
			ui_prompt_text(p, text, sizeof text);
		snprintf(shown, sizeof shown, "%s%s", p->label, text);
		ui_put(ui, y, 0, ui->cols, ui_attr(ui, UI_R_NORMAL), shown);
		/* Cursor at the editing position. */
		char head[2048];
		wchar_t save = p->buf[p->pos];
		p->buf[p->pos] = 0;
		if (p->masked)
			snprintf(head, sizeof head, "%.*s", p->pos < 64 ? p->pos : 64, text);
		else
			ui_prompt_text(p, head, sizeof head);
		p->buf[p->pos] = save;
		int cx = utf8_width(p->label) + utf8_width(head);
		move(y, cx < ui->cols ? cx : ui->cols - 1);
		return;
	}
	int64_t age = time_mono_ms() - ui->status_at;
	int running = ui_children_running(ui, -1);
	char right[64] = "";
	if (running)
		snprintf(right, sizeof right, " %d run%s going ", running, running == 1 ? "" : "s");
	int rw = utf8_width(right);
	if (ui->status[0] && age < (ui->status_error ? UI_ERROR_MS : UI_MESSAGE_MS))
		ui_put(ui, y, 0, ui->cols - rw, ui_attr(ui, ui->status_error ? UI_R_FAIL : UI_R_OK),
		    ui->status);
	else
		ui_put(ui, y, 0, ui->cols - rw, ui_attr(ui, UI_R_NORMAL), "");
	if (rw)
		ui_put(ui, y, ui->cols - rw, rw, ui_attr(ui, UI_R_RUN), right);
}

static void
draw(struct ui *ui)
{
	int64_t t0 = ui->timing ? now_us() : 0;
	if (ui->depth == 0 || ui->quit)
		return;                 /* on the way out */
	if (ui->changed) {
		ui->changed = 0;
		for (int i = 0; i < ui->depth; i++)
			if (ui->stack[i].ops->reload)
				ui->stack[i].ops->reload(ui, &ui->stack[i]);
	}
	erase();
	curs_set(0);
	if (ui->rows < UI_MIN_ROWS || ui->cols < UI_MIN_COLS) {
		char msg[128];
		snprintf(msg, sizeof msg, "Terminal too small: %dx%d, zpub needs %dx%d",
		    ui->cols, ui->rows, UI_MIN_COLS, UI_MIN_ROWS);
		int y = ui->rows / 2;
		ui_put(ui, y > 0 ? y - 1 : 0, 0, ui->cols, A_BOLD, msg);
		ui_put(ui, y, 0, ui->cols, A_NORMAL, "Make the window larger (Q quits).");
		refresh();
		ui->dirty = 0;
		return;
	}
	struct ui_screen *s = &ui->stack[ui->depth - 1];
	char title[256];
	snprintf(title, sizeof title, " zpub · %s · %s", ui->ses->tenant, s->ops->name);
	ui_put(ui, 0, 0, ui->cols, ui_attr(ui, UI_R_BAR) | A_BOLD, title);
	s->top = 1;
	s->height = ui->rows - 3;
	s->ops->draw(ui, s, s->top, s->height);
	draw_status_line(ui);
	draw_hints(ui, s);
	if (ui->prompt.active && !ui->confirm.active) {
		draw_status_line(ui);   /* leaves the cursor in the prompt */
		curs_set(1);
	}
	refresh();
	ui->dirty = 0;
	if (ui->timing) {
		int64_t t1 = now_us();
		if (!ui->first_frame_done) {
			ui->first_frame_done = 1;
			fprintf(ui->timing, "first_frame_us %lld\n", (long long)(t1 - ui->t_start_us));
		} else
			fprintf(ui->timing, "draw_us %lld\n", (long long)(t1 - t0));
		fflush(ui->timing);
	}
}

/* The one place that handles a new terminal size. */
static void
resize(struct ui *ui)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	getmaxyx(stdscr, ui->rows, ui->cols);
	clearok(stdscr, TRUE);
	/* Screens size their pages from ui->rows: let them re-read. */
	ui_changed(ui);
}

/* ---- input ---- */

static void
handle_mouse(struct ui *ui)
{
	MEVENT ev;
	if (getmouse(&ev) != OK || ui->depth == 0)
		return;
	struct ui_mouse m = { ev.y, ev.x, 0, 0, 0 };
	if (ev.bstate & BUTTON4_PRESSED)
		m.wheel = -1;
#ifdef BUTTON5_PRESSED
	else if (ev.bstate & BUTTON5_PRESSED)
		m.wheel = 1;
#endif
	else if (ev.bstate & BUTTON1_DOUBLE_CLICKED)
		m.double_click = 1;
	else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED))
		m.click = 1;
	else
		return;
	struct ui_screen *s = &ui->stack[ui->depth - 1];
	if (m.wheel) {
		for (int i = 0; i < 3; i++)
			s->ops->action(ui, s, m.wheel < 0 ? UI_A_UP : UI_A_DOWN);
	} else if (s->ops->mouse && m.y >= s->top && m.y < s->top + s->height)
		s->ops->mouse(ui, s, &m);
	ui->dirty = 1;
}

static void
handle_key(struct ui *ui, int key)
{
	if (key == (UI_KEYCODE | KEY_RESIZE)) {
		/* resizeterm() queues this itself: calling it again would loop. */
		getmaxyx(stdscr, ui->rows, ui->cols);
		ui_changed(ui);
		return;
	}
	if (key == (UI_KEYCODE | KEY_MOUSE)) {
		handle_mouse(ui);
		return;
	}
	if (ui->confirm.active) {
		ui->confirm.active = 0;
		ui->dirty = 1;
		if (key == 'y' || key == 'Y')
			ui->confirm.fn(ui, ui->confirm.ctx);
		else {
			/* The callback owns ctx; tell it no by not calling, and free. */
			free(ui->confirm.ctx);
			ui_message(ui, 0, "cancelled");
		}
		return;
	}
	if (ui->prompt.active) {
		ui_prompt_key(ui, key);
		return;
	}
	enum ui_action a = ui_keymap_lookup(&ui->keys, key);
	if (a == UI_A_NONE && key != 'N')
		return;
	/* The next action hides the last message (E still shows it whole). */
	if (a != UI_A_VIEW && ui->status_at) {
		ui->status_at = 0;
		ui->dirty = 1;
	}
	if (a == UI_A_QUIT) {
		/* A screen with unsaved edits asks first (its action takes QUIT);
		 * the others leave it to us. */
		for (int i = ui->depth - 1; i >= 0; i--)
			if (ui->stack[i].ops->action(ui, &ui->stack[i], a)) {
				ui->dirty = 1;
				return;
			}
		ui->quit = 1;
		return;
	}
	if (a == UI_A_REDRAW) {
		resize(ui);
		ui_changed(ui);
		return;
	}
	if (ui->rows < UI_MIN_ROWS || ui->cols < UI_MIN_COLS)
		return;
	struct ui_screen *s = &ui->stack[ui->depth - 1];
	if (ui_find_key(ui, s, key, a) || (a != UI_A_NONE && s->ops->action(ui, s, a))) {
		ui->dirty = 1;
		return;
	}
	switch (a) {
	case UI_A_BACK: ui_pop(ui); break;
	case UI_A_VIEW:
		if (ui->status[0])
			ui_pager_open(ui, "The last message", ui->status);
		break;
	case UI_A_HELP: ui_push(ui, &ui_help_ops, ui_help_new(ui)); break;
	case UI_A_TEMPLATES: ui_push(ui, &ui_templates_ops, ui_templates_new(ui)); break;
	case UI_A_ACCOUNTS: ui_push(ui, &ui_accounts_ops, ui_accounts_new(ui)); break;
	case UI_A_JOBS: ui_push(ui, &ui_jobs_ops, ui_jobs_new(ui)); break;
	default: break;
	}
}

static void
on_stdin(uv_poll_t *h, int status, int events)
{
	struct ui *ui = h->data;
	wint_t ch;
	int r, got = 0;
	if (status < 0) {
		ui->quit = 1;
		uv_stop(ui->loop);
		return;
	}
	while ((r = get_wch(&ch)) != ERR) {
		int64_t t0 = ui->timing ? now_us() : 0;
		int key = r == KEY_CODE_YES ? (int)(UI_KEYCODE | (int)ch) : (int)ch;
		if (key == '\r')
			key = '\n';
		if (key == (UI_KEYCODE | KEY_ENTER))
			key = '\n';
		handle_key(ui, key);
		got = 1;
		if (ui->quit)
			break;
		if (ui->timing) {
			draw(ui);
			fprintf(ui->timing, "key_us %lld\n", (long long)(now_us() - t0));
			fflush(ui->timing);
		}
	}
	/* A terminal that hung up stays "readable" with nothing to read:
	 * leave instead of spinning. */
	ui->empty_reads = got ? 0 : ui->empty_reads + 1;
	if (ui->empty_reads > 100)
		ui->quit = 1;
	if (ui->quit) {
		uv_stop(ui->loop);
		return;
	}
	if (got && ui->dirty)
		draw(ui);
}

static void
on_tick(uv_timer_t *t)
{
	struct ui *ui = t->data;
	if (ui->quit)
		return;
	int64_t v = store_data_version(ui->store);
	if (v != ui->data_version) {
		/* Another process committed: the screens re-read what they show. */
		ui->data_version = v;
		ui_changed(ui);
		ui_events_poll(ui);
	}
	if (ui->depth > 0 && ui->stack[ui->depth - 1].ops->tick)
		ui->stack[ui->depth - 1].ops->tick(ui, &ui->stack[ui->depth - 1]);
	int64_t ttl = ui->status_error ? UI_ERROR_MS : UI_MESSAGE_MS;
	if (ui->status[0] && time_mono_ms() - ui->status_at >= ttl &&
	    time_mono_ms() - ui->status_at < ttl + UI_TICK_MS)
		ui->dirty = 1;
	if (ui->dirty)
		draw(ui);
}

static void
on_winch(uv_signal_t *s, int signum)
{
	struct ui *ui = s->data;
	resize(ui);
	draw(ui);
}

static void
ensure_utf8_locale(void)
{
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	if (cs && strcmp(cs, "UTF-8") == 0)
		return;
	/* Titles are UTF-8 whatever the environment says. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "en_US.UTF-8");
}

static void
close_walk(uv_handle_t *h, void *arg)
{
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Collects what ui.keys left unbound for the message line ("; " between). */
static void
key_warning(void *ud, const char *msg)
{
	char *buf = ud;
	size_t o = strlen(buf);
	snprintf(buf + o, 512 - o, "%s%s", o ? "; " : "", msg);
}

/* Ties the app to the session's store and reads the key bindings. */
static int
ui_open(struct ui *ui, struct session *ses)
{
	struct zpub_err err = {0};

	ui->ses = ses;
	if (session_store(ses, &err) != 0) {
		fprintf(stderr, "zpub: %s\n", err.msg);
		return -1;
	}
	ui->store = ses->store;
	ui->tenant_id = ses->tenant_id;
	ui->data_version = store_data_version(ui->store);
	ui_events_start(ui);
	ssize_t n = readlink("/proc/self/exe", ui->exe, sizeof ui->exe - 1);
	if (n <= 0)
		snprintf(ui->exe, sizeof ui->exe, "zpub");
	else
		ui->exe[n] = '\0';
	char key_warn[512] = "";
	if (ui_keymap_load(&ui->keys, ses->config, key_warning, key_warn, &err) != 0)
		ui_message(ui, 1, "%s", err.msg);
	else if (key_warn[0])
		ui_message(ui, 1, "%s", key_warn);
	return 0;
}

/* Puts the terminal into curses mode: raw keys, colours, the mouse. */
static int
term_start(struct ui *ui)
{
	/* Log lines on stderr would scribble over the screen: the file has them. */
	log_set_stderr(0);
	ensure_utf8_locale();
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	if (initscr() == NULL) {
		fprintf(stderr, "zpub: cannot start the terminal (TERM=%s)\n",
		    getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	cbreak();
	raw();          /* ^S, ^Q, ^C reach us as keys */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	colours_init(ui);
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
	    | BUTTON5_PRESSED
#endif
	    , NULL);
	mouseinterval(200);
	getmaxyx(stdscr, ui->rows, ui->cols);
	return 0;
}

static void
loop_start(struct ui *ui)
{
	ui->loop = uv_default_loop();
	uv_poll_init(ui->loop, &ui->stdin_poll, STDIN_FILENO);
	ui->stdin_poll.data = ui;
	uv_poll_start(&ui->stdin_poll, UV_READABLE, on_stdin);
	uv_timer_init(ui->loop, &ui->tick);
	ui->tick.data = ui;
	uv_timer_start(&ui->tick, on_tick, UI_TICK_MS, UI_TICK_MS);
	uv_timer_init(ui->loop, &ui->defer);
	ui->defer.data = ui;
	uv_signal_init(ui->loop, &ui->winch);
	ui->winch.data = ui;
	uv_signal_start(&ui->winch, on_winch, SIGWINCH);
}

/*
 * Frees the screens, leaves curses, ends the children that should not
 * outlive the app and closes the loop; returns how many runs go on.
 */
static int
ui_close(struct ui *ui)
{
	int going = ui_children_running(ui, -1);
	uv_timer_stop(&ui->defer);
	ui->defer_fn = NULL;
	while (ui->depth > 0) {
		struct ui_screen *s = &ui->stack[--ui->depth];
		s->ops->free(s);
	}
	endwin();
	/* Runs are detached and finish on their own; a sign-in or a dry run
	 * nobody will look at any more ends here. */
	for (int i = 0; i < UI_MAX_CHILDREN; i++)
		if (ui->children[i].in_use && ui->children[i].proc_open &&
		    ui->children[i].kill_on_quit) {
			uv_process_kill(&ui->children[i].proc, SIGTERM);
			going--;
		}
	for (int i = 0; i < UI_MAX_CHILDREN; i++)
		if (ui->children[i].in_use) {
			char *p = ui_child_log_path(ui, &ui->children[i]);
			unlink(p);
			free(p);
		}
	for (int i = 0; i < UI_MAX_CHILDREN; i++) {
		free(ui->children[i].output);
		free(ui->children[i].on_exit_ctx);   /* its child goes on alone */
	}
	uv_walk(ui->loop, close_walk, NULL);
	uv_run(ui->loop, UV_RUN_DEFAULT);
	uv_loop_close(ui->loop);
	return going;
}

int
ui_run(struct session *ses)
{
	struct ui *ui = xcalloc(1, sizeof *ui);
	int rc = 1;
	ui->t_start_us = now_us();
	const char *tf = getenv("ZPUB_UI_TIMING");
	if (tf && *tf)
		ui->timing = fopen(tf, "a");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "zpub: the terminal app needs a terminal; for scripts run"
		    " 'zpub help' for the commands\n");
		goto out;
	}
	if (ui_open(ui, ses) != 0 || term_start(ui) != 0)
		goto out;
	loop_start(ui);
	ui_push(ui, &ui_browser_ops, ui_browser_new(ui));
	draw(ui);
	uv_run(ui->loop, UV_RUN_DEFAULT);

	int going = ui_close(ui);
	if (going)
		printf("zpub: %d run%s on in the background; watch with 'zpub status', the"
		    " daemon's log, or by opening zpub again\n", going, going == 1 ? " goes" :
		    "s go");
	rc = 0;
out:
	if (ui->timing)
		fclose(ui->timing);
	free(ui);
	return rc;
}
