/*
 * wire_parse.h — the checks every answer parser shares (youtube_parse.c,
 * vk_parse.c, the chat answer in src/ai): text from a server made fit for
 * an error sentence, ids that may go into a URL or a file name, absolute
 * URLs to send the next request to, strict decimal integers.  Pure: no I/O,
 * no allocation except where a function says so.
 */
#ifndef ZPUB_NET_WIRE_PARSE_H
#define ZPUB_NET_WIRE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "err.h"

/* Copies src into dst[cap] for a sentence: control characters and bytes that
 * are not UTF-8 become '?', the copy is cut on a code point boundary; dst is
 * "" when src is NULL.  cap >= 1. */
void wire_text(char *dst, size_t cap, const char *src);

/* True when s is 1..max bytes of ASCII letters, digits and the characters in
 * extra, and holds no "..".  With '/' left out of extra, such an id is safe
 * inside a URL path or query and as a file name. */
int wire_id_ok(const char *s, size_t max, const char *extra);

/* True when s is an absolute http:// or https:// URL with a host, at most
 * 8 KiB of printable ASCII (no space, no control character). */
int wire_url_ok(const char *s);

/* The JSON object body holds, in *o (free with cJSON_Delete); or a refusal
 * "<who>'s answer to <what> is not a JSON object" and *o NULL. */
int wire_json_object(const char *body, const char *who, const char *what, cJSON **o,
    struct zpub_err *err);

/* Parses a whole string "-?[0-9]+" into [lo, hi]; 1 on success. */
int wire_int(const char *s, int64_t lo, int64_t hi, int64_t *out);

#endif
