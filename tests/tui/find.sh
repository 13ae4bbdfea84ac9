# Find anything: `/` in the subtitles and in a recording's journal folds
# case and Ё as the browser's search does, n and N step through the hits
# with "k/N" on the message line; the status filter is picked from a
# menu (typed, Tab-completed) instead of cycling; and a file is imported
# from the app through a path prompt with Tab completion, the new
# recording selected.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }
command -v ffmpeg >/dev/null || { echo "SKIP: no ffmpeg"; exit 0; }

"$ZPUB" list >/dev/null
FAILED=$(fixture add "Сломанная запись" 60000 FAILED)
fixture add "Пропущенная запись" 60000 SKIPPED >/dev/null
ID=$(fixture add "Субтитры и журнал" 600000 TRANSCRIBED)
DIR="$ZPUB_HOME/media/default/$ID"
fixture subs "$ID" "$DIR"
python3 - "$ZPUB_HOME/zpub.db" "$ID" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); rec = int(sys.argv[2]); now = int(time.time() * 1000)
for i in range(12):
    msg = ("ЗАГРУЗКА части %d" % i) if i % 3 == 0 else ("обработка шага %d" % i)
    db.execute("INSERT INTO journal (recording_id, at, level, event, message) VALUES (?,?,?,?,?)",
               (rec, now - (12 - i) * 1000, "info", "fixture", msg))
db.commit()
PY

tui_start 100 30
tui_wait "1–3 of 3"

# Subtitles: "о" is in all three cues; n steps and wraps, N goes back.
tui_keys S
tui_wait "Subtitles #$ID · ru (srt+vtt) · 3 cues"
tui_keys /
tui_wait "Find:"
tui_type "О"
tui_wait "Find (1/3): О"
tui_keys Enter
tui_wait "find “О”: 1/3"
tui_keys n
tui_wait "find “О”: 2/3"
tui_keys n n
tui_wait "find “О”: 1/3"
tui_keys N
tui_wait "find “О”: 3/3"
ok "find_subtitles_steps: n and N step through 3 hits with the counter, wrapping"
# Ё folds to е, case folds: "НАЧНЕМ" finds "Начнём" — the only hit, selected.
tui_keys /
tui_keys C-u
tui_type "НАЧНЕМ"
tui_wait "Find (1/1): НАЧНЕМ"
tui_keys Enter
# The selected cue is the third; Enter there edits it with its text.
tui_keys e
tui_wait "Cue text: Начнём с опыта."
tui_keys Escape
tui_keys /
tui_keys C-u
tui_type "жжж"
tui_wait "Find (no hit): жжж"
tui_keys Enter
tui_wait "find “жжж”: no line has it"
tui_keys Escape
tui_wait "find cleared"
ok "find_subtitles_folds: НАЧНЕМ finds Начнём (case and Ё), a missing word says so"
tui_keys q
tui_wait "1–3 of 3"

# The journal in the recording's screen: 4 lines of 12 say "загрузка".
tui_keys g
tui_wait "Субтитры и журнал"
tui_keys Enter
tui_wait "#$ID  Субтитры и журнал"
tui_keys /
tui_type "загрузка"
tui_wait "Find (1/4): загрузка"
tui_keys Enter
tui_keys n
tui_wait "find “загрузка”: 2/4"
tui_screen | tail -1 | grep -qF "n/N next hit" || fail "find_journal_steps: the footer does not say n/N"
tui_keys n
tui_wait "find “загрузка”: 3/4"
tui_keys N N
tui_wait "find “загрузка”: 1/4"
# While a find is on, n is its key: no run was started.
tui_screen | grep -qF "run going" && fail "find_journal_steps: n started a run"
# Esc clears the find; then q goes back.
tui_keys Escape
tui_wait "find cleared"
ok "find_journal_steps: 4 journal hits stepped with n/N and counted"
tui_keys q
tui_wait "1–3 of 3"

# The status filter: a menu of groups; "fa" + Enter picks failed.
tui_keys f
tui_wait "Show recordings that are:"
tui_wait "waiting for review"
tui_type "fa"
tui_keys Enter
tui_wait "status: FAILED"
tui_wait "1–1 of 1"
tui_screen | grep -qF "Сломанная запись" || fail "status_filter_menu: the failed one is not shown"
tui_screen | grep -qF "Субтитры и журнал" && fail "status_filter_menu: a TRANSCRIBED one is shown"
ok "status_filter_menu: f, 'fa', Enter shows the failed recordings only"
# Typed with Tab: "sk" completes to "skipped" (the group and the status agree that far).
tui_keys f
tui_type "sk"
tui_keys Tab
tui_wait "Enter picks): skipped"
tui_keys Enter
tui_wait "status: SKIPPED"
tui_wait "Пропущенная запись"
tui_keys f
tui_type "al"
tui_keys Enter
tui_wait "status: all"
tui_wait "1–3 of 3"
ok "status_filter_typed: Tab completes 'sk' to skipped; 'al' is all again"

# Import from the app: c, a path typed with Tab, the new one selected.
mkdir -p "$T/in/лекции"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc=s=160x90:r=10:d=2" -f lavfi \
	-i "sine=frequency=440:duration=2" -shortest -c:v libx264 -c:a aac \
	"$T/in/лекции/новая_лекция.mp4" || fail "ffmpeg could not make the media file"
echo "not media" >"$T/in/лекции/notes.txt"
tui_keys c
tui_wait "Import file (Tab completes):"
tui_type "$T/in/ле"
tui_keys Tab
tui_wait "Import file (Tab completes): $T/in/лекции/"
tui_keys Tab
# the only media file there (notes.txt is not offered)
tui_wait "лекции/новая_лекция.mp4"
tui_keys Enter
tui_wait "imported as #" 60
NEW=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT max(id) FROM recordings")
[ "$NEW" -gt "$ID" ] || fail "import_from_app: no new recording (max id $NEW)"
tui_wait "imported as #$NEW"
tui_wait "1–4 of 4"
# Selected: Enter opens it.
tui_keys Enter
tui_wait "#$NEW  новая_лекция"
ok "import_from_app: Tab completes folder and file, the import runs, #$NEW is selected"
# A path that is no file is refused with a sentence.
tui_keys q c
tui_type "$T/in/nothing.mp4"
tui_keys Enter
tui_wait "is not a file: nothing imported"
ok "import_refuses_missing: a missing path is refused"
tui_keys Q
tui_wait "ZPUB-EXITED 0"
