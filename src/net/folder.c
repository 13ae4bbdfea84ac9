/*
 * folder.c — the offline "folder" target: the cut video, subtitles,
 * description, thumbnail and a metadata JSON written into
 * <root>/<recording-id>/.  The folder is built beside the final one and
 * swapped in with one rename (RENAME_EXCHANGE when an older copy exists),
 * so readers see the old folder or the new one, never half of it.
 *
 * The publish folder may be shared with other local users, so nothing in it
 * is trusted: every step works relative to a descriptor of the root, the
 * temporary folder has an unguessable name made with mkdirat (which never
 * follows a link), files are created with O_EXCL | O_NOFOLLOW inside it, and
 * a symbolic link (or anything that is not our folder) at the final name is
 * refused with a sentence, never written through, replaced or deleted.
 *
 * The folder is often another disk (a share, a USB drive) that fills up:
 * a failed copy removes its half-built folder, and the error says the
 * disk is full, how much is needed and how to go on.
 *
 * An update (folder_update) rewrites only the changed files inside the
 * published folder, each through a temporary file renamed over the old
 * one; the video is never copied again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "publish.h"
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

/* Removes name under dirfd and what it holds, never following a link: a
 * link is only ever unlinked itself, and only inside our own folders. */
static void
remove_tree_at(int dirfd, const char *name)
{
	struct stat sb;
	if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return;
	if (!S_ISDIR(sb.st_mode)) {
		unlinkat(dirfd, name, 0);
		return;
	}
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			remove_tree_at(fd, e->d_name);   /* fd now belongs to d */
	closedir(d);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* A real folder of ours at name (not a link, not a file, not another
 * user's): 1; nothing there: 0; else -1 with the sentence in err. */
static int
our_folder_at(int rootfd, const char *root, const char *name, int64_t rec_id,
    struct zpub_err *err)
{
	struct stat sb;
	if (fstatat(rootfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return 0;
		zpub_err_set(err, ZPUB_EIO, "cannot look at %s/%s: %s", root, name, strerror(errno));
		return -1;
	}
	const char *what = S_ISLNK(sb.st_mode) ? "a symbolic link" :
	    !S_ISDIR(sb.st_mode) ? "something that is not a folder" :
	    sb.st_uid != geteuid() ? "a folder of another user" : NULL;
	if (what == NULL)
		return 1;
	zpub_err_set(err, ZPUB_EINVAL, "the publish folder %s holds %s at %s/%s, where recording"
	    " %lld's folder goes; zpub never writes through, replaces or deletes it (another user"
	    " of the folder may have put it there): move it away, then 'zpub retry %lld'", root,
	    what, root, name, (long long)rec_id, (long long)rec_id);
	return -1;
}

/* Creates name in dirfd (never through a link, never over anything) and
 * writes buf into it. */
static int
write_new_at(int dirfd, const char *dir, const char *name, const char *buf, size_t len,
    struct zpub_err *err)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = 0, fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd < 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	rc = write_all(fd, buf, len, path, err);
	if (rc == 0 && fsync(fd) != 0)
		rc = zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", path, strerror(errno));
	/* NFS and some FUSE shares report a failed write only here */
	if (close(fd) != 0 && rc == 0)
		rc = zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", path, strerror(errno));
out:
	free(path);
	return rc;
}

static int
copy_into(const char *src, int dirfd, const char *dir, const char *name, cJSON *files,
    struct zpub_err *err)
{
	char *dst = xasprintf("%s/%s", dir, name);
	int rc = 0;
	/* A hard link when the media is on the same disk; else a copy into a
	 * file that did not exist (O_EXCL: never through a planted link). */
	if (linkat(AT_FDCWD, src, dirfd, name, 0) != 0) {
		char buf[1 << 16];
		int in = open(src, O_RDONLY | O_CLOEXEC), out = -1;
		ssize_t k;
		if (in < 0) {
			rc = zpub_err_set(err, ZPUB_EIO, "cannot read %s: %s", src, strerror(errno));
			goto out;
		}
		out = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
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
		struct stat sb;
		cJSON_AddStringToObject(f, "name", name);
		if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
			cJSON_AddNumberToObject(f, "bytes", (double)sb.st_size);
		if (fs_sha256(src, sha, NULL) == 0)   /* the same bytes */
			cJSON_AddStringToObject(f, "sha256", sha);
		cJSON_AddItemToArray(files, f);
	}
out:
	free(dst);
	return rc;
}

/* Half-built (.ID.tmp-*) or swapped-out (.ID.old-*) folders of this
 * recording left by a run that was killed: under the stage's lease nobody
 * else publishes this recording, so they go, giving their space back.  Only
 * our own real folders: a link or another user's entry is left alone. */
static void
sweep_leftovers(int rootfd, int64_t rec_id)
{
	char tpre[40], opre[40];
	int fd = dup(rootfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	snprintf(tpre, sizeof tpre, ".%lld.tmp-", (long long)rec_id);
	snprintf(opre, sizeof opre, ".%lld.old-", (long long)rec_id);
	while ((e = readdir(d)) != NULL) {
		struct stat sb;
		if (strncmp(e->d_name, tpre, strlen(tpre)) != 0 &&
		    strncmp(e->d_name, opre, strlen(opre)) != 0)
			continue;
		if (fstatat(rootfd, e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(sb.st_mode) && sb.st_uid == geteuid())
			remove_tree_at(rootfd, e->d_name);
	}
	closedir(d);
}

/* Makes a folder ".ID.KIND-<random>" in root: mkdirat never follows a link
 * and fails on any existing name, so a planted name is never ours. */
static int
make_private_dir(int rootfd, const char *root, int64_t rec_id, const char *kind, char *name,
    size_t namesz, struct zpub_err *err)
{
	for (int attempt = 0; attempt < 8; attempt++) {
		unsigned char rnd[8];
		char hex[17];
		randombytes_buf(rnd, sizeof rnd);
		sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
		snprintf(name, namesz, ".%lld.%s-%s", (long long)rec_id, kind, hex);
		if (mkdirat(rootfd, name, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	return zpub_err_set(err, ZPUB_EIO, "cannot create a folder in %s: %s", root,
	    strerror(errno));
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

/* Swaps the finished folder tmp in at final, relative to rootfd.  What
 * comes out of an exchange is checked: if a link was planted at final
 * between our look and the rename, it goes back where it was. */
static int
swap_in(int rootfd, const char *root, const char *tmp, const char *final, int64_t rec_id,
    struct zpub_err *err)
{
	int have = our_folder_at(rootfd, root, final, rec_id, err);
	if (have < 0)
		return err->code;
	if (have && renameat2(rootfd, tmp, rootfd, final, RENAME_EXCHANGE) == 0) {
		if (our_folder_at(rootfd, root, tmp, rec_id, err) != 1) {
			struct zpub_err e2;
			renameat2(rootfd, tmp, rootfd, final, RENAME_EXCHANGE);
			our_folder_at(rootfd, root, final, rec_id, &e2);
			*err = e2;
			return err->code;
		}
		remove_tree_at(rootfd, tmp);   /* the earlier publication */
		return 0;
	}
	if (!have || errno == EINVAL || errno == ENOSYS) {
		char old[64];
		if (have) {
			/* No RENAME_EXCHANGE on this file system: the old folder moves
			 * aside to an unguessable name, the new one in, the old one goes. */
			if (make_private_dir(rootfd, root, rec_id, "old", old, sizeof old, err) != 0)
				return err->code;
			if (renameat(rootfd, final, rootfd, old) != 0) {
				int e = errno;
				unlinkat(rootfd, old, AT_REMOVEDIR);
				return zpub_err_set(err, ZPUB_EIO, "cannot move the published folder into"
				    " %s/%s: %s", root, final, strerror(e));
			}
		}
		/* RENAME_NOREPLACE: whatever appeared at final meanwhile stays. */
		int rc = renameat2(rootfd, tmp, rootfd, final, RENAME_NOREPLACE);
		if (rc != 0 && (errno == EINVAL || errno == ENOSYS) &&
		    our_folder_at(rootfd, root, final, rec_id, err) == 0)
			rc = renameat(rootfd, tmp, rootfd, final);
		if (rc != 0) {
			int e = errno;
			if (have)
				renameat2(rootfd, old, rootfd, final, RENAME_NOREPLACE);
			if (our_folder_at(rootfd, root, final, rec_id, err) < 0)
				return err->code;
			return zpub_err_set(err, ZPUB_EIO, "cannot move the published folder into"
			    " %s/%s: %s", root, final, strerror(e));
		}
		if (have)
			remove_tree_at(rootfd, old);
		return 0;
	}
	return zpub_err_set(err, ZPUB_EIO, "cannot move the published folder into %s/%s: %s",
	    root, final, strerror(errno));
}

/* The subtitles, named subtitles.<language>.<srt|vtt>. */
static int
copy_captions(const struct pub_item *in, int tmpfd, const char *tmpdir, cJSON *files,
    struct zpub_err *err)
{
	int rc = 0;

	for (int i = 0; i < in->n_captions && rc == 0; i++) {
		const struct pub_caption *c = &in->captions[i];
		size_t pl = strlen(c->path);
		int srt = pl > 4 && strcasecmp(c->path + pl - 4, ".srt") == 0;
		const char *lang = c->language ? c->language : "und";
		if (!lang_code_ok(lang)) {
			char shown[40];
			rc = zpub_err_set(err, ZPUB_EINVAL, "cannot name the subtitles %s after "
			    "\"%s\": it is not a language code", base_name(c->path),
			    term_escape(lang, shown, sizeof shown));
			break;
		}
		char *cname = xasprintf("subtitles.%s%s", lang, srt ? ".srt" : ".vtt");
		rc = copy_into(c->path, tmpfd, tmpdir, cname, files, err);
		free(cname);
	}
	return rc;
}

/* Fills the new folder: the files, description.txt and metadata.json. */
static int
fill_folder(const struct pub_item *in, int64_t rec_id, int tmpfd, const char *tmpdir,
    struct zpub_err *err)
{
	cJSON *meta = cJSON_CreateObject(), *files;
	char *json = NULL;
	int rc;

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
	rc = copy_into(in->video_path, tmpfd, tmpdir, vname, files, err);
	free(vname);
	if (rc != 0)
		goto done;
	rc = copy_captions(in, tmpfd, tmpdir, files, err);
	if (rc == 0 && in->thumbnail_path) {
		const char *ext = strrchr(base_name(in->thumbnail_path), '.');
		char *tname = xasprintf("thumbnail%s", ext ? ext : ".jpg");
		rc = copy_into(in->thumbnail_path, tmpfd, tmpdir, tname, files, err);
		free(tname);
	}
	if (rc != 0)
		goto done;
	char *dtext = xasprintf("%s\n", in->description);
	rc = write_new_at(tmpfd, tmpdir, "description.txt", dtext, strlen(dtext), err);
	free(dtext);
	if (rc != 0)
		goto done;
	json = cJSON_Print(meta);
	rc = write_new_at(tmpfd, tmpdir, "metadata.json", json, strlen(json), err);
done:
	cJSON_Delete(meta);
	free(json);
	return rc;
}

int
folder_publish(const struct pub_item *in, const char *root, int64_t rec_id,
    struct pub_state *st, struct zpub_err *err)
{
	char final[32], tmp[64] = "", *tmpdir = NULL, *path = NULL;
	int rc, rootfd = -1, tmpfd = -1;

	snprintf(final, sizeof final, "%lld", (long long)rec_id);
	/* The root itself is the operator's setting (it may be a link to a
	 * share); everything under it is reached through this descriptor. */
	if ((rc = fs_mkdir_p(root, 0755, err)) != 0)
		goto out;
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot open the publish folder %s: %s", root,
		    strerror(errno));
		goto out;
	}
	sweep_leftovers(rootfd, rec_id);
	/* Refuse before copying anything when the final name is not ours. */
	if (our_folder_at(rootfd, root, final, rec_id, err) < 0) {
		rc = err->code;
		goto out;
	}
	if ((rc = make_private_dir(rootfd, root, rec_id, "tmp", tmp, sizeof tmp, err)) != 0) {
		tmp[0] = '\0';
		goto out;
	}
	tmpdir = xasprintf("%s/%s", root, tmp);
	tmpfd = openat(rootfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tmpfd < 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot open %s: %s", tmpdir, strerror(errno));
		goto out;
	}
	if ((rc = fill_folder(in, rec_id, tmpfd, tmpdir, err)) != 0)
		goto out;
	fsync(tmpfd);
	if ((rc = swap_in(rootfd, root, tmp, final, rec_id, err)) != 0)
		goto out;
	tmp[0] = '\0';   /* it is the publication now */
	fsync(rootfd);
	path = xasprintf("%s/%s", root, final);
	pub_state_set(&st->remote_id, path);
	char *url = xasprintf("file://%s", path);
	pub_state_set(&st->url, url);
	free(url);
	st->bytes_total = st->bytes_acked = fs_size(in->video_path);
out:
	if (rc != 0) {
		if (rootfd >= 0 && tmp[0])
			remove_tree_at(rootfd, tmp);   /* the half-built folder, and its space */
		if (is_disk_full(err->msg)) {
			char detail[sizeof err->msg];
			snprintf(detail, sizeof detail, "%s", err->msg);
			zpub_err_set(err, ZPUB_EIO, "the disk holding %s is full: %.300s; about %.1f MB"
			    " are needed there for recording %lld: free some space, then 'zpub retry"
			    " %lld'", root, detail, (double)item_bytes(in) / 1e6, (long long)rec_id,
			    (long long)rec_id);
		}
	}
	if (tmpfd >= 0)
		close(tmpfd);
	if (rootfd >= 0)
		close(rootfd);
	free(path);
	free(tmpdir);
	return rc;
}

/* ---- updating a published folder ------------------------------------------------ */

/* Puts buf (or, when buf is NULL, the file src) at name in dirfd: a new
 * file of an unguessable name, renamed over the old one, so a reader sees
 * the old file or the new one; a link planted at name is replaced, never
 * followed. */
static int
replace_at(int dirfd, const char *dir, const char *name, const char *buf, size_t len,
    const char *src, struct zpub_err *err)
{
	unsigned char rnd[8];
	char hex[17], tmp[96];
	int rc;

	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	snprintf(tmp, sizeof tmp, ".%.60s.tmp-%s", name, hex);
	rc = buf ? write_new_at(dirfd, dir, tmp, buf, len, err) :
	    copy_into(src, dirfd, dir, tmp, NULL, err);
	if (rc == 0 && renameat(dirfd, tmp, dirfd, name) != 0)
		rc = zpub_err_set(err, ZPUB_EIO, "cannot replace %s/%s: %s", dir, name,
		    strerror(errno));
	if (rc != 0)
		unlinkat(dirfd, tmp, 0);
	return rc;
}

/* The folder's metadata.json (an empty object when it cannot be read). */
static cJSON *
read_meta_at(int dirfd)
{
	char buf[1 << 16];
	int fd = openat(dirfd, "metadata.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
	cJSON *m = NULL;

	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = '\0';
		m = cJSON_Parse(buf);
	}
	if (!cJSON_IsObject(m)) {
		cJSON_Delete(m);
		m = cJSON_CreateObject();
	}
	return m;
}

/* metadata.json's files[]: the entry of name goes (and comes back, as
 * copy_into records it, when the file is there again). */
static void
meta_file_drop(cJSON *files, const char *name)
{
	for (int i = cJSON_GetArraySize(files) - 1; i >= 0; i--) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(files, i),
		    "name");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			cJSON_DeleteItemFromArray(files, i);
	}
}

/* A subtitle track or the thumbnail, again: the new file in place, its
 * entry in files[] renewed, a file of the other extension gone. */
static int
update_file(int dirfd, const char *dir, const char *name, const char *other, const char *src,
    cJSON *files, struct zpub_err *err)
{
	int rc = replace_at(dirfd, dir, name, NULL, 0, src, err);
	if (rc != 0)
		return rc;
	meta_file_drop(files, name);
	if (other && strcmp(other, name) != 0) {
		unlinkat(dirfd, other, 0);
		meta_file_drop(files, other);
	}
	cJSON *f = cJSON_CreateObject();
	char sha[65];
	cJSON_AddStringToObject(f, "name", name);
	cJSON_AddNumberToObject(f, "bytes", (double)fs_size(src));
	if (fs_sha256(src, sha, NULL) == 0)
		cJSON_AddStringToObject(f, "sha256", sha);
	cJSON_AddItemToArray(files, f);
	return 0;
}

static int
update_captions(const struct pub_item *in, const struct pub_diff *d, int dirfd,
    const char *dir, cJSON *files, struct zpub_err *err)
{
	char name[48], other[48];
	int rc = 0;

	for (int i = 0; i < in->n_captions && rc == 0; i++) {
		const struct pub_caption *c = &in->captions[i];
		const char *lang = c->language ? c->language : "und";
		int changed = 0;
		for (int k = 0; k < d->n_changed; k++)
			changed |= strcmp(d->changed[k], lang) == 0;
		if (!changed || !lang_code_ok(lang))
			continue;
		size_t pl = strlen(c->path);
		int srt = pl > 4 && strcasecmp(c->path + pl - 4, ".srt") == 0;
		snprintf(name, sizeof name, "subtitles.%s%s", lang, srt ? ".srt" : ".vtt");
		snprintf(other, sizeof other, "subtitles.%s%s", lang, srt ? ".vtt" : ".srt");
		rc = update_file(dirfd, dir, name, other, c->path, files, err);
	}
	for (int k = 0; k < d->n_removed && rc == 0; k++) {
		if (!lang_code_ok(d->removed[k]))
			continue;
		for (int srt = 0; srt < 2; srt++) {
			snprintf(name, sizeof name, "subtitles.%s%s", d->removed[k],
			    srt ? ".srt" : ".vtt");
			unlinkat(dirfd, name, 0);
			meta_file_drop(files, name);
		}
	}
	return rc;
}

int
folder_update(const struct pub_item *in, const char *root, int64_t rec_id,
    struct pub_state *st, const cJSON *now, const struct pub_diff *d, struct zpub_err *err)
{
	char final[32], *dir = NULL, *json = NULL;
	int rc = 0, rootfd = -1, dirfd = -1;
	cJSON *meta = NULL, *files;

	snprintf(final, sizeof final, "%lld", (long long)rec_id);
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return zpub_err_set(err, ZPUB_EIO, "cannot open the publish folder %s: %s", root,
		    strerror(errno));
	int have = our_folder_at(rootfd, root, final, rec_id, err);
	if (have == 0)
		rc = zpub_err_set(err, ZPUB_ENOTFOUND, "recording %lld's published folder %s/%s "
		    "is gone; nothing was updated there", (long long)rec_id, root, final);
	if (have < 0)
		rc = err->code;
	if (rc == 0 && (dirfd = openat(rootfd, final, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0)
		rc = zpub_err_set(err, ZPUB_EIO, "cannot open %s/%s: %s", root, final,
		    strerror(errno));
	if (rc != 0)
		goto out;
	dir = xasprintf("%s/%s", root, final);
	meta = read_meta_at(dirfd);
	files = cJSON_GetObjectItemCaseSensitive(meta, "files");
	if (!cJSON_IsArray(files)) {
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "files");
		files = cJSON_AddArrayToObject(meta, "files");
	}
	rc = update_captions(in, d, dirfd, dir, files, err);
	if (rc == 0 && (d->what & PUB_CH_THUMBNAIL) && in->thumbnail_path) {
		const char *ext = strrchr(base_name(in->thumbnail_path), '.');
		char *tname = xasprintf("thumbnail%s", ext ? ext : ".jpg");
		rc = update_file(dirfd, dir, tname, NULL, in->thumbnail_path, files, err);
		free(tname);
	}
	if (rc == 0 && (d->what & PUB_CH_DESCRIPTION)) {
		char *dtext = xasprintf("%s\n", in->description);
		rc = replace_at(dirfd, dir, "description.txt", dtext, strlen(dtext), NULL, err);
		free(dtext);
	}
	if (rc == 0) {
		/* metadata.json last: it names what the folder now holds */
		char iso[32];
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "title");
		cJSON_AddStringToObject(meta, "title", in->title);
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "description");
		cJSON_AddStringToObject(meta, "description", in->description);
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "tags");
		cJSON *tags = cJSON_AddArrayToObject(meta, "tags");
		for (const char *const *tg = in->tags; tg && *tg; tg++)
			cJSON_AddItemToArray(tags, cJSON_CreateString(*tg));
		time_iso(time_now_ms(), iso);
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "updated_at");
		cJSON_AddStringToObject(meta, "updated_at", iso);
		json = cJSON_Print(meta);
		rc = replace_at(dirfd, dir, "metadata.json", json, strlen(json), NULL, err);
	}
	if (rc == 0) {
		fsync(dirfd);
		cJSON_Delete(st->sent);
		st->sent = cJSON_Duplicate(now, 1);
	}
out:
	cJSON_Delete(meta);
	free(json);
	free(dir);
	if (dirfd >= 0)
		close(dirfd);
	close(rootfd);
	return rc;
}
