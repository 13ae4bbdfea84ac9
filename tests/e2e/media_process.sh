#!/usr/bin/env bash
# The process stage through the CLI: import a lecture whose audio starts
# 0.85 s late, run it to PROCESSED, and check the artefacts `zpub show`
# lists (cut video in sync and decoding cleanly, time map, audio chunks on
# the output timeline, thumbnails with one chosen); a file without audio
# FAILS with the reason; a file that never falls silent is kept as is (with
# loudness off).
. "$ZPUB_SRC/tests/lib/e2e.sh"

bash "$ZPUB_SRC/tests/lib/gen_media.sh" "$T/gen" offset
bash "$ZPUB_SRC/tests/lib/gen_media.sh" "$T/gen" neverstop
bash "$ZPUB_SRC/tests/lib/gen_media.sh" "$T/gen" bad

expect_rc 0 "$ZPUB" import "$T/gen/offset.mp4"
id=$OUT
expect_rc 0 "$ZPUB" run "$id" --until PROCESSED
expect_rc 0 "$ZPUB" show "$id" --json
echo "$OUT" > "$T/show.json"
[ "$(echo "$OUT" | jget status)" = PROCESSED ] || fail "status: $OUT"
python3 - "$T/show.json" "$T/paths" <<'PY' || fail "artefacts: $(cat "$T/show.json")"
import json, sys
j = json.load(open(sys.argv[1]))
arts = j["artifacts"]
kinds = [a["kind"] for a in arts]
cut = [a for a in arts if a["kind"] == "cut_video"]
tm = [a for a in arts if a["kind"] == "time_map"]
chunks = sorted((a for a in arts if a["kind"] == "audio_chunk"), key=lambda a: a["offset_ms"])
thumbs = [a for a in arts if a["kind"] == "thumbnail"]
assert len(cut) == 1 and len(tm) == 1, kinds
assert cut[0]["duration_ms"] > 0 and "copied_s" in cut[0] and "reencoded_s" in cut[0], cut
assert cut[0]["copied_s"] > cut[0]["reencoded_s"], cut
assert chunks and chunks[0]["offset_ms"] == 0, chunks
end = 0
for c in chunks:
    assert c["offset_ms"] == end, chunks
    end += c["duration_ms"]
assert abs(end - cut[0]["duration_ms"]) <= 40, (end, cut)
assert len(thumbs) >= 1 and sum(1 for t in thumbs if t.get("chosen")) == 1, thumbs
open(sys.argv[2], "w").write(cut[0]["path"] + "\n" + tm[0]["path"] + "\n")
PY
cut=$(sed -n 1p "$T/paths"); map=$(sed -n 2p "$T/paths")
python3 "$ZPUB_SRC/tests/lib/check_media.py" cut "$T/gen/offset.mp4" "$T/gen/offset.truth.json" \
	"$cut" "$map" || fail "the cut video is wrong"
ok "processed: cut in sync, time map, chunks, thumbnails"

# What processing would fail on is refused at import, with the file's name.
expect_rc 1 "$ZPUB" import "$T/gen/noaudio.mp4"
echo "$ERR" | grep -q "cannot import '$T/gen/noaudio.mp4': it has no audio stream" \
	|| fail "no reason given: $ERR"
expect_rc 1 "$ZPUB" import "$T/gen/truncated_tail.mp4"
echo "$ERR" | grep -q "cannot import '$T/gen/truncated_tail.mp4': it is truncated" \
	|| fail "truncated tail: $ERR"
ok "no audio, truncated tail: refused at import with the reason"

# (With loudness off: evened out, its audio is re-encoded; e2e/media_loudness.)
expect_rc 0 "$ZPUB" config set processing.audio.loudness_lufs null
expect_rc 0 "$ZPUB" import "$T/gen/neverstop.mp4"
id=$OUT
expect_rc 0 "$ZPUB" run "$id" --until PROCESSED
expect_rc 0 "$ZPUB" show "$id" --json
python3 - <<PY || fail "never-silent file was re-encoded: $OUT"
import json
j = json.loads('''$OUT''')
cut = [a for a in j["artifacts"] if a["kind"] == "cut_video"][0]
src = [a for a in j["artifacts"] if a["kind"] == "source"][0]
assert cut["sha256"] == src["sha256"] and cut["reencoded_s"] == 0, (cut, src)
PY
ok "never silent: output equals input"
