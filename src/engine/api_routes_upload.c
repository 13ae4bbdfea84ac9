/*
 * api_routes_upload.c — the control API's uploads: a recording's file sent
 * to the server, resumably (POST /uploads, then PUT /uploads/{id} with
 * Content-Range from the offset GET /uploads/{id} says) or in one request
 * (POST /recordings).  The bytes stream to disk (api_stream_*, called by
 * the server before the route runs, so the token, the role, the size limit
 * (api.max_upload_mb) and the tenant's storage quota are checked before
 * one byte is taken); when the last byte is in, the checksum is compared
 * and the file is imported as `zpub import` does (ingest.c).
 *
 * An upload is two files in the tenant's media folder: .uploads/ID.part
 * (the bytes so far: its size is the offset) and .uploads/ID.json (the
 * client's name, the announced size and sha256).  The client's name is
 * only the recording's title and never part of a path.  Uploads of another
 * tenant are not found; stale ones go after api.upload_expiry_h.
 */
#include "api_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_schema.h"
#include "ingest.h"
#include "listener.h"
#include "log.h"
#include "recjson.h"
#include "store.h"
#include "store_admin.h"
#include "template.h"
#include "util.h"

struct upload {
	int64_t id;
	char *dir;             /* <data>/media/<tenant>/.uploads */
	char *tenant;          /* the tenant's folder name */
	char *part, *meta;     /* the two files */
	char *name;            /* the client's file name (title) */
	int64_t size;          /* announced */
	char sha256[65];       /* announced, "" if not */
	int64_t offset;        /* bytes in part */
};

struct api_stream {
	int fd;
	int64_t want, got;     /* bytes this request announced, bytes written */
	int one_shot;          /* POST /recordings: nothing to resume, gone if cut */
	struct upload u;
};

static void
upload_clear(struct upload *u)
{
	free(u->dir);
	free(u->tenant);
	free(u->part);
	free(u->meta);
	free(u->name);
	memset(u, 0, sizeof *u);
}

static void
upload_paths(struct upload *u)
{
	free(u->part);
	free(u->meta);
	u->part = xasprintf("%s/%lld.part", u->dir, (long long)u->id);
	u->meta = xasprintf("%s/%lld.json", u->dir, (long long)u->id);
}

/* The tenant's upload folder (not made). */
static int
upload_dir(struct api *a, int64_t tenant_id, struct upload *u, struct zpub_err *err)
{
	struct store_tenant t;
	int rc;
	if ((rc = store_tenant_get(a->st, tenant_id, &t, err)) != 0)
		return rc;
	u->tenant = xstrdup(t.name);
	u->dir = xasprintf("%s/media/%s/.uploads", store_data_dir(a->st), t.name);
	store_tenant_clear(&t);
	return 0;
}

/* Upload id of the caller's tenant, read from its files; ZPUB_ENOTFOUND
 * when that tenant has no such upload. */
static int
upload_load(struct api *a, int64_t tenant_id, int64_t id, struct upload *u,
    struct zpub_err *err)
{
	char *txt = NULL;
	size_t len = 0;
	int rc;

	memset(u, 0, sizeof *u);
	u->id = id;
	if ((rc = upload_dir(a, tenant_id, u, err)) != 0)
		return rc;
	upload_paths(u);
	if (fs_read_all(u->meta, &txt, &len, NULL) != 0 || (u->offset = fs_size(u->part)) < 0)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "no upload %lld in your tenant (finished,"
		    " abandoned or expired: start a new one with POST /uploads)", (long long)id);
	cJSON *j = cJSON_ParseWithLength(txt, len);
	free(txt);
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "name");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "size");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(j, "sha256");
	if (!cJSON_IsString(n) || !cJSON_IsNumber(s)) {
		cJSON_Delete(j);
		return zpub_err_set(err, ZPUB_EIO, "upload %lld's record %s is damaged; abandon it"
		    " with DELETE /uploads/%lld", (long long)id, u->meta, (long long)id);
	}
	u->name = xstrdup(n->valuestring);
	u->size = (int64_t)s->valuedouble;
	if (cJSON_IsString(h))
		snprintf(u->sha256, sizeof u->sha256, "%s", h->valuestring);
	cJSON_Delete(j);
	return 0;
}

static void
upload_remove(const struct upload *u)
{
	if (u->part)
		unlink(u->part);
	if (u->meta)
		unlink(u->meta);
}

static cJSON *
upload_json(const struct upload *u)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "id", (double)u->id);
	cJSON_AddStringToObject(j, "name", u->name);
	cJSON_AddNumberToObject(j, "size", (double)u->size);
	cJSON_AddNumberToObject(j, "offset", (double)u->offset);
	if (u->sha256[0])
		cJSON_AddStringToObject(j, "sha256", u->sha256);
	else
		cJSON_AddNullToObject(j, "sha256");
	char url[64];
	snprintf(url, sizeof url, "/uploads/%lld", (long long)u->id);
	cJSON_AddStringToObject(j, "url", url);
	return j;
}

/* An error answer that also says where to resume. */
static void
reply_offset(struct api_response *out, int status, const struct upload *u, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));
static void
reply_offset(struct api_response *out, int status, const struct upload *u, const char *fmt,
    ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON *j = upload_json(u);
	cJSON_AddStringToObject(j, "error", msg);
	reply_json(out, status, j);
}

/* Partial uploads in dir untouched for longer than max_age_ms go. */
static void
expire_dir(const char *dir, int64_t max_age_ms)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int64_t now = time_now_ms();
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long long id = strtoll(e->d_name, &end, 10);
		struct stat sb;
		if (id <= 0 || strcmp(end, ".part") != 0)
			continue;
		char *part = path_join(dir, e->d_name);
		char *meta = xasprintf("%s/%lld.json", dir, id);
		if (stat(part, &sb) == 0 && now - (int64_t)sb.st_mtime * 1000 > max_age_ms) {
			log_info("api: upload %lld expired (untouched since %lld s); removing it", id,
			    (long long)sb.st_mtime);
			unlink(part);
			unlink(meta);
		}
		free(part);
		free(meta);
	}
	closedir(d);
}

static int64_t
expiry_ms(const cJSON *config)
{
	int64_t h = 24;
	zs_int(config, "api.upload_expiry_h", &h, NULL);
	return h * 3600000;
}

void
api_uploads_expire(struct store *st, const cJSON *config)
{
	struct store_tenant *tv = NULL;
	int n = 0;
	if (store_tenants(st, &tv, &n, NULL) != 0)
		return;
	for (int i = 0; i < n; i++) {
		char *dir = xasprintf("%s/media/%s/.uploads", store_data_dir(st), tv[i].name);
		expire_dir(dir, expiry_ms(config));
		free(dir);
	}
	store_tenants_free(tv, n);
}

/* Bytes the other uploads of the folder announced (they will need them). */
static int64_t
pending_bytes(const char *dir, int64_t except)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int64_t sum = 0;
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char *end;
		long long id = strtoll(e->d_name, &end, 10);
		if (id <= 0 || id == except || strcmp(end, ".json") != 0)
			continue;
		char *p = path_join(dir, e->d_name), *txt = NULL;
		size_t len;
		if (fs_read_all(p, &txt, &len, NULL) == 0) {
			cJSON *j = cJSON_ParseWithLength(txt, len);
			const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "size");
			if (cJSON_IsNumber(s) && s->valuedouble > 0)
				sum += (int64_t)s->valuedouble;
			cJSON_Delete(j);
		}
		free(txt);
		free(p);
	}
	closedir(d);
	return sum;
}

/* size bytes more fit api.max_upload_mb and the tenant's storage quota
 * (its artefacts plus the other uploads on their way); 413 otherwise. */
static int
upload_fits(struct api *a, int64_t tenant_id, const struct upload *u, int64_t size,
    struct api_response *out)
{
	int64_t max_mb = 4096, used = 0;
	struct store_tenant t;
	struct zpub_err err;

	zs_int(a->config, "api.max_upload_mb", &max_mb, NULL);
	if (size > max_mb * 1048576) {
		reply_error(out, 413, "the file is %lld bytes; this server takes uploads of at most"
		    " %lld MB (api.max_upload_mb)", (long long)size, (long long)max_mb);
		return -1;
	}
	if (store_tenant_get(a->st, tenant_id, &t, &err) != 0) {
		reply_err(out, &err);
		return -1;
	}
	int64_t quota = t.quota_storage_bytes;
	store_tenant_clear(&t);
	if (quota <= 0)
		return 0;
	if (store_tenant_storage_bytes(a->st, tenant_id, &used, &err) != 0) {
		reply_err(out, &err);
		return -1;
	}
	int64_t pending = pending_bytes(u->dir, u->id);
	if (used + pending + size > quota) {
		reply_error(out, 413, "the tenant's storage quota is %lld bytes and %lld are used"
		    " (%lld more by uploads under way); %lld more do not fit: delete recordings or"
		    " ask the operator to raise the quota", (long long)quota, (long long)used,
		    (long long)pending, (long long)size);
		return -1;
	}
	return 0;
}

/* A client's file name: UTF-8 text of 1 to 255 bytes, no control
 * characters.  It only ever becomes a title. */
static int
name_ok(const char *name, struct api_response *out)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > 255) {
		reply_error(out, 400, "name must be the file's name, 1 to 255 bytes");
		return 0;
	}
	if (!utf8_valid(name, n)) {
		reply_error(out, 400, "name is not valid UTF-8");
		return 0;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f) {
			reply_error(out, 400, "name holds a control character");
			return 0;
		}
	return 1;
}

/* 64 hex digits, lowered into out. */
static int
sha256_ok(const char *s, char out[65])
{
	if (s == NULL || strlen(s) != 64)
		return 0;
	for (int i = 0; i < 64; i++) {
		char ch = s[i];
		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return 0;
		out[i] = ch;
	}
	out[64] = '\0';
	return 1;
}

/* A new upload of the caller's tenant: its folder, an empty part and its
 * record.  u->name, size and sha256 are set by the caller. */
static int
upload_create(struct api *a, const struct api_caller *c, struct upload *u,
    struct api_response *out)
{
	struct zpub_err err;
	unsigned char rnd[8];
	uint64_t v;

	if (upload_dir(a, c->tenant_id, u, &err) != 0 || fs_mkdir_p(u->dir, 0700, &err) != 0) {
		reply_err(out, &err);
		return -1;
	}
	expire_dir(u->dir, expiry_ms(a->config));
	if (upload_fits(a, c->tenant_id, u, u->size, out) != 0)
		return -1;
	for (int tries = 0;; tries++) {
		randombytes_buf(rnd, sizeof rnd);
		memcpy(&v, rnd, sizeof v);
		u->id = (int64_t)(v % 900000000000000ULL) + 100000000000000LL; /* 15 digits */
		upload_paths(u);
		int fd = open(u->part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			break;
		}
		if (errno != EEXIST || tries > 8) {
			reply_error(out, 500, "cannot make the upload's file %s: %s", u->part,
			    strerror(errno));
			return -1;
		}
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "name", u->name);
	cJSON_AddNumberToObject(j, "size", (double)u->size);
	if (u->sha256[0])
		cJSON_AddStringToObject(j, "sha256", u->sha256);
	cJSON_AddStringToObject(j, "by", c->name);
	cJSON_AddNumberToObject(j, "created_at", (double)time_now_ms());
	char *txt = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	int rc = fs_write_atomic(u->meta, txt, strlen(txt), 0600, &err);
	cJSON_free(txt);
	if (rc != 0) {
		unlink(u->part);
		reply_err(out, &err);
		return -1;
	}
	audit_note(a->st, &c->who, "upload", "upload %lld ('%s', %lld bytes)", (long long)u->id,
	    u->name, (long long)u->size);
	return 0;
}

void
h_upload_create(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct upload u;
	(void)id;
	memset(&u, 0, sizeof u);
	cJSON *j = body_object(r, out);
	if (j == NULL)
		return;
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(j, "name");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "size");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(j, "sha256");
	for (const cJSON *f = j->child; f != NULL; f = f->next)
		if (strcmp(f->string, "name") != 0 && strcmp(f->string, "size") != 0 &&
		    strcmp(f->string, "sha256") != 0) {
			reply_error(out, 400, "unknown field '%s' (name, size, sha256)", f->string);
			goto out;
		}
	if (!cJSON_IsString(n) || !name_ok(n->valuestring, out)) {
		if (out->body == NULL)
			reply_error(out, 400, "name must be a string: the file's name");
		goto out;
	}
	if (!cJSON_IsNumber(s) || s->valuedouble < 1 || s->valuedouble > 9e15 ||
	    s->valuedouble != (double)(int64_t)s->valuedouble) {
		reply_error(out, 400, "size must be the file's size in bytes (a whole number > 0)");
		goto out;
	}
	if (h != NULL && !cJSON_IsNull(h) && !(cJSON_IsString(h) &&
	    sha256_ok(h->valuestring, u.sha256))) {
		reply_error(out, 400, "sha256 must be the file's SHA-256 as 64 hex digits");
		goto out;
	}
	u.name = xstrdup(n->valuestring);
	u.size = (int64_t)s->valuedouble;
	if (upload_create(a, c, &u, out) == 0)
		reply_json(out, 201, upload_json(&u));
out:
	cJSON_Delete(j);
	upload_clear(&u);
}

void
h_upload_show(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct upload u;
	struct zpub_err err;
	(void)r;
	if (upload_load(a, c->tenant_id, id, &u, &err) != 0)
		reply_error(out, 404, "%s", err.msg);
	else
		reply_json(out, 200, upload_json(&u));
	upload_clear(&u);
}

void
h_upload_delete(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	struct upload u;
	struct zpub_err err;
	(void)r;
	if (upload_load(a, c->tenant_id, id, &u, &err) != 0) {
		reply_error(out, 404, "%s", err.msg);
	} else {
		upload_remove(&u);
		audit_note(a->st, &c->who, "upload_abandon", "upload %lld ('%s')", (long long)id,
		    u.name);
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "id", (double)id);
		cJSON_AddBoolToObject(j, "deleted", 1);
		reply_json(out, 200, j);
	}
	upload_clear(&u);
}

/* ---- the streamed body ---- */

static struct api_caller
caller_of(const struct api_call *call, const struct api_request *r)
{
	struct api_caller c;
	memset(&c, 0, sizeof c);
	c.tenant_id = call->tenant_id;
	c.role = (enum api_role)call->role;
	snprintf(c.name, sizeof c.name, "%s", call->name);
	c.who.kind = ACTOR_API;
	c.who.tenant_id = call->tenant_id;
	snprintf(c.who.user, sizeof c.who.user, "%s", call->name);
	snprintf(c.who.from, sizeof c.who.from, "%s", r->peer ? r->peer : "");
	return c;
}

/* Opens the part for writing at its end, which must be first; one writer
 * at a time. */
static int
stream_open_part(struct api_stream *s, int64_t first, struct api_response *out)
{
	struct stat sb;
	s->fd = open(s->u.part, O_WRONLY | O_CLOEXEC);
	if (s->fd < 0) {
		reply_error(out, 404, "upload %lld is gone (abandoned or expired)",
		    (long long)s->u.id);
		return -1;
	}
	if (flock(s->fd, LOCK_EX | LOCK_NB) != 0) {
		reply_offset(out, 409, &s->u, "another request is sending bytes of upload %lld;"
		    " wait for it to end, then resume from the offset GET /uploads/%lld says",
		    (long long)s->u.id, (long long)s->u.id);
		return -1;
	}
	if (fstat(s->fd, &sb) != 0 || (int64_t)sb.st_size != first ||
	    lseek(s->fd, (off_t)first, SEEK_SET) < 0) {
		s->u.offset = fstat(s->fd, &sb) == 0 ? (int64_t)sb.st_size : s->u.offset;
		reply_offset(out, 409, &s->u, "the upload's offset moved to %lld; resume from there",
		    (long long)s->u.offset);
		return -1;
	}
	return 0;
}

/* PUT /uploads/{id}: Content-Range must start at the offset. */
static int
stream_open_put(struct api *a, const struct api_request *r, const struct api_call *call,
    struct api_stream *s, struct api_response *out)
{
	struct zpub_err err;
	int64_t first, last, size;

	if (upload_load(a, call->tenant_id, call->id, &s->u, &err) != 0) {
		reply_error(out, 404, "%s", err.msg);
		return -1;
	}
	int cr = lsn_content_range_parse(r->content_range, &first, &last, &size);
	if (cr < 0) {
		reply_offset(out, 400, &s->u, "send the bytes with 'Content-Range: bytes"
		    " START-END/%lld' (START = the offset, %lld)", (long long)s->u.size,
		    (long long)s->u.offset);
		return -1;
	}
	if (size != s->u.size) {
		reply_offset(out, 400, &s->u, "Content-Range says the file has %lld bytes; the"
		    " upload was started for %lld", (long long)size, (long long)s->u.size);
		return -1;
	}
	if (cr == 0 && s->u.offset < s->u.size) {
		/* "bytes * /SIZE": asks where to resume */
		reply_json(out, 200, upload_json(&s->u));
		return -1;
	}
	if (cr == 0) {
		/* every byte is in but was never imported (the answer was lost):
		 * an empty body finishes it */
		s->want = 0;
		return stream_open_part(s, s->u.offset, out);
	}
	if (first != s->u.offset) {
		reply_offset(out, s->u.offset >= s->u.size ? 416 : 409, &s->u, "these bytes start"
		    " at %lld but the server has %lld of upload %lld; send from byte %lld",
		    (long long)first, (long long)s->u.offset, (long long)s->u.id,
		    (long long)s->u.offset);
		return -1;
	}
	s->want = last - first + 1;
	if (r->content_length >= 0 && r->content_length != s->want) {
		reply_offset(out, 400, &s->u, "Content-Length %lld does not match Content-Range"
		    " (%lld bytes)", (long long)r->content_length, (long long)s->want);
		return -1;
	}
	/* the quota may have shrunk, or other files grown, since it started */
	if (upload_fits(a, call->tenant_id, &s->u, s->u.size - s->u.offset, out) != 0)
		return -1;
	return stream_open_part(s, first, out);
}

/* POST /recordings: a new upload of Content-Length bytes named ?name=. */
static int
stream_open_post(struct api *a, const struct api_request *r, const struct api_call *call,
    struct api_stream *s, struct api_response *out)
{
	struct api_caller c = caller_of(call, r);
	char *name = lsn_query_get(r->query, "name");
	int rc = -1;

	if (!name_ok(name, out))
		goto out;
	if (r->content_length < 1) {
		reply_error(out, r->content_length < 0 ? 411 : 400, "send the file as the body with"
		    " its Content-Length (for a file sent in parts use POST /uploads)");
		goto out;
	}
	if (r->checksum != NULL && !sha256_ok(r->checksum, s->u.sha256)) {
		reply_error(out, 400, "X-Zpub-Sha256 must be the file's SHA-256 as 64 hex digits");
		goto out;
	}
	s->u.name = name;
	name = NULL;
	s->u.size = r->content_length;
	if (upload_create(a, &c, &s->u, out) != 0)
		goto out;
	s->one_shot = 1;
	s->want = s->u.size;
	if ((rc = stream_open_part(s, 0, out)) != 0)
		upload_remove(&s->u);
out:
	free(name);
	return rc;
}

int
api_stream_open(struct api *a, const struct api_request *r, const struct api_call *call,
    struct api_stream **sp, struct api_streamed *result, struct api_response *out)
{
	struct api_stream *s = xcalloc(1, sizeof *s);
	int rc;

	memset(out, 0, sizeof *out);
	s->fd = -1;
	*sp = NULL;
	if (call->route >= 0 && call->id > 0)
		rc = stream_open_put(a, r, call, s, out);
	else
		rc = stream_open_post(a, r, call, s, out);
	if (rc != 0) {
		if (s->fd >= 0)
			close(s->fd);
		upload_clear(&s->u);
		free(s);
		return -1;
	}
	memset(result, 0, sizeof *result);
	result->call = *call;
	result->upload_id = s->u.id;
	result->max_bytes = s->want;
	*sp = s;
	return 0;
}

int
api_stream_write(struct api_stream *s, const char *at, size_t n, struct api_response *out)
{
	memset(out, 0, sizeof *out);
	if (s->got + (int64_t)n > s->want) {
		reply_error(out, 413, "the body is longer than its Content-Range said");
		return -1;
	}
	while (n > 0) {
		ssize_t w = write(s->fd, at, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			reply_error(out, errno == ENOSPC ? 507 : 500, "cannot store the upload's bytes:"
			    " %s; resume later from the offset GET /uploads/%lld says",
			    strerror(errno), (long long)s->u.id);
			return -1;
		}
		at += w;
		n -= (size_t)w;
		s->got += w;
	}
	return 0;
}

int
api_stream_end(struct api_stream *s, int complete, struct api_response *out)
{
	int rc = 0;
	memset(out, 0, sizeof *out);
	if (s->fd >= 0 && fsync(s->fd) != 0 && complete) {
		reply_error(out, 500, "cannot store the upload's bytes: %s", strerror(errno));
		rc = -1;
	}
	if (rc == 0 && complete && s->got != s->want) {
		reply_error(out, 400, "the body had %lld bytes; its Content-Range announced %lld",
		    (long long)s->got, (long long)s->want);
		rc = -1;
	}
	if (s->fd >= 0)
		close(s->fd);
	if (!complete && s->one_shot) {
		upload_remove(&s->u);
	} else if (!complete) {
		log_info("api: upload %lld cut off after %lld more bytes; it resumes from %lld",
		    (long long)s->u.id, (long long)s->got, (long long)(s->u.offset + s->got));
	}
	upload_clear(&s->u);
	free(s);
	return rc;
}

/* ---- the last byte: checksum and import ---- */

static void
upload_finish(struct api *a, const struct api_caller *c, struct upload *u,
    struct api_response *out)
{
	struct zpub_err err;
	struct ingest_result res;
	char hex[65];

	if (fs_sha256(u->part, hex, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	if (u->sha256[0] && strcmp(hex, u->sha256) != 0) {
		upload_remove(u);
		audit_note(a->st, &c->who, "upload_refused", "upload %lld ('%s'): checksum mismatch",
		    (long long)u->id, u->name);
		reply_error(out, 422, "checksum mismatch: the %lld bytes received hash to SHA-256 %s,"
		    " not %s as announced; the upload is discarded: upload the file again",
		    (long long)u->size, hex, u->sha256);
		return;
	}
	struct ingest_opts o = { c->tenant_id, u->tenant, NULL, "local", { NULL, NULL },
		u->name };
	int rc = ingest_file(a->st, u->part, &o, &res, &err);
	upload_remove(u);
	if (rc != 0) {
		reply_error(out, err.code == ZPUB_EMEDIA || err.code == ZPUB_EINVAL ? 422 :
		    err.code == ZPUB_ENOTFOUND ? 500 : 500, "%s", err.msg);
		return;
	}
	if (!res.existed && tpl_apply(a->st, res.id, NULL, &err) != 0)
		log_warn("api: recording %lld: no template applied: %s", (long long)res.id, err.msg);
	if (!res.existed)
		audit_note(a->st, &c->who, "import", "recording %lld ('%s', uploaded)",
		    (long long)res.id, u->name);
	struct store_recording *rec = NULL;
	if (store_recording_get(a->st, res.id, &rec, &err) != 0) {
		reply_err(out, &err);
		return;
	}
	cJSON *j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "recording", recjson_recording(rec));
	cJSON_AddBoolToObject(j, "existed", res.existed);
	if (res.existed)
		cJSON_AddStringToObject(j, "note", res.note);
	store_recording_free(rec);
	reply_json(out, res.existed ? 200 : 201, j);
}

/* The route after a streamed body: the upload's state, or its import. */
static void
upload_after_stream(struct api *a, const struct api_request *r, const struct api_caller *c,
    struct api_response *out)
{
	struct upload u;
	struct zpub_err err;
	if (r->stream == NULL) {
		reply_error(out, 500, "internal error: this route needs its body streamed");
		return;
	}
	if (upload_load(a, c->tenant_id, r->stream->upload_id, &u, &err) != 0)
		reply_error(out, 404, "%s", err.msg);
	else if (u.offset < u.size)
		reply_json(out, 200, upload_json(&u));
	else
		upload_finish(a, c, &u, out);
	upload_clear(&u);
}

void
h_upload_put(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)id;
	upload_after_stream(a, r, c, out);
}

void
h_rec_upload(struct api *a, const struct api_request *r, const struct api_caller *c,
    int64_t id, struct api_response *out)
{
	(void)id;
	upload_after_stream(a, r, c, out);
}
