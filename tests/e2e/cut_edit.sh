#!/usr/bin/env bash
# cut_edit.sh — cut editing from a shell (issue 17): a lecture run to READY
# (folder target) with the transcription on a fake service; `cut --keep`
# over a long pause the analysis cut makes the next run's cut video longer
# by exactly that stretch, in sync, with only the restored stretch's audio
# sent to the transcriber; the subtitles still pass the readability checks
# and the topics are re-timed as a new version.  `cut --show` lists the
# override; bad ranges are refused with a sentence each and nothing saved;
# an overlapping range wins and says so.
. "$ZPUB_SRC/tests/lib/e2e.sh"
CHECK="python3 $ZPUB_SRC/tests/fakes/ai_check.py"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

python3 "$ZPUB_SRC/tests/fakes/fake_openai.py" --key sk-tr > "$T/fake" 2>"$T/fake.log" &
PIDS+=($!)
for _ in $(seq 100); do grep -q PORT "$T/fake" 2>/dev/null && break; sleep 0.05; done
TR="http://127.0.0.1:$(sed -n 's/PORT //p' "$T/fake")/v1"
"$ZPUB" config set providers.transcription.base_url "$TR" >/dev/null
printf 'sk-tr' | "$ZPUB" secret set transcription >/dev/null
stat() { curl -sf "$TR/stats" | jget "$1"; }

# A lecture with a 6.2 s pause (18.3 s - 24.9 s) the analysis shortens.
bash "$ZPUB_SRC/tests/lib/gen_media.sh" "$T/gen" base
expect_rc 0 "$ZPUB" import --title "Signals" "$T/gen/base.mp4"
id=$OUT
dir="$ZPUB_HOME/media/default/$id"
expect_rc 0 "$ZPUB" run "$id"
expect_rc 0 "$ZPUB" show "$id" --json
[ "$(echo "$OUT" | jget status)" = READY ] || fail "first run: $OUT"
npub=$(echo "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["publications"]))')
[ "$npub" -ge 1 ] || fail "no publication after the first run: $OUT"
cp "$dir/time_map.json" "$T/map1.json"
dur() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
d1=$(dur "$dir/cut.mp4")
req1=$(stat ok_transcriptions); sec1=$(stat audio_seconds)
ok "READY with the silence analysis' cut ($d1 s), transcribed by the fake ($sec1 s)"

# Bad ranges: a sentence each, nothing saved, the recording stays READY.
expect_rc 1 "$ZPUB" cut "$id" --keep 00:00:20-00:00:10 --remove 00:00:30-00:01:00 --keep soon
echo "$ERR" | grep -q "'00:00:20-00:00:10' ends before it starts" || fail "reversed: $ERR"
echo "$ERR" | grep -q "'00:00:30-00:01:00' ends at 00:01:00, after the end of the recording (00:00:32" \
	|| fail "past the end: $ERR"
echo "$ERR" | grep -q "'soon' is not a range: write it as HH:MM:SS-HH:MM:SS" || fail "not a range: $ERR"
echo "$ERR" | grep -q "nothing saved" || fail "does not say nothing was saved: $ERR"
expect_rc 0 "$ZPUB" show "$id" --json
[ "$(echo "$OUT" | jget status)" = READY ] || fail "a refused cut moved the recording: $OUT"
expect_rc 2 "$ZPUB" cut "$id"
expect_rc 2 "$ZPUB" cut "$id" --show --keep 00:00:01-00:00:02
ok "bad ranges refused with a sentence each, nothing saved"

# An editor approved the chapters before noticing the cut: the approval
# goes with the re-timed version (else the old, approved one would be
# published with the old cut's times).
expect_rc 0 "$ZPUB" approve "$id"

# Keep the long pause: back to DOWNLOADED, the publication stays.
expect_rc 0 "$ZPUB" cut "$id" --keep 00:00:18-00:00:25
expect_rc 0 "$ZPUB" show "$id" --json
[ "$(echo "$OUT" | jget status)" = DOWNLOADED ] || fail "after cut --keep: $OUT"
n=$(echo "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["publications"]))')
[ "$n" = "$npub" ] || fail "the re-cut dropped publications: $OUT"
expect_rc 0 "$ZPUB" cut "$id" --show
echo "$OUT" | grep -q "00:00:18 *- 00:00:25 *kept *your keep *(override)" || fail "--show: $OUT"
echo "$OUT" | grep -q "^override: keep 00:00:18-00:00:25$" || fail "--show overrides: $OUT"
expect_rc 0 "$ZPUB" audit
echo "$OUT" | grep -q "cut.edit" || fail "no audit row: $OUT"
ok "cut --keep saved, audited, listed by --show; READY -> DOWNLOADED keeping the publication"

# The next run re-cuts and carries the transcript over.
expect_rc 0 "$ZPUB" run "$id"
expect_rc 0 "$ZPUB" show "$id" --json
echo "$OUT" > "$T/show2.json"
[ "$(echo "$OUT" | jget status)" = READY ] || fail "second run: $OUT"
d2=$(dur "$dir/cut.mp4")
req2=$(stat ok_transcriptions); sec2=$(stat audio_seconds)
python3 - "$T/map1.json" "$dir/time_map.json" "$d1" "$d2" "$((req2 - req1))" "$sec1" "$sec2" <<'PY' \
	|| fail "re-cut: see above"
import json, sys
old, new = (json.load(open(p))["segments"] for p in sys.argv[1:3])
d1, d2, nreq, s1, s2 = map(float, sys.argv[3:8])
def kept(segs, t):
    return any(g["src_start_ms"] <= t < g["src_end_ms"] for g in segs)
# the source stretches the new cut keeps and the old one did not (1 ms grid)
restored = sum(1 for g in new for t in range(int(g["src_start_ms"]), int(g["src_end_ms"]))
               if not kept(old, t))
grew = (d2 - d1) * 1000
print(f"cut {d1:.3f} s -> {d2:.3f} s (+{grew:.0f} ms), restored {restored} ms; "
      f"transcriber: {nreq:.0f} request(s), {s2 - s1:.2f} s of audio")
assert restored > 4000, "the keep restored too little of the pause"
assert abs(grew - restored) <= 100, "the cut did not grow by the restored stretch"
assert nreq == 1, "the restored stretch took more than one request"
assert abs((s2 - s1) * 1000 - restored) <= 200, "the transcriber heard more than the restored stretch"
PY
python3 "$ZPUB_SRC/tests/lib/check_media.py" cut "$T/gen/base.mp4" "$T/gen/base.truth.json" \
	"$dir/cut.mp4" "$dir/time_map.json" || fail "the re-cut video is out of sync"
ok "re-cut: longer by the restored pause, in sync, only the pause sent to the transcriber"

for f in "$dir"/en.srt "$dir"/en.vtt; do
	$CHECK subs "$f" en || fail "subtitle rules: $f"
done
src=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT source FROM topic_versions WHERE recording_id = $id ORDER BY version DESC LIMIT 1")
[ "$src" = recut ] || fail "the newest topic version is from '$src', not re-timed"
by=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT approved_by FROM topic_versions WHERE recording_id = $id ORDER BY version DESC LIMIT 1")
echo "$by" | grep -q "^cli:" || fail "the re-timed version lost the approval: '$by'"
v=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT max(version) FROM topic_versions WHERE recording_id = $id")
$CHECK topics "$dir/topics.v$v.json" "$(python3 -c "print(int($d2 * 1000))")" || fail "topics"
[ ! -e "$dir/recut_transcript.json" ] || fail "the kept transcript was left behind"
grep -q "carried .* words over the re-cut; 1 restored stretch" <<<"$("$ZPUB" journal "$id")" \
	|| fail "the journal does not say what was carried"
ok "subtitles pass the readability checks; topics re-timed as version $v (recut)"

# An overlapping remove wins and says so; --clear drops them all.
expect_rc 0 "$ZPUB" cut "$id" --remove 00:00:20-00:00:22
echo "$OUT" | grep -q "^remove 00:00:20-00:00:22 overlaps the keep 00:00:18-00:00:25 made before it: the remove wins there$" \
	|| fail "overlap: $OUT"
expect_rc 0 "$ZPUB" cut "$id" --show
echo "$OUT" | grep -q "00:00:20 *- 00:00:22 *cut *your remove *(override)" || fail "--show: $OUT"
echo "$OUT" | grep -q "^override: keep 00:00:22-00:00:25$" || fail "the keep was not split: $OUT"
expect_rc 0 "$ZPUB" cut "$id" --clear
expect_rc 0 "$ZPUB" cut "$id" --show
echo "$OUT" | grep -q "no overrides" || fail "--clear: $OUT"
ok "the newest range wins where they overlap, with a sentence; --clear"
echo "cut_edit: all passed"
