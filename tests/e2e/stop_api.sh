# stop_api.sh — POST /recordings/{id}/cancel on a real daemon: the stage the
# daemon itself runs stops, the recording is back at DOWNLOADED with a
# journal line and an audit row naming api:egor, and the daemon does not
# take it again by itself; POST /recordings/{id}/publish lets it go on to
# READY.  No token, a viewer, another tenant's owner and unknown ids are
# refused and change nothing; a second cancel says nothing runs (409); the
# route is in /openapi.json.
. "$ZPUB_SRC/tests/lib/e2e.sh"
dpid=
trap '[ -z "$dpid" ] || kill -9 "$dpid" 2>/dev/null || true' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
expect_rc 0 "$ZPUB" tenant add physics
for u in egor:editor vera:viewer; do
	expect_rc 0 "$ZPUB" user add "${u%%:*}" --role "${u#*:}"
	expect_rc 0 "$ZPUB" user token "${u%%:*}"; echo "$OUT" >"$T/tok.${u%%:*}"
done
expect_rc 0 "$ZPUB" --tenant physics user add boris --role owner
expect_rc 0 "$ZPUB" --tenant physics user token boris; echo "$OUT" >"$T/tok.boris"
: >"$T/tok.none"
bash "$ZPUB_SRC/tests/lib/gen_stop.sh" "$T/long.mp4" 1800
ID=$("$ZPUB" import --title "Long lecture" "$T/long.mp4")
DIR=$ZPUB_HOME/media/default/$ID

# call METHOD PATH TOKEN-NAME -> "STATUS BODY"
call() {
	python3 - "$port" "$1" "$2" "$T/tok.$3" <<'PY'
import sys, urllib.request, urllib.error
port, method, path, tokf = sys.argv[1:]
tok = open(tokf).read().strip()
h = {"Authorization": "Bearer " + tok} if tok else {}
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), method=method,
    headers=h, data=b"" if method == "POST" else None)
try:
    with urllib.request.urlopen(req, timeout=20) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
}
field() { "$ZPUB" show "$ID" --json | python3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v.get(k)
print(v)' "$1"; }

"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
i=0
until [ "$(field status)" = PROCESSING ] && [ "$(field progress)" != None ]; do
	i=$((i + 1)); [ $i -lt 600 ] || fail "the daemon never ran the process stage: $(cat "$T/daemon.log")"
	sleep 0.1
done

# Refused, and nothing changes.
r=$(call POST "/recordings/$ID/cancel" none); [ "${r%% *}" = 401 ] || fail "no token: $r"
r=$(call POST "/recordings/$ID/cancel" vera); [ "${r%% *}" = 403 ] || fail "a viewer: $r"
r=$(call POST "/recordings/$ID/cancel" boris); [ "${r%% *}" = 404 ] || fail "another tenant: $r"
r=$(call POST "/recordings/99999/cancel" egor); [ "${r%% *}" = 404 ] || fail "unknown id: $r"
r=$(call POST "/recordings/abc/cancel" egor); [ "${r%% *}" = 404 ] || fail "a bad id: $r"
r=$(call GET "/recordings/$ID/cancel" egor); case "${r%% *}" in 404|405) ;; *) fail "GET cancel: $r";; esac
[ "$(field status)" = PROCESSING ] || fail "a refused cancel changed the status: $(field status)"
[ "$(field stopped_by)" = None ] || fail "a refused cancel left a mark: $(field stopped_by)"
ok "no token 401, viewer 403, another tenant and unknown ids 404, and nothing changed"

r=$(call POST "/recordings/$ID/cancel" egor)
case "${r%% *}" in 200|202) ;; *) fail "the editor's cancel: $r";; esac
echo "$r" | grep -q '"stopped_by":"api:egor"' || fail "the reply: $r"
i=0
until [ "$(field status)" = DOWNLOADED ]; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "not DOWNLOADED 10 s after the cancel: $(field status)"
	sleep 0.1
done
[ "$(field stopped_by)" = api:egor ] || fail "stopped_by: $(field stopped_by)"
[ "$(field attempts)" = 0 ] || fail "the stop counted as a failed attempt"
"$ZPUB" journal "$ID" | grep -q "PROCESSING -> DOWNLOADED: stopped by api:egor" ||
	fail "journal: $("$ZPUB" journal "$ID")"
"$ZPUB" audit | grep "api:egor" | grep -q "stop .*recording $ID" || fail "audit: $("$ZPUB" audit)"
grep -q "process stopped by api:egor" "$T/daemon.log" || fail "daemon log: $(cat "$T/daemon.log")"
left=$(find "$DIR" -name '*.tmp'); [ -z "$left" ] || fail "half-written files left: $left"
ok "the daemon's stage stopped: DOWNLOADED, journal, audit and log name api:egor, no *.tmp left"

sleep 3
[ "$(field status)" = DOWNLOADED ] || fail "the daemon took the stopped recording again: $(field status)"
r=$(call POST "/recordings/$ID/cancel" egor); [ "${r%% *}" = 409 ] || fail "a second cancel: $r"
echo "$r" | grep -q "nothing runs" || fail "a second cancel: $r"
ok "the daemon leaves the stopped recording alone; a second cancel is 409, nothing runs"

call GET /openapi.json none | grep -q '"/recordings/{id}/cancel"' || fail "the route is not in /openapi.json"

r=$(call POST "/recordings/$ID/publish" egor); [ "${r%% *}" = 200 ] || fail "publish: $r"
i=0
until [ "$(field status)" = READY ]; do
	i=$((i + 1)); [ $i -lt 1800 ] || fail "not READY 180 s after publish: $(field status)"
	sleep 0.1
done
[ "$(field stopped_by)" = None ] || fail "still marked stopped: $(field stopped_by)"
ok "POST publish lifts the stop and the daemon takes it to READY"
kill "$dpid"; wait "$dpid" 2>/dev/null || true; dpid=
