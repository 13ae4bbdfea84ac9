# The terminal app's rough edges, one named check each: the topic editor
# checks chapters against the cut video (not the longer source), refuses a
# typed time past the end, and Q asks before it throws unsaved edits away;
# a template made in the app starts disabled, so it catches no import
# before it has rules.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

"$ZPUB" list >/dev/null                       # creates the database
# A 60 s source cut down to 32.6 s; topic 4 at 0:00:44 fits the source only.
ID=$(fixture add "Короткая лекция" 60000 TRANSCRIBED)
fixture cut "$ID" "$ZPUB_HOME/media/default/$ID" 32600
python3 - "$ZPUB_HOME/zpub.db" "$ID" <<'PY'
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); rec = int(sys.argv[2])
doc = {"topics": [{"start_ms": s, "level": "main", "title": t} for s, t in
                  ((0, "Начало"), (11000, "Середина"), (22000, "Пример"), (44000, "Итоги"))]}
db.execute("INSERT INTO topic_versions (recording_id, version, json, source, created_at)"
           " VALUES (?,?,?,?,?)", (rec, 1, json.dumps(doc, ensure_ascii=False), "extractive",
                                   int(time.time() * 1000)))
db.commit()
PY

tui_start 100 32
tui_wait "of 1"
tui_keys Enter
tui_wait "#$ID  Короткая лекция"
tui_keys t
tui_wait "v1 · 4 topics · length 0:00:32"
tui_wait "topic 4 starts at 00:00:44, after the end of the video (00:00:32)"
tui_screen | grep -qF "valid: YouTube chapters OK" && fail "topics_checked_against_cut_video: passed as valid"
ok "topics_checked_against_cut_video: a topic at 0:00:44 of a 32.6 s cut is invalid"

# Topic 2 (0:00:11): typing 5:00 is refused with a message, the time stays.
tui_keys j T C-u
tui_type "5:00"
tui_keys Enter
tui_wait "5:00 is past the end of the video (length 0:00:32)"
tui_wait "0:00:11  main   Середина"
# The refused time stays in the prompt for correction; Esc gives it up.
tui_wait "a topic starts at 0:00:31 at th"
tui_keys Escape
tui_gone "Time (H:MM:SS)"
tui_screen | grep -qF "unsaved changes" && fail "time_past_end_refused: the list changed"
ok "time_past_end_refused: 5:00 on a 32 s video is refused with a message, nothing changes"

# An edit, then Q: the question q asks, and n keeps the editor and the edit.
tui_keys +
tui_wait "0:00:12  main   Середина"
tui_wait "unsaved changes"
tui_keys Q
tui_wait "Quit and discard unsaved topic changes? (y/N)"
tui_keys n
tui_wait "cancelled"
tui_wait "0:00:12  main   Середина"
tui_screen | grep -qF "ZPUB-EXITED" && fail "quit_asks_before_discarding: exited"
ok "quit_asks_before_discarding: Q with unsaved topic edits asks; n stays"

# Templates: a new one starts disabled, and the app says so.
tui_keys q
tui_wait "Discard unsaved topic changes? (y/N)"
tui_keys y
tui_wait "#$ID  Короткая лекция"
tui_keys M
tui_wait "No templates yet"
tui_keys c
tui_wait "New template name:"
tui_type "Семинары"
tui_keys Enter
tui_wait "template 'Семинары' created disabled: set its matching_rules, then turn enabled on"
tui_wait "enabled            false"
en=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT enabled FROM templates WHERE name='Семинары'")
[ "$en" = 0 ] || fail "new_template_starts_disabled: enabled=$en in the store"
# Enabling it while its rules are still empty says what that means.
tui_keys k Enter
tui_wait "is enabled with no matching_rules: it applies to every new recording"
ok "new_template_starts_disabled: created disabled; enabling it with empty rules warns"

# Q without unsaved edits quits at once.
tui_keys Q
tui_wait "ZPUB-EXITED 0"
ok "quit_without_edits_quits"
