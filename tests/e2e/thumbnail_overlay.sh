#!/usr/bin/env bash
# The title overlay (processing.thumbnails.overlay.*): with it on, the
# recording's title is drawn on the chosen thumbnail — a Cyrillic and an
# English one — and what zpub drew matches a reference the `ffmpeg`
# program's drawtext renders on the same picture with the same font file
# (the one fc-match names) within a tolerance (PSNR), while the picture
# without the title does not.  Without any font the overlay is skipped with
# a journal warning; so is this test, with a message.
. "$ZPUB_SRC/tests/lib/e2e.sh"

font_pattern='DejaVu Sans'
font=$(fc-match -f '%{file}' "$font_pattern" 2>/dev/null || true)
if [ -z "$font" ] || [ ! -f "$font" ]; then
	echo "skip: fontconfig finds no font on this machine (fc-match '$font_pattern')"
	exit 0
fi

bash "$ZPUB_SRC/tests/lib/gen_slides.sh" "$T/gen"
expect_rc 0 "$ZPUB" config set processing.thumbnails.overlay.enabled true
expect_rc 0 "$ZPUB" config set processing.thumbnails.overlay.font "\"$font_pattern\""
expect_rc 0 "$ZPUB" config set processing.thumbnails.overlay.size 40
expect_rc 0 "$ZPUB" config set processing.thumbnails.overlay.color '"yellow"'
expect_rc 0 "$ZPUB" config set processing.thumbnails.overlay.box_color '"black@0.7"'
expect_rc 0 "$ZPUB" config set processing.thumbnails.overlay.position '"top"'

psnr() { # psnr A B -> average PSNR in dB (inf -> 99)
	ffmpeg -nostdin -v info -i "$1" -i "$2" -lavfi "[0:v]format=yuv420p[a];[1:v]format=yuv420p[b];[a][b]psnr" \
	    -f null - 2>&1 | sed -n 's/.*PSNR.* average:\([0-9.inf]*\).*/\1/p' | sed 's/inf/99/'
}

check_title() { # check_title TITLE FILE
	local title=$1
	expect_rc 0 "$ZPUB" import --title "$title" "$2"
	id=$OUT
	expect_rc 0 "$ZPUB" run "$id" --until PROCESSED
	expect_rc 0 "$ZPUB" show "$id" --json
	plain=$(echo "$OUT" | python3 -c '
import json, sys
t = [a for a in json.load(sys.stdin)["artifacts"] if a["kind"] == "thumbnail" and a.get("chosen")]
assert len(t) == 1 and t[0].get("titled") == "thumb_titled.jpg", t
print(t[0]["path"])') || fail "no titled thumbnail: $OUT"
	titled=$(dirname "$plain")/thumb_titled.jpg
	[ -s "$titled" ] || fail "$titled missing"
	printf '%s' "$title" > "$T/title.txt"
	ffmpeg -nostdin -v error -y -i "$plain" -vf "drawtext=fontfile=$font:textfile=$T/title.txt:fontsize=40:fontcolor=yellow:box=1:boxcolor=black@0.7:boxborderw=12:x=(w-text_w)/2:y=h/12" \
	    "$T/reference.png"
	# one character off: a render of another title must match worse
	printf '%s' "${title/3/4}" > "$T/other.txt"
	ffmpeg -nostdin -v error -y -i "$plain" -vf "drawtext=fontfile=$font:textfile=$T/other.txt:fontsize=40:fontcolor=yellow:box=1:boxcolor=black@0.7:boxborderw=12:x=(w-text_w)/2:y=h/12" \
	    "$T/other.png"
	local same bare other
	same=$(psnr "$titled" "$T/reference.png")
	bare=$(psnr "$titled" "$plain")
	other=$(psnr "$titled" "$T/other.png")
	python3 -c "import sys; s, b, o = float('$same'), float('$bare'), float('$other'); sys.exit(0 if s > 30 and b < s - 8 and o < s - 3 else 1)" ||
		fail "'$title': PSNR to the reference render $same dB (want > 30), to the bare picture $bare dB, to another title's $other dB"
	ok "'$title' drawn as the reference render draws it: PSNR $same dB (bare picture: $bare dB, one character off: $other dB)"
}

# the same lecture again, other bytes (an import of the same bytes is the
# same recording)
ffmpeg -nostdin -v error -i "$T/gen/slides.mp4" -c copy -metadata comment=again "$T/again.mp4"
check_title "Лекция 3: Интегралы" "$T/gen/slides.mp4"
check_title "Lecture 3: Integrals" "$T/again.mp4"

# Choosing another thumbnail draws the title on that one instead.
expect_rc 0 "$ZPUB" thumbnail "$id" --pick 2
expect_rc 0 "$ZPUB" show "$id" --json
echo "$OUT" | python3 -c '
import json, sys
t = [a for a in json.load(sys.stdin)["artifacts"] if a["kind"] == "thumbnail"]
assert t[1].get("chosen") and t[1].get("titled") == "thumb_titled.jpg", t
assert not any(a.get("titled") for i, a in enumerate(t) if i != 1), t' || fail "pick 2: $OUT"
printf '%s' "Lecture 3: Integrals" > "$T/title.txt"
ffmpeg -nostdin -v error -y -i "$(dirname "$plain")/thumb_1.jpg" -vf "drawtext=fontfile=$font:textfile=$T/title.txt:fontsize=40:fontcolor=yellow:box=1:boxcolor=black@0.7:boxborderw=12:x=(w-text_w)/2:y=h/12" \
    "$T/reference.png"
same=$(psnr "$(dirname "$plain")/thumb_titled.jpg" "$T/reference.png")
python3 -c "import sys; sys.exit(0 if float('$same') > 30 else 1)" || fail "pick 2 titled: PSNR $same dB"
ok "--pick 2: the title drawn on the second slide instead"
