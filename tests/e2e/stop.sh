# stop.sh — `zpub stop` stops a stage that another process runs: a `zpub
# run` busy in the process stage exits with a message naming who stopped it,
# the recording is back at DOWNLOADED (not FAILED) with a journal line and
# an audit row naming who, its lease is gone, nothing half-written is left
# in its folder and its source is intact.  A stopped recording stays put:
# `zpub run --all` and the daemon leave it alone.  A run whose process died
# (kill -9) is stopped at once by `zpub stop` itself.  Then `zpub run ID`
# takes it to READY on the offline defaults.  Bad ids and a recording with
# nothing running get clear messages.
. "$ZPUB_SRC/tests/lib/e2e.sh"
WHO="cli:${USER:-$(id -un)}"
dpid=; runpid=
cleanup() {
	[ -z "$dpid" ] || kill -9 "$dpid" 2>/dev/null || true
	[ -z "$runpid" ] || kill -9 "$runpid" 2>/dev/null || true
}
trap cleanup EXIT

bash "$ZPUB_SRC/tests/lib/gen_stop.sh" "$T/long.mp4" 1800
ID=$("$ZPUB" import --title "Long lecture" "$T/long.mp4")
DIR=$ZPUB_HOME/media/default/$ID
[ -f "$DIR/source.mp4" ] || fail "no source at $DIR/source.mp4"
SUM=$(sha256sum "$DIR/source.mp4" | cut -d' ' -f1)
# field KEY — of `zpub show ID --json` ("None" when null or absent).
field() { "$ZPUB" show "$ID" --json | python3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v.get(k)
print(v)' "$1"; }

# Nothing to stop, bad ids.
expect_rc 2 "$ZPUB" stop
expect_rc 2 "$ZPUB" stop abc
expect_rc 1 "$ZPUB" stop 99999
echo "$ERR" | grep -q "no recording" || fail "stop of a missing id: $ERR"
expect_rc 1 "$ZPUB" stop "$ID"
echo "$ERR" | grep -q "DOWNLOADED: no stage of it is running, so there is nothing to stop" ||
	fail "stop with nothing running: $ERR"
ok "bad ids and a recording with nothing running get clear messages"

# until_processing PID — waits for the recording to be PROCESSING with progress.
until_processing() {
	local i=0
	until [ "$(field status)" = PROCESSING ] && [ "$(field progress)" != None ]; do
		kill -0 "$1" 2>/dev/null || fail "the run ended before it was stopped: $(cat "$T/run.err")"
		i=$((i + 1)); [ $i -lt 600 ] || fail "never PROCESSING"
		sleep 0.1
	done
}

"$ZPUB" run "$ID" >"$T/run.out" 2>"$T/run.err" &
runpid=$!
until_processing $runpid
expect_rc 1 "$ZPUB" delete "$ID"
echo "$ERR" | grep -q "stop it first ('zpub stop $ID --wait'" || fail "delete while running: $ERR"
t0=$(date +%s%N)
expect_rc 0 "$ZPUB" stop "$ID" --wait
t1=$(date +%s%N)
[ "$OUT" = "$ID DOWNLOADED stopped" ] || fail "zpub stop --wait said: $OUT / $ERR"
set +e; wait $runpid; rrc=$?; set -e; runpid=
[ $rrc = 1 ] || fail "the stopped run exited $rrc: $(cat "$T/run.err")"
grep -q "recording $ID: process stopped by $WHO; it is DOWNLOADED again" "$T/run.err" ||
	fail "the run's message: $(cat "$T/run.err")"
ok "the run in the other process stopped in $(( (t1 - t0) / 1000000 )) ms and said who stopped it"

[ "$(field status)" = DOWNLOADED ] || fail "status after the stop: $(field status)"
[ "$(field stopped_by)" = "$WHO" ] || fail "stopped_by: $(field stopped_by)"
[ "$(field attempts)" = 0 ] || fail "a stop counted as a failed attempt"
[ "$(field stages.0.state)" = interrupted ] || fail "the run: $(field stages.0.state)"
python3 - "$ZPUB_HOME/zpub.db" "$ID" <<'PY' || fail "the lease is still held"
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("SELECT lease_owner, lease_until FROM recordings"
    " WHERE id = ?", (int(sys.argv[2]),)).fetchone()
assert r[0] is None and r[1] == 0, r
PY
"$ZPUB" journal "$ID" >"$T/journal"
grep -q "PROCESSING -> DOWNLOADED: stopped by $WHO" "$T/journal" || fail "journal: $(cat "$T/journal")"
grep -q "$WHO asked to stop PROCESSING" "$T/journal" || fail "journal: $(cat "$T/journal")"
"$ZPUB" audit >"$T/audit"
grep "$WHO" "$T/audit" | grep -q "stop .*recording $ID" || fail "audit: $(cat "$T/audit")"
left=$(find "$DIR" -name '*.tmp')
[ -z "$left" ] || fail "half-written files left: $left"
[ "$(sha256sum "$DIR/source.mp4" | cut -d' ' -f1)" = "$SUM" ] || fail "the source changed"
ok "DOWNLOADED again, lease released, journal and audit name $WHO, no *.tmp left, source intact"

expect_rc 1 "$ZPUB" stop "$ID"
echo "$ERR" | grep -q "nothing runs ($WHO stopped it" || fail "a second stop: $ERR"

# The stop holds: `zpub run --all` and the daemon leave it alone.
expect_rc 0 "$ZPUB" run --all --until PROCESSED
[ "$(field status)" = DOWNLOADED ] || fail "run --all took the stopped recording: $(field status)"
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
"$ZPUB" --daemon --foreground 2>"$T/daemon.log" &
dpid=$!
sleep 3
[ "$(field status)" = DOWNLOADED ] || fail "the daemon restarted the stopped recording: $(field status)"
kill "$dpid"; wait "$dpid" 2>/dev/null || true; dpid=
ok "a stopped recording stays DOWNLOADED: run --all and the daemon leave it alone"

# A run whose process is gone: `zpub stop` finishes the stop itself.
"$ZPUB" run "$ID" >"$T/run2.out" 2>"$T/run2.err" &
runpid=$!
until_processing $runpid
grep -q "the stop by $WHO is lifted" <("$ZPUB" journal "$ID") || fail "the run did not lift the stop"
kill -9 $runpid; wait $runpid 2>/dev/null || true; runpid=
[ "$(field status)" = PROCESSING ] || fail "after kill -9: $(field status)"
echo half >"$DIR/cut.mp4.tmp"      # what a killed cut leaves behind
expect_rc 0 "$ZPUB" stop "$ID"
[ "$OUT" = "$ID DOWNLOADED stopped" ] || fail "stop of a dead run: $OUT / $ERR"
[ ! -e "$DIR/cut.mp4.tmp" ] || fail "the dead run's cut.mp4.tmp is still there"
[ "$(field status)" = DOWNLOADED ] || fail "status: $(field status)"
ok "a run killed with -9 is stopped at once by zpub stop, its half-written file removed"

# And it goes on to READY.
expect_rc 0 "$ZPUB" run "$ID"
[ "$OUT" = "$ID READY" ] || fail "the run after the stop: $OUT / $ERR"
[ "$(field stopped_by)" = None ] || fail "still marked stopped: $(field stopped_by)"
ok "zpub run after the stop reaches READY"
