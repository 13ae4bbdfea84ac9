#!/usr/bin/env bash
# Slides: a generated lecture of five distinct slides (tests/lib/gen_slides.sh)
# is processed; its slide changes are found, and its five thumbnails are
# the five slides, the title slide first and chosen — each thumbnail is
# nearest to a different slide picture, compared on small grey images.
# With 10 s GOPs and no scene cuts, the changes between keyframes are still
# found where they happen (packet sizes place what keyframes confirm).
. "$ZPUB_SRC/tests/lib/e2e.sh"

bash "$ZPUB_SRC/tests/lib/gen_slides.sh" "$T/gen" 640x360 long

expect_rc 0 "$ZPUB" import "$T/gen/slides.mp4"
id=$OUT
expect_rc 0 "$ZPUB" run "$id" --until PROCESSED
expect_rc 0 "$ZPUB" show "$id" --json
echo "$OUT" > "$T/show.json"
python3 - "$T/show.json" > "$T/thumbs" <<'PY' || fail "thumbnails: $(cat "$T/show.json")"
import json, sys
j = json.load(open(sys.argv[1]))
thumbs = [a for a in j["artifacts"] if a["kind"] == "thumbnail"]
assert len(thumbs) == 5, thumbs
assert thumbs[0].get("chosen") and sum(1 for t in thumbs if t.get("chosen")) == 1, thumbs
# the changes are data on the recording: on the source at 6, 12, 18, 24 s
# (a frame's slack), and on the cut
sl = j["slide_changes"]
assert [round(s["at_ms"] / 1000) for s in sl] == [6, 12, 18, 24], sl
assert all(s["out_ms"] is not None and 0 < s["out_ms"] <= s["at_ms"] for s in sl), sl
for t in thumbs:
    print(t["path"])
PY

grey() { # grey IMAGE -> 64x36 grey bytes on stdout
	ffmpeg -nostdin -v error -i "$1" -vf scale=64:36:flags=area,format=gray -f rawvideo -
}
i=0
while read -r p; do
	grey "$p" > "$T/t$i.raw"
	i=$((i + 1))
done < "$T/thumbs"
for n in 1 2 3 4 5; do
	grey "$T/gen/slide_$n.png" > "$T/s$n.raw"
done
python3 - "$T" <<'PY' || fail "the thumbnails are not the five slides"
import sys
T = sys.argv[1]
def load(p):
    return open(p, "rb").read()
def diff(a, b):
    return sum(abs(x - y) for x, y in zip(a, b)) / len(a)
thumbs = [load(f"{T}/t{i}.raw") for i in range(5)]
slides = [load(f"{T}/s{n}.raw") for n in range(1, 6)]
nearest = []
for t in thumbs:
    d = [diff(t, s) for s in slides]
    k = min(range(5), key=lambda i: d[i])
    assert d[k] < 8, ("no slide looks like this thumbnail", d)
    nearest.append(k)
print("nearest slides:", nearest)
assert sorted(nearest) == [0, 1, 2, 3, 4], nearest
assert nearest[0] == 0, ("the title slide is not first", nearest)
for a in range(5):
    for b in range(a + 1, 5):
        assert diff(thumbs[a], thumbs[b]) > 10, ("near-duplicate thumbnails", a, b)
PY
ok "five slides: five thumbnails of five different slides, the title slide first and chosen"

expect_rc 0 "$ZPUB" journal "$id"
echo "$OUT" | grep -q "5 thumbnails, 4 slide changes" || fail "not 4 slide changes: $OUT"

# Long GOPs: keyframes at 0, 10 and 20 s only; the changes at 6, 12 and 18 s
# are found at their frames (the one at 24 s, in the last GOP, has no
# keyframe after it to confirm it).
expect_rc 0 "$ZPUB" import "$T/gen/slides_long.mp4"
lid=$OUT
expect_rc 0 "$ZPUB" run "$lid" --until PROCESSED
expect_rc 0 "$ZPUB" journal "$lid"
echo "$OUT" | grep -q "4 thumbnails, 3 slide changes" || fail "long GOPs: $OUT"
expect_rc 0 "$ZPUB" thumbnail "$lid"
i=0
for p in $(echo "$OUT" | awk '{ print $NF }'); do
	grey "$p" > "$T/t$i.raw"
	i=$((i + 1))
done
python3 - "$T" <<'PY' || fail "long GOPs: the thumbnails are not four different slides"
import sys
T = sys.argv[1]
def load(p):
    return open(p, "rb").read()
def diff(a, b):
    return sum(abs(x - y) for x, y in zip(a, b)) / len(a)
thumbs = [load(f"{T}/t{i}.raw") for i in range(4)]
slides = [load(f"{T}/s{n}.raw") for n in range(1, 6)]
nearest = [min(range(5), key=lambda k: diff(t, slides[k])) for t in thumbs]
print("nearest slides:", nearest)
assert nearest == [0, 1, 2, 3], nearest
PY
ok "10 s GOPs without scene cuts: the changes between keyframes found, four slides as thumbnails"
