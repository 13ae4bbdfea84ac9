# Editing that forgives, in the topic editor: three edits, undo all three,
# redo one, save -> the new topic version holds exactly the redone state;
# `i` given up with Esc leaves no empty "New topic"; an insert is one step.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

"$ZPUB" list >/dev/null
ID=$(fixture add "Undo lecture" 3600000 TRANSCRIBED)
fixture topics "$ID" "$ZPUB_HOME/media/default/$ID"

tui_start 120 32
tui_wait "Undo lecture"
tui_keys t
tui_wait "v1 · 4 topics"

# Three edits on topic 2 (0:15:00 main "Основная часть").
tui_keys j +
tui_wait "0:15:01  main   Основная часть"
tui_keys e C-u
tui_type "Теория"
tui_keys Enter
tui_wait "0:15:01  main   Теория"
tui_keys Tab
tui_wait "0:15:01  detail   Теория"
tui_wait "undo 3 · redo 0"
tui_wait "unsaved changes"
ok "three edits, three undo steps counted"

tui_keys u
tui_wait "0:15:01  main   Теория"
tui_wait "undo 2 · redo 1"
tui_keys u
tui_wait "0:15:01  main   Основная часть"
tui_keys u
tui_wait "0:15:00  main   Основная часть"
tui_wait "undo 0 · redo 3"
tui_gone "unsaved changes"
tui_keys u
tui_wait "nothing to undo"
ok "undone three times: back to version 1, nothing unsaved"

tui_keys U
tui_wait "0:15:01  main   Основная часть"
tui_wait "undo 1 · redo 2"
tui_wait "unsaved changes"
ok "redone one"

tui_keys w
tui_wait "saved as version 2"
json=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT json FROM topic_versions WHERE recording_id=$ID AND version=2")
python3 - "$json" <<'PY' || fail "version 2 is not the redone state: $json"
import json, sys
t = [(x["start_ms"], x.get("level", "main"), x["title"]) for x in json.loads(sys.argv[1])["topics"]]
want = [(0, "main", "Введение"), (901000, "main", "Основная часть"),
        (1800000, "detail", "Пример"), (2700000, "main", "Итоги")]
sys.exit(0 if t == want else 1)
PY
ok "saved version 2 holds exactly the redone state"

# i then Esc: no empty topic left behind, nothing to save.
tui_keys i
tui_wait "Title:"
tui_wait "5 topics"
tui_keys Escape
tui_wait "v2 · 4 topics"
tui_gone "New topic"
tui_gone "unsaved changes"
tui_keys w
tui_wait "no changes since version 2"
ok "i cancelled with Esc leaves no topic"

# An insert with its title is one step back.
tui_keys i
tui_wait "Title:"
tui_type "Вопросы"
tui_keys Enter
tui_wait "5 topics"
tui_wait "Вопросы"
tui_keys u
tui_wait "v2 · 4 topics"
tui_gone "Вопросы"
tui_gone "unsaved changes"
ok "an insert is undone in one step"

# A refused typed time stays in the prompt with the reason.
tui_keys g j T C-u
tui_type "9:99:99x"
tui_keys Enter
tui_wait "is not a time"
tui_wait "9:99:99x"
tui_keys C-u
tui_type "0:15:30"
tui_keys Enter
tui_wait "0:15:30  main   Основная часть"
ok "a refused time is kept for correction"

tui_keys q
tui_wait "Discard unsaved topic changes?"
tui_keys y Q
tui_wait "ZPUB-EXITED 0"
