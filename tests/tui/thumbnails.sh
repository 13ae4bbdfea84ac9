# Choosing the thumbnail in the terminal app, driven through tmux (issue 18):
# a lecture of five slides run to PROCESSED; `I` on the recording screen
# lists its five slide thumbnails with the title slide chosen; Enter on the
# third chooses it through the engine (as `zpub thumbnail --pick 3`); `c`
# asks for a picture file: a video is refused with the reason, a PNG is
# taken and chosen.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

bash "$ZPUB_SRC/tests/lib/gen_slides.sh" "$T/gen"
expect_rc 0 "$ZPUB" import --title "Integrals" "$T/gen/slides.mp4"
id=$OUT
expect_rc 0 "$ZPUB" run "$id" --until PROCESSED

chosen() {
	"$ZPUB" thumbnail "$id" | awk '$1 == "*" { print $2 }'
}

tui_start 100 24
tui_wait "Integrals"
tui_keys Enter
tui_wait "#$id  Integrals"
tui_keys I
tui_wait "#$id  Integrals — thumbnails"
tui_wait "4 slide changes found"
tui_wait ">  1  00:00:01  chosen   thumb_0.jpg"
tui_wait "   5  00:00:"
ok "I lists the five slide thumbnails, the title slide chosen"

tui_keys j j
tui_wait ">  3  "
tui_keys Enter
tui_wait "#$id: thumbnail 3 chosen"
tui_wait ">  3  00:00:07  chosen"
[ "$(chosen)" = 3 ] || fail "Enter did not choose the third: $(chosen)"
expect_rc 0 "$ZPUB" audit
echo "$OUT" | grep -q "thumbnail.pick" || fail "not audited: $OUT"
ok "Enter chooses the selected thumbnail through the engine"

tui_keys c
tui_wait "Picture file"
tui_type "$T/gen/slides.mp4"
tui_keys Enter
tui_wait "is not a picture zpub takes as a thumbnail"
[ "$(chosen)" = 3 ] || fail "a refused file changed the choice: $(chosen)"
tui_keys c
tui_wait "Picture file"
tui_type "$T/gen/slide_4.png"
tui_keys Enter
tui_wait "thumbnail 6 chosen (the picture you supplied)"
tui_wait "supplied  chosen   thumb_supplied.jpg"
[ "$(chosen)" = 6 ] || fail "the supplied picture is not chosen: $(chosen)"
ok "c takes a picture file: a video refused with the reason, a PNG chosen"

tui_keys q q
tui_wait "of 1"
tui_keys Q
tui_wait "ZPUB-EXITED 0"
ok "q goes back, Q quits with status 0"
