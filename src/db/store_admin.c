/*
 * store_admin.c — SQL for tenants and quotas, templates, jobs, users, usage
 * and audit reports, and the recording updates of the template matcher and
 * the daemon.  See store_admin.h.
 */
#include "store_admin.h"

#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "util.h"

static int64_t
col_i64(struct sdb_stmt *s, int i)
{
	return sdb_column_type(s, i) == SDB_NULL ? 0 : sdb_column_int64(s, i);
}

static void
bind_opt_i64(struct sdb_stmt *s, int i, int64_t v)
{
	if (v > 0)
		sdb_bind_int64(s, i, v);
	else
		sdb_bind_null(s, i);
}

/* Steps an INSERT/UPDATE/DELETE; maps a constraint failure to EINVAL with
 * `dup` as the sentence. */
static int
step_done(struct store *st, struct sdb_stmt *s, const char *what, const char *dup,
    struct zpub_err *err)
{
	int rc = sdb_step(s);
	if (rc == SDB_DONE || rc == SDB_ROW)
		return 0;
	if (dup && sdb_errclass(st->db) >= SDB_E_CONSTRAINT && sdb_errclass(st->db) <= SDB_E_UNIQUE)
		return zpub_err_set(err, ZPUB_EINVAL, "%s", dup);
	return store_sqlerr(st, err, what);
}

/* ---- tenants ---- */

#define TENANT_COLS "id, name, config, quota_storage_bytes, quota_minutes_month," \
	" quota_concurrent, retention_days, created_at"

static void
tenant_row(struct store *st, struct sdb_stmt *s, void *dst)
{
	struct store_tenant *t = dst;
	t->id = sdb_column_int64(s, 0);
	t->name = store_col_str(s, 1);
	t->config = store_col_str(s, 2);
	t->quota_storage_bytes = col_i64(s, 3);
	t->quota_minutes_month = col_i64(s, 4);
	t->quota_concurrent = col_i64(s, 5);
	t->retention_days = col_i64(s, 6);
	t->created_at = col_i64(s, 7);
}

int
store_tenant_get(struct store *st, int64_t id, struct store_tenant *out, struct zpub_err *err)
{
	memset(out, 0, sizeof *out);
	struct sdb_stmt *s = store_prep(st, "SELECT " TENANT_COLS " FROM tenants WHERE id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, id);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		tenant_row(st, s, out);
		rc = 0;
	} else if (rc == SDB_DONE)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no tenant with id %lld", (long long)id);
	else
		rc = store_sqlerr(st, err, "reading a tenant");
	sdb_finalize(s);
	return rc;
}

int
store_tenants(struct store *st, struct store_tenant **out, int *n, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT " TENANT_COLS " FROM tenants ORDER BY name", err);
	if (s == NULL)
		return ZPUB_EDB;
	return store_collect(st, s, sizeof **out, tenant_row, (void **)out, n, "listing tenants", err);
}

int
store_tenant_set_quota(struct store *st, int64_t id, int64_t storage_bytes,
    int64_t minutes_month, int64_t concurrent, int64_t retention_days, struct zpub_err *err)
{
	static const char *const cols[] = { "quota_storage_bytes", "quota_minutes_month",
		"quota_concurrent", "retention_days" };
	int64_t vals[] = { storage_bytes, minutes_month, concurrent, retention_days };
	for (int i = 0; i < 4; i++) {
		if (vals[i] < 0)
			continue;
		char *sql = xasprintf("UPDATE tenants SET %s = ? WHERE id = ?", cols[i]);
		struct sdb_stmt *s = store_prep(st, sql, err);
		free(sql);
		if (s == NULL)
			return ZPUB_EDB;
		bind_opt_i64(s, 1, vals[i]);
		sdb_bind_int64(s, 2, id);
		int rc = step_done(st, s, "setting a quota", NULL, err);
		sdb_finalize(s);
		if (rc)
			return rc;
	}
	return 0;
}

int
store_tenant_set_config(struct store *st, int64_t id, const char *json, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE tenants SET config = ? WHERE id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, json, -1);
	sdb_bind_int64(s, 2, id);
	int rc = step_done(st, s, "changing a tenant's config", NULL, err);
	sdb_finalize(s);
	return rc;
}

void
store_tenant_clear(struct store_tenant *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->config);
	memset(t, 0, sizeof *t);
}

void
store_tenants_free(struct store_tenant *v, int n)
{
	for (int i = 0; v && i < n; i++)
		store_tenant_clear(&v[i]);
	free(v);
}

static int
one_number(struct store *st, struct sdb_stmt *s, double *d, int64_t *i, const char *what,
    struct zpub_err *err)
{
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		if (d)
			*d = sdb_column_double(s, 0);
		if (i)
			*i = col_i64(s, 0);
		return 0;
	}
	return store_sqlerr(st, err, what);
}

int
store_tenant_storage_bytes(struct store *st, int64_t tenant_id, int64_t *bytes,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT COALESCE(SUM(a.bytes), 0) FROM artifacts a"
	    " JOIN recordings r ON r.id = a.recording_id WHERE r.tenant_id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	int rc = one_number(st, s, NULL, bytes, "summing a tenant's storage", err);
	sdb_finalize(s);
	return rc;
}

int
store_usage_sum(struct store *st, int64_t tenant_id, const char *kind, int64_t from_ms,
    int64_t to_ms, double *amount, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT COALESCE(SUM(amount), 0) FROM usage"
	    " WHERE tenant_id = ? AND kind = ? AND at >= ? AND at < ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_text(s, 2, kind, -1);
	sdb_bind_int64(s, 3, from_ms);
	sdb_bind_int64(s, 4, to_ms);
	int rc = one_number(st, s, amount, NULL, "summing usage", err);
	sdb_finalize(s);
	return rc;
}

/* ---- templates ---- */

#define TPL_COLS "id, tenant_id, name, priority, enabled, matching_rules, processing_config," \
	" metadata, output_targets, created_at, updated_at"

static void
template_row(struct store *st, struct sdb_stmt *s, void *dst)
{
	struct store_template *t = dst;
	t->id = sdb_column_int64(s, 0);
	t->tenant_id = sdb_column_int64(s, 1);
	t->name = store_col_str(s, 2);
	t->priority = sdb_column_int(s, 3);
	t->enabled = sdb_column_int(s, 4);
	t->matching_rules = store_col_str(s, 5);
	t->processing_config = store_col_str(s, 6);
	t->metadata = store_col_str(s, 7);
	t->output_targets = store_col_str(s, 8);
	t->created_at = col_i64(s, 9);
	t->updated_at = col_i64(s, 10);
}

static const char *
json_or_empty(const char *s)
{
	return s && *s ? s : "{}";
}

int
store_template_put(struct store *st, const struct store_template *t, int64_t *id,
    struct zpub_err *err)
{
	const char *sql = t->id > 0 ?
	    "UPDATE templates SET name = ?1, priority = ?2, enabled = ?3, matching_rules = ?4,"
	    " processing_config = ?5, metadata = ?6, output_targets = ?7, updated_at = ?8"
	    " WHERE id = ?9 AND tenant_id = ?10" :
	    "INSERT INTO templates (name, priority, enabled, matching_rules, processing_config,"
	    " metadata, output_targets, created_at, updated_at, tenant_id)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?10) RETURNING id";
	struct sdb_stmt *s = store_prep(st, sql, err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, t->name, -1);
	sdb_bind_int(s, 2, t->priority);
	sdb_bind_int(s, 3, t->enabled ? 1 : 0);
	sdb_bind_text(s, 4, json_or_empty(t->matching_rules), -1);
	sdb_bind_text(s, 5, json_or_empty(t->processing_config), -1);
	sdb_bind_text(s, 6, json_or_empty(t->metadata), -1);
	sdb_bind_text(s, 7, json_or_empty(t->output_targets), -1);
	sdb_bind_int64(s, 8, time_now_ms());
	if (t->id > 0)
		sdb_bind_int64(s, 9, t->id);
	sdb_bind_int64(s, 10, t->tenant_id);
	char dup[512];
	snprintf(dup, sizeof dup, "a template named '%s' exists already in this tenant", t->name);
	int rc = step_done(st, s, "saving a template", dup, err);
	if (rc == 0 && id)
		*id = t->id > 0 ? t->id : sdb_column_int64(s, 0);
	sdb_finalize(s);
	return rc;
}

static int
template_get_where(struct store *st, const char *where, int64_t tenant_id, const char *name,
    int64_t id, struct store_template *out, struct zpub_err *err)
{
	memset(out, 0, sizeof *out);
	char *sql = xasprintf("SELECT " TPL_COLS " FROM templates WHERE tenant_id = ? AND %s",
	    where);
	struct sdb_stmt *s = store_prep(st, sql, err);
	free(sql);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	if (name)
		sdb_bind_text(s, 2, name, -1);
	else
		sdb_bind_int64(s, 2, id);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		template_row(st, s, out);
		rc = 0;
	} else if (rc == SDB_DONE) {
		if (name)
			rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no template named '%s' in this tenant"
			    " (see 'zpub template list')", name);
		else
			rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no template %lld in this tenant",
			    (long long)id);
	} else
		rc = store_sqlerr(st, err, "reading a template");
	sdb_finalize(s);
	return rc;
}

int
store_template_get(struct store *st, int64_t tenant_id, const char *name,
    struct store_template *out, struct zpub_err *err)
{
	return template_get_where(st, "name = ?", tenant_id, name, 0, out, err);
}

int
store_template_get_id(struct store *st, int64_t tenant_id, int64_t id,
    struct store_template *out, struct zpub_err *err)
{
	return template_get_where(st, "id = ?", tenant_id, NULL, id, out, err);
}

int
store_templates(struct store *st, int64_t tenant_id, struct store_template **out, int *n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT " TPL_COLS " FROM templates WHERE tenant_id = ?"
	    " ORDER BY priority DESC, id", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	return store_collect(st, s, sizeof **out, template_row, (void **)out, n, "listing templates",
	    err);
}

int
store_template_delete(struct store *st, int64_t tenant_id, int64_t id, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "DELETE FROM templates WHERE id = ? AND tenant_id = ?",
	    err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, id);
	sdb_bind_int64(s, 2, tenant_id);
	int rc = step_done(st, s, "deleting a template", NULL, err);
	sdb_finalize(s);
	if (rc == 0 && sdb_changes(st->db) == 0)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no template %lld in this tenant",
		    (long long)id);
	return rc;
}

void
store_template_clear(struct store_template *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->matching_rules);
	free(t->processing_config);
	free(t->metadata);
	free(t->output_targets);
	memset(t, 0, sizeof *t);
}

void
store_templates_free(struct store_template *v, int n)
{
	for (int i = 0; v && i < n; i++)
		store_template_clear(&v[i]);
	free(v);
}

/* ---- jobs ---- */

#define JOB_COLS "id, tenant_id, name, schedule, config, dry_run, enabled, next_run_at," \
	" last_run_at, created_at, last_result"

static void
job_row(struct store *st, struct sdb_stmt *s, void *dst)
{
	struct store_job *j = dst;
	j->id = sdb_column_int64(s, 0);
	j->tenant_id = sdb_column_int64(s, 1);
	j->name = store_col_str(s, 2);
	j->schedule = store_col_str(s, 3);
	j->config = store_col_str(s, 4);
	j->dry_run = sdb_column_int(s, 5);
	j->enabled = sdb_column_int(s, 6);
	j->next_run_at = col_i64(s, 7);
	j->last_run_at = col_i64(s, 8);
	j->created_at = col_i64(s, 9);
	j->last_result = store_col_str(s, 10);
}

int
store_job_put(struct store *st, const struct store_job *j, int64_t *id, struct zpub_err *err)
{
	const char *sql = j->id > 0 ?
	    "UPDATE jobs SET name = ?1, schedule = ?2, config = ?3, dry_run = ?4, enabled = ?5,"
	    " next_run_at = ?6 WHERE id = ?7 AND tenant_id = ?8" :
	    "INSERT INTO jobs (name, schedule, config, dry_run, enabled, next_run_at, created_at,"
	    " tenant_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?9, ?8) RETURNING id";
	struct sdb_stmt *s = store_prep(st, sql, err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, j->name, -1);
	sdb_bind_text(s, 2, j->schedule, -1);
	sdb_bind_text(s, 3, json_or_empty(j->config), -1);
	sdb_bind_int(s, 4, j->dry_run ? 1 : 0);
	sdb_bind_int(s, 5, j->enabled ? 1 : 0);
	bind_opt_i64(s, 6, j->next_run_at);
	if (j->id > 0)
		sdb_bind_int64(s, 7, j->id);
	sdb_bind_int64(s, 8, j->tenant_id);
	if (j->id <= 0)
		sdb_bind_int64(s, 9, time_now_ms());
	char dup[512];
	snprintf(dup, sizeof dup, "a job named '%s' exists already in this tenant", j->name);
	int rc = step_done(st, s, "saving a job", dup, err);
	if (rc == 0 && id)
		*id = j->id > 0 ? j->id : sdb_column_int64(s, 0);
	sdb_finalize(s);
	return rc;
}

static int
job_get_where(struct store *st, const char *where, int64_t tenant_id, const char *name,
    int64_t id, struct store_job *out, struct zpub_err *err)
{
	memset(out, 0, sizeof *out);
	char *sql = xasprintf("SELECT " JOB_COLS " FROM jobs WHERE tenant_id = ? AND %s", where);
	struct sdb_stmt *s = store_prep(st, sql, err);
	free(sql);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	if (name)
		sdb_bind_text(s, 2, name, -1);
	else
		sdb_bind_int64(s, 2, id);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		job_row(st, s, out);
		rc = 0;
	} else if (rc == SDB_DONE) {
		if (name)
			rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no job named '%s' in this tenant"
			    " (see 'zpub job list')", name);
		else
			rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no job %lld in this tenant",
			    (long long)id);
	} else
		rc = store_sqlerr(st, err, "reading a job");
	sdb_finalize(s);
	return rc;
}

int
store_job_get(struct store *st, int64_t tenant_id, const char *name, struct store_job *out,
    struct zpub_err *err)
{
	return job_get_where(st, "name = ?", tenant_id, name, 0, out, err);
}

int
store_job_get_id(struct store *st, int64_t tenant_id, int64_t id, struct store_job *out,
    struct zpub_err *err)
{
	return job_get_where(st, "id = ?", tenant_id, NULL, id, out, err);
}

int
store_jobs(struct store *st, int64_t tenant_id, struct store_job **out, int *n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, tenant_id != STORE_ALL_TENANTS ?
	    "SELECT " JOB_COLS " FROM jobs WHERE tenant_id = ? ORDER BY name" :
	    "SELECT " JOB_COLS " FROM jobs WHERE ? = " STORE_ALL_TENANTS_SQL
	    " ORDER BY tenant_id, name", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	return store_collect(st, s, sizeof **out, job_row, (void **)out, n, "listing jobs", err);
}

int
store_job_delete(struct store *st, int64_t tenant_id, int64_t id, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "DELETE FROM jobs WHERE id = ? AND tenant_id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, id);
	sdb_bind_int64(s, 2, tenant_id);
	int rc = step_done(st, s, "deleting a job", NULL, err);
	sdb_finalize(s);
	if (rc == 0 && sdb_changes(st->db) == 0)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no job %lld in this tenant", (long long)id);
	return rc;
}

int
store_job_set_next(struct store *st, int64_t id, int64_t next_run_at, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE jobs SET next_run_at = ? WHERE id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	bind_opt_i64(s, 1, next_run_at);
	sdb_bind_int64(s, 2, id);
	int rc = step_done(st, s, "scheduling a job", NULL, err);
	sdb_finalize(s);
	return rc;
}

int
store_job_claim(struct store *st, int64_t id, int64_t due_at, int64_t hold_until,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE jobs SET next_run_at = ? WHERE id = ?"
	    " AND next_run_at = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, hold_until);
	sdb_bind_int64(s, 2, id);
	sdb_bind_int64(s, 3, due_at);
	int rc = step_done(st, s, "claiming a job run", NULL, err);
	sdb_finalize(s);
	return rc ? rc : sdb_changes(st->db) == 1;
}

int
store_job_finish(struct store *st, int64_t id, int64_t ran_at, const char *result,
    int64_t next_run_at, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE jobs SET last_run_at = ?, last_result = ?,"
	    " next_run_at = ? WHERE id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, ran_at);
	sdb_bind_text(s, 2, result, -1);
	bind_opt_i64(s, 3, next_run_at);
	sdb_bind_int64(s, 4, id);
	int rc = step_done(st, s, "recording a job run", NULL, err);
	sdb_finalize(s);
	return rc;
}

void
store_job_clear(struct store_job *j)
{
	if (j == NULL)
		return;
	free(j->name);
	free(j->schedule);
	free(j->config);
	free(j->last_result);
	memset(j, 0, sizeof *j);
}

void
store_jobs_free(struct store_job *v, int n)
{
	for (int i = 0; v && i < n; i++)
		store_job_clear(&v[i]);
	free(v);
}

/* ---- users ---- */

#define USER_COLS "u.id, u.tenant_id, t.name, u.name, u.role, u.token_hash IS NOT NULL," \
	" u.created_at"

static void
user_row(struct store *st, struct sdb_stmt *s, void *dst)
{
	struct store_user *u = dst;
	u->id = sdb_column_int64(s, 0);
	u->tenant_id = sdb_column_int64(s, 1);
	u->tenant = store_col_str(s, 2);
	u->name = store_col_str(s, 3);
	u->role = store_col_str(s, 4);
	u->has_token = sdb_column_int(s, 5);
	u->created_at = col_i64(s, 6);
}

int
store_user_add(struct store *st, int64_t tenant_id, const char *name, const char *role,
    int64_t *id, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "INSERT INTO users (tenant_id, name, role, created_at)"
	    " VALUES (?, ?, ?, ?) RETURNING id", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_text(s, 2, name, -1);
	sdb_bind_text(s, 3, role, -1);
	sdb_bind_int64(s, 4, time_now_ms());
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		if (id)
			*id = sdb_column_int64(s, 0);
		rc = 0;
	} else if (sdb_errclass(st->db) == SDB_E_UNIQUE)
		rc = zpub_err_set(err, ZPUB_EINVAL, "a user named '%s' already exists in this tenant;"
		    " pick another name ('zpub user list' shows them)", name);
	else if (sdb_errclass(st->db) == SDB_E_CONSTRAINT)
		rc = zpub_err_set(err, ZPUB_EINVAL, "the role '%s' is not owner, editor or viewer",
		    role);
	else
		rc = store_sqlerr(st, err, "adding a user");
	sdb_finalize(s);
	return rc;
}

static int
user_update(struct store *st, const char *sql, int64_t tenant_id, const char *name,
    const char *text, const char *what, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, sql, err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_text(s, 2, name, -1);
	if (text)
		sdb_bind_text(s, 3, text, -1);
	int rc = step_done(st, s, what, NULL, err);
	sdb_finalize(s);
	if (rc == 0 && sdb_changes(st->db) == 0)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "no user named '%s' in this tenant"
		    " (see 'zpub user list')", name);
	return rc;
}

int
store_user_set_token_hash(struct store *st, int64_t tenant_id, const char *name,
    const char *token_hash, struct zpub_err *err)
{
	return user_update(st, "UPDATE users SET token_hash = ?3 WHERE tenant_id = ?1 AND"
	    " name = ?2", tenant_id, name, token_hash, "setting a token", err);
}

int
store_user_remove(struct store *st, int64_t tenant_id, const char *name, struct zpub_err *err)
{
	return user_update(st, "DELETE FROM users WHERE tenant_id = ?1 AND name = ?2", tenant_id,
	    name, NULL, "removing a user", err);
}

int
store_users(struct store *st, int64_t tenant_id, struct store_user **out, int *n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT " USER_COLS " FROM users u JOIN tenants t"
	    " ON t.id = u.tenant_id WHERE u.tenant_id = ? ORDER BY u.name", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	return store_collect(st, s, sizeof **out, user_row, (void **)out, n, "listing users", err);
}

int
store_user_by_token_hash(struct store *st, const char *token_hash, struct store_user *out,
    struct zpub_err *err)
{
	memset(out, 0, sizeof *out);
	struct sdb_stmt *s = store_prep(st, "SELECT " USER_COLS " FROM users u JOIN tenants t"
	    " ON t.id = u.tenant_id WHERE u.token_hash = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, token_hash, -1);
	int rc = sdb_step(s);
	if (rc == SDB_ROW) {
		user_row(st, s, out);
		rc = 0;
	} else if (rc == SDB_DONE)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "unknown token");
	else
		rc = store_sqlerr(st, err, "checking a token");
	sdb_finalize(s);
	return rc;
}

void
store_user_clear(struct store_user *u)
{
	if (u == NULL)
		return;
	free(u->tenant);
	free(u->name);
	free(u->role);
	memset(u, 0, sizeof *u);
}

void
store_users_free(struct store_user *v, int n)
{
	for (int i = 0; v && i < n; i++)
		store_user_clear(&v[i]);
	free(v);
}

/* ---- usage and audit ---- */

static void
usage_row(struct store *st, struct sdb_stmt *s, void *dst)
{
	struct store_usage_row *u = dst;
	u->tenant = store_col_str(s, 0);
	u->kind = store_col_str(s, 1);
	u->provider = store_col_str(s, 2);
	u->amount = sdb_column_double(s, 3);
	u->cost = sdb_column_double(s, 4);
	u->count = sdb_column_int64(s, 5);
}

int
store_usage_report(struct store *st, int64_t tenant_id, int64_t from_ms, int64_t to_ms,
    struct store_usage_row **out, int *n, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT t.name, u.kind, u.provider, SUM(u.amount),"
	    " SUM(u.cost), COUNT(*) FROM usage u JOIN tenants t ON t.id = u.tenant_id"
	    " WHERE (?1 = " STORE_ALL_TENANTS_SQL " OR u.tenant_id = ?1) AND u.at >= ?2 AND u.at < ?3"
	    " GROUP BY t.name, u.kind, u.provider ORDER BY t.name, u.kind, u.provider", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_int64(s, 2, from_ms);
	sdb_bind_int64(s, 3, to_ms);
	return store_collect(st, s, sizeof **out, usage_row, (void **)out, n, "reporting usage", err);
}

void
store_usage_rows_free(struct store_usage_row *v, int n)
{
	for (int i = 0; v && i < n; i++) {
		free(v[i].tenant);
		free(v[i].kind);
		free(v[i].provider);
	}
	free(v);
}

static void
audit_row(struct store *st, struct sdb_stmt *s, void *dst)
{
	struct store_audit_row *a = dst;
	a->id = sdb_column_int64(s, 0);
	a->at = col_i64(s, 1);
	a->tenant = store_col_str(s, 2);
	a->actor = store_col_str(s, 3);
	a->action = store_col_str(s, 4);
	a->object = store_col_str(s, 5);
	a->origin = store_col_str(s, 6);
}

int
store_audit_list(struct store *st, int64_t tenant_id, int limit, struct store_audit_row **out,
    int *n, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT a.id, a.at, t.name, a.actor, a.action, a.object,"
	    " a.origin FROM audit a LEFT JOIN tenants t ON t.id = a.tenant_id"
	    " WHERE (?1 = " STORE_ALL_TENANTS_SQL " OR a.tenant_id = ?1) ORDER BY a.id DESC LIMIT ?2", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_int64(s, 2, limit > 0 ? limit : INT64_MAX);	/* no limit */
	return store_collect(st, s, sizeof **out, audit_row, (void **)out, n, "listing the audit log",
	    err);
}

void
store_audit_rows_free(struct store_audit_row *v, int n)
{
	for (int i = 0; v && i < n; i++) {
		free(v[i].tenant);
		free(v[i].actor);
		free(v[i].action);
		free(v[i].object);
		free(v[i].origin);
	}
	free(v);
}

/* ---- recordings ---- */

int
store_recording_set_template(struct store *st, int64_t id, int64_t template_id,
    const char *config_json, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET template_id = ?, config = ?,"
	    " updated_at = ? WHERE id = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	bind_opt_i64(s, 1, template_id);
	sdb_bind_text(s, 2, json_or_empty(config_json), -1);
	sdb_bind_int64(s, 3, time_now_ms());
	sdb_bind_int64(s, 4, id);
	int rc = step_done(st, s, "applying a template", NULL, err);
	sdb_finalize(s);
	return rc;
}

int
store_recording_set_detail(struct store *st, int64_t id, const char *detail,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "UPDATE recordings SET detail = ?, updated_at = ?"
	    " WHERE id = ? AND detail IS DISTINCT FROM ?1", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_text(s, 1, detail, -1);
	sdb_bind_int64(s, 2, time_now_ms());
	sdb_bind_int64(s, 3, id);
	int rc = step_done(st, s, "noting a recording's state", NULL, err);
	sdb_finalize(s);
	return rc;
}

static void
id_row(struct store *st, struct sdb_stmt *s, void *dst)
{
	*(int64_t *)dst = sdb_column_int64(s, 0);
}

int
store_recording_ids_pending(struct store *st, int64_t now_ms, int64_t **ids, int *n,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT id FROM recordings WHERE (status NOT IN"
	    " ('READY', 'SKIPPED', 'EXPIRED', 'FAILED') AND NOT (status = 'TRANSCRIBED' AND"
	    " review_hold = 1)) OR (status = 'FAILED' AND"
	    " next_retry_at IS NOT NULL AND next_retry_at > 0 AND next_retry_at <= ?)"
	    " ORDER BY id", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, now_ms);
	return store_collect(st, s, sizeof **ids, id_row, (void **)ids, n, "finding work", err);
}

int
store_recording_ids_expirable(struct store *st, int64_t tenant_id, int64_t before_ms,
    int64_t **ids, int *n, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT r.id FROM recordings r WHERE r.tenant_id = ?"
	    " AND r.status = 'READY' AND COALESCE(r.published_at, r.updated_at) < ?"
	    " ORDER BY r.id", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, tenant_id);
	sdb_bind_int64(s, 2, before_ms);
	return store_collect(st, s, sizeof **ids, id_row, (void **)ids, n, "finding expired sources",
	    err);
}

int
store_recording_ids_update_pending(struct store *st, int64_t **ids, int *n, struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "SELECT r.id FROM recordings r WHERE r.update_pending = 1"
	    " AND r.status = 'READY' ORDER BY r.id", err);
	if (s == NULL)
		return ZPUB_EDB;
	return store_collect(st, s, sizeof **ids, id_row, (void **)ids, n,
	    "finding recordings to update", err);
}

int
store_artifacts_drop_kind(struct store *st, int64_t rec_id, const char *kind,
    struct zpub_err *err)
{
	struct sdb_stmt *s = store_prep(st, "DELETE FROM artifacts WHERE recording_id = ? AND"
	    " kind = ?", err);
	if (s == NULL)
		return ZPUB_EDB;
	sdb_bind_int64(s, 1, rec_id);
	sdb_bind_text(s, 2, kind, -1);
	int rc = step_done(st, s, "dropping artefacts", NULL, err);
	sdb_finalize(s);
	return rc;
}

