/*
 * edit.c — the one place each change a person makes is checked, written
 * and audited, whichever face it came through: templates, topic versions,
 * cut overrides and secrets.  The faces parse their input into the shapes below and
 * show what comes back.
 */
#include "edit.h"

#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "audit.h"
#include "config.h"
#include "config_schema.h"
#include "media.h"
#include "pipeline.h"
#include "stages.h"
#include "store_ui.h"
#include "tenant.h"
#include "recut.h"
#include "text.h"
#include "store.h"
#include "store_admin.h"
#include "template.h"
#include "util.h"
#include "vault.h"

/* ---- templates ---- */

static int
template_find(struct store *st, const struct actor *who, int64_t id, const char *name,
    struct store_template *t, struct zpub_err *err)
{
	if (id > 0)
		return store_template_get_id(st, who->tenant_id, id, t, err);
	return store_template_get(st, who->tenant_id, name, t, err);
}

int
edit_template_save(struct store *st, const struct actor *who, int64_t id, const char *name,
    const cJSON *fields, struct store_template *saved, struct zpub_err *err)
{
	struct store_template t;
	int64_t nid = 0;
	int rc = 0, editing = id > 0 || name != NULL;

	memset(&t, 0, sizeof t);
	if (saved)
		memset(saved, 0, sizeof *saved);
	if (editing)
		rc = template_find(st, who, id, name, &t, err);
	if (rc == 0) {
		t.tenant_id = who->tenant_id;
		rc = tpl_from_json(fields, &t, editing, err);
	}
	/* A checked template is refused by the store only for a taken name. */
	if (rc == 0 && (rc = store_template_put(st, &t, &nid, err)) == ZPUB_EINVAL) {
		rc = ZPUB_EBUSY;
		if (err)
			err->code = rc;
	}
	if (rc == 0) {
		audit_note(st, who, editing ? "template.edit" : "template.add", "template %lld '%s'",
		    (long long)nid, t.name);
		if (saved)
			rc = store_template_get_id(st, who->tenant_id, nid, saved, err);
	}
	store_template_clear(&t);
	return rc;
}

int
edit_template_delete(struct store *st, const struct actor *who, int64_t id, const char *name,
    struct zpub_err *err)
{
	struct store_template t;
	if (id <= 0 && name == NULL)
		return zpub_err_set(err, ZPUB_EINVAL, "name the template to delete");
	int rc = template_find(st, who, id, name, &t, err);
	if (rc == 0 && (rc = store_template_delete(st, who->tenant_id, t.id, err)) == 0)
		audit_note(st, who, "template.delete", "template %lld '%s'", (long long)t.id, t.name);
	store_template_clear(&t);
	return rc;
}

/* ---- topic versions ---- */

int64_t
edit_topics_video_ms(struct store *st, const struct store_recording *r)
{
	struct store_artifact *a = NULL;
	int n = 0;
	int64_t ms = 0;
	if (store_artifacts(st, r->id, "cut_video", &a, &n, NULL) == 0 && n > 0) {
		cJSON *x = a[n - 1].extra ? cJSON_Parse(a[n - 1].extra) : NULL;
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(x, "duration_ms");
		if (cJSON_IsNumber(d) && d->valuedouble > 0)
			ms = (int64_t)d->valuedouble;
		cJSON_Delete(x);
	}
	store_artifacts_free(a, n);
	return ms > 0 ? ms : r->duration_ms;
}

int
edit_topics_save(struct store *st, const struct actor *who, int64_t rec_id,
    const struct topics *t, int *version, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	char by[160];
	int made = 0;
	int rc = store_recording_get_in(st, who->tenant_id, rec_id, &r, err);
	if (rc)
		return rc;
	if (version == NULL)
		version = &made;   /* the caller does not ask (the API's PUT topics) */
	rc = topics_validate(t, edit_topics_video_ms(st, r), err);
	store_recording_free(r);
	if (rc)
		return zpub_err_prefix(err, "not saved");
	char *json = topics_to_json(t);
	rc = store_topic_version_add(st, rec_id, json, "editor", version, err);
	free(json);
	if (rc)
		return rc;
	store_journal(st, rec_id, "info", "topics", "topic version %d saved in the editor by %s",
	    *version, actor_name(who, by, sizeof by));
	audit_note(st, who, "topics.save", "recording %lld topic version %d", (long long)rec_id,
	    *version);
	return 0;
}

int
edit_topics_approve(struct store *st, const struct actor *who, int64_t rec_id, int version,
    struct zpub_err *err)
{
	struct store_recording *r = NULL;
	char by[160];
	int rc = store_recording_get_in(st, who->tenant_id, rec_id, &r, err);
	if (rc == 0 && (rc = store_topic_version_approve(st, rec_id, version,
	    actor_name(who, by, sizeof by), err)) == 0) {
		audit_note(st, who, "topics.approve", "recording %lld topic version %d",
		    (long long)rec_id, version);
		/* The newest version approved lets a recording held for review go
		 * (the runner checks again before it publishes). */
		rc = store_recording_set_review_hold(st, rec_id, 0, err);
		/* Published already: the daemon sends the new chapters there
		 * (publish.update_after_edit), or `zpub publish --update` does. */
		if (rc == 0 && r->status == ST_READY)
			rc = store_recording_set_update_pending(st, rec_id, 1, err);
	}
	store_recording_free(r);
	return rc;
}

/* ---- chapter lines (the editor's form of a topic version) ---- */

int
edit_chapters_get(struct store *st, const struct actor *who, int64_t rec_id, char **text,
    int *version, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	struct store_topic_version tv;
	struct topics *t = NULL;

	*text = NULL;
	memset(&tv, 0, sizeof tv);
	int rc = store_recording_get_in(st, who->tenant_id, rec_id, &r, err);
	if (rc == 0 && (rc = store_topic_version_latest(st, rec_id, 0, &tv, err)) ==
	    ZPUB_ENOTFOUND)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "recording %lld has no topics yet: run it to"
		    " TRANSCRIBED, or write its chapters", (long long)rec_id);
	if (rc == 0 && (rc = topics_from_json(tv.json, &t, err)) == 0) {
		*text = chapters_format(t);
		if (version)
			*version = tv.version;
	}
	topics_free(t);
	store_topic_version_clear(&tv);
	store_recording_free(r);
	return rc;
}

int
edit_chapters_save(struct store *st, const struct actor *who, int64_t rec_id, const char *text,
    int *version, size_t *count, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	struct topics *t = NULL;
	int rc = store_recording_get_in(st, who->tenant_id, rec_id, &r, err);

	if (rc == 0 && (rc = chapters_parse(text, edit_topics_video_ms(st, r), &t, err)) != 0)
		zpub_err_prefix(err, "not saved, the chapter list has problems");
	if (rc == 0 && (rc = edit_topics_save(st, who, rec_id, t, version, err)) == 0 && count)
		*count = t->n;
	topics_free(t);
	store_recording_free(r);
	return rc;
}

int
edit_topics_approve_newest(struct store *st, const struct actor *who, int64_t rec_id,
    int *version, struct zpub_err *err)
{
	struct store_topic_version tv;
	struct store_recording *r = NULL;
	memset(&tv, 0, sizeof tv);
	int rc = store_recording_get_in(st, who->tenant_id, rec_id, &r, err);
	store_recording_free(r);
	if (rc == 0 && (rc = store_topic_version_latest(st, rec_id, 0, &tv, err)) ==
	    ZPUB_ENOTFOUND)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "recording %lld has no topics to approve yet:"
		    " run it to TRANSCRIBED first", (long long)rec_id);
	if (rc == 0 && (rc = edit_topics_approve(st, who, rec_id, tv.version, err)) == 0 &&
	    version)
		*version = tv.version;
	store_topic_version_clear(&tv);
	return rc;
}

/* ---- cut overrides ---- */

/* "A-B" -> two source times; a sentence in bad when it is not a range
 * inside a source of src_ms. */
static int
cut_range(const struct edit_cut_range *c, int64_t src_ms, struct media_override *o,
    struct sbuf *bad)
{
	const char *dash = strchr(c->text, '-');
	char a[32], b[24], end[24];

	o->keep = c->keep;
	if (dash == NULL || dash - c->text >= (long)sizeof a) {
		sb_addf(bad, "\n'%s' is not a range: write it as HH:MM:SS-HH:MM:SS", c->text);
		return -1;
	}
	snprintf(a, sizeof a, "%.*s", (int)(dash - c->text), c->text);
	if ((o->start_ms = time_parse_clock(a)) < 0 || (o->end_ms = time_parse_clock(dash + 1)) < 0)
		sb_addf(bad, "\n'%s' is not a range: write it as HH:MM:SS-HH:MM:SS", c->text);
	else if (o->end_ms <= o->start_ms)
		sb_addf(bad, "\n'%s' ends before it starts", c->text);
	else if (o->end_ms > src_ms) {
		recut_clock(src_ms, end);
		recut_clock(o->end_ms, b);
		sb_addf(bad, "\n'%s' ends at %s, after the end of the recording (%s)", c->text, b,
		    end);
	} else
		return 0;
	return -1;
}

/* Where the recording goes for its re-cut (*to); an error when it cannot
 * be cut now. */
static int
cut_status(const struct store_recording *r, int *to, struct zpub_err *err)
{
	*to = (int)r->status;
	switch (r->status) {
	case ST_DOWNLOADED:
	case ST_SKIPPED:
		return 0;
	case ST_PROCESSED:
	case ST_TRANSCRIBED:
	case ST_READY:
	case ST_FAILED:
		*to = ST_DOWNLOADED;
		if (r->source_path != NULL)
			return 0;
		/* FALLTHROUGH */
	case ST_INITIALIZED:
		return zpub_err_set(err, ZPUB_ESTATE, "recording %lld has no source file yet: run"
		    " it to DOWNLOADED before editing its cut", (long long)r->id);
	case ST_EXPIRED:
		return zpub_err_set(err, ZPUB_ESTATE, "recording %lld has EXPIRED: its cut can be"
		    " edited no more", (long long)r->id);
	default:
		return zpub_err_set(err, ZPUB_EBUSY, "recording %lld is %s now: edit its cut when"
		    " that run ends", (long long)r->id, status_name(r->status));
	}
}

int
edit_cut_save(struct store *st, const struct actor *who, int64_t rec_id,
    const struct edit_cut_range *v, size_t n, int clear, char **notes, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	struct store_cut_override *old = NULL, *rows = NULL;
	struct media_override *all = NULL, *res = NULL;
	struct sbuf bad = {0}, said = {0};
	size_t na = 0, nr = 0, keeps = 0;
	int nold = 0, to = -1, rc;
	char by[160], x[24], y[24], p[24], q[24];
	int64_t src_ms;

	*notes = NULL;
	actor_name(who, by, sizeof by);
	if ((rc = store_recording_get_in(st, who->tenant_id, rec_id, &r, err)) != 0)
		return rc;
	if ((rc = cut_status(r, &to, err)) != 0)
		goto out;
	if ((src_ms = recut_source_ms(st, r)) <= 0) {
		rc = zpub_err_set(err, ZPUB_ESTATE, "recording %lld has no known length yet: run"
		    " it to PROCESSED first", (long long)rec_id);
		goto out;
	}
	if (!clear && (rc = store_cut_overrides(st, rec_id, &old, &nold, err)) != 0)
		goto out;
	all = xcalloc((size_t)nold + n + 1, sizeof *all);
	for (int i = 0; i < nold; i++)
		all[na++] = (struct media_override){ old[i].start_ms, old[i].end_ms, old[i].keep,
		    (size_t)i };
	for (size_t i = 0; i < n; i++) {
		struct media_override *o = &all[na];

		o->origin = (size_t)nold + i;
		if (cut_range(&v[i], src_ms, o, &bad) < 0)
			continue;
		/* The newer range wins where it overlaps one of the other kind. */
		for (size_t j = 0; j < na; j++)
			if (all[j].keep != o->keep && all[j].start_ms < o->end_ms &&
			    o->start_ms < all[j].end_ms) {
				recut_clock(o->start_ms, x), recut_clock(o->end_ms, y);
				recut_clock(all[j].start_ms, p), recut_clock(all[j].end_ms, q);
				sb_addf(&said, "%s%s %s-%s overlaps the %s %s-%s made before it: the %s"
				    " wins there", said.len ? "\n" : "", o->keep ? "keep" : "remove", x, y,
				    o->keep ? "remove" : "keep", p, q, o->keep ? "keep" : "remove");
			}
		na++;
	}
	if (bad.len > 0) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "nothing saved, the cut of recording %lld has"
		    " problems:%s", (long long)rec_id, bad.s);
		goto out;
	}
	media_overrides_resolve(all, na, &res, &nr);
	rows = xcalloc(nr + 1, sizeof *rows);
	for (size_t i = 0; i < nr; i++) {
		int was = res[i].origin < (size_t)nold;

		rows[i] = (struct store_cut_override){ res[i].start_ms, res[i].end_ms, res[i].keep,
		    was ? old[res[i].origin].by : by, was ? old[res[i].origin].created_at : 0 };
		keeps += res[i].keep != 0;
	}
	/* The transcript is kept aside before the cut it is on goes. */
	if (to != (int)r->status && (rc = recut_stash(st, rec_id, err)) != 0)
		goto out;
	if ((rc = store_begin(st, err)) != 0)
		goto out;
	if ((rc = store_cut_overrides_replace(st, rec_id, rows, (int)nr, err)) == 0 &&
	    to != (int)r->status)
		rc = store_recording_move(st, rec_id, r->status, (enum rec_status)to,
		    "its cut was edited: the next run cuts it again", err);
	if (rc == 0)
		rc = store_commit(st, err);
	if (rc != 0) {
		store_rollback(st);
		goto out;
	}
	store_journal(st, rec_id, "info", "cut", "cut overrides changed by %s: %zu keep, %zu"
	    " remove", by, keeps, nr - keeps);
	audit_note(st, who, "cut.edit", "recording %lld: %zu keep, %zu remove ranges",
	    (long long)rec_id, keeps, nr - keeps);
	if (r->status == ST_SKIPPED)
		sb_addf(&said, "%srecording %lld stays SKIPPED; un-skip it to cut it again",
		    said.len ? "\n" : "", (long long)rec_id);
	*notes = said.len ? sb_take(&said) : NULL;
out:
	sb_free(&said);
	sb_free(&bad);
	free(rows);
	free(res);
	free(all);
	store_cut_overrides_free(old, nold);
	store_recording_free(r);
	return rc;
}

/* ---- secrets ---- */

int
edit_secret_set(struct store *st, struct vault *v, const struct actor *who, const char *name,
    const void *value, size_t len, struct zpub_err *err)
{
	int rc = zs_secret_check(name, err);
	if (rc == 0 && (rc = vault_put(v, who->tenant_id, name, value, len, 0, err)) == 0)
		audit_note(st, who, "secret.set", "%s", name);
	return rc;
}

int
edit_secret_delete(struct store *st, const struct actor *who, const char *name,
    struct zpub_err *err)
{
	int rc = store_credential_delete(st, who->tenant_id, name, err);
	if (rc == 0)
		audit_note(st, who, "secret.delete", "%s", name);
	return rc;
}

/* ---- the thumbnail ---- */

/* The supplied picture, made a thumbnail artefact of rec_id beside the
 * others (in dir) or rewritten in place; *path gets where it is. */
static int
thumb_supplied(struct store *st, int64_t rec_id, const cJSON *cfg, const char *dir,
    const char *file, const struct store_artifact *arts, int n, char **path,
    struct zpub_err *err)
{
	char *out = path_join(dir, EDIT_THUMB_SUPPLIED);
	struct stage_artifact a = { .kind = "thumbnail", .path = out };
	int rc, known = 0;

	*path = NULL;
	rc = media_image_import(file, out, (int)config_int(cfg, "processing.thumbnails.width",
	    1280), EDIT_THUMB_MAX_BYTES, err);
	if (rc == 0 && (a.bytes = fs_size(out)) < 0)
		rc = zpub_err_set(err, ZPUB_EIO, "cannot read back '%s'", out);
	if (rc == 0)
		rc = fs_sha256(out, a.sha256, err);
	for (int i = 0; rc == 0 && i < n; i++)
		known |= strcmp(arts[i].path, out) == 0;
	if (rc == 0 && known)
		rc = store_ui_artifact_rewritten(st, rec_id, out, a.bytes, a.sha256, err);
	else if (rc == 0) {
		a.extra = cJSON_CreateObject();
		cJSON_AddBoolToObject(a.extra, "supplied", 1);
		rc = store_artifact_add(st, rec_id, &a, err);
		cJSON_Delete(a.extra);
	}
	if (rc == 0)
		*path = out;
	else
		free(out);
	return rc;
}

int
edit_thumbnail_pick(struct store *st, const struct actor *who, const cJSON *base,
    int64_t rec_id, int pick, const char *file, int *chosen, struct zpub_err *err)
{
	struct store_recording *r = NULL;
	struct store_artifact *arts = NULL;
	cJSON *tcfg = NULL, *cfg = NULL;
	char *supplied = NULL, *titled = NULL, *dir = NULL;
	const char *slash;
	int n = 0, k = -1, rc;

	if ((rc = store_recording_get_in(st, who->tenant_id, rec_id, &r, err)) != 0)
		return rc;
	if ((rc = store_artifacts(st, rec_id, "thumbnail", &arts, &n, err)) != 0)
		goto out;
	if (n == 0) {
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "recording %lld has no thumbnails yet: run "
		    "it to PROCESSED first", (long long)rec_id);
		goto out;
	}
	if (file == NULL && (pick < 1 || pick > n)) {
		rc = zpub_err_set(err, ZPUB_EINVAL, "recording %lld has %d thumbnails: pick one "
		    "from 1 to %d ('zpub thumbnail %lld' lists them)", (long long)rec_id, n, n,
		    (long long)rec_id);
		goto out;
	}
	tcfg = tenant_config(st, base, r->tenant_id);
	cfg = pipeline_config_for(tcfg ? tcfg : base, r);
	if (file != NULL) {
		slash = strrchr(arts[0].path, '/');
		dir = slash ? xasprintf("%.*s", (int)(slash - arts[0].path), arts[0].path) :
		    xstrdup(".");
		if ((rc = thumb_supplied(st, rec_id, cfg, dir, file, arts, n, &supplied,
		    err)) != 0)
			goto out;
		store_artifacts_free(arts, n);
		arts = NULL;
		if ((rc = store_artifacts(st, rec_id, "thumbnail", &arts, &n, err)) != 0)
			goto out;
		for (int i = 0; i < n; i++)
			if (strcmp(arts[i].path, supplied) == 0)
				pick = i + 1;
	}
	k = pick - 1;
	titled = stage_thumbnail_title(st, cfg, rec_id, r->title, arts[k].path);
	if ((rc = store_thumbnail_choose(st, rec_id, arts[k].id,
	    titled ? STAGE_TITLED_THUMB : NULL, err)) != 0)
		goto out;
	if (r->status == ST_READY &&
	    (rc = store_recording_set_update_pending(st, rec_id, 1, err)) != 0)
		goto out;
	store_journal(st, rec_id, "info", "thumbnail", "thumbnail %d chosen%s%s", pick,
	    file ? ": a picture supplied" : "", titled ? ", the title drawn on it" : "");
	audit_note(st, who, "thumbnail.pick", "recording %lld thumbnail %d%s",
	    (long long)rec_id, pick, file ? " (supplied)" : "");
	if (chosen != NULL)
		*chosen = pick;
out:
	free(titled);
	free(supplied);
	free(dir);
	cJSON_Delete(cfg);
	cJSON_Delete(tcfg);
	store_artifacts_free(arts, n);
	store_recording_free(r);
	return rc;
}
