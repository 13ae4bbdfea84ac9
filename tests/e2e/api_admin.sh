# api_admin.sh — what a tenant's owner does for its own tenant, through
# HTTP against a daemon (issue 20): users (an owner adds an editor, whose
# token works; rotating makes the old token 401; delete; the last owner
# stays, 409), the tenant (GET /tenant with its quotas, usage and config
# layer; PATCH /tenant/config sets a tenant key and refuses an operator
# key, all or nothing) and GET /templates/{id}/test listing what
# `zpub template test --json` lists.  Editors and viewers are refused the
# owner's routes; tenant B's owner never sees or changes tenant A's.
. "$ZPUB_SRC/tests/lib/e2e.sh"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
"$ZPUB" config set api.rate_per_minute 1000 >/dev/null
expect_rc 0 "$ZPUB" tenant add physics
for u in egor:editor vera:viewer olga:owner; do
	expect_rc 0 "$ZPUB" user add "${u%%:*}" --role "${u#*:}"
	expect_rc 0 "$ZPUB" user token "${u%%:*}"; echo "$OUT" >"$T/tok.${u%%:*}"
done
expect_rc 0 "$ZPUB" --tenant physics user add boris --role owner
expect_rc 0 "$ZPUB" --tenant physics user token boris; echo "$OUT" >"$T/tok.boris"

# Two recordings of A (one a lecture, one a seminar), one of B; skipped so
# the daemon leaves them.  A template matching lectures.
for n in 1 2; do make_mp4 "$T/short$n.mp4" "$((n + 1))"; done
expect_rc 0 "$ZPUB" import --title "Лекция 1" "$T/short1.mp4"
expect_rc 0 "$ZPUB" skip "$OUT"
expect_rc 0 "$ZPUB" import --title "Семинар 2" "$T/short2.mp4"
expect_rc 0 "$ZPUB" skip "$OUT"
expect_rc 0 "$ZPUB" --tenant physics import --title "Лекция Б" "$T/short1.mp4"
expect_rc 0 "$ZPUB" --tenant physics skip "$OUT"
expect_rc 0 "$ZPUB" template add lectures --match '{"title": "Лекция*"}'
expect_rc 0 "$ZPUB" template test lectures --json
echo "$OUT" >"$T/cli_test.json"

"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
trap 'kill -9 $dpid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
grep -q "control API on http://127.0.0.1:$port/" "$T/daemon.log" || fail "API not up: $(cat "$T/daemon.log")"

python3 - "$port" "$T" <<'PY' || fail "HTTP checks"
import json, sys, urllib.request, urllib.error
port, T = sys.argv[1:]
base = f"http://127.0.0.1:{port}"
tok = {u: open(f"{T}/tok.{u}").read().strip() for u in ("egor", "vera", "olga", "boris")}
def call(t, method, path, body=None):
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    h = {"Authorization": "Bearer " + t, "Content-Type": "application/json"}
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            s, b = r.status, r.read()
    except urllib.error.HTTPError as e:
        s, b = e.code, e.read()
    j = json.loads(b)
    if s >= 400:
        assert isinstance(j.get("error"), str) and len(j["error"]) > 10, (method, path, s, j)
    return s, j
def as_(u, method, path, body=None):
    return call(tok[u], method, path, body)

# Users: the owner's alone.
for u in ("egor", "vera"):
    assert as_(u, "GET", "/users")[0] == 403, u
    assert as_(u, "POST", "/users", {"name": "x", "role": "viewer"})[0] == 403, u
s, j = as_("olga", "GET", "/users")
assert s == 200, j
names = {u["name"]: u for u in j["users"]}
assert set(names) == {"egor", "vera", "olga"}, names
assert names["olga"]["role"] == "owner" and names["olga"]["created"], names
assert "token" not in json.dumps(j).replace("has_token", ""), j
s, j = as_("boris", "GET", "/users")
assert [u["name"] for u in j["users"]] == ["boris"], j

s, j = as_("olga", "POST", "/users", {"name": "ivan", "role": "editor"})
assert s == 201 and j["role"] == "editor" and len(j["token"]) > 16, (s, j)
ivan = j["token"]
assert call(ivan, "GET", "/recordings")[0] == 200
assert call(ivan, "GET", "/users")[0] == 403          # an editor
assert as_("olga", "POST", "/users", {"name": "ivan"})[0] == 409
for bad in ({"name": "../x"}, {"name": ""}, {"name": "a", "role": "root"}, {"name": 1},
            {"name": "a", "token_hash": "0"}, [1], b"{not json"):
    assert as_("olga", "POST", "/users", bad)[0] == 400, bad
assert as_("boris", "POST", "/users/ivan/token")[0] == 404
assert as_("boris", "DELETE", "/users/ivan")[0] == 404
assert call(ivan, "GET", "/recordings")[0] == 200
s, j = as_("olga", "POST", "/users/ivan/token")
assert s == 200, j
ivan2 = j["token"]
s, j = call(ivan, "GET", "/recordings")
assert s == 401, (s, j)
assert call(ivan2, "GET", "/recordings")[0] == 200
assert as_("egor", "DELETE", "/users/ivan")[0] == 403
assert as_("olga", "DELETE", "/users/ivan")[0] == 200
assert call(ivan2, "GET", "/recordings")[0] == 401
assert as_("olga", "DELETE", "/users/ivan")[0] == 404
s, j = as_("olga", "DELETE", "/users/olga")
assert s == 409 and "last owner" in j["error"], (s, j)

# The tenant and its config layer.
s, j = as_("vera", "GET", "/tenant")
assert s == 200 and j["name"] == "default", j
assert "minutes_month" in j["quota"] and "rows" in j["usage"] and j["config"] == {}, j
assert j["recordings"].get("SKIPPED") == 2, j
s, j = as_("olga", "PATCH", "/tenant/config", {"processing.video.window_ms": 20,
                                               "processing.video.min_silence_ms": 700})
assert s == 200 and j["config"]["processing"]["video"] == {"window_ms": 20,
                                                          "min_silence_ms": 700}, (s, j)
s, j = as_("vera", "GET", "/tenant")
assert j["config"]["processing"]["video"]["window_ms"] == 20, j
before = j["config"]
for bad in ({"api.rate_per_minute": 1}, {"providers.youtube.client_id": "x"},
            {"processing.video.min_silence_ms": 5, "api.max_request_bytes": 2048}):
    s, j = as_("olga", "PATCH", "/tenant/config", bad)
    key = [k for k in bad if not k.startswith("processing")][0]
    assert s == 400 and key in j["error"], (bad, s, j)
s, j = as_("olga", "PATCH", "/tenant/config", {"processing.video.window_ms": 99999})
assert s == 400 and "processing.video.window_ms" in j["error"], (s, j)
assert as_("olga", "PATCH", "/tenant/config", b"{bad")[0] == 400
assert as_("egor", "PATCH", "/tenant/config", {"processing.video.window_ms": 30})[0] == 403
assert as_("vera", "PATCH", "/tenant/config", {"processing.video.window_ms": 30})[0] == 403
assert as_("vera", "GET", "/tenant")[1]["config"] == before     # nothing landed
s, j = as_("boris", "GET", "/tenant")
assert j["name"] == "physics" and j["config"] == {}, j
assert as_("boris", "PATCH", "/tenant/config", {"processing.video.window_ms": 40})[0] == 200
assert as_("vera", "GET", "/tenant")[1]["config"] == before     # B changed only B
s, j = as_("olga", "PATCH", "/tenant/config", {"processing.video.window_ms": None})
assert s == 200 and j["config"] == {"processing": {"video": {"min_silence_ms": 700}}}, j

# Template test: the list the CLI prints, B cannot see it.
s, j = as_("vera", "GET", "/templates")
tid = [t["id"] for t in j["templates"] if t["name"] == "lectures"][0]
s, j = as_("vera", "GET", f"/templates/{tid}/test")
assert s == 200 and j["template"] == "lectures" and j["matched"] == 1, j
cli = json.load(open(f"{T}/cli_test.json"))
assert j["recordings"] == cli, (j, cli)
m = {r["title"]: r for r in j["recordings"]}
assert m["Лекция 1"]["matches"] and m["Лекция 1"]["wins"], m
assert not m["Семинар 2"]["matches"] and m["Семинар 2"]["why_not"], m
assert "Лекция Б" not in m, m
assert as_("boris", "GET", f"/templates/{tid}/test")[0] == 404

# Audited with the API caller.
s, j = as_("olga", "GET", "/audit")
acts = [(a["actor"], a["action"]) for a in j["audit"]]
for want in ("user.add", "user.token", "user.remove", "tenant.config"):
    assert ("api:olga", want) in acts, (want, acts)
PY
# the CLI sees what the API set
expect_rc 0 "$ZPUB" tenant show physics --json
echo "$OUT" | grep -q '"window_ms":[[:space:]]*40' || fail "tenant show: $OUT"
kill -TERM $dpid
wait $dpid || fail "daemon exit $?"
trap - EXIT
