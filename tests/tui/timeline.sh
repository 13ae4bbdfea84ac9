# The cut timeline in the terminal app, driven through tmux (issue 17): a
# generated lecture run to PROCESSED, its timeline opened from the
# recording screen shows the bar, the topic marks and the stretches with
# the long pause cut as silence; `n` at the question changes nothing, `y`
# keeps the pause through the engine (an override, back to DOWNLOADED)
# and the screen shows the new plan; `X` then removes it again.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

# A lecture with a 6.2 s pause (18.3 s - 24.9 s) the analysis shortens.
bash "$ZPUB_SRC/tests/lib/gen_media.sh" "$T/gen" base
expect_rc 0 "$ZPUB" import --title "Signals" "$T/gen/base.mp4"
id=$OUT
expect_rc 0 "$ZPUB" run "$id" --until PROCESSED
fixture topics "$id" "$ZPUB_HOME/media/default/$id"
expect_rc 0 "$ZPUB" cut "$id" --show
pause=$(echo "$OUT" | awk '$4 == "cut" && $5 == "silence" { print $1 "-" $3; exit }')
[ -n "$pause" ] || fail "no silence stretch cut in the plan: $OUT"

tui_start 80 24
tui_wait "Signals"
tui_keys Enter
tui_wait "#$id  Signals"
tui_keys L
tui_wait "cut timeline"
tui_wait "█"
tui_wait "░"
tui_wait "▲ topic (v1)"
tui_wait "cut   silence"
ok "the timeline shows the bar, the topic marks and the cut pause"

# Move to the pause; n at the question changes nothing.
start=${pause%-*}
for _ in $(seq 20); do
	tui_screen | grep -q "^ *> $start .*cut   silence" && break
	tui_keys j
done
tui_wait "> $start "
tui_keys K
tui_wait "Keep $pause (silence) of #$id in the next cut? (y/N)"
tui_keys n
tui_wait "cancelled"
expect_rc 0 "$ZPUB" cut "$id" --show
echo "$OUT" | grep -q "no overrides" || fail "n saved an override: $OUT"
expect_rc 0 "$ZPUB" show "$id" --json
[ "$(echo "$OUT" | jget status)" = PROCESSED ] || fail "n moved the recording: $OUT"
ok "n at the question changes nothing"

tui_keys K
tui_wait "Keep $pause (silence)"
tui_keys y
tui_wait "keep $pause saved; it is cut again on the next run"
tui_wait "your keep (override)"
tui_wait "It will be cut again on the next run (r runs it)."
expect_rc 0 "$ZPUB" cut "$id" --show
echo "$OUT" | grep -q "override: keep $pause" || fail "no keep override: $OUT"
expect_rc 0 "$ZPUB" show "$id" --json
[ "$(echo "$OUT" | jget status)" = DOWNLOADED ] || fail "not DOWNLOADED after keep: $OUT"
ok "y keeps the pause through the engine; the plan shows it kept"

# K on a kept stretch says so; X removes it again after its own question.
tui_keys K
tui_wait "this stretch is kept already; X removes it"
tui_keys X
tui_wait "Remove $pause (your keep) of #$id in the next cut? (y/N)"
tui_keys y
tui_wait "remove $pause saved"
tui_wait "cut   your remove (override)"
expect_rc 0 "$ZPUB" cut "$id" --show
echo "$OUT" | grep -q "override: remove $pause" || fail "no remove override: $OUT"
echo "$OUT" | grep -q "override: keep" && fail "the keep override stayed: $OUT"
ok "X removes the stretch again; the newer range wins"

tui_keys q q
tui_wait "of 1"
tui_keys Q
tui_wait "ZPUB-EXITED 0"
ok "q goes back, Q quits with status 0"
