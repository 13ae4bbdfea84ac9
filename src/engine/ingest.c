/*
 * ingest.c — local import: probe, copy with hashing, one transaction.
 */
#include "ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "media.h"
#include "pipeline.h"
#include "store.h"
#include "util.h"

char *
ingest_title_from_name(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *t = xstrdup(base);
	char *dot = strrchr(t, '.');
	if (dot && dot != t)
		*dot = '\0';
	/* Replace control bytes; then invalid UTF-8 bytes by '?'. */
	for (unsigned char *p = (unsigned char *)t; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = ' ';
	size_t len = strlen(t);
	for (size_t i = 0, n; i < len; i += n) {
		uint32_t cp;
		if ((n = utf8_decode(t + i, len - i, &cp)) == 0) {
			t[i] = '?';
			n = 1;
		}
	}
	return t;
}

static const char *
safe_ext(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (dot == NULL || dot == base || strlen(dot) > 6)
		return "bin";
	for (const char *p = dot + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return "bin";
	return dot + 1;
}

int
ingest_find_same(struct store *st, int64_t tenant_id, const char *name, const char *hex,
    int64_t *id, char *note, size_t notesz, struct zpub_err *err)
{
	char *ref = xasprintf("sha256:%s", hex);
	struct store_recording *r = NULL;
	int rc = store_recording_find_content(st, tenant_id, ref, id, err);

	free(ref);
	if (rc == ZPUB_ENOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if ((rc = store_recording_get(st, *id, &r, err)) != 0)
		return rc;
	char day[16] = "?";
	time_t t = (time_t)(r->created_at / 1000);
	struct tm tm;
	if (localtime_r(&t, &tm) != NULL)
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
	snprintf(note, notesz, "'%s' is already recording %lld ('%s'), imported %s",
	    name, (long long)*id, r->title ? r->title : "", day);
	store_recording_free(r);
	return 1;
}

/* media_probe names the file it read; when that was a stand-in (a watch job
 * reads /proc/self/fd/N), the sentence names the user's file instead. */
static void
name_in_err(struct zpub_err *err, const char *path, const char *name)
{
	const char *pb = strrchr(path, '/'), *nb = strrchr(name, '/');
	pb = pb ? pb + 1 : path;
	nb = nb ? nb + 1 : name;
	if (strcmp(pb, nb) == 0)
		return;
	char *from = xasprintf("'%s'", pb);
	char *at = strstr(err->msg, from);
	if (at != NULL) {
		char *msg = xasprintf("%.*s'%s'%s", (int)(at - err->msg), err->msg, nb,
		    at + strlen(from));
		snprintf(err->msg, sizeof err->msg, "%s", msg);
		free(msg);
	}
	free(from);
}

/* What processing would fail on, said at the door with the user's name. */
static int
probe_refuse(const struct media_info *mi, const char *name, struct zpub_err *err)
{
	if (mi->video_index < 0)
		return zpub_err_set(err, ZPUB_EMEDIA, "cannot import '%s': it has no video stream"
		    " (audio only); zpub publishes videos: import the video recording instead", name);
	if (mi->audio_index < 0)
		return zpub_err_set(err, ZPUB_EMEDIA, "cannot import '%s': it has no audio stream;"
		    " zpub needs the sound to cut silences and transcribe", name);
	int64_t want = mi->audio_start_ms + mi->audio_duration_ms;
	if (mi->audio_cut_ms >= 0 && want > 0 && mi->audio_cut_ms + MEDIA_TRUNCATED_MS < want) {
		char a[16], b[16];
		time_hms(mi->audio_cut_ms, a);
		time_hms(want, b);
		return zpub_err_set(err, ZPUB_EMEDIA, "cannot import '%s': it is truncated: its"
		    " audio stops at %s of %s (the copy or download stopped early); copy or"
		    " download it again", name, a, b);
	}
	return 0;
}

/* Copies src to dst (created 0600), hashing on the way, with progress. */
static int
copy_hash(const char *src, const char *dst, int64_t size, char hex[65],
    const struct zpub_progress *prog, struct zpub_err *err)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = 0;
	crypto_hash_sha256_state hs;
	unsigned char digest[crypto_hash_sha256_BYTES];
	size_t bufsz = 1 << 20;
	unsigned char *buf = xmalloc(bufsz);
	int64_t done = 0;

	if (in < 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot read %s: %s", src, strerror(errno));
		goto out;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", dst, strerror(errno));
		goto out;
	}
	crypto_hash_sha256_init(&hs);
	for (;;) {
		ssize_t n = read(in, buf, bufsz);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = zpub_err_set(err, ZPUB_EIO, "cannot read %s: %s", src, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		crypto_hash_sha256_update(&hs, buf, (size_t)n);
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s%s", dst, strerror(errno),
				    errno == ENOSPC ? " (free some space and import again)" : "");
				goto out;
			}
			off += w;
		}
		done += n;
		if (zpub_progress_report(prog, size > 0 ? (double)done / (double)size : -1,
		    "copying")) {
			rc = zpub_err_set(err, ZPUB_ECANCEL, "import of %s cancelled", src);
			goto out;
		}
	}
	if (fsync(out) != 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot flush %s: %s", dst, strerror(errno));
		goto out;
	}
	crypto_hash_sha256_final(&hs, digest);
	sodium_bin2hex(hex, 65, digest, sizeof digest);
out:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	if (rc)
		unlink(dst);
	free(buf);
	return rc;
}

/* One import on its way: what was read of the file and what is made for
 * it; import_clear frees it. */
struct import {
	struct store *st;
	const struct ingest_opts *o;
	const char *path, *name;
	struct stat sb;
	struct media_info *mi;
	char *tenant_dir, *staging, *title, *ref, *meta, *rec_dir, *final;
	char hex[65];
	int moved;
};

/* The file is a regular, non-empty file whose media zpub can use. */
static int
import_check(struct import *im, struct zpub_err *err)
{
	const char *name = im->name;
	int rc;

	if (stat(im->path, &im->sb) != 0)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "cannot import '%s': %s", name,
		    strerror(errno));
	if (!S_ISREG(im->sb.st_mode))
		return zpub_err_set(err, ZPUB_EINVAL, "cannot import '%s': not a regular file", name);
	if (im->sb.st_size == 0)
		return zpub_err_set(err, ZPUB_EMEDIA, "cannot import '%s': the file is empty (0 bytes)",
		    name);
	if ((rc = media_probe(im->path, &im->mi, err)) != 0) {
		name_in_err(err, im->path, name);
		zpub_err_prefix(err, "cannot import '%s'", name);
		return rc;
	}
	return probe_refuse(im->mi, name, err);
}

/* Copies the file into the tenant's folder with its hash, and makes the
 * recording's reference, title and source metadata. */
static int
import_stage(struct import *im, struct zpub_err *err)
{
	int rc;

	im->tenant_dir = xasprintf("%s/media/%s", store_data_dir(im->st), im->o->tenant);
	if ((rc = fs_mkdir_p(im->tenant_dir, 0700, err)) != 0)
		return rc;
	/* the host in the name: on a storage root several hosts share, a
	 * sweep judges only its own host's processes (ingest_sweep) */
	char host[128];
	host_id(host, sizeof host);
	im->staging = xasprintf("%s/.import-%d-%lld.%s.tmp", im->tenant_dir, (int)getpid(),
	    (long long)time_mono_ms(), host);
	if ((rc = copy_hash(im->path, im->staging, (int64_t)im->sb.st_size, im->hex,
	    &im->o->progress, err)) != 0)
		return rc;
	im->ref = xasprintf("sha256:%s", im->hex);
	im->title = im->o->title ? xstrdup(im->o->title) : ingest_title_from_name(im->name);
	cJSON *mj = media_info_to_json(im->mi);
	cJSON_AddStringToObject(mj, "original_name", im->name);
	im->meta = cJSON_PrintUnformatted(mj);
	cJSON_Delete(mj);
	return 0;
}

/* Inside the transaction: the recording row, its folder, the staged file
 * moved in as its source and the source artefact. */
static int
import_add(struct import *im, struct ingest_result *res, struct zpub_err *err)
{
	struct store_recording r;
	int rc;

	memset(&r, 0, sizeof r);
	r.tenant_id = im->o->tenant_id;
	r.source = (char *)im->o->source;
	r.source_ref = im->ref;
	r.title = im->title;
	r.started_at = (int64_t)im->sb.st_mtime * 1000;
	r.duration_ms = im->mi->duration_ms;
	r.status = ST_DOWNLOADED;
	r.source_meta = im->meta;
	if ((rc = store_recording_add(im->st, &r, &res->id, err)) != 0)
		return rc;
	im->rec_dir = xasprintf("%s/%lld", im->tenant_dir, (long long)res->id);
	/* A folder of this id can only be debris of a crashed import: ids are
	 * reused after a rollback, and live imports hold the write lock. */
	fs_remove_tree(im->rec_dir);
	if ((rc = fs_mkdir_p(im->rec_dir, 0700, err)) != 0)
		return rc;
	im->final = xasprintf("%s/source.%s", im->rec_dir, safe_ext(im->name));
	if ((rc = fs_commit(im->staging, im->final, err)) != 0)
		return rc;
	im->moved = 1;
	struct stage_artifact a;
	memset(&a, 0, sizeof a);
	a.kind = (char *)"source";
	a.path = im->final;
	a.bytes = (int64_t)im->sb.st_size;
	memcpy(a.sha256, im->hex, sizeof im->hex);
	a.extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(a.extra, "duration_ms", (double)im->mi->duration_ms);
	rc = store_artifact_add(im->st, res->id, &a, err);
	cJSON_Delete(a.extra);
	return rc;
}

static void
import_clear(struct import *im)
{
	if (im->staging)
		unlink(im->staging);
	media_info_free(im->mi);
	free(im->tenant_dir); free(im->staging); free(im->title); free(im->ref); free(im->meta);
	free(im->rec_dir); free(im->final);
}

int
ingest_file(struct store *st, const char *path, const struct ingest_opts *o,
    struct ingest_result *res, struct zpub_err *err)
{
	struct import im;
	int rc, in_tx = 0;

	memset(&im, 0, sizeof im);
	im.st = st;
	im.o = o;
	im.path = path;
	im.name = o->name ? o->name : path;
	memset(res, 0, sizeof *res);
	if ((rc = import_check(&im, err)) != 0)
		goto out;
	if ((rc = import_stage(&im, err)) != 0)
		goto out;
	if ((rc = store_begin(st, err)) != 0)
		goto out;
	in_tx = 1;
	/* Under the write lock: two ways in cannot both take the same bytes. */
	int64_t old_id;
	int same = ingest_find_same(st, o->tenant_id, im.name, im.hex, &old_id, res->note,
	    sizeof res->note, err);
	if (same < 0) {
		rc = same;
		goto out;
	}
	if (same) {
		store_rollback(st);
		in_tx = 0;
		res->id = old_id;
		res->existed = 1;
		res->duration_ms = im.mi->duration_ms;
		goto out;
	}
	if ((rc = import_add(&im, res, err)) != 0)
		goto out;
	if ((rc = store_commit(st, err)) != 0)
		goto out;
	in_tx = 0;
	res->duration_ms = im.mi->duration_ms;
	log_info("imported '%s' as recording %lld (%lld bytes)", im.name, (long long)res->id,
	    (long long)im.sb.st_size);
out:
	if (in_tx) {
		store_rollback(st);
		if (im.moved)
			unlink(im.final);
		if (im.rec_dir)
			rmdir(im.rec_dir);
		res->id = 0;
	}
	import_clear(&im);
	return rc;
}

static int
pid_alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* A staging file ".import-PID-N[.HOST].tmp" is debris when its process is
 * gone: judged by pid on this host; another host's only when a day old. */
static int
staging_is_debris(const char *path, const char *name, long pid)
{
	const char *dot = strchr(name + strlen(".import-"), '.');
	char me[128];
	host_id(me, sizeof me);
	if (dot && strcmp(dot, ".tmp") != 0) {
		size_t hl = strlen(dot + 1) >= 4 ? strlen(dot + 1) - 4 : 0;
		if (hl != strlen(me) || strncmp(dot + 1, me, hl) != 0) {
			struct stat sb;
			return stat(path, &sb) == 0 && time(NULL) - sb.st_mtime > 86400;
		}
	}
	return !pid_alive(pid);
}

int
ingest_sweep(struct store *st, const char *tenant, struct zpub_err *err)
{
	char *dir = xasprintf("%s/media/%s", store_data_dir(st), tenant);
	DIR *d = opendir(dir);
	int rc = 0;

	if (d == NULL) {
		free(dir);
		return 0;
	}
	/* Under the write lock nobody is between creating a folder and
	 * committing its recording, so any folder without a row is debris.
	 * (On PostgreSQL the lock is taken on the recordings table: no host
	 * commits a new recording until the sweep is done.) */
	if ((rc = store_begin(st, err)) != 0 || (rc = store_lock_new_recordings(st, err)) != 0) {
		store_rollback(st);
		closedir(d);
		free(dir);
		return rc;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		long pid;
		char *p = NULL;
		if (sscanf(e->d_name, ".import-%ld-", &pid) == 1) {
			char *sp = path_join(dir, e->d_name);
			if (!staging_is_debris(sp, e->d_name, pid))
				free(sp);
			else {
				p = sp;
				log_warn("removing a half-copied import left by process %ld: %s", pid, p);
				unlink(p);
			}
		} else if (e->d_name[0] >= '1' && e->d_name[0] <= '9') {
			char *end;
			long long id = strtoll(e->d_name, &end, 10);
			struct store_recording *r = NULL;
			if (*end == '\0' && store_recording_get(st, id, &r, NULL) == ZPUB_ENOTFOUND) {
				p = path_join(dir, e->d_name);
				log_warn("removing the folder of an import that never committed: %s", p);
				fs_remove_tree(p);
			}
			store_recording_free(r);
		}
		free(p);
	}
	closedir(d);
	rc = store_commit(st, err);
	free(dir);
	return rc;
}
