# The editor's desk in the terminal app (issue 17), on an 80-column
# terminal: the browser counts the recordings waiting for review and v
# lists them; the detail and the topic editor show what the new topic
# version changed (a moved and a retitled chapter); P plays the cut video
# from the selected topic or subtitle cue in the user's player (a stand-in
# that records its arguments) without blocking the app; a asks before it
# approves (n leaves the recording held, y lets it go) and the recording
# leaves the queue.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
command -v tmux >/dev/null || { echo "SKIP: no tmux"; exit 0; }

"$ZPUB" list >/dev/null                       # creates the database
"$ZPUB" config set publish.review required >/dev/null
cat >"$T/player" <<PLAYER
#!/bin/sh
printf '%s\n' "\$@" >"$T/player.args.tmp" && mv "$T/player.args.tmp" "$T/player.args"
PLAYER
chmod +x "$T/player"
"$ZPUB" config set ui.player "$T/player --start={seconds} {file}" >/dev/null
# review is rebindable like every action: V as well as v
"$ZPUB" config set ui.keys '{"review": "V"}' >/dev/null

NOCUT=$(fixture add "Лекция без видео" 600000 READY)
fixture add "Готовая лекция" 600000 READY >/dev/null
ID=$(fixture add "Лекция на проверке" 3600000 TRANSCRIBED)
DIR="$ZPUB_HOME/media/default/$ID"
fixture topics "$ID" "$DIR"                   # v1: 0:00 / 15:00 / 30:00 detail / 45:00
fixture cut "$ID" "$DIR" 3600000
fixture subs "$ID" "$DIR"
fixture hold "$ID"
# v2 from the shell: "Пример" moved to 0:20:00, "Итоги" retitled.
printf '00:00:00 Введение\n00:15:00 Основная часть\n  00:20:00 Пример\n00:45:00 Выводы\n' \
	>"$T/v2.txt"
expect_rc 0 "$ZPUB" topics "$ID" --set "$T/v2.txt"
expect_rc 0 "$ZPUB" list --review pending
echo "$OUT" | grep -q "^ *$ID  TRANSCRIBED" || fail "list --review pending: $OUT"

tui_start 80 30
tui_wait "of 3 · status: all"
tui_wait "1 waiting for review"
ok "the browser counts the recording waiting for review"

tui_keys V
tui_wait "1–1 of 1 · status: waiting for review"
tui_wait "Лекция на проверке"
tui_gone "Готовая лекция"
ok "the review queue lists the held recording alone"

tui_keys Enter
tui_wait "#$ID  Лекция на проверке"
tui_wait "Review:    waits for approval before publishing (a approves)"
tui_wait "Changes in v2 from v1:"
tui_wait "~ 0:30:00 → 0:20:00  Пример"
tui_wait "~ 0:45:00  Итоги → Выводы"
ok "the detail shows the review and what version 2 changed"

tui_keys t
tui_wait "v2 · 4 topics"
tui_wait "Description preview"
tui_keys C
tui_wait "Changes in v2 from v1"
tui_wait "~ 0:30:00 → 0:20:00  Пример"
tui_wait "~ 0:45:00  Итоги → Выводы"
tui_gone "Description preview"
tui_screen | awk 'length > 80 { exit 1 }' || fail "a line is wider than 80 columns"
ok "the topic editor shows the moved and the retitled chapter"

# P on the topic at 0:15:00: the stand-in player gets the time and the cut video.
tui_keys j
tui_wait "0:15:00  main   Основная часть"
tui_keys P
for _ in $(seq 50); do [ -f "$T/player.args" ] && break; sleep 0.1; done
[ -f "$T/player.args" ] || fail "the player was not started: $(tui_screen)"
[ "$(sed -n 1p "$T/player.args")" = "--start=900" ] || fail "player args: $(cat "$T/player.args")"
sed -n 2p "$T/player.args" | grep -q "/media/default/$ID/cut\.mp4$" ||
	fail "player file: $(cat "$T/player.args")"
tui_wait "playing #$ID from 0:15:00 in player"
rm -f "$T/player.args"
tui_keys k
tui_wait "v2 · 4 topics"
ok "P plays the cut video from the topic's time and the app goes on"

# Approve from the detail: n keeps it held, y approves version 2.
tui_keys q
tui_wait "Review:    waits for approval"
tui_keys a
tui_wait "Approve topic version 2 of #$ID 'Лекция на проверке'? (y/N)"
tui_keys n
tui_wait "cancelled"
expect_rc 0 "$ZPUB" show "$ID" --json
[ "$(echo "$OUT" | jget review)" = pending ] || fail "review after n: $OUT"
expect_rc 0 "$ZPUB" list --review pending
echo "$OUT" | grep -q "^ *$ID  TRANSCRIBED" || fail "n took it out of the queue: $OUT"
ok "n leaves the recording held"

tui_keys a
tui_wait "Approve topic version 2 of #$ID"
tui_keys y
tui_wait "#$ID topic version 2 approved; it left the review queue"
tui_wait "Review:    topic version 2 approved by tui:"
expect_rc 0 "$ZPUB" show "$ID" --json
[ "$(echo "$OUT" | jget review)" = approved ] || fail "review after y: $OUT"
[ "$(echo "$OUT" | jget review_version)" = 2 ] || fail "approved version: $OUT"
echo "$OUT" | jget approved_by | grep -q "^tui:" || fail "approved_by: $OUT"
expect_rc 0 "$ZPUB" list --review pending
[ -z "$OUT" ] || fail "list --review pending after approval: $OUT"
ok "y approves version 2 through the engine"

tui_keys q
tui_wait "Nothing waits for review."
tui_keys v
tui_wait "of 3 · status: all"
tui_gone "1 waiting for review"
ok "the recording left the queue and the count"

# Unsaved edits: a saves them as a new version and approves that, after asking.
tui_keys t
tui_wait "v2 approved"
tui_keys e C-u
tui_type "Начало"
tui_keys Enter
tui_wait "unsaved changes"
tui_keys a
tui_wait "Save as a new version and approve it for #$ID 'Лекция на проверке'? (y/N)"
tui_keys y
tui_wait "#$ID topic version 3 approved for publishing"
tui_wait "v3 approved"
expect_rc 0 "$ZPUB" show "$ID" --json
[ "$(echo "$OUT" | jget review_version)/$(echo "$OUT" | jget review)" = 3/approved ] ||
	fail "after save and approve: $OUT"
tui_keys q
tui_wait "of 3 · status: all"
ok "a on unsaved edits saves version 3 and approves it"

# P on a subtitle cue: its start time.
tui_keys /
tui_type "на проверке"
tui_keys Enter
tui_wait "1–1 of 1"
tui_keys S
tui_wait "Subtitles #$ID · ru"
tui_keys j P
for _ in $(seq 50); do [ -f "$T/player.args" ] && break; sleep 0.1; done
[ "$(sed -n 1p "$T/player.args" 2>/dev/null)" = "--start=4" ] ||
	fail "player args from a cue: $(cat "$T/player.args" 2>/dev/null)"
tui_wait "playing #$ID from 0:00:04"
ok "P plays from the subtitle cue's start"

# No cut video yet: said, nothing started.
rm -f "$T/player.args"
tui_keys q Escape
tui_wait "of 3 · status: all"
tui_keys /
tui_type "без видео"
tui_keys Enter
tui_wait "1–1 of 1"
tui_keys P
tui_wait "#$NOCUT has no cut video yet: run it to PROCESSED first"
[ ! -f "$T/player.args" ] || fail "a player started without a cut video"
ok "P without a cut video says so"

tui_keys Escape '?'
tui_wait "Keys (change them with config ui.keys"
tui_wait "recordings waiting for review / all"
tui_wait "v/V"
tui_keys q Q
tui_wait "ZPUB-EXITED 0"
