#!/usr/bin/env bash
# Webhooks through a real daemon and a receiver on loopback
# (tests/fakes/webhook_receiver.py):
# 1. the receiver holds its first answer while the daemon is killed with
#    kill -9 and restarted: each READY recording still gets its one `ready`
#    event, every repeat carries the same event id, every body is signed;
#    a recording that fails (silent media) gets a `failed` event with the
#    reason; `zpub journal ID` shows the deliveries;
# 2. a receiver that answers 500 for its first 20 s still gets the event
#    afterwards (same id), and the journal names the failed attempts;
# 3. a hook with no event list gets review_pending (publish.review required)
#    and quota_reached (a tenant over its storage quota), with their tenants.
. "$ZPUB_SRC/tests/lib/e2e.sh"
SECRET='w3bh00k-s3cret'
RPID=
DPID=
cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	[ -n "$RPID" ] && kill "$RPID" 2>/dev/null
	true
}
trap cleanup EXIT

# receiver LOG [ARGS...]: starts a receiver, sets $PORT and $RPID.
receiver() {
	local log=$1; shift
	rm -f "$T/port"
	python3 "$ZPUB_SRC/tests/fakes/webhook_receiver.py" --port-file "$T/port" --log "$log" \
		--secret "$SECRET" "$@" &
	RPID=$!
	for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
	PORT=$(cat "$T/port")
}
hook() { # hook PORT: the operator's one webhook, ready and failed events
	"$ZPUB" config set notify.webhooks "{\"portal\": {\"url\": \"http://127.0.0.1:$1/zpub\",
	    \"events\": [\"ready\", \"failed\"]}}" >/dev/null
	printf %s "$SECRET" | "$ZPUB" secret set notify.portal >/dev/null
}
daemon() { "$ZPUB" --daemon --foreground 2>>"$T/daemon.log" & DPID=$!; }
stop_daemon() { kill -TERM "$DPID"; wait "$DPID" || true; DPID=; }
# wait_log LOG PYEXPR SECONDS: until PYEXPR (over `ev`, the logged requests) holds.
wait_log() {
	python3 - "$@" <<'PY'
import json, sys, time
log, expr, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.time() + secs
while time.time() < end:
    try:
        ev = [json.loads(l) for l in open(log)]
    except FileNotFoundError:
        ev = []
    if eval(expr):
        sys.exit(0)
    time.sleep(0.1)
sys.exit(1)
PY
}
make_speech() { # OUT SECONDS: tone bursts and pauses
	ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=$2" \
		-f lavfi -i "aevalsrc='if(lt(mod(t,2),1),0.5*sin(440*2*PI*t),0)':s=44100:d=$2" \
		-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$1"
}
make_speech "$T/one.mp4" 4
make_speech "$T/two.mp4" 5
make_speech "$T/three.mp4" 6
ffmpeg -v error -y -f lavfi -i "testsrc=s=320x180:r=25:d=4" -f lavfi -i "anullsrc=r=44100:cl=mono" \
	-t 4 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$T/silent.mp4"

"$ZPUB" config set daemon.tick_ms 100 >/dev/null
"$ZPUB" config set notify.retry_base_ms 500 >/dev/null
"$ZPUB" config set notify.retry_cap_ms 4000 >/dev/null
"$ZPUB" config set notify.timeout_ms 30000 >/dev/null

# ---- 1. kill -9 during a delivery ----
receiver "$T/hooks1.log" --delay-first 6
hook "$PORT"
declare -A id
for f in one two silent; do
	expect_rc 0 "$ZPUB" import "$T/$f.mp4"
	id[$f]=$OUT
done
daemon
wait_log "$T/hooks1.log" 'len(ev) >= 1' 120 || fail "no delivery came: $(tail -20 "$T/daemon.log")"
kill -9 "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=
ok "daemon killed while the receiver held its first answer"
daemon
wait_log "$T/hooks1.log" "{(e['body']['event'], e['body']['recording']['id']) for e in ev if e['code'] == 200} >= {('ready', ${id[one]}), ('ready', ${id[two]}), ('failed', ${id[silent]})}" 120 \
	|| fail "not every event arrived: $(cat "$T/hooks1.log"); $(tail -20 "$T/daemon.log")"
sleep 1
stop_daemon
python3 - "$T/hooks1.log" "${id[one]}" "${id[two]}" "${id[silent]}" <<'PY' || fail "deliveries: $(cat "$T/hooks1.log")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
one, two, silent = (int(x) for x in sys.argv[2:5])
assert all(e["sig_ok"] for e in ev), "a body whose signature does not verify"
for e in ev:
    b = e["body"]
    assert e["event_hdr"] == b["event"] and e["delivery_hdr"] == b["id"], e
    assert b["tenant"] == "default" and b["time"].endswith("Z"), b
for rid in (one, two):
    ids = {e["body"]["id"] for e in ev if e["body"]["event"] == "ready" and e["body"]["recording"]["id"] == rid}
    assert len(ids) == 1, ("recording %d: ready event ids %s" % (rid, ids))
    b = [e["body"] for e in ev if e["body"]["event"] == "ready" and e["body"]["recording"]["id"] == rid][0]
    assert b["recording"]["status"] == "READY", b
# the answer the killed daemon never got: delivered again, with the same id
first = ev[0]["body"]["id"]
assert sum(1 for e in ev if e["body"]["id"] == first) >= 2, "the interrupted delivery was not repeated"
f = [e["body"] for e in ev if e["body"]["event"] == "failed"]
assert len({b["id"] for b in f}) == 1 and f[0]["recording"]["id"] == silent, f
assert "silent" in f[0]["recording"]["reason"], f[0]
assert not [e for e in ev if e["body"]["recording"]["id"] not in (one, two, silent)], "unknown"
print("%d requests, %d distinct events" % (len(ev), len({e["body"]["id"] for e in ev})))
PY
ok "one signed ready event per recording across kill -9 (repeats keep their id); a failed event for the silent one"
expect_rc 0 "$ZPUB" journal "${id[one]}"
echo "$OUT" | grep -q "notified ready to http://127.0.0.1:$PORT/zpub (200)" || fail "journal: $OUT"
expect_rc 0 "$ZPUB" journal "${id[silent]}"
echo "$OUT" | grep -q "notified failed to http://127.0.0.1:$PORT/zpub (200)" || fail "journal: $OUT"
ok "zpub journal shows the deliveries"
kill "$RPID"; wait "$RPID" 2>/dev/null || true; RPID=

# ---- 2. a receiver that answers 500 for 20 s ----
receiver "$T/hooks2.log" --fail-for 20
hook "$PORT"
expect_rc 0 "$ZPUB" import "$T/three.mp4"
three=$OUT
daemon
wait_log "$T/hooks2.log" "any(e['code'] == 200 and e['body']['recording']['id'] == $three for e in ev)" 90 \
	|| fail "the event never got through: $(cat "$T/hooks2.log"); $(tail -20 "$T/daemon.log")"
stop_daemon
python3 - "$T/hooks2.log" "$three" <<'PY' || fail "deliveries: $(cat "$T/hooks2.log")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
rid = int(sys.argv[2])
mine = [e for e in ev if e["body"]["recording"]["id"] == rid]
assert all(e["sig_ok"] for e in mine)
assert len({e["body"]["id"] for e in mine}) == 1, "retries changed the event id"
assert [e["code"] for e in mine].count(500) >= 2 and mine[-1]["code"] == 200, [e["code"] for e in mine]
print("%d attempts, the last answered 200" % len(mine))
PY
ok "a receiver answering 500 for 20 s gets the event afterwards, same id"
expect_rc 0 "$ZPUB" journal "$three"
echo "$OUT" | grep -q "notifying ready to http://127.0.0.1:$PORT/zpub failed.*answered 500" || fail "journal: $OUT"
echo "$OUT" | grep -q "notified ready to http://127.0.0.1:$PORT/zpub (200)" || fail "journal: $OUT"
ok "the journal shows the failed attempts and the delivery"
kill "$RPID"; wait "$RPID" 2>/dev/null || true; RPID=

# ---- 3. review_pending and quota_reached, to a hook that takes every event ----
receiver "$T/hooks3.log"
"$ZPUB" config set notify.webhooks "{\"all\": {\"url\": \"http://127.0.0.1:$PORT/all\"}}" >/dev/null
printf %s "$SECRET" | "$ZPUB" secret set notify.all >/dev/null
"$ZPUB" config set publish.review required >/dev/null
expect_rc 0 "$ZPUB" tenant add q
expect_rc 0 "$ZPUB" tenant quota q --storage 1
make_speech "$T/four.mp4" 7
make_speech "$T/five.mp4" 8
expect_rc 0 "$ZPUB" import "$T/four.mp4"
four=$OUT
expect_rc 0 "$ZPUB" --tenant q import "$T/five.mp4"
five=$OUT
daemon
wait_log "$T/hooks3.log" "{(e['body']['event'], e['body']['recording']['id']) for e in ev} >= {('review_pending', $four), ('quota_reached', $five)}" 90 \
	|| fail "review_pending and quota_reached did not arrive: $(cat "$T/hooks3.log"); $(tail -20 "$T/daemon.log")"
stop_daemon
python3 - "$T/hooks3.log" "$four" "$five" <<'PY' || fail "deliveries: $(cat "$T/hooks3.log")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
four, five = int(sys.argv[2]), int(sys.argv[3])
assert all(e["sig_ok"] and e["path"] == "/all" for e in ev)
r = [e["body"] for e in ev if e["body"]["event"] == "review_pending"]
assert len({b["id"] for b in r}) == 1 and r[0]["tenant"] == "default", r
assert r[0]["recording"]["id"] == four and r[0]["recording"]["status"] == "TRANSCRIBED", r
q = [e["body"] for e in ev if e["body"]["event"] == "quota_reached"]
assert len({b["id"] for b in q}) == 1 and q[0]["tenant"] == "q", q
assert q[0]["recording"]["id"] == five and "quota" in q[0]["recording"]["reason"], q
PY
ok "review_pending (tenant default) and quota_reached (tenant q) arrive, each once, with their tenant"
