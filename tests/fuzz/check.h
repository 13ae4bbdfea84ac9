/*
 * check.h — the checks the answer-parser targets (fuzz_youtube, fuzz_vk,
 * fuzz_chat) share: a broken invariant prints why and traps, so libFuzzer
 * keeps the input.  (build.sh rebuilds a target when fdp.h changes, not
 * this file: touch the targets after editing it.)
 */
#ifndef ZPUB_FUZZ_CHECK_H
#define ZPUB_FUZZ_CHECK_H

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "util.h"

#define CHECK(c, ...) do { if (!(c)) { fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); __builtin_trap(); } } while (0)

/* A refusal has a sentence; an acceptance none. */
static inline void
need_msg(int rc, const struct zpub_err *err, const char *what)
{
	CHECK(rc == 0 || err->msg[0] != '\0', "%s refused without a sentence", what);
	CHECK(rc != 0 || err->msg[0] == '\0', "%s accepted but left a sentence", what);
}

/* Valid UTF-8 without control characters: fit for a sentence or a log. */
static inline void
clean_text(const char *s, const char *what)
{
	CHECK(utf8_valid(s, strlen(s)), "%s is not UTF-8", what);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		CHECK(*p >= 0x20 && *p != 0x7F, "%s holds a control character", what);
}

#endif
