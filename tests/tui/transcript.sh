# The transcript screen (issue 22), at 80x24: W in the browser and in the
# recording screen lists the transcript's timed segments wrapped to the
# width, its text shown safely (an ESC from outside never reaches the
# terminal); `/` finds segments folding case and Ё, n/N step with "k/N";
# P plays the cut video from the selected segment; E shows a segment in
# the viewer, where `/` and n/N find too; E in the subtitle editor shows a
# cue in full; a recording with no transcript says so and opens nothing.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

"$ZPUB" list >/dev/null
cat >"$T/player" <<PLAYER
#!/bin/sh
printf '%s\n' "\$@" >"$T/player.args.tmp" && mv "$T/player.args.tmp" "$T/player.args"
PLAYER
chmod +x "$T/player"
"$ZPUB" config set ui.player "$T/player --start={seconds} {file}" >/dev/null

ID=$(fixture add "Лекция с расшифровкой" 600000 TRANSCRIBED)
NOTR=$(fixture add "Лекция без расшифровки" 600000 DOWNLOADED)
DIR="$ZPUB_HOME/media/default/$ID"
fixture cut "$ID" "$DIR" 600000
fixture subs "$ID" "$DIR"
# 40 segments 15 s apart: every fifth says "начнём" (8), the fourth is
# long with "метка" on three of its wrapped lines, the eighth carries an
# ESC sequence.
python3 - "$ZPUB_HOME/zpub.db" "$ID" "$DIR" <<'PY'
import json, os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); rec = int(sys.argv[2]); folder = sys.argv[3]
words = lambda a, b: " ".join("слово%d" % i for i in range(a, b))
segs = []
for k in range(40):
    if k % 5 == 0:
        text = "Сейчас мы начнём раздел %d" % k
    elif k == 3:
        text = ("Метка начала: " + words(1, 15) + " метка середины " + words(15, 29) +
                " и последняя метка, КОНЕЦ-ДЛИННОЙ-ФРАЗЫ")
    elif k == 7:
        text = "плохой \x1b[31mКРАСНЫЙ\x1b[0m текст"
    else:
        text = "обычная фраза номер %d" % k
    segs.append({"start_ms": k * 15000, "end_ms": k * 15000 + 14000, "text": text})
tr = {"engine": "fixture", "language": "ru", "timeline": "output", "duration_ms": 600000,
      "words": [], "segments": segs}
path = os.path.join(folder, "transcript.json")
with open(path, "w") as f:
    json.dump(tr, f, ensure_ascii=False)
db.execute("INSERT INTO artifacts (recording_id, kind, path, bytes, created_at) VALUES (?,?,?,?,?)",
           (rec, "transcript", os.path.relpath(path, os.path.dirname(sys.argv[1])),
            os.path.getsize(path), int(time.time() * 1000)))
db.commit()
PY

tui_start 80 24
tui_wait "1–2 of 2"

# No transcript: a message, no screen (W in the browser and in the recording).
tui_keys /
tui_type "без расшифровки"
tui_keys Enter
tui_wait "1–1 of 1"
tui_keys W
tui_wait "#$NOTR has no transcript yet"
tui_screen | grep -qF "Transcript #" && fail "no_transcript_message: a screen opened"
tui_keys Enter
tui_wait "#$NOTR  Лекция без расшифровки"
tui_keys W
tui_wait "#$NOTR has no transcript yet"
tui_screen | grep -qF " · recording" || fail "no_transcript_message: left the recording screen"
ok "no_transcript_message: W on a recording without a transcript says so and opens nothing"
tui_keys q
tui_wait "1–1 of 1"
tui_keys Escape
tui_wait "1–2 of 2"

# The transcript from the browser: timed segments, the long one wrapped
# whole, the ESC shown as text, the footer with ? at 80 columns.
tui_keys /
tui_type "с расшифровкой"
tui_keys Enter
tui_wait "1–1 of 1"
tui_keys W
tui_wait "Transcript #$ID Лекция с расшифровкой · ru · 40 segments"
tui_wait " · transcript"
tui_wait " 0:00:45  Метка начала"
tui_wait "КОНЕЦ-ДЛИННОЙ-ФРАЗЫ"
tui_screen | grep -qF "[31mКРАСНЫЙ" || fail "transcript_opens: the ESC sequence was not shown as text"
last=$(tui_screen | tail -1)
echo "$last" | grep -qF "? help" || fail "transcript_opens: footer lacks '? help': $last"
echo "$last" | grep -qF "/ search" || fail "transcript_opens: footer lacks '/ search': $last"
ok "transcript_opens: W lists the timed segments wrapped, ESC as text, ? in the 80x24 footer"

# Find: НАЧНЕМ folds to начнём, 8 hits; n/N step and wrap; P plays the hit.
tui_keys /
tui_wait "Find:"
tui_type "НАЧНЕМ"
tui_wait "Find (1/8): НАЧНЕМ"
tui_keys Enter
tui_wait "find “НАЧНЕМ”: 1/8"
tui_keys n
tui_wait "find “НАЧНЕМ”: 2/8"
tui_screen | tail -1 | grep -qF "n/N next hit" || fail "transcript_find: the footer does not say n/N"
tui_keys N N
tui_wait "find “НАЧНЕМ”: 8/8"
tui_wait " 0:08:45  Сейчас мы начнём раздел 35"
tui_keys P
for _ in $(seq 50); do [ -f "$T/player.args" ] && break; sleep 0.1; done
[ "$(sed -n 1p "$T/player.args" 2>/dev/null)" = "--start=525" ] ||
	fail "transcript_play: player args: $(cat "$T/player.args" 2>/dev/null)"
tui_wait "playing #$ID from 0:08:45"
tui_keys n
tui_wait "find “НАЧНЕМ”: 1/8"
tui_keys /
tui_keys C-u
tui_type "жжж"
tui_wait "Find (no hit): жжж"
tui_keys Enter
tui_wait "find “жжж”: no line has it"
tui_keys Escape
tui_wait "find cleared"
ok "transcript_find: НАЧНЕМ finds 8 начнём, n/N step with k/8, P plays from the hit"

# E on the long segment: the viewer, where / finds its wrapped lines.
tui_keys g j j j E
tui_wait " · full text"
tui_wait "#$ID, transcript at 0:00:45"
tui_keys /
tui_type "МЕТКА"
tui_wait "Find (1/3): МЕТКА"
tui_keys Enter
tui_keys n
tui_wait "find “МЕТКА”: 2/3"
tui_keys n n
tui_wait "find “МЕТКА”: 1/3"
tui_keys N
tui_wait "find “МЕТКА”: 3/3"
tui_keys Escape
tui_wait "find cleared"
ok "pager_find: / in the full text finds 3 wrapped lines, n/N step through them"
tui_keys q
tui_wait " · transcript"
tui_keys q
tui_wait "1–1 of 1"

# From the recording screen too; and E in the subtitle editor shows a cue whole.
tui_keys Enter
tui_wait "#$ID  Лекция с расшифровкой"
tui_keys W
tui_wait "Transcript #$ID"
tui_keys q
tui_wait " · recording"
tui_keys S
tui_wait "Subtitles #$ID"
tui_keys j E
tui_wait " · full text"
tui_wait "#$ID, cue 2 (0:00:04.000 → 0:00:07.000) in full"
tui_wait "Сегодня говорим"
tui_wait "о квантовой механике."
ok "subtitle_view: E in the subtitle editor shows the selected cue in full"
tui_keys q
tui_wait " · subtitles"
tui_keys Q
tui_wait "ZPUB-EXITED 0"
