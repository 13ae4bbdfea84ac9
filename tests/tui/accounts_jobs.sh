# Accounts, jobs and usage screens: an API key typed into the masked line
# is stored encrypted and never shown; a job's dry run shows what it would
# do; usage shows this month's cost.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

mkdir -p "$T/drop"
"$ZPUB" config set jobs.watch_roots "{\"*\": [\"$T/drop\"]}" >/dev/null
expect_rc 0 "$ZPUB" job add dropbox --schedule "every 10m" --source watch --path "$T/drop"
sqlite3 "$ZPUB_HOME/zpub.db" "INSERT INTO usage (tenant_id, kind, provider, amount, cost, at)
  VALUES (1, 'transcription_minutes', 'fireworks', 42.5, 0.0383, CAST(strftime('%s','now') AS INTEGER) * 1000)"

tui_start 110 32
tui_wait "recordings"
tui_keys A
tui_wait "Transcription API key"
tui_keys j j j j j Enter
tui_wait "transcription (hidden):"
tui_type "sk-very-secret-42"
tui_wait "transcription (hidden): *****************"
tui_screen | grep -qF "sk-very-secret" && fail "the key is visible on screen"
tui_keys Enter
tui_wait "transcription stored encrypted"
tui_screen | grep -F "Transcription API key" | grep -q " set " || fail "row does not say set"
grep -qF "sk-very-secret" "$ZPUB_HOME/zpub.db" && fail "the key is in the database in the clear"
expect_rc 0 "$ZPUB" secret list
echo "$OUT" | grep -q transcription || fail "secret list lacks transcription: $OUT"
ok "API key typed masked, stored encrypted, never shown"

tui_keys q J
tui_wait "dropbox"
tui_wait "transcription_minutes/fireworks 42.5"
tui_wait "0.0383"
tui_keys x
tui_wait "Dry run of 'dropbox'"
tui_wait "would import"
ok "jobs list, dry-run preview and usage per month"
tui_keys Q
tui_wait "ZPUB-EXITED 0"
