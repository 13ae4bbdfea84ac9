/*
 * jnum.h — JSON numbers to integers without undefined behaviour.  cJSON
 * keeps every number as a double; casting a double that is NaN, infinite
 * or outside the target type to an integer is undefined in C, and every
 * number we read comes from a file or a server we do not control.  These
 * accept a number only inside a range the caller names, exactly
 * representable (|x| <= 2^53), and otherwise give the caller's default.
 */
#ifndef ZPUB_JNUM_H
#define ZPUB_JNUM_H

#include <stdint.h>

#include <cJSON.h>

/* The widest range in which a double holds every integer exactly, minus one
 * (2^53 itself is also what 2^53 + 1 parses to). */
#define JNUM_MAX (((int64_t)1 << 53) - 1)

/* The longest time we take from any file or answer: a hundred years in
 * milliseconds.  Anything beyond is garbage, and keeping times far below
 * 2^63 lets callers add and scale them without overflow. */
#define JNUM_MS_MAX ((int64_t)100 * 366 * 24 * 3600 * 1000)

/* 1 and *out = v truncated toward zero when v is a number whose integer
 * part lies in [lo, hi]; 0 otherwise (*out untouched). */
int jnum_get(const cJSON *v, int64_t lo, int64_t hi, int64_t *out);

/* v's integer part when it is a number in [lo, hi], else def. */
int64_t jnum_or(const cJSON *v, int64_t lo, int64_t hi, int64_t def);

/* v * scale rounded to nearest (half away from zero) when v is a number
 * and the product lies in [lo, hi], else def: seconds in an answer to
 * milliseconds, for instance. */
int64_t jnum_scaled(const cJSON *v, double scale, int64_t lo, int64_t hi, int64_t def);

/* The same checks for a bare double (a number already out of cJSON). */
int jnum_fits(double d, int64_t lo, int64_t hi);

#endif
