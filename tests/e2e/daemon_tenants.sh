# daemon_tenants.sh — a real `zpub --daemon` with two tenants, each with a
# watch-folder job on a one-second schedule: recordings are imported, get
# their tenant's template and run through every stage this build has,
# without intervention; later runs of the schedule create no duplicates; a
# monthly-minutes quota holds back only the tenant that exceeds it (with
# the reason), and raising it lets the work go on.  Also: the lock file
# refuses a second daemon, SIGHUP reloads the config, SIGTERM exits in time.
. "$ZPUB_SRC/tests/lib/e2e.sh"
sql() { python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1], timeout=10); print("\n".join("|".join(str(x) for x in r) for r in c.execute(sys.argv[2])))' "$ZPUB_HOME/zpub.db" "$1"; }
RUNNING="'DOWNLOADING','PROCESSING','PREPARING','UPLOADING'"
# settled TENANT N: N recordings of TENANT, none running or waiting for a stage
settled() {
	local t=$1 n=$2 prev="" same=0 now
	for _ in $(seq 1 300); do
		now=$(sql "SELECT COUNT(*), GROUP_CONCAT(r.status), SUM(r.status IN ($RUNNING)) FROM recordings r JOIN tenants t ON t.id=r.tenant_id WHERE t.name='$t'")
		if [ "$now" = "$prev" ] && [ "${now%%|*}" = "$n" ] && [ "${now##*|}" = 0 ]; then
			same=$((same + 1)); [ $same -ge 6 ] && return 0
		else
			same=0
		fi
		prev=$now
		sleep 0.5
	done
	return 1
}

mkdir -p "$T/math" "$T/phys"
for i in 1 2 3; do make_mp4 "$T/math/Лекция $i.mp4" $((2 + i)); done
for i in 1 2 3; do make_mp4 "$T/phys/Lecture $i.mp4" $((5 + i)); done
touch -d '1 minute ago' "$T/math/"* "$T/phys/"*

"$ZPUB" config set daemon.tick_ms 200 >/dev/null
"$ZPUB" config set daemon.workers 2 >/dev/null
expect_rc 0 "$ZPUB" tenant add physics
# Each tenant may watch its own folder (the operator's allowed roots).
"$ZPUB" config set jobs.watch_roots "{\"default\": [\"$T/math\"], \"physics\": [\"$T/phys\"]}" >/dev/null
expect_rc 0 "$ZPUB" template add lectures --match '{"title": "Лекция*"}'
expect_rc 0 "$ZPUB" --tenant physics template add lectures --match '{"title": "Lecture*"}'
expect_rc 0 "$ZPUB" job add drop --schedule "every 1s" --source watch --path "$T/math" --settle 200ms
expect_rc 0 "$ZPUB" --tenant physics job add drop --schedule "every 1s" --source watch --path "$T/phys" --settle 200ms
# physics may process 0.1 minute a month: the first recording (6 s) fits, then it waits.
expect_rc 0 "$ZPUB" tenant quota physics --minutes 0 --concurrent 1
python3 - "$ZPUB_HOME/zpub.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE tenants SET quota_minutes_month = 1 WHERE name = 'physics'")
# 0.95 minutes already used this month: one 6-8 s recording passes, then the quota is full.
c.execute("INSERT INTO usage (tenant_id, kind, amount, at) SELECT id, 'processing_minutes', 0.95, CAST(strftime('%s','now') AS INTEGER)*1000 FROM tenants WHERE name='physics'")
c.commit()
PY

"$ZPUB" --daemon --foreground 2>"$T/daemon.log" &
dpid=$!
trap 'kill -9 $dpid 2>/dev/null || true' EXIT
sleep 1
expect_rc 1 "$ZPUB" --daemon --foreground
echo "$ERR" | grep -q "another zpub daemon (pid $dpid)" || fail "second daemon not refused: $ERR"
ok "the lock file refuses a second daemon"

settled default 3 || fail "math did not settle: $(sql 'SELECT id,tenant_id,status,detail FROM recordings'); $(tail -30 "$T/daemon.log")"
final=$(sql "SELECT DISTINCT status FROM recordings WHERE tenant_id = 1")
[ "$(echo "$final" | wc -l)" = 1 ] || fail "math recordings ended in different states: $final"
[ "$final" != FAILED ] && [ "$final" != DOWNLOADED ] || fail "math: $final; $(sql 'SELECT id,detail FROM recordings')"
ok "tenant default: 3 recordings imported and run to $final without intervention"
[ "$(sql "SELECT COUNT(*) FROM recordings r JOIN templates t ON t.id = r.template_id AND t.tenant_id = r.tenant_id")" -ge 3 ] \
	|| fail "templates not applied: $(sql 'SELECT id,tenant_id,template_id FROM recordings')"

settled physics 3 || fail "physics did not settle: $(sql 'SELECT id,status,detail FROM recordings')"
phys=$(sql "SELECT r.status, COALESCE(r.detail,'') FROM recordings r JOIN tenants t ON t.id=r.tenant_id WHERE t.name='physics' ORDER BY r.id")
[ "$(echo "$phys" | grep -c "^$final|")" = 1 ] || fail "physics: one recording should pass the quota: $phys"
[ "$(echo "$phys" | grep -c "^DOWNLOADED|.*minutes this month, its quota is 1")" = 2 ] || fail "physics quota reason: $phys"
ok "the minutes quota held back only physics, with the reason in the detail"

expect_rc 0 "$ZPUB" tenant quota physics --minutes unlimited
settled physics 3 || fail "physics did not finish after the quota was raised"
[ "$(sql "SELECT COUNT(*) FROM recordings WHERE status = '$final'")" = 6 ] || fail "$(sql 'SELECT id,status,detail FROM recordings')"
ok "raising the quota let physics finish"

sleep 2   # two more runs of each schedule
[ "$(sql 'SELECT COUNT(*) FROM recordings')" = 6 ] || fail "later schedule runs made duplicates"
dups=$(sql "SELECT recording_id, stage, COUNT(*) FROM stage_runs WHERE state='done' GROUP BY 1,2 HAVING COUNT(*) > 1")
[ -z "$dups" ] || fail "stages done twice: $dups"
[ "$(sql "SELECT COUNT(*) FROM usage u JOIN tenants t ON t.id=u.tenant_id WHERE t.name='physics' AND kind='processing_minutes'")" = 4 ] \
	|| fail "usage rows: $(sql 'SELECT * FROM usage')"
expect_rc 0 "$ZPUB" usage --tenant physics --json
python3 -c 'import json,sys; r=json.loads(sys.argv[1]); a=[x for x in r["rows"] if x["kind"]=="processing_minutes"][0]["amount"]; assert 1.29 < a < 1.31, a' "$OUT" \
	|| fail "usage report: $OUT"
ok "later schedule runs create no duplicates; processing minutes are metered"

"$ZPUB" config set daemon.workers 3 >/dev/null
kill -HUP $dpid
sleep 1
grep -q "config reloaded (3 workers" "$T/daemon.log" || fail "SIGHUP did not reload: $(tail -5 "$T/daemon.log")"
ok "SIGHUP reloads the config"

t0=$(date +%s%N)
kill -TERM $dpid
wait $dpid || fail "daemon exited $?"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $ms -lt 10000 ] || fail "SIGTERM took $ms ms"
grep -q "stopped cleanly" "$T/daemon.log" || fail "no clean stop"
trap - EXIT
ok "SIGTERM: clean exit in $ms ms"
