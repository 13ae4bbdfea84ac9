/*
 * fdp.h — a tiny "fuzzed data provider" for the libFuzzer targets: takes
 * integers and strings off the front of the input so one byte string can
 * drive a call with several arguments.  Running out of input yields zeros
 * and empty strings, never an error.
 */
#ifndef ZPUB_FUZZ_FDP_H
#define ZPUB_FUZZ_FDP_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fdp {
	const uint8_t *d;
	size_t n;
};

static inline uint8_t
fdp_u8(struct fdp *f)
{
	if (f->n == 0)
		return 0;
	f->n--;
	return *f->d++;
}

static inline uint32_t
fdp_u32(struct fdp *f)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | fdp_u8(f);
	return v;
}

/* A value in [lo, hi]. */
static inline int64_t
fdp_range(struct fdp *f, int64_t lo, int64_t hi)
{
	uint64_t span = (uint64_t)(hi - lo) + 1, v = (uint64_t)fdp_u32(f) << 32 | fdp_u32(f);
	return span == 0 ? (int64_t)v : lo + (int64_t)(v % span);
}

/* A NUL-terminated copy of the next string: up to the next 0xFF byte (or at
 * most max bytes, or the end).  malloc'd. */
static inline char *
fdp_str(struct fdp *f, size_t max)
{
	size_t k = 0;
	while (k < f->n && k < max && f->d[k] != 0xFF)
		k++;
	char *s = malloc(k + 1);
	if (s == NULL)
		abort();
	memcpy(s, f->d, k);
	s[k] = '\0';
	f->d += k;
	f->n -= k;
	if (f->n > 0 && f->d[0] == 0xFF) {
		f->d++;
		f->n--;
	}
	return s;
}

/* The rest of the input as a NUL-terminated string.  malloc'd. */
static inline char *
fdp_rest(struct fdp *f)
{
	char *s = malloc(f->n + 1);
	if (s == NULL)
		abort();
	memcpy(s, f->d, f->n);
	s[f->n] = '\0';
	f->d += f->n;
	f->n = 0;
	return s;
}

#endif
