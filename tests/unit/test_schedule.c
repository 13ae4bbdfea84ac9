/*
 * test_schedule.c — cron fields, names, steps, the day-of-month/weekday OR
 * rule, time-of-day schedules, intervals and next-run computation (in UTC
 * and across a DST change).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schedule.h"
#include "util.h"

static int64_t
at(const char *iso)
{
	int64_t t = time_parse_iso(iso);
	assert_true(t >= 0);
	return t;
}

static void
expect_next(const char *sched, const char *after, const char *want)
{
	struct sched s;
	struct zpub_err err;
	if (sched_parse(sched, &s, &err) != 0)
		fail_msg("'%s' did not parse: %s", sched, err.msg);
	int64_t n = sched_next(&s, at(after));
	char got[32];
	time_iso(n, got);
	if (strcmp(got, want) != 0)
		fail_msg("'%s' after %s: got %s, want %s", sched, after, got, want);
}

static int
utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void
test_cron_every_minute_is_strictly_after(void **state)
{
	(void)state;
	expect_next("* * * * *", "2026-11-25T13:00:00Z", "2026-11-25T13:01:00Z");
	expect_next("* * * * *", "2026-11-25T13:00:59Z", "2026-11-25T13:01:00Z");
}

static void
test_cron_steps_ranges_lists(void **state)
{
	(void)state;
	expect_next("*/15 * * * *", "2026-11-25T13:07:00Z", "2026-11-25T13:15:00Z");
	expect_next("*/15 * * * *", "2026-11-25T13:45:00Z", "2026-11-25T14:00:00Z");
	expect_next("0 8-18/2 * * *", "2026-11-25T13:00:00Z", "2026-11-25T14:00:00Z");
	expect_next("0 8-18/2 * * *", "2026-11-25T18:00:00Z", "2026-11-26T08:00:00Z");
	expect_next("5,35 9 * * *", "2026-11-25T09:05:00Z", "2026-11-25T09:35:00Z");
	expect_next("30 9/4 * * *", "2026-11-25T00:00:00Z", "2026-11-25T09:30:00Z");
	expect_next("30 9/4 * * *", "2026-11-25T10:00:00Z", "2026-11-25T13:30:00Z");
}

static void
test_cron_names_and_sunday_as_7(void **state)
{
	(void)state;
	/* 2026-11-25 is a Wednesday. */
	expect_next("0 10 * * mon-fri", "2026-11-27T10:00:00Z", "2026-11-30T10:00:00Z");
	expect_next("0 10 * * SAT,sun", "2026-11-25T00:00:00Z", "2026-11-28T10:00:00Z");
	expect_next("0 10 * * 7", "2026-11-25T00:00:00Z", "2026-11-29T10:00:00Z");
	expect_next("0 0 1 jan *", "2026-11-25T00:00:00Z", "2027-01-01T00:00:00Z");
	expect_next("0 0 * feb-mar *", "2026-11-25T00:00:00Z", "2027-02-01T00:00:00Z");
}

static void
test_cron_day_of_month_or_weekday(void **state)
{
	(void)state;
	/* Both restricted: either matches (the 1st, or any Friday). */
	expect_next("0 12 1 * fri", "2026-11-25T00:00:00Z", "2026-11-27T12:00:00Z");
	expect_next("0 12 1 * fri", "2026-11-27T12:00:00Z", "2026-12-01T12:00:00Z");
	/* Day of month alone. */
	expect_next("0 0 31 * *", "2026-11-25T00:00:00Z", "2026-12-31T00:00:00Z");
	expect_next("0 0 29 2 *", "2026-11-25T00:00:00Z", "2028-02-29T00:00:00Z");
}

static void
test_cron_impossible_date_has_no_next(void **state)
{
	(void)state;
	struct sched s;
	assert_int_equal(sched_parse("0 0 31 2 *", &s, NULL), 0);
	assert_int_equal(sched_next(&s, at("2026-11-25T00:00:00Z")), -1);
}

static void
test_macros(void **state)
{
	(void)state;
	expect_next("@hourly", "2026-11-25T13:20:00Z", "2026-11-25T14:00:00Z");
	expect_next("@daily", "2026-11-25T13:20:00Z", "2026-11-26T00:00:00Z");
	expect_next("@weekly", "2026-11-25T13:20:00Z", "2026-11-29T00:00:00Z");
	expect_next("@monthly", "2026-11-25T13:20:00Z", "2026-12-01T00:00:00Z");
	expect_next("@yearly", "2026-11-25T13:20:00Z", "2027-01-01T00:00:00Z");
}

static void
test_time_of_day_with_weekdays(void **state)
{
	(void)state;
	expect_next("18:30", "2026-11-25T13:00:00Z", "2026-11-25T18:30:00Z");
	expect_next("daily 18:30", "2026-11-25T18:30:00Z", "2026-11-26T18:30:00Z");
	expect_next("mon,wed 09:00", "2026-11-25T09:00:00Z", "2026-11-30T09:00:00Z");
	expect_next("mon-fri 08:15", "2026-11-27T09:00:00Z", "2026-11-30T08:15:00Z");
	expect_next("weekdays 07:00", "2026-11-28T00:00:00Z", "2026-11-30T07:00:00Z");
	expect_next("weekends 12:00", "2026-11-25T00:00:00Z", "2026-11-28T12:00:00Z");
}

static void
test_intervals(void **state)
{
	(void)state;
	struct sched s;
	assert_int_equal(sched_parse("every 15m", &s, NULL), 0);
	assert_int_equal(s.kind, SCHED_INTERVAL);
	assert_int_equal(sched_next(&s, 1000), 1000 + 15 * 60000);
	assert_int_equal(sched_parse("every 2s", &s, NULL), 0);
	assert_int_equal(s.interval_ms, 2000);
	assert_int_equal(sched_parse("every 1h30m", &s, NULL), 0);
	assert_int_equal(s.interval_ms, 5400000);
	assert_int_equal(sched_parse_duration_ms("500ms"), 500);
	assert_int_equal(sched_parse_duration_ms("1d"), 86400000);
	assert_int_equal(sched_parse_duration_ms("15x"), -1);
	assert_int_equal(sched_parse_duration_ms(""), -1);
}

static void
test_bad_schedules_say_which_field(void **state)
{
	(void)state;
	struct sched s;
	struct zpub_err err;
	static const char *const bad[] = { "", "* * * *", "60 * * * *", "* 24 * * *",
		"* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *", "5-1 * * * *",
		"* * * * funday", "25:00", "mon 9:75", "every 0s", "every", "every 10q",
		"1,,2 * * * *", "a b c d e", NULL };
	for (int i = 0; bad[i]; i++)
		if (sched_parse(bad[i], &s, &err) != ZPUB_EINVAL)
			fail_msg("'%s' should be refused", bad[i]);
	assert_int_equal(sched_parse("* 25 * * *", &s, &err), ZPUB_EINVAL);
	assert_non_null(strstr(err.msg, "hour"));
	assert_int_equal(sched_parse("* * * * xyz", &s, &err), ZPUB_EINVAL);
	assert_non_null(strstr(err.msg, "day-of-week"));
}

static void
test_local_time_across_dst(void **state)
{
	(void)state;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	/* 2026-03-29 02:00 CET jumps to 03:00 CEST: 09:00 local is 07:00Z after. */
	expect_next("0 9 * * *", "2026-03-28T09:00:00Z", "2026-03-29T07:00:00Z");
	expect_next("0 9 * * *", "2026-03-27T09:00:00Z", "2026-03-28T08:00:00Z");
	/* 02:30 does not exist on the change day; the next real one is a day later. */
	expect_next("30 2 * * *", "2026-03-28T12:00:00Z", "2026-03-30T00:30:00Z");
	setenv("TZ", "UTC", 1);
	tzset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cron_every_minute_is_strictly_after),
		cmocka_unit_test(test_cron_steps_ranges_lists),
		cmocka_unit_test(test_cron_names_and_sunday_as_7),
		cmocka_unit_test(test_cron_day_of_month_or_weekday),
		cmocka_unit_test(test_cron_impossible_date_has_no_next),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_time_of_day_with_weekdays),
		cmocka_unit_test(test_intervals),
		cmocka_unit_test(test_bad_schedules_say_which_field),
		cmocka_unit_test(test_local_time_across_dst),
	};
	return cmocka_run_group_tests(tests, utc, NULL);
}
