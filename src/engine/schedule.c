/*
 * schedule.c — parsing schedules (cron, time of day + weekdays, intervals)
 * and computing the next run.  No state, no I/O: the daemon and `zpub job`
 * call sched_next() with the last run time and store the answer.
 */
#include "schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
	"aug", "sep", "oct", "nov", "dec", NULL };
static const char *const wday_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat",
	NULL };

/* A number or (when names is set) a three-letter name; names[i] = base + i. */
static int
field_value(const char *s, size_t n, const char *const *names, int base, int *out)
{
	if (n == 0)
		return -1;
	if (isdigit((unsigned char)s[0])) {
		int v = 0;
		for (size_t i = 0; i < n; i++) {
			if (!isdigit((unsigned char)s[i]) || v > 1000)
				return -1;
			v = v * 10 + (s[i] - '0');
		}
		*out = v;
		return 0;
	}
	if (names == NULL || n != 3)
		return -1;
	for (int i = 0; names[i]; i++)
		if (strncasecmp(s, names[i], 3) == 0) {
			*out = base + i;
			return 0;
		}
	return -1;
}

/* One cron field ("*", "1,5", "8-18/2", "mon-fri") into a bit set over
 * lo..hi.  *any is set when the field is a bare '*'. */
static int
field_parse(const char *f, int lo, int hi, const char *const *names, int names_base,
    uint64_t *bits, int *any)
{
	*bits = 0;
	if (any)
		*any = strcmp(f, "*") == 0 || strcmp(f, "?") == 0;
	const char *p = f;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0)
			return -1;
		char item[64];
		if (len >= sizeof item)
			return -1;
		memcpy(item, p, len);
		item[len] = '\0';
		int step = 1, a, b;
		char *slash = strchr(item, '/');
		if (slash) {
			*slash = '\0';
			char *e;
			long st = strtol(slash + 1, &e, 10);
			if (*e || slash[1] == '\0' || st < 1 || st > hi)
				return -1;
			step = (int)st;
		}
		if (strcmp(item, "*") == 0 || strcmp(item, "?") == 0) {
			a = lo;
			b = hi;
		} else {
			char *dash = strchr(item, '-');
			if (dash) {
				if (field_value(item, (size_t)(dash - item), names, names_base, &a) ||
				    field_value(dash + 1, strlen(dash + 1), names, names_base, &b))
					return -1;
			} else {
				if (field_value(item, strlen(item), names, names_base, &a))
					return -1;
				b = slash ? hi : a;
			}
		}
		if (hi == 7 && b == 0 && a > 0)
			b = 7;      /* weekdays: "fri-sun" */
		if (a < lo || b > hi || a > b)
			return -1;
		for (int v = a; v <= b; v += step)
			*bits |= 1ull << v;
		p += len;
		if (*p == ',')
			p++;
	}
	return *bits ? 0 : -1;
}

int64_t
sched_parse_duration_ms(const char *text)
{
	const char *p = text;
	int64_t total = 0;
	int parts = 0;
	while (*p == ' ')
		p++;
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		char *e;
		long long v = strtoll(p, &e, 10);
		p = e;
		int64_t unit;
		if (strncmp(p, "ms", 2) == 0) {
			unit = 1;
			p += 2;
		} else if (*p == 's') {
			unit = 1000;
			p++;
		} else if (*p == 'm') {
			unit = 60000;
			p++;
		} else if (*p == 'h') {
			unit = 3600000;
			p++;
		} else if (*p == 'd') {
			unit = 86400000;
			p++;
		} else if (*p == '\0' && parts == 0) {
			unit = 1;
		} else
			return -1;
		if (v < 0 || v > 100000000)
			return -1;
		total += v * unit;
		parts++;
		while (*p == ' ')
			p++;
	}
	return parts ? total : -1;
}

/* "mon,wed", "mon-fri", "daily", "weekdays", "weekends" into a weekday set. */
static int
days_parse(const char *s, uint8_t *out)
{
	if (strcasecmp(s, "daily") == 0 || strcasecmp(s, "everyday") == 0 || strcmp(s, "*") == 0) {
		*out = 0x7f;
		return 0;
	}
	if (strcasecmp(s, "weekdays") == 0) {
		*out = 0x3e;
		return 0;
	}
	if (strcasecmp(s, "weekends") == 0) {
		*out = 0x41;
		return 0;
	}
	uint64_t bits;
	if (field_parse(s, 0, 7, wday_names, 0, &bits, NULL))
		return -1;
	if (bits & (1ull << 7))
		bits = (bits | 1) & 0x7f;
	*out = (uint8_t)bits;
	return 0;
}

static int
hhmm_parse(const char *s, int *h, int *m)
{
	int hh, mm, n = 0;
	if (sscanf(s, "%d:%d%n", &hh, &mm, &n) != 2 || s[n] != '\0' || hh < 0 || hh > 23 ||
	    mm < 0 || mm > 59)
		return -1;
	*h = hh;
	*m = mm;
	return 0;
}

int
sched_parse(const char *text, struct sched *out, struct zpub_err *err)
{
	memset(out, 0, sizeof *out);
	if (text == NULL)
		return zpub_err_set(err, ZPUB_EINVAL, "a schedule is needed");
	char buf[256];
	while (*text == ' ')
		text++;
	snprintf(buf, sizeof buf, "%s", text);
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\n'))
		buf[--n] = '\0';

	static const struct { const char *name, *cron; } macros[] = {
		{ "@hourly", "0 * * * *" }, { "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" },
		{ "@weekly", "0 0 * * 0" }, { "@monthly", "0 0 1 * *" }, { "@yearly", "0 0 1 1 *" },
		{ "@annually", "0 0 1 1 *" }, { NULL, NULL },
	};
	for (int i = 0; macros[i].name; i++)
		if (strcasecmp(buf, macros[i].name) == 0)
			return sched_parse(macros[i].cron, out, err);

	char *tok[8];
	int nt = 0;
	char *save = NULL;
	for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (nt == 8)
			return zpub_err_set(err, ZPUB_EINVAL, "schedule '%s' has too many fields", text);
		tok[nt++] = t;
	}
	if (nt == 0)
		return zpub_err_set(err, ZPUB_EINVAL, "the schedule is empty");

	if (strcasecmp(tok[0], "every") == 0) {
		int64_t ms = nt == 2 ? sched_parse_duration_ms(tok[1]) : -1;
		if (ms < 1000)
			return zpub_err_set(err, ZPUB_EINVAL, "schedule '%s': 'every' takes an interval"
			    " of at least one second such as 30s, 15m, 2h or 1d", text);
		out->kind = SCHED_INTERVAL;
		out->interval_ms = ms;
		return 0;
	}

	/* Time of day, optionally after a day list. */
	if ((nt == 1 || nt == 2) && strchr(tok[nt - 1], ':')) {
		int h, m;
		uint8_t days = 0x7f;
		if (hhmm_parse(tok[nt - 1], &h, &m))
			return zpub_err_set(err, ZPUB_EINVAL, "schedule '%s': '%s' is not a time of"
			    " day (HH:MM, 00:00 to 23:59)", text, tok[nt - 1]);
		if (nt == 2 && days_parse(tok[0], &days))
			return zpub_err_set(err, ZPUB_EINVAL, "schedule '%s': '%s' is not a list of"
			    " weekdays (mon,wed or mon-fri or daily, weekdays, weekends)", text, tok[0]);
		out->kind = SCHED_CRON;
		out->minutes = 1ull << m;
		out->hours = 1u << h;
		out->mdays = 0xfffffffeu;
		out->months = 0x1ffe;
		out->wdays = days;
		out->mday_any = 1;
		out->wday_any = days == 0x7f;
		return 0;
	}

	if (nt != 5)
		return zpub_err_set(err, ZPUB_EINVAL, "schedule '%s' is not understood: use 5-field"
		    " cron ('*/15 8-18 * * mon-fri'), a time of day ('mon,wed 18:30') or an"
		    " interval ('every 15m')", text);
	static const char *const field_names[] = { "minute", "hour", "day-of-month", "month",
		"day-of-week" };
	static const int lo[] = { 0, 0, 1, 1, 0 }, hi[] = { 59, 23, 31, 12, 7 };
	uint64_t bits[5];
	int any[5];
	for (int i = 0; i < 5; i++) {
		const char *const *names = i == 3 ? month_names : i == 4 ? wday_names : NULL;
		if (field_parse(tok[i], lo[i], hi[i], names, i == 3 ? 1 : 0, &bits[i], &any[i]))
			return zpub_err_set(err, ZPUB_EINVAL, "schedule '%s': the %s field '%s' is not"
			    " valid (numbers %d-%d, lists a,b, ranges a-b, steps */n%s)", text,
			    field_names[i], tok[i], lo[i], hi[i],
			    i == 3 ? ", jan..dec" : i == 4 ? ", sun..sat" : "");
	}
	out->kind = SCHED_CRON;
	out->minutes = bits[0];
	out->hours = (uint32_t)bits[1];
	out->mdays = (uint32_t)bits[2];
	out->months = (uint16_t)bits[3];
	if (bits[4] & (1ull << 7))
		bits[4] |= 1;
	out->wdays = (uint8_t)(bits[4] & 0x7f);
	out->mday_any = any[2];
	out->wday_any = any[4];
	return 0;
}

static int
day_ok(const struct sched *s, const struct tm *tm)
{
	int md = (s->mdays >> tm->tm_mday) & 1u, wd = (s->wdays >> tm->tm_wday) & 1u;
	if (s->mday_any && s->wday_any)
		return 1;
	if (s->mday_any)
		return wd;
	if (s->wday_any)
		return md;
	return md || wd;   /* cron: both restricted means either */
}

/* mktime of a struct tm with fields changed, DST left to the library. */
static int64_t
tm_ms(struct tm tm)
{
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	return (int64_t)t * 1000;
}

int64_t
sched_next(const struct sched *s, int64_t after_ms)
{
	if (s->kind == SCHED_INTERVAL)
		return after_ms + s->interval_ms;
	int64_t limit = after_ms + (int64_t)8 * 366 * 86400000;
	int64_t t = (after_ms / 60000 + 1) * 60000;
	if (after_ms < 0)
		t = 0;
	while (t <= limit) {
		time_t tt = (time_t)(t / 1000);
		struct tm tm;
		localtime_r(&tt, &tm);
		int64_t nt;
		if (!((s->months >> (tm.tm_mon + 1)) & 1u)) {
			tm.tm_mon++;
			tm.tm_mday = 1;
			tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
			nt = tm_ms(tm);
		} else if (!day_ok(s, &tm)) {
			tm.tm_mday++;
			tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
			nt = tm_ms(tm);
		} else if (!((s->hours >> tm.tm_hour) & 1u)) {
			tm.tm_hour++;
			tm.tm_min = tm.tm_sec = 0;
			nt = tm_ms(tm);
		} else if (!((s->minutes >> tm.tm_min) & 1ull)) {
			nt = t + 60000;
		} else
			return t;
		/* DST gaps can make mktime step back; always move forward. */
		t = nt > t ? nt : t + 60000;
	}
	return -1;
}
