#!/bin/bash
# publish_resume_kill.sh — upload integrity: zpub is killed (SIGKILL) in the
# middle of a YouTube upload; the restarted `zpub publish` asks the saved
# session where it stands and goes on from the acknowledged byte, through
# connections dropped at random offsets; the fake ends with a byte-identical
# file and exactly one video.
. "$ZPUB_SRC/tests/fakes/net_e2e_lib.sh"
net_require_command publish
net_require_command auth

start_fake fake_google G
configure_google "$G"
sign_in youtube
"$ZPUB" config set output_targets '{"youtube":{"privacy":"private"},"folder":false}' >/dev/null
"$ZPUB" config set publish.chunk_bytes 262144 >/dev/null
"$ZPUB" config set publish.backoff_base_ms 50 >/dev/null

# about 2.5 MB of real video: ten chunks of 256 KiB
SRC="$T/lecture.mp4"
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=25 -f lavfi -i sine=frequency=440 \
	-t 20 -c:v libx264 -preset ultrafast -b:v 1M -c:a aac -shortest "$SRC" || fail "ffmpeg"
SIZE=$(stat -c %s "$SRC")
SHA=$(sha256sum "$SRC" | cut -d' ' -f1)
ID=$("$ZPUB" import "$SRC" | tail -n1)
sqlite3 "$ZPUB_HOME/zpub.db" "UPDATE recordings SET status='TRANSCRIBED' WHERE id=$ID"

received() {
	fake_state "$G" | json 'max([s["received"] for s in j["sessions"].values()] or [0])'
}

# a slow link, so the process can be killed between chunks
fake_faults "$G" '{"put_delay": 0.5}'
"$ZPUB" publish "$ID" >"$T/p1.out" 2>"$T/p1.err" &
PID=$!
for i in $(seq 300); do
	[ "$(received)" -ge 262144 ] && break
	sleep 0.05
done
{ kill -9 "$PID"; wait "$PID"; } 2>/dev/null || true
AT_KILL=$(received)
[ "$AT_KILL" -ge 262144 ] && [ "$AT_KILL" -lt $((SIZE / 2)) ] || fail "killed at $AT_KILL of $SIZE"
"$ZPUB" show "$ID" --json >"$T/show1.json"
[ "$(json '[p for p in j["publications"] if p["platform"]=="youtube"][0]["state"]' <"$T/show1.json")" = uploading ] \
	|| fail "publication not left uploading"

# restart, with the connection dropped at random offsets past the kill point
# (the chunk in flight when the process died may still have landed)
D1=$((SIZE / 2 + RANDOM % 100000))
D2=$((SIZE * 3 / 4 + RANDOM % 100000))
fake_faults "$G" "{\"put_delay\": 0, \"drop_at\": [$D1, $D2]}"
"$ZPUB" publish "$ID" >"$T/p2.out" 2>"$T/p2.err" || fail "resume failed: $(cat "$T/p2.err")"
grep -q READY "$T/p2.out" || fail "not READY: $(cat "$T/p2.out")"

fake_state "$G" >"$T/g.json"
[ "$(json 'j["insert_count"]' <"$T/g.json")" = 1 ] || fail "a second upload session was opened"
[ "$(json 'len(j["videos"])' <"$T/g.json")" = 1 ] || fail "more than one video"
[ "$(json 'j["videos"][0]["sha256"]' <"$T/g.json")" = "$SHA" ] || fail "uploaded bytes differ"
[ "$(json 'sum(1 for e in j["log"] if "dropped_at" in e)' <"$T/g.json")" -ge 1 ] || fail "no drop happened"
[ "$(json 'sum(1 for e in j["log"] if e.get("status_query"))' <"$T/g.json")" -ge 1 ] || fail "never asked the session"
# the dead process's last chunk may land after the new run's first query:
# one chunk out of step at most, put right by asking again
[ "$(json 'sum(1 for e in j["log"] if "bad_range" in e)' <"$T/g.json")" -le 1 ] || fail "chunks did not line up"
echo "ok"
