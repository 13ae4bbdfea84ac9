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

int
ingest_file(struct store *st, const char *path, const struct ingest_opts *o,
    struct ingest_result *res, struct zpub_err *err)
{
	struct stat sb;
	struct media_info *mi = NULL;
	char *tenant_dir = NULL, *staging = NULL, *title = NULL, *ref = NULL, *meta = NULL;
	char *rec_dir = NULL, *final = NULL;
	char hex[65];
	int rc, in_tx = 0, moved = 0;

	const char *name = o->name ? o->name : path;
	memset(res, 0, sizeof *res);
	if (stat(path, &sb) != 0)
		return zpub_err_set(err, ZPUB_ENOTFOUND, "cannot import '%s': %s", name,
		    strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return zpub_err_set(err, ZPUB_EINVAL, "cannot import '%s': not a regular file", name);
	if (sb.st_size == 0)
		return zpub_err_set(err, ZPUB_EMEDIA, "cannot import '%s': the file is empty (0 bytes)",
		    name);
	if ((rc = media_probe(path, &mi, err)) != 0) {
		name_in_err(err, path, name);
		zpub_err_prefix(err, "cannot import '%s'", name);
		return rc;
	}
	if ((rc = probe_refuse(mi, name, err)) != 0)
		goto out;

	tenant_dir = xasprintf("%s/media/%s", store_data_dir(st), o->tenant);
	if ((rc = fs_mkdir_p(tenant_dir, 0700, err)) != 0)
		goto out;
	staging = xasprintf("%s/.import-%d-%lld.tmp", tenant_dir, (int)getpid(),
	    (long long)time_mono_ms());
	if ((rc = copy_hash(path, staging, (int64_t)sb.st_size, hex, &o->progress, err)) != 0)
		goto out;

	ref = xasprintf("sha256:%s", hex);
	title = o->title ? xstrdup(o->title) : ingest_title_from_name(name);
	cJSON *mj = media_info_to_json(mi);
	cJSON_AddStringToObject(mj, "original_name", name);
	meta = cJSON_PrintUnformatted(mj);
	cJSON_Delete(mj);

	if ((rc = store_begin(st, err)) != 0)
		goto out;
	in_tx = 1;
	/* Under the write lock: two ways in cannot both take the same bytes. */
	int64_t old_id;
	int same = ingest_find_same(st, o->tenant_id, name, hex, &old_id, res->note,
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
		res->duration_ms = mi->duration_ms;
		goto out;
	}
	struct store_recording r;
	memset(&r, 0, sizeof r);
	r.tenant_id = o->tenant_id;
	r.source = (char *)o->source;
	r.source_ref = ref;
	r.title = title;
	r.started_at = (int64_t)sb.st_mtime * 1000;
	r.duration_ms = mi->duration_ms;
	r.status = ST_DOWNLOADED;
	r.source_meta = meta;
	if ((rc = store_recording_add(st, &r, &res->id, err)) != 0)
		goto out;
	rec_dir = xasprintf("%s/%lld", tenant_dir, (long long)res->id);
	/* A folder of this id can only be debris of a crashed import: ids are
	 * reused after a rollback, and live imports hold the write lock. */
	fs_remove_tree(rec_dir);
	if ((rc = fs_mkdir_p(rec_dir, 0700, err)) != 0)
		goto out;
	final = xasprintf("%s/source.%s", rec_dir, safe_ext(name));
	if ((rc = fs_commit(staging, final, err)) != 0)
		goto out;
	moved = 1;
	struct stage_artifact a;
	memset(&a, 0, sizeof a);
	a.kind = (char *)"source";
	a.path = final;
	a.bytes = (int64_t)sb.st_size;
	memcpy(a.sha256, hex, sizeof hex);
	a.extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(a.extra, "duration_ms", (double)mi->duration_ms);
	rc = store_artifact_add(st, res->id, &a, err);
	cJSON_Delete(a.extra);
	if (rc)
		goto out;
	if ((rc = store_commit(st, err)) != 0)
		goto out;
	in_tx = 0;
	res->duration_ms = mi->duration_ms;
	log_info("imported '%s' as recording %lld (%lld bytes)", name, (long long)res->id,
	    (long long)sb.st_size);
out:
	if (in_tx) {
		store_rollback(st);
		if (moved)
			unlink(final);
		if (rec_dir)
			rmdir(rec_dir);
		res->id = 0;
	}
	if (staging)
		unlink(staging);
	media_info_free(mi);
	free(tenant_dir); free(staging); free(title); free(ref); free(meta);
	free(rec_dir); free(final);
	return rc;
}

static int
pid_alive(long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
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
	 * committing its recording, so any folder without a row is debris. */
	if ((rc = store_begin(st, err)) != 0) {
		closedir(d);
		free(dir);
		return rc;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		long pid;
		char *p = NULL;
		if (sscanf(e->d_name, ".import-%ld-", &pid) == 1) {
			if (!pid_alive(pid)) {
				p = path_join(dir, e->d_name);
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
