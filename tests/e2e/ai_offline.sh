#!/usr/bin/env bash
# Offline, no key, no network: a generated English lecture (espeak-ng, with
# pauses) is imported and run to TRANSCRIBED.  The transcript's word error
# rate against the spoken text is printed and bounded; topics, SRT, VTT and
# the description exist and pass the validators (FFmpeg's own demuxers, a
# strict parser, the layout and chapter rules).
. "$ZPUB_SRC/tests/lib/e2e.sh"
if ! "$ZPUB" help 2>&1 | grep -q transcribe; then
	echo "SKIP: 'zpub transcribe' is not in the command table yet"
	exit 0
fi
CHECK="python3 $ZPUB_SRC/tests/fakes/ai_check.py"
# Measured 0.72-0.74 with espeak-ng en-us + pocketsphinx-en-us (see
# tests/unit/test_ai_wer.c); a broken pipeline gives ~1.0.
WER_BOUND=0.85

# The lecture: paragraphs of tests/fakes/lecture_en.txt with 2.5 s pauses,
# over a test pattern.
mkdir -p "$T/gen"
i=0; parts=()
while IFS= read -r para; do
	[ -n "$para" ] || continue
	i=$((i + 1))
	espeak-ng -v en-us -s 150 -w "$T/gen/p$i.wav" "$para"
	sox -q "$T/gen/p$i.wav" -r 16000 -c 1 -b 16 "$T/gen/s$i.wav"
	sox -q -n -r 16000 -c 1 -b 16 "$T/gen/q$i.wav" trim 0 2.5
	parts+=("$T/gen/s$i.wav" "$T/gen/q$i.wav")
done < "$ZPUB_SRC/tests/fakes/lecture_en.txt"
sox -q "${parts[@]}" "$T/gen/speech.wav"
dur=$(soxi -D "$T/gen/speech.wav")
ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=$dur" -i "$T/gen/speech.wav" \
	-c:v libx264 -preset ultrafast -g 50 -pix_fmt yuv420p -c:a aac -shortest "$T/gen/lecture.mp4"

# three themes of about 30 s each: let topics be that short
"$ZPUB" config set processing.topics.min_topic_ms 20000 >/dev/null
"$ZPUB" config set processing.topics.min_detail_ms 10000 >/dev/null
expect_rc 0 "$ZPUB" import --title "Sorting, networks and security" "$T/gen/lecture.mp4"
id=$OUT
expect_rc 0 "$ZPUB" run "$id" --until TRANSCRIBED
expect_rc 0 "$ZPUB" show "$id" --json
echo "$OUT" > "$T/show.json"
[ "$(echo "$OUT" | jget status)" = TRANSCRIBED ] || fail "status: $OUT"

python3 - "$T/show.json" > "$T/arts" <<'PY' || fail "artefacts missing: $(cat "$T/show.json")"
import json, sys
a = json.load(open(sys.argv[1]))["artifacts"]
def one(kind, **kw):
    m = [x for x in a if x["kind"] == kind and all(x.get(k) == v for k, v in kw.items())]
    assert m, (kind, kw, [x["kind"] for x in a])
    return m[-1]["path"]
print(one("transcript")); print(one("topics")); print(one("srt", format="srt"))
print(one("vtt", format="vtt")); print(one("description")); print(one("metadata"))
PY
tr=$(sed -n 1p "$T/arts"); tp=$(sed -n 2p "$T/arts"); srt=$(sed -n 3p "$T/arts")
vtt=$(sed -n 4p "$T/arts"); desc=$(sed -n 5p "$T/arts")

wer=$($CHECK wer "$ZPUB_SRC/tests/fakes/lecture_en.txt" "$tr")
echo "WER (pocketsphinx, espeak-ng lecture): $wer (bound $WER_BOUND)"
python3 -c "import sys; sys.exit(0 if $wer < $WER_BOUND else 1)" || fail "WER $wer over $WER_BOUND"
tdur=$(python3 -c "import json;print(json.load(open('$tr'))['duration_ms'])")
$CHECK topics "$tp" "$tdur" || fail "topics"
for f in "$srt" "$vtt"; do
	e=$(ffmpeg -nostdin -v error -y -i "$f" -f webvtt /dev/null 2>&1) || fail "ffmpeg cannot read $f: $e"
	[ -z "$e" ] || fail "ffmpeg complained about $f: $e"
	$CHECK subs "$f" en || fail "subtitle rules: $f"
done
$CHECK chapters "$desc" || fail "chapters"
grep -q "Sorting, networks and security" "$desc" || fail "title not rendered in $(cat "$desc")"
ok "offline: transcript (WER $wer), topics, SRT, VTT, description"

# The steps again on their own: a new topic version, subtitles, description.
expect_rc 0 "$ZPUB" topics "$id" --engine extractive
ls "$(dirname "$tp")"/topics.v2.json >/dev/null || fail "no second topic version"
expect_rc 0 "$ZPUB" subtitles "$id"
expect_rc 0 "$ZPUB" describe "$id"
ok "topics/subtitles/describe re-run on a TRANSCRIBED recording"
