/*
 * events.c — the notification events (ready, failed, review_pending,
 * reauth_needed, quota_reached) of the app's tenant in the status line as
 * they happen: read from the store's outbox whenever another process
 * commits, whether or not a webhook or an e-mail delivers them (a run the
 * app started itself reports its own end instead).  Titles
 * and reasons come from outside and are escaped before they are shown.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "store_notify.h"
#include "ui.h"
#include "util.h"

#define UI_EVENTS_MAX 8
#define UI_CHILD_SAYS_MS 5000

/* One event as a short sentence; 1 when it asks for attention. */
static int
event_text(const struct store_notify_seen *e, char *out, size_t n)
{
	static const struct { const char *event, *label; int attention; } ev[] = {
		{ "ready", "Ready", 0 },
		{ "failed", "Failed", 1 },
		{ "review_pending", "Waits for review", 0 },
		{ "reauth_needed", "Sign in again", 1 },
		{ "quota_reached", "Quota reached", 1 },
	};
	const char *label = e->event;
	int attention = 0;
	for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
		if (strcmp(ev[i].event, e->event) == 0) {
			label = ev[i].label;
			attention = ev[i].attention;
		}
	size_t o;
	if (e->recording_id > 0)
		o = (size_t)snprintf(out, n, "%s: '%.120s' (#%lld)", term_safe(label),
		    term_safe(e->title ? e->title : ""), (long long)e->recording_id);
	else
		o = (size_t)snprintf(out, n, "%s", term_safe(label));
	if (e->reason && *e->reason && o < n)
		snprintf(out + o, n - o, ": %.160s", term_safe(e->reason));
	return attention;
}

/* Whether this app runs recording rec_id, or ran it a moment ago: that
 * run's own end says what happened, in the words of the command. */
static int
ran_here(struct ui *ui, int64_t rec_id)
{
	for (int i = 0; i < UI_MAX_CHILDREN; i++) {
		const struct ui_child *c = &ui->children[i];
		if (rec_id > 0 && c->rec_id == rec_id && (c->in_use ||
		    time_mono_ms() - c->ended_ms < UI_CHILD_SAYS_MS))
			return 1;
	}
	return 0;
}

void
ui_events_start(struct ui *ui)
{
	struct zpub_err err;
	if (store_notify_last_row(ui->store, &ui->event_row, &err) != 0)
		ui->event_row = INT64_MAX;    /* no outbox to read: tell nothing */
}

void
ui_events_poll(struct ui *ui)
{
	struct store_notify_seen *ev = NULL;
	struct zpub_err err;
	int n = 0, attention = 0;
	char line[sizeof ui->status] = "";

	if (ui->event_row == INT64_MAX || store_notify_since(ui->store, ui->tenant_id,
	    ui->event_row, UI_EVENTS_MAX, &ev, &n, &err) != 0 || n == 0) {
		store_notify_seen_free(ev, n);
		return;
	}
	/* newest first: the line may be too short for all of them */
	for (int i = n - 1; i >= 0; i--) {
		char one[384];
		size_t o = strlen(line);
		if (ran_here(ui, ev[i].recording_id))
			continue;
		attention |= event_text(&ev[i], one, sizeof one);
		snprintf(line + o, sizeof line - o, "%s%s", o ? "; " : "", one);
	}
	ui->event_row = ev[n - 1].row;
	store_notify_seen_free(ev, n);
	if (line[0])
		ui_message(ui, attention, "%s", line);
}
