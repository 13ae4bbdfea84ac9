# Marks and batch actions in the recordings browser: mark two, skip them,
# delete them after a confirmation (saying no first), and run the next
# stage of an imported recording from the TUI (a `zpub run` child) while
# the screen keeps answering keys; a run that fails says why.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

make_mp4 "$T/g.mp4" 30
G=$("$ZPUB" import --title "Партия Г (media)" "$T/g.mp4")
fixture bulk 20
A=$(fixture add "Партия А" 600000 DOWNLOADED)
B=$(fixture add "Партия Б" 600000 DOWNLOADED)
C=$(fixture add "Партия В" 600000 DOWNLOADED)
row() { tui_screen | grep -F -- "$1" || true; }
wait_row() { # wait_row TEXT PATTERN
	local i=0
	until row "$1" | grep -q -- "$2"; do
		i=$((i + 1)); [ $i -lt 400 ] || { tui_screen >&2; fail "row '$1' never matched '$2'"; }
		sleep 0.05
	done
}

tui_start 110 30
tui_wait "of 24"
tui_keys /
tui_type "партия"
tui_keys Enter
tui_wait "1–4 of 4"
# Sorted by date, newest first: В, Б, А (fixtures), then Г (imported earlier).
tui_keys g Space Space
tui_wait "marked: 2"
tui_keys s
wait_row "Партия В" SKIPPED
wait_row "Партия Б" SKIPPED
row "Партия А" | grep -q DOWNLOADED || fail "an unmarked row changed: $(row 'Партия А')"
ok "two marked recordings skipped in one batch"

tui_keys g Space Space D
tui_wait "Delete 2 recordings and all their files? (y/N)"
tui_keys n
tui_wait "cancelled"
tui_wait "1–4 of 4"
tui_keys g Space Space D
tui_wait "Delete 2 recordings"
tui_keys y
tui_wait "1–2 of 2"
n=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT count(*) FROM recordings WHERE title LIKE 'Партия%'")
[ "$n" = 2 ] || fail "store has $n 'Партия' recordings, wanted 2"
ok "delete asks first; 'n' keeps them, 'y' deletes both"

# A fixture without media: running it fails and the status line says why.
tui_keys g
row "Партия А" >/dev/null
tui_keys r
tui_wait "failed:"
ok "a failing run shows its reason: $(tui_screen | grep -F 'failed:' | head -1 | sed 's/  */ /g')"

# The imported one: n runs the next stage (process) in a child; keys still work.
tui_keys j
tui_keys n
tui_keys j k
wait_row "Партия Г" PROCESSED
tui_wait "run to PROCESSED finished"
ok "n ran the next stage of the imported recording from the TUI"

# The mouse: a click selects a row, a double click opens it.
y=$(tui_screen | grep -n "Партия А" | cut -d: -f1)
tui_click 20 $((y - 1)) 2
tui_wait "#$A  Партия А"
ok "a double click on a row opens that recording"
tui_keys q
tui_wait "1–2 of 2"

tui_keys Q
tui_wait "ZPUB-EXITED 0"
