/* needs: src/net/youtube_parse.c src/net/oauth.c src/ai/transcribe_openai.c */
/*
 * fuzz_api_json.c — what the API clients do with the bodies services send
 * back, fed arbitrary bytes: the Whisper-style verbose_json answer (then laid
 * out as subtitles), the OAuth token endpoint's answer and the sign-in
 * callback query (oauth.c, included for its static token_parse), YouTube's
 * error bodies and Range headers (youtube_parse.h; fuzz_youtube covers the
 * rest of YouTube's answers), saved tokens, transcripts, topics and time maps read
 * back from disk.  The first byte picks the parser.  Checks: no crash, a
 * refusal always carries a sentence, what zpub writes it can read back.
 */
#define free_secret oauth_free_secret_
#define json_str_dup oauth_json_str_dup_
#include "../../src/net/oauth.c"

#include "ai.h"
#include "youtube_parse.h"
#include "fdp.h"

static void
need_msg(int rc, const struct zpub_err *err, const char *what)
{
	if (rc != 0 && err->msg[0] == '\0') {
		fprintf(stderr, "%s refused without a sentence\n", what);
		__builtin_trap();
	}
}

static void
whisper(const char *body)
{
	struct transcript *t = NULL;
	struct zpub_err err = {0};
	int rc = tr_parse_verbose_json(body, &t, &err);
	need_msg(rc, &err, "tr_parse_verbose_json");
	if (rc != 0)
		return;
	struct subs_rules r;
	struct subs_track *track = NULL;
	subs_rules_default(&r, "en");
	tr_sort(t);
	if (subs_build(t, &r, &track, &err) == 0) {
		char *srt = subs_write_srt(track);
		free(srt);
		subs_track_free(track);
	}
	tr_free(t);
}

static void
token_answer(long status, const char *body)
{
	struct oauth_provider p = { .kind = status & 1 ? OAUTH_VKID : OAUTH_GOOGLE,
		.name = "youtube", .display = "YouTube (Google)" };
	struct http_response r = { .status = status, .body = (char *)body,
		.body_len = strlen(body), .retry_after_ms = -1 };
	struct oauth_tokens t = {0};
	struct zpub_err err = {0};
	int rc = token_parse(&p, &r, &t, &err);
	need_msg(rc, &err, "token_parse");
	if (rc == 0 && (t.access_token == NULL || t.access_token[0] == '\0'))
		__builtin_trap(); /* accepted an answer without a token */
	oauth_tokens_clear(&t);
}

static void
callback(const char *query, const char *state)
{
	struct oauth_provider p = { .kind = OAUTH_VKID, .name = "vk", .display = "VK" };
	char *code = NULL, *dev = NULL;
	struct zpub_err err = {0};
	int rc = oauth_callback_check(&p, query, state, &code, &dev, &err);
	need_msg(rc, &err, "oauth_callback_check");
	if (rc == 0 && (code == NULL || code[0] == '\0'))
		__builtin_trap();
	if (rc == 0) {
		/* a callback is only accepted with exactly the expected state */
		char *st = lsn_query_get(query, "state");
		if (st == NULL || strcmp(st, state) != 0)
			__builtin_trap();
		free(st);
	}
	free(code);
	free(dev);
}

static void
saved_tokens(const char *json)
{
	struct oauth_tokens t = {0}, u = {0};
	struct zpub_err err = {0};
	if (oauth_tokens_from_json(json, &t, &err) == 0) {
		char *again = oauth_tokens_to_json(&t);
		if (again == NULL || oauth_tokens_from_json(again, &u, &err) != 0) {
			fprintf(stderr, "saved tokens do not read back: %s\n", again);
			__builtin_trap();
		}
		free(again);
	}
	oauth_tokens_clear(&t);
	oauth_tokens_clear(&u);
}

static void
youtube_error(long status, const char *body, const char *range)
{
	struct yt_error e;
	struct zpub_err err = {0};
	int64_t acked;
	yt_parse_error(status, body, &e);
	need_msg(yt_parse_range(range, INT64_MAX, &acked, &err), &err, "yt_parse_range");
	/* broken UTF-8 too: a '<' inside a bad sequence was once kept */
	char *c = yt_clean(body, 100, 300);
	if (c == NULL || strlen(c) > 300 || strpbrk(c, "<>") || !utf8_valid(c, strlen(c)))
		__builtin_trap();
	free(c);
}

static void
transcript_file(const char *json, int64_t dur)
{
	struct transcript *t = NULL, *u = NULL;
	struct zpub_err err = {0};
	if (tr_from_json(json, &t, &err) != 0)
		return;
	char *again = tr_to_json(t);
	if (again == NULL || tr_from_json(again, &u, &err) != 0) {
		fprintf(stderr, "transcript does not read back: %s\n", err.msg);
		__builtin_trap();
	}
	free(again);
	tr_segments_from_words(t);
	tr_free(t);
	tr_free(u);
	(void)dur;
}

static void
topics_file(const char *json, int64_t dur)
{
	struct topics *t = NULL, *u = NULL;
	struct zpub_err err = {0};
	if (topics_from_json(json, &t, &err) != 0)
		return;
	topics_validate(t, dur, &err);
	topics_repair(t, dur);
	char *again = topics_to_json(t);
	if (again == NULL || topics_from_json(again, &u, &err) != 0) {
		fprintf(stderr, "topics do not read back: %s\n", err.msg);
		__builtin_trap();
	}
	free(again);
	topics_free(t);
	topics_free(u);
}

static void
time_map(const char *json, int64_t at)
{
	struct tr_time_map m = {0};
	struct zpub_err err = {0};
	if (tr_time_map_parse(json, &m, &err) != 0)
		return;
	int64_t o = tr_time_map_apply(&m, at);
	if (o < -1)
		__builtin_trap();
	struct transcript *t = tr_new("x", "en");
	tr_add_word(t, "a", at, at + 100);
	tr_add_word(t, "b", at / 2, at);
	tr_to_output_timeline(t, &m);
	tr_free(t);
	tr_time_map_clear(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdp f = { data, size };
	uint8_t mode = fdp_u8(&f);
	long status = (long)fdp_range(&f, 0, 599);
	int64_t n = fdp_range(&f, -1000, 100000000);
	char *a = fdp_str(&f, 64);
	char *body = fdp_rest(&f);

	switch (mode % 8) {
	case 0: whisper(body); break;
	case 1: token_answer(status, body); break;
	case 2: callback(body, a); break;
	case 3: saved_tokens(body); break;
	case 4: youtube_error(status, body, a); break;
	case 5: transcript_file(body, n); break;
	case 6: topics_file(body, n); break;
	case 7: time_map(body, n); break;
	}
	free(a);
	free(body);
	return 0;
}
