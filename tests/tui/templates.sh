# The templates editor: create a template, give it matching rules (a bad
# rule is refused with a message naming the field; an operator's setting in
# processing_config is refused naming the key), see which recordings
# it matches, and delete it after a confirmation.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

"$ZPUB" list >/dev/null
fixture bulk 40
Q1=$(fixture add "Квантовая физика 1" 3600000 DOWNLOADED)
Q2=$(fixture add "квантовая физика 2" 3600000 READY)
fixture add "Кванты (коротко)" 300000 READY >/dev/null

tui_start 110 36
tui_wait "of 43"
tui_keys M
tui_wait "No templates yet"
tui_keys c
tui_wait "New template name:"
tui_type "Квантовая"
tui_keys Enter
tui_wait "template 'Квантовая' created"
tui_wait "matching_rules     {}"
# Enter edits the selected field (matching_rules); a wrong rule first.
tui_keys Enter
tui_wait "matching_rules: {}"
tui_keys C-u
tui_type '{"colour":"red"}'
tui_keys Enter
tui_wait "matching_rules: unknown matching rule 'colour'"
tui_keys Enter C-u
tui_type '{"title":"квантовая*","duration":{"min":"10m"}}'
tui_keys Enter
tui_wait "matching_rules saved"
# processing_config goes through the same check as the CLI and the API: an
# operator's key (a service address that would receive the tenant's API key)
# is refused with the key named, and nothing is stored.
tui_keys Down Enter
tui_wait "processing_config: {}"
tui_keys C-u
tui_type '{"processing":{},"providers":{"transcription":{"base_url":"http://127.0.0.1:9/v1"}}}'
tui_keys Enter
tui_wait "providers.transcription.base_url is the operator"
pc=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT processing_config FROM templates WHERE name='Квантовая'")
[ "$pc" = "{}" ] || fail "the refused processing_config was stored: $pc"
ok "the editor refuses an operator key in processing_config, naming it"
tui_keys q x
tui_wait "matches 2 of 43"
tui_wait "$Q1  Квантовая физика 1"
tui_wait "$Q2  квантовая физика 2"
tui_screen | grep -qF "Кванты (коротко)" && fail "the short recording should not match"
ok "created a template, a bad rule was refused naming the field, the test lists its 2 matches"
rules=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT matching_rules FROM templates WHERE name='Квантовая'")
echo "$rules" | grep -qF 'квантовая*' || fail "store has rules '$rules'"

tui_keys D
tui_wait "Delete template 'Квантовая'? (y/N)"
tui_keys y
tui_wait "No templates yet"
ok "deleted after y"
tui_keys q
tui_wait "of 43"
tui_keys Q
tui_wait "ZPUB-EXITED 0"
