/* needs: src/ai/topics_chat.c src/net/wire_parse.c src/base/jnum.c */
/*
 * fuzz_chat.c — the OpenAI-compatible chat answer as src/ai/topics_chat.c
 * reads it (chat_parse_answer, chat_parse_error), fed arbitrary bytes:
 * keep-alive lines before the body, choices[0].message.content,
 * finish_reason, usage with DeepSeek's or OpenAI's cache fields, error
 * envelopes in any shape.  Checks beyond "no crash": a refusal always has a
 * sentence; an accepted answer has content (maybe "") and a finish_reason
 * of letters, digits and '_'; token counts are whole, within
 * CHAT_TOKENS_MAX, cached no more than prompt; error text is clean UTF-8
 * inside its buffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "util.h"
#include "check.h"
#include "fdp.h"

static void
answer(const char *body)
{
	struct chat_answer a;
	struct chat_tokens t;
	struct zpub_err err = {0};
	int rc = chat_parse_answer(body, "the chat service", &a, &t, &err);
	if (rc != 0) {
		CHECK(err.msg[0] != '\0', "chat_parse_answer refused without a sentence");
		CHECK(a.content == NULL, "a refused answer left content");
		CHECK(!t.billed && t.prompt == 0 && t.completion == 0 && t.cached == 0,
		    "a refused answer billed tokens");
		clean_text(err.msg, "chat refusal");
		return;
	}
	CHECK(err.msg[0] == '\0', "accepted with a sentence");
	CHECK(a.content != NULL, "accepted without content");
	CHECK(strspn(a.finish, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
	    strlen(a.finish), "finish_reason %s", a.finish);
	CHECK(t.prompt >= 0 && t.prompt <= CHAT_TOKENS_MAX && t.completion >= 0 &&
	    t.completion <= CHAT_TOKENS_MAX && t.cached >= 0 && t.cached <= t.prompt,
	    "tokens %lld/%lld/%lld", (long long)t.prompt, (long long)t.completion,
	    (long long)t.cached);
	if (!t.billed)
		CHECK(t.prompt == 0 && t.completion == 0 && t.cached == 0, "unbilled tokens");
	free(a.content);
}

static void
error_env(const char *body, size_t n)
{
	char out[300];
	memset(out, 'x', sizeof out);
	chat_parse_error(body, out, n);
	CHECK(memchr(out, '\0', n) != NULL, "error text overflows its %zu bytes", n);
	clean_text(out, "error text");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp f = { data, size };
	uint8_t mode = fdp_u8(&f);
	size_t n = (size_t)fdp_range(&f, 1, 300);
	char *body = fdp_rest(&f);

	if (mode & 1)
		error_env(body, n);
	else
		answer(body);
	free(body);
	return 0;
}
