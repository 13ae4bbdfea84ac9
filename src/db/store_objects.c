/*
 * store_objects.c — artefacts, topic versions, publications, credentials
 * and usage rows: the things that hang off a recording or a tenant.
 */
#include "store_int.h"
#include "store_notify.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *
store_rel_path(struct store *st, const char *abs)
{
	size_t l = strlen(st->data_dir);
	if (strncmp(abs, st->data_dir, l) == 0 && abs[l] == '/')
		return abs + l + 1;
	return abs;
}

char *
store_abs_path(struct store *st, const char *stored)
{
	if (stored[0] == '/')
		return xstrdup(stored);
	return path_join(st->data_dir, stored);
}

/* ---- artefacts ---- */

static void
artifact_row(struct store *st, struct sdb_stmt *s, void *item)
{
	struct store_artifact *a = item;
	a->id = sdb_column_int64(s, 0);
	a->kind = store_col_str(s, 1);
	a->path = store_abs_path(st, (const char *)sdb_column_text(s, 2));
	a->bytes = sdb_column_int64(s, 3);
	a->sha256 = store_col_str(s, 4);
	a->extra = store_col_str(s, 5);
	a->created_at = sdb_column_int64(s, 6);
}

int
store_artifacts(struct store *st, int64_t rec_id, const char *kind,
    struct store_artifact **out, int *n, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT id, kind, path, bytes, sha256, extra, created_at"
	    " FROM artifacts WHERE recording_id = ? AND (CAST(? AS TEXT) IS NULL OR kind = ?) ORDER BY id", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	sdb_bind_text(s, 2, kind, -1);
	sdb_bind_text(s, 3, kind, -1);
	int rc = store_collect(st, s, sizeof **out, artifact_row, (void **)out, n, "reading artefacts", err);
	if (rc) {
		store_artifacts_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

void
store_artifacts_free(struct store_artifact *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].kind); free(v[i].path); free(v[i].sha256); free(v[i].extra);
	}
	free(v);
}

int
store_artifact_add(struct store *st, int64_t rec_id, const struct stage_artifact *a,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "INSERT INTO artifacts (recording_id, kind, path, bytes,"
	    " sha256, extra, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
	if (s == NULL)
		return ZPUB_EDB;
	char *extra = a->extra ? cJSON_PrintUnformatted(a->extra) : NULL;
	sdb_bind_int64(s, 1, rec_id);
	sdb_bind_text(s, 2, a->kind, -1);
	sdb_bind_text(s, 3, store_rel_path(st, a->path), -1);
	sdb_bind_int64(s, 4, a->bytes);
	sdb_bind_text(s, 5, a->sha256[0] ? a->sha256 : NULL, -1);
	sdb_bind_text(s, 6, extra ? extra : "{}", -1);
	sdb_bind_int64(s, 7, time_now_ms());
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "adding an artefact");
	sdb_finalize(s);
	cJSON_free(extra);
	return rc;
}

/* ---- topic versions ---- */

static void
topic_row(struct store *st, struct sdb_stmt *s, void *item)
{
	(void)st;
	struct store_topic_version *t = item;
	t->id = sdb_column_int64(s, 0);
	t->version = sdb_column_int(s, 1);
	t->json = store_col_str(s, 2);
	t->source = store_col_str(s, 3);
	t->approved_by = store_col_str(s, 4);
	t->approved_at = sdb_column_int64(s, 5);
	t->created_at = sdb_column_int64(s, 6);
}

#define TOPIC_COLS "id, version, json, source, approved_by, approved_at, created_at"

int
store_topic_version_add(struct store *st, int64_t rec_id, const char *json, const char *source,
    int *version, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "INSERT INTO topic_versions (recording_id, version, json,"
	    " source, created_at) VALUES (?1, (SELECT coalesce(max(version), 0) + 1 FROM"
	    " topic_versions WHERE recording_id = ?1), ?2, ?3, ?4) RETURNING version", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	sdb_bind_text(s, 2, json, -1);
	sdb_bind_text(s, 3, source, -1);
	sdb_bind_int64(s, 4, time_now_ms());
	int rc = sdb_step(s);
	if (rc == SDB_ROW && version)
		*version = sdb_column_int(s, 0);
	sdb_finalize(s);
	return rc == SDB_ROW ? 0 : store_sqlerr(st, err, "saving a topic version");
}

int
store_topic_version_latest(struct store *st, int64_t rec_id, int approved_only,
    struct store_topic_version *out, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT " TOPIC_COLS " FROM topic_versions WHERE"
	    " recording_id = ? AND (? = 0 OR approved_at IS NOT NULL) ORDER BY version DESC LIMIT 1",
	    err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	sdb_bind_int(s, 2, approved_only);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		memset(out, 0, sizeof *out);
		topic_row(st, s, out);
		rc = 0;
	} else if (rc == SDB_DONE)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "recording %lld has no %stopic version",
		    (long long)rec_id, approved_only ? "approved " : "");
	else
		rc = store_sqlerr(st, err, "reading topics");
	sdb_finalize(s);
	return rc;
}

int
store_topic_versions(struct store *st, int64_t rec_id, struct store_topic_version **out, int *n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT " TOPIC_COLS " FROM topic_versions WHERE"
	    " recording_id = ? ORDER BY version", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	return store_collect(st, s, sizeof **out, topic_row, (void **)out, n, "reading topics", err);
}

int
store_topic_version_approve(struct store *st, int64_t rec_id, int version, const char *by,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE topic_versions SET approved_by = ?, approved_at = ?"
	    " WHERE recording_id = ? AND version = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, by, -1);
	sdb_bind_int64(s, 2, time_now_ms());
	sdb_bind_int64(s, 3, rec_id);
	sdb_bind_int(s, 4, version);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "approving topics");
	sdb_finalize(s);
	if (rc == 0 && sdb_changes(st->db) == 0)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "recording %lld has no topic version %d",
		    (long long)rec_id, version);
	return rc;
}

void
store_topic_version_clear(struct store_topic_version *v)
{
	if (v == NULL)
		return;
	free(v->json); free(v->source); free(v->approved_by);
	memset(v, 0, sizeof *v);
}

void
store_topic_versions_free(struct store_topic_version *v, int n)
{
	for (int i = 0; i < n; i++)
		store_topic_version_clear(&v[i]);
	free(v);
}

/* ---- publications ---- */

#define PUB_COLS "id, recording_id, platform, target, state, remote_id, upload_url, url," \
	" error, bytes_acked, bytes_total, attempts, next_retry_at, extra"

static void
pub_row(struct store *st, struct sdb_stmt *s, void *item)
{
	(void)st;
	struct store_publication *p = item;
	p->id = sdb_column_int64(s, 0);
	p->recording_id = sdb_column_int64(s, 1);
	p->platform = store_col_str(s, 2);
	p->target = store_col_str(s, 3);
	p->state = store_col_str(s, 4);
	p->remote_id = store_col_str(s, 5);
	p->upload_url = store_col_str(s, 6);
	p->url = store_col_str(s, 7);
	p->error = store_col_str(s, 8);
	p->bytes_acked = sdb_column_int64(s, 9);
	p->bytes_total = sdb_column_int64(s, 10);
	p->attempts = sdb_column_int(s, 11);
	p->next_retry_at = sdb_column_int64(s, 12);
	p->extra = store_col_str(s, 13);
}

int
store_publication_ensure(struct store *st, int64_t rec_id, const char *platform,
    const char *target, int64_t *id, struct zpub_err *err)
{
	int64_t now = time_now_ms();
	struct sdb_stmt *s = store_prep(st, "INSERT INTO publications (recording_id, platform, target,"
	    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO NOTHING", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	sdb_bind_text(s, 2, platform, -1);
	sdb_bind_text(s, 3, target ? target : "", -1);
	sdb_bind_int64(s, 4, now);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "adding a publication");
	sdb_finalize(s);
	if (rc)
		return rc;
	s = store_prep(st, "SELECT id FROM publications WHERE recording_id = ? AND platform = ?"
	    " AND target = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	sdb_bind_text(s, 2, platform, -1);
	sdb_bind_text(s, 3, target ? target : "", -1);
	rc = sdb_step(s);
	if (rc == SDB_ROW)
		*id = sdb_column_int64(s, 0);
	sdb_finalize(s);
	return rc == SDB_ROW ? 0 : store_sqlerr(st, err, "finding a publication");
}

int
store_publication_get(struct store *st, int64_t id, struct store_publication *out,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT " PUB_COLS " FROM publications WHERE id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, id);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		memset(out, 0, sizeof *out);
		pub_row(st, s, out);
		rc = 0;
	} else if (rc == SDB_DONE)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no publication %lld", (long long)id);
	else
		rc = store_sqlerr(st, err, "reading a publication");
	sdb_finalize(s);
	return rc;
}

int
store_publications(struct store *st, int64_t rec_id, struct store_publication **out, int *n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT " PUB_COLS " FROM publications WHERE"
	    " recording_id = ? ORDER BY id", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	return store_collect(st, s, sizeof **out, pub_row, (void **)out, n, "reading publications", err);
}

int
store_publication_update(struct store *st, int64_t id, const struct store_publication_change *c,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE publications SET"
	    " state = coalesce(?1, state), remote_id = coalesce(?2, remote_id),"
	    " upload_url = coalesce(?3, upload_url), url = coalesce(?4, url),"
	    " error = CASE WHEN ?6 <> 0 THEN NULL ELSE coalesce(?5, error) END,"
	    " bytes_acked = CASE WHEN ?7 <> 0 THEN ?8 ELSE bytes_acked END,"
	    " bytes_total = CASE WHEN ?7 <> 0 THEN ?9 ELSE bytes_total END,"
	    " attempts = attempts + (CASE WHEN ?1 = 'failed' THEN 1 ELSE 0 END),"
	    " updated_at = ?10 WHERE id = ?11", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, c->state, -1);
	sdb_bind_text(s, 2, c->remote_id, -1);
	sdb_bind_text(s, 3, c->upload_url, -1);
	sdb_bind_text(s, 4, c->url, -1);
	sdb_bind_text(s, 5, c->error, -1);
	sdb_bind_int(s, 6, c->clear_error != 0);
	sdb_bind_int(s, 7, c->set_bytes != 0);
	sdb_bind_int64(s, 8, c->bytes_acked);
	sdb_bind_int64(s, 9, c->bytes_total);
	sdb_bind_int64(s, 10, time_now_ms());
	sdb_bind_int64(s, 11, id);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "updating a publication");
	sdb_finalize(s);
	return rc;
}

int
store_publication_set_extra(struct store *st, int64_t id, const char *json, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE publications SET extra = ? WHERE id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, json, -1);
	sdb_bind_int64(s, 2, id);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "updating a publication");
	sdb_finalize(s);
	return rc;
}

void
store_publication_clear(struct store_publication *p)
{
	if (p == NULL)
		return;
	free(p->platform); free(p->target); free(p->state); free(p->remote_id);
	free(p->upload_url); free(p->url); free(p->error); free(p->extra);
	memset(p, 0, sizeof *p);
}

void
store_publications_free(struct store_publication *v, int n)
{
	for (int i = 0; i < n; i++)
		store_publication_clear(&v[i]);
	free(v);
}

/* ---- credentials ---- */

int
store_credential_put(struct store *st, int64_t tenant_id, const char *name,
    const unsigned char *ct, size_t ct_len, const unsigned char *nonce, size_t nonce_len,
    int64_t expires_at, struct zpub_err *err)
{
	int64_t now = time_now_ms();
	struct sdb_stmt *s = store_prep(st, "INSERT INTO credentials (tenant_id, name, ciphertext, nonce,"
	    " expires_at, state, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'ok', ?6, ?6)"
	    " ON CONFLICT (tenant_id, name) DO UPDATE SET ciphertext = ?3, nonce = ?4,"
	    " expires_at = ?5, state = 'ok', updated_at = ?6", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_text(s, 2, name, -1);
	sdb_bind_blob(s, 3, ct, (int)ct_len);
	sdb_bind_blob(s, 4, nonce, (int)nonce_len);
	if (expires_at > 0)
		sdb_bind_int64(s, 5, expires_at);
	sdb_bind_int64(s, 6, now);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "storing a credential");
	sdb_finalize(s);
	return rc;
}

int
store_credential_get(struct store *st, int64_t tenant_id, const char *name, unsigned char **ct,
    size_t *ct_len, unsigned char *nonce, size_t nonce_len, int64_t *expires_at,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT ciphertext, nonce, expires_at FROM credentials"
	    " WHERE tenant_id = ? AND name = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_text(s, 2, name, -1);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		int l = sdb_column_bytes(s, 0);
		int nl = sdb_column_bytes(s, 1);
		if ((size_t)nl != nonce_len) {
			rc = zpub_err_set(err, ZPUB_ECRYPTO, "credential '%s' is damaged (bad nonce)", name);
		} else {
			*ct = xmalloc((size_t)l + 1);
			memcpy(*ct, sdb_column_blob(s, 0), (size_t)l);
			*ct_len = (size_t)l;
			memcpy(nonce, sdb_column_blob(s, 1), nonce_len);
			if (expires_at)
				*expires_at = sdb_column_int64(s, 2);
			rc = 0;
		}
	} else if (rc == SDB_DONE)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no secret named '%s' (set it with 'zpub secret set"
		    " %s')", name, name);
	else
		rc = store_sqlerr(st, err, "reading a credential");
	sdb_finalize(s);
	return rc;
}

int
store_credential_set_state(struct store *st, int64_t tenant_id, const char *name,
    const char *state, struct zpub_err *err)
{
	/* a savepoint: the state and a reauth_needed notification (when it
	 * turns "reconnect") in one transaction */
	int own, rc = store_sp_begin(st, "credential_state", &own, err);
	if (rc)
		return rc;
	int was = 0;
	struct sdb_stmt *s = store_prep(st, "SELECT state IS NOT DISTINCT FROM ? FROM credentials WHERE tenant_id = ?"
	    " AND name = ?", err);
	if (s == NULL) {
		rc = ZPUB_EDB;
		goto out;
	}
	sdb_bind_text(s, 1, state, -1);
	sdb_bind_int64(s, 2, tenant_id);
	sdb_bind_text(s, 3, name, -1);
	if (sdb_step(s) == SDB_ROW)
		was = sdb_column_int(s, 0);
	sdb_finalize(s);
	s = store_prep(st, "UPDATE credentials SET state = ?1, updated_at = ?2 WHERE"
	    " tenant_id = ?3 AND name = ?4", err);
	if (s == NULL) {
		rc = ZPUB_EDB;
		goto out;
	}
	sdb_bind_text(s, 1, state, -1);
	sdb_bind_int64(s, 2, time_now_ms());
	sdb_bind_int64(s, 3, tenant_id);
	sdb_bind_text(s, 4, name, -1);
	rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "updating a credential");
	sdb_finalize(s);
	if (rc == 0 && !was && strcmp(state, "reconnect") == 0 && sdb_changes(st->db) > 0) {
		char why[160];
		snprintf(why, sizeof why, "the account %s needs to be connected again", name);
		rc = store_notify_enqueue_tenant(st, tenant_id, "reauth_needed", why, err);
	}
out:
	return store_sp_end(st, "credential_state", own, rc, err);
}

int
store_credential_delete(struct store *st, int64_t tenant_id, const char *name,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "DELETE FROM credentials WHERE tenant_id = ? AND name = ?",
	    err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_text(s, 2, name, -1);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "deleting a credential");
	sdb_finalize(s);
	if (rc == 0 && sdb_changes(st->db) == 0)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no secret named '%s'", name);
	return rc;
}

static void
cred_row(struct store *st, struct sdb_stmt *s, void *item)
{
	(void)st;
	struct store_credential *c = item;
	c->name = store_col_str(s, 0);
	c->expires_at = sdb_column_int64(s, 1);
	c->created_at = sdb_column_int64(s, 2);
	c->updated_at = sdb_column_int64(s, 3);
	c->state = store_col_str(s, 4);
	c->tenant_id = sdb_column_int64(s, 5);
	c->tenant = store_col_str(s, 6);
}

int
store_credentials(struct store *st, int64_t tenant_id, struct store_credential **out, int *n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT c.name, c.expires_at, c.created_at, c.updated_at,"
	    " c.state, c.tenant_id, t.name FROM credentials c JOIN tenants t ON t.id = c.tenant_id"
	    " WHERE (?1 = " STORE_ALL_TENANTS_SQL " OR c.tenant_id = ?1) ORDER BY t.name, c.name", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	return store_collect(st, s, sizeof **out, cred_row, (void **)out, n, "listing credentials", err);
}

void
store_credentials_free(struct store_credential *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].tenant);
		free(v[i].name);
		free(v[i].state);
	}
	free(v);
}

/* ---- usage ---- */

int
store_usage_add(struct store *st, int64_t tenant_id, int64_t rec_id, const char *kind,
    const char *provider, double amount, double cost, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "INSERT INTO usage (tenant_id, recording_id, kind, provider,"
	    " amount, cost, at, face) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	if (rec_id > 0)
		sdb_bind_int64(s, 2, rec_id);
	sdb_bind_text(s, 3, kind, -1);
	sdb_bind_text(s, 4, provider ? provider : "", -1);
	sdb_bind_double(s, 5, amount);
	sdb_bind_double(s, 6, cost);
	sdb_bind_int64(s, 7, time_now_ms());
	sdb_bind_text(s, 8, st->face, -1);
	int rc = sdb_step(s) == SDB_DONE ? 0 : store_sqlerr(st, err, "recording usage");
	sdb_finalize(s);
	return rc;
}
