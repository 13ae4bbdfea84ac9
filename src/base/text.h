/*
 * text.h — the little UTF-8 text toolkit the ai/ module needs: code point
 * iteration, case folding for Latin and Cyrillic, word normalisation and a
 * growable string buffer.  Internal to src/ai.
 */
#ifndef ZPUB_AI_TEXT_H
#define ZPUB_AI_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s (s[0] != 0); returns its byte length (invalid
 * bytes count as one code point U+FFFD of length 1). */
size_t txt_next(const char *s, uint32_t *cp);
/* Appends cp as UTF-8 to out (room for 4 bytes); returns the byte count. */
size_t txt_put(char *out, uint32_t cp);
uint32_t txt_lower(uint32_t cp);
int txt_is_alnum(uint32_t cp);   /* letters and digits, any script */
int txt_is_cyrillic(uint32_t cp);
/* Lower-cased word with leading/trailing punctuation removed; malloc'd. */
char *txt_norm_word(const char *w);
/* Number of code points in the first n bytes. */
size_t txt_chars(const char *s, size_t n);
/* Byte offset of the code point boundary at or before byte n. */
size_t txt_floor(const char *s, size_t n);
/* Guesses "ru" when most letters are Cyrillic, else "en". */
const char *txt_guess_lang(const char *s);

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
