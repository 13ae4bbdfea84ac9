# Subtitle timing in the editor: split a cue at the cursor (the time shared
# by characters), undo and redo the split, merge two cues, nudge a cue's end
# into the next one (refused, with the reason on screen), type a time (a
# refused one stays in the prompt), a soft rule marked on the cue, and the
# SRT and VTT files written with the right times on save.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

"$ZPUB" list >/dev/null
ID=$(fixture add "Cue timing" 600000 TRANSCRIBED)
DIR="$ZPUB_HOME/media/default/$ID"
fixture subs "$ID" "$DIR"
# cues: 1.000-3.500 "Добрый день, коллеги."
#       4.000-7.000 "Сегодня говорим|о квантовой механике."
#       7.500-10.000 "Начнём с опыта."

tui_start 120 30
tui_wait "Cue timing"
tui_keys S
tui_wait "Subtitles #$ID · ru (srt+vtt) · 3 cues"

# Split cue 2 before "о": 15 of 36 characters -> 4.000 + 3 s * 15/36 = 5.250,
# less half the 80 ms gap on each side.
tui_keys j b
tui_wait "Split at the cursor"
tui_keys Home
for i in $(seq 16); do tui_keys Right; done
tui_keys Enter
tui_wait "4 cues"
tui_wait "0:00:04.000 → 0:00:05.210  Сегодня говорим"
tui_wait "0:00:05.290 → 0:00:07.000  о квантовой механике."
tui_wait "undo 1 · redo 0"
ok "split at the cursor with the time divided by the text's share"

tui_keys u
tui_wait "3 cues"
tui_wait "0:00:04.000 → 0:00:07.000  Сегодня говорим|о квантовой механике."
tui_wait "undo 0 · redo 1"
tui_gone "unsaved changes"
tui_keys C-r
tui_wait "4 cues"
tui_wait "0:00:05.290 → 0:00:07.000  о квантовой механике."
ok "the split undone and redone"

# Merge cue 3 with cue 4.
tui_keys j m
tui_wait "3 cues"
tui_wait "0:00:05.290 → 0:00:10.000  о квантовой механике. Начнём с опыта."
ok "two cues merged"

# Cue 1's end +1 s runs into cue 2 (starts at 4.000): refused.
tui_keys g Tab
tui_wait "timing the end"
tui_keys ]
tui_wait "refused: cue 1 would overlap cue 2, which starts at 00:00:04.000"
tui_wait "0:00:01.000 → 0:00:03.500  Добрый день, коллеги."
ok "a nudge into the next cue is refused with the reason"

# Type the end: an overlapping time stays in the prompt with the reason.
tui_keys T
tui_wait "End (H:MM:SS.mmm):"
tui_keys C-u
tui_type "0:00:04.500"
tui_keys Enter
tui_wait "End (H:MM:SS.mmm) (cue 1 would overlap cue 2"
tui_wait "0:00:04.500"
tui_keys C-u
tui_type "0:00:03.800"
tui_keys Enter
tui_wait "0:00:01.000 → 0:00:03.800  Добрый день, коллеги."
tui_keys +
tui_wait "0:00:01.000 → 0:00:03.900  Добрый день, коллеги."
ok "a typed time, a refused one corrected in place, a 100 ms nudge"

# A soft rule is a warning on the cue: 15 characters in 0.7 s.
tui_keys j T C-u
tui_type "0:00:04.700"
tui_keys Enter
tui_wait "0:00:04.000 → 0:00:04.700  ⚠ 21 cps · ⚠ 0.7 s, short · Сегодня говорим"
tui_wait "1 cue read too fast, 1 too short"
tui_keys u
tui_wait "0:00:04.000 → 0:00:05.210  Сегодня говорим"
ok "reading speed and duration marked on the cue, and undone"

tui_keys w
tui_wait "ru subtitles saved"
want_srt='1
00:00:01,000 --> 00:00:03,900
Добрый день, коллеги.

2
00:00:04,000 --> 00:00:05,210
Сегодня говорим

3
00:00:05,290 --> 00:00:10,000
о квантовой механике. Начнём с опыта.'
want_vtt='WEBVTT

00:00:01.000 --> 00:00:03.900
Добрый день, коллеги.

00:00:04.000 --> 00:00:05.210
Сегодня говорим

00:00:05.290 --> 00:00:10.000
о квантовой механике. Начнём с опыта.'
same() { python3 -c 'import sys; sys.exit(0 if open(sys.argv[1]).read().strip() == sys.argv[2] else 1)' "$1" "$2"; }
same "$DIR/ru.srt" "$want_srt" || fail "ru.srt is not the edited track: $(cat "$DIR/ru.srt")"
same "$DIR/ru.vtt" "$want_vtt" || fail "ru.vtt is not the edited track: $(cat "$DIR/ru.vtt")"
sha=$(sha256sum "$DIR/ru.vtt" | cut -d' ' -f1)
got=$(sqlite3 "$ZPUB_HOME/zpub.db" "SELECT sha256 FROM artifacts WHERE recording_id=$ID AND path LIKE '%ru.vtt'")
[ "$sha" = "$got" ] || fail "artefact sha256 '$got' is not the file's '$sha'"
ok "SRT and VTT written with the split, merged and retimed cues"

# The keys are in the help.
tui_keys "?" G
tui_wait "undo an edit"
tui_wait "redo what was undone"
tui_wait "split the cue at the cursor in its text"
tui_wait "merge the cue with the next one"
tui_keys q
tui_wait "ru (srt+vtt) · 3 cues"
ok "? lists undo, redo, split and merge"

tui_keys q Q
tui_wait "ZPUB-EXITED 0"
