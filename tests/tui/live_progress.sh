# Work done by another process shows up in the open terminal app without a
# key press: a progress bar with percentage and ETA that moves, then the
# new status.  First a writer that reports like a stage does, then a real
# `zpub run` of imported media from a second process.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

make_mp4 "$T/lecture.mp4" 90
A=$("$ZPUB" import --title "Real lecture (imported)" "$T/lecture.mp4")
B=$(fixture add "Семинар по сетям" 5400000 DOWNLOADED)
fixture bulk 50

tui_start 120 30
tui_wait "of 52"
row() { tui_screen | grep -F -- "$1" || true; }

fixture progress "$B" PROCESSING 0.42 83000 "cutting video"
tui_wait "42% 1:23"
row "Семинар по сетям" | grep -q PROCESSING || fail "row B does not show PROCESSING: $(row 'Семинар по сетям')"
ok "another process's progress (42%, ETA 1:23) appears without a key press"
fixture progress "$B" PROCESSING 0.9 9000 "cutting video"
tui_wait "90% 0:09"
ok "the bar moves (90%, ETA 0:09)"
fixture progress "$B" PROCESSED null 0 ""
i=0
until row "Семинар по сетям" | grep -q PROCESSED; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "row B never showed PROCESSED: $(row 'Семинар по сетям')"
	sleep 0.1
done
ok "its status changes to PROCESSED without a key press"

# A real stage from a second process.
"$ZPUB" run "$A" --until PROCESSED >"$T/run.out" 2>&1 &
runpid=$!
saw_bar=0
i=0
while :; do
	line=$(row "Real lecture (imported)")
	case "$line" in *PROCESSING*%*) saw_bar=1 ;; esac
	case "$line" in *PROCESSED*) break ;; esac
	i=$((i + 1)); [ $i -lt 1200 ] || fail "the real run never showed PROCESSED: $line"
	sleep 0.05
done
wait $runpid || fail "zpub run failed: $(cat "$T/run.out")"
if [ $saw_bar = 1 ]; then ok "a real 'zpub run' showed its progress bar and then PROCESSED"
else ok "a real 'zpub run' ended PROCESSED on screen (too quick to catch its bar)"; fi

tui_keys Q
tui_wait "ZPUB-EXITED 0"
