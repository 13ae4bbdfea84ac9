/*
 * chat.h — the OpenAI-compatible chat call shared by topics_chat.c and
 * translate.c (internal to src/ai).
 */
#ifndef ZPUB_AI_CHAT_H
#define ZPUB_AI_CHAT_H

#include <cJSON.h>

#include "ai/ai.h"

struct http_client;

struct chat_answer {
	char *content;          /* malloc'd, "" when none */
	char finish[32];        /* finish_reason */
};

/* POSTs {model, messages, response_format json_object} to the service with
 * the shared retry policy (429/5xx/408; 402 and other 4xx are final), skips
 * leading blank lines, and adds the billed tokens and cost to usage. */
int chat_call(struct http_client *c, const struct topics_chat_opts *o, cJSON *messages,
    struct chat_answer *ans, struct ai_usage *usage, struct zpub_err *err);
cJSON *chat_msg(const char *role, const char *content);
int chat_blank(const char *s);

#endif
