/*
 * ui.h — what the terminal app's files share: the loop context (struct
 * ui, the only long-lived state), the screen interface, the action table
 * and the drawing helpers that app.c provides.
 *
 * A screen is a state with a draw function (reads state, draws, changes
 * nothing), an action handler (keys arrive already translated into actions
 * through the one table below), and a reload function called when the
 * store changed (another process committed, or we did).
 */
#ifndef ZPUB_UI_H
#define ZPUB_UI_H

#include <stdint.h>
#include <uv.h>
#include <wchar.h>

#include "config_schema.h"
#include "err.h"

struct session;
struct store;

/* X(ENUM, "name in ui.keys", "default keys", "help", group)
 * The one list: it makes the enum, the names the config uses, the default
 * bindings and the help screen.  Key names: a character, ^X, enter, esc,
 * tab, space, up, down, left, right, ppage, npage, home, end, dc (delete),
 * ic (insert), bs, f1..f12. */
#define UI_ACTIONS(X) \
	X(UP, "up", "up k", "move up", "Move") \
	X(DOWN, "down", "down j", "move down", "Move") \
	X(PAGE_UP, "page_up", "ppage ^b", "page up", "Move") \
	X(PAGE_DOWN, "page_down", "npage ^f", "page down", "Move") \
	X(TOP, "top", "home g", "first row", "Move") \
	X(BOTTOM, "bottom", "end G", "last row", "Move") \
	X(OPEN, "open", "enter l right", "open / edit the selected item", "Move") \
	X(BACK, "back", "q esc left h", "go back", "Move") \
	X(QUIT, "quit", "Q", "quit zpub", "Move") \
	X(HELP, "help", "? f1", "this help", "Move") \
	X(REDRAW, "redraw", "^l", "redraw the screen", "Move") \
	X(SEARCH, "search", "/", "search: titles in the browser, lines elsewhere (n/N step)", "Move") \
	X(VIEW, "view", "E", "expand: the selected line or the last message in full", "Move") \
	X(FILTER, "filter", "f", "filter by status: pick or type (Tab completes)", "Recordings") \
	X(SORT, "sort", "o", "sort by date, title, duration, status, id", "Recordings") \
	X(REVERSE, "reverse", "O", "reverse the order", "Recordings") \
	X(SELECT, "select", "space", "mark / unmark for a batch action", "Recordings") \
	X(SELECT_ALL, "select_all", "*", "mark all rows on screen / clear marks", "Recordings") \
	X(REVIEW, "review", "v", "recordings waiting for review / all", "Recordings") \
	X(RUN, "run", "r", "run to the end (READY)", "Actions") \
	X(RUN_NEXT, "run_next", "n", "run the next stage", "Actions") \
	X(RETRY, "retry", "R", "retry a FAILED recording", "Actions") \
	X(SKIP, "skip", "s", "skip / un-skip", "Actions") \
	X(PUBLISH, "publish", "p", "publish (run the publish stage)", "Actions") \
	X(DELETE, "delete", "D dc", "delete (asks first)", "Actions") \
	X(STOP, "stop", "z", "stop the running stage (asks first)", "Actions") \
	X(TOPICS, "topics", "t", "topic and timecode editor", "Actions") \
	X(SUBTITLES, "subtitles", "S", "subtitle text editor", "Actions") \
	X(TRANSCRIPT, "transcript", "W", "transcript: timed segments (/ finds, P plays)", "Actions") \
	X(FOLDER, "folder", "F", "open the output folder", "Actions") \
	X(APPROVE, "approve", "a", "approve the topics for publishing (asks)", "Actions") \
	X(PLAY, "play", "P", "play the cut video from here (ui.player)", "Actions") \
	X(TIMELINE, "timeline", "L", "cut timeline: kept and removed stretches", "Actions") \
	X(THUMBNAILS, "thumbnails", "I", "thumbnails: choose the published one", "Actions") \
	X(EDIT, "edit", "e", "edit the title (a cue: its text)", "Topics") \
	X(NUDGE_BACK, "nudge_back", "-", "time -1 s (a cue: -100 ms)", "Topics") \
	X(NUDGE_FWD, "nudge_fwd", "+ =", "time +1 s (a cue: +100 ms)", "Topics") \
	X(NUDGE_BACK10, "nudge_back10", "[ <", "time -10 s (a cue: -1 s)", "Topics") \
	X(NUDGE_FWD10, "nudge_fwd10", "] >", "time +10 s (a cue: +1 s)", "Topics") \
	X(SET_TIME, "set_time", "T", "type a time (a cue: H:MM:SS.mmm)", "Topics") \
	X(INSERT, "insert", "i ic", "insert a topic after this one", "Topics") \
	X(REMOVE, "remove", "d", "remove this topic", "Topics") \
	X(LEVEL, "level", "tab", "main / detail (a cue: time its start / end)", "Topics") \
	X(SAVE, "save", "w ^s", "save as a new version", "Topics") \
	X(CHANGES, "changes", "C", "what changed since the previous version", "Topics") \
	X(UNDO, "undo", "u", "undo an edit (topics, subtitles; while the editor is open)", "Editing") \
	X(REDO, "redo", "U ^r", "redo what was undone", "Editing") \
	X(SPLIT, "split", "b", "split the cue at the cursor in its text", "Editing") \
	X(MERGE, "merge", "m", "merge the cue with the next one", "Editing") \
	X(CUT_KEEP, "keep", "K", "keep (restore) this stretch (asks)", "Timeline") \
	X(CUT_REMOVE, "cut", "X", "remove this stretch (asks)", "Timeline") \
	X(TEMPLATES, "templates", "M", "templates", "Screens") \
	X(ACCOUNTS, "accounts", "A", "accounts and API keys", "Screens") \
	X(JOBS, "jobs", "J", "jobs and usage", "Screens") \
	X(NEW, "new", "c", "create (import a file, template, key)", "Screens") \
	X(TEST, "test", "x", "test: which recordings a template matches", "Screens")

enum ui_action {
	UI_A_NONE = 0,
#define X(e, name, keys, help, group) UI_A_##e,
	UI_ACTIONS(X)
#undef X
	UI_A__COUNT
};

/* A key: a character (its code point) or a curses key code | UI_KEYCODE. */
#define UI_KEYCODE 0x40000000
#define UI_MAX_BINDINGS 160

struct ui_binding {
	int key;
	enum ui_action action;
};

struct ui_keymap {
	struct ui_binding b[UI_MAX_BINDINGS];
	int n;
};

const char *ui_action_name(enum ui_action a);
const char *ui_action_help(enum ui_action a);
const char *ui_action_group(enum ui_action a);
/* Parses one key name ("^x", "enter", "k"); 0 when unknown. */
int ui_key_parse(const char *name);
/* A key's display name into out. */
void ui_key_name(int key, char *out, size_t outsz);
/* Defaults, then config "ui.keys": {"action": "key key", ...}.  The keys
 * named are added to the action's defaults; "=key key" replaces its
 * defaults instead ("=" alone leaves it without keys).  A key named for
 * one action is taken from whatever action had it by default; warn (may
 * be NULL) gets a sentence for each action that was left with no key.  An
 * unknown action or key name, or a key given to two actions, is reported
 * in err (the rest still applies). */
int ui_keymap_load(struct ui_keymap *km, const void *config_json, zs_warn_fn warn, void *ud,
    struct zpub_err *err);
/* The same check on a ui.keys object, for `zpub config set` (see
 * zs_register_section). */
int ui_keys_check(const cJSON *section, struct zpub_err *err, zs_warn_fn warn, void *ud);
enum ui_action ui_keymap_lookup(const struct ui_keymap *km, int key);
/* Keys bound to a; "k/up" style into out. */
void ui_keymap_keys(const struct ui_keymap *km, enum ui_action a, char *out, size_t outsz);

/* ---- screens ---- */
struct ui;
struct ui_screen;

struct ui_mouse {
	int y, x;
	int click, double_click, wheel;  /* wheel: -1 up, +1 down */
};

struct ui_screen_ops {
	const char *name;
	/* Optional, for `/` find (find.c): the number of lines, line i's
	 * text (buf may hold it), the selected line, selecting line i. */
	int (*find_count)(struct ui_screen *s);
	const char *(*find_text)(struct ui_screen *s, int i, char *buf, size_t bufsz);
	int (*find_cur)(struct ui_screen *s);
	void (*find_goto)(struct ui *ui, struct ui_screen *s, int i);
	/* Draws inside rows [top, top+height) of the terminal. */
	void (*draw)(struct ui *ui, struct ui_screen *s, int top, int height);
	/* Returns 1 when the action was handled. */
	int (*action)(struct ui *ui, struct ui_screen *s, enum ui_action a);
	/* The store changed: re-read what is shown. */
	void (*reload)(struct ui *ui, struct ui_screen *s);
	void (*mouse)(struct ui *ui, struct ui_screen *s, const struct ui_mouse *m);
	void (*free)(struct ui_screen *s);
	/* Optional: called on every loop tick (~4 per second) for the top
	 * screen, for what is not in the store (a child's output). */
	void (*tick)(struct ui *ui, struct ui_screen *s);
	/* The hint bar: actions worth showing on this screen. */
	const enum ui_action *hints;
};

/* A screen's find: what was typed, and the line it started from. */
struct ui_find {
	char text[256];
	int from;
};

struct ui_screen {
	const struct ui_screen_ops *ops;
	void *st;
	int top, height;            /* where it was last drawn (for mouse) */
	struct ui_find find;
};

#define UI_MAX_SCREENS 8

/* Colour roles; each has a monochrome fallback. */
enum ui_role {
	UI_R_NORMAL, UI_R_BAR, UI_R_HEADER, UI_R_CURSOR, UI_R_MARK, UI_R_OK, UI_R_RUN,
	UI_R_FAIL, UI_R_DIM, UI_R_WARN, UI_R_PROGRESS, UI_R_KEY, UI_R__COUNT
};

typedef void (*ui_prompt_fn)(struct ui *ui, void *ctx, const char *text, int done);
/* Tab in a prompt: text (UTF-8, room for textsz) is completed in place. */
typedef void (*ui_complete_fn)(struct ui *ui, void *ctx, char *text, size_t textsz);
typedef void (*ui_confirm_fn)(struct ui *ui, void *ctx);

struct ui_prompt {
	int active;
	int masked;
	char label[256];
	wchar_t buf[512];
	int len, pos;
	ui_prompt_fn fn;            /* called on every change (done 0), Enter (1), Esc (-1);
	                             * pos still says where the cursor was when done */
	ui_complete_fn complete;    /* Tab; NULL = none */
	void *ctx;
};

struct ui_confirm {
	int active;
	char question[256];
	ui_confirm_fn fn;
	void *ctx;
};

/* A `zpub run` child working for us. */
struct ui_child {
	uv_process_t proc;
	uv_pipe_t err_pipe;
	struct ui *ui;
	int64_t rec_id;
	char *output;               /* all it printed, kept after it ends */
	int in_use, proc_open;
	int kill_on_quit;           /* sign-ins and previews end with the TUI */
	int64_t ended_ms;           /* time_mono_ms() of its end; 0 while it runs */
	char what[32];
	/* Optional: told when it ended (ok: exit 0), output read.  on_exit_ctx
	 * is malloc'd and the slot's: freed after on_exit ran, or when the app
	 * closes before the child ends. */
	void (*on_exit)(struct ui *ui, struct ui_child *c, int ok);
	void *on_exit_ctx;
};
#define UI_MAX_CHILDREN 16

/* The loop context: everything the loop owns, passed by pointer. */
struct ui {
	uv_loop_t *loop;
	uv_poll_t stdin_poll;
	uv_timer_t tick;
	uv_signal_t winch;
	uv_timer_t defer;           /* one deferred call (search while typing) */
	void (*defer_fn)(struct ui *ui, void *ctx);
	void *defer_ctx;
	struct session *ses;
	struct store *store;
	int64_t tenant_id;
	int64_t data_version;
	int64_t event_row;          /* the newest notification event shown */
	char exe[1024];
	int rows, cols;
	int color;
	int attrs[UI_R__COUNT];
	struct ui_keymap keys;
	struct ui_screen stack[UI_MAX_SCREENS];
	int depth;
	struct ui_prompt prompt;
	struct ui_confirm confirm;
	struct ui_child children[UI_MAX_CHILDREN];
	uv_process_t *last_spawned;
	char status[512];
	int status_error;
	int64_t status_at;
	int quit;
	int empty_reads;            /* readable stdin with no key, in a row */
	int dirty;                  /* redraw wanted */
	int changed;                /* the store changed: reload screens */
	/* Timings for bench/tui (ZPUB_UI_TIMING=file). */
	FILE *timing;
	int64_t t_start_us;
	int first_frame_done;
};

/* ---- app.c: what screens call ---- */
int ui_run(struct session *ses);
void ui_push(struct ui *ui, const struct ui_screen_ops *ops, void *st);
void ui_pop(struct ui *ui);
void ui_redraw(struct ui *ui);
/* The store changed because of us: reload every screen before drawing. */
void ui_changed(struct ui *ui);
void ui_message(struct ui *ui, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ui_prompt(struct ui *ui, const char *label, const char *initial, int masked,
    ui_prompt_fn fn, void *ctx);
void ui_confirm(struct ui *ui, const char *question, ui_confirm_fn fn, void *ctx);
/* A confirm callback that quits zpub (for "discard and quit?"). */
void ui_quit_yes(struct ui *ui, void *ctx);
/* Calls fn(ui, ctx) after ms unless called again first (the previous
 * call is dropped): typing runs one search when the typing pauses. */
void ui_defer(struct ui *ui, int ms, void (*fn)(struct ui *ui, void *ctx), void *ctx);
/* Gives the open prompt a Tab completion. */
void ui_prompt_completion(struct ui *ui, ui_complete_fn fn);
/* prompt.c: the editing line's keys and its text (UTF-8). */
void ui_prompt_key(struct ui *ui, int key);
void ui_prompt_text(const struct ui_prompt *p, char *out, size_t outsz);
/* children.c: where a child's output goes (malloc'd path). */
char *ui_child_log_path(struct ui *ui, struct ui_child *c);
/* Runs `zpub run ID [--until STATUS]` as a child process. */
int ui_spawn_run(struct ui *ui, int64_t rec_id, const char *until);
/* Runs `zpub [--data-dir D] --tenant T args...` (args NULL-terminated) as
 * a child that ends with the TUI (a sign-in, a dry run); returns its slot
 * (for ui_child_output) or -1.  Runs of stages (ui_spawn_run) go on. */
int ui_spawn_cmd(struct ui *ui, const char *const *args, int64_t rec_id, const char *what);
/* What the child in slot has printed so far, or all it printed once it
 * ended (until the slot is reused): malloc'd, NULL if nothing. */
char *ui_child_output(struct ui *ui, int slot);
/* Number of children still running for a recording (0 = none; -1 any). */
int ui_children_running(struct ui *ui, int64_t rec_id);

/* Drawing: a UTF-8 string clipped (with "…") and padded to width columns. */
void ui_put(struct ui *ui, int y, int x, int width, int role_attr, const char *s);
int ui_attr(struct ui *ui, enum ui_role r);
/* Role of a status (READY ok, running ones run, FAILED fail, ...). */
enum ui_role ui_status_role(int status);
/* The merged config (defaults <- user file). */
const void *ui_config(struct ui *ui);
/* The person at the terminal, as the engine's writes take them (who is
 * filled and returned), and as a journal line names them ("tui:alice"). */
struct actor;
const struct actor *ui_who(struct ui *ui, struct actor *who);
const char *ui_actor(struct ui *ui);

/* ---- the screens ---- */
void *ui_browser_new(struct ui *ui);
extern const struct ui_screen_ops ui_browser_ops;
void *ui_detail_new(struct ui *ui, int64_t rec_id);
extern const struct ui_screen_ops ui_detail_ops;
void *ui_topics_new(struct ui *ui, int64_t rec_id);
extern const struct ui_screen_ops ui_topics_ops;
void *ui_subtitles_new(struct ui *ui, int64_t rec_id);
extern const struct ui_screen_ops ui_subtitles_ops;
void *ui_help_new(struct ui *ui);
extern const struct ui_screen_ops ui_help_ops;
void *ui_accounts_new(struct ui *ui);
extern const struct ui_screen_ops ui_accounts_ops;
void *ui_templates_new(struct ui *ui);
extern const struct ui_screen_ops ui_templates_ops;
void *ui_jobs_new(struct ui *ui);
extern const struct ui_screen_ops ui_jobs_ops;
void *ui_timeline_new(struct ui *ui, int64_t rec_id);
extern const struct ui_screen_ops ui_timeline_ops;
void *ui_thumbs_new(struct ui *ui, int64_t rec_id);
extern const struct ui_screen_ops ui_thumbs_ops;
/* NULL with a message when the recording has no transcript yet. */
void *ui_transcript_new(struct ui *ui, int64_t rec_id);
extern const struct ui_screen_ops ui_transcript_ops;

/* Shared by screens that act on recordings (browser, detail). */
int ui_rec_action(struct ui *ui, enum ui_action a, const int64_t *ids, int n);
/* desk.c: asks "Approve topic version N of #ID 'title'?" and on y approves
 * that version through the engine (edit.h), which lets a recording held
 * for review go. */
void ui_approve_ask(struct ui *ui, int64_t rec_id);
/* desk.c: approves topic version version of rec_id (the one the person
 * saw: refused when a newer one was saved meanwhile) and says so; 0 when
 * it was approved. */
int ui_approve(struct ui *ui, int64_t rec_id, int version);
/* desk.c: plays the recording's cut video from at_ms in the user's player
 * (config ui.player), detached; a problem is a message. */
void ui_play(struct ui *ui, int64_t rec_id, int64_t at_ms);
/* find.c: `/`, n, N and Esc on a screen with find_* ops; 1 when taken. */
int ui_find_key(struct ui *ui, struct ui_screen *s, int key, enum ui_action a);
/* pager.c: a screen with text wrapped to the width, scrolled (a copy). */
void ui_pager_open(struct ui *ui, const char *title, const char *text);
/* pager.c: text wrapped at spaces to width columns; fn (may be NULL) gets
 * each screen line k (n bytes at s, not terminated) until it returns
 * nonzero.  Returns the number of lines walked. */
int ui_wrap(const char *text, int width,
    int (*fn)(void *ctx, int k, const char *s, size_t n), void *ctx);
/* import.c: asks for a file (Tab completes directories and media files)
 * and imports it in a child `zpub import`; done(ui, ctx, id) when in. */
void ui_import_ask(struct ui *ui, void (*done)(struct ui *ui, void *ctx, int64_t id),
    void *ctx);
/* Scrolling a list: keeps cur inside [0,n) and visible in a window of h. */
void ui_list_move(enum ui_action a, int n, int h, int *cur, int *top);

/* ---- events.c: notification events in the status line ---- */
void ui_events_start(struct ui *ui);    /* from the newest event on */
void ui_events_poll(struct ui *ui);     /* after another process's commit */

#endif
