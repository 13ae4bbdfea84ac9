#!/usr/bin/env bash
# bench/tui/screenshots.sh — screenshots of the terminal app's main screens
# for the README: a demo database, zpub driven through tmux in colour,
# each screen captured with its colours (capture-pane -e) and rendered to
# SVG by ansi2svg.py.
#
#   ZPUB=build/zpub bench/tui/screenshots.sh [OUTDIR]   (default assets/screens)
set -euo pipefail
ZPUB=${ZPUB:-build/zpub}
ZPUB=$(cd "$(dirname "$ZPUB")" && pwd)/$(basename "$ZPUB")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$SRC/assets/screens}
W=$(mktemp -d)
trap 'tmux -L zpub-shots-$$ kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/zpub-shots-$$"; rm -rf "$W"' EXIT
export ZPUB_HOME="$W/home"
unset NO_COLOR
mkdir -p "$OUT" "$ZPUB_HOME"
fx() { python3 "$SRC/tests/lib/tui_fixture.py" "$ZPUB_HOME/zpub.db" "$@"; }
"$ZPUB" list >/dev/null
fx bulk 2000
L=$(fx add "Квантовая механика, лекция 7 🎓" 5400000 TRANSCRIBED)
fx topics "$L" "$ZPUB_HOME/media/default/$L"
R=$(fx add "Операционные системы: планировщик" 4800000 DOWNLOADED)
fx progress "$R" PROCESSING 0.63 141000 "cutting video"
"$ZPUB" template add "Лекции" --match '{"title":"*лекция*","duration":{"min":"20m"}}' \
	--priority 10 >/dev/null 2>&1 || true

COLS=110 ROWS=30
tm() { tmux -L "zpub-shots-$$" -f /dev/null "$@"; }
tm -u new-session -d -s s -x $COLS -y $ROWS \
	"env LANG=C.UTF-8 TERM=xterm-256color ZPUB_HOME=$ZPUB_HOME $ZPUB; sleep 5"
tm set -g default-terminal xterm-256color 2>/dev/null || true
shot() { sleep 0.6; tm capture-pane -e -p -t s | python3 "$SRC/bench/tui/ansi2svg.py" $COLS $ROWS "zpub — $2" >"$OUT/$1.svg"; echo "$OUT/$1.svg"; }
sleep 0.8
tm send-keys -t s j j
shot browser "recordings"
tm send-keys -t s / ; tm send-keys -t s -l "квантовая"; tm send-keys -t s Enter
tm send-keys -t s Enter
shot detail "recording"
tm send-keys -t s t j + + ]
shot topics "topic editor"
tm send-keys -t s q y q q M x
shot templates "templates"
tm send-keys -t s q '?'
shot help "help"
