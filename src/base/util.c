/*
 * util.c — durable file writes, paths, time and the one
 * rule that makes outside text safe to print on a terminal.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
fs_mkdir_p(const char *path, mode_t mode, struct zpub_err *err)
{
	char *p = xstrdup(path);
	size_t len = strlen(p);

	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char c = p[i];
		p[i] = '\0';
		struct stat sb;
		/* An existing parent we may not write to answers EACCES, not EEXIST. */
		if (mkdir(p, mode) != 0 && errno != EEXIST &&
		    !(stat(p, &sb) == 0 && S_ISDIR(sb.st_mode))) {
			int e = errno;
			zpub_err_set(err, ZPUB_EIO, "cannot create folder %s: %s", p, strerror(e));
			free(p);
			return ZPUB_EIO;
		}
		p[i] = c;
	}
	free(p);
	return 0;
}

static int
fsync_dir_of(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	free(copy);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int
fs_commit(const char *tmp, const char *dst, struct zpub_err *err)
{
	int fd = open(tmp, O_RDONLY);
	if (fd < 0)
		return zpub_err_set(err, ZPUB_EIO, "cannot open %s: %s", tmp, strerror(errno));
	if (fsync(fd) != 0) {
		int e = errno;
		close(fd);
		return zpub_err_set(err, ZPUB_EIO, "cannot flush %s to disk: %s", tmp, strerror(e));
	}
	close(fd);
	if (rename(tmp, dst) != 0)
		return zpub_err_set(err, ZPUB_EIO, "cannot rename %s to %s: %s", tmp, dst,
		    strerror(errno));
	fsync_dir_of(dst);
	return 0;
}

int
fs_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
    struct zpub_err *err)
{
	char *tmp = xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int rc = 0;

	if (fd < 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	const char *p = buf;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = zpub_err_set(err, ZPUB_EIO, "cannot write %s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			goto out;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fsync(fd) != 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot flush %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		rc = zpub_err_set(err, ZPUB_EIO, "cannot rename %s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	fsync_dir_of(path);
out:
	free(tmp);
	return rc;
}

int
fs_read_all(const char *path, char **out, size_t *len, struct zpub_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL)
		return zpub_err_set(err, errno == ENOENT ? ZPUB_ENOTFOUND : ZPUB_EIO,
		    "cannot read %s: %s", path, strerror(errno));
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return zpub_err_set(err, ZPUB_ENOMEM,
				    "%s is too big to read into memory (%zu MB so far)", path, n >> 20);
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return zpub_err_set(err, ZPUB_EIO, "cannot read %s", path);
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int
fs_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int64_t
fs_size(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	return (int64_t)st.st_size;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

int
fs_remove_tree(const char *path)
{
	if (!fs_exists(path))
		return 0;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

int
fs_sha256(const char *path, char hex[65], struct zpub_err *err)
{
	crypto_hash_sha256_state st;
	unsigned char buf[65536], out[crypto_hash_sha256_BYTES];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return zpub_err_set(err, ZPUB_EIO, "cannot read %s: %s", path, strerror(errno));
	crypto_hash_sha256_init(&st);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		crypto_hash_sha256_update(&st, buf, n);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return zpub_err_set(err, ZPUB_EIO, "cannot read %s", path);
	crypto_hash_sha256_final(&st, out);
	sodium_bin2hex(hex, 65, out, sizeof out);
	return 0;
}

void
hmac_sha256_hex(const char *key, const void *msg, size_t len, char hex[65])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	/* init/update/final: the one-shot call takes only 32-byte keys */
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, msg, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, 65, mac, sizeof mac);
	sodium_memzero(&st, sizeof st);
}

char *
path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	if (la > 0 && a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

void
host_id(char *out, size_t n)
{
	const char *e = getenv("ZPUB_HOST_ID");
	if (e && *e)
		snprintf(out, n, "%s", e);
	else if (gethostname(out, n) != 0 || (out[n - 1] = '\0', *out == '\0'))
		snprintf(out, n, "localhost");
	/* ':' and '@' separate an owner's parts */
	for (char *p = out; *p; p++)
		if (*p == ':' || *p == '@')
			*p = '-';
}

int
owner_parse(const char *owner, char *out, size_t n, long *pid)
{
	const char *at = strchr(owner, '@'), *colon = strrchr(owner, ':');
	if (at == NULL || colon == NULL || colon < at)
		return 0;
	snprintf(out, n, "%.*s", (int)(colon - at - 1), at + 1);
	*pid = strtol(colon + 1, NULL, 10);
	return 1;
}

int64_t
time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
time_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sleep_ms(int64_t ms)
{
	if (ms <= 0)
		return;
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int64_t
backoff_ms(int attempt, int64_t base_ms, int64_t cap_ms)
{
	int64_t d = base_ms > 0 ? base_ms : 0;
	for (int i = 1; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	if (d <= 0)
		return 0;
	int64_t span = d / 5 * 2;
	if (span > UINT32_MAX - 1)
		span = UINT32_MAX - 1;
	return d - d / 5 + (int64_t)randombytes_uniform((uint32_t)span + 1);
}

void
time_iso(int64_t epoch_ms, char out[32])
{
	time_t t = (time_t)(epoch_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t
time_parse_iso(const char *s)
{
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	const char *p = s + n;
	long off_s = 0;
	if (*p == 'T' || *p == ' ') {
		int m = 0;
		if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &m) != 3)
			return -1;
		p += 1 + m;
		if (*p == '.')
			while (*++p >= '0' && *p <= '9')
				;
		if (*p == '+' || *p == '-') {
			int oh = 0, om = 0;
			if (sscanf(p + 1, "%2d:%2d", &oh, &om) < 1)
				return -1;
			off_s = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
		} else if (*p != 'Z' && *p != '\0')
			return -1;
	} else if (*p != '\0')
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return ((int64_t)timegm(&tm) - off_s) * 1000;
}

int64_t
time_parse_clock(const char *s)
{
	int64_t parts[3] = {0, 0, 0};
	int n = 0;
	int64_t frac = 0;
	const char *p = s;
	if (s == NULL || *s == '\0')
		return -1;
	for (;;) {
		if (*p < '0' || *p > '9')
			return -1;
		int64_t v = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9' && digits < 9) {
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		if (n >= 3)
			return -1;
		parts[n++] = v;
		if (*p == ':') {
			p++;
			continue;
		}
		if (*p == '.') {
			p++;
			int64_t scale = 100;
			if (*p < '0' || *p > '9')
				return -1;
			while (*p >= '0' && *p <= '9') {
				frac += (*p++ - '0') * scale;
				scale /= 10;
			}
		}
		break;
	}
	if (*p != '\0')
		return -1;
	int64_t h = 0, m = 0, sec;
	if (n == 3) {
		h = parts[0]; m = parts[1]; sec = parts[2];
		if (m > 59 || sec > 59)
			return -1;
	} else if (n == 2) {
		m = parts[0]; sec = parts[1];
		if (sec > 59)
			return -1;
	} else
		sec = parts[0];
	return ((h * 60 + m) * 60 + sec) * 1000 + frac;
}

void
time_hms(int64_t ms, char out[16])
{
	if (ms < 0)
		ms = 0;
	int64_t s = ms / 1000;
	snprintf(out, 16, "%02d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

void
time_human(int64_t epoch_ms, int64_t now_ms, char out[64])
{
	time_t t = (time_t)(epoch_ms / 1000), now = (time_t)(now_ms / 1000);
	struct tm tm, tn;
	char when[24], far[32];
	if (epoch_ms <= 0 || localtime_r(&t, &tm) == NULL || localtime_r(&now, &tn) == NULL) {
		snprintf(out, 64, "-");
		return;
	}
	int today = tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday;
	strftime(when, sizeof when, today ? "%H:%M" : "%Y-%m-%d %H:%M", &tm);
	int64_t d = (epoch_ms - now_ms) / 1000, a = d < 0 ? -d : d;
	if (a > 99999 * 86400LL)
		a = 99999 * 86400LL;
	if (a < 60)
		snprintf(far, sizeof far, "%lld s", (long long)a);
	else if (a < 3600)
		snprintf(far, sizeof far, "%lld min", (long long)(a / 60));
	else if (a < 48 * 3600)
		snprintf(far, sizeof far, "%lld h", (long long)(a / 3600));
	else
		snprintf(far, sizeof far, "%lld days", (long long)(a / 86400));
	snprintf(out, 64, "%.23s (%s%.20s%s)", when, d < 0 ? "" : "in ", far, d < 0 ? " ago" : "");
}

void
size_human(double bytes, char out[32])
{
	static const char *const unit[] = { "KB", "MB", "GB", "TB", "PB" };
	if (!(bytes >= 1023.5)) {
		snprintf(out, 32, "%.0f byte%s", bytes > 0 ? bytes : 0, bytes == 1 ? "" : "s");
		return;
	}
	int u = 0;
	bytes /= 1024;
	while (bytes >= 1023.95 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, 32, "%.1f %s", bytes, unit[u]);
}

/* ---- names that become file names ---------------------------------------- */

static int
ascii_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
ascii_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Length of the run of characters at s that pass is(). */
static size_t
run_of(const char *s, int (*is)(int))
{
	size_t n = 0;
	while (s[n] && is((unsigned char)s[n]))
		n++;
	return n;
}

static int
lang_ok(const char *s)
{
	size_t n = run_of(s, ascii_alpha);

	if (strlen(s) > FNAME_LANG_MAX || n < 2 || n > 3)
		return 0;
	s += n;
	if (*s == '-' && run_of(s + 1, ascii_alpha) == 4 && (s[5] == '\0' || s[5] == '-'))
		s += 5;                                   /* script: -Hans */
	if (*s == '-') {
		size_t a = run_of(s + 1, ascii_alpha), d = run_of(s + 1, ascii_digit);
		if ((a == 2 && d == 0) || (d == 3 && a == 0))
			s += 1 + a + d;                   /* region: -BR, -419 */
		else
			return 0;
	}
	return *s == '\0';
}

static int
word_ok(const char *s)
{
	size_t len = strlen(s);
	const unsigned char *p = (const unsigned char *)s;

	if (len == 0 || len > FNAME_WORD_MAX || s[0] == '.' || s[0] == '-' || s[0] == ' ' ||
	    s[len - 1] == ' ' || strstr(s, "..") != NULL || !utf8_valid(s, len))
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '/' || p[i] == '\\')
			return 0;
		if (p[i] == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F)
			return 0;                         /* C1 controls, U+0080..U+009F */
	}
	return 1;
}

int
fname_ok(const char *name, enum fname_kind kind)
{
	if (name == NULL)
		return 0;
	return kind == FNAME_LANG ? lang_ok(name) : word_ok(name);
}

int
lang_code_ok(const char *code)
{
	return fname_ok(code, FNAME_LANG);
}

/* One piece of the escaped text for the character at s: either the bytes
 * as they are (*piece = s) or an escape written into esc.  Returns the bytes
 * of s it stands for. */
static size_t
term_piece(const char *s, size_t len, char esc[8], const char **piece, size_t *plen)
{
	uint32_t cp = 0;
	size_t n = utf8_decode(s, len, &cp);
	if (n == 0) {
		snprintf(esc, 8, "\\x%02x", (unsigned char)s[0]);
		n = 1;
	} else if (text_cp_is_control(cp)) {
		snprintf(esc, 8, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
	} else {
		*piece = s;
		*plen = n;
		return n;
	}
	*piece = esc;
	*plen = strlen(esc);
	return n;
}

const char *
term_escape(const char *s, char *out, size_t outsz)
{
	static const char ellipsis[] = "\xE2\x80\xA6";
	size_t len = s ? strlen(s) : 0, i, o = 0, whole = 0;
	char esc[8];
	const char *piece;
	size_t plen;
	if (outsz == 0)
		return out;
	for (i = 0; i < len; whole += plen)
		i += term_piece(s + i, len - i, esc, &piece, &plen);
	/* All of it when it fits, else what fits with room left for "…". */
	size_t room = whole < outsz ? outsz - 1 : outsz > sizeof ellipsis ?
	    outsz - sizeof ellipsis : 0;
	for (i = 0; i < len; ) {
		size_t used = term_piece(s + i, len - i, esc, &piece, &plen);
		if (o + plen > room)
			break;
		memcpy(out + o, piece, plen);
		o += plen;
		i += used;
	}
	if (i < len && o + sizeof ellipsis <= outsz) {
		memcpy(out + o, ellipsis, sizeof ellipsis - 1);
		o += sizeof ellipsis - 1;
	}
	out[o] = '\0';
	return out;
}

void
term_fputs(const char *s, FILE *f)
{
	size_t len = s ? strlen(s) : 0, i = 0;
	while (i < len) {
		char esc[8];
		const char *piece;
		size_t plen;
		i += term_piece(s + i, len - i, esc, &piece, &plen);
		fwrite(piece, 1, plen, f);
	}
}
