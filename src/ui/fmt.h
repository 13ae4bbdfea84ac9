/*
 * fmt.h — the pure text and time helpers of the terminal app: cutting a
 * string to a number of columns (widths and decoding are text.h's),
 * timecodes, progress and ETA strings.  No curses here, so the unit tests
 * can use these directly.
 */
#ifndef ZPUB_UI_TEXT_H
#define ZPUB_UI_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "text.h"

/* Copies the longest prefix of s that fits in cols columns into out
 * (NUL-terminated, never splitting a code point); when s is cut and
 * ellipsis is set, the last column becomes "…".  Returns the columns used. */
int ui_text_fit(const char *s, int cols, int ellipsis, char *out, size_t outsz);
/* Copies src into dst (size n), cut at a code point boundary. */
void ui_strlcpy(char *dst, const char *src, size_t n);

/* "H:MM:SS" below 10 h with hours, "MM:SS" when short is set and under an hour. */
void ui_fmt_clock(int64_t ms, int short_form, char out[16]);
/* "1:23" / "12m" / "2h05m" — an ETA that fits in 6 columns. */
void ui_fmt_eta(int64_t ms, char out[16]);
/* A progress bar of width cells made of '#' and '-' (ASCII so every
 * terminal draws it), e.g. "#####-----". */
void ui_fmt_bar(double fraction, int width, char *out, size_t outsz);
/* Local date and time "2026-11-25 14:03" (or "-" for 0). */
void ui_fmt_local(int64_t epoch_ms, char out[32]);

#endif
