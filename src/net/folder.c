/*
 * folder.c — the offline "folder" target: the cut video, subtitles,
 * description, thumbnail and a metadata JSON written into
 * <root>/<recording-id>/.  The folder is built beside the final one and
 * swapped in with one rename (RENAME_EXCHANGE when an older copy exists),
 * so readers see the old folder or the new one, never half of it.
 *
 * The folder is often another disk (a share, a USB drive) that fills up:
 * a failed copy removes its half-built folder, and the error says the
 * disk is full, how much is needed and how to go on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/publish.h"
#include "util.h"

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* write(2) may write less than asked (a disk filling up does, before it
 * says ENOSPC): go on until all is written or a real error comes. */
static int
write_all(int fd, const char *buf, size_t len, const char *path, struct zpub_err *err)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", path,
			    n < 0 ? strerror(errno) : "the disk accepted nothing");
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
copy_into(const char *src, const char *dir, const char *name, cJSON *files,
    struct zpub_err *err)
{
	char *dst = xasprintf("%s/%s", dir, name);
	int rc = 0;
	if (link(src, dst) != 0) {
		char buf[1 << 16];
		int in = open(src, O_RDONLY | O_CLOEXEC), out = -1;
		ssize_t k;
		if (in < 0) {
			rc = zpub_err_set(err, ZPUB_EIO, "cannot read %s: %s", src, strerror(errno));
			goto out;
		}
		out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0) {
			close(in);
			rc = zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", dst, strerror(errno));
			goto out;
		}
		while (rc == 0 && (k = read(in, buf, sizeof buf)) > 0)
			rc = write_all(out, buf, (size_t)k, dst, err);
		if (rc == 0 && k < 0)
			rc = zpub_err_set(err, ZPUB_EIO, "cannot read %s: %s", src, strerror(errno));
		if (rc == 0 && fsync(out) != 0)
			rc = zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", dst, strerror(errno));
		close(in);
		/* NFS and some FUSE shares report a failed write only here */
		if (close(out) != 0 && rc == 0)
			rc = zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", dst, strerror(errno));
	}
	if (rc == 0 && files) {
		cJSON *f = cJSON_CreateObject();
		char sha[65];
		cJSON_AddStringToObject(f, "name", name);
		cJSON_AddNumberToObject(f, "bytes", (double)fs_size(dst));
		if (fs_sha256(dst, sha, NULL) == 0)
			cJSON_AddStringToObject(f, "sha256", sha);
		cJSON_AddItemToArray(files, f);
	}
out:
	free(dst);
	return rc;
}

/* Half-built (.ID.tmp-PID) or swapped-out (.ID.old-PID) folders of this
 * recording left by a run that was killed: under the stage's lease nobody
 * else publishes this recording, so they go, giving their space back. */
static void
sweep_leftovers(const char *root, int64_t rec_id)
{
	char tpre[40], opre[40];
	DIR *d = opendir(root);
	struct dirent *e;
	if (d == NULL)
		return;
	snprintf(tpre, sizeof tpre, ".%lld.tmp-", (long long)rec_id);
	snprintf(opre, sizeof opre, ".%lld.old-", (long long)rec_id);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, tpre, strlen(tpre)) != 0 &&
		    strncmp(e->d_name, opre, strlen(opre)) != 0)
			continue;
		char *p = path_join(root, e->d_name);
		fs_remove_tree(p);
		free(p);
	}
	closedir(d);
}

static int64_t
item_bytes(const struct pub_item *in)
{
	int64_t sum = fs_size(in->video_path);
	for (int i = 0; i < in->n_captions; i++)
		sum += fs_size(in->captions[i].path);
	if (in->thumbnail_path)
		sum += fs_size(in->thumbnail_path);
	return sum + strlen(in->description) + 4096;
}

static int
is_disk_full(const char *msg)
{
	return strstr(msg, strerror(ENOSPC)) != NULL || strstr(msg, strerror(EDQUOT)) != NULL;
}

int
folder_publish(const struct pub_item *in, const char *root, int64_t rec_id,
    struct pub_state *st, struct zpub_err *err)
{
	char *final = NULL, *tmp = NULL, *old = NULL, *json = NULL;
	cJSON *meta = NULL, *files;
	int rc;

	final = xasprintf("%s/%lld", root, (long long)rec_id);
	tmp = xasprintf("%s/.%lld.tmp-%d", root, (long long)rec_id, (int)getpid());
	old = xasprintf("%s/.%lld.old-%d", root, (long long)rec_id, (int)getpid());
	sweep_leftovers(root, rec_id);
	if ((rc = fs_mkdir_p(tmp, 0755, err)) != 0)
		goto out;
	meta = cJSON_CreateObject();
	cJSON_AddNumberToObject(meta, "recording_id", (double)rec_id);
	cJSON_AddStringToObject(meta, "title", in->title);
	cJSON_AddStringToObject(meta, "description", in->description);
	cJSON *tags = cJSON_AddArrayToObject(meta, "tags");
	for (const char *const *tg = in->tags; tg && *tg; tg++)
		cJSON_AddItemToArray(tags, cJSON_CreateString(*tg));
	char iso[32];
	time_iso(time_now_ms(), iso);
	cJSON_AddStringToObject(meta, "published_at", iso);
	files = cJSON_AddArrayToObject(meta, "files");
	const char *vext = strrchr(base_name(in->video_path), '.');
	char *vname = xasprintf("video%s", vext ? vext : ".mp4");
	rc = copy_into(in->video_path, tmp, vname, files, err);
	free(vname);
	if (rc != 0)
		goto out;
	for (int i = 0; i < in->n_captions && rc == 0; i++) {
		const struct pub_caption *c = &in->captions[i];
		size_t pl = strlen(c->path);
		int srt = pl > 4 && strcasecmp(c->path + pl - 4, ".srt") == 0;
		const char *lang = c->language ? c->language : "und";
		if (!lang_code_ok(lang)) {
			char shown[40];
			rc = zpub_err_set(err, ZPUB_EINVAL, "cannot name the subtitles %s after "
			    "\"%s\": it is not a language code", base_name(c->path),
			    fname_shown(lang, shown, sizeof shown));
			break;
		}
		char *cname = xasprintf("subtitles.%s%s", lang, srt ? ".srt" : ".vtt");
		rc = copy_into(c->path, tmp, cname, files, err);
		free(cname);
	}
	if (rc == 0 && in->thumbnail_path) {
		const char *ext = strrchr(base_name(in->thumbnail_path), '.');
		char *tname = xasprintf("thumbnail%s", ext ? ext : ".jpg");
		rc = copy_into(in->thumbnail_path, tmp, tname, files, err);
		free(tname);
	}
	if (rc != 0)
		goto out;
	char *dpath = path_join(tmp, "description.txt");
	char *dtext = xasprintf("%s\n", in->description);
	rc = fs_write_atomic(dpath, dtext, strlen(dtext), 0644, err);
	free(dtext);
	free(dpath);
	if (rc != 0)
		goto out;
	json = cJSON_Print(meta);
	char *mpath = path_join(tmp, "metadata.json");
	rc = fs_write_atomic(mpath, json, strlen(json), 0644, err);
	free(mpath);
	if (rc != 0)
		goto out;
	/* swap the finished folder in: exchange with an old one, or rename */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) == 0) {
		fs_remove_tree(tmp);
	} else if (errno == ENOENT && rename(tmp, final) == 0) {
		/* first publication */
	} else if (rename(final, old) == 0) {
		if (rename(tmp, final) != 0) {
			int e = errno;
			rename(old, final);   /* the earlier publication stays in place */
			rc = zpub_err_set(err, ZPUB_EIO, "cannot move the published folder into %s: %s",
			    final, strerror(e));
			goto out;
		}
		fs_remove_tree(old);
	} else {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot move the published folder into %s: %s",
		    final, strerror(errno));
		goto out;
	}
	pub_state_set(&st->remote_id, final);
	char *url = xasprintf("file://%s", final);
	pub_state_set(&st->url, url);
	free(url);
	st->bytes_total = st->bytes_acked = fs_size(in->video_path);
out:
	if (rc != 0) {
		fs_remove_tree(tmp);   /* the half-built folder, and the space it took */
		if (is_disk_full(err->msg)) {
			char detail[sizeof err->msg];
			snprintf(detail, sizeof detail, "%s", err->msg);
			zpub_err_set(err, ZPUB_EIO, "the disk holding %s is full: %.300s; about %.1f MB"
			    " are needed there for recording %lld: free some space, then 'zpub retry"
			    " %lld'", root, detail, (double)item_bytes(in) / 1e6, (long long)rec_id,
			    (long long)rec_id);
		}
	}
	cJSON_Delete(meta);
	free(json);
	free(old);
	free(tmp);
	free(final);
	return rc;
}
