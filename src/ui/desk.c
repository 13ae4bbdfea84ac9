/*
 * desk.c — the editor's desk actions more than one screen offers: approving
 * a recording's topics after a y/N question (the engine's edit_topics_approve
 * does the write and lifts a review hold), and playing the cut video from a
 * timecode in the user's player, detached, so the app goes on at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "edit.h"
#include "player.h"
#include "store.h"
#include "store_ui.h"
#include "fmt.h"
#include "ui.h"
#include "util.h"

struct approval {
	int64_t id;
	int version;                /* the version the question named */
};

int
ui_approve(struct ui *ui, int64_t rec_id, int version)
{
	struct zpub_err err;
	struct actor who;
	struct store_topic_version tv;
	struct store_recording *r = NULL;
	int held = 0, rc;

	memset(&tv, 0, sizeof tv);
	if (store_recording_get(ui->store, rec_id, &r, &err) == 0)
		held = r->review_hold;
	store_recording_free(r);
	/* Approve only what the person saw: a version saved meanwhile (another
	 * editor, the API) has not been looked at. */
	if (store_topic_version_latest(ui->store, rec_id, 0, &tv, &err) == 0 &&
	    tv.version != version) {
		ui_message(ui, 1, "#%lld has a newer topic version %d (saved meanwhile): look at it,"
		    " then approve again", (long long)rec_id, tv.version);
		rc = ZPUB_EBUSY;
	} else if ((rc = edit_topics_approve(ui->store, ui_who(ui, &who), rec_id, version,
	    &err)) != 0)
		ui_message(ui, 1, "%s", err.msg);
	else {
		if (held)
			ui_message(ui, 0, "#%lld topic version %d approved; it left the review queue"
			    " (r runs it to READY)", (long long)rec_id, version);
		else
			ui_message(ui, 0, "#%lld topic version %d approved for publishing",
			    (long long)rec_id, version);
		ui_changed(ui);
	}
	store_topic_version_clear(&tv);
	return rc;
}

static void
approve_yes(struct ui *ui, void *ctx)
{
	struct approval *ap = ctx;
	ui_approve(ui, ap->id, ap->version);
	free(ap);
}

void
ui_approve_ask(struct ui *ui, int64_t rec_id)
{
	struct zpub_err err;
	struct store_recording *r = NULL;
	struct store_topic_version tv;
	char q[400], title[160];

	memset(&tv, 0, sizeof tv);
	int rc = store_recording_get(ui->store, rec_id, &r, &err);
	if (rc == 0 && (rc = store_topic_version_latest(ui->store, rec_id, 0, &tv, &err)) ==
	    ZPUB_ENOTFOUND)
		ui_message(ui, 1, "#%lld has no topics to approve yet: run it to TRANSCRIBED first",
		    (long long)rec_id);
	else if (rc != 0)
		ui_message(ui, 1, "%s", err.msg);
	else if (tv.approved_by && !r->review_hold)
		ui_message(ui, 0, "#%lld topic version %d is already approved (by %s)",
		    (long long)rec_id, tv.version, tv.approved_by);
	else {
		struct approval *ap = xcalloc(1, sizeof *ap);
		ap->id = rec_id;
		ap->version = tv.version;
		ui_text_fit(r->title, 36, 1, title, sizeof title);    /* "(y/N)" stays on screen */
		snprintf(q, sizeof q, "Approve topic version %d of #%lld '%s'? (y/N)", tv.version,
		    (long long)rec_id, title);
		ui_confirm(ui, q, approve_yes, ap);
	}
	store_topic_version_clear(&tv);
	store_recording_free(r);
}

void
ui_play(struct ui *ui, int64_t rec_id, int64_t at_ms)
{
	struct zpub_err err;
	char *path = NULL, **argv = NULL, at[16];
	int rc = store_ui_artifact_path(ui->store, rec_id, "cut_video", &path, &err);

	if (rc == ZPUB_ENOTFOUND) {
		ui_message(ui, 1, "#%lld has no cut video yet: run it to PROCESSED first (n runs the"
		    " next stage)", (long long)rec_id);
		return;
	}
	if (rc == 0)
		rc = player_argv(config_str(ui_config(ui), "ui.player", NULL), path,
		    (double)at_ms / 1000.0, &argv, &err);
	if (rc == 0)
		rc = player_start(argv, &err);
	if (rc != 0)
		ui_message(ui, 1, "%s", err.msg);
	else {
		const char *prog = strrchr(argv[0], '/');
		ui_fmt_clock(at_ms, 0, at);
		ui_message(ui, 0, "playing #%lld from %s in %s", (long long)rec_id, at,
		    prog ? prog + 1 : argv[0]);
	}
	player_argv_free(argv);
	free(path);
}
