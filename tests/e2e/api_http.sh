# api_http.sh — the control API through the daemon's loopback listener:
# /health and /openapi.json (validated as OpenAPI 3) without a token; each
# role allowed and refused as documented; another tenant's recordings,
# templates and jobs are "not found" whatever the id; the rate limit answers
# 429 with the wait; bad JSON, unknown fields and huge bodies get 4xx with a
# message; a token whose tenant is 0 or negative is refused; the listener
# binds 127.0.0.1 only.  (unit/test_api covers the
# full matrix without sockets.)
. "$ZPUB_SRC/tests/lib/e2e.sh"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
"$ZPUB" config set api.rate_per_minute 40 >/dev/null
expect_rc 0 "$ZPUB" tenant add physics
for u in olga:owner egor:editor vera:viewer; do
	expect_rc 0 "$ZPUB" user add "${u%%:*}" --role "${u#*:}"
	expect_rc 0 "$ZPUB" user token "${u%%:*}"; echo "$OUT" >"$T/tok.${u%%:*}"
done
expect_rc 0 "$ZPUB" --tenant physics user add boris --role owner
expect_rc 0 "$ZPUB" --tenant physics user token boris; echo "$OUT" >"$T/tok.boris"
make_mp4 "$T/Лекция.mp4" 2
expect_rc 0 "$ZPUB" import "$T/Лекция.mp4"
rec=$OUT
# A skipped recording with a topic version of its own: the chapter routes
# act on it while the daemon works on the other one.
make_mp4 "$T/Семинар.mp4" 3
expect_rc 0 "$ZPUB" import "$T/Семинар.mp4"
rec2=$OUT
expect_rc 0 "$ZPUB" skip "$rec2"
python3 - "$ZPUB_HOME/zpub.db" "$rec2" <<'PY'
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); now = int(time.time() * 1000)
t = {"topics": [{"start_ms": 0, "level": "main", "title": "Введение"}], "breaks": [], "flags": []}
db.execute("INSERT INTO topic_versions (recording_id, version, json, source, created_at)"
           " VALUES (?, 1, ?, 'extractive', ?)", (int(sys.argv[2]), json.dumps(t), now))
db.commit()
PY
expect_rc 0 "$ZPUB" template add lectures --match '{"title": "Лекция*"}'
tpl=$(echo "$OUT" | sed -n 's/^template lectures (id \([0-9]*\))$/\1/p')
mkdir -p "$T/none"
# Jobs may watch folders under $T (its data folder $T/home never counts).
"$ZPUB" config set jobs.watch_roots "{\"*\": [\"$T\"]}" >/dev/null
expect_rc 0 "$ZPUB" job add drop --schedule "every 1h" --source watch --path "$T/none"
job=$(echo "$OUT" | jget id)
expect_rc 2 "$ZPUB" --daemon --foreground --listen 0.0.0.0:$port
"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
trap 'kill -9 $dpid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
grep -q "control API on http://127.0.0.1:$port/" "$T/daemon.log" || fail "API not up: $(cat "$T/daemon.log")"

python3 - "$port" "$T" "$rec" "$tpl" "$job" "$rec2" <<'PY' || fail "HTTP checks"
import json, sys, urllib.request, urllib.error
base = f"http://127.0.0.1:{sys.argv[1]}"
def call(method, path, body=None, headers={}):
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
s, b = call("GET", "/health")
assert s == 200 and json.loads(b)["status"] == "ok", (s, b)
s, b = call("GET", "/openapi.json")
assert s == 200, s
doc = json.loads(b)
from openapi_spec_validator import validate
validate(doc)
assert "/recordings/{id}/retry" in doc["paths"] and "/jobs/{id}/dry-run" in doc["paths"]
s, b = call("GET", "/recordings")
assert s == 401 and "Bearer" in json.loads(b)["error"], (s, b)
s, b = call("GET", "/nope")
assert s == 404 and "error" in json.loads(b), (s, b)
s, b = call("DELETE", "/health")
assert s == 405, (s, b)
s, b = call("POST", "/templates", b"x" * (1 << 20), {"Content-Type": "application/json"})
assert s == 413, (s, b[:200])

T, rec, tpl, job, rec2 = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
tok = {u: open(f"{T}/tok.{u}").read().strip() for u in ("olga", "egor", "vera", "boris")}
def as_(u, method, path, body=None):
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    h = {"Authorization": "Bearer " + tok[u], "Content-Type": "application/json"}
    return call(method, path, data, h)
matrix = [  # method, path, body, owner, editor, viewer
    ("GET", f"/recordings/{rec}", None, 200, 200, 200),
    ("GET", "/templates", None, 200, 200, 200),
    ("GET", "/audit", None, 200, 403, 403),
    ("POST", "/templates", {"name": "t-{u}", "matching_rules": {"title": "Семинар*"}}, 201, 201, 403),
    ("PATCH", f"/templates/{tpl}", {"priority": 3}, 200, 200, 403),
    ("POST", "/jobs", {"name": "j-{u}", "schedule": "@daily", "config": {"source": "watch", "path": f"{T}/none"}}, 201, 403, 403),
    ("POST", f"/jobs/{job}/dry-run", None, 200, 200, 403),
    ("POST", f"/recordings/{rec}/publish", None, 200, 200, 403),
    ("GET", f"/recordings/{rec2}/topics", None, 200, 200, 200),
    ("POST", f"/recordings/{rec2}/approve", None, 200, 200, 403),
]
for m, p, b, *want in matrix:
    for u, w in zip(("olga", "egor", "vera"), want):
        body = json.loads(json.dumps(b).replace("{u}", u)) if b else None
        s, out = as_(u, m, p, body)
        assert s == w, (m, p, u, s, out)
        if s >= 400:
            assert json.loads(out)["error"], out
# Chapters over the API: read as lines; a list that breaks YouTube's rules
# is refused with the reason (the recording is 2 s long); a viewer may not
# write, another tenant does not see the recording.
s, out = as_("egor", "GET", f"/recordings/{rec2}/topics")
j = json.loads(out)
assert s == 200 and j["chapters"] == "00:00:00 Введение\n" and j["review"] == "not_required", out
assert j["version"] == 1 and j["approved_by"].startswith("api:"), out   # approved just above
s, out = as_("egor", "PUT", f"/recordings/{rec2}/topics", {"chapters": "00:00:00 A\n00:00:01 B\n"})
assert s == 400 and "line 2:" in json.loads(out)["error"], (s, out)
s, out = as_("egor", "PUT", f"/recordings/{rec2}/topics", {"chapters": 5})
assert s == 400 and "chapter lines" in json.loads(out)["error"], (s, out)
s, out = as_("vera", "PUT", f"/recordings/{rec2}/topics", {"chapters": "00:00:00 A\n"})
assert s == 403, (s, out)
for m, p in [("GET", f"/recordings/{rec2}/topics"), ("POST", f"/recordings/{rec2}/approve")]:
    s, out = as_("boris", m, p)
    assert s == 404, (m, p, s, out)
# A recording as the API shows it: its files are named by kind, never by
# where they lie on the server.
s, out = as_("olga", "GET", f"/recordings/{rec}")
out = out.decode(); assert s == 200 and '"artifacts"' in out and '"path"' not in out and f"{T}/home/media" not in out, out
# Another tenant's owner guessing ids: not found, and nothing changed.
for m, p, b in [("GET", f"/recordings/{rec}", None), ("POST", f"/recordings/{rec}/skip", None),
                ("PATCH", f"/templates/{tpl}", {"priority": 99}), ("DELETE", f"/templates/{tpl}", None),
                ("DELETE", f"/jobs/{job}", None), ("POST", f"/jobs/{job}/run", None)]:
    s, out = as_("boris", m, p, b)
    assert s == 404, (m, p, s, out)
s, out = as_("boris", "GET", "/recordings")
assert json.loads(out)["recordings"] == [], out
s, out = as_("olga", "GET", f"/templates/{tpl}")
assert json.loads(out)["priority"] == 3, out
# Bad bodies.
s, out = as_("olga", "POST", "/templates", b"{not json")
assert s == 400 and "JSON" in json.loads(out)["error"], (s, out)
s, out = as_("olga", "POST", "/templates", {"name": "x", "colour": "red"})
assert s == 400 and "colour" in json.loads(out)["error"], (s, out)
s, out = as_("olga", "POST", "/jobs", {"name": "x", "schedule": "61 * * * *", "config": {"source": "watch", "path": "/x"}})
assert s == 400 and "minute" in json.loads(out)["error"], (s, out)
# The rate limit (40 a minute here): vera's token runs out, olga's does not.
codes = [as_("vera", "GET", "/recordings")[0] for _ in range(45)]
assert codes.count(429) >= 1 and codes[0] == 200, codes
s, out = as_("vera", "GET", "/recordings")
assert s == 429 and json.loads(out)["retry_after_s"] > 0, (s, out)
assert as_("olga", "GET", "/recordings")[0] == 200
s, out = call("GET", "/recordings", None, {"Authorization": "Bearer zpub_guessed"})
assert s == 401, s
print("http ok")
PY
ok "health, OpenAPI 3, roles, tenant wall, rate limit, bad bodies and 413 over HTTP"

# A token whose tenant id is 0 (unset) or negative (the operator's
# "every tenant" value) is refused: it never lists another tenant's recordings.
expect_rc 0 "$ZPUB" tenant add ghost
expect_rc 0 "$ZPUB" --tenant ghost user add gus --role owner
expect_rc 0 "$ZPUB" --tenant ghost user token gus; echo "$OUT" >"$T/tok.gus"
for tid in 0 -1; do
	python3 - "$ZPUB_HOME/zpub.db" "$tid" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("PRAGMA foreign_keys = OFF")
old = db.execute("SELECT id FROM tenants WHERE name = 'ghost'").fetchone()[0]
db.execute("UPDATE tenants SET id = ? WHERE id = ?", (int(sys.argv[2]), old))
db.execute("UPDATE users SET tenant_id = ? WHERE name = 'gus'", (int(sys.argv[2]),))
db.commit()
PY
	python3 - "$port" "$T/tok.gus" "$tid" <<'PY' || fail "a token of tenant $tid"
import json, sys, urllib.request, urllib.error
tok = open(sys.argv[2]).read().strip()
for path in ("/recordings", "/jobs", "/audit", "/usage", "/templates"):
    req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}{path}",
                                 headers={"Authorization": "Bearer " + tok})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            s, b = r.status, r.read()
    except urllib.error.HTTPError as e:
        s, b = e.code, e.read()
    assert "Лекция" not in b.decode(), (sys.argv[3], path, s, b)
    assert s == 403 and "no tenant" in json.loads(b)["error"], (sys.argv[3], path, s, b)
PY
done
ok "a token of tenant 0 or -1 is refused and lists nothing"
expect_rc 0 "$ZPUB" audit --json
echo "$OUT" | grep -q '"actor":	"api:egor"' || fail "API changes not audited as their user: $OUT"
ok "API changes are audited with the user and the peer"
kill -TERM $dpid
wait $dpid || fail "daemon exit $?"
trap - EXIT
grep -q "stopped cleanly" "$T/daemon.log" || fail "no clean stop with the API thread"
ok "the daemon stops its API thread cleanly"
