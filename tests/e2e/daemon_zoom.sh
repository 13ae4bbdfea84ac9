# daemon_zoom.sh — a zoom job on a short schedule in a real daemon, against
# the loopback fake Zoom: `job run --dry-run` lists the meetings' files and
# writes nothing; the daemon syncs, applies templates (a rule may SKIP),
# downloads every recording to its job's goal (action "sync": DOWNLOADED)
# and later runs of the schedule create no duplicates.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"
sql() { python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1], timeout=10); print("\n".join("|".join(str(x) for x in r) for r in c.execute(sys.argv[2])))' "$ZPUB_HOME/zpub.db" "$1"; }

make_mp4 "$T/lecture.mp4" 3
zoom_fake_start "$T/zoom" --months 2 --per-month 3 --media "$T/lecture.mp4" --faults html200:2,html200:3
"$ZPUB" config set pipeline.retry_base_ms 300 >/dev/null
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
expect_rc 0 "$ZPUB" job add zoom --schedule "every 2s" --source zoom --action sync \
	--config '{"days": 150}'

# The first call fetches Zoom's access token into the vault (a credential
# write that zoom_sync does even when dry); from then on a dry run writes nothing.
expect_rc 0 "$ZPUB" job run zoom --dry-run
expect_rc 0 "$ZPUB" list
before=$(cd "$ZPUB_HOME" && find . -type f ! -name zpub.log -print0 | sort -z | xargs -0 sha256sum)
expect_rc 0 "$ZPUB" job run zoom --dry-run --json
echo "$OUT" >"$T/dry.json"
after=$(cd "$ZPUB_HOME" && find . -type f ! -name zpub.log -print0 | sort -z | xargs -0 sha256sum)
[ "$before" = "$after" ] || fail "dry run changed files"
n=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["dry_run"]; print(r["would_import"])' "$T/dry.json")
[ "$n" -ge 4 ] || fail "dry run found too little: $(cat "$T/dry.json")"
ok "dry run: $n Zoom files would be imported; nothing written"

"$ZPUB" --daemon --foreground 2>"$T/daemon.log" &
dpid=$!
trap 'kill -9 $dpid 2>/dev/null || true; zoom_fake_stop' EXIT
for _ in $(seq 1 150); do
	got=$(sql "SELECT COUNT(*), SUM(status='DOWNLOADED') FROM recordings")
	[ "$got" = "$n|$n" ] && break
	sleep 0.2
done
[ "$got" = "$n|$n" ] || fail "daemon: $got of $n downloaded: $(sql 'SELECT id,status,detail FROM recordings'); $(tail -20 "$T/daemon.log")"
ok "the daemon synced and downloaded $n recordings (goal DOWNLOADED, nothing processed)"
sleep 4   # two more runs of the schedule
[ "$(sql 'SELECT COUNT(*) FROM recordings')" = "$n" ] || fail "later syncs made duplicates"
[ "$(sql "SELECT COUNT(*) FROM stage_runs WHERE stage='process'")" = 0 ] || fail "went past the job's goal"
expect_rc 0 "$ZPUB" job show zoom
echo "$OUT" | jget last_result | grep -q "imported 0, $n existing" || fail "last_result: $OUT"
ok "later runs of the schedule create no duplicates"

# Retries: a FAILED recording whose next_retry_at comes is taken back to
# its failed stage's input and run again; one without a retry time waits
# for 'zpub retry'.
python3 - "$ZPUB_HOME/zpub.db" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], timeout=10); now = int(time.time() * 1000)
c.execute("DELETE FROM artifacts WHERE recording_id IN (1, 2)")
c.execute("UPDATE recordings SET status='FAILED', failed_stage='download', retry_status='INITIALIZED',"
          " attempts=1, detail='test: network down', next_retry_at=? WHERE id=1", (now + 5000,))
c.execute("UPDATE recordings SET status='FAILED', failed_stage='download', retry_status='INITIALIZED',"
          " attempts=5, detail='test: gave up', next_retry_at=NULL WHERE id=2")
c.commit()
PY
sleep 0.8
[ "$(sql 'SELECT status FROM recordings WHERE id=1')" = FAILED ] || fail "retried before its time"
for _ in $(seq 1 150); do [ "$(sql 'SELECT status FROM recordings WHERE id=1')" = DOWNLOADED ] && break; sleep 0.2; done
[ "$(sql 'SELECT status FROM recordings WHERE id=1')" = DOWNLOADED ] || fail "not retried: $(sql 'SELECT id,status,detail FROM recordings WHERE id=1')"
[ "$(sql 'SELECT status FROM recordings WHERE id=2')" = FAILED ] || fail "a recording without a retry time was retried"
grep -q "recording 1: retrying download" "$T/daemon.log" || fail "no retry logged"
kill -TERM $dpid; wait $dpid || fail "daemon exit $?"
ok "a due retry runs again at its failed stage; one without a retry time waits"
