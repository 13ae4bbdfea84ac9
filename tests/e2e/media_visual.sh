#!/usr/bin/env bash
# Content-aware pauses through `zpub analyse --json`: on a generated slide
# lecture with a small box moving about all the time, a 12 s pause in which
# six lines are written one by one is kept within 10 % of its length, a
# pause with a slide change keeps at least 2 s after the change, and an
# equally long still pause is shortened to keep_pause_ms; on a recording
# that is all camera the pauses are cut; keep_visual_pauses false cuts them
# all; the lectures of gen_media.sh (a test pattern with a scrolling band
# and a counter) are cut exactly as without visual pauses.
. "$ZPUB_SRC/tests/lib/e2e.sh"

bash "$ZPUB_SRC/tests/lib/gen_visual.sh" "$T/gen" slides
bash "$ZPUB_SRC/tests/lib/gen_visual.sh" "$T/gen" camera 320x180
# A full re-encode cuts where the plan says: no keyframe moves a cut, so
# a shortened pause is exactly keep_pause_ms (up to a frame).
"$ZPUB" config set processing.video.strategy reencode >/dev/null

# check.py TRUTH ANALYSIS MODE: MODE is slides, camera or off.
cat > "$T/check.py" <<'PY'
import json, sys
truth, an, mode = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
keep = an["keep"]
keep_pause = an["options"]["keep_pause_ms"]
frame = 40
def kept(s, e):
    return sum(max(0, min(e, k["end_ms"]) - max(s, k["start_ms"])) for k in keep)
def silence_of(p):
    for s in an["silences"]:
        if s["start_ms"] < p["end_ms"] and p["start_ms"] < s["end_ms"]:
            return s
    sys.exit(f"no silence found over the {p['kind']} pause {p}")
errors = []
for p in truth["pauses"]:
    s = silence_of(p)
    length = s["end_ms"] - s["start_ms"]
    got = kept(s["start_ms"], s["end_ms"])
    visual = p["kind"] != "still" and mode == "slides"
    if s.get("visual") is not visual:
        errors.append(f"{mode}: the {p['kind']} pause {s} should have visual {visual}")
    if visual and p["kind"] == "writing" and got < 0.9 * length:
        errors.append(f"writing: kept {got} of {length} ms, less than 90 %")
    if visual and p["kind"] == "slide":
        after = kept(p["change_ms"], p["change_ms"] + 2000)
        if after < 2000:
            errors.append(f"slide change at {p['change_ms']}: only {after} ms of the 2 s after it kept")
        if got >= length - 1000:
            errors.append(f"slide: the pause around the change was not shortened ({got} of {length} ms)")
    if not visual and abs(got - keep_pause) > frame:
        errors.append(f"{mode}: the {p['kind']} pause kept {got} ms, not keep_pause_ms {keep_pause}")
kept_total = sum(k["end_ms"] - k["start_ms"] for k in keep)
if kept_total != an["output_duration_ms"]:
    errors.append(f"output_duration_ms {an['output_duration_ms']} is not what keep adds up to ({kept_total})")
if errors:
    sys.exit("\n".join(errors))
PY

expect_rc 0 "$ZPUB" analyse --json "$T/gen/slides.mp4"
echo "$OUT" > "$T/slides.json"
python3 "$T/check.py" "$T/gen/slides.truth.json" "$T/slides.json" slides || fail "slide lecture: see above"
ok "writing kept, a slide change keeps 2 s after it, a still pause shortened"

expect_rc 0 "$ZPUB" analyse --json "$T/gen/camera.mp4"
echo "$OUT" > "$T/camera.json"
python3 "$T/check.py" "$T/gen/camera.truth.json" "$T/camera.json" camera || fail "camera recording: see above"
ok "a recording that is all camera has its pauses cut"

"$ZPUB" config set processing.video.keep_visual_pauses false >/dev/null
expect_rc 0 "$ZPUB" analyse --json "$T/gen/slides.mp4"
echo "$OUT" > "$T/off.json"
python3 "$T/check.py" "$T/gen/slides.truth.json" "$T/off.json" off || fail "keep_visual_pauses false: see above"
[ "$(echo "$OUT" | jget output_duration_ms)" -lt "$(jget output_duration_ms < "$T/slides.json")" ] \
	|| fail "keep_visual_pauses false should cut more"
ok "keep_visual_pauses false shortens every long pause"

# gen_media.sh's lectures: the same plan with and without visual pauses.
for v in base x264vf; do
	bash "$ZPUB_SRC/tests/lib/gen_media.sh" "$T/gm" $v
	"$ZPUB" config set processing.video.keep_visual_pauses false >/dev/null
	expect_rc 0 "$ZPUB" analyse --json "$T/gm/$v.mp4"
	off=$(echo "$OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["keep"], j["output_duration_ms"])')
	"$ZPUB" config set processing.video.keep_visual_pauses true >/dev/null
	expect_rc 0 "$ZPUB" analyse --json "$T/gm/$v.mp4"
	on=$(echo "$OUT" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["keep"], j["output_duration_ms"])')
	[ "$on" = "$off" ] || fail "$v: visual pauses changed the plan: $on, was $off"
	echo "$OUT" | python3 -c 'import json,sys; assert not any(s["visual"] for s in json.load(sys.stdin)["silences"])' \
		|| fail "$v: a pause of the test pattern counted as visual"
done
ok "gen_media's lectures are cut exactly as before"
