# tui.sh — sourced by tests/tui/*.sh and bench/tui: the real zpub in a
# private tmux server, keys in with send-keys, the screen out with
# capture-pane.  Needs e2e.sh sourced first (ZPUB, T, ZPUB_HOME, fail).
TMUX_SOCK="zpub-tui-$$"
tmx() { tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }
# tui_start COLS ROWS [ENV=VALUE...] — zpub with no arguments in a fresh session.
tui_start() {
	local cols=$1 rows=$2; shift 2
	tmx kill-server 2>/dev/null || true
	tmx -u new-session -d -s z -x "$cols" -y "$rows" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 ZPUB_HOME=$ZPUB_HOME NO_COLOR=${NO_COLOR:-} $* $ZPUB; echo ZPUB-EXITED \$?; sleep 30"
	trap tui_cleanup EXIT
}
tui_cleanup() {
	tmx kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TMUX_SOCK"
	# the loopback fakes of tests/fakes/net_e2e_lib.sh, when a test uses them
	if type net_cleanup >/dev/null 2>&1; then net_cleanup; fi
}
tui_screen() { tmx capture-pane -p -t z; }
tui_keys() { tmx send-keys -t z "$@"; }
# tui_type TEXT — literal text (UTF-8 safe).
tui_type() { tmx send-keys -t z -l "$1"; }
# tui_wait TEXT [SECONDS] — until the screen shows TEXT (fixed string).
tui_wait() {
	local want=$1 secs=${2:-10} i=0
	while [ $i -lt $((secs * 20)) ]; do
		if tui_screen | grep -qF -- "$want"; then return 0; fi
		sleep 0.05; i=$((i + 1))
	done
	echo "--- screen ---" >&2; tui_screen >&2
	fail "the screen never showed '$want' within ${secs}s"
}
# tui_gone TEXT [SECONDS] — until TEXT is no longer on screen.
tui_gone() {
	local want=$1 secs=${2:-10} i=0
	while [ $i -lt $((secs * 20)) ]; do
		if ! tui_screen | grep -qF -- "$want"; then return 0; fi
		sleep 0.05; i=$((i + 1))
	done
	echo "--- screen ---" >&2; tui_screen >&2
	fail "the screen still shows '$want' after ${secs}s"
}
fixture() { python3 "$ZPUB_SRC/tests/lib/tui_fixture.py" "$ZPUB_HOME/zpub.db" "$@"; }
# tui_click COL ROW [2] — a left click (double with 2) as the xterm mouse
# protocol sends it; zero-based cell coordinates.
tui_click() {
	local seq
	seq=$(python3 -c 'import sys
x, y, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
m = lambda b: "\x1b[M" + chr(32 + b) + chr(33 + x) + chr(33 + y)
sys.stdout.write((m(0) + m(3)) * n)' "$1" "$2" "${3:-1}")
	tmx send-keys -t z -l "$seq"
}
