/*
 * text.h — the one UTF-8 module: decoding (one decoder), validating,
 * counting, code point boundaries, display width, case folding with one
 * table, word normalisation and a growable string buffer.
 *
 * Names: utf8_* work on bytes and columns (what a sequence is, how long,
 * how wide); text_* on what characters mean (fold, letters, words,
 * language); sb_* on the buffer.
 */
#ifndef ZPUB_BASE_TEXT_H
#define ZPUB_BASE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* ---- UTF-8 ----------------------------------------------------------------
 * The decoder is strict: overlong forms, surrogates (U+D800-U+DFFF), values
 * past U+10FFFF, stray continuation bytes and sequences cut short are not
 * UTF-8.  Where text must go on anyway, each such byte is one U+FFFD. */

#define UTF8_REPLACEMENT 0xFFFDu

/* Decodes one code point at s (len bytes available) into *cp.  Returns the
 * bytes used (1-4), or 0 when len is 0 or s does not start valid UTF-8. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
/* utf8_decode that always moves on: an invalid byte gives U+FFFD and 1.
 * Returns 0 (and *cp = 0) only when len is 0. */
size_t utf8_next(const char *s, size_t len, uint32_t *cp);
/* utf8_next on a NUL-terminated s; 0 at the NUL. */
size_t utf8_next_str(const char *s, uint32_t *cp);
/* Writes cp as UTF-8 to out (room for 4 bytes); returns the bytes. */
size_t utf8_put(char *out, uint32_t cp);
/* True if the len bytes at s are valid UTF-8. */
int utf8_valid(const char *s, size_t len);
/* Code points in NUL-terminated s, and in its first n bytes (an invalid
 * byte counts as one, as utf8_next reads it). */
size_t utf8_len(const char *s);
size_t utf8_nlen(const char *s, size_t n);
/* The previous boundary in NUL-terminated s, as utf8_next reads it: the
 * start of the code point holding byte n (n itself when one starts there;
 * utf8_floor(s, off - 1) is the start of the one before off).  The next
 * boundary is n + utf8_next(s + n, ...). */
size_t utf8_floor(const char *s, size_t n);
/* Columns one code point takes on a terminal: 0 for combining marks,
 * joiners and controls, 2 for wide ones (CJK, most emoji), else 1. */
int utf8_cp_width(uint32_t cp);
/* Columns a UTF-8 string takes (NULL: 0). */
int utf8_width(const char *s);

/* ---- characters -------------------------------------------------------- */

/* True for a code point a terminal acts on instead of drawing: the C0
 * controls (ESC, BEL, CR, LF, TAB, ...), DEL and the C1 controls
 * U+0080-U+009F (CSI, OSC, ...). */
int text_cp_is_control(uint32_t cp);
/* Letters and digits, any script. */
int text_is_alnum(uint32_t cp);

/* Case folding, one table for every user (search in the terminal app,
 * template globs, topic words): Unicode simple case folding for ASCII,
 * Latin-1, Latin Extended-A and -B, Greek (accented letters, final sigma
 * to sigma) and Cyrillic (U+0400-U+052F: Ё, Є, І, Ї, Ў, Ђ, ...). */
enum text_fold {
	TEXT_FOLD_CASE,    /* case only: Ё -> ё */
	TEXT_FOLD_SEARCH,  /* as search and topic words compare: Ё, ё -> е too */
};
uint32_t text_fold_cp(uint32_t cp, enum text_fold how);
/* Folds the len bytes at s into out (room for 2 * len + 1 bytes always
 * suffices), NUL-terminated; bytes that are not UTF-8 are copied as they
 * are.  Returns the bytes written. */
size_t text_fold(const char *s, size_t len, char *out, enum text_fold how);
/* The word folded for comparison (TEXT_FOLD_SEARCH) with leading and
 * trailing punctuation removed; malloc'd. */
char *text_norm_word(const char *w);
/* Guesses "ru" when most letters are Cyrillic, else "en". */
const char *text_guess_lang(const char *s);

/* ---- a growable string ------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
};
void sb_add(struct sbuf *b, const char *s);
void sb_addn(struct sbuf *b, const char *s, size_t n);
void sb_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_addc(struct sbuf *b, char c);
/* Returns the string (never NULL) and leaves b empty. */
char *sb_take(struct sbuf *b);
void sb_free(struct sbuf *b);

#endif
