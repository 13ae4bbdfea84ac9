# quota_faces.sh — tenant quotas hold in every face, and usage says which
# face started the work.  Tenant q processes a 61-second lecture from the
# CLI and a short one the API asked the daemon to retry; usage shows both
# faces' minutes.  With its monthly-minutes quota (1) used up, processing is
# refused by `zpub run` (exit 1, the quota and the command that raises it
# named), by the API (429 naming the quota, back next month) and by the terminal app (the
# sentence in its status line; with room again its run is metered and
# audited as the terminal app's); the daemon waits with the reason in the
# detail.  One quota_reached notification per tenant and month, however
# many refusals.  --ignore-quota is the operator's (no --tenant) and is
# audited; a tenant's editor (--tenant) is refused it.  The concurrent-
# stages quota counts a stage another process holds a lease for.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/lib/tui.sh"
unset ZPUB_FACE
sql() { python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1], timeout=10); print("\n".join("|".join(str(x) for x in r) for r in c.execute(sys.argv[2]))); c.commit()' "$ZPUB_HOME/zpub.db" "$1"; }
QUOTA="monthly processing-minutes quota"
me=$(id -un)

expect_rc 0 "$ZPUB" tenant add q
expect_rc 0 "$ZPUB" --tenant q user add egor --role editor
expect_rc 0 "$ZPUB" --tenant q user token egor; echo "$OUT" >"$T/tok.egor"
expect_rc 0 "$ZPUB" tenant add b
expect_rc 0 "$ZPUB" --tenant b user add bob --role owner
expect_rc 0 "$ZPUB" --tenant b user token bob; echo "$OUT" >"$T/tok.bob"
# Each recording its own file: an import of the same bytes is the same recording.
make_mp4 "$T/short.mp4" 3
make_mp4 "$T/long.mp4" 61
for n in 4 5 6 7; do make_mp4 "$T/s$n.mp4" $n; done
expect_rc 0 "$ZPUB" --tenant q import --title "Квота A" "$T/short.mp4"; A=$OUT
expect_rc 0 "$ZPUB" --tenant q import --title "Квота B" "$T/long.mp4"; B=$OUT

# ---- 1. the CLI processes B: its minutes are metered as the CLI's ----
expect_rc 0 "$ZPUB" --tenant q run "$B" --until PROCESSED
expect_rc 0 "$ZPUB" --tenant q skip "$B"
[ "$(sql "SELECT face, round(amount, 2) FROM usage WHERE recording_id = $B AND kind = 'processing_minutes'")" = "cli|1.02" ] \
	|| fail "B's minutes: $(sql 'SELECT * FROM usage')"
sql "SELECT actor, action, object FROM audit WHERE action = 'run'" | grep -q "^cli:$me|run|recording $B to PROCESSED" \
	|| fail "the CLI run is not audited: $(sql 'SELECT actor, action, object FROM audit')"
ok "zpub run: processing metered with face cli, the run audited as cli:$me"

# ---- 2. the API asks the daemon to retry A: its minutes are the API's ----
# A FAILED recording with no retry planned waits for someone to ask.
sql "UPDATE recordings SET status = 'FAILED', failed_stage = 'process', detail = 'test', next_retry_at = NULL WHERE id = $A" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
trap 'kill -9 $dpid 2>/dev/null || true; tui_cleanup' EXIT
for _ in $(seq 1 50); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
api() { # api METHOD PATH [USER] -> "STATUS BODY"
	python3 - "$port" "$(cat "$T/tok.${3:-egor}")" "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
port, tok, method, path = sys.argv[1:5]
req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=b"" if method == "POST" else None,
    method=method, headers={"Authorization": "Bearer " + tok})
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
}
r=$(api POST "/recordings/$A/retry")
[ "${r%% *}" = 200 ] || fail "API retry of A: $r"
for _ in $(seq 1 300); do
	[ -n "$(sql "SELECT 1 FROM usage WHERE recording_id = $A AND kind = 'processing_minutes'")" ] && break
	sleep 0.2
done
[ "$(sql "SELECT face FROM usage WHERE recording_id = $A AND kind = 'processing_minutes'")" = api ] \
	|| fail "A's minutes: $(sql 'SELECT * FROM usage'); $(tail -20 "$T/daemon.log")"
r=$(api GET /usage)
echo "${r#* }" | python3 -c 'import json,sys
f = json.load(sys.stdin)["by_face"]["processing_minutes"]
assert abs(f["cli"] - 61/60) < 0.01 and 0.04 < f["api"] < 0.06, f' || fail "GET /usage by_face: $r"
ok "the daemon's work the API asked for is metered with face api; GET /usage shows minutes per face"

# ---- 3. the quota used up: the daemon waits, the API refuses with 429 ----
expect_rc 0 "$ZPUB" tenant quota q --minutes 1
expect_rc 0 "$ZPUB" --tenant q import --title "Квота C" "$T/s4.mp4"; C=$OUT
for _ in $(seq 1 100); do
	sql "SELECT detail FROM recordings WHERE id = $C" | grep -qF "$QUOTA" && break
	sleep 0.1
done
sql "SELECT status, detail FROM recordings WHERE id = $C" | grep -qF "$QUOTA" \
	|| fail "the daemon did not wait on C with the reason: $(sql "SELECT status, detail FROM recordings WHERE id = $C")"
for what in publish retry; do
	r=$(api POST "/recordings/$C/$what")
	[ "${r%% *}" = 429 ] || fail "API $what over the quota: $r"
	echo "$r" | grep -qF "$QUOTA" || fail "API $what: the 429 does not name the quota: $r"
	# come back next month
	echo "${r#* }" | python3 -c 'import json,sys; s=json.load(sys.stdin)["retry_after_s"]; assert 0 < s <= 31*86400, s' \
		|| fail "API $what: retry_after_s is not the time to next month: $r"
done
r=$(api POST "/recordings/99999/publish")
[ "${r%% *}" = 404 ] || fail "API publish of a missing recording: $r"
# another tenant's token learns nothing of q's quota
r=$(api POST "/recordings/$C/publish" bob)
[ "${r%% *}" = 404 ] && ! echo "$r" | grep -qF "$QUOTA" || fail "tenant b publishing q's recording: $r"
ok "the daemon waits on C naming the quota; API publish and retry answer 429 naming it"
kill "$dpid"; wait "$dpid" 2>/dev/null || true

# ---- 4. zpub run refuses, and notifies once per tenant and month ----
sql "DELETE FROM notify_events" >/dev/null
for _ in 1 2; do
	expect_rc 1 "$ZPUB" --tenant q run "$C"
	echo "$ERR" | grep -qF "$QUOTA" || fail "zpub run: the refusal does not name the quota: $ERR"
	echo "$ERR" | grep -qF "zpub tenant quota q --minutes" || fail "zpub run: no command to raise it: $ERR"
done
[ "$(sql "SELECT status FROM recordings WHERE id = $C")" != FAILED ] || fail "a refusal failed C"
[ "$(sql "SELECT COUNT(*) FROM notify_events WHERE event = 'quota_reached'")" = 1 ] \
	|| fail "quota_reached events: $(sql 'SELECT event, body FROM notify_events')"
sql "SELECT body FROM notify_events" | grep -qF "$QUOTA" || fail "the notification does not name the quota"
ok "zpub run is refused (exit 1, quota and command named); one quota_reached for two refusals"

# ---- 5. --ignore-quota: the operator's, audited; a tenant's editor is refused ----
expect_rc 2 "$ZPUB" --tenant q run "$C" --ignore-quota
echo "$ERR" | grep -qF "operator" || fail "an editor's --ignore-quota: $ERR"
expect_rc 2 "$ZPUB" --tenant q publish "$C" --ignore-quota
[ -z "$(sql "SELECT 1 FROM audit WHERE action = 'quota.ignore'")" ] || fail "a refused --ignore-quota was audited"
expect_rc 0 "$ZPUB" run "$C" --until PROCESSED --ignore-quota
sql "SELECT actor, action, object FROM audit WHERE action = 'quota.ignore'" \
	| grep -q "^cli:$me|quota.ignore|recording $C process: .*$QUOTA" \
	|| fail "--ignore-quota not audited: $(sql 'SELECT actor, action, object FROM audit')"
ok "--ignore-quota runs C for the operator and is audited; --tenant q is refused it (exit 2)"

# ---- 6. usage --json: minutes per face ----
expect_rc 0 "$ZPUB" usage --tenant q --json
echo "$OUT" | python3 -c 'import json,sys
f = json.load(sys.stdin)["by_face"]["processing_minutes"]
assert f["cli"] > 1.05 and f["api"] > 0.04, f' || fail "zpub usage --json by_face: $OUT"
expect_rc 0 "$ZPUB" usage --tenant q
echo "$OUT" | grep -q "processing_minutes by face: api 0\.[01] min, cli 1\.1 min" || fail "zpub usage: $OUT"
ok "zpub usage shows the minutes per face (cli, api)"

# ---- 7. the terminal app: refused, with the sentence in the status line ----
if command -v tmux >/dev/null; then
	expect_rc 0 "$ZPUB" --tenant q import --title "Квота D" "$T/s5.mp4"; D=$OUT
	"$ZPUB" config set tenant q >/dev/null
	tui_start 240 30
	tui_wait "Квота D"
	tui_keys /
	tui_type "Квота D"
	tui_keys Enter
	tui_wait "1–1 of 1"
	tui_keys g r
	tui_wait "$QUOTA" 30
	tui_screen | grep -F "failed:" | grep -qF "$QUOTA" || fail "status line: $(tui_screen)"
	[ "$(sql "SELECT COUNT(*) FROM usage WHERE recording_id = $D")" = 0 ] || fail "D was processed"
	[ "$(sql "SELECT COUNT(*) FROM notify_events WHERE event = 'quota_reached'")" = 1 ] \
		|| fail "the terminal app's refusal notified again"
	ok "the terminal app's run is refused with the quota in its status line"
	# With room again, the same key runs it: metered and audited as the terminal app's.
	expect_rc 0 "$ZPUB" tenant quota q --minutes unlimited
	tui_keys g r
	for _ in $(seq 1 300); do
		[ -n "$(sql "SELECT 1 FROM usage WHERE recording_id = $D AND kind = 'processing_minutes'")" ] && break
		sleep 0.2
	done
	[ "$(sql "SELECT face FROM usage WHERE recording_id = $D AND kind = 'processing_minutes'")" = tui ] \
		|| fail "D's minutes: $(sql "SELECT * FROM usage WHERE recording_id = $D"); $(tui_screen)"
	sql "SELECT actor, action, object FROM audit WHERE action = 'run'" | grep -q "^tui:$me|run|recording $D to READY" \
		|| fail "the terminal app's run is not audited as tui:$me: $(sql 'SELECT actor, action, object FROM audit')"
	tui_cleanup
	"$ZPUB" config set tenant default >/dev/null
	ok "the terminal app's run is metered with face tui and audited as tui:$me"
else
	echo "SKIP: no tmux (terminal app part)"
fi

# ---- 8. running stages count in every process (the store's leases) ----
expect_rc 0 "$ZPUB" tenant add r
expect_rc 0 "$ZPUB" tenant quota r --concurrent 1
expect_rc 0 "$ZPUB" --tenant r import --title "Параллельно 1" "$T/s6.mp4"; R1=$OUT
expect_rc 0 "$ZPUB" --tenant r import --title "Параллельно 2" "$T/s7.mp4"; R2=$OUT
# Another process on this host holds R1's process stage.
sleep 120 &
holder=$!
host=$(python3 -c 'import socket; print(socket.gethostname())')
sql "UPDATE recordings SET status = 'PROCESSING', lease_owner = 'cli@$host:$holder',
	lease_until = CAST(strftime('%s','now') AS INTEGER) * 1000 + 600000 WHERE id = $R1" >/dev/null
expect_rc 1 "$ZPUB" --tenant r run "$R2" --until PROCESSED
echo "$ERR" | grep -qF "concurrent-stages quota" || fail "the other process's stage did not count: $ERR"
echo "$ERR" | grep -qF "zpub tenant quota r --concurrent" || fail "no command to raise it: $ERR"
kill "$holder"; wait "$holder" 2>/dev/null || true
expect_rc 0 "$ZPUB" --tenant r run "$R2" --until PROCESSED
ok "the concurrent-stages quota counts another process's lease, and not once that process is gone"

# Two real zpub processes: while one processes a 5-minute lecture, the other may not start.
make_mp4 "$T/five.mp4" 300
make_mp4 "$T/s8.mp4" 8
expect_rc 0 "$ZPUB" --tenant r import --title "Параллельно 3" "$T/five.mp4"; R3=$OUT
expect_rc 0 "$ZPUB" --tenant r import --title "Параллельно 4" "$T/s8.mp4"; R4=$OUT
"$ZPUB" --tenant r run "$R3" --until PROCESSED >"$T/first.out" 2>&1 &
first=$!
for _ in $(seq 1 400); do
	[ "$(sql "SELECT status FROM recordings WHERE id = $R3")" = PROCESSING ] && break
	sleep 0.05
done
expect_rc 1 "$ZPUB" --tenant r run "$R4" --until PROCESSED
echo "$ERR" | grep -qF "concurrent-stages quota is used up: tenant 'r' already runs 1 stage" \
	|| fail "a second process started past the concurrent-stages quota: $ERR"
wait "$first" || fail "the first process: $(cat "$T/first.out")"
expect_rc 0 "$ZPUB" --tenant r run "$R4" --until PROCESSED
ok "a second zpub process is refused while the first runs a stage of the same tenant"
