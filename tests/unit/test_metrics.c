/* The Prometheus text writer (src/engine/metrics.c): label values escaped
 * (backslash, double quote, newline), help text escaped, histogram buckets
 * cumulative and ending in +Inf with _sum and _count, counters declared
 * with HELP and TYPE even before anything is counted, counting from
 * several threads loses nothing, and the HTTP clients' retries and final
 * errors reach the provider counters through net's observer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "metrics.h"

static void
test_label_values_are_escaped(void **state)
{
	(void)state;
	struct metrics_text t = { 0 };
	static const char *const keys[] = { "tenant", "status" };
	const char *vals[] = { "a\\b\"c\nd", "READY" };
	metrics_text_family(&t, "zpub_x", "gauge", "Help with a \\ and a\nnewline");
	metrics_text_sample(&t, "zpub_x", 2, keys, vals, 3);
	assert_string_equal(t.buf,
	    "# HELP zpub_x Help with a \\\\ and a\\nnewline\n"
	    "# TYPE zpub_x gauge\n"
	    "zpub_x{tenant=\"a\\\\b\\\"c\\nd\",status=\"READY\"} 3\n");
	free(t.buf);
}

static void
test_a_sample_without_labels_has_no_braces(void **state)
{
	(void)state;
	struct metrics_text t = { 0 };
	metrics_text_sample(&t, "zpub_y", 0, NULL, NULL, 0.25);
	assert_string_equal(t.buf, "zpub_y 0.25\n");
	free(t.buf);
}

static void
test_histogram_buckets_are_cumulative_and_end_in_inf(void **state)
{
	(void)state;
	static const double bounds[] = { 1, 5, 60 };
	uint64_t counts[4] = { 0 };
	struct metrics_hist h = { bounds, 3, counts, 0, 0 };
	metrics_hist_observe(&h, 0.5);
	metrics_hist_observe(&h, 1);     /* on the bound: le="1" */
	metrics_hist_observe(&h, 30);
	metrics_hist_observe(&h, 4000);
	struct metrics_text t = { 0 };
	static const char *const keys[] = { "stage" };
	static const char *const vals[] = { "process" };
	metrics_text_hist(&t, "zpub_d_seconds", 1, keys, vals, &h);
	assert_string_equal(t.buf,
	    "zpub_d_seconds_bucket{stage=\"process\",le=\"1\"} 2\n"
	    "zpub_d_seconds_bucket{stage=\"process\",le=\"5\"} 2\n"
	    "zpub_d_seconds_bucket{stage=\"process\",le=\"60\"} 3\n"
	    "zpub_d_seconds_bucket{stage=\"process\",le=\"+Inf\"} 4\n"
	    "zpub_d_seconds_sum{stage=\"process\"} 4031.5\n"
	    "zpub_d_seconds_count{stage=\"process\"} 4\n");
	free(t.buf);
}

static void *
count_many(void *arg)
{
	(void)arg;
	const char *labels[] = { "/recordings/{id}", "GET", "200" };
	for (int i = 0; i < 10000; i++)
		metrics_add(M_API_REQUESTS, labels, 1);
	return NULL;
}

static void
test_counters_are_declared_and_count_across_threads(void **state)
{
	(void)state;
	struct metrics_text t = { 0 };
	metrics_text_counters(&t);
	assert_non_null(strstr(t.buf, "# TYPE zpub_api_requests_total counter\n"));
	assert_non_null(strstr(t.buf, "# TYPE zpub_stage_failures_total counter\n"));
	assert_null(strstr(t.buf, "zpub_api_requests_total{"));
	free(t.buf);

	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, count_many, NULL), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	const char *labels[] = { "/recordings/{id}", "GET", "200" };
	assert_true(metrics_get(M_API_REQUESTS, labels) == 40000);
	metrics_add(M_API_REQUESTS, labels, -5);   /* a counter never goes down */
	assert_true(metrics_get(M_API_REQUESTS, labels) == 40000);

	memset(&t, 0, sizeof t);
	metrics_text_counters(&t);
	assert_non_null(strstr(t.buf, "zpub_api_requests_total{route=\"/recordings/{id}\","
	    "method=\"GET\",code=\"200\"} 40000\n"));
	free(t.buf);
}

static void
test_http_retries_and_errors_are_counted_by_provider(void **state)
{
	(void)state;
	metrics_watch_http();
	/* a port nobody listens on: refused at once, retried, then given up */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	char u[64];
	snprintf(u, sizeof u, "http://127.0.0.1:%d/x", ntohs(sa.sin_port));
	struct http_client *c = http_client_new();
	struct http_request req = { .url = u, .what = "FakeTube" };
	struct http_response resp = { 0 };
	struct http_retry policy = { .max_attempts = 3, .base_ms = 1, .cap_ms = 2 };
	struct zpub_err err = { 0 };
	assert_int_not_equal(http_do_retry(c, &req, &resp, &policy, &err), 0);
	http_response_free(&resp);
	http_client_free(c);
	close(fd);
	const char *labels[] = { "FakeTube" };
	assert_true(metrics_get(M_PROVIDER_RETRIES, labels) == 2);
	assert_true(metrics_get(M_PROVIDER_ERRORS, labels) == 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_values_are_escaped),
		cmocka_unit_test(test_a_sample_without_labels_has_no_braces),
		cmocka_unit_test(test_histogram_buckets_are_cumulative_and_end_in_inf),
		cmocka_unit_test(test_counters_are_declared_and_count_across_threads),
		cmocka_unit_test(test_http_retries_and_errors_are_counted_by_provider),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
