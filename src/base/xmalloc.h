/*
 * xmalloc.h — the one out-of-memory policy: small allocations abort.
 *
 * Structs, strings, small growing arrays and JSON documents zpub builds are
 * allocated with these functions.  When one fails the process is out of
 * memory and nothing useful can follow, so it prints one line ("zpub: out of
 * memory allocating N bytes") and aborts; callers never check for NULL and
 * never return "out of memory" errors.
 *
 * An error return stays only where a BIG allocation can fail for a reason
 * the user can act on: a whole file read into memory, a media buffer sized by
 * the input.  Such code uses plain malloc() and says what was too big.
 * Allocations made inside FFmpeg, SQLite and curl keep their checked return
 * values, as every other result of those libraries does.
 *
 * cJSON: this file installs cJSON_InitHooks() with the aborting allocators
 * when the program starts (a constructor, so zpub, the tests, the fuzzers and
 * the benchmarks all get it without an init call).  cJSON_Create*() and
 * cJSON_Add*ToObject() return NULL only when out of memory, so their results
 * need no check; cJSON_Parse() and cJSON_Print*() still can fail for other
 * reasons (bad input) and are checked.
 */
#ifndef ZPUB_XMALLOC_H
#define ZPUB_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
/* realloc(p, nmemb * size), aborting when the product overflows. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
void *xrealloc(void *p, size_t size);
/* strdup; NULL s gives "". */
char *xstrdup(const char *s);
/* The first n bytes of s (fewer at a NUL), NUL-terminated. */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
