/* Topics snap to slide changes (src/ai/topics.c topics_snap): a topic a
 * few seconds from a change moves onto it, one far away stays, the first
 * stays at 0 and no move reaches or passes a neighbouring topic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ai.h"

static struct topics *
three_topics(int64_t b, int64_t c)
{
	struct topics *t = topics_new();

	topics_add(t, 0, TOPIC_MAIN, "Introduction");
	topics_add(t, b, TOPIC_MAIN, "Riemann sums");
	topics_add(t, c, TOPIC_DETAIL, "An example");
	return t;
}

static void
test_topic_3s_from_a_slide_change_moves_onto_it(void **state)
{
	/* slides change at 60 s and 200 s; topics at 63 s and 220 s */
	const int64_t slides[] = { 2000, 60000, 200000 };
	struct topics *t = three_topics(63000, 220000);

	(void)state;
	assert_int_equal(topics_snap(t, slides, 3, 5000), 1);
	assert_int_equal(t->v[0].start_ms, 0);        /* the first stays at 0 */
	assert_int_equal(t->v[1].start_ms, 60000);    /* 3 s away: moved */
	assert_int_equal(t->v[2].start_ms, 220000);   /* 20 s away: left alone */
	topics_free(t);
}

static void
test_topic_just_before_a_change_moves_forward(void **state)
{
	const int64_t slides[] = { 90000 };
	struct topics *t = three_topics(86000, 300000);

	(void)state;
	assert_int_equal(topics_snap(t, slides, 1, 5000), 1);
	assert_int_equal(t->v[1].start_ms, 90000);
	topics_free(t);
}

static void
test_snap_keeps_the_order_and_can_be_off(void **state)
{
	/* both topics are near the one change: it is taken once (by the
	 * earlier), and the other does not reach or pass it */
	const int64_t slides[] = { 100000 };
	struct topics *t = three_topics(97000, 101000);

	(void)state;
	assert_int_equal(topics_snap(t, slides, 1, 0), 0);
	assert_int_equal(topics_snap(t, NULL, 0, 5000), 0);
	assert_int_equal(t->v[1].start_ms, 97000);
	assert_int_equal(topics_snap(t, slides, 1, 5000), 1);
	assert_int_equal(t->v[1].start_ms, 100000);
	assert_int_equal(t->v[2].start_ms, 101000);
	topics_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topic_3s_from_a_slide_change_moves_onto_it),
		cmocka_unit_test(test_topic_just_before_a_change_moves_forward),
		cmocka_unit_test(test_snap_keeps_the_order_and_can_be_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
