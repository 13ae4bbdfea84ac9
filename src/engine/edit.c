/*
 * edit.c — the one place each change a person makes is checked, written
 * and audited, whichever face it came through: templates, topic versions
 * and secrets.  The faces parse their input into the shapes below and
 * show what comes back.
 */
#include "edit.h"

#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "audit.h"
#include "config_schema.h"
#include "store.h"
#include "store_admin.h"
#include "template.h"
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

/* Recording rec_id when it is in who's tenant; ZPUB_ENOTFOUND otherwise. */
static int
own_recording(struct store *st, const struct actor *who, int64_t rec_id,
    struct store_recording **r, struct zpub_err *err)
{
	int rc = store_recording_get(st, rec_id, r, err);
	if (rc == 0 && (*r)->tenant_id != who->tenant_id) {
		store_recording_free(*r);
		*r = NULL;
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no recording %lld in this tenant",
		    (long long)rec_id);
	}
	return rc;
}

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
	int rc = own_recording(st, who, rec_id, &r, err);
	if (rc)
		return rc;
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
	int rc = own_recording(st, who, rec_id, &r, err);
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
	int rc = own_recording(st, who, rec_id, &r, err);
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
	int rc = own_recording(st, who, rec_id, &r, err);

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
	int rc = own_recording(st, who, rec_id, &r, err);
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
