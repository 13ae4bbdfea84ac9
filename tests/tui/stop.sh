# Stopping a running process stage from the terminal app: `r` starts a
# `zpub run` child, `z` asks first ('n' keeps it running, 'y' stops it) and
# the row goes back to DOWNLOADED, with a journal line naming tui:USER and
# no half-written file left; the help screen lists the key; `r` again takes
# the recording to READY.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }
WHO="tui:${USER:-$(id -un)}"

bash "$ZPUB_SRC/tests/lib/gen_stop.sh" "$T/long.mp4" 1800
ID=$("$ZPUB" import --title "Long lecture" "$T/long.mp4")
DIR=$ZPUB_HOME/media/default/$ID
row() { tui_screen | grep -F -- "Long lecture" || true; }
wait_row() { # wait_row PATTERN SECONDS
	local i=0
	until row | grep -q -- "$1"; do
		i=$((i + 1)); [ $i -lt $(($2 * 20)) ] || { tui_screen >&2; fail "the row never matched '$1'"; }
		sleep 0.05
	done
}
status() { sqlite3 "$ZPUB_HOME/zpub.db" "SELECT status FROM recordings WHERE id = $ID"; }

tui_start 120 30
tui_wait "Long lecture"
tui_keys '?'
tui_wait "this help"
tui_keys NPage
tui_wait "stop the running stage (asks first)"
tui_screen | grep -q "^ *z  *stop  *stop the running stage" || fail "the help line: $(tui_screen | grep stop)"
tui_keys q
tui_wait "Long lecture"

tui_keys r
wait_row "PROCESSING.*%" 60
tui_keys z
tui_wait "Stop the running stage of #$ID? It goes back to its last finished status. (y/N)"
tui_keys n
tui_wait "cancelled"
sleep 0.5
[ "$(status)" = PROCESSING ] || fail "'n' did not keep it running: $(status)"
ok "z asks first; 'n' keeps the stage running"

tui_keys z
tui_wait "Stop the running stage of #$ID"
tui_keys y
wait_row DOWNLOADED 20
[ "$(status)" = DOWNLOADED ] || fail "status after the stop: $(status)"
"$ZPUB" journal "$ID" | grep -q "PROCESSING -> DOWNLOADED: stopped by $WHO" ||
	fail "journal: $("$ZPUB" journal "$ID")"
"$ZPUB" audit | grep "$WHO" | grep -q "stop .*recording $ID" || fail "audit: $("$ZPUB" audit)"
left=$(find "$DIR" -name '*.tmp'); [ -z "$left" ] || fail "half-written files left: $left"
ok "z, y stopped the app's run: DOWNLOADED, journal and audit name $WHO, no *.tmp left"

tui_keys r
wait_row READY 240
ok "r after the stop takes it to READY"
tui_keys Q
tui_wait "ZPUB-EXITED 0"
