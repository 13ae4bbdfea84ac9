#!/usr/bin/env bash
# Voice activity: a lecture under -30 dBFS room noise (pink and brown) and a
# quiet speaker (-45 dBFS) are still cut at their pauses: `zpub analyse`
# finds every long pause within 250 ms and its keep list holds every phrase
# with 50 ms to spare on both sides.  The fixed threshold fails on each of
# them (so the files are a real test), and on a clean
# lecture the adaptive mode gives exactly what the fixed threshold gives.
. "$ZPUB_SRC/tests/lib/e2e.sh"

for v in clean noisy brown quiet; do
	python3 "$ZPUB_SRC/tests/lib/gen_vad.py" "$T/gen" $v
done

# check TRUTH ANALYSIS: every pause longer than max_pause_ms found within
# 250 ms, every phrase [start - 50, end + 50] inside one kept segment.
check() {
	python3 - "$1" "$2" <<'PY'
import json, sys
t, a = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
tol, spare = 250, 50
long_ms = a["options"]["max_pause_ms"]
bad = []
for p in t["pauses"]:
    if p["end_ms"] - p["start_ms"] <= long_ms:
        continue
    if not any(s["start_ms"] <= p["start_ms"] + tol and s["end_ms"] >= p["end_ms"] - tol
               and s["start_ms"] >= p["start_ms"] - tol and s["end_ms"] <= p["end_ms"] + tol
               for s in a["silences"]):
        bad.append("pause %d-%d not found" % (p["start_ms"], p["end_ms"]))
for p in t["phrases"]:
    lo, hi = max(0, p["start_ms"] - spare), min(t["duration_ms"], p["end_ms"] + spare)
    if not any(k["start_ms"] <= lo and k["end_ms"] >= hi for k in a["keep"]):
        bad.append("phrase %d-%d cut into" % (p["start_ms"], p["end_ms"]))
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
}

for v in clean noisy brown quiet; do
	expect_rc 0 "$ZPUB" analyse --json "$T/gen/$v.m4a"
	echo "$OUT" > "$T/$v.json"
	[ "$(echo "$OUT" | jget options.silence_mode)" = adaptive ] || fail "adaptive is not the default"
	check "$T/gen/$v.truth.json" "$T/$v.json" || fail "$v: adaptive mode"
	ok "$v: every long pause found, no phrase clipped"
done

# The fixed threshold (-40 dBFS) hears the noise as speech (no pause at
# all) and most of the quiet speaker as silence (phrases clipped).
for v in noisy brown quiet; do
	expect_rc 0 "$ZPUB" analyse --json --silence-mode threshold "$T/gen/$v.m4a"
	echo "$OUT" > "$T/$v.threshold.json"
	if check "$T/gen/$v.truth.json" "$T/$v.threshold.json" >/dev/null; then
		fail "$v: the fixed threshold finds the pauses too, the file tests nothing"
	fi
	[ $v = quiet ] || [ "$(echo "$OUT" | jget output_duration_ms)" = "$(echo "$OUT" | jget duration_ms)" ] \
		|| fail "$v: the fixed threshold was expected to cut nothing"
done
ok "the fixed threshold fails on the noisy lectures and the quiet speaker"

# A clean lecture: both modes agree to the millisecond.
expect_rc 0 "$ZPUB" analyse --json --silence-mode threshold "$T/gen/clean.m4a"
python3 - "$T/clean.json" "$T/out" <<'PY' || fail "adaptive and threshold differ on a clean lecture"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
for k in ("silences", "keep", "output_duration_ms"):
    assert a[k] == b[k], (k, a[k], b[k])
PY
ok "clean lecture cut as the fixed threshold cuts it"

# A level given on the command line is used as it is; the setting chooses
# the mode for everything else.
expect_rc 0 "$ZPUB" analyse --json --threshold-db -40 "$T/gen/noisy.m4a"
[ "$(echo "$OUT" | jget options.silence_mode)" = threshold ] || fail "--threshold-db did not fix the level"
expect_rc 0 "$ZPUB" analyse --json --threshold-db -40 --silence-mode adaptive "$T/gen/noisy.m4a"
[ "$(echo "$OUT" | jget options.silence_mode)" = adaptive ] || fail "--silence-mode adaptive ignored"
expect_rc 0 "$ZPUB" config set processing.video.silence_mode threshold
expect_rc 0 "$ZPUB" analyse --json "$T/gen/noisy.m4a"
[ "$(echo "$OUT" | jget options.silence_mode)" = threshold ] || fail "silence_mode setting ignored"
[ "$(echo "$OUT" | jget silences)" = "[]" ] || fail "threshold mode from the config found pauses in the noise"
expect_rc 2 "$ZPUB" analyse --silence-mode loud "$T/gen/noisy.m4a"
ok "--silence-mode, --threshold-db and the setting"
