/*
 * zoom_download.c — verified, resumable downloads of Zoom recording files,
 * and moving files to Zoom's trash.
 *
 * Nothing Zoom answers is trusted until the file on disk has the size Zoom
 * promised and starts like media: a 200 can be an HTML page, a stale token
 * can earn a 59-byte "Forbidden" body, and a server may answer a Range
 * request with the whole file.  Whatever is not the file is cut off again,
 * so the partial file is always a true prefix to resume from.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "http.h"
#include "zoom.h"
#include "zoom_int.h"
#include "util.h"

/* ---- downloads ------------------------------------------------------------------------ */

const char *
zoom_sniff_media(const unsigned char *b, size_t n)
{
	if (n >= 8 && (memcmp(b + 4, "ftyp", 4) == 0 || memcmp(b + 4, "moov", 4) == 0 ||
	    memcmp(b + 4, "mdat", 4) == 0 || memcmp(b + 4, "wide", 4) == 0 ||
	    memcmp(b + 4, "free", 4) == 0))
		return "mp4";
	if (n >= 3 && memcmp(b, "ID3", 3) == 0)
		return "mp3";
	if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WAVE", 4) == 0)
		return "wav";
	if (n >= 4 && memcmp(b, "OggS", 4) == 0)
		return "ogg";
	if (n >= 4 && memcmp(b, "fLaC", 4) == 0)
		return "flac";
	if (n >= 4 && b[0] == 0x1A && b[1] == 0x45 && b[2] == 0xDF && b[3] == 0xA3)
		return "webm";
	if (n >= 2 && b[0] == 0xFF && (b[1] & 0xF6) == 0xF0)
		return "aac";
	if (n >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0)
		return "mp3";
	return NULL;
}

static int
sniff_file_at(const char *path, int64_t off, const char *prefix, char *what, size_t whatsz)
{
	unsigned char buf[16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;
	if (fd >= 0) {
		n = pread(fd, buf, sizeof buf, (off_t)off);
		close(fd);
	}
	if (n <= 0) {
		snprintf(what, whatsz, "nothing");
		return 0;
	}
	if (prefix) {
		size_t pl = strlen(prefix), b = 0;
		if (off == 0 && n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
			b = 3;   /* UTF-8 byte order mark */
		if (off > 0 || ((size_t)n >= b + pl && memcmp(buf + b, prefix, pl) == 0))
			return 1;  /* the middle of a text file cannot be told apart */
	} else if (zoom_sniff_media(buf, (size_t)n))
		return 1;
	/* Describe what came instead, without printing binary. */
	size_t k = 0;
	while (k < (size_t)n && (buf[k] == ' ' || buf[k] == '\n' || buf[k] == '\r' || buf[k] == '\t'))
		k++;
	if (k < (size_t)n && buf[k] == '<')
		snprintf(what, whatsz, "an HTML page");
	else if (k < (size_t)n && (buf[k] == '{' || buf[k] == '['))
		snprintf(what, whatsz, "a JSON document");
	else if (prefix)
		snprintf(what, whatsz, "text that does not start with %.20s", prefix);
	else
		snprintf(what, whatsz, "data that is not audio or video");
	return 0;
}

/* An ISO BMFF file starts at off (its "ftyp" box): a whole file where a
 * range was expected.  Narrow on purpose: MPEG sync bytes occur in any
 * media by chance, "ftyp" at a given offset practically never. */
static int
ftyp_at(const char *path, int64_t off)
{
	unsigned char b[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;
	if (fd >= 0) {
		n = pread(fd, b, sizeof b, (off_t)off);
		close(fd);
	}
	return n == 8 && memcmp(b + 4, "ftyp", 4) == 0;
}

static int
part_truncate(const char *path, int64_t len, struct zpub_err *err)
{
	if (len <= 0) {
		if (unlink(path) != 0 && errno != ENOENT)
			return zpub_err_set(err, ZPUB_EIO, "cannot remove %s: %s", path, strerror(errno));
		return 0;
	}
	if (truncate(path, (off_t)len) != 0)
		return zpub_err_set(err, ZPUB_EIO, "cannot truncate %s: %s", path, strerror(errno));
	return 0;
}

static void
mb_text(int64_t b, char out[24])
{
	snprintf(out, 24, "%.1f MB", (double)(b > 0 ? b : 0) / 1e6);
}

/* The disk holding the partial file is full (e is ENOSPC or EDQUOT).  What
 * was written is a true prefix and stays to resume from; the runner records
 * the failure (its space reserve makes room for that) and retries later by
 * itself: ZPUB_EIO. */
static int
stop_disk_full(struct zoom_download *d, const char *label, int64_t expected, int e,
    struct zpub_err *err)
{
	int64_t kept = fs_size(d->part_path);
	char kb[24], nb[24];
	if (kept < 0)
		kept = 0;
	mb_text(kept, kb);
	mb_text(expected > kept ? expected - kept : 0, nb);
	log_warn("Zoom download of %s: the disk is full after %lld bytes", label, (long long)kept);
	return zpub_err_set(err, ZPUB_EIO, "the disk is full: the Zoom download of %s stopped"
	    " (%s, writing %s); %s kept to resume from; free %s%s there and zpub resumes it"
	    " ('zpub retry' to start at once)", label, strerror(e), d->part_path, kb,
	    expected > 0 ? "at least " : "some space", expected > 0 ? nb : "");
}

static int
ctype_is_page(const char *ct)
{
	if (ct == NULL)
		return 0;
	return strncasecmp(ct, "text/", 5) == 0 || strcasestr(ct, "html") != NULL ||
	    strcasestr(ct, "json") != NULL || strcasestr(ct, "xml") != NULL;
}

struct dl_prog {
	struct zoom_download *d;
	int64_t have0;
	int64_t t0, last;
	int64_t body_total;     /* Content-Length of the response being read, 0 if unknown */
};

static int
dl_progress(void *ud, int64_t up_now, int64_t up_total, int64_t down_now, int64_t down_total)
{
	struct dl_prog *p = ud;
	(void)up_now;
	(void)up_total;
	if (down_total > 0)
		p->body_total = down_total;
	if (p->d->progress == NULL)
		return 0;
	int64_t now = time_mono_ms();
	if (now - p->last < 200 && down_now > 0)
		return 0;
	p->last = now;
	double secs = (double)(now - p->t0) / 1000.0;
	double rate = secs > 0.05 ? (double)down_now / secs : 0.0;
	return p->d->progress(p->d->progress_ud, p->have0 + down_now, p->d->expected_size, rate);
}

static int
download_loop(struct zoom_client *zc, struct zoom_download *d, struct zpub_err *err)
{
	/* providers.zoom.download_retries: failed attempts in a row (any byte of
	 * progress starts the count again); download_max_requests: all requests
	 * of this call, so a link that moves a few bytes per try still ends.
	 * Two fresh tokens are enough to tell a stale token from a refusal. */
	const int max_retries = zc->download_retries, max_stale = 2;
	const int max_requests = zc->download_max_requests > 0 ? zc->download_max_requests : 40;
	int failures = 0, stale = 0, force = 0, rc = 0;
	char reason[512] = "", what[64];
	const char *label = d->label ? d->label : "a recording";
	int64_t expected = d->expected_size;

	d->range_requests = 0;
	d->token_refreshes = 0;
	int64_t have = fs_size(d->part_path);
	if (have < 0)
		have = 0;
	if (have > 0 && ((expected > 0 && have > expected) ||
	    !sniff_file_at(d->part_path, 0, d->expect_prefix, what, sizeof what))) {
		log_warn("Zoom download of %s: the partial file is not a prefix of the recording;"
		    " starting over", label);
		if ((rc = part_truncate(d->part_path, 0, err)) != 0)
			return rc;
		have = 0;
	}
	d->resumed_from = have;

	for (int attempt = 1;; attempt++) {
		if (expected > 0 && have == expected)
			break;
		if (failures > max_retries || attempt > max_requests)
			return zpub_err_set(err, ZPUB_ENET, "Zoom download of %s did not finish: %s;"
			    " zpub will retry later (%lld of %lld bytes kept for resuming)", label,
			    reason[0] ? reason : "too many attempts", (long long)have,
			    (long long)expected);
		const char *tok;
		if ((rc = zoom_token(zc, force, &tok, err)) != 0)
			return rc;
		if (force)
			d->token_refreshes++;
		force = 0;
		char range[64];
		const char *hdrs[2] = { NULL, NULL };
		if (have > 0) {
			snprintf(range, sizeof range, "Range: bytes=%lld-", (long long)have);
			hdrs[0] = range;
			d->range_requests++;
		}
		/* Our files are 0600 like every artefact; curl only appends. */
		int pfd = open(d->part_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (pfd < 0) {
			int e = errno;
			if (e == ENOSPC || e == EDQUOT)
				return stop_disk_full(d, label, expected, e, err);
			return zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", d->part_path,
			    strerror(e));
		}
		close(pfd);
		struct dl_prog prog = { d, have, time_mono_ms(), 0, 0 };
		struct http_request req = {
			.url = d->url, .headers = hdrs, .bearer = tok,
			.download_path = d->part_path, .download_append = 1,
			.follow_redirects = 1, .low_speed_time_s = 60, .max_body_bytes = 1 << 20,
			.progress = dl_progress, .progress_ud = &prog, .what = "Zoom",
		};
		struct http_response resp = {0};
		struct zpub_err herr = {0};
		int hrc = http_do(zc->http, &req, &resp, &herr);
		int64_t now_size = fs_size(d->part_path);
		if (now_size < 0)
			now_size = 0;
		int64_t added = now_size - have;
		int64_t wait = -1;
		long status = resp.status;

		if (hrc == ZPUB_EIO && (resp.local_errno == ENOSPC || resp.local_errno == EDQUOT)) {
			int e = resp.local_errno;
			http_response_free(&resp);
			return stop_disk_full(d, label, expected, e, err);
		}
		if (hrc == ZPUB_ECANCEL || hrc == ZPUB_EIO || hrc == ZPUB_ENOMEM || hrc == ZPUB_EINVAL) {
			http_response_free(&resp);
			*err = herr;
			return hrc;
		}
		if (hrc != 0) {
			/* The connection broke: keep what came if it was the file. */
			int bad = added > 0 && ((!d->expect_prefix && ctype_is_page(resp.content_type)) ||
			    (have == 0 && !sniff_file_at(d->part_path, 0, d->expect_prefix, what,
			    sizeof what)));
			/* http_do reports no status for a broken transfer, so tell a
			 * resumed range from a whole file (Range ignored) or an error
			 * body by the announced length and the first bytes. */
			if (added > 0 && have > 0 && expected > 0 &&
			    ((prog.body_total > 0 && prog.body_total != expected - have) ||
			    (!d->expect_prefix && ftyp_at(d->part_path, have))))
				bad = 1;
			if (bad || (expected > 0 && now_size > expected)) {
				if ((rc = part_truncate(d->part_path, have, err)) != 0)
					goto fail;
				added = 0;
			}
			snprintf(reason, sizeof reason, "the connection broke after %lld bytes (%s)",
			    (long long)(have + (added > 0 ? added : 0)), resp.curl_error);
			failures = added > 0 ? 0 : failures + 1;
			log_info("Zoom download of %s: %s; resuming", label, reason);
		} else if (resp.status == 401 || resp.status == 403) {
			int code = zoom_error_code(&resp, NULL, 0);
			stale++;
			force = 1;
			snprintf(reason, sizeof reason, "Zoom answered HTTP %ld%s", resp.status,
			    code == 124 ? " (token expired)" : "");
			if (stale > max_stale) {
				char msg[160] = "";
				zoom_error_code(&resp, msg, sizeof msg);
				http_response_free(&resp);
				/* Zoom's download links expire too: a fresh sync has new ones */
				return zpub_err_set(err, ZPUB_EAUTH, "Zoom refused the download of %s: %s%s%s"
				    " even after %d new tokens; the link may have expired: run 'zpub sync"
				    " zoom' for a fresh one and 'zpub retry', or check the app's recording"
				    " scopes, or reconnect with 'zpub auth zoom'", label, reason,
				    msg[0] ? ": " : "", msg, stale - 1);
			}
			log_info("Zoom download of %s: %s; getting a new token", label, reason);
		} else if (resp.status == 404 || resp.status == 410) {
			char msg[200];
			int code = zoom_error_code(&resp, msg, sizeof msg);
			http_response_free(&resp);
			return zpub_err_set(err, ZPUB_ENOTFOUND, "Zoom no longer has %s: deleted upstream"
			    " (HTTP %ld%s%s); nothing to download", label, status, code >= 0 ? ": " : "",
			    code >= 0 ? msg : "");
		} else if (resp.status == 416) {
			snprintf(reason, sizeof reason, "Zoom refused to resume at byte %lld (HTTP 416)",
			    (long long)have);
			if ((rc = part_truncate(d->part_path, 0, err)) != 0)
				goto fail;
			failures++;
		} else if (resp.status == 429 || resp.status == 408 || resp.status >= 500) {
			failures++;
			wait = resp.retry_after_ms;
			snprintf(reason, sizeof reason, "Zoom answered HTTP %ld", resp.status);
			if (wait > zc->max_wait_ms) {
				http_response_free(&resp);
				return zpub_err_set(err, ZPUB_EQUOTA, "Zoom asked to wait %lld s before the"
				    " download of %s (HTTP %ld); zpub will try again later",
				    (long long)(wait / 1000), label, status);
			}
		} else if (resp.status >= 200 && resp.status < 300) {
			int junk = 0;
			if (!d->expect_prefix && ctype_is_page(resp.content_type)) {
				junk = 1;
				snprintf(what, sizeof what, "a page of type %.40s", resp.content_type);
			} else if (have > 0 && resp.status != 206) {
				if (added > 0 && sniff_file_at(d->part_path, have, d->expect_prefix, what,
				    sizeof what)) {
					/* The whole file again, ignoring our Range: start over. */
					log_info("Zoom download of %s: the server ignored Range; starting over",
					    label);
					if ((rc = part_truncate(d->part_path, 0, err)) != 0)
						goto fail;
					now_size = 0;
					failures++;
					snprintf(reason, sizeof reason, "the server ignored the Range request");
				} else {
					junk = 1;
					if (added <= 0)
						snprintf(what, sizeof what, "an empty body");
				}
			} else if (have == 0 && !sniff_file_at(d->part_path, 0, d->expect_prefix, what,
			    sizeof what)) {
				junk = 1;
			}
			if (junk) {
				/* An error dressed as a success, typically a stale token. */
				snprintf(reason, sizeof reason, "Zoom answered HTTP %ld with %lld bytes of %s"
				    " instead of the file", resp.status, (long long)added, what);
				if ((rc = part_truncate(d->part_path, have, err)) != 0)
					goto fail;
				now_size = have;
				stale++;
				force = 1;
				log_info("Zoom download of %s: %s; getting a new token and retrying", label,
				    reason);
				if (stale > max_stale) {
					http_response_free(&resp);
					return zpub_err_set(err, ZPUB_ENET, "Zoom download of %s failed: %s,"
					    " %d times in a row; zpub will retry later", label, reason, stale);
				}
			} else if (expected > 0 && now_size > expected) {
				snprintf(reason, sizeof reason, "Zoom sent %lld bytes, more than the %lld it"
				    " announced", (long long)now_size, (long long)expected);
				if ((rc = part_truncate(d->part_path, 0, err)) != 0)
					goto fail;
				now_size = 0;
				failures++;
			} else if (added > 0) {
				stale = 0;
				if (expected <= 0) {
					have = now_size;
					http_response_free(&resp);
					break;   /* size unknown: a complete 2xx media body is all we get */
				}
				if (now_size < expected) {
					snprintf(reason, sizeof reason, "the body ended after %lld of %lld bytes",
					    (long long)now_size, (long long)expected);
					failures++;
				}
			} else {
				snprintf(reason, sizeof reason, "Zoom answered HTTP %ld with an empty body",
				    resp.status);
				failures++;
			}
		} else {
			char msg[200];
			int code = zoom_error_code(&resp, msg, sizeof msg);
			http_response_free(&resp);
			return zpub_err_set(err, ZPUB_EREMOTE, "Zoom refused the download of %s: HTTP %ld%s%s",
			    label, status, code >= 0 ? ": " : "", code >= 0 ? msg : "");
		}
		http_response_free(&resp);
		have = fs_size(d->part_path);
		if (have < 0)
			have = 0;
		if (expected > 0 && have == expected)
			break;
		if (wait < 0 && !force && (hrc != 0 || failures > 0))
			wait = backoff_ms(failures > 0 ? failures : 1, 250, 5000);
		if (wait > 0)
			sleep_ms(wait);
		continue;
fail:
		http_response_free(&resp);
		return rc;
	}

	/* The final word: size and content. */
	have = fs_size(d->part_path);
	if (expected > 0 && have != expected)
		return zpub_err_set(err, ZPUB_ENET, "Zoom download of %s has %lld bytes, not the %lld"
		    " Zoom announced; zpub will retry", label, (long long)have, (long long)expected);
	if (!sniff_file_at(d->part_path, 0, d->expect_prefix, what, sizeof what)) {
		part_truncate(d->part_path, 0, NULL);
		return zpub_err_set(err, ZPUB_ENET, "Zoom download of %s is %s, not the file;"
		    " zpub will retry", label, what);
	}
	return 0;
}

int
zoom_download_file(struct zoom_client *zc, struct zoom_download *d, struct zpub_err *err)
{
	int rc = download_loop(zc, d, err);
	if (rc != 0 && fs_size(d->part_path) == 0)
		unlink(d->part_path);   /* nothing worth resuming */
	return rc;
}

/* ---- trash ------------------------------------------------------------------------------ */

int
zoom_trash(struct zoom_client *zc, const char *meeting_uuid, const char *file_id,
    struct zpub_err *err)
{
	/* UUIDs that start with '/' or contain "//" must be encoded twice. */
	char *e1 = http_urlencode(meeting_uuid), *e2 = NULL;
	char *fe = file_id ? http_urlencode(file_id) : NULL;
	int twice = meeting_uuid[0] == '/' || strstr(meeting_uuid, "//") != NULL;
	if (twice)
		e2 = http_urlencode(e1);
	char *url = xasprintf("%s/meetings/%s/recordings%s%s?action=trash", zc->api_base,
	    twice ? e2 : e1, fe ? "/" : "", fe ? fe : "");
	int rc = 0;
	struct http_response resp = {0};
	struct http_request req;

	for (int attempt = 0; attempt < 2; attempt++) {
		const char *tok;
		if ((rc = zoom_token(zc, attempt > 0, &tok, err)) != 0)
			break;
		req = (struct http_request){ .method = "DELETE", .url = url, .bearer = tok,
			.timeout_ms = 60000, .what = "Zoom" };
		http_response_free(&resp);
		rc = http_do_retry(zc->http, &req, &resp, &zc->retry, err);
		if (rc != 0 || resp.status != 401)
			break;
	}
	/* 404: already gone (trashed by hand, or deleted) — the goal holds. */
	if (rc == 0 && resp.status != 404)
		rc = http_check(rc, &req, &resp, err);
	http_response_free(&resp);
	free(url);
	free(e1);
	free(e2);
	free(fe);
	return rc;
}
