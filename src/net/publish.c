/*
 * publish.c — helpers shared by the platform publishers: the resumable
 * per-target state, tuning from the config, YouTube's quota clock.
 */
#include "publish.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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
