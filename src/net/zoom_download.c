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

/* Two fresh tokens are enough to tell a stale token from a refusal. */
#define DL_MAX_STALE 2

/* One download, from attempt to attempt. */
struct dl_state {
	struct zoom_client *zc;
	struct zoom_download *d;
	const char *label;
	int64_t expected;       /* the size Zoom promised, 0 if unknown */
	int64_t have;           /* bytes on disk before this attempt */
	int failures;           /* failed attempts in a row */
	int stale;              /* answers that looked like a stale token, in a row */
	int force;              /* ask for a fresh token next time */
	int hook_refused;       /* Zoom refused the webhook's download_token */
	int done;               /* the file is complete as far as can be told */
	char reason[512];       /* why the last attempt did not finish */
	char what[64];          /* what came instead of the file */
};

/* What one request brought. */
struct dl_try {
	int hrc;
	struct http_response resp;
	struct zpub_err herr;
	int64_t now_size;       /* the part file's size after the request */
	int64_t added;          /* now_size - have: negative once cut back */
	int64_t body_total;     /* the Content-Length announced, 0 if unknown */
	int64_t wait;           /* ms to wait before the next try; -1: back off */
};

/* How an attempt ended, in the order the checks are made. */
enum dl_outcome {
	DL_DISK_FULL,           /* our disk filled up while writing */
	DL_LOCAL,               /* cancelled, or a local error: stop with it */
	DL_BROKEN,              /* the connection broke */
	DL_AUTH,                /* 401, 403: a stale token or a refusal */
	DL_GONE,                /* 404, 410: deleted upstream */
	DL_NO_RESUME,           /* 416: the range was refused */
	DL_BUSY,                /* 429, 408, 5xx: wait and retry */
	DL_BODY,                /* 2xx: check that the body is the file */
	DL_REFUSED,             /* any other status */
};

static enum dl_outcome
dl_classify(const struct dl_try *t)
{
	long s = t->resp.status;

	if (t->hrc == ZPUB_EIO && (t->resp.local_errno == ENOSPC ||
	    t->resp.local_errno == EDQUOT))
		return DL_DISK_FULL;
	if (t->hrc == ZPUB_ECANCEL || t->hrc == ZPUB_EIO || t->hrc == ZPUB_ENOMEM ||
	    t->hrc == ZPUB_EINVAL)
		return DL_LOCAL;
	if (t->hrc != 0)
		return DL_BROKEN;
	if (s == 401 || s == 403)
		return DL_AUTH;
	if (s == 404 || s == 410)
		return DL_GONE;
	if (s == 416)
		return DL_NO_RESUME;
	if (s == 429 || s == 408 || s >= 500)
		return DL_BUSY;
	if (s >= 200 && s < 300)
		return DL_BODY;
	return DL_REFUSED;
}

/* Ask for the rest of the file, appending to the part file.  An error here
 * (no token, the part file cannot be opened) ends the download. */
static int
dl_request(struct dl_state *st, struct dl_try *t, struct zpub_err *err)
{
	struct zoom_download *d = st->d;
	const char *tok;
	int rc;

	if (d->download_token && !st->hook_refused) {
		tok = d->download_token;
	} else {
		if ((rc = zoom_token(st->zc, st->force, &tok, err)) != 0)
			return rc;
		if (st->force)
			d->token_refreshes++;
		st->force = 0;
	}
	d->used_download_token = tok == d->download_token;
	char range[64];
	const char *hdrs[2] = { NULL, NULL };
	if (st->have > 0) {
		snprintf(range, sizeof range, "Range: bytes=%lld-", (long long)st->have);
		hdrs[0] = range;
		d->range_requests++;
	}
	/* Our files are 0600 like every artefact; curl only appends. */
	int pfd = open(d->part_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (pfd < 0) {
		int e = errno;
		if (e == ENOSPC || e == EDQUOT)
			return stop_disk_full(d, st->label, st->expected, e, err);
		return zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", d->part_path,
		    strerror(e));
	}
	close(pfd);
	struct dl_prog prog = { d, st->have, time_mono_ms(), 0, 0 };
	struct http_request req = {
		.url = d->url, .headers = hdrs, .bearer = tok,
		.download_path = d->part_path, .download_append = 1,
		.follow_redirects = 1, .low_speed_time_s = 60, .max_body_bytes = 1 << 20,
		.progress = dl_progress, .progress_ud = &prog, .what = "Zoom",
	};
	t->hrc = http_do(st->zc->http, &req, &t->resp, &t->herr);
	t->now_size = fs_size(d->part_path);
	if (t->now_size < 0)
		t->now_size = 0;
	t->added = t->now_size - st->have;
	t->body_total = prog.body_total;
	return 0;
}

/* The connection broke: keep what came if it was the file. */
static int
dl_broken(struct dl_state *st, struct dl_try *t, struct zpub_err *err)
{
	struct zoom_download *d = st->d;
	int64_t have = st->have, expected = st->expected;
	int rc;

	int bad = t->added > 0 && ((!d->expect_prefix && ctype_is_page(t->resp.content_type)) ||
	    (have == 0 && !sniff_file_at(d->part_path, 0, d->expect_prefix, st->what,
	    sizeof st->what)));
	/* http_do reports no status for a broken transfer, so tell a
	 * resumed range from a whole file (Range ignored) or an error
	 * body by the announced length and the first bytes. */
	if (t->added > 0 && have > 0 && expected > 0 &&
	    ((t->body_total > 0 && t->body_total != expected - have) ||
	    (!d->expect_prefix && ftyp_at(d->part_path, have))))
		bad = 1;
	if (bad || (expected > 0 && t->now_size > expected)) {
		if ((rc = part_truncate(d->part_path, have, err)) != 0)
			return rc;
		t->added = 0;
	}
	snprintf(st->reason, sizeof st->reason, "the connection broke after %lld bytes (%s)",
	    (long long)(have + (t->added > 0 ? t->added : 0)), t->resp.curl_error);
	st->failures = t->added > 0 ? 0 : st->failures + 1;
	log_info("Zoom download of %s: %s; resuming", st->label, st->reason);
	return 0;
}

/* 401 or 403: a new token, unless new tokens did not help. */
static int
dl_auth(struct dl_state *st, struct dl_try *t, struct zpub_err *err)
{
	int code = zoom_error_code(&t->resp, NULL, 0);

	if (st->d->download_token && !st->hook_refused) {
		st->hook_refused = 1;
		log_info("Zoom download of %s: the webhook's download token was refused (HTTP %ld);"
		    " using the account's token", st->label, t->resp.status);
		return 0;
	}
	st->stale++;
	st->force = 1;
	snprintf(st->reason, sizeof st->reason, "Zoom answered HTTP %ld%s", t->resp.status,
	    code == 124 ? " (token expired)" : "");
	if (st->stale > DL_MAX_STALE) {
		char msg[160] = "";
		zoom_error_code(&t->resp, msg, sizeof msg);
		/* Zoom's download links expire too: a fresh sync has new ones */
		return zpub_err_set(err, ZPUB_EAUTH, "Zoom refused the download of %s: %s%s%s"
		    " even after %d new tokens; the link may have expired: run 'zpub sync"
		    " zoom' for a fresh one and 'zpub retry', or check the app's recording"
		    " scopes, or reconnect with 'zpub auth zoom'", st->label, st->reason,
		    msg[0] ? ": " : "", msg, st->stale - 1);
	}
	log_info("Zoom download of %s: %s; getting a new token", st->label, st->reason);
	return 0;
}

/* 429, 408 or 5xx: wait as asked, unless that is too long. */
static int
dl_busy(struct dl_state *st, struct dl_try *t, struct zpub_err *err)
{
	st->failures++;
	t->wait = t->resp.retry_after_ms;
	snprintf(st->reason, sizeof st->reason, "Zoom answered HTTP %ld", t->resp.status);
	if (t->wait > st->zc->max_wait_ms)
		return zpub_err_set(err, ZPUB_EQUOTA, "Zoom asked to wait %lld s before the"
		    " download of %s (HTTP %ld); zpub will try again later",
		    (long long)(t->wait / 1000), st->label, t->resp.status);
	return 0;
}

/* A 2xx answer: is its body the file?  Sets *junk for an error dressed as
 * a success (st->what says what came); cuts off a whole file sent again
 * where a range was asked for. */
static int
dl_body_junk(struct dl_state *st, struct dl_try *t, int *junk, struct zpub_err *err)
{
	struct zoom_download *d = st->d;
	int rc;

	*junk = 0;
	if (!d->expect_prefix && ctype_is_page(t->resp.content_type)) {
		*junk = 1;
		snprintf(st->what, sizeof st->what, "a page of type %.40s", t->resp.content_type);
	} else if (st->have > 0 && t->resp.status != 206) {
		if (t->added > 0 && sniff_file_at(d->part_path, st->have, d->expect_prefix,
		    st->what, sizeof st->what)) {
			/* The whole file again, ignoring our Range: start over. */
			log_info("Zoom download of %s: the server ignored Range; starting over",
			    st->label);
			if ((rc = part_truncate(d->part_path, 0, err)) != 0)
				return rc;
			t->now_size = 0;
			st->failures++;
			snprintf(st->reason, sizeof st->reason,
			    "the server ignored the Range request");
		} else {
			*junk = 1;
			if (t->added <= 0)
				snprintf(st->what, sizeof st->what, "an empty body");
		}
	} else if (st->have == 0 && !sniff_file_at(d->part_path, 0, d->expect_prefix, st->what,
	    sizeof st->what)) {
		*junk = 1;
	}
	return 0;
}

/* A 2xx answer: keep the body if it is (the rest of) the file. */
static int
dl_body(struct dl_state *st, struct dl_try *t, struct zpub_err *err)
{
	struct zoom_download *d = st->d;
	int64_t expected = st->expected;
	int junk, rc;

	if ((rc = dl_body_junk(st, t, &junk, err)) != 0)
		return rc;
	if (junk) {
		/* An error dressed as a success, typically a stale token. */
		snprintf(st->reason, sizeof st->reason, "Zoom answered HTTP %ld with %lld bytes"
		    " of %s instead of the file", t->resp.status, (long long)t->added, st->what);
		if ((rc = part_truncate(d->part_path, st->have, err)) != 0)
			return rc;
		t->now_size = st->have;
		if (d->download_token && !st->hook_refused) {
			st->hook_refused = 1;   /* the account's token next */
			return 0;
		}
		st->stale++;
		st->force = 1;
		log_info("Zoom download of %s: %s; getting a new token and retrying", st->label,
		    st->reason);
		if (st->stale > DL_MAX_STALE)
			return zpub_err_set(err, ZPUB_ENET, "Zoom download of %s failed: %s,"
			    " %d times in a row; zpub will retry later", st->label, st->reason,
			    st->stale);
	} else if (expected > 0 && t->now_size > expected) {
		snprintf(st->reason, sizeof st->reason, "Zoom sent %lld bytes, more than the %lld"
		    " it announced", (long long)t->now_size, (long long)expected);
		if ((rc = part_truncate(d->part_path, 0, err)) != 0)
			return rc;
		t->now_size = 0;
		st->failures++;
	} else if (t->added > 0) {
		st->stale = 0;
		if (expected <= 0) {
			/* size unknown: a complete 2xx media body is all we get */
			st->have = t->now_size;
			st->done = 1;
		} else if (t->now_size < expected) {
			snprintf(st->reason, sizeof st->reason, "the body ended after %lld of %lld"
			    " bytes", (long long)t->now_size, (long long)expected);
			st->failures++;
		}
	} else {
		snprintf(st->reason, sizeof st->reason, "Zoom answered HTTP %ld with an empty body",
		    t->resp.status);
		st->failures++;
	}
	return 0;
}

/* Act on how an attempt ended: 0 to go on (or st->done), else the error
 * that ends the download. */
static int
dl_handle(struct dl_state *st, struct dl_try *t, struct zpub_err *err)
{
	char msg[200];
	int code, rc;

	switch (dl_classify(t)) {
	case DL_DISK_FULL:
		return stop_disk_full(st->d, st->label, st->expected, t->resp.local_errno, err);
	case DL_LOCAL:
		*err = t->herr;
		return t->hrc;
	case DL_BROKEN:
		return dl_broken(st, t, err);
	case DL_AUTH:
		return dl_auth(st, t, err);
	case DL_GONE:
		code = zoom_error_code(&t->resp, msg, sizeof msg);
		return zpub_err_set(err, ZPUB_ENOTFOUND, "Zoom no longer has %s: deleted upstream"
		    " (HTTP %ld%s%s); nothing to download", st->label, t->resp.status,
		    code >= 0 ? ": " : "", code >= 0 ? msg : "");
	case DL_NO_RESUME:
		snprintf(st->reason, sizeof st->reason, "Zoom refused to resume at byte %lld"
		    " (HTTP 416)", (long long)st->have);
		if ((rc = part_truncate(st->d->part_path, 0, err)) != 0)
			return rc;
		st->failures++;
		return 0;
	case DL_BUSY:
		return dl_busy(st, t, err);
	case DL_BODY:
		return dl_body(st, t, err);
	case DL_REFUSED:
		break;
	}
	code = zoom_error_code(&t->resp, msg, sizeof msg);
	return zpub_err_set(err, ZPUB_EREMOTE, "Zoom refused the download of %s: HTTP %ld%s%s",
	    st->label, t->resp.status, code >= 0 ? ": " : "", code >= 0 ? msg : "");
}

static int
download_loop(struct zoom_client *zc, struct zoom_download *d, struct zpub_err *err)
{
	/* providers.zoom.download_retries: failed attempts in a row (any byte of
	 * progress starts the count again); download_max_requests: all requests
	 * of this call, so a link that moves a few bytes per try still ends. */
	const int max_retries = zc->download_retries;
	const int max_requests = zc->download_max_requests > 0 ? zc->download_max_requests : 40;
	struct dl_state st = {
		.zc = zc, .d = d, .label = d->label ? d->label : "a recording",
		.expected = d->expected_size,
	};
	int rc;

	d->range_requests = 0;
	d->token_refreshes = 0;
	st.have = fs_size(d->part_path);
	if (st.have < 0)
		st.have = 0;
	if (st.have > 0 && ((st.expected > 0 && st.have > st.expected) ||
	    !sniff_file_at(d->part_path, 0, d->expect_prefix, st.what, sizeof st.what))) {
		log_warn("Zoom download of %s: the partial file is not a prefix of the recording;"
		    " starting over", st.label);
		if ((rc = part_truncate(d->part_path, 0, err)) != 0)
			return rc;
		st.have = 0;
	}
	d->resumed_from = st.have;

	for (int attempt = 1;; attempt++) {
		if (st.expected > 0 && st.have == st.expected)
			break;
		if (st.failures > max_retries || attempt > max_requests)
			return zpub_err_set(err, ZPUB_ENET, "Zoom download of %s did not finish: %s;"
			    " zpub will retry later (%lld of %lld bytes kept for resuming)", st.label,
			    st.reason[0] ? st.reason : "too many attempts", (long long)st.have,
			    (long long)st.expected);
		struct dl_try t = { .wait = -1 };
		if ((rc = dl_request(&st, &t, err)) != 0)
			return rc;
		rc = dl_handle(&st, &t, err);
		http_response_free(&t.resp);
		if (rc != 0)
			return rc;
		if (st.done)
			break;
		st.have = fs_size(d->part_path);
		if (st.have < 0)
			st.have = 0;
		if (st.expected > 0 && st.have == st.expected)
			break;
		if (t.wait < 0 && !st.force && (t.hrc != 0 || st.failures > 0))
			t.wait = backoff_ms(st.failures > 0 ? st.failures : 1, 250, 5000);
		if (t.wait > 0)
			sleep_ms(t.wait);
	}

	/* The final word: size and content. */
	st.have = fs_size(d->part_path);
	if (st.expected > 0 && st.have != st.expected)
		return zpub_err_set(err, ZPUB_ENET, "Zoom download of %s has %lld bytes, not the %lld"
		    " Zoom announced; zpub will retry", st.label, (long long)st.have,
		    (long long)st.expected);
	if (!sniff_file_at(d->part_path, 0, d->expect_prefix, st.what, sizeof st.what)) {
		part_truncate(d->part_path, 0, NULL);
		return zpub_err_set(err, ZPUB_ENET, "Zoom download of %s is %s, not the file;"
		    " zpub will retry", st.label, st.what);
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
