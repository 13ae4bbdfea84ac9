/*
 * store_ui.h — the queries the terminal app needs beyond store.h: one page
 * of recordings in a chosen order with a status filter (or the review
 * queue) and a case-insensitive search that folds Cyrillic as well as
 * Latin, re-reading just the rows on screen, and the newest artefact of a kind.  Everything
 * here reads only what is visible, so 100,000 recordings stay instant.
 */
#ifndef ZPUB_STORE_UI_H
#define ZPUB_STORE_UI_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "status.h"

struct store;

/* Folds UTF-8 for searching as text_fold(TEXT_FOLD_SEARCH) does: case
 * folded for Latin, Greek and Cyrillic, Ё/ё to е.  Returns a malloc'd string. */
char *store_ui_fold(const char *s);

#define STORE_UI_SORTS(X) \
	X(DATE, "date") X(TITLE, "title") X(DURATION, "duration") X(STATUS, "status") \
	X(ID, "id")

enum store_ui_sort {
#define X(e, name) STORE_UI_SORT_##e,
	STORE_UI_SORTS(X)
#undef X
	STORE_UI_SORT__COUNT
};
const char *store_ui_sort_name(enum store_ui_sort s);

/* The review queue as a status filter: TRANSCRIBED and held for a
 * person's approval (review.h). */
#define STORE_UI_HELD (-2)
/* Groups of statuses: on their way (INITIALIZED up to UPLOADING), and set
 * aside (SKIPPED, EXPIRED). */
#define STORE_UI_ACTIVE (-3)
#define STORE_UI_SET_ASIDE (-4)

struct store_ui_query {
	int64_t tenant_id;        /* one tenant, or STORE_ALL_TENANTS */
	int status;               /* -1 = any; STORE_UI_HELD = the review queue */
	const char *search;       /* substring of the title (folded), or NULL */
	enum store_ui_sort sort;
	int descending;
	int limit, offset;
};

/* One line of the browser: only what it shows. */
struct store_ui_row {
	int64_t id;
	enum rec_status status;
	int64_t started_at, duration_ms, updated_at;
	char *title;
	char *source;             /* "local", "zoom", "watch" */
	char *detail;
	double progress;          /* -1 when none */
	char *progress_what;
	int64_t progress_eta_ms;  /* 0 when unknown */
	char *lease_owner;
	int64_t lease_until;
	int review_hold;          /* waits for a person's approval (review.h) */
};

int store_ui_rows(struct store *st, const struct store_ui_query *q,
    struct store_ui_row **out, int *n, struct zpub_err *err);
int store_ui_count(struct store *st, const struct store_ui_query *q, int64_t *n,
    struct zpub_err *err);
/* Re-reads the given rows in place (by id); rows that are gone get
 * status -1 cast and an empty title, so the caller reloads the page. */
int store_ui_rows_refresh(struct store *st, struct store_ui_row *rows, int n,
    int *gone, struct zpub_err *err);
void store_ui_rows_free(struct store_ui_row *v, int n);

/* Path (absolute, malloc'd) of the newest artefact of kind; ZPUB_ENOTFOUND. */
int store_ui_artifact_path(struct store *st, int64_t rec_id, const char *kind, char **path,
    struct zpub_err *err);

/* After a file was rewritten in place (an edit in the TUI): the artefact
 * rows of the recording with this path get its new size and checksum. */
int store_ui_artifact_rewritten(struct store *st, int64_t rec_id, const char *path,
    int64_t bytes, const char *sha256, struct zpub_err *err);

#endif
