/* The OpenAI-compatible engines against tests/fakes/fake_openai.py:
 * retries, usage counted once, final errors naming the service and status,
 * chat validation, repair, empty content and 402 (src/ai/transcribe_openai.c,
 * src/ai/topics_chat.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ai.h"
#include "http.h"
#include "util.h"

struct fake {
	pid_t pid;
	int port;
	char base[64];
};

/* Starts the fake with extra arguments; reads "PORT n". */
static void
fake_start(struct fake *f, const char *const *args)
{
	const char *src = getenv("ZPUB_SRC") ? getenv("ZPUB_SRC") : ".";
	char *script = xasprintf("%s/tests/fakes/fake_openai.py", src);
	int p[2];
	assert_int_equal(pipe(p), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0) {
		const char *argv[32] = { "python3", script };
		int n = 2;
		for (int i = 0; args && args[i] && n < 30; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execvp("python3", (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	FILE *in = fdopen(p[0], "r");
	char line[64] = "";
	assert_non_null(fgets(line, sizeof line, in));
	fclose(in);
	assert_int_equal(sscanf(line, "PORT %d", &f->port), 1);
	snprintf(f->base, sizeof f->base, "http://127.0.0.1:%d/v1", f->port);
	free(script);
}

static void
fake_stop(struct fake *f)
{
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
}

static cJSON *
fake_stats(struct fake *f)
{
	struct http_client *c = http_client_new();
	struct http_response r = {0};
	char url[128];
	snprintf(url, sizeof url, "%s/stats", f->base);
	struct http_request req = { .url = url };
	struct zpub_err err;
	assert_int_equal(http_do(c, &req, &r, &err), 0);
	cJSON *j = cJSON_Parse(r.body);
	http_response_free(&r);
	http_client_free(c);
	return j;
}

static int
stat_int(cJSON *j, const char *k)
{
	return (int)cJSON_GetObjectItem(j, k)->valuedouble;
}

static char *
make_chunk(const char *name, double seconds)
{
	const char *tmp = getenv("ZPUB_TESTTMP") ? getenv("ZPUB_TESTTMP") : "/tmp";
	char *dir = xasprintf("%s/ai_online", tmp);
	fs_mkdir_p(dir, 0700, NULL);
	char *path = xasprintf("%s/%s", dir, name);
	/* a tone stands in for speech, so nothing is dropped as silence */
	char *cmd = xasprintf("sox -n -r 16000 -c 1 '%s' synth %.1f sine 220 vol 0.4", path, seconds);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(dir);
	return path;
}

static struct ai_service
svc_for(struct fake *f, const char *name)
{
	return (struct ai_service){ .name = name, .base_url = f->base, .model = "whisper-v3-turbo",
		.key = "sk-test", .timeout_ms = 20000, .max_attempts = 4, .backoff_base_ms = 100 };
}

static void
test_transcription_retries_429_then_500_and_counts_usage_once(void **state)
{
	(void)state;
	struct fake f;
	const char *args[] = { "--transcribe-script", "429,500", "--key", "sk-test", NULL };
	fake_start(&f, args);
	char *c1 = make_chunk("c1.flac", 12.0), *c2 = make_chunk("c2.flac", 8.0);
	struct tr_chunk chunks[2] = { { c1, 0, 12000 }, { c2, 12000, 8000 } };
	struct ai_service svc = svc_for(&f, "Fireworks transcription");
	/* one at a time so the fault script hits the first chunk */
	struct tr_opts o = { .engine = "openai-compatible", .concurrency = 1, .svc = &svc,
		.price_per_minute = 0.0009, .what = "'Test' (recording 1)" };
	struct transcript *t = NULL;
	struct ai_usage u = {0};
	struct zpub_err err = {0};
	if (tr_transcribe(chunks, 2, &o, &t, &u, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(u.audio_minutes > 0.33 && u.audio_minutes < 0.34);   /* 20 s, once */
	assert_true(u.cost > 0.0002 && u.cost < 0.0004);
	assert_string_equal(t->language, "en");
	assert_true(t->n_words > 30);
	/* stitched: the second chunk's words sit after 12 s, all ascend */
	int after = 0;
	for (size_t i = 0; i < t->n_words; i++) {
		if (i)
			assert_true(t->words[i].start_ms >= t->words[i - 1].start_ms);
		after += t->words[i].start_ms >= 12000;
		assert_true(t->words[i].end_ms <= 20000);
	}
	assert_true(after > 10);
	cJSON *s = fake_stats(&f);
	assert_int_equal(stat_int(s, "transcriptions"), 4); /* 429, 500, ok, ok */
	assert_int_equal(stat_int(s, "ok_transcriptions"), 2);
	cJSON_Delete(s);
	tr_free(t);
	fake_stop(&f);

	/* Concurrency: three chunks in flight at once still stitch in order. */
	const char *args2[] = { "--slow-seconds", "1", "--then", "slow", NULL };
	fake_start(&f, args2);
	svc = svc_for(&f, "Groq");
	struct tr_chunk three[3] = { { c1, 0, 12000 }, { c2, 12000, 8000 }, { c1, 20000, 12000 } };
	o.concurrency = 3;
	o.svc = &svc;
	int64_t t0 = time_mono_ms();
	memset(&u, 0, sizeof u);
	assert_int_equal(tr_transcribe(three, 3, &o, &t, &u, &err), 0);
	assert_true(time_mono_ms() - t0 < 2900); /* not 3 x 1 s one after another */
	assert_true(t->words[t->n_words - 1].start_ms >= 20000);
	tr_free(t);
	fake_stop(&f);
	free(c1);
	free(c2);
}

static void
test_transcription_failure_names_service_and_status(void **state)
{
	(void)state;
	struct fake f;
	const char *args[] = { "--then", "500", NULL };
	fake_start(&f, args);
	char *c1 = make_chunk("c3.flac", 3.0);
	struct tr_chunk ch = { c1, 0, 3000 };
	struct ai_service svc = svc_for(&f, "Fireworks transcription");
	svc.max_attempts = 2;
	struct tr_opts o = { .engine = "openai-compatible", .concurrency = 2, .svc = &svc,
		.what = "'Лекция 1' (recording 7)" };
	struct transcript *t = NULL;
	struct ai_usage u = {0};
	struct zpub_err err = {0};
	int rc = tr_transcribe(&ch, 1, &o, &t, &u, &err);
	assert_int_equal(rc, ZPUB_ENET);
	printf("  error: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "Fireworks transcription"));
	assert_non_null(strstr(err.msg, "500"));
	assert_non_null(strstr(err.msg, "Лекция 1"));
	assert_true(u.audio_minutes == 0);
	fake_stop(&f);

	/* 400 is final: one request only. */
	const char *args2[] = { "--then", "400", NULL };
	fake_start(&f, args2);
	svc = svc_for(&f, "OpenAI");
	o.svc = &svc;
	rc = tr_transcribe(&ch, 1, &o, &t, &u, &err);
	assert_int_equal(rc, ZPUB_EREMOTE);
	cJSON *s = fake_stats(&f);
	assert_int_equal(stat_int(s, "transcriptions"), 1);
	cJSON_Delete(s);
	fake_stop(&f);
	free(c1);
}

static struct transcript *
chat_transcript(void)
{
	struct transcript *t = tr_new("test", "en");
	for (int i = 0; i < 300; i++)
		tr_add_word(t, i % 10 == 9 ? "topic." : "word", i * 1000, i * 1000 + 500);
	tr_segments_from_words(t);
	t->duration_ms = 300000;
	return t;
}

static void
test_chat_topics_retry_empty_and_invalid_then_repair(void **state)
{
	(void)state;
	struct fake f;
	struct transcript *t = chat_transcript();
	struct topics *tp = NULL;
	struct zpub_err err = {0};
	struct ai_usage u = {0};

	/* empty content is asked again; invalid JSON gets one corrective retry */
	const char *args[] = { "--chat-script", "empty,blank,invalid,ok", NULL };
	fake_start(&f, args);
	struct ai_service svc = svc_for(&f, "DeepSeek chat");
	struct topics_chat_opts co = { .svc = &svc, .context_tokens = 64000,
		.price_in_per_mtok = 0.28, .price_out_per_mtok = 0.42, .what = "'Test'" };
	if (topics_chat(t, &co, &tp, &u, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(topics_validate(tp, t->duration_ms, &err), 0);
	assert_true(tp->n >= 2);
	assert_string_equal(tp->v[0].title, "Introduction");
	assert_false(tp->repaired);
	assert_non_null(tp->summary);
	/* empty + blank(=ok) ... the blank-lines answer is already valid */
	assert_int_equal(u.requests, 2);
	assert_int_equal(u.prompt_tokens, 2000);
	assert_true(u.cost > 0);
	topics_free(tp);
	fake_stop(&f);

	/* invalid twice: repaired and flagged */
	const char *args2[] = { "--chat-script", "badtopics,badtopics", NULL };
	fake_start(&f, args2);
	svc = svc_for(&f, "DeepSeek chat");
	memset(&u, 0, sizeof u);
	assert_int_equal(topics_chat(t, &co, &tp, &u, &err), 0);
	assert_true(tp->repaired);
	assert_int_equal(topics_validate(tp, t->duration_ms, &err), 0);
	assert_int_equal(u.requests, 2);
	char *json = topics_to_json(tp);
	assert_non_null(strstr(json, "\"repaired\""));
	free(json);
	topics_free(tp);
	fake_stop(&f);

	/* 402: never retried */
	const char *args3[] = { "--then", "402", NULL };
	fake_start(&f, args3);
	svc = svc_for(&f, "DeepSeek chat");
	int rc = topics_chat(t, &co, &tp, &u, &err);
	assert_int_not_equal(rc, 0);
	printf("  error: %s\n", err.msg);
	assert_non_null(strstr(err.msg, "402"));
	cJSON *s = fake_stats(&f);
	assert_int_equal(stat_int(s, "chat"), 1);
	cJSON_Delete(s);
	fake_stop(&f);

	/* long transcripts are split to fit the context window */
	size_t np = 0;
	char **parts = topics_chat_prompts(t, 1000, &np);
	assert_true(np > 1);
	for (size_t i = 0; i < np; i++) {
		assert_true(strlen(parts[i]) <= 1000);
		assert_int_equal(parts[i][0], '[');
		free(parts[i]);
	}
	free(parts);
	tr_free(t);
}

static void
test_subtitles_translated_to_russian_rewrap_and_keep_rules(void **state)
{
	(void)state;
	struct fake f;
	const char *args[] = { "--chat-script", "invalid", NULL };
	fake_start(&f, args);
	struct transcript *t = tr_new("test", "en");
	const char *text = "Today we talk about sorting algorithms, and why they matter so much "
	    "in practice for everyone who writes programs. Merge sort splits the list into halves.";
	char *copy = strdup(text), *save = NULL;
	int64_t at = 0;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		tr_add_word(t, w, at, at + 250);
		at += 300;
	}
	free(copy);
	struct subs_rules en, ru;
	struct subs_track *s = NULL, *out = NULL;
	struct zpub_err err = {0};
	struct ai_usage u = {0};
	subs_rules_default(&en, "en");
	subs_rules_default(&ru, "ru");
	assert_int_equal(subs_build(t, &en, &s, &err), 0);
	struct ai_service svc = svc_for(&f, "DeepSeek chat");
	struct topics_chat_opts co = { .svc = &svc, .what = "'Test'" };
	if (subs_translate(s, "en", "ru", &co, &ru, &out, &u, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(u.requests, 2); /* one line short, asked again */
	if (subs_check(out, &ru, NULL, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(out->n >= s->n);
	for (size_t i = 0; i < out->n; i++) {
		assert_non_null(strstr(out->cues[i].text, "слово"));
		assert_true(out->cues[i].start_ms >= s->cues[0].start_ms);
	}
	char *vtt = subs_write_vtt(out);
	struct subs_track *back = NULL;
	assert_int_equal(subs_parse_vtt(vtt, &back, &err), 0);
	free(vtt);
	subs_track_free(back);
	subs_track_free(out);
	subs_track_free(s);
	tr_free(t);
	fake_stop(&f);
}

static void
test_engine_auto_follows_the_secret(void **state)
{
	(void)state;
	assert_string_equal(ai_engine_choose("auto", 1, "pocketsphinx"), "openai-compatible");
	assert_string_equal(ai_engine_choose("auto", 0, "pocketsphinx"), "pocketsphinx");
	assert_string_equal(ai_engine_choose("", 0, "extractive"), "extractive");
	assert_string_equal(ai_engine_choose("extractive", 1, "extractive"), "extractive");
	struct transcript *t = NULL;
	struct zpub_err err = {0};
	assert_int_equal(tr_parse_verbose_json("\n\n{\"language\":\"russian\",\"duration\":2.5,"
	    "\"segments\":[{\"start\":0.0,\"end\":2.0,\"text\":\" Привет всем\"}]}", &t, &err), 0);
	assert_string_equal(t->language, "ru");
	assert_int_equal(t->n_words, 2); /* spread over the segment */
	assert_int_equal(t->words[1].end_ms, 2000);
	tr_free(t);
	assert_int_not_equal(tr_parse_verbose_json("<html>", &t, &err), 0);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_engine_auto_follows_the_secret),
		cmocka_unit_test(test_transcription_retries_429_then_500_and_counts_usage_once),
		cmocka_unit_test(test_transcription_failure_names_service_and_status),
		cmocka_unit_test(test_chat_topics_retry_empty_and_invalid_then_repair),
		cmocka_unit_test(test_subtitles_translated_to_russian_rewrap_and_keep_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
