# api_actions.sh — the recording routes a portal needs beyond list/show,
# through HTTP against a daemon on offline defaults (issue 20): GET /status
# and /review of the caller's tenant, a recording's journal page by page,
# its thumbnails (choosing one), its rendered description, topics found
# again, cut overrides,
# approval and then POST /publish {"update": true} on the READY one,
# DELETE (refused with 409 while a stage holds the recording, then files
# gone and audited with the caller), unskip, and POST /recordings/batch
# with another tenant's id reported as not found and never touched.
# Viewers read, editors act; tenant B's token is 404 on every tenant-A URL;
# bad JSON, unknown fields, non-numeric and too many ids are 400 with a
# sentence.
. "$ZPUB_SRC/tests/lib/e2e.sh"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$ZPUB" config set daemon.tick_ms 200 >/dev/null
"$ZPUB" config set api.rate_per_minute 1000 >/dev/null
"$ZPUB" config set publish.review required >/dev/null
expect_rc 0 "$ZPUB" tenant add physics
for u in egor:editor vera:viewer olga:owner; do
	expect_rc 0 "$ZPUB" user add "${u%%:*}" --role "${u#*:}"
	expect_rc 0 "$ZPUB" user token "${u%%:*}"; echo "$OUT" >"$T/tok.${u%%:*}"
done
expect_rc 0 "$ZPUB" --tenant physics user add boris --role owner
expect_rc 0 "$ZPUB" --tenant physics user token boris; echo "$OUT" >"$T/tok.boris"

# One lecture run to TRANSCRIBED and held for review before the daemon
# starts; three short ones skipped (the daemon leaves them); one of tenant B.
rec=$("$ZPUB" import --title "Лекция о сортировке" "$ZPUB_SRC/assets/sample/lecture.mp4")
expect_rc 0 "$ZPUB" run "$rec"
echo "$OUT" | grep -q "^$rec TRANSCRIBED review pending$" || fail "run: $OUT"
ids=""
for n in 2 3 4; do
	make_mp4 "$T/short$n.mp4" "$n"
	expect_rc 0 "$ZPUB" import --title "Семинар $n" "$T/short$n.mp4"
	ids="$ids $OUT"
	expect_rc 0 "$ZPUB" skip "$OUT"
done
set -- $ids
r2=$1 r3=$2 r4=$3
expect_rc 0 "$ZPUB" --tenant physics import --title "Физика" "$T/short2.mp4"
rb=$OUT
expect_rc 0 "$ZPUB" --tenant physics skip "$rb"
[ -d "$ZPUB_HOME/media/default/$r2" ] || fail "no media folder for $r2"

"$ZPUB" --daemon --foreground --listen 127.0.0.1:$port 2>"$T/daemon.log" &
dpid=$!
trap 'kill -9 $dpid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q "control API on" "$T/daemon.log" && break; sleep 0.1; done
grep -q "control API on http://127.0.0.1:$port/" "$T/daemon.log" || fail "API not up: $(cat "$T/daemon.log")"

python3 - "$port" "$T" "$rec" "$r2" "$r3" "$r4" "$rb" "$ZPUB_HOME" <<'PY' || fail "HTTP checks"
import json, sqlite3, sys, time, os, urllib.request, urllib.error
port, T, rec, r2, r3, r4, rb, home = sys.argv[1:]
rec, r2, r3, r4, rb = int(rec), int(r2), int(r3), int(r4), int(rb)
base = f"http://127.0.0.1:{port}"
tok = {u: open(f"{T}/tok.{u}").read().strip() for u in ("egor", "vera", "olga", "boris")}
def as_(u, method, path, body=None):
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    h = {"Authorization": "Bearer " + tok[u], "Content-Type": "application/json"}
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
def wait_status(rid, want, secs=120):
    for _ in range(secs * 5):
        s, j = as_("vera", "GET", f"/recordings/{rid}")
        if j["status"] == want:
            return j
        assert j["status"] != "FAILED", j
        time.sleep(0.2)
    raise AssertionError(f"{rid} never {want}: {j}")

# Status and the review queue: the caller's tenant only.
s, j = as_("vera", "GET", "/status")
assert s == 200 and j["tenant"] == "default" and j["total"] == 4, j
assert j["counts"]["TRANSCRIBED"] == 1 and j["counts"]["SKIPPED"] == 3, j
assert j["review_pending"] == 1 and isinstance(j["running"], list), j
s, j = as_("boris", "GET", "/status")
assert s == 200 and j["tenant"] == "physics" and j["total"] == 1 and j["review_pending"] == 0, j
s, j = as_("vera", "GET", "/review")
assert s == 200 and [r["id"] for r in j["recordings"]] == [rec], j
s, j = as_("boris", "GET", "/review")
assert s == 200 and j["recordings"] == [], j
print("status and review ok")

# The journal, newest first, a page at a time.
s, j = as_("vera", "GET", f"/recordings/{rec}/journal?limit=2")
assert s == 200 and len(j["journal"]) == 2 and j["next_before"], j
first = [e["id"] for e in j["journal"]]
assert first[0] > first[1] and all(e["recording_id"] == rec for e in j["journal"]), j
s, j = as_("vera", "GET", f"/recordings/{rec}/journal?limit=2&before={j['next_before']}")
assert s == 200 and j["journal"] and j["journal"][0]["id"] < first[1], j
for q in ("limit=0", "limit=9999", "limit=x", "before=-5"):
    s, j = as_("vera", "GET", f"/recordings/{rec}/journal?{q}")
    assert s == 400, (q, s, j)
print("journal ok")

# Thumbnails: numbered, none of the server's paths; editors choose.
s, j = as_("vera", "GET", f"/recordings/{rec}/thumbnails")
assert s == 200 and len(j["thumbnails"]) >= 2, j
assert [t["n"] for t in j["thumbnails"]] == list(range(1, len(j["thumbnails"]) + 1)), j
assert home not in json.dumps(j), j
s, j = as_("vera", "PUT", f"/recordings/{rec}/thumbnail", {"pick": 2})
assert s == 403, (s, j)
s, j = as_("egor", "PUT", f"/recordings/{rec}/thumbnail", {"pick": 2})
assert s == 200 and j["chosen"] == 2, (s, j)
s, j = as_("vera", "GET", f"/recordings/{rec}/thumbnails")
assert [t["chosen"] for t in j["thumbnails"]][:2] == [False, True], j
s, j = as_("egor", "PUT", f"/recordings/{rec}/thumbnail", {"pick": 999})
assert 400 <= s < 500, (s, j)
s, j = as_("egor", "PUT", f"/recordings/{rec}/thumbnail", {"file": "/etc/passwd"})
assert s == 400 and "file" in j["error"], (s, j)
print("thumbnails ok")

# The rendered description.
s, j = as_("vera", "GET", f"/recordings/{rec}/description")
assert s == 200 and j["title"] and "сортировке" in j["description"], j
s, j = as_("vera", "GET", f"/recordings/{r2}/description")
assert s == 404 and "TRANSCRIBED" in j["error"], (s, j)
print("description ok")

# Topics found again from the transcript: a new version, held for review.
s, j = as_("vera", "POST", f"/recordings/{rec}/topics/regenerate", {"engine": "extractive"})
assert s == 403, (s, j)
s, j = as_("egor", "POST", f"/recordings/{rec}/topics/regenerate", {"engine": "sorcery"})
assert s == 400 and "extractive" in j["error"], (s, j)
s, j = as_("egor", "POST", f"/recordings/{r2}/topics/regenerate")
assert s == 409 and "TRANSCRIBED" in j["error"], (s, j)
s, j = as_("vera", "GET", f"/recordings/{rec}/topics")
v0 = j["version"]
s, j = as_("egor", "POST", f"/recordings/{rec}/topics/regenerate", {"engine": "extractive"})
assert s == 200 and j["version"] == v0 + 1 and j["chapters"].startswith("00:00:00 "), (s, j)
s, j = as_("vera", "GET", f"/recordings/{rec}/topics")
assert j["version"] == v0 + 1 and j["review"] == "pending", j
print("topics regenerate ok")

# Cut overrides on a skipped recording (it stays skipped); bad ranges are
# refused with the reason.
s, j = as_("vera", "PUT", f"/recordings/{r3}/cut", {"ranges": [{"remove": "00:00:00-00:00:01"}]})
assert s == 403, (s, j)
s, j = as_("egor", "PUT", f"/recordings/{r3}/cut", {"ranges": [{"remove": "00:00:05-00:00:01"}]})
assert s == 400 or s == 409, (s, j)
s, j = as_("egor", "PUT", f"/recordings/{r3}/cut", {"ranges": [{"trim": "00:00:00-00:00:01"}]})
assert s == 400 and "range 1" in j["error"], (s, j)
s, j = as_("egor", "PUT", f"/recordings/{r3}/cut", {"clear": True, "extra": 1})
assert s == 400 and "extra" in j["error"], (s, j)
s, j = as_("egor", "PUT", f"/recordings/{r3}/cut", {"ranges": [{"remove": "00:00:01-00:00:02"}]})
assert s == 200 and j["recording"]["status"] == "SKIPPED", (s, j)
s, j = as_("vera", "GET", f"/recordings/{r3}/cut")
assert s == 200 and j["source_ms"] > 2000 and j["stretches"], (s, j)
assert len(j["overrides"]) == 1 and "remove" in j["overrides"][0], j
assert any(st["why"] == "your remove" and not st["kept"] for st in j["stretches"]), j
s, j = as_("vera", "GET", f"/recordings/{rec}/cut")
assert s == 200 and j["overrides"] == [] and j["cut_ms"] > 0, (s, j)
print("cut ok")

# Tenant B's token is 404 on every tenant-A URL, and changes nothing.
wall = [("GET", f"/recordings/{rec}/journal", None), ("GET", f"/recordings/{rec}/thumbnails", None),
        ("PUT", f"/recordings/{rec}/thumbnail", {"pick": 1}),
        ("GET", f"/recordings/{rec}/description", None),
        ("PUT", f"/recordings/{rec}/cut", {"clear": True}), ("GET", f"/recordings/{rec}/cut", None),
        ("POST", f"/recordings/{r2}/unskip", None), ("DELETE", f"/recordings/{r2}", None),
        ("POST", f"/recordings/{rec}/publish", {"update": True}),
        ("POST", f"/recordings/{rec}/topics/regenerate", None)]
for m, p, b in wall:
    s, j = as_("boris", m, p, b)
    assert s == 404, (m, p, s, j)
s, j = as_("boris", "POST", "/recordings/batch", {"action": "delete", "ids": [r2, r3]})
assert s == 200 and j["ok"] == 0 and all(r["status"] == 404 for r in j["results"]), j
assert os.path.isdir(f"{home}/media/default/{r2}")
print("tenant wall ok")

# DELETE: refused while a stage holds the recording, then done.
db = sqlite3.connect(f"{home}/zpub.db", timeout=30)
db.execute("UPDATE recordings SET lease_owner = 'elsewhere:1', lease_until = ? WHERE id = ?",
           (int(time.time() * 1000) + 600000, r3))
db.commit()
s, j = as_("egor", "DELETE", f"/recordings/{r3}")
assert s == 409 and "stop it first" in j["error"], (s, j)
db.execute("UPDATE recordings SET lease_owner = NULL, lease_until = 0 WHERE id = ?", (r3,))
db.commit()
s, j = as_("vera", "DELETE", f"/recordings/{r3}")
assert s == 403, (s, j)
s, j = as_("egor", "DELETE", f"/recordings/{r3}")
assert s == 200 and j["deleted"] is True, (s, j)
assert not os.path.exists(f"{home}/media/default/{r3}")
s, j = as_("vera", "GET", f"/recordings/{r3}")
assert s == 404, (s, j)
print("delete ok")

# Batch: per-id results; another tenant's id and a missing one are "not found".
s, j = as_("vera", "POST", "/recordings/batch", {"action": "delete", "ids": [r2]})
assert s == 403, (s, j)
s, j = as_("egor", "POST", "/recordings/batch", {"action": "delete", "ids": [r2, rb, 999999]})
assert s == 200 and j["ok"] == 1 and j["failed"] == 2, j
res = {r["id"]: r for r in j["results"]}
assert res[r2]["ok"] and not res[rb]["ok"] and res[rb]["status"] == 404, j
assert "no recording" in res[rb]["error"] and res[999999]["status"] == 404, j
assert not os.path.exists(f"{home}/media/default/{r2}")
s, j = as_("boris", "GET", f"/recordings/{rb}")
assert s == 200 and j["status"] == "SKIPPED", j
for body in [b"{not json", {"action": "delete"}, {"action": "nuke", "ids": [r4]},
             {"action": "skip", "ids": ["x"]}, {"action": "skip", "ids": [r4, 2.5]},
             {"action": "skip", "ids": list(range(1, 502))},
             {"action": "skip", "ids": [r4], "dry": True}, [r4]]:
    s, j = as_("egor", "POST", "/recordings/batch", body)
    assert s == 400, (body if not isinstance(body, dict) or len(body.get("ids", [])) < 10
                      else "501 ids", s, j)
s, j = as_("egor", "POST", "/recordings/batch", {"action": "unskip", "ids": [r4]})
assert s == 200 and j["ok"] == 1, j
print("batch ok")

# Approve: the daemon publishes the held lecture; then an update of it.
s, j = as_("egor", "POST", f"/recordings/{rec}/publish", {"update": True})
assert s == 409 and "READY" in j["error"], (s, j)
s, j = as_("egor", "POST", "/recordings/batch", {"action": "approve", "ids": [rec]})
assert s == 200 and j["ok"] == 1, j
wait_status(rec, "READY")
s, j = as_("vera", "POST", f"/recordings/{rec}/publish", {"update": True})
assert s == 403, (s, j)
s, j = as_("egor", "POST", f"/recordings/{rec}/publish", {"update": "yes"})
assert s == 400, (s, j)
s, j = as_("egor", "POST", f"/recordings/{rec}/publish", {"update": True})
assert s == 202 and j["update_pending"] is True, (s, j)
print("approve and update ok")

# Everything above is audited with the caller.
s, j = as_("olga", "GET", "/audit")
acts = {(e["action"], e["actor"].split("@")[0]) for e in j["audit"]}
for a in ("delete", "unskip", "thumbnail.pick", "topics.approve", "publish.update", "cut.edit",
          "topics.regenerate"):
    assert any(x == a and who.startswith("api:egor") for x, who in acts), (a, sorted(acts))
s, j = as_("olga", "GET", "/openapi.json")
for p in ("/recordings/batch", "/status", "/review", "/recordings/{id}/journal",
          "/recordings/{id}/thumbnails", "/recordings/{id}/cut"):
    assert p in j["paths"], p
assert "delete" in j["paths"]["/recordings/{id}"]
print("audit ok")
PY
ok "status, review, journal, thumbnails, description, cut, delete, batch, update over HTTP"

kill -TERM $dpid
wait $dpid || fail "daemon exit $?"
trap - EXIT
