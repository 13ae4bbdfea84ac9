/*
 * topics_edit.h — the editing operations of the topic editor on a struct
 * topics (ai.h), kept free of curses so they are unit-tested: nudging a
 * time keeps the list ordered and follows the moved topic, inserting picks
 * a free time, the check names the topic that breaks a rule, and the diff
 * lists what changed between two versions.
 */
#ifndef ZPUB_UI_TOPICS_EDIT_H
#define ZPUB_UI_TOPICS_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "ai.h"

/* Moves topic sel by delta_ms, clamped to [0, duration_ms - 1 s] (no upper
 * bound when duration_ms <= 0), re-sorts and returns the topic's new index. */
int ui_topics_nudge(struct topics *t, int sel, int64_t delta_ms, int64_t duration_ms);
/* Sets topic sel's time (clamped likewise); returns its new index. */
int ui_topics_set_time(struct topics *t, int sel, int64_t ms, int64_t duration_ms);
/* Inserts a topic after sel (or first when the list is empty) half-way to
 * the next one (or to the end); returns its index, -1 when there is no room. */
int ui_topics_insert(struct topics *t, int sel, int64_t duration_ms, const char *title);
/* Removes topic sel; returns the index to select next (-1 when empty). */
int ui_topics_remove(struct topics *t, int sel);
int ui_topics_set_title(struct topics *t, int sel, const char *title);
void ui_topics_toggle_level(struct topics *t, int sel);

/* Live validation: 0 when the list is valid (topics_validate) and makes a
 * YouTube chapter list (desc_chapters); otherwise -1 with msg filled and
 * *bad set to the offending topic (or -1).  A chapter-list warning with a
 * valid list returns 1 (msg filled). */
int ui_topics_check(const struct topics *t, int64_t duration_ms, const char *language,
    char *msg, size_t msgsz, int *bad);

/* What changed from one topic list to another, a line per change ordered by
 * time ("" when nothing did; *nlines, may be NULL, gets the count):
 *   + 0:20:00  Title                 added
 *   - 0:30:00  Title                 removed
 *   ~ 0:15:00 → 0:16:30  Title       moved (the same title at another time)
 *   ~ 0:45:00  Old → New             retitled (another title at the same time)
 * with " (main → detail)" when the level changed too.  Topics pair by title
 * and time, then by title, then by time.  Returns a malloc'd string. */
char *ui_topics_diff(const struct topics *from, const struct topics *to, int *nlines);

#endif
