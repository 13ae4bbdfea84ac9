#!/usr/bin/env bash
# Loudness through the CLI: lectures recorded at -35 and at -12 LUFS (and a
# stereo one at -20), imported and run to PROCESSED, publish audio that the
# ffmpeg program's own meter (ebur128=peak=true) measures within 1 LU of
# the -16 LUFS target with a true peak at or below -1 dBTP; their video is
# copied exactly as much as with loudness off (null), which leaves the
# level as recorded; a lecture that never pauses keeps all its video copied.  `zpub analyse` and the stage's journal line show the
# measured loudness, the true peak and the gain.
. "$ZPUB_SRC/tests/lib/e2e.sh"

gen() { bash "$ZPUB_SRC/tests/lib/gen_loudness.sh" "$T/$1.mp4" "$2" "${3:-1}" 2>/dev/null; }
gen quiet -35
gen loud -12
gen stereo -20 2
bash "$ZPUB_SRC/tests/lib/gen_media.sh" "$T/gen" neverstop

r128() { # r128 FILE -> "I TP" as the ffmpeg program measures them
	ffmpeg -nostdin -hide_banner -i "$1" -vn -af ebur128=peak=true -f null - 2>&1 |
		awk '/Summary:/ {s=1} s && /I:/ {i=$2} s && /Peak:/ {p=$2} END {print i, p}'
}

process() { # process NAME TAG -> $T/NAME.TAG.json (the cut_video artefact), $T/NAME.TAG.log
	expect_rc 0 "$ZPUB" import "$T/$1.mp4"
	local id=$OUT
	expect_rc 0 "$ZPUB" run "$id" --until PROCESSED
	expect_rc 0 "$ZPUB" show "$id" --json
	echo "$OUT" | python3 -c '
import json, sys
j = json.load(sys.stdin)
assert j["status"] == "PROCESSED", j["status"]
print(json.dumps([a for a in j["artifacts"] if a["kind"] == "cut_video"][0]))' > "$T/$1.$2.json" ||
		fail "$1 did not process: $OUT"
	expect_rc 0 "$ZPUB" journal
	echo "$OUT" | grep "#$id " | grep "PROCESSING -> PROCESSED" > "$T/$1.$2.log" ||
		fail "$1: no journal line: $OUT"
}

# --- analyse shows what it measured ---------------------------------------
expect_rc 0 "$ZPUB" analyse "$T/quiet.mp4" --json
echo "$OUT" | python3 -c '
import json, sys
l = json.load(sys.stdin)["loudness"]
assert abs(l["integrated_lufs"] + 35) <= 0.5 and l["true_peak_dbtp"] < -5, l
assert l["target_lufs"] == -16 and abs(l["gain_db"] - 19) <= 0.6, l' ||
	fail "analyse --json: $OUT"
expect_rc 0 "$ZPUB" analyse "$T/loud.mp4"
echo "$OUT" | grep -Eq "^loudness: -1[12].[0-9] LUFS integrated, true peak -?[0-9.]+ dBTP; -[34].[0-9] dB to -16 LUFS" ||
	fail "analyse: $OUT"
ok "analyse: integrated loudness, true peak and the gain to the target"

# --- off (null): the level as recorded ------------------------------------
# Each setting in a home of its own, so the same files import again.
export ZPUB_HOME="$T/home_off"
expect_rc 0 "$ZPUB" config set processing.audio.loudness_lufs null
expect_rc 0 "$ZPUB" analyse "$T/quiet.mp4" --json
[ "$(echo "$OUT" | jget loudness.gain_db)" = None ] || fail "analyse with null: $OUT"
for n in quiet loud stereo; do
	process $n off
	grep -q "loudness left as recorded" "$T/$n.off.log" || fail "journal: $(cat "$T/$n.off.log")"
	python3 -c "import json, sys; sys.exit('loudness' in json.load(open('$T/$n.off.json')))" ||
		fail "$n: loudness applied while off: $(cat "$T/$n.off.json")"
done
for n in quiet:-35 loud:-12; do
	read -r i _ <<<"$(r128 "$(jget path < "$T/${n%:*}.off.json")")"
	python3 -c "import sys; sys.exit(0 if abs($i - (${n#*:})) <= 0.5 else 1)" ||
		fail "${n%:*} with loudness off measures $i LUFS, recorded at ${n#*:}"
done
ok "null: the level left as recorded"

# --- on (the default, -16 LUFS) --------------------------------------------
export ZPUB_HOME="$T/home_on"
for n in quiet loud stereo; do
	process $n on
	read -r i p <<<"$(r128 "$(jget path < "$T/$n.on.json")")"
	echo "$n: $i LUFS, true peak $p dBTP; $(cat "$T/$n.on.log")"
	python3 -c "import sys; sys.exit(0 if abs($i + 16) <= 1 and $p <= -1 else 1)" ||
		fail "$n: published audio at $i LUFS, true peak $p dBTP (want -16 +- 1 LU, <= -1 dBTP)"
	grep -Eq "loudness -?[0-9.]+ LUFS, true peak -?[0-9.]+ dBTP: [+-][0-9.]+ dB to -16 LUFS" \
		"$T/$n.on.log" || fail "$n: journal line: $(cat "$T/$n.on.log")"
	python3 - "$T/$n.off.json" "$T/$n.on.json" <<'PY' || fail "$n: the video was not copied as before"
import json, sys
off, on = (json.load(open(p)) for p in sys.argv[1:])
assert on["strategy"] == off["strategy"] == "smart", (off, on)
assert on["copied_s"] == off["copied_s"] > 0 and on["copied_frames"] == off["copied_frames"], (off, on)
assert on["reencoded_s"] == off["reencoded_s"], (off, on)
PY
	python3 - "$T/$n.on.json" <<'PY' || fail "$n: the artefact's loudness: $(cat "$T/$n.on.json")"
import json, sys
l = json.load(open(sys.argv[1]))["loudness"]
assert l["target_lufs"] == -16 and "integrated_lufs" in l and "true_peak_dbtp" in l, l
# The gain brings the measured loudness to the target, plus what the
# limiter takes back from the peaks (the fit only adds).
linear = -16 - l["integrated_lufs"]
assert linear - 0.2 <= l["gain_db"] <= linear + 6, l
assert (l["limited_s"] > 0) == (l["true_peak_dbtp"] + linear > -1), l
PY
done
ok "-35 and -12 LUFS (and stereo -20): published at -16 +- 1 LU, true peak <= -1 dBTP, video copied as before"

# A lecture that never pauses: nothing to cut, yet its audio is evened out,
# so the video is copied whole beside re-encoded audio.
expect_rc 0 "$ZPUB" import "$T/gen/neverstop.mp4"
id=$OUT
expect_rc 0 "$ZPUB" run "$id" --until PROCESSED
expect_rc 0 "$ZPUB" show "$id" --json
echo "$OUT" > "$T/neverstop.json"
python3 - "$T/neverstop.json" <<'PY' || fail "never silent: $(cat "$T/neverstop.json")"
import json, sys
j = json.load(open(sys.argv[1]))
cut = [a for a in j["artifacts"] if a["kind"] == "cut_video"][0]
src = [a for a in j["artifacts"] if a["kind"] == "source"][0]
assert cut["sha256"] != src["sha256"] and cut["strategy"] == "smart", cut
assert cut["reencoded_s"] == 0 and abs(cut["copied_s"] * 1000 - cut["duration_ms"]) < 1, cut
assert cut["loudness"]["gain_db"] > 5, cut
PY
read -r i p <<<"$(r128 "$(jget path < <(python3 -c "import json; print(json.dumps([a for a in json.load(open('$T/neverstop.json'))['artifacts'] if a['kind'] == 'cut_video'][0]))"))")"
python3 -c "import sys; sys.exit(0 if abs($i + 16) <= 1 and $p <= -1 else 1)" ||
	fail "never silent: published at $i LUFS, true peak $p dBTP"
ok "never silent: the video copied whole, the audio at $i LUFS"

# The same with video smart cut cannot splice (VP9; H.264 4:4:4, as the
# testsrc pattern encodes by default): with nothing to cut it is still
# copied whole, never re-encoded only to even the audio out.
for kind in vp9 h444; do
	case $kind in
	vp9) venc=(-c:v libvpx-vp9 -deadline realtime -cpu-used 8);;
	h444) venc=(-c:v libx264 -preset ultrafast);;
	esac
	ffmpeg -v error -y -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=frequency=440 \
		-t 6 "${venc[@]}" -c:a aac -shortest "$T/gen/tone_$kind.mp4"
	expect_rc 0 "$ZPUB" import "$T/gen/tone_$kind.mp4"
	id=$OUT
	expect_rc 0 "$ZPUB" run "$id" --until PROCESSED
	expect_rc 0 "$ZPUB" show "$id" --json
	cut=$(echo "$OUT" | python3 -c 'import json,sys
a = [a for a in json.load(sys.stdin)["artifacts"] if a["kind"] == "cut_video"][0]
assert a["reencoded_s"] == 0 and a["strategy"] == "smart", a
print(a["path"])') || fail "$kind: the video was re-encoded: $OUT"
	[ "$(ffmpeg -v error -i "$T/gen/tone_$kind.mp4" -map 0:v -f md5 -)" = \
	  "$(ffmpeg -v error -i "$cut" -map 0:v -f md5 -)" ] || fail "$kind: the copied video decodes differently"
done
ok "nothing to cut in VP9 or H.264 4:4:4: the video copied as it is (same decoded frames)"
