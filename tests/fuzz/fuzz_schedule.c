/* needs: src/engine/schedule.c */
/*
 * fuzz_schedule.c — job schedules ("*\/15 8-18 * * mon-fri", "every 2h",
 * "mon,wed 09:00", ...) parsed from arbitrary text, and the next run computed
 * from an arbitrary instant.  Checks: a parse either succeeds or fills the
 * error sentence; the next run is strictly later than "after" (or -1), and a
 * cron schedule's next run falls on a whole minute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "fdp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp f = { data, size };
	int64_t after = fdp_range(&f, 0, 4102444800000LL); /* 1970 .. 2100 */
	char *text = fdp_rest(&f);
	struct sched s;
	struct zpub_err err = {0};

	static int tz_set;
	if (!tz_set) {
		setenv("TZ", "Europe/Moscow", 1);
		tz_set = 1;
	}
	int rc = sched_parse(text, &s, &err);
	if (rc != 0) {
		if (err.msg[0] == '\0')
			__builtin_trap(); /* refusal without a sentence */
	} else {
		int64_t next = sched_next(&s, after);
		if (next != -1 && next <= after) {
			fprintf(stderr, "'%s' after %lld gave %lld\n", text, (long long)after, (long long)next);
			__builtin_trap();
		}
		if (next != -1 && s.kind == SCHED_CRON && next % 60000 != 0)
			__builtin_trap();
	}
	sched_parse_duration_ms(text);
	free(text);
	return 0;
}
