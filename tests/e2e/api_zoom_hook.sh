# api_zoom_hook.sh — Zoom's webhooks at POST /hooks/zoom of a real daemon,
# against the loopback fake Zoom: the URL validation is answered with
# Zoom's documented HMAC; a recording.completed with a valid signature
# creates the recording and the daemon, woken at once (its tick is a
# minute), downloads it with the event's download_token (with the account's
# token once Zoom refuses that one); a bad signature,
# a stale timestamp, a missing one, a replayed body (also after a restart),
# another Zoom account and an unknown event change nothing; a body over
# 64 KiB is refused.
. "$ZPUB_SRC/tests/lib/e2e.sh"
. "$ZPUB_SRC/tests/fakes/fake_zoom.sh"
sql() { python3 -c 'import sqlite3,sys
c=sqlite3.connect(sys.argv[1], timeout=10); print("\n".join("|".join(str(x) for x in r) for r in c.execute(sys.argv[2])))' "$ZPUB_HOME/zpub.db" "$1"; }

make_mp4 "$T/lecture.mp4" 3
zoom_fake_start "$T/zoom" --months 1 --per-month 2 --media "$T/lecture.mp4"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" config set daemon.tick_ms 60000 >/dev/null
"$ZPUB" config set daemon.until DOWNLOADED >/dev/null
"$ZPUB" config set api.max_request_bytes 1048576 >/dev/null
# Before the secret is set the route says how to set it up.
start_daemon() {
	"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>>"$T/daemon.log" &
	dpid=$!
	for _ in $(seq 1 50); do
		curl -s "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "API not up: $(cat "$T/daemon.log")"
}
start_daemon
trap 'kill -9 $dpid 2>/dev/null || true; zoom_fake_stop' EXIT
out=$(curl -s -o - -w ' %{http_code}' -X POST -H 'Content-Type: application/json' \
	--data '{"event":"endpoint.url_validation","payload":{"plainToken":"x"}}' \
	"http://127.0.0.1:$port/hooks/zoom")
case $out in *"zpub secret set zoom.webhook_secret"*" 503") ;; *) fail "no secret: $out" ;; esac
ok "without zoom.webhook_secret the route answers 503 saying how to set it"
printf 'hook-secret' | "$ZPUB" secret set zoom.webhook_secret >/dev/null 2>&1 ||
	fail "secret set zoom.webhook_secret"

python3 - "$port" "$ZPORT" "$ZPUB_HOME/zpub.db" "$T" <<'PY' || fail "webhook checks"
import hashlib, hmac, json, sqlite3, sys, time, urllib.request, urllib.error
port, zport, db, T = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
SECRET = b"hook-secret"
def post(body, headers={}):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/hooks/zoom", data=body, method="POST",
                                 headers=dict({"Content-Type": "application/json"}, **headers))
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())
def signed(body, ts=None, secret=SECRET):
    ts = str(int(time.time()) if ts is None else ts)
    mac = hmac.new(secret, b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"x-zm-request-timestamp": ts, "x-zm-signature": "v0=" + mac}
def count():
    c = sqlite3.connect(db, timeout=10)
    return c.execute("SELECT COUNT(*) FROM recordings").fetchone()[0]

# Zoom's URL validation: encryptedToken = hex HMAC-SHA256(secret, plainToken)
plain = "qgg8vlvZRS6UYooatFL8Aw"
s, j = post(json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": plain},
                        "event_ts": 1}).encode())
assert s == 200, (s, j)
assert j == {"plainToken": plain,
             "encryptedToken": hmac.new(SECRET, plain.encode(), hashlib.sha256).hexdigest()}, j

event = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{zport}/_admin/hook_event/0").read())
body = json.dumps(event).encode()
assert count() == 0
for what, h in [("bad signature", signed(body, secret=b"not-the-secret")),
                ("stale timestamp", signed(body, ts=int(time.time()) - 400)),
                ("future timestamp", signed(body, ts=int(time.time()) + 400)),
                ("no signature", {})]:
    s, j = post(body, h)
    assert s == 401 and len(j["error"]) > 20, (what, s, j)
    assert count() == 0, what
# a valid signature over another body
h = signed(body)
s, j = post(body.replace(b"recording.completed", b"recording.completeD"), h)
assert s == 401 and count() == 0, (s, j)

h = signed(body)
s, j = post(body, h)
assert s == 200 and j["taken"] and len(j["created"]) == 1, (s, j)
rid = j["created"][0]["id"]
assert count() == 1
json.dump({"id": rid, "headers": h, "body": body.decode()}, open(f"{T}/first.json", "w"))
# the same signed body again: a replay
s, j = post(body, h)
assert s == 401 and "replay" in j["error"], (s, j)
assert count() == 1
# Zoom delivering the same event again (a new signature): nothing new
time.sleep(1.1)
s, j = post(body, signed(body))
assert s == 200 and j["created"] == [] and j["existing"] == 1, (s, j)
# another Zoom account: answered, nothing done
other = json.loads(body)
other["payload"]["account_id"] = "someone-else"
ob = json.dumps(other).encode()
s, j = post(ob, signed(ob))
assert s == 200 and not j["taken"] and "not the account" in j["reason"], (s, j)
# an event zpub does not act on
ub = json.dumps({"event": "meeting.started", "payload": {"account_id": "zoom-account",
                 "object": {"id": 1}}}).encode()
s, j = post(ub, signed(ub))
assert s == 200 and not j["taken"], (s, j)
# too large
big = json.dumps({"event": "recording.completed", "pad": "x" * 70000}).encode()
s, j = post(big, signed(big))
assert s == 413 and "65536" in j["error"], (s, j)
assert count() == 1
PY
ok "URL validation as Zoom computes it; bad, stale, future, missing and replayed signatures, other accounts, unknown events: 401/200 and nothing added"

rid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$T/first.json")
for _ in $(seq 1 100); do
	st=$(sql "SELECT status FROM recordings WHERE id=$rid")
	[ "$st" = DOWNLOADED ] && break
	sleep 0.2
done
[ "$st" = DOWNLOADED ] || fail "not downloaded at once: $st $(sql "SELECT detail FROM recordings WHERE id=$rid"); $(tail -20 "$T/daemon.log")"
uses=$(zoom_admin hook_stats | jget dl_token_uses)
[ "$uses" -ge 1 ] || fail "the event's download_token was not used: $uses"
expect_rc 0 "$ZPUB" journal "$rid"
echo "$OUT" | grep -q "download token of Zoom's notification" || fail "journal: $OUT"
[ "$(zoom_check_downloads)" = 1 ] || fail "the download is not the file Zoom holds"
[ "$(sql "SELECT COUNT(*) FROM credentials WHERE name LIKE 'zoom.download_token.%'")" = 0 ] ||
	fail "the download token stayed in the vault"
ok "recording.completed: recording $rid downloaded within seconds (tick 60 s) with the event's download_token"

# A download token Zoom refuses: the account's token downloads it.
python3 - "$port" "$ZPORT" "$T" <<'PY' || fail "refused download token"
import hashlib, hmac, json, sys, time, urllib.request
port, zport, T = sys.argv[1:4]
ev = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{zport}/_admin/hook_event/1").read())
ev["download_token"] = "zdl-revoked"
body = json.dumps(ev).encode()
ts = str(int(time.time()))
mac = hmac.new(b"hook-secret", b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
req = urllib.request.Request(f"http://127.0.0.1:{port}/hooks/zoom", data=body, method="POST",
                             headers={"Content-Type": "application/json", "x-zm-request-timestamp": ts,
                                      "x-zm-signature": "v0=" + mac})
j = json.loads(urllib.request.urlopen(req, timeout=10).read())
assert j["taken"] and len(j["created"]) == 1, j
open(f"{T}/second.id", "w").write(str(j["created"][0]["id"]))
PY
rid2=$(cat "$T/second.id")
for _ in $(seq 1 100); do
	st=$(sql "SELECT status FROM recordings WHERE id=$rid2")
	[ "$st" = DOWNLOADED ] && break
	sleep 0.2
done
[ "$st" = DOWNLOADED ] || fail "a refused download token stopped the download: $st $(sql "SELECT detail FROM recordings WHERE id=$rid2")"
expect_rc 0 "$ZPUB" journal "$rid2"
echo "$OUT" | grep -q "the account's token (Zoom refused" || fail "journal: $OUT"
[ "$(zoom_check_downloads)" = 2 ] || fail "the downloads are not the files Zoom holds"
ok "a download token Zoom refuses: the account's token downloads recording $rid2"

# The replay guard survives a restart.
kill -TERM $dpid; wait $dpid || fail "daemon exit $?"
start_daemon
python3 - "$port" "$T" "$ZPUB_HOME/zpub.db" <<'PY' || fail "replay after restart"
import json, sqlite3, sys, urllib.request, urllib.error
f = json.load(open(f"{sys.argv[2]}/first.json"))
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/hooks/zoom", data=f["body"].encode(),
                             method="POST", headers=dict({"Content-Type": "application/json"}, **f["headers"]))
try:
    urllib.request.urlopen(req, timeout=10)
    raise SystemExit("a replay after a restart was taken")
except urllib.error.HTTPError as e:
    assert e.code == 401 and "replay" in json.loads(e.read())["error"], e.code
c = sqlite3.connect(sys.argv[3], timeout=10)
assert c.execute("SELECT COUNT(*) FROM recordings").fetchone()[0] == 2
PY
grep -q "hook-secret" "$T/daemon.log" "$ZPUB_HOME/zpub.log" 2>/dev/null && fail "the secret is in a log"
kill -TERM $dpid; wait $dpid || fail "daemon exit $?"
ok "a replay is refused after a restart too; the secret is never logged"
