/*
 * test_notify_mail.c — e-mail notifications' pure parts: the message of an
 * event (headers, RFC 2047 subject of whole characters, no header
 * injection from a title, base64 UTF-8 body, Message-ID = event id), the
 * settings' checks (smtp:// or smtps:// with no password in it, addresses)
 * and the password's secret name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "config_schema.h"
#include "notify_mail.h"

/* The decoded text of every encoded word in s, concatenated. */
static void
decode_words(const char *s, char *out, size_t n)
{
	size_t o = 0;
	out[0] = '\0';
	for (const char *p = strstr(s, "=?UTF-8?B?"); p; p = strstr(p, "=?UTF-8?B?")) {
		p += 10;
		const char *end = strstr(p, "?=");
		assert_non_null(end);
		size_t got = 0;
		assert_int_equal(sodium_base642bin((unsigned char *)out + o, n - o - 1, p,
		    (size_t)(end - p), NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
		o += got;
		out[o] = '\0';
		p = end + 2;
	}
}

static char *
header(const char *msg, const char *name)
{
	/* the header with its folded lines joined */
	const char *head_end = strstr(msg, "\r\n\r\n");
	size_t nl = strlen(name);
	for (const char *p = msg; p && p < head_end; p = strstr(p, "\r\n") + 2) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *e = p;
			while ((e = strstr(e, "\r\n")) && (e[2] == ' ' || e[2] == '\t'))
				e += 2;
			return strndup(p + nl + 2, (size_t)(e - p - nl - 2));
		}
		if (p == head_end)
			break;
	}
	return NULL;
}

static void
test_message_has_the_event_headers_and_a_utf8_body(void **state)
{
	(void)state;
	const char *body = "{\"id\":\"0123456789abcdef0123456789abcdef\",\"event\":\"ready\","
	    "\"time\":\"2026-12-03T18:10:29.000Z\",\"tenant\":\"default\",\"recording\":"
	    "{\"id\":7,\"title\":\"Lecture 3\",\"status\":\"READY\",\"reason\":null}}";
	cJSON *to = cJSON_Parse("[\"a@uni.example\", \"b@uni.example\"]");
	char *m = notify_mail_message(body, "zpub@uni.example", to);
	assert_non_null(m);
	char *h = header(m, "Message-ID");
	assert_string_equal(h, "<0123456789abcdef0123456789abcdef@zpub>");
	free(h);
	h = header(m, "Date");
	assert_string_equal(h, "Thu, 03 Dec 2026 18:10:29 +0000");
	free(h);
	h = header(m, "Subject");
	assert_string_equal(h, "zpub: ready: Lecture 3");
	free(h);
	h = header(m, "From");
	assert_string_equal(h, "<zpub@uni.example>");
	free(h);
	assert_non_null(strstr(m, "\r\nTo: <a@uni.example>,\r\n <b@uni.example>\r\n"));
	assert_non_null(strstr(m, "Content-Type: text/plain; charset=UTF-8\r\n"));
	/* every line ends CRLF and none is longer than 998 */
	for (const char *p = m; *p; p++) {
		if (*p == '\n')
			assert_true(p > m && p[-1] == '\r');
	}
	const char *text = strstr(m, "\r\n\r\n") + 4;
	char plain[2048];
	size_t got = 0;
	assert_int_equal(sodium_base642bin((unsigned char *)plain, sizeof plain - 1, text,
	    strlen(text), "\r\n", &got, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	plain[got] = '\0';
	assert_non_null(strstr(plain, "The recording \"Lecture 3\" (id 7) is ready"));
	assert_non_null(strstr(plain, "Event id: 0123456789abcdef0123456789abcdef"));
	/* the same event makes the same bytes (a retry is identical) */
	char *again = notify_mail_message(body, "zpub@uni.example", to);
	assert_string_equal(m, again);
	free(again);
	free(m);
	cJSON_Delete(to);
	assert_null(notify_mail_message("{\"event\":\"ready\"}", "z@x.example", NULL));
	assert_null(notify_mail_message("not json", "z@x.example", NULL));
}

static void
test_title_with_crlf_and_cyrillic_is_encoded_not_injected(void **state)
{
	(void)state;
	const char *body = "{\"id\":\"e1\",\"event\":\"failed\",\"time\":\"2026-12-03T18:10:29Z\","
	    "\"tenant\":\"default\",\"recording\":{\"id\":9,\"title\":\"Лекция 3 — очень длинное"
	    " название лекции по сетям\\r\\nBcc: victim@evil.example\",\"status\":\"FAILED\","
	    "\"reason\":\"silent\\naudio\"}}";
	cJSON *to = cJSON_Parse("[\"a@uni.example\"]");
	char *m = notify_mail_message(body, "zpub@uni.example", to);
	assert_non_null(m);
	/* no header starts with Bcc, and the whole head is 7-bit */
	const char *head_end = strstr(m, "\r\n\r\n");
	for (const char *p = m; p < head_end; p++) {
		assert_true((unsigned char)*p < 0x80);
		if (*p == '\n')
			assert_true(p[1] == ' ' || strncmp(p + 1, "Bcc", 3) != 0);
	}
	char *subj = header(m, "Subject"), dec[1024];
	/* encoded words of at most 75 characters, each of whole characters */
	for (char *w = strstr(subj, "=?UTF-8?B?"), *e; w; w = strstr(e + 2, "=?UTF-8?B?")) {
		e = strstr(w + 10, "?=");
		assert_true(e - w + 2 <= 75);
	}
	decode_words(subj, dec, sizeof dec);
	assert_string_equal(dec, "zpub: failed: Лекция 3 — очень длинное название лекции по"
	    " сетям  Bcc: victim@evil.example");
	free(subj);
	free(m);
	cJSON_Delete(to);
}

static void
test_settings_take_smtp_urls_without_passwords_and_plain_addresses(void **state)
{
	(void)state;
	struct zpub_err err;
	struct { const char *key, *json; int ok; } c[] = {
		{ "notify.email.office.smtp_url", "\"smtp://127.0.0.1:2525\"", 1 },
		{ "notify.email.office.smtp_url", "\"smtps://mail.uni.example:465/zpub\"", 1 },
		{ "notify.email.office.smtp_url", "\"https://mail.uni.example\"", 0 },
		{ "notify.email.office.smtp_url", "\"smtp://user:pw@mail.uni.example\"", 0 },
		{ "notify.email.office.smtp_url", "\"smtp://\"", 0 },
		{ "notify.email.office.from", "\"zpub@uni.example\"", 1 },
		{ "notify.email.office.from", "\"zpub@uni.example\\r\\nBcc: x@y\"", 0 },
		{ "notify.email.office.from", "\"Zpub <zpub@uni.example>\"", 0 },
		{ "notify.email.office.to", "[\"a@uni.example\", \"b@uni.example\"]", 1 },
		{ "notify.email.office.to", "[\"a@uni.example>\"]", 0 },
		{ "notify.email.office.to", "[\"nobody\"]", 0 },
		{ "notify.email.office.events", "[\"ready\", \"failed\"]", 1 },
		{ "notify.email.office.events", "[\"done\"]", 0 },
	};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		cJSON *v = cJSON_Parse(c[i].json);
		int rc = zs_check(c[i].key, v, ZS_SCOPE_OPERATOR, &err);
		if ((rc == 0) != c[i].ok)
			fail_msg("%s = %s: %d (%s)", c[i].key, c[i].json, rc, rc ? err.msg : "");
		cJSON_Delete(v);
	}
	/* a tenant cannot point mail anywhere */
	cJSON *v = cJSON_Parse("\"smtp://127.0.0.1:2525\"");
	assert_int_not_equal(zs_check("notify.email.office.smtp_url", v, ZS_SCOPE_TENANT, &err), 0);
	cJSON_Delete(v);
	assert_int_equal(zs_secret_check("notify.email.office", &err), 0);
	assert_int_equal(zs_secret_check("notify.portal", &err), 0);
	assert_int_not_equal(zs_secret_check("notify.email.", &err), 0);
	assert_int_not_equal(zs_secret_check("notify.email.a.b", &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_has_the_event_headers_and_a_utf8_body),
		cmocka_unit_test(test_title_with_crlf_and_cyrillic_is_encoded_not_injected),
		cmocka_unit_test(test_settings_take_smtp_urls_without_passwords_and_plain_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
