/*
 * schedule.h — when a job runs: a 5-field cron expression, a time of day on
 * some weekdays, or a fixed interval.  Pure: parsing and "next run after t"
 * touch nothing but their arguments (and the TZ rules for local time).
 *
 * Accepted forms:
 *   "*\/15 8-18 * * mon-fri"   5-field cron (minute hour day-of-month month
 *                              day-of-week) with lists, ranges, steps and
 *                              names (jan..dec, sun..sat; 7 = sunday too)
 *   "@hourly" "@daily" "@weekly" "@monthly" "@yearly"
 *   "18:30" "daily 18:30" "mon,wed 09:00" "mon-fri 08:15" "weekdays 07:00"
 *   "weekends 12:00"          time of day, optionally on some weekdays
 *   "every 90s" "every 15m" "every 2h" "every 1d"   an interval
 * Cron and time-of-day schedules are evaluated in local time (TZ).
 */
#ifndef ZPUB_SCHEDULE_H
#define ZPUB_SCHEDULE_H

#include <stdint.h>

#include "err.h"

enum sched_kind { SCHED_CRON, SCHED_INTERVAL };

struct sched {
	enum sched_kind kind;
	uint64_t minutes;      /* bit m: minute m (0..59) */
	uint32_t hours;        /* bit h (0..23) */
	uint32_t mdays;        /* bit d (1..31) */
	uint16_t months;       /* bit m (1..12) */
	uint8_t wdays;         /* bit w (0 = sunday .. 6) */
	int mday_any, wday_any; /* the field was '*' (cron's day OR-rule) */
	int64_t interval_ms;   /* SCHED_INTERVAL */
};

/* Parses text into *out; ZPUB_EINVAL with a sentence naming the bad field. */
int sched_parse(const char *text, struct sched *out, struct zpub_err *err);

/* The first run strictly after after_ms (epoch ms); -1 if none within
 * eight years (e.g. "0 0 31 2 *"). */
int64_t sched_next(const struct sched *s, int64_t after_ms);

/* Parses "90s", "15m", "2h", "1d", "500ms" or plain milliseconds; -1 if bad. */
int64_t sched_parse_duration_ms(const char *text);

#endif
