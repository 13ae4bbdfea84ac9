# config_ui_keys.sh — `zpub config set ui.keys` knows the terminal app's
# actions and keys: an unknown action or key name is refused with the list
# (nothing saved), a key given to two actions is refused, and a rebinding
# that leaves an action with no key is saved with a warning naming it
# (exit 0); "=" replaces an action's defaults, and emptying one on purpose
# is not warned about.
. "$ZPUB_SRC/tests/lib/e2e.sh"

expect_rc 1 "$ZPUB" config set ui.keys '{"fly":"x"}'
echo "$ERR" | grep -qF "no action 'fly'; the actions are: up, down, page_up" || fail "unknown action: $ERR"
expect_rc 1 "$ZPUB" config set ui.keys.up 'k bogus'
echo "$ERR" | grep -qF "ui.keys.up: unknown key 'bogus' (key names: a character, ^X, enter" \
	|| fail "unknown key: $ERR"
expect_rc 1 "$ZPUB" config set ui.keys '{"up":"x","down":"x"}'
echo "$ERR" | grep -qF "key x is given to both 'up' and 'down'" || fail "clash: $ERR"
expect_rc 1 "$ZPUB" config get ui.keys
ok "unknown actions, unknown keys and clashes are refused, nothing saved"

expect_rc 0 "$ZPUB" config set ui.keys '{"down":"j n"}'
[ "$ERR" = "zpub: warning: 'run the next stage' (run_next) has no key left (n was given to 'down'); bind it with ui.keys" ] \
	|| fail "warning: '$ERR'"
expect_rc 0 "$ZPUB" config get ui.keys.down
[ "$OUT" = "j n" ] || fail "saved: $OUT"
ok "a key taken from an action's last is saved with a warning naming the action"

expect_rc 0 "$ZPUB" config set ui.keys.run_next 'N'
echo "$ERR" | grep -q "warning" && fail "run_next has N now, still warned: $ERR"
expect_rc 0 "$ZPUB" config set ui.keys.skip '='
[ -z "$ERR" ] || fail "emptying skip on purpose warned: $ERR"
ok "binding the action again or emptying one with '=' says nothing"
