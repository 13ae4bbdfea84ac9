#!/usr/bin/env bash
# review_gate.sh — the editor's desk from a shell (issue 17): with
# publish.review = "required" a run stops at TRANSCRIBED with the review
# pending; `topics --show` prints the chapter lines, `topics --set` reads a
# hand-written list back (refusing a bad one with the line and the reason,
# the previous version staying current), `approve` lets it go, and the next
# run publishes exactly those chapters.  The daemon never publishes a held
# recording; `status --json` counts it; `play` starts the user's player.
. "$ZPUB_SRC/tests/lib/e2e.sh"

"$ZPUB" config set publish.review required >/dev/null
id=$("$ZPUB" import --title "ЛЕКЦИЯ о сортировке" "$ZPUB_SRC/assets/sample/lecture.mp4")

# A run stops at TRANSCRIBED: held, not failed, exit 0.
expect_rc 0 "$ZPUB" run "$id"
echo "$OUT" | grep -q "^$id TRANSCRIBED review pending$" || fail "run said: $OUT"
echo "$ERR" | grep -q "zpub approve $id" || fail "run does not say how to approve: $ERR"
expect_rc 0 "$ZPUB" show "$id" --json
[ "$(echo "$OUT" | jget status)" = TRANSCRIBED ] || fail "status: $OUT"
[ "$(echo "$OUT" | jget review)" = pending ] || fail "review: $OUT"
[ "$(echo "$OUT" | jget approved_by)" = None ] || fail "approved_by before approval: $OUT"
[ -z "$(ls "$ZPUB_HOME/published" 2>/dev/null)" ] || fail "something was published before review"
ok "run stops at TRANSCRIBED with the review pending"

# The queue, and the count in status.
expect_rc 0 "$ZPUB" list --review pending
echo "$OUT" | grep -q "^ *$id  TRANSCRIBED" || fail "list --review pending: $OUT"
expect_rc 0 "$ZPUB" status --json
[ "$(echo "$OUT" | jget review_pending)" = 1 ] || fail "status review_pending: $OUT"
expect_rc 2 "$ZPUB" list --review approved
# Search folds like the terminal app: lower case finds the upper-case title.
expect_rc 0 "$ZPUB" list --search "лекция"
echo "$OUT" | grep -q "^ *$id " || fail "list --search лекция did not find ЛЕКЦИЯ: $OUT"
ok "list --review pending and status --json show the queue"

# `zpub publish` is held too.
expect_rc 1 "$ZPUB" publish "$id"
echo "$ERR" | grep -q "waits for review" || fail "publish of a held recording: $ERR"
ok "publish refuses a recording held for review"

# The machine's chapters as lines.
expect_rc 0 "$ZPUB" topics "$id" --show
echo "$OUT" | head -1 | grep -qE '^00:00:00 .+' || fail "topics --show: $OUT"

# A malformed list: every problem with its line; nothing saved.
before=$("$ZPUB" show "$id" --json | jget review_version)
cat >"$T/bad.txt" <<'EOF'
00:00:05 Начало
00:00:30 Сортировка вставками
00:00:20 <b>Слияние</b>
EOF
expect_rc 1 "$ZPUB" topics "$id" --set "$T/bad.txt"
echo "$ERR" | grep -q "line 1: the first chapter starts at 00:00:05" || fail "line 1: $ERR"
echo "$ERR" | grep -q "line 3: .*'<'" || fail "line 3 title: $ERR"
echo "$ERR" | grep -q "line 3: 00:00:20 is not after the chapter before it (00:00:30, line 2)" ||
	fail "line 3 order: $ERR"
[ "$("$ZPUB" show "$id" --json | jget review_version)" = "$before" ] ||
	fail "a refused list made a new version"
printf '00:00:00 A\n99:00:00 B\n' | "$ZPUB" topics "$id" --set - 2>"$T/err" && fail "past the end accepted"
grep -q "after the end of the video" "$T/err" || fail "past the end: $(cat "$T/err")"
ok "a malformed chapter list is refused line by line and nothing is saved"

# A hand-written list through stdin becomes the newest version...
printf '00:00:00 Введение и план\n00:00:12 Insertion sort\n  00:00:22 Invariant\n00:00:32 Merge sort explained\n' \
	>"$T/good.txt"
expect_rc 0 "$ZPUB" topics "$id" --set - <"$T/good.txt"
echo "$OUT" | grep -q "topic version $((before + 1)) saved (4 chapters)" || fail "set: $OUT"
expect_rc 0 "$ZPUB" topics "$id" --show
[ "$OUT" = "$(cat "$T/good.txt")" ] || fail "show after set: $OUT"
# ...and a daemon tick does not publish it while it waits.
"$ZPUB" config set daemon.tick_ms 100 >/dev/null
"$ZPUB" --daemon --foreground >"$T/daemon.log" 2>&1 &
dpid=$!
sleep 2
kill -TERM $dpid
wait $dpid || true
[ -z "$(ls "$ZPUB_HOME/published" 2>/dev/null)" ] || fail "the daemon published a held recording"
[ "$("$ZPUB" show "$id" --json | jget status)" = TRANSCRIBED ] || fail "the daemon moved it"
ok "the daemon leaves a held recording alone"

# approve, then run: READY with exactly those chapters.
expect_rc 0 "$ZPUB" approve "$id"
echo "$OUT" | grep -q "$id topic version $((before + 1)) approved" || fail "approve: $OUT"
expect_rc 0 "$ZPUB" show "$id" --json
[ "$(echo "$OUT" | jget review)" = approved ] || fail "review after approve: $OUT"
echo "$OUT" | jget approved_by | grep -q "^cli:" || fail "approved_by: $OUT"
expect_rc 0 "$ZPUB" list --review pending
[ -z "$OUT" ] || fail "still in the queue after approval: $OUT"
expect_rc 0 "$ZPUB" audit --json
echo "$OUT" | grep -q "topics.approve" || fail "no audit row for the approval: $OUT"
expect_rc 0 "$ZPUB" run "$id"
echo "$OUT" | grep -q "^$id READY$" || fail "run after approve: $OUT"
desc="$ZPUB_HOME/published/$id/description.txt"
[ -f "$desc" ] || fail "no published description"
for line in "00:00 Введение и план" "00:12 Insertion sort" "00:22 – Invariant" "00:32 Merge sort explained"; do
	grep -qF "$line" "$desc" || fail "'$line' is not in the description: $(cat "$desc")"
done
[ "$(grep -cE '^[0-9]{2}:[0-9]{2} ' "$desc")" = 4 ] || fail "chapters: $(cat "$desc")"
ok "approve, then run: READY with exactly the editor's chapters"

# Nothing to approve: a sentence.
ffmpeg -v error -i "$ZPUB_SRC/assets/sample/lecture.mp4" -t 8 -c copy "$T/short.mp4"
id2=$("$ZPUB" import "$T/short.mp4")
[ "$id2" != "$id" ] || fail "the short copy was taken for the same recording"
expect_rc 1 "$ZPUB" approve "$id2"
echo "$ERR" | grep -q "no topics to approve yet" || fail "approve without topics: $ERR"
expect_rc 1 "$ZPUB" approve 999
expect_rc 2 "$ZPUB" approve x

# play: the cut video at a timecode, in a stand-in player that records its
# arguments (ui.player, no shell).
cat >"$T/player" <<EOF
#!/bin/sh
printf '%s\n' "\$@" > "$T/player.args.tmp" && mv "$T/player.args.tmp" "$T/player.args"
EOF
chmod +x "$T/player"
"$ZPUB" config set ui.player "$T/player --start={seconds} {file}" >/dev/null
expect_rc 0 "$ZPUB" play "$id" 00:00:25
for _ in $(seq 50); do [ -f "$T/player.args" ] && break; sleep 0.1; done
[ "$(sed -n 1p "$T/player.args")" = "--start=25" ] || fail "player args: $(cat "$T/player.args")"
sed -n 2p "$T/player.args" | grep -q "/media/.*cut.*\.mp4$" || fail "player file: $(cat "$T/player.args")"
expect_rc 2 "$ZPUB" play "$id" 1:2:3:4
expect_rc 1 "$ZPUB" play "$id" 10:00:00
echo "$ERR" | grep -q "past the end" || fail "play past the end: $ERR"
ok "play starts the user's player at the timecode"
echo "review_gate: all passed"
