/*
 * api_token.c — bearer tokens for the control API: made from 32 random
 * bytes, stored only as a hash.  A token has 256 bits of entropy, so a fast
 * keyless hash is the right tool (no password stretching needed), and
 * lookups by hash stay one indexed query.
 */
#include "api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
api_token_new(char out[64])
{
	unsigned char raw[32];
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	if (sodium_init() < 0)
		abort();
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(b64, sizeof b64, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(out, 64, "zpub_%s", b64);
	sodium_memzero(raw, sizeof raw);
}

void
api_token_hash(const char *token, char out[65])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, 65, h, sizeof h);
}
