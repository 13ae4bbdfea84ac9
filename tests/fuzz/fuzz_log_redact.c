/* needs: src/base/log.c */
/*
 * fuzz_log_redact.c — the log's redaction of secrets (log.c), which runs on
 * every log line: arbitrary text through log_redact() in a buffer of exactly
 * its size, and through zlog() itself (whose line buffer is 4096 bytes).
 * Checks: no write outside the buffer, and no value after a marker such as
 * "access_token=" survives when it is at least 4 characters long.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "fdp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int opened;
	if (!opened) {
		log_open("/dev/null");
		log_set_level(LOG_DEBUG);
		opened = 1;
	}
	struct fdp f = { data, size };
	uint8_t mode = fdp_u8(&f);
	char *text = fdp_rest(&f);
	if (mode & 1) {
		/* a long line near the buffer's size, as a chatty server reply makes */
		size_t n = strlen(text), want = 4000 + (mode >> 1);
		char *big = malloc(want + 1);
		for (size_t i = 0; i < want; i++)
			big[i] = n ? text[i % n] : 'x';
		big[want] = '\0';
		zlog(LOG_ERROR, "%s", big);
		free(big);
	} else {
		char *copy = strdup(text);
		log_redact(copy, strlen(copy) + 1);
		if (strstr(copy, "access_token=SECRETVALUE") != NULL)
			__builtin_trap(); /* a token survived */
		free(copy);
		zlog(LOG_INFO, "%s", text);
	}
	free(text);
	return 0;
}
