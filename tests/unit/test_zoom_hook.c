/* Zoom's webhook signature (src/engine/zoom_hook.c): the HMAC matches
 * RFC 4231 and Zoom's documented computation, a valid signature within
 * five minutes passes, and a changed byte, a wrong secret, a stale or
 * far-future timestamp, a malformed header or a missing one is refused
 * with a sentence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "err.h"
#include "util.h"
#include "zoom_hook.h"

#define BODY "{\"event\":\"recording.completed\"}"
#define TS 1700000000LL
/* python3: hmac.new(b"s3cr3t", b"v0:1700000000:" + BODY, sha256).hexdigest() */
#define SIG "v0=88f278be39fb12a0214b380e240d3d18b810b611cb4a60d973f1fc50fb445c52"

static void
test_hmac_is_rfc4231_and_zoom_url_validation(void **state)
{
	(void)state;
	char hex[65];
	hmac_sha256_hex("Jefe", "what do ya want for nothing?", 28, hex);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* encryptedToken of a plainToken, as Zoom's sample code computes it */
	hmac_sha256_hex("s3cr3t", "qgg8vlvZRS6UYooatFL8Aw", 22, hex);
	assert_string_equal(hex, "86b565e97036973cc44c3b3f24af76cabe70c2cbf5554c32419d44ecf6c0f2ca");
}

static void
test_valid_signature_within_five_minutes_passes(void **state)
{
	(void)state;
	struct zpub_err err = {0};
	assert_int_equal(zoom_hook_verify("s3cr3t", SIG, "1700000000", BODY, strlen(BODY), TS,
	    &err), 0);
	assert_int_equal(zoom_hook_verify("s3cr3t", SIG, "1700000000", BODY, strlen(BODY),
	    TS + 300, &err), 0);
	assert_int_equal(zoom_hook_verify("s3cr3t", SIG, "1700000000", BODY, strlen(BODY),
	    TS - 300, &err), 0);
}

static void
test_changed_body_or_wrong_secret_is_refused(void **state)
{
	(void)state;
	struct zpub_err err = {0};
	char body[] = BODY;
	body[3] ^= 1;
	assert_int_equal(zoom_hook_verify("s3cr3t", SIG, "1700000000", body, strlen(body), TS,
	    &err), ZPUB_EAUTH);
	assert_non_null(strstr(err.msg, "does not match"));
	assert_int_equal(zoom_hook_verify("s3cr3T", SIG, "1700000000", BODY, strlen(BODY), TS,
	    &err), ZPUB_EAUTH);
	/* the timestamp is part of what is signed */
	assert_int_equal(zoom_hook_verify("s3cr3t", SIG, "1700000001", BODY, strlen(BODY), TS,
	    &err), ZPUB_EAUTH);
	/* a prefix, a longer value, upper-case hex, no "v0=" */
	char sig[80];
	memcpy(sig, SIG, sizeof SIG);
	sig[20] = '\0';
	assert_int_equal(zoom_hook_verify("s3cr3t", sig, "1700000000", BODY, strlen(BODY), TS,
	    &err), ZPUB_EAUTH);
	snprintf(sig, sizeof sig, "%s0", SIG);
	assert_int_equal(zoom_hook_verify("s3cr3t", sig, "1700000000", BODY, strlen(BODY), TS,
	    &err), ZPUB_EAUTH);
	snprintf(sig, sizeof sig, "v0=88F278BE39FB12A0214B380E240D3D18B810B611CB4A60D973F1FC50FB445C52");
	assert_int_equal(zoom_hook_verify("s3cr3t", sig, "1700000000", BODY, strlen(BODY), TS,
	    &err), ZPUB_EAUTH);
	assert_int_equal(zoom_hook_verify("s3cr3t", &SIG[3], "1700000000", BODY, strlen(BODY), TS,
	    &err), ZPUB_EAUTH);
}

static void
test_stale_future_or_malformed_timestamps_are_refused(void **state)
{
	(void)state;
	struct zpub_err err = {0};
	assert_int_equal(zoom_hook_verify("s3cr3t", SIG, "1700000000", BODY, strlen(BODY),
	    TS + 301, &err), ZPUB_EAUTH);
	assert_non_null(strstr(err.msg, "timestamp"));
	assert_int_equal(zoom_hook_verify("s3cr3t", SIG, "1700000000", BODY, strlen(BODY),
	    TS - 301, &err), ZPUB_EAUTH);
	const char *bad[] = { "", "17e8", "-1700000000", "1700000000000000", " 1700000000",
		"1700000000 " };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(zoom_hook_verify("s3cr3t", SIG, bad[i], BODY, strlen(BODY), TS,
		    &err), ZPUB_EAUTH);
	assert_int_equal(zoom_hook_verify("s3cr3t", NULL, "1700000000", BODY, strlen(BODY), TS,
	    &err), ZPUB_EAUTH);
	assert_int_equal(zoom_hook_verify("s3cr3t", SIG, NULL, BODY, strlen(BODY), TS, &err),
	    ZPUB_EAUTH);
	assert_non_null(strstr(err.msg, "x-zm-signature"));
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_is_rfc4231_and_zoom_url_validation),
		cmocka_unit_test(test_valid_signature_within_five_minutes_passes),
		cmocka_unit_test(test_changed_body_or_wrong_secret_is_refused),
		cmocka_unit_test(test_stale_future_or_malformed_timestamps_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
