#!/usr/bin/env bash
# `zpub thumbnail ID --pick N | --file IMAGE`: an editor chooses one of the
# slide thumbnails or supplies a picture; the choice is what the recording
# shows (one chosen), a supplied picture is kept as a JPEG beside the
# others, and bad input is refused with a sentence that says what to do:
# a number out of range, a video, a text file, a folder, a missing file, a
# picture too large in bytes or in pixels, both options at once.
. "$ZPUB_SRC/tests/lib/e2e.sh"

bash "$ZPUB_SRC/tests/lib/gen_slides.sh" "$T/gen"
expect_rc 0 "$ZPUB" import "$T/gen/slides.mp4"
id=$OUT
expect_rc 0 "$ZPUB" run "$id" --until PROCESSED

chosen() { # the chosen thumbnail's number and path: "N PATH"
	"$ZPUB" show "$id" --json | python3 -c '
import json, sys
t = [a for a in json.load(sys.stdin)["artifacts"] if a["kind"] == "thumbnail"]
c = [i for i, a in enumerate(t) if a.get("chosen")]
assert len(c) == 1, t
print(c[0] + 1, t[c[0]]["path"])'
}

expect_rc 0 "$ZPUB" thumbnail "$id"
[ "$(echo "$OUT" | wc -l)" = 5 ] && echo "$OUT" | grep -q '^\* 1 ' || fail "list: $OUT"
[ "$(chosen | cut -d' ' -f1)" = 1 ] || fail "the title slide is not chosen: $(chosen)"

expect_rc 0 "$ZPUB" thumbnail "$id" --pick 3
echo "$OUT" | grep -q "thumbnail 3 chosen" || fail "pick: $OUT"
[ "$(chosen | cut -d' ' -f1)" = 3 ] || fail "pick 3 did not stick: $(chosen)"
expect_rc 0 "$ZPUB" journal "$id"
echo "$OUT" | grep -q "thumbnail 3 chosen" || fail "not journalled: $OUT"
expect_rc 0 "$ZPUB" audit
echo "$OUT" | grep -q "thumbnail.pick" || fail "not audited: $OUT"
ok "--pick 3: the third slide is chosen, journalled and audited"

expect_rc 1 "$ZPUB" thumbnail "$id" --pick 9
echo "$ERR" | grep -q "has 5 thumbnails: pick one from 1 to 5" || fail "pick 9: $ERR"
expect_rc 2 "$ZPUB" thumbnail "$id" --pick 0
expect_rc 2 "$ZPUB" thumbnail "$id" --pick two
expect_rc 2 "$ZPUB" thumbnail "$id" --pick 2 --file "$T/gen/slide_2.png"
echo "$ERR" | grep -q "choose one" || fail "both: $ERR"
expect_rc 2 "$ZPUB" thumbnail "$id" --file
expect_rc 1 "$ZPUB" thumbnail 999 --pick 1
echo "$ERR" | grep -q "no recording with id 999" || fail "unknown recording: $ERR"
ok "bad picks refused: out of range, not a number, both options, no file, no recording"

expect_rc 1 "$ZPUB" thumbnail "$id" --file "$T/gen/slides.mp4"
echo "$ERR" | grep -q "'slides.mp4' is not a picture zpub takes as a thumbnail" || fail "video: $ERR"
printf 'not a picture\n' > "$T/notes.png"
expect_rc 1 "$ZPUB" thumbnail "$id" --file "$T/notes.png"
echo "$ERR" | grep -q "'notes.png' is not a picture zpub" || fail "text: $ERR"
expect_rc 1 "$ZPUB" thumbnail "$id" --file "$T/gen"
echo "$ERR" | grep -q "is not a file" || fail "folder: $ERR"
expect_rc 1 "$ZPUB" thumbnail "$id" --file "$T/missing.png"
echo "$ERR" | grep -q "cannot open '$T/missing.png'" || fail "missing: $ERR"
cp "$T/gen/slide_2.png" "$T/big.png"
truncate -s 21M "$T/big.png"
expect_rc 1 "$ZPUB" thumbnail "$id" --file "$T/big.png"
echo "$ERR" | grep -q "a thumbnail picture must be between 1 byte and 20971520 bytes" || fail "big: $ERR"
ffmpeg -nostdin -v error -f lavfi -i color=c=red:s=9000x8:d=1 -frames:v 1 "$T/wide.png"
expect_rc 1 "$ZPUB" thumbnail "$id" --file "$T/wide.png"
echo "$ERR" | grep -q "at most 8192 pixels a side" || fail "wide: $ERR"
[ "$(chosen | cut -d' ' -f1)" = 3 ] || fail "a refused picture changed the choice: $(chosen)"
ok "bad pictures refused with the reason, the choice unchanged"

expect_rc 0 "$ZPUB" thumbnail "$id" --file "$T/gen/slide_5.png"
echo "$OUT" | grep -q "thumbnail 6 chosen (the picture you supplied)" || fail "file: $OUT"
read -r n path <<<"$(chosen)"
[ "$n" = 6 ] && [ "$(basename "$path")" = thumb_supplied.jpg ] || fail "supplied: $n $path"
[ "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$path")" = mjpeg ] ||
	fail "the supplied picture was not kept as a JPEG"
expect_rc 0 "$ZPUB" thumbnail "$id" --file "$T/gen/slide_4.png"
[ "$(chosen | cut -d' ' -f1)" = 6 ] || fail "a second picture is not the same sixth: $(chosen)"
expect_rc 0 "$ZPUB" thumbnail "$id" --pick 2
[ "$(chosen | cut -d' ' -f1)" = 2 ] || fail "back to a slide: $(chosen)"
ok "--file: the picture kept as a JPEG beside the slides and chosen; --pick goes back"
