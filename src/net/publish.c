/*
 * publish.c — helpers shared by the platform publishers: the resumable
 * per-target state, tuning from the config, YouTube's quota clock, and the
 * fingerprints of what was sent that tell an update what changed.
 */
#include "publish.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "config.h"
#include "util.h"

void
pub_state_clear(struct pub_state *s)
{
	if (s == NULL)
		return;
	free(s->remote_id);
	free(s->upload_url);
	free(s->url);
	cJSON_Delete(s->steps);
	cJSON_Delete(s->sent);
	memset(s, 0, sizeof *s);
}

void
pub_state_set(char **field, const char *value)
{
	char *v = (value && *value) ? xstrdup(value) : NULL;
	free(*field);
	*field = v;
}

void
pub_step_done(struct pub_state *s, const char *step, const char *value)
{
	if (s->steps == NULL)
		s->steps = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(s->steps, step);
	cJSON_AddStringToObject(s->steps, step, value ? value : "");
}

int
pub_step_is_done(const struct pub_state *s, const char *step)
{
	return s->steps != NULL && cJSON_GetObjectItemCaseSensitive(s->steps, step) != NULL;
}

void
pub_tuning_from_config(const cJSON *cfg, struct pub_tuning *t)
{
	const int64_t unit = 262144;
	t->chunk_bytes = config_int(cfg, "publish.chunk_bytes", 8 * 1024 * 1024);
	t->chunk_bytes = (t->chunk_bytes / unit) * unit;
	if (t->chunk_bytes < unit)
		t->chunk_bytes = unit;
	t->max_attempts = (int)config_int(cfg, "publish.max_attempts", 8);
	t->backoff_base_ms = config_int(cfg, "publish.backoff_base_ms", 1000);
	t->backoff_cap_ms = config_int(cfg, "publish.backoff_cap_ms", 60000);
	if (t->backoff_base_ms <= 0)
		t->backoff_base_ms = 1000;
	if (t->backoff_cap_ms <= 0)
		t->backoff_cap_ms = 60000;
	t->max_inline_wait_ms = config_int(cfg, "publish.max_inline_wait_ms", 300000);
	if (t->max_attempts < 1)
		t->max_attempts = 1;
}

/* Day of month of the n-th Sunday (n >= 1) of month mon (0-based) in year y. */
static int
nth_sunday(int y, int mon, int n)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mon, .tm_mday = 1, .tm_hour = 12};
	time_t t = timegm(&tm);
	struct tm g;
	gmtime_r(&t, &g);
	int first = 1 + (7 - g.tm_wday) % 7;
	return first + 7 * (n - 1);
}

/* US Pacific offset from UTC at epoch ms: -7 h in daylight time, else -8 h.
 * DST runs from the second Sunday of March 02:00 local to the first Sunday
 * of November 02:00 local. */
static int64_t
pacific_offset_ms(int64_t now_ms)
{
	time_t t = (time_t)(now_ms / 1000);
	struct tm g;
	gmtime_r(&t, &g);
	int y = g.tm_year + 1900;
	struct tm start = {.tm_year = y - 1900, .tm_mon = 2,
	    .tm_mday = nth_sunday(y, 2, 2), .tm_hour = 10}; /* 02:00 PST = 10:00 UTC */
	struct tm end = {.tm_year = y - 1900, .tm_mon = 10,
	    .tm_mday = nth_sunday(y, 10, 1), .tm_hour = 9};  /* 02:00 PDT = 09:00 UTC */
	time_t s = timegm(&start), e = timegm(&end);
	return (t >= s && t < e) ? -7LL * 3600000 : -8LL * 3600000;
}

int64_t
yt_quota_reset_ms(int64_t now_ms)
{
	int64_t off = pacific_offset_ms(now_ms);
	int64_t local = now_ms + off;
	int64_t day = 86400000LL;
	int64_t next_local_midnight = (local / day + 1) * day;
	int64_t reset = next_local_midnight - off;
	/* the offset may differ at the reset instant (DST change days) */
	int64_t off2 = pacific_offset_ms(reset);
	if (off2 != off)
		reset = next_local_midnight - off2;
	return reset;
}

/* ---- what was sent, and what changed ------------------------------------------ */

static void
text_sha(const char *s, size_t len, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)s, len);
	sodium_bin2hex(hex, 65, h, sizeof h);
}

cJSON *
pub_fingerprints(const struct pub_item *item)
{
	cJSON *o = cJSON_CreateObject(), *caps;
	char hex[65];
	const char *d = item->description ? item->description : "";
	const char *t = item->title ? item->title : "";

	text_sha(t, strlen(t), hex);
	cJSON_AddStringToObject(o, "title", hex);
	text_sha(d, strlen(d), hex);
	cJSON_AddStringToObject(o, "description", hex);
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	for (const char *const *tg = item->tags; tg && *tg; tg++)
		crypto_hash_sha256_update(&st, (const unsigned char *)*tg, strlen(*tg) + 1);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	cJSON_AddStringToObject(o, "tags", hex);
	if (item->thumbnail_path && fs_sha256(item->thumbnail_path, hex, NULL) == 0)
		cJSON_AddStringToObject(o, "thumbnail", hex);
	caps = cJSON_AddObjectToObject(o, "captions");
	for (int i = 0; i < item->n_captions; i++) {
		const struct pub_caption *c = &item->captions[i];
		if (fs_sha256(c->path, hex, NULL) == 0)
			cJSON_AddStringToObject(caps, c->language ? c->language : "und", hex);
	}
	return o;
}

/* 1 when a's and b's values at key differ (absent counts as a value). */
static int
differs(const cJSON *a, const cJSON *b, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, key);
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, key);
	if (!cJSON_IsString(x) || !cJSON_IsString(y))
		return cJSON_IsString(x) != cJSON_IsString(y) || a == NULL;
	return strcmp(x->valuestring, y->valuestring) != 0;
}

unsigned
pub_diff_make(const cJSON *sent, const cJSON *now, struct pub_diff *d)
{
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(sent, "captions");
	const cJSON *nc = cJSON_GetObjectItemCaseSensitive(now, "captions"), *x;

	memset(d, 0, sizeof *d);
	if (differs(sent, now, "title"))
		d->what |= PUB_CH_TITLE;
	if (differs(sent, now, "description"))
		d->what |= PUB_CH_DESCRIPTION;
	if (differs(sent, now, "tags"))
		d->what |= PUB_CH_TAGS;
	/* a thumbnail that went away stays on the platform: nothing to send */
	if (cJSON_GetObjectItemCaseSensitive(now, "thumbnail") && differs(sent, now, "thumbnail"))
		d->what |= PUB_CH_THUMBNAIL;
	cJSON_ArrayForEach(x, nc) {
		if (!cJSON_IsString(x) || strlen(x->string) >= sizeof d->changed[0] ||
		    d->n_changed == PUB_DIFF_MAX)
			continue;
		const cJSON *was = cJSON_GetObjectItemCaseSensitive(sc, x->string);
		if (sent == NULL || !cJSON_IsString(was) || strcmp(was->valuestring, x->valuestring))
			snprintf(d->changed[d->n_changed++], sizeof d->changed[0], "%s", x->string);
	}
	cJSON_ArrayForEach(x, sc) {
		if (cJSON_GetObjectItemCaseSensitive(nc, x->string) != NULL ||
		    strlen(x->string) >= sizeof d->removed[0] || d->n_removed == PUB_DIFF_MAX)
			continue;
		snprintf(d->removed[d->n_removed++], sizeof d->removed[0], "%s", x->string);
	}
	if (d->n_changed || d->n_removed)
		d->what |= PUB_CH_CAPTIONS;
	return d->what;
}

unsigned
pub_diff_for(const char *platform, struct pub_diff *d)
{
	if (strcmp(platform, "vk") == 0) {
		d->what &= PUB_CH_TITLE | PUB_CH_DESCRIPTION;
		d->n_changed = d->n_removed = 0;
	}
	return d->what;
}

void
pub_diff_text(const struct pub_diff *d, char *out, size_t n)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ PUB_CH_TITLE, "title" }, { PUB_CH_DESCRIPTION, "description" },
		{ PUB_CH_TAGS, "tags" }, { PUB_CH_THUMBNAIL, "thumbnail" },
	};
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (d->what & names[i].bit && o < n)
			o += (size_t)snprintf(out + o, n - o, "%s%s", o ? ", " : "", names[i].name);
	for (int i = 0; i < d->n_changed && o < n; i++)
		o += (size_t)snprintf(out + o, n - o, "%ssubtitles %s", o ? ", " : "",
		    d->changed[i]);
	for (int i = 0; i < d->n_removed && o < n; i++)
		o += (size_t)snprintf(out + o, n - o, "%ssubtitles %s (removed)", o ? ", " : "",
		    d->removed[i]);
}

void
pub_sent_take(struct pub_state *st, const cJSON *now, const char *key)
{
	const char *dot = strchr(key, '.');
	cJSON *dst, *src;

	if (st->sent == NULL)
		st->sent = cJSON_CreateObject();
	dst = st->sent;
	src = (cJSON *)now;
	if (dot != NULL) {
		/* "captions.ru" */
		dst = cJSON_GetObjectItemCaseSensitive(st->sent, "captions");
		if (!cJSON_IsObject(dst)) {
			cJSON_DeleteItemFromObjectCaseSensitive(st->sent, "captions");
			dst = cJSON_AddObjectToObject(st->sent, "captions");
		}
		src = cJSON_GetObjectItemCaseSensitive(now, "captions");
		key = dot + 1;
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, key);
	cJSON_DeleteItemFromObjectCaseSensitive(dst, key);
	if (cJSON_IsString(v))
		cJSON_AddStringToObject(dst, key, v->valuestring);
}
