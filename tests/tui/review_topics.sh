# The lecturer's review in the terminal app, driven through tmux: open,
# search a Cyrillic title, open the recording, edit two topic times and a
# title, save, approve and see the description preview change; then make
# the window too small and back.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

"$ZPUB" list >/dev/null                       # creates the database
fixture bulk 300
ID=$(fixture add "Квантовая механика: Ёлки 🎄" 3600000 TRANSCRIBED)
fixture topics "$ID" "$ZPUB_HOME/media/default/$ID"

tui_start 100 32
tui_wait "of 301"
ok "opens on the recordings browser with all 301 recordings"

# Incremental search, lower case against a capitalised Cyrillic title with Ё.
tui_keys /
tui_type "квантовая механика: ёл"
tui_wait "1–1 of 1"
tui_wait "Квантовая механика: Ёлки"
tui_keys Enter
ok "search finds the Cyrillic title"

tui_keys Enter
tui_wait "#$ID  Квантовая механика"
tui_wait "Topic versions"
tui_wait "v1   extractive"
ok "opens the recording's detail"

tui_keys t
tui_wait "v1 · 4 topics"
tui_wait "Description preview"
tui_wait "15:00 Основная часть"
tui_wait "45:00 Итоги"
before=$(tui_screen)
ok "topic editor shows version 1 and the preview"

# Topic 2 (0:15:00) +3 s +10 s -> 0:15:13; topic 4 (0:45:00) -1 s -> 0:44:59.
tui_keys j + + + ]
tui_wait "0:15:13  main   Основная часть"
tui_keys j j -
tui_wait "0:44:59  main   Итоги"
tui_keys e C-u
tui_type "Выводы и вопросы"
tui_keys Enter
tui_wait "0:44:59  main   Выводы и вопросы"
tui_wait "15:13 Основная часть"
tui_wait "44:59 Выводы и вопросы"
tui_wait "unsaved changes"
after=$(tui_screen)
[ "$before" != "$after" ] || fail "the preview did not change"
echo "$after" | grep -qF "45:00 Итоги" && fail "the preview still shows the old chapter"
ok "nudged two times and renamed a topic; the preview follows"

tui_keys w
tui_wait "saved as version 2"
tui_wait "v2 · 4 topics"
tui_keys a
tui_wait "Approve topic version 2 of #$ID 'Квантовая механика: Ёлки"
tui_keys y
tui_wait "version 2 approved"
tui_wait "v2 approved"
row=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT version, approved_by IS NOT NULL, source FROM topic_versions WHERE recording_id=$ID ORDER BY version DESC LIMIT 1")
[ "$row" = "2|1|editor" ] || fail "store has '$row' for the newest topic version, wanted 2|1|editor"
json=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT json FROM topic_versions WHERE recording_id=$ID AND version=2")
echo "$json" | grep -q '"start_ms":\s*913000' || fail "saved JSON lacks 913000: $json"
echo "$json" | grep -q '"start_ms":\s*2699000' || fail "saved JSON lacks 2699000: $json"
echo "$json" | grep -qF 'Выводы и вопросы' || fail "saved JSON lacks the new title: $json"
ok "saved as version 2 and approved; the store has the edits"

# Too small, then back.
tmx resize-window -t z -x 40 -y 8
tui_wait "Terminal too small: 40x8"
tmx resize-window -t z -x 100 -y 32
tui_wait "v2 approved"
tui_wait "44:59 Выводы и вопросы"
ok "resizing to 40x8 shows the minimum-size message and back restores the editor"

# Back to the detail (journal has the save), back to the browser, help, quit.
tui_keys q
tui_wait "v2   editor"
tui_keys q
tui_wait "1–1 of 1"
tui_keys '?'
tui_wait "Keys (change them with config ui.keys"
tui_keys q
tui_keys Q
tui_wait "ZPUB-EXITED 0"
ok "q goes back, Q quits with status 0"
