/*
 * chat.h — the OpenAI-compatible chat call shared by topics_chat.c and
 * translate.c (internal to src/ai), and the pure readers of its answers
 * (no I/O, so tests/fuzz can feed them any bytes).  Wire contract:
 * API_CONTRACTS.md §6.
 */
#ifndef ZPUB_AI_CHAT_H
#define ZPUB_AI_CHAT_H

#include <cJSON.h>

#include "ai.h"

struct http_client;

struct chat_answer {
	char *content;          /* malloc'd, "" when none */
	char finish[32];        /* finish_reason: letters, digits and '_' only */
};

/* No single answer bills more tokens than this; a larger count is garbage. */
#define CHAT_TOKENS_MAX 1000000000000LL

/* The answer's usage: 0 <= cached <= prompt, each <= CHAT_TOKENS_MAX. */
struct chat_tokens {
	int billed;             /* the answer had a usage object */
	int64_t prompt, completion, cached;
};

/* Reads a chat completion body (after any blank keep-alive lines and
 * ": keep-alive" comment lines): choices[0].message.content ("" when null
 * or absent: the caller asks again), choices[0].finish_reason, and usage
 * (prompt_tokens, completion_tokens, and prompt_cache_hit_tokens or
 * prompt_tokens_details.cached_tokens).  0 with ans->content malloc'd; or a
 * refusal naming `who`: not JSON, an error envelope, no choices, a token
 * count that is not one. */
int chat_parse_answer(const char *body, const char *who, struct chat_answer *ans,
    struct chat_tokens *tok, struct zpub_err *err);

/* The error envelope {"error":{"message","type","code"}} as "message (type,
 * code)", cleaned for a sentence; "" when the body holds none. */
void chat_parse_error(const char *body, char *out, size_t n);

/* POSTs {model, messages, response_format json_object} to the service with
 * the shared retry policy (429/5xx/408; 402 and other 4xx are final), skips
 * leading blank lines, and adds the billed tokens and cost to usage. */
int chat_call(struct http_client *c, const struct topics_chat_opts *o, cJSON *messages,
    struct chat_answer *ans, struct ai_usage *usage, struct zpub_err *err);
cJSON *chat_msg(const char *role, const char *content);
int chat_blank(const char *s);

#endif
