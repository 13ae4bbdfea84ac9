#!/usr/bin/env bash
# config get/set layer over the embedded defaults; secrets go in through
# stdin, are listed by name only, and never appear in the database, the log
# or the command line.
. "$ZPUB_SRC/tests/lib/e2e.sh"

expect_rc 0 "$ZPUB" config get providers.chat.model
[ "$OUT" = deepseek-chat ] || fail "default model '$OUT'"
expect_rc 0 "$ZPUB" config set providers.chat.base_url http://127.0.0.1:9/v1
expect_rc 0 "$ZPUB" config get providers.chat.base_url
[ "$OUT" = http://127.0.0.1:9/v1 ] || fail "set string"
expect_rc 0 "$ZPUB" config set processing.video.threshold_db -33
expect_rc 0 "$ZPUB" config get processing.video
[ "$(echo "$OUT" | jget threshold_db)" = -33 ] || fail "number"
[ "$(echo "$OUT" | jget min_silence_ms)" = 1000 ] || fail "deep merge lost a default: $OUT"
[ "$(stat -c %a "$ZPUB_HOME/config.json")" = 600 ] || fail "config mode"
expect_rc 1 "$ZPUB" config get no.such.key
expect_rc 2 "$ZPUB" config frob
# A broken user file is reported with its place, not ignored.
cp "$ZPUB_HOME/config.json" "$T/config.good"
printf '{ "a": 1,\n  oops\n}\n' > "$ZPUB_HOME/config.json"
expect_rc 1 "$ZPUB" list
echo "$ERR" | grep -q "not a valid JSON object (near line 2)" || fail "bad config: $ERR"
cp "$T/config.good" "$ZPUB_HOME/config.json"
ok config

secret="sk-e2e-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$secret" | "$ZPUB" secret set transcription
expect_rc 0 "$ZPUB" secret list --json
[ "$(echo "$OUT" | jget 0.name)" = transcription ] || fail "list: $OUT"
echo "$OUT" | grep -q "$secret" && fail "list printed the secret"
expect_rc 1 "$ZPUB" secret set chat < /dev/null
echo "$ERR" | grep -q "no secret given" || fail "empty secret: $ERR"
expect_rc 2 "$ZPUB" secret set "Bad Name"
[ "$(stat -c %a "$ZPUB_HOME/vault.key")" = 600 ] || fail "key mode"
for f in "$ZPUB_HOME"/zpub.db* "$ZPUB_HOME/zpub.log"; do
	grep -q "$secret" "$f" && fail "secret in plaintext in $f"
done
expect_rc 0 "$ZPUB" secret delete transcription
expect_rc 0 "$ZPUB" secret list
[ -z "$OUT" ] || fail "delete: $OUT"
ok secrets
echo "cli_config_secret: all passed"
