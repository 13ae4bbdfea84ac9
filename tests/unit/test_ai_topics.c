/* Topics: validation, repair, JSON, the extractive engine, and the chapter
 * list and limits of the description (src/ai/topics.c, src/ai/describe.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai.h"
#include "util.h"

static const char *sec_en[3][8] = {
	{ "sorting", "array", "merge", "quicksort", "pivot", "partition", "comparison", "elements" },
	{ "graph", "vertices", "edges", "path", "dijkstra", "shortest", "weights", "neighbours" },
	{ "hashing", "table", "collisions", "buckets", "keys", "chaining", "probing", "load" },
};
static const char *sec_ru[3][8] = {
	{ "сортировка", "массив", "слияние", "опорный", "разбиение", "сравнение", "элементы", "быстрая" },
	{ "граф", "вершины", "рёбра", "путь", "дейкстра", "кратчайший", "веса", "соседи" },
	{ "хеширование", "таблица", "коллизии", "корзины", "ключи", "цепочки", "пробирование", "загрузка" },
};
static const char *filler_en[] = { "the", "we", "and", "then", "is", "this", "so", "now", "look", "at" };
static const char *filler_ru[] = { "и", "мы", "это", "вот", "на", "что", "так", "теперь", "в", "по" };

/* Three sections of 3 minutes each, 2.5 words a second. */
static struct transcript *
lecture(int ru)
{
	struct transcript *t = tr_new("test", ru ? "ru" : "en");
	unsigned seed = 12345;
	int64_t at = 0;
	for (int s = 0; s < 3; s++) {
		int64_t end = (s + 1) * 180000;
		while (at < end) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = (seed >> 16) % 100;
			const char *w = r < 45 ? (ru ? sec_ru : sec_en)[s][(seed >> 8) % 8] :
			    (ru ? filler_ru : filler_en)[(seed >> 4) % 10];
			tr_add_word(t, w, at, at + 300);
			at += 400;
		}
	}
	t->duration_ms = at;
	return t;
}

static void
check_extractive(int ru)
{
	struct topics *tp = NULL;
	struct zpub_err err = {0};
	struct transcript *t = lecture(ru);
	struct topics_opts o = { 60000, 20000, NULL };

	assert_int_equal(topics_extractive(t, &o, &tp, &err), 0);
	if (topics_validate(tp, t->duration_ms, &err) != 0)
		fail_msg("%s", err.msg);
	int mains = 0;
	for (size_t i = 0; i < tp->n; i++) {
		printf("  %s %6lld %s\n", tp->v[i].level == TOPIC_MAIN ? "main  " : "detail",
		    (long long)tp->v[i].start_ms, tp->v[i].title);
		if (tp->v[i].level != TOPIC_MAIN)
			continue;
		mains++;
		if (mains == 2)
			assert_true(llabs(tp->v[i].start_ms - 180000) <= 30000);
		if (mains == 3)
			assert_true(llabs(tp->v[i].start_ms - 360000) <= 30000);
		/* titled from the section's own words */
		const char *const *voc = ru ? sec_ru[mains - 1] : sec_en[mains - 1];
		int hit = 0;
		char *low = strdup(tp->v[i].title);
		for (int k = 0; k < 8; k++) {
			char *stemmed = strndup(voc[k], ru ? 8 : 4);
			if (strcasestr(low, stemmed) != NULL)
				hit = 1;
			free(stemmed);
		}
		free(low);
		assert_true(hit);
	}
	assert_int_equal(mains, 3);
	/* chapters from these topics obey YouTube's rules */
	char warning[256] = "";
	char *ch = desc_chapters(tp, t->duration_ms, t->language, warning, sizeof warning);
	assert_non_null(ch);
	assert_int_equal(strncmp(ch, "00:00 ", 6), 0);
	assert_int_equal(desc_check_chapters(ch, &err), 0);
	free(ch);
	char *json = topics_to_json(tp);
	struct topics *back = NULL;
	assert_int_equal(topics_from_json(json, &back, &err), 0);
	assert_int_equal(back->n, tp->n);
	assert_string_equal(back->v[1].title, tp->v[1].title);
	free(json);
	topics_free(back);
	topics_free(tp);
	tr_free(t);
}

static void
test_extractive_finds_vocabulary_shifts_en(void **state)
{
	(void)state;
	check_extractive(0);
}

static void
test_extractive_finds_vocabulary_shifts_ru(void **state)
{
	(void)state;
	check_extractive(1);
}

static void
test_extractive_short_or_empty_transcript_gives_one_topic(void **state)
{
	(void)state;
	struct topics *tp = NULL;
	struct zpub_err err = {0};
	struct transcript *t = tr_new("test", "en");
	assert_int_equal(topics_extractive(t, NULL, &tp, &err), 0);
	assert_int_equal(tp->n, 1);
	assert_int_equal(tp->v[0].start_ms, 0);
	assert_int_equal(topics_validate(tp, 0, &err), 0);
	topics_free(tp);
	tr_free(t);
}

static void
test_validate_names_the_problem(void **state)
{
	(void)state;
	struct topics *tp = NULL;
	struct zpub_err err = {0};
	assert_int_equal(topics_from_json("{\"topics\":[{\"start_ms\":0,\"level\":\"main\",\"title\":\"A\"},"
	    "{\"start_ms\":90000,\"level\":\"main\",\"title\":\"B\"},"
	    "{\"start_ms\":60000,\"level\":\"detail\",\"title\":\"C\"}]}", &tp, &err), 0);
	assert_int_not_equal(topics_validate(tp, 100000, &err), 0);
	assert_non_null(strstr(err.msg, "ascend"));
	topics_repair(tp, 100000);
	assert_int_equal(topics_validate(tp, 100000, &err), 0);
	assert_true(tp->repaired);
	assert_int_equal(tp->v[1].start_ms, 60000);
	topics_free(tp);

	assert_int_equal(topics_from_json("{\"topics\":[{\"start\":\"00:00:00\",\"title\":\"Intro\","
	    "\"subtopics\":[{\"start\":\"00:01:30\",\"title\":\"Detail\"}]},"
	    "{\"start\":\"00:30:00\",\"title\":\"Too late\"},"
	    "{\"start\":\"00:02:00\",\"title\":\"   \"}]}", &tp, &err), 0);
	assert_int_equal(tp->n, 4);
	assert_int_equal(tp->v[1].start_ms, 90000);
	assert_int_equal(tp->v[1].level, TOPIC_DETAIL);
	assert_int_not_equal(topics_validate(tp, 600000, &err), 0);
	assert_non_null(strstr(err.msg, "after the end"));
	topics_repair(tp, 600000);
	assert_int_equal(tp->n, 2);
	assert_int_equal(topics_validate(tp, 600000, &err), 0);
	topics_free(tp);

	assert_int_not_equal(topics_from_json("{\"topics\": [", &tp, &err), 0);
	assert_non_null(strstr(err.msg, "not valid JSON"));
	assert_int_not_equal(topics_from_json("{\"chapters\": []}", &tp, &err), 0);

	/* long titles are cut at a word, in characters */
	tp = topics_new();
	topics_add(tp, 0, TOPIC_MAIN, "Очень длинное название темы, которое никак не помещается в "
	    "восемьдесят символов, потому что лектор любит подробности");
	assert_int_not_equal(topics_validate(tp, 1000, &err), 0);
	topics_repair(tp, 1000);
	assert_int_equal(topics_validate(tp, 1000, &err), 0);
	assert_true(utf8_len(tp->v[0].title) <= 80);
	assert_non_null(strstr(tp->v[0].title, "\xE2\x80\xA6"));
	topics_free(tp);
}

static void
test_chapters_follow_youtube_rules(void **state)
{
	(void)state;
	char w[256] = "";
	struct zpub_err err = {0};
	struct topics *tp = topics_new();
	topics_add(tp, 5000, TOPIC_MAIN, "Start");      /* moved to 00:00 */
	topics_add(tp, 60000, TOPIC_MAIN, "Second");
	topics_add(tp, 65000, TOPIC_DETAIL, "Too close"); /* dropped: < 10 s */
	topics_add(tp, 120000, TOPIC_DETAIL, "Detail");
	topics_add(tp, 175000, TOPIC_MAIN, "Last but too short"); /* < 10 s before the end */
	char *c = desc_chapters(tp, 180000, "en", w, sizeof w);
	assert_non_null(c);
	assert_string_equal(c, "00:00 Start\n01:00 Second\n02:00 \xE2\x80\x93 Detail");
	assert_int_equal(desc_check_chapters(c, &err), 0);
	free(c);
	topics_free(tp);

	/* Starts late: an introduction is added; hours when the video is long. */
	tp = topics_new();
	topics_add(tp, 120000, TOPIC_MAIN, "A");
	topics_add(tp, 1800000, TOPIC_MAIN, "B");
	c = desc_chapters(tp, 4000000, "ru", w, sizeof w);
	assert_non_null(c);
	assert_string_equal(c, "0:00:00 Вступление\n0:02:00 A\n0:30:00 B");
	free(c);
	topics_free(tp);

	/* Fewer than three: no list, a warning. */
	tp = topics_new();
	topics_add(tp, 0, TOPIC_MAIN, "Only");
	topics_add(tp, 5000, TOPIC_MAIN, "Two");
	w[0] = '\0';
	assert_null(desc_chapters(tp, 60000, "en", w, sizeof w));
	assert_non_null(strstr(w, "chapter list left out"));
	topics_free(tp);

	assert_int_not_equal(desc_check_chapters("00:05 a\n00:20 b\n00:40 c\n", &err), 0);
	assert_int_not_equal(desc_check_chapters("00:00 a\n00:05 b\n00:40 c\n", &err), 0);
	assert_int_not_equal(desc_check_chapters("00:00 a\n01:00 b\n", &err), 0);
	assert_int_equal(desc_check_chapters("no chapters here\n", &err), 0);
}

static void
test_templates_render_variables_and_enforce_limits(void **state)
{
	(void)state;
	char w[512] = "";
	struct zpub_err err = {0};
	struct topics *tp = topics_new();
	topics_add(tp, 0, TOPIC_MAIN, "Введение");
	topics_add(tp, 60000, TOPIC_MAIN, "Массивы <и> списки");
	topics_add(tp, 120000, TOPIC_MAIN, "Деревья");
	cJSON *extra = cJSON_Parse("{\"course\":\"Алгоритмы\",\"year\":2026}");
	struct desc_vars v = { .title = "Лекция 3: структуры данных", .date = "2026-11-25", .n = 3,
		.topics = tp, .duration_ms = 600000, .language = "ru", .extra = extra };
	char *title = NULL, *desc = NULL;
	assert_int_equal(desc_build("{{course}} — {{ title }} (№{{n}})",
	    "{{title}}\n{{date}}\n\n{{summary}}\n\n{{topics}}\n\n{{unknown}}{{year}}", &v, &title, &desc,
	    w, sizeof w, &err), 0);
	assert_string_equal(title, "Алгоритмы — Лекция 3: структуры данных (№3)");
	assert_non_null(strstr(desc, "00:00 Введение\n01:00 Массивы ‹и› списки\n02:00 Деревья"));
	assert_null(strchr(desc, '<'));
	assert_null(strstr(desc, "\n\n\n"));
	assert_non_null(strstr(desc, "2026"));
	assert_non_null(strstr(w, "unknown"));
	free(title);
	free(desc);

	/* Title: 100 characters, one line, cut between words. */
	struct sbuf { char s[4096]; } big = { "" };
	for (int i = 0; i < 30; i++)
		strcat(big.s, "Длинное\nслово ");
	char *ct = desc_clean_title(big.s);
	assert_true(utf8_len(ct) <= 100);
	assert_null(strchr(ct, '\n'));
	assert_true(utf8_valid(ct, strlen(ct)));
	size_t n = strlen(ct);
	assert_int_equal(strcmp(ct + n - 3, "\xE2\x80\xA6"), 0);
	assert_true(ct[n - 4] != ' ');
	free(ct);

	/* Description: 5000 bytes, valid UTF-8 at the cut. */
	char *huge = calloc(1, 20000);
	for (int i = 0; i < 800; i++)
		strcat(huge, "слово ");
	char *cd = desc_clean_description(huge);
	assert_true(strlen(cd) <= 5000);
	assert_true(strlen(cd) > 4500);
	assert_true(utf8_valid(cd, strlen(cd)));
	free(cd);
	free(huge);
	cJSON_Delete(extra);
	topics_free(tp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extractive_finds_vocabulary_shifts_en),
		cmocka_unit_test(test_extractive_finds_vocabulary_shifts_ru),
		cmocka_unit_test(test_extractive_short_or_empty_transcript_gives_one_topic),
		cmocka_unit_test(test_validate_names_the_problem),
		cmocka_unit_test(test_chapters_follow_youtube_rules),
		cmocka_unit_test(test_templates_render_variables_and_enforce_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
