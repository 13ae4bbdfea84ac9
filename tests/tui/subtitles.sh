# Correcting subtitle text: open a recording's subtitles, retype a cue
# (re-wrapped by the layout rules), refuse one too long, save, and find
# the SRT and VTT files rewritten with the artefact checksums updated.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

"$ZPUB" list >/dev/null
ID=$(fixture add "Субтитры: проверка" 600000 TRANSCRIBED)
DIR="$ZPUB_HOME/media/default/$ID"
fixture subs "$ID" "$DIR"

tui_start 100 24
tui_wait "Субтитры: проверка"
tui_keys S
tui_wait "Subtitles #$ID · ru (srt+vtt) · 3 cues"
tui_wait "0:00:04.000 → 0:00:07.000  Сегодня говорим|о квантовой механике."
tui_keys j e C-u
tui_type "Сегодня говорим о квантовой теории поля"
tui_keys Enter
tui_wait "unsaved changes"
tui_wait "квантовой теории поля"
tui_keys j e C-u
tui_type "$(printf 'очень длинный текст %.0s' 1 2 3 4 5 6)"
tui_keys Enter
tui_wait "too long for 2 lines of 39 characters"
# The refused line stays in the prompt, with the reason, for correction.
tui_wait "очень длинный текст очень"
tui_keys Escape
tui_keys w
tui_wait "ru subtitles saved"
grep -q "квантовой теории поля" "$DIR/ru.srt" || fail "ru.srt not rewritten: $(cat "$DIR/ru.srt")"
grep -q "квантовой теории поля" "$DIR/ru.vtt" || fail "ru.vtt not rewritten"
head -1 "$DIR/ru.vtt" | grep -q WEBVTT || fail "ru.vtt lost its header"
sha=$(sha256sum "$DIR/ru.srt" | cut -d' ' -f1)
got=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT sha256 FROM artifacts WHERE recording_id=$ID AND path LIKE '%ru.srt'")
[ "$sha" = "$got" ] || fail "artefact sha256 '$got' is not the file's '$sha'"
ok "a cue corrected, an overlong one refused, SRT and VTT rewritten, checksums updated"
tui_keys q Q
tui_wait "ZPUB-EXITED 0"
