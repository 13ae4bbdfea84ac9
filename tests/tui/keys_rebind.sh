# keys_rebind.sh — `zpub config set ui.keys '{"down":"j n"}'` (the README's
# example) adds j and n to "move down": the Down arrow still moves the
# cursor and so does j; "run the next stage" lost n, and the app says so
# at start-up in its message line, as config set said on stderr.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

"$ZPUB" list >/dev/null                       # creates the database
for w in один два три; do
	id=$(fixture add "Ключи $w" 60000 READY)
	echo "#$id  Ключи $w" >>"$T/heads"
done
expect_rc 0 "$ZPUB" config set ui.keys '{"down":"j n"}'
echo "$ERR" | grep -qF "'run the next stage' (run_next) has no key left (n was given to 'down'); bind it with ui.keys" \
	|| fail "config set did not warn about run_next: $ERR"

tui_start 160 24
tui_wait "1–3 of 3"
tui_wait "'run the next stage' (run_next) has no key left (n was given to 'down')"
ok "the message line names the action that lost its key"
# the titles top to bottom
order=$(tui_screen | grep -oE "Ключи (один|два|три)" | head -3)
second=$(echo "$order" | sed -n 2p); third=$(echo "$order" | sed -n 3p)
[ -n "$third" ] || fail "three rows expected: $(tui_screen)"
# the recording screen's head "#ID  title" tells which row was opened
tui_keys Down Enter
tui_wait "$(grep -F "$second" "$T/heads")"
tui_keys q
tui_wait "1–3 of 3"
ok "the Down arrow still moves down"
tui_keys j Enter
tui_wait "$(grep -F "$third" "$T/heads")"
tui_keys q
tui_wait "1–3 of 3"
ok "j moves down"
tui_keys Q
tui_wait "ZPUB-EXITED 0"
