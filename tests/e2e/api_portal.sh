# api_portal.sh — a portal drives a lecture through the control API alone,
# on the offline defaults with publish.review = "required" and the folder
# target: a resumable upload of 200 MB cut off once (curl killed) and resumed from
# GET /uploads/{id}'s offset, POST /recordings/{id}/publish, wait for the
# topics, read them, PUT corrected ones, approve, download the VTT through
# the artefacts route, and see READY with those chapters published.  Then
# a tenant-B owner's token fails on every tenant-A URL of /openapi.json
# (each {id} filled with tenant A's ids), and B's lists hold nothing of A.
. "$ZPUB_SRC/tests/lib/e2e.sh"
dpid=
cleanup() { [ -z "$dpid" ] || kill -9 "$dpid" 2>/dev/null || true; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
"$ZPUB" config set api.rate_per_minute 1000 >/dev/null
"$ZPUB" config set publish.review required >/dev/null
"$ZPUB" config set publish.to folder >/dev/null
"$ZPUB" config set publish.folder.path "$T/published" >/dev/null
expect_rc 0 "$ZPUB" user add olga --role editor
expect_rc 0 "$ZPUB" user token olga; echo "$OUT" >"$T/tok.a"
expect_rc 0 "$ZPUB" tenant add other
expect_rc 0 "$ZPUB" --tenant other user add bob --role owner
expect_rc 0 "$ZPUB" --tenant other user token bob; echo "$OUT" >"$T/tok.b"
# the sample lecture padded to 200 MB (a 'free' box: it processes as itself)
F=$T/lecture-200mb.mp4
python3 "$ZPUB_SRC/tests/lib/gen_upload.py" "$ZPUB_SRC/assets/sample/lecture.mp4" "$F" 200

"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
for _ in $(seq 1 100); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
grep -q "control API on" "$T/daemon.log" || fail "API not up: $(cat "$T/daemon.log")"
B=http://127.0.0.1:$port
TA=$(cat "$T/tok.a")

# ---- upload, cut off once by killing curl, resumed ----
SIZE=$(stat -c %s "$F")
SHA=$(sha256sum "$F" | cut -d' ' -f1)
ID=$(curl -sf -H "Authorization: Bearer $TA" \
	-d "{\"name\":\"Лекция о сортировке.mp4\",\"size\":$SIZE,\"sha256\":\"$SHA\"}" "$B/uploads" |
	jget id) || fail "POST /uploads"
curl -s -o /dev/null -X PUT -H "Authorization: Bearer $TA" -H "Expect:" --limit-rate 40M \
	-H "Content-Range: bytes 0-$((SIZE-1))/$SIZE" -T "$F" "$B/uploads/$ID" &
cpid=$!
sleep 2
kill "$cpid" 2>/dev/null || fail "curl finished before it was killed"
wait "$cpid" 2>/dev/null || true
sleep 0.3
OFF=$(curl -sf -H "Authorization: Bearer $TA" "$B/uploads/$ID" | jget offset)
[ "$OFF" -gt 0 ] && [ "$OFF" -lt "$SIZE" ] || fail "offset after the cut: $OFF of $SIZE"
curl -s -o "$T/put" -w '%{http_code}' -X PUT -H "Authorization: Bearer $TA" -H "Expect:" \
	-H "Content-Range: bytes $OFF-$((SIZE-1))/$SIZE" -T - "$B/uploads/$ID" \
	< <(tail -c +$((OFF + 1)) "$F") >"$T/code"
[ "$(cat "$T/code")" = 201 ] || fail "resumed PUT: $(cat "$T/code") $(cat "$T/put")"
REC=$(jget recording.id <"$T/put")
ok "uploaded as recording $REC (cut off at $OFF of $SIZE bytes, resumed)"

# ---- the rest as a portal: python with urllib only ----
python3 - "$B" "$T" "$REC" "$ID" <<'PY' || fail "the portal run failed"
import json, sys, time, urllib.request, urllib.error
base, T, rec, upload = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
TA = open(T + "/tok.a").read().strip()
TB = open(T + "/tok.b").read().strip()

def call(method, path, tok, body=None, headers=None):
    h = dict(headers or {})
    if tok:
        h["Authorization"] = "Bearer " + tok
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()

def j(method, path, tok=TA, body=None):
    s, _, b = call(method, path, tok, body)
    try:
        return s, json.loads(b)
    except ValueError:
        return s, b

def wait(what, pred, secs=240):
    end = time.time() + secs
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.5)
    s, r = j("GET", "/recordings/%d" % rec)
    raise SystemExit("FAIL: %s did not happen in %d s; the recording: %s" % (what, secs, r))

s, r = j("POST", "/recordings/%d/publish" % rec)
assert s == 200, (s, r)

def topics():
    s, t = j("GET", "/recordings/%d/topics" % rec)
    return t if s == 200 and t.get("chapters") else None
t = wait("topics", topics)
print("ok: topics v%d:\n%s" % (t["version"], t["chapters"]))
s, r = j("GET", "/recordings/%d" % rec)
wait("the review hold", lambda: j("GET", "/recordings/%d" % rec)[1]["status"] == "TRANSCRIBED"
     and j("GET", "/recordings/%d" % rec)[1].get("review") == "pending")
s, r = j("GET", "/recordings/%d" % rec)
assert r["status"] == "TRANSCRIBED" and r["review"] == "pending", r

# corrected chapters, then approval
lines = t["chapters"].splitlines()
fixed = "00:00:00 Введение и план\n00:00:12 Сортировка вставками\n00:00:32 Слияние"
s, r = j("PUT", "/recordings/%d/topics" % rec, body={"chapters": fixed})
assert s == 200 and r["version"] == t["version"] + 1 and r["chapters"].rstrip("\n") == fixed, (s, r)
s, r = j("PUT", "/recordings/%d/topics" % rec, body={"chapters": "00:00:05 late start"})
assert s == 400, (s, r)
s, r = j("POST", "/recordings/%d/approve" % rec)
assert s == 200 and r["review"] == "approved", (s, r)
print("ok: corrected topics saved as v%d and approved" % r["version"])

# the VTT through the artefacts route, whole and in part
s, arts = j("GET", "/recordings/%d/artifacts" % rec)
assert s == 200, (s, arts)
kinds = sorted(set(a["kind"] for a in arts["artifacts"]))
assert "vtt" in kinds and "srt" in kinds and "cut_video" in kinds, kinds
s, h, vtt = call("GET", "/recordings/%d/artifacts/vtt" % rec, TA)
assert s == 200 and h["Content-Type"].startswith("text/vtt"), (s, dict(h))
assert vtt.startswith(b"WEBVTT"), vtt[:40]
s, h, part = call("GET", "/recordings/%d/artifacts/vtt" % rec, TA, headers={"Range": "bytes=0-5"})
assert s == 206 and part == b"WEBVTT" and h["Content-Range"] == "bytes 0-5/%d" % len(vtt), (s, dict(h))
s, h, mp4 = call("GET", "/recordings/%d/artifacts/cut_video" % rec, TA, headers={"Range": "bytes=4-7"})
assert s == 206 and mp4 == b"ftyp" and h["Content-Type"] == "video/mp4", (s, mp4, dict(h))
print("ok: VTT downloaded (%d bytes), ranges answered 206" % len(vtt))

def ready():
    s, r = j("GET", "/recordings/%d" % rec)
    assert r["status"] != "FAILED", r
    return r if r["status"] == "READY" else None
r = wait("READY", ready)
print("ok: READY")

# ---- tenant B against every tenant-A URL of the document ----
s, tpl = j("POST", "/templates", body={"name": "a-only", "matching_rules": {"title": "Zzz*"}})
assert s == 201, (s, tpl)
s, up = j("POST", "/uploads", body={"name": "pending.mp4", "size": 1000})
assert s == 201, (s, up)
ids = {"/templates": tpl["id"], "/uploads": up["id"], "/recordings": rec}
s, doc = j("GET", "/openapi.json", None)
checked = 0
for path, ops in sorted(doc["paths"].items()):
    if "{id}" not in path:
        continue
    params = set(p.split("}")[0] for p in path.split("{")[1:])
    if not params <= {"id", "kind"}:
        continue   # other parameters name no tenant's object
    prefix = "/" + path.split("/")[1]
    if prefix not in ids:
        continue   # nothing of that sort was made in tenant A here
    url = path.replace("{id}", str(ids[prefix])).replace("{kind}", "vtt")
    for m in ops:
        # a body each route would take, so the tenant wall is what refuses it
        body = None
        if m in ("post", "put", "patch"):
            body = {"chapters": "00:00:00 Hijacked"} if path.endswith("/topics") else \
                {"priority": 5} if path.startswith("/templates") else {}
        s, h, b = call(m.upper(), url, TB, body)
        assert s in (403, 404), "tenant B %s %s answered %d: %r" % (m.upper(), url, s, b[:200])
        assert b"WEBVTT" not in b and "Сортировка".encode() not in b, (m, url, b[:200])
        assert b"Hijacked" not in b, (m, url, b[:200])
        checked += 1
assert checked >= 15, checked
# and A's things are unchanged
s, r = j("GET", "/recordings/%d/topics" % rec)
assert s == 200 and r["chapters"].rstrip("\n") == fixed and r["review"] == "approved", r
s, r = j("GET", "/uploads/%d" % up["id"])
assert s == 200, (s, r)
s, r = j("GET", "/templates/%d" % tpl["id"])
assert s == 200 and r.get("name", r.get("template", {}).get("name")) == "a-only", r
# B's lists hold nothing of A
for path in ("/recordings", "/templates", "/jobs", "/audit", "/usage"):
    s, h, b = call("GET", path, TB)
    assert s == 200, (path, s, b[:200])
    assert "Лекция".encode() not in b and b"a-only" not in b, (path, b[:300])
print("ok: tenant B failed on %d tenant-A URLs; its lists hold nothing of A" % checked)
PY
ls "$T/published" | grep -q . || fail "nothing in the published folder"
grep -rq "Сортировка вставками" "$T/published" || fail "the corrected chapters were not published"
kill "$dpid"; wait "$dpid" 2>/dev/null || true; dpid=
ok "api_portal"
