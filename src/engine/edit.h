/*
 * edit.h — the changes a person makes through any face: saving or
 * deleting a template, saving or approving a topic version, setting or
 * deleting a secret.  Each function checks the input, makes the change
 * in the actor's tenant and writes the audit row, so the command line,
 * the terminal app and the API only parse input and show the result.
 */
#ifndef ZPUB_EDIT_H
#define ZPUB_EDIT_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>

#include "audit.h"
#include "err.h"

struct store;
struct store_recording;
struct store_template;
struct topics;
struct vault;

/* Saves a template of who's tenant.  With id > 0 or a name, changes that
 * template (ZPUB_ENOTFOUND when the tenant has none); with neither, makes
 * a new one, which fields must name.  fields is a JSON object in the shape
 * tpl_to_json() writes; those left out keep their value (a new template:
 * enabled, priority 0, empty objects).  Unknown fields, bad rules and
 * settings a tenant may not choose are ZPUB_EINVAL; a name another
 * template of the tenant has is ZPUB_EBUSY.  Audits template.add or
 * template.edit.  saved (may be NULL) gets the template as stored; clear
 * it with store_template_clear(). */
int edit_template_save(struct store *st, const struct actor *who, int64_t id,
    const char *name, const cJSON *fields, struct store_template *saved,
    struct zpub_err *err);

/* Deletes the template with id (> 0) or name of who's tenant; audits
 * template.delete. */
int edit_template_delete(struct store *st, const struct actor *who, int64_t id,
    const char *name, struct zpub_err *err);

/* The length of the video the chapters go on: the cut video's when the
 * process stage made one (the topics live on its timeline), else the
 * recording's.  Checking against the source's would pass a chapter past
 * the end of the published video. */
int64_t edit_topics_video_ms(struct store *st, const struct store_recording *r);

/* Saves t as the newest topic version of recording rec_id of who's
 * tenant (source "editor"), after topics_validate() against the video's
 * length ("not saved: ..." when it fails).  *version gets its number.
 * Journals and audits topics.save. */
int edit_topics_save(struct store *st, const struct actor *who, int64_t rec_id,
    const struct topics *t, int *version, struct zpub_err *err);

/* Approves topic version version of recording rec_id for publishing, by
 * who; audits topics.approve. */
int edit_topics_approve(struct store *st, const struct actor *who, int64_t rec_id,
    int version, struct zpub_err *err);

/* The newest topic version of recording rec_id as chapter lines
 * (chapters_format); *version its number.  ZPUB_ENOTFOUND with a sentence
 * when it has none. */
int edit_chapters_get(struct store *st, const struct actor *who, int64_t rec_id, char **text,
    int *version, struct zpub_err *err);
/* Reads chapter lines (chapters_parse, against the cut video's length) and
 * saves them as the newest version; on any problem nothing is saved and
 * err has every problem a line.  *count gets the number of chapters. */
int edit_chapters_save(struct store *st, const struct actor *who, int64_t rec_id,
    const char *text, int *version, size_t *count, struct zpub_err *err);
/* Approves the newest topic version (edit_topics_approve); *version gets
 * its number. */
int edit_topics_approve_newest(struct store *st, const struct actor *who, int64_t rec_id,
    int *version, struct zpub_err *err);

/* One range an editor asks for: "HH:MM:SS-HH:MM:SS" on the source. */
struct edit_cut_range {
	const char *text;
	int keep;               /* 1: never cut it; 0: always cut it */
};
/* Changes recording rec_id's cut overrides: with clear, drops them all
 * first; then adds v in order, a later range winning where it overlaps an
 * earlier or a stored one (each such overlap a sentence of *notes).  Each
 * range must read as two timecodes (time_parse_clock), start before it
 * ends and lie inside the source; otherwise ZPUB_EINVAL with a line per
 * problem and nothing saved.  A recording past DOWNLOADED goes back there
 * to be cut again by the next run, its transcript kept aside for it
 * (recut_stash); a READY one keeps its publications.  Journals and audits
 * cut.edit.  *notes is malloc'd, or NULL when there is nothing to say. */
int edit_cut_save(struct store *st, const struct actor *who, int64_t rec_id,
    const struct edit_cut_range *v, size_t n, int clear, char **notes, struct zpub_err *err);

/* The thumbnail recording rec_id is published with: with file NULL, the
 * pick-th (1-based, in the order `zpub thumbnail ID` lists them) of the
 * process stage's; else the picture at file, which must be a JPEG, PNG,
 * WebP or BMP of at most EDIT_THUMB_MAX_BYTES (media_image_import: opened
 * by the media rules, nothing but that path read), kept as
 * EDIT_THUMB_SUPPLIED beside the others.  With the title overlay on in the
 * recording's config (base merged with its tenant's and its own), the
 * title is drawn on the chosen one.  A READY recording is marked for an
 * update of what is published.  *chosen (may be NULL) gets the chosen
 * one's 1-based number.  Journals and audits thumbnail.pick. */
#define EDIT_THUMB_MAX_BYTES (20 * 1024 * 1024)
#define EDIT_THUMB_SUPPLIED "thumb_supplied.jpg"
int edit_thumbnail_pick(struct store *st, const struct actor *who, const cJSON *base,
    int64_t rec_id, int pick, const char *file, int *chosen, struct zpub_err *err);

/* Stores a secret zs_secret_check() allows under name for who's tenant,
 * encrypted by v; audits secret.set (the name, never the value). */
int edit_secret_set(struct store *st, struct vault *v, const struct actor *who,
    const char *name, const void *value, size_t len, struct zpub_err *err);

/* Deletes who's tenant's secret name (from the store alone: a secret the
 * key cannot open can still go); audits secret.delete. */
int edit_secret_delete(struct store *st, const struct actor *who, const char *name,
    struct zpub_err *err);

#endif
