#!/usr/bin/env bash
# `zpub analyse`: on a generated lecture the silences are within 50 ms of the
# true acoustic boundaries, the JSON has the documented keys, options
# override the config, bad files fail with a sentence, usage errors exit 2.
. "$ZPUB_SRC/tests/lib/e2e.sh"

set +e
"$ZPUB" help analyse >/dev/null 2>&1
known=$?
set -e
[ "$known" = 0 ] || fail "zpub has no 'analyse' command yet: add X(\"analyse\", cmd_analyse, ...) to ZPUB_COMMANDS in src/cmd/cmd.h"

bash "$ZPUB_SRC/tests/lib/gen_media.sh" "$T/gen" base
bash "$ZPUB_SRC/tests/lib/gen_media.sh" "$T/gen" bad

expect_rc 0 "$ZPUB" analyse --json "$T/gen/base.mp4"
echo "$OUT" > "$T/analysis.json"
for k in duration_ms silences keep output_duration_ms; do
	echo "$OUT" | python3 -c "import json,sys; assert '$k' in json.load(sys.stdin)" || fail "analyse --json lacks $k"
done
python3 "$ZPUB_SRC/tests/lib/check_media.py" silences "$T/gen/base.truth.json" "$T/analysis.json" 1000 \
	|| fail "silences are not where the truth says"
full=$(echo "$OUT" | jget output_duration_ms)
ok "silences within 50 ms"

# Longer allowed pauses: only head and tail go, the result is longer.
expect_rc 0 "$ZPUB" analyse --json --max-pause-ms 100000 "$T/gen/base.mp4"
[ "$(echo "$OUT" | jget output_duration_ms)" -gt "$full" ] || fail "--max-pause-ms ignored"
# A threshold above the speech level finds one silence: everything.
expect_rc 0 "$ZPUB" analyse --json --threshold-db 0 "$T/gen/base.mp4"
[ "$(echo "$OUT" | jget output_duration_ms)" = 0 ] || fail "--threshold-db ignored: $OUT"
ok "options override the config"

expect_rc 0 "$ZPUB" analyse "$T/gen/base.mp4"
echo "$OUT" | grep -q "result:" || fail "human output lacks the result line: $OUT"

expect_rc 1 "$ZPUB" analyse "$T/gen/empty.mp4"
echo "$ERR" | grep -q "empty (0 bytes)" || fail "0-byte file: $ERR"
expect_rc 1 "$ZPUB" analyse "$T/gen/noaudio.mp4"
echo "$ERR" | grep -q "no audio stream" || fail "no audio: $ERR"
expect_rc 1 "$ZPUB" analyse "$T/gen/truncated.mp4"
echo "$ERR" | grep -q "truncated or corrupt" || fail "truncated: $ERR"
expect_rc 1 "$ZPUB" analyse "$T/gen/truncated_tail.mp4"
echo "$ERR" | grep -q "is truncated" || fail "truncated tail: $ERR"
expect_rc 2 "$ZPUB" analyse --keep-pause-ms 5000 --max-pause-ms 1000 "$T/gen/base.mp4"
expect_rc 2 "$ZPUB" analyse
ok "bad input and bad usage"
